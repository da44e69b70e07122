/* audit_seo.c: `gazette audit seo`: reads the site as a search engine
 * does, from a server started for the purpose on loopback: robots.txt, the
 * sitemap index, every sitemap (the news ones too) and every page they
 * list or link as a translation. It lists each problem it finds: pages
 * that do not answer 200, noindex pages in a sitemap, URLs listed twice,
 * canonicals that are missing or point elsewhere, hreflang codes that are
 * not BCP 47, missing self-references and x-default, translations that do
 * not link back, sitemap alternates that disagree with the page, news
 * sitemap entries outside the 48-hour window, and article pages without
 * valid JSON-LD (NewsArticle, OpinionNewsArticle or BlogPosting with its
 * required fields). It judges what crawlers get, so it never reads the
 * database itself; libcurl fetches, libxml2 parses HTML and XML, Jansson
 * parses JSON-LD, ICU checks language tags. */
#include "site.h"
#include <curl/curl.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/uloc.h>

#define MAX_ALTS 32
#define NEWS_WINDOW (48 * 3600)

struct alt {
	char *hreflang, *href;
};

struct crawled {
	char *url;
	int in_sitemaps;             /* times listed in the (non-news) sitemaps */
	int sitemap_nalt;            /* alternates the sitemap gives, -1: none given */
	struct alt sitemap_alt[MAX_ALTS];
	bool fetched;
	int status;
	char *lang, *canonical;
	bool noindex;
	int nalt;
	struct alt alt[MAX_ALTS];
	struct crawled *next;        /* in the hash bucket */
};

struct audit {
	const char *base;
	CURL *curl;
	struct crawled *bucket[4096];
	struct crawled **all;
	size_t n, cap;
	int problems, sitemaps;
	long long now;
	FILE *out;
};

static void
problem(struct audit *au, const char *url, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(au->out, "%s: ", url);
	vfprintf(au->out, fmt, ap);
	fputc('\n', au->out);
	va_end(ap);
	au->problems++;
}

static struct crawled *
page_of(struct audit *au, const char *url, bool add)
{
	unsigned long long h = str_hash(url) % 4096;
	for (struct crawled *c = au->bucket[h]; c; c = c->next)
		if (strcmp(c->url, url) == 0)
			return c;
	if (!add)
		return NULL;
	struct crawled *c = xcalloc(1, sizeof *c);
	c->url = xstrdup(url);
	c->sitemap_nalt = -1;
	c->next = au->bucket[h];
	au->bucket[h] = c;
	if (au->n == au->cap) {
		au->cap = au->cap ? au->cap * 2 : 256;
		au->all = xrealloc(au->all, au->cap * sizeof *au->all);
	}
	au->all[au->n++] = c;
	return c;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	buf_raw(b, data, size * n);
	return size * n;
}

/* GET url into b; the HTTP status, or 0 when nothing answered. */
static long
fetch(struct audit *au, const char *url, struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
	curl_easy_setopt(au->curl, CURLOPT_URL, url);
	curl_easy_setopt(au->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(au->curl, CURLOPT_WRITEDATA, b);
	long status = 0;
	if (curl_easy_perform(au->curl) == CURLE_OK)
		curl_easy_getinfo(au->curl, CURLINFO_RESPONSE_CODE, &status);
	buf_putc(b, 0);
	b->len--;
	return status;
}

/* The string values an XPath expression selects (attributes or text). */
static int
xpath_strings(xmlXPathContextPtr x, const char *expr, char **out, int max)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
	int n = 0;
	if (r && r->nodesetval)
		for (int i = 0; i < r->nodesetval->nodeNr && n < max; i++) {
			xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
			out[n++] = xstrdup(s ? (const char *)s : "");
			xmlFree(s);
		}
	xmlXPathFreeObject(r);
	return n;
}

static void
free_strings(char **s, int n)
{
	for (int i = 0; i < n; i++)
		free(s[i]);
}

/* "2026-11-27T08:15:00Z" (or with +hh:mm) → Unix time, -1 if not that. */
static long long
iso_time(const char *s)
{
	struct tm tm = {0};
	char rest[16] = "";
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%15s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, rest) < 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long long t = (long long)timegm(&tm);
	int oh, om;
	if (strcmp(rest, "Z") == 0 || !*rest)
		return t;
	if (sscanf(rest + 1, "%2d:%2d", &oh, &om) == 2 && (rest[0] == '+' || rest[0] == '-'))
		return t - (rest[0] == '+' ? 1 : -1) * (oh * 3600LL + om * 60);
	return -1;
}

static bool
bcp47_ok(const char *tag)
{
	if (strcmp(tag, "x-default") == 0)
		return true;
	char loc[ULOC_FULLNAME_CAPACITY];
	int32_t parsed = 0;
	UErrorCode err = U_ZERO_ERROR;
	uloc_forLanguageTag(tag, loc, sizeof loc, &parsed, &err);
	return U_SUCCESS(err) && parsed == (int32_t)strlen(tag) && *tag && !strchr(tag, '_');
}

/* One sitemap or sitemap index: queues what it lists. */
static void
read_sitemap(struct audit *au, const char *url, char ***queue, int *nq, int *cq)
{
	struct buf b = {0};
	long st = fetch(au, url, &b);
	au->sitemaps++;
	if (st != 200) {
		problem(au, url, "sitemap answers %ld", st);
		buf_free(&b);
		return;
	}
	xmlDocPtr doc = xmlReadMemory(b.s, (int)b.len, url, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	buf_free(&b);
	if (!doc) {
		problem(au, url, "sitemap is not well-formed XML");
		return;
	}
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, (const xmlChar *)"sm", (const xmlChar *)"http://www.sitemaps.org/schemas/sitemap/0.9");
	xmlXPathRegisterNs(x, (const xmlChar *)"xhtml", (const xmlChar *)"http://www.w3.org/1999/xhtml");
	xmlXPathRegisterNs(x, (const xmlChar *)"news", (const xmlChar *)"http://www.google.com/schemas/sitemap-news/0.9");
	char *locs[4096];
	int n = xpath_strings(x, "/sm:sitemapindex/sm:sitemap/sm:loc", locs, 4096);
	for (int i = 0; i < n; i++) {
		if (*nq == *cq) {
			*cq = *cq ? *cq * 2 : 64;
			*queue = xrealloc(*queue, (size_t)*cq * sizeof **queue);
		}
		(*queue)[(*nq)++] = locs[i];
	}
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)"/sm:urlset/sm:url", x);
	bool news = strstr(url, "-news.xml") != NULL;
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		x->node = r->nodesetval->nodeTab[i];
		char *loc[1], *date[1], *hl[MAX_ALTS], *href[MAX_ALTS];
		if (xpath_strings(x, "sm:loc", loc, 1) != 1) {
			problem(au, url, "an entry has no <loc>");
			continue;
		}
		struct crawled *c = page_of(au, loc[0], true);
		if (news) {
			if (xpath_strings(x, "news:news/news:publication_date", date, 1) == 1) {
				long long t = iso_time(date[0]);
				if (t < 0)
					problem(au, loc[0], "news sitemap date '%s' is not ISO 8601", date[0]);
				else if (t < au->now - NEWS_WINDOW || t > au->now + 300)
					problem(au, loc[0], "in the news sitemap but published %s, outside the last 48 hours", date[0]);
				free(date[0]);
			} else
				problem(au, loc[0], "news sitemap entry without a publication date");
		} else {
			c->in_sitemaps++;
			int nh = xpath_strings(x, "xhtml:link[@rel='alternate']/@hreflang", hl, MAX_ALTS);
			int nr = xpath_strings(x, "xhtml:link[@rel='alternate']/@href", href, MAX_ALTS);
			if (nh && nh == nr && c->sitemap_nalt < 0) {
				c->sitemap_nalt = nh;
				for (int k = 0; k < nh; k++)
					c->sitemap_alt[k] = (struct alt){hl[k], href[k]};
			} else {
				free_strings(hl, nh);
				free_strings(href, nr);
			}
		}
		free(loc[0]);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
}

/* JSON-LD of an article page: one object (or one in @graph) of an article
 * type with every required field; NULL when fine, else what is wrong. */
static const char *
article_ld_problem(char **blocks, int n)
{
	static const char *types[] = {"NewsArticle", "OpinionNewsArticle", "BlogPosting", "Article"};
	static const char *fields[] = {"headline", "datePublished", "author", "inLanguage", "publisher", "mainEntityOfPage"};
	const char *why = "no JSON-LD of an article type (NewsArticle, OpinionNewsArticle, BlogPosting)";
	for (int i = 0; i < n; i++) {
		json_error_t err;
		json_t *root = json_loads(blocks[i], 0, &err);
		if (!root)
			return "a JSON-LD block is not valid JSON";
		json_t *graph = json_object_get(root, "@graph");
		size_t count = json_is_array(graph) ? json_array_size(graph) : 1;
		for (size_t k = 0; k < count; k++) {
			json_t *o = json_is_array(graph) ? json_array_get(graph, k) : root;
			const char *type = json_string_value(json_object_get(o, "@type"));
			bool article = false;
			for (size_t t = 0; type && t < sizeof types / sizeof *types; t++)
				article |= strcmp(type, types[t]) == 0;
			if (!article)
				continue;
			why = NULL;
			for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
				json_t *v = json_object_get(o, fields[f]);
				if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
				    (json_is_array(v) && json_array_size(v) == 0)) {
					static __thread char msg[96];
					snprintf(msg, sizeof msg, "the %s JSON-LD has no %s", type, fields[f]);
					why = msg;
					break;
				}
			}
		}
		json_decref(root);
		if (!why)
			return NULL;
	}
	return why;
}

/* Fetches and reads one page; checks what the page alone can show. */
static void
read_page(struct audit *au, struct crawled *c)
{
	struct buf b = {0};
	c->fetched = true;
	c->status = (int)fetch(au, c->url, &b);
	if (c->status != 200) {
		problem(au, c->url, "answers %d%s", c->status, c->in_sitemaps ? " but is in a sitemap" : "");
		buf_free(&b);
		return;
	}
	htmlDocPtr doc = htmlReadMemory(b.s, (int)b.len, c->url, "utf-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	buf_free(&b);
	if (!doc) {
		problem(au, c->url, "the page could not be parsed as HTML");
		return;
	}
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	char *one[1], *hl[MAX_ALTS], *href[MAX_ALTS], *ld[8];
	if (xpath_strings(x, "/html/@lang", one, 1) == 1)
		c->lang = one[0];
	if (xpath_strings(x, "//head/link[@rel='canonical']/@href", one, 1) == 1)
		c->canonical = one[0];
	if (xpath_strings(x, "//head/meta[@name='robots']/@content", one, 1) == 1) {
		c->noindex = strstr(one[0], "noindex") != NULL;
		free(one[0]);
	}
	int nh = xpath_strings(x, "//head/link[@rel='alternate'][@hreflang]/@hreflang", hl, MAX_ALTS);
	int nr = xpath_strings(x, "//head/link[@rel='alternate'][@hreflang]/@href", href, MAX_ALTS);
	for (int i = 0; i < nh && i < nr; i++)
		c->alt[c->nalt++] = (struct alt){hl[i], href[i]};
	for (int i = nr; i < nh; i++)
		free(hl[i]);
	for (int i = nh; i < nr; i++)
		free(href[i]);
	int nld = xpath_strings(x, "//script[@type='application/ld+json']", ld, 8);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);

	if (c->noindex && c->in_sitemaps)
		problem(au, c->url, "is noindex but listed in a sitemap");
	if (c->in_sitemaps > 1)
		problem(au, c->url, "is listed %d times in the sitemaps", c->in_sitemaps);
	if (!c->noindex) {
		if (!c->canonical)
			problem(au, c->url, "has no canonical link");
		else if (strcmp(c->canonical, c->url) != 0)
			problem(au, c->url, "canonical points elsewhere: %s", c->canonical);
	}
	bool self = false, xdef = false;
	for (int i = 0; i < c->nalt; i++) {
		if (!bcp47_ok(c->alt[i].hreflang))
			problem(au, c->url, "hreflang '%s' is not a valid BCP 47 language tag", c->alt[i].hreflang);
		for (int k = 0; k < i; k++)
			if (strcasecmp(c->alt[k].hreflang, c->alt[i].hreflang) == 0)
				problem(au, c->url, "hreflang '%s' is given twice", c->alt[i].hreflang);
		if (strcmp(c->alt[i].hreflang, "x-default") == 0)
			xdef = true;
		else if (strcmp(c->alt[i].href, c->url) == 0) {
			self = true;
			if (c->lang && strncasecmp(c->lang, c->alt[i].hreflang, strlen(c->alt[i].hreflang)) != 0)
				problem(au, c->url, "hreflang '%s' for itself, but the page says lang=\"%s\"", c->alt[i].hreflang, c->lang);
		}
	}
	if (c->nalt && !self)
		problem(au, c->url, "hreflang alternates do not include the page itself");
	if (c->nalt > 1 && !xdef)
		problem(au, c->url, "hreflang alternates have no x-default");
	for (int i = 0; i < nld; i++) {
		json_error_t err;
		json_t *j = json_loads(ld[i], 0, &err);
		if (!j)
			problem(au, c->url, "JSON-LD block %d is not valid JSON (line %d: %s)", i + 1, err.line, err.text);
		json_decref(j);
	}
	/* an article: /{edition}/YYYY/MM/slug */
	const char *path = c->url + strlen(au->base);
	int y, m;
	char ed[16], slug[2];
	if (sscanf(path, "/%15[^/]/%4d/%2d/%1[^/]", ed, &y, &m, slug) == 4) {
		const char *why = article_ld_problem(ld, nld);
		if (why)
			problem(au, c->url, "%s", why);
	}
	free_strings(ld, nld);
}

/* What only the whole site shows: translations that link back, sitemap
 * and page agreeing. */
static void
check_links(struct audit *au)
{
	for (size_t i = 0; i < au->n; i++) {
		struct crawled *c = au->all[i];
		if (!c->fetched || c->status != 200)
			continue;
		for (int k = 0; k < c->nalt; k++) {
			const struct alt *a = &c->alt[k];
			if (strcmp(a->hreflang, "x-default") == 0 || strcmp(a->href, c->url) == 0)
				continue;
			struct crawled *t = page_of(au, a->href, false);
			if (!t || t->status != 200)
				continue;   /* said when it was read */
			bool back = false;
			for (int j = 0; j < t->nalt; j++)
				back |= strcmp(t->alt[j].href, c->url) == 0;
			if (!back)
				problem(au, c->url, "lists %s as its '%s' version, which does not list it back", a->href, a->hreflang);
			if (t->lang && strncasecmp(t->lang, a->hreflang, strlen(a->hreflang)) != 0)
				problem(au, c->url, "lists %s as '%s', but that page says lang=\"%s\"", a->href, a->hreflang, t->lang);
		}
		if (c->sitemap_nalt >= 0) {
			bool same = c->nalt == c->sitemap_nalt;
			for (int s = 0; same && s < c->sitemap_nalt; s++) {
				bool found = false;
				for (int k = 0; k < c->nalt; k++)
					found |= strcmp(c->alt[k].hreflang, c->sitemap_alt[s].hreflang) == 0 &&
					    strcmp(c->alt[k].href, c->sitemap_alt[s].href) == 0;
				same = found;
			}
			if (!same)
				problem(au, c->url, "the sitemap and the page give different hreflang alternates");
		}
	}
}

int
audit_seo_run(const char *base, FILE *out)
{
	struct audit au = {.base = base, .now = (long long)time(NULL), .out = out};
	au.curl = curl_easy_init();
	if (!au.curl)
		return -1;
	curl_easy_setopt(au.curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(au.curl, CURLOPT_NOSIGNAL, 1L);   /* no SIGALRM for timeouts: other threads run here */
	curl_easy_setopt(au.curl, CURLOPT_USERAGENT, "gazette-audit");
	curl_easy_setopt(au.curl, CURLOPT_PROTOCOLS_STR, "http,https");
	struct buf b = {0};
	char *robots_url = NULL;
	if (asprintf(&robots_url, "%s/robots.txt", base) < 0)
		return -1;
	long st = fetch(&au, robots_url, &b);
	char **queue = NULL;
	int nq = 0, cq = 0;
	if (st != 200)
		problem(&au, robots_url, "answers %ld", st);
	else
		for (const char *line = b.s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
			if (strncasecmp(line, "Sitemap:", 8) == 0) {
				const char *v = line + 8;
				v += strspn(v, " \t");
				size_t n = strcspn(v, "\r\n");
				if (nq == cq) {
					cq = cq ? cq * 2 : 8;
					queue = xrealloc(queue, (size_t)cq * sizeof *queue);
				}
				queue[nq++] = xstrndup(v, n);
			}
	if (st == 200 && !nq)
		problem(&au, robots_url, "names no sitemap");
	buf_free(&b);
	for (int i = 0; i < nq; i++) {
		read_sitemap(&au, queue[i], &queue, &nq, &cq);
		free(queue[i]);
	}
	free(queue);
	/* every page listed, then every translation they name */
	for (size_t i = 0; i < au.n; i++) {
		struct crawled *c = au.all[i];
		read_page(&au, c);
		for (int k = 0; k < c->nalt; k++)
			if (strncmp(c->alt[k].href, base, strlen(base)) == 0)
				page_of(&au, c->alt[k].href, true);
			else
				problem(&au, c->url, "hreflang '%s' points off the site: %s", c->alt[k].hreflang, c->alt[k].href);
	}
	check_links(&au);
	fprintf(out, "%zu pages and %d sitemaps checked: %d problem%s\n", au.n, au.sitemaps, au.problems, au.problems == 1 ? "" : "s");
	for (size_t i = 0; i < au.n; i++) {
		struct crawled *c = au.all[i];
		for (int k = 0; k < c->nalt; k++)
			free(c->alt[k].hreflang), free(c->alt[k].href);
		for (int k = 0; k < (c->sitemap_nalt > 0 ? c->sitemap_nalt : 0); k++)
			free(c->sitemap_alt[k].hreflang), free(c->sitemap_alt[k].href);
		free(c->url);
		free(c->lang);
		free(c->canonical);
		free(c);
	}
	free(au.all);
	free(robots_url);
	curl_easy_cleanup(au.curl);
	return au.problems;
}
