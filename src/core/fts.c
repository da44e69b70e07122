/* fts.c: the "gazette" FTS5 tokenizer (unicode61 folding + libstemmer, one
 * stemmer per tokenizer instance, so never shared between connections) and
 * the reader's query language written out for FTS5 or PostgreSQL. It must
 * not know about articles or editions: callers pass a scope and a Snowball
 * language name. */
#include "fts.h"
#include "buf.h"
#include <ctype.h>
#include <libstemmer.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEMMERS 8
#define MAX_WORD 96      /* longer "words" are indexed as they are, not stemmed */
#define CACHE_SLOTS 2048 /* recent stems, direct-mapped: words repeat (Zipf) */
#define CACHE_WORD 24

struct stem_slot {
	unsigned char stemmer;   /* index + 1 into tok.stem; 0: empty */
	unsigned char wlen, slen;
	char word[CACHE_WORD], stem[CACHE_WORD];
};

struct tok {
	fts5_tokenizer parent;
	Fts5Tokenizer *pinst;
	struct {
		char name[24];
		struct sb_stemmer *st;   /* NULL: no such stemmer (words kept folded) */
	} stem[MAX_STEMMERS];
	int nstem;
	struct stem_slot *cache;   /* CACHE_SLOTS of them, or NULL */
};

static int
tok_create(void *ud, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)argv;
	(void)argc;
	fts5_api *api = ud;
	struct tok *t = calloc(1, sizeof *t);
	if (!t)
		return SQLITE_NOMEM;
	void *pud = NULL;
	int rc = api->xFindTokenizer(api, "unicode61", &pud, &t->parent);
	if (rc == SQLITE_OK) {
		const char *args[] = {"remove_diacritics", "2"};
		rc = t->parent.xCreate(pud, args, 2, &t->pinst);
	}
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	t->cache = calloc(CACHE_SLOTS, sizeof *t->cache);
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *p)
{
	struct tok *t = (struct tok *)p;
	for (int i = 0; i < t->nstem; i++)
		if (t->stem[i].st)
			sb_stemmer_delete(t->stem[i].st);
	t->parent.xDelete(t->pinst);
	free(t->cache);
	free(t);
}

static bool
name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= 24)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static struct sb_stemmer *
tok_stemmer(struct tok *t, const char *name, size_t n, int *index)
{
	*index = MAX_STEMMERS;   /* not cached */
	if (!name_ok(name, n))
		return NULL;
	for (int i = 0; i < t->nstem; i++)
		if (strlen(t->stem[i].name) == n && memcmp(t->stem[i].name, name, n) == 0) {
			*index = i;
			return t->stem[i].st;
		}
	char buf[24];
	memcpy(buf, name, n);
	buf[n] = 0;
	struct sb_stemmer *st = sb_stemmer_new(buf, NULL);
	if (t->nstem < MAX_STEMMERS) {
		memcpy(t->stem[t->nstem].name, buf, n + 1);
		*index = t->nstem;
		t->stem[t->nstem++].st = st;
	} else if (st) {   /* more languages than slots: stem, but do not keep */
		sb_stemmer_delete(st);
		st = NULL;
	}
	return st;
}

struct tctx {
	void *ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
	struct tok *t;
	int stemmer;        /* index into t->stem */
	struct sb_stemmer *st;
	bool pt;            /* Portuguese: -ões/-ães plurals meet their -ão singular */
	bool prefix;        /* a prefix query term: not stemmed */
	const char *scope;
	int slen, off;
};

static bool
ends_with(const char *w, int n, const char *suf)
{
	int sl = (int)strlen(suf);
	return n > sl && memcmp(w + n - sl, suf, (size_t)sl) == 0;
}

/* The stem of word (n bytes) by x's stemmer, through the cache. */
static const char *
stem_of(struct tctx *x, const char *word, int n, int *sl)
{
	struct stem_slot *slot = NULL;
	if (x->t->cache && x->stemmer < MAX_STEMMERS && n <= CACHE_WORD) {
		unsigned h = 2166136261u ^ (unsigned)x->stemmer;
		for (int i = 0; i < n; i++)
			h = (h ^ (unsigned char)word[i]) * 16777619u;
		slot = &x->t->cache[h % CACHE_SLOTS];
		if (slot->stemmer == x->stemmer + 1 && slot->wlen == n && memcmp(slot->word, word, (size_t)n) == 0) {
			*sl = slot->slen;
			return slot->stem;
		}
	}
	const sb_symbol *s = sb_stemmer_stem(x->st, (const sb_symbol *)word, n);
	if (!s) {
		*sl = n;
		return word;
	}
	*sl = sb_stemmer_length(x->st);
	if (slot && *sl <= CACHE_WORD) {
		slot->stemmer = (unsigned char)(x->stemmer + 1);
		slot->wlen = (unsigned char)n;
		slot->slen = (unsigned char)*sl;
		memcpy(slot->word, word, (size_t)n);
		memcpy(slot->stem, s, (size_t)*sl);
	}
	return (const char *)s;
}

static int
tok_word(void *p, int tflags, const char *w, int n, int start, int end)
{
	struct tctx *x = p;
	char word[MAX_WORD + 4], out[MAX_WORD + 32];
	const char *stem = w;
	int sl = n;
	if (n <= MAX_WORD && x->st && !x->prefix) {
		memcpy(word, w, (size_t)n);
		if (x->pt && n > 4 && (ends_with(w, n, "oes") || ends_with(w, n, "aes")))
			memcpy(word + n - 3, "ao", 2), n--;   // NOLINT(bugprone-not-null-terminated-result): word goes with its length n
		stem = stem_of(x, word, n, &sl);
	}
	if (!x->slen)
		return x->xToken(x->ctx, tflags, stem, sl, start + x->off, end + x->off);
	if (sl > MAX_WORD)
		sl = MAX_WORD;
	memcpy(out, x->scope, (size_t)x->slen);
	out[x->slen] = FTS_SEP;
	memcpy(out + x->slen + 1, stem, (size_t)sl);
	return x->xToken(x->ctx, tflags, out, x->slen + 1 + sl, start + x->off, end + x->off);
}

static int
tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
    int (*xToken)(void *, int, const char *, int, int, int))
{
	struct tok *t = (struct tok *)p;
	struct tctx x = {ctx, xToken, t, MAX_STEMMERS, NULL, false, (flags & FTS5_TOKENIZE_PREFIX) != 0, NULL, 0, 0};
	if (n > 3 && text[0] == FTS_MARK) {
		const char *end = memchr(text + 1, FTS_MARK, (size_t)(n - 1 < 64 ? n - 1 : 64));
		const char *sep = end ? memchr(text + 1, FTS_SEP, (size_t)(end - text - 1)) : NULL;
		if (sep && sep > text + 1 && name_ok(text + 1, (size_t)(sep - text - 1))) {
			x.scope = text + 1;
			x.slen = (int)(sep - text - 1);
			size_t ll = (size_t)(end - sep - 1);
			x.st = ll ? tok_stemmer(t, sep + 1, ll, &x.stemmer) : NULL;
			x.pt = ll == 10 && memcmp(sep + 1, "portuguese", 10) == 0;
			x.off = (int)(end - text + 1);
		}
	}
	return t->parent.xTokenize(t->pinst, &x, flags, text + x.off, n - x.off, tok_word);
}

int
fts_register(struct sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api)
		return SQLITE_ERROR;
	static fts5_tokenizer def = {tok_create, tok_delete, tok_tokenize};
	return api->xCreateTokenizer(api, "gazette", api, &def, NULL);
}

bool
fts_stemmer_known(const char *name)
{
	if (!name || !name_ok(name, strlen(name)))
		return false;
	struct sb_stemmer *st = sb_stemmer_new(name, NULL);
	if (st)
		sb_stemmer_delete(st);
	return st != NULL;
}

const char *
fts_language_for_locale(const char *locale)
{
	static const char *map[][2] = {
		{"ar", "arabic"}, {"ca", "catalan"}, {"da", "danish"}, {"de", "german"}, {"el", "greek"},
		{"en", "english"}, {"es", "spanish"}, {"eu", "basque"}, {"fi", "finnish"}, {"fr", "french"},
		{"ga", "irish"}, {"hi", "hindi"}, {"hu", "hungarian"}, {"hy", "armenian"}, {"id", "indonesian"},
		{"it", "italian"}, {"lt", "lithuanian"}, {"nb", "norwegian"}, {"ne", "nepali"}, {"nl", "dutch"},
		{"no", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"}, {"ru", "russian"}, {"sr", "serbian"},
		{"sv", "swedish"}, {"ta", "tamil"}, {"tr", "turkish"}, {"yi", "yiddish"},
	};
	/* whether libstemmer has each, found out once (0 not yet, 1 yes, -1 no):
	 * this runs for every article indexed and every search */
	static _Atomic signed char known[sizeof map / sizeof map[0]];
	size_t n = locale ? strcspn(locale, "_-.@") : 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (n == strlen(map[i][0]) && strncmp(locale, map[i][0], n) == 0) {
			if (!known[i])
				known[i] = fts_stemmer_known(map[i][1]) ? 1 : -1;
			return known[i] > 0 ? map[i][1] : "";
		}
	return "";
}

const char *
fts_marker(struct arena *a, const char *scope, const char *language)
{
	return arena_printf(a, "%c%s%c%s%c", FTS_MARK, scope, FTS_SEP, language ? language : "", FTS_MARK);
}

char *
fts_clean(struct arena *a, const char *text)
{
	size_t n = strlen(text);
	char *s = arena_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
	s[n] = 0;
	return s;
}

/* Does s hold a letter or digit (any non-ASCII byte counts: UTF-8 text)? */
static bool
has_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void
fts_parse(struct arena *a, const char *q, struct fts_query *out)
{
	memset(out, 0, sizeof *out);
	if (!q)
		return;
	if (strlen(q) > FTS_MAX_QUERY) {
		out->too_long = true;
		return;
	}
	const char *p = q;
	while (*p) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		bool neg = false, phrase = false;
		if (*p == '-' && p[1] && !is_space(p[1])) {
			neg = true;
			p++;
		}
		const char *s, *e;
		if (*p == '"') {
			phrase = true;
			s = ++p;
			while (*p && *p != '"')
				p++;
			e = p;
			if (*p)
				p++;   /* an unbalanced quote runs to the end */
		} else {
			s = p;
			while (*p && !is_space(*p) && *p != '"')
				p++;
			e = p;
		}
		size_t n = (size_t)(e - s);
		if (!neg && !phrase && n == 2 && strncasecmp(s, "or", 2) == 0) {
			if (out->n && !out->t[out->n - 1].negated)
				out->t[out->n - 1].or_next = true;
			continue;
		}
		if (!has_word(s, n))
			continue;
		if (out->n == FTS_MAX_TERMS) {
			out->too_many = true;
			break;
		}
		struct fts_term *t = &out->t[out->n++];
		t->text = arena_strndup(a, s, n);
		t->phrase = phrase;
		t->negated = neg;
		if (neg && out->n > 1)
			out->t[out->n - 2].or_next = false;
		if (!neg)
			out->positives++;
	}
	if (out->n)
		out->t[out->n - 1].or_next = false;
}

/* Writes the query: positive terms in OR-chains joined by AND, then the
 * exclusions. term() writes one operand. */
static const char *
render(struct arena *a, const struct fts_query *q, void (*term)(struct buf *b, const struct fts_term *t, const void *cx),
    const void *cx, const char *op_or, const char *op_and, const char *op_not)
{
	if (!q->positives)
		return NULL;
	struct buf b = {0};
	bool first = true, in_chain = false;
	for (int i = 0; i < q->n; i++) {
		const struct fts_term *t = &q->t[i];
		if (t->negated)
			continue;
		if (!in_chain) {
			buf_puts(&b, first ? "(" : op_and);
			if (!first)
				buf_putc(&b, '(');
			first = false;
		}
		term(&b, t, cx);
		in_chain = t->or_next && i + 1 < q->n && !q->t[i + 1].negated;
		buf_puts(&b, in_chain ? op_or : ")");
	}
	for (int i = 0; i < q->n; i++)
		if (q->t[i].negated) {
			buf_puts(&b, op_not);
			buf_putc(&b, '(');
			term(&b, &q->t[i], cx);
			buf_putc(&b, ')');
		}
	char *out = arena_strndup(a, b.s ? b.s : "", b.len);
	buf_free(&b);
	return out;
}

static void
term_fts5(struct buf *b, const struct fts_term *t, const void *cx)
{
	buf_putc(b, '"');
	buf_puts(b, cx);
	for (const char *s = t->text; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

const char *
fts_match_sqlite(struct arena *a, const struct fts_query *q, const char *scope, const char *language)
{
	return render(a, q, term_fts5, fts_marker(a, scope, language), " OR ", " AND ", " NOT ");
}

static void
pg_quoted(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_putc(b, '\'');
		if (s[i] != '\\')
			buf_putc(b, s[i]);
	}
	buf_putc(b, '\'');
}

/* Portuguese: the other number of an -ão / -ões / -ães word, or 0. */
static size_t
pt_other(const char *w, size_t n, char *out, size_t cap)
{
	static const struct { const char *from, *to; } rules[] = {
		{"\xc3\xb5" "es", "\xc3\xa3o"}, {"\xc3\xa3" "es", "\xc3\xa3o"}, {"oes", "ao"}, {"aes", "ao"},
		{"\xc3\xa3o", "\xc3\xb5" "es"}, {"ao", "oes"},
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		size_t fl = strlen(rules[i].from), tl = strlen(rules[i].to);
		if (n > fl + 1 && memcmp(w + n - fl, rules[i].from, fl) == 0 && n - fl + tl < cap) {
			memcpy(out, w, n - fl);
			memcpy(out + n - fl, rules[i].to, tl);
			return n - fl + tl;
		}
	}
	return 0;
}

static void
term_pg(struct buf *b, const struct fts_term *t, const void *cx)
{
	const char *language = cx;
	size_t n = strlen(t->text);
	char other[MAX_WORD + 8];
	size_t on = !t->phrase && strcmp(language, "portuguese") == 0 ? pt_other(t->text, n, other, sizeof other) : 0;
	if (on) {
		buf_putc(b, '(');
		pg_quoted(b, t->text, n);
		buf_puts(b, " | ");
		pg_quoted(b, other, on);
		buf_putc(b, ')');
	} else
		pg_quoted(b, t->text, n);
}

const char *
fts_tsquery_pg(struct arena *a, const struct fts_query *q, const char *language)
{
	return render(a, q, term_pg, language ? language : "", " | ", " & ", " & !");
}

const char *
fts_any_of(struct arena *a, const char *text, int max, bool pg, const char *scope, const char *language)
{
	struct fts_query q;
	memset(&q, 0, sizeof q);
	const char *p = text;
	while (*p && q.n < max && q.n < FTS_MAX_TERMS) {
		while (*p && !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
			p++;
		const char *s = p;
		while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
			p++;
		if (p - s >= 4) {
			struct fts_term *t = &q.t[q.n++];
			t->text = arena_strndup(a, s, (size_t)(p - s));
			t->or_next = true;
			q.positives++;
		}
	}
	if (!q.n)
		return NULL;
	q.t[q.n - 1].or_next = false;
	return pg ? fts_tsquery_pg(a, &q, language) : fts_match_sqlite(a, &q, scope, language);
}
