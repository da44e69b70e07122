/* text.c: cleaning what readers type into names and messages (control and
 * direction-override characters, CR, stray spaces), counting characters,
 * and judging the shape of an email address; the one writer of reader
 * text into CSV (for spreadsheets, so formulas are neutralized); and the
 * random hex of every token Gazette hands out. Input is
 * valid UTF-8 (core/form refuses anything else). */
#include "text.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

/* One CSV field (RFC 4180), with spreadsheet formulas neutralized: a cell
 * that starts with = + - @ or a tab/CR gets a leading apostrophe. */
void
csv_field(FILE *f, const char *s)
{
	bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

void
random_hex(char *out, size_t nbytes)
{
	unsigned char rnd[64];
	if (nbytes > sizeof rnd)
		nbytes = sizeof rnd;
	randombytes_buf(rnd, nbytes);
	sodium_bin2hex(out, 2 * nbytes + 1, rnd, nbytes);
	sodium_memzero(rnd, sizeof rnd);
}
