/* text.h: reader text: cleaning, counting, email shape. */
#ifndef GZ_TEXT_H
#define GZ_TEXT_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Drops control and bidi-override characters, CR, and (unless multiline)
 * newlines; trims. s must be valid UTF-8. */
const char *text_clean(struct arena *a, const char *s, bool multiline);
size_t utf8_chars(const char *s);
/* local@domain.tld, no spaces or characters that would break a header */
bool email_plausible(const char *e);
/* Writes one CSV field (RFC 4180: quoted when needed); a value a
 * spreadsheet would run as a formula (= + - @ tab CR first) gets a
 * leading apostrophe. */
void csv_field(FILE *f, const char *s);
/* nbytes from the system's random source as lower-case hex into out,
 * which holds 2 * nbytes + 1 (tokens, secrets, nonces). */
void random_hex(char *out, size_t nbytes);

#endif
