/* tickets.c: seats. The only code that changes quotas.remaining, always
 * inside the transaction that records why (a booking, a cancellation, a
 * waiting-list offer or its expiry), always by a conditional update
 * ("remaining >= qty") whose result decides, so two readers can never get
 * the same seat — on SQLite (one writer at a time) and on PostgreSQL (the
 * row lock makes the second update re-read the first's result) alike.
 * It renders nothing; bookings.c turns its results into pages. */
#include "events.h"
#include "core/log.h"
#include "core/outbox.h"
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

/* ---- the free provider ------------------------------------------------ */

static int
free_charge(const struct ticket_type *tt, long long qty, const char *email, char *ref, size_t reflen)
{
	(void)tt, (void)qty, (void)email;
	snprintf(ref, reflen, "free");
	return 0;
}

const struct ticket_provider ticket_provider_free = {"free", free_charge};

/* ---- codes and secrets -------------------------------------------------- */

/* "K7QM-9TDX": 8 characters from 31 that cannot be misread (no 0/O, 1/I/L) */
static void
booking_code(char out[16])
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	for (int i = 0, o = 0; i < 8; i++) {
		if (i == 4)
			out[o++] = '-';
		out[o++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
		out[o] = 0;
	}
}

void
booking_secret(const char *idem_key, char out[65])
{
	unsigned char mac[32];
	site_mac("manage", idem_key, strlen(idem_key), mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
}

static const char *
secret_hash(struct arena *a, const char *secret)
{
	return site_mac_hex(a, "secret-check", secret, 64);
}

static bool
hash_matches(struct arena *a, const char *stored, const char *secret)
{
	if (!stored || !secret || strlen(secret) != 64 || strlen(stored) != 64)
		return false;
	return sodium_memcmp(stored, secret_hash(a, secret), 64) == 0;
}

/* ---- stock -------------------------------------------------------------- */

int
ticket_types_load(struct db_conn *c, struct arena *a, long long group, const char *edition,
    struct ticket_type *out, int max)
{
	struct db_stmt *st = db_query(c, "SELECT t.id, t.quota_id, coalesce(t.price_cents, -1), t.currency, "
	    "coalesce(t.sales_from, 0), coalesce(t.sales_until, 0), t.per_order_max, q.remaining, "
	    "coalesce(n.name, (SELECT name FROM ticket_type_names WHERE ticket_type_id = t.id ORDER BY edition LIMIT 1), '') "
	    "FROM ticket_types t JOIN quotas q ON q.id = t.quota_id "
	    "LEFT JOIN ticket_type_names n ON n.ticket_type_id = t.id AND n.edition = ? "
	    "WHERE t.translation_group = ? ORDER BY t.position, t.id", "si", edition, group);
	int n = 0;
	while (db_row(st) && n < max) {
		struct ticket_type *t = &out[n++];
		t->id = db_int(st, 0);
		t->quota_id = db_int(st, 1);
		t->price_cents = db_int(st, 2);
		t->priced = t->price_cents > 0;
		t->currency = db_atext(st, 3, a);
		t->sales_from = db_int(st, 4);
		t->sales_until = db_int(st, 5);
		t->per_order_max = db_int(st, 6);
		t->remaining = db_int(st, 7);
		t->name = db_atext(st, 8, a);
	}
	return db_done(st) < 0 ? -1 : n;
}

/* The pages a change of remaining seats touches: the group's event pages
 * and booking forms always; near the end (and at sold out) also the
 * banners and listings of its editions, which show "last seats". */
static void
stock_changed(struct db_conn *c, long long group, long long before, long long after, struct inval *iv)
{
	inval_add(iv, TAG_STOCK, group);
	if (before > LAST_SEATS && after > LAST_SEATS)
		return;
	struct db_stmt *st = db_query(c, "SELECT DISTINCT edition FROM events WHERE translation_group = ?", "i", group);
	while (db_row(st)) {
		inval_add(iv, TAG_BANNER, db_text(st, 0));
		inval_add(iv, TAG_EVENTS, db_text(st, 0));
	}
	db_done(st);
}

static long long
quota_group(struct db_conn *c, long long quota)
{
	return db_int1(c, 0, "SELECT translation_group FROM quotas WHERE id = ?", "i", quota);
}

/* Takes qty seats if there are; the seats left after, or -1 if not enough. */
static long long
seats_take(struct db_conn *c, long long quota, long long qty)
{
	return db_int1(c, -1, "UPDATE quotas SET remaining = remaining - ? WHERE id = ? AND remaining >= ? RETURNING remaining",
	    "iii", qty, quota, qty);
}

static long long
seats_give_back(struct db_conn *c, long long quota, long long qty)
{
	return db_int1(c, -1, "UPDATE quotas SET remaining = remaining + ? WHERE id = ? RETURNING remaining", "ii", qty, quota);
}

/* Offers freed seats to the waiting list, first come first served: the
 * first in line gets an offer when their whole order fits; nobody behind
 * them jumps the queue. Inside the caller's transaction. */
static int
waitlist_offer(struct db_conn *c, long long quota, struct inval *iv)
{
	long long hours = setting_int(c, "events.offer_hours");
	for (int guard = 0; guard < 1000; guard++) {
		long long id = 0, qty = 0;
		struct db_stmt *st = db_query(c, "SELECT id, qty FROM waitlist WHERE quota_id = ? AND status = 'waiting' ORDER BY id LIMIT 1",
		    "i", quota);
		if (db_row(st)) {
			id = db_int(st, 0);
			qty = db_int(st, 1);
		}
		if (db_done(st) < 0)
			return -1;
		if (!id)
			return 0;
		long long left = seats_take(c, quota, qty);
		if (left < 0)
			return 0;   /* not enough for the first in line yet */
		char secret[65];
		random_hex(secret, 32);
		struct arena a = {0};
		long long expires = now_s() + hours * 3600;
		int rc = db_exec(c, "UPDATE waitlist SET status = 'offered', held = ?, offer_hash = ?, offer_expires = ? WHERE id = ?",
		    "isii", qty, secret_hash(&a, secret), expires, id) == 1 && mail_waitlist_offer(c, id, secret, expires) == 0 ? 0 : -1;
		arena_free(&a);
		if (rc < 0)
			return -1;
		stock_changed(c, quota_group(c, quota), left + qty, left, iv);
	}
	return 0;
}

/* ---- the events desk's changes ------------------------------------------------ */

long long
tickets_quota_new(struct db_conn *c, long long group, long long capacity)
{
	return db_insert(c, "INSERT INTO quotas (translation_group, capacity, remaining) VALUES (?, ?, ?) RETURNING id", "iii",
	    group, capacity, capacity);
}

int
tickets_set_capacity(struct db_conn *c, long long quota, long long capacity, struct inval *iv)
{
	long long before = db_int1(c, -1, "SELECT remaining FROM quotas WHERE id = ?", "i", quota);
	if (before < 0)
		return -1;
	/* never below the seats already taken: conditional, like a booking */
	long long after = db_int1(c, -1, "UPDATE quotas SET remaining = remaining + (? - capacity), capacity = ? "
	    "WHERE id = ? AND remaining + (? - capacity) >= 0 RETURNING remaining", "iiii", capacity, capacity, quota, capacity);
	if (after < 0)
		return 1;
	if (after != before)
		stock_changed(c, quota_group(c, quota), before, after, iv);
	return after > before ? waitlist_offer(c, quota, iv) : 0;
}

/* ---- booking ------------------------------------------------------------- */

/* Checks the event and ticket type for a new order; fills *tt. */
static enum book_result
order_allowed(struct db_conn *c, struct arena *a, const struct booking_request *rq, struct ticket_type *tt, long long *group)
{
	struct db_stmt *st = db_query(c, "SELECT translation_group, starts_at, status, edition FROM events WHERE id = ?", "i", rq->event_id);
	if (!db_row(st)) {
		db_done(st);
		return BOOK_CLOSED;
	}
	*group = db_int(st, 0);
	long long starts = db_int(st, 1);
	bool cancelled = strcmp(db_text(st, 2), "cancelled") == 0;
	const char *edition = db_atext(st, 3, a);
	db_done(st);
	if (cancelled || starts <= now_s())
		return BOOK_CLOSED;
	struct ticket_type types[32];
	int n = ticket_types_load(c, a, *group, edition, types, 32);
	for (int i = 0; i < n; i++) {
		if (types[i].id != rq->ticket_type_id)
			continue;
		*tt = types[i];
		long long now = now_s();
		if ((tt->sales_from && now < tt->sales_from) || (tt->sales_until && now >= tt->sales_until))
			return BOOK_CLOSED;
		if (rq->qty < 1 || rq->qty > tt->per_order_max)
			return BOOK_TOO_MANY;
		return BOOK_OK;
	}
	return n < 0 ? BOOK_ERROR : BOOK_CLOSED;
}

/* The booking an idempotency key already made, if any. */
static bool
existing_booking(struct db_conn *c, const char *idem, struct booking_done *out)
{
	struct db_stmt *st = db_query(c, "SELECT id, code FROM bookings WHERE idem_key = ?", "s", idem);
	bool found = db_row(st);
	if (found) {
		out->id = db_int(st, 0);
		snprintf(out->code, sizeof out->code, "%s", db_text(st, 1));
		booking_secret(idem, out->secret);
	}
	db_done(st);
	return found;
}

enum book_result
tickets_book(struct db_conn *c, const struct booking_request *rq, const struct ticket_provider *pv, struct booking_done *out)
{
	struct arena a = {0};
	struct inval iv = {0};
	enum book_result res = BOOK_ERROR;
	for (int attempt = 0; attempt < 8; attempt++) {
		if (db_begin(c) < 0)
			break;
		if (existing_booking(c, rq->idem_key, out)) {
			db_rollback(c);
			res = BOOK_AGAIN;
			break;
		}
		if (c->failed) {   /* unknown whether this form already booked */
			bool again = db_retryable(c);
			db_rollback(c);
			if (again)
				continue;
			break;
		}
		struct ticket_type tt;
		long long group = 0;
		res = order_allowed(c, &a, rq, &tt, &group);
		if (res != BOOK_OK) {
			/* a read that failed decides nothing: not "closed" but an error */
			bool failed = c->failed;
			db_rollback(c);
			if (failed)
				res = BOOK_ERROR;
			if (failed && db_retryable(c))
				continue;
			break;
		}
		long long left = seats_take(c, tt.quota_id, rq->qty);
		if (left < 0) {
			bool failed = c->failed;
			db_rollback(c);
			res = failed ? BOOK_ERROR : BOOK_SOLD_OUT;
			if (failed && db_retryable(c))
				continue;
			break;
		}
		char ref[128] = "";
		if (pv->charge(&tt, rq->qty, rq->email, ref, sizeof ref) < 0) {
			db_rollback(c);
			res = BOOK_REFUSED;
			break;
		}
		booking_code(out->code);
		booking_secret(rq->idem_key, out->secret);
		out->id = db_insert(c, "INSERT INTO bookings (event_id, ticket_type_id, quota_id, qty, name, email, lang, code, "
		    "manage_hash, idem_key, status, provider, provider_ref, created_at) "
		    "SELECT ?, ?, ?, ?, ?, ?, edition, ?, ?, ?, 'confirmed', ?, ?, ? FROM events WHERE id = ? RETURNING id",
		    "iiiisssssssii", rq->event_id, tt.id, tt.quota_id, rq->qty, rq->name, rq->email, out->code,
		    secret_hash(&a, out->secret), rq->idem_key, pv->name, ref, now_s(), rq->event_id);
		stock_changed(c, group, left + rq->qty, left, &iv);
		if (out->id > 0 && mail_booking_confirmed(c, out->id, out->secret) == 0 && inval_record(c, &iv) == 0 &&
		    db_commit(c) == 0) {
			inval_apply(&iv);
			res = BOOK_OK;
			break;
		}
		bool again = db_retryable(c);
		db_rollback(c);
		inval_discard(&iv);
		res = BOOK_ERROR;
		if (!again) {
			/* two submits of one form raced: the other one booked */
			if (existing_booking(c, rq->idem_key, out))
				res = BOOK_AGAIN;
			break;
		}
	}
	inval_discard(&iv);
	arena_free(&a);
	return res;
}

struct cancel {
	const char *code, *secret;
};

static int
cancel_booking(struct db_conn *c, struct inval *iv, void *arg)
{
	const struct cancel *k = arg;
	struct arena a = {0};
	struct db_stmt *st = db_query(c, "SELECT id, quota_id, qty, manage_hash, status FROM bookings WHERE code = ?", "s", k->code);
	long long id = 0, quota = 0, qty = 0;
	bool ok = false;
	if (db_row(st)) {
		id = db_int(st, 0);
		quota = db_int(st, 1);
		qty = db_int(st, 2);
		ok = hash_matches(&a, db_text(st, 3), k->secret) && strcmp(db_text(st, 4), "confirmed") == 0;
	}
	db_done(st);
	arena_free(&a);
	if (!ok)
		return 0;   /* no such booking for this secret, or already cancelled */
	long long left = -1;
	bool done = db_exec(c, "UPDATE bookings SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'confirmed'",
			"ii", now_s(), id) == 1 &&
	    (left = seats_give_back(c, quota, qty)) >= 0 &&
	    mail_booking_cancelled(c, id) == 0;
	if (done) {
		stock_changed(c, quota_group(c, quota), left - qty, left, iv);
		done = waitlist_offer(c, quota, iv) == 0;
	}
	return done ? 1 : -1;
}

int
tickets_cancel(struct db_conn *c, const char *code, const char *secret)
{
	struct cancel k = {code, secret};
	return inval_write(c, cancel_booking, &k, NULL);
}

/* ---- the waiting list ----------------------------------------------------- */

struct join {
	const struct booking_request *rq;
	long long id;
};

static int
join_waitlist(struct db_conn *c, struct inval *iv, void *arg)
{
	struct join *j = arg;
	const struct booking_request *rq = j->rq;
	struct arena a = {0};
	struct ticket_type tt;
	long long group = 0;
	enum book_result allowed = order_allowed(c, &a, rq, &tt, &group);
	arena_free(&a);
	if (allowed != BOOK_OK)
		return -1;
	j->id = db_insert(c, "INSERT INTO waitlist (event_id, ticket_type_id, quota_id, qty, name, email, lang, status, created_at) "
	    "SELECT ?, ?, ?, ?, ?, ?, edition, 'waiting', ? FROM events WHERE id = ? RETURNING id", "iiiissii",
	    rq->event_id, tt.id, tt.quota_id, rq->qty, rq->name, rq->email, now_s(), rq->event_id);
	return j->id > 0 && waitlist_offer(c, tt.quota_id, iv) == 0 ? 0 : -1;
}

long long
waitlist_join(struct db_conn *c, const struct booking_request *rq)
{
	struct join j = {rq, -1};
	return inval_write(c, join_waitlist, &j, NULL) < 0 ? -1 : j.id;
}

enum book_result
waitlist_claim(struct db_conn *c, long long entry, const char *secret, struct booking_done *out)
{
	struct arena a = {0};
	struct inval iv = {0};
	enum book_result res = BOOK_ERROR;
	const char *idem = arena_printf(&a, "waitlist-%lld-%s", entry, secret ? secret : "");
	for (int attempt = 0; attempt < 5; attempt++) {
		if (db_begin(c) < 0)
			break;
		struct db_stmt *st = db_query(c, "SELECT event_id, ticket_type_id, quota_id, held, name, email, lang, status, "
		    "offer_hash, coalesce(offer_expires, 0) FROM waitlist WHERE id = ?", "i", entry);
		if (!db_row(st) || !hash_matches(&a, db_text(st, 8), secret)) {
			db_done(st);
			db_rollback(c);
			res = BOOK_CLOSED;
			break;
		}
		long long event = db_int(st, 0), type = db_int(st, 1), quota = db_int(st, 2), held = db_int(st, 3);
		const char *name = db_atext(st, 4, &a), *email = db_atext(st, 5, &a), *lang = db_atext(st, 6, &a);
		const char *status = db_atext(st, 7, &a);
		long long expires = db_int(st, 9);
		db_done(st);
		if (strcmp(status, "booked") == 0) {
			db_rollback(c);
			res = existing_booking(c, idem, out) ? BOOK_AGAIN : BOOK_CLOSED;
			break;
		}
		if (strcmp(status, "offered") != 0 || expires <= now_s() || held < 1) {
			db_rollback(c);
			res = BOOK_CLOSED;
			break;
		}
		/* the seats were taken from the quota when the offer was made */
		booking_code(out->code);
		booking_secret(idem, out->secret);
		out->id = db_insert(c, "INSERT INTO bookings (event_id, ticket_type_id, quota_id, qty, name, email, lang, code, "
		    "manage_hash, idem_key, status, provider, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', 'free', ?) "
		    "RETURNING id", "iiiissssssi", event, type, quota, held, name, email, lang, out->code,
		    secret_hash(&a, out->secret), idem, now_s());
		inval_add(&iv, TAG_STOCK, quota_group(c, quota));
		if (out->id > 0 &&
		    db_exec(c, "UPDATE waitlist SET status = 'booked', held = 0, booking_id = ? WHERE id = ?", "ii", out->id, entry) == 1 &&
		    mail_booking_confirmed(c, out->id, out->secret) == 0 && inval_record(c, &iv) == 0 && db_commit(c) == 0) {
			inval_apply(&iv);
			res = BOOK_OK;
			break;
		}
		bool again = db_retryable(c);
		db_rollback(c);
		inval_discard(&iv);
		if (!again)
			break;
	}
	inval_discard(&iv);
	arena_free(&a);
	return res;
}

int
waitlist_expire(struct db *db, long long now)
{
	struct db_conn *c = db_acquire(db);
	/* the usual case: no offer ran out; read only */
	if (db_int1(c, 0, "SELECT count(*) FROM waitlist WHERE status = 'offered' AND offer_expires <= ?", "i", now) == 0) {
		db_release(c);
		return 0;
	}
	struct inval iv = {0};
	int changed = -1;
	if (db_begin(c) == 0) {
		long long ids[100], quotas[100], held[100];
		int n = 0;
		struct db_stmt *st = db_query(c, "SELECT id, quota_id, held FROM waitlist WHERE status = 'offered' AND offer_expires <= ? "
		    "ORDER BY id LIMIT 100", "i", now);
		while (db_row(st) && n < 100) {
			ids[n] = db_int(st, 0);
			quotas[n] = db_int(st, 1);
			held[n] = db_int(st, 2);
			n++;
		}
		bool ok = db_done(st) == 0;
		for (int i = 0; i < n && ok; i++) {
			long long left;
			ok = db_exec(c, "UPDATE waitlist SET status = 'expired', held = 0 WHERE id = ? AND status = 'offered'", "i", ids[i]) == 1 &&
			    (left = seats_give_back(c, quotas[i], held[i])) >= 0;
			if (ok) {
				stock_changed(c, quota_group(c, quotas[i]), left - held[i], left, &iv);
				ok = waitlist_offer(c, quotas[i], &iv) == 0;   /* the next in line */
			}
		}
		if (ok && inval_record(c, &iv) == 0 && db_commit(c) == 0) {
			inval_apply(&iv);
			changed = n;
		} else
			db_rollback(c);
	}
	inval_discard(&iv);
	db_release(c);
	if (changed > 0)
		log_info("waiting list: %d offer%s ran out and passed on", changed, changed == 1 ? "" : "s");
	return changed;
}
