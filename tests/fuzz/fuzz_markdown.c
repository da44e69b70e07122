/* fuzz_markdown.c: Markdown from staff and from readers through cmark-gfm
 * in safe mode, then the words of the HTML for the search index: never a
 * crash, and nothing executable in the HTML (no script or style element,
 * no event handler attribute, no javascript: or data: link). */
#include "fuzz.h"
#include "markdown.h"
#include <ctype.h>

/* An attribute " on…=" inside a tag. */
static bool
has_handler(const char *html)
{
	bool in_tag = false;
	char quote = 0;
	for (const char *p = html; *p; p++) {
		if (!in_tag) {
			in_tag = *p == '<';
			continue;
		}
		if (quote) {
			quote = *p == quote ? 0 : quote;
			continue;
		}
		if (*p == '"' || *p == '\'')
			quote = *p;
		else if (*p == '>')
			in_tag = false;
		else if (isspace((unsigned char)*p) && tolower((unsigned char)p[1]) == 'o' && tolower((unsigned char)p[2]) == 'n' &&
		    isalpha((unsigned char)p[3]))
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	for (int profile = 0; profile < 2; profile++) {
		size_t len;
		char *html = md_render((const char *)data, size, profile ? MD_READER : MD_ARTICLE, &len);
		FUZZ_ASSERT(html && strlen(html) == len);
		FUZZ_ASSERT(!fuzz_has_ci(html, "<script") && !fuzz_has_ci(html, "<style") && !fuzz_has_ci(html, "<iframe"));
		FUZZ_ASSERT(!fuzz_has_ci(html, "href=\"javascript:") && !fuzz_has_ci(html, "src=\"javascript:") && !fuzz_has_ci(html, "href=\"data:"));
		FUZZ_ASSERT(!has_handler(html));
		char *words = md_html_text(html, len);
		FUZZ_ASSERT(words);
		free(words);
		free(html);
	}
	return 0;
}
