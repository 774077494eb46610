/*
 * world_attack.c: the attacker in the world (attack.kind), what it pays
 * and earns, and the detectors that watch the chain for it
 * (docs/attacks.md).
 *
 * - wash: attack.size Sybil pairs of the attacker's own accounts, added to
 *   the ledger after the exchange's. Each pair's consumer opens a session
 *   with the pair's distributor at attack.price_base, signs one credential
 *   for attack.units, the distributor redeems it and closes the session:
 *   three signed transactions through the protocol library, like any
 *   consumer's. The deposit comes back; the community fee (R-FEE-2) and
 *   the transactions' fees are the cost; the traffic seats the scores buy
 *   (R-CONS-3/4) are the income. Its DNET comes from attack.budget_usd
 *   spent on the exchange when it starts.
 * - fork: pairs as wash, whose sessions opened before a network partition
 *   redeem everything on the cut-off side, so that R-CHAIN-4 keeps it.
 * - cheap: the first attack.size sharers sell at attack.price_base and
 *   keep sharing, for the quality seats' price ingredient (R-CONS-3).
 * - withhold: the attack.size best-backed stake candidates skip
 *   attack.withhold_share of the slots they are scheduled for (R-CONS-6).
 * - fraud: the world's own forgers and free riders (R-CRED-5,7), labelled.
 * - bribe: the least-backed candidates pay their voters part of their
 *   seats' income; a share of the holders sells its vote (R-CONS-5).
 * - cartel: the least-backed candidates buy DNET and vote it for each
 *   other in a ring (R-CONS-5).
 * - sybil, middle: turned relays (forwarders) add identities of their own
 *   to the relay paths (forwarding chains) they are on (R-SHARE-2, R-FWD-2).
 * - custody: an exchange keeps what a share of the plain holders bought
 *   at the sale in attack.size wallets of its own from genesis; when the
 *   attack starts each wallet votes all it keeps for one of the
 *   least-backed candidates (R-CONS-5), as exchanges did in the 2020
 *   Steem takeover. Its twin keeps the same DNET without voting it.
 *
 * With attack.active false the same identities exist (the same accounts,
 * the same agents marked W_ATTACKER) and act honestly: that run is the
 * attack's paired honest twin under the same seed. Nothing here draws from
 * an honest agent's random streams.
 *
 * Detectors see only what a node sees on chain: session opens, redeems
 * and closes (times, prices, units, relays), refused transactions,
 * transfers and votes, purchases' middlemen, and the producer schedule's
 * missed slots.
 * The world knows who attacks; the summary scores each detector against
 * that truth (true and false positive rates at its threshold, and the area
 * under its ROC curve).
 */
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A wash pair's session. */
enum { WA_IDLE = 0, WA_OPENING, WA_OPEN, WA_REDEEMING, WA_CLOSING };

/* The market's name for the attacker as a taker (no agent has it). */
#define WA_MARKET_OWNER (DN_MARKET_OWNER_OUTSIDE - 1)

/* chain.score_cap_link: the traffic units an uplink of up_bps carries in one score window. */
uint64_t w_score_cap_units(const world_cfg *C, double up_bps)
{
	double bytes = up_bps / 8.0 * (double)C->cp.traffic_window_blocks * (double)C->cp.block_interval_s;
	return (uint64_t)fmax(1.0, floor(bytes / (double)C->cp.unit_bytes));
}

void w_attack_read(world_cfg *C, const dn_scenario *s)
{
	const char *k = dn_scn_str(s, "attack.kind");
	C->attack_kind = !strcmp(k, "wash") ? W_ATTACK_WASH
	                 : !strcmp(k, "cheap") ? W_ATTACK_CHEAP
	                 : !strcmp(k, "withhold") ? W_ATTACK_WITHHOLD
	                 : !strcmp(k, "fraud")    ? W_ATTACK_FRAUD
	                 : !strcmp(k, "fork")     ? W_ATTACK_FORK
	                 : !strcmp(k, "bribe")    ? W_ATTACK_BRIBE
	                 : !strcmp(k, "cartel")   ? W_ATTACK_CARTEL
	                 : !strcmp(k, "sybil")    ? W_ATTACK_SYBIL
	                 : !strcmp(k, "middle")   ? W_ATTACK_MIDDLE
	                 : !strcmp(k, "custody")  ? W_ATTACK_CUSTODY
	                                          : W_ATTACK_NONE;
	C->attack_on = C->attack_kind != W_ATTACK_NONE && dn_scn_bool(s, "attack.active");
	C->attack_start_ns = dn_ns_of_s(dn_scn_float(s, "attack.start_s"));
	C->attack_pairs = (uint32_t)dn_scn_int(s, "attack.size");
	C->attack_units = (uint64_t)dn_scn_int(s, "attack.units");
	C->cp.score_min_price_base = (dn_amount)dn_scn_int(s, "chain.score_min_price_base");
	C->cp.score_cap_units = (uint64_t)dn_scn_int(s, "chain.score_cap_units");
	C->cp.score_bond_base = (dn_amount)llround(dn_base_of_dnet(dn_scn_float(s, "chain.score_bond_dnet")));
	C->cp.seat_cluster_max = (uint32_t)dn_scn_int(s, "chain.seat_cluster_max");
	C->attack_fund_wallet = !strcmp(dn_scn_str(s, "attack.fund_from"), "wallet");
	/* chain.score_cap_link: set with the access links (w_derive_radio) */
	/* a rational attacker pays the least price that still counts */
	C->attack_price_base = (dn_amount)dn_scn_int(s, "attack.price_base");
	if (C->attack_price_base < C->cp.score_min_price_base)
		C->attack_price_base = C->cp.score_min_price_base;
	C->attack_sessions_day = dn_scn_float(s, "attack.sessions_per_day");
	C->fork_by_length = !strcmp(dn_scn_str(s, "chain.fork_choice"), "length");
	C->attack_rate_bps = dn_scn_float(s, "attack.rate_mbps") * 1e6;
	C->attack_budget_usd = dn_scn_float(s, "attack.budget_usd");
	C->attack_node_usd_day = dn_scn_float(s, "attack.node_usd_per_day");
	C->attack_withhold = dn_scn_float(s, "attack.withhold_share");
	C->attack_bribe_share = dn_scn_float(s, "attack.bribe_share");
	C->attack_bribe_takers = dn_scn_float(s, "attack.bribe_takers");
	C->attack_sybils = (uint32_t)dn_scn_int(s, "attack.sybils");
	C->attack_custody_share = dn_scn_float(s, "attack.custody_share");
	C->detect_whale = dn_scn_float(s, "detect.whale_share");
	C->detect_rate_bps = dn_scn_float(s, "detect.rate_mbps") * 1e6;
	C->detect_price_ratio = dn_scn_float(s, "detect.price_ratio");
	C->detect_missed = dn_scn_float(s, "detect.missed_share");
	const char *rt = dn_scn_str(s, "detect.retract");
	C->detect_retract = !strcmp(rt, "rate") ? 0 : !strcmp(rt, "price") ? 1 : !strcmp(rt, "missed") ? 2
	                    : !strcmp(rt, "refused") ? 3 : !strcmp(rt, "unpaid") ? 4 : !strcmp(rt, "votepay") ? 5
	                    : !strcmp(rt, "ring") ? 6 : !strcmp(rt, "cohop") ? 7 : !strcmp(rt, "whale") ? 8 : -1;
	C->detect_unpaid = dn_scn_float(s, "detect.unpaid_share");
}

/* ---- set-up ---- */

uint32_t w_attack_n_accounts(const world_cfg *C)
{
	switch (C->attack_kind) {
	case W_ATTACK_WASH:
	case W_ATTACK_FORK: /* distributors, consumers, then the wallet */
		return 2 * C->attack_pairs + (C->attack_fund_wallet ? 1 : 0);
	case W_ATTACK_SYBIL:
	case W_ATTACK_MIDDLE: /* each turned agent's fake identities */
		return C->attack_pairs * C->attack_sybils;
	case W_ATTACK_CUSTODY: /* the exchange's wallets */
		return C->attack_pairs;
	default:
		return 0;
	}
}

dn_rc w_attack_accounts(world *W)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	A->n_acct = w_attack_n_accounts(C);
	if (!A->n_acct)
		return DN_OK;
	A->sk = malloc((size_t)A->n_acct * DNC_SK_BYTES);
	A->inflight = calloc(A->n_acct, sizeof *A->inflight);
	A->pair = calloc(C->attack_pairs, sizeof *A->pair);
	if (!A->sk || !A->inflight || !A->pair)
		return DN_ENOMEM;
	dnc_ledger *L = dnc_chain_ledger(W->ch.chain); /* door: genesis */
	for (uint32_t k = 0; k < A->n_acct; k++) {
		uint8_t seed[32];
		dnc_pubkey pk;
		dnc_acct idx;
		w_key_seed(C->seed, k, PURPOSE_ATTACK, seed);
		dnc_rc crc = dnc_sig_keypair(&W->ch.sig, seed, &pk, A->sk + (size_t)k * DNC_SK_BYTES);
		if (!crc)
			crc = dnc_ledger_add(L, &pk, &idx);
		if (!crc && k > 0 && idx != A->acct0 + k)
			crc = DNC_EINVAL;
		if (crc)
			return w_setup_fail(W, "adding the attacker's accounts", crc);
		if (k == 0)
			A->acct0 = idx;
	}
	for (uint32_t p = 0; p < C->attack_pairs; p++)
		A->pair[p].next_ns = C->attack_start_ns;
	return DN_OK;
}

/* custody (the sale allocation, R-SUP-2 beta): a plain holder (not team,
 * candidate, operator or trader) keeps what it bought at the sale with the
 * exchange with probability attack.custody_share (its own draw, the same
 * in the twin); customer j's goes to wallet j mod attack.size. The account
 * the sale pays agent a's share to (called once an agent). */
dnc_acct w_attack_sale_to(world *W, uint32_t a)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	uint16_t role = W->ag.role[a];
	if (C->attack_kind != W_ATTACK_CUSTODY || !A->n_acct || !(role & W_HOLDER) ||
	    (role & (W_TEAM | W_CANDIDATE | W_OPERATOR | W_TRADER)))
		return w_acct(W, a);
	dn_rng r;
	dn_rng_init(&r, C->seed, a, PURPOSE_ATTACK, 2);
	if (dn_rng_u01(&r) >= C->attack_custody_share)
		return w_acct(W, a);
	dnc_acct to = A->acct0 + A->customers % A->n_acct;
	A->customers++;
	return to;
}

/* The best-backed candidates first (votes at genesis, then agent id). */
static const world *g_sort_world;
static int by_votes(const void *x, const void *y)
{
	const world *W = g_sort_world;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dn_amount va = dnc_ledger_account(L, w_acct(W, a))->votes_received;
	dn_amount vb = dnc_ledger_account(L, w_acct(W, b))->votes_received;
	if (va != vb)
		return va > vb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int by_id(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

dn_rc w_attack_turn(world *W)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	if (C->attack_kind == W_ATTACK_NONE)
		return DN_OK;
	bool candidates = C->attack_kind == W_ATTACK_WITHHOLD || C->attack_kind == W_ATTACK_BRIBE ||
	                  C->attack_kind == W_ATTACK_CARTEL || C->attack_kind == W_ATTACK_CUSTODY;
	if (C->attack_kind == W_ATTACK_CHEAP || C->attack_kind == W_ATTACK_SYBIL || C->attack_kind == W_ATTACK_MIDDLE ||
	    candidates) {
		A->agents = calloc(C->attack_pairs, sizeof *A->agents);
		if (!A->agents)
			return DN_ENOMEM;
	}
	if (C->attack_kind == W_ATTACK_FRAUD) {
		/* every forger and free rider the population drew (attack.size is not used) */
		uint32_t n = 0;
		for (uint64_t a = 0; a < C->n; a++)
			n += (W->ag.role[a] & W_FRAUD) != 0;
		A->agents = calloc(n ? n : 1, sizeof *A->agents);
		if (!A->agents)
			return DN_ENOMEM;
		for (uint64_t a = 0; a < C->n; a++)
			if (W->ag.role[a] & W_FRAUD)
				A->agents[A->n_agents++] = (uint32_t)a;
	} else if (C->attack_kind == W_ATTACK_MIDDLE) {
		/* the first agents by id (any agent may resell content) */
		for (uint64_t a = 0; a < C->n && A->n_agents < C->attack_pairs; a++)
			A->agents[A->n_agents++] = (uint32_t)a;
	} else if (C->attack_kind == W_ATTACK_SYBIL) {
		/* the first relays by id that are not also sharers or candidates */
		for (uint64_t a = 0; a < C->n && A->n_agents < C->attack_pairs; a++) {
			uint16_t r = W->ag.role[a];
			if ((r & W_RELAY) && !(r & (W_SHARER | W_SITE | W_CANDIDATE | W_OPERATOR)))
				A->agents[A->n_agents++] = (uint32_t)a;
		}
	} else if (C->attack_kind == W_ATTACK_CHEAP) {
		/* the first sharers by id that are nothing but sharers and consumers */
		for (uint64_t a = 0; a < C->n && A->n_agents < C->attack_pairs; a++) {
			uint16_t r = W->ag.role[a];
			if ((r & W_SHARER) && !(r & (W_SITE | W_CANDIDATE | W_OPERATOR | W_FRAUD)))
				A->agents[A->n_agents++] = (uint32_t)a;
		}
	} else if (candidates) {
		/* withhold: the best-backed at genesis; bribe, cartel, custody: the least */
		uint32_t n = C->candidates;
		uint32_t *c = malloc((size_t)n * sizeof *c);
		if (!c)
			return DN_ENOMEM;
		memcpy(c, W->dl.cand, (size_t)n * sizeof *c);
		g_sort_world = W;
		qsort(c, n, sizeof *c, by_votes);
		A->n_agents = n < C->attack_pairs ? n : C->attack_pairs;
		memcpy(A->agents, C->attack_kind != W_ATTACK_WITHHOLD ? c + (n - A->n_agents) : c,
		       (size_t)A->n_agents * sizeof *c);
		free(c);
		qsort(A->agents, A->n_agents, sizeof *A->agents, by_id);
	}
	if ((C->attack_kind == W_ATTACK_CHEAP || C->attack_kind == W_ATTACK_SYBIL || candidates) &&
	    A->n_agents < C->attack_pairs) { /* (middle takes any agent: always enough) */
		dn_world_set_error(W->w, "attack.size: %u %s asked for, the world has %u", C->attack_pairs,
		                   C->attack_kind == W_ATTACK_CHEAP   ? "sharers"
		                   : C->attack_kind == W_ATTACK_SYBIL ? "relays"
		                                                      : "candidates",
		                   A->n_agents);
		return DN_EINVAL;
	}
	for (uint32_t i = 0; i < A->n_agents; i++)
		W->ag.role[A->agents[i]] |= W_ATTACKER;
	if (C->attack_kind == W_ATTACK_CUSTODY) /* its wallets hold only what the sale paid them */
		for (uint32_t k = 0; k < A->n_acct; k++)
			A->custody_base += dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), A->acct0 + k);
	/* the detectors' view of every account */
	A->n_det = dnc_ledger_count(dnc_chain_ledger_c(W->ch.chain));
	A->det = calloc(A->n_det, sizeof *A->det);
	return A->det ? DN_OK : DN_ENOMEM;
}

void w_attack_free(world *W)
{
	world_attack *A = &W->at;
	free(A->sk);
	free(A->inflight);
	free(A->pair);
	free(A->agents);
	free(A->det);
	free(A->open);
	wvec_free(&A->out);
	memset(A, 0, sizeof *A);
}

/* Is account acct the attacker's (its own, or a turned agent's)? */
static bool is_attacker(const world *W, dnc_acct acct)
{
	const world_attack *A = &W->at;
	if (A->n_acct && acct >= A->acct0 && acct < A->acct0 + A->n_acct)
		return true;
	if (acct >= W->ch.acct0 && acct < W->ch.acct0 + W->cfg.n)
		return (W->ag.role[acct - W->ch.acct0] & W_ATTACKER) != 0;
	return false;
}

/* ---- the wash pairs ---- */

/* Signs tx from the attacker's account k and queues it for the mempool. */
static dn_rc send(world *W, dn_time_ns t, uint32_t k, uint32_t pair, dnc_tx *tx)
{
	world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dnc_acct acct = A->acct0 + k;
	tx->from = *dnc_ledger_pk(L, acct);
	tx->nonce = dnc_ledger_nonce(L, acct) + A->inflight[k];
	tx->fee = W->cfg.tx_fee_base;
	if (dnc_tx_sign(&W->ch.sig, dnc_chain_id(W->ch.chain), A->sk + (size_t)k * DNC_SK_BYTES, tx))
		return w_block_fail(W, "signing the attacker's transaction", DNC_EINVAL);
	if (!A->out.size)
		A->out.size = sizeof(wtx);
	wtx q;
	memset(&q, 0, offsetof(wtx, tx));
	q.submit_ns = t;
	q.arrive_ns = t + w_part(W, 0)->delay_ns;
	q.part = W->cfg.nparts; /* after every tile in the arrival order */
	q.agent = k;
	q.slot = pair;
	q.purpose = TX_ATTACK;
	q.seq = A->seq++;
	q.tx = *tx;
	A->inflight[k]++;
	return wvec_push(&A->out, &q);
}

/* attack.units 0: what a session claims is 1.2 times the most any other
 * distributor was scored for in the last complete window (the scores
 * are public), at least 1,000 units: enough for the top volume seat. */
static uint64_t auto_units(const world *W)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	uint64_t win = dnc_chain_height(W->ch.chain) / W->cfg.cp.traffic_window_blocks;
	uint64_t top = 0;
	if (win == 0)
		return 1000;
	for (uint32_t i = 0; i < dnc_ledger_count(L); i++) {
		uint64_t vol, q;
		if (is_attacker(W, i))
			continue;
		dnc_ledger_traffic_score(L, i, win - 1, &vol, &q);
		if (vol > top)
			top = vol;
	}
	return top + top / 5 + 1 > 1000 ? top + top / 5 + 1 : 1000;
}

static dn_rc pair_open(world *W, dn_time_ns t, uint32_t p, uint64_t units)
{
	const world_cfg *C = &W->cfg;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.u.open.distributor = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), W->at.acct0 + p);
	tx.u.open.price_per_unit = C->attack_price_base;
	tx.u.open.units = units;
	W->at.pair[p].units = units;
	tx.u.open.expiry_s = (dnc_time_s)(dn_whole_s_of_ns(t) + 6 * 3600);
	W->at.pair[p].state = WA_OPENING;
	return send(W, t, C->attack_pairs + p, p, &tx);
}

/* The consumer signs for everything at once; the distributor redeems it. */
static dn_rc pair_redeem(world *W, dn_time_ns t, uint32_t p)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_REDEEM;
	tx.u.redeem.session_id = A->pair[p].session_id;
	tx.u.redeem.cred.session_id = A->pair[p].session_id;
	tx.u.redeem.cred.total_units = A->pair[p].units;
	tx.u.redeem.cred.seq = 1;
	const dnc_pubkey *dist = dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), A->acct0 + p);
	if (dnc_credential_sign(&W->ch.sig, dnc_chain_id(W->ch.chain), dist,
	                        A->sk + (size_t)(C->attack_pairs + p) * DNC_SK_BYTES, &tx.u.redeem.cred))
		return w_block_fail(W, "signing the attacker's credential", DNC_EINVAL);
	A->pair[p].state = WA_REDEEMING;
	return send(W, t, p, p, &tx);
}

static dn_rc pair_close(world *W, dn_time_ns t, uint32_t p)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_CLOSE;
	tx.u.close.session_id = W->at.pair[p].session_id;
	W->at.pair[p].state = WA_CLOSING;
	return send(W, t, p, p, &tx);
}

/* Who holds the attacker's DNET: the pairs' consumers, or the turned agents. */
static dnc_acct fund_to(const world *W, uint32_t i)
{
	return W->at.n_acct ? W->at.acct0 + W->cfg.attack_pairs + i : w_acct(W, W->at.agents[i]);
}

/* Pays v of the attacker's purchase to its account `to`: from the
 * exchange's custody, or (attack.fund_from wallet) by a signed transfer
 * from the attacker's own wallet, its last account, queued before the
 * pairs' first sessions and so applied before them in the same block. */
static dn_rc fund_pay(world *W, dn_time_ns t, bool wallet, dnc_acct to, dn_amount v)
{
	if (!wallet) {
		dn_rc rc = w_custody(W, W->ch.exchange, to, v, "attacker's DNET purchase");
		return rc ? rc : w_touch(W, to);
	}
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.u.transfer.to = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), to);
	tx.u.transfer.amount = v;
	return send(W, t, W->at.n_acct - 1, 0, &tx);
}

/* The budget in DNET: with a bond (chain.score_bond_dnet) each pair's
 * distributor first gets the bond, then the rest is shared among the
 * pairs' consumers (the cartel's members). Paid from the exchange, or
 * (attack.fund_from wallet) into the attacker's wallet, which pays each
 * distributor its bond or a float of 1 DNET and the consumers the rest. */
static dn_rc fund(world *W, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	dn_market_result res;
	A->funded = true;
	dn_usd_micro budget = (dn_usd_micro)llround(C->attack_budget_usd * 1e6);
	if (budget <= 0 || dn_market_buy(W->mk.mkt, WA_MARKET_OWNER, budget, 0, &res) != DN_OK || res.base <= 0)
		return DN_OK;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	if (res.base > dnc_ledger_balance(L, W->ch.exchange))
		return DN_OK; /* the exchange cannot deliver: nothing bought */
	A->spent_usd += dn_usd_of_usd_micro((double)res.usd_micro);
	A->bought_base += res.base;
	uint32_t n = A->n_acct ? C->attack_pairs : A->n_agents;
	bool wallet = C->attack_fund_wallet && A->n_acct == 2 * C->attack_pairs + 1;
	dn_amount left = res.base;
	if (wallet) {
		dn_rc rc = w_custody(W, W->ch.exchange, A->acct0 + A->n_acct - 1, res.base, "attacker's DNET purchase");
		if (!rc)
			rc = w_touch(W, A->acct0 + A->n_acct - 1);
		if (rc)
			return rc;
		left -= (dn_amount)(2 * C->attack_pairs) * C->tx_fee_base; /* the wallet's own fees */
	}
	dn_amount bond = C->cp.score_bond_base > 0 ? C->cp.score_bond_base : wallet ? DNC_UNITS_PER_DNET : 0;
	for (uint32_t p = 0; p < C->attack_pairs && A->n_acct && bond > 0; p++) {
		dn_amount v = bond < left / 2 ? bond : left / 2;
		if (v <= 0)
			break;
		dn_rc rc = fund_pay(W, t, wallet, A->acct0 + p, v);
		if (rc)
			return rc;
		left -= v;
	}
	dn_amount each = left / n, given = 0;
	for (uint32_t p = 0; p < n; p++) {
		dn_amount v = p + 1 == n ? left - given : each;
		given += v;
		if (v > 0) {
			dn_rc rc = fund_pay(W, t, wallet, fund_to(W, p), v);
			if (rc)
				return rc;
		}
	}
	return DN_OK;
}

/* cartel: funded once, each member votes everything it holds for the next
 * member of the ring (R-CONS-5 counts it like any vote). */
static dn_rc cartel_vote(world *W, dn_time_ns t)
{
	world_attack *A = &W->at;
	dn_rc rc = fund(W, t);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	for (uint32_t i = 0; i < A->n_agents && !rc; i++) {
		uint32_t a = A->agents[i], next = A->agents[(i + 1) % A->n_agents];
		const dnc_account *ac = dnc_ledger_account(L, w_acct(W, a));
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_VOTE;
		tx.u.vote.candidate = *dnc_ledger_pk(L, w_acct(W, next));
		tx.u.vote.amount = w_balance(W, a) + ac->lock[DNC_LOCK_STAKE];
		if (tx.u.vote.amount > 0)
			rc = w_send_from_block(W, t, dn_world_part_of(W->w, W->kind, a), a, TX_VOTE, 0, &tx);
	}
	if (!rc)
		w_pool_sort(W);
	return rc;
}

/* custody: each wallet votes all it keeps for its candidate, once. */
static dn_rc custody_vote(world *W, dn_time_ns t)
{
	world_attack *A = &W->at;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dn_rc rc = DN_OK;
	A->funded = true;
	for (uint32_t k = 0; k < A->n_acct && k < A->n_agents && !rc; k++) {
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_VOTE;
		tx.u.vote.candidate = *dnc_ledger_pk(L, w_acct(W, A->agents[k]));
		/* all it keeps but the vote's fee */
		tx.u.vote.amount = dnc_ledger_balance(L, A->acct0 + k) - W->cfg.tx_fee_base;
		if (tx.u.vote.amount > 0)
			rc = send(W, t, k, k, &tx);
	}
	return rc;
}

static dn_rc retract_flagged(world *W, dn_time_ns t);

dn_rc w_attack_block(world *W, dn_time_ns t, uint64_t slot)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	/* R-ADMIN-1 on the detector's word, once an election epoch, in the
	 * attacked run and its twin alike (a policy of the foundation's) */
	if (C->detect_retract >= 0 && A->det && slot > 0 && slot % C->cp.epoch_blocks == 0) {
		dn_rc rc = retract_flagged(W, t);
		if (rc)
			return rc;
	}
	bool fork = C->attack_kind == W_ATTACK_FORK;
	if (C->attack_kind == W_ATTACK_CARTEL && C->attack_on && t >= C->attack_start_ns && !A->funded)
		return cartel_vote(W, t);
	dn_rc rc = DN_OK;
	if (C->attack_kind == W_ATTACK_CUSTODY && C->attack_on && t >= C->attack_start_ns && !A->funded)
		rc = custody_vote(W, t);
	else if ((C->attack_kind != W_ATTACK_WASH && !fork) || !C->attack_on || t < C->attack_start_ns)
		return DN_OK;
	if (!rc && !A->funded)
		rc = fund(W, t);
	if (C->attack_kind != W_ATTACK_CUSTODY)
		A->node_cost_usd += C->attack_pairs * C->attack_node_usd_day * (double)C->cp.block_interval_s / DN_UNITS_S_PER_DAY;
	/* fork: the sessions opened before the partition claim everything
	 * in the minority side's first block (their transactions are side 1's) */
	uint64_t units = fork && C->attack_units == 0 ? UINT64_C(1000000000) : C->attack_units;
	for (uint32_t p = 0; p < C->attack_pairs && !rc; p++)
		if (A->pair[p].state == WA_OPEN && (fork ? W->fk.split_active : t >= A->pair[p].redeem_ns)) {
			A->fork_claimed += fork ? A->pair[p].units : 0;
			rc = pair_redeem(W, t, p);
		}
	for (uint32_t p = 0; p < C->attack_pairs && !rc && C->attack_kind != W_ATTACK_CUSTODY; p++)
		if (A->pair[p].state == WA_IDLE && t >= A->pair[p].next_ns) {
			if (units == 0)
				units = auto_units(W);
			rc = pair_open(W, t, p, units);
		}
	if (rc || A->out.n == 0)
		return rc;
	for (size_t i = 0; i < A->out.n && !rc; i++)
		rc = w_wtx_push(&W->mp.pool, wvec_at(&A->out, i));
	A->out.n = 0;
	w_pool_sort(W);
	return rc;
}

dn_rc w_attack_receipt(world *W, const wtx *q, dnc_rc crc, const dnc_tx_receipt *r, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	world_attack *A = &W->at;
	watt_pair *pr = &A->pair[q->slot];
	if (A->inflight[q->agent])
		A->inflight[q->agent]--;
	if (q->tx.type == DNC_TX_TRANSFER) { /* the wallet funding a pair (attack.fund_from) */
		A->tx_failed += crc != DNC_OK;
		A->fees_base += crc == DNC_OK ? r->fee_paid : 0;
		return DN_OK;
	}
	if (C->attack_kind == W_ATTACK_CUSTODY) { /* a wallet's vote */
		A->tx_failed += crc != DNC_OK;
		A->fees_base += crc == DNC_OK ? r->fee_paid : 0;
		return DN_OK;
	}
	if (crc != DNC_OK) {
		/* refused (no DNET left for the deposit, a stale session): try
		 * again at the next session time */
		A->tx_failed++;
		pr->state = WA_IDLE;
		pr->next_ns = t + dn_ns_of_s(DN_UNITS_S_PER_DAY / C->attack_sessions_day);
		return DN_OK;
	}
	A->fees_base += r->fee_paid;
	switch (q->tx.type) {
	case DNC_TX_SESSION_OPEN:
		pr->session_id = r->created_id;
		if (C->attack_kind == W_ATTACK_FORK) {
			pr->state = WA_OPEN; /* held open until the network splits */
			return DN_OK;
		}
		if (C->attack_rate_bps <= 0)
			return pair_redeem(W, t, q->slot);
		/* paced: the credential is redeemed once the claimed units could
		 * have crossed a link of attack.rate_mbps */
		pr->state = WA_OPEN;
		pr->redeem_ns = t + dn_ns_of_s((double)pr->units * (double)C->cp.unit_bytes * 8.0 / C->attack_rate_bps);
		return DN_OK;
	case DNC_TX_REDEEM:
		return pair_close(W, t, q->slot);
	default:
		A->sessions++;
		pr->state = WA_IDLE;
		/* fork: once (the world splits once) */
		pr->next_ns = C->attack_kind == W_ATTACK_FORK ? INT64_MAX
		                                               : pr->next_ns + dn_ns_of_s(DN_UNITS_S_PER_DAY / C->attack_sessions_day);
		return DN_OK;
	}
}

void w_attack_price(world *W, uint32_t a)
{
	W->ag.price_base[a] = W->cfg.attack_price_base;
	/* the USD price a consumer compares is what that is worth now */
	double per_gb = (double)w_unit_price(W, 1.0);
	W->ag.price_usd_gb[a] = (float)(per_gb > 0 ? (double)W->cfg.attack_price_base / per_gb : 0.0);
}

/* ---- fake hops ---- */

/* Agent a's index among the turned agents (ascending by id), W_NONE if
 * it does not attack now. */
static uint32_t turned_index(const world *W, uint32_t a)
{
	return w_attacking(W, a) ? w_find_sorted(W->at.agents, W->at.n_agents, a) : W_NONE;
}

void w_attack_sybil_hops(const world *W, wsess *s, dnc_tx *tx, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	s->sybils = 0;
	if (C->attack_kind != W_ATTACK_SYBIL || !C->attack_on || now < C->attack_start_ns || !s->n_relays)
		return;
	for (uint32_t i = 0; i < s->n_relays; i++) {
		uint32_t j = turned_index(W, s->relay[i]);
		if (j == W_NONE)
			continue;
		uint32_t k = C->attack_sybils;
		if (s->n_relays + k > DNC_MAX_RELAYS)
			k = DNC_MAX_RELAYS - s->n_relays;
		const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
		for (uint32_t h = 0; h < k; h++)
			tx->u.open.relay[s->n_relays + h] = *dnc_ledger_pk(L, w_sybil_acct(W, j, h));
		tx->u.open.n_relays = (uint8_t)(s->n_relays + k);
		s->sybils = k;
		s->sybil_of = j;
		return; /* one turned relay's hops a path */
	}
}

void w_attack_fake_middlemen(const world *W, const uint32_t *middle, dnc_tx *tx, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	if (C->attack_kind != W_ATTACK_MIDDLE || !C->attack_on || now < C->attack_start_ns)
		return;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	uint32_t n = tx->u.content.n_middle;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = turned_index(W, middle[i]);
		if (j == W_NONE)
			continue;
		uint32_t k = C->attack_sybils;
		if (n + k > DNC_MAX_MIDDLEMEN)
			k = DNC_MAX_MIDDLEMEN - n;
		/* the later middlemen move down the chain, the fakes take their places */
		memmove(&tx->u.content.middle[i + 1 + k], &tx->u.content.middle[i + 1], (n - i - 1) * sizeof(dnc_pubkey));
		for (uint32_t h = 0; h < k; h++)
			tx->u.content.middle[i + 1 + h] = *dnc_ledger_pk(L, w_sybil_acct(W, j, h));
		tx->u.content.n_middle = (uint8_t)(n + k);
		return; /* one turned forwarder's fakes a chain */
	}
}

/* ---- vote buying ---- */

uint32_t w_attack_bribed_vote(const world *W, uint32_t holder, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	const world_attack *A = &W->at;
	if (C->attack_kind != W_ATTACK_BRIBE || !C->attack_on || now < C->attack_start_ns || !A->n_agents)
		return W_NONE;
	/* whether this holder sells its vote: its own stream, the same in the twin */
	dn_rng r;
	dn_rng_init(&r, C->seed, holder, PURPOSE_ATTACK, 1);
	if (dn_rng_u01(&r) >= C->attack_bribe_takers)
		return W_NONE;
	uint32_t b = A->agents[holder % A->n_agents];
	return (W->ag.role[b] & W_CANDIDATE) ? b : W_NONE;
}

dn_rc w_attack_bribe_pay(world *W, dn_part *p, uint32_t briber, dn_amount earned, dn_amount *paid)
{
	const world_cfg *C = &W->cfg;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	const dnc_acct ba = w_acct(W, briber);
	*paid = 0;
	dn_amount pot = (dn_amount)((double)earned * C->attack_bribe_share), weight = 0;
	if (pot <= 0)
		return DN_OK;
	/* its voters, and their votes (the stake they locked), as the chain shows them */
	for (uint64_t a = 0; a < C->n; a++) {
		const dnc_account *ac = dnc_ledger_account(L, w_acct(W, (uint32_t)a));
		if (ac && dnc_account_voted_for(ac) == ba)
			weight += ac->lock[DNC_LOCK_STAKE];
	}
	if (weight <= 0)
		return DN_OK;
	for (uint64_t a = 0; a < C->n; a++) {
		const dnc_account *ac = dnc_ledger_account(L, w_acct(W, (uint32_t)a));
		if (!ac || dnc_account_voted_for(ac) != ba || ac->lock[DNC_LOCK_STAKE] <= 0)
			continue;
		dn_amount v = (dn_amount)((dnc_u128)(uint64_t)pot * (uint64_t)ac->lock[DNC_LOCK_STAKE] / (uint64_t)weight);
		if (v <= 0)
			continue;
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_TRANSFER;
		tx.u.transfer.to = *dnc_ledger_pk(L, w_acct(W, (uint32_t)a));
		tx.u.transfer.amount = v;
		dn_rc rc = w_submit(W, p, briber, TX_BRIBE, (uint32_t)a, 0, &tx, 0);
		if (rc)
			return rc;
		*paid += v;
	}
	return DN_OK;
}

/* ---- what the seats earn, withholding ---- */

void w_attack_seat_gain(world *W, dnc_acct acct, dn_amount gain, uint64_t blocks)
{
	if (W->cfg.attack_kind == W_ATTACK_NONE || !is_attacker(W, acct))
		return;
	W->at.seat_income_base += gain;
	W->at.seat_blocks += blocks;
}

bool w_attack_withholds(const world *W, dnc_acct acct, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	if (C->attack_kind != W_ATTACK_WITHHOLD || !C->attack_on || t < C->attack_start_ns)
		return false;
	if (acct < W->ch.acct0 || acct >= W->ch.acct0 + C->n || !w_attacking(W, (uint32_t)(acct - W->ch.acct0)))
		return false;
	dn_rng r;
	dn_rng_init(&r, C->seed, (uint32_t)(acct - W->ch.acct0), PURPOSE_ATTACK, (uint64_t)(t / C->block_ns));
	return dn_rng_u01(&r) < C->attack_withhold;
}

/* ---- detection: what the chain shows ---- */

/* The co-hop detector's view of a list the chain shows (a path's relays,
 * a chain's middlemen): each account beside its neighbour. */
static void beside(world_attack *A, const dnc_ledger *L, const dnc_pubkey *pk, uint32_t n)
{
	for (uint32_t i = 0; i < n && n >= 2; i++) {
		dnc_acct me = dnc_ledger_find(L, &pk[i]);
		dnc_acct nb = dnc_ledger_find(L, &pk[i + 1 < n ? i + 1 : i - 1]);
		if (me >= A->n_det || nb >= A->n_det)
			continue;
		wdet_acct *d = &A->det[me];
		d->relayed++;
		if (!d->partner)
			d->partner = nb + 1;
		d->with_partner += d->partner == nb + 1;
	}
}

void w_detect_tx(world *W, const wtx *q, const dnc_tx_receipt *r, dn_time_ns t)
{
	world_attack *A = &W->at;
	if (!A->det)
		return;
	const int64_t now_s = dn_whole_s_of_ns(t);
	if (q->tx.type == DNC_TX_SESSION_OPEN) {
		/* the relays named, each beside its neighbour on the path */
		beside(A, dnc_chain_ledger_c(W->ch.chain), q->tx.u.open.relay, q->tx.u.open.n_relays);
		uint32_t slot = (uint32_t)(r->created_id & 0xffffffffu);
		if (slot >= A->n_open) {
			uint32_t cap = A->n_open ? A->n_open : 1024;
			while (cap <= slot)
				cap *= 2;
			wdet_open *v = realloc(A->open, (size_t)cap * sizeof *v);
			if (!v)
				return; /* the detector loses sight of this session */
			memset(v + A->n_open, 0, (size_t)(cap - A->n_open) * sizeof *v);
			A->open = v;
			A->n_open = cap;
		}
		A->open[slot].open_s = now_s;
		A->open[slot].units = 0;
	} else if (q->tx.type == DNC_TX_SESSION_CLOSE) {
		const dnc_session *ss = dnc_session_get(dnc_chain_sessions(W->ch.chain), q->tx.u.close.session_id);
		if (ss && ss->consumer < A->n_det) {
			A->det[ss->consumer].bought += ss->units_max;
			A->det[ss->consumer].settled += ss->redeemed_units;
		}
	} else if (q->tx.type == DNC_TX_CONTENT) {
		/* the middlemen named, each beside its neighbour on the chain */
		beside(A, dnc_chain_ledger_c(W->ch.chain), q->tx.u.content.middle, q->tx.u.content.n_middle);
	} else if (q->tx.type == DNC_TX_TRANSFER) {
		/* who sends DNET to the accounts that vote for it */
		const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
		dnc_acct from = dnc_ledger_find(L, &q->tx.from), to = dnc_ledger_find(L, &q->tx.u.transfer.to);
		if (from < A->n_det && to < A->n_det) {
			const dnc_account *ac = dnc_ledger_account(L, to);
			A->det[from].sent += (double)q->tx.u.transfer.amount;
			if (ac && dnc_account_voted_for(ac) == from)
				A->det[from].to_voters += (double)q->tx.u.transfer.amount;
		}
	} else if (q->tx.type == DNC_TX_REDEEM && r->units > 0) {
		const dnc_session *ss = dnc_session_get(dnc_chain_sessions(W->ch.chain), q->tx.u.redeem.session_id);
		if (!ss || ss->distributor >= A->n_det)
			return;
		wdet_acct *d = &A->det[ss->distributor];
		d->units += r->units;
		d->price_units += (double)ss->price_per_unit * (double)r->units;
		uint32_t slot = (uint32_t)(q->tx.u.redeem.session_id & 0xffffffffu);
		if (slot < A->n_open) {
			wdet_open *o = &A->open[slot];
			o->units = q->tx.u.redeem.cred.total_units;
			double secs = fmax((double)W->cfg.cp.block_interval_s, (double)(now_s - o->open_s));
			double bps = (double)o->units * (double)W->cfg.cp.unit_bytes * 8.0 / secs;
			if (bps > d->max_rate_bps)
				d->max_rate_bps = bps;
		}
	}
}

void w_detect_refused(world *W, const wtx *q)
{
	world_attack *A = &W->at;
	if (!A->det || q->tx.type != DNC_TX_REDEEM || q->purpose == TX_ATTACK)
		return;
	/* the sender's account (an agent's: redeems come from distributors) */
	dnc_acct a = w_acct(W, q->agent);
	if (a < A->n_det)
		A->det[a].refused++;
}

void w_detect_slot(world *W, uint32_t seat, bool produced)
{
	world_attack *A = &W->at;
	if (!A->det)
		return;
	dnc_acct acct = dnc_chain_delegates(W->ch.chain)->seat[seat].acct;
	if (acct >= A->n_det)
		return;
	A->det[acct].scheduled++;
	A->det[acct].missed += !produced;
}

/* ---- the summary ---- */

typedef struct scored {
	double s;
	bool pos;
} scored;

static int by_score(const void *x, const void *y)
{
	const scored *a = x, *b = y;
	return a->s < b->s ? -1 : a->s > b->s;
}

/* Area under the ROC curve (Mann-Whitney, ties counted half); NaN
 * without both classes. Sorts v by score. */
static double auc_of(scored *v, size_t n)
{
	qsort(v, n, sizeof *v, by_score);
	double npos = 0, nneg = 0, rank_pos = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && v[j].s == v[i].s)
			j++;
		double mid = 0.5 * (double)(i + 1 + j); /* average rank of the tie, from 1 */
		for (size_t k = i; k < j; k++)
			if (v[k].pos)
				rank_pos += mid, npos++;
			else
				nneg++;
		i = j;
	}
	if (npos == 0 || nneg == 0)
		return NAN;
	return (rank_pos - npos * (npos + 1) / 2) / (npos * nneg);
}

/* The ROC curve at a false positive rate: the largest share of the
 * positives flagged by a threshold (flagging scores at or above it)
 * that flags at most fpr_max of the negatives. The curve's step, not
 * interpolated, so that replicates average vertically (Fawcett 2006,
 * "An introduction to ROC analysis", section 8). v sorted ascending (as
 * auc_of leaves it); NaN without both classes. */
static double roc_at(const scored *v, size_t n, double fpr_max)
{
	double npos = 0, nneg = 0, tp = 0, fp = 0, best = 0;
	for (size_t i = 0; i < n; i++)
		npos += v[i].pos, nneg += !v[i].pos;
	if (npos == 0 || nneg == 0)
		return NAN;
	for (size_t j = n; j > 0;) { /* descending, a tie as one step */
		size_t i = j;
		while (i > 0 && v[i - 1].s == v[j - 1].s)
			i--;
		for (size_t k = i; k < j; k++)
			tp += v[k].pos, fp += !v[k].pos;
		if (fp / nneg > fpr_max)
			break;
		best = tp / npos;
		j = i;
	}
	return best;
}

/* The false positive rates the summary samples each ROC curve at, and
 * their names (percent, p for the point). */
#define ROC_N 6
static const double roc_fpr[ROC_N] = {0.001, 0.01, 0.05, 0.1, 0.2, 0.5};
static const char *const roc_name[ROC_N] = {"0p1", "1", "5", "10", "20", "50"};

/* score/pos as a sorted scored array (NULL: out of memory). */
static scored *scored_of(const double *score, const bool *pos, size_t n)
{
	scored *v = malloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		v[i].s = score[i];
		v[i].pos = pos[i];
	}
	if (v)
		qsort(v, n, sizeof *v, by_score);
	return v;
}

double w_roc_auc(const double *score, const bool *pos, size_t n)
{
	scored *v = scored_of(score, pos, n);
	double a = v ? auc_of(v, n) : NAN;
	free(v);
	return a;
}

double w_roc_tpr_at(const double *score, const bool *pos, size_t n, double fpr_max)
{
	scored *v = scored_of(score, pos, n);
	double t = v ? roc_at(v, n, fpr_max) : NAN;
	free(v);
	return t;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

enum { DET_RATE = 0, DET_PRICE, DET_MISSED, DET_REFUSED, DET_UNPAID, DET_VOTEPAY, DET_RING, DET_COHOP, DET_WHALE, DET_N };
static const char *const det_name[DET_N] = {"rate", "price", "missed", "refused", "unpaid", "votepay", "ring", "cohop", "whale"};
static const char *const det_doc[DET_N] = {
	"distributors whose redeemed units imply a session rate above detect.rate_mbps",
	"distributors whose units-weighted price is below the median distributor's over detect.price_ratio",
	"producers that missed more than detect.missed_share of at least 10 scheduled slots",
	"distributors with a redeem the chain refused (R-CRED-7: forged, replayed, over the deposit)",
	"consumers whose closed sessions left more than detect.unpaid_share of the units their deposits bought unredeemed",
	"candidates that sent more than half of the DNET they transferred to accounts voting for them",
	"candidates whose vote, followed from voter to candidate, comes back to them within 16 steps (a vote ring)",
	"relays on multi-hop paths (middlemen on forwarding chains) that sat beside the same neighbour in more than 90 % of at least 5 of them",
	"candidates whose largest voter (other than themselves) gave more than detect.whale_share of the votes they received",
};

/* Does following the votes from account i come back to i within 16
 * steps, through another account (a self-vote is no ring)? */
bool w_vote_ring(const dnc_ledger *L, dnc_acct i)
{
	dnc_acct a = i;
	for (int k = 0; k < 16; k++) {
		const dnc_account *ac = dnc_ledger_account(L, a);
		dnc_acct next = ac ? dnc_account_voted_for(ac) : DNC_NONE;
		if (next == DNC_NONE || next == a)
			return false; /* the chain ends, or in a self-vote */
		if (next == i)
			return true;
		a = next;
	}
	return false;
}

/* What the detectors share: the median distributor's price, and each
 * account's largest vote from another account (the chain's vote graph). */
typedef struct dctx {
	double median;
	dn_amount *top;
} dctx;

/* The median of the distributors' units-weighted prices (0: none). */
static double median_price(const world_attack *A, dn_rc *rc)
{
	double median = 0, *prices = malloc(((size_t)A->n_det + 1) * sizeof *prices);
	size_t nd = 0;
	if (!prices) {
		*rc = DN_ENOMEM;
		return 0;
	}
	for (uint32_t i = 0; i < A->n_det; i++)
		if (A->det[i].units > 0)
			prices[nd++] = A->det[i].price_units / (double)A->det[i].units;
	if (nd) {
		qsort(prices, nd, sizeof *prices, cmp_double);
		median = nd % 2 ? prices[nd / 2] : 0.5 * (prices[nd / 2 - 1] + prices[nd / 2]);
	}
	free(prices);
	return median;
}

/* The context for detector d (all of them: d < 0); free ->top after. */
static dn_rc dctx_make(const world *W, int d, dctx *x)
{
	const world_attack *A = &W->at;
	dn_rc rc = DN_OK;
	memset(x, 0, sizeof *x);
	if (d < 0 || d == DET_PRICE)
		x->median = median_price(A, &rc);
	if (!rc && (d < 0 || d == DET_WHALE)) {
		const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
		x->top = calloc((size_t)A->n_det + 1, sizeof *x->top);
		if (!x->top)
			return DN_ENOMEM;
		for (uint32_t i = 0; i < A->n_det; i++) {
			const dnc_account *ac = dnc_ledger_account(L, i);
			dnc_acct c = ac ? dnc_account_voted_for(ac) : DNC_NONE;
			if (c != DNC_NONE && c != i && c < A->n_det && ac->lock[DNC_LOCK_STAKE] > x->top[c])
				x->top[c] = ac->lock[DNC_LOCK_STAKE];
		}
	}
	return rc;
}

/* One detector's score of account i, and whether it is in its population. */
static bool det_score(const world *W, int d, uint32_t i, const dctx *cx, double *s)
{
	const wdet_acct *x = &W->at.det[i];
	switch (d) {
	case DET_RATE:
		*s = x->max_rate_bps;
		return x->units > 0;
	case DET_PRICE:
		*s = x->units > 0 ? cx->median / (x->price_units / (double)x->units) : 0;
		return x->units > 0;
	case DET_MISSED:
		*s = x->scheduled ? (double)x->missed / (double)x->scheduled : 0;
		return x->scheduled >= 10;
	case DET_REFUSED:
		*s = x->refused;
		return x->units > 0 || x->refused > 0;
	case DET_UNPAID:
		*s = x->bought ? 1.0 - (double)x->settled / (double)x->bought : 0;
		return x->bought > 0;
	case DET_VOTEPAY: {
		const dnc_account *ac = dnc_ledger_account(dnc_chain_ledger_c(W->ch.chain), i);
		*s = x->sent > 0 ? x->to_voters / x->sent : 0;
		return ac && ac->votes_received > 0; /* accounts voted for */
	}
	case DET_RING: {
		const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
		const dnc_account *ac = dnc_ledger_account(L, i);
		*s = w_vote_ring(L, i) ? 1 : 0;
		return ac && ac->votes_received > 0;
	}
	case DET_WHALE: {
		const dnc_account *ac = dnc_ledger_account(dnc_chain_ledger_c(W->ch.chain), i);
		*s = ac && ac->votes_received > 0 ? (double)cx->top[i] / (double)ac->votes_received : 0;
		return ac && ac->votes_received > 0;
	}
	default:
		*s = x->relayed ? (double)x->with_partner / (double)x->relayed : 0;
		return x->relayed >= 5;
	}
}

static double det_threshold(const world_cfg *C, int d)
{
	switch (d) {
	case DET_RATE:
		return C->detect_rate_bps;
	case DET_PRICE:
		return C->detect_price_ratio;
	case DET_MISSED:
		return C->detect_missed;
	case DET_REFUSED:
		return 0;
	case DET_UNPAID:
		return C->detect_unpaid;
	case DET_COHOP:
		return 0.9;
	case DET_WHALE:
		return C->detect_whale;
	default: /* votepay: more than half; ring: in one */
		return 0.5;
	}
}

static dn_rc summary_detectors(const world *W, dn_results *r)
{
	const world_attack *A = &W->at;
	scored *v = malloc(((size_t)A->n_det + 1) * sizeof *v);
	dn_rc rc = v ? DN_OK : DN_ENOMEM;
	dctx cx = {0};
	if (!rc)
		rc = dctx_make(W, -1, &cx);
	for (int d = 0; d < DET_N && !rc; d++) {
		size_t n = 0;
		double tp = 0, fp = 0, pos = 0, neg = 0;
		for (uint32_t i = 0; i < A->n_det; i++) {
			double s;
			if (!det_score(W, d, i, &cx, &s))
				continue;
			/* the truth: the attacker's, while it attacks */
			bool truth = W->cfg.attack_on && is_attacker(W, i);
			bool flag = s > det_threshold(&W->cfg, d);
			v[n].s = s;
			v[n].pos = truth;
			n++;
			pos += truth;
			neg += !truth;
			tp += truth && flag;
			fp += !truth && flag;
		}
		char name[64], doc[256];
		snprintf(name, sizeof name, "detect_%s_auc", det_name[d]);
		snprintf(doc, sizeof doc, "detector %s: area under its ROC curve against the attacker's accounts (NaN without both classes): %s",
		         det_name[d], det_doc[d]);
		rc = dn_results_summary_f64(r, name, auc_of(v, n), "1", doc);
		/* the ROC curve (auc_of sorted v) */
		for (int k = 0; k < ROC_N && !rc; k++) {
			snprintf(name, sizeof name, "detect_%s_roc_%s", det_name[d], roc_name[k]);
			snprintf(doc, sizeof doc, "detector %s, its ROC curve: share of the attacker's accounts flagged by the lowest "
			         "threshold that flags at most %g %% of the honest ones (NaN without both)", det_name[d], 100 * roc_fpr[k]);
			rc = dn_results_summary_f64(r, name, roc_at(v, n, roc_fpr[k]), "1", doc);
		}
		if (!rc) {
			snprintf(name, sizeof name, "detect_%s_tpr", det_name[d]);
			snprintf(doc, sizeof doc, "detector %s: share of the attacker's accounts it flags (NaN: none in its view)", det_name[d]);
			rc = dn_results_summary_f64(r, name, pos ? tp / pos : NAN, "1", doc);
		}
		if (!rc) {
			snprintf(name, sizeof name, "detect_%s_fpr", det_name[d]);
			snprintf(doc, sizeof doc, "detector %s: share of the honest accounts in its view it flags", det_name[d]);
			rc = dn_results_summary_f64(r, name, neg ? fp / neg : NAN, "1", doc);
		}
		if (!rc) {
			snprintf(name, sizeof name, "detect_%s_accounts", det_name[d]);
			snprintf(doc, sizeof doc, "detector %s: accounts in its view (distributors with redeemed traffic, or producers)", det_name[d]);
			rc = dn_results_summary_i64(r, name, (int64_t)n, "1", doc);
		}
	}
	free(v);
	free(cx.top);
	if (!rc)
		rc = dn_results_summary_i64(r, "detect_retracts", (int64_t)A->retracts, "1",
		                            "R-ADMIN-1 retracts the foundation sent on detect.retract's word (what they took is detect_retracted_*)");
	if (!rc)
		rc = dn_results_summary_i64(r, "detect_retracted_base", A->retracted_base, "base units",
		                            "DNET retracted on the detector's word from the attacker's accounts");
	if (!rc)
		rc = dn_results_summary_i64(r, "detect_retracted_honest_base", A->retracted_honest_base, "base units",
		                            "DNET retracted on the detector's word from honest accounts (false positives: "
		                            "the centralisation cost, R-ADMIN-1)");
	return rc;
}

/* The foundation retracts the spendable DNET of every account the
 * detector detect.retract flags now (R-ADMIN-1, logged by the chain). */
static dn_rc retract_flagged(world *W, dn_time_ns t)
{
	world_attack *A = &W->at;
	const world_cfg *C = &W->cfg;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dn_rc rc = DN_OK;
	dctx cx;
	rc = dctx_make(W, C->detect_retract, &cx);
	dnc_acct f = dnc_chain_foundation(W->ch.chain);
	for (uint32_t i = 0; i < A->n_det && !rc; i++) {
		double sc;
		if (i == f || !det_score(W, C->detect_retract, i, &cx, &sc) || !(sc > det_threshold(C, C->detect_retract)))
			continue;
		dn_amount v = dnc_ledger_balance(L, i);
		if (v <= 0)
			continue;
		rc = w_send_retract(W, i, v, 2 /* a detector's flag */, 0, t);
		A->retracts++;
	}
	free(cx.top);
	return rc;
}

void w_attack_retracted(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	world_attack *A = &W->at;
	if (q->tx.u.retract.reason != 2)
		return;
	dnc_acct i = W->ch.acct0 + q->agent;
	if (W->cfg.attack_on && is_attacker(W, i))
		A->retracted_base += r->moved;
	else
		A->retracted_honest_base += r->moved;
}

/* What an account holds of its own: its holdings but the pool lock, which
 * holds its voters' share of its seat's income until they claim it
 * (R-FEE-1). */
static dn_amount own_holdings(const dnc_ledger *L, dnc_acct a)
{
	const dnc_account *ac = dnc_ledger_account(L, a);
	return dnc_ledger_holdings(L, a) - (ac ? ac->lock[DNC_LOCK_POOL] : 0);
}

dn_rc w_attack_summary(const world *W, dn_results *r)
{
	const world_cfg *C = &W->cfg;
	const world_attack *A = &W->at;
	if (C->attack_kind == W_ATTACK_NONE)
		return DN_OK;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	double price = dn_usd_of_usd_micro((double)W->mk.price_usd_micro);
	/* what the attacker's identities are worth at the end, at the final
	 * price: its own accounts less what it bought them with and its
	 * nodes' running cost; a turned agent's DNET and USD wallet */
	dn_amount hold = 0;
	double usd = 0;
	for (uint32_t k = 0; k < A->n_acct; k++)
		hold += own_holdings(L, A->acct0 + k);
	hold -= A->custody_base; /* custody: the customers' DNET is theirs */
	for (uint32_t i = 0; i < A->n_agents; i++) {
		hold += own_holdings(L, w_acct(W, A->agents[i]));
		usd += dn_usd_of_usd_micro((double)W->ag.usd_micro[A->agents[i]]);
	}
	dn_amount net_base = hold - A->bought_base;
	double worth = dn_usd_of_base((double)hold, W->mk.price_usd_micro) + usd - A->spent_usd - A->node_cost_usd;
	(void)price;
	dn_rc rc = dn_results_summary_i64(r, "attack_active", C->attack_on, "1",
	                                  "1: the attacker acted; 0: the paired honest twin (attack.active false)");
	if (!rc)
		rc = dn_results_summary_f64(r, "attack_worth_usd", worth, "USD",
		                            "the attacker's identities at the end: DNET held (not its voters' pool share) at the final price plus turned agents' USD, "
		                            "less the USD it spent on DNET and its nodes' running cost; the attack's profit is this "
		                            "less the honest twin's (docs/attacks.md)");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_worth_base", net_base, "base units",
		                            "the attacker's DNET at the end less the DNET it bought");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_seat_income_base", A->seat_income_base, "base units",
		                            "what the attacker's delegate seats earned (rewards and pool fees)");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_seat_blocks", (int64_t)A->seat_blocks, "blocks",
		                            "seat-blocks in which an attacker's seat earned");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_fees_base", A->fees_base, "base units",
		                            "transaction and community fees the attacker's own transactions paid (R-FEE-1,2)");
	if (!rc)
		rc = dn_results_summary_f64(r, "attack_spent_usd", A->spent_usd + A->node_cost_usd, "USD",
		                            "what the attacker put in: USD turned into DNET and its nodes' running cost");
	if (!rc)
		rc = dn_results_summary_f64(r, "attack_roi", A->n_acct && A->spent_usd + A->node_cost_usd > 0
		                            ? worth / (A->spent_usd + A->node_cost_usd) : NAN, "1",
		                            "wash and fork: attack_worth_usd over attack_spent_usd (NaN when it spent nothing, or "
		                            "its identities are turned agents: their worth is then the twin's difference)");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_sessions", (int64_t)A->sessions, "1", "wash sessions opened, redeemed and closed");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_refused", (int64_t)A->tx_failed, "1", "the attacker's transactions the chain refused");
	if (!rc)
		rc = dn_results_summary_i64(r, "attack_withheld", (int64_t)A->withheld, "slots", "slots a turned delegate skipped on purpose");
	if (!rc && C->attack_kind == W_ATTACK_BRIBE) {
		double bribes = 0;
		for (uint32_t i = 0; i < A->n_agents; i++)
			bribes += A->det[w_acct(W, A->agents[i])].to_voters;
		rc = dn_results_summary_i64(r, "attack_bribes_base", (int64_t)bribes, "base units",
		                            "bribe: DNET the bribers paid the accounts voting for them");
	}
	if (!rc && (C->attack_kind == W_ATTACK_SYBIL || C->attack_kind == W_ATTACK_MIDDLE)) {
		dn_amount fake = 0;
		for (uint32_t k = 0; k < A->n_acct; k++)
			fake += own_holdings(L, A->acct0 + k);
		rc = dn_results_summary_i64(r, "attack_sybil_base", fake, "base units",
		                            "sybil, middle: what the fake identities' accounts were paid (R-SHARE-2 relay shares, "
		                            "R-FWD-2 middleman shares)");
	}
	if (!rc && C->attack_kind == W_ATTACK_CUSTODY)
		rc = dn_results_summary_i64(r, "attack_custody_base", A->custody_base, "base units",
		                            "custody: the customers' DNET the exchange's wallets keep (its stake when it votes it)");
	if (!rc && C->attack_kind == W_ATTACK_CUSTODY)
		rc = dn_results_summary_i64(r, "attack_customers", A->customers, "1",
		                            "custody: holders whose DNET the exchange keeps (they hold and vote none of their own)");
	if (!rc && C->attack_kind == W_ATTACK_FORK)
		rc = dn_results_summary_i64(r, "attack_fork_claimed", (int64_t)A->fork_claimed, "units",
		                            "fork: traffic units the attacker's redeems claimed on the partition's minority side");
	if (!rc && C->attack_kind == W_ATTACK_FORK)
		rc = dn_results_summary_i64(r, "attack_fork_won", (int64_t)A->fork_won, "1",
		                            "fork: 1 if the partition's minority side (the attacker's) was kept when the network healed (R-CHAIN-4)");
	if (!rc && C->attack_kind == W_ATTACK_FORK)
		rc = dn_results_summary_i64(r, "attack_fork_tx_dropped", (int64_t)A->fork_tx_dropped, "1",
		                            "fork: honest transactions in the losing branch's blocks, sent back to the mempool (final under DPoS, then undone: R-CHAIN-3)");
	if (!rc)
		rc = dn_results_summary_i64(r, "honest_delegate_income_base", W->dl.income_base - A->seat_income_base, "base units",
		                            "delegates' income less the attacker's seats' (the damage to honest delegates is its change against the twin)");
	if (!rc)
		rc = summary_detectors(W, r);
	return rc;
}
