/*
 * world_params.c: the world model's parameter table (what a scenario may
 * set, with units, defaults and ranges; docs/agents.md explains each), and
 * reading it into the configuration (world_cfg), with the checks that
 * need more than one parameter. Also what is derived from parameters
 * once: link kinds, radio ranges capped at what the calibrated models
 * reach, and the small cell's rate table. Nothing here runs after
 * world_init; the numbers in the table's range columns are bounds, not
 * unit conversions (those are in dn_units.h).
 */
#include "world.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const dn_param_def w_param_defs[] = {
	/* population */
	{"world.agents", DN_PT_INT, "1", "20000", 2, 4e9, NULL, "agents in the world (every role together)"},
	{"world.network_agents", DN_PT_INT, "1", "0", 0, 1e12, NULL,
	 "agents of the network the world stands for (0: the world is the whole network); a smaller world is a uniform slice of it: "
	 "the supply (so the genesis and the emission), the exchange's depth, the delegate seats, the candidates and the area scale by world.agents / this (docs/agents.md)"},
	{"world.area_km", DN_PT_FLOAT, "km", "2", 0.05, 5000, NULL,
	 "side of the square area the network covers (a slice, world.network_agents, covers its share of it); sim.partitions tiles cut it"},
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
	{"world.cross_tiles", DN_PT_BOOL, "", "true", 0, 0, NULL,
	 "true: a consumer (or the last relay of its path) may be matched to a sharer of another tile, as the last block step saw it; the block step reserves it and the open makes the same block a local one would (docs/architecture.md, \"Paths across tiles\"); false: within the consumer's tile only, so tile borders shape the market"},
	{"world.gini_interval_blocks", DN_PT_INT, "blocks", "1", 1, 1e6, NULL,
	 "the exact Gini coefficient and top-1 % share are brought up to date every this many blocks (each update is one pass over every agent's holdings); blocks in between record NaN for them unless nothing changed"},
	/* recording (docs/hdf5-schema.md: intervals and aggregates) */
	{"record.interval", DN_PT_ENUM, "", "block", 0, 0, "block|epoch|hour|day",
	 "how often series are written: every block, election epoch (chain.epoch_blocks), simulated hour or day; each value aggregates the blocks since the last one (sums, last values, min and max, quantiles over the interval)"},
	{"record.service", DN_PT_ENUM, "", "same", 0, 0, "same|block|epoch|hour|day",
	 "interval of the service series (coverage, requests, latencies, prices paid, sessions); same: record.interval"},
	{"record.economy", DN_PT_ENUM, "", "same", 0, 0, "same|block|epoch|hour|day",
	 "interval of the money series (exchange, income and spending by role, fees, delegates' income and cost); same: record.interval"},
	{"record.holdings", DN_PT_ENUM, "", "same", 0, 0, "same|block|epoch|hour|day",
	 "interval of the holdings series (Gini, top share, R-EMIT-5, R-GOV-2; each write is one pass over every holding); same: record.interval"},
	{"record.chain", DN_PT_ENUM, "", "same", 0, 0, "same|block|epoch|hour|day",
	 "interval of the chain series (blocks, transactions, forks, fraud, governance, the parameters in force); same: record.interval"},
	{"record.ledger_trace", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "also write a hash of the whole ledger, its supply and each class of accounts' balances and hash after the last block of each record.chain interval (ledger_* series; what dnetsim check's goldens hold; one pass over every account a row)"},
	{"world.check_ledger", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "also scan the whole ledger for conservation after every block (slow; tests); the check over the accounts each block wrote always runs"},
	/* consumers */
	{"consumer.mib_per_day", DN_PT_FLOAT, "MiB", "300", 0, 1e7, NULL, "mean traffic a consumer wants per day"},
	{"consumer.pareto_alpha", DN_PT_FLOAT, "1", "1.15", 1.01, 10, NULL, "tail of the per-consumer demand (1.15: about 1 % of users take over half, rules §7)"},
	{"consumer.session_mib", DN_PT_FLOAT, "MiB", "50", 1, 1e6, NULL, "typical session size; heavy users open more sessions"},
	{"consumer.sessions_per_day_max", DN_PT_FLOAT, "1", "48", 0.01, 10000, NULL, "cap on a consumer's sessions per day"},
	{"consumer.diurnal_amplitude", DN_PT_FLOAT, "1", "0.6", 0, 1, NULL, "demand swing over the day: rate x (1 + a sin), peak at 18:00"},
	{"consumer.wtp_usd_per_gb", DN_PT_FLOAT, "USD/GB", "2", 0, 1e4, NULL, "median price a consumer accepts (log-normal over consumers)"},
	{"consumer.wtp_sigma", DN_PT_FLOAT, "1", "0.6", 0, 5, NULL, "log-normal spread of the accepted price"},
	{"consumer.usd_per_month", DN_PT_FLOAT, "USD", "20", 0, 1e6, NULL, "money a consumer can spend on DNET per month"},
	{"consumer.rematch_rate_share", DN_PT_FLOAT, "1", "0", 0, 1, NULL,
	 "with sharer.rate_follows_load: a consumer whose session's rate has fallen below this share of the rate it was matched at re-matches at its next credential, as for a degraded link (R-CRED-3); 0: never"},
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
	{"sharer.rate_follows_load", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "true: a sharer's access link is shared equally by the sessions it holds, re-evaluated whenever one starts or ends (delivered bytes, credentials and payments follow); false: a session keeps the rate it was matched at"},
	{"sharer.uptime_mean_h", DN_PT_FLOAT, "h", "20", 0.01, 1e5, NULL, "mean time a sharer stays online (exponential)"},
	{"sharer.downtime_mean_h", DN_PT_FLOAT, "h", "2", 0.01, 1e5, NULL, "mean time a sharer stays offline"},
	{"sharer.sell_fraction", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "share of hourly earnings a sharer sells for USD"},
	{"sharer.keep_bond", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "under chain.score_bond_dnet: a sharer sells only what it holds above the bond, so that its earnings build the bond up"},
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
	{"chain.e0", DN_PT_FLOAT, "1", "0.25", 0, 0.999999, NULL,
	 "initial circulating share E0 = alpha + beta + gamma (R-SUP-2); given alone, the three keep their proportions (10:10:5); "
	 "given with some of them, the others share what is left; given with all three, they must add up to it"},
	{"chain.emission_years", DN_PT_INT, "years", "10", 1, 1000, NULL,
	 "block rewards are released within this many years (R-EMIT-1); give this or chain.delta, not both"},
	{"chain.delta", DN_PT_FLOAT, "1", "2.378234e-8", 1e-15, 1e-3, NULL,
	 "block reward / supply (R-EMIT-2), the alternative to chain.emission_years: given, the flat emission lasts "
	 "ceil((1 - E0) / delta) blocks; the default shown is what 10 years give, and what is in force is in /summary (chain_delta)"},
	{"chain.emission_schedule", DN_PT_ENUM, "", "flat", 0, 0, "flat|geometric|halving",
	 "shape of the emission (R-EMIT-1): the paper's flat reward, each year chain.emission_decay of the year before, or the reward "
	 "halving every chain.emission_halving_years; each releases exactly (1 - E0) x supply by its end (R-EMIT-4)"},
	{"chain.emission_decay", DN_PT_FLOAT, "1", "0.8", 1e-6, 1, NULL, "geometric schedule: a year's emission over the year before's"},
	{"chain.emission_halving_years", DN_PT_INT, "years", "4", 1, 1000, NULL, "halving schedule: years between halvings"},
	{"chain.quality_price_weight", DN_PT_FLOAT, "1", "0.333334", 0, 1, NULL,
	 "weight of low price in the quality score (R-CONS-3); the three weights add up to 1 (the paper gives none: a third each)"},
	{"chain.quality_loss_weight", DN_PT_FLOAT, "1", "0.333333", 0, 1, NULL,
	 "weight of low loss: units redeemed against units the deposits paid for, over settled sessions (R-CONS-3)"},
	{"chain.quality_stability_weight", DN_PT_FLOAT, "1", "0.333333", 0, 1, NULL,
	 "weight of stability: volume x consecutive windows with traffic, capped at 30 (R-CONS-3)"},
	{"chain.producer_share", DN_PT_FLOAT, "1", "0.05", 0, 1, NULL, "producer's share of the block reward (R-EMIT-3)"},
	{"chain.delegate_fee_share", DN_PT_FLOAT, "1", "0.1", 0, 1, NULL, "delegate's share of its pool's fees (R-FEE-1)"},
	{"chain.community_fee", DN_PT_FLOAT, "1", "0.005", 0, 0.005, NULL, "community fee on payments, at most 0.5 % (R-FEE-2)"},
	{"chain.relay_share", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "relays' share of a payment over an ad hoc path (R-SHARE-2)"},
	{"chain.seat_payout", DN_PT_ENUM, "", "block", 0, 0, "block|epoch",
	 "when the delegate pools are paid the block rewards and fees (R-EMIT-3, R-FEE-1,2): block, every block pays the seats in office; epoch, the pools' part of every reward and every fee wait in the fee pot and the seats are paid it all, split as a block's would be, when the epoch ends (their set leaves office); the producer's 5 % is paid every block either way"},
	{"chain.relay_mode", DN_PT_ENUM, "", "equal", 0, 0, "equal|proportional_to_bytes_relayed", "how relays share (R-SHARE-2)"},
	{"chain.supply_dnet", DN_PT_INT, "DNET", "7500000000", 1000, 9e10, NULL,
	 "total supply, minted at genesis (alpha, beta, gamma) or by block rewards (R-SUP-1); 1 DNET = 1e8 base units"},
	{"chain.fwd_origin_share", DN_PT_FLOAT, "1", "0.15", 0, 1, NULL, "origin O's share of a forwarded content sale after the fee (R-FWD-1)"},
	{"chain.fwd_seller_share", DN_PT_FLOAT, "1", "0.6", 0, 1, NULL,
	 "seller S's share of a forwarded sale (R-FWD-1); S also gets all that O and the middlemen do not (R-FWD-3), so it is the remainder and enters only the check origin + seller + pool <= 1"},
	{"chain.fwd_pool_share", DN_PT_FLOAT, "1", "0.2", 0, 1, NULL, "middlemen's pool of a forwarded sale (R-FWD-1)"},
	{"chain.fwd_first_share", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "M1's share of the middlemen's pool (R-FWD-2)"},
	{"chain.fwd_decay", DN_PT_FLOAT, "1", "0.5", 0, 0.999999, NULL, "each next middleman's reward as a share of the previous one's (R-FWD-2)"},
	{"chain.fwd_min_reward_base", DN_PT_INT, "base units", "10", 1, 1e15, NULL,
	 "a middleman's reward below this ends the series; the rest goes to S (R-FWD-2)"},
	{"chain.fwd_order", DN_PT_ENUM, "", "origin_first", 0, 0, "origin_first|nearest_buyer_first",
	 "which middleman is M1: the one next after O, or the one nearest the buyer (R-FWD-2)"},
	{"chain.lock_cliff_months", DN_PT_INT, "months", "6", 0, 1200, NULL,
	 "the team allocation stays locked this many months after the fundraising ends (R-LOCK-1)"},
	{"chain.lock_monthly_rate", DN_PT_FLOAT, "1", "0.02", 1e-6, 1, NULL, "share of the team allocation unlocked each month after the cliff (R-LOCK-1)"},
	{"chain.gov_threshold", DN_PT_FLOAT, "1", "0.6666666666666666", 0.5, 0.999999, NULL,
	 "a proposal passes with strictly more than this share of all voting weight (R-GOV-1); kept as the fraction it is (2/3), else in millionths"},
	{"chain.gov_voting_blocks", DN_PT_INT, "blocks", "8640", 1, 1e8, NULL, "a governance vote stays open this many blocks, then it is tallied (R-GOV-1)"},
	{"gov.change1.param", DN_PT_ENUM, "", "none", 0, 0,
	 "none|chain.community_fee|chain.lambda|chain.producer_share|chain.emission_years|chain.delta|admin.enabled",
	 "scheduled change 1: the parameter a governance vote changes (R-GOV-1, R-EMIT-4; docs/agents.md)"},
	{"gov.change1.value", DN_PT_FLOAT, "", "0", -1e18, 1e18, NULL,
	 "its new value, in the parameter's own unit (chain.emission_years: years from genesis; chain.delta: reward per block / supply)"},
	{"gov.change1.at_s", DN_PT_FLOAT, "s", "-1", -1, 3.2e10, NULL, "when the largest staker proposes it (-1: never)"},
	{"gov.change1.support", DN_PT_FLOAT, "1", "0.9", 0, 1, NULL, "chance each staker votes yes (the rest vote no)"},
	{"gov.change2.param", DN_PT_ENUM, "", "none", 0, 0,
	 "none|chain.community_fee|chain.lambda|chain.producer_share|chain.emission_years|chain.delta|admin.enabled",
	 "scheduled change 2: the parameter a governance vote changes (R-GOV-1, R-EMIT-4; docs/agents.md)"},
	{"gov.change2.value", DN_PT_FLOAT, "", "0", -1e18, 1e18, NULL,
	 "its new value, in the parameter's own unit (chain.emission_years: years from genesis; chain.delta: reward per block / supply)"},
	{"gov.change2.at_s", DN_PT_FLOAT, "s", "-1", -1, 3.2e10, NULL, "when the largest staker proposes it (-1: never)"},
	{"gov.change2.support", DN_PT_FLOAT, "1", "0.9", 0, 1, NULL, "chance each staker votes yes (the rest vote no)"},
	{"gov.change3.param", DN_PT_ENUM, "", "none", 0, 0,
	 "none|chain.community_fee|chain.lambda|chain.producer_share|chain.emission_years|chain.delta|admin.enabled",
	 "scheduled change 3: the parameter a governance vote changes (R-GOV-1, R-EMIT-4; docs/agents.md)"},
	{"gov.change3.value", DN_PT_FLOAT, "", "0", -1e18, 1e18, NULL,
	 "its new value, in the parameter's own unit (chain.emission_years: years from genesis; chain.delta: reward per block / supply)"},
	{"gov.change3.at_s", DN_PT_FLOAT, "s", "-1", -1, 3.2e10, NULL, "when the largest staker proposes it (-1: never)"},
	{"gov.change3.support", DN_PT_FLOAT, "1", "0.9", 0, 1, NULL, "chance each staker votes yes (the rest vote no)"},
	{"gov.change4.param", DN_PT_ENUM, "", "none", 0, 0,
	 "none|chain.community_fee|chain.lambda|chain.producer_share|chain.emission_years|chain.delta|admin.enabled",
	 "scheduled change 4: the parameter a governance vote changes (R-GOV-1, R-EMIT-4; docs/agents.md)"},
	{"gov.change4.value", DN_PT_FLOAT, "", "0", -1e18, 1e18, NULL,
	 "its new value, in the parameter's own unit (chain.emission_years: years from genesis; chain.delta: reward per block / supply)"},
	{"gov.change4.at_s", DN_PT_FLOAT, "s", "-1", -1, 3.2e10, NULL, "when the largest staker proposes it (-1: never)"},
	{"gov.change4.support", DN_PT_FLOAT, "1", "0.9", 0, 1, NULL, "chance each staker votes yes (the rest vote no)"},
	{"chain.tx_fee_dnet", DN_PT_FLOAT, "DNET", "0", 0, 1000, NULL,
	 "fee every transaction the world signs carries, paid to the producing delegate's pool (R-FEE-1)"},
	{"chain.signatures", DN_PT_ENUM, "", "ed25519", 0, 0, "ed25519|keyed", "signature scheme of credentials and transactions: Ed25519, or keyed SipHash for very large worlds (docs/chain.md)"},
	{"chain.partition_at_s", DN_PT_FLOAT, "s", "-1", -1, 3.15e9, NULL, "when the network splits in two (-1: never); forks follow (R-CHAIN-4)"},
	{"chain.partition_duration_s", DN_PT_FLOAT, "s", "120", 0, 3.15e9, NULL, "how long the split lasts"},
	{"chain.partition_share", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "share of the tiles cut off by the split"},
	/* content (phase 2, rules §8) */
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
	/* scoring countermeasures (docs/attacks.md; off by default: the paper's rules) */
	{"chain.score_min_price_base", DN_PT_INT, "base units", "0", 0, 1e15, NULL,
	 "countermeasure: units redeemed at a price per unit below this count for nothing in the traffic scores (volume, price, loss, stability; R-CONS-3/4); payments are unchanged; 0: off"},
	{"chain.score_cap_units", DN_PT_INT, "units", "0", 0, 1e18, NULL,
	 "countermeasure: most traffic units one distributor is scored for in a score window (what a link could carry); 0: off (chain.score_cap_link derives it from the access link)"},
	{"chain.fork_choice", DN_PT_ENUM, "", "traffic", 0, 0, "traffic|length",
	 "which branch a healed partition keeps (R-CHAIN-4): traffic, the paper's (most confirmed traffic, then the longest); length, the countermeasure to fabricated traffic (the longest, then the most traffic)"},
	{"chain.score_bond_dnet", DN_PT_FLOAT, "DNET", "0", 0, 1e9, NULL,
	 "countermeasure: a distributor holding less DNET than this (balance and locks) when its units are redeemed or its session closes is scored for none of them; R-ADMIN-1 retracts take it with the rest; 0: off"},
	{"chain.seat_cluster_max", DN_PT_INT, "seats", "0", 0, 180, NULL,
	 "countermeasure: most delegate seats the accounts of one owner cluster may hold in an epoch; a cluster is the accounts linked by who first funded whom with a transfer, stopping at the exchange (dnc_owner_cluster); the chain keeps funders only with this on; 0: off"},
	{"chain.score_cap_link", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "countermeasure: set chain.score_cap_units to what the sharers' access link (net.access.kind; under net.access.mix the mix's fastest) carries upstream in one score window"},
	/* attacks (docs/attacks.md) */
	{"attack.kind", DN_PT_ENUM, "", "none", 0, 0, "none|wash|cheap|withhold|fraud|fork|bribe|cartel|sybil|middle|custody",
	 "the attacker in the world: wash (Sybil consumer/distributor pairs claiming traffic for traffic seats, R-CONS-4), cheap (sharers selling at a near-zero price for quality seats, R-CONS-3), withhold (stake delegates skipping their slots, R-CONS-6), fraud (the world.fraud_fraction forgers and world.free_rider_fraction free riders, R-CRED-5,7, with an honest twin), fork (Sybil pairs redeeming fabricated traffic on a partition's minority side so that R-CHAIN-4 keeps it), bribe (the least-backed candidates buy holders' votes with part of their seat income, R-CONS-5), cartel (the least-backed candidates buy DNET and vote for each other in a ring, R-CONS-5), sybil (relays adding fake hops of their own to the paths they are on, for R-SHARE-2 shares), middle (forwarders inserting fake middlemen of their own after themselves in content chains, for R-FWD-2 shares), custody (an exchange votes the DNET its customers keep with it for the least-backed candidates, R-CONS-5)"},
	{"attack.active", DN_PT_BOOL, "", "true", 0, 0, NULL,
	 "false: the attacker's identities exist (the same accounts and agents) but act honestly: the paired honest twin of the same world and seed"},
	{"attack.start_s", DN_PT_FLOAT, "s", "0", 0, 3.15e10, NULL, "when the attack starts"},
	{"attack.size", DN_PT_INT, "1", "3", 1, 100000, NULL,
	 "wash and fork: consumer/distributor pairs; cheap: sharers turned; withhold: stake candidates turned (the best-backed first); bribe, cartel and custody: candidates turned (the least-backed first; custody: one exchange wallet each); sybil: relays turned (the first by id); middle: agents turned (the first by id)"},
	{"attack.units", DN_PT_INT, "units", "0", 0, 1e15, NULL,
	 "wash: traffic units each session's credential claims; 0: 1.2 times the top volume any other distributor was scored for in the last complete window (at least 1,000)"},
	{"attack.price_base", DN_PT_INT, "base units", "1", 1, 1e15, NULL,
	 "wash and cheap: price per unit the attacker sells at (raised to chain.score_min_price_base when that is on: the price that still counts)"},
	{"attack.rate_mbps", DN_PT_FLOAT, "Mbit/s", "0", 0, 1e9, NULL,
	 "wash: redeem each session's credential only once its units could have crossed a link this fast (evades detector rate below it); 0: at once"},
	{"attack.sessions_per_day", DN_PT_FLOAT, "1/day", "1", 0.01, 8640, NULL, "wash: sessions each pair runs per day"},
	{"attack.budget_usd", DN_PT_FLOAT, "USD", "100", 0, 1e12, NULL,
	 "wash, fork and cartel: USD the attacker turns into DNET on the exchange when it starts (deposits and fees; the cartel's stake)"},
	{"attack.fund_from", DN_PT_ENUM, "", "exchange", 0, 0, "exchange|wallet",
	 "wash and fork: how the bought DNET reaches the pairs: exchange, each account is paid from the exchange (nothing on chain links them); wallet, the attacker's own wallet receives it and funds each distributor (a float of 1 DNET, or its bond) and consumer by a signed transfer, so that they form one owner cluster (chain.seat_cluster_max)"},
	{"attack.node_usd_per_day", DN_PT_FLOAT, "USD", "2", 0, 1e6, NULL, "wash: running cost of each of the attacker's distributor nodes per day"},
	{"attack.bribe_share", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "bribe: share of a briber's daily seat income it pays its voters, in proportion to their votes"},
	{"attack.bribe_takers", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL, "bribe: share of the holders who sell their vote (they vote for a briber at their daily vote)"},
	{"attack.sybils", DN_PT_INT, "1", "3", 1, 8, NULL, "sybil: fake hops (identities of its own) a turned relay adds after the real relays of a path it is on; middle: fake middlemen a turned forwarder inserts after itself"},
	{"attack.custody_share", DN_PT_FLOAT, "1", "0.3", 0, 1, NULL,
	 "custody: share of the plain holders (not team, candidates, operators or traders) whose sale DNET (R-SUP-2 beta) the exchange keeps from genesis, in its attack.size wallets; in the twin it keeps it without voting it"},
	{"attack.withhold_share", DN_PT_FLOAT, "1", "1", 0, 1, NULL, "withhold: share of its scheduled slots a turned delegate skips"},
	{"detect.rate_mbps", DN_PT_FLOAT, "Mbit/s", "1000", 0.001, 1e9, NULL,
	 "detector rate: flags a distributor whose redeemed units imply a session rate above this since the session's open"},
	{"detect.price_ratio", DN_PT_FLOAT, "1", "100", 1, 1e15, NULL,
	 "detector price: flags a distributor whose units-weighted price is below the median distributor's over this"},
	{"detect.unpaid_share", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL,
	 "detector unpaid: flags a consumer whose closed sessions left more than this share of the units their deposits bought unredeemed"},
	{"detect.retract", DN_PT_ENUM, "", "none", 0, 0, "none|rate|price|missed|refused|unpaid|votepay|ring|cohop|whale",
	 "the foundation retracts (R-ADMIN-1) the spendable DNET of every account this detector flags, at each election; counted in /summary as the centralisation cost it is"},
	{"detect.whale_share", DN_PT_FLOAT, "1", "0.7", 0, 1, NULL,
	 "detector whale: flags a candidate whose largest voter (other than itself) gave more than this share of the votes it received"},
	{"detect.missed_share", DN_PT_FLOAT, "1", "0.2", 0, 1, NULL,
	 "detector missed: flags a producer that missed more than this share of its scheduled slots (at least 10 slots)"},
};

const char *w_param_where(const dn_scenario *s, const char *name, char *buf, size_t len)
{
	int line = 0, col = 0;
	const char *f = dn_scn_where(s, name, &line, &col);
	if (f)
		snprintf(buf, len, "%s:%d:%d: ", f, line, col);
	else
		buf[0] = '\0';
	return buf;
}

double w_ppm_of(const dn_scenario *s, const char *name)
{
	return dn_ppm_of_share(dn_scn_float(s, name));
}

/* world.layout line: one role letter per agent, as many D and O letters
 * as candidates and operators, one tile. */
static dn_rc check_line_roles(world *W, const dn_scenario *s)
{
	const world_cfg *C = &W->cfg;
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
	if (strlen(lr) != C->n || nc == 0 || nc != C->candidates || no != C->operators) {
		dn_world_set_error(W->w, "world.layout line: world.line_roles needs one letter per agent (world.agents = %" PRIu64
		                         ") with world.candidates D letters and world.operators O letters", C->n);
		return DN_EINVAL;
	}
	if (dn_world_nparts(W->w) != 1) {
		dn_world_set_error(W->w, "world.layout line runs in one tile: set sim.partitions to 1");
		return DN_EINVAL;
	}
	return DN_OK;
}

static void read_population(world_cfg *C, const dn_scenario *s)
{
	C->n = (uint64_t)dn_scn_int(s, "world.agents");
	int64_t net = dn_scn_int(s, "world.network_agents");
	C->network_n = net > 0 ? (uint64_t)net : C->n;
	C->net_share = C->network_n >= C->n ? (double)C->n / (double)C->network_n : 1.0;
	/* a slice keeps the network's density: its share of the area */
	C->area_m = dn_scn_float(s, "world.area_km") * 1000.0 * sqrt(C->net_share);
	C->f_consumer = dn_scn_float(s, "world.consumer_fraction");
	C->villages_km2 = dn_scn_float(s, "world.villages_per_km2");
	C->village_share = dn_scn_float(s, "world.village_share");
	C->village_radius_m = dn_scn_float(s, "world.village_radius_m");
	C->f_sharer = dn_scn_float(s, "world.sharer_fraction");
	C->f_relay = dn_scn_float(s, "world.relay_fraction");
	C->f_holder = dn_scn_float(s, "world.holder_fraction");
	C->f_trader = dn_scn_float(s, "world.trader_fraction");
	C->f_site = dn_scn_float(s, "world.site_fraction");
	C->candidates = (uint32_t)dn_scn_int(s, "world.candidates");
	if (C->net_share < 1.0) /* a slice has its share of the candidates */
		C->candidates = (uint32_t)fmax(1.0, nearbyint(C->candidates * C->net_share));
	C->operators = (uint32_t)dn_scn_int(s, "world.operators");
	C->team_holders = (uint32_t)dn_scn_int(s, "world.team_holders");
	C->fraud_fraction = dn_scn_float(s, "world.fraud_fraction");
	C->free_rider_fraction = dn_scn_float(s, "world.free_rider_fraction");
	C->check_ledger = dn_scn_bool(s, "world.check_ledger");
	C->ledger_trace = dn_scn_bool(s, "record.ledger_trace");
	C->gini_interval_blocks = (uint64_t)dn_scn_int(s, "world.gini_interval_blocks");
	C->line = !strcmp(dn_scn_str(s, "world.layout"), "line");
	C->line_spacing_m = dn_scn_float(s, "world.line_spacing_m");
	C->cross_tiles = dn_scn_bool(s, "world.cross_tiles");
}

static void read_consumers_sharers_relays(world_cfg *C, const dn_scenario *s)
{
	C->consumer_mib_day = dn_scn_float(s, "consumer.mib_per_day");
	C->pareto_alpha = dn_scn_float(s, "consumer.pareto_alpha");
	C->session_mib_target = dn_scn_float(s, "consumer.session_mib");
	C->sessions_day_max = dn_scn_float(s, "consumer.sessions_per_day_max");
	C->diurnal = dn_scn_float(s, "consumer.diurnal_amplitude");
	C->wtp_usd_gb = dn_scn_float(s, "consumer.wtp_usd_per_gb");
	C->wtp_sigma = dn_scn_float(s, "consumer.wtp_sigma");
	C->consumer_usd_month = dn_scn_float(s, "consumer.usd_per_month");
	C->deposit_factor = dn_scn_float(s, "consumer.deposit_factor");
	C->cred_interval_s = dn_scn_float(s, "consumer.credential_interval_s");
	C->airdrop_dnet = dn_scn_float(s, "consumer.airdrop_dnet");
	C->sharer_quota_gb = dn_scn_float(s, "sharer.quota_gb_month");
	C->sharer_price_usd_gb = dn_scn_float(s, "sharer.price_usd_per_gb");
	const char *st = dn_scn_str(s, "sharer.strategy");
	C->price_strategy = !strcmp(st, "fixed") ? PRICE_FIXED : !strcmp(st, "undercut") ? PRICE_UNDERCUT
	                  : !strcmp(st, "adaptive") ? PRICE_ADAPTIVE : PRICE_MIXED;
	C->sharer_cost_usd_month = dn_scn_float(s, "sharer.access_cost_usd_month");
	C->sharer_join_ratio = dn_scn_float(s, "sharer.join_ratio");
	C->sharer_leave_ratio = dn_scn_float(s, "sharer.leave_ratio");
	C->sharer_active_initial = dn_scn_float(s, "sharer.active_initial");
	C->sharer_range_m = dn_scn_float(s, "sharer.range_m");
	C->sharer_max_sessions = (uint32_t)dn_scn_int(s, "sharer.max_sessions");
	C->rate_follows_load = dn_scn_bool(s, "sharer.rate_follows_load");
	C->sharer_up_h = dn_scn_float(s, "sharer.uptime_mean_h");
	C->sharer_down_h = dn_scn_float(s, "sharer.downtime_mean_h");
	C->sharer_sell_fraction = dn_scn_float(s, "sharer.sell_fraction");
	C->sharer_keep_bond = dn_scn_bool(s, "sharer.keep_bond");
	C->degrade_prob = dn_scn_float(s, "sharer.degrade_probability");
	C->rematch_rate_share = dn_scn_float(s, "consumer.rematch_rate_share");
	C->max_hops = (uint32_t)dn_scn_int(s, "relay.max_hops");
	C->relay_range_m = dn_scn_float(s, "relay.range_m");
	C->relay_up_h = dn_scn_float(s, "relay.uptime_mean_h");
	C->relay_down_h = dn_scn_float(s, "relay.downtime_mean_h");
}

static void read_delegates_operators_traders(world_cfg *C, const dn_scenario *s)
{
	C->candidate_cost_usd_day = dn_scn_float(s, "delegate.cost_usd_per_day");
	C->energy_kwh_day = dn_scn_float(s, "delegate.energy_kwh_per_day");
	C->usd_per_kwh = dn_scn_float(s, "delegate.usd_per_kwh");
	C->storage_usd_gb_month = dn_scn_float(s, "delegate.storage_usd_per_gb_month");
	C->campaign_usd_day = dn_scn_float(s, "delegate.campaign_usd_per_day");
	C->team_sell_fraction = dn_scn_float(s, "world.team_sell_fraction");
	C->retract_base = dn_base_of_dnet(dn_scn_float(s, "admin.retract_dnet"));
	C->candidate_availability = dn_scn_float(s, "delegate.availability");
	C->candidate_sell_fraction = dn_scn_float(s, "delegate.sell_fraction");
	C->candidate_quit_ratio = dn_scn_float(s, "delegate.quit_ratio");
	C->vote_fraction = dn_scn_float(s, "holder.vote_fraction");
	C->site_rent_usd_hour = dn_scn_float(s, "site.rent_usd_per_hour");
	C->operator_price_usd_gb = dn_scn_float(s, "operator.price_usd_per_gb");
	C->cell_range_m = dn_scn_float(s, "operator.cell_range_m");
	C->cell_capacity_mbps = dn_scn_float(s, "operator.cell_backhaul_mbps");
	C->cell_max_sessions = (uint32_t)dn_scn_int(s, "operator.cell_max_sessions");
	C->trader_usd = dn_scn_float(s, "trader.usd");
	C->trade_prob_hour = dn_scn_float(s, "trader.trade_probability");
	C->trade_fraction = dn_scn_float(s, "trader.trade_fraction");
	C->momentum_share = dn_scn_float(s, "trader.momentum_share");
}

/* R-GOV-1: the threshold as the library's fraction gov_num / gov_den: the
 * smallest denominator up to a million that gives x (to 1e-12), so the
 * default 2/3 stays 2/3; else x in millionths. */
static void gov_fraction(double x, uint32_t *num, uint32_t *den)
{
	for (uint32_t d = 1; d <= 1000000u; d++) {
		double n = nearbyint(x * d);
		if (fabs(n / d - x) <= 1e-12) {
			*num = (uint32_t)n;
			*den = d;
			return;
		}
	}
	*num = (uint32_t)dn_ppm_of_share(x);
	*den = 1000000u;
}

/* The protocol's parameters (dnc_params) and the network partition. */
static void read_chain(world_cfg *C, const dn_scenario *s)
{
	double at = dn_scn_float(s, "chain.partition_at_s");
	C->split_at_ns = at < 0 ? -1 : dn_ns_of_s(at);
	C->split_len_ns = dn_ns_of_s(dn_scn_float(s, "chain.partition_duration_s"));
	C->split_share = dn_scn_float(s, "chain.partition_share");

	dnc_params_default(&C->cp);
	C->cp.block_interval_s = (uint32_t)dn_scn_int(s, "chain.block_interval_s");
	C->cp.delegates = (uint32_t)dn_scn_int(s, "chain.delegates");
	if (C->net_share < 1.0) /* and its share of the seats (docs/agents.md) */
		C->cp.delegates = (uint32_t)fmax(1.0, nearbyint(C->cp.delegates * C->net_share));
	C->cp.lambda_ppm = (uint32_t)w_ppm_of(s, "chain.lambda");
	C->cp.epoch_blocks = (uint32_t)dn_scn_int(s, "chain.epoch_blocks");
	C->cp.traffic_window_blocks = (uint32_t)dn_scn_int(s, "chain.traffic_window_blocks");
	C->cp.confirmations = (uint32_t)dn_scn_int(s, "chain.confirmations");
	C->cp.unit_bytes = (uint64_t)dn_scn_int(s, "chain.unit_kib") * 1024u;
	C->cp.grace_units = (uint32_t)dn_scn_int(s, "chain.grace_units");
	C->cp.alpha_ppm = (uint32_t)w_ppm_of(s, "chain.alpha");
	C->cp.beta_ppm = (uint32_t)w_ppm_of(s, "chain.beta");
	C->cp.gamma_ppm = (uint32_t)w_ppm_of(s, "chain.gamma");
	C->cp.emission_years = (uint32_t)dn_scn_int(s, "chain.emission_years");
	const char *shape = dn_scn_str(s, "chain.emission_schedule");
	C->cp.emission_kind = !strcmp(shape, "geometric") ? DNC_EMIT_GEOMETRIC
	                      : !strcmp(shape, "halving") ? DNC_EMIT_HALVING
	                                                  : DNC_EMIT_FLAT;
	C->cp.emission_decay_ppm = (uint32_t)w_ppm_of(s, "chain.emission_decay");
	C->cp.emission_halving_years = (uint32_t)dn_scn_int(s, "chain.emission_halving_years");
	C->cp.quality_price_ppm = (uint32_t)w_ppm_of(s, "chain.quality_price_weight");
	C->cp.quality_loss_ppm = (uint32_t)w_ppm_of(s, "chain.quality_loss_weight");
	C->cp.quality_stability_ppm = (uint32_t)w_ppm_of(s, "chain.quality_stability_weight");
	C->cp.producer_ppm = (uint32_t)w_ppm_of(s, "chain.producer_share");
	C->cp.delegate_fee_ppm = (uint32_t)w_ppm_of(s, "chain.delegate_fee_share");
	C->cp.community_fee_ppm = (uint32_t)w_ppm_of(s, "chain.community_fee");
	C->cp.relay_pool_ppm = (uint32_t)w_ppm_of(s, "chain.relay_share");
	C->cp.seat_payout = strcmp(dn_scn_str(s, "chain.seat_payout"), "epoch") ? DNC_PAYOUT_BLOCK : DNC_PAYOUT_EPOCH;
	C->cp.relay_mode = strcmp(dn_scn_str(s, "chain.relay_mode"), "equal") ? DNC_RELAY_PROPORTIONAL_BYTES
	                                                                     : DNC_RELAY_EQUAL;
	/* a slice holds its share of the network's supply, so of its genesis
	 * and emission (world.network_agents) */
	C->cp.supply_base = (dn_amount)((dnc_u128)(uint64_t)dn_scn_int(s, "chain.supply_dnet") * DNC_UNITS_PER_DNET *
	                                C->n / C->network_n);
	C->cp.fwd_origin_ppm = (uint32_t)w_ppm_of(s, "chain.fwd_origin_share");
	C->cp.fwd_seller_ppm = (uint32_t)w_ppm_of(s, "chain.fwd_seller_share");
	C->cp.fwd_pool_ppm = (uint32_t)w_ppm_of(s, "chain.fwd_pool_share");
	C->cp.fwd_first_ppm = (uint32_t)w_ppm_of(s, "chain.fwd_first_share");
	C->cp.fwd_decay_ppm = (uint32_t)w_ppm_of(s, "chain.fwd_decay");
	C->cp.fwd_min_reward_base = (dn_amount)dn_scn_int(s, "chain.fwd_min_reward_base");
	C->cp.fwd_order = strcmp(dn_scn_str(s, "chain.fwd_order"), "origin_first") ? DNC_FWD_NEAREST_BUYER_FIRST
	                                                                          : DNC_FWD_FROM_ORIGIN;
	C->cp.lock_cliff_months = (uint32_t)dn_scn_int(s, "chain.lock_cliff_months");
	C->cp.lock_monthly_ppm = (uint32_t)w_ppm_of(s, "chain.lock_monthly_rate");
	gov_fraction(dn_scn_float(s, "chain.gov_threshold"), &C->cp.gov_num, &C->cp.gov_den);
	C->cp.gov_voting_blocks = (uint32_t)dn_scn_int(s, "chain.gov_voting_blocks");
	w_gov_read(C, s);
	w_attack_read(C, s);
	/* the world checks at its own block end, after content, rents and the
	 * exchange have moved money too (w_block_step) */
	C->cp.check_conservation = DNC_CHECK_OFF;
	C->tx_fee_base = dn_base_of_dnet(dn_scn_float(s, "chain.tx_fee_dnet"));
	C->keyed_sigs = !strcmp(dn_scn_str(s, "chain.signatures"), "keyed");
	C->block_ns = dn_ns_of_whole_s(C->cp.block_interval_s);
}

/*
 * R-SUP-2: E0 and alpha, beta, gamma. Without chain.e0 the three shares are
 * what they are. With it, the shares the scenario sets are kept and the
 * others are scaled (in their own proportions) to fill E0; if it sets all
 * three, they must add up to E0 (to a millionth).
 */
static dn_rc read_e0(world *W, const dn_scenario *s)
{
	static const char *const name[3] = {"chain.alpha", "chain.beta", "chain.gamma"};
	if (!dn_scn_is_set(s, "chain.e0"))
		return DN_OK;
	double e0 = dn_scn_float(s, "chain.e0"), v[3], fixed = 0, free = 0;
	bool set[3];
	int nset = 0;
	for (int i = 0; i < 3; i++) {
		v[i] = dn_scn_float(s, name[i]);
		set[i] = dn_scn_is_set(s, name[i]);
		nset += set[i];
		*(set[i] ? &fixed : &free) += v[i];
	}
	if (nset == 3 ? fabs(fixed - e0) > 1e-6 : fixed > e0 + 1e-12 || free <= 0) {
		char at[300], list[1024] = "";
		size_t len = 0;
		for (int i = 0; i < 3; i++) {
			if (!set[i])
				continue;
			char w[300];
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s%s = %g", len ? ", " : "",
			                        w_param_where(s, name[i], w, sizeof w), name[i], v[i]);
			if (len >= sizeof list)
				break;
		}
		dn_world_set_error(W->w, "%schain.e0 is %g but %s %s %g (%s): E0 is alpha + beta + gamma (R-SUP-2); "
		                         "give E0 or the shares, or make them agree",
		                   w_param_where(s, "chain.e0", at, sizeof at), e0, nset == 3 ? "the three shares" : "the shares set",
		                   nset == 3 ? "add up to" : "already take", fixed, list);
		return DN_ERANGE;
	}
	uint32_t *ppm[3] = {&W->cfg.cp.alpha_ppm, &W->cfg.cp.beta_ppm, &W->cfg.cp.gamma_ppm};
	uint64_t want = (uint64_t)dn_ppm_of_share(e0), got = 0;
	int last = -1;
	for (int i = 0; i < 3; i++) {
		if (!set[i]) {
			*ppm[i] = (uint32_t)dn_ppm_of_share(v[i] * (e0 - fixed) / free);
			last = i;
		}
		got += *ppm[i];
	}
	/* the millionths add up to E0's exactly: the last scaled share takes the rounding */
	if (last >= 0 && got != want)
		*ppm[last] = (uint32_t)((int64_t)*ppm[last] + (int64_t)want - (int64_t)got);
	return DN_OK;
}

/*
 * R-EMIT-1/2: delta or whole years, not both. Given delta, the flat
 * schedule lasts the blocks the library derives from it (exactly, from
 * delta as a fraction with 10^15 below it).
 */
/* Knobs that do nothing without another: refused, naming where each was
 * set, rather than silently ignored. */
static dn_rc check_knob_pairs(world *W, const dn_scenario *s)
{
	const world_cfg *C = &W->cfg;
	char a[300];
	if (C->rematch_rate_share > 0 && !C->rate_follows_load) {
		dn_world_set_error(W->w, "%sconsumer.rematch_rate_share compares a session's rate with the rate it was matched "
		                         "at, which only changes with sharer.rate_follows_load: true",
		                   w_param_where(s, "consumer.rematch_rate_share", a, sizeof a));
		return DN_EINVAL;
	}
	if (C->sharer_keep_bond && C->cp.score_bond_base <= 0) {
		dn_world_set_error(W->w, "%ssharer.keep_bond keeps a bond, but chain.score_bond_dnet is 0 (no bond)",
		                   w_param_where(s, "sharer.keep_bond", a, sizeof a));
		return DN_EINVAL;
	}
	if (C->attack_fund_wallet && C->attack_kind != W_ATTACK_WASH && C->attack_kind != W_ATTACK_FORK) {
		dn_world_set_error(W->w, "%sattack.fund_from: wallet funds wash or fork pairs, but attack.kind is %s",
		                   w_param_where(s, "attack.fund_from", a, sizeof a), dn_scn_str(s, "attack.kind"));
		return DN_EINVAL;
	}
	return DN_OK;
}

static dn_rc read_delta(world *W, const dn_scenario *s)
{
	dnc_params *p = &W->cfg.cp;
	if (!dn_scn_is_set(s, "chain.delta"))
		return DN_OK;
	char a[300], b[300];
	if (dn_scn_is_set(s, "chain.emission_years")) {
		dn_world_set_error(W->w, "%schain.delta and %schain.emission_years are both given: each fixes the other "
		                         "(R-EMIT-2), so give one",
		                   w_param_where(s, "chain.delta", a, sizeof a),
		                   w_param_where(s, "chain.emission_years", b, sizeof b));
		return DN_EINVAL;
	}
	if (p->emission_kind != DNC_EMIT_FLAT) {
		dn_world_set_error(W->w, "%schain.delta fixes a flat reward, but chain.emission_schedule is %s: give "
		                         "chain.emission_years for it",
		                   w_param_where(s, "chain.delta", a, sizeof a), dn_scn_str(s, "chain.emission_schedule"));
		return DN_EINVAL;
	}
	const double den = 1e15;
	dn_amount num = (dn_amount)llround(dn_scn_float(s, "chain.delta") * den);
	uint64_t blocks = 0;
	if (num <= 0 || dnc_emission_blocks_for_delta(p, num, (dn_amount)den, &blocks) || blocks == 0) {
		dn_world_set_error(W->w, "%schain.delta gives no emission schedule", w_param_where(s, "chain.delta", a, sizeof a));
		return DN_ERANGE;
	}
	p->emission_blocks = blocks;
	return DN_OK;
}

/* R-CONS-3: the quality weights add up to one (to a millionth); the last
 * takes the rounding so the chain's millionths add up exactly. */
static dn_rc read_quality_weights(world *W, const dn_scenario *s)
{
	dnc_params *p = &W->cfg.cp;
	double sum = dn_scn_float(s, "chain.quality_price_weight") + dn_scn_float(s, "chain.quality_loss_weight") +
	             dn_scn_float(s, "chain.quality_stability_weight");
	if (fabs(sum - 1.0) > 1e-6) {
		char a[300], b[300], c[300];
		dn_world_set_error(W->w, "%schain.quality_price_weight + %schain.quality_loss_weight + "
		                         "%schain.quality_stability_weight is %g: the quality score's weights add up to 1 (R-CONS-3)",
		                   w_param_where(s, "chain.quality_price_weight", a, sizeof a),
		                   w_param_where(s, "chain.quality_loss_weight", b, sizeof b),
		                   w_param_where(s, "chain.quality_stability_weight", c, sizeof c), sum);
		return DN_ERANGE;
	}
	int64_t rest = (int64_t)DNC_PPM - p->quality_price_ppm - p->quality_loss_ppm;
	p->quality_stability_ppm = (uint32_t)(rest < 0 ? 0 : rest);
	return DN_OK;
}

/* The checks of chain.* that span parameters or that rounding to ppm can
 * break, each naming its parameters (dnc_params_check says only no). */
static dn_rc check_chain_params(world *W)
{
	const dnc_params *p = &W->cfg.cp;
	uint64_t split = (uint64_t)p->fwd_origin_ppm + p->fwd_seller_ppm + p->fwd_pool_ppm;
	if (split > DNC_PPM) {
		dn_world_set_error(W->w, "chain.fwd_origin_share + chain.fwd_seller_share + chain.fwd_pool_share is %g, "
		                         "above 1: a content sale's split (R-FWD-1) would create DNET",
		                   dn_share_of_ppm((double)split));
		return DN_ERANGE;
	}
	if (p->fwd_decay_ppm >= DNC_PPM) {
		dn_world_set_error(W->w, "chain.fwd_decay must be below 1 (R-FWD-2)");
		return DN_ERANGE;
	}
	/* M1 gets first x pool, then each decay x the previous: the series
	 * sums to at most first / (1 - decay) of the pool */
	if ((uint64_t)p->fwd_first_ppm + p->fwd_decay_ppm > DNC_PPM) {
		dn_world_set_error(W->w, "chain.fwd_first_share + chain.fwd_decay is above 1: the middlemen's rewards "
		                         "could add up to more than their pool (R-FWD-2)");
		return DN_ERANGE;
	}
	if (p->lock_monthly_ppm == 0) {
		dn_world_set_error(W->w, "chain.lock_monthly_rate rounds to 0 ppm: the team would never unlock (R-LOCK-1)");
		return DN_ERANGE;
	}
	if (p->gov_num >= p->gov_den) {
		dn_world_set_error(W->w, "chain.gov_threshold must be below 1 (R-GOV-1)");
		return DN_ERANGE;
	}
	return DN_OK;
}

/* The world produces one block per sample. */
static dn_rc check_sample_interval(world *W, const dn_scenario *s)
{
	const world_cfg *C = &W->cfg;
	double sample = dn_scn_float(s, "sim.sample_interval_s");
	if (!(fabs(sample - (double)C->cp.block_interval_s) > 1e-9))
		return DN_OK;
	char at[300];
	if (*w_param_where(s, "sim.sample_interval_s", at, sizeof at))
		dn_world_set_error(W->w, "%ssim.sample_interval_s is %g s but the world produces one block "
		                         "per sample: set it to chain.block_interval_s (%u)",
		                   at, sample, C->cp.block_interval_s);
	else
		dn_world_set_error(W->w, "sim.sample_interval_s is %g s (the default) but the world produces one "
		                         "block per sample: set it to chain.block_interval_s (%u)",
		                   sample, C->cp.block_interval_s);
	return DN_ERANGE;
}

/* record.*: group g's interval in blocks (an hour or a day that is not a
 * whole number of blocks rounds to the nearest, at least one) and its
 * name (static text). */
uint64_t w_record_every(const dn_scenario *s, int g, const char **label)
{
	static const char *const key[DN_METRICS_GROUPS] = {"record.service", "record.economy", "record.holdings",
	                                                   "record.chain"};
	uint64_t b = (uint64_t)dn_scn_int(s, "chain.block_interval_s");
	const char *v = dn_scn_str(s, key[g]);
	if (!strcmp(v, "same"))
		v = dn_scn_str(s, "record.interval");
	uint64_t every = 1;
	const char *name = "block";
	if (b == 0)
		b = 1;
	if (!strcmp(v, "epoch"))
		every = (uint64_t)dn_scn_int(s, "chain.epoch_blocks"), name = "epoch";
	else if (!strcmp(v, "hour"))
		every = (3600 + b / 2) / b, name = "hour";
	else if (!strcmp(v, "day"))
		every = (86400 + b / 2) / b, name = "day";
	if (label)
		*label = name;
	return every ? every : 1;
}

static void read_record(world_cfg *C, const dn_scenario *s)
{
	for (int g = 0; g < DN_METRICS_GROUPS; g++)
		C->rec_every[g] = w_record_every(s, g, &C->rec_label[g]);
}

dn_rc w_read_params(world *W, const dn_scenario *s)
{
	world_cfg *C = &W->cfg;
	read_population(C, s);
	if (C->network_n < C->n) {
		char at[300];
		dn_world_set_error(W->w, "%sworld.network_agents (%" PRIu64 ") is below world.agents (%" PRIu64
		                         "): a world stands for a network at least its own size (0: itself)",
		                   w_param_where(s, "world.network_agents", at, sizeof at), C->network_n, C->n);
		return DN_ERANGE;
	}
	if (C->line) {
		dn_rc rc = check_line_roles(W, s);
		if (rc)
			return rc;
	}
	read_consumers_sharers_relays(C, s);
	read_delegates_operators_traders(C, s);
	read_chain(C, s);
	dn_rc prc = read_e0(W, s);
	if (!prc)
		prc = read_delta(W, s);
	if (!prc)
		prc = read_quality_weights(W, s);
	if (!prc)
		prc = check_chain_params(W);
	if (!prc)
		prc = check_knob_pairs(W, s);
	if (prc)
		return prc;
	dnc_rc crc = dnc_params_check(&C->cp);
	if (crc) {
		dn_world_set_error(W->w, "chain.* parameters are inconsistent (%s): alpha + beta + gamma must be "
		                         "below 1 and the shares within range", dnc_rc_name(crc));
		return DN_ERANGE;
	}
	read_record(C, s);
	dn_rc rc = check_sample_interval(W, s);
	if (!rc)
		rc = w_gov_check(W, s);
	if (rc)
		return rc;
	if (!C->line && C->n < (uint64_t)C->candidates + C->operators + 16) {
		dn_world_set_error(W->w, "world.agents (%" PRIu64 ") is too small for %u candidates and %u operators",
		                   C->n, C->candidates, C->operators);
		return DN_ERANGE;
	}
	if (C->n > UINT32_MAX - 1024) {
		dn_world_set_error(W->w, "world.agents is above the ledger's account limit");
		return DN_ERANGE;
	}
	return DN_OK;
}

/* ---- derived: links, radio ranges, the small cell ---- */

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
	world_cfg *C = &W->cfg;
	static const dn_net_cell_size sizes[] = {DN_NET_MICRO, DN_NET_PICO, DN_NET_FEMTO};
	const char *sz = dn_scn_str(s, "net.cell.size");
	dn_net_cell_cfg c;
	dn_net_cell_cfg_default(&c, sizes[!strcmp(sz, "micro") ? 0 : !strcmp(sz, "pico") ? 1 : 2],
	                        dn_scn_float(s, "net.cell.band_ghz"));
	c.bandwidth_hz = dn_hz_of_mhz(dn_scn_float(s, "net.cell.bandwidth_mhz"));
	c.scenario = strcmp(dn_scn_str(s, "net.cell.pathloss"), "uma") ? DN_NET_UMI : DN_NET_UMA;
	c.neighbour_load = dn_scn_float(s, "net.cell.neighbour_load");
	double noise = db2lin(-174.0 + 10.0 * log10(c.bandwidth_hz) + c.noise_figure_db);
	uint32_t n = (uint32_t)ceil(C->cell_range_m) + 1;
	C->cell_rate_bps = calloc(n, sizeof *C->cell_rate_bps);
	if (!C->cell_rate_bps)
		return DN_ENOMEM;
	double reach = 2.0 * C->cell_range_m; /* the neighbouring site */
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
			/* as the cell model's peak rate: the resource blocks usable in whole groups */
			double rate = c.bandwidth_hz * dn_net_cell_rb_use(c.bandwidth_hz) * dn_net_se(&C->calib, sig / (noise + intf));
			r += (los ? p_los : 1.0 - p_los) * rate;
		}
		C->cell_rate_bps[d] = r;
		if (r > 0)
			last = d;
	}
	C->n_cell_rate = last + 1;
	C->cell_range_m = fmin(C->cell_range_m, (double)last);
	if (C->cell_range_m < 1) {
		dn_world_set_error(W->w, "the calibrated small-cell model (net.cell.*) reaches nobody");
		return DN_EINVAL;
	}
	return DN_OK;
}

/* One number of the mix at *p, up to the next ':' or ','. */
static bool mix_number(const char **p, double *v)
{
	char *end;
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p || **p == ':' || **p == ',')
		return false;
	*v = strtod(*p, &end);
	if (end == *p)
		return false;
	*p = end;
	while (**p == ' ' || **p == '\t')
		(*p)++;
	return isfinite(*v) && (!**p || **p == ':' || **p == ',');
}

dn_rc w_access_mix_parse(const char *text, double default_usd_month, world_cfg *C, char *err, size_t errlen)
{
	C->mix_n = 0;
	const char *p = text;
	double sum = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return DN_OK; /* no mix */
	for (unsigned k = 1;; k++) {
		while (*p == ' ' || *p == '\t')
			p++;
		char name[32];
		size_t n = 0;
		while (*p && *p != ':' && *p != ',' && *p != ' ' && *p != '\t' && n + 1 < sizeof name)
			name[n++] = *p++;
		name[n] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		dn_net_link_kind kind;
		if (n == 0 || (*p && *p != ':' && *p != ',') || dn_net_link_find(name, &kind) != DN_OK) {
			snprintf(err, errlen, "entry %u: \"%s\" is not a link kind (dialup, isdn, adsl2plus, vdsl2, pon155, "
			         "pon622, ftth1g, cable, vsat, leo, lte_macro)", k, name);
			goto fail;
		}
		for (uint32_t i = 0; i < C->mix_n; i++)
			if (C->mix_kind[i] == kind) {
				snprintf(err, errlen, "entry %u: %s is in the mix twice", k, name);
				goto fail;
			}
		double share, cost = default_usd_month;
		if (*p != ':') {
			snprintf(err, errlen, "entry %u (%s): wanted kind:share or kind:share:usd_month", k, name);
			goto fail;
		}
		p++;
		if (!mix_number(&p, &share) || share < 0 || share > 1) {
			snprintf(err, errlen, "entry %u (%s): its share must be a number in [0, 1]", k, name);
			goto fail;
		}
		if (*p == ':') {
			p++;
			if (!mix_number(&p, &cost) || cost < 0 || cost > 1e6) {
				snprintf(err, errlen, "entry %u (%s): its monthly cost must be a number of USD in [0, 1e6]", k, name);
				goto fail;
			}
		}
		C->mix_kind[C->mix_n] = kind;
		C->mix_share[C->mix_n] = share;
		C->mix_usd_month[C->mix_n] = cost;
		C->mix_n++;
		sum += share;
		if (!*p)
			break;
		if (*p != ',') {
			snprintf(err, errlen, "entry %u (%s): wanted ',' or the end after it", k, name);
			goto fail;
		}
		p++;
	}
	if (fabs(sum - 1.0) > 1e-6) {
		snprintf(err, errlen, "the shares sum to %.9g, not 1", sum);
		goto fail;
	}
	return DN_OK;
fail:
	C->mix_n = 0;
	return DN_EINVAL;
}

dn_rc w_derive_radio(world *W, const dn_scenario *s)
{
	world_cfg *C = &W->cfg;
	char err[512];
	const char *path = dn_scn_str(s, "net.calibration_file");
	dn_rc rc = dn_net_calib_load(path && *path ? path : dn_net_calib_default_path(), &C->calib, err, sizeof err);
	if (rc) {
		dn_world_set_error(W->w, "net.calibration_file: %s", err);
		return rc;
	}
	dn_net_mesh_cfg_default(&C->mcfg);
	if (dn_net_link_find(dn_scn_str(s, "net.access.kind"), &C->sharer_access)) {
		dn_world_set_error(W->w, "net.access.kind: unknown link kind");
		return DN_EINVAL;
	}
	C->access = dn_net_link(C->sharer_access);
	rc = w_access_mix_parse(dn_scn_str(s, "net.access.mix"), C->sharer_cost_usd_month, C, err, sizeof err);
	if (rc) {
		char at[300];
		dn_world_set_error(W->w, "%snet.access.mix: %s", w_param_where(s, "net.access.mix", at, sizeof at), err);
		return rc;
	}
	/* the tiles' delay to the producers: the sharers' mean access latency;
	 * chain.score_cap_link: what the sharers' link, or the mix's fastest,
	 * carries up in a window (an honest sharer's whole link still counts) */
	C->tile_latency_ns = C->access->latency_ns;
	double up = (double)C->access->up_bps;
	if (C->mix_n) {
		double lat = 0;
		up = 0;
		for (uint32_t k = 0; k < C->mix_n; k++) {
			lat += C->mix_share[k] * (double)dn_net_link(C->mix_kind[k])->latency_ns;
			up = fmax(up, (double)dn_net_link(C->mix_kind[k])->up_bps);
		}
		C->tile_latency_ns = (dn_time_ns)llround(lat);
	}
	if (dn_scn_bool(s, "chain.score_cap_link"))
		C->cp.score_cap_units = w_score_cap_units(C, up);
	/* Wi-Fi ranges cannot exceed what the radio model reaches */
	double lo = 1, hi = 5000;
	if (dn_net_wifi_rate_bps(&C->mcfg, &C->calib, lo) <= 0) {
		dn_world_set_error(W->w, "the calibrated Wi-Fi model reaches nobody");
		return DN_EINVAL;
	}
	for (int i = 0; i < 40; i++) {
		double mid = 0.5 * (lo + hi);
		if (dn_net_wifi_rate_bps(&C->mcfg, &C->calib, mid) > 0)
			lo = mid;
		else
			hi = mid;
	}
	C->sharer_range_m = fmin(C->sharer_range_m, lo);
	C->relay_range_m = fmin(C->relay_range_m, lo);
	return make_cell_table(W, s);
}
