/*
 * test_world_attacks.c: the attackers of attack.kind (world_attack.c) on
 * tiny worlds with hand-checked outcomes, their paired honest twins, the
 * detectors' arithmetic on planted labels, and ledger conservation under
 * attack (world.check_ledger: the full scan after every block).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "world.h"
#include "world_fixture.h"

/* A consumer and a sharer 20 m apart, a candidate, two voting holders:
 * 4 seats at lambda 0.5 (2 stake, 1 volume, 1 quality), an election every
 * 60 blocks over a 60-block traffic window. */
#define LINE_HEAD                                                                                             \
	"sim: {model: world, seed: 5, end_time_s: 1800, partitions: 1, sample_interval_s: 10}\n"              \
	"world: {agents: 5, layout: line, line_roles: \"CSDHH\", candidates: 1, operators: 0,"                \
	" line_spacing_m: 20, fraud_fraction: 0, free_rider_fraction: 0, check_ledger: true}\n"               \
	"sharer: {uptime_mean_h: 100000, downtime_mean_h: 0.01, strategy: fixed, degrade_probability: 0}\n" \
	"consumer: {mib_per_day: 20000, session_mib: 100, diurnal_amplitude: 0, sessions_per_day_max: 1000}\n"
#define LINE_CHAIN "delegates: 4, epoch_blocks: 60, traffic_window_blocks: 60, signatures: keyed"

static dn_amount holdings_of(const world *W, dnc_acct a)
{
	return dnc_ledger_holdings(dnc_chain_ledger_c(W->ch.chain), a);
}

/* A world from YAML text, run to the end. */
typedef struct attacked {
	dn_registry *reg;
	dn_scenario *s;
	dn_world *w;
	world *W;
} attacked;

static void attacked_run(attacked *x, const char *yaml)
{
	x->reg = make_registry();
	x->s = NULL;
	x->w = new_world(x->reg, yaml, 1, &x->s);
	x->W = dn_world_model(x->w);
	run_world(x->w);
}

static void attacked_free(attacked *x)
{
	dn_world_free(x->w);
	dn_scenario_free(x->s);
	dn_registry_free(x->reg);
}

/* The attacker's seats in the delegate set in force. */
static uint32_t attacker_seats(const world *W, uint32_t *traffic)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->ch.chain);
	uint32_t n = 0;
	*traffic = ds->n_kind[DNC_SEAT_VOLUME] + ds->n_kind[DNC_SEAT_QUALITY];
	for (uint32_t i = 0; i < ds->n; i++)
		if (ds->seat[i].acct >= W->at.acct0 && ds->seat[i].acct < W->at.acct0 + W->at.n_acct) {
			assert_int_not_equal(ds->seat[i].kind, DNC_SEAT_STAKE);
			n++;
		}
	return n;
}

/* The same pair with the seats paid once an epoch (chain.seat_payout): its
 * seat-blocks count the blocks each payout covers, so they match the
 * per-block count, and its DNET is still what it bought, less the fees,
 * plus what its seat was paid. */
static void test_R_EMIT_3_wash_seat_blocks_paid_per_epoch(void **state)
{
	(void)state;
	uint64_t blocks[2];
	for (int epoch = 0; epoch < 2; epoch++) {
		char y[2048];
		snprintf(y, sizeof y,
		         "%sattack: {kind: wash, size: 1, units: 1000000, price_base: 1,"
		         " sessions_per_day: 1440, budget_usd: 10}\n"
		         "chain: {%s, seat_payout: %s}\n",
		         LINE_HEAD, LINE_CHAIN, epoch ? "epoch" : "block");
		attacked x;
		attacked_run(&x, y);
		const world_attack *A = &x.W->at;
		assert_true(A->seat_income_base > 0);
		dn_amount hold = holdings_of(x.W, A->acct0) + holdings_of(x.W, A->acct0 + 1);
		assert_int_equal(hold, A->bought_base - A->fees_base + A->seat_income_base);
		blocks[epoch] = A->seat_blocks;
		attacked_free(&x);
	}
	print_message("seat-blocks: %llu paid per block, %llu per epoch\n", (unsigned long long)blocks[0],
	              (unsigned long long)blocks[1]);
	assert_true(blocks[0] > 60);
	/* the last epoch is not paid before the run ends */
	assert_true(blocks[1] <= blocks[0] && blocks[1] + 60 >= blocks[0]);
}

/* One wash pair claiming 1,000,000 units at 1 base unit a minute: it takes
 * one traffic seat (nobody holds two), pays exactly the 0.5 %
 * community fee on each redeemed session (5,000 base units), and its
 * accounts end with what it bought, less those fees, plus what its seat
 * earned: nothing else moved its DNET. */
static void test_R_CONS_4_wash_pair_takes_a_seat_for_the_fee(void **state)
{
	(void)state;
	attacked x;
	attacked_run(&x,
	             LINE_HEAD "attack: {kind: wash, size: 1, units: 1000000, price_base: 1,"
	                       " sessions_per_day: 1440, budget_usd: 10}\n"
	                       "chain: {" LINE_CHAIN "}\n");
	world *W = x.W;
	assert_int_equal(W->at.n_acct, 2);
	const world_attack *A = &W->at;
	uint32_t traffic = 0;
	assert_int_equal(attacker_seats(W, &traffic), 1); /* one seat per account */
	assert_true(traffic >= 1 && traffic <= 2);
	assert_true(A->sessions >= 20);
	assert_int_equal(A->tx_failed, 0);
	assert_int_equal(A->fees_base % 5000, 0);
	assert_true(A->fees_base / 5000 == (dn_amount)A->sessions || A->fees_base / 5000 == (dn_amount)A->sessions + 1);
	assert_true(A->bought_base > 0);
	assert_true(A->seat_income_base > 0);
	assert_true(A->seat_blocks > 0);
	dn_amount hold = holdings_of(W, A->acct0) + holdings_of(W, A->acct0 + 1);
	assert_int_equal(hold, A->bought_base - A->fees_base + A->seat_income_base);
	attacked_free(&x);
}

/* Two pairs take both traffic seats; the honest sharer keeps none. */
static void test_R_CONS_4_two_wash_pairs_take_every_traffic_seat(void **state)
{
	(void)state;
	attacked x;
	attacked_run(&x,
	             LINE_HEAD "attack: {kind: wash, size: 2, units: 1000000, price_base: 1,"
	                       " sessions_per_day: 1440, budget_usd: 10}\n"
	                       "chain: {" LINE_CHAIN "}\n");
	world *W = x.W;
	uint32_t traffic = 0;
	assert_int_equal(attacker_seats(W, &traffic), 2);
	assert_int_equal(traffic, 2);
	attacked_free(&x);
}

/* Two pairs funded from the attacker's own wallet (attack.fund_from):
 * the wallet's transfers land before the first sessions (nothing is
 * refused) and make it the funder of every pair account, so the pairs
 * are one owner cluster. Without a cap they take both traffic seats as
 * before; under chain.seat_cluster_max 1 they keep one. Their DNET is what they bought less the fees
 * plus what their seats earned, wallet included. */
static void test_R_CONS_1_wallet_funded_pairs_keep_one_seat(void **state)
{
	(void)state;
	for (int cap = 0; cap < 2; cap++) {
		attacked x;
		char yaml[2048];
		snprintf(yaml, sizeof yaml,
		         LINE_HEAD "attack: {kind: wash, size: 2, units: 1000000, price_base: 1,"
		                   " sessions_per_day: 1440, budget_usd: 10, fund_from: wallet}\n"
		                   "chain: {" LINE_CHAIN ", seat_cluster_max: %d}\n", cap);
		attacked_run(&x, yaml);
		world *W = x.W;
		const world_attack *A = &W->at;
		const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
		assert_int_equal(A->n_acct, 5);
		assert_int_equal(A->tx_failed, 0);
		dnc_acct wallet = A->acct0 + 4;
		for (uint32_t k = 0; k < 4; k++) {
			assert_int_equal(dnc_ledger_funder(L, A->acct0 + k), cap ? wallet : DNC_NONE);
			assert_int_equal(dnc_owner_cluster(L, A->acct0 + k), cap ? wallet : A->acct0 + k);
		}
		uint32_t traffic = 0;
		assert_int_equal(attacker_seats(W, &traffic), cap ? 1 : 2);
		/* the other pair, next in line, is passed over; the honest sharer
		 * scored nothing in the last window, so that seat stays empty */
		assert_int_equal(traffic, cap ? 1 : 2);
		dn_amount hold = 0;
		for (uint32_t k = 0; k < A->n_acct; k++)
			hold += holdings_of(W, A->acct0 + k);
		assert_int_equal(hold, A->bought_base - A->fees_base + A->seat_income_base);
		attacked_free(&x);
	}
}

/* sharer.keep_bond: under a bond a sharer's hourly sale stops at the
 * bond (it sells only what it holds above it), and without the rule it
 * sells its share of the hour's earnings as before. The sharer here holds
 * 1,000 DNET; the world's copy of the bond is set to half of what it holds. */
static dn_amount hour_sale(bool keep, dn_amount *held, dn_amount *bond)
{
	attacked x;
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
	         "sim: {model: world, seed: 5, end_time_s: 1800, partitions: 1, sample_interval_s: 10}\n"
	         "world: {agents: 5, layout: line, line_roles: \"CSDHH\", candidates: 1, operators: 0,"
	         " line_spacing_m: 20, fraud_fraction: 0, free_rider_fraction: 0}\n"
	         "sharer: {uptime_mean_h: 100000, downtime_mean_h: 0.01, strategy: fixed, degrade_probability: 0,"
	         " sell_fraction: 0, keep_bond: %s}\n"
	         "consumer: {mib_per_day: 20000, session_mib: 100, diurnal_amplitude: 0, sessions_per_day_max: 1000}\n"
	         "chain: {" LINE_CHAIN ", score_bond_dnet: 1}\n",
	         keep ? "true" : "false");
	attacked_run(&x, yaml);
	world *W = x.W;
	/* what it earned, say (the test moves it from the exchange itself) */
	assert_int_equal(dnc_ledger_transfer(dnc_chain_ledger(W->ch.chain), W->ch.exchange, w_acct(W, 1),
	                                     1000 * DNC_UNITS_PER_DNET), DNC_OK);
	*held = holdings_of(W, w_acct(W, 1));
	assert_true(*held >= 1000 * DNC_UNITS_PER_DNET);
	assert_true(w_balance(W, 1) == *held); /* nothing locked */
	*bond = *held / 2;
	W->cfg.cp.score_bond_base = *bond;
	W->cfg.sharer_sell_fraction = 1; /* it kept everything so far; now it sells */
	W->ag.earned_base[1] = *held * 10; /* an hour that earned more than it holds */
	wpart *P = w_part(W, 0);
	size_t before = P->orders.n;
	assert_int_equal(w_sharer_hour(W, dn_world_part(x.w, 0), P, 1, dn_ns_of_s(1800)), DN_OK);
	dn_amount sold = 0;
	for (size_t i = before; i < P->orders.n; i++) {
		const word *o = wvec_at(&P->orders, i);
		if (o->agent == 1 && !o->buy)
			sold += o->base;
	}
	attacked_free(&x);
	return sold;
}

static void test_R_CONS_4_sharer_keeps_its_bond(void **state)
{
	(void)state;
	dn_amount held, bond;
	dn_amount sold = hour_sale(true, &held, &bond);
	assert_int_equal(sold, held - bond);
	sold = hour_sale(false, &held, &bond);
	assert_int_equal(sold, held); /* all its balance: the hour earned more */
}

/* The same pair with chain.score_min_price_base (1 DNET a unit) above
 * what its budget can lock for a session's deposit: every open is
 * refused (no funds) and it takes no seat; but the honest sharer's price
 * is below the minimum as well. */
static void test_R_CONS_4_min_price_prices_the_pair_out(void **state)
{
	(void)state;
	attacked x;
	attacked_run(&x,
	             LINE_HEAD "attack: {kind: wash, size: 1, units: 1000000, price_base: 1,"
	                       " sessions_per_day: 1440, budget_usd: 10}\n"
	                       "chain: {" LINE_CHAIN ", score_min_price_base: 100000000}\n");
	world *W = x.W;
	assert_int_equal(W->cfg.attack_price_base, 100000000); /* it pays what counts */

	uint32_t traffic = 0;
	assert_int_equal(attacker_seats(W, &traffic), 0);
	/* the cost to the honest: the sharer sells below the minimum too, so
	 * its traffic counts for nothing either, and no traffic seat is filled */
	assert_true(W->ag.price_base[1] > 0 && W->ag.price_base[1] < 100000000);
	assert_int_equal(traffic, 0);
	assert_int_equal(W->at.sessions, 0);
	assert_true(W->at.tx_failed > 0);
	assert_int_equal(W->at.seat_income_base, 0);
	attacked_free(&x);
}

/* ---- the paired honest twin ---- */

#define TWIN_WORLD "world: {agents: 600, area_km: 0.4}\n"
#define TWIN_HEAD                                                                                \
	"sim: {model: world, seed: 11, end_time_s: 2400, partitions: 2, sample_interval_s: 10}\n" \
	"chain: {epoch_blocks: 60, traffic_window_blocks: 60, signatures: keyed}\n"
static const char *twin_head = TWIN_HEAD;
static const char *twin_yaml = TWIN_WORLD TWIN_HEAD;

/* Every agent's holdings and USD at the end. */
static void agent_state(const world *W, dn_amount *hold, int64_t *usd)
{
	for (uint64_t a = 0; a < W->cfg.n; a++) {
		hold[a] = holdings_of(W, w_acct(W, (uint32_t)a));
		usd[a] = W->ag.usd_micro[a];
	}
}

/* The twin world with its world: line and an attack: block. */
static dn_world *twin(dn_registry *reg, const char *world_line, const char *attack, dn_scenario **s,
                      dn_series_data **sd, size_t *n)
{
	char y[2048];
	snprintf(y, sizeof y, "%s%s%s", twin_head, world_line, attack);
	dn_world *w = new_world(reg, y, 2, s);
	run_world_kept(w, NULL, NULL, sd, n);
	return w;
}

/* Three runs of the twin world (with one world: line), each with its
 * attack: block, and every agent's DNET and USD at the end of each. */
typedef struct trio {
	dn_registry *reg;
	dn_scenario *s[3];
	dn_series_data *d[3];
	size_t nd[3];
	dn_world *w[3];
	const world *W[3];
	size_t n;
	dn_amount *hold[3];
	int64_t *usd[3];
} trio;

static void trio_run(trio *t, const char *world_line, const char *const attack[3])
{
	memset(t, 0, sizeof *t);
	t->reg = make_registry();
	for (int k = 0; k < 3; k++) {
		t->w[k] = twin(t->reg, world_line, attack[k], &t->s[k], &t->d[k], &t->nd[k]);
		t->W[k] = dn_world_model(t->w[k]);
		t->n = t->W[k]->cfg.n;
		t->hold[k] = malloc(t->n * sizeof *t->hold[k]);
		t->usd[k] = malloc(t->n * sizeof *t->usd[k]);
		assert_non_null(t->hold[k]);
		assert_non_null(t->usd[k]);
		agent_state(t->W[k], t->hold[k], t->usd[k]);
	}
}

static void trio_free(trio *t)
{
	for (int k = 0; k < 3; k++) {
		free(t->hold[k]);
		free(t->usd[k]);
		dn_series_data_free(t->d[k], t->nd[k]);
		dn_world_free(t->w[k]);
		dn_scenario_free(t->s[k]);
	}
	dn_registry_free(t->reg);
}

/* attack.active false is the honest world: every agent ends with the same
 * DNET and USD as in the world without an attacker, every series but the
 * ledger's own is the same; with the attack on, the honest side's series
 * are the same until it starts (common random numbers). */
static void test_attack_twin_is_the_honest_world(void **state)
{
	(void)state;
	static const char *const attack[3] = {"", "attack: {kind: wash, size: 2, active: false, start_s: 1200}\n",
	                                      "attack: {kind: wash, size: 2, active: true, start_s: 1200}\n"};
	trio t;
	trio_run(&t, TWIN_WORLD, attack);
	assert_memory_equal(t.hold[0], t.hold[1], t.n * sizeof *t.hold[0]);
	assert_memory_equal(t.usd[0], t.usd[1], t.n * sizeof *t.usd[0]);
	/* and the attack changed the honest world after it started */
	assert_memory_not_equal(t.hold[0], t.hold[2], t.n * sizeof *t.hold[0]);
	assert_true(t.W[2]->at.seat_income_base > 0);
	const char *const honest[] = {"service_requests", "coverage", "earned_sharer_base", "earned_delegate_base",
	                              "dnet_price"};
	for (size_t k = 0; k < sizeof honest / sizeof *honest; k++) {
		const dn_series_data *a = series_named(t.d[0], t.nd[0], honest[k]);
		const dn_series_data *b = series_named(t.d[1], t.nd[1], honest[k]);
		const dn_series_data *c = series_named(t.d[2], t.nd[2], honest[k]);
		assert_int_equal(a->n, b->n);
		assert_int_equal(a->n, c->n);
		size_t before = 0;
		for (size_t i = 0; i < a->n; i++) {
			assert_true(a->value[i] == b->value[i] || (isnan(a->value[i]) && isnan(b->value[i])));
			if (a->t_ns[i] < (int64_t)1200 * 1000000000) {
				assert_true(a->value[i] == c->value[i] || (isnan(a->value[i]) && isnan(c->value[i])));
				before++;
			}
		}
		assert_true(before >= 100);
	}
	trio_free(&t);
}

/* R-ADMIN-1 on the price detector's word: at each election the foundation
 * retracts the flagged distributors' spendable DNET (the pairs sell at 1
 * base unit, far below the median distributor's price over 100), and
 * takes nothing from the honest. */
static void test_R_ADMIN_1_retracts_on_the_detectors_word(void **state)
{
	(void)state;
	char y[2048];
	snprintf(y, sizeof y, "%sattack: {kind: wash, size: 2, sessions_per_day: 1440}\ndetect: {retract: price}\n",
	         twin_yaml);
	attacked x;
	attacked_run(&x, y);
	world *W = x.W;
	const world_attack *A = &W->at;
	assert_true(A->retracts >= 4);
	assert_true(A->retracted_base > 0);
	assert_int_equal(A->retracted_honest_base, 0);
	assert_true(dnc_chain_admin_stats(W->ch.chain)->count >= A->retracts);
	/* what it kept is what it bought, less fees, plus the seat income not yet retracted */
	dn_amount hold = 0;
	for (uint32_t k = 0; k < A->n_acct; k++)
		hold += holdings_of(W, A->acct0 + k);
	assert_int_equal(hold, A->bought_base - A->fees_base + A->seat_income_base - A->retracted_base);
	attacked_free(&x);
}

/* attack.kind fraud labels the world's own forgers and free riders: with
 * the attack on, every agent ends exactly as without the label (the
 * labelled agents do nothing else); its twin makes them honest, which
 * changes the world; the chain refuses every forgery. */
static void test_R_CRED_7_fraud_kind_is_the_worlds_own_fraud(void **state)
{
	(void)state;
	static const char *const attack[3] = {"", "attack: {kind: fraud}\n", "attack: {kind: fraud, active: false}\n"};
	trio t;
	trio_run(&t, "world: {agents: 600, area_km: 0.4, fraud_fraction: 0.1, free_rider_fraction: 0.1}\n", attack);
	assert_true(t.W[1]->at.n_agents > 10);
	assert_memory_equal(t.hold[0], t.hold[1], t.n * sizeof *t.hold[0]);
	assert_memory_equal(t.usd[0], t.usd[1], t.n * sizeof *t.usd[0]);
	const dn_series_data *a = series_named(t.d[1], t.nd[1], "fraud_attempted");
	const dn_series_data *b = series_named(t.d[1], t.nd[1], "fraud_caught");
	double att = 0, caught = 0;
	for (size_t i = 0; i < a->n; i++) {
		att += a->value[i];
		caught += b->value[i];
	}
	assert_true(att > 0 && att == caught);
	/* the twin: nobody cheats, and that changes the world */
	a = series_named(t.d[2], t.nd[2], "fraud_attempted");
	for (size_t i = 0; i < a->n; i++)
		assert_true(a->value[i] == 0);
	assert_memory_not_equal(t.hold[0], t.hold[2], t.n * sizeof *t.hold[0]);
	trio_free(&t);
}

/* R-CHAIN-4: three pairs claim 1e9 units each in the cut-off side's first
 * block; that side wins the healed partition (the honest twin's majority
 * side wins it), its claims count, and the rule "the longest first" keeps
 * the majority's branch however much the minority claims. */
static void test_R_CHAIN_4_fabricated_traffic_wins_the_fork(void **state)
{
	(void)state;
	static const char *const split = "chain: {partition_at_s: 1200, partition_duration_s: 300, partition_share: 0.25%s}\n";
	static const char *const rule[3] = {"", "", ", fork_choice: length"};
	static const char *const attack[3] = {"attack: {kind: fork, size: 3}\n", "attack: {kind: fork, size: 3, active: false}\n",
	                                      "attack: {kind: fork, size: 3}\n"};
	const uint64_t won[3] = {1, 0, 0};
	for (int k = 0; k < 3; k++) {
		char y[2048], c[256];
		snprintf(c, sizeof c, split, rule[k]);
		snprintf(y, sizeof y, "sim: {model: world, seed: 11, end_time_s: 2400, partitions: 4, sample_interval_s: 10}\n"
		                      "world: {agents: 600, area_km: 0.4}\n%s%s", c, attack[k]);
		attacked x;
		attacked_run(&x, y);
		const world_attack *A = &x.W->at;
		assert_int_equal(x.W->fk.forks, 1);
		assert_int_equal(A->fork_won, won[k]);
		assert_int_equal(A->fork_claimed, k == 1 ? 0 : 3 * UINT64_C(1000000000));
		if (k == 0) /* the claims were applied, and the majority's blocks undone */
			assert_int_equal(A->sessions, 3);
		assert_true(x.W->fk.blocks_dropped > 0);
		attacked_free(&x);
	}
}

/* R-CONS-5 with bought votes: every holder sells its vote to one of two
 * bribers for a day. The bribers are voted for and seated; what they pay
 * goes to their voters only, at most half of what their seats earned, and
 * no honest candidate pays its voters. */
static void test_R_CONS_5_bought_votes_seat_the_bribers(void **state)
{
	(void)state;
	char y[2048];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 11, end_time_s: 86400, partitions: 2, sample_interval_s: 10}\n"
	         "world: {agents: 4000, area_km: 1}\n"
	         "chain: {epoch_blocks: 360, traffic_window_blocks: 360, signatures: keyed}\n"
	         "attack: {kind: bribe, size: 2, bribe_takers: 1, bribe_share: 0.5}\n");
	attacked x;
	attacked_run(&x, y);
	const world *W = x.W;
	const world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	assert_int_equal(A->n_agents, 2);
	double paid = 0;
	for (uint32_t i = 0; i < A->n_agents; i++) {
		dnc_acct b = w_acct(W, A->agents[i]);
		assert_true(dnc_ledger_account(L, b)->votes_received > 0);
		/* (a briber pays once a day, at its hour: if it was seated by then) */
		assert_true(A->det[b].to_voters == A->det[b].sent);
		paid += A->det[b].to_voters;
	}
	assert_true(A->seat_income_base > 0);
	assert_true(paid > 0 && paid <= 0.5 * (double)A->seat_income_base + 1);
	/* nobody else pays its voters */
	for (uint32_t c = 0; c < W->cfg.candidates; c++) {
		uint32_t a = W->dl.cand[c];
		if (!(W->ag.role[a] & W_ATTACKER))
			assert_true(A->det[w_acct(W, a)].to_voters == 0);
	}
	attacked_free(&x);
}

/* R-CONS-5 cartel: three candidates spend the budget on DNET and each
 * votes all it holds for the next: the ring is on chain as votes, each
 * member's stake is everything it held (the purchase shared out), and
 * the ring detector flags the three and no honest candidate (honest
 * candidates vote for themselves, which is no ring). */
static void test_R_CONS_5_cartel_votes_in_a_ring(void **state)
{
	(void)state;
	attacked x;
	attacked_run(&x, "sim: {model: world, seed: 11, end_time_s: 3600, partitions: 2, sample_interval_s: 10}\n"
	                 "world: {agents: 4000, area_km: 1}\n"
	                 "chain: {epoch_blocks: 120, traffic_window_blocks: 120, signatures: keyed}\n"
	                 "attack: {kind: cartel, size: 3, budget_usd: 30000}\n");
	const world *W = x.W;
	const world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	assert_int_equal(A->n_agents, 3);
	assert_true(A->bought_base > 0);
	for (uint32_t i = 0; i < 3; i++) {
		const dnc_account *ac = dnc_ledger_account(L, w_acct(W, A->agents[i]));
		assert_int_equal(dnc_account_voted_for(ac), w_acct(W, A->agents[(i + 1) % 3]));
		assert_true(ac->lock[DNC_LOCK_STAKE] >= A->bought_base / 3);
		assert_true(w_vote_ring(L, w_acct(W, A->agents[i])));
	}
	for (uint32_t c = 0; c < W->cfg.candidates; c++)
		if (!(W->ag.role[W->dl.cand[c]] & W_ATTACKER))
			assert_false(w_vote_ring(L, w_acct(W, W->dl.cand[c])));
	attacked_free(&x);
}

/* R-CONS-5 custody: the exchange keeps what 30 % of the plain holders
 * bought at the sale in two wallets from genesis.
 * Attacking, each wallet votes all it keeps (less the vote's fee) for one
 * of the two least-backed candidates, and both take stake seats; nothing
 * else moves the wallets' DNET. The twin keeps the same customers and the
 * same DNET, votes none of it, and the two hold no seat. */
static void custody_world(attacked *x, bool active)
{
	char y[1024];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 11, end_time_s: 3600, partitions: 2, sample_interval_s: 10}\n"
	         "world: {agents: 4000, area_km: 1}\n"
	         "chain: {epoch_blocks: 120, traffic_window_blocks: 120, signatures: keyed}\n"
	         "attack: {kind: custody, size: 2, custody_share: 0.3, active: %s}\n",
	         active ? "true" : "false");
	attacked_run(x, y);
}

static uint32_t candidate_seats(const world *W, uint32_t a)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->ch.chain);
	uint32_t n = 0;
	for (uint32_t i = 0; i < ds->n; i++)
		n += ds->seat[i].acct == w_acct(W, a) && ds->seat[i].kind == DNC_SEAT_STAKE;
	return n;
}

static void test_R_CONS_5_custodial_stake_takes_seats(void **state)
{
	(void)state;
	attacked x, t;
	custody_world(&x, true);
	custody_world(&t, false);
	const world *W = x.W, *T = t.W;
	const world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain), *LT = dnc_chain_ledger_c(T->ch.chain);
	assert_int_equal(A->n_acct, 2);
	assert_int_equal(A->n_agents, 2);
	assert_true(A->customers > 10);
	/* the same customers and DNET in the twin */
	assert_int_equal(T->at.customers, A->customers);
	assert_int_equal(T->at.custody_base, A->custody_base);
	dn_amount kept = 0;
	for (uint32_t k = 0; k < 2; k++) {
		dnc_acct wk = A->acct0 + k;
		const dnc_account *ac = dnc_ledger_account(L, wk);
		kept += dnc_ledger_holdings(L, wk);
		/* everything but the fee, for its own candidate */
		assert_int_equal(dnc_account_voted_for(ac), w_acct(W, A->agents[k]));
		assert_int_equal(dnc_ledger_balance(L, wk), 0);
		assert_true(ac->lock[DNC_LOCK_STAKE] > 0);
		assert_int_equal(candidate_seats(W, A->agents[k]), 1);
		/* the twin's wallet votes nothing; its candidate holds no seat */
		assert_int_equal(dnc_ledger_account(LT, wk)->lock[DNC_LOCK_STAKE], 0);
		assert_int_equal(candidate_seats(T, T->at.agents[k]), 0);
	}
	assert_int_equal(kept, A->custody_base - A->fees_base);
	assert_int_equal(A->fees_base, 2 * W->cfg.tx_fee_base);
	assert_true(A->seat_income_base > 0);
	assert_int_equal(T->at.seat_income_base, 0);
	attacked_free(&x);
	attacked_free(&t);
}

/* R-SHARE-2 with fake hops: on the line consumer - relay - sharer (50 m
 * apart, Wi-Fi reaching about 55 m) every session is relayed, and the
 * turned relay adds three hops of its own to each open: the relays' half
 * of every payment is split four ways, so each fake hop's account ends
 * with exactly what the real relay earned. */
static void test_R_SHARE_2_fake_hops_take_equal_shares(void **state)
{
	(void)state;
	attacked x;
	attacked_run(&x, "sim: {model: world, seed: 3, end_time_s: 3600, partitions: 1, sample_interval_s: 10}\n"
	                 "world: {agents: 4, layout: line, line_roles: \"CRSD\", candidates: 1, operators: 0,"
	                 " line_spacing_m: 50, fraud_fraction: 0, free_rider_fraction: 0, check_ledger: true}\n"
	                 "sharer: {uptime_mean_h: 100000, downtime_mean_h: 0.01, strategy: fixed, degrade_probability: 0,"
	                 " sell_fraction: 0, leave_ratio: 0}\n"
	                 "relay: {uptime_mean_h: 100000, downtime_mean_h: 0.01}\n"
	                 "consumer: {mib_per_day: 20000, session_mib: 100, diurnal_amplitude: 0, sessions_per_day_max: 1000}\n"
	                 "chain: {delegates: 1}\n"
	                 "attack: {kind: sybil, size: 1, sybils: 3}\n");
	const world *W = x.W;
	const world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	assert_int_equal(A->n_agents, 1);
	assert_int_equal(A->agents[0], 1);
	assert_int_equal(A->n_acct, 3);
	dn_amount relay = dnc_ledger_holdings(L, w_acct(W, 1));
	assert_true(relay > 0);
	for (uint32_t h = 0; h < 3; h++)
		assert_int_equal(dnc_ledger_holdings(L, w_sybil_acct(W, 0, h)), relay);
	attacked_free(&x);
}

/* What the chain applied of the content purchases naming a fake middleman. */
typedef struct fake_obs {
	dn_amount expected; /* R-FWD-2 shares at the fakes' positions */
	uint64_t chains;    /* purchases with fakes */
	int bad;            /* a fake not right after its turned agent */
} fake_obs;

static void fake_hook(void *ctx, const world *W, const wtx *q, dn_time_ns t, dnc_rc rc, const dnc_tx_receipt *r)
{
	fake_obs *o = ctx;
	(void)t;
	if (!r || rc != DNC_OK || q->tx.type != DNC_TX_CONTENT)
		return;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	const world_attack *A = &W->at;
	dnc_fwd_split sp;
	if (dnc_split_forward(dnc_chain_params(W->ch.chain), q->tx.u.content.price, q->tx.u.content.n_middle,
	                      q->tx.u.content.direct, &sp) != DNC_OK)
		return;
	bool any = false;
	for (uint32_t i = 0; i < q->tx.u.content.n_middle; i++) {
		dnc_acct a = dnc_ledger_find(L, &q->tx.u.content.middle[i]);
		if (a < A->acct0 || a >= A->acct0 + A->n_acct)
			continue;
		o->expected += sp.middle[i];
		any = true;
		/* fake h of agent j sits h + 1 places after agent j (or after fake h - 1) */
		uint32_t h = (uint32_t)((a - A->acct0) % W->cfg.attack_sybils), j = (uint32_t)((a - A->acct0) / W->cfg.attack_sybils);
		dnc_acct owner = i >= h + 1 ? dnc_ledger_find(L, &q->tx.u.content.middle[i - h - 1]) : DNC_NONE;
		o->bad |= owner != w_acct(W, A->agents[j]);
	}
	o->chains += any;
}

/* R-FWD-2 with fake middlemen: turned forwarders insert three accounts of
 * their own right after themselves in the purchases of the chains they
 * are on; the fakes' accounts end with exactly the shares R-FWD-2 gives
 * their positions in every purchase the chain applied. */
static void test_R_FWD_2_fake_middlemen_take_their_positions_shares(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *sc = NULL;
	dn_world *w = new_world(reg,
	                        "sim: {model: world, seed: 7, end_time_s: 43200, partitions: 2, sample_interval_s: 10}\n"
	                        "world: {agents: 2000, area_km: 0.7}\n"
	                        "chain: {signatures: keyed}\n"
	                        "content: {enabled: true, creator_fraction: 0.05, purchases_per_agent_per_day: 4,"
	                        " resell_probability: 0.5}\n"
	                        "attack: {kind: middle, size: 400, sybils: 3}\n",
	                        1, &sc);
	world *W = dn_world_model(w);
	fake_obs o = {0};
	W->ch.tx_hook = fake_hook;
	W->ch.tx_hook_ctx = &o;
	run_world(w);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dn_amount got = 0;
	for (uint32_t k = 0; k < W->at.n_acct; k++)
		got += dnc_ledger_holdings(L, W->at.acct0 + k);
	assert_true(o.chains > 0);
	assert_true(o.expected > 0);
	assert_int_equal(got, o.expected);
	assert_false(o.bad);
	dn_world_free(w);
	dn_scenario_free(sc);
	dn_registry_free(reg);
}

/* ---- cheap and withhold ---- */

/* Turned sharers sell at 1 base unit and keep sharing: their price is the
 * attacker's, and they win traffic seats. */
static void test_R_CONS_3_cheap_sharers_price_and_seats(void **state)
{
	(void)state;
	char y[2048];
	snprintf(y, sizeof y, "%sattack: {kind: cheap, size: 3}\n", twin_yaml);
	attacked x;
	attacked_run(&x, y);
	world *W = x.W;
	assert_int_equal(W->at.n_agents, 3);
	for (uint32_t i = 0; i < W->at.n_agents; i++) {
		uint32_t a = W->at.agents[i];
		assert_true(W->ag.role[a] & W_SHARER);
		assert_true(W->ag.role[a] & W_ATTACKER);
		assert_int_equal(W->ag.price_base[a], 1);
		assert_true(W->ag.online[a] & W_ON_SHARING);
	}
	assert_true(W->at.seat_income_base > 0);
	attacked_free(&x);
}

/* Turned delegates skip every slot they are scheduled for: each missed
 * slot of theirs is one withheld, and the producers' other misses are the
 * honest ones (R-CONS-6). */
static void test_R_CONS_6_withholders_skip_their_slots(void **state)
{
	(void)state;
	char y[2048];
	snprintf(y, sizeof y, "%sattack: {kind: withhold, size: 4}\n", twin_yaml);
	attacked x;
	attacked_run(&x, y);
	world *W = x.W;
	const world_attack *A = &W->at;
	uint64_t sched = 0, missed = 0;
	for (uint32_t i = 0; i < A->n_agents; i++) {
		const wdet_acct *d = &A->det[w_acct(W, A->agents[i])];
		sched += d->scheduled;
		missed += d->missed;
		assert_int_equal(d->missed, d->scheduled); /* withhold_share 1 */
	}
	assert_true(sched > 0);
	assert_int_equal(A->withheld, missed);
	assert_true(W->ch.missed >= missed);
	attacked_free(&x);
}

/* ---- the detectors' arithmetic ---- */

static void test_roc_auc_planted_labels(void **state)
{
	(void)state;
	const double up[] = {1, 2, 3, 4, 5, 6};
	const bool top[] = {false, false, false, true, true, true};
	const bool bottom[] = {true, true, true, false, false, false};
	assert_true(w_roc_auc(up, top, 6) == 1.0);
	assert_true(w_roc_auc(up, bottom, 6) == 0.0);
	/* one positive below one negative: 8 of 9 pairs ordered */
	const bool mixed[] = {false, false, true, false, true, true};
	assert_true(fabs(w_roc_auc(up, mixed, 6) - 8.0 / 9.0) < 1e-12);
	/* ties count half */
	const double flat[] = {1, 1, 1, 1};
	const bool half[] = {true, false, true, false};
	assert_true(w_roc_auc(flat, half, 4) == 0.5);
	/* one class only: no curve */
	assert_true(isnan(w_roc_auc(up, (const bool[]){true, true, true, true, true, true}, 6)));
}

/* The ROC curve's steps: on the planted order above (negatives score 1, 2
 * and 4, positives 3, 5 and 6), flagging 5 and up catches two of three
 * positives and no negative; one negative more (4 and up, then 3) catches
 * all three. A tie is one step. */
static void test_roc_curve_planted_labels(void **state)
{
	(void)state;
	const double up[] = {1, 2, 3, 4, 5, 6};
	const bool mixed[] = {false, false, true, false, true, true};
	assert_true(fabs(w_roc_tpr_at(up, mixed, 6, 0) - 2.0 / 3.0) < 1e-12);
	assert_true(fabs(w_roc_tpr_at(up, mixed, 6, 0.3) - 2.0 / 3.0) < 1e-12);
	assert_true(w_roc_tpr_at(up, mixed, 6, 0.34) == 1.0);
	assert_true(w_roc_tpr_at(up, mixed, 6, 1) == 1.0);
	/* shuffled input gives the same curve */
	const double shuf[] = {4, 6, 1, 3, 2, 5};
	const bool shuf_pos[] = {false, true, false, true, false, true};
	assert_true(fabs(w_roc_tpr_at(shuf, shuf_pos, 6, 0.1) - 2.0 / 3.0) < 1e-12);
	const double flat[] = {1, 1, 1, 1};
	const bool half[] = {true, false, true, false};
	assert_true(w_roc_tpr_at(flat, half, 4, 0.4) == 0.0);
	assert_true(w_roc_tpr_at(flat, half, 4, 1.0) == 1.0);
	assert_true(isnan(w_roc_tpr_at(up, (const bool[]){false, false, false, false, false, false}, 6, 0.5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CONS_4_wash_pair_takes_a_seat_for_the_fee),
		cmocka_unit_test(test_R_EMIT_3_wash_seat_blocks_paid_per_epoch),
		cmocka_unit_test(test_R_CONS_4_two_wash_pairs_take_every_traffic_seat),
		cmocka_unit_test(test_R_CONS_1_wallet_funded_pairs_keep_one_seat),
		cmocka_unit_test(test_R_CONS_4_sharer_keeps_its_bond),
		cmocka_unit_test(test_R_CONS_4_min_price_prices_the_pair_out),
		cmocka_unit_test(test_R_ADMIN_1_retracts_on_the_detectors_word),
		cmocka_unit_test(test_attack_twin_is_the_honest_world),
		cmocka_unit_test(test_R_CRED_7_fraud_kind_is_the_worlds_own_fraud),
		cmocka_unit_test(test_R_CHAIN_4_fabricated_traffic_wins_the_fork),
		cmocka_unit_test(test_R_CONS_5_bought_votes_seat_the_bribers),
		cmocka_unit_test(test_R_CONS_5_cartel_votes_in_a_ring),
		cmocka_unit_test(test_R_SHARE_2_fake_hops_take_equal_shares),
		cmocka_unit_test(test_R_FWD_2_fake_middlemen_take_their_positions_shares),
		cmocka_unit_test(test_R_CONS_3_cheap_sharers_price_and_seats),
		cmocka_unit_test(test_R_CONS_6_withholders_skip_their_slots),
		cmocka_unit_test(test_roc_auc_planted_labels),
		cmocka_unit_test(test_roc_curve_planted_labels),
		cmocka_unit_test(test_R_CONS_5_custodial_stake_takes_seats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
