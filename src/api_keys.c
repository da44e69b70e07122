/* api_keys.c: `gazette api-key add|list|revoke`: the keys of the Content
 * API (src/api.c). A key is printed once, when it is made; the database
 * keeps only its keyed hash under the site secret, and the web origins
 * allowed to call the API with it from a browser. */
#include "site.h"
#include "core/invalidate.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char api_key_help[] =
	"usage: gazette api-key add NAME [--origin https://site.example]... [--db FILE]\n"
	"       gazette api-key list [--db FILE]\n"
	"       gazette api-key revoke ID [--db FILE]\n"
	"add     makes a key for the read-only Content API (/api/v1/…) and prints\n"
	"        it once; --origin (repeatable) lets pages of that origin call\n"
	"        the API from a browser (CORS)\n"
	"list    the keys: id, name, origins, made, revoked\n"
	"revoke  stops a key at once\n"
	"  --db FILE   database (default gazette.db; env GAZETTE_DB)\n";

/* "https://host[:port]" with nothing after: what browsers send as Origin. */
static bool
origin_ok(const char *o)
{
	const char *host = strncmp(o, "https://", 8) == 0 ? o + 8 : strncmp(o, "http://", 7) == 0 ? o + 7 : NULL;
	if (!host || !*host || strlen(o) > 200)
		return false;
	for (const char *p = host; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('0' <= *p && *p <= '9') || *p == '.' || *p == '-' || *p == ':'))
			return false;
	return true;
}

struct add {
	const char *name, *hash, *origins;
	long long id;
};

static int
add_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	struct add *x = arg;
	x->id = db_insert(c, "INSERT INTO api_keys (name, key_hash, origins, created_at) VALUES (?, ?, ?, ?) RETURNING id", "sssi",
	    x->name, x->hash, x->origins, (long long)time(NULL));
	return x->id > 0 ? 0 : -1;
}

static int
revoke_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	long long *id = arg;
	return db_exec(c, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", "ii", (long long)time(NULL), *id) == 1
	    ? 0 : -2;
}

int
cmd_api_key(int argc, char **argv, const char *db_path)
{
	const char *pos[4] = {NULL};
	int npos = 0;
	char origins[2048] = "";
	size_t ol = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(api_key_help, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc) {
			const char *o = argv[++i];
			if (!origin_ok(o) || ol + strlen(o) + 2 > sizeof origins) {
				fprintf(stderr, "gazette: api-key: '%s' is not an origin like https://news.example.org\n", o);
				return 2;
			}
			ol += (size_t)snprintf(origins + ol, sizeof origins - ol, "%s%s", ol ? " " : "", o);
		} else if (argv[i][0] == '-' || npos == 4) {
			fprintf(stderr, "gazette: api-key: unexpected '%s'\n%s", argv[i], api_key_help);
			return 2;
		} else
			pos[npos++] = argv[i];
	}
	const char *action = npos ? pos[0] : "";
	bool add = strcmp(action, "add") == 0, list = strcmp(action, "list") == 0, revoke = strcmp(action, "revoke") == 0;
	if ((!add && !list && !revoke) || (add && (npos != 2 || !*pos[1] || strlen(pos[1]) > 200)) || (list && npos != 1) ||
	    (revoke && (npos != 2 || strspn(pos[1], "0123456789") != strlen(pos[1]) || !*pos[1]))) {
		fprintf(stderr, "gazette: api-key: wrong arguments\n%s", api_key_help);
		return 2;
	}
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct site_config cfg = {NULL};
	int rc = site_init(db, &cfg) < 0 ? 1 : 0;
	struct db_conn *c = db_acquire(db);
	struct arena a = {0};
	if (rc) {
		fprintf(stderr, "gazette: api-key: the database has no site (load one with 'gazette demo')\n");
	} else if (add) {
		char key[3 + 40 + 1] = "gz_";
		random_hex(key + 3, 20);
		struct add x = {pos[1], site_mac_hex(&a, "api-key", key, 64), origins, 0};
		if (inval_write(c, add_tx, &x, NULL) < 0) {
			fprintf(stderr, "gazette: api-key: the key could not be stored\n");
			rc = 1;
		} else
			printf("%s\nkey %lld made for %s; it is shown only now. Use it as ?key=%s\n", key, x.id, pos[1], key);
	} else if (list) {
		struct db_stmt *st = db_query(c, "SELECT id, name, origins, created_at, revoked_at FROM api_keys ORDER BY id", "");
		while (db_row(st))
			printf("%lld\t%s\t%s\t%lld\t%s\n", db_int(st, 0), db_text(st, 1), *db_text(st, 2) ? db_text(st, 2) : "-", db_int(st, 3),
			    db_isnull(st, 4) ? "active" : "revoked");
		rc = db_done(st) < 0;
	} else {
		long long id = atoll(pos[1]);
		if (inval_write(c, revoke_tx, &id, NULL) < 0) {
			fprintf(stderr, "gazette: api-key: no active key %s\n", pos[1]);
			rc = 1;
		} else
			printf("key %s revoked\n", pos[1]);
	}
	arena_free(&a);
	db_release(c);
	site_shutdown();
	db_close(db);
	return rc;
}
