/*
 * world_gov.c: scheduled changes of the economic arrangement, each voted
 * through the chain's governance (R-GOV-1, R-EMIT-4). A scenario names up
 * to W_GOV_CHANGES changes (gov.change1 ... gov.change4): a parameter, its
 * new value, when the proposal is sent and the share of the stakers who
 * vote for it. At that time the largest staker proposes it; every agent
 * with stake votes in the next block (yes with the given probability,
 * from its own random stream); the library tallies the vote when the
 * voting period ends and enacts the change only with more than
 * chain.gov_threshold of all voting weight. Passed, failed or refused,
 * the outcome is recorded (gov_* series, gov_changeN_* summary values).
 */
#include "world.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the scenario's changes ---- */

static const char *const param_names[] = {
	[W_GOVP_NONE] = "none",
	[W_GOVP_COMMUNITY_FEE] = "chain.community_fee",
	[W_GOVP_LAMBDA] = "chain.lambda",
	[W_GOVP_PRODUCER] = "chain.producer_share",
	[W_GOVP_YEARS] = "chain.emission_years",
	[W_GOVP_DELTA] = "chain.delta",
	[W_GOVP_ADMIN] = "admin.enabled",
};

void w_gov_read(world_cfg *C, const dn_scenario *s)
{
	char key[64];
	for (int k = 0; k < W_GOV_CHANGES; k++) {
		wgov_change *g = &C->gov[k];
		snprintf(key, sizeof key, "gov.change%d.param", k + 1);
		const char *name = dn_scn_str(s, key);
		g->param = W_GOVP_NONE;
		for (int i = 0; i <= W_GOVP_ADMIN; i++)
			if (!strcmp(name, param_names[i]))
				g->param = i;
		snprintf(key, sizeof key, "gov.change%d.value", k + 1);
		g->value = dn_scn_float(s, key);
		snprintf(key, sizeof key, "gov.change%d.at_s", k + 1);
		double at = dn_scn_float(s, key);
		g->at_ns = at < 0 ? -1 : dn_ns_of_s(at);
		snprintf(key, sizeof key, "gov.change%d.support", k + 1);
		g->support = dn_scn_float(s, key);
	}
}

/* The value a proposal carries, in the chain's unit; DN_ERANGE with a
 * reason if the scenario's value cannot be proposed. */
static dn_rc chain_value(const world_cfg *C, const wgov_change *g, int64_t *v, const char **why)
{
	switch (g->param) {
	case W_GOVP_COMMUNITY_FEE:
		*v = (int64_t)dn_ppm_of_share(g->value);
		*why = "a share between 0 and 0.005 (R-FEE-2)";
		return g->value >= 0 && *v <= (int64_t)DNC_FEE_MAX_PPM ? DN_OK : DN_ERANGE;
	case W_GOVP_LAMBDA:
	case W_GOVP_PRODUCER:
		*v = (int64_t)dn_ppm_of_share(g->value);
		*why = "a share between 0 and 1";
		return g->value >= 0 && g->value <= 1 ? DN_OK : DN_ERANGE;
	case W_GOVP_YEARS:
		/* the emission's new end: whole years from genesis */
		*why = "a whole number of years from genesis, at least 1";
		*v = (int64_t)g->value * (int64_t)dnc_blocks_per_year(C->cp.block_interval_s);
		return g->value >= 1 && g->value <= 1000 && g->value == floor(g->value) ? DN_OK : DN_ERANGE;
	case W_GOVP_DELTA:
		*v = 0; /* the end height follows from what is left when it is sent */
		*why = "a reward per block as a share of the supply, above 0 and at most 1e-3";
		return g->value > 0 && g->value <= 1e-3 ? DN_OK : DN_ERANGE;
	case W_GOVP_ADMIN:
		*v = g->value != 0;
		*why = "0 (retracts forbidden) or 1 (allowed)";
		return g->value == 0 || g->value == 1 ? DN_OK : DN_ERANGE;
	default:
		*v = 0;
		*why = "";
		return DN_OK;
	}
}

dn_rc w_gov_check(world *W, const dn_scenario *s)
{
	char key[64], at[300];
	for (int k = 0; k < W_GOV_CHANGES; k++) {
		const wgov_change *g = &W->cfg.gov[k];
		int64_t v;
		const char *why;
		if (g->param == W_GOVP_NONE)
			continue;
		if (chain_value(&W->cfg, g, &v, &why)) {
			snprintf(key, sizeof key, "gov.change%d.value", k + 1);
			dn_world_set_error(W->w, "%s%s is %g, but %s takes %s (R-GOV-1)", w_param_where(s, key, at, sizeof at),
			                   key, g->value, param_names[g->param], why);
			return DN_ERANGE;
		}
		if (g->at_ns < 0) {
			snprintf(key, sizeof key, "gov.change%d.at_s", k + 1);
			dn_world_set_error(W->w, "%sgov.change%d changes %s but %s is not set: say when it is proposed",
			                   w_param_where(s, key, at, sizeof at), k + 1, param_names[g->param], key);
			return DN_EINVAL;
		}
	}
	return DN_OK;
}

/* ---- in the block step ---- */

static unsigned part_of(const world *W, uint32_t a)
{
	return dn_world_part_of(W->w, W->kind, a);
}

static dn_amount stake_of(const world *W, uint32_t a)
{
	return dnc_ledger_account(dnc_chain_ledger_c(W->ch.chain), w_acct(W, a))->lock[DNC_LOCK_STAKE];
}

/* R-GOV-1: only voting weight may propose: the largest staker does
 * (lowest id on a tie). W_NONE if nobody stakes. */
static uint32_t proposer(const world *W)
{
	uint32_t best = W_NONE;
	dn_amount most = 0;
	for (uint32_t a = 0; a < W->cfg.n; a++) {
		dn_amount v = stake_of(W, a);
		if (v > most) {
			most = v;
			best = a;
		}
	}
	return best;
}

/* chain.delta: the end height at which the emission left when the vote
 * ends, released flat, pays delta x supply a block. */
static int64_t delta_end_height(const world *W, const wgov_change *g)
{
	const dnc_params *p = dnc_chain_params(W->ch.chain);
	uint64_t end_vote = dnc_chain_height(W->ch.chain) + p->gov_voting_blocks;
	dn_amount left = dnc_ledger_unminted(dnc_chain_ledger_c(W->ch.chain));
	/* what the current schedule releases until the vote ends */
	dn_amount during = dnc_chain_emission(W->ch.chain)->block_reward * (dn_amount)p->gov_voting_blocks;
	left = left > during ? left - during : 0;
	double per_block = g->value * (double)p->supply_base;
	return (int64_t)(end_vote + 1 + (uint64_t)ceil((double)left / per_block));
}

static dn_rc send_proposal(world *W, dn_time_ns t, int k)
{
	const wgov_change *g = &W->cfg.gov[k];
	wgov_state *st = &W->gv.c[k];
	uint32_t a = proposer(W);
	const char *why;
	(void)chain_value(&W->cfg, g, &st->chain_value, &why);
	if (g->param == W_GOVP_DELTA)
		st->chain_value = delta_end_height(W, g);
	if (a == W_NONE) {
		st->stage = W_GOV_REFUSED;
		st->refused_rc = DNC_EUNAUTHORIZED;
		return DN_OK;
	}
	static const uint32_t chain_param[] = {
		[W_GOVP_COMMUNITY_FEE] = DNC_GOVP_COMMUNITY_FEE_PPM, [W_GOVP_LAMBDA] = DNC_GOVP_LAMBDA_PPM,
		[W_GOVP_PRODUCER] = DNC_GOVP_PRODUCER_PPM,           [W_GOVP_YEARS] = DNC_GOVP_EMISSION_END_HEIGHT,
		[W_GOVP_DELTA] = DNC_GOVP_EMISSION_END_HEIGHT,       [W_GOVP_ADMIN] = DNC_GOVP_ADMIN_ENABLED,
	};
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_GOV_PROPOSE;
	tx.u.gov_propose.param = chain_param[g->param];
	tx.u.gov_propose.value = st->chain_value;
	st->stage = W_GOV_SENT;
	return w_send_from_block(W, t, part_of(W, a), a, TX_GOV, (uint32_t)k, &tx);
}

/* Every staker votes once, yes with the change's support. */
static dn_rc send_votes(world *W, dn_time_ns t, int k)
{
	wgov_state *st = &W->gv.c[k];
	for (uint32_t a = 0; a < W->cfg.n; a++) {
		if (stake_of(W, a) <= 0)
			continue;
		dn_rng r;
		dn_rng_init(&r, W->cfg.seed, a, P_GOV_VOTE, (uint64_t)k);
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_GOV_VOTE;
		tx.u.gov_vote.proposal_id = st->id;
		tx.u.gov_vote.yes = dn_rng_u01(&r) < W->cfg.gov[k].support;
		dn_rc rc = w_send_from_block(W, t, part_of(W, a), a, TX_GOV, (uint32_t)k, &tx);
		if (rc)
			return rc;
		st->votes_sent++;
	}
	return DN_OK;
}

/* A proposal's or a vote's receipt (apply_one). */
void w_gov_receipt(world *W, const wtx *q, dnc_rc crc, const dnc_tx_receipt *r)
{
	wgov_state *st = &W->gv.c[q->slot < W_GOV_CHANGES ? q->slot : 0];
	if (q->tx.type == DNC_TX_GOV_PROPOSE) {
		if (crc == DNC_OK) {
			st->id = r->created_id;
			st->stage = W_GOV_VOTING;
		} else {
			st->stage = W_GOV_REFUSED;
			st->refused_rc = (int32_t)crc;
		}
	} else if (crc != DNC_OK) {
		st->votes_refused++;
	}
}

/* After each block: proposals due, votes for proposals just opened,
 * tallies of votes that ended. */
dn_rc w_gov_block(world *W, dn_time_ns t)
{
	for (int k = 0; k < W_GOV_CHANGES; k++) {
		const wgov_change *g = &W->cfg.gov[k];
		wgov_state *st = &W->gv.c[k];
		dn_rc rc = DN_OK;
		if (g->param == W_GOVP_NONE)
			continue;
		if (st->stage == W_GOV_WAITING && t >= g->at_ns)
			rc = send_proposal(W, t, k);
		else if (st->stage == W_GOV_VOTING && st->votes_sent == 0)
			rc = send_votes(W, t, k);
		if (rc)
			return rc;
		if (st->stage != W_GOV_VOTING || st->tally_ns >= 0)
			continue;
		const dnc_proposal *pr = dnc_chain_proposal(W->ch.chain, st->id);
		if (!pr || pr->state == 1)
			continue;
		st->stage = pr->state == 2 ? W_GOV_PASSED : W_GOV_FAILED;
		st->yes = pr->yes_weight;
		st->no = pr->no_weight;
		st->all = dnc_ledger_locked_total(dnc_chain_ledger_c(W->ch.chain), DNC_LOCK_STAKE);
		st->tally_ns = t;
		if (st->stage == W_GOV_PASSED)
			W->gv.passed++;
		else
			W->gv.failed++;
	}
	return DN_OK;
}

void w_gov_init(world *W)
{
	memset(&W->gv, 0, sizeof W->gv);
	for (int k = 0; k < W_GOV_CHANGES; k++)
		W->gv.c[k].tally_ns = -1;
}

/* ---- the summary ---- */

dn_rc w_gov_summary(const world *W, dn_results *r)
{
	dn_rc rc = DN_OK;
	char name[64], doc[200];
	for (int k = 0; k < W_GOV_CHANGES && !rc; k++) {
		const wgov_change *g = &W->cfg.gov[k];
		const wgov_state *st = &W->gv.c[k];
		if (g->param == W_GOVP_NONE)
			continue;
		int64_t outcome = st->stage == W_GOV_PASSED ? 1 : st->stage == W_GOV_FAILED ? 0 : st->stage == W_GOV_REFUSED ? -1 : -2;
		snprintf(name, sizeof name, "gov_change%d_outcome", k + 1);
		snprintf(doc, sizeof doc, "R-GOV-1 the vote on %s: 1 passed, 0 failed, -1 proposal refused, -2 not tallied by the end",
		         param_names[g->param]);
		rc = dn_results_summary_i64(r, name, outcome, "1", doc);
		if (!rc) {
			snprintf(name, sizeof name, "gov_change%d_yes_share", k + 1);
			rc = dn_results_summary_f64(r, name, st->all > 0 ? (double)st->yes / (double)st->all : NAN, "1",
			                            "yes weight over all voting weight at the tally (NaN: not tallied)");
		}
		if (!rc) {
			snprintf(name, sizeof name, "gov_change%d_tally_ns", k + 1);
			rc = dn_results_summary_i64(r, name, st->tally_ns, "ns", "when the vote was tallied (-1: never)");
		}
		if (!rc) {
			snprintf(name, sizeof name, "gov_change%d_chain_value", k + 1);
			rc = dn_results_summary_i64(r, name, st->chain_value, "chain unit",
			                            "what the proposal carried: ppm for shares, the emission's end height for "
			                            "chain.emission_years and chain.delta, 0/1 for admin.enabled");
		}
		if (!rc) {
			snprintf(name, sizeof name, "gov_change%d_refused_rc", k + 1);
			rc = dn_results_summary_i64(r, name, st->refused_rc, "1",
			                            "the chain's reason code when the proposal was refused (0: it was not)");
		}
	}
	return rc;
}
