/*
 * test_metrics.c: the rules section 9 accumulators (models/agents/metrics.h)
 * against brute force on random data with fixed seeds: histogram
 * quantiles within the stated 2^-8 bound of the exact sorted quantile,
 * merges independent of order and partitioning, the top-1 % share
 * against sorting, role incomes against a per-agent ledger, the R-EMIT-5
 * and R-GOV-2 thresholds exactly, and a round trip of every series
 * through an HDF5 results file in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "results.h"

static uint64_t sm64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The exact nearest-rank q-quantile of sorted[0..n). */
static int64_t exact_quantile(const int64_t *sorted, uint64_t n, uint32_t q_ppm)
{
	uint64_t k = (uint64_t)(((unsigned __int128)n * q_ppm + 999999) / 1000000);
	if (k == 0)
		k = 1;
	return sorted[k - 1];
}

/* Random value of one of several shapes: latencies log-uniform over 1 ns
 * .. ~100 s, many ties, small exact values, and huge values. */
static int64_t draw(uint64_t *s, int shape)
{
	uint64_t r = sm64(s);
	switch (shape) {
	case 0: { /* log-uniform over 2^0 .. 2^37 ns */
		unsigned e = (unsigned)(r % 37);
		return (int64_t)((UINT64_C(1) << e) + (sm64(s) % (UINT64_C(1) << e)));
	}
	case 1:
		return (int64_t)(r % 8) * 1000003; /* heavy ties */
	case 2:
		return (int64_t)(r % 300); /* mostly exact buckets */
	default:
		return (int64_t)(r >> 1); /* anywhere in 0..INT64_MAX */
	}
}

static bool hist_equal(const dn_hist *a, const dn_hist *b)
{
	return a->count == b->count && a->sum == b->sum && a->over_limit == b->over_limit &&
	       a->limit == b->limit && (a->count == 0 || (a->min == b->min && a->max == b->max &&
	                                                    a->lo == b->lo && a->hi == b->hi)) &&
	       memcmp(a->bucket, b->bucket, sizeof a->bucket) == 0;
}

/* ---- the histogram ---- */

static void test_hist_buckets_tile_int64_with_stated_width(void **state)
{
	(void)state;
	int64_t next = 0;
	for (uint32_t i = 0; i < DN_HIST_BUCKETS; i++) {
		int64_t lo = dn_hist_bucket_low(i), w = dn_hist_bucket_width(i);
		assert_true(lo == next); /* no gap, no overlap */
		assert_int_equal(dn_hist_index(lo), i);
		assert_int_equal(dn_hist_index(lo + (w - 1)), i);
		if (i >= 256)
			assert_true(w <= lo >> DN_HIST_SUB_BITS); /* width <= 2^-7 of the value */
		else
			assert_true(w == 1);
		next = i + 1 < DN_HIST_BUCKETS ? lo + w : 0;
	}
	assert_int_equal(dn_hist_index(INT64_MAX), DN_HIST_BUCKETS - 1);
	assert_true(dn_hist_bucket_low(DN_HIST_BUCKETS - 1) + (dn_hist_bucket_width(DN_HIST_BUCKETS - 1) - 1) ==
	            INT64_MAX);
}

static void test_R_CHAIN_5_quantiles_within_2pow_minus8_of_sorted(void **state)
{
	(void)state;
	static const uint64_t sizes[] = {1, 2, 3, 100, 1000, 20000};
	uint32_t qs[40] = {0, 1, 500000, 990000, 999999, 1000000, 250000, 750000, 10000, 999000};
	uint64_t s = 42;
	for (int shape = 0; shape < 5; shape++) {
		for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
			uint64_t n = sizes[z];
			int64_t *v = malloc(n * sizeof *v);
			assert_non_null(v);
			dn_hist *h = malloc(sizeof *h);
			assert_non_null(h);
			assert_int_equal(dn_hist_init(h, DN_HIST_NO_LIMIT), DN_OK);
			unsigned __int128 sum = 0;
			for (uint64_t i = 0; i < n; i++) {
				/* shape 4 mixes the others */
				v[i] = draw(&s, shape < 4 ? shape : (int)(sm64(&s) % 4));
				sum += (uint64_t)v[i];
				assert_int_equal(dn_hist_add(h, v[i]), DN_OK);
			}
			qsort(v, n, sizeof *v, cmp_i64);
			assert_true(h->count == n && h->sum == sum && h->min == v[0] && h->max == v[n - 1]);
			for (int j = 10; j < 40; j++)
				qs[j] = (uint32_t)(sm64(&s) % 1000001);
			for (int j = 0; j < 40; j++) {
				int64_t est = -7, x = exact_quantile(v, n, qs[j]);
				assert_int_equal(dn_hist_quantile(h, qs[j], &est), DN_OK);
				int64_t err = est > x ? est - x : x - est;
				if (err > (x >> 8))
					fail_msg("shape %d n %llu q %u: estimate %lld, exact %lld", shape,
					         (unsigned long long)n, qs[j], (long long)est, (long long)x);
				uint64_t k = (uint64_t)(((unsigned __int128)n * qs[j] + 999999) / 1000000);
				if (x < 256 || k <= 1 || k == n)
					assert_true(est == x); /* exact buckets, the minimum, the maximum */
			}
			free(h);
			free(v);
		}
	}
}

/*
 * A block's histograms hold a few values: they merge and empty through
 * the list of their non-empty buckets. Rounds of 0 to 30 values (around
 * DN_HIST_FEW distinct buckets, with ties) into two parts, each round
 * merged into a running total and emptied, against one histogram fed
 * every value: equal after every round, whichever side is sparse, and an
 * emptied part equal to a fresh one.
 */
static void test_hist_few_values_merge_and_empty_like_many(void **state)
{
	(void)state;
	dn_hist *part = malloc(2 * sizeof *part), *total = malloc(sizeof *total), *all = malloc(sizeof *all);
	dn_hist *fresh = malloc(sizeof *fresh), *sparse_dst = malloc(sizeof *sparse_dst);
	assert_true(part && total && all && fresh && sparse_dst);
	const int64_t limit = 15 * DN_NS_PER_S;
	assert_int_equal(dn_hist_init(&part[0], limit), DN_OK);
	assert_int_equal(dn_hist_init(&part[1], limit), DN_OK);
	assert_int_equal(dn_hist_init(total, limit), DN_OK);
	assert_int_equal(dn_hist_init(all, limit), DN_OK);
	assert_int_equal(dn_hist_init(fresh, limit), DN_OK);
	uint64_t s = 11;
	for (int round = 0; round < 400; round++) {
		int n = (int)(sm64(&s) % 31);
		for (int i = 0; i < n; i++) {
			/* few distinct buckets in most rounds, many in some */
			int64_t v = round % 5 == 4 ? draw(&s, 0) : (int64_t)(sm64(&s) % 20) * 1000003 + 5000000;
			int p = (int)(sm64(&s) % 2);
			assert_int_equal(dn_hist_add(&part[p], v), DN_OK);
			assert_int_equal(dn_hist_add(all, v), DN_OK);
		}
		/* a sparse destination takes a dense or sparse source */
		assert_int_equal(dn_hist_init(sparse_dst, limit), DN_OK);
		assert_int_equal(dn_hist_add(sparse_dst, 7), DN_OK);
		assert_int_equal(dn_hist_merge(sparse_dst, &part[0]), DN_OK);
		dn_hist *ref = malloc(sizeof *ref);
		assert_non_null(ref);
		assert_int_equal(dn_hist_init(ref, limit), DN_OK);
		assert_int_equal(dn_hist_merge(ref, &part[0]), DN_OK);
		assert_int_equal(dn_hist_add(ref, 7), DN_OK);
		assert_true(hist_equal(sparse_dst, ref));
		free(ref);
		dn_hist_reset(sparse_dst); /* lists what the merge added */
		assert_true(hist_equal(sparse_dst, fresh));
		for (int p = 0; p < 2; p++) {
			assert_int_equal(dn_hist_merge(total, &part[p]), DN_OK);
			dn_hist_reset(&part[p]);
			assert_true(hist_equal(&part[p], fresh));
		}
		assert_true(hist_equal(total, all));
	}
	/* the total went past the list: emptied in full all the same */
	assert_true(total->n_few > DN_HIST_FEW);
	dn_hist_reset(total);
	assert_true(hist_equal(total, fresh));
	free(part);
	free(total);
	free(all);
	free(fresh);
	free(sparse_dst);
}

static void test_hist_merge_independent_of_order_and_partitioning(void **state)
{
	(void)state;
	enum { P = 7, N = 30000 };
	dn_hist *part = malloc(P * sizeof *part), *all = malloc(sizeof *all);
	dn_hist *fwd = malloc(sizeof *fwd), *rev = malloc(sizeof *rev), *tree = malloc(sizeof *tree);
	assert_true(part && all && fwd && rev && tree);
	const int64_t limit = 15 * DN_NS_PER_S;
	for (int p = 0; p < P; p++)
		assert_int_equal(dn_hist_init(&part[p], limit), DN_OK);
	assert_int_equal(dn_hist_init(all, limit), DN_OK);
	uint64_t s = 7;
	for (int i = 0; i < N; i++) {
		int64_t v = draw(&s, (int)(sm64(&s) % 4));
		int p = (int)(sm64(&s) % P);
		if (p == 3)
			continue; /* one partition stays empty */
		assert_int_equal(dn_hist_add(&part[p], v), DN_OK);
		assert_int_equal(dn_hist_add(all, v), DN_OK);
	}
	const dn_hist *ptr[P];
	for (int p = 0; p < P; p++)
		ptr[p] = &part[p];
	assert_int_equal(dn_hist_init(fwd, limit), DN_OK);
	assert_int_equal(dn_hist_merge_all(fwd, ptr, P), DN_OK);
	assert_int_equal(dn_hist_init(rev, limit), DN_OK);
	for (int p = P - 1; p >= 0; p--)
		assert_int_equal(dn_hist_merge(rev, &part[p]), DN_OK);
	/* ((0+1)+(2+3)) + ((4+5)+6), merged into the partitions themselves */
	assert_int_equal(dn_hist_merge(&part[0], &part[1]), DN_OK);
	assert_int_equal(dn_hist_merge(&part[2], &part[3]), DN_OK);
	assert_int_equal(dn_hist_merge(&part[4], &part[5]), DN_OK);
	assert_int_equal(dn_hist_merge(&part[0], &part[2]), DN_OK);
	assert_int_equal(dn_hist_merge(&part[4], &part[6]), DN_OK);
	assert_int_equal(dn_hist_init(tree, limit), DN_OK);
	assert_int_equal(dn_hist_merge(tree, &part[4]), DN_OK);
	assert_int_equal(dn_hist_merge(tree, &part[0]), DN_OK);
	assert_true(hist_equal(fwd, all));
	assert_true(hist_equal(rev, all));
	assert_true(hist_equal(tree, all));
	for (uint32_t q = 0; q <= 1000000; q += 12345) {
		int64_t a, b;
		assert_int_equal(dn_hist_quantile(all, q, &a), DN_OK);
		assert_int_equal(dn_hist_quantile(tree, q, &b), DN_OK);
		assert_true(a == b);
	}
	/* Reset empties the histogram completely and keeps the limit. */
	dn_hist_reset(tree);
	dn_hist *fresh = malloc(sizeof *fresh);
	assert_non_null(fresh);
	assert_int_equal(dn_hist_init(fresh, limit), DN_OK);
	assert_true(hist_equal(tree, fresh));
	/* Histograms with different limits do not merge. */
	assert_int_equal(dn_hist_init(fresh, limit + 1), DN_OK);
	assert_int_equal(dn_hist_merge(fresh, all), DN_EINVAL);
	assert_true(fresh->count == 0);
	free(fresh);
	free(part);
	free(all);
	free(fwd);
	free(rev);
	free(tree);
}

static void test_R_CHAIN_5_violations_counted_exactly_at_15_s(void **state)
{
	(void)state;
	dn_metrics_config cfg = dn_metrics_config_default();
	assert_true(cfg.service_limit_ns == 15 * DN_NS_PER_S);
	dn_metrics_part *p = malloc(sizeof *p);
	assert_non_null(p);
	assert_int_equal(dn_metrics_part_init(p, &cfg), DN_OK);
	uint64_t s = 99, over = 0;
	const int64_t bound = 15 * DN_NS_PER_S;
	for (int i = 0; i < 50000; i++) {
		/* clustered around the bound, including it exactly */
		int64_t v = bound + (int64_t)(sm64(&s) % 2001) - 1000;
		if (i % 10 == 0)
			v = bound;
		if (i % 10 == 1)
			v = bound + 1;
		over += v > bound;
		assert_int_equal(dn_metrics_service_latency(p, v), DN_OK);
	}
	assert_true(p->service_latency.over_limit == over);
	assert_true(p->service_latency.count == 50000);
	/* one below and one above the bound: the exact max says which */
	int64_t mx;
	assert_int_equal(dn_hist_quantile(&p->service_latency, 1000000, &mx), DN_OK);
	assert_true(mx == bound + 1000);
	free(p);
}

static void test_hist_rejects_bad_input(void **state)
{
	(void)state;
	dn_hist *h = malloc(sizeof *h);
	assert_non_null(h);
	assert_int_equal(dn_hist_init(h, -1), DN_EINVAL);
	assert_int_equal(dn_hist_init(h, 0), DN_OK);
	int64_t v = 123;
	assert_int_equal(dn_hist_quantile(h, 500000, &v), DN_ERANGE);
	assert_true(v == 123);
	assert_int_equal(dn_hist_add(h, -1), DN_ERANGE);
	assert_true(h->count == 0);
	assert_int_equal(dn_hist_add(h, 0), DN_OK);
	assert_int_equal(dn_hist_add(h, INT64_MAX), DN_OK);
	assert_true(h->over_limit == 1);
	assert_int_equal(dn_hist_quantile(h, 1000001, &v), DN_EINVAL);
	assert_int_equal(dn_hist_quantile(h, 1000000, &v), DN_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(dn_hist_quantile(h, 0, &v), DN_OK);
	assert_true(v == 0);
	free(h);
}

/* ---- top share ---- */

static int64_t brute_top(const int64_t *v, uint64_t n, uint32_t q_ppm)
{
	int64_t *c = malloc(n * sizeof *c);
	assert_non_null(c);
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_i64);
	uint64_t k = (n * q_ppm + 999999) / 1000000;
	if (k == 0)
		k = 1;
	int64_t s = 0;
	for (uint64_t i = 0; i < k; i++)
		s += c[n - 1 - i];
	free(c);
	return s;
}

static void test_top_share_equals_sorting(void **state)
{
	(void)state;
	static const uint64_t sizes[] = {1, 99, 100, 101, 5000};
	static const uint32_t qs[] = {1, 10000, 333333, 500000, 1000000};
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		uint64_t n = sizes[z], s = 1000 + z;
		int64_t *ranked = malloc(n * sizeof *ranked), *cur = malloc(n * sizeof *cur);
		assert_true(ranked && cur);
		for (uint64_t i = 0; i < n; i++) /* heavy tail with ties */
			ranked[i] = cur[i] = (int64_t)(sm64(&s) % 7 == 0 ? sm64(&s) % (UINT64_C(1) << 50)
			                                                  : sm64(&s) % 50);
		dn_gini g;
		assert_int_equal(dn_gini_init(&g, ranked, n, n), DN_OK);
		for (int step = 0; step < 20; step++) {
			for (int j = 0; j < 30; j++) {
				uint32_t a = (uint32_t)(sm64(&s) % n);
				cur[a] = (int64_t)(sm64(&s) % 3 == 0 ? 0 : sm64(&s) % (UINT64_C(1) << 40));
				assert_int_equal(dn_gini_mark(&g, a), DN_OK);
			}
			dn_gini_commit(&g, ranked, cur, 1);
			int64_t total_brute = 0;
			for (uint64_t i = 0; i < n; i++)
				total_brute += cur[i];
			for (size_t qi = 0; qi < sizeof qs / sizeof qs[0]; qi++) {
				int64_t top = -1, total = -1;
				assert_int_equal(dn_metrics_top_share(&g, qs[qi], &top, &total), DN_OK);
				assert_true(total == total_brute);
				assert_true(top == brute_top(cur, n, qs[qi]));
				if (qs[qi] == 1000000)
					assert_true(top == total);
			}
		}
		int64_t t1, t2;
		assert_int_equal(dn_metrics_top_share(&g, 0, &t1, &t2), DN_EINVAL);
		assert_int_equal(dn_metrics_top_share(&g, 1000001, &t1, &t2), DN_EINVAL);
		dn_gini_free(&g);
		free(ranked);
		free(cur);
	}
}

/* ---- incomes ---- */

/* A world of agents with fixed roles, split over partitions by index,
 * moving money between each other and receiving rewards; a per-agent
 * ledger is the brute force. */
static void test_role_incomes_conserve_against_a_ledger(void **state)
{
	(void)state;
	enum { N = 500, P = 4, WINDOWS = 6, MOVES = 3000 };
	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics *m = malloc(sizeof *m);
	dn_metrics_part *parts = malloc(P * sizeof *parts);
	assert_true(m && parts);
	assert_int_equal(dn_metrics_init(m, &cfg), DN_OK);
	dn_metrics_part *pp[P];
	for (int p = 0; p < P; p++) {
		assert_int_equal(dn_metrics_part_init(&parts[p], &cfg), DN_OK);
		pp[p] = &parts[p];
	}
	int64_t bal[N], start[N];
	int role[N];
	uint64_t s = 5;
	for (int i = 0; i < N; i++) {
		bal[i] = start[i] = (int64_t)(sm64(&s) % (INT64_C(1000) * DNC_UNITS_PER_DNET));
		role[i] = (int)(sm64(&s) % DN_METRICS_ROLE_COUNT);
	}
	__int128 minted_total = 0, removed_total = 0;
	for (int w = 0; w < WINDOWS; w++) {
		__int128 win_earned[DN_METRICS_ROLE_COUNT] = {0}, win_spent[DN_METRICS_ROLE_COUNT] = {0};
		for (int k = 0; k < MOVES; k++) {
			int a = (int)(sm64(&s) % N), b = (int)(sm64(&s) % N);
			dn_metrics_part *part = &parts[a * P / N]; /* the payer's partition records it */
			uint64_t kind = sm64(&s) % 10;
			if (kind == 0) { /* reward minted to a */
				int64_t x = (int64_t)(sm64(&s) % DNC_UNITS_PER_DNET);
				bal[a] += x;
				minted_total += x;
				win_earned[role[a]] += x;
				assert_int_equal(dn_metrics_earn(part, (dn_metrics_role)role[a], x), DN_OK);
			} else if (kind == 1) { /* a pays a cost out of the economy */
				int64_t x = bal[a] ? (int64_t)(sm64(&s) % (uint64_t)bal[a]) : 0;
				bal[a] -= x;
				removed_total += x;
				win_spent[role[a]] += x;
				assert_int_equal(dn_metrics_spend(part, (dn_metrics_role)role[a], x), DN_OK);
			} else { /* a pays b */
				int64_t x = bal[a] ? (int64_t)(sm64(&s) % (uint64_t)bal[a]) : 0;
				bal[a] -= x;
				bal[b] += x;
				win_spent[role[a]] += x;
				win_earned[role[b]] += x;
				assert_int_equal(dn_metrics_transfer(part, (dn_metrics_role)role[a], (dn_metrics_role)role[b], x),
				                 DN_OK);
			}
		}
		dn_metrics_snapshot snap = {0};
		assert_int_equal(dn_metrics_record(m, pp, P, &snap, NULL, (w + 1) * 10 * DN_NS_PER_S), DN_OK);
		for (int r = 0; r < DN_METRICS_ROLE_COUNT; r++) {
			assert_true(m->window.earned[r] == win_earned[r]);
			assert_true(m->window.spent[r] == win_spent[r]);
		}
		for (int p = 0; p < P; p++) /* the parts were emptied */
			for (int r = 0; r < DN_METRICS_ROLE_COUNT; r++)
				assert_true(parts[p].earned[r] == 0 && parts[p].spent[r] == 0);
	}
	/* Per role: cumulative earned - spent == the change of its agents' balances. */
	__int128 delta[DN_METRICS_ROLE_COUNT] = {0}, e = 0, sp = 0;
	for (int i = 0; i < N; i++)
		delta[role[i]] += bal[i] - start[i];
	for (int r = 0; r < DN_METRICS_ROLE_COUNT; r++) {
		assert_true(m->total.earned[r] - m->total.spent[r] == delta[r]);
		e += m->total.earned[r];
		sp += m->total.spent[r];
	}
	/* Across roles, transfers cancel: only money from and to outside remains. */
	assert_true(m->total.minted == minted_total && m->total.removed == removed_total);
	assert_true(e - minted_total == sp - removed_total);
	/* Bad roles and amounts are refused. */
	assert_int_equal(dn_metrics_transfer(&parts[0], DN_METRICS_ROLE_COUNT, 0, 1), DN_EINVAL);
	assert_int_equal(dn_metrics_transfer(&parts[0], 0, 0, -1), DN_EINVAL);
	assert_int_equal(dn_metrics_earn(&parts[0], (dn_metrics_role)-1, 1), DN_EINVAL);
	assert_string_equal(dn_metrics_role_name(DN_METRICS_ROLE_FORWARDER), "forwarder");
	assert_string_equal(dn_metrics_role_name(DN_METRICS_ROLE_COUNT), "?");
	free(parts);
	free(m);
}

static void test_price_per_gib_is_rounded_exactly(void **state)
{
	(void)state;
	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics_part *p = malloc(sizeof *p);
	assert_non_null(p);
	assert_int_equal(dn_metrics_part_init(p, &cfg), DN_OK);
	assert_int_equal(dn_metrics_price(p, 100, INT64_C(1) << 30), DN_OK); /* 100 per GiB */
	assert_int_equal(dn_metrics_price(p, 1, 3), DN_OK);                  /* 2^30/3 = 357913941.33 */
	assert_int_equal(dn_metrics_price(p, 1, 2), DN_OK);                  /* 2^29 exactly */
	assert_int_equal(dn_metrics_price(p, 5, INT64_C(3) << 31), DN_OK);   /* 5/6 -> 1 (round half up: 0.83) */
	int64_t v;
	assert_int_equal(dn_hist_quantile(&p->price, 0, &v), DN_OK);
	assert_true(v == 1);
	assert_int_equal(dn_hist_quantile(&p->price, 1000000, &v), DN_OK);
	assert_true(v == INT64_C(536870912));
	assert_true(p->price.sum == (unsigned __int128)(100 + 357913941 + 536870912 + 1));
	assert_true(p->paid == 107 && p->traffic_bytes == (unsigned __int128)((INT64_C(1) << 30) + 5 + (INT64_C(3) << 31)));
	assert_int_equal(dn_metrics_price(p, INT64_MAX, 1), DN_ERANGE);
	assert_int_equal(dn_metrics_price(p, 1, 0), DN_EINVAL);
	assert_int_equal(dn_metrics_price(p, -1, 10), DN_EINVAL);
	assert_true(p->price.count == 4 && p->paid == 107);
	free(p);
}

/* ---- exact thresholds ---- */

static void test_R_EMIT_5_R_GOV_2_share_cmp_exact_where_double_is_not(void **state)
{
	(void)state;
	int c = 9;
	/* 2/3 of a weight that double cannot hold: T = 3 * 2^60 + 3 */
	const int64_t T = 3 * (INT64_C(1) << 60) + 3, two_thirds = 2 * (INT64_C(1) << 60) + 2;
	assert_true((double)(two_thirds + 1) / (double)T == (double)two_thirds / (double)T);
	assert_int_equal(dn_metrics_share_cmp(two_thirds, T, 2, 3, &c), DN_OK);
	assert_int_equal(c, 0);
	assert_int_equal(dn_metrics_share_cmp(two_thirds + 1, T, 2, 3, &c), DN_OK);
	assert_int_equal(c, 1);
	assert_int_equal(dn_metrics_share_cmp(two_thirds - 1, T, 2, 3, &c), DN_OK);
	assert_int_equal(c, -1);
	assert_int_equal(dn_metrics_share_cmp(INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, &c), DN_OK);
	assert_int_equal(c, 0);
	assert_int_equal(dn_metrics_share_cmp(0, 0, 1, 2, &c), DN_OK);
	assert_int_equal(c, -1);
	assert_int_equal(dn_metrics_share_cmp(-1, 3, 1, 2, &c), DN_EINVAL);
	assert_int_equal(dn_metrics_share_cmp(1, 3, 1, 0, &c), DN_EINVAL);
	/* brute force on small integers against cross-multiplication by hand */
	for (int64_t whole = 1; whole <= 30; whole++)
		for (int64_t part = 0; part <= whole; part++) {
			assert_int_equal(dn_metrics_share_cmp(part, whole, 2, 3, &c), DN_OK);
			assert_int_equal(c, (3 * part > 2 * whole) - (3 * part < 2 * whole));
		}
}

static void test_R_GOV_2_R_EMIT_5_crossing_times_recorded(void **state)
{
	(void)state;
	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics *m = malloc(sizeof *m);
	assert_non_null(m);
	assert_int_equal(dn_metrics_init(m, &cfg), DN_OK);
	/* Initial holders keep 2,000,000 weight; the total is 2,999,999 at
	 * block 0 (more than 2/3: control), exactly 3,000,000 at block 1 (2/3
	 * exactly: control lost, R-GOV-1 needs more than 2/3), then grows.
	 * DToken DNET grows by 10 per block against an initial 100: exactly
	 * half at block 10, which counts as reached. */
	for (int64_t b = 0; b < 20; b++) {
		dn_metrics_snapshot snap = {
			.initial_vote_weight = 2000000,
			.total_vote_weight = b == 0 ? 2999999 : 3000000 + 300 * (b - 1),
			.dtoken_originated = 10 * b,
			.initial_originated = 100,
		};
		assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, b * 10 * DN_NS_PER_S), DN_OK);
		if (b == 0)
			assert_true(m->gov_lost_t == -1 && m->dtoken_half_t == -1);
	}
	assert_true(m->gov_lost_t == 10 * DN_NS_PER_S);
	assert_true(m->dtoken_half_t == 10 * 10 * DN_NS_PER_S);
	free(m);
}

static void test_record_refuses_bad_calls(void **state)
{
	(void)state;
	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics *m = malloc(sizeof *m);
	dn_metrics_part *p = malloc(sizeof *p);
	assert_true(m && p);
	dn_metrics_config bad = cfg;
	bad.top_share_ppm = 0;
	assert_int_equal(dn_metrics_init(m, &bad), DN_EINVAL);
	bad = cfg;
	bad.service_limit_ns = -1;
	assert_int_equal(dn_metrics_part_init(p, &bad), DN_EINVAL);
	assert_int_equal(dn_metrics_init(m, &cfg), DN_OK);
	dn_metrics_snapshot snap = {.initial_vote_weight = 5, .total_vote_weight = 4};
	assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, 0), DN_EINVAL);
	assert_true(m->err[0] != '\0');
	snap = (dn_metrics_snapshot){.dtoken_originated = -1};
	assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, 0), DN_EINVAL);
	snap = (dn_metrics_snapshot){0};
	assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, 100), DN_OK);
	assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, 99), DN_EINVAL);
	/* a partition with another limit does not merge */
	bad = cfg;
	bad.service_limit_ns = 1;
	assert_int_equal(dn_metrics_part_init(p, &bad), DN_OK);
	dn_metrics_part *pp[1] = {p};
	assert_int_equal(dn_metrics_record(m, pp, 1, &snap, NULL, 200), DN_EINVAL);
	assert_int_equal(dn_metrics_request_outcome(p, 3, 2), DN_EINVAL);
	assert_int_equal(dn_metrics_consumers(p, 3, 2), DN_EINVAL);
	snap.price_usd_micro = -1;
	assert_int_equal(dn_metrics_record(m, NULL, 0, &snap, NULL, 300), DN_EINVAL);
	assert_int_equal(dn_metrics_fork_resolved(p, -5), DN_ERANGE);
	assert_int_equal(dn_metrics_service_latency(p, -5), DN_ERANGE);
	free(m);
	free(p);
}

static bool part_equal(const dn_metrics_part *a, const dn_metrics_part *b)
{
	return hist_equal(&a->service_latency, &b->service_latency) &&
	       hist_equal(&a->confirm_latency, &b->confirm_latency) && hist_equal(&a->price, &b->price) &&
	       hist_equal(&a->fork_resolution, &b->fork_resolution) &&
	       memcmp(a->earned, b->earned, sizeof a->earned) == 0 &&
	       memcmp(a->spent, b->spent, sizeof a->spent) == 0 && a->minted == b->minted &&
	       a->removed == b->removed && a->paid == b->paid && a->traffic_bytes == b->traffic_bytes &&
	       a->requests_ok == b->requests_ok && a->requests_counted == b->requests_counted &&
	       a->consumers_served == b->consumers_served && a->consumers_demand == b->consumers_demand &&
	       a->fraud_attempted == b->fraud_attempted && a->fraud_caught == b->fraud_caught &&
	       a->forks_seen == b->forks_seen;
}

/* One stream of events recorded through 1 partition and through 5 (a
 * random assignment, as threads would see them): identical windows and
 * totals, so results never depend on how agents are partitioned. */
static void test_record_identical_at_any_partitioning(void **state)
{
	(void)state;
	enum { P = 5 };
	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics *m1 = malloc(sizeof *m1), *m5 = malloc(sizeof *m5);
	dn_metrics_part *parts = malloc((P + 1) * sizeof *parts);
	assert_true(m1 && m5 && parts);
	assert_int_equal(dn_metrics_init(m1, &cfg), DN_OK);
	assert_int_equal(dn_metrics_init(m5, &cfg), DN_OK);
	dn_metrics_part *pp[P + 1];
	for (int p = 0; p <= P; p++) {
		assert_int_equal(dn_metrics_part_init(&parts[p], &cfg), DN_OK);
		pp[p] = &parts[p];
	}
	uint64_t s = 77;
	for (int w = 0; w < 4; w++) {
		for (int i = 0; i < 4000; i++) {
			dn_metrics_part *one = pp[P], *many = pp[sm64(&s) % P];
			dn_metrics_part *both[2] = {one, many};
			uint64_t kind = sm64(&s) % 7;
			int64_t v = draw(&s, (int)(sm64(&s) % 4)) % (INT64_C(1) << 40);
			dn_metrics_role a = (dn_metrics_role)(sm64(&s) % DN_METRICS_ROLE_COUNT);
			dn_metrics_role b = (dn_metrics_role)(sm64(&s) % DN_METRICS_ROLE_COUNT);
			bool c = sm64(&s) % 2;
			for (int k = 0; k < 2; k++) {
				dn_metrics_part *x = both[k];
				switch (kind) {
				case 0: assert_int_equal(dn_metrics_service_latency(x, v), DN_OK); break;
				case 1: assert_int_equal(dn_metrics_confirm_latency(x, v), DN_OK); break;
				case 2: assert_int_equal(dn_metrics_price(x, v % 100000000, 1 + v % 5000), DN_OK); break;
				case 3: assert_int_equal(dn_metrics_transfer(x, a, b, v), DN_OK); break;
				case 4: assert_int_equal(dn_metrics_earn(x, a, v), DN_OK); break;
				case 5: dn_metrics_fraud(x, c); break;
				default:
					dn_metrics_fork_seen(x);
					assert_int_equal(dn_metrics_fork_resolved(x, v), DN_OK);
					assert_int_equal(dn_metrics_request_outcome(x, (uint64_t)v % 10, 10), DN_OK);
					break;
				}
			}
		}
		dn_metrics_snapshot snap = {0};
		assert_int_equal(dn_metrics_record(m5, pp, P, &snap, NULL, w), DN_OK);
		assert_int_equal(dn_metrics_record(m1, &pp[P], 1, &snap, NULL, w), DN_OK);
		assert_true(m1->window.service_latency.count > 0);
		assert_true(part_equal(&m1->window, &m5->window));
		assert_true(part_equal(&m1->total, &m5->total));
	}
	free(parts);
	free(m1);
	free(m5);
}

/* ---- the recorder ---- */

typedef struct truth {
	/* brute force for one window */
	int64_t svc[4096], conf[4096], price[4096];
	int n_svc, n_conf, n_price;
	uint64_t covered, population;   /* request outcomes: ok / counted */
	uint64_t served, demand;        /* rules §9 coverage: distinct consumers */
	double price_usd;               /* the window's DNET price */
	int64_t earned_sharer;          /* base units */
} truth;

static const dn_series_data *find_series(const dn_series_data *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	fail_msg("series %s missing", name);
	return NULL;
}

static void check_quantile_series(const dn_series_data *d, int w, int64_t *v, int n, uint32_t q)
{
	if (n == 0) {
		assert_true(d->ivalue[w] == -1);
		return;
	}
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	int64_t x = exact_quantile(v, (uint64_t)n, q), est = d->ivalue[w];
	int64_t err = est > x ? est - x : x - est;
	assert_true(err <= (x >> 8));
	if (q == 1000000)
		assert_true(est == x);
}

static void test_recorder_round_trip_through_hdf5_equals_brute_force(void **state)
{
	(void)state;
	enum { P = 3, WINDOWS = 5, N_AGENTS = 2000 };
	char dir[256], path[300], err[256];
	const char *base = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
	snprintf(dir, sizeof dir, "%s/dn-metrics-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/run.h5", dir);

	dn_metrics_config cfg = dn_metrics_config_default();
	dn_metrics *m = malloc(sizeof *m);
	dn_metrics_part *parts = malloc(P * sizeof *parts);
	truth *tr = malloc(WINDOWS * sizeof *tr);
	assert_true(m && parts && tr);
	assert_int_equal(dn_metrics_init(m, &cfg), DN_OK);
	dn_metrics_part *pp[P];
	for (int p = 0; p < P; p++) {
		assert_int_equal(dn_metrics_part_init(&parts[p], &cfg), DN_OK);
		pp[p] = &parts[p];
	}
	int64_t bal[N_AGENTS], ranked[N_AGENTS];
	uint64_t s = 2024;
	for (int i = 0; i < N_AGENTS; i++)
		bal[i] = ranked[i] = (int64_t)(sm64(&s) % 1000000);
	dn_gini g;
	assert_int_equal(dn_gini_init(&g, ranked, N_AGENTS, N_AGENTS), DN_OK);

	dn_results *r = NULL;
	assert_int_equal(dn_results_open(path, &r, err, sizeof err), DN_OK);
	assert_int_equal(dn_metrics_declare(m, r), DN_OK);
	assert_int_equal(dn_metrics_declare(m, r), DN_EINVAL);
	uint64_t viol = 0, fraud = 0, caught = 0;
	int64_t earned_cum_sharer = 0;
	double gini_at[WINDOWS], top_at[WINDOWS];
	for (int w = 0; w < WINDOWS; w++) {
		truth *t = &tr[w];
		memset(t, 0, sizeof *t);
		int n = w == 2 ? 0 : 1000 + (int)(sm64(&s) % 3000); /* window 2 has no traffic */
		for (int i = 0; i < n; i++) {
			dn_metrics_part *part = &parts[sm64(&s) % P];
			int64_t lat = draw(&s, 0) % (40 * DN_NS_PER_S);
			t->svc[t->n_svc++] = lat;
			viol += lat > cfg.service_limit_ns;
			assert_int_equal(dn_metrics_service_latency(part, lat), DN_OK);
			if (i % 2 == 0) {
				int64_t c = 10 * DN_NS_PER_S + (int64_t)(sm64(&s) % (uint64_t)(20 * DN_NS_PER_S));
				t->conf[t->n_conf++] = c;
				assert_int_equal(dn_metrics_confirm_latency(part, c), DN_OK);
			}
			int64_t bytes = 1 + (int64_t)(sm64(&s) % (UINT64_C(1) << 32));
			int64_t paid = (int64_t)(sm64(&s) % 100000000);
			t->price[t->n_price++] =
			        (int64_t)((((unsigned __int128)paid << 30) + (uint64_t)bytes / 2) / (uint64_t)bytes);
			assert_int_equal(dn_metrics_price(part, paid, bytes), DN_OK);
			assert_int_equal(dn_metrics_transfer(part, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_SHARER, paid),
			                 DN_OK);
			earned_cum_sharer += paid;
			t->earned_sharer += paid;
			if (i % 7 == 0) {
				bool c = sm64(&s) % 3 != 0;
				fraud++;
				caught += c;
				dn_metrics_fraud(part, c);
			}
		}
		for (int p = 0; p < P; p++) {
			uint64_t pop = 100 + sm64(&s) % 100, cov = sm64(&s) % (pop + 1);
			t->covered += cov;
			t->population += pop;
			assert_int_equal(dn_metrics_request_outcome(&parts[p], cov, pop), DN_OK);
			/* fewer consumers than outcomes: one consumer asks several times */
			uint64_t dem = pop / 3, srv = sm64(&s) % (dem + 1);
			t->served += srv;
			t->demand += dem;
			assert_int_equal(dn_metrics_consumers(&parts[p], srv, dem), DN_OK);
		}
		for (int j = 0; j < 50; j++) {
			uint32_t a = (uint32_t)(sm64(&s) % N_AGENTS);
			bal[a] = (int64_t)(sm64(&s) % 100000000);
			assert_int_equal(dn_gini_mark(&g, a), DN_OK);
		}
		dn_gini_commit(&g, ranked, bal, 1);
		gini_at[w] = dn_gini_direct(bal, N_AGENTS, NULL, NULL);
		int64_t tot = 0;
		for (int i = 0; i < N_AGENTS; i++)
			tot += bal[i];
		top_at[w] = (double)brute_top(bal, N_AGENTS, 10000) / (double)tot;
		dn_metrics_snapshot snap = {
			.gini = &g,
			.dtoken_originated = 10 * w,
			.initial_originated = 30,
			.initial_vote_weight = 90 - w,
			.total_vote_weight = 100 + 10 * w,
			.price_usd_micro = 62500 + 1000 * w,
		};
		t->price_usd = (62500.0 + 1000.0 * w) / 1e6;
		assert_int_equal(dn_metrics_record(m, pp, P, &snap, r, (w + 1) * 10 * DN_NS_PER_S), DN_OK);
	}
	assert_int_equal(dn_metrics_finish(m, r), DN_OK);
	assert_int_equal(dn_results_close(r, true), DN_OK);

	dn_series_data *sd = NULL;
	size_t ns = 0;
	assert_int_equal(dn_results_read_series(path, &sd, &ns, err, sizeof err), DN_OK);
	assert_int_equal(ns, 42 + 6 * DN_METRICS_ROLE_COUNT);
	for (size_t i = 0; i < ns; i++) {
		assert_int_equal(sd[i].n, WINDOWS);
		for (int w = 0; w < WINDOWS; w++)
			assert_true(sd[i].t_ns[w] == (w + 1) * 10 * DN_NS_PER_S);
		assert_true(sd[i].units[0] != '\0' && sd[i].description[0] != '\0');
	}
	const dn_series_data *svc50 = find_series(sd, ns, "service_latency_p50_ns");
	const dn_series_data *svc99 = find_series(sd, ns, "service_latency_p99_ns");
	const dn_series_data *svcmx = find_series(sd, ns, "service_latency_max_ns");
	const dn_series_data *conf99 = find_series(sd, ns, "confirm_latency_p99_ns");
	const dn_series_data *pr50 = find_series(sd, ns, "price_p50_base_per_gib");
	const dn_series_data *cov = find_series(sd, ns, "coverage");
	const dn_series_data *rss = find_series(sd, ns, "request_success_share");
	const dn_series_data *cserved = find_series(sd, ns, "consumers_served");
	const dn_series_data *cdem = find_series(sd, ns, "consumers_with_demand");
	const dn_series_data *usd = find_series(sd, ns, "earned_sharer_usd");
	const dn_series_data *usdc = find_series(sd, ns, "earned_cum_sharer_usd");
	const dn_series_data *shb = find_series(sd, ns, "earned_sharer_base");
	for (size_t i = 0; i < ns; i++) /* the old names are gone */
		assert_true(strcmp(sd[i].name, "covered_agents") && strcmp(sd[i].name, "counted_agents"));
	double usd_cum = 0;
	const dn_series_data *sv = find_series(sd, ns, "service_latency_violations");
	const dn_series_data *gi = find_series(sd, ns, "holdings_gini");
	const dn_series_data *top = find_series(sd, ns, "holdings_top_share");
	const dn_series_data *esh = find_series(sd, ns, "earned_cum_sharer_base");
	const dn_series_data *scons = find_series(sd, ns, "spent_cum_consumer_base");
	const dn_series_data *fa = find_series(sd, ns, "fraud_attempted");
	const dn_series_data *fc = find_series(sd, ns, "fraud_caught");
	const dn_series_data *gs = find_series(sd, ns, "initial_supermajority");
	const dn_series_data *dts = find_series(sd, ns, "dtoken_share");
	assert_string_equal(svc99->units, "ns");
	assert_true(svc99->vt == DN_VT_I64 && cov->vt == DN_VT_F64);
	for (int w = 0; w < WINDOWS; w++) {
		truth *t = &tr[w];
		check_quantile_series(svc50, w, t->svc, t->n_svc, 500000);
		check_quantile_series(svc99, w, t->svc, t->n_svc, 990000);
		check_quantile_series(svcmx, w, t->svc, t->n_svc, 1000000);
		check_quantile_series(conf99, w, t->conf, t->n_conf, 990000);
		check_quantile_series(pr50, w, t->price, t->n_price, 500000);
		/* rules §9 coverage is distinct consumers; the request share is not */
		assert_true(cov->value[w] == (double)t->served / (double)t->demand);
		assert_true(cov->value[w] <= 1.0);
		assert_true(cserved->ivalue[w] == (int64_t)t->served && cdem->ivalue[w] == (int64_t)t->demand);
		assert_true(rss->value[w] == (double)t->covered / (double)t->population);
		/* USD income: the window's DNET income x the window's price */
		assert_true(shb->ivalue[w] == t->earned_sharer);
		double want = (double)t->earned_sharer / 1e8 * t->price_usd;
		assert_true(fabs(usd->value[w] - want) <= 1e-12 * fmax(1.0, want));
		usd_cum += usd->value[w];
		assert_true(fabs(usdc->value[w] - usd_cum) <= 1e-9 * fmax(1.0, usd_cum));
		assert_true(gi->value[w] == gini_at[w]);
		assert_true(top->value[w] == top_at[w]);
		/* 3 (90 - w) > 2 (100 + 10 w) iff 70 > 23 w: w <= 3 */
		assert_true(gs->ivalue[w] == (w <= 3 ? 1 : 0));
		assert_true(w == 0 ? dts->value[w] == 0.0 : dts->value[w] == (double)(10 * w) / (double)(10 * w + 30));
	}
	assert_true(sv->ivalue[WINDOWS - 1] == (int64_t)viol && viol > 0);
	assert_true(fa->ivalue[WINDOWS - 1] == (int64_t)fraud && fc->ivalue[WINDOWS - 1] == (int64_t)caught);
	assert_true(esh->ivalue[WINDOWS - 1] == earned_cum_sharer);
	assert_true(scons->ivalue[WINDOWS - 1] == earned_cum_sharer);
	assert_true(m->gov_lost_t == 50 * DN_NS_PER_S);
	dn_series_data_free(sd, ns);
	dn_gini_free(&g);
	unlink(path);
	rmdir(dir);
	free(tr);
	free(parts);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_buckets_tile_int64_with_stated_width),
		cmocka_unit_test(test_R_CHAIN_5_quantiles_within_2pow_minus8_of_sorted),
		cmocka_unit_test(test_hist_merge_independent_of_order_and_partitioning),
		cmocka_unit_test(test_hist_few_values_merge_and_empty_like_many),
		cmocka_unit_test(test_R_CHAIN_5_violations_counted_exactly_at_15_s),
		cmocka_unit_test(test_hist_rejects_bad_input),
		cmocka_unit_test(test_top_share_equals_sorting),
		cmocka_unit_test(test_role_incomes_conserve_against_a_ledger),
		cmocka_unit_test(test_price_per_gib_is_rounded_exactly),
		cmocka_unit_test(test_R_EMIT_5_R_GOV_2_share_cmp_exact_where_double_is_not),
		cmocka_unit_test(test_R_GOV_2_R_EMIT_5_crossing_times_recorded),
		cmocka_unit_test(test_record_refuses_bad_calls),
		cmocka_unit_test(test_record_identical_at_any_partitioning),
		cmocka_unit_test(test_recorder_round_trip_through_hdf5_equals_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
