/* test_http_uri.c: request-target decoding and validation. */
#include <criterion/criterion.h>
#include <string.h>
#include "http.h"

static struct req r;

static void
parse(const char *uri)
{
	arena_free(&r.a);
	memset(&r, 0, sizeof r);
	arena_init(&r.a, 4096);
	r.raw_uri = uri;
	req_parse_uri(&r);
}

static void done(void) { arena_free(&r.a); }

TestSuite(uri, .fini = done);

Test(uri, plain_path_and_query)
{
	parse("/en/tag/us?page=2&q=a+b%20c&flag");
	cr_assert_eq(r.bad, 0);
	cr_assert_str_eq(r.path, "/en/tag/us");
	cr_assert_str_eq(req_query(&r, "page"), "2");
	cr_assert_str_eq(req_query(&r, "q"), "a b c");
	cr_assert_str_eq(req_query(&r, "flag"), "");
	cr_assert_null(req_query(&r, "nope"));
}

Test(uri, decodes_utf8_path)
{
	parse("/pt/tag/a%C3%A7%C3%A3o");
	cr_assert_eq(r.bad, 0);
	cr_assert_str_eq(r.path, "/pt/tag/ação");
}

Test(uri, refuses_traversal)
{
	const char *bad[] = {"/../etc/passwd", "/static/../../x", "/%2e%2e/x", "/static/%2E%2E/x", "/a/./b", "/a/..",
		"/static/..%2fx", "/a\\..\\b", "//etc", "/a//b"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		parse(bad[i]);
		cr_assert_eq(r.bad, 400, "%s", bad[i]);
	}
}

Test(uri, refuses_nul_and_bad_utf8)
{
	const char *bad[] = {"/en/%00", "/en/%C3", "/en/%FF", "/en/?q=%00", "/en/?q=%E2%82", "/en/%zz", "noslash"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		parse(bad[i]);
		cr_assert_eq(r.bad, 400, "%s", bad[i]);
	}
}

Test(uri, refuses_overlong)
{
	static char big[6000];
	big[0] = '/';
	memset(big + 1, 'a', sizeof big - 2);
	parse(big);
	cr_assert_eq(r.bad, 414);
}

Test(uri, too_many_query_pairs)
{
	char q[1024] = "/?";
	for (int i = 0; i < 40; i++)
		strcat(q, "a=1&");
	parse(q);
	cr_assert_eq(r.bad, 400);
}
