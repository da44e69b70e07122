/* feeds.c: Atom (RFC 4287) and RSS 2.0 feeds of an edition, a section, a
 * category, a tag and an author (the latest 20 stories, full text or
 * summary per the feeds.full_text setting), and the Atom feed of an
 * article's comments. Written here with the XML escaper, every field
 * escaped; absolute addresses from the site's base URL. Feeds are cached
 * like pages and carry the same tags as the listing they mirror. */
#include "site.h"
#include "core/i18n.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FEED_ITEMS 20

enum format { ATOM, RSS };

struct feed {
	struct req *r;
	const struct edition *ed;
	enum format fmt;
	const char *title, *page_path, *self_path, *list;
	bool full;
};

static void
xml(struct buf *b, const char *s)
{
	buf_esc_xml(b, s ? s : "", s ? strlen(s) : 0);
}

static const char *
abs_url(struct arena *a, const char *path)
{
	return arena_cat(a, site_base_url(), path, NULL);
}

/* "Fri, 27 Nov 2026 16:00:00 +0000" (RFC 822, as RSS wants it) */
static void
rfc822(struct buf *b, long long t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const struct refdata *
refdata_for(struct req *r)
{
	if (!r->app)
		r->app = (void *)refdata_get(r);
	return r->app;
}

static void
feed_render(struct feed *f)
{
	struct req *r = f->r;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const struct refdata *rd = refdata_for(r);
	long long now = (long long)time(NULL);
	f->full = strcmp(setting_str(c, a, "feeds.full_text"), "full") == 0;
	resp_depends(r, TAG_SETTINGS);
	struct db_stmt *st = db_query(c, "SELECT a.id, a.slug, a.title, a.standfirst, a.published_at, coalesce(a.updated_at, a.published_at), "
	    "a.byline, b.body_html FROM article_listings l JOIN articles a ON a.id = l.article_id JOIN article_bodies b ON b.article_id = a.id "
	    "WHERE l.list = ? AND l.edition = ? AND l.listed_at <= ? ORDER BY l.listed_at DESC, l.article_id DESC LIMIT ?", "ssid", f->list,
	    f->ed->code, now, FEED_ITEMS);
	struct buf items = {0};
	long long newest = 0;
	while (db_row(st)) {
		long long id = db_int(st, 0), pub = db_int(st, 4), upd = db_int(st, 5);
		resp_depends(r, arena_printf(a, TAG_ARTICLE, id));
		newest = upd > newest ? upd : newest;
		const char *url = abs_url(a, url_article(a, f->ed->code, db_text(st, 1), pub));
		const char *title = db_text(st, 2), *standfirst = db_text(st, 3), *html = db_text(st, 7);
		/* the bylines, from the ids kept on the row */
		const char *authors[8];
		int na = 0;
		char *ids = arena_strdup(a, db_text(st, 6)), *save = NULL;
		for (char *t = strtok_r(ids, ",", &save); t && na < 8; t = strtok_r(NULL, ",", &save)) {
			const char *name = ref_author_name(rd, atoll(t));
			if (name) {
				authors[na++] = name;
				resp_depends(r, arena_printf(a, TAG_AUTHOR, atoll(t)));
			}
		}
		if (f->fmt == ATOM) {
			buf_puts(&items, "<entry>\n<title>");
			xml(&items, title);
			buf_puts(&items, "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
			xml(&items, url);
			buf_puts(&items, "\"/>\n<id>");
			xml(&items, url);
			buf_printf(&items, "</id>\n<published>%s</published>\n<updated>%s</updated>\n", i18n_isotime(a, pub),
			    i18n_isotime(a, upd > pub ? upd : pub));
			for (int i = 0; i < na; i++) {
				buf_puts(&items, "<author><name>");
				xml(&items, authors[i]);
				buf_puts(&items, "</name></author>\n");
			}
			if (*standfirst) {
				buf_puts(&items, "<summary>");
				xml(&items, standfirst);
				buf_puts(&items, "</summary>\n");
			}
			if (f->full) {
				buf_puts(&items, "<content type=\"html\">");
				xml(&items, html);
				buf_puts(&items, "</content>\n");
			}
			buf_puts(&items, "</entry>\n");
		} else {
			buf_puts(&items, "<item>\n<title>");
			xml(&items, title);
			buf_puts(&items, "</title>\n<link>");
			xml(&items, url);
			buf_puts(&items, "</link>\n<guid isPermaLink=\"true\">");
			xml(&items, url);
			buf_puts(&items, "</guid>\n<pubDate>");
			rfc822(&items, pub);
			buf_puts(&items, "</pubDate>\n");
			for (int i = 0; i < na; i++) {
				buf_puts(&items, "<dc:creator>");
				xml(&items, authors[i]);
				buf_puts(&items, "</dc:creator>\n");
			}
			buf_puts(&items, "<description>");
			xml(&items, f->full ? html : standfirst);
			buf_puts(&items, "</description>\n</item>\n");
		}
	}
	if (db_done(st) < 0) {
		buf_free(&items);
		page_db_error(r);
		return;
	}
	const char *self = abs_url(a, f->self_path), *page = abs_url(a, f->page_path);
	struct buf *b = &r->body;
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	if (f->fmt == ATOM) {
		buf_puts(b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
		xml(b, f->ed->code);
		buf_puts(b, "\">\n<title>");
		xml(b, f->title);
		buf_puts(b, "</title>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
		xml(b, self);
		buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
		xml(b, page);
		buf_puts(b, "\"/>\n<id>");
		xml(b, page);
		buf_printf(b, "</id>\n<updated>%s</updated>\n<author><name>Gazette</name></author>\n<generator>Gazette</generator>\n",
		    i18n_isotime(a, newest ? newest : now));
		buf_raw(b, items.s ? items.s : "", items.len);
		buf_puts(b, "</feed>\n");
		r->content_type = "application/atom+xml; charset=utf-8";
	} else {
		buf_puts(b, "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
			    "<channel>\n<title>");
		xml(b, f->title);
		buf_puts(b, "</title>\n<link>");
		xml(b, page);
		buf_puts(b, "</link>\n<description>");
		xml(b, f->title);
		buf_puts(b, "</description>\n<language>");
		xml(b, f->ed->code);
		buf_puts(b, "</language>\n<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
		xml(b, self);
		buf_puts(b, "\"/>\n<lastBuildDate>");
		rfc822(b, newest ? newest : now);
		buf_puts(b, "</lastBuildDate>\n");
		buf_raw(b, items.s ? items.s : "", items.len);
		buf_puts(b, "</channel>\n</rss>\n");
		r->content_type = "application/rss+xml; charset=utf-8";
	}
	buf_free(&items);
	r->status = 200;
	resp_header(r, "Cache-Control", "public, max-age=300");
	resp_cache(r);
}

static enum format
format_of(struct req *r)
{
	size_t n = strlen(r->path);
	return n > 4 && strcmp(r->path + n - 4, ".rss") == 0 ? RSS : ATOM;
}

/* GET /{edition}/feed.atom|rss */
static void
edition_feed(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct arena *a = &r->a;
	resp_depends(r, arena_printf(a, TAG_LIST_FRONT, ed->code));
	struct feed f = {r, ed, format_of(r), arena_cat(a, "Gazette · ", ed->name, NULL), arena_printf(a, "/%s/", ed->code), r->path,
		"front", false};
	feed_render(&f);
}

static void
term_feed(struct req *r, const char *taxonomy)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(req_db(r), "SELECT term_id, name FROM term_names WHERE edition = ? AND taxonomy = ? AND slug = ?", "sss",
	    ed->code, taxonomy, r->params[1]);
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long term = db_int(st, 0);
	const char *name = db_atext(st, 1, a);
	db_done(st);
	resp_depends(r, arena_printf(a, TAG_TERM, term));
	resp_depends(r, arena_printf(a, TAG_LIST_TERM, term, ed->code));
	struct feed f = {r, ed, format_of(r), arena_cat(a, name, " · Gazette", NULL), url_term(a, ed->code, taxonomy, r->params[1]), r->path,
		arena_printf(a, "t:%lld", term), false};
	feed_render(&f);
}

static void section_feed(struct req *r) { term_feed(r, "section"); }
static void category_feed(struct req *r) { term_feed(r, "category"); }
static void tag_feed(struct req *r) { term_feed(r, "tag"); }

static void
author_feed(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(req_db(r), "SELECT id, name FROM authors WHERE slug = ?", "s", r->params[1]);
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long id = db_int(st, 0);
	const char *name = db_atext(st, 1, a);
	db_done(st);
	resp_depends(r, arena_printf(a, TAG_AUTHOR, id));
	resp_depends(r, arena_printf(a, TAG_LIST_AUTHOR, id, ed->code));
	struct feed f = {r, ed, format_of(r), arena_cat(a, name, " · Gazette", NULL), url_author(a, ed->code, r->params[1]), r->path,
		arena_printf(a, "au:%lld", id), false};
	feed_render(&f);
}

/* GET /comments/{id}/feed.atom: the latest published comments on a story. */
static void
comments_feed(struct req *r)
{
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *idp = r->params[0];
	long long id = idp && *idp && strspn(idp, "0123456789") == strlen(idp) && strlen(idp) < 16 ? atoll(idp) : 0;
	long long now = (long long)time(NULL);
	struct db_stmt *st = db_query(c, "SELECT edition, slug, title, published_at FROM articles WHERE id = ? AND status = 'published' "
	    "AND published_at <= ?", "ii", id, now);
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	const struct edition *ed = edition_find(db_text(st, 0));
	const char *title = db_atext(st, 2, a);
	const char *article_url = abs_url(a, url_article(a, db_text(st, 0), db_text(st, 1), db_int(st, 3)));
	db_done(st);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	resp_depends(r, arena_printf(a, TAG_ARTICLE, id));
	resp_depends(r, arena_printf(a, TAG_COMMENTS, id));
	const char *thread = abs_url(a, arena_printf(a, "/comments/%lld", id));
	struct buf *b = &r->body;
	struct buf items = {0};
	long long newest = 0;
	st = db_query(c, "SELECT id, name, body_html, created_at, coalesce(edited_at, created_at) FROM comments WHERE article_id = ? "
	    "AND status = 'approved' ORDER BY id DESC LIMIT ?", "id", id, FEED_ITEMS);
	while (db_row(st)) {
		const char *link = arena_printf(a, "%s#comment-%lld", thread, db_int(st, 0));
		newest = db_int(st, 4) > newest ? db_int(st, 4) : newest;
		buf_puts(&items, "<entry>\n<title>");
		xml(&items, db_text(st, 1));
		buf_puts(&items, "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
		xml(&items, link);
		buf_puts(&items, "\"/>\n<id>");
		xml(&items, link);
		buf_printf(&items, "</id>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>", i18n_isotime(a, db_int(st, 3)),
		    i18n_isotime(a, db_int(st, 4)));
		xml(&items, db_text(st, 1));
		buf_puts(&items, "</name></author>\n<content type=\"html\">");
		xml(&items, db_text(st, 2));
		buf_puts(&items, "</content>\n</entry>\n");
	}
	if (db_done(st) < 0) {
		buf_free(&items);
		page_db_error(r);
		return;
	}
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml(b, ed->code);
	buf_puts(b, "\">\n<title>");
	xml(b, arena_cat(a, i18n_gettext(ed->code, _("Comments")), ": ", title, NULL));
	buf_puts(b, "</title>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml(b, abs_url(a, r->path));
	buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml(b, article_url);
	buf_puts(b, "\"/>\n<id>");
	xml(b, abs_url(a, r->path));
	buf_printf(b, "</id>\n<updated>%s</updated>\n<author><name>Gazette</name></author>\n", i18n_isotime(a, newest ? newest : now));
	buf_raw(b, items.s ? items.s : "", items.len);
	buf_puts(b, "</feed>\n");
	buf_free(&items);
	r->status = 200;
	r->content_type = "application/atom+xml; charset=utf-8";
	resp_header(r, "Cache-Control", "public, max-age=300");
	resp_cache(r);
}

const struct route feed_routes[] = {
	{HTTP_GET, "/{edition}/feed.atom", edition_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/feed.rss", edition_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/section/{slug}/feed.atom", section_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/section/{slug}/feed.rss", section_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/category/{slug}/feed.atom", category_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/category/{slug}/feed.rss", category_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/tag/{slug}/feed.atom", tag_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/tag/{slug}/feed.rss", tag_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/author/{slug}/feed.atom", author_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/author/{slug}/feed.rss", author_feed, NULL, ROUTE_QUICK},
	{HTTP_GET, "/comments/{id}/feed.atom", comments_feed, NULL},
	{0, NULL, NULL, NULL},
};
