/* articles.c: the front page of each edition and the article page, plus the
 * article cards every listing shows. Owns the reader-facing queries on
 * articles; archives.c owns the per-term and per-author listings. */
#include "site.h"
#include "core/i18n.h"
#include "core/router.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRONT_TOP 7   /* page 1: the lead, four stories beside it, two below it */

struct tv *
article_byline(struct page *p, const char *byline)
{
	struct arena *a = &p->r->a;
	struct tv *list = tv_list(a);
	for (const char *s = byline ? byline : ""; *s;) {
		char *end;
		long long au = strtoll(s, &end, 10);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
		const char *name = ref_author_name(p->rd, au), *slug = ref_author_slug(p->rd, au);
		if (!name || !slug)
			continue;
		page_depends(p, TAG_AUTHOR, au);
		struct tv *m = tv_push_map(list);
		tv_set_str(m, "name", name);
		tv_set_str(m, "url", url_author(a, p->ed->code, slug));
	}
	return list;
}

int
article_cards(struct page *p, struct db_stmt *st, struct tv *list)
{
	return article_cards_counted(p, st, list, NULL);
}

int
article_cards_counted(struct page *p, struct db_stmt *st, struct tv *list, long long *extra)
{
	struct arena *a = &p->r->a;
	const char *ed = p->ed->code;
	int rows = 0;
	while (db_row(st)) {
		struct tv *m = tv_push_map(list);
		long long id = db_int(st, 0);
		if (extra && !rows)
			*extra = db_int(st, 9);
		rows++;
		page_depends(p, TAG_ARTICLE, id);
		const char *kind = db_atext(st, 4, a);
		long long pub = db_int(st, 5);
		tv_set_int(m, "id", id);
		tv_set_str(m, "url", url_article(a, ed, db_text(st, 1), pub));
		tv_set_str(m, "title", db_atext(st, 2, a));
		tv_set_str(m, "standfirst", db_atext(st, 3, a));
		tv_set_str(m, "kind", kind);
		tv_set_str(m, "kind_label", kind_label(ed, kind));
		tv_set_int(m, "published", pub);
		tv_set_int(m, "listed_at", pub);
		long long sec = db_isnull(st, 6) ? 0 : db_int(st, 6);
		const char *sname = ref_term_name(p->rd, sec, p->edi), *sslug = ref_term_slug(p->rd, sec, p->edi);
		if (sname && sslug) {
			page_depends(p, TAG_TERM, sec);
			struct tv *sm = tv_set_map(m, "section");
			tv_set_str(sm, "name", sname);
			tv_set_str(sm, "url", url_term(a, ed, "section", sslug));
		}
		tv_set(m, "authors", article_byline(p, db_text(st, 7)));
		tv_set_int(m, "comments", db_int(st, 8));
	}
	db_done(st);
	return rows;
}

static long long
now_s(void)
{
	return (long long)time(NULL);
}

/* GET /{edition}: the front page lives at /{edition}/ */
static void
edition_redirect(struct req *r)
{
	if (!edition_find(r->params[0])) {
		resp_error(r, 404);
		return;
	}
	const char *q = strchr(r->raw_uri, '?');
	resp_redirect(r, 308, arena_printf(&r->a, "/%s/%s", r->params[0], q ? q : ""));
}

/* GET /{edition}/ : the lead, the top stories and each section's latest;
 * ?before= (and ?page=) go on through the edition's older stories */
static void
front_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct page p;
	page_init(&p, r, ed, NULL);
	struct tv *root = p.root;
	const char *base = arena_printf(&r->a, "/%s/", ed->code);
	page_depends(&p, TAG_LIST_FRONT, ed->code);
	tv_set_bool(root, "is_front", true);
	tv_set_str(root, "feed_url", arena_printf(&r->a, "/%s/feed.atom", ed->code));
	tv_set_str(root, "site_url", arena_cat(&r->a, site_base_url(), "/", NULL));
	tv_set_str(root, "home_url", arena_printf(&r->a, "%s/%s/", site_base_url(), ed->code));
	tv_set_str(root, "logo_url", arena_cat(&r->a, site_base_url(), "/static/img/favicon.svg", NULL));
	for (int i = 0; i < edition_count(); i++) {
		p.alt_url[i] = arena_printf(&r->a, "/%s/", edition_at(i)->code);
		p.alt_same[i] = true;
	}
	if (r->nquery) {
		int rc = listing_render(&p, "front", base, FRONT_TOP, tv_set_list(root, "latest"));
		if (rc) {
			resp_error(r, rc);
			return;
		}
		page_render(&p, "front.html", 200);
		return;
	}
	p.canonical = base;
	/* the pinned stories first, in the editors' order, then the latest */
	struct tv *top = tv_set_list(root, "top");
	int npins = front_pins(&p, top);
	struct tv *latest = tv_list(&r->a);
	int nlatest = listing_fetch(&p, "front", FRONT_TOP + npins, latest);
	struct tv *last = NULL;
	for (size_t i = 0; i < latest->u.list.n && top->u.list.n < FRONT_TOP; i++) {
		struct tv *card = latest->u.list.items[i];
		bool pinned = false;
		for (int k = 0; k < npins && !pinned; k++)
			pinned = tv_get(top->u.list.items[k], "id")->u.i == tv_get(card, "id")->u.i;
		if (!pinned) {
			tv_push(top, card);
			last = card;
		}
	}
	if (top->u.list.n > 0)
		tv_set(root, "lead", top->u.list.items[0]);
	struct tv *rail = tv_set_list(root, "top_rail");
	struct tv *below = tv_set_list(root, "top_below");
	for (size_t i = 1; i < top->u.list.n; i++)
		tv_push(i < 5 ? rail : below, top->u.list.items[i]);
	if (last && nlatest == FRONT_TOP + npins)
		tv_set_str(tv_set_map(root, "pagination"), "next", arena_printf(&r->a, "%s?before=%lld.%lld", base,
		    tv_get(last, "listed_at")->u.i, tv_get(last, "id")->u.i));
	page_most_read(&p, 5, tv_set_list(root, "most_read"));
	/* latest per section */
	struct tv *secs = tv_set_list(root, "sections");
	long long sid[32];
	int ns = 0;
	const long long *all;
	int nall = ref_sections(p.rd, &all);
	for (int i = 0; i < nall && ns < 32; i++) {
		const char *name = ref_term_name(p.rd, all[i], p.edi), *slug = ref_term_slug(p.rd, all[i], p.edi);
		if (!name || !slug)
			continue;
		struct tv *sec = tv_push_map(secs);
		sid[ns++] = all[i];
		tv_set_str(sec, "name", name);
		tv_set_str(sec, "url", url_term(&r->a, ed->code, "section", slug));
	}
	for (int i = 0; i < ns; i++) {
		page_depends(&p, TAG_LIST_TERM, sid[i], ed->code);
		listing_fetch(&p, arena_printf(&r->a, "t:%lld", sid[i]), 3, tv_set_list(secs->u.list.items[i], "articles"));
	}
	page_render(&p, "front.html", 200);
}

/* GET /{edition}/{year}/{month}/{slug} */
static void
article_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	const char *year = r->params[1], *month = r->params[2], *slug = r->params[3];
	if (ed && strspn(year, "0123456789") != strlen(year)) {
		/* not a date: a page three deep ("about/team/history") */
		page_serve(r, ed, arena_cat(&r->a, year, "/", month, "/", slug, NULL));
		return;
	}
	if (!ed || strlen(year) != 4 || strspn(year, "0123456789") != 4 || strlen(month) != 2 ||
	    strspn(month, "0123456789") != 2) {
		resp_error(r, 404);
		return;
	}
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(c,
	    "SELECT a.id, a.translation_group, a.kind, a.title, a.standfirst, b.body_html, a.section_id, a.category_id, "
	    "a.published_at, a.updated_at, a.byline, a.comment_count, a.correction, coalesce(a.featured_media_id, 0), a.related FROM articles a "
	    "JOIN article_bodies b ON b.article_id = a.id "
	    "WHERE a.edition = ? AND a.slug = ? AND a.status = 'published' AND a.published_at <= ?",
	    "ssi", ed->code, slug, now_s());
	if (!db_row(st)) {
		if (db_done(st) < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	long long id = db_int(st, 0);
	long long group = db_isnull(st, 1) ? 0 : db_int(st, 1);
	const char *kind = db_atext(st, 2, a);
	const char *title = db_atext(st, 3, a);
	const char *standfirst = db_atext(st, 4, a);
	const char *body = db_atext(st, 5, a);
	long long section_id = db_isnull(st, 6) ? 0 : db_int(st, 6);
	long long category_id = db_isnull(st, 7) ? 0 : db_int(st, 7);
	long long published = db_int(st, 8);
	long long updated = db_isnull(st, 9) ? 0 : db_int(st, 9);
	const char *byline = db_atext(st, 10, a);
	long long ncomments = db_int(st, 11);
	const char *correction = db_atext(st, 12, a);
	long long media = db_int(st, 13);
	const char *related_ids = db_atext(st, 14, a);
	db_done(st);

	const char *canonical = url_article(a, ed->code, slug, published);
	if (strncmp(canonical + strlen(ed->code) + 2, year, 4) != 0 || strncmp(canonical + strlen(ed->code) + 7, month, 2) != 0) {
		resp_redirect(r, 301, canonical);
		return;
	}

	struct page p;
	page_init(&p, r, ed, title);
	p.canonical = canonical;
	page_depends(&p, TAG_ARTICLE, id);
	resp_count(r, id);
	if (group)
		page_depends(&p, TAG_GROUP, group);
	if (section_id) {
		page_depends(&p, TAG_TERM, section_id);
		page_depends(&p, TAG_LIST_TERM, section_id, ed->code);   /* "more in this section" */
	}
	struct tv *root = p.root;
	struct tv *art = tv_set_map(root, "article");
	tv_set_int(art, "id", id);
	tv_set_str(art, "title", title);
	tv_set_str(art, "standfirst", standfirst);
	tv_set(art, "body", tv_html(a, body, strlen(body)));   /* cmark-gfm output, safe mode */
	tv_set_str(art, "kind", kind);
	tv_set_str(art, "kind_label", kind_label(ed->code, kind));
	tv_set_str(art, "kind_url", url_kind(a, ed->code, kind));
	tv_set_int(art, "published", published);
	if (updated > published) {
		tv_set_int(art, "updated", updated);
		if (*correction)
			tv_set_str(art, "correction", correction);
	}
	tv_set_str(art, "url", canonical);
	if (media) {
		struct tv *fig = media_picture(&p, media);
		if (fig) {
			tv_set(art, "figure", fig);
			struct tv *og = tv_set_map(root, "og_image");
			tv_set_str(og, "url", arena_cat(a, site_base_url(), tv_get_str(fig, "src"), NULL));
			tv_set(og, "width", tv_get(fig, "width"));
			tv_set(og, "height", tv_get(fig, "height"));
			tv_set_str(og, "alt", tv_get_str(fig, "alt"));
		}
	}
	/* for link previews and search engines */
	if (*standfirst)
		tv_set_str(root, "description", standfirst);
	tv_set_str(root, "og_type", "article");
	tv_set_int(root, "og_published", published);
	tv_set_str(art, "schema_type", strcmp(kind, "opinion") == 0 ? "OpinionNewsArticle" : strcmp(kind, "blog") == 0 ? "BlogPosting" : "NewsArticle");
	tv_set(art, "authors", article_byline(&p, byline));

	/* the section in every edition: its name here, and where the switcher
	 * goes in an edition that lacks this story */
	const char *section_in[MAX_EDITIONS] = {0};
	for (int i = 0; section_id && i < edition_count(); i++) {
		const char *sslug = ref_term_slug(p.rd, section_id, i);
		if (!sslug)
			continue;
		section_in[i] = url_term(a, edition_at(i)->code, "section", sslug);
		if (i == p.edi && ref_term_name(p.rd, section_id, i)) {
			struct tv *sec = tv_set_map(art, "section");
			tv_set_str(sec, "name", ref_term_name(p.rd, section_id, i));
			tv_set_str(sec, "url", section_in[i]);
		}
	}
	/* the category and its parents, outermost first ("Politics › Elections") */
	struct tv *crumbs = tv_set_list(art, "categories");
	for (int depth = 0; category_id && depth < 4; depth++) {
		const char *cname = ref_term_name(p.rd, category_id, p.edi), *cslug = ref_term_slug(p.rd, category_id, p.edi);
		if (cname && cslug) {
			page_depends(&p, TAG_TERM, category_id);
			struct tv *m = tv_map(a);
			tv_set_str(m, "name", cname);
			tv_set_str(m, "url", url_term(a, ed->code, "category", cslug));
			tv_push(crumbs, m);   /* parents first: insert at the front */
			memmove(crumbs->u.list.items + 1, crumbs->u.list.items, (crumbs->u.list.n - 1) * sizeof *crumbs->u.list.items);
			crumbs->u.list.items[0] = m;
		}
		category_id = ref_term_parent(p.rd, category_id);
	}
	/* structured data: absolute addresses of the breadcrumb and the bylines */
	const char *base_url = site_base_url();
	struct tv *ld = tv_set_list(art, "breadcrumb_ld");
	struct tv *home = tv_push_map(ld);
	tv_set_str(home, "name", "Gazette");
	tv_set_str(home, "url", arena_printf(a, "%s/%s/", base_url, ed->code));
	struct tv *kind_item = tv_push_map(ld);
	tv_set_str(kind_item, "name", kind_label(ed->code, kind));
	tv_set_str(kind_item, "url", arena_cat(a, base_url, url_kind(a, ed->code, kind), NULL));
	for (size_t i = 0; i < crumbs->u.list.n; i++) {
		struct tv *m = tv_push_map(ld);
		tv_set_str(m, "name", tv_get_str(crumbs->u.list.items[i], "name"));
		tv_set_str(m, "url", arena_cat(a, base_url, tv_get_str(crumbs->u.list.items[i], "url"), NULL));
	}
	struct tv *self = tv_push_map(ld);
	tv_set_str(self, "name", title);
	tv_set_str(self, "url", arena_cat(a, base_url, canonical, NULL));
	struct tv *bylines = tv_get(art, "authors");
	for (size_t i = 0; bylines && i < bylines->u.list.n; i++) {
		const char *u = tv_get_str(bylines->u.list.items[i], "url");
		if (u)
			tv_set_str(bylines->u.list.items[i], "abs_url", arena_cat(a, base_url, u, NULL));
	}
	tv_set_str(root, "logo_url", arena_cat(a, base_url, "/static/img/favicon.svg", NULL));
	/* sharing: plain links, no third party's script on the page */
	struct buf ub = {0}, tb = {0};
	const char *abs = arena_cat(a, base_url, canonical, NULL);
	buf_esc_urlpart(&ub, abs, strlen(abs));
	buf_esc_urlpart(&tb, title, strlen(title));
	const char *eu = arena_strndup(a, ub.s, ub.len), *et = arena_strndup(a, tb.s, tb.len);
	buf_free(&ub);
	buf_free(&tb);
	struct tv *share = tv_set_list(art, "share");
	const char *links[][2] = {
		{i18n_gettext(ed->code, _("Email")), arena_cat(a, "mailto:?subject=", et, "&body=", eu, NULL)},
		{"WhatsApp", arena_cat(a, "https://wa.me/?text=", et, "%20", eu, NULL)},
		{"X", arena_cat(a, "https://x.com/intent/post?url=", eu, "&text=", et, NULL)},
		{"Facebook", arena_cat(a, "https://www.facebook.com/sharer/sharer.php?u=", eu, NULL)},
		{"LinkedIn", arena_cat(a, "https://www.linkedin.com/sharing/share-offsite/?url=", eu, NULL)},
	};
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		struct tv *m = tv_push_map(share);
		tv_set_str(m, "name", links[i][0]);
		tv_set_str(m, "url", links[i][1]);
	}
	/* tags, by name */
	struct tv *tags = tv_set_list(art, "tags");
	st = db_query(c, "SELECT term_id FROM article_tags WHERE article_id = ?", "i", id);
	while (db_row(st)) {
		long long t = db_int(st, 0);
		const char *tname = ref_term_name(p.rd, t, p.edi), *tslug = ref_term_slug(p.rd, t, p.edi);
		if (!tname || !tslug)
			continue;
		page_depends(&p, TAG_TERM, t);
		struct tv *m = tv_map(a);
		tv_set_int(m, "term", t);
		tv_set_str(m, "name", tname);
		tv_set_str(m, "url", url_term(a, ed->code, "tag", tslug));
		size_t at = tags->u.list.n;   /* insertion sort: a handful of tags */
		tv_push(tags, m);
		while (at > 0 && strcmp(tv_get_str(tags->u.list.items[at - 1], "name"), tname) > 0) {
			tags->u.list.items[at] = tags->u.list.items[at - 1];
			at--;
		}
		tags->u.list.items[at] = m;
	}
	db_done(st);

	/* translations: the switcher goes to the same story where it exists,
	 * else to the same section, else to the front page */
	if (group) {
		st = db_query(c, "SELECT edition, slug, published_at FROM articles WHERE translation_group = ? AND id <> ? "
		    "AND status = 'published' AND published_at <= ?", "iii", group, id, now_s());
		while (db_row(st)) {
			const struct edition *e = edition_find(db_text(st, 0));
			if (!e)
				continue;
			int i = (int)(e - edition_at(0));
			p.alt_url[i] = url_article(a, e->code, db_text(st, 1), db_int(st, 2));
			p.alt_same[i] = true;
		}
		db_done(st);
	}
	for (int i = 0; i < edition_count(); i++)
		if (!p.alt_url[i])
			p.alt_url[i] = section_in[i];

	/* the reader discussion: the count here, the thread on demand
	 * (src/comments.c) so that this page stays the same for everyone */
	struct tv *cm = tv_set_map(root, "comments");
	tv_set_int(cm, "count", ncomments);
	tv_set_str(cm, "url", arena_printf(a, "/comments/%lld", id));
	tv_set_str(cm, "thread_url", arena_printf(a, "/comments/%lld/thread", id));

	/* related: worked out when the article was written (listings_sync) */
	struct tv *related = tv_set_list(root, "related");
	char *rel = arena_strdup(a, related_ids), *save = NULL;
	for (char *tok = strtok_r(rel, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long long rid = atoll(tok);
		/* also when it is not shown now: its return must refresh this page */
		page_depends(&p, TAG_ARTICLE, rid);
		st = db_query(c, "SELECT slug, title, published_at FROM articles WHERE id = ? AND edition = ? AND status = 'published' "
		    "AND published_at <= ?", "isi", rid, ed->code, now_s());
		if (db_row(st)) {
			struct tv *m = tv_push_map(related);
			tv_set_int(m, "id", rid);
			tv_set_str(m, "title", db_atext(st, 1, a));
			tv_set_str(m, "url", url_article(a, ed->code, db_text(st, 0), db_int(st, 2)));
		}
		db_done(st);
	}
	/* more from the same section: the latest four, less this one and the related */
	if (section_id) {
		struct tv *more = tv_set_list(root, "more"), *all = tv_list(a);
		listing_fetch(&p, arena_printf(a, "t:%lld", section_id), 4, all);
		for (size_t i = 0; i < all->u.list.n && more->u.list.n < 3; i++) {
			long long other = tv_get(all->u.list.items[i], "id")->u.i;
			bool shown = other == id;
			for (size_t k = 0; k < related->u.list.n && !shown; k++)
				shown = tv_get(related->u.list.items[k], "id")->u.i == other;
			if (!shown)
				tv_push(more, all->u.list.items[i]);
		}
	}
	page_render(&p, "article.html", 200);
}

const struct route article_routes[] = {
	{HTTP_GET, "/{edition}", edition_redirect, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/", front_page, NULL, ROUTE_QUICK},
	{HTTP_GET, "/{edition}/{year}/{month}/{slug}", article_page, NULL, ROUTE_QUICK},
	{0, NULL, NULL, NULL},
};
