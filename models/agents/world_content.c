/*
 * world_content.c: the world's side of content sales (R-FWD, SPEC 8):
 * the content graph's configuration from the scenario, and the sales
 * content.c proposes at every block of the main chain, paid through the
 * protocol library (dnc_chain_pay_content) plus the recommender's fee (a
 * direct ledger transfer, the one here), recorded as metrics and Gini
 * marks. content.c is the graph and the buyers' behaviour; it does not
 * know the ledger.
 */
#include "world.h"

#include <math.h>

#include "content.h"

void w_content_cfg_read(const dn_scenario *s, dn_content_cfg *cc)
{
	dn_content_cfg_default(cc);
	cc->edges_per_node = (uint32_t)dn_scn_int(s, "content.edges_per_agent");
	cc->creator_ppm = (uint32_t)w_ppm_of(s, "content.creator_fraction");
	cc->recommender_ppm = (uint32_t)w_ppm_of(s, "content.recommender_fraction");
	cc->items_per_creator_per_day = dn_scn_float(s, "content.items_per_creator_per_day");
	cc->purchases_per_agent_per_day = dn_scn_float(s, "content.purchases_per_agent_per_day");
	cc->resell_probability = dn_scn_float(s, "content.resell_probability");
	cc->recommend_probability = dn_scn_float(s, "content.recommend_probability");
	cc->price_min_base = dn_base_of_dnet(dn_scn_float(s, "content.price_min_dnet"));
	cc->price_max_base = dn_base_of_dnet(dn_scn_float(s, "content.price_max_dnet"));
	cc->recommend_fee_ppm = (uint32_t)w_ppm_of(s, "content.recommend_fee");
	cc->block_interval_s = (double)dn_scn_int(s, "chain.block_interval_s");
	cc->max_holdings = (uint32_t)dn_scn_int(s, "content.max_holdings");
}

dn_rc w_content_init(world *W, const dn_scenario *s)
{
	if (!dn_scn_bool(s, "content.enabled"))
		return DN_OK;
	dn_content_cfg cc;
	w_content_cfg_read(s, &cc);
	cc.n = (uint32_t)W->cfg.n;
	cc.seed = W->cfg.seed ^ 0xC0E7E47ULL;
	if (cc.price_max_base < cc.price_min_base) {
		dn_world_set_error(W->w, "content.price_max_dnet is below content.price_min_dnet");
		return DN_ERANGE;
	}
	dn_rc rc = dn_content_new(&cc, &W->ct.graph);
	if (rc) {
		dn_world_set_error(W->w, "content: cannot build the social graph (%s)", dn_rc_str(rc));
		return rc;
	}
	return DN_OK;
}

/* Metrics and Gini marks of a paid sale. */
static dn_rc record_sale(world *W, const dn_content_sale *s, const dnc_fwd_split *sp)
{
	dn_metrics_part *m = &W->rec.blockm;
	dn_rc rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, sp->fee);
	rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_CREATOR, sp->origin);
	for (uint32_t i = 0; i < s->n_middle; i++)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp->middle[i]);
	if (s->seller != s->origin)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp->seller);
	if (s->recommender != DN_CONTENT_NONE && s->recommend_fee > 0)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, s->recommend_fee);
	rc |= w_touch(W, w_acct(W, s->buyer));
	rc |= w_touch(W, w_acct(W, s->origin));
	rc |= w_touch(W, w_acct(W, s->seller));
	for (uint32_t i = 0; i < s->n_middle; i++)
		rc |= w_touch(W, w_acct(W, s->middle[i]));
	if (s->recommender != DN_CONTENT_NONE)
		rc |= w_touch(W, w_acct(W, s->recommender));
	return rc;
}

/* One sale content.c proposes: false if the buyer cannot pay. */
static bool content_sale(void *ctx, const dn_content_sale *s)
{
	world *W = ctx;
	dn_amount need = s->price + s->recommend_fee;
	if (w_balance(W, s->buyer) < need)
		return false;
	dnc_acct mid[DNC_MAX_MIDDLEMEN];
	for (uint32_t i = 0; i < s->n_middle; i++)
		mid[i] = w_acct(W, s->middle[i]);
	dnc_fwd_split sp;
	dnc_rc crc = dnc_chain_pay_content(W->ch.chain, w_acct(W, s->buyer), w_acct(W, s->origin), mid, s->n_middle,
	                                   w_acct(W, s->seller), s->price, &sp);
	if (crc)
		return false;
	if (s->recommend_fee > 0 && s->recommender != DN_CONTENT_NONE) {
		crc = dnc_ledger_transfer(dnc_chain_ledger(W->ch.chain), w_acct(W, s->buyer), w_acct(W, s->recommender),
		                          s->recommend_fee);
		if (crc)
			return true; /* the sale stands; the fee could not be paid */
	}
	if (record_sale(W, s, &sp))
		W->ct.err = true;
	W->ct.sales++;
	W->ct.forwarded += s->n_middle > 0 || s->seller != s->origin;
	return true;
}

dn_rc w_content_block(world *W, uint64_t slot)
{
	W->ct.err = false;
	dn_rc rc = dn_content_block(W->ct.graph, slot, content_sale, W);
	if (!rc && W->ct.err) {
		dn_world_set_error(W->w, "content sale metrics out of range");
		rc = DN_ERANGE;
	}
	return rc;
}
