/* comment_rules.c: the checks on a posted comment that need no database:
 * the signed form token (when the form was shown, for which article), the
 * proof of work on it, hold and deny word lists, and counting links.
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
	char nhex[19];
	random_hex(nhex, 9);
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
