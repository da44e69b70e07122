/* comments.h: reader comments, shared by the feature's files:
 * comments.c (the reader pages and posting), comment_rules.c (checks that
 * need no database), comment_moderate.c (status changes, counts, audit)
 * and comments_cli.c (`gazette comments`). Other features include only
 * site.h. */
#ifndef GZ_COMMENTS_H
#define GZ_COMMENTS_H
#include "site.h"
#include "core/invalidate.h"
#include "core/text.h"

#define COMMENT_NAME_MAX 80          /* characters */
#define COMMENT_EMAIL_MAX 254        /* bytes */
#define COMMENT_EDIT_SECONDS (15 * 60)
#define COMMENT_COOKIE "gz_commenter"   /* the commenter's secret: own pending comments, edits */

/* comment_rules.c */
const char *form_token_make(struct arena *a, long long article_id, long long now);
/* The time the token was made for this article, or -1 if it is not one of ours. */
long long form_token_check(struct arena *a, const char *tok, long long article_id);
/* sha256(challenge ":" answer) starts with bits zero bits. */
bool pow_check(const char *challenge, const char *answer, int bits);
/* The first word of list (comma- or line-separated) found in text as a
 * whole word, ignoring case; NULL if none. */
const char *words_find(struct arena *a, const char *list, const char *text);
int html_link_count(const char *html);

/* comment_moderate.c */
/* The keyed hash a ban on an email address is kept as (any case). */
const char *comment_email_hash(struct arena *a, const char *email);
enum { COMMENT_NOT_FOUND = -2 };
/* Moves comments to status (approved, spam, deleted, pending), records
 * each change in comment_audit under actor, keeps the article counts and
 * invalidates the pages that show them: one transaction. Returns the
 * number changed, COMMENT_NOT_FOUND naming the first missing id in err,
 * or -1. */
int comments_set_status(struct db *db, const long long *ids, int n, const char *status, const char *actor,
    long long *inval_id, char *err, size_t errlen);
/* The same on a connection the caller holds (a request's). */
int comments_set_status_on(struct db_conn *c, const long long *ids, int n, const char *status, const char *actor,
    long long *inval_id, char *err, size_t errlen);
/* Sets the comment policy of one article (by id) or one section (by key);
 * policy "inherit" clears it. Returns 0, COMMENT_NOT_FOUND or -1 (err). */
int comments_set_policy(struct db *db, const char *what, const char *target, const char *policy,
    long long *inval_id, char *err, size_t errlen);
/* Inside a transaction: add delta to an article's approved-comment count
 * and name the pages that show its comments. */
int comment_count_add(struct db_conn *c, long long article_id, long long delta, struct inval *iv);
/* +1 when a comment becomes approved, -1 when it stops being, else 0. */
long long approved_delta(const char *from, const char *to);
/* The tags of the pages showing an article's comments or its count. */
void comment_invalidations(long long article_id, struct inval *iv);

/* comments.c */
extern const struct route comment_routes[];

/* comments_cli.c */
int cmd_comments(int argc, char **argv, const char *db_path);
int cmd_settings(int argc, char **argv, const char *db_path);

#endif
