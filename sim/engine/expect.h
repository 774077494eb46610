/*
 * expect.h: expectations on a run's metrics, read from a scenario's
 * `expect:` block (docs/regression.md is the reference), and how one is
 * judged over the runs of an ensemble.
 *
 * An expectation names a series or summary scalar, what to take of it in
 * one run (the summary's value; a series' final value, its value at a
 * time, its min, max or mean over a window, or the time it first crosses
 * a level) and a bound (< <= > >= ==, between A and B, within P % of a
 * value or of the blessed baseline). It is judged either on every run
 * (`judge: each`: deterministic checks, the default for == and for one
 * seed) or on the ensemble's mean with a confidence interval (`judge:
 * mean`): it fails only when the whole interval lies outside the bound.
 *
 * Every key, name and bound is checked when the block is read; a mistake
 * is an error naming FILE:LINE:COLUMN and nothing is returned.
 */
#ifndef DN_EXPECT_H
#define DN_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"
#include "params.h"
#include "results.h"
#include "scenario.h"
#include "sweepfile.h"

typedef enum dn_expect_take {
	DN_TAKE_FINAL,  /* a series' last value; a summary's value */
	DN_TAKE_AT,     /* a series' value at the last row at or before at_s */
	DN_TAKE_MIN,    /* over the window [from_s, to_s] */
	DN_TAKE_MAX,
	DN_TAKE_MEAN,   /* mean of the rows in the window */
	DN_TAKE_CROSS   /* seconds of the first row in the window at or past level (+inf: never) */
} dn_expect_take;

typedef enum dn_expect_op {
	DN_OP_LT, DN_OP_LE, DN_OP_GT, DN_OP_GE, DN_OP_EQ, DN_OP_BETWEEN, DN_OP_WITHIN
} dn_expect_op;

/* A number as written: exact when it is an integer literal. */
typedef struct dn_xnum {
	double d;
	int64_t i;
	bool is_int;
} dn_xnum;

typedef struct dn_expectation {
	char label[320];       /* name: as given, else "<metric> <take> <bound>" */
	char metric[128];
	bool series;           /* a series (else a summary scalar) */
	bool checked;          /* the name was found in the model's list */
	dn_expect_take take;
	double at_s, from_s, to_s, level; /* from_s, to_s: -inf, +inf when not given */
	bool up;               /* crossing: from below (level >= the first value) */
	dn_expect_op op;
	dn_xnum a, b;          /* the bound(s); within: a = percent, b = the value */
	bool baseline;         /* within P %: of the blessed baseline */
	bool mean;             /* judged on the ensemble's mean */
	char rule[32];         /* rule id given (rule:), else "" */
	char bound_text[96];   /* the bound as written */
	const char *file;      /* where it stands */
	int line, col;
} dn_expectation;

typedef struct dn_expect {
	dn_expectation *x;
	size_t n;
	uint64_t seeds;        /* runs in the ensemble (1: one seed) */
	double confidence;     /* of the ensemble's intervals, for all mean checks together */
	bool golden;           /* keep a golden of the run (default true) */
	char **sets;           /* "name=value": the check's overrides of the scenario */
	size_t n_sets;
} dn_expect;

/* The model's list of names: 0 unknown (hint: "; did you mean 'x'?" or
 * ""), 1 a series, 2 a summary scalar,
 * 3 both (take: final reads the summary, the run's own value; every other
 * take the series). NULL: names are checked after the run. */
typedef int (*dn_expect_lookup_fn)(void *ctx, const char *name, char *hint, size_t hintlen);

/*
 * Reads the `expect:` block of s. *out is NULL and DN_OK when the
 * scenario has none. block_s is the model's block interval in seconds (0:
 * it has none; at_block is then an error). seeds > 0 replaces the block's
 * seeds: (the command line's --seeds). On an error *out is NULL and
 * err holds the errors, one per line, each "FILE:LINE:COLUMN: expect: what
 * is wrong".
 */
DN_WUR dn_rc dn_expect_from_scenario(const dn_registry *reg, const dn_scenario *s, double block_s,
                                     uint64_t seeds, dn_expect_lookup_fn lookup, void *ctx, dn_expect **out,
                                     char *err, size_t errlen);
void dn_expect_free(dn_expect *e);

/*
 * One metric mapping (metric, take, at_s, ..., bound, name) read on its
 * own, as `tune:` reads its outputs and goals: need_bound false makes the
 * bound optional (without one, x->op is >= -inf and the label names the
 * metric and take). extra: one more key the caller reads itself, or NULL.
 * Errors are appended to err (at *used, updated; used may be NULL) as
 * "FILE:LINE:COLUMN: <block>: ...". DN_OK when x is complete.
 */
DN_WUR dn_rc dn_expect_read_metric(const dn_ynode *m, double block_s, bool need_bound, const char *extra,
                                   const char *block, dn_expect_lookup_fn lookup, void *ctx, dn_expectation *x,
                                   char *err, size_t errlen, size_t *used);

/*
 * A block's `set:` mapping (parameter: value) read into *sets ("name=value"
 * strings, malloc'd, *n_sets of them; the caller frees them and the
 * array): every name and value checked. seed_owner ends the message for
 * sim.seed ("the check's ..."). Errors are appended to err at *used as
 * "FILE:LINE:COLUMN: <block>: set: ...", counted in *n_errs (the first's
 * code in *first). DN_ENOMEM when out of memory, else DN_OK.
 */
DN_WUR dn_rc dn_block_read_sets(const dn_registry *reg, const dn_ynode *v, const char *block, const char *seed_owner,
                                char ***sets, size_t *n_sets, char *err, size_t errlen, size_t *used,
                                unsigned *n_errs, dn_rc *first);

/* Whether any expectation needs a blessed baseline. */
bool dn_expect_needs_baseline(const dn_expect *e);

/*
 * What x takes of one run's series (rows t_ns[i], values v[i], iv[i] when
 * the series is integer, else iv NULL). *out; false and why when the
 * series gives nothing (no rows, no row in the window).
 */
bool dn_expect_take_series(const dn_expectation *x, const int64_t *t_ns, const double *v, const int64_t *iv,
                           size_t n, dn_xnum *out, char *why, size_t whylen);

/*
 * What x takes of one run, given its series and summaries (as
 * dn_results_read_series and dn_results_read_summaries give them):
 * DN_TAKE_OK and *v; DN_TAKE_NONE when the run has no value (a series
 * without a row in the window; for a mean, a summary's -1 "none" marker);
 * DN_TAKE_ERR when it cannot be taken (no such metric). why says why;
 * *desc the metric's description.
 */
enum { DN_TAKE_ERR = -1, DN_TAKE_NONE = 0, DN_TAKE_OK = 1 };
int dn_expect_take_run(const dn_expectation *x, const dn_series_data *series, size_t n_series,
                       const dn_summary_val *sum, size_t n_sum, dn_xnum *v, const char **desc, char *why,
                       size_t whylen);

/* One expectation's verdict. */
typedef struct dn_expect_verdict {
	bool pass;
	dn_xnum observed;      /* each: the run that failed (or the first); mean: the mean */
	double lo, hi;         /* mean: the interval (NaN for each) */
	size_t n, n_fail;      /* runs judged, runs outside the bound (each) */
	size_t failed_run;     /* each: the first failing run */
	char why[256];         /* the reason of a failure, or a note */
} dn_expect_verdict;

/* Whether v satisfies x's bound (baseline: the blessed value, NaN when none). */
bool dn_expect_holds(const dn_expectation *x, dn_xnum v, double baseline);

/*
 * Judges x over the n runs' values. level: the confidence of this
 * check's interval (the caller shares the block's confidence among its
 * mean checks). baseline: the blessed value for within-of-baseline.
 */
void dn_expect_judge(const dn_expectation *x, const dn_xnum *vals, size_t n, double level, double baseline,
                     dn_expect_verdict *out);

/* The bound's interval [lo, hi] (one side infinite) for x. */
void dn_expect_bound_range(const dn_expectation *x, double baseline, double *lo, double *hi);

/* "1234", "0.5", "inf": a value as check prints it. buf of 40 bytes. */
void dn_xnum_format(dn_xnum v, char *buf, size_t len);

const char *dn_expect_take_name(dn_expect_take t);

#endif
