/* test_html_md.c: HTML from another system to Gazette's Markdown: the
 * structure kept, text kept as text, and nothing executable through the
 * conversion and Gazette's own rendering. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "html_md.h"
#include "markdown.h"

static char *md, *html;
static void teardown(void) { free(md); free(html); md = html = NULL; }
TestSuite(html_md, .fini = teardown);

static const char *
conv(const char *in)
{
	free(md);
	md = html_to_markdown(in, strlen(in));
	cr_assert_not_null(md);
	return md;
}

/* converted, then rendered as Gazette renders an article */
static const char *
page(const char *in)
{
	conv(in);
	free(html);
	size_t n;
	html = md_render(md, strlen(md), MD_ARTICLE, &n);
	return html;
}

Test(html_md, structure)
{
	cr_assert_str_eq(conv("<h1>Title</h1><p>Some <strong>bold</strong>, <em>em</em> and <a href=\"https://x.org/a b\">a link</a>.</p>"),
	    "## Title\n\nSome **bold**, *em* and [a link](https://x.org/a%20b).\n");
	cr_assert_str_eq(conv("<ul><li>one</li><li>two<ul><li>three</li></ul></li></ul><ol><li>first</li><li>second</li></ol>"),
	    "- one\n- two\n\n  - three\n\n1. first\n2. second\n");
	cr_assert_str_eq(conv("<blockquote><p>quoted</p><p>twice</p></blockquote>"), "> quoted\n>\n> twice\n");
	cr_assert_str_eq(conv("<pre><code>a ``` b\nline 2</code></pre>"), "````\na ``` b\nline 2\n````\n");
	cr_assert_str_eq(conv("<p>x<br>y</p><hr><figure><img src=\"/media/a.jpg\" alt=\"A [dog]\"><figcaption>Caption</figcaption></figure>"),
	    "x\\\ny\n\n* * *\n\n![A \\[dog\\]](/media/a.jpg)\n\nCaption\n");
	cr_assert_str_eq(conv("<table><thead><tr><th>a</th><th>b|c</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"),
	    "| a | b\\|c |\n| --- | --- |\n| 1 |  |\n");
	cr_assert_str_eq(conv("<!-- wp:paragraph --><p>Gutenberg</p><!-- /wp:paragraph -->\nloose text <code>x`y</code>"),
	    "Gutenberg\n\nloose text `` x`y ``\n");
	cr_assert_str_eq(conv("<p>Ação — 日本語 ✓</p>"), "Ação — 日本語 ✓\n");
	cr_assert_str_eq(conv(""), "");
}

Test(html_md, text_stays_text)
{
	cr_assert_str_eq(conv("<p>* not a list</p><p># not a heading</p><p>1. not a list</p><p>&gt; not a quote</p>"),
	    "\\* not a list\n\n\\# not a heading\n\n1\\. not a list\n\n\\> not a quote\n");
	cr_assert_str_eq(conv("<p>[x](javascript:alert(1)) &lt;b&gt; a_b *c* `d` &amp;amp;</p>"),
	    "\\[x\\](javascript:alert(1)) \\<b\\> a\\_b \\*c\\* \\`d\\` \\&amp;\n");
	const char *h = page("<p>[x](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;</p>");
	cr_assert_str_eq(h, "<p>[x](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;</p>\n");
}

Test(html_md, nothing_executable_survives)
{
	static const char *attacks[] = {
		"<script>alert(1)</script><p>after</p>",
		"<p>a<img src=x onerror=alert(1)>b</p>",
		"<a href=\"javascript:alert(1)\">click</a>",
		"<a href=\"JaVaScRiPt:alert(1)\">click</a>",
		"<a href=\"jav&#x09;ascript:alert(1)\">click</a>",
		"<a href=\" javascript:alert(1)\">click</a>",
		"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
		"<img src=\"javascript:alert(1)\">",
		"<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
		"<iframe src=\"https://evil.example\"></iframe><p>x</p>",
		"<svg><script>alert(1)</script></svg>",
		"<p style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">styled</p>",
		"<object data=\"x.swf\"></object><embed src=\"x.swf\">",
		"<form action=\"https://evil.example\"><input name=p><button>go</button></form>",
		"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
		"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
		"<a href=\"https://ok.example/\" onmouseover=\"alert(1)\">ok</a>",
		"<p>x</p><style>body{display:none}</style>",
		"<<script>alert(1);//<</script>",
		"<scr<script>ipt>alert(1)</script>",
		"<a href=\"https://x.example/\"><img src=\"x\" onerror=\"alert(1)\"></a>",
		"<details open ontoggle=alert(1)><summary>s</summary>t</details>",
		"<base href=\"javascript:alert(1)//\"><a href=\"/x\">x</a>",
		"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
		"<p>\"><img src=x onerror=alert(1)></p>",
	};
	for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
		const char *h = page(attacks[i]);
		for (const char *bad = h; *bad; bad++) {
			cr_assert(strncasecmp(bad, "<script", 7) != 0, "%zu: %s → %s", i, attacks[i], h);
			cr_assert(strncasecmp(bad, "<iframe", 7) != 0 && strncasecmp(bad, "<svg", 4) != 0 && strncasecmp(bad, "<style", 6) != 0 &&
			    strncasecmp(bad, "<object", 7) != 0 && strncasecmp(bad, "<embed", 6) != 0 && strncasecmp(bad, "<form", 5) != 0 &&
			    strncasecmp(bad, "<base", 5) != 0 && strncasecmp(bad, "<meta", 5) != 0, "%zu: %s → %s", i, attacks[i], h);
			cr_assert(strncasecmp(bad, "javascript:", 11) != 0 || (bad > h && bad[-1] != '"' && bad[-1] != '\''),
			    "%zu: %s → %s", i, attacks[i], h);
			cr_assert(strncasecmp(bad, " on", 3) != 0 || !strchr("=", bad[strcspn(bad, "= >")]) || bad[strcspn(bad, "= >")] != '=',
			    "%zu: an event attribute: %s → %s", i, attacks[i], h);
		}
		cr_assert_null(strstr(h, "data:text/html"), "%zu: %s", i, h);
	}
}
