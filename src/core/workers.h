/* workers.h: a fixed pool of threads that run jobs handed over by other
 * threads, first in, first out. It knows nothing of HTTP: a job is any
 * struct that embeds a struct work. */
#ifndef GAZETTE_WORKERS_H
#define GAZETTE_WORKERS_H

#include <stdbool.h>

struct work {
	struct work *next;   /* the pool's own */
};

struct workers;

/* n threads (at least one), each running run(job) for the jobs pushed. */
struct workers *workers_start(unsigned n, void (*run)(struct work *job));
/* Queues job; false once workers_stop has begun (the caller runs it). */
bool workers_push(struct workers *w, struct work *job);
/* Jobs waiting or running now. */
unsigned workers_busy(struct workers *w);
/* Over every pool now running: their threads, and the jobs queued that no
 * thread has taken yet. */
void workers_totals(unsigned *threads, unsigned *waiting);
/* Refuses new jobs, lets the threads finish every queued one and joins
 * them. The pool stays allocated, refusing pushes, until workers_free:
 * threads that may still push must be stopped in between. */
void workers_stop(struct workers *w);
void workers_free(struct workers *w);

#endif
