/* page_views.c: readers' views of articles, counted without cookies and
 * without addresses: the article page names its id (resp_count), core/hits
 * adds views in memory, and the scheduler moves them into daily counters
 * (page_views) every few seconds. Also the "Most read" box of a front page,
 * from those counters, refreshed hourly rather than on every view (a view
 * must not empty the page cache). */
#include "site.h"
#include "core/hits.h"
#include "core/log.h"
#include "core/arena.h"
#include <stdlib.h>
#include <time.h>

#define MOST_READ_DAYS 7

struct drained {
	long long (*v)[2];
	size_t n, cap;
};

static void
keep(long long id, long long n, void *arg)
{
	struct drained *d = arg;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n][0] = id;
	d->v[d->n++][1] = n;
}

int
page_views_flush(struct db *db)
{
	struct drained d = {0};
	hits_drain(keep, &d);
	if (!d.n)
		return 0;   /* the usual case between readers: no write at all */
	struct db_conn *c = db_acquire(db);
	long long day = (long long)time(NULL) / 86400;
	bool ok = db_begin(c) == 0;
	/* an article deleted since: its views go nowhere */
	for (size_t i = 0; i < d.n && ok; i++)
		ok = db_exec(c, "INSERT INTO page_views (day, article_id, views) SELECT ?, id, ? FROM articles WHERE id = ? "
		    "ON CONFLICT (day, article_id) DO UPDATE SET views = page_views.views + excluded.views", "iii", day, d.v[i][1],
		    d.v[i][0]) >= 0;
	if (!ok || db_commit(c) < 0) {
		db_rollback(c);
		log_error("page views: the counts of %zu articles were not saved", d.n);
	}
	db_release(c);
	free(d.v);
	return ok ? (int)d.n : -1;
}

/* The week's counters first, then their articles: left to itself, SQLite
 * walks every published article of the edition (its listing index) and
 * looks each one up in page_views, which grows with the site, not with
 * the week's readers. CROSS JOIN fixes the order in SQLite; PostgreSQL
 * reads it as a plain join and plans it from its statistics. */
struct db_stmt *
most_read_query(struct db_conn *c, const char *edition, long long now, int limit)
{
	return db_query(c, "SELECT a.id, a.slug, a.title, a.published_at, sum(v.views) AS n FROM page_views v "
	    "CROSS JOIN articles a WHERE a.id = v.article_id AND v.day > ? AND a.edition = ? AND a.status = 'published' "
	    "AND a.published_at <= ? GROUP BY a.id, a.slug, a.title, a.published_at ORDER BY n DESC, a.id DESC LIMIT ?", "isid",
	    now / 86400 - MOST_READ_DAYS, edition, now, limit);
}

int
page_most_read(struct page *p, int limit, struct tv *list)
{
	struct req *r = p->r;
	long long now = (long long)time(NULL);
	resp_expires(r, (now / 3600 + 1) * 3600);   /* the ranking moves hourly */
	struct db_stmt *st = most_read_query(req_db(r), p->ed->code, now, limit);
	int n = 0;
	while (db_row(st)) {
		struct tv *m = tv_push_map(list);
		page_depends(p, TAG_ARTICLE, db_int(st, 0));
		tv_set_str(m, "title", db_atext(st, 2, &r->a));
		tv_set_str(m, "url", url_article(&r->a, p->ed->code, db_text(st, 1), db_int(st, 3)));
		n++;
	}
	return db_done(st) < 0 ? -1 : n;
}
