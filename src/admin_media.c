/* admin_media.c: the media library: upload a picture (multipart; checked
 * and copied by media.c), the pictures with their alt text per edition,
 * and one picture's alt text, caption and credit per edition. A change of
 * those texts refreshes the pages that show the picture (tag m:ID). */
#include "admin.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIBRARY_PAGE 60

static void
library_page(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	struct tv *f = tv_map(a);
	struct tv *rows = tv_set_list(f, "rows");
	struct db_stmt *st = db_query(req_db(r), "SELECT m.id, m.filename, m.width, m.height, coalesce(t.alt, ''), m.created_at FROM media m "
	    "LEFT JOIN media_texts t ON t.media_id = m.id AND t.edition = ? ORDER BY m.id DESC LIMIT ?", "sd", lang, LIBRARY_PAGE);
	while (db_row(st)) {
		struct tv *m = tv_push_map(rows);
		long long id = db_int(st, 0);
		tv_set_int(m, "id", id);
		tv_set_str(m, "filename", db_atext(st, 1, a));
		tv_set_int(m, "width", db_int(st, 2));
		tv_set_int(m, "height", db_int(st, 3));
		tv_set_str(m, "alt", db_atext(st, 4, a));
		tv_set_str(m, "thumb", arena_printf(a, "/media/%lld/%d.webp", id, db_int(st, 2) < 480 ? (int)db_int(st, 2) : 480));
		tv_set_str(m, "when", admin_when(r, db_int(st, 5)));
	}
	if (db_done(st) < 0) {
		page_db_error(r);
		return;
	}
	const char *err = req_query(r, "error");
	if (err)
		tv_set_str(f, "error", err);
	admin_render(r, admin_staff(r), "admin_media.html", _("Pictures"), f, 200);
}

static void
upload_post(struct req *r)
{
	struct arena *a = &r->a;
	const char *lang = admin_edition(r)->code;
	const struct req_file *file = req_file(r, "file");
	struct tv *f = tv_map(a);
	tv_set_list(f, "rows");
	if (!file || !file->len) {
		tv_set_str(f, "error", i18n_gettext(lang, _("Please choose a picture to upload.")));
		admin_render(r, admin_staff(r), "admin_media.html", _("Pictures"), f, 422);
		return;
	}
	char err[256];
	long long id = media_store(req_db(r), file->data, file->len, text_clean(a, file->filename, false), admin_staff(r)->id, err,
	    sizeof err);
	if (id == MEDIA_REFUSED) {
		tv_set_str(f, "error", arena_printf(a, "%s (%s)", i18n_gettext(lang, _("This file cannot be used: only JPEG, PNG and WebP pictures of at most 40 megapixels."))
		    , err));
		admin_render(r, admin_staff(r), "admin_media.html", _("Pictures"), f, 415);
		return;
	}
	if (id < 0) {
		resp_error(r, 503);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/media/%lld", id));
}

static void
media_page(struct req *r)
{
	struct arena *a = &r->a;
	long long id = admin_id(r->params[0]);
	struct tv *f = tv_map(a);
	struct db_stmt *st = db_query(req_db(r), "SELECT id, filename, width, height, format, bytes FROM media WHERE id = ?", "i", id);
	if (!db_row(st)) {
		int e = db_done(st);
		if (e < 0)
			page_db_error(r);
		else
			resp_error(r, 404);
		return;
	}
	tv_set_int(f, "id", id);
	tv_set_str(f, "filename", db_atext(st, 1, a));
	tv_set_int(f, "width", db_int(st, 2));
	tv_set_int(f, "height", db_int(st, 3));
	tv_set_str(f, "format", db_atext(st, 4, a));
	tv_set_int(f, "bytes", db_int(st, 5));
	tv_set_str(f, "preview", arena_printf(a, "/media/%lld/%d.webp", id, db_int(st, 2) < 960 ? (int)db_int(st, 2) : 960));
	db_done(st);
	struct tv *eds = tv_set_list(f, "editions");
	for (int e = 0; e < edition_count(); e++) {
		struct tv *m = tv_push_map(eds);
		tv_set_str(m, "code", edition_at(e)->code);
		tv_set_str(m, "edition", edition_at(e)->name);
		st = db_query(req_db(r), "SELECT alt, caption, credit FROM media_texts WHERE media_id = ? AND edition = ?", "is", id,
		    edition_at(e)->code);
		if (db_row(st)) {
			tv_set_str(m, "alt", db_atext(st, 0, a));
			tv_set_str(m, "caption", db_atext(st, 1, a));
			tv_set_str(m, "credit", db_atext(st, 2, a));
		}
		db_done(st);
	}
	if (req_query(r, "saved"))
		tv_set_bool(f, "saved", true);
	admin_render(r, admin_staff(r), "admin_medium.html", _("Picture"), f, 200);
}

struct texts {
	long long id, user;
	const char *alt[MAX_EDITIONS], *caption[MAX_EDITIONS], *credit[MAX_EDITIONS];
};

static int
texts_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct texts *t = arg;
	if (db_int1(c, 0, "SELECT count(*) FROM media WHERE id = ?", "i", t->id) != 1)
		return -1;
	for (int e = 0; e < edition_count(); e++)
		if (db_exec(c, "INSERT INTO media_texts (media_id, edition, alt, caption, credit) VALUES (?, ?, ?, ?, ?) "
		    "ON CONFLICT (media_id, edition) DO UPDATE SET alt = excluded.alt, caption = excluded.caption, credit = excluded.credit",
		    "issss", t->id, edition_at(e)->code, t->alt[e], t->caption[e], t->credit[e]) != 1)
			return -1;
	inval_add(iv, "m:%lld", t->id);
	struct arena a = {0};
	audit(c, t->user, "media.texts", arena_printf(&a, "picture %lld", t->id));
	arena_free(&a);
	return 0;
}

static void
texts_post(struct req *r)
{
	struct arena *a = &r->a;
	struct texts t = {admin_id(r->params[0]), admin_staff(r)->id, {0}, {0}, {0}};
	if (!t.id || db_int1(req_db(r), 0, "SELECT count(*) FROM media WHERE id = ?", "i", t.id) != 1) {
		resp_error(r, 404);
		return;
	}
	for (int e = 0; e < edition_count(); e++) {
		const char *code = edition_at(e)->code, *v;
		t.alt[e] = text_clean(a, (v = req_form(r, arena_printf(a, "alt_%s", code))) ? v : "", false);
		t.caption[e] = text_clean(a, (v = req_form(r, arena_printf(a, "caption_%s", code))) ? v : "", false);
		t.credit[e] = text_clean(a, (v = req_form(r, arena_printf(a, "credit_%s", code))) ? v : "", false);
		if (utf8_chars(t.alt[e]) > 300 || utf8_chars(t.caption[e]) > 500 || utf8_chars(t.credit[e]) > 200) {
			resp_error(r, 422);
			return;
		}
	}
	if (inval_write(req_db(r), texts_tx, &t, NULL) < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/media/%lld?saved=1", t.id));
}

/* Uploads may be large; every other request keeps the 1 MiB bound. */
size_t
site_body_limit(const char *uri)
{
	return uri && strcmp(uri, "/admin/media") == 0 ? 20u << 20 : 0;
}

const struct route admin_media_routes[] = {
	{HTTP_GET, "/admin/media", library_page, "write|translate|events"},
	{HTTP_POST, "/admin/media", upload_post, "write|translate|events"},
	{HTTP_GET, "/admin/media/{id}", media_page, "write|translate|events"},
	{HTTP_POST, "/admin/media/{id}", texts_post, "write|translate|events"},
	{0, NULL, NULL, NULL},
};
