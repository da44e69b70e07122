/* theme.c: loading a theme directory (templates + static files), and the
 * reference-counted "current theme" that requests borrow. */
#include "theme.h"
#include "buf.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct theme *current;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static __thread struct theme *thread_theme;
static __thread char asset_buf[512];

static const char *
mime_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"},
		{".webp", "image/webp"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
		{".json", "application/json"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int
load_static(struct theme *t, const char *root, const char *rel, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", root, rel);
	DIR *d = opendir(dir);
	if (!d)
		return *rel ? -1 : 0;  /* a theme may have no static folder */
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char relpath[2048], full[4096 + 2048];
		snprintf(relpath, sizeof relpath, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof full, "%s/%s", root, relpath);
		struct stat st;
		if (stat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = load_static(t, root, relpath, err, errlen);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		FILE *f = fopen(full, "rb");
		if (!f) {
			snprintf(err, errlen, "%s: %s", full, strerror(errno));
			rc = -1;
			break;
		}
		struct buf b = {0};
		char chunk[16384];
		size_t r;
		while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_raw(&b, chunk, r);
		fclose(f);
		t->files = xrealloc(t->files, (t->nfiles + 1) * sizeof *t->files);
		struct static_file *sf = &t->files[t->nfiles++];
		sf->path = xstrdup(relpath);
		sf->len = b.len;
		sf->data = buf_detach(&b, NULL);
		sf->type = mime_type(relpath);
		unsigned char h[8];
		crypto_generichash(h, sizeof h, (const unsigned char *)sf->data, sf->len, NULL, 0);
		char hex[17];
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		snprintf(sf->etag, sizeof sf->etag, "\"%s\"", hex);
		snprintf(sf->version, sizeof sf->version, "%.8s", hex);
	}
	closedir(d);
	return rc;
}

static void
theme_free(struct theme *t)
{
	tmpl_set_free(t->tmpl);
	for (size_t i = 0; i < t->nfiles; i++) {
		free((char *)t->files[i].path);
		free((char *)t->files[i].data);
	}
	free(t->files);
	free(t);
}

struct theme *
theme_load(const char *dir, char *err, size_t errlen)
{
	struct theme *t = xcalloc(1, sizeof *t);
	t->refs = 1;
	if (!(t->tmpl = tmpl_load(dir, err, errlen))) {
		theme_free(t);
		return NULL;
	}
	char sdir[4096];
	snprintf(sdir, sizeof sdir, "%s/static", dir);
	if (load_static(t, sdir, "", err, errlen) < 0) {
		theme_free(t);
		return NULL;
	}
	return t;
}

void
theme_install(struct theme *t)
{
	pthread_mutex_lock(&mu);
	struct theme *old = current;
	current = t;
	pthread_mutex_unlock(&mu);
	if (old)
		theme_release(old);
}

struct theme *
theme_acquire(void)
{
	pthread_mutex_lock(&mu);
	struct theme *t = current;
	if (t)
		t->refs++;
	pthread_mutex_unlock(&mu);
	return t;
}

void
theme_release(struct theme *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&mu);
	int left = --t->refs;
	pthread_mutex_unlock(&mu);
	if (left == 0)
		theme_free(t);
}

const struct static_file *
theme_file(const struct theme *t, const char *path)
{
	for (size_t i = 0; t && i < t->nfiles; i++)
		if (strcmp(t->files[i].path, path) == 0)
			return &t->files[i];
	return NULL;
}

void
theme_set_current_for_thread(struct theme *t)
{
	thread_theme = t;
}

const char *
theme_asset_url(const char *path)
{
	const struct static_file *f = theme_file(thread_theme, path);
	snprintf(asset_buf, sizeof asset_buf, "/static/%s%s%s", path, f ? "?v=" : "", f ? f->version : "");
	return asset_buf;
}
