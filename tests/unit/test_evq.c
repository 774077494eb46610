/*
 * test_evq.c: the pending-event set pops in exactly the order of a
 * reference sort by (time, key), on random inputs with many ties in time,
 * interleaving pushes and pops, for every arity the engine could use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/evq.h"

static uint64_t sm64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static int cmp_ev(const void *a, const void *b)
{
	const dn_event *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

/* Push n events (times drawn from `tspan` values, so many ties), pop all,
 * compare with qsort. Keys are unique (partition, sequence) pairs. */
static void check_order(unsigned arity, size_t n, int64_t tspan, uint64_t seed)
{
	dn_evq q;
	assert_int_equal(dn_evq_init(&q, 16, n + 16), DN_OK);
	dn_event *ref = malloc(n * sizeof *ref);
	assert_non_null(ref);
	uint64_t s = seed;
	for (size_t i = 0; i < n; i++) {
		uint64_t part = sm64(&s) % 7, seqno = i;
		dn_event e = {.t = (int64_t)(sm64(&s) % (uint64_t)tspan),
		              .key = part << DN_KEY_PART_SHIFT | seqno, .dst = (uint32_t)i};
		ref[i] = e;
		dn_rc rc;
		switch (arity) {
		case 2: rc = dn_evq_push_d(&q, &e, 2); break;
		case 8: rc = dn_evq_push_d(&q, &e, 8); break;
		default: rc = dn_evq_push(&q, &e); break;
		}
		assert_int_equal(rc, DN_OK);
	}
	qsort(ref, n, sizeof *ref, cmp_ev);
	for (size_t i = 0; i < n; i++) {
		dn_event e;
		switch (arity) {
		case 2: dn_evq_pop_d(&q, &e, 2); break;
		case 8: dn_evq_pop_d(&q, &e, 8); break;
		default: dn_evq_pop(&q, &e); break;
		}
		assert_int_equal(e.t, ref[i].t);
		assert_int_equal(e.key, ref[i].key);
		assert_int_equal(e.dst, ref[i].dst);
	}
	assert_int_equal(q.n, 0);
	free(ref);
	dn_evq_free(&q);
}

static void test_queue_matches_reference_sort(void **state)
{
	(void)state;
	static const unsigned arities[] = {2, 4, 8};
	for (size_t a = 0; a < 3; a++) {
		for (uint64_t seed = 1; seed <= 20; seed++) {
			check_order(arities[a], 1 + seed * 97, 5, seed);         /* heavy ties */
			check_order(arities[a], 1 + seed * 131, 1000000, seed);  /* few ties */
		}
		check_order(arities[a], 100000, 50, 99);
	}
}

/* A hold model: pop the minimum, push a later event; every pop is >= the
 * previous one in (time, key) and the set size stays constant. */
static void test_queue_interleaved_hold(void **state)
{
	(void)state;
	dn_evq q;
	assert_int_equal(dn_evq_init(&q, 4, 1 << 20), DN_OK);
	uint64_t s = 7, seqno = 0;
	for (int i = 0; i < 5000; i++) {
		dn_event e = {.t = (int64_t)(sm64(&s) % 100), .key = seqno++};
		assert_int_equal(dn_evq_push(&q, &e), DN_OK);
	}
	dn_event prev = {.t = -1, .key = 0};
	for (int i = 0; i < 200000; i++) {
		dn_event e;
		dn_evq_pop(&q, &e);
		assert_true(cmp_ev(&prev, &e) < 0);
		prev = e;
		dn_event n = {.t = e.t + (int64_t)(sm64(&s) % 50), .key = seqno++};
		assert_int_equal(dn_evq_push(&q, &n), DN_OK);
	}
	assert_int_equal(q.n, 5000);
	dn_evq_free(&q);
}

static void test_queue_bound_is_enforced(void **state)
{
	(void)state;
	dn_evq q;
	assert_int_equal(dn_evq_init(&q, 16, 100), DN_OK);
	for (int i = 0; i < 100; i++) {
		dn_event e = {.t = i, .key = (uint64_t)i};
		assert_int_equal(dn_evq_push(&q, &e), DN_OK);
	}
	dn_event e = {.t = 0, .key = 1000};
	assert_int_equal(dn_evq_push(&q, &e), DN_ELIMIT);
	assert_int_equal(q.n, 100);
	dn_event top;
	dn_evq_pop(&q, &top);
	assert_int_equal(top.t, 0);
	assert_int_equal(top.key, 0);
	dn_evq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_matches_reference_sort),
		cmocka_unit_test(test_queue_interleaved_hold),
		cmocka_unit_test(test_queue_bound_is_enforced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
