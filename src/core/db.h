/* db.h: the database facade. Features talk to SQLite or PostgreSQL only
 * through these calls: literal SQL with '?' placeholders, bound values,
 * row iteration. A backend (db_sqlite.c, later db_pg.c) implements
 * struct db_backend; nothing above this file knows which one runs.
 *
 * Portable SQL rules for feature code: '?' placeholders; INSERT …
 * RETURNING id for new ids; times are integer Unix seconds bound from C;
 * booleans are integers 0/1. */
#ifndef GZ_DB_H
#define GZ_DB_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

struct db;
struct db_conn;
struct db_stmt;

/* Opens a database (a file path for SQLite) with a pool of pool_size
 * connections. Returns NULL with a one-line reason in err. */
struct db *db_open(const char *url, int pool_size, char *err, size_t errlen);
void db_close(struct db *db);
const char *db_backend_name(const struct db *db);

struct db_conn *db_acquire(struct db *db);    /* waits for a free connection */
void db_release(struct db_conn *c);

/* Applies pending migrations in one transaction. Refuses (-1, message in
 * err) a database whose schema is newer than this binary. */
int db_migrate(struct db_conn *c, char *err, size_t errlen);
/* Only up to version target (tests of upgrades from an older schema). */
int db_migrate_to(struct db_conn *c, int target, char *err, size_t errlen);
int db_schema_version(struct db_conn *c);
int db_latest_version(void);

/* A read snapshot: every query until db_release (or db_begin) sees the
 * same committed state, and pays for one transaction, not one each. */
int db_read_begin(struct db_conn *c);
int db_begin(struct db_conn *c);     /* a write transaction (ends a read snapshot first) */
/* After a failure: was it an outage (the database out of reach, busy
 * past its retries, out of disk or memory: 503) rather than the query
 * wrong (500)? Answers for the last failure, also after its rollback. */
bool db_outage(struct db_conn *c);
/* Fault injection for tests (gazette serve --fault-injection): arms one
 * fault on the calling thread, "KIND@N" (the Nth step from now fails) or
 * "KIND@N+" (every step from the Nth); KIND is busy, locked, full, ioerr,
 * nomem or drop (the connection severed, where the backend can). Steps are
 * db_row calls and commits. Returns -1 for a spec it cannot read. */
int db_fault_arm(const char *spec);
int db_fault_clear(void);   /* disarms; returns the steps counted since db_fault_arm */
/* For a connection held for long (the invalidation poller): reconnects a
 * broken one; 1 when renewed (listen again), 0 fine, -1 still down. */
int db_check(struct db_conn *c);
/* Notifications between processes where the backend has them: -1 (and
 * nothing happens) where it does not; db_wait then just sleeps. */
int db_listen(struct db_conn *c, const char *channel);
int db_notify(struct db_conn *c, const char *channel);
int db_wait(struct db_conn *c, int ms);
/* Claims work that must happen once across nodes (PostgreSQL advisory
 * locks); always 1 on a backend without nodes. */
int db_try_lock(struct db_conn *c, long long key);
void db_unlock(struct db_conn *c, long long key);
/* Did the last failure come from a conflict worth retrying (serialization
 * failure, deadlock, busy database)? Read at the failure, so it still
 * answers after db_rollback; db_begin forgets it. */
bool db_retryable(struct db_conn *c);
int db_commit(struct db_conn *c);
void db_rollback(struct db_conn *c);

/* Every call of db_query, db_exec, db_insert and db_int1 is a "site" with
 * its own static slot: the site's prepared statement is found by index on
 * each connection, with no hashing of SQL text. The slot's initializer
 * must be a constant, so SQL that is not a literal (or a static array)
 * does not compile: no SQL is ever built from input. */
struct db_site {
	const char *sql;
	int id;            /* assigned on first use */
};
#define DB_SITE(sql) ({ static struct db_site db_site_ = {(sql), 0}; &db_site_; })

/* Prepares (cached per connection) and binds a statement. types holds one
 * letter per '?': 's' const char * (NULL binds NULL), 'i' long long,
 * 'd' int, 'n' long long that binds NULL when 0 (optional ids). Returns
 * NULL on error, after logging the SQL and the caller. */
#define db_query(c, sql, ...) db_query_at((c), DB_SITE(sql), __func__, __VA_ARGS__)
struct db_stmt *db_query_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...);
/* For SQL assembled in code from literal fragments only (a fixed list of
 * tables and columns, never input), where db_query's call-site slot cannot
 * hold the text. Cached by text; bind values with db_bind_text. */
struct db_stmt *db_prepare_built(struct db_conn *c, const char *sql);
int db_bind_text(struct db_stmt *s, int idx, const char *v);   /* NULL binds NULL */
bool db_row(struct db_stmt *s);                  /* next row; false at the end or on error */
const char *db_text(struct db_stmt *s, int col); /* NULL for SQL NULL; valid until the next db_row */
const char *db_atext(struct db_stmt *s, int col, struct arena *a);  /* copied; "" for NULL */
long long db_int(struct db_stmt *s, int col);
bool db_isnull(struct db_stmt *s, int col);
int db_done(struct db_stmt *s);                  /* resets; 0, or -1 if any step failed */

/* Runs a statement to completion. Returns rows changed, or -1. */
#define db_exec(c, sql, ...) db_exec_at((c), DB_SITE(sql), __func__, __VA_ARGS__)
long long db_exec_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...);
/* Runs an INSERT … RETURNING id and returns the id, or -1. */
#define db_insert(c, sql, ...) db_insert_at((c), DB_SITE(sql), __func__, __VA_ARGS__)
long long db_insert_at(struct db_conn *c, struct db_site *site, const char *caller, const char *types, ...);
/* One integer from the first row, or dflt when there is none. */
#define db_int1(c, dflt, sql, ...) db_int1_at((c), DB_SITE(sql), __func__, (dflt), __VA_ARGS__)
long long db_int1_at(struct db_conn *c, struct db_site *site, const char *caller, long long dflt, const char *types, ...);

/* The rows and index entries the engine has visited for the statement
 * since its query began (SQLite's VM steps), or -1 where the backend
 * cannot tell: for the unit tests that keep query plans from growing with
 * the site. */
long long db_stmt_vm_steps(struct db_stmt *s);

/* Statements stepped and time spent stepping them, since start. */
void db_stats(unsigned long long *steps, unsigned long long *ns);

/* What a backend provides. Statements are cached by the backend per
 * connection, keyed by the SQL text. */
struct db_backend {
	const char *name;
	struct db_conn *(*connect)(const char *url, char *err, size_t errlen);
	void (*disconnect)(struct db_conn *c);
	struct db_stmt *(*prepare)(struct db_conn *c, const char *sql);
	int (*bind_text)(struct db_stmt *s, int idx, const char *v);
	int (*bind_int)(struct db_stmt *s, int idx, long long v);
	int (*bind_null)(struct db_stmt *s, int idx);
	int (*step)(struct db_stmt *s);       /* 1 row, 0 done, -1 error */
	const char *(*col_text)(struct db_stmt *s, int col);
	long long (*col_int)(struct db_stmt *s, int col);
	bool (*col_null)(struct db_stmt *s, int col);
	void (*reset)(struct db_stmt *s);
	long long (*vm_steps)(struct db_stmt *s);   /* NULL, or db_stmt_vm_steps */
	long long (*changes)(struct db_conn *c);
	int (*exec_script)(struct db_conn *c, const char *sql);  /* several statements, no parameters */
	const char *(*errmsg)(struct db_conn *c);
	/* NULL, or: checks the connection, reconnecting if it broke; returns
	 * 1 when renewed (prepared statements are gone), 0 fine, -1 down */
	int (*revive)(struct db_conn *c);
	bool (*broken)(struct db_conn *c);     /* NULL, or: is the server out of reach? */
	bool (*retryable)(struct db_conn *c);  /* the last error was a conflict to retry */
	/* the last error came from the database's state (busy, locked, disk
	 * full, out of memory, I/O, connection lost), not from the query */
	bool (*outage)(struct db_conn *c);
	/* NULL, or (fault injection): cut the connection as a crash of the
	 * server or a network failure would */
	void (*sever)(struct db_conn *c);
	/* NULL, or change notification between processes (PostgreSQL
	 * LISTEN/NOTIFY): listen on a channel, notify it (delivered at
	 * commit), wait up to ms for a notification (1 got one, 0 timeout) */
	int (*listen)(struct db_conn *c, const char *channel);
	int (*notify)(struct db_conn *c, const char *channel);
	int (*wait)(struct db_conn *c, int ms);
	/* NULL (one process owns the database), or a session lock across
	 * nodes: 1 taken, 0 held elsewhere, -1 error */
	int (*try_lock)(struct db_conn *c, long long key);
	void (*unlock)(struct db_conn *c, long long key);
	const char *begin_sql;                 /* starts a write transaction */
	const char *read_sql;                  /* starts a read snapshot */
	const char *migrate_lock_sql;          /* in the migrations' transaction: one node migrates, the others wait (NULL: BEGIN is enough) */
	const char *migration_suffix;          /* ".sql" for SQLite, ".pg.sql" preferred for PostgreSQL */
};

/* For backends' statement caches: a bucket 0..255 for an SQL text. */
unsigned db_sql_bucket(const char *sql);

/* Common head of every backend's connection and statement structs. */
struct db_conn {
	const struct db_backend *be;
	struct db *db;
	struct db_conn *next_free;
	bool failed;             /* a statement failed since db_begin */
	bool outage;             /* the last failure was an outage (kept past the rollback) */
	bool conflict;           /* the last failure was a conflict worth retrying (kept past the rollback) */
	bool in_read;            /* inside db_read_begin's snapshot */
	struct db_stmt **by_site;   /* prepared statements by db_site id */
	int nsites;
};
struct db_stmt {
	struct db_conn *conn;
	const char *sql;
	const char *caller;
	bool failed;
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_pg_backend;
/* Is url a PostgreSQL connection string (URI or key=value)? */
bool db_url_is_pg(const char *url);

#endif
