/*
 * bench_queue.c: the classic "hold" benchmark for the pending-event set:
 * fill the queue with n events, then repeat (pop the minimum, push it back
 * later by 0.1 ms + an exponential increment of mean 1 ms, the shape of
 * PHOLD). Compares heap arities 2, 4 and 8 and the calendar queue (slabs
 * of 2^16 ns, no wider than the 0.1 ms fixed part, as the engine would
 * choose) on the engine's real 32-byte events. Prints ns per hold
 * operation, best of three, the arities interleaved.
 *
 *   build/bench_queue [max_n]      (default 1000000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t incr(dn_rng *r)
{
	return 100000 + (int64_t)(-1e6 * log1p(-dn_rng_u01(r)));
}

#define HOLD_HEAP(D)                                                 \
	static double hold_heap_##D(size_t n, size_t ops)                \
	{                                                                \
		dn_heap h = {0};                                             \
		dn_rng r;                                                    \
		dn_rng_init(&r, 1, 0, 0, 0);                                 \
		uint64_t seq = 0;                                            \
		for (size_t i = 0; i < n; i++) {                             \
			dn_event e = {.t = incr(&r), .key = seq++};              \
			if (dn_heap_push_d(&h, &e, D))                           \
				exit(1);                                             \
		}                                                            \
		double t0 = now_s();                                         \
		for (size_t i = 0; i < ops; i++) {                           \
			dn_event e;                                              \
			dn_heap_pop_d(&h, &e, D);                                \
			e.t += incr(&r);                                         \
			e.key = seq++;                                           \
			if (dn_heap_push_d(&h, &e, D))                           \
				exit(1);                                             \
		}                                                            \
		double dt = now_s() - t0;                                    \
		dn_heap_free(&h);                                            \
		return dt / (double)ops * 1e9;                               \
	}

HOLD_HEAP(2)
HOLD_HEAP(4)
HOLD_HEAP(8)

static double hold_calendar(size_t n, size_t ops)
{
	dn_evq q;
	if (dn_evq_init(&q, dn_evq_shift_for(100000), SIZE_MAX))
		exit(1);
	dn_rng r;
	dn_rng_init(&r, 1, 0, 0, 0);
	uint64_t seq = 0;
	for (size_t i = 0; i < n; i++) {
		dn_event e = {.t = incr(&r), .key = seq++};
		if (dn_evq_push(&q, &e))
			exit(1);
	}
	double t0 = now_s();
	for (size_t i = 0; i < ops; i++) {
		dn_rc rc;
		if (!dn_evq_peek(&q, &rc))
			exit(1);
		dn_event e;
		dn_evq_pop(&q, &e);
		e.t += incr(&r);
		e.key = seq++;
		if (dn_evq_push(&q, &e))
			exit(1);
	}
	double dt = now_s() - t0;
	dn_evq_free(&q);
	return dt / (double)ops * 1e9;
}

/* The same loop without a queue: the cost of the random increments. */
static double baseline(size_t ops)
{
	dn_rng r;
	dn_rng_init(&r, 1, 0, 0, 0);
	int64_t sink = 0;
	double t0 = now_s();
	for (size_t i = 0; i < ops; i++)
		sink += incr(&r);
	double dt = now_s() - t0;
	if (sink == 42)
		puts("");
	return dt / (double)ops * 1e9;
}

int main(int argc, char **argv)
{
	size_t max_n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	printf("ns per hold operation (pop + push of a 32-byte event), best of 3;\n"
	       "the random increment alone costs %.1f ns and is included\n", baseline(5000000));
	printf("%10s %10s %10s %10s %10s\n", "n", "binary", "4-ary", "8-ary", "calendar");
	for (size_t n = 1000; n <= max_n; n *= 10) {
		size_t ops = 5000000;
		double b[4] = {1e9, 1e9, 1e9, 1e9};
		for (int rep = 0; rep < 3; rep++) {
			double x[4] = {hold_heap_2(n, ops), hold_heap_4(n, ops), hold_heap_8(n, ops),
			               hold_calendar(n, ops)};
			for (int k = 0; k < 4; k++)
				b[k] = x[k] < b[k] ? x[k] : b[k];
		}
		printf("%10zu %10.1f %10.1f %10.1f %10.1f\n", n, b[0], b[1], b[2], b[3]);
	}
	return 0;
}
