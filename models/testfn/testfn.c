/*
 * testfn.c: two closed-form test functions run as models, for testing
 * `dnetsim tune` against answers known in advance. Neither has agents or
 * events: init reads the point, computes the function and draws the noise;
 * finish writes the summary. A run takes no time at any sim.end_time_s.
 *
 * ishigami: the Ishigami function (Ishigami and Homma, "An importance
 * quantification technique in uncertainty analysis for computer models",
 * ISUMA 1990), the standard test of global sensitivity analysis:
 *     y = sin(x1) + a sin(x2)^2 + b x3^4 sin(x1),  x1, x2, x3 ~ U(-pi, pi).
 * Its Sobol indices are known exactly. With V1 = (1 + b pi^4/5)^2 / 2,
 * V2 = a^2/8, V13 = 8 b^2 pi^8 / 225 and V = V1 + V2 + V13, they are
 * S1 = V1/V, S2 = V2/V, S3 = 0, ST1 = (V1 + V13)/V, ST2 = S2, ST3 = V13/V;
 * at a = 7, b = 0.1: S1 = 0.3139, S2 = 0.4424, ST1 = 0.5576, ST3 = 0.2437.
 * x3 acts only through its interaction with x1: a method that reports
 * first-order effects alone ranks it last, wrongly.
 *
 * planted: a weighted quadratic bowl on [0, 1]^4 with its minimum at a
 * chosen point opt: loss = sum_j w_j (x_j - opt_j)^2, w = (1, 2, 0.5, 1.5),
 * score = 1 - loss. A target search must find opt, and must report
 * "score >= 1.2" unreachable (the score is at most 1, plus noise).
 *
 * Noise: `<model>.noise` is the standard deviation of a Gaussian added to
 * the noisy summaries. The standard normal comes from one Philox block of
 * (sim.seed, 0, the model's purpose, 0): equal seeds draw equal noise,
 * and the draw does not depend on the other parameters, so two points run
 * at one seed differ by their function values and the noise scale only
 * (common random numbers).
 *
 * The run fails on purpose when ishigami.x1 > ishigami.fail_x1_above, so
 * a tuner's handling of failed points is tested too.
 */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "rng.h"
#include "testfn.h"

enum { ISHIGAMI_PURPOSE = DN_RNG_PURPOSE_MODEL + 1, PLANTED_PURPOSE = DN_RNG_PURPOSE_MODEL + 2 };

enum { PLANTED_DIM = 4 };

/* ---- shared ---- */

/* sd times a standard normal drawn from (seed, 0, purpose, 0), by
 * inversion (one block, so the draw is a pure function of the seed). The
 * uniform is the midpoint of one of 2^52 equal cells: strictly inside
 * (0, 1), where the inverse CDF is finite. */
static double testfn_noise(const dn_world *w, uint32_t purpose, double sd)
{
	uint32_t r[4];
	dn_rng_block(dn_world_seed(w), 0, purpose, 0, r);
	const uint64_t bits = ((uint64_t)r[0] << 32 | r[1]) >> 12;
	const double u = ((double)bits + 0.5) * 0x1.0p-52;
	/* sd 0 is no noise: 0, not the -0 that 0 times a negative draw is */
	return sd > 0 ? sd * gsl_cdf_ugaussian_Pinv(u) : 0;
}

/* No events: a positive lookahead only lets the run have any number of
 * partitions (the engine asks for one when sim.partitions > 1). */
static void testfn_no_events(dn_world *w)
{
	dn_world_set_lookahead(w, 1);
}

/* The engine's share only: these models keep a few doubles. */
static dn_rc testfn_estimate(const dn_model *m, const dn_scenario *s, dn_estimate *e)
{
	dn_engine_estimate(m, s, 0, 0, e);
	return DN_OK;
}

/* A model's summaries: three doubles, each with its name and line of doc;
 * the world state is the three values, set by init, written by finish. */
enum { TESTFN_OUTS = 3 };
typedef struct testfn_out {
	const char *name, *desc;
} testfn_out;
typedef struct testfn_world {
	double v[TESTFN_OUTS];
} testfn_world;

static dn_rc testfn_write(dn_world *w, dn_results *r, const testfn_out *outs)
{
	const testfn_world *tw = dn_world_model(w);
	dn_rc rc = DN_OK;
	for (int i = 0; r && !rc && i < TESTFN_OUTS; i++)
		rc = dn_results_summary_f64(r, outs[i].name, tw->v[i], "1", outs[i].desc);
	return rc;
}

static void testfn_names(const testfn_out *outs, dn_name_fn emit, void *ctx)
{
	for (int i = 0; i < TESTFN_OUTS; i++)
		emit(ctx, outs[i].name, false);
}

/* ---- ishigami ---- */

static const testfn_out ishigami_outs[TESTFN_OUTS] = {
	{"ishigami_y", "the Ishigami function at the point, plus the noise"},
	{"ishigami_f", "the Ishigami function at the point, without noise"},
	{"ishigami_noise", "the Gaussian noise drawn (sd ishigami.noise)"},
};

static const dn_param_def ishigami_params[] = {
	{"ishigami.x1", DN_PT_FLOAT, "1", "0", -3.141592653589793, 3.141592653589793, NULL,
	 "first input: sin(x1), and its interaction with x3"},
	{"ishigami.x2", DN_PT_FLOAT, "1", "0", -3.141592653589793, 3.141592653589793, NULL,
	 "second input: a sin(x2)^2, no interaction"},
	{"ishigami.x3", DN_PT_FLOAT, "1", "0", -3.141592653589793, 3.141592653589793, NULL,
	 "third input: acts only through b x3^4 sin(x1)"},
	{"ishigami.a", DN_PT_FLOAT, "1", "7", 0, 100, NULL,
	 "weight of sin(x2)^2 (7 in the standard test)"},
	{"ishigami.b", DN_PT_FLOAT, "1", "0.1", 0, 10, NULL,
	 "weight of x3^4 sin(x1) (0.1 in the standard test)"},
	{"ishigami.noise", DN_PT_FLOAT, "1", "0", 0, 1e6, NULL,
	 "standard deviation of the Gaussian noise added to ishigami_y (drawn from sim.seed)"},
	{"ishigami.fail_x1_above", DN_PT_FLOAT, "1", "4", -4, 4, NULL,
	 "the run fails when x1 is above this (a planted failure for testing; 4: never)"},
};

static double ishigami_f(double x1, double x2, double x3, double a, double b)
{
	const double s2 = sin(x2);
	return sin(x1) + a * s2 * s2 + b * pow(x3, 4) * sin(x1);
}

static dn_rc ishigami_init(dn_world *w, const dn_scenario *s)
{
	testfn_world *tw = dn_world_model(w);
	const double x1 = dn_scn_float(s, "ishigami.x1");
	const double fail_above = dn_scn_float(s, "ishigami.fail_x1_above");
	if (x1 > fail_above) {
		/* the values as the scenario reads them back, not rounded to equal */
		char xs[32], fs[32];
		dn_param_format_float(x1, xs, sizeof xs);
		dn_param_format_float(fail_above, fs, sizeof fs);
		dn_world_set_error(w, "ishigami: x1 = %s is above ishigami.fail_x1_above = %s "
		                   "(a planted failure for testing)", xs, fs);
		return DN_ELIMIT;
	}
	const double f = ishigami_f(x1, dn_scn_float(s, "ishigami.x2"), dn_scn_float(s, "ishigami.x3"),
	                            dn_scn_float(s, "ishigami.a"), dn_scn_float(s, "ishigami.b"));
	const double noise = testfn_noise(w, ISHIGAMI_PURPOSE, dn_scn_float(s, "ishigami.noise"));
	tw->v[0] = f + noise;
	tw->v[1] = f;
	tw->v[2] = noise;
	testfn_no_events(w);
	return DN_OK;
}

static dn_rc ishigami_finish(dn_world *w, dn_results *r)
{
	return testfn_write(w, r, ishigami_outs);
}

static dn_rc ishigami_estimate(const dn_scenario *s, dn_estimate *e)
{
	return testfn_estimate(&dn_model_ishigami, s, e);
}

static void ishigami_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	(void)s;
	testfn_names(ishigami_outs, emit, ctx);
}

const dn_model dn_model_ishigami = {
	.name = "ishigami",
	.doc = "Ishigami function, the standard sensitivity-analysis test (no events)",
	.params = ishigami_params,
	.n_params = sizeof ishigami_params / sizeof ishigami_params[0],
	.world_state_size = sizeof(testfn_world),
	.init = ishigami_init,
	.finish = ishigami_finish,
	.estimate = ishigami_estimate,
	.names = ishigami_names,
};

/* ---- planted ---- */

static const testfn_out planted_outs[TESTFN_OUTS] = {
	{"planted_loss", "weighted squared distance to the planted optimum, plus the noise"},
	{"planted_score", "1 - planted_loss: at most 1 (plus noise), at the optimum"},
	{"planted_dist", "largest |x_j - opt_j| over the inputs, without noise"},
};

/* Unequal weights: the bowl is elongated, not round, so the inputs are
 * not interchangeable and a search must scale them apart. */
static const double planted_w[PLANTED_DIM] = {1, 2, 0.5, 1.5};

static const char *const planted_x[PLANTED_DIM] = {"planted.x1", "planted.x2", "planted.x3", "planted.x4"};
static const char *const planted_opt[PLANTED_DIM] = {"planted.opt1", "planted.opt2", "planted.opt3",
                                                     "planted.opt4"};

static const dn_param_def planted_params[] = {
	{"planted.x1", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "first input (loss weight 1)"},
	{"planted.x2", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "second input (loss weight 2)"},
	{"planted.x3", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "third input (loss weight 0.5)"},
	{"planted.x4", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "fourth input (loss weight 1.5)"},
	{"planted.opt1", DN_PT_FLOAT, "1", "0.31", 0, 1, NULL, "x1 at the planted optimum"},
	{"planted.opt2", DN_PT_FLOAT, "1", "0.72", 0, 1, NULL, "x2 at the planted optimum"},
	{"planted.opt3", DN_PT_FLOAT, "1", "0.55", 0, 1, NULL, "x3 at the planted optimum"},
	{"planted.opt4", DN_PT_FLOAT, "1", "0.18", 0, 1, NULL, "x4 at the planted optimum"},
	{"planted.noise", DN_PT_FLOAT, "1", "0", 0, 1e6, NULL,
	 "standard deviation of the Gaussian noise added to planted_loss (drawn from sim.seed)"},
};

static dn_rc planted_init(dn_world *w, const dn_scenario *s)
{
	testfn_world *tw = dn_world_model(w);
	double loss = 0, dist = 0;
	for (int j = 0; j < PLANTED_DIM; j++) {
		const double d = dn_scn_float(s, planted_x[j]) - dn_scn_float(s, planted_opt[j]);
		loss += planted_w[j] * d * d;
		dist = fmax(dist, fabs(d));
	}
	loss += testfn_noise(w, PLANTED_PURPOSE, dn_scn_float(s, "planted.noise"));
	tw->v[0] = loss;
	tw->v[1] = 1 - loss;
	tw->v[2] = dist;
	testfn_no_events(w);
	return DN_OK;
}

static dn_rc planted_finish(dn_world *w, dn_results *r)
{
	return testfn_write(w, r, planted_outs);
}

static dn_rc planted_estimate(const dn_scenario *s, dn_estimate *e)
{
	return testfn_estimate(&dn_model_planted, s, e);
}

static void planted_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	(void)s;
	testfn_names(planted_outs, emit, ctx);
}

const dn_model dn_model_planted = {
	.name = "planted",
	.doc = "quadratic bowl with a planted optimum, for testing target searches (no events)",
	.params = planted_params,
	.n_params = sizeof planted_params / sizeof planted_params[0],
	.world_state_size = sizeof(testfn_world),
	.init = planted_init,
	.finish = planted_finish,
	.estimate = planted_estimate,
	.names = planted_names,
};
