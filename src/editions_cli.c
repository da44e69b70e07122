/* editions_cli.c: `gazette edition add|list|direction`: the site's editions
 * (a language, its ICU locale, its place in the switcher, its writing
 * direction). Servers load the editions when they start: a new one is
 * served after a restart. What an edition means to pages is site.c's. */
#include "site.h"
#include "core/invalidate.h"
#include <stdio.h>
#include <string.h>

static const char edition_help[] =
	"usage: gazette edition add CODE --name NAME --locale LOCALE [--rtl] [--db FILE]\n"
	"       gazette edition direction CODE ltr|rtl [--db FILE]\n"
	"       gazette edition list [--db FILE]\n"
	"add        a new edition: CODE is its address (/CODE/) and the language of\n"
	"           its catalog (locale/CODE.po), NAME its name in its own language\n"
	"           (for the switcher), LOCALE the ICU locale of its dates, numbers\n"
	"           and plurals (ar_EG, pt_BR); --rtl: written right to left\n"
	"direction  sets how an edition is written: ltr or rtl\n"
	"list       every edition: code, name, locale, direction\n"
	"Running servers serve a new edition after a restart.\n"
	"  --db FILE   database (default gazette.db; env GAZETTE_DB)\n";

/* a-z, 2 or 3 letters, then optionally -SUBTAG (pt-br, zh-hant) */
static bool
code_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return false;
	if (!s[n])
		return true;
	return s[n] == '-' && strlen(s + n + 1) >= 2 && strlen(s) < 8 && strspn(s + n + 1, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(s + n + 1);
}

/* ll or ll_CC (ICU's form) */
static bool
locale_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return false;
	return !s[n] || (s[n] == '_' && strlen(s + n + 1) == 2 && strspn(s + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2);
}

struct add {
	const char *code, *name, *locale, *direction;
};

static int
add_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct add *x = arg;
	if (db_exec(c, "INSERT INTO editions (code, name, locale, position, is_default, direction) "
	    "SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), coalesce(max(position), 0) + 1, 0, CAST(? AS TEXT) FROM editions",
	    "ssss", x->code, x->name, x->locale, x->direction) != 1)
		return -1;
	inval_add(iv, "site");
	return 0;
}

static int
direction_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct add *x = arg;
	if (db_exec(c, "UPDATE editions SET direction = ? WHERE code = ?", "ss", x->direction, x->code) != 1)
		return -1;
	inval_add(iv, "site");
	return 0;
}

int
cmd_edition(int argc, char **argv, const char *db_path)
{
	const char *pos[4] = {NULL};
	int npos = 0;
	struct add x = {NULL, NULL, NULL, "ltr"};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(edition_help, stdout);
			return 0;
		}
		if (strcmp(a, "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(a, "--name") == 0 && i + 1 < argc)
			x.name = argv[++i];
		else if (strcmp(a, "--locale") == 0 && i + 1 < argc)
			x.locale = argv[++i];
		else if (strcmp(a, "--rtl") == 0)
			x.direction = "rtl";
		else if (a[0] != '-' && npos < 4)
			pos[npos++] = a;
		else {
			fprintf(stderr, "gazette: edition: unknown option or missing value '%s'\n%s", a, edition_help);
			return 2;
		}
	}
	const char *action = npos ? pos[0] : "";
	bool add = strcmp(action, "add") == 0, list = strcmp(action, "list") == 0, dir = strcmp(action, "direction") == 0;
	if (add && (npos != 2 || !x.name || !x.locale)) {
		fprintf(stderr, "gazette: edition add wants CODE, --name and --locale\n%s", edition_help);
		return 2;
	}
	if (dir && (npos != 3 || (strcmp(pos[2], "ltr") != 0 && strcmp(pos[2], "rtl") != 0))) {
		fprintf(stderr, "gazette: edition direction wants CODE and ltr or rtl\n%s", edition_help);
		return 2;
	}
	if (!add && !list && !dir) {
		fprintf(stderr, "gazette: edition wants add, direction or list\n%s", edition_help);
		return 2;
	}
	if (add || dir)
		x.code = pos[1];
	if (add && !code_ok(x.code)) {
		fprintf(stderr, "gazette: edition: '%s' is not a language code (two or three letters a-z, then -subtag)\n", x.code);
		return 2;
	}
	if (add && (!*x.name || strlen(x.name) > 60 || strpbrk(x.name, "\r\n<>"))) {
		fprintf(stderr, "gazette: edition: the name must be 1 to 60 characters on one line\n");
		return 2;
	}
	if (add && !locale_ok(x.locale)) {
		fprintf(stderr, "gazette: edition: '%s' is not a locale (ll or ll_CC, like ar_EG)\n", x.locale);
		return 2;
	}
	if (dir)
		x.direction = pos[2];
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct db_conn *c = db_acquire(db);
	int rc = 0;
	if (list) {
		struct db_stmt *st = db_query(c, "SELECT code, name, locale, direction FROM editions ORDER BY position, code", "");
		while (db_row(st))
			printf("%s\t%s\t%s\t%s\n", db_text(st, 0), db_text(st, 1), db_text(st, 2), db_text(st, 3));
		rc = db_done(st) < 0 ? 1 : 0;
	} else if (add && db_int1(c, 0, "SELECT count(*) FROM editions WHERE code = ?", "s", x.code) > 0) {
		fprintf(stderr, "gazette: edition: '%s' exists already\n", x.code);
		rc = 1;
	} else if (dir && db_int1(c, 0, "SELECT count(*) FROM editions WHERE code = ?", "s", x.code) == 0) {
		fprintf(stderr, "gazette: edition: no edition '%s'\n", x.code);
		rc = 1;
	} else if (inval_write(c, add ? add_tx : direction_tx, &x, NULL) < 0) {
		fprintf(stderr, "gazette: edition: not saved (see the log)\n");
		rc = 1;
	} else
		printf("%s: %s%s\n", x.code, add ? "added, " : "", strcmp(x.direction, "rtl") == 0 ? "right to left" : "left to right");
	db_release(c);
	db_close(db);
	return rc;
}
