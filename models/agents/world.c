/*
 * world.c: the DNET world model's parameters, set-up, recording and
 * tear-down. The agents' events are in world_agents.c, the block step in
 * world_block.c; world.h says how the parts fit.
 */
#include "world.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "content.h"

enum { PURPOSE_ROLE = 0x57010, PURPOSE_POS, PURPOSE_DEMAND, PURPOSE_KEYS, PURPOSE_GENESIS,
       PURPOSE_VOTES, PURPOSE_SHARER, PURPOSE_SIGKEY, PURPOSE_VILLAGE, PURPOSE_FOUNDATION };

static const dn_param_def world_params[] = {
	/* population */
	{"world.agents", DN_PT_INT, "1", "20000", 2, 4e9, NULL, "agents in the world (every role together)"},
	{"world.area_km", DN_PT_FLOAT, "km", "2", 0.05, 5000, NULL, "side of the square area; sim.partitions tiles cut it"},
	{"world.villages_per_km2", DN_PT_FLOAT, "1/km2", "0", 0, 1e4, NULL,
	 "settlements per km2 (0: agents spread uniformly); world.village_share of the agents live in them"},
	{"world.village_share", DN_PT_FLOAT, "1", "0.8", 0, 1, NULL, "share of agents living in a settlement when there are settlements"},
	{"world.village_radius_m", DN_PT_FLOAT, "m", "150", 1, 1e5, NULL, "spread (standard deviation) of a settlement's homes around its centre"},
	{"world.consumer_fraction", DN_PT_FLOAT, "1", "0.7", 0, 1, NULL, "share of agents that buy service"},
	{"world.sharer_fraction", DN_PT_FLOAT, "1", "0.15", 0, 1, NULL, "share of agents that can share their access link (R-SHARE-1)"},
	{"world.relay_fraction", DN_PT_FLOAT, "1", "0.1", 0, 1, NULL, "share of agents that relay on ad hoc paths (R-SHARE-2)"},
	{"world.holder_fraction", DN_PT_FLOAT, "1", "0.05", 0, 1, NULL, "share of agents holding DNET from the sale who vote (R-CONS-5)"},
	{"world.trader_fraction", DN_PT_FLOAT, "1", "0.02", 0, 1, NULL, "share of agents trading DNET on the exchange"},
	{"world.site_fraction", DN_PT_FLOAT, "1", "0.005", 0, 1, NULL, "share of agents owning a home node an operator may rent as a small cell (R-RENT-1)"},
	{"world.candidates", DN_PT_INT, "1", "250", 1, 100000, NULL, "delegate candidates campaigning for stake seats (R-CONS-5)"},
	{"world.operators", DN_PT_INT, "1", "3", 0, 1000, NULL, "telecom operators renting micro sites"},
	{"world.team_holders", DN_PT_INT, "1", "20", 1, 100000, NULL, "holders sharing the team allocation alpha (locked, R-LOCK-1)"},
	{"world.fraud_fraction", DN_PT_FLOAT, "1", "0.01", 0, 1, NULL, "share of sharers redeeming forged, replayed or inflated credentials (R-CRED-7)"},
	{"world.free_rider_fraction", DN_PT_FLOAT, "1", "0.01", 0, 1, NULL, "share of consumers that stop signing credentials mid-session (R-CRED-5)"},
	{"world.layout", DN_PT_ENUM, "", "random", 0, 0, "random|line",
	 "random: roles drawn by the fractions, positions uniform in the tiles; line: agents on a line in one tile with the roles of world.line_roles (hand-checkable worlds)"},
	{"world.line_roles", DN_PT_STRING, "", "CS", 1, 4096, NULL,
	 "layout line: one letter per agent from x = 0: C consumer, S sharer, R relay, H holder, D candidate, T trader, O operator, W site, . nobody"},
	{"world.line_spacing_m", DN_PT_FLOAT, "m", "50", 0.01, 1e5, NULL, "layout line: distance between neighbours"},
	{"world.gini_interval_blocks", DN_PT_INT, "blocks", "1", 1, 1e6, NULL,
	 "the exact Gini coefficient and top-1 % share are brought up to date every this many blocks (each update is one pass over every agent's holdings); blocks in between record NaN for them unless nothing changed"},
	{"world.check_ledger", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "also scan the whole ledger for conservation after every block (slow; tests); the check over the accounts each block wrote always runs"},
	/* consumers */
	{"consumer.mib_per_day", DN_PT_FLOAT, "MiB", "300", 0, 1e7, NULL, "mean traffic a consumer wants per day"},
	{"consumer.pareto_alpha", DN_PT_FLOAT, "1", "1.15", 1.01, 10, NULL, "tail of the per-consumer demand (1.15: about 1 % of users take over half, SPEC 7)"},
	{"consumer.session_mib", DN_PT_FLOAT, "MiB", "50", 1, 1e6, NULL, "typical session size; heavy users open more sessions"},
	{"consumer.sessions_per_day_max", DN_PT_FLOAT, "1", "48", 0.01, 10000, NULL, "cap on a consumer's sessions per day"},
	{"consumer.diurnal_amplitude", DN_PT_FLOAT, "1", "0.6", 0, 1, NULL, "demand swing over the day: rate x (1 + a sin), peak at 18:00"},
	{"consumer.wtp_usd_per_gb", DN_PT_FLOAT, "USD/GB", "2", 0, 1e4, NULL, "median price a consumer accepts (log-normal over consumers)"},
	{"consumer.wtp_sigma", DN_PT_FLOAT, "1", "0.6", 0, 5, NULL, "log-normal spread of the accepted price"},
	{"consumer.usd_per_month", DN_PT_FLOAT, "USD", "20", 0, 1e6, NULL, "money a consumer can spend on DNET per month"},
	{"consumer.deposit_factor", DN_PT_FLOAT, "1", "1.2", 1, 100, NULL, "deposit covers this multiple of the units wanted (R-CRED-2)"},
	{"consumer.credential_interval_s", DN_PT_FLOAT, "s", "10", 0.1, 3600, NULL, "a served consumer signs a cumulative credential this often (R-CRED-4)"},
	{"consumer.airdrop_dnet", DN_PT_FLOAT, "DNET", "100", 0, 1e9, NULL, "community allocation (gamma) each consumer starts with"},
	/* sharers */
	{"sharer.quota_gb_month", DN_PT_FLOAT, "GB", "100", 0, 1e6, NULL, "monthly shareable quota (R-SHARE-1)"},
	{"sharer.price_usd_per_gb", DN_PT_FLOAT, "USD/GB", "0.5", 0, 1e4, NULL, "median asking price; converted to DNET at the market price"},
	{"sharer.strategy", DN_PT_ENUM, "", "mixed", 0, 0, "fixed|undercut|adaptive|mixed", "price setting: fixed, undercut the local cheapest, adapt to utilisation, or a mix (one third each)"},
	{"sharer.access_cost_usd_month", DN_PT_FLOAT, "USD", "30", 0, 1e6, NULL, "what the sharer's access link costs per month"},
	{"sharer.join_ratio", DN_PT_FLOAT, "1", "0.05", 0, 100, NULL, "an idle sharer starts sharing when the expected income covers this share of its link cost"},
	{"sharer.leave_ratio", DN_PT_FLOAT, "1", "0.01", 0, 100, NULL, "a sharer stops sharing when its income over the last day falls below this share of its link cost"},
	{"sharer.active_initial", DN_PT_FLOAT, "1", "0.6", 0, 1, NULL, "share of sharers sharing at the start"},
	{"sharer.range_m", DN_PT_FLOAT, "m", "55", 1, 10000, NULL, "Wi-Fi range of a sharer's access point (capped at what the 802.11a model reaches)"},
	{"sharer.max_sessions", DN_PT_INT, "1", "8", 1, 65535, NULL, "sessions a sharer serves at once"},
	{"sharer.uptime_mean_h", DN_PT_FLOAT, "h", "20", 0.01, 1e5, NULL, "mean time a sharer stays online (exponential)"},
	{"sharer.downtime_mean_h", DN_PT_FLOAT, "h", "2", 0.01, 1e5, NULL, "mean time a sharer stays offline"},
	{"sharer.sell_fraction", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "share of hourly earnings a sharer sells for USD"},
	{"sharer.degrade_probability", DN_PT_FLOAT, "1", "0.002", 0, 1, NULL, "chance per credential interval that a link degrades and the consumer re-matches (R-CRED-3)"},
	/* relays */
	{"relay.max_hops", DN_PT_INT, "1", "3", 0, W_MAX_RELAYS, NULL, "relays on an ad hoc path at most (R-SHARE-2)"},
	{"relay.range_m", DN_PT_FLOAT, "m", "55", 1, 10000, NULL, "Wi-Fi range between a relay and its neighbours (capped at what the 802.11a model reaches)"},
	{"relay.uptime_mean_h", DN_PT_FLOAT, "h", "3", 0.01, 1e5, NULL, "mean time a relay (mobile client) stays; then it moves or leaves"},
	{"relay.downtime_mean_h", DN_PT_FLOAT, "h", "1", 0.01, 1e5, NULL, "mean time a relay is away"},
	/* delegates and holders */
	{"delegate.cost_usd_per_day", DN_PT_FLOAT, "USD", "2", 0, 1e6, NULL, "fixed running cost of a candidate's node per day (bandwidth, upkeep)"},
	{"delegate.energy_kwh_per_day", DN_PT_FLOAT, "kWh", "10", 0, 1e6, NULL, "energy a candidate's node uses per day"},
	{"delegate.usd_per_kwh", DN_PT_FLOAT, "USD/kWh", "0.15", 0, 100, NULL, "price of energy"},
	{"delegate.storage_usd_per_gb_month", DN_PT_FLOAT, "USD/GB", "0.03", 0, 1e3, NULL,
	 "storage price; a delegate keeps the whole chain (R-CHAIN-2), which grows with every block"},
	{"delegate.campaign_usd_per_day", DN_PT_FLOAT, "USD", "1", 0, 1e6, NULL,
	 "median campaign spending of a candidate per day (log-normal over candidates); holders hear of candidates in proportion to it"},
	{"delegate.availability", DN_PT_FLOAT, "1", "0.99", 0, 1, NULL, "chance a stake delegate produces its slot (else missed, R-CONS-6)"},
	{"delegate.sell_fraction", DN_PT_FLOAT, "1", "1", 0, 1, NULL, "share of its earnings a delegate sells to pay its running cost"},
	{"delegate.quit_ratio", DN_PT_FLOAT, "1", "0.5", 0, 100, NULL, "a candidate stops campaigning when its income over a day is below this share of its cost"},
	{"world.team_sell_fraction", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "share of each monthly team unlock (R-LOCK-1) the team sells"},
	{"admin.retract_dnet", DN_PT_FLOAT, "DNET", "10", 0, 1e9, NULL,
	 "R-ADMIN-1: the foundation retracts this much from a sharer each time its forged or replayed credential is caught (0: never)"},
	{"holder.vote_fraction", DN_PT_FLOAT, "1", "0.8", 0, 1, NULL, "share of its balance a holder votes with (R-CONS-5)"},
	/* operators and sites */
	{"site.rent_usd_per_hour", DN_PT_FLOAT, "USD", "0.2", 0, 1e6, NULL, "price a site owner asks per hour (paid in DNET, R-RENT-1)"},
	{"operator.price_usd_per_gb", DN_PT_FLOAT, "USD/GB", "1", 0, 1e4, NULL, "price an operator asks on a rented small cell"},
	{"operator.cell_range_m", DN_PT_FLOAT, "m", "200", 10, 10000, NULL,
	 "range of a rented small cell, capped at where the calibrated cell model (net.cell.*) still delivers"},
	{"operator.cell_backhaul_mbps", DN_PT_FLOAT, "Mbit/s", "1000", 1, 1e5, NULL, "backhaul of a rented small cell, shared by its users"},
	{"operator.cell_max_sessions", DN_PT_INT, "1", "64", 1, 65535, NULL, "sessions a small cell serves at once"},
	/* traders */
	{"trader.usd", DN_PT_FLOAT, "USD", "10000", 0, 1e12, NULL, "USD a trader starts with"},
	{"trader.trade_probability", DN_PT_FLOAT, "1", "0.25", 0, 1, NULL, "chance per hour that a trader reconsiders"},
	{"trader.trade_fraction", DN_PT_FLOAT, "1", "0.1", 0, 1, NULL, "share of its USD or DNET a trader moves at once"},
	{"trader.momentum_share", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "share of traders following momentum (the rest buy below value, sell above)"},
	/* protocol (R-*) */
	{"chain.block_interval_s", DN_PT_INT, "s", "10", 1, 3600, NULL, "block interval (R-CHAIN-1); sim.sample_interval_s must equal it"},
	{"chain.delegates", DN_PT_INT, "1", "180", 1, DNC_MAX_DELEGATES, NULL, "delegates per consensus (R-CONS-1)"},
	{"chain.lambda", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "share of seats elected by stake (R-CONS-2)"},
	{"chain.epoch_blocks", DN_PT_INT, "blocks", "8640", 1, 1e8, NULL, "blocks per election (R-CONS-5)"},
	{"chain.traffic_window_blocks", DN_PT_INT, "blocks", "8640", 1, 1e8, NULL, "traffic score window (R-CONS-3)"},
	{"chain.confirmations", DN_PT_INT, "blocks", "3", 1, 6, NULL, "blocks on top before a careful node calls a transaction confirmed (R-CHAIN-3)"},
	{"chain.unit_kib", DN_PT_INT, "KiB", "1024", 1, 1048576, NULL, "traffic unit (R-CRED-1)"},
	{"chain.grace_units", DN_PT_INT, "units", "4", 0, 1e6, NULL, "units served without a credential before the distributor stops (R-CRED-5)"},
	{"chain.alpha", DN_PT_FLOAT, "1", "0.10", 0, 1, NULL, "team share of the supply (R-SUP-2)"},
	{"chain.beta", DN_PT_FLOAT, "1", "0.10", 0, 1, NULL, "sale share (R-SUP-2)"},
	{"chain.gamma", DN_PT_FLOAT, "1", "0.05", 0, 1, NULL, "community share (R-SUP-2)"},
	{"chain.emission_years", DN_PT_INT, "years", "10", 1, 1000, NULL, "block rewards are released within this many years (R-EMIT-1)"},
	{"chain.producer_share", DN_PT_FLOAT, "1", "0.05", 0, 1, NULL, "producer's share of the block reward (R-EMIT-3)"},
	{"chain.delegate_fee_share", DN_PT_FLOAT, "1", "0.1", 0, 1, NULL, "delegate's share of its pool's fees (R-FEE-1)"},
	{"chain.community_fee", DN_PT_FLOAT, "1", "0.005", 0, 0.005, NULL, "community fee on payments, at most 0.5 % (R-FEE-2)"},
	{"chain.relay_share", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "relays' share of a payment over an ad hoc path (R-SHARE-2)"},
	{"chain.relay_mode", DN_PT_ENUM, "", "equal", 0, 0, "equal|proportional_to_bytes_relayed", "how relays share (R-SHARE-2)"},
	{"chain.signatures", DN_PT_ENUM, "", "ed25519", 0, 0, "ed25519|keyed", "signature scheme of credentials and transactions: Ed25519, or keyed BLAKE2b for very large worlds (docs/chain.md)"},
	{"chain.partition_at_s", DN_PT_FLOAT, "s", "-1", -1, 3.15e9, NULL, "when the network splits in two (-1: never); forks follow (R-CHAIN-4)"},
	{"chain.partition_duration_s", DN_PT_FLOAT, "s", "120", 0, 3.15e9, NULL, "how long the split lasts"},
	{"chain.partition_share", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "share of the tiles cut off by the split"},
	/* content (phase 2, SPEC 8) */
	{"content.enabled", DN_PT_BOOL, "", "false", 0, 0, NULL, "run content creators, forwarders and buyers on a social graph (R-FWD)"},
	{"content.edges_per_agent", DN_PT_INT, "1", "3", 1, 64, NULL, "preferential-attachment edges per new agent"},
	{"content.creator_fraction", DN_PT_FLOAT, "1", "0.02", 0, 1, NULL, "share of agents creating content"},
	{"content.items_per_creator_per_day", DN_PT_FLOAT, "1", "1", 0, 1e4, NULL, "items a creator publishes per day"},
	{"content.purchases_per_agent_per_day", DN_PT_FLOAT, "1", "0.2", 0, 1e4, NULL, "purchase attempts per agent per day"},
	{"content.resell_probability", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "a buyer re-offers the item to its neighbours (becomes a middleman)"},
	{"content.price_min_dnet", DN_PT_FLOAT, "DNET", "0.5", 0, 1e9, NULL, "cheapest item"},
	{"content.price_max_dnet", DN_PT_FLOAT, "DNET", "20", 0, 1e9, NULL, "dearest item (log-uniform in between)"},
	{"content.recommender_fraction", DN_PT_FLOAT, "1", "0", 0, 1, NULL, "phase 2: share of agents running recommenders (0: phase 1 only)"},
	{"content.recommend_probability", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "phase 2: share of purchases made through a recommender"},
	{"content.recommend_fee", DN_PT_FLOAT, "1", "0.05", 0, 1, NULL, "phase 2: the requester pays this share of the price to the recommender"},
	{"content.max_holdings", DN_PT_INT, "1", "50000000", 1000, 4e9 - 2, NULL, "bound on (item, holder) pairs kept"},
};

static const dn_column_def world_columns[] = {
	{"role", sizeof(uint16_t), "role bits (docs/agents.md)"},
	{"x_cm", sizeof(int32_t), "position"},
	{"y_cm", sizeof(int32_t), "position"},
	{"demand", sizeof(float), "consumer: MiB wanted per day"},
	{"wtp", sizeof(float), "consumer: accepted USD per GB"},
	{"usd", sizeof(int64_t), "USD wallet, micro-USD"},
	{"price", sizeof(int64_t), "sharer: asking price, base units per traffic unit"},
	{"price_usd", sizeof(float), "sharer: asking price, USD per GB"},
	{"quota", sizeof(uint32_t), "sharer: units left this month"},
	{"nsess", sizeof(uint16_t), "sharer: sessions served now"},
	{"online", sizeof(uint8_t), "sharer/relay: 1 online and sharing"},
	{"stab", sizeof(uint8_t), "sharer: stability 0..255"},
	{"inflight", sizeof(uint16_t), "transactions sent, not yet receipted"},
	{"sess_of", sizeof(uint32_t), "consumer: session slot + 1"},
	{"earned", sizeof(int64_t), "earnings since the last hourly review, base units"},
	{"renter", sizeof(uint32_t), "site: operator + 1 while rented"},
	{"ranked", sizeof(int64_t), "holdings as last ranked for the Gini coefficient"},
	{"holding", sizeof(int64_t), "holdings (balance + locked), base units"},
	{"t_req", sizeof(int64_t), "consumer: when its current request began, ns"},
};

static const dn_kind_def agent_kind = {
	"agent", world_columns, sizeof world_columns / sizeof world_columns[0], "DNET world agent",
};

dn_rc wvec_push(wvec *v, const void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *p = realloc(v->v, cap * v->size);
		if (!p)
			return DN_ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	memcpy((char *)v->v + v->n * v->size, item, v->size);
	v->n++;
	return DN_OK;
}

void wvec_free(wvec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

static double ppm_of(const dn_scenario *s, const char *name)
{
	return nearbyint(dn_scn_float(s, name) * 1e6);
}

uint32_t w_quota_units(const world *W)
{
	return (uint32_t)fmin(4e9, W->sharer_quota_gb * 1e9 / (double)W->cp.unit_bytes);
}

dn_usd_micro w_price(const world *W)
{
	return W->price_now > 0 ? W->price_now : 1;
}

dn_amount w_unit_price(const world *W, double usd_per_gb)
{
	/* base units per unit = usd/GB * (unit bytes / 1e9) / (usd per DNET) * 1e8 */
	double usd_per_unit = usd_per_gb * (double)W->cp.unit_bytes / 1e9;
	double v = usd_per_unit / ((double)w_price(W) / 1e6) * (double)DNC_UNITS_PER_DNET;
	if (!(v >= 1))
		return 1;
	if (v > 1e15)
		return (dn_amount)1e15;
	return (dn_amount)llround(v);
}

dn_rc w_secret(const world *W, uint32_t a, uint8_t sk[DNC_SK_BYTES])
{
	if (W->sk) {
		memcpy(sk, W->sk + (size_t)a * DNC_SK_BYTES, DNC_SK_BYTES);
		return DN_OK;
	}
	uint8_t seed[32];
	uint32_t blk[4];
	for (int k = 0; k < 2; k++) {
		dn_rng_block(W->seed, a, PURPOSE_KEYS, (uint64_t)k, blk);
		memcpy(seed + 16 * k, blk, 16);
	}
	dnc_pubkey pk;
	return dnc_sig_keypair(&W->sig, seed, &pk, sk) ? DN_EINVAL : DN_OK;
}

static dn_rc chain_fail(world *W, const char *what, dnc_rc rc)
{
	if (rc == DNC_ENOMEM) { /* the machine's limit, not the scenario's fault: exit 1 */
		dn_world_set_error(W->w, "out of memory while building the world: %s (%s)", what, dnc_rc_name(rc));
		return DN_ENOMEM;
	}
	dn_world_set_error(W->w, "protocol library: %s: %s", what, dnc_rc_name(rc));
	return DN_EINVAL;
}

/* Pareto(alpha) with minimum 1, capped. */
static double pareto(dn_rng *r, double alpha, double cap)
{
	double u = 1.0 - dn_rng_u01(r);
	double v = pow(u, -1.0 / alpha);
	return v > cap ? cap : v;
}

static double lognormal(dn_rng *r, double median, double sigma)
{
	double u1 = dn_rng_u01(r), u2 = dn_rng_u01(r);
	double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2 * M_PI * u2);
	return median * exp(sigma * z);
}

static double db2lin(double db) { return pow(10.0, db / 10.0); }

/*
 * A rented small cell's downlink rate for one user at each metre of
 * distance (the calibrated 5G model of models/net: TR 38.901 path loss,
 * expected over the LOS probability, SINR against thermal noise and a
 * neighbouring cell two ranges away at net.cell.neighbour_load, the
 * calibrated spectral efficiency). Users of a cell share it round-robin.
 * The cell's range is where the rate falls to zero, capped at
 * operator.cell_range_m.
 */
static dn_rc make_cell_table(world *W, const dn_scenario *s)
{
	static const dn_net_cell_size sizes[] = {DN_NET_MICRO, DN_NET_PICO, DN_NET_FEMTO};
	const char *sz = dn_scn_str(s, "net.cell.size");
	dn_net_cell_cfg c;
	dn_net_cell_cfg_default(&c, sizes[!strcmp(sz, "micro") ? 0 : !strcmp(sz, "pico") ? 1 : 2],
	                        dn_scn_float(s, "net.cell.band_ghz"));
	c.bandwidth_hz = dn_scn_float(s, "net.cell.bandwidth_mhz") * 1e6;
	c.scenario = strcmp(dn_scn_str(s, "net.cell.pathloss"), "uma") ? DN_NET_UMI : DN_NET_UMA;
	c.neighbour_load = dn_scn_float(s, "net.cell.neighbour_load");
	double noise = db2lin(-174.0 + 10.0 * log10(c.bandwidth_hz) + c.noise_figure_db);
	uint32_t n = (uint32_t)ceil(W->cell_range_m) + 1;
	W->cell_rate = calloc(n, sizeof *W->cell_rate);
	if (!W->cell_rate)
		return DN_ENOMEM;
	double reach = 2.0 * W->cell_range_m; /* the neighbouring site */
	uint32_t last = 0;
	for (uint32_t d = 0; d < n; d++) {
		double dd = d < 10 ? 10.0 : (double)d;
		double p_los = dn_net_los_prob(c.scenario, dd, c.height_ut_m);
		double r = 0;
		for (int los = 0; los < 2; los++) {
			double sig = db2lin(c.tx_power_dbm - dn_net_pathloss_db(c.scenario, c.band_ghz, dd, c.height_bs_m,
			                                                       c.height_ut_m, los));
			double di = fmax(10.0, reach - dd);
			double intf = c.neighbour_load * db2lin(c.tx_power_dbm - dn_net_pathloss_db(c.scenario, c.band_ghz, di,
			                                                                          c.height_bs_m, c.height_ut_m, false));
			double rate = c.bandwidth_hz * dn_net_se(&W->calib, sig / (noise + intf));
			r += (los ? p_los : 1.0 - p_los) * rate;
		}
		W->cell_rate[d] = r;
		if (r > 0)
			last = d;
	}
	W->n_cell_rate = last + 1;
	W->cell_range_m = fmin(W->cell_range_m, (double)last);
	if (W->cell_range_m < 1) {
		dn_world_set_error(W->w, "the calibrated small-cell model (net.cell.*) reaches nobody");
		return DN_EINVAL;
	}
	return DN_OK;
}

static dn_rc read_params(world *W, const dn_scenario *s)
{
	W->n = (uint64_t)dn_scn_int(s, "world.agents");
	W->area_m = dn_scn_float(s, "world.area_km") * 1000.0;
	W->f_consumer = dn_scn_float(s, "world.consumer_fraction");
	W->villages_km2 = dn_scn_float(s, "world.villages_per_km2");
	W->village_share = dn_scn_float(s, "world.village_share");
	W->village_radius_m = dn_scn_float(s, "world.village_radius_m");
	W->f_sharer = dn_scn_float(s, "world.sharer_fraction");
	W->f_relay = dn_scn_float(s, "world.relay_fraction");
	W->f_holder = dn_scn_float(s, "world.holder_fraction");
	W->f_trader = dn_scn_float(s, "world.trader_fraction");
	W->f_site = dn_scn_float(s, "world.site_fraction");
	W->candidates = (uint32_t)dn_scn_int(s, "world.candidates");
	W->operators = (uint32_t)dn_scn_int(s, "world.operators");
	W->fraud_fraction = dn_scn_float(s, "world.fraud_fraction");
	W->free_rider_fraction = dn_scn_float(s, "world.free_rider_fraction");
	W->check_ledger = dn_scn_bool(s, "world.check_ledger");
	W->gini_interval = (uint64_t)dn_scn_int(s, "world.gini_interval_blocks");
	W->line = !strcmp(dn_scn_str(s, "world.layout"), "line");
	W->line_spacing_m = dn_scn_float(s, "world.line_spacing_m");
	if (W->line) {
		const char *lr = dn_scn_str(s, "world.line_roles");
		uint32_t nc = 0, no = 0;
		for (const char *q = lr; *q; q++) {
			if (!strchr("CSRHDTOW.", *q)) {
				dn_world_set_error(W->w, "world.line_roles: '%c' is not a role letter (C S R H D T O W .)", *q);
				return DN_EINVAL;
			}
			nc += *q == 'D';
			no += *q == 'O';
		}
		if (strlen(lr) != W->n || nc == 0 || nc != W->candidates || no != W->operators) {
			dn_world_set_error(W->w, "world.layout line: world.line_roles needs one letter per agent (world.agents = %" PRIu64
			                         ") with world.candidates D letters and world.operators O letters", W->n);
			return DN_EINVAL;
		}
		if (dn_world_nparts(W->w) != 1) {
			dn_world_set_error(W->w, "world.layout line runs in one tile: set sim.partitions to 1");
			return DN_EINVAL;
		}
	}
	W->consumer_mib_day = dn_scn_float(s, "consumer.mib_per_day");
	W->pareto_alpha = dn_scn_float(s, "consumer.pareto_alpha");
	W->session_mib_target = dn_scn_float(s, "consumer.session_mib");
	W->sessions_day_max = dn_scn_float(s, "consumer.sessions_per_day_max");
	W->diurnal = dn_scn_float(s, "consumer.diurnal_amplitude");
	W->wtp_usd_gb = dn_scn_float(s, "consumer.wtp_usd_per_gb");
	W->wtp_sigma = dn_scn_float(s, "consumer.wtp_sigma");
	W->consumer_usd_month = dn_scn_float(s, "consumer.usd_per_month");
	W->deposit_factor = dn_scn_float(s, "consumer.deposit_factor");
	W->cred_interval_s = dn_scn_float(s, "consumer.credential_interval_s");
	W->airdrop_dnet = dn_scn_float(s, "consumer.airdrop_dnet");
	W->sharer_quota_gb = dn_scn_float(s, "sharer.quota_gb_month");
	W->sharer_price_usd_gb = dn_scn_float(s, "sharer.price_usd_per_gb");
	const char *st = dn_scn_str(s, "sharer.strategy");
	W->price_strategy = !strcmp(st, "fixed") ? PRICE_FIXED : !strcmp(st, "undercut") ? PRICE_UNDERCUT
	                  : !strcmp(st, "adaptive") ? PRICE_ADAPTIVE : PRICE_MIXED;
	W->sharer_cost_usd_month = dn_scn_float(s, "sharer.access_cost_usd_month");
	W->sharer_join_ratio = dn_scn_float(s, "sharer.join_ratio");
	W->sharer_leave_ratio = dn_scn_float(s, "sharer.leave_ratio");
	W->sharer_range_m = dn_scn_float(s, "sharer.range_m");
	W->sharer_max_sessions = (uint32_t)dn_scn_int(s, "sharer.max_sessions");
	W->sharer_up_h = dn_scn_float(s, "sharer.uptime_mean_h");
	W->sharer_down_h = dn_scn_float(s, "sharer.downtime_mean_h");
	W->sharer_sell_fraction = dn_scn_float(s, "sharer.sell_fraction");
	W->degrade_prob = dn_scn_float(s, "sharer.degrade_probability");
	W->max_hops = (uint32_t)dn_scn_int(s, "relay.max_hops");
	W->relay_range_m = dn_scn_float(s, "relay.range_m");
	W->relay_up_h = dn_scn_float(s, "relay.uptime_mean_h");
	W->relay_down_h = dn_scn_float(s, "relay.downtime_mean_h");
	W->candidate_cost_usd_day = dn_scn_float(s, "delegate.cost_usd_per_day");
	W->energy_kwh_day = dn_scn_float(s, "delegate.energy_kwh_per_day");
	W->usd_per_kwh = dn_scn_float(s, "delegate.usd_per_kwh");
	W->storage_usd_gb_month = dn_scn_float(s, "delegate.storage_usd_per_gb_month");
	W->campaign_usd_day = dn_scn_float(s, "delegate.campaign_usd_per_day");
	W->team_sell_fraction = dn_scn_float(s, "world.team_sell_fraction");
	W->retract_base = (dn_amount)llround(dn_scn_float(s, "admin.retract_dnet") * 1e8);
	W->candidate_availability = dn_scn_float(s, "delegate.availability");
	W->candidate_sell_fraction = dn_scn_float(s, "delegate.sell_fraction");
	W->candidate_quit_ratio = dn_scn_float(s, "delegate.quit_ratio");
	W->vote_fraction = dn_scn_float(s, "holder.vote_fraction");
	W->site_rent_usd_hour = dn_scn_float(s, "site.rent_usd_per_hour");
	W->operator_price_usd_gb = dn_scn_float(s, "operator.price_usd_per_gb");
	W->cell_range_m = dn_scn_float(s, "operator.cell_range_m");
	W->cell_capacity_mbps = dn_scn_float(s, "operator.cell_backhaul_mbps");
	W->cell_max_sessions = (uint32_t)dn_scn_int(s, "operator.cell_max_sessions");
	W->trader_usd = dn_scn_float(s, "trader.usd");
	W->trade_prob_hour = dn_scn_float(s, "trader.trade_probability");
	W->trade_fraction = dn_scn_float(s, "trader.trade_fraction");
	W->momentum_share = dn_scn_float(s, "trader.momentum_share");
	double at = dn_scn_float(s, "chain.partition_at_s");
	W->split_at = at < 0 ? -1 : (dn_time_ns)llround(at * 1e9);
	W->split_len = (dn_time_ns)llround(dn_scn_float(s, "chain.partition_duration_s") * 1e9);
	W->split_share = dn_scn_float(s, "chain.partition_share");

	dnc_params_default(&W->cp);
	W->cp.block_interval_s = (uint32_t)dn_scn_int(s, "chain.block_interval_s");
	W->cp.delegates = (uint32_t)dn_scn_int(s, "chain.delegates");
	W->cp.lambda_ppm = (uint32_t)ppm_of(s, "chain.lambda");
	W->cp.epoch_blocks = (uint32_t)dn_scn_int(s, "chain.epoch_blocks");
	W->cp.traffic_window_blocks = (uint32_t)dn_scn_int(s, "chain.traffic_window_blocks");
	W->cp.confirmations = (uint32_t)dn_scn_int(s, "chain.confirmations");
	W->cp.unit_bytes = (uint64_t)dn_scn_int(s, "chain.unit_kib") * 1024u;
	W->cp.grace_units = (uint32_t)dn_scn_int(s, "chain.grace_units");
	W->cp.alpha_ppm = (uint32_t)ppm_of(s, "chain.alpha");
	W->cp.beta_ppm = (uint32_t)ppm_of(s, "chain.beta");
	W->cp.gamma_ppm = (uint32_t)ppm_of(s, "chain.gamma");
	W->cp.emission_years = (uint32_t)dn_scn_int(s, "chain.emission_years");
	W->cp.producer_ppm = (uint32_t)ppm_of(s, "chain.producer_share");
	W->cp.delegate_fee_ppm = (uint32_t)ppm_of(s, "chain.delegate_fee_share");
	W->cp.community_fee_ppm = (uint32_t)ppm_of(s, "chain.community_fee");
	W->cp.relay_pool_ppm = (uint32_t)ppm_of(s, "chain.relay_share");
	W->cp.relay_mode = strcmp(dn_scn_str(s, "chain.relay_mode"), "equal") ? DNC_RELAY_PROPORTIONAL_BYTES
	                                                                     : DNC_RELAY_EQUAL;
	/* the world checks at its own block end, after content, rents and the
	 * exchange have moved money too (w_block_step) */
	W->cp.check_conservation = DNC_CHECK_OFF;
	W->keyed_sigs = !strcmp(dn_scn_str(s, "chain.signatures"), "keyed");
	W->block_ns = (dn_time_ns)W->cp.block_interval_s * 1000000000;

	dnc_rc crc = dnc_params_check(&W->cp);
	if (crc) {
		dn_world_set_error(W->w, "chain.* parameters are inconsistent (%s): alpha + beta + gamma must be "
		                         "below 1 and the shares within range", dnc_rc_name(crc));
		return DN_ERANGE;
	}
	double sample = dn_scn_float(s, "sim.sample_interval_s");
	if (fabs(sample - (double)W->cp.block_interval_s) > 1e-9) {
		int line = 0, col = 0;
		const char *f = dn_scn_where(s, "sim.sample_interval_s", &line, &col);
		if (f)
			dn_world_set_error(W->w, "%s:%d:%d: sim.sample_interval_s is %g s but the world produces one block "
			                         "per sample: set it to chain.block_interval_s (%u)",
			                   f, line, col, sample, W->cp.block_interval_s);
		else
			dn_world_set_error(W->w, "sim.sample_interval_s is %g s (the default) but the world produces one "
			                         "block per sample: set it to chain.block_interval_s (%u)",
			                   sample, W->cp.block_interval_s);
		return DN_ERANGE;
	}
	if (!W->line && W->n < (uint64_t)W->candidates + W->operators + 16) {
		dn_world_set_error(W->w, "world.agents (%" PRIu64 ") is too small for %u candidates and %u operators",
		                   W->n, W->candidates, W->operators);
		return DN_ERANGE;
	}
	if (W->n > UINT32_MAX - 1024) {
		dn_world_set_error(W->w, "world.agents is above the ledger's account limit");
		return DN_ERANGE;
	}
	return DN_OK;
}

/* Roles, positions and per-agent draws. Agents of tile p are its range. */
static dn_rc make_agents(world *W)
{
	uint32_t gx = W->tiles_x;
	double tw = W->area_m / gx, th = W->area_m / W->tiles_y;
	for (unsigned p = 0; p < W->nparts; p++) {
		uint64_t b, e;
		dn_world_part_range(W->w, W->kind, p, &b, &e);
		double ox = (p % gx) * tw, oy = (p / gx) * th;
		/* settlements of this tile: Poisson count, uniform centres */
		double vx[256], vy[256];
		uint32_t nv = 0;
		if (W->villages_km2 > 0) {
			dn_rng r;
			dn_rng_init(&r, W->seed, p, PURPOSE_VILLAGE, 0);
			double mean = W->villages_km2 * tw * th / 1e6, L = exp(-fmin(mean, 700)), prod = dn_rng_u01(&r);
			while (prod > L && nv < 255) {
				nv++;
				prod *= dn_rng_u01(&r);
			}
			if (nv == 0)
				nv = 1;
			for (uint32_t k = 0; k < nv; k++) {
				vx[k] = ox + dn_rng_u01(&r) * tw;
				vy[k] = oy + dn_rng_u01(&r) * th;
			}
		}
		for (uint64_t a = b; a < e; a++) {
			dn_rng r;
			dn_rng_init(&r, W->seed, (uint32_t)a, PURPOSE_POS, 0);
			double px = ox + dn_rng_u01(&r) * tw, py = oy + dn_rng_u01(&r) * th;
			if (nv && dn_rng_u01(&r) < W->village_share) {
				uint32_t k = dn_bounded32(dn_rng_u32(&r), nv);
				double u1 = dn_rng_u01(&r), u2 = dn_rng_u01(&r);
				double rad = W->village_radius_m * sqrt(-2.0 * log(1.0 - u1));
				px = fmin(fmax(vx[k] + rad * cos(2 * M_PI * u2), ox), ox + tw - 0.01);
				py = fmin(fmax(vy[k] + rad * sin(2 * M_PI * u2), oy), oy + th - 0.01);
			}
			W->x[a] = (int32_t)(px * 100.0);
			W->y[a] = (int32_t)(py * 100.0);
			uint16_t role = 0;
			dn_rng_init(&r, W->seed, (uint32_t)a, PURPOSE_ROLE, 0);
			if (dn_rng_u01(&r) < W->f_consumer)
				role |= W_CONSUMER;
			if (dn_rng_u01(&r) < W->f_sharer)
				role |= W_SHARER;
			if (dn_rng_u01(&r) < W->f_relay)
				role |= W_RELAY;
			if (dn_rng_u01(&r) < W->f_holder)
				role |= W_HOLDER;
			if (dn_rng_u01(&r) < W->f_trader)
				role |= W_TRADER;
			if (dn_rng_u01(&r) < W->f_site)
				role |= W_SITE;
			if (role & W_SITE)
				role &= (uint16_t)~W_SHARER; /* a site owner's node is for rent, not shared */
			double u = dn_rng_u01(&r);
			if ((role & W_SHARER) && u < W->fraud_fraction)
				role |= W_FRAUD;
			else if ((role & W_CONSUMER) && !(role & W_SHARER) && u < W->free_rider_fraction)
				role |= W_FRAUD;
			if ((role & W_TRADER) && dn_rng_u01(&r) < W->momentum_share)
				role |= W_MOMENTUM;
			W->role[a] = role;
			dn_rng_init(&r, W->seed, (uint32_t)a, PURPOSE_DEMAND, 0);
			if (role & W_CONSUMER) {
				/* Pareto weights: mean alpha/(alpha-1); scale to the mean demand */
				double al = W->pareto_alpha;
				double wgt = pareto(&r, al, 1e5) * (al - 1.0) / al;
				W->demand[a] = (float)(W->consumer_mib_day * wgt);
				W->wtp[a] = (float)lognormal(&r, W->wtp_usd_gb, W->wtp_sigma);
				W->usd[a] = (int64_t)llround(W->consumer_usd_month * 1e6 * dn_rng_u01(&r));
			}
			if (role & W_SHARER) {
				W->price_usd[a] = (float)lognormal(&r, W->sharer_price_usd_gb, 0.3);
				W->quota[a] = w_quota_units(W);
				double up = W->sharer_up_h, down = W->sharer_down_h;
				double avail = up / (up + down) * (0.8 + 0.2 * dn_rng_u01(&r));
				W->stab[a] = (uint8_t)fmin(255, avail * 255.0);
				W->online[a] = dn_rng_u01(&r) < dn_scn_float(dn_world_scenario(W->w), "sharer.active_initial");
			}
			if (role & W_RELAY)
				W->online[a] |= 2; /* bit 1: relay present */
			if (role & W_TRADER)
				W->usd[a] += (int64_t)llround(W->trader_usd * 1e6 * (0.5 + dn_rng_u01(&r)));
		}
	}
	if (W->line) {
		const char *lr = dn_scn_str(dn_world_scenario(W->w), "world.line_roles");
		for (uint64_t a = 0; a < W->n; a++) {
			char c = lr[a];
			uint16_t role = c == 'C' ? W_CONSUMER : c == 'S' ? W_SHARER : c == 'R' ? W_RELAY : c == 'H' ? W_HOLDER
			              : c == 'T' ? W_TRADER : c == 'W' ? W_SITE : c == 'D' ? (W_CANDIDATE | W_HOLDER)
			              : c == 'O' ? W_OPERATOR : 0;
			W->role[a] = role;
			W->x[a] = (int32_t)llround(W->line_spacing_m * 100.0 * (double)a) + 100;
			W->y[a] = 100;
			W->online[a] = (role & W_SHARER) ? 1 : 0;
			if (role & W_RELAY)
				W->online[a] |= 2;
			W->demand[a] = (role & W_CONSUMER) ? (float)W->consumer_mib_day : 0;
			W->wtp[a] = (role & W_CONSUMER) ? (float)W->wtp_usd_gb : 0;
			W->usd[a] = (role & W_CONSUMER) ? (int64_t)llround(W->consumer_usd_month * 1e6) : 0;
			if (role & W_SHARER) {
				W->price_usd[a] = (float)W->sharer_price_usd_gb;
				W->quota[a] = w_quota_units(W);
				W->stab[a] = 255;
				W->online[a] |= 4;
			}
		}
	}
	/* Candidates and operators: spread over the agents, distinct, not consumers. */
	for (uint32_t i = 0; i < W->candidates && W->line; i++) {
		uint64_t a = 0, k = 0;
		for (a = 0; a < W->n; a++)
			if ((W->role[a] & W_CANDIDATE) && k++ == i)
				break;
		W->cand[i] = (uint32_t)a;
		W->usd[a] = (int64_t)llround(W->candidate_cost_usd_day * 30e6);
		W->stab[a] = 255;
		W->campaign[i] = W->campaign_usd_day;
	}
	for (uint32_t i = 0; i < W->operators && W->line; i++) {
		uint64_t a = 0, k = 0;
		for (a = 0; a < W->n; a++)
			if ((W->role[a] & W_OPERATOR) && k++ == i)
				break;
		W->ops[i] = (uint32_t)a;
		W->usd[a] = (int64_t)1e12;
	}
	for (uint32_t i = 0; i < W->candidates && !W->line; i++) {
		uint32_t a = (uint32_t)(((uint64_t)i * W->n) / W->candidates);
		W->cand[i] = a;
		W->role[a] = (uint16_t)((W->role[a] & W_RELAY) | W_CANDIDATE | W_HOLDER);
		W->usd[a] = (int64_t)llround(W->candidate_cost_usd_day * 30e6);
		/* reliability of the candidate's node: what holders look at */
		dn_rng r;
		dn_rng_init(&r, W->seed, a, PURPOSE_SHARER, 1);
		W->stab[a] = (uint8_t)(200 + dn_bounded32(dn_rng_u32(&r), 56));
		W->campaign[i] = lognormal(&r, W->campaign_usd_day, 0.8);
	}
	for (uint32_t i = 0; i < W->operators && !W->line; i++) {
		uint32_t a = (uint32_t)(((uint64_t)i * W->n) / W->operators + W->n / (2 * (uint64_t)W->operators) + 1);
		if (W->role[a] & W_CANDIDATE)
			a++;
		W->ops[i] = a;
		W->role[a] = W_OPERATOR;
		W->usd[a] = (int64_t)1e12; /* an operator's budget: a million USD */
	}
	W->n_sites = 0;
	for (uint64_t a = 0; a < W->n; a++)
		if (W->role[a] & W_SITE)
			W->n_sites++;
	W->sites = calloc(W->n_sites ? W->n_sites : 1, sizeof *W->sites);
	if (!W->sites)
		return DN_ENOMEM;
	W->n_sites = 0;
	for (uint64_t a = 0; a < W->n; a++)
		if (W->role[a] & W_SITE)
			W->sites[W->n_sites++] = (uint32_t)a;
	return DN_OK;
}

static dn_rc make_chain(world *W, const dn_scenario *s)
{
	dnc_rc crc;
	if (W->keyed_sigs) {
		uint8_t key[32];
		uint32_t blk[4];
		for (int k = 0; k < 2; k++) {
			dn_rng_block(W->seed, 0, PURPOSE_SIGKEY, (uint64_t)k, blk);
			memcpy(key + 16 * k, blk, 16);
		}
		crc = dnc_sig_init_keyed(&W->sig, key);
	} else {
		crc = dnc_sig_init_ed25519(&W->sig);
	}
	if (crc)
		return chain_fail(W, "signature scheme", crc);
	/* Sessions over the run: the consumers' request rates as drawn (the
	 * same clamp as world_agents.c), with room for the diurnal peak,
	 * retries and re-matches; the table's pages are touched only as
	 * sessions open. An open beyond it is rejected (DNC_EFULL, counted). */
	double days = (double)W->end_ns / 86400e9 + 1.0 / 24;
	double rate = 0;
	for (uint64_t a = 0; a < W->n; a++)
		if (W->role[a] & W_CONSUMER)
			rate += fmin(W->sessions_day_max, fmax(0.05, W->demand[a] / W->session_mib_target));
	double sess = rate * days * 2.0 * (1.0 + W->diurnal) + 4096;
	dnc_chain_limits lim = {
		.accounts = (uint32_t)W->n + 8,
		.sessions = (uint64_t)fmin(sess, 4e9),
		.escrows = 16,
	};
	/* the foundation's key (R-ADMIN-1 retracts are signed with it) */
	dnc_pubkey fk;
	{
		uint8_t seed[32];
		uint32_t blk[4];
		for (int k = 0; k < 2; k++) {
			dn_rng_block(W->seed, 0, PURPOSE_FOUNDATION, (uint64_t)k, blk);
			memcpy(seed + 16 * k, blk, 16);
		}
		crc = dnc_sig_keypair(&W->sig, seed, &fk, W->foundation_sk);
		if (crc)
			return chain_fail(W, "the foundation's key", crc);
	}
	crc = dnc_chain_create(&W->cp, &W->sig, &lim, &fk, &W->chain);
	if (crc)
		return chain_fail(W, "creating the chain", crc);
	dnc_ledger *L = dnc_chain_ledger(W->chain);
	W->cache_keys = W->n <= 200000;
	if (W->cache_keys) {
		W->sk = malloc((size_t)W->n * DNC_SK_BYTES);
		if (!W->sk)
			return DN_ENOMEM;
	}
	uint8_t sk[DNC_SK_BYTES];
	for (uint64_t a = 0; a < W->n; a++) {
		uint8_t seed[32];
		uint32_t blk[4];
		for (int k = 0; k < 2; k++) {
			dn_rng_block(W->seed, (uint32_t)a, PURPOSE_KEYS, (uint64_t)k, blk);
			memcpy(seed + 16 * k, blk, 16);
		}
		dnc_pubkey pk;
		crc = dnc_sig_keypair(&W->sig, seed, &pk, W->sk ? W->sk + a * DNC_SK_BYTES : sk);
		if (crc)
			return chain_fail(W, "deriving agent keys", crc);
		dnc_acct idx;
		crc = dnc_ledger_add(L, &pk, &idx);
		if (crc)
			return chain_fail(W, "adding agent accounts", crc);
		if (a == 0)
			W->acct0 = idx;
		else if (idx != W->acct0 + a)
			return chain_fail(W, "agent accounts are not contiguous", DNC_EINVAL);
	}
	dnc_pubkey xk;
	memset(&xk, 0xE1, sizeof xk);
	crc = dnc_ledger_add(L, &xk, &W->exchange);
	if (crc)
		return chain_fail(W, "adding the exchange account", crc);
	dnc_ledger_set_flags(L, W->exchange, DNC_ACCT_SYSTEM);

	/* The market; its DNET is the exchange account's. */
	dn_market_seed mseed = {0};
	char err[512];
	dn_rc rc = dn_market_from_scenario(s, NULL, NULL, &W->mkt, &W->path, &mseed, err, sizeof err);
	if (rc) {
		dn_world_set_error(W->w, "market: %s", err);
		return rc;
	}
	if (dn_market_kind_of(W->mkt) == DN_MARKET_BOOK) {
		int line = 0, col = 0;
		const char *f = dn_scn_where(s, "market.kind", &line, &col);
		dn_world_set_error(W->w, "%s%s%d:%d: market.kind: book needs market makers posting resting orders, and "
		                         "the world's traders only take: use amm (the default) or replay (docs/agents.md)",
		                   f ? f : "", f ? ":" : "", line, col);
		return DN_EINVAL;
	}
	if (dn_market_kind_of(W->mkt) == DN_MARKET_REPLAY) {
		/* the outside sells DNET from an inventory the size of the pool
		 * the same scenario would have seeded (market.amm.initial_usd at
		 * the initial price) */
		double usd = (double)dn_scn_int(s, "market.amm.initial_usd");
		double px = (double)dn_scn_int(s, "market.initial_price_usd_micro_per_dnet") / 1e6;
		mseed.base = (dn_amount)llround(usd / px * (double)DNC_UNITS_PER_DNET);
	}

	/* R-SUP-2 genesis. */
	const dn_amount supply = W->cp.supply_base;
	const dn_amount A = (dn_amount)((dnc_u128)supply * W->cp.alpha_ppm / 1000000u);
	const dn_amount B = (dn_amount)((dnc_u128)supply * W->cp.beta_ppm / 1000000u);
	const dn_amount G = (dn_amount)((dnc_u128)supply * W->cp.gamma_ppm / 1000000u);
	uint32_t team = (uint32_t)dn_scn_int(s, "world.team_holders");
	/* team: the first `team` holders that are not candidates */
	uint32_t *tm = calloc(team, sizeof *tm);
	if (!tm)
		return DN_ENOMEM;
	uint32_t nt = 0;
	for (uint64_t a = 0; a < W->n && nt < team; a++)
		if ((W->role[a] & W_HOLDER) && !(W->role[a] & (W_CANDIDATE | W_OPERATOR)))
			tm[nt++] = (uint32_t)a;
	for (uint32_t i = 0; i < nt; i++) {
		W->role[tm[i]] |= W_TEAM;
		dn_amount v = A / nt + (i == 0 ? A % nt : 0);
		if (v == 0)
			continue;
		crc = dnc_chain_genesis(W->chain, w_acct(W, tm[i]), DNC_GEN_TEAM, v);
		if (crc) {
			free(tm);
			return chain_fail(W, "team allocation", crc);
		}
	}
	free(tm);
	/* sale: holders and traders, Pareto weights (alpha 1.5) */
	double wsum = 0;
	for (uint64_t a = 0; a < W->n; a++)
		if ((W->role[a] & (W_HOLDER | W_TRADER)) && !(W->role[a] & W_TEAM)) {
			dn_rng r;
			dn_rng_init(&r, W->seed, (uint32_t)a, PURPOSE_GENESIS, 0);
			double v = pareto(&r, 1.5, 1e4);
			W->holding[a] = (int64_t)(v * 1e6); /* scratch weight */
			wsum += (double)W->holding[a];
		}
	dn_amount given = 0;
	uint32_t last = W_NONE;
	for (uint64_t a = 0; a < W->n; a++)
		if (W->holding[a] > 0) {
			dn_amount v = (dn_amount)((double)B * ((double)W->holding[a] / wsum));
			if (given + v > B)
				v = B - given;
			if (v > 0) {
				crc = dnc_chain_genesis(W->chain, w_acct(W, (uint32_t)a), DNC_GEN_SALE, v);
				if (crc)
					return chain_fail(W, "sale allocation", crc);
			}
			given += v;
			last = (uint32_t)a;
			W->holding[a] = 0;
		}
	if (last != W_NONE && given < B) {
		crc = dnc_chain_genesis(W->chain, w_acct(W, last), DNC_GEN_SALE, B - given);
		if (crc)
			return chain_fail(W, "sale allocation", crc);
	}
	/* community: the exchange pool, the consumers' airdrop, the rest to the foundation */
	dn_amount gleft = G;
	if (mseed.base > gleft) {
		dn_world_set_error(W->w, "market.amm.initial_usd asks for more DNET than the community allocation "
		                         "(chain.gamma) holds: lower it or raise chain.gamma");
		return DN_ERANGE;
	}
	if (mseed.base > 0) {
		crc = dnc_chain_genesis(W->chain, W->exchange, DNC_GEN_COMMUNITY, mseed.base);
		if (crc)
			return chain_fail(W, "exchange pool", crc);
		gleft -= mseed.base;
	}
	dn_amount drop = (dn_amount)llround(W->airdrop_dnet * (double)DNC_UNITS_PER_DNET);
	for (uint64_t a = 0; a < W->n && drop > 0; a++)
		if (W->role[a] & (W_CONSUMER | W_OPERATOR | W_CANDIDATE)) {
			dn_amount v = W->role[a] & W_OPERATOR ? drop * 1000 : drop;
			if (v > gleft)
				break;
			crc = dnc_chain_genesis(W->chain, w_acct(W, (uint32_t)a), DNC_GEN_COMMUNITY, v);
			if (crc)
				return chain_fail(W, "community airdrop", crc);
			gleft -= v;
		}
	if (gleft > 0) {
		crc = dnc_chain_genesis(W->chain, dnc_chain_foundation(W->chain), DNC_GEN_COMMUNITY, gleft);
		if (crc)
			return chain_fail(W, "foundation reserve", crc);
	}
	dnc_chain_set_fundraising_end(W->chain, 0);
	dnc_chain_set_admin_enabled(W->chain, W->retract_base > 0);

	/* Initial stake votes (part of genesis): holders spread over candidates
	 * by the candidates' campaign reach; then the first election. */
	for (uint64_t a = 0; a < W->n; a++) {
		if (!(W->role[a] & (W_HOLDER | W_CANDIDATE)))
			continue;
		dn_amount bal = dnc_ledger_balance(L, w_acct(W, (uint32_t)a));
		dn_amount v = (dn_amount)((double)bal * W->vote_fraction);
		if (v <= 0)
			continue;
		dn_rng r;
		dn_rng_init(&r, W->seed, (uint32_t)a, PURPOSE_VOTES, 0);
		uint32_t c = W->cand[dn_bounded32(dn_rng_u32(&r), W->candidates)];
		if (W->role[a] & W_CANDIDATE)
			c = (uint32_t)a; /* a candidate stakes on itself */
		crc = dnc_ledger_vote(L, w_acct(W, (uint32_t)a), w_acct(W, c), v, 0);
		if (crc && crc != DNC_EEXISTS)
			return chain_fail(W, "genesis votes", crc);
	}
	memset(&W->last_hash, 0, sizeof W->last_hash);
	crc = dnc_chain_new_epoch(W->chain, 0, &W->last_hash, &W->sched);
	if (crc == DNC_ENOTFOUND) {
		dn_world_set_error(W->w, "the first election found nobody to seat: no traffic is credited at "
		                         "genesis, so only stake seats can be filled, and there are none or nobody voted "
		                         "(chain.lambda = %g): set chain.lambda above 0 and give holders or candidates DNET "
		                         "(chain.alpha/beta/gamma, world.holder_fraction, consumer.airdrop_dnet)",
		                   (double)W->cp.lambda_ppm / 1e6);
		return DN_EINVAL;
	}
	if (crc)
		return chain_fail(W, "first election", crc);
	crc = dnc_forktree_init(&W->ft, 1u << 16, &W->last_hash);
	if (crc)
		return chain_fail(W, "fork tree", crc);
	W->tip[0] = W->tip[1] = W->last_hash;
	/* holdings for the Gini coefficient */
	for (uint64_t a = 0; a < W->n; a++)
		W->ranked[a] = W->holding[a] = dnc_ledger_holdings(L, w_acct(W, (uint32_t)a));
	return DN_OK;
}

static dn_rc world_init(dn_world *w, const dn_scenario *s)
{
	world *W = dn_world_model(w);
	W->w = w;
	W->seed = dn_world_seed(w);
	W->nparts = dn_world_nparts(w);
	W->end_ns = dn_world_end(w);
	dn_rc rc = read_params(W, s);
	if (rc)
		return rc;
	{
		char err[512];
		const char *path = dn_scn_str(s, "net.calibration_file");
		rc = dn_net_calib_load(path && *path ? path : dn_net_calib_default_path(), &W->calib, err, sizeof err);
		if (rc) {
			dn_world_set_error(w, "net.calibration_file: %s", err);
			return rc;
		}
		dn_net_mesh_cfg_default(&W->mcfg);
		if (dn_net_link_find(dn_scn_str(s, "net.access.kind"), &W->sharer_access)) {
			dn_world_set_error(w, "net.access.kind: unknown link kind");
			return DN_EINVAL;
		}
		W->access = dn_net_link(W->sharer_access);
		/* Wi-Fi ranges cannot exceed what the radio model reaches */
		double lo = 1, hi = 5000;
		if (dn_net_wifi_rate_bps(&W->mcfg, &W->calib, lo) <= 0) {
			dn_world_set_error(w, "the calibrated Wi-Fi model reaches nobody");
			return DN_EINVAL;
		}
		for (int i = 0; i < 40; i++) {
			double mid = 0.5 * (lo + hi);
			if (dn_net_wifi_rate_bps(&W->mcfg, &W->calib, mid) > 0)
				lo = mid;
			else
				hi = mid;
		}
		W->sharer_range_m = fmin(W->sharer_range_m, lo);
		W->relay_range_m = fmin(W->relay_range_m, lo);
		rc = make_cell_table(W, s);
		if (rc)
			return rc;
	}
	W->tiles_x = (uint32_t)ceil(sqrt((double)W->nparts));
	W->tiles_y = (W->nparts + W->tiles_x - 1) / W->tiles_x;
	if (W->line)
		W->area_m = fmax(W->area_m, W->line_spacing_m * (double)W->n + 2.0);
	if (W->area_m * 100.0 >= (double)DN_SPATIAL_COORD_LIMIT_CM) {
		dn_world_set_error(w, "world.area_km is beyond the spatial index's coordinate limit");
		return DN_ERANGE;
	}
	/* No event crosses tiles: everything between tiles goes through the
	 * block step. The lookahead is one block. */
	dn_world_set_lookahead(w, W->block_ns);
	rc = dn_world_add_kind(w, &agent_kind, W->n, &W->kind);
	if (rc)
		return rc;
	dn_store *st = dn_world_store(w, W->kind);
	W->role = dn_store_col(st, 0);
	W->x = dn_store_col(st, 1);
	W->y = dn_store_col(st, 2);
	W->demand = dn_store_col(st, 3);
	W->wtp = dn_store_col(st, 4);
	W->usd = dn_store_col(st, 5);
	W->price = dn_store_col(st, 6);
	W->price_usd = dn_store_col(st, 7);
	W->quota = dn_store_col(st, 8);
	W->nsess = dn_store_col(st, 9);
	W->online = dn_store_col(st, 10);
	W->stab = dn_store_col(st, 11);
	W->inflight = dn_store_col(st, 12);
	W->sess_of = dn_store_col(st, 13);
	W->earned = dn_store_col(st, 14);
	W->renter = dn_store_col(st, 15);
	W->ranked = dn_store_col(st, 16);
	W->holding = dn_store_col(st, 17);
	W->t_req = dn_store_col(st, 18);
	W->cand = calloc(W->candidates, sizeof *W->cand);
	W->campaign = calloc(W->candidates, sizeof *W->campaign);
	W->campaign_cum = calloc(W->candidates, sizeof *W->campaign_cum);
	W->ops = calloc(W->operators ? W->operators : 1, sizeof *W->ops);
	if (!W->cand || !W->ops || !W->campaign || !W->campaign_cum)
		return DN_ENOMEM;
	rc = make_agents(W);
	if (rc)
		return rc;
	/* holders hear of candidates in proportion to their campaigns (plus a
	 * floor, so a silent candidate can still be found) */
	double cum = 0;
	for (uint32_t i = 0; i < W->candidates; i++) {
		cum += W->campaign[i] + 0.05 * W->campaign_usd_day + 1e-9;
		W->campaign_cum[i] = cum;
	}
	rc = make_chain(W, s);
	if (rc)
		return rc;
	W->price_now = W->price_prev = W->price_avg = dn_market_price(W->mkt);
	for (uint64_t a = 0; a < W->n; a++)
		if (W->role[a] & W_SHARER)
			W->price[a] = w_unit_price(W, W->price_usd[a]);
	/* sizes */
	W->pool.size = W->next_pool.size = W->admin_q.size = sizeof(wtx);
	W->fork_txs.size = sizeof(wtx);
	W->fork_blocks.size = sizeof(wblock);
	for (int i = 0; i < 8; i++)
		W->conf[i].size = sizeof(dn_time_ns);
	dn_metrics_config mc = dn_metrics_config_default();
	/* a transaction is late when it is confirmed more than two blocks
	 * after the `confirmations` blocks it has to wait for anyway */
	mc.confirm_limit_ns = (dn_time_ns)(W->cp.confirmations + 2) * W->block_ns;
	rc = dn_metrics_init(&W->met, &mc);
	if (!rc)
		rc = dn_metrics_part_init(&W->blockm, &mc);
	if (rc)
		return rc;
	uint64_t cap = W->n / 4 + 100000;
	if (cap > W->n)
		cap = W->n;
	rc = dn_gini_init(&W->gini, W->ranked, W->n, cap);
	if (rc) {
		dn_world_set_error(w, "cannot allocate the Gini structure for %" PRIu64 " agents", W->n);
		return rc;
	}
	/* content (phase 2) */
	if (dn_scn_bool(s, "content.enabled")) {
		dn_content_cfg cc;
		dn_content_cfg_default(&cc);
		cc.n = (uint32_t)W->n;
		cc.edges_per_node = (uint32_t)dn_scn_int(s, "content.edges_per_agent");
		cc.creator_ppm = (uint32_t)ppm_of(s, "content.creator_fraction");
		cc.recommender_ppm = (uint32_t)ppm_of(s, "content.recommender_fraction");
		cc.items_per_creator_per_day = dn_scn_float(s, "content.items_per_creator_per_day");
		cc.purchases_per_agent_per_day = dn_scn_float(s, "content.purchases_per_agent_per_day");
		cc.resell_probability = dn_scn_float(s, "content.resell_probability");
		cc.recommend_probability = dn_scn_float(s, "content.recommend_probability");
		cc.price_min_base = (dn_amount)llround(dn_scn_float(s, "content.price_min_dnet") * 1e8);
		cc.price_max_base = (dn_amount)llround(dn_scn_float(s, "content.price_max_dnet") * 1e8);
		cc.recommend_fee_ppm = (uint32_t)ppm_of(s, "content.recommend_fee");
		cc.block_interval_s = (double)W->cp.block_interval_s;
		cc.max_holdings = (uint32_t)dn_scn_int(s, "content.max_holdings");
		cc.seed = W->seed ^ 0xC0E7E47ULL;
		if (cc.price_max_base < cc.price_min_base) {
			dn_world_set_error(w, "content.price_max_dnet is below content.price_min_dnet");
			return DN_ERANGE;
		}
		rc = dn_content_new(&cc, &W->content);
		if (rc) {
			dn_world_set_error(w, "content: cannot build the social graph (%s)", dn_rc_str(rc));
			return rc;
		}
	}
	return DN_OK;
}

static dn_rc world_part_init(dn_part *p)
{
	return w_part_start(p);
}

/* Series beyond the SPEC 9 set of dn_metrics. */
enum {
	S_PRICE, S_VOLUME, S_BLOCKS, S_MISSED, S_TXS, S_TXFAIL, S_SHARERS, S_ACTIVE_SESS, S_RELAYED,
	S_RATE, S_REMATCH, S_SITES, S_NOMATCH, S_EXPENSIVE, S_NOFUNDS, S_DEL_INCOME, S_DEL_COST,
	S_TRAFFIC_SEATS, S_CONTENT_SALES, S_CONTENT_FWD, S_USD_PRICE_GB, S_FORK_BLOCKS, S_UNITS, S_DELAY, S_RETRACT, S_CHAIN_BYTES, S_LOSS,
	S_COUNT
};

static const struct { const char *name; dn_value_type vt; const char *units; const char *doc; } extra[S_COUNT] = {
	[S_PRICE] = {"dnet_price", DN_VT_F64, "USD/DNET", "DNET price on the exchange at the block"},
	[S_VOLUME] = {"exchange_volume", DN_VT_F64, "DNET", "DNET traded on the exchange in the block"},
	[S_BLOCKS] = {"blocks", DN_VT_I64, "blocks", "blocks on the chain"},
	[S_MISSED] = {"missed_slots", DN_VT_I64, "slots", "slots missed so far (producer offline or cut off, R-CONS-6)"},
	[S_TXS] = {"transactions", DN_VT_I64, "1", "transactions applied in the block"},
	[S_TXFAIL] = {"transactions_rejected", DN_VT_I64, "1", "transactions rejected in the block (reason codes in the summary)"},
	[S_SHARERS] = {"sharers_online", DN_VT_I64, "1", "sharers online and sharing"},
	[S_ACTIVE_SESS] = {"sessions_active", DN_VT_I64, "1", "sessions being served"},
	[S_RELAYED] = {"sessions_relayed", DN_VT_I64, "1", "sessions opened over ad hoc relay paths in the block"},
	[S_RATE] = {"session_rate_mbps", DN_VT_F64, "Mbit/s", "mean throughput of sessions started in the block"},
	[S_REMATCH] = {"rematches", DN_VT_I64, "1", "re-matches after a degraded or lost link (R-CRED-3)"},
	[S_SITES] = {"sites_rented", DN_VT_I64, "1", "micro sites rented by operators (R-RENT-1)"},
	[S_NOMATCH] = {"requests_unmatched", DN_VT_I64, "1", "requests with nobody reachable with capacity"},
	[S_EXPENSIVE] = {"requests_too_expensive", DN_VT_I64, "1", "requests refused: cheapest offer above the consumer's price"},
	[S_NOFUNDS] = {"requests_no_funds", DN_VT_I64, "1", "requests waiting for DNET bought on the exchange"},
	[S_DEL_INCOME] = {"delegate_income_usd", DN_VT_F64, "USD", "delegates' block income at the market price, cumulative"},
	[S_DEL_COST] = {"delegate_cost_usd", DN_VT_F64, "USD", "delegates' running cost, cumulative"},
	[S_TRAFFIC_SEATS] = {"traffic_seats", DN_VT_I64, "seats", "seats held through traffic (R-CONS-3)"},
	[S_CONTENT_SALES] = {"content_sales", DN_VT_I64, "1", "content sales in the block (R-FWD)"},
	[S_CONTENT_FWD] = {"content_forwarded", DN_VT_I64, "1", "content sales with middlemen in the block"},
	[S_USD_PRICE_GB] = {"service_price_usd_gb", DN_VT_F64, "USD/GB", "mean price paid per GB in the block, at the market price"},
	[S_FORK_BLOCKS] = {"fork_blocks_dropped", DN_VT_I64, "blocks", "blocks on abandoned forks so far (R-CHAIN-4)"},
	[S_UNITS] = {"traffic_units", DN_VT_I64, "units", "traffic units delivered in the block"},
	[S_LOSS] = {"session_loss", DN_VT_F64, "1", "mean packet loss of the paths of sessions started in the block (access link and Wi-Fi hops)"},
	[S_RETRACT] = {"admin_retracted_dnet", DN_VT_F64, "DNET", "DNET retracted by the foundation so far (R-ADMIN-1)"},
	[S_CHAIN_BYTES] = {"chain_bytes", DN_VT_I64, "bytes", "encoded size of the chain so far (headers and transactions), what a data service node stores"},
	[S_DELAY] = {"session_delay_ms", DN_VT_F64, "ms", "mean one-way path delay (access link + radio hops) of sessions started in the block"},
};

static dn_rc world_declare(dn_world *w, dn_results *r)
{
	world *W = dn_world_model(w);
	if (!r)
		return DN_OK; /* a run without a results file */
	dn_rc rc = dn_metrics_declare(&W->met, r);
	for (int i = 0; !rc && i < S_COUNT; i++)
		rc = dn_results_series(r, extra[i].name, extra[i].vt, extra[i].units, extra[i].doc, &W->s[i]);
	if (rc)
		dn_world_set_error(w, "declaring series: %s", W->met.err[0] ? W->met.err : dn_results_errmsg(r));
	return rc;
}

static uint64_t fp_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h * 0xFF51AFD7ED558CCDULL;
}

static dn_rc world_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	world *W = dn_world_model(w);
	if (t % W->block_ns)
		return DN_OK; /* only block boundaries */
	uint64_t c_req = 0, c_nomatch = 0, c_exp = 0, c_nof = 0, c_rem = 0, c_rel = 0, c_sites = 0,
	         c_online = 0, c_active = 0, c_units = 0, rate_n = 0;
	double rate_sum = 0, delay_sum = 0, loss_sum = 0;
	for (unsigned i = 0; i < W->nparts; i++) {
		wpart *P = w_part(W, i);
		c_req += P->requests;
		c_nomatch += P->no_match;
		c_exp += P->too_expensive;
		c_nof += P->no_funds;
		c_rem += P->rematches;
		c_rel += P->relayed_sessions;
		c_sites += P->sites_rented;
		c_online += P->sharers_online;
		c_active += P->active_sessions;
		c_units += P->units_delivered;
		rate_sum += P->rate_sum;
		delay_sum += P->delay_sum;
		loss_sum += P->loss_sum;
		rate_n += P->rate_n;
		P->requests = P->no_match = P->too_expensive = P->no_funds = P->rematches = 0;
		P->relayed_sessions = P->units_delivered = 0;
		P->rate_sum = P->delay_sum = P->loss_sum = 0;
		P->rate_n = 0;
	}
	uint64_t tx0 = W->tx_applied, txf0 = W->tx_failed, cs0 = W->content_sales, cf0 = W->content_forwarded;
	dn_rc rc = w_block_step(W, t);
	if (rc)
		return rc;
	/* metrics */
	dn_metrics_part *parts[DN_MAX_PARTS + 1];
	for (unsigned i = 0; i < W->nparts; i++)
		parts[i] = &w_part(W, i)->m;
	parts[W->nparts] = &W->blockm;
	const dnc_provenance *pv = dnc_chain_provenance(W->chain);
	dn_metrics_snapshot snap = {
		/* between updates (world.gini_interval_blocks) the Gini and top
		 * share are not known exactly: NaN rather than a stale value */
		.gini = W->gini.n_changed == 0 ? &W->gini : NULL,
		.dtoken_originated = pv->traffic_earned,
		.initial_originated = pv->initial + pv->stake_earned,
		.initial_vote_weight = pv->initial,
		.total_vote_weight = pv->initial + pv->stake_earned + pv->traffic_earned,
	};
	rc = dn_metrics_record(&W->met, parts, W->nparts + 1, &snap, r, t);
	if (rc) {
		dn_world_set_error(w, "metrics at t = %.0f s: %s", (double)t / 1e9, W->met.err);
		return rc;
	}
	double price = (double)W->price_now / 1e6;
	double vals[S_COUNT];
	vals[S_PRICE] = price;
	vals[S_VOLUME] = (double)W->mstats.volume_base / 1e8;
	vals[S_BLOCKS] = (double)W->blocks;
	vals[S_MISSED] = (double)W->missed;
	vals[S_TXS] = (double)(W->tx_applied - tx0);
	vals[S_TXFAIL] = (double)(W->tx_failed - txf0);
	vals[S_SHARERS] = (double)c_online;
	vals[S_ACTIVE_SESS] = (double)c_active;
	vals[S_RELAYED] = (double)c_rel;
	vals[S_RATE] = rate_n ? rate_sum / (double)rate_n / 1e6 : NAN;
	vals[S_REMATCH] = (double)c_rem;
	vals[S_SITES] = (double)c_sites;
	vals[S_NOMATCH] = (double)c_nomatch;
	vals[S_EXPENSIVE] = (double)c_exp;
	vals[S_NOFUNDS] = (double)c_nof;
	vals[S_DEL_INCOME] = (double)W->delegate_income / 1e8 * price;
	vals[S_DEL_COST] = (double)W->delegate_cost_usd / 1e6;
	vals[S_TRAFFIC_SEATS] = (double)W->seats_traffic_held;
	vals[S_CONTENT_SALES] = (double)(W->content_sales - cs0);
	vals[S_CONTENT_FWD] = (double)(W->content_forwarded - cf0);
	{
		const dn_metrics_part *wm = &W->met.window;
		double gb = (double)wm->traffic_bytes / 1e9;
		vals[S_USD_PRICE_GB] = gb > 0 ? (double)wm->paid / 1e8 * price / gb : NAN;
	}
	vals[S_FORK_BLOCKS] = (double)W->fork_blocks_dropped;
	vals[S_UNITS] = (double)c_units;
	vals[S_LOSS] = rate_n ? loss_sum / (double)rate_n : NAN;
	vals[S_RETRACT] = (double)dnc_chain_admin_stats(W->chain)->total / 1e8;
	vals[S_CHAIN_BYTES] = (double)W->chain_bytes;
	vals[S_DELAY] = rate_n ? delay_sum / (double)rate_n * 1e3 : NAN;
	(void)c_req;
	for (int i = 0; i < S_COUNT; i++) {
		uint64_t bits;
		memcpy(&bits, &vals[i], sizeof bits);
		W->fingerprint = fp_mix(W->fingerprint, bits);
	}
	if (!r)
		return DN_OK;
	for (int i = 0; !rc && i < S_COUNT; i++)
		rc = extra[i].vt == DN_VT_I64 ? dn_results_append_i64(r, W->s[i], t, (int64_t)vals[i])
		                               : dn_results_append_f64(r, W->s[i], t, vals[i]);
	if (rc)
		dn_world_set_error(w, "recording: %s", dn_results_errmsg(r));
	return rc;
}

static dn_rc world_finish(dn_world *w, dn_results *r)
{
	world *W = dn_world_model(w);
	if (!r)
		return DN_OK;
	dn_rc rc = dn_metrics_finish(&W->met, r);
	if (!rc)
		rc = dn_results_summary_i64(r, "world_blocks", (int64_t)W->blocks, "blocks", "blocks on the chain");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_missed_slots", (int64_t)W->missed, "slots", "missed slots (R-CONS-6)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_transactions", (int64_t)W->tx_applied, "1", "transactions applied");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_transactions_rejected", (int64_t)W->tx_failed, "1", "transactions rejected");
	for (int k = 1; !rc && k < DNC_ERC_COUNT; k++) {
		if (!W->tx_fail_rc[k])
			continue;
		char name[64];
		snprintf(name, sizeof name, "world_rejected_%s", dnc_rc_name((dnc_rc)k));
		for (char *q = name; *q; q++)
			if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
				*q = '_';
		rc = dn_results_summary_i64(r, name, (int64_t)W->tx_fail_rc[k], "1", "transactions rejected with this reason code");
	}
	if (!rc)
		rc = dn_results_summary_i64(r, "world_admin_retracts", (int64_t)dnc_chain_admin_stats(W->chain)->count, "1",
		                            "retracts by the foundation (R-ADMIN-1)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_forks", (int64_t)W->forks, "1", "forks resolved (R-CHAIN-4)");
	if (!rc)
		rc = dn_results_summary_f64(r, "world_dnet_price", (double)W->price_now / 1e6, "USD/DNET", "final DNET price");
	dnc_check_stats cs;
	dnc_ledger_check_stats(dnc_chain_ledger_c(W->chain), &cs);
	if (!rc)
		rc = dn_results_summary_i64(r, "world_conservation_checks", (int64_t)cs.checks, "blocks",
		                            "blocks whose conservation was checked over the accounts they wrote (R-SUP-1)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_conservation_full_scans", (int64_t)cs.full_scans, "blocks",
		                            "of them, blocks that wrote too many accounts and were checked by a full scan");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_conservation_max_touched", (int64_t)cs.max_touched, "accounts",
		                            "most accounts a block wrote (blocks checked by a full scan aside)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_fingerprint", (int64_t)(W->fingerprint >> 1), "1",
		                            "hash of every recorded value (equal runs have equal fingerprints)");
	if (!rc)
		rc = dn_results_summary_f64(r, "world_bytes_per_agent", dn_world_bytes_per_agent(w), "bytes",
		                            "agent-store bytes per agent");
	if (rc)
		dn_world_set_error(w, "summary: %s", dn_results_errmsg(r));
	return rc;
}

static void world_fini(dn_world *w)
{
	world *W = dn_world_model(w);
	for (unsigned i = 0; i < W->nparts; i++) {
		dn_part *p = dn_world_part(w, i);
		if (!p)
			continue;
		wpart *P = dn_part_model(p);
		wvec_free(&P->out);
		wvec_free(&P->in);
		wvec_free(&P->orders);
		wvec_free(&P->sess);
		wvec_free(&P->free_slots);
		wvec_free(&P->quits);
		dn_spatial_free(P->sx);
		dn_spatial_free(P->rx);
		dn_match_free(P->mt);
		P->sx = P->rx = NULL;
		P->mt = NULL;
	}
	wvec_free(&W->pool);
	wvec_free(&W->next_pool);
	wvec_free(&W->admin_q);
	wvec_free(&W->fork_blocks);
	wvec_free(&W->fork_txs);
	for (int i = 0; i < 8; i++)
		wvec_free(&W->conf[i]);
	dn_gini_free(&W->gini);
	dnc_forktree_free(&W->ft);
	dnc_chain_destroy(W->chain);
	dn_market_free(W->mkt);
	dn_market_path_free(W->path);
	dn_content_free(W->content);
	free(W->sk);
	free(W->cand);
	free(W->campaign);
	free(W->campaign_cum);
	W->campaign = W->campaign_cum = NULL;
	free(W->ops);
	free(W->sites);
	W->sites = NULL;
	free(W->cell_rate);
	W->cell_rate = NULL;
	W->chain = NULL;
	W->mkt = NULL;
	W->path = NULL;
	W->content = NULL;
	W->sk = NULL;
	W->cand = W->ops = NULL;
}

uint64_t dn_world_fingerprint(dn_world *w)
{
	world *W = dn_world_model(w);
	return W->fingerprint;
}

static dn_rc world_estimate(const dn_scenario *s, dn_estimate *e)
{
	return w_estimate(s, dn_store_bytes_per_agent(&agent_kind), e);
}

const dn_model dn_model_world = {
	.name = "world",
	.doc = "the DNET world: consumers, sharers, relays, delegates, holders, operators, traders and content on simulated networks, through the protocol library",
	.params = world_params,
	.n_params = sizeof world_params / sizeof world_params[0],
	.handlers = w_handlers,
	.n_handlers = EV_COUNT,
	.world_state_size = sizeof(world),
	.part_state_size = sizeof(wpart),
	.init = world_init,
	.part_init = world_part_init,
	.declare = world_declare,
	.sample = world_sample,
	.finish = world_finish,
	.fini = world_fini,
	.estimate = world_estimate,
	.fingerprint = dn_world_fingerprint,
};
