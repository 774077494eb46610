/*
 * test_chain_integration.c: the library run as a chain over several epochs
 * with a seed choosing the shape: stake votes, traffic sessions and
 * credentials, elections from the ledger, the shuffled schedule with missed
 * slots, block rewards, headers signed by the scheduled producer, a light
 * node following the headers and checking served account records, and the
 * fork tree following the blocks. Safety: conservation after every block,
 * every header and proof accepted. Liveness: traffic delegates get elected
 * from redeemed credentials, and traffic earns DNET (R-EMIT-5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET
#define NU 40
#define NCAND 12
#define SLOTS 20
#define EPOCHS 5
#define MAXTX 16

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) { return sm_next(s) % n; }

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

static void run_chain(int keyed, uint64_t seed)
{
	static const uint8_t key[32] = "integration scheme key";
	dnc_sigscheme s;
	dnc_params p;
	dnc_chain_limits lim = { NU + 4, 4096, 16 };
	dnc_chain *c;
	dnc_ledger *L;
	user *u = test_calloc(NU + 1, sizeof *u);
	dnc_schedule *sch = test_malloc(sizeof *sch);
	dnc_tx *txs = test_calloc(MAXTX, sizeof *txs);
	dnc_hash leaves[MAXTX], scratch[MAXTX], tx_root, state_root, id;
	dnc_block_header head, h;
	dnc_light light;
	dnc_forktree ft;
	dnc_block_summary sum;
	uint64_t open_sid[NU] = {0}, redeemed[NU] = {0};
	uint32_t i, epoch, slot, produced = 0, traffic_seats_later = 0;
	dnc_time_s now;

	if (keyed)
		assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	dnc_params_default(&p);
	p.delegates = 6;
	p.epoch_blocks = SLOTS;
	p.traffic_window_blocks = SLOTS;
	for (i = 0; i <= NU; i++) {
		uint8_t sd[32] = {0};
		memcpy(sd, &i, sizeof i);
		sd[31] = (uint8_t)seed;
		assert_int_equal(dnc_sig_keypair(&s, sd, &u[i].pk, u[i].sk), DNC_OK);
	}
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &u[NU].pk, &c), DNC_OK);
	L = dnc_chain_ledger(c);
	for (i = 0; i < NU; i++) {
		assert_int_equal(dnc_ledger_add(L, &u[i].pk, &u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, u[i].a, DNC_GEN_SALE, 1000 * DNET), DNC_OK);
	}
	/* stake voters 20..39 back candidates 0..11 */
	for (i = 20; i < NU; i++)
		assert_int_equal(dnc_ledger_vote(L, u[i].a, u[below(&seed, NCAND)].a,
						 (dn_amount)(1 + below(&seed, 100)) * DNET, 0), DNC_OK);
	memset(&head, 0, sizeof head);
	head.producer = u[NU].pk;
	assert_int_equal(dnc_header_sign(&s, u[NU].sk, &head), DNC_OK);
	dnc_light_init(&light, &head);
	dnc_header_hash(&head, &id);
	assert_int_equal(dnc_forktree_init(&ft, EPOCHS * SLOTS + 2, &id), DNC_OK);

	for (epoch = 0; epoch < EPOCHS; epoch++) {
		dnc_header_hash(&head, &id);
		assert_int_equal(dnc_chain_new_epoch(c, epoch, &id, sch), DNC_OK);
		if (epoch >= 2)
			traffic_seats_later += dnc_chain_delegates(c)->n_kind[DNC_SEAT_VOLUME] +
					       dnc_chain_delegates(c)->n_kind[DNC_SEAT_QUALITY];
		for (slot = 0; slot < SLOTS; slot++) {
			uint32_t ntx = 0, seat, k;
			uint64_t traffic = 0;
			const dnc_seat *ps;
			user *prod = NULL;
			now = (dnc_time_s)(epoch * SLOTS + slot + 1) * 10;
			if (below(&seed, 10) == 0)
				continue; /* R-CONS-6: missed slot */
			/* consumers 12..19 open sessions with distributors 0..11 and pay
			 * them through credentials */
			for (k = 0; k < 6; k++) {
				uint32_t cons = NCAND + (uint32_t)below(&seed, 8);
				dnc_tx *t = &txs[ntx];
				dnc_tx_receipt r;
				memset(t, 0, sizeof *t);
				if (open_sid[cons] == 0) {
					t->type = DNC_TX_SESSION_OPEN;
					t->from = u[cons].pk;
					t->nonce = dnc_ledger_nonce(L, u[cons].a);
					t->u.open.distributor = u[below(&seed, NCAND)].pk;
					t->u.open.price_per_unit = 1000 + (dn_amount)below(&seed, 1000);
					t->u.open.units = 1000;
					t->u.open.expiry_s = now + 10000;
					assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), u[cons].sk, t), DNC_OK);
					assert_int_equal(dnc_chain_apply_tx(c, t, now, DNC_APPLY_VERIFY_SIG, &r),
							 DNC_OK);
					open_sid[cons] = r.created_id;
					redeemed[cons] = 0;
				} else {
					const dnc_session *ss = dnc_session_get(dnc_chain_sessions(c),
										open_sid[cons]);
					uint32_t d;
					for (d = 0; d < NCAND; d++)
						if (u[d].a == ss->distributor)
							break;
					t->type = DNC_TX_REDEEM;
					t->from = u[d].pk;
					t->nonce = dnc_ledger_nonce(L, u[d].a);
					t->u.redeem.session_id = open_sid[cons];
					t->u.redeem.cred.session_id = open_sid[cons];
					t->u.redeem.cred.total_units = redeemed[cons] + 1 + below(&seed, 100);
					if (t->u.redeem.cred.total_units > 1000)
						t->u.redeem.cred.total_units = 1000;
					t->u.redeem.cred.seq = t->u.redeem.cred.total_units;
					assert_int_equal(dnc_credential_sign(&s, dnc_chain_id(c), &u[d].pk,
									     u[cons].sk, &t->u.redeem.cred),
							 DNC_OK);
					assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), u[d].sk, t), DNC_OK);
					if (redeemed[cons] >= 1000) {
						/* deposit used up: a replay, rejected, not in the block */
						assert_int_equal(dnc_chain_apply_tx(c, t, now, DNC_APPLY_VERIFY_SIG,
										    &r), DNC_EREPLAY);
						open_sid[cons] = 0;
						continue;
					}
					assert_int_equal(dnc_chain_apply_tx(c, t, now, DNC_APPLY_VERIFY_SIG, &r),
							 DNC_OK);
					traffic += r.units;
					redeemed[cons] = t->u.redeem.cred.total_units;
				}
				ntx++;
			}
			seat = dnc_schedule_seat(sch, slot);
			ps = &dnc_chain_delegates(c)->seat[seat];
			for (k = 0; k < NU; k++)
				if (u[k].a == ps->acct)
					prod = &u[k];
			assert_non_null(prod);
			assert_int_equal(dnc_chain_end_block(c, seat, now, &sum), DNC_OK);
			/* the producer's header, checked by a light node */
			assert_int_equal(dnc_tx_root(txs, ntx, leaves, scratch, &tx_root), DNC_OK);
			{
				dnc_merkle_tree st;
				dnc_merkle_proof pr;
				dnc_account_record rec;
				dnc_acct a = (dnc_acct)below(&seed, dnc_ledger_count(L));
				assert_int_equal(dnc_state_tree(L, &st), DNC_OK);
				dnc_merkle_tree_root(&st, &state_root);
				dnc_header_next(&head, &prod->pk, now, &tx_root, ntx, &state_root, &h);
				assert_int_equal(dnc_header_sign(&s, prod->sk, &h), DNC_OK);
				assert_int_equal(dnc_light_accept(&light, &s, &h, &prod->pk), DNC_OK);
				assert_int_equal(dnc_ledger_account_record(L, a, &rec), DNC_OK);
				assert_int_equal(dnc_merkle_tree_proof(&st, a, &pr), DNC_OK);
				assert_int_equal(dnc_light_check_account(&light, &rec, &pr), DNC_OK);
				dnc_merkle_tree_free(&st);
			}
			{
				dnc_hash pid, hid;
				dnc_header_hash(&head, &pid);
				dnc_header_hash(&h, &hid);
				assert_int_equal(dnc_forktree_add(&ft, &hid, &pid, traffic, now, NULL), DNC_OK);
				assert_memory_equal(ft.v[dnc_forktree_best(&ft)].id.b, hid.b, 32);
			}
			head = h;
			produced++;
			assert_int_equal(sum.height + 1, produced);
		}
	}
	/* liveness */
	assert_true(light.head.height == produced);
	assert_true(produced > EPOCHS * SLOTS / 2);
	assert_true(traffic_seats_later > 0);         /* R-CONS-3/4 from credentials */
	assert_true(sum.prov.traffic_earned > 0);     /* R-EMIT-5 */
	assert_true(sum.prov.stake_earned + sum.prov.traffic_earned == sum.minted_total);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_forktree_free(&ft);
	dnc_chain_destroy(c);
	test_free(u);
	test_free(sch);
	test_free(txs);
}

static void test_chain_runs_epochs_keyed(void **st)
{
	(void)st;
	run_chain(1, 0x5eed1001);
	run_chain(1, 0x5eed1002);
}

static void test_chain_runs_epochs_ed25519(void **st)
{
	(void)st;
	run_chain(0, 0x5eed1003);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_runs_epochs_keyed),
		cmocka_unit_test(test_chain_runs_epochs_ed25519),
	};
	return cmocka_run_group_tests_name("chain_integration", tests, NULL, NULL);
}
