/*
 * test_memcheck.c: the memory estimate every model gives (dn_model.estimate)
 * and the check `dnetsim run` makes with it (sim/cli/memcheck.c):
 *  - every model has an estimate, and it grows linearly with the parameter
 *    that drives it (agents, LPs, cells, meshes);
 *  - estimates stay within 2x of peak RSS measured in Release builds
 *    (docs/performance.md, "Memory estimate");
 *  - a run that does not fit is refused with a message naming the
 *    parameter and its value, --force turns the refusal into a warning,
 *    and a run that fits passes silently;
 *  - a results file that cannot fit on the disk is refused naming
 *    sim.sample_interval_s; --quiet silences only the advisory warnings;
 *  - DNETSIM_MEMORY_LIMIT caps what is available.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "memcheck.h"
#include "models.h"
#include "phold.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

/* The registry `dnetsim` builds (sim/cli/common.c), sim.model a plain string. */
static dn_registry *make_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *d = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	const dn_model *const *m = dn_models_all();
	for (size_t i = 0; m[i]; i++)
		if (m[i]->params)
			assert_int_equal(dn_registry_add(reg, m[i]->params, m[i]->n_params), DN_OK);
	d = dn_net_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	d = dn_market_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	return reg;
}

static dn_scenario *load(dn_registry *reg, const char *path, const char *const *sets, size_t n_sets)
{
	char err[512];
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load(reg, path, sets, n_sets, &s, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	return s;
}

/* The need of a run of the scenario file (relative to the source tree) with overrides. */
static dn_cli_need need_of(dn_registry *reg, const char *file, const char *const *sets, size_t n_sets)
{
	char path[1024] = "";
	const char *src = getenv("DNETSIM_SOURCE_DIR");
	if (file)
		snprintf(path, sizeof path, "%s/%s", src ? src : ".", file);
	dn_scenario *s = load(reg, file ? path : NULL, sets, n_sets);
	const dn_model *m = dn_model_find(dn_scn_str(s, "sim.model"));
	assert_non_null(m);
	dn_cli_need need;
	assert_int_equal(dn_cli_mem_need(m, s, 2, &need), DN_OK);
	dn_scenario_free(s);
	assert_true(need.known);
	return need;
}

static void test_every_model_has_an_estimate(void **state)
{
	(void)state;
	const dn_model *const *m = dn_models_all();
	for (size_t i = 0; m[i]; i++)
		if (!m[i]->estimate)
			fail_msg("model '%s' has no memory estimate", m[i]->name);
}

/* m(x), m(2x), m(4x): equal steps, up to 1 %. */
static void assert_linear(double m1, double m2, double m4)
{
	double d1 = m2 - m1, d2 = m4 - m2;
	assert_true(d1 > 0);
	if (!(d2 > 1.98 * d1 && d2 < 2.02 * d1))
		fail_msg("not linear: %.0f, %.0f, %.0f bytes", m1, m2, m4);
}

static void test_estimate_grows_linearly(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	static const struct { const char *model, *param; } cases[] = {
		{"world", "world.agents"}, {"phold", "phold.lps"}, {"peer", "peer.agents"},
		{"net", "net.cells"}, {"net", "net.meshes"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double mem[3];
		for (int k = 0; k < 3; k++) {
			char model[64], val[96];
			snprintf(model, sizeof model, "sim.model=%s", cases[c].model);
			snprintf(val, sizeof val, "%s=%d", cases[c].param, 1000000 << k);
			/* keyed signatures: with Ed25519 a world of up to 2M agents also
			 * keeps its secret keys, a step at 2M (W_CACHE_KEYS_ED25519_MAX) */
			const char *sets[] = {model, val, "sim.end_time_s=60", "sim.sample_interval_s=10",
			                      "chain.signatures=keyed"};
			mem[k] = need_of(reg, NULL, sets, strcmp(cases[c].model, "world") ? 4 : 5).mem_bytes;
		}
		assert_linear(mem[0], mem[1], mem[2]);
	}
	/* the world also grows with the simulated days */
	double day[3];
	for (int k = 0; k < 3; k++) {
		char end[64];
		snprintf(end, sizeof end, "sim.end_time_s=%d", 86400 << k);
		const char *sets[] = {"sim.model=world", "world.agents=1000000", end, "sim.sample_interval_s=10"};
		day[k] = need_of(reg, NULL, sets, 4).mem_bytes;
	}
	assert_true(day[1] > day[0] && day[2] > day[1]);
	dn_registry_free(reg);
}

/* A world's rows follow record.*: one per block by default, one per
 * interval of its most often written group otherwise; and its memory
 * stops growing with the horizon once the chain's session table is full. */
static void test_world_estimate_follows_recording_and_bounded_table(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const char *block[] = {"sim.model=world", "world.agents=100000", "sim.end_time_s=2592000",
	                       "sim.sample_interval_s=10"};
	const char *day[] = {"sim.model=world", "world.agents=100000", "sim.end_time_s=2592000",
	                     "sim.sample_interval_s=10", "record.interval=day"};
	const char *mixed[] = {"sim.model=world", "world.agents=100000", "sim.end_time_s=2592000",
	                       "sim.sample_interval_s=10", "record.interval=day", "record.chain=hour"};
	dn_cli_need b = need_of(reg, NULL, block, 4), d = need_of(reg, NULL, day, 5), m = need_of(reg, NULL, mixed, 6);
	assert_true(b.est.rows >= 259200 && b.est.rows <= 259202); /* 30 days of 10 s blocks */
	assert_true(d.est.rows >= 30 && d.est.rows <= 32);
	assert_true(m.est.rows >= 720 && m.est.rows <= 722);     /* the chain group hourly */
	assert_true(d.file_bytes < b.file_bytes / 1000);
	const char *y1[] = {"sim.model=world", "world.agents=100000", "sim.end_time_s=31536000",
	                    "sim.sample_interval_s=10", "record.interval=day"};
	const char *y10[] = {"sim.model=world", "world.agents=100000", "sim.end_time_s=315360000",
	                     "sim.sample_interval_s=10", "record.interval=day"};
	dn_cli_need a1 = need_of(reg, NULL, y1, 5), a10 = need_of(reg, NULL, y10, 5);
	assert_true(a10.est.model_bytes == a1.est.model_bytes);
	dn_registry_free(reg);
}

/* Peak RSS measured with Release builds (docs/performance.md): the
 * estimate must stay within 2x either way. */
static void test_estimate_within_2x_of_measured(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	static const struct {
		const char *file;
		const char *sets[3];
		double rss_mib;
	} runs[] = {
		{"scenarios/bench/phold.yaml", {"sim.end_time_s=2", NULL, NULL}, 88.1},
		{"scenarios/bench/phold.yaml", {"phold.lps=4000000", "phold.events_per_lp=4", "sim.end_time_s=2"}, 704.4},
		{"scenarios/bench/peer-tokenomics.yaml", {"peer.agents=4000000", "sim.end_time_s=100", NULL}, 309.7},
		{"scenarios/scale-1m.yaml", {NULL, NULL, NULL}, 589.8},
		{"scenarios/scale-1m.yaml", {"world.agents=200000", "sim.end_time_s=60", NULL}, 130.6},
		{"scenarios/scale-10m.yaml", {NULL, NULL, NULL}, 5356.0},
		{"scenarios/net-churn.yaml", {"net.cells=10000", "sim.end_time_s=1", NULL}, 206.9},
		{"scenarios/net-churn.yaml", {"net.cells=0", "net.meshes=200", "net.nodes_per_mesh=1024"}, 38.5},
	};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		size_t n = 0;
		while (n < 3 && runs[i].sets[n])
			n++;
		double est = need_of(reg, runs[i].file, runs[i].sets, n).mem_bytes / MIB;
		if (!(est > runs[i].rss_mib / 2 && est < runs[i].rss_mib * 2))
			fail_msg("%s (%s): estimate %.1f MiB, measured %.1f MiB", runs[i].file,
			         runs[i].sets[0] ? runs[i].sets[0] : "as shipped", est, runs[i].rss_mib);
	}
	dn_registry_free(reg);
}

/* Runs dn_cli_mem_decide; returns its code, *text what it printed (caller frees). */
static int decide(const dn_cli_need *need, const dn_cli_avail *av, const dn_scenario *s, bool force, bool quiet,
                  char **text)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	assert_non_null(f);
	int code = dn_cli_mem_decide(need, av, s, force, quiet, "/some/folder/out.h5", f);
	fclose(f);
	return code;
}

static void test_refusal_names_the_parameter_and_force_passes(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	const char *sets[] = {"world.agents=80000000"};
	char path[1024];
	const char *src = getenv("DNETSIM_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/scenarios/scale-1m.yaml", src ? src : ".");
	dn_scenario *s = load(reg, path, sets, 1);
	dn_cli_need need;
	assert_int_equal(dn_cli_mem_need(&dn_model_world, s, 2, &need), DN_OK);
	assert_true(need.mem_bytes > 20 * GIB); /* about 560 bytes per agent */

	dn_cli_avail av = {.mem_bytes = 21.3 * GIB, .mem_source = "MemAvailable", .disk_bytes = 100 * GIB};
	char *text = NULL;
	assert_int_equal(decide(&need, &av, s, false, false, &text), 2);
	assert_non_null(strstr(text, "this run needs about"));
	assert_non_null(strstr(text, "world.agents=80000000"));
	assert_non_null(strstr(text, "per agent"));
	assert_non_null(strstr(text, "21.3 GiB is available (MemAvailable)"));
	assert_non_null(strstr(text, "lower world.agents"));
	assert_non_null(strstr(text, "pass --force"));
	free(text);

	assert_int_equal(decide(&need, &av, s, true, false, &text), 0);
	assert_non_null(strstr(text, "warning"));
	assert_non_null(strstr(text, "world.agents=80000000"));
	assert_non_null(strstr(text, "--force"));
	free(text);

	/* --quiet never hides a refusal */
	assert_int_equal(decide(&need, &av, s, false, true, &text), 2);
	assert_non_null(strstr(text, "world.agents=80000000"));
	free(text);

	/* enough memory: silent */
	av.mem_bytes = 4 * need.mem_bytes;
	assert_int_equal(decide(&need, &av, s, false, false, &text), 0);
	assert_string_equal(text, "");
	free(text);

	/* near the limit: a warning, not a refusal */
	av.mem_bytes = need.mem_bytes * 1.1;
	assert_int_equal(decide(&need, &av, s, false, false, &text), 0);
	assert_non_null(strstr(text, "warning"));
	free(text);

	/* unknown memory: nothing to check */
	av.mem_bytes = -1;
	assert_int_equal(decide(&need, &av, s, false, false, &text), 0);
	free(text);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

static void test_other_models_name_their_parameters(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	static const struct { const char *sets[4]; const char *want[2]; } cases[] = {
		{{"sim.model=phold", "phold.lps=400000000", "phold.events_per_lp=1000", NULL},
		 {"phold.lps=400000000", "phold.events_per_lp=1000"}},
		{{"sim.model=net", "net.meshes=10000000", "net.nodes_per_mesh=4096", NULL},
		 {"net.meshes=10000000", "net.nodes_per_mesh=4096"}},
		{{"sim.model=peer", "peer.agents=100000000", NULL, NULL}, {"peer.agents=100000000", "per agent"}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = 0;
		while (n < 4 && cases[c].sets[n])
			n++;
		dn_scenario *s = load(reg, NULL, cases[c].sets, n);
		dn_cli_need need;
		assert_int_equal(dn_cli_mem_need(dn_model_find(dn_scn_str(s, "sim.model")), s, 1, &need), DN_OK);
		dn_cli_avail av = {.mem_bytes = need.mem_bytes / 2, .mem_source = "MemAvailable", .disk_bytes = -1};
		char *text = NULL;
		assert_int_equal(decide(&need, &av, s, false, false, &text), 2);
		for (int k = 0; k < 2; k++)
			if (!strstr(text, cases[c].want[k]))
				fail_msg("'%s' not in: %s", cases[c].want[k], text);
		free(text);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

static void test_results_size(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	/* 10^15 samples per series: no disk holds that */
	const char *huge[] = {"sim.model=phold", "phold.lps=1000", "sim.sample_interval_s=1e-9", "sim.end_time_s=1e6"};
	dn_scenario *s = load(reg, NULL, huge, 4);
	dn_cli_need need;
	assert_int_equal(dn_cli_mem_need(&dn_model_phold, s, 1, &need), DN_OK);
	assert_true(need.file_bytes > 1e16);
	dn_cli_avail av = {.mem_bytes = 64 * GIB, .mem_source = "MemAvailable", .disk_bytes = 80 * GIB};
	char *text = NULL;
	assert_int_equal(decide(&need, &av, s, false, true, &text), 2);
	assert_non_null(strstr(text, "sim.sample_interval_s=1e-09"));
	assert_non_null(strstr(text, "free in /some/folder"));
	free(text);
	assert_int_equal(decide(&need, &av, s, true, true, &text), 0);
	assert_non_null(strstr(text, "--force"));
	free(text);
	dn_scenario_free(s);

	/* 2 x 10^7 samples: fits, but warned about (size and sample points), unless quiet */
	const char *fine[] = {"sim.model=phold", "phold.lps=1000", "sim.sample_interval_s=1e-6", "sim.end_time_s=20"};
	s = load(reg, NULL, fine, 4);
	assert_int_equal(dn_cli_mem_need(&dn_model_phold, s, 1, &need), DN_OK);
	assert_int_equal(decide(&need, &av, s, false, false, &text), 0);
	assert_non_null(strstr(text, "warning: sim.sample_interval_s=1e-06"));
	assert_non_null(strstr(text, "before compression"));
	assert_non_null(strstr(text, "sample points"));
	free(text);
	assert_int_equal(decide(&need, &av, s, false, true, &text), 0);
	assert_string_equal(text, "");
	free(text);
	dn_scenario_free(s);

	/* the shipped scenarios' files are small: no word */
	need = need_of(reg, "scenarios/scale-1m.yaml", NULL, 0);
	assert_true(need.file_bytes < 100 * MIB);
	dn_registry_free(reg);
}

static void test_memory_limit_variable(void **state)
{
	(void)state;
	dn_cli_avail av;
	setenv("DNETSIM_MEMORY_LIMIT", "1M", 1);
	dn_cli_mem_avail("/tmp/x.h5", &av);
	assert_true(av.mem_bytes <= MIB);
	assert_string_equal(av.mem_source, "DNETSIM_MEMORY_LIMIT");
	assert_true(av.disk_bytes > 0);
	setenv("DNETSIM_MEMORY_LIMIT", "2GiB", 1);
	dn_cli_mem_avail(NULL, &av);
	assert_true(av.mem_bytes <= 2 * GIB);
	assert_true(av.disk_bytes < 0);
	setenv("DNETSIM_MEMORY_LIMIT", "lots", 1);
	dn_cli_mem_avail(NULL, &av);
	assert_string_equal(av.bad_limit, "lots");
	assert_true(av.mem_bytes > 0);
	unsetenv("DNETSIM_MEMORY_LIMIT");
	dn_cli_mem_avail("out.h5", &av);
	assert_null(av.bad_limit);
	assert_true(av.mem_bytes > 0); /* /proc/meminfo or sysconf */
	assert_non_null(av.mem_source);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_model_has_an_estimate),
		cmocka_unit_test(test_estimate_grows_linearly),
		cmocka_unit_test(test_estimate_within_2x_of_measured),
		cmocka_unit_test(test_world_estimate_follows_recording_and_bounded_table),
		cmocka_unit_test(test_refusal_names_the_parameter_and_force_passes),
		cmocka_unit_test(test_other_models_name_their_parameters),
		cmocka_unit_test(test_results_size),
		cmocka_unit_test(test_memory_limit_variable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
