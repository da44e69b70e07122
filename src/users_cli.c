/* users_cli.c: `gazette user` — add newsroom accounts (the first admin
 * among them) and list them. The password comes from standard input: typed
 * twice without echo on a terminal, or the first line of a pipe. */
#include "site.h"
#include "core/text.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char user_help[] =
	"usage: gazette user add --email EMAIL --name NAME --role ROLE [--edition CODE]... [--db FILE]\n"
	"       gazette user list [--db FILE]\n"
	"add: creates an account; the password is read from standard input (typed\n"
	"twice, without echo, on a terminal). Roles: admin, editor, author,\n"
	"contributor, translator, moderator, events; --edition limits a role to\n"
	"editions (repeat it for several). list: every account, without secrets.\n";

static int
usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "gazette: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", user_help);
	return 2;
}

static bool
read_line(char *buf, size_t n, const char *prompt, bool tty)
{
	struct termios old, quiet;
	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	bool ok = fgets(buf, (int)n, stdin) != NULL;
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (ok)
		buf[strcspn(buf, "\r\n")] = 0;
	return ok;
}

static const char *roles[] = {"admin", "editor", "author", "contributor", "translator", "moderator", "events"};

static int
add(int argc, char **argv, const char *db_path)
{
	const char *email = NULL, *name = NULL, *role = NULL, *eds[16];
	int neds = 0;
	for (int i = 0; i < argc; i++) {
		bool has = i + 1 < argc;
		if (strcmp(argv[i], "--email") == 0 && has)
			email = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && has)
			name = argv[++i];
		else if (strcmp(argv[i], "--role") == 0 && has)
			role = argv[++i];
		else if (strcmp(argv[i], "--edition") == 0 && has && neds < 16)
			eds[neds++] = argv[++i];
		else if (strcmp(argv[i], "--db") == 0 && has)
			db_path = argv[++i];
		else
			return usage("unexpected '%s'", argv[i]);
	}
	if (!email || !email_plausible(email))
		return usage("--email wants an email address, not '%s'", email ? email : "");
	if (!name || !*name || strlen(name) > 200)
		return usage("--name wants the person's name%s", "");
	bool known = false;
	for (size_t i = 0; role && i < sizeof roles / sizeof *roles; i++)
		known |= strcmp(role, roles[i]) == 0;
	if (!known)
		return usage("--role wants admin, editor, author, contributor, translator, moderator or events, not '%s'", role ? role : "");
	char pw[1100], again[1100];
	bool tty = isatty(0);
	if (!read_line(pw, sizeof pw, "Password: ", tty) || (tty && !read_line(again, sizeof again, "Again: ", tty))) {
		fprintf(stderr, "gazette: user: no password on standard input\n");
		return 2;
	}
	if (tty && strcmp(pw, again) != 0) {
		fprintf(stderr, "gazette: user: the two passwords are not the same\n");
		return 2;
	}
	if (utf8_chars(pw) < 10 || strlen(pw) > 1024) {
		fprintf(stderr, "gazette: user: a password needs at least 10 characters\n");
		return 2;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "gazette: user: out of memory hashing the password\n");
		return 1;
	}
	sodium_memzero(pw, sizeof pw);
	sodium_memzero(again, sizeof again);
	char lower[300];
	snprintf(lower, sizeof lower, "%s", email);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct db_conn *c = db_acquire(db);
	int rc = 1;
	if (db_begin(c) == 0) {
		long long id = db_insert(c, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		    "ssssi", lower, name, role, hash, (long long)time(NULL));
		bool ok = id > 0;
		for (int i = 0; i < neds && ok; i++)
			ok = db_exec(c, "INSERT INTO user_editions (user_id, edition) VALUES (?, ?)", "is", id, eds[i]) == 1;
		if (ok) {
			char detail[400];
			snprintf(detail, sizeof detail, "%s %s", role, lower);
			audit(c, id, "user add", detail);
		}
		if (ok && db_commit(c) == 0) {
			printf("user %lld: %s <%s>, %s\n", id, name, lower, role);
			rc = 0;
		} else {
			db_rollback(c);
			fprintf(stderr, "gazette: user: not added (an account with this email, or an unknown edition?)\n");
		}
	}
	db_release(c);
	db_close(db);
	return rc;
}

static int
list(const char *db_path)
{
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct db_conn *c = db_acquire(db);
	struct db_stmt *st = db_query(c, "SELECT u.id, u.email, u.name, u.role, u.disabled, coalesce(e.edition, '') FROM users u "
	    "LEFT JOIN user_editions e ON e.user_id = u.id ORDER BY u.id, e.edition", "");
	int n = 0;
	long long last = 0;
	while (db_row(st)) {
		if (db_int(st, 0) == last) {   /* one more edition of the same user */
			printf(",%s", db_text(st, 5));
			continue;
		}
		if (last)
			putchar('\n');
		last = db_int(st, 0);
		printf("%-4lld %-32s %-28s %-11s%s %s", last, db_text(st, 1), db_text(st, 2), db_text(st, 3),
		    db_int(st, 4) ? " (disabled)" : "", db_text(st, 5));
		n++;
	}
	if (last)
		putchar('\n');
	int rc = db_done(st);
	if (!n && rc == 0)
		printf("no users: add the first admin with 'gazette user add --role admin'\n");
	db_release(c);
	db_close(db);
	return rc < 0 ? 1 : 0;
}

int
cmd_user(int argc, char **argv, const char *db_path)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(user_help, argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	if (strcmp(argv[0], "add") == 0)
		return add(argc - 1, argv + 1, db_path);
	if (strcmp(argv[0], "list") == 0) {
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
				db_path = argv[++i];
			else
				return usage("unexpected '%s'", argv[i]);
		}
		return list(db_path);
	}
	return usage("unknown user action '%s'", argv[0]);
}
