/*
 * test_chain_sec1_chain.c: rules section 1, the chain (R-CHAIN-1..5):
 * block interval, Merkle trees and the light node, confirmations, fork
 * choice and the service-latency statistics; and the chain id, the
 * genesis hash every signed message names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x01;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

static void leaf_of(uint32_t i, dnc_hash *h)
{
	uint8_t b[4];
	memcpy(b, &i, 4);
	dnc_merkle_leaf(b, 4, h);
}

static void test_R_CHAIN_1_interval_and_slots(void **st)
{
	dnc_params p;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_blocks_per_year(p.block_interval_s), 3153600);
	assert_int_equal(dnc_slot_of(&p, 1000, 1000), 0);
	assert_int_equal(dnc_slot_of(&p, 1000, 1009), 0);
	assert_int_equal(dnc_slot_of(&p, 1000, 1010), 1);
	assert_int_equal(dnc_slot_of(&p, 1000, 1000 + 86400), 8640);
}

static void test_R_CHAIN_2_merkle_proofs_all_sizes(void **st)
{
	dnc_hash leaves[70], scratch[70], root, root2;
	dnc_merkle_tree t;
	dnc_merkle_proof pr;
	uint32_t n, i;
	(void)st;
	for (i = 0; i < 70; i++)
		leaf_of(i, &leaves[i]);
	for (n = 1; n <= 70; n++) {
		assert_int_equal(dnc_merkle_tree_build(leaves, n, &t), DNC_OK);
		dnc_merkle_tree_root(&t, &root);
		dnc_merkle_root(leaves, n, scratch, &root2);
		assert_memory_equal(root.b, root2.b, 32);
		for (i = 0; i < n; i++) {
			assert_int_equal(dnc_merkle_tree_proof(&t, i, &pr), DNC_OK);
			assert_int_equal(dnc_merkle_verify(&root, &leaves[i], &pr), DNC_OK);
			/* wrong leaf, wrong index: rejected */
			assert_int_equal(dnc_merkle_verify(&root, &leaves[(i + 1) % 70], &pr),
					 DNC_EPROOF);
			if (n > 1) {
				pr.index = (i + 1) % n;
				assert_int_equal(dnc_merkle_verify(&root, &leaves[i], &pr), DNC_EPROOF);
			}
		}
		dnc_merkle_tree_free(&t);
	}
}

static void test_R_CHAIN_2_merkle_leaf_is_not_node(void **st)
{
	dnc_hash a, b, node, fake;
	uint8_t buf[64];
	(void)st;
	leaf_of(1, &a);
	leaf_of(2, &b);
	dnc_merkle_node(&a, &b, &node);
	memcpy(buf, a.b, 32);
	memcpy(buf + 32, b.b, 32);
	dnc_merkle_leaf(buf, 64, &fake); /* domain separation */
	assert_memory_not_equal(node.b, fake.b, 32);
}

/* a chain whose state and transactions a light node checks */
static void test_R_CHAIN_2_light_node_checks_data_service(void **st)
{
	dnc_sigscheme s;
	dnc_params p;
	dnc_chain_limits lim = { 64, 8, 8 };
	dnc_chain *c;
	user u[10], f, prod;
	dnc_tx txs[5];
	dnc_hash lv[5], sc[5];
	dnc_block_header g, h;
	dnc_light light;
	dnc_merkle_tree tt, stree;
	dnc_merkle_proof pr;
	dnc_account_record rec;
	uint32_t i;
	(void)st;
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	dnc_params_default(&p);
	mk_user(&s, 1000, &f);
	mk_user(&s, 1001, &prod);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f.pk, &c), DNC_OK);
	for (i = 0; i < 10; i++) {
		mk_user(&s, i, &u[i]);
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &u[i].pk, &u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, u[i].a, DNC_GEN_SALE, 10 * DNET), DNC_OK);
	}
	/* genesis header the light node trusts */
	memset(&g, 0, sizeof g);
	g.producer = prod.pk;
	assert_int_equal(dnc_header_sign(&s, prod.sk, &g), DNC_OK);
	dnc_light_init(&light, &g);
	/* block 1: five transfers */
	for (i = 0; i < 5; i++) {
		memset(&txs[i], 0, sizeof txs[i]);
		txs[i].type = DNC_TX_TRANSFER;
		txs[i].from = u[i].pk;
		txs[i].u.transfer.to = u[i + 5].pk;
		txs[i].u.transfer.amount = (dn_amount)(i + 1) * DNET;
		assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), u[i].sk, &txs[i]), DNC_OK);
		assert_int_equal(dnc_chain_apply_tx(c, &txs[i], 10, DNC_APPLY_VERIFY_SIG, NULL), DNC_OK);
	}
	memset(&h, 0, sizeof h);
	h.height = 1;
	dnc_header_hash(&g, &h.parent);
	h.producer = prod.pk;
	h.slot_time_s = 10;
	h.n_tx = 5;
	assert_int_equal(dnc_tx_root(txs, 5, lv, sc, &h.tx_root), DNC_OK);
	assert_int_equal(dnc_state_tree(dnc_chain_ledger(c), &stree), DNC_OK);
	dnc_merkle_tree_root(&stree, &h.state_root);
	assert_int_equal(dnc_header_sign(&s, prod.sk, &h), DNC_OK);
	/* wrong producer, bad parent, bad signature are refused */
	assert_int_equal(dnc_light_accept(&light, &s, &h, &f.pk), DNC_EPRODUCER);
	{
		dnc_block_header bad = h;
		bad.parent.b[0] ^= 1;
		assert_int_equal(dnc_light_accept(&light, &s, &bad, &prod.pk), DNC_EPARENT);
		bad = h;
		bad.state_root.b[3] ^= 1;
		assert_int_equal(dnc_light_accept(&light, &s, &bad, &prod.pk), DNC_EBADSIG);
	}
	assert_int_equal(dnc_light_accept(&light, &s, &h, &prod.pk), DNC_OK);
	/* data service serves tx 3 with its proof */
	assert_int_equal(dnc_merkle_tree_build(lv, 5, &tt), DNC_OK);
	assert_int_equal(dnc_merkle_tree_proof(&tt, 3, &pr), DNC_OK);
	assert_int_equal(dnc_light_check_tx(&light, &txs[3], &pr), DNC_OK);
	txs[3].u.transfer.amount++;
	assert_int_equal(dnc_light_check_tx(&light, &txs[3], &pr), DNC_EPROOF);
	/* and an account record */
	assert_int_equal(dnc_ledger_account_record(dnc_chain_ledger(c), u[7].a, &rec), DNC_OK);
	assert_int_equal(dnc_merkle_tree_proof(&stree, u[7].a, &pr), DNC_OK);
	assert_int_equal(dnc_light_check_account(&light, &rec, &pr), DNC_OK);
	assert_true(rec.balance == 10 * DNET + 3 * DNET);
	rec.balance += 1; /* a lying data-service node */
	assert_int_equal(dnc_light_check_account(&light, &rec, &pr), DNC_EPROOF);
	dnc_merkle_tree_free(&tt);
	dnc_merkle_tree_free(&stree);
	dnc_chain_destroy(c);
}

static void test_R_CHAIN_2_header_codec(void **st)
{
	dnc_block_header h, d;
	uint8_t buf[DNC_HEADER_BYTES];
	uint32_t i;
	(void)st;
	memset(&h, 0, sizeof h);
	h.height = 123456789;
	h.slot_time_s = 987654321;
	h.n_tx = 70000;
	for (i = 0; i < 32; i++) {
		h.parent.b[i] = (uint8_t)i;
		h.tx_root.b[i] = (uint8_t)(3 * i);
	}
	dnc_header_encode(&h, buf);
	assert_int_equal(dnc_header_decode(buf, sizeof buf, &d), DNC_OK);
	assert_memory_equal(&h, &d, sizeof h);
	assert_int_equal(dnc_header_decode(buf, sizeof buf - 1, &d), DNC_EMALFORMED);
}

static void test_R_CHAIN_3_confirmations(void **st)
{
	dnc_params p;
	dnc_confirm c;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.confirmations, 3);
	dnc_confirm_init(&c, p.confirmations);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_INCLUDED);
	dnc_confirm_slot(&c, 1);
	dnc_confirm_slot(&c, 1);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_INCLUDED);
	dnc_confirm_slot(&c, 0);            /* a gap breaks the run */
	dnc_confirm_slot(&c, 1);
	dnc_confirm_slot(&c, 1);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_INCLUDED);
	dnc_confirm_slot(&c, 1);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_CONFIRMED);
	dnc_confirm_init(&c, 3);
	dnc_confirm_slot(&c, 0);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_INCLUDED);
	dnc_confirm_slot(&c, 0);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_PROBABLY_FORK);
	dnc_confirm_slot(&c, 0);
	assert_int_equal(dnc_confirm_get(&c), DNC_CONF_ON_FORK);
}

static void hid(uint32_t i, dnc_hash *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->b, &i, 4);
	h->b[31] = 0xaa;
}

static void test_R_CHAIN_4_fork_choice(void **st)
{
	dnc_forktree t;
	dnc_hash g, a1, a2, a3, b1, b2, c1;
	uint32_t best;
	(void)st;
	hid(0, &g);
	hid(1, &a1); hid(2, &a2); hid(3, &a3);
	hid(11, &b1); hid(12, &b2);
	hid(21, &c1);
	assert_int_equal(dnc_forktree_init(&t, 16, &g), DNC_OK);
	/* fork A: longer, little traffic; fork B: shorter, more traffic */
	assert_int_equal(dnc_forktree_add(&t, &a1, &g, 5, 10, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &a2, &a1, 5, 20, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &a3, &a2, 5, 30, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &b1, &g, 10, 10, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &b2, &b1, 10, 20, NULL), DNC_OK);
	best = dnc_forktree_best(&t);
	assert_memory_equal(t.v[best].id.b, b2.b, 32);   /* most traffic wins */
	/* equal traffic: the longest */
	assert_int_equal(dnc_forktree_add(&t, &c1, &a3, 5, 40, NULL), DNC_OK);
	best = dnc_forktree_best(&t);
	assert_memory_equal(t.v[best].id.b, c1.b, 32);   /* 20 vs 20, longer */
	/* unknown parent, duplicate */
	assert_int_equal(dnc_forktree_add(&t, &b2, &b1, 1, 50, NULL), DNC_EEXISTS);
	{
		dnc_hash x, y;
		hid(99, &x);
		hid(98, &y);
		assert_int_equal(dnc_forktree_add(&t, &x, &y, 1, 50, NULL), DNC_EPARENT);
	}
	/* fork B unused for long: abandoned, never the best */
	assert_int_equal(dnc_forktree_touch(&t, &c1, 500), DNC_OK);
	assert_int_equal(dnc_forktree_prune(&t, 500, 300), 1);
	best = dnc_forktree_best(&t);
	assert_memory_equal(t.v[best].id.b, c1.b, 32);
	dnc_forktree_free(&t);
}

static void test_R_CHAIN_5_latency_stats(void **st)
{
	dnc_latency l;
	uint64_t i, p50, p99;
	(void)st;
	dnc_latency_init(&l, 15000000);
	for (i = 1; i <= 1000; i++)
		dnc_latency_add(&l, i * 20000); /* 20 ms .. 20 s */
	p50 = dnc_latency_quantile(&l, 500000);
	p99 = dnc_latency_quantile(&l, 990000);
	assert_true(p50 <= 10000000 && p50 >= 10000000 / 8 * 7);
	assert_true(p99 <= 19800000 && p99 >= 19800000 / 8 * 7);
	assert_true(dnc_latency_quantile(&l, 1000000) == 20000000);
	assert_true(l.over_bound == 250); /* above 15 s */
}

/* a chain's id after creating it with p, s and foundation pk f and
 * giving each of n users amount[i] (kind[i]) at genesis */
static void id_of(const dnc_params *p, const dnc_sigscheme *s, uint32_t accounts,
		  const dnc_pubkey *f, const user *u, uint32_t n, const dn_amount *amount,
		  const dnc_genesis_kind *kind, dnc_hash *id)
{
	dnc_chain_limits lim = { accounts, 8, 8 };
	dnc_chain *c;
	dnc_acct a;
	uint32_t i;
	assert_int_equal(dnc_chain_create(p, s, &lim, f, &c), DNC_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &u[i].pk, &a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, a, kind[i], amount[i]), DNC_OK);
	}
	*id = *dnc_chain_id(c);
	dnc_chain_destroy(c);
}

#define SAME(x, y) assert_memory_equal((x).b, (y).b, DNC_HASH_BYTES)
#define DIFF(x, y) assert_memory_not_equal((x).b, (y).b, DNC_HASH_BYTES)

/*
 * The chain id is the genesis hash: the same genesis gives the same id, a
 * change to any part of it (a rule parameter, the signature scheme, the
 * foundation, an allocation's recipient, kind, amount or order) another
 * one; node-local settings and table sizes do not count; it is final once
 * block 0 ends.
 */
static void test_chain_id_is_the_genesis_hash(void **st)
{
	static const uint8_t key[32] = "chain id scheme key";
	dnc_params p, q;
	dnc_sigscheme ed, kb;
	dnc_hash base, id, zero;
	user u[3], f, g;
	dn_amount am[3] = { 10 * DNET, 20 * DNET, 30 * DNET }, am2[3];
	dnc_genesis_kind ki[3] = { DNC_GEN_SALE, DNC_GEN_SALE, DNC_GEN_COMMUNITY }, ki2[3];
	user swapped[3];
	dnc_chain_limits lim = { 8, 8, 8 };
	dnc_chain *c;
	dnc_acct a;
	uint32_t i;
	(void)st;
	assert_int_equal(dnc_sig_init_ed25519(&ed), DNC_OK);
	assert_int_equal(dnc_sig_init_keyed(&kb, key), DNC_OK);
	dnc_params_default(&p);
	mk_user(&ed, 500, &f);
	mk_user(&ed, 501, &g);
	for (i = 0; i < 3; i++)
		mk_user(&ed, 510 + i, &u[i]);
	id_of(&p, &ed, 8, &f.pk, u, 3, am, ki, &base);
	memset(&zero, 0, sizeof zero);
	DIFF(base, zero);
	id_of(&p, &ed, 8, &f.pk, u, 3, am, ki, &id);
	SAME(base, id);                               /* deterministic */
	id_of(&p, &ed, 64, &f.pk, u, 3, am, ki, &id);
	SAME(base, id);                               /* table sizes do not count */
	q = p;
	q.confirmations = 6;
	q.grace_units = 9;
	q.check_conservation = 0;
	id_of(&q, &ed, 8, &f.pk, u, 3, am, ki, &id);
	SAME(base, id);                               /* nor node-local settings */
	q = p;
	q.community_fee_ppm = 4000;
	id_of(&q, &ed, 8, &f.pk, u, 3, am, ki, &id);
	DIFF(base, id);                               /* a rule parameter */
	q = p;
	q.f2f_max_failures = 6;
	id_of(&q, &ed, 8, &f.pk, u, 3, am, ki, &id);
	DIFF(base, id);
	/* the parameters added later (R-EMIT-1 schedule, R-CONS-3 weights):
	 * each is a rule parameter too */
	for (i = 0; i < 7; i++) {
		q = p;
		switch (i) {
		case 0: q.emission_kind = DNC_EMIT_HALVING; break;
		case 1: q.emission_blocks = 1000; break;
		case 2: q.emission_decay_ppm = 700000; break;
		case 3: q.emission_halving_years = 2; break;
		case 4: q.quality_price_ppm = 1000000; q.quality_loss_ppm = 0;
			q.quality_stability_ppm = 0; break;
		case 5: q.quality_loss_ppm = 333334; q.quality_price_ppm = 333333; break;
		default: q.quality_stability_ppm = 333334; q.quality_price_ppm = 333333; break;
		}
		id_of(&q, &ed, 8, &f.pk, u, 3, am, ki, &id);
		DIFF(base, id);
	}
	id_of(&p, &kb, 8, &f.pk, u, 3, am, ki, &id);
	DIFF(base, id);                               /* the signature scheme */
	id_of(&p, &ed, 8, &g.pk, u, 3, am, ki, &id);
	DIFF(base, id);                               /* the foundation */
	id_of(&p, &ed, 8, &f.pk, u, 2, am, ki, &id);
	DIFF(base, id);                               /* one allocation fewer */
	memcpy(am2, am, sizeof am);
	am2[1] += 1;
	id_of(&p, &ed, 8, &f.pk, u, 3, am2, ki, &id);
	DIFF(base, id);                               /* an amount */
	memcpy(ki2, ki, sizeof ki);
	ki2[0] = DNC_GEN_COMMUNITY;
	id_of(&p, &ed, 8, &f.pk, u, 3, am, ki2, &id);
	DIFF(base, id);                               /* a kind */
	swapped[0] = u[1];
	swapped[1] = u[0];
	swapped[2] = u[2];
	id_of(&p, &ed, 8, &f.pk, swapped, 3, am, ki, &id);
	DIFF(base, id);                               /* who got what */
	/* final once block 0 ends */
	assert_int_equal(dnc_chain_create(&p, &ed, &lim, &f.pk, &c), DNC_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &u[i].pk, &a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, a, ki[i], am[i]), DNC_OK);
	}
	SAME(base, *dnc_chain_id(c));
	{
		dnc_delegate_set ds;
		memset(&ds, 0, sizeof ds);
		ds.n = 1;
		ds.n_kind[DNC_SEAT_STAKE] = 1;
		ds.seat[0].acct = a;
		assert_int_equal(dnc_chain_set_delegates(c, &ds), DNC_OK);
	}
	assert_int_equal(dnc_chain_end_block(c, 0, 10, NULL), DNC_OK);
	assert_int_equal(dnc_chain_genesis(c, a, DNC_GEN_SALE, DNET), DNC_ETOOLATE);
	SAME(base, *dnc_chain_id(c));
	dnc_chain_destroy(c);
}

#undef SAME
#undef DIFF

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CHAIN_1_interval_and_slots),
		cmocka_unit_test(test_R_CHAIN_2_merkle_proofs_all_sizes),
		cmocka_unit_test(test_R_CHAIN_2_merkle_leaf_is_not_node),
		cmocka_unit_test(test_R_CHAIN_2_light_node_checks_data_service),
		cmocka_unit_test(test_R_CHAIN_2_header_codec),
		cmocka_unit_test(test_R_CHAIN_3_confirmations),
		cmocka_unit_test(test_R_CHAIN_4_fork_choice),
		cmocka_unit_test(test_R_CHAIN_5_latency_stats),
		cmocka_unit_test(test_chain_id_is_the_genesis_hash),
	};
	return cmocka_run_group_tests_name("chain_sec1_chain", tests, NULL, NULL);
}
