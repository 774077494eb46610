/*
 * bench_omp_region.c: what handing a small window to a second thread
 * costs on this machine, beside the window's own work (docs/performance.md,
 * "The decade's serial path").
 *
 * Each round does `work_us` of serial busy work on the main thread (the
 * block step between two windows) and then hands four tiny items to the
 * threads, two ways:
 *   - an OpenMP parallel region, schedule(dynamic, 1), as the engine runs a
 *     window's partitions;
 *   - a hand-made handoff to one thread that spins on an atomic counter and
 *     answers on another (no sleeping, no scheduler).
 * Prints the cost per round of each way beyond the serial work alone. Run it
 * with the environment the program sets for itself (docs/engine.md,
 * Threads):
 *
 *   OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=10000 build/bench_omp_region [rounds] [work_us]
 *
 * (defaults 200000 rounds, 7 us). Wall-clock time is used here only.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile unsigned long sink;

/* Busy for about `us` microseconds. */
static void busy(double us)
{
	double t0 = now_s();
	while ((now_s() - t0) * 1e6 < us)
		sink++;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	double work_us = argc > 2 ? atof(argv[2]) : 7.0;
	if (rounds <= 0 || !(work_us >= 0)) {
		fprintf(stderr, "usage: bench_omp_region [rounds > 0] [work_us >= 0]\n");
		return 2;
	}

	double t0 = now_s();
	for (long k = 0; k < rounds; k++)
		busy(work_us);
	double alone = now_s() - t0;

	t0 = now_s();
	for (long k = 0; k < rounds; k++) {
		busy(work_us);
#pragma omp parallel for schedule(dynamic, 1) num_threads(2)
		for (int i = 0; i < 4; i++)
			sink += (unsigned long)i;
	}
	double region = now_s() - t0;

	atomic_long go = 0, done = 0;
	t0 = now_s();
#pragma omp parallel num_threads(2)
	{
		if (omp_get_num_threads() == 2 && omp_get_thread_num() == 1) {
			for (long k = 1; k <= rounds; k++) {
				while (atomic_load_explicit(&go, memory_order_acquire) != k)
					;
				atomic_store_explicit(&done, k, memory_order_release);
			}
		} else if (omp_get_thread_num() == 0) {
			for (long k = 1; k <= rounds; k++) {
				busy(work_us);
				atomic_store_explicit(&go, k, memory_order_release);
				if (omp_get_num_threads() == 2)
					while (atomic_load_explicit(&done, memory_order_acquire) != k)
						;
			}
		}
	}
	double spin = now_s() - t0;

	printf("rounds %ld, serial work %.1f us a round\n", rounds, work_us);
	printf("openmp region (dynamic, 1)  %.2f us a round\n", (region - alone) / (double)rounds * 1e6);
	printf("spin handoff                %.2f us a round\n", (spin - alone) / (double)rounds * 1e6);
	return 0;
}
