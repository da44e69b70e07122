/* comments_cli.c: `gazette comments` (moderation from the shell until the
 * admin exists) and `gazette settings` (the site settings). Parses its own
 * arguments, opens the database through the caller's helper and prints;
 * the actions themselves are comment_moderate.c and settings.c. */
#include "comments.h"
#include "core/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>

static const char comments_help[] =
	"usage: gazette comments list [--status STATUS] [--article ID] [--limit N] [--db FILE]\n"
	"       gazette comments approve|spam|delete|hold ID... [--as NAME] [--db FILE]\n"
	"       gazette comments policy --article ID|--section KEY POLICY [--db FILE]\n"
	"Lists comments (newest first; default: those waiting, --status pending),\n"
	"or moderates them. Every action is recorded with who did it (--as, or\n"
	"the login name) in the audit table; the pages that show the comments\n"
	"are refreshed on every running server. 'policy' overrides the site's\n"
	"comment policy (gazette settings) for one article or one section:\n"
	"open, hold_first, hold_all, closed, or inherit to remove the override.\n"
	"  --status STATUS    pending, approved, spam, deleted or all\n"
	"  --article ID       only the comments on this article\n"
	"  --limit N          at most N comments (default 50)\n"
	"  --as NAME          who is moderating, for the audit record\n"
	"  --db FILE          database file (default gazette.db; env GAZETTE_DB)\n";

static const char settings_help[] =
	"usage: gazette settings [list] [--db FILE]\n"
	"       gazette settings get KEY [--db FILE]\n"
	"       gazette settings set KEY VALUE [--db FILE]\n"
	"Shows or changes the site settings (moderation policy, anti-spam limits).\n"
	"Running servers apply a change at once.\n";

static int
usage(const char *help, const char *fmt, const char *arg)
{
	fprintf(stderr, "gazette: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", help);
	return 2;
}

static const char *
shorten(char *out, size_t n, const char *s)
{
	size_t o = 0;
	for (const char *p = s; *p && o + 5 < n; p++)
		out[o++] = *p == '\n' || *p == '\t' ? ' ' : *p;
	if (o + 5 >= n) {   /* cut on a character boundary */
		while (o && ((unsigned char)out[o] & 0xc0) == 0x80)
			o--;
		memcpy(out + o, "…", 3);
		o += 3;
	}
	out[o] = 0;
	return out;
}

static int
comments_list(struct db *db, const char *status, long long article, long long limit)
{
	struct db_conn *c = db_acquire(db);
	const char *all = strcmp(status, "all") == 0 ? "" : status;
	struct db_stmt *st = db_query(c, "SELECT c.id, c.status, c.article_id, c.lang, c.created_at, c.name, c.email, "
	    "c.body_md, c.held_reason, coalesce(c.parent_id, 0) FROM comments c "
	    "WHERE (? = '' OR c.status = ?) AND (? = 0 OR c.article_id = ?) ORDER BY c.id DESC LIMIT ?", "ssiii",
	    all, all, article, article, limit);
	int n = 0;
	struct arena a = {0};
	while (db_row(st)) {
		char body[160];
		printf("#%lld  %-8s  article %lld (%s)  %s%s%s\n", db_int(st, 0), db_text(st, 1), db_int(st, 2), db_text(st, 3),
		    i18n_isotime(&a, db_int(st, 4)), *db_text(st, 8) ? "  held: " : "", db_text(st, 8));
		if (db_int(st, 9))
			printf("     in reply to #%lld\n", db_int(st, 9));
		printf("     %s <%s>\n     %s\n", db_text(st, 5), db_text(st, 6), shorten(body, sizeof body, db_text(st, 7)));
		n++;
	}
	int rc = db_done(st);
	arena_free(&a);
	db_release(c);
	if (rc < 0) {
		fprintf(stderr, "gazette: comments: the database could not be read\n");
		return 1;
	}
	if (!n)
		printf("no %s comments\n", *all ? all : "");
	return 0;
}

/* gazette comments policy --article ID|--section KEY POLICY */
static int
cmd_policy(int argc, char **argv, const char *db_path)
{
	const char *what = NULL, *target = NULL, *policy = NULL;
	for (int i = 0; i < argc; i++) {
		bool has = i + 1 < argc;
		if ((strcmp(argv[i], "--article") == 0 || strcmp(argv[i], "--section") == 0) && has && !what) {
			what = argv[i] + 2;
			target = argv[++i];
		} else if (strcmp(argv[i], "--db") == 0 && has)
			db_path = argv[++i];
		else if (argv[i][0] != '-' && !policy)
			policy = argv[i];
		else
			return usage(comments_help, "unexpected '%s'", argv[i]);
	}
	if (!what || !policy)
		return usage(comments_help, "policy needs --article ID or --section KEY, and a policy%s", "");
	char *end;
	if (strcmp(what, "article") == 0 && (strtoll(target, &end, 10) <= 0 || *end))
		return usage(comments_help, "'%s' is not an article id", target);
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	char err[256];
	long long inval = 0;
	int rc = comments_set_policy(db, what, target, policy, &inval, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "gazette: comments: %s\n", err);
	else
		printf("%s %s: comment policy %s (invalidation %lld)\n", what, target, policy, inval);
	db_close(db);
	return rc < 0 ? 1 : 0;
}

int
cmd_comments(int argc, char **argv, const char *db_path)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(comments_help, argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	const char *action = argv[0], *status = "pending", *as = NULL;
	long long article = 0, limit = 50;
	long long ids[1000];
	int nids = 0;
	bool list = strcmp(action, "list") == 0;
	if (strcmp(action, "policy") == 0)
		return cmd_policy(argc - 1, argv + 1, db_path);
	const char *to = strcmp(action, "approve") == 0 ? "approved" : strcmp(action, "spam") == 0 ? "spam"
	    : strcmp(action, "delete") == 0 ? "deleted" : strcmp(action, "hold") == 0 ? "pending" : NULL;
	if (!list && !to)
		return usage(comments_help, "unknown comments action '%s'", action);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(comments_help, stdout);
			return 0;
		} else if (strcmp(a, "--db") == 0 && has)
			db_path = argv[++i];
		else if (list && strcmp(a, "--status") == 0 && has) {
			status = argv[++i];
			if (strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "spam") &&
			    strcmp(status, "deleted") && strcmp(status, "all"))
				return usage(comments_help, "--status wants pending, approved, spam, deleted or all, not '%s'", status);
		} else if (list && strcmp(a, "--article") == 0 && has) {
			char *end;
			article = strtoll(argv[++i], &end, 10);
			if (*end || article <= 0)
				return usage(comments_help, "--article wants an article id, not '%s'", argv[i]);
		} else if (list && strcmp(a, "--limit") == 0 && has) {
			char *end;
			limit = strtoll(argv[++i], &end, 10);
			if (*end || limit <= 0 || limit > 100000)
				return usage(comments_help, "--limit wants a number from 1 to 100000, not '%s'", argv[i]);
		} else if (!list && strcmp(a, "--as") == 0 && has)
			as = argv[++i];
		else if (!list && a[0] != '-') {
			char *end;
			long long id = strtoll(a, &end, 10);
			if (*end || id <= 0)
				return usage(comments_help, "'%s' is not a comment id", a);
			if (nids == (int)(sizeof ids / sizeof *ids))
				return usage(comments_help, "at most 1000 comments at a time%s", "");
			ids[nids++] = id;
		} else
			return usage(comments_help, "unknown or incomplete option '%s'", a);
	}
	if (!list && !nids)
		return usage(comments_help, "which comments? give their ids%s", "");
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	int rc;
	if (list)
		rc = comments_list(db, status, article, limit);
	else {
		char actor[128], err[256];
		long long inval = 0;
		const struct passwd *pw = getpwuid(geteuid());
		const char *who = as ? as : getenv("USER") ? getenv("USER") : pw ? pw->pw_name : "unknown";
		snprintf(actor, sizeof actor, "cli:%s", who);
		int n = comments_set_status(db, ids, nids, to, actor, &inval, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "gazette: comments: %s\n", err);
			rc = 1;
		} else {
			printf("%d comment%s %s (invalidation %lld)\n", n, n == 1 ? "" : "s", n ? to : "changed (already so)", inval);
			rc = 0;
		}
	}
	db_close(db);
	return rc;
}

int
cmd_settings(int argc, char **argv, const char *db_path)
{
	const char *action = "list", *key = NULL, *value = NULL;
	int pos = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(settings_help, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db_path = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return usage(settings_help, "unknown option '%s'", argv[i]);
		if (pos == 0)
			action = argv[i];
		else if (pos == 1)
			key = argv[i];
		else if (pos == 2)
			value = argv[i];
		else
			return usage(settings_help, "unexpected '%s'", argv[i]);
		pos++;
	}
	bool list = strcmp(action, "list") == 0, get = strcmp(action, "get") == 0, set = strcmp(action, "set") == 0;
	if (!list && !get && !set)
		return usage(settings_help, "unknown settings action '%s'", action);
	if ((get && (!key || value)) || (set && (!key || !value)) || (list && key))
		return usage(settings_help, "wrong number of arguments for '%s'", action);
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	int rc = 0;
	size_t n;
	const struct setting_def *defs = setting_defs(&n);
	if (set) {
		char err[256];
		long long inval = 0;
		if (setting_set(db, key, value, &inval, err, sizeof err) < 0) {
			fprintf(stderr, "gazette: settings: %s\n", err);
			rc = 1;
		} else
			printf("%s = %s (invalidation %lld)\n", key, value, inval);
	} else {
		struct db_conn *c = db_acquire(db);
		struct arena a = {0};
		bool found = false;
		for (size_t i = 0; i < n; i++) {
			if (get && strcmp(defs[i].key, key) != 0)
				continue;
			found = true;
			const char *v = setting_str(c, &a, defs[i].key);
			if (get)
				printf("%s\n", v);
			else
				printf("%-28s %-12s %s%s%s\n  %s\n", defs[i].key, *v ? v : "\"\"",
				    strcmp(v, defs[i].def) ? "(default " : "", strcmp(v, defs[i].def) ? defs[i].def : "",
				    strcmp(v, defs[i].def) ? ")" : "", defs[i].help);
		}
		if (get && !found) {
			fprintf(stderr, "gazette: settings: no setting '%s'\n", key);
			rc = 1;
		}
		arena_free(&a);
		db_release(c);
	}
	db_close(db);
	return rc;
}
