/* test_comments.c: the checks on a posted comment that need no database
 * beyond the site secret: form tokens, proof of work, word lists, link
 * counting, cleaning of names and bodies, email shape. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "comments.h"
#include "unit.h"

static struct arena a;
static char path[256];
static struct db *db;

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	snprintf(path, sizeof path, "/tmp/gazette-unit-comments-%d.db", (int)getpid());
	char err[256];
	db = db_open(path, 1, err, sizeof err);
	cr_assert(db, "%s", err);
	struct db_conn *c = db_acquire(db);
	cr_assert_eq(db_migrate(c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(site_secret_init(c), 0);
	db_release(c);
}

static void
teardown(void)
{
	db_close(db);
	unit_db_unlink(path);
	arena_free(&a);
}

TestSuite(comments, .init = setup, .fini = teardown);

Test(comments, form_tokens_are_bound_to_article_and_time)
{
	const char *t = form_token_make(&a, 42, 1700000000);
	cr_assert_eq(form_token_check(&a, t, 42), 1700000000);
	cr_assert_eq(form_token_check(&a, t, 43), -1, "another article");
	char *bad = arena_strdup(&a, t);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	cr_assert_eq(form_token_check(&a, bad, 42), -1, "a changed MAC");
	char *later = arena_strdup(&a, t);
	later[0] = '2';   /* a made-up time keeps the old MAC */
	cr_assert_eq(form_token_check(&a, later, 42), -1);
	cr_assert_eq(form_token_check(&a, NULL, 42), -1);
	cr_assert_eq(form_token_check(&a, "", 42), -1);
	cr_assert_eq(form_token_check(&a, "1.2.3", 42), -1);
	cr_assert_eq(form_token_check(&a, "x.aaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 42), -1);
	cr_assert_str_neq(form_token_make(&a, 42, 1700000000), t, "every form gets its own nonce");
}

Test(comments, proof_of_work)
{
	const char *ch = "1700000000.0123456789abcdef01.00112233445566778899aabbccddeeff";
	cr_assert(pow_check(ch, NULL, 0), "no work asked");
	cr_assert_not(pow_check(ch, "", 8));
	cr_assert_not(pow_check(ch, "12a", 8));
	int found = -1, wrong = -1;
	char n[16];
	for (int i = 0; i < 100000 && (found < 0 || wrong < 0); i++) {
		snprintf(n, sizeof n, "%d", i);
		if (pow_check(ch, n, 10)) {
			if (found < 0)
				found = i;
		} else if (wrong < 0)
			wrong = i;
	}
	cr_assert_geq(found, 0, "some answer has 10 zero bits");
	snprintf(n, sizeof n, "%d", found);
	cr_assert(pow_check(ch, n, 10));
	cr_assert_not(pow_check("another challenge", n, 10) && pow_check("yet another", n, 10) && pow_check("and one more", n, 10),
	    "an answer belongs to its challenge");
	snprintf(n, sizeof n, "%d", wrong);
	cr_assert_not(pow_check(ch, n, 10));
}

Test(comments, words_are_found_whole_and_caseless)
{
	cr_assert_str_eq(words_find(&a, "casino, cheap pills", "Visit the CASINO today"), "casino");
	cr_assert_str_eq(words_find(&a, "casino\ncheap pills", "buy Cheap  pills? no: cheap pills!"), "cheap pills");
	cr_assert_null(words_find(&a, "casino", "casinos and occasional visits"));
	cr_assert_null(words_find(&a, "ass", "a classic grass pass"));
	cr_assert_str_eq(words_find(&a, "straße", "STRASSE gesperrt"), "straße", "full case folding");
	cr_assert_str_eq(words_find(&a, "ÉLEVÉ", "un prix élevé."), "ÉLEVÉ");
	cr_assert_null(words_find(&a, "", "anything"));
	cr_assert_null(words_find(&a, " , ,\n", "anything"));
	cr_assert_null(words_find(&a, NULL, "anything"));
}

Test(comments, links_and_cleaning)
{
	cr_assert_eq(html_link_count("<p><a href=\"x\">a</a> and <a href=\"y\">b</a></p>"), 2);
	cr_assert_eq(html_link_count("<p>no links</p>"), 0);
	cr_assert_str_eq(text_clean(&a, "  Ana\tMaria \r\n", false), "Ana Maria");
	cr_assert_str_eq(text_clean(&a, "line one\r\nline two\n\n", true), "line one\nline two");
	cr_assert_str_eq(text_clean(&a, "\xe2\x80\xae" "evil" "\xe2\x80\xac" " name", false), "evil name", "bidi overrides go");
	cr_assert_str_eq(text_clean(&a, "a\xe2\x81\xa6" "b" "\xe2\x81\xa9" "c", false), "abc", "isolates go");
	cr_assert_str_eq(text_clean(&a, "x\x01y\x7fz\xc2\x85w", false), "xyzw", "C0, DEL and C1 controls go");
	cr_assert_str_eq(text_clean(&a, "ação – ok", false), "ação – ok");
	cr_assert_eq(utf8_chars("ação"), 4);
}

Test(comments, email_shape)
{
	cr_assert(email_plausible("ana@example.org"));
	cr_assert(email_plausible("a.b+c@sub.example.co.uk"));
	cr_assert_not(email_plausible("ana"));
	cr_assert_not(email_plausible("ana@localhost"));
	cr_assert_not(email_plausible("@example.org"));
	cr_assert_not(email_plausible("a@b@example.org"));
	cr_assert_not(email_plausible("a b@example.org"));
	cr_assert_not(email_plausible("a@example.org."));
	cr_assert_not(email_plausible("<a@example.org>"));
}
