/*
 * test_world_metrics.c: what the world measures for rules section 9,
 * beyond the accumulators of test_metrics.c:
 *  - coverage counts distinct consumers with demand in a block who were
 *    served (by hand on a tile's marks; in a world, against a recount
 *    from the session tables at every block), never above 1, and is not
 *    the request success share;
 *  - R-CHAIN-5's three latencies (grace units, inclusion, finality) are
 *    ordered in every block and finality takes at least chain.confirmations
 *    blocks, beyond the 15 s bound;
 *  - R-FEE-1 fees paid follow chain.tx_fee_dnet;
 *  - every role's USD income is its DNET income times the block's price;
 *  - delegates' income splits into stake and traffic seats exactly, with
 *    no traffic income at lambda = 1;
 *  - R-EMIT-5's ceiling is (1 - E0)(1 - lambda) and the DToken share stays
 *    below it.
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
#include "results.h"
#include "world.h"
#include "world_fixture.h"

/* ---- helpers ---- */

static const char *head =
	"sim: {model: world, seed: 9, end_time_s: 1800, partitions: 2, sample_interval_s: 10}\n"
	"world: {agents: 1500, area_km: 0.6, candidates: 40, operators: 0}\n";

/* ---- rules §9 coverage ---- */

/* A tile of ten consumers (agents 100..109) counted by hand. */
static void test_SPEC9_coverage_distinct_consumers_by_hand(void **state)
{
	(void)state;
	wpart *P = calloc(1, sizeof *P);
	assert_non_null(P);
	P->begin = 100;
	P->end = 110;
	P->cov_stamp = calloc(10, sizeof *P->cov_stamp);
	P->cov_wait = calloc(10, sizeof *P->cov_wait);
	P->cov_waitq.size = sizeof(uint32_t);
	P->sess.size = sizeof(wsess);
	P->cov_block = 1;
	wsess ss[3];
	memset(ss, 0, sizeof ss);
	ss[0].state = S_ACTIVE; /* 102: served all block long, no event */
	ss[0].consumer = 102;
	ss[1].state = S_OPENING; /* 103: its open is on its way */
	ss[1].consumer = 103;
	ss[2].state = S_FINAL; /* 105: done, waiting for its last redeem */
	ss[2].consumer = 105;
	for (int i = 0; i < 3; i++)
		assert_int_equal(wvec_push(&P->sess, &ss[i]), DN_OK);
	/* block 1: 100 asks twice and gets traffic twice; 101 asks and is
	 * refused; 104 waits for the DNET it bought */
	w_cov_mark(P, 100, false);
	w_cov_mark(P, 100, false);
	w_cov_mark(P, 100, true);
	w_cov_mark(P, 100, true);
	w_cov_mark(P, 101, false);
	w_cov_mark(P, 104, false);
	assert_int_equal(w_cov_wait(P, 104, true), DN_OK);
	uint64_t served = 0, demand = 0;
	assert_int_equal(w_cov_close(P, &served, &demand), DN_OK);
	/* demand: 100, 101, 102, 103, 104; served: 100, 102 */
	assert_int_equal(demand, 5);
	assert_int_equal(served, 2);
	/* six request outcomes would have been counted for the same block
	 * (two for 100, one each for 101, 104 and the two opens): the request
	 * share is another number */
	/* block 2: nobody asks; 104 still waits; 102 still served */
	assert_int_equal(w_cov_close(P, &served, &demand), DN_OK);
	assert_int_equal(demand, 3); /* 102, 103, 104 */
	assert_int_equal(served, 1); /* 102 */
	/* block 3: 104's retry fires and its session opens; 103 is gone */
	assert_int_equal(w_cov_wait(P, 104, false), DN_OK);
	w_cov_mark(P, 104, false);
	w_cov_mark(P, 104, true);
	((wsess *)wvec_at(&P->sess, 1))->state = S_FREE;
	assert_int_equal(w_cov_close(P, &served, &demand), DN_OK);
	assert_int_equal(demand, 2); /* 102, 104 */
	assert_int_equal(served, 2);
	assert_int_equal(P->cov_waitq.n, 0); /* 104 left the waiting list */
	/* block 4: a waiting consumer is demand once, however often listed */
	assert_int_equal(w_cov_wait(P, 107, true), DN_OK);
	assert_int_equal(w_cov_wait(P, 107, false), DN_OK);
	assert_int_equal(w_cov_wait(P, 107, true), DN_OK);
	assert_int_equal(w_cov_close(P, &served, &demand), DN_OK);
	assert_int_equal(demand, 2); /* 102, 107 */
	assert_int_equal(served, 1);
	assert_int_equal(P->cov_waitq.n, 1);
	free(P->cov_stamp);
	free(P->cov_wait);
	wvec_free(&P->cov_waitq);
	wvec_free(&P->sess);
	free(P);
}

/* Recount at every block boundary from the tiles' session tables: the
 * consumers with a session being served, and those with one being served
 * or opened. */
#define MAX_BLOCKS 400
typedef struct recount {
	world *W;
	uint64_t active[MAX_BLOCKS], open[MAX_BLOCKS];
	uint8_t seen[MAX_BLOCKS];
} recount;

static void recount_progress(void *ctx, dn_time_ns now, dn_time_ns end, uint64_t events)
{
	(void)end;
	(void)events;
	recount *c = ctx;
	const world *W = c->W;
	if (now % W->cfg.block_ns)
		return;
	uint64_t b = (uint64_t)(now / W->cfg.block_ns);
	if (b >= MAX_BLOCKS)
		return;
	/* distinct consumers: a consumer has at most one session it is served by */
	uint8_t *mark = calloc(W->cfg.n, 1);
	assert_non_null(mark);
	uint64_t act = 0, open = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part((world *)W, i);
		for (size_t k = 0; k < P->sess.n; k++) {
			const wsess *s = wvec_at(&P->sess, k);
			if (s->state != S_ACTIVE && s->state != S_OPENING)
				continue;
			if (!(mark[s->consumer] & 1)) {
				mark[s->consumer] |= 1;
				open++;
			}
			if (s->state == S_ACTIVE && !(mark[s->consumer] & 2)) {
				mark[s->consumer] |= 2;
				act++;
			}
		}
	}
	free(mark);
	c->active[b] = act;
	c->open[b] = open;
	c->seen[b] = 1;
}

/* In a world: coverage = served / with demand, at most 1, at least the
 * share the session tables show at the boundary, and not the request
 * success share. */
static void test_SPEC9_coverage_in_a_world(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char y[1024];
	snprintf(y, sizeof y, "%schain: {delegates: 21, epoch_blocks: 60}\n", head);
	recount *c = calloc(1, sizeof *c);
	assert_non_null(c);
	dn_series_data *sd = NULL;
	size_t n = 0;
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, y, 1, &s);
	c->W = dn_world_model(w);
	run_world_kept(w, recount_progress, c, &sd, &n);
	const dn_series_data *cov = series_named(sd, n, "coverage");
	const dn_series_data *srv = series_named(sd, n, "consumers_served");
	const dn_series_data *dem = series_named(sd, n, "consumers_with_demand");
	const dn_series_data *rss = series_named(sd, n, "request_success_share");
	assert_true(cov->n > 100 && cov->n == srv->n && cov->n == dem->n && cov->n == rss->n);
	uint64_t differ = 0, checked = 0, with_demand = 0;
	for (size_t i = 0; i < cov->n; i++) {
		assert_true(srv->ivalue[i] <= dem->ivalue[i]);
		if (dem->ivalue[i] == 0) {
			assert_true(isnan(cov->value[i]));
			continue;
		}
		with_demand++;
		assert_true(cov->value[i] == (double)srv->ivalue[i] / (double)dem->ivalue[i]);
		assert_true(cov->value[i] >= 0 && cov->value[i] <= 1);
		uint64_t b = (uint64_t)(cov->t_ns[i] / (10 * DN_NS_PER_S));
		if (b < MAX_BLOCKS && c->seen[b]) {
			assert_true((uint64_t)srv->ivalue[i] >= c->active[b]);
			assert_true((uint64_t)dem->ivalue[i] >= c->open[b]);
			checked++;
		}
		/* many consumers are served for many blocks without asking again:
		 * coverage is not the share of this block's requests that opened */
		differ += isnan(rss->value[i]) || rss->value[i] != cov->value[i];
	}
	assert_true(checked > 100);
	assert_true(with_demand > 100);
	assert_true(differ > with_demand / 2);
	dn_series_data_free(sd, n);
	free(c);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- R-CHAIN-5 ---- */

/* Every block: grace <= inclusion <= finality at p50, p99 and max, and
 * finality at least chain.confirmations blocks (beyond the 15 s bound at
 * 10 s blocks and 3 confirmations); the inclusion latency is what
 * service_latency_* measure, for the purchases that became final. */
static void test_R_CHAIN_5_three_latencies_ordered(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const uint32_t confs[2] = {3, 1};
	for (int k = 0; k < 2; k++) {
		char y[1024];
		snprintf(y, sizeof y, "%schain: {delegates: 21, epoch_blocks: 60, confirmations: %u}\n", head, confs[k]);
		dn_series_data *sd = NULL;
		size_t n = 0;
		dn_scenario *s = NULL;
		dn_world *w = new_world(reg, y, 1, &s);
		run_world_kept(w, NULL, NULL, &sd, &n);
		const char *q[3] = {"p50", "p99", "max"};
		const dn_series_data *cnt = series_named(sd, n, "ttfb_purchases");
		const dn_series_data *svcmax = series_named(sd, n, "service_latency_max_ns");
		const dn_series_data *svcn = series_named(sd, n, "service_requests");
		int64_t purchases = 0, served = 0, incl_max = -1, svc_max = -1;
		for (int j = 0; j < 3; j++) {
			char name[64];
			snprintf(name, sizeof name, "ttfb_grace_%s_ns", q[j]);
			const dn_series_data *g = series_named(sd, n, name);
			snprintf(name, sizeof name, "ttfb_inclusion_%s_ns", q[j]);
			const dn_series_data *in = series_named(sd, n, name);
			snprintf(name, sizeof name, "ttfb_final_%s_ns", q[j]);
			const dn_series_data *f = series_named(sd, n, name);
			assert_true(g->n == cnt->n && in->n == cnt->n && f->n == cnt->n);
			for (size_t i = 0; i < cnt->n; i++) {
				if (cnt->ivalue[i] == 0) {
					assert_true(g->ivalue[i] == -1 && in->ivalue[i] == -1 && f->ivalue[i] == -1);
					continue;
				}
				assert_true(0 <= g->ivalue[i]);
				assert_true(g->ivalue[i] <= in->ivalue[i]);
				assert_true(in->ivalue[i] <= f->ivalue[i]);
				assert_true(f->ivalue[i] >= (int64_t)confs[k] * 10 * DN_NS_PER_S);
				if (confs[k] == 3)
					assert_true(f->ivalue[i] > 15 * DN_NS_PER_S); /* never final within R-CHAIN-5's 15 s */
				if (j == 2 && in->ivalue[i] > incl_max)
					incl_max = in->ivalue[i];
			}
		}
		for (size_t i = 0; i < cnt->n; i++) {
			purchases += cnt->ivalue[i];
			served += svcn->ivalue[i];
			if (svcmax->ivalue[i] > svc_max)
				svc_max = svcmax->ivalue[i];
		}
		assert_true(purchases > 50);
		/* the final purchases are among those served, with their latency */
		assert_true(purchases <= served);
		assert_true(incl_max <= svc_max);
		dn_series_data_free(sd, n);
		dn_world_free(w);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

/* ---- R-FEE-1 ---- */

static int64_t last_i(const dn_series_data *x)
{
	assert_true(x->n > 0);
	return x->ivalue[x->n - 1];
}

/* Fees paid: none at chain.tx_fee_dnet 0, the fee for every applied
 * transaction the world signs at a fee, more at a higher fee; the block
 * values add up to the cumulative one. */
static void test_R_FEE_1_fees_paid_follow_tx_fee(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const char *fees[3] = {"0", "0.001", "0.01"};
	int64_t cum[3];
	for (int k = 0; k < 3; k++) {
		char y[1024];
		snprintf(y, sizeof y, "%schain: {delegates: 21, epoch_blocks: 60, tx_fee_dnet: %s}\n", head, fees[k]);
		dn_series_data *sd = NULL;
		size_t n = 0;
		dn_scenario *s = NULL;
		dn_world *w = new_world(reg, y, 1, &s);
		run_world_kept(w, NULL, NULL, &sd, &n);
		const world *W = dn_world_model(w);
		const dn_series_data *f = series_named(sd, n, "tx_fees_base");
		const dn_series_data *fc = series_named(sd, n, "tx_fees_cum_base");
		const dn_series_data *tx = series_named(sd, n, "transactions");
		int64_t sum = 0;
		for (size_t i = 0; i < f->n; i++) {
			sum += f->ivalue[i];
			assert_true(fc->ivalue[i] == sum);
			/* at most the fee of every transaction applied in the block */
			assert_true(f->ivalue[i] <= W->cfg.tx_fee_base * tx->ivalue[i]);
		}
		cum[k] = last_i(fc);
		assert_true(cum[k] == W->ch.tx_fees_base);
		dn_series_data_free(sd, n);
		dn_world_free(w);
		dn_scenario_free(s);
	}
	assert_int_equal(cum[0], 0);
	assert_true(cum[1] > 0);
	assert_true(cum[2] > cum[1]);
	dn_registry_free(reg);
}

/* ---- income in USD, delegates by seat kind, R-EMIT-5's ceiling ---- */

static const char *const roles[] = {"consumer", "sharer", "relay", "delegate", "holder",
                                    "operator", "creator", "forwarder", "trader"};

/*
 * One run per lambda: every role's USD income is its DNET income times
 * the block's dnet_price; the delegates' block income is stake + traffic
 * seats' exactly, with no traffic income at lambda = 1; the candidates'
 * income quantiles are ordered; the DToken share never exceeds
 * (1 - E0)(1 - lambda) nor the worst case bound.
 */
static void test_SPEC9_income_usd_seats_and_R_EMIT_5_ceiling(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const double lambdas[3] = {1.0, 0.5, 0.2};
	for (int k = 0; k < 3; k++) {
		char y[1024];
		snprintf(y, sizeof y, "%schain: {delegates: 21, lambda: %g, epoch_blocks: 60, traffic_window_blocks: 360}\n",
		         head, lambdas[k]);
		dn_series_data *sd = NULL;
		size_t n = 0;
		dn_scenario *s = NULL;
		dn_world *w = new_world(reg, y, 1, &s);
		run_world_kept(w, NULL, NULL, &sd, &n);
		const world *W = dn_world_model(w);
		const dn_series_data *px = series_named(sd, n, "dnet_price");
		for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
			char name[64];
			snprintf(name, sizeof name, "earned_%s_base", roles[r]);
			const dn_series_data *b = series_named(sd, n, name);
			snprintf(name, sizeof name, "earned_%s_usd", roles[r]);
			const dn_series_data *u = series_named(sd, n, name);
			snprintf(name, sizeof name, "earned_cum_%s_usd", roles[r]);
			const dn_series_data *uc = series_named(sd, n, name);
			assert_true(b->n == px->n && u->n == px->n && uc->n == px->n);
			double cum = 0;
			for (size_t i = 0; i < px->n; i++) {
				double want = (double)b->ivalue[i] / 1e8 * px->value[i];
				assert_true(fabs(u->value[i] - want) <= 1e-9 * fmax(1.0, fabs(want)));
				cum += u->value[i];
				assert_true(fabs(uc->value[i] - cum) <= 1e-9 * fmax(1.0, fabs(cum)));
			}
		}
		const dn_series_data *inc = series_named(sd, n, "delegate_income_base");
		const dn_series_data *st = series_named(sd, n, "delegate_income_stake_base");
		const dn_series_data *tr = series_named(sd, n, "delegate_income_traffic_base");
		const dn_series_data *stc = series_named(sd, n, "delegate_income_stake_cum_base");
		const dn_series_data *trc = series_named(sd, n, "delegate_income_traffic_cum_base");
		const dn_series_data *del = series_named(sd, n, "earned_delegate_base");
		const dn_series_data *p10 = series_named(sd, n, "candidate_income_p10_dnet");
		const dn_series_data *p50 = series_named(sd, n, "candidate_income_p50_dnet");
		const dn_series_data *p90 = series_named(sd, n, "candidate_income_p90_dnet");
		const dn_series_data *cd = series_named(sd, n, "candidates_covering_cost_day_price");
		const dn_series_data *cn = series_named(sd, n, "candidates_covering_cost_today_price");
		const dn_series_data *dts = series_named(sd, n, "dtoken_share");
		const dn_series_data *dtb = series_named(sd, n, "dtoken_originated_base");
		const dn_series_data *inb = series_named(sd, n, "initial_originated_base");
		double ceiling = 0, bound = 0;
		w_dtoken_ceiling(&W->cfg.cp, &ceiling, &bound);
		/* R-EMIT-5: E0 = 0.25 by default */
		assert_true(fabs(ceiling - 0.75 * (1 - lambdas[k])) < 1e-12);
		assert_true(bound >= ceiling);
		for (size_t i = 0; i < inc->n; i++) {
			assert_true(st->ivalue[i] + tr->ivalue[i] == inc->ivalue[i]);
			assert_true(inc->ivalue[i] == del->ivalue[i]); /* the role's block income */
			if (lambdas[k] == 1.0)
				assert_int_equal(tr->ivalue[i], 0);
			assert_true(p10->value[i] <= p50->value[i] && p50->value[i] <= p90->value[i]);
			assert_true(isnan(cd->value[i]) || (cd->value[i] >= 0 && cd->value[i] <= 1));
			assert_true(isnan(cn->value[i]) || (cn->value[i] >= 0 && cn->value[i] <= 1));
			assert_true(dts->value[i] <= ceiling);
			assert_true(dts->value[i] <= bound);
			assert_true(dtb->ivalue[i] >= 0 && inb->ivalue[i] > 0);
		}
		assert_true(stc->ivalue[stc->n - 1] + trc->ivalue[trc->n - 1] == W->dl.income_base);
		if (lambdas[k] < 1.0)
			assert_true(trc->ivalue[trc->n - 1] > 0);
		assert_true(stc->ivalue[stc->n - 1] > 0);
		/* the final share, as the summary's dtoken_share_final */
		const dnc_provenance *pv = dnc_chain_provenance(W->ch.chain);
		double fin = (double)pv->traffic_earned / (double)(pv->initial + pv->stake_earned + pv->traffic_earned);
		assert_true(fin == dts->value[dts->n - 1]);
		assert_true(fin <= ceiling);
		dn_series_data_free(sd, n);
		dn_world_free(w);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_SPEC9_coverage_distinct_consumers_by_hand),
		cmocka_unit_test(test_SPEC9_coverage_in_a_world),
		cmocka_unit_test(test_R_CHAIN_5_three_latencies_ordered),
		cmocka_unit_test(test_R_FEE_1_fees_paid_follow_tx_fee),
		cmocka_unit_test(test_SPEC9_income_usd_seats_and_R_EMIT_5_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
