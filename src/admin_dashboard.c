/* admin_dashboard.c: the newsroom's first page: what waits for someone
 * (comments to moderate, articles in review, drafts), upcoming events with
 * seats sold, and readers' views of the last seven days as SVG bar charts
 * drawn by the template from numbers computed here (no script, no image
 * service). */
#include "admin.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAYS 7
#define TOP 10
#define CHART_H 120     /* the SVG's bar area, in its own units */
#define SPARK_H 24

/* One day's bar: its height in units of h for v out of max, and labels. */
static void
bar(struct req *r, struct tv *list, long long day, long long v, long long max, int h)
{
	struct tv *m = tv_push_map(list);
	int height = max ? (int)((v * h + max - 1) / max) : 0;
	tv_set_int(m, "value", v);
	tv_set_int(m, "h", height);
	tv_set_int(m, "y", h - height);
	tv_set_str(m, "day", i18n_date_in(&r->a, admin_edition(r)->locale, day * 86400 + 43200, "EEEd", "UTC"));
}

static void
dashboard(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const struct edition *ed = admin_edition(r);
	long long now = (long long)time(NULL), today = now / 86400;
	struct tv *f = tv_map(a);
	tv_set_int(f, "pending_comments", db_int1(c, 0, "SELECT count(*) FROM comments WHERE status = 'pending'", ""));
	tv_set_int(f, "in_review", db_int1(c, 0, "SELECT count(*) FROM articles WHERE status = 'review'", ""));
	tv_set_int(f, "drafts", db_int1(c, 0, "SELECT count(*) FROM articles WHERE status = 'draft'", ""));

	struct tv *evs = tv_set_list(f, "events");
	struct db_stmt *st = db_query(c, "SELECT e.title, e.starts_at, e.tz, (SELECT coalesce(sum(capacity), 0) FROM quotas "
	    "WHERE translation_group = e.translation_group), (SELECT coalesce(sum(capacity - remaining), 0) FROM quotas "
	    "WHERE translation_group = e.translation_group), e.id FROM events e WHERE e.edition = ? AND e.starts_at > ? "
	    "ORDER BY e.starts_at LIMIT 10", "si", ed->code, now);
	while (db_row(st)) {
		struct tv *m = tv_push_map(evs);
		tv_set_str(m, "title", db_atext(st, 0, a));
		tv_set_str(m, "when", i18n_date_in(a, ed->locale, db_int(st, 1), "yMMMMdjmmz", db_text(st, 2)));
		tv_set_int(m, "capacity", db_int(st, 3));
		tv_set_int(m, "sold", db_int(st, 4));
		if (u->caps & CAP_EVENTS)
			tv_set_str(m, "url", arena_printf(a, "/admin/events/%lld", db_int(st, 5)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}

	/* views per day, every edition */
	long long per_day[DAYS] = {0}, max = 0, total = 0;
	st = db_query(c, "SELECT day, sum(views) FROM page_views WHERE day > ? GROUP BY day", "i", today - DAYS);
	while (db_row(st)) {
		long long i = db_int(st, 0) - (today - DAYS + 1);
		if (i >= 0 && i < DAYS)
			per_day[i] = db_int(st, 1);
	}
	db_done(st);
	for (int i = 0; i < DAYS; i++) {
		max = per_day[i] > max ? per_day[i] : max;
		total += per_day[i];
	}
	struct tv *days = tv_set_list(f, "days");
	for (int i = 0; i < DAYS; i++) {
		bar(r, days, today - DAYS + 1 + i, per_day[i], max, CHART_H);
		struct tv *m = days->u.list.items[i];
		tv_set_int(m, "x", i * 40 + 4);
	}
	tv_set_int(f, "views_total", total);
	tv_set_int(f, "views_max", max);

	/* the most read articles of the week, each with its days: the week's
	 * counters first (CROSS JOIN keeps SQLite from walking every article) */
	struct tv *top = tv_set_list(f, "top");
	long long ids[TOP];
	int n = 0;
	st = db_query(c, "SELECT a.id, a.title, a.edition, sum(v.views) AS n FROM page_views v CROSS JOIN articles a "
	    "WHERE a.id = v.article_id AND v.day > ? GROUP BY a.id, a.title, a.edition ORDER BY n DESC, a.id DESC LIMIT ?", "id", today - DAYS, TOP);
	while (db_row(st) && n < TOP) {
		struct tv *m = tv_push_map(top);
		ids[n++] = db_int(st, 0);
		tv_set_str(m, "title", db_atext(st, 1, a));
		const struct edition *e = edition_find(db_text(st, 2));
		tv_set_str(m, "edition", e ? e->name : "");
		tv_set_int(m, "total", db_int(st, 3));
		tv_set_str(m, "url", arena_printf(a, "/admin/articles/%lld", db_int(st, 0)));
	}
	db_done(st);
	for (int k = 0; k < n; k++) {
		long long v[DAYS] = {0}, vmax = 0;
		st = db_query(c, "SELECT day, views FROM page_views WHERE article_id = ? AND day > ?", "ii", ids[k], today - DAYS);
		while (db_row(st)) {
			long long i = db_int(st, 0) - (today - DAYS + 1);
			if (i >= 0 && i < DAYS)
				v[i] = db_int(st, 1);
		}
		db_done(st);
		for (int i = 0; i < DAYS; i++)
			vmax = v[i] > vmax ? v[i] : vmax;
		struct tv *spark = tv_set_list(top->u.list.items[k], "days");
		for (int i = 0; i < DAYS; i++) {
			bar(r, spark, today - DAYS + 1 + i, v[i], vmax, SPARK_H);
			tv_set_int(spark->u.list.items[i], "x", i * 10);
		}
	}
	admin_render(r, u, "admin.html", _("Newsroom"), f, 200);
}

const struct route admin_dashboard_routes[] = {
	{HTTP_GET, "/admin", dashboard, "staff"},
	{0, NULL, NULL, NULL},
};
