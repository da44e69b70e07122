/* utc.h: calendar fields of a Unix time in UTC, by arithmetic. */
#ifndef GZ_UTC_H
#define GZ_UTC_H

struct utc {
	long long year;   /* proleptic Gregorian; may lie outside 1..9999 */
	int month;        /* 1..12 */
	int day;          /* 1..31 */
	int hour, min, sec;
};

/* Fills u for the time t (seconds since 1970-01-01T00:00:00Z, any sign). */
void utc_fields(long long t, struct utc *u);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (20 characters and a NUL); a year
 * outside 0..9999 writes "" and returns -1. */
int utc_iso8601(long long t, char s[21]);

#endif
