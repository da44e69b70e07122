/* fuzz_writers.c: what Gazette writes from outside text into files other
 * programs read: iCalendar lines (escaped, folded at 75 octets without
 * splitting a UTF-8 character, so no input adds a property) and CSV cells
 * (quoted, and a cell a spreadsheet would read as a formula neutralized). */
#include "fuzz.h"
#include "buf.h"
#include "ics.h"
#include "text.h"
#include <stdio.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	char *s = fuzz_str(data, size);
	struct buf b = {0};
	ics_text(&b, "SUMMARY", s);
	/* each physical line: at most 75 octets; continuation lines start with a
	 * space; the only line that is not a continuation is the first */
	size_t start = 0;
	int lines = 0;
	for (size_t i = 0; i < b.len; i++) {
		if (b.s[i] == '\r') {
			FUZZ_ASSERT(i + 1 < b.len && b.s[i + 1] == '\n');
			FUZZ_ASSERT(i - start <= 75);
			if (lines++)
				FUZZ_ASSERT(b.s[start] == ' ');
			start = i + 2;
			i++;
		} else
			FUZZ_ASSERT(b.s[i] != '\n');
	}
	FUZZ_ASSERT(start == b.len && lines >= 1);
	buf_free(&b);

	char *csv = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&csv, &n);
	csv_field(f, s);
	fclose(f);
	const char *cell = csv[0] == '"' ? csv + 1 : csv;
	FUZZ_ASSERT(!strchr("=+-@\t\r", cell[0]) || !cell[0]);
	if (strpbrk(s, ",\"\r\n"))
		FUZZ_ASSERT(csv[0] == '"' && csv[n - 1] == '"');
	free(csv);
	free(s);
	return 0;
}
