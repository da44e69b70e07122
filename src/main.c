/* main.c: the gazette command line: init, demo, serve. Parses options,
 * opens the database, and wires the features' routes into core/http.
 * Exit codes: 0 done, 1 a resource is unusable (database, port, theme),
 * 2 bad usage. */
#include "admin.h"
#include "comments.h"
#include "events.h"
#include "core/outbox.h"
#include "core/image.h"
#include <errno.h>
#include <sys/stat.h>
#include "core/form.h"
#include "core/i18n.h"
#include "core/cache.h"
#include "core/invalidate.h"
#include "core/log.h"
#include "core/router.h"
#include "core/theme.h"
#include "config.h"
#include <signal.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef GAZETTE_VERSION
#define GAZETTE_VERSION "0.0.0"
#endif
#ifndef GAZETTE_DATADIR
#define GAZETTE_DATADIR "."
#endif

struct opts {
	const char *db;
	const char *listen;
	const char *theme;
	const char *base_url;
	unsigned threads;
	unsigned io_threads;
	long cache_mib;
	long per_ip;            /* -1: the default */
	int costly_pct;         /* -1: the default */
	bool dev;
	bool no_cache;
	bool no_access_log;
	bool fault_injection;
	bool behind_proxy;
	long client_timeout;    /* 0: the default */
	bool help;
	bool audit;                /* audit seo: serve on loopback, crawl, stop */
	long articles;             /* demo --articles N */
	int schema_version;        /* init --schema-version N */
	const char *from, *to;     /* migrate */
	const char *smtp, *mail_from, *mail_dir;   /* serve: the outbox */
	const char *media_dir;                     /* serve: uploaded pictures */
	/* article edit */
	const char *title, *standfirst, *body_file, *status, *published;
};

static const char usage_text[] =
	"usage: gazette [--version] [--help] COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  init    create or migrate a database\n"
	"  demo    load the demo newsroom into a database (creating it if needed)\n"
	"  serve   serve the site over HTTP\n"
	"  article change an article (article edit ID …)\n"
	"  migrate copy a site between databases (SQLite, PostgreSQL) and check it\n"
	"  backup  write one archive of the site (database and pictures) while it serves\n"
	"  restore bring a backup back into a new database\n"
	"  doctor  check a server's setup and say what to fix\n"
	"  edition add an edition (a language, right to left or not), list them\n"
	"  config  show the settings and where they come from; print gazette.conf,\n"
	"          docs/settings.md or the man page\n"
	"  comments list or moderate reader comments\n"
	"  events  list events, export attendees, make check-in keys\n"
	"  user    add newsroom accounts (the first admin), list them\n"
	"  settings show or change the site settings (comment policy, limits)\n"
	"  routes  list every URL route and the right it needs\n"
	"  search  rebuild the search index, choose an edition's stemmer\n"
	"  audit   check the site as search engines read it (audit seo)\n"
	"  api-key make, list or revoke keys of the Content API (/api/v1/…)\n"
	"  import  bring a WordPress export in (import wordpress FILE.xml)\n"
	"\n"
	"Run 'gazette COMMAND --help' for a command's options.\n";

static const struct {
	const char *name;
	const char *help;
} commands[] = {
	{"init", "usage: gazette init [--db FILE] [--schema-version N]\n"
		 "Creates the database FILE, or applies the migrations it lacks.\n"
		 "  --db FILE        database file (default gazette.db; env GAZETTE_DB)\n"
		 "  --schema-version N  only up to schema version N (to test upgrades)\n"},
	{"demo", "usage: gazette demo [--db FILE] [--articles N]\n"
		 "Loads the demo newsroom (4 editions, Arabic right to left; sections,\n"
		 "authors, articles)\n"
		 "into FILE, creating and migrating it if needed. A database that\n"
		 "already has articles is left unchanged.\n"
		 "  --db FILE        database file (default gazette.db; env GAZETTE_DB)\n"
		 "  --articles N     then grow the site to N articles of generated text\n"
		 "                   (for measuring: 100000 takes well under a minute)\n"},
	{"serve", "usage: gazette serve [--config FILE] [OPTIONS]\n"
		  "Serves the site. SIGHUP reloads the theme; SIGTERM or SIGINT stop\n"
		  "accepting, finish requests in flight and close the database.\n"
		  "Every option is also a setting of gazette.conf and an environment\n"
		  "variable (docs/settings.md; gazette config show prints them all).\n"
		  "  --config FILE         the configuration file (default $GAZETTE_CONFIG,\n"
		  "                        else /etc/gazette/gazette.conf if there)\n"},
	{"config", "usage: gazette config show|sample|markdown|man [--config FILE] [SERVE OPTIONS]\n"
		   "show      every setting of serve, its value and where it came from (the\n"
		   "          default, FILE:LINE, the environment or the command line)\n"
		   "sample    a gazette.conf with every setting, commented out\n"
		   "markdown  docs/settings.md\n"
		   "man       the man page, gazette.1\n"},
	{"doctor", "usage: gazette doctor [SERVE OPTIONS]\n"
		   "Checks what 'gazette serve' with the same options needs: the options,\n"
		   "the database (there, writable, its schema version, integrity), the clock,\n"
		   "the theme and catalogs, the media and mail folders, free disk and the\n"
		   "listen address (free, or a Gazette answering there). Prints ok, warn or\n"
		   "FAIL per check with how to fix it; changes nothing. Exits 1 if anything\n"
		   "must be fixed. Run it as the server's user. Takes every option of\n"
		   "'gazette serve' (see gazette serve --help).\n"},
	{"migrate", "usage: gazette migrate --from DB --to DB\n"
		    "Copies every article, term, author and edition from one database to\n"
		    "another (an SQLite file or a postgresql:// URL, either way), then\n"
		    "reads both back and compares row counts and a checksum per table.\n"
		    "The target is created and migrated if needed, and must be empty.\n"
		    "  --from DB          the site to copy\n"
		    "  --to DB            where to copy it\n"},
	{"audit", "usage: gazette audit seo [--db FILE] [--theme DIR]\n"
		  "Serves the site on a loopback port for the purpose and reads it as a\n"
		  "search engine does: robots.txt, every sitemap, every page they list\n"
		  "and every translation those pages name. Lists each problem (status,\n"
		  "canonical, hreflang codes, self-reference, x-default, translations\n"
		  "that do not link back, sitemap and page disagreeing, duplicates,\n"
		  "noindex pages in sitemaps, the news sitemap's 48 hours, JSON-LD of\n"
		  "articles) and exits 1 if there is any, 0 if none. Writes nothing.\n"
		  "  --db FILE        database (default gazette.db; env GAZETTE_DB)\n"
		  "  --theme DIR      theme folder (default: the built-in one)\n"},
	{"article", "usage: gazette article edit ID [--db FILE] [--title TEXT] [--standfirst TEXT]\n"
		    "                    [--body-file FILE] [--status STATUS] [--published 'YYYY-MM-DD HH:MM']\n"
		    "Changes article ID. Running servers on the same database drop the\n"
		    "pages it touches from their caches within a fraction of a second.\n"
		    "  --db FILE          database file (default gazette.db; env GAZETTE_DB)\n"
		    "  --title TEXT       new headline\n"
		    "  --standfirst TEXT  new standfirst\n"
		    "  --body-file FILE   new Markdown body, read from FILE ('-': standard input)\n"
		    "  --status STATUS    draft, review, scheduled, published or private\n"
		    "  --published TIME   publication time, UTC\n"},
};

static const char *
command_help(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].help;
	return usage_text;
}

/* A port nothing listens on now (the kernel's choice), or -1. */
static int
free_loopback_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Where themes/, locale/ and demo/ are: $GAZETTE_DATADIR; else, for an
 * installed binary (make install), ../share/gazette beside its bin/ folder,
 * wherever that was installed; else the source tree it was built from. */
static const char *
datadir(void)
{
	static char found[4096];
	const char *d = getenv("GAZETTE_DATADIR");
	if (d && *d)
		return d;
	if (found[0])
		return found;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			char probe[4096 + 64];
			snprintf(probe, sizeof probe, "%s/../share/gazette/themes/default", exe);
			if (access(probe, R_OK) == 0 && (size_t)snprintf(found, sizeof found, "%s/../share/gazette", exe) < sizeof found)
				return found;
		}
	}
	snprintf(found, sizeof found, "%s", GAZETTE_DATADIR);
	return found;
}

static int
usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "gazette: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	for (size_t i = 0; cmd && i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, cmd) == 0) {
			fputs(commands[i].help, stderr);
			return 2;
		}
	fputs(usage_text, stderr);
	return 2;
}

/* The settings as read so far: defaults, the configuration file, the
 * environment, then (for serve, audit and doctor) the command line. */
static struct cfg_value settings[64];

/* The configuration file: --config FILE among args, else $GAZETTE_CONFIG,
 * else /etc/gazette/gazette.conf if it is there. Returns 0 or an exit code. */
static int
load_settings(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			path = argv[i + 1];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		}
	}
	const char *env = getenv("GAZETTE_CONFIG");
	if (!path && env && *env)
		path = env;
	if (!path && access("/etc/gazette/gazette.conf", F_OK) == 0)
		path = "/etc/gazette/gazette.conf";
	char err[600];
	if (path && cfg_load_file(settings, path, err, sizeof err) < 0) {
		fprintf(stderr, "gazette: %s\n", err);
		return 2;
	}
	if (cfg_load_env(settings, err, sizeof err) < 0) {
		fprintf(stderr, "gazette: %s\n", err);
		return 2;
	}
	return 0;
}

/* The database of the commands with their own parsers (user, backup...):
 * as configured, unless their --db says otherwise. */
static const char *
configured_db(void)
{
	const char *db = cfg_text(settings, "db");
	return db ? db : "gazette.db";   /* the table's default; never unset */
}

/* Parses the options of cmd; returns 0 or an exit code. */
static int
parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	bool is_serve = strcmp(cmd, "serve") == 0 || strcmp(cmd, "audit") == 0 || strcmp(cmd, "doctor") == 0 ||
	    strcmp(cmd, "config") == 0;
	bool is_article = strcmp(cmd, "article") == 0;
	bool is_demo = strcmp(cmd, "demo") == 0;
	bool is_init = strcmp(cmd, "init") == 0;
	bool is_migrate = strcmp(cmd, "migrate") == 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i], *val = NULL;
		char name[64];
		snprintf(name, sizeof name, "%s", a);
		char *eq = strchr(name, '=');
		if (eq) {
			*eq = 0;
			val = a + (eq - name) + 1;
		}
		/* a setting of the table: --db for every command, the rest for serve */
		const struct cfg_def *d = strncmp(name, "--", 2) == 0 ? cfg_find(name + 2) : NULL;
		if (d && (d->type == CFG_BOOL || (!is_serve && strcmp(d->key, "db") != 0)))
			d = NULL;
		const struct cfg_def *flag = NULL;
		for (size_t k = 0; is_serve && !eq && k < cfg_ndefs; k++)
			if (cfg_defs[k].flag && strcmp(cfg_defs[k].flag, name) == 0)
				flag = &cfg_defs[k];
		bool takes = d || strcmp(name, "--config") == 0 || (is_demo && strcmp(name, "--articles") == 0) ||
		    (is_init && strcmp(name, "--schema-version") == 0) ||
		    (is_migrate && (strcmp(name, "--from") == 0 || strcmp(name, "--to") == 0)) ||
		    (is_article && (strcmp(name, "--title") == 0 || strcmp(name, "--standfirst") == 0 ||
		    strcmp(name, "--body-file") == 0 || strcmp(name, "--status") == 0 || strcmp(name, "--published") == 0));
		if (takes && !val) {
			if (i + 1 >= argc)
				return usage_error(cmd, "option %s needs a value", name);
			val = argv[++i];
		}
		if (!val)
			val = "";   /* a flag: its value is never read */
		char err[600];
		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
			o->help = true;
		else if (strcmp(name, "--config") == 0)
			;   /* read by load_settings */
		else if (d) {
			if (cfg_set(settings, d, val, "command line", err, sizeof err) < 0)
				return usage_error(cmd, "%s", err);
		} else if (flag) {
			cfg_set(settings, flag, strcmp(flag->def, "yes") == 0 ? "no" : "yes", "command line", err, sizeof err);
		} else if (is_migrate && strcmp(name, "--from") == 0)
			o->from = val;
		else if (is_migrate && strcmp(name, "--to") == 0)
			o->to = val;
		else if (is_init && strcmp(name, "--schema-version") == 0) {
			long n = atol(val);
			if (n < 1 || n > db_latest_version() || strspn(val, "0123456789") != strlen(val))
				return usage_error(cmd, "--schema-version needs a version from 1 to this Gazette's, not '%s'", val);
			o->schema_version = (int)n;
		} else if (is_demo && strcmp(name, "--articles") == 0) {
			long n = atol(val);
			if (n < 1 || n > 10000000 || strspn(val, "0123456789") != strlen(val))
				return usage_error(cmd, "--articles needs a number from 1 to 10000000, not '%s'", val);
			o->articles = n;
		} else if (is_article && strcmp(name, "--title") == 0)
			o->title = val;
		else if (is_article && strcmp(name, "--standfirst") == 0)
			o->standfirst = val;
		else if (is_article && strcmp(name, "--body-file") == 0)
			o->body_file = val;
		else if (is_article && strcmp(name, "--status") == 0)
			o->status = val;
		else if (is_article && strcmp(name, "--published") == 0)
			o->published = val;
		else
			return usage_error(cmd, "unknown option '%s'", a);
	}
	/* the settings, as the rest of this file reads them */
	o->db = configured_db();
	o->listen = cfg_text(settings, "listen");
	if (!o->listen)
		o->listen = "127.0.0.1:8080";   /* the table's default; never unset */
	o->base_url = cfg_text(settings, "base-url");
	o->threads = (unsigned)cfg_int(settings, "threads", 0);
	o->io_threads = (unsigned)cfg_int(settings, "io-threads", 0);
	o->theme = cfg_text(settings, "theme");
	o->behind_proxy = cfg_bool(settings, "behind-proxy");
	o->no_access_log = !cfg_bool(settings, "access-log");
	o->dev = cfg_bool(settings, "dev");
	o->no_cache = !cfg_bool(settings, "cache");
	o->cache_mib = cfg_int(settings, "cache-size", 256);
	o->per_ip = cfg_int(settings, "per-ip", -1);
	o->costly_pct = (int)cfg_int(settings, "costly-share", -1);
	o->client_timeout = cfg_int(settings, "client-timeout", 0);
	o->smtp = cfg_text(settings, "smtp");
	o->mail_from = cfg_text(settings, "mail-from");
	o->mail_dir = cfg_text(settings, "mail-dir");
	o->media_dir = cfg_text(settings, "media-dir");
	o->fault_injection = cfg_bool(settings, "fault-injection");
	return 0;
}

static struct db *
open_db(const char *path, int pool)
{
	char err[512];
	struct db *db = db_open(path, pool, err, sizeof err);
	if (!db) {
		char shown[512];
		if (db_url_is_pg(path))   /* name it, without its password */
			fprintf(stderr, "gazette: %s: %s\n", cfg_hide_password(path, shown, sizeof shown), err);
		else
			fprintf(stderr, "gazette: %s\n", err);
		return NULL;
	}
	struct db_conn *c = db_acquire(db);
	int rc = db_migrate(c, err, sizeof err);
	db_release(c);
	if (rc < 0) {
		fprintf(stderr, "gazette: database %s: %s\n", path, err);
		db_close(db);
		return NULL;
	}
	return db;
}

struct db *
cli_open_db(const char *path)
{
	return open_db(path, 1);
}

static int
cmd_init(struct opts *o)
{
	if (o->schema_version) {
		/* only so far: tests of upgrades from an older schema */
		char err[512];
		struct db *old = db_open(o->db, 1, err, sizeof err);
		if (!old) {
			fprintf(stderr, "gazette: %s\n", err);
			return 1;
		}
		struct db_conn *c = db_acquire(old);
		int rc = db_migrate_to(c, o->schema_version, err, sizeof err);
		if (rc == 0)
			printf("%s: schema version %d\n", o->db, db_schema_version(c));
		else
			fprintf(stderr, "gazette: database %s: %s\n", o->db, err);
		db_release(c);
		db_close(old);
		return rc < 0 ? 1 : 0;
	}
	struct db *db = open_db(o->db, 1);
	if (!db)
		return 1;
	struct db_conn *c = db_acquire(db);
	printf("%s: schema version %d\n", o->db, db_schema_version(c));
	db_release(c);
	db_close(db);
	return 0;
}

static int
cmd_demo(struct opts *o)
{
	struct db *db = open_db(o->db, 1);
	if (!db)
		return 1;
	char dir[4096], err[1024];
	snprintf(dir, sizeof dir, "%s/demo", datadir());
	int rc = demo_load(db, dir, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "gazette: demo: %s\n", err);
	else if (o->articles) {
		if ((rc = demo_generate(db, o->articles, err, sizeof err)) < 0)
			fprintf(stderr, "gazette: demo: %s\n", err);
		else {
			struct db_conn *c = db_acquire(db);
			printf("%s: %lld articles\n", o->db, db_int1(c, 0, "SELECT count(*) FROM articles", ""));
			db_release(c);
		}
	} else if (rc == 1)
		printf("%s already has articles: demo content not loaded again\n", o->db);
	else {
		struct db_conn *c = db_acquire(db);
		printf("%s: demo newsroom loaded (%lld articles)\n", o->db, db_int1(c, 0, "SELECT count(*) FROM articles", ""));
		db_release(c);
	}
	db_close(db);
	return rc < 0 ? 1 : 0;
}

static char *
slurp(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0, r;
	char *s = xmalloc(cap);
	while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2)
			s = xrealloc(s, cap *= 2);
	}
	s[n] = 0;
	if (f != stdin)
		fclose(f);
	return s;
}

/* gazette article edit ID [options] */
static int
cmd_article(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[0], "edit") != 0)
		return usage_error("article", "expected 'article edit ID'%s", "");
	char *end;
	long long id = strtoll(argv[1], &end, 10);
	if (*end || id <= 0)
		return usage_error("article", "'%s' is not an article id", argv[1]);
	struct opts o = {0};
	int rc = parse_opts("article", argc - 2, argv + 2, &o);
	if (rc)
		return rc;
	if (o.help) {
		fputs(command_help("article"), stdout);
		return 0;
	}
	struct article_change ch = {o.title, o.standfirst, NULL, o.status, 0, (long long)time(NULL)};
	if (o.published) {
		struct tm tm = {0};
		char *e = strptime(o.published, "%Y-%m-%d %H:%M", &tm);
		if (e && *e == ':')
			e = strptime(e, ":%S", &tm);
		if (!e || *e)
			return usage_error("article", "--published wants 'YYYY-MM-DD HH:MM[:SS]', not '%s'", o.published);
		ch.published_at = (long long)timegm(&tm);
	}
	char *body = NULL;
	if (o.body_file && !(body = slurp(o.body_file))) {
		fprintf(stderr, "gazette: cannot read %s\n", o.body_file);
		return 1;
	}
	ch.body_md = body;
	struct db *db = open_db(o.db, 1);
	if (!db) {
		free(body);
		return 1;
	}
	char err[512];
	long long inval = 0;
	rc = article_edit(db, id, &ch, &inval, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "gazette: article %lld: %s\n", id, err);
	else
		printf("article %lld updated (invalidation %lld)\n", id, inval);
	free(body);
	db_close(db);
	return rc < 0 ? 1 : 0;
}

static int
cmd_migrate(struct opts *o)
{
	if (!o->from || !o->to)
		return usage_error("migrate", "both --from and --to are needed%s", "");
	struct db *from = open_db(o->from, 1);
	if (!from)
		return 1;
	struct db *to = open_db(o->to, 1);
	if (!to) {
		db_close(from);
		return 1;
	}
	char err[512];
	int rc = site_migrate(from, to, NULL, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "gazette: migrate: %s\n", err);
	else
		printf("copied and checked: every table matches\n");
	db_close(to);
	db_close(from);
	return rc < 0 ? 1 : 0;
}

static const char *theme_dir_opt;

static void
dev_reload(void)
{
	char err[1024];
	struct theme *t = theme_load(theme_dir_opt, err, sizeof err);
	if (t)
		theme_install(t);
	else
		log_error("theme not reloaded: %s", err);
}

static bool dev_mode;

static void
dispatch(struct req *r)
{
	if (dev_mode) {
		dev_reload();
		theme_release(r->theme);
		r->theme = theme_acquire();
		theme_set_current_for_thread(r->theme);
	}
	site_dispatch(r);
}

/* Every route table, in matching order. */
static void
routes_register(void)
{
	router_add(site_routes);
	router_add(sitemap_routes);
	router_add(admin_routes);
	router_add(admin_dashboard_routes);
	router_add(admin_article_routes);
	router_add(admin_revision_routes);
	router_add(admin_comment_routes);
	router_add(admin_event_routes);
	router_add(admin_settings_routes);
	router_add(admin_term_routes);
	router_add(admin_redirect_routes);
	router_add(admin_front_routes);
	router_add(admin_media_routes);
	router_add(admin_user_routes);
	router_add(admin_page_routes);
	/* before "/{edition}/{year}/{month}/{slug}": the first match wins */
	router_add(feed_routes);
	router_add(comment_routes);
	router_add(booking_routes);
	router_add(event_routes);
	router_add(checkin_routes);
	router_add(auth_routes);
	router_add(totp_routes);
	router_add(search_routes);
	router_add(api_routes);
	router_add(article_routes);
	router_add(archive_routes);
	router_add(page_routes);   /* last: a page never takes an address a feature answers */
}

/* Stops the server (requests in flight finish), the background jobs when
 * they were started, then closes what they used: the page cache only once
 * no job can invalidate it any more. */
static void
serve_teardown(struct server *srv, struct db *db, bool jobs)
{
	server_stop(srv);
	if (jobs) {
		outbox_stop();
		scheduler_stop();
		inval_poller_stop();
	}
	cache_shutdown();
	db_close(db);
	site_shutdown();
	router_reset();
	theme_install(NULL);
	i18n_shutdown();
	image_shutdown();
}

static int
cmd_serve(struct opts *o)
{
	char err[1024], theme_dir[4096], locale_dir[4096], base[512];
	/* unset: one worker and one I/O thread per core (I/O threads up to HTTP_IO_MAX) */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	unsigned threads = o->threads ? o->threads : (unsigned)cores;
	unsigned io_threads = o->io_threads ? o->io_threads : cores > HTTP_IO_MAX ? HTTP_IO_MAX : (unsigned)cores;
	snprintf(theme_dir, sizeof theme_dir, "%s", o->theme ? o->theme : "");
	if (!o->theme)
		snprintf(theme_dir, sizeof theme_dir, "%s/themes/default", datadir());
	snprintf(locale_dir, sizeof locale_dir, "%s/locale", datadir());
	theme_dir_opt = theme_dir;
	dev_mode = o->dev;

	/* signals are taken by sigwait() below; worker threads inherit the mask */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (i18n_load(locale_dir, err, sizeof err) < 0) {
		fprintf(stderr, "gazette: catalogs: %s\n", err);
		return 1;
	}
	struct theme *t = theme_load(theme_dir, err, sizeof err);
	if (!t) {
		fprintf(stderr, "gazette: theme: %s\n", err);
		i18n_shutdown();
		return 1;
	}
	theme_install(t);
	/* a connection per worker, the invalidation poller, the scheduler and
	 * the mail worker; with SQLite, one per I/O thread too, which renders
	 * quick pages itself when every I/O thread is busy (core/http) */
	bool local = !db_url_is_pg(o->db);
	struct db *db = open_db(o->db, (int)threads + 3 + (local ? (int)io_threads : 0));
	if (!db) {
		theme_install(NULL);
		i18n_shutdown();
		return 1;
	}
	snprintf(base, sizeof base, "%s", o->base_url ? o->base_url : "");
	if (!o->base_url)
		snprintf(base, sizeof base, "http://%s", o->listen);
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		base[--bl] = 0;
	struct site_config sc = {base};
	if (site_init(db, &sc) < 0) {
		fprintf(stderr, "gazette: database %s has no editions: load some with 'gazette demo --db %s'\n", o->db, o->db);
		db_close(db);
		theme_install(NULL);
		i18n_shutdown();
		return 1;
	}
	if (!o->audit && search_check(db) < 0)
		log_error("the search index could not be checked or rebuilt: 'gazette search reindex' rebuilds it");
	routes_register();
	form_secure_cookies(strncmp(base, "https://", 8) == 0);
	struct server_config cfg = {
		.listen = o->listen,
		.threads = threads,
		.io_threads = io_threads,
		.db = db,
		.dev = o->dev,
		.cache_bytes = o->no_cache || o->dev ? 0 : (size_t)(o->cache_mib ? o->cache_mib : 256) << 20,
		.access_log = !o->no_access_log,
		.theme_dir = theme_dir,
		.dispatch = dispatch,
		.error_page = site_error_page,
		.request_done = site_request_done,
		.body_limit = site_body_limit,
		.media_dir = o->media_dir ? o->media_dir : "media",
		.per_ip = o->per_ip >= 0 ? (unsigned)o->per_ip : 128,
		.costly_share = (o->costly_pct >= 0 ? o->costly_pct : 50) / 100.0,
		.fault_injection = o->fault_injection,
		.behind_proxy = o->behind_proxy,
		.client_timeout = (unsigned)o->client_timeout,
		.quick = local && !o->dev ? site_quick : NULL,
	};
	if (cfg.fault_injection)
		log_error("fault injection is on (--fault-injection): for tests, never for a public site");
	media_dir_set(cfg.media_dir);
	if (mkdir(cfg.media_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gazette: media folder %s: %s\n", cfg.media_dir, strerror(errno));
		return 1;
	}
	if (image_init() < 0) {
		fprintf(stderr, "gazette: libvips failed to start\n");
		return 1;
	}
	struct server *srv = server_start(&cfg, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "gazette: %s\n", err);
		db_close(db);
		theme_install(NULL);
		i18n_shutdown();
		return 1;
	}
	if (o->audit) {   /* nothing that writes: no scheduler, no outbox */
		int problems = audit_seo_run(base, stdout);
		serve_teardown(srv, db, false);
		return problems < 0 ? 2 : problems > 0;
	}
	inval_poller_start(db, 100);
	scheduler_start(db);
	struct mail_config mc = {o->smtp, o->mail_from ? o->mail_from : "gazette@localhost", o->mail_dir ? o->mail_dir : "mail", 5};
	const char *retry = getenv("GAZETTE_MAIL_RETRY");   /* tests: a shorter first retry */
	if (retry && atoi(retry) > 0)
		mc.retry_seconds = atoi(retry);
	outbox_start(db, &mc);
	char shown[512];
	log_info("gazette %s serving %s on http://%s (%u threads, %s)", GAZETTE_VERSION, cfg_hide_password(o->db, shown, sizeof shown),
	    o->listen, threads, db_backend_name(db));
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			struct theme *nt = theme_load(theme_dir, err, sizeof err);
			if (nt) {
				theme_install(nt);
				cache_invalidate_all();   /* every page is made with the theme */
				log_info("theme reloaded from %s", theme_dir);
			} else
				log_error("theme not reloaded: %s", err);
			continue;
		}
		log_info("signal %d: stopping", sig);
		break;
	}
	serve_teardown(srv, db, true);
	log_info("stopped");
	return 0;
}

static void
route_print(const struct route *rt, void *arg)
{
	(void)arg;
	printf("%s%s%s %s %s\n", rt->methods & HTTP_GET ? "GET" : "", rt->methods & HTTP_GET && rt->methods & HTTP_POST ? "," : "",
	    rt->methods & HTTP_POST ? "POST" : "", rt->pattern, rt->guard ? rt->guard : "-");
}

/* The man page: the commands from the usage text, the settings from the table. */
static void
print_man(FILE *f)
{
	fprintf(f, ".\\\" Generated by 'gazette config man'; do not edit.\n"
	    ".TH GAZETTE 1 \"\" \"gazette %s\" \"User Commands\"\n"
	    ".SH NAME\ngazette \\- a multilingual news site in one program\n"
	    ".SH SYNOPSIS\n.B gazette\n.I COMMAND\n.RI [ OPTIONS ]\n"
	    ".SH DESCRIPTION\n"
	    "Gazette serves a newsroom's site: editions in several languages, articles, comments,\n"
	    "events and bookings, and the admin editors run it from. It keeps everything in\n"
	    "SQLite, or in PostgreSQL for several nodes.\n"
	    ".SH COMMANDS\n", GAZETTE_VERSION);
	const char *p = strstr(usage_text, "Commands:\n");
	for (p = p ? strchr(p, '\n') + 1 : usage_text; *p == ' ';) {
		const char *end = strchr(p, '\n');
		if (!end)
			break;
		const char *w = p + 2, *we = strchr(w, ' ');
		if (we && we < end && w[0] != ' ') {
			const char *desc = we;
			while (*desc == ' ')
				desc++;
			char line[300];
			snprintf(line, sizeof line, "%.*s", (int)(end - desc), desc);
			fprintf(f, ".TP\n.B %.*s\n", (int)(we - w), w);
			cfg_roff(f, line);
		} else {   /* a continued description */
			const char *desc = w;
			while (*desc == ' ')
				desc++;
			char line[300];
			snprintf(line, sizeof line, "%.*s", (int)(end - desc), desc);
			cfg_roff(f, line);
		}
		p = end + 1;
	}
	fputs(".PP\nRun\n.B gazette\n.I COMMAND\n.B \\-\\-help\nfor a command's own options.\n"
	    ".SH SETTINGS\n"
	    "The settings of\n.B gazette serve\n(and\n.BR doctor ),\nread from the defaults, then the configuration file, then\n"
	    "the environment, then the command line, each overriding the one before.\n"
	    ".TP\n.BI \\-\\-config \" FILE\"\n"
	    "The configuration file (INI). Default: $GAZETTE_CONFIG, else /etc/gazette/gazette.conf if it exists.\n", f);
	cfg_print_man_options(f);
	fputs(".SH FILES\n.TP\n.I /etc/gazette/gazette.conf\nThe configuration file; `gazette config sample' prints one with every setting.\n"
	    ".TP\n.I ../share/gazette\nBeside the binary's folder: the theme, catalogs and demo content ($GAZETTE_DATADIR overrides it).\n"
	    ".SH ENVIRONMENT\nGAZETTE_CONFIG names the configuration file; GAZETTE_ and a setting's name in capitals\n"
	    "(GAZETTE_DB, GAZETTE_BASE_URL) sets that setting; GAZETTE_DATADIR names the data folder.\n"
	    ".SH EXIT STATUS\n0 done, 1 a resource is unusable (the database, the port, the theme), 2 bad usage or a bad setting.\n"
	    ".SH SEE ALSO\nThe documents installed with it: install.md, settings.md, backup.md, upgrade.md, security.md.\n", f);
}

static int
cmd_config(const char *action)
{
	if (strcmp(action, "show") == 0)
		cfg_print_effective(stdout, settings);
	else if (strcmp(action, "sample") == 0)
		cfg_print_sample(stdout);
	else if (strcmp(action, "markdown") == 0)
		cfg_print_markdown(stdout);
	else if (strcmp(action, "man") == 0)
		print_man(stdout);
	else
		return usage_error("config", "config wants show, sample, markdown or man, not '%s'", action);
	return 0;
}

/* gazette routes: the route table, one line each (METHOD PATTERN GUARD), for
 * tests that walk every route and for operators. */
static int
cmd_routes(void)
{
	routes_register();
	router_each(route_print, NULL);
	router_reset();
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "gazette: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") != 0 && strcmp(cmd, "--help") != 0 && strcmp(cmd, "-h") != 0 && strcmp(cmd, "help") != 0) {
		int lr = load_settings(argc - 2, argv + 2);
		if (lr)
			return lr;
	}
	if (strcmp(cmd, "article") == 0)
		return argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)
		    ? (fputs(command_help("article"), stdout), 0) : cmd_article(argc - 2, argv + 2);
	if (strcmp(cmd, "comments") == 0 || strcmp(cmd, "settings") == 0 || strcmp(cmd, "events") == 0 || strcmp(cmd, "user") == 0 ||
	    strcmp(cmd, "search") == 0 || strcmp(cmd, "api-key") == 0 || strcmp(cmd, "import") == 0 ||
	    strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0 || strcmp(cmd, "edition") == 0) {
		const char *dbp = configured_db();
		if (strcmp(cmd, "backup") == 0)
			return cmd_backup(argc - 2, argv + 2, dbp);
		if (strcmp(cmd, "edition") == 0)
			return cmd_edition(argc - 2, argv + 2, dbp);
		if (strcmp(cmd, "restore") == 0)
			return cmd_restore(argc - 2, argv + 2, dbp);
		if (strcmp(cmd, "search") == 0)
			return cmd_search(argc - 2, argv + 2, dbp);
		if (strcmp(cmd, "api-key") == 0)
			return cmd_api_key(argc - 2, argv + 2, dbp);
		if (strcmp(cmd, "import") == 0)
			return cmd_import(argc - 2, argv + 2, dbp);
		if (cmd[0] == 'u')
			return cmd_user(argc - 2, argv + 2, dbp);
		if (cmd[0] == 'c')
			return cmd_comments(argc - 2, argv + 2, dbp);
		if (cmd[0] == 's')
			return cmd_settings(argc - 2, argv + 2, dbp);
		/* events may write email to ticket holders: in their language */
		char locale_dir[4096], err[512];
		snprintf(locale_dir, sizeof locale_dir, "%s/locale", datadir());
		if (i18n_load(locale_dir, err, sizeof err) < 0) {
			fprintf(stderr, "gazette: catalogs: %s\n", err);
			return 1;
		}
		int rc = cmd_events(argc - 2, argv + 2, dbp);
		i18n_shutdown();
		return rc;
	}
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes();
	if (strcmp(cmd, "audit") == 0 && (argc < 3 || strcmp(argv[2], "seo") != 0) &&
	    !(argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)))
		return usage_error("audit", "audit wants 'seo'%s", "");
	if (strcmp(cmd, "--version") == 0) {
		printf("gazette %s\n", GAZETTE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	size_t ci;
	for (ci = 0; ci < sizeof commands / sizeof *commands; ci++)
		if (strcmp(commands[ci].name, cmd) == 0)
			break;
	if (ci == sizeof commands / sizeof *commands)
		return usage_error(NULL, cmd[0] == '-' ? "unknown option '%s'" : "unknown command '%s'", cmd);
	struct opts o = {0};
	bool audit = strcmp(cmd, "audit") == 0 && argc >= 3 && strcmp(argv[2], "seo") == 0;
	/* audit seo and config ACTION: a word before the options */
	int word = audit || (strcmp(cmd, "config") == 0 && argc >= 3 && argv[2][0] != '-');
	int rc = parse_opts(cmd, argc - 2 - word, argv + 2 + word, &o);
	if (rc)
		return rc;
	if (o.help) {
		fputs(commands[ci].help, stdout);
		if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "audit") == 0)
			cfg_print_options(stdout);
		return 0;
	}
	if (strcmp(cmd, "init") == 0)
		return cmd_init(&o);
	if (strcmp(cmd, "demo") == 0)
		return cmd_demo(&o);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(&o);
	if (strcmp(cmd, "config") == 0)
		return cmd_config(argc > 2 ? argv[2] : "");
	if (strcmp(cmd, "doctor") == 0) {
		char theme_dir[4096], locale_dir[4096];
		snprintf(theme_dir, sizeof theme_dir, "%s/themes/default", datadir());
		snprintf(locale_dir, sizeof locale_dir, "%s/locale", datadir());
		struct doctor_config dc = {o.db, o.theme ? o.theme : theme_dir, locale_dir, o.media_dir ? o.media_dir : "media",
			o.mail_dir ? o.mail_dir : "mail", o.smtp, o.listen, o.base_url};
		return doctor_run(&dc);
	}
	if (audit) {
		static char listen[64];
		int port = free_loopback_port();
		if (port <= 0) {
			fprintf(stderr, "gazette: audit: no free loopback port\n");
			return 2;
		}
		snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
		o.listen = listen;
		o.base_url = NULL;
		o.audit = o.no_cache = o.no_access_log = true;
		o.threads = 2;
	}
	return cmd_serve(&o);
}
