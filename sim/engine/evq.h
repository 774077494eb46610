/*
 * evq.h: the pending-event set of one partition.
 *
 * Events are ordered by (time, key). The key is (source partition << 40 |
 * source sequence), unique per event, so the order is total and never
 * depends on insertion order, threads or pointers.
 *
 * Two structures, chosen by measurement (tests/bench/bench_queue.c,
 * docs/performance.md):
 *  - dn_heap: a d-ary min-heap (d = 4) of 32-byte events with bottom-up
 *    deletion. Simple, O(log n); slow once the heap outgrows the cache.
 *  - dn_evq: a calendar of time slabs in front of two heaps. Time is cut
 *    into slabs of 2^shift ns, and slabs into super-slabs of
 *    2^DN_EVQ_SUPER_BITS slabs. Events in the slab being run sit in a small
 *    heap (`cur`); later events of the current and the next super-slab are
 *    appended, unsorted, to a ring of one bucket per slab; events of the
 *    next DN_EVQ_SUPERS super-slabs after those are appended to a second
 *    ring of one bucket per super-slab, spilled into the first when their
 *    super-slab becomes the next; anything later waits in a heap (`far`).
 *    When `cur` empties, the next non-empty bucket is heapified into it.
 *    An event scheduled hours ahead thus costs two appends, not a push and
 *    a pop of a large heap. With the slab
 *    no wider than the lookahead, an event scheduled from a handler almost
 *    always lands in a later slab: one append, no sifting, and only the
 *    current slab's events are touched, so the working set stays in cache.
 *    Loading a slab copies it into `cur` and frees the bucket's array, so
 *    memory follows the pending events, not the ring's size.
 *    shift = 62 puts every event in one slab: a plain heap.
 * The dn_evq functions are inline: the engine's inner loop is one pop and
 * one or two pushes per event.
 */
#ifndef DN_EVQ_H
#define DN_EVQ_H

/* The engine's own: models see events (dn_event) through engine.h and
 * never the queue, so it can change without touching a model. The engine's
 * target defines DN_BUILDING_ENGINE; so do the queue's test and benchmark. */
#ifndef DN_BUILDING_ENGINE
#error "evq.h is private to the engine (sim/engine); include engine.h"
#endif

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* dn_event.key: src partition << DN_KEY_PART_SHIFT | src sequence */
#define DN_KEY_PART_SHIFT 40
#define DN_KEY_SEQ_MAX ((UINT64_C(1) << DN_KEY_PART_SHIFT) - 1)
#define DN_HEAP_ARITY 4
#define DN_EVQ_SUPER_BITS 8 /* a super-slab is 2^8 slabs */
#define DN_EVQ_BUCKETS (2 << DN_EVQ_SUPER_BITS) /* the slab ring: two super-slabs */
#define DN_EVQ_SUPERS 256   /* the super-slab ring, a power of two */
#define DN_EVQ_FIRST_CAP 16 /* a bucket's first array, in events */
#define DN_EVQ_SPARES 32    /* emptied first-size arrays kept (16 KiB) */
#define DN_EVQ_SHIFT_HEAP 62

static inline bool dn_ev_before(const dn_event *x, const dn_event *y)
{
	return (x->t < y->t) | ((x->t == y->t) & (x->key < y->key));
}

/* ---- d-ary heap ---- */

typedef struct dn_heap {
	dn_event *a;
	size_t n, cap;
} dn_heap;

void dn_heap_free(dn_heap *h);
/* Makes room for `need` events in total; DN_ENOMEM on failure. */
DN_WUR dn_rc dn_heap_reserve(dn_heap *h, size_t need);
/* Restores heap order over all n events (Floyd's O(n) construction). */
void dn_heap_build(dn_heap *h);

static inline void dn_heap_sift_up_d(dn_heap *h, size_t i, dn_event e, const unsigned d)
{
	dn_event *a = h->a;
	while (i > 0) {
		size_t parent = (i - 1) / d;
		if (!dn_ev_before(&e, &a[parent]))
			break;
		a[i] = a[parent];
		i = parent;
	}
	a[i] = e;
}

static inline DN_WUR dn_rc dn_heap_push_d(dn_heap *h, const dn_event *e, const unsigned d)
{
	if (h->n == h->cap) {
		dn_rc rc = dn_heap_reserve(h, h->n + 1);
		if (rc)
			return rc;
	}
	dn_heap_sift_up_d(h, h->n++, *e, d);
	return DN_OK;
}

/*
 * Removes the minimum into *out; the heap must not be empty. Bottom-up
 * deletion: the hole at the root walks down to a leaf along the smallest
 * children, then the displaced last element sifts up from there, where it
 * almost always belongs: fewer comparisons than the textbook sift-down.
 */
static inline void dn_heap_pop_d(dn_heap *h, dn_event *out, const unsigned d)
{
	dn_event *a = h->a;
	assert(h->n > 0);
	*out = a[0];
	size_t n = --h->n;
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
	dn_heap_sift_up_d(h, i, a[n], d);
}

/* ---- the calendar queue ---- */

typedef struct dn_bucket {
	dn_event *a;
	uint32_t n, cap;
} dn_bucket;

/* The super-slab of slab s, counted from the current one: 0 or 1 in the
 * slab ring, 2 .. DN_EVQ_SUPERS + 1 in the super-slab ring, more in far. */
static inline int64_t dn_evq_super_ahead(int64_t s, int64_t base)
{
	return (s >> DN_EVQ_SUPER_BITS) - (base >> DN_EVQ_SUPER_BITS);
}

typedef struct dn_evq {
	dn_heap cur;          /* slab `base`, heap-ordered */
	dn_heap far;          /* super-slabs more than DN_EVQ_SUPERS + 1 ahead */
	dn_bucket *ring;      /* slab s > base, 0 or 1 super-slab ahead, in ring[s % DN_EVQ_BUCKETS] */
	dn_bucket *ring2;     /* super-slab u, 2 .. DN_EVQ_SUPERS + 1 ahead, in ring2[u % DN_EVQ_SUPERS] */
	unsigned shift;       /* slab width is 2^shift ns */
	int64_t base;         /* the current slab */
	size_t n;             /* events in all four */
	size_t ring_n;        /* events in the slab ring */
	size_t ring2_n;       /* events in the super-slab ring */
	size_t cap_max;       /* bound on n */
	/* emptied buckets' arrays of the first size, kept for the next
	 * buckets to fill instead of a free and a malloc each slab */
	dn_event *spare[DN_EVQ_SPARES];
	unsigned n_spare;
} dn_evq;

/*
 * An empty queue holding at most cap_max events, with slabs of 2^shift ns
 * (DN_EVQ_SHIFT_HEAP: one slab, a plain heap). DN_ENOMEM on failure.
 */
DN_WUR dn_rc dn_evq_init(dn_evq *q, unsigned shift, size_t cap_max);
void dn_evq_free(dn_evq *q);
/* The largest shift whose slab is no wider than width_ns (>= 1). */
unsigned dn_evq_shift_for(dn_time_ns width_ns);
/* Moves the next non-empty slab into cur (q->cur must be empty, q->n > 0). */
DN_WUR dn_rc dn_evq_advance(dn_evq *q);
/* Slow path of push for events beyond the current slab. */
DN_WUR dn_rc dn_evq_push_later(dn_evq *q, const dn_event *e, int64_t slab);

static inline DN_WUR dn_rc dn_evq_push(dn_evq *q, const dn_event *e)
{
	if (q->n >= q->cap_max)
		return DN_ELIMIT;
	int64_t slab = e->t >> q->shift;
	if (slab > q->base) {
		if (dn_evq_super_ahead(slab, q->base) <= 1) {
			dn_bucket *b = &q->ring[slab & (DN_EVQ_BUCKETS - 1)];
			if (b->n < b->cap) {
				b->a[b->n++] = *e;
				q->ring_n++;
				q->n++;
				return DN_OK;
			}
		}
		return dn_evq_push_later(q, e, slab);
	}
	dn_rc rc = dn_heap_push_d(&q->cur, e, DN_HEAP_ARITY);
	if (!rc)
		q->n++;
	return rc;
}

/* The earliest event, or NULL when empty. May load the next slab (so not
 * const); DN_ENOMEM there is reported through *rc and NULL is returned. */
static inline const dn_event *dn_evq_peek(dn_evq *q, dn_rc *rc)
{
	*rc = DN_OK;
	if (q->cur.n)
		return &q->cur.a[0];
	if (q->n == 0)
		return NULL;
	*rc = dn_evq_advance(q);
	return *rc ? NULL : &q->cur.a[0];
}

/* Removes the earliest event; dn_evq_peek must have returned it. */
static inline void dn_evq_pop(dn_evq *q, dn_event *out)
{
	dn_heap_pop_d(&q->cur, out, DN_HEAP_ARITY);
	q->n--;
}

#endif
