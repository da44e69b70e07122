/* curation.c: what editors place by hand, as readers see it: the stories
 * pinned to an edition's lead slots (in their order, ahead of the latest)
 * and the breaking-news strip over every page of an edition until its
 * time. The admin's desk for them is admin_front.c; this file only reads. */
#include "site.h"
#include <string.h>
#include <time.h>

int
front_pins(struct page *p, struct tv *list)
{
	page_depends(p, TAG_PINS, p->ed->code);
	struct db_stmt *st = db_query(req_db(p->r), "SELECT " ARTICLE_CARD_COLUMNS " FROM front_pins f JOIN articles a ON a.id = f.article_id "
	    "WHERE f.edition = ? AND a.status = 'published' AND a.published_at <= ? ORDER BY f.position", "si", p->ed->code,
	    (long long)time(NULL));
	return article_cards(p, st, list);
}

void
breaking_banner(struct page *p)
{
	struct req *r = p->r;
	long long now = (long long)time(NULL);
	resp_depends(r, arena_printf(&r->a, TAG_BREAKING, p->ed->code));
	struct db_stmt *st = db_query(req_db(r), "SELECT a.id, a.slug, a.title, a.published_at, b.until, "
	    "CASE WHEN a.status = 'published' AND a.published_at <= ? THEN 1 ELSE 0 END FROM breaking b "
	    "JOIN articles a ON a.id = b.article_id WHERE b.edition = ? AND b.until > ?", "isi", now, p->ed->code, now);
	if (db_row(st)) {
		/* also while the story is withdrawn: its return must bring the strip back */
		page_depends(p, TAG_ARTICLE, db_int(st, 0));
		resp_expires(r, db_int(st, 4));   /* the strip goes by itself */
		if (db_int(st, 5)) {
			struct tv *m = tv_set_map(p->root, "breaking");
			tv_set_str(m, "title", db_atext(st, 2, &r->a));
			tv_set_str(m, "url", url_article(&r->a, p->ed->code, db_text(st, 1), db_int(st, 3)));
		}
	}
	db_done(st);
}
