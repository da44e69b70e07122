/* refdata.c: the site's small reference data in memory — every term's
 * names, slugs and parent, every author's name and slug, each edition's
 * section navigation — so that rendering a page does not ask the database
 * for what barely ever changes, and the pages each edition's footer links.
 *
 * DESIGN: one immutable snapshot, reference-counted; a request takes the
 * current one and gives it back when it ends. The snapshot remembers the
 * page-cache invalidation epoch it was built at: any write moves the epoch,
 * and the next request builds a fresh snapshot (a few small queries). A
 * page rendered from a snapshot that a concurrent write made stale is not
 * stored by the cache (its tags were invalidated), so staleness never
 * outlives the request that saw it. */
#include "site.h"
#include "core/cache.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ref_term {
	long long parent;
	char taxonomy;                       /* 's', 'c', 't'; 0: no such term */
	const char *name[MAX_EDITIONS], *slug[MAX_EDITIONS];
};

struct ref_author {
	const char *name, *slug;
};

struct ref_link {
	const char *title, *url;
};

struct refdata {
	struct arena a;
	uint64_t epoch;
	int refs;
	struct ref_term *terms;
	long long nterms;                    /* ids 0 .. nterms-1 */
	struct ref_author *authors;
	long long nauthors;
	long long *sections;                 /* section ids in navigation order */
	int nsections;
	struct ref_link *footer[MAX_EDITIONS];   /* the pages linked from each edition's footer */
	int nfooter[MAX_EDITIONS];
};

static struct refdata *current;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;

static void
refdata_free(struct refdata *rd)
{
	free(rd->terms);
	free(rd->authors);
	free(rd->sections);
	for (int i = 0; i < MAX_EDITIONS; i++)
		free(rd->footer[i]);
	arena_free(&rd->a);
	free(rd);
}

void
refdata_release(const struct refdata *crd)
{
	struct refdata *rd = (struct refdata *)crd;
	if (!rd)
		return;
	pthread_mutex_lock(&mu);
	int left = --rd->refs;
	pthread_mutex_unlock(&mu);
	if (left == 0)
		refdata_free(rd);
}

static struct refdata *
build(struct db_conn *c, uint64_t epoch)
{
	struct refdata *rd = xcalloc(1, sizeof *rd);
	arena_init(&rd->a, 16384);
	rd->epoch = epoch;
	rd->refs = 1;
	long long maxt = db_int1(c, 0, "SELECT max(id) FROM terms", "");
	long long maxa = db_int1(c, 0, "SELECT max(id) FROM authors", "");
	rd->nterms = maxt + 1;
	rd->terms = xcalloc((size_t)rd->nterms, sizeof *rd->terms);
	rd->nauthors = maxa + 1;
	rd->authors = xcalloc((size_t)rd->nauthors, sizeof *rd->authors);
	struct db_stmt *st = db_query(c, "SELECT t.id, t.parent_id, t.taxonomy, n.edition, n.name, n.slug FROM terms t "
	    "LEFT JOIN term_names n ON n.term_id = t.id", "");
	while (db_row(st)) {
		long long id = db_int(st, 0);
		if (id < 0 || id >= rd->nterms)
			continue;
		struct ref_term *t = &rd->terms[id];
		t->parent = db_isnull(st, 1) ? 0 : db_int(st, 1);
		t->taxonomy = db_text(st, 2)[0];
		const struct edition *e = db_text(st, 3) ? edition_find(db_text(st, 3)) : NULL;
		if (e) {
			int i = (int)(e - edition_at(0));
			t->name[i] = db_atext(st, 4, &rd->a);
			t->slug[i] = db_atext(st, 5, &rd->a);
		}
	}
	db_done(st);
	st = db_query(c, "SELECT id, name, slug FROM authors", "");
	while (db_row(st)) {
		long long id = db_int(st, 0);
		if (id >= 0 && id < rd->nauthors) {
			rd->authors[id].name = db_atext(st, 1, &rd->a);
			rd->authors[id].slug = db_atext(st, 2, &rd->a);
		}
	}
	db_done(st);
	st = db_query(c, "SELECT id FROM terms WHERE taxonomy = 'section' ORDER BY position, id", "");
	while (db_row(st)) {
		rd->sections = xrealloc(rd->sections, (size_t)(rd->nsections + 1) * sizeof *rd->sections);
		rd->sections[rd->nsections++] = db_int(st, 0);
	}
	db_done(st);
	st = db_query(c, "SELECT edition, title, path FROM pages WHERE status = 'published' AND in_footer = 1 ORDER BY position, title", "");
	while (db_row(st)) {
		const struct edition *e = edition_find(db_text(st, 0));
		if (!e)
			continue;
		int i = edition_index(e), n = rd->nfooter[i];
		rd->footer[i] = xrealloc(rd->footer[i], (size_t)(n + 1) * sizeof *rd->footer[i]);
		rd->footer[i][n].title = db_atext(st, 1, &rd->a);
		rd->footer[i][n].url = url_page(&rd->a, e->code, db_text(st, 2));
		rd->nfooter[i]++;
	}
	if (db_done(st) < 0 || c->failed) {
		refdata_free(rd);
		return NULL;
	}
	return rd;
}

bool
refdata_current(void)
{
	uint64_t epoch = cache_epoch();
	pthread_mutex_lock(&mu);
	bool ok = current && current->epoch == epoch;
	pthread_mutex_unlock(&mu);
	return ok;
}

const struct refdata *
refdata_get(struct req *r)
{
	uint64_t epoch = cache_epoch();
	pthread_mutex_lock(&mu);
	struct refdata *rd = current;
	if (rd && rd->epoch == epoch) {
		rd->refs++;
		pthread_mutex_unlock(&mu);
		return rd;
	}
	pthread_mutex_unlock(&mu);
	/* one builder at a time; the others wait and take its result */
	pthread_mutex_lock(&build_mu);
	pthread_mutex_lock(&mu);
	rd = current;
	if (rd && rd->epoch == epoch) {
		rd->refs++;
		pthread_mutex_unlock(&mu);
		pthread_mutex_unlock(&build_mu);
		return rd;
	}
	pthread_mutex_unlock(&mu);
	struct refdata *fresh = build(req_db(r), epoch);
	pthread_mutex_lock(&mu);
	if (fresh) {
		struct refdata *old = current;
		current = fresh;
		fresh->refs++;   /* the caller's */
		if (old && --old->refs == 0)
			refdata_free(old);
		rd = fresh;
	} else if ((rd = current))
		rd->refs++;      /* the database failed: serve with what we had */
	pthread_mutex_unlock(&mu);
	pthread_mutex_unlock(&build_mu);
	return rd;
}

void
refdata_shutdown(void)
{
	pthread_mutex_lock(&mu);
	struct refdata *rd = current;
	current = NULL;
	pthread_mutex_unlock(&mu);
	refdata_release(rd);
}

static const struct ref_term *
term(const struct refdata *rd, long long id)
{
	return rd && id > 0 && id < rd->nterms && rd->terms[id].taxonomy ? &rd->terms[id] : NULL;
}

const char *ref_term_name(const struct refdata *rd, long long id, int ed) { const struct ref_term *t = term(rd, id); return t ? t->name[ed] : NULL; }
const char *ref_term_slug(const struct refdata *rd, long long id, int ed) { const struct ref_term *t = term(rd, id); return t ? t->slug[ed] : NULL; }
long long ref_term_parent(const struct refdata *rd, long long id) { const struct ref_term *t = term(rd, id); return t ? t->parent : 0; }

const char *
ref_author_name(const struct refdata *rd, long long id)
{
	return rd && id > 0 && id < rd->nauthors ? rd->authors[id].name : NULL;
}

const char *
ref_author_slug(const struct refdata *rd, long long id)
{
	return rd && id > 0 && id < rd->nauthors ? rd->authors[id].slug : NULL;
}

int
ref_sections(const struct refdata *rd, const long long **ids)
{
	*ids = rd ? rd->sections : NULL;
	return rd ? rd->nsections : 0;
}

int
ref_footer(const struct refdata *rd, int ed, const char **title, const char **url, int max)
{
	int n = rd ? rd->nfooter[ed] : 0;
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++) {
		title[i] = rd->footer[ed][i].title;
		url[i] = rd->footer[ed][i].url;
	}
	return n;
}
