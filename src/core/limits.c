/* limits.c: connections per remote address and the time budget of the
 * costly routes (see limits.h). It must not learn which routes are costly
 * (the router table says so) nor answer requests itself.
 *
 * DESIGN: the budget is a sum of the seconds costly handlers ran, decaying
 * with a one-second time constant: while it stays under share × threads
 * (seconds of work per second), costly requests run; above it they are
 * refused at once, which costs microseconds, so a flood of searches or
 * posts cannot take the threads that serve cached pages. Connections are
 * counted in 65,536 buckets keyed by a keyed hash of the address (a fixed
 * 128 KiB whatever the number of clients; an address shares its bucket
 * with another only by chance, and nobody can choose to). */
#include "limits.h"
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define BUCKETS 65536

static struct {
	pthread_mutex_t mu;
	double budget;        /* seconds of costly work allowed per second */
	double busy;          /* decayed seconds of costly work */
	double at;            /* when busy was last decayed */
	unsigned long long shed;
	unsigned per_ip;
	unsigned char key[crypto_shorthash_KEYBYTES];
	uint16_t conns[BUCKETS];
	unsigned long long refused;
} L = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double
mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
limits_init(unsigned threads, double share, unsigned per_ip)
{
	pthread_mutex_lock(&L.mu);
	L.budget = share * (threads ? threads : 1);
	L.busy = 0;
	L.at = mono();
	L.per_ip = per_ip;
	randombytes_buf(L.key, sizeof L.key);
	memset(L.conns, 0, sizeof L.conns);
	pthread_mutex_unlock(&L.mu);
}

/* Under the lock: busy as of now. */
static void
decay(double now)
{
	if (now > L.at) {
		L.busy *= exp(-(now - L.at));
		L.at = now;
	}
}

bool
limits_costly_admit(void)
{
	pthread_mutex_lock(&L.mu);
	decay(mono());
	bool ok = L.budget <= 0 || L.busy < L.budget;
	if (!ok)
		L.shed++;
	pthread_mutex_unlock(&L.mu);
	return ok;
}

void
limits_costly_done(double seconds)
{
	pthread_mutex_lock(&L.mu);
	decay(mono());
	L.busy += seconds;
	pthread_mutex_unlock(&L.mu);
}

/* The bucket of a non-loopback address, or -1 (loopback, unknown family). */
static long
bucket(const struct sockaddr *addr, socklen_t len)
{
	const unsigned char *bytes;
	size_t n;
	if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct in_addr *a4 = &((const struct sockaddr_in *)addr)->sin_addr;
		if ((ntohl(a4->s_addr) >> 24) == 127)
			return -1;
		bytes = (const unsigned char *)a4;
		n = 4;
	} else if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a6))
			return -1;
		bytes = (const unsigned char *)a6;
		n = 8;   /* a /64: one subscriber's network, as one address */
	} else
		return -1;
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, bytes, n, L.key);
	return (long)((h[0] | h[1] << 8) % BUCKETS);
}

bool
limits_conn_admit(const struct sockaddr *addr, socklen_t len)
{
	long b = L.per_ip ? bucket(addr, len) : -1;
	if (b < 0)
		return true;
	pthread_mutex_lock(&L.mu);
	bool ok = L.conns[b] < L.per_ip;
	if (!ok)
		L.refused++;
	pthread_mutex_unlock(&L.mu);
	return ok;
}

void
limits_conn_open(const struct sockaddr *addr, socklen_t len)
{
	long b = L.per_ip ? bucket(addr, len) : -1;
	if (b < 0)
		return;
	pthread_mutex_lock(&L.mu);
	if (L.conns[b] < UINT16_MAX)
		L.conns[b]++;
	pthread_mutex_unlock(&L.mu);
}

void
limits_conn_close(const struct sockaddr *addr, socklen_t len)
{
	long b = L.per_ip ? bucket(addr, len) : -1;
	if (b < 0)
		return;
	pthread_mutex_lock(&L.mu);
	if (L.conns[b])
		L.conns[b]--;
	pthread_mutex_unlock(&L.mu);
}

void
limits_counts(unsigned long long *shed, unsigned long long *refused)
{
	pthread_mutex_lock(&L.mu);
	*shed = L.shed;
	*refused = L.refused;
	pthread_mutex_unlock(&L.mu);
}
