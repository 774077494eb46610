/*
 * evq.h: the pending-event set of one partition: a d-ary min-heap of
 * 32-byte events ordered by (time, key).
 *
 * The key is (source partition << 40 | source sequence), unique per event,
 * so the order is total and does not depend on insertion order, threads or
 * pointers. The arity is a compile-time constant; 4 was chosen by
 * measurement against 2 and 8 (tests/bench/bench_queue.c,
 * docs/performance.md). The functions are inline because the engine's
 * inner loop is one pop and one or two pushes per event.
 */
#ifndef DN_EVQ_H
#define DN_EVQ_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"

typedef struct dn_event {
	dn_time_ns t;
	uint64_t key;  /* src partition << DN_KEY_PART_SHIFT | src sequence */
	uint32_t dst;  /* destination agent, as the model numbers them */
	uint16_t type; /* index into the model's handler table */
	uint16_t aux;  /* small model payload */
	uint64_t data; /* model payload */
} dn_event;

#define DN_KEY_PART_SHIFT 40
#define DN_KEY_SEQ_MAX ((UINT64_C(1) << DN_KEY_PART_SHIFT) - 1)
#define DN_EVQ_ARITY 4

typedef struct dn_evq {
	dn_event *a;
	size_t n, cap, cap_max;
} dn_evq;

/* An empty queue that may grow to cap_max events (a bound, not a reservation). */
DN_WUR dn_rc dn_evq_init(dn_evq *q, size_t cap_initial, size_t cap_max);
void dn_evq_free(dn_evq *q);
/* Grows the array (doubling) up to cap_max; DN_ELIMIT beyond, DN_ENOMEM on failure. */
DN_WUR dn_rc dn_evq_grow(dn_evq *q);

static inline bool dn_ev_before(const dn_event *x, const dn_event *y)
{
	return (x->t < y->t) | ((x->t == y->t) & (x->key < y->key));
}

static inline void dn_evq_sift_up_d(dn_evq *q, size_t i, dn_event e, const unsigned d)
{
	dn_event *a = q->a;
	while (i > 0) {
		size_t parent = (i - 1) / d;
		if (!dn_ev_before(&e, &a[parent]))
			break;
		a[i] = a[parent];
		i = parent;
	}
	a[i] = e;
}

static inline dn_rc dn_evq_push_d(dn_evq *q, const dn_event *e, const unsigned d)
{
	if (q->n == q->cap) {
		dn_rc rc = dn_evq_grow(q);
		if (rc)
			return rc;
	}
	dn_evq_sift_up_d(q, q->n++, *e, d);
	return DN_OK;
}

/*
 * Removes the minimum into *out. The queue must not be empty.
 * Bottom-up deletion: the hole left at the root walks down to a leaf along
 * the smallest children (no comparison with the displaced last element on
 * the way), then that element sifts up from the leaf, where it almost
 * always belongs. Fewer comparisons and branches than the textbook
 * sift-down; measured in tests/bench/bench_queue.c.
 */
static inline void dn_evq_pop_d(dn_evq *q, dn_event *out, const unsigned d)
{
	dn_event *a = q->a;
	assert(q->n > 0);
	*out = a[0];
	size_t n = --q->n;
	if (n == 0)
		return;
	size_t i = 0;
	for (;;) {
		size_t c = i * d + 1;
		if (c >= n)
			break;
		size_t best = c;
		if (c + d <= n) {
			for (unsigned j = 1; j < d; j++)
				best = dn_ev_before(&a[c + j], &a[best]) ? c + j : best;
		} else {
			for (size_t j = c + 1; j < n; j++)
				best = dn_ev_before(&a[j], &a[best]) ? j : best;
		}
		a[i] = a[best];
		i = best;
	}
	dn_evq_sift_up_d(q, i, a[n], d);
}

static inline DN_WUR dn_rc dn_evq_push(dn_evq *q, const dn_event *e)
{
	return dn_evq_push_d(q, e, DN_EVQ_ARITY);
}

static inline void dn_evq_pop(dn_evq *q, dn_event *out)
{
	dn_evq_pop_d(q, out, DN_EVQ_ARITY);
}

static inline const dn_event *dn_evq_top(const dn_evq *q)
{
	return q->n ? &q->a[0] : NULL;
}

#endif
