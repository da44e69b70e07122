/* test_workers.c: the job pool (core/workers): every job pushed runs once,
 * on the pool's threads, in parallel, and stopping runs what was queued. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "workers.h"

struct job {
	struct work work;   /* first: a job is its work */
	int runs;
	pthread_t ran_on;
};

static _Atomic int done;
static _Atomic int inside, most_inside;
static pthread_t pusher;
static int delay_us;
static _Atomic bool hold;   /* jobs wait while it is set */

static void
run(struct work *w)
{
	struct job *j = (struct job *)w;
	int now = ++inside;
	for (int seen = most_inside; now > seen && !atomic_compare_exchange_weak(&most_inside, &seen, now);)
		;
	if (delay_us)
		usleep((useconds_t)delay_us);
	while (hold)
		usleep(100);
	j->runs++;
	j->ran_on = pthread_self();
	inside--;
	done++;
}

static void
reset(int delay)
{
	done = inside = most_inside = 0;
	hold = false;
	delay_us = delay;
	pusher = pthread_self();
}

Test(workers, every_job_runs_once_on_a_pool_thread)
{
	reset(0);
	enum { N = 20000 };
	struct job *jobs = calloc(N, sizeof *jobs);
	struct workers *w = workers_start(3, run);
	cr_assert_not_null(w);
	for (int i = 0; i < N; i++)
		cr_assert(workers_push(w, &jobs[i].work));
	/* a job counts itself done just before its thread counts it finished */
	for (int i = 0; i < 10000 && (done < N || workers_busy(w) > 0); i++)
		usleep(1000);
	cr_assert_eq(done, N);
	cr_assert_eq(workers_busy(w), 0);
	unsigned threads, waiting;
	workers_totals(&threads, &waiting);
	cr_assert_eq(threads, 3);
	cr_assert_eq(waiting, 0);
	workers_stop(w);
	workers_totals(&threads, &waiting);
	cr_assert_eq(threads, 0, "a stopped pool's threads are not counted");
	workers_free(w);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(jobs[i].runs, 1, "job %d ran %d times", i, jobs[i].runs);
		cr_assert(!pthread_equal(jobs[i].ran_on, pusher), "job %d ran on the pushing thread", i);
	}
	free(jobs);
}

Test(workers, jobs_run_in_parallel_up_to_the_pool_size)
{
	reset(0);
	hold = true;   /* each job waits: the two threads take one each */
	struct job jobs[8] = {0};
	struct workers *w = workers_start(2, run);
	for (int i = 0; i < 8; i++)
		workers_push(w, &jobs[i].work);
	for (int i = 0; i < 10000 && inside < 2; i++)
		usleep(1000);
	cr_assert_eq(inside, 2, "%d jobs ran at once", (int)inside);
	usleep(20000);
	cr_assert_eq(most_inside, 2, "at most %d jobs ran at once", (int)most_inside);
	hold = false;
	workers_stop(w);
	workers_free(w);
	cr_assert_eq(done, 8);
	cr_assert_eq(most_inside, 2);
}

Test(workers, stopping_runs_every_queued_job)
{
	reset(0);
	hold = true;
	enum { N = 40 };
	struct job jobs[N];
	for (int i = 0; i < N; i++)
		jobs[i] = (struct job){0};
	struct workers *w = workers_start(1, run);
	for (int i = 0; i < N; i++)
		workers_push(w, &jobs[i].work);
	cr_assert_eq(workers_busy(w), N);
	unsigned threads, waiting;
	workers_totals(&threads, &waiting);
	cr_assert_eq(threads, 1);
	cr_assert_geq(waiting, N - 1, "%u jobs counted as queued", waiting);
	/* released at 5 ms a job: the stop begins with most of them queued */
	delay_us = 5000;
	hold = false;
	workers_stop(w);
	workers_free(w);
	cr_assert_eq(done, N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(jobs[i].runs, 1);
}

static void *
stop_pool(void *arg)
{
	workers_stop(arg);
	return NULL;
}

Test(workers, a_push_after_the_stop_began_is_refused)
{
	reset(0);
	hold = true;   /* the first job runs until released */
	enum { N = 20000 };
	struct job first = {0};
	struct job *more = calloc(N, sizeof *more);
	struct workers *w = workers_start(1, run);
	workers_push(w, &first.work);
	while (!inside)
		usleep(100);
	pthread_t t;
	pthread_create(&t, NULL, stop_pool, w);   /* waits for the held job */
	/* pushes are taken until the stop begins, then refused */
	int taken = 0;
	while (taken < N && workers_push(w, &more[taken].work)) {
		taken++;
		usleep(500);
	}
	cr_assert_lt(taken, N, "a stopping pool went on taking jobs");
	hold = false;
	pthread_join(t, NULL);
	/* stopped and joined, not yet freed: still refusing (the I/O threads
	 * push until their daemons stop) */
	struct job after = {0};
	cr_assert(!workers_push(w, &after.work));
	workers_free(w);
	cr_assert_eq(after.runs, 0);
	cr_assert_eq(first.runs, 1);
	for (int i = 0; i < taken; i++)
		cr_assert_eq(more[i].runs, 1, "a job taken before the stop ran %d times", more[i].runs);
	cr_assert_eq(more[taken].runs, 0, "the refused job ran");
	free(more);
}
