/* admin_front.c: the front-page desk of an edition: pin stories to the
 * lead slots and order them, and raise or clear the breaking-news strip.
 * Each change invalidates exactly the pages that show it (TAG_PINS: the
 * edition's front page; TAG_BREAKING: every page of the edition). What
 * readers see of it is curation.c's. */
#include "admin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PINS 7          /* the front page's top slots */
#define CANDIDATES 40

static const char *
edition_of(struct req *r, const char *code)
{
	struct staff *u = admin_staff(r);
	if (code && edition_find(code) && staff_has_edition(u, code))
		return edition_find(code)->code;
	for (int i = 0; i < edition_count(); i++)
		if (staff_has_edition(u, edition_at(i)->code))
			return edition_at(i)->code;
	return NULL;
}

static void
front_page(struct req *r)
{
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *ed = edition_of(r, req_query(r, "edition"));
	if (!ed) {
		admin_deny(r);
		return;
	}
	long long now = (long long)time(NULL);
	struct tv *f = tv_map(a);
	tv_set_str(f, "edition", ed);
	struct tv *eds = tv_set_list(f, "editions");
	for (int i = 0; i < edition_count(); i++) {
		if (!staff_has_edition(admin_staff(r), edition_at(i)->code))
			continue;
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "url", arena_printf(a, "/admin/front?edition=%s", edition_at(i)->code));
		tv_set_str(m, "name", edition_at(i)->name);
		tv_set_bool(m, "current", strcmp(ed, edition_at(i)->code) == 0);
	}
	struct tv *pins = tv_set_list(f, "pins");
	struct db_stmt *st = db_query(c, "SELECT a.id, a.title, a.status FROM front_pins p JOIN articles a ON a.id = p.article_id "
	    "WHERE p.edition = ? ORDER BY p.position", "s", ed);
	while (db_row(st)) {
		struct tv *m = tv_push_map(pins);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "title", db_atext(st, 1, a));
		tv_set_bool(m, "hidden", strcmp(db_text(st, 2), "published") != 0);
	}
	db_done(st);
	struct tv *cands = tv_set_list(f, "candidates");
	st = db_query(c, "SELECT id, title FROM articles WHERE edition = ? AND status = 'published' AND published_at <= ? "
	    "ORDER BY published_at DESC, id DESC LIMIT ?", "sid", ed, now, CANDIDATES);
	while (db_row(st)) {
		struct tv *m = tv_push_map(cands);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "title", db_atext(st, 1, a));
	}
	db_done(st);
	tv_set_bool(f, "full", pins->u.list.n >= MAX_PINS);
	st = db_query(c, "SELECT a.title, b.until FROM breaking b JOIN articles a ON a.id = b.article_id WHERE b.edition = ? AND b.until > ?",
	    "si", ed, now);
	if (db_row(st)) {
		struct tv *m = tv_set_map(f, "breaking");
		tv_set_str(m, "title", db_atext(st, 0, a));
		tv_set_str(m, "until", admin_when(r, db_int(st, 1)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, admin_staff(r), "admin_front.html", _("Front page"), f, 200);
}

struct front_change {
	const char *edition, *action;
	long long article, hours, user, now;
	bool full, gone;
};

/* Writes the pins of an edition in the order of ids. */
static int
pins_write(struct db_conn *c, const char *ed, const long long *ids, int n)
{
	if (db_exec(c, "DELETE FROM front_pins WHERE edition = ?", "s", ed) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (db_exec(c, "INSERT INTO front_pins (edition, position, article_id) VALUES (?, ?, ?)", "sdi", ed, i, ids[i]) != 1)
			return -1;
	return 0;
}

static int
front_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct front_change *ch = arg;
	struct arena a = {0};
	const char *act = ch->action;
	int rc = -1;
	if (strcmp(act, "breaking") == 0 || strcmp(act, "pin") == 0) {
		if (db_int1(c, 0, "SELECT count(*) FROM articles WHERE id = ? AND edition = ? AND status = 'published'", "is", ch->article,
		    ch->edition) != 1) {
			ch->gone = true;
			goto out;
		}
	}
	if (strcmp(act, "breaking") == 0) {
		if (db_exec(c, "INSERT INTO breaking (edition, article_id, until, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (edition) "
		    "DO UPDATE SET article_id = excluded.article_id, until = excluded.until, created_at = excluded.created_at", "siii",
		    ch->edition, ch->article, ch->now + ch->hours * 3600, ch->now) != 1)
			goto out;
		inval_add(iv, TAG_BREAKING, ch->edition);
	} else if (strcmp(act, "unbreaking") == 0) {
		if (db_exec(c, "DELETE FROM breaking WHERE edition = ?", "s", ch->edition) < 0)
			goto out;
		inval_add(iv, TAG_BREAKING, ch->edition);
	} else {
		long long ids[MAX_PINS + 1];
		int n = 0, at = -1;
		struct db_stmt *st = db_query(c, "SELECT article_id FROM front_pins WHERE edition = ? ORDER BY position", "s", ch->edition);
		while (db_row(st) && n < MAX_PINS) {
			if (db_int(st, 0) == ch->article)
				at = n;
			ids[n++] = db_int(st, 0);
		}
		if (db_done(st) < 0)
			goto out;
		if (strcmp(act, "pin") == 0) {
			if (at < 0 && n >= MAX_PINS) {
				ch->full = true;
				goto out;
			}
			if (at < 0)
				ids[n++] = ch->article;
		} else if (at < 0) {
			ch->gone = true;
			goto out;
		} else if (strcmp(act, "unpin") == 0) {
			memmove(ids + at, ids + at + 1, (size_t)(n - at - 1) * sizeof *ids);
			n--;
		} else if (strcmp(act, "up") == 0 && at > 0) {
			long long t = ids[at - 1];
			ids[at - 1] = ids[at];
			ids[at] = t;
		} else if (strcmp(act, "down") == 0 && at < n - 1) {
			long long t = ids[at + 1];
			ids[at + 1] = ids[at];
			ids[at] = t;
		}
		if (pins_write(c, ch->edition, ids, n) < 0)
			goto out;
		inval_add(iv, TAG_PINS, ch->edition);
	}
	audit(c, ch->user, arena_printf(&a, "front.%s", act), arena_printf(&a, "%s: article %lld", ch->edition, ch->article));
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

static void
front_post(struct req *r)
{
	const char *code = req_form(r, "edition"), *action = req_form(r, "action");
	static const char *const actions[] = {"pin", "unpin", "up", "down", "breaking", "unbreaking"};
	bool known = false;
	for (size_t i = 0; action && i < sizeof actions / sizeof *actions; i++)
		known |= strcmp(action, actions[i]) == 0;
	if (!code || !edition_find(code) || !known) {
		resp_error(r, 400);
		return;
	}
	if (!staff_has_edition(admin_staff(r), code)) {
		admin_deny(r);
		return;
	}
	struct front_change ch = {edition_find(code)->code, action, admin_id(req_form(r, "article")), 0, admin_staff(r)->id,
		(long long)time(NULL), false, false};
	if (strcmp(action, "breaking") == 0) {
		const char *h = req_form(r, "hours");
		ch.hours = h && strspn(h, "0123456789") == strlen(h) && strlen(h) < 4 ? atoll(h) : 0;
		if (ch.hours < 1 || ch.hours > 72) {
			resp_error(r, 400);
			return;
		}
	}
	if (strcmp(action, "unbreaking") != 0 && !ch.article) {
		resp_error(r, 400);
		return;
	}
	if (inval_write(req_db(r), front_tx, &ch, NULL) < 0) {
		if (ch.full || ch.gone) {
			resp_error(r, ch.full ? 409 : 404);
			return;
		}
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/front?edition=%s", ch.edition));
}

const struct route admin_front_routes[] = {
	{HTTP_GET, "/admin/front", front_page, "taxonomy"},
	{HTTP_POST, "/admin/front", front_post, "taxonomy"},
	{0, NULL, NULL, NULL},
};
