/* backup.c: `gazette backup --to FILE` and `gazette restore FILE`.
 *
 * A backup is one archive (tar, gzip-compressed) holding, in this order:
 *   MANIFEST  what made it, the schema version, and every table's row count
 *             and checksum (src/migrate.c's, the same as `gazette migrate`)
 *   site.db   the whole site as an SQLite database, copied from one read
 *             snapshot of the live one (SQLite or PostgreSQL) while it serves
 *   media/…   the uploaded pictures
 * so a backup of either backend restores into either. Restore reads the
 * archive into a scratch folder, refuses what it cannot trust (a damaged or
 * foreign archive, a newer schema, a name that would escape the media
 * folder, a table whose checksum differs from the manifest's), then copies
 * the site into an empty database and the pictures into the media folder,
 * never over anything already there. This file owns the archive and the
 * scratch folder; copying and checking rows is src/migrate.c's. */
#include "site.h"
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_LINE "gazette-backup 1"
#define MAX_MANIFEST 65536
#define MAX_MEDIA_FILES 1000000

static const char backup_help[] =
	"usage: gazette backup --to FILE [--db DB] [--media-dir DIR]\n"
	"Writes one archive (tar.gz) of the whole site while it keeps serving:\n"
	"the database, copied from one consistent snapshot and checked table by\n"
	"table, and the uploaded pictures. FILE appears only once it is whole.\n"
	"Scratch space comes from $TMPDIR (default /tmp).\n"
	"  --to FILE        the archive to write (an existing file is replaced)\n"
	"  --db DB          the site: an SQLite file or a postgresql:// URL\n"
	"                   (default gazette.db; env GAZETTE_DB)\n"
	"  --media-dir DIR  the pictures folder (default ./media)\n";

static const char restore_help[] =
	"usage: gazette restore FILE [--db DB] [--media-dir DIR]\n"
	"Brings back a backup made by 'gazette backup': checks the archive\n"
	"against its manifest, then copies the site into DB, which must be new\n"
	"or empty (an SQLite file or a postgresql:// URL, whichever the backup\n"
	"came from), and the pictures into DIR, beside any already there.\n"
	"Nothing existing is overwritten. Sessions are not kept: staff sign in\n"
	"again.\n"
	"  --db DB          where the site goes (default gazette.db; env GAZETTE_DB)\n"
	"  --media-dir DIR  where the pictures go (default ./media)\n";

/* ---- scratch folder ------------------------------------------------------- */

static int
make_scratch(char *out, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(out, n, "%s/gazette-backup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(out)) {
		fprintf(stderr, "gazette: cannot make a scratch folder in %s: %s\n", tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return -1;
	}
	return 0;
}

/* Removes a folder and everything in it (the scratch folder: our own files,
 * no links followed). */
static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof p, "%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---- writing -------------------------------------------------------------- */

static int
add_file(struct archive *ar, const char *path, const char *name, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		errmsg(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	int rc = archive_write_header(ar, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	char buf[65536];
	ssize_t n;
	off_t total = 0;
	while (rc == 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		if (archive_write_data(ar, buf, (size_t)n) != n)
			rc = -1;
		total += n;
	}
	close(fd);
	if (rc == 0 && total != st.st_size) {
		errmsg(err, errlen, "%s changed while it was read", path);
		return -1;
	}
	if (rc < 0)
		errmsg(err, errlen, "writing %s: %s", name, archive_error_string(ar) ? archive_error_string(ar) : "failed");
	return rc;
}

static int
add_text(struct archive *ar, const char *name, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, time(NULL), 0);
	int rc = archive_write_header(ar, e) == ARCHIVE_OK && archive_write_data(ar, text, len) == (la_ssize_t)len ? 0 : -1;
	archive_entry_free(e);
	if (rc < 0)
		errmsg(err, errlen, "writing %s: %s", name, archive_error_string(ar) ? archive_error_string(ar) : "failed");
	return rc;
}

/* The pictures folder, walked in a stable order; regular files only. */
static int
add_media(struct archive *ar, const char *dir, const char *rel, long *files, long long *bytes, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT && !*rel)
			return 0;   /* no pictures yet */
		errmsg(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = list[i]->d_name;
		if (rc == 0 && strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
			char sub[PATH_MAX], full[PATH_MAX];
			struct stat st;
			if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", nm) >= sizeof sub ||
			    (size_t)snprintf(full, sizeof full, "%s/%s", dir, sub) >= sizeof full) {
				errmsg(err, errlen, "a name in %s is too long", dir);
				rc = -1;
			} else if (lstat(full, &st) < 0)
				;   /* gone since the listing: deleted pictures need no backup */
			else if (S_ISDIR(st.st_mode))
				rc = add_media(ar, dir, sub, files, bytes, err, errlen);
			else if (S_ISREG(st.st_mode) && !strchr(nm, '\n')) {
				char name[PATH_MAX + 8];
				snprintf(name, sizeof name, "media/%s", sub);
				rc = add_file(ar, full, name, err, errlen);
				++*files;
				*bytes += st.st_size;
			}
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int
cmd_backup(int argc, char **argv, const char *db_path)
{
	const char *to = NULL, *media = "media";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(backup_help, stdout);
			return 0;
		}
		if (i + 1 < argc && strcmp(a, "--to") == 0)
			to = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--db") == 0)
			db_path = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--media-dir") == 0)
			media = argv[++i];
		else {
			fprintf(stderr, "gazette: backup: unknown option or missing value '%s'\n%s", a, backup_help);
			return 2;
		}
	}
	if (!to || !*to) {
		fprintf(stderr, "gazette: backup: --to FILE is needed\n%s", backup_help);
		return 2;
	}
	if (!db_url_is_pg(db_path) && access(db_path, R_OK) < 0) {
		fprintf(stderr, "gazette: backup: no database at %s: %s\n", db_path, strerror(errno));
		return 1;
	}
	char scratch[PATH_MAX], snap[PATH_MAX + 16], part[PATH_MAX + 16], err[1024] = "";
	if (make_scratch(scratch, sizeof scratch) < 0)
		return 1;
	snprintf(snap, sizeof snap, "%s/site.db", scratch);
	snprintf(part, sizeof part, "%s.part", to);
	int rc = 1;
	size_t nt = site_tables();
	struct table_sum *sums = calloc(nt, sizeof *sums);
	struct db *live = cli_open_db(db_path), *copy = live ? cli_open_db(snap) : NULL;
	struct archive *ar = NULL;
	if (!sums || !copy)
		goto out;
	/* the copy: one read snapshot of the live site, checked table by table */
	if (site_migrate(live, copy, sums, err, sizeof err) < 0)
		goto out;
	struct db_conn *c = db_acquire(copy);
	int schema = db_schema_version(c);
	db_release(c);
	db_close(copy);
	copy = NULL;
	const char *backend = db_url_is_pg(db_path) ? "postgresql" : "sqlite";
	char *manifest = malloc(MAX_MANIFEST);
	if (!manifest)
		goto out;
	char when[32];
	time_t now = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	int m = snprintf(manifest, MAX_MANIFEST, "%s\ngazette %s\nschema %d\ncreated %s\nsource %s\n",
	    FORMAT_LINE, GAZETTE_VERSION, schema, when, backend);
	long long rows = 0;
	for (size_t t = 0; t < nt && m > 0 && m < MAX_MANIFEST; t++) {
		m += snprintf(manifest + m, (size_t)(MAX_MANIFEST - m), "table %s %lld %016llx\n", sums[t].table, sums[t].rows, sums[t].sum);
		rows += sums[t].rows;
	}
	ar = archive_write_new();
	archive_write_add_filter_gzip(ar);
	archive_write_set_format_pax_restricted(ar);
	if (archive_write_open_filename(ar, part) != ARCHIVE_OK) {
		errmsg(err, sizeof err, "cannot write %s: %s", part, archive_error_string(ar));
		free(manifest);
		goto out;
	}
	long files = 0;
	long long bytes = 0;
	int wr = add_text(ar, "MANIFEST", manifest, err, sizeof err);
	free(manifest);
	if (wr == 0)
		wr = add_file(ar, snap, "site.db", err, sizeof err);
	if (wr == 0)
		wr = add_media(ar, media, "", &files, &bytes, err, sizeof err);
	if (archive_write_close(ar) != ARCHIVE_OK && wr == 0) {
		errmsg(err, sizeof err, "cannot finish %s: %s", part, archive_error_string(ar));
		wr = -1;
	}
	if (wr == 0) {
		/* whole on disk before it takes the name */
		int fd = open(part, O_RDONLY);
		if (fd < 0 || fsync(fd) < 0 || rename(part, to) < 0) {
			errmsg(err, sizeof err, "cannot put %s in place: %s", to, strerror(errno));
			wr = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (wr < 0) {
		unlink(part);
		goto out;
	}
	printf("backed up %zu tables (%lld rows, checked) and %ld pictures (%lld bytes) to %s\n", nt, rows, files, bytes, to);
	rc = 0;
out:
	if (rc && *err)
		fprintf(stderr, "gazette: backup: %s\n", err);
	if (ar)
		archive_write_free(ar);
	if (copy)
		db_close(copy);
	if (live)
		db_close(live);
	free(sums);
	remove_tree(scratch);
	return rc;
}

/* ---- reading -------------------------------------------------------------- */

/* A media name from an archive, as it will be written under the media
 * folder: letters, digits, '.', '-', '_' in at most 4 parts, none empty or
 * dots only. Anything else is refused, so no name escapes the folder. */
static bool
safe_media_name(const char *rel)
{
	if (!*rel || strlen(rel) > 200)
		return false;
	int parts = 1;
	const char *part = rel;
	for (const char *p = rel;; p++) {
		if (*p == '/' || !*p) {
			size_t len = (size_t)(p - part);
			if (len == 0 || strspn(part, ".") >= len)
				return false;
			if (!*p)
				break;
			if (++parts > 4)
				return false;
			part = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_'))
			return false;
	}
	return true;
}

static int
mkdirs(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int
write_entry(struct archive *ar, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd < 0) {
		errmsg(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(ar, &buf, &len, &off)) == ARCHIVE_OK)
		if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
			errmsg(err, errlen, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	close(fd);
	if (r != ARCHIVE_EOF) {
		errmsg(err, errlen, "the archive is damaged: %s", archive_error_string(ar));
		return -1;
	}
	return 0;
}

struct manifest {
	int schema;
	char source[32], version[64], created[32];
	struct table_sum *sums;
	char (*names)[64];
	size_t ntables;
};

static int
parse_manifest(char *text, struct manifest *mf, size_t cap, char *err, size_t errlen)
{
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, FORMAT_LINE) != 0) {
		errmsg(err, errlen, "not a Gazette backup (its manifest does not begin '%s')", FORMAT_LINE);
		return -1;
	}
	mf->schema = -1;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char name[64];
		long long rows;
		unsigned long long sum;
		if (sscanf(line, "schema %d", &mf->schema) == 1 || sscanf(line, "source %31s", mf->source) == 1 ||
		    sscanf(line, "gazette %63s", mf->version) == 1 || sscanf(line, "created %31s", mf->created) == 1)
			continue;
		if (sscanf(line, "table %63s %lld %llx", name, &rows, &sum) == 3 && mf->ntables < cap) {
			snprintf(mf->names[mf->ntables], sizeof mf->names[0], "%s", name);
			mf->sums[mf->ntables] = (struct table_sum){mf->names[mf->ntables], rows, sum};
			mf->ntables++;
		}
	}
	if (mf->schema < 1) {
		errmsg(err, errlen, "the manifest names no schema version");
		return -1;
	}
	return 0;
}

/* Reads the archive into scratch: MANIFEST (parsed), site.db, media/. */
static int
unpack(const char *file, const char *scratch, struct manifest *mf, size_t cap, long *nmedia, char *err, size_t errlen)
{
	struct archive *ar = archive_read_new();
	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	int rc = -1;
	if (archive_read_open_filename(ar, file, 65536) != ARCHIVE_OK) {
		errmsg(err, errlen, "cannot read %s: %s", file, archive_error_string(ar));
		goto out;
	}
	bool seen_manifest = false, seen_db = false;
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name)
			name = "";
		if (!seen_manifest) {
			la_int64_t size = archive_entry_size(e);
			if (strcmp(name, "MANIFEST") != 0 || size <= 0 || size >= MAX_MANIFEST) {
				errmsg(err, errlen, "not a Gazette backup (it does not begin with its MANIFEST)");
				goto out;
			}
			char *text = calloc(1, (size_t)size + 1);
			la_ssize_t got = 0, n = 1;
			while (text && got < size && (n = archive_read_data(ar, text + got, (size_t)(size - got))) > 0)
				got += n;
			if (!text || got != size) {
				free(text);
				errmsg(err, errlen, "the archive is damaged: %s", archive_error_string(ar) ? archive_error_string(ar) : "short manifest");
				goto out;
			}
			int pm = parse_manifest(text, mf, cap, err, errlen);
			free(text);
			if (pm < 0)
				goto out;
			if (mf->schema > db_latest_version()) {
				errmsg(err, errlen, "this backup was made by a newer Gazette (%s, schema %d; this one knows up to %d): "
				    "restore it with that version or a later one", mf->version, mf->schema, db_latest_version());
				goto out;
			}
			seen_manifest = true;
			continue;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			if (archive_entry_filetype(e) == AE_IFDIR)
				continue;
			errmsg(err, errlen, "refused: '%s' in the archive is not a plain file", name);
			goto out;
		}
		char path[PATH_MAX + 256];   /* scratch is short; a media name at most 200 */
		if (strcmp(name, "site.db") == 0 && !seen_db) {
			snprintf(path, sizeof path, "%.*s/site.db", PATH_MAX, scratch);
			seen_db = true;
		} else if (strncmp(name, "media/", 6) == 0 && safe_media_name(name + 6) && *nmedia < MAX_MEDIA_FILES) {
			snprintf(path, sizeof path, "%.*s/%.210s", PATH_MAX, scratch, name);
			char *slash = strrchr(path, '/');
			*slash = 0;
			if (mkdirs(path) < 0) {
				errmsg(err, errlen, "cannot make %s: %s", path, strerror(errno));
				goto out;
			}
			*slash = '/';
			++*nmedia;
		} else {
			errmsg(err, errlen, "refused: the archive holds '%.200s', which a Gazette backup never does", name);
			goto out;
		}
		if (write_entry(ar, path, err, errlen) < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		errmsg(err, errlen, "the archive is damaged: %s", archive_error_string(ar));
		goto out;
	}
	if (!seen_manifest || !seen_db) {
		errmsg(err, errlen, "the archive is incomplete: %s is missing", seen_manifest ? "site.db" : "MANIFEST");
		goto out;
	}
	rc = 0;
out:
	archive_read_free(ar);
	return rc;
}

static int
copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY), out = in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	char buf[65536];
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (out >= 0 && (fsync(out) < 0 || close(out) < 0))
		rc = -1;
	if (in >= 0)
		close(in);
	if (rc == 0)
		unlink(src);
	return rc;
}

/* Puts the pictures unpacked in scratch/media beside those in dir. A
 * picture already there is kept if it is the same and refused if not;
 * with check, nothing is moved (the first pass, before the database). */
static int
place_media(const char *from, const char *dir, const char *rel, bool check, long *placed, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s%s%s", from, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		errmsg(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[PATH_MAX], src[PATH_MAX * 2], dst[PATH_MAX * 2];
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(src, sizeof src, "%s/%s", from, sub);
		snprintf(dst, sizeof dst, "%s/%s", dir, sub);
		struct stat ss, ds;
		if (lstat(src, &ss) < 0)
			continue;
		if (S_ISDIR(ss.st_mode)) {
			if (!check && mkdirs(dst) < 0) {
				errmsg(err, errlen, "cannot make %s: %s", dst, strerror(errno));
				rc = -1;
			} else
				rc = place_media(from, dir, sub, check, placed, err, errlen);
			continue;
		}
		if (lstat(dst, &ds) == 0) {
			bool same = S_ISREG(ds.st_mode) && ds.st_size == ss.st_size;
			if (same) {
				FILE *a = fopen(src, "rb"), *b = fopen(dst, "rb");
				char x[8192], y[8192];
				size_t n;
				while (same && a && b && (n = fread(x, 1, sizeof x, a)) > 0)
					same = fread(y, 1, n, b) == n && memcmp(x, y, n) == 0;
				same = same && a && b;
				if (a)
					fclose(a);
				if (b)
					fclose(b);
			}
			if (!same) {
				errmsg(err, errlen, "%s exists and differs from the backup's: move it away first", dst);
				rc = -1;
			}
			continue;
		}
		if (check)
			continue;
		/* rename(2) cannot cross file systems: then the picture is copied */
		if (rename(src, dst) < 0 && (errno != EXDEV || copy_file(src, dst) < 0)) {
			errmsg(err, errlen, "cannot put %s in place: %s", dst, strerror(errno));
			rc = -1;
		} else
			++*placed;
	}
	closedir(d);
	return rc;
}

int
cmd_restore(int argc, char **argv, const char *db_path)
{
	const char *file = NULL, *media = "media";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(restore_help, stdout);
			return 0;
		}
		if (i + 1 < argc && strcmp(a, "--db") == 0)
			db_path = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--media-dir") == 0)
			media = argv[++i];
		else if (a[0] != '-' && !file)
			file = a;
		else {
			fprintf(stderr, "gazette: restore: unknown option or missing value '%s'\n%s", a, restore_help);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "gazette: restore: which backup? (gazette restore FILE)\n%s", restore_help);
		return 2;
	}
	char scratch[PATH_MAX], snap[PATH_MAX + 16], from_media[PATH_MAX + 16], err[1024] = "";
	if (make_scratch(scratch, sizeof scratch) < 0)
		return 1;
	snprintf(snap, sizeof snap, "%s/site.db", scratch);
	snprintf(from_media, sizeof from_media, "%s/media", scratch);
	size_t nt = site_tables(), cap = nt + 64;
	struct manifest mf = {0};
	mf.sums = calloc(cap, sizeof *mf.sums);
	mf.names = calloc(cap, sizeof *mf.names);
	struct table_sum *got = calloc(nt, sizeof *got);
	struct db *copy = NULL, *target = NULL;
	long nmedia = 0, placed = 0;
	int rc = 1;
	bool created = false;
	if (!mf.sums || !mf.names || !got)
		goto out;
	if (unpack(file, scratch, &mf, cap, &nmedia, err, sizeof err) < 0)
		goto out;
	/* the pictures must fit beside those there before anything is written */
	if (place_media(from_media, media, "", true, &placed, err, sizeof err) < 0)
		goto out;
	copy = cli_open_db(snap);   /* an older backup is migrated up here */
	if (!copy) {
		errmsg(err, sizeof err, "the archive's database cannot be opened");
		goto out;
	}
	if (mf.schema == db_latest_version()) {
		/* the rows are those the backup counted and summed */
		if (site_sums(copy, got) < 0) {
			errmsg(err, sizeof err, "the archive's database cannot be read");
			goto out;
		}
		for (size_t t = 0; t < nt; t++) {
			size_t k;
			for (k = 0; k < mf.ntables && strcmp(mf.sums[k].table, got[t].table) != 0; k++)
				;
			if (k == mf.ntables || mf.sums[k].rows != got[t].rows || mf.sums[k].sum != got[t].sum) {
				errmsg(err, sizeof err, "the archive is damaged: table %s does not match its manifest", got[t].table);
				goto out;
			}
		}
	}
	created = !db_url_is_pg(db_path) && access(db_path, F_OK) < 0;
	target = cli_open_db(db_path);
	if (!target)
		goto out;
	if (site_migrate(copy, target, got, err, sizeof err) < 0)
		goto out;
	db_close(target);
	target = NULL;
	created = false;   /* whole: it stays */
	if (mkdirs(media) < 0) {
		errmsg(err, sizeof err, "cannot make %s: %s", media, strerror(errno));
		goto out;
	}
	if (place_media(from_media, media, "", false, &placed, err, sizeof err) < 0)
		goto out;
	long long rows = 0;
	for (size_t t = 0; t < nt; t++)
		rows += got[t].rows;
	printf("restored %zu tables (%lld rows, checked) from the backup of %s (%s) and %ld of its %ld pictures into %s\n",
	    nt, rows, mf.created, mf.source, placed, nmedia, media);
	rc = 0;
out:
	if (rc && *err)
		fprintf(stderr, "gazette: restore: %s\n", err);
	if (target)
		db_close(target);
	if (copy)
		db_close(copy);
	if (created) {   /* a database file this failed restore made: not left half-filled */
		char side[PATH_MAX + 8];
		unlink(db_path);
		snprintf(side, sizeof side, "%s-wal", db_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", db_path);
		unlink(side);
	}
	free(mf.sums);
	free(mf.names);
	free(got);
	remove_tree(scratch);
	return rc;
}
