/*
 * world_operator.c: telecom operators and the micro sites they rent
 * (R-RENT-1), once an hour in the block step. An operator keeps a site
 * that earned its rent or is serving, drops one that does not, and rents
 * a new one in a tile where demand went unmet in the last hour (one per
 * tile per hour); every rented site is paid for the coming hour with a
 * signed DNC_TX_RENT, bought DNET first when the operator runs short. A
 * rented site serves as a small cell at operator.price_usd_per_gb; its
 * sessions' redeems pay the owner's node (the distributor that signs
 * them), which sends the hour's takings on to the operator with a signed
 * DNC_TX_TRANSFER at the next hourly review. Not here: the cell's radio
 * (world_relay.c, path rate).
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* Whether site s is rented for the coming hour; re-indexes it as a cell or not. */
static dn_rc review_site(world *W, wpart *P, uint32_t s, uint32_t op, dn_amount rent, bool *rented)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	*rented = false;
	if (A->renter[s]) {
		/* keep a site that earns its rent, or is serving */
		bool keep = A->earned_base[s] >= rent || A->nsess[s] > 0;
		A->earned_base[s] = 0;
		A->price_base[s] = w_unit_price(W, C->operator_price_usd_gb);
		if (!keep) {
			A->renter[s] = 0;
			return w_index_sharer(W, P, s);
		}
		*rented = true;
		return DN_OK;
	}
	/* rent where demand went unmet in the last hour */
	if (P->unmet_last_hour < 3)
		return DN_OK;
	A->renter[s] = op + 1;
	A->price_base[s] = w_unit_price(W, C->operator_price_usd_gb);
	dn_rc rc = w_index_sharer(W, P, s);
	if (rc)
		return rc;
	P->unmet_last_hour = 0; /* one new site per tile per hour */
	*rented = true;
	return DN_OK;
}

/* The hour's rent, a DNC_TX_RENT from the operator to the owner, straight
 * into the mempool (it reaches the producers over the tile's backhaul). */
static dn_rc pay_rent(world *W, dn_time_ns t, unsigned part, uint32_t op, uint32_t s, dn_amount rent)
{
	if (w_balance(W, op) < rent * 2) {
		/* the operator buys DNET for two days of rents */
		dn_rc rc = w_exchange_buy_now(W, op, (int64_t)(dn_usd_micro_of_usd(W->cfg.site_rent_usd_hour) * 48));
		if (rc)
			return rc;
	}
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_RENT;
	tx.u.rent.owner = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), w_acct(W, s));
	tx.u.rent.price_per_period = rent;
	tx.u.rent.periods = 1;
	return w_send_from_block(W, t, part, op, TX_RENT, s, &tx);
}

/* Index of site-owner agent a in the ascending site list (it must be one). */
static uint32_t site_index(const world_operators *O, uint32_t a)
{
	uint32_t i = w_find_sorted(O->sites, O->n_sites, a);
	assert(i != W_NONE);
	return i;
}

void w_site_owes(world *W, uint32_t site, dn_amount base)
{
	assert(base > 0);
	W->ops.owed_base[site_index(&W->ops, site)] += base;
}

/* R-RENT-1: the owner of site i sends what it took for the operator since
 * the last review (no more than it holds now) with a signed transfer. */
static dn_rc sweep_site(world *W, dn_time_ns t, unsigned part, uint32_t i, uint32_t op)
{
	world_operators *O = &W->ops;
	uint32_t s = O->sites[i];
	dn_amount v = O->owed_base[i], bal = w_balance(W, s);
	if (v > bal)
		v = bal;
	if (v <= 0)
		return DN_OK;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.u.transfer.to = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), w_acct(W, op));
	tx.u.transfer.amount = v;
	O->owed_base[i] -= v;
	return w_send_from_block(W, t, part, s, TX_SWEEP, op, &tx);
}

dn_rc w_operators_hour(world *W, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	const world_operators *O = &W->ops;
	if (!C->operators || !O->n_sites)
		return DN_OK;
	dn_amount rent = (dn_amount)llround(dn_base_of_usd(C->site_rent_usd_hour, w_price(W)));
	if (rent < 1)
		rent = 1;
	dn_rc rc = DN_OK;
	for (uint32_t i = 0; i < O->n_sites && !rc; i++) {
		uint32_t s = O->sites[i];
		unsigned part = dn_world_part_of(W->w, W->kind, s);
		wpart *P = w_part(W, part);
		uint32_t op = O->agents[s % C->operators];
		bool rented;
		rc = sweep_site(W, t, part, i, op);
		if (!rc)
			rc = review_site(W, P, s, op, rent, &rented);
		if (!rc && rented)
			rc = pay_rent(W, t, part, op, s, rent);
	}
	if (rc)
		return rc;
	w_pool_sort(W);
	uint64_t n_rented = 0;
	for (uint32_t i = 0; i < O->n_sites; i++)
		n_rented += W->ag.renter[O->sites[i]] != 0;
	for (unsigned i = 0; i < C->nparts; i++)
		w_part(W, i)->sites_rented = 0;
	w_part(W, 0)->sites_rented = n_rented;
	return DN_OK;
}

dn_rc w_rent_settle(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	dn_metrics_part *m = &W->rec.blockm;
	dn_rc rc = DN_OK;
	if (r->fee_paid)
		rc = dn_metrics_spend(m, DN_METRICS_ROLE_OPERATOR, r->fee_paid);
	if (!rc)
		rc = dn_metrics_transfer(m, DN_METRICS_ROLE_OPERATOR, DN_METRICS_ROLE_OPERATOR, r->moved);
	if (!rc)
		rc = w_touch(W, w_acct(W, q->slot));
	return rc ? rc : w_touch(W, w_acct(W, q->agent));
}
