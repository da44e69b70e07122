/* scheduler.c: the work that must happen once for the whole site, on
 * whichever node holds the job's lock (a PostgreSQL advisory lock; on
 * SQLite the write transaction alone serializes servers). Today one job:
 * publishing what has come due — articles whose publication time passed
 * since the last run become visible, with exactly the cache invalidations
 * an edit would make, so cached listings show them within a second — and,
 * every ten minutes, clearing comment address hashes past their retention. */
#include "site.h"
#include "core/invalidate.h"
#include "core/log.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define PUBLISH_LOCK 0x47415A4554544501LL   /* "GAZETTE" + job 1 */
#define MAX_DUE 500                          /* per run; the rest next second */

static struct {
	struct db *db;
	pthread_t th;
	_Atomic bool stop;
	bool running;
} S;

/* One run of the publish job. Returns the number of articles published. */
int
scheduler_publish_due(struct db *db)
{
	struct db_conn *c = db_acquire(db);
	int done = -1;
	/* the common case, nothing due, reads only: a write every second would
	 * also make every connection drop its page cache */
	long long seen = db_int1(c, -1, "SELECT last_run FROM scheduler_state WHERE job = 'publish'", "");
	if (seen >= 0 && db_int1(c, 0, "SELECT count(*) FROM articles WHERE published_at > ? AND published_at <= ? "
	    "AND status IN ('published', 'scheduled')", "ii", seen, (long long)time(NULL)) == 0) {
		db_release(c);
		return 0;
	}
	if (db_try_lock(c, PUBLISH_LOCK) != 1) {
		db_release(c);
		return 0;   /* another node has the job */
	}
	struct inval iv = {0};
	long long now = (long long)time(NULL);
	if (db_begin(c) < 0)
		goto out;
	long long last = db_int1(c, -1, "SELECT last_run FROM scheduler_state WHERE job = 'publish'", "");
	if (last < 0) {
		/* first run on this database: nothing before now was ever cached as "not yet" */
		db_exec(c, "INSERT INTO scheduler_state (job, last_run) VALUES ('publish', ?)", "i", now);
		done = db_commit(c) < 0 ? -1 : 0;
		goto out;
	}
	long long ids[MAX_DUE], upto = now;
	int n = 0;
	struct db_stmt *st = db_query(c, "SELECT id, published_at FROM articles WHERE published_at > ? AND published_at <= ? "
	    "AND status IN ('published', 'scheduled') ORDER BY published_at, id LIMIT ?", "iid", last, now, MAX_DUE);
	while (db_row(st) && n < MAX_DUE) {
		ids[n++] = db_int(st, 0);
		if (n == MAX_DUE)
			upto = db_int(st, 1);   /* continue from here next time */
	}
	db_done(st);
	for (int i = 0; i < n; i++) {
		db_exec(c, "UPDATE articles SET status = 'published' WHERE id = ? AND status = 'scheduled'", "i", ids[i]);
		listings_sync(c, ids[i]);
		article_invalidations(c, ids[i], &iv);
	}
	db_exec(c, "UPDATE scheduler_state SET last_run = ? WHERE job = 'publish'", "i", upto);
	if ((iv.n && inval_record(c, &iv) < 0) || db_commit(c) < 0) {
		log_error("scheduler: publishing %d due articles failed", n);
		goto out;
	}
	if (n)
		log_info("scheduler: published %d article%s that came due", n, n == 1 ? "" : "s");
	inval_apply(&iv);
	done = n;
out:
	inval_discard(&iv);
	db_unlock(c, PUBLISH_LOCK);
	db_release(c);
	return done;
}

static void *
loop(void *arg)
{
	(void)arg;
	for (long tick = 0; !atomic_load(&S.stop); tick++) {
		scheduler_publish_due(S.db);
		waitlist_expire(S.db, (long long)time(NULL));
		if (tick % 2 == 0)
			page_views_flush(S.db);
		if (tick % 600 == 0) {   /* every ten minutes: forget old commenters' addresses */
			struct db_conn *c = db_acquire(S.db);
			long long n = comments_expire_ip_hashes(c, (long long)time(NULL));
			db_release(c);
			if (n > 0)
				log_info("scheduler: cleared the address hashes of %lld old comment%s", n, n == 1 ? "" : "s");
		}
		for (int i = 0; i < 10 && !atomic_load(&S.stop); i++) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

void
scheduler_start(struct db *db)
{
	S.db = db;
	atomic_store(&S.stop, false);
	S.running = pthread_create(&S.th, NULL, loop, NULL) == 0;
	if (!S.running)
		log_error("cannot start the scheduler");
}

void
scheduler_stop(void)
{
	if (!S.running)
		return;
	atomic_store(&S.stop, true);
	pthread_join(S.th, NULL);
	S.running = false;
}
