/* fuzz_multipart.c: multipart/form-data bodies (uploads) as the server
 * decodes them: libmicrohttpd's post processor feeding core/form's parts.
 * The post processor wants a real connection, so the target runs a small
 * libmicrohttpd daemon on loopback and sends each input as one POST.
 * The input's first line, when short, is the boundary (cleaned to the
 * characters a boundary may have), the rest the body. Properties: never a
 * crash; a decoded body has at most its limits of fields and files, every
 * text field is valid UTF-8 without NUL, a file's bytes are within the
 * body's length; a refused body keeps no fields. */
#include "fuzz.h"
#include "form.h"
#include "http.h"
#include "buf.h"
#include <signal.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static struct MHD_Daemon *daemon_;
static uint16_t port;

static void
check(struct req *r)
{
	int st = req_form_parse(r);
	FUZZ_ASSERT(st == 0 || st == 400 || st == 413 || st == 415);
	if (st) {
		FUZZ_ASSERT(r->nform == 0 && r->nfiles == 0);
		return;
	}
	FUZZ_ASSERT(r->nform >= 0 && r->nform <= FORM_MAX_FIELDS);
	FUZZ_ASSERT(r->nfiles >= 0 && r->nfiles <= 4);
	for (int i = 0; i < r->nform; i++) {
		FUZZ_ASSERT(r->form[i].k && r->form[i].v);
		FUZZ_ASSERT(utf8_valid(r->form[i].v, strlen(r->form[i].v)));
	}
	for (int i = 0; i < r->nfiles; i++) {
		FUZZ_ASSERT(r->files[i].field && r->files[i].filename && r->files[i].data);
		FUZZ_ASSERT(r->files[i].len <= r->body_in.len);
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_size, void **req_cls)
{
	(void)cls, (void)url, (void)method, (void)version;
	struct req *r = *req_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		arena_init(&r->a, 8192);
		r->conn = con;
		*req_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body_in.len + *upload_size > (1u << 20))
			r->body_too_large = true;
		else
			buf_raw(&r->body_in, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	check(r);
	struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(con, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
on_done(void *cls, struct MHD_Connection *con, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)con, (void)toe;
	struct req *r = *req_cls;
	if (!r)
		return;
	buf_free(&r->body_in);
	arena_free(&r->a);
	free(r);
	*req_cls = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	signal(SIGPIPE, SIG_IGN);   /* the daemon may answer and close before the body is all sent */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		abort();
	port = ntohs(sa.sin_port);
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
	if (!daemon_)
		abort();
	return 0;
}

/* One request on a fresh connection; true when an answer came back. */
static bool
post_once(const char *head, size_t hn, const uint8_t *data, size_t size, char *buf, size_t cap)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = -1;
	/* the machine's own limits (ports, backlog) are no finding: wait them out */
	for (int i = 0; i < 200 && fd < 0; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
			close(fd);
			fd = -1;
			usleep(10000);
		}
	}
	if (fd < 0) {
		perror("fuzz-multipart: connect");
		abort();
	}
	/* closed with a reset once read: no TIME_WAIT piling up at 4,000 a second */
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	bool ok = write(fd, head, hn) == (ssize_t)hn;
	for (size_t off = 0; ok && off < size;) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	/* the answer's head and its Content-Length of body; then this side
	 * closes, with a reset, so that no side keeps a TIME_WAIT */
	size_t got = 0, want = 0;
	for (ssize_t n; got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0;) {
		got += (size_t)n;
		buf[got] = 0;
		const char *end = strstr(buf, "\r\n\r\n");
		const char *cl = strcasestr(buf, "\r\nContent-Length:");
		if (end && cl && cl < end)
			want = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
		if (end && (!cl || cl > end))
			break;   /* no length: the head is enough */
		if (want && got >= want)
			break;
	}
	buf[got] = 0;
	close(fd);
	return got >= 9;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the boundary: the first line when it is 1..70 bytes, else fixed */
	char boundary[72] = "gz-fuzz-boundary";
	const uint8_t *nl = memchr(data, '\n', size < 71 ? size : 71);
	if (nl && nl > data) {
		size_t n = 0;
		for (const uint8_t *p = data; p < nl; p++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ", *p) && *p)
				boundary[n++] = (char)*p;
		boundary[n] = 0;
		if (!n)
			strcpy(boundary, "gz-fuzz-boundary");
		size -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	char head[256];
	int hn = snprintf(head, sizeof head, "POST /admin/media HTTP/1.1\r\nHost: fuzz\r\n"
	    "Content-Type: multipart/form-data; boundary=\"%s\"\r\nContent-Length: %zu\r\n\r\n", boundary, size);
	/* the daemon answers (200 from the check, or its own 4xx for a request
	 * it refused before us): it is alive. A parsing fault is the same on
	 * every try; a loaded machine's lost connection is not, so once more */
	char buf[512];
	for (int attempt = 0; attempt < 3 && !post_once(head, (size_t)hn, data, size, buf, sizeof buf); attempt++)
		;
	FUZZ_ASSERT(strncmp(buf, "HTTP/1.1 ", 9) == 0);
	return 0;
}
