/* admin_revisions.c: an article's history: every save kept as a revision
 * (made by admin_articles.c), the list, one revision against the current
 * text as a line diff, and restore (a new save of the revision's title,
 * standfirst and body, byte for byte). The line diff is written here: a
 * longest common subsequence over the lines between the common head and
 * tail, which is plenty for articles. */
#include "admin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIFF_MAX_CELLS (4 * 1024 * 1024)   /* the LCS table's bound; beyond it, a plain replace */

struct line {
	const char *s;
	size_t n;
};

static int
split_lines(struct arena *a, const char *text, struct line **out)
{
	int n = 0, cap = 16;
	struct line *v = arena_alloc(a, (size_t)cap * sizeof *v);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (n == cap) {
			struct line *w = arena_alloc(a, (size_t)cap * 2 * sizeof *w);
			memcpy(w, v, (size_t)cap * sizeof *v);
			v = w;
			cap *= 2;
		}
		v[n].s = p;
		v[n++].n = l;
		p += l + (nl ? 1 : 0);
	}
	*out = v;
	return n;
}

static bool
line_eq(const struct line *x, const struct line *y)
{
	return x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
}

int
text_diff(struct arena *a, const char *from, const char *to, struct diff_line **out)
{
	struct line *x, *y;
	int n = split_lines(a, from, &x), m = split_lines(a, to, &y);
	struct diff_line *d = arena_alloc(a, (size_t)(n + m + 1) * sizeof *d);
	int k = 0, head = 0, tail = 0;
	while (head < n && head < m && line_eq(&x[head], &y[head]))
		head++;
	while (tail < n - head && tail < m - head && line_eq(&x[n - 1 - tail], &y[m - 1 - tail]))
		tail++;
	for (int i = 0; i < head; i++)
		d[k++] = (struct diff_line){'=', x[i].s, x[i].n};
	int xn = n - head - tail, yn = m - head - tail;
	struct line *xs = x + head, *ys = y + head;
	if ((long long)(xn + 1) * (yn + 1) > DIFF_MAX_CELLS) {
		for (int i = 0; i < xn; i++)
			d[k++] = (struct diff_line){'-', xs[i].s, xs[i].n};
		for (int j = 0; j < yn; j++)
			d[k++] = (struct diff_line){'+', ys[j].s, ys[j].n};
	} else {
		/* L[i][j]: the LCS length of xs[i..] and ys[j..] */
		int w = yn + 1;
		int *L = calloc((size_t)(xn + 1) * (size_t)w, sizeof *L);
		if (!L)
			return -1;
		for (int i = xn - 1; i >= 0; i--)
			for (int j = yn - 1; j >= 0; j--)
				L[i * w + j] = line_eq(&xs[i], &ys[j]) ? L[(i + 1) * w + j + 1] + 1
				    : L[(i + 1) * w + j] > L[i * w + j + 1] ? L[(i + 1) * w + j] : L[i * w + j + 1];
		int i = 0, j = 0;
		while (i < xn || j < yn) {
			if (i < xn && j < yn && line_eq(&xs[i], &ys[j])) {
				d[k++] = (struct diff_line){'=', xs[i].s, xs[i].n};
				i++, j++;
			} else if (i < xn && (j == yn || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
				d[k++] = (struct diff_line){'-', xs[i].s, xs[i].n};   /* removals first, as diff shows them */
				i++;
			} else {
				d[k++] = (struct diff_line){'+', ys[j].s, ys[j].n};
				j++;
			}
		}
		free(L);
	}
	for (int i = n - tail; i < n; i++)
		d[k++] = (struct diff_line){'=', x[i].s, x[i].n};
	*out = d;
	return k;
}

/* ---- pages ------------------------------------------------------------------------- */

/* The article of the URL, when the user may edit it; else the answer is sent. */
static bool
article_for(struct req *r, struct admin_article *x)
{
	long long id = admin_id(r->params[0]);
	int rc = id ? admin_article_load(req_db(r), &r->a, id, x) : 0;
	if (rc < 0) {
		page_db_error(r);
		return false;
	}
	if (rc == 0) {
		resp_error(r, 404);
		return false;
	}
	if (!admin_can_edit(admin_staff(r), x)) {
		admin_deny(r);
		return false;
	}
	return true;
}

static void
list_page(struct req *r)
{
	struct admin_article x;
	if (!article_for(r, &x))
		return;
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	struct tv *f = tv_map(a);
	tv_set_int(f, "id", x.id);
	tv_set_str(f, "title", x.title);
	tv_set_str(f, "edit_url", arena_printf(a, "/admin/articles/%lld", x.id));
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT v.id, v.created_at, coalesce(u.name, ''), v.status, v.note, v.autosave, "
	    "length(v.body_md) FROM article_revisions v LEFT JOIN users u ON u.id = v.user_id WHERE v.article_id = ? "
	    "ORDER BY v.id DESC LIMIT 500", "i", x.id);
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		tv_set_str(m, "url", arena_printf(a, "/admin/articles/%lld/revisions/%lld", x.id, db_int(st, 0)));
		tv_set_str(m, "when", admin_when(r, db_int(st, 1)));
		tv_set_str(m, "who", db_atext(st, 2, a));
		tv_set_str(m, "status", admin_status_label(lang, db_text(st, 3)));
		tv_set_str(m, "note", db_atext(st, 4, a));
		tv_set_bool(m, "autosave", db_int(st, 5) != 0);
		tv_set_int(m, "bytes", db_int(st, 6));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, admin_staff(r), "admin_revisions.html", _("Revisions"), f, 200);
}

struct revision {
	long long id, at;
	const char *title, *standfirst, *body, *who;
	bool autosave;
};

static int
revision_load(struct req *r, long long article, struct revision *v)
{
	long long id = admin_id(r->params[1]);
	struct db_stmt *st = db_query(req_db(r), "SELECT v.id, v.created_at, v.title, v.standfirst, v.body_md, coalesce(u.name, ''), "
	    "v.autosave FROM article_revisions v LEFT JOIN users u ON u.id = v.user_id WHERE v.id = ? AND v.article_id = ?", "ii",
	    id, article);
	if (!db_row(st))
		return db_done(st) < 0 ? -1 : 0;
	v->id = db_int(st, 0);
	v->at = db_int(st, 1);
	v->title = db_atext(st, 2, &r->a);
	v->standfirst = db_atext(st, 3, &r->a);
	v->body = db_atext(st, 4, &r->a);
	v->who = db_atext(st, 5, &r->a);
	v->autosave = db_int(st, 6) != 0;
	return db_done(st) < 0 ? -1 : 1;
}

static struct tv *
diff_list(struct req *r, const char *from, const char *to)
{
	struct diff_line *d;
	int n = text_diff(&r->a, from, to, &d);
	struct tv *l = tv_list(&r->a);
	for (int i = 0; i < n; i++) {
		struct tv *m = tv_push_map(l);
		tv_set_str(m, "op", d[i].op == '+' ? "add" : d[i].op == '-' ? "del" : "same");
		tv_set(m, "text", tv_strn(&r->a, d[i].text, d[i].len));
	}
	return l;
}

static void
show_page(struct req *r)
{
	struct admin_article x;
	if (!article_for(r, &x))
		return;
	struct revision v;
	int rc = revision_load(r, x.id, &v);
	if (!admin_found(r, rc))
		return;
	struct arena *a = &r->a;
	struct tv *f = tv_map(a);
	tv_set_int(f, "id", x.id);
	tv_set_str(f, "title", x.title);
	tv_set_str(f, "edit_url", arena_printf(a, "/admin/articles/%lld", x.id));
	tv_set_str(f, "list_url", arena_printf(a, "/admin/articles/%lld/revisions", x.id));
	tv_set_str(f, "restore_url", arena_printf(a, "/admin/articles/%lld/revisions/%lld/restore", x.id, v.id));
	tv_set_str(f, "when", admin_when(r, v.at));
	tv_set_str(f, "who", v.who);
	tv_set_bool(f, "autosave", v.autosave);
	bool same = strcmp(v.title, x.title) == 0 && strcmp(v.standfirst, x.standfirst) == 0 && strcmp(v.body, x.body) == 0;
	tv_set_bool(f, "same", same);
	/* from the revision to the current text: what restoring it would undo */
	tv_set(f, "title_diff", diff_list(r, v.title, x.title));
	tv_set(f, "standfirst_diff", diff_list(r, v.standfirst, x.standfirst));
	tv_set(f, "body_diff", diff_list(r, v.body, x.body));
	admin_render(r, admin_staff(r), "admin_revision.html", _("Revision"), f, 200);
}

struct restore {
	long long article, user, now;
	const struct revision *v;
	const char *note;
};

static int
restore_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct restore *s = arg;
	if (admin_article_set_text(c, iv, s->article, s->user, s->v->title, s->v->standfirst, s->v->body, s->now, s->note) < 0)
		return -1;
	audit(c, s->user, "article.restore", s->note);
	return 0;
}

static void
restore_post(struct req *r)
{
	struct admin_article x;
	if (!article_for(r, &x))
		return;
	struct revision v;
	int rc = revision_load(r, x.id, &v);
	if (!admin_found(r, rc))
		return;
	struct staff *u = admin_staff(r);
	struct restore s = {x.id, u->id, (long long)time(NULL), &v,
		arena_printf(&r->a, "article %lld: revision %lld restored", x.id, v.id)};
	if (inval_write(req_db(r), restore_tx, &s, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/articles/%lld?saved=1", x.id));
}

const struct route admin_revision_routes[] = {
	{HTTP_GET, "/admin/articles/{id}/revisions", list_page, "write|translate"},
	{HTTP_GET, "/admin/articles/{id}/revisions/{rev}", show_page, "write|translate"},
	{HTTP_POST, "/admin/articles/{id}/revisions/{rev}/restore", restore_post, "write|translate"},
	{0, NULL, NULL, NULL},
};
