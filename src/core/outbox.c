/* outbox.c: the email outbox: queueing inside a caller's transaction,
 * composing MIME (UTF-8 text, one attachment, RFC 2047 subjects), and the
 * worker that leases due rows, sends them through libcurl's SMTP or writes
 * .eml files, and retries with doubling delays. It does not decide what
 * to send: features write the rows. */
#include "outbox.h"
#include "arena.h"
#include "buf.h"
#include "log.h"
#include "text.h"
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEASE_SECONDS 120
#define BATCH 20

int
outbox_add(struct db_conn *c, const char *to, const char *subject, const char *body,
    const char *attach_name, const char *attach_type, const char *attach)
{
	char hex[25];
	random_hex(hex, 12);
	long long now = (long long)time(NULL);
	char mid[64];
	snprintf(mid, sizeof mid, "%lld.%s@gazette", now, hex);
	return db_exec(c, "INSERT INTO outbox (to_addr, subject, body, attach_name, attach_type, attach, message_id, created_at, next_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssssssii", to, subject, body, attach_name ? attach_name : "",
	    attach_type ? attach_type : "", attach ? attach : "", mid, now, now) == 1 ? 0 : -1;
}

/* ---- composing ----------------------------------------------------------- */

static bool
ascii_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static void
base64_lines(struct buf *b, const char *s, size_t n)
{
	/* 57 input bytes make one 76-character line */
	for (size_t i = 0; i < n; i += 57) {
		size_t k = n - i < 57 ? n - i : 57;
		char line[80];
		sodium_bin2base64(line, sizeof line, (const unsigned char *)s + i, k, sodium_base64_VARIANT_ORIGINAL);
		buf_puts(b, line);
		buf_puts(b, "\r\n");
	}
}

/* A header value without CR or LF (no header can be injected), encoded as
 * RFC 2047 words when it is not plain ASCII. */
static void
header(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, name);
	buf_puts(b, ": ");
	struct buf clean = {0};
	for (const char *p = value; *p; p++)
		buf_putc(&clean, *p == '\r' || *p == '\n' ? ' ' : *p);
	const char *v = clean.s ? clean.s : "";
	if (ascii_plain(v))
		buf_puts(b, v);
	else {
		/* encoded words of at most 45 input bytes, cut on character boundaries */
		size_t n = strlen(v);
		for (size_t i = 0; i < n;) {
			size_t k = n - i < 45 ? n - i : 45;
			while (k < n - i && ((unsigned char)v[i + k] & 0xc0) == 0x80)
				k--;
			char enc[80];
			sodium_bin2base64(enc, sizeof enc, (const unsigned char *)v + i, k, sodium_base64_VARIANT_ORIGINAL);
			buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
			i += k;
		}
	}
	buf_puts(b, "\r\n");
	buf_free(&clean);
}

static char *
compose(const struct mail_config *cfg, const char *to, const char *subject, const char *body, const char *mid,
    long long created, const char *an, const char *at, const char *attach)
{
	struct buf b = {0};
	char date[64];
	time_t t = (time_t)created;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	header(&b, "From", cfg->from);
	header(&b, "To", to);
	header(&b, "Subject", subject);
	header(&b, "Date", date);
	buf_printf(&b, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", mid);
	char bound[17];
	random_hex(bound, 8);
	if (*an) {
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"gz-%s\"\r\n\r\n--gz-%s\r\n", bound, bound);
	}
	buf_puts(&b, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	base64_lines(&b, body, strlen(body));
	if (*an) {
		buf_printf(&b, "\r\n--gz-%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n", bound, at);
		buf_printf(&b, "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n", an);
		base64_lines(&b, attach, strlen(attach));
		buf_printf(&b, "\r\n--gz-%s--\r\n", bound);
	}
	return buf_detach(&b, NULL);
}

/* ---- sending ---------------------------------------------------------- */

struct upload {
	const char *s;
	size_t len, at;
};

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nmemb, left = u->len - u->at;
	size_t n = left < room ? left : room;
	memcpy(ptr, u->s + u->at, n);
	u->at += n;
	return n;
}

/* The bare address in "Name <addr>" or "addr". */
static void
address_of(const char *s, char *out, size_t n)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt)
		snprintf(out, n, "<%.*s>", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, n, "<%s>", s);
}

static int
send_smtp(const struct mail_config *cfg, const char *to, const char *msg, char *err, size_t errlen)
{
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	char from[320], rcpt[320];
	address_of(cfg->from, from, sizeof from);
	address_of(to, rcpt, sizeof rcpt);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	struct upload u = {msg, strlen(msg), 0};
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -1;
}

static int
write_eml(const struct mail_config *cfg, long long id, const char *msg, char *err, size_t errlen)
{
	char path[4096], tmp[4200];
	if (mkdir(cfg->dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%.200s: %s", cfg->dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/%08lld.eml", cfg->dir, id);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%.200s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t n = strlen(msg);
	bool ok = fwrite(msg, 1, n, f) == n && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%.200s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
outbox_run(struct db *db, const struct mail_config *cfg)
{
	struct db_conn *c = db_acquire(db);
	long long now = (long long)time(NULL);
	long long ids[BATCH], nexts[BATCH];
	int n = 0, sent = 0;
	struct db_stmt *st = db_query(c, "SELECT id, next_at FROM outbox WHERE sent_at IS NULL AND next_at <= ? ORDER BY id LIMIT ?",
	    "id", now, BATCH);
	while (db_row(st) && n < BATCH) {
		ids[n] = db_int(st, 0);
		nexts[n] = db_int(st, 1);
		n++;
	}
	if (db_done(st) < 0) {
		db_release(c);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		/* the lease: whoever moves next_at first sends this one */
		if (db_exec(c, "UPDATE outbox SET next_at = ?, attempts = attempts + 1 WHERE id = ? AND next_at = ? AND sent_at IS NULL",
			"iii", now + LEASE_SECONDS, ids[i], nexts[i]) != 1)
			continue;
		struct arena a = {0};
		st = db_query(c, "SELECT to_addr, subject, body, attach_name, attach_type, attach, message_id, created_at, attempts "
		    "FROM outbox WHERE id = ?", "i", ids[i]);
		if (!db_row(st)) {
			db_done(st);
			arena_free(&a);
			continue;
		}
		const char *to = db_atext(st, 0, &a), *subject = db_atext(st, 1, &a), *body = db_atext(st, 2, &a);
		const char *an = db_atext(st, 3, &a), *at = db_atext(st, 4, &a), *attach = db_atext(st, 5, &a);
		const char *mid = db_atext(st, 6, &a);
		long long created = db_int(st, 7), attempts = db_int(st, 8);
		db_done(st);
		char *msg = compose(cfg, to, subject, body, mid, created, an, at, attach);
		char err[256] = "";
		int rc = cfg->smtp_url ? send_smtp(cfg, to, msg, err, sizeof err) : write_eml(cfg, ids[i], msg, err, sizeof err);
		free(msg);
		long long later = (long long)time(NULL);
		if (rc == 0) {
			db_exec(c, "UPDATE outbox SET sent_at = ?, last_error = '' WHERE id = ?", "ii", later, ids[i]);
			sent++;
		} else {
			long long delay = cfg->retry_seconds > 0 ? cfg->retry_seconds : 5;
			for (long long k = 1; k < attempts && delay < 3600; k++)
				delay *= 2;
			if (delay > 3600)
				delay = 3600;
			db_exec(c, "UPDATE outbox SET next_at = ?, last_error = ? WHERE id = ?", "isi", later + delay, err, ids[i]);
			log_error("mail %lld to %s not sent (attempt %lld, next in %lld s): %s", ids[i], to, attempts, delay, err);
		}
		arena_free(&a);
	}
	db_release(c);
	return sent;
}

static struct {
	struct db *db;
	struct mail_config cfg;
	pthread_t th;
	_Atomic bool stop;
	bool running;
} W;

static void *
worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&W.stop)) {
		int n;
		do
			n = outbox_run(W.db, &W.cfg);
		while (n == BATCH && !atomic_load(&W.stop));
		for (int i = 0; i < 5 && !atomic_load(&W.stop); i++) {
			struct timespec ts = {0, 200 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

void
outbox_start(struct db *db, const struct mail_config *cfg)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	W.db = db;
	W.cfg = *cfg;
	atomic_store(&W.stop, false);
	W.running = pthread_create(&W.th, NULL, worker, NULL) == 0;
	if (!W.running)
		log_error("outbox: cannot start the mail worker");
}

void
outbox_stop(void)
{
	if (!W.running)
		return;
	atomic_store(&W.stop, true);
	pthread_join(W.th, NULL);
	W.running = false;
	curl_global_cleanup();
}
