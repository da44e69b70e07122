/* limits.h: what one client, and one kind of request, may take of the
 * server: open connections per remote address, and a share of the worker
 * threads' time for the costly routes (search, posting a comment, booking,
 * signing in), beyond which those answer 503 with Retry-After while the
 * cached pages keep being served. Knows nothing of routes or pages. */
#ifndef GZ_LIMITS_H
#define GZ_LIMITS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* threads: the worker pool; share: of their time the costly routes may
 * take (0.5: half); per_ip: connections one non-loopback address may hold
 * open (0: no limit). */
void limits_init(unsigned threads, double share, unsigned per_ip);

/* Costly work: may one more start now? If so, report its duration after. */
bool limits_costly_admit(void);
void limits_costly_done(double seconds);

/* Connections per address (loopback is never limited: a proxy in front
 * of Gazette, or a benchmark, talks from there). */
bool limits_conn_admit(const struct sockaddr *addr, socklen_t len);
void limits_conn_open(const struct sockaddr *addr, socklen_t len);
void limits_conn_close(const struct sockaddr *addr, socklen_t len);
/* Costly requests shed, connections refused, since start. */
void limits_counts(unsigned long long *shed, unsigned long long *refused);

#endif
