/* comments.c: the reader side of comments: the thread of a story (its
 * translation group) with replies, languages, order and pages; the form
 * and its tokens; posting, with the moderation policy and the anti-spam
 * checks; a commenter editing or deleting their own comment for 15
 * minutes. Every URL lives under /comments/ARTICLE so that the commenter's
 * cookie (Path=/comments) never makes the article pages private.
 * Moderation after posting is comment_moderate.c; checks that need no
 * database are comment_rules.c. */
#include "comments.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/markdown.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The story a thread belongs to, and how this reader sees it. */
struct thread {
	long long article, group, section, published;
	const struct edition *ed;
	const char *title, *url;       /* the article, in its edition */
	const char *policy;            /* the article's resolved policy */
	bool closed;
	long long closes_at;           /* 0: never */
	long long count_here, count_all;
	int ngroup;                    /* articles in the group (with this one) */
	/* view */
	bool all_langs, newest;
	long long page, focus;
	const char *owner;             /* this reader's owner hash, or NULL */
	const char *owner_token;       /* the cookie itself */
};

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static const char *
tr(const struct thread *t, const char *msgid)
{
	return i18n_gettext(t->ed->code, msgid);
}

/* Loads the published article id_s and its policy; 0, 404 or 503/500. */
static int
thread_load(struct req *r, const char *id_s, struct thread *t)
{
	memset(t, 0, sizeof *t);
	char *end;
	long long id = strtoll(id_s, &end, 10);
	if (*end || id <= 0 || strlen(id_s) > 18)
		return 404;
	struct db_conn *c = req_db(r);
	struct arena *a = &r->a;
	struct db_stmt *st = db_query(c,
	    "SELECT a.edition, a.translation_group, a.slug, a.title, a.published_at, a.section_id, "
	    "coalesce(a.comment_policy, s.comment_policy), a.comment_count FROM articles a "
	    "LEFT JOIN terms s ON s.id = a.section_id "
	    "WHERE a.id = ? AND a.status = 'published' AND a.published_at <= ?", "ii", id, now_s());
	if (!db_row(st))
		return db_done(st) < 0 ? 503 : 404;
	t->article = id;
	t->ed = edition_find(db_text(st, 0));
	t->group = db_isnull(st, 1) ? 0 : db_int(st, 1);
	const char *slug = db_atext(st, 2, a);
	t->title = db_atext(st, 3, a);
	t->published = db_int(st, 4);
	t->section = db_isnull(st, 5) ? 0 : db_int(st, 5);
	t->policy = db_isnull(st, 6) ? NULL : db_atext(st, 6, a);
	t->count_here = db_int(st, 7);
	db_done(st);
	if (!t->ed)
		return 404;
	t->url = url_article(a, t->ed->code, slug, t->published);
	if (!t->policy)
		t->policy = setting_str(c, a, "comments.policy");
	long long days = setting_int(c, "comments.close_after_days");
	t->closes_at = days > 0 ? t->published + days * 86400 : 0;
	t->closed = strcmp(t->policy, "closed") == 0 || (t->closes_at && now_s() >= t->closes_at);
	t->count_all = t->count_here;
	t->ngroup = 1;
	if (t->group) {
		st = db_query(c, "SELECT count(*), coalesce(sum(comment_count), 0) FROM articles WHERE translation_group = ? "
		    "AND status = 'published'", "i", t->group);
		if (db_row(st)) {
			t->ngroup = (int)db_int(st, 0);
			t->count_all = db_int(st, 1);
		}
		if (db_done(st) < 0)
			return 503;
	}
	/* the reader's own comments, by the cookie's keyed hash */
	const char *tok = req_cookie(r, COMMENT_COOKIE);
	if (tok && strlen(tok) == 64 && strspn(tok, "0123456789abcdef") == 64) {
		t->owner_token = tok;
		t->owner = site_mac_hex(a, "owner", tok, 64);
		}
	const char *lang = req_query(r, "lang");
	t->all_langs = lang && strcmp(lang, "all") == 0;
	const char *order = req_query(r, "order");
	t->newest = order ? strcmp(order, "newest") == 0 : strcmp(setting_str(c, a, "comments.order"), "newest") == 0;
	const char *pg = req_query(r, "page"), *focus = req_query(r, "c");
	t->page = pg ? strtoll(pg, NULL, 10) : 1;
	if (t->page < 1 || t->page > 1000000)
		t->page = 1;
	t->focus = focus ? strtoll(focus, NULL, 10) : 0;
	return 0;
}

/* The URL of a view of the thread: base is "/comments/ID" or its /thread. */
static const char *
view_url(struct arena *a, const char *base, bool all, bool newest, long long page)
{
	struct buf b = {0};
	buf_puts(&b, base);
	char sep = '?';
	if (all) {
		buf_printf(&b, "%clang=all", sep);
		sep = '&';
	}
	if (newest) {
		buf_printf(&b, "%corder=newest", sep);
		sep = '&';
	}
	if (page > 1)
		buf_printf(&b, "%cpage=%lld", sep, page);
	const char *s = arena_strdup(a, b.s ? b.s : base);
	buf_free(&b);
	return s;
}

struct crow {
	long long id, parent, depth, created, edited;
	const char *lang, *name, *html, *link;   /* link: a pingback's or trackback's page, else NULL */
	bool visible, in_lang, pending, mine;
	int kids, shown;
};

/* Depth-first: a comment, then its replies oldest first. */
static void
emit_tree(struct arena *a, const struct thread *t, struct crow *rows, int n, int at, struct tv *out,
    const char *base, const char *csrf, const char *parent_name)
{
	struct crow *c = &rows[at];
	if (!c->shown)
		return;
	struct tv *m = tv_push_map(out);
	tv_set_int(m, "id", c->id);
	tv_set_int(m, "depth", c->depth);
	tv_set_bool(m, "removed", !c->visible);
	if (c->parent)
		tv_set_str(m, "reply_to", parent_name);   /* NULL: a removed comment */
	if (c->visible) {
		tv_set_str(m, "name", c->name);
		if (c->link)
			tv_set_str(m, "link", c->link);   /* http(s) only (the import checks) */
		tv_set(m, "body", tv_html(a, c->html, strlen(c->html)));   /* cmark-gfm, safe, reader rules */
		tv_set_str(m, "lang", c->lang);
		tv_set_int(m, "created", c->created);
		if (c->edited)
			tv_set_int(m, "edited", c->edited);
		tv_set_bool(m, "pending", c->pending);
		tv_set_str(m, "permalink", arena_printf(a, "%s?c=%lld#comment-%lld", base, c->id, c->id));
		tv_set_str(m, "reply_url", arena_printf(a, "/comments/%lld?reply=%lld#comment-form", t->article, c->id));
		if (c->mine && now_s() - c->created < COMMENT_EDIT_SECONDS && csrf) {
			tv_set_str(m, "edit_url", arena_printf(a, "/comments/%lld/edit/%lld", t->article, c->id));
			tv_set_str(m, "delete_url", arena_printf(a, "/comments/%lld/delete/%lld", t->article, c->id));
		}
	}
	for (int i = at + 1; i < n; i++)
		if (rows[i].parent == c->id)
			emit_tree(a, t, rows, n, i, out, base, csrf, c->visible ? c->name : NULL);
}

/* Marks which rows show: the visible ones in the view's language, and
 * the comments they reply to (shown as they are in their own language,
 * or as a placeholder when removed). */
static void
mark_shown(struct crow *rows, int n)
{
	for (int i = n - 1; i >= 0; i--) {   /* replies come after their parents (ids grow) */
		if ((rows[i].visible && rows[i].in_lang) || rows[i].kids)
			rows[i].shown = 1;
		if (!rows[i].shown)
			continue;
		for (int j = i - 1; j >= 0; j--)
			if (rows[j].id == rows[i].parent) {
				rows[j].kids++;
				break;
			}
	}
}

/* Fills thread (comments, pages, links) for the view in t. base: the
 * address the links of this view start with. csrf: the reader's form
 * token, NULL in a page shared from the cache. */
static int
thread_fill(struct page *p, struct thread *t, const char *base, const char *csrf, struct tv *th)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	long long size = setting_int(c, "comments.page_size");
	const char *lang = t->all_langs ? "" : t->ed->code;
	const char *owner = t->owner ? t->owner : "";

	/* opening at a comment: its language, and the page its root is on */
	if (t->focus > 0) {
		struct db_stmt *st = db_query(c, "SELECT root_id, lang FROM comments WHERE id = ? AND article_id IN "
		    "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
		    "AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?))", "iiiis",
		    t->focus, t->article, t->group, t->group, owner);
		if (db_row(st)) {
			long long root = db_int(st, 0);
			if (strcmp(db_text(st, 1), t->ed->code) != 0)
				t->all_langs = true, lang = "";
			db_done(st);
			long long before = db_int1(c, 0, "SELECT count(DISTINCT root_id) FROM comments WHERE article_id IN "
			    "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
			    "AND (? = '' OR lang = ?) AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?)) "
			    "AND (CASE WHEN ? = 1 THEN root_id > ? ELSE root_id < ? END)", "iiisssiii",
			    t->article, t->group, t->group, lang, lang, owner, (long long)t->newest, root, root);
			t->page = before / size + 1;
		} else
			db_done(st);
	}
	long long roots = db_int1(c, -1, "SELECT count(DISTINCT root_id) FROM comments WHERE article_id IN "
	    "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
	    "AND (? = '' OR lang = ?) AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?))", "iiisss",
	    t->article, t->group, t->group, lang, lang, owner);
	if (roots < 0)
		return -1;
	long long pages = roots ? (roots + size - 1) / size : 1;
	if (t->page > pages)
		t->page = pages;

	/* the page's roots: a range of root ids, oldest or newest first */
	long long lo = 0, hi = -1;
	struct db_stmt *st = t->newest
	    ? db_query(c, "SELECT DISTINCT root_id FROM comments WHERE article_id IN "
		  "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
		  "AND (? = '' OR lang = ?) AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?)) "
		  "ORDER BY root_id DESC LIMIT ? OFFSET ?", "iiisssii",
		  t->article, t->group, t->group, lang, lang, owner, size, (t->page - 1) * size)
	    : db_query(c, "SELECT DISTINCT root_id FROM comments WHERE article_id IN "
		  "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
		  "AND (? = '' OR lang = ?) AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?)) "
		  "ORDER BY root_id LIMIT ? OFFSET ?", "iiisssii",
		  t->article, t->group, t->group, lang, lang, owner, size, (t->page - 1) * size);
	while (db_row(st)) {
		long long id = db_int(st, 0);
		if (hi < 0 || id > hi)
			hi = id;
		if (!lo || id < lo)
			lo = id;
	}
	if (db_done(st) < 0)
		return -1;

	int n = 0, cap = 64;
	struct crow *rows = arena_alloc(a, (size_t)cap * sizeof *rows);
	if (hi >= 0) {
		st = db_query(c, "SELECT id, coalesce(parent_id, 0), depth, created_at, coalesce(edited_at, 0), lang, name, "
		    "body_html, status, CASE WHEN owner_hash = ? THEN 1 ELSE 0 END, kind, url FROM comments WHERE article_id IN "
		    "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
		    "AND root_id BETWEEN ? AND ? ORDER BY id", "siiiii",
		    owner, t->article, t->group, t->group, lo, hi);
		while (db_row(st)) {
			if (n == cap) {
				struct crow *nr = arena_alloc(a, (size_t)cap * 2 * sizeof *nr);
				memcpy(nr, rows, (size_t)n * sizeof *nr);
				rows = nr;
				cap *= 2;
			}
			struct crow *w = &rows[n++];
			memset(w, 0, sizeof *w);
			w->id = db_int(st, 0);
			w->parent = db_int(st, 1);
			w->depth = db_int(st, 2);
			w->created = db_int(st, 3);
			w->edited = db_int(st, 4);
			const char *status = db_text(st, 8);
			w->mine = t->owner && db_int(st, 9);
			w->pending = strcmp(status, "pending") == 0;
			w->visible = strcmp(status, "approved") == 0 || (w->pending && w->mine);
			w->in_lang = !*lang || strcmp(db_text(st, 5), lang) == 0;
			if (w->visible) {
				w->lang = db_atext(st, 5, a);
				w->name = db_atext(st, 6, a);
				w->html = db_atext(st, 7, a);
				if (strcmp(db_text(st, 10), "comment") != 0)
					w->link = db_atext(st, 11, a);
			}
		}
		if (db_done(st) < 0)
			return -1;
	}
	mark_shown(rows, n);
	struct tv *list = tv_set_list(th, "comments");
	/* roots in page order, each followed by its replies */
	for (int k = 0; k < n; k++) {
		int i = t->newest ? n - 1 - k : k;
		if (rows[i].parent == 0)
			emit_tree(a, t, rows, n, i, list, base, csrf, NULL);
	}
	tv_set_int(th, "count", t->all_langs ? t->count_all : t->count_here);
	tv_set_int(th, "count_here", t->count_here);
	tv_set_int(th, "count_all", t->count_all);
	tv_set_bool(th, "all_langs", t->all_langs);
	tv_set_bool(th, "has_translations", t->ngroup > 1);
	tv_set_bool(th, "newest", t->newest);
	tv_set_str(th, "url_lang_here", view_url(a, base, false, t->newest, 1));
	tv_set_str(th, "url_lang_all", view_url(a, base, true, t->newest, 1));
	tv_set_str(th, "url_oldest", view_url(a, base, t->all_langs, false, 1));
	tv_set_str(th, "url_newest", view_url(a, base, t->all_langs, true, 1));
	tv_set_int(th, "page", t->page);
	tv_set_int(th, "pages", pages);
	tv_set_bool(th, "paged", pages > 1);
	if (t->page > 1)
		tv_set_str(th, "url_prev", view_url(a, base, t->all_langs, t->newest, t->page - 1));
	if (t->page < pages)
		tv_set_str(th, "url_next", view_url(a, base, t->all_langs, t->newest, t->page + 1));
	tv_set_str(th, "lang_name", t->ed->name);
	if (t->focus > 0)
		tv_set_int(th, "focus", t->focus);
	return 0;
}

/* The form's values and errors (what the reader typed comes back). */
struct form_in {
	const char *name, *email, *body, *website, *token, *pow, *csrf;
	long long parent;
	const char *error;                  /* a message above the form */
	const char *err_name, *err_email, *err_body;
};

static void
form_fill(struct page *p, struct thread *t, const struct form_in *in, bool tokens, struct tv *f)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	tv_set_str(f, "action", arena_printf(a, "/comments/%lld", t->article));
	tv_set_str(f, "token_url", arena_printf(a, "/comments/%lld/token", t->article));
	tv_set_bool(f, "closed", t->closed);
	tv_set_int(f, "max_length", setting_int(c, "comments.max_length"));
	tv_set_int(f, "name_max", COMMENT_NAME_MAX);
	if (in) {
		tv_set_str(f, "name", in->name);
		tv_set_str(f, "email", in->email);
		tv_set_str(f, "body", in->body);
		tv_set_str(f, "error", in->error);
		tv_set_str(f, "err_name", in->err_name);
		tv_set_str(f, "err_email", in->err_email);
		tv_set_str(f, "err_body", in->err_body);
	}
	long long parent = in && in->parent ? in->parent : 0;
	const char *reply = req_query(r, "reply");
	if (!parent && reply)
		parent = strtoll(reply, NULL, 10);
	if (parent > 0) {
		const char *owner = t->owner ? t->owner : "";
		struct db_stmt *st = db_query(c, "SELECT name FROM comments WHERE id = ? AND article_id IN "
		    "(SELECT id FROM articles WHERE id = ? OR (translation_group = ? AND ? <> 0)) "
		    "AND (status = 'approved' OR (status = 'pending' AND owner_hash = ?))", "iiiis",
		    parent, t->article, t->group, t->group, owner);
		if (db_row(st)) {
			tv_set_int(f, "parent", parent);
			tv_set_str(f, "parent_name", db_atext(st, 0, a));
		}
		db_done(st);
	}
	if (tokens) {
		tv_set_str(f, "csrf", csrf_token(r));
		tv_set_str(f, "token", form_token_make(a, t->article, now_s()));
		tv_set_int(f, "pow_bits", setting_int(c, "comments.pow_bits"));
	}
}

static void
thread_depends(struct page *p, struct thread *t)
{
	page_depends(p, TAG_ARTICLE, t->article);
	page_depends(p, TAG_COMMENTS, t->article);
	page_depends(p, TAG_SETTINGS);
	if (t->section)
		page_depends(p, TAG_TERM, t->section);
	if (t->group) {
		page_depends(p, TAG_GROUP, t->group);
		struct db_stmt *st = db_query(req_db(p->r), "SELECT id FROM articles WHERE translation_group = ? AND id <> ?",
		    "ii", t->group, t->article);
		while (db_row(st))
			page_depends(p, TAG_COMMENTS, db_int(st, 0));
		db_done(st);
	}
	if (t->closes_at && !t->closed)
		resp_expires(p->r, t->closes_at);   /* the form disappears then */
}

static void
page_for_thread(struct page *p, struct req *r, struct thread *t, const char *title)
{
	page_init(p, r, t->ed, title);
	p->noindex = true;
	struct tv *art = tv_set_map(p->root, "article");
	tv_set_int(art, "id", t->article);
	tv_set_str(art, "title", t->title);
	tv_set_str(art, "url", t->url);
}

static int
thread_status(struct req *r, const char *id_s, struct thread *t)
{
	int st = thread_load(r, id_s, t);
	if (st == 503)
		page_db_error(r);
	else if (st)
		resp_error(r, st);
	return st;
}

/* Renders the whole comments page (no JavaScript) or, with fragment, the
 * thread alone for the "Show comments" button. */
static void
render_thread(struct req *r, struct thread *t, const struct form_in *in, bool fragment, int status)
{
	struct page p;
	page_for_thread(&p, r, t, arena_printf(&r->a, "%s: %s", tr(t, _("Comments")), t->title));
	const char *base = arena_printf(&r->a, "/comments/%lld", t->article);
	/* the whole page carries fresh tokens: it is never shared */
	bool tokens = !fragment || t->owner || in;
	if (tokens || t->owner)
		p.private_page = true;
	struct tv *th = tv_set_map(p.root, "thread");
	if (thread_fill(&p, t, base, tokens ? "1" : NULL, th) < 0) {
		page_db_error(r);
		return;
	}
	form_fill(&p, t, in, tokens, tv_set_map(p.root, "form"));
	if (!p.private_page)
		thread_depends(&p, t);
	else
		resp_header(r, "Cache-Control", "private, no-store");
	if (tokens) {
		tv_set_str(p.root, "csrf", tv_get_str(tv_get(p.root, "form"), "csrf"));
	}
	tv_set_bool(p.root, "fragment", fragment);
	page_render(&p, fragment ? "comment_thread.html" : "comments.html", status);
}

static void
comments_page(struct req *r)
{
	struct thread t;
	if (thread_status(r, r->params[0], &t))
		return;
	render_thread(r, &t, NULL, false, 200);
}

static void
comments_fragment(struct req *r)
{
	struct thread t;
	if (thread_status(r, r->params[0], &t))
		return;
	render_thread(r, &t, NULL, true, 200);
}

/* The form's tokens as JSON, for the script that shows the form. */
static void
comments_token(struct req *r)
{
	struct thread t;
	if (thread_status(r, r->params[0], &t))
		return;
	struct page p;
	page_for_thread(&p, r, &t, t.title);
	struct tv *f = tv_map(&r->a);
	form_fill(&p, &t, NULL, true, f);
	struct buf b = {0};
	buf_puts(&b, "{\"token\":");
	const char *tok = tv_get_str(f, "token"), *csrf = tv_get_str(f, "csrf");
	buf_esc_json(&b, tok, strlen(tok));
	buf_puts(&b, ",\"csrf\":");
	buf_esc_json(&b, csrf, strlen(csrf));
	buf_printf(&b, ",\"pow_bits\":%lld,\"closed\":%s}\n", tv_get(f, "pow_bits")->u.i, t.closed ? "true" : "false");
	resp_header(r, "Cache-Control", "private, no-store");
	resp_text(r, 200, "application/json", b.s);
	buf_free(&b);
}

/* ---- posting ------------------------------------------------------------ */

/* A refusal that is not about a field: a full error page (or, for the
 * script, the thread with the message above the form). */
static void
refuse(struct req *r, struct thread *t, struct form_in *in, bool fragment, int status, const char *msg)
{
	in->error = tr(t, msg);
	render_thread(r, t, in, fragment, status);
}

static const char *
body_hash(struct arena *a, const char *body)
{
	unsigned char h[16];
	char *hex = arena_alloc(a, 33);
	crypto_generichash(h, sizeof h, (const unsigned char *)body, strlen(body), NULL, 0);
	sodium_bin2hex(hex, 33, h, sizeof h);
	return hex;
}

/* The comment a reply lands under: parent, or its nearest ancestor that
 * leaves the reply at most max deep. 0 with *depth 1 for a top-level
 * comment; -1 if parent is not in this thread or not visible. */
static long long
reply_target(struct db_conn *c, struct thread *t, long long parent, long long max, long long *depth, long long *root)
{
	*depth = 1;
	*root = 0;
	if (!parent)
		return 0;
	const char *owner = t->owner ? t->owner : "";
	long long at = parent;
	for (int hop = 0; hop < 64; hop++) {
		struct db_stmt *st = db_query(c, "SELECT coalesce(parent_id, 0), depth, root_id, status, CASE WHEN owner_hash = ? THEN 1 ELSE 0 END "
		    "FROM comments WHERE id = ? AND article_id IN (SELECT id FROM articles WHERE id = ? OR "
		    "(translation_group = ? AND ? <> 0))", "siiii", owner, at, t->article, t->group, t->group);
		if (!db_row(st)) {
			db_done(st);
			return -1;
		}
		long long up = db_int(st, 0), d = db_int(st, 1);
		*root = db_int(st, 2);
		bool visible = strcmp(db_text(st, 3), "approved") == 0 ||
		    (strcmp(db_text(st, 3), "pending") == 0 && t->owner && db_int(st, 4));
		db_done(st);
		if (at == parent && !visible)
			return -1;
		if (d < max) {
			*depth = d + 1;
			return at;
		}
		at = up;   /* the deepest level: reply beside it */
		if (!at)
			return -1;
	}
	return -1;
}

static void
comments_post(struct req *r)
{
	struct thread t;
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	if (thread_status(r, r->params[0], &t))
		return;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	bool fragment = req_form(r, "fragment") != NULL;
	struct form_in in = {0};
	const char *raw_name = req_form(r, "name"), *raw_email = req_form(r, "email"), *raw_body = req_form(r, "body");
	in.name = text_clean(a, raw_name ? raw_name : "", false);
	in.email = text_clean(a, raw_email ? raw_email : "", false);
	in.body = text_clean(a, raw_body ? raw_body : "", true);
	in.website = req_form(r, "website");
	in.token = req_form(r, "token");
	in.pow = req_form(r, "pow");
	in.csrf = req_form(r, "csrf");
	const char *parent_s = req_form(r, "parent");
	in.parent = parent_s && *parent_s ? strtoll(parent_s, NULL, 10) : 0;
	if (in.parent < 0)
		in.parent = 0;

	/* the request itself: our form, from this browser */
	if (!csrf_valid(r)) {
		refuse(r, &t, &in, fragment, 403, _("This form has expired. Please send your comment again."));
		return;
	}
	long long shown_at = form_token_check(a, in.token, t.article);
	if (shown_at < 0 || now_s() - shown_at > 86400) {
		refuse(r, &t, &in, fragment, 403, _("This form has expired. Please send your comment again."));
		return;
	}
	if (in.website && *in.website) {   /* a field people never see */
		refuse(r, &t, &in, fragment, 400, _("Your comment could not be accepted."));
		return;
	}
	if (t.closed) {
		refuse(r, &t, &in, fragment, 403, _("Comments on this story are closed."));
		return;
	}
	if (now_s() - shown_at < setting_int(c, "comments.min_seconds")) {
		refuse(r, &t, &in, fragment, 422, _("That was quick! Please check your comment and send it again."));
		return;
	}

	/* the fields */
	long long max_len = setting_int(c, "comments.max_length");
	if (!*in.name)
		in.err_name = tr(&t, _("Please enter your name."));
	else if (utf8_chars(in.name) > COMMENT_NAME_MAX)
		in.err_name = tr(&t, _("Your name is too long."));
	if (!*in.email)
		in.err_email = tr(&t, _("Please enter your email address."));
	else if (!email_plausible(in.email))
		in.err_email = tr(&t, _("This email address does not look right."));
	if (!*in.body)
		in.err_body = tr(&t, _("Please write a comment."));
	else if ((long long)utf8_chars(in.body) > max_len)
		in.err_body = i18n_plural(a, t.ed->locale, tr(&t, _("{0,plural,one{Please shorten your comment to # character.} other{Please shorten your comment to # characters.}}")), (double)max_len);
	long long depth, root;
	long long parent = reply_target(c, &t, in.parent, setting_int(c, "comments.max_depth"), &depth, &root);
	if (parent < 0) {
		in.parent = 0;
		in.error = tr(&t, _("The comment you replied to is no longer available."));
	}
	if (in.err_name || in.err_email || in.err_body || in.error) {
		if (!in.error)
			in.error = tr(&t, _("Please correct the marked fields."));
		render_thread(r, &t, &in, fragment, 422);
		return;
	}
	const char *denied = words_find(a, setting_str(c, a, "comments.deny_words"), arena_cat(a, in.name, "\n", in.body, NULL));
	if (denied) {
		refuse(r, &t, &in, fragment, 422, _("Your comment contains words this site does not publish. Please change it."));
		return;
	}

	/* limits per address and per email */
	const char *ip_hash = site_mac_hex(a, "ip", req_client_ip(r), 32);
	long long window = setting_int(c, "comments.rate_window"), now = now_s();
	long long by_ip = setting_int(c, "comments.rate_ip"), by_email = setting_int(c, "comments.rate_email");
	if ((by_ip && db_int1(c, 0, "SELECT count(*) FROM comments WHERE ip_hash = ? AND created_at > ?", "si", ip_hash, now - window) >= by_ip) ||
	    (by_email && db_int1(c, 0, "SELECT count(*) FROM comments WHERE email = ? AND created_at > ?", "si", in.email, now - window) >= by_email)) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", window);
		resp_header(r, "Retry-After", arena_strdup(a, secs));
		long long minutes = (window + 59) / 60;   /* whole minutes, rounded up */
		in.error = i18n_plural(a, t.ed->locale, tr(&t, _("{0,plural,one{You have sent several comments in a short time. Please try again in # minute.} other{You have sent several comments in a short time. Please try again in # minutes.}}")),
		    (double)minutes);
		render_thread(r, &t, &in, fragment, 429);
		return;
	}

	/* the same comment twice (a double click, a resent form): the first one */
	const char *bh = body_hash(a, in.body);
	long long dup = db_int1(c, 0, "SELECT id FROM comments WHERE article_id = ? AND email = ? AND body_hash = ? "
	    "AND created_at > ? ORDER BY id LIMIT 1", "issi", t.article, in.email, bh, now - 86400);

	/* the commenter's cookie: their own comments, for 15 minutes of edits */
	const char *owner_token = t.owner_token;
	if (!owner_token) {
		char *hex = arena_alloc(a, 65);
		random_hex(hex, 32);
		owner_token = hex;
	}
	const char *owner = site_mac_hex(a, "owner", owner_token, 64);

	long long id = dup;
	if (!dup) {
		/* the moderation policy */
		size_t hl;
		char *html = md_render(in.body, strlen(in.body), MD_READER, &hl);
		const char *html_a = arena_strndup(a, html, hl);
		free(html);
		const char *status = "approved", *reason = "";
		const char *held_word = words_find(a, setting_str(c, a, "comments.hold_words"), arena_cat(a, in.name, "\n", in.body, NULL));
		if (strcmp(t.policy, "hold_all") == 0)
			status = "pending", reason = "policy";
		else if (strcmp(t.policy, "hold_first") == 0 &&
		    !db_int1(c, 0, "SELECT count(*) FROM comments WHERE email = ? AND status = 'approved'", "s", in.email))
			status = "pending", reason = "first comment";
		if (!*reason && html_link_count(html_a) > setting_int(c, "comments.hold_links"))
			status = "pending", reason = "links";
		if (!*reason && held_word)
			status = "pending", reason = "word";
		if (!*reason && !pow_check(in.token, in.pow, (int)setting_int(c, "comments.pow_bits")))
			status = "pending", reason = "no proof of work";
		/* a banned commenter's comment goes to spam, without telling them */
		if (db_int1(c, 0, "SELECT count(*) FROM comment_bans WHERE (kind = 'ip' AND hash = ?) OR (kind = 'email' AND hash = ?)",
		    "ss", ip_hash, comment_email_hash(a, in.email)) > 0)
			status = "spam", reason = "banned";
		long long retention = setting_int(c, "comments.ip_retention_days");

		struct inval iv = {0};
		for (int attempt = 0; attempt < 5; attempt++) {
			if (db_begin(c) < 0)
				break;
			id = db_insert(c, "INSERT INTO comments (article_id, parent_id, root_id, depth, lang, name, email, body_md, "
			    "body_html, status, held_reason, created_at, ip_hash, owner_hash, body_hash) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "innisssssssisss",
			    t.article, parent, root, depth, t.ed->code, in.name, in.email, in.body, html_a, status, reason, now,
			    retention > 0 ? ip_hash : NULL, owner, bh);
			bool ok = id > 0 &&
			    (parent || db_exec(c, "UPDATE comments SET root_id = id WHERE id = ?", "i", id) == 1) &&
			    db_exec(c, "INSERT INTO comment_audit (comment_id, actor, action, from_status, to_status, at, note) "
				"VALUES (?, 'reader', 'post', NULL, ?, ?, ?)", "isis", id, status, now, reason) == 1 &&
			    comment_count_add(c, t.article, approved_delta(NULL, status), &iv) == 0;
			if (ok && inval_record(c, &iv) == 0 && db_commit(c) == 0) {
				inval_apply(&iv);
				break;
			}
			bool again = db_retryable(c);
			db_rollback(c);
			inval_discard(&iv);
			id = 0;
			if (!again)
				break;
		}
		inval_discard(&iv);
		if (id <= 0) {
			page_db_error(r);
			return;
		}
		if (strcmp(status, "approved") == 0)
			t.count_here++, t.count_all++;
	}
	if (!t.owner_token)
		resp_cookie(r, COMMENT_COOKIE, owner_token, "/comments", 365L * 86400);
	if (fragment) {
		/* the thread again, at the new comment, as its author sees it */
		t.owner = owner;
		t.owner_token = owner_token;
		t.focus = id;
		render_thread(r, &t, NULL, true, dup ? 200 : 201);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/comments/%lld?c=%lld#comment-%lld", t.article, id, id));
}

/* ---- a commenter's own comment -------------------------------------------- */

/* The reader's own comment id on this thread, still editable; 0 with the
 * error answered otherwise. */
static long long
own_comment(struct req *r, struct thread *t, const char *id_s, const char **body)
{
	char *end;
	long long id = strtoll(id_s, &end, 10);
	if (*end || id <= 0) {
		resp_error(r, 404);
		return 0;
	}
	struct db_stmt *st = db_query(req_db(r), "SELECT owner_hash, created_at, body_md, status FROM comments "
	    "WHERE id = ? AND article_id = ?", "ii", id, t->article);
	if (!db_row(st)) {
		int e = db_done(st);
		if (e < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return 0;
	}
	const char *oh = db_text(st, 0);
	bool mine = t->owner && oh && strlen(oh) == 64 && sodium_memcmp(oh, t->owner, 64) == 0;
	bool fresh = now_s() - db_int(st, 1) < COMMENT_EDIT_SECONDS;
	bool live = strcmp(db_text(st, 3), "approved") == 0 || strcmp(db_text(st, 3), "pending") == 0;
	if (body)
		*body = db_atext(st, 2, &r->a);
	db_done(st);
	if (!mine || !live) {
		resp_error(r, 403);
		return 0;
	}
	if (!fresh) {
		resp_error(r, 403);
		return 0;
	}
	return id;
}

static void
render_edit(struct req *r, struct thread *t, long long id, const char *body, const char *error, int status)
{
	struct page p;
	page_for_thread(&p, r, t, arena_printf(&r->a, "%s: %s", tr(t, _("Edit your comment")), t->title));
	p.private_page = true;
	struct tv *f = tv_set_map(p.root, "form");
	form_fill(&p, t, NULL, true, f);
	tv_set_str(f, "body", body);
	tv_set_str(f, "err_body", error);
	tv_set_str(f, "action", arena_printf(&r->a, "/comments/%lld/edit/%lld", t->article, id));
	tv_set_str(f, "delete", arena_printf(&r->a, "/comments/%lld/delete/%lld", t->article, id));
	tv_set_str(f, "back", arena_printf(&r->a, "/comments/%lld?c=%lld#comment-%lld", t->article, id, id));
	resp_header(r, "Cache-Control", "private, no-store");
	page_render(&p, "comment_edit.html", status);
}

static void
comments_edit_form(struct req *r)
{
	struct thread t;
	if (thread_status(r, r->params[0], &t))
		return;
	const char *body;
	long long id = own_comment(r, &t, r->params[1], &body);
	if (id)
		render_edit(r, &t, id, body, NULL, 200);
}

/* Saves the reader's edit or deletion, checked like a new comment. */
static void
own_change(struct req *r, bool delete)
{
	struct thread t;
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	if (thread_status(r, r->params[0], &t))
		return;
	long long id = own_comment(r, &t, r->params[1], NULL);
	if (!id)
		return;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *raw = req_form(r, "body");
	const char *body = text_clean(a, raw ? raw : "", true);
	if (!csrf_valid(r)) {
		render_edit(r, &t, id, body, tr(&t, _("This form has expired. Please send your comment again.")), 403);
		return;
	}
	const char *new_status = NULL, *html_a = NULL, *reason = "";
	if (delete)
		new_status = "deleted";
	else {
		if (!*body) {
			render_edit(r, &t, id, body, tr(&t, _("Please write a comment.")), 422);
			return;
		}
		long long max_len = setting_int(c, "comments.max_length");
		if ((long long)utf8_chars(body) > max_len) {
			render_edit(r, &t, id, body, i18n_plural(a, t.ed->locale, tr(&t, _("{0,plural,one{Please shorten your comment to # character.} other{Please shorten your comment to # characters.}}")), (double)max_len), 422);
			return;
		}
		if (words_find(a, setting_str(c, a, "comments.deny_words"), body)) {
			render_edit(r, &t, id, body, tr(&t, _("Your comment contains words this site does not publish. Please change it.")), 422);
			return;
		}
		size_t hl;
		char *html = md_render(body, strlen(body), MD_READER, &hl);
		html_a = arena_strndup(a, html, hl);
		free(html);
		/* an edit may not smuggle in what would have been held */
		if (html_link_count(html_a) > setting_int(c, "comments.hold_links"))
			new_status = "pending", reason = "links";
		else if (words_find(a, setting_str(c, a, "comments.hold_words"), body))
			new_status = "pending", reason = "word";
	}
	struct inval iv = {0};
	bool done = false;
	for (int attempt = 0; attempt < 5 && !done; attempt++) {
		if (db_begin(c) < 0)
			break;
		char from[16] = "";
		struct db_stmt *st = db_query(c, "SELECT status FROM comments WHERE id = ?", "i", id);
		if (db_row(st))
			snprintf(from, sizeof from, "%s", db_text(st, 0));
		db_done(st);
		const char *to = new_status ? new_status : from;
		if (delete)
			to = "deleted";
		bool ok = *from &&
		    (delete ? db_exec(c, "UPDATE comments SET status = 'deleted' WHERE id = ? AND status = ?", "is", id, from) == 1
			    : db_exec(c, "UPDATE comments SET body_md = ?, body_html = ?, body_hash = ?, edited_at = ?, status = ?, "
				  "held_reason = CASE WHEN ? = '' THEN held_reason ELSE ? END WHERE id = ? AND status = ?", "sssisssis",
				  body, html_a, body_hash(a, body), now_s(), to, reason, reason, id, from) == 1) &&
		    db_exec(c, "INSERT INTO comment_audit (comment_id, actor, action, from_status, to_status, at, note) "
			"VALUES (?, 'owner', ?, ?, ?, ?, ?)", "isssis", id, delete ? "delete" : "edit", from, to, now_s(), reason) == 1 &&
		    comment_count_add(c, t.article, approved_delta(from, to), &iv) == 0;
		if (ok && inval_record(c, &iv) == 0 && db_commit(c) == 0) {
			inval_apply(&iv);
			done = true;
			break;
		}
		bool again = db_retryable(c);
		db_rollback(c);
		inval_discard(&iv);
		if (!again)
			break;
	}
	inval_discard(&iv);
	if (!done) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, delete ? arena_printf(a, "/comments/%lld#comments", t.article)
				     : arena_printf(a, "/comments/%lld?c=%lld#comment-%lld", t.article, id, id));
}

static void comments_edit_save(struct req *r) { own_change(r, false); }
static void comments_delete(struct req *r) { own_change(r, true); }

const struct route comment_routes[] = {
	{HTTP_GET, "/comments/{id}", comments_page, NULL},
	{HTTP_POST, "/comments/{id}", comments_post, NULL, ROUTE_COSTLY},
	{HTTP_GET, "/comments/{id}/thread", comments_fragment, NULL},
	{HTTP_GET, "/comments/{id}/token", comments_token, NULL},
	{HTTP_GET, "/comments/{id}/edit/{cid}", comments_edit_form, NULL},
	{HTTP_POST, "/comments/{id}/edit/{cid}", comments_edit_save, NULL},
	{HTTP_POST, "/comments/{id}/delete/{cid}", comments_delete, NULL},
	{0, NULL, NULL, NULL},
};
