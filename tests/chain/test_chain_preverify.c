/*
 * test_chain_preverify.c: parallel validation, serial application. A
 * transaction applied with a signature verdict computed ahead
 * (dnc_chain_precheck_tx + dnc_chain_apply_tx_pre) gives the same result
 * code, the same receipt and the same state as the serial
 * dnc_chain_apply_tx(DNC_APPLY_VERIFY_SIG): for every transaction type the
 * world sends, valid, forged (a flipped signature byte), forged with a
 * wrong nonce, with a wrong nonce, for another chain, replayed, and for a
 * redeem with a forged and a replayed credential. Two identical chains,
 * one per path, side by side. The verdicts are computed either all before
 * anything is applied (a redeem's session does not exist yet: its
 * credential is checked at apply time) or step by step (the session
 * exists: its verdict is used). Every test runs with Ed25519 and keyed
 * SipHash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET
#define NOW_S ((dnc_time_s)10 * 365 * 86400) /* past the team cliff (R-LOCK-1) */
#define MAXTX 128

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

enum { SCHEME_ED25519 = 0, SCHEME_KEYED = 1 };
static const int scheme_ed = SCHEME_ED25519, scheme_keyed = SCHEME_KEYED;

enum { FND = 8, TEAM = 9, NUSERS = 10 }; /* users 0..7, the foundation, a team member */

typedef struct fix {
	dnc_sigscheme s;
	dnc_chain *serial, *pre;      /* the same genesis: one per path */
	dnc_hash other;               /* another chain's id */
	user u[NUSERS];
	uint64_t nonce[NUSERS];       /* the senders' nonces as the valid txs advance them */
	dnc_tx tx[MAXTX];
	dnc_rc want[MAXTX];
	uint32_t step_end[32], n_tx, n_steps;
} fix;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x5a;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

static dnc_chain *mk_chain(fix *x)
{
	dnc_chain_limits lim = {32, 64, 8};
	dnc_params p;
	dnc_chain *c;
	dnc_acct a;
	dnc_params_default(&p);
	assert_int_equal(dnc_chain_create(&p, &x->s, &lim, &x->u[FND].pk, &c), DNC_OK);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &x->u[i].pk, &a), DNC_OK);
		x->u[i].a = a;
		assert_int_equal(dnc_chain_genesis(c, a, DNC_GEN_COMMUNITY, 100 * DNET), DNC_OK);
	}
	assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &x->u[TEAM].pk, &a), DNC_OK);
	assert_int_equal(dnc_chain_genesis(c, a, DNC_GEN_TEAM, 100 * DNET), DNC_OK);
	x->u[TEAM].a = a;
	x->u[FND].a = dnc_chain_foundation(c);
	dnc_chain_set_fundraising_end(c, 0);
	dnc_chain_set_admin_enabled(c, 1);
	return c;
}

static int setup(void **st)
{
	static const uint8_t key[32] = "scheme key for pre-verify tests";
	int kind = **(const int **)st;
	fix *x = test_calloc(1, sizeof *x);
	if (kind == SCHEME_KEYED)
		assert_int_equal(dnc_sig_init_keyed(&x->s, key), DNC_OK);
	else
		assert_int_equal(dnc_sig_init_ed25519(&x->s), DNC_OK);
	for (uint32_t i = 0; i < NUSERS; i++)
		mk_user(&x->s, i, &x->u[i]);
	x->serial = mk_chain(x);
	x->pre = mk_chain(x);
	assert_memory_equal(dnc_chain_id(x->serial), dnc_chain_id(x->pre), sizeof(dnc_hash));
	dnc_hash_bytes((const uint8_t *)"another chain", 13, &x->other);
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	fix *x = *st;
	dnc_chain_destroy(x->serial);
	dnc_chain_destroy(x->pre);
	test_free(x);
	return 0;
}

/* ---- the transactions ---- */

enum { V_OK = 0, V_FORGED = 1, V_WRONG_NONCE = 2, V_OTHER_CHAIN = 4 };

/* Adds template t from user `who`, signed as the variant says, expecting want. */
static dnc_tx *add(fix *x, const dnc_tx *t, uint32_t who, unsigned variant, dnc_rc want)
{
	assert_true(x->n_tx < MAXTX);
	dnc_tx *tx = &x->tx[x->n_tx];
	*tx = *t;
	tx->from = x->u[who].pk;
	tx->nonce = x->nonce[who] + ((variant & V_WRONG_NONCE) ? 1 : 0);
	assert_int_equal(dnc_tx_sign(&x->s, (variant & V_OTHER_CHAIN) ? &x->other : dnc_chain_id(x->serial),
				     x->u[who].sk, tx),
			 DNC_OK);
	if (variant & V_FORGED)
		tx->sig.b[17] ^= 0x04;
	x->want[x->n_tx++] = want;
	return tx;
}

/*
 * One step: template t from user who, as forged, forged with a wrong nonce,
 * with a wrong nonce, for another chain, valid, then replayed. The
 * transaction's signature is checked before the nonce (dnc_chain_apply_tx).
 */
static void step(fix *x, const dnc_tx *t, uint32_t who)
{
	add(x, t, who, V_FORGED, DNC_EBADSIG);
	add(x, t, who, V_FORGED | V_WRONG_NONCE, DNC_EBADSIG);
	add(x, t, who, V_WRONG_NONCE, DNC_EBADNONCE);
	add(x, t, who, V_OTHER_CHAIN, DNC_EWRONGCHAIN);
	add(x, t, who, V_OK, DNC_OK);
	x->tx[x->n_tx] = x->tx[x->n_tx - 1]; /* the same bytes again */
	x->want[x->n_tx++] = DNC_EBADNONCE;
	x->nonce[who]++;
	x->step_end[x->n_steps++] = x->n_tx;
}

static dnc_credential cred(fix *x, uint64_t sid, uint64_t total, uint64_t seq)
{
	dnc_credential c;
	memset(&c, 0, sizeof c);
	c.session_id = sid;
	c.total_units = total;
	c.seq = seq;
	/* consumer 4 signs for distributor 5 */
	assert_int_equal(dnc_credential_sign(&x->s, dnc_chain_id(x->serial), &x->u[5].pk, x->u[4].sk, &c),
			 DNC_OK);
	return c;
}

/* A redeem step: as step, plus a forged credential before the valid one
 * and the same credential again (a replay, validly signed) after it. */
static void redeem_step(fix *x, uint64_t sid, uint64_t total, uint64_t seq)
{
	dnc_tx t;
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_REDEEM;
	t.u.redeem.session_id = sid;
	t.u.redeem.cred = cred(x, sid, total, seq);
	dnc_tx bad = t;
	bad.u.redeem.cred.sig.b[3] ^= 0x80;
	add(x, &bad, 5, V_OK, DNC_EBADSIG);              /* the credential's signature */
	add(x, &bad, 5, V_FORGED, DNC_EBADSIG);          /* both */
	add(x, &bad, 5, V_WRONG_NONCE, DNC_EBADNONCE);   /* the nonce before the credential */
	step(x, &t, 5);
	add(x, &t, 5, V_OK, DNC_EREPLAY);                /* the credential again, the next nonce */
	x->step_end[x->n_steps - 1] = x->n_tx;
}

/* Every transaction type the world sends, in an order in which each valid one applies. */
static void build(fix *x)
{
	dnc_tx t;

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_TRANSFER;
	t.u.transfer.to = x->u[1].pk;
	t.u.transfer.amount = DNET;
	step(x, &t, 0);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_VOTE;
	t.u.vote.candidate = x->u[3].pk;
	t.u.vote.amount = 10 * DNET;
	step(x, &t, 2);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_GOV_PROPOSE;
	t.u.gov_propose.param = DNC_GOVP_LAMBDA_PPM;
	t.u.gov_propose.value = 500000;
	step(x, &t, 2);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_GOV_VOTE;
	t.u.gov_vote.proposal_id = 1;
	t.u.gov_vote.yes = 1;
	step(x, &t, 2);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SESSION_OPEN;
	t.u.open.distributor = x->u[5].pk;
	t.u.open.price_per_unit = DNET / 100;
	t.u.open.units = 100;
	t.u.open.expiry_s = NOW_S + 1000;
	t.u.open.n_relays = 1;
	t.u.open.relay[0] = x->u[6].pk;
	step(x, &t, 4); /* session 1 */

	redeem_step(x, 1, 10, 1);
	redeem_step(x, 1, 20, 2);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SESSION_CLOSE;
	t.u.close.session_id = 1;
	step(x, &t, 5);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_RENT;
	t.u.rent.owner = x->u[1].pk;
	t.u.rent.price_per_period = DNET / 10;
	t.u.rent.periods = 3;
	step(x, &t, 0);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_CONTENT;
	t.u.content.price = DNET;
	t.u.content.origin = x->u[2].pk;
	t.u.content.seller = x->u[3].pk;
	t.u.content.n_middle = 1;
	t.u.content.middle[0] = x->u[4].pk;
	step(x, &t, 1);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SHARE;
	t.u.share.price = DNET;
	t.u.share.provider = x->u[5].pk;
	t.u.share.n_relays = 1;
	t.u.share.relay[0] = x->u[6].pk;
	t.u.share.relay_bytes[0] = 1000;
	step(x, &t, 3);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_ADMIN_RETRACT;
	t.u.retract.target = x->u[7].pk;
	t.u.retract.amount = DNET;
	t.u.retract.reason = 1;
	step(x, &t, FND);

	memset(&t, 0, sizeof t);
	t.type = DNC_TX_TEAM_UNLOCK;
	step(x, &t, TEAM);
}

/* ---- the comparison ---- */

/* The two chains hold the same state: every account record (the state
 * root), the sessions, the escrow-free rest the transactions touch. */
static void same_state(const fix *x)
{
	dnc_merkle_tree ta, tb;
	dnc_hash ra, rb;
	assert_int_equal(dnc_state_tree(dnc_chain_ledger_c(x->serial), &ta), DNC_OK);
	assert_int_equal(dnc_state_tree(dnc_chain_ledger_c(x->pre), &tb), DNC_OK);
	dnc_merkle_tree_root(&ta, &ra);
	dnc_merkle_tree_root(&tb, &rb);
	dnc_merkle_tree_free(&ta);
	dnc_merkle_tree_free(&tb);
	assert_memory_equal(ra.b, rb.b, sizeof ra.b);
	const dnc_sessions *sa = dnc_chain_sessions(x->serial), *sb = dnc_chain_sessions(x->pre);
	assert_int_equal(sa->n, sb->n);
	assert_memory_equal(sa->v, sb->v, (size_t)sa->n * sizeof *sa->v);
	const dnc_proposal *pa = dnc_chain_proposal(x->serial, 1), *pb = dnc_chain_proposal(x->pre, 1);
	assert_true((pa == NULL) == (pb == NULL));
	if (pa)
		assert_memory_equal(pa, pb, sizeof *pa);
	assert_int_equal(dnc_chain_admin_stats(x->serial)->total, dnc_chain_admin_stats(x->pre)->total);
}

/* Applies txs [from, to) on both chains, the pre chain with verdicts v. */
static void apply_both(fix *x, uint32_t from, uint32_t to, const dnc_tx_verdict *v)
{
	for (uint32_t i = from; i < to; i++) {
		dnc_tx_receipt ra, rb;
		memset(&ra, 0xa5, sizeof ra);
		memset(&rb, 0x5a, sizeof rb);
		dnc_rc ca = dnc_chain_apply_tx(x->serial, &x->tx[i], NOW_S, DNC_APPLY_VERIFY_SIG, &ra);
		dnc_rc cb = dnc_chain_apply_tx_pre(x->pre, &x->tx[i], &v[i], NOW_S, &rb);
		if (ca != x->want[i] || cb != ca)
			fail_msg("tx %u (type %u): serial %s, pre-verified %s, expected %s", i, x->tx[i].type,
				 dnc_rc_name(ca), dnc_rc_name(cb), dnc_rc_name(x->want[i]));
		assert_memory_equal(&ra, &rb, sizeof ra);
		same_state(x);
	}
}

/* Every verdict before anything is applied (as a block's pre-pass would
 * do if the whole history were one block). */
static void test_verdicts_upfront(void **st)
{
	fix *x = *st;
	static dnc_tx_verdict v[MAXTX];
	build(x);
	for (uint32_t i = 0; i < x->n_tx; i++) {
		dnc_chain_precheck_tx(x->pre, &x->tx[i], &v[i]);
		/* the session does not exist yet: no credential verdict */
		assert_int_equal(v[i].cred.known, 0);
	}
	apply_both(x, 0, x->n_tx, v);
}

/* Verdicts step by step, just before the step's transactions apply: the
 * redeems' sessions exist, so their credential verdicts are used. */
static void test_verdicts_per_step(void **st)
{
	fix *x = *st;
	static dnc_tx_verdict v[MAXTX];
	uint32_t from = 0, used = 0;
	build(x);
	for (uint32_t k = 0; k < x->n_steps; k++) {
		for (uint32_t i = from; i < x->step_end[k]; i++) {
			dnc_chain_precheck_tx(x->pre, &x->tx[i], &v[i]);
			used += v[i].cred.known;
		}
		apply_both(x, from, x->step_end[k], v);
		from = x->step_end[k];
	}
	assert_true(used >= 4); /* forged and valid credentials of both redeems */
}

/* The verdict is what decides, at the signature's place in the order. */
static void test_verdict_is_consumed_in_order(void **st)
{
	fix *x = *st;
	dnc_tx_verdict v;
	dnc_tx_receipt r;
	build(x);
	const dnc_tx *valid = &x->tx[4]; /* the first step's valid transfer */
	assert_int_equal(x->want[4], DNC_OK);
	dnc_chain_precheck_tx(x->pre, valid, &v);
	assert_int_equal(v.sig, DNC_OK);
	/* a bad verdict rejects a valid transaction, before its nonce ... */
	v.sig = DNC_EBADSIG;
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, valid, &v, NOW_S, &r), DNC_EBADSIG);
	dnc_tx_verdict vn;
	dnc_chain_precheck_tx(x->pre, &x->tx[2], &vn); /* the wrong nonce, signed */
	assert_int_equal(vn.sig, DNC_OK);
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, &x->tx[2], &vn, NOW_S, &r), DNC_EBADNONCE);
	vn.sig = DNC_EBADSIG;
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, &x->tx[2], &vn, NOW_S, &r), DNC_EBADSIG);
	/* ... but after the malformed check */
	dnc_tx neg = *valid;
	neg.fee = -1;
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, &neg, &v, NOW_S, &r), DNC_EMALFORMED);
	assert_int_equal(dnc_chain_apply_tx(x->pre, &neg, NOW_S, DNC_APPLY_VERIFY_SIG, &r), DNC_EMALFORMED);
	assert_int_equal(dnc_ledger_nonce(dnc_chain_ledger_c(x->pre), x->u[0].a), 0);
	/* another transaction's verdict is a caller bug, caught: the
	 * forged transfer's verdict for the valid one, and the reverse */
	dnc_tx_verdict vf;
	dnc_chain_precheck_tx(x->pre, &x->tx[0], &vf);
	assert_int_equal(vf.sig, DNC_EBADSIG);
	dnc_chain_precheck_tx(x->pre, valid, &v);
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, valid, &vf, NOW_S, &r), DNC_EINVAL);
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, &x->tx[0], &v, NOW_S, &r), DNC_EINVAL);
	assert_int_equal(dnc_ledger_nonce(dnc_chain_ledger_c(x->pre), x->u[0].a), 0);
	assert_int_equal(dnc_chain_apply_tx_pre(x->pre, valid, &v, NOW_S, &r), DNC_OK);
	assert_int_equal(dnc_ledger_nonce(dnc_chain_ledger_c(x->pre), x->u[0].a), 1);
}

/* A credential verdict counts only for the key it was computed with and
 * only at its place: after the session's checks, before the deposit's. */
static void test_credential_verdict_key_and_order(void **st)
{
	fix *x = *st;
	dnc_chain *c = x->pre;
	dnc_tx_receipt r;
	build(x);
	/* apply through the session open (5 steps) on the pre chain */
	for (uint32_t i = 0; i < x->step_end[4]; i++)
		assert_int_equal(dnc_chain_apply_tx(c, &x->tx[i], NOW_S, DNC_APPLY_VERIFY_SIG, &r), x->want[i]);
	const dnc_sessions *T = dnc_chain_sessions(c);
	const dnc_ledger *L = dnc_chain_ledger_c(c);
	assert_int_equal(T->n, 1);
	dnc_credential good = cred(x, 1, 10, 1), forged = good;
	forged.sig.b[3] ^= 0x80;
	uint64_t units;
	dnc_cred_verdict v;
	dnc_session_precheck(T, L, &x->s, 1, &good, &v);
	assert_int_equal(v.known, 1);
	assert_int_equal(v.rc, DNC_OK);
	assert_memory_equal(v.pk.b, x->u[4].pk.b, DNC_PK_BYTES);
	assert_int_equal(dnc_session_check_pre(T, L, &x->s, dnc_chain_id(c), x->u[5].a, 1, &good, &v, &units),
			 DNC_OK);
	assert_int_equal(units, 10);
	/* a "good" verdict made with another key does not pass a forgery */
	dnc_cred_verdict other = v;
	other.pk = x->u[6].pk;
	assert_int_equal(dnc_session_check_pre(T, L, &x->s, dnc_chain_id(c), x->u[5].a, 1, &forged, &other,
					       &units),
			 DNC_EBADSIG);
	/* with the session's key, the verdict decides (here: against a good signature) */
	dnc_cred_verdict bad = v;
	bad.rc = DNC_EBADSIG;
	assert_int_equal(dnc_session_check_pre(T, L, &x->s, dnc_chain_id(c), x->u[5].a, 1, &good, &bad, &units),
			 DNC_EBADSIG);
	/* the checks before it come first: a redeemer that is not the distributor */
	assert_int_equal(dnc_session_check_pre(T, L, &x->s, dnc_chain_id(c), x->u[6].a, 1, &good, &bad, &units),
			 DNC_EUNAUTHORIZED);
	/* the checks after it come after: above the deposit */
	dnc_credential over = cred(x, 1, 1000, 9);
	dnc_session_precheck(T, L, &x->s, 1, &over, &v);
	assert_int_equal(v.rc, DNC_OK);
	assert_int_equal(dnc_session_check_pre(T, L, &x->s, dnc_chain_id(c), x->u[5].a, 1, &over, &v, &units),
			 DNC_EOVERDEPOSIT);
	assert_int_equal(dnc_session_check(T, L, &x->s, dnc_chain_id(c), x->u[5].a, 1, &over, &units),
			 DNC_EOVERDEPOSIT);
	/* no session: no verdict */
	dnc_session_precheck(T, L, &x->s, 2, &good, &v);
	assert_int_equal(v.known, 0);
}

#define BOTH(f) \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)&scheme_ed), \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)&scheme_keyed)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_verdicts_upfront),
		BOTH(test_verdicts_per_step),
		BOTH(test_verdict_is_consumed_in_order),
		BOTH(test_credential_verdict_key_and_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
