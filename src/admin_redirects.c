/* admin_redirects.c: the redirect table by hand: the old addresses that
 * answer 301 (left by renames and merges, by the WordPress import, or
 * typed here), newest first with a filter and counts; add one (or give an
 * old address a new target), change where one goes, delete one.
 *
 * DESIGN: the table has no id: a redirect is keyed by its from_path, which
 * each row's forms send back in a hidden field. Both addresses are checked
 * here before anything is stored. The old address is a decoded path, as
 * requests are matched (core/http refuses "//", dot segments and
 * backslashes, so such a path could never be asked for), or WordPress's
 * "/?p=N" / "/?page_id=N" that root_page answers. The new one goes out in
 * a Location header, so it is a local path only: one "/" first, never
 * "//host", "/\host" or a scheme (no open redirect), no spaces or control
 * bytes, non-ASCII percent-encoded. No redirect may come back to itself
 * through the chain its target starts, nor start a chain longer than
 * CHAIN_MAX. The renames keep their own bookkeeping (redirect_add, which
 * also retargets what pointed at the old address); this file must not
 * reach into it, nor into the features whose addresses it redirects.
 * It names no cache tags: 301 and 404 answers never enter the page cache
 * (core/http keeps only 200s and sends the others no-store), so the next
 * request on every node sees a change. */
#include "admin.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REDIRECTS_PAGE 50
#define REDIRECT_PATH_MAX 1000   /* bytes, as stored */
#define CHAIN_MAX 10             /* redirects one may lead through; browsers give up near 20 */
#define QUERY_MAX_CHARS 200

/* ---- checking addresses ---------------------------------------------------------------- */

/* Leading and trailing ASCII blanks go (a pasted address); "" for NULL. */
static const char *
trimmed(struct arena *a, const char *s)
{
	if (!s)
		return "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

/* WordPress's "/?p=123" and "/?page_id=123", as root_page looks them up. */
static bool
wp_address(const char *s)
{
	const char *d = strncmp(s, "/?p=", 4) == 0 ? s + 4 : strncmp(s, "/?page_id=", 10) == 0 ? s + 10 : NULL;
	size_t n = d ? strlen(d) : 0;
	return n >= 1 && n < 20 && strspn(d, "0123456789") == n;
}

/* No ASCII blank or control byte, no backslash, and none of the Unicode
 * controls, spaces and direction overrides (s is valid UTF-8). */
static bool
chars_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned c = *p;
		if (c < 0x80) {
			if (c <= 0x20 || c == 0x7f || c == '\\')
				return false;
			p++;
			continue;
		}
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		unsigned cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
		for (size_t k = 1; k < len; k++) {
			if (!p[k])
				return false;
			cp = cp << 6 | (p[k] & 0x3fu);
		}
		if (cp <= 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
		    cp == 0x205f || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x3000 || cp == 0xfeff)
			return false;
		p += len;
	}
	return true;
}

/* A decoded path a request can name: no empty, "." or ".." segment, no
 * control byte or backslash (core/http answers 400 to those). */
static bool
path_reachable(const char *d)
{
	for (const char *s = d; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return false;
		if (*s == '/' && (s[1] == '/' || (s[1] == '.' && (s[2] == '/' || !s[2] || (s[2] == '.' && (s[3] == '/' || !s[3]))))))
			return false;
	}
	return true;
}

/* What a request for the address to is looked up by: the path decoded,
 * without query or fragment; a WordPress address whole. NULL when it does
 * not decode. */
static const char *
target_key(struct arena *a, const char *to)
{
	if (wp_address(to))
		return to;
	size_t n = strcspn(to, "?#");
	char *d = arena_alloc(a, n + 1);
	return url_decode(d, to, n, false) < 0 ? NULL : d;
}

/* The old address as typed → as stored (percent-escapes decoded, as the
 * requests it must match are) in *out; NULL, or the message saying why not. */
static const char *
from_check(struct arena *a, const char *in, const char **out)
{
	*out = in;
	if (!*in)
		return _("Please give the old address, starting with /.");
	if (in[0] != '/')
		return _("The old address must be a path on this site starting with / (such as /2019/05/old-story/), not a full URL.");
	if (strlen(in) > REDIRECT_PATH_MAX)
		return _("The old address may be at most 1,000 bytes long.");
	if (wp_address(in))
		return NULL;
	if (strpbrk(in, "?#"))
		return _("The old address cannot hold a query or a fragment (? or #), except WordPress's /?p=123 and /?page_id=123.");
	if (!chars_ok(in))
		return _("The old address cannot hold spaces, control characters or backslashes.");
	size_t n = strlen(in);
	char *d = arena_alloc(a, n + 1);
	if (url_decode(d, in, n, false) < 0)
		return _("The old address has a broken percent-escape.");
	if (!chars_ok(d))
		return _("The old address cannot hold spaces, control characters or backslashes.");
	if (!path_reachable(d))
		return _("The old address cannot hold an empty, .. or . segment: no request would ever reach it.");
	*out = d;
	return NULL;
}

/* The new address as typed → as stored (non-ASCII percent-encoded: it goes
 * out in a Location header) in *out, and what it is looked up by in *key;
 * NULL, or the message saying why not. */
static const char *
to_check(struct arena *a, const char *in, const char **out, const char **key)
{
	*out = in;
	*key = NULL;
	if (!*in)
		return _("Please give the new address, starting with /.");
	if (in[0] != '/' || in[1] == '/' || in[1] == '\\')
		return _("The new address must be a path on this site: a single / first, no scheme (https:) and no host (//).");
	if (!chars_ok(in))
		return _("The new address cannot hold spaces, control characters or backslashes.");
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p >= 0x80)
			buf_printf(&b, "%%%02X", *p);
		else
			buf_putc(&b, (char)*p);
	}
	const char *enc = arena_strndup(a, b.s, b.len);
	buf_free(&b);
	if (strlen(enc) > REDIRECT_PATH_MAX)
		return _("The new address may be at most 1,000 bytes long.");
	const char *k = target_key(a, enc);
	if (!k)
		return _("The new address has a broken percent-escape.");
	if (!path_reachable(k) || (k[0] == '/' && k[1] == '/'))
		return _("No request can reach the new address: it holds an empty, .. or . segment, or an escaped control character or backslash.");
	*out = enc;
	*key = k;
	return NULL;
}

enum { CHAIN_OK, CHAIN_LOOP, CHAIN_LONG };

/* Would from → (the address looked up as) key come back to from, or lead
 * through more than CHAIN_MAX redirects? -1 on a database error. */
static int
chain_check(struct db_conn *c, struct arena *a, const char *from, const char *key)
{
	for (int hop = 0; key; hop++) {
		if (strcmp(key, from) == 0)
			return CHAIN_LOOP;
		if (hop == CHAIN_MAX)
			return CHAIN_LONG;
		struct db_stmt *st = db_query(c, "SELECT to_path FROM redirects WHERE from_path = ?", "s", key);
		const char *next = db_row(st) ? db_atext(st, 0, a) : NULL;
		if (db_done(st) < 0)
			return -1;
		key = next ? target_key(a, next) : NULL;
	}
	return CHAIN_OK;
}

/* ---- the list ---------------------------------------------------------------------------- */

/* What the list shows: the filter, the keyset cursor (the last row of the
 * page before: its created_at and from_path), and after a refused change
 * of one row, that row's typed target and the message. */
struct list_view {
	const char *q, *key;
	long long before;
	const char *row_from, *row_to, *row_error;
};

static const char *
list_url(struct arena *a, const char *q, long long before, const char *key, const char *done)
{
	struct buf b = {0};
	buf_puts(&b, "/admin/redirects");
	char sep = '?';
	if (q && *q) {
		buf_puts(&b, "?q=");
		buf_esc_urlpart(&b, q, strlen(q));
		sep = '&';
	}
	if (key) {
		buf_printf(&b, "%cbefore=%lld&key=", sep, before);
		buf_esc_urlpart(&b, key, strlen(key));
		sep = '&';
	}
	if (done)
		buf_printf(&b, "%cdone=%s", sep, done);
	const char *s = arena_strndup(a, b.s, b.len);
	buf_free(&b);
	return s;
}

/* The filter as a LIKE pattern, its wildcards taken literally. */
static const char *
like_pattern(struct arena *a, const char *q)
{
	struct buf b = {0};
	buf_putc(&b, '%');
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '!')
			buf_putc(&b, '!');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '%');
	const char *s = arena_strndup(a, b.s, b.len);
	buf_free(&b);
	return s;
}

/* Renders the list into f (which may already hold the add form's values
 * and errors) with status. */
static void
list_render(struct req *r, const struct list_view *v, struct tv *f, int status)
{
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	const char *q = v->q ? v->q : "", *pattern = like_pattern(a, q);
	tv_set_str(f, "q", q);
	tv_set_int(f, "total", db_int1(c, 0, "SELECT count(*) FROM redirects", ""));
	if (*q)
		tv_set_int(f, "matching", db_int1(c, 0, "SELECT count(*) FROM redirects WHERE lower(from_path) LIKE lower(?) ESCAPE '!' "
		    "OR lower(to_path) LIKE lower(?) ESCAPE '!'", "ss", pattern, pattern));
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(c, "SELECT r.from_path, r.to_path, r.created_at, coalesce(u.name, '') FROM redirects r "
	    "LEFT JOIN users u ON u.id = r.user_id "
	    "WHERE (? = '' OR lower(r.from_path) LIKE lower(?) ESCAPE '!' OR lower(r.to_path) LIKE lower(?) ESCAPE '!') "
	    "AND (? = 0 OR r.created_at < ? OR (r.created_at = ? AND r.from_path < ?)) "
	    "ORDER BY r.created_at DESC, r.from_path DESC LIMIT ?",
	    "sssdiisd", q, pattern, pattern, v->key ? 1 : 0, v->before, v->before, v->key ? v->key : "", REDIRECTS_PAGE + 1);
	int n = 0;
	long long last_at = 0;
	const char *last_from = NULL;
	while (db_row(st)) {
		if (++n > REDIRECTS_PAGE) {
			tv_set_str(f, "older", list_url(a, q, last_at, last_from, NULL));
			break;
		}
		struct tv *m = tv_push_map(rows);
		last_from = db_atext(st, 0, a);
		last_at = db_int(st, 2);
		tv_set_str(m, "from", last_from);
		tv_set_str(m, "to", db_atext(st, 1, a));
		tv_set_str(m, "when", admin_when(r, last_at));
		tv_set_str(m, "who", db_atext(st, 3, a));
		if (v->row_from && strcmp(v->row_from, last_from) == 0) {
			tv_set_str(m, "to", v->row_to);
			tv_set_str(m, "error", i18n_gettext(lang, v->row_error));
		}
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	if (v->key)
		tv_set_str(f, "newest", list_url(a, q, 0, NULL, NULL));
	admin_render(r, admin_staff(r), "admin_redirects.html", _("Redirects"), f, status);
}

/* GET /admin/redirects ?q= (a part of either address) &before=&key= (the
 * cursor of the "Older" link) &done=saved|deleted */
static void
list_page(struct req *r)
{
	struct arena *a = &r->a;
	struct list_view v = {0};
	v.q = text_clean(a, req_query(r, "q") ? req_query(r, "q") : "", false);
	if (utf8_chars(v.q) > QUERY_MAX_CHARS)
		v.q = "";
	const char *before = req_query(r, "before"), *key = req_query(r, "key");
	if (before && key && *key) {
		v.before = atoll(before);
		v.key = key;
	}
	struct tv *f = tv_map(a);
	const char *done = req_query(r, "done");
	if (done && (strcmp(done, "saved") == 0 || strcmp(done, "deleted") == 0))
		tv_set_str(f, "done", done);
	list_render(r, &v, f, 200);
}

/* ---- changes ----------------------------------------------------------------------------- */

enum { W_DONE = 1, W_MISSING, W_LOOP, W_LONG };

/* One change inside a write: from → to (to NULL: delete from). */
struct redirect_write {
	const char *from, *to, *key;   /* key: what to is looked up by */
	long long user, now;
	bool must_exist;               /* a row's edit or delete, not the add form */
	int outcome;
};

static int
write_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* no cached page shows a redirect: see the top of this file */
	struct redirect_write *w = arg;
	struct arena a = {0};
	int rc = -1;
	w->outcome = 0;
	struct db_stmt *st = db_query(c, "SELECT to_path FROM redirects WHERE from_path = ?", "s", w->from);
	const char *old = db_row(st) ? db_atext(st, 0, &a) : NULL;
	if (db_done(st) < 0)
		goto out;
	if (w->must_exist && !old) {
		w->outcome = W_MISSING;
		goto out;
	}
	if (w->to) {
		int chain = chain_check(c, &a, w->from, w->key);
		if (chain < 0)
			goto out;
		if (chain != CHAIN_OK) {
			w->outcome = chain == CHAIN_LOOP ? W_LOOP : W_LONG;
			goto out;
		}
		if (db_exec(c, "INSERT INTO redirects (from_path, to_path, created_at, user_id) VALUES (?, ?, ?, ?) "
		    "ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path", "ssii", w->from, w->to, w->now, w->user) != 1)
			goto out;
		audit(c, w->user, old ? "redirect.save" : "redirect.add",
		    old ? arena_printf(&a, "%s → %s (was %s)", w->from, w->to, old) : arena_printf(&a, "%s → %s", w->from, w->to));
	} else {
		if (db_exec(c, "DELETE FROM redirects WHERE from_path = ?", "s", w->from) != 1)
			goto out;
		audit(c, w->user, "redirect.delete", arena_printf(&a, "%s (was → %s)", w->from, old));
	}
	w->outcome = W_DONE;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

/* Runs w; NULL when done, else the message for the target field (the
 * database error page has then been sent when *failed). */
static const char *
write_run(struct req *r, struct redirect_write *w, bool *failed)
{
	*failed = false;
	w->user = admin_staff(r)->id;
	w->now = (long long)time(NULL);
	if (inval_write(req_db(r), write_tx, w, NULL) >= 0)
		return NULL;
	switch (w->outcome) {
	case W_LOOP:
		return _("This would make a loop: the new address leads back to the old one.");
	case W_LONG:
		return _("Readers would go through more than 10 redirects: give the final address instead.");
	case W_MISSING:
		resp_error(r, 404);
		break;
	default:
		page_db_error(r);
		break;
	}
	*failed = true;
	return NULL;
}

/* POST /admin/redirects: from, to. An old address that already has a
 * redirect gets the new target. */
static void
add_post(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	const char *from_in = trimmed(a, req_form(r, "from")), *to_in = trimmed(a, req_form(r, "to"));
	struct redirect_write w = {0};
	const char *err_from = from_check(a, from_in, &w.from);
	const char *err_to = to_check(a, to_in, &w.to, &w.key);
	if (!err_from && !err_to && strcmp(w.key, w.from) == 0)
		err_to = _("The new address is the old one: a redirect to itself would never end.");
	if (!err_from && !err_to) {
		bool failed;
		err_to = write_run(r, &w, &failed);
		if (failed)
			return;
		if (!err_to) {
			resp_redirect(r, 303, list_url(a, w.from, 0, NULL, "saved"));
			return;
		}
	}
	struct tv *f = tv_map(a);
	tv_set_str(f, "add_from", from_in);
	tv_set_str(f, "add_to", to_in);
	if (err_from)
		tv_set_str(f, "err_from", i18n_gettext(lang, err_from));
	if (err_to)
		tv_set_str(f, "err_to", i18n_gettext(lang, err_to));
	tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
	struct list_view v = {0};
	list_render(r, &v, f, 400);
}

/* The key a row's form sends back (exactly as stored); NULL, with the 400
 * sent, when there is none. */
static const char *
row_key(struct req *r)
{
	const char *from = req_form(r, "from");
	if (!from || !*from || strlen(from) > REDIRECT_PATH_MAX) {
		resp_error(r, 400);
		return NULL;
	}
	return from;
}

/* The filter the row's list was showing, to go back to. */
static const char *
row_filter(struct req *r)
{
	const char *q = text_clean(&r->a, req_form(r, "q") ? req_form(r, "q") : "", false);
	return utf8_chars(q) > QUERY_MAX_CHARS ? "" : q;
}

/* POST /admin/redirects/edit: from (the row), to, q (the list's filter). */
static void
edit_post(struct req *r)
{
	struct arena *a = &r->a;
	struct redirect_write w = {0};
	if (!(w.from = row_key(r)))
		return;
	w.must_exist = true;
	const char *to_in = trimmed(a, req_form(r, "to"));
	const char *err = to_check(a, to_in, &w.to, &w.key);
	if (!err && strcmp(w.key, w.from) == 0)
		err = _("The new address is the old one: a redirect to itself would never end.");
	if (!err) {
		bool failed;
		err = write_run(r, &w, &failed);
		if (failed)
			return;
		if (!err) {
			resp_redirect(r, 303, list_url(a, row_filter(r), 0, NULL, "saved"));
			return;
		}
	}
	if (db_int1(req_db(r), 0, "SELECT count(*) FROM redirects WHERE from_path = ?", "s", w.from) != 1) {
		resp_error(r, 404);
		return;
	}
	/* the list narrowed to the row, which shows what was typed and why not */
	struct tv *f = tv_map(a);
	tv_set_str(f, "error", i18n_gettext(admin_edition(r)->code, _("Please correct the marked fields.")));
	struct list_view v = {.q = w.from, .row_from = w.from, .row_to = to_in, .row_error = err};
	list_render(r, &v, f, 400);
}

/* POST /admin/redirects/delete: from (the row), q (the list's filter). */
static void
delete_post(struct req *r)
{
	struct redirect_write w = {0};
	if (!(w.from = row_key(r)))
		return;
	w.must_exist = true;
	bool failed;
	write_run(r, &w, &failed);
	if (!failed)
		resp_redirect(r, 303, list_url(&r->a, row_filter(r), 0, NULL, "deleted"));
}

const struct route admin_redirect_routes[] = {
	{HTTP_GET, "/admin/redirects", list_page, "taxonomy"},
	{HTTP_POST, "/admin/redirects", add_post, "taxonomy"},
	{HTTP_POST, "/admin/redirects/edit", edit_post, "taxonomy"},
	{HTTP_POST, "/admin/redirects/delete", delete_post, "taxonomy"},
	{0, NULL, NULL, NULL},
};
