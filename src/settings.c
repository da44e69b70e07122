/* settings.c: the site settings editors change while the site runs
 * (moderation policy, anti-spam limits), kept in the settings table so
 * every node sees the same values, and the site secret that keys tokens
 * and address hashes. The table of known settings below is the one place
 * a setting's name, type, default and help live. It does not read files
 * or the environment: server options belong to the command line. */
#include "site.h"
#include "core/i18n.h"
#include "core/invalidate.h"
#include "core/log.h"
#include "core/text.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct setting_def defs[] = {
	{"comments.policy", "hold_first", "open|hold_first|hold_all|closed",
	    "who is published at once: everyone, everyone but first-time commenters, nobody (all held), or no comments"},
	{"comments.close_after_days", "0", "0-36500", "close an article's comments this many days after publication (0: never)"},
	{"comments.max_depth", "3", "1-10", "how deep replies nest; a reply to the deepest level attaches beside it"},
	{"comments.order", "oldest", "oldest|newest", "the order of a thread's top-level comments"},
	{"comments.page_size", "50", "5-500", "top-level comments per page of a thread"},
	{"comments.hold_links", "2", "0-100", "hold a comment with more links than this"},
	{"comments.hold_words", "", "", "hold a comment containing any of these words (one per line or comma-separated)"},
	{"comments.deny_words", "", "", "refuse a comment containing any of these words"},
	{"comments.min_seconds", "3", "0-3600", "refuse a form sent sooner than this after it was shown"},
	{"comments.pow_bits", "14", "0-24", "proof of work the browser does before sending (0: none)"},
	{"comments.rate_ip", "5", "0-100000", "comments one address may send per rate window (0: no limit)"},
	{"comments.rate_email", "5", "0-100000", "comments one email address may send per rate window (0: no limit)"},
	{"comments.rate_window", "600", "1-86400", "the rate window, in seconds"},
	{"comments.ip_retention_days", "30", "0-3650", "keep the hashed address of a comment this long (0: do not keep)"},
	{"comments.max_length", "5000", "100-100000", "longest comment body, in characters"},
	{"feeds.full_text", "full", "full|summary", "whether feeds carry each story's full text or only its standfirst"},
	{"site.timezone", "UTC", "zone", "the newsroom's time zone: times typed and shown in the admin are in it"},
	{"events.offer_hours", "24", "1-720", "how long a waiting-list offer of a freed seat stays open"},
};
#define NDEFS (sizeof defs / sizeof *defs)

const struct setting_def *
setting_defs(size_t *n)
{
	*n = NDEFS;
	return defs;
}

static const struct setting_def *
def_of(const char *key)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

/* "lo-hi" ranges are integers; "a|b|c" lists the allowed words; "" any text. */
static bool
value_valid(const struct setting_def *d, const char *v, char *err, size_t errlen)
{
	long lo, hi;
	if (sscanf(d->type, "%ld-%ld", &lo, &hi) == 2) {
		char *end;
		long n = strtol(v, &end, 10);
		if (!*v || *end || n < lo || n > hi) {
			snprintf(err, errlen, "%s must be a whole number from %ld to %ld, not '%s'", d->key, lo, hi, v);
			return false;
		}
		return true;
	}
	if (strcmp(d->type, "zone") == 0) {
		if (i18n_zone_valid(v))
			return true;
		snprintf(err, errlen, "%s must be an IANA time zone such as Europe/Lisbon, not '%s'", d->key, v);
		return false;
	}
	if (*d->type) {
		size_t vl = strlen(v);
		for (const char *p = d->type; *p;) {
			const char *bar = strchr(p, '|');
			size_t l = bar ? (size_t)(bar - p) : strlen(p);
			if (l == vl && strncmp(p, v, l) == 0)
				return true;
			p += l + (bar ? 1 : 0);
		}
		snprintf(err, errlen, "%s must be one of %s, not '%s'", d->key, d->type, v);
		return false;
	}
	if (strlen(v) > 20000 || !utf8_valid(v, strlen(v))) {
		snprintf(err, errlen, "%s must be UTF-8 text of at most 20,000 bytes", d->key);
		return false;
	}
	return true;
}

const char *
setting_str(struct db_conn *c, struct arena *a, const char *key)
{
	const struct setting_def *d = def_of(key);
	struct db_stmt *st = db_query(c, "SELECT value FROM settings WHERE key = ?", "s", key);
	const char *v = db_row(st) ? db_atext(st, 0, a) : NULL;
	db_done(st);
	char err[256];
	if (v && d && !value_valid(d, v, err, sizeof err)) {
		log_error("setting ignored: %s", err);   /* written by hand into the table */
		v = NULL;
	}
	return v ? v : d ? d->def : "";
}

long long
setting_int(struct db_conn *c, const char *key)
{
	struct arena a = {0};
	long long n = atoll(setting_str(c, &a, key));
	arena_free(&a);
	return n;
}

static int
store_setting(struct db_conn *c, struct inval *iv, void *arg)
{
	const char **kv = arg;
	inval_add(iv, TAG_SETTINGS);
	return db_exec(c, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	    "ss", kv[0], kv[1]) >= 0 ? 0 : -1;
}

bool
setting_valid(const char *key, const char *value, char *err, size_t errlen)
{
	const struct setting_def *d = def_of(key);
	if (!d) {
		snprintf(err, errlen, "no setting '%s' (see 'gazette settings')", key);
		return false;
	}
	return value_valid(d, value, err, errlen);
}

int
setting_store(struct db_conn *c, struct inval *iv, const char *key, const char *value)
{
	const char *kv[2] = {key, value};
	return store_setting(c, iv, kv);
}

int
setting_set(struct db *db, const char *key, const char *value, long long *inval_id, char *err, size_t errlen)
{
	const struct setting_def *d = def_of(key);
	if (!d) {
		snprintf(err, errlen, "no setting '%s' (see 'gazette settings')", key);
		return -1;
	}
	if (!value_valid(d, value, err, errlen))
		return -1;
	struct db_conn *c = db_acquire(db);
	const char *kv[2] = {key, value};
	int rc = inval_write(c, store_setting, kv, inval_id);
	if (rc < 0)
		snprintf(err, errlen, "the setting was not saved (see the log)");
	db_release(c);
	return rc;
}

/* ---- the site secret ---------------------------------------------------- */

static unsigned char secret[32];
static bool have_secret;

int
site_secret_init(struct db_conn *c)
{
	char hex[65];
	random_hex(hex, 32);
	/* the first node to start writes it; everyone reads the same row */
	if (db_exec(c, "INSERT INTO settings (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING", "s", hex) < 0)
		return -1;
	struct arena a = {0};
	struct db_stmt *st = db_query(c, "SELECT value FROM settings WHERE key = 'secret'", "");
	const char *v = db_row(st) ? db_atext(st, 0, &a) : NULL;
	db_done(st);
	size_t n = 0;
	int rc = v && sodium_hex2bin(secret, sizeof secret, v, strlen(v), NULL, &n, NULL) == 0 && n == sizeof secret ? 0 : -1;
	arena_free(&a);
	have_secret = rc == 0;
	return rc;
}

void
site_mac(const char *context, const void *msg, size_t len, unsigned char out[32])
{
	if (!have_secret)
		abort();   /* a token made without the secret would be forgeable */
	crypto_generichash_state s;
	crypto_generichash_init(&s, secret, sizeof secret, 32);
	crypto_generichash_update(&s, (const unsigned char *)context, strlen(context) + 1);
	crypto_generichash_update(&s, msg, len);
	crypto_generichash_final(&s, out, 32);
}

const char *
site_mac_hex(struct arena *a, const char *context, const char *msg, size_t hexlen)
{
	unsigned char mac[32];
	site_mac(context, msg, strlen(msg), mac);
	if (hexlen > 64)
		hexlen = 64;
	char *hex = arena_alloc(a, 65);
	sodium_bin2hex(hex, 65, mac, sizeof mac);
	hex[hexlen] = 0;
	return hex;
}
