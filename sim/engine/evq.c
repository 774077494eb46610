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
	q->ring2 = calloc(DN_EVQ_SUPERS, sizeof *q->ring2);
	if (!q->ring || !q->ring2) {
		dn_evq_free(q);
		return DN_ENOMEM;
	}
	return DN_OK;
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
	if (q->ring2)
		for (unsigned i = 0; i < DN_EVQ_SUPERS; i++)
			free(q->ring2[i].a);
	free(q->ring2);
	q->ring2 = NULL;
	while (q->n_spare)
		free(q->spare[--q->n_spare]);
	q->n = q->ring_n = q->ring2_n = 0;
}

static dn_rc bucket_append(dn_evq *q, dn_bucket *b, const dn_event *e)
{
	if (b->cap == 0 && q->n_spare) {
		b->a = q->spare[--q->n_spare];
		b->cap = DN_EVQ_FIRST_CAP;
	}
	if (b->n == b->cap) {
		if (b->cap >= UINT32_MAX / 2)
			return DN_ELIMIT;
		uint32_t cap = b->cap ? b->cap * 2 : DN_EVQ_FIRST_CAP;
		dn_event *a = realloc(b->a, (size_t)cap * sizeof *a);
		if (!a)
			return DN_ENOMEM;
		b->a = a;
		b->cap = cap;
	}
	b->a[b->n++] = *e;
	return DN_OK;
}

/* Empties bucket b and releases its array: kept as a spare if it has the
 * first size and there is room, else freed (a bucket far ahead in the ring
 * then starts small again, so memory follows the pending events). */
static void bucket_release(dn_evq *q, dn_bucket *b)
{
	if (b->cap == DN_EVQ_FIRST_CAP && q->n_spare < DN_EVQ_SPARES)
		q->spare[q->n_spare++] = b->a;
	else
		free(b->a);
	*b = (dn_bucket){NULL, 0, 0};
}

/* Appends e (slab s > base) to the ring or heap its super-slab belongs in. */
static dn_rc place(dn_evq *q, const dn_event *e, int64_t s)
{
	int64_t ahead = dn_evq_super_ahead(s, q->base);
	dn_rc rc;
	if (ahead <= 1) {
		rc = bucket_append(q, &q->ring[s & (DN_EVQ_BUCKETS - 1)], e);
		if (!rc)
			q->ring_n++;
	} else if (ahead <= DN_EVQ_SUPERS + 1) {
		rc = bucket_append(q, &q->ring2[(s >> DN_EVQ_SUPER_BITS) & (DN_EVQ_SUPERS - 1)], e);
		if (!rc)
			q->ring2_n++;
	} else {
		rc = dn_heap_push_d(&q->far, e, DN_HEAP_ARITY);
	}
	return rc;
}

dn_rc dn_evq_push_later(dn_evq *q, const dn_event *e, int64_t slab)
{
	/* the fast path in dn_evq_push keeps the current slab's events */
	assert(slab > q->base && slab == e->t >> q->shift);
	dn_rc rc = place(q, e, slab);
	if (!rc)
		q->n++;
	return rc;
}

/* Moves super-slab u's events from the super-slab ring into the slab ring
 * (u is now 0 or 1 super-slab ahead). On failure the events not moved stay
 * in their bucket, so nothing is lost; the caller reports the error. */
static dn_rc spill(dn_evq *q, int64_t u)
{
	dn_bucket *b = &q->ring2[u & (DN_EVQ_SUPERS - 1)];
	while (b->n) {
		const dn_event *e = &b->a[b->n - 1];
		assert((e->t >> q->shift >> DN_EVQ_SUPER_BITS) == u);
		dn_rc rc = bucket_append(q, &q->ring[(e->t >> q->shift) & (DN_EVQ_BUCKETS - 1)], e);
		if (rc)
			return rc;
		b->n--;
		q->ring_n++;
		q->ring2_n--;
	}
	bucket_release(q, b);
	return DN_OK;
}

/* Moves far events whose super-slab is now within the rings into them. */
static dn_rc migrate_far(dn_evq *q)
{
	while (q->far.n && dn_evq_super_ahead(q->far.a[0].t >> q->shift, q->base) <= DN_EVQ_SUPERS + 1) {
		dn_event e;
		dn_heap_pop_d(&q->far, &e, DN_HEAP_ARITY);
		dn_rc rc = place(q, &e, e.t >> q->shift);
		if (rc) {
			/* Put it back: nothing is lost, the caller reports rc. */
			dn_rc rc2 = dn_heap_push_d(&q->far, &e, DN_HEAP_ARITY);
			(void)rc2; /* cannot fail: the pop freed a slot */
			return rc;
		}
	}
	return DN_OK;
}

dn_rc dn_evq_advance(dn_evq *q)
{
	assert(q->cur.n == 0 && q->n > 0);
	/* Invariant: slab-ring events lie in slabs after base, 0 or 1
	 * super-slab ahead; super-slab-ring events 2 .. SUPERS + 1 ahead; far
	 * events further. So the next non-empty slab is in the slab ring if it
	 * holds anything, else in the first non-empty super-slab of the second
	 * ring, else it is the far heap's first. */
	assert(q->ring_n + q->ring2_n + q->far.n == q->n);
	const int64_t old_base = q->base, old_super = old_base >> DN_EVQ_SUPER_BITS;
	int64_t nb;
	if (q->ring_n) {
		nb = old_base;
		do
			nb++;
		while (q->ring[nb & (DN_EVQ_BUCKETS - 1)].n == 0);
		assert(dn_evq_super_ahead(nb, old_base) <= 1);
	} else if (q->ring2_n) {
		int64_t u = old_super + 2;
		while (q->ring2[u & (DN_EVQ_SUPERS - 1)].n == 0)
			u++;
		assert(u <= old_super + DN_EVQ_SUPERS + 1);
		nb = u << DN_EVQ_SUPER_BITS; /* its first slab; the first event may be later */
	} else {
		assert(q->far.n > 0);
		nb = q->far.a[0].t >> q->shift;
	}
	assert(nb > old_base); /* slabs are visited in time order */
	/* The new base's super-slab and the next come into the slab ring. */
	int64_t new_super = nb >> DN_EVQ_SUPER_BITS;
	q->base = nb;
	/* (on an allocation failure below the run stops with the error; every
	 * event is still in one of the four) */
	if (q->ring2_n) {
		int64_t hi = new_super + 1 < old_super + DN_EVQ_SUPERS + 1 ? new_super + 1 : old_super + DN_EVQ_SUPERS + 1;
		for (int64_t u = old_super + 2; u <= hi; u++) {
			dn_rc rc = spill(q, u);
			if (rc)
				return rc;
		}
	}
	dn_rc rc = migrate_far(q);
	if (rc)
		return rc;
	/* from the first slab of a super-slab: on to its first event */
	while (q->ring[q->base & (DN_EVQ_BUCKETS - 1)].n == 0)
		q->base++;
	assert(dn_evq_super_ahead(q->base, nb) == 0);
	/* Copy the slab into cur (whose array keeps its size from slab to
	 * slab) and release the bucket's array (bucket_release). */
	dn_bucket *b = &q->ring[q->base & (DN_EVQ_BUCKETS - 1)];
	rc = dn_heap_reserve(&q->cur, b->n);
	if (rc)
		return rc;
	memcpy(q->cur.a, b->a, (size_t)b->n * sizeof *b->a);
	q->cur.n = b->n;
	q->ring_n -= b->n;
	bucket_release(q, b);
	dn_heap_build(&q->cur);
	/* the slab loaded is not empty, and every event is in one of the four */
	assert(q->cur.n > 0 && q->cur.n + q->ring_n + q->ring2_n + q->far.n == q->n && q->n <= q->cap_max);
	return DN_OK;
}
