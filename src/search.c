/* search.c: search per edition. Keeps the search index in step with the
 * articles (search_sync, called by listings_sync after every article
 * write; search_reindex for a whole site or edition), answers the reader's
 * search page /{edition}/search with filters, ranking, highlighted
 * snippets and pages, finds stories like a headline for the related list,
 * and runs `gazette search`. SQLite: the FTS5 table and the "gazette"
 * tokenizer (core/fts.c); PostgreSQL: text search with unaccent. It must
 * not build query syntax from reader text itself: core/fts.c does, with
 * every term quoted. */
#include "site.h"
#include "comments.h"
#include "core/invalidate.h"
#include "core/fts.h"
#include "core/i18n.h"
#include "core/markdown.h"
#include "core/router.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_PAGE 10
#define MAX_PAGE 50

static bool
is_pg(struct db_conn *c)
{
	return c->be == &db_pg_backend;
}

/* The Snowball language an edition's words are stemmed in, as stored (the
 * CLI changes it under running servers), "" for none. */
const char *
search_language(struct db_conn *c, struct arena *a, const char *code)
{
	struct db_stmt *st = db_query(c, "SELECT locale, search_language FROM editions WHERE code = ?", "s", code);
	const char *lang = "";
	if (db_row(st))
		lang = db_text(st, 1) && *db_text(st, 1) ? db_atext(st, 1, a) : fts_language_for_locale(db_text(st, 0));
	db_done(st);
	return lang;
}

/* Names joined with ", " from a one-column statement. */
static const char *
joined(struct arena *a, struct db_stmt *st)
{
	struct buf b = {0};
	while (db_row(st)) {
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, db_text(st, 0) ? db_text(st, 0) : "");
	}
	if (db_done(st) < 0) {
		buf_free(&b);
		return NULL;
	}
	const char *s = arena_strndup(a, b.s ? b.s : "", b.len);
	buf_free(&b);
	return s;
}

int
search_sync(struct db_conn *c, long long id)
{
	bool pg = is_pg(c);
	/* a lookup first: an FTS5 delete costs even when there is no row */
	if ((pg ? db_exec(c, "DELETE FROM search_index WHERE article_id = ?", "i", id)
		: db_int1(c, 0, "SELECT count(*) FROM search_index WHERE rowid = ?", "i", id) > 0
		? db_exec(c, "DELETE FROM search_index WHERE rowid = ?", "i", id) : 0) < 0 ||
	    db_exec(c, "DELETE FROM search_facets WHERE article_id = ?", "i", id) < 0)
		return -1;
	struct arena a = {0};
	int rc = -1;
	struct db_stmt *st = db_query(c, "SELECT a.edition, a.title, a.standfirst, b.body_html FROM articles a "
	    "LEFT JOIN article_bodies b ON b.article_id = a.id WHERE a.id = ? AND a.status = 'published'", "i", id);
	if (!db_row(st)) {
		rc = db_done(st);   /* not published: not searchable */
		goto out;
	}
	const char *edcode = db_atext(st, 0, &a), *title = db_atext(st, 1, &a), *standfirst = db_atext(st, 2, &a);
	const char *html = db_atext(st, 3, &a);
	db_done(st);
	const char *language = search_language(c, &a, edcode);
	char *plain = md_html_text(html, strlen(html));
	const char *body = fts_clean(&a, plain ? plain : "");
	free(plain);
	const char *tags = joined(&a, db_query(c, "SELECT n.name FROM article_tags t JOIN term_names n ON n.term_id = t.term_id "
	    "AND n.edition = ? WHERE t.article_id = ? ORDER BY n.name", "si", edcode, id));
	const char *authors = joined(&a, db_query(c, "SELECT au.name FROM article_authors x JOIN authors au ON au.id = x.author_id "
	    "WHERE x.article_id = ? ORDER BY x.position", "i", id));
	if (!tags || !authors || db_exec(c, "INSERT INTO search_facets (article_id, kind, section_id, published_at) "
	    "SELECT id, kind, section_id, published_at FROM articles WHERE id = ?", "i", id) != 1)
		goto out;
	title = fts_clean(&a, title);
	standfirst = fts_clean(&a, standfirst);
	tags = fts_clean(&a, tags);
	authors = fts_clean(&a, authors);
	if (pg) {
		st = db_query(c, "SELECT gazette_search_config(?)", "s", *language ? language : "simple");
		const char *config = db_row(st) ? db_atext(st, 0, &a) : NULL;
		if (db_done(st) < 0 || !config)
			goto out;
		rc = db_exec(c, "INSERT INTO search_index (article_id, edition, config, title, standfirst, body, tags, authors, doc) "
		    "SELECT v.id, v.edition, v.config, v.title, v.standfirst, v.body, v.tags, v.authors, "
		    "setweight(to_tsvector(CAST(v.config AS regconfig), v.title), 'A') || "
		    "setweight(to_tsvector(CAST(v.config AS regconfig), v.standfirst || ' ' || v.tags || ' ' || v.authors), 'B') || "
		    "setweight(to_tsvector(CAST(v.config AS regconfig), v.body), 'D') "
		    "FROM (SELECT CAST(? AS BIGINT) AS id, CAST(? AS TEXT) AS edition, CAST(? AS TEXT) AS config, CAST(? AS TEXT) AS title, "
		    "CAST(? AS TEXT) AS standfirst, CAST(? AS TEXT) AS body, CAST(? AS TEXT) AS tags, CAST(? AS TEXT) AS authors) AS v",
		    "isssssss", id, edcode, config, title, standfirst, body, tags, authors) == 1 ? 0 : -1;
	} else {
		const char *m = fts_marker(&a, edcode, language);
		rc = db_exec(c, "INSERT INTO search_index (rowid, title, standfirst, body, tags, authors) VALUES (?, ?, ?, ?, ?, ?)",
		    "isssss", id, arena_cat(&a, m, title, NULL), arena_cat(&a, m, standfirst, NULL), arena_cat(&a, m, body, NULL),
		    arena_cat(&a, m, tags, NULL), arena_cat(&a, m, authors, NULL)) == 1 ? 0 : -1;
	}
out:
	arena_free(&a);
	return rc;
}

#define SLICE 512

/* Syncs the ids a statement lists (at most SLICE, ascending): how many, or
 * -1; *last becomes the largest. Slices keep no statement open while the
 * index is written. */
static int
sync_slice(struct db_conn *c, struct db_stmt *st, long long *last)
{
	long long ids[SLICE];
	int k = 0;
	while (k < SLICE && db_row(st))
		ids[k++] = db_int(st, 0);
	if (db_done(st) < 0)
		return -1;
	for (int i = 0; i < k; i++)
		if (search_sync(c, ids[i]) < 0)
			return -1;
	if (k)
		*last = ids[k - 1];
	return k;
}

/* Indexes the published articles of an edition ("": all) with ids above
 * last; how many, or -1. */
static int
index_from(struct db_conn *c, const char *ed, long long last)
{
	int n = 0, k;
	do {
		k = sync_slice(c, db_query(c, "SELECT id FROM articles WHERE status = 'published' AND (? = '' OR edition = ?) "
		    "AND id > ? ORDER BY id LIMIT 512", "ssi", ed, ed, last), &last);
		n += k;
	} while (k == SLICE);
	return k < 0 ? -1 : n;
}

int
search_reindex(struct db_conn *c, const char *edition)
{
	bool all = !edition || !*edition;
	const char *ed = all ? "" : edition;
	long long rc = is_pg(c)
	    ? db_exec(c, "DELETE FROM search_index WHERE ? = '' OR edition = ?", "ss", ed, ed)
	    : db_exec(c, "DELETE FROM search_index WHERE ? = '' OR rowid IN (SELECT id FROM articles WHERE edition = ?)", "ss", ed, ed);
	if (rc < 0 || db_exec(c, "DELETE FROM search_facets WHERE ? = '' OR article_id IN (SELECT id FROM articles WHERE edition = ?)",
	    "ss", ed, ed) < 0)
		return -1;
	return index_from(c, ed, 0);
}

int
search_index_after(struct db_conn *c, long long after_id)
{
	return index_from(c, "", after_id);
}

/* The articles of a renamed tag (or author): their index rows name it. */
static int
sync_named(struct db_conn *c, long long id, bool author)
{
	long long last = 0;
	int k;
	do
		k = sync_slice(c, author
		    ? db_query(c, "SELECT article_id FROM article_authors WHERE author_id = ? AND article_id > ? "
			"ORDER BY article_id LIMIT 512", "ii", id, last)
		    : db_query(c, "SELECT article_id FROM article_tags WHERE term_id = ? AND article_id > ? "
			"ORDER BY article_id LIMIT 512", "ii", id, last), &last);
	while (k == SLICE);
	return k < 0 ? -1 : 0;
}

int search_sync_term(struct db_conn *c, long long term) { return sync_named(c, term, false); }
int search_sync_author(struct db_conn *c, long long author) { return sync_named(c, author, true); }

static int
reindex_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	return search_reindex(c, arg);
}

int
search_check(struct db *db)
{
	struct db_conn *c = db_acquire(db);
	int rc = 0;
	long long indexed = db_int1(c, -1, "SELECT count(*) FROM (SELECT 1 FROM search_index LIMIT 1) AS x", "");
	long long faceted = db_int1(c, -1, "SELECT count(*) FROM (SELECT 1 FROM search_facets LIMIT 1) AS x", "");
	long long published = db_int1(c, -1, "SELECT count(*) FROM (SELECT 1 FROM articles WHERE status = 'published' LIMIT 1) AS x", "");
	if (indexed < 0 || published < 0 || faceted < 0)
		rc = -1;
	else if ((indexed == 0 || faceted == 0) && published > 0)   /* faceted: an index made before 0019 */
		rc = inval_write(c, reindex_tx, NULL, NULL) < 0 ? -1 : 1;
	db_release(c);
	return rc;
}

/* Similar stories for the related list: published ones of the edition that
 * share words with the headline, best first, skipping the ids in skip. */
int
search_similar(struct db_conn *c, long long id, const char *edition, const char *title, long long now,
    const long long *skip, int nskip, long long *out, int max)
{
	struct arena a = {0};
	bool pg = is_pg(c);
	const char *q = fts_any_of(&a, title, 8, pg, edition, search_language(c, &a, edition));
	int n = 0;
	if (q) {
		struct db_stmt *st = pg
		    ? db_query(c, "SELECT s.article_id FROM search_index s JOIN articles a ON a.id = s.article_id, "
			"(SELECT to_tsquery(CAST(coalesce((SELECT config FROM search_index WHERE edition = ? LIMIT 1), 'simple') AS regconfig), ?) AS q) AS x "
			"WHERE s.doc @@ x.q AND s.edition = ? AND s.article_id <> ? AND a.published_at <= ? "
			"ORDER BY ts_rank(s.doc, x.q) DESC, a.published_at DESC LIMIT 12", "sssii", edition, q, edition, id, now)
		    : db_query(c, "SELECT search_index.rowid FROM search_index CROSS JOIN articles a ON a.id = search_index.rowid "
			"WHERE search_index MATCH ? AND search_index.rowid <> ? AND a.published_at <= ? "
			"ORDER BY bm25(search_index, 10.0, 4.0, 1.0, 4.0, 2.0), a.published_at DESC LIMIT 12", "sii", q, id, now);
		while (db_row(st) && n < max) {
			long long x = db_int(st, 0);
			bool dup = false;
			for (int i = 0; i < nskip; i++)
				dup |= skip[i] == x;
			if (!dup)
				out[n++] = x;
		}
		if (db_done(st) < 0)
			n = -1;
	}
	arena_free(&a);
	return n;
}

/* ---- the search page -------------------------------------------------------------- */

/* Highlighted text as HTML: escaped, with the FTS_HL markers as <mark> and
 * any scope marker left out. */
static struct tv *
marked_html(struct arena *a, const char *s)
{
	struct buf b = {0};
	bool open = false;
	while (s && *s) {
		size_t n = strcspn(s, "\x1b\x02\x03");
		buf_esc_html(&b, s, n);
		s += n;
		if (*s == FTS_MARK) {
			const char *end = strchr(s + 1, FTS_MARK);
			s = end ? end + 1 : s + strlen(s);
		} else if (*s == FTS_HL_ON) {
			if (!open)
				buf_puts(&b, "<mark>");
			open = true;
			s++;
		} else if (*s == FTS_HL_OFF) {
			if (open)
				buf_puts(&b, "</mark>");
			open = false;
			s++;
		}
	}
	if (open)
		buf_puts(&b, "</mark>");
	struct tv *v = tv_html(a, arena_strndup(a, b.s ? b.s : "", b.len), b.len);
	buf_free(&b);
	return v;
}

/* "2025-03-01" → the start of that day in the site's zone, or -1. */
static long long
day_start(const char *zone, const char *s, int add_days)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 || y > 2999 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + add_days, .tm_hour = 12};
	time_t t = timegm(&tm);   /* normalises the day after the last of a month */
	struct tm back;
	gmtime_r(&t, &back);
	if (add_days == 0 && back.tm_mday != d)
		return -1;        /* 2025-02-30 */
	return i18n_from_local(zone, back.tm_year + 1900, back.tm_mon + 1, back.tm_mday, 0, 0);
}

struct filters {
	const char *q, *section, *kind, *author, *from, *to;
	long long section_id, author_id, from_t, to_t;
	int page;
};

/* The URL of another page of the same search. */
static const char *
search_url(struct arena *a, const struct edition *ed, const struct filters *f, int page)
{
	struct buf b = {0};
	buf_printf(&b, "/%s/search?q=", ed->code);
	buf_esc_urlpart(&b, f->q, strlen(f->q));
	const char *names[] = {"section", "kind", "author", "from", "to"};
	const char *vals[] = {f->section, f->kind, f->author, f->from, f->to};
	for (int i = 0; i < 5; i++)
		if (vals[i] && *vals[i]) {
			buf_printf(&b, "&%s=", names[i]);
			buf_esc_urlpart(&b, vals[i], strlen(vals[i]));
		}
	if (page > 1)
		buf_printf(&b, "&page=%d", page);
	const char *s = arena_strndup(a, b.s, b.len);
	buf_free(&b);
	return s;
}

/* Reads and checks the query string; an error message (translated) or NULL. */
static const char *
read_filters(struct req *r, struct page *p, struct filters *f)
{
	const char *lang = p->ed->code;
	struct db_conn *c = req_db(r);
	memset(f, 0, sizeof *f);
	f->q = req_query(r, "q") ? req_query(r, "q") : "";
	f->section = req_query(r, "section");
	f->kind = req_query(r, "kind");
	f->author = req_query(r, "author");
	f->from = req_query(r, "from");
	f->to = req_query(r, "to");
	const char *page = req_query(r, "page");
	f->page = 1;
	f->to_t = 1LL << 62;
	if (page && *page) {
		char *end;
		long v = strtol(page, &end, 10);
		if (*end || v < 1 || v > MAX_PAGE)
			return arena_printf(&r->a, i18n_gettext(lang, _("Results go to page %d at most.")), MAX_PAGE);
		f->page = (int)v;
	}
	if (f->kind && *f->kind && !kind_valid(f->kind))
		return i18n_gettext(lang, _("There is no such kind of story."));
	if (f->section && *f->section) {
		f->section_id = db_int1(c, 0, "SELECT term_id FROM term_names WHERE edition = ? AND taxonomy = 'section' AND slug = ?", "ss",
		    lang, f->section);
		if (!f->section_id)
			return i18n_gettext(lang, _("There is no such section."));
	}
	if (f->author && *f->author) {
		f->author_id = db_int1(c, 0, "SELECT id FROM authors WHERE slug = ?", "s", f->author);
		if (!f->author_id)
			return i18n_gettext(lang, _("There is no such author."));
	}
	const char *zone = setting_str(c, &r->a, "site.timezone");
	if (f->from && *f->from && (f->from_t = day_start(zone, f->from, 0)) < 0)
		return i18n_gettext(lang, _("Dates are written YYYY-MM-DD, like 2025-03-01."));
	if (f->to && *f->to) {
		if (day_start(zone, f->to, 0) < 0)
			return i18n_gettext(lang, _("Dates are written YYYY-MM-DD, like 2025-03-01."));
		f->to_t = day_start(zone, f->to, 1);
	}
	return NULL;
}

/* The filter choices: sections of the edition, kinds, authors. */
static void
filter_choices(struct page *p, const struct filters *f)
{
	struct arena *a = &p->r->a;
	struct tv *secs = tv_set_list(p->root, "sections");
	const long long *ids;
	int n = ref_sections(p->rd, &ids);
	for (int i = 0; i < n; i++) {
		const char *slug = ref_term_slug(p->rd, ids[i], p->edi), *name = ref_term_name(p->rd, ids[i], p->edi);
		if (!slug || !name)
			continue;
		struct tv *m = tv_push_map(secs);
		tv_set_str(m, "slug", slug);
		tv_set_str(m, "name", name);
		tv_set_bool(m, "selected", f->section_id == ids[i]);
	}
	struct tv *kinds = tv_set_list(p->root, "kinds");
	static const char *all[] = {"news", "opinion", "blog"};
	for (int i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(kinds);
		tv_set_str(m, "value", all[i]);
		tv_set_str(m, "name", kind_label(p->ed->code, all[i]));
		tv_set_bool(m, "selected", f->kind && strcmp(f->kind, all[i]) == 0);
	}
	struct tv *authors = tv_set_list(p->root, "authors");
	struct db_stmt *st = db_query(req_db(p->r), "SELECT slug, name FROM authors ORDER BY name LIMIT 500", "");
	while (db_row(st)) {
		struct tv *m = tv_push_map(authors);
		const char *slug = db_atext(st, 0, a);
		tv_set_str(m, "slug", slug);
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_bool(m, "selected", f->author && strcmp(f->author, slug) == 0);
	}
	db_done(st);
	tv_set_str(p->root, "from", f->from);
	tv_set_str(p->root, "to", f->to);
	tv_set_bool(p->root, "filtered", f->section_id || f->author_id || (f->kind && *f->kind) || (f->from && *f->from) ||
	    (f->to && *f->to));
}

/* SQLite, with filters: each match is joined to its narrow search_facets
 * row, not its article row (the edition is the match's scope); CROSS JOIN
 * keeps the full-text match as the outer loop, else the planner may walk
 * an edition's articles and match each one. */
#define SQ_FILTERED "FROM search_index CROSS JOIN search_facets f ON f.article_id = search_index.rowid " \
	"WHERE search_index MATCH ? AND f.published_at <= ? AND (? = 0 OR f.section_id = ?) AND (? = '' OR f.kind = ?) " \
	"AND (? = 0 OR EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = f.article_id AND x.author_id = ?)) " \
	"AND f.published_at >= ? AND f.published_at < ? "
#define PG_FROM "FROM search_index s JOIN articles a ON a.id = s.article_id, " \
	"(SELECT to_tsquery(CAST(coalesce((SELECT config FROM search_index WHERE edition = ? LIMIT 1), 'simple') AS regconfig), ?) AS q) AS x "
#define PG_WHERE "WHERE s.doc @@ x.q AND s.edition = ? AND a.status = 'published' AND a.published_at <= ? " \
	"AND (? = 0 OR a.section_id = ?) AND (? = '' OR a.kind = ?) " \
	"AND (? = 0 OR EXISTS (SELECT 1 FROM article_authors y WHERE y.article_id = a.id AND y.author_id = ?)) " \
	"AND a.published_at >= ? AND a.published_at < ? "

/* Highlighted headlines and snippets of the n results in list, and the
 * links to other pages; 0 or -1. */
static int
snippets_and_pages(struct page *p, const struct filters *f, struct tv *list, int n, const char *q, long long total)
{
	struct arena *a = &p->r->a;
	struct db_conn *c = req_db(p->r);
	bool pg = is_pg(c);
	for (int i = 0; i < n; i++) {
		struct tv *m = list->u.list.items[i];
		long long id = tv_get(m, "id")->u.i;
		struct db_stmt *st = pg
		    ? db_query(c, "SELECT ts_headline(CAST(s.config AS regconfig), s.title, x.q, 'HighlightAll=true, StartSel=' || chr(2) || "
			"', StopSel=' || chr(3)), ts_headline(CAST(s.config AS regconfig), s.body, x.q, 'MaxWords=32, MinWords=16, "
			"MaxFragments=2, FragmentDelimiter=\" … \", StartSel=' || chr(2) || ', StopSel=' || chr(3)) "
			"FROM search_index s, (SELECT to_tsquery(CAST(config AS regconfig), ?) AS q FROM search_index WHERE article_id = ?) AS x "
			"WHERE s.article_id = ?", "sii", q, id, id)
		    : db_query(c, "SELECT highlight(search_index, 0, char(2), char(3)), snippet(search_index, 2, char(2), char(3), '…', 28) "
			"FROM search_index WHERE search_index MATCH ? AND rowid = ?", "si", q, id);
		if (db_row(st)) {
			tv_set(m, "title_html", marked_html(a, db_text(st, 0)));
			tv_set(m, "snippet", marked_html(a, db_text(st, 1)));
		}
		if (db_done(st) < 0)
			return -1;
	}
	int offset = (f->page - 1) * PER_PAGE;
	long long pages = (total + PER_PAGE - 1) / PER_PAGE;
	struct tv *pag = tv_set_map(p->root, "pages");
	if (f->page > 1)
		tv_set_str(pag, "prev", search_url(a, p->ed, f, f->page - 1));
	if (total > offset + PER_PAGE && f->page < MAX_PAGE)
		tv_set_str(pag, "next", search_url(a, p->ed, f, f->page + 1));
	tv_set_int(pag, "current", f->page);
	tv_set_int(pag, "count", pages > MAX_PAGE ? MAX_PAGE : pages);
	return 0;
}

/* Runs the search: fills root.results and root.total; 0 or -1. */
static int
run_search(struct page *p, const struct filters *f, const struct fts_query *fq)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *ed = p->ed->code, *lang = search_language(c, a, ed);
	const char *kind = f->kind ? f->kind : "";
	long long now = (long long)time(NULL), total = -1;
	int offset = (f->page - 1) * PER_PAGE, n;
	struct tv *list = tv_set_list(p->root, "results");
	struct db_stmt *st;
	bool filtered = f->section_id || *kind || f->author_id || f->from_t != 0 || f->to_t != 1LL << 62;
	if (is_pg(c)) {
		const char *q = fts_tsquery_pg(a, fq, lang);
		total = db_int1(c, -1, "SELECT count(*) " PG_FROM PG_WHERE, "sssiiissiiii", ed, q, ed, now, f->section_id, f->section_id,
		    kind, kind, f->author_id, f->author_id, f->from_t, f->to_t);
		if (total <= offset)
			goto counted;
		st = db_query(c, "SELECT " ARTICLE_CARD_COLUMNS " " PG_FROM PG_WHERE
		    "ORDER BY ts_rank(s.doc, x.q) DESC, a.published_at DESC, a.id DESC LIMIT ? OFFSET ?", "sssiiissiiiidd", ed, q, ed, now,
		    f->section_id, f->section_id, kind, kind, f->author_id, f->author_id, f->from_t, f->to_t, PER_PAGE, offset);
		n = article_cards(p, st, list);
		tv_set_int(p->root, "total", total);
		return c->failed ? -1 : snippets_and_pages(p, f, list, n, q, total);
	}
	const char *q = fts_match_sqlite(a, fq, ed, lang);
	if (!filtered) {
		/* the index holds exactly the edition's published stories (its
		 * scope): counting and ranking need no join, and only the page's
		 * ten are joined; five times faster on a common word at 100,000 */
		total = db_int1(c, -1, "SELECT count(*) FROM search_index WHERE search_index MATCH ?", "s", q);
		if (total <= offset)
			goto counted;
		st = db_query(c, "SELECT " ARTICLE_CARD_COLUMNS " FROM (SELECT rowid AS id, bm25(search_index, 10.0, 4.0, 1.0, 4.0, 2.0) AS score "
		    "FROM search_index WHERE search_index MATCH ? ORDER BY score, rowid DESC LIMIT ? OFFSET ?) AS s "
		    "CROSS JOIN articles a ON a.id = s.id WHERE a.status = 'published' AND a.published_at <= ? ORDER BY s.score, a.id DESC",
		    "sddi", q, PER_PAGE, offset, now);
		n = article_cards(p, st, list);
	} else {
		/* with filters: one pass over the matches ranks the page and counts
		 * them all (count(*) OVER () beside each row); only the page's ten
		 * are joined to their articles */
		st = db_query(c, "WITH m AS MATERIALIZED (SELECT f.article_id AS id, f.published_at AS pub, "
		    "bm25(search_index, 10.0, 4.0, 1.0, 4.0, 2.0) AS score " SQ_FILTERED ") "
		    "SELECT " ARTICLE_CARD_COLUMNS ", x.total FROM (SELECT id, score, pub, count(*) OVER () AS total FROM m "
		    "ORDER BY score, pub DESC, id DESC LIMIT ? OFFSET ?) AS x CROSS JOIN articles a ON a.id = x.id "
		    "ORDER BY x.score, x.pub DESC, x.id DESC",
		    "siiissiiiidd", q, now, f->section_id, f->section_id, kind, kind, f->author_id, f->author_id, f->from_t, f->to_t,
		    PER_PAGE, offset);
		total = 0;
		n = article_cards_counted(p, st, list, &total);
		if (n == 0 && offset > 0 && !c->failed)   /* past the end: how far does it go? */
			total = db_int1(c, -1, "SELECT count(*) " SQ_FILTERED, "siiissiiii", q, now, f->section_id, f->section_id, kind, kind,
			    f->author_id, f->author_id, f->from_t, f->to_t);
	}
	if (c->failed || total < 0)
		return -1;
	tv_set_int(p->root, "total", total);
	return snippets_and_pages(p, f, list, n, q, total);
counted:
	if (total < 0)
		return -1;
	tv_set_int(p->root, "total", total);
	return 0;
}

/* GET /{edition}/search?q=…&section=…&kind=…&author=…&from=…&to=…&page=N */
static void
search_page(struct req *r)
{
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed) {
		resp_error(r, 404);
		return;
	}
	struct page p;
	page_init(&p, r, ed, i18n_gettext(ed->code, _("Search")));
	p.noindex = true;
	p.private_page = true;   /* any words at all: not worth a place in the page cache */
	for (int i = 0; i < edition_count(); i++)
		p.alt_url[i] = arena_printf(&r->a, "/%s/search", edition_at(i)->code);
	struct filters f;
	const char *error = read_filters(r, &p, &f);
	tv_set_str(p.root, "q", f.q);
	filter_choices(&p, &f);
	struct fts_query fq;
	fts_parse(&r->a, f.q, &fq);
	if (!error && fq.too_long)
		error = arena_printf(&r->a, i18n_gettext(ed->code, _("That search is too long: use at most %d characters.")), FTS_MAX_QUERY);
	if (!error && fq.too_many)
		tv_set_str(p.root, "notice", arena_printf(&r->a, i18n_gettext(ed->code, _("Only the first %d words were searched for.")),
		    FTS_MAX_TERMS));
	if (error) {
		tv_set_str(p.root, "error", error);
		page_render(&p, "search.html", 400);
		return;
	}
	if (*f.q) {
		tv_set_str(p.root, "title", arena_printf(&r->a, "%s · %s", f.q, i18n_gettext(ed->code, _("Search"))));
		tv_set_bool(p.root, "searched", true);
		if (!fq.positives)
			tv_set_int(p.root, "total", 0);
		else if (run_search(&p, &f, &fq) < 0) {
			page_db_error(r);
			return;
		}
	}
	page_render(&p, "search.html", 200);
}

const struct route search_routes[] = {
	{HTTP_GET, "/{edition}/search", search_page, NULL, ROUTE_COSTLY},
	{0, NULL, NULL, NULL},
};
