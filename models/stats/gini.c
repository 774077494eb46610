/*
 * gini.c: exact incremental Gini (see gini.h): radix sort of the changed
 * values, then a merge of the sorted array with the removed and inserted
 * values, range by range in parallel.
 */
#include "gini.h"

#include <assert.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define GINI_RANGES 16 /* fixed, so the work split never depends on threads */

/* LSD radix sort of non-negative int64, 11-bit digits (the counters fit
 * in L1), skipping digits above the largest value. tmp has n entries. */
static void radix_sort(int64_t *a, int64_t *tmp, uint64_t n)
{
	enum { BITS = 11, RADIX = 1 << BITS };
	if (n < 2)
		return;
	int64_t max = 0;
	for (uint64_t i = 0; i < n; i++)
		max = a[i] > max ? a[i] : max;
	uint64_t cnt[RADIX];
	int64_t *src = a, *dst = tmp;
	for (unsigned shift = 0; shift < 64 && ((uint64_t)max >> shift) != 0; shift += BITS) {
		memset(cnt, 0, sizeof cnt);
		for (uint64_t i = 0; i < n; i++)
			cnt[((uint64_t)src[i] >> shift) & (RADIX - 1)]++;
		uint64_t sum = 0;
		for (unsigned d = 0; d < RADIX; d++) {
			uint64_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (uint64_t i = 0; i < n; i++)
			dst[cnt[((uint64_t)src[i] >> shift) & (RADIX - 1)]++] = src[i];
		int64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* First index in a[0..n) with a[i] >= v. */
static uint64_t lower_bound(const int64_t *a, uint64_t n, int64_t v)
{
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sums(const int64_t *a, uint64_t n, int64_t *s1, unsigned __int128 *s2)
{
	int64_t t1 = 0;
	unsigned __int128 t2 = 0;
	for (uint64_t i = 0; i < n; i++) {
		t1 += a[i];
		t2 += (unsigned __int128)(i + 1) * (uint64_t)a[i];
	}
	*s1 = t1;
	*s2 = t2;
}

double dn_gini_footprint(uint64_t n, uint64_t cap_changed)
{
	const dn_gini *g = NULL; /* for sizeof only */
	return (double)n * (sizeof *g->sorted + sizeof *g->buf) + (double)((n + 63) / 64) * sizeof *g->mark +
	       (double)cap_changed * (sizeof *g->changed + sizeof *g->old_v + sizeof *g->new_v + sizeof *g->scratch);
}

dn_rc dn_gini_init(dn_gini *g, const int64_t *values, uint64_t n, uint64_t cap_changed)
{
	memset(g, 0, sizeof *g);
	if (n == 0 || n > UINT32_MAX || cap_changed > n)
		return DN_EINVAL;
	g->n = n;
	g->cap_changed = cap_changed;
	g->sorted = malloc(n * sizeof *g->sorted);
	g->buf = malloc(n * sizeof *g->buf);
	g->mark = calloc((n + 63) / 64, sizeof *g->mark);
	g->changed = malloc((cap_changed ? cap_changed : 1) * sizeof *g->changed);
	g->old_v = malloc((cap_changed ? cap_changed : 1) * sizeof *g->old_v);
	g->new_v = malloc((cap_changed ? cap_changed : 1) * sizeof *g->new_v);
	g->scratch = malloc((cap_changed ? cap_changed : 1) * sizeof *g->scratch);
	if (!g->sorted || !g->buf || !g->mark || !g->changed || !g->old_v || !g->new_v || !g->scratch) {
		dn_gini_free(g);
		return DN_ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (values[i] < 0) {
			dn_gini_free(g);
			return DN_EINVAL;
		}
		g->sorted[i] = values[i];
	}
	radix_sort(g->sorted, g->buf, n);
	sums(g->sorted, n, &g->s1, &g->s2);
	return DN_OK;
}

void dn_gini_free(dn_gini *g)
{
	free(g->sorted);
	free(g->buf);
	free(g->mark);
	free(g->changed);
	free(g->old_v);
	free(g->new_v);
	free(g->scratch);
	memset(g, 0, sizeof *g);
}

/* Below this many values a pass runs on the calling thread: waking the
 * others would cost more than the pass (and a sleeping thread whose core
 * is busy elsewhere makes everyone wait). The result is the same. */
#define GINI_PAR_MIN 65536

/* Agent ch[i]'s old and new value into the removal and insertion lists. */
static void gather_one(dn_gini *g, int64_t *ranked, const int64_t *current, uint64_t i)
{
	uint32_t a = g->changed[i];
	/* the radix sort and the merge need values >= 0: balances */
	assert(a < g->n && current[a] >= 0);
	g->old_v[i] = ranked[a];
	g->new_v[i] = current[a];
	ranked[a] = current[a];
}

typedef struct range_out {
	int64_t s1;
	unsigned __int128 s2;
} range_out;

/* One value range of the merge: the array's values in it without the
 * removed ones and with the inserted ones, written at its place in the
 * output, with its sums. */
typedef struct merge_ctx {
	const int64_t *A, *R, *I;
	int64_t *B;
	const uint64_t *a_lo, *r_lo, *i_lo;
	range_out *out;
} merge_ctx;

static void merge_range(const merge_ctx *m, int t)
{
	const int64_t *A = m->A, *R = m->R, *I = m->I;
	int64_t *B = m->B;
	uint64_t ia = m->a_lo[t], ea = m->a_lo[t + 1];
	uint64_t ir = m->r_lo[t], er = m->r_lo[t + 1];
	uint64_t ii = m->i_lo[t], ei = m->i_lo[t + 1];
	/* Output starts after everything below this range. */
	uint64_t o = m->a_lo[t] - m->r_lo[t] + m->i_lo[t];
	int64_t s1 = 0;
	unsigned __int128 s2 = 0;
	for (;;) {
		if (ia < ea && ir < er && A[ia] == R[ir]) { /* a removed value */
			ia++;
			ir++;
			continue;
		}
		int64_t v;
		if (ia < ea && (ii >= ei || A[ia] <= I[ii]))
			v = A[ia++];
		else if (ii < ei)
			v = I[ii++];
		else
			break;
		B[o] = v;
		s1 += v;
		s2 += (unsigned __int128)(o + 1) * (uint64_t)v;
		o++;
	}
	/* Every removed value was in the array: a leftover means the
	 * caller changed ranked[] behind our back. */
	if (ir != er)
		abort();
	/* the range filled exactly its share of the output, so ranges
	 * neither overlap nor leave holes (n values in all) */
	assert(o == m->a_lo[t + 1] - m->r_lo[t + 1] + m->i_lo[t + 1]);
	m->out[t].s1 = s1;
	m->out[t].s2 = s2;
}

/* Kept whole: one pass in fixed order (gather, sort, pivot, merge, sum) whose buffers change roles (buf: scratch, output, sorted). */
void dn_gini_commit(dn_gini *g, int64_t *ranked, const int64_t *current, int threads)
{
	/* Gather old and new values (in parallel: agents are distinct). An
	 * unchanged agent contributes the same value to both lists, which
	 * the merge removes and re-inserts: no special case. */
	const uint64_t k = g->n_changed;
	assert(k <= g->cap_changed && k <= g->n);
	uint32_t *ch = g->changed;
	uint64_t *mk = g->mark;
	if (k >= GINI_PAR_MIN && threads > 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
		for (uint64_t i = 0; i < k; i++)
			gather_one(g, ranked, current, i);
	} else {
		for (uint64_t i = 0; i < k; i++)
			gather_one(g, ranked, current, i);
	}
	for (uint64_t i = 0; i < k; i++)
		mk[ch[i] >> 6] = 0; /* whole words: cheaper than bit by bit */
	g->n_changed = 0;
	if (k == 0)
		return;
	/* Sort removals and insertions (two independent sorts). The scratch
	 * buffer is shared, so the second sort uses the merge buffer. */
	if (k >= GINI_PAR_MIN && threads > 1) {
#pragma omp parallel sections num_threads(2)
		{
#pragma omp section
			radix_sort(g->old_v, g->scratch, k);
#pragma omp section
			radix_sort(g->new_v, g->buf, k);
		}
	} else {
		radix_sort(g->old_v, g->scratch, k);
		radix_sort(g->new_v, g->buf, k);
	}
	const int64_t *A = g->sorted, *R = g->old_v, *I = g->new_v;
	const uint64_t n = g->n;
	/* Ranges by value: pivots taken from the current array. */
	int64_t pivot[GINI_RANGES + 1];
	uint64_t a_lo[GINI_RANGES + 1], r_lo[GINI_RANGES + 1], i_lo[GINI_RANGES + 1];
	for (int t = 0; t < GINI_RANGES; t++)
		pivot[t] = t == 0 ? INT64_MIN : A[n * (uint64_t)t / GINI_RANGES];
	for (int t = 0; t < GINI_RANGES; t++) {
		a_lo[t] = t == 0 ? 0 : lower_bound(A, n, pivot[t]);
		r_lo[t] = t == 0 ? 0 : lower_bound(R, k, pivot[t]);
		i_lo[t] = t == 0 ? 0 : lower_bound(I, k, pivot[t]);
	}
	a_lo[GINI_RANGES] = n;
	r_lo[GINI_RANGES] = k;
	i_lo[GINI_RANGES] = k;
	for (int t = 0; t < GINI_RANGES; t++) /* ranges by ascending pivots */
		assert(a_lo[t] <= a_lo[t + 1] && r_lo[t] <= r_lo[t + 1] && i_lo[t] <= i_lo[t + 1]);
	range_out out[GINI_RANGES];
	int64_t *B = g->buf;
	const merge_ctx mc = {A, R, I, B, a_lo, r_lo, i_lo, out};
	if (n + k >= GINI_PAR_MIN && threads > 1) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
		for (int t = 0; t < GINI_RANGES; t++)
			merge_range(&mc, t);
	} else {
		for (int t = 0; t < GINI_RANGES; t++)
			merge_range(&mc, t);
	}
	int64_t s1 = 0;
	unsigned __int128 s2 = 0;
	for (int t = 0; t < GINI_RANGES; t++) {
		s1 += out[t].s1;
		s2 += out[t].s2;
	}
	g->s1 = s1;
	g->s2 = s2;
	g->buf = g->sorted;
	g->sorted = B;
}

double dn_gini_value(const dn_gini *g)
{
	if (g->s1 <= 0)
		return 0.0;
	/* 2 S2 >= (n + 1) S1 for an ascending order, so this is >= 0. */
	assert(2 * g->s2 >= (unsigned __int128)(g->n + 1) * (uint64_t)g->s1);
	unsigned __int128 num = 2 * g->s2 - (unsigned __int128)(g->n + 1) * (uint64_t)g->s1;
	const double gv = (double)num / ((double)g->n * (double)g->s1);
	assert(gv >= 0 && gv < 1); /* at most 1 - 1/n */
	return gv;
}

double dn_gini_direct(const int64_t *values, uint64_t n, unsigned __int128 *s2, int64_t *s1)
{
	int64_t *c = malloc(n * sizeof *c);
	if (!c)
		return -1.0;
	memcpy(c, values, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_i64);
	dn_gini g = {.n = n};
	sums(c, n, &g.s1, &g.s2);
	free(c);
	if (s2)
		*s2 = g.s2;
	if (s1)
		*s1 = g.s1;
	return dn_gini_value(&g);
}
