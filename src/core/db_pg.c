/* db_pg.c: the PostgreSQL backend of core/db, through libpq.
 *
 * DESIGN: feature SQL uses '?' placeholders; prepare() rewrites them to
 * $1..$n (outside quoted literals) and prepares the statement once per
 * connection under a generated name. Parameters travel as text and
 * PostgreSQL infers their types from the statement. A statement runs on
 * its first step and its rows are walked in the PGresult. A connection
 * found broken (the server restarted) is reset on the next acquire, and
 * its prepared statements are forgotten. Each connection sets a statement
 * timeout so a runaway query cannot hold a worker for ever. */
#include "db.h"
#include "arena.h"
#include "buf.h"
#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 128

struct pg_stmt {
	struct db_stmt base;
	char name[16];
	int nparams;
	char *values[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	bool ran;
	struct pg_stmt *next;
};

struct pg_conn {
	struct db_conn base;
	PGconn *h;
	struct pg_stmt *cache[256];
	int counter;
	long long changes;
	char *url;
	char sqlstate[6];      /* of the last failure */
};

static int
pg_setup(struct pg_conn *c, char *err, size_t errlen)
{
	PGresult *r = PQexec(c->h, "SET statement_timeout = '30s'; SET client_min_messages = warning; SET TIME ZONE 'UTC'");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok && err)
		snprintf(err, errlen, "cannot configure the PostgreSQL session: %s", PQerrorMessage(c->h));
	return ok ? 0 : -1;
}

static struct db_conn *
pg_connect(const char *url, char *err, size_t errlen)
{
	struct pg_conn *c = xcalloc(1, sizeof *c);
	c->h = PQconnectdb(url);
	if (PQstatus(c->h) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->h));
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s", msg);
		PQfinish(c->h);
		free(c);
		return NULL;
	}
	if (pg_setup(c, err, errlen) < 0) {
		PQfinish(c->h);
		free(c);
		return NULL;
	}
	c->url = xstrdup(url);
	return &c->base;
}

static void
stmt_clear(struct pg_stmt *s)
{
	if (s->res)
		PQclear(s->res);
	s->res = NULL;
	s->ran = false;
	s->row = s->nrows = 0;
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
	}
}

static void
drop_cache(struct pg_conn *c)
{
	for (int i = 0; i < 256; i++) {
		for (struct pg_stmt *s = c->cache[i], *n; s; s = n) {
			n = s->next;
			stmt_clear(s);
			free((char *)s->base.sql);
			free(s);
		}
		c->cache[i] = NULL;
	}
}

static void
pg_disconnect(struct db_conn *bc)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	drop_cache(c);
	PQfinish(c->h);
	free(c->url);
	free(c);
}

/* '?' → $n, outside '…' and "…" literals. */
static char *
rewrite(const char *sql, int *n)
{
	struct buf b = {0};
	char quote = 0;
	*n = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			buf_putc(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			buf_putc(&b, *p);
		} else if (*p == '?')
			buf_printf(&b, "$%d", ++*n);
		else
			buf_putc(&b, *p);
	}
	return buf_detach(&b, NULL);
}

static struct db_stmt *
pg_prepare(struct db_conn *bc, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	unsigned h = db_sql_bucket(sql);
	for (struct pg_stmt *s = c->cache[h]; s; s = s->next)
		if (strcmp(s->base.sql, sql) == 0)
			return &s->base;
	int n;
	char *text = rewrite(sql, &n);
	if (n > PG_MAX_PARAMS) {
		free(text);
		return NULL;
	}
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	snprintf(s->name, sizeof s->name, "g%d", ++c->counter);
	PGresult *r = PQprepare(c->h, s->name, text, 0, NULL);
	free(text);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		free(s);
		return NULL;
	}
	s->base.conn = bc;
	s->base.sql = xstrdup(sql);
	s->nparams = n;
	s->next = c->cache[h];
	c->cache[h] = s;
	return &s->base;
}

#define PS(s) ((struct pg_stmt *)(s))

static int
pg_bind_text(struct db_stmt *bs, int i, const char *v)
{
	struct pg_stmt *s = PS(bs);
	if (i < 1 || i > s->nparams)
		return -1;
	free(s->values[i - 1]);
	s->values[i - 1] = xstrdup(v);
	return 0;
}

static int
pg_bind_int(struct db_stmt *bs, int i, long long v)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", v);
	return pg_bind_text(bs, i, num);
}

static int
pg_bind_null(struct db_stmt *bs, int i)
{
	struct pg_stmt *s = PS(bs);
	if (i < 1 || i > s->nparams)
		return -1;
	free(s->values[i - 1]);
	s->values[i - 1] = NULL;
	return 0;
}

static int
pg_step(struct db_stmt *bs)
{
	struct pg_stmt *s = PS(bs);
	struct pg_conn *c = (struct pg_conn *)bs->conn;
	if (!s->ran) {
		s->ran = true;
		s->res = PQexecPrepared(c->h, s->name, s->nparams, (const char *const *)s->values, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(s->res);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			const char *code = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
			snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
			return -1;
		}
		const char *ct = PQcmdTuples(s->res);
		c->changes = ct && *ct ? atoll(ct) : 0;
		s->nrows = PQntuples(s->res);
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return 1;
	}
	return 0;
}

static const char *
pg_col_text(struct db_stmt *bs, int col)
{
	struct pg_stmt *s = PS(bs);
	if (!s->res || s->row < 0 || col >= PQnfields(s->res) || PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static long long
pg_col_int(struct db_stmt *bs, int col)
{
	const char *t = pg_col_text(bs, col);
	return t ? atoll(t) : 0;
}

static bool
pg_col_null(struct db_stmt *bs, int col)
{
	return pg_col_text(bs, col) == NULL;
}

static void
pg_reset(struct db_stmt *bs)
{
	stmt_clear(PS(bs));
}

static long long pg_changes(struct db_conn *c) { return ((struct pg_conn *)c)->changes; }

static int
pg_exec_script(struct db_conn *bc, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	PGresult *r = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok) {
		const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
	}
	PQclear(r);
	return ok ? 0 : -1;
}

static const char *
pg_errmsg(struct db_conn *bc)
{
	return PQerrorMessage(((struct pg_conn *)bc)->h);
}

/* After the server restarted: reconnect, forget the prepared statements.
 * Returns 1 if the connection was renewed, 0 if it was fine, -1 if down. */
static int
pg_revive(struct db_conn *bc)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	if (PQstatus(c->h) == CONNECTION_OK)
		return 0;
	drop_cache(c);
	PQreset(c->h);
	if (PQstatus(c->h) != CONNECTION_OK || pg_setup(c, NULL, 0) < 0)
		return -1;
	return 1;
}

static int
pg_channel_cmd(struct db_conn *bc, const char *verb, const char *channel)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	char *ident = PQescapeIdentifier(c->h, channel, strlen(channel));
	if (!ident)
		return -1;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s %s", verb, ident);
	PQfreemem(ident);
	return pg_exec_script(bc, cmd);
}

static int pg_listen(struct db_conn *c, const char *ch) { return pg_channel_cmd(c, "LISTEN", ch); }
static int pg_notify(struct db_conn *c, const char *ch) { return pg_channel_cmd(c, "NOTIFY", ch); }

static int
drain_notifies(PGconn *h)
{
	int got = 0;
	PGnotify *n;
	while ((n = PQnotifies(h))) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

static int
pg_wait(struct db_conn *bc, int ms)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	if (PQconsumeInput(c->h) && drain_notifies(c->h))
		return 1;
	struct pollfd pfd = {PQsocket(c->h), POLLIN, 0};
	if (pfd.fd < 0 || poll(&pfd, 1, ms) <= 0)
		return 0;
	PQconsumeInput(c->h);
	return drain_notifies(c->h);
}

static bool
pg_retryable(struct db_conn *bc)
{
	const char *s = ((struct pg_conn *)bc)->sqlstate;
	return strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0;   /* serialization failure, deadlock */
}

/* Runs an advisory-lock function on key; returns its boolean (1/0) or -1. */
static int
advisory(struct db_conn *bc, const char *sql, long long key)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	char k[32];
	snprintf(k, sizeof k, "%lld", key);
	const char *v[1] = {k};
	PGresult *r = PQexecParams(c->h, sql, 1, NULL, v, NULL, NULL, 0);
	int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? (strcmp(PQgetvalue(r, 0, 0), "t") == 0) : -1;
	PQclear(r);
	return rc;
}

static int pg_try_lock(struct db_conn *c, long long key) { return advisory(c, "SELECT pg_try_advisory_lock($1::bigint)", key); }
static void pg_unlock(struct db_conn *c, long long key) { advisory(c, "SELECT pg_advisory_unlock($1::bigint)", key); }

static bool
pg_broken(struct db_conn *bc)
{
	return PQstatus(((struct pg_conn *)bc)->h) != CONNECTION_OK;
}

/* Connection lost (08), out of resources (53: disk full, out of memory,
 * too many connections), operator intervention (57: shutdown, cancel),
 * conflicts (40): the database's state, not the query. */
static bool
pg_outage(struct db_conn *bc)
{
	const char *s = ((struct pg_conn *)bc)->sqlstate;
	return pg_broken(bc) || strncmp(s, "08", 2) == 0 || strncmp(s, "53", 2) == 0 ||
	    strncmp(s, "57", 2) == 0 || strncmp(s, "40", 2) == 0;
}

/* Fault injection: the socket shut under libpq, as a dropped network
 * path or a killed server would leave it. */
static void
pg_sever(struct db_conn *bc)
{
	int fd = PQsocket(((struct pg_conn *)bc)->h);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

const struct db_backend db_pg_backend = {
	.name = "postgresql",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_null = pg_col_null,
	.reset = pg_reset,
	.changes = pg_changes,
	.exec_script = pg_exec_script,
	.errmsg = pg_errmsg,
	.revive = pg_revive,
	.broken = pg_broken,
	.retryable = pg_retryable,
	.outage = pg_outage,
	.sever = pg_sever,
	.try_lock = pg_try_lock,
	.unlock = pg_unlock,
	.listen = pg_listen,
	.notify = pg_notify,
	.wait = pg_wait,
	.migration_suffix = ".pg.sql",
	.begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
	.read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	.migrate_lock_sql = "SELECT pg_advisory_xact_lock(7428431)",
};
