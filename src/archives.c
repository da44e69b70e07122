/* archives.c: an edition's articles by section, category (with its
 * subcategories), tag, author and kind: the archive header and one page of
 * the listing (src/listing.c). */
#include "site.h"
#include "core/i18n.h"
#include "core/router.h"
#include <string.h>

/* Renders the archive page: header values are already in p->root. */
static void
archive_render(struct page *p, const char *list, const char *base)
{
	if (strncmp(list, "k:", 2) != 0)   /* sections, categories, tags and authors have feeds */
		tv_set_str(p->root, "feed_url", arena_cat(&p->r->a, base, "/feed.atom", NULL));
	int rc = listing_render(p, list, base, 0, tv_set_list(p->root, "articles"));
	if (rc) {
		resp_error(p->r, rc);
		return;
	}
	page_render(p, "archive.html", 200);
}

/* GET /{edition}/section|category|tag/{slug} */
static void
term_archive(struct req *r, const char *taxonomy, const char *heading)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	struct db_stmt *st = db_query(c, "SELECT term_id, name, description FROM term_names WHERE edition = ? AND taxonomy = ? AND slug = ?",
	    "sss", ed->code, taxonomy, r->params[1]);
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long term = db_int(st, 0);
	const char *name = db_atext(st, 1, a), *description = db_atext(st, 2, a);
	db_done(st);
	struct page p;
	page_init(&p, r, ed, name);
	page_depends(&p, TAG_TERM, term);
	page_depends(&p, TAG_LIST_TERM, term, ed->code);
	tv_set_str(p.root, "archive_title", name);
	tv_set_str(p.root, "archive_heading", i18n_gettext(ed->code, heading));
	tv_set_str(p.root, "archive_description", description);
	for (int i = 0; i < edition_count(); i++) {
		const char *slug = ref_term_slug(p.rd, term, i);
		if (slug && i != p.edi) {
			p.alt_url[i] = url_term(a, edition_at(i)->code, taxonomy, slug);
			p.alt_same[i] = true;
		}
	}
	archive_render(&p, arena_printf(a, "t:%lld", term), url_term(a, ed->code, taxonomy, r->params[1]));
}

static void section_page(struct req *r) { term_archive(r, "section", _("Section")); }
static void category_page(struct req *r) { term_archive(r, "category", _("Category")); }
static void tag_page(struct req *r) { term_archive(r, "tag", _("Tag")); }

/* GET /{edition}/author/{slug} */
static void
author_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(req_db(r),
	    "SELECT au.id, au.name, au.photo, (SELECT bio FROM author_bios b WHERE b.author_id = au.id AND b.edition = ?) "
	    "FROM authors au WHERE au.slug = ?", "ss", ed->code, r->params[1]);
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long id = db_int(st, 0);
	const char *name = db_atext(st, 1, a), *photo = db_atext(st, 2, a), *bio = db_atext(st, 3, a);
	db_done(st);
	struct page p;
	page_init(&p, r, ed, name);
	page_depends(&p, TAG_AUTHOR, id);
	page_depends(&p, TAG_LIST_AUTHOR, id, ed->code);
	tv_set_str(p.root, "archive_title", name);
	tv_set_str(p.root, "archive_heading", i18n_gettext(ed->code, _("Author")));
	tv_set_str(p.root, "archive_description", bio);
	tv_set_str(p.root, "author_photo", *photo ? photo : NULL);
	for (int i = 0; i < edition_count(); i++) {
		p.alt_url[i] = url_author(a, edition_at(i)->code, r->params[1]);
		p.alt_same[i] = true;
	}
	archive_render(&p, arena_printf(a, "au:%lld", id), url_author(a, ed->code, r->params[1]));
}

/* GET /{edition}/kind/{kind} */
static void
kind_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	const char *kind = r->params[1];
	if (!ed || !kind_valid(kind)) {
		resp_error(r, 404);
		return;
	}
	struct page p;
	page_init(&p, r, ed, kind_label(ed->code, kind));
	page_depends(&p, TAG_LIST_KIND, ed->code, kind);
	tv_set_str(p.root, "archive_title", kind_label(ed->code, kind));
	for (int i = 0; i < edition_count(); i++) {
		p.alt_url[i] = url_kind(&r->a, edition_at(i)->code, kind);
		p.alt_same[i] = true;
	}
	archive_render(&p, arena_printf(&r->a, "k:%s", kind), url_kind(&r->a, ed->code, kind));
}

const struct route archive_routes[] = {
	{HTTP_GET, "/{edition}/section/{slug}", section_page, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/category/{slug}", category_page, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/tag/{slug}", tag_page, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/author/{slug}", author_page, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/kind/{kind}", kind_page, NULL, ROUTE_QUICK},
	{0, NULL, NULL, NULL},
};
