/* article_edit.c: changing an article after it is written (title,
 * standfirst, body, status, publication time), keeping its listing rows
 * (article_listings) and its byline copy (articles.byline) in step, and naming the cache tags an article change
 * touches (see TAG_* in site.h). Used by `gazette article edit`, the
 * demo loaders and the admin's article desk (admin_articles.c), which adds
 * revisions and the workflow around the same helpers. */
#include "site.h"
#include "core/invalidate.h"
#include "core/markdown.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every page an article appears on or links from, in its current state. */
void
article_invalidations(struct db_conn *c, long long id, struct inval *iv)
{
	char ed[16] = "";
	struct db_stmt *st = db_query(c, "SELECT edition, translation_group, kind, section_id, category_id, "
	    "(SELECT parent_id FROM terms WHERE id = articles.category_id) FROM articles WHERE id = ?", "i", id);
	if (db_row(st)) {
		snprintf(ed, sizeof ed, "%s", db_text(st, 0));
		inval_add(iv, TAG_ARTICLE, id);
		if (!db_isnull(st, 1))
			inval_add(iv, TAG_GROUP, db_int(st, 1));
		inval_add(iv, TAG_LIST_FRONT, db_text(st, 0));
		inval_add(iv, TAG_LIST_KIND, db_text(st, 0), db_text(st, 2));
		for (int col = 3; col <= 5; col++)
			if (!db_isnull(st, col))
				inval_add(iv, TAG_LIST_TERM, db_int(st, col), ed);
	}
	db_done(st);
	st = db_query(c, "SELECT term_id FROM article_tags WHERE article_id = ?", "i", id);
	while (db_row(st))
		inval_add(iv, TAG_LIST_TERM, db_int(st, 0), ed);
	db_done(st);
	st = db_query(c, "SELECT author_id FROM article_authors WHERE article_id = ?", "i", id);
	while (db_row(st))
		inval_add(iv, TAG_LIST_AUTHOR, db_int(st, 0), ed);
	db_done(st);
}

/* The related stories of a published article: among the latest eight of
 * each of its first three tags, those sharing the most tags, newest first;
 * when that finds fewer than three, stories whose words are most like its
 * headline (search_similar). */
static int
related_sync(struct db_conn *c, long long id, const char *ed, long long now)
{
	char lists[3][32] = {"", "", ""};
	int n = 0;
	struct db_stmt *st = db_query(c, "SELECT term_id FROM article_tags WHERE article_id = ? ORDER BY term_id LIMIT 3", "i", id);
	while (db_row(st) && n < 3)
		snprintf(lists[n++], sizeof lists[0], "t:%lld", db_int(st, 0));
	if (db_done(st) < 0)
		return -1;
	char related[64] = "";
	size_t rl = 0;
	long long found[3] = {0};
	int nf = 0;
	if (n) {
#define RELATED_FROM "SELECT * FROM (SELECT article_id, listed_at FROM article_listings WHERE list = ? AND edition = ? " \
	"AND listed_at <= ? ORDER BY listed_at DESC LIMIT 8) AS x"
		st = db_query(c, "SELECT article_id FROM (" RELATED_FROM "0 UNION ALL " RELATED_FROM "1 UNION ALL " RELATED_FROM "2) AS c "
		    "WHERE article_id <> ? GROUP BY article_id ORDER BY count(*) DESC, max(listed_at) DESC, article_id DESC LIMIT 3",
		    "ssississii", lists[0], ed, now, lists[1], ed, now, lists[2], ed, now, id);
#undef RELATED_FROM
		while (db_row(st) && nf < 3)
			found[nf++] = db_int(st, 0);
		if (db_done(st) < 0)
			return -1;
	}
	if (nf < 3) {
		struct db_stmt *ts = db_query(c, "SELECT title FROM articles WHERE id = ?", "i", id);
		char title[512] = "";
		if (db_row(ts))
			snprintf(title, sizeof title, "%s", db_text(ts, 0));
		if (db_done(ts) < 0)
			return -1;
		int more = search_similar(c, id, ed, title, now, found, nf, found + nf, 3 - nf);
		if (more < 0)
			return -1;
		nf += more;
	}
	for (int i = 0; i < nf; i++)
		rl += (size_t)snprintf(related + rl, sizeof related - rl, "%s%lld", rl ? "," : "", found[i]);
	return db_exec(c, "UPDATE articles SET related = ? WHERE id = ?", "si", related, id) == 1 ? 0 : -1;
}

static int
sync(struct db_conn *c, long long id, bool index)
{
	/* the byline copy: author ids in byline order */
	char byline[512] = "";
	size_t bl = 0;
	struct db_stmt *bs = db_query(c, "SELECT author_id FROM article_authors WHERE article_id = ? ORDER BY position, author_id", "i", id);
	while (db_row(bs) && bl < sizeof byline - 24)
		bl += (size_t)snprintf(byline + bl, sizeof byline - bl, "%s%lld", bl ? "," : "", db_int(bs, 0));
	if (db_done(bs) < 0 || db_exec(c, "UPDATE articles SET byline = ? WHERE id = ?", "si", byline, id) < 0)
		return -1;
	if (db_exec(c, "DELETE FROM article_listings WHERE article_id = ?", "i", id) < 0 || (index && search_sync(c, id) < 0))
		return -1;
	struct db_stmt *st = db_query(c, "SELECT edition, kind, section_id, category_id, "
	    "(SELECT parent_id FROM terms WHERE id = articles.category_id), published_at FROM articles "
	    "WHERE id = ? AND status = 'published' AND published_at IS NOT NULL", "i", id);
	char lists[64][32], ed[16] = "";
	int n = 0;
	long long at = 0;
	if (db_row(st)) {
		snprintf(ed, sizeof ed, "%s", db_text(st, 0));
		snprintf(lists[n++], sizeof lists[0], "front");
		snprintf(lists[n++], sizeof lists[0], "k:%s", db_text(st, 1));
		for (int col = 2; col <= 4; col++)
			if (!db_isnull(st, col))
				snprintf(lists[n++], sizeof lists[0], "t:%lld", db_int(st, col));
		at = db_int(st, 5);
	}
	if (db_done(st) < 0)
		return -1;
	if (!n)
		return 0;   /* not published: listed nowhere */
	st = db_query(c, "SELECT 't:' || term_id FROM article_tags WHERE article_id = ? "
	    "UNION SELECT 'au:' || author_id FROM article_authors WHERE article_id = ?", "ii", id, id);
	while (db_row(st) && n < 64)
		snprintf(lists[n++], sizeof lists[0], "%s", db_text(st, 0));
	if (db_done(st) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (db_exec(c, "INSERT INTO article_listings (list, edition, listed_at, article_id) VALUES (?, ?, ?, ?) "
		    "ON CONFLICT DO NOTHING", "ssii", lists[i], ed, at, id) < 0)
			return -1;
	return related_sync(c, id, ed, (long long)time(NULL));
}

int
listings_sync(struct db_conn *c, long long id)
{
	return sync(c, id, true);
}

int
listings_sync_unindexed(struct db_conn *c, long long id)
{
	return sync(c, id, false);
}

long long
article_insert(struct db_conn *c, const struct article_new *n)
{
	long long id = db_insert(c,
	    "INSERT INTO articles (edition, translation_group, kind, slug, title, standfirst, "
	    "section_id, category_id, status, published_at, updated_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "snssssnnsnni", n->edition, n->group, n->kind, n->slug, n->title, n->standfirst ? n->standfirst : "",
	    n->section_id, n->category_id, n->status ? n->status : "draft", n->published_at, n->updated_at,
	    n->created_at ? n->created_at : n->published_at);
	if (id < 0)
		return -1;
	char *html = NULL;
	const char *md = n->body_md ? n->body_md : "";
	if (!n->body_html) {
		size_t len;
		html = md_render(md, strlen(md), MD_ARTICLE, &len);
	}
	long long rc = db_exec(c, "INSERT INTO article_bodies (article_id, body_md, body_html) VALUES (?, ?, ?)", "iss",
	    id, md, n->body_html ? n->body_html : html);
	free(html);
	return rc < 0 ? -1 : id;
}

static bool
status_valid(const char *s)
{
	static const char *ok[] = {"draft", "review", "scheduled", "published", "private"};
	for (size_t i = 0; s && i < sizeof ok / sizeof *ok; i++)
		if (strcmp(s, ok[i]) == 0)
			return true;
	return false;
}

struct edit {
	long long id;
	const struct article_change *ch;
	bool missing;
};

static int
edit_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct edit *e = arg;
	const struct article_change *ch = e->ch;
	long long id = e->id;
	if (db_int1(c, 0, "SELECT count(*) FROM articles WHERE id = ?", "i", id) != 1) {
		e->missing = true;
		return -1;
	}
	article_invalidations(c, id, iv);   /* where it was */
	if (ch->title && db_exec(c, "UPDATE articles SET title = ? WHERE id = ?", "si", ch->title, id) != 1)
		return -1;
	if (ch->standfirst && db_exec(c, "UPDATE articles SET standfirst = ? WHERE id = ?", "si", ch->standfirst, id) != 1)
		return -1;
	if (ch->body_md) {
		size_t n;
		char *html = md_render(ch->body_md, strlen(ch->body_md), MD_ARTICLE, &n);
		long long rc = html ? db_exec(c, "UPDATE article_bodies SET body_md = ?, body_html = ? WHERE article_id = ?", "ssi",
		    ch->body_md, html, id) : -1;
		free(html);
		if (rc != 1)
			return -1;
	}
	if (ch->status && db_exec(c, "UPDATE articles SET status = ? WHERE id = ?", "si", ch->status, id) != 1)
		return -1;
	if (ch->published_at && db_exec(c, "UPDATE articles SET published_at = ? WHERE id = ?", "ii", ch->published_at, id) != 1)
		return -1;
	if ((ch->title || ch->standfirst || ch->body_md) &&
	    (db_exec(c, "UPDATE articles SET updated_at = ? WHERE id = ?", "ii", ch->now, id) != 1 ||
		db_exec(c, "UPDATE articles SET outdated = 1 WHERE source_id = ?", "i", id) < 0))
		return -1;
	article_invalidations(c, id, iv);   /* where it is now */
	return listings_sync(c, id);
}

int
article_edit(struct db *db, long long id, const struct article_change *ch, long long *inval_id, char *err, size_t errlen)
{
	if (ch->status && !status_valid(ch->status)) {
		snprintf(err, errlen, "status must be draft, review, scheduled, published or private, not '%s'", ch->status);
		return -1;
	}
	if (ch->title && !*ch->title) {
		snprintf(err, errlen, "the title cannot be empty");
		return -1;
	}
	struct db_conn *c = db_acquire(db);
	struct edit e = {id, ch, false};
	int rc = inval_write(c, edit_tx, &e, inval_id);
	db_release(c);
	if (rc < 0) {
		if (e.missing)
			snprintf(err, errlen, "no article %lld", id);
		else
			snprintf(err, errlen, "the change was not saved (see the log)");
		return -1;
	}
	return 0;
}
