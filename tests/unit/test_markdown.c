/* test_markdown.c: Markdown rendering and its safety, for staff and readers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "markdown.h"

static char *html;
static void teardown(void) { free(html); html = NULL; }
TestSuite(markdown, .fini = teardown);

static const char *
md(const char *src, enum md_profile p)
{
	free(html);
	size_t n;
	html = md_render(src, strlen(src), p, &n);
	cr_assert_eq(strlen(html), n);
	return html;
}

Test(markdown, basics_and_extensions)
{
	cr_assert_str_eq(md("## Title\n\nSome **bold** text.", MD_ARTICLE), "<h2>Title</h2>\n<p>Some <strong>bold</strong> text.</p>\n");
	cr_assert(strstr(md("| a | b |\n|---|---|\n| 1 | 2 |\n", MD_ARTICLE), "<table>"));
	cr_assert(strstr(md("~~gone~~", MD_ARTICLE), "<del>gone</del>"));
	cr_assert(strstr(md("see www.example.org now", MD_ARTICLE), "<a href=\"http://www.example.org\">"));
}

Test(markdown, raw_html_and_script_links_never_pass)
{
	const char *h = md("<script>alert(1)</script>\n\n<b onclick=\"x()\">b</b> [x](javascript:alert(1)) ![i](data:text/html,x)", MD_ARTICLE);
	cr_assert_null(strstr(h, "<script"), "%s", h);
	cr_assert_null(strstr(h, "onclick"), "%s", h);
	cr_assert_null(strstr(h, "javascript:"), "%s", h);
	cr_assert_null(strstr(h, "data:text"), "%s", h);
	cr_assert_null(strstr(md("[x](JaVaScRiPt:alert(1))", MD_READER), "avaScRiPt"));
}

Test(markdown, reader_profile)
{
	const char *h = md("[site](https://example.org/a) and ![pic](https://example.org/p.png) and <https://example.org/b>", MD_READER);
	cr_assert(strstr(h, "<a href=\"https://example.org/a\" rel=\"nofollow ugc noopener\">site</a>"), "%s", h);
	cr_assert(strstr(h, "<a href=\"https://example.org/b\" rel=\"nofollow ugc noopener\">"), "%s", h);
	cr_assert_null(strstr(h, "<img"), "%s", h);
	cr_assert(strstr(h, "pic"), "alt text kept: %s", h);
	cr_assert(strstr(md("<img src=x onerror=alert(1)>", MD_READER), "raw HTML omitted"));
}

Test(markdown, invalid_utf8_is_replaced)
{
	const char *h = md("bad \xff byte", MD_ARTICLE);
	cr_assert(strstr(h, "\xef\xbf\xbd"), "%s", h);
}

Test(markdown, article_pictures_load_lazily)
{
	const char *h = md("Text.\n\n![A crane](/media/1/960.webp)\n\n`<img src=x>`", MD_ARTICLE);
	cr_assert(strstr(h, "<img loading=\"lazy\" decoding=\"async\" src=\"/media/1/960.webp\" alt=\"A crane\""), "%s", h);
	cr_assert(strstr(h, "<code>&lt;img src=x&gt;</code>"), "%s", h);
}
