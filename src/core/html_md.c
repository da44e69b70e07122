/* html_md.c: HTML to Markdown (see html_md.h). libxml2 parses (with its
 * error recovery, as browsers would); this file walks the tree: block
 * elements become Markdown blocks, runs of text and inline elements become
 * paragraphs, and everything not on the short list of structure is either
 * unwrapped (its text kept) or dropped with its content (script, style,
 * frames, forms, embedded objects). It must not emit raw HTML. */
#include "html_md.h"
#include "buf.h"
#include <libxml/HTMLparser.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0;
}

static bool
one_of(const xmlNode *n, const char *const *names)
{
	for (; *names; names++)
		if (is(n, *names))
			return true;
	return false;
}

static const char *const dropped[] = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
	"input", "button", "select", "textarea", "noscript", "template", "svg", "math", "head", "title", "meta", "link", "base",
	"audio", "video", "canvas", "map", "dialog", NULL};
static const char *const blockish[] = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "center",
	"address", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "hr", "figure",
	"figcaption", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "details", "summary", "body", "html", NULL};

static bool
inline_node(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE ||
	    (n->type == XML_ELEMENT_NODE && !one_of(n, blockish) && !one_of(n, dropped));
}

/* Text, whitespace collapsed, Markdown's own characters escaped. */
static void
text_md(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			if (b->len && b->s[b->len - 1] != ' ')
				buf_putc(b, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>|&~{}", c))
			buf_putc(b, '\\');
		buf_putc(b, (char)c);
	}
}

/* An address fit for a link (or, img, a picture), written so that
 * Markdown reads it whole; NULL when it is not safe. */
static void
url_md(struct buf *b, const char *u)
{
	for (; *u; u++) {
		unsigned char c = (unsigned char)*u;
		if (c <= ' ' || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == '\\' || c == 0x7f)
			buf_printf(b, "%%%02X", c);
		else
			buf_putc(b, (char)c);
	}
}

static bool
url_ok(const char *u, bool picture)
{
	if (!u || !*u || !url_scheme_safe(u, strlen(u)))
		return false;
	return !picture || strncasecmp(u, "mailto:", 7) != 0;
}

/* The longest run of backticks in s. */
static size_t
ticks(const char *s)
{
	size_t best = 0, run = 0;
	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void inlines(struct buf *b, xmlNode *n, bool in_heading);

/* The inline text of n's children into in; [*s, *e) is it without the
 * spaces around it. */
static void
inline_trimmed(struct buf *in, xmlNode *n, bool in_heading, size_t *s, size_t *e)
{
	inlines(in, n->children, in_heading);
	*s = 0;
	*e = in->len;
	while (*s < *e && in->s[*s] == ' ')
		(*s)++;
	while (*e > *s && in->s[*e - 1] == ' ')
		(*e)--;
}

/* Wraps what the children write in mark (emphasis), trimmed inside. */
static void
wrapped(struct buf *b, xmlNode *n, const char *mark, bool in_heading)
{
	struct buf in = {0};
	size_t s, e;
	inline_trimmed(&in, n, in_heading, &s, &e);
	if (e > s) {
		if (s && (!b->len || b->s[b->len - 1] != ' '))
			buf_putc(b, ' ');
		buf_puts(b, mark);
		buf_raw(b, in.s + s, e - s);
		buf_puts(b, mark);
		if (e < in.len)
			buf_putc(b, ' ');
	}
	buf_free(&in);
}

static void
inline_one(struct buf *b, xmlNode *n, bool in_heading)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		text_md(b, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE || one_of(n, dropped))
		return;
	if (is(n, "em") || is(n, "i") || is(n, "cite") || is(n, "dfn"))
		wrapped(b, n, "*", in_heading);
	else if (is(n, "strong") || is(n, "b"))
		wrapped(b, n, "**", in_heading);
	else if (is(n, "del") || is(n, "s") || is(n, "strike"))
		wrapped(b, n, "~~", in_heading);
	else if (is(n, "code") || is(n, "kbd") || is(n, "samp") || is(n, "tt")) {
		xmlChar *t = xmlNodeGetContent(n);
		const char *s = t ? (const char *)t : "";
		if (*s) {
			size_t k = ticks(s) + 1;
			for (size_t i = 0; i < k; i++)
				buf_putc(b, '`');
			buf_putc(b, ' ');
			for (; *s; s++)
				buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
			buf_putc(b, ' ');
			for (size_t i = 0; i < k; i++)
				buf_putc(b, '`');
		}
		xmlFree(t);
	} else if (is(n, "a")) {
		xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
		bool ok = url_ok((const char *)href, false);
		struct buf in = {0};
		inlines(&in, n->children, in_heading);
		if (ok && in.len) {
			buf_putc(b, '[');
			buf_raw(b, in.s, in.len);
			buf_puts(b, "](");
			url_md(b, (const char *)href);
			buf_putc(b, ')');
		} else if (in.len)
			buf_raw(b, in.s, in.len);
		buf_free(&in);
		xmlFree(href);
	} else if (is(n, "img")) {
		xmlChar *src = xmlGetProp(n, (const xmlChar *)"src"), *alt = xmlGetProp(n, (const xmlChar *)"alt");
		if (url_ok((const char *)src, true)) {
			buf_puts(b, "![");
			text_md(b, alt ? (const char *)alt : "");
			buf_puts(b, "](");
			url_md(b, (const char *)src);
			buf_putc(b, ')');
		}
		xmlFree(src);
		xmlFree(alt);
	} else if (is(n, "br"))
		buf_puts(b, in_heading ? " " : "\\\n");
	else {
		inlines(b, n->children, in_heading);
		if (one_of(n, blockish) && b->len && b->s[b->len - 1] != ' ')
			buf_putc(b, ' ');
	}
}

static void
inlines(struct buf *b, xmlNode *n, bool in_heading)
{
	for (; n; n = n->next)
		inline_one(b, n, in_heading);
}

/* A finished block: a blank line before it unless it is the first. */
static void
block_start(struct buf *out)
{
	if (out->len)
		buf_puts(out, "\n");
}

/* A paragraph from inline text: trimmed, and a first character that would
 * start a heading, list, quote or rule escaped. */
static void
paragraph(struct buf *out, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	if (!n)
		return;
	block_start(out);
	size_t digits = strspn(s, "0123456789");
	if (strchr("#-+=>", *s))
		buf_putc(out, '\\');
	else if (digits && digits < n && (s[digits] == '.' || s[digits] == ')')) {
		buf_raw(out, s, digits);
		buf_putc(out, '\\');
		s += digits;
		n -= digits;
	}
	buf_raw(out, s, n);
	buf_putc(out, '\n');
}

/* Each line of what sub holds, with prefix before it (first: for the
 * first line, as a list marker). */
static void
prefixed(struct buf *out, const struct buf *sub, const char *first, const char *rest)
{
	const char *p = sub->s ? sub->s : "", *end = p + sub->len;
	bool one = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *pre = one ? first : rest;
		if (n || one)
			buf_puts(out, pre);
		else if (strchr(rest, '>'))
			buf_puts(out, ">");
		buf_raw(out, p, n);
		buf_putc(out, '\n');
		one = false;
		p += n + 1;
	}
}

static void blocks(struct buf *out, xmlNode *n);

static void
table_md(struct buf *out, xmlNode *t)
{
	/* the rows, in thead/tbody/tfoot or directly under the table */
	xmlNode *rows[512];
	int nrows = 0, ncols = 0;
	for (xmlNode *c = t->children; c && nrows < 512; c = c->next) {
		if (is(c, "tr"))
			rows[nrows++] = c;
		else if (is(c, "thead") || is(c, "tbody") || is(c, "tfoot"))
			for (xmlNode *r = c->children; r && nrows < 512; r = r->next)
				if (is(r, "tr"))
					rows[nrows++] = r;
	}
	for (int i = 0; i < nrows; i++) {
		int k = 0;
		for (xmlNode *c = rows[i]->children; c; c = c->next)
			k += is(c, "td") || is(c, "th");
		if (k > ncols)
			ncols = k;
	}
	if (!nrows || !ncols)
		return;
	block_start(out);
	for (int i = 0; i < nrows; i++) {
		int k = 0;
		buf_putc(out, '|');
		for (xmlNode *c = rows[i]->children; c; c = c->next) {
			if (!is(c, "td") && !is(c, "th"))
				continue;
			struct buf cell = {0};
			inlines(&cell, c->children, true);
			buf_putc(out, ' ');
			for (size_t j = 0; j < cell.len; j++)
				if (cell.s[j] != '\n')
					buf_putc(out, cell.s[j]);
			buf_puts(out, " |");
			buf_free(&cell);
			k++;
		}
		for (; k < ncols; k++)
			buf_puts(out, "  |");
		buf_putc(out, '\n');
		if (i == 0) {
			buf_putc(out, '|');
			for (int j = 0; j < ncols; j++)
				buf_puts(out, " --- |");
			buf_putc(out, '\n');
		}
	}
}

static void
block_one(struct buf *out, xmlNode *n)
{
	if (one_of(n, dropped))
		return;
	if (is(n, "h1") || is(n, "h2") || is(n, "h3") || is(n, "h4") || is(n, "h5") || is(n, "h6")) {
		int level = n->name[1] - '0';
		struct buf in = {0};
		size_t s, e;
		inline_trimmed(&in, n, true, &s, &e);
		if (e > s) {
			block_start(out);
			buf_puts(out, level <= 2 ? "## " : level == 3 ? "### " : "#### ");
			buf_raw(out, in.s + s, e - s);
			buf_putc(out, '\n');
		}
		buf_free(&in);
	} else if (is(n, "ul") || is(n, "ol")) {
		int i = 0;
		bool any = false;
		for (xmlNode *li = n->children; li; li = li->next) {
			if (!is(li, "li"))
				continue;
			struct buf sub = {0};
			blocks(&sub, li->children);
			if (!sub.len) {
				buf_free(&sub);
				continue;
			}
			if (!any)
				block_start(out);
			any = true;
			char marker[16];
			if (is(n, "ol"))
				snprintf(marker, sizeof marker, "%d. ", ++i);
			else
				snprintf(marker, sizeof marker, "- ");
			char indent[16];
			memset(indent, ' ', strlen(marker));
			indent[strlen(marker)] = 0;
			/* a tight list: the blank lines inside an item stay, between items none */
			while (sub.len && sub.s[sub.len - 1] == '\n')
				sub.len--;
			prefixed(out, &sub, marker, indent);
			buf_free(&sub);
		}
	} else if (is(n, "blockquote")) {
		struct buf sub = {0};
		blocks(&sub, n->children);
		while (sub.len && sub.s[sub.len - 1] == '\n')
			sub.len--;
		if (sub.len) {
			block_start(out);
			prefixed(out, &sub, "> ", "> ");
		}
		buf_free(&sub);
	} else if (is(n, "pre")) {
		xmlChar *t = xmlNodeGetContent(n);
		const char *s = t ? (const char *)t : "";
		size_t k = ticks(s) + 1;
		if (k < 3)
			k = 3;
		block_start(out);
		for (size_t i = 0; i < k; i++)
			buf_putc(out, '`');
		buf_putc(out, '\n');
		buf_puts(out, s);
		if (!*s || s[strlen(s) - 1] != '\n')
			buf_putc(out, '\n');
		for (size_t i = 0; i < k; i++)
			buf_putc(out, '`');
		buf_putc(out, '\n');
		xmlFree(t);
	} else if (is(n, "hr")) {
		block_start(out);
		buf_puts(out, "* * *\n");
	} else if (is(n, "table"))
		table_md(out, n);
	else
		blocks(out, n->children);   /* p, div, figure, section…: their content */
}

/* Block content: block elements each, runs of inline content as paragraphs. */
static void
blocks(struct buf *out, xmlNode *n)
{
	while (n) {
		if (inline_node(n)) {
			struct buf in = {0};
			for (; n && inline_node(n); n = n->next)
				inline_one(&in, n, false);
			if (in.len)
				paragraph(out, in.s, in.len);
			buf_free(&in);
			continue;
		}
		if (n->type == XML_ELEMENT_NODE)
			block_one(out, n);
		n = n->next;
	}
}

char *
html_to_markdown(const char *html, size_t len)
{
	struct buf out = {0};
	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOBLANKS);
	if (doc) {
		xmlNode *root = xmlDocGetRootElement(doc);
		xmlNode *body = root;
		for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
			if (is(c, "body"))
				body = c;
		if (body)
			blocks(&out, body == root ? root->children : body->children);
		xmlFreeDoc(doc);
	}
	buf_putc(&out, 0);   /* an empty string rather than NULL for empty input */
	out.len--;
	size_t n;
	return buf_detach(&out, &n);
}
