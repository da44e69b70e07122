/* comment_moderate.c: what changes a comment's status after it is posted:
 * the moderation actions (approve, spam, delete, back to pending), each
 * recorded in comment_audit, the approved-comment count kept on the
 * article row in the same transaction, and the cache tags of the pages
 * that show them. Used by the CLI now and the admin later; it renders
 * nothing. */
#include "comments.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
comment_invalidations(long long article_id, struct inval *iv)
{
	inval_add(iv, TAG_ARTICLE, article_id);   /* the count on the article page and its cards */
	inval_add(iv, TAG_COMMENTS, article_id);  /* the threads that show its comments */
}

int
comment_count_add(struct db_conn *c, long long article_id, long long delta, struct inval *iv)
{
	/* an increment, not a recount: under PostgreSQL's read committed two
	 * recounts racing would each miss the other's row; an increment waits
	 * for the row lock and adds to the latest value */
	if (delta && db_exec(c, "UPDATE articles SET comment_count = comment_count + ? WHERE id = ?", "ii", delta, article_id) != 1)
		return -1;
	comment_invalidations(article_id, iv);
	return 0;
}

long long
approved_delta(const char *from, const char *to)
{
	return (strcmp(to, "approved") == 0) - (from && strcmp(from, "approved") == 0);
}

static bool
status_known(const char *s)
{
	return strcmp(s, "approved") == 0 || strcmp(s, "spam") == 0 || strcmp(s, "deleted") == 0 || strcmp(s, "pending") == 0;
}

static const char *
action_of(const char *status)
{
	return strcmp(status, "approved") == 0 ? "approve" : strcmp(status, "spam") == 0 ? "spam"
	    : strcmp(status, "deleted") == 0 ? "delete" : "hold";
}

const char *
comment_email_hash(struct arena *a, const char *email)
{
	char *lower = arena_strdup(a, email);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return site_mac_hex(a, "ban-email", lower, 32);
}

struct status_change {
	const long long *ids;
	int n;
	const char *status, *actor;
	long long missing;   /* the first id not found */
};

static int
status_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct status_change *s = arg;
	int count = 0;
	long long now = (long long)time(NULL);
	for (int i = 0; i < s->n; i++) {
		struct db_stmt *st = db_query(c, "SELECT article_id, status FROM comments WHERE id = ?", "i", s->ids[i]);
		if (!db_row(st)) {
			if (db_done(st) == 0)
				s->missing = s->ids[i];
			return -1;
		}
		long long article = db_int(st, 0);
		char from[16];
		snprintf(from, sizeof from, "%s", db_text(st, 1));
		db_done(st);
		if (strcmp(from, s->status) == 0)
			continue;   /* already there: nothing to record */
		/* only from the status read: a concurrent change wins, and is not counted twice */
		long long moved = db_exec(c, "UPDATE comments SET status = ?, held_reason = '' WHERE id = ? AND status = ?", "sis",
		    s->status, s->ids[i], from);
		if (moved == 0)
			continue;
		if (moved != 1 ||
		    db_exec(c, "INSERT INTO comment_audit (comment_id, actor, action, from_status, to_status, at) "
			"VALUES (?, ?, ?, ?, ?, ?)", "issssi", s->ids[i], s->actor, action_of(s->status), from, s->status, now) < 0 ||
		    comment_count_add(c, article, approved_delta(from, s->status), iv) != 0)
			return -1;
		count++;
	}
	return count;
}

int
comments_set_status_on(struct db_conn *c, const long long *ids, int n, const char *status, const char *actor,
    long long *inval_id, char *err, size_t errlen)
{
	if (!status_known(status)) {
		snprintf(err, errlen, "unknown status '%s'", status);
		return -1;
	}
	struct status_change s = {ids, n, status, actor, 0};
	int changed = inval_write(c, status_tx, &s, inval_id);
	if (changed >= 0)
		return changed;
	if (s.missing) {
		snprintf(err, errlen, "no comment %lld", s.missing);
		return COMMENT_NOT_FOUND;
	}
	snprintf(err, errlen, "the change was not saved (see the log)");
	return -1;
}

int
comments_set_status(struct db *db, const long long *ids, int n, const char *status, const char *actor,
    long long *inval_id, char *err, size_t errlen)
{
	struct db_conn *c = db_acquire(db);
	int rc = comments_set_status_on(c, ids, n, status, actor, inval_id, err, errlen);
	db_release(c);
	return rc;
}

struct policy_change {
	bool article;
	const char *target, *value;
	bool missing;
};

static int
change_policy(struct db_conn *c, struct inval *iv, void *arg)
{
	struct policy_change *pc = arg;
	long long id = pc->article ? db_int1(c, 0, "SELECT id FROM articles WHERE id = ?", "i", atoll(pc->target))
				   : db_int1(c, 0, "SELECT id FROM terms WHERE taxonomy = 'section' AND key = ?", "s", pc->target);
	if (!id) {
		pc->missing = true;
		return -1;
	}
	bool ok = pc->article ? db_exec(c, "UPDATE articles SET comment_policy = ? WHERE id = ?", "si", pc->value, id) == 1
			      : db_exec(c, "UPDATE terms SET comment_policy = ? WHERE id = ?", "si", pc->value, id) == 1;
	if (pc->article)
		comment_invalidations(id, iv);   /* its threads depend on its row */
	else
		inval_add(iv, TAG_TERM, id);      /* and on their section's */
	return ok ? 0 : -1;
}

int
comments_set_policy(struct db *db, const char *what, const char *target, const char *policy,
    long long *inval_id, char *err, size_t errlen)
{
	bool article = strcmp(what, "article") == 0;
	const char *value = strcmp(policy, "inherit") == 0 ? NULL : policy;
	if (value && strcmp(value, "open") && strcmp(value, "hold_first") && strcmp(value, "hold_all") && strcmp(value, "closed")) {
		snprintf(err, errlen, "the policy is open, hold_first, hold_all, closed or inherit, not '%s'", policy);
		return -1;
	}
	struct db_conn *c = db_acquire(db);
	struct policy_change pc = {article, target, value, false};
	int rc = inval_write(c, change_policy, &pc, inval_id);
	if (pc.missing) {
		snprintf(err, errlen, "no %s '%s'", what, target);
		rc = COMMENT_NOT_FOUND;
	} else if (rc < 0)
		snprintf(err, errlen, "the policy was not saved (see the log)");
	db_release(c);
	return rc;
}

long long
comments_expire_ip_hashes(struct db_conn *c, long long now)
{
	long long days = setting_int(c, "comments.ip_retention_days");
	if (db_int1(c, 0, "SELECT count(*) FROM comments WHERE ip_hash IS NOT NULL AND created_at < ?", "i", now - days * 86400) == 0)
		return 0;   /* the usual case: nothing to write */
	return db_exec(c, "UPDATE comments SET ip_hash = NULL WHERE ip_hash IS NOT NULL AND created_at < ?", "i",
	    now - days * 86400);
}
