/* test_events.c: the writers events use: iCalendar lines (escaping,
 * folding on character boundaries), CSV fields (quoting, formula
 * injection), QR codes as SVG, and the local time of an event. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "core/i18n.h"
#include "core/ics.h"
#include "core/qr.h"

Test(ics, text_is_escaped_and_folded)
{
	struct buf b = {0};
	ics_text(&b, "SUMMARY", "Awards; fiction, poetry\\essays\nLive");
	cr_assert_str_eq(b.s, "SUMMARY:Awards\\; fiction\\, poetry\\\\essays\\nLive\r\n");
	buf_free(&b);
	/* 100 two-byte characters: folded at 75 octets, never inside one */
	char s[256] = "";
	for (int i = 0; i < 100; i++)
		strcat(s, "é");
	ics_text(&b, "DESCRIPTION", s);
	char *line = b.s;
	int lines = 0;
	for (char *end; (end = strstr(line, "\r\n")); line = end + 2) {
		cr_assert_leq(end - line, 75, "line %d is %d octets", lines, (int)(end - line));
		if (lines > 0)
			cr_assert_eq(line[0], ' ', "a continuation starts with a space");
		unsigned char first = (unsigned char)line[lines ? 1 : 0];
		cr_assert(lines == 0 || (first & 0xc0) != 0x80, "no line starts inside a character");
		lines++;
	}
	cr_assert_geq(lines, 3);
	buf_free(&b);
	ics_time(&b, "DTSTART", 1796594400);
	cr_assert_str_eq(b.s, "DTSTART:20261206T220000Z\r\n");
	buf_free(&b);
	ics_raw(&b, "URL", "https://x.example/\r\nBEGIN:VEVENT");
	cr_assert_null(strstr(b.s, "\nBEGIN"), "no line can be injected");
	buf_free(&b);
}

static char *
csv(const char *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	csv_field(f, s);
	fclose(f);
	return out;
}

Test(csv, fields_are_quoted_and_formulas_neutralized)
{
	const char *cases[][2] = {
		{"Ana Lima", "Ana Lima"},
		{"Lima, Ana", "\"Lima, Ana\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""},
		{"+1 555", "\"'+1 555\""},
		{"-2", "\"'-2\""},
		{"@SUM(A1)", "\"'@SUM(A1)\""},
		{"\tx", "\"'\tx\""},
		{"two\nlines", "\"two\nlines\""},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = csv(cases[i][0]);
		cr_assert_str_eq(got, cases[i][1], "case %zu", i);
		free(got);
	}
}

Test(qr, svg_is_drawn_and_labelled)
{
	struct buf b = {0};
	cr_assert_eq(qr_svg(&b, "https://gazette.example/checkin/K7QM-9TDX", "QR \"code\" <b>"), 0);
	cr_assert(strncmp(b.s, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 52) == 0);
	cr_assert_not_null(strstr(b.s, "aria-label=\"QR &quot;code&quot; &lt;b&gt;\""));
	cr_assert_not_null(strstr(b.s, "<path fill=\"#000\" d=\"M"));
	cr_assert(strcmp(b.s + b.len - 6, "</svg>") == 0);
	/* version 3 (29 modules) for this length, plus a quiet zone of 4 on each side */
	int size = 0;
	cr_assert_eq(sscanf(b.s, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d", &size), 1);
	cr_assert_eq(size, 29 + 8);
	buf_free(&b);
}

Test(i18n, event_local_times)
{
	/* 2026-12-06 19:00 in São Paulo (UTC-3, no summer time) */
	/* 19:00 in São Paulo on the local day of 2026-12-06T12:00Z is 22:00 UTC */
	cr_assert_eq(i18n_local_time("America/Sao_Paulo", 1796594400 - 36000, 0, 19, 0), 1796594400);
	cr_assert_eq(i18n_local_time("America/Sao_Paulo", 1796594400 - 36000 - 3 * 86400, 3, 19, 0), 1796594400, "three days later");
	struct arena a = {0};
	cr_assert_str_eq(i18n_date_in(&a, "en_GB", 1796594400, "yMMMMEEEEdjmmz", "America/Sao_Paulo"), "Sunday, 6 December 2026 at 19:00 GMT-3");
	cr_assert_str_eq(i18n_date_in(&a, "pt_BR", 1796594400, "dMMMM", "America/Sao_Paulo"), "6 de dezembro");
	cr_assert_str_eq(i18n_date_in(&a, "es_ES", 1796594400, "Hmm", "Europe/Madrid"), "23:00");
	cr_assert(i18n_zone_valid("Europe/Madrid"));
	cr_assert_not(i18n_zone_valid("Mars/Olympus"));
	cr_assert_eq(i18n_local_time("Mars/Olympus", 0, 0, 0, 0), -1);
	arena_free(&a);
}

Test(text, random_hex_tokens)
{
	char a[65], b[65];
	random_hex(a, 32);
	random_hex(b, 32);
	cr_assert_eq(strlen(a), 64);
	cr_assert_eq(strspn(a, "0123456789abcdef"), 64);
	cr_assert_str_neq(a, b, "two tokens differ");
	char small[5];
	random_hex(small, 2);
	cr_assert_eq(strlen(small), 4);
}
