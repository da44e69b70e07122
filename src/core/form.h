/* form.h: what a reader sends besides the URL: urlencoded form bodies and
 * cookies, decoded and checked (valid UTF-8, no NUL), and Set-Cookie.
 * Only this file and core/http read those bytes. */
#ifndef GZ_FORM_H
#define GZ_FORM_H
#include "http.h"

#define FORM_MAX_FIELDS 128   /* a moderation page sends one per comment */

/* Splits "k=v&k2=v2" (s[0..n), up to a '#') into out, percent-decoding
 * with '+' as space. Returns the number of pairs, -1 on a bad escape, NUL
 * or invalid UTF-8, -2 when there are more than max. */
int kv_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kv *out, int max);

/* Decodes the POST body once (application/x-www-form-urlencoded, or
 * multipart/form-data through libmicrohttpd's post processor); 0, or the
 * status to answer: 400 (malformed), 413 (too large), 415 (another
 * content type). */
int req_form_parse(struct req *r);
const char *req_form(struct req *r, const char *key);   /* NULL if absent */

/* A file of a multipart body: the bytes as sent (in the request arena). */
struct req_file {
	const char *field, *filename, *content_type;   /* content_type: what the browser claims */
	const char *data;
	size_t len;
};
const struct req_file *req_file(struct req *r, const char *field);   /* NULL if absent */

/* The value of cookie name, NULL if absent or not printable ASCII. */
const char *req_cookie(struct req *r, const char *name);
/* The same from a Cookie header's text (NULL: none), copied into a. */
const char *cookie_value(struct arena *a, const char *header, const char *name);

/* Adds Set-Cookie: name=value; Path=path; Max-Age=max_age (0: a session
 * cookie, <0: delete it); HttpOnly; SameSite=Lax, and Secure when the site
 * is served over https (form_secure_cookies). value must be cookie-safe
 * (the tokens Gazette makes: hex, base64url). */
void resp_cookie(struct req *r, const char *name, const char *value, const char *path, long max_age);
void form_secure_cookies(bool on);

#endif
