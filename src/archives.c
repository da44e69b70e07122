/* archives.c: paginated listings of an edition's articles by section,
 * category (with its subcategories), tag, author and kind. */
#include "site.h"
#include "core/i18n.h"
#include "core/router.h"
#include <string.h>
#include <time.h>

enum archive_kind { AR_SECTION, AR_CATEGORY, AR_TAG, AR_AUTHOR, AR_KIND };

/* One literal query pair per archive kind: the count and one page. Every
 * query binds (edition, now, key, key) then, for the page, (limit, offset);
 * the key is bound twice so that each WHERE has the same shape. */
static const struct {
	const char *taxonomy;
	const char *count_sql;
	const char *page_sql;
} ar_sql[] = {
	[AR_SECTION] = {"section",
		"SELECT count(*) FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.section_id = ? AND a.section_id = ?",
		"SELECT " ARTICLE_CARD_COLUMNS " FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.section_id = ? AND a.section_id = ? ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"},
	[AR_CATEGORY] = {"category",
		"SELECT count(*) FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND (a.category_id = ? OR a.category_id IN (SELECT id FROM terms WHERE parent_id = ?))",
		"SELECT " ARTICLE_CARD_COLUMNS " FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND (a.category_id = ? OR a.category_id IN (SELECT id FROM terms WHERE parent_id = ?)) "
		"ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"},
	[AR_TAG] = {"tag",
		"SELECT count(*) FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.id IN (SELECT article_id FROM article_tags WHERE term_id = ? OR term_id = ?)",
		"SELECT " ARTICLE_CARD_COLUMNS " FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.id IN (SELECT article_id FROM article_tags WHERE term_id = ? OR term_id = ?) "
		"ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"},
	[AR_AUTHOR] = {"author",
		"SELECT count(*) FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ? OR author_id = ?)",
		"SELECT " ARTICLE_CARD_COLUMNS " FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ? OR author_id = ?) "
		"ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"},
	[AR_KIND] = {"kind",
		"SELECT count(*) FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.kind = ? AND a.kind = ?",
		"SELECT " ARTICLE_CARD_COLUMNS " FROM articles a WHERE a.edition = ? AND a.status = 'published' AND a.published_at <= ? "
		"AND a.kind = ? AND a.kind = ? ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"},
};

struct archive {
	enum archive_kind kind;
	long long key_id;        /* term or author id */
	const char *key_text;    /* kind name */
	const char *title;
	const char *description;
	const char *heading;     /* "Section", "Tag"… translated */
};

static void
archive_render(struct req *r, const struct edition *ed, struct archive *ar, const char *base, struct page *p, int pg)
{
	struct db_conn *c = req_db(r);
	long long now = (long long)time(NULL);
	long long total;
	if (ar->kind == AR_KIND)
		total = db_int1(c, 0, ar_sql[ar->kind].count_sql, "siss", ed->code, now, ar->key_text, ar->key_text);
	else
		total = db_int1(c, 0, ar_sql[ar->kind].count_sql, "siii", ed->code, now, ar->key_id, ar->key_id);
	int pages = total ? (int)((total + PAGE_SIZE - 1) / PAGE_SIZE) : 1;
	if (pg > pages) {
		resp_error(r, 404);
		return;
	}
	p->canonical = pg == 1 ? base : arena_printf(&r->a, "%s?page=%d", base, pg);
	switch (ar->kind) {
	case AR_SECTION:
	case AR_CATEGORY:
	case AR_TAG:
		page_depends(p, TAG_TERM, ar->key_id);
		page_depends(p, TAG_LIST_TERM, ar->key_id, ed->code);
		break;
	case AR_AUTHOR:
		page_depends(p, TAG_AUTHOR, ar->key_id);
		page_depends(p, TAG_LIST_AUTHOR, ar->key_id, ed->code);
		break;
	case AR_KIND:
		page_depends(p, TAG_LIST_KIND, ed->code, ar->key_text);
		break;
	}
	if (pg > 1)
		for (int i = 0; i < MAX_EDITIONS; i++)
			p->alt_same[i] = false;   /* page N of one edition is not page N of another */
	struct tv *root = p->root;
	tv_set_str(root, "archive_title", ar->title);
	tv_set_str(root, "archive_heading", ar->heading);
	tv_set_str(root, "archive_description", ar->description);
	tv_set_int(root, "total", total);
	struct tv *list = tv_set_list(root, "articles");
	struct db_stmt *st;
	if (ar->kind == AR_KIND)
		st = db_query(c, ar_sql[ar->kind].page_sql, "sissdd", ed->code, now, ar->key_text, ar->key_text, PAGE_SIZE, (pg - 1) * PAGE_SIZE);
	else
		st = db_query(c, ar_sql[ar->kind].page_sql, "siiidd", ed->code, now, ar->key_id, ar->key_id, PAGE_SIZE, (pg - 1) * PAGE_SIZE);
	article_cards(p, st, list);
	page_pagination(p, base, pg, pages);
	page_render(p, "archive.html", 200);
}

/* GET /{edition}/section|category|tag/{slug} */
static void
term_archive(struct req *r, enum archive_kind kind)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	int pg = page_number(r);
	if (!pg)
		return;
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	const char *taxonomy = ar_sql[kind].taxonomy;
	struct db_stmt *st = db_query(c, "SELECT term_id, name, description FROM term_names WHERE edition = ? AND taxonomy = ? AND slug = ?",
	    "sss", ed->code, taxonomy, r->params[1]);
	if (!db_row(st)) {
		db_done(st);
		resp_error(r, 404);
		return;
	}
	struct archive ar = {kind, db_int(st, 0), NULL, db_atext(st, 1, a), db_atext(st, 2, a), NULL};
	db_done(st);
	ar.heading = i18n_gettext(ed->code, kind == AR_SECTION ? _("Section") : kind == AR_CATEGORY ? _("Category") : _("Tag"));
	struct page p;
	page_init(&p, r, ed, ar.title);
	st = db_query(c, "SELECT edition, slug FROM term_names WHERE term_id = ?", "i", ar.key_id);
	while (db_row(st)) {
		const struct edition *e = edition_find(db_text(st, 0));
		if (e && e != ed) {
			int i = (int)(e - edition_at(0));
			p.alt_url[i] = url_term(a, e->code, taxonomy, db_text(st, 1));
			p.alt_same[i] = true;
		}
	}
	db_done(st);
	archive_render(r, ed, &ar, url_term(a, ed->code, taxonomy, r->params[1]), &p, pg);
}

static void section_page(struct req *r) { term_archive(r, AR_SECTION); }
static void category_page(struct req *r) { term_archive(r, AR_CATEGORY); }
static void tag_page(struct req *r) { term_archive(r, AR_TAG); }

/* GET /{edition}/author/{slug} */
static void
author_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	int pg = page_number(r);
	if (!pg)
		return;
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(req_db(r),
	    "SELECT au.id, au.name, au.photo, (SELECT bio FROM author_bios b WHERE b.author_id = au.id AND b.edition = ?) "
	    "FROM authors au WHERE au.slug = ?", "ss", ed->code, r->params[1]);
	if (!db_row(st)) {
		db_done(st);
		resp_error(r, 404);
		return;
	}
	struct archive ar = {AR_AUTHOR, db_int(st, 0), NULL, db_atext(st, 1, a), db_atext(st, 3, a), i18n_gettext(ed->code, "Author")};
	const char *photo = db_atext(st, 2, a);
	db_done(st);
	struct page p;
	page_init(&p, r, ed, ar.title);
	tv_set_str(p.root, "author_photo", *photo ? photo : NULL);
	for (int i = 0; i < edition_count(); i++) {
		p.alt_url[i] = url_author(a, edition_at(i)->code, r->params[1]);
		p.alt_same[i] = true;
	}
	archive_render(r, ed, &ar, url_author(a, ed->code, r->params[1]), &p, pg);
}

/* GET /{edition}/kind/{kind} */
static void
kind_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed || !kind_valid(r->params[1])) {
		resp_error(r, 404);
		return;
	}
	int pg = page_number(r);
	if (!pg)
		return;
	struct archive ar = {AR_KIND, 0, r->params[1], kind_label(ed->code, r->params[1]), NULL, NULL};
	struct page p;
	page_init(&p, r, ed, ar.title);
	for (int i = 0; i < edition_count(); i++) {
		p.alt_url[i] = url_kind(&r->a, edition_at(i)->code, r->params[1]);
		p.alt_same[i] = true;
	}
	archive_render(r, ed, &ar, url_kind(&r->a, ed->code, r->params[1]), &p, pg);
}

const struct route archive_routes[] = {
	{HTTP_GET, "/{edition}/section/{slug}", section_page},
	{HTTP_GET, "/{edition}/category/{slug}", category_page},
	{HTTP_GET, "/{edition}/tag/{slug}", tag_page},
	{HTTP_GET, "/{edition}/author/{slug}", author_page},
	{HTTP_GET, "/{edition}/kind/{kind}", kind_page},
	{0, NULL, NULL},
};
