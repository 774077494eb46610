/*
 * test_chain_sec3_credentials.c: rules section 3, traffic credentials and
 * the traffic-sharing contract (R-CRED-1..7, and R-CONS-4's "only redeemed
 * credentials count"), including credentials replayed on another chain or
 * for another distributor. Every test runs twice: with Ed25519 and with the
 * keyed-SipHash scheme, which must behave identically.
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

/* a chain with the fixture's parameters and foundation; users 0..7 get
 * `each` DNET at genesis (100 DNET is the fixture's own genesis) */
static dnc_chain *mk_chain(fix *x, dn_amount each)
{
	dnc_chain_limits lim = { 32, 64, 8 };
	dnc_params p;
	dnc_chain *c;
	user f;
	dnc_acct a;
	uint32_t i;
	dnc_params_default(&p);
	mk_user(&x->s, 999, &f);
	assert_int_equal(dnc_chain_create(&p, &x->s, &lim, &f.pk, &c), DNC_OK);
	for (i = 0; i < 8; i++) {
		mk_user(&x->s, i, &x->u[i]);
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &x->u[i].pk, &a), DNC_OK);
		x->u[i].a = a; /* the same index on every chain built here */
		assert_int_equal(dnc_chain_genesis(c, a, DNC_GEN_COMMUNITY, each), DNC_OK);
	}
	return c;
}

static int setup(void **st)
{
	static const uint8_t key[32] = "scheme key for credential tests";
	int kind = **(const int **)st;
	fix *x = test_calloc(1, sizeof *x);
	if (kind == SCHEME_KEYED)
		assert_int_equal(dnc_sig_init_keyed(&x->s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&x->s), DNC_OK);
	x->c = mk_chain(x, 100 * DNET);
	x->L = dnc_chain_ledger(x->c);
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

/*
 * Everything a redemption could change on chain c: every account record
 * (balances, nonces, locks: the state root), the session table and the
 * users' redeemed traffic.
 */
typedef struct full { dnc_hash root; uint64_t n; dnc_session v[8]; uint64_t units[8]; } full;

static void full_take(const fix *x, const dnc_chain *c, full *f)
{
	const dnc_ledger *L = dnc_chain_ledger_c(c);
	const dnc_sessions *t = dnc_chain_sessions(c);
	dnc_merkle_tree tree;
	uint32_t i;
	memset(f, 0, sizeof *f);
	assert_int_equal(dnc_state_tree(L, &tree), DNC_OK);
	dnc_merkle_tree_root(&tree, &f->root);
	dnc_merkle_tree_free(&tree);
	assert_true(t->n <= 8);
	f->n = t->n;
	memcpy(f->v, t->v, (size_t)t->n * sizeof *t->v);
	for (i = 0; i < 8; i++)
		f->units[i] = dnc_ledger_account(L, dnc_ledger_find(L, &x->u[i].pk))->dtoken_units;
}

static void full_same(const fix *x, const dnc_chain *c, const full *a)
{
	full b;
	full_take(x, c, &b);
	assert_memory_equal(a, &b, sizeof b);
}

/* consumer opens a session on chain c with distributor dist: units at 0.01 */
static uint64_t open_on(fix *x, dnc_chain *c, uint32_t consumer, uint32_t dist, uint64_t units)
{
	const dnc_ledger *L = dnc_chain_ledger_c(c);
	dnc_tx tx;
	dnc_tx_receipt r;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.from = x->u[consumer].pk;
	tx.nonce = dnc_ledger_nonce(L, dnc_ledger_find(L, &x->u[consumer].pk));
	tx.u.open.distributor = x->u[dist].pk;
	tx.u.open.price_per_unit = DNET / 100;
	tx.u.open.units = units;
	tx.u.open.expiry_s = 1000;
	assert_int_equal(dnc_tx_sign(&x->s, dnc_chain_id(c), x->u[consumer].sk, &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, DNC_APPLY_VERIFY_SIG, &r), DNC_OK);
	return r.created_id;
}

static uint64_t open_session(fix *x, uint32_t consumer, uint32_t dist, uint64_t units)
{
	return open_on(x, x->c, consumer, dist, units);
}

/* a credential signed by signer for chain id `chain`, made out to dist */
static dnc_credential cred_for(fix *x, const dnc_hash *chain, uint32_t dist, uint32_t signer,
			       uint64_t sid, uint64_t total, uint64_t seq)
{
	dnc_credential c;
	memset(&c, 0, sizeof c);
	c.session_id = sid;
	c.total_units = total;
	c.seq = seq;
	assert_int_equal(dnc_credential_sign(&x->s, chain, &x->u[dist].pk, x->u[signer].sk, &c),
			 DNC_OK);
	return c;
}

/* a credential for the fixture chain, made out to the session's distributor */
static dnc_credential cred(fix *x, uint32_t signer, uint64_t sid, uint64_t total, uint64_t seq)
{
	const dnc_session *ss = dnc_session_get(dnc_chain_sessions(x->c), sid);
	uint32_t dist = 2, i;
	for (i = 0; ss && i < 8; i++)
		if (x->u[i].a == ss->distributor)
			dist = i;
	return cred_for(x, dnc_chain_id(x->c), dist, signer, sid, total, seq);
}

/* who's redeem transaction for chain `chain`, signed */
static dnc_tx redeem_tx(fix *x, const dnc_chain *on, const dnc_hash *chain, uint32_t who,
			uint64_t sid, const dnc_credential *c)
{
	const dnc_ledger *L = dnc_chain_ledger_c(on);
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_REDEEM;
	tx.from = x->u[who].pk;
	tx.nonce = dnc_ledger_nonce(L, dnc_ledger_find(L, &x->u[who].pk));
	tx.u.redeem.session_id = sid;
	tx.u.redeem.cred = *c;
	assert_int_equal(dnc_tx_sign(&x->s, chain, x->u[who].sk, &tx), DNC_OK);
	return tx;
}

static dnc_rc redeem_on(fix *x, dnc_chain *c, uint32_t who, uint64_t sid,
			const dnc_credential *cr, dnc_tx_receipt *r)
{
	dnc_tx tx = redeem_tx(x, c, dnc_chain_id(c), who, sid, cr);
	return dnc_chain_apply_tx(c, &tx, 2, DNC_APPLY_VERIFY_SIG, r);
}

static dnc_rc redeem(fix *x, uint32_t who, uint64_t sid, const dnc_credential *c,
		     dnc_tx_receipt *r)
{
	return redeem_on(x, x->c, who, sid, c, r);
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
	assert_int_equal(dnc_session_close(t, x->L, x->u[3].a, sid, 0, 0, &refund),
			 DNC_EUNAUTHORIZED);
	assert_int_equal(dnc_session_close(t, x->L, x->u[2].a, sid, 0, 0, &refund), DNC_OK);
	assert_true(refund == DNET / 10);
	assert_int_equal(dnc_session_close(t, x->L, x->u[2].a, sid, 0, 0, &refund),
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
	/* every byte of the signature counts (the keyed tag's last 48 are
	 * zero, and must stay so) */
	for (size_t i = 0; i < DNC_SIG_BYTES; i++) {
		dnc_credential d = cred(x, 1, sid, 10, 1);
		d.sig.b[i] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(redeem(x, 2, sid, &d, &r), DNC_EBADSIG);
	}
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

/* who closes session sid with a signed transaction on the fixture chain */
static dnc_rc close_tx(fix *x, uint32_t who, uint64_t sid)
{
	const dnc_ledger *L = x->L;
	dnc_tx tx;
	dnc_tx_receipt r;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_CLOSE;
	tx.from = x->u[who].pk;
	tx.nonce = dnc_ledger_nonce(L, dnc_ledger_find(L, &x->u[who].pk));
	tx.u.close.session_id = sid;
	assert_int_equal(dnc_tx_sign(&x->s, dnc_chain_id(x->c), x->u[who].sk, &tx), DNC_OK);
	return dnc_chain_apply_tx(x->c, &tx, 1, DNC_APPLY_VERIFY_SIG, &r);
}

/*
 * R-CONS-3 loss: closing a session settles it in the current score window:
 * its redeemed units against the units its deposit bought feed the
 * distributor's loss ingredient (S^2 / B), once.
 */
static void test_R_CONS_3_settled_sessions_feed_loss(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	dnc_credential c;
	dnc_quality q;
	uint64_t s1 = open_session(x, 1, 2, 100), s2 = open_session(x, 3, 2, 60);
	c = cred(x, 1, s1, 40, 1);
	assert_int_equal(redeem(x, 2, s1, &c, &r), DNC_OK);
	c = cred(x, 3, s2, 60, 1);
	assert_int_equal(redeem(x, 2, s2, &c, &r), DNC_OK);
	dnc_ledger_quality_score(x->L, x->u[2].a, 0, &q);
	assert_true(q.price == 100 * 100);      /* 100 units at 0.01 DNET */
	assert_true(q.stability == 100);        /* 100 units, first window */
	assert_true(q.loss == 0);               /* nothing settled yet */
	assert_int_equal(close_tx(x, 2, s1), DNC_OK);
	dnc_ledger_quality_score(x->L, x->u[2].a, 0, &q);
	assert_true(q.loss == 40 * 40 / 100);   /* 40 of 100 delivered: 16 */
	assert_int_equal(close_tx(x, 2, s1), DNC_ESESSIONCLOSED);
	dnc_ledger_quality_score(x->L, x->u[2].a, 0, &q);
	assert_true(q.loss == 16);              /* counted once */
	assert_int_equal(close_tx(x, 2, s2), DNC_OK);
	dnc_ledger_quality_score(x->L, x->u[2].a, 0, &q);
	assert_true(q.loss == 100 * 100 / 160); /* 100 of 160: 62 */
	/* the consumer's account earns nothing by it */
	dnc_ledger_quality_score(x->L, x->u[1].a, 0, &q);
	assert_true(q.loss == 0 && q.price == 0 && q.stability == 0);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
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

/*
 * R-CRED-7: chain B has another genesis (200 DNET each), so another chain
 * id, but the same keys and the same session 1 (u1 -> u2). A's credential
 * and A's redeem transaction are rejected on B as DNC_EWRONGCHAIN and
 * change nothing there; on A they are accepted.
 */
static void test_R_CRED_7_cross_chain_replay_rejected(void **st)
{
	fix *x = *st;
	dnc_chain *b = mk_chain(x, 200 * DNET);
	const dnc_hash *ida = dnc_chain_id(x->c), *idb = dnc_chain_id(b);
	dnc_tx_receipt r;
	dnc_credential c, d;
	dnc_tx ta, t;
	uint64_t units;
	full fb;
	uint64_t sa = open_session(x, 1, 2, 100), sb = open_on(x, b, 1, 2, 100);
	assert_memory_not_equal(ida->b, idb->b, DNC_HASH_BYTES);
	assert_true(sa == sb);
	c = cred(x, 1, sa, 30, 1);
	ta = redeem_tx(x, x->c, ida, 2, sa, &c);
	full_take(x, b, &fb);
	/* A's credential in B's own, valid transaction */
	assert_int_equal(redeem_on(x, b, 2, sb, &c, &r), DNC_EWRONGCHAIN);
	assert_int_equal(dnc_session_check(dnc_chain_sessions(b), dnc_chain_ledger_c(b), &x->s,
					   idb, x->u[2].a, sb, &c, &units), DNC_EWRONGCHAIN);
	assert_true(units == 0);
	/* A's whole transaction (same sender, same nonce 0) replayed on B,
	 * verified or not: the credential inside is checked either way */
	assert_int_equal(dnc_chain_apply_tx(b, &ta, 2, DNC_APPLY_VERIFY_SIG, &r), DNC_EWRONGCHAIN);
	assert_int_equal(dnc_chain_apply_tx(b, &ta, 2, 0, &r), DNC_EWRONGCHAIN);
	assert_true(r.moved == 0 && r.units == 0 && r.fee_paid == 0);
	/* re-pointed at B after signing: the signatures break */
	d = c;
	d.chain = *idb;
	assert_int_equal(redeem_on(x, b, 2, sb, &d, &r), DNC_EBADSIG);
	t = ta;
	t.chain = *idb;
	assert_int_equal(dnc_chain_apply_tx(b, &t, 2, DNC_APPLY_VERIFY_SIG, &r), DNC_EBADSIG);
	full_same(x, b, &fb);
	assert_int_equal(dnc_chain_check(b), DNC_OK);
	/* on its own chain the same transaction is accepted */
	assert_int_equal(dnc_chain_apply_tx(x->c, &ta, 2, DNC_APPLY_VERIFY_SIG, &r), DNC_OK);
	assert_true(r.units == 30);
	/* and B's own credential, on B */
	c = cred_for(x, idb, 2, 1, sb, 30, 1);
	assert_int_equal(redeem_on(x, b, 2, sb, &c, &r), DNC_OK);
	assert_true(r.units == 30);
	dnc_chain_destroy(b);
}

/*
 * R-CRED-7: a fork of the fixture chain (the same genesis, so the same
 * chain id) where session 1 went to u3 instead of u2. u2's credential
 * redeemed by u3 for the fork's session 1 is DNC_EWRONGDIST and changes
 * nothing; on the fixture chain a credential the consumer made out to u3
 * cannot be redeemed by u2 either.
 */
static void test_R_CRED_7_other_distributor_rejected(void **st)
{
	fix *x = *st;
	dnc_chain *f = mk_chain(x, 100 * DNET);
	dnc_tx_receipt r;
	dnc_credential c, d;
	uint64_t units;
	full ff;
	snap s;
	uint64_t sa = open_session(x, 1, 2, 100), sf = open_on(x, f, 1, 3, 100);
	assert_memory_equal(dnc_chain_id(x->c)->b, dnc_chain_id(f)->b, DNC_HASH_BYTES);
	assert_true(sa == sf);
	c = cred(x, 1, sa, 30, 1);                 /* made out to u2 */
	full_take(x, f, &ff);
	assert_int_equal(redeem_on(x, f, 3, sf, &c, &r), DNC_EWRONGDIST);
	assert_int_equal(dnc_session_check(dnc_chain_sessions(f), dnc_chain_ledger_c(f), &x->s,
					   dnc_chain_id(f), x->u[3].a, sf, &c, &units),
			 DNC_EWRONGDIST);
	d = c;
	d.distributor = x->u[3].pk;                /* re-pointed: signature breaks */
	assert_int_equal(redeem_on(x, f, 3, sf, &d, &r), DNC_EBADSIG);
	full_same(x, f, &ff);
	/* on the fixture chain */
	take(x, &s);
	assert_int_equal(redeem(x, 3, sa, &c, &r), DNC_EUNAUTHORIZED); /* not its session */
	d = cred_for(x, dnc_chain_id(x->c), 3, 1, sa, 30, 1);        /* made out to u3 */
	assert_int_equal(redeem(x, 2, sa, &d, &r), DNC_EWRONGDIST);
	same(x, &s);
	assert_true(dnc_ledger_nonce(x->L, x->u[2].a) == 0);
	/* each credential is good for its own distributor */
	assert_int_equal(redeem(x, 2, sa, &c, &r), DNC_OK);
	assert_true(r.units == 30);
	d = cred_for(x, dnc_chain_id(f), 3, 1, sf, 30, 1);
	assert_int_equal(redeem_on(x, f, 3, sf, &d, &r), DNC_OK);
	assert_true(r.units == 30);
	dnc_chain_destroy(f);
}

/* consumer opens a session with dist over relays rel[n] (R-SHARE-2) */
static dnc_rc open_route(fix *x, uint32_t consumer, uint32_t dist, const uint32_t *rel,
			 uint32_t n, uint64_t units, dnc_tx_receipt *r)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.from = x->u[consumer].pk;
	tx.nonce = dnc_ledger_nonce(x->L, x->u[consumer].a);
	tx.u.open.distributor = x->u[dist].pk;
	tx.u.open.price_per_unit = DNET / 100 + 7; /* odd, so shares round */
	tx.u.open.units = units;
	tx.u.open.expiry_s = 1000;
	tx.u.open.n_relays = (uint8_t)n;
	for (uint32_t i = 0; i < n; i++)
		tx.u.open.relay[i] = x->u[rel[i]].pk;
	assert_int_equal(dnc_tx_sign(&x->s, dnc_chain_id(x->c), x->u[consumer].sk, &tx), DNC_OK);
	return dnc_chain_apply_tx(x->c, &tx, 1, DNC_APPLY_VERIFY_SIG, r);
}

/* R-SHARE-2 inside the contract: a session opened over an ad hoc path pays
 * its relays at every redeem, 50 % of what is left after the community fee
 * in equal shares, the rounding remainder to the distributor; every share
 * and the fee add up to the payment exactly (R-FEE-3); the traffic score
 * is the distributor's alone (R-CONS-4). */
static void test_R_SHARE_2_session_pays_its_relays(void **st)
{
	fix *x = *st;
	const uint32_t rel[3] = {4, 5, 6};
	dn_amount before[8], after[8];
	dnc_tx_receipt r;
	dnc_share_split sp;
	dn_amount fee, net, pay, given = 0;
	uint64_t sid;
	for (uint32_t i = 0; i < 8; i++)
		before[i] = dnc_ledger_balance(x->L, x->u[i].a);
	assert_int_equal(open_route(x, 1, 2, rel, 3, 100, &r), DNC_OK);
	sid = r.created_id;
	assert_true(dnc_session_get(dnc_chain_sessions(x->c), sid)->n_relays == 3);
	dnc_credential c = cred(x, 1, sid, 40, 1);
	assert_int_equal(redeem(x, 2, sid, &c, &r), DNC_OK);
	pay = 40 * (DNET / 100 + 7);
	fee = r.fee_paid;
	net = r.moved;
	assert_true(fee + net == pay);
	assert_int_equal(dnc_session_split(dnc_chain_params(x->c), net, 3, &sp), DNC_OK);
	for (uint32_t i = 0; i < 8; i++)
		after[i] = dnc_ledger_balance(x->L, x->u[i].a);
	for (uint32_t i = 0; i < 3; i++) {
		assert_true(after[rel[i]] - before[rel[i]] == sp.relay[i]);
		assert_true(sp.relay[i] == sp.relay[0]); /* equal shares */
		given += sp.relay[i];
	}
	assert_true(given == (net / 2) / 3 * 3);    /* 50 % pool, rounded down per relay */
	assert_true(after[2] - before[2] == net - given); /* remainder to the distributor */
	assert_true(after[2] - before[2] + given + fee == pay);
	/* only the distributor's traffic counts */
	assert_true(dnc_ledger_account(x->L, x->u[2].a)->dtoken_units == 40);
	for (uint32_t i = 0; i < 3; i++)
		assert_true(dnc_ledger_account(x->L, x->u[rel[i]].a)->dtoken_units == 0);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

/* A path naming a party of the session, an unknown key or too many relays
 * is refused and changes nothing. */
static void test_R_SHARE_2_bad_route_refused(void **st)
{
	fix *x = *st;
	dnc_tx_receipt r;
	full s;
	full_take(x, x->c, &s);
	const uint32_t self[2] = {4, 1}, dist[1] = {2};
	assert_int_equal(open_route(x, 1, 2, self, 2, 100, &r), DNC_EINVAL);
	assert_int_equal(open_route(x, 1, 2, dist, 1, 100, &r), DNC_EINVAL);
	full_same(x, x->c, &s);
	/* more relays than the bound never decodes: the encoder refuses it */
	dnc_tx tx;
	uint8_t buf[DNC_TX_MAX_BYTES];
	size_t len;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.u.open.price_per_unit = 1;
	tx.u.open.units = 1;
	tx.u.open.n_relays = DNC_MAX_RELAYS + 1;
	assert_int_equal(dnc_tx_encode(&tx, buf, sizeof buf, &len), DNC_EINVAL);
	/* and a route survives the wire */
	tx.u.open.n_relays = 2;
	tx.u.open.relay[0] = x->u[4].pk;
	tx.u.open.relay[1] = x->u[5].pk;
	dnc_tx back;
	assert_int_equal(dnc_tx_encode(&tx, buf, sizeof buf, &len), DNC_OK);
	assert_true(len == 82 + 57 + 2 * 32 + 64);
	assert_int_equal(dnc_tx_decode(buf, len, &back), DNC_OK);
	assert_true(back.u.open.n_relays == 2);
	assert_memory_equal(back.u.open.relay[1].b, x->u[5].pk.b, DNC_PK_BYTES);
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
		BOTH(test_R_CRED_7_cross_chain_replay_rejected),
		BOTH(test_R_CRED_7_other_distributor_rejected),
		BOTH(test_R_CONS_4_only_redeemed_credentials_score),
		BOTH(test_R_CONS_3_settled_sessions_feed_loss),
		BOTH(test_R_SHARE_2_session_pays_its_relays),
		BOTH(test_R_SHARE_2_bad_route_refused),
	};
	return cmocka_run_group_tests_name("chain_sec3_credentials", tests, NULL, NULL);
}
