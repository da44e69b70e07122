/* site.c: editions, the shared page context (navigation, language
 * switcher, hreflang), rendering through the theme, error pages, request
 * dispatch, and the site-wide routes ("/", "/healthz"). */
#include "site.h"
#include "core/limits.h"
#include "core/utc.h"
#include "core/i18n.h"
#include "core/form.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/router.h"
#include "core/text.h"
#include "core/theme.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct edition editions[MAX_EDITIONS];
static int neditions;
static char base_url[256];

int
site_init(struct db *db, const struct site_config *cfg)
{
	snprintf(base_url, sizeof base_url, "%s", cfg->base_url ? cfg->base_url : "");
	struct db_conn *c = db_acquire(db);
	neditions = 0;
	struct db_stmt *st = db_query(c, "SELECT code, name, locale, position, is_default, direction FROM editions ORDER BY position, code", "");
	while (db_row(st) && neditions < MAX_EDITIONS) {
		struct edition *e = &editions[neditions++];
		snprintf(e->code, sizeof e->code, "%s", db_text(st, 0));
		snprintf(e->name, sizeof e->name, "%s", db_text(st, 1));
		snprintf(e->locale, sizeof e->locale, "%s", db_text(st, 2));
		e->position = (int)db_int(st, 3);
		e->is_default = db_int(st, 4) != 0;
		e->rtl = db_text(st, 5) && strcmp(db_text(st, 5), "rtl") == 0;
	}
	db_done(st);
	int rc = site_secret_init(c);
	db_release(c);
	if (rc < 0)
		log_error("the site secret could not be read or made");
	return neditions && rc == 0 ? 0 : -1;
}

const char *
site_base_url(void)
{
	return base_url;
}

void
site_shutdown(void)
{
	refdata_shutdown();
	neditions = 0;
}

const struct edition *
edition_find(const char *code)
{
	for (int i = 0; code && i < neditions; i++)
		if (strcmp(editions[i].code, code) == 0)
			return &editions[i];
	return NULL;
}

const struct edition *
edition_default(void)
{
	for (int i = 0; i < neditions; i++)
		if (editions[i].is_default)
			return &editions[i];
	return neditions ? &editions[0] : NULL;
}

int edition_count(void) { return neditions; }
const struct edition *edition_at(int i) { return i >= 0 && i < neditions ? &editions[i] : NULL; }

int
edition_index(const struct edition *ed)
{
	return (int)(ed - editions);
}

/* ---- URLs ----------------------------------------------------------------------- */

const char *
url_article(struct arena *a, const char *ed, const char *slug, long long published_at)
{
	struct utc u;
	utc_fields(published_at, &u);
	int y = (int)u.year, m = u.month;
	char ym[9] = {(char)('0' + y / 1000 % 10), (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10), (char)('0' + y % 10),
		'/', (char)('0' + m / 10), (char)('0' + m % 10), '/', 0};
	return arena_cat(a, "/", ed, "/", ym, slug, NULL);
}

const char *
url_term(struct arena *a, const char *ed, const char *taxonomy, const char *slug)
{
	return arena_cat(a, "/", ed, "/", taxonomy, "/", slug, NULL);
}

const char *
url_author(struct arena *a, const char *ed, const char *slug)
{
	return arena_cat(a, "/", ed, "/author/", slug, NULL);
}

const char *
url_kind(struct arena *a, const char *ed, const char *kind)
{
	return arena_cat(a, "/", ed, "/kind/", kind, NULL);
}

bool
kind_valid(const char *kind)
{
	return kind && (strcmp(kind, "news") == 0 || strcmp(kind, "opinion") == 0 || strcmp(kind, "blog") == 0);
}

const char *
kind_label(const char *lang, const char *kind)
{
	if (strcmp(kind, "news") == 0)
		return i18n_gettext(lang, "News");
	if (strcmp(kind, "opinion") == 0)
		return i18n_gettext(lang, "Opinion");
	return i18n_gettext(lang, "Blogs");
}

/* ---- pages ------------------------------------------------------------------------ */

void
page_init(struct page *p, struct req *r, const struct edition *ed, const char *title)
{
	memset(p, 0, sizeof *p);
	p->r = r;
	p->ed = ed;
	struct arena *a = &r->a;
	struct tv *root = p->root = tv_map(a);
	resp_depends(r, "site");   /* editions, sections in the navigation */
	tv_set_str(root, "title", title);
	struct tv *e = tv_set_map(root, "ed");
	tv_set_str(e, "code", ed->code);
	tv_set_str(e, "name", ed->name);
	tv_set_str(e, "home", arena_cat(a, "/", ed->code, "/", NULL));
	tv_set_str(e, "search", arena_cat(a, "/", ed->code, "/search", NULL));
	tv_set_str(root, "lang", ed->code);
	if (ed->rtl)
		tv_set_bool(root, "rtl", true);
	p->edi = edition_index(ed);
	if (!r->app)
		r->app = (void *)refdata_get(r);
	p->rd = r->app;
	struct tv *nav = tv_set_list(root, "nav");
	const long long *secs;
	int nsecs = ref_sections(p->rd, &secs);
	for (int i = 0; i < nsecs; i++) {
		const char *name = ref_term_name(p->rd, secs[i], p->edi), *slug = ref_term_slug(p->rd, secs[i], p->edi);
		if (!name || !slug)
			continue;
		struct tv *item = tv_push_map(nav);
		tv_set_str(item, "name", name);
		tv_set_str(item, "url", url_term(a, ed->code, "section", slug));
	}
	const char *ftitle[24], *furl[24];
	int nf = ref_footer(p->rd, p->edi, ftitle, furl, 24);
	if (nf) {
		struct tv *fl = tv_set_list(root, "footer_pages");
		for (int i = 0; i < nf; i++) {
			struct tv *m = tv_push_map(fl);
			tv_set_str(m, "title", ftitle[i]);
			tv_set_str(m, "url", furl[i]);
		}
	}
	long long now = (long long)time(NULL);
	tv_set_int(root, "now", now);
	struct utc u;
	utc_fields(now, &u);
	tv_set_int(root, "year", u.year);
	event_banner(p);
	breaking_banner(p);
}

bool
local_path_ok(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 2000)
		return false;
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

#define CSRF_COOKIE "gazette_csrf"

static bool
csrf_cookie_ok(const char *ck)
{
	return ck && strlen(ck) == 32 && strspn(ck, "0123456789abcdef") == 32;
}

const char *
csrf_token(struct req *r)
{
	const char *ck = req_cookie(r, CSRF_COOKIE);
	if (!csrf_cookie_ok(ck)) {
		char *hex = arena_alloc(&r->a, 33);
		random_hex(hex, 16);
		ck = hex;
		resp_cookie(r, CSRF_COOKIE, ck, "/", 0);
	}
	return site_mac_hex(&r->a, "csrf", ck, 32);
}

bool
csrf_valid(struct req *r)
{
	const char *ck = req_cookie(r, CSRF_COOKIE), *f = req_form(r, "csrf");
	return csrf_cookie_ok(ck) && f && strlen(f) == 32 && sodium_memcmp(site_mac_hex(&r->a, "csrf", ck, 32), f, 32) == 0;
}

void
site_request_done(struct req *r)
{
	refdata_release(r->app);
	r->app = NULL;
}

void
page_db_error(struct req *r)
{
	bool outage = db_outage(r->dbc);
	resp_error(r, outage ? 503 : 500);
	if (outage)
		resp_header(r, "Retry-After", "5");
}

void
page_depends(struct page *p, const char *fmt, ...)
{
	char tag[160];
	va_list ap;
	va_start(ap, fmt);
	const char *pct = strchr(fmt, '%');
	size_t pre = pct ? (size_t)(pct - fmt) : 0;
	if (pct && strcmp(pct, "%lld") == 0 && pre < 64) {
		/* the common "prefix:%lld" tags, without printf: a page names
		 * dozens of them */
		long long v = va_arg(ap, long long);
		char digits[24];
		int n = 0;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		do
			digits[n++] = (char)('0' + u % 10);
		while ((u /= 10) && n < 23);
		memcpy(tag, fmt, pre);
		size_t o = pre;
		if (v < 0)
			tag[o++] = '-';
		while (n)
			tag[o++] = digits[--n];
		tag[o] = 0;
	} else
		vsnprintf(tag, sizeof tag, fmt, ap);
	va_end(ap);
	resp_depends(p->r, tag);
}

void
page_render(struct page *p, const char *template, int status)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	struct tv *root = p->root;
	struct tv *sw = tv_set_list(root, "switcher");
	struct tv *alts = tv_set_list(root, "alternates");
	int me = edition_index(p->ed), nalts = 0;
	const char *first_alt = NULL;
	for (int i = 0; i < neditions; i++) {
		const struct edition *e = &editions[i];
		const char *url = i == me && p->canonical ? p->canonical : p->alt_url[i];
		if (!url)
			url = arena_cat(a, "/", e->code, "/", NULL);
		struct tv *item = tv_push_map(sw);
		tv_set_str(item, "code", e->code);
		tv_set_str(item, "name", e->name);
		tv_set_str(item, "url", url);
		tv_set_bool(item, "current", i == me);
		if (e->rtl)
			tv_set_bool(item, "rtl", true);
		if (p->canonical && (i == me || p->alt_same[i])) {
			if (i != me)   /* the same page in another language, for link previews */
				tv_push(tv_get(root, "og_alternates") ? tv_get(root, "og_alternates") : tv_set_list(root, "og_alternates"),
				    tv_str(a, e->locale));
			struct tv *alt = tv_push_map(alts);
			tv_set_str(alt, "hreflang", e->code);
			tv_set_str(alt, "url", arena_cat(a, base_url, url, NULL));
			const struct edition *def = edition_default();
			if (e == def)
				tv_set_str(root, "x_default", arena_cat(a, base_url, url, NULL));
			if (!nalts++)
				first_alt = url;
		}
	}
	/* a story not in the default edition: x-default is its first version in
	 * switcher order, the same on each of them (and in the sitemaps) */
	if (nalts > 1 && !tv_get_str(root, "x_default"))
		tv_set_str(root, "x_default", arena_cat(a, base_url, first_alt, NULL));
	tv_set_str(root, "og_locale", p->ed->locale);
	if (p->canonical) {
		tv_set_str(root, "canonical", arena_cat(a, base_url, p->canonical, NULL));
		tv_set_str(root, "canonical_path", p->canonical);
	}
	tv_set_bool(root, "noindex", p->noindex);
	tv_set_str(root, "base_url", base_url);
	/* a page built on a failed query is not a page: say so, never cache it */
	if (!p->is_error && r->dbc && r->dbc->failed) {
		page_db_error(r);
		return;
	}
	struct tmpl_env env = {p->ed->code, p->ed->locale, theme_asset_url};
	r->body.len = 0;
	buf_grow(&r->body, 32 * 1024);   /* most pages fit: no copying while they grow */
	if (!r->theme || tmpl_render(r->theme->tmpl, template, root, &env, a, &r->body) < 0) {
		log_error("template %s missing", template);
		r->status = 500;
		r->content_type = "text/plain; charset=utf-8";
		buf_puts(&r->body, "Internal error: template missing\n");
		return;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	if (status == 200 && !p->is_error && !p->private_page)
		resp_cache(r);
}

/* ---- errors and dispatch ------------------------------------------------------------ */

/* The edition an error page speaks: the path's, else the reader's. */
static const struct edition *
error_edition(struct req *r)
{
	if (r->path && r->path[0] == '/') {
		char code[8];
		size_t n = strcspn(r->path + 1, "/");
		if (n < sizeof code) {
			memcpy(code, r->path + 1, n);
			code[n] = 0;
			const struct edition *e = edition_find(code);
			if (e)
				return e;
		}
	}
	const char *codes[MAX_EDITIONS];
	for (int i = 0; i < neditions; i++)
		codes[i] = editions[i].code;
	int i = i18n_negotiate(req_header(r, "Accept-Language"), codes, (size_t)neditions);
	return i >= 0 ? &editions[i] : edition_default();
}

/* old → new, and whatever pointed at old now points at new; new is live again. */
int
redirect_add(struct db_conn *c, const char *from, const char *to, long long user, long long now)
{
	if (strcmp(from, to) == 0)
		return 0;
	return db_exec(c, "DELETE FROM redirects WHERE from_path = ?", "s", to) >= 0 &&
		db_exec(c, "UPDATE redirects SET to_path = ? WHERE to_path = ?", "ss", to, from) >= 0 &&
		db_exec(c, "INSERT INTO redirects (from_path, to_path, created_at, user_id) VALUES (?, ?, ?, ?) "
		    "ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path", "ssin", from, to, now, user) == 1
	    ? 0 : -1;
}

void
site_error_page(struct req *r, int status)
{
	const struct edition *ed = error_edition(r);
	if (!ed || !r->theme)
		return;
	const char *title;
	switch (status) {
	case 400: title = _("Bad request"); break;
	case 404: title = _("Page not found"); break;
	case 405: title = _("Method not allowed"); break;
	case 413: title = _("Request too large"); break;
	case 414: title = _("Address too long"); break;
	case 503: title = _("Service unavailable"); break;
	default: title = status >= 500 ? _("Something went wrong") : _("Request refused"); break;
	}
	/* an address that moved (a renamed tag, a merged one): where it went */
	if (status == 404 && (r->method & (HTTP_GET | HTTP_HEAD)) && r->path) {
		struct db_stmt *st = db_query(req_db(r), "SELECT to_path FROM redirects WHERE from_path = ?", "s", r->path);
		const char *to = db_row(st) ? db_atext(st, 0, &r->a) : NULL;
		db_done(st);
		if (to) {
			const char *q = strchr(r->raw_uri, '?');
			resp_redirect(r, 301, q ? arena_cat(&r->a, to, q, NULL) : to);
			return;
		}
	}
	/* error pages must not depend on the database being healthy: no nav */
	struct page p;
	memset(&p, 0, sizeof p);
	p.r = r;
	p.ed = ed;
	p.noindex = true;
	p.is_error = true;
	struct tv *root = p.root = tv_map(&r->a);
	tv_set_str(root, "title", i18n_gettext(ed->code, title));
	struct tv *e = tv_set_map(root, "ed");
	tv_set_str(e, "code", ed->code);
	tv_set_str(e, "name", ed->name);
	tv_set_str(e, "home", arena_printf(&r->a, "/%s/", ed->code));
	tv_set_str(e, "search", arena_printf(&r->a, "/%s/search", ed->code));
	tv_set_str(root, "lang", ed->code);
	if (ed->rtl)
		tv_set_bool(root, "rtl", true);
	tv_set_int(root, "status", status);
	tv_set_str(root, "message", i18n_gettext(ed->code, title));
	page_render(&p, "error.html", status);
}

bool
site_quick(struct req *r)
{
	/* a query may ask for a deep page by OFFSET; and after a write, the
	 * first page rebuilds the reference data, which takes a while */
	if (r->nquery || !refdata_current())
		return false;
	int status;
	const struct route *rt = router_match(r, &status);
	return rt && (rt->flags & ROUTE_QUICK) && !rt->guard;
}

void
site_dispatch(struct req *r)
{
	int status = 0;
	const struct route *rt = router_match(r, &status);
	if (rt && (rt->flags & ROUTE_COSTLY)) {
		/* searches, posts, bookings, sign-ins: within their share of the
		 * workers, or 503 at once, so that pages keep being served */
		if (!limits_costly_admit()) {
			resp_error(r, 503);
			resp_header(r, "Retry-After", "2");
			return;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!rt->guard || admin_guard(r, rt->guard))
			rt->handler(r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		limits_costly_done((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		return;
	}
	if (rt) {
		if (!rt->guard || admin_guard(r, rt->guard))
			rt->handler(r);
		return;
	}
	resp_error(r, status);
	if (status == 405)
		resp_header(r, "Allow", "GET, HEAD");
}

/* GET / : the edition the reader's browser prefers. */
static void
root_page(struct req *r)
{
	/* a WordPress site's ?p=ID and ?page_id=ID, kept as redirects by the import */
	const char *wp = req_query(r, "p") ? req_query(r, "p") : req_query(r, "page_id");
	if (wp && *wp && strlen(wp) < 20 && strspn(wp, "0123456789") == strlen(wp)) {
		struct db_stmt *st = db_query(req_db(r), "SELECT to_path FROM redirects WHERE from_path = ?", "s",
		    arena_cat(&r->a, req_query(r, "p") ? "/?p=" : "/?page_id=", wp, NULL));
		const char *to = db_row(st) ? db_atext(st, 0, &r->a) : NULL;
		db_done(st);
		if (to) {
			resp_redirect(r, 301, to);
			return;
		}
	}
	const char *codes[MAX_EDITIONS];
	for (int i = 0; i < neditions; i++)
		codes[i] = editions[i].code;
	int i = i18n_negotiate(req_header(r, "Accept-Language"), codes, (size_t)neditions);
	const struct edition *ed = i >= 0 ? &editions[i] : edition_default();
	resp_redirect(r, 302, arena_printf(&r->a, "/%s/", ed->code));
	resp_header(r, "Vary", "Accept-Language");
	resp_header(r, "Cache-Control", "private, max-age=0");
}

/* GET /metrics: Prometheus text, for loopback clients only */
static void
metrics_page(struct req *r)
{
	if (!req_from_loopback(r)) {
		resp_error(r, 404);
		return;
	}
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(&r->body);
}

static void
healthz_page(struct req *r)
{
	struct db_conn *c = req_db(r);
	if (db_int1(c, -1, "SELECT 1", "") != 1) {
		resp_text(r, 503, "text/plain; charset=utf-8", "database unavailable\n");
		resp_header(r, "Cache-Control", "no-store");
		resp_header(r, "Retry-After", "5");
		return;
	}
	resp_text(r, 200, "text/plain; charset=utf-8", "ok\n");
	resp_header(r, "Cache-Control", "no-store");
}

const struct route site_routes[] = {
	{HTTP_GET, "/", root_page, NULL},
	{HTTP_GET, "/healthz", healthz_page, NULL},
	{HTTP_GET, "/metrics", metrics_page, NULL},
	{0, NULL, NULL, NULL},
};
