/* compress.c: gzip and brotli through zlib and libbrotlienc, and the
 * Accept-Encoding parsing that chooses between them. */
#include "compress.h"
#include "arena.h"
#include <brotli/encode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

char *
compress_gzip(const char *in, size_t len, int level, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)len);
	char *out = xmalloc(cap);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || *outlen >= len) {
		free(out);
		return NULL;
	}
	return out;
}

char *
compress_brotli(const char *in, size_t len, int quality, size_t *outlen)
{
	size_t cap = BrotliEncoderMaxCompressedSize(len);
	if (cap == 0)
		return NULL;
	char *out = xmalloc(cap);
	*outlen = cap;
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len, (const uint8_t *)in,
	    outlen, (uint8_t *)out) || *outlen >= len) {
		free(out);
		return NULL;
	}
	return out;
}

bool
compress_worth(const char *type, size_t len)
{
	if (!type || len < 256)
		return false;
	return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
	    strncmp(type, "application/xml", 15) == 0 || strncmp(type, "application/atom+xml", 20) == 0 ||
	    strncmp(type, "application/rss+xml", 19) == 0 || strncmp(type, "image/svg+xml", 13) == 0;
}

/* Is coding listed with a non-zero q? */
static bool
accepts(const char *h, const char *coding)
{
	size_t cl = strlen(coding);
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ')
			p++;
		bool match = (size_t)(p - tok) == cl && strncasecmp(tok, coding, cl) == 0;
		double q = 1;
		while (*p && *p != ',') {
			if (*p == ';') {
				p++;
				while (*p == ' ')
					p++;
				if (p[0] == 'q' && p[1] == '=')
					q = strtod(p + 2, NULL);
			} else
				p++;
		}
		if (match)
			return q > 0;
	}
	return false;
}

unsigned
compress_accepted(const char *h)
{
	if (!h)
		return 0;
	return (accepts(h, "gzip") ? 1u : 0u) | (accepts(h, "br") ? 2u : 0u);
}
