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
 * Pages keep their parents; attachments found on disk become pictures,
 * and featured images and picture addresses in texts follow them;
 * Polylang's languages and translations become editions and groups. */
#include "site.h"
#include "comments.h"
#include "core/i18n.h"
#include "core/image.h"
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

char *wp_content_markdown(const char *content);   /* wp_content.c */

struct tally {
	int created, updated, skipped;
};

/* A page kept until the whole file is read: its parent may come later,
 * and its address is known only once the parent is in. */
struct wp_page {
	long long id;
	char *wpid, *parent, *link;   /* malloc'd */
	bool public;
};

/* An uploaded file of the export, once made a picture here. */
struct wp_upload {
	char *rel;                    /* "2024/03/pier.jpg", malloc'd */
	long long media;
};

struct wp_lang {
	char slug[32], name[64], locale[32];
};

struct wxr {
	struct db_conn *c;
	const char *path, *edition, *uploads;
	const char *base_edition;     /* --edition's, or the default */
	bool fixed_edition;           /* --edition given: Polylang's languages are not followed */
	char group_key[128];          /* the item's Polylang translation group, "" if none */
	struct wp_lang langs[32];
	size_t nlangs;
	int new_editions;
	char source[512];
	bool dry_run, skip_pingbacks, with_accounts;
	long long now, max_depth;
	struct tally posts, pages, comments, terms, authors, redirects, media, accounts;
	int is_protected, not_posts, pingbacks, page_comments;
	struct wp_page *pagev;
	size_t npages;
	struct wp_upload *upv;
	size_t nups;
	struct {
		long long article;
		char *wpid;
	} *thumbs;                    /* featured images, resolved at the end */
	size_t nthumbs;
	char **missing;               /* files the export names and --uploads lacks */
	size_t nmissing;
	long long *made_media;        /* pictures made: their copies go if the import does not commit */
	size_t nmade;
	long long *bodies;            /* articles whose bodies name uploaded files */
	size_t nbodies;
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
	vsnprintf(w->err, sizeof w->err, fmt, ap);   // NOLINT(clang-analyzer-valist.Uninitialized): started on the line above
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

/* Appends one element of size sz to *v (n elements), growing by doubling. */
static void *
push(void *v, size_t *n, size_t sz)
{
	if ((*n & (*n - 1)) == 0)
		v = xrealloc(v, (*n ? *n * 2 : 1) * sz);
	(*n)++;
	return v;
}

/* A post's custom field (<wp:postmeta>), "" when absent. */
static const char *
meta(struct wxr *w, xmlNode *item, const char *key)
{
	for (xmlNode *c = item->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "postmeta") == 0 && strcmp(text(w, c, "wp:meta_key"), key) == 0)
			return text(w, c, "wp:meta_value");
	return "";
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
		/* a term met again in another edition (Polylang): named there too */
		if (db_exec(w->c, "INSERT INTO term_names (term_id, edition, taxonomy, name, slug) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		    "issss", id, w->edition, taxonomy, *name ? name : slug, slug) < 0)
			return -1;
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
	const char *id, *parent, *author, *email, *date, *content, *approved, *type, *url;
};

/* One comment of an article, under its parent (at most max_depth deep:
 * deeper replies go beside the deepest, as Gazette's own do). */
static int
comment(struct wxr *w, long long article, const struct wp_comment *wc)
{
	const char *kind = !*wc->type || strcmp(wc->type, "comment") == 0 ? "comment" : strcmp(wc->type, "trackback") == 0 ? "trackback"
	    : strcmp(wc->type, "pingback") == 0 ? "pingback" : NULL;
	if (!kind || (w->skip_pingbacks && strcmp(kind, "comment") != 0)) {
		w->pingbacks++;   /* skipped: asked to, or a type of a plugin's own */
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
		}
		if (old)
			goto out;
		/* removed here since: made again */
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
	/* a pingback's address: shown as a link, so only http(s) */
	const char *url = strncmp(wc->url, "http://", 7) == 0 || strncmp(wc->url, "https://", 8) == 0 ? wc->url : "";
	id = db_insert(w->c, "INSERT INTO comments (article_id, parent_id, root_id, depth, lang, name, email, body_md, body_html, status, "
	    "created_at, owner_hash, body_hash, kind, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?) RETURNING id", "innissssssiss",
	    article, parent, root, depth, w->edition, *wc->author ? wc->author : "Anonymous", wc->email, md, html, status, at ? at : w->now,
	    kind, url);
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
	/* by the export's id, else by its GUID (an export of the same site
	 * after a database move numbers its posts anew) */
	const char *guid = text(w, item, "guid");
	long long id = map_get(w, "post", wpid);
	if (!id && *guid)
		id = map_get(w, "post-guid", guid);
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
		if (id <= 0)
			return -1;
		w->posts.created++;
	} else {
		if (db_exec(w->c, "UPDATE articles SET slug = ?, title = ?, standfirst = ?, status = ?, category_id = ?, published_at = ?, "
		    "updated_at = ? WHERE id = ?", "ssssnini", slug, *title ? title : slug, standfirst, status, cat, pub,
		    mod > pub + 60 ? mod : 0, id) != 1)
			return -1;
		w->posts.updated++;
	}
	if (map_put(w, "post", wpid, id) < 0 || (*guid && map_put(w, "post-guid", guid, id) < 0))
		return -1;
	if (write_body(w, id, text(w, item, "content:encoded")) < 0 ||
	    db_exec(w->c, "DELETE FROM article_tags WHERE article_id = ?", "i", id) < 0 ||
	    db_exec(w->c, "DELETE FROM article_authors WHERE article_id = ?", "i", id) < 0)
		return -1;
	for (int i = 0; i < ntags; i++)
		if (db_exec(w->c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?) ON CONFLICT DO NOTHING", "ii", id, tags[i]) < 0)
			return -1;
	if (au && db_exec(w->c, "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, 0)", "ii", id, au) < 0)
		return -1;
	/* Polylang: the story's translations share a group */
	if (*w->group_key) {
		long long group = map_get(w, "translation", w->group_key);
		if (!group && ((group = db_insert(w->c, "INSERT INTO translation_groups (key) VALUES (NULL) RETURNING id", "")) <= 0 ||
		    map_put(w, "translation", w->group_key, group) < 0))
			return -1;
		if (db_exec(w->c, "UPDATE articles SET translation_group = ? WHERE id = ?", "ii", group, id) != 1)
			return -1;
	}
	/* the featured image and pictures in the text: once the files are in */
	const char *thumb = meta(w, item, "_thumbnail_id");
	if (*thumb) {
		w->thumbs = push(w->thumbs, &w->nthumbs, sizeof *w->thumbs);
		w->thumbs[w->nthumbs - 1].article = id;
		w->thumbs[w->nthumbs - 1].wpid = xstrdup(thumb);
	}
	if (strstr(text(w, item, "content:encoded"), "/wp-content/uploads/")) {
		w->bodies = push(w->bodies, &w->nbodies, sizeof *w->bodies);
		w->bodies[w->nbodies - 1] = id;
	}
	if (strcmp(text(w, item, "wp:is_sticky"), "1") == 0 && strcmp(status, "published") == 0 &&
	    db_exec(w->c, "INSERT INTO front_pins (edition, position, article_id) SELECT CAST(? AS TEXT), coalesce(max(position), -1) + 1, "
		"CAST(? AS BIGINT) FROM front_pins WHERE edition = ? ON CONFLICT DO NOTHING", "sis", w->edition, id, w->edition) < 0)
		return -1;
	if (listings_sync_unindexed(w->c, id) < 0)
		return -1;
	if (w->nids == w->capids) {
		w->capids = w->capids ? w->capids * 2 : 256;
		w->ids = xrealloc(w->ids, w->capids * sizeof *w->ids);
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
				text(w, c, "wp:comment_approved"), text(w, c, "wp:comment_type"), text(w, c, "wp:comment_author_url")};
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

/* ---- pages ---------------------------------------------------------------------- */

/* <item> of type page: a standing page of the edition. Its parent and its
 * old addresses wait for the end of the file (pages_finish). */
static int
page_item(struct wxr *w, xmlNode *item)
{
	const char *wpid = text(w, item, "wp:post_id"), *title = text(w, item, "title");
	if (!*wpid) {
		fail(w, "a page without wp:post_id");
		return -1;
	}
	const char *wst = text(w, item, "wp:status");
	bool password = *text(w, item, "wp:post_password") != 0;
	w->is_protected += password;
	const char *status = password || strcmp(wst, "private") == 0 ? "private" : strcmp(wst, "publish") == 0 ? "published" : "draft";
	const char *guid = text(w, item, "guid");
	long long id = map_get(w, "page", wpid);
	if (!id && *guid)
		id = map_get(w, "page-guid", guid);
	if (id && !db_int1(w->c, 0, "SELECT count(*) FROM pages WHERE id = ? AND edition = ?", "is", id, w->edition))
		id = 0;   /* removed here since (or another edition): made again */
	char *md = wp_content_markdown(text(w, item, "content:encoded"));
	if (!md)
		return -1;
	const char *parent_wp = text(w, item, "wp:post_parent");
	long long parent = *parent_wp && strcmp(parent_wp, "0") != 0 ? map_get(w, "page", parent_wp) : 0;
	if (parent && !db_int1(w->c, 0, "SELECT count(*) FROM pages WHERE id = ? AND edition = ?", "is", parent, w->edition))
		parent = 0;
	long long pub = wp_time(text(w, item, "wp:post_date_gmt"));
	const char *base = slug_of(w, text(w, item, "wp:post_name"), *title ? title : arena_printf(&w->a, "page-%s", wpid));
	struct static_page pg = {.id = id, .parent = parent, .created_at = pub, .edition = w->edition, .slug = base,
		.title = *title ? title : base, .body_md = md, .status = status, .position = atoi(text(w, item, "wp:menu_order"))};
	struct inval iv = {0};   /* the import drops every cached page at the end */
	long long got = -1;
	int why = 0;
	for (int k = 1; k < 100; k++) {
		got = page_store(w->c, &iv, &pg, w->now, &why);
		if (got > 0 || (why != PAGE_TAKEN && why != PAGE_RESERVED))
			break;
		/* the address is another page's, or one of the site's own */
		pg.slug = why == PAGE_RESERVED && k == 1 ? arena_cat(&w->a, base, "-page", NULL) : arena_printf(&w->a, "%s-%d", base, k + 1);
	}
	inval_discard(&iv);
	free(md);
	if (got <= 0 || map_put(w, "page", wpid, got) < 0 || (*guid && map_put(w, "page-guid", guid, got) < 0))
		return -1;
	if (id)
		w->pages.updated++;
	else
		w->pages.created++;
	for (xmlNode *c = item->children; c; c = c->next)
		w->page_comments += c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "comment") == 0 && c->ns;
	w->pagev = push(w->pagev, &w->npages, sizeof *w->pagev);
	w->pagev[w->npages - 1] = (struct wp_page){got, xstrdup(wpid), parent ? NULL : *parent_wp && strcmp(parent_wp, "0") != 0
		? xstrdup(parent_wp) : NULL, xstrdup(text(w, item, "link")), strcmp(status, "published") == 0};
	return 0;
}

/* After the last item: parents that came after their children, then the
 * old addresses (permalink and ?page_id=) of every public page. */
static int
pages_finish(struct wxr *w)
{
	for (size_t i = 0; i < w->npages; i++) {
		struct wp_page *p = &w->pagev[i];
		long long parent = p->parent ? map_get(w, "page", p->parent) : 0;
		if (!parent)
			continue;
		struct static_page pg = {0};
		struct db_stmt *st = db_query(w->c, "SELECT edition, slug, title, body_md, status, in_footer, position FROM pages WHERE id = ?",
		    "i", p->id);
		bool found = db_row(st);
		if (found) {
			pg = (struct static_page){.id = p->id, .parent = parent, .edition = db_atext(st, 0, &w->a), .slug = db_atext(st, 1, &w->a),
				.title = db_atext(st, 2, &w->a), .body_md = db_atext(st, 3, &w->a), .status = db_atext(st, 4, &w->a),
				.in_footer = db_int(st, 5) != 0, .position = (int)db_int(st, 6), .quiet = true};
		}
		db_done(st);
		struct inval iv = {0};
		int why;
		long long got = found ? page_store(w->c, &iv, &pg, w->now, &why) : 0;
		inval_discard(&iv);
		if (got < 0 && why != PAGE_BAD_PARENT && why != PAGE_LOOP && why != PAGE_TOO_DEEP && why != PAGE_TAKEN)
			return -1;   /* a parent of another edition, or a loop in the export: the page stays at the top */
		arena_reset(&w->a);
	}
	for (size_t i = 0; i < w->npages; i++) {
		struct wp_page *p = &w->pagev[i];
		if (!p->public)
			continue;
		struct db_stmt *st = db_query(w->c, "SELECT edition, path FROM pages WHERE id = ?", "i", p->id);
		const char *to = db_row(st) ? url_page(&w->a, db_text(st, 0), db_text(st, 1)) : NULL;
		db_done(st);
		if (to && (redirect(w, path_of(p->link), to) < 0 || redirect(w, arena_printf(&w->a, "/?page_id=%s", p->wpid), to) < 0 ||
		    redirect(w, arena_printf(&w->a, "/?p=%s", p->wpid), to) < 0))
			return -1;
		arena_reset(&w->a);
	}
	return 0;
}

/* ---- attachments -------------------------------------------------------------- */

/* The part of an address after /wp-content/uploads/ ("2024/03/pier.jpg"),
 * NULL if there is none or it could climb out of a folder. */
static const char *
upload_rel(struct wxr *w, const char *url)
{
	const char *p = strstr(url, "/wp-content/uploads/");
	if (!p)
		return NULL;
	p += strlen("/wp-content/uploads/");
	size_t n = strcspn(p, "?#");
	char *rel = arena_alloc(&w->a, n + 1);
	long l = url_decode(rel, p, n, false);
	if (l <= 0)
		return NULL;
	rel[l] = 0;
	if (strstr(rel, "..") || rel[0] == '/' || strchr(rel, '\\') || memchr(rel, 0, (size_t)l))
		return NULL;
	return rel;
}

/* The file of rel under --uploads, else next to the export (in the same
 * folder, or its uploads/ or wp-content/uploads/); NULL when none. */
static const char *
upload_file(struct wxr *w, const char *rel)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", w->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof dir, ".");
	const char *tries[4] = {
		w->uploads ? arena_cat(&w->a, w->uploads, "/", rel, NULL) : NULL,
		arena_cat(&w->a, dir, "/", rel, NULL),
		arena_cat(&w->a, dir, "/uploads/", rel, NULL),
		arena_cat(&w->a, dir, "/wp-content/uploads/", rel, NULL),
	};
	for (int i = w->uploads ? 0 : 1; i < 4; i++) {
		struct stat sb;
		if (tries[i] && stat(tries[i], &sb) == 0 && S_ISREG(sb.st_mode))
			return tries[i];
	}
	return NULL;
}

#define UPLOAD_MAX_BYTES (64 << 20)

/* <item> of type attachment: the file becomes a picture of the library,
 * with its alt text and caption in the item's edition. Nothing is fetched
 * from the network; a missing or unusable file is listed, not fatal. */
static int
attachment(struct wxr *w, xmlNode *item)
{
	const char *wpid = text(w, item, "wp:post_id"), *url = text(w, item, "wp:attachment_url");
	const char *attached = meta(w, item, "_wp_attached_file");
	const char *rel = *attached && !strstr(attached, "..") && attached[0] != '/' ? attached : upload_rel(w, url);
	if (!*wpid || !rel) {
		w->media.skipped++;
		return 0;
	}
	long long id = map_get(w, "attachment", wpid);
	if (id && !db_int1(w->c, 0, "SELECT count(*) FROM media WHERE id = ?", "i", id))
		id = 0;
	if (id)
		w->media.updated++;
	else {
		const char *file = upload_file(w, rel);
		FILE *f = file ? fopen(file, "rb") : NULL;
		struct stat sb;
		if (!f || fstat(fileno(f), &sb) != 0 || sb.st_size <= 0 || sb.st_size > UPLOAD_MAX_BYTES) {
			if (f)
				fclose(f);
			w->missing = push(w->missing, &w->nmissing, sizeof *w->missing);
			w->missing[w->nmissing - 1] = xstrdup(f ? arena_cat(&w->a, rel, " (empty or larger than 64 MB)", NULL) : rel);
			return 0;
		}
		char *data = xmalloc((size_t)sb.st_size);
		bool ok = fread(data, 1, (size_t)sb.st_size, f) == (size_t)sb.st_size;
		fclose(f);
		char err[256] = "";
		const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		id = ok ? media_store_in(w->c, data, (size_t)sb.st_size, base, 0, err, sizeof err) : MEDIA_REFUSED;
		free(data);
		if (id == MEDIA_REFUSED) {
			w->missing = push(w->missing, &w->nmissing, sizeof *w->missing);
			w->missing[w->nmissing - 1] = xstrdup(arena_cat(&w->a, rel, " (not a usable JPEG, PNG or WebP picture)", NULL));
			return 0;
		}
		if (id < 0) {
			fail(w, "%s: the picture could not be stored (%s)", rel, err);
			return -1;
		}
		w->made_media = push(w->made_media, &w->nmade, sizeof *w->made_media);
		w->made_media[w->nmade - 1] = id;
		if (map_put(w, "attachment", wpid, id) < 0)
			return -1;
		w->media.created++;
	}
	const char *alt = meta(w, item, "_wp_attachment_image_alt");
	char *cap_md = wp_content_markdown(text(w, item, "excerpt:encoded"));
	size_t hl;
	char *cap_html = cap_md ? md_render(cap_md, strlen(cap_md), MD_READER, &hl) : NULL;
	char *caption = cap_html ? md_html_text(cap_html, strlen(cap_html)) : NULL;
	int rc = db_exec(w->c, "INSERT INTO media_texts (media_id, edition, alt, caption, credit) VALUES (?, ?, ?, ?, '') "
	    "ON CONFLICT (media_id, edition) DO UPDATE SET alt = excluded.alt, caption = excluded.caption", "isss", id, w->edition, alt,
	    caption ? caption : "") == 1 ? 0 : -1;
	free(cap_md);
	free(cap_html);
	free(caption);
	w->upv = push(w->upv, &w->nups, sizeof *w->upv);
	w->upv[w->nups - 1] = (struct wp_upload){xstrdup(rel), id};
	return rc;
}

/* The picture made from rel, or from rel without WordPress's size suffix
 * ("pier-300x200.jpg" is a copy of "pier.jpg"); 0 if none. */
static long long
upload_media(struct wxr *w, const char *rel, size_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < w->nups; i++)
			if (strlen(w->upv[i].rel) == n && memcmp(w->upv[i].rel, rel, n) == 0)
				return w->upv[i].media;
		/* "-WxH" just before the extension */
		const char *dot = memrchr(rel, '.', n), *dash = dot ? memrchr(rel, '-', (size_t)(dot - rel)) : NULL;
		if (pass || !dash)
			break;
		const char *x = memchr(dash, 'x', (size_t)(dot - dash));
		if (!x || x == dash + 1 || x + 1 == dot || strspn(dash + 1, "0123456789") != (size_t)(x - dash - 1) ||
		    strspn(x + 1, "0123456789") != (size_t)(dot - x - 1))
			break;
		char *plain = arena_alloc(&w->a, n);
		size_t k = (size_t)(dash - rel);
		memcpy(plain, rel, k);
		memcpy(plain + k, dot, (size_t)(rel + n - dot));
		n = k + (size_t)(rel + n - dot);
		rel = plain;
	}
	return 0;
}

/* After the last item: featured images, and the addresses of uploaded
 * files in imported texts turned into the pictures made from them. */
static int
media_finish(struct wxr *w)
{
	for (size_t i = 0; i < w->nthumbs; i++) {
		long long m = map_get(w, "attachment", w->thumbs[i].wpid);
		if (m && db_exec(w->c, "UPDATE articles SET featured_media_id = ? WHERE id = ?", "ii", m, w->thumbs[i].article) != 1)
			return -1;
	}
	for (size_t i = 0; i < w->nbodies; i++) {
		struct db_stmt *st = db_query(w->c, "SELECT body_md FROM article_bodies WHERE article_id = ?", "i", w->bodies[i]);
		const char *md = db_row(st) ? db_atext(st, 0, &w->a) : NULL;
		db_done(st);
		if (!md)
			continue;
		struct buf out = {0};
		bool changed = false;
		const char *p = md, *hit;
		while ((hit = strstr(p, "/wp-content/uploads/"))) {
			/* the whole address around it: back to "(" or a space, on to ")" or a space */
			const char *start = hit, *end = hit + strcspn(hit, " )\"'\n<>");
			while (start > p && !strchr(" (\"'\n<>", start[-1]))
				start--;
			const char *rel = hit + strlen("/wp-content/uploads/");
			long long m = rel < end ? upload_media(w, rel, (size_t)(end - rel)) : 0;
			const char *src = NULL;
			if (m) {
				struct db_stmt *ms = db_query(w->c, "SELECT format, widths FROM media WHERE id = ?", "i", m);
				if (db_row(ms)) {
					/* the widest copy up to 960 pixels, else the narrowest */
					long long best = 0, least = 0;
					char *ws = arena_strdup(&w->a, db_text(ms, 1)), *save = NULL;
					for (char *t = strtok_r(ws, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
						long long v = atoll(t);
						if (v <= 960 && v > best)
							best = v;
						if (!least || v < least)
							least = v;
					}
					src = arena_printf(&w->a, "/media/%lld/%lld.%s", m, best ? best : least, strcmp(db_text(ms, 0), "png") == 0 ? "png" : "jpg");
				}
				db_done(ms);
			}
			buf_raw(&out, p, (size_t)((src ? start : end) - p));
			if (src) {
				buf_puts(&out, src);
				changed = true;
			}
			p = end;
		}
		buf_puts(&out, p);
		if (changed) {
			size_t hl;
			char *html = md_render(out.s, out.len, MD_ARTICLE, &hl);
			int rc = db_exec(w->c, "UPDATE article_bodies SET body_md = ?, body_html = ? WHERE article_id = ?", "ssi", out.s, html,
			    w->bodies[i]);
			free(html);
			if (rc != 1) {
				buf_free(&out);
				return -1;
			}
		}
		buf_free(&out);
		arena_reset(&w->a);
	}
	return 0;
}

/* ---- accounts and languages ------------------------------------------------------ */

/* <wp:author> with --with-accounts: a staff account without a password
 * (its owner sets one with "Forgot your password?"), role author. */
static int
account(struct wxr *w, xmlNode *n)
{
	const char *login = text(w, n, "wp:author_login"), *email = text(w, n, "wp:author_email");
	const char *name = text(w, n, "wp:author_display_name");
	if (!*login || !email_plausible(email)) {
		w->accounts.skipped++;
		return 0;
	}
	const char *lower = i18n_fold(&w->a, email);
	long long id = db_int1(w->c, 0, "SELECT id FROM users WHERE email = ?", "s", lower);
	if (id) {
		w->accounts.skipped++;   /* someone here already: left as they are */
		return map_put(w, "account", login, id);
	}
	id = db_insert(w->c, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, 'author', '!imported', ?) "
	    "RETURNING id", "ssi", lower, *name ? name : login, w->now);
	if (id <= 0 || map_put(w, "account", login, id) < 0)
		return -1;
	if (w->fixed_edition && db_exec(w->c, "INSERT INTO user_editions (user_id, edition) VALUES (?, ?)", "is", id, w->edition) != 1)
		return -1;
	w->accounts.created++;
	return 0;
}

/* Polylang's <wp:term> of taxonomy language: its locale, for an edition
 * made from it ("a:3:{s:6:"locale";s:5:"es_ES";…}", PHP's serialisation). */
static void
language_term(struct wxr *w, xmlNode *n)
{
	if (strcmp(text(w, n, "wp:term_taxonomy"), "language") != 0 || w->nlangs == sizeof w->langs / sizeof *w->langs)
		return;
	const char *desc = text(w, n, "wp:term_description"), *loc = strstr(desc, "\"locale\";s:");
	char locale[32] = "";
	if (loc) {
		const char *q = strchr(loc + 11, '"');
		size_t k = q ? strcspn(q + 1, "\"") : 0;
		if (q && k < sizeof locale)
			snprintf(locale, sizeof locale, "%.*s", (int)k, q + 1);
	}
	struct wp_lang *l = &w->langs[w->nlangs++];
	snprintf(l->slug, sizeof l->slug, "%s", text(w, n, "wp:term_slug"));
	snprintf(l->name, sizeof l->name, "%s", text(w, n, "wp:term_name"));
	snprintf(l->locale, sizeof l->locale, "%s", locale);
}

/* The edition of an item: --edition's; else its Polylang language's (an
 * edition made for a language the site lacks); else the default. Also
 * its Polylang translation group. */
static int
item_language(struct wxr *w, xmlNode *item)
{
	w->group_key[0] = 0;
	w->edition = w->base_edition;
	for (xmlNode *c = item->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "category") != 0 || c->ns)
			continue;
		const char *domain = attr(w, c, "domain"), *nice = attr(w, c, "nicename");
		if (strcmp(domain, "post_translations") == 0 && *nice)
			snprintf(w->group_key, sizeof w->group_key, "%s", nice);
		if (strcmp(domain, "language") != 0 || !*nice || w->fixed_edition)
			continue;
		const char *code = i18n_fold(&w->a, nice);
		if (strlen(code) > 7 || strspn(code, "abcdefghijklmnopqrstuvwxyz-") != strlen(code)) {
			fail(w, "the language '%s' cannot be an edition code (a-z and -, at most 7)", nice);
			return -1;
		}
		if (!db_int1(w->c, 0, "SELECT count(*) FROM editions WHERE code = ?", "s", code)) {
			const char *name = code, *locale = code;
			for (size_t i = 0; i < w->nlangs; i++)
				if (strcmp(w->langs[i].slug, nice) == 0) {
					name = *w->langs[i].name ? w->langs[i].name : code;
					locale = *w->langs[i].locale ? w->langs[i].locale : code;
				}
			if (db_exec(w->c, "INSERT INTO editions (code, name, locale, position, is_default) SELECT CAST(? AS TEXT), CAST(? AS TEXT), "
			    "CAST(? AS TEXT), coalesce(max(position), 0) + 1, 0 FROM editions", "sss", code, name, locale) != 1)
				return -1;
			w->new_editions++;
		}
		w->edition = arena_strdup(&w->a, code);
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
		    strcmp(name, "tag") == 0 || strcmp(name, "term") == 0 || strcmp(name, "base_site_url") == 0 ||
		    strcmp(name, "base_blog_url") == 0));
		if (!wanted)
			continue;
		xmlNode *n = xmlTextReaderExpand(rd);
		if (!n)
			break;   /* the error handler said why */
		int r = 0;
		if (!prefix && strcmp(name, "item") == 0) {
			if (!w->source[0])
				snprintf(w->source, sizeof w->source, "wordpress:%s", w->path);
			const char *type = text(w, n, "wp:post_type");
			bool known = strcmp(type, "post") == 0 || strcmp(type, "page") == 0 || strcmp(type, "attachment") == 0;
			if (!known)
				w->not_posts++;
			else if ((r = item_language(w, n)) == 0)
				r = type[0] == 'p' && type[1] == 'o' ? post(w, n) : type[0] == 'p' ? page_item(w, n) : attachment(w, n);
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
			w->edition = w->base_edition;
			if (strcmp(name, "author") == 0) {
				r = author(w, text(w, n, "wp:author_login"), text(w, n, "wp:author_display_name"), true) < 0 ? -1 : 0;
				if (r == 0 && w->with_accounts)
					r = account(w, n);
			} else if (strcmp(name, "term") == 0)
				language_term(w, n);   /* other taxonomies' terms come with the items that use them */
			else
				r = strcmp(name, "category") == 0 ? category(w, n)
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
	if (!w->err[0] && (pages_finish(w) < 0 || media_finish(w) < 0))
		fail(w, "%s: the database refused the pages' parents, their old addresses or the pictures (see the log)", w->path);
	xmlFreeTextReader(rd);
	(void)items;
	return w->err[0] ? -1 : 0;
}

static const char import_help[] =
	"usage: gazette import wordpress FILE.xml [--db DB] [--edition CODE] [--uploads DIR]\n"
	"                                [--media-dir DIR] [--with-accounts] [--skip-pingbacks] [--dry-run]\n"
	"Imports a WordPress export (Tools > Export, WXR 1.1 or 1.2): posts with\n"
	"their authors, categories, tags and comments (pingbacks and trackbacks\n"
	"kept as such), pages with their parents, attachments as pictures (the\n"
	"files, never fetched: from --uploads or next to the export) and featured\n"
	"images. Polylang's languages become editions and its translations\n"
	"translation groups, unless --edition puts everything in one edition.\n"
	"Each public post's and page's old address, ?p=ID and ?page_id=ID answer\n"
	"301 to the new one. All of it in one transaction: a malformed file\n"
	"changes nothing. Importing the same or a newer export again updates what\n"
	"it made and adds the rest.\n"
	"  --db DB           database (default gazette.db; env GAZETTE_DB)\n"
	"  --edition CODE    where everything lands (default: Polylang's languages,\n"
	"                    else the default edition)\n"
	"  --uploads DIR     the site's wp-content/uploads folder\n"
	"  --media-dir DIR   where pictures are kept (as gazette serve's; default ./media)\n"
	"  --with-accounts   a staff account (role author, no password) per author\n"
	"  --skip-pingbacks  leave pingbacks and trackbacks out\n"
	"  --dry-run         say what would be created, updated and skipped\n";

int
cmd_import(int argc, char **argv, const char *db_path)
{
	const char *file = NULL, *edition = NULL, *uploads = NULL;
	bool dry = false, accounts = false, skip_pings = false;
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
		else if (strcmp(argv[i], "--uploads") == 0 && i + 1 < argc)
			uploads = argv[++i];
		else if (strcmp(argv[i], "--media-dir") == 0 && i + 1 < argc)
			media_dir_set(argv[++i]);
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else if (strcmp(argv[i], "--with-accounts") == 0)
			accounts = true;
		else if (strcmp(argv[i], "--skip-pingbacks") == 0)
			skip_pings = true;
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
	struct stat usb;
	if (uploads && (stat(uploads, &usb) != 0 || !S_ISDIR(usb.st_mode))) {
		fprintf(stderr, "gazette: import: --uploads %s is not a folder\n", uploads);
		return 1;
	}
	if (image_init() < 0) {
		fprintf(stderr, "gazette: import: libvips could not start\n");
		return 1;
	}
	struct db *db = cli_open_db(db_path);
	if (!db) {
		image_shutdown();
		return 1;
	}
	struct site_config cfg = {NULL};
	if (site_init(db, &cfg) < 0) {
		fprintf(stderr, "gazette: import: the database has no editions (load some with 'gazette demo' or 'gazette init')\n");
		db_close(db);
		image_shutdown();
		return 1;
	}
	const struct edition *ed = edition ? edition_find(edition) : edition_default();
	if (!ed) {
		fprintf(stderr, "gazette: import: no edition '%s'\n", edition ? edition : "");
		site_shutdown();
		db_close(db);
		image_shutdown();
		return 1;
	}
	struct import_options io = {.file = file, .edition = ed->code, .fixed_edition = edition != NULL, .uploads = uploads,
		.dry_run = dry, .with_accounts = accounts, .skip_pingbacks = skip_pings};
	int rc = import_wordpress_run(db, &io, stdout);
	site_shutdown();
	db_close(db);
	image_shutdown();
	return rc;
}

int
import_wordpress_run(struct db *db, const struct import_options *o, FILE *out)
{
	const char *file = o->file;
	bool dry = o->dry_run;
	struct wxr w = {.path = file, .edition = o->edition, .base_edition = o->edition, .fixed_edition = o->fixed_edition,
		.uploads = o->uploads, .dry_run = dry, .with_accounts = o->with_accounts, .skip_pingbacks = o->skip_pingbacks,
		.now = (long long)time(NULL)};
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
		goto undo;
	}
	/* the search index last: FTS5 flushes at every statement after a write */
	for (size_t i = 0; i < w.nids; i++)
		if (search_sync(w.c, w.ids[i]) < 0) {
			db_rollback(w.c);
			fprintf(stderr, "gazette: import: the search index could not be written; nothing was changed\n");
			goto undo;
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
		goto undo;
	} else
		inval_apply(&iv);
	fprintf(out, "%s%s into %s %s:\n", dry ? "would import " : "imported ", file, w.fixed_edition || !w.nlangs ? "edition" : "editions",
	    w.fixed_edition || !w.nlangs ? o->edition : "by Polylang language");
	fprintf(out, "  posts      %d created, %d updated (%d password-protected: kept private)\n", w.posts.created, w.posts.updated, w.is_protected);
	fprintf(out, "  pages      %d created, %d updated (comments on pages left out: %d)\n", w.pages.created, w.pages.updated, w.page_comments);
	fprintf(out, "  comments   %d created, %d updated, %d pingbacks/trackbacks skipped\n", w.comments.created, w.comments.updated, w.pingbacks);
	fprintf(out, "  terms      %d created, %d already here\n", w.terms.created, w.terms.skipped);
	fprintf(out, "  authors    %d created, %d updated\n", w.authors.created, w.authors.updated);
	if (w.with_accounts)
		fprintf(out, "  accounts   %d created (role author, no password yet), %d already here or without an email\n", w.accounts.created,
		    w.accounts.skipped);
	fprintf(out, "  pictures   %d created, %d already here, %d files missing or unusable\n", w.media.created, w.media.updated,
	    (int)w.nmissing);
	for (size_t i = 0; i < w.nmissing && i < 50; i++)
		fprintf(out, "               %s\n", w.missing[i]);
	if (w.nmissing > 50)
		fprintf(out, "               and %zu more\n", w.nmissing - 50);
	fprintf(out, "  redirects  %d created, %d updated\n", w.redirects.created, w.redirects.updated);
	if (w.new_editions)
		fprintf(out, "  editions   %d created from Polylang's languages (restart running servers to serve them)\n", w.new_editions);
	fprintf(out, "  skipped    %d items of other types (menus, blocks, forms)\n", w.not_posts);
	rc = 0;
	if (!dry)
		goto out;
undo:
	for (size_t i = 0; i < w.nmade; i++)   /* rolled back: their copies go too */
		media_discard(w.made_media[i]);
out:
	for (size_t i = 0; i < w.npages; i++) {
		free(w.pagev[i].wpid);
		free(w.pagev[i].parent);
		free(w.pagev[i].link);
	}
	free(w.pagev);
	for (size_t i = 0; i < w.nups; i++)
		free(w.upv[i].rel);
	free(w.upv);
	for (size_t i = 0; i < w.nthumbs; i++)
		free(w.thumbs[i].wpid);
	free(w.thumbs);
	for (size_t i = 0; i < w.nmissing; i++)
		free(w.missing[i]);
	free(w.missing);
	free(w.made_media);
	free(w.bodies);
	free(w.ids);
	arena_free(&w.a);
	db_release(w.c);
	return rc;
}
