/* hits.h: counts of views per id (an article's), kept in memory and
 * handed over in batches: the request path adds with one atomic add into a
 * fixed table; a background job drains the counts into the database. No
 * cookies, no addresses: only the id and a number. */
#ifndef GZ_HITS_H
#define GZ_HITS_H
#include <stdbool.h>

/* Counts one view of id (> 0). A full table drops the view (counted in
 * hits_dropped) rather than wait. */
void hits_add(long long id);
/* Calls fn for each id seen since the last drain with its count, and
 * clears it; returns the number of ids. */
int hits_drain(void (*fn)(long long id, long long n, void *arg), void *arg);
unsigned long long hits_dropped(void);
/* True for clients that are not readers: no User-Agent, crawlers, link
 * previews, prefetches. */
bool hits_robot(const char *user_agent, const char *purpose);

#endif
