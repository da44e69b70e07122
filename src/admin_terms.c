/* admin_terms.c: the site's vocabulary: sections, categories and tags
 * (names and addresses per edition, a category's parent, order), merging
 * one tag into another, and authors (name, address, a biography per
 * edition). An address that changes leaves a 301 from the old one (the
 * redirects table, answered by the 404 path in site.c), and redirects that
 * pointed at the old address follow it. A rename changes names on every
 * page that shows them, so it empties the page cache once (tag "*"):
 * renames are rare, and exact tags for every card would cost more. */
#include "admin.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_MAX_CHARS 80

static const char *
taxonomy_of(const char *s)
{
	if (s && strcmp(s, "category") == 0)
		return "category";
	if (s && strcmp(s, "tag") == 0)
		return "tag";
	return "section";
}

static const char *
taxonomy_label(const char *lang, const char *t)
{
	return strcmp(t, "section") == 0 ? i18n_gettext(lang, _("Sections"))
	    : strcmp(t, "category") == 0 ? i18n_gettext(lang, _("Categories")) : i18n_gettext(lang, _("Tags"));
}

static bool
slug_ok(const char *s)
{
	return *s && strlen(s) <= 80 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s) && s[0] != '-';
}

/* ---- the list ------------------------------------------------------------------------- */

static void
list_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	const char *tax = taxonomy_of(req_query(r, "taxonomy"));
	struct tv *f = tv_map(a);
	tv_set_str(f, "taxonomy", tax);
	tv_set_str(f, "taxonomy_label", taxonomy_label(lang, tax));
	struct tv *tabs = tv_set_list(f, "tabs");
	static const char *const taxes[] = {"section", "category", "tag"};
	for (int i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(tabs);
		tv_set_str(m, "url", arena_printf(a, "/admin/terms?taxonomy=%s", taxes[i]));
		tv_set_str(m, "label", taxonomy_label(lang, taxes[i]));
		tv_set_bool(m, "current", strcmp(tax, taxes[i]) == 0);
	}
	tv_set_bool(tv_push_map(tabs), "authors", true);
	struct tv *eds = tv_set_list(f, "editions");
	for (int i = 0; i < edition_count(); i++) {
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "code", edition_at(i)->code);
		tv_set_str(m, "name", edition_at(i)->name);
	}
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(c, "SELECT t.id, t.key, (SELECT count(*) FROM articles a WHERE a.section_id = t.id OR a.category_id = t.id) "
	    "+ (SELECT count(*) FROM article_tags x WHERE x.term_id = t.id) FROM terms t WHERE t.taxonomy = ? ORDER BY t.position, t.key LIMIT 2000",
	    "s", tax);
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "key", db_atext(st, 1, a));
		tv_set_int(m, "articles", db_int(st, 2));
		tv_set_list(m, "names");
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	for (size_t i = 0; i < rows->u.list.n; i++) {
		struct tv *m = rows->u.list.items[i];
		struct tv *names = tv_get(m, "names");
		for (int e = 0; e < edition_count(); e++) {
			struct db_stmt *n = db_query(c, "SELECT name, slug FROM term_names WHERE term_id = ? AND edition = ?", "is",
			    tv_get(m, "id")->u.i, edition_at(e)->code);
			struct tv *nm = tv_push_map(names);
			if (db_row(n)) {
				tv_set_str(nm, "name", db_atext(n, 0, a));
				tv_set_str(nm, "url", url_term(a, edition_at(e)->code, tax, db_text(n, 1)));
			}
			db_done(n);
		}
	}
	admin_render(r, u, "admin_terms.html", _("Sections, categories and tags"), f, 200);
}

/* ---- one term --------------------------------------------------------------------------- */

struct term_form {
	long long id, parent;
	const char *taxonomy, *key;
	const char *name[MAX_EDITIONS], *slug[MAX_EDITIONS], *old_slug[MAX_EDITIONS];
};

static int
term_load(struct req *r, long long id, struct term_form *t)
{
	memset(t, 0, sizeof *t);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, taxonomy, key, coalesce(parent_id, 0) FROM terms WHERE id = ?", "i", id);
	if (!db_row(st))
		return db_done(st) < 0 ? -1 : 0;
	t->id = db_int(st, 0);
	t->taxonomy = db_atext(st, 1, &r->a);
	t->key = db_atext(st, 2, &r->a);
	t->parent = db_int(st, 3);
	db_done(st);
	for (int e = 0; e < edition_count(); e++) {
		st = db_query(req_db(r), "SELECT name, slug FROM term_names WHERE term_id = ? AND edition = ?", "is", id, edition_at(e)->code);
		if (db_row(st)) {
			t->name[e] = db_atext(st, 0, &r->a);
			t->slug[e] = t->old_slug[e] = db_atext(st, 1, &r->a);
		}
		db_done(st);
	}
	return 1;
}

static void
term_render(struct req *r, const struct term_form *t, struct tv *f, int status)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	if (!f)
		f = tv_map(a);
	tv_set_int(f, "id", t->id);
	tv_set_str(f, "taxonomy", t->taxonomy);
	tv_set_str(f, "taxonomy_label", taxonomy_label(lang, t->taxonomy));
	tv_set_str(f, "key", t->key ? t->key : "");
	tv_set_str(f, "action_url", t->id ? arena_printf(a, "/admin/terms/%lld", t->id) : "/admin/terms/new");
	tv_set_str(f, "back_url", arena_printf(a, "/admin/terms?taxonomy=%s", t->taxonomy));
	struct tv *eds = tv_set_list(f, "editions");
	for (int e = 0; e < edition_count(); e++) {
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "code", edition_at(e)->code);
		tv_set_str(m, "edition", edition_at(e)->name);
		tv_set_str(m, "name", t->name[e] ? t->name[e] : "");
		tv_set_str(m, "slug", t->slug[e] ? t->slug[e] : "");
		const char *err = tv_get_str(f, arena_printf(a, "err_%s", edition_at(e)->code));
		if (err)
			tv_set_str(m, "error", err);
	}
	struct db_conn *c = req_db(r);
	if (strcmp(t->taxonomy, "category") == 0) {
		struct tv *ps = tv_set_list(f, "parents");
		struct db_stmt *st = db_query(c, "SELECT t.id, coalesce(n.name, t.key) FROM terms t LEFT JOIN term_names n ON n.term_id = t.id "
		    "AND n.edition = ? WHERE t.taxonomy = 'category' AND t.id <> ? AND t.parent_id IS NULL ORDER BY t.position, t.key", "si",
		    lang, t->id);
		while (db_row(st)) {
			struct tv *m = tv_push_map(ps);
			tv_set_int(m, "id", db_int(st, 0));
			tv_set_str(m, "name", db_atext(st, 1, a));
			tv_set_bool(m, "selected", db_int(st, 0) == t->parent);
		}
		db_done(st);
	}
	if (t->id && strcmp(t->taxonomy, "tag") == 0) {
		struct tv *into = tv_set_list(f, "merge_into");
		struct db_stmt *st = db_query(c, "SELECT t.id, coalesce(n.name, t.key) FROM terms t LEFT JOIN term_names n ON n.term_id = t.id "
		    "AND n.edition = ? WHERE t.taxonomy = 'tag' AND t.id <> ? ORDER BY 2 LIMIT 2000", "si", lang, t->id);
		while (db_row(st)) {
			struct tv *m = tv_push_map(into);
			tv_set_int(m, "id", db_int(st, 0));
			tv_set_str(m, "name", db_atext(st, 1, a));
		}
		db_done(st);
	}
	admin_render(r, admin_staff(r), "admin_term.html", t->id ? _("Edit") : _("New"), f, status);
}

static void
term_page(struct req *r)
{
	struct term_form t;
	int rc = term_load(r, admin_id(r->params[0]), &t);
	if (!admin_found(r, rc))
		return;
	struct tv *f = tv_map(&r->a);
	const char *saved = req_query(r, "saved");
	if (saved)
		tv_set_bool(f, "saved", true);
	term_render(r, &t, f, 200);
}

static void
term_new_page(struct req *r)
{
	struct term_form t;
	memset(&t, 0, sizeof t);
	t.taxonomy = taxonomy_of(req_query(r, "taxonomy"));
	term_render(r, &t, NULL, 200);
}

struct term_save {
	struct term_form *t;
	long long user, now, id;
	int taken;     /* edition index + 1 whose address is taken */
};

static int
term_save_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct term_save *s = arg;
	struct term_form *t = s->t;
	struct arena a = {0};
	int rc = -1;
	s->taken = 0;
	long long id = t->id;
	if (!id) {
		const char *base = t->key, *key = base;
		for (int i = 2; db_int1(c, 0, "SELECT count(*) FROM terms WHERE taxonomy = ? AND key = ?", "ss", t->taxonomy, key) > 0; i++)
			key = arena_printf(&a, "%s-%d", base, i);
		id = db_insert(c, "INSERT INTO terms (taxonomy, key, parent_id, position) VALUES (?, ?, ?, "
		    "(SELECT coalesce(max(position), 0) + 1 FROM terms WHERE taxonomy = ?)) RETURNING id", "ssns", t->taxonomy, key,
		    t->parent, t->taxonomy);
		if (id <= 0)
			goto out;
	} else if (db_exec(c, "UPDATE terms SET parent_id = ? WHERE id = ?", "ni", t->parent, id) != 1)
		goto out;
	for (int e = 0; e < edition_count(); e++) {
		const char *code = edition_at(e)->code;
		if (!t->name[e] || !*t->name[e])
			continue;
		if (db_int1(c, 0, "SELECT count(*) FROM term_names WHERE edition = ? AND taxonomy = ? AND slug = ? AND term_id <> ?", "sssi",
		    code, t->taxonomy, t->slug[e], id) > 0) {
			s->taken = e + 1;
			goto out;
		}
		if (db_exec(c, "INSERT INTO term_names (term_id, edition, taxonomy, name, slug) VALUES (?, ?, ?, ?, ?) "
		    "ON CONFLICT (term_id, edition) DO UPDATE SET name = excluded.name, slug = excluded.slug", "issss", id, code,
		    t->taxonomy, t->name[e], t->slug[e]) != 1)
			goto out;
		if (t->old_slug[e] && strcmp(t->old_slug[e], t->slug[e]) != 0 &&
		    redirect_add(c, url_term(&a, code, t->taxonomy, t->old_slug[e]), url_term(&a, code, t->taxonomy, t->slug[e]), s->user,
			s->now) < 0)
			goto out;
	}
	if (t->id && strcmp(t->taxonomy, "tag") == 0 && search_sync_term(c, id) < 0)   /* tag names are searched */
		goto out;
	inval_add(iv, "*");
	audit(c, s->user, t->id ? "term.save" : "term.create", arena_printf(&a, "%s %lld", t->taxonomy, id));
	s->id = id;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

static void
term_post(struct req *r)
{
	struct term_form t;
	const char *lang = admin_edition(r)->code;
	struct arena *a = &r->a;
	if (r->nparams) {
		int rc = term_load(r, admin_id(r->params[0]), &t);
		if (!admin_found(r, rc))
			return;
	} else {
		memset(&t, 0, sizeof t);
		const char *tax = req_form(r, "taxonomy");
		if (!tax || (strcmp(tax, "section") != 0 && strcmp(tax, "category") != 0 && strcmp(tax, "tag") != 0)) {
			resp_error(r, 400);
			return;
		}
		t.taxonomy = tax;
	}
	struct tv *f = tv_map(a);
	bool ok = true, any = false;
	for (int e = 0; e < edition_count(); e++) {
		const char *code = edition_at(e)->code;
		const char *name = req_form(r, arena_printf(a, "name_%s", code)), *slug = req_form(r, arena_printf(a, "slug_%s", code));
		name = text_clean(a, name ? name : "", false);
		slug = text_clean(a, slug ? slug : "", false);
		if (!*name) {
			if (t.old_slug[e]) {
				tv_set_str(f, arena_printf(a, "err_%s", code), i18n_gettext(lang, _("A name in this edition cannot be removed; rename it instead.")));
				ok = false;
			}
			t.name[e] = t.old_slug[e] ? t.name[e] : NULL;
			continue;
		}
		any = true;
		if (!*slug)
			slug = i18n_slug(a, name);
		t.name[e] = name;
		t.slug[e] = slug;
		if (utf8_chars(name) > NAME_MAX_CHARS || !slug_ok(slug)) {
			tv_set_str(f, arena_printf(a, "err_%s", code), i18n_gettext(lang,
			    _("A name of at most 80 characters, and an address of lower-case letters a-z, digits and hyphens.")));
			ok = false;
		}
	}
	if (!any) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please give a name in at least one edition.")));
		term_render(r, &t, f, 422);
		return;
	}
	t.parent = strcmp(t.taxonomy, "category") == 0 ? admin_id(req_form(r, "parent")) : 0;
	if (t.parent && (t.parent == t.id || db_int1(req_db(r), 0, "SELECT count(*) FROM terms WHERE id = ? AND taxonomy = 'category' "
	    "AND parent_id IS NULL", "i", t.parent) != 1)) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please choose a parent from the list.")));
		ok = false;
	}
	if (!ok) {
		if (!tv_get(f, "error"))
			tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		term_render(r, &t, f, 422);
		return;
	}
	if (!t.id) {
		for (int e = 0; e < edition_count() && !t.key; e++)
			if (t.slug[e])
				t.key = t.slug[e];
	}
	struct term_save s = {&t, admin_staff(r)->id, (long long)time(NULL), 0, 0};
	if (inval_write(req_db(r), term_save_tx, &s, NULL) < 0) {
		if (s.taken) {
			tv_set_str(f, arena_printf(a, "err_%s", edition_at(s.taken - 1)->code),
			    i18n_gettext(lang, _("Another one of this edition has this address.")));
			tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
			term_render(r, &t, f, 422);
			return;
		}
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/terms/%lld?saved=1", s.id));
}

struct merge {
	long long from, into, user, now;
	bool missing;
};

static int
merge_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct merge *m = arg;
	struct arena a = {0};
	int rc = -1;
	if (db_int1(c, 0, "SELECT count(*) FROM terms WHERE id IN (?, ?) AND taxonomy = 'tag'", "ii", m->from, m->into) != 2) {
		m->missing = true;
		goto out;
	}
	/* the articles of the old tag, to list them again under the new one */
	long long *ids = NULL;
	size_t n = 0;
	struct db_stmt *st = db_query(c, "SELECT article_id FROM article_tags WHERE term_id = ?", "i", m->from);
	while (db_row(st)) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = db_int(st, 0);
	}
	if (db_done(st) < 0)
		goto free_ids;
	if (db_exec(c, "INSERT INTO article_tags (article_id, term_id) SELECT article_id, CAST(? AS BIGINT) FROM article_tags "
	    "WHERE term_id = ? ON CONFLICT DO NOTHING", "ii", m->into, m->from) < 0)
		goto free_ids;
	/* each edition's old address goes to the new tag's, or to its front page */
	for (int e = 0; e < edition_count(); e++) {
		const char *code = edition_at(e)->code;
		struct db_stmt *o = db_query(c, "SELECT slug FROM term_names WHERE term_id = ? AND edition = ?", "is", m->from, code);
		const char *old = db_row(o) ? db_atext(o, 0, &a) : NULL;
		db_done(o);
		if (!old)
			continue;
		struct db_stmt *nw = db_query(c, "SELECT slug FROM term_names WHERE term_id = ? AND edition = ?", "is", m->into, code);
		const char *to = db_row(nw) ? url_term(&a, code, "tag", db_text(nw, 0)) : arena_printf(&a, "/%s/", code);
		db_done(nw);
		if (redirect_add(c, url_term(&a, code, "tag", old), to, m->user, m->now) < 0)
			goto free_ids;
	}
	if (db_exec(c, "DELETE FROM article_tags WHERE term_id = ?", "i", m->from) < 0 ||
	    db_exec(c, "DELETE FROM article_listings WHERE list = ?", "s", arena_printf(&a, "t:%lld", m->from)) < 0 ||
	    db_exec(c, "DELETE FROM terms WHERE id = ?", "i", m->from) != 1)
		goto free_ids;
	for (size_t i = 0; i < n; i++)
		if (listings_sync(c, ids[i]) < 0)
			goto free_ids;
	inval_add(iv, "*");
	audit(c, m->user, "tag.merge", arena_printf(&a, "tag %lld into %lld (%zu articles)", m->from, m->into, n));
	rc = 0;
free_ids:
	free(ids);
out:
	arena_free(&a);
	return rc;
}

static void
merge_post(struct req *r)
{
	struct merge m = {admin_id(r->params[0]), admin_id(req_form(r, "into")), admin_staff(r)->id, (long long)time(NULL), false};
	if (!m.from || !m.into || m.from == m.into) {
		resp_error(r, 400);
		return;
	}
	if (inval_write(req_db(r), merge_tx, &m, NULL) < 0) {
		if (m.missing)
			resp_error(r, 404);
		else
			page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/terms/%lld?saved=1", m.into));
}

/* ---- authors ------------------------------------------------------------------------------ */

static void
authors_page(struct req *r)
{
	struct arena *a = &r->a;
	struct tv *f = tv_map(a);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT a.id, a.name, a.slug, (SELECT count(*) FROM article_authors x WHERE x.author_id = a.id) "
	    "FROM authors a ORDER BY a.name, a.id LIMIT 2000", "");
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_str(m, "url", url_author(a, admin_edition(r)->code, db_text(st, 2)));
		tv_set_int(m, "articles", db_int(st, 3));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, admin_staff(r), "admin_authors.html", _("Authors"), f, 200);
}

struct author_form {
	long long id;
	const char *name, *slug, *old_slug, *bio[MAX_EDITIONS];
};

static void
author_render(struct req *r, const struct author_form *au, struct tv *f, int status)
{
	struct arena *a = &r->a;
	if (!f)
		f = tv_map(a);
	tv_set_int(f, "id", au->id);
	tv_set_str(f, "name", au->name ? au->name : "");
	tv_set_str(f, "slug", au->slug ? au->slug : "");
	tv_set_str(f, "action_url", au->id ? arena_printf(a, "/admin/authors/%lld", au->id) : "/admin/authors/new");
	struct tv *bios = tv_set_list(f, "bios");
	for (int e = 0; e < edition_count(); e++) {
		struct tv *m = tv_push_map(bios);
		tv_set_str(m, "code", edition_at(e)->code);
		tv_set_str(m, "edition", edition_at(e)->name);
		tv_set_str(m, "bio", au->bio[e] ? au->bio[e] : "");
	}
	admin_render(r, admin_staff(r), "admin_author.html", au->id ? _("Edit") : _("New"), f, status);
}

static int
author_load(struct req *r, long long id, struct author_form *au)
{
	memset(au, 0, sizeof *au);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, name, slug FROM authors WHERE id = ?", "i", id);
	if (!db_row(st))
		return db_done(st) < 0 ? -1 : 0;
	au->id = db_int(st, 0);
	au->name = db_atext(st, 1, &r->a);
	au->slug = au->old_slug = db_atext(st, 2, &r->a);
	db_done(st);
	for (int e = 0; e < edition_count(); e++) {
		st = db_query(req_db(r), "SELECT bio FROM author_bios WHERE author_id = ? AND edition = ?", "is", id, edition_at(e)->code);
		if (db_row(st))
			au->bio[e] = db_atext(st, 0, &r->a);
		db_done(st);
	}
	return 1;
}

static void
author_page(struct req *r)
{
	struct author_form au;
	int rc = author_load(r, admin_id(r->params[0]), &au);
	if (!admin_found(r, rc))
		return;
	struct tv *f = tv_map(&r->a);
	if (req_query(r, "saved"))
		tv_set_bool(f, "saved", true);
	author_render(r, &au, f, 200);
}

static void
author_new_page(struct req *r)
{
	struct author_form au;
	memset(&au, 0, sizeof au);
	author_render(r, &au, NULL, 200);
}

struct author_save {
	struct author_form *au;
	long long user, now, id;
	bool taken;
};

static int
author_save_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct author_save *s = arg;
	struct author_form *au = s->au;
	struct arena a = {0};
	int rc = -1;
	if (db_int1(c, 0, "SELECT count(*) FROM authors WHERE slug = ? AND id <> ?", "si", au->slug, au->id) > 0) {
		s->taken = true;
		goto out;
	}
	long long id = au->id;
	if (!id)
		id = db_insert(c, "INSERT INTO authors (slug, name) VALUES (?, ?) RETURNING id", "ss", au->slug, au->name);
	else if (db_exec(c, "UPDATE authors SET slug = ?, name = ? WHERE id = ?", "ssi", au->slug, au->name, id) != 1)
		id = -1;
	if (id <= 0)
		goto out;
	for (int e = 0; e < edition_count(); e++) {
		const char *code = edition_at(e)->code;
		if (au->bio[e] && *au->bio[e]) {
			if (db_exec(c, "INSERT INTO author_bios (author_id, edition, bio) VALUES (?, ?, ?) ON CONFLICT (author_id, edition) "
			    "DO UPDATE SET bio = excluded.bio", "iss", id, code, au->bio[e]) != 1)
				goto out;
		} else if (db_exec(c, "DELETE FROM author_bios WHERE author_id = ? AND edition = ?", "is", id, code) < 0)
			goto out;
		if (au->old_slug && strcmp(au->old_slug, au->slug) != 0 &&
		    redirect_add(c, url_author(&a, code, au->old_slug), url_author(&a, code, au->slug), s->user, s->now) < 0)
			goto out;
	}
	if (au->id && search_sync_author(c, id) < 0)   /* author names are searched */
		goto out;
	inval_add(iv, "*");
	audit(c, s->user, au->id ? "author.save" : "author.create", arena_printf(&a, "author %lld: %s", id, au->name));
	s->id = id;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

static void
author_post(struct req *r)
{
	struct author_form au;
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	if (r->nparams) {
		int rc = author_load(r, admin_id(r->params[0]), &au);
		if (!admin_found(r, rc))
			return;
	} else
		memset(&au, 0, sizeof au);
	const char *name = req_form(r, "name"), *slug = req_form(r, "slug");
	au.name = text_clean(a, name ? name : "", false);
	au.slug = text_clean(a, slug ? slug : "", false);
	if (!*au.slug)
		au.slug = i18n_slug(a, au.name);
	struct tv *f = tv_map(a);
	bool ok = true;
	for (int e = 0; e < edition_count(); e++) {
		const char *bio = req_form(r, arena_printf(a, "bio_%s", edition_at(e)->code));
		au.bio[e] = text_clean(a, bio ? bio : "", false);
		if (utf8_chars(au.bio[e]) > 2000) {
			tv_set_str(f, "err_bio", i18n_gettext(lang, _("A biography of at most 2,000 characters, please.")));
			ok = false;
		}
	}
	if (!*au.name || utf8_chars(au.name) > 120) {
		tv_set_str(f, "err_name", i18n_gettext(lang, _("Please give a name of at most 120 characters.")));
		ok = false;
	}
	if (!slug_ok(au.slug)) {
		tv_set_str(f, "err_slug", i18n_gettext(lang, _("The address may hold only lower-case letters a-z, digits and hyphens (at most 80).")));
		ok = false;
	}
	struct author_save s = {&au, admin_staff(r)->id, (long long)time(NULL), 0, false};
	if (ok && inval_write(req_db(r), author_save_tx, &s, NULL) < 0) {
		if (!s.taken) {
			page_db_error(r);
			return;
		}
		tv_set_str(f, "err_slug", i18n_gettext(lang, _("Another author has this address.")));
		ok = false;
	}
	if (!ok) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		author_render(r, &au, f, 422);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/authors/%lld?saved=1", s.id));
}

const struct route admin_term_routes[] = {
	{HTTP_GET, "/admin/terms", list_page, "taxonomy"},
	{HTTP_GET, "/admin/terms/new", term_new_page, "taxonomy"},
	{HTTP_POST, "/admin/terms/new", term_post, "taxonomy"},
	{HTTP_GET, "/admin/terms/{id}", term_page, "taxonomy"},
	{HTTP_POST, "/admin/terms/{id}", term_post, "taxonomy"},
	{HTTP_POST, "/admin/terms/{id}/merge", merge_post, "taxonomy"},
	{HTTP_GET, "/admin/authors", authors_page, "taxonomy"},
	{HTTP_GET, "/admin/authors/new", author_new_page, "taxonomy"},
	{HTTP_POST, "/admin/authors/new", author_post, "taxonomy"},
	{HTTP_GET, "/admin/authors/{id}", author_page, "taxonomy"},
	{HTTP_POST, "/admin/authors/{id}", author_post, "taxonomy"},
	{0, NULL, NULL, NULL},
};
