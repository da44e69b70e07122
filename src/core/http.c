/* http.c: libmicrohttpd glue. Owns the listening sockets, the I/O
 * threads (one single-threaded daemon per thread, each on its own socket
 * of an SO_REUSEPORT group, connections steered by CPU) and the hand-over
 * of renders to the workers (core/workers), per-request state (struct
 * req and its arena), URI decoding and validation, security headers,
 * static theme files, and turning a struct req's response into an MHD
 * response.
 *
 * DESIGN: the raw request URI is taken from MHD's URI log callback (which
 * also allocates the request), and decoded here rather than by MHD: a %00
 * or invalid UTF-8 must be refused with 400, not silently truncated.
 * Responses are queued on the second access-handler call (MHD 0.9.75 turns
 * keep-alive off when a response is queued in the first).
 *
 * An I/O thread answers a cache hit itself: a lookup and a write of ready
 * bytes. Anything else suspends the connection and goes to a worker, which
 * renders, leaves the response in the request and resumes the connection;
 * MHD then calls the handler again on the I/O thread, which queues it. (A
 * worker that queued it itself could race with MHD's own code still
 * running on the I/O thread after the handler returned, which reads the
 * connection's response unlocked.) So one thread keeps the connections and
 * a flood of renders, searches or posts never stands between a reader and
 * a cached page. (With a daemon per core, each rendering its own
 * connections, hits were spread over every core and woke every thread; the
 * cached article at wrk -t1 -c32 gave 104,000 to 133,000 req/s with a p99
 * of 2 to 4 ms, against 136,000 to 178,000 and mostly 0.3 to 0.6 ms with
 * renders on workers.) There is one I/O thread per core, and a connection
 * goes to the one numbered by the CPU that received it (steer_by_cpu).
 *
 * The exception is a server without a page cache, where every page is a
 * render and there are no hits to keep fast. While every core runs a busy
 * I/O thread, a worker would add only the hand-over's cost, not a core,
 * so an I/O thread renders the quick pages itself (server_config.quick:
 * cheap reader pages, from SQLite; render_here). Such a render delays its
 * thread's other connections by its own time, a tenth of a millisecond
 * or so; a thread whose render took over 10 ms hands everything to
 * workers for a while. Measured on 2 cores, the uncached article at
 * wrk -t2 -c64: 33,000 to 38,000 req/s this way, against 26,000 to 28,000
 * through workers. */
#include "http.h"
#include "utc.h"
#include "hits.h"
#include "limits.h"
#include "deadlines.h"
#include "form.h"
#include "cache.h"
#include "compress.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "theme.h"
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sodium.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#define MAX_URI 4096

#define CC_PAGE "public, max-age=0, must-revalidate, s-maxage=60"
#define CC_IMMUTABLE "public, max-age=31536000, immutable"
#define CC_STATIC "public, max-age=300, must-revalidate"
#define MAX_BODY (1024 * 1024)

struct server {
	struct server_config cfg;
	struct MHD_Daemon **d;   /* one single-threaded daemon per I/O thread */
	int *fd;                 /* and its listening socket (SO_REUSEPORT) */
	unsigned n;
	unsigned cpus;           /* the CPUs this process may run on */
	struct workers *pool;    /* the render workers */
	_Atomic int inflight;   /* requests begun and not yet completed */
};

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
	"form-action 'self'; frame-ancestors 'none'";

const struct server_config *
server_config(const struct server *s)
{
	return &s->cfg;
}

const char *
req_query(const struct req *r, const char *key)
{
	for (int i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].k, key) == 0)
			return r->query[i].v;
	return NULL;
}

const char *
req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

static bool
peer_is_loopback(const struct req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info((struct MHD_Connection *)r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return false;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* From this machine itself: a loopback peer that is not the proxy relaying
 * a reader (behind a proxy, whatever carries X-Real-IP was relayed). */
bool
req_from_loopback(const struct req *r)
{
	return peer_is_loopback(r) && !(r->srv->cfg.behind_proxy && req_header(r, "X-Real-IP"));
}

/* The reader's address: the peer's, or behind a proxy on this machine the
 * one it names in X-Real-IP (nginx sets it; a reader cannot, since only
 * the proxy reaches the loopback port), if that is an address at all. */
const char *
req_client_ip(struct req *r)
{
	if (r->srv->cfg.behind_proxy && peer_is_loopback(r)) {
		const char *h = req_header(r, "X-Real-IP");
		unsigned char bin[sizeof(struct in6_addr)];
		if (h && strlen(h) < INET6_ADDRSTRLEN && (inet_pton(AF_INET, h, bin) == 1 || inet_pton(AF_INET6, h, bin) == 1))
			return arena_strdup(&r->a, h);
	}
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info((struct MHD_Connection *)r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char *out = arena_alloc(&r->a, INET6_ADDRSTRLEN);
	out[0] = '-';
	out[1] = 0;
	if (!ci || !ci->client_addr)
		return out;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, INET6_ADDRSTRLEN);
	return out;
}


struct db_conn *
req_db(struct req *r)
{
	if (!r->dbc) {
		r->dbc = db_acquire(r->srv->cfg.db);
		/* one snapshot per request: a page never mixes two states of the
		 * site, and the database opens one transaction, not one a query */
		db_read_begin(r->dbc);
	}
	return r->dbc;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders < REQ_MAX_HEADERS) {
		r->headers[r->nheaders].k = name;
		r->headers[r->nheaders].v = value;
		r->nheaders++;
	}
}

void
resp_cache(struct req *r)
{
	r->cacheable = true;
}

/* Tags go in a list (what the cache stores) and an open-addressing set of
 * indexes (to drop repeats without a scan: a front page names ~70). */
#define TAGSET 256

void
resp_depends(struct req *r, const char *tag)
{
	if (!r->tagset) {
		r->tagset = arena_alloc(&r->a, TAGSET * sizeof *r->tagset);
		memset(r->tagset, 0xff, TAGSET * sizeof *r->tagset);
	}
	unsigned h = (unsigned)(str_hash(tag) & (TAGSET - 1));
	for (int probes = 0; r->tagset[h] >= 0; h = (h + 1) & (TAGSET - 1)) {
		if (strcmp(r->tags[r->tagset[h]], tag) == 0)
			return;
		if (++probes == TAGSET)
			break;
	}
	if (r->ntags >= TAGSET - 1) {
		r->tags_overflow = true;   /* cannot name them all: never cache this page */
		return;
	}
	if (r->ntags == r->tagcap) {
		int cap = r->tagcap ? r->tagcap * 2 : 32;
		const char **t = arena_alloc(&r->a, (size_t)cap * sizeof *t);
		if (r->ntags)
			memcpy(t, r->tags, (size_t)r->ntags * sizeof *t);
		r->tags = t;
		r->tagcap = cap;
	}
	r->tagset[h] = (short)r->ntags;
	r->tags[r->ntags++] = arena_strdup(&r->a, tag);
}

void
resp_text(struct req *r, int status, const char *type, const char *s)
{
	r->status = status;
	r->content_type = type;
	r->body.len = 0;
	buf_puts(&r->body, s);
}

void
resp_redirect(struct req *r, int status, const char *location)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->body.len = 0;
	buf_puts(&r->body, "Redirecting\n");
	resp_header(r, "Location", location);
}

void
resp_error(struct req *r, int status)
{
	r->status = status;
	r->body.len = 0;
	r->nheaders = 0;
	r->content_type = "text/html; charset=utf-8";
	if (r->srv->cfg.error_page)
		r->srv->cfg.error_page(r, status);
	if (r->body.len == 0) {
		r->content_type = "text/plain; charset=utf-8";
		buf_printf(&r->body, "Error %d\n", status);
	}
}

void
req_parse_uri(struct req *r)
{
	const char *u = r->raw_uri;
	size_t n = strlen(u);
	if (n > MAX_URI) {
		r->bad = 414;
		return;
	}
	if (u[0] != '/') {
		r->bad = 400;
		return;
	}
	const char *q = strchr(u, '?');
	size_t plen = q ? (size_t)(q - u) : n;
	const char *hash = memchr(u, '#', plen);
	if (hash)
		plen = (size_t)(hash - u);
	char *path = arena_alloc(&r->a, plen + 1);
	if (url_decode(path, u, plen, false) < 0) {
		r->bad = 400;
		return;
	}
	/* no dot segments, no backslashes, no empty segments ("//") */
	for (const char *s = path; *s; s++) {
		if (*s == '\\') {
			r->bad = 400;
			return;
		}
		if (*s == '/' && s != path && s[-1] == '/') {
			r->bad = 400;
			return;
		}
		if (*s == '/' && s[1] == '.' && (s[2] == '/' || s[2] == 0 || (s[2] == '.' && (s[3] == '/' || s[3] == 0)))) {
			r->bad = 400;
			return;
		}
	}
	r->path = path;
	if (!q)
		return;
	int nq = kv_parse_urlencoded(&r->a, q + 1, strlen(q + 1), r->query, REQ_MAX_QUERY);
	if (nq < 0) {
		r->bad = 400;
		return;
	}
	r->nquery = nq;
}

static int
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* /media/…: uploaded pictures, written once under names that never change. */
static void
serve_media(struct req *r)
{
	const char *rel = r->path + 7;   /* after "/media/" */
	const char *dot = strrchr(rel, '.');
	const char *type = !dot ? NULL : strcmp(dot, ".webp") == 0 ? "image/webp" : strcmp(dot, ".jpg") == 0 ? "image/jpeg"
	    : strcmp(dot, ".png") == 0 ? "image/png" : NULL;
	/* only what Gazette writes: digits, letters, '-', '/', one extension */
	if (!type || !*rel || strspn(rel, "abcdefghijklmnopqrstuvwxyz0123456789-/.") != strlen(rel) || strstr(rel, "..") ||
	    strstr(rel, "//") || rel[0] == '/') {
		resp_error(r, 404);
		return;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", r->srv->cfg.media_dir, rel);
	FILE *f = fopen(path, "rb");
	if (!f) {
		resp_error(r, 404);
		return;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_raw(&r->body, chunk, n);
	fclose(f);
	r->route = "/media/";
	r->status = 200;
	r->content_type = type;
	resp_header(r, "Cache-Control", CC_IMMUTABLE);
	r->expires = (long long)time(NULL) + 86400 * 365;
	resp_cache(r);
	resp_depends(r, "media");
}

static void
serve_static(struct req *r)
{
	const struct static_file *f = theme_file(r->theme, r->path + 8);  /* after "/static/" */
	if (!f) {
		resp_error(r, 404);
		return;
	}
	const char *v = req_query(r, "v");
	/* a versioned URL names these exact bytes forever */
	resp_header(r, "Cache-Control", v && strcmp(v, f->version) == 0 ? CC_IMMUTABLE : CC_STATIC);
	r->route = "/static/";
	r->status = 200;
	r->content_type = f->type;
	r->expires = (long long)time(NULL) + 86400 * 365;
	buf_raw(&r->body, f->data, f->len);
	resp_cache(r);
	resp_depends(r, "theme");
}

/* The files core/http serves itself, before the application's routes:
 * the theme's under /static/ and uploads under /media/. */
enum core_file { CORE_NONE, CORE_STATIC, CORE_MEDIA };

static enum core_file
core_file(const struct req *r)
{
	if (!(r->method & (HTTP_GET | HTTP_HEAD)))
		return CORE_NONE;
	if (strncmp(r->path, "/static/", 8) == 0)
		return CORE_STATIC;
	if (r->srv->cfg.media_dir && strncmp(r->path, "/media/", 7) == 0)
		return CORE_MEDIA;
	return CORE_NONE;
}

static void
handle(struct req *r)
{
	if (r->bad) {
		resp_error(r, r->bad);
		return;
	}
	if (r->method == HTTP_OTHER) {
		resp_error(r, 405);
		resp_header(r, "Allow", "GET, HEAD, POST");
		return;
	}
	if (r->body_too_large) {
		resp_error(r, 413);
		return;
	}
	switch (core_file(r)) {
	case CORE_STATIC:
		serve_static(r);
		return;
	case CORE_MEDIA:
		serve_media(r);
		return;
	case CORE_NONE:
		break;
	}
	r->srv->cfg.dispatch(r);
}

/* Per I/O thread, for /metrics: the requests it began, the renders it did
 * itself and the connections it holds, which show how steering by CPU
 * spread the load; and for render_here, when it last began a request.
 * Each thread writes its own entry (its own cache line); connection_cb
 * tells a thread which entry is its. */
struct io_stat {
	_Alignas(64) _Atomic unsigned long long requests;
	_Atomic unsigned long long renders;
	_Atomic unsigned conns;
	_Atomic long long last_begun;   /* monotonic ns */
};
static struct io_stat io_stats[HTTP_IO_MAX];
static _Atomic unsigned io_stat_n;
static _Thread_local struct io_stat *io_mine;

unsigned
http_io_stats(struct io_counts *out, unsigned max)
{
	unsigned n = atomic_load(&io_stat_n);
	for (unsigned i = 0; i < n && i < max; i++) {
		out[i].requests = atomic_load_explicit(&io_stats[i].requests, memory_order_relaxed);
		out[i].renders = atomic_load_explicit(&io_stats[i].renders, memory_order_relaxed);
		out[i].conns = atomic_load_explicit(&io_stats[i].conns, memory_order_relaxed);
	}
	return n < max ? n : max;
}

static long long
mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Called by MHD with the raw URI before anything else: allocates the
 * request. Its return value becomes the connection's *req_cls. */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct server *s = cls;
	struct req *r = xcalloc(1, sizeof *r);
	s->inflight++;
	long long now = mono_ns();
	r->started = (double)now / 1e9;
	if (io_mine) {
		r->io = io_mine;
		atomic_fetch_add_explicit(&io_mine->requests, 1, memory_order_relaxed);
		atomic_store_explicit(&io_mine->last_begun, now, memory_order_relaxed);
	}
	arena_init(&r->a, 16384);
	r->srv = s;
	r->conn = con;
	r->raw_uri = arena_strdup(&r->a, uri ? uri : "");
	return r;
}

/* A reader-specific request: a Gazette cookie (session, commenter) or
 * credentials. Such requests never read or fill the shared cache. */
static bool
private_request(struct req *r)
{
	if (req_header(r, "Authorization"))
		return true;
	const char *c = req_header(r, "Cookie");
	for (const char *p = c; p && (p = strstr(p, "gz_")); p += 3)
		if (p == c || p[-1] == ' ' || p[-1] == ';')
			return true;
	return false;
}

static void
add_common_headers(struct MHD_Response *resp, struct req *r, const char *cc)
{
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	bool has_cc = false;
	for (int i = 0; i < r->nheaders; i++) {
		MHD_add_response_header(resp, r->headers[i].k, r->headers[i].v);
		has_cc |= strcasecmp(r->headers[i].k, "Cache-Control") == 0;
	}
	if (!has_cc && cc)
		MHD_add_response_header(resp, "Cache-Control", cc);
}

/* The Cache-Control a response carries unless its handler set one. */
static const char *
cache_control_of(struct req *r)
{
	for (int i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].k, "Cache-Control") == 0)
			return r->headers[i].v;
	return r->cacheable ? CC_PAGE : "no-store";
}

/* A ready response, counted by whoever holds it: the cache (one variant
 * of an entry) and a connection still to be given it. MHD counts its own
 * references only from MHD_queue_response on, and a worker must not queue:
 * the page it stored may be evicted before its connection is resumed. */
struct answer {
	struct MHD_Response *resp;
	_Atomic unsigned refs;
};

static struct answer *
answer_new(struct MHD_Response *resp)
{
	struct answer *a = xmalloc(sizeof *a);
	a->resp = resp;
	atomic_init(&a->refs, 1);
	return a;
}

static struct answer *
answer_ref(struct answer *a)
{
	atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
	return a;
}

static void
answer_unref(void *p)
{
	struct answer *a = p;
	if (a && atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) == 1) {
		MHD_destroy_response(a->resp);
		free(a);
	}
}

static struct answer *
make_variant(struct req *r, char *body, size_t len, const char *encoding, const char *etag, const char *cc, bool vary)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (!resp)
		oom();
	add_common_headers(resp, r, cc);
	if (etag)
		MHD_add_response_header(resp, "ETag", etag);
	if (vary)
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	if (encoding)
		MHD_add_response_header(resp, "Content-Encoding", encoding);
	return answer_new(resp);
}

static bool
etag_matches(struct req *r, const char *etag)
{
	const char *inm = req_header(r, "If-None-Match");
	return inm && etag && *etag && (strstr(inm, etag) || strcmp(inm, "*") == 0);
}

static struct MHD_Response *
make_304(const char *etag, const char *cc)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return NULL;
	MHD_add_response_header(resp, "ETag", etag);
	if (cc)
		MHD_add_response_header(resp, "Cache-Control", cc);
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	return resp;
}

static enum MHD_Result
queue_304(struct MHD_Connection *con, const char *etag, const char *cc)
{
	struct MHD_Response *resp = make_304(etag, cc);
	if (!resp)
		return MHD_NO;
	enum MHD_Result ret = MHD_queue_response(con, MHD_HTTP_NOT_MODIFIED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A 304 for a worker to leave in its request; NULL if none could be made. */
static struct answer *
answer_304(const char *etag, const char *cc)
{
	struct MHD_Response *resp = make_304(etag, cc);
	return resp ? answer_new(resp) : NULL;
}

/* A cache hit is queued on con at once (an I/O thread), or, with con
 * NULL (a worker), left in r->answer for the I/O thread to queue. */
struct hit {
	struct req *r;
	struct MHD_Connection *con;
	enum MHD_Result ret;
};

/* A reader's view of a counted page (not a robot's, not a prefetch). */
static void
count_view(struct req *r)
{
	if (!r->count_id || r->method != HTTP_GET)
		return;
	const char *purpose = req_header(r, "Sec-Purpose");
	if (!hits_robot(req_header(r, "User-Agent"), purpose ? purpose : req_header(r, "Purpose")))
		hits_add(r->count_id);
}

static void
serve_hit(const struct cache_variant_data *v, enum cache_variant which, void *arg)
{
	struct hit *h = arg;
	(void)which;
	h->r->route = v->label ? v->label : "(cache)";
	h->r->count_id = v->count_id;
	count_view(h->r);
	if (etag_matches(h->r, v->etag)) {
		h->r->status = 304;
		if (h->con)
			h->ret = queue_304(h->con, v->etag, v->cache_control);
		else
			h->r->answer = answer_304(v->etag, v->cache_control);
		return;
	}
	h->r->status = 200;
	h->r->sent = v->len;
	struct answer *a = v->resp;
	if (h->con)
		h->ret = MHD_queue_response(h->con, MHD_HTTP_OK, a->resp);
	else
		h->r->answer = answer_ref(a);   /* the entry may be evicted before it is queued */
}

static int64_t
next_midnight(void)
{
	time_t now = time(NULL);
	return (int64_t)(now - now % 86400 + 86400);
}

void
resp_count(struct req *r, long long id)
{
	r->count_id = id;
}

void
resp_expires(struct req *r, long long t)
{
	if (!r->expires)
		r->expires = next_midnight();
	if (t > 0 && t < r->expires)
		r->expires = t;
}

/* Leaves r's response in r->answer; a cacheable 200 becomes a cache entry
 * under key (with gzip and brotli variants) when key is set. */
static void
make_answer(struct req *r, const char *key, uint64_t epoch)
{
	if (r->tags_overflow)
		key = NULL;   /* a page whose dependencies were not all recorded is not kept */
	if (key && r->body.cap > r->body.len + 4096) {
		/* kept: moved to an allocation of its own size (shrinking the page
		 * buffer in place would leave a hole beside every cached page) */
		char *exact = xmemdup(r->body.s, r->body.len + 1);
		free(r->body.s);
		r->body.s = exact;
		r->body.cap = r->body.len + 1;
	}
	size_t len;
	char *body = buf_detach(&r->body, &len);
	const char *cc = cache_control_of(r);
	bool shareable = r->cacheable && r->status == 200;
	if (!shareable) {
		r->answer = make_variant(r, body, len, NULL, NULL, cc, false);
		r->sent = len;
		return;
	}
	/* a strong ETag per representation: the hash of the identity bytes
	 * (only for what is kept: hashing every uncached page is not free) */
	char hex[17] = "";
	if (key) {
		unsigned char h[8];
		crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	}
	bool worth = compress_worth(r->content_type, len);
	struct cache_variant_data v[CV_COUNT];
	memset(v, 0, sizeof v);
	if (key)
		snprintf(v[CV_IDENTITY].etag, sizeof v[0].etag, "\"%s\"", hex);
	if (worth && key) {
		size_t zl, bl;
		char *gz = compress_gzip(body, len, 6, &zl);
		char *br = compress_brotli(body, len, 5, &bl);
		if (gz) {
			snprintf(v[CV_GZIP].etag, sizeof v[0].etag, "\"%s-gz\"", hex);
			v[CV_GZIP].resp = make_variant(r, gz, zl, "gzip", v[CV_GZIP].etag, cc, true);
			v[CV_GZIP].len = zl;
		}
		if (br) {
			snprintf(v[CV_BR].etag, sizeof v[0].etag, "\"%s-br\"", hex);
			v[CV_BR].resp = make_variant(r, br, bl, "br", v[CV_BR].etag, cc, true);
			v[CV_BR].len = bl;
		}
	} else if (worth && (r->want & (1u << CV_GZIP))) {
		/* not cached: compress for this reader only, quickly */
		size_t zl;
		char *gz = compress_gzip_quick(body, len, &zl);
		if (gz) {
			v[CV_GZIP].resp = make_variant(r, gz, zl, "gzip", NULL, cc, true);
			v[CV_GZIP].len = zl;
		}
	}
	if (key || !v[CV_GZIP].resp) {
		v[CV_IDENTITY].resp = make_variant(r, body, len, NULL, key ? v[CV_IDENTITY].etag : NULL, cc, worth);
		v[CV_IDENTITY].len = len;
	} else {
		free(body);   /* sent compressed to this reader alone: no other form is needed */
	}
	for (int i = 0; i < CV_COUNT; i++) {
		v[i].cache_control = cc;
		v[i].label = r->route;
		v[i].count_id = r->count_id;
	}
	enum cache_variant which = CV_IDENTITY;
	if ((r->want & (1u << CV_BR)) && v[CV_BR].resp)
		which = CV_BR;
	else if ((r->want & (1u << CV_GZIP)) && v[CV_GZIP].resp)
		which = CV_GZIP;
	if (etag_matches(r, v[which].etag)) {
		r->status = 304;
		r->answer = answer_304(v[which].etag, cc);
	} else {
		r->sent = v[which].len;
		r->answer = answer_ref(v[which].resp);   /* held past a possible eviction */
	}
	count_view(r);
	if (key) {
		const char **tags = arena_alloc(&r->a, ((size_t)r->ntags + 1) * sizeof *tags);
		for (int i = 0; i < r->ntags; i++)
			tags[i] = r->tags[i];
		tags[r->ntags] = NULL;
		cache_store(key, v, tags, epoch, r->expires ? r->expires : next_midnight());
	} else {
		for (int i = 0; i < CV_COUNT; i++)
			answer_unref(v[i].resp);
	}
}

/* Arms a test fault: "alloc@N" fails the request's Nth allocation, any
 * other kind its Nth database step (core/db); both are counted either way. */
static int
arm_fault(struct req *r, const char *spec)
{
	r->guard.seen = 0;   /* allocations are counted from here */
	if (strncmp(spec, "alloc@", 6) == 0) {
		char *end;
		long n = strtol(spec + 6, &end, 10);
		if (n < 1 || n > 1000000 || *end)
			return -1;
		db_fault_clear();
		alloc_fault_arm(&r->guard, (int)n);
		return 0;
	}
	return db_fault_arm(spec);
}

/* The page cache's answer, on the connection's own thread: true when it
 * answered (a hit, or a 304 for one), with MHD's result in *ret. */
static bool
respond_from_cache(struct req *r, struct MHD_Connection *con, enum MHD_Result *ret)
{
	unsigned acc = compress_accepted(req_header(r, "Accept-Encoding"));
	r->want = ((acc & 1) ? 1u << CV_GZIP : 0) | ((acc & 2) ? 1u << CV_BR : 0);
	r->cache_result = cache_enabled() ? "bypass" : "off";
	r->shared = cache_enabled() && (r->method & (HTTP_GET | HTTP_HEAD)) && !private_request(r);
	/* a hit needs no decoding: a page is kept only under the exact bytes
	 * of a URI that was decoded and found good */
	struct hit h = {r, con, MHD_NO};
	if (r->shared && cache_serve(r->raw_uri, r->want, (int64_t)time(NULL), serve_hit, &h)) {
		r->cache_result = "hit";
		*ret = h.ret;
		return true;
	}
	req_parse_uri(r);
	r->shared &= !r->bad;
	return false;
}

/* Renders r and leaves its response in r->answer (after
 * respond_from_cache missed). */
static void
respond(struct req *r)
{
	const char *key = NULL;
	bool filling = false;
	uint64_t epoch = 0;
	if (r->shared) {
		key = r->raw_uri;
		struct hit h = {r, NULL, MHD_NO};
		/* one render per URL: wait for a render in progress, or become
		 * the renderer; either way look again, since a render may have
		 * been stored since the first look */
		filling = cache_fill_begin(key);
		if (cache_serve(key, r->want, (int64_t)time(NULL), serve_hit, &h)) {
			if (filling)
				cache_fill_end(key);
			r->cache_result = "hit";
			return;
		}
		r->cache_result = "miss";
		epoch = cache_epoch();
	}
	/* tests: a fault armed for this request's database steps, or for its
	 * allocations (alloc@N), alone */
	const char *fault = r->srv->cfg.fault_injection && req_from_loopback(r) ? req_header(r, "Gazette-Fault") : NULL;
	if (fault && arm_fault(r, fault) < 0) {
		resp_text(r, 400, "text/plain; charset=utf-8", "unreadable Gazette-Fault\n");
		fault = NULL;
	} else {
		handle(r);
	}
	if (alloc_failed()) {
		/* memory ran out while it ran, and it stored nothing: whatever it
		 * built is dropped, and the reader may try again shortly */
		log_error("http: out of memory answering %s %s; answered 503", r->method_name, r->path ? r->path : "?");
		resp_error(r, 503);
		resp_header(r, "Retry-After", "5");
		r->cacheable = false;
	}
	if (fault) {   /* how many steps there were to fail: a test sweeps them all */
		resp_header(r, "Gazette-Fault-Steps", arena_printf(&r->a, "%d", db_fault_clear()));
		resp_header(r, "Gazette-Fault-Allocs", arena_printf(&r->a, "%d", alloc_fault_arm(&r->guard, 0)));
	}
	if (!r->status)
		resp_error(r, 500);
	if (r->dbc) {
		db_release(r->dbc);
		r->dbc = NULL;
	}
	make_answer(r, key, epoch);
	if (filling)
		cache_fill_end(key);
}

/* The connection's deadline entry (deadlines.c), kept as its socket context. */
static void *
socket_deadline(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* The time an answer of r->sent bytes may take to be read: no less than
 * 4 KiB a second after the client timeout. */
static double
answer_deadline(const struct req *r)
{
	return deadlines_timeout() + (double)r->sent / 4096;
}

/* Renders r, leaving its response in r->answer (NULL if none could be made). */
static void
render(struct req *r)
{
	r->theme = theme_acquire();
	theme_set_current_for_thread(r->theme);
	respond(r);
	theme_set_current_for_thread(NULL);
}

/* Queues the response render left in r, on the connection's I/O thread;
 * without one, the connection is closed. */
static enum MHD_Result
queue_answer(struct req *r, struct MHD_Connection *con)
{
	struct answer *a = r->answer;
	if (!a)
		return MHD_NO;
	r->answer = NULL;
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)r->status, a->resp);   // NOLINT(clang-analyzer-unix.Malloc): counted, r held a reference
	answer_unref(a);
	deadline_set(socket_deadline(con), answer_deadline(r));
	return ret;
}

/* A render worker's job: the connection waits, suspended, and is resumed
 * with its answer in r; MHD then calls the handler again on the I/O
 * thread, which queues it. r belongs to that thread again once the
 * connection is resumed. */
static void
render_job(struct work *w)
{
	struct req *r = (struct req *)((char *)w - offsetof(struct req, work));
	alloc_guard_enter(&r->guard);
	render(r);
	alloc_guard_leave();
	MHD_resume_connection(r->conn);
}

/* Whether every I/O thread but mine began a request within the last
 * millisecond: under a steady load each one does, over and over, while
 * a thread whose clients are idle, slow or gone does not. */
static bool
others_busy(const struct io_stat *mine, long long now)
{
	unsigned n = atomic_load(&io_stat_n);
	for (unsigned i = 0; i < n; i++) {
		const struct io_stat *st = &io_stats[i];
		if (st != mine && now - atomic_load_explicit(&st->last_begun, memory_order_relaxed) > 1000000)
			return false;
	}
	return true;
}

/* Whether this I/O thread renders r itself rather than hand it to a
 * worker. Only without a page cache: with one, there are hits to keep
 * fast, and a page made for the cache is compressed at two levels to be
 * kept (0.3 ms for the article, against 0.02 ms for one reader). Then
 * for a quick page (server_config.quick: a cheap reader page from a
 * local database, asked without a query), while there are at least as
 * many I/O threads as CPUs and every other one is busy. Each core then
 * already has a thread with work, and a worker would only add the
 * hand-over (a suspend, a resume and two wake-ups; the uncached article
 * at wrk -t2 -c64 cost 45 us of CPU rendered here, against 58 through a
 * worker). While another I/O thread idles, as when every connection came
 * in on one CPU, a worker puts the render on the idle core instead. A
 * slow page (a search, a posted form, a sitemap, a deep page of an
 * archive, anything from PostgreSQL) always goes to a worker: it would
 * stall every connection of this thread; and a thread whose own render
 * took over 10 ms (a cold disk, say; not merely preempted, which under
 * load can hold a render up for a few ms) leaves the next 100 ms of
 * renders to the workers. The other threads' counters are read at most
 * every 250 us, not on every request: on a machine of many cores those
 * reads are cache misses. */
static _Thread_local long long busy_checked, paused_until;   /* monotonic ns */
static _Thread_local bool busy_all;

static bool
render_here(struct req *r)
{
	const struct server *s = r->srv;
	if (!s->cfg.quick || s->n < s->cpus || cache_enabled() || !r->io || r->bad ||
	    !(r->method & (HTTP_GET | HTTP_HEAD)) || core_file(r) != CORE_NONE)
		return false;
	long long now = mono_ns();
	if (now < paused_until)
		return false;
	if (now - busy_checked > 250000 || now < busy_checked) {
		busy_checked = now;
		busy_all = others_busy(r->io, now);
	}
	return busy_all && s->cfg.quick(r);
}

/* Renders r on this I/O thread (render_here said so). */
static void
render_on_io(struct req *r)
{
	long long t0 = mono_ns();
	render(r);
	long long t1 = mono_ns();
	if (t1 - t0 > 10000000)
		paused_until = t1 + 100000000;
	atomic_fetch_add_explicit(&r->io->renders, 1, memory_order_relaxed);
}

static enum MHD_Result
access_step(struct req *r, struct MHD_Connection *con, const char *method,
    const char *upload_data, size_t *upload_size)
{
	if (!r->method_name) {
		/* first call: headers are in; the body (if any) follows, at no
		 * less than 8 KiB a second after the client timeout */
		r->method_name = arena_strdup(&r->a, method);
		r->method = method_of(method);
		const char *cl = req_header(r, "Content-Length");
		double body = cl ? strtod(cl, NULL) / 8192 : 0;
		deadline_set(socket_deadline(con), deadlines_timeout() + (body > 0 && body < 86400 ? body : 0));
		return MHD_YES;
	}
	if (*upload_size) {
		size_t limit = r->srv->cfg.body_limit ? r->srv->cfg.body_limit(r->raw_uri) : 0;
		if (r->body_in.len + *upload_size > (limit ? limit : MAX_BODY))
			r->body_too_large = true;
		else
			buf_raw(&r->body_in, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->answered)   /* called again once a worker's render resumed the connection */
		return queue_answer(r, con);
	r->answered = true;
	void *dl = socket_deadline(con);
	enum MHD_Result ret;
	if (respond_from_cache(r, con, &ret)) {
		deadline_set(dl, answer_deadline(r));
		return ret;
	}
	deadline_set(dl, 0);   /* the handler's time is not the client's */
	/* the rest is a render: a quick one here, without a page cache, while
	 * every I/O thread is busy; else a worker's, while this thread goes on
	 * serving the other connections (a stopping server renders here) */
	if (render_here(r)) {
		render_on_io(r);
		return queue_answer(r, con);
	}
	MHD_suspend_connection(con);
	if (workers_push(r->srv->pool, &r->work))
		return MHD_YES;
	MHD_resume_connection(con);
	render(r);
	return queue_answer(r, con);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct req *r = *req_cls;
	(void)cls;
	(void)url;
	(void)version;
	if (!r)
		return MHD_NO;
	alloc_guard_enter(&r->guard);
	enum MHD_Result ret = access_step(r, con, method, upload_data, upload_size);
	alloc_guard_leave();
	return ret;
}

/* Writes s for a log line: printable ASCII and UTF-8 kept, quotes,
 * backslashes and control bytes escaped, so a request cannot forge lines. */
static void
log_field(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_putc(b, (char)*p);
	}
}

static void
access_log(struct req *r, double secs)
{
	char ts[21];
	utc_iso8601((long long)time(NULL), ts);
	struct buf b = {0};
	buf_printf(&b, "%s access method=%s uri=\"", ts, r->method_name ? r->method_name : "-");
	log_field(&b, r->raw_uri ? r->raw_uri : "");
	buf_printf(&b, "\" status=%d bytes=%zu ms=%.3f cache=%s route=\"", r->status, r->sent, secs * 1000,
	    r->cache_result ? r->cache_result : "-");
	log_field(&b, r->route ? r->route : "-");
	buf_puts(&b, "\"\n");
	fwrite(b.s, 1, b.len, stderr);
	buf_free(&b);
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *req_cls;
	(void)toe;
	/* the next request on this connection: its headers within the timeout */
	deadline_set(socket_deadline(con), deadlines_timeout());
	if (!r)
		return;
	if (r->answered) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double secs = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - r->started;
		metrics_request(r->route ? r->route : "(no route)", r->status, secs);

		if (s->cfg.access_log)
			access_log(r, secs);
	}
	if (s->cfg.request_done)
		s->cfg.request_done(r);
	if (r->dbc)
		db_release(r->dbc);
	answer_unref(r->answer);   /* a render's, when the connection closed before it was queued */
	theme_release(r->theme);
	buf_free(&r->body);
	buf_free(&r->body_in);
	arena_free(&r->a);
	free(r);
	*req_cls = NULL;
	s->inflight--;
}

/* The most connections there may be open over every I/O thread: the
 * threads share one budget of file descriptors, and steering by CPU may
 * give one thread nearly all of them (a network card that takes every
 * connection on one CPU), so no thread has a share of its own. */
static unsigned conn_cap;

/* Connections open over every I/O thread: the sum of each one's count. */
static unsigned
open_conns(void)
{
	unsigned n = atomic_load(&io_stat_n), sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += atomic_load_explicit(&io_stats[i].conns, memory_order_relaxed);
	return sum;
}

/* Connections per remote address (core/limits) and in all: asked before
 * accepting, counted while open. Two threads may both admit the last
 * one; the descriptors kept in reserve (connection_limit) cover that. */
static enum MHD_Result
accept_cb(void *cls, const struct sockaddr *addr, socklen_t len)
{
	(void)cls;
	if (open_conns() >= conn_cap)
		return MHD_NO;
	return limits_conn_admit(addr, len) ? MHD_YES : MHD_NO;
}

static void
connection_cb(void *cls, struct MHD_Connection *con, void **socket_ctx, enum MHD_ConnectionNotificationCode code)
{
	struct io_stat *st = cls;   /* the daemon's, so its thread's */
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		io_mine = st;
		atomic_fetch_add_explicit(&st->conns, 1, memory_order_relaxed);
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_ctx = fi ? deadline_open(fi->connect_fd) : NULL;
	} else {
		atomic_fetch_sub_explicit(&st->conns, 1, memory_order_relaxed);
		deadline_close(*socket_ctx);   /* before libmicrohttpd closes the socket */
		*socket_ctx = NULL;
	}
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		limits_conn_open(ci->client_addr, len);
	else
		limits_conn_close(ci->client_addr, len);
}

/* As many connections as file descriptors allow, up to 16,000: idle
 * keep-alive connections cost a descriptor and a little memory each. */
static unsigned
connection_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 16384) {
		rl.rlim_cur = rl.rlim_max < 16384 ? rl.rlim_max : 16384;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 16000;
	return rl.rlim_cur > 16384 ? 16000 : rl.rlim_cur > 512 ? (unsigned)rl.rlim_cur - 256 : 256;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	log_info("http: %s", msg);
}

/* A new connection goes to the socket (the I/O thread) numbered by the
 * CPU that took its first packet, modulo n, rather than by the kernel's
 * address hash. One busy client thread then feeds one I/O thread, which
 * stays busy and batches its work, instead of two that each run dry and
 * sleep; clients on several CPUs are spread over several I/O threads.
 * (Cached article, 2 cores: wrk -t1 -c32 gave 120,000-127,000 req/s on
 * one thread, the hash 96,000-99,000 on two; wrk -t2 -c64 180,000-205,000
 * on two, the hash 133,000-134,000.) If the kernel refuses the program,
 * the hash stays: slower, never wrong. */
static void
steer_by_cpu(int fd, unsigned n)
{
	struct sock_filter code[] = {
		{BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_CPU)},
		{BPF_ALU | BPF_MOD | BPF_K, 0, 0, n},
		{BPF_RET | BPF_A, 0, 0, 0},
	};
	struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) < 0)
		log_error("I/O threads: connections spread by address hash, not by CPU (%s)", strerror(errno));
}

/* Binds HOST:PORT ("127.0.0.1:8080", "[::1]:8080", ":8080") n times, one
 * listening socket per I/O thread, all in one SO_REUSEPORT group, whose
 * new connections steer_by_cpu spreads. With one socket shared by a
 * thread pool, whichever thread woke first accepted a whole burst of
 * connections, and which one that was decided the run's speed. The
 * address is first bound once without SO_REUSEPORT, so a port held by
 * anyone, another Gazette included, is still refused. */
static int
bind_listen(const char *listen_on, int *fds, unsigned n, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(listen_on, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "--listen %s: expected HOST:PORT", listen_on);
		return -1;
	}
	size_t hl = (size_t)(colon - listen_on);
	if (hl >= sizeof host) {
		snprintf(err, errlen, "--listen %s: host too long", listen_on);
		return -1;
	}
	memcpy(host, listen_on, hl);
	host[hl] = 0;
	char *h = host;
	if (h[0] == '[' && hl > 1 && h[hl - 1] == ']') {
		h[hl - 1] = 0;
		h++;
	}
	struct addrinfo hints = {0}, *ai;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_on, gai_strerror(rc));
		return -1;
	}
	struct sockaddr_storage addr;
	socklen_t alen = ai->ai_addrlen;
	memcpy(&addr, ai->ai_addr, alen);
	int family = ai->ai_family, type = ai->ai_socktype, proto = ai->ai_protocol;
	freeaddrinfo(ai);
	int one = 1;
	unsigned got = 0;
	/* the probe: exclusive, as a single socket would be; it also fixes
	 * the port when the address asked for any (":0") */
	int probe = socket(family, type | SOCK_CLOEXEC, proto);
	if (probe < 0 || setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(probe, (struct sockaddr *)&addr, alen) < 0 || getsockname(probe, (struct sockaddr *)&addr, &alen) < 0)
		goto fail;
	close(probe);
	probe = -1;
	for (; got < n; got++) {
		int fd = socket(family, type | SOCK_CLOEXEC, proto);
		if (fd < 0)
			goto fail;
		fds[got] = fd;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		    (n > 1 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
		    bind(fd, (struct sockaddr *)&addr, alen) < 0 || listen(fd, 1024) < 0) {
			got++;
			goto fail;
		}
	}
	if (n > 1)
		steer_by_cpu(fds[0], n);
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", listen_on, strerror(errno));
	if (probe >= 0)
		close(probe);
	while (got > 0)
		close(fds[--got]);
	return -1;
}

/* Stops the daemons and closes the sockets: a daemon closes its own
 * socket when stopped, unless it was quiesced first (fd -1: it could not
 * be, and the daemon still owns it). */
static void
close_all(struct server *s, bool quiesced)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (s->d[i])
			MHD_stop_daemon(s->d[i]);
		if ((!s->d[i] || quiesced) && s->fd[i] >= 0)
			close(s->fd[i]);
	}
	free(s->d);
	free(s->fd);
}

struct server *
server_start(const struct server_config *cfg, char *err, size_t errlen)
{
	/* a render allocates on a worker thread and its memory is freed on
	 * the I/O thread once sent; with glibc's default, the worker's arena
	 * gives back its top above 128 KiB at such frees, and the next render
	 * faults the same pages in again (20 % of an uncached render's time) */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	struct server *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	unsigned threads = cfg->threads ? cfg->threads : 2;
	unsigned io = cfg->io_threads ? cfg->io_threads : 1;
	if (io > HTTP_IO_MAX)
		io = HTTP_IO_MAX;
	for (unsigned i = 0; i < HTTP_IO_MAX; i++) {
		atomic_store(&io_stats[i].requests, 0);
		atomic_store(&io_stats[i].renders, 0);
		atomic_store(&io_stats[i].conns, 0);
		atomic_store(&io_stats[i].last_begun, 0);
	}
	atomic_store(&io_stat_n, io);
	s->d = xcalloc(io, sizeof *s->d);
	s->fd = xcalloc(io, sizeof *s->fd);
	cache_init(cfg->cache_bytes, answer_unref);
	if (bind_listen(cfg->listen, s->fd, io, err, errlen) < 0) {
		cache_shutdown();
		free(s->d);
		free(s->fd);
		free(s);
		return NULL;
	}
	s->n = io;
	cpu_set_t cs;
	s->cpus = sched_getaffinity(0, sizeof cs, &cs) == 0 && CPU_COUNT(&cs) > 0 ? (unsigned)CPU_COUNT(&cs) : 1;
	s->pool = workers_start(threads, render_job);
	if (!s->pool) {
		snprintf(err, errlen, "cannot start the render workers");
		close_all(s, false);
		cache_shutdown();
		free(s);
		return NULL;
	}
	limits_init(threads, cfg->costly_share, cfg->per_ip);
	unsigned timeout = cfg->client_timeout ? cfg->client_timeout : 30;
	deadlines_start(timeout);
	/* one single-threaded daemon per listening socket, each allowed the
	 * whole connection limit: accept_cb keeps the sum under it */
	unsigned limit = connection_limit();
	conn_cap = limit;
	for (unsigned i = 0; i < io; i++) {
		s->d[i] = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME,
		    0, accept_cb, NULL,
		    access_cb, s,
		    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->fd[i],
		    MHD_OPTION_URI_LOG_CALLBACK, uri_log, s,
		    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)24576,   /* 8 KB cookies fit; MHD clears the pool per request */
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)timeout,
		    MHD_OPTION_CONNECTION_LIMIT, limit > 16 ? limit : 16,
		    MHD_OPTION_NOTIFY_CONNECTION, connection_cb, &io_stats[i],
		    MHD_OPTION_END);
		if (!s->d[i]) {
			snprintf(err, errlen, "cannot start the HTTP server on %s", cfg->listen);
			workers_stop(s->pool);   /* before any daemon stops: none may hold a suspended connection */
			close_all(s, false);
			workers_free(s->pool);
			deadlines_stop();
			cache_shutdown();
			free(s);
			return NULL;
		}
	}
	return s;
}

void
server_stop(struct server *s)
{
	if (!s)
		return;
	/* each listening socket becomes ours to close; if a daemon cannot
	 * give its up, stopping it closes it */
	for (unsigned i = 0; i < s->n; i++)
		if (MHD_quiesce_daemon(s->d[i]) == MHD_INVALID_SOCKET)
			s->fd[i] = -1;
	/* let requests in flight finish (up to 10 s); idle keep-alive
	 * connections are not waited for */
	for (int i = 0; i < 1000 && s->inflight > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* every render handed over runs to its end and resumes its
	 * connection: a daemon must not stop with one suspended. Until the
	 * daemons stop, kept-alive connections still ask: the stopped pool
	 * refuses them, and they are rendered on their own thread. */
	workers_stop(s->pool);
	close_all(s, true);
	workers_free(s->pool);
	deadlines_stop();
	/* the cache outlives the server: background jobs (the scheduler, the
	 * invalidation poller) may still invalidate until they stop, and the
	 * caller shuts it down after them with cache_shutdown() */
	free(s);
}
