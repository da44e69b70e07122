/* hits.c: view counts per id in a fixed open-addressing table of atomics.
 * An id claims a slot once (compare-and-swap on the key); counts are then
 * plain atomic adds, so a cached page's hit costs a hash and an add. The
 * drain swaps each count to zero; slots are never freed, and the table is
 * sized for far more articles than are read between two drains (a few
 * seconds). What does not fit is dropped and counted. */
#include "hits.h"
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define SLOTS (1u << 16)
#define PROBES 64

static _Atomic long long keys[SLOTS];
static _Atomic long long counts[SLOTS];
static _Atomic unsigned long long dropped;

static unsigned
slot_of(long long id)
{
	uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return (unsigned)(x >> 48) & (SLOTS - 1);
}

void
hits_add(long long id)
{
	if (id <= 0)
		return;
	unsigned s = slot_of(id);
	for (int i = 0; i < PROBES; i++, s = (s + 1) & (SLOTS - 1)) {
		long long k = atomic_load_explicit(&keys[s], memory_order_acquire);
		if (k == 0) {
			long long zero = 0;
			if (atomic_compare_exchange_strong(&keys[s], &zero, id) || zero == id) {
				atomic_fetch_add_explicit(&counts[s], 1, memory_order_relaxed);
				return;
			}
			continue;   /* another id took it */
		}
		if (k == id) {
			atomic_fetch_add_explicit(&counts[s], 1, memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
}

int
hits_drain(void (*fn)(long long id, long long n, void *arg), void *arg)
{
	int ids = 0;
	for (unsigned s = 0; s < SLOTS; s++) {
		long long k = atomic_load_explicit(&keys[s], memory_order_acquire);
		if (!k)
			continue;
		long long n = atomic_exchange_explicit(&counts[s], 0, memory_order_relaxed);
		if (n) {
			fn(k, n, arg);
			ids++;
		}
	}
	return ids;
}

unsigned long long
hits_dropped(void)
{
	return atomic_load(&dropped);
}

bool
hits_robot(const char *ua, const char *purpose)
{
	if (purpose && (strcasestr(purpose, "prefetch") || strcasestr(purpose, "prerender")))
		return true;
	if (!ua || !*ua)
		return true;
	/* robots name themselves; scripts send their library's name (node's
	 * fetch says "node") */
	static const char *const words[] = {"bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "curl/", "wget/",
		"python-", "go-http-client", "wrk", "undici", "okhttp", "java/", "libwww"};
	if (strcmp(ua, "node") == 0)
		return true;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcasestr(ua, words[i]))
			return true;
	return false;
}
