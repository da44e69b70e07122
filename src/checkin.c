/* checkin.c: the door. A key made with `gazette events checkin-key` opens
 * the check-in pages of one event for a staff phone (kept in a cookie,
 * SameSite=Strict, Path=/checkin). The QR code on a ticket is the address
 * /checkin/CODE: scanning it with the phone's camera checks the booking in
 * (the first time) or tells when it was (after). A code can also be typed.
 * Until the admin exists this key is the only staff credential. */
#include "events.h"
#include "core/form.h"
#include "core/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECKIN_COOKIE "gz_checkin"

/* The event group the staff key opens, 0 for none. */
static long long
staff_group(struct req *r)
{
	const char *key = req_cookie(r, CHECKIN_COOKIE);
	if (!key || strlen(key) != 64 || strspn(key, "0123456789abcdef") != 64)
		return 0;
	return db_int1(req_db(r), 0, "SELECT translation_group FROM checkin_keys WHERE key_hash = ?", "s",
	    site_mac_hex(&r->a, "checkin", key, 64));
}

static void
render(struct req *r, long long group, struct tv *result, int status, bool admin)
{
	const struct edition *ed = staff_language(r);
	struct page p;
	page_init(&p, r, ed, i18n_gettext(ed->code, "Check-in"));
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	if (group) {
		struct db_stmt *st = db_query(req_db(r), "SELECT title FROM events WHERE translation_group = ? ORDER BY edition = ? DESC LIMIT 1",
		    "is", group, ed->code);
		if (db_row(st))
			tv_set_str(p.root, "event_title", db_atext(st, 0, &r->a));
		db_done(st);
		tv_set_int(p.root, "checked_in", db_int1(req_db(r), 0, "SELECT coalesce(sum(b.qty), 0) FROM bookings b JOIN quotas q ON q.id = b.quota_id "
		    "WHERE q.translation_group = ? AND b.status = 'confirmed' AND b.checked_in_at IS NOT NULL", "i", group));
		tv_set_int(p.root, "expected", db_int1(req_db(r), 0, "SELECT coalesce(sum(b.qty), 0) FROM bookings b JOIN quotas q ON q.id = b.quota_id "
		    "WHERE q.translation_group = ? AND b.status = 'confirmed'", "i", group));
	}
	tv_set_bool(p.root, "staff", group != 0 || admin);
	tv_set_str(p.root, "checkin_action", admin ? "/admin/checkin" : "/checkin");
	if (result)
		tv_set(p.root, "result", result);
	page_render(&p, "checkin.html", status);
}

/* /checkin/login?key=K: the key goes into the phone's cookie. */
static void
checkin_login(struct req *r)
{
	const char *key = req_query(r, "key");
	if (!key || strlen(key) != 64 || strspn(key, "0123456789abcdef") != 64 ||
	    !db_int1(req_db(r), 0, "SELECT translation_group FROM checkin_keys WHERE key_hash = ?", "s",
		site_mac_hex(&r->a, "checkin", key, 64))) {
		render(r, 0, NULL, 403, false);
		return;
	}
	resp_header(r, "Set-Cookie", arena_printf(&r->a, "%s=%s; Path=/checkin; Max-Age=172800; HttpOnly; SameSite=Strict",
	    CHECKIN_COOKIE, key));
	resp_redirect(r, 303, "/checkin");
}

const char *
checkin_code_path(struct arena *a, const char *prefix, const char *typed)
{
	/* a typed code, tidied: "k7qm 9tdx" → "K7QM-9TDX" */
	char raw[9];
	size_t o = 0;
	for (const char *p = typed; *p && o < 8; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			raw[o++] = (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
	raw[o] = 0;
	return o == 8 ? arena_printf(a, "%s%.4s-%.4s", prefix, raw, raw + 4) : arena_printf(a, "%s%s", prefix, o ? raw : "-");
}

static void
checkin_home(struct req *r)
{
	long long group = staff_group(r);
	const char *code = req_query(r, "code");
	if (group && code) {
		resp_redirect(r, 303, checkin_code_path(&r->a, "/checkin/", code));
		return;
	}
	render(r, group, NULL, group ? 200 : 403, false);
}

static int
check_in(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* no page shows check-ins */
	const long long *at_id = arg;
	return (int)db_exec(c, "UPDATE bookings SET checked_in_at = ? WHERE id = ? AND checked_in_at IS NULL", "ii", at_id[0], at_id[1]);
}

/* /checkin/CODE: the first visit checks in, the next ones tell when. A
 * phone without a door key goes to the admin's check-in (the events desk's
 * session), so that a signed-in events manager can scan tickets too. */
static void
checkin_code(struct req *r)
{
	long long group = staff_group(r);
	if (!group) {
		resp_redirect(r, 303, arena_printf(&r->a, "/admin/checkin/%s", r->params[0]));
		return;
	}
	checkin_answer(r, group);
}

void
checkin_answer(struct req *r, long long group)
{
	bool admin = group == 0;
	if (!r->nparams) {   /* the admin's check-in page, before a code */
		render(r, 0, NULL, 200, true);
		return;
	}
	const struct edition *ed = staff_language(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	struct tv *res = tv_map(a);
	tv_set_str(res, "code", r->params[0]);
	struct db_stmt *st = db_query(c, "SELECT b.id, b.name, b.qty, b.status, coalesce(b.checked_in_at, 0), e.tz, q.translation_group, "
	    "coalesce((SELECT name FROM ticket_type_names WHERE ticket_type_id = b.ticket_type_id AND edition = ?), '') "
	    "FROM bookings b JOIN events e ON e.id = b.event_id JOIN quotas q ON q.id = b.quota_id "
	    "WHERE b.code = ? AND (? = 0 OR q.translation_group = ?)", "ssii", ed->code, r->params[0], group, group);
	if (!db_row(st)) {
		int e = db_done(st);
		if (e < 0) {
			page_db_error(r);
			return;
		}
		tv_set_str(res, "outcome", "unknown");
		render(r, group, res, 404, admin);
		return;
	}
	long long id = db_int(st, 0), at = db_int(st, 4);
	tv_set_str(res, "name", db_atext(st, 1, a));
	tv_set_int(res, "qty", db_int(st, 2));
	bool confirmed = strcmp(db_text(st, 3), "confirmed") == 0;
	const char *tz = db_atext(st, 5, a);
	tv_set_str(res, "ticket", db_atext(st, 7, a));
	if (admin)
		group = db_int(st, 6);
	db_done(st);
	if (!confirmed) {
		tv_set_str(res, "outcome", "cancelled");
		render(r, group, res, 409, admin);
		return;
	}
	long long now = (long long)time(NULL);
	if (!at) {
		/* a write transaction of its own (the request reads from a read-only snapshot) */
		long long at_id[2] = {now, id};
		int changed = inval_write(c, check_in, at_id, NULL);
		if (changed < 0) {
			page_db_error(r);
			return;
		}
		if (changed == 1) {
			tv_set_str(res, "outcome", "welcome");
			render(r, group, res, 200, admin);
			return;
		}
	}
	if (!at)   /* another phone was quicker */
		at = db_int1(c, now, "SELECT checked_in_at FROM bookings WHERE id = ?", "i", id);
	tv_set_str(res, "outcome", "again");
	tv_set_str(res, "at", i18n_date_in(a, ed->locale, at, "Hmm", tz));
	render(r, group, res, 409, admin);
}

const struct route checkin_routes[] = {
	{HTTP_GET, "/checkin", checkin_home, NULL},
	{HTTP_GET, "/checkin/login", checkin_login, NULL},
	{HTTP_GET, "/checkin/{code}", checkin_code, NULL},
	{0, NULL, NULL, NULL},
};
