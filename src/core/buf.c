/* buf.c: growable buffers and context escapers (HTML text, attribute, URL,
 * JSON, XML). Escapers never fail: bytes that cannot be represented in the
 * target context are dropped or replaced, never passed through. */
#include "buf.h"
#include "arena.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>

void
buf_grow(struct buf *b, size_t extra)
{
	if (b->cap - b->len > extra)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra) {
		if (cap > SIZE_MAX / 2)
			oom();
		cap *= 2;
	}
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
buf_raw(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_raw(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *s = b->s;
	if (len)
		*len = b->len;
	if (!s)
		s = xcalloc(1, 1);
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* Writes s escaping the characters that have meaning in HTML. Quotes are
 * escaped too, so the same bytes are safe in text and quoted attributes.
 * A table marks the bytes to replace; runs of plain bytes go out in one
 * copy. */
static const char *const markup_rep[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;", ['\0'] = "",
};

/* The length of the run at the start of s[0..n) that holds none of the
 * bytes an escaper acts on, sixteen bytes a step with SSE2, which every
 * x86-64 has. All three stop at & < > " and '; markup also at NUL; an URL
 * also at a control character, space or DEL; JSON also at a control
 * character, a backslash and 0xE2 (the lead byte of U+2028 and U+2029).
 * What is left when fewer than sixteen remain is for the caller's table,
 * as is everything on other machines. */
enum run { RUN_MARKUP, RUN_URL, RUN_JSON };

static inline size_t
plain_run(const char *s, size_t n, enum run kind)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
		quot = _mm_set1_epi8('"'), apos = _mm_set1_epi8('\''), space = _mm_set1_epi8(' '),
		del = _mm_set1_epi8(0x7f), zero = _mm_setzero_si128(), us = _mm_set1_epi8(0x1f),
		bsl = _mm_set1_epi8('\\'), e2 = _mm_set1_epi8((char)0xe2);
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt)),
		    _mm_or_si128(_mm_cmpeq_epi8(x, gt), _mm_cmpeq_epi8(x, quot)));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(x, apos));
		if (kind == RUN_URL)   /* x <= ' ' (unsigned): controls, space and NUL */
			m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, space), x), _mm_cmpeq_epi8(x, del)));
		else if (kind == RUN_JSON)   /* x <= 0x1f: controls and NUL */
			m = _mm_or_si128(_mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, us), x)),
			    _mm_or_si128(_mm_cmpeq_epi8(x, bsl), _mm_cmpeq_epi8(x, e2)));
		else
			m = _mm_or_si128(m, _mm_cmpeq_epi8(x, zero));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#else
	(void)s;
	(void)n;
	(void)kind;
#endif
	return i;
}

static void
esc_markup(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n + 16);
	size_t start = 0, i = 0;
	while (i < n) {
		if (n - i >= 16 && (i += plain_run(s + i, n - i, RUN_MARKUP)) == n)
			break;
		const char *rep = markup_rep[(unsigned char)s[i]];
		if (!rep) {
			i++;
			continue;
		}
		buf_raw(b, s + start, i - start);
		buf_puts(b, rep);
		start = ++i;
	}
	buf_raw(b, s + start, n - start);
}

void
buf_esc_html(struct buf *b, const char *s, size_t n)
{
	esc_markup(b, s, n);
}

void
buf_esc_attr(struct buf *b, const char *s, size_t n)
{
	esc_markup(b, s, n);
}

bool
url_scheme_safe(const char *s, size_t n)
{
	/* A scheme is the run before the first ':' if that run comes before any
	 * '/', '?' or '#'. No scheme means a relative URL: safe. */
	size_t i;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true;
	}
	if (i == n)
		return true;
	static const char *ok[] = {"http", "https", "mailto"};
	for (size_t k = 0; k < sizeof ok / sizeof *ok; k++) {
		if (strlen(ok[k]) == i && strncasecmp(s, ok[k], i) == 0)
			return true;
	}
	return false;
}

/* Bytes an URL attribute refuses outright: browsers ignore tabs and
 * newlines inside schemes ("java\nscript:"), so any control character or
 * space makes the whole URL "#". */
static const unsigned char url_bad[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
	[' '] = 1, [0x7f] = 1,
	['&'] = 2, ['<'] = 2, ['>'] = 2, ['"'] = 2, ['\''] = 2,
};

void
buf_esc_url(struct buf *b, const char *s, size_t n)
{
	if (!url_scheme_safe(s, n)) {
		buf_putc(b, '#');
		return;
	}
	/* one pass: escape as markup, and undo the output on a refused byte */
	size_t mark = b->len, start = 0, i = 0;
	buf_grow(b, n + 16);
	while (i < n) {
		if (n - i >= 16 && (i += plain_run(s + i, n - i, RUN_URL)) == n)
			break;
		unsigned char k = url_bad[(unsigned char)s[i]];
		if (!k) {
			i++;
			continue;
		}
		if (k == 1) {
			b->len = mark;
			buf_putc(b, '#');
			return;
		}
		const char *rep = markup_rep[(unsigned char)s[i]];   /* set for every byte marked 2 */
		buf_raw(b, s + start, i - start);
		if (rep)
			buf_puts(b, rep);
		start = ++i;
	}
	buf_raw(b, s + start, n - start);
}

void
buf_esc_urlpart(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	if (n > (SIZE_MAX - 1) / 3)
		oom();
	buf_grow(b, 3 * n);   /* every byte escaped at worst: written in place */
	char *o = b->s + b->len;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	b->len = (size_t)(o - b->s);
	b->s[b->len] = 0;
}

/* JSON string escapes, safe inside <script>: < > & ' are escaped so that
 * "</script>" or "<!--" inside a string cannot end a script element. */
static const char *const json_rep[256] = {
	[0x00] = "\\u0000", [0x01] = "\\u0001", [0x02] = "\\u0002", [0x03] = "\\u0003",
	[0x04] = "\\u0004", [0x05] = "\\u0005", [0x06] = "\\u0006", [0x07] = "\\u0007",
	[0x08] = "\\u0008", [0x09] = "\\t", [0x0a] = "\\n", [0x0b] = "\\u000b",
	[0x0c] = "\\u000c", [0x0d] = "\\r", [0x0e] = "\\u000e", [0x0f] = "\\u000f",
	[0x10] = "\\u0010", [0x11] = "\\u0011", [0x12] = "\\u0012", [0x13] = "\\u0013",
	[0x14] = "\\u0014", [0x15] = "\\u0015", [0x16] = "\\u0016", [0x17] = "\\u0017",
	[0x18] = "\\u0018", [0x19] = "\\u0019", [0x1a] = "\\u001a", [0x1b] = "\\u001b",
	[0x1c] = "\\u001c", [0x1d] = "\\u001d", [0x1e] = "\\u001e", [0x1f] = "\\u001f",
	['"'] = "\\\"", ['\\'] = "\\\\", ['<'] = "\\u003c", ['>'] = "\\u003e",
	['&'] = "\\u0026", ['\''] = "\\u0027",
	[0xe2] = "",   /* maybe U+2028/U+2029: looked at below */
};

void
buf_esc_json(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n + 16);
	b->s[b->len++] = '"';
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (n - i >= 16 && (i += plain_run(s + i, n - i, RUN_JSON)) == n)
			break;
		const char *rep = json_rep[(unsigned char)s[i]];
		if (!rep)
			continue;
		if (!*rep) {   /* U+2028/9 end a line for old parsers */
			if (!(i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
				continue;
			rep = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
			buf_raw(b, s + start, i - start);
			buf_puts(b, rep);
			i += 2;
			start = i + 1;
			continue;
		}
		buf_raw(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_raw(b, s + start, n - start);
	buf_putc(b, '"');
}

void
buf_esc_xml(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&apos;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			rep = "";  /* XML 1.0 forbids these outright */
		else
			continue;
		buf_raw(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_raw(b, s + start, n - start);
}

bool
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
url_decode(char *out, const char *s, size_t n, bool plus_is_space)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n)
				return -1;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == 0)
			return -1;
		out[o++] = c;
	}
	out[o] = 0;
	if (!utf8_valid(out, o))
		return -1;
	return (long)o;
}

bool
http_qlist_next(const char **pp, const char **tok, size_t *toklen, double *q)
{
	const char *p = *pp;
	while (*p == ' ' || *p == ',' || *p == '\t')
		p++;
	if (!*p) {
		*pp = p;
		return false;
	}
	*tok = p;
	while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	*toklen = (size_t)(p - *tok);
	*q = 1.0;
	while (*p && *p != ',') {
		if (*p == ';') {
			p++;
			while (*p == ' ')
				p++;
			if (p[0] == 'q' && p[1] == '=')
				*q = strtod(p + 2, NULL);
		} else
			p++;
	}
	if (!(*q >= 0 && *q <= 1))   /* also catches NaN */
		*q = 0;
	*pp = p;
	return true;
}

void
errmsg(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

unsigned long long
str_hash(const char *s)
{
	unsigned long long h = FNV_OFFSET;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h;
}

/* the same hash without a strlen pass first (str_hash is on hot paths) */
unsigned long long
str_hashn(const char *s, size_t n)
{
	unsigned long long h = FNV_OFFSET;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return h;
}
