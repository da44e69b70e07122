/* http.c: libmicrohttpd glue. Owns the listening socket, the worker
 * threads, per-request state (struct req and its arena), URI decoding and
 * validation, security headers, static theme files, and turning a struct
 * req's response into an MHD response.
 *
 * DESIGN: the raw request URI is taken from MHD's URI log callback (which
 * also allocates the request), and decoded here rather than by MHD: a %00
 * or invalid UTF-8 must be refused with 400, not silently truncated.
 * Responses are queued on the second access-handler call (MHD 0.9.75 turns
 * keep-alive off when a response is queued in the first). */
#include "http.h"
#include "db.h"
#include "log.h"
#include "router.h"
#include "theme.h"
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_URI 4096
#define MAX_BODY (1024 * 1024)

struct server {
	struct server_config cfg;
	struct MHD_Daemon *d;
	int fd;
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

struct db_conn *
req_db(struct req *r)
{
	if (!r->dbc)
		r->dbc = db_acquire(r->srv->cfg.db);
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
	const char *p = q + 1;
	while (*p && *p != '#') {
		const char *amp = p;
		while (*amp && *amp != '&' && *amp != '#')
			amp++;
		const char *eq = memchr(p, '=', (size_t)(amp - p));
		if (amp > p) {
			if (r->nquery == REQ_MAX_QUERY) {
				r->bad = 400;
				return;
			}
			const char *ke = eq ? eq : amp;
			char *k = arena_alloc(&r->a, (size_t)(ke - p) + 1);
			char *v = arena_alloc(&r->a, eq ? (size_t)(amp - eq) : 1);
			if (url_decode(k, p, (size_t)(ke - p), true) < 0 ||
			    (eq ? url_decode(v, eq + 1, (size_t)(amp - eq - 1), true) : (v[0] = 0)) < 0) {
				r->bad = 400;
				return;
			}
			r->query[r->nquery].k = k;
			r->query[r->nquery].v = v;
			r->nquery++;
		}
		p = *amp == '&' ? amp + 1 : amp;
	}
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

static void
serve_static(struct req *r)
{
	const struct static_file *f = theme_file(r->theme, r->path + 8);  /* after "/static/" */
	if (!f) {
		resp_error(r, 404);
		return;
	}
	const char *v = req_query(r, "v");
	resp_header(r, "ETag", f->etag);
	/* a versioned URL names these exact bytes forever */
	resp_header(r, "Cache-Control", v && strcmp(v, f->version) == 0 ? "public, max-age=31536000, immutable" : "public, max-age=300, must-revalidate");
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, f->etag)) {
		r->status = 304;
		r->content_type = NULL;
		return;
	}
	r->status = 200;
	r->content_type = f->type;
	buf_raw(&r->body, f->data, f->len);
}

static void
handle(struct req *r)
{
	req_parse_uri(r);
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
	if (strncmp(r->path, "/static/", 8) == 0 && (r->method & (HTTP_GET | HTTP_HEAD))) {
		serve_static(r);
		return;
	}
	r->srv->cfg.dispatch(r);
}

/* Called by MHD with the raw URI before anything else: allocates the
 * request. Its return value becomes the connection's *req_cls. */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct server *s = cls;
	struct req *r = xcalloc(1, sizeof *r);
	s->inflight++;
	arena_init(&r->a, 16384);
	r->srv = s;
	r->conn = con;
	r->raw_uri = arena_strdup(&r->a, uri ? uri : "");
	return r;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct server *s = cls;
	struct req *r = *req_cls;
	(void)url;
	(void)version;
	if (!r)
		return MHD_NO;
	if (!r->method_name) {
		/* first call: headers are in; the body (if any) follows */
		r->method_name = arena_strdup(&r->a, method);
		r->method = method_of(method);
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body_in.len + *upload_size > MAX_BODY)
			r->body_too_large = true;
		else
			buf_raw(&r->body_in, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->status)   /* already answered */
		return MHD_YES;
	r->theme = theme_acquire();
	theme_set_current_for_thread(r->theme);
	handle(r);
	if (!r->status)
		resp_error(r, 500);
	theme_set_current_for_thread(NULL);
	if (r->dbc) {
		db_release(r->dbc);
		r->dbc = NULL;
	}
	size_t len;
	char *body = buf_detach(&r->body, &len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].k, r->headers[i].v);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	(void)s;
	return ret;
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *req_cls;
	(void)con;
	(void)toe;
	if (!r)
		return;
	if (s->cfg.request_done)
		s->cfg.request_done(r);
	if (r->dbc)
		db_release(r->dbc);
	theme_release(r->theme);
	buf_free(&r->body);
	buf_free(&r->body_in);
	arena_free(&r->a);
	free(r);
	*req_cls = NULL;
	s->inflight--;
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

/* Binds HOST:PORT ("127.0.0.1:8080", "[::1]:8080", ":8080"). */
static int
bind_listen(const char *listen_on, char *err, size_t errlen)
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
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

struct server *
server_start(const struct server_config *cfg, char *err, size_t errlen)
{
	struct server *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->fd = bind_listen(cfg->listen, err, errlen);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	unsigned threads = cfg->threads ? cfg->threads : 2;
	s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC, 0, NULL, NULL,
	    access_cb, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, s,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000,
	    MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot start the HTTP server on %s", cfg->listen);
		close(s->fd);
		free(s);
		return NULL;
	}
	return s;
}

void
server_stop(struct server *s)
{
	if (!s)
		return;
	MHD_socket fd = MHD_quiesce_daemon(s->d);
	/* let requests in flight finish (up to 10 s); idle keep-alive
	 * connections are not waited for */
	for (int i = 0; i < 1000 && s->inflight > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free(s);
}
