/* listing.c: one page of a list of articles (front page, section,
 * category, tag, author, kind) read from article_listings, with keyset
 * pagination: "older stories" links carry the position of the last story
 * shown (?before=TIME.ID), so page 5,000 costs what page 2 costs. ?page=N
 * still works (by offset) for links made before. */
#include "site.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LISTING_FROM " FROM article_listings l JOIN articles a ON a.id = l.article_id " \
	"WHERE l.list = ? AND l.edition = ? AND l.listed_at <= ? "

static const char sql_offset[] = "SELECT " ARTICLE_CARD_COLUMNS ", l.listed_at" LISTING_FROM
	"ORDER BY l.listed_at DESC, l.article_id DESC LIMIT ? OFFSET ?";
static const char sql_before[] = "SELECT " ARTICLE_CARD_COLUMNS ", l.listed_at" LISTING_FROM
	"AND (l.listed_at < ? OR (l.listed_at = ? AND l.article_id < ?)) "
	"ORDER BY l.listed_at DESC, l.article_id DESC LIMIT ?";
static const char sql_after[] = "SELECT " ARTICLE_CARD_COLUMNS ", l.listed_at" LISTING_FROM
	"AND l.listed_at >= ? AND (l.listed_at > ? OR (l.listed_at = ? AND l.article_id > ?)) "
	"ORDER BY l.listed_at ASC, l.article_id ASC LIMIT ?";

/* "1700000000.42" → time and id; false for anything else. */
bool
listing_cursor(const char *s, long long *t, long long *id)
{
	const char *dot = s ? strchr(s, '.') : NULL;
	if (!dot || dot == s || !dot[1] || dot - s > 12 || strlen(dot + 1) > 12)
		return false;
	if (strspn(s, "0123456789") != (size_t)(dot - s) || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return false;
	*t = atoll(s);
	*id = atoll(dot + 1);
	return true;
}

static const char *
cursor_of(struct arena *a, struct tv *card)
{
	return arena_printf(a, "%lld.%lld", tv_get(card, "listed_at")->u.i, tv_get(card, "id")->u.i);
}

/* A cursor's OR is only a filter to SQLite: an index range needs plain
 * bounds on listed_at, or the walk would start at the newest story and
 * read every story above the cursor. So an older page binds the cursor's
 * time (when earlier than now) as LISTING_FROM's upper bound, and a newer
 * page adds it as a lower one. */
struct db_stmt *
listing_keyset(struct db_conn *c, const char *list, const char *edition, long long now, bool older, long long ct,
    long long cid, int limit)
{
	if (older)
		return db_query(c, sql_before, "ssiiiid", list, edition, ct < now ? ct : now, ct, ct, cid, limit);
	return db_query(c, sql_after, "ssiiiiid", list, edition, now, ct, ct, ct, cid, limit);
}

int
listing_fetch(struct page *p, const char *list, int limit, struct tv *out)
{
	struct db_stmt *st = db_query(req_db(p->r), sql_offset, "ssidd", list, p->ed->code, (long long)time(NULL), limit, 0);
	return article_cards(p, st, out);
}

int
listing_render(struct page *p, const char *list, const char *base, int skip, struct tv *out)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	const char *before = req_query(r, "before"), *after = req_query(r, "after"), *pgs = req_query(r, "page");
	long long now = (long long)time(NULL), ct = 0, cid = 0;
	int pg = 1;
	if ((before != NULL) + (after != NULL) + (pgs != NULL) > 1)
		return 400;
	if ((before && !listing_cursor(before, &ct, &cid)) || (after && !listing_cursor(after, &ct, &cid)))
		return 400;
	if (pgs) {
		size_t n = strlen(pgs);
		if (n == 0 || n > 6 || strspn(pgs, "0123456789") != n || (pg = atoi(pgs)) < 1)
			return 400;
	}
	struct db_conn *c = req_db(r);
	struct db_stmt *st;
	if (before || after)
		st = listing_keyset(c, list, p->ed->code, now, before != NULL, ct, cid, PAGE_SIZE + 1);
	else {
		int offset = pg == 1 ? 0 : skip + (pg - 1 - (skip ? 1 : 0)) * PAGE_SIZE;
		st = db_query(c, sql_offset, "ssidd", list, p->ed->code, now, PAGE_SIZE + 1, offset);
	}
	int n = article_cards(p, st, out);
	bool more = n > PAGE_SIZE;   /* older stories beyond this page (newer ones, for ?after) */
	if (more)
		out->u.list.n--;
	if (after) {   /* fetched oldest first: show newest first */
		for (size_t i = 0, j = out->u.list.n - 1; out->u.list.n && i < j; i++, j--) {
			struct tv *t = out->u.list.items[i];
			out->u.list.items[i] = out->u.list.items[j];
			out->u.list.items[j] = t;
		}
	}
	size_t shown = out->u.list.n;
	if (shown == 0 && (pg > 1 || before || after))
		return 404;
	struct tv *pgn = tv_set_map(p->root, "pagination");
	if (shown) {
		struct tv *first = out->u.list.items[0], *last = out->u.list.items[shown - 1];
		bool older = after ? true : more;
		if (older)
			tv_set_str(pgn, "next", arena_printf(a, "%s?before=%s", base, cursor_of(a, last)));
		if (after)
			tv_set_str(pgn, "prev", more ? arena_printf(a, "%s?after=%s", base, cursor_of(a, first)) : base);
		else if (before)
			tv_set_str(pgn, "prev", arena_printf(a, "%s?after=%s", base, cursor_of(a, first)));
		else if (pg > 1)
			tv_set_str(pgn, "prev", pg == 2 ? base : arena_printf(a, "%s?page=%d", base, pg - 1));
	}
	p->canonical = before ? arena_printf(a, "%s?before=%s", base, before)
		: after ? arena_printf(a, "%s?after=%s", base, after)
		: pg > 1 ? arena_printf(a, "%s?page=%d", base, pg) : base;
	if (pg > 1 || before || after)
		for (int i = 0; i < MAX_EDITIONS; i++)
			p->alt_same[i] = false;   /* a later page of one edition is not the same page of another */
	return 0;
}
