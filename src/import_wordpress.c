/* import_wordpress.c: `gazette import wordpress FILE.xml`: a WordPress
 * export (WXR 1.1/1.2) read with libxml2's streaming reader, one element
 * of the channel at a time (authors, categories, tags, then items), so a
 * file of gigabytes costs the memory of one post. Posts become articles
 * of one edition (status, dates, slug, author bylines, category, tags,
 * sticky → pinned), their comments keep their threads, approval and
 * dates, and each public post's old addresses (its permalink and ?p=ID)
 * answer 301 to its new one. Everything from one file is one transaction:
 * a malformed file changes nothing and is reported with its line. Keyed by
 * the export's ids (import_map), a second import updates and adds.
 * Not yet: pages, attachments and media, Polylang/WPML languages. */
#include "site.h"
#include "comments.h"
#include "core/i18n.h"
#include "core/invalidate.h"
#include "core/markdown.h"
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct db *cli_open_db(const char *path);   /* main.c */
char *wp_content_markdown(const char *content);   /* wp_content.c */

struct tally {
	int created, updated, skipped;
};

struct wxr {
	struct db_conn *c;
	const char *path, *edition;
	char source[512];
	bool dry_run;
	long long now, max_depth;
	struct tally posts, comments, terms, authors, redirects;
	int is_protected, not_posts, pingbacks;
	char err[600];
	struct arena a;        /* reset after each element */
	long long *ids;        /* articles touched: indexed for search at the end */
	size_t nids, capids;
};

static void
fail(struct wxr *w, const char *fmt, ...)
{
	if (w->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
}

/* ---- the tree of one element ------------------------------------------------ */

/* The first child element named name (with its namespace prefix, as WXR
 * always writes them: "wp:post_id", "content:encoded", "title"). */
static xmlNode *
child(xmlNode *n, const char *name)
{
	const char *colon = strchr(name, ':');
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *local = colon ? colon + 1 : name;
		if (strcmp((const char *)c->name, local) != 0)
			continue;
		if (colon ? c->ns && c->ns->prefix && strncmp((const char *)c->ns->prefix, name, (size_t)(colon - name)) == 0 &&
		    c->ns->prefix[colon - name] == 0 : !c->ns || !c->ns->prefix)
			return c;
	}
	return NULL;
}

/* The text of a child, "" when absent; in w's arena. */
static const char *
text(struct wxr *w, xmlNode *n, const char *name)
{
	xmlNode *c = child(n, name);
	if (!c)
		return "";
	xmlChar *t = xmlNodeGetContent(c);
	const char *s = arena_strdup(&w->a, t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

static const char *
attr(struct wxr *w, xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	const char *s = arena_strdup(&w->a, v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/* "2020-01-02 10:00:00" (UTC) → Unix time; 0 for the zero date or junk. */
static long long
wp_time(const char *s)
{
	struct tm tm = {0};
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 ||
	    tm.tm_year < 1971)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* A WordPress slug (percent-encoded UTF-8) decoded; a slug from fallback
 * when it is empty or not UTF-8 once decoded. */
static const char *
slug_of(struct wxr *w, const char *wp, const char *fallback)
{
	size_t n = strlen(wp);
	char *out = arena_alloc(&w->a, n + 1);
	long l = url_decode(out, wp, n, false);
	if (l > 0 && utf8_valid(out, (size_t)l) && !memchr(out, '/', (size_t)l)) {
		out[l] = 0;
		const char *s = i18n_slug(&w->a, out);   /* lower case, no spaces: as Gazette's own slugs */
		if (s && *s)
			return s;
	}
	const char *s = i18n_slug(&w->a, fallback);
	return s && *s ? s : "untitled";
}

/* ---- the map of what was made from what ------------------------------------- */

static long long
map_get(struct wxr *w, const char *kind, const char *id)
{
	return db_int1(w->c, 0, "SELECT target_id FROM import_map WHERE source = ? AND kind = ? AND source_id = ?", "sss", w->source, kind, id);
}

static int
map_put(struct wxr *w, const char *kind, const char *id, long long target)
{
	return db_exec(w->c, "INSERT INTO import_map (source, kind, source_id, target_id) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT (source, kind, source_id) DO UPDATE SET target_id = excluded.target_id", "sssi", w->source, kind, id, target) < 0
	    ? -1 : 0;
}

/* ---- authors and terms ---------------------------------------------------------- */

/* An author by login; declared: from the export's list of authors (then
 * counted), else named by a post. */
static long long
author(struct wxr *w, const char *login, const char *name, bool declared)
{
	if (!*login)
		return 0;
	long long id = map_get(w, "author", login);
	if (id) {
		if (*name && db_exec(w->c, "UPDATE authors SET name = ? WHERE id = ?", "si", name, id) < 0)
			return -1;
		w->authors.updated += declared;
		return id;
	}
	const char *slug = slug_of(w, login, login);
	id = db_int1(w->c, 0, "SELECT id FROM authors WHERE slug = ?", "s", slug);   /* the same person already here */
	if (!id)
		id = db_insert(w->c, "INSERT INTO authors (slug, name) VALUES (?, ?) RETURNING id", "ss", slug, *name ? name : login);
	if (id <= 0 || map_put(w, "author", login, id) < 0)
		return -1;
	w->authors.created++;
	return id;
}

/* A category or tag by its slug (written more than once in an export, or
 * already on the site: the same term). */
static long long
term(struct wxr *w, const char *taxonomy, const char *wp_slug, const char *name, bool declared)
{
	const char *kind = strcmp(taxonomy, "tag") == 0 ? "tag" : "category";
	const char *slug = slug_of(w, wp_slug, name);
	long long id = map_get(w, kind, slug);
	if (id) {
		w->terms.skipped += declared;
		return id;
	}
	id = db_int1(w->c, 0, "SELECT term_id FROM term_names WHERE edition = ? AND taxonomy = ? AND slug = ?", "sss", w->edition, taxonomy,
	    slug);
	if (!id) {
		const char *key = slug;
		if (db_int1(w->c, 0, "SELECT count(*) FROM terms WHERE taxonomy = ? AND key = ?", "ss", taxonomy, key) > 0)
			key = arena_printf(&w->a, "%s-wp", slug);
		id = db_insert(w->c, "INSERT INTO terms (taxonomy, key, position) VALUES (?, ?, 0) RETURNING id", "ss", taxonomy, key);
		if (id <= 0 || db_exec(w->c, "INSERT INTO term_names (term_id, edition, taxonomy, name, slug) VALUES (?, ?, ?, ?, ?)", "issss",
		    id, w->edition, taxonomy, *name ? name : slug, slug) != 1)
			return -1;
		w->terms.created++;
	} else
		w->terms.skipped += declared;
	return map_put(w, kind, slug, id) < 0 ? -1 : id;
}

/* <wp:category>: the term, and its parent once both exist. */
static int
category(struct wxr *w, xmlNode *n)
{
	const char *slug = text(w, n, "wp:category_nicename"), *parent = text(w, n, "wp:category_parent");
	long long id = term(w, "category", slug, text(w, n, "wp:cat_name"), true);
	if (id < 0)
		return -1;
	if (*parent) {
		long long pid = term(w, "category", parent, parent, false);
		if (pid < 0 || (pid != id && db_exec(w->c, "UPDATE terms SET parent_id = ? WHERE id = ?", "ii", pid, id) < 0))
			return -1;
	}
	return 0;
}

/* ---- posts ---------------------------------------------------------------------- */

static const char *
status_of(struct wxr *w, const char *wp, bool password)
{
	if (password) {
		w->is_protected++;
		return "private";   /* not public: WordPress asked for a password */
	}
	return strcmp(wp, "publish") == 0 ? "published" : strcmp(wp, "future") == 0 ? "scheduled"
	    : strcmp(wp, "private") == 0 ? "private" : "draft";
}

/* The body and its HTML: Markdown made from the WordPress content. */
static int
write_body(struct wxr *w, long long id, const char *content)
{
	char *md = wp_content_markdown(content);
	size_t hl;
	char *html = md ? md_render(md, strlen(md), MD_ARTICLE, &hl) : NULL;
	int rc = md && html ? (db_exec(w->c, "UPDATE article_bodies SET body_md = ?, body_html = ? WHERE article_id = ?", "ssi", md, html,
	    id) == 1 ? 0 : -1) : -1;
	free(md);
	free(html);
	return rc;
}

/* The path of an absolute URL ("https://old.example/2020/01/x/" → "/2020/01/x/"). */
static const char *
path_of(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? (strchr(p + 3, '/') ? strchr(p + 3, '/') : NULL) : NULL;
}

static int redirect_one(struct wxr *w, const char *from, const char *to);

/* An old address (as the export wrote it, percent-encoded) → to; the
 * redirects table holds decoded paths, as requests are matched. The other
 * form of a trailing slash too: WordPress answered both. */
static int
redirect(struct wxr *w, const char *from, const char *to)
{
	if (!from || !*from || strlen(from) > 1000)
		return 0;
	if (from[0] == '/' && from[1] == '?')
		return redirect_one(w, from, to);
	size_t n = strcspn(from, "?#");
	char *path = arena_alloc(&w->a, n + 2);
	long l = url_decode(path, from, n, false);
	if (l <= 0 || !utf8_valid(path, (size_t)l) || memchr(path, 0, (size_t)l))
		return 0;
	path[l] = 0;
	if (redirect_one(w, path, to) < 0)
		return -1;
	if (l > 1 && path[l - 1] == '/') {
		path[l - 1] = 0;
		return redirect_one(w, path, to);
	}
	return redirect_one(w, arena_cat(&w->a, path, "/", NULL), to);
}

static int
redirect_one(struct wxr *w, const char *from, const char *to)
{
	if (strcmp(from, to) == 0)
		return 0;
	long long had = db_int1(w->c, 0, "SELECT count(*) FROM redirects WHERE from_path = ?", "s", from);
	if (db_exec(w->c, "INSERT INTO redirects (from_path, to_path, created_at) VALUES (?, ?, ?) "
	    "ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path", "ssi", from, to, w->now) < 0)
		return -1;
	if (had)
		w->redirects.updated++;
	else
		w->redirects.created++;
	return 0;
}

struct wp_comment {
	const char *id, *parent, *author, *email, *date, *content, *approved, *type;
};

/* One comment of an article, under its parent (at most max_depth deep:
 * deeper replies go beside the deepest, as Gazette's own do). */
static int
comment(struct wxr *w, long long article, const struct wp_comment *wc)
{
	if (*wc->type && strcmp(wc->type, "comment") != 0) {
		w->pingbacks++;   /* pingbacks and trackbacks: not reader comments */
		return 0;
	}
	const char *status = strcmp(wc->approved, "1") == 0 ? "approved" : strcmp(wc->approved, "spam") == 0 ? "spam"
	    : strcmp(wc->approved, "trash") == 0 ? "deleted" : "pending";
	char *md = wp_content_markdown(wc->content);
	size_t hl;
	char *html = md ? md_render(md, strlen(md), MD_READER, &hl) : NULL;
	long long at = wp_time(wc->date);
	long long id = map_get(w, "comment", wc->id), rc = -1;
	if (!md || !html)
		goto out;
	if (id) {
		const char *old = NULL;
		struct db_stmt *st = db_query(w->c, "SELECT status FROM comments WHERE id = ?", "i", id);
		if (db_row(st))
			old = db_atext(st, 0, &w->a);
		db_done(st);
		if (old && db_exec(w->c, "UPDATE comments SET name = ?, email = ?, body_md = ?, body_html = ?, status = ? WHERE id = ?",
		    "sssssi", wc->author, wc->email, md, html, status, id) == 1 &&
		    db_exec(w->c, "UPDATE articles SET comment_count = comment_count + ? WHERE id = ?", "ii", approved_delta(old, status),
		    article) == 1) {
			w->comments.updated++;
			rc = 0;
		} else if (!old)
			id = 0;   /* removed here since: made again */
		if (old)
			goto out;
	}
	long long parent = strcmp(wc->parent, "0") != 0 && *wc->parent ? map_get(w, "comment", wc->parent) : 0, depth = 1, root = 0;
	for (int hop = 0; parent && hop < 64; hop++) {
		struct db_stmt *st = db_query(w->c, "SELECT coalesce(parent_id, 0), depth, root_id FROM comments WHERE id = ?", "i", parent);
		if (!db_row(st)) {
			db_done(st);
			parent = 0;
			break;
		}
		long long up = db_int(st, 0), d = db_int(st, 1);
		root = db_int(st, 2);
		db_done(st);
		if (d < w->max_depth) {
			depth = d + 1;
			break;
		}
		parent = up;
	}
	id = db_insert(w->c, "INSERT INTO comments (article_id, parent_id, root_id, depth, lang, name, email, body_md, body_html, status, "
	    "created_at, owner_hash, body_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '') RETURNING id", "innissssssi",
	    article, parent, root, depth, w->edition, *wc->author ? wc->author : "Anonymous", wc->email, md, html, status, at ? at : w->now);
	if (id > 0 && (parent || db_exec(w->c, "UPDATE comments SET root_id = id WHERE id = ?", "i", id) == 1) &&
	    db_exec(w->c, "INSERT INTO comment_audit (comment_id, actor, action, to_status, at) VALUES (?, 'import', 'import', ?, ?)", "isi",
		id, status, w->now) >= 0 &&
	    db_exec(w->c, "UPDATE articles SET comment_count = comment_count + ? WHERE id = ?", "ii", approved_delta("pending", status),
		article) == 1 &&
	    map_put(w, "comment", wc->id, id) == 0) {
		w->comments.created++;
		rc = 0;
	}
out:
	free(md);
	free(html);
	return (int)rc;
}

static int
post(struct wxr *w, xmlNode *item)
{
	const char *type = text(w, item, "wp:post_type");
	if (strcmp(type, "post") != 0) {
		w->not_posts++;
		return 0;
	}
	const char *wpid = text(w, item, "wp:post_id"), *title = text(w, item, "title"), *link = text(w, item, "link");
	if (!*wpid) {
		fail(w, "a post without wp:post_id");
		return -1;
	}
	bool password = *text(w, item, "wp:post_password") != 0;
	const char *status = status_of(w, text(w, item, "wp:status"), password);
	long long pub = wp_time(text(w, item, "wp:post_date_gmt"));
	if (!pub)
		pub = wp_time(text(w, item, "wp:post_date"));
	long long mod = wp_time(text(w, item, "wp:post_modified_gmt"));
	if (!pub)
		pub = w->now;
	char *sf_md = wp_content_markdown(text(w, item, "excerpt:encoded"));
	size_t sl;
	char *sf_html = sf_md ? md_render(sf_md, strlen(sf_md), MD_READER, &sl) : NULL;
	char *sf = sf_html ? md_html_text(sf_html, strlen(sf_html)) : NULL;
	const char *standfirst = arena_strdup(&w->a, sf ? sf : "");
	free(sf_md);
	free(sf_html);
	free(sf);
	const char *slug = slug_of(w, text(w, item, "wp:post_name"), *title ? title : arena_printf(&w->a, "post-%s", wpid));
	long long id = map_get(w, "post", wpid);
	if (id && !db_int1(w->c, 0, "SELECT count(*) FROM articles WHERE id = ?", "i", id))
		id = 0;   /* removed here since: made again */
	/* the slug: the post's own unless another story of the edition has it */
	const char *base = slug;
	for (int k = 2; db_int1(w->c, 0, "SELECT count(*) FROM articles WHERE edition = ? AND slug = ? AND id <> ?", "ssi", w->edition, slug,
	    id) > 0 && k < 1000; k++)
		slug = arena_printf(&w->a, "%s-%d", base, k);
	/* category: the first one given; tags: all */
	long long cat = 0;
	long long tags[64];
	int ntags = 0;
	for (xmlNode *c = item->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "category") != 0 || c->ns)
			continue;
		const char *domain = attr(w, c, "domain"), *nice = attr(w, c, "nicename");
		xmlChar *name = xmlNodeGetContent(c);
		const char *nm = arena_strdup(&w->a, name ? (const char *)name : "");
		xmlFree(name);
		if (strcmp(domain, "category") == 0 && !cat)
			cat = term(w, "category", *nice ? nice : nm, nm, false);
		else if (strcmp(domain, "post_tag") == 0 && ntags < 64)
			tags[ntags++] = term(w, "tag", *nice ? nice : nm, nm, false);
		if (cat < 0 || (ntags && tags[ntags - 1] < 0))
			return -1;
	}
	long long au = author(w, text(w, item, "dc:creator"), "", false);
	if (au < 0)
		return -1;
	if (!id) {
		struct article_new an = {.edition = w->edition, .kind = "news", .slug = slug, .title = *title ? title : slug, .standfirst = standfirst,
			.body_md = "", .status = status, .category_id = cat, .published_at = pub,
			.updated_at = mod > pub + 60 ? mod : 0, .created_at = pub};
		id = article_insert(w->c, &an);
		if (id <= 0 || map_put(w, "post", wpid, id) < 0)
			return -1;
		w->posts.created++;
	} else {
		if (db_exec(w->c, "UPDATE articles SET slug = ?, title = ?, standfirst = ?, status = ?, category_id = ?, published_at = ?, "
		    "updated_at = ? WHERE id = ?", "ssssnini", slug, *title ? title : slug, standfirst, status, cat, pub,
		    mod > pub + 60 ? mod : 0, id) != 1)
			return -1;
		w->posts.updated++;
	}
	if (write_body(w, id, text(w, item, "content:encoded")) < 0 ||
	    db_exec(w->c, "DELETE FROM article_tags WHERE article_id = ?", "i", id) < 0 ||
	    db_exec(w->c, "DELETE FROM article_authors WHERE article_id = ?", "i", id) < 0)
		return -1;
	for (int i = 0; i < ntags; i++)
		if (db_exec(w->c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?) ON CONFLICT DO NOTHING", "ii", id, tags[i]) < 0)
			return -1;
	if (au && db_exec(w->c, "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, 0)", "ii", id, au) < 0)
		return -1;
	if (strcmp(text(w, item, "wp:is_sticky"), "1") == 0 && strcmp(status, "published") == 0 &&
	    db_exec(w->c, "INSERT INTO front_pins (edition, position, article_id) SELECT CAST(? AS TEXT), coalesce(max(position), -1) + 1, "
		"CAST(? AS BIGINT) FROM front_pins WHERE edition = ? ON CONFLICT DO NOTHING", "sis", w->edition, id, w->edition) < 0)
		return -1;
	if (listings_sync_unindexed(w->c, id) < 0)
		return -1;
	if (w->nids == w->capids) {
		w->capids = w->capids ? w->capids * 2 : 256;
		w->ids = realloc(w->ids, w->capids * sizeof *w->ids);
	}
	w->ids[w->nids++] = id;
	/* old addresses of a public post answer 301 */
	if (strcmp(status, "published") == 0) {
		const char *to = url_article(&w->a, w->edition, slug, pub);
		if (redirect(w, path_of(link), to) < 0 || redirect(w, arena_printf(&w->a, "/?p=%s", wpid), to) < 0)
			return -1;
	}
	/* comments: parents first (WordPress writes them in id order; a reply
	 * whose parent comes later waits for it) */
	struct wp_comment cs[2048];
	int n = 0;
	for (xmlNode *c = item->children; c && n < 2048; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "comment") == 0 && c->ns)
			cs[n++] = (struct wp_comment){text(w, c, "wp:comment_id"), text(w, c, "wp:comment_parent"), text(w, c, "wp:comment_author"),
				text(w, c, "wp:comment_author_email"), text(w, c, "wp:comment_date_gmt"), text(w, c, "wp:comment_content"),
				text(w, c, "wp:comment_approved"), text(w, c, "wp:comment_type")};
	bool done[2048] = {false};
	for (int pass = 0, left = n; left && pass < 64; pass++)
		for (int i = 0; i < n; i++) {
			if (done[i])
				continue;
			bool parent_waiting = false;
			for (int k = 0; k < n && !parent_waiting; k++)
				parent_waiting = !done[k] && k != i && strcmp(cs[k].id, cs[i].parent) == 0;
			if (parent_waiting)
				continue;
			if (comment(w, id, &cs[i]) < 0)
				return -1;
			done[i] = true;
			left--;
		}
	return 0;
}

/* ---- the file ------------------------------------------------------------------- */

static void
reader_error(void *arg, const char *msg, xmlParserSeverities severity, xmlTextReaderLocatorPtr loc)
{
	struct wxr *w = arg;
	if (severity == XML_PARSER_SEVERITY_ERROR || severity == XML_PARSER_SEVERITY_VALIDITY_ERROR || !w->err[0]) {
		char m[300];
		snprintf(m, sizeof m, "%s", msg ? msg : "error");
		m[strcspn(m, "\n")] = 0;
		if (severity == XML_PARSER_SEVERITY_ERROR)
			fail(w, "%s:%d: not a well-formed export: %s", w->path, xmlTextReaderLocatorLineNumber(loc), m);
	}
}

static int
import_file(struct wxr *w)
{
	xmlTextReaderPtr rd = xmlReaderForFile(w->path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_HUGE);
	if (!rd) {
		fail(w, "%s: cannot be read", w->path);
		return -1;
	}
	xmlTextReaderSetErrorHandler(rd, reader_error, w);
	struct stat sb;
	long long size = stat(w->path, &sb) == 0 ? (long long)sb.st_size : 0;
	bool tty = isatty(2) && size > 0;
	int shown = -1, rc, depth_channel = -1, items = 0;
	bool channel = false, rss = false;
	while ((rc = xmlTextReaderRead(rd)) == 1 && !w->err[0]) {
		if (xmlTextReaderNodeType(rd) != XML_READER_TYPE_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(rd);
		int depth = xmlTextReaderDepth(rd);
		if (depth == 0) {
			rss = strcmp(name, "rss") == 0;
			if (!rss)
				break;
			continue;
		}
		if (depth == 1 && strcmp(name, "channel") == 0) {
			channel = true;
			depth_channel = 1;
			continue;
		}
		if (!channel || depth != depth_channel + 1)
			continue;
		const char *prefix = (const char *)xmlTextReaderConstPrefix(rd);
		bool wp = prefix && strcmp(prefix, "wp") == 0;
		bool wanted = strcmp(name, "item") == 0 || (wp && (strcmp(name, "author") == 0 || strcmp(name, "category") == 0 ||
		    strcmp(name, "tag") == 0 || strcmp(name, "base_site_url") == 0 || strcmp(name, "base_blog_url") == 0));
		if (!wanted)
			continue;
		xmlNode *n = xmlTextReaderExpand(rd);
		if (!n)
			break;   /* the error handler said why */
		int r = 0;
		if (!prefix && strcmp(name, "item") == 0) {
			if (!w->source[0])
				snprintf(w->source, sizeof w->source, "wordpress:%s", w->path);
			r = post(w, n);
			items++;
		} else if (strcmp(name, "base_site_url") == 0 || strcmp(name, "base_blog_url") == 0) {
			xmlChar *t = xmlNodeGetContent(n);
			if (t && *t && (!w->source[0] || strcmp(name, "base_site_url") == 0))
				snprintf(w->source, sizeof w->source, "wordpress:%s", (const char *)t);
			xmlFree(t);
		} else {
			if (!w->source[0]) {
				fail(w, "%s:%d: no wp:base_site_url before the content: is this a WordPress export?", w->path,
				    xmlTextReaderGetParserLineNumber(rd));
				break;
			}
			r = strcmp(name, "author") == 0 ? (author(w, text(w, n, "wp:author_login"), text(w, n, "wp:author_display_name"), true) < 0 ? -1 : 0)
			    : strcmp(name, "category") == 0 ? category(w, n)
			    : term(w, "tag", text(w, n, "wp:tag_slug"), text(w, n, "wp:tag_name"), true) < 0 ? -1 : 0;
		}
		if (r < 0)
			fail(w, "%s:%d: the database refused what this element made (see the log)", w->path, xmlTextReaderGetParserLineNumber(rd));
		arena_reset(&w->a);
		if (tty) {
			int pct = (int)(xmlTextReaderByteConsumed(rd) * 100 / size);
			if (pct != shown)
				fprintf(stderr, "\rimporting %s: %3d%%", w->path, shown = pct > 100 ? 100 : pct);
		}
		xmlTextReaderNext(rd);
	}
	if (tty)
		fputc('\n', stderr);
	if (rc < 0 && !w->err[0])
		fail(w, "%s:%d: not a well-formed export", w->path, xmlTextReaderGetParserLineNumber(rd));
	if (!w->err[0] && (!rss || !channel))
		fail(w, "%s: not a WordPress export (no rss/channel)", w->path);
	xmlFreeTextReader(rd);
	(void)items;
	return w->err[0] ? -1 : 0;
}

static const char import_help[] =
	"usage: gazette import wordpress FILE.xml [--db DB] [--edition CODE] [--dry-run]\n"
	"Imports a WordPress export (Tools > Export, WXR 1.1 or 1.2) into one\n"
	"edition: posts with their authors, categories, tags and comments; each\n"
	"public post's old address and ?p=ID answer 301 to its new one. All of\n"
	"it in one transaction: a malformed file changes nothing. Importing the\n"
	"same or a newer export again updates what it made and adds the rest.\n"
	"  --db DB          database (default gazette.db; env GAZETTE_DB)\n"
	"  --edition CODE   where everything lands (default: the default edition)\n"
	"  --dry-run        say what would be created, updated and skipped\n";

int
cmd_import(int argc, char **argv, const char *db_path)
{
	const char *file = NULL, *edition = NULL;
	bool dry = false;
	if (argc < 1 || strcmp(argv[0], "wordpress") != 0) {
		fputs(argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) ? import_help : "gazette: import wants 'wordpress FILE.xml'\n",
		    argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) ? stdout : stderr);
		return argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) ? 0 : 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(import_help, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--edition") == 0 && i + 1 < argc)
			edition = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "gazette: import: unexpected '%s'\n%s", argv[i], import_help);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "gazette: import: which file?\n%s", import_help);
		return 2;
	}
	if (access(file, R_OK) != 0) {
		fprintf(stderr, "gazette: import: %s cannot be read\n", file);
		return 1;
	}
	struct db *db = cli_open_db(db_path);
	if (!db)
		return 1;
	struct site_config cfg = {NULL};
	if (site_init(db, &cfg) < 0) {
		fprintf(stderr, "gazette: import: the database has no editions (load some with 'gazette demo' or 'gazette init')\n");
		db_close(db);
		return 1;
	}
	const struct edition *ed = edition ? edition_find(edition) : edition_default();
	if (!ed) {
		fprintf(stderr, "gazette: import: no edition '%s'\n", edition ? edition : "");
		site_shutdown();
		db_close(db);
		return 1;
	}
	struct wxr w = {.path = file, .edition = ed->code, .dry_run = dry, .now = (long long)time(NULL)};
	w.c = db_acquire(db);
	w.max_depth = setting_int(w.c, "comments.max_depth");
	int rc = 1;
	if (db_begin(w.c) < 0) {
		fprintf(stderr, "gazette: import: cannot begin a transaction\n");
		goto out;
	}
	if (import_file(&w) < 0) {
		db_rollback(w.c);
		fprintf(stderr, "gazette: import: %s; nothing was changed\n", w.err);
		goto out;
	}
	/* the search index last: FTS5 flushes at every statement after a write */
	for (size_t i = 0; i < w.nids; i++)
		if (search_sync(w.c, w.ids[i]) < 0) {
			db_rollback(w.c);
			fprintf(stderr, "gazette: import: the search index could not be written; nothing was changed\n");
			goto out;
		}
	struct inval iv = {0};
	inval_add(&iv, "*");   /* running servers: every page may list what came in */
	if (dry) {
		db_rollback(w.c);
		inval_discard(&iv);
	} else if (inval_record(w.c, &iv) < 0 || db_commit(w.c) < 0) {
		db_rollback(w.c);
		inval_discard(&iv);
		fprintf(stderr, "gazette: import: the transaction could not be committed; nothing was changed\n");
		goto out;
	} else
		inval_apply(&iv);
	printf("%s%s into edition %s:\n", dry ? "would import " : "imported ", file, ed->code);
	printf("  posts      %d created, %d updated (%d password-protected: kept private)\n", w.posts.created, w.posts.updated, w.is_protected);
	printf("  comments   %d created, %d updated, %d pingbacks/trackbacks skipped\n", w.comments.created, w.comments.updated, w.pingbacks);
	printf("  terms      %d created, %d already here\n", w.terms.created, w.terms.skipped);
	printf("  authors    %d created, %d updated\n", w.authors.created, w.authors.updated);
	printf("  redirects  %d created, %d updated\n", w.redirects.created, w.redirects.updated);
	printf("  skipped    %d items that are not posts (pages, attachments, menus: not imported yet)\n", w.not_posts);
	rc = 0;
out:
	free(w.ids);
	arena_free(&w.a);
	db_release(w.c);
	site_shutdown();
	db_close(db);
	return rc;
}
