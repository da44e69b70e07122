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

/* Connections per address (core/limits): a remote address up to its
 * limit, loopback always, a closed connection frees its place. */
#include "limits.h"
#include <arpa/inet.h>
#include <netinet/in.h>

Test(limits, connections_per_address)
{
	limits_init(2, 0.5, 3);
	struct sockaddr_in remote = {.sin_family = AF_INET}, other = remote, lo = remote;
	inet_pton(AF_INET, "203.0.113.5", &remote.sin_addr);
	inet_pton(AF_INET, "198.51.100.7", &other.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &lo.sin_addr);
	const struct sockaddr *ra = (const struct sockaddr *)&remote, *o = (const struct sockaddr *)&other, *l = (const struct sockaddr *)&lo;
	for (int i = 0; i < 3; i++) {
		cr_assert(limits_conn_admit(ra, sizeof remote));
		limits_conn_open(ra, sizeof remote);
	}
	cr_assert_not(limits_conn_admit(ra, sizeof remote), "the fourth from one address");
	cr_assert(limits_conn_admit(o, sizeof other), "another address is not held back (unless it shares the bucket by chance)");
	for (int i = 0; i < 100; i++)
		cr_assert(limits_conn_admit(l, sizeof lo), "loopback: a proxy in front, never limited");
	limits_conn_close(ra, sizeof remote);
	cr_assert(limits_conn_admit(ra, sizeof remote), "a place freed");
	unsigned long long shed, refused;
	limits_counts(&shed, &refused);
	cr_assert_geq(refused, 1);
}

Test(limits, costly_budget)
{
	limits_init(2, 0.5, 0);   /* one second of costly work per second */
	unsigned long long shed, after, refused;
	limits_counts(&shed, &refused);
	cr_assert(limits_costly_admit());
	limits_costly_done(1.5);   /* one and a half seconds just now: over */
	cr_assert_not(limits_costly_admit());
	limits_counts(&after, &refused);
	cr_assert_eq(after, shed + 1);
	limits_init(2, 0, 0);      /* 0: no limit */
	limits_costly_done(100);
	cr_assert(limits_costly_admit());
}
