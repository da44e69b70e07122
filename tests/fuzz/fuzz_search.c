/* fuzz_search.c: a reader's search words, end to end on SQLite: parsed,
 * turned into an FTS5 MATCH expression and a PostgreSQL tsquery, and run
 * against an FTS5 table using Gazette's tokenizer, whose indexed text is
 * the same input; never a crash and never an FTS5 syntax error (what a
 * reader types is only ever text to look for). */
#include "fuzz.h"
#include "fts.h"
#include <sqlite3.h>

static sqlite3 *db;
static sqlite3_stmt *ins, *del, *q;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || fts_register(db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE s USING fts5(title, body, tokenize = 'gazette')", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO s (rowid, title, body) VALUES (1, ?, ?)", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM s", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rowid FROM s WHERE s MATCH ?", -1, &q, NULL) != SQLITE_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	static const char *const langs[] = {"english", "spanish", "portuguese", "arabic"};
	char *s = fuzz_str(data, size);
	struct arena a;
	arena_init(&a, 4096);
	const char *lang = langs[size % 4];
	const char *marker = fts_marker(&a, "en", lang);
	const char *text = arena_cat(&a, marker, fts_clean(&a, s), NULL);
	sqlite3_bind_text(ins, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, text, -1, SQLITE_STATIC);
	FUZZ_ASSERT(sqlite3_step(ins) == SQLITE_DONE);
	sqlite3_reset(ins);
	struct fts_query fq;
	fts_parse(&a, s, &fq);
	FUZZ_ASSERT(fq.n >= 0 && fq.n <= FTS_MAX_TERMS);
	const char *match = fts_match_sqlite(&a, &fq, "en", lang);
	if (match) {
		sqlite3_bind_text(q, 1, match, -1, SQLITE_STATIC);
		int rc;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			;
		FUZZ_ASSERT(rc == SQLITE_DONE);   /* never "fts5: syntax error" */
		sqlite3_reset(q);
	}
	(void)fts_tsquery_pg(&a, &fq, lang);
	(void)fts_any_of(&a, s, 8, size & 1, "en", lang);
	FUZZ_ASSERT(sqlite3_step(del) == SQLITE_DONE);
	sqlite3_reset(del);
	arena_free(&a);
	free(s);
	return 0;
}
