/*
 * test_evq.c: the pending-event set pops in exactly the order of a
 * reference sort by (time, key), on random inputs with many ties in time,
 * interleaving pushes and pops, for every heap arity and for the calendar
 * queue at several slab widths (ring, far heap and current slab all used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evq.h"

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

/* One queue under test: a d-ary heap or the calendar with a slab shift. */
typedef struct qut {
	int kind; /* 0 heap, 1 calendar */
	unsigned arity, shift;
	dn_heap h;
	dn_evq q;
} qut;

static void qut_init(qut *u, int kind, unsigned arity, unsigned shift, size_t cap)
{
	memset(u, 0, sizeof *u);
	u->kind = kind;
	u->arity = arity;
	u->shift = shift;
	if (kind == 1)
		assert_int_equal(dn_evq_init(&u->q, shift, cap), DN_OK);
}

static void qut_push(qut *u, const dn_event *e)
{
	dn_rc rc;
	if (u->kind == 1)
		rc = dn_evq_push(&u->q, e);
	else if (u->arity == 2)
		rc = dn_heap_push_d(&u->h, e, 2);
	else if (u->arity == 8)
		rc = dn_heap_push_d(&u->h, e, 8);
	else
		rc = dn_heap_push_d(&u->h, e, 4);
	assert_int_equal(rc, DN_OK);
}

static int qut_pop(qut *u, dn_event *e)
{
	if (u->kind == 1) {
		dn_rc rc;
		const dn_event *top = dn_evq_peek(&u->q, &rc);
		assert_int_equal(rc, DN_OK);
		if (!top)
			return 0;
		dn_event t = *top;
		dn_evq_pop(&u->q, e);
		assert_memory_equal(&t, e, sizeof t);
		return 1;
	}
	if (!u->h.n)
		return 0;
	if (u->arity == 2)
		dn_heap_pop_d(&u->h, e, 2);
	else if (u->arity == 8)
		dn_heap_pop_d(&u->h, e, 8);
	else
		dn_heap_pop_d(&u->h, e, 4);
	return 1;
}

static void qut_free(qut *u)
{
	dn_heap_free(&u->h);
	if (u->kind == 1)
		dn_evq_free(&u->q);
}

static const struct { int kind; unsigned arity, shift; } configs[] = {
	{0, 2, 0}, {0, 4, 0}, {0, 8, 0},
	{1, 4, 0}, {1, 4, 3}, {1, 4, 10}, {1, 4, 17}, {1, 4, DN_EVQ_SHIFT_HEAP},
};
#define NCONFIGS (sizeof configs / sizeof configs[0])

/* Push n events (times drawn from `tspan` values, so many ties), pop all,
 * compare with qsort. Keys are unique (partition, sequence) pairs. */
static void check_order(size_t cfg, size_t n, int64_t tspan, uint64_t seed)
{
	qut u;
	qut_init(&u, configs[cfg].kind, configs[cfg].arity, configs[cfg].shift, n + 16);
	dn_event *ref = malloc(n * sizeof *ref);
	assert_non_null(ref);
	uint64_t s = seed;
	for (size_t i = 0; i < n; i++) {
		uint64_t part = sm64(&s) % 7, seqno = i;
		dn_event e = {.t = (int64_t)(sm64(&s) % (uint64_t)tspan),
		              .key = part << DN_KEY_PART_SHIFT | seqno, .dst = (uint32_t)i};
		ref[i] = e;
		qut_push(&u, &e);
	}
	qsort(ref, n, sizeof *ref, cmp_ev);
	for (size_t i = 0; i < n; i++) {
		dn_event e;
		assert_int_equal(qut_pop(&u, &e), 1);
		assert_int_equal(e.t, ref[i].t);
		assert_int_equal(e.key, ref[i].key);
		assert_int_equal(e.dst, ref[i].dst);
	}
	dn_event e;
	assert_int_equal(qut_pop(&u, &e), 0);
	free(ref);
	qut_free(&u);
}

static void test_queue_matches_reference_sort(void **state)
{
	(void)state;
	for (size_t c = 0; c < NCONFIGS; c++) {
		for (uint64_t seed = 1; seed <= 12; seed++) {
			check_order(c, 1 + seed * 97, 5, seed);                 /* heavy ties */
			check_order(c, 1 + seed * 131, 1000000, seed);          /* few ties */
			check_order(c, 1 + seed * 50, INT64_C(1) << 40, seed);  /* far beyond the ring */
		}
		check_order(c, 100000, 50, 99);
	}
}

/* A hold model with pops and pushes interleaved, including pushes into
 * the slab being run and far into the future: every pop is the minimum of
 * what is pending (checked against a brute-force reference). */
static void test_queue_interleaved_hold(void **state)
{
	(void)state;
	for (size_t c = 0; c < NCONFIGS; c++) {
		qut u;
		qut_init(&u, configs[c].kind, configs[c].arity, configs[c].shift, 1 << 20);
		uint64_t s = 7 + c, seqno = 0;
		size_t npend = 0;
		dn_event *pend = malloc(3000 * sizeof *pend);
		assert_non_null(pend);
		for (int i = 0; i < 1000; i++) {
			dn_event e = {.t = (int64_t)(sm64(&s) % 100), .key = seqno++};
			qut_push(&u, &e);
			pend[npend++] = e;
		}
		for (int i = 0; i < 20000; i++) {
			dn_event e;
			assert_int_equal(qut_pop(&u, &e), 1);
			size_t best = 0;
			for (size_t j = 1; j < npend; j++)
				if (cmp_ev(&pend[j], &pend[best]) < 0)
					best = j;
			assert_int_equal(e.t, pend[best].t);
			assert_int_equal(e.key, pend[best].key);
			pend[best] = pend[--npend];
			uint64_t r = sm64(&s);
			int64_t dt = (r & 3) == 0 ? 0 : (r & 3) == 1 ? (int64_t)(r % 7) :
			             (r & 3) == 2 ? (int64_t)(r % 5000) : (int64_t)(r % (UINT64_C(1) << 30));
			dn_event n1 = {.t = e.t + dt, .key = seqno++};
			qut_push(&u, &n1);
			pend[npend++] = n1;
			if (i % 3 == 0 && npend < 2900) { /* the set grows and shrinks */
				dn_event n2 = {.t = e.t + (int64_t)(r % 300), .key = seqno++};
				qut_push(&u, &n2);
				pend[npend++] = n2;
			} else if (i % 3 == 1 && npend > 10) {
				dn_event x;
				assert_int_equal(qut_pop(&u, &x), 1);
				best = 0;
				for (size_t j = 1; j < npend; j++)
					if (cmp_ev(&pend[j], &pend[best]) < 0)
						best = j;
				assert_int_equal(x.key, pend[best].key);
				pend[best] = pend[--npend];
			}
		}
		free(pend);
		qut_free(&u);
	}
}

static void test_queue_bound_is_enforced(void **state)
{
	(void)state;
	dn_evq q;
	assert_int_equal(dn_evq_init(&q, 4, 100), DN_OK);
	for (int i = 0; i < 100; i++) {
		dn_event e = {.t = i * 7, .key = (uint64_t)i};
		assert_int_equal(dn_evq_push(&q, &e), DN_OK);
	}
	dn_event e = {.t = 0, .key = 1000};
	assert_int_equal(dn_evq_push(&q, &e), DN_ELIMIT);
	assert_int_equal(q.n, 100);
	dn_rc rc;
	const dn_event *top = dn_evq_peek(&q, &rc);
	assert_non_null(top);
	assert_int_equal(top->t, 0);
	assert_int_equal(top->key, 0);
	dn_evq_free(&q);
}

static void test_shift_for_width(void **state)
{
	(void)state;
	assert_int_equal(dn_evq_shift_for(1), 0);
	assert_int_equal(dn_evq_shift_for(2), 1);
	assert_int_equal(dn_evq_shift_for(3), 1);
	assert_int_equal(dn_evq_shift_for(1024), 10);
	assert_int_equal(dn_evq_shift_for(100000000), 26); /* 0.1 s: 2^26 ns = 67 ms */
	assert_int_equal(dn_evq_shift_for(INT64_MAX), DN_EVQ_SHIFT_HEAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_matches_reference_sort),
		cmocka_unit_test(test_queue_interleaved_hold),
		cmocka_unit_test(test_queue_bound_is_enforced),
		cmocka_unit_test(test_shift_for_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
