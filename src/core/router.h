/* router.h: maps method + path to a handler. Each feature declares one
 * table of routes next to its handlers; main registers the tables.
 * A pattern is a path whose segments are literals or {name} captures;
 * a final "/" means the path must end in "/" (a front page, a section);
 * a final "{*name}" takes the rest of the path, slashes and all (never
 * empty). The first matching route of the first table wins. */
#ifndef GZ_ROUTER_H
#define GZ_ROUTER_H
#include "http.h"

struct route {
	int methods;            /* HTTP_GET | HTTP_HEAD | HTTP_POST */
	const char *pattern;    /* "/{edition}/tag/{slug}" */
	handler_fn handler;
	const char *guard;      /* NULL: public; else what the caller must hold
	                           (the application checks it before the handler) */
	unsigned flags;         /* ROUTE_COSTLY: within the costly routes' budget (core/limits);
	                           ROUTE_QUICK: a reader page that renders in well under a
	                           millisecond, which an I/O thread may render itself (core/http) */
};
#define ROUTE_COSTLY 1u
#define ROUTE_QUICK 2u

void router_add(const struct route *table);   /* ends with {0} */
void router_reset(void);
/* Finds the handler for r->method and r->path and fills r->params.
 * Returns the route; NULL with *status = 404 (no such path) or 405
 * (path exists, method does not). */
const struct route *router_match(struct req *r, int *status);
/* Calls fn for every registered route, in matching order. */
void router_each(void (*fn)(const struct route *rt, void *arg), void *arg);

#endif
