/*
 * expect.c: the `expect:` block and the judging of expectations
 * (expect.h; docs/regression.md).
 */
#include "expect.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

enum { X_CHECKS_MAX = 10000, X_SETS_MAX = 256 };
#define X_SEEDS_MAX UINT64_C(100000)

typedef struct x_ctx {
	char *err;
	size_t errlen, used;
	unsigned n_errs;
	dn_rc first;
	const char *block; /* the block named in messages: "expect", "tune" */
} x_ctx;

static dn_rc x_fail(x_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...) DN_PRINTF(4, 5);

/* Appends "FILE:LINE:COL: expect: ..." as one line of the error text. */
static dn_rc x_fail(x_ctx *C, dn_rc rc, const dn_ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dn_ynode_errv(C->err, C->errlen, &C->used, C->block ? C->block : "expect", at, fmt, ap);
	va_end(ap);
	if (C->n_errs++ == 0)
		C->first = rc;
	return rc;
}

#define kind_of dn_ynode_kind_name

/* A number as the whole of text[0..len): exact when an integer literal. */
static bool parse_num(const char *text, size_t len, dn_xnum *out)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	long long i = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0) {
		out->i = (int64_t)i;
		out->d = (double)i;
		out->is_int = true;
		return true;
	}
	errno = 0;
	double d = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE || isnan(d))
		return false;
	out->d = d;
	out->i = 0;
	out->is_int = false;
	return true;
}

static bool scalar_num(x_ctx *C, const dn_ynode *v, const char *key, double *out)
{
	dn_xnum n;
	if (v->kind != DN_YN_SCALAR || !parse_num(v->text, v->len, &n) || !isfinite(n.d)) {
		x_fail(C, DN_ETYPE, v, "%s: expected a number%s%s%s", key, v->kind == DN_YN_SCALAR ? " (got '" : "",
		       v->kind == DN_YN_SCALAR ? v->text : "", v->kind == DN_YN_SCALAR ? "')" : "");
		return false;
	}
	*out = n.d;
	return true;
}

static const char *const take_names[] = {"final", "at", "min", "max", "mean", "crossing"};

const char *dn_expect_take_name(dn_expect_take t)
{
	return (unsigned)t < sizeof take_names / sizeof take_names[0] ? take_names[t] : "?";
}

/* Next whitespace-separated word of s from *pos: [*w, *w + *wl). */
static bool word(const char *s, size_t *pos, const char **w, size_t *wl)
{
	size_t p = *pos;
	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (!s[p])
		return false;
	size_t q = p;
	while (s[q] && s[q] != ' ' && s[q] != '\t')
		q++;
	*w = s + p;
	*wl = q - p;
	*pos = q;
	return true;
}

static bool word_is(const char *w, size_t wl, const char *lit)
{
	return wl == strlen(lit) && memcmp(w, lit, wl) == 0;
}

/*
 * The bound: "< X", "<= X", "> X", ">= X", "== X", "between A and B",
 * "within P% of B", "within P%" (of the blessed baseline). The operator
 * may touch its number ("<0.5").
 */
static bool parse_bound(const char *s, dn_expectation *x, char *why, size_t whylen)
{
	static const struct { const char *op; dn_expect_op k; } ops[] = {
		{"<=", DN_OP_LE}, {">=", DN_OP_GE}, {"==", DN_OP_EQ}, {"<", DN_OP_LT}, {">", DN_OP_GT}};
	size_t pos = 0;
	const char *w;
	size_t wl;
	if (!word(s, &pos, &w, &wl)) {
		snprintf(why, whylen, "bound: empty (expected < X, <= X, > X, >= X, == X, between A and B, within P%% [of B])");
		return false;
	}
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		size_t ol = strlen(ops[k].op);
		if (wl < ol || memcmp(w, ops[k].op, ol) != 0)
			continue;
		x->op = ops[k].k;
		const char *num = w + ol;
		size_t nl = wl - ol;
		if (nl == 0 && !word(s, &pos, &num, &nl)) {
			snprintf(why, whylen, "bound: '%s' needs a number after it", ops[k].op);
			return false;
		}
		if (!parse_num(num, nl, &x->a)) {
			snprintf(why, whylen, "bound: '%.*s' is not a number", (int)nl, num);
			return false;
		}
		if (word(s, &pos, &w, &wl)) {
			snprintf(why, whylen, "bound: unexpected '%.*s' after the number", (int)wl, w);
			return false;
		}
		return true;
	}
	if (word_is(w, wl, "between")) {
		x->op = DN_OP_BETWEEN;
		const char *a, *b, *and;
		size_t al, bl, andl;
		if (!word(s, &pos, &a, &al) || !word(s, &pos, &and, &andl) || !word_is(and, andl, "and") ||
		    !word(s, &pos, &b, &bl) || word(s, &pos, &w, &wl)) {
			snprintf(why, whylen, "bound: expected 'between A and B'");
			return false;
		}
		if (!parse_num(a, al, &x->a) || !parse_num(b, bl, &x->b)) {
			snprintf(why, whylen, "bound: between: A and B must be numbers");
			return false;
		}
		if (x->a.d > x->b.d) {
			snprintf(why, whylen, "bound: between A and B needs A <= B");
			return false;
		}
		return true;
	}
	if (word_is(w, wl, "within")) {
		x->op = DN_OP_WITHIN;
		const char *p;
		size_t pl;
		if (!word(s, &pos, &p, &pl)) {
			snprintf(why, whylen, "bound: expected 'within P%%' or 'within P%% of B'");
			return false;
		}
		bool pct = pl > 1 && p[pl - 1] == '%';
		if (pct)
			pl--;
		else if (word(s, &pos, &w, &wl) && word_is(w, wl, "%"))
			pct = true;
		if (!pct || !parse_num(p, pl, &x->a) || !(x->a.d >= 0)) {
			snprintf(why, whylen, "bound: within: expected a percentage such as 5%%");
			return false;
		}
		x->baseline = true;
		size_t save = pos;
		if (word(s, &pos, &w, &wl)) {
			if (!word_is(w, wl, "of") || !word(s, &pos, &w, &wl) || !parse_num(w, wl, &x->b)) {
				snprintf(why, whylen, "bound: expected 'within P%% of B' with B a number");
				return false;
			}
			x->baseline = false;
			if (word(s, &pos, &w, &wl)) {
				snprintf(why, whylen, "bound: unexpected '%.*s' at the end", (int)wl, w);
				return false;
			}
		}
		(void)save;
		return true;
	}
	snprintf(why, whylen, "bound: '%.*s' is not a bound (expected < X, <= X, > X, >= X, == X, between A and B, within P%% [of B])",
	         (int)wl, w);
	return false;
}

static int take_of(const char *t)
{
	for (size_t i = 0; i < sizeof take_names / sizeof take_names[0]; i++)
		if (strcmp(t, take_names[i]) == 0)
			return (int)i;
	return -1;
}

/* One check's mapping into *x. need_bound: a bound is required (a check);
 * else optional (a tune output). extra: one more key the caller reads, or
 * NULL. */
static void read_check(x_ctx *C, const dn_ynode *m, const dn_expect *e, double block_s,
                       dn_expect_lookup_fn lookup, void *ctx, dn_expectation *x, bool need_bound,
                       const char *extra)
{
	static const char *const keys[] = {"metric", "take", "at_s", "at_block", "from_s", "to_s",
	                                   "level", "bound", "judge", "rule", "name"};
	memset(x, 0, sizeof *x);
	x->file = m->file;
	x->line = m->line;
	x->col = m->col;
	x->from_s = -INFINITY;
	x->to_s = INFINITY;
	x->at_s = NAN;
	x->level = NAN;
	if (m->kind != DN_YN_MAP) {
		x_fail(C, DN_ETYPE, m, "a check: expected a mapping (metric, take, bound, ...), got %s", kind_of(m));
		return;
	}
	unsigned before = C->n_errs;
	for (size_t i = 0; i < m->n; i++) {
		const dn_ynode *k = &m->items[2 * i], *v = &m->items[2 * i + 1];
		bool known = false;
		for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
			known = known || (k->kind == DN_YN_SCALAR && strcmp(k->text, keys[j]) == 0);
		known = known || (extra && k->kind == DN_YN_SCALAR && strcmp(k->text, extra) == 0);
		if (!known)
			x_fail(C, DN_EINVAL, k, "unknown key '%s' in a %s (metric, take, at_s, at_block, from_s, to_s, level, "
			       "bound, judge, rule, name%s%s)", k->kind == DN_YN_SCALAR ? k->text : "?",
			       need_bound ? "check" : "metric", extra ? ", " : "", extra ? extra : "");
		else if (v->kind != DN_YN_SCALAR)
			x_fail(C, DN_ETYPE, v, "%s: expected a value, got %s", k->text, kind_of(v));
	}
	if (C->n_errs != before)
		return;
	const dn_ynode *met = dn_ynode_get(m, "metric"), *tk = dn_ynode_get(m, "take"), *bd = dn_ynode_get(m, "bound"),
	               *at = dn_ynode_get(m, "at_s"), *ab = dn_ynode_get(m, "at_block"), *fr = dn_ynode_get(m, "from_s"),
	               *to = dn_ynode_get(m, "to_s"), *lv = dn_ynode_get(m, "level"), *jd = dn_ynode_get(m, "judge"),
	               *rl = dn_ynode_get(m, "rule"), *nm = dn_ynode_get(m, "name");
	if (!met || met->len == 0) {
		x_fail(C, DN_EINVAL, met ? met : m, "a check needs metric: (a series or summary scalar)");
		return;
	}
	if (met->len >= sizeof x->metric) {
		x_fail(C, DN_ELIMIT, met, "metric: name too long");
		return;
	}
	memcpy(x->metric, met->text, met->len + 1);
	x->series = true;
	if (lookup) {
		char hint[200] = "";
		int k = lookup(ctx, x->metric, hint, sizeof hint);
		if (k == 0) {
			x_fail(C, DN_EINVAL, met, "metric: '%s' is no series or summary scalar of this scenario's model%s "
			       "(`dnetsim validate FILE --names` lists them)", x->metric, hint);
			return;
		}
		x->checked = true;
	}
	x->take = DN_TAKE_FINAL;
	if (tk) {
		int t = take_of(tk->text);
		if (t < 0) {
			x_fail(C, DN_EINVAL, tk, "take: expected final, at, min, max, mean or crossing (got '%s')", tk->text);
			return;
		}
		x->take = (dn_expect_take)t;
	}
	if (lookup) {
		char hint[8];
		int k = lookup(ctx, x->metric, hint, sizeof hint);
		x->series = k == 1 || (k == 3 && x->take != DN_TAKE_FINAL);
	}
	if (x->checked && !x->series && x->take != DN_TAKE_FINAL) {
		x_fail(C, DN_EINVAL, tk, "take: %s is a summary scalar: it has one value (take: final)", x->metric);
		return;
	}
	if (at && ab) {
		x_fail(C, DN_EINVAL, ab, "give at_s or at_block, not both");
		return;
	}
	if ((at || ab) != (x->take == DN_TAKE_AT)) {
		x_fail(C, DN_EINVAL, at ? at : ab ? ab : m, x->take == DN_TAKE_AT ? "take: at needs at_s: or at_block:"
		                                                                  : "at_s/at_block: only with take: at");
		return;
	}
	if (at && !scalar_num(C, at, "at_s", &x->at_s))
		return;
	if (ab) {
		double b;
		if (!scalar_num(C, ab, "at_block", &b))
			return;
		if (block_s <= 0) {
			x_fail(C, DN_EINVAL, ab, "at_block: this model has no blocks (use at_s)");
			return;
		}
		if (b < 0 || b != floor(b)) {
			x_fail(C, DN_ERANGE, ab, "at_block: expected a block height (a whole number >= 0)");
			return;
		}
		x->at_s = b * block_s;
	}
	bool windowed = x->take >= DN_TAKE_MIN;
	if ((fr || to) && !windowed) {
		x_fail(C, DN_EINVAL, fr ? fr : to, "from_s/to_s: only with take: min, max, mean or crossing");
		return;
	}
	if (fr && !scalar_num(C, fr, "from_s", &x->from_s))
		return;
	if (to && !scalar_num(C, to, "to_s", &x->to_s))
		return;
	if (x->from_s > x->to_s) {
		x_fail(C, DN_ERANGE, fr, "from_s is after to_s");
		return;
	}
	if ((lv != NULL) != (x->take == DN_TAKE_CROSS)) {
		x_fail(C, DN_EINVAL, lv ? lv : m, lv ? "level: only with take: crossing" : "take: crossing needs level:");
		return;
	}
	if (lv && !scalar_num(C, lv, "level", &x->level))
		return;
	if (!bd && !need_bound) {
		x->op = DN_OP_GE;
		x->a.d = -INFINITY;
		snprintf(x->label, sizeof x->label, "%s%s%s", nm ? nm->text : x->metric, nm ? "" : " ",
		         nm ? "" : take_names[x->take]);
		return;
	}
	if (!bd) {
		x_fail(C, DN_EINVAL, m, "a check needs bound: (< X, <= X, > X, >= X, == X, between A and B, within P%% [of B])");
		return;
	}
	char why[200];
	if (!parse_bound(bd->text, x, why, sizeof why)) {
		x_fail(C, DN_EINVAL, bd, "%s", why);
		return;
	}
	snprintf(x->bound_text, sizeof x->bound_text, "%s", bd->text);
	x->mean = e->seeds > 1 && x->op != DN_OP_EQ;
	if (jd) {
		if (strcmp(jd->text, "mean") == 0) {
			x->mean = true;
		} else if (strcmp(jd->text, "each") == 0) {
			x->mean = false;
		} else {
			x_fail(C, DN_EINVAL, jd, "judge: expected each (every run) or mean (the ensemble's mean)");
			return;
		}
		if (x->mean && x->op == DN_OP_EQ) {
			x_fail(C, DN_EINVAL, jd, "judge: mean with == (a mean is not exact: use between or within)");
			return;
		}
	}
	if (rl) {
		if (rl->len >= sizeof x->rule || strncmp(rl->text, "R-", 2) != 0) {
			x_fail(C, DN_EINVAL, rl, "rule: expected a rule id such as R-EMIT-1");
			return;
		}
		memcpy(x->rule, rl->text, rl->len + 1);
	}
	if (nm && nm->len == 0) {
		x_fail(C, DN_EINVAL, nm, "name: empty (leave it out for the default label)");
		return;
	}
	if (nm)
		snprintf(x->label, sizeof x->label, "%s", nm->text);
	else if (x->take == DN_TAKE_AT)
		snprintf(x->label, sizeof x->label, "%s at %gs %s", x->metric, x->at_s, x->bound_text);
	else if (x->take == DN_TAKE_CROSS)
		snprintf(x->label, sizeof x->label, "%s crossing %g (s) %s", x->metric, x->level, x->bound_text);
	else
		snprintf(x->label, sizeof x->label, "%s %s %s", x->metric, take_names[x->take], x->bound_text);
}

static dn_rc read_sets(x_ctx *C, const dn_registry *reg, const dn_ynode *v, dn_expect *e)
{
	C->block = "expect";
	return dn_block_read_sets(reg, v, "expect", "the check's (seeds: and --seed choose it)", &e->sets, &e->n_sets,
	                          C->err, C->errlen, &C->used, &C->n_errs, &C->first);
}

dn_rc dn_block_read_sets(const dn_registry *reg, const dn_ynode *v, const char *block, const char *seed_owner,
                         char ***sets, size_t *n_sets, char *err, size_t errlen, size_t *used, unsigned *n_errs,
                         dn_rc *first)
{
	x_ctx C0 = {.err = err, .errlen = errlen, .used = *used, .block = block}, *C = &C0;
	dn_rc rc = DN_OK;
	if (v->kind != DN_YN_MAP) {
		x_fail(C, DN_ETYPE, v, "set: expected a mapping of parameter: value, got %s", kind_of(v));
		goto out;
	}
	if (v->n > X_SETS_MAX) {
		x_fail(C, DN_ELIMIT, v, "set: at most %d parameters", X_SETS_MAX);
		goto out;
	}
	*sets = calloc(v->n ? v->n : 1, sizeof **sets);
	if (!*sets) {
		rc = x_fail(C, DN_ENOMEM, v, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v->n; i++) {
		const dn_ynode *k = &v->items[2 * i], *val = &v->items[2 * i + 1];
		const dn_param_def *def = k->kind == DN_YN_SCALAR ? dn_registry_find(reg, k->text) : NULL;
		if (!def) {
			char hint[160] = "";
			if (k->kind == DN_YN_SCALAR)
				dn_scenario_suggest(reg, k->text, hint, sizeof hint);
			x_fail(C, DN_EINVAL, k, "set: unknown parameter '%s'%s", k->kind == DN_YN_SCALAR ? k->text : "?", hint);
			continue;
		}
		if (strcmp(def->name, "sim.seed") == 0) {
			x_fail(C, DN_EINVAL, k, "set: sim.seed is %s", seed_owner);
			continue;
		}
		if (val->kind != DN_YN_SCALAR) {
			x_fail(C, DN_ETYPE, val, "set: %s: expected a value, got %s", def->name, kind_of(val));
			continue;
		}
		dn_param_value pv;
		char msg[200];
		if (dn_param_parse(def, val->text, val->len, &pv, msg, sizeof msg)) {
			x_fail(C, DN_ERANGE, val, "set: %s: %s", def->name, msg);
			continue;
		}
		size_t len = strlen(def->name) + 1 + val->len + 1;
		char *o = malloc(len);
		if (!o) {
			rc = x_fail(C, DN_ENOMEM, v, "out of memory");
			goto out;
		}
		snprintf(o, len, "%s=%s", def->name, val->text);
		(*sets)[(*n_sets)++] = o;
	}
out:
	*used = C->used;
	if (C->n_errs && (*n_errs)++ == 0)
		*first = C->first;
	*n_errs += C->n_errs ? C->n_errs - 1 : 0;
	return rc;
}

dn_rc dn_expect_from_scenario(const dn_registry *reg, const dn_scenario *s, double block_s, uint64_t seeds,
                              dn_expect_lookup_fn lookup, void *ctx, dn_expect **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	const dn_ynode *b = dn_scenario_block(s, "expect");
	if (!b)
		return DN_OK;
	x_ctx C = {.err = err, .errlen = errlen};
	dn_expect *e = calloc(1, sizeof *e);
	if (!e)
		return DN_ENOMEM;
	e->seeds = 1;
	e->confidence = 0.99;
	e->golden = true;
	const dn_ynode *checks = b;
	if (b->kind == DN_YN_MAP) {
		static const char *const keys[] = {"seeds", "confidence", "golden", "set", "checks"};
		for (size_t i = 0; i < b->n; i++) {
			const dn_ynode *k = &b->items[2 * i];
			bool known = false;
			for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
				known = known || (k->kind == DN_YN_SCALAR && strcmp(k->text, keys[j]) == 0);
			if (!known)
				x_fail(&C, DN_EINVAL, k, "unknown key '%s' (seeds, confidence, golden, set, checks)",
				       k->kind == DN_YN_SCALAR ? k->text : "?");
		}
		const dn_ynode *sd = dn_ynode_get(b, "seeds"), *cf = dn_ynode_get(b, "confidence"),
		               *gd = dn_ynode_get(b, "golden"), *st = dn_ynode_get(b, "set");
		checks = dn_ynode_get(b, "checks");
		if (sd) {
			dn_xnum n;
			if (sd->kind != DN_YN_SCALAR || !parse_num(sd->text, sd->len, &n) || !n.is_int || n.i < 1 ||
			    (uint64_t)n.i > X_SEEDS_MAX)
				x_fail(&C, DN_ERANGE, sd, "seeds: expected a whole number from 1 to %" PRIu64, X_SEEDS_MAX);
			else
				e->seeds = (uint64_t)n.i;
		}
		if (cf) {
			double c;
			if (scalar_num(&C, cf, "confidence", &c) && !(c >= 0.5 && c < 1))
				x_fail(&C, DN_ERANGE, cf, "confidence: expected a probability from 0.5 to below 1 (such as 0.99)");
			else if (C.n_errs == 0)
				e->confidence = c;
		}
		if (gd) {
			if (gd->kind == DN_YN_SCALAR && strcmp(gd->text, "true") == 0)
				e->golden = true;
			else if (gd->kind == DN_YN_SCALAR && strcmp(gd->text, "false") == 0)
				e->golden = false;
			else
				x_fail(&C, DN_ETYPE, gd, "golden: expected true or false");
		}
		if (st && read_sets(&C, reg, st, e) == DN_ENOMEM)
			goto fail;
		if (!checks && C.n_errs == 0 && !e->golden)
			x_fail(&C, DN_EINVAL, b, "nothing to check: no checks: and golden: false");
	} else if (b->kind != DN_YN_SEQ) {
		x_fail(&C, DN_ETYPE, b, "expected a list of checks or a mapping (seeds, confidence, golden, set, checks)");
		goto fail;
	}
	if (seeds)
		e->seeds = seeds;
	if (checks) {
		if (checks->kind != DN_YN_SEQ) {
			x_fail(&C, DN_ETYPE, checks, "checks: expected a list of checks, got %s", kind_of(checks));
			goto fail;
		}
		if (checks->n > X_CHECKS_MAX) {
			x_fail(&C, DN_ELIMIT, checks, "at most %d checks", X_CHECKS_MAX);
			goto fail;
		}
		e->x = calloc(checks->n ? checks->n : 1, sizeof *e->x);
		if (!e->x) {
			x_fail(&C, DN_ENOMEM, checks, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < checks->n; i++)
			read_check(&C, &checks->items[i], e, block_s, lookup, ctx, &e->x[e->n++], true, NULL);
	}
	if (C.n_errs)
		goto fail;
	*out = e;
	return DN_OK;
fail:
	dn_expect_free(e);
	return C.n_errs ? C.first : DN_ENOMEM;
}

dn_rc dn_expect_read_metric(const dn_ynode *m, double block_s, bool need_bound, const char *extra,
                            const char *block, dn_expect_lookup_fn lookup, void *ctx, dn_expectation *x, char *err,
                            size_t errlen, size_t *used)
{
	x_ctx C = {.err = err, .errlen = errlen, .used = used ? *used : 0, .block = block};
	dn_expect one = {.seeds = 1};
	read_check(&C, m, &one, block_s, lookup, ctx, x, need_bound, extra);
	if (used)
		*used = C.used;
	return C.n_errs ? C.first : DN_OK;
}

static const dn_series_data *find_series(const dn_series_data *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

static const dn_summary_val *find_summary(const dn_summary_val *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

int dn_expect_take_run(const dn_expectation *x, const dn_series_data *series, size_t n_series,
                       const dn_summary_val *sum, size_t n_sum, dn_xnum *v, const char **desc, char *why, size_t whylen)
{
	const dn_series_data *sd = !x->checked || x->series ? find_series(series, n_series, x->metric) : NULL;
	const dn_summary_val *sv = sd ? NULL : find_summary(sum, n_sum, x->metric);
	if (sd) {
		*desc = sd->description;
		return dn_expect_take_series(x, sd->t_ns, sd->value, sd->ivalue, sd->n, v, why, whylen) ? DN_TAKE_OK : DN_TAKE_NONE;
	}
	if (sv) {
		*desc = sv->desc;
		if (x->take != DN_TAKE_FINAL) {
			snprintf(why, whylen, "%s is a summary scalar: it has one value (take: final)", x->metric);
			return DN_TAKE_ERR;
		}
		if (x->mean && sv->is_int && sv->i == -1 && strstr(sv->desc, "-1")) {
			/* a "none" marker: left out of a mean; a check on every run sees -1 */
			snprintf(why, whylen, "%s is -1: none in this run", x->metric);
			return DN_TAKE_NONE;
		}
		v->is_int = sv->is_int;
		v->i = sv->i;
		v->d = sv->is_int ? (double)sv->i : sv->f;
		return DN_TAKE_OK;
	}
	snprintf(why, whylen, "%s: this run wrote no such %s", x->metric,
	         x->checked ? (x->series ? "series" : "summary scalar (it is written only when what it counts occurs)")
	                    : "series or summary scalar");
	return DN_TAKE_ERR;
}

void dn_expect_free(dn_expect *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_sets; i++)
		free(e->sets[i]);
	free(e->sets);
	free(e->x);
	free(e);
}

bool dn_expect_needs_baseline(const dn_expect *e)
{
	for (size_t i = 0; e && i < e->n; i++)
		if (e->x[i].op == DN_OP_WITHIN && e->x[i].baseline)
			return true;
	return false;
}

/* ---- taking and judging ---- */

bool dn_expect_take_series(const dn_expectation *x, const int64_t *t_ns, const double *v, const int64_t *iv,
                           size_t n, dn_xnum *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	if (n == 0) {
		snprintf(why, whylen, "%s has no rows", x->metric);
		return false;
	}
	if (x->take == DN_TAKE_FINAL || x->take == DN_TAKE_AT) {
		size_t k = n - 1;
		if (x->take == DN_TAKE_AT) {
			size_t j = n;
			for (size_t i = 0; i < n && (double)t_ns[i] <= x->at_s * 1e9 + 0.5; i++)
				j = i;
			if (j == n) {
				snprintf(why, whylen, "%s has no row at or before %g s (its first is at %g s)", x->metric, x->at_s,
				         (double)t_ns[0] * 1e-9);
				return false;
			}
			k = j;
		}
		out->d = v[k];
		if (iv) {
			out->i = iv[k];
			out->is_int = true;
		}
		return true;
	}
	size_t used = 0;
	double sum = 0;
	bool up = true, first = true;
	for (size_t i = 0; i < n; i++) {
		double ts = (double)t_ns[i] / 1e9;
		if (ts < x->from_s || ts > x->to_s || isnan(v[i]))
			continue;
		if (x->take == DN_TAKE_CROSS) {
			if (first)
				up = x->level >= v[i];
			first = false;
			if (up ? v[i] >= x->level : v[i] <= x->level) {
				out->d = ts;
				return true;
			}
			used++;
			continue;
		}
		if (used == 0 || (x->take == DN_TAKE_MIN && (iv ? iv[i] < out->i : v[i] < out->d)) ||
		    (x->take == DN_TAKE_MAX && (iv ? iv[i] > out->i : v[i] > out->d))) {
			out->d = v[i];
			if (iv) {
				out->i = iv[i];
				out->is_int = true;
			}
		}
		sum += v[i];
		used++;
	}
	if (used == 0) {
		snprintf(why, whylen, "%s has no row (that is a number) in the window", x->metric);
		return false;
	}
	if (x->take == DN_TAKE_CROSS) {
		out->d = INFINITY; /* never */
		return true;
	}
	if (x->take == DN_TAKE_MEAN) {
		out->d = sum / (double)used;
		out->is_int = false;
	}
	return true;
}

void dn_expect_bound_range(const dn_expectation *x, double baseline, double *lo, double *hi)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	switch (x->op) {
	case DN_OP_LT:
	case DN_OP_LE: *hi = x->a.d; break;
	case DN_OP_GT:
	case DN_OP_GE: *lo = x->a.d; break;
	case DN_OP_EQ: *lo = *hi = x->a.d; break;
	case DN_OP_BETWEEN: *lo = x->a.d, *hi = x->b.d; break;
	case DN_OP_WITHIN: {
		double c = x->baseline ? baseline : x->b.d, r = fabs(c) * x->a.d / 100.0;
		*lo = c - r;
		*hi = c + r;
		break;
	}
	}
}

bool dn_expect_holds(const dn_expectation *x, dn_xnum v, double baseline)
{
	if (x->op == DN_OP_EQ && v.is_int && x->a.is_int)
		return v.i == x->a.i;
	if (isnan(v.d))
		return false;
	double lo, hi;
	dn_expect_bound_range(x, baseline, &lo, &hi);
	if (isnan(lo) || isnan(hi))
		return false; /* no baseline */
	switch (x->op) {
	case DN_OP_LT: return v.d < hi;
	case DN_OP_GT: return v.d > lo;
	default: return v.d >= lo && v.d <= hi;
	}
}

void dn_expect_judge(const dn_expectation *x, const dn_xnum *vals, size_t n, double level, double baseline,
                     dn_expect_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->lo = out->hi = NAN;
	out->n = n;
	out->failed_run = SIZE_MAX;
	if (n == 0) {
		snprintf(out->why, sizeof out->why, "no run gave a value");
		return;
	}
	if (!x->mean) {
		out->observed = vals[0];
		for (size_t i = 0; i < n; i++)
			if (!dn_expect_holds(x, vals[i], baseline)) {
				if (out->n_fail++ == 0) {
					out->failed_run = i;
					out->observed = vals[i];
				}
			}
		out->pass = out->n_fail == 0;
		return;
	}
	double sum = 0;
	bool inf = false;
	for (size_t i = 0; i < n; i++) {
		sum += vals[i].d;
		inf = inf || isinf(vals[i].d);
	}
	double mean = sum / (double)n;
	out->observed.d = mean;
	if (inf || isnan(mean) || n < 2) {
		out->lo = out->hi = mean;
		out->pass = dn_expect_holds(x, out->observed, baseline);
		if (n < 2)
			snprintf(out->why, sizeof out->why, "one run: no interval");
		return;
	}
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (vals[i].d - mean) * (vals[i].d - mean);
	double sd = sqrt(ss / (double)(n - 1));
	double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1));
	double half = t * sd / sqrt((double)n);
	out->lo = mean - half;
	out->hi = mean + half;
	dn_xnum lo = {.d = out->lo}, hi = {.d = out->hi};
	double blo, bhi;
	dn_expect_bound_range(x, baseline, &blo, &bhi);
	bool straddles = out->lo < blo && out->hi > bhi;
	out->pass = dn_expect_holds(x, lo, baseline) || dn_expect_holds(x, hi, baseline) || straddles;
	if (out->pass && !dn_expect_holds(x, out->observed, baseline))
		snprintf(out->why, sizeof out->why, "the mean is outside the bound but its interval reaches it: not a significant violation");
}

void dn_xnum_format(dn_xnum v, char *buf, size_t len)
{
	if (v.is_int)
		snprintf(buf, len, "%" PRId64, v.i);
	else if (isinf(v.d))
		snprintf(buf, len, v.d > 0 ? "never" : "-inf");
	else
		snprintf(buf, len, "%.6g", v.d);
}
