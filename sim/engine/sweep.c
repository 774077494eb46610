/*
 * sweep.c: the `sweep:` block read into a design (sweep.h).
 */
#include "sweep.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "rng.h"

enum {
	SW_SAMPLES_MAX = 1000000,
	/* counter-based streams of the sweep (rng.h): entity, purpose */
	SW_ENTITY_SEED = 0x53574550u, /* "SWEP" */
	SW_PURPOSE_SEED = DN_RNG_PURPOSE_ENGINE + 17,
	SW_PURPOSE_RANDOM = DN_RNG_PURPOSE_ENGINE + 18,
	SW_PURPOSE_LHS_PERM = DN_RNG_PURPOSE_ENGINE + 19,
	SW_PURPOSE_LHS_JITTER = DN_RNG_PURPOSE_ENGINE + 20
};

typedef struct sw_param {
	const dn_param_def *def;
	char **vals;    /* grid, zip, points (one per point), categorical choices */
	size_t nvals;
	bool range;     /* sampled from [lo, hi] */
	bool log;       /* log-uniform */
	double lo, hi;
	uint32_t *perm; /* lhs: stratum of each point */
} sw_param;

struct dn_sweep {
	dn_sweep_design design;
	uint64_t seed;
	bool common;
	uint64_t n_points, replicates;
	size_t np;
	sw_param p[DN_SWEEP_PARAMS_MAX];
	double *sobol; /* n_points x np */
	uint64_t seed_max; /* sim.seed's largest value */
};

static const char *const design_names[] = {"grid", "zip", "points", "random", "lhs", "sobol"};

const char *dn_sweep_design_name(dn_sweep_design d)
{
	return (size_t)d < sizeof design_names / sizeof design_names[0] ? design_names[d] : "?";
}

/* ---- errors, collected like the loader's: one line each ---- */

typedef struct sw_ctx {
	const dn_registry *reg;
	const dn_scenario *s;
	char *err;
	size_t errlen, used;
	size_t n_errs;
	dn_rc first;
} sw_ctx;

static dn_rc sw_fail(sw_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...) DN_PRINTF(4, 5);
static dn_rc sw_fail(sw_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dn_ynode_errv(C->err, C->errlen, &C->used, "sweep", at, fmt, ap);
	va_end(ap);
	if (C->n_errs++ == 0)
		C->first = rc;
	return rc;
}

#define kind_name dn_ynode_kind_name

/* A value's text checked against its parameter, as the loader checks it. */
static dn_rc check_value(sw_ctx *C, const dn_param_def *def, const dn_ynode *v)
{
	if (v->kind != DN_YN_SCALAR)
		return sw_fail(C, DN_ETYPE, v, "%s: expected a value, got %s", def->name, kind_name(v));
	if (!v->plain && def->type != DN_PT_STRING && def->type != DN_PT_ENUM) {
		char exp[160];
		dn_param_expected(def, exp, sizeof exp);
		return sw_fail(C, DN_ETYPE, v, "%s: expected %s, got a quoted string", def->name, exp);
	}
	if (v->len >= DN_SWEEP_VALUE_MAX)
		return sw_fail(C, DN_ELIMIT, v, "%s: value longer than %d bytes", def->name,
		               DN_SWEEP_VALUE_MAX - 1);
	dn_param_value pv;
	char msg[512];
	dn_rc rc = dn_param_parse(def, v->text, v->len, &pv, msg, sizeof msg);
	if (rc)
		return sw_fail(C, rc, v, "%s: %s", def->name, msg);
	return DN_OK;
}

/* An integer key of the block in [lo, hi]. */
static dn_rc get_count(sw_ctx *C, const dn_ynode *v, const char *key, int64_t lo, int64_t hi,
                       uint64_t *out)
{
	const dn_param_def def = {.name = key, .type = DN_PT_INT, .unit = "1", .def = "1",
	                          .min = (double)lo, .max = (double)hi};
	if (check_value(C, &def, v))
		return C->first ? C->first : DN_EINVAL;
	dn_param_value pv;
	char msg[8];
	if (dn_param_parse(&def, v->text, v->len, &pv, msg, sizeof msg) == DN_OK)
		*out = (uint64_t)pv.i;
	return DN_OK;
}

static char *dup_text(const dn_ynode *v)
{
	char *t = malloc(v->len + 1);
	if (t) {
		memcpy(t, v->text, v->len);
		t[v->len] = '\0';
	}
	return t;
}

/* The parameter a key names; NULL after an error. */
static const dn_param_def *param_of(sw_ctx *C, dn_sweep *sw, const dn_ynode *key)
{
	if (key->kind != DN_YN_SCALAR) {
		sw_fail(C, DN_ETYPE, key, "expected a parameter name, got %s", kind_name(key));
		return NULL;
	}
	const dn_param_def *def = dn_registry_find(C->reg, key->text);
	if (!def) {
		char hint[DN_PARAM_NAME_MAX + 40] = "";
		if (key->len <= DN_PARAM_NAME_MAX)
			dn_scenario_suggest(C->reg, key->text, hint, sizeof hint);
		sw_fail(C, DN_EUNKNOWN, key, "unknown parameter '%.*s'%s", key->len > 100 ? 100 : (int)key->len,
		        key->text, hint);
		return NULL;
	}
	if (strcmp(def->name, "sim.seed") == 0) {
		sw_fail(C, DN_EINVAL, key,
		        "sim.seed cannot be swept: each member's seed comes from sweep.seed and "
		        "replicates");
		return NULL;
	}
	for (size_t j = 0; j < sw->np; j++)
		if (sw->p[j].def == def) {
			sw_fail(C, DN_EINVAL, key, "%s is swept twice", def->name);
			return NULL;
		}
	return def;
}

static dn_rc add_param(sw_ctx *C, dn_sweep *sw, const dn_ynode *key, sw_param **out)
{
	*out = NULL;
	if (sw->np == DN_SWEEP_PARAMS_MAX)
		return sw_fail(C, DN_ELIMIT, key, "more than %d parameters", DN_SWEEP_PARAMS_MAX);
	const dn_param_def *def = param_of(C, sw, key);
	if (!def)
		return C->first;
	sw_param *p = &sw->p[sw->np++];
	p->def = def;
	*out = p;
	return DN_OK;
}

/* A list of values (a scalar is a list of one) into p->vals. */
static dn_rc take_list(sw_ctx *C, sw_param *p, const dn_ynode *v)
{
	size_t n = v->kind == DN_YN_SEQ ? v->n : 1;
	if (v->kind == DN_YN_MAP)
		return sw_fail(C, DN_ETYPE, v, "%s: expected a list of values, got a mapping",
		               p->def->name);
	if (n == 0)
		return sw_fail(C, DN_EINVAL, v, "%s: an empty list of values", p->def->name);
	p->vals = calloc(n, sizeof *p->vals);
	if (!p->vals)
		return sw_fail(C, DN_ENOMEM, v, "out of memory");
	p->nvals = n;
	dn_rc first = DN_OK;
	for (size_t i = 0; i < n; i++) {
		const dn_ynode *x = v->kind == DN_YN_SEQ ? &v->items[i] : v;
		dn_rc rc = check_value(C, p->def, x);
		if (rc) {
			if (!first)
				first = rc;
			continue;
		}
		if (!(p->vals[i] = dup_text(x)))
			return sw_fail(C, DN_ENOMEM, x, "out of memory");
	}
	return first;
}

/* A sampled parameter: {min, max[, scale]} or a list of values. */
static dn_rc take_range(sw_ctx *C, sw_param *p, const dn_ynode *v)
{
	if (v->kind != DN_YN_MAP)
		return take_list(C, p, v);
	const dn_param_def *def = p->def;
	if (def->type != DN_PT_INT && def->type != DN_PT_FLOAT)
		return sw_fail(C, DN_ETYPE, v,
		               "%s: a range {min, max} needs a number parameter; give a list of "
		               "values to choose from",
		               def->name);
	dn_rc first = DN_OK;
	const dn_ynode *mn = NULL, *mx = NULL, *sc = NULL;
	for (size_t i = 0; i < v->n; i++) {
		const dn_ynode *k = &v->items[2 * i];
		const dn_ynode *x = &v->items[2 * i + 1];
		if (k->kind == DN_YN_SCALAR && strcmp(k->text, "min") == 0)
			mn = x;
		else if (k->kind == DN_YN_SCALAR && strcmp(k->text, "max") == 0)
			mx = x;
		else if (k->kind == DN_YN_SCALAR && strcmp(k->text, "scale") == 0)
			sc = x;
		else if (!first)
			first = sw_fail(C, DN_EUNKNOWN, k, "%s: unknown key in a range (expected min, max, scale)",
			                def->name);
	}
	if (first)
		return first;
	if (!mn || !mx)
		return sw_fail(C, DN_EINVAL, v, "%s: a range needs both min and max", def->name);
	dn_rc a = check_value(C, def, mn), b = check_value(C, def, mx);
	if (a || b)
		return a ? a : b;
	dn_param_value lo, hi;
	char msg[8];
	if (dn_param_parse(def, mn->text, mn->len, &lo, msg, sizeof msg) ||
	    dn_param_parse(def, mx->text, mx->len, &hi, msg, sizeof msg))
		return sw_fail(C, DN_EINVAL, v, "%s: bad range", def->name);
	p->lo = def->type == DN_PT_INT ? (double)lo.i : lo.f;
	p->hi = def->type == DN_PT_INT ? (double)hi.i : hi.f;
	if (!(p->lo < p->hi))
		return sw_fail(C, DN_ERANGE, mx, "%s: max (%s) must be above min (%s)", def->name,
		               mx->text, mn->text);
	if (def->type == DN_PT_INT && (fabs(p->lo) > 9007199254740992.0 || fabs(p->hi) > 9007199254740992.0))
		return sw_fail(C, DN_ERANGE, v, "%s: a sampled integer range must lie within +-2^53",
		               def->name);
	if (sc) {
		if (sc->kind == DN_YN_SCALAR && strcmp(sc->text, "log") == 0)
			p->log = true;
		else if (!(sc->kind == DN_YN_SCALAR && strcmp(sc->text, "linear") == 0))
			return sw_fail(C, DN_EINVAL, sc, "%s: scale must be linear or log", def->name);
		if (p->log && !(p->lo > 0))
			return sw_fail(C, DN_ERANGE, mn, "%s: a log scale needs min > 0", def->name);
	}
	p->range = true;
	return DN_OK;
}

void dn_sweep_free(dn_sweep *sw)
{
	if (!sw)
		return;
	for (size_t j = 0; j < sw->np; j++) {
		for (size_t i = 0; i < sw->p[j].nvals; i++)
			free(sw->p[j].vals[i]);
		free(sw->p[j].vals);
		free(sw->p[j].perm);
	}
	free(sw->sobol);
	free(sw);
}

static int design_of(const char *t)
{
	for (size_t d = 0; d < sizeof design_names / sizeof design_names[0]; d++)
		if (strcmp(t, design_names[d]) == 0)
			return (int)d;
	return -1;
}

/* The `points:` design: every point names the same parameters. */
static dn_rc take_points(sw_ctx *C, dn_sweep *sw, const dn_ynode *pts)
{
	if (pts->kind != DN_YN_SEQ || pts->n == 0)
		return sw_fail(C, DN_ETYPE, pts, "points: expected a non-empty list of mappings");
	const dn_ynode *p0 = &pts->items[0];
	if (p0->kind != DN_YN_MAP || p0->n == 0)
		return sw_fail(C, DN_ETYPE, p0, "points: each point is a mapping of parameter: value");
	for (size_t i = 0; i < p0->n; i++) {
		sw_param *p;
		dn_rc rc = add_param(C, sw, &p0->items[2 * i], &p);
		if (rc)
			return rc;
		if (!(p->vals = calloc(pts->n, sizeof *p->vals)))
			return sw_fail(C, DN_ENOMEM, pts, "out of memory");
		p->nvals = pts->n;
	}
	dn_rc first = DN_OK;
	for (size_t k = 0; k < pts->n; k++) {
		const dn_ynode *pt = &pts->items[k];
		if (pt->kind != DN_YN_MAP) {
			dn_rc rc = sw_fail(C, DN_ETYPE, pt, "points: each point is a mapping of parameter: value");
			first = first ? first : rc;
			continue;
		}
		for (size_t j = 0; j < sw->np; j++) {
			const dn_ynode *v = dn_ynode_get(pt, sw->p[j].def->name);
			if (!v) {
				dn_rc rc = sw_fail(C, DN_EINVAL, pt, "point %zu does not give %s (every point names the same parameters)",
				                   k + 1, sw->p[j].def->name);
				first = first ? first : rc;
				continue;
			}
			dn_rc rc = check_value(C, sw->p[j].def, v);
			if (rc) {
				first = first ? first : rc;
				continue;
			}
			if (!(sw->p[j].vals[k] = dup_text(v)))
				return sw_fail(C, DN_ENOMEM, v, "out of memory");
		}
		if (pt->n != sw->np) {
			for (size_t i = 0; i < pt->n; i++) {
				const dn_ynode *key = &pt->items[2 * i];
				bool known = false;
				for (size_t j = 0; j < sw->np; j++)
					known |= key->kind == DN_YN_SCALAR && strcmp(key->text, sw->p[j].def->name) == 0;
				if (!known) {
					dn_rc rc = sw_fail(C, DN_EINVAL, key,
					                   "point %zu gives a parameter the first point does not (every "
					                   "point names the same parameters)",
					                   k + 1);
					first = first ? first : rc;
				}
			}
		}
	}
	sw->n_points = pts->n;
	return first;
}

/* Latin hypercube strata: a uniform random permutation per parameter. */
static dn_rc make_lhs(dn_sweep *sw)
{
	for (size_t j = 0; j < sw->np; j++) {
		uint32_t *perm = malloc(sw->n_points * sizeof *perm);
		if (!perm)
			return DN_ENOMEM;
		for (uint64_t i = 0; i < sw->n_points; i++)
			perm[i] = (uint32_t)i;
		for (uint64_t i = sw->n_points; i > 1; i--) { /* Fisher-Yates */
			uint32_t r[4];
			dn_rng_block(sw->seed, (uint32_t)j, SW_PURPOSE_LHS_PERM, i, r);
			uint64_t k = dn_bounded32(r[0], (uint32_t)i);
			uint32_t t = perm[i - 1];
			perm[i - 1] = perm[k];
			perm[k] = t;
		}
		sw->p[j].perm = perm;
	}
	return DN_OK;
}

static dn_rc make_sobol(dn_sweep *sw)
{
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)sw->np);
	sw->sobol = malloc(sw->n_points * sw->np * sizeof *sw->sobol);
	if (!q || !sw->sobol) {
		if (q)
			gsl_qrng_free(q);
		return DN_ENOMEM;
	}
	for (uint64_t i = 0; i < sw->n_points; i++)
		gsl_qrng_get(q, sw->sobol + i * sw->np);
	gsl_qrng_free(q);
	return DN_OK;
}

static dn_rc parse(sw_ctx *C, const dn_ynode *b, dn_sweep *sw)
{
	static const char *const keys[] = {"design", "replicates", "seed", "seeds",
	                                   "parameters", "points", "samples"};
	if (b->kind != DN_YN_MAP)
		return sw_fail(C, DN_ETYPE, b, "expected a mapping (design, parameters, replicates, ...), got %s",
		               kind_name(b));
	dn_rc first = DN_OK;
	for (size_t i = 0; i < b->n; i++) {
		const dn_ynode *k = &b->items[2 * i];
		bool ok = false;
		for (size_t x = 0; x < sizeof keys / sizeof keys[0]; x++)
			ok |= k->kind == DN_YN_SCALAR && strcmp(k->text, keys[x]) == 0;
		for (size_t x = 0; ok && x < i; x++)
			if (b->items[2 * x].kind == DN_YN_SCALAR && strcmp(b->items[2 * x].text, k->text) == 0) {
				dn_rc rc = sw_fail(C, DN_EINVAL, k, "duplicate key '%s'", k->text);
				first = first ? first : rc;
			}
		if (!ok) {
			dn_rc rc = sw_fail(C, DN_EUNKNOWN, k,
			                   "unknown key%s%.*s%s (expected design, parameters, points, samples, "
			                   "replicates, seed, seeds)",
			                   k->kind == DN_YN_SCALAR ? " '" : "",
			                   k->kind == DN_YN_SCALAR ? (int)(k->len > 64 ? 64 : k->len) : 0,
			                   k->kind == DN_YN_SCALAR ? k->text : "",
			                   k->kind == DN_YN_SCALAR ? "'" : "");
			first = first ? first : rc;
		}
	}
	if (first)
		return first;
	const dn_ynode *dz = dn_ynode_get(b, "design"), *rep = dn_ynode_get(b, "replicates"),
	               *sd = dn_ynode_get(b, "seed"), *sds = dn_ynode_get(b, "seeds"),
	               *par = dn_ynode_get(b, "parameters"), *pts = dn_ynode_get(b, "points"),
	               *smp = dn_ynode_get(b, "samples");
	sw->design = pts && !dz ? DN_SWEEP_POINTS : DN_SWEEP_GRID;
	if (dz) {
		int d = dz->kind == DN_YN_SCALAR ? design_of(dz->text) : -1;
		if (d < 0)
			return sw_fail(C, DN_EINVAL, dz, "design: expected one of grid, zip, points, random, lhs, sobol");
		sw->design = (dn_sweep_design)d;
	}
	sw->replicates = 1;
	if (rep && get_count(C, rep, "replicates", 1, DN_SWEEP_REPLICATES_MAX, &sw->replicates))
		return C->first;
	sw->seed = (uint64_t)dn_scn_int(C->s, "sim.seed");
	if (sd && get_count(C, sd, "seed", 0, INT64_MAX, &sw->seed))
		return C->first;
	if (sds) {
		if (sds->kind == DN_YN_SCALAR && strcmp(sds->text, "common") == 0)
			sw->common = true;
		else if (!(sds->kind == DN_YN_SCALAR && strcmp(sds->text, "member") == 0))
			return sw_fail(C, DN_EINVAL, sds, "seeds: expected member or common");
	}
	bool sampled = sw->design >= DN_SWEEP_RANDOM;
	if (sw->design == DN_SWEEP_POINTS) {
		if (par)
			return sw_fail(C, DN_EINVAL, par, "parameters: the points design names its parameters in points:");
		if (smp)
			return sw_fail(C, DN_EINVAL, smp, "samples: only for the random, lhs and sobol designs");
		if (!pts)
			return sw_fail(C, DN_EINVAL, b, "design points needs a points: list");
		dn_rc rc = take_points(C, sw, pts);
		if (rc)
			return rc;
	} else {
		if (pts)
			return sw_fail(C, DN_EINVAL, pts, "points: only for design points");
		if (!par && !dz && !smp) {
			/* replicates alone: an ensemble of the base scenario, one point */
			sw->n_points = 1;
		} else if (!par)
			return sw_fail(C, DN_EINVAL, b, "design %s needs a parameters: mapping",
			               design_names[sw->design]);
		else if (par->kind != DN_YN_MAP || par->n == 0)
			return sw_fail(C, DN_ETYPE, par, "parameters: expected a mapping of parameter: %s",
			               sampled ? "range or list" : "list of values");
		if (sampled && !smp)
			return sw_fail(C, DN_EINVAL, b, "design %s needs samples: N", design_names[sw->design]);
		if (!sampled && smp)
			return sw_fail(C, DN_EINVAL, smp, "samples: only for the random, lhs and sobol designs");
		if (smp && get_count(C, smp, "samples", 1, SW_SAMPLES_MAX, &sw->n_points))
			return C->first;
		for (size_t i = 0; par && i < par->n; i++) {
			sw_param *p;
			dn_rc rc = add_param(C, sw, &par->items[2 * i], &p);
			if (!rc)
				rc = sampled ? take_range(C, p, &par->items[2 * i + 1])
				             : take_list(C, p, &par->items[2 * i + 1]);
			first = first ? first : rc;
			if (rc == DN_ENOMEM || rc == DN_ELIMIT)
				return rc;
		}
		if (first)
			return first;
		if (sw->design == DN_SWEEP_GRID) {
			sw->n_points = 1;
			for (size_t j = 0; j < sw->np; j++) {
				if (sw->p[j].nvals > DN_SWEEP_MEMBERS_MAX / sw->n_points)
					return sw_fail(C, DN_ELIMIT, par, "the grid has more than %" PRIu64 " points",
					               DN_SWEEP_MEMBERS_MAX);
				sw->n_points *= sw->p[j].nvals;
			}
		} else if (sw->design == DN_SWEEP_ZIP) {
			sw->n_points = sw->p[0].nvals;
			for (size_t j = 1; j < sw->np; j++)
				if (sw->p[j].nvals != sw->n_points) {
					const dn_ynode *v = &par->items[2 * j + 1];
					return sw_fail(C, DN_EINVAL, v,
					               "zip: %s has %zu values but %s has %" PRIu64
					               " (zip advances the lists together)",
					               sw->p[j].def->name, sw->p[j].nvals, sw->p[0].def->name, sw->n_points);
				}
		} else if (sw->design == DN_SWEEP_SOBOL && sw->np > DN_SWEEP_SOBOL_DIM_MAX) {
			return sw_fail(C, DN_ELIMIT, par, "sobol: at most %d parameters (GSL's Sobol sequence)",
			               DN_SWEEP_SOBOL_DIM_MAX);
		}
	}
	if (sw->n_points > DN_SWEEP_MEMBERS_MAX / sw->replicates)
		return sw_fail(C, DN_ELIMIT, b, "more than %" PRIu64 " members (points x replicates)",
		               DN_SWEEP_MEMBERS_MAX);
	dn_rc rc = DN_OK;
	if (sw->design == DN_SWEEP_LHS)
		rc = make_lhs(sw);
	else if (sw->design == DN_SWEEP_SOBOL)
		rc = make_sobol(sw);
	if (rc)
		return sw_fail(C, rc, b, "out of memory");
	return DN_OK;
}

/* sim.seed's largest value: members' seeds lie within its range. */
static uint64_t seed_max_of(const dn_registry *reg)
{
	const dn_param_def *sd = dn_registry_find(reg, "sim.seed");
	return sd && sd->max >= 0 && sd->max < 9223372036854775807.0 ? (uint64_t)sd->max : (uint64_t)INT64_MAX;
}

dn_rc dn_sweep_from_scenario(const dn_registry *reg, const dn_scenario *s, dn_sweep **out,
                             char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	const dn_ynode *b = dn_scenario_block(s, "sweep");
	if (!b)
		return DN_OK;
	dn_sweep *sw = calloc(1, sizeof *sw);
	if (!sw)
		return DN_ENOMEM;
	sw_ctx C = {.reg = reg, .s = s, .err = err, .errlen = errlen};
	sw->seed_max = seed_max_of(reg);
	dn_rc rc = parse(&C, b, sw);
	if (rc || C.n_errs) {
		if (C.n_errs > 1 && err && errlen) {
			/* the count, when lines were left out */
			size_t shown = 1;
			for (const char *q = err; (q = strchr(q, '\n')); q++)
				shown++;
			if (shown < C.n_errs) {
				char tail[64];
				int w = snprintf(tail, sizeof tail, "\n... and %zu more errors", C.n_errs - shown);
				if (w > 0 && C.used + (size_t)w < errlen)
					memcpy(err + C.used, tail, (size_t)w + 1);
			}
		}
		dn_sweep_free(sw);
		return C.n_errs ? C.first : rc;
	}
	*out = sw;
	return DN_OK;
}

dn_rc dn_sweep_ensemble(const dn_registry *reg, uint64_t replicates, uint64_t seed, dn_sweep **out)
{
	*out = NULL;
	if (replicates < 1 || replicates > DN_SWEEP_REPLICATES_MAX || seed > (uint64_t)INT64_MAX)
		return DN_ERANGE;
	dn_sweep *sw = calloc(1, sizeof *sw);
	if (!sw)
		return DN_ENOMEM;
	sw->seed_max = seed_max_of(reg);
	sw->design = DN_SWEEP_GRID;
	sw->n_points = 1;
	sw->replicates = replicates;
	sw->seed = seed;
	*out = sw;
	return DN_OK;
}

dn_sweep_design dn_sweep_get_design(const dn_sweep *sw) { return sw->design; }
uint64_t dn_sweep_seed(const dn_sweep *sw) { return sw->seed; }
bool dn_sweep_common_seeds(const dn_sweep *sw) { return sw->common; }
uint64_t dn_sweep_n_points(const dn_sweep *sw) { return sw->n_points; }
uint64_t dn_sweep_replicates(const dn_sweep *sw) { return sw->replicates; }
uint64_t dn_sweep_n_members(const dn_sweep *sw) { return sw->n_points * sw->replicates; }
size_t dn_sweep_n_params(const dn_sweep *sw) { return sw->np; }

const dn_param_def *dn_sweep_param(const dn_sweep *sw, size_t j)
{
	return j < sw->np ? sw->p[j].def : NULL;
}

void dn_sweep_unit_point(const dn_sweep *sw, uint64_t p, double *u)
{
	for (size_t j = 0; j < sw->np; j++) {
		uint32_t r[4];
		switch (sw->design) {
		case DN_SWEEP_RANDOM:
			dn_rng_block(sw->seed, (uint32_t)j, SW_PURPOSE_RANDOM, p, r);
			u[j] = dn_u01(r[0], r[1]);
			break;
		case DN_SWEEP_LHS:
			dn_rng_block(sw->seed, (uint32_t)j, SW_PURPOSE_LHS_JITTER, p, r);
			u[j] = ((double)sw->p[j].perm[p] + dn_u01(r[0], r[1])) / (double)sw->n_points;
			if (u[j] >= 1.0)
				u[j] = nextafter(1.0, 0.0);
			break;
		case DN_SWEEP_SOBOL:
			u[j] = sw->sobol[p * sw->np + j];
			break;
		default:
			u[j] = NAN;
		}
	}
}

void dn_sweep_value(const dn_sweep *sw, uint64_t point, size_t j, char *buf, size_t buflen)
{
	assert(point < sw->n_points && j < sw->np);
	const sw_param *p = &sw->p[j];
	uint64_t idx = point;
	switch (sw->design) {
	case DN_SWEEP_GRID:
		/* the first parameter varies slowest */
		for (size_t k = sw->np; k-- > j + 1;)
			idx /= sw->p[k].nvals;
		idx %= p->nvals;
		(void)snprintf(buf, buflen, "%s", p->vals[idx]);
		return;
	case DN_SWEEP_ZIP:
	case DN_SWEEP_POINTS:
		(void)snprintf(buf, buflen, "%s", p->vals[point]);
		return;
	default:
		break;
	}
	double u[DN_SWEEP_PARAMS_MAX];
	dn_sweep_unit_point(sw, point, u);
	if (!p->range) {
		size_t k = (size_t)(u[j] * (double)p->nvals);
		(void)snprintf(buf, buflen, "%s", p->vals[k < p->nvals ? k : p->nvals - 1]);
		return;
	}
	if (p->def->type == DN_PT_INT) {
		double x;
		if (p->log)
			x = floor(exp(log(p->lo) + u[j] * (log(p->hi + 1) - log(p->lo))));
		else
			x = p->lo + floor(u[j] * (p->hi - p->lo + 1));
		if (x > p->hi)
			x = p->hi;
		if (x < p->lo)
			x = p->lo;
		(void)snprintf(buf, buflen, "%" PRId64, (int64_t)x);
		return;
	}
	double x = p->log ? exp(log(p->lo) + u[j] * (log(p->hi) - log(p->lo)))
	                  : p->lo + u[j] * (p->hi - p->lo);
	if (x > p->hi)
		x = p->hi;
	if (x < p->lo)
		x = p->lo;
	dn_param_format_float(x, buf, buflen);
}

uint64_t dn_sweep_member_seed(const dn_sweep *sw, uint64_t m)
{
	uint32_t r[4];
	uint64_t idx = sw->common ? m % sw->replicates : m;
	dn_rng_block(sw->seed, SW_ENTITY_SEED, SW_PURPOSE_SEED, idx, r);
	uint64_t x = ((uint64_t)r[0] << 32 | r[1]) & (uint64_t)INT64_MAX;
	return x <= sw->seed_max ? x : x % (sw->seed_max + 1); /* within sim.seed's range */
}

dn_rc dn_sweep_member_overrides(const dn_sweep *sw, uint64_t m, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	char **v = calloc(sw->np + 1, sizeof *v);
	if (!v)
		return DN_ENOMEM;
	uint64_t point = m / sw->replicates;
	char val[DN_SWEEP_VALUE_MAX];
	for (size_t j = 0; j <= sw->np; j++) {
		const char *name = j < sw->np ? sw->p[j].def->name : "sim.seed";
		if (j < sw->np)
			dn_sweep_value(sw, point, j, val, sizeof val);
		else
			(void)snprintf(val, sizeof val, "%" PRIu64, dn_sweep_member_seed(sw, m));
		size_t len = strlen(name) + 1 + strlen(val) + 1;
		if (!(v[j] = malloc(len))) {
			for (size_t k = 0; k < j; k++)
				free(v[k]);
			free(v);
			return DN_ENOMEM;
		}
		(void)snprintf(v[j], len, "%s=%s", name, val);
	}
	*out = v;
	*n = sw->np + 1;
	return DN_OK;
}
