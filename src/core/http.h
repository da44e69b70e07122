/* http.h: the request and response every handler sees. core/http.c turns
 * a libmicrohttpd request into a struct req and the response back into
 * bytes; nothing above this header includes libmicrohttpd. */
#ifndef GZ_HTTP_H
#define GZ_HTTP_H
#include "arena.h"
#include "buf.h"
#include "workers.h"
#include <stdbool.h>

enum http_method { HTTP_GET = 1, HTTP_HEAD = 2, HTTP_POST = 4, HTTP_OTHER = 8 };

#define REQ_MAX_PARAMS 8
#define REQ_MAX_QUERY 32
#define REQ_MAX_HEADERS 16

struct kv {
	const char *k, *v;
};

struct db;
struct db_conn;
struct theme;
struct server;
struct route;
struct io_stat;

struct req {
	struct arena a;                  /* freed when the request ends */
	struct server *srv;
	void *conn;                      /* the libmicrohttpd connection */
	int method;
	const char *method_name;
	const char *raw_uri;             /* as received */
	const char *path;                /* percent-decoded, valid UTF-8, no NUL */
	struct kv query[REQ_MAX_QUERY];  /* decoded ?k=v pairs */
	int nquery;
	const char *params[REQ_MAX_PARAMS]; /* the route's {captures}, in order */
	int nparams;
	struct theme *theme;             /* templates and static files, held for this request */
	struct db_conn *dbc;             /* taken on first req_db() */
	int bad;                         /* why the URI was refused: 0, 400, 414 */
	struct buf body_in;              /* a POST body, up to the limit */
	bool body_too_large;
	struct kv *form;                 /* the decoded body (core/form) */
	int nform, form_status;
	struct req_file *files;          /* the files of a multipart body (core/form) */
	int nfiles;
	bool form_done;
	void *app;                       /* per-request state of the application layer */
	void *user;                      /* the application's signed-in user, once known */
	const char *route;               /* the matched route pattern (metrics, logs) */
	const struct route *matched;     /* core/router: what router_match found, once it has run */
	int match_status;                /* core/router: and its 404 or 405 when it found none */
	bool match_done;
	double started;                  /* monotonic seconds at the request line */
	bool answered;
	struct alloc_guard guard;        /* its allocations (core/arena): a failure answers 503 */
	struct work work;                /* core/http: handed to a render worker */
	unsigned want;                   /* core/http: the cache variants the reader accepts */
	bool shared;                     /* core/http: may read and fill the shared page cache */
	void *answer;                    /* core/http: a worker's response, for the I/O thread to queue */
	struct io_stat *io;              /* core/http: the I/O thread's counters */

	/* page cache: a handler that makes a page every anonymous reader may
	 * share calls resp_cache() and names what the page shows with
	 * resp_depends(); a write invalidates those tags */
	bool cacheable;
	const char **tags;
	int ntags, tagcap;
	short *tagset;                   /* index set over tags, for repeats */
	bool tags_overflow;              /* more tags than recorded: not cacheable */
	long long expires;               /* Unix time the page goes stale; 0: next UTC midnight */
	const char *cache_result;        /* "hit", "miss", "bypass", "off" (logs) */
	long long count_id;              /* what a reader's view of this page counts for (core/hits), 0: nothing */
	size_t sent;                     /* body bytes queued (logs) */

	/* response */
	int status;
	const char *content_type;
	struct buf body;
	struct kv headers[REQ_MAX_HEADERS];
	int nheaders;
};

/* Splits and decodes r->raw_uri into r->path and r->query; on a bad URI
 * sets r->bad to 400 or 414 and leaves r->path NULL. */
void req_parse_uri(struct req *r);
const char *req_query(const struct req *r, const char *key);  /* NULL if absent */
const char *req_header(const struct req *r, const char *name); /* NULL if absent */
struct db_conn *req_db(struct req *r);
bool req_from_loopback(const struct req *r);
/* The client's address as text: the socket peer (behind a proxy, the
 * proxy's address until trusted proxies are configured). */
const char *req_client_ip(struct req *r);

void resp_header(struct req *r, const char *name, const char *value);  /* value kept, not copied */
void resp_cache(struct req *r);                      /* the response may be shared from the page cache */
void resp_depends(struct req *r, const char *tag);   /* tag copied; duplicates ignored */
void resp_expires(struct req *r, long long t);       /* the page goes stale at t (the earliest wins) */
void resp_count(struct req *r, long long id);        /* a reader's view counts for id, also when served from the cache */
void resp_redirect(struct req *r, int status, const char *location);
void resp_text(struct req *r, int status, const char *content_type, const char *s);
/* An error page through the application's error hook (localized page). */
void resp_error(struct req *r, int status);

typedef void (*handler_fn)(struct req *r);

struct server_config {
	const char *listen;          /* HOST:PORT */
	unsigned threads;            /* render workers */
	unsigned io_threads;         /* event loops: cache hits, reading and sending (0: 1) */
	struct db *db;
	bool dev;                    /* reload templates on every request */
	size_t cache_bytes;          /* page cache bound; 0 turns the cache off */
	bool access_log;             /* one line per request on stderr */
	const char *theme_dir;
	void (*dispatch)(struct req *r);                 /* routes the request */
	void (*error_page)(struct req *r, int status);   /* renders an error body */
	void (*request_done)(struct req *r);             /* frees per-request app state */
	size_t (*body_limit)(const char *uri);           /* NULL or 0: 1 MiB; more for uploads */
	const char *media_dir;                           /* served read-only at /media/, NULL for none */
	unsigned per_ip;                                 /* open connections per remote address (0: no limit) */
	double costly_share;                             /* of the workers' time for costly routes (0: no limit) */
	unsigned client_timeout;                         /* seconds a client may idle, and the base of its deadlines (0: 30) */
	bool fault_injection;                            /* tests: honour Gazette-Fault (db_fault_arm) from loopback */
	bool behind_proxy;                               /* the reader's address is X-Real-IP on loopback connections */
	/* NULL, or whether r (its URI parsed, nothing rendered yet) is a page
	 * cheap to render from a local database: without a page cache, the
	 * connection's own I/O thread then renders it, instead of a worker,
	 * while every I/O thread is busy (core/http). */
	bool (*quick)(struct req *r);
};

/* Binds, starts the workers and the page cache (core/cache) and returns;
 * NULL with the reason in err. */
struct server *server_start(const struct server_config *cfg, char *err, size_t errlen);
/* Stops accepting, lets in-flight requests finish (up to a few seconds),
 * then stops. The page cache stays until cache_shutdown(), for whatever
 * may still invalidate it. */
void server_stop(struct server *s);
const struct server_config *server_config(const struct server *s);
/* Per I/O thread (at most HTTP_IO_MAX of them), for /metrics: requests
 * begun, renders it did itself (server_config.quick), connections open;
 * returns how many threads (at most max) were filled in. */
#define HTTP_IO_MAX 64
struct io_counts {
	unsigned long long requests, renders;
	unsigned conns;
};
unsigned http_io_stats(struct io_counts *out, unsigned max);

#endif
