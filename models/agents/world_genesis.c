/*
 * world_genesis.c: the chain's side of set-up, once, before the first
 * event: the signature scheme and every key, one ledger account per agent
 * (contiguous from agent 0) plus the exchange's, the R-SUP-2 allocation
 * (team alpha, sale beta, community gamma: the exchange pool, the
 * consumers' airdrop and the foundation's rest), the holders' first votes
 * and the first election (R-CONS-5). Who the agents are is
 * world_population.c; the market itself is opened by world_exchange.c.
 */
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static dn_rc init_signatures(world *W)
{
	dnc_rc crc;
	if (W->cfg.keyed_sigs) {
		uint8_t key[32];
		w_key_seed(W->cfg.seed, 0, PURPOSE_SIGKEY, key);
		crc = dnc_sig_init_keyed(&W->ch.sig, key);
	} else {
		crc = dnc_sig_init_ed25519(&W->ch.sig);
	}
	return crc ? w_setup_fail(W, "signature scheme", crc) : DN_OK;
}

/* Sessions of up to W_SESSION_TABLE_DAYS of the run: the consumers'
 * request rates as drawn (the same clamp as world_consumer.c), with room
 * for the diurnal peak, retries and re-matches; the table's pages are
 * touched only as sessions open. A longer run reuses the slots of closed
 * sessions, oldest first (docs/chain.md), so the table does not grow with
 * the horizon. An open finding no slot is rejected (DNC_EFULL, counted). */
static dnc_chain_limits chain_limits(const world *W)
{
	const world_cfg *C = &W->cfg;
	double days = fmin((double)C->end_ns / DN_UNITS_NS_PER_DAY_F, W_SESSION_TABLE_DAYS) + 1.0 / 24;
	double rate = 0;
	for (uint64_t a = 0; a < C->n; a++)
		if (W->ag.role[a] & W_CONSUMER)
			rate += fmin(C->sessions_day_max, fmax(0.05, W->ag.demand_mib_day[a] / C->session_mib_target));
	double sess = rate * days * 2.0 * (1.0 + C->diurnal) + 4096;
	uint32_t attackers = w_attack_n_accounts(C);
	if (C->attack_kind == W_ATTACK_WASH || C->attack_kind == W_ATTACK_FORK) /* its pairs' sessions */
		sess += C->attack_pairs * C->attack_sessions_day * days;
	dnc_chain_limits lim = {
		.accounts = (uint32_t)C->n + 8 + attackers,
		.sessions = (uint64_t)fmin(sess, 4e9),
		.escrows = 16,
	};
	return lim;
}

/* The chain, with the foundation's key (R-ADMIN-1 retracts are signed with it). */
static dn_rc create_chain(world *W)
{
	dnc_chain_limits lim = chain_limits(W);
	dnc_pubkey fk;
	uint8_t seed[32];
	w_key_seed(W->cfg.seed, 0, PURPOSE_FOUNDATION, seed);
	dnc_rc crc = dnc_sig_keypair(&W->ch.sig, seed, &fk, W->ch.foundation_sk);
	if (crc)
		return w_setup_fail(W, "the foundation's key", crc);
	crc = dnc_chain_create(&W->cfg.cp, &W->ch.sig, &lim, &fk, &W->ch.chain);
	return crc ? w_setup_fail(W, "creating the chain", crc) : DN_OK;
}

/* One account per agent, contiguous from acct0 (keys cached for small
 * worlds), then the exchange's. */
static dn_rc add_accounts(world *W)
{
	const world_cfg *C = &W->cfg;
	dnc_ledger *L = dnc_chain_ledger(W->ch.chain); /* door: genesis */
	if (C->cache_keys) {
		W->ag.sk = malloc((size_t)C->n * DNC_SK_BYTES);
		if (!W->ag.sk)
			return DN_ENOMEM;
	}
	/* keys are derived in parallel, a chunk at a time (each agent's from
	 * its own seed, so the threads change nothing), and added in order */
	enum { CHUNK = 1 << 16 };
	dnc_pubkey *pk = malloc(CHUNK * sizeof *pk);
	if (!pk)
		return DN_ENOMEM;
	const int threads = dn_world_threads(W->w);
	for (uint64_t base = 0; base < C->n; base += CHUNK) {
		const uint64_t m = C->n - base < CHUNK ? C->n - base : CHUNK;
		int failed = 0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(| : failed)
		for (uint64_t i = 0; i < m; i++) {
			uint64_t a = base + i;
			uint8_t seed[32], sk[DNC_SK_BYTES];
			w_key_seed(C->seed, (uint32_t)a, PURPOSE_KEYS, seed);
			failed |= dnc_sig_keypair(&W->ch.sig, seed, &pk[i], W->ag.sk ? W->ag.sk + a * DNC_SK_BYTES : sk) != DNC_OK;
		}
		if (failed) {
			free(pk);
			return w_setup_fail(W, "deriving agent keys", DNC_EINVAL);
		}
		for (uint64_t i = 0; i < m; i++) {
			uint64_t a = base + i;
			dnc_acct idx;
			dnc_rc crc = dnc_ledger_add(L, &pk[i], &idx);
			const char *what = "adding agent accounts";
			if (!crc && a > 0 && idx != W->ch.acct0 + a) {
				crc = DNC_EINVAL;
				what = "agent accounts are not contiguous";
			}
			if (crc) {
				free(pk);
				return w_setup_fail(W, what, crc);
			}
			if (a == 0)
				W->ch.acct0 = idx;
		}
	}
	free(pk);
	dnc_pubkey xk;
	memset(&xk, 0xE1, sizeof xk);
	dnc_rc crc = dnc_ledger_add(L, &xk, &W->ch.exchange);
	if (crc)
		return w_setup_fail(W, "adding the exchange account", crc);
	dnc_ledger_set_flags(L, W->ch.exchange, DNC_ACCT_SYSTEM);
	return DN_OK;
}

/* Team (alpha): the first world.team_holders holders that are not
 * candidates or operators, locked (R-LOCK-1). */
static dn_rc allocate_team(world *W, dn_amount alloc)
{
	const world_cfg *C = &W->cfg;
	uint32_t team = C->team_holders;
	uint32_t *tm = calloc(team, sizeof *tm);
	if (!tm)
		return DN_ENOMEM;
	uint32_t nt = 0;
	for (uint64_t a = 0; a < C->n && nt < team; a++)
		if ((W->ag.role[a] & W_HOLDER) && !(W->ag.role[a] & (W_CANDIDATE | W_OPERATOR)))
			tm[nt++] = (uint32_t)a;
	for (uint32_t i = 0; i < nt; i++) {
		W->ag.role[tm[i]] |= W_TEAM;
		dn_amount v = alloc / nt + (i == 0 ? alloc % nt : 0);
		if (v == 0)
			continue;
		dnc_rc crc = dnc_chain_genesis(W->ch.chain, w_acct(W, tm[i]), DNC_GEN_TEAM, v); /* door: genesis */
		if (crc) {
			free(tm);
			return w_setup_fail(W, "team allocation", crc);
		}
	}
	free(tm);
	return DN_OK;
}

/* Sale (beta): holders and traders, Pareto weights (alpha 1.5); the
 * holding column holds the weights meanwhile. */
static dn_rc allocate_sale(world *W, dn_amount alloc)
{
	const world_cfg *C = &W->cfg;
	int64_t *weight = W->ag.holding_base; /* scratch, reset below */
	double wsum = 0;
	for (uint64_t a = 0; a < C->n; a++)
		if ((W->ag.role[a] & (W_HOLDER | W_TRADER)) && !(W->ag.role[a] & W_TEAM)) {
			dn_rng r;
			dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_GENESIS, 0);
			double v = w_pareto(&r, 1.5, 1e4);
			weight[a] = (int64_t)(v * DN_UNITS_PPM_F); /* fixed point, six decimals */
			wsum += (double)weight[a];
		}
	dn_amount given = 0;
	uint32_t last = W_NONE;
	dnc_acct last_to = DNC_NONE;
	for (uint64_t a = 0; a < C->n; a++)
		if (weight[a] > 0) {
			dn_amount v = (dn_amount)((double)alloc * ((double)weight[a] / wsum));
			if (given + v > alloc)
				v = alloc - given;
			/* custody: a customer's share goes to the exchange's wallet */
			dnc_acct to = w_attack_sale_to(W, (uint32_t)a);
			if (v > 0) {
				dnc_rc crc = dnc_chain_genesis(W->ch.chain, to, DNC_GEN_SALE, v); /* door: genesis */
				if (crc)
					return w_setup_fail(W, "sale allocation", crc);
			}
			given += v;
			last = (uint32_t)a;
			last_to = to;
			weight[a] = 0;
		}
	if (last != W_NONE && given < alloc) {
		dnc_rc crc = dnc_chain_genesis(W->ch.chain, last_to, DNC_GEN_SALE, alloc - given); /* door: genesis */
		if (crc)
			return w_setup_fail(W, "sale allocation", crc);
	}
	return DN_OK;
}

/* Community (gamma): the exchange pool, the consumers' airdrop (operators
 * a thousand times as much), the rest to the foundation. */
static dn_rc allocate_community(world *W, dn_amount alloc, dn_amount pool_base)
{
	const world_cfg *C = &W->cfg;
	dn_amount gleft = alloc;
	if (pool_base > gleft) {
		dn_world_set_error(W->w, "market.amm.initial_usd asks for more DNET than the community allocation "
		                         "(chain.gamma) holds: lower it or raise chain.gamma");
		return DN_ERANGE;
	}
	dnc_rc crc;
	if (pool_base > 0) {
		crc = dnc_chain_genesis(W->ch.chain, W->ch.exchange, DNC_GEN_COMMUNITY, pool_base); /* door: genesis */
		if (crc)
			return w_setup_fail(W, "exchange pool", crc);
		gleft -= pool_base;
	}
	dn_amount drop = dn_base_of_dnet(C->airdrop_dnet);
	for (uint64_t a = 0; a < C->n && drop > 0; a++)
		if (W->ag.role[a] & (W_CONSUMER | W_OPERATOR | W_CANDIDATE)) {
			dn_amount v = W->ag.role[a] & W_OPERATOR ? drop * 1000 : drop;
			if (v > gleft)
				break;
			crc = dnc_chain_genesis(W->ch.chain, w_acct(W, (uint32_t)a), DNC_GEN_COMMUNITY, v); /* door: genesis */
			if (crc)
				return w_setup_fail(W, "community airdrop", crc);
			gleft -= v;
		}
	if (gleft > 0) {
		crc = dnc_chain_genesis(W->ch.chain, dnc_chain_foundation(W->ch.chain), DNC_GEN_COMMUNITY, gleft); /* door: genesis */
		if (crc)
			return w_setup_fail(W, "foundation reserve", crc);
	}
	return DN_OK;
}

/* R-SUP-2: alpha, beta and gamma of the supply. */
static dn_rc allocate(world *W, dn_amount pool_base)
{
	const dnc_params *cp = &W->cfg.cp;
	const dn_amount supply = cp->supply_base;
	const dn_amount A = (dn_amount)((dnc_u128)supply * cp->alpha_ppm / DNC_PPM);
	const dn_amount B = (dn_amount)((dnc_u128)supply * cp->beta_ppm / DNC_PPM);
	const dn_amount G = (dn_amount)((dnc_u128)supply * cp->gamma_ppm / DNC_PPM);
	dn_rc rc = allocate_team(W, A);
	if (!rc)
		rc = allocate_sale(W, B);
	if (!rc)
		rc = allocate_community(W, G, pool_base);
	if (rc)
		return rc;
	dnc_chain_set_fundraising_end(W->ch.chain, 0);
	dnc_chain_set_admin_enabled(W->ch.chain, W->cfg.retract_base > 0);
	return DN_OK;
}

/* Initial stake votes (part of genesis): holders spread over candidates
 * by the candidates' campaign reach; a candidate stakes on itself. */
static dn_rc genesis_votes(world *W)
{
	const world_cfg *C = &W->cfg;
	dnc_ledger *L = dnc_chain_ledger(W->ch.chain); /* door: genesis */
	for (uint64_t a = 0; a < C->n; a++) {
		if (!(W->ag.role[a] & (W_HOLDER | W_CANDIDATE)))
			continue;
		dn_amount bal = dnc_ledger_balance(L, w_acct(W, (uint32_t)a));
		dn_amount v = (dn_amount)((double)bal * C->vote_fraction);
		if (v <= 0)
			continue;
		dn_rng r;
		dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_VOTES, 0);
		uint32_t c = W->dl.cand[dn_bounded32(dn_rng_u32(&r), C->candidates)];
		if (W->ag.role[a] & W_CANDIDATE)
			c = (uint32_t)a;
		dnc_rc crc = dnc_ledger_vote(L, w_acct(W, (uint32_t)a), w_acct(W, c), v, 0);
		if (crc && crc != DNC_EEXISTS)
			return w_setup_fail(W, "genesis votes", crc);
	}
	return DN_OK;
}

/* The first election, the fork tree's root, the holdings the Gini starts from. */
static dn_rc first_election(world *W)
{
	memset(&W->ch.last_hash, 0, sizeof W->ch.last_hash);
	dnc_rc crc = dnc_chain_new_epoch(W->ch.chain, 0, &W->ch.last_hash, &W->ch.sched);
	if (crc == DNC_ENOTFOUND) {
		dn_world_set_error(W->w, "the first election found nobody to seat: no traffic is credited at "
		                         "genesis, so only stake seats can be filled, and there are none or nobody voted "
		                         "(chain.lambda = %g): set chain.lambda above 0 and give holders or candidates DNET "
		                         "(chain.alpha/beta/gamma, world.holder_fraction, consumer.airdrop_dnet)",
		                   dn_share_of_ppm((double)W->cfg.cp.lambda_ppm));
		return DN_EINVAL;
	}
	if (crc)
		return w_setup_fail(W, "first election", crc);
	crc = dnc_forktree_init(&W->fk.ft, 1u << 16, &W->ch.last_hash);
	if (crc)
		return w_setup_fail(W, "fork tree", crc);
	W->fk.tip[0] = W->fk.tip[1] = W->ch.last_hash;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	for (uint64_t a = 0; a < W->cfg.n; a++)
		W->ag.ranked_base[a] = W->ag.holding_base[a] = dnc_ledger_holdings(L, w_acct(W, (uint32_t)a));
	return DN_OK;
}

dn_rc w_make_genesis(world *W, const dn_scenario *s)
{
	dn_rc rc = init_signatures(W);
	if (!rc)
		rc = create_chain(W);
	if (!rc)
		rc = add_accounts(W);
	if (!rc)
		rc = w_attack_accounts(W);
	dn_amount pool_base = 0;
	if (!rc)
		rc = w_exchange_open(W, s, &pool_base);
	if (!rc)
		rc = allocate(W, pool_base);
	if (!rc)
		rc = genesis_votes(W);
	if (!rc)
		rc = first_election(W);
	if (!rc)
		rc = w_attack_turn(W);
	return rc;
}
