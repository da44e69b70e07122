/* doctor.c: `gazette doctor`: checks what a server needs before and while
 * it runs (its options, the database, its schema and integrity, the theme
 * and catalogs, the folders it writes, free disk, the clock, the address it
 * listens on) and prints, per check, ok / warn / FAIL with how to fix it.
 * It reads and probes; it never changes anything (no migration, no file
 * made, no row written). The options themselves are parsed by main.c. */
#include "site.h"
#include "core/theme.h"
#include "core/i18n.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static int failures, warnings;

/* One finding: level "ok", "warn" or "FAIL", a short topic, what was seen,
 * and (for warn and FAIL) how to fix it. */
static void __attribute__((format(printf, 4, 5)))
say(const char *level, const char *topic, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%-5s %-9s ", level, topic);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (fix && *fix)
		printf("      %-9s fix: %s\n", "", fix);
	if (strcmp(level, "FAIL") == 0)
		failures++;
	else if (strcmp(level, "warn") == 0)
		warnings++;
}

/* The folder a path is in ("." for a bare name). */
static void
folder_of(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

static void
check_disk(const char *topic, const char *path)
{
	struct statvfs v;
	if (statvfs(path, &v) < 0)
		return;
	double free_mib = (double)v.f_bavail * (double)v.f_frsize / 1048576.0;
	double pct = v.f_blocks ? 100.0 * (double)v.f_bavail / (double)v.f_blocks : 100;
	const char *fix = "free some space or grow the disk: SQLite needs room to write and to check out, "
	    "a backup as much again as the database";
	if (free_mib < 100)
		say("FAIL", topic, fix, "%s: only %.0f MiB free (%.1f%%)", path, free_mib, pct);
	else if (free_mib < 1024 || pct < 5)
		say("warn", topic, fix, "%s: %.0f MiB free (%.1f%%)", path, free_mib, pct);
	else
		say("ok", topic, NULL, "%s: %.1f GiB free (%.0f%%)", path, free_mib / 1024, pct);
}

/* A folder the server writes into: there and writable, or makeable. */
static void
check_folder(const char *topic, const char *dir, const char *what)
{
	struct stat st;
	char fix[4200];
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(fix, sizeof fix, "move the file %s away, or choose another folder", dir);
			say("FAIL", topic, fix, "%s is not a folder (%s)", dir, what);
		} else if (access(dir, W_OK | X_OK) < 0) {
			snprintf(fix, sizeof fix, "chown -R the server's user: %s (or chmod u+w)", dir);
			say("FAIL", topic, fix, "%s is not writable by this user (%s)", dir, what);
		} else
			say("ok", topic, NULL, "%s is writable (%s)", dir, what);
		return;
	}
	char parent[4096];
	folder_of(dir, parent, sizeof parent);
	if (stat(parent, &st) == 0 && S_ISDIR(st.st_mode) && access(parent, W_OK | X_OK) == 0)
		say("ok", topic, NULL, "%s will be made on first use (%s)", dir, what);
	else {
		snprintf(fix, sizeof fix, "mkdir -p %s and give it to the server's user", dir);
		say("FAIL", topic, fix, "%s does not exist and cannot be made (%s)", dir, what);
	}
}

static void
check_clock(struct db_conn *c, bool pg)
{
	time_t now = time(NULL);
	struct timex tx = {0};
	int state = adjtimex(&tx);
	if (now < 1704067200)   /* 2024-01-01 */
		say("FAIL", "clock", "set the time and run a time service (systemd-timesyncd or chrony)",
		    "the system clock says %lld, before this Gazette was made", (long long)now);
	else if (state == TIME_ERROR || (tx.status & STA_UNSYNC))
		say("warn", "clock", "apt-get install systemd-timesyncd (or chrony): scheduled stories and ticket "
		    "sales open by this clock", "the system clock is not synchronised with a time server");
	else
		say("ok", "clock", NULL, "synchronised");
	if (!c)
		return;
	if (pg) {
		/* several nodes schedule and expire by their own clocks: they must agree */
		long long db_now = db_int1(c, 0, "SELECT CAST(extract(epoch FROM now()) AS bigint)", "");
		long long skew = db_now - (long long)now;
		if (db_now > 0 && (skew > 2 || skew < -2))
			say("warn", "clock", "synchronise both machines with the same time service",
			    "this machine and the database server disagree by %lld s", skew);
	}
	long long newest = db_int1(c, 0, "SELECT coalesce(max(created_at), 0) FROM articles", "");
	if (newest > (long long)now + 300)
		say("warn", "clock", "check the clock: pages would call new stories older than they are",
		    "the newest article was made %lld s in the future: the clock went back", newest - (long long)now);
}

static struct db_conn *
check_database(const char *path, struct db **dbp)
{
	char fix[9000], err[512];
	bool pg = db_url_is_pg(path);
	*dbp = NULL;
	if (!pg) {
		char dir[4096];
		folder_of(path, dir, sizeof dir);
		if (access(path, F_OK) < 0) {
			snprintf(fix, sizeof fix, "gazette init --db %s (or gazette restore BACKUP --db %s)", path, path);
			say("FAIL", "database", fix, "no database at %s", path);
			return NULL;
		}
		if (access(path, R_OK | W_OK) < 0 || access(dir, W_OK | X_OK) < 0) {
			snprintf(fix, sizeof fix, "chown the server's user: %s and its folder %s (SQLite writes files beside it)", path, dir);
			say("FAIL", "database", fix, "%s or its folder is not writable by this user", path);
			return NULL;
		}
		check_disk("disk", dir);
	}
	struct db *db = db_open(path, 1, err, sizeof err);
	if (!db) {
		say("FAIL", "database", pg ? "check the URL, that PostgreSQL runs and that the role may connect (pg_hba.conf)"
		    : "restore the last backup (docs/backup.md)", "cannot open: %s", err);
		return NULL;
	}
	*dbp = db;
	struct db_conn *c = db_acquire(db);
	long long has = pg
	    ? db_int1(c, -1, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'", "")
	    : db_int1(c, -1, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", "");
	if (has < 0) {
		say("FAIL", "database", "check that the database server runs and accepts this user", "cannot read it");
		return c;
	}
	if (has == 0) {
		snprintf(fix, sizeof fix, "gazette init --db %s", pg ? "URL" : path);
		say("FAIL", "database", fix, "%s: an empty database, no Gazette schema", pg ? "postgresql" : path);
		return c;
	}
	int have = db_schema_version(c), latest = db_latest_version();
	if (have > latest) {
		say("FAIL", "schema", "run the Gazette that made it, or a newer one (docs/upgrade.md)",
		    "version %d, made by a newer Gazette than this one (which knows up to %d)", have, latest);
		return c;
	}
	if (have < latest)
		say("warn", "schema", "back up (gazette backup), then start this Gazette: it migrates on start (docs/upgrade.md)",
		    "version %d; this Gazette brings %d", have, latest);
	else
		say("ok", "schema", NULL, "version %d, current", have);
	if (!pg) {
		struct arena a = {0};
		struct db_stmt *st = db_query(c, "PRAGMA quick_check", "");
		const char *v = db_row(st) ? db_atext(st, 0, &a) : NULL;
		db_done(st);
		if (!v || strcmp(v, "ok") != 0)
			say("FAIL", "database", "stop the server and restore the last backup (docs/backup.md)",
			    "%s is damaged: %s", path, v ? v : "quick_check did not run");
		else
			say("ok", "database", NULL, "%s: integrity ok, %lld articles in %lld editions", path,
			    db_int1(c, 0, "SELECT count(*) FROM articles", ""), db_int1(c, 0, "SELECT count(*) FROM editions", ""));
		arena_free(&a);
	} else
		say("ok", "database", NULL, "postgresql: reachable, %lld articles in %lld editions",
		    db_int1(c, 0, "SELECT count(*) FROM articles", ""), db_int1(c, 0, "SELECT count(*) FROM editions", ""));
	return c;
}

/* Catalogs: they load, and every edition's language has one. */
static void
check_catalogs(const char *dir, struct db_conn *c)
{
	char err[512];
	if (i18n_load(dir, err, sizeof err) < 0) {
		say("FAIL", "catalogs", "fix the file named (msgfmt --check FILE.po), or reinstall", "%s: %s", dir, err);
		return;
	}
	i18n_shutdown();
	say("ok", "catalogs", NULL, "%s: load", dir);
	if (!c)
		return;
	struct arena a = {0};
	struct db_stmt *st = db_query(c, "SELECT code FROM editions ORDER BY position, code", "");
	while (db_row(st)) {
		const char *code = db_atext(st, 0, &a);
		char po[4200];
		snprintf(po, sizeof po, "%s/%s.po", dir, code);
		if (strcmp(code, "en") != 0 && access(po, R_OK) < 0) {
			char fix[512];
			snprintf(fix, sizeof fix, "add %s.po (docs/translate.md); until then its pages show English", code);
			say("warn", "catalogs", fix, "the edition '%s' has no catalog", code);
		}
	}
	db_done(st);
	arena_free(&a);
}

/* The listen address: free, or already answered by a Gazette. */
static void
check_listen(const char *listen)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
		say("FAIL", "listen", "use HOST:PORT, e.g. 127.0.0.1:8080", "'%s' is not HOST:PORT", listen);
		return;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) {
		say("FAIL", "listen", "use an address of this machine, e.g. 127.0.0.1:8080", "cannot resolve %s", listen);
		return;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int rc = fd < 0 ? -1 : bind(fd, ai->ai_addr, ai->ai_addrlen);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		say("ok", "listen", NULL, "%s is free", listen);
	else if (e == EACCES)
		say("FAIL", "listen", "listen on a port above 1024 (8080) and put nginx in front (docs/install.md)",
		    "%s needs privileges this user lacks", listen);
	else if (e == EADDRINUSE) {
		/* a Gazette already there answers /healthz with "ok" */
		char buf[512] = "";
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		struct timeval tv = {2, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			static const char q[] = "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n";
			if (write(fd, q, sizeof q - 1) == (ssize_t)(sizeof q - 1)) {
				size_t got = 0;
				ssize_t n;
				while (got < sizeof buf - 1 && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
					got += (size_t)n;
				buf[got] = 0;
			}
		}
		if (fd >= 0)
			close(fd);
		const char *body = strstr(buf, "\r\n\r\n");
		if (strncmp(buf, "HTTP/1.", 7) == 0 && strstr(buf, " 200 ") && body && strcmp(body + 4, "ok\n") == 0)
			say("ok", "listen", NULL, "%s: a Gazette already answers there (healthz ok)", listen);
		else
			say("FAIL", "listen", "stop what listens there (ss -ltnp) or choose another port",
			    "%s is taken by something that is not a healthy Gazette", listen);
	} else
		say("FAIL", "listen", "use an address of this machine", "cannot listen on %s: %s", listen, strerror(e));
	freeaddrinfo(ai);
}

int
doctor_run(const struct doctor_config *dc)
{
	failures = warnings = 0;
	if (geteuid() == 0)
		say("warn", "user", "run it as the server's user (sudo -u gazette gazette doctor …) to check that user's rights",
		    "running as root: every file looks writable");
	/* options */
	if (!dc->base_url)
		say("warn", "base-url", "serve --base-url https://YOUR.ADDRESS",
		    "not set: canonical links, feeds and emails will name http://%s", dc->listen);
	else if (strncmp(dc->base_url, "https://", 8) != 0)
		say("warn", "base-url", "serve behind TLS and give the https:// address (docs/install.md)",
		    "%s is not https: session cookies are not marked Secure", dc->base_url);
	else
		say("ok", "base-url", NULL, "%s", dc->base_url);
	if (dc->smtp) {
		/* the server's name only: the URL may hold a password */
		const char *at = strrchr(dc->smtp, '@'), *host = at ? at + 1 : strstr(dc->smtp, "://") + 3;
		say("ok", "email", NULL, "sent through the SMTP server %.*s", (int)strcspn(host, "/"), host);
	} else {
		say("warn", "email", "serve --smtp smtps://USER:PASSWORD@HOST (docs/install.md)",
		    "no --smtp: messages to readers (bookings, password resets) are only written to %s", dc->mail_dir);
		check_folder("email", dc->mail_dir, "outgoing messages as files");
	}
	struct db *db = NULL;
	struct db_conn *c = check_database(dc->db, &db);
	check_clock(c, db_url_is_pg(dc->db));
	/* theme */
	char err[1024];
	struct theme *t = theme_load(dc->theme_dir, err, sizeof err);
	if (!t)
		say("FAIL", "theme", "fix the template named, or point --theme at a working theme", "%s", err);
	else {
		say("ok", "theme", NULL, "%s: loads", dc->theme_dir);
		theme_release(t);
	}
	check_catalogs(dc->locale_dir, c);
	check_folder("media", dc->media_dir, "uploaded pictures");
	struct stat st;
	if (stat(dc->media_dir, &st) == 0)
		check_disk("disk", dc->media_dir);
	check_listen(dc->listen);
	if (c)
		db_release(c);
	if (db)
		db_close(db);
	printf("%d to fix, %d warnings\n", failures, warnings);
	return failures ? 1 : 0;
}
