/* log.c: writes "2025-03-14T09:30:00Z LEVEL message" lines to stderr.
 * One fprintf per record so concurrent threads do not interleave. */
#include "log.h"
#include "utc.h"
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int quiet;

void
log_set_quiet(int q)
{
	quiet = q;
}

static void
vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[2048], ts[21];
	utc_iso8601((long long)time(NULL), ts);
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* one record, one line: fold the newlines some libraries put in messages */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s %s %s\n", ts, level, msg);
}

void
log_info(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}
