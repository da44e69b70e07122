/* arena.c: bump allocation in linked blocks, released in one call; the
 * xmalloc family; the allocation guard (arena.h) that lets a request
 * survive memory running out.
 *
 * A request gets one arena; everything it renders or reads from the
 * database lives there and dies with arena_free(). Large allocations get a
 * block of their own so the common block size stays small. Nothing here
 * logs or touches the database: the guard only marks the request, and
 * core/http and core/db act on the mark. */
#include "arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <pthread.h>

struct arena_block {
	struct arena_block *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

void
oom(void)
{
	fputs("gazette: out of memory\n", stderr);
	abort();
}

/* ---- the allocation guard (arena.h) ------------------------------------- */

#define RESERVE_SIZE ((size_t)4 << 20)

static _Thread_local struct alloc_guard *guard;
static _Thread_local void *reserve;   /* untouched, so it costs address space, not memory */
static pthread_key_t reserve_key;      /* frees a thread's reserve when the thread ends */
static pthread_once_t reserve_once = PTHREAD_ONCE_INIT;

static void
reserve_key_make(void)
{
	pthread_key_create(&reserve_key, free);
}

static void
reserve_set(void *p)
{
	reserve = p;
	pthread_once(&reserve_once, reserve_key_make);
	pthread_setspecific(reserve_key, p);
}

void
alloc_guard_enter(struct alloc_guard *g)
{
	if (!reserve)
		reserve_set(malloc(RESERVE_SIZE));
	if (!reserve)
		g->failed = true;   /* memory is short now: shed this request */
	guard = g;
}

void
alloc_guard_leave(void)
{
	guard = NULL;
}

bool
alloc_failed(void)
{
	return guard && guard->failed && !guard->committed;
}

void
alloc_note_commit(void)
{
	if (guard)
		guard->committed = true;
}

int
alloc_fault_arm(struct alloc_guard *g, int at)
{
	g->fail_at = at;
	return g->seen;
}

/* Before an allocation: does a test want this one to fail? */
static bool
injected(void)
{
	return guard && ++guard->seen == guard->fail_at;
}

/* After a failed allocation: may it be tried again? Inside a guard with
 * its reserve still held, the reserve goes back to the allocator. */
static bool
rescued(void)
{
	if (!guard || !reserve)
		return false;
	free(reserve);
	reserve_set(NULL);
	guard->failed = true;
	return true;
}

void *
xmalloc(size_t n)
{
	void *p = injected() ? NULL : malloc(n ? n : 1);
	if (!p && rescued())
		p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = injected() ? NULL : calloc(n ? n : 1, m ? m : 1);
	if (!p && rescued())
		p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = injected() ? NULL : realloc(p, n ? n : 1);
	if (!q && rescued())
		q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

void *
xmemdup(const void *s, size_t n)
{
	void *p = xmalloc(n);
	if (n)
		memcpy(p, s, n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = 0;
	return p;
}

void
arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 8192;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > a->block_size / 2 ? n : a->block_size;
		if (cap > SIZE_MAX - sizeof *b)
			oom();
		struct arena_block *nb = xmalloc(sizeof *nb + cap);
		nb->cap = cap;
		nb->used = 0;
		if (b && cap == n && b->cap - b->used >= 256) {
			/* keep filling the current block: put the big one behind it */
			nb->next = b->next;
			b->next = nb;
			nb->used = n;
			return nb->data;
		}
		nb->next = b;
		a->head = b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	return memset(arena_alloc(a, n), 0, n);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

char *
arena_cat(struct arena *a, ...)
{
	/* one strlen per part: the lengths of the first parts are kept (URLs
	 * are built from a handful) */
	enum { KEEP = 16 };
	size_t lens[KEEP], n = 0;
	int parts = 0;
	va_list ap;
	va_start(ap, a);
	for (const char *s; (s = va_arg(ap, const char *)); parts++) {
		size_t l = strlen(s);
		if (parts < KEEP)
			lens[parts] = l;
		n += l;
	}
	va_end(ap);
	char *out = arena_alloc(a, n + 1), *o = out;
	va_start(ap, a);
	for (int i = 0; i < parts; i++) {
		const char *s = va_arg(ap, const char *);
		size_t l = i < KEEP ? lens[i] : strlen(s);
		memcpy(o, s, l);
		o += l;
	}
	va_end(ap);
	*o = 0;
	return out;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b = a->head, *keep = NULL;
	while (b) {
		struct arena_block *n = b->next;
		if (!n) {
			keep = b;
			keep->used = 0;
		} else
			free(b);
		b = n;
	}
	a->head = keep;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
}
