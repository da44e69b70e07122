/* wp_content.c: a WordPress post's or comment's stored content to the
 * Markdown Gazette keeps. WordPress stores what its editors typed: blank
 * lines for paragraphs (its "autop" adds the <p> at display time),
 * shortcodes ([caption], [embed], and others from plugins), Gutenberg's
 * block comments, bare URLs on their own line for embeds. This file turns
 * those into plain HTML structure; core/html_md.c does the rest (and all
 * of the safety). It must not write HTML of its own from the content's
 * text except the few structural tags below around text it escapes. */
#include "site.h"
#include "core/buf.h"
#include "core/html_md.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The value of attr="…" inside a shortcode's opening tag, or NULL. */
static char *
sc_attr(const char *tag, size_t n, const char *attr)
{
	size_t al = strlen(attr);
	for (size_t i = 0; i + al + 2 < n; i++)
		if (strncmp(tag + i, attr, al) == 0 && tag[i + al] == '=' && (tag[i + al + 1] == '"' || tag[i + al + 1] == '\'')) {
			char q = tag[i + al + 1];
			const char *v = tag + i + al + 2, *e = memchr(v, q, n - (size_t)(v - tag));
			return e ? xstrndup(v, (size_t)(e - v)) : NULL;
		}
	return NULL;
}

static bool
is_url_line(const char *s, size_t n)
{
	if (n < 12 || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || s[i] == '<' || s[i] == '"')
			return false;
	return true;
}

/* Shortcodes: [caption …]<img …> text[/caption] → a figure with its
 * caption; [embed]URL[/embed] → a link to URL; any other [name …] and
 * [/name] tag is dropped, its content kept. Square brackets that are not
 * shortcode tags stay. */
static void
shortcodes(struct buf *out, const char *s)
{
	while (*s) {
		const char *open = strchr(s, '[');
		if (!open) {
			buf_puts(out, s);
			return;
		}
		buf_raw(out, s, (size_t)(open - s));
		const char *p = open + 1;
		bool closing = *p == '/';
		if (closing)
			p++;
		size_t nl = 0;
		while (isalnum((unsigned char)p[nl]) || p[nl] == '_' || p[nl] == '-')
			nl++;
		const char *end = nl ? strchr(p + nl, ']') : NULL;
		const char *nl_in = end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (!nl || !end || nl_in || (p[nl] != ']' && p[nl] != ' ' && p[nl] != '/')) {
			buf_putc(out, '[');   /* not a shortcode tag */
			s = open + 1;
			continue;
		}
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)(nl < 31 ? nl : 31), p);
		s = end + 1;
		if (closing)
			continue;
		char close[40];
		snprintf(close, sizeof close, "[/%s]", name);
		const char *fin = strstr(s, close);
		if (strcmp(name, "caption") == 0 && fin) {
			/* the picture, then the caption text after it */
			const char *img_end = memchr(s, '>', (size_t)(fin - s));
			buf_puts(out, "<figure>");
			if (img_end) {
				buf_raw(out, s, (size_t)(img_end + 1 - s));
				buf_puts(out, "<figcaption>");
				buf_raw(out, img_end + 1, (size_t)(fin - img_end - 1));
				buf_puts(out, "</figcaption>");
			} else {
				char *cap = sc_attr(open, (size_t)(end - open), "caption");
				buf_raw(out, s, (size_t)(fin - s));
				if (cap) {
					buf_puts(out, "<figcaption>");
					buf_esc_html(out, cap, strlen(cap));
					buf_puts(out, "</figcaption>");
				}
				free(cap);
			}
			buf_puts(out, "</figure>\n\n");
			s = fin + strlen(close);
		} else if (strcmp(name, "embed") == 0 && fin) {
			size_t n = (size_t)(fin - s);
			while (n && isspace((unsigned char)*s))
				s++, n--;
			while (n && isspace((unsigned char)s[n - 1]))
				n--;
			buf_puts(out, "\n\n<p><a href=\"");
			buf_esc_attr(out, s, n);
			buf_puts(out, "\">");
			buf_esc_html(out, s, n);
			buf_puts(out, "</a></p>\n\n");
			s = fin + strlen(close);
		}
		/* any other shortcode: the tags go, the content stays */
	}
}

/* WordPress's paragraphs: text between blank lines that does not start
 * with a block tag becomes <p>…</p>, single line breaks <br>, and a bare
 * URL alone in its paragraph a link (WordPress would embed it). */
static void
autop(struct buf *out, const char *s)
{
	static const char *blocks[] = {"<p", "<div", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<ul", "<ol", "<li", "<blockquote",
		"<pre", "<table", "<figure", "<hr", "<!--", "<section", "<article", "<dl", "<form", "<iframe", "<script", "<style", NULL};
	while (*s) {
		while (*s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		const char *e = strstr(s, "\n\n");
		const char *e2 = strstr(s, "\r\n\r\n");
		if (!e || (e2 && e2 < e))
			e = e2;
		size_t n = e ? (size_t)(e - s) : strlen(s);
		size_t lead = strspn(s, " \t");
		bool block = false;
		for (int i = 0; blocks[i] && !block; i++)
			block = strncasecmp(s + lead, blocks[i], strlen(blocks[i])) == 0;
		if (block)
			buf_raw(out, s, n);
		else if (is_url_line(s + lead, n - lead - (n > lead && s[n - 1] == '\r'))) {
			buf_puts(out, "<p><a href=\"");
			buf_esc_attr(out, s + lead, n - lead);
			buf_puts(out, "\">");
			buf_esc_html(out, s + lead, n - lead);
			buf_puts(out, "</a></p>");
		} else {
			buf_puts(out, "<p>");
			for (size_t i = 0; i < n; i++) {
				if (s[i] == '\n' && i + 1 < n)
					buf_puts(out, "<br>\n");
				else if (s[i] != '\r')
					buf_putc(out, s[i]);
			}
			buf_puts(out, "</p>");
		}
		buf_puts(out, "\n\n");
		s += n;
	}
}

char *
wp_content_markdown(const char *content)
{
	struct buf sc = {0}, p = {0};
	shortcodes(&sc, content ? content : "");
	autop(&p, sc.s ? sc.s : "");
	char *md = html_to_markdown(p.s ? p.s : "", p.len);
	buf_free(&sc);
	buf_free(&p);
	return md;
}
