/* admin.c: the frame of the newsroom admin: what each role may do, the
 * guard the dispatcher runs before every admin route (signed in, role,
 * CSRF on POST), edition rights, the admin chrome, time in the newsroom's
 * zone and the audit log. The pages of each desk live in
 * admin_*.c; who a user is (sessions, passwords) in auth.c. */
#include "admin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *role;
	unsigned caps;
} roles[] = {
	{"admin", ~0u},
	{"editor", CAP_STAFF | CAP_WRITE | CAP_PUBLISH | CAP_EDIT_ANY | CAP_TRANSLATE | CAP_MODERATE | CAP_TAXONOMY},
	{"author", CAP_STAFF | CAP_WRITE | CAP_PUBLISH},
	{"contributor", CAP_STAFF | CAP_WRITE},
	{"translator", CAP_STAFF | CAP_TRANSLATE},
	{"moderator", CAP_STAFF | CAP_MODERATE},
	{"events", CAP_STAFF | CAP_EVENTS},
};

static const struct {
	const char *name;
	unsigned cap;
} cap_names[] = {
	{"staff", CAP_STAFF}, {"write", CAP_WRITE}, {"publish", CAP_PUBLISH}, {"edit_any", CAP_EDIT_ANY},
	{"translate", CAP_TRANSLATE}, {"moderate", CAP_MODERATE}, {"events", CAP_EVENTS}, {"taxonomy", CAP_TAXONOMY},
	{"admin", CAP_ADMIN},
};

unsigned
role_caps(const char *role)
{
	for (size_t i = 0; role && i < sizeof roles / sizeof *roles; i++)
		if (strcmp(roles[i].role, role) == 0)
			return roles[i].caps;
	return 0;
}

unsigned
guard_caps(const char *guard)
{
	unsigned caps = 0;
	for (const char *p = guard; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
			if (strlen(cap_names[i].name) == l && strncmp(cap_names[i].name, p, l) == 0)
				caps |= cap_names[i].cap;
		p += l + (bar ? 1 : 0);
	}
	return caps;
}

struct staff *
admin_staff(struct req *r)
{
	return r->user;
}

bool
staff_has_edition(const struct staff *u, const char *edition)
{
	if (!u || !edition)
		return false;
	if ((u->caps & CAP_ADMIN) || u->neditions == 0)
		return true;
	for (int i = 0; i < u->neditions; i++)
		if (strcmp(u->editions[i], edition) == 0)
			return true;
	return false;
}

void
admin_deny(struct req *r)
{
	resp_error(r, 403);
	resp_header(r, "Cache-Control", "private, no-store");
}

void
admin_not_found(struct req *r, int rc)
{
	if (rc < 0)
		page_db_error(r);
	else
		resp_error(r, 404);
}

struct audit_entry {
	long long user;
	const char *action, *detail;
};

static int
audit_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct audit_entry *e = arg;
	audit(c, e->user, e->action, e->detail);
	return 0;
}

int
admin_audit(struct req *r, const char *action, const char *detail)
{
	struct audit_entry e = {admin_staff(r)->id, action, detail};
	return inval_write(req_db(r), audit_tx, &e, NULL);
}

bool
admin_guard(struct req *r, const char *guard)
{
	struct staff *u = arena_alloc(&r->a, sizeof *u);
	int rc = staff_user(r, u);
	if (rc < 0) {
		page_db_error(r);
		return false;
	}
	if (rc == 0) {
		if (r->method == HTTP_POST)
			admin_deny(r);   /* the session ended; the form cannot be replayed after signing in */
		else
		{
			struct buf b = {0};
			buf_puts(&b, "/admin/login?next=");
			buf_esc_urlpart(&b, r->path, strlen(r->path));
			resp_redirect(r, 303, arena_strndup(&r->a, b.s, b.len));
			buf_free(&b);
		}
		return false;
	}
	unsigned need = guard_caps(guard);
	if (!need || !(u->caps & need)) {
		admin_deny(r);
		return false;
	}
	if (r->method == HTTP_POST) {
		int fst = req_form_parse(r);
		if (fst) {
			resp_error(r, fst);
			return false;
		}
		if (!csrf_valid(r)) {
			admin_deny(r);
			return false;
		}
	}
	r->user = u;
	return true;
}

const struct edition *
admin_edition(struct req *r)
{
	return staff_language(r);
}

void
admin_render(struct req *r, const struct staff *u, const char *template, const char *title, struct tv *form, int status)
{
	const struct edition *ed = staff_language(r);
	struct page p;
	page_init(&p, r, ed, i18n_gettext(ed->code, title));
	p.private_page = true;
	p.noindex = true;
	resp_header(r, "Cache-Control", "private, no-store");
	/* the newsroom's own chrome: no section navigation, no promotion */
	tv_set_str(p.root, "nav", NULL);
	tv_set_str(p.root, "banner", NULL);
	tv_set_str(p.root, "breaking", NULL);
	tv_set_bool(p.root, "admin_chrome", true);
	if (form)
		tv_set(p.root, "form", form);
	else
		form = tv_set_map(p.root, "form");
	tv_set_str(form, "csrf", csrf_token(r));
	tv_set_str(p.root, "desk", strncmp(template, "admin_comment", 13) == 0 ? "comments"
	    : strncmp(template, "admin_event", 11) == 0 ? "events"
	    : strcmp(template, "checkin.html") == 0 ? "checkin"
	    : strcmp(template, "admin_audit.html") == 0 ? "audit"
	    : strcmp(template, "admin_settings.html") == 0 ? "settings"
	    : strcmp(template, "admin_front.html") == 0 ? "front"
	    : strcmp(template, "admin_pages.html") == 0 || strcmp(template, "admin_page.html") == 0 ? "pages"
	    : strcmp(template, "admin_redirects.html") == 0 ? "redirects"
	    : strncmp(template, "admin_user", 10) == 0 ? "users"
	    : strcmp(template, "admin_media.html") == 0 || strcmp(template, "admin_medium.html") == 0 ? "media"
	    : strncmp(template, "admin_term", 10) == 0 || strncmp(template, "admin_author", 12) == 0 ? "terms"
	    : strcmp(template, "admin.html") == 0 ? "dashboard"
	    : strncmp(template, "admin_article", 13) == 0 || strncmp(template, "admin_revision", 14) == 0 ||
		    strcmp(template, "admin_translate.html") == 0 ? "articles" : "");
	if (u && u->id) {
		struct tv *m = tv_set_map(p.root, "staff");
		tv_set_str(m, "name", u->name);
		tv_set_str(m, "email", u->email);
		tv_set_str(m, "role", u->role);
		struct tv *can = tv_set_map(m, "can");
		for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
			tv_set_bool(can, cap_names[i].name, (u->caps & cap_names[i].cap) != 0);
		tv_set_bool(can, "articles", (u->caps & (CAP_WRITE | CAP_TRANSLATE)) != 0);
	}
	page_render(&p, template, status);
}

/* ---- time in the newsroom's zone ------------------------------------------------ */

static const char *
site_zone(struct req *r)
{
	const char *z = setting_str(req_db(r), &r->a, "site.timezone");
	return z && *z ? z : "UTC";
}

const char *
admin_local_input_in(struct req *r, const char *zone, long long t)
{
	int f[5];
	if (t <= 0 || i18n_to_local(zone, t, f) < 0)
		return "";
	return arena_printf(&r->a, "%04d-%02d-%02dT%02d:%02d", f[0], f[1], f[2], f[3], f[4]);
}

long long
admin_parse_local_in(const char *zone, const char *s)
{
	int y, mo, d, h, mi, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || (s[n] && s[n] != ':'))
		return -1;
	return i18n_from_local(zone, y, mo, d, h, mi);
}

const char *
admin_local_input(struct req *r, long long t)
{
	return admin_local_input_in(r, site_zone(r), t);
}

long long
admin_parse_local(struct req *r, const char *s)
{
	return admin_parse_local_in(site_zone(r), s);
}

const char *
admin_when(struct req *r, long long t)
{
	const struct edition *ed = staff_language(r);
	return i18n_date_in(&r->a, ed->locale, t, "yMMMdjmm", site_zone(r));
}

long long
admin_id(const char *s)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
		return 0;
	return atoll(s);
}

const char *
admin_status_label(const char *lang, const char *s)
{
	if (strcmp(s, "draft") == 0)
		return i18n_gettext(lang, _("Draft"));
	if (strcmp(s, "review") == 0)
		return i18n_gettext(lang, _("In review"));
	if (strcmp(s, "scheduled") == 0)
		return i18n_gettext(lang, _("Scheduled"));
	if (strcmp(s, "published") == 0)
		return i18n_gettext(lang, _("Published"));
	return i18n_gettext(lang, _("Private"));
}

/* ---- the audit log ---------------------------------------------------------------- */

#define AUDIT_PAGE 100

static void
audit_page(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	const char *before_s = req_query(r, "before");
	long long before = before_s ? atoll(before_s) : 0;
	if (before <= 0)
		before = (1LL << 62);
	struct tv *f = tv_map(a);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT l.id, l.at, coalesce(u.name, ''), l.action, l.detail FROM audit_log l "
	    "LEFT JOIN users u ON u.id = l.user_id WHERE l.id < ? ORDER BY l.id DESC LIMIT ?", "id", before, AUDIT_PAGE + 1);
	int n = 0;
	long long last = 0;
	while (db_row(st)) {
		if (++n > AUDIT_PAGE) {
			tv_set_str(f, "older", arena_printf(a, "/admin/audit?before=%lld", last));
			break;
		}
		last = db_int(st, 0);
		struct tv *m = tv_push_map(rows);
		tv_set_str(m, "when", admin_when(r, db_int(st, 1)));
		tv_set_str(m, "who", db_atext(st, 2, a));
		tv_set_str(m, "action", db_atext(st, 3, a));
		tv_set_str(m, "detail", db_atext(st, 4, a));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	admin_render(r, u, "admin_audit.html", _("Audit log"), f, 200);
}

const struct route admin_routes[] = {
	{HTTP_GET, "/admin/audit", audit_page, "admin"},
	{0, NULL, NULL, NULL},
};
