/* admin.h: what the newsroom admin's pages share (src/admin*.c): the
 * roles and what each may do, the guard every admin route passes before
 * its handler runs, edition rights, and rendering with the admin chrome.
 * Reader features never include this. */
#ifndef GZ_ADMIN_H
#define GZ_ADMIN_H
#include "site.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/invalidate.h"

enum {
	CAP_STAFF = 1 << 0,      /* any account: the dashboard, one's own password */
	CAP_WRITE = 1 << 1,      /* start articles, edit one's own */
	CAP_PUBLISH = 1 << 2,    /* publish and schedule (one's own; anyone's with CAP_EDIT_ANY) */
	CAP_EDIT_ANY = 1 << 3,   /* edit any article of the editions held */
	CAP_TRANSLATE = 1 << 4,  /* make translations and edit them */
	CAP_MODERATE = 1 << 5,   /* reader comments */
	CAP_EVENTS = 1 << 6,     /* events, bookings, check-in */
	CAP_TAXONOMY = 1 << 7,   /* sections, categories, tags, authors, the front page */
	CAP_ADMIN = 1 << 8,      /* accounts, settings, the audit log */
};
/* The capabilities of a role ("editor"), 0 for an unknown one. */
unsigned role_caps(const char *role);
/* A route guard ("write|translate") as capabilities: any one suffices. */
unsigned guard_caps(const char *guard);

/* admin_guard (declared in site.h) runs before every guarded route. */
/* The user the guard let through. */
struct staff *admin_staff(struct req *r);
bool staff_has_edition(const struct staff *u, const char *edition);
/* 403 with nothing of what was asked for in it. */
void admin_deny(struct req *r);
/* For a loader's 1 (found), 0 (no such thing) or -1 (database error):
 * true when found; otherwise the 404 or the error page is sent. */
void admin_not_found(struct req *r, int rc);
static inline bool
admin_found(struct req *r, int rc)   /* inline: static analysis then sees that false means rc != 1 */
{
	if (rc == 1)
		return true;
	admin_not_found(r, rc);
	return false;
}
/* An audit log entry of its own transaction, for actions whose writes
 * happened elsewhere (comments_set_status, event_set_status); 0 or -1. */
int admin_audit(struct req *r, const char *action, const char *detail);

/* Renders an admin page: the reader chrome in the user's language, the
 * admin bar (u may be NULL on the sign-in pages), form.csrf, never cached. */
void admin_render(struct req *r, const struct staff *u, const char *template, const char *title, struct tv *form, int status);
const struct edition *admin_edition(struct req *r);   /* the language the admin speaks to this browser */
/* "2026-11-27T16:30" in the site's time zone and back (-1 if malformed);
 * the _in forms take a zone. */
const char *admin_local_input(struct req *r, long long t);
long long admin_parse_local(struct req *r, const char *s);
const char *admin_local_input_in(struct req *r, const char *zone, long long t);
long long admin_parse_local_in(const char *zone, const char *s);
const char *admin_when(struct req *r, long long t);   /* "27 Nov 2026, 16:30" */
/* A database id from a URL segment or form field; 0 if it is not one. */
long long admin_id(const char *s);
const char *admin_status_label(const char *lang, const char *status);   /* "In review" */

/* An article as the desk sees it (src/admin_articles.c). */
struct admin_article {
	long long id, group, section, category, created_by, source_id, published_at, updated_at, latest_rev, media;
	const char *edition, *kind, *slug, *title, *standfirst, *body, *status, *correction;
	bool outdated;
};
/* 1 found, 0 not, -1 database error. */
int admin_article_load(struct db_conn *c, struct arena *a, long long id, struct admin_article *x);
bool admin_can_edit(const struct staff *u, const struct admin_article *x);
bool admin_can_publish(const struct staff *u, const struct admin_article *x);
/* Inside a write: the article's text becomes title/standfirst/body (a
 * restore), recorded as a new revision by user; translations made from it
 * are flagged outdated. 0 or -1. */
int admin_article_set_text(struct db_conn *c, struct inval *iv, long long id, long long user, const char *title,
    const char *standfirst, const char *body, long long now, const char *note);

/* Admin route tables. */
extern const struct route admin_routes[];
extern const struct route admin_dashboard_routes[];
extern const struct route admin_article_routes[];
extern const struct route admin_comment_routes[];
extern const struct route admin_revision_routes[];
extern const struct route admin_event_routes[];
extern const struct route admin_settings_routes[];
extern const struct route admin_term_routes[];
extern const struct route admin_redirect_routes[];
extern const struct route admin_front_routes[];
extern const struct route admin_media_routes[];
extern const struct route admin_user_routes[];
extern const struct route admin_page_routes[];

/* Line diff (src/admin_revisions.c): ops of '=' '-' '+' with the line. */
struct diff_line {
	char op;
	const char *text;
	size_t len;
};
int text_diff(struct arena *a, const char *from, const char *to, struct diff_line **out);

#endif
