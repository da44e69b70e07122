/* admin_comments.c: the moderation queue: comments by status (pending,
 * spam, approved, deleted) in the moderator's editions, bulk approve /
 * spam / delete / back to pending, and bans by email or address hash
 * (their later comments go to spam). Status changes go through
 * comment_moderate.c (counts, cache tags, comment_audit); each action is
 * also in the audit log. Keyboard shortcuts come from static/js/moderate.js;
 * everything works without it. */
#include "admin.h"
#include "comments.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_PAGE 50

static const char *const queue_statuses[] = {"pending", "spam", "approved", "deleted"};

static const char *
queue_label(const char *lang, const char *s)
{
	if (strcmp(s, "pending") == 0)
		return i18n_gettext(lang, _("Waiting"));
	if (strcmp(s, "spam") == 0)
		return i18n_gettext(lang, _("Spam"));
	if (strcmp(s, "approved") == 0)
		return i18n_gettext(lang, _("Approved"));
	return i18n_gettext(lang, _("Deleted"));
}

static const char *
queue_status(const char *s)
{
	for (size_t i = 0; s && i < sizeof queue_statuses / sizeof *queue_statuses; i++)
		if (strcmp(s, queue_statuses[i]) == 0)
			return queue_statuses[i];
	return "pending";
}

/* The user's editions as one string for SQL: "" (all) or ",en,pt,". */
static const char *
editions_filter(struct arena *a, const struct staff *u)
{
	if ((u->caps & CAP_ADMIN) || u->neditions == 0)
		return "";
	const char *s = ",";
	for (int i = 0; i < u->neditions; i++)
		s = arena_printf(a, "%s%s,", s, u->editions[i]);
	return s;
}

static void
queue_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	const char *status = queue_status(req_query(r, "status"));
	const char *before_s = req_query(r, "before");
	long long before = before_s && strspn(before_s, "0123456789") == strlen(before_s) && strlen(before_s) < 16 ? atoll(before_s) : 0;
	if (before <= 0)
		before = 1LL << 62;
	const char *eds = editions_filter(a, u);
	struct tv *f = tv_map(a);
	tv_set_str(f, "status", status);
	tv_set_str(f, "status_label", queue_label(lang, status));
	const char *done = req_query(r, "done");
	if (done && strspn(done, "0123456789") == strlen(done) && *done && strlen(done) < 6)
		tv_set_str(f, "done", i18n_plural(a, admin_edition(r)->locale,
		    i18n_gettext(lang, _("{0,plural,one{# comment changed.} other{# comments changed.}}")), (double)atol(done)));
	struct tv *tabs = tv_set_list(f, "tabs");
	for (size_t i = 0; i < sizeof queue_statuses / sizeof *queue_statuses; i++) {
		struct tv *m = tv_push_map(tabs);
		tv_set_str(m, "url", arena_printf(a, "/admin/comments?status=%s", queue_statuses[i]));
		tv_set_str(m, "label", queue_label(lang, queue_statuses[i]));
		tv_set_bool(m, "current", strcmp(status, queue_statuses[i]) == 0);
		tv_set_int(m, "count", db_int1(c, 0, "SELECT count(*) FROM comments WHERE status = ? AND (? = '' OR "
		    "? LIKE '%,' || lang || ',%')", "sss", queue_statuses[i], eds, eds));
	}
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(c, "SELECT c.id, c.name, c.email, c.body_html, c.created_at, c.held_reason, c.lang, "
	    "a.title, a.edition, a.slug, a.published_at, a.status, c.ip_hash IS NOT NULL, c.depth FROM comments c "
	    "JOIN articles a ON a.id = c.article_id WHERE c.status = ? AND c.id < ? AND (? = '' OR ? LIKE '%,' || c.lang || ',%') "
	    "ORDER BY c.id DESC LIMIT ?", "sissd", status, before, eds, eds, QUEUE_PAGE + 1);
	int n = 0;
	long long last = 0;
	while (db_row(st)) {
		if (++n > QUEUE_PAGE) {
			tv_set_str(f, "older", arena_printf(a, "/admin/comments?status=%s&before=%lld", status, last));
			break;
		}
		last = db_int(st, 0);
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", last);
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_str(m, "email", db_atext(st, 2, a));
		const char *html = db_atext(st, 3, a);
		tv_set(m, "body", tv_html(a, html, strlen(html)));   /* rendered by cmark-gfm in safe mode when posted */
		tv_set_str(m, "when", admin_when(r, db_int(st, 4)));
		tv_set_str(m, "reason", db_atext(st, 5, a));
		const struct edition *e = edition_find(db_text(st, 6));
		tv_set_str(m, "edition", e ? e->name : "");
		tv_set_str(m, "lang", db_atext(st, 6, a));
		tv_set_str(m, "article", db_atext(st, 7, a));
		if (strcmp(db_text(st, 11), "published") == 0)
			tv_set_str(m, "article_url", url_article(a, db_text(st, 8), db_text(st, 9), db_int(st, 10)));
		tv_set_bool(m, "has_ip", db_int(st, 12) != 0);
		tv_set_bool(m, "reply", db_int(st, 13) > 1);
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, u, "admin_comments.html", _("Comments"), f, 200);
}

struct bans {
	const long long *ids;
	int n;
	const char *kind, *user_name;
	long long user, now;
	struct arena *a;
	int added;
};

static int
ban_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* a ban changes no page */
	struct bans *b = arg;
	b->added = 0;
	for (int i = 0; i < b->n; i++) {
		const char *hash = NULL;
		struct db_stmt *st = db_query(c, "SELECT email, ip_hash FROM comments WHERE id = ?", "i", b->ids[i]);
		if (db_row(st))
			hash = strcmp(b->kind, "email") == 0 ? comment_email_hash(b->a, db_text(st, 0))
			    : db_isnull(st, 1) ? NULL : db_atext(st, 1, b->a);
		if (db_done(st) < 0)
			return -1;
		if (!hash)
			continue;   /* the address was already forgotten */
		long long rc = db_exec(c, "INSERT INTO comment_bans (kind, hash, created_at, user_id, note) VALUES (?, ?, ?, ?, ?) "
		    "ON CONFLICT DO NOTHING", "ssins", b->kind, hash, b->now, b->user, arena_printf(b->a, "comment %lld", b->ids[i]));
		if (rc < 0)
			return -1;
		b->added += (int)rc;
	}
	audit(c, b->user, "comments.ban", arena_printf(b->a, "%d %s ban%s", b->added, b->kind, b->added == 1 ? "" : "s"));
	return 0;
}

static void
queue_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *action = req_form(r, "action"), *back = queue_status(req_form(r, "status"));
	static const struct {
		const char *action, *status, *ban;
	} actions[] = {
		{"approve", "approved", NULL}, {"spam", "spam", NULL}, {"delete", "deleted", NULL}, {"pending", "pending", NULL},
		{"ban_email", "spam", "email"}, {"ban_ip", "spam", "ip"},
	};
	size_t k;
	for (k = 0; action && k < sizeof actions / sizeof *actions; k++)
		if (strcmp(actions[k].action, action) == 0)
			break;
	if (!action || k == sizeof actions / sizeof *actions) {
		resp_error(r, 400);
		return;
	}
	long long ids[FORM_MAX_FIELDS];
	int n = 0;
	for (int i = 0; i < r->nform && n < FORM_MAX_FIELDS; i++) {
		if (strcmp(r->form[i].k, "id") != 0)
			continue;
		const char *v = r->form[i].v;
		if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15) {
			resp_error(r, 400);
			return;
		}
		ids[n++] = atoll(v);
	}
	if (!n) {
		resp_redirect(r, 303, arena_printf(a, "/admin/comments?status=%s&done=0", back));
		return;
	}
	/* every comment must be in the moderator's editions */
	for (int i = 0; i < n; i++) {
		struct db_stmt *st = db_query(c, "SELECT lang FROM comments WHERE id = ?", "i", ids[i]);
		bool found = db_row(st), mine = found && staff_has_edition(u, db_text(st, 0));
		if (db_done(st) < 0) {
			page_db_error(r);
			return;
		}
		if (!found) {
			resp_error(r, 404);
			return;
		}
		if (!mine) {
			admin_deny(r);
			return;
		}
	}
	if (actions[k].ban) {
		struct bans b = {ids, n, actions[k].ban, u->name, u->id, (long long)time(NULL), a, 0};
		if (inval_write(c, ban_tx, &b, NULL) < 0) {
			page_db_error(r);
			return;
		}
	}
	char err[256];
	long long inval_id = 0;
	const char *actor = arena_printf(a, "staff:%lld", u->id);
	int changed = comments_set_status_on(c, ids, n, actions[k].status, actor, &inval_id, err, sizeof err);
	if (changed == COMMENT_NOT_FOUND) {
		resp_error(r, 404);
		return;
	}
	if (changed < 0) {
		page_db_error(r);
		return;
	}
	admin_audit(r, arena_printf(a, "comments.%s", actions[k].action),
	    arena_printf(a, "%d of %d comment%s", changed, n, n == 1 ? "" : "s"));
	resp_redirect(r, 303, arena_printf(a, "/admin/comments?status=%s&done=%d", back, changed));
}

const struct route admin_comment_routes[] = {
	{HTTP_GET, "/admin/comments", queue_page, "moderate"},
	{HTTP_POST, "/admin/comments", queue_post, "moderate"},
	{0, NULL, NULL, NULL},
};
