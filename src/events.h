/* events.h: events and tickets, shared by the feature's files: events.c
 * (listing, event page, banner, public calendar), bookings.c (the booking
 * form, confirmation and manage pages, the waiting list), tickets.c (seats:
 * claiming, freeing, offering to the waiting list — the only code that
 * changes quotas), event_mail.c (the emails), checkin.c (the door) and
 * events_cli.c (`gazette events`). Other features include only site.h. */
#ifndef GZ_EVENTS_H
#define GZ_EVENTS_H
#include "site.h"
#include "core/invalidate.h"
#include "core/text.h"
#include <stdio.h>

#define LAST_SEATS 10          /* "last N seats" shows from here down */
#define BOOKING_NAME_MAX 100
#define TAG_STOCK "stock:%lld" /* pages that show a group's seats (event pages, booking forms) */
#define TAG_EVENT "ev:%lld"    /* an event group's text, times and status */
#define TAG_EVENTS "events:%s" /* an edition's event listing and calendar */
#define TAG_BANNER "banner:%s" /* the promo banner on every page of an edition */

/* An event as its edition shows it. */
struct event {
	long long id, group, starts_at, ends_at, banner_from, banner_until;
	const char *edition, *slug, *title, *summary, *description_html, *image, *image_alt, *kind, *status;
	const char *tz, *venue_name, *venue_address, *join_url, *organizer;
	bool featured;
};

/* Loads the event edition/slug (published rows only); 1 found, 0 none, -1 error. */
int event_load(struct db_conn *c, struct arena *a, const char *edition, const char *slug, struct event *e);
int event_load_id(struct db_conn *c, struct arena *a, long long id, struct event *e);
const char *event_url(struct arena *a, const struct event *e);   /* "/en/events/book-awards-2026" */
const char *event_kind_label(const char *lang, const char *kind);
const char *event_status_label(const char *lang, const char *status);
/* The confirmed attendees of an event group, as CSV (every field through
 * csv_field) or as lines for a terminal; 0 or -1. */
int event_attendees(struct db_conn *c, long long group, bool csv, FILE *out);
/* Sets the status (scheduled, cancelled, postponed, moved_online) of an
 * event in every edition, emails its ticket holders and refreshes its
 * pages; 1 done, 0 no such event, -1 error. */
int event_set_status(struct db_conn *c, long long event, const char *status, long long *inval_id);
/* The .ics of one event: VCALENDAR with one VEVENT; join link only for
 * ticket holders (join != NULL), uid "booking-CODE@host" or "event-ID@host". */
void event_ics(struct buf *b, const struct event *e, const char *uid, const char *page_url, const char *join, bool cancelled_booking);

/* ---- tickets.c ------------------------------------------------------- */

/* A ticket type as an edition shows it, with its live stock. */
struct ticket_type {
	long long id, quota_id, price_cents, sales_from, sales_until, per_order_max, remaining;
	const char *name, *currency;
	bool priced;
};
/* Loads the ticket types of a group in order (names in edition); returns
 * the number (at most max), or -1. */
int ticket_types_load(struct db_conn *c, struct arena *a, long long group, const char *edition,
    struct ticket_type *out, int max);

/* How a payment would be taken: the booking logic calls the provider
 * between claiming the seats and committing. Only the free provider ships. */
struct ticket_provider {
	const char *name;
	/* 0 to go on (ref receives the provider's reference), -1 to refuse */
	int (*charge)(const struct ticket_type *tt, long long qty, const char *email, char *ref, size_t reflen);
};
extern const struct ticket_provider ticket_provider_free;

enum book_result { BOOK_OK, BOOK_AGAIN, BOOK_SOLD_OUT, BOOK_CLOSED, BOOK_TOO_MANY, BOOK_REFUSED, BOOK_ERROR };
struct booking_request {
	long long event_id, ticket_type_id, qty;
	const char *name, *email, *idem_key;
};
struct booking_done {
	long long id;
	char code[16];
	char secret[65];            /* for the manage link */
};
/* These four run on the caller's connection (a request's own: a request
 * never takes a second one from the pool, which could run dry).
 * Claims qty seats and records the booking in one transaction (the seats
 * by a conditional decrement: never more than the quota). BOOK_AGAIN: the
 * same idempotency key booked already (out describes that booking). */
enum book_result tickets_book(struct db_conn *c, const struct booking_request *rq, const struct ticket_provider *pv,
    struct booking_done *out);
/* The manage secret of a booking, derived from its idempotency key. */
void booking_secret(const char *idem_key, char out[65]);
/* Cancels a confirmed booking (its manage secret checked), frees its seats
 * and offers them to the waiting list; 1 cancelled, 0 not found or already
 * cancelled, -1 error. */
int tickets_cancel(struct db_conn *c, const char *code, const char *secret);
/* Adds a reader to the waiting list; the id, or -1. A seat free right now
 * is offered at once. */
long long waitlist_join(struct db_conn *c, const struct booking_request *rq);
/* Claims an offer: the held seats become a booking. BOOK_OK, BOOK_CLOSED
 * (expired or unknown), BOOK_ERROR. */
enum book_result waitlist_claim(struct db_conn *c, long long entry, const char *secret, struct booking_done *out);

/* Inside the caller's transaction (the events desk): a new quota of
 * capacity seats for a group (its id or -1); a quota's capacity changed,
 * never below the seats taken (1 if it would be), freed seats offered to
 * the waiting list (0, or -1 on error). */
long long tickets_quota_new(struct db_conn *c, long long group, long long capacity);
int tickets_set_capacity(struct db_conn *c, long long quota, long long capacity, struct inval *iv);

/* ---- event_mail.c ---------------------------------------------------- */
/* Inside the transaction that causes them: queue the email in the
 * booking's language (through the outbox). */
int mail_booking_confirmed(struct db_conn *c, long long booking_id, const char *secret);
int mail_booking_cancelled(struct db_conn *c, long long booking_id);
int mail_waitlist_offer(struct db_conn *c, long long entry, const char *secret, long long expires);
int mail_event_changed(struct db_conn *c, long long booking_id);   /* the event's new status */

/* checkin.c: checks the booking of the URL's code in and answers with the
 * door page; group 0 (the admin's check-in) takes a booking of any event. */
void checkin_answer(struct req *r, long long group);
/* The page of a typed booking code under prefix ("/checkin/"). */
const char *checkin_code_path(struct arena *a, const char *prefix, const char *typed);

/* route tables */
extern const struct route event_routes[];
extern const struct route booking_routes[];
extern const struct route checkin_routes[];

int cmd_events(int argc, char **argv, const char *db_path);

#endif
