/* db.c: the backend-neutral half of the database facade: connection pool,
 * typed binding, migrations, transactions and error logging. */
#include "db.h"
#include "arena.h"
#include "buf.h"
#include "embed.h"
#include "log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db {
	const struct db_backend *be;
	struct db_conn **all;
	int n;
	struct db_conn *free_list;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

unsigned
db_sql_bucket(const char *sql)
{
	return (unsigned)(str_hash(sql) & 255);
}

bool
db_url_is_pg(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0 ||
	    strstr(url, "dbname=") || strstr(url, "host=");
}

struct db *
db_open(const char *url, int pool_size, char *err, size_t errlen)
{
	const struct db_backend *be = db_url_is_pg(url) ? &db_pg_backend : &db_sqlite_backend;
	if (pool_size < 1)
		pool_size = 1;
	struct db *db = xcalloc(1, sizeof *db);
	db->be = be;
	db->all = xcalloc((size_t)pool_size, sizeof *db->all);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	for (int i = 0; i < pool_size; i++) {
		struct db_conn *c = be->connect(url, err, errlen);
		if (!c) {
			db_close(db);
			return NULL;
		}
		c->be = be;
		c->db = db;
		c->next_free = db->free_list;
		db->free_list = c;
		db->all[db->n++] = c;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->n; i++) {
		free(db->all[i]->by_site);
		db->be->disconnect(db->all[i]);
	}
	free(db->all);
	pthread_mutex_destroy(&db->mu);
	pthread_cond_destroy(&db->cv);
	free(db);
}

const char *
db_backend_name(const struct db *db)
{
	return db->be->name;
}

struct db_conn *
db_acquire(struct db *db)
{
	pthread_mutex_lock(&db->mu);
	while (!db->free_list)
		pthread_cond_wait(&db->cv, &db->mu);
	struct db_conn *c = db->free_list;
	db->free_list = c->next_free;
	pthread_mutex_unlock(&db->mu);
	c->failed = c->outage = c->conflict = false;
	db_check(c);
	return c;
}

void
db_release(struct db_conn *c)
{
	struct db *db = c->db;
	if (c->in_read) {
		c->be->exec_script(c, "COMMIT");
		c->in_read = false;
	}
	pthread_mutex_lock(&db->mu);
	c->next_free = db->free_list;
	db->free_list = c;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

/* A failure's kind, read before a rollback clears the backend's error.
 * The first failure of a transaction is its cause: what fails after it
 * (a duplicate row because a read came back empty) does not change it. */
static void
note_failure(struct db_conn *c)
{
	if (c->failed)
		return;
	c->failed = true;
	c->conflict = c->be->retryable && c->be->retryable(c);
	c->outage = (c->be->outage && c->be->outage(c)) || (c->be->broken && c->be->broken(c));
}

static void
stmt_fail(struct db_stmt *s, const char *what)
{
	s->failed = true;
	note_failure(s->conn);
	log_error("db: %s in %s: %s [%s]", what, s->caller, s->conn->be->errmsg(s->conn), s->sql);
}

/* ---- fault injection (tests only: serve --fault-injection) ----------------------- */

enum fault_kind { FAULT_NONE, FAULT_BUSY, FAULT_LOCKED, FAULT_FULL, FAULT_IOERR, FAULT_NOMEM, FAULT_DROP };
static const char *const fault_names[] = {"", "busy", "locked", "full", "ioerr", "nomem", "drop"};
static const char *const fault_messages[] = {"", "database is busy", "database table is locked",
	"database or disk is full", "disk I/O error", "out of memory", "connection severed"};

static _Thread_local struct {
	enum fault_kind kind;
	int at, seen;
	bool sticky;      /* every step from the at-th */
} fault;

int
db_fault_arm(const char *spec)
{
	db_fault_clear();
	const char *at = strchr(spec, '@');
	if (!at)
		return -1;
	for (int k = FAULT_BUSY; k <= FAULT_DROP; k++) {
		if (strlen(fault_names[k]) != (size_t)(at - spec) || strncmp(spec, fault_names[k], (size_t)(at - spec)) != 0)
			continue;
		char *end;
		long n = strtol(at + 1, &end, 10);
		if (n < 1 || n > 100000 || end == at + 1 || (*end && strcmp(end, "+") != 0))
			return -1;
		fault.kind = (enum fault_kind)k;
		fault.at = (int)n;
		fault.sticky = *end == '+';
		return 0;
	}
	return -1;
}

int
db_fault_clear(void)
{
	int seen = fault.seen;
	fault.kind = FAULT_NONE;
	fault.at = fault.seen = 0;
	fault.sticky = false;
	return seen;
}

/* A request whose allocation failed (core/arena) stores nothing more: its
 * steps and its commit fail as an outage, so it answers 503 and rolls back. */
static bool
alloc_refuses(struct db_conn *c, const char *where)
{
	if (!alloc_failed())
		return false;
	if (!c->failed) {
		c->outage = true;
		c->conflict = false;
		log_error("db: %s refused: the request ran out of memory", where);
	}
	c->failed = true;
	return true;
}

/* Is this step the one that fails? Then the failure is recorded as the
 * backend would record it: a conflict is retryable, the rest outages. A
 * severed connection fails for real on its next use. */
static bool
fault_fires(struct db_conn *c, const char *where)
{
	if (fault.kind == FAULT_NONE)
		return false;
	fault.seen++;
	if (fault.seen < fault.at || (fault.seen > fault.at && !fault.sticky))
		return false;
	if (fault.kind == FAULT_DROP && c->be->sever) {
		c->be->sever(c);
		return false;   /* the real step meets the cut */
	}
	if (!c->failed) {
		c->outage = true;
		c->conflict = fault.kind == FAULT_BUSY || fault.kind == FAULT_LOCKED;
	}
	c->failed = true;
	log_error("db: injected fault in %s: %s", where, fault_messages[fault.kind]);
	return true;
}

static _Atomic int next_site_id = 1;

/* The statement of a call site on c: by index once prepared. */
static struct db_stmt *
site_stmt(struct db_conn *c, struct db_site *site)
{
	int id = site->id;
	if (!id) {
		/* two threads may race to number a site: either number is fine,
		 * as long as the site keeps one */
		int fresh = next_site_id++;
		int expected = 0;
		if (!__atomic_compare_exchange_n(&site->id, &expected, fresh, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			fresh = expected;
		id = fresh;
	}
	if (id < c->nsites && c->by_site[id])
		return c->by_site[id];
	struct db_stmt *s = c->be->prepare(c, site->sql);
	if (!s)
		return NULL;
	if (id >= c->nsites) {
		int n = id + 64;
		c->by_site = xrealloc(c->by_site, (size_t)n * sizeof *c->by_site);
		memset(c->by_site + c->nsites, 0, (size_t)(n - c->nsites) * sizeof *c->by_site);
		c->nsites = n;
	}
	c->by_site[id] = s;
	return s;
}

static struct db_stmt *
vquery(struct db_conn *c, struct db_site *site, const char *caller, const char *types, va_list ap)
{
	const struct db_backend *be = c->be;
	const char *sql = site->sql;
	struct db_stmt *s = site_stmt(c, site);
	if (!s) {
		note_failure(c);
		log_error("db: prepare failed in %s: %s [%s]", caller, be->errmsg(c), sql);
		return NULL;
	}
	s->caller = caller;
	s->failed = false;
	for (int i = 0; types && types[i]; i++) {
		int rc;
		switch (types[i]) {
		case 's': {
			const char *v = va_arg(ap, const char *);
			rc = v ? be->bind_text(s, i + 1, v) : be->bind_null(s, i + 1);
			break;
		}
		case 'i': rc = be->bind_int(s, i + 1, va_arg(ap, long long)); break;
		case 'd': rc = be->bind_int(s, i + 1, va_arg(ap, int)); break;
		case 'n': {
			long long v = va_arg(ap, long long);
			rc = v ? be->bind_int(s, i + 1, v) : be->bind_null(s, i + 1);
			break;
		}
		default:
			log_error("db: bad type letter '%c' in %s [%s]", types[i], caller, sql);
			abort();
		}
		if (rc < 0) {
			stmt_fail(s, "bind failed");
			be->reset(s);
			return NULL;
		}
	}
	return s;
}

struct db_stmt *
db_query_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *s = vquery(c, site, caller, types, ap);
	va_end(ap);
	return s;
}

struct db_stmt *
db_prepare_built(struct db_conn *c, const char *sql)
{
	struct db_stmt *s = c->be->prepare(c, sql);
	if (!s) {
		note_failure(c);
		log_error("db: prepare failed: %s [%s]", c->be->errmsg(c), sql);
		return NULL;
	}
	s->caller = "db_prepare_built";
	s->failed = false;
	return s;
}

int
db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (!s)
		return -1;
	int rc = v ? s->conn->be->bind_text(s, idx, v) : s->conn->be->bind_null(s, idx);
	if (rc < 0)
		stmt_fail(s, "bind failed");
	return rc;
}

static _Atomic unsigned long long stat_steps, stat_ns;

void
db_stats(unsigned long long *steps, unsigned long long *ns)
{
	*steps = stat_steps;
	*ns = stat_ns;
}

bool
db_row(struct db_stmt *s)
{
	if (!s || s->failed)
		return false;
	if (alloc_refuses(s->conn, s->caller) || fault_fires(s->conn, s->caller)) {
		s->failed = true;
		return false;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = s->conn->be->step(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stat_steps++;
	stat_ns += (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	if (rc < 0)
		stmt_fail(s, "step failed");
	return rc == 1;
}

long long
db_stmt_vm_steps(struct db_stmt *s)
{
	return s && s->conn->be->vm_steps ? s->conn->be->vm_steps(s) : -1;
}

const char *db_text(struct db_stmt *s, int col) { return s->conn->be->col_text(s, col); }
long long db_int(struct db_stmt *s, int col) { return s->conn->be->col_int(s, col); }
bool db_isnull(struct db_stmt *s, int col) { return s->conn->be->col_null(s, col); }

const char *
db_atext(struct db_stmt *s, int col, struct arena *a)
{
	const char *t = db_text(s, col);
	return arena_strdup(a, t ? t : "");
}

int
db_done(struct db_stmt *s)
{
	if (!s)
		return -1;
	int rc = s->failed ? -1 : 0;
	s->conn->be->reset(s);
	return rc;
}

long long
db_exec_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *s = vquery(c, site, caller, types, ap);
	va_end(ap);
	if (!s)
		return -1;
	while (db_row(s))
		;
	if (db_done(s) < 0)
		return -1;
	return c->be->changes(c);
}

long long
db_insert_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *s = vquery(c, site, caller, types, ap);
	va_end(ap);
	if (!s)
		return -1;
	long long id = -1;
	if (db_row(s))
		id = db_int(s, 0);
	while (db_row(s))
		;
	return db_done(s) < 0 ? -1 : id;
}

long long
db_int1_at(struct db_conn *c, struct db_site *site, const char *caller, long long dflt, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *s = vquery(c, site, caller, types, ap);
	va_end(ap);
	if (!s)
		return dflt;
	long long v = dflt;
	if (db_row(s) && !db_isnull(s, 0))
		v = db_int(s, 0);
	db_done(s);
	return v;
}

int
db_check(struct db_conn *c)
{
	int rc = c->be->revive ? c->be->revive(c) : 0;
	if (rc != 0)
		memset(c->by_site, 0, (size_t)c->nsites * sizeof *c->by_site);
	return rc;
}

int
db_listen(struct db_conn *c, const char *channel)
{
	return c->be->listen ? c->be->listen(c, channel) : -1;
}

int
db_notify(struct db_conn *c, const char *channel)
{
	return c->be->notify ? c->be->notify(c, channel) : -1;
}

int
db_wait(struct db_conn *c, int ms)
{
	if (c->be->wait)
		return c->be->wait(c, ms);
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	return 0;
}

int
db_try_lock(struct db_conn *c, long long key)
{
	return c->be->try_lock ? c->be->try_lock(c, key) : 1;
}

void
db_unlock(struct db_conn *c, long long key)
{
	if (c->be->unlock)
		c->be->unlock(c, key);
}

bool
db_retryable(struct db_conn *c)
{
	return c->conflict;
}

bool
db_outage(struct db_conn *c)
{
	return c && (c->outage || (c->be->broken && c->be->broken(c)));
}

int
db_read_begin(struct db_conn *c)
{
	if (c->in_read)
		return 0;
	if (c->be->exec_script(c, c->be->read_sql) < 0)
		return -1;
	c->in_read = true;
	return 0;
}

int
db_begin(struct db_conn *c)
{
	if (c->in_read) {
		c->be->exec_script(c, "COMMIT");
		c->in_read = false;
	}
	c->failed = c->outage = c->conflict = false;
	if (c->be->exec_script(c, c->be->begin_sql) < 0) {
		note_failure(c);
		log_error("db: begin failed: %s", c->be->errmsg(c));
		return -1;
	}
	return 0;
}

int
db_commit(struct db_conn *c)
{
	if (c->failed) {
		db_rollback(c);
		return -1;
	}
	if (alloc_refuses(c, "commit") || fault_fires(c, "commit")) {
		db_rollback(c);
		return -1;
	}
	if (c->be->exec_script(c, "COMMIT") < 0) {
		note_failure(c);
		log_error("db: commit failed: %s", c->be->errmsg(c));
		db_rollback(c);
		return -1;
	}
	alloc_note_commit();
	return 0;
}

void
db_rollback(struct db_conn *c)
{
	c->be->exec_script(c, "ROLLBACK");
	c->failed = false;
}

/* ---- migrations ------------------------------------------------------------------ */

static int
migration_version(const char *name)
{
	return atoi(name);
}

int
db_latest_version(void)
{
	int v = 0;
	for (const struct embedded_file *m = db_migrations; m->name; m++)
		if (migration_version(m->name) > v)
			v = migration_version(m->name);
	return v;
}

int
db_schema_version(struct db_conn *c)
{
	return (int)db_int1(c, 0, "SELECT max(version) FROM schema_migrations", "");
}

/* The file for version v on this backend: NAME.pg.sql where it exists for
 * PostgreSQL, otherwise the plain .sql. */
static const struct embedded_file *
migration_for(const struct db_backend *be, int v)
{
	const struct embedded_file *plain = NULL, *special = NULL;
	for (const struct embedded_file *m = db_migrations; m->name; m++) {
		if (migration_version(m->name) != v)
			continue;
		bool is_pg = strstr(m->name, ".pg.sql") != NULL;
		if (!is_pg)
			plain = m;
		else if (strcmp(be->migration_suffix, ".pg.sql") == 0)
			special = m;
	}
	return special ? special : plain;
}

int
db_migrate(struct db_conn *c, char *err, size_t errlen)
{
	return db_migrate_to(c, db_latest_version(), err, errlen);
}

int
db_migrate_to(struct db_conn *c, int target, char *err, size_t errlen)
{
	const struct db_backend *be = c->be;
	/* one transaction, under the lock from its start: nodes starting
	 * together on a new database do not race to make even the first table */
	if (db_begin(c) < 0) {
		snprintf(err, errlen, "cannot begin a transaction: %s", be->errmsg(c));
		return -1;
	}
	if (be->migrate_lock_sql && be->exec_script(c, be->migrate_lock_sql) < 0) {
		snprintf(err, errlen, "cannot take the migrations' lock: %s", be->errmsg(c));
		db_rollback(c);
		return -1;
	}
	if (be->exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INTEGER PRIMARY KEY,  -- the NNNN of db/migrations/NNNN_name.sql\n"
	    " name TEXT NOT NULL,\n"
	    " applied_at BIGINT NOT NULL)") < 0) {
		snprintf(err, errlen, "cannot create schema_migrations: %s", be->errmsg(c));
		db_rollback(c);
		return -1;
	}
	int have = db_schema_version(c), latest = db_latest_version();
	if (have > latest) {
		db_rollback(c);
		snprintf(err, errlen, "the database schema is version %d, newer than this gazette knows (%d): upgrade gazette", have, latest);
		return -1;
	}
	for (int v = have + 1; v <= latest && v <= target; v++) {
		const struct embedded_file *m = migration_for(be, v);
		if (!m)
			continue;
		if (be->exec_script(c, m->data) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", m->name, be->errmsg(c));
			db_rollback(c);
			return -1;
		}
		if (db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", "dsi",
		    v, m->name, (long long)time(NULL)) < 0) {
			snprintf(err, errlen, "cannot record migration %s", m->name);
			db_rollback(c);
			return -1;
		}
	}
	if (db_commit(c) < 0) {
		snprintf(err, errlen, "cannot commit migrations: %s", be->errmsg(c));
		return -1;
	}
	return 0;
}
