/* test_utc.c: UTC fields by arithmetic against glibc's gmtime_r. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "utc.h"

static void
same_as_gmtime(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	cr_assert_not_null(gmtime_r(&tt, &tm), "gmtime_r(%lld)", t);
	struct utc u;
	utc_fields(t, &u);
	cr_assert_eq(u.year, tm.tm_year + 1900LL, "year of %lld", t);
	cr_assert_eq(u.month, tm.tm_mon + 1, "month of %lld", t);
	cr_assert_eq(u.day, tm.tm_mday, "day of %lld", t);
	cr_assert_eq(u.hour, tm.tm_hour, "hour of %lld", t);
	cr_assert_eq(u.min, tm.tm_min, "minute of %lld", t);
	cr_assert_eq(u.sec, tm.tm_sec, "second of %lld", t);
}

Test(utc, agrees_with_gmtime)
{
	/* the edges: the epoch, a second either side, leap days, centuries
	 * that are and are not leap years, year 1 and 9999, before 1970 */
	static const long long edges[] = {0, -1, 1, 86399, 86400, -86400, -86401, 951782400 /* 2000-02-29 */,
		951868800 /* 2000-03-01 */, 4107542400 /* 2100-03-01 */, 4107456000 /* 2100-02-28 */, 1709164800 /* 2024-02-29 */,
		-62135596800 /* 0001-01-01 */, 253402300799 /* 9999-12-31T23:59:59 */, -2208988800 /* 1900-01-01 */,
		-11644473600 /* 1601-01-01 */, 68256000000LL};
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
		same_as_gmtime(edges[i]);
	/* every day of 1900..2200 at a second that varies, and random times
	 * across ±10,000 years */
	for (long long t = -2208988800LL; t < 7258118400LL; t += 86400 + 7)
		same_as_gmtime(t);
	srand(7);
	for (int i = 0; i < 200000; i++) {
		long long t = ((long long)rand() << 31 | rand()) % 315569520000LL;
		same_as_gmtime(rand() & 1 ? t : -t);
	}
}

Test(utc, iso8601)
{
	char s[21];
	cr_assert_eq(utc_iso8601(0, s), 0);
	cr_assert_str_eq(s, "1970-01-01T00:00:00Z");
	cr_assert_eq(utc_iso8601(1795372200, s), 0);
	cr_assert_str_eq(s, "2026-11-22T18:30:00Z");   /* date -u -d @1795372200 */
	cr_assert_eq(utc_iso8601(-62135596800, s), 0);
	cr_assert_str_eq(s, "0001-01-01T00:00:00Z");
	/* years ISO's four digits cannot hold are refused, not wrapped */
	cr_assert_eq(utc_iso8601(253402300800, s), -1);
	cr_assert_str_eq(s, "");
	cr_assert_eq(utc_iso8601(-62167219201, s), -1);
	/* the far ends of the type do not overflow */
	struct utc u;
	utc_fields(INT64_MAX, &u);
	cr_assert_gt(u.year, 292000000000LL);
	utc_fields(INT64_MIN, &u);
	cr_assert_lt(u.year, -292000000000LL);
	cr_assert(u.month >= 1 && u.month <= 12 && u.day >= 1 && u.day <= 31);
}
