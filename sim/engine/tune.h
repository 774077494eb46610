/*
 * tune.h: which parameters matter and which settings reach a target, read
 * from a scenario's `tune:` block (docs/tuning.md is the reference).
 *
 * Three kinds:
 *   screen       Morris elementary effects: r trajectories through a grid
 *                of `levels` levels per parameter, each moving one
 *                parameter at a time; mu*, mu and sigma per parameter and
 *                output, mu* with a bootstrap interval.
 *   sensitivity  Sobol first-order and total indices from a Saltelli
 *                design (A, B and the k matrices AB_i, second order adds
 *                BA_i) over GSL's Sobol sequence; Saltelli's (2010)
 *                first-order and Jansen's total estimator, bootstrap
 *                intervals; N doubles until every total index's interval
 *                is narrow enough or the run budget is spent.
 *   target       goals (bounds on metrics, as `expect:` writes them) and
 *                an optional objective, searched with GSL's Nelder-Mead
 *                simplex on the ensemble mean under common random numbers.
 *
 * Everything here is model-blind and runs nothing: the designs are points
 * in the unit cube [0,1]^k, mapped to each parameter's range (linear or
 * log), and the estimators take the outputs as numbers (NaN: a failed
 * run). The program (sim/cli/tune.c) runs the points as sweep members.
 * Every key, name and range is checked when the block is read; a mistake
 * is an error naming FILE:LINE:COLUMN and nothing is returned.
 */
#ifndef DN_TUNE_H
#define DN_TUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"
#include "expect.h"
#include "params.h"
#include "scenario.h"

typedef enum dn_tune_kind { DN_TUNE_SCREEN, DN_TUNE_SENSITIVITY, DN_TUNE_TARGET } dn_tune_kind;

enum {
	DN_TUNE_PARAMS_MAX = 20,   /* a Saltelli design draws 2k dimensions of gsl_qrng_sobol (at most 40) */
	DN_TUNE_OUTPUTS_MAX = 32
};

typedef struct dn_tune_param {
	const dn_param_def *def;
	double lo, hi;  /* the range searched (the registered one when not given) */
	bool log;       /* log-uniform (lo > 0) */
	bool integer;   /* values are rounded to whole numbers */
} dn_tune_param;

typedef struct dn_tune {
	dn_tune_kind kind;
	uint64_t seed;          /* of the design, the bootstrap and the members' seeds */
	uint64_t replicates;    /* runs per point */
	bool common;            /* every point's replicate r uses the same seed (default) */
	double confidence;      /* of every interval (0.95) */
	uint64_t bootstrap;     /* resamples (1000) */
	uint64_t budget;        /* member runs at most (0: no limit) */
	char **sets;            /* "name=value" overrides of every member */
	size_t n_sets;
	dn_tune_param p[DN_TUNE_PARAMS_MAX];
	size_t k;
	/* screen and sensitivity: the outputs; target: the goals (with bounds) */
	dn_expectation out[DN_TUNE_OUTPUTS_MAX];
	size_t n_out;
	/* screen */
	uint64_t trajectories, levels;
	/* sensitivity */
	uint64_t samples, max_samples;
	double halfwidth;       /* stop when every total index's interval half-width is below */
	bool second_order;
	/* target */
	bool has_objective, maximize;
	dn_expectation objective;
	uint64_t max_candidates;
	double tolerance;       /* the simplex's size in the unit cube at which it stops */
	double start[DN_TUNE_PARAMS_MAX]; /* unit coordinates of the first candidate (0.5) */
	const char *file;       /* where the block stands */
	int line, col;
} dn_tune;

/*
 * Reads the `tune:` block of s. *out is NULL and DN_OK when the scenario
 * has none. block_s: the model's block interval (0: none). lookup checks
 * metric names (NULL: checked after the runs). Errors, one per line, are
 * "FILE:LINE:COLUMN: tune: what is wrong".
 */
DN_WUR dn_rc dn_tune_from_scenario(const dn_registry *reg, const dn_scenario *s, double block_s,
                                   dn_expect_lookup_fn lookup, void *ctx, dn_tune **out, char *err, size_t errlen);
void dn_tune_free(dn_tune *t);
const char *dn_tune_kind_name(dn_tune_kind k);

/* Parameter j's value at unit coordinate u (clamped to [0,1]). */
double dn_tune_value(const dn_tune *t, size_t j, double u);
/* Its text as a --set override would give it ("0.25", "12"). */
void dn_tune_value_text(const dn_tune *t, size_t j, double u, char *buf, size_t len);

/* ---- designs (u: rows of k unit coordinates) ---- */

/*
 * Morris: r trajectories of k+1 points. Trajectory t's points are rows
 * t*(k+1) .. t*(k+1)+k of u; step s (1..k) moves parameter factor[t*k+s-1]
 * by delta[t*k+s-1] (+-levels/(2(levels-1))) and nothing else. levels is
 * even, >= 2. Drawn from seed with counter-based streams.
 */
void dn_tune_morris_design(size_t k, uint64_t r, uint64_t levels, uint64_t seed, double *u, uint32_t *factor,
                           double *delta);

/* Points per row of a Saltelli design: A, B, AB_1..AB_k (and BA_1..BA_k). */
size_t dn_tune_saltelli_width(size_t k, bool second);
/*
 * Saltelli rows n0 .. n1-1: row n's points are A_n, B_n, AB_1n .. AB_kn
 * (then BA_1n .. BA_kn), each k coordinates, from point n+1 of GSL's
 * 2k-dimensional Sobol sequence (its first point, all zeros, is left out):
 * A_n its first k, B_n its last k; AB_in is A_n with coordinate i of B_n.
 * Rows are independent of n0, so N can grow by adding rows. u holds
 * (n1-n0) * width * k values. DN_EINVAL for k = 0 or > DN_TUNE_PARAMS_MAX.
 */
DN_WUR dn_rc dn_tune_saltelli_design(size_t k, uint64_t n0, uint64_t n1, bool second, double *u);

/* ---- estimators (y: one value per point, NaN when it failed) ---- */

typedef struct dn_morris_index {
	double mu, mu_star, sigma;   /* of the elementary effects (output per unit of the range) */
	double mu_star_lo, mu_star_hi; /* bootstrap interval over trajectories */
	double sigma_lo, sigma_hi;     /* sigma's, from the same resamples */
	uint64_t n;                  /* effects used (trajectories whose two points ran) */
} dn_morris_index;

/* Morris's statistics per parameter (out[k]) from the design's outputs. */
void dn_tune_morris(size_t k, uint64_t r, const double *y, const uint32_t *factor, const double *delta,
                    uint64_t boot, double confidence, uint64_t seed, dn_morris_index *out);

typedef struct dn_sobol_index {
	double s1, s1_lo, s1_hi;
	double st, st_lo, st_hi;
} dn_sobol_index;

typedef struct dn_sobol_result {
	uint64_t rows, rows_used;   /* N, and the rows every point of which ran */
	double mean, var;           /* of the output over A and B */
	dn_sobol_index *idx;        /* k, caller's */
	double *s2, *s2_lo, *s2_hi; /* k*k (second order; NULL: not wanted), caller's */
} dn_sobol_result;

/*
 * Sobol indices from n rows of outputs (n * width values in design
 * order). A row with a failed point is left out whole (rows_used says how
 * many remain). DN_EINVAL when fewer than 2 rows remain or the output
 * does not vary.
 */
DN_WUR dn_rc dn_tune_sobol(size_t k, uint64_t n, bool second, const double *y, uint64_t boot, double confidence,
                           uint64_t seed, dn_sobol_result *res);

/* ---- target search ---- */

/*
 * Evaluates n candidates (unit points u[n*k]) and fills, per candidate,
 * vals[c*(n_goals+1) + g] the ensemble mean of goal g's metric and, last,
 * the objective's (NaN: not available; every NaN: the candidate failed).
 * lo/hi likewise: the interval of each mean. Returns 0, or nonzero to
 * stop the search (interrupted, out of budget).
 */
typedef int (*dn_tune_eval_fn)(void *ctx, const double *u, size_t n, double *vals, double *lo, double *hi);

typedef struct dn_tune_candidate {
	double u[DN_TUNE_PARAMS_MAX];
	double f;                   /* the search's merit: violation, then objective */
	double violation;           /* sum of squared relative shortfalls (0: every goal met) */
	double *vals, *lo, *hi;     /* n_out + 1 each (views into the result's arrays) */
	bool failed;
} dn_tune_candidate;

typedef struct dn_tune_search {
	dn_tune_candidate *c;       /* every candidate evaluated, in order */
	size_t n;
	double *store;              /* backing of vals, lo, hi */
	size_t best;                /* index of the best candidate (lowest f) */
	size_t n_failed;
	bool met;                   /* the best meets every goal */
	bool stopped;               /* the evaluator asked to stop */
	bool converged;             /* the simplex shrank below the tolerance */
	double *reach;              /* per goal: the best value any candidate reached toward it */
	size_t *reach_at;           /* the candidate that reached it */
} dn_tune_search;

/*
 * Runs the target search of t (kind target): Nelder-Mead (GSL's
 * nmsimplex2) from t->start over the unit cube, the candidate's merit
 * being the goals' squared relative shortfalls (weighted 1e3) plus the
 * objective scaled by its value at the start. Candidates outside the cube
 * are evaluated at their clamped point and charged the distance. Stops
 * when every goal is met and there is no objective, when the simplex is
 * smaller than t->tolerance (then restarts once around the best, smaller),
 * or after t->max_candidates. *res holds every candidate; free it with
 * dn_tune_search_free.
 */
DN_WUR dn_rc dn_tune_target(const dn_tune *t, dn_tune_eval_fn eval, void *ctx, dn_tune_search *res);
void dn_tune_search_free(dn_tune_search *res);

/* The relative shortfall of mean m against goal x's bound (0 when met). */
double dn_tune_shortfall(const dn_expectation *x, double m);

#endif
