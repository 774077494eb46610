/*
 * test_world.c: the world model (sim.model: world, models/agents/world*.c)
 * run end to end on small worlds, checked against amounts computed by hand
 * from the chain's session table.
 *  - R-SHARE-2: a consumer served over a forced three-relay ad hoc path
 *    (layout line); every relay, the provider, the consumer and the fee
 *    pool (R-FEE-2) end with exactly the hand-computed balances;
 *  - R-SHARE-1: the same for a direct session;
 *  - conservation after every block (the model's own check) and at the
 *    end by a full scan, in a random world with content on;
 *  - R-SUP-1: by default every block is checked over the accounts it
 *    wrote, and an imbalance planted mid-run stops the run with a message
 *    naming the block and the account;
 *  - identical results at 1 and 2 threads;
 *  - R-CHAIN-4: a network partition forks the chain and the fork is
 *    resolved, with conservation;
 *  - R-CRED-7: every sharer forges its final credential; every forgery is
 *    rejected and no distributor is paid beyond what consumers signed;
 *  - bad parameters are refused with a message naming them.
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

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "ledger_test.h"
#include "results.h"
#include "world.h"
#include "world_fixture.h"

/* ---- helpers ---- */

/* Full scan: holdings of every account plus the unminted rest is the
 * supply; and every session's deposit is what its units left (R-CRED-2,6):
 * closed sessions hold nothing, open ones exactly the unredeemed units,
 * and together they are the ledger's session locks. */
static void assert_supply_conserved(const world *W)
{
	const dnc_sessions *T = dnc_chain_sessions(W->ch.chain);
	dnc_u128 open_left = 0;
	for (uint64_t i = 0; i < T->n; i++) {
		const dnc_session *ss = &T->v[i];
		assert_true(ss->redeemed_units <= ss->units_max);
		if (ss->state == DNC_SESSION_CLOSED) {
			assert_int_equal(ss->deposit_left, 0);
		} else {
			assert_int_equal(ss->state, DNC_SESSION_OPEN);
			assert_int_equal(ss->deposit_left,
			                 (dn_amount)((ss->units_max - ss->redeemed_units) * (uint64_t)ss->price_per_unit));
			open_left += (uint64_t)ss->deposit_left;
		}
	}
	assert_true(open_left == (dnc_u128)(uint64_t)dnc_ledger_locked_total(dnc_chain_ledger_c(W->ch.chain), DNC_LOCK_SESSION));
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	assert_int_equal(dnc_chain_check(W->ch.chain), DNC_OK);
	dnc_u128 sum = (uint64_t)dnc_ledger_unminted(L);
	for (dnc_acct a = 0; a < dnc_ledger_count(L); a++) {
		dn_amount h = dnc_ledger_holdings(L, a);
		assert_true(h >= 0);
		assert_true(dnc_ledger_balance(L, a) >= 0);
		sum += (uint64_t)h;
	}
	assert_true(sum == (dnc_u128)(uint64_t)dnc_ledger_supply(L));
	assert_true(dnc_ledger_supply(L) == W->cfg.cp.supply_base);
}

/* What the chain's session table says was paid, split by the rules. */
typedef struct paid_by_hand {
	uint64_t sessions, closed, redeemed_sessions;
	dn_amount gross;       /* every unit redeemed x its price */
	dn_amount fees;        /* R-FEE-2, per redeem */
	dn_amount provider;    /* R-SHARE-1/2 */
	dn_amount relay_each;  /* R-SHARE-2, equal shares */
	dn_amount locked;      /* deposits still locked in open sessions */
} paid_by_hand;

/* Sessions of consumer -> distributor over n_relays relays, each paid by
 * exactly one redeem (the caller checks that): pay = units x price; fee =
 * floor(pay x fee_ppm / 1e6) (R-FEE-2, R-FEE-3: first); net = pay - fee;
 * relays share floor(net x relay_ppm / 1e6) equally, rounded down, and
 * the provider gets the rest (R-SHARE-2). */
static paid_by_hand by_hand(const world *W, dnc_acct consumer, dnc_acct distributor, uint32_t n_relays)
{
	const dnc_sessions *T = dnc_chain_sessions(W->ch.chain);
	const dnc_params *p = dnc_chain_params(W->ch.chain);
	paid_by_hand h;
	memset(&h, 0, sizeof h);
	for (uint64_t i = 0; i < T->n; i++) {
		const dnc_session *ss = &T->v[i];
		assert_int_equal(ss->consumer, consumer);
		assert_int_equal(ss->distributor, distributor);
		assert_true(ss->price_per_unit > 0);
		assert_true(ss->redeemed_units <= ss->units_max);
		h.sessions++;
		dn_amount pay = (dn_amount)((unsigned __int128)ss->redeemed_units * (uint64_t)ss->price_per_unit);
		if (ss->state == DNC_SESSION_CLOSED) {
			h.closed++;
			assert_int_equal(ss->deposit_left, 0); /* R-CRED-6: the rest went back */
		} else {
			assert_int_equal(ss->state, DNC_SESSION_OPEN);
			/* nothing taken beyond the redeemed units */
			assert_int_equal(ss->deposit_left,
			                 (dn_amount)((ss->units_max - ss->redeemed_units) * (uint64_t)ss->price_per_unit));
			h.locked += ss->deposit_left;
		}
		if (ss->redeemed_units == 0)
			continue;
		h.redeemed_sessions++;
		dn_amount fee = (dn_amount)((unsigned __int128)(uint64_t)pay * p->community_fee_ppm / 1000000u);
		dn_amount net = pay - fee;
		dn_amount prov = net;
		if (n_relays) {
			dn_amount pool = (dn_amount)((unsigned __int128)(uint64_t)net * p->relay_pool_ppm / 1000000u);
			dn_amount each = pool / n_relays;
			h.relay_each += each;
			prov = net - each * n_relays;
		}
		h.gross += pay;
		h.fees += fee;
		h.provider += prov;
	}
	return h;
}

/* Transactions the chain applied, less one open per session and one close
 * per closed session: the redeems (the line worlds send nothing else). */
static uint64_t redeems_applied(const world *W, const paid_by_hand *h)
{
	assert_true(W->ch.tx_applied >= h->sessions + h->closed);
	return W->ch.tx_applied - h->sessions - h->closed;
}

/* Holdings of agent a (the ledger's balance plus locks). */
static dn_amount holdings(const world *W, uint32_t a)
{
	return dnc_ledger_holdings(dnc_chain_ledger_c(W->ch.chain), w_acct(W, a));
}

/* What a line world's single consumer and single delegate end with: the
 * consumer never bought DNET (its airdrop less what it paid, less open
 * deposits, still locked); the fees went to the only delegate's pool with
 * the block rewards (R-FEE-2); and the ledger is conserved. */
static void assert_payer_and_pool(const world *W, uint32_t C, uint32_t D, int64_t usd0, dn_amount d0,
                                  dn_amount unminted0, const paid_by_hand *h)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	const dn_amount airdrop = 100 * DNC_UNITS_PER_DNET;
	assert_true(W->ag.usd_micro[C] >= usd0); /* its monthly budget accrues; it spent none of it */
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, C)), airdrop - h->gross - h->locked);
	assert_int_equal(dnc_ledger_account(L, w_acct(W, C))->lock[DNC_LOCK_SESSION], h->locked);
	dn_amount minted = unminted0 - dnc_ledger_unminted(L);
	assert_true(minted > 0);
	assert_int_equal(dnc_ledger_balance(L, dnc_chain_fee_pot(W->ch.chain)), 0);
	assert_int_equal(holdings(W, D) - d0, minted + h->fees);
	assert_true(h->fees > 0);
	assert_supply_conserved(W);
}

/* ---- R-SHARE-2 ---- */

/* Consumer at 1 m, relays at 51, 101, 151 m, sharer at 201 m, candidate at
 * 251 m: Wi-Fi reaches about 55 m, so the only path is C-R-R-R-S. With a
 * 120 s credential interval no session reaches the 30 credentials of an
 * intermediate redeem, so each is paid by its final redeem alone (checked
 * from the transaction count) and the rounding is known. A worked example
 * (seed 3's first session, 25 units at 838,861 base units): pay
 * 20,971,525; fee floor(0.5 % of it) = 104,857; net 20,866,668; relay pool
 * 10,433,334 = 3 x 3,477,778; provider 10,433,334. */
static const char *line_relay_yaml =
	"sim: {model: world, seed: 3, end_time_s: 7200, partitions: 1, sample_interval_s: 10}\n"
	"world: {agents: 6, layout: line, line_roles: \"CRRRSD\", candidates: 1, operators: 0,"
	" line_spacing_m: 50, fraud_fraction: 0, free_rider_fraction: 0, check_ledger: true}\n"
	"sharer: {uptime_mean_h: 100000, downtime_mean_h: 0.01, strategy: fixed, degrade_probability: 0,"
	" sell_fraction: 0, leave_ratio: 0}\n"
	"relay: {uptime_mean_h: 100000, downtime_mean_h: 0.01}\n"
	"consumer: {mib_per_day: 20000, session_mib: 100, diurnal_amplitude: 0, credential_interval_s: 120,"
	" sessions_per_day_max: 1000}\n"
	"chain: {delegates: 1}\n";


static void test_R_SHARE_2_three_hop_relay_exact_shares(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, line_relay_yaml, 1, &s);
	world *W = dn_world_model(w);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	enum { C = 0, R1 = 1, R2 = 2, R3 = 3, S = 4, D = 5 };
	const dn_amount airdrop = 100 * DNC_UNITS_PER_DNET;
	/* genesis: relays and the sharer start with nothing, the consumer with its airdrop */
	for (uint32_t a = R1; a <= S; a++)
		assert_int_equal(holdings(W, a), 0);
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, C)), airdrop);
	const int64_t usd0 = W->ag.usd_micro[C];
	const dn_amount d0 = holdings(W, D), unminted0 = dnc_ledger_unminted(L);

	run_world(w);

	paid_by_hand h = by_hand(W, w_acct(W, C), w_acct(W, S), 3);
	assert_true(h.closed >= 1);           /* relayed sessions closed */
	assert_true(h.redeemed_sessions >= 1);
	assert_true(h.relay_each > 0);
	/* one redeem per session that was paid, so the per-redeem rounding is known */
	assert_int_equal(redeems_applied(W, &h), h.redeemed_sessions);
	assert_int_equal(W->ch.tx_failed, 0);
	/* R-SHARE-2: three equal relay shares, the provider the rest */
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, R1)), h.relay_each);
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, R2)), h.relay_each);
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, R3)), h.relay_each);
	assert_int_equal(holdings(W, R1), h.relay_each);
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, S)), h.provider);
	assert_int_equal(holdings(W, S), h.provider);
	/* shares and fees add up to what the consumer paid (R-FEE-3) */
	assert_int_equal(h.provider + 3 * h.relay_each + h.fees, h.gross);
	/* relays get about half of the net: 3 x floor(pool / 3) <= pool */
	assert_true(3 * h.relay_each <= (h.gross - h.fees) / 2);
	assert_true(3 * h.relay_each >= (h.gross - h.fees) / 2 - 3 * (dn_amount)h.redeemed_sessions);
	assert_payer_and_pool(W, C, D, usd0, d0, unminted0, &h);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- one door: money moves inside the transactions that carry it ---- */

/* What the observer (world_chain.tx_hook) saw: balances of the accounts a
 * transaction names, taken just before it is applied. */
typedef struct door_obs {
	dnc_acct acct[DNC_MAX_MIDDLEMEN + 8];
	dn_amount before[DNC_MAX_MIDDLEMEN + 8];
	uint32_t n;
	uint64_t redeems_relayed, contents, recommends, in_next_block;
	dn_amount relay_total[8]; /* line world: what each relay got inside redeems */
	uint32_t relay_agent[8], n_relay_agents;
} door_obs;

static void obs_add(door_obs *o, const world *W, dnc_acct a)
{
	for (uint32_t i = 0; i < o->n; i++)
		if (o->acct[i] == a)
			return;
	o->acct[o->n] = a;
	o->before[o->n] = dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), a);
	o->n++;
}

/* The change of a's balance across the transaction. */
static dn_amount obs_delta(const door_obs *o, const world *W, dnc_acct a)
{
	for (uint32_t i = 0; i < o->n; i++)
		if (o->acct[i] == a)
			return dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), a) - o->before[i];
	fail_msg("account %u not observed", (unsigned)a);
	return 0;
}

static dnc_acct acct_of(const world *W, const dnc_pubkey *pk)
{
	dnc_acct a = dnc_ledger_find(dnc_chain_ledger_c(W->ch.chain), pk);
	assert_true(a != DNC_NONE);
	return a;
}

/* Expected balance change of account a: the sum of the shares it takes. */
typedef struct door_want { dnc_acct acct[DNC_MAX_MIDDLEMEN + 8]; dn_amount v[DNC_MAX_MIDDLEMEN + 8]; uint32_t n; } door_want;

static void want_add(door_want *w, dnc_acct a, dn_amount v)
{
	for (uint32_t i = 0; i < w->n; i++)
		if (w->acct[i] == a) {
			w->v[i] += v;
			return;
		}
	w->acct[w->n] = a;
	w->v[w->n++] = v;
}

static void door_hook(void *ctx, const world *W, const wtx *q, dn_time_ns t, dnc_rc rc, const dnc_tx_receipt *r)
{
	door_obs *o = ctx;
	const dnc_tx *tx = &q->tx;
	const dnc_acct pot = dnc_chain_fee_pot(W->ch.chain);
	if (!r) { /* before: note the balances of every account the transaction names */
		o->n = 0;
		obs_add(o, W, acct_of(W, &tx->from));
		obs_add(o, W, pot);
		for (uint32_t i = 0; i < o->n_relay_agents; i++)
			obs_add(o, W, w_acct(W, o->relay_agent[i]));
		if (tx->type == DNC_TX_REDEEM) {
			const dnc_session *ss = dnc_session_get(dnc_chain_sessions(W->ch.chain), tx->u.redeem.session_id);
			if (ss) {
				const dnc_acct *rel = dnc_session_relays(dnc_chain_sessions(W->ch.chain), ss);
				obs_add(o, W, ss->consumer);
				obs_add(o, W, ss->distributor);
				for (uint32_t i = 0; i < ss->n_relays; i++)
					obs_add(o, W, rel[i]);
			}
		} else if (tx->type == DNC_TX_CONTENT) {
			obs_add(o, W, acct_of(W, &tx->u.content.origin));
			obs_add(o, W, acct_of(W, &tx->u.content.seller));
			for (uint32_t i = 0; i < tx->u.content.n_middle; i++)
				obs_add(o, W, acct_of(W, &tx->u.content.middle[i]));
		} else if (tx->type == DNC_TX_TRANSFER) {
			obs_add(o, W, acct_of(W, &tx->u.transfer.to));
		}
		return;
	}
	if (rc != DNC_OK) {
		for (uint32_t i = 0; i < o->n; i++) /* a refused transaction moves nothing */
			assert_int_equal(obs_delta(o, W, o->acct[i]), 0);
		return;
	}
	const dnc_params *p = dnc_chain_params(W->ch.chain);
	door_want want;
	memset(&want, 0, sizeof want);
	if (tx->type == DNC_TX_REDEEM) {
		const dnc_sessions *T = dnc_chain_sessions(W->ch.chain);
		const dnc_session *ss = dnc_session_get(T, tx->u.redeem.session_id);
		dnc_share_split sp;
		assert_int_equal(dnc_session_split(p, r->moved, ss->n_relays, &sp), DNC_OK);
		const dnc_acct *rel = dnc_session_relays(T, ss);
		want_add(&want, ss->consumer, 0); /* from its lock, not its balance */
		want_add(&want, pot, r->fee_paid);
		want_add(&want, ss->distributor, sp.provider);
		for (uint32_t i = 0; i < ss->n_relays; i++) {
			want_add(&want, rel[i], sp.relay[i]);
			for (uint32_t k = 0; k < o->n_relay_agents; k++)
				if (w_acct(W, o->relay_agent[k]) == rel[i])
					o->relay_total[k] += sp.relay[i];
		}
		o->redeems_relayed += ss->n_relays > 0;
	} else if (tx->type == DNC_TX_CONTENT) {
		dnc_fwd_split sp;
		assert_int_equal(dnc_split_forward(p, tx->u.content.price, tx->u.content.n_middle, tx->u.content.direct, &sp),
		                 DNC_OK);
		want_add(&want, acct_of(W, &tx->from), -tx->u.content.price);
		want_add(&want, pot, sp.fee);
		want_add(&want, acct_of(W, &tx->u.content.origin), sp.origin);
		if (!tx->u.content.direct)
			want_add(&want, acct_of(W, &tx->u.content.seller), sp.seller);
		for (uint32_t i = 0; i < tx->u.content.n_middle; i++)
			want_add(&want, acct_of(W, &tx->u.content.middle[i]), sp.middle[i]);
		assert_int_equal(r->moved, tx->u.content.price);
		o->contents++;
		/* signed when the content model settled the sale (at a block),
		 * carried by a later one */
		o->in_next_block += q->submit_ns < t && q->submit_ns % W->cfg.block_ns == 0;
	} else if (q->purpose == TX_RECOMMEND) {
		want_add(&want, acct_of(W, &tx->from), -tx->u.transfer.amount);
		want_add(&want, acct_of(W, &tx->u.transfer.to), tx->u.transfer.amount);
		o->recommends++;
	} else {
		return; /* other types: not what this test is about */
	}
	want_add(&want, pot, 0);
	for (uint32_t i = 0; i < o->n_relay_agents; i++)
		want_add(&want, w_acct(W, o->relay_agent[i]), 0);
	for (uint32_t i = 0; i < want.n; i++)
		if (want.acct[i] != acct_of(W, &tx->from) || tx->fee == 0)
			assert_int_equal(obs_delta(o, W, want.acct[i]), want.v[i]);
}

/* R-SHARE-2 through the one door: in the three-relay line world, every
 * relay's whole income arrives inside redeem transactions, which pay the
 * fee, the relays and the distributor from the consumer's deposit in the
 * block that carries them; no other transaction moves a relay's balance. */
static void test_one_door_relay_payout_is_the_redeem(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, line_relay_yaml, 1, &s);
	world *W = dn_world_model(w);
	door_obs o;
	memset(&o, 0, sizeof o);
	o.n_relay_agents = 3;
	o.relay_agent[0] = 1, o.relay_agent[1] = 2, o.relay_agent[2] = 3;
	W->ch.tx_hook = door_hook;
	W->ch.tx_hook_ctx = &o;
	run_world(w);
	assert_true(o.redeems_relayed >= 1);
	for (uint32_t i = 0; i < 3; i++) {
		assert_true(o.relay_total[i] > 0);
		assert_int_equal(dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), w_acct(W, o.relay_agent[i])),
		                 o.relay_total[i]);
	}
	/* the sessions carry their path on chain */
	const dnc_sessions *T = dnc_chain_sessions(W->ch.chain);
	for (uint64_t i = 0; i < T->n; i++)
		assert_int_equal(T->v[i].n_relays, 3);
	assert_int_equal(W->ch.custody_moves, 0);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* R-FWD-1..3 through the one door: every content sale is a CONTENT
 * transaction the buyer signed, carried by a later block, whose split
 * moves exactly the balances dnc_split_forward says inside it; a
 * recommender's fee is a transfer; the paid-sales count is the number of
 * applied CONTENT transactions. */
static void test_one_door_content_sale_is_a_transaction(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 5, end_time_s: 3600, partitions: 2, sample_interval_s: 10}\n"
		"world: {agents: 1500, area_km: 0.6, candidates: 30, operators: 0}\n"
		"chain: {delegates: 21}\n"
		"content: {enabled: true, creator_fraction: 0.1, recommender_fraction: 0.2, items_per_creator_per_day: 96,"
		" purchases_per_agent_per_day: 12, resell_probability: 0.8}\n",
		1, &s);
	world *W = dn_world_model(w);
	door_obs o;
	memset(&o, 0, sizeof o);
	W->ch.tx_hook = door_hook;
	W->ch.tx_hook_ctx = &o;
	run_world(w);
	print_message("content transactions %llu, recommendation fees %llu, refused %llu\n",
	              (unsigned long long)o.contents, (unsigned long long)o.recommends,
	              (unsigned long long)W->ct.unpaid);
	assert_true(o.contents >= 20);
	assert_true(o.recommends >= 1);
	assert_int_equal(o.in_next_block, o.contents);
	assert_int_equal(W->ct.sales, o.contents);
	assert_true(W->ct.forwarded >= 1);
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- R-GOV-2: the world's voting share is the library's ---- */

/* Runs yaml at lambda into a kept results file; OUT the series read back. */
static void gov_run(dn_registry *reg, const char *yaml, double lambda, dn_series_data **sd, size_t *n)
{
	char y[2048];
	snprintf(y, sizeof y, "%schain: {delegates: 21, lambda: %g, epoch_blocks: 60, traffic_window_blocks: 360}\n", yaml,
	         lambda);
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, y, 1, &s);
	run_world_kept(w, NULL, NULL, sd, n);
	dn_world_free(w);
	dn_scenario_free(s);
}

/* R-GOV-2: at every recorded block the world's initial_vote_share is the
 * protocol library's dnc_initial_share_ppm of the provenance totals it
 * records beside it (initial DNET and all it earned through stake, against
 * DToken-originated DNET); with no traffic seats (lambda = 1) it never
 * falls; with traffic seats it falls, further when they are more. */
static void test_R_GOV_2_vote_share_is_the_library_s(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const char *yaml = "sim: {model: world, seed: 9, end_time_s: 3600, partitions: 2, sample_interval_s: 10}\n"
	                   "world: {agents: 1500, area_km: 0.6, candidates: 40, operators: 0}\n";
	const double lambdas[3] = {1.0, 0.5, 0.2};
	double last[3];
	for (int k = 0; k < 3; k++) {
		dn_series_data *sd = NULL;
		size_t n = 0;
		gov_run(reg, yaml, lambdas[k], &sd, &n);
		const dn_series_data *share = series_named(sd, n, "initial_vote_share");
		const dn_series_data *ini = series_named(sd, n, "initial_originated_base");
		const dn_series_data *dt = series_named(sd, n, "dtoken_originated_base");
		assert_true(share->n > 300 && share->n == ini->n && share->n == dt->n);
		for (size_t i = 0; i < share->n; i++) {
			dnc_provenance pv = {.initial = ini->ivalue[i], .stake_earned = 0, .traffic_earned = dt->ivalue[i]};
			uint32_t ppm = dnc_initial_share_ppm(&pv);
			assert_true(fabs(share->value[i] - (double)ppm / 1e6) <= 1.01e-6);
			if (lambdas[k] == 1.0)
				assert_int_equal(dt->ivalue[i], 0);
		}
		last[k] = share->value[share->n - 1];
		dn_series_data_free(sd, n);
	}
	assert_true(last[0] == 1.0);             /* no traffic seats: nothing falls */
	assert_true(last[1] < 1.0);               /* traffic seats earn */
	assert_true(last[2] < last[1]);           /* more traffic seats, faster fall */
	dn_registry_free(reg);
}

/* ---- R-SHARE-1 ---- */

static void test_R_SHARE_1_direct_session_exact_balances(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 3, end_time_s: 7200, partitions: 1, sample_interval_s: 10}\n"
		"world: {agents: 3, layout: line, line_roles: \"CSD\", candidates: 1, operators: 0,"
		" line_spacing_m: 50, fraud_fraction: 0, free_rider_fraction: 0, check_ledger: true}\n"
		"sharer: {uptime_mean_h: 100000, downtime_mean_h: 0.01, strategy: fixed, degrade_probability: 0,"
		" sell_fraction: 0, leave_ratio: 0}\n"
		"consumer: {mib_per_day: 20000, session_mib: 100, diurnal_amplitude: 0, credential_interval_s: 120,"
	" sessions_per_day_max: 1000}\n"
		"chain: {delegates: 1}\n",
		1, &s);
	world *W = dn_world_model(w);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	enum { C = 0, S = 1, D = 2 };
	assert_int_equal(holdings(W, S), 0);
	const int64_t usd0 = W->ag.usd_micro[C];
	const dn_amount d0 = holdings(W, D), unminted0 = dnc_ledger_unminted(L);

	run_world(w);

	paid_by_hand h = by_hand(W, w_acct(W, C), w_acct(W, S), 0);
	assert_true(h.closed >= 1);
	assert_true(h.redeemed_sessions >= 1);
	assert_int_equal(redeems_applied(W, &h), h.redeemed_sessions);
	assert_int_equal(W->ch.tx_failed, 0);
	/* R-SHARE-1: the provider gets everything after the community fee */
	assert_int_equal(h.provider, h.gross - h.fees);
	assert_int_equal(dnc_ledger_balance(L, w_acct(W, S)), h.provider);
	assert_int_equal(holdings(W, S), h.provider);
	assert_payer_and_pool(W, C, D, usd0, d0, unminted0, &h);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- conservation ---- */

static void test_conservation_every_block(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	/* world.check_ledger: the model also scans the whole ledger after
	 * every block and fails the run on any difference */
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 11, end_time_s: 7200, partitions: 4, sample_interval_s: 10}\n"
		"world: {agents: 3000, area_km: 0.8, candidates: 60, operators: 2, check_ledger: true,"
		" fraud_fraction: 0.05, free_rider_fraction: 0.05}\n"
		"chain: {delegates: 21}\n"
		"content: {enabled: true, creator_fraction: 0.05, items_per_creator_per_day: 48, purchases_per_agent_per_day: 4}\n",
		2, &s);
	world *W = dn_world_model(w);
	run_world(w);
	assert_int_equal(W->ch.blocks + W->ch.missed, 720);
	assert_true(W->ch.blocks > 600);
	assert_true(W->ch.tx_applied > 100);
	assert_true(dnc_chain_sessions(W->ch.chain)->n > 10);
	assert_true(W->ct.sales > 0);
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/*
 * R-SUP-1: with the default world.check_ledger (false) conservation is
 * still checked after every block, over the accounts the block wrote: once
 * per slot, never by a full scan (the journal holds the whole ledger here),
 * reading a small part of the ledger per block on average.
 */
static void test_conservation_checked_every_block_by_default(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 5, end_time_s: 3600, partitions: 2, sample_interval_s: 10}\n"
		"world: {agents: 2000, area_km: 0.7, candidates: 40, operators: 1}\n"
		"chain: {delegates: 21}\n"
		"content: {enabled: true}\n",
		2, &s);
	world *W = dn_world_model(w);
	assert_false(W->cfg.check_ledger);
	run_world(w);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dnc_check_stats cs;
	dnc_ledger_check_stats(L, &cs);
	assert_int_equal(W->ch.blocks + W->ch.missed, 360);
	assert_true(W->ch.tx_applied > 100);
	assert_int_equal(cs.checks, 360);
	assert_int_equal(cs.full_scans, 0);
	assert_true(cs.max_touched > 0 && cs.max_touched <= dnc_ledger_count(L));
	assert_true(cs.examined < cs.checks * dnc_ledger_count(L) / 4);
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* Plants a one-legged credit (ledger_test.h) at the first window end at or
 * after `at`, from the engine's progress callback (between windows). */
typedef struct plant_ctx {
	world *W;
	dn_time_ns at, when;
	dnc_acct acct;
	dn_amount amount;
	bool done;
} plant_ctx;

static void plant_progress(void *ctx, dn_time_ns now, dn_time_ns end, uint64_t events)
{
	plant_ctx *c = ctx;
	(void)end;
	(void)events;
	if (c->done || now < c->at)
		return;
	dnc_test_ledger_plant(dnc_chain_ledger(c->W->ch.chain), c->acct, c->amount);
	c->when = now;
	c->done = true;
}

/* R-SUP-1: an imbalance planted mid-run stops the run at the next block's
 * check, naming that block and the account with the amount. */
static void test_conservation_violation_stops_the_run(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 9, end_time_s: 1800, partitions: 1, sample_interval_s: 10}\n"
		"world: {agents: 1000, area_km: 0.5, candidates: 30, operators: 1}\n"
		"chain: {delegates: 21}\n",
		1, &s);
	world *W = dn_world_model(w);
	plant_ctx c = {.W = W, .at = (dn_time_ns)600 * 1000000000, .acct = w_acct(W, 17), .amount = 12345};
	char err[512], path[512], want[256];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof path, "%s/dnetsim-test-world-plant-%d.h5", tmp, (int)getpid());
	dn_results *r = NULL;
	if (dn_results_open(path, &r, err, sizeof err))
		fail_msg("results: %s", err);
	dn_rc rc = dn_world_run(w, r, plant_progress, &c, NULL, NULL, err, sizeof err);
	(void)dn_results_close(r, false);
	assert_true(c.done);
	assert_int_not_equal(rc, DN_OK);
	/* the next block step after the plant is the one that fails */
	uint64_t slot = (uint64_t)((c.when + W->cfg.block_ns - 1) / W->cfg.block_ns) - 1;
	snprintf(want, sizeof want,
	         "conservation broken at block %llu: account %u (agent 17) changed by 0.00012345 DNET unexplained; "
	         "supply off by 0.00012345 DNET",
	         (unsigned long long)slot, (unsigned)w_acct(W, 17));
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_true(W->ch.blocks + W->ch.missed == slot + 1); /* it stopped there */
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- determinism ---- */

static const char *det_yaml =
	"sim: {model: world, seed: 21, end_time_s: 3600, partitions: 4, sample_interval_s: 10}\n"
	"world: {agents: 1500, area_km: 0.6, candidates: 40, operators: 1, check_ledger: false}\n"
	"chain: {delegates: 21}\n"
	"content: {enabled: true}\n";

static void test_determinism_threads(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s1 = NULL, *s2 = NULL;
	dn_world *w1 = new_world(reg, det_yaml, 1, &s1);
	dn_world *w2 = new_world(reg, det_yaml, 2, &s2);
	run_world(w1);
	run_world(w2);
	world *W1 = dn_world_model(w1), *W2 = dn_world_model(w2);
	assert_true(W1->ch.tx_applied > 0);
	assert_true(dn_world_fingerprint(w1) == dn_world_fingerprint(w2));
	assert_int_equal(W1->ch.tx_applied, W2->ch.tx_applied);
	assert_int_equal(W1->ch.tx_failed, W2->ch.tx_failed);
	const dnc_ledger *L1 = dnc_chain_ledger_c(W1->ch.chain), *L2 = dnc_chain_ledger_c(W2->ch.chain);
	assert_int_equal(dnc_ledger_count(L1), dnc_ledger_count(L2));
	assert_int_equal(dnc_ledger_unminted(L1), dnc_ledger_unminted(L2));
	for (dnc_acct a = 0; a < dnc_ledger_count(L1); a++) {
		assert_int_equal(dnc_ledger_balance(L1, a), dnc_ledger_balance(L2, a));
		assert_int_equal(dnc_ledger_holdings(L1, a), dnc_ledger_holdings(L2, a));
	}
	assert_int_equal(dnc_chain_sessions(W1->ch.chain)->n, dnc_chain_sessions(W2->ch.chain)->n);
	assert_memory_equal(W1->ag.usd_micro, W2->ag.usd_micro, W1->cfg.n * sizeof *W1->ag.usd_micro);
	dn_world_free(w1);
	dn_world_free(w2);
	dn_scenario_free(s1);
	dn_scenario_free(s2);
	dn_registry_free(reg);
}

/* ---- R-CHAIN-4 ---- */

static void test_R_CHAIN_4_partition_fork_resolved(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 7, end_time_s: 1800, partitions: 4, sample_interval_s: 10}\n"
		"world: {agents: 2000, area_km: 0.7, candidates: 60, operators: 1, check_ledger: true}\n"
		"chain: {delegates: 21, partition_at_s: 600, partition_duration_s: 300, partition_share: 0.5}\n",
		1, &s);
	world *W = dn_world_model(w);
	run_world(w);
	assert_int_equal(W->fk.forks, 1);
	assert_true(W->fk.split_done);
	assert_false(W->fk.split_active);
	/* both sides produced during the split; the losing side's blocks were dropped */
	assert_true(W->fk.blocks_dropped > 0);
	assert_true(W->fk.blocks_dropped < 30);
	/* the main chain went on after the heal: 180 slots, some dropped or missed */
	assert_int_equal(W->ch.blocks + W->ch.missed + W->fk.blocks_dropped, 180);
	assert_true(W->rec.met.total.forks_seen == 1);
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- R-CRED-7 ---- */

static void fraud_world(const char *retract)
{
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	/* every sharer cheats; no relays and no community fee, so a pure
	 * sharer's balance is exactly what its consumers' credentials paid */
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		"sim: {model: world, seed: 13, end_time_s: 3600, partitions: 1, sample_interval_s: 10}\n"
		"world: {agents: 800, area_km: 0.3, candidates: 20, operators: 0, check_ledger: true,"
		" fraud_fraction: 1, free_rider_fraction: 0, relay_fraction: 0, site_fraction: 0}\n"
		"sharer: {sell_fraction: 0}\n"
		"consumer: {mib_per_day: 3000}\n"
		"chain: {delegates: 11, community_fee: 0}\n"
		"admin: {retract_dnet: %s}\n", retract);
	dn_world *w = new_world(reg, yaml, 1, &s);
	const bool retracting = strcmp(retract, "0") != 0;
	world *W = dn_world_model(w);
	uint64_t sharers = 0;
	for (uint64_t a = 0; a < W->cfg.n; a++)
		if (W->ag.role[a] & W_SHARER) {
			sharers++;
			assert_true(W->ag.role[a] & W_FRAUD);
		}
	assert_true(sharers > 0);
	const dnc_acct fnd = dnc_chain_foundation(W->ch.chain);
	const dn_amount fnd0 = dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), fnd);
	run_world(w);
	assert_true(W->ch.tx_fail_rc[DNC_EBADSIG] > 0);
	assert_true(W->rec.met.total.fraud_attempted > 0);
	assert_int_equal(W->rec.met.total.fraud_attempted, W->rec.met.total.fraud_caught);
	/* per distributor: what its consumers signed and the chain paid */
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	const dnc_sessions *T = dnc_chain_sessions(W->ch.chain);
	dn_amount *owed = calloc(W->cfg.n, sizeof *owed);
	assert_non_null(owed);
	uint64_t closed = 0, closed_paid = 0;
	for (uint64_t i = 0; i < T->n; i++) {
		const dnc_session *ss = &T->v[i];
		assert_true(ss->redeemed_units <= ss->units_max);
		closed_paid += ss->state == DNC_SESSION_CLOSED && ss->redeemed_units > 0;
		dn_amount paid = (dn_amount)(ss->redeemed_units * (uint64_t)ss->price_per_unit);
		if (ss->state == DNC_SESSION_CLOSED) {
			closed++;
			assert_int_equal(ss->deposit_left, 0);
		} else {
			assert_int_equal(ss->deposit_left, (dn_amount)(ss->units_max * (uint64_t)ss->price_per_unit) - paid);
		}
		assert_true(ss->distributor >= W->ch.acct0 && ss->distributor < W->ch.acct0 + W->cfg.n);
		owed[ss->distributor - W->ch.acct0] += paid;
	}
	assert_true(closed > 0);
	/* a session closed after a paid final redeem had a forgery sent before it */
	assert_true(closed_paid > 0);
	assert_true(W->rec.met.total.fraud_attempted >= closed_paid);
	uint64_t checked = 0;
	dn_amount taken = 0;
	for (uint64_t a = 0; a < W->cfg.n; a++) {
		if (W->ag.role[a] != (W_SHARER | W_FRAUD))
			continue; /* only pure sharers: nothing else moves their money */
		/* R-ADMIN-1: whatever the foundation took back came off that */
		taken += owed[a] - dnc_ledger_balance(L, w_acct(W, (uint32_t)a));
		if (!retracting)
			assert_int_equal(dnc_ledger_balance(L, w_acct(W, (uint32_t)a)), owed[a]);
		checked += owed[a] > 0;
	}
	assert_true(checked > 0);
	free(owed);
	const dnc_admin_stats *ad = dnc_chain_admin_stats(W->ch.chain);
	if (!retracting) {
		assert_int_equal(ad->count, 0);
		assert_int_equal(taken, 0);
	} else {
		/* every retract is logged, at most the penalty, for fraud; the
		 * foundation received exactly the logged total, of which the
		 * pure sharers' losses are a part */
		assert_true(ad->count > 0);
		assert_int_equal(dnc_ledger_balance(L, fnd) - fnd0, ad->total);
		assert_true(taken > 0 && taken <= ad->total);
		for (uint64_t k = 0; k < ad->count && k < DNC_ADMIN_LOG; k++) {
			assert_true(ad->log[k].amount > 0 && ad->log[k].amount <= 10 * DNC_UNITS_PER_DNET);
			assert_int_equal(ad->log[k].reason, 1);
		}
	}
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

static void test_R_CRED_7_fraud_rejected(void **state)
{
	(void)state;
	fraud_world("0");
}

/* R-ADMIN-1: the foundation retracts 10 DNET (at most what is there) each
 * time a sharer's forgery is caught; the retracts are logged and are
 * exactly what the cheating sharers lost. */
static void test_R_ADMIN_1_retracts_logged(void **state)
{
	(void)state;
	fraud_world("10");
}

/* ---- bad parameters ---- */

static void expect_refused(dn_registry *reg, const char *yaml, const char *needle)
{
	char err[512];
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load_string(reg, "bad", yaml, NULL, 0, &s, err, sizeof err);
	if (rc)
		fail_msg("scenario: %s", err);
	dn_world *w = (dn_world *)1;
	err[0] = 0;
	rc = dn_world_new(&dn_model_world, s, 1, &w, err, sizeof err);
	assert_int_not_equal(rc, DN_OK);
	assert_null(w);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	dn_scenario_free(s);
}

static void test_bad_parameters(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const char *head = "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n";
	char y[1024];
	/* a letter that is not a role */
	snprintf(y, sizeof y, "%sworld: {agents: 3, layout: line, line_roles: \"CXD\", candidates: 1, operators: 0}\n", head);
	expect_refused(reg, y, "world.line_roles");
	/* one letter per agent */
	snprintf(y, sizeof y, "%sworld: {agents: 4, layout: line, line_roles: \"CSD\", candidates: 1, operators: 0}\n", head);
	expect_refused(reg, y, "world.line_roles");
	/* D letters must match world.candidates */
	snprintf(y, sizeof y, "%sworld: {agents: 3, layout: line, line_roles: \"CSD\", candidates: 2, operators: 0}\n", head);
	expect_refused(reg, y, "world.line_roles");
	/* the line runs in one tile */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 2, sample_interval_s: 10}\n"
	               "world: {agents: 3, layout: line, line_roles: \"CSD\", candidates: 1, operators: 0}\n",
	               "sim.partitions");
	/* one block per sample */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 5}\n"
	               "world: {agents: 3, layout: line, line_roles: \"CSD\", candidates: 1, operators: 0}\n",
	               "sim.sample_interval_s");
	/* too few agents for the candidates */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n"
	               "world: {agents: 20, candidates: 10}\n",
	               "world.agents");
	/* nobody to seat at genesis: every seat elected by traffic */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n"
	               "world: {agents: 200, candidates: 5}\nchain: {lambda: 0, signatures: keyed}\n",
	               "chain.lambda");
	/* a pool larger than the community allocation */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n"
	               "world: {agents: 200, candidates: 5}\nchain: {gamma: 0, signatures: keyed}\n",
	               "chain.gamma");
	/* the world's traders only take: an order book would never fill */
	expect_refused(reg,
	               "sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n"
	               "world: {agents: 200, candidates: 5}\nmarket: {kind: book}\n",
	               "market.kind");
	dn_registry_free(reg);
}

/* Worlds at the edges of the parameter ranges run to the end with the
 * ledger scanned after every block: no role at all, every agent in every
 * role, every agent cheating, one delegate, every seat by stake, a split
 * cutting off every tile or none, 64 tiles for 300 agents, epochs of ten
 * blocks, no demand, no pool, no airdrop. */
static void test_edge_configurations_run(void **state)
{
	(void)state;
	static const char *const extra[] = {
		"world.consumer_fraction=0",
		"world.sharer_fraction=0",
		"world.sharer_fraction=1 world.consumer_fraction=1 world.relay_fraction=1 world.holder_fraction=1 world.trader_fraction=1",
		"world.relay_fraction=1 relay.max_hops=4",
		"world.operators=0",
		"world.holder_fraction=0 world.trader_fraction=0",
		"world.fraud_fraction=1 world.free_rider_fraction=1",
		"content.enabled=true content.creator_fraction=1 content.recommender_fraction=1",
		"chain.delegates=1",
		"chain.lambda=1",
		"chain.partition_at_s=100 chain.partition_share=1",
		"chain.partition_at_s=100 chain.partition_share=0",
		"sim.partitions=64",
		"world.site_fraction=1 world.sharer_fraction=0",
		"chain.epoch_blocks=10 chain.traffic_window_blocks=5",
		"consumer.mib_per_day=0",
		"market.amm.initial_usd=0",
		"consumer.airdrop_dnet=0",
		"world.villages_per_km2=50 world.village_share=1 world.village_radius_m=5",
		"world.gini_interval_blocks=7",
	};
	const char *yaml = "sim: {model: world, seed: 3, end_time_s: 3600, partitions: 4, sample_interval_s: 10}\n"
	                   "world: {agents: 300, area_km: 0.3, candidates: 10, check_ledger: true}\n"
	                   "chain: {signatures: keyed}\n";
	dn_registry *reg = make_registry();
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		char buf[512];
		const char *sets[8];
		size_t n = 0;
		snprintf(buf, sizeof buf, "%s", extra[i]);
		for (char *tok = strtok(buf, " "); tok && n < 8; tok = strtok(NULL, " "))
			sets[n++] = tok;
		char err[512];
		dn_scenario *s = NULL;
		if (dn_scenario_load_string(reg, "edge", yaml, sets, n, &s, err, sizeof err))
			fail_msg("%s: %s", extra[i], err);
		dn_world *w = NULL;
		if (dn_world_new(&dn_model_world, s, 2, &w, err, sizeof err))
			fail_msg("%s: %s", extra[i], err);
		run_world(w);
		world *W = dn_world_model(w);
		assert_int_equal(W->ch.blocks + W->ch.missed + W->fk.blocks_dropped, 360);
		assert_supply_conserved(W);
		dn_world_free(w);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

/*
 * R-RENT-1 with R-FEE-2: one consumer and no sharer, a home node 150 m
 * away (beyond Wi-Fi, within a small cell), an operator and a delegate.
 * Requests go unmet until the operator rents the home node as a cell; then
 * the consumer is served by the cell, whose takings are swept to the
 * operator, and the owner is paid the hourly rent less the community fee.
 * Nobody trades, so the DNET price and the rent stay put: the owner holds
 * exactly k rents and the operator exactly what the cell took in less k
 * rents.
 */
static void test_R_RENT_1_operator_rents_a_cell(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(
		reg,
		"sim: {model: world, seed: 3, end_time_s: 10800, partitions: 1, sample_interval_s: 10}\n"
		"world: {agents: 9, layout: line, line_roles: \"C....W.DO\", candidates: 1, operators: 1,"
		" line_spacing_m: 30, check_ledger: true}\n"
		"consumer: {mib_per_day: 20000, session_mib: 50, diurnal_amplitude: 0, credential_interval_s: 120,"
		" sessions_per_day_max: 1000}\n"
		"delegate: {sell_fraction: 0}\n"
		"chain: {delegates: 1}\n",
		1, &s);
	world *W = dn_world_model(w);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	enum { C = 0, SITE = 5, OP = 8 };
	assert_int_equal(holdings(W, SITE), 0);
	const dn_amount op0 = dnc_ledger_balance(L, w_acct(W, OP));
	const dn_usd_micro price0 = W->mk.price_usd_micro;

	run_world(w);

	assert_int_equal(W->mk.price_usd_micro, price0); /* nobody traded */
	assert_int_equal(W->ag.renter[SITE], OP + 1);
	paid_by_hand h = by_hand(W, w_acct(W, C), w_acct(W, SITE), 0);
	assert_true(h.redeemed_sessions >= 1);
	/* the rent: operator.rent_usd_per_hour at the (unchanged) price, less the community fee */
	const dn_amount rent = (dn_amount)llround(0.2 / ((double)price0 / 1e6) * 1e8);
	const dn_amount fee = (dn_amount)((unsigned __int128)(uint64_t)rent *
	                                  dnc_chain_params(W->ch.chain)->community_fee_ppm / 1000000u);
	/* the owner holds its rents and what the cell took since the last
	 * hourly sweep, which it still owes the operator */
	assert_int_equal(W->ops.n_sites, 1);
	assert_int_equal(W->ops.sites[0], SITE);
	const dn_amount owed = W->ops.owed_base[0];
	const dn_amount owner = dnc_ledger_balance(L, w_acct(W, SITE)) - owed;
	assert_true(owed >= 0 && owner > 0);
	assert_int_equal(owner % (rent - fee), 0);
	const dn_amount k = owner / (rent - fee);
	assert_true(k >= 1 && k <= 3);
	/* the cell's takings (one redeem per session here, or the sum differs
	 * by at most a base unit per extra redeem) went to the operator, by
	 * the owner's signed transfers, but for what is still owed */
	assert_int_equal(W->ch.custody_moves, 0); /* no DNET came from the exchange */
	dn_amount op_gain = dnc_ledger_balance(L, w_acct(W, OP)) - op0 + k * rent + owed;
	assert_true(op_gain - owed > 0); /* at least one sweep reached the chain */
	assert_true(op_gain <= h.provider && op_gain >= h.provider - (dn_amount)h.sessions * 8);
	assert_true(op_gain > 0);
	print_message("rented %lld hour(s); %llu cell sessions; operator took in %lld, owner got %lld\n", (long long)k,
	              (unsigned long long)h.sessions, (long long)op_gain, (long long)owner);
	assert_supply_conserved(W);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- the white paper's feedback loop, emerging from decisions ---- */

/* Sharers online (summed over the tiles) and the median price paid per
 * GiB (base units) at the end of a run. */
static void loop_run(dn_registry *reg, const char *csv, uint64_t *sharers, int64_t *p50)
{
	char dir[] = "/tmp/dnetsim-loop-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], yaml[2048];
	snprintf(path, sizeof path, "%s/price.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(csv, f);
	assert_int_equal(fclose(f), 0);
	snprintf(yaml, sizeof yaml,
	         "sim: {model: world, seed: 5, end_time_s: 259200, partitions: 4, sample_interval_s: 10}\n"
	         "world: {agents: 5000, area_km: 1, candidates: 100}\n"
	         "sharer: {access_cost_usd_month: 1500}\n"
	         "chain: {signatures: keyed}\n"
	         "market: {kind: replay, replay: {file: '%s'}}\n", path);
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, yaml, 2, &s);
	run_world(w);
	world *W = dn_world_model(w);
	*sharers = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++)
		*sharers += w_part(W, i)->sharers_online;
	assert_int_equal(dn_hist_quantile(&W->rec.met.total.price, 500000, p50), DN_OK);
	dn_world_free(w);
	dn_scenario_free(s);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * R-EMIT-3 with rules §9's price feedback: the same world under a DNET price
 * rising fourfold and one falling to a quarter (replayed, so nothing else
 * differs). Sharers price in USD and count on the traffic delegates'
 * block income per unit at the market price: when DNET is dear each GiB
 * pays fewer tokens and more sharers find sharing worth its cost; when it
 * is cheap, more tokens per GiB and fewer sharers. Nothing in the model
 * states this; it follows from the agents' rules.
 */
static void test_feedback_loop_price_moves_participation(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	uint64_t up = 0, down = 0;
	int64_t p_up = 0, p_down = 0;
	loop_run(reg, "time_s,price_usd\n0,0.0625\n259200,0.25\n", &up, &p_up);
	loop_run(reg, "time_s,price_usd\n0,0.0625\n259200,0.015625\n", &down, &p_down);
	print_message("sharers online: price up %llu, price down %llu; median DNET per GiB: up %lld, down %lld\n",
	              (unsigned long long)up, (unsigned long long)down, (long long)p_up, (long long)p_down);
	assert_true(up > down + down / 2);  /* dear DNET: more nodes */
	assert_true(p_up * 2 < p_down);     /* ... and fewer tokens per unit of work */
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_SHARE_2_three_hop_relay_exact_shares),
		cmocka_unit_test(test_R_SHARE_1_direct_session_exact_balances),
		cmocka_unit_test(test_one_door_relay_payout_is_the_redeem),
		cmocka_unit_test(test_one_door_content_sale_is_a_transaction),
		cmocka_unit_test(test_R_GOV_2_vote_share_is_the_library_s),
		cmocka_unit_test(test_conservation_every_block),
		cmocka_unit_test(test_conservation_checked_every_block_by_default),
		cmocka_unit_test(test_conservation_violation_stops_the_run),
		cmocka_unit_test(test_determinism_threads),
		cmocka_unit_test(test_R_CHAIN_4_partition_fork_resolved),
		cmocka_unit_test(test_R_CRED_7_fraud_rejected),
		cmocka_unit_test(test_R_ADMIN_1_retracts_logged),
		cmocka_unit_test(test_bad_parameters),
		cmocka_unit_test(test_edge_configurations_run),
		cmocka_unit_test(test_R_RENT_1_operator_rents_a_cell),
		cmocka_unit_test(test_feedback_loop_price_moves_participation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
