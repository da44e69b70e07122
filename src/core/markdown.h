/* markdown.h: Markdown to HTML through cmark-gfm, always in safe mode
 * (raw HTML omitted, javascript:/data: links emptied). */
#ifndef GZ_MARKDOWN_H
#define GZ_MARKDOWN_H
#include <stddef.h>

enum md_profile {
	MD_ARTICLE,   /* staff writing: tables, autolinks, strikethrough, images */
	MD_READER     /* reader input: no images; links get rel="nofollow ugc noopener" */
};

/* Returns malloc'd HTML (caller frees); *len receives its length. */
char *md_render(const char *src, size_t srclen, enum md_profile profile, size_t *len);

/* The words of HTML that md_render wrote, without tags or escapes, on one
 * line (for the search index): malloc'd. Not for HTML from anywhere else. */
char *md_html_text(const char *html, size_t n);

#endif
