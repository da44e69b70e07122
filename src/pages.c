/* pages.c: an edition's standing pages (About, Contact, Privacy, and what
 * a newsroom or an imported site keeps besides), served at
 * /{edition}/{path} where the path runs through the parents' slugs
 * ("about/team"), and page_store, the one write every writer of pages goes
 * through (the admin, the WordPress import, the demo), so that paths,
 * rendered bodies, old addresses and the page cache stay in step.
 *
 * A page's route is the last one tried: every feature's own address wins,
 * and a page cannot take a first segment a feature uses (page_path_free);
 * a path of three segments has the shape of an article's address, whose
 * handler passes it here when its first segment is not a year.
 * This file must not render admin forms (src/admin_pages.c does). */
#include "site.h"
#include "core/cache.h"
#include "core/invalidate.h"
#include "core/markdown.h"
#include "core/text.h"
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX_DEPTH 8

/* First segments the features answer under /{edition}/ (and the years of
 * article addresses, which are all digits). */
static const char *const reserved[] = {
	"section", "category", "tag", "author", "kind", "search", "events", "events.ics", "feed.atom", "feed.rss", NULL,
};

bool
page_slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("/\\?#%\"'<>&", *p))
			return false;
	return true;
}

bool
page_path_free(const char *slug)
{
	if (strspn(slug, "0123456789") == strlen(slug))
		return false;
	for (int i = 0; reserved[i]; i++)
		if (strcmp(slug, reserved[i]) == 0)
			return false;
	return true;
}

const char *
url_page(struct arena *a, const char *ed, const char *path)
{
	return arena_cat(a, "/", ed, "/", path, NULL);
}

/* The paths below old (old/…) become new/…, each leaving a 301 when the
 * page was public (and loud). */
static int
move_descendants(struct db_conn *c, struct arena *a, const char *ed, const char *old, const char *new, long long user, long long now,
    bool loud)
{
	const char *prefix = arena_cat(a, old, "/", NULL);
	struct db_stmt *st = db_query(c, "SELECT id, path, status FROM pages WHERE edition = ? AND substr(path, 1, ?) = ? ORDER BY id",
	    "sis", ed, (long long)strlen(prefix), prefix);
	struct moved {
		long long id;
		const char *path;
		bool public;
	} *m = NULL;
	size_t n = 0;
	while (db_row(st)) {
		if ((n & (n - 1)) == 0) {   /* room doubles at 1, 2, 4…: copied into the arena */
			struct moved *more = arena_alloc(a, (n ? 2 * n : 1) * sizeof *m);
			if (n)
				memcpy(more, m, n * sizeof *m);
			m = more;
		}
		m[n].id = db_int(st, 0);
		m[n].path = db_atext(st, 1, a);
		m[n].public = strcmp(db_text(st, 2), "published") == 0;
		n++;
	}
	if (db_done(st) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *to = arena_cat(a, new, m[i].path + strlen(old), NULL);
		if (db_exec(c, "UPDATE pages SET path = ? WHERE id = ?", "si", to, m[i].id) != 1)
			return -1;
		if (loud && m[i].public && redirect_add(c, url_page(a, ed, m[i].path), url_page(a, ed, to), user, now) < 0)
			return -1;
	}
	return 0;
}

long long
page_store(struct db_conn *c, struct inval *iv, const struct static_page *pg, long long now, int *why)
{
	struct arena a;
	arena_init(&a, 4096);
	long long rc = -1;
	*why = PAGE_DB;
	const char *path = pg->slug, *old_path = NULL;
	bool old_public = false, old_footer = false;
	if (!page_slug_ok(pg->slug)) {
		*why = PAGE_BAD_SLUG;
		goto out;
	}
	if (pg->id) {
		struct db_stmt *st = db_query(c, "SELECT path, status, in_footer, edition FROM pages WHERE id = ?", "i", pg->id);
		bool found = db_row(st);
		if (found) {
			old_path = db_atext(st, 0, &a);
			old_public = strcmp(db_text(st, 1), "published") == 0;
			old_footer = db_int(st, 2) != 0;
			found = strcmp(db_text(st, 3), pg->edition) == 0;
		}
		if (db_done(st) < 0)
			goto out;
		if (!found) {
			*why = PAGE_MISSING;
			goto out;
		}
	}
	if (pg->parent) {
		/* the parent's path, and no page under itself */
		long long at = pg->parent;
		for (int depth = 0; at; depth++) {
			if (at == pg->id || depth >= PAGE_MAX_DEPTH) {
				*why = at == pg->id ? PAGE_LOOP : PAGE_TOO_DEEP;
				goto out;
			}
			struct db_stmt *st = db_query(c, "SELECT parent_id, edition, path FROM pages WHERE id = ?", "i", at);
			bool found = db_row(st);
			long long up = found && !db_isnull(st, 0) ? db_int(st, 0) : 0;
			if (found && at == pg->parent) {
				found = strcmp(db_text(st, 1), pg->edition) == 0;
				path = arena_cat(&a, db_text(st, 2), "/", pg->slug, NULL);
			}
			if (db_done(st) < 0)
				goto out;
			if (!found) {
				*why = PAGE_BAD_PARENT;
				goto out;
			}
			at = up;
		}
	} else if (!page_path_free(pg->slug)) {
		*why = PAGE_RESERVED;
		goto out;
	}
	if (strlen(path) > 1000) {
		*why = PAGE_TOO_DEEP;
		goto out;
	}
	if (db_int1(c, 0, "SELECT count(*) FROM pages WHERE edition = ? AND path = ? AND id <> ?", "ssi", pg->edition, path, pg->id) > 0) {
		*why = PAGE_TAKEN;
		goto out;
	}
	size_t hlen;
	char *html = md_render(pg->body_md, strlen(pg->body_md), MD_ARTICLE, &hlen);
	long long id = pg->id;
	if (id) {
		if (db_exec(c, "UPDATE pages SET parent_id = ?, slug = ?, path = ?, title = ?, body_md = ?, body_html = ?, status = ?, "
		    "in_footer = ?, position = ?, updated_at = ? WHERE id = ?", "nssssssiiii", pg->parent, pg->slug, path, pg->title,
		    pg->body_md, html, pg->status, (long long)pg->in_footer, (long long)pg->position, now, id) != 1)
			id = -1;
	} else
		id = db_insert(c, "INSERT INTO pages (edition, parent_id, slug, path, title, body_md, body_html, status, in_footer, position, "
		    "created_at, updated_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "snssssssiiiin",
		    pg->edition, pg->parent, pg->slug, path, pg->title, pg->body_md, html, pg->status, (long long)pg->in_footer,
		    (long long)pg->position, pg->created_at ? pg->created_at : now, now, pg->user);
	free(html);
	if (id < 0)
		goto out;
	bool moved = old_path && strcmp(old_path, path) != 0;
	if (moved && pg->quiet && move_descendants(c, &a, pg->edition, old_path, path, pg->user, now, false) < 0)
		goto out;
	if (moved && !pg->quiet) {
		if (old_public && redirect_add(c, url_page(&a, pg->edition, old_path), url_page(&a, pg->edition, path), pg->user, now) < 0)
			goto out;
		if (move_descendants(c, &a, pg->edition, old_path, path, pg->user, now, true) < 0)
			goto out;
	}
	/* a page's own address is live: no redirect may take it away */
	if (db_exec(c, "DELETE FROM redirects WHERE from_path = ?", "s", url_page(&a, pg->edition, path)) < 0)
		goto out;
	inval_add(iv, "pages:%s", pg->edition);
	if (moved || old_footer || pg->in_footer)
		inval_add(iv, "site");   /* the footer of every page */
	rc = id;
out:
	arena_free(&a);
	return rc;
}

/* ---- the reader's page ---------------------------------------------------------------- */

/* GET /{edition}/{*path}: the last route of all. */
static void
page_view(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	page_serve(r, ed, r->params[1]);
}

void
page_serve(struct req *r, const struct edition *ed, const char *path)
{
	struct arena *a = &r->a;
	size_t n = strlen(path);
	bool slash = n > 1 && path[n - 1] == '/';   /* WordPress's way: the address without it */
	if (slash)
		path = arena_strndup(a, path, n - 1);
	struct db_conn *c = req_db(r);
	struct db_stmt *st = db_query(c, "SELECT id, title, body_html, parent_id, updated_at FROM pages WHERE edition = ? AND path = ? "
	    "AND status = 'published'", "ss", ed->code, path);
	bool found = db_row(st);
	long long id = 0, parent = 0, updated = 0;
	const char *title = NULL, *body = NULL;
	if (found) {
		id = db_int(st, 0);
		title = db_atext(st, 1, a);
		body = db_atext(st, 2, a);
		parent = db_isnull(st, 3) ? 0 : db_int(st, 3);
		updated = db_int(st, 4);
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	if (!found) {
		resp_error(r, 404);   /* then the redirects (site_error_page) */
		return;
	}
	if (slash) {
		resp_redirect(r, 301, url_page(a, ed->code, path));
		return;
	}
	struct page p;
	page_init(&p, r, ed, title);
	resp_depends(r, arena_cat(a, "pages:", ed->code, NULL));
	p.canonical = url_page(a, ed->code, path);
	struct tv *pv = tv_set_map(p.root, "page");
	tv_set_int(pv, "id", id);
	tv_set_str(pv, "title", title);
	tv_set(pv, "body", tv_html(a, body, strlen(body)));   /* cmark-gfm output, safe mode */
	tv_set_int(pv, "updated", updated);
	/* the parents, outermost first */
	struct tv *crumbs = tv_list(a);
	const char *ctitle[PAGE_MAX_DEPTH], *cpath[PAGE_MAX_DEPTH];
	int nc = 0;
	for (long long at = parent; at && nc < PAGE_MAX_DEPTH;) {
		st = db_query(c, "SELECT parent_id, title, path, status FROM pages WHERE id = ?", "i", at);
		at = 0;
		if (db_row(st)) {
			at = db_isnull(st, 0) ? 0 : db_int(st, 0);
			ctitle[nc] = db_atext(st, 1, a);
			cpath[nc] = strcmp(db_text(st, 3), "published") == 0 ? db_atext(st, 2, a) : NULL;
			nc++;
		}
		db_done(st);
	}
	for (int i = nc - 1; i >= 0; i--) {
		struct tv *m = tv_push_map(crumbs);
		tv_set_str(m, "title", ctitle[i]);
		if (cpath[i])
			tv_set_str(m, "url", url_page(a, ed->code, cpath[i]));
	}
	tv_set(pv, "crumbs", crumbs);
	struct tv *kids = tv_set_list(pv, "children");
	st = db_query(c, "SELECT title, path FROM pages WHERE parent_id = ? AND status = 'published' ORDER BY position, title", "i", id);
	while (db_row(st)) {
		struct tv *m = tv_push_map(kids);
		tv_set_str(m, "title", db_atext(st, 0, a));
		tv_set_str(m, "url", url_page(a, ed->code, db_text(st, 1)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	page_render(&p, "page.html", 200);
}

const struct route page_routes[] = {
	{HTTP_GET, "/{edition}/{*path}", page_view, NULL, ROUTE_QUICK},
	{0, NULL, NULL, NULL},
};
