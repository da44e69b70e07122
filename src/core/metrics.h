/* metrics.h: request counts and latency histograms per route, written in
 * the Prometheus text format together with cache and database figures. */
#ifndef GZ_METRICS_H
#define GZ_METRICS_H
#include "buf.h"

/* Records one request; route is a static string (a route pattern, or a
 * label such as "cache hit"). */
void metrics_request(const char *route, int status, double seconds);
void metrics_render(struct buf *out);

#endif
