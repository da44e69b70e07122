/* tmpl.c: template parser and renderer, with context-aware escaping.
 *
 * DESIGN: a template compiles to a list of nodes. While parsing, a small
 * HTML state machine follows the literal text so that every {{ }} knows
 * whether it stands in element text, a quoted attribute, the start of a
 * URL attribute or a JSON-LD script, and picks that context's escaper once,
 * at parse time. Output in any other place (an unquoted attribute, a
 * <script> or <style> that is not JSON) is a parse error, so a template
 * cannot be written that lets a value run as script. Rendering allocates
 * only in the request arena. This file knows nothing of news. */
#include "tmpl.h"
#include "i18n.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/stat.h>

/* ---- values ---------------------------------------------------------------- */

struct tv_entry {
	const char *key;
	uint32_t h;        /* key_hash(key): most lookups compare only this */
	struct tv *v;
	struct tv_entry *next;
};

static inline uint32_t key_hash(const char *k) { return (uint32_t)str_hash(k); }

static struct tv *
tv_new(struct arena *a, enum tv_type t)
{
	struct tv *v = arena_alloc(a, sizeof *v);
	*v = (struct tv){.t = t, .a = a};
	return v;
}

struct tv *tv_map(struct arena *a) { return tv_new(a, TV_MAP); }
struct tv *tv_list(struct arena *a) { return tv_new(a, TV_LIST); }

struct tv *
tv_strn(struct arena *a, const char *s, size_t n)
{
	struct tv *v = tv_new(a, TV_STR);
	v->u.str.s = s;
	v->u.str.n = n;
	return v;
}

struct tv *
tv_str(struct arena *a, const char *s)
{
	return s ? tv_strn(a, s, strlen(s)) : tv_new(a, TV_NULL);
}

struct tv *
tv_html(struct arena *a, const char *s, size_t n)
{
	struct tv *v = tv_strn(a, s, n);
	v->t = TV_HTML;
	return v;
}

struct tv *
tv_int(struct arena *a, long long i)
{
	struct tv *v = tv_new(a, TV_INT);
	v->u.i = i;
	return v;
}

struct tv *
tv_bool(struct arena *a, bool b)
{
	struct tv *v = tv_new(a, TV_BOOL);
	v->u.b = b;
	return v;
}

/* A map is a list of entries, newest first; a lookup takes the first match,
 * so setting a key again shadows the old entry instead of searching for it
 * (maps are built once, read by one render, and never iterated). */
void
tv_set(struct tv *map, const char *key, struct tv *v)
{
	struct tv_entry *e = arena_alloc(map->a, sizeof *e);
	e->key = key;
	e->h = key_hash(key);
	e->v = v;
	e->next = map->u.map.head;
	map->u.map.head = e;
}

struct tv *
tv_set_map(struct tv *map, const char *key)
{
	struct tv *m = tv_map(map->a);
	tv_set(map, key, m);
	return m;
}

struct tv *
tv_set_list(struct tv *map, const char *key)
{
	struct tv *l = tv_list(map->a);
	tv_set(map, key, l);
	return l;
}

void tv_set_str(struct tv *map, const char *key, const char *s) { tv_set(map, key, tv_str(map->a, s)); }
void tv_set_int(struct tv *map, const char *key, long long i) { tv_set(map, key, tv_int(map->a, i)); }
void tv_set_bool(struct tv *map, const char *key, bool b) { tv_set(map, key, tv_bool(map->a, b)); }

void
tv_push(struct tv *list, struct tv *v)
{
	if (list->u.list.n == list->u.list.cap) {
		size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 8;
		struct tv **items = arena_alloc(list->a, cap * sizeof *items);
		if (list->u.list.n)
			memcpy(items, list->u.list.items, list->u.list.n * sizeof *items);
		list->u.list.items = items;
		list->u.list.cap = cap;
	}
	list->u.list.items[list->u.list.n++] = v;
}

struct tv *
tv_push_map(struct tv *list)
{
	struct tv *m = tv_map(list->a);
	tv_push(list, m);
	return m;
}

static struct tv *
tv_get_h(const struct tv *map, const char *key, uint32_t h)
{
	if (!map || map->t != TV_MAP)
		return NULL;
	for (struct tv_entry *e = map->u.map.head; e; e = e->next)
		if (e->h == h && (e->key == key || strcmp(e->key, key) == 0))
			return e->v;
	return NULL;
}

struct tv *
tv_get(const struct tv *map, const char *key)
{
	return tv_get_h(map, key, key_hash(key));
}

const char *
tv_get_str(const struct tv *map, const char *key)
{
	struct tv *v = tv_get(map, key);
	return v && v->t == TV_STR ? v->u.str.s : NULL;
}

static bool
tv_truthy(const struct tv *v)
{
	if (!v)
		return false;
	switch (v->t) {
	case TV_NULL: return false;
	case TV_STR: case TV_HTML: return v->u.str.n > 0;
	case TV_INT: return v->u.i != 0;
	case TV_BOOL: return v->u.b;
	case TV_LIST: return v->u.list.n > 0;
	case TV_MAP: return v->u.map.head != NULL;
	}
	return false;
}

/* ---- compiled form ------------------------------------------------------------- */

enum esc { ESC_HTML, ESC_ATTR, ESC_URL, ESC_JSON };
enum term_kind { T_PATH, T_STR, T_INT, T_TRANS, T_ASSET };
enum cmp { CMP_NONE, CMP_EQ, CMP_NE };

struct filter;
typedef struct tv *(*filter_fn)(struct arena *, const struct tmpl_env *, struct tv *in, const char *arg);

struct filter {
	filter_fn fn;
	const char *arg;
};

#define MAX_PATH 6
#define MAX_FILTERS 4

struct operand {
	enum term_kind kind;
	struct tv *lit;             /* T_STR, T_INT: the value, made once at parse time */
	const char *s;              /* T_STR, T_TRANS, T_ASSET */
	size_t n;
	long long i;                /* T_INT */
	const char *path[MAX_PATH]; /* T_PATH */
	uint32_t hash[MAX_PATH];    /* key_hash of each path element */
	int npath;
	struct filter f[MAX_FILTERS];
	int nf;
};

struct expr {
	bool negate;
	struct operand lhs, rhs;
	enum cmp cmp;
};

enum node_kind { N_TEXT, N_OUT, N_RAW, N_IF, N_FOR, N_WITH, N_INCLUDE };

struct node {
	enum node_kind kind;
	int line;
	struct node *next;
	const char *text;        /* N_TEXT */
	size_t len;
	struct expr e;           /* N_OUT, N_RAW, N_IF, N_FOR */
	enum esc esc;            /* N_OUT */
	struct node *body;       /* N_IF then, N_FOR body */
	struct node *alt;        /* N_IF else / elif chain, N_FOR empty */
	const char *var;         /* N_FOR, N_WITH (interned) */
	bool uses_loop;          /* N_FOR: its body may read loop.*; if not, no loop map is made */
	const char *inc_name;    /* N_INCLUDE */
	struct tmpl *inc;
};

struct tmpl {
	char *name;
	struct node *root;
};

struct name {
	const char *s;
	struct name *next;
};

struct tmpl_set {
	struct arena a;
	struct tmpl *t;
	size_t n, cap;
	/* every identifier once, so that scope names compare by address */
	struct name *names[64];
	const char *loop;   /* "loop", interned */
};

/* ---- filters ----------------------------------------------------------------- */

static struct tv *
f_date(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	if (!in || in->t != TV_INT)
		return tv_str(a, "");
	return tv_str(a, i18n_date(a, env->locale, (long long)in->u.i, arg ? arg : "long", false));
}

static struct tv *
f_datetime(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	if (!in || in->t != TV_INT)
		return tv_str(a, "");
	return tv_str(a, i18n_date(a, env->locale, (long long)in->u.i, arg ? arg : "long", true));
}

static struct tv *
f_isodate(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	(void)env;
	(void)arg;
	if (!in || in->t != TV_INT)
		return tv_str(a, "");
	return tv_str(a, i18n_isotime(a, (long long)in->u.i));
}

static struct tv *
f_plural(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	double n = in && in->t == TV_INT ? (double)in->u.i : 0;
	const char *pat = i18n_gettext(env->lang, arg ? arg : "");
	return tv_str(a, i18n_plural(a, env->locale, pat, n));
}

static struct tv *
f_number(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	(void)arg;
	double n = in && in->t == TV_INT ? (double)in->u.i : 0;
	return tv_str(a, i18n_plural(a, env->locale, "{0,number}", n));
}

static struct tv *
f_default(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	(void)env;
	return tv_truthy(in) ? in : tv_str(a, arg ? arg : "");
}

static struct tv *
f_count(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	(void)env;
	(void)arg;
	long long n = 0;
	if (in && in->t == TV_LIST)
		n = (long long)in->u.list.n;
	else if (in && (in->t == TV_STR || in->t == TV_HTML))
		n = (long long)in->u.str.n;
	return tv_int(a, n);
}

static struct tv *
f_urlpart(struct arena *a, const struct tmpl_env *env, struct tv *in, const char *arg)
{
	(void)env;
	(void)arg;
	if (!in || in->t != TV_STR)
		return tv_str(a, "");
	struct buf b = {0};
	buf_esc_urlpart(&b, in->u.str.s, in->u.str.n);
	char *s = arena_strndup(a, b.s ? b.s : "", b.len);
	buf_free(&b);
	return tv_str(a, s);
}

static const struct {
	const char *name;
	filter_fn fn;
	bool needs_arg;
} filters[] = {
	{"date", f_date, false},
	{"datetime", f_datetime, false},
	{"isodate", f_isodate, false},
	{"plural", f_plural, true},
	{"number", f_number, false},
	{"default", f_default, true},
	{"count", f_count, false},
	{"urlpart", f_urlpart, false},
};

/* ---- parser -------------------------------------------------------------------- */

enum hstate { H_TEXT, H_TAG, H_ATTR, H_AFTER_EQ, H_DQ, H_SQ, H_UQ, H_SCRIPT, H_STYLE, H_COMMENT };

struct parser {
	struct tmpl_set *set;
	const char *name;
	const char *src, *p, *end;
	int line;
	char *err;
	size_t errlen;
	bool failed;
	int loop_refs;           /* paths starting "loop" and includes parsed so far */
	/* HTML context */
	enum hstate hs;
	char tag[16];
	size_t taglen;
	char attr[16];
	size_t attrlen;
	size_t vallen;           /* bytes of the current attribute value so far */
	bool script_json;        /* the open <script> is JSON (type contains "json") */
	bool tag_json;           /* the tag being read has a json type */
};

static void
perr(struct parser *ps, int line, const char *fmt, const char *arg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	char msg[256];
	snprintf(msg, sizeof msg, fmt, arg ? arg : "");
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->name, line, msg);
}

static bool
is_url_attr(const char *a)
{
	static const char *u[] = {"href", "src", "action", "formaction", "poster", "cite", "data"};
	for (size_t i = 0; i < sizeof u / sizeof *u; i++)
		if (strcasecmp(a, u[i]) == 0)
			return true;
	return false;
}

/* Follows literal HTML to know the context of the next output. */
static void
html_feed(struct parser *ps, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (ps->hs) {
		case H_TEXT:
			if (c == '<') {
				if (i + 3 < n && strncmp(s + i, "<!--", 4) == 0) {
					ps->hs = H_COMMENT;
					i += 3;
				} else if (i + 1 < n && isalpha((unsigned char)s[i + 1])) {
					ps->hs = H_TAG;
					ps->taglen = 0;
					ps->attrlen = 0;
					ps->tag_json = false;
					while (i + 1 < n && isalnum((unsigned char)s[i + 1])) {
						if (ps->taglen < sizeof ps->tag - 1)
							ps->tag[ps->taglen++] = (char)tolower((unsigned char)s[i + 1]);
						i++;
					}
					ps->tag[ps->taglen] = 0;
				}
			}
			break;
		case H_COMMENT:
			if (c == '-' && i + 2 < n && strncmp(s + i, "-->", 3) == 0) {
				ps->hs = H_TEXT;
				i += 2;
			}
			break;
		case H_SCRIPT:
		case H_STYLE: {
			const char *close = ps->hs == H_SCRIPT ? "</script" : "</style";
			size_t cl = strlen(close);
			if (c == '<' && i + cl <= n && strncasecmp(s + i, close, cl) == 0) {
				ps->hs = H_TAG;
				ps->taglen = 0;
				ps->tag[0] = 0;
				i += cl - 1;
			}
			break;
		}
		case H_TAG:
			if (c == '>') {
				if (strcmp(ps->tag, "script") == 0) {
					ps->hs = H_SCRIPT;
					ps->script_json = ps->tag_json;
				} else if (strcmp(ps->tag, "style") == 0)
					ps->hs = H_STYLE;
				else
					ps->hs = H_TEXT;
			} else if (isalpha((unsigned char)c) || c == '-' || c == '_' || c == ':') {
				ps->hs = H_ATTR;
				ps->attrlen = 0;
				ps->attr[ps->attrlen++] = (char)tolower((unsigned char)c);
				ps->attr[ps->attrlen] = 0;
			}
			break;
		case H_ATTR:
			if (c == '=') {
				ps->hs = H_AFTER_EQ;
			} else if (c == '>') {
				ps->hs = H_TAG;
				i--;
			} else if (isspace((unsigned char)c) || c == '/') {
				ps->hs = H_TAG;
			} else if (ps->attrlen < sizeof ps->attr - 1) {
				ps->attr[ps->attrlen++] = (char)tolower((unsigned char)c);
				ps->attr[ps->attrlen] = 0;
			}
			break;
		case H_AFTER_EQ:
			ps->vallen = 0;
			if (c == '"')
				ps->hs = H_DQ;
			else if (c == '\'')
				ps->hs = H_SQ;
			else if (!isspace((unsigned char)c)) {
				ps->hs = H_UQ;
				ps->vallen = 1;
			}
			break;
		case H_DQ:
		case H_SQ:
			if (c == (ps->hs == H_DQ ? '"' : '\''))
				ps->hs = H_TAG;
			else {
				if (strcmp(ps->attr, "type") == 0 && c == 'j' && i + 3 < n && strncmp(s + i, "json", 4) == 0)
					ps->tag_json = true;
				ps->vallen++;
			}
			break;
		case H_UQ:
			if (isspace((unsigned char)c))
				ps->hs = H_TAG;
			else if (c == '>') {
				ps->hs = H_TAG;
				i--;
			}
			break;
		}
	}
}

static int
html_context(struct parser *ps, int line, enum esc *out)
{
	switch (ps->hs) {
	case H_TEXT:
	case H_COMMENT:
		*out = ESC_HTML;
		return 0;
	case H_DQ:
	case H_SQ:
		*out = is_url_attr(ps->attr) && ps->vallen == 0 ? ESC_URL : ESC_ATTR;
		ps->vallen++;   /* what follows is no longer the start of the URL */
		return 0;
	case H_SCRIPT:
		if (ps->script_json) {
			*out = ESC_JSON;
			return 0;
		}
		perr(ps, line, "output inside a <script> that is not JSON", NULL);
		return -1;
	default:
		perr(ps, line, "output outside a quoted attribute value (in tag <%s>)", ps->tag);
		return -1;
	}
}

struct lex {
	const char *p, *end;
};

static void
lex_ws(struct lex *l)
{
	while (l->p < l->end && isspace((unsigned char)*l->p))
		l->p++;
}

/* Reads a "string" with \" and \\ escapes into the set's arena. */
static const char *
lex_string(struct parser *ps, struct lex *l, size_t *n)
{
	struct buf b = {0};
	l->p++;  /* opening quote */
	while (l->p < l->end && *l->p != '"') {
		if (*l->p == '\\' && l->p + 1 < l->end) {
			l->p++;
			buf_putc(&b, *l->p == 'n' ? '\n' : *l->p);
		} else
			buf_putc(&b, *l->p);
		l->p++;
	}
	if (l->p >= l->end) {
		buf_free(&b);
		return NULL;
	}
	l->p++;
	char *s = arena_strndup(&ps->set->a, b.s ? b.s : "", b.len);
	*n = b.len;
	buf_free(&b);
	return s;
}

static bool
lex_word(struct lex *l, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(l->end - l->p) >= n && strncmp(l->p, w, n) == 0 &&
	    (l->p + n == l->end || !(isalnum((unsigned char)l->p[n]) || l->p[n] == '_' || l->p[n] == '.'))) {
		l->p += n;
		return true;
	}
	return false;
}

static const char *
intern(struct tmpl_set *set, const char *s, size_t n)
{
	struct name **b = &set->names[str_hashn(s, n) & 63];
	for (struct name *e = *b; e; e = e->next)
		if (strncmp(e->s, s, n) == 0 && e->s[n] == 0)
			return e->s;
	struct name *e = arena_alloc(&set->a, sizeof *e);
	e->s = arena_strndup(&set->a, s, n);
	e->next = *b;
	*b = e;
	return e->s;
}

static const char *
lex_ident(struct parser *ps, struct lex *l)
{
	const char *s = l->p;
	while (l->p < l->end && (isalnum((unsigned char)*l->p) || *l->p == '_'))
		l->p++;
	if (l->p == s)
		return NULL;
	return intern(ps->set, s, (size_t)(l->p - s));
}

static int
parse_operand(struct parser *ps, struct lex *l, struct operand *o, int line)
{
	memset(o, 0, sizeof *o);
	lex_ws(l);
	if (l->p >= l->end) {
		perr(ps, line, "expression expected", NULL);
		return -1;
	}
	if (*l->p == '"') {
		o->kind = T_STR;
		if (!(o->s = lex_string(ps, l, &o->n))) {
			perr(ps, line, "unterminated string", NULL);
			return -1;
		}
		o->lit = tv_strn(&ps->set->a, o->s, o->n);
	} else if (isdigit((unsigned char)*l->p) || (*l->p == '-' && l->p + 1 < l->end && isdigit((unsigned char)l->p[1]))) {
		o->kind = T_INT;
		char *e;
		o->i = strtoll(l->p, &e, 10);
		l->p = e;
		o->lit = tv_int(&ps->set->a, o->i);
	} else if (lex_word(l, "_") || lex_word(l, "asset")) {
		o->kind = l->p[-1] == '_' ? T_TRANS : T_ASSET;
		lex_ws(l);
		if (l->p >= l->end || *l->p != '"' || !(o->s = lex_string(ps, l, &o->n))) {
			perr(ps, line, "a string literal must follow _ or asset", NULL);
			return -1;
		}
	} else {
		o->kind = T_PATH;
		do {
			const char *id = lex_ident(ps, l);
			if (!id) {
				perr(ps, line, "bad name in expression near '%.20s'", l->p);
				return -1;
			}
			if (o->npath == MAX_PATH) {
				perr(ps, line, "path too long", NULL);
				return -1;
			}
			if (o->npath == 0 && id == ps->set->loop)
				ps->loop_refs++;
			o->hash[o->npath] = key_hash(id);
			o->path[o->npath++] = id;
		} while (l->p < l->end && *l->p == '.' && l->p++);
	}
	for (;;) {
		lex_ws(l);
		if (l->p >= l->end || *l->p != '|')
			break;
		l->p++;
		lex_ws(l);
		const char *name = lex_ident(ps, l);
		size_t k;
		if (!name) {
			perr(ps, line, "filter name expected after |", NULL);
			return -1;
		}
		for (k = 0; k < sizeof filters / sizeof *filters; k++)
			if (strcmp(filters[k].name, name) == 0)
				break;
		if (k == sizeof filters / sizeof *filters) {
			perr(ps, line, "unknown filter '%s'", name);
			return -1;
		}
		if (o->nf == MAX_FILTERS) {
			perr(ps, line, "too many filters", NULL);
			return -1;
		}
		struct filter *f = &o->f[o->nf++];
		f->fn = filters[k].fn;
		f->arg = NULL;
		lex_ws(l);
		if (l->p < l->end && *l->p == '"') {
			size_t n;
			if (!(f->arg = lex_string(ps, l, &n))) {
				perr(ps, line, "unterminated string", NULL);
				return -1;
			}
		} else if (filters[k].needs_arg) {
			perr(ps, line, "filter '%s' needs a string argument", name);
			return -1;
		}
		if (f->fn == f_plural && !i18n_plural_pattern_ok(f->arg)) {
			perr(ps, line, "plural wants \"{0,plural,one{…} other{…}}\" (argument 0, plain-text branches)", NULL);
			return -1;
		}
	}
	return 0;
}

static int
parse_expr(struct parser *ps, const char *s, size_t n, struct expr *e, int line)
{
	struct lex l = {s, s + n};
	memset(e, 0, sizeof *e);
	lex_ws(&l);
	if (lex_word(&l, "not"))
		e->negate = true;
	if (parse_operand(ps, &l, &e->lhs, line) < 0)
		return -1;
	lex_ws(&l);
	if (l.end - l.p >= 2 && (strncmp(l.p, "==", 2) == 0 || strncmp(l.p, "!=", 2) == 0)) {
		e->cmp = l.p[0] == '=' ? CMP_EQ : CMP_NE;
		l.p += 2;
		if (parse_operand(ps, &l, &e->rhs, line) < 0)
			return -1;
		lex_ws(&l);
	}
	if (l.p != l.end) {
		perr(ps, line, "unexpected '%.20s' in expression", l.p);
		return -1;
	}
	return 0;
}

/* Finds the end of a tag body, skipping "strings"; returns pointer to the
 * closing delimiter or NULL. */
static const char *
find_close(const char *p, const char *end, const char *close)
{
	size_t cl = strlen(close);
	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p < end)
				p++;
			continue;
		}
		if ((size_t)(end - p) >= cl && strncmp(p, close, cl) == 0)
			return p;
		p++;
	}
	return NULL;
}

static int
count_lines(const char *s, const char *e)
{
	int n = 0;
	for (; s < e; s++)
		n += *s == '\n';
	return n;
}

static struct node *
node_new(struct parser *ps, enum node_kind k, int line)
{
	struct node *n = arena_zalloc(&ps->set->a, sizeof *n);
	n->kind = k;
	n->line = line;
	return n;
}

/* Parses nodes until {% end %}, {% else %}, {% elif %} or end of input.
 * *stop receives which of those ended the list ("end", "else", "elif", "")
 * and, for elif, *stop_expr the rest of that tag. */
static struct node *
parse_list(struct parser *ps, const char **stop, const char **stop_arg, size_t *stop_arglen, int *stop_line)
{
	struct node *head = NULL, **tail = &head;
	*stop = "";
	while (ps->p < ps->end && !ps->failed) {
		const char *o = ps->p;
		/* literal text up to the next {{, {% or {# */
		while (o < ps->end && !(o[0] == '{' && o + 1 < ps->end && (o[1] == '{' || o[1] == '%' || o[1] == '#')))
			o++;
		if (o > ps->p) {
			struct node *n = node_new(ps, N_TEXT, ps->line);
			n->text = ps->p;
			n->len = (size_t)(o - ps->p);
			html_feed(ps, n->text, n->len);
			ps->line += count_lines(ps->p, o);
			*tail = n;
			tail = &n->next;
			ps->p = o;
		}
		if (ps->p >= ps->end)
			break;
		int line = ps->line;
		if (ps->p[1] == '#') {
			const char *c = find_close(ps->p + 2, ps->end, "#}");
			if (!c) {
				perr(ps, line, "unterminated comment", NULL);
				break;
			}
			ps->line += count_lines(ps->p, c);
			ps->p = c + 2;
			continue;
		}
		if (ps->p[1] == '{') {
			bool raw = ps->p + 2 < ps->end && ps->p[2] == '{';
			const char *start = ps->p + (raw ? 3 : 2);
			const char *c = find_close(start, ps->end, raw ? "}}}" : "}}");
			if (!c) {
				perr(ps, line, raw ? "missing }}}" : "missing }}", NULL);
				break;
			}
			struct node *n = node_new(ps, raw ? N_RAW : N_OUT, line);
			if (parse_expr(ps, start, (size_t)(c - start), &n->e, line) < 0)
				break;
			if (html_context(ps, line, &n->esc) < 0)
				break;
			ps->line += count_lines(ps->p, c);
			ps->p = c + (raw ? 3 : 2);
			*tail = n;
			tail = &n->next;
			continue;
		}
		/* {% tag %} */
		const char *start = ps->p + 2;
		const char *c = find_close(start, ps->end, "%}");
		if (!c) {
			perr(ps, line, "missing %%}", NULL);
			break;
		}
		ps->line += count_lines(ps->p, c);
		ps->p = c + 2;
		if (ps->p < ps->end && *ps->p == '\n') {   /* a block tag eats its newline */
			ps->p++;
			ps->line++;
		}
		struct lex l = {start, c};
		lex_ws(&l);
		while (c > l.p && isspace((unsigned char)c[-1]))
			c--;
		l.end = c;
		if (lex_word(&l, "end") || lex_word(&l, "else")) {
			*stop = l.p[-1] == 'd' ? "end" : "else";
			*stop_line = line;
			return head;
		}
		if (lex_word(&l, "elif")) {
			*stop = "elif";
			*stop_arg = l.p;
			*stop_arglen = (size_t)(l.end - l.p);
			*stop_line = line;
			return head;
		}
		if (lex_word(&l, "if")) {
			struct node *n = node_new(ps, N_IF, line), *cur = n;
			if (parse_expr(ps, l.p, (size_t)(l.end - l.p), &n->e, line) < 0)
				break;
			for (;;) {
				const char *st, *arg = NULL;
				size_t arglen = 0;
				int sl = line;
				cur->body = parse_list(ps, &st, &arg, &arglen, &sl);
				if (ps->failed)
					break;
				if (strcmp(st, "elif") == 0) {
					struct node *e = node_new(ps, N_IF, sl);
					if (parse_expr(ps, arg, arglen, &e->e, sl) < 0)
						break;
					cur->alt = e;
					cur = e;
					continue;
				}
				if (strcmp(st, "else") == 0) {
					cur->alt = parse_list(ps, &st, &arg, &arglen, &sl);
					if (ps->failed)
						break;
				}
				if (strcmp(st, "end") != 0)
					perr(ps, line, "{%% if %%} without {%% end %%}", NULL);
				break;
			}
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (lex_word(&l, "for")) {
			struct node *n = node_new(ps, N_FOR, line);
			lex_ws(&l);
			n->var = lex_ident(ps, &l);
			lex_ws(&l);
			if (!n->var || !lex_word(&l, "in")) {
				perr(ps, line, "expected {%% for NAME in EXPR %%}", NULL);
				break;
			}
			if (parse_expr(ps, l.p, (size_t)(l.end - l.p), &n->e, line) < 0)
				break;
			const char *st, *arg;
			size_t arglen;
			int sl, refs = ps->loop_refs;
			n->body = parse_list(ps, &st, &arg, &arglen, &sl);
			/* an included template may read the loop too: it counts */
			n->uses_loop = ps->loop_refs != refs;
			if (!ps->failed && strcmp(st, "else") == 0)
				n->alt = parse_list(ps, &st, &arg, &arglen, &sl);
			if (!ps->failed && strcmp(st, "end") != 0)
				perr(ps, line, "{%% for %%} without {%% end %%}", NULL);
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (lex_word(&l, "with")) {
			struct node *n = node_new(ps, N_WITH, line);
			lex_ws(&l);
			n->var = lex_ident(ps, &l);
			lex_ws(&l);
			if (!n->var || l.p >= l.end || *l.p != '=') {
				perr(ps, line, "expected {%% with NAME = EXPR %%}", NULL);
				break;
			}
			l.p++;
			if (parse_expr(ps, l.p, (size_t)(l.end - l.p), &n->e, line) < 0)
				break;
			const char *st, *arg;
			size_t arglen;
			int sl;
			n->body = parse_list(ps, &st, &arg, &arglen, &sl);
			if (!ps->failed && strcmp(st, "end") != 0)
				perr(ps, line, "{%% with %%} without {%% end %%}", NULL);
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (lex_word(&l, "include")) {
			struct node *n = node_new(ps, N_INCLUDE, line);
			ps->loop_refs++;
			size_t len;
			lex_ws(&l);
			if (l.p >= l.end || *l.p != '"' || !(n->inc_name = lex_string(ps, &l, &len))) {
				perr(ps, line, "expected {%% include \"name.html\" %%}", NULL);
				break;
			}
			*tail = n;
			tail = &n->next;
			continue;
		}
		perr(ps, line, "unknown tag '{%% %.20s'", l.p);
	}
	return head;
}

static int
add_template(struct tmpl_set *set, const char *name, const char *src, size_t len, char *err, size_t errlen)
{
	struct parser ps = {0};
	ps.set = set;
	ps.name = name;
	ps.src = ps.p = arena_strndup(&set->a, src, len);
	ps.end = ps.src + len;
	ps.line = 1;
	ps.err = err;
	ps.errlen = errlen;
	ps.hs = H_TEXT;
	const char *st, *arg;
	size_t arglen;
	int sl = 0;
	struct node *root = parse_list(&ps, &st, &arg, &arglen, &sl);
	if (!ps.failed && *st)
		perr(&ps, sl, "{%% %s %%} without an open block", st);
	if (ps.failed)
		return -1;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->t = xrealloc(set->t, set->cap * sizeof *set->t);
	}
	set->t[set->n].name = arena_strdup(&set->a, name);
	set->t[set->n].root = root;
	set->n++;
	return 0;
}

static struct tmpl *
find_tmpl(const struct tmpl_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0)
			return &set->t[i];
	return NULL;
}

/* Resolves includes; fails on a missing name or an include cycle. */
static int
link_nodes(struct tmpl_set *set, const char *tname, struct node *n, char *err, size_t errlen)
{
	for (; n; n = n->next) {
		if (n->kind == N_INCLUDE) {
			n->inc = find_tmpl(set, n->inc_name);
			if (!n->inc) {
				snprintf(err, errlen, "%s:%d: included template \"%s\" not found", tname, n->line, n->inc_name);
				return -1;
			}
		}
		if (link_nodes(set, tname, n->body, err, errlen) < 0 || link_nodes(set, tname, n->alt, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
link_all(struct tmpl_set *set, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->n; i++)
		if (link_nodes(set, set->t[i].name, set->t[i].root, err, errlen) < 0)
			return -1;
	return 0;
}

static struct tmpl_set *
set_new(void)
{
	struct tmpl_set *set = xcalloc(1, sizeof *set);
	arena_init(&set->a, 65536);
	set->loop = intern(set, "loop", 4);
	return set;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	if (!set)
		return;
	arena_free(&set->a);
	free(set->t);
	free(set);
}

struct tmpl_set *
tmpl_parse_string(const char *name, const char *src, char *err, size_t errlen)
{
	struct tmpl_set *set = set_new();
	if (add_template(set, name, src, strlen(src), err, errlen) < 0 || link_all(set, err, errlen) < 0) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

int
tmpl_add_string(struct tmpl_set *set, const char *name, const char *src, char *err, size_t errlen)
{
	if (add_template(set, name, src, strlen(src), err, errlen) < 0)
		return -1;
	return link_all(set, err, errlen);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tmpl_set *
tmpl_load(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/templates", dir);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".html") == 0) {
			names = xrealloc(names, (nn + 1) * sizeof *names);
			names[nn++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, cmp_names);
	struct tmpl_set *set = set_new();
	int rc = 0;
	for (size_t i = 0; i < nn && rc == 0; i++) {
		char file[4096 + 256];
		snprintf(file, sizeof file, "%s/%s", path, names[i]);
		FILE *f = fopen(file, "rb");
		if (!f) {
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			rc = -1;
			break;
		}
		struct buf b = {0};
		char chunk[8192];
		size_t r;
		while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_raw(&b, chunk, r);
		fclose(f);
		if (!utf8_valid(b.s ? b.s : "", b.len)) {
			snprintf(err, errlen, "%s:1: not valid UTF-8", file);
			rc = -1;
		} else
			rc = add_template(set, file, b.s ? b.s : "", b.len, err, errlen);
		/* the set names templates by their file name, not their path */
		if (rc == 0)
			set->t[set->n - 1].name = arena_strdup(&set->a, names[i]);
		buf_free(&b);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && link_all(set, err, errlen) < 0) {
		/* prefix the directory so the message names the file */
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s", err);
		snprintf(err, errlen, "%s/%s", path, tmp);
		rc = -1;
	}
	if (rc < 0) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

/* ---- renderer ------------------------------------------------------------------- */

struct scope {
	const char *name;
	struct tv *v;
	struct scope *up;
};

struct rctx {
	const struct tmpl_env *env;
	struct arena *a;
	struct buf *out;
	const struct tv *root;
	struct scope *scope;
	const char *loop;   /* the set's interned "loop" */
	int depth;
};

static struct tv *
eval_operand(struct rctx *r, const struct operand *o)
{
	struct tv *v = NULL;
	switch (o->kind) {
	case T_STR:
	case T_INT:
		v = o->lit;   /* shared and never written: filters make new values */
		break;
	case T_TRANS:
		v = tv_str(r->a, i18n_gettext(r->env->lang, o->s));
		break;
	case T_ASSET:
		v = tv_str(r->a, arena_strdup(r->a, r->env->asset_url ? r->env->asset_url(o->s) : o->s));
		break;
	case T_PATH: {
		struct scope *s;
		for (s = r->scope; s; s = s->up)
			if (s->name == o->path[0])   /* both interned by the set */
				break;
		v = s ? s->v : tv_get_h(r->root, o->path[0], o->hash[0]);
		for (int i = 1; i < o->npath && v; i++)
			v = tv_get_h(v, o->path[i], o->hash[i]);
		break;
	}
	}
	for (int i = 0; i < o->nf; i++)
		v = o->f[i].fn(r->a, r->env, v, o->f[i].arg);
	return v;
}

static bool
tv_equal(const struct tv *x, const struct tv *y)
{
	bool xn = !x || x->t == TV_NULL, yn = !y || y->t == TV_NULL;
	if (xn || yn)
		return xn && yn;
	if (x->t == TV_INT && y->t == TV_INT)
		return x->u.i == y->u.i;
	if (x->t == TV_BOOL && y->t == TV_BOOL)
		return x->u.b == y->u.b;
	if ((x->t == TV_STR || x->t == TV_HTML) && (y->t == TV_STR || y->t == TV_HTML))
		return x->u.str.n == y->u.str.n && memcmp(x->u.str.s, y->u.str.s, x->u.str.n) == 0;
	return false;
}

static struct tv *
eval(struct rctx *r, const struct expr *e)
{
	struct tv *v = eval_operand(r, &e->lhs);
	if (e->cmp != CMP_NONE) {
		bool eq = tv_equal(v, eval_operand(r, &e->rhs));
		v = tv_bool(r->a, e->cmp == CMP_EQ ? eq : !eq);
	}
	if (e->negate)
		v = tv_bool(r->a, !tv_truthy(v));
	return v;
}

static void
emit(struct rctx *r, const struct tv *v, enum esc esc)
{
	/* not a compound literal inside the if: its life would end with the
	 * if's statement, and the switch below would read a dead object
	 * (valgrind saw the compiler reuse its stack slot) */
	static const struct tv null_value = {.t = TV_NULL};
	char num[32];
	const char *s = NULL;
	size_t n = 0;
	if (!v)
		v = &null_value;
	switch (v->t) {
	case TV_STR:
	case TV_HTML:
		s = v->u.str.s;
		n = v->u.str.n;
		break;
	case TV_INT: {
		/* digits without printf: dates and counts are everywhere */
		long long iv = v->u.i;
		unsigned long long u = iv < 0 ? 0ULL - (unsigned long long)iv : (unsigned long long)iv;
		char *e = num + sizeof num;
		do
			*--e = (char)('0' + u % 10);
		while ((u /= 10));
		if (iv < 0)
			*--e = '-';
		s = e;
		n = (size_t)(num + sizeof num - e);
		if (esc == ESC_JSON) {
			buf_raw(r->out, s, n);
			return;
		}
		break;
	}
	case TV_BOOL:
		s = v->u.b ? "true" : "false";
		n = strlen(s);
		if (esc == ESC_JSON) {
			buf_raw(r->out, s, n);
			return;
		}
		break;
	default:
		if (esc == ESC_JSON)
			buf_puts(r->out, "null");
		return;
	}
	switch (esc) {
	case ESC_HTML: buf_esc_html(r->out, s, n); break;
	case ESC_ATTR: buf_esc_attr(r->out, s, n); break;
	case ESC_URL: buf_esc_url(r->out, s, n); break;
	case ESC_JSON: buf_esc_json(r->out, s, n); break;
	}
}

static void render_list(struct rctx *r, const struct node *n);

static void
render_node(struct rctx *r, const struct node *n)
{
	switch (n->kind) {
	case N_TEXT:
		buf_raw(r->out, n->text, n->len);
		break;
	case N_OUT:
		emit(r, eval(r, &n->e), n->esc);
		break;
	case N_RAW: {
		struct tv *v = eval(r, &n->e);
		if (v && v->t == TV_HTML)
			buf_raw(r->out, v->u.str.s, v->u.str.n);
		else
			emit(r, v, ESC_HTML);  /* only Gazette-made HTML goes out raw */
		break;
	}
	case N_IF:
		if (tv_truthy(eval(r, &n->e)))
			render_list(r, n->body);
		else
			render_list(r, n->alt);   /* an elif is an N_IF alone in alt */
		break;
	case N_FOR: {
		struct tv *v = eval(r, &n->e);
		if (!v || v->t != TV_LIST || v->u.list.n == 0) {
			render_list(r, n->alt);
			break;
		}
		struct scope item = {n->var, NULL, r->scope};
		struct scope loop = {r->loop, NULL, &item};
		struct tv *idx = NULL, *first = NULL, *last = NULL;
		struct scope *saved = r->scope;
		r->scope = &item;
		if (n->uses_loop) {
			struct tv *lv = tv_map(r->a);
			idx = tv_int(r->a, 0), first = tv_bool(r->a, true), last = tv_bool(r->a, false);
			tv_set(lv, "index", idx);
			tv_set(lv, "first", first);
			tv_set(lv, "last", last);
			loop.v = lv;
			r->scope = &loop;
		}
		for (size_t i = 0; i < v->u.list.n; i++) {
			item.v = v->u.list.items[i];
			if (idx) {
				idx->u.i = (long long)i + 1;
				first->u.b = i == 0;
				last->u.b = i + 1 == v->u.list.n;
			}
			render_list(r, n->body);
		}
		r->scope = saved;
		break;
	}
	case N_WITH: {
		struct scope sc = {n->var, eval(r, &n->e), r->scope};
		r->scope = &sc;
		render_list(r, n->body);
		r->scope = sc.up;
		break;
	}
	case N_INCLUDE:
		if (r->depth < 16) {
			r->depth++;
			render_list(r, n->inc->root);
			r->depth--;
		}
		break;
	}
}

static void
render_list(struct rctx *r, const struct node *n)
{
	for (; n; n = n->next)
		render_node(r, n);
}

int
tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *root,
    const struct tmpl_env *env, struct arena *a, struct buf *out)
{
	struct tmpl *t = find_tmpl(set, name);
	if (!t)
		return -1;
	struct rctx r = {env, a, out, root, NULL, set->loop, 0};
	render_list(&r, t->root);
	return 0;
}
