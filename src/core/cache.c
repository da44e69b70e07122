/* cache.c: the page cache store (see cache.h for the model).
 *
 * DESIGN: one reader-writer lock. A hit takes the read lock, finds the
 * entry in a chained hash table, stamps its last use with a relaxed atomic
 * store and hands the ready response to the caller: no allocation, no copy.
 * Stores, evictions and invalidations take the write lock. Eviction samples
 * a few random entries and drops the least recently used (Redis's
 * approximated LRU), so hits never touch a list. Every invalidated tag is
 * also written into a small ring with the epoch it happened at; a store
 * whose render began before an invalidation of one of its tags is refused,
 * so a page rendered from data that a concurrent write just changed is
 * never kept. */
#include "cache.h"
#include "arena.h"
#include "buf.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 512
#define SAMPLE 16
#define MAX_TAGS 256

struct entry {
	char *key;
	uint64_t hash;
	struct entry *next;
	struct cache_variant_data v[CV_COUNT];
	char **tags;
	int ntags;
	int64_t expires;
	_Atomic uint64_t last_used;
	size_t bytes;
	size_t slot;           /* index in all[] */
};

struct fill {
	char *key;
	struct fill *next;
	bool done;
};

static struct {
	bool on;
	pthread_rwlock_t lock;
	struct entry **buckets;
	size_t nbuckets;
	struct entry **all;
	size_t count, cap;
	size_t bytes, max_bytes;
	void (*free_resp)(void *);
	_Atomic uint64_t tick;
	_Atomic uint64_t epoch;
	struct { uint64_t epoch; char *tag; } ring[RING];
	struct cache_stats st;
	_Atomic uint64_t hits, misses, coalesced;
	pthread_mutex_t fill_mu;
	pthread_cond_t fill_cv;
	struct fill *fills;
} C;

void
cache_init(size_t max_bytes, void (*free_resp)(void *))
{
	memset(&C, 0, sizeof C);
	C.on = max_bytes > 0;
	pthread_rwlock_init(&C.lock, NULL);
	pthread_mutex_init(&C.fill_mu, NULL);
	pthread_cond_init(&C.fill_cv, NULL);
	C.nbuckets = 4096;
	C.buckets = xcalloc(C.nbuckets, sizeof *C.buckets);
	C.max_bytes = max_bytes;
	C.free_resp = free_resp;
}

bool
cache_enabled(void)
{
	return C.on;
}

static void
entry_free(struct entry *e)
{
	for (int i = 0; i < CV_COUNT; i++)
		if (e->v[i].resp && C.free_resp)
			C.free_resp(e->v[i].resp);
	for (int i = 0; i < e->ntags; i++)
		free(e->tags[i]);
	free(e->tags);
	free(e->key);
	free(e);
}

/* Unlinks e from its bucket and from all[]; write lock held. */
static void
entry_remove(struct entry *e)
{
	struct entry **pp = &C.buckets[e->hash & (C.nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	struct entry *last = C.all[--C.count];
	C.all[e->slot] = last;
	last->slot = e->slot;
	C.bytes -= e->bytes;
	entry_free(e);
}

void
cache_shutdown(void)
{
	if (!C.buckets)
		return;
	pthread_rwlock_wrlock(&C.lock);
	while (C.count)
		entry_remove(C.all[C.count - 1]);
	pthread_rwlock_unlock(&C.lock);
	for (int i = 0; i < RING; i++)
		free(C.ring[i].tag);
	free(C.buckets);
	free(C.all);
	pthread_rwlock_destroy(&C.lock);
	pthread_mutex_destroy(&C.fill_mu);
	pthread_cond_destroy(&C.fill_cv);
	memset(&C, 0, sizeof C);
}

uint64_t
cache_epoch(void)
{
	return atomic_load(&C.epoch);
}

static struct entry *
find(const char *key, uint64_t h)
{
	for (struct entry *e = C.buckets[h & (C.nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

bool
cache_serve(const char *key, unsigned want, int64_t now,
    void (*use)(const struct cache_variant_data *, enum cache_variant, void *), void *arg)
{
	if (!C.on)
		return false;
	uint64_t h = str_hash(key);
	bool hit = false;
	pthread_rwlock_rdlock(&C.lock);
	struct entry *e = find(key, h);
	if (e && e->expires > now) {
		enum cache_variant which = CV_IDENTITY;
		if ((want & (1u << CV_BR)) && e->v[CV_BR].resp)
			which = CV_BR;
		else if ((want & (1u << CV_GZIP)) && e->v[CV_GZIP].resp)
			which = CV_GZIP;
		atomic_store_explicit(&e->last_used, atomic_fetch_add_explicit(&C.tick, 1, memory_order_relaxed), memory_order_relaxed);
		use(&e->v[which], which, arg);
		hit = true;
	}
	pthread_rwlock_unlock(&C.lock);
	atomic_fetch_add_explicit(hit ? &C.hits : &C.misses, 1, memory_order_relaxed);
	return hit;
}

static void
evict_until(size_t limit)
{
	while (C.bytes > limit && C.count > 0) {
		struct entry *victim = NULL;
		for (int i = 0; i < SAMPLE; i++) {
			struct entry *e = C.all[(size_t)rand() % C.count];
			if (!victim || atomic_load_explicit(&e->last_used, memory_order_relaxed) <
			    atomic_load_explicit(&victim->last_used, memory_order_relaxed))
				victim = e;
		}
		entry_remove(victim);
		C.st.evictions++;
	}
}

/* Was any of tags invalidated after epoch? Write lock held. */
static bool
raced(const char *const *tags, uint64_t epoch)
{
	uint64_t now = atomic_load(&C.epoch);
	if (now == epoch)
		return false;
	if (now - epoch >= RING)
		return true;
	for (uint64_t ep = epoch + 1; ep <= now; ep++) {
		const char *t = C.ring[ep % RING].tag;
		if (!t || strcmp(t, "*") == 0)
			return true;
		for (int i = 0; tags[i]; i++)
			if (strcmp(tags[i], t) == 0)
				return true;
	}
	return false;
}

bool
cache_store(const char *key, struct cache_variant_data v[CV_COUNT], const char *const *tags,
    uint64_t epoch, int64_t expires)
{
	size_t bytes = strlen(key) + sizeof(struct entry);
	int ntags = 0;
	while (ntags < MAX_TAGS && tags[ntags])
		bytes += strlen(tags[ntags++]) + sizeof(char *);
	for (int i = 0; i < CV_COUNT; i++)
		bytes += v[i].resp ? v[i].len : 0;
	pthread_rwlock_wrlock(&C.lock);
	if (!C.on || raced(tags, epoch) || bytes > C.max_bytes / 4) {
		if (C.on && bytes <= C.max_bytes / 4)
			C.st.stale_drops++;
		pthread_rwlock_unlock(&C.lock);
		for (int i = 0; i < CV_COUNT; i++)
			if (v[i].resp && C.free_resp)
				C.free_resp(v[i].resp);
		return false;
	}
	uint64_t h = str_hash(key);
	struct entry *old = find(key, h);
	if (old)
		entry_remove(old);
	evict_until(C.max_bytes > bytes ? C.max_bytes - bytes : 0);
	struct entry *e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	e->hash = h;
	memcpy(e->v, v, sizeof e->v);
	e->tags = xcalloc((size_t)ntags + 1, sizeof *e->tags);
	for (int i = 0; i < ntags; i++)
		e->tags[i] = xstrdup(tags[i]);
	e->ntags = ntags;
	e->expires = expires;
	e->bytes = bytes;
	atomic_store(&e->last_used, atomic_fetch_add(&C.tick, 1));
	if (C.count == C.cap) {
		C.cap = C.cap ? C.cap * 2 : 1024;
		C.all = xrealloc(C.all, C.cap * sizeof *C.all);
	}
	e->slot = C.count;
	C.all[C.count++] = e;
	struct entry **b = &C.buckets[h & (C.nbuckets - 1)];
	e->next = *b;
	*b = e;
	C.bytes += bytes;
	C.st.stores++;
	if (C.count > C.nbuckets) {   /* keep chains short: double the table */
		size_t n = C.nbuckets * 2;
		struct entry **nb = xcalloc(n, sizeof *nb);
		for (size_t i = 0; i < C.count; i++) {
			struct entry *x = C.all[i];
			x->next = nb[x->hash & (n - 1)];
			nb[x->hash & (n - 1)] = x;
		}
		free(C.buckets);
		C.buckets = nb;
		C.nbuckets = n;
	}
	pthread_rwlock_unlock(&C.lock);
	return true;
}

static void
note_invalidation(const char *tag)
{
	uint64_t ep = atomic_load(&C.epoch) + 1;
	free(C.ring[ep % RING].tag);
	C.ring[ep % RING].tag = xstrdup(tag);
	C.ring[ep % RING].epoch = ep;
	atomic_store(&C.epoch, ep);
	C.st.invalidations++;
}

void
cache_invalidate(const char *tag)
{
	if (!C.buckets)
		return;
	pthread_rwlock_wrlock(&C.lock);
	note_invalidation(tag);
	for (size_t i = 0; i < C.count;) {
		struct entry *e = C.all[i];
		bool drop = false;
		for (int t = 0; t < e->ntags && !drop; t++)
			drop = strcmp(e->tags[t], tag) == 0;
		if (drop)
			entry_remove(e);   /* the last entry moved into slot i */
		else
			i++;
	}
	pthread_rwlock_unlock(&C.lock);
}

void
cache_invalidate_all(void)
{
	if (!C.buckets)
		return;
	pthread_rwlock_wrlock(&C.lock);
	note_invalidation("*");
	while (C.count)
		entry_remove(C.all[C.count - 1]);
	pthread_rwlock_unlock(&C.lock);
}

bool
cache_fill_begin(const char *key)
{
	pthread_mutex_lock(&C.fill_mu);
	struct fill *f;
	for (f = C.fills; f; f = f->next)
		if (strcmp(f->key, key) == 0)
			break;
	if (!f) {
		f = xcalloc(1, sizeof *f);
		f->key = xstrdup(key);
		f->next = C.fills;
		C.fills = f;
		pthread_mutex_unlock(&C.fill_mu);
		return true;
	}
	/* someone renders this URL now: wait for it, at most 5 s */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	int rc = 0;
	for (;;) {
		struct fill *g;
		for (g = C.fills; g; g = g->next)
			if (strcmp(g->key, key) == 0)
				break;
		if (!g || rc != 0)
			break;
		rc = pthread_cond_timedwait(&C.fill_cv, &C.fill_mu, &until);
	}
	pthread_mutex_unlock(&C.fill_mu);
	atomic_fetch_add_explicit(&C.coalesced, 1, memory_order_relaxed);
	return false;
}

void
cache_fill_end(const char *key)
{
	pthread_mutex_lock(&C.fill_mu);
	for (struct fill **pp = &C.fills; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			struct fill *f = *pp;
			*pp = f->next;
			free(f->key);
			free(f);
			break;
		}
	}
	pthread_cond_broadcast(&C.fill_cv);
	pthread_mutex_unlock(&C.fill_mu);
}

void
cache_get_stats(struct cache_stats *out)
{
	pthread_rwlock_rdlock(&C.lock);
	*out = C.st;
	out->bytes = C.bytes;
	out->entries = C.count;
	out->max_bytes = C.max_bytes;
	pthread_rwlock_unlock(&C.lock);
	out->hits = atomic_load(&C.hits);
	out->misses = atomic_load(&C.misses);
	out->coalesced = atomic_load(&C.coalesced);
	out->epoch = atomic_load(&C.epoch);
}
