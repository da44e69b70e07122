/* cache.h: the page cache. Complete responses for anonymous GET/HEAD
 * requests, kept per URL with an identity, gzip and brotli variant, each
 * holding an opaque ready-to-send response object that core/http builds.
 *
 * Entries carry dependency tags ("a:12", "l:front:pt", "site"); a write
 * invalidates by tag. A render that raced with an invalidation of one of
 * its tags is not stored. Memory is bounded: the least recently used
 * entries are evicted (sampled LRU, as Redis does). Concurrent misses on
 * one URL render once (coalescing). This file knows nothing of HTTP or
 * news: it stores bytes and opaque objects under keys and tags. */
#ifndef GZ_CACHE_H
#define GZ_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cache_variant { CV_IDENTITY, CV_GZIP, CV_BR, CV_COUNT };

struct cache_stats {
	uint64_t hits, misses, stores, evictions, invalidations, stale_drops, coalesced;
	size_t bytes, entries, max_bytes;
	uint64_t epoch;
};

struct cache_variant_data {
	void *resp;             /* opaque (an MHD response); NULL: variant absent */
	size_t len;             /* body bytes, for the memory bound */
	char etag[40];          /* quoted strong ETag of this variant */
	const char *cache_control;  /* static string, repeated on a 304 */
	const char *label;      /* static string naming what made it (metrics) */
	long long count_id;     /* what serving it counts a view of (core/hits), 0: nothing */
};

/* free_resp releases a variant's response object when its entry dies. */
void cache_init(size_t max_bytes, void (*free_resp)(void *));
void cache_shutdown(void);
bool cache_enabled(void);

/* The current invalidation epoch: take it before rendering, give it to
 * cache_store. */
uint64_t cache_epoch(void);

/* Looks key up; on a hit calls use(v, arg) with the chosen variant while the
 * entry is pinned, and returns true. want is a bit set of acceptable
 * variants (1 << CV_GZIP ...); identity is always acceptable. */
bool cache_serve(const char *key, unsigned want, int64_t now,
    void (*use)(const struct cache_variant_data *v, enum cache_variant which, void *arg), void *arg);

/* Stores an entry made of up to CV_COUNT variants and tags (NULL-ended),
 * valid until expires (Unix seconds). Returns false (and frees the
 * variants) when an invalidation since epoch touched one of the tags. */
bool cache_store(const char *key, struct cache_variant_data v[CV_COUNT], const char *const *tags,
    uint64_t epoch, int64_t expires);

/* Drops every entry carrying tag; cache_invalidate_all drops everything. */
void cache_invalidate(const char *tag);
void cache_invalidate_all(void);

/* Coalescing: returns true if the caller should render key; false after
 * another thread rendered it (or the wait timed out): look it up again. */
bool cache_fill_begin(const char *key);
void cache_fill_end(const char *key);

void cache_get_stats(struct cache_stats *out);

#endif
