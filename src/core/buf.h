/* buf.h: growable byte buffers and the escapers, one per output context.
 * Everything Gazette writes into HTML, URLs, JSON or XML passes through one
 * of the buf_esc_* calls below; buf_raw() is the visibly different call for
 * bytes Gazette produced or sanitized itself. */
#ifndef GZ_BUF_H
#define GZ_BUF_H
#include <stddef.h>
#include <stdbool.h>

struct buf {
	char *s;       /* always NUL-terminated when s != NULL */
	size_t len, cap;
};

void buf_grow(struct buf *b, size_t extra);
void buf_raw(struct buf *b, const char *s, size_t n);   /* trusted bytes only */
void buf_puts(struct buf *b, const char *s);            /* trusted C string */
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);           /* caller frees */

/* Escapers: each writes s[0..n) escaped for one context. */
void buf_esc_html(struct buf *b, const char *s, size_t n);     /* element text */
void buf_esc_attr(struct buf *b, const char *s, size_t n);     /* quoted attribute value */
void buf_esc_url(struct buf *b, const char *s, size_t n);      /* href/src value: unsafe schemes become "#", then attribute-escaped */
void buf_esc_urlpart(struct buf *b, const char *s, size_t n);  /* one path segment or query value, percent-encoded */
void buf_esc_json(struct buf *b, const char *s, size_t n);     /* a JSON string literal, quotes included, safe inside <script> */
void buf_esc_xml(struct buf *b, const char *s, size_t n);      /* XML text or attribute; drops characters XML forbids */

/* Text helpers shared by the request parser and the escapers. */
/* FNV-1a over a C string: the one string hash of the hash tables in core
 * (page cache keys, cache tags, catalogs, statement caches, template
 * names); str_hashn is the same over n bytes that need not end in NUL. */
unsigned long long str_hash(const char *s);
unsigned long long str_hashn(const char *s, size_t n);
/* A message into err (n bytes), cut short if it must be: for error
 * messages, where a long path is only said, never parsed. */
void errmsg(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool utf8_valid(const char *s, size_t n);
bool url_scheme_safe(const char *s, size_t n);  /* relative, http(s), mailto */
/* Percent-decodes s[0..n) into out (which needs n+1 bytes); '+' becomes a
 * space when plus_is_space. Returns the decoded length, or -1 on a bad
 * escape, a NUL byte or invalid UTF-8. */
long url_decode(char *out, const char *s, size_t n, bool plus_is_space);
/* Walks an HTTP list with quality values ("pt-BR, es;q=0.8, *;q=0"):
 * each call gives the next item's token and q (0 for a bad or out-of-range
 * q); returns false at the end. *p advances. */
bool http_qlist_next(const char **p, const char **tok, size_t *toklen, double *q);

#endif
