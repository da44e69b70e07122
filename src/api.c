/* api.c: the read-only Content API, /api/v1/…: an edition's articles
 * (filters, cursor pages), one article with its translations, sections,
 * tags, authors and events, as JSON, for a valid key (?key=, made by
 * `gazette api-key add`), with CORS for the key's origins; and its
 * OpenAPI document at /api/v1/openapi.json (docs/api/openapi.json, built
 * in). Every string goes out through buf_esc_json. Responses are never put
 * in the page cache: they depend on the key and on the caller's Origin. */
#include "site.h"
#include "core/embed.h"
#include "core/router.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIMIT_DEFAULT 15
#define LIMIT_MAX 50

static void
json_error(struct req *r, int status, const char *type, const char *message)
{
	r->body.len = 0;
	buf_puts(&r->body, "{\"errors\":[{\"type\":");
	buf_esc_json(&r->body, type, strlen(type));
	buf_puts(&r->body, ",\"message\":");
	buf_esc_json(&r->body, message, strlen(message));
	buf_puts(&r->body, "}]}\n");
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
}

static void
json_send(struct req *r)
{
	buf_putc(&r->body, '\n');
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
}

/* "key": "value" (NULL writes null), after a comma unless first. */
static void
jstr(struct buf *b, const char *key, const char *v, bool first)
{
	if (!first)
		buf_putc(b, ',');
	buf_esc_json(b, key, strlen(key));
	buf_putc(b, ':');
	if (v)
		buf_esc_json(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static void
jint(struct buf *b, const char *key, long long v)
{
	buf_putc(b, ',');
	buf_esc_json(b, key, strlen(key));
	buf_printf(b, ":%lld", v);
}

/* RFC 3339 UTC, or null for 0. */
static void
jtime(struct buf *b, const char *key, long long t)
{
	buf_putc(b, ',');
	buf_esc_json(b, key, strlen(key));
	if (!t) {
		buf_puts(b, ":null");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char s[32];
	strftime(s, sizeof s, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	buf_printf(b, ":%s", s);
}

/* Checks ?key= and answers CORS for the key's origins; false (and the 401
 * sent) when the key is missing, unknown or revoked. */
static bool
api_auth(struct req *r)
{
	const char *key = req_query(r, "key");
	if (!key || !*key || strlen(key) > 128) {
		json_error(r, 401, "unauthorized", "An API key is required: ?key=… (made by 'gazette api-key add').");
		return false;
	}
	struct db_stmt *st = db_query(req_db(r), "SELECT origins FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", "s",
	    site_mac_hex(&r->a, "api-key", key, 64));
	const char *origins = db_row(st) ? db_atext(st, 0, &r->a) : NULL;
	if (db_done(st) < 0) {
		json_error(r, db_outage(req_db(r)) ? 503 : 500, "unavailable", "The database could not be read.");
		return false;
	}
	if (!origins) {
		json_error(r, 401, "unauthorized", "Unknown or revoked API key.");
		return false;
	}
	const char *origin = req_header(r, "Origin");
	if (origin && *origin && !strpbrk(origin, " \t\r\n")) {
		size_t n = strlen(origin);
		for (const char *p = origins; *p;) {
			size_t l = strcspn(p, " ");
			if (l == n && strncmp(p, origin, n) == 0) {
				resp_header(r, "Access-Control-Allow-Origin", arena_strdup(&r->a, origin));
				break;
			}
			p += l;
			p += strspn(p, " ");
		}
		resp_header(r, "Vary", "Origin");
	}
	resp_header(r, "Cache-Control", "private, no-store");
	return true;
}

/* The request's reference data (released when the request ends). */
static const struct refdata *
api_rd(struct req *r)
{
	if (!r->app)
		r->app = (void *)refdata_get(r);
	return r->app;
}

/* A request's key and edition: the edition, or NULL with the error sent. */
static const struct edition *
api_open(struct req *r)
{
	if (!api_auth(r))
		return NULL;
	const struct edition *ed = edition_find(r->params[0]);
	if (!ed)
		json_error(r, 404, "not_found", "No such edition.");
	return ed;
}

/* Ends a list that st filled: the closing text and the answer, or a 500. */
static void
api_finish(struct req *r, struct db_stmt *st, const char *close)
{
	if (db_done(st) < 0) {
		json_error(r, 500, "internal", "The list could not be read.");
		return;
	}
	buf_puts(&r->body, close);
	json_send(r);
}

/* {"slug":…,"name":…,"url":…} of a term, an author or a tag at path. */
static void
jref(struct req *r, struct buf *b, const char *slug, const char *name, const char *path)
{
	buf_putc(b, '{');
	jstr(b, "slug", slug, true);
	jstr(b, "name", name, false);
	jstr(b, "url", arena_cat(&r->a, site_base_url(), path, NULL), false);
	buf_putc(b, '}');
}

/* {"slug","name","url"} of a term in an edition, or null. */
static void
jterm(struct req *r, struct buf *b, const char *key, const char *taxonomy, long long id, int edi)
{
	const struct refdata *rd = api_rd(r);
	const char *slug = id ? ref_term_slug(rd, id, edi) : NULL, *name = id ? ref_term_name(rd, id, edi) : NULL;
	buf_putc(b, ',');
	buf_esc_json(b, key, strlen(key));
	buf_putc(b, ':');
	if (!slug || !name) {
		buf_puts(b, "null");
		return;
	}
	jref(r, b, slug, name, url_term(&r->a, edition_at(edi)->code, taxonomy, slug));
}


/* The authors of an article (its byline copy "3,1"), as a JSON array. */
static void
jauthors(struct req *r, struct buf *b, const char *ed, const char *byline)
{
	const struct refdata *rd = api_rd(r);
	buf_puts(b, ",\"authors\":[");
	bool first = true;
	for (const char *p = byline ? byline : ""; *p;) {
		long long id = atoll(p);
		const char *slug = ref_author_slug(rd, id), *name = ref_author_name(rd, id);
		if (slug && name) {
			if (!first)
				buf_putc(b, ',');
			jref(r, b, slug, name, url_author(&r->a, ed, slug));
			first = false;
		}
		p += strcspn(p, ",");
		p += *p == ',';
	}
	buf_putc(b, ']');
}

#define API_ARTICLE_COLUMNS "a.id, a.slug, a.title, a.standfirst, a.kind, a.published_at, a.updated_at, a.section_id, a.byline, " \
	"a.comment_count, a.category_id, a.translation_group"

/* One article's fields common to the list and the single view. */
static void
jarticle_head(struct req *r, struct buf *b, const struct edition *ed, struct db_stmt *st)
{
	int edi = edition_index(ed);
	long long pub = db_int(st, 5);
	buf_printf(b, "{\"id\":%lld", db_int(st, 0));
	jstr(b, "slug", db_text(st, 1), false);
	jstr(b, "url", arena_cat(&r->a, site_base_url(), url_article(&r->a, ed->code, db_text(st, 1), pub), NULL), false);
	jstr(b, "edition", ed->code, false);
	jstr(b, "title", db_text(st, 2), false);
	jstr(b, "standfirst", db_text(st, 3), false);
	jstr(b, "kind", db_text(st, 4), false);
	jtime(b, "published_at", pub);
	jtime(b, "updated_at", db_isnull(st, 6) ? 0 : db_int(st, 6));
	jterm(r, b, "section", "section", db_isnull(st, 7) ? 0 : db_int(st, 7), edi);
	jauthors(r, b, ed->code, db_text(st, 8));
	jint(b, "comment_count", db_int(st, 9));
}

/* GET /api/v1/{edition}/articles?kind=&section=&tag=&author=&limit=&cursor= */
static void
api_articles(struct req *r)
{
	const struct edition *ed = api_open(r);
	if (!ed)
		return;
	struct db_conn *c = req_db(r);
	const char *kind = req_query(r, "kind"), *section = req_query(r, "section"), *tag = req_query(r, "tag");
	const char *author = req_query(r, "author"), *limit_s = req_query(r, "limit"), *cursor = req_query(r, "cursor");
	long long limit = LIMIT_DEFAULT, ct = 1LL << 62, cid = 1LL << 62, sec = 0, tg = 0, au = 0;
	if (limit_s) {
		char *end;
		limit = strtoll(limit_s, &end, 10);
		if (*end || !*limit_s || limit < 1 || limit > LIMIT_MAX) {
			json_error(r, 400, "bad_request", "limit must be a number from 1 to 50.");
			return;
		}
	}
	if (cursor && !listing_cursor(cursor, &ct, &cid)) {
		json_error(r, 400, "bad_request", "cursor must be a next_cursor value from an earlier page.");
		return;
	}
	if (kind && !kind_valid(kind)) {
		json_error(r, 400, "bad_request", "kind must be news, opinion or blog.");
		return;
	}
	if (section && !(sec = db_int1(c, 0, "SELECT term_id FROM term_names WHERE edition = ? AND taxonomy = 'section' AND slug = ?", "ss",
	    ed->code, section))) {
		json_error(r, 400, "bad_request", "No such section in this edition.");
		return;
	}
	if (tag && !(tg = db_int1(c, 0, "SELECT term_id FROM term_names WHERE edition = ? AND taxonomy = 'tag' AND slug = ?", "ss",
	    ed->code, tag))) {
		json_error(r, 400, "bad_request", "No such tag in this edition.");
		return;
	}
	if (author && !(au = db_int1(c, 0, "SELECT id FROM authors WHERE slug = ?", "s", author))) {
		json_error(r, 400, "bad_request", "No such author.");
		return;
	}
	/* One listing drives the walk, the narrowest filter's (a tag, an author,
	 * a section, a kind, else the edition's "front", which holds every
	 * published story), so a rare tag reads its own stories, not the
	 * edition's; the other filters test each row. The cursor's time, when
	 * earlier than now, is the index range's upper bound: the OR below only
	 * filters (see listing_keyset). */
	char list[40];
	if (tg)
		snprintf(list, sizeof list, "t:%lld", tg);
	else if (au)
		snprintf(list, sizeof list, "au:%lld", au);
	else if (sec)
		snprintf(list, sizeof list, "t:%lld", sec);
	else if (kind)
		snprintf(list, sizeof list, "k:%s", kind);
	else
		snprintf(list, sizeof list, "front");
	long long now = (long long)time(NULL), upto = ct < now ? ct : now;
	struct db_stmt *st = db_query(c, "SELECT " API_ARTICLE_COLUMNS " FROM article_listings l CROSS JOIN articles a "
	    "WHERE a.id = l.article_id AND l.list = ? AND l.edition = ? AND l.listed_at <= ? AND a.status = 'published' "
	    "AND (? = '' OR a.kind = ?) AND (? = 0 OR a.section_id = ?) "
	    "AND (? = 0 OR EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.term_id = ?)) "
	    "AND (? = 0 OR EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = ?)) "
	    "AND (l.listed_at < ? OR (l.listed_at = ? AND l.article_id < ?)) "
	    "ORDER BY l.listed_at DESC, l.article_id DESC LIMIT ?", "ssissiiiiiiiiii", list, ed->code, upto, kind ? kind : "",
	    kind ? kind : "", sec, sec, tg, tg, au, au, ct, ct, cid, limit + 1);
	struct buf *b = &r->body;
	buf_puts(b, "{\"articles\":[");
	long long n = 0, last_t = 0, last_id = 0;
	bool more = false;
	while (db_row(st)) {
		if (n == limit) {
			more = true;
			break;
		}
		if (n++)
			buf_putc(b, ',');
		jarticle_head(r, b, ed, st);
		buf_putc(b, '}');
		last_t = db_int(st, 5);
		last_id = db_int(st, 0);
	}
	if (db_done(st) < 0) {
		json_error(r, 500, "internal", "The articles could not be read.");
		return;
	}
	buf_printf(b, "],\"meta\":{\"limit\":%lld,\"count\":%lld", limit, n);
	jstr(b, "next_cursor", more ? arena_printf(&r->a, "%lld.%lld", last_t, last_id) : NULL, false);
	buf_puts(b, "}}");
	json_send(r);
}

/* GET /api/v1/{edition}/articles/{slug} */
static void
api_article(struct req *r)
{
	const struct edition *ed = api_open(r);
	if (!ed)
		return;
	struct db_conn *c = req_db(r);
	long long now = (long long)time(NULL);
	struct db_stmt *st = db_query(c, "SELECT " API_ARTICLE_COLUMNS ", b.body_html FROM articles a "
	    "LEFT JOIN article_bodies b ON b.article_id = a.id WHERE a.edition = ? AND a.slug = ? AND a.status = 'published' "
	    "AND a.published_at <= ?", "ssi", ed->code, r->params[1], now);
	struct buf *b = &r->body;
	if (!db_row(st)) {
		if (db_done(st) < 0)
			json_error(r, 500, "internal", "The article could not be read.");
		else
			json_error(r, 404, "not_found", "No such published article in this edition.");
		return;
	}
	long long id = db_int(st, 0), category = db_isnull(st, 10) ? 0 : db_int(st, 10), group = db_isnull(st, 11) ? 0 : db_int(st, 11);
	buf_puts(b, "{\"article\":");
	jarticle_head(r, b, ed, st);
	jterm(r, b, "category", "category", category, edition_index(ed));
	jstr(b, "body_html", db_text(st, 12) ? db_text(st, 12) : "", false);
	db_done(st);
	buf_puts(b, ",\"tags\":[");
	st = db_query(c, "SELECT n.slug, n.name FROM article_tags t JOIN term_names n ON n.term_id = t.term_id AND n.edition = ? "
	    "WHERE t.article_id = ? ORDER BY n.name", "si", ed->code, id);
	for (int i = 0; db_row(st); i++) {
		if (i)
			buf_putc(b, ',');
		jref(r, b, db_text(st, 0), db_text(st, 1), url_term(&r->a, ed->code, "tag", db_text(st, 0)));
	}
	db_done(st);
	buf_puts(b, "],\"translations\":[");
	st = db_query(c, "SELECT edition, slug, title, published_at FROM articles WHERE translation_group = ? AND id <> ? "
	    "AND status = 'published' AND published_at <= ? ORDER BY edition", "iii", group, id, now);
	for (int i = 0; group && db_row(st); i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		jstr(b, "edition", db_text(st, 0), true);
		jstr(b, "slug", db_text(st, 1), false);
		jstr(b, "title", db_text(st, 2), false);
		jstr(b, "url", arena_cat(&r->a, site_base_url(), url_article(&r->a, db_text(st, 0), db_text(st, 1), db_int(st, 3)), NULL),
		    false);
		buf_putc(b, '}');
	}
	if (db_done(st) < 0) {
		json_error(r, 500, "internal", "The article could not be read.");
		return;
	}
	buf_puts(b, "]}}");
	json_send(r);
}

/* GET /api/v1/{edition}/sections and /tags */
static void
api_terms(struct req *r, const char *taxonomy)
{
	const struct edition *ed = api_open(r);
	if (!ed)
		return;
	struct db_stmt *st = db_query(req_db(r), "SELECT n.slug, n.name, n.description FROM term_names n JOIN terms t ON t.id = n.term_id "
	    "WHERE n.edition = ? AND n.taxonomy = ? ORDER BY t.position, n.name", "ss", ed->code, taxonomy);
	struct buf *b = &r->body;
	buf_printf(b, "{\"%s\":[", strcmp(taxonomy, "tag") == 0 ? "tags" : "sections");
	for (int i = 0; db_row(st); i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		jstr(b, "slug", db_text(st, 0), true);
		jstr(b, "name", db_text(st, 1), false);
		jstr(b, "description", db_text(st, 2), false);
		jstr(b, "url", arena_cat(&r->a, site_base_url(), url_term(&r->a, ed->code, taxonomy, db_text(st, 0)), NULL), false);
		buf_putc(b, '}');
	}
	api_finish(r, st, "]}");
}

static void api_sections(struct req *r) { api_terms(r, "section"); }
static void api_tags(struct req *r) { api_terms(r, "tag"); }

/* GET /api/v1/{edition}/authors */
static void
api_authors(struct req *r)
{
	const struct edition *ed = api_open(r);
	if (!ed)
		return;
	struct db_stmt *st = db_query(req_db(r), "SELECT au.slug, au.name, (SELECT bio FROM author_bios x WHERE x.author_id = au.id "
	    "AND x.edition = ?) FROM authors au ORDER BY au.name", "s", ed->code);
	struct buf *b = &r->body;
	buf_puts(b, "{\"authors\":[");
	for (int i = 0; db_row(st); i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		jstr(b, "slug", db_text(st, 0), true);
		jstr(b, "name", db_text(st, 1), false);
		jstr(b, "bio", db_text(st, 2) ? db_text(st, 2) : "", false);
		jstr(b, "url", arena_cat(&r->a, site_base_url(), url_author(&r->a, ed->code, db_text(st, 0)), NULL), false);
		buf_putc(b, '}');
	}
	api_finish(r, st, "]}");
}

/* GET /api/v1/{edition}/events: those that have not ended, soonest first */
static void
api_events(struct req *r)
{
	const struct edition *ed = api_open(r);
	if (!ed)
		return;
	struct db_stmt *st = db_query(req_db(r), "SELECT slug, title, summary, kind, status, starts_at, ends_at, tz, venue_name "
	    "FROM events WHERE edition = ? AND ends_at > ? ORDER BY starts_at, id LIMIT 100", "si", ed->code, (long long)time(NULL));
	struct buf *b = &r->body;
	buf_puts(b, "{\"events\":[");
	for (int i = 0; db_row(st); i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		jstr(b, "slug", db_text(st, 0), true);
		jstr(b, "title", db_text(st, 1), false);
		jstr(b, "summary", db_text(st, 2), false);
		jstr(b, "kind", db_text(st, 3), false);
		jstr(b, "status", db_text(st, 4), false);
		jtime(b, "starts_at", db_int(st, 5));
		jtime(b, "ends_at", db_int(st, 6));
		jstr(b, "time_zone", db_text(st, 7), false);
		jstr(b, "venue", db_text(st, 8), false);
		jstr(b, "url", arena_cat(&r->a, site_base_url(), "/", ed->code, "/events/", db_text(st, 0), NULL), false);
		buf_putc(b, '}');
	}
	api_finish(r, st, "]}");
}

/* GET /api/v1/openapi.json: public, cacheable */
static void
api_openapi(struct req *r)
{
	buf_raw(&r->body, api_docs[0].data, api_docs[0].len);
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	resp_header(r, "Access-Control-Allow-Origin", "*");
	resp_cache(r);
}

/* Any other address under /api/: a JSON 404, not the HTML page. */
static void
api_unknown(struct req *r)
{
	json_error(r, 404, "not_found", "No such API address: see /api/v1/openapi.json.");
}

const struct route api_routes[] = {
	{HTTP_GET, "/api/v1/openapi.json", api_openapi, NULL},
	{HTTP_GET, "/api/v1/{edition}/articles", api_articles, NULL},
	{HTTP_GET, "/api/v1/{edition}/articles/{slug}", api_article, NULL},
	{HTTP_GET, "/api/v1/{edition}/sections", api_sections, NULL},
	{HTTP_GET, "/api/v1/{edition}/tags", api_tags, NULL},
	{HTTP_GET, "/api/v1/{edition}/authors", api_authors, NULL},
	{HTTP_GET, "/api/v1/{edition}/events", api_events, NULL},
	{HTTP_GET, "/api/{a}", api_unknown, NULL},
	{HTTP_GET, "/api/{a}/{b}", api_unknown, NULL},
	{HTTP_GET, "/api/{a}/{b}/{c}", api_unknown, NULL},
	{0, NULL, NULL, NULL},
};
