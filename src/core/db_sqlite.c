/* db_sqlite.c: the SQLite backend of core/db (the default store).
 *
 * Each pooled connection is opened in WAL mode with foreign keys on, a busy
 * timeout, and synchronous=FULL: a commit is on disk before Gazette answers
 * 2xx, so an acknowledged write survives power loss, not only kill -9.
 * Prepared statements are cached per connection by SQL text. */
#include "db.h"
#include "arena.h"
#include "fts.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
	struct sq_stmt *next;
};

struct sq_conn {
	struct db_conn base;
	sqlite3 *h;
	struct sq_stmt *cache[256];
	/* transaction control (BEGIN, COMMIT, ROLLBACK) runs on every request:
	 * kept prepared rather than parsed by sqlite3_exec each time */
	struct { const char *sql; sqlite3_stmt *st; } tx[4];
};

/* Before the first connection: no global memory statistics. With them on
 * (SQLite's default), every allocation inside SQLite takes one process-wide
 * mutex, and request threads reading at once queue on it in the kernel. */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;

static void
sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static struct db_conn *
sq_connect(const char *url, char *err, size_t errlen)
{
	pthread_once(&sq_once, sq_configure);
	const char *path = url;
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	struct sq_conn *c = xcalloc(1, sizeof *c);
	int rc = sqlite3_open_v2(path, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path, c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(c->h, 1);
	sqlite3_busy_timeout(c->h, 5000);
	if ((rc = fts_register(c->h)) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up full-text search on %s: %s", path, sqlite3_errstr(rc));
		goto fail;
	}
	char *msg = NULL;
	rc = sqlite3_exec(c->h, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		goto fail;
	}
	/* reading the schema proves the file is a database, not some other file */
	rc = sqlite3_exec(c->h, "SELECT count(*) FROM sqlite_master", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		goto fail;
	}
	return &c->base;
fail:
	sqlite3_close(c->h);
	free(c);
	return NULL;
}

static void
sq_disconnect(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	for (int i = 0; i < 256; i++) {
		for (struct sq_stmt *s = c->cache[i], *n; s; s = n) {
			n = s->next;
			sqlite3_finalize(s->st);
			free((char *)s->base.sql);
			free(s);
		}
	}
	for (int i = 0; i < 4 && c->tx[i].st; i++)
		sqlite3_finalize(c->tx[i].st);
	sqlite3_close(c->h);
	free(c);
}

static struct db_stmt *
sq_prepare(struct db_conn *bc, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	unsigned h = db_sql_bucket(sql);
	for (struct sq_stmt *s = c->cache[h]; s; s = s->next)
		if (strcmp(s->base.sql, sql) == 0)
			return &s->base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	struct sq_stmt *s = xcalloc(1, sizeof *s);
	s->base.conn = bc;
	s->base.sql = xstrdup(sql);
	s->st = st;
	s->next = c->cache[h];
	c->cache[h] = s;
	return &s->base;
}

#define ST(s) (((struct sq_stmt *)(s))->st)

static int sq_bind_text(struct db_stmt *s, int i, const char *v) { return sqlite3_bind_text(ST(s), i, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1; }
static int sq_bind_int(struct db_stmt *s, int i, long long v) { return sqlite3_bind_int64(ST(s), i, v) == SQLITE_OK ? 0 : -1; }
static int sq_bind_null(struct db_stmt *s, int i) { return sqlite3_bind_null(ST(s), i) == SQLITE_OK ? 0 : -1; }

static int
sq_step(struct db_stmt *s)
{
	int rc = sqlite3_step(ST(s));
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return -1;
}

static const char *sq_col_text(struct db_stmt *s, int col) { return (const char *)sqlite3_column_text(ST(s), col); }
static long long sq_col_int(struct db_stmt *s, int col) { return sqlite3_column_int64(ST(s), col); }
static bool sq_col_null(struct db_stmt *s, int col) { return sqlite3_column_type(ST(s), col) == SQLITE_NULL; }

static void
sq_reset(struct db_stmt *s)
{
	sqlite3_reset(ST(s));
	sqlite3_clear_bindings(ST(s));
	sqlite3_stmt_status(ST(s), SQLITE_STMTSTATUS_VM_STEP, 1);
}

static long long sq_vm_steps(struct db_stmt *s) { return sqlite3_stmt_status(ST(s), SQLITE_STMTSTATUS_VM_STEP, 0); }

static long long sq_changes(struct db_conn *c) { return sqlite3_changes64(((struct sq_conn *)c)->h); }

static int
sq_exec_script(struct db_conn *bc, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	if (strchr(sql, ';') || strlen(sql) > 32)   /* migrations and other scripts */
		return sqlite3_exec(c->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	int i;
	for (i = 0; i < 4 && c->tx[i].st; i++)
		if (strcmp(c->tx[i].sql, sql) == 0)
			break;
	sqlite3_stmt *st;
	if (i < 4 && c->tx[i].st) {
		st = c->tx[i].st;
	} else if (sqlite3_prepare_v2(c->h, sql, -1, &st, NULL) != SQLITE_OK) {
		return -1;
	} else if (i < 4) {
		c->tx[i].sql = sqlite3_sql(st);
		c->tx[i].st = st;
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (i == 4)
		sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static const char *sq_errmsg(struct db_conn *c) { return sqlite3_errmsg(((struct sq_conn *)c)->h); }

static bool
sq_retryable(struct db_conn *c)
{
	int e = sqlite3_errcode(((struct sq_conn *)c)->h);
	return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

static bool
sq_outage(struct db_conn *c)
{
	switch (sqlite3_errcode(((struct sq_conn *)c)->h)) {
	case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL: case SQLITE_IOERR:
	case SQLITE_NOMEM: case SQLITE_CANTOPEN: case SQLITE_READONLY: case SQLITE_PROTOCOL:
		return true;
	default:
		return false;
	}
}

const struct db_backend db_sqlite_backend = {
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.col_null = sq_col_null,
	.reset = sq_reset,
	.vm_steps = sq_vm_steps,
	.changes = sq_changes,
	.exec_script = sq_exec_script,
	.errmsg = sq_errmsg,
	.retryable = sq_retryable,
	.outage = sq_outage,
	.migration_suffix = ".sql",
	.begin_sql = "BEGIN IMMEDIATE",
	.read_sql = "BEGIN DEFERRED",
};
