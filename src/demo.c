/* demo.c: `gazette demo` — loads the demo newsroom (demo/taxonomy.txt,
 * demo/stories/NNN-name.md, demo/comments.txt and demo/pages/N-name.md,
 * format in demo/FORMAT.md)
 * into a database, in one transaction. A database that already has
 * articles is left alone. */
#include "site.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/invalidate.h"
#include "core/markdown.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *code, *name, *locale, *direction;
	int position, is_default;
} demo_editions[] = {
	{"pt", "Português", "pt_BR", "ltr", 1, 0},
	{"es", "Español", "es_ES", "ltr", 2, 0},
	{"en", "English", "en_GB", "ltr", 3, 1},
	{"ar", "العربية", "ar_EG", "rtl", 4, 0},   /* a few stories, written right to left */
};
#define NED 4

static char *
read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[16384];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_raw(&b, chunk, r);
	fclose(f);
	return buf_detach(&b, NULL);
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* Splits s on " | " into at most max fields (in place). */
static int
split_fields(char *s, char **f, int max)
{
	int n = 0;
	while (n < max) {
		char *bar = strstr(s, " | ");
		f[n++] = trim(s);
		if (!bar)
			break;
		*bar = 0;
		s = bar + 3;
	}
	return n;
}

static bool
edition_find_in_demo(const char *code)
{
	for (int i = 0; i < NED; i++)
		if (strcmp(demo_editions[i].code, code) == 0)
			return true;
	return false;
}

/* The articles loaded, by story file and edition: comments name them so. */
struct loaded {
	char stem[256], ed[8];
	long long id, pub;
};
static struct loaded *loaded;
static size_t nloaded;

static void
remember(const char *stem, const char *ed, long long id, long long pub)
{
	loaded = xrealloc(loaded, (nloaded + 1) * sizeof *loaded);
	struct loaded *l = &loaded[nloaded++];
	snprintf(l->stem, sizeof l->stem, "%s", stem);
	snprintf(l->ed, sizeof l->ed, "%s", ed);
	l->id = id;
	l->pub = pub;
}

static long long
term_id(struct db_conn *c, const char *taxonomy, const char *key)
{
	return db_int1(c, 0, "SELECT id FROM terms WHERE taxonomy = ? AND key = ?", "ss", taxonomy, key);
}

static int
load_taxonomy(struct db_conn *c, struct arena *a, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/taxonomy.txt", dir);
	char *text = read_file(path, err, errlen);
	if (!text)
		return -1;
	int lineno = 0, pos = 0, rc = 0;
	for (char *line = text, *next; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		char *f[6];
		int n = split_fields(line, f, 6);
		char *kind = f[0], *key = strchr(f[0], ' ');
		if (!key) {
			rc = -1;
			break;
		}
		*key++ = 0;
		key = trim(key);
		pos++;
		if (strcmp(kind, "author") == 0) {
			if (n != 5 && n != 6) {
				rc = -1;
				break;
			}
			long long id = db_insert(c, "INSERT INTO authors (slug, name) VALUES (?, ?) RETURNING id", "ss", key, f[1]);
			static const char *bio_order[4] = {"en", "es", "pt", "ar"};   /* column order in the file */
			for (int i = 0; i < n - 2 && id > 0; i++)
				if (db_exec(c, "INSERT INTO author_bios (author_id, edition, bio) VALUES (?, ?, ?)", "iss", id, bio_order[i], f[2 + i]) < 0)
					id = -1;
			if (id < 0)
				rc = -1;
			continue;
		}
		if ((n != 4 && n != 5) || (strcmp(kind, "section") && strcmp(kind, "category") && strcmp(kind, "tag"))) {
			rc = -1;
			break;
		}
		long long parent = 0;
		char *lt = strchr(key, '<');
		if (lt) {
			*lt = 0;
			parent = term_id(c, kind, trim(lt + 1));
			key = trim(key);
			if (!parent) {
				rc = -1;
				break;
			}
		}
		long long id = parent
		    ? db_insert(c, "INSERT INTO terms (taxonomy, key, parent_id, position) VALUES (?, ?, ?, ?) RETURNING id", "ssid", kind, key, parent, pos)
		    : db_insert(c, "INSERT INTO terms (taxonomy, key, position) VALUES (?, ?, ?) RETURNING id", "ssd", kind, key, pos);
		if (id < 0) {
			rc = -1;
			break;
		}
		static const char *order[4] = {"en", "es", "pt", "ar"};   /* column order in the file; Arabic optional */
		for (int i = 0; i < n - 1 && rc == 0; i++) {
			const char *name = f[1 + i];
			if (db_exec(c, "INSERT INTO term_names (term_id, edition, taxonomy, name, slug) VALUES (?, ?, ?, ?, ?)", "issss",
			    id, order[i], kind, name, i18n_slug(a, name)) < 0)
				rc = -1;
		}
	}
	if (rc < 0 && !*err)
		snprintf(err, errlen, "%s:%d: cannot load this line", path, lineno);
	free(text);
	return rc;
}

static long long
parse_time(const char *s)
{
	struct tm tm = {0};
	if (!s || !strptime(s, "%Y-%m-%d %H:%M", &tm))
		return -1;
	return (long long)timegm(&tm);
}

/* A slug unique in its edition: "slug", then "slug-2", "slug-3"… */
static const char *
unique_slug(struct db_conn *c, struct arena *a, const char *ed, const char *title)
{
	const char *base = i18n_slug(a, title), *slug = base;
	for (int i = 2; db_int1(c, 0, "SELECT count(*) FROM articles WHERE edition = ? AND slug = ?", "ss", ed, slug) > 0; i++)
		slug = arena_printf(a, "%s-%d", base, i);
	return slug;
}

static int
load_story(struct db_conn *c, struct arena *a, const char *path, const char *stem, char *err, size_t errlen)
{
	char *text = read_file(path, err, errlen);
	if (!text)
		return -1;
	char *hdr[8][2];
	int nh = 0, rc = -1;
	char *p = text;
	/* header: key: value lines up to the first blank line */
	while (*p && *p != '\n') {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		char *colon = strchr(p, ':');
		if (colon && nh < 8) {
			*colon = 0;
			hdr[nh][0] = trim(p);
			hdr[nh][1] = trim(colon + 1);
			nh++;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	const char *kind = NULL, *section = NULL, *category = NULL, *tags = "", *authors = "", *published = NULL, *updated = NULL;
	for (int i = 0; i < nh; i++) {
		const char *k = hdr[i][0], *v = hdr[i][1];
		if (!strcmp(k, "kind")) kind = v;
		else if (!strcmp(k, "section")) section = v;
		else if (!strcmp(k, "category")) category = v;
		else if (!strcmp(k, "tags")) tags = v;
		else if (!strcmp(k, "authors")) authors = v;
		else if (!strcmp(k, "published")) published = v;
		else if (!strcmp(k, "updated")) updated = v;
	}
	long long pub = parse_time(published), upd = updated ? parse_time(updated) : 0;
	long long sec = section ? term_id(c, "section", section) : 0;
	long long cat = category ? term_id(c, "category", category) : 0;
	if (!kind_valid(kind) || pub < 0 || upd < 0 || (section && !sec) || (category && !cat)) {
		snprintf(err, errlen, "%s: bad header (kind, section, category or dates)", path);
		goto out;
	}
	/* blocks */
	char *blocks[NED + 1][2];
	int nb = 0;
	for (char *q = strstr(p, "\n=== "); q; q = strstr(q, "\n=== ")) {
		*q = 0;
		q += 5;
		char *nl = strchr(q, '\n');
		if (!nl || nb == NED)
			break;
		*nl = 0;
		blocks[nb][0] = trim(q);
		blocks[nb][1] = nl + 1;
		nb++;
		q = nl + 1;
	}
	if (nb == 0) {
		snprintf(err, errlen, "%s: no \"=== CODE\" block", path);
		goto out;
	}
	long long group = 0;
	if (nb > 1 && (group = db_insert(c, "INSERT INTO translation_groups (key) VALUES (?) RETURNING id", "s", stem)) < 0)
		goto dberr;
	for (int b = 0; b < nb; b++) {
		const char *ed = blocks[b][0];
		char *s = blocks[b][1];
		while (*s == '\n' || *s == ' ')
			s++;
		char *title = NULL, *standfirst = "";
		if (strncmp(s, "# ", 2) == 0) {
			char *nl = strchr(s, '\n');
			if (nl)
				*nl = 0;
			title = trim(s + 2);
			s = nl ? nl + 1 : s + strlen(s);
		}
		while (*s == '\n' || *s == ' ')
			s++;
		if (strncmp(s, "> ", 2) == 0) {
			char *nl = strchr(s, '\n');
			if (nl)
				*nl = 0;
			standfirst = trim(s + 2);
			s = nl ? nl + 1 : s + strlen(s);
		}
		bool known = false;
		for (int i = 0; i < NED; i++)
			known |= strcmp(demo_editions[i].code, ed) == 0;
		if (!title || !known) {
			snprintf(err, errlen, "%s: block \"%s\" lacks a known edition or a \"# \" headline", path, ed);
			goto out;
		}
		struct article_new an = {
			.edition = ed, .kind = kind, .slug = unique_slug(c, a, ed, title), .title = title,
			.standfirst = standfirst, .body_md = s, .status = "published",
			.group = group, .section_id = sec, .category_id = cat, .published_at = pub, .updated_at = upd,
		};
		long long id = article_insert(c, &an);
		if (id < 0)
			goto dberr;
		remember(stem, ed, id, pub);
		int pos = 0;
		char *list = arena_strdup(a, authors), *save = NULL;
		for (char *k = strtok_r(list, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
			long long au = db_int1(c, 0, "SELECT id FROM authors WHERE slug = ?", "s", k);
			if (!au) {
				snprintf(err, errlen, "%s: unknown author %s", path, k);
				goto out;
			}
			if (db_exec(c, "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)", "iid", id, au, pos++) < 0)
				goto dberr;
		}
		list = arena_strdup(a, tags);
		for (char *k = strtok_r(list, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
			long long t = term_id(c, "tag", k);
			if (!t) {
				snprintf(err, errlen, "%s: unknown tag %s", path, k);
				goto out;
			}
			if (db_exec(c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?)", "ii", id, t) < 0)
				goto dberr;
		}
		if (listings_sync(c, id) < 0)
			goto dberr;
	}
	rc = 0;
	goto out;
dberr:
	snprintf(err, errlen, "%s: database error (see log)", path);
out:
	free(text);
	return rc;
}

/* demo/comments.txt: approved comments under some stories. */
static int
load_comments(struct db_conn *c, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/comments.txt", dir);
	char *text = read_file(path, err, errlen);
	if (!text)
		return -1;
	struct { char key[32]; long long id, depth, root; } ids[256];
	int nids = 0, rc = -1, lineno = 0;
	const struct loaded *art = NULL;
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	while (line) {
		lineno++;
		if (strncmp(line, "=== ", 4) == 0) {
			char stem[256], ed[8];
			art = NULL;
			if (sscanf(line + 4, "%255s %7s", stem, ed) == 2)
				for (size_t i = 0; i < nloaded; i++)
					if (strcmp(loaded[i].stem, stem) == 0 && strcmp(loaded[i].ed, ed) == 0)
						art = &loaded[i];
			if (!art) {
				snprintf(err, errlen, "%s:%d: no story \"%s\"", path, lineno, line + 4);
				goto out;
			}
			line = strtok_r(NULL, "\n", &save);
			continue;
		}
		if (strncmp(line, "--- ", 4) != 0 || !art) {
			if (line[0] != '#') {
				snprintf(err, errlen, "%s:%d: expected \"=== STORY EDITION\" or \"--- ID | NAME | EMAIL | MINUTES\"", path, lineno);
				goto out;
			}
			line = strtok_r(NULL, "\n", &save);
			continue;
		}
		char *f[4];
		if (split_fields(line + 4, f, 4) != 4 || nids == 256) {
			snprintf(err, errlen, "%s:%d: a comment line needs ID | NAME | EMAIL | MINUTES", path, lineno);
			goto out;
		}
		char key[32] = "", parent_key[32] = "";
		sscanf(f[0], "%31s reply %31s", key, parent_key);
		long long parent = 0, depth = 1, root = 0;
		for (int i = 0; *parent_key && i < nids; i++)
			if (strcmp(ids[i].key, parent_key) == 0)
				parent = ids[i].id, depth = ids[i].depth + 1, root = ids[i].root;
		if (*parent_key && !parent) {
			snprintf(err, errlen, "%s:%d: reply to unknown comment %s", path, lineno, parent_key);
			goto out;
		}
		/* the body: lines up to the next marker */
		struct buf body = {0};
		char *next;
		while ((next = strtok_r(NULL, "\n", &save)) && strncmp(next, "--- ", 4) != 0 && strncmp(next, "=== ", 4) != 0) {
			lineno++;
			buf_puts(&body, next);
			buf_putc(&body, '\n');
		}
		const char *md = body.s ? body.s : "";
		size_t hl;
		char *html = md_render(md, strlen(md), MD_READER, &hl);
		long long at = art->pub + atoll(f[3]) * 60;
		long long id = db_insert(c, "INSERT INTO comments (article_id, parent_id, root_id, depth, lang, name, email, body_md, "
		    "body_html, status, created_at, owner_hash, body_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, '', '') "
		    "RETURNING id", "innisssssi", art->id, parent, root, depth, art->ed, f[1], f[2], md, html, at);
		free(html);
		buf_free(&body);
		if (id < 0 || (!parent && db_exec(c, "UPDATE comments SET root_id = id WHERE id = ?", "i", id) < 0) ||
		    db_exec(c, "INSERT INTO comment_audit (comment_id, actor, action, to_status, at) VALUES (?, 'demo', 'post', 'approved', ?)",
			"ii", id, at) < 0 ||
		    db_exec(c, "UPDATE articles SET comment_count = comment_count + 1 WHERE id = ?", "i", art->id) < 0) {
			snprintf(err, errlen, "%s:%d: database error (see log)", path, lineno);
			goto out;
		}
		// cppcheck-suppress legacyUninitvar ; snprintf writes the key, it does not read it
		snprintf(ids[nids].key, sizeof ids[nids].key, "%s", key);
		ids[nids].id = id;
		ids[nids].depth = depth;
		ids[nids].root = parent ? root : id;
		nids++;
		line = next;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

/* demo/events.txt: events, their quotas and ticket types. */
struct demo_event {
	char key[64], kind[16], tz[64], organizer[128], join[256], venue[128], address[256];
	int days, hour, minute, minutes, featured;
	int nquota, nticket;
	struct { char key[32]; long long capacity, id; } quota[4];
	struct { char quota[32]; long long max, price; char name[3][64]; } ticket[8];
};

static int
insert_event(struct db_conn *c, struct arena *a, struct demo_event *d, char *blocks, long long now, char *err, size_t errlen)
{
	long long starts = i18n_local_time(d->tz, now, d->days, d->hour, d->minute);
	if (starts < 0 || !i18n_zone_valid(d->tz)) {
		snprintf(err, errlen, "event %s: unknown time zone '%s'", d->key, d->tz);
		return -1;
	}
	long long ends = starts + (long long)d->minutes * 60;
	long long group = db_insert(c, "INSERT INTO translation_groups (key) VALUES (?) RETURNING id", "s", arena_cat(a, "event:", d->key, NULL));
	if (group < 0)
		return -1;
	for (int i = 0; i < d->nquota; i++)
		if ((d->quota[i].id = db_insert(c, "INSERT INTO quotas (translation_group, capacity, remaining) VALUES (?, ?, ?) RETURNING id",
		    "iii", group, d->quota[i].capacity, d->quota[i].capacity)) < 0)
			return -1;
	for (int t = 0; t < d->nticket; t++) {
		long long q = 0;
		for (int i = 0; i < d->nquota; i++)
			if (strcmp(d->quota[i].key, d->ticket[t].quota) == 0)
				q = d->quota[i].id;
		if (!q) {
			snprintf(err, errlen, "event %s: ticket on unknown quota %s", d->key, d->ticket[t].quota);
			return -1;
		}
		long long tt = db_insert(c, "INSERT INTO ticket_types (translation_group, quota_id, position, price_cents, currency, per_order_max) "
		    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "iidnsi", group, q, t, d->ticket[t].price, d->ticket[t].price ? "EUR" : "",
		    d->ticket[t].max);
		if (tt < 0)
			return -1;
		static const char *codes[3] = {"en", "es", "pt"};
		for (int l = 0; l < 3; l++)
			if (*d->ticket[t].name[l] && db_exec(c, "INSERT INTO ticket_type_names (ticket_type_id, edition, name) VALUES (?, ?, ?)",
			    "iss", tt, codes[l], d->ticket[t].name[l]) < 0)
				return -1;
	}
	/* one row per edition block: "--- CODE", "# title", "> summary", description */
	for (char *b = strstr(blocks, "--- "); b;) {
		char *next = strstr(b + 4, "\n--- ");
		if (next)
			*next = 0;
		char code[8] = "";
		sscanf(b + 4, "%7s", code);
		char *title = strstr(b, "\n# "), *summary = title ? strstr(title, "\n> ") : NULL;
		if (!edition_find_in_demo(code) || !title || !summary) {
			snprintf(err, errlen, "event %s: a block needs a known edition, a \"# \" title and a \"> \" line", d->key);
			return -1;
		}
		char *tend = strchr(title + 3, '\n'), *send = strchr(summary + 3, '\n');
		const char *t = arena_strndup(a, title + 3, (size_t)(tend - title - 3));
		const char *s = send ? arena_strndup(a, summary + 3, (size_t)(send - summary - 3)) : arena_strdup(a, summary + 3);
		const char *desc = send ? send + 1 : "";
		size_t hl;
		char *html = md_render(desc, strlen(desc), MD_ARTICLE, &hl);
		long long id = db_insert(c, "INSERT INTO events (edition, translation_group, slug, title, summary, description_md, description_html, "
		    "kind, starts_at, ends_at, tz, venue_name, venue_address, join_url, organizer, featured, banner_from, created_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "sissssssiisssssdni",
		    code, group, i18n_slug(a, t), t, s, desc, html, d->kind, starts, ends, d->tz, d->venue, d->address, d->join,
		    d->organizer, d->featured ? 1 : 0, d->featured ? starts - (long long)d->featured * 86400 : 0, now);
		free(html);
		if (id < 0)
			return -1;
		b = next ? next + 1 : NULL;
	}
	return 0;
}

static int
load_events(struct db_conn *c, struct arena *a, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/events.txt", dir);
	char *text = read_file(path, err, errlen);
	if (!text)
		return -1;
	long long now = (long long)time(NULL);
	int rc = -1;
	for (char *ev = strstr(text, "=== "); ev;) {
		char *next = strstr(ev + 4, "\n=== ");
		if (next)
			*next = 0;
		struct demo_event d;
		memset(&d, 0, sizeof d);
		d.minutes = 60;
		char *save = NULL, *line = strtok_r(ev + 4, "\n", &save);
		snprintf(d.key, sizeof d.key, "%s", trim(line));
		char *blocks = NULL;
		while ((line = strtok_r(NULL, "\n", &save))) {
			if (strncmp(line, "--- ", 4) == 0) {
				line[strlen(line)] = '\n';   /* undo strtok: the blocks stay one string */
				blocks = line;
				break;
			}
			char *colon = strchr(line, ':');
			if (!colon || line[0] == '#')
				continue;
			*colon = 0;
			char *k = trim(line), *v = trim(colon + 1), *f[6];
			if (!strcmp(k, "kind")) snprintf(d.kind, sizeof d.kind, "%s", v);
			else if (!strcmp(k, "tz")) snprintf(d.tz, sizeof d.tz, "%s", v);
			else if (!strcmp(k, "organizer")) snprintf(d.organizer, sizeof d.organizer, "%s", v);
			else if (!strcmp(k, "join")) snprintf(d.join, sizeof d.join, "%s", v);
			else if (!strcmp(k, "minutes")) d.minutes = atoi(v);
			else if (!strcmp(k, "featured")) d.featured = atoi(v);
			else if (!strcmp(k, "starts")) sscanf(v, "%d %d:%d", &d.days, &d.hour, &d.minute);
			else if (!strcmp(k, "venue") && split_fields(v, f, 2) == 2) {
				snprintf(d.venue, sizeof d.venue, "%s", f[0]);
				snprintf(d.address, sizeof d.address, "%s", f[1]);
			} else if (!strcmp(k, "quota") && d.nquota < 4 && split_fields(v, f, 2) == 2) {
				snprintf(d.quota[d.nquota].key, sizeof d.quota[0].key, "%s", f[0]);
				d.quota[d.nquota++].capacity = atoll(f[1]);
			} else if (!strcmp(k, "ticket") && d.nticket < 8 && split_fields(v, f, 6) == 6) {
				snprintf(d.ticket[d.nticket].quota, sizeof d.ticket[0].quota, "%s", f[0]);
				d.ticket[d.nticket].max = atoll(f[1]);
				d.ticket[d.nticket].price = atoll(f[2]);
				for (int l = 0; l < 3; l++)
					snprintf(d.ticket[d.nticket].name[l], sizeof d.ticket[0].name[0], "%s", f[3 + l]);
				d.nticket++;
			}
		}
		if (!blocks || !*d.kind || !*d.tz) {
			snprintf(err, errlen, "%s: event %s needs kind, tz and at least one \"--- CODE\" block", path, d.key);
			goto out;
		}
		if (insert_event(c, a, &d, blocks, now, err, errlen) < 0) {
			if (!*err)
				snprintf(err, errlen, "%s: event %s: database error (see log)", path, d.key);
			goto out;
		}
		ev = next ? next + 1 : NULL;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* demo/pages/N-name.md: an edition's standing pages (format in
 * demo/FORMAT.md); "parent: N-name" names a file read before. */
#define DEMO_PAGES 32
static struct {
	char stem[64], ed[8];
	long long id;
} page_ids[DEMO_PAGES * NED];
static int npage_ids;

static int
load_page(struct db_conn *c, struct arena *a, const char *path, const char *stem, char *err, size_t errlen)
{
	char *text = read_file(path, err, errlen);
	if (!text)
		return -1;
	int rc = -1;
	const char *parent = NULL;
	bool footer = false;
	int position = 0;
	char *p = text;
	while (*p && *p != '\n') {   /* the header, up to the first blank line */
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		char *colon = strchr(p, ':');
		if (colon) {
			*colon = 0;
			const char *k = trim(p), *v = trim(colon + 1);
			if (!strcmp(k, "parent")) parent = v;
			else if (!strcmp(k, "footer")) footer = strcmp(v, "yes") == 0;
			else if (!strcmp(k, "position")) position = atoi(v);
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	struct inval iv = {0};   /* a new database: no cache to tell */
	for (char *blk = strstr(p, "=== "); blk; ) {
		char *next = strstr(blk + 4, "\n=== ");
		if (next)
			*next++ = 0;
		char *nl = strchr(blk, '\n');
		if (!nl)
			break;
		*nl = 0;
		char code[8] = "", slug[128] = "";
		if (sscanf(blk + 4, "%7s %127s", code, slug) != 2 || !edition_find_in_demo(code)) {
			snprintf(err, errlen, "%s: \"=== CODE SLUG\" expected", path);
			goto out;
		}
		char *body = nl + 1;
		while (*body == '\n')
			body++;
		if (strncmp(body, "# ", 2) != 0) {
			snprintf(err, errlen, "%s: \"# Title\" expected in %s", path, code);
			goto out;
		}
		char *tnl = strchr(body, '\n');
		const char *title = arena_strndup(a, body + 2, tnl ? (size_t)(tnl - body - 2) : strlen(body + 2));
		struct static_page pg = {0};
		for (int i = 0; parent && i < npage_ids; i++)
			if (strcmp(page_ids[i].stem, parent) == 0 && strcmp(page_ids[i].ed, code) == 0)
				pg.parent = page_ids[i].id;
		if (parent && !pg.parent) {
			snprintf(err, errlen, "%s: parent %s has no %s page before it", path, parent, code);
			goto out;
		}
		pg.edition = code;
		pg.slug = slug;
		pg.title = title;
		pg.body_md = tnl ? trim(tnl + 1) : "";
		pg.status = "published";
		pg.in_footer = footer;
		pg.position = position;
		int why;
		long long id = page_store(c, &iv, &pg, (long long)time(NULL), &why);
		if (id < 0) {
			snprintf(err, errlen, "%s: the %s page cannot be stored (%d)", path, code, why);
			goto out;
		}
		if (npage_ids < DEMO_PAGES * NED) {
			snprintf(page_ids[npage_ids].stem, sizeof page_ids[npage_ids].stem, "%s", stem);
			snprintf(page_ids[npage_ids].ed, sizeof page_ids[npage_ids].ed, "%s", code);
			page_ids[npage_ids++].id = id;
		}
		blk = next;
	}
	rc = 0;
out:
	inval_discard(&iv);
	free(text);
	return rc;
}

static int
load_pages(struct db_conn *c, struct arena *a, const char *dir, char *err, size_t errlen)
{
	char pdir[4096];
	snprintf(pdir, sizeof pdir, "%s/pages", dir);
	DIR *d = opendir(pdir);
	if (!d)
		return 0;   /* pages are optional */
	char *names[DEMO_PAGES] = {0};
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nn < DEMO_PAGES) {
		size_t l = strlen(de->d_name);
		if (l > 3 && l < 60 && strcmp(de->d_name + l - 3, ".md") == 0)
			names[nn++] = arena_strdup(a, de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_str);
	npage_ids = 0;
	for (size_t i = 0; i < nn; i++) {
		char path[4096 + 64], stem[64];
		snprintf(path, sizeof path, "%s/%s", pdir, names[i]);
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 3), names[i]);
		if (load_page(c, a, path, stem, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
demo_load(struct db *db, const char *dir, char *err, size_t errlen)
{
	struct db_conn *c = db_acquire(db);
	struct arena a;
	arena_init(&a, 65536);
	int rc = -1;
	char **names = NULL;
	size_t nn = 0;
	err[0] = 0;
	if (db_int1(c, 0, "SELECT count(*) FROM articles", "") > 0) {
		rc = 1;   /* already has content */
		goto out;
	}
	char sdir[4096];
	snprintf(sdir, sizeof sdir, "%s/stories", dir);
	DIR *d = opendir(sdir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", sdir, strerror(errno));
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 3 && strcmp(de->d_name + l - 3, ".md") == 0) {
			names = xrealloc(names, (nn + 1) * sizeof *names);
			names[nn++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, cmp_str);
	if (db_begin(c) < 0) {
		snprintf(err, errlen, "cannot begin a transaction");
		goto out;
	}
	for (int i = 0; i < NED; i++) {
		if (db_exec(c, "INSERT INTO editions (code, name, locale, position, is_default, direction) VALUES (?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (code) DO NOTHING", "sssdds", demo_editions[i].code, demo_editions[i].name,
		    demo_editions[i].locale, demo_editions[i].position, demo_editions[i].is_default, demo_editions[i].direction) < 0) {
			snprintf(err, errlen, "cannot insert editions");
			goto rollback;
		}
	}
	if (load_taxonomy(c, &a, dir, err, errlen) < 0)
		goto rollback;
	for (size_t i = 0; i < nn; i++) {
		char path[4096 + 256], stem[256];
		snprintf(path, sizeof path, "%s/%s", sdir, names[i]);
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 3), names[i]);
		if (load_story(c, &a, path, stem, err, errlen) < 0)
			goto rollback;
		arena_reset(&a);
	}
	/* related stories once every story is in: the first ones loaded could
	 * not see the later ones */
	{
		long long ids[4096];
		size_t n = 0;
		struct db_stmt *st = db_query(c, "SELECT id FROM articles WHERE status = 'published' ORDER BY id", "");
		while (db_row(st) && n < sizeof ids / sizeof *ids)
			ids[n++] = db_int(st, 0);
		if (db_done(st) < 0)
			goto rollback;
		for (size_t i = 0; i < n; i++)
			if (listings_sync(c, ids[i]) < 0)
				goto rollback;
	}
	if (load_comments(c, dir, err, errlen) < 0 || load_events(c, &a, dir, err, errlen) < 0 ||
	    load_pages(c, &a, dir, err, errlen) < 0)
		goto rollback;
	if (db_commit(c) < 0) {
		snprintf(err, errlen, "cannot commit the demo content");
		goto out;
	}
	rc = 0;
	goto out;
rollback:
	db_rollback(c);
out:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(loaded);
	loaded = NULL;
	nloaded = 0;
	arena_free(&a);
	db_release(c);
	return rc;
}
