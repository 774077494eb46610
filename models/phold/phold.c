/*
 * phold.c: PHOLD, the classic parallel discrete-event benchmark
 * (Fujimoto, "Performance of Time Warp under synthetic workloads", 1990).
 *
 * N logical processes (LPs) are split into contiguous blocks over the
 * partitions. Each starts with `phold.events_per_lp` events. Handling an
 * event draws one Philox block from the LP's own stream (seed, LP, purpose,
 * LP counter) and schedules one new event after lookahead + Exp(mean):
 * with probability `phold.remote_fraction` to a uniformly chosen LP in
 * another partition, otherwise to a uniformly chosen LP in the same one.
 * So the event population is constant, and every draw depends only on the
 * LP's own history: results are identical at any thread count.
 *
 * State per LP: one 8-byte counter (the LP's draw index). Per partition:
 * event counts and a fingerprint (an order-sensitive hash of every event
 * handled) used to compare runs.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "phold.h"
#include "rng.h"

enum { PHOLD_EV = 0 };
enum { PHOLD_PURPOSE = DN_RNG_PURPOSE_MODEL + 1 };

typedef struct phold_world {
	uint64_t n_lps;
	uint64_t events_per_lp;
	double mean_delay_ns;
	dn_time_ns lookahead_ns;
	uint32_t remote_threshold; /* remote when u32 draw < this; 2^32 as UINT32_MAX+1 handled below */
	bool always_remote;
	int kind;
	uint64_t *ctr; /* the LP column */
	int s_events, s_remote, s_pending, s_rate;
	uint64_t last_events, last_remote;
	dn_time_ns last_t_ns;
} phold_world;

typedef struct phold_part {
	uint64_t begin, end; /* LP range */
	uint64_t events, remote;
	uint64_t fingerprint;
} phold_part;

static const dn_param_def phold_params[] = {
	{"phold.lps", DN_PT_INT, "1", "10000", 1, 4294967295.0, NULL,
	 "number of logical processes"},
	{"phold.events_per_lp", DN_PT_INT, "1", "1", 1, 1000, NULL,
	 "initial events per LP (the event population stays constant)"},
	{"phold.mean_delay_s", DN_PT_FLOAT, "s", "1", DN_S_PER_NS, 1e6, NULL,
	 "mean of the exponential part of each event's delay"},
	{"phold.lookahead_s", DN_PT_FLOAT, "s", "0.1", DN_S_PER_NS, 1e6, NULL,
	 "fixed part of every delay; the engine's lookahead"},
	{"phold.remote_fraction", DN_PT_FLOAT, "1", "0.1", 0, 1, NULL,
	 "probability that an event goes to an LP in another partition"},
};

static const dn_column_def lp_columns[] = {
	{"draws", sizeof(uint64_t), "index of the LP's next random block"},
};

static const dn_kind_def lp_kind = {
	"lp", lp_columns, sizeof lp_columns / sizeof lp_columns[0], "PHOLD logical process",
};

static dn_time_ns phold_delay(const phold_world *pw, uint32_t hi, uint32_t lo)
{
	double u = dn_u01(hi, lo);
	double d = -pw->mean_delay_ns * log1p(-u);
	return pw->lookahead_ns + (dn_time_ns)d;
}

static dn_rc phold_event(dn_part *p, const dn_event *ev)
{
	dn_world *w = dn_part_world(p);
	const phold_world *pw = dn_world_model(w);
	phold_part *pp = dn_part_model(p);
	const uint32_t lp = ev->dst;
	/* events reach the partition that owns their LP (dn_world_part_of) */
	assert(lp >= pp->begin && lp < pp->end);
	uint32_t r[4];
	dn_rng_block(dn_world_seed(w), lp, PHOLD_PURPOSE, pw->ctr[lp]++, r);

	pp->events++;
	pp->fingerprint = (pp->fingerprint ^ ((uint64_t)ev->t * 0x9E3779B97F4A7C15u + lp)) * 0xBF58476D1CE4E5B9u;

	dn_time_ns t = ev->t + phold_delay(pw, r[1], r[2]);
	/* the delay is the lookahead plus a non-negative draw: the promise
	 * that lets the engine run a window in parallel */
	assert(t - ev->t >= pw->lookahead_ns);
	const uint64_t own = pp->end - pp->begin;
	const unsigned P = dn_world_nparts(w);
	const bool remote = P > 1 && own < pw->n_lps && (pw->always_remote || r[0] < pw->remote_threshold);
	if (!remote) {
		uint32_t dst = (uint32_t)(pp->begin + dn_bounded32(r[3], (uint32_t)own));
		return dn_send(p, t, dn_part_index(p), dst, PHOLD_EV, 0, 0);
	}
	/* Uniform over the LPs of every other partition: index the LPs outside
	 * this partition's block, then skip over the block. */
	uint64_t j = dn_bounded32(r[3], (uint32_t)(pw->n_lps - own));
	if (j >= pp->begin)
		j += own;
	assert(j < pw->n_lps && (j < pp->begin || j >= pp->end)); /* an LP elsewhere */
	pp->remote++;
	return dn_send(p, t, dn_world_part_of(w, pw->kind, j), (uint32_t)j, PHOLD_EV, 0, 0);
}

static void phold_prefetch(dn_part *p, const dn_event *next)
{
	const phold_world *pw = dn_world_model(dn_part_world(p));
	__builtin_prefetch(&pw->ctr[next->dst], 1);
}

static const dn_handler_fn phold_handlers[] = {phold_event};

static dn_rc phold_init(dn_world *w, const dn_scenario *s)
{
	phold_world *pw = dn_world_model(w);
	pw->n_lps = (uint64_t)dn_scn_int(s, "phold.lps");
	pw->events_per_lp = (uint64_t)dn_scn_int(s, "phold.events_per_lp");
	pw->mean_delay_ns = dn_scn_float(s, "phold.mean_delay_s") * (double)DN_NS_PER_S;
	pw->lookahead_ns = (dn_time_ns)nearbyint(dn_scn_float(s, "phold.lookahead_s") * (double)DN_NS_PER_S);
	double rf = dn_scn_float(s, "phold.remote_fraction");
	pw->always_remote = rf >= 1.0;
	pw->remote_threshold = (uint32_t)(rf * 4294967296.0 >= 4294967295.0 ? 4294967295.0 : rf * 4294967296.0);
	if (pw->lookahead_ns < 1) {
		dn_world_set_error(w, "phold.lookahead_s must be at least 1 ns");
		return DN_ERANGE;
	}
	if (pw->n_lps < dn_world_nparts(w)) {
		dn_world_set_error(w, "phold.lps (%llu) must be at least sim.partitions (%u)",
		                   (unsigned long long)pw->n_lps, dn_world_nparts(w));
		return DN_ERANGE;
	}
	dn_world_set_lookahead(w, pw->lookahead_ns);
	dn_rc rc = dn_world_add_kind(w, &lp_kind, pw->n_lps, &pw->kind);
	if (rc)
		return rc;
	pw->ctr = dn_store_col(dn_world_store(w, pw->kind), 0);
	return DN_OK;
}

static dn_rc phold_part_init(dn_part *p)
{
	dn_world *w = dn_part_world(p);
	phold_world *pw = dn_world_model(w);
	phold_part *pp = dn_part_model(p);
	dn_world_part_range(w, pw->kind, dn_part_index(p), &pp->begin, &pp->end);
	for (uint64_t lp = pp->begin; lp < pp->end; lp++) {
		for (uint64_t k = 0; k < pw->events_per_lp; k++) {
			uint32_t r[4];
			dn_rng_block(dn_world_seed(w), (uint32_t)lp, PHOLD_PURPOSE, pw->ctr[lp]++, r);
			dn_rc rc = dn_send(p, phold_delay(pw, r[1], r[2]), dn_part_index(p), (uint32_t)lp,
			                   PHOLD_EV, 0, 0);
			if (rc)
				return rc;
		}
	}
	return DN_OK;
}

static dn_rc phold_declare(dn_world *w, dn_results *r)
{
	phold_world *pw = dn_world_model(w);
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_series(r, "events", DN_VT_I64, "events",
	                             "events handled since the previous sample", &pw->s_events);
	if (!rc)
		rc = dn_results_series(r, "remote_events", DN_VT_I64, "events",
		                       "events sent to another partition since the previous sample", &pw->s_remote);
	if (!rc)
		rc = dn_results_series(r, "pending", DN_VT_I64, "events",
		                       "pending events over all partitions at the sample time", &pw->s_pending);
	if (!rc)
		rc = dn_results_series(r, "event_rate", DN_VT_F64, "events/s",
		                       "events handled per simulated second over the last interval", &pw->s_rate);
	return rc;
}

static dn_rc phold_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	phold_world *pw = dn_world_model(w);
	uint64_t ev = 0, rem = 0, pend = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		dn_part *p = dn_world_part(w, i);
		const phold_part *pp = dn_part_model(p);
		ev += pp->events;
		rem += pp->remote;
		pend += dn_part_pending(p);
	}
	/* counters only grow, samples move forwards */
	assert(ev >= pw->last_events && rem >= pw->last_remote && rem <= ev && t >= pw->last_t_ns);
	dn_rc rc = DN_OK;
	if (r) {
		double dt_s = (double)(t - pw->last_t_ns) * DN_S_PER_NS;
		rc = dn_results_append_i64(r, pw->s_events, t, (int64_t)(ev - pw->last_events));
		if (!rc)
			rc = dn_results_append_i64(r, pw->s_remote, t, (int64_t)(rem - pw->last_remote));
		if (!rc)
			rc = dn_results_append_i64(r, pw->s_pending, t, (int64_t)pend);
		if (!rc)
			rc = dn_results_append_f64(r, pw->s_rate, t,
			                           dt_s > 0 ? (double)(ev - pw->last_events) / dt_s : 0.0);
	}
	pw->last_events = ev;
	pw->last_remote = rem;
	pw->last_t_ns = t;
	return rc;
}

static dn_rc phold_finish(dn_world *w, dn_results *r)
{
	uint64_t ev = 0, fp = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		const phold_part *pp = dn_part_model(dn_world_part(w, i));
		ev += pp->events;
		fp = (fp ^ pp->fingerprint) * 0x94D049BB133111EBu + i;
	}
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_summary_i64(r, "phold_events", (int64_t)ev, "events", "events handled in the run");
	if (!rc)
		rc = dn_results_summary_i64(r, "phold_fingerprint", (int64_t)fp, "1",
		                            "order-sensitive hash of every (time, LP) handled, per partition");
	return rc;
}

uint64_t dn_phold_fingerprint(dn_world *w)
{
	uint64_t fp = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		const phold_part *pp = dn_part_model(dn_world_part(w, i));
		fp = (fp ^ pp->fingerprint) * 0x94D049BB133111EBu + i;
	}
	return fp;
}

/* Memory: one 8-byte counter per LP and the constant event population;
 * the events that cross partitions in one window (lookahead / (lookahead
 * + mean delay) of them handled, remote_fraction of those sent away) wait
 * in outboxes too. */
static dn_rc phold_estimate(const dn_scenario *s, dn_estimate *e)
{
	const double lps = (double)dn_scn_int(s, "phold.lps");
	const double epl = (double)dn_scn_int(s, "phold.events_per_lp");
	const double la = dn_scn_float(s, "phold.lookahead_s");
	const double mean = dn_scn_float(s, "phold.mean_delay_s");
	const double rf = dn_scn_int(s, "sim.partitions") > 1 ? dn_scn_float(s, "phold.remote_fraction") : 0;
	const double lp_bytes = (double)dn_store_bytes_per_agent(&lp_kind);
	const double events = lps * epl, crossing = la / (la + mean) * rf;
	dn_engine_estimate(&dn_model_phold, s, events, events * crossing, e);
	e->model_bytes = lps * lp_bytes;
	e->series = 4;
	e->rows = dn_engine_samples(s);
	const double per_lp = lp_bytes + epl * (1 + crossing) * dn_engine_event_bytes();
	dn_estimate_driver_add(e, "phold.lps", lps, lps * per_lp, per_lp, "LP");
	if (epl > 1)
		dn_estimate_driver_add(e, "phold.events_per_lp", epl, 0, 0, NULL);
	return DN_OK;
}

static void phold_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	(void)s;
	static const char *const series[] = {"events", "remote_events", "pending", "event_rate"};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
		emit(ctx, series[i], true);
	emit(ctx, "phold_events", false);
	emit(ctx, "phold_fingerprint", false);
}

const dn_model dn_model_phold = {
	.name = "phold",
	.doc = "PHOLD synthetic benchmark: constant event population, exponential delays",
	.params = phold_params,
	.n_params = sizeof phold_params / sizeof phold_params[0],
	.handlers = phold_handlers,
	.n_handlers = sizeof phold_handlers / sizeof phold_handlers[0],
	.world_state_size = sizeof(phold_world),
	.part_state_size = sizeof(phold_part),
	.init = phold_init,
	.part_init = phold_part_init,
	.declare = phold_declare,
	.sample = phold_sample,
	.finish = phold_finish,
	.prefetch = phold_prefetch,
	.estimate = phold_estimate,
	.fingerprint = dn_phold_fingerprint,
	.names = phold_names,
};
