/*
 * bench_queue.c: the classic "hold" benchmark for the pending-event set:
 * fill the queue with n events, then repeat (pop the minimum, push it back
 * later by an exponential increment). Compares heap arities 2, 4 and 8 on
 * the engine's real 32-byte events. Prints ns per hold operation.
 *
 *   build/bench_queue [max_n]      (default 1000000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/evq.h"
#include "sim/rng.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define HOLD(D)                                                                             \
	static double hold_##D(size_t n, size_t ops)                                            \
	{                                                                                       \
		dn_evq q;                                                                           \
		if (dn_evq_init(&q, n + 16, n + 16))                                                \
			exit(1);                                                                        \
		dn_rng r;                                                                           \
		dn_rng_init(&r, 1, 0, 0, 0);                                                        \
		uint64_t seq = 0;                                                                   \
		for (size_t i = 0; i < n; i++) {                                                    \
			dn_event e = {.t = (int64_t)(-1e6 * log1p(-dn_rng_u01(&r))), .key = seq++};     \
			if (dn_evq_push_d(&q, &e, D))                                                   \
				exit(1);                                                                    \
		}                                                                                   \
		double t0 = now_s();                                                                \
		int64_t sink = 0;                                                                   \
		for (size_t i = 0; i < ops; i++) {                                                  \
			dn_event e;                                                                     \
			dn_evq_pop_d(&q, &e, D);                                                        \
			sink += e.t;                                                                    \
			e.t += 100000 + (int64_t)(-1e6 * log1p(-dn_rng_u01(&r)));                       \
			e.key = seq++;                                                                  \
			if (dn_evq_push_d(&q, &e, D))                                                   \
				exit(1);                                                                    \
		}                                                                                   \
		double dt = now_s() - t0;                                                           \
		if (sink == 42)                                                                     \
			puts("");                                                                       \
		dn_evq_free(&q);                                                                    \
		return dt / (double)ops * 1e9;                                                      \
	}

HOLD(2)
HOLD(4)
HOLD(8)

/* The same loop without a queue: the cost of the random increments. */
static double baseline(size_t ops)
{
	dn_rng r;
	dn_rng_init(&r, 1, 0, 0, 0);
	int64_t sink = 0;
	double t0 = now_s();
	for (size_t i = 0; i < ops; i++)
		sink += 100000 + (int64_t)(-1e6 * log1p(-dn_rng_u01(&r)));
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
	printf("%10s %12s %12s %12s\n", "n", "binary", "4-ary", "8-ary");
	for (size_t n = 1000; n <= max_n; n *= 10) {
		size_t ops = 5000000;
		/* Interleave the arities and keep each one's best of three runs. */
		double b2 = 1e9, b4 = 1e9, b8 = 1e9;
		for (int rep = 0; rep < 3; rep++) {
			double x = hold_2(n, ops), y = hold_4(n, ops), z = hold_8(n, ops);
			b2 = x < b2 ? x : b2;
			b4 = y < b4 ? y : b4;
			b8 = z < b8 ? z : b8;
		}
		printf("%10zu %12.1f %12.1f %12.1f\n", n, b2, b4, b8);
	}
	return 0;
}
