/*
 * peer.c: the peer-tokenomics model, the same work a cadCAD/radCAD
 * tokenomics model does, run through the engine and the protocol library
 * (docs/performance.md compares the two). One event per 10 s block:
 *
 *  - N holders start with a uniform whole number of DNET in 1..initial_max;
 *    `delegates` distinct holders are drawn as delegates.
 *  - Each block, round(payer_fraction * N) distinct payers each pay a
 *    uniform amount in [payment_min, payment_max] base units, capped at
 *    their balance, to a uniform provider other than themselves. The
 *    protocol library splits it (dnc_split_share: R-FEE-2 fee off the top,
 *    R-SHARE-1/2 relays): the fee's floor(fee / D) per delegate goes to the
 *    fee pot and its dust to the provider; with relay_probability the
 *    payment crosses 1..max_relays distinct relays sharing 50 % of the
 *    post-fee amount equally (remainder to the provider).
 *  - Block reward D x reward_per_delegate is minted: 5 % to the producer
 *    (round-robin), 95 % equally to the D delegates, the leftover units to
 *    the producer (R-EMIT-3, dnc_emission_producer_split and
 *    dnc_split_weighted). The fee pot is paid out to the delegates.
 *  - After every block: cumulative minted, the exact Gini coefficient of
 *    every holder's balance (gini.h), and conservation
 *    (sum of balances == initial + minted), checked.
 *
 * Every balance change is a dnc_ledger_* call. Random draws come from the
 * stream (seed, block height, purpose); the payment loop is sequential
 * (payments of one block depend on each other through balances) and the
 * Gini update runs on `sim.threads` threads; results never depend on them.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain_rc.h"
#include "dn_chain.h"
#include "peer.h"
#include "rng.h"

enum { PEER_BLOCK = 0 };
enum {
	PURPOSE_GENESIS = DN_RNG_PURPOSE_MODEL + 20,
	PURPOSE_DELEGATES,
	PURPOSE_PAYERS,
	PURPOSE_PAY,
	PURPOSE_KEYS,
};

/* A payment's draws, made before any payment of the chunk is applied. */
typedef struct pay_draw {
	uint32_t payer, provider;
	dn_amount amount_base; /* drawn; capped at the payer's balance when applied */
	uint32_t n_relays;
	uint32_t relay[DNC_MAX_RELAYS];
} pay_draw;

#define PAY_CHUNK 4096

typedef struct peer_world {
	/* parameters */
	uint64_t n;
	uint32_t delegates;
	dn_amount reward_per_delegate_base;
	uint64_t payers_per_block;
	uint32_t relay_threshold; /* relay path when a u32 draw is below it */
	uint32_t max_relays;
	dn_amount pay_min_base, pay_max_base, initial_max_dnet;
	dn_time_ns interval_ns;
	bool check_ledger;
	dnc_params cp;
	/* state */
	dnc_ledger *L;
	dnc_acct pot;
	uint32_t *delegate;
	uint64_t *equal_weight; /* D zeros: dnc_split_weighted's "equal" */
	dn_amount *share;       /* D */
	int kind;
	int64_t *ranked;     /* agent column: balance as last ranked for the Gini */
	uint32_t *payments;  /* agent column: payments made */
	dn_gini gini;
	uint64_t *pick;      /* n bits: distinct-payer sampling */
	uint32_t *payers;
	pay_draw *draws; /* PAY_CHUNK */
	int64_t initial_total_base, minted_base, fees_block_base, paid_block_base;
	uint64_t height, recorded_height;
	uint64_t fingerprint;   /* hash of every recorded sample */
	bool check_gini;
	int s_minted, s_gini, s_fees, s_paid;
} peer_world;

static const dn_param_def peer_params[] = {
	{"peer.agents", DN_PT_INT, "1", "1000", 200, 100000000, NULL, "number of holders (agents)"},
	{"peer.delegates", DN_PT_INT, "1", "180", 1, 10000, NULL, "delegates drawn from the holders (R-CONS-1)"},
	{"peer.reward_per_delegate_base", DN_PT_INT, "base units", "99093099", 0, 1e12, NULL,
	 "block reward per delegate, t (R-EMIT-1)"},
	{"peer.block_interval_s", DN_PT_FLOAT, "s", "10", 0.001, 86400, NULL, "time between blocks (R-CHAIN-1)"},
	{"peer.payer_fraction", DN_PT_FLOAT, "1", "0.01", 0, 0.5, NULL,
	 "share of holders paying in each block (distinct payers)"},
	{"peer.payment_min_base", DN_PT_INT, "base units", "1000000", 0, 1e15, NULL, "smallest payment drawn"},
	{"peer.payment_max_base", DN_PT_INT, "base units", "100000000", 0, 1e15, NULL,
	 "largest payment drawn (then capped at the payer's balance)"},
	{"peer.relay_probability", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL,
	 "probability that a payment goes over an ad hoc relay path (R-SHARE-2)"},
	{"peer.max_relays", DN_PT_INT, "1", "3", 1, 16, NULL, "relays on a path: uniform in 1..max"},
	{"peer.fee_ppm", DN_PT_INT, "ppm", "5000", 0, 5000, NULL, "community fee (R-FEE-2), at most 0.5 %"},
	{"peer.initial_max_dnet", DN_PT_INT, "DNET", "1000", 1, 1000000, NULL,
	 "initial balances: uniform whole DNET in 1..this"},
	{"peer.check_ledger", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "also scan the whole ledger for conservation after every block (slow; tests)"},
	{"peer.check_gini", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "also recompute the Gini coefficient by sorting after every block and compare (slow; tests)"},
};

static const dn_column_def peer_columns[] = {
	{"ranked_balance", sizeof(int64_t), "balance as last ranked for the Gini coefficient, base units"},
	{"payments", sizeof(uint32_t), "payments made"},
};

static const dn_kind_def holder_kind = {
	"holder", peer_columns, sizeof peer_columns / sizeof peer_columns[0], "DNET holder",
};

/* Uniform integer in [0, n) from 64 random bits (n < 2^63). */
static uint64_t bounded64(uint64_t r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)r * n) >> 64);
}

/* A failed call into the protocol library stops the run (chain_rc.h). */
static dn_rc chain_err(dn_world *w, const char *what, dnc_rc rc)
{
	return dn_chain_fail(w, "while running the peer model", what, rc);
}

/* Reads the peer.* parameters into pw and checks them against each other. */
static dn_rc peer_read_params(dn_world *w, peer_world *pw, const dn_scenario *s)
{
	if (dn_world_nparts(w) != 1) {
		dn_world_set_error(w, "the peer model runs in one partition (sim.partitions: 1); "
		                      "its parallelism is inside each block");
		return DN_ERANGE;
	}
	pw->n = (uint64_t)dn_scn_int(s, "peer.agents");
	pw->delegates = (uint32_t)dn_scn_int(s, "peer.delegates");
	pw->reward_per_delegate_base = dn_scn_int(s, "peer.reward_per_delegate_base");
	pw->interval_ns = (dn_time_ns)nearbyint(dn_scn_float(s, "peer.block_interval_s") * (double)DN_NS_PER_S);
	pw->payers_per_block = (uint64_t)llround(dn_scn_float(s, "peer.payer_fraction") * (double)pw->n);
	double rp = dn_scn_float(s, "peer.relay_probability");
	pw->relay_threshold = rp >= 1.0 ? UINT32_MAX : (uint32_t)(rp * 4294967296.0);
	pw->max_relays = (uint32_t)dn_scn_int(s, "peer.max_relays");
	pw->pay_min_base = dn_scn_int(s, "peer.payment_min_base");
	pw->pay_max_base = dn_scn_int(s, "peer.payment_max_base");
	pw->initial_max_dnet = dn_scn_int(s, "peer.initial_max_dnet");
	pw->check_ledger = dn_scn_bool(s, "peer.check_ledger");
	pw->check_gini = dn_scn_bool(s, "peer.check_gini");
	if (pw->pay_max_base < pw->pay_min_base) {
		dn_world_set_error(w, "peer.payment_max_base (%" PRId64 ") is below peer.payment_min_base (%" PRId64 ")",
		                   pw->pay_max_base, pw->pay_min_base);
		return DN_ERANGE;
	}
	if (pw->delegates > pw->n || pw->max_relays + 2 > pw->n) {
		dn_world_set_error(w, "peer.agents (%" PRIu64 ") is too small for the delegates and relays", pw->n);
		return DN_ERANGE;
	}
	dnc_params_default(&pw->cp);
	pw->cp.community_fee_ppm = (uint32_t)dn_scn_int(s, "peer.fee_ppm");
	pw->cp.delegates = pw->delegates;
	pw->cp.check_conservation = 0;
	return DN_OK;
}

/* Adds the holder kind and allocates the per-block work arrays. */
static dn_rc peer_alloc(dn_world *w, peer_world *pw)
{
	dn_rc rc = dn_world_add_kind(w, &holder_kind, pw->n, &pw->kind);
	if (rc)
		return rc;
	dn_store *st = dn_world_store(w, pw->kind);
	pw->ranked = dn_store_col(st, 0);
	pw->payments = dn_store_col(st, 1);
	pw->delegate = calloc(pw->delegates, sizeof *pw->delegate);
	pw->equal_weight = calloc(pw->delegates, sizeof *pw->equal_weight);
	pw->share = calloc(pw->delegates, sizeof *pw->share);
	pw->pick = calloc((pw->n + 63) / 64, sizeof *pw->pick);
	pw->payers = calloc(pw->payers_per_block ? pw->payers_per_block : 1, sizeof *pw->payers);
	pw->draws = calloc(PAY_CHUNK, sizeof *pw->draws);
	if (!pw->delegate || !pw->pick || !pw->payers || !pw->draws || !pw->equal_weight || !pw->share)
		return DN_ENOMEM;
	return DN_OK;
}

/* Creates the ledger with its accounts and mints the genesis balances. */
static dn_rc peer_ledger(dn_world *w, peer_world *pw, uint64_t seed)
{
	/* The ledger: holders are accounts 0..n-1 (synthetic keys: no
	 * signature is ever checked in this model), the fee pot is n. */
	dnc_rc crc = dnc_ledger_create((uint32_t)pw->n + 1, pw->cp.supply_base, &pw->L);
	if (crc)
		return chain_err(w, "creating the ledger", crc);
	for (uint64_t a = 0; a <= pw->n; a++) {
		dnc_pubkey pk;
		uint32_t blk[4];
		for (int k = 0; k < 2; k++) {
			dn_rng_block(seed, (uint32_t)a, PURPOSE_KEYS, (uint64_t)k, blk);
			memcpy(pk.b + 16 * k, blk, 16);
		}
		dnc_acct idx;
		crc = dnc_ledger_add(pw->L, &pk, &idx);
		if (crc || idx != a)
			return chain_err(w, "adding an account", crc ? crc : DNC_EEXISTS);
	}
	pw->pot = (dnc_acct)pw->n;
	/* Genesis: uniform whole DNET. */
	dn_rng r;
	dn_rng_init(&r, seed, 0, PURPOSE_GENESIS, 0);
	for (uint64_t a = 0; a < pw->n; a++) {
		dn_amount v = (dn_amount)(1 + bounded64(dn_rng_u64(&r), (uint64_t)pw->initial_max_dnet)) * DNC_UNITS_PER_DNET;
		crc = dnc_ledger_mint(pw->L, (dnc_acct)a, v);
		if (crc)
			return chain_err(w, "minting the initial balances", crc);
		pw->ranked[a] = v;
		pw->initial_total_base += v;
	}
	return DN_OK;
}

/* Draws the delegates: distinct holders (Floyd's sampling). */
static void peer_pick_delegates(peer_world *pw, uint64_t seed)
{
	dn_rng r;
	dn_rng_init(&r, seed, 0, PURPOSE_DELEGATES, 0);
	for (uint64_t j = pw->n - pw->delegates, i = 0; j < pw->n; j++, i++) {
		uint64_t t = bounded64(dn_rng_u64(&r), j + 1);
		if (pw->pick[t >> 6] & (UINT64_C(1) << (t & 63)))
			t = j;
		pw->pick[t >> 6] |= UINT64_C(1) << (t & 63);
		pw->delegate[i] = (uint32_t)t;
	}
	for (uint32_t i = 0; i < pw->delegates; i++)
		pw->pick[pw->delegate[i] >> 6] = 0;
}

static dn_rc peer_init(dn_world *w, const dn_scenario *s)
{
	peer_world *pw = dn_world_model(w);
	dn_rc rc = peer_read_params(w, pw, s);
	if (rc)
		return rc;
	rc = peer_alloc(w, pw);
	if (rc)
		return rc;
	const uint64_t seed = dn_world_seed(w);
	rc = peer_ledger(w, pw, seed);
	if (rc)
		return rc;
	peer_pick_delegates(pw, seed);
	/* Changed agents per block: payers, providers, relays, delegates. */
	uint64_t cap = pw->payers_per_block * (2 + pw->max_relays) + pw->delegates;
	rc = dn_gini_init(&pw->gini, pw->ranked, pw->n, cap < pw->n ? cap : pw->n);
	if (rc) {
		dn_world_set_error(w, "cannot allocate the Gini structure for %" PRIu64 " agents", pw->n);
		return rc;
	}
	return DN_OK;
}

static dn_rc mark(dn_world *w, peer_world *pw, uint32_t a)
{
	dn_rc rc = dn_gini_mark(&pw->gini, a);
	if (rc)
		dn_world_set_error(w, "more changed agents in one block than the Gini structure was sized for");
	return rc;
}

static dn_rc xfer(dn_world *w, peer_world *pw, dnc_acct from, dnc_acct to, dn_amount v)
{
	if (v == 0)
		return DN_OK;
	dnc_rc crc = dnc_ledger_transfer(pw->L, from, to, v);
	return crc ? chain_err(w, "transfer", crc) : DN_OK;
}

dn_rc dn_peer_pay(dn_world *w, uint32_t payer, uint32_t provider, const uint32_t *relays,
                  uint32_t n_relays, dn_amount amount_base, dn_amount *fee_per_delegate_base)
{
	peer_world *pw = dn_world_model(w);
	dnc_share_split sp;
	dnc_rc crc = dnc_split_share(&pw->cp, amount_base, n_relays, NULL, &sp); /* R-FEE-2, R-SHARE-1/2 */
	if (crc)
		return chain_err(w, "splitting a payment", crc);
	dn_amount per = sp.fee / pw->delegates;
	dn_amount dust = sp.fee - per * pw->delegates;
	/* the fee is cut into D equal parts and a remainder below D */
	assert(pw->delegates > 0 && sp.fee >= 0 && sp.fee <= amount_base && dust >= 0 && dust < (dn_amount)pw->delegates);
#ifndef NDEBUG
	/* the split moves the whole payment, no more and no less */
	dn_amount moved = sp.fee + sp.provider;
	for (uint32_t i = 0; i < n_relays; i++)
		moved += sp.relay[i];
	assert(moved == amount_base);
#endif
	dn_rc rc = xfer(w, pw, payer, provider, sp.provider + dust);
	for (uint32_t i = 0; !rc && i < n_relays; i++)
		rc = xfer(w, pw, payer, relays[i], sp.relay[i]);
	if (!rc)
		rc = xfer(w, pw, payer, pw->pot, per * pw->delegates);
	if (rc)
		return rc;
	*fee_per_delegate_base += per;
	pw->paid_block_base += amount_base;
	pw->fees_block_base += sp.fee;
	rc = mark(w, pw, payer);
	if (!rc)
		rc = mark(w, pw, provider);
	for (uint32_t i = 0; !rc && i < n_relays; i++)
		rc = mark(w, pw, relays[i]);
	return rc;
}

/* R-EMIT-3: mint the block reward; the producer is delegate height % D. */
static dn_rc block_reward(dn_world *w, peer_world *pw, dn_amount fee_per_delegate_base)
{
	const uint32_t D = pw->delegates;
	dn_amount reward = pw->reward_per_delegate_base * (dn_amount)D, prod, pools;
	dnc_rc crc = dnc_emission_producer_split(&pw->cp, reward, &prod, &pools);
	if (crc)
		return chain_err(w, "producer split", crc);
	dn_amount *share = pw->share;
	/* Equal weights: equal floors, the leftover to index 0, the producer. */
	crc = dnc_split_weighted(pools, pw->equal_weight, D, share);
	if (crc)
		return chain_err(w, "pool split", crc);
	/* the producer's part and the pools' add up to the reward */
	assert(prod >= 0 && pools >= 0 && prod + pools == reward);
	uint32_t producer = (uint32_t)((pw->height - 1) % D);
	for (uint32_t i = 0; i < D; i++) {
		uint32_t d = (producer + i) % D;
		dnc_acct a = pw->delegate[d];
		assert(a < pw->n); /* delegates are holders */
		crc = dnc_ledger_mint(pw->L, a, share[i] + (i == 0 ? prod : 0));
		if (crc)
			return chain_err(w, "minting the block reward", crc);
		dn_rc rc = xfer(w, pw, pw->pot, a, fee_per_delegate_base);
		if (!rc)
			rc = mark(w, pw, a);
		if (rc)
			return rc;
	}
	pw->minted_base += reward;
	if (dnc_ledger_balance(pw->L, pw->pot) != 0) {
		dn_world_set_error(w, "block %" PRIu64 ": fee pot not empty after the payout", pw->height);
		return DN_EINVAL;
	}
	return DN_OK;
}

/*
 * Draws of payment i of the block: its own stream (seed, i, purpose) at
 * block offset height << 24, so a payment's draws depend only on the seed,
 * the height and i: they can be made in parallel, in any order.
 */
static void draw_payment(const peer_world *pw, uint64_t seed, uint64_t i, pay_draw *d)
{
	dn_rng r;
	const uint64_t first = pw->height << 24;
	dn_rng_init(&r, seed, (uint32_t)i, PURPOSE_PAY, first);
	const uint64_t n = pw->n;
	d->amount_base = pw->pay_min_base + (dn_amount)bounded64(dn_rng_u64(&r), (uint64_t)(pw->pay_max_base - pw->pay_min_base) + 1);
	d->provider = (uint32_t)bounded64(dn_rng_u64(&r), n - 1);
	d->provider += d->provider >= d->payer;
	d->n_relays = 0;
	uint64_t rr = dn_rng_u64(&r);
	if ((uint32_t)rr < pw->relay_threshold) {
		uint32_t want = 1 + (uint32_t)(((rr >> 32) * pw->max_relays) >> 32);
		/* Distinct relays, neither payer nor provider: rejection, bounded
		 * (n >= max_relays + 2, so each try succeeds with p >= 1/n). */
		for (int tries = 0; d->n_relays < want && tries < 1000000; tries++) {
			uint32_t c = (uint32_t)bounded64(dn_rng_u64(&r), n);
			bool dup = c == d->payer || c == d->provider;
			for (uint32_t j = 0; j < d->n_relays; j++)
				dup = dup || d->relay[j] == c;
			if (!dup)
				d->relay[d->n_relays++] = c;
		}
	}
	/* a payment of a holder to another holder, in the drawn range, over
	 * at most max_relays relays (the relay array's size) */
	assert(d->payer < n && d->provider < n && d->provider != d->payer);
	assert(d->amount_base >= pw->pay_min_base && d->amount_base <= pw->pay_max_base);
	assert(d->n_relays <= pw->max_relays && pw->max_relays <= DNC_MAX_RELAYS);
	/* the stream stays within this block's 2^24 indexes: blocks never share draws */
	assert(r.index - first < (UINT64_C(1) << 24));
	(void)first;
}

static dn_rc peer_block(dn_part *p, const dn_event *ev)
{
	dn_world *w = dn_part_world(p);
	peer_world *pw = dn_world_model(w);
	pw->height++;
	pw->fees_block_base = pw->paid_block_base = 0;
	const uint64_t n = pw->n, m = pw->payers_per_block, seed = dn_world_seed(w);
	/* Distinct payers (Floyd's sampling), in drawing order. */
	dn_rng r;
	dn_rng_init(&r, seed, (uint32_t)pw->height, PURPOSE_PAYERS, 0);
	for (uint64_t j = n - m, i = 0; j < n; j++, i++) {
		uint64_t t = bounded64(dn_rng_u64(&r), j + 1);
		if (pw->pick[t >> 6] & (UINT64_C(1) << (t & 63)))
			t = j;
		pw->pick[t >> 6] |= UINT64_C(1) << (t & 63);
		pw->payers[i] = (uint32_t)t;
	}
	assert(m <= n);
	for (uint64_t i = 0; i < m; i++)
		pw->pick[pw->payers[i] >> 6] = 0;

	dn_amount fee_per_delegate_base = 0;
	const dn_amount *bal = dnc_ledger_balances(pw->L);
	pay_draw *dr = pw->draws;
	for (uint64_t c0 = 0; c0 < m; c0 += PAY_CHUNK) {
		const uint64_t cn = m - c0 < PAY_CHUNK ? m - c0 : PAY_CHUNK;
#pragma omp parallel for schedule(static) num_threads(dn_world_threads(w))
		for (uint64_t i = 0; i < cn; i++) {
			dr[i].payer = pw->payers[c0 + i];
			draw_payment(pw, seed, c0 + i, &dr[i]);
		}
		/* Apply in order: payments depend on each other through balances. */
		for (uint64_t i = 0; i < cn; i++) {
			if (i + 8 < cn) { /* the accounts of a later payment, early */
				__builtin_prefetch(&bal[dr[i + 8].payer]);
				__builtin_prefetch(&bal[dr[i + 8].provider]);
				__builtin_prefetch(&pw->ranked[dr[i + 8].payer]);
			}
			const pay_draw *d = &dr[i];
			dn_amount amount_base = d->amount_base < bal[d->payer] ? d->amount_base : bal[d->payer];
			assert(amount_base >= 0); /* ledger balances are never negative */
			if (amount_base == 0)
				continue;
			pw->payments[d->payer]++;
			dn_rc rc = dn_peer_pay(w, d->payer, d->provider, d->relay, d->n_relays, amount_base,
			                       &fee_per_delegate_base);
			if (rc)
				return rc;
		}
	}
	dn_rc rc = block_reward(w, pw, fee_per_delegate_base);
	if (rc)
		return rc;
	dn_time_ns next = ev->t + pw->interval_ns;
	if (next < dn_world_end(w))
		rc = dn_send(p, next, 0, 0, PEER_BLOCK, 0, 0);
	return rc;
}

static const dn_handler_fn peer_handlers[] = {peer_block};

static dn_rc peer_part_init(dn_part *p)
{
	peer_world *pw = dn_world_model(dn_part_world(p));
	/* Block h at (h - 1/2) intervals; samples at whole intervals see it. */
	return dn_send(p, pw->interval_ns / 2, 0, 0, PEER_BLOCK, 0, 0);
}

static dn_rc peer_declare(dn_world *w, dn_results *r)
{
	peer_world *pw = dn_world_model(w);
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_series(r, "minted", DN_VT_I64, "base units",
	                             "cumulative block rewards minted (1 DNET = 1e8 base units)", &pw->s_minted);
	if (!rc)
		rc = dn_results_series(r, "gini", DN_VT_F64, "1", "Gini coefficient of all holders' balances",
		                       &pw->s_gini);
	if (!rc)
		rc = dn_results_series(r, "fees", DN_VT_I64, "base units", "community fees paid in the block",
		                       &pw->s_fees);
	if (!rc)
		rc = dn_results_series(r, "paid", DN_VT_I64, "base units", "payments made in the block",
		                       &pw->s_paid);
	return rc;
}

static dn_rc peer_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	peer_world *pw = dn_world_model(w);
	if (pw->height == pw->recorded_height)
		return DN_OK;
	pw->recorded_height = pw->height;
	dn_gini_commit(&pw->gini, pw->ranked, dnc_ledger_balances(pw->L), dn_world_threads(w));
	/* Conservation: the merge pass summed every holder's balance. */
	if (pw->gini.s1 != pw->initial_total_base + pw->minted_base) {
		dn_world_set_error(w, "block %" PRIu64 ": balances sum to %" PRId64 ", not initial %" PRId64
		                   " + minted %" PRId64, pw->height, pw->gini.s1, pw->initial_total_base, pw->minted_base);
		return DN_EINVAL;
	}
	if (pw->check_ledger) {
		dnc_rc crc = dnc_ledger_check_conservation(pw->L);
		if (crc)
			return chain_err(w, "ledger conservation", crc);
	}
	if (pw->check_gini) {
		unsigned __int128 s2;
		int64_t s1;
		double g = dn_gini_direct(dnc_ledger_balances(pw->L), pw->n, &s2, &s1);
		if (g < 0 || s2 != pw->gini.s2 || s1 != pw->gini.s1 || g != dn_gini_value(&pw->gini)) {
			dn_world_set_error(w, "block %" PRIu64 ": incremental Gini %.17g differs from the sorted one %.17g",
			                   pw->height, dn_gini_value(&pw->gini), g);
			return DN_EINVAL;
		}
	}
	double gv = dn_gini_value(&pw->gini);
	uint64_t gbits;
	memcpy(&gbits, &gv, sizeof gbits);
	uint64_t h = pw->fingerprint;
	const uint64_t parts[4] = {(uint64_t)pw->minted_base, gbits, (uint64_t)pw->fees_block_base, (uint64_t)pw->paid_block_base};
	for (int i = 0; i < 4; i++)
		h = (h ^ parts[i]) * 0x100000001B3u + 0x9E3779B97F4A7C15u;
	pw->fingerprint = h;
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_append_i64(r, pw->s_minted, t, pw->minted_base);
	if (!rc)
		rc = dn_results_append_f64(r, pw->s_gini, t, gv);
	if (!rc)
		rc = dn_results_append_i64(r, pw->s_fees, t, pw->fees_block_base);
	if (!rc)
		rc = dn_results_append_i64(r, pw->s_paid, t, pw->paid_block_base);
	return rc;
}

static dn_rc peer_finish(dn_world *w, dn_results *r)
{
	peer_world *pw = dn_world_model(w);
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_summary_i64(r, "peer_blocks", (int64_t)pw->height, "blocks", "blocks produced");
	if (!rc)
		rc = dn_results_summary_f64(r, "peer_gini", dn_gini_value(&pw->gini), "1", "final Gini coefficient");
	if (!rc)
		rc = dn_results_summary_i64(r, "peer_minted", pw->minted_base, "base units", "block rewards minted");
	return rc;
}

static void peer_fini(dn_world *w)
{
	peer_world *pw = dn_world_model(w);
	dnc_ledger_destroy(pw->L);
	dn_gini_free(&pw->gini);
	free(pw->delegate);
	free(pw->equal_weight);
	free(pw->share);
	free(pw->pick);
	free(pw->payers);
	free(pw->draws);
}

const dn_gini *dn_peer_gini(dn_world *w)
{
	return &((peer_world *)dn_world_model(w))->gini;
}

const dnc_ledger *dn_peer_ledger(dn_world *w)
{
	return ((peer_world *)dn_world_model(w))->L;
}

uint32_t dn_peer_delegate(dn_world *w, uint32_t i)
{
	return ((peer_world *)dn_world_model(w))->delegate[i];
}

uint64_t dn_peer_fingerprint(dn_world *w)
{
	return ((peer_world *)dn_world_model(w))->fingerprint;
}

int64_t dn_peer_minted(dn_world *w)
{
	return ((peer_world *)dn_world_model(w))->minted_base;
}

uint64_t dn_peer_height(dn_world *w)
{
	return ((peer_world *)dn_world_model(w))->height;
}

static void peer_summary(dn_world *w, dn_model_summary *out)
{
	out->steps = dn_peer_height(w);
}

/*
 * Memory: the agent columns, the ledger's hot arrays (its per-account
 * records stay zero pages: nothing here locks or votes), the Gini arrays
 * and the per-block scratch, sized as peer_init sizes them. One pending
 * event. Memory does not grow with the number of blocks.
 */
static dn_rc peer_estimate(const dn_scenario *s, dn_estimate *e)
{
	const uint64_t n = (uint64_t)dn_scn_int(s, "peer.agents");
	const uint64_t d = (uint64_t)dn_scn_int(s, "peer.delegates");
	const uint64_t payers = (uint64_t)llround(dn_scn_float(s, "peer.payer_fraction") * (double)n);
	uint64_t cap = payers * (2 + (uint64_t)dn_scn_int(s, "peer.max_relays")) + d;
	if (cap > n)
		cap = n;
	uint64_t hot, records;
	dnc_ledger_footprint(n + 1, &hot, &records);
	dn_engine_estimate(&dn_model_peer, s, 1, 0, e);
	const double fixed = PAY_CHUNK * sizeof(pay_draw) +
	                     (double)d * (sizeof(uint32_t) + sizeof(uint64_t) + sizeof(dn_amount));
	e->model_bytes = (double)n * (double)dn_store_bytes_per_agent(&holder_kind) + (double)hot +
	                 dn_gini_footprint(n, cap) + (double)((n + 63) / 64) * sizeof(uint64_t) +
	                 (double)payers * sizeof(uint32_t) + fixed;
	e->series = 4;
	/* a row at each sample point after a new block */
	double blocks = ceil(dn_scn_float(s, "sim.end_time_s") / dn_scn_float(s, "peer.block_interval_s"));
	e->rows = fmin(dn_engine_samples(s), blocks);
	dn_estimate_driver_add(e, "peer.agents", (double)n, e->model_bytes - fixed, (e->model_bytes - fixed) / (double)n,
	                       "agent");
	return DN_OK;
}

static void peer_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	(void)s;
	static const char *const series[] = {"minted", "gini", "fees", "paid"};
	static const char *const summary[] = {"peer_blocks", "peer_gini", "peer_minted"};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
		emit(ctx, series[i], true);
	for (size_t i = 0; i < sizeof summary / sizeof summary[0]; i++)
		emit(ctx, summary[i], false);
}

const dn_model dn_model_peer = {
	.name = "peer",
	.doc = "peer tokenomics benchmark: payments, fees, relay splits, block rewards, exact Gini",
	.params = peer_params,
	.n_params = sizeof peer_params / sizeof peer_params[0],
	.handlers = peer_handlers,
	.n_handlers = 1,
	.world_state_size = sizeof(peer_world),
	.init = peer_init,
	.part_init = peer_part_init,
	.declare = peer_declare,
	.sample = peer_sample,
	.finish = peer_finish,
	.fini = peer_fini,
	.estimate = peer_estimate,
	.fingerprint = dn_peer_fingerprint,
	.names = peer_names,
	.summary = peer_summary,
};
