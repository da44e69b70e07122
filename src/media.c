/* media.c: uploaded pictures: checking an upload by its bytes and size,
 * making the copies for screens under the media folder (ID/WIDTH.webp and
 * a JPEG or PNG of each width; never the file as sent, so no metadata
 * survives), and the <picture> of one for a page (srcset, sizes, width
 * and height against layout shift, alt text, caption and credit in the
 * page's edition). The pages of the media library are admin_media.c's. */
#include "site.h"
#include "core/image.h"
#include "core/invalidate.h"
#include "core/log.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIXELS (40LL * 1000 * 1000)
static const int widths[] = {480, 960, 1600};

static char dir[4096] = "media";

void
media_dir_set(const char *d)
{
	snprintf(dir, sizeof dir, "%s", d);
}

const char *
media_dir(void)
{
	return dir;
}

static const char *
fallback_ext(const char *format)
{
	return strcmp(format, "png") == 0 ? "png" : "jpg";
}

static int
write_file(const char *path, const void *data, size_t len)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	bool ok = fwrite(data, 1, len, f) == len;
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct store {
	const void *data;
	size_t len;
	const struct image_info *info;
	const char *filename;
	long long user, now, id;
	int list[4], n;
	bool files_failed;
};

static int
store_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct store *s = arg;
	(void)iv;
	char ws[64] = "";
	size_t o = 0;
	for (int i = 0; i < s->n; i++)
		o += (size_t)snprintf(ws + o, sizeof ws - o, "%s%d", i ? "," : "", s->list[i]);
	s->id = db_insert(c, "INSERT INTO media (format, width, height, widths, bytes, filename, user_id, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "sddsisni", s->info->format, s->info->width, s->info->height, ws,
	    (long long)s->len, s->filename, s->user, s->now);
	if (s->id <= 0)
		return -1;
	/* the copies, before the commit: a row never names files that are not there */
	char path[4200];
	snprintf(path, sizeof path, "%s/%lld", dir, s->id);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		s->files_failed = true;
		return -1;
	}
	for (int i = 0; i < s->n; i++) {
		static const char *const formats[2] = {"webp", NULL};
		for (int k = 0; k < 2; k++) {
			const char *fmt = k == 0 ? formats[0] : strcmp(s->info->format, "png") == 0 ? "png" : "jpeg";
			size_t n;
			void *out = image_resize(s->data, s->len, s->list[i], fmt, &n);
			snprintf(path, sizeof path, "%s/%lld/%d.%s", dir, s->id, s->list[i], k == 0 ? "webp" : fallback_ext(s->info->format));
			int rc = out ? write_file(path, out, n) : -1;
			image_free(out);
			if (rc < 0) {
				s->files_failed = true;
				return -1;
			}
		}
	}
	audit(c, s->user, "media.upload", s->filename);
	return 0;
}

/* The sizes to make of a picture info.width wide. */
static void
plan(struct store *s)
{
	for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
		if (widths[i] < s->info->width)
			s->list[s->n++] = widths[i];
	s->list[s->n++] = s->info->width < widths[2] ? s->info->width : widths[2];
}

void
media_discard(long long id)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%lld", dir, id);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				char f[4500];
				snprintf(f, sizeof f, "%s/%s", path, de->d_name);
				unlink(f);
			}
		closedir(d);
	}
	rmdir(path);
}

/* Checks and stores a picture: in a transaction of its own, or inside
 * the caller's (in_tx); the copies go when the row does not stay. */
static long long
store(struct db_conn *c, const void *data, size_t len, const char *filename, long long user, bool in_tx, char *err, size_t errlen)
{
	struct image_info info;
	if (image_probe(data, len, MAX_PIXELS, &info, err, errlen) < 0)
		return MEDIA_REFUSED;
	struct store s = {data, len, &info, filename, user, (long long)time(NULL), 0, {0}, 0, false};
	plan(&s);
	mkdir(dir, 0755);
	if ((in_tx ? store_tx(c, NULL, &s) : inval_write(c, store_tx, &s, NULL)) < 0) {
		if (s.id > 0)   /* the row is gone with the rollback: so are its copies */
			media_discard(s.id);
		snprintf(err, errlen, s.files_failed ? "the copies could not be written to %s" : "the picture was not saved", dir);
		if (s.files_failed)
			log_error("media: cannot write under %s", dir);
		return -1;
	}
	return s.id;
}

long long
media_store(struct db_conn *c, const void *data, size_t len, const char *filename, long long user, char *err, size_t errlen)
{
	return store(c, data, len, filename, user, false, err, errlen);
}

long long
media_store_in(struct db_conn *c, const void *data, size_t len, const char *filename, long long user, char *err, size_t errlen)
{
	return store(c, data, len, filename, user, true, err, errlen);
}

struct tv *
media_picture(struct page *p, long long id)
{
	struct req *r = p->r;
	struct arena *a = &r->a;
	page_depends(p, "m:%lld", id);
	struct db_stmt *st = db_query(req_db(r), "SELECT m.format, m.width, m.height, m.widths, coalesce(t.alt, ''), coalesce(t.caption, ''), "
	    "coalesce(t.credit, '') FROM media m LEFT JOIN media_texts t ON t.media_id = m.id AND t.edition = ? WHERE m.id = ?", "si",
	    p->ed->code, id);
	if (!db_row(st)) {
		db_done(st);
		return NULL;
	}
	struct tv *m = tv_map(a);
	const char *ext = fallback_ext(db_text(st, 0));
	long long w = db_int(st, 1), h = db_int(st, 2);
	char *list = arena_strdup(a, db_text(st, 3));
	struct buf webp = {0}, fb = {0};
	long long largest = 0;
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		long long cw = atoll(t);
		buf_printf(&webp, "%s/media/%lld/%lld.webp %lldw", webp.len ? ", " : "", id, cw, cw);
		buf_printf(&fb, "%s/media/%lld/%lld.%s %lldw", fb.len ? ", " : "", id, cw, ext, cw);
		largest = cw > largest ? cw : largest;
	}
	tv_set_str(m, "srcset_webp", arena_strndup(a, webp.s ? webp.s : "", webp.len));
	tv_set_str(m, "srcset", arena_strndup(a, fb.s ? fb.s : "", fb.len));
	buf_free(&webp);
	buf_free(&fb);
	tv_set_str(m, "src", arena_printf(a, "/media/%lld/%lld.%s", id, largest, ext));
	/* the size the copies keep: the page reserves its box before it loads */
	tv_set_int(m, "width", largest);
	tv_set_int(m, "height", w ? h * largest / w : h);
	tv_set_str(m, "alt", db_atext(st, 4, a));
	tv_set_str(m, "caption", db_atext(st, 5, a));
	tv_set_str(m, "credit", db_atext(st, 6, a));
	db_done(st);
	return m;
}
