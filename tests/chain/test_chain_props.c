/*
 * test_chain_props.c: property tests over thousands of random cases with
 * fixed seeds (splitmix64, so a failure reproduces): splits add up exactly,
 * balances + locks + unminted = supply across random transaction
 * sequences (and a rejected transaction changes nothing), decode(encode(x))
 * == x, random bytes and bit flips never crash the decoder and are never
 * accepted as a valid signed transaction, and any single bit flip in a
 * signed credential is rejected under both signature schemes (a flip in
 * the chain id or distributor with its own reason code). Signed messages
 * of another chain are rejected whatever their nonce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) { return n ? sm_next(s) % n : 0; }

static void rand_bytes(uint64_t *s, uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)sm_next(s);
}

/* an amount with a spread of magnitudes, up to 10^15 base units */
static dn_amount rand_amount(uint64_t *s)
{
	static const dn_amount mag[] = { 10, 1000, 100000, 10000000, 1000000000,
					 INT64_C(100000000000), INT64_C(1000000000000000) };
	return (dn_amount)below(s, (uint64_t)mag[below(s, 7)]);
}

static void test_prop_R_FEE_3_splits_sum_exactly(void **st)
{
	uint64_t seed = 0x5eed0001;
	dnc_params p;
	uint32_t it, i;
	(void)st;
	dnc_params_default(&p);
	for (it = 0; it < 20000; it++) {
		dn_amount pay = rand_amount(&seed), sum;
		uint32_t k = (uint32_t)below(&seed, DNC_MAX_MIDDLEMEN + 1);
		uint32_t kr = (uint32_t)below(&seed, DNC_MAX_RELAYS + 1);
		uint64_t bytes[DNC_MAX_RELAYS];
		dnc_fwd_split f;
		dnc_share_split sh;
		dn_amount d, o, w[DNC_MAX_DELEGATES];
		uint64_t wt[64];
		p.community_fee_ppm = (uint32_t)below(&seed, 5001);
		p.fwd_order = (dnc_fwd_order)below(&seed, 2);
		p.relay_mode = (dnc_relay_mode)below(&seed, 2);
		for (i = 0; i < kr; i++)
			bytes[i] = 1 + below(&seed, 1u << 30);
		/* R-FWD-1..3 */
		assert_int_equal(dnc_split_forward(&p, pay, k, 0, &f), DNC_OK);
		sum = f.fee + f.origin + f.seller;
		assert_true(f.fee >= 0 && f.origin >= 0 && f.seller >= 0);
		for (i = 0; i < k; i++) {
			assert_true(f.middle[i] >= 0);
			sum += f.middle[i];
		}
		assert_true(sum == pay);
		assert_int_equal(dnc_split_forward(&p, pay, 0, 1, &f), DNC_OK);
		assert_true(f.fee + f.origin == pay);
		/* R-SHARE-1,2 */
		assert_int_equal(dnc_split_share(&p, pay, kr, bytes, &sh), DNC_OK);
		sum = sh.fee + sh.provider;
		for (i = 0; i < kr; i++) {
			assert_true(sh.relay[i] >= 0);
			sum += sh.relay[i];
		}
		assert_true(sum == pay);
		assert_true(sh.provider * 1 >= 0);
		/* R-FEE-1 */
		assert_int_equal(dnc_split_pool(pay, 100000, &d, &o), DNC_OK);
		assert_true(d + o == pay);
		/* R-EMIT-3 weighted pools */
		{
			uint32_t n = 1 + (uint32_t)below(&seed, 64);
			for (i = 0; i < n; i++)
				wt[i] = below(&seed, 4) ? below(&seed, UINT64_C(1) << 40) : 0;
			assert_int_equal(dnc_split_weighted(pay, wt, n, w), DNC_OK);
			sum = 0;
			for (i = 0; i < n; i++) {
				assert_true(w[i] >= 0);
				sum += w[i];
			}
			assert_true(sum == pay);
		}
	}
}

/* ---- random transaction sequences ---- */

#define NU 40

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

typedef struct world {
	dnc_sigscheme s;
	dnc_chain *c;
	dnc_ledger *L;
	user u[NU], f;
	uint8_t pw[NU][32];
	dnc_hash other;          /* the id of some other chain */
} world;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x77;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

/* full state fingerprint: every record, the pot, the tables' counts */
static void fingerprint(const world *w, dnc_hash *h)
{
	uint32_t i, n = dnc_ledger_count(w->L);
	dnc_hash acc, leaf;
	uint8_t buf[64 + 24];
	uint64_t ns = dnc_chain_sessions(w->c)->n;
	memset(&acc, 0, sizeof acc);
	for (i = 0; i < n; i++) {
		dnc_ledger_account_leaf(w->L, i, &leaf);
		memcpy(buf, acc.b, 32);
		memcpy(buf + 32, leaf.b, 32);
		memcpy(buf + 64, &ns, 8);
		memcpy(buf + 72, &dnc_ledger_account(w->L, i)->votes_received, 8);
		dnc_hash_bytes(buf, 80, &acc);
	}
	*h = acc;
}

static void rand_tx(world *w, uint64_t *rs, dnc_tx *tx, uint32_t *signer)
{
	uint32_t from = (uint32_t)below(rs, NU), to = (uint32_t)below(rs, NU), i;
	memset(tx, 0, sizeof *tx);
	tx->type = (uint8_t)(1 + below(rs, DNC_TX_TYPE_END - 1));
	if (below(rs, 20) == 0)
		from = 999; /* foundation */
	*signer = from;
	tx->from = from == 999 ? w->f.pk : w->u[from].pk;
	tx->nonce = dnc_ledger_nonce(w->L, from == 999 ? w->f.a : w->u[from].a);
	if (below(rs, 30) == 0)
		tx->nonce++; /* wrong nonce now and then */
	tx->fee = below(rs, 3) ? (dn_amount)below(rs, 1000) : rand_amount(rs);
	switch ((dnc_tx_type)tx->type) {
	case DNC_TX_TRANSFER:
		tx->u.transfer.to = w->u[to].pk;
		tx->u.transfer.amount = 1 + rand_amount(rs);
		break;
	case DNC_TX_VOTE:
		tx->u.vote.candidate = w->u[to].pk;
		tx->u.vote.amount = below(rs, 4) ? rand_amount(rs) : 0;
		break;
	case DNC_TX_SESSION_OPEN:
		tx->u.open.distributor = w->u[to].pk;
		tx->u.open.price_per_unit = 1 + (dn_amount)below(rs, 100000);
		tx->u.open.units = 1 + below(rs, 10000);
		tx->u.open.expiry_s = (dnc_time_s)below(rs, 2000);
		/* now and then over an ad hoc path (R-SHARE-2), parties included */
		tx->u.open.n_relays = below(rs, 3) ? 0 : (uint8_t)below(rs, 4);
		for (uint32_t k = 0; k < tx->u.open.n_relays; k++)
			tx->u.open.relay[k] = w->u[below(rs, NU)].pk;
		break;
	case DNC_TX_REDEEM: {
		uint64_t ns = dnc_chain_sessions(w->c)->n;
		const dnc_session *ss;
		tx->u.redeem.session_id = 1 + below(rs, ns + 1);
		ss = dnc_session_get(dnc_chain_sessions(w->c), tx->u.redeem.session_id);
		tx->u.redeem.cred.session_id = below(rs, 10) ? tx->u.redeem.session_id : 1 + below(rs, ns + 1);
		tx->u.redeem.cred.total_units = 1 + below(rs, 12000);
		tx->u.redeem.cred.seq = below(rs, 100);
		/* mostly signed by the right consumer for this chain, made out to
		 * the session's distributor and redeemed by it; now and then for
		 * another chain or another distributor (R-CRED-7) */
		if (ss && below(rs, 5)) {
			const dnc_hash *chain = below(rs, 12) ? dnc_chain_id(w->c) : &w->other;
			const dnc_pubkey *dist = dnc_ledger_pk(w->L, ss->distributor);
			uint32_t k;
			if (below(rs, 12) == 0)
				dist = &w->u[to].pk;
			for (k = 0; k < NU; k++)
				if (w->u[k].a == ss->consumer)
					assert_int_equal(dnc_credential_sign(&w->s, chain, dist, w->u[k].sk,
									     &tx->u.redeem.cred), DNC_OK);
			for (k = 0; k < NU; k++)
				if (w->u[k].a == ss->distributor) {
					*signer = k;
					tx->from = w->u[k].pk;
					tx->nonce = dnc_ledger_nonce(w->L, w->u[k].a);
				}
		} else {
			assert_int_equal(dnc_credential_sign(&w->s, dnc_chain_id(w->c), &w->u[from % NU].pk,
							     w->u[to].sk, &tx->u.redeem.cred), DNC_OK);
		}
		break;
	}
	case DNC_TX_SESSION_CLOSE:
		tx->u.close.session_id = 1 + below(rs, dnc_chain_sessions(w->c)->n + 1);
		break;
	case DNC_TX_F2F_LOCK:
		tx->u.f2f_lock.to = w->u[to].pk;
		tx->u.f2f_lock.amount = 1 + rand_amount(rs);
		dnc_f2f_password_hash(&w->u[to].pk, w->pw[to], &tx->u.f2f_lock.pw_hash);
		tx->u.f2f_lock.deadline_s = (dnc_time_s)below(rs, 3000);
		break;
	case DNC_TX_F2F_CLAIM:
		tx->u.f2f_claim.escrow_id = 1 + below(rs, 64);
		memcpy(tx->u.f2f_claim.password, w->pw[from == 999 ? 0 : from], 32);
		if (below(rs, 4) == 0)
			tx->u.f2f_claim.password[0] ^= 1;
		break;
	case DNC_TX_F2F_REFUND:
		tx->u.f2f_refund.escrow_id = 1 + below(rs, 64);
		break;
	case DNC_TX_RENT:
		tx->u.rent.owner = w->u[to].pk;
		tx->u.rent.price_per_period = 1 + rand_amount(rs) / 100;
		tx->u.rent.periods = 1 + (uint32_t)below(rs, 100);
		break;
	case DNC_TX_CONTENT:
		tx->u.content.price = 1 + rand_amount(rs);
		tx->u.content.direct = (uint8_t)(below(rs, 4) == 0);
		tx->u.content.origin = w->u[to].pk;
		tx->u.content.seller = w->u[below(rs, NU)].pk;
		if (!tx->u.content.direct) {
			tx->u.content.n_middle = (uint8_t)below(rs, 6);
			for (i = 0; i < tx->u.content.n_middle; i++)
				tx->u.content.middle[i] = w->u[below(rs, NU)].pk;
		}
		break;
	case DNC_TX_SHARE:
		tx->u.share.price = 1 + rand_amount(rs);
		tx->u.share.provider = w->u[to].pk;
		tx->u.share.n_relays = (uint8_t)below(rs, 5);
		for (i = 0; i < tx->u.share.n_relays; i++) {
			tx->u.share.relay[i] = w->u[below(rs, NU)].pk;
			tx->u.share.relay_bytes[i] = below(rs, 1000);
		}
		break;
	case DNC_TX_GOV_PROPOSE:
		tx->u.gov_propose.param = 1 + (uint32_t)below(rs, DNC_GOVP_END - 1);
		tx->u.gov_propose.value = (int64_t)below(rs, 6000);
		break;
	case DNC_TX_GOV_VOTE:
		tx->u.gov_vote.proposal_id = 1 + below(rs, 10);
		tx->u.gov_vote.yes = (uint8_t)below(rs, 2);
		break;
	case DNC_TX_ADMIN_RETRACT:
		tx->u.retract.target = w->u[to].pk;
		tx->u.retract.amount = 1 + rand_amount(rs);
		tx->u.retract.reason = (uint32_t)below(rs, 5);
		break;
	case DNC_TX_TEAM_UNLOCK:
	case DNC_TX_TYPE_END:
		break;
	}
}

static void test_prop_conservation_random_sequences(void **st)
{
	uint64_t seed = 0x5eed0002;
	world *w = test_calloc(1, sizeof *w);
	dnc_chain_limits lim = { NU + 8, 4096, 4096 };
	dnc_params p;
	dnc_delegate_set ds;
	uint32_t i, it, ok = 0, rejected = 0, signer;
	uint32_t by_rc[DNC_ERC_COUNT] = {0};
	dnc_time_s now = 0;
	(void)st;
	assert_int_equal(dnc_sig_init_ed25519(&w->s), DNC_OK);
	dnc_params_default(&p);
	p.gov_voting_blocks = 20;
	mk_user(&w->s, 5000, &w->f);
	dnc_hash_bytes((const uint8_t *)"another chain", 13, &w->other);
	assert_int_equal(dnc_chain_create(&p, &w->s, &lim, &w->f.pk, &w->c), DNC_OK);
	w->L = dnc_chain_ledger(w->c);
	w->f.a = dnc_chain_foundation(w->c);
	dnc_chain_set_admin_enabled(w->c, 1);
	dnc_chain_set_fundraising_end(w->c, 0);
	memset(&ds, 0, sizeof ds);
	for (i = 0; i < NU; i++) {
		mk_user(&w->s, i, &w->u[i]);
		rand_bytes(&seed, w->pw[i], 32);
		assert_int_equal(dnc_ledger_add(w->L, &w->u[i].pk, &w->u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(w->c, w->u[i].a,
						   i < 5 ? DNC_GEN_TEAM : DNC_GEN_SALE,
						   (dn_amount)(1 + below(&seed, 100000)) * DNET), DNC_OK);
		if (i < 8) {
			ds.seat[i].acct = w->u[i].a;
			ds.seat[i].kind = i < 4 ? DNC_SEAT_STAKE : i < 6 ? DNC_SEAT_VOLUME : DNC_SEAT_QUALITY;
			ds.seat[i].score = below(&seed, 1000);
		}
	}
	ds.n = 8;
	ds.n_kind[0] = 4;
	ds.n_kind[1] = 2;
	ds.n_kind[2] = 2;
	assert_int_equal(dnc_chain_set_delegates(w->c, &ds), DNC_OK);
	for (it = 0; it < 20000; it++) {
		dnc_tx tx;
		dnc_hash before, after;
		dnc_rc rc;
		rand_tx(w, &seed, &tx, &signer);
		/* mostly signed for this chain, now and then for another one */
		if (below(&seed, 8))
			assert_int_equal(dnc_tx_sign(&w->s, below(&seed, 30) ? dnc_chain_id(w->c) : &w->other,
						     signer == 999 ? w->f.sk : w->u[signer].sk, &tx),
					 DNC_OK);
		else if (below(&seed, 2))
			tx.chain = *dnc_chain_id(w->c); /* right chain, no signature */
		fingerprint(w, &before);
		now += (dnc_time_s)below(&seed, 3);
		if (tx.type == DNC_TX_TEAM_UNLOCK)
			now += (dnc_time_s)p.month_s * 3;
		rc = dnc_chain_apply_tx(w->c, &tx, now, DNC_APPLY_VERIFY_SIG, NULL);
		if (rc == DNC_OK) {
			ok++;
		} else {
			rejected++;
			by_rc[rc < DNC_ERC_COUNT ? rc : 0]++;
			fingerprint(w, &after);
			/* all or nothing (a wrong F2F password only bumps its counter) */
			if (memcmp(before.b, after.b, 32) != 0) {
				print_error("seed 0x5eed0002 iteration %u: rejected tx type %u (%s) "
					    "changed state\n", it, tx.type, dnc_rc_name(rc));
				fail();
			}
		}
		if (below(&seed, 25) == 0) {
			assert_int_equal(dnc_chain_end_block(w->c, (uint32_t)below(&seed, 8), now, NULL),
					 DNC_OK);
			/* settle some voters now and then */
			for (i = 0; i < 3; i++)
				assert_int_equal(dnc_ledger_settle(w->L, w->u[below(&seed, NU)].a, NULL),
						 DNC_OK);
		}
		assert_int_equal(dnc_chain_check(w->c), DNC_OK);
	}
	/* the sequence exercised both paths, and both replay reasons */
	assert_true(ok > 2000);
	assert_true(rejected > 2000);
	assert_true(by_rc[DNC_EWRONGCHAIN] > 50);
	assert_true(by_rc[DNC_EWRONGDIST] > 5);
	assert_true(by_rc[DNC_EBADSIG] > 50);
	dnc_chain_destroy(w->c);
	test_free(w);
}

/* a structurally valid random transaction (fields in range) */
static void rand_valid_tx(uint64_t *rs, dnc_tx *tx)
{
	uint32_t i;
	memset(tx, 0, sizeof *tx);
	tx->type = (uint8_t)(1 + below(rs, DNC_TX_TYPE_END - 1));
	rand_bytes(rs, tx->chain.b, 32);
	rand_bytes(rs, tx->from.b, 32);
	tx->nonce = sm_next(rs);
	tx->fee = (dn_amount)(sm_next(rs) >> 1);
	rand_bytes(rs, tx->sig.b, 64);
	switch ((dnc_tx_type)tx->type) {
	case DNC_TX_TRANSFER:
		rand_bytes(rs, tx->u.transfer.to.b, 32);
		tx->u.transfer.amount = 1 + (dn_amount)(sm_next(rs) >> 2);
		break;
	case DNC_TX_VOTE:
		rand_bytes(rs, tx->u.vote.candidate.b, 32);
		tx->u.vote.amount = (dn_amount)(sm_next(rs) >> 1);
		break;
	case DNC_TX_SESSION_OPEN:
		rand_bytes(rs, tx->u.open.distributor.b, 32);
		tx->u.open.price_per_unit = 1 + (dn_amount)(sm_next(rs) >> 2);
		tx->u.open.units = 1 + (sm_next(rs) >> 1);
		tx->u.open.expiry_s = (dnc_time_s)sm_next(rs);
		tx->u.open.n_relays = (uint8_t)(sm_next(rs) % (DNC_MAX_RELAYS + 1));
		for (uint32_t k = 0; k < tx->u.open.n_relays; k++)
			rand_bytes(rs, tx->u.open.relay[k].b, 32);
		break;
	case DNC_TX_REDEEM:
		tx->u.redeem.session_id = 1 + (sm_next(rs) >> 1);
		tx->u.redeem.cred.session_id = 1 + (sm_next(rs) >> 1);
		tx->u.redeem.cred.total_units = 1 + (sm_next(rs) >> 1);
		tx->u.redeem.cred.seq = sm_next(rs);
		rand_bytes(rs, tx->u.redeem.cred.chain.b, 32);
		rand_bytes(rs, tx->u.redeem.cred.distributor.b, 32);
		rand_bytes(rs, tx->u.redeem.cred.sig.b, 64);
		break;
	case DNC_TX_SESSION_CLOSE:
		tx->u.close.session_id = 1 + (sm_next(rs) >> 1);
		break;
	case DNC_TX_F2F_LOCK:
		rand_bytes(rs, tx->u.f2f_lock.to.b, 32);
		tx->u.f2f_lock.amount = 1 + (dn_amount)(sm_next(rs) >> 2);
		rand_bytes(rs, tx->u.f2f_lock.pw_hash.b, 32);
		tx->u.f2f_lock.deadline_s = (dnc_time_s)sm_next(rs);
		break;
	case DNC_TX_F2F_CLAIM:
		tx->u.f2f_claim.escrow_id = 1 + (sm_next(rs) >> 1);
		rand_bytes(rs, tx->u.f2f_claim.password, 32);
		break;
	case DNC_TX_F2F_REFUND:
		tx->u.f2f_refund.escrow_id = 1 + (sm_next(rs) >> 1);
		break;
	case DNC_TX_RENT:
		rand_bytes(rs, tx->u.rent.owner.b, 32);
		tx->u.rent.price_per_period = 1 + (dn_amount)(sm_next(rs) >> 2);
		tx->u.rent.periods = 1 + (uint32_t)below(rs, 1000000);
		break;
	case DNC_TX_CONTENT:
		tx->u.content.price = 1 + (dn_amount)(sm_next(rs) >> 2);
		tx->u.content.direct = (uint8_t)below(rs, 2);
		rand_bytes(rs, tx->u.content.origin.b, 32);
		rand_bytes(rs, tx->u.content.seller.b, 32);
		if (!tx->u.content.direct) {
			tx->u.content.n_middle = (uint8_t)below(rs, DNC_MAX_MIDDLEMEN + 1);
			for (i = 0; i < tx->u.content.n_middle; i++)
				rand_bytes(rs, tx->u.content.middle[i].b, 32);
		}
		break;
	case DNC_TX_SHARE:
		tx->u.share.price = 1 + (dn_amount)(sm_next(rs) >> 2);
		rand_bytes(rs, tx->u.share.provider.b, 32);
		tx->u.share.n_relays = (uint8_t)below(rs, DNC_MAX_RELAYS + 1);
		for (i = 0; i < tx->u.share.n_relays; i++) {
			rand_bytes(rs, tx->u.share.relay[i].b, 32);
			tx->u.share.relay_bytes[i] = sm_next(rs);
		}
		break;
	case DNC_TX_GOV_PROPOSE:
		tx->u.gov_propose.param = 1 + (uint32_t)below(rs, DNC_GOVP_END - 1);
		tx->u.gov_propose.value = (int64_t)(sm_next(rs) >> 1);
		break;
	case DNC_TX_GOV_VOTE:
		tx->u.gov_vote.proposal_id = 1 + (sm_next(rs) >> 1);
		tx->u.gov_vote.yes = (uint8_t)below(rs, 2);
		break;
	case DNC_TX_ADMIN_RETRACT:
		rand_bytes(rs, tx->u.retract.target.b, 32);
		tx->u.retract.amount = 1 + (dn_amount)(sm_next(rs) >> 2);
		tx->u.retract.reason = (uint32_t)sm_next(rs);
		break;
	case DNC_TX_TEAM_UNLOCK:
	case DNC_TX_TYPE_END:
		break;
	}
}

static void test_prop_codec_roundtrip(void **st)
{
	uint64_t seed = 0x5eed0003;
	uint8_t buf[DNC_TX_MAX_BYTES], buf2[DNC_TX_MAX_BYTES];
	uint32_t it;
	(void)st;
	for (it = 0; it < 20000; it++) {
		dnc_tx a, b;
		size_t n, n2;
		rand_valid_tx(&seed, &a);
		assert_int_equal(dnc_tx_encode(&a, buf, sizeof buf, &n), DNC_OK);
		assert_int_equal(dnc_tx_decode(buf, n, &b), DNC_OK);
		assert_memory_equal(&a, &b, sizeof a);        /* decode(encode(x)) == x */
		assert_int_equal(dnc_tx_encode(&b, buf2, sizeof buf2, &n2), DNC_OK);
		assert_int_equal(n, n2);
		assert_memory_equal(buf, buf2, n);
		/* truncated or extended: rejected */
		assert_int_equal(dnc_tx_decode(buf, n - 1 - below(&seed, n - 1), &b), DNC_EMALFORMED);
		buf[n] = 0;
		assert_int_equal(dnc_tx_decode(buf, n + 1, &b), DNC_EMALFORMED);
	}
}

/* dnc_tx_copy into a struct full of other bytes: the same encoding, id
 * and signature as the original, for every type; what the type does not
 * use is left alone (a transfer moves a fraction of the struct). */
static void test_prop_tx_copy_keeps_the_encoding(void **st)
{
	uint64_t seed = 0x5eed000c;
	uint8_t buf[DNC_TX_MAX_BYTES], buf2[DNC_TX_MAX_BYTES];
	(void)st;
	for (uint32_t it = 0; it < 20000; it++) {
		dnc_tx a, b;
		size_t n, n2;
		rand_valid_tx(&seed, &a);
		rand_bytes(&seed, a.sig.b, sizeof a.sig.b);
		memset(&b, 0xA5, sizeof b);
		dnc_tx_copy(&b, &a);
		assert_int_equal(dnc_tx_encode(&a, buf, sizeof buf, &n), DNC_OK);
		assert_int_equal(dnc_tx_encode(&b, buf2, sizeof buf2, &n2), DNC_OK);
		assert_int_equal(n, n2);
		assert_memory_equal(buf, buf2, n);
		assert_memory_equal(a.sig.b, b.sig.b, sizeof a.sig.b);
		dnc_hash ia, ib;
		assert_int_equal(dnc_tx_id(&a, &ia), DNC_OK);
		assert_int_equal(dnc_tx_id(&b, &ib), DNC_OK);
		assert_memory_equal(ia.b, ib.b, sizeof ia.b);
		if (a.type == DNC_TX_TRANSFER) /* the union's last byte: not copied */
			assert_int_equal(((const uint8_t *)&b.u)[sizeof b.u - 1], 0xA5);
	}
}

static void test_prop_decoder_fuzz_random_bytes(void **st)
{
	uint64_t seed = 0x5eed0004;
	uint8_t buf[DNC_TX_MAX_BYTES + 8], re[DNC_TX_MAX_BYTES];
	uint32_t it, accepted = 0;
	(void)st;
	for (it = 0; it < 200000; it++) {
		size_t n = (size_t)below(&seed, 700), n2;
		dnc_tx t;
		rand_bytes(&seed, buf, n);
		if (n > 2 && below(&seed, 2)) {
			buf[0] = 2;                                  /* right version */
			buf[1] = (uint8_t)(1 + below(&seed, 15));    /* a real type */
		}
		if (dnc_tx_decode(buf, n, &t) == DNC_OK) {
			accepted++;
			/* only canonical encodings decode */
			assert_int_equal(dnc_tx_encode(&t, re, sizeof re, &n2), DNC_OK);
			assert_int_equal(n, n2);
			assert_memory_equal(buf, re, n);
		}
	}
	/* random bytes must not produce valid transactions often */
	assert_true(accepted < 200000 / 10);
}

/* offset of the chain id in a transaction's encoding (tx.h) */
#define TX_CHAIN_AT 2

static void tx_flips(int keyed)
{
	static const uint8_t key[32] = "tx bit flip scheme key";
	uint64_t seed = 0x5eed0005 + (uint64_t)keyed;
	dnc_sigscheme s;
	uint8_t seedk[32] = {7}, sk[DNC_SK_BYTES], buf[DNC_TX_MAX_BYTES];
	dnc_pubkey pk;
	dnc_hash chain;
	uint32_t it, bit;
	if (keyed)
		assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	assert_int_equal(dnc_sig_keypair(&s, seedk, &pk, sk), DNC_OK);
	dnc_hash_bytes((const uint8_t *)"bit flip chain", 14, &chain);
	for (it = 0; it < (keyed ? 60u : 4u); it++) {
		dnc_tx a, b;
		size_t n;
		rand_valid_tx(&seed, &a);
		a.from = pk;
		assert_int_equal(dnc_tx_sign(&s, &chain, sk, &a), DNC_OK);
		assert_memory_equal(a.chain.b, chain.b, DNC_HASH_BYTES);
		assert_int_equal(dnc_tx_encode(&a, buf, sizeof buf, &n), DNC_OK);
		assert_memory_equal(buf + TX_CHAIN_AT, chain.b, DNC_HASH_BYTES);
		assert_int_equal(dnc_tx_verify(&s, &chain, &a), DNC_OK);
		for (bit = 0; bit < n * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (dnc_tx_decode(buf, n, &b) == DNC_OK) {
				dnc_rc rc = dnc_tx_verify(&s, &chain, &b);
				/* a flip in the chain id reads as another chain's, and
				 * on that chain the signature fails: it covers the id */
				if (bit / 8 >= TX_CHAIN_AT && bit / 8 < TX_CHAIN_AT + DNC_HASH_BYTES) {
					assert_int_equal(rc, DNC_EWRONGCHAIN);
					assert_int_equal(dnc_tx_verify(&s, &b.chain, &b), DNC_EBADSIG);
				} else {
					assert_int_not_equal(rc, DNC_OK);
				}
			}
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

static void test_prop_decoder_bit_flips_never_valid(void **st)
{
	(void)st;
	tx_flips(1);
	tx_flips(0);
}

/* each kind of malformation, one at a time, on a valid encoding */
static void test_decoder_rejects_each_malformation(void **st)
{
	uint8_t buf[DNC_TX_MAX_BYTES], bad[DNC_TX_MAX_BYTES];
	dnc_tx t, d;
	size_t n;
	enum { HEAD = 2 + 32 + 32 + 16 }; /* version, type, chain, from, nonce, fee */
	(void)st;
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SHARE;
	t.fee = 5;
	t.u.share.price = 1000;
	t.u.share.n_relays = 2;
	assert_int_equal(dnc_tx_encode(&t, buf, sizeof buf, &n), DNC_OK);
	assert_int_equal(dnc_tx_decode(buf, n, &d), DNC_OK);
#define BAD(off, val) do { memcpy(bad, buf, n); bad[off] = (uint8_t)(val); \
	assert_int_equal(dnc_tx_decode(bad, n, &d), DNC_EMALFORMED); } while (0)
	BAD(0, 1);                       /* version 1 (before the chain id) */
	BAD(0, 3);                       /* unknown version */
	BAD(1, 0);                       /* type 0 */
	BAD(1, DNC_TX_TYPE_END);         /* unknown type */
	BAD(HEAD - 1, 0x80);             /* negative fee */
	BAD(HEAD + 7, 0x80);             /* negative price */
	BAD(HEAD + 8 + 32, 17);          /* relay count above the bound */
	BAD(HEAD + 8 + 32, 3);           /* count disagrees with the length */
#undef BAD
	memset(bad, 0, sizeof bad);
	memcpy(bad, buf, n);
	assert_int_equal(dnc_tx_decode(bad, n + 1, &d), DNC_EMALFORMED); /* trailing */
	assert_int_equal(dnc_tx_decode(bad, n - 1, &d), DNC_EMALFORMED); /* short */
	assert_int_equal(dnc_tx_decode(NULL, 0, &d), DNC_EMALFORMED);
	/* a boolean that is neither 0 nor 1 */
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_GOV_VOTE;
	t.u.gov_vote.proposal_id = 1;
	assert_int_equal(dnc_tx_encode(&t, buf, sizeof buf, &n), DNC_OK);
	memcpy(bad, buf, n);
	bad[HEAD + 8] = 2;
	assert_int_equal(dnc_tx_decode(bad, n, &d), DNC_EMALFORMED);
	/* direct content sale with middlemen */
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_CONTENT;
	t.u.content.price = 1;
	t.u.content.direct = 1;
	t.u.content.n_middle = 1;
	assert_int_equal(dnc_tx_encode(&t, buf, sizeof buf, &n), DNC_EINVAL);
}

/* a signed transaction applies once: its replay has a stale nonce */
static void test_tx_replay_rejected_by_nonce(void **st)
{
	dnc_sigscheme s;
	dnc_params p;
	dnc_chain_limits lim = { 8, 4, 4 };
	dnc_chain *c;
	user a, b, f;
	dnc_tx tx;
	(void)st;
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	dnc_params_default(&p);
	mk_user(&s, 1, &a);
	mk_user(&s, 2, &b);
	mk_user(&s, 3, &f);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f.pk, &c), DNC_OK);
	assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &a.pk, &a.a), DNC_OK);
	assert_int_equal(dnc_chain_genesis(c, a.a, DNC_GEN_SALE, 10 * DNET), DNC_OK);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.from = a.pk;
	tx.u.transfer.to = b.pk;       /* a new account, created by the transfer */
	tx.u.transfer.amount = DNET;
	assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), a.sk, &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 0, DNC_APPLY_VERIFY_SIG, NULL), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 0, DNC_APPLY_VERIFY_SIG, NULL), DNC_EBADNONCE);
	tx.nonce = 5;
	assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), a.sk, &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 0, DNC_APPLY_VERIFY_SIG, NULL), DNC_EBADNONCE);
	tx.nonce = 1;                  /* signed for nonce 5: the signature breaks */
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 0, DNC_APPLY_VERIFY_SIG, NULL), DNC_EBADSIG);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), a.a) == 9 * DNET);
	assert_true(dnc_ledger_nonce(dnc_chain_ledger(c), a.a) == 1);
	dnc_chain_destroy(c);
}

/*
 * A transfer signed for chain A, replayed on chain B (another genesis: the
 * sender's allocation differs) with the nonce B expects: DNC_EWRONGCHAIN,
 * nothing changes on B; re-pointed at B it no longer verifies; on A it is
 * accepted. Under both signature schemes.
 */
static void cross_chain_transfer(int keyed)
{
	static const uint8_t key[32] = "cross chain scheme key";
	dnc_sigscheme s;
	dnc_params p;
	dnc_chain_limits lim = { 8, 4, 4 };
	dnc_chain *ca, *cb;
	dnc_merkle_tree tree;
	dnc_hash before, after;
	user a, b, f;
	dnc_tx tx, t;
	dnc_tx_receipt r;
	if (keyed)
		assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	dnc_params_default(&p);
	mk_user(&s, 1, &a);
	mk_user(&s, 2, &b);
	mk_user(&s, 3, &f);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f.pk, &ca), DNC_OK);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f.pk, &cb), DNC_OK);
	/* the same genesis so far: the same id */
	assert_memory_equal(dnc_chain_id(ca)->b, dnc_chain_id(cb)->b, DNC_HASH_BYTES);
	assert_int_equal(dnc_ledger_add(dnc_chain_ledger(ca), &a.pk, &a.a), DNC_OK);
	assert_int_equal(dnc_ledger_add(dnc_chain_ledger(cb), &a.pk, &a.a), DNC_OK);
	assert_int_equal(dnc_chain_genesis(ca, a.a, DNC_GEN_SALE, 10 * DNET), DNC_OK);
	assert_int_equal(dnc_chain_genesis(cb, a.a, DNC_GEN_SALE, 11 * DNET), DNC_OK);
	assert_memory_not_equal(dnc_chain_id(ca)->b, dnc_chain_id(cb)->b, DNC_HASH_BYTES);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.from = a.pk;
	tx.nonce = 0;                      /* what both chains expect */
	tx.u.transfer.to = b.pk;
	tx.u.transfer.amount = DNET;
	assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(ca), a.sk, &tx), DNC_OK);
	assert_int_equal(dnc_state_tree(dnc_chain_ledger_c(cb), &tree), DNC_OK);
	dnc_merkle_tree_root(&tree, &before);
	dnc_merkle_tree_free(&tree);
	assert_int_equal(dnc_tx_verify(&s, dnc_chain_id(cb), &tx), DNC_EWRONGCHAIN);
	assert_int_equal(dnc_chain_apply_tx(cb, &tx, 0, DNC_APPLY_VERIFY_SIG, &r), DNC_EWRONGCHAIN);
	assert_true(r.moved == 0 && r.fee_paid == 0);
	t = tx;
	t.chain = *dnc_chain_id(cb);       /* re-pointed after signing */
	assert_int_equal(dnc_chain_apply_tx(cb, &t, 0, DNC_APPLY_VERIFY_SIG, &r), DNC_EBADSIG);
	/* nothing changed on B: every record (balances, nonces, locks), and
	 * the receiver's account was not created */
	assert_int_equal(dnc_state_tree(dnc_chain_ledger_c(cb), &tree), DNC_OK);
	dnc_merkle_tree_root(&tree, &after);
	dnc_merkle_tree_free(&tree);
	assert_memory_equal(before.b, after.b, DNC_HASH_BYTES);
	assert_true(dnc_ledger_find(dnc_chain_ledger_c(cb), &b.pk) == DNC_NONE);
	assert_true(dnc_ledger_balance(dnc_chain_ledger_c(cb), a.a) == 11 * DNET);
	assert_true(dnc_ledger_nonce(dnc_chain_ledger_c(cb), a.a) == 0);
	assert_int_equal(dnc_chain_check(cb), DNC_OK);
	/* on A it is accepted, once */
	assert_int_equal(dnc_tx_verify(&s, dnc_chain_id(ca), &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(ca, &tx, 0, DNC_APPLY_VERIFY_SIG, &r), DNC_OK);
	assert_true(dnc_ledger_balance(dnc_chain_ledger_c(ca), a.a) == 9 * DNET);
	assert_int_equal(dnc_chain_apply_tx(ca, &tx, 0, DNC_APPLY_VERIFY_SIG, &r), DNC_EBADNONCE);
	dnc_chain_destroy(ca);
	dnc_chain_destroy(cb);
}

static void test_tx_replay_on_another_chain_rejected(void **st)
{
	(void)st;
	cross_chain_transfer(0);
	cross_chain_transfer(1);
}

static void cred_flips(int keyed)
{
	static const uint8_t key[32] = "bit flip scheme key";
	dnc_sigscheme s;
	dnc_sessions t;
	dnc_ledger *L;
	dnc_hash chain;
	user u[2];
	uint64_t sid, seed = 0x5eed0006 + (uint64_t)keyed;
	uint32_t it, bit;
	if (keyed)
		assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	assert_int_equal(dnc_ledger_create(4, 1000 * DNET, &L), DNC_OK);
	mk_user(&s, 1, &u[0]);
	mk_user(&s, 2, &u[1]);
	assert_int_equal(dnc_ledger_add(L, &u[0].pk, &u[0].a), DNC_OK);
	assert_int_equal(dnc_ledger_add(L, &u[1].pk, &u[1].a), DNC_OK);
	assert_int_equal(dnc_ledger_mint(L, u[0].a, 100 * DNET), DNC_OK);
	assert_int_equal(dnc_sessions_init(&t, 4), DNC_OK);
	assert_int_equal(dnc_session_open(&t, L, u[0].a, u[1].a, 1000, 1000000, 0, &sid), DNC_OK);
	dnc_hash_bytes((const uint8_t *)"bit flip chain", 14, &chain);
	for (it = 0; it < (keyed ? 40u : 6u); it++) {
		dnc_credential c, d;
		uint8_t buf[DNC_CRED_BYTES];
		uint64_t units;
		memset(&c, 0, sizeof c);
		c.session_id = sid;
		c.total_units = 1 + below(&seed, 1000000);
		c.seq = below(&seed, 1000);
		assert_int_equal(dnc_credential_sign(&s, &chain, &u[1].pk, u[0].sk, &c), DNC_OK);
		assert_int_equal(dnc_session_check(&t, L, &s, &chain, u[1].a, sid, &c, &units), DNC_OK);
		dnc_credential_encode(&c, buf);
		/* the wire form carries the chain id, then the distributor (credential.h) */
		assert_memory_equal(buf, chain.b, DNC_HASH_BYTES);
		assert_memory_equal(buf + 32, u[1].pk.b, DNC_PK_BYTES);
		for (bit = 0; bit < DNC_CRED_BYTES * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (dnc_credential_decode(buf, sizeof buf, &d) == DNC_OK) {
				uint8_t msg[DNC_CRED_MSG_BYTES];
				dnc_rc rc = dnc_session_check(&t, L, &s, &chain, u[1].a, sid, &d, &units);
				if (bit / 8 < 32)
					assert_int_equal(rc, DNC_EWRONGCHAIN);
				else if (bit / 8 < 64)
					assert_int_equal(rc, DNC_EWRONGDIST);
				else
					assert_int_not_equal(rc, DNC_OK);
				/* and the signature covers every byte, these two included */
				dnc_credential_message(&d, msg);
				assert_int_equal(dnc_sig_verify(&s, &u[0].pk, msg, sizeof msg, &d.sig),
						 DNC_EBADSIG);
			}
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
	dnc_sessions_free(&t);
	dnc_ledger_destroy(L);
}

/*
 * R-CRED-2, R-CRED-7: a session table of 8 slots through 600 random opens
 * and closes, over paths of 0-3 relays. While it has unused slots the ids
 * are 1, 2, 3, ... (generation 0: what a run that never fills its table
 * sees); once full, an open takes the slot closed longest ago under a new
 * id. Every id is new; an id whose slot was taken again finds nothing
 * (get, close and a credential's check say wrong session); open sessions
 * keep their parties and relays; the table and its relay store stay
 * bounded; the session locks always equal the open deposits.
 */
static void test_prop_R_CRED_7_session_slots_reused_ids_never(void **st)
{
	static const uint8_t key[32] = "slot reuse scheme key";
	enum { CAP = 8, USERS = 8, ROUNDS = 600 };
	dnc_sigscheme s;
	dnc_sessions t;
	dnc_ledger *L;
	dnc_hash chain;
	user u[USERS];
	uint64_t seed = 0x5107, ids[ROUNDS + 1], open_id[CAP * 4], old[ROUNDS];
	dnc_acct open_cons[CAP * 4], open_dist[CAP * 4], open_rel[CAP * 4][3];
	uint32_t open_nrel[CAP * 4];
	uint32_t n_ids = 0, n_open = 0, n_old = 0, fresh = 0;
	(void)st;
	assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
	assert_int_equal(dnc_ledger_create(USERS + 2, 1000000 * DNET, &L), DNC_OK);
	for (uint32_t i = 0; i < USERS; i++) {
		mk_user(&s, 10 + i, &u[i]);
		assert_int_equal(dnc_ledger_add(L, &u[i].pk, &u[i].a), DNC_OK);
		assert_int_equal(dnc_ledger_mint(L, u[i].a, 10000 * DNET), DNC_OK);
	}
	assert_int_equal(dnc_sessions_init(&t, CAP), DNC_OK);
	dnc_hash_bytes((const uint8_t *)"slot reuse chain", 16, &chain);
	for (uint32_t r = 0; r < ROUNDS; r++) {
		if (n_open > 0 && (n_open == CAP || below(&seed, 3) == 0)) {
			/* the distributor closes a random open session */
			uint32_t k = (uint32_t)below(&seed, n_open);
			assert_int_equal(dnc_session_close(&t, L, open_dist[k], open_id[k], 0, 0, NULL), DNC_OK);
			old[n_old++] = open_id[k];
			n_open--;
			open_id[k] = open_id[n_open], open_cons[k] = open_cons[n_open], open_dist[k] = open_dist[n_open];
			open_nrel[k] = open_nrel[n_open];
			memcpy(open_rel[k], open_rel[n_open], sizeof open_rel[k]);
			continue;
		}
		/* a consumer, a distributor and up to three relays, all different */
		uint32_t pick[5], m = 2 + (uint32_t)below(&seed, 4);
		for (uint32_t i = 0; i < m; i++) {
			pick[i] = (uint32_t)below(&seed, USERS);
			for (uint32_t j = 0; j < i; j++)
				if (pick[j] == pick[i])
					pick[i] = (pick[i] + 1) % USERS, j = UINT32_MAX; /* again from the first */
		}
		dnc_acct rel[3];
		for (uint32_t i = 2; i < m; i++)
			rel[i - 2] = u[pick[i]].a;
		uint64_t id = 0;
		dnc_rc rc = dnc_session_open_route(&t, L, u[pick[0]].a, u[pick[1]].a, rel, m - 2, 1000, 500, 0, &id);
		assert_int_equal(rc, DNC_OK);
		for (uint32_t i = 0; i < n_ids; i++)
			assert_true(ids[i] != id); /* never an id given before */
		if (t.reused == 0)
			assert_true(id == ++fresh); /* generation 0: in order */
		ids[n_ids++] = id;
		open_id[n_open] = id, open_cons[n_open] = u[pick[0]].a, open_dist[n_open] = u[pick[1]].a;
		open_nrel[n_open] = m - 2;
		memcpy(open_rel[n_open], rel, sizeof rel);
		n_open++;
		/* the old ids whose slot is now taken again find nothing */
		for (uint32_t i = 0; i < n_old; i++) {
			if ((old[i] & UINT32_MAX) != (id & UINT32_MAX))
				continue;
			dnc_credential c;
			uint64_t units;
			memset(&c, 0, sizeof c);
			c.session_id = old[i];
			c.total_units = 1;
			assert_null(dnc_session_get(&t, old[i]));
			assert_int_equal(dnc_session_close(&t, L, u[pick[1]].a, old[i], 0, 0, NULL), DNC_EWRONGSESSION);
			assert_int_equal(dnc_credential_sign(&s, &chain, &u[pick[1]].pk, u[pick[0]].sk, &c), DNC_OK);
			assert_int_equal(dnc_session_check(&t, L, &s, &chain, u[pick[1]].a, old[i], &c, &units),
			                 DNC_EWRONGSESSION);
		}
		/* every open session as opened; the locks are its deposits */
		dn_amount locked = 0;
		for (uint32_t k = 0; k < n_open; k++) {
			const dnc_session *ss = dnc_session_get(&t, open_id[k]);
			assert_non_null(ss);
			assert_int_equal(ss->consumer, open_cons[k]);
			assert_int_equal(ss->distributor, open_dist[k]);
			assert_int_equal(ss->n_relays, open_nrel[k]);
			const dnc_acct *rr = dnc_session_relays(&t, ss);
			for (uint32_t i = 0; i < open_nrel[k]; i++)
				assert_int_equal(rr[i], open_rel[k][i]);
			locked += ss->deposit_left;
		}
		assert_int_equal(dnc_ledger_locked_total(L, DNC_LOCK_SESSION), locked);
		/* a slot's range only ever grows, to 1, 2, then 3 relays at most */
		assert_true(t.n <= CAP && t.hops_n <= CAP * (1 + 2 + 3));
	}
	assert_true(t.reused > 100); /* the table was full most of the run */
	assert_int_equal(dnc_session_open(&t, L, u[0].a, u[1].a, 1000, 500, 0, &ids[0]),
	                 n_open == CAP ? DNC_EFULL : DNC_OK);
	dnc_sessions_free(&t);
	dnc_ledger_destroy(L);
}

/* The scheme counts what went through it, good and bad signatures alike,
 * and a copy counts on its own (the chain keeps one). */
static void test_sig_counts(void **st)
{
	static const uint8_t key[32] = "count scheme key";
	dnc_sigscheme s, copy;
	dnc_pubkey pk;
	uint8_t sk[DNC_SK_BYTES], seed[32] = {9}, msg[8] = "message";
	dnc_sig sig;
	uint64_t k, n, v;
	(void)st;
	for (int ed = 0; ed < 2; ed++) {
		if (ed)
			assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
		else
			assert_int_equal(dnc_sig_init_keyed(&s, key), DNC_OK);
		dnc_sig_counts(&s, &k, &n, &v);
		assert_true(k == 0 && n == 0 && v == 0);
		assert_int_equal(dnc_sig_keypair(&s, seed, &pk, sk), DNC_OK);
		for (int i = 0; i < 3; i++)
			assert_int_equal(dnc_sig_sign(&s, sk, msg, sizeof msg, &sig), DNC_OK);
		copy = s;
		assert_int_equal(dnc_sig_verify(&copy, &pk, msg, sizeof msg, &sig), DNC_OK);
		msg[0] ^= 1;
		assert_int_equal(dnc_sig_verify(&copy, &pk, msg, sizeof msg, &sig), DNC_EBADSIG);
		msg[0] ^= 1;
		dnc_sig_counts(&s, &k, &n, &v);
		assert_true(k == 1 && n == 3 && v == 0);
		dnc_sig_counts(&copy, &k, &n, &v);
		assert_true(k == 1 && n == 3 && v == 2);
	}
}

static void test_prop_R_CRED_7_bit_flips_ed25519(void **st)
{
	(void)st;
	cred_flips(0);
}

static void test_prop_R_CRED_7_bit_flips_keyed(void **st)
{
	(void)st;
	cred_flips(1);
}

static void test_prop_amount_parse_format(void **st)
{
	uint64_t seed = 0x5eed0007;
	char buf[40];
	uint32_t it;
	dn_amount a, b;
	(void)st;
	for (it = 0; it < 20000; it++) {
		a = (dn_amount)(sm_next(&seed) >> (1 + below(&seed, 62)));
		dnc_amount_format(a, buf, sizeof buf);
		assert_int_equal(dnc_amount_parse(buf, &b), DNC_OK);
		assert_true(a == b);
		snprintf(buf, sizeof buf, "%lldu", (long long)a);
		assert_int_equal(dnc_amount_parse(buf, &b), DNC_OK);
		assert_true(a == b);
	}
	assert_int_equal(dnc_amount_parse("0.5", &a), DNC_OK);
	assert_true(a == DNET / 2);
	assert_int_equal(dnc_amount_parse("150u", &a), DNC_OK);
	assert_true(a == 150);
	assert_int_equal(dnc_amount_parse("1.000000001", &a), DNC_EMALFORMED);
	assert_int_equal(dnc_amount_parse("-1", &a), DNC_EMALFORMED);
	assert_int_equal(dnc_amount_parse("1e5", &a), DNC_EMALFORMED);
	assert_int_equal(dnc_amount_parse(".", &a), DNC_EMALFORMED);
	assert_int_equal(dnc_amount_parse("99999999999999999999", &a), DNC_EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_R_FEE_3_splits_sum_exactly),
		cmocka_unit_test(test_prop_conservation_random_sequences),
		cmocka_unit_test(test_prop_codec_roundtrip),
		cmocka_unit_test(test_prop_tx_copy_keeps_the_encoding),
		cmocka_unit_test(test_prop_decoder_fuzz_random_bytes),
		cmocka_unit_test(test_prop_decoder_bit_flips_never_valid),
		cmocka_unit_test(test_decoder_rejects_each_malformation),
		cmocka_unit_test(test_tx_replay_rejected_by_nonce),
		cmocka_unit_test(test_tx_replay_on_another_chain_rejected),
		cmocka_unit_test(test_prop_R_CRED_7_bit_flips_ed25519),
		cmocka_unit_test(test_prop_R_CRED_7_bit_flips_keyed),
		cmocka_unit_test(test_prop_R_CRED_7_session_slots_reused_ids_never),
		cmocka_unit_test(test_sig_counts),
		cmocka_unit_test(test_prop_amount_parse_format),
	};
	return cmocka_run_group_tests_name("chain_props", tests, NULL, NULL);
}
