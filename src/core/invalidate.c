/* invalidate.c: the cross-process invalidation log (see invalidate.h).
 *
 * DESIGN: the log is a table, not a side channel, so that an invalidation
 * commits or rolls back with the write it belongs to, whatever process or
 * node made it. The poller reads only rows newer than the last it applied
 * (an indexed range scan of usually nothing) and prunes day-old rows now
 * and then. Where the backend has notifications (PostgreSQL LISTEN/NOTIFY)
 * a write also notifies, and the poller wakes at once instead of at its
 * next tick; the log stays the source of truth. */
#include "invalidate.h"
#include "buf.h"
#include "cache.h"
#include "log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
inval_add(struct inval *iv, const char *fmt, ...)
{
	char tag[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tag, sizeof tag, fmt, ap);
	va_end(ap);
	for (int i = 0; i < iv->n; i++)
		if (strcmp(iv->tags[i], tag) == 0)
			return;
	if (iv->n == INVAL_MAX_TAGS) {
		/* too many to name: drop everything rather than miss one */
		for (int i = 0; i < iv->n; i++)
			free(iv->tags[i]);
		iv->tags[0] = xstrdup("*");
		iv->n = 1;
		return;
	}
	if (iv->n == 1 && strcmp(iv->tags[0], "*") == 0)
		return;
	iv->tags[iv->n++] = xstrdup(tag);
}

int
inval_record(struct db_conn *c, struct inval *iv)
{
	struct buf b = {0};
	for (int i = 0; i < iv->n; i++) {
		if (i)
			buf_putc(&b, ' ');
		buf_puts(&b, iv->tags[i]);
	}
	iv->id = db_insert(c, "INSERT INTO cache_invalidations (tags, created_at) VALUES (?, ?) RETURNING id", "si",
	    b.s ? b.s : "", (long long)time(NULL));
	buf_free(&b);
	if (iv->id < 0)
		return -1;
	db_notify(c, INVAL_CHANNEL);   /* delivered when the write commits */
	return 0;
}

int
inval_write(struct db_conn *c, int (*fn)(struct db_conn *c, struct inval *iv, void *arg), void *arg, long long *inval_id)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		struct inval iv = {0};
		if (db_begin(c) < 0)
			return -1;
		int rc = fn(c, &iv, arg);
		if (rc >= 0 && (!iv.n || inval_record(c, &iv) == 0) && db_commit(c) == 0) {
			if (inval_id)
				*inval_id = iv.id;
			inval_apply(&iv);
			inval_discard(&iv);
			return rc;
		}
		bool again = db_retryable(c);   /* fn may have failed on the conflict itself */
		db_rollback(c);
		inval_discard(&iv);
		if (!again)
			return -1;
	}
	return -1;
}

static void
apply_tag(const char *tag)
{
	if (strcmp(tag, "*") == 0)
		cache_invalidate_all();
	else
		cache_invalidate(tag);
}

void
inval_discard(struct inval *iv)
{
	for (int i = 0; i < iv->n; i++)
		free(iv->tags[i]);
	iv->n = 0;
}

void
inval_apply(struct inval *iv)
{
	for (int i = 0; i < iv->n; i++)
		apply_tag(iv->tags[i]);
	inval_discard(iv);
}

static struct {
	struct db *db;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running;
	_Atomic bool stop;
	int interval_ms;
	_Atomic long long applied;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

long long
inval_applied_id(void)
{
	return atomic_load(&P.applied);
}

static void
poll_once(struct db_conn *c)
{
	long long last = atomic_load(&P.applied);
	struct db_stmt *st = db_query(c, "SELECT id, tags FROM cache_invalidations WHERE id > ? ORDER BY id LIMIT 1000", "i", last);
	while (db_row(st)) {
		long long id = db_int(st, 0);
		char *tags = xstrdup(db_text(st, 1) ? db_text(st, 1) : "");
		for (char *save = NULL, *t = strtok_r(tags, " ", &save); t; t = strtok_r(NULL, " ", &save))
			apply_tag(t);
		free(tags);
		last = id;
	}
	db_done(st);
	atomic_store(&P.applied, last);
}

/* Holds one connection for its life: notifications are per session. */
static void *
poller(void *arg)
{
	(void)arg;
	time_t next_prune = 0;
	struct db_conn *c = db_acquire(P.db);
	bool listening = db_listen(c, INVAL_CHANNEL) == 0;
	while (!atomic_load(&P.stop)) {
		if (db_check(c) == 1)
			listening = db_listen(c, INVAL_CHANNEL) == 0;   /* a new session after a restart */
		poll_once(c);
		time_t now = time(NULL);
		if (now >= next_prune) {
			db_exec(c, "DELETE FROM cache_invalidations WHERE created_at < ?", "i", (long long)now - 86400);
			next_prune = now + 600;
		}
		/* wake on a notification, or at the next tick in any case (a
		 * missed notification costs one interval, never a stale page) */
		if (listening)
			db_wait(c, P.interval_ms);
		else {
			pthread_mutex_lock(&P.mu);
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)P.interval_ms * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			if (!atomic_load(&P.stop))
				pthread_cond_timedwait(&P.cv, &P.mu, &until);
			pthread_mutex_unlock(&P.mu);
		}
	}
	db_release(c);
	return NULL;
}

void
inval_poller_start(struct db *db, int interval_ms)
{
	P.db = db;
	P.interval_ms = interval_ms;
	P.stop = false;
	/* start from now: what was logged before this process had no cache */
	struct db_conn *c = db_acquire(db);
	atomic_store(&P.applied, db_int1(c, 0, "SELECT max(id) FROM cache_invalidations", ""));
	db_release(c);
	if (pthread_create(&P.th, NULL, poller, NULL) == 0)
		P.running = true;
	else
		log_error("cannot start the invalidation poller");
}

void
inval_poller_stop(void)
{
	if (!P.running)
		return;
	pthread_mutex_lock(&P.mu);
	P.stop = true;
	pthread_cond_signal(&P.cv);
	pthread_mutex_unlock(&P.mu);
	pthread_join(P.th, NULL);
	P.running = false;
}
