/* bookings.c: a reader books tickets: the booking form (private: it
 * carries a CSRF token and a one-time idempotency key), the answer to a
 * booking (confirmation, sold out with the waiting list, a refused form
 * that keeps what was typed), the secret manage page (code, QR, join link,
 * .ics, cancel) and the waiting-list offer a freed seat sends. Seats are
 * tickets.c's; this file only turns its results into pages. */
#include "events.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/qr.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static const char *
tr(const struct edition *ed, const char *msgid)
{
	return i18n_gettext(ed->code, msgid);
}

/* What the reader typed, and what was wrong with it. */
struct order_form {
	const char *name, *email, *type_s, *qty_s, *idem;
	bool consent;
	long long type, qty;
	const char *error, *err_name, *err_email, *err_type, *err_qty, *err_consent;
};

static int
event_or_404(struct req *r, struct event *e, const struct edition **ed)
{
	*ed = edition_find(r->params[0]);
	int found = *ed ? event_load(req_db(r), &r->a, (*ed)->code, r->params[1], e) : 0;
	if (found < 0)
		page_db_error(r);
	else if (!found)
		resp_error(r, 404);
	return found == 1 ? 0 : -1;
}

static const char *
fresh_key(struct arena *a)
{
	char *hex = arena_alloc(a, 33);
	random_hex(hex, 16);
	return hex;
}

/* The booking page: the form, or why it cannot be used; status 200 for a
 * first view, 4xx when it comes back with a problem. */
static void
render_booking(struct req *r, const struct edition *ed, const struct event *e, const struct order_form *f, int status,
    const char *template)
{
	struct arena *a = &r->a;
	struct page p;
	page_init(&p, r, ed, arena_cat(a, tr(ed, _("Book")), ": ", e->title, NULL));
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	struct tv *ev = tv_set_map(p.root, "event");
	tv_set_str(ev, "title", e->title);
	tv_set_str(ev, "url", event_url(a, e));
	tv_set_str(ev, "when", i18n_date_in(a, ed->locale, e->starts_at, "yMMMMEEEEdjmmz", e->tz));
	tv_set_str(ev, "iso", i18n_isotime(a, e->starts_at));
	tv_set_str(ev, "where", strcmp(e->kind, "online") == 0 ? tr(ed, _("Online")) : e->venue_name);
	tv_set_str(ev, "action", arena_cat(a, event_url(a, e), "/book", NULL));
	tv_set_str(ev, "waitlist_action", arena_cat(a, event_url(a, e), "/waitlist", NULL));
	bool open = strcmp(e->status, "cancelled") != 0 && e->starts_at > now_s();
	tv_set_bool(ev, "open", open);
	struct ticket_type types[32];
	int n = ticket_types_load(req_db(r), a, e->group, ed->code, types, 32);
	struct tv *tl = tv_set_list(ev, "tickets");
	long long now = now_s(), max = 1;
	const char *pick = f && f->type_s ? f->type_s : req_query(r, "type");
	bool any = false;
	for (int i = 0; i < n; i++)
		any |= types[i].remaining > 0 && !(types[i].sales_from && now < types[i].sales_from) &&
		    !(types[i].sales_until && now >= types[i].sales_until);
	bool first = true;
	for (int i = 0; i < n; i++) {
		bool on_sale = !(types[i].sales_from && now < types[i].sales_from) && !(types[i].sales_until && now >= types[i].sales_until);
		/* booking: a ticket with seats; the waiting list: any ticket on sale */
		bool choosable = on_sale && (!any || types[i].remaining > 0);
		struct tv *m = tv_push_map(tl);
		tv_set_int(m, "id", types[i].id);
		tv_set_str(m, "name", types[i].name);
		tv_set_str(m, "price", types[i].priced ? arena_printf(a, "%lld.%02lld %s", types[i].price_cents / 100,
		    types[i].price_cents % 100, types[i].currency) : tr(ed, _("Free")));
		tv_set_int(m, "max", types[i].per_order_max);
		tv_set_bool(m, "sold_out", types[i].remaining == 0);
		tv_set_bool(m, "on_sale", on_sale && types[i].remaining > 0);
		if (types[i].remaining > 0 && types[i].remaining <= LAST_SEATS)
			tv_set_str(m, "last", i18n_plural(a, ed->locale, tr(ed, _("{0,plural,one{Last seat} other{Last # seats}}")), (double)types[i].remaining));
		tv_set_bool(m, "choosable", choosable);
		bool chosen = pick ? atoll(pick) == types[i].id : first && choosable;
		if (chosen && choosable)
			tv_set_bool(m, "checked", true);
		if (choosable)
			first = false;
		if (types[i].per_order_max > max)
			max = types[i].per_order_max;
	}
	tv_set_bool(ev, "any", any);
	struct tv *form = tv_set_map(p.root, "form");
	tv_set_str(form, "csrf", csrf_token(r));
	tv_set_str(form, "idem", f && f->idem && strlen(f->idem) == 32 ? f->idem : fresh_key(a));
	tv_set_int(form, "max", max);
	tv_set_int(form, "qty", f && f->qty > 0 ? f->qty : 1);
	if (f) {
		tv_set_str(form, "name", f->name);
		tv_set_str(form, "email", f->email);
		tv_set_bool(form, "consent", f->consent);
		tv_set_str(form, "error", f->error);
		tv_set_str(form, "err_name", f->err_name);
		tv_set_str(form, "err_email", f->err_email);
		tv_set_str(form, "err_type", f->err_type);
		tv_set_str(form, "err_qty", f->err_qty);
		tv_set_str(form, "err_consent", f->err_consent);
	}
	page_render(&p, template, status);
}

static void
booking_form(struct req *r)
{
	struct event e;
	const struct edition *ed;
	if (event_or_404(r, &e, &ed) == 0)
		render_booking(r, ed, &e, NULL, 200, "booking.html");
}

/* Reads and checks the order fields; false when something is missing. */
static bool
read_order(struct req *r, const struct edition *ed, struct order_form *f)
{
	struct arena *a = &r->a;
	const char *name = req_form(r, "name"), *email = req_form(r, "email");
	f->name = text_clean(a, name ? name : "", false);
	f->email = text_clean(a, email ? email : "", false);
	f->type_s = req_form(r, "type");
	f->qty_s = req_form(r, "qty");
	f->idem = req_form(r, "idem");
	const char *consent = req_form(r, "consent");
	f->consent = consent && *consent;
	char *end = NULL;
	f->type = f->type_s ? strtoll(f->type_s, &end, 10) : 0;
	if (!f->type_s || *end || f->type <= 0)
		f->err_type = tr(ed, _("Please choose a ticket."));
	f->qty = f->qty_s ? strtoll(f->qty_s, &end, 10) : 0;
	if (!f->qty_s || *end || f->qty < 1 || f->qty > 100)
		f->err_qty = tr(ed, _("Please choose how many tickets."));
	if (!*f->name)
		f->err_name = tr(ed, _("Please enter your name."));
	else if (utf8_chars(f->name) > BOOKING_NAME_MAX)
		f->err_name = tr(ed, _("Your name is too long."));
	if (!*f->email)
		f->err_email = tr(ed, _("Please enter your email address."));
	else if (!email_plausible(f->email))
		f->err_email = tr(ed, _("This email address does not look right."));
	if (!f->consent)
		f->err_consent = tr(ed, _("Please agree so that the organizers can keep your booking."));
	bool ok = !f->err_type && !f->err_qty && !f->err_name && !f->err_email && !f->err_consent;
	if (!ok)
		f->error = tr(ed, _("Please correct the marked fields."));
	return ok;
}

/* A posted order: the form decoded, its event found, its fields read.
 * -1 when the answer is already sent; else 1 if the fields are right. */
static int
posted_order(struct req *r, struct event *e, const struct edition **ed, struct order_form *f)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return -1;
	}
	if (event_or_404(r, e, ed) < 0)
		return -1;
	memset(f, 0, sizeof *f);
	return read_order(r, *ed, f);
}

static void
booking_post(struct req *r)
{
	struct event e;
	const struct edition *ed;
	struct order_form f;
	int ok = posted_order(r, &e, &ed, &f);
	if (ok < 0)
		return;
	if (!csrf_valid(r) || !f.idem || strlen(f.idem) != 32 || strspn(f.idem, "0123456789abcdef") != 32) {
		f.error = tr(ed, _("This form has expired. Please check it and send it again."));
		f.idem = NULL;
		render_booking(r, ed, &e, &f, 403, "booking.html");
		return;
	}
	if (!ok) {
		render_booking(r, ed, &e, &f, 422, "booking.html");
		return;
	}
	struct booking_request rq = {e.id, f.type, f.qty, f.name, f.email, f.idem};
	struct booking_done done;
	enum book_result res = tickets_book(req_db(r), &rq, &ticket_provider_free, &done);
	switch (res) {
	case BOOK_OK:
	case BOOK_AGAIN:   /* a double submit: the booking the first one made */
		resp_redirect(r, 303, arena_printf(&r->a, "/bookings/%s?k=%s", done.code, done.secret));
		return;
	case BOOK_SOLD_OUT:
		f.error = tr(ed, _("Sorry, there are not enough seats left for this order."));
		render_booking(r, ed, &e, &f, 409, "sold_out.html");
		return;
	case BOOK_TOO_MANY:
		f.err_qty = tr(ed, _("That is more tickets than one order may have."));
		f.error = tr(ed, _("Please correct the marked fields."));
		render_booking(r, ed, &e, &f, 422, "booking.html");
		return;
	case BOOK_CLOSED:
		f.error = tr(ed, _("Tickets for this event are not on sale."));
		render_booking(r, ed, &e, &f, 409, "booking.html");
		return;
	case BOOK_REFUSED:
		f.error = tr(ed, _("The booking was refused."));
		render_booking(r, ed, &e, &f, 402, "booking.html");
		return;
	case BOOK_ERROR:
		break;
	}
	page_db_error(r);
}

static void
waitlist_post(struct req *r)
{
	struct event e;
	const struct edition *ed;
	struct order_form f;
	int ok = posted_order(r, &e, &ed, &f);
	if (ok < 0)
		return;
	f.idem = fresh_key(&r->a);
	if (!csrf_valid(r)) {
		f.error = tr(ed, _("This form has expired. Please check it and send it again."));
		render_booking(r, ed, &e, &f, 403, "sold_out.html");
		return;
	}
	if (!ok) {
		render_booking(r, ed, &e, &f, 422, "sold_out.html");
		return;
	}
	struct booking_request rq = {e.id, f.type, f.qty, f.name, f.email, f.idem};
	long long id = waitlist_join(req_db(r), &rq);
	if (id <= 0) {
		f.error = tr(ed, _("Tickets for this event are not on sale."));
		render_booking(r, ed, &e, &f, 409, "sold_out.html");
		return;
	}
	struct page p;
	page_init(&p, r, ed, e.title);
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	struct tv *ev = tv_set_map(p.root, "event");
	tv_set_str(ev, "title", e.title);
	tv_set_str(ev, "url", event_url(&r->a, &e));
	tv_set_str(p.root, "email", f.email);
	long long ahead = db_int1(req_db(r), 0, "SELECT count(*) FROM waitlist WHERE quota_id = (SELECT quota_id FROM waitlist WHERE id = ?) "
	    "AND status = 'waiting' AND id < ?", "ii", id, id);
	tv_set_int(p.root, "position", ahead + 1);
	tv_set_int(p.root, "offer_hours", setting_int(req_db(r), "events.offer_hours"));
	tv_set_bool(p.root, "offered", db_int1(req_db(r), 0, "SELECT count(*) FROM waitlist WHERE id = ? AND status = 'offered'", "i", id) == 1);
	page_render(&p, "waitlist_joined.html", 201);
}

/* ---- the booking, by its secret link ------------------------------------------ */

struct booking_row {
	long long id, event_id, qty, created, checked_in;
	const char *code, *name, *email, *lang, *status, *ticket, *hash;
};

/* Loads /bookings/CODE when ?k= (or the form's k) is its secret. */
static int
booking_by_link(struct req *r, struct booking_row *b, const char **secret)
{
	const char *code = r->params[0];
	*secret = req_query(r, "k");
	if (!*secret && r->method == HTTP_POST)
		*secret = req_form(r, "k");
	struct db_stmt *st = db_query(req_db(r), "SELECT b.id, b.event_id, b.qty, b.created_at, coalesce(b.checked_in_at, 0), b.code, "
	    "b.name, b.email, b.lang, b.status, coalesce((SELECT name FROM ticket_type_names WHERE ticket_type_id = b.ticket_type_id "
	    "AND edition = b.lang), ''), b.manage_hash FROM bookings b WHERE b.code = ?", "s", code);
	if (!db_row(st)) {
		int e = db_done(st);
		if (e < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return -1;
	}
	struct arena *a = &r->a;
	b->id = db_int(st, 0);
	b->event_id = db_int(st, 1);
	b->qty = db_int(st, 2);
	b->created = db_int(st, 3);
	b->checked_in = db_int(st, 4);
	b->code = db_atext(st, 5, a);
	b->name = db_atext(st, 6, a);
	b->email = db_atext(st, 7, a);
	b->lang = db_atext(st, 8, a);
	b->status = db_atext(st, 9, a);
	b->ticket = db_atext(st, 10, a);
	b->hash = db_atext(st, 11, a);
	db_done(st);
	/* the same answer for a wrong secret as for no such booking */
	if (!*secret || strlen(*secret) != 64 || strlen(b->hash) != 64 ||
	    sodium_memcmp(site_mac_hex(a, "secret-check", *secret, 64), b->hash, 64) != 0) {
		resp_error(r, 404);
		return -1;
	}
	return 0;
}

static void
booking_page(struct req *r)
{
	struct booking_row b;
	const char *secret;
	if (booking_by_link(r, &b, &secret) < 0)
		return;
	struct arena *a = &r->a;
	struct event e;
	if (event_load_id(req_db(r), a, b.event_id, &e) != 1) {
		page_db_error(r);
		return;
	}
	const struct edition *ed = edition_find(b.lang);
	if (!ed)
		ed = edition_default();
	struct page p;
	page_init(&p, r, ed, arena_cat(a, tr(ed, _("Your booking")), " ", b.code, NULL));
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	struct tv *bk = tv_set_map(p.root, "booking");
	tv_set_str(bk, "code", b.code);
	tv_set_str(bk, "name", b.name);
	tv_set_str(bk, "email", b.email);
	tv_set_int(bk, "qty", b.qty);
	tv_set_str(bk, "ticket", b.ticket);
	bool confirmed = strcmp(b.status, "confirmed") == 0;
	tv_set_bool(bk, "confirmed", confirmed);
	tv_set_bool(bk, "cancelled", !confirmed);
	if (b.checked_in)
		tv_set_str(bk, "checked_in", i18n_date_in(a, ed->locale, b.checked_in, "jmm", e.tz));
	tv_set_str(bk, "ics", arena_printf(a, "/bookings/%s/event.ics?k=%s", b.code, secret));
	tv_set_str(bk, "cancel", arena_printf(a, "/bookings/%s/cancel", b.code));
	tv_set_str(bk, "secret", secret);
	tv_set_str(bk, "csrf", csrf_token(r));
	bool started = e.starts_at <= now_s();
	tv_set_bool(bk, "can_cancel", confirmed && !started && strcmp(e.status, "cancelled") != 0);
	bool online = strcmp(e.kind, "venue") != 0 || strcmp(e.status, "moved_online") == 0;
	if (confirmed && online && *e.join_url)
		tv_set_str(bk, "join", e.join_url);   /* ticket holders only */
	struct buf qr = {0};
	if (confirmed && qr_svg(&qr, arena_printf(a, "%s/checkin/%s", site_base_url(), b.code),
		arena_cat(a, tr(ed, _("QR code of booking")), " ", b.code, NULL)) == 0)
		tv_set(bk, "qr", tv_html(a, arena_strndup(a, qr.s, qr.len), qr.len));   /* drawn by core/qr: no reader text */
	buf_free(&qr);
	struct tv *ev = tv_set_map(p.root, "event");
	tv_set_str(ev, "title", e.title);
	tv_set_str(ev, "url", event_url(a, &e));
	tv_set_str(ev, "when", i18n_date_in(a, ed->locale, e.starts_at, "yMMMMEEEEdjmmz", e.tz));
	tv_set_str(ev, "iso", i18n_isotime(a, e.starts_at));
	tv_set_str(ev, "where", online && strcmp(e.kind, "online") == 0 ? tr(ed, _("Online")) : e.venue_name);
	tv_set_str(ev, "address", strcmp(e.kind, "online") == 0 ? "" : e.venue_address);
	if (strcmp(e.status, "scheduled") != 0)
		tv_set_str(ev, "status", event_status_label(ed->code, e.status));
	tv_set_bool(p.root, "just_cancelled", req_query(r, "cancelled") != NULL);
	page_render(&p, "booking_manage.html", 200);
}

static void
booking_ics(struct req *r)
{
	struct booking_row b;
	const char *secret;
	if (booking_by_link(r, &b, &secret) < 0)
		return;
	struct event e;
	if (event_load_id(req_db(r), &r->a, b.event_id, &e) != 1) {
		page_db_error(r);
		return;
	}
	bool confirmed = strcmp(b.status, "confirmed") == 0;
	bool online = strcmp(e.kind, "venue") != 0 || strcmp(e.status, "moved_online") == 0;
	struct buf ics = {0};
	event_ics(&ics, &e, arena_printf(&r->a, "booking-%s@gazette", b.code), arena_cat(&r->a, site_base_url(), event_url(&r->a, &e), NULL),
	    confirmed && online && *e.join_url ? e.join_url : NULL, !confirmed);
	resp_header(r, "Content-Disposition", "attachment; filename=\"event.ics\"");
	resp_header(r, "Cache-Control", "private, no-store");
	resp_text(r, 200, "text/calendar; charset=utf-8", ics.s);
	buf_free(&ics);
}

static void
booking_cancel(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	struct booking_row b;
	const char *secret;
	if (booking_by_link(r, &b, &secret) < 0)
		return;
	if (!csrf_valid(r)) {
		resp_error(r, 403);
		return;
	}
	int rc = tickets_cancel(req_db(r), b.code, secret);
	if (rc < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/bookings/%s?k=%s&cancelled=1", b.code, secret));
}

/* ---- a waiting-list offer ----------------------------------------------------- */

static void
offer_page(struct req *r, const char *message, int status)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	const char *secret = r->method == HTTP_POST ? req_form(r, "k") : req_query(r, "k");
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(req_db(r), "SELECT event_id, held, status, coalesce(offer_expires, 0), offer_hash, lang "
	    "FROM waitlist WHERE id = ?", "i", *end ? 0 : id);
	if (!db_row(st) || !secret || strlen(secret) != 64 || !db_text(st, 4) ||
	    sodium_memcmp(site_mac_hex(a, "secret-check", secret, 64), db_text(st, 4), 64) != 0) {
		int e = db_done(st);
		if (e < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long event = db_int(st, 0), held = db_int(st, 1), expires = db_int(st, 3);
	const char *wstatus = db_atext(st, 2, a), *lang = db_atext(st, 5, a);
	db_done(st);
	struct event e;
	if (event_load_id(req_db(r), a, event, &e) != 1) {
		page_db_error(r);
		return;
	}
	const struct edition *ed = edition_find(lang);
	if (!ed)
		ed = edition_default();
	struct page p;
	page_init(&p, r, ed, e.title);
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	struct tv *o = tv_set_map(p.root, "offer");
	tv_set_int(o, "seats", held);
	tv_set_bool(o, "open", strcmp(wstatus, "offered") == 0 && expires > now_s());
	tv_set_str(o, "expires", i18n_date_in(a, ed->locale, expires, "yMMMMdjmmz", e.tz));
	tv_set_str(o, "action", arena_printf(a, "/waitlist/%lld", id));
	tv_set_str(o, "k", secret);
	tv_set_str(o, "csrf", csrf_token(r));
	tv_set_str(o, "message", message);
	struct tv *ev = tv_set_map(p.root, "event");
	tv_set_str(ev, "title", e.title);
	tv_set_str(ev, "url", event_url(a, &e));
	tv_set_str(ev, "when", i18n_date_in(a, ed->locale, e.starts_at, "yMMMMEEEEdjmmz", e.tz));
	page_render(&p, "waitlist_offer.html", status);
}

static void
offer_view(struct req *r)
{
	offer_page(r, NULL, 200);
}

static void
offer_claim(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	const char *secret = req_form(r, "k");
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	if (*end || id <= 0 || !secret) {
		resp_error(r, 404);
		return;
	}
	if (!csrf_valid(r)) {
		offer_page(r, NULL, 403);
		return;
	}
	struct booking_done done;
	enum book_result res = waitlist_claim(req_db(r), id, secret, &done);
	if (res == BOOK_OK || res == BOOK_AGAIN) {
		resp_redirect(r, 303, arena_printf(&r->a, "/bookings/%s?k=%s", done.code, done.secret));
		return;
	}
	if (res == BOOK_CLOSED) {
		offer_page(r, "expired", 410);
		return;
	}
	page_db_error(r);
}

const struct route booking_routes[] = {
	{HTTP_GET, "/{edition}/events/{slug}/book", booking_form, NULL},
	{HTTP_POST, "/{edition}/events/{slug}/book", booking_post, NULL, ROUTE_COSTLY},
	{HTTP_POST, "/{edition}/events/{slug}/waitlist", waitlist_post, NULL, ROUTE_COSTLY},
	{HTTP_GET, "/bookings/{code}", booking_page, NULL},
	{HTTP_GET, "/bookings/{code}/event.ics", booking_ics, NULL},
	{HTTP_POST, "/bookings/{code}/cancel", booking_cancel, NULL},
	{HTTP_GET, "/waitlist/{id}", offer_view, NULL},
	{HTTP_POST, "/waitlist/{id}", offer_claim, NULL},
	{0, NULL, NULL, NULL},
};
