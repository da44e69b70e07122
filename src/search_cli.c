/* search_cli.c: `gazette search`: rebuild the search index, show or set an
 * edition's stemmer, and try a query from the shell. The index itself and
 * the query language live in search.c and core/fts.c. */
#include "site.h"
#include "core/fts.h"
#include "core/invalidate.h"
#include <stdio.h>
#include <string.h>

static const char search_help[] =
	"usage: gazette search reindex [EDITION] [--db FILE]\n"
	"       gazette search language EDITION [NAME] [--db FILE]\n"
	"       gazette search query EDITION WORDS… [--db FILE]\n"
	"reindex   rebuilds the search index (of one edition, or all)\n"
	"language  shows or sets the stemmer of an edition's search: a Snowball\n"
	"          name (english, spanish, portuguese, french, german…), or\n"
	"          'auto' for the one of its locale; then rebuilds its index\n"
	"query     prints the headlines a reader's search would find\n"
	"  --db FILE   database (default gazette.db; env GAZETTE_DB)\n";

static int
reindex_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	return search_reindex(c, arg);
}

static int
language_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	const char **v = arg;
	if (db_exec(c, "UPDATE editions SET search_language = ? WHERE code = ?", "ss", v[1], v[0]) != 1)
		return -1;
	inval_add(iv, "site");
	/* the index rows carry the language: rebuilt with the new one */
	return search_reindex(c, v[0]);
}

int
cmd_search(int argc, char **argv, const char *db_path)
{
	const char *pos[64];
	int npos = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(search_help, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gazette: unknown option '%s'\n%s", argv[i], search_help);
			return 2;
		} else if (npos < 64)
			pos[npos++] = argv[i];
	}
	const char *action = npos ? pos[0] : "";
	bool reindex = strcmp(action, "reindex") == 0, language = strcmp(action, "language") == 0, query = strcmp(action, "query") == 0;
	if ((!reindex && !language && !query) || (reindex && npos > 2) || (language && (npos < 2 || npos > 3)) || (query && npos < 3)) {
		fprintf(stderr, "gazette: %s\n%s", npos ? "wrong arguments for 'search'" : "search wants an action", search_help);
		return 2;
	}
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct site_config cfg = {NULL};
	int rc = site_init(db, &cfg) < 0 ? 1 : 0;
	const char *edcode = npos > 1 ? pos[1] : NULL;
	const struct edition *ed = edcode ? edition_find(edcode) : NULL;
	if (!rc && edcode && !ed) {
		fprintf(stderr, "gazette: search: no edition '%s'\n", edcode);
		rc = 1;
	}
	struct db_conn *c = db_acquire(db);
	struct arena a = {0};
	if (rc) {
	} else if (reindex) {
		int n = inval_write(c, reindex_tx, (void *)(edcode ? edcode : ""), NULL);
		if (n < 0) {
			fprintf(stderr, "gazette: search: the index could not be rebuilt\n");
			rc = 1;
		} else
			printf("%d articles indexed\n", n);
	} else if (language && npos == 2) {
		const char *l = search_language(c, &a, ed->code);
		printf("%s\n", *l ? l : "(none: words are folded, not stemmed)");
	} else if (language) {
		const char *name = strcmp(pos[2], "auto") == 0 ? "" : pos[2];
		if (*name && !fts_stemmer_known(name)) {
			fprintf(stderr, "gazette: search: libstemmer has no stemmer '%s' (english, spanish, portuguese, french…)\n", name);
			rc = 1;
		} else {
			const char *v[2] = {edcode, name};
			if (inval_write(c, language_tx, v, NULL) < 0) {
				fprintf(stderr, "gazette: search: could not change the language\n");
				rc = 1;
			} else {
				const char *l = search_language(c, &a, edcode);
				printf("%s: %s\n", edcode, *l ? l : "no stemmer");
			}
		}
	} else {
		char words[FTS_MAX_QUERY + 1] = "";
		size_t wl = 0;
		for (int i = 2; i < npos; i++)
			wl += (size_t)snprintf(words + wl, wl < sizeof words ? sizeof words - wl : 0, "%s%s", i > 2 ? " " : "", pos[i]);
		struct fts_query fq;
		fts_parse(&a, words, &fq);
		bool pg = (c->be == &db_pg_backend);
		const char *lang = search_language(c, &a, ed->code);
		const char *q = pg ? fts_tsquery_pg(&a, &fq, lang) : fts_match_sqlite(&a, &fq, ed->code, lang);
		if (q) {
			struct db_stmt *st = pg
			    ? db_query(c, "SELECT a.id, a.title FROM search_index s JOIN articles a ON a.id = s.article_id, "
				"(SELECT to_tsquery(CAST(coalesce((SELECT config FROM search_index WHERE edition = ? LIMIT 1), 'simple') AS regconfig), ?) AS q) AS x "
				"WHERE s.doc @@ x.q AND s.edition = ? ORDER BY ts_rank(s.doc, x.q) DESC, a.id DESC LIMIT 20", "sss", ed->code, q, ed->code)
			    : db_query(c, "SELECT a.id, a.title FROM search_index CROSS JOIN articles a ON a.id = search_index.rowid "
				"WHERE search_index MATCH ? AND a.edition = ? ORDER BY bm25(search_index, 10.0, 4.0, 1.0, 4.0, 2.0), a.id DESC LIMIT 20",
				"ss", q, ed->code);
			while (db_row(st))
				printf("%lld\t%s\n", db_int(st, 0), db_text(st, 1));
			if (db_done(st) < 0)
				rc = 1;
		}
	}
	arena_free(&a);
	db_release(c);
	site_shutdown();
	db_close(db);
	return rc;
}
