/* theme.h: a loaded theme, i.e. its parsed templates and its static files
 * held in memory with content hashes. The current theme is swapped
 * atomically on reload (SIGHUP, or every request in --dev); requests hold
 * a reference so a reload never frees a theme in use. */
#ifndef GZ_THEME_H
#define GZ_THEME_H
#include "tmpl.h"
#include <stddef.h>

struct static_file {
	const char *path;          /* "css/site.css" */
	const char *data;
	size_t len;
	const char *type;          /* Content-Type */
	char etag[24];             /* "\"<16 hex>\"" */
	char version[12];          /* 8 hex, used in ?v= */
};

struct theme {
	struct tmpl_set *tmpl;
	struct static_file *files;
	size_t nfiles;
	int refs;
};

/* Loads DIR/templates and DIR/static. NULL with "FILE:LINE: why" in err. */
struct theme *theme_load(const char *dir, char *err, size_t errlen);
/* Makes t the current theme (takes its reference). */
void theme_install(struct theme *t);
struct theme *theme_acquire(void);
void theme_release(struct theme *t);
const struct static_file *theme_file(const struct theme *t, const char *path);
/* "/static/css/site.css?v=1a2b3c4d" for the current theme, per thread. */
const char *theme_asset_url(const char *path);
void theme_set_current_for_thread(struct theme *t);

#endif
