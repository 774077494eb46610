/*
 * test_chain_sec3_credentials.c: SPEC section 3, traffic credentials and
 * the traffic-sharing contract (R-CRED-1..7, and R-CONS-4's "only redeemed
 * credentials count"). Every test runs twice: with Ed25519 and with the
 * keyed-BLAKE2b scheme, which must behave identically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

enum { SCHEME_ED25519 = 0, SCHEME_KEYED = 1 };
static const int scheme_ed = SCHEME_ED25519, scheme_keyed = SCHEME_KEYED;

typedef struct fix {
	dnc_sigscheme s;
	dnc_chain *c;
	dnc_ledger *L;
	user u[8];
} fix;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0xc3;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

static int setup(void **st)
{
	static const uint8_t key[32] = "scheme key for credential tests";
	int kind = **(const int **)st;
	dnc_chain_limits lim = { 32, 64, 8 };
	dnc_params p;
	user f;
	uint32_t i;
	fix *x = test_calloc(1, sizeof *x);
	if (kind == SCHEME_KEYED)
		assert_int_equal(dnc_sig_init_keyed(&x->s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&x->s), DNC_OK);
	dnc_params_default(&p);
	mk_user(&x->s, 999, &f);
	assert_int_equal(dnc_chain_create(&p, &x->s, &lim, &f.pk, &x->c), DNC_OK);
	x->L = dnc_chain_ledger(x->c);
	for (i = 0; i < 8; i++) {
		mk_user(&x->s, i, &x->u[i]);
		assert_int_equal(dnc_ledger_add(x->L, &x->u[i].pk, &x->u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(x->c, x->u[i].a, DNC_GEN_COMMUNITY, 100 * DNET),
				 DNC_OK);
	}
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	fix *x = *st;
	dnc_chain_destroy(x->c);
	test_free(x);
	return 0;
}

/* every balance and lock, to prove a rejection changed nothing */
typedef struct snap { dn_amount v[8][1 + DNC_LOCK_N]; dn_amount pot; } snap;

static void take(const fix *x, snap *s)
{
	uint32_t i, k;
	for (i = 0; i < 8; i++) {
		s->v[i][0] = dnc_ledger_balance(x->L, x->u[i].a);
		for (k = 0; k < DNC_LOCK_N; k++)
			s->v[i][1 + k] = dnc_ledger_account(x->L, x->u[i].a)->lock[k];
	}
	s->pot = dnc_ledger_balance(x->L, dnc_chain_fee_pot(x->c));
}

static void same(const fix *x, const snap *a)
{
	snap b;
	take(x, &b);
	assert_memory_equal(a, &b, sizeof b);
}

/* consumer u[1] opens a session with distributor u[2]: 100 units at 0.01 */
static uint64_t open_session(fix *x, uint32_t consumer, uint32_t dist, uint64_t units)
{
	dnc_tx tx;
	dnc_tx_receipt r;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.from = x->u[consumer].pk;
	tx.nonce = dnc_ledger_nonce(x->L, x->u[consumer].a);
	tx.u.open.distributor = x->u[dist].pk;
	tx.u.open.price_per_unit = DNET / 100;
	tx.u.open.units = units;
	tx.u.open.expiry_s = 1000;
	assert_int_equal(dnc_tx_sign(&x->s, x->u[consumer].sk, &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(x->c, &tx, 1, DNC_APPLY_VERIFY_SIG, &r), DNC_OK);
	return r.created_id;
}

static dnc_credential cred(fix *x, uint32_t signer, uint64_t sid, uint64_t total, uint64_t seq)
{
	dnc_credential c;
	memset(&c, 0, sizeof c);
	c.session_id = sid;
	c.total_units = total;
	c.seq = seq;
	assert_int_equal(dnc_credential_sign(&x->s, x->u[signer].sk, &c), DNC_OK);
	return c;
}

static dnc_rc redeem(fix *x, uint32_t who, uint64_t sid, const dnc_credential *c,
		     dnc_tx_receipt *r)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_REDEEM;
	tx.from = x->u[who].pk;
	tx.nonce = dnc_ledger_nonce(x->L, x->u[who].a);
	tx.u.redeem.session_id = sid;
	tx.u.redeem.cred = *c;
	assert_int_equal(dnc_tx_sign(&x->s, x->u[who].sk, &tx), DNC_OK);
	return dnc_chain_apply_tx(x->c, &tx, 2, DNC_APPLY_VERIFY_SIG, r);
}

static void test_R_CRED_1_units(void **st)
{
	dnc_params p;
	(void)st;
	dnc_params_default(&p);
	assert_true(p.unit_bytes == 1048576);
	assert_true(dnc_units_for_bytes(1048576, p.unit_bytes) == 1);
	assert_true(dnc_units_for_bytes(1048577, p.unit_bytes) == 2);
	assert_true(dnc_units_for_bytes(0, p.unit_bytes) == 0);
}

static void test_R_CRED_2_open_locks_deposit(void **st)
{
	fix *x = *st;
	uint64_t sid;
	dn_amount b = dnc_ledger_balance(x->L, x->u[1].a);
	const dnc_session *ss;
	sid = open_session(x, 1, 2, 100);
	ss = dnc_session_get(dnc_chain_sessions(x->c), sid);
	assert_non_null(ss);
	assert_true(ss->deposit_left == DNET);                  /* price x units */
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_SESSION] == DNET);
	assert_true(b - dnc_ledger_balance(x->L, x->u[1].a) == DNET);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_CRED_3_smart_matching(void **st)
{
	dnc_offer o[5] = {
		{ 10, 1, 5, 300, 900000 },
		{ 11, 0, 5, 100, 990000 },   /* unreachable */
		{ 12, 1, 0, 100, 990000 },   /* no capacity */
		{ 13, 1, 5, 200, 800000 },
		{ 14, 1, 5, 200, 950000 },   /* cheapest eligible, more stable */
	};
	uint32_t ch;
	(void)st;
	assert_int_equal(dnc_match_select(o, 5, UINT32_MAX, &ch), DNC_OK);
	assert_int_equal(o[ch].id, 14);
	/* link degraded: re-match away from 14 */
	assert_int_equal(dnc_match_select(o, 5, 14, &ch), DNC_OK);
	assert_int_equal(o[ch].id, 13);
	o[0].reachable = o[3].reachable = o[4].reachable = 0;
	assert_int_equal(dnc_match_select(o, 5, UINT32_MAX, &ch), DNC_ENOTFOUND);
}

static void test_R_CRED_4_cumulative_credentials(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c1, c2, c0;
	uint64_t sid = open_session(x, 1, 2, 100);
	dn_amount b2 = dnc_ledger_balance(x->L, x->u[2].a);
	c1 = cred(x, 1, sid, 10, 1);
	c2 = cred(x, 1, sid, 25, 2);
	c0 = cred(x, 1, sid, 20, 3);
	assert_int_equal(redeem(x, 2, sid, &c1, &r), DNC_OK);
	assert_true(r.units == 10);
	assert_int_equal(redeem(x, 2, sid, &c2, &r), DNC_OK);
	assert_true(r.units == 15);            /* only the new units */
	assert_int_equal(redeem(x, 2, sid, &c0, &r), DNC_EREPLAY); /* lower total */
	assert_int_equal(redeem(x, 2, sid, &c2, &r), DNC_EREPLAY); /* same again */
	/* 25 units at 0.01, less 0.5 % */
	assert_true(dnc_ledger_balance(x->L, x->u[2].a) - b2 == 25 * DNET / 100 - 25 * DNET / 100 / 200);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_CRED_5_grace_units(void **st)
{
	dnc_params p;
	(void)st;
	dnc_params_default(&p);
	assert_true(dnc_session_should_serve(10, 10, p.grace_units));
	assert_true(dnc_session_should_serve(13, 10, p.grace_units));
	assert_false(dnc_session_should_serve(14, 10, p.grace_units));
	assert_false(dnc_session_should_serve(100, 0, p.grace_units));
}

static void test_R_CRED_6_redeem_then_close_refunds(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c1;
	dnc_tx tx;
	uint64_t sid = open_session(x, 1, 2, 100);
	dn_amount b1 = dnc_ledger_balance(x->L, x->u[1].a);
	c1 = cred(x, 1, sid, 40, 1);
	assert_int_equal(redeem(x, 2, sid, &c1, &r), DNC_OK);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_CLOSE;
	tx.from = x->u[1].pk;
	tx.nonce = dnc_ledger_nonce(x->L, x->u[1].a);
	tx.u.close.session_id = sid;
	/* the consumer cannot pull the deposit before expiry */
	assert_int_equal(dnc_chain_apply_tx(x->c, &tx, 999, 0, &r), DNC_ETOOEARLY);
	assert_int_equal(dnc_chain_apply_tx(x->c, &tx, 1000, 0, &r), DNC_OK);
	assert_true(r.moved == 60 * DNET / 100);
	assert_true(dnc_ledger_balance(x->L, x->u[1].a) - b1 == 60 * DNET / 100);
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_SESSION] == 0);
	/* closed: no more redemption */
	c1 = cred(x, 1, sid, 50, 2);
	assert_int_equal(redeem(x, 2, sid, &c1, &r), DNC_ESESSIONCLOSED);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_CRED_6_distributor_may_close(void **st)
{
	fix *x = *st;
	dn_amount refund;
	uint64_t sid = open_session(x, 1, 2, 10);
	dnc_sessions *t = (dnc_sessions *)dnc_chain_sessions(x->c);
	assert_int_equal(dnc_session_close(t, x->L, x->u[3].a, sid, 0, &refund),
			 DNC_EUNAUTHORIZED);
	assert_int_equal(dnc_session_close(t, x->L, x->u[2].a, sid, 0, &refund), DNC_OK);
	assert_true(refund == DNET / 10);
	assert_int_equal(dnc_session_close(t, x->L, x->u[2].a, sid, 0, &refund),
			 DNC_ESESSIONCLOSED);
}

static void test_R_CRED_7_forgery_rejected(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	snap s;
	uint64_t sid = open_session(x, 1, 2, 100);
	take(x, &s);
	c = cred(x, 3, sid, 10, 1);            /* signed by a stranger */
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EBADSIG);
	c = cred(x, 2, sid, 10, 1);            /* by the distributor itself */
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EBADSIG);
	c = cred(x, 1, sid, 10, 1);
	c.total_units = 90;                    /* altered after signing */
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EBADSIG);
	c = cred(x, 1, sid, 10, 1);
	c.sig.b[5] ^= 1;
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EBADSIG);
	same(x, &s);
	assert_true(dnc_ledger_nonce(x->L, x->u[2].a) == 0);
}

static void test_R_CRED_7_wrong_session_rejected(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	snap s;
	uint64_t sa = open_session(x, 1, 2, 100);
	uint64_t sb = open_session(x, 4, 2, 100);
	take(x, &s);
	c = cred(x, 1, sa, 10, 1);
	assert_int_equal(redeem(x, 2, sb, &c, &r), DNC_EWRONGSESSION); /* A's for B */
	c.session_id = sb;                      /* re-pointed: signature breaks */
	assert_int_equal(redeem(x, 2, sb, &c, &r), DNC_EBADSIG);
	c = cred(x, 1, 77, 10, 1);
	assert_int_equal(redeem(x, 2, 77, &c, &r), DNC_EWRONGSESSION); /* no such */
	c = cred(x, 1, sa, 10, 1);
	assert_int_equal(redeem(x, 5, sa, &c, &r), DNC_EUNAUTHORIZED); /* not its distributor */
	same(x, &s);
}

static void test_R_CRED_7_over_deposit_rejected(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	snap s;
	uint64_t sid = open_session(x, 1, 2, 100);
	take(x, &s);
	c = cred(x, 1, sid, 101, 1);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EOVERDEPOSIT);
	c = cred(x, 1, sid, UINT64_MAX, 1);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EOVERDEPOSIT);
	same(x, &s);
	c = cred(x, 1, sid, 100, 2);           /* exactly the deposit is fine */
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_OK);
}

static void test_R_CRED_7_replay_rejected(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	snap s;
	uint64_t sid = open_session(x, 1, 2, 100);
	c = cred(x, 1, sid, 30, 1);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_OK);
	take(x, &s);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EREPLAY);
	same(x, &s);
}

static void test_R_CONS_4_only_redeemed_credentials_score(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	uint64_t vol, qual;
	uint64_t sid = open_session(x, 1, 2, 100);
	c = cred(x, 3, sid, 50, 1);              /* forged: no score */
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_EBADSIG);
	dnc_ledger_traffic_score(x->L, x->u[2].a, 0, &vol, &qual);
	assert_true(vol == 0 && qual == 0);
	c = cred(x, 1, sid, 50, 1);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_OK);
	dnc_ledger_traffic_score(x->L, x->u[2].a, 0, &vol, &qual);
	assert_true(vol == 50);
	assert_true(qual == 50 * 100);           /* units per DNET of price */
	assert_true(dnc_ledger_account(x->L, x->u[2].a)->dtoken_units == 50);
}

static void test_R_CRED_4_credential_codec(void **st)
{
	fix *x = *st;
	dnc_credential c = cred(x, 1, 9, 77, 3), d;
	uint8_t buf[DNC_CRED_BYTES];
	dnc_credential_encode(&c, buf);
	assert_int_equal(dnc_credential_decode(buf, sizeof buf, &d), DNC_OK);
	assert_memory_equal(&c, &d, sizeof c);
	assert_int_equal(dnc_credential_decode(buf, sizeof buf - 1, &d), DNC_EMALFORMED);
}

#define BOTH(f) \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)&scheme_ed), \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)&scheme_keyed)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_R_CRED_1_units),
		BOTH(test_R_CRED_2_open_locks_deposit),
		BOTH(test_R_CRED_3_smart_matching),
		BOTH(test_R_CRED_4_cumulative_credentials),
		BOTH(test_R_CRED_4_credential_codec),
		BOTH(test_R_CRED_5_grace_units),
		BOTH(test_R_CRED_6_redeem_then_close_refunds),
		BOTH(test_R_CRED_6_distributor_may_close),
		BOTH(test_R_CRED_7_forgery_rejected),
		BOTH(test_R_CRED_7_wrong_session_rejected),
		BOTH(test_R_CRED_7_over_deposit_rejected),
		BOTH(test_R_CRED_7_replay_rejected),
		BOTH(test_R_CONS_4_only_redeemed_credentials_score),
	};
	return cmocka_run_group_tests_name("chain_sec3_credentials", tests, NULL, NULL);
}
