/* auth_totp.c: the optional second factor of staff accounts: setting up
 * an authenticator app (a QR code of the otpauth:// address, confirmed by
 * a first code), turning it off (with a code), and the second step of
 * signing in. The secret is sealed (libsodium secretbox) under a key made
 * from the site secret; a code is good once (users.totp_last). Between
 * the password and the code, the browser holds a pending sign-in: a
 * cookie of the user id and an expiry under the site's MAC, five minutes,
 * Path=/admin/login. Wrong codes count as failed sign-ins. */
#include "admin.h"
#include "core/qr.h"
#include "core/text.h"
#include "core/totp.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PENDING_COOKIE "gz_2fa"
#define PENDING_SECONDS 300
#define SECRET_BYTES 20
#define CODE_FAILS 5
#define CODE_WINDOW (15 * 60)

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static void
seal_key(unsigned char key[crypto_secretbox_KEYBYTES])
{
	site_mac("totp-seal", "", 0, key);
}

static const char *
seal(struct arena *a, const unsigned char *secret, size_t n)
{
	unsigned char key[crypto_secretbox_KEYBYTES], box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SECRET_BYTES];
	seal_key(key);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, n, box, key);
	sodium_memzero(key, sizeof key);
	char *hex = arena_alloc(a, sizeof box * 2 + 1);
	sodium_bin2hex(hex, sizeof box * 2 + 1, box, sizeof box);
	return hex;
}

static bool
unseal(const char *hex, unsigned char secret[SECRET_BYTES])
{
	unsigned char key[crypto_secretbox_KEYBYTES], box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SECRET_BYTES];
	size_t n = 0;
	if (!hex || sodium_hex2bin(box, sizeof box, hex, strlen(hex), NULL, &n, NULL) != 0 || n != sizeof box)
		return false;
	seal_key(key);
	bool ok = crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES, sizeof box - crypto_secretbox_NONCEBYTES, box,
	    key) == 0;
	sodium_memzero(key, sizeof key);
	return ok;
}

/* The digits of a typed code ("123 456" as an app shows it), at most seven:
 * totp_verify refuses anything but six. */
static void
code_digits(const char *code, char out[8])
{
	size_t o = 0;
	for (const char *p = code ? code : ""; *p && o < 7; p++)
		if (*p >= '0' && *p <= '9')
			out[o++] = *p;
	out[o] = 0;
}

/* ---- the pending sign-in ---------------------------------------------------------- */

void
totp_pending(struct req *r, long long user, const char *next)
{
	struct arena *a = &r->a;
	const char *payload = arena_printf(a, "%lld.%lld", user, now_s() + PENDING_SECONDS);
	const char *v = arena_printf(a, "%s.%s", payload, site_mac_hex(a, "totp-pending", payload, 64));
	resp_header(r, "Set-Cookie", arena_printf(a, "%s=%s; Path=/admin/login; Max-Age=%d; HttpOnly; SameSite=Strict%s", PENDING_COOKIE, v,
	    PENDING_SECONDS, strncmp(site_base_url(), "https://", 8) == 0 ? "; Secure" : ""));
	struct buf b = {0};
	buf_puts(&b, "/admin/login/code");
	if (local_path_ok(next)) {
		buf_puts(&b, "?next=");
		buf_esc_urlpart(&b, next, strlen(next));
	}
	resp_redirect(r, 303, arena_strndup(a, b.s, b.len));
	buf_free(&b);
}

/* The user of a valid pending sign-in, or 0. */
static long long
pending_user(struct req *r)
{
	const char *v = req_cookie(r, PENDING_COOKIE);
	const char *dot = v ? strrchr(v, '.') : NULL;
	if (!dot || strlen(dot + 1) != 64)
		return 0;
	const char *payload = arena_strndup(&r->a, v, (size_t)(dot - v));
	const char *want = site_mac_hex(&r->a, "totp-pending", payload, 64);
	if (sodium_memcmp(want, dot + 1, 64) != 0)
		return 0;
	long long user = 0, expires = 0;
	if (sscanf(payload, "%lld.%lld", &user, &expires) != 2 || expires < now_s())
		return 0;
	return user;
}

static void
code_render(struct req *r, struct tv *f, int status)
{
	const char *next = req_query(r, "next");
	if (!next)
		next = req_form(r, "next");
	if (local_path_ok(next))
		tv_set_str(f, "next", next);
	admin_render(r, NULL, "admin_login_code.html", _("Sign in"), f, status);
}

static void
code_form(struct req *r)
{
	if (!pending_user(r)) {
		resp_redirect(r, 303, "/admin/login");
		return;
	}
	code_render(r, tv_map(&r->a), 200);
}

struct code_use {
	long long user, step, now;
	const char *account_key, *ip_key;
};

static int
code_used_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	struct code_use *u = arg;
	/* conditional: the same code sent twice at once signs in once */
	return (int)db_exec(c, "UPDATE users SET totp_last = ? WHERE id = ? AND totp_last < ?", "iii", u->step, u->user, u->step);
}

static int
code_failed_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	struct code_use *u = arg;
	return db_exec(c, "INSERT INTO login_failures (key_hash, at) VALUES (?, ?), (?, ?)", "sisi", u->account_key, u->now, u->ip_key,
		   u->now) == 2 ? 0 : -1;
}

static void
code_post(struct req *r)
{
	int fst = req_form_parse(r);
	if (fst) {
		resp_error(r, fst);
		return;
	}
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *lang = admin_edition(r)->code;
	struct tv *f = tv_map(a);
	long long user = pending_user(r);
	if (!user || !csrf_valid(r)) {
		tv_set_str(f, "error", i18n_gettext(lang, _("This form has expired. Please sign in again.")));
		code_render(r, f, 403);
		return;
	}
	struct code_use u = {user, 0, now_s(), site_mac_hex(a, "totp-account", arena_printf(a, "%lld", user), 32),
		site_mac_hex(a, "login-ip", req_client_ip(r), 32)};
	if (db_int1(c, 0, "SELECT count(*) FROM login_failures WHERE key_hash = ? AND at > ?", "si", u.account_key, u.now - CODE_WINDOW) >=
	    CODE_FAILS) {
		resp_header(r, "Retry-After", arena_printf(a, "%d", CODE_WINDOW));
		tv_set_str(f, "error", i18n_gettext(lang, _("Too many wrong codes. Please wait a quarter of an hour and sign in again.")));
		code_render(r, f, 429);
		return;
	}
	const char *sealed = NULL, *code = req_form(r, "code");
	long long last = 0;
	struct db_stmt *st = db_query(c, "SELECT totp_secret, totp_last FROM users WHERE id = ? AND totp_on = 1 AND disabled = 0", "i", user);
	if (db_row(st)) {
		sealed = db_atext(st, 0, a);
		last = db_int(st, 1);
	}
	db_done(st);
	unsigned char secret[SECRET_BYTES];
	char digits[8];
	code_digits(code, digits);
	u.step = sealed && unseal(sealed, secret) ? totp_verify(secret, SECRET_BYTES, digits, u.now, last) : -1;
	sodium_memzero(secret, sizeof secret);
	if (u.step < 0 || inval_write(c, code_used_tx, &u, NULL) != 1) {
		inval_write(c, code_failed_tx, &u, NULL);
		tv_set_str(f, "error", i18n_gettext(lang, _("This code is not right, or it was used already. Please type the code your app shows now.")));
		code_render(r, f, 401);
		return;
	}
	resp_header(r, "Set-Cookie", PENDING_COOKIE "=; Path=/admin/login; Max-Age=0; HttpOnly; SameSite=Strict");
	staff_session_start(r, user, req_form(r, "next"));
}

/* ---- setting it up ------------------------------------------------------------------- */

struct setup {
	long long user, step;
	const char *sealed, *action;
};

static int
setup_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	(void)iv;
	struct setup *s = arg;
	if (strcmp(s->action, "pending") == 0)
		return db_exec(c, "UPDATE users SET totp_secret = ? WHERE id = ? AND totp_on = 0", "si", s->sealed, s->user) == 1 ? 0 : -1;
	if (strcmp(s->action, "on") == 0) {
		if (db_exec(c, "UPDATE users SET totp_on = 1, totp_last = ? WHERE id = ? AND totp_on = 0", "ii", s->step, s->user) != 1)
			return -1;
		audit(c, s->user, "totp.on", "");
		return 0;
	}
	if (db_exec(c, "UPDATE users SET totp_on = 0, totp_secret = '', totp_last = 0 WHERE id = ?", "i", s->user) != 1)
		return -1;
	audit(c, s->user, "totp.off", "");
	return 0;
}

static void
setup_render(struct req *r, struct tv *f, int status)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *sealed = "";
	bool on = false;
	struct db_stmt *st = db_query(c, "SELECT totp_secret, totp_on FROM users WHERE id = ?", "i", u->id);
	if (db_row(st)) {
		sealed = db_atext(st, 0, a);
		on = db_int(st, 1) != 0;
	}
	db_done(st);
	tv_set_bool(f, "on", on);
	if (!on) {
		unsigned char secret[SECRET_BYTES];
		if (!unseal(sealed, secret)) {
			/* a new secret, kept pending until a first code confirms it */
			randombytes_buf(secret, sizeof secret);
			struct setup s = {u->id, 0, seal(a, secret, sizeof secret), "pending"};
			if (inval_write(c, setup_tx, &s, NULL) < 0) {
				page_db_error(r);
				return;
			}
		}
		char b32[40];
		base32_encode(secret, sizeof secret, b32);
		sodium_memzero(secret, sizeof secret);
		struct buf uri = {0};
		buf_puts(&uri, "otpauth://totp/Gazette:");
		buf_esc_urlpart(&uri, u->email, strlen(u->email));
		buf_printf(&uri, "?secret=%s&issuer=Gazette&digits=6&period=%d", b32, TOTP_STEP);
		struct buf svg = {0};
		if (qr_svg(&svg, arena_strndup(a, uri.s, uri.len), i18n_gettext(admin_edition(r)->code, _("QR code to scan with an authenticator app"))) == 0)
			tv_set(f, "qr", tv_html(a, arena_strndup(a, svg.s, svg.len), svg.len));   /* made by core/qr */
		buf_free(&svg);
		buf_free(&uri);
		/* the key in groups of four, for typing */
		struct buf grouped = {0};
		for (size_t i = 0; b32[i]; i++) {
			if (i && i % 4 == 0)
				buf_putc(&grouped, ' ');
			buf_putc(&grouped, b32[i]);
		}
		tv_set_str(f, "key", arena_strndup(a, grouped.s, grouped.len));
		buf_free(&grouped);
	}
	admin_render(r, u, "admin_totp.html", _("Two-step sign-in"), f, status);
}

static void
setup_page(struct req *r)
{
	struct tv *f = tv_map(&r->a);
	const char *done = req_query(r, "done");
	if (done && (strcmp(done, "on") == 0 || strcmp(done, "off") == 0))
		tv_set_str(f, "done", done);
	setup_render(r, f, 200);
}

static void
setup_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	struct db_conn *c = req_db(r);
	const char *action = req_form(r, "action"), *code = req_form(r, "code");
	if (!action || (strcmp(action, "on") != 0 && strcmp(action, "off") != 0)) {
		resp_error(r, 400);
		return;
	}
	const char *sealed = NULL;
	long long last = 0;
	bool on = false;
	struct db_stmt *st = db_query(c, "SELECT totp_secret, totp_last, totp_on FROM users WHERE id = ?", "i", u->id);
	if (db_row(st)) {
		sealed = db_atext(st, 0, a);
		last = db_int(st, 1);
		on = db_int(st, 2) != 0;
	}
	db_done(st);
	if (on != (strcmp(action, "off") == 0)) {
		resp_redirect(r, 303, "/admin/totp");   /* already so */
		return;
	}
	unsigned char secret[SECRET_BYTES];
	char digits[8];
	code_digits(code, digits);
	long long step = sealed && unseal(sealed, secret) ? totp_verify(secret, SECRET_BYTES, digits, now_s(), last) : -1;
	sodium_memzero(secret, sizeof secret);
	if (step < 0) {
		struct tv *f = tv_map(a);
		tv_set_str(f, "err_code", i18n_gettext(admin_edition(r)->code, _("This code is not right. Please type the code your app shows now.")));
		setup_render(r, f, 422);
		return;
	}
	struct setup s = {u->id, step, NULL, action};
	if (inval_write(c, setup_tx, &s, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/totp?done=%s", action));
}

const struct route totp_routes[] = {
	{HTTP_GET, "/admin/login/code", code_form, NULL},
	{HTTP_POST, "/admin/login/code", code_post, NULL, ROUTE_COSTLY},
	{HTTP_GET, "/admin/totp", setup_page, "staff"},
	{HTTP_POST, "/admin/totp", setup_post, "staff"},
	{0, NULL, NULL, NULL},
};
