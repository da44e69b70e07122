/* comment_rules.c: the checks on a posted comment that need no database:
 * the signed form token (when the form was shown, for which article), the
 * proof of work on it, hold and deny word lists, counting links, and
 * cleaning names and bodies of control and direction-override characters.
 * Pure functions of their input and the site secret: unit-tested alone. */
#include "comments.h"
#include "core/i18n.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "TIME.NONCE.MAC": MAC = keyed hash of "ARTICLE.TIME.NONCE" */
const char *
form_token_make(struct arena *a, long long article_id, long long now)
{
	unsigned char nonce[9];
	char nhex[19];
	randombytes_buf(nonce, sizeof nonce);
	sodium_bin2hex(nhex, sizeof nhex, nonce, sizeof nonce);
	const char *msg = arena_printf(a, "%lld.%lld.%s", article_id, now, nhex);
	return arena_printf(a, "%lld.%s.%s", now, nhex, site_mac_hex(a, "form", msg, 32));
}

long long
form_token_check(struct arena *a, const char *tok, long long article_id)
{
	if (!tok || strlen(tok) > 80)
		return -1;
	char *end;
	long long t = strtoll(tok, &end, 10);
	if (end == tok || *end != '.' || t <= 0)
		return -1;
	const char *nonce = end + 1, *dot = strchr(nonce, '.');
	if (!dot || dot - nonce != 18 || strspn(nonce, "0123456789abcdef") != 18)
		return -1;
	const char *msg = arena_printf(a, "%lld.%lld.%.18s", article_id, t, nonce);
	const char *want = site_mac_hex(a, "form", msg, 32);
	if (strlen(dot + 1) != 32 || sodium_memcmp(want, dot + 1, 32) != 0)
		return -1;
	return t;
}

bool
pow_check(const char *challenge, const char *answer, int bits)
{
	if (bits <= 0)
		return true;
	if (!challenge || !answer || !*answer || strlen(answer) > 20 || strspn(answer, "0123456789") != strlen(answer))
		return false;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state s;
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)challenge, strlen(challenge));
	crypto_hash_sha256_update(&s, (const unsigned char *)":", 1);
	crypto_hash_sha256_update(&s, (const unsigned char *)answer, strlen(answer));
	crypto_hash_sha256_final(&s, h);
	for (int i = 0; i < bits; i++)
		if (h[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static bool
word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const char *
words_find(struct arena *a, const char *list, const char *text)
{
	if (!list || !*list)
		return NULL;
	const char *ft = i18n_fold(a, text);
	size_t tl = strlen(ft);
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ",\n");
		char *w = arena_strndup(a, p, l);
		p += l + (p[l] ? 1 : 0);
		while (*w == ' ' || *w == '\t' || *w == '\r')
			w++;
		size_t wl = strlen(w);
		while (wl && (w[wl - 1] == ' ' || w[wl - 1] == '\t' || w[wl - 1] == '\r'))
			w[--wl] = 0;
		if (!wl)
			continue;
		const char *fw = i18n_fold(a, w);
		size_t fl = strlen(fw);
		/* whole words only: "ass" must not catch "class" */
		for (const char *hit = ft; (hit = strstr(hit, fw)); hit++) {
			bool before = hit > ft && word_byte((unsigned char)hit[-1]) && word_byte((unsigned char)fw[0]);
			bool after = (size_t)(hit - ft) + fl < tl && word_byte((unsigned char)hit[fl]) && word_byte((unsigned char)fw[fl - 1]);
			if (!before && !after)
				return w;
		}
	}
	return NULL;
}

int
html_link_count(const char *html)
{
	int n = 0;
	for (const char *p = html; (p = strstr(p, "<a ")); p += 3)
		n++;
	return n;
}

/* Code points that reorder or hide text: the bidi embeddings, overrides
 * and isolates, and the byte-order mark. */
static bool
invisible_control(unsigned cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

const char *
text_clean(struct arena *a, const char *s, bool multiline)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			i++;
			if (c == '\r')
				continue;   /* CRLF from the form becomes LF */
			if (c == '\n' && multiline)
				out[o++] = '\n';
			else if (c == '\t' || c == '\n')
				out[o++] = ' ';
			else if (c >= 0x20 && c != 0x7f)
				out[o++] = (char)c;
			continue;
		}
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + len > n)
			break;   /* the input is valid UTF-8 (core/form): only a cut tail */
		unsigned cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
		for (size_t k = 1; k < len; k++)
			cp = cp << 6 | ((unsigned char)s[i + k] & 0x3fu);
		bool c1 = cp >= 0x80 && cp < 0xa0;   /* C1 controls */
		if (!invisible_control(cp) && !c1) {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	/* no spaces or blank lines at either end */
	size_t start = 0;
	while (start < o && (out[start] == ' ' || out[start] == '\n'))
		start++;
	while (o > start && (out[o - 1] == ' ' || out[o - 1] == '\n'))
		o--;
	out[o] = 0;
	return out + start;
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

bool
email_plausible(const char *e)
{
	const char *at = strchr(e, '@');
	size_t n = strlen(e);
	if (!at || at == e || strchr(at + 1, '@') || n > 254 || !strchr(at + 1, '.'))
		return false;
	if (at[1] == '.' || e[n - 1] == '.')
		return false;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' || *p == ';')
			return false;
	return true;
}
