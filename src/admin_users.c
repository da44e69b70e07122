/* admin_users.c: the newsroom's accounts, for admins: the list, inviting
 * someone (an account without a password and an emailed one-time link,
 * valid a week, to choose one), changing a role, its editions or its name,
 * disabling an account (its sessions end) and clearing a lost second
 * factor. The last active admin cannot be demoted or disabled. Every
 * change is in the audit log with what it was before. */
#include "admin.h"
#include "core/outbox.h"
#include "core/text.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INVITE_SECONDS (7 * 86400)

static const char *const role_list[] = {"admin", "editor", "author", "contributor", "translator", "moderator", "events"};

static const char *
role_label(const char *lang, const char *role)
{
	if (strcmp(role, "admin") == 0)
		return i18n_gettext(lang, _("Administrator"));
	if (strcmp(role, "editor") == 0)
		return i18n_gettext(lang, _("Editor"));
	if (strcmp(role, "author") == 0)
		return i18n_gettext(lang, _("Author"));
	if (strcmp(role, "contributor") == 0)
		return i18n_gettext(lang, _("Contributor"));
	if (strcmp(role, "translator") == 0)
		return i18n_gettext(lang, _("Translator"));
	if (strcmp(role, "moderator") == 0)
		return i18n_gettext(lang, _("Moderator"));
	return i18n_gettext(lang, _("Events manager"));
}

static bool
role_known(const char *role)
{
	for (size_t i = 0; role && i < sizeof role_list / sizeof *role_list; i++)
		if (strcmp(role, role_list[i]) == 0)
			return true;
	return false;
}

static void
users_page(struct req *r)
{
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	struct tv *f = tv_map(a);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(c, "SELECT id, name, email, role, disabled, totp_on FROM users ORDER BY disabled, name, id LIMIT 1000", "");
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		tv_set_int(m, "id", db_int(st, 0));
		tv_set_str(m, "name", db_atext(st, 1, a));
		tv_set_str(m, "email", db_atext(st, 2, a));
		tv_set_str(m, "role", role_label(lang, db_text(st, 3)));
		tv_set_bool(m, "disabled", db_int(st, 4) != 0);
		tv_set_bool(m, "totp", db_int(st, 5) != 0);
		tv_set_list(m, "editions");
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	for (size_t i = 0; i < rows->u.list.n; i++) {
		struct tv *m = rows->u.list.items[i];
		st = db_query(c, "SELECT edition FROM user_editions WHERE user_id = ? ORDER BY edition", "i", tv_get(m, "id")->u.i);
		while (db_row(st)) {
			const struct edition *e = edition_find(db_text(st, 0));
			tv_push(tv_get(m, "editions"), tv_str(a, e ? e->name : db_atext(st, 0, a)));
		}
		db_done(st);
	}
	admin_render(r, admin_staff(r), "admin_users.html", _("Accounts"), f, 200);
}

struct account {
	long long id;
	const char *email, *name, *role;
	bool disabled, totp;
	bool edition[MAX_EDITIONS];
};

static int
account_load(struct req *r, long long id, struct account *ac)
{
	memset(ac, 0, sizeof *ac);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, email, name, role, disabled, totp_on FROM users WHERE id = ?", "i", id);
	if (!db_row(st))
		return db_done(st) < 0 ? -1 : 0;
	ac->id = db_int(st, 0);
	ac->email = db_atext(st, 1, &r->a);
	ac->name = db_atext(st, 2, &r->a);
	ac->role = db_atext(st, 3, &r->a);
	ac->disabled = db_int(st, 4) != 0;
	ac->totp = db_int(st, 5) != 0;
	db_done(st);
	for (int e = 0; e < edition_count(); e++)
		ac->edition[e] = db_int1(req_db(r), 0, "SELECT count(*) FROM user_editions WHERE user_id = ? AND edition = ?", "is", id,
		    edition_at(e)->code) > 0;
	return 1;
}

static void
account_render(struct req *r, const struct account *ac, struct tv *f, int status)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	if (!f)
		f = tv_map(a);
	tv_set_int(f, "id", ac->id);
	tv_set_str(f, "email", ac->email ? ac->email : "");
	tv_set_str(f, "name", ac->name ? ac->name : "");
	tv_set_bool(f, "disabled", ac->disabled);
	tv_set_bool(f, "totp", ac->totp);
	tv_set_bool(f, "self", ac->id == admin_staff(r)->id);
	tv_set_str(f, "action_url", ac->id ? arena_printf(a, "/admin/users/%lld", ac->id) : "/admin/users/new");
	struct tv *roles = tv_set_list(f, "roles");
	for (size_t i = 0; i < sizeof role_list / sizeof *role_list; i++) {
		struct tv *m = tv_push_map(roles);
		tv_set_str(m, "value", role_list[i]);
		tv_set_str(m, "label", role_label(lang, role_list[i]));
		tv_set_bool(m, "selected", ac->role && strcmp(ac->role, role_list[i]) == 0);
	}
	struct tv *eds = tv_set_list(f, "editions");
	for (int e = 0; e < edition_count(); e++) {
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "code", edition_at(e)->code);
		tv_set_str(m, "name", edition_at(e)->name);
		tv_set_bool(m, "checked", ac->edition[e]);
	}
	admin_render(r, admin_staff(r), "admin_user.html", ac->id ? _("Account") : _("Invite someone"), f, status);
}

static void
user_page(struct req *r)
{
	struct account ac;
	int rc = account_load(r, admin_id(r->params[0]), &ac);
	if (!admin_found(r, rc))
		return;
	struct tv *f = tv_map(&r->a);
	const char *saved = req_query(r, "saved");
	if (saved)
		tv_set_str(f, "saved", strcmp(saved, "invited") == 0 ? "invited" : "saved");
	account_render(r, &ac, f, 200);
}

static void
user_new_page(struct req *r)
{
	struct account ac;
	memset(&ac, 0, sizeof ac);
	ac.role = "author";
	account_render(r, &ac, NULL, 200);
}

struct account_save {
	struct account *ac;
	const struct account *before;
	long long user, now, id;
	const char *token_hash, *link, *lang;
	bool last_admin, taken;
};

static int
account_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct account_save *s = arg;
	struct account *ac = s->ac;
	struct arena a = {0};
	int rc = -1;
	long long id = ac->id;
	if (!id) {
		if (db_int1(c, 0, "SELECT count(*) FROM users WHERE email = ?", "s", ac->email) > 0) {
			s->taken = true;
			goto out;
		}
		/* no password until the invited person chooses one: this hash matches nothing */
		id = db_insert(c, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, '!invited', ?) RETURNING id",
		    "sssi", ac->email, ac->name, ac->role, s->now);
		if (id <= 0)
			goto out;
		const char *text = arena_cat(&a, i18n_gettext(s->lang, _("You have been given an account in the newsroom.")), "\n\n",
		    i18n_gettext(s->lang, _("To choose your password, open this link within a week (it works once):")), "\n", s->link, "\n", NULL);
		if (db_exec(c, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", "siii",
		    s->token_hash, id, s->now, s->now + INVITE_SECONDS) != 1 ||
		    outbox_add(c, ac->email, i18n_gettext(s->lang, _("Your newsroom account")), text, NULL, NULL, NULL) != 0)
			goto out;
		audit(c, s->user, "user.invite", arena_printf(&a, "user %lld: %s, %s", id, ac->email, ac->role));
	} else {
		const struct account *b = s->before;
		if (db_exec(c, "UPDATE users SET name = ?, role = ?, disabled = ? WHERE id = ?", "ssdi", ac->name, ac->role,
		    ac->disabled ? 1 : 0, id) != 1)
			goto out;
		/* somebody must still be able to run the site */
		if (db_int1(c, 0, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0", "") == 0) {
			s->last_admin = true;
			goto out;
		}
		if (ac->disabled && !b->disabled && db_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", id) < 0)
			goto out;
		if (strcmp(b->role, ac->role) != 0)
			audit(c, s->user, "user.role", arena_printf(&a, "user %lld: %s → %s", id, b->role, ac->role));
		if (b->disabled != ac->disabled)
			audit(c, s->user, ac->disabled ? "user.disable" : "user.enable", arena_printf(&a, "user %lld", id));
		if (strcmp(b->name, ac->name) != 0)
			audit(c, s->user, "user.name", arena_printf(&a, "user %lld: %s → %s", id, b->name, ac->name));
	}
	struct buf before = {0}, after = {0};
	for (int e = 0; e < edition_count(); e++) {
		if (s->before && s->before->edition[e])
			buf_printf(&before, "%s%s", before.len ? "," : "", edition_at(e)->code);
		if (ac->edition[e])
			buf_printf(&after, "%s%s", after.len ? "," : "", edition_at(e)->code);
	}
	if (db_exec(c, "DELETE FROM user_editions WHERE user_id = ?", "i", id) < 0)
		goto free_bufs;
	for (int e = 0; e < edition_count(); e++)
		if (ac->edition[e] && db_exec(c, "INSERT INTO user_editions (user_id, edition) VALUES (?, ?)", "is", id, edition_at(e)->code) != 1)
			goto free_bufs;
	if (s->before && strcmp(before.s ? before.s : "", after.s ? after.s : "") != 0)
		audit(c, s->user, "user.editions", arena_printf(&a, "user %lld: %s → %s", id, before.len ? before.s : "all",
		    after.len ? after.s : "all"));
	s->id = id;
	rc = 0;
free_bufs:
	buf_free(&before);
	buf_free(&after);
out:
	arena_free(&a);
	return rc;
}

static void
user_post(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	struct account ac, before;
	bool existing = r->nparams > 0;
	if (existing) {
		int rc = account_load(r, admin_id(r->params[0]), &ac);
		if (!admin_found(r, rc))
			return;
		before = ac;
	} else
		memset(&ac, 0, sizeof ac);
	struct tv *f = tv_map(a);
	bool ok = true;
	const char *v;
	ac.name = text_clean(a, (v = req_form(r, "name")) ? v : "", false);
	ac.role = (v = req_form(r, "role")) && role_known(v) ? v : NULL;
	if (!existing) {
		char *email = arena_strdup(a, text_clean(a, (v = req_form(r, "email")) ? v : "", false));
		for (char *p = email; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		ac.email = email;
		if (!email_plausible(email)) {
			tv_set_str(f, "err_email", i18n_gettext(lang, _("Please give an email address such as name@example.org.")));
			ok = false;
		}
	} else
		ac.disabled = req_form(r, "disabled") != NULL;
	for (int e = 0; e < edition_count(); e++) {
		ac.edition[e] = false;
		for (int i = 0; i < r->nform; i++)
			if (strcmp(r->form[i].k, "edition") == 0 && strcmp(r->form[i].v, edition_at(e)->code) == 0)
				ac.edition[e] = true;
	}
	if (!*ac.name || utf8_chars(ac.name) > 120) {
		tv_set_str(f, "err_name", i18n_gettext(lang, _("Please give a name of at most 120 characters.")));
		ok = false;
	}
	if (!ac.role) {
		tv_set_str(f, "err_role", i18n_gettext(lang, _("Please choose a role.")));
		ac.role = existing ? before.role : "author";
		ok = false;
	}
	struct account_save s = {&ac, existing ? &before : NULL, admin_staff(r)->id, (long long)time(NULL), 0, NULL, NULL, lang, false, false};
	char tok[65];
	if (!existing) {
		random_hex(tok, 32);
		s.token_hash = site_mac_hex(a, "reset", tok, 64);
		s.link = arena_cat(a, site_base_url(), "/admin/reset/", tok, NULL);
	}
	if (ok && inval_write(req_db(r), account_tx, &s, NULL) < 0) {
		if (s.taken)
			tv_set_str(f, "err_email", i18n_gettext(lang, _("There is an account with this email address already.")));
		else if (s.last_admin)
			tv_set_str(f, "error", i18n_gettext(lang, _("This is the last active administrator: give another account that role first.")));
		else {
			page_db_error(r);
			return;
		}
		ok = false;
	}
	if (!ok) {
		if (!tv_get(f, "error"))
			tv_set_str(f, "error", i18n_gettext(lang, _("Please correct the marked fields.")));
		account_render(r, &ac, f, 422);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/users/%lld?saved=%s", s.id, existing ? "1" : "invited"));
}

struct totp_reset {
	long long id, user;
};

static int
totp_reset_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	struct totp_reset *t = arg;
	if (db_exec(c, "UPDATE users SET totp_on = 0, totp_secret = '', totp_last = 0 WHERE id = ?", "i", t->id) != 1)
		return -1;
	struct arena a = {0};
	audit(c, t->user, "user.totp-off", arena_printf(&a, "user %lld", t->id));
	arena_free(&a);
	return 0;
}

static void
totp_reset_post(struct req *r)
{
	struct totp_reset t = {admin_id(r->params[0]), admin_staff(r)->id};
	if (!t.id || db_int1(req_db(r), 0, "SELECT count(*) FROM users WHERE id = ?", "i", t.id) != 1) {
		resp_error(r, 404);
		return;
	}
	if (inval_write(req_db(r), totp_reset_tx, &t, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(&r->a, "/admin/users/%lld?saved=1", t.id));
}

const struct route admin_user_routes[] = {
	{HTTP_GET, "/admin/users", users_page, "admin"},
	{HTTP_GET, "/admin/users/new", user_new_page, "admin"},
	{HTTP_POST, "/admin/users/new", user_post, "admin"},
	{HTTP_GET, "/admin/users/{id}", user_page, "admin"},
	{HTTP_POST, "/admin/users/{id}", user_post, "admin"},
	{HTTP_POST, "/admin/users/{id}/totp-off", totp_reset_post, "admin"},
	{0, NULL, NULL, NULL},
};
