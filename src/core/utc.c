/* utc.c: UTC calendar fields from Unix time, by integer arithmetic.
 *
 * gmtime_r takes glibc's process-wide time-zone lock on every call (even
 * for UTC), and a page reaches it dozens of times (each article URL holds
 * its year and month), so request threads queued on that lock. Beyond the
 * fields it writes only the machine form, ISO 8601 in UTC; dates for
 * readers are core/i18n's (ICU), and time zones are not known here. */
#include "utc.h"

void
utc_fields(long long t, struct utc *u)
{
	long long days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	u->hour = (int)(rem / 3600);
	u->min = (int)(rem / 60 % 60);
	u->sec = (int)(rem % 60);
	/* Count from 0000-03-01, so that the leap day ends each year: a
	 * 400-year era has 146,097 days; within it, a year of 365 days with
	 * one more every 4th, one less every 100th, one more every 400th. */
	long long z = days + 719468;   /* days from 0000-03-01 to 1970-01-01 */
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;                                       /* 0..146096 */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* 0..399 */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* 0..365, from March */
	long long mp = (5 * doy + 2) / 153;                                      /* 0 = March .. 11 = February */
	u->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	u->year = yoe + era * 400 + (u->month <= 2);
}

int
utc_iso8601(long long t, char s[21])
{
	struct utc u;
	utc_fields(t, &u);
	if (u.year < 0 || u.year > 9999) {
		s[0] = 0;
		return -1;
	}
	int y = (int)u.year, f[5] = {u.month, u.day, u.hour, u.min, u.sec};
	static const char sep[5] = {'-', 'T', ':', ':', 'Z'};
	s[0] = (char)('0' + y / 1000);
	s[1] = (char)('0' + y / 100 % 10);
	s[2] = (char)('0' + y / 10 % 10);
	s[3] = (char)('0' + y % 10);
	s[4] = '-';
	for (int i = 0; i < 5; i++) {
		s[5 + 3 * i] = (char)('0' + f[i] / 10);
		s[6 + 3 * i] = (char)('0' + f[i] % 10);
		s[7 + 3 * i] = sep[i];
	}
	s[20] = 0;
	return 0;
}
