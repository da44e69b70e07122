/* router.c: linear matching of the registered route tables, segment by
 * segment. A news site has a few dozen routes; a linear scan over
 * pre-split patterns costs well under a microsecond. */
#include "router.h"
#include <string.h>

#define MAX_TABLES 32
static const struct route *tables[MAX_TABLES];
static int ntables;

void
router_add(const struct route *t)
{
	if (ntables < MAX_TABLES)
		tables[ntables++] = t;
}

void
router_reset(void)
{
	ntables = 0;
}

/* Matches path against pattern; captures go to r->params (arena copies). */
static bool
match(struct req *r, const char *pat, const char *path, bool fill)
{
	int np = 0;
	const char *p = pat, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '*') {
			/* "{*rest}" ends a pattern and takes the rest of the path */
			const char *pe = strchr(p, '}');
			if (!pe || pe[1] != '\0' || np == REQ_MAX_PARAMS)
				return false;
			if (fill) {
				r->params[np] = arena_strdup(&r->a, s);
				r->nparams = np + 1;
			}
			return true;
		}
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!pe)
				return false;
			if (!se)
				se = s + strlen(s);
			if (se == s || np == REQ_MAX_PARAMS)
				return false;   /* captures are never empty */
			if (fill)
				r->params[np] = arena_strndup(&r->a, s, (size_t)(se - s));
			np++;
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (fill)
		r->nparams = np;
	return true;
}

static const struct route *
find(struct req *r, int *status)
{
	bool path_found = false;
	int m = r->method == HTTP_HEAD ? HTTP_GET | HTTP_HEAD : r->method;
	for (int t = 0; t < ntables; t++) {
		for (const struct route *rt = tables[t]; rt->pattern; rt++) {
			if (!match(r, rt->pattern, r->path, false))
				continue;
			if (rt->methods & m) {
				match(r, rt->pattern, r->path, true);
				r->route = rt->pattern;
				return rt;
			}
			path_found = true;
		}
	}
	*status = path_found ? 405 : 404;
	return NULL;
}

const struct route *
router_match(struct req *r, int *status)
{
	if (!r->match_done) {   /* once: core/http may have asked, to choose where it renders */
		r->match_done = true;
		r->matched = find(r, &r->match_status);
	}
	*status = r->match_status;
	return r->matched;
}

void
router_each(void (*fn)(const struct route *rt, void *arg), void *arg)
{
	for (int t = 0; t < ntables; t++)
		for (const struct route *rt = tables[t]; rt->pattern; rt++)
			fn(rt, arg);
}
