/* workers.c: the job pool of workers.h. It owns its threads, its queue
 * and their lock; it must not know what a job does, nor block a pushing
 * thread for longer than an append under a mutex.
 *
 * DESIGN: one mutex and one condition variable. A push signals only when
 * a thread sleeps, so a pool that is busy anyway costs no futex call per
 * job. Stopping drains the queue before the threads exit: a job that was
 * accepted always runs (its connection waits for it). */
#include "workers.h"
#include "arena.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* every pool's threads and waiting jobs, for /metrics */
static _Atomic unsigned all_threads, all_waiting;

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct work *head, *tail;
	unsigned waiting;    /* queued, not yet taken */
	unsigned running;    /* taken, not yet done */
	unsigned sleepers;   /* threads waiting for a job */
	bool stopping;
	void (*run)(struct work *job);
	unsigned n;
	pthread_t t[];
};

static void *
worker_main(void *arg)
{
	struct workers *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping) {
			w->sleepers++;
			pthread_cond_wait(&w->cv, &w->mu);
			w->sleepers--;
		}
		struct work *job = w->head;
		if (!job)
			break;   /* stopping, and nothing is left */
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->waiting--;
		atomic_fetch_sub_explicit(&all_waiting, 1, memory_order_relaxed);
		w->running++;
		pthread_mutex_unlock(&w->mu);
		w->run(job);
		pthread_mutex_lock(&w->mu);
		w->running--;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct workers *
workers_start(unsigned n, void (*run)(struct work *job))
{
	if (n < 1)
		n = 1;
	struct workers *w = xcalloc(1, sizeof *w + n * sizeof w->t[0]);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->run = run;
	for (; w->n < n; w->n++)
		if (pthread_create(&w->t[w->n], NULL, worker_main, w) != 0)
			break;
	if (!w->n) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	atomic_fetch_add_explicit(&all_threads, w->n, memory_order_relaxed);
	return w;
}

bool
workers_push(struct workers *w, struct work *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		return false;
	}
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->waiting++;
	atomic_fetch_add_explicit(&all_waiting, 1, memory_order_relaxed);
	bool wake = w->sleepers > 0;
	pthread_mutex_unlock(&w->mu);
	if (wake)
		pthread_cond_signal(&w->cv);
	return true;
}

unsigned
workers_busy(struct workers *w)
{
	pthread_mutex_lock(&w->mu);
	unsigned n = w->waiting + w->running;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void
workers_stop(struct workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_mutex_unlock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->t[i], NULL);
	atomic_fetch_sub_explicit(&all_threads, w->n, memory_order_relaxed);
	w->n = 0;   /* a second stop joins nothing */
}

void
workers_free(struct workers *w)
{
	if (!w)
		return;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void
workers_totals(unsigned *threads, unsigned *waiting)
{
	*threads = atomic_load_explicit(&all_threads, memory_order_relaxed);
	*waiting = atomic_load_explicit(&all_waiting, memory_order_relaxed);
}
