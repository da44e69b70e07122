/* test_db.c: the database facade: migrations, binding, NULLs, RETURNING,
 * transactions, and refusing a newer schema. On SQLite by default; on a
 * fresh PostgreSQL database per test when GAZETTE_PG names a server. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arena.h"
#include "db.h"
#include "log.h"
#include "unit.h"

static char path[512];
static struct db *db;
static struct db_conn *c;

/* Runs one statement on the server's maintenance database. */
static void
pg_admin(const char *pg, const char *stmt)
{
	char url[512];
	snprintf(url, sizeof url, "%s/postgres", pg);
	PGconn *h = PQconnectdb(url);
	cr_assert_eq(PQstatus(h), CONNECTION_OK, "%s", PQerrorMessage(h));
	PGresult *r = PQexec(h, stmt);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", stmt, PQerrorMessage(h));
	PQclear(r);
	PQfinish(h);
}

static void
setup(void)
{
	const char *pg = getenv("GAZETTE_PG");
	if (pg && *pg) {
		char stmt[128];
		snprintf(stmt, sizeof stmt, "CREATE DATABASE gz_unit_%d", (int)getpid());
		pg_admin(pg, stmt);
		snprintf(path, sizeof path, "%s/gz_unit_%d", pg, (int)getpid());
	} else {
		snprintf(path, sizeof path, "/tmp/gazette-unit-%d.db", (int)getpid());
		unlink(path);
	}
	char err[256];
	db = db_open(path, 2, err, sizeof err);
	cr_assert_not_null(db, "%s", err);
	c = db_acquire(db);
	cr_assert_eq(db_migrate(c, err, sizeof err), 0, "%s", err);
	log_set_quiet(1);
}

static void
teardown(void)
{
	if (c)
		db_release(c);
	db_close(db);
	const char *pg = getenv("GAZETTE_PG");
	if (pg && *pg) {
		char stmt[128];
		snprintf(stmt, sizeof stmt, "DROP DATABASE gz_unit_%d", (int)getpid());
		pg_admin(pg, stmt);
		return;
	}
	unit_db_unlink(path);
}

TestSuite(db, .init = setup, .fini = teardown);

Test(db, migrations_recorded)
{
	cr_assert_eq(db_schema_version(c), db_latest_version());
	cr_assert_gt(db_latest_version(), 0);
	char err[256];
	cr_assert_eq(db_migrate(c, err, sizeof err), 0, "migrating twice is a no-op: %s", err);
}

Test(db, refuses_newer_schema)
{
	cr_assert_eq(db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)", ""), 1);
	char err[256];
	cr_assert_eq(db_migrate(c, err, sizeof err), -1);
	cr_assert(strstr(err, "9999"), "%s", err);
	cr_assert(strstr(err, "newer"), "%s", err);
}

Test(db, bind_query_and_nulls)
{
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES (?, ?, ?)", "sss", "pt", "Português", "pt_BR"), 1);
	long long id = db_insert(c, "INSERT INTO terms (taxonomy, key, parent_id) VALUES (?, ?, ?) RETURNING id", "ssn", "tag", "a'b\"; DROP TABLE x", 0LL);
	cr_assert_gt(id, 0);
	struct db_stmt *st = db_query(c, "SELECT key, parent_id FROM terms WHERE id = ?", "i", id);
	cr_assert(db_row(st));
	cr_assert_str_eq(db_text(st, 0), "a'b\"; DROP TABLE x");
	cr_assert(db_isnull(st, 1));
	cr_assert_not(db_row(st));
	cr_assert_eq(db_done(st), 0);
	cr_assert_eq(db_int1(c, -7, "SELECT id FROM terms WHERE key = ?", "s", "none"), -7);
	cr_assert_eq(db_int1(c, -7, "SELECT count(*) FROM terms WHERE taxonomy = ?", "s", "tag"), 1);
}

Test(db, constraint_errors_are_reported_not_fatal)
{
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'English', 'en_GB')", ""), 1);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'Again', 'en_GB')", ""), -1);
	cr_assert_null(db_query(c, "SELECT nosuchcolumn FROM editions", ""));
	cr_assert_eq(db_int1(c, 0, "SELECT count(*) FROM editions", ""), 1);
}

Test(db, transactions_roll_back)
{
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Español', 'es_ES')", ""), 1);
	db_rollback(c);
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 0);
	/* a failed statement inside a transaction makes the commit fail */
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Español', 'es_ES')", ""), 1);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Dup', 'es_ES')", ""), -1);
	cr_assert_eq(db_commit(c), -1);
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 0);
}

Test(db, failures_classified_and_kept_past_the_rollback)
{
	/* a wrong query is no outage */
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'English', 'en_GB')", ""), 1);
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'Again', 'en_GB')", ""), -1);
	db_rollback(c);
	cr_assert_not(db_outage(c));
	cr_assert_not(db_retryable(c));
	/* an injected full disk at the second step: an outage, not a conflict,
	 * and what fails after it in the transaction does not change that */
	cr_assert_eq(db_fault_arm("full@2"), 0);
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Español', 'es_ES')", ""), 1);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('pt', 'Português', 'pt_PT')", ""), -1);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'Again', 'en_GB')", ""), -1);
	cr_assert_eq(db_commit(c), -1);
	cr_assert_eq(db_fault_clear(), 3, "the three statements; a failed transaction's commit goes no further");
	cr_assert(db_outage(c));
	cr_assert_not(db_retryable(c));
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 1, "nothing of the transaction kept");
	/* a busy database at the commit: a conflict worth retrying; the retry commits */
	cr_assert_eq(db_fault_arm("busy@2"), 0);
	for (int attempt = 0; attempt < 2; attempt++) {
		cr_assert_eq(db_begin(c), 0);
		cr_assert_not(db_outage(c), "db_begin forgets the last failure");
		cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Español', 'es_ES')", ""), 1);
		if (db_commit(c) == 0)
			break;
		cr_assert_eq(attempt, 0);
		cr_assert(db_retryable(c));
	}
	db_fault_clear();
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 2);
	/* every step from the first: nothing gets through */
	cr_assert_eq(db_fault_arm("ioerr@1+"), 0);
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), -1);
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), -1);
	db_fault_clear();
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 2);
	/* specs that say nothing clear are refused */
	const char *bad[] = {"", "full", "full@", "full@0", "full@-1", "full@2x", "full@2++", "melt@1", "@1", "fullx@1"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_eq(db_fault_arm(bad[i]), -1, "%s", bad[i]);
}

/* An allocation failing inside a request's guard (core/arena): the
 * allocation still succeeds from the released reserve, and the request
 * stores nothing more, unless it had already committed. */
Test(db, allocation_failure_in_a_request_stores_nothing_after_it)
{
	struct alloc_guard g = {0};
	alloc_guard_enter(&g);
	cr_assert_not(alloc_failed());
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'English', 'en_GB')", ""), 1);
	alloc_fault_arm(&g, g.seen + 2);
	char *p = xmalloc(64), *q = xmalloc(1 << 20);   /* the second one "fails" */
	memset(q, 'x', 1 << 20);                         /* and yet is whole */
	free(p);
	free(q);
	cr_assert(alloc_failed());
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('es', 'Español', 'es_ES')", ""), -1);
	cr_assert_eq(db_commit(c), -1);
	cr_assert(db_outage(c), "an outage: the reader is told to try again");
	cr_assert_not(db_retryable(c), "not retried inside the request");
	alloc_guard_leave();
	cr_assert_not(alloc_failed(), "outside a guard nothing is refused");
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 0, "nothing of the transaction kept");

	/* the next request takes the reserve again; one that commits before
	 * its allocation fails finishes as built */
	struct alloc_guard g2 = {0};
	alloc_guard_enter(&g2);
	cr_assert_not(alloc_failed(), "the reserve is back");
	cr_assert_eq(db_begin(c), 0);
	cr_assert_eq(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'English', 'en_GB')", ""), 1);
	cr_assert_eq(db_commit(c), 0);
	alloc_fault_arm(&g2, g2.seen + 1);
	struct arena a;
	arena_init(&a, 1024);
	char *big = arena_alloc(&a, 4096);   /* a block of its own: a real allocation */
	memset(big, 'y', 4096);
	arena_free(&a);
	cr_assert(g2.failed);
	cr_assert_not(alloc_failed(), "committed first: its answer stands");
	cr_assert_eq(db_int1(c, -1, "SELECT count(*) FROM editions", ""), 1);
	alloc_guard_leave();
}

Test(db, pool_hands_out_distinct_connections)
{
	struct db_conn *c2 = db_acquire(db);
	cr_assert_neq(c, c2);
	db_release(c2);
}

Test(db, unusable_file_is_a_clear_error)
{
	char err[256];
	FILE *f = fopen("/tmp/gazette-not-a-db.txt", "w");
	fputs("this is not a database, just some text that is long enough to matter....................................", f);
	fclose(f);
	cr_assert_null(db_open("/tmp/gazette-not-a-db.txt", 1, err, sizeof err));
	cr_assert(strstr(err, "gazette-not-a-db.txt"), "%s", err);
	cr_assert_null(db_open("/nonexistent-dir/x.db", 1, err, sizeof err));
	cr_assert(strstr(err, "/nonexistent-dir/x.db"), "%s", err);
	unlink("/tmp/gazette-not-a-db.txt");
}
