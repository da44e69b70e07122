/* events_cli.c: `gazette events` — list events and their seats, export
 * the attendees of one as CSV (safe to open in a spreadsheet), and make
 * the key that opens the check-in pages at the door. */
#include "events.h"
#include "core/i18n.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char events_help[] =
	"usage: gazette events list [--db FILE]\n"
	"       gazette events attendees EVENT-ID [--csv] [--db FILE]\n"
	"       gazette events checkin-key EVENT-ID [--db FILE]\n"
	"       gazette events status EVENT-ID scheduled|cancelled|postponed|moved_online [--db FILE]\n"
	"list: every event with its seats left; attendees: the confirmed\n"
	"bookings of an event (all its editions), as a table or as CSV on\n"
	"standard output; checkin-key: a new key for the door staff, opened on a\n"
	"phone as BASE-URL/checkin/login?key=KEY (valid until the database is\n"
	"replaced; make another to add a phone); status: changes the event in\n"
	"every edition, emails its ticket holders and refreshes its pages.\n";

static int
usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "gazette: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", events_help);
	return 2;
}

static int
list(struct db *db)
{
	struct db_conn *c = db_acquire(db);
	struct arena a = {0};
	struct db_stmt *st = db_query(c, "SELECT e.id, e.edition, e.starts_at, e.status, e.title, "
	    "(SELECT coalesce(sum(remaining), 0) FROM quotas WHERE translation_group = e.translation_group), "
	    "(SELECT coalesce(sum(capacity), 0) FROM quotas WHERE translation_group = e.translation_group) "
	    "FROM events e ORDER BY e.starts_at, e.id", "");
	int n = 0;
	while (db_row(st)) {
		printf("%-5lld %-3s %s  %-10s %4lld/%-4lld left  %s\n", db_int(st, 0), db_text(st, 1), i18n_isotime(&a, db_int(st, 2)),
		    db_text(st, 3), db_int(st, 5), db_int(st, 6), db_text(st, 4));
		n++;
	}
	int rc = db_done(st);
	if (!n && rc == 0)
		printf("no events\n");
	arena_free(&a);
	db_release(c);
	return rc < 0 ? 1 : 0;
}

static int
attendees(struct db *db, long long event, bool csv)
{
	struct db_conn *c = db_acquire(db);
	struct arena a = {0};
	long long group = db_int1(c, 0, "SELECT translation_group FROM events WHERE id = ?", "i", event);
	if (!group) {
		fprintf(stderr, "gazette: events: no event %lld\n", event);
		db_release(c);
		return 1;
	}
	int rc = event_attendees(c, group, csv, stdout);
	arena_free(&a);
	db_release(c);
	return rc < 0 ? 1 : 0;
}

static int
checkin_key(struct db *db, long long event)
{
	struct db_conn *c = db_acquire(db);
	long long group = db_int1(c, 0, "SELECT translation_group FROM events WHERE id = ?", "i", event);
	if (!group) {
		fprintf(stderr, "gazette: events: no event %lld\n", event);
		db_release(c);
		return 1;
	}
	if (site_secret_init(c) < 0) {
		fprintf(stderr, "gazette: events: the site secret could not be read\n");
		db_release(c);
		return 1;
	}
	char key[65];
	random_hex(key, 32);
	struct arena a = {0};
	int rc = db_exec(c, "INSERT INTO checkin_keys (key_hash, translation_group, created_at) VALUES (?, ?, ?)", "sii",
	    site_mac_hex(&a, "checkin", key, 64), group, (long long)time(NULL)) == 1 ? 0 : 1;
	if (rc == 0)
		printf("%s\nOpen on the door phone: /checkin/login?key=%s\n", key, key);
	arena_free(&a);
	db_release(c);
	return rc;
}

int
cmd_events(int argc, char **argv, const char *db_path)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(events_help, argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	const char *action = argv[0], *status = NULL;
	long long event = 0;
	bool csv = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--csv") == 0)
			csv = true;
		else if (strcmp(argv[i], "--help") == 0) {
			fputs(events_help, stdout);
			return 0;
		} else if (argv[i][0] != '-' && !event) {
			char *end;
			event = strtoll(argv[i], &end, 10);
			if (*end || event <= 0)
				return usage("'%s' is not an event id", argv[i]);
		} else if (argv[i][0] != '-' && !status && strcmp(action, "status") == 0)
			status = argv[i];
		else
			return usage("unexpected '%s'", argv[i]);
	}
	bool is_list = strcmp(action, "list") == 0, is_att = strcmp(action, "attendees") == 0, is_key = strcmp(action, "checkin-key") == 0;
	bool is_status = strcmp(action, "status") == 0;
	if (!is_list && !is_att && !is_key && !is_status)
		return usage("unknown events action '%s'", action);
	if ((is_att || is_key || is_status) && !event)
		return usage("%s needs an event id", action);
	if (is_status && (!status || (strcmp(status, "scheduled") && strcmp(status, "cancelled") && strcmp(status, "postponed") &&
	    strcmp(status, "moved_online"))))
		return usage("status wants scheduled, cancelled, postponed or moved_online, not '%s'", status ? status : "");
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	int rc;
	if (is_status) {
		struct site_config sc = {""};
		site_init(db, &sc);   /* the editions: each email in its reader's language and dates */
		struct db_conn *c = db_acquire(db);
		long long inval = 0;
		int done = event_set_status(c, event, status, &inval);
		db_release(c);
		if (done == 1)
			printf("event %lld: %s (invalidation %lld)\n", event, status, inval);
		else
			fprintf(stderr, "gazette: events: %s\n", done == 0 ? "no such event" : "the status was not saved (see the log)");
		rc = done == 1 ? 0 : 1;
	} else
		rc = is_list ? list(db) : is_att ? attendees(db, event, csv) : checkin_key(db, event);
	db_close(db);
	return rc;
}
