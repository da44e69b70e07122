/* replay.c: runs fuzz targets without libFuzzer: each file named on the
 * command line (or each file in a folder named) is given to the target
 * once. make test replays the corpora this way under ASan and UBSan;
 * make fuzz links the same targets with libFuzzer instead. */
#include "fuzz.h"
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	char *data = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		size_t got = fread(data + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)data, n);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int files = 0, failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			failed++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			failed += run_file(argv[i]) < 0;
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
			failed += run_file(path) < 0;
			files++;
		}
		if (d)
			closedir(d);
	}
	printf("%s: %d inputs replayed\n", argv[0], files);
	return failed ? 1 : 0;
}
