/* test_buf.c: every escaper and the URL/UTF-8 decoders. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "arena.h"

typedef void (*esc_fn)(struct buf *, const char *, size_t);

static char out[4096];

static const char *
esc(esc_fn f, const char *s)
{
	struct buf b = {0};
	f(&b, s, strlen(s));
	snprintf(out, sizeof out, "%s", b.s ? b.s : "");
	buf_free(&b);
	return out;
}

Test(escape, html_text_and_attr)
{
	cr_assert_str_eq(esc(buf_esc_html, "<b>\"Tom & Jerry's\"</b>"), "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;");
	cr_assert_str_eq(esc(buf_esc_attr, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
	cr_assert_str_eq(esc(buf_esc_html, "plain ação"), "plain ação");
	cr_assert_str_eq(esc(buf_esc_html, ""), "");
}

Test(escape, url_refuses_script_schemes)
{
	cr_assert_str_eq(esc(buf_esc_url, "javascript:alert(1)"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "JaVaScRiPt:alert(1)"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "java\nscript:alert(1)"), "#");
	cr_assert_str_eq(esc(buf_esc_url, " javascript:x"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "data:text/html,<script>"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "vbscript:x"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "/en/2025/03/a?b=1&c=2"), "/en/2025/03/a?b=1&amp;c=2");
	cr_assert_str_eq(esc(buf_esc_url, "https://example.org/\"x"), "https://example.org/&quot;x");
	cr_assert_str_eq(esc(buf_esc_url, "mailto:desk@example.org"), "mailto:desk@example.org");
	cr_assert_str_eq(esc(buf_esc_url, "/path:with/colon"), "/path:with/colon");
	/* a refused byte late in the URL takes back what was already written */
	cr_assert_str_eq(esc(buf_esc_url, "/a&b<c\x7f"), "#");
	cr_assert_str_eq(esc(buf_esc_url, "/a?q=x y"), "#");
}

Test(escape, urlpart_percent_encodes)
{
	cr_assert_str_eq(esc(buf_esc_urlpart, "a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
	cr_assert_str_eq(esc(buf_esc_urlpart, "safe-_.~"), "safe-_.~");
	/* every byte, written after what the buffer already holds */
	struct buf b = {0};
	buf_puts(&b, "q=");
	char all[256];
	for (int c = 0; c < 256; c++)
		all[c] = (char)c;
	buf_esc_urlpart(&b, all, sizeof all);
	cr_assert_eq(b.len, 2 + 66 + 190 * 3, "66 unreserved bytes, 190 escaped");
	for (int c = 0, at = 2; c < 256; c++) {
		char want[4];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("-_.~", c));
		snprintf(want, sizeof want, plain ? "%c" : "%%%02X", c);
		cr_assert(strncmp(b.s + at, want, strlen(want)) == 0, "byte %d", c);
		at += (int)strlen(want);
	}
	cr_assert_eq(strncmp(b.s, "q=%00", 5), 0);
	buf_free(&b);
}

Test(escape, json_is_safe_in_script)
{
	cr_assert_str_eq(esc(buf_esc_json, "</script><!--"), "\"\\u003c/script\\u003e\\u003c!--\"");
	cr_assert_str_eq(esc(buf_esc_json, "a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
	cr_assert_str_eq(esc(buf_esc_json, "x\xe2\x80\xa8y"), "\"x\\u2028y\"");
	cr_assert_str_eq(esc(buf_esc_json, "\x01"), "\"\\u0001\"");
	cr_assert_str_eq(esc(buf_esc_json, "a\xe2\x80\xa9" "b\xe2\x82\xac'\t"), "\"a\\u2029b\xe2\x82\xac\\u0027\\t\"");
	cr_assert_str_eq(esc(buf_esc_json, "end\xe2"), "\"end\xe2\"");
}

Test(escape, xml_drops_forbidden_characters)
{
	cr_assert_str_eq(esc(buf_esc_xml, "a<b>&\"'\x01\x0b c"), "a&lt;b&gt;&amp;&quot;&apos; c");
	cr_assert_str_eq(esc(buf_esc_xml, "tab\tnl\n"), "tab\tnl\n");
}

Test(utf8, validation)
{
	cr_assert(utf8_valid("ação – 東京", strlen("ação – 東京")));
	cr_assert(!utf8_valid("\xc0\xaf", 2));           /* overlong '/' */
	cr_assert(!utf8_valid("\xed\xa0\x80", 3));       /* surrogate */
	cr_assert(!utf8_valid("\xe2\x82", 2));           /* truncated */
	cr_assert(!utf8_valid("\xff", 1));
	cr_assert(!utf8_valid("\xf4\x90\x80\x80", 4));   /* above U+10FFFF */
	cr_assert(utf8_valid("", 0));
}

Test(url, decode)
{
	char o[64];
	cr_assert_eq(url_decode(o, "a%20b+c", 7, true), 5);
	cr_assert_str_eq(o, "a b c");
	cr_assert_eq(url_decode(o, "a+b", 3, false), 3);
	cr_assert_str_eq(o, "a+b");
	cr_assert_eq(url_decode(o, "%C3%A7", 6, false), 2);
	cr_assert_str_eq(o, "ç");
	cr_assert_eq(url_decode(o, "%00", 3, false), -1);
	cr_assert_eq(url_decode(o, "%zz", 3, false), -1);
	cr_assert_eq(url_decode(o, "%4", 2, false), -1);
	cr_assert_eq(url_decode(o, "%ff", 3, false), -1);
}

Test(buf, grows_and_detaches)
{
	struct buf b = {0};
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	buf_printf(&b, "%d", 42);
	cr_assert_eq(b.len, 10002);
	size_t n;
	char *s = buf_detach(&b, &n);
	cr_assert_eq(n, 10002);
	cr_assert_str_eq(s + 10000, "42");
	cr_assert_null(b.s);
	free(s);
}

Test(http, quality_lists)
{
	const char *h = " gzip;q=0.5, br ,identity;q=0 , x;q=7, y;q=abc,";
	const char *tok;
	size_t n;
	double q;
	const char *want[] = {"gzip", "br", "identity", "x", "y"};
	double wq[] = {0.5, 1, 0, 0, 0};
	for (int i = 0; i < 5; i++) {
		cr_assert(http_qlist_next(&h, &tok, &n, &q), "item %d", i);
		cr_assert_eq(n, strlen(want[i]));
		cr_assert(strncmp(tok, want[i], n) == 0, "item %d", i);
		cr_assert_float_eq(q, wq[i], 1e-9, "item %d q", i);
	}
	cr_assert_not(http_qlist_next(&h, &tok, &n, &q));
	const char *empty = "";
	cr_assert_not(http_qlist_next(&empty, &tok, &n, &q));
}

/* The escapers skip plain runs sixteen bytes at a time; a byte-by-byte
 * reference must agree with them wherever the special bytes fall. */
static void
ref_markup(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		case '\0': break;
		default: buf_putc(b, s[i]);
		}
	}
}

static void
ref_url(struct buf *b, const char *s, size_t n)
{
	if (!url_scheme_safe(s, n)) {
		buf_putc(b, '#');
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
			buf_putc(b, '#');
			return;
		}
	ref_markup(b, s, n);
}

static void
ref_json(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			buf_puts(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		} else if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			buf_puts(b, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'') {
			buf_printf(b, "\\u%04x", c);
		} else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

Test(escape, runs_agree_with_byte_by_byte)
{
	static const char alphabet[] = "abcXYZ019/-.:?#=%&<>\"'\t\n \x7f\xc3\xa9\x01";
	char s[100];
	srand(11);
	for (int round = 0; round < 50000; round++) {
		size_t n = (size_t)(rand() % 90);
		/* mostly plain, so the specials land in every position of a run */
		for (size_t i = 0; i < n; i++)
			s[i] = rand() % 8 ? "abcdefgh/-"[rand() % 10] : alphabet[rand() % (int)(sizeof alphabet)];
		struct buf got = {0}, want = {0};
		buf_esc_html(&got, s, n);
		ref_markup(&want, s, n);
		cr_assert_eq(got.len, want.len, "html, round %d", round);
		cr_assert(got.len == 0 || memcmp(got.s, want.s, got.len) == 0, "html, round %d", round);
		got.len = want.len = 0;
		buf_esc_url(&got, s, n);
		ref_url(&want, s, n);
		cr_assert_eq(got.len, want.len, "url, round %d", round);
		cr_assert(got.len == 0 || memcmp(got.s, want.s, got.len) == 0, "url, round %d", round);
		/* JSON, with line and paragraph separators and their look-alikes */
		for (size_t i = 0; i < n; i++)
			if (rand() % 6 == 0)
				s[i] = "\xe2\x80\xa8\xa9\\\r\x1f\x20"[rand() % 8];
		got.len = want.len = 0;
		buf_esc_json(&got, s, n);
		ref_json(&want, s, n);
		cr_assert_eq(got.len, want.len, "json, round %d", round);
		cr_assert(memcmp(got.s, want.s, got.len) == 0, "json, round %d", round);
		buf_free(&got);
		buf_free(&want);
	}
}

Test(arena, cat_joins_any_number_of_parts)
{
	struct arena a;
	arena_init(&a, 256);
	cr_assert_str_eq(arena_cat(&a, NULL), "");
	cr_assert_str_eq(arena_cat(&a, "/", "en", "", "/tag/", "heat", NULL), "/en/tag/heat");
	/* more parts than the lengths it keeps: the rest are measured again */
	char *s = arena_cat(&a, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
	    "q", "rr", "sss", NULL);
	cr_assert_str_eq(s, "abcdefghijklmnopqrrsss");
	arena_free(&a);
}
