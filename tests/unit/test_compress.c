/* test_compress.c: the quick gzip encoder (ISA-L) against libdeflate's
 * decoder, and the CPU state the encoders leave behind. */
#include <cpuid.h>
#include <criterion/criterion.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compress.h"

static void
round_trip(const char *in, size_t len)
{
	size_t zl = 0;
	char *gz = compress_gzip_quick(in, len, &zl);
	cr_assert_not_null(gz, "a %zu-byte page compresses", len);
	cr_assert_lt(zl, len);
	cr_assert_eq((unsigned char)gz[0], 0x1f);
	cr_assert_eq((unsigned char)gz[1], 0x8b);
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	char *back = malloc(len + 1);
	size_t got = 0;
	cr_assert_eq(libdeflate_gzip_decompress(d, gz, zl, back, len + 1, &got), LIBDEFLATE_SUCCESS);
	cr_assert_eq(got, len);
	cr_assert(memcmp(back, in, len) == 0, "the same bytes come back");
	free(back);
	free(gz);
	libdeflate_free_decompressor(d);
}

Test(compress, quick_gzip_round_trips)
{
	/* pages of the sizes Gazette sends, repetitive as HTML is */
	static const char *const parts[] = {"<li><a href=\"/en/section/world\">World</a></li>\n", "<p>Élan, ação, 東京 — ",
		"<meta property=\"og:title\" content=\"x\">", "\t\t<div class=\"card\">"};
	for (size_t len = 300; len <= (1u << 20); len *= 4) {
		char *page = malloc(len);
		size_t n = 0;
		for (unsigned i = 0; n < len; i++) {
			const char *p = parts[(i * 7 + i / 3) % 4];
			size_t pl = strlen(p);
			if (pl > len - n)
				pl = len - n;
			memcpy(page + n, p, pl);
			n += pl;
		}
		round_trip(page, len);
		free(page);
	}
}

Test(compress, quick_gzip_gives_up_on_noise)
{
	/* bytes that do not compress come back as NULL: the identity body is sent */
	size_t len = 64 * 1024;
	unsigned char *noise = malloc(len);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise[i] = (unsigned char)x;
	}
	size_t zl = 0;
	cr_assert_null(compress_gzip_quick((const char *)noise, len, &zl));
	free(noise);
}

/* The YMM upper halves are clean after each encoder (see compress.c: ISA-L
 * leaves them dirty, and every later SSE instruction of the thread pays).
 * XGETBV with ECX=1 reads XINUSE; its bit 2 is the AVX state. Skipped on a
 * CPU that cannot say. */
static int
avx_state_in_use(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(0xd, 1, &a, &b, &c, &d) || !(a & 4))
		return -1;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return -1;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
	return (lo >> 2) & 1;
}

Test(compress, encoders_leave_the_avx_state_clean)
{
	if (avx_state_in_use() < 0) {
		cr_skip_test("this CPU does not report XINUSE");
		return;
	}
	static const char para[] = "<p class=\"lede\">A story, told twice.</p>\n";
	size_t len = 14000, zl;
	char *page = malloc(len);
	for (size_t i = 0; i < len; i++)
		page[i] = para[i % (sizeof para - 1)];
	char *gz = compress_gzip_quick(page, len, &zl);
	int quick = avx_state_in_use();
	cr_assert_not_null(gz);
	free(gz);
	gz = compress_gzip(page, len, 6, &zl);
	int full = avx_state_in_use();
	cr_assert_not_null(gz);
	free(gz);
	free(page);
	cr_assert_eq(quick, 0, "the upper YMM halves are clean after ISA-L");
	cr_assert_eq(full, 0, "and after libdeflate");
}
