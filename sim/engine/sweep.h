/*
 * sweep.h: sweep designs, read from a scenario's `sweep:` block
 * (docs/sweeps.md is the reference).
 *
 * A sweep is a list of points, each a value for every swept parameter,
 * times `replicates` Monte Carlo seeds per point. Member m is point
 * m / replicates, replicate m % replicates; its scenario is the base
 * scenario with "name=value" overrides for the point's values and
 * "sim.seed=S". The designs:
 *   grid     the cross product of one list per parameter (the first
 *            parameter varies slowest, as nested loops written in order)
 *   zip      lists of equal length advanced together
 *   points   an explicit list of mappings, each naming every parameter
 *   random   `samples` points uniform over each range
 *   lhs      Latin hypercube: each range cut into `samples` strata, each
 *            stratum used exactly once per parameter
 *   sobol    the first `samples` points of GSL's Sobol sequence
 *            (gsl_qrng_sobol, at most 40 parameters)
 * Sampled designs take a range {min, max} (scale: log for a log-uniform
 * range of positive values) for integer and float parameters, or a list
 * of values to choose from for any type.
 *
 * Seeds: a member's seed is a pure function of (the sweep's seed, the
 * member's index) (`seeds: member`, the default), or of (the sweep's
 * seed, the replicate's index) (`seeds: common`: every point's replicate
 * r draws the same random numbers, common random numbers for comparing
 * points). Sampled designs draw from the sweep's seed with counter-based
 * streams, so a point never depends on the order members run in.
 *
 * Everything is checked when the sweep is read: a key, design, parameter
 * name or value that is wrong is an error naming FILE:LINE:COLUMN, and
 * nothing is returned. A value is checked against its parameter's type
 * and range like a scenario value; sim.seed cannot be swept (the sweep
 * sets it).
 */
#ifndef DN_SWEEP_H
#define DN_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"
#include "params.h"
#include "scenario.h"

typedef enum dn_sweep_design {
	DN_SWEEP_GRID,
	DN_SWEEP_ZIP,
	DN_SWEEP_POINTS,
	DN_SWEEP_RANDOM,
	DN_SWEEP_LHS,
	DN_SWEEP_SOBOL
} dn_sweep_design;

enum {
	DN_SWEEP_PARAMS_MAX = 64,         /* swept parameters */
	DN_SWEEP_SOBOL_DIM_MAX = 40,      /* gsl_qrng_sobol's limit */
	DN_SWEEP_REPLICATES_MAX = 1000000,
	DN_SWEEP_VALUE_MAX = 4096         /* bytes of one value's text */
};
#define DN_SWEEP_MEMBERS_MAX UINT64_C(100000000)

typedef struct dn_sweep dn_sweep;

/*
 * Reads the `sweep:` block of s. *out is NULL and DN_OK when the scenario
 * has none. On an error *out is NULL and err holds the errors, one per
 * line, each "FILE:LINE:COLUMN: what is wrong".
 */
DN_WUR dn_rc dn_sweep_from_scenario(const dn_registry *reg, const dn_scenario *s,
                                    dn_sweep **out, char *err, size_t errlen);
void dn_sweep_free(dn_sweep *sw);

/* An ensemble: `replicates` seeds of the base scenario (one point, no
 * parameter), seeds drawn from `seed` as a sweep's. DN_ERANGE for 0 or
 * too many replicates. */
DN_WUR dn_rc dn_sweep_ensemble(const dn_registry *reg, uint64_t replicates, uint64_t seed, dn_sweep **out);

dn_sweep_design dn_sweep_get_design(const dn_sweep *sw);
const char *dn_sweep_design_name(dn_sweep_design d);
uint64_t dn_sweep_seed(const dn_sweep *sw);
bool dn_sweep_common_seeds(const dn_sweep *sw);
uint64_t dn_sweep_n_points(const dn_sweep *sw);
uint64_t dn_sweep_replicates(const dn_sweep *sw);
uint64_t dn_sweep_n_members(const dn_sweep *sw);
size_t dn_sweep_n_params(const dn_sweep *sw);
const dn_param_def *dn_sweep_param(const dn_sweep *sw, size_t j);

/* The text of parameter j's value at `point` ("0.5", "ed25519"), as a
 * --set override would give it; buf of DN_SWEEP_VALUE_MAX bytes. */
void dn_sweep_value(const dn_sweep *sw, uint64_t point, size_t j, char *buf, size_t buflen);
/* The seed of member m (m < n_members). */
uint64_t dn_sweep_member_seed(const dn_sweep *sw, uint64_t m);

/* The overrides of member m: n_params "name=value" strings then
 * "sim.seed=S", malloc'd into *out (free each and the array); *n their
 * count. DN_ENOMEM when out of memory. */
DN_WUR dn_rc dn_sweep_member_overrides(const dn_sweep *sw, uint64_t m, char ***out, size_t *n);

/* The design's point p in [0,1)^d (tests): u[j] for every parameter. */
void dn_sweep_unit_point(const dn_sweep *sw, uint64_t p, double *u);

#endif
