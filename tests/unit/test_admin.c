/* test_admin.c: the admin's pieces that need no server: role rights and
 * route guards, the line diff behind the revision view, view counting and
 * robot detection, and wall-clock time in a zone. */
#include <criterion/criterion.h>
#include <string.h>
#include "admin.h"
#include "core/hits.h"
#include "core/totp.h"
#include "core/i18n.h"

Test(roles, rights_follow_the_roles)
{
	cr_assert(role_caps("admin") & CAP_ADMIN);
	cr_assert(role_caps("editor") & CAP_EDIT_ANY);
	cr_assert(role_caps("editor") & CAP_PUBLISH);
	cr_assert(!(role_caps("editor") & CAP_ADMIN));
	cr_assert(role_caps("author") & CAP_PUBLISH);
	cr_assert(!(role_caps("author") & CAP_EDIT_ANY));
	cr_assert(!(role_caps("contributor") & CAP_PUBLISH), "a contributor cannot publish");
	cr_assert(role_caps("translator") & CAP_TRANSLATE);
	cr_assert(!(role_caps("translator") & CAP_WRITE));
	cr_assert_eq(role_caps("moderator"), CAP_STAFF | CAP_MODERATE);
	cr_assert_eq(role_caps("events"), CAP_STAFF | CAP_EVENTS);
	cr_assert_eq(role_caps("overlord"), 0);
	cr_assert_eq(role_caps(NULL), 0);
	cr_assert_eq(guard_caps("write|translate"), CAP_WRITE | CAP_TRANSLATE);
	cr_assert_eq(guard_caps("nonsense"), 0, "an unknown guard lets nobody in");
}

static struct staff
someone(const char *role, const char *edition)
{
	struct staff u = {.id = 7, .role = role, .caps = role_caps(role)};
	if (edition) {
		strcpy(u.editions[0], edition);
		u.neditions = 1;
	}
	return u;
}

Test(roles, article_rights_by_edition_owner_and_status)
{
	struct admin_article own = {.id = 1, .edition = "pt", .status = "draft", .created_by = 7};
	struct admin_article other = {.id = 2, .edition = "pt", .status = "draft", .created_by = 9};
	struct admin_article translation = {.id = 3, .edition = "es", .status = "review", .created_by = 9, .source_id = 2};
	struct staff c = someone("contributor", NULL), e = someone("editor", "pt"), t = someone("translator", "es");
	cr_assert(admin_can_edit(&c, &own));
	cr_assert(!admin_can_edit(&c, &other));
	cr_assert(!admin_can_publish(&c, &own));
	own.status = "published";
	cr_assert(!admin_can_edit(&c, &own), "a contributor's article, once published, is the editors'");
	cr_assert(admin_can_edit(&e, &other));
	cr_assert(admin_can_publish(&e, &other));
	cr_assert(!admin_can_edit(&e, &translation), "another edition");
	cr_assert(admin_can_edit(&t, &translation));
	cr_assert(!admin_can_publish(&t, &translation));
	cr_assert(!admin_can_edit(&t, &other), "not a translation, not the translator's edition");
}

static const char *
render_diff(struct arena *a, const char *x, const char *y)
{
	struct diff_line *d;
	int n = text_diff(a, x, y, &d);
	struct buf b = {0};
	for (int i = 0; i < n; i++) {
		buf_putc(&b, d[i].op);
		buf_raw(&b, d[i].text, d[i].len);
		buf_putc(&b, '|');
	}
	char *s = arena_strndup(a, b.s ? b.s : "", b.len);
	buf_free(&b);
	return s;
}

Test(diff, lines_kept_removed_and_added)
{
	struct arena a;
	arena_init(&a, 4096);
	cr_assert_str_eq(render_diff(&a, "a\nb\nc", "a\nb\nc"), "=a|=b|=c|");
	cr_assert_str_eq(render_diff(&a, "a\nb\nc", "a\nx\nc"), "=a|-b|+x|=c|");
	cr_assert_str_eq(render_diff(&a, "", "new"), "+new|");
	cr_assert_str_eq(render_diff(&a, "old", ""), "-old|");
	cr_assert_str_eq(render_diff(&a, "a\nb\nc\nd", "b\nc\nd\ne"), "-a|=b|=c|=d|+e|");
	cr_assert_str_eq(render_diff(&a, "x\na\ny\nb", "a\nz\nb"), "-x|=a|-y|+z|=b|");
	arena_free(&a);
}

static long long seen_id, seen_n;
static void
take(long long id, long long n, void *arg)
{
	(void)arg;
	if (id == 424242) {
		seen_id = id;
		seen_n = n;
	}
}

Test(hits, counted_then_drained_once)
{
	for (int i = 0; i < 5; i++)
		hits_add(424242);
	hits_add(0);   /* nothing */
	hits_drain(take, NULL);
	cr_assert_eq(seen_id, 424242);
	cr_assert_eq(seen_n, 5);
	seen_n = 0;
	hits_drain(take, NULL);
	cr_assert_eq(seen_n, 0, "a drain takes the counts away");
}

Test(hits, robots_and_prefetches_are_not_readers)
{
	cr_assert(!hits_robot("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", NULL));
	cr_assert(hits_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", NULL));
	cr_assert(hits_robot("facebookexternalhit/1.1", NULL));
	cr_assert(hits_robot("node", NULL), "a script, not a reader");
	cr_assert(hits_robot("", NULL));
	cr_assert(hits_robot(NULL, NULL));
	cr_assert(hits_robot("Mozilla/5.0 Firefox/128.0", "prefetch;anonymous-client-ip"));
}

Test(zones, wall_clock_in_a_zone_and_back)
{
	/* 2026-07-01 12:00 in Lisbon is 11:00 UTC (summer time) */
	long long t = i18n_from_local("Europe/Lisbon", 2026, 7, 1, 12, 0);
	cr_assert_eq(t, 1782903600LL);
	int f[5];
	cr_assert_eq(i18n_to_local("America/Sao_Paulo", t, f), 0);
	cr_assert_eq(f[3], 8);
	cr_assert_eq(i18n_from_local("Europe/Lisbon", 2026, 2, 31, 12, 0), -1, "no 31 February");
	cr_assert_eq(i18n_from_local("Mars/Olympus", 2026, 2, 1, 12, 0), -1);
}

Test(totp, rfc6238_vectors_and_one_use)
{
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	/* RFC 6238 appendix B (SHA-1), last six digits */
	cr_assert_eq(totp_code(key, 20, 59 / 30), 287082);
	cr_assert_eq(totp_code(key, 20, 1111111109 / 30), 81804);
	cr_assert_eq(totp_code(key, 20, 2000000000 / 30), 279037);
	cr_assert_eq(totp_verify(key, 20, "081804", 1111111109, 0), 1111111109 / 30);
	cr_assert_eq(totp_verify(key, 20, "081804", 1111111109 + 30, 0), 1111111109 / 30, "one step of drift");
	cr_assert_eq(totp_verify(key, 20, "081804", 1111111109 + 90, 0), -1, "too old");
	cr_assert_eq(totp_verify(key, 20, "081804", 1111111109, 1111111109 / 30), -1, "used already");
	cr_assert_eq(totp_verify(key, 20, "81804", 1111111109, 0), -1);
	cr_assert_eq(totp_verify(key, 20, "08180x", 1111111109, 0), -1);
	char b32[40];
	base32_encode((const unsigned char *)"foobar", 6, b32);
	cr_assert_str_eq(b32, "MZXW6YTBOI");
}
