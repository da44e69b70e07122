/* admin_pages.c: the desk for an edition's standing pages (About,
 * Contact, Privacy…): the pages of each edition as a tree, and one page's
 * title, address, parent, text, status, order and footer link. Writes go
 * through page_store (src/pages.c), which keeps paths, old addresses and
 * the cache in step; this file only reads forms and shows them. */
#include "admin.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TITLE_MAX_CHARS 200
#define BODY_MAX_BYTES (256 * 1024)

static const char *
page_edition(struct req *r, const char *asked)
{
	const struct edition *ed = asked ? edition_find(asked) : NULL;
	if (!ed) {
		ed = admin_edition(r);
		if (!staff_has_edition(admin_staff(r), ed->code))
			for (int i = 0; i < edition_count(); i++)
				if (staff_has_edition(admin_staff(r), edition_at(i)->code))
					return edition_at(i)->code;
	}
	return ed->code;
}

/* The edition tabs of the list and of the new-page form. */
static void
edition_tabs(struct req *r, struct tv *f, const char *current)
{
	struct tv *tabs = tv_set_list(f, "editions");
	for (int i = 0; i < edition_count(); i++) {
		const struct edition *e = edition_at(i);
		if (!staff_has_edition(admin_staff(r), e->code))
			continue;
		struct tv *m = tv_push_map(tabs);
		tv_set_str(m, "code", e->code);
		tv_set_str(m, "name", e->name);
		tv_set_str(m, "url", arena_cat(&r->a, "/admin/pages?edition=", e->code, NULL));
		if (strcmp(e->code, current) == 0)
			tv_set_bool(m, "current", true);
	}
}

/* GET /admin/pages?edition=CODE: the edition's pages in path order, which
 * puts every page under its parent. */
static void
list_page(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	const char *ed = page_edition(r, req_query(r, "edition"));
	if (!staff_has_edition(admin_staff(r), ed)) {
		admin_deny(r);
		return;
	}
	struct tv *f = tv_map(a);
	tv_set_str(f, "edition", ed);
	edition_tabs(r, f, ed);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT id, title, path, status, in_footer, updated_at FROM pages WHERE edition = ? "
	    "ORDER BY path", "s", ed);
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		const char *path = db_atext(st, 2, a);
		int depth = 0;
		for (const char *p = path; *p; p++)
			depth += *p == '/';
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "title", db_atext(st, 1, a));
		tv_set_str(m, "url", url_page(a, ed, path));
		tv_set_int(m, "depth", depth);
		tv_set_str(m, "status", admin_status_label(lang, db_text(st, 3)));
		tv_set_bool(m, "published", strcmp(db_text(st, 3), "published") == 0);
		tv_set_bool(m, "footer", db_int(st, 4) != 0);
		tv_set_str(m, "when", admin_when(r, db_int(st, 5)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, admin_staff(r), "admin_pages.html", _("Pages"), f, 200);
}

/* The form, filled from pg; f may carry errors already. */
static void
form_render(struct req *r, const struct static_page *pg, struct tv *f, int status)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	tv_set_int(f, "id", pg->id);
	tv_set_str(f, "edition", pg->edition);
	tv_set_str(f, "edition_name", edition_find(pg->edition) ? edition_find(pg->edition)->name : pg->edition);
	tv_set_str(f, "title", pg->title);
	tv_set_str(f, "slug", pg->slug);
	tv_set_str(f, "body", pg->body_md);
	tv_set_int(f, "position", pg->position);
	tv_set_bool(f, "in_footer", pg->in_footer);
	tv_set_str(f, "action_url", pg->id ? arena_printf(a, "/admin/pages/%lld", pg->id) : "/admin/pages/new");
	tv_set_str(f, "back_url", arena_cat(a, "/admin/pages?edition=", pg->edition, NULL));
	struct tv *sts = tv_set_list(f, "statuses");
	static const char *const statuses[] = {"draft", "published", "private"};
	for (int i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(sts);
		tv_set_str(m, "value", statuses[i]);
		tv_set_str(m, "label", admin_status_label(lang, statuses[i]));
		if (strcmp(pg->status, statuses[i]) == 0)
			tv_set_bool(m, "selected", true);
	}
	/* parents: any page of the edition but this one and those under it */
	struct tv *parents = tv_set_list(f, "parents");
	const char *own = NULL;
	if (pg->id)
		own = arena_printf(a, "%lld", pg->id);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, title, path FROM pages WHERE edition = ? ORDER BY path", "s", pg->edition);
	const char *own_path = NULL;
	while (db_row(st)) {
		long long id = db_int(st, 0);
		const char *path = db_text(st, 2);
		if (own && id == pg->id) {
			own_path = db_atext(st, 2, a);
			continue;
		}
		if (own_path && strncmp(path, own_path, strlen(own_path)) == 0 && path[strlen(own_path)] == '/')
			continue;
		struct tv *m = tv_push_map(parents);
		tv_set_int(m, "id", id);
		tv_set_str(m, "name", arena_cat(a, db_text(st, 1), " (/", pg->edition, "/", path, ")", NULL));
		if (id == pg->parent)
			tv_set_bool(m, "selected", true);
	}
	db_done(st);
	if (own_path && strcmp(pg->status, "published") == 0)
		tv_set_str(f, "view_url", url_page(a, pg->edition, own_path));
	admin_render(r, admin_staff(r), "admin_page.html", pg->id ? _("Edit page") : _("New page"), f, status);
}

/* 1 found, 0 not, -1 database error. */
static int
page_load(struct req *r, long long id, struct static_page *pg)
{
	struct arena *a = &r->a;
	memset(pg, 0, sizeof *pg);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, edition, coalesce(parent_id, 0), slug, title, body_md, status, in_footer, "
	    "position FROM pages WHERE id = ?", "i", id);
	int rc = 0;
	if (db_row(st)) {
		rc = 1;
		pg->id = db_int(st, 0);
		pg->edition = db_atext(st, 1, a);
		pg->parent = db_int(st, 2);
		pg->slug = db_atext(st, 3, a);
		pg->title = db_atext(st, 4, a);
		pg->body_md = db_atext(st, 5, a);
		pg->status = db_atext(st, 6, a);
		pg->in_footer = db_int(st, 7) != 0;
		pg->position = (int)db_int(st, 8);
	}
	if (db_done(st) < 0)
		rc = -1;
	return rc;
}

/* The page the URL names, if this user may touch its edition: true; else
 * the 404, 403 or error page is sent. */
static bool
page_of_request(struct req *r, struct static_page *pg)
{
	if (!admin_found(r, page_load(r, admin_id(r->params[0]), pg)))
		return false;
	if (!staff_has_edition(admin_staff(r), pg->edition)) {
		admin_deny(r);
		return false;
	}
	return true;
}

static void
new_page(struct req *r)
{
	struct static_page pg = {0};
	pg.edition = page_edition(r, req_query(r, "edition"));
	if (!staff_has_edition(admin_staff(r), pg.edition)) {
		admin_deny(r);
		return;
	}
	pg.title = pg.slug = pg.body_md = "";
	pg.status = "draft";
	pg.parent = admin_id(req_query(r, "parent"));
	form_render(r, &pg, tv_map(&r->a), 200);
}

static void
edit_page(struct req *r)
{
	struct static_page pg;
	if (!page_of_request(r, &pg))
		return;
	struct tv *f = tv_map(&r->a);
	if (req_query(r, "saved"))
		tv_set_bool(f, "saved", true);
	form_render(r, &pg, f, 200);
}

struct save {
	struct static_page *pg;
	long long now, id;
	int why;
};

static int
save_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct save *s = arg;
	s->id = page_store(c, iv, s->pg, s->now, &s->why);
	if (s->id < 0)
		return -1;
	struct arena a;
	arena_init(&a, 256);
	audit(c, s->pg->user, s->pg->id ? "page.edit" : "page.create", arena_printf(&a, "page %lld (%s)", s->id, s->pg->edition));
	arena_free(&a);
	return 0;
}

static void
save_post(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	struct static_page pg;
	if (r->nparams) {
		if (!page_of_request(r, &pg))
			return;
	} else {
		memset(&pg, 0, sizeof pg);
		pg.edition = req_form(r, "edition");
		if (!pg.edition || !edition_find(pg.edition)) {
			resp_error(r, 400);
			return;
		}
		pg.edition = edition_find(pg.edition)->code;
		if (!staff_has_edition(admin_staff(r), pg.edition)) {
			admin_deny(r);
			return;
		}
	}
	const char *v;
	struct tv *f = tv_map(a);
	pg.title = text_clean(a, (v = req_form(r, "title")) ? v : "", false);
	pg.slug = text_clean(a, (v = req_form(r, "slug")) ? v : "", false);
	pg.body_md = text_clean(a, (v = req_form(r, "body")) ? v : "", true);
	v = req_form(r, "status");
	pg.status = v && (strcmp(v, "draft") == 0 || strcmp(v, "published") == 0 || strcmp(v, "private") == 0) ? v : "draft";
	pg.parent = admin_id(req_form(r, "parent"));
	pg.in_footer = req_form(r, "in_footer") != NULL;
	v = req_form(r, "position");
	pg.position = v && *v && strlen(v) < 6 && strspn(v, "0123456789") == strlen(v) ? atoi(v) : 0;
	pg.user = admin_staff(r)->id;
	if (!*pg.slug && *pg.title)
		pg.slug = i18n_slug(a, pg.title);
	bool ok = true;
	if (!*pg.title || utf8_chars(pg.title) > TITLE_MAX_CHARS) {
		tv_set_str(f, "err_title", i18n_gettext(lang, _("Please give a title of at most 200 characters.")));
		ok = false;
	}
	if (strlen(pg.body_md) > BODY_MAX_BYTES) {
		tv_set_str(f, "err_body", i18n_gettext(lang, _("The text is longer than 256 KB.")));
		ok = false;
	}
	if (*pg.title && !page_slug_ok(pg.slug)) {
		tv_set_str(f, "err_slug", i18n_gettext(lang, _("An address of at most 200 characters without spaces, slashes or any of ? # % \" ' < > &.")));
		ok = false;
	}
	if (!ok) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		form_render(r, &pg, f, 422);
		return;
	}
	struct save s = {&pg, (long long)time(NULL), 0, 0};
	if (inval_write(req_db(r), save_tx, &s, NULL) < 0) {
		const char *field = "err_slug", *msg;
		switch (s.why) {
		case PAGE_RESERVED: msg = _("This address belongs to the site itself (sections, tags, search and others): please choose another."); break;
		case PAGE_TAKEN: msg = _("Another page of this edition has this address."); break;
		case PAGE_BAD_SLUG: msg = _("An address of at most 200 characters without spaces, slashes or any of ? # % \" ' < > &."); break;
		case PAGE_BAD_PARENT: field = "err_parent"; msg = _("Please choose a parent from the list."); break;
		case PAGE_LOOP: field = "err_parent"; msg = _("A page cannot be inside itself or a page under it."); break;
		case PAGE_TOO_DEEP: field = "err_parent"; msg = _("Pages can be nested at most eight deep."); break;
		case PAGE_MISSING: resp_error(r, 404); return;
		default: page_db_error(r); return;
		}
		tv_set_str(f, field, i18n_gettext(lang, msg));
		tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		form_render(r, &pg, f, 422);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/pages/%lld?saved=1", s.id));
}

struct removal {
	long long id, user;
	bool has_children;
	const char *edition, *slug;
	bool footer;
};

static int
delete_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct removal *d = arg;
	if (db_int1(c, 0, "SELECT count(*) FROM pages WHERE parent_id = ?", "i", d->id) > 0) {
		d->has_children = true;
		return -1;
	}
	if (db_exec(c, "DELETE FROM pages WHERE id = ?", "i", d->id) != 1)
		return -1;
	inval_add(iv, "pages:%s", d->edition);
	if (d->footer)
		inval_add(iv, "site");
	struct arena a;
	arena_init(&a, 256);
	audit(c, d->user, "page.delete", arena_printf(&a, "page %lld (%s, %s)", d->id, d->edition, d->slug));
	arena_free(&a);
	return 0;
}

static void
delete_post(struct req *r)
{
	struct static_page pg;
	if (!page_of_request(r, &pg))
		return;
	struct removal d = {pg.id, admin_staff(r)->id, false, pg.edition, pg.slug, pg.in_footer};
	if (inval_write(req_db(r), delete_tx, &d, NULL) < 0) {
		if (d.has_children) {
			struct tv *f = tv_map(&r->a);
			tv_set_str(f, "error", i18n_gettext(admin_edition(r)->code, _("This page has pages under it: move or delete them first.")));
			form_render(r, &pg, f, 409);
			return;
		}
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_cat(&r->a, "/admin/pages?edition=", pg.edition, NULL));
}

const struct route admin_page_routes[] = {
	{HTTP_GET, "/admin/pages", list_page, "taxonomy"},
	{HTTP_GET, "/admin/pages/new", new_page, "taxonomy"},
	{HTTP_POST, "/admin/pages/new", save_post, "taxonomy"},
	{HTTP_GET, "/admin/pages/{id}", edit_page, "taxonomy"},
	{HTTP_POST, "/admin/pages/{id}", save_post, "taxonomy"},
	{HTTP_POST, "/admin/pages/{id}/delete", delete_post, "taxonomy"},
	{0, NULL, NULL, NULL},
};
