/* arena.h: a bump allocator freed all at once (one per request, nginx-style),
 * the xmalloc family, and the allocation guard a request runs under.
 * No caller checks NULL: outside a guard, allocation failure aborts the
 * process (Redis-style); inside one, see alloc_guard below. */
#ifndef GZ_ARENA_H
#define GZ_ARENA_H
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

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
void *xmemdup(const void *s, size_t n);   /* n bytes into an allocation of their own size */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void oom(void) __attribute__((noreturn));

/* The allocation guard. A request runs inside one (core/http). When an
 * allocation fails inside a guard, the thread's reserve (a few MiB kept
 * aside, taken again at the next guard's start) is released and the
 * allocation tried again, so it succeeds and the code runs on unchanged;
 * the guard is marked failed. A failed guard makes the request store
 * nothing more (its database steps and commit fail as an outage, core/db)
 * and answer 503, unless it had already committed: then it finishes as
 * built, since what it says is true. With no reserve left, failure aborts
 * as outside a guard. Only real allocations count (a new arena block, the
 * xmalloc family), since only they can fail. */
struct alloc_guard {
	bool failed;        /* an allocation failed within it */
	bool committed;     /* a transaction committed within it (core/db) */
	int seen;           /* allocations so far, counted for fault tests */
	int fail_at;        /* tests: the fail_at-th allocation fails; 0 none */
};
void alloc_guard_enter(struct alloc_guard *g);
void alloc_guard_leave(void);
bool alloc_failed(void);            /* failed, and nothing committed yet */
void alloc_note_commit(void);
/* Tests (serve --fault-injection): the guard's at-th allocation fails as
 * if memory had run out (at 0: count only). Returns the count so far. */
int alloc_fault_arm(struct alloc_guard *g, int at);

#endif
