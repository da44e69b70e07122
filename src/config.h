/* config.h: the server's settings, one table (config.c) that gives each its
 * type, default and help, and from which come the gazette.conf file it
 * reads, the environment variables that override the file, the command
 * line options that override both, `gazette serve --help`, the man page
 * and docs/settings.md. */
#ifndef GZ_CONFIG_H
#define GZ_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cfg_type { CFG_TEXT, CFG_INT, CFG_BOOL };

struct cfg_def {
	const char *key;       /* in gazette.conf and --key; env GAZETTE_KEY (upper case, '-' as '_') */
	const char *section;   /* where gazette.conf lists it */
	enum cfg_type type;
	const char *arg;       /* what the value is, for the help: "HOST:PORT" */
	const char *def;       /* the default as written in the file; NULL: none (the help says what then) */
	long min, max;         /* CFG_INT */
	const char *flag;      /* CFG_BOOL: the command-line flag, which sets the opposite of the default */
	const char *help;      /* sentences; wrapped when printed */
	int (*check)(const char *v, char *why, size_t n);   /* CFG_TEXT: 0 if acceptable, else why not */
	bool tests_only;       /* command line only, not in the file or the docs' table */
};

/* A setting's value and where it came from: "default", "FILE:LINE",
 * "environment GAZETTE_X" or "command line". */
struct cfg_value {
	const char *text;      /* NULL: unset (the default applies) */
	char origin[300];
};

extern const struct cfg_def cfg_defs[];
extern const size_t cfg_ndefs;

const struct cfg_def *cfg_find(const char *key);
/* Sets a value after checking it; on a bad one, err says which setting and why. */
int cfg_set(struct cfg_value *vals, const struct cfg_def *d, const char *value, const char *origin, char *err, size_t n);
/* Reads FILE (INI: [section], key = value, # comments); err names FILE:LINE. */
int cfg_load_file(struct cfg_value *vals, const char *path, char *err, size_t n);
/* Every GAZETTE_KEY in the environment. */
int cfg_load_env(struct cfg_value *vals, char *err, size_t n);

const char *cfg_text(const struct cfg_value *vals, const char *key);   /* NULL if unset */
long cfg_int(const struct cfg_value *vals, const char *key, long unset);
bool cfg_bool(const struct cfg_value *vals, const char *key);

/* The generated texts. */
void cfg_print_options(FILE *f);                 /* for gazette serve --help */
void cfg_print_sample(FILE *f);                  /* a gazette.conf with every setting, commented out */
void cfg_print_markdown(FILE *f);                /* docs/settings.md */
void cfg_print_man_options(FILE *f);             /* the man page's settings section */
void cfg_roff(FILE *f, const char *line);        /* one line of text, escaped for roff */
void cfg_print_effective(FILE *f, const struct cfg_value *vals);   /* gazette config show */

/* url with the password of scheme://user:password@host shown as ***, in
 * out (for logs, messages and config show); returns out. */
const char *cfg_hide_password(const char *url, char *out, size_t n);

#endif
