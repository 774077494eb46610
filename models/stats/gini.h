/*
 * gini.h: the exact Gini coefficient of a large set of integer balances,
 * kept up to date as a few percent of them change between samples.
 *
 * For balances sorted ascending x_(1) <= ... <= x_(n), with S1 = sum x and
 * S2 = sum i * x_(i) (exact, 128-bit):
 *     G = (2 S2 - (n + 1) S1) / (n S1).
 * The structure keeps every balance once in a sorted array. Between two
 * commits the caller marks the agents whose balance changed; a commit
 * sorts their old and new values (radix sort) and rebuilds the sorted
 * array in one merge pass that also sums S1 and S2. The pass is split by
 * value into a fixed number of ranges that run in parallel, and integer
 * sums make the result identical at any thread count. Cost per commit:
 * O(k) for the k changed agents plus one streaming pass over n int64.
 * Memory: 16 bytes per agent (the array and its merge buffer) plus a bit
 * for the change mark; the value each agent is ranked with is the
 * caller's (an agent-store column), so it is not stored twice.
 *
 * Plain statistics over integers: it knows no model and no engine state,
 * so the peer and world models share it from here (models/stats).
 */
#ifndef DN_STATS_GINI_H
#define DN_STATS_GINI_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "dn_base.h"

typedef struct dn_gini {
	uint64_t n;
	int64_t *sorted, *buf;  /* n each */
	uint64_t *mark;         /* n bits: changed since the last commit */
	uint32_t *changed;      /* agents marked, in marking order */
	uint64_t n_changed, cap_changed;
	int64_t *old_v, *new_v, *scratch; /* cap_changed each */
	int64_t s1;             /* sum of balances */
	unsigned __int128 s2;   /* sum of rank * balance, ranks from 1 */
} dn_gini;

/*
 * Builds the structure over values[0..n) (all >= 0); cap_changed bounds
 * the agents marked between two commits. DN_ENOMEM, DN_EINVAL.
 */
DN_WUR dn_rc dn_gini_init(dn_gini *g, const int64_t *values, uint64_t n, uint64_t cap_changed);
void dn_gini_free(dn_gini *g);
/* Bytes dn_gini_init(n, cap_changed) allocates, for estimates. */
double dn_gini_footprint(uint64_t n, uint64_t cap_changed);

/* Marks agent a as changed (idempotent). DN_ELIMIT past cap_changed. */
static inline DN_WUR dn_rc dn_gini_mark(dn_gini *g, uint32_t a)
{
	assert(a < g->n && g->n_changed <= g->cap_changed); /* an agent of the array */
	uint64_t bit = UINT64_C(1) << (a & 63);
	if (g->mark[a >> 6] & bit)
		return DN_OK;
	if (g->n_changed == g->cap_changed)
		return DN_ELIMIT;
	g->mark[a >> 6] |= bit;
	g->changed[g->n_changed++] = a;
	return DN_OK;
}

/*
 * Brings the structure up to date: for every marked agent a, its ranked
 * value ranked[a] becomes current[a] (both caller arrays; ranked[] is
 * updated here). Uses up to `threads` OpenMP threads; the result does not
 * depend on it. Clears the marks.
 */
void dn_gini_commit(dn_gini *g, int64_t *ranked, const int64_t *current, int threads);

/* The Gini coefficient now (0 when every balance is zero). */
double dn_gini_value(const dn_gini *g);

/* G by sorting a copy: O(n log n), for tests; S2 and S1 too where the
 * pointers are not NULL. -1 when out of memory. */
double dn_gini_direct(const int64_t *values, uint64_t n, unsigned __int128 *s2, int64_t *s1);

#endif
