/*
 * test_sweep.c: sweep designs (sim/engine/sweep.h): grid, zip and points
 * give the listed values in member order; random, lhs and sobol fill their
 * ranges as they promise (LHS strata once per parameter, Sobol points equal
 * GSL's sequence); seeds are a pure function of (sweep seed, member index)
 * or, with common seeds, of the replicate; every mistake is an error at
 * FILE:LINE:COLUMN and returns no sweep.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_qrng.h>

#include "scenario.h"
#include "sweep.h"

static const dn_param_def defs[] = {
    {"sim.seed", DN_PT_INT, "1", "1", 0, 9223372036854775807.0, NULL, "seed"},
    {"sim.end_time_s", DN_PT_FLOAT, "s", "10", 1e-9, 1e9, NULL, "horizon"},
    {"chain.lambda", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL, "lambda"},
    {"world.agents", DN_PT_INT, "1", "100", 2, 1e9, NULL, "agents"},
    {"chain.signatures", DN_PT_ENUM, "", "keyed", 0, 0, "keyed|ed25519", "scheme"},
    {"content.enabled", DN_PT_BOOL, "", "false", 0, 0, NULL, "content"},
    {"net.price", DN_PT_FLOAT, "DNET", "1", 1e-6, 1e6, NULL, "price"},
};

static dn_registry *reg(void)
{
	dn_registry *r = dn_registry_new();
	assert_non_null(r);
	assert_int_equal(dn_registry_add(r, defs, sizeof defs / sizeof defs[0]), DN_OK);
	return r;
}

typedef struct loaded {
	dn_registry *r;
	dn_scenario *s;
	dn_sweep *sw;
	char err[4096];
	dn_rc rc;
} loaded;

/* Loads YAML text as "t.yaml" and reads its sweep. */
static void load(loaded *L, const char *yaml)
{
	memset(L, 0, sizeof *L);
	L->r = reg();
	L->rc = dn_scenario_load_string(L->r, "t.yaml", yaml, NULL, 0, &L->s, L->err, sizeof L->err);
	if (L->rc == DN_OK)
		L->rc = dn_sweep_from_scenario(L->r, L->s, &L->sw, L->err, sizeof L->err);
}

static void unload(loaded *L)
{
	dn_sweep_free(L->sw);
	dn_scenario_free(L->s);
	dn_registry_free(L->r);
}

static void value(const dn_sweep *sw, uint64_t point, size_t j, char *buf)
{
	dn_sweep_value(sw, point, j, buf, DN_SWEEP_VALUE_MAX);
}

/* An error whose first line starts with `where` and contains `what`. */
static void expect_error(const char *yaml, const char *where, const char *what)
{
	loaded L;
	load(&L, yaml);
	assert_int_not_equal(L.rc, DN_OK);
	assert_null(L.sw);
	if (strncmp(L.err, where, strlen(where)) != 0 || !strstr(L.err, what))
		fail_msg("expected '%s ... %s', got '%s'", where, what, L.err);
	unload(&L);
}

static void test_no_block_is_no_sweep(void **state)
{
	(void)state;
	loaded L;
	load(&L, "chain: {lambda: 0.3}\n");
	assert_int_equal(L.rc, DN_OK);
	assert_null(L.sw);
	unload(&L);
}

static void test_grid_order_and_values(void **state)
{
	(void)state;
	loaded L;
	load(&L, "sim: {seed: 7}\n"
	         "sweep:\n"
	         "  replicates: 2\n"
	         "  parameters:\n"
	         "    chain.lambda: [0.1, 0.5, 0.9]\n"
	         "    chain.signatures: [keyed, ed25519]\n");
	assert_int_equal(L.rc, DN_OK);
	assert_non_null(L.sw);
	assert_int_equal(dn_sweep_get_design(L.sw), DN_SWEEP_GRID);
	assert_int_equal(dn_sweep_n_points(L.sw), 6);
	assert_int_equal(dn_sweep_n_members(L.sw), 12);
	assert_int_equal(dn_sweep_seed(L.sw), 7); /* sim.seed by default */
	static const char *const lam[] = {"0.1", "0.1", "0.5", "0.5", "0.9", "0.9"};
	static const char *const sig[] = {"keyed", "ed25519", "keyed", "ed25519", "keyed", "ed25519"};
	char buf[DN_SWEEP_VALUE_MAX];
	for (uint64_t p = 0; p < 6; p++) {
		value(L.sw, p, 0, buf);
		assert_string_equal(buf, lam[p]);
		value(L.sw, p, 1, buf);
		assert_string_equal(buf, sig[p]);
	}
	/* member 5 = point 2, replicate 1 */
	char **ov;
	size_t n;
	assert_int_equal(dn_sweep_member_overrides(L.sw, 5, &ov, &n), DN_OK);
	assert_int_equal(n, 3);
	assert_string_equal(ov[0], "chain.lambda=0.5");
	assert_string_equal(ov[1], "chain.signatures=keyed");
	char want[64];
	snprintf(want, sizeof want, "sim.seed=%llu", (unsigned long long)dn_sweep_member_seed(L.sw, 5));
	assert_string_equal(ov[2], want);
	for (size_t i = 0; i < n; i++)
		free(ov[i]);
	free(ov);
	unload(&L);
}

static void test_zip_and_points(void **state)
{
	(void)state;
	loaded L;
	load(&L, "sweep:\n"
	         "  design: zip\n"
	         "  parameters:\n"
	         "    chain.lambda: [0.2, 0.4, 0.6]\n"
	         "    world.agents: [100, 200, 300]\n");
	assert_int_equal(L.rc, DN_OK);
	assert_int_equal(dn_sweep_n_members(L.sw), 3);
	char buf[DN_SWEEP_VALUE_MAX];
	value(L.sw, 1, 0, buf);
	assert_string_equal(buf, "0.4");
	value(L.sw, 1, 1, buf);
	assert_string_equal(buf, "200");
	unload(&L);

	load(&L, "sweep:\n"
	         "  points:\n"
	         "    - {chain.lambda: 0.3, world.agents: 1000}\n"
	         "    - {world.agents: 50, chain.lambda: 0.7}\n");
	assert_int_equal(L.rc, DN_OK);
	assert_int_equal(dn_sweep_get_design(L.sw), DN_SWEEP_POINTS);
	assert_int_equal(dn_sweep_n_points(L.sw), 2);
	assert_string_equal(dn_sweep_param(L.sw, 0)->name, "chain.lambda");
	value(L.sw, 1, 0, buf);
	assert_string_equal(buf, "0.7");
	value(L.sw, 1, 1, buf);
	assert_string_equal(buf, "50");
	unload(&L);
}

static void test_seeds_pure_function_of_index(void **state)
{
	(void)state;
	const char *y = "sweep:\n  seed: 42\n  replicates: 3\n  parameters: {chain.lambda: [0.1, 0.2]}\n";
	loaded A, B, C;
	load(&A, y);
	load(&B, y);
	load(&C, "sweep:\n  seed: 43\n  replicates: 3\n  parameters: {chain.lambda: [0.1, 0.2]}\n");
	assert_int_equal(A.rc, DN_OK);
	assert_int_equal(C.rc, DN_OK);
	uint64_t fwd[6];
	for (uint64_t m = 0; m < 6; m++)
		fwd[m] = dn_sweep_member_seed(A.sw, m);
	/* asked in another order, from another parse: the same seeds */
	for (uint64_t m = 6; m-- > 0;)
		assert_int_equal(dn_sweep_member_seed(B.sw, m), fwd[m]);
	int same_as_other_seed = 0;
	for (uint64_t m = 0; m < 6; m++) {
		assert_true(fwd[m] <= (uint64_t)INT64_MAX); /* a valid sim.seed */
		for (uint64_t k = 0; k < m; k++)
			assert_int_not_equal(fwd[m], fwd[k]);
		same_as_other_seed += dn_sweep_member_seed(C.sw, m) == fwd[m];
	}
	assert_int_equal(same_as_other_seed, 0);
	unload(&A);
	unload(&B);
	unload(&C);

	/* common seeds: replicate r has one seed at every point */
	load(&A, "sweep:\n  seeds: common\n  replicates: 3\n  parameters: {chain.lambda: [0.1, 0.2]}\n");
	assert_int_equal(A.rc, DN_OK);
	assert_true(dn_sweep_common_seeds(A.sw));
	for (uint64_t r = 0; r < 3; r++)
		assert_int_equal(dn_sweep_member_seed(A.sw, r), dn_sweep_member_seed(A.sw, 3 + r));
	assert_int_not_equal(dn_sweep_member_seed(A.sw, 0), dn_sweep_member_seed(A.sw, 1));
	unload(&A);
}

static void test_lhs_strata_once(void **state)
{
	(void)state;
	enum { N = 50 };
	loaded L;
	load(&L, "sweep:\n"
	         "  design: lhs\n"
	         "  samples: 50\n"
	         "  parameters:\n"
	         "    chain.lambda: {min: 0.2, max: 0.7}\n"
	         "    net.price: {min: 0.01, max: 100, scale: log}\n"
	         "    world.agents: {min: 1000, max: 1049}\n");
	assert_int_equal(L.rc, DN_OK);
	int seen[3][N] = {{0}};
	int agents_seen[N] = {0};
	char buf[DN_SWEEP_VALUE_MAX];
	for (uint64_t p = 0; p < N; p++) {
		double u[3];
		dn_sweep_unit_point(L.sw, p, u);
		for (int j = 0; j < 3; j++) {
			assert_true(u[j] >= 0 && u[j] < 1);
			seen[j][(int)(u[j] * N)]++;
		}
		value(L.sw, p, 0, buf);
		double lam = strtod(buf, NULL);
		assert_true(lam >= 0.2 && lam <= 0.7);
		assert_true(fabs(lam - (0.2 + 0.5 * u[0])) < 1e-12);
		value(L.sw, p, 1, buf);
		double price = strtod(buf, NULL);
		assert_true(price >= 0.01 && price <= 100);
		/* log scale: log(price) is uniform */
		assert_true(fabs(log(price) - (log(0.01) + u[1] * (log(100) - log(0.01)))) < 1e-9);
		value(L.sw, p, 2, buf);
		long a = strtol(buf, NULL, 10);
		assert_true(a >= 1000 && a <= 1049);
		agents_seen[a - 1000]++;
	}
	/* every stratum of every parameter exactly once */
	for (int j = 0; j < 3; j++)
		for (int k = 0; k < N; k++)
			assert_int_equal(seen[j][k], 1);
	/* 50 strata over 50 integers: every integer once */
	for (int k = 0; k < N; k++)
		assert_int_equal(agents_seen[k], 1);
	unload(&L);
}

static void test_sobol_equals_gsl(void **state)
{
	(void)state;
	loaded L;
	load(&L, "sweep:\n"
	         "  design: sobol\n"
	         "  samples: 64\n"
	         "  parameters:\n"
	         "    chain.lambda: {min: 0, max: 1}\n"
	         "    net.price: {min: 1, max: 3}\n"
	         "    chain.signatures: [keyed, ed25519]\n");
	assert_int_equal(L.rc, DN_OK);
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 3);
	assert_non_null(q);
	char buf[DN_SWEEP_VALUE_MAX];
	for (uint64_t p = 0; p < 64; p++) {
		double g[3], u[3];
		gsl_qrng_get(q, g);
		dn_sweep_unit_point(L.sw, p, u);
		for (int j = 0; j < 3; j++)
			assert_true(u[j] == g[j]);
		value(L.sw, p, 1, buf);
		assert_true(fabs(strtod(buf, NULL) - (1 + 2 * g[1])) < 1e-12);
		value(L.sw, p, 2, buf);
		assert_string_equal(buf, g[2] < 0.5 ? "keyed" : "ed25519");
	}
	gsl_qrng_free(q);
	unload(&L);
}

static void test_random_reproducible_in_range(void **state)
{
	(void)state;
	const char *y = "sweep:\n  design: random\n  samples: 200\n  seed: 9\n"
	                "  parameters: {chain.lambda: {min: 0.25, max: 0.5}}\n";
	loaded A, B;
	load(&A, y);
	load(&B, y);
	assert_int_equal(A.rc, DN_OK);
	char a[DN_SWEEP_VALUE_MAX], b[DN_SWEEP_VALUE_MAX];
	double lo = 1, hi = 0;
	for (uint64_t p = 200; p-- > 0;) {
		value(A.sw, p, 0, a);
		value(B.sw, p, 0, b);
		assert_string_equal(a, b);
		double x = strtod(a, NULL);
		assert_true(x >= 0.25 && x <= 0.5);
		lo = fmin(lo, x);
		hi = fmax(hi, x);
	}
	assert_true(lo < 0.27 && hi > 0.48); /* spread over the range */
	unload(&A);
	unload(&B);
}

static void test_errors_name_the_place(void **state)
{
	(void)state;
	expect_error("sweep:\n  parameters:\n    chain.lambda: [0.2, 1.5]\n", "t.yaml:3:25:",
	             "chain.lambda: must be between 0 and 1 (got 1.5)");
	expect_error("sweep:\n  parameters:\n    chain.lamda: [0.2]\n", "t.yaml:3:5:",
	             "unknown parameter 'chain.lamda'; did you mean 'chain.lambda'?");
	expect_error("sweep:\n  parameters:\n    sim.seed: [1, 2]\n", "t.yaml:3:5:", "sim.seed cannot be swept");
	expect_error("sweep:\n  parameters:\n    world.agents: ['100']\n", "t.yaml:3:20:",
	             "expected an integer");
	expect_error("sweep:\n  design: grdi\n  parameters: {chain.lambda: [0.1]}\n", "t.yaml:2:11:",
	             "design: expected one of");
	expect_error("sweep:\n  design: zip\n  parameters:\n    chain.lambda: [0.1, 0.2]\n"
	             "    world.agents: [10]\n",
	             "t.yaml:5:19:", "zip: world.agents has 1 values but chain.lambda has 2");
	expect_error("sweep:\n  design: lhs\n  parameters: {chain.lambda: {min: 0, max: 1}}\n", "t.yaml:2:3:",
	             "needs samples");
	expect_error("sweep:\n  design: lhs\n  samples: 4\n  parameters: {chain.lambda: {min: 0.5, max: 0.5}}\n",
	             "t.yaml:4:46:", "chain.lambda: max (0.5) must be above min (0.5)");
	expect_error("sweep:\n  design: lhs\n  samples: 4\n  parameters: {net.price: {min: 1, max: 2, scale: cubic}}\n",
	             "t.yaml:4:51:", "net.price: scale must be linear or log");
	expect_error("sweep:\n  design: random\n  samples: 4\n  parameters: {chain.signatures: {min: 0, max: 1}}\n",
	             "t.yaml:4:34:", "a range {min, max} needs a number parameter");
	expect_error("sweep:\n  replicates: 0\n  parameters: {chain.lambda: [0.1]}\n", "t.yaml:2:15:",
	             "replicates: must be between 1 and");
	expect_error("sweep:\n  paramters: {chain.lambda: [0.1]}\n", "t.yaml:2:3:", "unknown key 'paramters'");
	expect_error("sweep:\n  parameters: {chain.lambda: []}\n", "t.yaml:2:30:", "an empty list of values");
	expect_error("sweep:\n  points:\n    - {chain.lambda: 0.1}\n    - {world.agents: 5}\n", "t.yaml:4:7:",
	             "point 2 does not give chain.lambda");
	expect_error("sweep: [1, 2]\n", "t.yaml:1:8:", "expected a mapping");
	expect_error("sweep:\n  parameters: {chain.lambda: [0.1], chain.lambda: [0.2]}\n", "t.yaml:2:37:",
	             "chain.lambda is swept twice");
}

static void test_every_error_reported(void **state)
{
	(void)state;
	loaded L;
	load(&L, "sweep:\n  parameters:\n    chain.lambda: [2, 0.5, -1]\n    world.agents: [1]\n");
	assert_int_not_equal(L.rc, DN_OK);
	/* three bad values, each on its own line */
	int lines = 1;
	for (const char *p = L.err; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 3);
	assert_non_null(strstr(L.err, "t.yaml:3:20:"));
	assert_non_null(strstr(L.err, "t.yaml:3:28:"));
	assert_non_null(strstr(L.err, "t.yaml:4:20:"));
	unload(&L);
}

/* replicates alone: an ensemble of the base scenario, one point; it draws
 * the same seeds as dn_sweep_ensemble (what `sweep --replicates` and
 * `dnetsim check` run) */
static void test_ensemble(void **state)
{
	(void)state;
	loaded A;
	load(&A, "sweep:\n  replicates: 4\n  seed: 9\n");
	assert_int_equal(A.rc, DN_OK);
	assert_int_equal(dn_sweep_n_points(A.sw), 1);
	assert_int_equal(dn_sweep_n_members(A.sw), 4);
	assert_int_equal(dn_sweep_n_params(A.sw), 0);
	dn_sweep *E = NULL;
	assert_int_equal(dn_sweep_ensemble(A.r, 4, 9, &E), DN_OK);
	for (uint64_t m = 0; m < 4; m++) {
		assert_int_equal(dn_sweep_member_seed(E, m), dn_sweep_member_seed(A.sw, m));
		char **ov = NULL;
		size_t nov = 0;
		assert_int_equal(dn_sweep_member_overrides(E, m, &ov, &nov), DN_OK);
		assert_int_equal(nov, 1); /* sim.seed only */
		assert_int_equal(strncmp(ov[0], "sim.seed=", 9), 0);
		free(ov[0]);
		free(ov);
	}
	dn_sweep_free(E);
	assert_int_equal(dn_sweep_ensemble(A.r, 0, 9, &E), DN_ERANGE);
	assert_null(E);
	unload(&A);
	/* a design still needs its parameters */
	expect_error("sweep:\n  design: grid\n  replicates: 2\n", "t.yaml:2:3:", "needs a parameters");
	expect_error("sweep:\n  samples: 5\n  replicates: 2\n", "t.yaml:2:3:", "needs a parameters");
}

static void test_sweep_only_in_top_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/dnsweep-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char base[64], top[64];
	snprintf(base, sizeof base, "%s/base.yaml", dir);
	snprintf(top, sizeof top, "%s/top.yaml", dir);
	FILE *f = fopen(base, "w");
	assert_non_null(f);
	fputs("sweep:\n  parameters: {chain.lambda: [0.1]}\n", f);
	fclose(f);
	f = fopen(top, "w");
	assert_non_null(f);
	fputs("include: base.yaml\n", f);
	fclose(f);
	dn_registry *r = reg();
	dn_scenario *s = NULL;
	char err[1024];
	assert_int_not_equal(dn_scenario_load(r, top, NULL, 0, &s, err, sizeof err), DN_OK);
	assert_null(s);
	assert_non_null(strstr(err, "base.yaml:1:1: sweep: only the top-level scenario file"));
	dn_registry_free(r);
	remove(base);
	remove(top);
	remove(dir);
}

static void test_limits(void **state)
{
	(void)state;
	/* a grid past the member limit is refused, not allocated */
	char y[4096];
	int k = snprintf(y, sizeof y, "sweep:\n  replicates: 1000000\n  parameters:\n    chain.lambda: [");
	for (int i = 0; i < 200; i++)
		k += snprintf(y + k, sizeof y - (size_t)k, "%s0.%03d", i ? ", " : "", i);
	snprintf(y + k, sizeof y - (size_t)k, "]\n");
	expect_error(y, "t.yaml:2:3:", "more than 100000000 members");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_block_is_no_sweep),
		cmocka_unit_test(test_grid_order_and_values),
		cmocka_unit_test(test_zip_and_points),
		cmocka_unit_test(test_seeds_pure_function_of_index),
		cmocka_unit_test(test_lhs_strata_once),
		cmocka_unit_test(test_sobol_equals_gsl),
		cmocka_unit_test(test_random_reproducible_in_range),
		cmocka_unit_test(test_errors_name_the_place),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_ensemble),
		cmocka_unit_test(test_sweep_only_in_top_file),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
