/* html_md.h: HTML (as another publishing system stored it) to the
 * Markdown Gazette keeps, parsed by libxml2's HTML parser. Only structure
 * survives: paragraphs, headings, lists, quotes, code, rules, tables,
 * figures, emphasis, links and pictures with safe addresses. Scripts,
 * styles, frames, forms and every attribute but href/src/alt are dropped;
 * text is escaped so that it stays text. What it returns is rendered by
 * md_render in safe mode like anything a writer typed, so nothing
 * executable can come through even if this file missed something. */
#ifndef GZ_HTML_MD_H
#define GZ_HTML_MD_H
#include <stddef.h>

/* Returns malloc'd Markdown (caller frees), or NULL when out of memory. */
char *html_to_markdown(const char *html, size_t len);

#endif
