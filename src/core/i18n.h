/* i18n.h: UI translations from gettext .po catalogs, and ICU for what
 * depends on a language: dates, numbers, plurals, slugs, language choice.
 * No system locale is used: every call names its locale. */
#ifndef GZ_I18N_H
#define GZ_I18N_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

/* Loads every DIR/NAME.po (file stem = language, e.g. pt.po → "pt"). Returns 0, or
 * -1 with "FILE:LINE: message" in err. Call once at start. */
int i18n_load(const char *dir, char *err, size_t errlen);
void i18n_shutdown(void);
/* Parses one catalog from memory under lang (tests). */
int i18n_load_string(const char *lang, const char *src, size_t len, char *err, size_t errlen);

/* The translation of msgid for lang, or msgid itself. Never NULL. */
const char *i18n_gettext(const char *lang, const char *msgid);
#define _(s) (s)   /* marks a C string for extraction; translate with i18n_gettext */

/* ICU MessageFormat with one numeric argument {0}:
 * "{0,plural,one{# comment} other{# comments}}". */
const char *i18n_plural(struct arena *a, const char *locale, const char *pattern, double n);
/* Is pattern one i18n_plural formats: argument 0 as plural or selectordinal
 * only, branches of plain text? (Any other is returned as written.) */
bool i18n_plural_pattern_ok(const char *pattern);
/* A date (and time) in locale's words; style is "full", "long", "medium"
 * or "short"; time zone is UTC until editions get their own. */
const char *i18n_date(struct arena *a, const char *locale, long long unix_time, const char *style, bool with_time);
const char *i18n_isotime(struct arena *a, long long unix_time);   /* 2025-03-14T09:30:00Z */
/* unix_time in an IANA zone, in locale's best pattern for a skeleton
 * ("yMMMMEEEEd jmm z": weekday, date, time and zone; "dMMMM": 5 November). */
const char *i18n_date_in(struct arena *a, const char *locale, long long unix_time, const char *skeleton, const char *zone);
bool i18n_zone_valid(const char *zone);   /* a known IANA zone id */
/* The Unix time of HH:MM local time in zone, days after the local date of
 * from; -1 for an unknown zone. */
long long i18n_local_time(const char *zone, long long from, int days, int hour, int minute);
/* Wall-clock time in zone: the Unix time of y-mo-d h:mi there (-1 for an
 * unknown zone or a date out of range), and back (f = year, month, day,
 * hour, minute; -1 for an unknown zone). */
long long i18n_from_local(const char *zone, int y, int mo, int d, int h, int mi);
int i18n_to_local(const char *zone, long long t, int f[5]);
/* A URL slug: transliterated to ASCII, lower case, runs of anything else
 * turned into one hyphen, at most 80 bytes. "" if nothing is left. */
const char *i18n_slug(struct arena *a, const char *text);
/* Case-folded (Unicode full case folding) copy of text, for comparisons
 * that ignore case: "Straße" and "STRASSE" fold alike. */
const char *i18n_fold(struct arena *a, const char *text);
/* Picks from codes[0..n) (language codes like "pt") the one an
 * Accept-Language header prefers; -1 if none matches. */
int i18n_negotiate(const char *accept_language, const char *const *codes, size_t n);

#endif
