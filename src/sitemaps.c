/* sitemaps.c: what search engines read first: robots.txt, a sitemap index,
 * per-edition sitemaps of every published story (50,000 addresses a file,
 * with lastmod and xhtml:link alternates to the story in the other
 * editions, x-default the default edition's or else the first one's in
 * switcher order, as on the pages), and a Google News sitemap
 * per edition with the stories of the last 48 hours; a sitemap of each
 * edition's standing pages (About, Contact…). Cached like pages
 * with the listing tags of every edition (a story published, withdrawn or
 * translated anywhere changes them). */
#include "site.h"
#include "core/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_FILE 50000
#define NEWS_WINDOW (48 * 3600)

static void
xml(struct buf *b, const char *s)
{
	buf_esc_xml(b, s ? s : "", s ? strlen(s) : 0);
}

static void
depends_on_every_edition(struct req *r)
{
	for (int i = 0; i < edition_count(); i++) {
		resp_depends(r, arena_printf(&r->a, TAG_LIST_FRONT, edition_at(i)->code));
		resp_depends(r, arena_cat(&r->a, "pages:", edition_at(i)->code, NULL));
	}
}

/* Closes a <urlset> and sends it, cached for ten minutes. */
static void
urlset_done(struct req *r)
{
	buf_puts(&r->body, "</urlset>\n");
	r->status = 200;
	r->content_type = "application/xml; charset=utf-8";
	resp_header(r, "Cache-Control", "public, max-age=600");
	resp_cache(r);
}

static void
robots(struct req *r)
{
	struct buf *b = &r->body;
	buf_puts(b, "User-agent: *\nDisallow: /admin\nDisallow: /checkin\nDisallow: /bookings/\nDisallow: /waitlist/\n"
		    "Disallow: /*/search\n\nSitemap: ");
	buf_puts(b, site_base_url());
	buf_puts(b, "/sitemap.xml\n");
	r->status = 200;
	r->content_type = "text/plain; charset=utf-8";
	resp_header(r, "Cache-Control", "public, max-age=3600");
	resp_cache(r);
}

static void
sitemap_index(struct req *r)
{
	struct db_conn *c = req_db(r);
	long long now = (long long)time(NULL);
	struct buf *b = &r->body;
	depends_on_every_edition(r);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (int i = 0; i < edition_count(); i++) {
		const char *ed = edition_at(i)->code;
		long long n = db_int1(c, 0, "SELECT count(*) FROM articles WHERE edition = ? AND status = 'published' AND published_at <= ?", "si",
		    ed, now);
		long long last = db_int1(c, 0, "SELECT coalesce(max(coalesce(updated_at, published_at)), 0) FROM articles WHERE edition = ? "
		    "AND status = 'published' AND published_at <= ?", "si", ed, now);
		for (long long f = 1; (f - 1) * PER_FILE < n + 1; f++) {   /* n stories and the front page */
			buf_printf(b, "<sitemap><loc>%s/sitemaps/%s-%lld.xml</loc>", site_base_url(), ed, f);
			if (last)
				buf_printf(b, "<lastmod>%s</lastmod>", i18n_isotime(&r->a, last));
			buf_puts(b, "</sitemap>\n");
		}
		buf_printf(b, "<sitemap><loc>%s/sitemaps/%s-news.xml</loc></sitemap>\n", site_base_url(), ed);
		long long pages_last = db_int1(c, 0, "SELECT coalesce(max(updated_at), 0) FROM pages WHERE edition = ? AND status = 'published'",
		    "s", ed);
		if (pages_last)
			buf_printf(b, "<sitemap><loc>%s/sitemaps/%s-pages.xml</loc><lastmod>%s</lastmod></sitemap>\n", site_base_url(), ed,
			    i18n_isotime(&r->a, pages_last));
	}
	buf_puts(b, "</sitemapindex>\n");
	r->status = 200;
	r->content_type = "application/xml; charset=utf-8";
	resp_header(r, "Cache-Control", "public, max-age=600");
	resp_cache(r);
}

/* The other editions' versions of a story, as xhtml:link alternates. */
static void
alternates(struct req *r, struct buf *b, long long group)
{
	if (!group)
		return;
	struct db_stmt *st = db_query(req_db(r), "SELECT edition, slug, published_at FROM articles WHERE translation_group = ? "
	    "AND status = 'published' AND published_at <= ? ORDER BY edition", "ii", group, (long long)time(NULL));
	int n = 0, first = MAX_EDITIONS;
	const char *def = NULL, *first_url = NULL;
	struct buf links = {0};
	while (db_row(st)) {
		const char *url = arena_cat(&r->a, site_base_url(), url_article(&r->a, db_text(st, 0), db_text(st, 1), db_int(st, 2)), NULL);
		buf_puts(&links, "<xhtml:link rel=\"alternate\" hreflang=\"");
		xml(&links, db_text(st, 0));
		buf_puts(&links, "\" href=\"");
		xml(&links, url);
		buf_puts(&links, "\"/>");
		const struct edition *e = edition_find(db_text(st, 0));
		if (e && e == edition_default())
			def = url;
		for (int i = 0; e && i < first && i < edition_count(); i++)
			if (edition_at(i) == e) {
				first = i;
				first_url = url;
			}
		n++;
	}
	db_done(st);
	if (n > 1) {   /* a story alone in its edition has no alternates */
		buf_raw(b, links.s, links.len);
		if (def || first_url) {
			buf_puts(b, "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"");
			xml(b, def ? def : first_url);
			buf_puts(b, "\"/>");
		}
	}
	buf_free(&links);
}

static void
edition_sitemap(struct req *r, const struct edition *ed, long long file)
{
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	long long now = (long long)time(NULL);
	struct buf *b = &r->body;
	depends_on_every_edition(r);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
		    "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
	/* entry 0 is the front page, then the stories in id order: PER_FILE
	 * entries a file, the front page's place counted in the first */
	if (file == 1)
		buf_printf(b, "<url><loc>%s/%s/</loc><changefreq>hourly</changefreq></url>\n", site_base_url(), ed->code);
	struct db_stmt *st = db_query(c, "SELECT slug, published_at, coalesce(updated_at, published_at), coalesce(translation_group, 0) "
	    "FROM articles WHERE edition = ? AND status = 'published' AND published_at <= ? ORDER BY id LIMIT ? OFFSET ?", "sidi", ed->code,
	    now, file == 1 ? PER_FILE - 1 : PER_FILE, file == 1 ? 0 : (file - 1) * PER_FILE - 1);
	int rows = 0;
	while (db_row(st)) {
		rows++;
		const char *url = arena_cat(a, site_base_url(), url_article(a, ed->code, db_text(st, 0), db_int(st, 1)), NULL);
		buf_puts(b, "<url><loc>");
		xml(b, url);
		buf_printf(b, "</loc><lastmod>%s</lastmod>", i18n_isotime(a, db_int(st, 2)));
		alternates(r, b, db_int(st, 3));
		buf_puts(b, "</url>\n");
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	if (!rows && file > 1) {
		resp_error(r, 404);
		return;
	}
	urlset_done(r);
}

/* The edition's published standing pages (src/pages.c). */
static void
pages_sitemap(struct req *r, const struct edition *ed)
{
	struct arena *a = &r->a;
	struct buf *b = &r->body;
	depends_on_every_edition(r);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	struct db_stmt *st = db_query(req_db(r), "SELECT path, updated_at FROM pages WHERE edition = ? AND status = 'published' ORDER BY path",
	    "s", ed->code);
	int rows = 0;
	while (db_row(st)) {
		rows++;
		buf_puts(b, "<url><loc>");
		xml(b, arena_cat(a, site_base_url(), url_page(a, ed->code, db_text(st, 0)), NULL));
		buf_printf(b, "</loc><lastmod>%s</lastmod></url>\n", i18n_isotime(a, db_int(st, 1)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	if (!rows) {
		resp_error(r, 404);
		return;
	}
	urlset_done(r);
}

static void
news_sitemap(struct req *r, const struct edition *ed)
{
	struct arena *a = &r->a;
	long long now = (long long)time(NULL);
	struct buf *b = &r->body;
	resp_depends(r, arena_printf(a, TAG_LIST_FRONT, ed->code));
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
		    "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");
	struct db_stmt *st = db_query(req_db(r), "SELECT id, slug, title, published_at FROM articles WHERE edition = ? AND status = 'published' "
	    "AND published_at <= ? AND published_at > ? ORDER BY published_at DESC LIMIT 1000", "sii", ed->code, now, now - NEWS_WINDOW);
	long long oldest = 0;
	while (db_row(st)) {
		long long pub = db_int(st, 3);
		resp_depends(r, arena_printf(a, TAG_ARTICLE, db_int(st, 0)));   /* its title */
		oldest = oldest && oldest < pub ? oldest : pub;
		buf_puts(b, "<url><loc>");
		xml(b, arena_cat(a, site_base_url(), url_article(a, ed->code, db_text(st, 1), pub), NULL));
		buf_puts(b, "</loc><news:news><news:publication><news:name>Gazette</news:name><news:language>");
		xml(b, ed->code);
		buf_printf(b, "</news:language></news:publication><news:publication_date>%s</news:publication_date><news:title>",
		    i18n_isotime(a, pub));
		xml(b, db_text(st, 2));
		buf_puts(b, "</news:title></news:news></url>\n");
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	if (oldest)
		resp_expires(r, oldest + NEWS_WINDOW);   /* the oldest leaves the window then */
	buf_puts(b, "</urlset>\n");
	r->status = 200;
	r->content_type = "application/xml; charset=utf-8";
	resp_header(r, "Cache-Control", "public, max-age=300");
	resp_cache(r);
}

/* GET /sitemaps/{ed}-{n}.xml, /sitemaps/{ed}-news.xml and /sitemaps/{ed}-pages.xml */
static void
sitemap_file(struct req *r)
{
	const char *name = r->params[0];
	const char *dash = strrchr(name, '-');
	size_t n = strlen(name);
	if (!dash || n < 5 || strcmp(name + n - 4, ".xml") != 0) {
		resp_error(r, 404);
		return;
	}
	char code[8];
	snprintf(code, sizeof code, "%.*s", (int)(dash - name < 7 ? dash - name : 7), name);
	const struct edition *ed = (size_t)(dash - name) < sizeof code ? edition_find(code) : NULL;
	const char *what = arena_strndup(&r->a, dash + 1, (size_t)(name + n - 4 - (dash + 1)));
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	if (strcmp(what, "news") == 0) {
		news_sitemap(r, ed);
		return;
	}
	if (strcmp(what, "pages") == 0) {
		pages_sitemap(r, ed);
		return;
	}
	if (!*what || strlen(what) > 6 || strspn(what, "0123456789") != strlen(what) || atoll(what) < 1) {
		resp_error(r, 404);
		return;
	}
	edition_sitemap(r, ed, atoll(what));
}

const struct route sitemap_routes[] = {
	{HTTP_GET, "/robots.txt", robots, NULL},
	{HTTP_GET, "/sitemap.xml", sitemap_index, NULL},
	{HTTP_GET, "/sitemaps/{name}", sitemap_file, NULL},
	{0, NULL, NULL, NULL},
};
