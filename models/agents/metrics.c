/*
 * metrics.c: the rules section 9 accumulators (see metrics.h): the
 * log-linear histogram, the per-partition counters, exact shares and the
 * recorder that turns them into one dn_results sample per series.
 *
 * Nothing here allocates or keeps global state; every loop is bounded by
 * DN_HIST_BUCKETS, DN_METRICS_ROLE_COUNT, the series table or the caller's
 * counts. Doubles appear only in the values handed to dn_results.
 */
#include "metrics.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PPM_ONE UINT32_C(1000000)
#define EXACT_BUCKETS (UINT32_C(2) << DN_HIST_SUB_BITS) /* 256: width-1 buckets */
#define GIB_SHIFT 30                                     /* 1 GiB = 2^30 bytes */

/* ---- histogram ---- */

_Static_assert(DN_HIST_BUCKETS <= UINT16_MAX + 1, "a bucket index fits the list of few");

/* Bucket i of h has just become non-empty: list it while there are few. */
static void hist_note(dn_hist *h, uint32_t i)
{
	if (h->n_few < DN_HIST_FEW)
		h->few[h->n_few] = (uint16_t)i;
	if (h->n_few <= DN_HIST_FEW)
		h->n_few++;
}

dn_rc dn_hist_init(dn_hist *h, int64_t limit)
{
	memset(h->bucket, 0, sizeof h->bucket);
	h->n_few = 0;
	h->limit = DN_HIST_NO_LIMIT;
	h->count = 0;
	h->over_limit = 0;
	h->sum = 0;
	h->min = INT64_MAX;
	h->max = 0;
	h->lo = DN_HIST_BUCKETS;
	h->hi = 0;
	if (limit < 0)
		return DN_EINVAL;
	h->limit = limit;
	return DN_OK;
}

void dn_hist_reset(dn_hist *h)
{
	if (h->n_few <= DN_HIST_FEW)
		for (uint32_t k = 0; k < h->n_few; k++)
			h->bucket[h->few[k]] = 0;
	else if (h->lo <= h->hi)
		memset(&h->bucket[h->lo], 0, (size_t)(h->hi - h->lo + 1) * sizeof h->bucket[0]);
	h->n_few = 0;
	h->count = 0;
	h->over_limit = 0;
	h->sum = 0;
	h->min = INT64_MAX;
	h->max = 0;
	h->lo = DN_HIST_BUCKETS;
	h->hi = 0;
}

uint32_t dn_hist_index(int64_t v)
{
	assert(v >= 0);
	uint64_t u = (uint64_t)v;
	if (u < EXACT_BUCKETS)
		return (uint32_t)u;
	/* u in [2^e, 2^(e+1)), e >= SUB_BITS + 1: keep the top SUB_BITS+1 bits. */
	unsigned e = 63u - (unsigned)__builtin_clzll(u);
	unsigned shift = e - DN_HIST_SUB_BITS;
	uint32_t i = ((uint32_t)shift << DN_HIST_SUB_BITS) + (uint32_t)(u >> shift);
	assert(i < DN_HIST_BUCKETS);
	return i;
}

int64_t dn_hist_bucket_low(uint32_t i)
{
	assert(i < DN_HIST_BUCKETS);
	if (i < EXACT_BUCKETS)
		return (int64_t)i;
	uint32_t shift = (i >> DN_HIST_SUB_BITS) - 1;
	uint64_t top = (UINT64_C(1) << DN_HIST_SUB_BITS) | (i & ((UINT32_C(1) << DN_HIST_SUB_BITS) - 1));
	return (int64_t)(top << shift);
}

int64_t dn_hist_bucket_width(uint32_t i)
{
	assert(i < DN_HIST_BUCKETS);
	if (i < EXACT_BUCKETS)
		return 1;
	return INT64_C(1) << ((i >> DN_HIST_SUB_BITS) - 1);
}

dn_rc dn_hist_add(dn_hist *h, int64_t v)
{
	if (v < 0)
		return DN_ERANGE;
	uint32_t i = dn_hist_index(v);
	if (h->bucket[i]++ == 0)
		hist_note(h, i);
	h->count++;
	h->sum += (uint64_t)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (v > h->limit)
		h->over_limit++;
	if (i < h->lo)
		h->lo = i;
	if (i > h->hi)
		h->hi = i;
	return DN_OK;
}

dn_rc dn_hist_quantile(const dn_hist *h, uint32_t q_ppm, int64_t *v)
{
	if (q_ppm > PPM_ONE)
		return DN_EINVAL;
	if (h->count == 0)
		return DN_ERANGE;
	/* Nearest rank, k = max(1, ceil(q n / 10^6)), in 128 bits. */
	dnc_u128 kk = ((dnc_u128)h->count * q_ppm + (PPM_ONE - 1)) / PPM_ONE;
	uint64_t k = kk == 0 ? 1 : (uint64_t)kk;
	assert(k <= h->count);
	if (k == 1) {
		*v = h->min;
		return DN_OK;
	}
	if (k == h->count) {
		*v = h->max;
		return DN_OK;
	}
	uint64_t cum = 0;
	for (uint32_t i = h->lo; i <= h->hi; i++) {
		cum += h->bucket[i];
		if (cum >= k) {
			/* Every value of bucket i is within width/2 of its midpoint;
			 * clamping to the exact range only moves it closer. */
			int64_t mid = dn_hist_bucket_low(i) + dn_hist_bucket_width(i) / 2;
			*v = mid < h->min ? h->min : mid > h->max ? h->max : mid;
			return DN_OK;
		}
	}
	/* count is the sum of the buckets: unreachable unless h is corrupt. */
	assert(0 && "histogram count differs from its buckets");
	return DN_EINVAL;
}

dn_rc dn_hist_merge(dn_hist *dst, const dn_hist *src)
{
	if (dst->limit != src->limit)
		return DN_EINVAL;
	if (src->count == 0)
		return DN_OK;
	assert(src->lo <= src->hi && src->hi < DN_HIST_BUCKETS);
	if (src->n_few <= DN_HIST_FEW) {
		for (uint32_t k = 0; k < src->n_few; k++) {
			uint32_t i = src->few[k];
			if (dst->bucket[i] == 0)
				hist_note(dst, i);
			dst->bucket[i] += src->bucket[i];
		}
	} else if (dst->n_few > DN_HIST_FEW) {
		for (uint32_t i = src->lo; i <= src->hi; i++)
			dst->bucket[i] += src->bucket[i];
	} else {
		for (uint32_t i = src->lo; i <= src->hi; i++) {
			if (src->bucket[i] && dst->bucket[i] == 0)
				hist_note(dst, i);
			dst->bucket[i] += src->bucket[i];
		}
	}
	dst->count += src->count;
	dst->sum += src->sum;
	dst->over_limit += src->over_limit;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->lo < dst->lo)
		dst->lo = src->lo;
	if (src->hi > dst->hi)
		dst->hi = src->hi;
	return DN_OK;
}

dn_rc dn_hist_merge_all(dn_hist *dst, const dn_hist *const *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		dn_rc rc = dn_hist_merge(dst, src[i]);
		if (rc)
			return rc;
	}
	return DN_OK;
}

/* ---- roles ---- */

static const char *const role_names[DN_METRICS_ROLE_COUNT] = {
	"consumer", "sharer", "relay", "delegate", "holder", "operator", "creator", "forwarder", "trader",
};

const char *dn_metrics_role_name(dn_metrics_role role)
{
	if ((unsigned)role >= DN_METRICS_ROLE_COUNT)
		return "?";
	return role_names[role];
}

static bool role_ok(dn_metrics_role role)
{
	return (unsigned)role < DN_METRICS_ROLE_COUNT;
}

/* ---- per-partition accumulators ---- */

dn_metrics_config dn_metrics_config_default(void)
{
	dn_metrics_config c = {
		.service_limit_ns = 15 * DN_NS_PER_S, /* R-CHAIN-5 */
		.confirm_limit_ns = 15 * DN_NS_PER_S,
		.top_share_ppm = 10000, /* 1 % */
	};
	return c;
}

static void part_clear_counters(dn_metrics_part *p)
{
	memset(p->earned, 0, sizeof p->earned);
	memset(p->spent, 0, sizeof p->spent);
	p->minted = 0;
	p->removed = 0;
	p->paid = 0;
	p->traffic_bytes = 0;
	p->requests_ok = 0;
	p->requests_counted = 0;
	p->consumers_served = 0;
	p->consumers_demand = 0;
	p->fraud_attempted = 0;
	p->fraud_caught = 0;
	p->forks_seen = 0;
}

dn_rc dn_metrics_part_init(dn_metrics_part *p, const dn_metrics_config *cfg)
{
	part_clear_counters(p);
	bool ok = cfg->service_limit_ns >= 0 && cfg->confirm_limit_ns >= 0 && cfg->top_share_ppm >= 1 &&
	          cfg->top_share_ppm <= PPM_ONE;
	/* On bad limits the histograms are still made valid (empty, no limit). */
	dn_rc r1 = dn_hist_init(&p->service_latency, ok ? cfg->service_limit_ns : DN_HIST_NO_LIMIT);
	dn_rc r2 = dn_hist_init(&p->confirm_latency, ok ? cfg->confirm_limit_ns : DN_HIST_NO_LIMIT);
	dn_rc r3 = dn_hist_init(&p->price, DN_HIST_NO_LIMIT);
	dn_rc r4 = dn_hist_init(&p->fork_resolution, DN_HIST_NO_LIMIT);
	if (!ok || r1 || r2 || r3 || r4)
		return DN_EINVAL;
	return DN_OK;
}

void dn_metrics_part_reset(dn_metrics_part *p)
{
	dn_hist_reset(&p->service_latency);
	dn_hist_reset(&p->confirm_latency);
	dn_hist_reset(&p->price);
	dn_hist_reset(&p->fork_resolution);
	part_clear_counters(p);
}

/* Adds p's counters and amounts (not its histograms) to dst. */
static void part_add_counters(dn_metrics_part *dst, const dn_metrics_part *p);

dn_rc dn_metrics_part_merge(dn_metrics_part *dst, const dn_metrics_part *p)
{
	dn_rc rc = dn_hist_merge(&dst->service_latency, &p->service_latency);
	if (!rc)
		rc = dn_hist_merge(&dst->confirm_latency, &p->confirm_latency);
	if (!rc)
		rc = dn_hist_merge(&dst->price, &p->price);
	if (!rc)
		rc = dn_hist_merge(&dst->fork_resolution, &p->fork_resolution);
	if (rc)
		return rc;
	part_add_counters(dst, p);
	return DN_OK;
}

static void part_add_counters(dn_metrics_part *dst, const dn_metrics_part *p)
{
	for (int r = 0; r < DN_METRICS_ROLE_COUNT; r++) {
		dst->earned[r] += p->earned[r];
		dst->spent[r] += p->spent[r];
	}
	dst->minted += p->minted;
	dst->removed += p->removed;
	dst->paid += p->paid;
	dst->traffic_bytes += p->traffic_bytes;
	dst->requests_ok += p->requests_ok;
	dst->requests_counted += p->requests_counted;
	dst->consumers_served += p->consumers_served;
	dst->consumers_demand += p->consumers_demand;
	dst->fraud_attempted += p->fraud_attempted;
	dst->fraud_caught += p->fraud_caught;
	dst->forks_seen += p->forks_seen;
}

dn_rc dn_metrics_service_latency(dn_metrics_part *p, dn_time_ns latency_ns)
{
	return dn_hist_add(&p->service_latency, latency_ns);
}

dn_rc dn_metrics_confirm_latency(dn_metrics_part *p, dn_time_ns latency_ns)
{
	return dn_hist_add(&p->confirm_latency, latency_ns);
}

dn_rc dn_metrics_price(dn_metrics_part *p, dn_amount paid, int64_t bytes)
{
	if (bytes <= 0 || paid < 0)
		return DN_EINVAL;
	/* round(paid * 2^30 / bytes): paid < 2^63, so the product < 2^93. */
	dnc_u128 unit = (((dnc_u128)(uint64_t)paid << GIB_SHIFT) + (uint64_t)bytes / 2) / (uint64_t)bytes;
	if (unit > (dnc_u128)INT64_MAX)
		return DN_ERANGE;
	dn_rc rc = dn_hist_add(&p->price, (int64_t)unit);
	if (rc)
		return rc;
	p->paid += (uint64_t)paid;
	p->traffic_bytes += (uint64_t)bytes;
	return DN_OK;
}

dn_rc dn_metrics_transfer(dn_metrics_part *p, dn_metrics_role from_role, dn_metrics_role to_role,
                          dn_amount amount)
{
	if (!role_ok(from_role) || !role_ok(to_role) || amount < 0)
		return DN_EINVAL;
	p->spent[from_role] += amount;
	p->earned[to_role] += amount;
	return DN_OK;
}

dn_rc dn_metrics_earn(dn_metrics_part *p, dn_metrics_role role, dn_amount amount)
{
	if (!role_ok(role) || amount < 0)
		return DN_EINVAL;
	p->earned[role] += amount;
	p->minted += amount;
	return DN_OK;
}

dn_rc dn_metrics_spend(dn_metrics_part *p, dn_metrics_role role, dn_amount amount)
{
	if (!role_ok(role) || amount < 0)
		return DN_EINVAL;
	p->spent[role] += amount;
	p->removed += amount;
	return DN_OK;
}

dn_rc dn_metrics_request_outcome(dn_metrics_part *p, uint64_t ok, uint64_t counted)
{
	if (ok > counted)
		return DN_EINVAL;
	p->requests_ok += ok;
	p->requests_counted += counted;
	return DN_OK;
}

dn_rc dn_metrics_consumers(dn_metrics_part *p, uint64_t served, uint64_t with_demand)
{
	if (served > with_demand)
		return DN_EINVAL;
	p->consumers_served += served;
	p->consumers_demand += with_demand;
	return DN_OK;
}

void dn_metrics_fraud(dn_metrics_part *p, bool caught)
{
	p->fraud_attempted++;
	if (caught)
		p->fraud_caught++;
}

void dn_metrics_fork_seen(dn_metrics_part *p)
{
	p->forks_seen++;
}

dn_rc dn_metrics_fork_resolved(dn_metrics_part *p, dn_time_ns duration_ns)
{
	return dn_hist_add(&p->fork_resolution, duration_ns);
}

/* ---- exact shares ---- */

dn_rc dn_metrics_top_share(const dn_gini *g, uint32_t q_ppm, int64_t *top, int64_t *total)
{
	/* Marked agents mean the sorted array is stale: commit first. */
	if (q_ppm == 0 || q_ppm > PPM_ONE || g->n == 0 || g->sorted == NULL || g->n_changed != 0)
		return DN_EINVAL;
	uint64_t k = (g->n * q_ppm + (PPM_ONE - 1)) / PPM_ONE; /* n < 2^32: no overflow */
	if (k == 0)
		k = 1;
	assert(k <= g->n);
	/* The sorted array is ascending: the k largest are its tail. Their sum
	 * is at most s1, which fits an int64. */
	int64_t s = 0;
	for (uint64_t i = g->n - k; i < g->n; i++)
		s += g->sorted[i];
	assert(s <= g->s1);
	*top = s;
	*total = g->s1;
	return DN_OK;
}

dn_rc dn_metrics_share_cmp(int64_t part, int64_t whole, int64_t num, int64_t den, int *cmp)
{
	if (part < 0 || whole < 0 || num < 0 || den <= 0)
		return DN_EINVAL;
	if (whole == 0) {
		*cmp = num == 0 ? 0 : -1; /* a share of 0 */
		return DN_OK;
	}
	dnc_u128 a = (dnc_u128)(uint64_t)part * (uint64_t)den;
	dnc_u128 b = (dnc_u128)(uint64_t)num * (uint64_t)whole;
	*cmp = (a > b) - (a < b);
	return DN_OK;
}

/* ---- the recorder ---- */

/* Every series, in declaration order. W: since the previous record;
 * C: since the start of the run. */
enum {
	S_COVERAGE,
	S_CONS_SERVED,
	S_CONS_DEMAND,
	S_REQ_SHARE,
	S_REQ_OK,
	S_REQ_N,
	S_SVC_N,
	S_SVC_P50,
	S_SVC_P99,
	S_SVC_MAX,
	S_SVC_VIOL,
	S_CONF_N,
	S_CONF_P50,
	S_CONF_P99,
	S_CONF_MAX,
	S_CONF_VIOL,
	S_PRICE_N,
	S_PRICE_P50,
	S_PRICE_P99,
	S_PRICE_MEAN,
	S_TRAFFIC,
	S_MINTED,
	S_REMOVED,
	S_FRAUD_ATT,
	S_FRAUD_CAUGHT,
	S_FORKS,
	S_FORKS_RESOLVED,
	S_FORK_P50,
	S_FORK_MAX,
	S_GINI,
	S_TOP_SHARE,
	S_TOP_HOLD,
	S_TOTAL_HOLD,
	S_DT_SHARE,
	S_DT_RATIO,
	S_DT_BASE,
	S_INIT_BASE,
	S_DT_HALF,
	S_GOV_SHARE,
	S_GOV_INITIAL,
	S_GOV_TOTAL,
	S_GOV_SUPER,
	S_FIXED,
	/* then per role: earned (W), spent (W), earned (C), spent (C) in
	 * base units, then earned (W) and earned (C) in USD */
	S_ROLE0 = S_FIXED,
	S_ROLE_USD0 = S_ROLE0 + 4 * DN_METRICS_ROLE_COUNT,
	S_COUNT = S_ROLE_USD0 + 2 * DN_METRICS_ROLE_COUNT
};

typedef struct series_spec {
	const char *name;
	dn_value_type vt;
	const char *units;
	const char *description;
} series_spec;

static const series_spec fixed_series[S_FIXED] = {
	[S_COVERAGE] = {"coverage", DN_VT_F64, "1", "rules §9 share of the consumers with demand in the window who were served (distinct consumers, W); NaN if none had demand"},
	[S_CONS_SERVED] = {"consumers_served", DN_VT_I64, "consumers", "rules §9 consumers with demand who got traffic or had a session active (W)"},
	[S_CONS_DEMAND] = {"consumers_with_demand", DN_VT_I64, "consumers", "rules §9 consumers that asked for service or held a session (W)"},
	[S_REQ_SHARE] = {"request_success_share", DN_VT_F64, "1", "request outcomes that opened a session / all request outcomes (W; not coverage: one consumer counts once per request, retry and re-match); NaN if none"},
	[S_REQ_OK] = {"request_outcomes_ok", DN_VT_I64, "requests", "request outcomes that opened a session (W)"},
	[S_REQ_N] = {"request_outcomes", DN_VT_I64, "requests", "request outcomes counted (W)"},
	[S_SVC_N] = {"service_requests", DN_VT_I64, "requests", "requests served (W)"},
	[S_SVC_P50] = {"service_latency_p50_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte, median (W; -1 if none); rel. error <= 2^-8; the world serves once the open is in a block: its ttfb_inclusion_*"},
	[S_SVC_P99] = {"service_latency_p99_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte, 99th percentile (W; -1 if none); rel. error <= 2^-8"},
	[S_SVC_MAX] = {"service_latency_max_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte, maximum (W; -1 if none); exact"},
	[S_SVC_VIOL] = {"service_latency_violations", DN_VT_I64, "requests", "R-CHAIN-5 requests above the bound (default 15 s) (C)"},
	[S_CONF_N] = {"confirmations", DN_VT_I64, "transactions", "transactions confirmed (W)"},
	[S_CONF_P50] = {"confirm_latency_p50_ns", DN_VT_I64, "ns", "send to confirmation, median (W; -1 if none); rel. error <= 2^-8"},
	[S_CONF_P99] = {"confirm_latency_p99_ns", DN_VT_I64, "ns", "send to confirmation, 99th percentile (W; -1 if none); rel. error <= 2^-8"},
	[S_CONF_MAX] = {"confirm_latency_max_ns", DN_VT_I64, "ns", "send to confirmation, maximum (W; -1 if none); exact"},
	[S_CONF_VIOL] = {"confirm_latency_violations", DN_VT_I64, "transactions", "confirmations above the bound (C)"},
	[S_PRICE_N] = {"purchases", DN_VT_I64, "purchases", "traffic purchases (W)"},
	[S_PRICE_P50] = {"price_p50_base_per_gib", DN_VT_I64, "base units/GiB", "unit price paid, median over purchases (W; -1 if none); rel. error <= 2^-8"},
	[S_PRICE_P99] = {"price_p99_base_per_gib", DN_VT_I64, "base units/GiB", "unit price paid, 99th percentile over purchases (W; -1 if none); rel. error <= 2^-8"},
	[S_PRICE_MEAN] = {"price_mean_base_per_gib", DN_VT_I64, "base units/GiB", "total paid / total bytes, rounded (W; -1 if none); exact"},
	[S_TRAFFIC] = {"traffic_bytes", DN_VT_I64, "bytes", "bytes bought (W)"},
	[S_MINTED] = {"earned_from_outside_base", DN_VT_I64, "base units", "money entering the agents: rewards minted (W)"},
	[S_REMOVED] = {"spent_to_outside_base", DN_VT_I64, "base units", "money leaving the agents: burns, costs (W)"},
	[S_FRAUD_ATT] = {"fraud_attempted", DN_VT_I64, "attempts", "fraud attempts (C)"},
	[S_FRAUD_CAUGHT] = {"fraud_caught", DN_VT_I64, "attempts", "fraud attempts rejected (C)"},
	[S_FORKS] = {"forks", DN_VT_I64, "forks", "forks seen (C)"},
	[S_FORKS_RESOLVED] = {"forks_resolved", DN_VT_I64, "forks", "forks resolved, R-CHAIN-4 (C)"},
	[S_FORK_P50] = {"fork_resolution_p50_ns", DN_VT_I64, "ns", "fork resolution time, median (C; -1 if none); rel. error <= 2^-8"},
	[S_FORK_MAX] = {"fork_resolution_max_ns", DN_VT_I64, "ns", "fork resolution time, maximum (C; -1 if none); exact"},
	[S_GINI] = {"holdings_gini", DN_VT_F64, "1", "Gini coefficient of balances (exact; NaN without balances)"},
	[S_TOP_SHARE] = {"holdings_top_share", DN_VT_F64, "1", "share of all balances held by the top q (default 1 %) of holders; NaN if none"},
	[S_TOP_HOLD] = {"holdings_top_base", DN_VT_I64, "base units", "sum of the top q holders' balances (-1 without balances)"},
	[S_TOTAL_HOLD] = {"holdings_total_base", DN_VT_I64, "base units", "sum of all balances (-1 without balances)"},
	[S_DT_SHARE] = {"dtoken_share", DN_VT_F64, "1", "R-EMIT-5 DToken-originated / all DNET; NaN if both 0"},
	[S_DT_RATIO] = {"emit5_ratio", DN_VT_F64, "1", "R-EMIT-5 initial-originated / DToken-originated DNET; NaN if the latter is 0"},
	[S_DT_BASE] = {"dtoken_originated_base", DN_VT_I64, "base units", "R-EMIT-5 DNET earned through DToken / traffic"},
	[S_INIT_BASE] = {"initial_originated_base", DN_VT_I64, "base units", "R-EMIT-5 initial DNET (alpha+beta+gamma) and all it earned"},
	[S_DT_HALF] = {"dtoken_half_reached", DN_VT_I64, "1", "R-EMIT-5 1 if DToken share >= 1/2 (exact), 0 if not, -1 if no DNET"},
	[S_GOV_SHARE] = {"initial_vote_share", DN_VT_F64, "1", "R-GOV-2 initial holders' share of voting weight; NaN if no weight"},
	[S_GOV_INITIAL] = {"initial_vote_weight", DN_VT_I64, "weight", "R-GOV-2 initial holders' voting weight"},
	[S_GOV_TOTAL] = {"total_vote_weight", DN_VT_I64, "weight", "R-GOV-2 all voting weight"},
	[S_GOV_SUPER] = {"initial_supermajority", DN_VT_I64, "1", "R-GOV-2 1 if initial share > 2/3 (exact), 0 if not, -1 if no weight"},
};

static const char *const role_kind[4] = {"earned", "spent", "earned_cum", "spent_cum"};

static dn_rc set_err(dn_metrics *m, dn_rc rc, const char *fmt, ...) DN_PRINTF(3, 4);

static dn_rc set_err(dn_metrics *m, dn_rc rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof m->err, fmt, ap);
	va_end(ap);
	return rc;
}

dn_rc dn_metrics_init(dn_metrics *m, const dn_metrics_config *cfg)
{
	memset(m, 0, sizeof *m);
	m->gov_lost_t = -1;
	m->dtoken_half_t = -1;
	m->last_t = INT64_MIN;
	m->cfg = *cfg;
	for (int i = 0; i < DN_METRICS_MAX_SERIES; i++)
		m->series[i] = -1;
	dn_rc rc = dn_metrics_part_init(&m->window, cfg);
	dn_rc rc2 = dn_metrics_part_init(&m->total, cfg);
	for (int g = 0; g < DN_METRICS_GROUPS; g++)
		rc2 = rc2 ? rc2 : dn_metrics_part_init(&m->ival[g], cfg);
	if (rc || rc2)
		return set_err(m, DN_EINVAL, "metrics: bad configuration");
	return DN_OK;
}

_Static_assert((int)S_COUNT <= (int)DN_METRICS_MAX_SERIES, "raise DN_METRICS_MAX_SERIES");

dn_rc dn_metrics_declare(dn_metrics *m, dn_results *r)
{
	if (m->n_series != 0)
		return set_err(m, DN_EINVAL, "metrics: series declared twice");
	for (int s = 0; s < S_FIXED; s++) {
		const series_spec *sp = &fixed_series[s];
		dn_rc rc = dn_results_series(r, sp->name, sp->vt, sp->units, sp->description, &m->series[s]);
		if (rc)
			return set_err(m, rc, "metrics: declaring %s: %s", sp->name, dn_results_errmsg(r));
	}
	for (int k = 0; k < 4; k++) {
		for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++) {
			char name[64], desc[128];
			snprintf(name, sizeof name, "%s_%s_base", role_kind[k], role_names[role]);
			snprintf(desc, sizeof desc, "DNET %s by %ss (%s)", k % 2 ? "spent" : "earned", role_names[role],
			         k < 2 ? "W" : "C");
			int s = S_ROLE0 + k * DN_METRICS_ROLE_COUNT + role;
			dn_rc rc = dn_results_series(r, name, DN_VT_I64, "base units", desc, &m->series[s]);
			if (rc)
				return set_err(m, rc, "metrics: declaring %s: %s", name, dn_results_errmsg(r));
		}
	}
	for (int k = 0; k < 2; k++) {
		for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++) {
			char name[64], desc[160];
			snprintf(name, sizeof name, "%s_%s_usd", role_kind[2 * k], role_names[role]);
			snprintf(desc, sizeof desc, k ? "USD earned by %ss, each record's income at its price (C)"
			                              : "USD earned by %ss: the record's DNET income x the record's price (W)",
			         role_names[role]);
			int s = S_ROLE_USD0 + k * DN_METRICS_ROLE_COUNT + role;
			dn_rc rc = dn_results_series(r, name, DN_VT_F64, "USD", desc, &m->series[s]);
			if (rc)
				return set_err(m, rc, "metrics: declaring %s: %s", name, dn_results_errmsg(r));
		}
	}
	m->n_series = S_COUNT;
	return DN_OK;
}

/* q-quantile of h, or -1 when h is empty. */
static int64_t quantile_or_none(const dn_hist *h, uint32_t q_ppm)
{
	int64_t v = -1;
	if (h->count == 0)
		return -1;
	dn_rc rc = dn_hist_quantile(h, q_ppm, &v);
	assert(rc == DN_OK);
	(void)rc;
	return v;
}

static bool fits_i64(dnc_i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* One sample's values: iv for DN_VT_I64 series, fv for DN_VT_F64. */
typedef struct sample {
	int64_t iv[S_COUNT];
	double fv[S_COUNT];
} sample;

static double ratio(int64_t a, int64_t b)
{
	return b == 0 ? NAN : (double)a / (double)b;
}

/* USD of base units at price micro-USD per DNET (dn_units.h's dn_usd_of_base). */
static double usd_of_base(dnc_i128 base, int64_t price_usd_micro)
{
	return (double)base / 1e8 * ((double)price_usd_micro / 1e6);
}

/* Kept whole: a flat list, one assignment per S_* series with its range check beside it; split, the mapping would scatter. */
static dn_rc fill_sample(dn_metrics *m, const dn_gini *gini, const dn_metrics_snapshot *snap, sample *x)
{
	/* interval series: the service group's merged parts; money: the economy group's counters */
	const dn_metrics_part *w = &m->ival[DN_METRICS_GROUP_SERVICE], *c = &m->total;
	const dn_metrics_part *e = &m->ival[DN_METRICS_GROUP_ECONOMY];
	for (int s = 0; s < S_COUNT; s++) {
		x->iv[s] = -1;
		x->fv[s] = NAN;
	}
	if (w->requests_counted > INT64_MAX || w->consumers_demand > INT64_MAX || w->traffic_bytes > INT64_MAX || c->fraud_attempted > INT64_MAX ||
	    c->forks_seen > INT64_MAX || c->service_latency.over_limit > INT64_MAX)
		return set_err(m, DN_ERANGE, "metrics: a count no longer fits an int64 series");
	/* rules §9 coverage: distinct consumers; the request share beside it */
	x->fv[S_COVERAGE] = w->consumers_demand ? (double)w->consumers_served / (double)w->consumers_demand : NAN;
	x->iv[S_CONS_SERVED] = (int64_t)w->consumers_served;
	x->iv[S_CONS_DEMAND] = (int64_t)w->consumers_demand;
	x->fv[S_REQ_SHARE] = w->requests_counted ? (double)w->requests_ok / (double)w->requests_counted : NAN;
	x->iv[S_REQ_OK] = (int64_t)w->requests_ok;
	x->iv[S_REQ_N] = (int64_t)w->requests_counted;
	x->iv[S_SVC_N] = (int64_t)w->service_latency.count;
	x->iv[S_SVC_P50] = quantile_or_none(&w->service_latency, 500000);
	x->iv[S_SVC_P99] = quantile_or_none(&w->service_latency, 990000);
	x->iv[S_SVC_MAX] = quantile_or_none(&w->service_latency, PPM_ONE);
	x->iv[S_SVC_VIOL] = (int64_t)c->service_latency.over_limit;
	x->iv[S_CONF_N] = (int64_t)w->confirm_latency.count;
	x->iv[S_CONF_P50] = quantile_or_none(&w->confirm_latency, 500000);
	x->iv[S_CONF_P99] = quantile_or_none(&w->confirm_latency, 990000);
	x->iv[S_CONF_MAX] = quantile_or_none(&w->confirm_latency, PPM_ONE);
	x->iv[S_CONF_VIOL] = (int64_t)c->confirm_latency.over_limit;
	x->iv[S_PRICE_N] = (int64_t)w->price.count;
	x->iv[S_PRICE_P50] = quantile_or_none(&w->price, 500000);
	x->iv[S_PRICE_P99] = quantile_or_none(&w->price, 990000);
	if (w->traffic_bytes > 0) {
		dnc_u128 mean = ((w->paid << GIB_SHIFT) + w->traffic_bytes / 2) / w->traffic_bytes;
		if (mean > (dnc_u128)INT64_MAX)
			return set_err(m, DN_ERANGE, "metrics: mean price does not fit an int64");
		x->iv[S_PRICE_MEAN] = (int64_t)mean;
	}
	x->iv[S_TRAFFIC] = (int64_t)w->traffic_bytes;
	if (!fits_i64(e->minted) || !fits_i64(e->removed))
		return set_err(m, DN_ERANGE, "metrics: money from or to outside does not fit an int64");
	x->iv[S_MINTED] = (int64_t)e->minted;
	x->iv[S_REMOVED] = (int64_t)e->removed;
	x->iv[S_FRAUD_ATT] = (int64_t)c->fraud_attempted;
	x->iv[S_FRAUD_CAUGHT] = (int64_t)c->fraud_caught;
	x->iv[S_FORKS] = (int64_t)c->forks_seen;
	x->iv[S_FORKS_RESOLVED] = (int64_t)c->fork_resolution.count;
	x->iv[S_FORK_P50] = quantile_or_none(&c->fork_resolution, 500000);
	x->iv[S_FORK_MAX] = quantile_or_none(&c->fork_resolution, PPM_ONE);
	if (gini) {
		int64_t top = 0, total = 0;
		dn_rc rc = dn_metrics_top_share(gini, m->cfg.top_share_ppm, &top, &total);
		if (rc)
			return set_err(m, rc, "metrics: top share of an empty or uncommitted dn_gini");
		x->fv[S_GINI] = dn_gini_value(gini);
		x->fv[S_TOP_SHARE] = ratio(top, total);
		x->iv[S_TOP_HOLD] = top;
		x->iv[S_TOTAL_HOLD] = total;
	}
	/* R-EMIT-5: both totals are parts of the supply, so their sum fits. */
	int64_t all = snap->dtoken_originated + snap->initial_originated;
	x->fv[S_DT_SHARE] = ratio(snap->dtoken_originated, all);
	x->fv[S_DT_RATIO] = ratio(snap->initial_originated, snap->dtoken_originated);
	x->iv[S_DT_BASE] = snap->dtoken_originated;
	x->iv[S_INIT_BASE] = snap->initial_originated;
	if (all > 0) {
		int cmp = 0;
		dn_rc rc = dn_metrics_share_cmp(snap->dtoken_originated, all, 1, 2, &cmp);
		assert(rc == DN_OK);
		(void)rc;
		x->iv[S_DT_HALF] = cmp >= 0;
	}
	/* R-GOV-2: control needs more than 2/3 (R-GOV-1). */
	x->fv[S_GOV_SHARE] = ratio(snap->initial_vote_weight, snap->total_vote_weight);
	x->iv[S_GOV_INITIAL] = snap->initial_vote_weight;
	x->iv[S_GOV_TOTAL] = snap->total_vote_weight;
	if (snap->total_vote_weight > 0) {
		int cmp = 0;
		dn_rc rc = dn_metrics_share_cmp(snap->initial_vote_weight, snap->total_vote_weight, 2, 3, &cmp);
		assert(rc == DN_OK);
		(void)rc;
		x->iv[S_GOV_SUPER] = cmp > 0;
	}
	for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++) {
		const dnc_i128 v[4] = {e->earned[role], e->spent[role], c->earned[role], c->spent[role]};
		for (int k = 0; k < 4; k++) {
			if (!fits_i64(v[k]))
				return set_err(m, DN_ERANGE, "metrics: %s by %ss does not fit an int64 series", role_kind[k],
				               role_names[role]);
			x->iv[S_ROLE0 + k * DN_METRICS_ROLE_COUNT + role] = (int64_t)v[k];
		}
		/* each block's income at that block's price, summed over the
		 * interval (NaN while no block had a price) and over the run */
		x->fv[S_ROLE_USD0 + role] = m->usd_known ? m->earned_usd_ival[role] : NAN;
		x->fv[S_ROLE_USD0 + DN_METRICS_ROLE_COUNT + role] = m->earned_usd_cum[role];
	}
	return DN_OK;
}

/* earned - spent over the roles == minted - removed: each call adds to
 * both sides, so a difference means corrupted or mis-merged counters. */
static bool conserved(const dn_metrics_part *p)
{
	dnc_i128 e = 0, s = 0;
	for (int r = 0; r < DN_METRICS_ROLE_COUNT; r++) {
		e += p->earned[r];
		s += p->spent[r];
	}
	return e - s == p->minted - p->removed;
}

/* The group each series is written with (dn_metrics_write). */
dn_metrics_group dn_metrics_series_group(int s)
{
	if (s <= S_TRAFFIC)
		return DN_METRICS_GROUP_SERVICE;
	if (s == S_MINTED || s == S_REMOVED || s >= S_FIXED)
		return DN_METRICS_GROUP_ECONOMY;
	if (s <= S_FORK_MAX)
		return DN_METRICS_GROUP_CHAIN;
	return DN_METRICS_GROUP_HOLDINGS;
}

/* The snapshot's crossings (R-GOV-2, R-EMIT-5) at t: found every block
 * step, so their times do not depend on how often series are written. */
static void note_crossings(dn_metrics *m, const dn_metrics_snapshot *snap, dn_time_ns t)
{
	int64_t all = snap->dtoken_originated + snap->initial_originated;
	int cmp = 0;
	if (m->dtoken_half_t < 0 && all > 0 && dn_metrics_share_cmp(snap->dtoken_originated, all, 1, 2, &cmp) == DN_OK &&
	    cmp >= 0)
		m->dtoken_half_t = t;
	if (m->gov_lost_t < 0 && snap->total_vote_weight > 0 &&
	    dn_metrics_share_cmp(snap->initial_vote_weight, snap->total_vote_weight, 2, 3, &cmp) == DN_OK && cmp <= 0)
		m->gov_lost_t = t;
}

static dn_rc check_snapshot(dn_metrics *m, const dn_metrics_snapshot *snap)
{
	if (snap->dtoken_originated < 0 || snap->initial_originated < 0 ||
	    snap->dtoken_originated > INT64_MAX - snap->initial_originated || snap->initial_vote_weight < 0 ||
	    snap->initial_vote_weight > snap->total_vote_weight || snap->price_usd_micro < 0)
		return set_err(m, DN_EINVAL, "metrics: snapshot out of range (negative, overflowing, or initial "
		                             "vote weight above the total)");
	return DN_OK;
}

dn_rc dn_metrics_step(dn_metrics *m, dn_metrics_part *const *parts, uint32_t n_parts,
                      const dn_metrics_snapshot *snap, dn_time_ns t)
{
	m->err[0] = '\0';
	if (t < m->last_t)
		return set_err(m, DN_EINVAL, "metrics: record at %" PRId64 " ns before the last at %" PRId64, t,
		               m->last_t);
	dn_rc rc = check_snapshot(m, snap);
	if (rc)
		return rc;
	dn_metrics_part_reset(&m->window);
	for (uint32_t i = 0; i < n_parts; i++) {
		rc = dn_metrics_part_merge(&m->window, parts[i]);
		if (rc)
			return set_err(m, rc, "metrics: partition %" PRIu32 " has other limits", i);
		dn_metrics_part_reset(parts[i]);
	}
	if (!conserved(&m->window))
		return set_err(m, DN_EINVAL, "metrics: role incomes do not balance against money from outside");
	rc = dn_metrics_part_merge(&m->total, &m->window);
	if (!rc)
		rc = dn_metrics_part_merge(&m->ival[DN_METRICS_GROUP_SERVICE], &m->window);
	if (rc)
		return set_err(m, rc, "metrics: window and totals have other limits");
	part_add_counters(&m->ival[DN_METRICS_GROUP_ECONOMY], &m->window);
	m->last_t = t;
	m->records++;
	/* each block's income at that block's price */
	for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++) {
		double usd = snap->price_usd_micro > 0 ? usd_of_base(m->window.earned[role], snap->price_usd_micro) : NAN;
		if (!isnan(usd)) {
			m->earned_usd_cum[role] += usd;
			m->earned_usd_ival[role] += usd;
		}
		m->usd_known = m->usd_known || !isnan(usd);
	}
	if (m->window.consumers_demand) {
		m->coverage_sum += (double)m->window.consumers_served / (double)m->window.consumers_demand;
		m->coverage_windows++;
	}
	note_crossings(m, snap, t);
	return DN_OK;
}

dn_rc dn_metrics_write(dn_metrics *m, unsigned groups, const dn_metrics_snapshot *snap, dn_results *r, dn_time_ns t)
{
	m->err[0] = '\0';
	dn_rc rc = check_snapshot(m, snap);
	if (rc)
		return rc;
	if (r && m->n_series != S_COUNT)
		return set_err(m, DN_EINVAL, "metrics: record before dn_metrics_declare");
	sample x; /* 1.2 KiB */
	rc = fill_sample(m, (groups & (1u << DN_METRICS_GROUP_HOLDINGS)) ? snap->gini : NULL, snap, &x);
	if (rc)
		return rc;
	for (int s = 0; r && s < S_COUNT; s++) {
		if (!(groups & (1u << dn_metrics_series_group(s))))
			continue;
		dn_value_type vt = s < S_FIXED ? fixed_series[s].vt : s < S_ROLE_USD0 ? DN_VT_I64 : DN_VT_F64;
		rc = vt == DN_VT_F64 ? dn_results_append_f64(r, m->series[s], t, x.fv[s])
		                     : dn_results_append_i64(r, m->series[s], t, x.iv[s]);
		if (rc)
			return set_err(m, rc, "metrics: appending: %s", dn_results_errmsg(r));
	}
	if (groups & (1u << DN_METRICS_GROUP_SERVICE))
		dn_metrics_part_reset(&m->ival[DN_METRICS_GROUP_SERVICE]);
	if (groups & (1u << DN_METRICS_GROUP_ECONOMY)) {
		part_clear_counters(&m->ival[DN_METRICS_GROUP_ECONOMY]);
		for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++)
			m->earned_usd_ival[role] = 0;
		m->usd_known = false;
	}
	return DN_OK;
}

dn_rc dn_metrics_record(dn_metrics *m, dn_metrics_part *const *parts, uint32_t n_parts,
                        const dn_metrics_snapshot *snap, dn_results *r, dn_time_ns t)
{
	dn_rc rc = dn_metrics_step(m, parts, n_parts, snap, t);
	return rc ? rc : dn_metrics_write(m, DN_METRICS_ALL_GROUPS, snap, r, t);
}

const char *dn_metrics_series_aggregate(int s)
{
	switch (s) {
	case S_COVERAGE: case S_REQ_SHARE: case S_PRICE_MEAN:
		return "ratio";
	case S_SVC_P50: case S_SVC_P99: case S_SVC_MAX: case S_CONF_P50: case S_CONF_P99: case S_CONF_MAX:
	case S_PRICE_P50: case S_PRICE_P99:
		return "quantile";
	case S_SVC_VIOL: case S_CONF_VIOL: case S_FRAUD_ATT: case S_FRAUD_CAUGHT: case S_FORKS:
	case S_FORKS_RESOLVED: case S_FORK_P50: case S_FORK_MAX:
		return "cumulative";
	default:
		break;
	}
	if (s >= S_GINI && s < S_FIXED)
		return "last";
	if (s >= S_ROLE_USD0) /* per role, in USD: the interval's, the run's */
		return (s - S_ROLE_USD0) / DN_METRICS_ROLE_COUNT == 0 ? "sum" : "cumulative";
	if (s >= S_ROLE0) /* per role, base units: earned, spent (interval), then the run's */
		return (s - S_ROLE0) / DN_METRICS_ROLE_COUNT < 2 ? "sum" : "cumulative";
	return "sum";
}

const char *dn_metrics_group_name(dn_metrics_group g)
{
	static const char *const names[DN_METRICS_GROUPS] = {"service", "economy", "holdings", "chain"};
	return (unsigned)g < DN_METRICS_GROUPS ? names[g] : "?";
}

void dn_metrics_names(void (*emit)(void *ctx, const char *name, bool series), void *ctx)
{
	for (int s = 0; s < S_FIXED; s++)
		emit(ctx, fixed_series[s].name, true);
	char name[64];
	for (int k = 0; k < 4; k++)
		for (int role = 0; role < DN_METRICS_ROLE_COUNT; role++) {
			snprintf(name, sizeof name, "%s_%s_base", role_kind[k], role_names[role]);
			emit(ctx, name, true);
			if (k % 2 == 0) {
				snprintf(name, sizeof name, "%s_%s_usd", role_kind[k], role_names[role]);
				emit(ctx, name, true);
			}
		}
	/* what dn_metrics_finish writes (tests/cli/test_check.sh compares a
	 * run's names with these) */
	static const char *const summary[] = {
		"service_latency_p50_ns", "service_latency_p99_ns", "service_latency_max_ns", "service_requests",
		"service_latency_violations", "confirm_latency_p50_ns", "confirm_latency_p99_ns",
		"confirm_latency_max_ns", "confirm_latency_violations", "price_p50_base_per_gib", "fraud_attempted",
		"fraud_caught", "fraud_missed", "forks", "fork_resolution_max_ns", "initial_supermajority_lost_ns",
		"dtoken_half_reached_ns", "coverage_mean", "coverage_run", "request_success_share"};
	for (size_t i = 0; i < sizeof summary / sizeof summary[0]; i++)
		emit(ctx, summary[i], false);
}

dn_rc dn_metrics_finish(const dn_metrics *m, dn_results *r)
{
	const dn_metrics_part *c = &m->total;
	struct {
		const char *name;
		int64_t v;
		const char *units, *desc;
	} s[] = {
		{"service_latency_p50_ns", quantile_or_none(&c->service_latency, 500000), "ns", "R-CHAIN-5 run median (-1 if none)"},
		{"service_latency_p99_ns", quantile_or_none(&c->service_latency, 990000), "ns", "R-CHAIN-5 run 99th percentile (-1 if none)"},
		{"service_latency_max_ns", quantile_or_none(&c->service_latency, PPM_ONE), "ns", "R-CHAIN-5 run maximum (-1 if none)"},
		{"service_requests", (int64_t)c->service_latency.count, "requests", "requests served"},
		{"service_latency_violations", (int64_t)c->service_latency.over_limit, "requests", "R-CHAIN-5 requests above the bound"},
		{"confirm_latency_p50_ns", quantile_or_none(&c->confirm_latency, 500000), "ns", "run median (-1 if none)"},
		{"confirm_latency_p99_ns", quantile_or_none(&c->confirm_latency, 990000), "ns", "run 99th percentile (-1 if none)"},
		{"confirm_latency_max_ns", quantile_or_none(&c->confirm_latency, PPM_ONE), "ns", "run maximum (-1 if none)"},
		{"confirm_latency_violations", (int64_t)c->confirm_latency.over_limit, "transactions", "confirmations above the bound"},
		{"price_p50_base_per_gib", quantile_or_none(&c->price, 500000), "base units/GiB", "run median unit price (-1 if none)"},
		{"fraud_attempted", (int64_t)c->fraud_attempted, "attempts", "fraud attempts"},
		{"fraud_caught", (int64_t)c->fraud_caught, "attempts", "fraud attempts rejected"},
		{"fraud_missed", (int64_t)c->fraud_attempted - (int64_t)c->fraud_caught, "attempts",
		 "R-CRED-7 fraud attempts not rejected (attempted - caught)"},
		{"forks", (int64_t)c->forks_seen, "forks", "forks seen"},
		{"fork_resolution_max_ns", quantile_or_none(&c->fork_resolution, PPM_ONE), "ns", "longest fork (-1 if none)"},
		{"initial_supermajority_lost_ns", m->gov_lost_t, "ns", "R-GOV-2 first record with initial share <= 2/3 (-1: never)"},
		{"dtoken_half_reached_ns", m->dtoken_half_t, "ns", "R-EMIT-5 first record with DToken share >= 1/2 (-1: never)"},
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		dn_rc rc = dn_results_summary_i64(r, s[i].name, s[i].v, s[i].units, s[i].desc);
		if (rc)
			return rc;
	}
	struct {
		const char *name;
		double v;
		const char *units, *desc;
	} f[] = {
		{"coverage_mean", m->coverage_windows ? m->coverage_sum / (double)m->coverage_windows : NAN, "1",
		 "rules §9 mean over the records with demand of each record's coverage (NaN if none)"},
		{"coverage_run", c->consumers_demand ? (double)c->consumers_served / (double)c->consumers_demand : NAN, "1",
		 "rules §9 consumers served / consumers with demand, summed over the records (consumer-blocks)"},
		{"request_success_share", c->requests_counted ? (double)c->requests_ok / (double)c->requests_counted : NAN,
		 "1", "request outcomes that opened a session / all request outcomes, over the run (not coverage)"},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		dn_rc rc = dn_results_summary_f64(r, f[i].name, f[i].v, f[i].units, f[i].desc);
		if (rc)
			return rc;
	}
	return DN_OK;
}
