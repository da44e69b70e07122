/* markdown.c: the one place Markdown becomes HTML. Uses cmark-gfm with the
 * table, autolink, strikethrough and tagfilter extensions and never the
 * UNSAFE option, so raw HTML and script URLs cannot reach a page. */
#include "markdown.h"
#include "arena.h"
#include "buf.h"
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void
ext_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

/* Reader profile: images become their alt text, links gain rel. cmark's
 * output is already sanitised, so plain string rewriting of its "<a href="
 * is safe: the URL it wrote is escaped and its scheme checked. */
static void
reader_rewrite(struct buf *out, const char *html, size_t n)
{
	static const char a_open[] = "<a href=\"";
	size_t i = 0;
	while (i < n) {
		const char *p = memmem(html + i, n - i, a_open, sizeof a_open - 1);
		if (!p) {
			buf_raw(out, html + i, n - i);
			break;
		}
		const char *q = memchr(p + sizeof a_open - 1, '"', (size_t)(html + n - (p + sizeof a_open - 1)));
		if (!q) {
			buf_raw(out, html + i, n - i);
			break;
		}
		buf_raw(out, html + i, (size_t)(q + 1 - (html + i)));
		buf_puts(out, " rel=\"nofollow ugc noopener\"");
		i = (size_t)(q + 1 - html);
	}
}

static void
drop_images(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_EXIT && cmark_node_get_type(n) == CMARK_NODE_IMAGE) {
			/* keep the alt text (the children), drop the image */
			cmark_node *c;
			while ((c = cmark_node_first_child(n)))
				cmark_node_insert_before(n, c);
			cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
			cmark_node_set_literal(text, "");
			cmark_node_replace(n, text);
			cmark_iter_reset(it, text, CMARK_EVENT_EXIT);
			cmark_node_free(n);
		}
	}
	cmark_iter_free(it);
}

#define MD_OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

/* A parser with the extensions every profile uses, fed src. */
static cmark_parser *
md_parse(const char *src, size_t srclen, cmark_node **doc)
{
	pthread_once(&ext_once, ext_init);
	cmark_parser *p = cmark_parser_new(MD_OPTS);
	static const char *exts[] = {"table", "autolink", "strikethrough", "tagfilter"};
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, src, srclen);
	*doc = cmark_parser_finish(p);
	return p;
}

char *
md_html_text(const char *html, size_t n)
{
	/* md_render's own output: tags are well formed, text escapes only
	 * & < > " (cmark turns every other entity into UTF-8 when parsing) */
	static const struct { const char *ent, *ch; } ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}};
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	bool space = true;   /* no leading space */
	for (size_t i = 0; i < n;) {
		char ch = html[i];
		if (ch == '<') {
			/* the end of a heading: a mark, so that a snippet does not run
			 * the heading into the paragraph after it */
			bool heading = i + 3 < n && html[i + 1] == '/' && html[i + 2] == 'h' && html[i + 3] >= '1' && html[i + 3] <= '6';
			const char *gt = memchr(html + i, '>', n - i);
			i = gt ? (size_t)(gt - html) + 1 : n;
			if (heading && o > out) {
				if (o[-1] != ' ')
					*o++ = ' ';
				memcpy(o, "\xc2\xb7", 2);   /* · */
				o += 2;
				space = false;
			}
			ch = ' ';
		} else if (ch == '&') {
			size_t k = 0;
			while (k < 4 && strncmp(html + i, ents[k].ent, strlen(ents[k].ent)) != 0)
				k++;
			if (k < 4) {
				i += strlen(ents[k].ent);
				ch = ents[k].ch[0];
			} else
				i++;
		} else
			i++;
		if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
			if (!space)
				*o++ = ' ';
			space = true;
		} else {
			*o++ = ch;
			space = false;
		}
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = 0;
	return out;
}

char *
md_render(const char *src, size_t srclen, enum md_profile profile, size_t *len)
{
	int opts = MD_OPTS;
	cmark_node *doc;
	cmark_parser *p = md_parse(src, srclen, &doc);
	if (profile == MD_READER)
		drop_images(doc);
	char *html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
	cmark_node_free(doc);
	cmark_parser_free(p);
	struct buf out = {0};
	if (profile == MD_READER)
		reader_rewrite(&out, html, strlen(html));
	else {
		/* pictures in an article load as the reader scrolls to them; the
		 * "<img " here can only be cmark's own tag (text is escaped) */
		const char *at = html;
		for (const char *img; (img = strstr(at, "<img ")); at = img + 5) {
			buf_raw(&out, at, (size_t)(img - at));
			buf_puts(&out, "<img loading=\"lazy\" decoding=\"async\" ");
		}
		buf_puts(&out, at);
	}
	free(html);
	return buf_detach(&out, len);
}
