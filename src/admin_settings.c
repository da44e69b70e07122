/* admin_settings.c: the site settings from a browser: every setting of
 * the settings table (settings.c owns their names, types, defaults and
 * checks) as a form field of its type; moderators and editors see the
 * comment policy ones, admins all. A save writes only what changed, in one
 * transaction, each change in the audit log with its value before and
 * after. The site secret is not a setting and never shows. */
#include "admin.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
may_change(const struct staff *u, const char *key)
{
	return (u->caps & CAP_ADMIN) || ((u->caps & CAP_MODERATE) && strncmp(key, "comments.", 9) == 0);
}

static void
settings_render(struct req *r, struct tv *f, const char **values, int status)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	size_t n;
	const struct setting_def *defs = setting_defs(&n);
	struct tv *groups = tv_set_list(f, "groups");
	struct tv *g = NULL;
	char group[32] = "";
	for (size_t i = 0; i < n; i++) {
		const struct setting_def *d = &defs[i];
		if (!may_change(u, d->key))
			continue;
		const char *dot = strchr(d->key, '.');
		size_t gl = dot ? (size_t)(dot - d->key) : strlen(d->key);
		if (!g || strlen(group) != gl || strncmp(group, d->key, gl) != 0) {
			snprintf(group, sizeof group, "%.*s", (int)gl, d->key);
			g = tv_push_map(groups);
			tv_set_str(g, "name", arena_strdup(a, group));
			tv_set_list(g, "settings");
		}
		struct tv *m = tv_push_map(tv_get(g, "settings"));
		const char *v = values && values[i] ? values[i] : setting_str(req_db(r), a, d->key);
		tv_set_str(m, "key", d->key);
		tv_set_str(m, "id", arena_printf(a, "s-%zu", i));
		tv_set_str(m, "help", d->help);
		tv_set_str(m, "default", d->def);
		tv_set_str(m, "value", v);
		const char *err = tv_get_str(f, arena_printf(a, "err:%s", d->key));
		if (err)
			tv_set_str(m, "error", err);
		long lo, hi;
		if (sscanf(d->type, "%ld-%ld", &lo, &hi) == 2) {
			tv_set_str(m, "kind", "number");
			tv_set_int(m, "min", lo);
			tv_set_int(m, "max", hi);
		} else if (strchr(d->type, '|')) {
			tv_set_str(m, "kind", "choice");
			struct tv *opts = tv_set_list(m, "options");
			for (const char *p = d->type; *p;) {
				const char *bar = strchr(p, '|');
				size_t l = bar ? (size_t)(bar - p) : strlen(p);
				struct tv *o = tv_push_map(opts);
				const char *word = arena_strndup(a, p, l);
				tv_set_str(o, "value", word);
				tv_set_bool(o, "selected", strcmp(word, v) == 0);
				p += l + (bar ? 1 : 0);
			}
		} else if (strcmp(d->type, "zone") == 0) {
			tv_set_str(m, "kind", "line");
		} else {
			tv_set_str(m, "kind", "text");
		}
	}
	admin_render(r, u, "admin_settings.html", _("Settings"), f, status);
}

static void
settings_page(struct req *r)
{
	struct tv *f = tv_map(&r->a);
	const char *saved = req_query(r, "saved");
	if (saved && strspn(saved, "0123456789") == strlen(saved) && *saved && strlen(saved) < 4)
		tv_set_str(f, "saved", i18n_plural(&r->a, admin_edition(r)->locale,
		    i18n_gettext(admin_edition(r)->code, _("{0,plural,=0{Nothing changed.} one{# setting changed.} other{# settings changed.}}")),
		    (double)atoi(saved)));
	settings_render(r, f, NULL, 200);
}

struct change {
	const char *key, *before, *after;
};

struct changes {
	struct change *v;
	int n;
	long long user;
	struct arena *a;
};

static int
settings_tx(struct db_conn *c, struct inval *iv, void *arg)
{
	struct changes *ch = arg;
	for (int i = 0; i < ch->n; i++) {
		if (setting_store(c, iv, ch->v[i].key, ch->v[i].after) < 0)
			return -1;
		audit(c, ch->user, "setting", arena_printf(ch->a, "%s: %s → %s", ch->v[i].key, ch->v[i].before, ch->v[i].after));
	}
	return ch->n;
}

static void
settings_post(struct req *r)
{
	struct staff *u = admin_staff(r);
	struct arena *a = &r->a;
	size_t n;
	const struct setting_def *defs = setting_defs(&n);
	const char **values = arena_alloc(a, n * sizeof *values);
	memset(values, 0, n * sizeof *values);
	struct change *v = arena_alloc(a, n * sizeof *v);
	struct changes ch = {v, 0, u->id, a};
	struct tv *f = tv_map(a);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		const char *in = req_form(r, defs[i].key);
		if (!in)
			continue;   /* not on this form */
		if (!may_change(u, defs[i].key)) {
			admin_deny(r);
			return;
		}
		const char *val = text_clean(a, in, strchr(defs[i].type, '|') == NULL && strchr(defs[i].type, '-') == NULL &&
		    strcmp(defs[i].type, "zone") != 0);
		values[i] = val;
		char err[256];
		if (!setting_valid(defs[i].key, val, err, sizeof err)) {
			tv_set_str(f, arena_printf(a, "err:%s", defs[i].key), arena_strdup(a, err));
			ok = false;
			continue;
		}
		const char *cur = setting_str(req_db(r), a, defs[i].key);
		if (strcmp(cur, val) != 0)
			v[ch.n++] = (struct change){defs[i].key, cur, val};
	}
	if (!ok) {
		tv_set_str(f, "error", i18n_gettext(admin_edition(r)->code, _("Please correct the marked fields.")));
		settings_render(r, f, values, 422);
		return;
	}
	int changed = ch.n ? inval_write(req_db(r), settings_tx, &ch, NULL) : 0;
	if (changed < 0) {
		page_db_error(r);
		return;
	}
	resp_redirect(r, 303, arena_printf(a, "/admin/settings?saved=%d", changed));
}

const struct route admin_settings_routes[] = {
	{HTTP_GET, "/admin/settings", settings_page, "moderate|admin"},
	{HTTP_POST, "/admin/settings", settings_post, "moderate|admin"},
	{0, NULL, NULL, NULL},
};
