/* auth.c: newsroom accounts on the web: sign in (argon2id through
 * libsodium), sessions (random tokens kept as keyed hashes, idle expiry
 * that slides with use, a 30-day ceiling), sign out, password change, a
 * forgotten password (a one-time emailed link, through the outbox), and
 * throttling of failed sign-ins per account and per address. The session
 * cookie (gz_session, Path=/admin, HttpOnly, SameSite=Strict, Secure on
 * https) never reaches reader pages, so they stay shared. What a user may
 * do is the admin pages' business; this file only says who they are. */
#include "admin.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/invalidate.h"
#include "core/outbox.h"
#include "core/text.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_COOKIE "gz_session"
#define SESSION_IDLE (12 * 3600)
#define SESSION_MAX (30 * 86400)
#define FAIL_WINDOW (15 * 60)
#define FAILS_PER_ACCOUNT 5
#define FAILS_PER_ADDRESS 20

static long long
now_s(void)
{
	return (long long)time(NULL);
}

const struct edition *
staff_language(struct req *r)
{
	const char *codes[MAX_EDITIONS];
	int n = edition_count();
	for (int i = 0; i < n; i++)
		codes[i] = edition_at(i)->code;
	int i = i18n_negotiate(req_header(r, "Accept-Language"), codes, (size_t)n);
	return i >= 0 ? edition_at(i) : edition_default();
}

void
audit(struct db_conn *c, long long user, const char *action, const char *detail)
{
	db_exec(c, "INSERT INTO audit_log (user_id, action, detail, at) VALUES (?, ?, ?, ?)", "nssi", user, action, detail ? detail : "",
	    now_s());
}

/* ---- sessions ------------------------------------------------------------------ */

struct touch {
	const char *hash;
	long long expires;
};

static int
touch_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct touch *t = arg;
	return db_exec(c, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", "is", t->expires, t->hash) >= 0 ? 0 : -1;
}

int
staff_user(struct req *r, struct staff *u)
{
	memset(u, 0, sizeof *u);
	const char *tok = req_cookie(r, SESSION_COOKIE);
	if (!tok || strlen(tok) != 64 || strspn(tok, "0123456789abcdef") != 64)
		return 0;
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *hash = site_mac_hex(a, "session", tok, 64);
	long long now = now_s();
	struct db_stmt *st = db_query(c, "SELECT u.id, u.email, u.name, u.role, s.created_at, s.expires_at FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0", "si", hash, now);
	if (!db_row(st)) {
		int e = db_done(st);
		return e < 0 ? -1 : 0;
	}
	u->id = db_int(st, 0);
	u->email = db_atext(st, 1, a);
	u->name = db_atext(st, 2, a);
	u->role = db_atext(st, 3, a);
	long long created = db_int(st, 4), expires = db_int(st, 5);
	db_done(st);
	u->session_hash = hash;
	u->caps = role_caps(u->role);
	st = db_query(c, "SELECT edition FROM user_editions WHERE user_id = ? ORDER BY edition", "i", u->id);
	while (db_row(st) && u->neditions < MAX_EDITIONS)
		snprintf(u->editions[u->neditions++], sizeof u->editions[0], "%s", db_text(st, 0));
	if (db_done(st) < 0)
		return -1;
	/* slide the idle expiry forward, at most every few minutes */
	long long want = now + SESSION_IDLE;
	if (want > created + SESSION_MAX)
		want = created + SESSION_MAX;
	if (want - expires > 300) {
		struct touch t = {hash, want};
		inval_write(c, touch_tx, &t, NULL);
	}
	return 1;
}

/* ---- sign in -------------------------------------------------------------------- */

static void
login_form(struct req *r)
{
	struct staff u;
	if (staff_user(r, &u) == 1) {
		resp_redirect(r, 303, "/admin");
		return;
	}
	struct tv *f = tv_map(&r->a);
	const char *next = req_query(r, "next");
	if (local_path_ok(next))
		tv_set_str(f, "next", next);
	admin_render(r, NULL, "admin_login.html", _("Sign in"), f, 200);
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	if (crypto_pwhash_str(dummy_hash, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = 0;
}

struct login {
	const char *email, *password, *ip_key, *account_key, *token_hash;
	long long user, now;
	bool ok;
};

static int
fail_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct login *l = arg;
	return db_exec(c, "INSERT INTO login_failures (key_hash, at) VALUES (?, ?), (?, ?)", "sisi", l->account_key, l->now,
		   l->ip_key, l->now) == 2 &&
		db_exec(c, "DELETE FROM login_failures WHERE at < ?", "i", l->now - 86400) >= 0
	    ? 0 : -1;
}

static int
session_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct login *l = arg;
	if (db_exec(c, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", "siii",
		l->token_hash, l->user, l->now, l->now + SESSION_IDLE) != 1)
		return -1;
	db_exec(c, "DELETE FROM login_failures WHERE key_hash = ?", "s", l->account_key);
	db_exec(c, "DELETE FROM sessions WHERE expires_at < ?", "i", l->now);
	audit(c, l->user, "login", "");
	return 0;
}

static void
login_post(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const struct edition *ed = staff_language(r);
	const char *email_in = req_form(r, "email"), *password = req_form(r, "password"), *next = req_form(r, "next");
	struct login l = {0};
	l.now = now_s();
	char *email = arena_strdup(a, text_clean(a, email_in ? email_in : "", false));
	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	l.email = email;
	l.account_key = site_mac_hex(a, "login-account", email, 32);
	l.ip_key = site_mac_hex(a, "login-ip", req_client_ip(r), 32);
	struct tv *f = tv_map(a);
	tv_set_str(f, "email", email);
	if (local_path_ok(next))
		tv_set_str(f, "next", next);
	if (!csrf_valid(r)) {
		tv_set_str(f, "error", i18n_gettext(ed->code, _("This form has expired. Please sign in again.")));
		admin_render(r, NULL, "admin_login.html", _("Sign in"), f, 403);
		return;
	}
	long long by_account = db_int1(c, 0, "SELECT count(*) FROM login_failures WHERE key_hash = ? AND at > ?", "si", l.account_key, l.now - FAIL_WINDOW);
	long long by_ip = db_int1(c, 0, "SELECT count(*) FROM login_failures WHERE key_hash = ? AND at > ?", "si", l.ip_key, l.now - FAIL_WINDOW);
	if (by_account >= FAILS_PER_ACCOUNT || by_ip >= FAILS_PER_ADDRESS) {
		resp_header(r, "Retry-After", arena_printf(a, "%d", FAIL_WINDOW));
		const int minutes = FAIL_WINDOW / 60;
		tv_set_str(f, "error", i18n_plural(a, ed->locale, i18n_gettext(ed->code, _("{0,plural,one{Too many failed sign-ins. Please wait # minute and try again.} other{Too many failed sign-ins. Please wait # minutes and try again.}}")),
		    (double)minutes));
		admin_render(r, NULL, "admin_login.html", _("Sign in"), f, 429);
		return;
	}
	/* the same work whether or not the account exists: no timing tells */
	pthread_once(&dummy_once, dummy_make);
	const char *stored = *dummy_hash ? dummy_hash : NULL;
	bool totp_on = false;
	struct db_stmt *st = db_query(c, "SELECT id, password_hash, totp_on FROM users WHERE email = ? AND disabled = 0", "s", email);
	if (db_row(st)) {
		l.user = db_int(st, 0);
		stored = db_atext(st, 1, a);
		totp_on = db_int(st, 2) != 0;
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	bool ok = password && stored && strlen(password) <= 1024 &&
	    crypto_pwhash_str_verify(stored, password, strlen(password)) == 0 && l.user;
	if (!ok) {
		inval_write(c, fail_tx, &l, NULL);
		tv_set_str(f, "error", i18n_gettext(ed->code, _("The email address or the password is not right.")));
		admin_render(r, NULL, "admin_login.html", _("Sign in"), f, 401);
		return;
	}
	if (totp_on) {
		totp_pending(r, l.user, next);   /* the password was right: now the code */
		return;
	}
	staff_session_start(r, l.user, next);
}

void
staff_session_start(struct req *r, long long user, const char *next)
{
	struct arena *a = &r->a;
	struct login l = {0};
	l.now = now_s();
	l.user = user;
	const char *email = "";
	struct db_stmt *st = db_query(req_db(r), "SELECT email FROM users WHERE id = ?", "i", user);
	if (db_row(st))
		email = db_atext(st, 0, a);
	db_done(st);
	l.account_key = site_mac_hex(a, "login-account", email, 32);
	char tok[65];
	random_hex(tok, 32);   /* a new token at every sign-in: a session id never outlives one */
	l.token_hash = site_mac_hex(a, "session", tok, 64);
	if (inval_write(req_db(r), session_tx, &l, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_header(r, "Set-Cookie", arena_printf(a, "%s=%s; Path=/admin; Max-Age=%d; HttpOnly; SameSite=Strict%s", SESSION_COOKIE, tok,
	    SESSION_MAX, strncmp(site_base_url(), "https://", 8) == 0 ? "; Secure" : ""));
	resp_redirect(r, 303, local_path_ok(next) ? next : "/admin");
}

struct logout {
	const char *hash;
	long long user;
};

static int
logout_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct logout *l = arg;
	if (db_exec(c, "DELETE FROM sessions WHERE token_hash = ?", "s", l->hash) < 0)
		return -1;
	audit(c, l->user, "logout", "");
	return 0;
}

static void
logout_post(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	if (!csrf_valid(r)) {   /* signed in or not: every POST carries the form's token */
		resp_error(r, 403);
		return;
	}
	struct staff u;
	if (staff_user(r, &u) == 1) {
		struct logout l = {u.session_hash, u.id};
		if (inval_write(req_db(r), logout_tx, &l, NULL) < 0) {
			page_db_error(r);
			return;
		}
	}
	resp_header(r, "Set-Cookie", arena_printf(&r->a, "%s=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict", SESSION_COOKIE));
	resp_redirect(r, 303, "/admin/login");
}

/* ---- password ------------------------------------------------------------------- */

static void
password_form(struct req *r)
{
	admin_render(r, admin_staff(r), "admin_password.html", _("Change your password"), NULL, 200);
}

struct newpass {
	long long user;
	const char *hash, *keep;
};

static int
password_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct newpass *n = arg;
	if (db_exec(c, "UPDATE users SET password_hash = ? WHERE id = ?", "si", n->hash, n->user) != 1)
		return -1;
	/* every other session of this user ends */
	db_exec(c, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "is", n->user, n->keep);
	audit(c, n->user, "password", "");
	return 0;
}

static void
password_post(struct req *r)
{
	struct staff u = *admin_staff(r);   /* the guard checked the form's token */
	const struct edition *ed = staff_language(r);
	struct tv *f = tv_map(&r->a);
	const char *cur = req_form(r, "current"), *n1 = req_form(r, "new"), *n2 = req_form(r, "again");
	struct db_conn *c = req_db(r);
	const char *stored = NULL;
	struct db_stmt *st = db_query(c, "SELECT password_hash FROM users WHERE id = ?", "i", u.id);
	if (db_row(st))
		stored = db_atext(st, 0, &r->a);
	db_done(st);
	if (!cur || !stored || strlen(cur) > 1024 || crypto_pwhash_str_verify(stored, cur, strlen(cur)) != 0)
		tv_set_str(f, "err_current", i18n_gettext(ed->code, _("This is not your current password.")));
	else if (!n1 || utf8_chars(n1) < 10 || strlen(n1) > 1024)
		tv_set_str(f, "err_new", i18n_gettext(ed->code, _("Please choose a password of at least 10 characters.")));
	else if (!n2 || strcmp(n1, n2) != 0)
		tv_set_str(f, "err_again", i18n_gettext(ed->code, _("The two new passwords are not the same.")));
	else {
		char hash[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(hash, n1, strlen(n1), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			resp_error(r, 503);
			return;
		}
		struct newpass np = {u.id, hash, u.session_hash};
		if (inval_write(c, password_tx, &np, NULL) < 0) {
			page_db_error(r);
			return;
		}
		tv_set_bool(f, "done", true);
		admin_render(r, &u, "admin_password.html", _("Change your password"), f, 200);
		return;
	}
	tv_set_str(f, "error", i18n_gettext(ed->code, _("Please correct the marked fields.")));
	admin_render(r, &u, "admin_password.html", _("Change your password"), f, 422);
}

/* ---- a forgotten password ----------------------------------------------------- */

#define RESET_SECONDS 3600
#define RESETS_PER_HOUR 3

static void
reset_request_form(struct req *r)
{
	admin_render(r, NULL, "admin_reset.html", _("Forgot your password?"), NULL, 200);
}

struct reset_mail {
	long long user, now;
	const char *email, *hash, *link, *lang;
};

static int
reset_mail_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct reset_mail *m = arg;
	struct arena a = {0};
	const char *text = arena_cat(&a, i18n_gettext(m->lang, _("Someone asked to set a new password for your newsroom account.")), "\n\n",
	    i18n_gettext(m->lang, _("To choose one, open this link within an hour (it works once):")), "\n", m->link, "\n\n",
	    i18n_gettext(m->lang, _("If it was not you, ignore this email: your password stays as it is.")), "\n", NULL);
	int rc = db_exec(c, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", "siii",
		     m->hash, m->user, m->now, m->now + RESET_SECONDS) == 1 &&
		outbox_add(c, m->email, i18n_gettext(m->lang, _("A new password for the newsroom")), text, NULL, NULL, NULL) == 0 ? 0 : -1;
	if (rc == 0)
		audit(c, m->user, "password reset asked", "");
	arena_free(&a);
	return rc;
}

static void
reset_request_post(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	const struct edition *ed = staff_language(r);
	struct arena *a = &r->a;
	struct tv *f = tv_map(a);
	if (!csrf_valid(r)) {
		tv_set_str(f, "error", i18n_gettext(ed->code, _("This form has expired. Please send it again.")));
		admin_render(r, NULL, "admin_reset.html", _("Forgot your password?"), f, 403);
		return;
	}
	const char *in = req_form(r, "email");
	char *email = arena_strdup(a, text_clean(a, in ? in : "", false));
	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	struct db_conn *c = req_db(r);
	long long now = now_s();
	long long user = db_int1(c, 0, "SELECT id FROM users WHERE email = ? AND disabled = 0", "s", email);
	/* the same answer whether or not there is such an account */
	if (user && db_int1(c, 0, "SELECT count(*) FROM password_resets WHERE user_id = ? AND created_at > ?", "ii", user, now - 3600) <
	    RESETS_PER_HOUR) {
		char tok[65];
		random_hex(tok, 32);
		struct reset_mail m = {user, now, email, site_mac_hex(a, "reset", tok, 64),
		    arena_cat(a, site_base_url(), "/admin/reset/", tok, NULL), ed->code};
		if (inval_write(c, reset_mail_tx, &m, NULL) < 0) {
			page_db_error(r);
			return;
		}
	}
	tv_set_bool(f, "sent", true);
	tv_set_str(f, "email", email);
	admin_render(r, NULL, "admin_reset.html", _("Forgot your password?"), f, 200);
}

/* The account a reset link opens, or 0 (used, expired, unknown). */
static long long
reset_user(struct req *r, const char *tok, const char **hash)
{
	if (!tok || strlen(tok) != 64 || strspn(tok, "0123456789abcdef") != 64)
		return 0;
	*hash = site_mac_hex(&r->a, "reset", tok, 64);
	return db_int1(req_db(r), 0, "SELECT user_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
	    "si", *hash, now_s());
}

static void
reset_form(struct req *r)
{
	const char *hash;
	struct tv *f = tv_map(&r->a);
	tv_set_str(f, "action", arena_cat(&r->a, "/admin/reset/", r->params[0], NULL));
	if (!reset_user(r, r->params[0], &hash)) {
		tv_set_bool(f, "gone", true);
		admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 410);
		return;
	}
	admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 200);
}

struct reset_done {
	long long user;
	const char *hash, *pwhash;
};

static int
reset_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;   /* staff pages are never cached */
	struct reset_done *d = arg;
	/* once only: the conditional update decides between two racing uses */
	if (db_exec(c, "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", "is", now_s(), d->hash) != 1 ||
	    db_exec(c, "UPDATE users SET password_hash = ? WHERE id = ?", "si", d->pwhash, d->user) != 1 ||
	    db_exec(c, "DELETE FROM sessions WHERE user_id = ?", "i", d->user) < 0)
		return -1;
	audit(c, d->user, "password reset", "");
	return 0;
}

static void
reset_post(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	const struct edition *ed = staff_language(r);
	const char *hash;
	struct tv *f = tv_map(&r->a);
	tv_set_str(f, "action", arena_cat(&r->a, "/admin/reset/", r->params[0], NULL));
	long long user = reset_user(r, r->params[0], &hash);
	if (!user) {
		tv_set_bool(f, "gone", true);
		admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 410);
		return;
	}
	if (!csrf_valid(r)) {
		tv_set_str(f, "error", i18n_gettext(ed->code, _("This form has expired. Please send it again.")));
		admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 403);
		return;
	}
	const char *n1 = req_form(r, "new"), *n2 = req_form(r, "again");
	if (!n1 || utf8_chars(n1) < 10 || strlen(n1) > 1024)
		tv_set_str(f, "err_new", i18n_gettext(ed->code, _("Please choose a password of at least 10 characters.")));
	else if (!n2 || strcmp(n1, n2) != 0)
		tv_set_str(f, "err_again", i18n_gettext(ed->code, _("The two new passwords are not the same.")));
	else {
		char pw[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(pw, n1, strlen(n1), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			resp_error(r, 503);
			return;
		}
		struct reset_done d = {user, hash, pw};
		if (inval_write(req_db(r), reset_tx, &d, NULL) < 0) {
			tv_set_bool(f, "gone", true);   /* used a moment ago by another request */
			admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 410);
			return;
		}
		tv_set_bool(f, "done", true);
		admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 200);
		return;
	}
	tv_set_str(f, "error", i18n_gettext(ed->code, _("Please correct the marked fields.")));
	admin_render(r, NULL, "admin_newpass.html", _("Choose a new password"), f, 422);
}

const struct route auth_routes[] = {
	{HTTP_GET, "/admin/login", login_form, NULL},
	{HTTP_POST, "/admin/login", login_post, NULL, ROUTE_COSTLY},   /* a password hash on purpose slow */
	{HTTP_POST, "/admin/logout", logout_post, NULL},
	{HTTP_GET, "/admin/password", password_form, "staff"},
	{HTTP_GET, "/admin/reset", reset_request_form, NULL},
	{HTTP_POST, "/admin/reset", reset_request_post, NULL, ROUTE_COSTLY},
	{HTTP_GET, "/admin/reset/{token}", reset_form, NULL},
	{HTTP_POST, "/admin/reset/{token}", reset_post, NULL, ROUTE_COSTLY},
	{HTTP_POST, "/admin/password", password_post, "staff"},
	{0, NULL, NULL, NULL},
};
