/*
 * world_delegate.c: delegate candidates, stake holders and the team, and
 * what seats earn (R-CONS-*, R-EMIT-3, R-LOCK-1). In the tiles: holders
 * re-vote once a day for the most reliable of three candidates they hear
 * of (in proportion to campaigns), candidates pay their running cost in
 * USD, sell their earnings and quit when the seat does not pay, the team
 * claims its monthly unlock and sells part of it. In the block step: the
 * election at every epoch, and the bookkeeping around dnc_chain_end_block
 * (each seat's gain, the traffic seats' reward per unit, the delegates'
 * income and cost). Who produces a block, and the block itself, are
 * world_block.c's.
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* ---- in a tile ---- */

/* The candidate a holder hears of, in proportion to the campaigns. */
static uint32_t heard_of(const world *W, dn_rng *r)
{
	const world_delegates *D = &W->dl;
	uint32_t n = W->cfg.candidates;
	double u = dn_rng_u01(r) * D->campaign_cum[n - 1];
	uint32_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (D->campaign_cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return D->cand[lo];
}

/* R-CONS-5: a holder (re-)votes with its stake for the most reliable of
 * three campaigning candidates it hears of. */
dn_rc w_holder_vote(world *W, dn_part *p, uint32_t a, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	dn_rng r;
	w_ev_rng(C, &r, a, P_VOTE, now);
	uint32_t best = W_NONE;
	double best_score = -1;
	for (int k = 0; k < 3; k++) {
		uint32_t c = heard_of(W, &r);
		if (!(W->ag.role[c] & W_CANDIDATE))
			continue;
		double score = (double)W->ag.stab[c] + 40.0 * dn_rng_u01(&r);
		if (score > best_score) {
			best_score = score;
			best = c;
		}
	}
	uint32_t bribed = w_attack_bribed_vote(W, a, now); /* attack.kind bribe: a sold vote */
	if (bribed != W_NONE)
		best = bribed;
	if (best == W_NONE || best == a || W->ag.inflight[a])
		return DN_OK;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	const dnc_account *ac = dnc_ledger_account(L, w_acct(W, a));
	dn_amount have = dnc_ledger_balance(L, w_acct(W, a)) + (ac ? ac->lock[DNC_LOCK_STAKE] : 0);
	dn_amount v = (dn_amount)((double)have * C->vote_fraction);
	if (v <= 0)
		return DN_OK;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_VOTE;
	tx.u.vote.candidate = *dnc_ledger_pk(L, w_acct(W, best));
	tx.u.vote.amount = v;
	return w_submit(W, p, a, TX_VOTE, 0, 0, &tx, 0);
}

/* An agent's index among the candidates, W_NONE for one that is not one. */
static uint32_t cand_index(const world *W, uint32_t a)
{
	return w_find_sorted(W->dl.cand, W->cfg.candidates, a);
}

/* A candidate's campaign spending (0 for an agent that is not one). */
static double campaign_of(const world *W, uint32_t a)
{
	uint32_t i = cand_index(W, a);
	return i == W_NONE ? 0 : W->dl.campaign_usd_day[i];
}

/* Once a day: running cost, paid in USD (upkeep, energy, storage of the
 * whole chain so far, R-CHAIN-2, campaign); earnings sold to cover it. */
dn_rc w_candidate_day(world *W, dn_part *p, wpart *P, uint32_t a)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	double cost_usd = C->candidate_cost_usd_day + C->energy_kwh_day * C->usd_per_kwh +
	                  dn_gb_of_bytes((double)W->ch.chain_bytes) * C->storage_usd_gb_month / 30.0 + campaign_of(W, a);
	int64_t cost = (int64_t)llround(dn_usd_micro_of_usd(cost_usd));
	A->usd_micro[a] -= cost;
	P->del_cost_usd_micro += (uint64_t)cost;
	/* rules §9: per candidate, for income against cost (each candidate is
	 * one tile's: the tiles write different elements) */
	uint32_t ci = cand_index(W, a);
	if (ci != W_NONE && W->dl.cand_cost_usd_micro)
		W->dl.cand_cost_usd_micro[ci] += cost;
	double income_usd = dn_usd_of_base((double)A->earned_base[a], w_price(W));
	dn_amount bribes = 0;
	if (A->earned_base[a] > 0 && w_attacking(W, a) && C->attack_kind == W_ATTACK_BRIBE) {
		dn_rc rc = w_attack_bribe_pay(W, p, a, A->earned_base[a], &bribes);
		if (rc)
			return rc;
	}
	dn_amount sell = (dn_amount)((double)(A->earned_base[a] - bribes) * C->candidate_sell_fraction);
	A->earned_base[a] = 0;
	dn_amount bal = w_balance(W, a);
	if (sell > bal)
		sell = bal;
	/* a candidate whose node does not pay stops campaigning */
	if (income_usd < C->candidate_quit_ratio * cost_usd && A->usd_micro[a] < 0) {
		/* applied by the block step: other tiles' holders read the roles */
		dn_rc rc = wvec_push(&P->quits, &a);
		if (rc)
			return rc;
	}
	return w_order_sell(p, a, sell, DN_METRICS_ROLE_DELEGATE);
}

/* R-LOCK-1: the team claims what has unlocked. */
dn_rc w_team_unlock(world *W, dn_part *p, uint32_t a)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TEAM_UNLOCK;
	return w_submit(W, p, a, TX_UNLOCK, 0, 0, &tx, 0);
}

/* ... and sells world.team_sell_fraction of what the receipt says was unlocked. */
dn_rc w_team_receipt(world *W, dn_part *p, const wrcpt *c)
{
	if (c->rc != DNC_OK)
		return DN_OK;
	return w_order_sell(p, c->agent, (dn_amount)((double)c->moved_base * W->cfg.team_sell_fraction),
	                    DN_METRICS_ROLE_HOLDER);
}

/* ---- in the block step ---- */

dn_rc w_new_epoch_if_due(world *W, uint64_t slot)
{
	uint64_t e = slot / W->cfg.cp.epoch_blocks;
	if (e == W->ch.epoch)
		return DN_OK;
	const dnc_delegate_set *old = dnc_chain_delegates(W->ch.chain);
	if (W->cfg.cp.seat_payout == DNC_PAYOUT_EPOCH && old) {
		/* the outgoing seats are paid their epoch (the election would
		 * pay them too, unseen by the seats' accounting) */
		dn_amount before, seat_before[DNC_MAX_DELEGATES];
		dnc_block_summary sum;
		w_seats_before(W, old, W_ALL_SEATS, seat_before, &before);
		dnc_rc prc = dnc_chain_pay_seats(W->ch.chain, &sum);
		if (prc)
			return w_block_fail(W, "paying the seats", prc);
		dn_rc rc = w_seats_paid(W, old, W_ALL_SEATS, seat_before, before, &sum, true);
		if (rc)
			return rc;
		W->dl.blocks_at_payout = W->ch.blocks;
	}
	/* (after the payout: seat_firsts keys the outgoing set by the epoch) */
	W->ch.epoch = e;
	dnc_rc crc = dnc_chain_new_epoch(W->ch.chain, e, &W->ch.last_hash, &W->ch.sched);
	if (crc && crc != DNC_ENOTFOUND)
		return w_block_fail(W, "election", crc);
	const dnc_delegate_set *ds = dnc_chain_delegates(W->ch.chain);
	W->dl.seats_traffic_held = ds->n_kind[DNC_SEAT_VOLUME] + ds->n_kind[DNC_SEAT_QUALITY];
	return DN_OK;
}

/* rules §9: a candidate's seat income, in DNET and at the price of now. */
static void cand_earned(world *W, uint32_t a, dn_amount gain)
{
	uint32_t ci = cand_index(W, a);
	if (ci == W_NONE || !W->dl.cand_income_base)
		return;
	W->dl.cand_income_base[ci] += gain;
	W->dl.cand_income_usd[ci] += dn_usd_of_base((double)gain, w_price(W));
}

/* Which seats are their account's first in the set in force, and each
 * account's seats in a list (once an epoch). */
static const uint8_t *seat_firsts(world *W, const dnc_delegate_set *ds)
{
	world_delegates *D = &W->dl;
	if (!D->seat_first_valid || D->seat_first_epoch != W->ch.epoch) {
		for (uint32_t i = 0; i < ds->n; i++) {
			uint32_t j = 0;
			while (j < i && ds->seat[j].acct != ds->seat[i].acct)
				j++;
			D->seat_first[i] = j == i;
			D->seat_head[i] = (uint16_t)j;
			D->seat_next[i] = (uint16_t)ds->n;
			if (j < i) { /* append i to its account's list */
				while (D->seat_next[j] != ds->n)
					j = D->seat_next[j];
				D->seat_next[j] = (uint16_t)i;
			}
		}
		D->seat_first_valid = true;
		D->seat_first_epoch = W->ch.epoch;
	}
	return D->seat_first;
}

/* The seats w_seats_before and w_seats_paid visit, in index order: every
 * seat, or only's account's seats through its list. */
static uint32_t seat_begin(const world *W, uint32_t only)
{
	return only == W_ALL_SEATS ? 0 : W->dl.seat_head[only];
}

static uint32_t seat_after(const world *W, uint32_t only, uint32_t i)
{
	return only == W_ALL_SEATS ? i + 1 : W->dl.seat_next[i];
}

void w_seats_before(world *W, const dnc_delegate_set *ds, uint32_t only, dn_amount *seat_before,
                    dn_amount *before)
{
	assert(only == W_ALL_SEATS || only < ds->n);
	(void)seat_firsts(W, ds);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	*before = 0;
	for (uint32_t i = seat_begin(W, only); i < ds->n; i = seat_after(W, only, i)) {
		assert(only == W_ALL_SEATS || ds->seat[i].acct == ds->seat[only].acct);
		seat_before[i] = dnc_ledger_balance(L, ds->seat[i].acct);
		*before += seat_before[i];
	}
}

dn_rc w_seats_paid(world *W, const dnc_delegate_set *ds, uint32_t only, const dn_amount *seat_before,
                   dn_amount before, const dnc_block_summary *sum, bool payout)
{
	const uint8_t *first = seat_firsts(W, ds);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	world_delegates *D = &W->dl;
	dn_amount after = 0, by_stake = 0, by_traffic = 0;
	/* what sharers count on per block (w_reward_average): under an
	 * epoch's payout, the traffic seats' part of what the block put in
	 * the pot, not the payout */
	D->traffic_reward_block_base += sum->accrued_by_kind[DNC_SEAT_VOLUME] + sum->accrued_by_kind[DNC_SEAT_QUALITY];
	for (uint32_t i = seat_begin(W, only); i < ds->n; i = seat_after(W, only, i)) {
		dnc_acct acct = ds->seat[i].acct;
		dn_amount b = dnc_ledger_balance(L, acct);
		after += b;
		/* rules §9: delegates' income by seat kind (R-CONS-2,3) */
		if (ds->seat[i].kind == DNC_SEAT_STAKE)
			by_stake += b - seat_before[i];
		else
			by_traffic += b - seat_before[i];
		/* what the seat's agent earned, for its daily review (an agent
		 * holding several seats is credited once per seat's gain) */
		if (ds->seat[i].kind != DNC_SEAT_STAKE && b > seat_before[i] && !payout)
			D->traffic_reward_block_base += b - seat_before[i];
		/* seat-blocks: this block's, or, paid per epoch, the blocks the
		 * payout covers (a producer's own 5 % is not a seat-block then) */
		if (b > seat_before[i] && first[i])
			w_attack_seat_gain(W, acct, b - seat_before[i],
			                   payout ? W->ch.blocks - D->blocks_at_payout : only == W_ALL_SEATS);
		if (acct >= W->ch.acct0 && acct < W->ch.acct0 + W->cfg.n && b > seat_before[i]) {
			if (first[i]) {
				W->ag.earned_base[acct - W->ch.acct0] += b - seat_before[i];
				cand_earned(W, (uint32_t)(acct - W->ch.acct0), b - seat_before[i]);
			}
		}
	}
	/* the delegates' gain, and what went to the pools' holders */
	dn_amount dgain = after - before;
	dn_amount total = sum->paid_out;
	dn_rc rc = dn_metrics_earn(&W->rec.blockm, DN_METRICS_ROLE_DELEGATE, dgain);
	if (!rc && total > dgain)
		rc = dn_metrics_earn(&W->rec.blockm, DN_METRICS_ROLE_HOLDER, total - dgain);
	D->income_base += dgain;
	D->income_stake_base += by_stake;
	D->income_traffic_base += by_traffic;
	for (uint32_t i = seat_begin(W, only); i < ds->n && !rc; i = seat_after(W, only, i))
		rc = w_touch(W, ds->seat[i].acct);
	return rc;
}

/* A day-long average of the traffic seats' income per unit (what sharers
 * count on, world_sharer.c), after a block of the main chain. */
void w_reward_average(world *W, uint64_t traffic)
{
	world_delegates *D = &W->dl;
	double blocks_day = DN_UNITS_S_PER_DAY / (double)W->cfg.cp.block_interval_s;
	if (traffic > 0) {
		double rpu = (double)D->traffic_reward_block_base / (double)traffic;
		D->reward_per_unit_base += (rpu - D->reward_per_unit_base) / blocks_day;
	}
	D->traffic_reward_block_base = 0;
}

/* Candidates' running costs (paid in the tiles), and those who quit. */
void w_delegates_collect(world *W)
{
	uint64_t cost = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		cost += P->del_cost_usd_micro;
		for (size_t k = 0; k < P->quits.n; k++)
			W->ag.role[*(uint32_t *)wvec_at(&P->quits, k)] &= (uint16_t)~W_CANDIDATE;
		P->quits.n = 0;
	}
	W->dl.cost_usd_micro = cost;
}
