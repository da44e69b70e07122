/* fuzz_form.c: urlencoded form bodies and Cookie headers as the server
 * decodes them: never a crash; every decoded field and cookie value is
 * NUL-free (C strings) and a cookie value is printable ASCII. */
#include "fuzz.h"
#include "form.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 4096);
	struct kv out[FORM_MAX_FIELDS];
	int n = kv_parse_urlencoded(&a, (const char *)data, size, out, FORM_MAX_FIELDS);
	FUZZ_ASSERT(n >= -2 && n <= FORM_MAX_FIELDS);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(out[i].k && out[i].v);
	char *s = fuzz_str(data, size);
	static const char *const names[] = {"gazette_csrf", "gz_session", "gz_commenter", "a"};
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		const char *v = cookie_value(&a, s, names[k]);
		for (const char *p = v; p && *p; p++)
			FUZZ_ASSERT((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && *p != '"' && *p != '\\');
	}
	free(s);
	arena_free(&a);
	return 0;
}
