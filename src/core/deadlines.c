/* deadlines.c: per-connection deadlines and the sweeper that enforces
 * them (see deadlines.h). It must not read or write a connection's bytes:
 * it only shuts a socket down, and libmicrohttpd then sees the connection
 * end and cleans it up in its own thread.
 *
 * DESIGN: a doubly linked list under one mutex; the sweeper walks it four
 * times a second (10,000 connections: microseconds). Opening and closing
 * take the mutex once each; setting a deadline is an atomic store. */
#include "deadlines.h"
#include "arena.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct deadline {
	int fd;
	_Atomic int64_t due_ms;   /* monotonic milliseconds; 0: none */
	struct deadline *prev, *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct deadline *head;
static pthread_t sweeper;
static _Atomic bool running, stopping;
static unsigned timeout_s = 30;
static _Atomic unsigned long long cut;

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
sweep(void *arg)
{
	(void)arg;
	while (!stopping) {
		struct timespec ts = {0, 250 * 1000 * 1000};
		nanosleep(&ts, NULL);
		int64_t now = now_ms();
		pthread_mutex_lock(&mu);
		for (struct deadline *d = head; d; d = d->next) {
			int64_t due = d->due_ms;
			if (due && now > due) {
				/* the fd is still this connection's: the entry leaves
				 * the list (under this mutex) before the socket closes */
				shutdown(d->fd, SHUT_RDWR);
				d->due_ms = 0;
				cut++;
			}
		}
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

void
deadlines_start(unsigned timeout)
{
	timeout_s = timeout ? timeout : 30;
	stopping = false;
	if (!running && pthread_create(&sweeper, NULL, sweep, NULL) == 0)
		running = true;
}

void
deadlines_stop(void)
{
	if (!running)
		return;
	stopping = true;
	pthread_join(sweeper, NULL);
	running = false;
}

unsigned deadlines_timeout(void) { return timeout_s; }
unsigned long long deadlines_cut(void) { return cut; }

void *
deadline_open(int fd)
{
	struct deadline *d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->due_ms = now_ms() + (int64_t)timeout_s * 1000;
	pthread_mutex_lock(&mu);
	d->next = head;
	if (head)
		head->prev = d;
	head = d;
	pthread_mutex_unlock(&mu);
	return d;
}

void
deadline_close(void *p)
{
	struct deadline *d = p;
	if (!d)
		return;
	pthread_mutex_lock(&mu);
	if (d->prev)
		d->prev->next = d->next;
	else
		head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	pthread_mutex_unlock(&mu);
	free(d);
}

void
deadline_set(void *p, double seconds)
{
	struct deadline *d = p;
	if (d)
		d->due_ms = seconds > 0 ? now_ms() + (int64_t)(seconds * 1000) : 0;
}
