/*
 * test_content.c: the phase-2 content economy generator
 * (models/agents/content.h, rules section 8 with R-FWD-1..3 and R-FEE-2/3).
 *
 * The Barabasi-Albert graph's shape; determinism of the sale sequence; every
 * sale checked against an independent model of the holder trees (the test
 * records who bought what from whom and rebuilds each chain itself); sales
 * settled through the real protocol library (dnc_chain_pay_content) with
 * money conserved and the split recomputed by hand; refused sales leave the
 * buyer without the item; the holdings bound; and a 1M-node build measured
 * (printed, not asserted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "content.h"

#define DNET DNC_UNITS_PER_DNET

static dn_content_cfg busy_cfg(uint32_t n, uint64_t seed)
{
	dn_content_cfg g;
	dn_content_cfg_default(&g);
	g.n = n;
	g.edges_per_node = 3;
	g.creator_ppm = 20000;
	g.items_per_creator_per_day = 20;
	g.purchases_per_agent_per_day = 50;
	g.resell_probability = 0.6;
	g.block_interval_s = 10;
	g.seed = seed;
	return g;
}

static dn_content *mk(const dn_content_cfg *g)
{
	dn_content *c = NULL;
	assert_int_equal(dn_content_new(g, &c), DN_OK);
	assert_non_null(c);
	return c;
}

/* ---- an independent model of the holder trees, built from settled sales ---- */

typedef struct model {
	uint64_t *key;    /* (item << 32 | agent) + 1, 0 = empty */
	uint32_t *parent; /* the agent it bought from */
	size_t cap;       /* power of two */
} model;

static void model_init(model *m, size_t cap)
{
	m->cap = cap;
	m->key = calloc(cap, sizeof *m->key);
	m->parent = calloc(cap, sizeof *m->parent);
	assert_non_null(m->key);
	assert_non_null(m->parent);
}

static void model_free(model *m)
{
	free(m->key);
	free(m->parent);
}

static size_t model_slot(const model *m, uint64_t item, uint32_t agent)
{
	uint64_t k = (item << 32 | agent) + 1, h = k * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 20) & (m->cap - 1);
	while (m->key[i] && m->key[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool model_get(const model *m, uint64_t item, uint32_t agent, uint32_t *parent)
{
	size_t i = model_slot(m, item, agent);
	if (!m->key[i])
		return false;
	if (parent)
		*parent = m->parent[i];
	return true;
}

static void model_put(model *m, uint64_t item, uint32_t agent, uint32_t parent)
{
	size_t i = model_slot(m, item, agent);
	assert_true(m->key[i] == 0);
	m->key[i] = (item << 32 | agent) + 1;
	m->parent[i] = parent;
}

/* The checker every test's callback runs first. */
typedef struct checker {
	dn_content *c;
	dn_content_cfg cfg;
	model m;
	uint64_t hash;          /* FNV-1a of the sale sequence */
	uint64_t seen, checked_2mid, max_mid, rec_seen;
	uint32_t refuse_mod;    /* refuse sales whose (buyer + item) % refuse_mod == 0; 0 = none */
	uint32_t refused_n;
	uint64_t refused_item[4096];
	uint32_t refused_buyer[4096];
} checker;

static void fnv(uint64_t *h, uint64_t x)
{
	for (int i = 0; i < 8; i++) {
		*h ^= (x >> (8 * i)) & 0xff;
		*h *= UINT64_C(0x100000001b3);
	}
}

static void hash_sale(uint64_t *h, const dn_content_sale *s)
{
	fnv(h, s->buyer);
	fnv(h, s->origin);
	fnv(h, s->seller);
	fnv(h, s->n_middle);
	for (uint32_t i = 0; i < s->n_middle; i++)
		fnv(h, s->middle[i]);
	fnv(h, s->recommender);
	fnv(h, s->item);
	fnv(h, (uint64_t)s->price);
	fnv(h, (uint64_t)s->recommend_fee);
}

/* R-FWD-1: every property a sale must have, against the independent model. */
static void check_sale(checker *k, const dn_content_sale *s)
{
	uint32_t origin, x, path[DNC_MAX_MIDDLEMEN + 2], len = 0;
	dn_amount price;
	k->seen++;
	hash_sale(&k->hash, s);
	assert_int_equal(dn_content_item(k->c, s->item, &origin, &price), DN_OK);
	assert_true(s->origin == origin);
	assert_true(s->price == price);
	assert_true(price >= k->cfg.price_min_base && price <= k->cfg.price_max_base);
	assert_true(dn_content_is_creator(k->c, origin));
	/* bounds */
	assert_true(s->n_middle <= DNC_MAX_MIDDLEMEN);
	assert_true(s->n_middle <= k->cfg.max_middlemen);
	/* the seller holds and offers the item before the sale; the buyer does not */
	assert_true(dn_content_holds(k->c, s->seller, s->item));
	assert_true(dn_content_offers(k->c, s->seller, s->item));
	assert_false(dn_content_holds(k->c, s->buyer, s->item));
	assert_true(s->buyer < k->cfg.n && s->seller < k->cfg.n);
	assert_true(s->buyer != s->seller && s->buyer != s->origin);
	/* R-FWD-3: direct iff S == O, and then no middlemen */
	if (s->seller == s->origin)
		assert_int_equal(s->n_middle, 0);
	/* the chain is the tree path from O to S, rebuilt from the model */
	x = s->seller;
	while (x != s->origin) {
		uint32_t p;
		assert_true(model_get(&k->m, s->item, x, &p)); /* x bought it, from p */
		assert_true(len < DNC_MAX_MIDDLEMEN + 1);
		path[len++] = x;
		x = p;
	}
	/* path = S, Mk, .., M1 (O excluded) */
	if (len == 0) {
		assert_int_equal(s->n_middle, 0);
	} else {
		assert_int_equal(s->n_middle, len - 1);
		for (uint32_t i = 0; i < s->n_middle; i++)
			assert_int_equal(s->middle[i], path[len - 1 - i]);
	}
	/* middlemen distinct, none the buyer, the origin or the seller */
	for (uint32_t i = 0; i < s->n_middle; i++) {
		assert_true(s->middle[i] != s->buyer);
		assert_true(s->middle[i] != s->origin && s->middle[i] != s->seller);
		for (uint32_t j = 0; j < i; j++)
			assert_true(s->middle[i] != s->middle[j]);
	}
	/* phase 2 */
	if (s->recommender != DN_CONTENT_NONE) {
		__extension__ unsigned __int128 f = (unsigned __int128)s->price * k->cfg.recommend_fee_ppm;
		k->rec_seen++;
		assert_true(dn_content_is_recommender(k->c, s->recommender));
		assert_true(s->recommender != s->buyer);
		assert_true(s->recommend_fee == (dn_amount)(f / 1000000u));
	} else {
		assert_true(s->recommend_fee == 0);
	}
	if (s->n_middle > k->max_mid)
		k->max_mid = s->n_middle;
}

static void checker_init(checker *k, dn_content *c, const dn_content_cfg *g)
{
	memset(k, 0, sizeof *k);
	k->c = c;
	k->cfg = *g;
	k->hash = UINT64_C(0xcbf29ce484222325);
	model_init(&k->m, 1u << 20);
}

static void accepted(checker *k, const dn_content_sale *s)
{
	model_put(&k->m, s->item, s->buyer, s->seller);
}

static bool accept_cb(void *ctx, const dn_content_sale *s)
{
	checker *k = ctx;
	check_sale(k, s);
	if (k->refuse_mod && (s->buyer + s->item) % k->refuse_mod == 0) {
		if (k->refused_n < 4096) {
			k->refused_item[k->refused_n] = s->item;
			k->refused_buyer[k->refused_n++] = s->buyer;
		}
		return false;
	}
	accepted(k, s);
	return true;
}

/* After a block: refused buyers hold exactly what the model says they hold. */
static void check_refused(const checker *k)
{
	for (uint32_t i = 0; i < k->refused_n; i++)
		assert_true(dn_content_holds(k->c, k->refused_buyer[i], k->refused_item[i]) ==
			    model_get(&k->m, k->refused_item[i], k->refused_buyer[i], NULL));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------------ graph */

static void check_graph(const dn_content *c, uint32_t n, uint32_t m, uint64_t edges)
{
	struct dn_content_stats st;
	uint64_t sum = 0;
	uint32_t **rows = calloc(n, sizeof *rows);
	assert_non_null(rows);
	dn_content_stats(c, &st);
	assert_int_equal(st.n, n);
	assert_true(st.edges == edges);
	for (uint32_t u = 0; u < n; u++) {
		uint32_t d;
		const uint32_t *nb = dn_content_neighbours(c, u, &d);
		assert_int_equal(d, dn_content_degree(c, u));
		sum += d;
		if (n > m)
			assert_true(d >= (m < n - 1 ? m : n - 1)); /* everybody has at least m */
		rows[u] = malloc((d ? d : 1) * sizeof **rows);
		assert_non_null(rows[u]);
		memcpy(rows[u], nb, d * sizeof *nb);
		qsort(rows[u], d, sizeof **rows, cmp_u32);
		for (uint32_t i = 0; i < d; i++) {
			assert_true(rows[u][i] < n);
			assert_true(rows[u][i] != u);                      /* no self-loop */
			if (i)
				assert_true(rows[u][i] != rows[u][i - 1]); /* no duplicate */
		}
	}
	assert_true(sum == 2 * edges);
	for (uint32_t u = 0; u < n; u++) { /* symmetric */
		uint32_t d = dn_content_degree(c, u);
		for (uint32_t i = 0; i < d; i++) {
			uint32_t v = rows[u][i];
			assert_non_null(bsearch(&u, rows[v], dn_content_degree(c, v), sizeof u, cmp_u32));
		}
	}
	for (uint32_t u = 0; u < n; u++)
		free(rows[u]);
	free(rows);
}

static void test_graph_barabasi_albert(void **st)
{
	dn_content_cfg g;
	dn_content *c;
	struct dn_content_stats s;
	(void)st;
	dn_content_cfg_default(&g);
	g.n = 20000;
	g.edges_per_node = 3;
	g.seed = 7;
	c = mk(&g);
	/* clique of m + 1 = 4 nodes (6 edges), then m edges per new node */
	check_graph(c, 20000, 3, 6 + 3ull * (20000 - 4));
	dn_content_stats(c, &s);
	printf("# BA n=20000 m=3: degree mean %.3f max %u\n", s.degree_mean, s.degree_max);
	assert_true(s.degree_max > 10 * s.degree_mean); /* heavy tail */
	dn_content_free(c);

	/* small graphs: a lone node, a clique smaller than m + 1, m + 2 nodes, m = 1 tree */
	g.n = 1;
	c = mk(&g);
	check_graph(c, 1, 3, 0);
	dn_content_free(c);
	g.n = 3;
	c = mk(&g);
	check_graph(c, 3, 3, 3);
	dn_content_free(c);
	g.n = 5;
	c = mk(&g);
	check_graph(c, 5, 3, 6 + 3);
	dn_content_free(c);
	g.n = 1000;
	g.edges_per_node = 1;
	c = mk(&g);
	check_graph(c, 1000, 1, 999); /* a tree */
	dn_content_free(c);
}

static void test_graph_deterministic_and_seeded(void **st)
{
	dn_content_cfg g;
	dn_content *a, *b, *d;
	uint32_t da, db, same = 1;
	(void)st;
	dn_content_cfg_default(&g);
	g.n = 5000;
	a = mk(&g);
	b = mk(&g);
	g.seed++;
	d = mk(&g);
	for (uint32_t u = 0; u < 5000; u++) {
		const uint32_t *na = dn_content_neighbours(a, u, &da), *nb = dn_content_neighbours(b, u, &db);
		assert_int_equal(da, db);
		assert_memory_equal(na, nb, da * sizeof *na);
		assert_true(dn_content_is_creator(a, u) == dn_content_is_creator(b, u));
		if (dn_content_degree(d, u) != da)
			same = 0;
	}
	assert_false(same);
	dn_content_free(a);
	dn_content_free(b);
	dn_content_free(d);
}

static void test_cfg_rejected(void **st)
{
	dn_content_cfg g, b;
	dn_content *c = (dn_content *)&g;
	(void)st;
	dn_content_cfg_default(&g);
	assert_int_equal(dn_content_new(NULL, &c), DN_EINVAL);
	assert_null(c);
	b = g; b.n = 0;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.edges_per_node = 0;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.creator_ppm = 1000001;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.resell_probability = 1.5;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.price_min_base = 0; /* log-uniform from 0 */
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.price_max_base = b.price_min_base - 1;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.max_middlemen = DNC_MAX_MIDDLEMEN + 1;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.max_holdings = 0;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.block_interval_s = 0;
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	b = g; b.n = 2000000000u; b.edges_per_node = 3; /* 2E >= 2^32 */
	assert_int_equal(dn_content_new(&b, &c), DN_EINVAL);
	assert_null(c);
	assert_int_equal(dn_content_block(NULL, 0, accept_cb, NULL), DN_EINVAL);
}

/* ------------------------------------------------------------ determinism */

static uint64_t run_hash(const dn_content_cfg *g, uint32_t blocks, bool poke_stats,
			 struct dn_content_stats *out)
{
	dn_content *c = mk(g);
	checker *k = malloc(sizeof *k);
	uint64_t h;
	assert_non_null(k);
	checker_init(k, c, g);
	k->refuse_mod = 7;
	for (uint32_t b = 0; b < blocks; b++) {
		struct dn_content_stats s;
		assert_int_equal(dn_content_block(c, b, accept_cb, k), DN_OK);
		if (poke_stats) {
			dn_content_stats(c, &s);
			(void)dn_content_bytes(c);
		}
	}
	dn_content_stats(c, out);
	assert_true(k->seen == out->offered);
	h = k->hash;
	model_free(&k->m);
	free(k);
	dn_content_free(c);
	return h;
}

static void test_determinism_same_seed_same_sales(void **st)
{
	dn_content_cfg g = busy_cfg(3000, 11);
	struct dn_content_stats s1, s2, s3;
	uint64_t h1, h2, h3;
	(void)st;
	g.recommender_ppm = 20000;
	g.recommend_probability = 0.3;
	h1 = run_hash(&g, 300, false, &s1);
	h2 = run_hash(&g, 300, true, &s2);
	g.seed = 12;
	h3 = run_hash(&g, 300, false, &s3);
	printf("# seed 11: %llu sales offered, hash %016llx; seed 12: %llu, %016llx\n",
	       (unsigned long long)s1.offered, (unsigned long long)h1,
	       (unsigned long long)s3.offered, (unsigned long long)h3);
	assert_true(s1.offered > 1000);
	assert_true(h1 == h2);
	assert_true(s1.sales == s2.sales && s1.holdings == s2.holdings);
	assert_true(h1 != h3);
}

/* -------------------------------------------------------- sale properties */

static void run_checked(const dn_content_cfg *g, uint32_t blocks, uint32_t refuse_mod,
			checker **kout, dn_content **cout)
{
	dn_content *c = mk(g);
	checker *k = malloc(sizeof *k);
	assert_non_null(k);
	checker_init(k, c, g);
	k->refuse_mod = refuse_mod;
	for (uint32_t b = 0; b < blocks; b++) {
		assert_int_equal(dn_content_block(c, 1000 + b, accept_cb, k), DN_OK);
		check_refused(k);
	}
	*kout = k;
	*cout = c;
}

static void done_checked(checker *k, dn_content *c)
{
	model_free(&k->m);
	free(k);
	dn_content_free(c);
}

static void test_R_FWD_1_chain_paths_valid(void **st)
{
	dn_content_cfg g = busy_cfg(4000, 21);
	struct dn_content_stats s;
	checker *k;
	dn_content *c;
	(void)st;
	g.resell_probability = 0.9;
	g.recommender_ppm = 10000;
	g.recommend_probability = 0.2;
	run_checked(&g, 600, 0, &k, &c);
	dn_content_stats(c, &s);
	printf("# R-FWD-1: %llu attempts, %llu sales (%llu direct, %llu forwarded, %llu via "
	       "recommender), middlemen mean %.2f max %u, %llu items, %llu holdings, %zu bytes\n",
	       (unsigned long long)s.attempts, (unsigned long long)s.sales,
	       (unsigned long long)s.direct_sales, (unsigned long long)s.forwarded_sales,
	       (unsigned long long)s.recommender_sales, s.middlemen_mean, s.middlemen_max,
	       (unsigned long long)s.items, (unsigned long long)s.holdings, dn_content_bytes(c));
	assert_true(s.sales == k->seen && s.unpaid == 0);
	assert_true(s.direct_sales + s.forwarded_sales == s.sales);
	assert_true(s.forwarded_sales > 0 && s.direct_sales > 0);
	assert_true(s.middlemen_max >= 2);   /* chains do grow */
	assert_true(s.middlemen_max == k->max_mid);
	assert_true(s.recommender_sales > 0 && s.recommender_sales == k->rec_seen);
	assert_true(s.holdings == s.items + s.sales);
	assert_true(s.attempts == s.offered + s.no_offer + s.refused_full);
	done_checked(k, c);
}

static void test_R_FWD_2_depth_cap_honoured(void **st)
{
	dn_content_cfg g = busy_cfg(2000, 5);
	struct dn_content_stats s;
	checker *k;
	dn_content *c;
	(void)st;
	g.resell_probability = 1.0;
	g.max_middlemen = 2; /* a holder at depth > 3 never resells */
	run_checked(&g, 800, 0, &k, &c);
	dn_content_stats(c, &s);
	printf("# depth cap 2: %llu sales, middlemen max %u\n", (unsigned long long)s.sales,
	       s.middlemen_max);
	assert_true(s.middlemen_max == 2); /* reached, never passed (check_sale) */
	assert_true(s.resellers < s.holdings);  /* the deep holders do not offer */
	done_checked(k, c);
}

static void test_refused_sale_buyer_gets_nothing(void **st)
{
	dn_content_cfg g = busy_cfg(2000, 9);
	struct dn_content_stats s;
	checker *k;
	dn_content *c;
	(void)st;
	g.items_per_creator_per_day = 200;
	/* every sale refused: only origins ever hold, so every offer is direct */
	run_checked(&g, 300, 1, &k, &c);
	dn_content_stats(c, &s);
	assert_true(s.offered > 100);
	assert_true(s.sales == 0 && s.unpaid == s.offered);
	assert_true(s.holdings == s.items);
	assert_true(k->max_mid == 0);
	done_checked(k, c);
	/* a third refused: refused buyers hold only what they bought later (check_refused) */
	run_checked(&g, 300, 3, &k, &c);
	dn_content_stats(c, &s);
	assert_true(s.unpaid > 0 && s.sales > 0 && k->refused_n > 0);
	assert_true(s.holdings == s.items + s.sales);
	done_checked(k, c);
}

static void test_max_holdings_exhaustion(void **st)
{
	dn_content_cfg g = busy_cfg(2000, 3);
	struct dn_content_stats s;
	checker *k;
	dn_content *c;
	(void)st;
	g.max_holdings = 300;
	g.max_items = 100000;
	g.items_per_creator_per_day = 200;
	run_checked(&g, 1500, 0, &k, &c);
	dn_content_stats(c, &s);
	printf("# max_holdings 300: %llu holdings, %llu attempts dropped, %llu items dropped\n",
	       (unsigned long long)s.holdings, (unsigned long long)s.refused_full,
	       (unsigned long long)s.items_refused);
	assert_true(s.holdings == 300);
	assert_true(s.refused_full > 0 && s.items_refused > 0);
	assert_true(s.holdings == s.items + s.sales);
	done_checked(k, c);
	/* the item bound */
	g.max_holdings = 1u << 20;
	g.max_items = 5;
	run_checked(&g, 400, 0, &k, &c);
	dn_content_stats(c, &s);
	assert_true(s.items == 5 && s.items_refused > 0);
	done_checked(k, c);
}

static void test_phase1_only_without_recommenders(void **st)
{
	dn_content_cfg g = busy_cfg(2000, 13);
	struct dn_content_stats s;
	checker *k;
	dn_content *c;
	(void)st;
	g.recommender_ppm = 0;
	g.recommend_probability = 1.0; /* nobody to ask: neighbour purchases only */
	run_checked(&g, 200, 0, &k, &c);
	dn_content_stats(c, &s);
	assert_true(s.recommenders == 0 && s.recommender_sales == 0 && k->rec_seen == 0);
	assert_true(s.sales > 0);
	done_checked(k, c);
}

/* ------------------------------------------- settlement through the chain */

typedef struct world {
	checker *k;
	dnc_chain *chain;
	dnc_ledger *L;
	dnc_acct *acct;      /* agent -> account */
	dnc_acct pot;
	uint32_t n_acct;     /* accounts in the ledger */
	dn_amount *before;
	uint64_t settled, unpaid, two_mid, rec;
} world;

/* R-FWD-1..3 and R-FEE-2/3 recomputed by hand from the rules' text. */
static void hand_split(dn_amount price, uint32_t k, bool direct, dn_amount *fee,
		       dn_amount *o, dn_amount *mid, dn_amount *sel)
{
	dn_amount net, pool, r, given = 0;
	*fee = price * 5000 / 1000000;             /* R-FEE-2: 0.5 % off first (R-FEE-3) */
	net = price - *fee;
	memset(mid, 0, k * sizeof *mid);
	if (direct) {                              /* R-FWD-3 */
		*o = net;
		*sel = 0;
		return;
	}
	*o = net * 150000 / 1000000;               /* R-FWD-1: 15 % */
	pool = net * 200000 / 1000000;             /* R-FWD-1: 20 % */
	r = pool / 2;                              /* R-FWD-2: M1 half the pool */
	for (uint32_t i = 0; i < k && r >= 10; i++) {
		mid[i] = r;
		given += r;
		r /= 2;
	}
	*sel = net - *o - given;                   /* R-FWD-3: the rest to S */
}

static bool settle_cb(void *ctx, const dn_content_sale *s)
{
	world *w = ctx;
	dnc_acct mid[DNC_MAX_MIDDLEMEN];
	dn_amount fee, o, m[DNC_MAX_MIDDLEMEN], sel, sum = 0;
	dn_amount *exp_delta;
	dnc_fwd_split sp;
	bool direct = s->seller == s->origin;
	check_sale(w->k, s);
	if (dnc_ledger_balance(w->L, w->acct[s->buyer]) < s->price + s->recommend_fee) {
		w->unpaid++;
		return false; /* the buyer cannot pay */
	}
	memcpy(w->before, dnc_ledger_balances(w->L), w->n_acct * sizeof *w->before);
	for (uint32_t i = 0; i < s->n_middle; i++)
		mid[i] = w->acct[s->middle[i]];
	assert_int_equal(dnc_chain_pay_content(w->chain, w->acct[s->buyer], w->acct[s->origin],
					       mid, s->n_middle, w->acct[s->seller], s->price, &sp),
			 DNC_OK);
	if (s->recommender != DN_CONTENT_NONE) {
		assert_int_equal(dnc_ledger_transfer(w->L, w->acct[s->buyer],
						     w->acct[s->recommender], s->recommend_fee),
				 DNC_OK);
		w->rec++;
	}
	/* the library's split equals the hand computation */
	hand_split(s->price, s->n_middle, direct, &fee, &o, m, &sel);
	assert_true(sp.fee == fee && sp.origin == o);
	if (!direct)
		assert_true(sp.seller == sel);
	for (uint32_t i = 0; i < s->n_middle; i++)
		assert_true(sp.middle[i] == m[i]);
	/* every account moved by exactly its share; nothing created or lost */
	exp_delta = calloc(w->n_acct, sizeof *exp_delta);
	assert_non_null(exp_delta);
	exp_delta[w->acct[s->buyer]] -= s->price + s->recommend_fee;
	exp_delta[w->pot] += fee;
	exp_delta[w->acct[s->origin]] += o;
	if (!direct)
		exp_delta[w->acct[s->seller]] += sel;
	for (uint32_t i = 0; i < s->n_middle; i++)
		exp_delta[w->acct[s->middle[i]]] += m[i];
	if (s->recommender != DN_CONTENT_NONE)
		exp_delta[w->acct[s->recommender]] += s->recommend_fee;
	for (uint32_t a = 0; a < w->n_acct; a++) {
		dn_amount d = dnc_ledger_balances(w->L)[a] - w->before[a];
		assert_true(d == exp_delta[a]);
		sum += d;
	}
	assert_true(sum == 0);
	free(exp_delta);
	if (s->n_middle == 2)
		w->two_mid++;
	w->settled++;
	accepted(w->k, s);
	return true;
}

static dnc_chain *mk_chain(uint32_t n_agents, dnc_acct *acct, dnc_acct *pot)
{
	dnc_params p;
	dnc_sigscheme sch;
	dnc_chain_limits lim = { n_agents + 8, 16, 16 };
	dnc_pubkey fk;
	dnc_chain *ch = NULL;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&sch), DNC_OK);
	memset(&fk, 0xee, sizeof fk);
	assert_int_equal(dnc_chain_create(&p, &sch, &lim, &fk, &ch), DNC_OK);
	for (uint32_t a = 0; a < n_agents; a++) {
		dnc_pubkey pk;
		memset(&pk, 0, sizeof pk);
		memcpy(pk.b, &a, sizeof a);
		pk.b[31] = 0x5a;
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(ch), &pk, &acct[a]), DNC_OK);
	}
	*pot = dnc_chain_fee_pot(ch);
	return ch;
}

static dn_amount balance_sum(const dnc_ledger *L)
{
	dn_amount s = 0;
	for (uint32_t a = 0; a < dnc_ledger_count(L); a++)
		s += dnc_ledger_balances(L)[a];
	return s;
}

static void test_R_FWD_3_settled_on_chain_conserves(void **st)
{
	const uint32_t n = 600;
	dn_content_cfg g = busy_cfg(n, 31);
	struct dn_content_stats s;
	dn_content *c;
	checker *k = malloc(sizeof *k);
	world w;
	dn_amount total0;
	(void)st;
	assert_non_null(k);
	g.resell_probability = 0.8;
	g.recommender_ppm = 30000;
	g.recommend_probability = 0.25;
	g.recommend_fee_ppm = 20000;
	c = mk(&g);
	checker_init(k, c, &g);
	memset(&w, 0, sizeof w);
	w.k = k;
	w.acct = malloc(n * sizeof *w.acct);
	assert_non_null(w.acct);
	w.chain = mk_chain(n, w.acct, &w.pot);
	w.L = dnc_chain_ledger(w.chain);
	w.n_acct = dnc_ledger_count(w.L);
	w.before = malloc(w.n_acct * sizeof *w.before);
	assert_non_null(w.before);
	for (uint32_t a = 0; a < n; a++) /* every fifth agent nearly broke: some sales fail */
		assert_int_equal(dnc_ledger_mint(w.L, w.acct[a], a % 5 ? 500 * DNET : DNET / 20),
				 DNC_OK);
	total0 = balance_sum(w.L);
	for (uint32_t b = 0; b < 500; b++)
		assert_int_equal(dn_content_block(c, b, settle_cb, &w), DN_OK);
	dn_content_stats(c, &s);
	printf("# chain: %llu settled (%llu with 2 middlemen, %llu recommended), %llu unpaid, "
	       "volume %lld, fees to recommenders %lld\n",
	       (unsigned long long)w.settled, (unsigned long long)w.two_mid,
	       (unsigned long long)w.rec, (unsigned long long)w.unpaid,
	       (long long)s.volume_base, (long long)s.recommend_fees_base);
	assert_true(balance_sum(w.L) == total0);
	assert_int_equal(dnc_chain_check(w.chain), DNC_OK);
	assert_true(s.sales == w.settled && s.unpaid == w.unpaid);
	assert_true(w.settled > 100 && w.unpaid > 0 && w.two_mid > 0 && w.rec > 0);
	assert_true(s.recommender_sales == w.rec);
	dnc_chain_destroy(w.chain);
	free(w.acct);
	free(w.before);
	model_free(&k->m);
	free(k);
	dn_content_free(c);
}

/* R-FWD-1/2: one 2-middlemen sale of 1000 DNET, by hand. */
static void test_R_FWD_2_two_middlemen_by_hand(void **st)
{
	dnc_acct acct[5], pot; /* 0 buyer, 1 O, 2 M1, 3 M2, 4 S */
	dnc_chain *ch = mk_chain(5, acct, &pot);
	dnc_ledger *L = dnc_chain_ledger(ch);
	dnc_fwd_split sp;
	dnc_acct mid[2];
	(void)st;
	assert_int_equal(dnc_ledger_mint(L, acct[0], 2000 * DNET), DNC_OK);
	mid[0] = acct[2];
	mid[1] = acct[3];
	assert_int_equal(dnc_chain_pay_content(ch, acct[0], acct[1], mid, 2, acct[4],
					       1000 * DNET, &sp), DNC_OK);
	/* fee 0.5 % off first: 5 DNET; 995 DNET left */
	assert_true(dnc_ledger_balance(L, pot) == 5 * DNET);
	assert_true(dnc_ledger_balance(L, acct[1]) == 14925 * DNET / 100); /* O 15 %: 149.25 */
	assert_true(dnc_ledger_balance(L, acct[2]) == 995 * DNET / 10);    /* M1 10 %: 99.5 */
	assert_true(dnc_ledger_balance(L, acct[3]) == 4975 * DNET / 100);  /* M2 5 %: 49.75 */
	/* S 60 % + the 5 % left over + the unused 5 % of the pool: 70 % = 696.5 */
	assert_true(dnc_ledger_balance(L, acct[4]) == 6965 * DNET / 10);
	assert_true(dnc_ledger_balance(L, acct[0]) == 1000 * DNET);
	dnc_chain_destroy(ch);
}

/* ------------------------------------------------------------ measurement */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static bool accept_all(void *ctx, const dn_content_sale *s)
{
	(void)s;
	(*(uint64_t *)ctx)++;
	return true;
}

static void test_measure_1M_build(void **st)
{
	dn_content_cfg g;
	dn_content *c;
	struct dn_content_stats s;
	double t0, t1, t2;
	uint64_t sold = 0;
	size_t b0;
	(void)st;
	dn_content_cfg_default(&g);
	g.n = 1000000;
	g.edges_per_node = 3;
	g.recommender_ppm = 1000;
	g.recommend_probability = 0.1;
	t0 = now_s();
	c = mk(&g);
	t1 = now_s();
	b0 = dn_content_bytes(c);
	for (uint32_t b = 0; b < 1000; b++)
		assert_int_equal(dn_content_block(c, b, accept_all, &sold), DN_OK);
	t2 = now_s();
	dn_content_stats(c, &s);
	printf("# 1M nodes m=3: build %.3f s, %zu bytes (%.1f per node); degree max %u mean %.2f\n",
	       t1 - t0, b0, (double)b0 / 1e6, s.degree_max, s.degree_mean);
	printf("# then 1000 blocks of 10 s: %.3f s, %llu sales, %llu items, %zu bytes\n", t2 - t1,
	       (unsigned long long)sold, (unsigned long long)s.items, dn_content_bytes(c));
	assert_true(s.sales == sold);
	dn_content_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph_barabasi_albert),
		cmocka_unit_test(test_graph_deterministic_and_seeded),
		cmocka_unit_test(test_cfg_rejected),
		cmocka_unit_test(test_determinism_same_seed_same_sales),
		cmocka_unit_test(test_R_FWD_1_chain_paths_valid),
		cmocka_unit_test(test_R_FWD_2_depth_cap_honoured),
		cmocka_unit_test(test_refused_sale_buyer_gets_nothing),
		cmocka_unit_test(test_max_holdings_exhaustion),
		cmocka_unit_test(test_phase1_only_without_recommenders),
		cmocka_unit_test(test_R_FWD_3_settled_on_chain_conserves),
		cmocka_unit_test(test_R_FWD_2_two_middlemen_by_hand),
		cmocka_unit_test(test_measure_1M_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
