/*
 * tune.c: the `tune:` block, its designs, estimators and target search
 * (tune.h; docs/tuning.md is the reference).
 */
#include "tune.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_vector.h>

#include "rng.h"

/* Streams of the tune seed: the entity says the use (a design never
 * shares draws with its bootstrap), the purpose the trajectory or
 * resample, and each starts at counter 0 (streams at neighbouring
 * counters of one purpose would overlap). */
enum { T_RNG_MORRIS = 0x7475u, T_RNG_BOOT = 0x7476u /* + 1 + j: Morris's factor j */ };

static const char *const kind_names[] = {"screen", "sensitivity", "target"};

const char *dn_tune_kind_name(dn_tune_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

/* ---- reading the block ---- */

typedef struct t_ctx {
	char *err;
	size_t errlen, used;
	unsigned n_errs;
	dn_rc first;
} t_ctx;

static dn_rc t_fail(t_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...) DN_PRINTF(4, 5);

static dn_rc t_fail(t_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dn_ynode_errv(C->err, C->errlen, &C->used, "tune", at, fmt, ap);
	va_end(ap);
	if (C->n_errs++ == 0)
		C->first = rc;
	return rc;
}

static bool t_num(t_ctx *C, const dn_ynode *v, const char *key, double *out)
{
	char *end;
	if (v->kind == DN_YN_SCALAR && v->len > 0) {
		errno = 0;
		double d = strtod(v->text, &end);
		if (*end == '\0' && errno != ERANGE && isfinite(d)) {
			*out = d;
			return true;
		}
	}
	t_fail(C, DN_ETYPE, v, "%s: expected a number%s%s%s", key, v->kind == DN_YN_SCALAR ? " (got '" : "",
	       v->kind == DN_YN_SCALAR ? v->text : "", v->kind == DN_YN_SCALAR ? "')" : "");
	return false;
}

static bool t_count(t_ctx *C, const dn_ynode *v, const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	if (v->kind == DN_YN_SCALAR && v->len > 0 && v->text[0] != '-') {
		errno = 0;
		unsigned long long n = strtoull(v->text, &end, 10);
		if (*end == '\0' && errno == 0 && n >= lo && n <= hi) {
			*out = (uint64_t)n;
			return true;
		}
	}
	t_fail(C, DN_ERANGE, v, "%s: expected a whole number from %" PRIu64 " to %" PRIu64, key, lo, hi);
	return false;
}

static bool known_key(const dn_ynode *k, const char *const *keys, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (k->kind == DN_YN_SCALAR && strcmp(k->text, keys[j]) == 0)
			return true;
	return false;
}


/* A tuned parameter's range: {min, max[, scale: log][, start: v]}. */
static void read_param(t_ctx *C, const dn_registry *reg, const dn_ynode *k, const dn_ynode *v, dn_tune *t)
{
	const dn_param_def *def = k->kind == DN_YN_SCALAR ? dn_registry_find(reg, k->text) : NULL;
	if (!def) {
		char hint[160] = "";
		if (k->kind == DN_YN_SCALAR)
			dn_scenario_suggest(reg, k->text, hint, sizeof hint);
		t_fail(C, DN_EINVAL, k, "params: unknown parameter '%s'%s", k->kind == DN_YN_SCALAR ? k->text : "?", hint);
		return;
	}
	if (def->type != DN_PT_INT && def->type != DN_PT_FLOAT) {
		t_fail(C, DN_EINVAL, k, "params: %s is not a number: only integer and float parameters have a range",
		       def->name);
		return;
	}
	if (strcmp(def->name, "sim.seed") == 0) {
		t_fail(C, DN_EINVAL, k, "params: sim.seed cannot be tuned (replicates: draws the seeds)");
		return;
	}
	for (size_t j = 0; j < t->k; j++)
		if (t->p[j].def == def) {
			t_fail(C, DN_EINVAL, k, "params: %s is given twice", def->name);
			return;
		}
	if (t->k >= DN_TUNE_PARAMS_MAX) {
		t_fail(C, DN_ELIMIT, k, "params: at most %d parameters", DN_TUNE_PARAMS_MAX);
		return;
	}
	dn_tune_param *p = &t->p[t->k];
	memset(p, 0, sizeof *p);
	p->def = def;
	p->lo = def->min;
	p->hi = def->max;
	p->integer = def->type == DN_PT_INT;
	double start = NAN;
	const dn_ynode *at = v;
	if (v->kind == DN_YN_MAP) {
		static const char *const keys[] = {"min", "max", "scale", "start"};
		unsigned before = C->n_errs;
		for (size_t i = 0; i < v->n; i++)
			if (!known_key(&v->items[2 * i], keys, 4))
				t_fail(C, DN_EINVAL, &v->items[2 * i], "params: %s: unknown key '%s' (min, max, scale, start)",
				       def->name, v->items[2 * i].kind == DN_YN_SCALAR ? v->items[2 * i].text : "?");
		const dn_ynode *mn = dn_ynode_get(v, "min"), *mx = dn_ynode_get(v, "max"), *sc = dn_ynode_get(v, "scale"),
		               *st = dn_ynode_get(v, "start");
		if ((mn && !t_num(C, mn, "min", &p->lo)) || (mx && !t_num(C, mx, "max", &p->hi)) ||
		    (st && !t_num(C, st, "start", &start)))
			return;
		if (sc) {
			if (sc->kind == DN_YN_SCALAR && strcmp(sc->text, "log") == 0)
				p->log = true;
			else if (!(sc->kind == DN_YN_SCALAR && strcmp(sc->text, "linear") == 0))
				t_fail(C, DN_EINVAL, sc, "params: %s: scale: expected linear or log", def->name);
		}
		if (C->n_errs != before)
			return;
	} else if (!(v->kind == DN_YN_SCALAR && strcmp(v->text, "registered") == 0)) {
		t_fail(C, DN_ETYPE, v, "params: %s: expected {min: A, max: B} (or registered: its whole registered range)",
		       def->name);
		return;
	}
	if (!(p->lo < p->hi)) {
		t_fail(C, DN_ERANGE, at, "params: %s: min must be below max", def->name);
		return;
	}
	if (p->lo < def->min || p->hi > def->max) {
		t_fail(C, DN_ERANGE, at, "params: %s: the range [%g, %g] leaves the parameter's own range [%g, %g]",
		       def->name, p->lo, p->hi, def->min, def->max);
		return;
	}
	if (!isfinite(p->hi - p->lo)) {
		t_fail(C, DN_ERANGE, at, "params: %s: give a finite min and max", def->name);
		return;
	}
	if (p->log && p->lo <= 0) {
		t_fail(C, DN_ERANGE, at, "params: %s: scale: log needs min > 0", def->name);
		return;
	}
	if (p->integer && floor(p->hi) - ceil(p->lo) < 1) {
		t_fail(C, DN_ERANGE, at, "params: %s: an integer range needs two whole numbers or more", def->name);
		return;
	}
	t->start[t->k] = 0.5;
	if (!isnan(start)) {
		if (start < p->lo || start > p->hi) {
			t_fail(C, DN_ERANGE, at, "params: %s: start %g is outside [%g, %g]", def->name, start, p->lo, p->hi);
			return;
		}
		t->start[t->k] = p->log ? log(start / p->lo) / log(p->hi / p->lo) : (start - p->lo) / (p->hi - p->lo);
	}
	t->k++;
}

/* "chain.*: registered": every integer and float parameter under the
 * prefix, each over its registered range (sim.seed and ranges that are
 * not finite left out). */
static bool prefix_takes(const dn_param_def *def, const char *prefix, size_t plen)
{
	return strncmp(def->name, prefix, plen) == 0 && (def->type == DN_PT_INT || def->type == DN_PT_FLOAT) &&
	       strcmp(def->name, "sim.seed") != 0 && isfinite(def->max - def->min);
}

static void read_prefix(t_ctx *C, const dn_registry *reg, const dn_ynode *k, const dn_ynode *v, dn_tune *t)
{
	if (!(v->kind == DN_YN_SCALAR && strcmp(v->text, "registered") == 0)) {
		t_fail(C, DN_ETYPE, v, "params: %s: a prefix takes 'registered' (each parameter's registered range)",
		       k->text);
		return;
	}
	size_t plen = k->len - 1, match = 0; /* "chain." */
	for (size_t i = 0; i < dn_registry_count(reg); i++)
		match += prefix_takes(dn_registry_at(reg, i), k->text, plen);
	if (match == 0) {
		t_fail(C, DN_EINVAL, k, "params: no integer or float parameter with a finite range starts with '%.*s'",
		       (int)plen, k->text);
		return;
	}
	if (t->k + match > DN_TUNE_PARAMS_MAX) {
		t_fail(C, DN_ELIMIT, k, "params: %s names %zu integer and float parameters; a tuning takes at most %d: "
		       "list the ones to tune", k->text, match, DN_TUNE_PARAMS_MAX);
		return;
	}
	for (size_t i = 0; i < dn_registry_count(reg); i++) {
		const dn_param_def *def = dn_registry_at(reg, i);
		bool dup = false;
		for (size_t j = 0; j < t->k; j++)
			dup = dup || t->p[j].def == def;
		if (!prefix_takes(def, k->text, plen) || dup)
			continue;
		dn_ynode name = *k;
		name.text = def->name;
		name.len = strlen(def->name);
		read_param(C, reg, &name, v, t);
	}
}

static void read_metrics(t_ctx *C, const dn_ynode *v, const char *key, bool need_bound, double block_s,
                         dn_expect_lookup_fn lookup, void *ctx, dn_tune *t)
{
	if (v->kind != DN_YN_SEQ || v->n == 0) {
		t_fail(C, DN_ETYPE, v, "%s: expected a list of metrics ({metric: NAME, take: ...}%s)", key,
		       need_bound ? ", each with a bound:" : "");
		return;
	}
	if (v->n > DN_TUNE_OUTPUTS_MAX) {
		t_fail(C, DN_ELIMIT, v, "%s: at most %d", key, DN_TUNE_OUTPUTS_MAX);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		dn_rc rc = dn_expect_read_metric(&v->items[i], block_s, need_bound, NULL, "tune", lookup, ctx,
		                                 &t->out[t->n_out], C->err, C->errlen, &C->used);
		if (rc) {
			if (C->n_errs++ == 0)
				C->first = rc;
			continue;
		}
		if (t->out[t->n_out].op == DN_OP_WITHIN && t->out[t->n_out].baseline) {
			t_fail(C, DN_EINVAL, &v->items[i], "%s: within P%% needs 'of B' here (a tuning has no baseline)", key);
			continue;
		}
		t->n_out++;
	}
}

static void read_objective(t_ctx *C, const dn_ynode *v, double block_s, dn_expect_lookup_fn lookup, void *ctx,
                           dn_tune *t)
{
	if (v->kind != DN_YN_MAP) {
		t_fail(C, DN_ETYPE, v, "objective: expected {metric: NAME, take: ..., direction: minimize|maximize}");
		return;
	}
	const dn_ynode *d = dn_ynode_get(v, "direction");
	if (!d || d->kind != DN_YN_SCALAR || (strcmp(d->text, "minimize") && strcmp(d->text, "maximize"))) {
		t_fail(C, DN_EINVAL, d ? d : v, "objective: direction: expected minimize or maximize");
		return;
	}
	if (dn_ynode_get(v, "bound")) {
		t_fail(C, DN_EINVAL, dn_ynode_get(v, "bound"), "objective: no bound (put bounds in goals:)");
		return;
	}
	dn_rc rc = dn_expect_read_metric(v, block_s, false, "direction", "tune", lookup, ctx, &t->objective, C->err,
	                                 C->errlen, &C->used);
	if (rc) {
		if (C->n_errs++ == 0)
			C->first = rc;
		return;
	}
	t->has_objective = true;
	t->maximize = strcmp(d->text, "maximize") == 0;
}

/* The keys each kind takes, beyond the common ones. */
static const char *const common_keys[] = {"kind", "seed", "replicates", "seeds", "confidence", "bootstrap",
                                          "budget", "set", "params"};
static const char *const screen_keys[] = {"outputs", "trajectories", "levels"};
static const char *const sens_keys[] = {"outputs", "samples", "max_samples", "halfwidth", "second_order"};
static const char *const target_keys[] = {"goals", "objective", "candidates", "tolerance"};

dn_rc dn_tune_from_scenario(const dn_registry *reg, const dn_scenario *s, double block_s,
                            dn_expect_lookup_fn lookup, void *ctx, dn_tune **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	const dn_ynode *b = dn_scenario_block(s, "tune");
	if (!b)
		return DN_OK;
	t_ctx C = {.err = err, .errlen = errlen};
	if (b->kind != DN_YN_MAP) {
		t_fail(&C, DN_ETYPE, b, "expected a mapping (kind, params, ...), got %s", dn_ynode_kind_name(b));
		return C.first;
	}
	dn_tune *t = calloc(1, sizeof *t);
	if (!t)
		return DN_ENOMEM;
	t->file = b->file;
	t->line = b->line;
	t->col = b->col;
	t->seed = (uint64_t)dn_scn_int(s, "sim.seed");
	t->replicates = 1;
	t->common = true;
	t->confidence = 0.95;
	t->bootstrap = 1000;
	t->trajectories = 10;
	t->levels = 4;
	t->samples = 256;
	t->halfwidth = 0.05;
	t->max_candidates = 200;
	t->tolerance = 1e-3;

	const dn_ynode *kd = dn_ynode_get(b, "kind");
	if (!kd || kd->kind != DN_YN_SCALAR) {
		t_fail(&C, DN_EINVAL, kd ? kd : b, "kind: expected screen, sensitivity or target");
		goto fail;
	}
	int kind = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(kd->text, kind_names[i]) == 0)
			kind = i;
	if (kind < 0) {
		t_fail(&C, DN_EINVAL, kd, "kind: expected screen, sensitivity or target (got '%s')", kd->text);
		goto fail;
	}
	t->kind = (dn_tune_kind)kind;
	const char *const *own = kind == 0 ? screen_keys : kind == 1 ? sens_keys : target_keys;
	size_t n_own = kind == 0 ? 3 : kind == 1 ? 5 : 4;
	for (size_t i = 0; i < b->n; i++) {
		const dn_ynode *k = &b->items[2 * i];
		if (known_key(k, common_keys, sizeof common_keys / sizeof common_keys[0]) || known_key(k, own, n_own))
			continue;
		bool other = known_key(k, screen_keys, 3) || known_key(k, sens_keys, 5) || known_key(k, target_keys, 4);
		if (other)
			t_fail(&C, DN_EINVAL, k, "%s: not a key of kind %s", k->text, kind_names[kind]);
		else
			t_fail(&C, DN_EINVAL, k, "unknown key '%s'", k->kind == DN_YN_SCALAR ? k->text : "?");
	}
	const dn_ynode *v;
	if ((v = dn_ynode_get(b, "seed")))
		(void)t_count(&C, v, "seed", 0, UINT64_MAX, &t->seed);
	if ((v = dn_ynode_get(b, "replicates")))
		(void)t_count(&C, v, "replicates", 1, 10000, &t->replicates);
	if ((v = dn_ynode_get(b, "seeds"))) {
		if (v->kind == DN_YN_SCALAR && strcmp(v->text, "common") == 0)
			t->common = true;
		else if (v->kind == DN_YN_SCALAR && strcmp(v->text, "member") == 0)
			t->common = false;
		else
			t_fail(&C, DN_EINVAL, v, "seeds: expected common (every point's replicate r shares its random "
			       "numbers) or member");
	}
	if ((v = dn_ynode_get(b, "confidence")) && t_num(&C, v, "confidence", &t->confidence) &&
	    !(t->confidence >= 0.5 && t->confidence < 1))
		t_fail(&C, DN_ERANGE, v, "confidence: expected a probability from 0.5 to below 1 (such as 0.95)");
	if ((v = dn_ynode_get(b, "bootstrap")))
		(void)t_count(&C, v, "bootstrap", 100, 100000, &t->bootstrap);
	if ((v = dn_ynode_get(b, "budget")))
		(void)t_count(&C, v, "budget", 1, UINT64_C(100000000), &t->budget);
	if ((v = dn_ynode_get(b, "set")))
		if (dn_block_read_sets(reg, v, "tune", "the tuning's (seed: and replicates: choose it)", &t->sets,
		                       &t->n_sets, C.err, C.errlen, &C.used, &C.n_errs, &C.first) == DN_ENOMEM)
			goto fail;
	v = dn_ynode_get(b, "params");
	if (!v || v->kind != DN_YN_MAP || v->n == 0) {
		t_fail(&C, DN_EINVAL, v ? v : b, "params: expected a mapping of parameter: {min: A, max: B}");
	} else {
		for (size_t i = 0; i < v->n; i++) {
			const dn_ynode *k = &v->items[2 * i];
			if (k->kind == DN_YN_SCALAR && k->len > 2 && strcmp(k->text + k->len - 2, ".*") == 0)
				read_prefix(&C, reg, k, &v->items[2 * i + 1], t);
			else
				read_param(&C, reg, k, &v->items[2 * i + 1], t);
		}
	}
	if (kind == DN_TUNE_SCREEN) {
		if ((v = dn_ynode_get(b, "trajectories")))
			(void)t_count(&C, v, "trajectories", 2, 100000, &t->trajectories);
		if ((v = dn_ynode_get(b, "levels")) && t_count(&C, v, "levels", 2, 1000, &t->levels) && t->levels % 2)
			t_fail(&C, DN_ERANGE, v, "levels: expected an even number (Morris's step is levels/(2(levels-1)))");
	}
	if (kind == DN_TUNE_SENSITIVITY) {
		if ((v = dn_ynode_get(b, "samples")))
			(void)t_count(&C, v, "samples", 4, UINT64_C(10000000), &t->samples);
		t->max_samples = t->samples;
		if ((v = dn_ynode_get(b, "max_samples")) &&
		    t_count(&C, v, "max_samples", 4, UINT64_C(10000000), &t->max_samples) && t->max_samples < t->samples)
			t_fail(&C, DN_ERANGE, v, "max_samples: below samples: (%" PRIu64 ")", t->samples);
		if ((v = dn_ynode_get(b, "halfwidth")) && t_num(&C, v, "halfwidth", &t->halfwidth) &&
		    !(t->halfwidth > 0 && t->halfwidth < 1))
			t_fail(&C, DN_ERANGE, v, "halfwidth: expected a number between 0 and 1 (such as 0.05)");
		if ((v = dn_ynode_get(b, "second_order"))) {
			if (v->kind == DN_YN_SCALAR && (!strcmp(v->text, "true") || !strcmp(v->text, "false")))
				t->second_order = strcmp(v->text, "true") == 0;
			else
				t_fail(&C, DN_ETYPE, v, "second_order: expected true or false");
		}
	}
	if (kind != DN_TUNE_TARGET) {
		v = dn_ynode_get(b, "outputs");
		if (!v)
			t_fail(&C, DN_EINVAL, b, "outputs: expected a list of metrics ({metric: NAME, take: ...})");
		else
			read_metrics(&C, v, "outputs", false, block_s, lookup, ctx, t);
	} else {
		v = dn_ynode_get(b, "goals");
		if (v)
			read_metrics(&C, v, "goals", true, block_s, lookup, ctx, t);
		if ((v = dn_ynode_get(b, "objective")))
			read_objective(&C, v, block_s, lookup, ctx, t);
		if (!dn_ynode_get(b, "goals") && !t->has_objective && C.n_errs == 0)
			t_fail(&C, DN_EINVAL, b, "a target needs goals: (bounds to meet), an objective:, or both");
		if ((v = dn_ynode_get(b, "candidates")))
			(void)t_count(&C, v, "candidates", 2, 100000, &t->max_candidates);
		if ((v = dn_ynode_get(b, "tolerance")) && t_num(&C, v, "tolerance", &t->tolerance) &&
		    !(t->tolerance > 0 && t->tolerance < 0.5))
			t_fail(&C, DN_ERANGE, v, "tolerance: expected a size in the unit cube between 0 and 0.5");
	}
	if (C.n_errs)
		goto fail;
	*out = t;
	return DN_OK;
fail:
	dn_tune_free(t);
	return C.n_errs ? C.first : DN_ENOMEM;
}

void dn_tune_free(dn_tune *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_sets; i++)
		free(t->sets[i]);
	free(t->sets);
	free(t);
}

double dn_tune_value(const dn_tune *t, size_t j, double u)
{
	const dn_tune_param *p = &t->p[j];
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	double x = p->log ? p->lo * exp(u * log(p->hi / p->lo)) : p->lo + u * (p->hi - p->lo);
	if (p->integer) {
		/* u in [0,1] covers the whole numbers of the range evenly */
		double a = ceil(p->lo), b = floor(p->hi);
		x = p->log ? round(x) : floor(a + u * (b - a + 1));
		x = x < a ? a : x > b ? b : x;
	}
	return x < p->lo ? p->lo : x > p->hi ? p->hi : x;
}

void dn_tune_value_text(const dn_tune *t, size_t j, double u, char *buf, size_t len)
{
	double x = dn_tune_value(t, j, u);
	if (t->p[j].integer)
		snprintf(buf, len, "%.0f", x);
	else
		dn_param_format_float(x, buf, len);
}

/* ---- designs ---- */

void dn_tune_morris_design(size_t k, uint64_t r, uint64_t levels, uint64_t seed, double *u, uint32_t *factor,
                           double *delta)
{
	const double step = (double)levels / (2.0 * (double)(levels - 1));
	const double grid = 1.0 / (double)(levels - 1);
	for (uint64_t t = 0; t < r; t++) {
		dn_rng g;
		dn_rng_init(&g, seed, T_RNG_MORRIS, (uint32_t)t, 0);
		double *x = &u[t * (k + 1) * k];
		/* the base point: a level from which +step stays on the grid,
		 * then each coordinate's direction drawn (Morris 1991) */
		for (size_t j = 0; j < k; j++) {
			uint32_t lv = dn_bounded32(dn_rng_u32(&g), (uint32_t)(levels / 2));
			x[j] = (double)lv * grid;
			if (dn_rng_u32(&g) & 1u)
				x[j] += step; /* start high and move down */
		}
		/* the order the factors move in: a random permutation */
		uint32_t perm[DN_TUNE_PARAMS_MAX];
		for (size_t j = 0; j < k; j++)
			perm[j] = (uint32_t)j;
		for (size_t j = k; j > 1; j--) {
			uint32_t i = dn_bounded32(dn_rng_u32(&g), (uint32_t)j);
			uint32_t tmp = perm[j - 1];
			perm[j - 1] = perm[i];
			perm[i] = tmp;
		}
		for (size_t s = 1; s <= k; s++) {
			double *prev = &x[(s - 1) * k], *cur = &x[s * k];
			uint32_t f = perm[s - 1];
			memcpy(cur, prev, k * sizeof *cur);
			double d = prev[f] + step <= 1.0 + 1e-12 ? step : -step;
			cur[f] = prev[f] + d;
			if (cur[f] < 0)
				cur[f] = 0;
			if (cur[f] > 1)
				cur[f] = 1;
			factor[t * k + s - 1] = f;
			delta[t * k + s - 1] = d;
		}
	}
}

size_t dn_tune_saltelli_width(size_t k, bool second)
{
	return second ? 2 * k + 2 : k + 2;
}

dn_rc dn_tune_saltelli_design(size_t k, uint64_t n0, uint64_t n1, bool second, double *u)
{
	if (k == 0 || k > DN_TUNE_PARAMS_MAX || n1 < n0)
		return DN_EINVAL;
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
	if (!q)
		return DN_ENOMEM;
	double v[2 * DN_TUNE_PARAMS_MAX];
	gsl_qrng_get(q, v); /* the first point is all zeros */
	for (uint64_t n = 0; n < n0; n++)
		gsl_qrng_get(q, v);
	size_t w = dn_tune_saltelli_width(k, second);
	for (uint64_t n = n0; n < n1; n++) {
		gsl_qrng_get(q, v);
		double *row = &u[(n - n0) * w * k];
		const double *a = v, *bb = v + k;
		memcpy(row, a, k * sizeof *row);
		memcpy(row + k, bb, k * sizeof *row);
		for (size_t i = 0; i < k; i++) {
			double *ab = row + (2 + i) * k;
			memcpy(ab, a, k * sizeof *ab);
			ab[i] = bb[i];
		}
		if (second)
			for (size_t i = 0; i < k; i++) {
				double *ba = row + (2 + k + i) * k;
				memcpy(ba, bb, k * sizeof *ba);
				ba[i] = a[i];
			}
	}
	gsl_qrng_free(q);
	return DN_OK;
}

/* ---- estimators ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The percentile interval of n bootstrap values (sorted in place). */
static void percentile(double *v, size_t n, double confidence, double *lo, double *hi)
{
	qsort(v, n, sizeof *v, cmp_double);
	double a = (1 - confidence) / 2;
	size_t i = (size_t)floor(a * (double)(n - 1)), j = (size_t)ceil((1 - a) * (double)(n - 1));
	*lo = v[i];
	*hi = v[j];
}

void dn_tune_morris(size_t k, uint64_t r, const double *y, const uint32_t *factor, const double *delta,
                    uint64_t boot, double confidence, uint64_t seed, dn_morris_index *out)
{
	/* ee[j][t]: parameter j's effect in trajectory t (NaN: not run) */
	double *ee = malloc(k * r * sizeof *ee), *bs = malloc((boot ? 2 * boot : 1) * sizeof *bs);
	memset(out, 0, k * sizeof *out);
	if (!ee || !bs) {
		free(ee);
		free(bs);
		for (size_t j = 0; j < k; j++)
			out[j].mu = out[j].mu_star = out[j].sigma = out[j].mu_star_lo = out[j].mu_star_hi = out[j].sigma_lo =
				out[j].sigma_hi = NAN;
		return;
	}
	for (size_t i = 0; i < k * r; i++)
		ee[i] = NAN;
	for (uint64_t t = 0; t < r; t++)
		for (size_t s = 1; s <= k; s++) {
			double y0 = y[t * (k + 1) + s - 1], y1 = y[t * (k + 1) + s];
			uint32_t f = factor[t * k + s - 1];
			ee[f * r + t] = (y1 - y0) / delta[t * k + s - 1];
		}
	for (size_t j = 0; j < k; j++) {
		const double *e = &ee[j * r];
		double sum = 0, asum = 0;
		uint64_t n = 0;
		for (uint64_t t = 0; t < r; t++)
			if (!isnan(e[t])) {
				sum += e[t];
				asum += fabs(e[t]);
				n++;
			}
		dn_morris_index *o = &out[j];
		o->n = n;
		if (n == 0) {
			o->mu = o->mu_star = o->sigma = o->mu_star_lo = o->mu_star_hi = o->sigma_lo = o->sigma_hi = NAN;
			continue;
		}
		o->mu = sum / (double)n;
		o->mu_star = asum / (double)n;
		double ss = 0;
		for (uint64_t t = 0; t < r; t++)
			if (!isnan(e[t]))
				ss += (e[t] - o->mu) * (e[t] - o->mu);
		o->sigma = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
		/* mu*'s and sigma's bootstrap over the trajectories that ran */
		for (uint64_t b = 0; b < boot; b++) {
			dn_rng g;
			dn_rng_init(&g, seed, T_RNG_BOOT + 1u + (uint32_t)j, (uint32_t)b, 0);
			double a = 0, sm = 0, sq = 0;
			for (uint64_t i = 0; i < n; i++) {
				uint64_t pick = dn_bounded32(dn_rng_u32(&g), (uint32_t)n), seen = 0;
				for (uint64_t t = 0; t < r; t++)
					if (!isnan(e[t]) && seen++ == pick) {
						a += fabs(e[t]);
						sm += e[t];
						sq += e[t] * e[t];
						break;
					}
			}
			bs[b] = a / (double)n;
			double var = n > 1 ? (sq - sm * sm / (double)n) / (double)(n - 1) : NAN;
			bs[boot + b] = var > 0 ? sqrt(var) : n > 1 ? 0 : NAN;
		}
		if (boot) {
			percentile(bs, boot, confidence, &o->mu_star_lo, &o->mu_star_hi);
			percentile(bs + boot, boot, confidence, &o->sigma_lo, &o->sigma_hi);
		} else {
			o->mu_star_lo = o->mu_star_hi = o->sigma_lo = o->sigma_hi = NAN;
		}
	}
	free(ee);
	free(bs);
}

/* First-order (Saltelli 2010) and total (Jansen 1999) indices of factor i
 * over the rows idx[0..n): y rows of width w. */
static void sobol_one(const double *y, size_t w, const uint64_t *idx, uint64_t n, size_t i, double *s1, double *st,
                      double *var_out)
{
	double m = 0, v = 0, a1 = 0, at = 0;
	for (uint64_t r = 0; r < n; r++) {
		const double *row = &y[idx[r] * w];
		m += row[0] + row[1];
	}
	m /= 2.0 * (double)n;
	for (uint64_t r = 0; r < n; r++) {
		const double *row = &y[idx[r] * w];
		double fa = row[0], fb = row[1], fab = row[2 + i];
		v += (fa - m) * (fa - m) + (fb - m) * (fb - m);
		a1 += fb * (fab - fa);
		at += (fa - fab) * (fa - fab);
	}
	v /= 2.0 * (double)n - 1;
	*s1 = a1 / (double)n / v;
	*st = at / (2.0 * (double)n) / v;
	if (var_out)
		*var_out = v;
}

/* Second order (Saltelli 2002, as commonly used): Vij / V - S1i - S1j. */
static double sobol_two(const double *y, size_t w, size_t k, const uint64_t *idx, uint64_t n, size_t i, size_t j,
                        double v, double s1i, double s1j)
{
	double a = 0;
	for (uint64_t r = 0; r < n; r++) {
		const double *row = &y[idx[r] * w];
		a += row[2 + k + i] * row[2 + j] - row[0] * row[1];
	}
	return a / (double)n / v - s1i - s1j;
}

dn_rc dn_tune_sobol(size_t k, uint64_t n, bool second, const double *y, uint64_t boot, double confidence,
                    uint64_t seed, dn_sobol_result *res)
{
	size_t w = dn_tune_saltelli_width(k, second);
	res->rows = n;
	res->rows_used = 0;
	uint64_t *idx = malloc((n ? n : 1) * sizeof *idx), *bi = malloc((n ? n : 1) * sizeof *bi);
	size_t nb = boot ? boot : 1;
	double *b1 = malloc(nb * k * sizeof *b1), *bt = malloc(nb * k * sizeof *bt);
	double *b2 = second && res->s2 ? malloc(nb * k * k * sizeof *b2) : NULL;
	dn_rc rc = DN_OK;
	if (!idx || !bi || !b1 || !bt || (second && res->s2 && !b2)) {
		rc = DN_ENOMEM;
		goto out;
	}
	uint64_t used = 0;
	for (uint64_t r = 0; r < n; r++) {
		bool ok = true;
		for (size_t c = 0; c < w; c++)
			ok = ok && isfinite(y[r * w + c]);
		if (ok)
			idx[used++] = r;
	}
	res->rows_used = used;
	if (used < 2) {
		rc = DN_EINVAL;
		goto out;
	}
	double v = 0, m = 0;
	for (uint64_t r = 0; r < used; r++)
		m += y[idx[r] * w] + y[idx[r] * w + 1];
	m /= 2.0 * (double)used;
	res->mean = m;
	for (size_t i = 0; i < k; i++)
		sobol_one(y, w, idx, used, i, &res->idx[i].s1, &res->idx[i].st, &v);
	res->var = v;
	if (!(v > 0)) {
		rc = DN_EINVAL;
		goto out;
	}
	if (second && res->s2)
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				res->s2[i * k + j] = i < j ? sobol_two(y, w, k, idx, used, i, j, v, res->idx[i].s1,
				                                       res->idx[j].s1)
				                           : NAN;
	/* bootstrap: resample the rows (each resample from its own stream) */
	for (uint64_t b = 0; b < boot; b++) {
		dn_rng g;
		dn_rng_init(&g, seed, T_RNG_BOOT, (uint32_t)b, 0);
		for (uint64_t r = 0; r < used; r++)
			bi[r] = idx[dn_bounded32(dn_rng_u32(&g), (uint32_t)used)];
		double vb = 0;
		for (size_t i = 0; i < k; i++)
			sobol_one(y, w, bi, used, i, &b1[i * nb + b], &bt[i * nb + b], &vb);
		if (b2)
			for (size_t i = 0; i < k; i++)
				for (size_t j = i + 1; j < k; j++)
					b2[(i * k + j) * nb + b] = sobol_two(y, w, k, bi, used, i, j, vb, b1[i * nb + b],
					                                     b1[j * nb + b]);
	}
	for (size_t i = 0; i < k; i++) {
		dn_sobol_index *o = &res->idx[i];
		if (boot) {
			percentile(&b1[i * nb], boot, confidence, &o->s1_lo, &o->s1_hi);
			percentile(&bt[i * nb], boot, confidence, &o->st_lo, &o->st_hi);
		} else {
			o->s1_lo = o->s1_hi = o->st_lo = o->st_hi = NAN;
		}
	}
	if (b2)
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				if (i < j)
					percentile(&b2[(i * k + j) * nb], boot, confidence, &res->s2_lo[i * k + j],
					           &res->s2_hi[i * k + j]);
				else
					res->s2_lo[i * k + j] = res->s2_hi[i * k + j] = NAN;
			}
out:
	free(idx);
	free(bi);
	free(b1);
	free(bt);
	free(b2);
	return rc;
}

/* ---- target search ---- */

double dn_tune_shortfall(const dn_expectation *x, double m)
{
	if (isnan(m))
		return INFINITY;
	double lo, hi;
	dn_expect_bound_range(x, NAN, &lo, &hi);
	double gap = m < lo ? lo - m : m > hi ? m - hi : 0;
	if (gap == 0)
		return 0;
	/* relative to the bound's size, so goals of different units weigh alike */
	double ref = m < lo ? fabs(lo) : fabs(hi);
	return gap / (ref > 1e-12 ? ref : 1.0);
}

typedef struct s_ctx {
	const dn_tune *t;
	dn_tune_eval_fn eval;
	void *ctx;
	dn_tune_search *res;
	size_t cap, nv;       /* candidates allocated; values per candidate */
	double obj_scale;     /* |objective| at the start (NaN: not yet) */
	bool stop;
} s_ctx;

static double merit(s_ctx *S, const double *vals, double *violation)
{
	const dn_tune *t = S->t;
	double v = 0;
	for (size_t g = 0; g < t->n_out; g++) {
		double s = dn_tune_shortfall(&t->out[g], vals[g]);
		v += s * s;
	}
	*violation = v;
	double f = 1e3 * v;
	if (t->has_objective) {
		double o = vals[t->n_out];
		if (isnan(o))
			return INFINITY;
		if (isnan(S->obj_scale))
			S->obj_scale = fabs(o) > 1e-12 ? fabs(o) : 1.0;
		f += (t->maximize ? -o : o) / S->obj_scale;
	}
	return f;
}

/* Adds candidate u (clamped) to the record, evaluating it unless an equal
 * point was evaluated before. Returns its merit. */
static double candidate(s_ctx *S, const double *uin, size_t *at)
{
	const dn_tune *t = S->t;
	dn_tune_search *R = S->res;
	double u[DN_TUNE_PARAMS_MAX], out = 0;
	for (size_t j = 0; j < t->k; j++) {
		u[j] = uin[j] < 0 ? 0 : uin[j] > 1 ? 1 : uin[j];
		out += (uin[j] - u[j]) * (uin[j] - u[j]);
	}
	for (size_t c = 0; c < R->n; c++)
		if (memcmp(R->c[c].u, u, t->k * sizeof *u) == 0) {
			*at = c;
			return R->c[c].f + 10 * out;
		}
	if (S->stop || R->n >= S->cap) {
		S->stop = true;
		*at = SIZE_MAX;
		return INFINITY;
	}
	dn_tune_candidate *c = &R->c[R->n];
	memcpy(c->u, u, sizeof u);
	c->vals = &R->store[R->n * 3 * S->nv];
	c->lo = c->vals + S->nv;
	c->hi = c->lo + S->nv;
	if (S->eval(S->ctx, u, 1, c->vals, c->lo, c->hi)) {
		S->stop = true;
		R->stopped = true;
		*at = SIZE_MAX;
		return INFINITY;
	}
	bool all_nan = true;
	for (size_t i = 0; i < S->nv; i++)
		all_nan = all_nan && isnan(c->vals[i]);
	c->failed = all_nan;
	c->f = all_nan ? INFINITY : merit(S, c->vals, &c->violation);
	if (all_nan) {
		c->violation = INFINITY;
		R->n_failed++;
	}
	*at = R->n;
	R->n++;
	return c->f + 10 * out;
}

static double nm_f(const gsl_vector *x, void *p)
{
	s_ctx *S = p;
	double u[DN_TUNE_PARAMS_MAX];
	for (size_t j = 0; j < S->t->k; j++)
		u[j] = gsl_vector_get(x, j);
	size_t at;
	double f = candidate(S, u, &at);
	return isfinite(f) ? f : 1e300;
}

static bool best_met(const s_ctx *S)
{
	const dn_tune_search *R = S->res;
	return R->n > 0 && !R->c[R->best].failed && R->c[R->best].violation == 0;
}

static void update_best(s_ctx *S)
{
	dn_tune_search *R = S->res;
	size_t b = 0;
	for (size_t c = 1; c < R->n; c++)
		if (R->c[c].f < R->c[b].f)
			b = c;
	R->best = b;
}

/* One Nelder-Mead descent from u0 with initial step `step`. */
static void descend(s_ctx *S, const double *u0, double step)
{
	const dn_tune *t = S->t;
	size_t k = t->k;
	gsl_vector *x = gsl_vector_alloc(k), *ss = gsl_vector_alloc(k);
	gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
	if (!x || !ss || !m) {
		S->stop = true;
		goto out;
	}
	for (size_t j = 0; j < k; j++) {
		gsl_vector_set(x, j, u0[j]);
		/* step toward the middle so the first simplex stays inside */
		gsl_vector_set(ss, j, u0[j] + step <= 1 ? step : -step);
	}
	gsl_multimin_function fn = {.f = nm_f, .n = k, .params = S};
	if (gsl_multimin_fminimizer_set(m, &fn, x, ss) != GSL_SUCCESS) {
		S->stop = true;
		goto out;
	}
	/* a simplex over a flat merit (a goal no candidate moves) reflects
	 * among points already run and never shrinks: steps that run nothing
	 * new for this long end the descent as converged */
	size_t idle = 0, last_n = S->res->n;
	for (;;) {
		update_best(S);
		if (S->stop || S->res->n >= S->cap)
			break;
		if (!t->has_objective && best_met(S))
			break;
		int st = gsl_multimin_fminimizer_iterate(m);
		if (st != GSL_SUCCESS)
			break;
		idle = S->res->n == last_n ? idle + 1 : 0;
		last_n = S->res->n;
		if (gsl_multimin_fminimizer_size(m) < t->tolerance || idle > 20 * (k + 1)) {
			S->res->converged = true;
			break;
		}
	}
	update_best(S);
out:
	if (m)
		gsl_multimin_fminimizer_free(m);
	gsl_vector_free(x);
	gsl_vector_free(ss);
}

dn_rc dn_tune_target(const dn_tune *t, dn_tune_eval_fn eval, void *ctx, dn_tune_search *res)
{
	memset(res, 0, sizeof *res);
	if (t->kind != DN_TUNE_TARGET || t->k == 0)
		return DN_EINVAL;
	s_ctx S = {.t = t, .eval = eval, .ctx = ctx, .res = res, .cap = t->max_candidates, .nv = t->n_out + 1,
	           .obj_scale = NAN};
	res->c = calloc(S.cap, sizeof *res->c);
	res->store = calloc(S.cap * 3 * S.nv, sizeof *res->store);
	res->reach = calloc(t->n_out ? t->n_out : 1, sizeof *res->reach);
	res->reach_at = calloc(t->n_out ? t->n_out : 1, sizeof *res->reach_at);
	if (!res->c || !res->store || !res->reach || !res->reach_at) {
		dn_tune_search_free(res);
		return DN_ENOMEM;
	}
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	descend(&S, t->start, 0.25);
	/* a simplex can stall on a ridge: once more around the best, smaller */
	if (!S.stop && res->n < S.cap && res->n > 0 && (t->has_objective || !best_met(&S))) {
		double u0[DN_TUNE_PARAMS_MAX];
		memcpy(u0, res->c[res->best].u, t->k * sizeof *u0);
		res->converged = false;
		descend(&S, u0, 0.05);
	}
	gsl_set_error_handler(old);
	update_best(&S);
	res->met = best_met(&S);
	/* how close the ranges came to each goal: its best value over every
	 * candidate (the ceiling or floor a goal out of reach runs into) */
	for (size_t g = 0; g < t->n_out; g++) {
		double lo, hi, best = NAN, sbest = INFINITY;
		dn_expect_bound_range(&t->out[g], NAN, &lo, &hi);
		res->reach_at[g] = SIZE_MAX;
		for (size_t c = 0; c < res->n; c++) {
			double m = res->c[c].vals[g], s = dn_tune_shortfall(&t->out[g], m);
			if (!isnan(m) && s < sbest) {
				sbest = s;
				best = m;
				res->reach_at[g] = c;
			}
		}
		res->reach[g] = best;
	}
	return res->n ? DN_OK : DN_EINVAL;
}

void dn_tune_search_free(dn_tune_search *res)
{
	free(res->c);
	free(res->store);
	free(res->reach);
	free(res->reach_at);
	memset(res, 0, sizeof *res);
}
