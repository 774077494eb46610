/*
 * calc.c: `dnetsim calc`, small tokenomics calculators that run the
 * protocol library (libdnetchain) directly: emission schedule, content
 * forwarding split, ad hoc relay split, team lock-up schedule, and when the
 * initial holders lose the 2/3 majority. Every number printed comes from the
 * library; this file only parses options and prints. Each subcommand prints
 * a readable table, or with --tsv a header line and tab-separated rows with
 * amounts in base units.
 */
#include "cli.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET
/* An exact decimal ratio parses as an amount (1.0 = DNET units): units per ppm. */
#define UNITS_PER_PPM (DNET / DNC_PPM)
/* A percentage P parses to P * DNET units, which is P * 10^4 ppm. */
#define PERCENT_UNITS_PER_PPM (UNITS_PER_PPM * 100)
/* ppm to percent, for printing. */
#define PPM_PER_PERCENT 1e4
#define S_PER_YEAR (365u * 86400u)
/* R-GOV-2 as the paper states it: "about 230 million blocks". */
#define PAPER_BLOCKS 230e6
/* Bytes a formatted amount may take (dnc_amount_format: 24 always suffice). */
#define AMOUNT_BUF 32

/* ---- option parsing ---- */

typedef dn_cli_opt opt;

/* Parse argv[2..] against opts (dn_cli_opts_parse): 0, or 2 after printing the problem. */
static int parse_opts(const char *cmd, int argc, char **argv, opt *opts, int n_opts)
{
	return dn_cli_opts_parse(cmd, argc, argv, 2, opts, n_opts, "");
}

static int bad_value(const char *cmd, const char *name, const char *v, const char *want)
{
	fprintf(stderr, "dnetsim calc %s: --%s '%s': expected %s\n", cmd, name, v, want);
	return DN_EXIT_USAGE;
}

static int get_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A ratio as ppm: "0.25", "25%", "250000ppm". Exact decimal parsing (at
 * most 6 decimals for a fraction, 4 for a percentage).
 */
static int get_ppm(const char *s, uint32_t *out)
{
	size_t n = s ? strlen(s) : 0;
	char buf[40];
	dn_amount a;
	uint64_t v;
	if (n == 0 || n >= sizeof buf)
		return -1;
	if (n > 3 && strcmp(s + n - 3, "ppm") == 0) {
		memcpy(buf, s, n - 3);
		buf[n - 3] = '\0';
		if (get_u64(buf, DNC_PPM, &v))
			return -1;
		*out = (uint32_t)v;
		return 0;
	}
	/* reuse the exact decimal amount parser: 1.0 = 10^8 units */
	if (s[n - 1] == '%') {
		memcpy(buf, s, n - 1);
		buf[n - 1] = '\0';
		if (dnc_amount_parse(buf, &a) || a % PERCENT_UNITS_PER_PPM != 0 || a > 100 * DNET)
			return -1;
		*out = (uint32_t)(a / PERCENT_UNITS_PER_PPM);
		assert(*out <= DNC_PPM);
		return 0;
	}
	if (strchr(s, 'u') || dnc_amount_parse(s, &a) || a % UNITS_PER_PPM != 0 || a > DNET)
		return -1;
	*out = (uint32_t)(a / UNITS_PER_PPM);
	assert(*out <= DNC_PPM);
	return 0;
}

/* Formats a into buf, which must hold AMOUNT_BUF bytes (every caller's
 * buffer is declared with it: a shorter one overflows for large amounts). */
static char *fmt(dn_amount a, char *buf)
{
	return dnc_amount_format(a, buf, AMOUNT_BUF);
}

/* ---- calc emission ---- */

static void usage_emission(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc emission [--supply AMOUNT] [--e0 RATIO] [--years N | --delta X]\n"
		"                             [--schedule flat|geometric|halving] [--decay RATIO]\n"
		"                             [--halving-years N] [--interval SECONDS] [--delegates D] [--tsv]\n"
		"Block reward schedule (R-CHAIN-1, R-SUP-1,2, R-EMIT-1..4); the same parameters as a\n"
		"scenario's chain.supply_dnet, chain.e0, chain.emission_years, chain.delta,\n"
		"chain.emission_schedule, chain.emission_decay, chain.emission_halving_years.\n"
		"  --supply     total supply (default 7500000000 DNET)\n"
		"  --e0         initial allocation share, e.g. 0.25, 25%%, 250000ppm (default 0.25)\n"
		"  --years      years over which block rewards are released (default 10)\n"
		"  --delta      block reward / supply instead of --years (flat schedule), e.g. 4e-8\n"
		"  --schedule   flat (default), geometric (each year --decay of the one before) or\n"
		"               halving (the reward halves every --halving-years); t is the first year's\n"
		"  --decay      geometric: a year's emission over the year before's (default 0.8)\n"
		"  --halving-years  halving: years between halvings (default 4)\n"
		"  --interval   block interval in seconds (default 10)\n"
		"  --delegates  delegates per block D (default 180)\n"
		"AMOUNT is DNET with up to 8 decimals (100, 0.5) or base units with 'u' (150u).\n");
}

static int cmd_emission(int argc, char **argv)
{
	opt o[] = { { "supply", 1, 0, 0 }, { "e0", 1, 0, 0 }, { "years", 1, 0, 0 },
		    { "interval", 1, 0, 0 }, { "delegates", 1, 0, 0 }, { "tsv", 0, 0, 0 },
		    { "help", 0, 0, 0 }, { "delta", 1, 0, 0 }, { "schedule", 1, 0, 0 },
		    { "decay", 1, 0, 0 }, { "halving-years", 1, 0, 0 } };
	dnc_params p;
	dnc_allocation al;
	dnc_emission e;
	dn_amount num, den, prod, pools;
	uint64_t v;
	uint32_t e0;
	char b1[AMOUNT_BUF], b2[AMOUNT_BUF];
	int rc = parse_opts("emission", argc, argv, o, (int)(sizeof o / sizeof o[0]));
	if (rc)
		return rc;
	if (o[6].seen) {
		usage_emission(stdout);
		return DN_EXIT_OK;
	}
	dnc_params_default(&p);
	if (o[0].seen && (dnc_amount_parse(o[0].value, &p.supply_base) || p.supply_base <= 0))
		return bad_value("emission", "supply", o[0].value, "a positive AMOUNT");
	if (o[1].seen) {
		if (get_ppm(o[1].value, &e0) || e0 >= DNC_PPM)
			return bad_value("emission", "e0", o[1].value, "a ratio below 1");
		/* only the sum matters for emission: put it all in alpha */
		p.alpha_ppm = e0;
		p.beta_ppm = 0;
		p.gamma_ppm = 0;
	}
	if (o[2].seen) {
		if (get_u64(o[2].value, 1000, &v) || v == 0)
			return bad_value("emission", "years", o[2].value, "1..1000");
		p.emission_years = (uint32_t)v;
	}
	if (o[3].seen) {
		if (get_u64(o[3].value, S_PER_YEAR, &v) || v == 0)
			return bad_value("emission", "interval", o[3].value, "1..31536000 seconds");
		p.block_interval_s = (uint32_t)v;
	}
	if (o[4].seen) {
		if (get_u64(o[4].value, DNC_MAX_DELEGATES, &v) || v == 0)
			return bad_value("emission", "delegates", o[4].value, "1..1024");
		p.delegates = (uint32_t)v;
	}
	if (o[8].seen) {
		const char *k = o[8].value;
		if (strcmp(k, "flat") && strcmp(k, "geometric") && strcmp(k, "halving"))
			return bad_value("emission", "schedule", k, "flat, geometric or halving");
		p.emission_kind = !strcmp(k, "geometric") ? DNC_EMIT_GEOMETRIC
		                  : !strcmp(k, "halving") ? DNC_EMIT_HALVING
		                                          : DNC_EMIT_FLAT;
	}
	if (o[9].seen && (get_ppm(o[9].value, &p.emission_decay_ppm) || p.emission_decay_ppm == 0))
		return bad_value("emission", "decay", o[9].value, "a ratio above 0 and at most 1");
	if (o[10].seen) {
		if (get_u64(o[10].value, 1000, &v) || v == 0)
			return bad_value("emission", "halving-years", o[10].value, "1..1000");
		p.emission_halving_years = (uint32_t)v;
	}
	if (o[7].seen) {
		/* R-EMIT-2: delta instead of years, as a fraction over 10^15 */
		char *end;
		double d = strtod(o[7].value, &end);
		uint64_t blocks = 0;
		if (o[2].seen) {
			fprintf(stderr, "dnetsim calc emission: --delta and --years each fix the other: give one\n");
			return DN_EXIT_USAGE;
		}
		if (p.emission_kind != DNC_EMIT_FLAT) {
			fprintf(stderr, "dnetsim calc emission: --delta fixes a flat reward: give --years for a %s schedule\n",
			        o[8].value);
			return DN_EXIT_USAGE;
		}
		if (*end || !(d > 0 && d <= 1e-3) || dnc_allocation_compute(&p, &al) ||
		    dnc_emission_blocks_for_delta(&p, (dn_amount)llround(d * 1e15), (dn_amount)1000000000000000LL, &blocks) ||
		    blocks == 0)
			return bad_value("emission", "delta", o[7].value, "a number above 0 and at most 1e-3");
		p.emission_blocks = blocks;
	}
	if (dnc_params_check(&p) || dnc_allocation_compute(&p, &al) || dnc_emission_init(&p, &e) ||
	    dnc_emission_producer_split(&p, e.block_reward, &prod, &pools)) {
		fprintf(stderr, "dnetsim calc emission: parameters out of range\n");
		return DN_EXIT_USAGE;
	}
	dnc_emission_delta(&e, p.supply_base, &num, &den);
	if (o[5].seen) {
		printf("blocks_per_year\tt_base\tblock_reward_base\tdelta\tproducer_base\tpools_base"
		       "\tyears\tend_height\tinitial_base\temission_base\tsupply_base\n");
		printf("%llu\t%lld\t%lld\t%.6e\t%lld\t%lld\t%.6g\t%llu\t%lld\t%lld\t%lld\n",
		       (unsigned long long)e.blocks_per_year, (long long)e.per_delegate,
		       (long long)e.block_reward, (double)num / (double)den, (long long)prod,
		       (long long)pools, (double)(e.end_height - e.start_height) / (double)e.blocks_per_year,
		       (unsigned long long)e.end_height,
		       (long long)al.initial, (long long)al.emission, (long long)p.supply_base);
		return DN_EXIT_OK;
	}
	printf("Emission schedule (R-EMIT-1..3)\n");
	printf("  %-36s %s DNET\n", "total supply", fmt(p.supply_base, b1));
	printf("  %-36s %s DNET (E0 = %.4f%%)\n", "initial allocation", fmt(al.initial, b1),
	       (double)(p.alpha_ppm + p.beta_ppm + p.gamma_ppm) / PPM_PER_PERCENT);
	printf("  %-36s %s DNET\n", "released by blocks", fmt(al.emission, b1));
	printf("  %-36s %llu (interval %u s)\n", "blocks per year",
	       (unsigned long long)e.blocks_per_year, p.block_interval_s);
	printf("  %-36s %u\n", "delegates per block (D)", p.delegates);
	printf("  %-36s %s DNET\n", "reward per delegate per block (t)", fmt(e.per_delegate, b1));
	printf("  %-36s %s DNET\n", "block reward (D t)", fmt(e.block_reward, b1));
	printf("  %-36s %.4e\n", "delta = D t / supply", (double)num / (double)den);
	printf("  %-36s %s DNET (%.2f%%)\n", "producer share per block", fmt(prod, b1),
	       (double)p.producer_ppm / PPM_PER_PERCENT);
	printf("  %-36s %s DNET\n", "delegate pools per block", fmt(pools, b2));
	printf("  %-36s %.6g (last block height %llu)\n", "years to release",
	       (double)(e.end_height - e.start_height) / (double)e.blocks_per_year, (unsigned long long)(e.end_height - 1));
	if (p.emission_kind != DNC_EMIT_FLAT)
		printf("  %-36s %s (t, the reward and delta above are the first year's)\n", "schedule",
		       p.emission_kind == DNC_EMIT_GEOMETRIC ? "geometric" : "halving");
	return DN_EXIT_OK;
}

/* ---- calc forward ---- */

static void usage_forward(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc forward --price AMOUNT --middlemen K [--direct]\n"
		"                            [--fee-ppm N] [--nearest-buyer-first] [--tsv]\n"
		"Content sale split (R-FWD-1..3, R-FEE-2,3): original sharer O, middlemen\n"
		"M1..MK (M1 next after O), direct sharer S, community fee.\n"
		"  --price      what the buyer pays\n"
		"  --middlemen  number of middlemen between O and S (0..%d)\n"
		"  --direct     O sells to the buyer itself (K must be 0)\n"
		"  --fee-ppm    community fee in ppm (default 5000 = 0.5 %%, at most 5000)\n"
		"AMOUNT is DNET with up to 8 decimals (100, 0.5) or base units with 'u' (150u).\n",
		DNC_MAX_MIDDLEMEN);
}

static int get_fee(const char *cmd, const opt *o, dnc_params *p)
{
	uint64_t v;
	if (!o->seen)
		return 0;
	if (get_u64(o->value, DNC_FEE_MAX_PPM, &v))
		return bad_value(cmd, "fee-ppm", o->value, "0..5000");
	p->community_fee_ppm = (uint32_t)v;
	return 0;
}

static void row(int tsv, const char *who, dn_amount a, dn_amount total)
{
	char b[AMOUNT_BUF];
	if (tsv)
		printf("%s\t%lld\n", who, (long long)a);
	else
		printf("  %-12s %22s DNET %8.4f%%\n", who, fmt(a, b),
		       total ? 100.0 * (double)a / (double)total : 0.0);
}

static int cmd_forward(int argc, char **argv)
{
	opt o[] = { { "price", 1, 0, 0 }, { "middlemen", 1, 0, 0 }, { "direct", 0, 0, 0 },
		    { "fee-ppm", 1, 0, 0 }, { "tsv", 0, 0, 0 }, { "help", 0, 0, 0 },
		    { "nearest-buyer-first", 0, 0, 0 } };
	dnc_params p;
	dnc_fwd_split s;
	dn_amount price, sum;
	uint64_t k = 0;
	uint32_t i;
	char name[AMOUNT_BUF];
	int rc = parse_opts("forward", argc, argv, o, (int)(sizeof o / sizeof o[0])), tsv;
	if (rc)
		return rc;
	if (o[5].seen) {
		usage_forward(stdout);
		return DN_EXIT_OK;
	}
	dnc_params_default(&p);
	if (!o[0].seen || (!o[1].seen && !o[2].seen)) {
		fprintf(stderr, "dnetsim calc forward: --price and --middlemen (or --direct) are required\n");
		usage_forward(stderr);
		return DN_EXIT_USAGE;
	}
	if (dnc_amount_parse(o[0].value, &price) || price <= 0)
		return bad_value("forward", "price", o[0].value, "a positive AMOUNT");
	if (o[1].seen && get_u64(o[1].value, DNC_MAX_MIDDLEMEN, &k))
		return bad_value("forward", "middlemen", o[1].value, "0..32");
	if (o[2].seen && k > 0) {
		fprintf(stderr, "dnetsim calc forward: --direct means O sells itself: no middlemen\n");
		return DN_EXIT_USAGE;
	}
	rc = get_fee("forward", &o[3], &p);
	if (rc)
		return rc;
	if (o[6].seen)
		p.fwd_order = DNC_FWD_NEAREST_BUYER_FIRST;
	if (dnc_split_forward(&p, price, (uint32_t)k, o[2].seen, &s)) {
		fprintf(stderr, "dnetsim calc forward: the split failed for these values\n");
		return DN_EXIT_FAIL;
	}
	assert(s.n_middle == k && s.n_middle <= DNC_MAX_MIDDLEMEN);
	tsv = o[4].seen;
	if (tsv)
		printf("recipient\tamount_base\n");
	else
		printf("Content sale of %s DNET, %s (R-FWD-1..3)\n", fmt(price, name),
		       o[2].seen ? "sold directly by O" : "forwarded");
	row(tsv, "O", s.origin, price);
	for (i = 0; i < s.n_middle; i++) {
		snprintf(name, sizeof name, "M%u", i + 1);
		row(tsv, name, s.middle[i], price);
	}
	if (!o[2].seen)
		row(tsv, "S", s.seller, price);
	row(tsv, "fee", s.fee, price);
	sum = s.origin + s.seller + s.fee;
	for (i = 0; i < s.n_middle; i++)
		sum += s.middle[i];
	if (!tsv)
		row(tsv, "total", sum, price);
	return sum == price ? DN_EXIT_OK : DN_EXIT_FAIL;
}

/* ---- calc adhoc ---- */

static void usage_adhoc(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc adhoc --price AMOUNT --relays K [--fee-ppm N] [--tsv]\n"
		"Network-sharing payment split (R-SHARE-1,2, R-FEE-2,3): the provider gets\n"
		"everything after the fee on a direct link (K = 0); through K relays it gets\n"
		"50 %% and the relays share 50 %% equally; rounding goes to the provider.\n"
		"  --price    what the consumer pays\n"
		"  --relays   relays on the ad hoc path (0..%d)\n"
		"  --fee-ppm  community fee in ppm (default 5000 = 0.5 %%, at most 5000)\n"
		"AMOUNT is DNET with up to 8 decimals (100, 0.5) or base units with 'u' (150u).\n",
		DNC_MAX_RELAYS);
}

static int cmd_adhoc(int argc, char **argv)
{
	opt o[] = { { "price", 1, 0, 0 }, { "relays", 1, 0, 0 }, { "fee-ppm", 1, 0, 0 },
		    { "tsv", 0, 0, 0 }, { "help", 0, 0, 0 } };
	dnc_params p;
	dnc_share_split s;
	dn_amount price, sum;
	uint64_t k;
	uint32_t i;
	char name[AMOUNT_BUF];
	int rc = parse_opts("adhoc", argc, argv, o, (int)(sizeof o / sizeof o[0])), tsv;
	if (rc)
		return rc;
	if (o[4].seen) {
		usage_adhoc(stdout);
		return DN_EXIT_OK;
	}
	dnc_params_default(&p);
	if (!o[0].seen || !o[1].seen) {
		fprintf(stderr, "dnetsim calc adhoc: --price and --relays are required\n");
		usage_adhoc(stderr);
		return DN_EXIT_USAGE;
	}
	if (dnc_amount_parse(o[0].value, &price) || price <= 0)
		return bad_value("adhoc", "price", o[0].value, "a positive AMOUNT");
	if (get_u64(o[1].value, DNC_MAX_RELAYS, &k))
		return bad_value("adhoc", "relays", o[1].value, "0..16");
	rc = get_fee("adhoc", &o[2], &p);
	if (rc)
		return rc;
	if (dnc_split_share(&p, price, (uint32_t)k, NULL, &s)) {
		fprintf(stderr, "dnetsim calc adhoc: the split failed for these values\n");
		return DN_EXIT_FAIL;
	}
	tsv = o[3].seen;
	if (tsv)
		printf("recipient\tamount_base\n");
	else
		printf("Network sharing payment of %s DNET over %llu relay(s) (R-SHARE-%d)\n",
		       fmt(price, name), (unsigned long long)k, k ? 2 : 1);
	assert(s.n_relays <= DNC_MAX_RELAYS);
	row(tsv, "provider", s.provider, price);
	sum = s.provider + s.fee;
	for (i = 0; i < s.n_relays; i++) {
		snprintf(name, sizeof name, "R%u", i + 1);
		row(tsv, name, s.relay[i], price);
		sum += s.relay[i];
	}
	row(tsv, "fee", s.fee, price);
	if (!tsv)
		row(tsv, "total", sum, price);
	return sum == price ? DN_EXIT_OK : DN_EXIT_FAIL;
}

/* ---- calc lockup ---- */

static void usage_lockup(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc lockup --team AMOUNT --months M [--tsv]\n"
		"Team lock-up schedule (R-LOCK-1): nothing unlocks before month 6 after the\n"
		"end of fundraising, then at most 2 %% of the team total per month.\n"
		"  --team    the team's locked total\n"
		"  --months  last month to show (0..1200)\n"
		"AMOUNT is DNET with up to 8 decimals (100, 0.5) or base units with 'u' (150u).\n");
}

static int cmd_lockup(int argc, char **argv)
{
	opt o[] = { { "team", 1, 0, 0 }, { "months", 1, 0, 0 }, { "tsv", 0, 0, 0 },
		    { "help", 0, 0, 0 } };
	dnc_params p;
	dn_amount team, prev = 0;
	uint64_t months, m;
	char b1[AMOUNT_BUF], b2[AMOUNT_BUF], b3[AMOUNT_BUF];
	int rc = parse_opts("lockup", argc, argv, o, (int)(sizeof o / sizeof o[0]));
	if (rc)
		return rc;
	if (o[3].seen) {
		usage_lockup(stdout);
		return DN_EXIT_OK;
	}
	if (!o[0].seen || !o[1].seen) {
		fprintf(stderr, "dnetsim calc lockup: --team and --months are required\n");
		usage_lockup(stderr);
		return DN_EXIT_USAGE;
	}
	if (dnc_amount_parse(o[0].value, &team) || team <= 0)
		return bad_value("lockup", "team", o[0].value, "a positive AMOUNT");
	if (get_u64(o[1].value, 1200, &months))
		return bad_value("lockup", "months", o[1].value, "0..1200");
	dnc_params_default(&p);
	if (o[2].seen)
		printf("month\tunlocked_base\tunlocked_this_month_base\tlocked_base\n");
	else
		printf("Team lock-up of %s DNET (R-LOCK-1)\n  %5s %22s %22s %22s\n",
		       fmt(team, b1), "month", "unlocked (DNET)", "this month", "still locked");
	for (m = 0; m <= months; m++) {
		dn_amount u = dnc_lock_unlocked(&p, team, m);
		if (o[2].seen)
			printf("%llu\t%lld\t%lld\t%lld\n", (unsigned long long)m, (long long)u,
			       (long long)(u - prev), (long long)(team - u));
		else
			printf("  %5llu %22s %22s %22s\n", (unsigned long long)m, fmt(u, b1),
			       fmt(u - prev, b2), fmt(team - u, b3));
		prev = u;
	}
	return DN_EXIT_OK;
}

/* ---- calc governance ---- */

static void usage_governance(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc governance [--traffic-share RATIO] [--supply AMOUNT]\n"
		"                               [--e0 RATIO] [--years N] [--interval S] [--tsv]\n"
		"When the initial holders (alpha + beta + gamma and what their stake earns)\n"
		"hold no more than 2/3 of all DNET (R-GOV-2), assuming a share of every\n"
		"block reward goes to traffic (non-initial) holders.\n"
		"  --traffic-share  share of block rewards earned through traffic, e.g. 0.5,\n"
		"                   50%%, 500000ppm (default: a table from 0.4 to 1.0)\n"
		"  --supply, --e0, --years, --interval as for 'calc emission'\n"
		"The paper claims 'about 230 million blocks' and also 'about four years'.\n");
}

static int cmd_governance(int argc, char **argv)
{
	opt o[] = { { "traffic-share", 1, 0, 0 }, { "supply", 1, 0, 0 }, { "e0", 1, 0, 0 },
		    { "years", 1, 0, 0 }, { "interval", 1, 0, 0 }, { "tsv", 0, 0, 0 },
		    { "help", 0, 0, 0 } };
	/* traffic shares 0.4, 0.5, ..., 1.0 */
	static const uint32_t table[] = { 4 * DNC_PPM / 10, 5 * DNC_PPM / 10, 6 * DNC_PPM / 10, 7 * DNC_PPM / 10,
					  8 * DNC_PPM / 10, 9 * DNC_PPM / 10, DNC_PPM };
	dnc_params p;
	uint32_t shares[sizeof table / sizeof table[0]], n_shares, i, ppm;
	uint64_t v, bpy;
	int rc = parse_opts("governance", argc, argv, o, (int)(sizeof o / sizeof o[0]));
	if (rc)
		return rc;
	if (o[6].seen) {
		usage_governance(stdout);
		return DN_EXIT_OK;
	}
	dnc_params_default(&p);
	if (o[1].seen && (dnc_amount_parse(o[1].value, &p.supply_base) || p.supply_base <= 0))
		return bad_value("governance", "supply", o[1].value, "a positive AMOUNT");
	if (o[2].seen) {
		if (get_ppm(o[2].value, &ppm) || ppm >= DNC_PPM || ppm == 0)
			return bad_value("governance", "e0", o[2].value, "a ratio in (0, 1)");
		p.alpha_ppm = ppm;
		p.beta_ppm = 0;
		p.gamma_ppm = 0;
	}
	if (o[3].seen) {
		if (get_u64(o[3].value, 1000, &v) || v == 0)
			return bad_value("governance", "years", o[3].value, "1..1000");
		p.emission_years = (uint32_t)v;
	}
	if (o[4].seen) {
		if (get_u64(o[4].value, S_PER_YEAR, &v) || v == 0)
			return bad_value("governance", "interval", o[4].value, "1..31536000 seconds");
		p.block_interval_s = (uint32_t)v;
	}
	if (o[0].seen) {
		if (get_ppm(o[0].value, &ppm))
			return bad_value("governance", "traffic-share", o[0].value, "a ratio in [0, 1]");
		shares[0] = ppm;
		n_shares = 1;
	} else {
		n_shares = (uint32_t)(sizeof table / sizeof table[0]);
		for (i = 0; i < n_shares; i++)
			shares[i] = table[i];
	}
	bpy = dnc_blocks_per_year(p.block_interval_s);
	assert(bpy > 0 && n_shares >= 1 && n_shares <= sizeof shares / sizeof shares[0]);
	if (o[5].seen)
		printf("traffic_share_ppm\theight\tyears\n");
	else
		printf("Initial holders fall to 2/3 of DNET (R-GOV-2)\n  %-14s %16s %10s\n",
		       "traffic share", "block height", "years");
	for (i = 0; i < n_shares; i++) {
		uint64_t h;
		dnc_rc r = dnc_gov_crossing_height(&p, shares[i], &h);
		if (r != DNC_OK && r != DNC_ENOTFOUND) {
			fprintf(stderr, "dnetsim calc governance: parameters out of range\n");
			return DN_EXIT_USAGE;
		}
		if (o[5].seen) {
			if (r == DNC_OK)
				printf("%u\t%llu\t%.3f\n", shares[i], (unsigned long long)h,
				       (double)h / (double)bpy);
			else
				printf("%u\tnever\tnever\n", shares[i]);
		} else if (r == DNC_OK) {
			printf("  %13.2f%% %16llu %10.2f\n", (double)shares[i] / PPM_PER_PERCENT,
			       (unsigned long long)h, (double)h / (double)bpy);
		} else {
			printf("  %13.2f%% %16s %10s\n", (double)shares[i] / PPM_PER_PERCENT, "never", "-");
		}
	}
	if (!o[5].seen)
		printf("(paper: 'about 230 million blocks' = %.1f years; 'about four years' = %llu blocks)\n",
		       PAPER_BLOCKS / (double)bpy, (unsigned long long)(4 * bpy));
	return DN_EXIT_OK;
}

/* ---- dispatch ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc <command> [options] [--tsv]\n"
		"Tokenomics calculators running the DNET protocol library.\n"
		"  emission    block rewards: blocks/year, t, delta, producer share\n"
		"  forward     content sale split over a forwarding chain\n"
		"  adhoc       network-sharing split over an ad hoc relay path\n"
		"  lockup      team lock-up: unlocked amount per month\n"
		"  governance  when the initial holders lose the 2/3 majority\n"
		"  cell        5G cell flow model: per-user throughput and delay\n"
		"  mesh        Wi-Fi mesh / ad hoc flow model: multi-hop throughput and delay\n"
		"  whitepaper  every figure of the white paper beside what its parameters give\n"
		"Each command takes --help; --tsv prints a header and tab-separated rows\n"
		"with amounts in base units (1 DNET = %lld).\n", (long long)DNET);
}

int dn_cmd_calc(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub) {
		usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		usage(stdout);
		return DN_EXIT_OK;
	}
	if (strcmp(sub, "emission") == 0)
		return cmd_emission(argc, argv);
	if (strcmp(sub, "forward") == 0)
		return cmd_forward(argc, argv);
	if (strcmp(sub, "adhoc") == 0)
		return cmd_adhoc(argc, argv);
	if (strcmp(sub, "lockup") == 0)
		return cmd_lockup(argc, argv);
	if (strcmp(sub, "governance") == 0)
		return cmd_governance(argc, argv);
	/* The network calculators live with the network models (calc_net.c). */
	if (strcmp(sub, "cell") == 0)
		return dn_cmd_calc_cell(argc - 1, argv + 1);
	if (strcmp(sub, "mesh") == 0)
		return dn_cmd_calc_mesh(argc - 1, argv + 1);
	if (strcmp(sub, "whitepaper") == 0)
		return dn_cmd_calc_whitepaper(argc - 1, argv + 1);
	fprintf(stderr, "dnetsim calc: unknown command '%s'\n", sub);
	usage(stderr);
	return DN_EXIT_USAGE;
}
