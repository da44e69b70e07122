/* fuzz_wxr.c: the WordPress importer's reader: each input is a WXR file
 * imported end to end as a dry run (libxml2's reader, the items, terms,
 * authors, comments, pages, attachments, Polylang languages, content to
 * Markdown, redirects) into one SQLite database made at start. Properties:
 * never a crash; the import answers done or refused; as a dry run it
 * leaves the database as it was and no picture copy behind. */
#include "fuzz.h"
#include "db.h"
#include "image.h"
#include "site.h"
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

static struct db *db;
static char dir[64], file[96], media[96];
static long long before;

/* import_wordpress.c's CLI half opens its database through main.c; the
 * target's database is open already. */
struct db *cli_open_db(const char *path);
struct db *
cli_open_db(const char *path)
{
	(void)path;
	return NULL;
}

static long long
rows(void)
{
	struct db_conn *c = db_acquire(db);
	long long n = db_int1(c, -1, "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM pages) + "
	    "(SELECT count(*) FROM terms) + (SELECT count(*) FROM redirects) + (SELECT count(*) FROM media) + "
	    "(SELECT count(*) FROM comments) + (SELECT count(*) FROM editions) + (SELECT count(*) FROM users) + "
	    "(SELECT count(*) FROM authors) + (SELECT count(*) FROM import_map)", "");
	db_release(c);
	return n;
}

/* The test picture beside the export, where the importer looks for
 * uploads, so that attachments reach libvips too. */
static void
copy_picture(void)
{
	char src[4200], dst[160];
	snprintf(src, sizeof src, "%s/tests/http/wxr/uploads/2024/03/pier.jpg", GAZETTE_DATADIR);
	FILE *in = fopen(src, "rb");
	if (!in)
		return;   /* run from elsewhere: attachments are then missing files */
	snprintf(dst, sizeof dst, "%s/uploads", dir);
	mkdir(dst, 0755);
	snprintf(dst, sizeof dst, "%s/uploads/2024", dir);
	mkdir(dst, 0755);
	snprintf(dst, sizeof dst, "%s/uploads/2024/03", dir);
	mkdir(dst, 0755);
	snprintf(dst, sizeof dst, "%s/uploads/2024/03/pier.jpg", dir);
	FILE *out = fopen(dst, "wb");
	char b[8192];
	for (size_t n; out && (n = fread(b, 1, sizeof b, in)) > 0;)
		fwrite(b, 1, n, out);
	if (out)
		fclose(out);
	fclose(in);
}

static void
cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-wxr: %s not removed\n", dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(dir, sizeof dir, "/tmp/gazette-fuzz-wxr-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	char path[128], err[256];
	snprintf(path, sizeof path, "%s/site.db", dir);
	snprintf(file, sizeof file, "%s/in.xml", dir);
	snprintf(media, sizeof media, "%s/media", dir);
	db = db_open(path, 2, err, sizeof err);
	if (!db)
		abort();
	struct db_conn *c = db_acquire(db);
	if (db_migrate(c, err, sizeof err) < 0 ||
	    db_exec(c, "INSERT INTO editions (code, name, locale, position, is_default) VALUES ('en', 'English', 'en_GB', 0, 1), "
		"('es', 'Español', 'es_ES', 1, 0)", "") != 2)
		abort();
	db_release(c);
	struct site_config cfg = {NULL};
	if (site_init(db, &cfg) < 0 || image_init() < 0)
		abort();
	media_dir_set(media);
	before = rows();
	copy_picture();
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	FILE *out = fopen("/dev/null", "w");
	struct import_options o = {.file = file, .edition = "en", .dry_run = true, .with_accounts = size % 2 == 0};
	int rc = import_wordpress_run(db, &o, out);
	fclose(out);
	FUZZ_ASSERT(rc == 0 || rc == 1);
	FUZZ_ASSERT(rows() == before);
	/* a dry run's pictures are discarded with the transaction */
	DIR *d = opendir(media);
	if (d) {
		for (struct dirent *e; (e = readdir(d));)
			FUZZ_ASSERT(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0);
		closedir(d);
	}
	return 0;
}
