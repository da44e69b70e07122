/* fuzz.h: what every fuzz target shares: the libFuzzer entry points, and
 * the input as a NUL-terminated string (most parsers here take C strings;
 * an input with a NUL inside is cut there, as the HTTP layer refuses NUL). */
#ifndef GZ_FUZZ_H
#define GZ_FUZZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* Does s hold needle, in any case? (Checks of HTML that came out.) */
static inline bool
fuzz_has_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

/* A failed property: abort, so that libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) { __builtin_trap(); } } while (0)

#endif
