/* test_plans.c: reader queries whose cost must not grow with the site.
 * A site of SITE articles in one edition (and a few in another) is written
 * straight into a fresh SQLite database; each query is run as the pages
 * run it, and SQLite's own count of the rows and index entries it visited
 * (db_stmt_vm_steps) must stay near what a small site costs. A plan that
 * walks the edition instead of an index range costs thousands of steps
 * here, so these fail on it whatever the machine's speed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "site.h"
#include "unit.h"

#define SITE 4000
#define T0 1600000000LL   /* the oldest story's time; one story a minute after it */

static char path[256];
static struct db *db;
static struct db_conn *c;

static void
setup(void)
{
	snprintf(path, sizeof path, "/tmp/gazette-unit-plans-%d.db", (int)getpid());
	unlink(path);
	char err[256];
	db = db_open(path, 1, err, sizeof err);
	cr_assert(db, "%s", err);
	c = db_acquire(db);
	cr_assert_eq(db_migrate(c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(db_begin(c), 0);
	cr_assert(db_exec(c, "INSERT INTO editions (code, name, locale) VALUES ('en', 'English', 'en_GB'), ('es', 'Español', 'es_ES') "
	    "ON CONFLICT (code) DO NOTHING", NULL) >= 0);
	/* SITE English stories and 50 Spanish ones, all published, all on the
	 * front list; every 10th English story also in list "t:1" */
	cr_assert_geq(db_exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
	    "INSERT INTO articles (id, edition, kind, slug, title, status, published_at, created_at) "
	    "SELECT i, CASE WHEN i <= ? THEN 'en' ELSE 'es' END, 'news', 's' || i, 'Story ' || i, 'published', ? + i * 60, ? FROM n",
	    "iiii", (long long)SITE + 50, (long long)SITE, T0, T0), 0);
	cr_assert_geq(db_exec(c, "INSERT INTO article_listings (list, edition, listed_at, article_id) "
	    "SELECT 'front', edition, published_at, id FROM articles", NULL), 0);
	cr_assert_geq(db_exec(c, "INSERT INTO article_listings (list, edition, listed_at, article_id) "
	    "SELECT 't:1', edition, published_at, id FROM articles WHERE id % 10 = 0", NULL), 0);
	/* "t:2": stories listed four to a minute, so that cursors meet ties */
	cr_assert_geq(db_exec(c, "INSERT INTO article_listings (list, edition, listed_at, article_id) "
	    "SELECT 't:2', edition, ? + (id / 4) * 60, id FROM articles", "i", T0), 0);
	cr_assert_eq(db_commit(c), 0);
}

static void
teardown(void)
{
	db_release(c);
	db_close(db);
	unit_db_unlink(path);
}

TestSuite(plans, .init = setup, .fini = teardown);

/* Runs st to its end: the rows it gave, its VM steps in *steps. */
static int
drain(struct db_stmt *st, long long *steps, long long *first_id)
{
	int n = 0;
	cr_assert_not_null(st);
	while (db_row(st)) {
		if (n++ == 0 && first_id)
			*first_id = db_int(st, 0);
	}
	*steps = db_stmt_vm_steps(st);
	cr_assert_eq(db_done(st), 0);
	return n;
}

Test(plans, a_deep_page_of_a_listing_costs_what_the_first_costs)
{
	long long now = T0 + (SITE + 100) * 60LL, top, deep, id = 0;
	const char *lists[] = {"front", "t:1"};
	for (int l = 0; l < 2; l++) {
		/* older than the newest story, and older than the 30th oldest */
		long long newest = l == 0 ? SITE : SITE - SITE % 10, old = l == 0 ? 30 : 300;
		cr_assert_eq(drain(listing_keyset(c, lists[l], "en", now, true, T0 + newest * 60, newest, 21), &top, &id), 21);
		cr_assert_eq(id, newest - (l == 0 ? 1 : 10), "%s: the page starts just below the cursor", lists[l]);
		cr_assert_eq(drain(listing_keyset(c, lists[l], "en", now, true, T0 + old * 60, old, 21), &deep, &id), 21);
		cr_assert_eq(id, old - (l == 0 ? 1 : 10));
		cr_assert_gt(top, 0, "SQLite counts its steps");
		cr_assert_leq(deep, top * 2 + 50, "%s: the deep page took %lld steps, the first %lld", lists[l], deep, top);
		/* newer stories, oldest first: far from the oldest end (near the
		 * top) must cost what the 30th oldest costs */
		long long far, near_end, near = newest - (l == 0 ? 40 : 400);
		cr_assert_eq(drain(listing_keyset(c, lists[l], "en", now, false, T0 + old * 60, old, 21), &near_end, &id), 21);
		cr_assert_eq(id, old + (l == 0 ? 1 : 10));
		cr_assert_eq(drain(listing_keyset(c, lists[l], "en", now, false, T0 + near * 60, near, 21), &far, &id), 21);
		cr_assert_eq(id, near + (l == 0 ? 1 : 10));
		cr_assert_leq(far, near_end * 2 + 50, "%s: newer than a recent story took %lld steps, than an old one %lld", lists[l],
		    far, near_end);
	}
}

/* Up to max ids of a page, by listing_keyset or by the plain filter. */
static int
page_ids(struct db_stmt *st, long long *ids, int max)
{
	int n = 0;
	cr_assert_not_null(st);
	while (db_row(st))
		if (n < max)
			ids[n++] = db_int(st, 0);
	cr_assert_eq(db_done(st), 0);
	return n;
}

Test(plans, a_keyset_page_holds_exactly_the_rows_of_the_plain_filter)
{
	/* the filter as written before the range bounds, an oracle of rows */
	static const char older[] = "SELECT l.article_id FROM article_listings l WHERE l.list = ? AND l.edition = ? "
		"AND l.listed_at <= ? AND (l.listed_at < ? OR (l.listed_at = ? AND l.article_id < ?)) "
		"ORDER BY l.listed_at DESC, l.article_id DESC LIMIT ?";
	static const char newer[] = "SELECT l.article_id FROM article_listings l WHERE l.list = ? AND l.edition = ? "
		"AND l.listed_at <= ? AND (l.listed_at > ? OR (l.listed_at = ? AND l.article_id > ?)) "
		"ORDER BY l.listed_at ASC, l.article_id ASC LIMIT ?";
	const char *lists[] = {"front", "t:1", "t:2"};
	/* now: after every story, inside the list, on a listed time of t:2 */
	const long long nows[] = {T0 + (SITE + 100) * 60LL, T0 + 2000 * 60 + 30, T0 + 500 * 60};
	/* cursors (time, id): ties inside t:2's minutes, on now, past now,
	 * before every story, at the newest */
	const long long cur[][2] = {{T0 + 500 * 60, 2001}, {T0 + 500 * 60, 2000}, {T0 + 500 * 60, 2003}, {T0 + 500 * 60, 1},
		{T0 + 2000 * 60, 2000}, {T0 + 2000 * 60 + 30, 1}, {T0 + 3000 * 60, 3000}, {T0 + 1 * 60, 1}, {T0, 0},
		{T0 + SITE * 60LL, SITE}, {T0 + 9999 * 60, 99999}};
	long long got[40], want[40];
	int checked = 0;
	for (int l = 0; l < 3; l++)
		for (size_t k = 0; k < sizeof nows / sizeof *nows; k++)
			for (size_t i = 0; i < sizeof cur / sizeof *cur; i++)
				for (int dir = 0; dir < 2; dir++) {
					long long now = nows[k], ct = cur[i][0], cid = cur[i][1];
					int ng = page_ids(listing_keyset(c, lists[l], "en", now, dir, ct, cid, 21), got, 40);
					struct db_stmt *oracle = dir ? db_query(c, older, "ssiiiid", lists[l], "en", now, ct, ct, cid, 21)
						: db_query(c, newer, "ssiiiid", lists[l], "en", now, ct, ct, cid, 21);
					int nw = page_ids(oracle, want, 40);
					cr_assert_eq(ng, nw, "%s, now %lld, cursor %lld.%lld, %s: %d rows, the filter %d", lists[l], now, ct, cid,
					    dir ? "older" : "newer", ng, nw);
					for (int j = 0; j < ng; j++)
						cr_assert_eq(got[j], want[j], "%s, now %lld, cursor %lld.%lld, %s: row %d", lists[l], now, ct, cid,
						    dir ? "older" : "newer", j);
					checked += ng > 0;
				}
	cr_assert_gt(checked, 100, "most cursors find rows (%d did)", checked);
}

Test(plans, a_cursor_in_the_future_still_stops_at_now)
{
	/* stories 1..SITE; now is just after story 100: a cursor past it shows
	 * nothing scheduled later */
	long long now = T0 + 100 * 60 + 30, steps, id = 0;
	cr_assert_eq(drain(listing_keyset(c, "front", "en", now, true, T0 + 3000 * 60, 3000, 5), &steps, &id), 5);
	cr_assert_eq(id, 100);
}

Test(plans, most_read_reads_the_weeks_counters_not_the_edition)
{
	long long now = T0 + (SITE + 100) * 60LL, day = now / 86400, steps, id = 0;
	/* this week: five stories read, one of them most; an old day's count is
	 * outside the week */
	for (long long a = 1; a <= 5; a++)
		cr_assert_eq(db_exec(c, "INSERT INTO page_views (day, article_id, views) VALUES (?, ?, ?)", "iii", day - 1, a * 700,
		    a == 3 ? 50LL : a), 1);
	cr_assert_eq(db_exec(c, "INSERT INTO page_views (day, article_id, views) VALUES (?, 2, 1000)", "i", day - 30), 1);
	cr_assert_eq(drain(most_read_query(c, "en", now, 5), &steps, &id), 5);
	cr_assert_eq(id, 3 * 700, "the most read first");
	cr_assert_leq(steps, 400, "%lld steps for six counters in a site of %d stories", steps, SITE);
}
