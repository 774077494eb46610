/*
 * calc_whitepaper.c: `dnetsim calc whitepaper`, the white paper audited.
 *
 * Every number the white paper states that follows from its own parameters
 * is recomputed here through the protocol library (the same functions the
 * world runs: emission, allocation, lock-up, governance crossing) and
 * printed beside the paper's figure with a verdict: it agrees (within the
 * rounding the paper shows), disagrees (by how much), or cannot be
 * reached. docs/whitepaper-audit.md explains each row and the decision the
 * project takes. Not here: the world's measured behaviour (that needs a
 * run), and figures the paper states without a formula.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "dn_chain.h"

#define WP_PRICE_USD 0.0625      /* the paper's DNET price at issuance, USD */
#define WP_MAX_ROWS 32

/* One audited figure. */
typedef struct wp_row {
	const char *id;      /* short key, stable for scripts */
	const char *rule;    /* the rule it belongs to */
	const char *what;
	double paper;        /* the paper's figure; NAN if it states none */
	double computed;     /* from the parameters; NAN if it never happens */
	const char *unit;
	double tol;          /* relative tolerance the paper's rounding allows */
	const char *note;    /* why it disagrees, or what the figure means */
} wp_row;

typedef struct wp_table {
	wp_row v[WP_MAX_ROWS];
	int n;
} wp_table;

static void add(wp_table *t, const wp_row *r)
{
	assert(t->n < WP_MAX_ROWS);
	t->v[t->n++] = *r;
}

/* The verdict of a row, into buf. */
static const char *verdict(const wp_row *r, char *buf, size_t cap)
{
	if (isnan(r->computed)) {
		snprintf(buf, cap, "unreachable");
		return buf;
	}
	if (isnan(r->paper)) {
		snprintf(buf, cap, "undefined");
		return buf;
	}
	double rel = r->paper != 0 ? (r->computed - r->paper) / fabs(r->paper) : r->computed;
	double ratio = r->paper != 0 ? r->computed / r->paper : 0;
	if (fabs(rel) <= r->tol)
		snprintf(buf, cap, "agrees");
	else if (ratio >= 2)
		snprintf(buf, cap, "disagrees: %.3gx the paper", ratio);
	else if (ratio > 0 && ratio <= 0.5)
		snprintf(buf, cap, "disagrees: the paper is %.3gx", 1 / ratio);
	else
		snprintf(buf, cap, "disagrees: %+.2f%%", 100.0 * rel);
	return buf;
}

static double dnet_of(dn_amount base) { return (double)base / (double)DNC_UNITS_PER_DNET; }

/* R-CHAIN-1, R-SUP-1,2, R-EMIT-1..3: supply, allocation, rewards. */
static int audit_emission(const dnc_params *p, wp_table *t)
{
	dnc_allocation al;
	dnc_emission e;
	dn_amount num, den, prod, pools;
	if (dnc_allocation_compute(p, &al) || dnc_emission_init(p, &e) ||
	    dnc_emission_producer_split(p, e.block_reward, &prod, &pools))
		return -1;
	dnc_emission_delta(&e, p->supply_base, &num, &den);
	double supply = dnet_of(p->supply_base);
	add(t, &(wp_row){"blocks_per_year", "R-CHAIN-1", "blocks per 365-day year at 10 s", 3153600,
			 (double)e.blocks_per_year, "blocks", 0, ""});
	add(t, &(wp_row){"supply", "R-SUP-1", "total supply", 7.5e9, supply, "DNET", 0,
			 "the only figure that reproduces t and the valuation"});
	add(t, &(wp_row){"supply_750m", "R-SUP-1", "total supply as also stated", 7.5e8, supply, "DNET", 0,
			 "the paper's other supply figure"});
	add(t, &(wp_row){"released_by_blocks", "R-SUP-2", "released by block rewards (1 - E0)", 5.625e9,
			 dnet_of(al.emission), "DNET", 0, "also called the supply in one place"});
	add(t, &(wp_row){"e0", "R-SUP-2", "initial allocation E0 = alpha + beta + gamma", 0.25,
			 (double)(p->alpha_ppm + p->beta_ppm + p->gamma_ppm) / DNC_PPM, "1", 0, ""});
	add(t, &(wp_row){"t", "R-EMIT-1", "reward per delegate per block t", 0.99, dnet_of(e.per_delegate),
			 "DNET", 0.005, "the paper rounds to 0.99"});
	add(t, &(wp_row){"delta", "R-EMIT-2", "delta = D t / supply", 2.378e-8, (double)num / (double)den, "1",
			 0.0005, ""});
	add(t, &(wp_row){"producer_dnet", "R-EMIT-3", "producer's 5 % of a block reward", 9.0, dnet_of(prod),
			 "DNET", 0.001, "the paper takes t = 1"});
	add(t, &(wp_row){"producer_usd", "R-EMIT-3", "the same at 0.0625 USD/DNET", 0.5625,
			 dnet_of(prod) * WP_PRICE_USD, "USD", 0.001, "the paper takes t = 1"});
	add(t, &(wp_row){"valuation", "R-SUP-1", "the whole supply at 0.0625 USD/DNET", 468.75e6,
			 supply * WP_PRICE_USD, "USD", 0, ""});
	add(t, &(wp_row){"issuance_valuation", "R-SUP-2", "the sale beta at 0.0625 USD/DNET", 46.875e6,
			 supply * (double)p->beta_ppm / DNC_PPM * WP_PRICE_USD, "USD", 0, ""});
	add(t, &(wp_row){"release_total", "R-SUP-2", "alpha + beta + gamma + released by blocks", 1.0,
			 (double)(al.initial + al.emission) / (double)p->supply_base, "1", 0, ""});
	return 0;
}

/* R-LOCK-1: the month the team's total is fully unlocked. */
static int audit_lockup(const dnc_params *p, wp_table *t)
{
	const dn_amount total = 1000 * DNC_UNITS_PER_DNET;
	uint64_t m = 0;
	while (m <= 1200 && dnc_lock_unlocked(p, total, m) < total)
		m++;
	if (m > 1200)
		return -1;
	uint64_t first = p->lock_cliff_months;
	add(t, &(wp_row){"lockup_months_from_first_unlock", "R-LOCK-1", "months of unlocking (2 % a month)", 50,
			 (double)(m - first + 1), "months", 0, "counted from the first unlock"});
	add(t, &(wp_row){"lockup_end_months", "R-LOCK-1", "months from the end of fundraising to the last unlock",
			 NAN, (double)m, "months", 0, "the paper gives no end; the cliff comes first"});
	return 0;
}

/* R-GOV-2: when the initial holders lose the 2/3 majority. */
static int audit_governance(const dnc_params *p, wp_table *t)
{
	uint64_t bpy = dnc_blocks_per_year(p->block_interval_s), h = 0;
	uint32_t traffic = DNC_PPM - p->lambda_ppm; /* traffic seats' share at lambda */
	dnc_rc rc = dnc_gov_crossing_height(p, traffic, &h);
	if (rc != DNC_OK && rc != DNC_ENOTFOUND)
		return -1;
	double crossing = rc == DNC_OK ? (double)h : NAN;
	add(t, &(wp_row){"gov_blocks", "R-GOV-2", "blocks until the 2/3 majority is lost", 230e6, crossing, "blocks",
			 0.05, "at the default lambda; never when traffic's share is at most 40 %"});
	add(t, &(wp_row){"gov_years", "R-GOV-2", "the same in years (\"about four years\")", 4.0,
			 crossing / (double)bpy, "years", 0.15, "230 M blocks would be 72.9 years"});
	return 0;
}

/* R-EMIT-5, R-CHAIN-5: goals the parameters cannot reach. */
static void audit_goals(const dnc_params *p, wp_table *t)
{
	/* DToken-originated DNET comes only from the traffic seats' share of
	 * what blocks release: at most (1 - E0) x (1 - lambda) of all DNET */
	double e0 = (double)(p->alpha_ppm + p->beta_ppm + p->gamma_ppm) / DNC_PPM;
	double lambda = (double)p->lambda_ppm / DNC_PPM;
	add(t, &(wp_row){"dtoken_share_goal", "R-EMIT-5", "DToken-originated share of all DNET (goal: at least half)",
			 0.5, (1 - e0) * (1 - lambda), "1", 0, "the ceiling (1 - E0)(1 - lambda): the goal is above it"});
	/* a purchase is final after `confirmations` blocks on top of the one
	 * that includes it, which itself comes up to one interval later */
	double final_s = (double)p->confirmations * p->block_interval_s;
	add(t, &(wp_row){"service_bound_s", "R-CHAIN-5", "new user buys DNET and is served (bound)", 15, final_s, "s", 0,
			 "finality alone takes confirmations x interval; first byte can come earlier (grace units)"});
	add(t, &(wp_row){"delegates", "R-CONS-1,2", "delegates per block, stake + traffic at lambda 0.5", 180,
			 (double)p->delegates, "1", 0, ""});
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dnetsim calc whitepaper [--tsv]\n"
		   "Every figure the white paper states that follows from its parameters,\n"
		   "recomputed through the protocol library at the default parameters,\n"
		   "with a verdict: agrees (within the paper's rounding), disagrees (by\n"
		   "how much), unreachable, or undefined (the paper states no figure).\n"
		   "docs/whitepaper-audit.md explains each row.\n");
}

/* A figure for people: whole numbers in full, the rest to 6 digits. */
static void num(double v, const char *none, char *buf, size_t cap)
{
	if (isnan(v))
		snprintf(buf, cap, "%s", none);
	else if (fabs(v) >= 1e4 && fabs(v) < 1e15 && v == floor(v))
		snprintf(buf, cap, "%.0f", v);
	else
		snprintf(buf, cap, "%.6g", v);
}

static void print_table(const wp_table *t, bool tsv)
{
	char vb[64];
	if (tsv)
		printf("id\trule\tpaper\tcomputed\tunit\tverdict\n");
	else
		printf("The white paper audited (defaults; docs/whitepaper-audit.md)\n"
		       "  %-10s %-56s %12s %12s %-7s %s\n", "rule", "figure", "paper", "computed", "unit", "verdict");
	for (int i = 0; i < t->n; i++) {
		const wp_row *r = &t->v[i];
		verdict(r, vb, sizeof vb);
		if (tsv) {
			printf("%s\t%s\t%.10g\t%.10g\t%s\t%s\n", r->id, r->rule, r->paper, r->computed, r->unit, vb);
			continue;
		}
		char pb[32], cb[32];
		num(r->paper, "-", pb, sizeof pb);
		num(r->computed, "never", cb, sizeof cb);
		printf("  %-10s %-56s %12s %12s %-7s %s%s%s\n", r->rule, r->what, pb, cb, r->unit, vb,
		       r->note[0] ? " - " : "", r->note);
	}
}

int dn_cmd_calc_whitepaper(int argc, char **argv)
{
	bool tsv = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tsv") == 0) {
			tsv = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return DN_EXIT_OK;
		} else {
			fprintf(stderr, "dnetsim calc whitepaper: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return DN_EXIT_USAGE;
		}
	}
	dnc_params p;
	dnc_params_default(&p);
	wp_table t;
	memset(&t, 0, sizeof t);
	if (audit_emission(&p, &t) || audit_lockup(&p, &t) || audit_governance(&p, &t)) {
		fprintf(stderr, "dnetsim calc whitepaper: the protocol library refused its own defaults\n");
		return DN_EXIT_FAIL;
	}
	audit_goals(&p, &t);
	print_table(&t, tsv);
	return DN_EXIT_OK;
}
