/* metrics.c: lock-free counters per route (a fixed table of static route
 * strings, claimed on first use) and their Prometheus rendering. */
#include "metrics.h"
#include "limits.h"
#include "workers.h"
#include "deadlines.h"
#include "cache.h"
#include "db.h"
#include "invalidate.h"
#include "http.h"
#include <stdatomic.h>
#include <string.h>

#define MAX_ROUTES 64
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NB (sizeof bounds / sizeof *bounds)

struct route_stats {
	_Atomic(const char *) name;
	_Atomic uint64_t status[6];          /* by class: 1xx … 5xx, [0] other */
	_Atomic uint64_t bucket[NB + 1];     /* the last is +Inf */
	_Atomic uint64_t sum_us;
	_Atomic uint64_t count;
};

static struct route_stats routes[MAX_ROUTES];

static struct route_stats *
slot(const char *name)
{
	for (int i = 0; i < MAX_ROUTES; i++) {
		const char *n = atomic_load(&routes[i].name);
		if (n == name || (n && strcmp(n, name) == 0))
			return &routes[i];
		if (!n) {
			const char *expected = NULL;
			if (atomic_compare_exchange_strong(&routes[i].name, &expected, name))
				return &routes[i];
			if (expected && strcmp(expected, name) == 0)
				return &routes[i];
		}
	}
	return NULL;
}

void
metrics_request(const char *route, int status, double seconds)
{
	struct route_stats *s = slot(route ? route : "(none)");
	if (!s)
		return;
	int cls = status >= 100 && status < 600 ? status / 100 : 0;
	atomic_fetch_add_explicit(&s->status[cls], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NB && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

static void
label(struct buf *o, const char *route)
{
	buf_puts(o, "route=\"");
	for (const char *p = route; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(o, '\\');
		buf_putc(o, *p);
	}
	buf_putc(o, '"');
}

void
metrics_render(struct buf *o)
{
	buf_puts(o, "# HELP gazette_requests_total Requests answered, by route and status class.\n"
		    "# TYPE gazette_requests_total counter\n");
	for (int i = 0; i < MAX_ROUTES; i++) {
		const char *n = atomic_load(&routes[i].name);
		if (!n)
			break;
		for (int c = 1; c < 6; c++) {
			uint64_t v = atomic_load(&routes[i].status[c]);
			if (!v)
				continue;
			buf_puts(o, "gazette_requests_total{");
			label(o, n);
			buf_printf(o, ",status=\"%dxx\"} %llu\n", c, (unsigned long long)v);
		}
	}
	buf_puts(o, "# HELP gazette_request_seconds Time from request line to response queued.\n"
		    "# TYPE gazette_request_seconds histogram\n");
	for (int i = 0; i < MAX_ROUTES; i++) {
		const char *n = atomic_load(&routes[i].name);
		if (!n)
			break;
		uint64_t cum = 0;
		for (size_t b = 0; b <= NB; b++) {
			cum += atomic_load(&routes[i].bucket[b]);
			buf_puts(o, "gazette_request_seconds_bucket{");
			label(o, n);
			if (b < NB)
				buf_printf(o, ",le=\"%g\"} %llu\n", bounds[b], (unsigned long long)cum);
			else
				buf_printf(o, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		buf_puts(o, "gazette_request_seconds_sum{");
		label(o, n);
		buf_printf(o, "} %.6f\n", (double)atomic_load(&routes[i].sum_us) / 1e6);
		buf_puts(o, "gazette_request_seconds_count{");
		label(o, n);
		buf_printf(o, "} %llu\n", (unsigned long long)atomic_load(&routes[i].count));
	}
	unsigned long long shed, refused;
	limits_counts(&shed, &refused);
	buf_printf(o,
	    "# HELP gazette_costly_shed_total Costly requests (search, posts, bookings, sign-ins) answered 503 past their share.\n"
	    "# TYPE gazette_costly_shed_total counter\ngazette_costly_shed_total %llu\n"
	    "# HELP gazette_connections_refused_total Connections refused: their address held its limit already.\n"
	    "# TYPE gazette_connections_refused_total counter\ngazette_connections_refused_total %llu\n"
	    "# HELP gazette_deadline_cut_total Connections cut: too slow sending their headers or body, or reading the answer.\n"
	    "# TYPE gazette_deadline_cut_total counter\ngazette_deadline_cut_total %llu\n",
	    shed, refused, deadlines_cut());
	unsigned workers, queued;
	workers_totals(&workers, &queued);
	buf_printf(o,
	    "# HELP gazette_render_workers Threads that render what the page cache cannot answer.\n"
	    "# TYPE gazette_render_workers gauge\ngazette_render_workers %u\n"
	    "# HELP gazette_render_queued Requests waiting for a render worker.\n"
	    "# TYPE gazette_render_queued gauge\ngazette_render_queued %u\n",
	    workers, queued);
	struct io_counts io[HTTP_IO_MAX];
	unsigned nio = http_io_stats(io, HTTP_IO_MAX);
	buf_puts(o, "# HELP gazette_io_requests_total Requests begun on each I/O thread (a connection goes to the one "
		    "numbered by the CPU that received it).\n# TYPE gazette_io_requests_total counter\n");
	for (unsigned i = 0; i < nio; i++)
		buf_printf(o, "gazette_io_requests_total{thread=\"%u\"} %llu\n", i, io[i].requests);
	buf_puts(o, "# HELP gazette_io_renders_total Pages each I/O thread rendered itself, not handing them to a "
		    "worker: quick pages, without a page cache, while every I/O thread was busy.\n# TYPE gazette_io_renders_total counter\n");
	for (unsigned i = 0; i < nio; i++)
		buf_printf(o, "gazette_io_renders_total{thread=\"%u\"} %llu\n", i, io[i].renders);
	buf_puts(o, "# HELP gazette_io_connections Connections each I/O thread holds open.\n"
		    "# TYPE gazette_io_connections gauge\n");
	for (unsigned i = 0; i < nio; i++)
		buf_printf(o, "gazette_io_connections{thread=\"%u\"} %u\n", i, io[i].conns);
	struct cache_stats cs;
	cache_get_stats(&cs);
	buf_printf(o,
	    "# TYPE gazette_cache_hits_total counter\ngazette_cache_hits_total %llu\n"
	    "# TYPE gazette_cache_misses_total counter\ngazette_cache_misses_total %llu\n"
	    "# TYPE gazette_cache_stores_total counter\ngazette_cache_stores_total %llu\n"
	    "# TYPE gazette_cache_evictions_total counter\ngazette_cache_evictions_total %llu\n"
	    "# TYPE gazette_cache_invalidations_total counter\ngazette_cache_invalidations_total %llu\n"
	    "# HELP gazette_cache_stale_drops_total Renders not stored because a write changed their data meanwhile.\n"
	    "# TYPE gazette_cache_stale_drops_total counter\ngazette_cache_stale_drops_total %llu\n"
	    "# TYPE gazette_cache_coalesced_total counter\ngazette_cache_coalesced_total %llu\n"
	    "# TYPE gazette_cache_entries gauge\ngazette_cache_entries %zu\n"
	    "# TYPE gazette_cache_bytes gauge\ngazette_cache_bytes %zu\n"
	    "# TYPE gazette_cache_max_bytes gauge\ngazette_cache_max_bytes %zu\n",
	    (unsigned long long)cs.hits, (unsigned long long)cs.misses, (unsigned long long)cs.stores,
	    (unsigned long long)cs.evictions, (unsigned long long)cs.invalidations, (unsigned long long)cs.stale_drops,
	    (unsigned long long)cs.coalesced, cs.entries, cs.bytes, cs.max_bytes);
	buf_printf(o, "# HELP gazette_invalidation_applied_id The newest cache invalidation log row applied by this process.\n"
		      "# TYPE gazette_invalidation_applied_id gauge\ngazette_invalidation_applied_id %lld\n", inval_applied_id());
	unsigned long long q, ns;
	db_stats(&q, &ns);
	buf_printf(o,
	    "# TYPE gazette_db_statements_total counter\ngazette_db_statements_total %llu\n"
	    "# HELP gazette_db_seconds_total Time spent stepping database statements.\n"
	    "# TYPE gazette_db_seconds_total counter\ngazette_db_seconds_total %.6f\n",
	    q, (double)ns / 1e9);
}
