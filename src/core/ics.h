/* ics.h: iCalendar (RFC 5545) text: escaping, line folding, times. */
#ifndef GZ_ICS_H
#define GZ_ICS_H
#include "buf.h"

/* Appends "NAME:VALUE\r\n" with VALUE escaped as TEXT (backslash, comma,
 * semicolon, newline) and the line folded at 75 octets without splitting
 * a UTF-8 character. */
void ics_text(struct buf *b, const char *name, const char *value);
/* Appends "NAME:VALUE\r\n" for a value that needs no escaping (a URI, a
 * date, an enumerated value), folded. */
void ics_raw(struct buf *b, const char *name, const char *value);
/* Appends "NAME:YYYYMMDDTHHMMSSZ\r\n": times are written in UTC, which
 * every calendar converts to its reader's zone (no VTIMEZONE needed). */
void ics_time(struct buf *b, const char *name, long long t);

#endif
