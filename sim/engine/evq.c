/* evq.c: the slow paths of the heap and the calendar queue (see evq.h). */
#include "evq.h"

#include <stdlib.h>
#include <string.h>

void dn_heap_free(dn_heap *h)
{
	free(h->a);
	h->a = NULL;
	h->n = h->cap = 0;
}

dn_rc dn_heap_reserve(dn_heap *h, size_t need)
{
	assert(h->n <= h->cap);
	if (need <= h->cap)
		return DN_OK;
	size_t cap = h->cap ? h->cap : 64;
	while (cap < need)
		cap *= 2;
	dn_event *a = realloc(h->a, cap * sizeof *a);
	if (!a)
		return DN_ENOMEM;
	h->a = a;
	h->cap = cap;
	return DN_OK;
}

static void sift_down(dn_event *a, size_t n, size_t i)
{
	const unsigned d = DN_HEAP_ARITY;
	dn_event e = a[i];
	for (;;) {
		size_t c = i * d + 1;
		if (c >= n)
			break;
		size_t best = c, end = c + d < n ? c + d : n;
		for (size_t j = c + 1; j < end; j++)
			if (dn_ev_before(&a[j], &a[best]))
				best = j;
		if (!dn_ev_before(&a[best], &e))
			break;
		a[i] = a[best];
		i = best;
	}
	a[i] = e;
}

void dn_heap_build(dn_heap *h)
{
	if (h->n < 2)
		return;
	for (size_t i = (h->n - 2) / DN_HEAP_ARITY + 1; i-- > 0;)
		sift_down(h->a, h->n, i);
}

unsigned dn_evq_shift_for(dn_time_ns width_ns)
{
	unsigned s = 0;
	while (s < DN_EVQ_SHIFT_HEAP && ((dn_time_ns)1 << (s + 1)) <= width_ns)
		s++;
	return s;
}

dn_rc dn_evq_init(dn_evq *q, unsigned shift, size_t cap_max)
{
	memset(q, 0, sizeof *q);
	q->shift = shift > DN_EVQ_SHIFT_HEAP ? DN_EVQ_SHIFT_HEAP : shift;
	q->cap_max = cap_max;
	q->ring = calloc(DN_EVQ_BUCKETS, sizeof *q->ring);
	return q->ring ? DN_OK : DN_ENOMEM;
}

void dn_evq_free(dn_evq *q)
{
	dn_heap_free(&q->cur);
	dn_heap_free(&q->far);
	if (q->ring)
		for (unsigned i = 0; i < DN_EVQ_BUCKETS; i++)
			free(q->ring[i].a);
	free(q->ring);
	q->ring = NULL;
	q->n = q->ring_n = 0;
}

static dn_rc bucket_append(dn_bucket *b, const dn_event *e)
{
	if (b->n == b->cap) {
		if (b->cap >= UINT32_MAX / 2)
			return DN_ELIMIT;
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		dn_event *a = realloc(b->a, (size_t)cap * sizeof *a);
		if (!a)
			return DN_ENOMEM;
		b->a = a;
		b->cap = cap;
	}
	b->a[b->n++] = *e;
	return DN_OK;
}

dn_rc dn_evq_push_later(dn_evq *q, const dn_event *e, int64_t slab)
{
	/* the fast path in dn_evq_push keeps the current slab's events */
	assert(slab > q->base && slab == e->t >> q->shift);
	dn_rc rc;
	if (slab - q->base < DN_EVQ_BUCKETS) {
		rc = bucket_append(&q->ring[slab & (DN_EVQ_BUCKETS - 1)], e);
		if (!rc)
			q->ring_n++;
	} else {
		rc = dn_heap_push_d(&q->far, e, DN_HEAP_ARITY);
	}
	if (!rc)
		q->n++;
	return rc;
}

/* Moves far events whose slab is now inside the ring into their buckets. */
static dn_rc migrate_far(dn_evq *q)
{
	while (q->far.n && (q->far.a[0].t >> q->shift) - q->base < DN_EVQ_BUCKETS) {
		dn_event e;
		dn_heap_pop_d(&q->far, &e, DN_HEAP_ARITY);
		dn_rc rc = bucket_append(&q->ring[(e.t >> q->shift) & (DN_EVQ_BUCKETS - 1)], &e);
		if (rc) {
			/* Put it back: nothing is lost, the caller reports rc. */
			dn_rc rc2 = dn_heap_push_d(&q->far, &e, DN_HEAP_ARITY);
			(void)rc2; /* cannot fail: the pop freed a slot */
			return rc;
		}
		q->ring_n++;
	}
	return DN_OK;
}

dn_rc dn_evq_advance(dn_evq *q)
{
	assert(q->cur.n == 0 && q->n > 0);
	/* Invariant: ring events lie in slabs (base, base + B); far events in
	 * slabs >= base + B. So the next non-empty slab is in the ring if the
	 * ring holds anything, else it is the far heap's first. */
	assert(q->ring_n + q->far.n == q->n);
	const int64_t old_base = q->base;
	if (q->ring_n) {
		do
			q->base++;
		while (q->ring[q->base & (DN_EVQ_BUCKETS - 1)].n == 0);
		/* a ring event lies less than B slabs ahead */
		assert(q->base - old_base < DN_EVQ_BUCKETS);
	} else {
		assert(q->far.n > 0);
		q->base = q->far.a[0].t >> q->shift;
	}
	assert(q->base > old_base); /* slabs are visited in time order */
	(void)old_base;
	dn_rc rc = migrate_far(q);
	if (rc)
		return rc;
	/* Copy the slab into cur (whose array keeps its size from slab to
	 * slab) and free the bucket's array: a bucket far ahead in the ring
	 * then starts small again, so memory follows the pending events. */
	dn_bucket *b = &q->ring[q->base & (DN_EVQ_BUCKETS - 1)];
	rc = dn_heap_reserve(&q->cur, b->n);
	if (rc)
		return rc;
	memcpy(q->cur.a, b->a, (size_t)b->n * sizeof *b->a);
	q->cur.n = b->n;
	q->ring_n -= b->n;
	free(b->a);
	*b = (dn_bucket){NULL, 0, 0};
	dn_heap_build(&q->cur);
	/* the slab loaded is not empty, and every event is in one of the three */
	assert(q->cur.n > 0 && q->cur.n + q->ring_n + q->far.n == q->n && q->n <= q->cap_max);
	return DN_OK;
}
