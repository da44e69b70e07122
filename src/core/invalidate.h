/* invalidate.h: page-cache invalidation that survives process and node
 * boundaries. A write collects the tags it touches, records them in the
 * cache_invalidations table inside its own transaction, and after the
 * commit drops them from this process's cache at once; a poller applies
 * the rows other processes wrote. */
#ifndef GZ_INVALIDATE_H
#define GZ_INVALIDATE_H
#include "db.h"

#define INVAL_MAX_TAGS 128
#define INVAL_CHANNEL "gazette_invalidations"   /* LISTEN/NOTIFY channel */

struct inval {
	char *tags[INVAL_MAX_TAGS];
	int n;
	long long id;          /* the log row written by inval_record */
};

void inval_add(struct inval *iv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Inside the write's transaction: records the tags. 0 or -1. */
int inval_record(struct db_conn *c, struct inval *iv);
/* After the commit: drops the tags from this process's cache, frees iv. */
void inval_apply(struct inval *iv);
void inval_discard(struct inval *iv);

/* A write: begin, fn (which names in iv the tags it touches), record the
 * tags when there are any, commit, then drop them from this process's
 * cache; all of it again while the backend reports a conflict. fn returns
 * a negative number to give up (rolled back, not retried). Returns fn's
 * result once committed, or -1; *inval_id (when not NULL) receives the
 * invalidation log row, 0 if none was written. */
int inval_write(struct db_conn *c, int (*fn)(struct db_conn *c, struct inval *iv, void *arg), void *arg, long long *inval_id);

/* The poller: applies rows other processes wrote, every interval_ms. */
void inval_poller_start(struct db *db, int interval_ms);
void inval_poller_stop(void);
long long inval_applied_id(void);   /* the newest log row applied here */

#endif
