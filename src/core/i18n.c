/* i18n.c: .po catalog loading and lookup, and the ICU calls for dates,
 * plurals, slugs and Accept-Language.
 *
 * DESIGN: catalogs are loaded once into open-addressing hash tables and are
 * read-only afterwards, so lookups need no lock. ICU formatters are costly
 * to open and not thread-safe, so each (locale, style) formatter is opened
 * once into a shared table and used under its own mutex. */
#include "i18n.h"
#include "utc.h"
#include "buf.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/umsg.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

/* ---- catalogs ----------------------------------------------------------------- */

struct msg {
	char *id, *str;
};

struct catalog {
	char lang[16];
	struct msg *slots;
	size_t cap, n;
};

#define MAX_CATALOGS 32
static struct catalog catalogs[MAX_CATALOGS];
static size_t ncatalogs;

static void
cat_put(struct catalog *c, char *id, char *str)
{
	if ((c->n + 1) * 2 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct msg *s = xcalloc(cap, sizeof *s);
		for (size_t i = 0; i < c->cap; i++) {
			if (!c->slots[i].id)
				continue;
			size_t j = str_hash(c->slots[i].id) & (cap - 1);
			while (s[j].id)
				j = (j + 1) & (cap - 1);
			s[j] = c->slots[i];
		}
		free(c->slots);
		c->slots = s;
		c->cap = cap;
	}
	size_t j = str_hash(id) & (c->cap - 1);
	while (c->slots[j].id) {
		if (strcmp(c->slots[j].id, id) == 0) {
			free(c->slots[j].str);
			free(id);
			c->slots[j].str = str;
			return;
		}
		j = (j + 1) & (c->cap - 1);
	}
	c->slots[j].id = id;
	c->slots[j].str = str;
	c->n++;
}

static struct catalog *
cat_find(const char *lang)
{
	for (size_t i = 0; i < ncatalogs; i++)
		if (strcmp(catalogs[i].lang, lang) == 0)
			return &catalogs[i];
	return NULL;
}

const char *
i18n_gettext(const char *lang, const char *msgid)
{
	struct catalog *c = lang ? cat_find(lang) : NULL;
	if (!c || !c->cap)
		return msgid;
	size_t j = str_hash(msgid) & (c->cap - 1);
	while (c->slots[j].id) {
		if (strcmp(c->slots[j].id, msgid) == 0)
			return c->slots[j].str;
		j = (j + 1) & (c->cap - 1);
	}
	return msgid;
}

/* Appends the C-escaped string literal at *p ("...") to b. */
static int
po_string(const char **p, struct buf *b)
{
	const char *s = *p;
	if (*s != '"')
		return -1;
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\') {
			s++;
			switch (*s) {
			case 'n': buf_putc(b, '\n'); break;
			case 't': buf_putc(b, '\t'); break;
			case 'r': buf_putc(b, '\r'); break;
			case '"': buf_putc(b, '"'); break;
			case '\\': buf_putc(b, '\\'); break;
			default: return -1;
			}
		} else
			buf_putc(b, *s);
	}
	if (*s != '"')
		return -1;
	*p = s + 1;
	return 0;
}

/* One entry being read: flushed into the catalog when the next entry
 * starts, at a blank line, and at the end of the file. */
struct po_entry {
	struct buf id, str;
	bool has_id, has_str, fuzzy, has_ctx;
};

static void
po_flush(struct catalog *c, struct po_entry *e)
{
	/* a plural pattern's translation must be one too, or the pattern stays untranslated */
	bool plural_ok = !e->id.len || !e->str.len || !i18n_plural_pattern_ok(e->id.s) || i18n_plural_pattern_ok(e->str.s);
	if (e->has_id && e->has_str && e->id.len && e->str.len && !e->fuzzy && !e->has_ctx && plural_ok)
		cat_put(c, xstrdup(e->id.s), xstrdup(e->str.s));
	e->id.len = e->str.len = 0;
	e->has_id = e->has_str = e->fuzzy = e->has_ctx = false;
}

int
i18n_load_string(const char *lang, const char *src, size_t len, char *err, size_t errlen)
{
	struct catalog *c = cat_find(lang);
	if (!c) {
		if (ncatalogs == MAX_CATALOGS) {
			snprintf(err, errlen, "%s: too many catalogs", lang);
			return -1;
		}
		c = &catalogs[ncatalogs++];
		snprintf(c->lang, sizeof c->lang, "%s", lang);
	}
	char *text = xmalloc(len + 1);
	memcpy(text, src, len);
	text[len] = 0;
	struct po_entry e = {0};
	struct buf *cur = NULL;   /* where a continuation "..." line goes */
	int line = 0, rc = 0;
	for (char *l = text, *nl; l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = 0;
		line++;
		const char *p = l;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == 0) {
			po_flush(c, &e);
			cur = NULL;
			continue;
		}
		if (*p == '#') {
			if (e.has_str) {   /* comments start the next entry */
				po_flush(c, &e);
				cur = NULL;
			}
			if (p[1] == ',' && strstr(p, "fuzzy"))
				e.fuzzy = true;
			continue;
		}
		if (strncmp(p, "msgctxt ", 8) == 0) {
			if (e.has_str)
				po_flush(c, &e);
			e.has_ctx = true;
			cur = NULL;
			continue;
		}
		if (strncmp(p, "msgid ", 6) == 0) {
			if (e.has_str)
				po_flush(c, &e);
			p += 6;
			e.has_id = true;
			e.id.len = 0;
			buf_grow(&e.id, 1);
			e.id.s[0] = 0;
			cur = &e.id;
		} else if (strncmp(p, "msgid_plural ", 13) == 0 || (strncmp(p, "msgstr[", 7) == 0 && strncmp(p, "msgstr[0] ", 10) != 0)) {
			cur = NULL;   /* gettext plurals are not used: plurals are ICU patterns */
			continue;
		} else if (strncmp(p, "msgstr ", 7) == 0 || strncmp(p, "msgstr[0] ", 10) == 0) {
			p += p[6] == '[' ? 10 : 7;
			e.has_str = true;
			e.str.len = 0;
			buf_grow(&e.str, 1);
			e.str.s[0] = 0;
			cur = &e.str;
		} else if (*p != '"') {
			snprintf(err, errlen, "%s.po:%d: cannot parse this line", lang, line);
			rc = -1;
			break;
		}
		if (cur && po_string(&p, cur) < 0) {
			snprintf(err, errlen, "%s.po:%d: bad string", lang, line);
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		po_flush(c, &e);
	buf_free(&e.id);
	buf_free(&e.str);
	free(text);
	return rc;
}

int
i18n_load(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 4 || l > 15 || strcmp(de->d_name + l - 3, ".po") != 0)
			continue;
		char lang[16], path[4096];
		snprintf(lang, sizeof lang, "%.*s", (int)(l - 3), de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		struct buf b = {0};
		char chunk[8192];
		size_t r;
		while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_raw(&b, chunk, r);
		fclose(f);
		char e2[512];
		if (i18n_load_string(lang, b.s ? b.s : "", b.len, e2, sizeof e2) < 0) {
			snprintf(err, errlen, "%s/%s", dir, e2);
			rc = -1;
		}
		buf_free(&b);
	}
	closedir(d);
	return rc;
}

/* ---- ICU ---------------------------------------------------------------------- */

#define DAY_MEMO 256

struct datefmt {
	char locale[32];
	int style;
	bool with_time;
	UDateFormat *f;
	pthread_mutex_t mu;
	/* a date-only format depends on the day alone: remember recent days */
	struct { long long day; char text[96]; } memo[DAY_MEMO];
};

#define MAX_DATEFMT 64
static struct datefmt datefmts[MAX_DATEFMT];
static size_t ndatefmts;
static pthread_mutex_t datefmts_mu = PTHREAD_MUTEX_INITIALIZER;

/* formats made from a skeleton ("yMMMMEEEEdjmm z") for a zone, such as an
 * event's local time: opened once, kept until shutdown */
struct skelfmt {
	char locale[32], skel[32], zone[64];
	UDateFormat *f;
	pthread_mutex_t mu;
};
#define MAX_SKELFMT 64
static struct skelfmt skelfmts[MAX_SKELFMT];
static size_t nskelfmts;

static UTransliterator *slug_trans;
static pthread_mutex_t slug_mu = PTHREAD_MUTEX_INITIALIZER;

void
i18n_shutdown(void)
{
	for (size_t i = 0; i < ndatefmts; i++) {
		udat_close(datefmts[i].f);
		pthread_mutex_destroy(&datefmts[i].mu);
	}
	ndatefmts = 0;
	for (size_t i = 0; i < nskelfmts; i++) {
		udat_close(skelfmts[i].f);
		pthread_mutex_destroy(&skelfmts[i].mu);
	}
	nskelfmts = 0;
	if (slug_trans)
		utrans_close(slug_trans);
	slug_trans = NULL;
	for (size_t i = 0; i < ncatalogs; i++) {
		for (size_t j = 0; j < catalogs[i].cap; j++) {
			free(catalogs[i].slots[j].id);
			free(catalogs[i].slots[j].str);
		}
		free(catalogs[i].slots);
	}
	ncatalogs = 0;
}

/* UTF-8 → UTF-16 in the arena; *n receives the length in UChars. */
static UChar *
to_u16(struct arena *a, const char *s, int32_t *n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strFromUTF8(NULL, 0, &len, s, -1, &st);
	st = U_ZERO_ERROR;
	UChar *u = arena_alloc(a, ((size_t)len + 1) * sizeof *u);
	u_strFromUTF8(u, len + 1, &len, s, -1, &st);
	if (U_FAILURE(st))
		len = 0;
	u[len] = 0;
	*n = len;
	return u;
}

static const char *
from_u16(struct arena *a, const UChar *u, int32_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strToUTF8(NULL, 0, &len, u, n, &st);
	st = U_ZERO_ERROR;
	char *s = arena_alloc(a, (size_t)len + 1);
	u_strToUTF8(s, len + 1, &len, u, n, &st);
	if (U_FAILURE(st))
		len = 0;
	s[len] = 0;
	return s;
}

static int
style_of(const char *style)
{
	if (!style || strcmp(style, "long") == 0)
		return UDAT_LONG;
	if (strcmp(style, "full") == 0)
		return UDAT_FULL;
	if (strcmp(style, "medium") == 0)
		return UDAT_MEDIUM;
	return UDAT_SHORT;
}

const char *
i18n_date(struct arena *a, const char *locale, long long t, const char *style, bool with_time)
{
	int sty = style_of(style);
	struct datefmt *df = NULL;
	pthread_mutex_lock(&datefmts_mu);
	for (size_t i = 0; i < ndatefmts; i++) {
		if (datefmts[i].style == sty && datefmts[i].with_time == with_time &&
		    strcmp(datefmts[i].locale, locale) == 0) {
			df = &datefmts[i];
			break;
		}
	}
	if (!df && ndatefmts < MAX_DATEFMT) {
		UErrorCode st = U_ZERO_ERROR;
		static const UChar utc[] = {'U', 'T', 'C', 0};
		UDateFormat *f = udat_open(with_time ? UDAT_SHORT : UDAT_NONE, (UDateFormatStyle)sty, locale, utc, -1, NULL, -1, &st);
		if (!U_FAILURE(st)) {
			df = &datefmts[ndatefmts++];
			snprintf(df->locale, sizeof df->locale, "%s", locale);
			df->style = sty;
			df->with_time = with_time;
			df->f = f;
			for (int i = 0; i < DAY_MEMO; i++)
				df->memo[i].day = -1;
			pthread_mutex_init(&df->mu, NULL);
		}
	}
	pthread_mutex_unlock(&datefmts_mu);
	if (!df)
		return i18n_isotime(a, t);
	UChar out[128];
	UErrorCode st = U_ZERO_ERROR;
	long long day = t >= 0 ? t / 86400 : -1;
	pthread_mutex_lock(&df->mu);
	if (!with_time && day >= 0 && df->memo[day % DAY_MEMO].day == day) {
		const char *s = arena_strdup(a, df->memo[day % DAY_MEMO].text);
		pthread_mutex_unlock(&df->mu);
		return s;
	}
	int32_t n = udat_format(df->f, (UDate)t * 1000.0, out, 128, NULL, &st);
	const char *s = U_FAILURE(st) ? i18n_isotime(a, t) : from_u16(a, out, n);
	if (!with_time && day >= 0 && !U_FAILURE(st) && strlen(s) < sizeof df->memo[0].text) {
		df->memo[day % DAY_MEMO].day = day;
		snprintf(df->memo[day % DAY_MEMO].text, sizeof df->memo[0].text, "%s", s);
	}
	pthread_mutex_unlock(&df->mu);
	return s;
}

const char *
i18n_date_in(struct arena *a, const char *locale, long long t, const char *skeleton, const char *zone)
{
	struct skelfmt *sf = NULL;
	pthread_mutex_lock(&datefmts_mu);
	for (size_t i = 0; i < nskelfmts; i++)
		if (strcmp(skelfmts[i].locale, locale) == 0 && strcmp(skelfmts[i].skel, skeleton) == 0 &&
		    strcmp(skelfmts[i].zone, zone) == 0) {
			sf = &skelfmts[i];
			break;
		}
	if (!sf && nskelfmts < MAX_SKELFMT && strlen(locale) < 32 && strlen(skeleton) < 32 && strlen(zone) < 64) {
		UErrorCode st = U_ZERO_ERROR;
		UDateTimePatternGenerator *g = udatpg_open(locale, &st);
		UChar skel[32], pat[128], uz[64];
		int32_t sn, zn, pn = 0;
		u_strFromUTF8(skel, 32, &sn, skeleton, -1, &st);
		u_strFromUTF8(uz, 64, &zn, zone, -1, &st);
		if (!U_FAILURE(st))
			pn = udatpg_getBestPattern(g, skel, sn, pat, 128, &st);
		if (g)
			udatpg_close(g);
		UDateFormat *f = U_FAILURE(st) ? NULL : udat_open(UDAT_PATTERN, UDAT_PATTERN, locale, uz, zn, pat, pn, &st);
		if (f && !U_FAILURE(st)) {
			sf = &skelfmts[nskelfmts++];
			snprintf(sf->locale, sizeof sf->locale, "%s", locale);
			snprintf(sf->skel, sizeof sf->skel, "%s", skeleton);
			snprintf(sf->zone, sizeof sf->zone, "%s", zone);
			sf->f = f;
			pthread_mutex_init(&sf->mu, NULL);
		} else if (f)
			udat_close(f);
	}
	pthread_mutex_unlock(&datefmts_mu);
	if (!sf)
		return i18n_isotime(a, t);
	UChar out[160];
	UErrorCode st = U_ZERO_ERROR;
	pthread_mutex_lock(&sf->mu);
	int32_t n = udat_format(sf->f, (UDate)t * 1000.0, out, 160, NULL, &st);
	pthread_mutex_unlock(&sf->mu);
	return U_FAILURE(st) ? i18n_isotime(a, t) : from_u16(a, out, n);
}

bool
i18n_zone_valid(const char *zone)
{
	UChar uz[64], canon[64];
	int32_t zn;
	UErrorCode st = U_ZERO_ERROR;
	u_strFromUTF8(uz, 64, &zn, zone, -1, &st);
	if (U_FAILURE(st) || zn == 0)
		return false;
	UBool system = false;
	ucal_getCanonicalTimeZoneID(uz, zn, canon, 64, &system, &st);
	return !U_FAILURE(st) && system;
}

long long
i18n_local_time(const char *zone, long long from, int days, int hour, int minute)
{
	UChar uz[64];
	int32_t zn;
	UErrorCode st = U_ZERO_ERROR;
	if (!i18n_zone_valid(zone))   /* ICU would quietly take GMT */
		return -1;
	u_strFromUTF8(uz, 64, &zn, zone, -1, &st);
	UCalendar *cal = U_FAILURE(st) ? NULL : ucal_open(uz, zn, "en_GB", UCAL_GREGORIAN, &st);
	if (!cal || U_FAILURE(st))
		return -1;
	ucal_setMillis(cal, (UDate)from * 1000.0, &st);
	ucal_add(cal, UCAL_DATE, days, &st);
	ucal_set(cal, UCAL_HOUR_OF_DAY, hour);
	ucal_set(cal, UCAL_MINUTE, minute);
	ucal_set(cal, UCAL_SECOND, 0);
	ucal_set(cal, UCAL_MILLISECOND, 0);
	UDate t = ucal_getMillis(cal, &st);
	ucal_close(cal);
	return U_FAILURE(st) ? -1 : (long long)(t / 1000.0);
}

static UCalendar *
zone_calendar(const char *zone)
{
	UChar uz[64];
	int32_t zn;
	UErrorCode st = U_ZERO_ERROR;
	if (!i18n_zone_valid(zone))
		return NULL;
	u_strFromUTF8(uz, 64, &zn, zone, -1, &st);
	UCalendar *cal = U_FAILURE(st) ? NULL : ucal_open(uz, zn, "en_GB", UCAL_GREGORIAN, &st);
	if (cal && U_FAILURE(st)) {
		ucal_close(cal);
		return NULL;
	}
	return cal;
}

long long
i18n_from_local(const char *zone, int y, int mo, int d, int h, int mi)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	UCalendar *cal = zone_calendar(zone);
	if (!cal)
		return -1;
	UErrorCode st = U_ZERO_ERROR;
	ucal_setAttribute(cal, UCAL_LENIENT, 0);   /* 31 February is an error, not 3 March */
	ucal_clear(cal);
	ucal_setDateTime(cal, y, mo - 1, d, h, mi, 0, &st);
	UDate t = ucal_getMillis(cal, &st);
	ucal_close(cal);
	return U_FAILURE(st) ? -1 : (long long)(t / 1000.0);
}

int
i18n_to_local(const char *zone, long long t, int f[5])
{
	UCalendar *cal = zone_calendar(zone);
	if (!cal)
		return -1;
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(cal, (UDate)t * 1000.0, &st);
	f[0] = ucal_get(cal, UCAL_YEAR, &st);
	f[1] = ucal_get(cal, UCAL_MONTH, &st) + 1;
	f[2] = ucal_get(cal, UCAL_DATE, &st);
	f[3] = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	f[4] = ucal_get(cal, UCAL_MINUTE, &st);
	ucal_close(cal);
	return U_FAILURE(st) ? -1 : 0;
}

const char *
i18n_isotime(struct arena *a, long long t)
{
	char *s = arena_alloc(a, 32);
	if (utc_iso8601(t, s) == 0)
		return s;
	/* a year ISO 8601's four digits cannot hold: strftime's form, or
	 * nothing past what struct tm holds (found by fuzzing) */
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(s, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		s[0] = 0;
	return s;
}

/* ICU formats a plural in about ten thousand instructions; a page asks for
 * the same few ("3 min read", "12 comments") again and again, so each
 * thread remembers recent results by locale, pattern and number (freed
 * when the thread ends). */
#define PLURAL_MEMO 64
struct plural_memo {
	double n;
	char locale[16];
	char pattern[160];
	char text[96];
};
static _Thread_local struct plural_memo *plural_memo;
static pthread_key_t plural_key;
static pthread_once_t plural_once = PTHREAD_ONCE_INIT;

static void plural_key_make(void) { pthread_key_create(&plural_key, free); }

static const char *plural_format(struct arena *a, const char *locale, const char *pattern, double n);

static struct plural_memo *
plural_slot(const char *locale, const char *pattern, double n)
{
	if (!(n >= -1e15 && n <= 1e15) || strlen(locale) >= sizeof plural_memo->locale ||
	    strlen(pattern) >= sizeof plural_memo->pattern)
		return NULL;
	if (!plural_memo) {
		pthread_once(&plural_once, plural_key_make);
		plural_memo = xcalloc(PLURAL_MEMO, sizeof *plural_memo);
		pthread_setspecific(plural_key, plural_memo);
	}
	uint32_t h = (uint32_t)str_hash(pattern) ^ (uint32_t)str_hash(locale) ^ ((uint32_t)(long long)n * 2654435761u);
	return &plural_memo[h % PLURAL_MEMO];
}

const char *
i18n_plural(struct arena *a, const char *locale, const char *pattern, double n)
{
	struct plural_memo *m = plural_slot(locale, pattern, n);
	if (m && m->n == n && strcmp(m->pattern, pattern) == 0 && strcmp(m->locale, locale) == 0)
		return arena_strdup(a, m->text);
	const char *s = plural_format(a, locale, pattern, n);
	/* remembered only when all three fit (a pattern may well be longer
	 * than the memo's slot: the comment rate-limit message is) */
	if (m && s != pattern && strlen(s) < sizeof m->text && strlen(pattern) < sizeof m->pattern && strlen(locale) < sizeof m->locale) {
		m->n = n;
		snprintf(m->locale, sizeof m->locale, "%s", locale);
		snprintf(m->pattern, sizeof m->pattern, "%s", pattern);
		snprintf(m->text, sizeof m->text, "%s", s);
	}
	return s;
}

/* ICU reads each argument of a message pattern from the varargs as the
 * type the pattern gives it: "{0}" would read our double as a string
 * pointer. So a pattern is formatted only when every argument in it is
 * argument 0 as plural or selectordinal (its count given as a double),
 * with plain-text branches: "{0,plural,offset:1 =0{none} one{# x} other{# xs}}"
 * and text around it. No apostrophe before a syntax character (ICU's
 * quoting), no argument inside a branch. */
bool
i18n_plural_pattern_ok(const char *p)
{
	int args = 0;
	while (*p) {
		if (*p == '\'' && p[1] && strchr("{}#|'", p[1]))
			return false;
		if (*p == '}')
			return false;
		if (*p != '{') {
			p++;
			continue;
		}
		/* an argument: {0,plural, or {0,selectordinal, */
		p++;
		p += strspn(p, " ");
		if (*p++ != '0')
			return false;
		p += strspn(p, " ");
		if (*p++ != ',')
			return false;
		p += strspn(p, " ");
		if (strncmp(p, "plural", 6) == 0)
			p += 6;
		else if (strncmp(p, "selectordinal", 13) == 0)
			p += 13;
		else
			return false;
		p += strspn(p, " ");
		if (*p++ != ',')
			return false;
		p += strspn(p, " \n");
		if (strncmp(p, "offset:", 7) == 0) {
			p += 7;
			size_t d = strspn(p, "0123456789");
			if (!d)
				return false;
			p += d;
		}
		/* branches: selector {text} ..., then the closing brace */
		int branches = 0;
		for (;;) {
			p += strspn(p, " \n");
			if (*p == '}') {
				p++;
				break;
			}
			size_t sel = *p == '=' ? 1 + strspn(p + 1, "0123456789") : strspn(p, "abcdefghijklmnopqrstuvwxyz");
			if (sel == 0 || (*p == '=' && sel == 1))
				return false;
			p += sel;
			p += strspn(p, " \n");
			if (*p++ != '{')
				return false;
			for (; *p && *p != '}'; p++)
				if (*p == '{' || (*p == '\'' && p[1] && strchr("{}#|'", p[1])))
					return false;
			if (*p++ != '}')
				return false;
			branches++;
		}
		if (!branches)
			return false;
		args++;
	}
	return args > 0;
}

static const char *
plural_format(struct arena *a, const char *locale, const char *pattern, double n)
{
	if (!i18n_plural_pattern_ok(pattern))
		return pattern;   /* not one ICU can be given a double for: as written */
	int32_t plen;
	UChar *pat = to_u16(a, pattern, &plen);
	UChar out[512];
	UErrorCode st = U_ZERO_ERROR;
	/* the argument must be a double: ICU reads it as one */
	int32_t len = u_formatMessage(locale, pat, plen, out, 512, &st, n);
	if (U_FAILURE(st))
		return pattern;
	return from_u16(a, out, len);
}

const char *
i18n_fold(struct arena *a, const char *text)
{
	int32_t n;
	UChar *u = to_u16(a, text, &n);
	UErrorCode st = U_ZERO_ERROR;
	int32_t cap = n * 3 + 8;
	UChar *f = arena_alloc(a, (size_t)cap * sizeof *f);
	int32_t len = u_strFoldCase(f, cap, u, n, U_FOLD_CASE_DEFAULT, &st);
	return U_FAILURE(st) ? text : from_u16(a, f, len);
}

const char *
i18n_slug(struct arena *a, const char *text)
{
	int32_t n;
	UChar *u = to_u16(a, text, &n);
	int32_t cap = n * 4 + 16, len = n, limit = n;
	UChar *w = arena_alloc(a, (size_t)cap * sizeof *w);
	memcpy(w, u, (size_t)n * sizeof *w);
	UErrorCode st = U_ZERO_ERROR;
	pthread_mutex_lock(&slug_mu);
	if (!slug_trans) {
		static const UChar id[] = u"Any-Latin; Latin-ASCII; Lower";
		UParseError pe;
		slug_trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, &pe, &st);
	}
	if (slug_trans && !U_FAILURE(st))
		utrans_transUChars(slug_trans, w, &len, cap, 0, &limit, &st);
	pthread_mutex_unlock(&slug_mu);
	const char *ascii = U_FAILURE(st) ? text : from_u16(a, w, len);
	char *out = arena_alloc(a, 81);
	size_t o = 0;
	bool dash = false;
	for (const char *p = ascii; *p && o < 80; p++) {
		char c = (char)tolower((unsigned char)*p);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && o > 0 && o < 79)
				out[o++] = '-';
			dash = false;
			out[o++] = c;
		} else
			dash = true;
	}
	out[o] = 0;
	return out;
}

int
i18n_negotiate(const char *al, const char *const *codes, size_t n)
{
	int best = -1;
	double bestq = 0, q;
	const char *tag;
	size_t taglen;
	if (!al)
		return -1;
	while (http_qlist_next(&al, &tag, &taglen, &q)) {
		/* primary subtag of the range: "pt-BR" → "pt" */
		size_t prim = 0;
		while (prim < taglen && tag[prim] != '-' && tag[prim] != '_')
			prim++;
		for (size_t i = 0; i < n; i++) {
			if (strlen(codes[i]) == prim && strncasecmp(codes[i], tag, prim) == 0 && q > bestq) {
				best = (int)i;
				bestq = q;
			}
		}
	}
	return best;
}
