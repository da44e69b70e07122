/* admin_events.c: the events desk: the list with seats sold, creating and
 * editing an event and its ticket types (capacity changes go through
 * tickets.c, never below the seats taken), its bookings and waiting list,
 * the attendees as CSV (formula-safe), the status (cancelling emails every
 * ticket holder, in events.c) and the admin's check-in, which replaces the
 * door key: /checkin/CODE without a key comes here. Booking itself stays
 * in tickets.c and bookings.c. */
#include "admin.h"
#include "events.h"
#include "core/markdown.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TT_NEW 3          /* empty ticket rows on the form */
#define TT_MAX 12
#define LIST_MAX 500      /* bookings shown on the page; the CSV has them all */

struct tt_row {
	long long id, quota, capacity, sold, per_order_max, price_cents;
	const char *name, *price;
};

struct ev_form {
	const char *edition, *title, *slug, *summary, *description, *kind, *tz, *starts, *ends, *venue_name, *venue_address,
		*join_url, *organizer, *currency;
	bool featured;
	long long starts_at, ends_at;
	struct tt_row tt[TT_MAX];
	int ntt;
};

static long long
now_s(void)
{
	return (long long)time(NULL);
}

/* ---- the list ----------------------------------------------------------------------- */

static void
list_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	const struct edition *lang = admin_edition(r);
	struct tv *f = tv_map(a);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT e.id, e.edition, e.title, e.starts_at, e.tz, e.status, "
	    "(SELECT coalesce(sum(capacity), 0) FROM quotas WHERE translation_group = e.translation_group), "
	    "(SELECT coalesce(sum(capacity - remaining), 0) FROM quotas WHERE translation_group = e.translation_group), "
	    "(SELECT count(*) FROM waitlist w WHERE w.event_id = e.id AND w.status IN ('waiting', 'offered')) "
	    "FROM events e ORDER BY e.starts_at DESC, e.id LIMIT 500", "");
	while (db_row(st)) {
		if (!staff_has_edition(u, db_text(st, 1)))
			continue;
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", db_int(st, 0));
		const struct edition *e = edition_find(db_text(st, 1));
		tv_set_str(m, "edition", e ? e->name : db_atext(st, 1, a));
		tv_set_str(m, "title", db_atext(st, 2, a));
		tv_set_str(m, "when", i18n_date_in(a, lang->locale, db_int(st, 3), "yMMMdjmmz", db_text(st, 4)));
		tv_set_str(m, "status", db_atext(st, 5, a));
		tv_set_str(m, "status_label", event_status_label(lang->code, db_text(st, 5)));
		tv_set_bool(m, "past", db_int(st, 3) < now_s());
		tv_set_int(m, "capacity", db_int(st, 6));
		tv_set_int(m, "sold", db_int(st, 7));
		tv_set_int(m, "waiting", db_int(st, 8));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	struct tv *newed = tv_set_list(f, "new_in");
	for (int i = 0; i < edition_count(); i++)
		if (staff_has_edition(u, edition_at(i)->code)) {
			struct tv *m = tv_push_map(newed);
			tv_set_str(m, "code", edition_at(i)->code);
			tv_set_str(m, "name", edition_at(i)->name);
		}
	admin_render(r, u, "admin_events.html", _("Events"), f, 200);
}

/* ---- the form ----------------------------------------------------------------------- */

static void
form_from_event(struct req *r, const struct event *e, const char *description, struct ev_form *v)
{
	struct arena *a = &r->a;
	memset(v, 0, sizeof *v);
	v->edition = e->edition;
	v->title = e->title;
	v->slug = e->slug;
	v->summary = e->summary;
	v->description = description;
	v->kind = e->kind;
	v->tz = e->tz;
	v->starts = admin_local_input_in(r, e->tz, e->starts_at);
	v->ends = admin_local_input_in(r, e->tz, e->ends_at);
	v->venue_name = e->venue_name;
	v->venue_address = e->venue_address;
	v->join_url = e->join_url;
	v->organizer = e->organizer;
	v->featured = e->featured;
	v->currency = "";
	struct db_stmt *st = db_query(req_db(r), "SELECT t.id, t.quota_id, q.capacity, q.capacity - q.remaining, t.per_order_max, "
	    "coalesce(t.price_cents, -1), t.currency, coalesce((SELECT name FROM ticket_type_names WHERE ticket_type_id = t.id "
	    "AND edition = ?), '') FROM ticket_types t JOIN quotas q ON q.id = t.quota_id WHERE t.translation_group = ? "
	    "ORDER BY t.position, t.id", "si", e->edition, e->group);
	while (db_row(st) && v->ntt < TT_MAX - TT_NEW) {
		struct tt_row *t = &v->tt[v->ntt++];
		t->id = db_int(st, 0);
		t->quota = db_int(st, 1);
		t->capacity = db_int(st, 2);
		t->sold = db_int(st, 3);
		t->per_order_max = db_int(st, 4);
		t->price_cents = db_int(st, 5);
		t->price = t->price_cents < 0 ? "" : arena_printf(a, "%lld.%02lld", t->price_cents / 100, t->price_cents % 100);
		if (*db_text(st, 6))
			v->currency = db_atext(st, 6, a);
		t->name = db_atext(st, 7, a);
	}
	db_done(st);
}

static const char *
field(struct req *r, const char *key, bool multiline)
{
	const char *v = req_form(r, key);
	return text_clean(&r->a, v ? v : "", multiline);
}

/* Cents from "12", "12.5", "12.50"; -1 for empty, -2 when malformed. */
static long long
price_cents(const char *s)
{
	if (!*s)
		return -1;
	long long units = 0, cents = 0;
	int digits = 0, frac = -1;
	for (const char *p = s; *p; p++) {
		if (*p == '.' || *p == ',') {
			if (frac >= 0 || !digits)
				return -2;
			frac = 0;
		} else if (*p >= '0' && *p <= '9') {
			if (frac >= 0) {
				if (++frac > 2)
					return -2;
				cents = cents * 10 + (*p - '0');
			} else if (++digits > 7)
				return -2;
			else
				units = units * 10 + (*p - '0');
		} else
			return -2;
	}
	if (frac == 1)
		cents *= 10;
	return units * 100 + cents;
}

static long long
num(const char *s, long long lo, long long hi)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	long long n = atoll(s);
	return n < lo || n > hi ? -1 : n;
}

/* Reads the posted form into v (over the existing ticket rows in v, if
 * any) and checks it; errors go to f. */
static bool
form_read(struct req *r, struct ev_form *v, struct tv *f)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	bool ok = true;
#define ERR(key, msg) (tv_set_str(f, key, i18n_gettext(lang, msg)), ok = false)
	v->title = field(r, "title", false);
	v->slug = field(r, "slug", false);
	v->summary = field(r, "summary", false);
	v->description = field(r, "description", true);
	v->kind = field(r, "kind", false);
	v->tz = field(r, "tz", false);
	v->starts = field(r, "starts", false);
	v->ends = field(r, "ends", false);
	v->venue_name = field(r, "venue_name", false);
	v->venue_address = field(r, "venue_address", true);
	v->join_url = field(r, "join_url", false);
	v->organizer = field(r, "organizer", false);
	v->currency = field(r, "currency", false);
	v->featured = req_form(r, "featured") != NULL;
	if (!*v->title || utf8_chars(v->title) > 200)
		ERR("err_title", _("Please give the event a title (at most 200 characters)."));
	if (utf8_chars(v->summary) > 200)
		ERR("err_summary", _("The banner line is too long (at most 200 characters)."));
	if (strlen(v->description) > 100000)
		ERR("err_description", _("The description is too long."));
	if (strcmp(v->kind, "online") != 0 && strcmp(v->kind, "venue") != 0 && strcmp(v->kind, "hybrid") != 0)
		ERR("err_kind", _("Please choose a kind."));
	if (!i18n_zone_valid(v->tz))
		ERR("err_tz", _("Please give a time zone such as Europe/Lisbon."));
	else {
		v->starts_at = admin_parse_local_in(v->tz, v->starts);
		v->ends_at = admin_parse_local_in(v->tz, v->ends);
		if (v->starts_at < 0)
			ERR("err_starts", _("Please give a date and time."));
		if (v->ends_at < 0 || (v->starts_at >= 0 && v->ends_at <= v->starts_at))
			ERR("err_ends", _("The end must come after the start."));
	}
	if (*v->join_url && strncmp(v->join_url, "https://", 8) != 0 && strncmp(v->join_url, "http://", 7) != 0)
		ERR("err_join_url", _("The link must start with https://."));
	if (strcmp(v->kind, "online") != 0 && !*v->venue_name)
		ERR("err_venue_name", _("Please name the venue."));
	if (*v->currency && (strlen(v->currency) != 3 || strspn(v->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		ERR("err_currency", _("Please give a three-letter currency code such as EUR."));
	if (*v->slug && (strlen(v->slug) > 80 || strspn(v->slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v->slug)))
		ERR("err_slug", _("The address may hold only lower-case letters a-z, digits and hyphens (at most 80)."));
	if (!*v->slug)
		v->slug = *i18n_slug(a, v->title) ? i18n_slug(a, v->title) : "event";
	/* the ticket rows: existing ones by index, then new ones */
	bool tt_bad = false, priced = false;
	int existing = v->ntt, named = 0;
	for (int i = 0; i < existing + TT_NEW && i < TT_MAX; i++) {
		struct tt_row *t = &v->tt[i];
		const char *name = field(r, arena_printf(a, "tname_%d", i), false);
		const char *cap = field(r, arena_printf(a, "tcap_%d", i), false);
		const char *max = field(r, arena_printf(a, "tmax_%d", i), false);
		const char *price = field(r, arena_printf(a, "tprice_%d", i), false);
		if (i >= existing) {
			if (!*name && !*cap)
				continue;
			t = &v->tt[v->ntt++];
			memset(t, 0, sizeof *t);
		}
		t->name = name;
		t->price = price;
		t->capacity = num(cap, 0, 1000000);
		t->per_order_max = num(*max ? max : "4", 1, 50);
		t->price_cents = price_cents(price);
		if (!*name || utf8_chars(name) > 100 || t->capacity < 0 || t->per_order_max < 0 || t->price_cents == -2)
			tt_bad = true;
		priced |= t->price_cents > 0;
		named++;
	}
	if (tt_bad)
		ERR("err_tickets", _("Each ticket type needs a name, a number of seats (0 to 1,000,000), at most 50 per order and a price such as 12.50 or nothing."));
	else if (!named)
		ERR("err_tickets", _("Please add at least one ticket type."));
	if (priced && !*v->currency)
		ERR("err_currency", _("Please give a three-letter currency code such as EUR."));
#undef ERR
	return ok;
}

static void
form_render(struct req *r, const struct event *e, const struct ev_form *v, struct tv *f, int status)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	if (!f)
		f = tv_map(a);
	const struct edition *ed = edition_find(v->edition);
	tv_set_int(f, "id", e ? e->id : 0);
	tv_set_str(f, "action_url", e ? arena_printf(a, "/admin/events/%lld", e->id) : "/admin/events/new");
	tv_set_str(f, "edition", v->edition);
	tv_set_str(f, "edition_name", ed ? ed->name : v->edition);
	tv_set_str(f, "title", v->title);
	tv_set_str(f, "slug", v->slug);
	tv_set_str(f, "summary", v->summary);
	tv_set_str(f, "description", v->description);
	tv_set_str(f, "tz", v->tz);
	tv_set_str(f, "starts", v->starts);
	tv_set_str(f, "ends", v->ends);
	tv_set_str(f, "venue_name", v->venue_name);
	tv_set_str(f, "venue_address", v->venue_address);
	tv_set_str(f, "join_url", v->join_url);
	tv_set_str(f, "organizer", v->organizer);
	tv_set_str(f, "currency", v->currency);
	tv_set_bool(f, "featured", v->featured);
	struct tv *kinds = tv_set_list(f, "kinds");
	static const char *const kind_list[] = {"online", "venue", "hybrid"};
	for (int i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(kinds);
		tv_set_str(m, "value", kind_list[i]);
		tv_set_str(m, "label", event_kind_label(lang, kind_list[i]));
		tv_set_bool(m, "selected", strcmp(v->kind, kind_list[i]) == 0);
	}
	struct tv *tts = tv_set_list(f, "tickets");
	int rows = v->ntt;
	for (int i = 0; i < rows + TT_NEW && i < TT_MAX; i++) {
		struct tv *m = tv_push_map(tts);
		tv_set_int(m, "i", i);
		if (i < rows) {
			const struct tt_row *t = &v->tt[i];
			tv_set_str(m, "name", t->name);
			tv_set_str(m, "cap", t->capacity >= 0 ? arena_printf(a, "%lld", t->capacity) : "");
			tv_set_str(m, "max", t->per_order_max >= 0 ? arena_printf(a, "%lld", t->per_order_max) : "");
			tv_set_str(m, "price", t->price ? t->price : "");
			tv_set_int(m, "sold", t->sold);
			tv_set_bool(m, "existing", t->id != 0);
		} else {
			tv_set_str(m, "max", "4");
		}
	}
	if (e) {
		tv_set_str(f, "public_url", event_url(a, e));
		tv_set_str(f, "status", e->status);
		tv_set_str(f, "status_label", event_status_label(lang, e->status));
		tv_set_str(f, "csv_url", arena_printf(a, "/admin/events/%lld/attendees.csv", e->id));
		struct tv *statuses = tv_set_list(f, "statuses");
		static const char *const sts[] = {"scheduled", "postponed", "moved_online", "cancelled"};
		for (int i = 0; i < 4; i++) {
			struct tv *m = tv_push_map(statuses);
			tv_set_str(m, "value", sts[i]);
			tv_set_str(m, "label", event_status_label(lang, sts[i]));
			tv_set_bool(m, "selected", strcmp(e->status, sts[i]) == 0);
		}
		struct db_conn *c = req_db(r);
		struct tv *bk = tv_set_list(f, "bookings");
		struct db_stmt *st = db_query(c, "SELECT b.code, b.name, b.email, b.qty, b.status, coalesce(b.checked_in_at, 0), "
		    "coalesce((SELECT name FROM ticket_type_names WHERE ticket_type_id = b.ticket_type_id AND edition = ?), ''), b.created_at "
		    "FROM bookings b JOIN quotas q ON q.id = b.quota_id WHERE q.translation_group = ? ORDER BY b.id DESC LIMIT ?", "sid",
		    e->edition, e->group, LIST_MAX);
		while (db_row(st)) {
			struct tv *m = tv_push_map(bk);
			tv_set_str(m, "code", db_atext(st, 0, a));
			tv_set_str(m, "name", db_atext(st, 1, a));
			tv_set_str(m, "email", db_atext(st, 2, a));
			tv_set_int(m, "qty", db_int(st, 3));
			tv_set_bool(m, "cancelled", strcmp(db_text(st, 4), "cancelled") == 0);
			if (db_int(st, 5))
				tv_set_str(m, "checked_in", admin_when(r, db_int(st, 5)));
			tv_set_str(m, "ticket", db_atext(st, 6, a));
			tv_set_str(m, "when", admin_when(r, db_int(st, 7)));
		}
		db_done(st);
		struct tv *wl = tv_set_list(f, "waitlist");
		st = db_query(c, "SELECT w.name, w.email, w.qty, w.status, w.created_at FROM waitlist w JOIN quotas q ON q.id = w.quota_id "
		    "WHERE q.translation_group = ? AND w.status IN ('waiting', 'offered') ORDER BY w.id LIMIT ?", "id", e->group, LIST_MAX);
		while (db_row(st)) {
			struct tv *m = tv_push_map(wl);
			tv_set_str(m, "name", db_atext(st, 0, a));
			tv_set_str(m, "email", db_atext(st, 1, a));
			tv_set_int(m, "qty", db_int(st, 2));
			tv_set_bool(m, "offered", strcmp(db_text(st, 3), "offered") == 0);
			tv_set_str(m, "when", admin_when(r, db_int(st, 4)));
		}
		db_done(st);
	}
	admin_render(r, u, "admin_event.html", e ? _("Edit event") : _("New event"), f, status);
}

/* ---- saving ------------------------------------------------------------------------- */

struct ev_save {
	const struct event *e;   /* NULL: a new event */
	const struct ev_form *v;
	long long user, now, id;
	bool slug_taken, below_sold;
};

static void
event_tags(struct db_conn *c, long long group, struct inval *iv)
{
	inval_add(iv, TAG_EVENT, group);
	inval_add(iv, TAG_STOCK, group);
	struct db_stmt *st = db_query(c, "SELECT DISTINCT edition FROM events WHERE translation_group = ?", "i", group);
	while (db_row(st)) {
		inval_add(iv, TAG_EVENTS, db_text(st, 0));
		inval_add(iv, TAG_BANNER, db_text(st, 0));
	}
	db_done(st);
}

static int
ev_save_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct ev_save *s = arg;
	const struct ev_form *v = s->v;
	s->slug_taken = s->below_sold = false;
	if (db_int1(c, 0, "SELECT count(*) FROM events WHERE edition = ? AND slug = ? AND id <> ?", "ssi", v->edition, v->slug,
	    s->e ? s->e->id : 0) > 0) {
		s->slug_taken = true;
		return -1;
	}
	size_t hl;
	char *html = md_render(v->description, strlen(v->description), MD_ARTICLE, &hl);
	if (!html)
		return -1;
	long long group, id;
	int rc = -1;
	if (!s->e) {
		group = db_insert(c, "INSERT INTO translation_groups (key) VALUES (NULL) RETURNING id", "");
		id = group > 0 ? db_insert(c, "INSERT INTO events (edition, translation_group, slug, title, summary, description_md, "
		    "description_html, kind, starts_at, ends_at, tz, venue_name, venue_address, join_url, organizer, featured, created_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "sissssssiisssssdi", v->edition, group, v->slug,
		    v->title, v->summary, v->description, html, v->kind, v->starts_at, v->ends_at, v->tz, v->venue_name,
		    v->venue_address, v->join_url, v->organizer, v->featured ? 1 : 0, s->now) : -1;
		if (id <= 0)
			goto out;
	} else {
		group = s->e->group;
		id = s->e->id;
		if (db_exec(c, "UPDATE events SET slug = ?, title = ?, summary = ?, description_md = ?, description_html = ?, kind = ?, "
		    "starts_at = ?, ends_at = ?, tz = ?, venue_name = ?, venue_address = ?, join_url = ?, organizer = ?, featured = ? "
		    "WHERE id = ?", "ssssssiisssssdi", v->slug, v->title, v->summary, v->description, html, v->kind, v->starts_at,
		    v->ends_at, v->tz, v->venue_name, v->venue_address, v->join_url, v->organizer, v->featured ? 1 : 0, id) != 1)
			goto out;
		/* times belong to the event, in every edition */
		if (db_exec(c, "UPDATE events SET starts_at = ?, ends_at = ?, tz = ?, kind = ? WHERE translation_group = ?", "iissi",
		    v->starts_at, v->ends_at, v->tz, v->kind, group) < 0)
			goto out;
	}
	for (int i = 0; i < v->ntt; i++) {
		const struct tt_row *t = &v->tt[i];
		long long tid = t->id;
		if (tid) {
			int cap = tickets_set_capacity(c, t->quota, t->capacity, iv);
			if (cap == 1) {
				s->below_sold = true;
				goto out;
			}
			if (cap < 0 || db_exec(c, "UPDATE ticket_types SET per_order_max = ?, price_cents = ?, currency = ? WHERE id = ?",
			    "insi", t->per_order_max, t->price_cents > 0 ? t->price_cents : 0, t->price_cents > 0 ? v->currency : "", tid) != 1)
				goto out;
		} else {
			long long quota = tickets_quota_new(c, group, t->capacity);
			tid = quota > 0 ? db_insert(c, "INSERT INTO ticket_types (translation_group, quota_id, position, price_cents, currency, "
			    "per_order_max) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "iidnsi", group, quota, i,
			    t->price_cents > 0 ? t->price_cents : 0, t->price_cents > 0 ? v->currency : "", t->per_order_max) : -1;
			if (tid <= 0)
				goto out;
		}
		if (db_exec(c, "INSERT INTO ticket_type_names (ticket_type_id, edition, name) VALUES (?, ?, ?) "
		    "ON CONFLICT (ticket_type_id, edition) DO UPDATE SET name = excluded.name", "iss", tid, v->edition, t->name) != 1)
			goto out;
	}
	event_tags(c, group, iv);
	struct arena a = {0};
	audit(c, s->user, s->e ? "event.save" : "event.create", arena_printf(&a, "event %lld: %s", id, v->title));
	arena_free(&a);
	s->id = id;
	rc = 0;
out:
	free(html);
	return rc;
}

static bool
load_event(struct req *r, struct event *e, const char **description)
{
	long long id = admin_id(r->params[0]);
	int rc = id ? event_load_id(req_db(r), &r->a, id, e) : 0;
	if (rc < 0) {
		page_db_error(r);
		return false;
	}
	if (rc == 0) {
		resp_error(r, 404);
		return false;
	}
	if (!staff_has_edition(admin_staff(r), e->edition)) {
		admin_deny(r);
		return false;
	}
	if (description) {
		struct db_stmt *st = db_query(req_db(r), "SELECT description_md FROM events WHERE id = ?", "i", id);
		*description = db_row(st) ? db_atext(st, 0, &r->a) : "";
		db_done(st);
	}
	return true;
}

static void
edit_page(struct req *r)
{
	struct event e;
	const char *desc;
	if (!load_event(r, &e, &desc))
		return;
	struct ev_form v;
	form_from_event(r, &e, desc, &v);
	struct tv *f = tv_map(&r->a);
	const char *saved = req_query(r, "saved");
	if (saved && strcmp(saved, "1") == 0)
		tv_set_bool(f, "saved", true);
	form_render(r, &e, &v, f, 200);
}

static void
new_page(struct req *r)
{
	const char *ed = req_query(r, "edition");
	if (!ed || !edition_find(ed))
		ed = admin_edition(r)->code;
	if (!staff_has_edition(admin_staff(r), ed)) {
		admin_deny(r);
		return;
	}
	const char *zone = setting_str(req_db(r), &r->a, "site.timezone");
	struct ev_form v = {.edition = ed, .title = "", .slug = "", .summary = "", .description = "", .kind = "online", .tz = zone,
		.starts = "", .ends = "", .venue_name = "", .venue_address = "", .join_url = "", .organizer = "", .currency = ""};
	form_render(r, NULL, &v, NULL, 200);
}

static void
save_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	const char *lang = admin_edition(r)->code;
	struct event e, *cur = NULL;
	struct ev_form v;
	memset(&v, 0, sizeof v);
	if (r->nparams) {
		const char *desc;
		if (!load_event(r, &e, &desc))
			return;
		cur = &e;
		form_from_event(r, &e, desc, &v);
	} else {
		v.edition = req_form(r, "edition");
		if (!v.edition || !edition_find(v.edition)) {
			resp_error(r, 400);
			return;
		}
		if (!staff_has_edition(u, v.edition)) {
			admin_deny(r);
			return;
		}
	}
	struct tv *f = tv_map(&r->a);
	if (!form_read(r, &v, f)) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		form_render(r, cur, &v, f, 422);
		return;
	}
	struct ev_save s = {cur, &v, u->id, now_s(), 0, false, false};
	if (inval_write(req_db(r), ev_save_tx, &s, NULL) < 0) {
		if (s.slug_taken || s.below_sold) {
			tv_set_str(f, s.slug_taken ? "err_slug" : "err_tickets", i18n_gettext(lang, s.slug_taken
			    ? _("Another event of this edition has this address.")
			    : _("A ticket type cannot have fewer seats than are already booked.")));
			tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
			form_render(r, cur, &v, f, 422);
			return;
		}
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/events/%lld?saved=1", s.id));
}

static void
status_post(struct req *r)
{
	struct event e;
	if (!load_event(r, &e, NULL))
		return;
	const char *st = req_form(r, "status");
	if (!st || (strcmp(st, "scheduled") != 0 && strcmp(st, "postponed") != 0 && strcmp(st, "moved_online") != 0 &&
	    strcmp(st, "cancelled") != 0)) {
		resp_error(r, 400);
		return;
	}
	if (strcmp(st, e.status) != 0) {
		if (event_set_status(req_db(r), e.id, st, NULL) < 0) {
			page_db_error(r);
			return;
		}
		admin_audit(r, "event.status", arena_printf(&r->a, "event %lld: %s → %s", e.id, e.status, st));
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/events/%lld?saved=1", e.id));
}

/* The confirmed attendees of the event's group, as CSV: every field
 * through csv_field, which neutralizes spreadsheet formulas. */
static void
attendees_csv(struct req *r)
{
	struct event e;
	if (!load_event(r, &e, NULL))
		return;
	char *data = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&data, &len);
	if (!out) {
		resp_error(r, 503);
		return;
	}
	int rc = event_attendees(req_db(r), e.group, true, out);
	fclose(out);
	if (rc < 0) {
		free(data);
		page_db_error(r);
		return;
	}
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	buf_raw(&r->body, data, len);
	free(data);
	resp_header(r, "Content-Disposition", arena_printf(&r->a, "attachment; filename=\"attendees-%s.csv\"", e.slug));
	resp_header(r, "Cache-Control", "private, no-store");
}

static void
checkin_home(struct req *r)
{
	const char *code = req_query(r, "code");
	if (code) {
		resp_redirect(r, 303, checkin_code_path(&r->a, "/admin/checkin/", code));
		return;
	}
	checkin_answer(r, 0);   /* no code yet: the form */
}

static void
checkin_code(struct req *r)
{
	checkin_answer(r, 0);
}

const struct route admin_event_routes[] = {
	{HTTP_GET, "/admin/events", list_page, "events"},
	{HTTP_GET, "/admin/events/new", new_page, "events"},
	{HTTP_POST, "/admin/events/new", save_post, "events"},
	{HTTP_GET, "/admin/events/{id}", edit_page, "events"},
	{HTTP_POST, "/admin/events/{id}", save_post, "events"},
	{HTTP_POST, "/admin/events/{id}/status", status_post, "events"},
	{HTTP_GET, "/admin/events/{id}/attendees.csv", attendees_csv, "events"},
	{HTTP_GET, "/admin/checkin", checkin_home, "events"},
	{HTTP_GET, "/admin/checkin/{code}", checkin_code, "events"},
	{0, NULL, NULL, NULL},
};
