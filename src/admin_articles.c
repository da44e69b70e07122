/* admin_articles.c: the article desk: the list with its filters, the
 * editor (new and existing articles: text, kind, section, category, tags,
 * bylines, address, the workflow draft → review → scheduled → published,
 * correction notes, a Markdown preview, autosave), and translations (a
 * linked draft in another edition, the source beside it, "outdated" when
 * the source changes). Who may do what is decided here from the role's
 * rights (admin.h) and the article's edition and owner. Revision history
 * and restore live in admin_revisions.c; the reader pages never come here. */
#include "admin.h"
#include "core/markdown.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_PAGE 50
#define TITLE_MAX 300          /* characters */
#define STANDFIRST_MAX 600
#define BODY_MAX (512 * 1024)  /* bytes */
#define TAGS_MAX 20
#define TAG_MAX 60
#define BYLINES_MAX 8
#define NOTE_MAX 1000

static const char *const statuses[] = {"draft", "review", "scheduled", "published", "private"};

static bool
status_known(const char *s)
{
	for (size_t i = 0; s && i < sizeof statuses / sizeof *statuses; i++)
		if (strcmp(s, statuses[i]) == 0)
			return true;
	return false;
}

int
admin_article_load(struct db_conn *c, struct arena *a, long long id, struct admin_article *x)
{
	memset(x, 0, sizeof *x);
	struct db_stmt *st = db_query(c, "SELECT a.id, coalesce(a.translation_group, 0), coalesce(a.section_id, 0), "
	    "coalesce(a.category_id, 0), coalesce(a.created_by, 0), coalesce(a.source_id, 0), coalesce(a.published_at, 0), "
	    "coalesce(a.updated_at, 0), a.edition, a.kind, a.slug, a.title, a.standfirst, b.body_md, a.status, a.correction, "
	    "a.outdated, (SELECT coalesce(max(id), 0) FROM article_revisions WHERE article_id = a.id AND autosave = 0), "
	    "coalesce(a.featured_media_id, 0) "
	    "FROM articles a JOIN article_bodies b ON b.article_id = a.id WHERE a.id = ?", "i", id);
	if (!db_row(st))
		return db_done(st) < 0 ? -1 : 0;
	x->id = db_int(st, 0);
	x->group = db_int(st, 1);
	x->section = db_int(st, 2);
	x->category = db_int(st, 3);
	x->created_by = db_int(st, 4);
	x->source_id = db_int(st, 5);
	x->published_at = db_int(st, 6);
	x->updated_at = db_int(st, 7);
	x->edition = db_atext(st, 8, a);
	x->kind = db_atext(st, 9, a);
	x->slug = db_atext(st, 10, a);
	x->title = db_atext(st, 11, a);
	x->standfirst = db_atext(st, 12, a);
	x->body = db_atext(st, 13, a);
	x->status = db_atext(st, 14, a);
	x->correction = db_atext(st, 15, a);
	x->outdated = db_int(st, 16) != 0;
	x->latest_rev = db_int(st, 17);
	x->media = db_int(st, 18);
	return db_done(st) < 0 ? -1 : 1;
}

/* Editors: anything in their editions. Authors: their own. Contributors:
 * their own until it is published. Translators: translations. */
bool
admin_can_edit(const struct staff *u, const struct admin_article *x)
{
	if (!staff_has_edition(u, x->edition))
		return false;
	if (u->caps & CAP_EDIT_ANY)
		return true;
	if ((u->caps & CAP_WRITE) && x->created_by == u->id &&
	    ((u->caps & CAP_PUBLISH) || strcmp(x->status, "draft") == 0 || strcmp(x->status, "review") == 0))
		return true;
	return (u->caps & CAP_TRANSLATE) && x->source_id != 0;
}

bool
admin_can_publish(const struct staff *u, const struct admin_article *x)
{
	return staff_has_edition(u, x->edition) && (u->caps & CAP_PUBLISH) &&
	    ((u->caps & CAP_EDIT_ANY) || x->created_by == u->id);
}

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static long long
form_id(struct req *r, const char *key)
{
	return admin_id(req_form(r, key));
}

/* The alt text of a picture in an edition ("" if none). */
static const char *
picture_alt(struct db_conn *c, struct arena *a, long long media, const char *edition)
{
	struct db_stmt *st = db_query(c, "SELECT alt FROM media_texts WHERE media_id = ? AND edition = ?", "is", media, edition);
	const char *alt = db_row(st) ? db_atext(st, 0, a) : "";
	db_done(st);
	return alt;
}

/* ---- the list -------------------------------------------------------------------- */

static void
list_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const struct edition *lang = admin_edition(r);
	const char *ed = req_query(r, "edition"), *status = req_query(r, "status"), *q = req_query(r, "q");
	const char *page_s = req_query(r, "page");
	long long section = admin_id(req_query(r, "section")), author = admin_id(req_query(r, "author"));
	if (!ed || !edition_find(ed))
		ed = "";
	if (!status || !status_known(status))
		status = "";
	if (!q)
		q = "";
	q = text_clean(a, q, false);
	if (utf8_chars(q) > 200)
		q = "";
	long page = page_s ? atol(page_s) : 1;
	if (page < 1 || page > 100000)
		page = 1;
	/* LIKE with the wildcards of the query taken literally */
	struct buf like = {0};
	buf_puts(&like, "%");
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '!')
			buf_putc(&like, '!');
		buf_putc(&like, *p);
	}
	buf_puts(&like, "%");
	const char *pattern = arena_strndup(a, like.s, like.len);
	buf_free(&like);

	struct tv *f = tv_map(a);
	struct tv *flt = tv_set_map(f, "filter");
	tv_set_str(flt, "edition", ed);
	tv_set_str(flt, "status", status);
	tv_set_str(flt, "q", q);
	struct tv *eds = tv_set_list(f, "editions");
	for (int i = 0; i < edition_count(); i++) {
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "code", edition_at(i)->code);
		tv_set_str(m, "name", edition_at(i)->name);
		tv_set_bool(m, "selected", strcmp(ed, edition_at(i)->code) == 0);
		tv_set_bool(m, "mine", staff_has_edition(u, edition_at(i)->code));
	}
	struct tv *sts = tv_set_list(f, "statuses");
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		struct tv *m = tv_push_map(sts);
		tv_set_str(m, "value", statuses[i]);
		tv_set_str(m, "label", admin_status_label(lang->code, statuses[i]));
		tv_set_bool(m, "selected", strcmp(status, statuses[i]) == 0);
	}
	struct tv *secs = tv_set_list(f, "sections");
	struct db_stmt *st = db_query(c, "SELECT t.id, coalesce(n.name, t.key) FROM terms t LEFT JOIN term_names n "
	    "ON n.term_id = t.id AND n.edition = ? WHERE t.taxonomy = 'section' ORDER BY t.position, t.id", "s", lang->code);
	while (db_row(st)) {
		struct tv *m = tv_push_map(secs);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_bool(m, "selected", db_int(st, 0) == section);
	}
	db_done(st);
	struct tv *auths = tv_set_list(f, "authors");
	st = db_query(c, "SELECT id, name FROM authors ORDER BY name, id", "");
	while (db_row(st)) {
		struct tv *m = tv_push_map(auths);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_bool(m, "selected", db_int(st, 0) == author);
	}
	db_done(st);

	struct tv *rows = tv_set_list(f, "rows");
	st = db_query(c, "SELECT a.id, a.edition, a.title, a.status, a.kind, coalesce(n.name, ''), a.outdated, "
	    "coalesce(a.updated_at, a.published_at, a.created_at), coalesce(a.source_id, 0), coalesce(u.name, '') "
	    "FROM articles a LEFT JOIN term_names n ON n.term_id = a.section_id AND n.edition = a.edition "
	    "LEFT JOIN users u ON u.id = a.created_by "
	    "WHERE (? = '' OR a.edition = ?) AND (? = '' OR a.status = ?) AND (? = 0 OR a.section_id = ?) "
	    "AND (? = 0 OR EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = ?)) "
	    "AND (? = '' OR lower(a.title) LIKE lower(?) ESCAPE '!') "
	    "ORDER BY coalesce(a.updated_at, a.published_at, a.created_at) DESC, a.id DESC LIMIT ? OFFSET ?",
	    "ssssiiiissdi", ed, ed, status, status, section, section, author, author, q, pattern, LIST_PAGE + 1,
	    (long long)(page - 1) * LIST_PAGE);
	int n = 0;
	while (db_row(st)) {
		if (++n > LIST_PAGE)
			break;
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", db_int(st, 0));
		const struct edition *e = edition_find(db_text(st, 1));
		tv_set_str(m, "edition", e ? e->name : db_atext(st, 1, a));
		tv_set_str(m, "title", db_atext(st, 2, a));
		tv_set_str(m, "status", db_atext(st, 3, a));
		tv_set_str(m, "status_label", admin_status_label(lang->code, db_text(st, 3)));
		tv_set_str(m, "kind", kind_label(lang->code, db_text(st, 4)));
		tv_set_str(m, "section", db_atext(st, 5, a));
		tv_set_bool(m, "outdated", db_int(st, 6) != 0);
		tv_set_str(m, "when", admin_when(r, db_int(st, 7)));
		tv_set_bool(m, "translation", db_int(st, 8) != 0);
		tv_set_str(m, "by", db_atext(st, 9, a));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	/* the filters again, for the pagination links */
	const char *keep = arena_printf(a, "edition=%s&status=%s&section=%lld&author=%lld&q=", ed, status, section, author);
	struct buf qs = {0};
	buf_puts(&qs, keep);
	buf_esc_urlpart(&qs, q, strlen(q));
	const char *base = arena_strndup(a, qs.s, qs.len);
	buf_free(&qs);
	if (n > LIST_PAGE)
		tv_set_str(f, "next", arena_printf(a, "/admin/articles?%s&page=%ld", base, page + 1));
	if (page > 1)
		tv_set_str(f, "prev", arena_printf(a, "/admin/articles?%s&page=%ld", base, page - 1));
	struct tv *newed = tv_set_list(f, "new_in");
	for (int i = 0; (u->caps & CAP_WRITE) && i < edition_count(); i++)
		if (staff_has_edition(u, edition_at(i)->code)) {
			struct tv *m = tv_push_map(newed);
			tv_set_str(m, "code", edition_at(i)->code);
			tv_set_str(m, "name", edition_at(i)->name);
		}
	admin_render(r, u, "admin_articles.html", _("Articles"), f, 200);
}

/* ---- the editor ------------------------------------------------------------------ */

/* What the editor form sent, or an article's current state to show. */
struct draft {
	const char *edition, *title, *standfirst, *body, *kind, *slug, *tags, *correction, *publish_at;
	long long section, category, authors[BYLINES_MAX];
	int nauthors;
	long long base, media;
};

static void
draft_from_article(struct req *r, struct db_conn *c, const struct admin_article *x, struct draft *d)
{
	struct arena *a = &r->a;
	memset(d, 0, sizeof *d);
	d->edition = x->edition;
	d->title = x->title;
	d->standfirst = x->standfirst;
	d->body = x->body;
	d->kind = x->kind;
	d->slug = x->slug;
	d->section = x->section;
	d->category = x->category;
	d->base = x->latest_rev;
	d->media = x->media;
	d->correction = "";
	d->publish_at = strcmp(x->status, "scheduled") == 0 ? admin_local_input(r, x->published_at) : "";
	struct buf tags = {0};
	struct db_stmt *st = db_query(c, "SELECT n.name FROM article_tags t JOIN term_names n ON n.term_id = t.term_id "
	    "AND n.edition = ? WHERE t.article_id = ? ORDER BY n.name", "si", x->edition, x->id);
	while (db_row(st)) {
		if (tags.len)
			buf_puts(&tags, ", ");
		buf_puts(&tags, db_text(st, 0));
	}
	db_done(st);
	d->tags = tags.len ? arena_strndup(a, tags.s, tags.len) : "";
	buf_free(&tags);
	st = db_query(c, "SELECT author_id FROM article_authors WHERE article_id = ? ORDER BY position, author_id", "i", x->id);
	while (db_row(st) && d->nauthors < BYLINES_MAX)
		d->authors[d->nauthors++] = db_int(st, 0);
	db_done(st);
}

static void
draft_from_form(struct req *r, struct draft *d)
{
	struct arena *a = &r->a;
	memset(d, 0, sizeof *d);
	const char *v;
#define FIELD(name, key) d->name = text_clean(a, (v = req_form(r, key)) ? v : "", false)
	FIELD(title, "title");
	FIELD(kind, "kind");
	FIELD(slug, "slug");
	FIELD(tags, "tags");
	FIELD(publish_at, "publish_at");
	FIELD(edition, "edition");
#undef FIELD
	/* multi-line text keeps its line breaks */
	d->standfirst = text_clean(a, (v = req_form(r, "standfirst")) ? v : "", false);
	d->body = (v = req_form(r, "body")) ? text_clean(a, v, true) : "";
	d->correction = text_clean(a, (v = req_form(r, "correction")) ? v : "", false);
	d->section = form_id(r, "section");
	d->category = form_id(r, "category");
	d->base = form_id(r, "base");
	d->media = form_id(r, "media");
	for (int i = 0; i < r->nform && d->nauthors < BYLINES_MAX; i++)
		if (strcmp(r->form[i].k, "author") == 0 && admin_id(r->form[i].v)) {
			long long id = admin_id(r->form[i].v);
			bool dup = false;
			for (int j = 0; j < d->nauthors; j++)
				dup |= d->authors[j] == id;
			if (!dup)
				d->authors[d->nauthors++] = id;
		}
}

/* The editor page: the draft d (as stored, or as sent with errors in f). */
static void
editor_render(struct req *r, const struct admin_article *x, const struct draft *d, struct tv *f, int status)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const struct edition *lang = admin_edition(r);
	const struct edition *ed = edition_find(d->edition);
	if (!f)
		f = tv_map(a);
	tv_set_int(f, "id", x ? x->id : 0);
	tv_set_str(f, "action_url", x ? arena_printf(a, "/admin/articles/%lld", x->id) : "/admin/articles/new");
	tv_set_str(f, "edition", d->edition);
	tv_set_str(f, "edition_name", ed ? ed->name : d->edition);
	tv_set_str(f, "lang", d->edition);
	tv_set_str(f, "title", d->title);
	tv_set_str(f, "standfirst", d->standfirst);
	tv_set_str(f, "body", d->body);
	tv_set_str(f, "slug", d->slug);
	tv_set_str(f, "tags", d->tags);
	tv_set_str(f, "publish_at", d->publish_at);
	tv_set_str(f, "correction", d->correction);
	tv_set_int(f, "base", d->base);
	const char *st_now = x ? x->status : "draft";
	tv_set_str(f, "status", st_now);
	tv_set_str(f, "status_label", admin_status_label(lang->code, st_now));
	bool live = x && (strcmp(x->status, "published") == 0 || strcmp(x->status, "scheduled") == 0);
	tv_set_bool(f, "live", x && strcmp(x->status, "published") == 0);
	tv_set_bool(f, "slug_fixed", x && x->published_at && strcmp(x->status, "published") == 0);
	struct admin_article mine = {0};
	if (!x) {
		mine.edition = d->edition;
		mine.created_by = u->id;
		mine.status = "draft";
	}
	tv_set_bool(f, "can_publish", admin_can_publish(u, x ? x : &mine));
	tv_set_bool(f, "can_submit", !x || strcmp(x->status, "draft") == 0 || strcmp(x->status, "review") == 0);
	tv_set_bool(f, "can_unpublish", live && admin_can_publish(u, x));
	tv_set_bool(f, "zone_note", true);
	tv_set_str(f, "zone", setting_str(c, a, "site.timezone"));
	if (x && strcmp(x->status, "published") == 0 && x->published_at <= now_s())
		tv_set_str(f, "public_url", url_article(a, x->edition, x->slug, x->published_at));
	if (x && strcmp(x->status, "scheduled") == 0)
		tv_set_str(f, "scheduled_for", admin_when(r, x->published_at));

	struct tv *kinds = tv_set_list(f, "kinds");
	static const char *const kind_list[] = {"news", "opinion", "blog"};
	for (size_t i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(kinds);
		tv_set_str(m, "value", kind_list[i]);
		tv_set_str(m, "label", kind_label(lang->code, kind_list[i]));
		tv_set_bool(m, "selected", strcmp(d->kind, kind_list[i]) == 0);
	}
	struct tv *secs = tv_set_list(f, "sections"), *cats = tv_set_list(f, "categories");
	struct db_stmt *st = db_query(c, "SELECT t.id, t.taxonomy, coalesce(n.name, t.key), coalesce(p.name, '') FROM terms t "
	    "LEFT JOIN term_names n ON n.term_id = t.id AND n.edition = ? LEFT JOIN term_names p ON p.term_id = t.parent_id "
	    "AND p.edition = ? WHERE t.taxonomy IN ('section', 'category') ORDER BY t.position, t.id", "ss", d->edition, d->edition);
	while (db_row(st)) {
		bool is_sec = strcmp(db_text(st, 1), "section") == 0;
		struct tv *m = tv_push_map(is_sec ? secs : cats);
		tv_set_int(m, "id", db_int(st, 0));
		const char *parent = db_text(st, 3);
		tv_set_str(m, "name", *parent ? arena_printf(a, "%s › %s", parent, db_text(st, 2)) : db_atext(st, 2, a));
		tv_set_bool(m, "selected", db_int(st, 0) == (is_sec ? d->section : d->category));
	}
	db_done(st);
	/* the featured picture: the latest of the library, and the chosen one */
	struct tv *pics = tv_set_list(f, "pictures");
	st = db_query(c, "SELECT m.id, m.filename, coalesce(t.alt, ''), m.width FROM media m LEFT JOIN media_texts t ON t.media_id = m.id "
	    "AND t.edition = ? WHERE m.id = ? OR m.id IN (SELECT id FROM media ORDER BY id DESC LIMIT 50) ORDER BY m.id DESC", "si",
	    d->edition, d->media);
	while (db_row(st)) {
		struct tv *m = tv_push_map(pics);
		long long mid = db_int(st, 0);
		const char *alt = db_atext(st, 2, a);
		tv_set_int(m, "id", mid);
		tv_set_str(m, "label", arena_printf(a, "%lld · %s%s%s", mid, db_text(st, 1), *alt ? " · " : "", alt));
		tv_set_bool(m, "selected", mid == d->media);
		if (mid == d->media) {
			struct tv *cur = tv_set_map(f, "picture");
			tv_set_str(cur, "thumb", arena_printf(a, "/media/%lld/%d.webp", mid, db_int(st, 3) < 480 ? (int)db_int(st, 3) : 480));
			tv_set_str(cur, "alt", alt);
			tv_set_str(cur, "url", arena_printf(a, "/admin/media/%lld", mid));
		}
	}
	db_done(st);
	struct tv *auths = tv_set_list(f, "authors");
	st = db_query(c, "SELECT id, name FROM authors ORDER BY name, id", "");
	while (db_row(st)) {
		struct tv *m = tv_push_map(auths);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "name", db_atext(st, 1, a));
		bool sel = false;
		for (int i = 0; i < d->nauthors; i++)
			sel |= d->authors[i] == db_int(st, 0);
		tv_set_bool(m, "selected", sel);
	}
	db_done(st);

	if (x) {
		tv_set_bool(f, "outdated", x->outdated);
		tv_set_str(f, "revisions_url", arena_printf(a, "/admin/articles/%lld/revisions", x->id));
		/* the source beside a translation */
		if (x->source_id) {
			struct admin_article src;
			if (admin_article_load(c, a, x->source_id, &src) == 1) {
				struct tv *s = tv_set_map(f, "source");
				const struct edition *se = edition_find(src.edition);
				tv_set_int(s, "id", src.id);
				tv_set_str(s, "edition_name", se ? se->name : src.edition);
				tv_set_str(s, "lang", src.edition);
				tv_set_str(s, "title", src.title);
				tv_set_str(s, "standfirst", src.standfirst);
				tv_set_str(s, "body", src.body);
			}
		}
		/* the story in the other editions, and where it can still go */
		struct tv *trs = tv_set_list(f, "translations"), *into = tv_set_list(f, "translate_into");
		for (int i = 0; i < edition_count(); i++) {
			const struct edition *e = edition_at(i);
			if (strcmp(e->code, x->edition) == 0)
				continue;
			long long tid = x->group ? db_int1(c, 0, "SELECT id FROM articles WHERE translation_group = ? AND edition = ?",
			    "is", x->group, e->code) : 0;
			if (tid) {
				struct tv *m = tv_push_map(trs);
				tv_set_str(m, "name", e->name);
				tv_set_str(m, "url", arena_printf(a, "/admin/articles/%lld", tid));
				tv_set_bool(m, "outdated", db_int1(c, 0, "SELECT outdated FROM articles WHERE id = ?", "i", tid) != 0);
			} else if ((u->caps & CAP_TRANSLATE) && staff_has_edition(u, e->code)) {
				struct tv *m = tv_push_map(into);
				tv_set_str(m, "code", e->code);
				tv_set_str(m, "name", e->name);
			}
		}
		long long autosaved = db_int1(c, 0, "SELECT coalesce(max(id), 0) FROM article_revisions WHERE article_id = ? "
		    "AND autosave = 1 AND user_id = ? AND id > ?", "iii", x->id, u->id, x->latest_rev);
		if (autosaved) {
			struct tv *m = tv_set_map(f, "autosaved");
			tv_set_str(m, "url", arena_printf(a, "/admin/articles/%lld/revisions/%lld", x->id, autosaved));
			tv_set_str(m, "when", admin_when(r, db_int1(c, 0, "SELECT created_at FROM article_revisions WHERE id = ?", "i", autosaved)));
		}
	}
	admin_render(r, u, "admin_article.html", x ? _("Edit article") : _("New article"), f, status);
}

static void
editor_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct db_conn *c = req_db(r);
	struct admin_article x;
	long long id = admin_id(r->params[0]);
	int rc = id ? admin_article_load(c, &r->a, id, &x) : 0;
	if (rc < 0) {
		page_db_error(r);
		return;
	}
	if (rc == 0) {
		resp_error(r, 404);
		return;
	}
	if (!admin_can_edit(u, &x)) {
		admin_deny(r);
		return;
	}
	struct draft d;
	draft_from_article(r, c, &x, &d);
	struct tv *f = tv_map(&r->a);
	const char *saved = req_query(r, "saved");
	if (saved && strcmp(saved, "1") == 0)
		tv_set_bool(f, "saved", true);
	editor_render(r, &x, &d, f, 200);
}

static void
new_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	const char *ed = req_query(r, "edition");
	if (!ed || !edition_find(ed))
		ed = admin_edition(r)->code;
	if (!staff_has_edition(u, ed)) {
		for (int i = 0; i < edition_count(); i++)
			if (staff_has_edition(u, edition_at(i)->code)) {
				ed = edition_at(i)->code;
				break;
			}
		if (!staff_has_edition(u, ed)) {
			admin_deny(r);
			return;
		}
	}
	struct draft d = {.edition = ed, .title = "", .standfirst = "", .body = "", .kind = "news", .slug = "", .tags = "",
		.correction = "", .publish_at = ""};
	editor_render(r, NULL, &d, NULL, 200);
}

/* ---- saving ---------------------------------------------------------------------- */

struct save {
	/* in */
	const struct admin_article *x;   /* NULL: a new article */
	const struct draft *d;
	const char *status, *slug;
	long long published_at, user, now;
	bool slug_auto, clear_outdated, autosave, correct;
	/* out */
	long long id;
	bool conflict, slug_taken;
};

/* The tag named name in edition, made when missing. */
static long long
tag_find_or_make(struct db_conn *c, struct arena *a, struct inval *iv, const char *edition, const char *name)
{
	const char *slug = i18n_slug(a, name);
	if (!*slug)
		return 0;
	long long id = db_int1(c, 0, "SELECT term_id FROM term_names WHERE edition = ? AND taxonomy = 'tag' AND slug = ?", "ss",
	    edition, slug);
	if (id)
		return id;
	/* the same key in another edition is the same tag: give it a name here */
	id = db_int1(c, 0, "SELECT id FROM terms WHERE taxonomy = 'tag' AND key = ? AND NOT EXISTS (SELECT 1 FROM term_names "
	    "WHERE term_id = terms.id AND edition = ?)", "ss", slug, edition);
	if (!id) {
		const char *key = slug;
		for (int i = 2; db_int1(c, 0, "SELECT count(*) FROM terms WHERE taxonomy = 'tag' AND key = ?", "s", key) > 0; i++)
			key = arena_printf(a, "%s-%d", slug, i);
		id = db_insert(c, "INSERT INTO terms (taxonomy, key, position) VALUES ('tag', ?, 0) RETURNING id", "s", key);
		if (id <= 0)
			return -1;
	}
	if (db_exec(c, "INSERT INTO term_names (term_id, edition, taxonomy, name, slug) VALUES (?, ?, 'tag', ?, ?)", "isss", id,
	    edition, name, slug) != 1)
		return -1;
	inval_add(iv, TAG_TERM, id);
	return id;
}

static int
revision_add(struct db_conn *c, long long id, long long user, long long now, bool autosave, const char *note)
{
	if (autosave && db_exec(c, "DELETE FROM article_revisions WHERE article_id = ? AND user_id = ? AND autosave = 1", "ii", id,
	    user) < 0)
		return -1;
	return db_exec(c, "INSERT INTO article_revisions (article_id, user_id, created_at, autosave, status, title, standfirst, "
	    "body_md, note) SELECT a.id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), a.status, a.title, a.standfirst, b.body_md, CAST(? AS TEXT) FROM articles a "
	    "JOIN article_bodies b ON b.article_id = a.id WHERE a.id = ?", "nidsi", user, now, autosave ? 1 : 0, note ? note : "",
	    id) == 1 ? 0 : -1;
}

static int
body_set(struct db_conn *c, long long id, const char *md)
{
	size_t n;
	char *html = md_render(md, strlen(md), MD_ARTICLE, &n);
	if (!html)
		return -1;
	long long rc = db_exec(c, "UPDATE article_bodies SET body_md = ?, body_html = ? WHERE article_id = ?", "ssi", md, html, id);
	free(html);
	return rc == 1 ? 0 : -1;
}

int
admin_article_set_text(struct db_conn *c, struct inval *iv, long long id, long long user, const char *title,
    const char *standfirst, const char *body, long long now, const char *note)
{
	article_invalidations(c, id, iv);
	if (db_exec(c, "UPDATE articles SET title = ?, standfirst = ? WHERE id = ?", "ssi", title, standfirst, id) != 1 ||
	    body_set(c, id, body) < 0 ||
	    db_exec(c, "UPDATE articles SET outdated = 1 WHERE source_id = ?", "i", id) < 0 ||
	    revision_add(c, id, user, now, false, note) < 0 || listings_sync(c, id) < 0)
		return -1;
	article_invalidations(c, id, iv);
	return 0;
}

static int
save_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct save *s = arg;
	const struct draft *d = s->d;
	struct arena a;
	arena_init(&a, 4096);
	int rc = -1;
	long long id = s->x ? s->x->id : 0;
	s->conflict = s->slug_taken = false;
	if (id && !s->autosave) {
		/* someone saved since this editor opened: do not write over it */
		long long latest = db_int1(c, -1, "SELECT coalesce(max(id), 0) FROM article_revisions WHERE article_id = ? "
		    "AND autosave = 0", "i", id);
		if (latest != d->base) {
			s->conflict = true;
			goto out;
		}
	}
	if (s->autosave) {
		/* the typed text as a revision of its own; the article stays as it is */
		rc = revision_add(c, id, s->user, s->now, true, NULL) == 0 &&
			db_exec(c, "UPDATE article_revisions SET title = ?, standfirst = ?, body_md = ? WHERE id = "
			    "(SELECT max(id) FROM article_revisions WHERE article_id = ?)", "sssi", d->title, d->standfirst, d->body, id) == 1
		    ? 0 : -1;
		goto out;
	}
	const char *slug = s->slug;
	long long other = db_int1(c, 0, "SELECT id FROM articles WHERE edition = ? AND slug = ? AND id <> ?", "ssi", d->edition,
	    slug, id);
	if (other) {
		if (!s->slug_auto) {
			s->slug_taken = true;
			goto out;
		}
		const char *base = slug;
		for (int i = 2; db_int1(c, 0, "SELECT count(*) FROM articles WHERE edition = ? AND slug = ? AND id <> ?", "ssi",
		    d->edition, slug, id) > 0; i++)
			slug = arena_printf(&a, "%s-%d", base, i);
	}
	if (!id) {
		struct article_new n = {.edition = d->edition, .kind = d->kind, .slug = slug, .title = d->title,
			.standfirst = d->standfirst, .body_md = d->body, .status = s->status, .section_id = d->section,
			.category_id = d->category, .published_at = s->published_at, .created_at = s->now};
		id = article_insert(c, &n);
		if (id < 0 || db_exec(c, "UPDATE articles SET created_by = ?, featured_media_id = ? WHERE id = ?", "nni", s->user, d->media,
		    id) != 1)
			goto out;
	} else {
		bool text_changed = strcmp(s->x->title, d->title) != 0 || strcmp(s->x->standfirst, d->standfirst) != 0 ||
		    strcmp(s->x->body, d->body) != 0;
		article_invalidations(c, id, iv);   /* where it was */
		if (db_exec(c, "UPDATE articles SET kind = ?, slug = ?, title = ?, standfirst = ?, section_id = ?, category_id = ?, "
		    "status = ?, published_at = ?, featured_media_id = ? WHERE id = ?", "ssssnnsnni", d->kind, slug, d->title, d->standfirst,
		    d->section, d->category, s->status, s->published_at, d->media, id) != 1)
			goto out;
		if (strcmp(s->x->body, d->body) != 0 && body_set(c, id, d->body) < 0)
			goto out;
		if (text_changed && db_exec(c, "UPDATE articles SET outdated = 1 WHERE source_id = ?", "i", id) < 0)
			goto out;
		if (s->correct && db_exec(c, "UPDATE articles SET updated_at = ?, correction = ? WHERE id = ?", "isi", s->now,
		    d->correction, id) != 1)
			goto out;
		if (s->clear_outdated && db_exec(c, "UPDATE articles SET outdated = 0 WHERE id = ?", "i", id) != 1)
			goto out;
		if (db_exec(c, "DELETE FROM article_tags WHERE article_id = ?", "i", id) < 0 ||
		    db_exec(c, "DELETE FROM article_authors WHERE article_id = ?", "i", id) < 0)
			goto out;
	}
	/* tags: "a, b, c", made when new */
	char *tags = arena_strdup(&a, d->tags);
	char *save_ptr = NULL;
	for (char *t = strtok_r(tags, ",", &save_ptr); t; t = strtok_r(NULL, ",", &save_ptr)) {
		while (*t == ' ')
			t++;
		size_t l = strlen(t);
		while (l && t[l - 1] == ' ')
			t[--l] = 0;
		if (!l)
			continue;
		long long tid = tag_find_or_make(c, &a, iv, d->edition, t);
		if (tid < 0)
			goto out;
		if (tid && db_exec(c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?) ON CONFLICT DO NOTHING", "ii", id,
		    tid) < 0)
			goto out;
	}
	for (int i = 0; i < d->nauthors; i++)
		if (db_exec(c, "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)", "iid", id,
		    d->authors[i], i) != 1)
			goto out;
	if (listings_sync(c, id) < 0 || revision_add(c, id, s->user, s->now, false, s->correct ? d->correction : NULL) < 0)
		goto out;
	article_invalidations(c, id, iv);   /* where it is now */
	audit(c, s->user, s->x ? "article.save" : "article.create", arena_printf(&a, "article %lld: %s", id, s->status));
	s->id = id;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

/* Checks the draft; fills f's err_* fields and returns false when any fails. */
static bool
draft_valid(struct req *r, struct db_conn *c, const struct draft *d, struct tv *f)
{
	const char *lang = admin_edition(r)->code;
	bool ok = true;
#define ERR(key, msg) (tv_set_str(f, key, i18n_gettext(lang, msg)), ok = false)
	if (!*d->title)
		ERR("err_title", _("Please give the article a title."));
	else if (utf8_chars(d->title) > TITLE_MAX)
		ERR("err_title", _("The title is too long (at most 300 characters)."));
	if (utf8_chars(d->standfirst) > STANDFIRST_MAX)
		ERR("err_standfirst", _("The standfirst is too long (at most 600 characters)."));
	if (strlen(d->body) > BODY_MAX)
		ERR("err_body", _("The text is too long (at most 512 KB)."));
	if (!kind_valid(d->kind))
		ERR("err_kind", _("Please choose a kind."));
	if (*d->slug && (strlen(d->slug) > 80 || strspn(d->slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(d->slug) ||
	    d->slug[0] == '-'))
		ERR("err_slug", _("The address may hold only lower-case letters a-z, digits and hyphens (at most 80)."));
	if (d->section && db_int1(c, 0, "SELECT count(*) FROM terms WHERE id = ? AND taxonomy = 'section'", "i", d->section) != 1)
		ERR("err_section", _("Please choose a section from the list."));
	if (d->category && db_int1(c, 0, "SELECT count(*) FROM terms WHERE id = ? AND taxonomy = 'category'", "i", d->category) != 1)
		ERR("err_category", _("Please choose a category from the list."));
	int ntags = 0;
	bool long_tag = false;
	for (const char *p = d->tags; *p;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		char *t = arena_strndup(&r->a, p, l);
		if (strspn(t, " ") != l)
			ntags++;
		long_tag |= utf8_chars(t) > TAG_MAX;
		p += l + (comma ? 1 : 0);
	}
	if (ntags > TAGS_MAX || long_tag)
		ERR("err_tags", _("At most 20 tags, each of at most 60 characters."));
	for (int i = 0; i < d->nauthors; i++)
		if (db_int1(c, 0, "SELECT count(*) FROM authors WHERE id = ?", "i", d->authors[i]) != 1) {
			ERR("err_authors", _("Please choose the bylines from the list."));
			break;
		}
	if (d->media && db_int1(c, 0, "SELECT count(*) FROM media WHERE id = ?", "i", d->media) != 1)
		ERR("err_media", _("Please choose a picture from the list."));
	if (utf8_chars(d->correction) > NOTE_MAX)
		ERR("err_correction", _("The note is too long (at most 1,000 characters)."));
#undef ERR
	return ok;
}

static void
save_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	long long id = r->nparams ? admin_id(r->params[0]) : 0;
	struct admin_article x;
	if (r->nparams) {
		int rc = id ? admin_article_load(c, a, id, &x) : 0;
		if (rc < 0) {
			page_db_error(r);
			return;
		}
		if (rc == 0) {
			resp_error(r, 404);
			return;
		}
		if (!admin_can_edit(u, &x)) {
			admin_deny(r);
			return;
		}
	}
	const struct admin_article *cur = r->nparams ? &x : NULL;
	struct draft d;
	draft_from_form(r, &d);
	if (cur)
		d.edition = cur->edition;   /* an article does not change edition */
	else if (!edition_find(d.edition)) {
		resp_error(r, 400);
		return;
	} else if (!staff_has_edition(u, d.edition)) {
		admin_deny(r);
		return;
	}
	const char *action = req_form(r, "action");
	if (!action)
		action = "save";
	struct tv *f = tv_map(a);
	if (strcmp(action, "preview") == 0) {
		size_t n;
		char *html = md_render(d.body, strlen(d.body), MD_ARTICLE, &n);
		if (html) {
			tv_set(f, "preview", tv_html(a, arena_strndup(a, html, n), n));
			free(html);
		}
		editor_render(r, cur, &d, f, 200);
		return;
	}
	struct admin_article probe = {0};
	probe.edition = d.edition;
	probe.created_by = cur ? cur->created_by : u->id;
	probe.status = cur ? cur->status : "draft";
	bool may_publish = admin_can_publish(u, cur ? cur : &probe);
	struct save s = {.x = cur, .d = &d, .user = u->id, .now = now_s()};
	s.status = cur ? cur->status : "draft";
	s.published_at = cur ? cur->published_at : 0;
	if (cur && strcmp(cur->status, "scheduled") != 0 && strcmp(cur->status, "published") != 0)
		s.published_at = 0;
	bool publishing = false;
	if (strcmp(action, "save") == 0) {
		/* keeps the status; a scheduled article may move to a new time */
		if (cur && strcmp(cur->status, "scheduled") == 0 && *d.publish_at) {
			long long t = admin_parse_local(r, d.publish_at);
			if (t < 0)
				tv_set_str(f, "err_publish_at", i18n_gettext(lang, _("Please give a date and time.")));
			else
				s.published_at = t;
		}
	} else if (strcmp(action, "submit") == 0) {
		if (cur && strcmp(cur->status, "draft") != 0 && strcmp(cur->status, "review") != 0) {
			resp_error(r, 409);
			return;
		}
		s.status = "review";
	} else if (strcmp(action, "publish") == 0 || strcmp(action, "schedule") == 0 || strcmp(action, "unpublish") == 0) {
		if (!may_publish) {
			admin_deny(r);
			return;
		}
		if (action[0] == 'u') {
			s.status = "draft";
			s.published_at = 0;
		} else if (action[0] == 'p') {
			s.status = "published";
			if (!cur || strcmp(cur->status, "published") != 0 || !cur->published_at || cur->published_at > s.now)
				s.published_at = s.now;
			publishing = true;
		} else {
			long long t = admin_parse_local(r, d.publish_at);
			if (t < 0)
				tv_set_str(f, "err_publish_at", i18n_gettext(lang, _("Please give a date and time.")));
			else if (t <= s.now)
				tv_set_str(f, "err_publish_at", i18n_gettext(lang, _("Please choose a time in the future, or publish now.")));
			s.status = "scheduled";
			s.published_at = t;
			publishing = true;
		}
	} else if (strcmp(action, "current") == 0) {
		if (!cur || !cur->source_id) {
			resp_error(r, 400);
			return;
		}
		s.clear_outdated = true;
	} else {
		resp_error(r, 400);
		return;
	}
	bool goes_live = publishing || (cur && (strcmp(cur->status, "published") == 0 || strcmp(cur->status, "scheduled") == 0) &&
	    strcmp(s.status, "draft") != 0);
	if (goes_live && d.media && !*picture_alt(c, a, d.media, d.edition))
		tv_set_str(f, "err_media", i18n_gettext(lang, _("The picture has no alt text in this edition: add it in the media library before publishing.")));
	bool ok = draft_valid(r, c, &d, f) && !tv_get(f, "err_publish_at") && !tv_get(f, "err_media");
	/* the address: typed, or made from the title; fixed once published */
	s.slug = d.slug;
	if (cur && cur->published_at && strcmp(cur->status, "published") == 0)
		s.slug = cur->slug;
	else if (!*d.slug) {
		s.slug = i18n_slug(a, d.title);
		s.slug_auto = true;
		if (!*s.slug)
			s.slug = "article";
	}
	s.correct = cur && strcmp(cur->status, "published") == 0 && *d.correction;
	if (!ok) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		editor_render(r, cur, &d, f, 422);
		return;
	}
	if (inval_write(c, save_tx, &s, NULL) < 0) {
		if (s.conflict) {
			tv_set_str(f, "error", i18n_gettext(lang, _("Someone saved this article after you opened it. Your text is below; "
			    "compare it with the revisions before saving again.")));
			struct admin_article fresh;
			if (admin_article_load(c, a, id, &fresh) == 1)
				d.base = fresh.latest_rev;
			editor_render(r, cur, &d, f, 409);
			return;
		}
		if (s.slug_taken) {
			tv_set_str(f, "err_slug", i18n_gettext(lang, _("Another article of this edition has this address.")));
			tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
			editor_render(r, cur, &d, f, 422);
			return;
		}
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/articles/%lld?saved=1", s.id));
}

static void
autosave_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct db_conn *c = req_db(r);
	struct admin_article x;
	long long id = admin_id(r->params[0]);
	int rc = id ? admin_article_load(c, &r->a, id, &x) : 0;
	if (!admin_found(r, rc))
		return;
	if (!admin_can_edit(u, &x)) {
		admin_deny(r);
		return;
	}
	struct draft d;
	draft_from_form(r, &d);
	if (strlen(d.body) > BODY_MAX || utf8_chars(d.title) > TITLE_MAX || utf8_chars(d.standfirst) > STANDFIRST_MAX) {
		resp_error(r, 422);
		return;
	}
	struct save s = {.x = &x, .d = &d, .user = u->id, .now = now_s(), .autosave = true};
	if (inval_write(c, save_tx, &s, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_text(r, 200, "application/json", "{\"saved\":true}");
	resp_header(r, "Cache-Control", "no-store");
}

/* ---- translations ------------------------------------------------------------------ */

struct translate {
	const struct admin_article *src;
	const char *edition;
	long long user, now, id;
};

static int
translate_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct translate *t = arg;
	const struct admin_article *x = t->src;
	long long group = db_int1(c, 0, "SELECT coalesce(translation_group, 0) FROM articles WHERE id = ?", "i", x->id);
	if (group) {
		t->id = db_int1(c, 0, "SELECT id FROM articles WHERE translation_group = ? AND edition = ?", "is", group, t->edition);
		if (t->id)
			return 0;   /* made a moment ago: open that one */
	} else {
		group = db_insert(c, "INSERT INTO translation_groups (key) VALUES (NULL) RETURNING id", "");
		if (group <= 0 || db_exec(c, "UPDATE articles SET translation_group = ? WHERE id = ?", "ii", group, x->id) != 1)
			return -1;
	}
	struct arena a;
	arena_init(&a, 1024);
	const char *slug = x->slug;
	for (int i = 2; db_int1(c, 0, "SELECT count(*) FROM articles WHERE edition = ? AND slug = ?", "ss", t->edition, slug) > 0; i++)
		slug = arena_printf(&a, "%s-%d", x->slug, i);
	struct article_new n = {.edition = t->edition, .kind = x->kind, .slug = slug, .title = x->title,
		.standfirst = x->standfirst, .body_md = x->body, .status = "draft", .group = group, .section_id = x->section,
		.category_id = x->category, .created_at = t->now};
	long long id = article_insert(c, &n);
	int rc = -1;
	if (id > 0 && db_exec(c, "UPDATE articles SET created_by = ?, source_id = ?, featured_media_id = ? WHERE id = ?", "nini",
		t->user, x->id, x->media, id) == 1 &&
	    db_exec(c, "INSERT INTO article_tags (article_id, term_id) SELECT CAST(? AS BIGINT), term_id FROM article_tags WHERE article_id = ?",
		"ii", id, x->id) >= 0 &&
	    db_exec(c, "INSERT INTO article_authors (article_id, author_id, position) SELECT CAST(? AS BIGINT), author_id, position "
		"FROM article_authors WHERE article_id = ?", "ii", id, x->id) >= 0 &&
	    listings_sync(c, id) == 0 && revision_add(c, id, t->user, t->now, false, NULL) == 0) {
		inval_add(iv, TAG_GROUP, group);   /* the switcher of the source's page */
		audit(c, t->user, "article.translate", arena_printf(&a, "article %lld from %lld into %s", id, x->id, t->edition));
		t->id = id;
		rc = 0;
	}
	arena_free(&a);
	return rc;
}

static void
translate_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct db_conn *c = req_db(r);
	struct admin_article x;
	long long id = admin_id(r->params[0]);
	int rc = id ? admin_article_load(c, &r->a, id, &x) : 0;
	if (!admin_found(r, rc))
		return;
	const char *ed = req_form(r, "edition");
	if (!ed || !edition_find(ed) || strcmp(ed, x.edition) == 0) {
		resp_error(r, 400);
		return;
	}
	if (!staff_has_edition(u, ed)) {
		admin_deny(r);
		return;
	}
	struct translate t = {&x, ed, u->id, now_s(), 0};
	if (inval_write(c, translate_tx, &t, NULL) < 0 || !t.id) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/articles/%lld", t.id));
}

/* GET: the source read-only, with a button per edition it can go into
 * (for translators, who may not edit the source itself). */
static void
translate_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	struct admin_article x;
	long long id = admin_id(r->params[0]);
	int rc = id ? admin_article_load(c, a, id, &x) : 0;
	if (!admin_found(r, rc))
		return;
	struct tv *f = tv_map(a);
	const struct edition *se = edition_find(x.edition);
	tv_set_int(f, "id", x.id);
	tv_set_str(f, "edition_name", se ? se->name : x.edition);
	tv_set_str(f, "lang", x.edition);
	tv_set_str(f, "title", x.title);
	tv_set_str(f, "standfirst", x.standfirst);
	tv_set_str(f, "body", x.body);
	tv_set_str(f, "action_url", arena_printf(a, "/admin/articles/%lld/translate", x.id));
	struct tv *into = tv_set_list(f, "translate_into"), *trs = tv_set_list(f, "translations");
	for (int i = 0; i < edition_count(); i++) {
		const struct edition *e = edition_at(i);
		if (strcmp(e->code, x.edition) == 0)
			continue;
		long long tid = x.group ? db_int1(c, 0, "SELECT id FROM articles WHERE translation_group = ? AND edition = ?", "is",
		    x.group, e->code) : 0;
		struct tv *m = tv_push_map(tid ? trs : into);
		tv_set_str(m, "code", e->code);
		tv_set_str(m, "name", e->name);
		if (tid)
			tv_set_str(m, "url", arena_printf(a, "/admin/articles/%lld", tid));
		tv_set_bool(m, "allowed", staff_has_edition(u, e->code));
	}
	admin_render(r, u, "admin_translate.html", _("Translate"), f, 200);
}

const struct route admin_article_routes[] = {
	{HTTP_GET, "/admin/articles", list_page, "write|translate"},
	{HTTP_GET, "/admin/articles/new", new_page, "write"},
	{HTTP_POST, "/admin/articles/new", save_post, "write"},
	{HTTP_GET, "/admin/articles/{id}", editor_page, "write|translate"},
	{HTTP_POST, "/admin/articles/{id}", save_post, "write|translate"},
	{HTTP_POST, "/admin/articles/{id}/autosave", autosave_post, "write|translate"},
	{HTTP_GET, "/admin/articles/{id}/translate", translate_page, "translate"},
	{HTTP_POST, "/admin/articles/{id}/translate", translate_post, "translate"},
	{0, NULL, NULL, NULL},
};
