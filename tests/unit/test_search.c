/* test_search.c: the search machinery of core/fts: the reader's query
 * language, and the "gazette" tokenizer run by a real FTS5 table in an
 * in-memory SQLite database (stemming per language, scopes kept apart,
 * Portuguese plurals, hostile queries). */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fts.h"
#include "markdown.h"
#include <stdlib.h>

static struct arena a;
static sqlite3 *db;

static void
setup(void)
{
	memset(&a, 0, sizeof a);
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(fts_register(db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE VIRTUAL TABLE s USING fts5(title, body, tokenize = 'gazette')", NULL, NULL, NULL), SQLITE_OK);
}

static void
teardown(void)
{
	sqlite3_close(db);
	arena_free(&a);
}

TestSuite(search, .init = setup, .fini = teardown);

static void
add(long long id, const char *scope, const char *lang, const char *title, const char *body)
{
	const char *m = fts_marker(&a, scope, lang);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO s (rowid, title, body) VALUES (?, ?, ?)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, arena_cat(&a, m, fts_clean(&a, title), NULL), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, arena_cat(&a, m, fts_clean(&a, body), NULL), -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The ids a reader's query finds in scope, as "1,3"; "error" if SQLite refused it. */
static const char *
find(const char *scope, const char *lang, const char *q)
{
	struct fts_query fq;
	fts_parse(&a, q, &fq);
	const char *m = fts_match_sqlite(&a, &fq, scope, lang);
	if (!m)
		return "";
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT rowid FROM s WHERE s MATCH ? ORDER BY rowid", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
	char out[256] = "";
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", *out ? "," : "", sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? arena_strdup(&a, out) : "error";
}

Test(search, stems_in_each_language)
{
	add(1, "en", "english", "Coordinated relief reaches the valley", "Aid agencies coordinated their convoys.");
	add(2, "es", "spanish", "La elección del nuevo alcalde", "Los votos se cuentan esta noche.");
	add(3, "pt", "portuguese", "Notícia da eleição municipal", "A apuração termina amanhã.");
	add(4, "pt", "portuguese", "As eleições no interior", "Candidatos visitam as cidades.");
	cr_assert_str_eq(find("en", "english", "coordination"), "1");
	cr_assert_str_eq(find("en", "english", "COORDINATING"), "1");
	cr_assert_str_eq(find("es", "spanish", "elecciones"), "2");
	cr_assert_str_eq(find("es", "spanish", "eleccion"), "2");   /* accents folded */
	cr_assert_str_eq(find("pt", "portuguese", "notícias"), "3");
	cr_assert_str_eq(find("pt", "portuguese", "eleições"), "3,4");   /* -ões meets -ão */
	cr_assert_str_eq(find("pt", "portuguese", "eleicao"), "3,4");
}

Test(search, scopes_never_meet)
{
	add(1, "en", "english", "Budget vote", "The budget passed.");
	add(2, "en-gb", "english", "Budget vote", "The budget passed.");
	add(3, "es", "spanish", "Budget", "Una palabra inglesa.");
	cr_assert_str_eq(find("en", "english", "budget"), "1");
	cr_assert_str_eq(find("en-gb", "english", "budget"), "2");
	cr_assert_str_eq(find("es", "spanish", "budget"), "3");
	cr_assert_str_eq(find("fr", "french", "budget"), "");
}

Test(search, phrases_exclusions_and_or)
{
	add(1, "en", "english", "Harbour bridge closed", "Traffic is diverted.");
	add(2, "en", "english", "Bridge over the harbour", "A new span opens.");
	add(3, "en", "english", "Harbour festival", "Music all weekend.");
	cr_assert_str_eq(find("en", "english", "\"harbour bridge\""), "1");
	cr_assert_str_eq(find("en", "english", "harbour bridge"), "1,2");
	cr_assert_str_eq(find("en", "english", "harbour -bridge"), "3");
	cr_assert_str_eq(find("en", "english", "festival OR span"), "2,3");
	cr_assert_str_eq(find("en", "english", "festival or closed harbour"), "1,3");
}

Test(search, hostile_queries_are_harmless)
{
	add(1, "en", "english", "Covid-19 figures", "O'Brien said NOT much.");
	const char *nasty[] = {
		"\"unbalanced", "say \"hi", "covid-19", "o'brien", "NOT", "AND OR NOT", "title:covid", "col : x", "NEAR(a b)",
		"*", "a*", "^covid", "((", ")", "\"\"", "-", "--", "- -x", "\x1b" "es\x1f" "spanish\x1b" "covid", "{title body}: covid",
		"\"\"\"", "covid\"\"", "ação.", "+covid", "covid OR", "OR covid", "-covid", "x -covid",
	};
	for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++)
		cr_assert_str_neq(find("en", "english", nasty[i]), "error", "query %zu: %s", i, nasty[i]);
	cr_assert_str_eq(find("en", "english", "covid-19"), "1");
	cr_assert_str_eq(find("en", "english", "o'brien"), "1");
	/* a scope marker typed into a query stays inside its own quoted term */
	cr_assert_str_eq(find("es", "spanish", "\x1b" "en\x1f" "english\x1b" "covid"), "");
}

Test(search, parse_limits)
{
	struct fts_query q;
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	fts_parse(&a, big, &q);
	cr_assert(q.too_long);
	cr_assert_eq(q.n, 0);
	fts_parse(&a, "a b c d e f g h i j k l m n o p q r s t", &q);
	cr_assert(q.too_many);
	cr_assert_eq(q.n, FTS_MAX_TERMS);
	fts_parse(&a, "-only -negative", &q);
	cr_assert_eq(q.positives, 0);
	cr_assert_null(fts_match_sqlite(&a, &q, "en", "english"));
	fts_parse(&a, "... !!! ---", &q);
	cr_assert_eq(q.n, 0);
}

Test(search, postgresql_query_text)
{
	struct fts_query q;
	fts_parse(&a, "eleições \"segundo turno\" -fraude o'neil OR x\\y", &q);
	cr_assert_str_eq(fts_tsquery_pg(&a, &q, "portuguese"),
	    "(('eleições' | 'eleição')) & ('segundo turno') & ('o''neil' | 'xy') & !('fraude')");
	fts_parse(&a, "eleicao", &q);
	cr_assert_str_eq(fts_tsquery_pg(&a, &q, "portuguese"), "(('eleicao' | 'eleicoes'))");
	cr_assert_str_eq(fts_tsquery_pg(&a, &q, "spanish"), "('eleicao')");
}

Test(search, stemmer_names)
{
	cr_assert(fts_stemmer_known("portuguese"));
	cr_assert(fts_stemmer_known("french"));
	cr_assert_not(fts_stemmer_known("Portuguese"));
	cr_assert_not(fts_stemmer_known("../etc"));
	cr_assert_str_eq(fts_language_for_locale("pt_BR"), "portuguese");
	cr_assert_str_eq(fts_language_for_locale("en"), "english");
	cr_assert_str_eq(fts_language_for_locale("xx_YY"), "");
}

Test(search, words_of_rendered_markdown)
{
	const char *md = "## Heading\n\nSome **bold** & a [link](https://example.org/x) \"quoted\" <b>raw</b> &eacute;t&eacute; 1 &lt; 2\n\n- one\n- two";
	size_t n;
	char *html = md_render(md, strlen(md), MD_ARTICLE, &n);
	char *t = md_html_text(html, n);
	cr_assert_str_eq(t, "Heading · Some bold & a link \"quoted\" raw été 1 < 2 one two");
	free(t);
	free(html);
}

/* Random bytes and query syntax, valid UTF-8 or not: parsing, writing and
 * running the match never fails in SQLite nor touches memory it should
 * not (this suite also runs under ASan and UBSan). */
Test(search, random_queries_never_break_the_match)
{
	add(1, "en", "english", "Harbour bridge", "Traffic \"quoted\" o'brien covid-19.");
	static const char *bits[] = {"\"", "-", "OR", "or", " ", "*", "(", ")", ":", "^", "NEAR", "AND", "NOT", "\\", "'", "é", "ção",
		"\xff", "\xc3", "\x1b", "\x1f", "\x02", "\x03", "harbour", "bridge", "{", "}", "+", "\t", "日本", "🙂", "--", "\"\""};
	unsigned seed = 12345;
	for (int i = 0; i < 3000; i++) {
		char q[256] = "";
		int parts = (int)(rand_r(&seed) % 12);
		for (int k = 0; k < parts; k++)
			strncat(q, bits[rand_r(&seed) % (sizeof bits / sizeof *bits)], sizeof q - strlen(q) - 1);
		const char *r = find("en", "english", q);
		cr_assert_str_neq(r, "error", "query %d: [%s]", i, q);
	}
}
