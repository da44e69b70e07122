/* test_router.c: route matching, captures, 404/405 and the slash redirect. */
#include <criterion/criterion.h>
#include <string.h>
#include "router.h"

static void h_front(struct req *r) { (void)r; }
static void h_article(struct req *r) { (void)r; }
static void h_tag(struct req *r) { (void)r; }
static void h_post(struct req *r) { (void)r; }

static const struct route routes[] = {
	{HTTP_GET, "/{edition}/", h_front, NULL},
	{HTTP_GET, "/{edition}/{year}/{month}/{slug}", h_article, NULL},
	{HTTP_GET, "/{edition}/tag/{slug}", h_tag, NULL},
	{HTTP_POST, "/{edition}/comment", h_post, NULL},
	{0, NULL, NULL, NULL},
};

static struct req r;

static handler_fn
match(int method, const char *path, int *status, const char **loc)
{
	(void)loc;
	arena_free(&r.a);
	memset(&r, 0, sizeof r);
	arena_init(&r.a, 1024);
	r.method = method;
	r.path = path;
	*status = 0;
	*loc = NULL;
	const struct route *rt = router_match(&r, status);
	return rt ? rt->handler : NULL;
}

static void setup(void) { router_reset(); router_add(routes); }
static void teardown(void) { arena_free(&r.a); router_reset(); }
TestSuite(router, .init = setup, .fini = teardown);

Test(router, captures)
{
	int st;
	const char *loc;
	cr_assert_eq(match(HTTP_GET, "/pt/2025/03/a-b", &st, &loc), h_article);
	cr_assert_eq(r.nparams, 4);
	cr_assert_str_eq(r.params[0], "pt");
	cr_assert_str_eq(r.params[3], "a-b");
	cr_assert_eq(match(HTTP_GET, "/es/", &st, &loc), h_front);
	cr_assert_str_eq(r.params[0], "es");
	cr_assert_eq(match(HTTP_GET, "/es/tag/eeuu", &st, &loc), h_tag);
	cr_assert_str_eq(r.params[1], "eeuu");
}

Test(router, head_is_get)
{
	int st;
	const char *loc;
	cr_assert_eq(match(HTTP_HEAD, "/es/tag/x", &st, &loc), h_tag);
}

Test(router, not_found_and_wrong_method)
{
	int st;
	const char *loc;
	cr_assert_null(match(HTTP_GET, "/es/tag/", &st, &loc));   /* empty capture */
	cr_assert_eq(st, 404);
	cr_assert_null(match(HTTP_GET, "/es/x/y/z/w", &st, &loc));
	cr_assert_eq(st, 404);
	cr_assert_null(match(HTTP_POST, "/es/tag/x", &st, &loc));
	cr_assert_eq(st, 405);
	cr_assert_null(match(HTTP_GET, "/es/comment", &st, &loc));
	cr_assert_eq(st, 405);
	cr_assert_eq(match(HTTP_POST, "/es/comment", &st, &loc), h_post);
}

Test(router, trailing_slash_is_significant)
{
	int st;
	const char *loc;
	cr_assert_null(match(HTTP_GET, "/pt", &st, &loc));
	cr_assert_eq(st, 404);
	cr_assert_null(match(HTTP_GET, "/pt/tag/x/", &st, &loc));
	cr_assert_eq(st, 404);
}

static void h_page(struct req *q) { (void)q; }
static const struct route last[] = {
	{HTTP_GET, "/{edition}/{*path}", h_page, NULL},
	{0, NULL, NULL, NULL},
};

Test(router, rest_capture_comes_last_and_takes_slashes)
{
	int st;
	const char *loc;
	router_add(last);
	cr_assert_eq(match(HTTP_GET, "/en/about/team/history/more", &st, &loc), h_page);
	cr_assert_eq(r.nparams, 2);
	cr_assert_str_eq(r.params[0], "en");
	cr_assert_str_eq(r.params[1], "about/team/history/more");
	cr_assert_eq(match(HTTP_GET, "/en/about/", &st, &loc), h_page);
	cr_assert_str_eq(r.params[1], "about/");
	/* the earlier tables still win */
	cr_assert_eq(match(HTTP_GET, "/en/tag/x", &st, &loc), h_tag);
	cr_assert_eq(match(HTTP_GET, "/en/2025/03/a", &st, &loc), h_article);
	/* never empty */
	cr_assert_eq(match(HTTP_GET, "/en/", &st, &loc), h_front);
	cr_assert_null(match(HTTP_GET, "/en", &st, &loc));
	cr_assert_eq(st, 404);
}

Test(router, matched_once_per_request)
{
	/* core/http may match a request to choose its thread; the dispatch
	 * after it gets the same route and captures, not a second match */
	int st;
	const char *loc;
	cr_assert_eq(match(HTTP_GET, "/pt/tag/x", &st, &loc), h_tag);
	r.path = "/pt/";
	const struct route *rt = router_match(&r, &st);
	cr_assert_eq(rt->handler, h_tag);
	cr_assert_str_eq(r.params[1], "x");
	cr_assert_eq(match(HTTP_POST, "/pt/tag/x", &st, &loc), NULL);
	cr_assert_eq(st, 405);
	cr_assert_eq(router_match(&r, &st), NULL);
	cr_assert_eq(st, 405);
}
