/* events.c: events as readers find them: an edition's listing (upcoming,
 * then past), the event page with its tickets' live availability and
 * Event JSON-LD, the promo banner every page of an edition carries, the
 * public calendar feed, and the .ics writer bookings use. Booking itself
 * is bookings.c; seats are tickets.c. */
#include "events.h"
#include "core/i18n.h"
#include "core/cache.h"
#include "core/ics.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENT_COLUMNS "id, translation_group, starts_at, ends_at, coalesce(banner_from, 0), coalesce(banner_until, 0), " \
	"edition, slug, title, summary, description_html, image, image_alt, kind, status, tz, venue_name, venue_address, " \
	"join_url, organizer, featured"

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static void
event_row(struct db_stmt *st, struct arena *a, struct event *e)
{
	e->id = db_int(st, 0);
	e->group = db_int(st, 1);
	e->starts_at = db_int(st, 2);
	e->ends_at = db_int(st, 3);
	e->banner_from = db_int(st, 4);
	e->banner_until = db_int(st, 5);
	const char **s[] = {&e->edition, &e->slug, &e->title, &e->summary, &e->description_html, &e->image, &e->image_alt,
	    &e->kind, &e->status, &e->tz, &e->venue_name, &e->venue_address, &e->join_url, &e->organizer};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		*s[i] = db_atext(st, 6 + (int)i, a);
	e->featured = db_int(st, 20) != 0;
}

int
event_load(struct db_conn *c, struct arena *a, const char *edition, const char *slug, struct event *e)
{
	struct db_stmt *st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE edition = ? AND slug = ?", "ss", edition, slug);
	int found = db_row(st);
	if (found)
		event_row(st, a, e);
	return db_done(st) < 0 ? -1 : found;
}

int
event_load_id(struct db_conn *c, struct arena *a, long long id, struct event *e)
{
	struct db_stmt *st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE id = ?", "i", id);
	int found = db_row(st);
	if (found)
		event_row(st, a, e);
	return db_done(st) < 0 ? -1 : found;
}

const char *
event_url(struct arena *a, const struct event *e)
{
	return arena_cat(a, "/", e->edition, "/events/", e->slug, NULL);
}

const char *
event_kind_label(const char *lang, const char *kind)
{
	if (strcmp(kind, "online") == 0)
		return i18n_gettext(lang, "Webinar");
	if (strcmp(kind, "venue") == 0)
		return i18n_gettext(lang, "At the venue");
	return i18n_gettext(lang, "At the venue and online");
}

const char *
event_status_label(const char *lang, const char *status)
{
	if (strcmp(status, "cancelled") == 0)
		return i18n_gettext(lang, "Cancelled");
	if (strcmp(status, "postponed") == 0)
		return i18n_gettext(lang, "Postponed");
	if (strcmp(status, "moved_online") == 0)
		return i18n_gettext(lang, "Moved online");
	return i18n_gettext(lang, "Scheduled");
}

static bool
is_online(const struct event *e)
{
	return strcmp(e->kind, "venue") != 0 || strcmp(e->status, "moved_online") == 0;
}

static void
vevent(struct buf *b, const struct event *e, const char *uid, const char *page_url, const char *join, bool cancelled)
{
	struct arena a = {0};
	buf_puts(b, "BEGIN:VEVENT\r\n");
	ics_raw(b, "UID", uid);
	ics_time(b, "DTSTAMP", now_s());
	ics_time(b, "DTSTART", e->starts_at);
	ics_time(b, "DTEND", e->ends_at > e->starts_at ? e->ends_at : e->starts_at + 3600);
	ics_text(b, "SUMMARY", e->title);
	const char *desc = arena_cat(&a, e->summary, *e->summary ? "\n\n" : "", *e->organizer ? e->organizer : "",
	    *e->organizer ? "\n" : "", page_url, join ? "\n\n" : "", join ? join : "", NULL);
	ics_text(b, "DESCRIPTION", desc);
	if (is_online(e) && strcmp(e->kind, "online") == 0)
		ics_text(b, "LOCATION", join ? join : "Online");
	else
		ics_text(b, "LOCATION", arena_cat(&a, e->venue_name, *e->venue_address ? ", " : "", e->venue_address, NULL));
	ics_raw(b, "URL", page_url);
	const char *status = cancelled || strcmp(e->status, "cancelled") == 0 ? "CANCELLED"
	    : strcmp(e->status, "postponed") == 0 ? "TENTATIVE" : "CONFIRMED";
	ics_raw(b, "STATUS", status);
	buf_puts(b, "END:VEVENT\r\n");
	arena_free(&a);
}

static void
vcalendar_begin(struct buf *b, const char *name)
{
	buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Gazette//Events//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	if (name)
		ics_text(b, "X-WR-CALNAME", name);
}

void
event_ics(struct buf *b, const struct event *e, const char *uid, const char *page_url, const char *join, bool cancelled_booking)
{
	vcalendar_begin(b, NULL);
	vevent(b, e, uid, page_url, join, cancelled_booking);
	buf_puts(b, "END:VCALENDAR\r\n");
}

/* ---- status changes ----------------------------------------------------- */

struct status_change {
	long long event;
	const char *status;
};

static int
change_status(struct db_conn *c, struct inval *iv, void *arg)
{
	const struct status_change *sc = arg;
	long long group = db_int1(c, 0, "SELECT translation_group FROM events WHERE id = ?", "i", sc->event);
	if (!group)
		return 0;
	bool ok = db_exec(c, "UPDATE events SET status = ? WHERE translation_group = ?", "si", sc->status, group) > 0;
	inval_add(iv, TAG_EVENT, group);
	inval_add(iv, TAG_STOCK, group);
	struct db_stmt *st = db_query(c, "SELECT DISTINCT edition FROM events WHERE translation_group = ?", "i", group);
	while (db_row(st)) {
		inval_add(iv, TAG_EVENTS, db_text(st, 0));
		inval_add(iv, TAG_BANNER, db_text(st, 0));
	}
	ok = db_done(st) == 0 && ok;
	/* everyone holding a ticket hears of it, in their language */
	long long *ids = NULL;
	size_t n = 0;
	st = db_query(c, "SELECT b.id FROM bookings b JOIN quotas q ON q.id = b.quota_id WHERE q.translation_group = ? "
	    "AND b.status = 'confirmed' ORDER BY b.id", "i", group);
	while (db_row(st)) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = db_int(st, 0);
	}
	ok = db_done(st) == 0 && ok;
	for (size_t i = 0; i < n && ok; i++)
		ok = mail_event_changed(c, ids[i]) == 0;
	free(ids);
	return ok ? 1 : -1;
}

int
event_set_status(struct db_conn *c, long long event, const char *status, long long *inval_id)
{
	struct status_change sc = {event, status};
	return inval_write(c, change_status, &sc, inval_id);
}

int
event_attendees(struct db_conn *c, long long group, bool csv, FILE *out)
{
	struct arena a = {0};
	struct db_stmt *st = db_query(c, "SELECT b.code, b.name, b.email, coalesce((SELECT name FROM ticket_type_names "
	    "WHERE ticket_type_id = b.ticket_type_id AND edition = b.lang), ''), b.qty, b.lang, b.created_at, "
	    "coalesce(b.checked_in_at, 0) FROM bookings b JOIN quotas q ON q.id = b.quota_id "
	    "WHERE q.translation_group = ? AND b.status = 'confirmed' ORDER BY b.id", "i", group);
	if (csv)
		fputs("code,name,email,ticket,quantity,language,booked_at,checked_in_at\r\n", out);
	while (db_row(st)) {
		const char *booked = i18n_isotime(&a, db_int(st, 6));
		const char *in = db_int(st, 7) ? i18n_isotime(&a, db_int(st, 7)) : "";
		if (!csv) {
			fprintf(out, "%s  %-30s %-32s %lld × %s%s%s\n", db_text(st, 0), db_text(st, 1), db_text(st, 2), db_int(st, 4),
			    db_text(st, 3), *in ? "  in at " : "", in);
			continue;
		}
		const char *f[] = {db_text(st, 0), db_text(st, 1), db_text(st, 2), db_text(st, 3), arena_printf(&a, "%lld", db_int(st, 4)),
		    db_text(st, 5), booked, in};
		for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
			if (i)
				fputc(',', out);
			csv_field(out, f[i]);   /* quoted, and formulas neutralized */
		}
		fputs("\r\n", out);
		arena_reset(&a);
	}
	int rc = db_done(st);
	arena_free(&a);
	return rc;
}

/* ---- the banner ----------------------------------------------------------- */

/* Seats left in a group, over all its quotas. */
static long long
group_remaining(struct db_conn *c, long long group)
{
	return db_int1(c, 0, "SELECT coalesce(sum(remaining), 0) FROM quotas WHERE translation_group = ?", "i", group);
}

/* The banner of each edition as last worked out, reused by the pages
 * rendered until anything at all is invalidated (the cache epoch moves) or
 * the banner's own next change comes: a page rendered without the cache
 * then spends no query and no date formatting on it. */
#define BANNER_FIELDS 7
static struct {
	uint64_t epoch;
	long long next;              /* the next start or end of a promotion, 0 for none */
	bool valid, shown, sold_out;
	long long last;
	char *f[BANNER_FIELDS];      /* malloc'd: kind, title, summary, url, date, iso, status */
} banner_memo[MAX_EDITIONS];
static pthread_mutex_t banner_mu = PTHREAD_MUTEX_INITIALIZER;
static const char *const banner_keys[BANNER_FIELDS] = {"kind", "title", "summary", "url", "date", "iso", "status"};

/* The memo of the page's edition into the page, if it holds; true then. */
static bool
banner_recall(struct page *p, uint64_t epoch, long long now)
{
	bool hit = false;
	pthread_mutex_lock(&banner_mu);
	typeof(banner_memo[0]) *m = &banner_memo[p->edi];
	if (m->valid && m->epoch == epoch && (!m->next || now < m->next)) {
		hit = true;
		if (m->next > 0)
			resp_expires(p->r, m->next);
		if (m->shown) {
			struct tv *b = tv_set_map(p->root, "banner");
			for (int i = 0; i < BANNER_FIELDS; i++)
				if (m->f[i])
					tv_set_str(b, banner_keys[i], arena_strdup(&p->r->a, m->f[i]));
			if (m->sold_out)
				tv_set_bool(b, "sold_out", true);
			else if (m->last)
				tv_set_int(b, "last", m->last);
		}
	}
	pthread_mutex_unlock(&banner_mu);
	return hit;
}

static void
banner_remember(struct page *p, uint64_t epoch, long long next)
{
	struct tv *b = tv_get(p->root, "banner");
	pthread_mutex_lock(&banner_mu);
	typeof(banner_memo[0]) *m = &banner_memo[p->edi];
	for (int i = 0; i < BANNER_FIELDS; i++) {
		free(m->f[i]);
		const char *v = b ? tv_get_str(b, banner_keys[i]) : NULL;
		m->f[i] = v ? xstrdup(v) : NULL;
	}
	struct tv *so = b ? tv_get(b, "sold_out") : NULL, *last = b ? tv_get(b, "last") : NULL;
	m->sold_out = so && so->t == TV_BOOL && so->u.b;
	m->last = last && last->t == TV_INT ? last->u.i : 0;
	m->shown = b != NULL;
	m->next = next > 0 ? next : 0;
	m->epoch = epoch;
	m->valid = true;
	pthread_mutex_unlock(&banner_mu);
}

static void banner_build(struct page *p, long long now, long long *next);

void
event_banner(struct page *p)
{
	long long now = now_s(), next = 0;
	uint64_t epoch = cache_epoch();   /* before reading: a write meanwhile makes the memo stale */
	resp_depends(p->r, arena_cat(&p->r->a, "banner:", p->ed->code, NULL));
	if (banner_recall(p, epoch, now))
		return;
	banner_build(p, now, &next);
	if (!p->r->dbc || !p->r->dbc->failed)
		banner_remember(p, epoch, next);
}

static void
banner_build(struct page *p, long long now, long long *next_out)
{
	struct req *r = p->r;
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	/* the banner changes by itself at the next start or end of a promotion */
	long long next = db_int1(c, 0, "SELECT min(t) FROM (SELECT banner_from AS t FROM events WHERE edition = ? AND featured = 1 "
	    "AND banner_from > ? UNION ALL SELECT coalesce(banner_until, starts_at) FROM events WHERE edition = ? AND featured = 1 "
	    "AND coalesce(banner_until, starts_at) > ? UNION ALL SELECT starts_at FROM events WHERE edition = ? AND featured = 1 "
	    "AND starts_at > ?) AS x", "sisisi", p->ed->code, now, p->ed->code, now, p->ed->code, now);
	if (next > 0)
		resp_expires(r, next);
	*next_out = next;
	struct event e;
	struct db_stmt *st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE edition = ? AND featured = 1 "
	    "AND status <> 'cancelled' AND coalesce(banner_from, 0) <= ? AND coalesce(banner_until, starts_at) > ? AND starts_at > ? "
	    "ORDER BY starts_at LIMIT 1", "siii", p->ed->code, now, now, now);
	bool found = db_row(st);
	if (found)
		event_row(st, a, &e);
	db_done(st);
	if (!found)
		return;
	struct tv *b = tv_set_map(p->root, "banner");
	tv_set_str(b, "kind", event_kind_label(p->ed->code, e.kind));
	tv_set_str(b, "title", e.title);
	tv_set_str(b, "summary", e.summary);
	tv_set_str(b, "url", event_url(a, &e));
	tv_set_str(b, "date", i18n_date_in(a, p->ed->locale, e.starts_at, "dMMMM", e.tz));
	tv_set_str(b, "iso", i18n_isotime(a, e.starts_at));
	if (strcmp(e.status, "scheduled") != 0)
		tv_set_str(b, "status", event_status_label(p->ed->code, e.status));
	long long left = group_remaining(c, e.group);
	if (left == 0)
		tv_set_bool(b, "sold_out", true);
	else if (left <= LAST_SEATS)
		tv_set_int(b, "last", left);
}

/* ---- pages ------------------------------------------------------------------ */

static void
event_card(struct page *p, const struct event *e, struct tv *m)
{
	struct arena *a = &p->r->a;
	tv_set_str(m, "title", e->title);
	tv_set_str(m, "summary", e->summary);
	tv_set_str(m, "url", event_url(a, e));
	tv_set_str(m, "kind", event_kind_label(p->ed->code, e->kind));
	tv_set_str(m, "when", i18n_date_in(a, p->ed->locale, e->starts_at, "yMMMMEEEEdjmmz", e->tz));
	tv_set_str(m, "iso", i18n_isotime(a, e->starts_at));
	if (strcmp(e->status, "scheduled") != 0)
		tv_set_str(m, "status", event_status_label(p->ed->code, e->status));
	if (*e->image) {
		tv_set_str(m, "image", e->image);
		tv_set_str(m, "image_alt", e->image_alt);
	}
	if (is_online(e) && strcmp(e->kind, "online") == 0)
		tv_set_str(m, "where", i18n_gettext(p->ed->code, "Online"));
	else
		tv_set_str(m, "where", e->venue_name);
}

static void
events_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct page p;
	page_init(&p, r, ed, i18n_gettext(ed->code, "Events"));
	p.canonical = arena_cat(&r->a, "/", ed->code, "/events", NULL);
	page_depends(&p, TAG_EVENTS, ed->code);
	struct db_conn *c = req_db(r);
	long long now = now_s();
	struct tv *up = tv_set_list(p.root, "upcoming"), *past = tv_set_list(p.root, "past");
	struct db_stmt *st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE edition = ? AND starts_at > ? ORDER BY starts_at, id",
	    "si", ed->code, now);
	while (db_row(st)) {
		struct event e;
		event_row(st, &r->a, &e);
		event_card(&p, &e, tv_push_map(up));
		page_depends(&p, TAG_EVENT, e.group);
		resp_expires(r, e.starts_at);   /* it moves to the past then */
	}
	db_done(st);
	st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE edition = ? AND starts_at <= ? ORDER BY starts_at DESC, id LIMIT 20",
	    "si", ed->code, now);
	while (db_row(st)) {
		struct event e;
		event_row(st, &r->a, &e);
		event_card(&p, &e, tv_push_map(past));
		page_depends(&p, TAG_EVENT, e.group);
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	tv_set_str(p.root, "calendar", arena_cat(&r->a, "/", ed->code, "/events.ics", NULL));
	page_render(&p, "events.html", 200);
}

static const char *
price_text(struct arena *a, const struct edition *ed, const struct ticket_type *t)
{
	if (!t->priced)
		return i18n_gettext(ed->code, "Free");
	return arena_printf(a, "%lld.%02lld %s", t->price_cents / 100, t->price_cents % 100, t->currency);
}

/* The availability words of a ticket type now. */
static const char *
availability(struct arena *a, const struct edition *ed, const struct ticket_type *t, long long now, const char **schema)
{
	if (t->sales_from && now < t->sales_from) {
		*schema = "https://schema.org/PreOrder";
		return arena_cat(a, i18n_gettext(ed->code, "On sale from"), " ", i18n_date(a, ed->locale, t->sales_from, "long", true), NULL);
	}
	if (t->sales_until && now >= t->sales_until) {
		*schema = "https://schema.org/SoldOut";
		return i18n_gettext(ed->code, "Sales have ended");
	}
	if (t->remaining == 0) {
		*schema = "https://schema.org/SoldOut";
		return i18n_gettext(ed->code, "Sold out");
	}
	if (t->remaining <= LAST_SEATS) {
		*schema = "https://schema.org/LimitedAvailability";
		return i18n_plural(a, ed->locale, i18n_gettext(ed->code, "{0,plural,one{Last seat} other{Last # seats}}"), (double)t->remaining);
	}
	*schema = "https://schema.org/InStock";
	return i18n_gettext(ed->code, "Available");
}

static void
event_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	struct event e;
	int found = event_load(c, a, ed->code, r->params[1], &e);
	if (found <= 0) {
		if (found < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	struct page p;
	page_init(&p, r, ed, e.title);
	p.canonical = event_url(a, &e);
	page_depends(&p, TAG_EVENT, e.group);
	page_depends(&p, TAG_STOCK, e.group);
	/* the same event in the other editions */
	struct db_stmt *st = db_query(c, "SELECT edition, slug FROM events WHERE translation_group = ? AND id <> ?", "ii", e.group, e.id);
	while (db_row(st)) {
		const struct edition *o = edition_find(db_text(st, 0));
		if (!o)
			continue;
		int i = (int)(o - edition_at(0));
		p.alt_url[i] = arena_cat(a, "/", o->code, "/events/", db_text(st, 1), NULL);
		p.alt_same[i] = true;
	}
	db_done(st);
	for (int i = 0; i < edition_count(); i++)
		if (!p.alt_url[i])
			p.alt_url[i] = arena_cat(a, "/", edition_at(i)->code, "/events", NULL);
	long long now = now_s();
	struct tv *ev = tv_set_map(p.root, "event");
	event_card(&p, &e, ev);
	tv_set(ev, "description", tv_html(a, e.description_html, strlen(e.description_html)));
	tv_set_str(ev, "ends", i18n_date_in(a, ed->locale, e.ends_at, "jmmz", e.tz));
	tv_set_str(ev, "iso_end", i18n_isotime(a, e.ends_at));
	tv_set_str(ev, "venue_name", e.venue_name);
	tv_set_str(ev, "venue_address", e.venue_address);
	tv_set_str(ev, "organizer", e.organizer);
	tv_set_str(ev, "status_key", e.status);
	bool open = strcmp(e.status, "cancelled") != 0 && e.starts_at > now;
	tv_set_bool(ev, "past", e.starts_at <= now);
	if (e.starts_at > now)
		resp_expires(r, e.starts_at);
	struct ticket_type types[32];
	int n = ticket_types_load(c, a, e.group, ed->code, types, 32);
	if (n < 0) {
		page_db_error(r);
		return;
	}
	struct tv *tl = tv_set_list(ev, "tickets");
	bool any = false;
	for (int i = 0; i < n; i++) {
		const char *schema;
		struct tv *m = tv_push_map(tl);
		tv_set_str(m, "name", types[i].name);
		tv_set_str(m, "price", price_text(a, ed, &types[i]));
		tv_set_str(m, "price_value", types[i].priced ? arena_printf(a, "%lld.%02lld", types[i].price_cents / 100, types[i].price_cents % 100) : "0");
		tv_set_str(m, "currency", types[i].priced ? types[i].currency : "EUR");
		tv_set_str(m, "availability", availability(a, ed, &types[i], now, &schema));
		tv_set_str(m, "schema", schema);
		bool buyable = strcmp(schema, "https://schema.org/InStock") == 0 || strcmp(schema, "https://schema.org/LimitedAvailability") == 0;
		tv_set_bool(m, "on_sale", buyable && open);
		any |= buyable && open;
		if (types[i].sales_from > now)
			resp_expires(r, types[i].sales_from);
		if (types[i].sales_until > now)
			resp_expires(r, types[i].sales_until);
	}
	tv_set_bool(ev, "bookable", any);
	tv_set_bool(ev, "waitlist", open && !any && n > 0);
	tv_set_str(ev, "book_url", arena_cat(a, event_url(a, &e), "/book", NULL));
	tv_set_str(ev, "iso_start", i18n_isotime(a, e.starts_at));
	tv_set_str(ev, "attendance", strcmp(e.kind, "online") == 0 || strcmp(e.status, "moved_online") == 0
	    ? "https://schema.org/OnlineEventAttendanceMode" : strcmp(e.kind, "venue") == 0
	    ? "https://schema.org/OfflineEventAttendanceMode" : "https://schema.org/MixedEventAttendanceMode");
	tv_set_str(ev, "status_schema", strcmp(e.status, "cancelled") == 0 ? "https://schema.org/EventCancelled"
	    : strcmp(e.status, "postponed") == 0 ? "https://schema.org/EventPostponed"
	    : strcmp(e.status, "moved_online") == 0 ? "https://schema.org/EventMovedOnline" : "https://schema.org/EventScheduled");
	tv_set_bool(ev, "in_person", strcmp(e.kind, "online") != 0 && strcmp(e.status, "moved_online") != 0);
	tv_set_bool(ev, "virtual", is_online(&e));
	tv_set_str(ev, "abs_url", arena_cat(a, site_base_url(), p.canonical, NULL));
	page_render(&p, "event.html", 200);
}

/* The public calendar of an edition's upcoming events: no join links. */
static void
events_calendar(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct db_conn *c = req_db(r);
	struct buf b = {0};
	vcalendar_begin(&b, arena_cat(&r->a, "Gazette · ", i18n_gettext(ed->code, "Events"), NULL));
	struct db_stmt *st = db_query(c, "SELECT " EVENT_COLUMNS " FROM events WHERE edition = ? AND ends_at > ? ORDER BY starts_at, id",
	    "si", ed->code, now_s());
	while (db_row(st)) {
		struct event e;
		event_row(st, &r->a, &e);
		vevent(&b, &e, arena_printf(&r->a, "event-%lld@gazette", e.id), arena_cat(&r->a, site_base_url(), event_url(&r->a, &e), NULL),
		    NULL, false);
		resp_expires(r, e.ends_at);
		resp_depends(r, arena_printf(&r->a, TAG_EVENT, e.group));
	}
	if (db_done(st) < 0) {
		buf_free(&b);
		page_db_error(r);
		return;
	}
	buf_puts(&b, "END:VCALENDAR\r\n");
	resp_depends(r, arena_printf(&r->a, TAG_EVENTS, ed->code));
	resp_text(r, 200, "text/calendar; charset=utf-8", b.s);
	resp_cache(r);
	buf_free(&b);
}

const struct route event_routes[] = {
	{HTTP_GET, "/{edition}/events", events_page, NULL},
	{HTTP_GET, "/{edition}/events/{slug}", event_page, NULL},
	{HTTP_GET, "/{edition}/events.ics", events_calendar, NULL},
	{0, NULL, NULL, NULL},
};
