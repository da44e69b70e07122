/* fts.h: full-text search machinery that knows nothing of news: the
 * "gazette" FTS5 tokenizer for SQLite (Unicode folding by unicode61, then
 * a Snowball stemmer from libstemmer), and the reader's query language
 * (words, "phrases", -exclusions, OR) parsed once and written out as an
 * FTS5 MATCH expression or a PostgreSQL tsquery.
 *
 * One FTS5 table serves every language. Each indexed text starts with a
 * scope marker, ESC scope US language ESC (fts_marker), and the tokenizer
 * emits "scope US stem" for every word: a scope's terms never meet
 * another's, and each scope is stemmed in its own language. Queries carry
 * the same marker in every quoted term. */
#ifndef GZ_FTS_H
#define GZ_FTS_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

#define FTS_MARK '\x1b'
#define FTS_SEP '\x1f'
/* snippet and highlight markers in results (stripped from indexed text) */
#define FTS_HL_ON '\x02'
#define FTS_HL_OFF '\x03'

struct sqlite3;
/* Registers the tokenizer on a connection (every connection, before any
 * use of a table that names it). 0 or an SQLite error code. */
int fts_register(struct sqlite3 *db);

/* Is name a stemmer libstemmer has ("english", "pt"…)? */
bool fts_stemmer_known(const char *name);
/* The Snowball name for an ICU locale's language ("pt_BR" → "portuguese"),
 * or "" when there is none (then words are folded but not stemmed). */
const char *fts_language_for_locale(const char *locale);

/* "ESC scope US language ESC": scope and language are [a-z0-9_-] only. */
const char *fts_marker(struct arena *a, const char *scope, const char *language);
/* Text made safe to index: control characters (and so any marker) become
 * spaces. */
char *fts_clean(struct arena *a, const char *text);

/* A parsed query. */
#define FTS_MAX_TERMS 16
#define FTS_MAX_QUERY 400          /* bytes; longer queries are refused */
struct fts_term {
	const char *text;    /* a word, or the words of a phrase */
	bool phrase, negated, or_next;   /* or_next: OR with the next term */
};
struct fts_query {
	struct fts_term t[FTS_MAX_TERMS];
	int n;
	int positives;       /* terms that are not negated */
	bool too_long, too_many;
};
/* Parses q (valid UTF-8); terms with no letter or digit are dropped. */
void fts_parse(struct arena *a, const char *q, struct fts_query *out);
/* The MATCH expression for the FTS5 table, every term scoped; NULL when
 * there is nothing to look for (no positive term). */
const char *fts_match_sqlite(struct arena *a, const struct fts_query *q, const char *scope, const char *language);
/* The same as text for PostgreSQL's to_tsquery (each operand quoted; the
 * Portuguese -ão/-ões/-ães plurals OR-ed, which the Snowball stemmer keeps
 * apart); NULL when there is nothing to look for. */
const char *fts_tsquery_pg(struct arena *a, const struct fts_query *q, const char *language);
/* Words of text (a headline) OR-ed, for "more like this": at most max
 * words of three letters or more. NULL when none. */
const char *fts_any_of(struct arena *a, const char *text, int max, bool pg, const char *scope, const char *language);

#endif
