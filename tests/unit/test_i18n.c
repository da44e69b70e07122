/* test_i18n.c: catalogs, dates, plurals, slugs and Accept-Language in the
 * three shipped languages, with no system locale installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"

static struct arena a;
static void setup(void) { arena_init(&a, 4096); }
static void teardown(void) { arena_free(&a); i18n_shutdown(); }
TestSuite(i18n, .init = setup, .fini = teardown);

#define NOV5 1604534400LL   /* 2020-11-05T00:00:00Z */

Test(i18n, dates_in_each_language)
{
	cr_assert_str_eq(i18n_date(&a, "pt_BR", NOV5, "long", false), "5 de novembro de 2020");
	cr_assert_str_eq(i18n_date(&a, "es_ES", NOV5, "long", false), "5 de noviembre de 2020");
	cr_assert_str_eq(i18n_date(&a, "en_GB", NOV5, "long", false), "5 November 2020");
	cr_assert_str_eq(i18n_date(&a, "pt_BR", NOV5, "full", false), "quinta-feira, 5 de novembro de 2020");
	cr_assert_str_eq(i18n_date(&a, "es_ES", NOV5, "full", false), "jueves, 5 de noviembre de 2020");
	cr_assert_str_eq(i18n_isotime(&a, NOV5 + 3661), "2020-11-05T01:01:01Z");
	cr_assert_str_eq(i18n_isotime(&a, 0), "1970-01-01T00:00:00Z");
	cr_assert_str_eq(i18n_isotime(&a, 253402300799LL), "9999-12-31T23:59:59Z");
	/* a late-evening time stays on its UTC day, whatever TZ says */
	setenv("TZ", "America/Sao_Paulo", 1);
	cr_assert_str_eq(i18n_date(&a, "pt_BR", NOV5 + 3600, "long", false), "5 de novembro de 2020");
}

Test(i18n, plurals)
{
	const char *en = "{0,plural,one{# comment} other{# comments}}";
	const char *pt = "{0,plural,=0{nenhum comentário} one{# comentário} other{# comentários}}";
	cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 1), "1 comment");
	cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 2), "2 comments");
	cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 0), "0 comments");
	cr_assert_str_eq(i18n_plural(&a, "pt_BR", pt, 1), "1 comentário");
	cr_assert_str_eq(i18n_plural(&a, "pt_BR", pt, 2), "2 comentários");
	cr_assert_str_eq(i18n_plural(&a, "pt_BR", pt, 0), "nenhum comentário");
	cr_assert_str_eq(i18n_plural(&a, "pt_BR", pt, 1234), "1.234 comentários");
	cr_assert_str_eq(i18n_plural(&a, "es_ES", "{0,plural,one{# artículo} other{# artículos}}", 21), "21 artículos");
	/* a broken pattern comes back unchanged rather than failing the page */
	cr_assert_str_eq(i18n_plural(&a, "en_GB", "{0,plural,one{x}", 1), "{0,plural,one{x}");
	/* results are remembered per thread: asking again, and asking with the
	 * same number in another locale or pattern, gives each its own answer */
	for (int round = 0; round < 3; round++) {
		cr_assert_str_eq(i18n_plural(&a, "pt_BR", pt, 1234), "1.234 comentários");
		cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 1234), "1,234 comments");
		cr_assert_str_eq(i18n_plural(&a, "en_GB", pt, 1234), "1,234 comentários");
		cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 1), "1 comment");
		cr_assert_str_eq(i18n_plural(&a, "en_GB", en, 1.5), "1.5 comments");
	}
}

Test(i18n, slugs)
{
	cr_assert_str_eq(i18n_slug(&a, "Ação na Península: ¿qué pasó?"), "acao-na-peninsula-que-paso");
	cr_assert_str_eq(i18n_slug(&a, "Straße Œuvre Ærø"), "strasse-oeuvre-aero");
	cr_assert_str_eq(i18n_slug(&a, "Москва и Ελλάδα"), "moskva-i-ellada");
	cr_assert_str_eq(i18n_slug(&a, "  --Science & Environment--  "), "science-environment");
	cr_assert_str_eq(i18n_slug(&a, "!!!"), "");
	const char *lng = i18n_slug(&a, "word word word word word word word word word word word word word word word word word word");
	cr_assert_leq(strlen(lng), 80);
	cr_assert_neq(lng[strlen(lng) - 1], '-');
}

Test(i18n, accept_language)
{
	const char *codes[] = {"pt", "es", "en"};
	cr_assert_eq(i18n_negotiate("es-ES,es;q=0.9,en;q=0.8", codes, 3), 1);
	cr_assert_eq(i18n_negotiate("pt-BR", codes, 3), 0);
	cr_assert_eq(i18n_negotiate("fr-FR,fr;q=0.9,en;q=0.5,pt;q=0.7", codes, 3), 0);
	cr_assert_eq(i18n_negotiate("fr, de", codes, 3), -1);
	cr_assert_eq(i18n_negotiate("", codes, 3), -1);
	cr_assert_eq(i18n_negotiate(NULL, codes, 3), -1);
	cr_assert_eq(i18n_negotiate("es;q=0, en", codes, 3), 2);
	cr_assert_eq(i18n_negotiate(";;;,,,q=", codes, 3), -1);
}

Test(i18n, catalogs)
{
	const char po[] =
		"# comment\n"
		"msgid \"\"\n"
		"msgstr \"\"\n"
		"\"Language: pt\\n\"\n"
		"\n"
		"msgid \"Home\"\n"
		"msgstr \"Capa\"\n"
		"\n"
		"msgid \"\"\n"
		"\"Multi \"\n"
		"\"line\"\n"
		"msgstr \"Várias \"\n"
		"\"linhas \\\"aspas\\\"\"\n"
		"\n"
		"#, fuzzy\n"
		"msgid \"Fuzzy\"\n"
		"msgstr \"Não usar\"\n"
		"\n"
		"msgid \"Empty\"\n"
		"msgstr \"\"\n"
		"\n"
		"msgid \"Last\"\n"
		"msgstr \"Último\"";
	char err[256];
	cr_assert_eq(i18n_load_string("pt", po, sizeof po - 1, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(i18n_gettext("pt", "Home"), "Capa");
	cr_assert_str_eq(i18n_gettext("pt", "Multi line"), "Várias linhas \"aspas\"");
	cr_assert_str_eq(i18n_gettext("pt", "Fuzzy"), "Fuzzy");
	cr_assert_str_eq(i18n_gettext("pt", "Empty"), "Empty");
	cr_assert_str_eq(i18n_gettext("pt", "Last"), "Último");
	cr_assert_str_eq(i18n_gettext("pt", "Unknown"), "Unknown");
	cr_assert_str_eq(i18n_gettext("xx", "Home"), "Home");
	const char bad[] = "msgid \"a\"\nmsgstr \"b\"\ngarbage here\n";
	cr_assert_eq(i18n_load_string("es", bad, sizeof bad - 1, err, sizeof err), -1);
	cr_assert(strstr(err, "es.po:3"), "%s", err);
}

Test(i18n, shipped_catalogs_load)
{
	char err[256];
	cr_assert_eq(i18n_load(GAZETTE_DATADIR "/locale", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(i18n_gettext("pt", "Home"), "Capa");
	cr_assert_str_eq(i18n_gettext("es", "Home"), "Portada");
}

/* ICU reads arguments by the type the pattern gives them: only patterns
 * whose every argument is 0 as plural/selectordinal are formatted. */
Test(i18n, plural_patterns_checked_before_icu)
{
	cr_assert(i18n_plural_pattern_ok("{0,plural,one{# comment} other{# comments}}"));
	cr_assert(i18n_plural_pattern_ok("{0,plural,=0{No stories match your search.} one{One story found} other{# stories found}}"));
	cr_assert(i18n_plural_pattern_ok("Seats: {0,plural,offset:1 =1{just you} other{you and # more}}!"));
	cr_assert(i18n_plural_pattern_ok("{0,selectordinal,one{#st} two{#nd} few{#rd} other{#th}}"));
	cr_assert_not(i18n_plural_pattern_ok("{0}"));                       /* would read the double as a string */
	cr_assert_not(i18n_plural_pattern_ok("{0,date}"));
	cr_assert_not(i18n_plural_pattern_ok("{1,plural,other{#}}"));
	cr_assert_not(i18n_plural_pattern_ok("{0,plural,other{# of {0}}}"));  /* an argument inside a branch */
	cr_assert_not(i18n_plural_pattern_ok("{0,plural,other{'{'}}"));
	cr_assert_not(i18n_plural_pattern_ok("{0,plural,}"));
	cr_assert_not(i18n_plural_pattern_ok("{0,plural,other{x}"));
	cr_assert_not(i18n_plural_pattern_ok("no argument"));
	cr_assert_not(i18n_plural_pattern_ok("}"));
	cr_assert_str_eq(i18n_plural(&a, "en_GB", "{0}", 3), "{0}", "returned as written, no crash");
	cr_assert_str_eq(i18n_plural(&a, "en_GB", "{0,plural,one{# x} other{# xs}}", 3), "3 xs");
}

Test(i18n, isotime_far_out_of_range)
{
	/* a template's {{ 22226666666666666666 | isodate }}: found by fuzzing */
	cr_assert_str_eq(i18n_isotime(&a, 0), "1970-01-01T00:00:00Z");
	cr_assert_eq(strlen(i18n_isotime(&a, 9223372036854775807LL)), 0);
	cr_assert_str_eq(i18n_isotime(&a, 253402300800LL), "10000-01-01T00:00:00Z");
}

Test(i18n, plural_memo_long_pattern)
{
	/* longer than the memo's 160-byte slot (clang-tidy pointed at the copy) */
	const char *p = "{0,plural,one{You have sent several comments in a short time. Please try again in # minute.} "
	    "other{You have sent several comments in a short time. Please try again in # minutes.}}";
	cr_assert_gt(strlen(p), 160);
	for (int i = 0; i < 3; i++)
		cr_assert(strstr(i18n_plural(&a, "en_GB", p, 2), "in 2 minutes."));
}
