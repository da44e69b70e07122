/* site.h: what every reader page shares: the editions, the page context
 * (navigation, language switcher, hreflang alternates), rendering through
 * the theme, error pages, and the links between features. Features include
 * this, never each other. */
#ifndef GZ_SITE_H
#define GZ_SITE_H
#include <stdio.h>
#include "core/db.h"
#include "core/http.h"
#include "core/router.h"
#include "core/tmpl.h"

#define MAX_EDITIONS 16
#define PAGE_SIZE 10

struct edition {
	char code[8];
	char name[64];
	char locale[32];
	int position;
	bool is_default;
	bool rtl;           /* written right to left: pages carry dir="rtl" */
};

struct site_config {
	const char *base_url;   /* "http://127.0.0.1:8080", no trailing slash */
};

/* Loads the editions from the database; 0, or -1 when there are none. */
int site_init(struct db *db, const struct site_config *cfg);
void site_shutdown(void);
const struct edition *edition_find(const char *code);
const char *site_base_url(void);   /* "https://news.example.org", no trailing slash */
const struct edition *edition_default(void);
int edition_count(void);
const struct edition *edition_at(int i);   /* in switcher order */
int edition_index(const struct edition *ed);   /* ed's place in that order */

/* The site's reference data in memory (src/refdata.c): term and author
 * names and slugs, the section navigation. A request takes a snapshot
 * (released when the request ends); ed is an edition index. */
struct refdata;
const struct refdata *refdata_get(struct req *r);
/* Whether refdata_get would find the data built for the cache's epoch. */
bool refdata_current(void);
void refdata_release(const struct refdata *rd);
void refdata_shutdown(void);
const char *ref_term_name(const struct refdata *rd, long long id, int ed);
const char *ref_term_slug(const struct refdata *rd, long long id, int ed);
long long ref_term_parent(const struct refdata *rd, long long id);
const char *ref_author_name(const struct refdata *rd, long long id);
const char *ref_author_slug(const struct refdata *rd, long long id);
int ref_sections(const struct refdata *rd, const long long **ids);
/* The pages ed's footer links (at most max): how many. */
int ref_footer(const struct refdata *rd, int ed, const char **title, const char **url, int max);
void site_request_done(struct req *r);

/* A page under construction: the template root and, per edition, where
 * the language switcher goes (NULL: that edition's front page) and whether
 * that target is the same content (then it is also an hreflang alternate). */
struct page {
	struct req *r;
	const struct edition *ed;
	int edi;                    /* ed's index, for refdata */
	const struct refdata *rd;
	struct tv *root;
	const char *alt_url[MAX_EDITIONS];
	bool alt_same[MAX_EDITIONS];
	const char *canonical;      /* path, e.g. "/en/2025/03/slug" */
	bool noindex;
	bool is_error;              /* the error page itself: rendered even after a failed query */
	bool private_page;          /* shows something of one reader: never shared from the cache */
};

void page_init(struct page *p, struct req *r, const struct edition *ed, const char *title);
/* Answers a failed query: 503 (with Retry-After) when the database is out
 * of reach, 500 otherwise. */
void page_db_error(struct req *r);
/* Renders template with the shared chrome and sends it with status. */
void page_render(struct page *p, const char *template, int status);


/* URL builders (arena strings). */
const char *url_article(struct arena *a, const char *ed, const char *slug, long long published_at);
const char *url_term(struct arena *a, const char *ed, const char *taxonomy, const char *slug);
const char *url_author(struct arena *a, const char *ed, const char *slug);
const char *url_kind(struct arena *a, const char *ed, const char *kind);
const char *kind_label(const char *lang, const char *kind);   /* translated "Blogs" */
bool kind_valid(const char *kind);

/* An edition's standing pages (src/pages.c). */
struct inval;
struct static_page {
	long long id, parent, user, created_at;   /* id 0: a new page; created_at 0: now */
	const char *edition, *slug, *title, *body_md, *status;   /* draft, published, private */
	bool in_footer;
	bool quiet;                 /* a move that leaves no 301 (the import placing a page under a parent read later) */
	int position;
};
enum { PAGE_DB = 1, PAGE_BAD_SLUG, PAGE_RESERVED, PAGE_TAKEN, PAGE_BAD_PARENT, PAGE_LOOP, PAGE_TOO_DEEP, PAGE_MISSING };
/* Inside a write: adds or changes a page (its path from its parents', its
 * body rendered, the pages under it moved along, 301s from addresses that
 * moved) and names the tags it touches. The id, or -1 with *why. */
long long page_store(struct db_conn *c, struct inval *iv, const struct static_page *pg, long long now, int *why);
bool page_slug_ok(const char *slug);     /* one path segment, nothing a URL would have to escape */
bool page_path_free(const char *slug);   /* not a first segment a feature answers */
const char *url_page(struct arena *a, const char *ed, const char *path);
void page_serve(struct req *r, const struct edition *ed, const char *path);   /* the page at path, or 404 */
extern const struct route page_routes[];

/* Site settings (src/settings.c), stored in the database. type is
 * "LO-HI" (an integer range), "a|b|c" (one of the words) or "" (text). */
struct setting_def {
	const char *key, *def, *type, *help;
};
const struct setting_def *setting_defs(size_t *n);
const char *setting_str(struct db_conn *c, struct arena *a, const char *key);  /* the default when unset */
long long setting_int(struct db_conn *c, const char *key);
/* Validates, stores, invalidates TAG_SETTINGS; 0 or -1 with err. */
int setting_set(struct db *db, const char *key, const char *value, long long *inval_id, char *err, size_t errlen);
struct inval;
/* For a form that changes several: checks one value (err says why not),
 * and stores one inside the caller's write (invalidating TAG_SETTINGS). */
bool setting_valid(const char *key, const char *value, char *err, size_t errlen);
int setting_store(struct db_conn *c, struct inval *iv, const char *key, const char *value);
/* The site secret: created by the first node that starts, read by all. */
int site_secret_init(struct db_conn *c);
/* A keyed hash under the secret, separated by context ("csrf", "ip"…). */
void site_mac(const char *context, const void *msg, size_t len, unsigned char out[32]);
const char *site_mac_hex(struct arena *a, const char *context, const char *msg, size_t hexlen);

/* Housekeeping the scheduler runs (src/comment_moderate.c): clears the
 * hashed addresses of comments older than the retention setting; rows
 * cleared, or -1. */
long long comments_expire_ip_hashes(struct db_conn *c, long long now);

/* CSRF protection for every state-changing form (src/site.c): a random
 * cookie (gazette_csrf, site-wide; not gz_: it does not make pages
 * private) and, in the form's "csrf" field, its keyed hash. csrf_token
 * sets the cookie when the reader has none; csrf_valid checks a POST. */
const char *csrf_token(struct req *r);
bool csrf_valid(struct req *r);

/* The promo banner of the page's edition (src/events.c): called by
 * page_init; sets root.banner when a featured event is promoted now. */
void event_banner(struct page *p);
/* The scheduler's job for the waiting list (src/tickets.c): offers that
 * ran out pass to the next in line; rows changed or -1. */
int waitlist_expire(struct db *db, long long now);

/* Newsroom staff (src/auth.c): who is signed in. */
struct staff {
	long long id;
	const char *email, *name, *role, *session_hash;
	unsigned caps;                     /* what the role may do (CAP_* in admin.h) */
	int neditions;                     /* 0: every edition */
	char editions[MAX_EDITIONS][8];
};
int staff_user(struct req *r, struct staff *u);       /* 1 signed in, 0 not, -1 database error */
/* Inside a write: from (a path that moved) answers 301 to to; whatever
 * pointed at from now points at to; to is live again (src/site.c). */
int redirect_add(struct db_conn *c, const char *from, const char *to, long long user, long long now);
/* A path on this site to go back to after signing in: "/…", never "//…"
 * or "/\…" (browsers read both as another host), no control bytes. */
bool local_path_ok(const char *next);
/* After every factor checked: a new session, its cookie, and the redirect
 * to next (a local path) or the dashboard (src/auth.c). */
void staff_session_start(struct req *r, long long user, const char *next);
/* The password was right and the account has a second factor: the
 * pending sign-in and the redirect to the code page (src/auth_totp.c). */
void totp_pending(struct req *r, long long user, const char *next);
extern const struct route totp_routes[];
const struct edition *staff_language(struct req *r);  /* the admin speaks the browser's language */
void audit(struct db_conn *c, long long user, const char *action, const char *detail);   /* inside a write */
extern const struct route auth_routes[];
/* The database of a command-line command (main.c): opened and migrated,
 * or NULL after saying why not on stderr. */
struct db *cli_open_db(const char *path);
int cmd_user(int argc, char **argv, const char *db_path);

/* The check a guarded route (route.guard) passes before its handler
 * (src/admin.c): signed in, a role holding one of the guard's rights, and
 * on POST a valid CSRF token. false: the answer (sign-in, 403) is sent. */
bool admin_guard(struct req *r, const char *guard);

/* Request entry points wired into core/http by main. */
void site_dispatch(struct req *r);
/* server_config.quick: whether r, asked without a query, is for a reader
 * page marked ROUTE_QUICK, with the reference data already built. */
bool site_quick(struct req *r);
void site_error_page(struct req *r, int status);
extern const struct route site_routes[];

/* Feature route tables. */
extern const struct route article_routes[];
extern const struct route archive_routes[];
extern const struct route feed_routes[];
extern const struct route sitemap_routes[];

/* Article cards for listings: fills list with maps (url, title, standfirst,
 * kind, kind_label, published, section{name,url}, authors[{name,url}], comments) from
 * rows of ARTICLE_CARD_COLUMNS. */
#define ARTICLE_CARD_COLUMNS "a.id, a.slug, a.title, a.standfirst, a.kind, a.published_at, a.section_id, a.byline, a.comment_count"

/* Cache tags (see core/cache.h): what a page shows, so that a write can
 * drop exactly the pages it changes. */
#define TAG_ARTICLE "a:%lld"      /* an article's own fields (title, body, status…) */
#define TAG_GROUP "g:%lld"        /* which translations of a story exist */
#define TAG_TERM "t:%lld"         /* a section, category or tag's names and slugs */
#define TAG_AUTHOR "au:%lld"      /* an author's name, bio, photo */
#define TAG_LIST_FRONT "l:front:%s"  /* which articles an edition's front page lists */
#define TAG_LIST_TERM "l:t:%lld:%s"     /* which articles a term's archive lists, per edition */
#define TAG_LIST_AUTHOR "l:au:%lld:%s"  /* which articles an author's page lists, per edition */
#define TAG_LIST_KIND "l:k:%s:%s" /* edition, kind */
#define TAG_COMMENTS "cm:%lld"    /* the published comments on an article */
#define TAG_SETTINGS "settings"   /* the site settings (comment policy…) */
#define TAG_PINS "pins:%s"        /* the stories pinned to an edition's front page */
#define TAG_BREAKING "breaking:%s" /* an edition's breaking-news strip (on every page) */
void page_depends(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int article_cards(struct page *p, struct db_stmt *st, struct tv *list);   /* returns rows read */
/* The same, and *extra from the first row's column after the card columns
 * (a count(*) OVER (), say); *extra is left alone when there is no row. */
int article_cards_counted(struct page *p, struct db_stmt *st, struct tv *list, long long *extra);

/* Listings (src/listing.c): "front", "k:KIND", "t:TERM", "au:AUTHOR" in
 * the page's edition. listing_fetch takes the newest limit; listing_render
 * one page under base from ?page=, ?before= or ?after=, with the
 * pagination links; it returns 0 or an HTTP status to answer (400, 404).
 * skip: stories page 1 shows elsewhere (the front page's top stories). */
int listing_fetch(struct page *p, const char *list, int limit, struct tv *out);
/* A keyset cursor "TIME.ID" ("1700000000.42") → time and id; false for
 * anything else (also used by the Content API's pages). */
bool listing_cursor(const char *s, long long *t, long long *id);
int listing_render(struct page *p, const char *list, const char *base, int skip, struct tv *out);
/* The query of one page of a listing after a cursor: older stories than
 * it, newest first, or newer ones, oldest first (ARTICLE_CARD_COLUMNS and
 * listed_at). Its cost does not depend on how deep the cursor is. */
struct db_stmt *listing_keyset(struct db_conn *c, const char *list, const char *edition, long long now, bool older,
    long long ct, long long cid, int limit);
/* Rewrites an article's rows in article_listings, its byline copy and its
 * related stories from its current state: call after any change to an
 * article, its tags or its authors. */
int listings_sync(struct db_conn *c, long long article_id);
/* The same without the search index, for bulk loads, which index their
 * articles at the end (search_index_after): an FTS5 table written early
 * in a transaction flushes its pending terms at every later statement. */
int listings_sync_unindexed(struct db_conn *c, long long article_id);
/* The byline list (name, url) from an articles.byline copy ("3,1"). */
struct tv *article_byline(struct page *p, const char *byline);

/* Search (src/search.c). search_sync rewrites an article's row in the
 * search index from its current state (listings_sync calls it);
 * search_reindex rebuilds an edition's rows ("" or NULL: every edition)
 * and returns how many; the _term and _author calls follow a rename.
 * search_check rebuilds an empty index of a site that has published
 * articles (after the upgrade that brought search): 1 rebuilt, 0, -1.
 * search_similar: up to max published stories like a headline, best
 * first, none of skip; how many, or -1. */
int search_sync(struct db_conn *c, long long article_id);
int search_reindex(struct db_conn *c, const char *edition);
int search_index_after(struct db_conn *c, long long after_id);   /* the published articles with larger ids */
int search_sync_term(struct db_conn *c, long long term);
int search_sync_author(struct db_conn *c, long long author);
int search_check(struct db *db);
/* The Snowball language of an edition's search as stored, "" for none. */
const char *search_language(struct db_conn *c, struct arena *a, const char *edition);
int search_similar(struct db_conn *c, long long id, const char *edition, const char *title, long long now,
    const long long *skip, int nskip, long long *out, int max);
extern const struct route search_routes[];
/* The Content API (src/api.c) and its keys (src/api_keys.c). */
extern const struct route api_routes[];
int cmd_api_key(int argc, char **argv, const char *db_path);
/* `gazette import wordpress` (src/import_wordpress.c). */
int cmd_import(int argc, char **argv, const char *db_path);
/* The import itself, on an open database whose site is loaded (site_init)
 * and with libvips started: one transaction (rolled back for a dry run or
 * a broken file); the summary goes to out. 0 done, 1 refused. */
struct import_options {
	const char *file, *edition, *uploads;
	bool fixed_edition, dry_run, with_accounts, skip_pingbacks;
};
int import_wordpress_run(struct db *db, const struct import_options *o, FILE *out);
int cmd_search(int argc, char **argv, const char *db_path);
int cmd_edition(int argc, char **argv, const char *db_path);   /* src/editions_cli.c */
/* `gazette audit seo` (src/audit_seo.c): crawls the site served at base
 * and prints each problem to out; how many, or -1 if it could not run. */
int audit_seo_run(const char *base, FILE *out);

/* Article changes (src/article_edit.c): NULL/0 fields stay as they are.
 * Commits, records and applies the cache invalidation; *inval_id receives
 * the invalidation log row. */
struct article_change {
	const char *title, *standfirst, *body_md, *status;
	long long published_at;
	long long now;              /* becomes updated_at when text changes */
};
int article_edit(struct db *db, long long id, const struct article_change *ch, long long *inval_id, char *err, size_t errlen);

/* A new article row and its body (rendered from body_md unless body_html
 * is given), inside the caller's transaction. The caller adds tags and
 * authors, then calls listings_sync. Returns the id, or -1. */
struct article_new {
	const char *edition, *kind, *slug, *title, *standfirst, *body_md, *body_html, *status;
	long long group, section_id, category_id, published_at, updated_at, created_at;
};
long long article_insert(struct db_conn *c, const struct article_new *n);

/* Work that must happen once across nodes (src/scheduler.c): a thread that
 * publishes what has come due, every second. */
struct inval;
void scheduler_start(struct db *db);
void scheduler_stop(void);
int scheduler_publish_due(struct db *db);
/* Collects the cache tags of every page an article appears on or links from
 * (src/article_edit.c). */
void article_invalidations(struct db_conn *c, long long id, struct inval *iv);

/* Curation (src/curation.c): the cards of an edition's pinned stories, in
 * order (returns how many), and the breaking-news strip (root.breaking)
 * that page_init adds to every page. */
int front_pins(struct page *p, struct tv *list);
void breaking_banner(struct page *p);

/* Pictures (src/media.c). media_store checks an upload by its bytes and
 * pixels and makes the copies for screens under the media folder: the new
 * id, MEDIA_REFUSED (not a JPEG, PNG or WebP, or too large; err says
 * which) or -1. media_picture: the <picture> data of one in the page's
 * edition (srcset_webp, srcset, src, width, height, alt, caption, credit),
 * NULL if there is no such picture. */
enum { MEDIA_REFUSED = -2 };
void media_dir_set(const char *dir);
const char *media_dir(void);
long long media_store(struct db_conn *c, const void *data, size_t len, const char *filename, long long user, char *err, size_t errlen);
/* The same inside the caller's write (an import); when that write rolls
 * back, media_discard removes the copies made for the id. */
long long media_store_in(struct db_conn *c, const void *data, size_t len, const char *filename, long long user, char *err, size_t errlen);
void media_discard(long long id);
struct tv *media_picture(struct page *p, long long id);
size_t site_body_limit(const char *uri);   /* the upload bound of a URI (src/admin_media.c), 0: the default */

/* Readers' views (src/page_views.c): the scheduler's job moving counted
 * views into daily counters (ids written, or -1), and an edition's most
 * read articles of the last week into list (title, url); rows or -1. */
int page_views_flush(struct db *db);
int page_most_read(struct page *p, int limit, struct tv *list);
/* The query behind it: id, slug, title, published_at, views. */
struct db_stmt *most_read_query(struct db_conn *c, const char *edition, long long now, int limit);

/* Copies a whole site between databases and checks it (src/migrate.c):
 * from one read snapshot of the source, into a target that must be empty.
 * With sums (site_tables() entries), fills them in and prints nothing;
 * otherwise prints a line per table. site_sums: the same row counts and
 * checksums of one database, from one snapshot. */
struct table_sum {
	const char *table;
	long long rows;
	unsigned long long sum;
};
size_t site_tables(void);
int site_migrate(struct db *from, struct db *to, struct table_sum *sums, char *err, size_t errlen);
int site_sums(struct db *db, struct table_sum *sums);

/* gazette doctor (src/doctor.c): 0 if nothing needs fixing, else 1 */
struct doctor_config {
	const char *db, *theme_dir, *locale_dir, *media_dir, *mail_dir, *smtp, *listen, *base_url;
};
int doctor_run(const struct doctor_config *dc);

/* gazette backup / restore (src/backup.c) */
int cmd_backup(int argc, char **argv, const char *db_path);
int cmd_restore(int argc, char **argv, const char *db_path);

/* Demo loader (src/demo.c). */
int demo_load(struct db *db, const char *dir, char *err, size_t errlen);
/* Grows the site to target articles of generated text (src/demo_generate.c). */
int demo_generate(struct db *db, long target, char *err, size_t errlen);

#endif
