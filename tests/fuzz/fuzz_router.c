/* fuzz_router.c: matching paths against route patterns shaped like the
 * site's (captures, a trailing slash, a final rest capture): never a
 * crash; a match fills exactly its captures, none empty. */
#include "fuzz.h"
#include "router.h"

static void h(struct req *r) { (void)r; }

static const struct route routes[] = {
	{HTTP_GET, "/", h, NULL},
	{HTTP_GET, "/{edition}/", h, NULL},
	{HTTP_GET, "/{edition}/{year}/{month}/{slug}", h, NULL},
	{HTTP_GET, "/{edition}/tag/{slug}", h, NULL},
	{HTTP_GET, "/{edition}/tag/{slug}/feed.atom", h, NULL},
	{HTTP_POST, "/comments/{id}", h, NULL},
	{HTTP_GET | HTTP_POST, "/admin/pages/{id}", h, "taxonomy"},
	{HTTP_GET, "/{edition}/{*path}", h, NULL},
	{0, NULL, NULL, NULL},
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	router_add(routes);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	char *s = fuzz_str(data + 1, size - 1);
	struct req r;
	memset(&r, 0, sizeof r);
	arena_init(&r.a, 1024);
	r.method = data[0] & 1 ? HTTP_POST : data[0] & 2 ? HTTP_HEAD : HTTP_GET;
	r.path = s;
	int status = 0;
	const struct route *rt = router_match(&r, &status);
	if (rt) {
		FUZZ_ASSERT(r.nparams >= 0 && r.nparams <= REQ_MAX_PARAMS);
		for (int i = 0; i < r.nparams; i++)
			FUZZ_ASSERT(r.params[i] && r.params[i][0]);
	} else
		FUZZ_ASSERT(status == 404 || status == 405);
	arena_free(&r.a);
	free(s);
	return 0;
}
