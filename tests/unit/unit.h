/* unit.h: small helpers shared by the unit tests; no test of its own. */
#ifndef GAZETTE_UNIT_H
#define GAZETTE_UNIT_H
#include <stdio.h>
#include <unistd.h>

/* Removes a test's SQLite file with its WAL and shared-memory files. */
static inline void
unit_db_unlink(const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

#endif
