/* ics.c: writing iCalendar (RFC 5545) content lines: TEXT escaping, folding
 * at 75 octets on UTF-8 boundaries, CRLF endings, UTC times. It knows
 * nothing of events: the callers put the components together. */
#include "ics.h"
#include <string.h>
#include <time.h>

/* Folds the content line in line[0..n) onto b: CRLF + space before any
 * octet that would pass 75, never inside a UTF-8 sequence. */
static void
fold(struct buf *b, const char *line, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n;) {
		size_t len = 1;
		unsigned char c = (unsigned char)line[i];
		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (i + len > n)
			len = n - i;
		if (col + len > 75) {
			buf_raw(b, "\r\n ", 3);
			col = 1;
		}
		buf_raw(b, line + i, len);
		col += len;
		i += len;
	}
	buf_raw(b, "\r\n", 2);
}

void
ics_raw(struct buf *b, const char *name, const char *value)
{
	struct buf line = {0};
	buf_puts(&line, name);
	buf_putc(&line, ':');
	for (const char *p = value; *p; p++)   /* no control characters in a content line */
		buf_putc(&line, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
	fold(b, line.s, line.len);
	buf_free(&line);
}

void
ics_text(struct buf *b, const char *name, const char *value)
{
	struct buf line = {0};
	buf_puts(&line, name);
	buf_putc(&line, ':');
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case '\\': buf_puts(&line, "\\\\"); break;
		case ';': buf_puts(&line, "\\;"); break;
		case ',': buf_puts(&line, "\\,"); break;
		case '\n': buf_puts(&line, "\\n"); break;
		case '\r': break;
		default:
			buf_putc(&line, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
		}
	}
	fold(b, line.s, line.len);
	buf_free(&line);
}

void
ics_time(struct buf *b, const char *name, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char v[32];
	strftime(v, sizeof v, "%Y%m%dT%H%M%SZ", &tm);
	ics_raw(b, name, v);
}
