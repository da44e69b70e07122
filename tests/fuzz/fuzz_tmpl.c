/* fuzz_tmpl.c: the template language (a theme is outside input too):
 * parsing any text either fails with a message or gives a template that
 * renders without a crash; values are escaped (a value's "<" never comes
 * out raw through {{ }}). */
#include "fuzz.h"
#include "tmpl.h"
#include "buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	char *s = fuzz_str(data, size);
	char err[256] = "";
	struct tmpl_set *set = tmpl_parse_string("t.html", s, err, sizeof err);
	if (!set) {
		FUZZ_ASSERT(err[0]);
		free(s);
		return 0;
	}
	tmpl_add_string(set, "inc.html", "<p>{{ title }}</p>", err, sizeof err);
	struct arena a;
	arena_init(&a, 4096);
	struct tv *root = tv_map(&a);
	tv_set_str(root, "title", "<script>x</script>");
	tv_set_int(root, "n", 3);
	tv_set_bool(root, "yes", true);
	struct tv *list = tv_set_list(root, "items");
	for (int i = 0; i < 3; i++) {
		struct tv *m = tv_push_map(list);
		tv_set_str(m, "name", "a&b");
		tv_set_int(m, "id", i);
	}
	struct tmpl_env env = {"en", "en_GB", NULL};
	struct buf out = {0};
	tmpl_render(set, "t.html", root, &env, &a, &out);
	if (out.len) {
		char *o = fuzz_str((const uint8_t *)out.s, out.len);
		/* the raw value appears only where the template itself wrote it */
		if (strstr(o, "<script>x</script>"))
			FUZZ_ASSERT(strstr(s, "<script>x</script>") || strstr(s, "{{{"));
		free(o);
	}
	buf_free(&out);
	arena_free(&a);
	tmpl_set_free(set);
	free(s);
	return 0;
}
