/* config.c: the settings table, and reading and printing settings from it.
 *
 * Each setting is defined once, below. Reading: gazette.conf (INI), then
 * the environment (GAZETTE_KEY), then the command line (--key), each
 * checked here with a message that names where the bad value came from.
 * Printing: the options of `gazette serve --help`, a sample gazette.conf,
 * docs/settings.md and the man page's settings, all generated from the
 * table, so they cannot drift apart. What the settings do is main.c's. */
#include "config.h"
#include "core/arena.h"
#include "core/buf.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
check_listen(const char *v, char *why, size_t n)
{
	const char *colon = strrchr(v, ':');
	long port = colon ? strtol(colon + 1, NULL, 10) : 0;
	if (!colon || colon == v || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) || port < 1 || port > 65535) {
		snprintf(why, n, "wants HOST:PORT (like 127.0.0.1:8080)");
		return -1;
	}
	return 0;
}

static int
check_url(const char *v, char *why, size_t n)
{
	if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) || strpbrk(v, " \t\r\n\"<>")) {
		snprintf(why, n, "wants an http:// or https:// address");
		return -1;
	}
	return 0;
}

static int
check_smtp(const char *v, char *why, size_t n)
{
	if ((strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) || strpbrk(v, " \t\r\n")) {
		snprintf(why, n, "wants smtp://HOST[:PORT] or smtps://USER:PASSWORD@HOST");
		return -1;
	}
	return 0;
}

static int
check_address(const char *v, char *why, size_t n)
{
	if (!strchr(v, '@') || strpbrk(v, "\r\n")) {
		snprintf(why, n, "wants an email address");
		return -1;
	}
	return 0;
}

static int
check_nonempty(const char *v, char *why, size_t n)
{
	if (!*v) {
		snprintf(why, n, "must not be empty");
		return -1;
	}
	return 0;
}

const struct cfg_def cfg_defs[] = {
	{"db", "database", CFG_TEXT, "FILE|URL", "gazette.db", 0, 0, NULL,
	    "The site's database: an SQLite file (made if missing) or a postgresql:// URL for several nodes "
	    "(docs/scale-out.md).", check_nonempty, false},
	{"listen", "server", CFG_TEXT, "HOST:PORT", "127.0.0.1:8080", 0, 0, NULL,
	    "The address to listen on. Keep it on 127.0.0.1 behind nginx (docs/install.md).", check_listen, false},
	{"base-url", "server", CFG_TEXT, "URL", NULL, 0, 0, NULL,
	    "The public address, used in canonical links, feeds, sitemaps and emails; with https:// the session "
	    "cookies are marked Secure. Unset: http:// and the listen address.", check_url, false},
	{"threads", "server", CFG_INT, "N", NULL, 1, 256, NULL,
	    "Worker threads: they render pages and run everything else a request asks of the database "
	    "(without a page cache, with SQLite, busy I/O threads render the quick pages themselves). "
	    "Unset: one per processor core.", NULL, false},
	{"io-threads", "server", CFG_INT, "N", NULL, 1, 64, NULL,
	    "Threads that read requests and send answers, each with its own listening socket (SO_REUSEPORT); "
	    "a new connection goes to the one numbered by the CPU that received it. They answer cached pages "
	    "from memory themselves and hand renders to the workers. Without a page cache (--no-cache), with "
	    "SQLite and at least one I/O thread per CPU, while every I/O thread is busy, each one renders the "
	    "reader pages that are quick to make (front pages, articles, archives, feeds, without a query) "
	    "itself. Unset: one per processor core (up to 64).",
	    NULL, false},
	{"theme", "server", CFG_TEXT, "DIR", NULL, 0, 0, NULL,
	    "A theme folder holding templates/ and static/. Unset: the built-in default theme. SIGHUP reloads it.",
	    check_nonempty, false},
	{"behind-proxy", "server", CFG_BOOL, NULL, "no", 0, 0, "--behind-proxy",
	    "A proxy on this machine (nginx) forwards the readers: their address is its X-Real-IP header, "
	    "trusted only on connections from loopback, and what it relays never counts as this machine's own "
	    "(/metrics answers only the machine itself).", NULL, false},
	{"access-log", "server", CFG_BOOL, NULL, "yes", 0, 0, "--no-access-log",
	    "One line per request on standard error (the journal, under systemd).", NULL, false},
	{"dev", "server", CFG_BOOL, NULL, "no", 0, 0, "--dev",
	    "Theme development: templates are read again on every request and nothing is cached.", NULL, false},
	{"cache", "cache", CFG_BOOL, NULL, "yes", 0, 0, "--no-cache",
	    "Keep rendered pages in memory for anonymous readers, each dropped the moment a write changes it. "
	    "'no' renders every page (measuring, debugging).", NULL, false},
	{"cache-size", "cache", CFG_INT, "MIB", "256", 1, 1048576, NULL,
	    "Memory for the page cache, in MiB; the least recently used pages go first.", NULL, false},
	{"per-ip", "limits", CFG_INT, "N", "128", 0, 60000, NULL,
	    "Open connections one remote address may hold; 0: no limit. Loopback (a proxy in front) is never "
	    "limited: nginx limits readers itself.", NULL, false},
	{"costly-share", "limits", CFG_INT, "PERCENT", "50", 0, 100, NULL,
	    "The share of the workers' time that searches, comment posts, bookings and sign-ins may take; past "
	    "it they answer 503 with Retry-After while cached pages keep flowing. 0: no limit.", NULL, false},
	{"client-timeout", "limits", CFG_INT, "SECONDS", "30", 1, 3600, NULL,
	    "Seconds a client may stay idle; also the base of the deadlines for sending headers, a body (then "
	    "8 KiB a second) and reading the answer (4 KiB a second).", NULL, false},
	{"smtp", "email", CFG_TEXT, "URL", NULL, 0, 0, NULL,
	    "Send email (bookings, password resets, invitations) through this server: smtp://HOST:PORT or "
	    "smtps://USER:PASSWORD@HOST. Unset: each message is written as an .eml file to mail-dir.",
	    check_smtp, false},
	{"mail-from", "email", CFG_TEXT, "ADDRESS", "gazette@localhost", 0, 0, NULL,
	    "The sender of every email.", check_address, false},
	{"mail-dir", "email", CFG_TEXT, "DIR", "mail", 0, 0, NULL,
	    "Where messages are written as .eml files when smtp is unset.", check_nonempty, false},
	{"media-dir", "media", CFG_TEXT, "DIR", "media", 0, 0, NULL,
	    "Where uploaded pictures and their resized copies are kept (back it up with the database: "
	    "gazette backup).", check_nonempty, false},
	{"fault-injection", "tests", CFG_BOOL, NULL, "no", 0, 0, "--fault-injection",
	    "For tests only: a request from loopback may carry Gazette-Fault: KIND@N to fail its Nth database "
	    "step (busy, locked, full, ioerr, nomem, drop), or alloc@N to fail its Nth allocation.", NULL, true},
};
const size_t cfg_ndefs = sizeof cfg_defs / sizeof *cfg_defs;

const struct cfg_def *
cfg_find(const char *key)
{
	for (size_t i = 0; i < cfg_ndefs; i++)
		if (strcmp(cfg_defs[i].key, key) == 0)
			return &cfg_defs[i];
	return NULL;
}

int
cfg_set(struct cfg_value *vals, const struct cfg_def *d, const char *value, const char *origin, char *err, size_t n)
{
	char why[160] = "";
	const char *norm = value;
	if (d->type == CFG_INT) {
		char *end = NULL;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (!*value || *end || errno || v < d->min || v > d->max || strspn(value, "0123456789") != strlen(value))
			snprintf(why, sizeof why, "wants a whole number from %ld to %ld", d->min, d->max);
	} else if (d->type == CFG_BOOL) {
		static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false", "off", "0"};
		norm = NULL;
		for (int i = 0; i < 4 && !norm; i++) {
			if (strcasecmp(value, yes[i]) == 0)
				norm = "yes";
			else if (strcasecmp(value, no[i]) == 0)
				norm = "no";
		}
		if (!norm)
			snprintf(why, sizeof why, "wants yes or no");
	} else if (d->check)
		d->check(value, why, sizeof why);
	if (*why) {
		errmsg(err, n, "%s: %s %s, not '%.200s'", origin, d->key, why, value);
		return -1;
	}
	struct cfg_value *v = &vals[d - cfg_defs];
	free((char *)v->text);
	v->text = xstrdup(norm);
	snprintf(v->origin, sizeof v->origin, "%s", origin);
	return 0;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = 0;
	return s;
}

static bool
known_section(const char *s)
{
	for (size_t i = 0; i < cfg_ndefs; i++)
		if (!cfg_defs[i].tests_only && strcmp(cfg_defs[i].section, s) == 0)
			return true;
	return false;
}

int
cfg_load_file(struct cfg_value *vals, const char *path, char *err, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		errmsg(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096], origin[300];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		snprintf(origin, sizeof origin, "%.250s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			errmsg(err, n, "%s: the line is too long", origin);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1]) {
				errmsg(err, n, "%s: a section is written [name]", origin);
				rc = -1;
			} else {
				*close = 0;
				if (!known_section(trim(s + 1))) {
					errmsg(err, n, "%s: unknown section [%.60s]", origin, trim(s + 1));
					rc = -1;
				}
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			errmsg(err, n, "%s: expected 'setting = value'", origin);
			rc = -1;
			break;
		}
		*eq = 0;
		char *key = trim(s), *value = trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && ((value[0] == '"' && value[vl - 1] == '"') || (value[0] == '\'' && value[vl - 1] == '\''))) {
			value[vl - 1] = 0;
			value++;
		}
		const struct cfg_def *d = cfg_find(key);
		if (!d || d->tests_only) {
			errmsg(err, n, "%s: unknown setting '%.60s' (gazette config sample lists them all)", origin, key);
			rc = -1;
			break;
		}
		rc = cfg_set(vals, d, value, origin, err, n);
	}
	fclose(f);
	return rc;
}

/* GAZETTE_BASE_URL for base-url */
static void
env_name(const char *key, char *out, size_t n)
{
	size_t i = (size_t)snprintf(out, n, "GAZETTE_");
	for (; *key && i + 1 < n; key++)
		out[i++] = *key == '-' ? '_' : (char)toupper((unsigned char)*key);
	out[i] = 0;
}

int
cfg_load_env(struct cfg_value *vals, char *err, size_t n)
{
	for (size_t i = 0; i < cfg_ndefs; i++) {
		if (cfg_defs[i].tests_only)
			continue;
		char name[64], origin[80];
		env_name(cfg_defs[i].key, name, sizeof name);
		const char *v = getenv(name);
		if (!v || !*v)
			continue;
		snprintf(origin, sizeof origin, "environment %s", name);
		if (cfg_set(vals, &cfg_defs[i], v, origin, err, n) < 0)
			return -1;
	}
	return 0;
}

const char *
cfg_text(const struct cfg_value *vals, const char *key)
{
	const struct cfg_def *d = cfg_find(key);
	if (!d)
		return NULL;
	const char *v = vals[d - cfg_defs].text;
	return v ? v : d->def;
}

long
cfg_int(const struct cfg_value *vals, const char *key, long unset)
{
	const char *v = cfg_text(vals, key);
	return v ? strtol(v, NULL, 10) : unset;
}

bool
cfg_bool(const struct cfg_value *vals, const char *key)
{
	const char *v = cfg_text(vals, key);
	return v && strcmp(v, "yes") == 0;
}

/* ---- printing ------------------------------------------------------------ */

/* Text wrapped to width, each line begun with prefix (the first with first). */
static void
wrap(FILE *f, const char *first, const char *prefix, const char *text, int width)
{
	const char *p = text;
	const char *lead = first;
	while (*p) {
		int room = width - (int)strlen(lead);
		int len = (int)strlen(p), cut = len;
		if (len > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		fprintf(f, "%s%.*s\n", lead, cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		lead = prefix;
	}
}

void
cfg_print_options(FILE *f)
{
	for (size_t i = 0; i < cfg_ndefs; i++) {
		const struct cfg_def *d = &cfg_defs[i];
		char opt[64], text[1200];
		if (d->type == CFG_BOOL)
			snprintf(opt, sizeof opt, "  %s", d->flag);
		else
			snprintf(opt, sizeof opt, "  --%s %s", d->key, d->arg);
		if (d->type == CFG_BOOL)
			snprintf(text, sizeof text, "Sets %s = %s. %s", d->key, strcmp(d->def, "yes") == 0 ? "no" : "yes", d->help);
		else if (d->def)
			snprintf(text, sizeof text, "%s (default %s)", d->help, d->def);
		else
			snprintf(text, sizeof text, "%s", d->help);
		char first[64];
		snprintf(first, sizeof first, "%-24s", opt);
		if (strlen(opt) >= 24) {
			fprintf(f, "%s\n", opt);
			snprintf(first, sizeof first, "%24s", "");
		}
		wrap(f, first, "                        ", text, 79);
	}
}

void
cfg_print_sample(FILE *f)
{
	fputs("# gazette.conf: every setting of 'gazette serve' with its default, commented\n"
	      "# out; uncomment a line to change it. Read from --config FILE, $GAZETTE_CONFIG,\n"
	      "# or /etc/gazette/gazette.conf. Environment variables (GAZETTE_LISTEN...)\n"
	      "# override this file and command-line options (--listen...) override both.\n"
	      "# Generated by 'gazette config sample' from the settings table\n"
	      "# (docs/settings.md says the same).\n", f);
	const char *section = "";
	for (size_t i = 0; i < cfg_ndefs; i++) {
		const struct cfg_def *d = &cfg_defs[i];
		if (d->tests_only)
			continue;
		if (strcmp(section, d->section) != 0) {
			fprintf(f, "\n[%s]\n", d->section);
			section = d->section;
		} else
			fputc('\n', f);
		wrap(f, "# ", "# ", d->help, 79);
		if (d->type == CFG_INT)
			fprintf(f, "# Type: a number from %ld to %ld.\n", d->min, d->max);
		else if (d->type == CFG_BOOL)
			fprintf(f, "# Type: yes or no.\n");
		else
			fprintf(f, "# Type: text, %s.\n", d->arg);
		if (d->def)
			fprintf(f, "#%s = %s\n", d->key, d->def);
		else
			fprintf(f, "#%s = %s\n", d->key, d->arg);
	}
}

void
cfg_print_markdown(FILE *f)
{
	fputs("# Settings\n\n"
	      "Generated by `gazette config markdown` from the settings table in\n"
	      "`src/config.c`, like `gazette serve --help`, the man page and the sample\n"
	      "`gazette.conf` (`gazette config sample`); a test keeps them the same.\n\n"
	      "Gazette reads, in this order, each overriding the one before:\n\n"
	      "1. the defaults below;\n"
	      "2. the configuration file: `--config FILE`, else `$GAZETTE_CONFIG`, else\n"
	      "   `/etc/gazette/gazette.conf` if it exists (INI: `[section]` headers,\n"
	      "   `setting = value` lines, `#` comments);\n"
	      "3. environment variables: `GAZETTE_` and the setting's name in capitals,\n"
	      "   `-` as `_` (`GAZETTE_BASE_URL`);\n"
	      "4. command-line options: `--setting VALUE`, or the flag shown for yes/no\n"
	      "   settings.\n\n"
	      "A bad value stops Gazette with a message naming the setting and where it\n"
	      "came from (`/etc/gazette/gazette.conf:12: threads wants a whole number\n"
	      "from 1 to 256, not 'many'`). `gazette config show` prints every setting's\n"
	      "value and where it came from. The `db` setting also gives the other\n"
	      "commands (`gazette user`, `gazette backup`...) their database.\n", f);
	const char *section = "";
	for (size_t i = 0; i < cfg_ndefs; i++) {
		const struct cfg_def *d = &cfg_defs[i];
		if (d->tests_only)
			continue;
		if (strcmp(section, d->section) != 0) {
			fprintf(f, "\n## [%s]\n", d->section);
			section = d->section;
		}
		char env[64];
		env_name(d->key, env, sizeof env);
		fprintf(f, "\n### `%s`\n\n", d->key);
		if (d->type == CFG_BOOL)
			fprintf(f, "`%s` · `%s` · yes or no · default `%s`\n\n", d->flag, env, d->def);
		else if (d->type == CFG_INT)
			fprintf(f, "`--%s %s` · `%s` · a number from %ld to %ld · default %s%s%s\n\n", d->key, d->arg, env, d->min, d->max,
			    d->def ? "`" : "", d->def ? d->def : "unset", d->def ? "`" : "");
		else
			fprintf(f, "`--%s %s` · `%s` · text · default %s%s%s\n\n", d->key, d->arg, env,
			    d->def ? "`" : "", d->def ? d->def : "unset", d->def ? "`" : "");
		wrap(f, "", "", d->help, 76);
	}
}

/* One line of roff text: backslashes and hyphens escaped, characters past
 * ASCII as \[uXXXX], a line never begun with '.' or '\''. */
void
cfg_roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else if (*p < 0x80)
			fputc(*p, f);
		else {
			unsigned cp = 0;
			int more = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
			cp = *p & (0x3f >> more);
			for (int k = 0; k < more && p[1]; k++)
				cp = (cp << 6) | (*++p & 0x3f);
			fprintf(f, "\\[u%04X]", cp);
		}
	}
	fputc('\n', f);
}

static void
roff(FILE *f, const char *s)
{
	cfg_roff(f, s);
}

void
cfg_print_man_options(FILE *f)
{
	for (size_t i = 0; i < cfg_ndefs; i++) {
		const struct cfg_def *d = &cfg_defs[i];
		char env[64], more[400];
		env_name(d->key, env, sizeof env);
		fputs(".TP\n", f);
		if (d->type == CFG_BOOL) {
			fputs(".B ", f);
			roff(f, d->flag);
			snprintf(more, sizeof more, "Sets %s = %s.", d->key, strcmp(d->def, "yes") == 0 ? "no" : "yes");
			roff(f, more);
		} else {
			fputs(".BI \\-\\-", f);
			char key[64];
			snprintf(key, sizeof key, "%s", d->key);
			for (char *p = key; *p; p++)
				if (*p == '-')
					fputs("\\-", f);
				else
					fputc(*p, f);
			fprintf(f, " \" %s\"\n", d->arg);
		}
		roff(f, d->help);
		if (d->tests_only)
			continue;
		if (d->type == CFG_BOOL)
			snprintf(more, sizeof more, "In the file: %s = yes or no (default %s), in [%s]; environment: %s.", d->key, d->def, d->section, env);
		else
			snprintf(more, sizeof more, "In the file: %s, in [%s]; environment: %s.%s%s", d->key, d->section, env,
			    d->def ? " Default: " : "", d->def ? d->def : "");
		roff(f, more);
	}
}

const char *
cfg_hide_password(const char *url, char *out, size_t n)
{
	const char *scheme = strstr(url, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (!at || !colon || colon > at)
		snprintf(out, n, "%s", url);
	else
		snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
	return out;
}

void
cfg_print_effective(FILE *f, const struct cfg_value *vals)
{
	for (size_t i = 0; i < cfg_ndefs; i++) {
		const struct cfg_def *d = &cfg_defs[i];
		if (d->tests_only && !vals[i].text)
			continue;
		const char *v = vals[i].text ? vals[i].text : d->def;
		char shown[600];
		cfg_hide_password(v ? v : "(unset)", shown, sizeof shown);
		fprintf(f, "%-16s = %-40s # %s\n", d->key, shown, vals[i].text ? vals[i].origin : "default");
	}
}
