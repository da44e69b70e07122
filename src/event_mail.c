/* event_mail.c: the emails of events — booking confirmed (with the .ics),
 * booking cancelled, a waiting-list offer — written in the language of the
 * edition where the reader booked and queued in the outbox inside the
 * caller's transaction. Plain text: no template engine (it escapes for
 * HTML), no reader input outside the fields it names. */
#include "events.h"
#include "core/i18n.h"
#include "core/outbox.h"
#include <stdio.h>
#include <string.h>

struct booking_view {
	long long qty;
	const char *name, *email, *lang, *code, *ticket;
	struct event e;
};

static int
booking_view(struct db_conn *c, struct arena *a, long long id, struct booking_view *v)
{
	struct db_stmt *st = db_query(c, "SELECT b.qty, b.name, b.email, b.lang, b.code, b.event_id, "
	    "coalesce((SELECT name FROM ticket_type_names WHERE ticket_type_id = b.ticket_type_id AND edition = b.lang), '') "
	    "FROM bookings b WHERE b.id = ?", "i", id);
	if (!db_row(st)) {
		db_done(st);
		return -1;
	}
	v->qty = db_int(st, 0);
	v->name = db_atext(st, 1, a);
	v->email = db_atext(st, 2, a);
	v->lang = db_atext(st, 3, a);
	v->code = db_atext(st, 4, a);
	long long event = db_int(st, 5);
	v->ticket = db_atext(st, 6, a);
	db_done(st);
	return event_load_id(c, a, event, &v->e) == 1 ? 0 : -1;
}

static const char *
T(const char *lang, const char *msgid)
{
	return i18n_gettext(lang, msgid);
}

/* "When: …" and "Where: …" lines, in the event's zone and the reader's language */
static void
when_where(struct buf *b, struct arena *a, const char *lang, const struct event *e)
{
	const struct edition *ed = edition_find(lang);
	const char *locale = ed ? ed->locale : "en_GB";
	buf_printf(b, "%s %s\n", T(lang, _("When:")), i18n_date_in(a, locale, e->starts_at, "yMMMMEEEEdjmmz", e->tz));
	if (strcmp(e->kind, "online") == 0 || strcmp(e->status, "moved_online") == 0)
		buf_printf(b, "%s %s\n", T(lang, _("Where:")), T(lang, _("Online")));
	else
		buf_printf(b, "%s %s%s%s\n", T(lang, _("Where:")), e->venue_name, *e->venue_address ? ", " : "", e->venue_address);
}

int
mail_booking_confirmed(struct db_conn *c, long long booking_id, const char *secret)
{
	struct arena a = {0};
	struct booking_view v;
	int rc = -1;
	if (booking_view(c, &a, booking_id, &v) < 0)
		goto out;
	const char *lang = v.lang, *base = site_base_url();
	const char *page = arena_cat(&a, base, event_url(&a, &v.e), NULL);
	const char *manage = arena_printf(&a, "%s/bookings/%s?k=%s", base, v.code, secret);
	bool online = strcmp(v.e.kind, "venue") != 0 || strcmp(v.e.status, "moved_online") == 0;
	const char *join = online && *v.e.join_url ? v.e.join_url : NULL;
	struct buf b = {0};
	buf_printf(&b, "%s %s,\n\n%s\n\n", T(lang, _("Hello")), v.name, T(lang, _("Your booking is confirmed.")));
	buf_printf(&b, "%s\n", v.e.title);
	when_where(&b, &a, lang, &v.e);
	buf_printf(&b, "%s %lld × %s\n", T(lang, _("Tickets:")), v.qty, v.ticket);
	buf_printf(&b, "%s %s\n\n", T(lang, _("Booking code:")), v.code);
	if (join)
		buf_printf(&b, "%s\n%s\n\n", T(lang, _("Join the event online with this link (keep it to yourself):")), join);
	buf_printf(&b, "%s\n%s\n\n", T(lang, _("See, cancel or add your booking to a calendar:")), manage);
	buf_printf(&b, "%s\n%s\n", T(lang, _("The event's page:")), page);
	struct buf ics = {0};
	event_ics(&ics, &v.e, arena_printf(&a, "booking-%s@gazette", v.code), page, join, false);
	rc = outbox_add(c, v.email, arena_cat(&a, T(lang, _("Your booking:")), " ", v.e.title, NULL), b.s,
	    "event.ics", "text/calendar; charset=UTF-8; method=PUBLISH", ics.s);
	buf_free(&b);
	buf_free(&ics);
out:
	arena_free(&a);
	return rc;
}

int
mail_booking_cancelled(struct db_conn *c, long long booking_id)
{
	struct arena a = {0};
	struct booking_view v;
	int rc = -1;
	if (booking_view(c, &a, booking_id, &v) == 0) {
		const char *lang = v.lang;
		struct buf b = {0};
		buf_printf(&b, "%s %s,\n\n%s\n\n%s\n", T(lang, _("Hello")), v.name, T(lang, _("Your booking is cancelled and your seats are free for others.")),
		    v.e.title);
		when_where(&b, &a, lang, &v.e);
		buf_printf(&b, "%s %s\n", T(lang, _("Booking code:")), v.code);
		rc = outbox_add(c, v.email, arena_cat(&a, T(lang, _("Booking cancelled:")), " ", v.e.title, NULL), b.s, NULL, NULL, NULL);
		buf_free(&b);
	}
	arena_free(&a);
	return rc;
}

int
mail_event_changed(struct db_conn *c, long long booking_id)
{
	struct arena a = {0};
	struct booking_view v;
	int rc = -1;
	if (booking_view(c, &a, booking_id, &v) == 0) {
		const char *lang = v.lang;
		const char *what = strcmp(v.e.status, "cancelled") == 0 ? T(lang, _("The event is cancelled. We are sorry."))
		    : strcmp(v.e.status, "postponed") == 0 ? T(lang, _("The event is postponed. We will write again with the new date."))
		    : strcmp(v.e.status, "moved_online") == 0 ? T(lang, _("The event now takes place online: use the link on your booking page."))
		    : T(lang, _("The event takes place as planned."));
		struct buf b = {0};
		buf_printf(&b, "%s %s,\n\n%s\n\n%s\n", T(lang, _("Hello")), v.name, what, v.e.title);
		when_where(&b, &a, lang, &v.e);
		buf_printf(&b, "%s %s\n", T(lang, _("Booking code:")), v.code);
		rc = outbox_add(c, v.email, arena_cat(&a, event_status_label(lang, v.e.status), ": ", v.e.title, NULL), b.s, NULL, NULL, NULL);
		buf_free(&b);
	}
	arena_free(&a);
	return rc;
}

int
mail_waitlist_offer(struct db_conn *c, long long entry, const char *secret, long long expires)
{
	struct arena a = {0};
	int rc = -1;
	struct db_stmt *st = db_query(c, "SELECT event_id, name, email, lang, held FROM waitlist WHERE id = ?", "i", entry);
	if (!db_row(st)) {
		db_done(st);
		arena_free(&a);
		return -1;
	}
	long long event = db_int(st, 0), held = db_int(st, 4);
	const char *name = db_atext(st, 1, &a), *email = db_atext(st, 2, &a), *lang = db_atext(st, 3, &a);
	db_done(st);
	struct event e;
	if (event_load_id(c, &a, event, &e) == 1) {
		const struct edition *ed = edition_find(lang);
		struct buf b = {0};
		buf_printf(&b, "%s %s,\n\n%s\n\n%s\n", T(lang, _("Hello")), name,
		    i18n_plural(&a, ed ? ed->locale : "en_GB", T(lang, _("{0,plural,one{A seat has become free for you.} other{# seats have become free for you.}}")), (double)held),
		    e.title);
		when_where(&b, &a, lang, &e);
		buf_printf(&b, "\n%s %s\n%s/waitlist/%lld?k=%s\n\n%s\n", T(lang, _("Claim it before")),
		    i18n_date_in(&a, ed ? ed->locale : "en_GB", expires, "yMMMMdjmmz", e.tz), site_base_url(), entry, secret,
		    T(lang, _("If you do not claim it by then, it goes to the next person on the waiting list.")));
		rc = outbox_add(c, email, arena_cat(&a, T(lang, _("A seat is free:")), " ", e.title, NULL), b.s, NULL, NULL, NULL);
		buf_free(&b);
	}
	arena_free(&a);
	return rc;
}
