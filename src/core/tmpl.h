/* tmpl.h: the template engine. Templates are parsed once into node trees
 * (at start, on SIGHUP, or per request in --dev); rendering walks the tree
 * over a tree of values (struct tv) that a handler builds in its arena.
 *
 * Syntax, in a theme's templates/NAME.html:
 *   {{ expr }}            output, escaped for where it stands: element text,
 *                         quoted attribute, URL attribute (href, src, action…)
 *                         or a <script type="application/ld+json"> block
 *   {{{ expr }}}          raw output: only values marked as HTML that Gazette
 *                         produced or sanitized (tv_html); anything else is escaped
 *   {% if expr %} {% elif expr %} {% else %} {% end %}
 *   {% for x in expr %} … {% else %} … {% end %}   (loop.index, loop.first, loop.last)
 *   {% include "name.html" %}
 *   {# comment #}
 * expr:  path (a.b.c) | "string" | 123 | _ "UI text" | asset "css/x.css"
 *        followed by filters: | date "long" | plural "{0,plural,one{# x} other{# xs}}" …
 *        and at most one comparison: expr == expr, expr != expr; `not expr`. */
#ifndef GZ_TMPL_H
#define GZ_TMPL_H
#include "arena.h"
#include "buf.h"
#include <stdbool.h>

enum tv_type { TV_NULL, TV_STR, TV_HTML, TV_INT, TV_BOOL, TV_LIST, TV_MAP };

struct tv_entry;
struct tv {
	enum tv_type t;
	union {
		struct { const char *s; size_t n; } str;   /* TV_STR, TV_HTML */
		long long i;                                /* TV_INT */
		bool b;                                     /* TV_BOOL */
		struct { struct tv **items; size_t n, cap; } list;
		struct { struct tv_entry *head; } map;       /* newest first */
	} u;
	struct arena *a;   /* owner, for lists and maps that grow */
};

/* Value builders; strings are referenced, not copied: keep them in the
 * same arena (or static). */
struct tv *tv_map(struct arena *a);
struct tv *tv_list(struct arena *a);
struct tv *tv_str(struct arena *a, const char *s);
struct tv *tv_strn(struct arena *a, const char *s, size_t n);
struct tv *tv_html(struct arena *a, const char *s, size_t n);
struct tv *tv_int(struct arena *a, long long i);
struct tv *tv_bool(struct arena *a, bool b);
void tv_set(struct tv *map, const char *key, struct tv *v);
struct tv *tv_set_map(struct tv *map, const char *key);          /* returns the new child map */
struct tv *tv_set_list(struct tv *map, const char *key);         /* returns the new child list */
void tv_set_str(struct tv *map, const char *key, const char *s); /* NULL sets null */
void tv_set_int(struct tv *map, const char *key, long long i);
void tv_set_bool(struct tv *map, const char *key, bool b);
void tv_push(struct tv *list, struct tv *v);
struct tv *tv_push_map(struct tv *list);                          /* returns the new map */
struct tv *tv_get(const struct tv *map, const char *key);         /* NULL when absent */
const char *tv_get_str(const struct tv *map, const char *key);    /* NULL unless a string */

struct tmpl_set;

/* What rendering needs from the outside world (i18n, assets); set by the
 * caller per render. */
struct tmpl_env {
	const char *lang;      /* catalog language, e.g. "pt" */
	const char *locale;    /* ICU locale for dates and numbers, e.g. "pt_BR" */
	const char *(*asset_url)(const char *path);  /* static file → URL with version */
};

/* Loads every *.html under dir/templates. On error returns NULL and writes
 * "FILE:LINE: message" into err. */
struct tmpl_set *tmpl_load(const char *dir, char *err, size_t errlen);
void tmpl_set_free(struct tmpl_set *set);
/* Renders template name into out. Returns 0, or -1 (unknown template). */
int tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *root,
    const struct tmpl_env *env, struct arena *a, struct buf *out);

/* Parses one template from memory (for tests and tools). */
struct tmpl_set *tmpl_parse_string(const char *name, const char *src, char *err, size_t errlen);
/* Adds another named template to a set (for tests of include). */
int tmpl_add_string(struct tmpl_set *set, const char *name, const char *src, char *err, size_t errlen);

#endif
