/* fuzz_catalog.c: a translation catalog (.po) as the server loads it: a
 * bad catalog is refused with a message, a good one answers lookups;
 * never a crash. */
#include "fuzz.h"
#include "i18n.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char err[256] = "";
	if (i18n_load_string("xx", (const char *)data, size, err, sizeof err) < 0)
		FUZZ_ASSERT(err[0]);
	else {
		const char *t = i18n_gettext("xx", "Search");
		FUZZ_ASSERT(t);
	}
	return 0;
}
