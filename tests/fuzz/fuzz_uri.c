/* fuzz_uri.c: a request line's target as the server decodes it (path,
 * query pairs): never a crash, and a decoded path that was accepted holds
 * no NUL, backslash, empty or dot segment. */
#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct req r;
	memset(&r, 0, sizeof r);
	arena_init(&r.a, 4096);
	r.raw_uri = s;
	req_parse_uri(&r);
	if (!r.bad) {
		FUZZ_ASSERT(r.path && r.path[0] == '/');
		FUZZ_ASSERT(!strchr(r.path, '\\'));
		FUZZ_ASSERT(!strstr(r.path, "//"));
		FUZZ_ASSERT(!strstr(r.path, "/../") && !strstr(r.path, "/./"));
		for (int i = 0; i < r.nquery; i++)
			FUZZ_ASSERT(r.query[i].k && r.query[i].v);
		(void)req_query(&r, "q");
		(void)req_query(&r, "page");
	}
	arena_free(&r.a);
	free(s);
	return 0;
}
