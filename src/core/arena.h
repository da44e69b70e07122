/* arena.h: a bump allocator freed all at once (one per request, nginx-style).
 * Allocation failure aborts the process (Redis-style): no caller checks NULL. */
#ifndef GZ_ARENA_H
#define GZ_ARENA_H
#include <stddef.h>
#include <stdarg.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	size_t block_size;
};

void arena_init(struct arena *a, size_t block_size);
void *arena_alloc(struct arena *a, size_t n);       /* 16-byte aligned, uninitialised */
void *arena_zalloc(struct arena *a, size_t n);      /* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Concatenates the strings up to a NULL: the fast path for building URLs. */
char *arena_cat(struct arena *a, ...) __attribute__((sentinel));
void arena_reset(struct arena *a);                  /* free all but the first block */
void arena_free(struct arena *a);

/* xmalloc family: abort on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void oom(void) __attribute__((noreturn));

#endif
