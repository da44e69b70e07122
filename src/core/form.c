/* form.c: urlencoded pairs (query strings and form bodies), cookies and
 * Set-Cookie. Owns the decoding rules for reader input outside the path:
 * every value it hands out is valid UTF-8 without NUL. It does not judge
 * what the values mean: handlers validate their own fields. */
#include "form.h"
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

static bool secure_cookies;

void form_secure_cookies(bool on) { secure_cookies = on; }

int
kv_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kv *out, int max)
{
	const char *p = s, *end = s + n;
	int count = 0;
	while (p < end && *p != '#') {
		const char *amp = p;
		while (amp < end && *amp != '&' && *amp != '#')
			amp++;
		if (amp > p) {
			if (count == max)
				return -2;
			const char *eq = memchr(p, '=', (size_t)(amp - p));
			const char *ke = eq ? eq : amp;
			char *k = arena_alloc(a, (size_t)(ke - p) + 1);
			char *v = arena_alloc(a, eq ? (size_t)(amp - eq) : 1);
			if (url_decode(k, p, (size_t)(ke - p), true) < 0)
				return -1;
			if (eq) {
				if (url_decode(v, eq + 1, (size_t)(amp - eq - 1), true) < 0)
					return -1;
			} else
				v[0] = 0;
			out[count].k = k;
			out[count].v = v;
			count++;
		}
		p = amp < end && *amp == '&' ? amp + 1 : amp;
	}
	return count;
}

#define MAX_FILES 4

struct mp {
	struct req *r;
	struct buf fields[FORM_MAX_FIELDS], files[MAX_FILES];
	bool bad;
};

/* libmicrohttpd hands each part over in pieces: a piece at offset 0
 * starts a field or a file, later pieces continue the last one. */
static enum MHD_Result
mp_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct mp *m = cls;
	struct req *r = m->r;
	(void)kind;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (filename) {
		if (off == 0) {
			if (r->nfiles == MAX_FILES) {
				m->bad = true;
				return MHD_NO;
			}
			struct req_file *f = &r->files[r->nfiles++];
			f->field = arena_strdup(&r->a, key);
			f->filename = arena_strdup(&r->a, filename);
			f->content_type = arena_strdup(&r->a, content_type ? content_type : "");
		}
		buf_raw(&m->files[r->nfiles - 1], data, size);
		return MHD_YES;
	}
	if (off == 0) {
		if (r->nform == FORM_MAX_FIELDS) {
			m->bad = true;
			return MHD_NO;
		}
		r->form[r->nform].k = arena_strdup(&r->a, key);
		r->nform++;
	}
	buf_raw(&m->fields[r->nform - 1], data, size);
	return MHD_YES;
}

static int
multipart_parse(struct req *r)
{
	struct mp *m = xcalloc(1, sizeof *m);
	m->r = r;
	r->form = arena_alloc(&r->a, FORM_MAX_FIELDS * sizeof *r->form);
	r->files = arena_alloc(&r->a, MAX_FILES * sizeof *r->files);
	struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 65536, mp_part, m);
	int status = 0;
	if (!pp || MHD_post_process(pp, r->body_in.s ? r->body_in.s : "", r->body_in.len) != MHD_YES || m->bad)
		status = 400;
	if (pp)
		MHD_destroy_post_processor(pp);
	for (int i = 0; i < r->nform; i++) {
		const char *v = m->fields[i].s ? m->fields[i].s : "";
		size_t n = m->fields[i].len;
		/* text fields follow the urlencoded rules: UTF-8, no NUL */
		if (!utf8_valid(v, n) || memchr(v, 0, n))
			status = 400;
		r->form[i].v = arena_strndup(&r->a, v, n);
	}
	for (int i = 0; i < r->nfiles; i++) {
		r->files[i].data = m->files[i].s ? arena_strndup(&r->a, m->files[i].s, m->files[i].len) : "";
		r->files[i].len = m->files[i].len;
	}
	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		buf_free(&m->fields[i]);
	for (int i = 0; i < MAX_FILES; i++)
		buf_free(&m->files[i]);
	free(m);
	if (status)
		r->nform = r->nfiles = 0;
	return status;
}

const struct req_file *
req_file(struct req *r, const char *field)
{
	if (req_form_parse(r) != 0)
		return NULL;
	for (int i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].field, field) == 0)
			return &r->files[i];
	return NULL;
}

int
req_form_parse(struct req *r)
{
	if (r->form_done)
		return r->form_status;
	r->form_done = true;
	if (r->body_too_large)
		return r->form_status = 413;
	const char *ct = req_header(r, "Content-Type");
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0 && (ct[19] == ';' || ct[19] == ' '))
		return r->form_status = multipart_parse(r);
	size_t ctl = strlen("application/x-www-form-urlencoded");
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", ctl) != 0 || (ct[ctl] && ct[ctl] != ';'))
		return r->form_status = r->body_in.len || ct ? 415 : 0;
	r->form = arena_alloc(&r->a, FORM_MAX_FIELDS * sizeof *r->form);
	int n = kv_parse_urlencoded(&r->a, r->body_in.s ? r->body_in.s : "", r->body_in.len, r->form, FORM_MAX_FIELDS);
	if (n < 0)
		return r->form_status = 400;
	/* a '#' is not a separator in a body: refuse rather than cut there */
	if (r->body_in.len && memchr(r->body_in.s, '#', r->body_in.len))
		return r->form_status = 400;
	r->nform = n;
	return 0;
}

const char *
req_form(struct req *r, const char *key)
{
	if (req_form_parse(r) != 0)
		return NULL;
	for (int i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].k, key) == 0)
			return r->form[i].v;
	return NULL;
}

const char *
cookie_value(struct arena *a, const char *header, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t vl = len - nl - 1;
			for (size_t i = 0; i < vl; i++)
				if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f || v[i] == '"' || v[i] == '\\')
					return NULL;
			char *out = arena_alloc(a, vl + 1);
			memcpy(out, v, vl);
			out[vl] = 0;
			return out;
		}
		p = semi ? semi + 1 : p + len;
	}
	return NULL;
}

const char *
req_cookie(struct req *r, const char *name)
{
	return cookie_value(&r->a, req_header(r, "Cookie"), name);
}

void
resp_cookie(struct req *r, const char *name, const char *value, const char *path, long max_age)
{
	char age[48] = "";
	if (max_age > 0)
		snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
	else if (max_age < 0)
		snprintf(age, sizeof age, "; Max-Age=0");
	resp_header(r, "Set-Cookie", arena_printf(&r->a, "%s=%s; Path=%s%s; HttpOnly; SameSite=Lax%s", name,
	    max_age < 0 ? "" : value, path, age, secure_cookies ? "; Secure" : ""));
}
