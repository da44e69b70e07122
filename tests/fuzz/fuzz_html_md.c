/* fuzz_html_md.c: HTML from outside (WordPress content, pasted text)
 * turned into Markdown, then rendered: never a crash, and the page that
 * results holds nothing executable. */
#include "fuzz.h"
#include "html_md.h"
#include "markdown.h"

char *wp_content_markdown(const char *content);   /* src/wp_content.c */

static void
check(char *md)
{
	if (!md)
		return;
	size_t len;
	char *html = md_render(md, strlen(md), MD_ARTICLE, &len);
	FUZZ_ASSERT(html);
	FUZZ_ASSERT(!fuzz_has_ci(html, "<script") && !fuzz_has_ci(html, "<iframe") && !fuzz_has_ci(html, "href=\"javascript:"));
	free(html);
	free(md);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *s = fuzz_str(data, size);
	check(html_to_markdown(s, strlen(s)));
	check(wp_content_markdown(s));   /* shortcodes, blocks, autop, then the same */
	free(s);
	return 0;
}
