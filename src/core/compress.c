/* compress.c: gzip through libdeflate (or ISA-L, for a page sent to one
 * reader), brotli through libbrotlienc, and the Accept-Encoding parsing
 * that chooses between them.
 *
 * DESIGN: gzip uses libdeflate rather than zlib: pages are compressed whole
 * from memory, which is what libdeflate does, several times faster than
 * zlib's streaming deflate and without zlib's per-stream set-up (allocating
 * and clearing ~256 KiB of state per call). Each thread keeps one
 * compressor per level and one scratch buffer (struct compressors); they
 * are freed when the thread ends. */
#include "compress.h"
#include "arena.h"
#include "buf.h"
#include <brotli/encode.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEVELS 13
struct compressors {
	struct libdeflate_compressor *c[LEVELS];
	/* every encoder writes here first: the result is then copied to an
	 * allocation of its exact size, because a page kept in the cache for
	 * hours should not hold the worst-case bound (as large as the page)
	 * for a body a third of that */
	char *scratch;
	size_t cap;
};

static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void
free_compressors(void *p)
{
	struct compressors *cs = p;
	for (int i = 0; i < LEVELS; i++)
		if (cs->c[i])
			libdeflate_free_compressor(cs->c[i]);
	free(cs->scratch);
	free(cs);
}

static void
make_key(void)
{
	pthread_key_create(&key, free_compressors);
}

static struct compressors *
thread_state(void)
{
	pthread_once(&key_once, make_key);
	struct compressors *cs = pthread_getspecific(key);
	if (!cs) {
		cs = xcalloc(1, sizeof *cs);
		pthread_setspecific(key, cs);
	}
	return cs;
}

/* The thread's scratch buffer, at least n bytes. */
static char *
scratch(struct compressors *cs, size_t n)
{
	if (cs->cap < n) {
		free(cs->scratch);
		cs->scratch = xmalloc(n);
		cs->cap = n;
	}
	return cs->scratch;
}

static struct libdeflate_compressor *
compressor(struct compressors *cs, int level)
{
	if (level < 1 || level >= LEVELS)
		level = 6;
	if (!cs->c[level] && !(cs->c[level] = libdeflate_alloc_compressor(level)))
		oom();
	return cs->c[level];
}

char *
compress_gzip(const char *in, size_t len, int level, size_t *outlen)
{
	struct compressors *cs = thread_state();
	struct libdeflate_compressor *c = compressor(cs, level);
	size_t cap = libdeflate_gzip_compress_bound(c, len);
	char *out = scratch(cs, cap);
	*outlen = libdeflate_gzip_compress(c, in, len, out, cap);
	if (*outlen == 0 || *outlen >= len)
		return NULL;
	return xmemdup(out, *outlen);
}

/* ---- gzip for one reader: ISA-L -------------------------------------------- */

/* ISA-L's AVX2 code returns without VZEROUPPER (Debian's libisal 2.30 has
 * none), leaving the upper halves of the YMM registers dirty. Until they
 * are cleared, every SSE instruction the thread runs afterwards (gcc's
 * struct copies, the escapers, glibc) is merged with them and runs slower.
 * Measured here on the uncached article with gzip: 16,000 req/s and 81 us
 * of user CPU per request before the state was cleared, 20,000 and 61 us
 * after; the compression itself is ~15 us. So the state is cleared on the
 * way out, on CPUs that have AVX. libdeflate clears it itself; the test
 * (tests/unit/test_compress.c) checks both. */
__attribute__((target("avx"))) static void
zeroupper_avx(void)
{
	__builtin_ia32_vzeroupper();
}

static void
clear_upper_state(void)
{
	if (__builtin_cpu_supports("avx"))   /* a load and a bit test */
		zeroupper_avx();
}

/* A page rendered for one reader (not kept in the page cache) is compressed
 * on the request's own time, so speed beats ratio. For a 14 KB article,
 * measured in the server: libdeflate's fastest level cost ~44 us, ISA-L's
 * level 1 ~35 us (4 % more bytes), its level 0 ~24 us (16 % more bytes,
 * still 64 % smaller than the page). ISA-L's figures carried the penalty
 * above; with the state cleared, level 0 costs ~18 us. Level 0 needs no
 * level buffer (ISAL_DEF_LVL0_REQ is 0): only the thread's scratch for the
 * output. */
char *
compress_gzip_quick(const char *in, size_t len, size_t *outlen)
{
	if (len > UINT32_MAX / 2)
		return NULL;
	size_t cap = len + len / 16 + 1024;   /* stored blocks at worst, with the gzip frame */
	char *out = scratch(thread_state(), cap);
	struct isal_zstream z;
	isal_deflate_stateless_init(&z);
	z.level = 0;
	z.gzip_flag = IGZIP_GZIP;
	z.end_of_stream = 1;
	z.flush = NO_FLUSH;
	z.next_in = (uint8_t *)(uintptr_t)in;
	z.avail_in = (uint32_t)len;
	z.next_out = (uint8_t *)out;
	z.avail_out = (uint32_t)cap;
	int rc = isal_deflate_stateless(&z);
	clear_upper_state();
	if (rc != COMP_OK || z.total_out >= len)
		return NULL;
	*outlen = z.total_out;
	return xmemdup(out, *outlen);
}

char *
compress_brotli(const char *in, size_t len, int quality, size_t *outlen)
{
	size_t cap = BrotliEncoderMaxCompressedSize(len);
	if (cap == 0)
		return NULL;
	char *out = scratch(thread_state(), cap);
	*outlen = cap;
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len, (const uint8_t *)in,
	    outlen, (uint8_t *)out) || *outlen >= len)
		return NULL;
	return xmemdup(out, *outlen);
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
	size_t cl = strlen(coding), n;
	const char *tok;
	double q;
	while (http_qlist_next(&h, &tok, &n, &q))
		if (n == cl && strncasecmp(tok, coding, cl) == 0)
			return q > 0;
	return false;
}

unsigned
compress_accepted(const char *h)
{
	if (!h)
		return 0;
	return (accepts(h, "gzip") ? 1u : 0u) | (accepts(h, "br") ? 2u : 0u);
}
