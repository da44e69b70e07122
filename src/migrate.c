/* migrate.c: `gazette migrate --from DB --to DB` — copies a whole site from
 * one database to another (SQLite ↔ PostgreSQL), then proves the copy: row
 * counts and an order-independent checksum of every column of every row,
 * per table, read back from both sides. The target must be empty; it is
 * created and migrated first. The cache invalidation log is not copied
 * (it only matters to servers running on the source). */
#include "site.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Tables in an order that satisfies foreign keys, with every column. */
static const struct table {
	const char *name, *cols;
	bool identity;          /* has an id column the target must continue after */
} tables[] = {
	{"editions", "code, name, locale, position, is_default, search_language, direction", false},
	{"terms", "id, taxonomy, key, parent_id, position, comment_policy", true},
	{"term_names", "term_id, edition, taxonomy, name, slug, description", false},
	{"authors", "id, slug, name, photo", true},
	{"author_bios", "author_id, edition, bio", false},
	{"translation_groups", "id, key", true},
	{"users", "id, email, name, role, password_hash, disabled, created_at, totp_secret, totp_on, totp_last", true},   /* not their sessions */
	{"user_editions", "user_id, edition", false},
	{"media", "id, format, width, height, widths, bytes, filename, user_id, created_at", true},
	{"media_texts", "media_id, edition, alt, caption, credit", false},
	{"articles", "id, edition, translation_group, kind, slug, title, standfirst, section_id, category_id, status, "
		     "published_at, updated_at, created_at, byline, comment_policy, comment_count, created_by, source_id, "
		     "outdated, correction, featured_media_id, related", true},
	{"article_bodies", "article_id, body_md, body_html", false},
	{"article_tags", "article_id, term_id", false},
	{"article_authors", "article_id, author_id, position", false},
	{"article_listings", "list, edition, listed_at, article_id", false},
	{"settings", "key, value", false},   /* with the secret: commenters' cookies stay valid */
	{"comments", "id, article_id, parent_id, root_id, depth, lang, name, email, body_md, body_html, status, "
		     "held_reason, created_at, edited_at, ip_hash, owner_hash, body_hash, kind, url", true},
	{"comment_audit", "id, comment_id, actor, action, from_status, to_status, at, note", true},
	{"events", "id, edition, translation_group, slug, title, summary, description_md, description_html, image, image_alt, "
		   "kind, status, starts_at, ends_at, tz, venue_name, venue_address, join_url, organizer, featured, banner_from, "
		   "banner_until, created_at", true},
	{"quotas", "id, translation_group, capacity, remaining", true},
	{"ticket_types", "id, translation_group, quota_id, position, price_cents, currency, sales_from, sales_until, per_order_max", true},
	{"ticket_type_names", "ticket_type_id, edition, name", false},
	{"bookings", "id, event_id, ticket_type_id, quota_id, qty, name, email, lang, code, manage_hash, idem_key, status, provider, "
		     "provider_ref, created_at, cancelled_at, checked_in_at", true},
	{"waitlist", "id, event_id, ticket_type_id, quota_id, qty, name, email, lang, status, offer_hash, offer_expires, held, "
		     "booking_id, created_at", true},
	{"checkin_keys", "key_hash, translation_group, created_at", false},
	{"outbox", "id, to_addr, subject, body, attach_name, attach_type, attach, message_id, created_at, next_at, attempts, "
		   "sent_at, last_error", true},
	{"audit_log", "id, user_id, action, detail, at", true},
	{"article_revisions", "id, article_id, user_id, created_at, autosave, status, title, standfirst, body_md, note", true},
	{"page_views", "day, article_id, views", false},
	{"comment_bans", "kind, hash, created_at, user_id, note", false},
	{"redirects", "from_path, to_path, created_at, user_id", false},
	{"front_pins", "edition, position, article_id", false},
	{"breaking", "edition, article_id, until, created_at", false},
	{"api_keys", "id, name, key_hash, origins, created_at, revoked_at", true},
	{"import_map", "source, kind, source_id, target_id", false},
	{"pages", "id, edition, parent_id, slug, path, title, body_md, body_html, status, in_footer, position, created_at, "
		  "updated_at, user_id", true},
};
#define NTABLES (sizeof tables / sizeof *tables)
#define MAXCOLS 32

/* The SQL for each table is made once from the literal table list above:
 * no input reaches it. */
static char select_sql[NTABLES][512], insert_sql[NTABLES][512], count_sql[NTABLES][128];

static int
ncols(const char *cols)
{
	int n = 1;
	for (const char *p = cols; *p; p++)
		n += *p == ',';
	return n;
}

static void
build_sql(void)
{
	for (size_t t = 0; t < NTABLES; t++) {
		int n = ncols(tables[t].cols);
		/* in id order: a row that refers to another of its table (a reply, a
		 * subcategory) comes after it */
		snprintf(select_sql[t], sizeof select_sql[t], "SELECT %s FROM %s%s", tables[t].cols, tables[t].name,
		    tables[t].identity ? " ORDER BY id" : "");
		char q[3 * MAXCOLS + 1] = "";
		size_t ql = 0;
		for (int i = 0; i < n && i < MAXCOLS; i++)
			ql += (size_t)snprintf(q + ql, sizeof q - ql, "%s", i ? ", ?" : "?");
		snprintf(insert_sql[t], sizeof insert_sql[t], "INSERT INTO %s (%s) VALUES (%s)", tables[t].name, tables[t].cols, q);
		snprintf(count_sql[t], sizeof count_sql[t], "SELECT count(*) FROM %s", tables[t].name);
	}
}

/* Order-independent checksum: the sum of a 64-bit hash of each row. */
static int
table_sum(struct db_conn *c, size_t t, unsigned long long *sum, long long *rows)
{
	struct db_stmt *st = db_prepare_built(c, select_sql[t]);
	int n = ncols(tables[t].cols);
	*sum = 0;
	*rows = 0;
	while (db_row(st)) {
		crypto_generichash_state h;
		crypto_generichash_init(&h, NULL, 0, 8);
		for (int i = 0; i < n; i++) {
			const char *v = db_text(st, i);
			/* NULL and '' differ; columns are separated */
			crypto_generichash_update(&h, (const unsigned char *)(v ? "v" : "n"), 1);
			if (v)
				crypto_generichash_update(&h, (const unsigned char *)v, strlen(v) + 1);
		}
		unsigned long long x;
		crypto_generichash_final(&h, (unsigned char *)&x, sizeof x);
		*sum += x;
		(*rows)++;
	}
	return db_done(st);
}

/* PostgreSQL only: identity columns continue after the copied ids. */
static int
pg_continue_identity(struct db_conn *c, const char *table)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM %s), false)",
	    table, table);
	struct db_stmt *st = db_prepare_built(c, sql);
	while (db_row(st))
		;
	return db_done(st);
}

size_t
site_tables(void)
{
	return NTABLES;
}

int
site_sums(struct db *db, struct table_sum *sums)
{
	build_sql();
	struct db_conn *c = db_acquire(db);
	int rc = db_read_begin(c);
	for (size_t t = 0; t < NTABLES && rc == 0; t++) {
		sums[t].table = tables[t].name;
		rc = table_sum(c, t, &sums[t].sum, &sums[t].rows);
	}
	db_release(c);
	return rc < 0 ? -1 : 0;
}

int
site_migrate(struct db *from, struct db *to, struct table_sum *sums, char *err, size_t errlen)
{
	build_sql();
	struct db_conn *src = db_acquire(from), *dst = db_acquire(to);
	int rc = -1;
	if (db_int1(dst, 0, "SELECT count(*) FROM articles", "") > 0 || db_int1(dst, 0, "SELECT count(*) FROM editions", "") > 0) {
		snprintf(err, errlen, "the target database already has content: copy into a new or empty one");
		goto out;
	}
	if (db_read_begin(src) < 0 || db_begin(dst) < 0) {
		snprintf(err, errlen, "cannot begin transactions");
		goto out;
	}
	for (size_t t = 0; t < NTABLES; t++) {
		int n = ncols(tables[t].cols);
		struct db_stmt *rd = db_prepare_built(src, select_sql[t]);
		while (db_row(rd)) {
			struct db_stmt *wr = db_prepare_built(dst, insert_sql[t]);
			for (int i = 0; i < n && wr; i++)
				if (db_bind_text(wr, i + 1, db_text(rd, i)) < 0)
					break;
			while (db_row(wr))
				;
			if (db_done(wr) < 0) {
				db_done(rd);
				snprintf(err, errlen, "copying %s failed (see the log)", tables[t].name);
				db_rollback(dst);
				goto out;
			}
		}
		if (db_done(rd) < 0) {
			snprintf(err, errlen, "reading %s failed (see the log)", tables[t].name);
			db_rollback(dst);
			goto out;
		}
		if (tables[t].identity && strcmp(db_backend_name(to), "postgresql") == 0 && pg_continue_identity(dst, tables[t].name) < 0) {
			snprintf(err, errlen, "cannot continue the ids of %s", tables[t].name);
			db_rollback(dst);
			goto out;
		}
	}
	/* the search index is made from the articles, not copied: each
	 * backend keeps it in its own form */
	if (search_reindex(dst, "") < 0) {
		snprintf(err, errlen, "cannot build the search index");
		db_rollback(dst);
		goto out;
	}
	if (db_commit(dst) < 0) {
		snprintf(err, errlen, "cannot commit the copy");
		goto out;
	}
	/* prove it: both sides read back, table by table */
	rc = 0;
	for (size_t t = 0; t < NTABLES; t++) {
		unsigned long long a, b;
		long long ra, rb;
		if (table_sum(src, t, &a, &ra) < 0 || table_sum(dst, t, &b, &rb) < 0) {
			snprintf(err, errlen, "cannot read %s back", tables[t].name);
			rc = -1;
			break;
		}
		bool same = a == b && ra == rb;
		if (sums)
			sums[t] = (struct table_sum){tables[t].name, rb, b};
		else
			printf("%-20s %8lld rows  %016llx  %s\n", tables[t].name, rb, b, same ? "matches" : "DIFFERS");
		if (!same) {
			snprintf(err, errlen, "%s differs: %lld rows (%016llx) copied from %lld rows (%016llx)", tables[t].name, rb, b, ra, a);
			rc = -1;
		}
	}
out:
	db_release(src);
	db_release(dst);
	return rc;
}
