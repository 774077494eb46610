/*
 * test_world_pool.c: the mempool's order (w_pool_sort, world_block.c).
 * The block applies the pool in arrival order: time, then origin tile,
 * then the tile's sequence number, equal keys in the order they were
 * added. The pool is sorted through one key per entry and copied once;
 * this checks it against a plain stable sort over pools with many equal
 * keys, sorted again after more arrivals, and left alone when in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Adds a transaction with a key drawn from few values (many ties); its
 * agent field is its number, to tell equal keys apart. */
static void add(world *W, uint64_t *s, uint32_t id)
{
	wtx q;
	memset(&q, 0, sizeof q);
	q.arrive_ns = (dn_time_ns)(lcg(s) % 7) * 1000;
	q.part = (uint32_t)(lcg(s) % 3);
	q.seq = lcg(s) % 4;
	q.agent = id;
	q.tx.nonce = id; /* the transaction travels with its entry */
	assert_int_equal(wvec_push(&W->mp.pool, &q), DN_OK);
}

static int before(const wtx *a, const wtx *b)
{
	return w_cmp_arrival(a->arrive_ns, a->part, a->seq, b->arrive_ns, b->part, b->seq) < 0;
}

/* The reference: a stable insertion sort of a copy. */
static wtx *reference(const world *W)
{
	size_t n = W->mp.pool.n;
	wtx *r = malloc((n ? n : 1) * sizeof *r);
	assert_non_null(r);
	if (n)
		memcpy(r, W->mp.pool.v, n * sizeof *r);
	for (size_t i = 1; i < n; i++) {
		wtx x = r[i];
		size_t j = i;
		while (j > 0 && before(&x, &r[j - 1])) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
	return r;
}

static void assert_sorted_like(const world *W, const wtx *r)
{
	for (size_t i = 0; i < W->mp.pool.n; i++) {
		const wtx *q = wvec_at(&W->mp.pool, i);
		assert_int_equal(q->agent, r[i].agent);
		assert_int_equal(q->tx.nonce, r[i].agent);
		assert_true(q->arrive_ns == r[i].arrive_ns && q->part == r[i].part && q->seq == r[i].seq);
	}
}

static void test_pool_sorted_in_arrival_order_equal_keys_kept(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 2, 3, 17, 64, 65, 300, 1000};
	uint64_t seed = 12345;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		world *W = calloc(1, sizeof *W);
		assert_non_null(W);
		W->mp.pool.size = W->mp.sorted.size = sizeof(wtx);
		uint32_t id = 0;
		for (size_t i = 0; i < sizes[k]; i++)
			add(W, &seed, id++);
		wtx *r = reference(W);
		w_pool_sort(W);
		assert_int_equal(W->mp.pool.n, sizes[k]);
		assert_sorted_like(W, r);
		free(r);
		/* in order already: left as it is */
		void *buf = W->mp.pool.v;
		w_pool_sort(W);
		assert_ptr_equal(W->mp.pool.v, buf);
		/* more arrive (the next window's outboxes): sorted again,
		 * the earlier ones among them */
		for (size_t i = 0; i < sizes[k] / 2 + 1; i++)
			add(W, &seed, id++);
		r = reference(W);
		w_pool_sort(W);
		assert_sorted_like(W, r);
		free(r);
		wvec_free(&W->mp.pool);
		wvec_free(&W->mp.sorted);
		free(W->mp.keys);
		free(W);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_sorted_in_arrival_order_equal_keys_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
