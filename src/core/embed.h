/* embed.h: files compiled into the binary by tools/embed.c (migrations, the API document). */
#ifndef GZ_EMBED_H
#define GZ_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name;   /* base name, e.g. "0001_init.sql" */
	const char *data;   /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file db_migrations[];   /* ends with {NULL} */
extern const struct embedded_file api_docs[];        /* the Content API's OpenAPI document */

#endif
