/*
 * test_net_model.c: the "net" engine model: cells and meshes as partitions
 * under churn run, deliver traffic, and give bit-identical results at 1 and
 * 2 threads; a missing calibration file stops the run with its path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dn_net.h"
#include "engine.h"
#include "scenario.h"

static dn_rc run(int threads, const char *extra, uint64_t *events, uint64_t *bits, char *err, size_t errlen)
{
	dn_registry *reg = dn_registry_new();
	size_t ne, nn;
	const dn_param_def *e = dn_engine_params(&ne), *p = dn_net_params(&nn);
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, e, ne), DN_OK);
	assert_int_equal(dn_registry_add(reg, p, nn), DN_OK);
	const char *ov[] = {"sim.model=net", "net.cells=6", "net.users_per_cell=30", "net.meshes=3",
			    "net.nodes_per_mesh=16", "net.flows_per_mesh=3", "sim.end_time_s=600",
			    "sim.partitions=4", "net.session_mean_s=30", "net.idle_mean_s=60",
			    "net.churn_mean_s=120", "net.mesh.spacing_m=35", extra};
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load(reg, NULL, ov, extra ? 13 : 12, &s, err, errlen);
	assert_int_equal(rc, DN_OK);
	dn_world *w = NULL;
	rc = dn_world_new(&dn_model_net, s, threads, &w, err, errlen);
	if (!rc) {
		dn_run_stats st;
		rc = dn_world_run(w, NULL, NULL, NULL, NULL, &st, err, errlen);
		*events = dn_net_model_events(w);
		*bits = dn_net_model_bits(w);
	}
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
	return rc;
}

static void test_threads_identical(void **st)
{
	(void)st;
	char err[512];
	uint64_t e1, b1, e2, b2;
	assert_int_equal(run(1, NULL, &e1, &b1, err, sizeof err), DN_OK);
	assert_int_equal(run(2, NULL, &e2, &b2, err, sizeof err), DN_OK);
	print_message("events %llu bits %llu\n", (unsigned long long)e1, (unsigned long long)b1);
	assert_true(e1 > 1000);
	assert_true(b1 > 0);
	assert_true(e1 == e2 && b1 == b2);
}

static void test_missing_calibration(void **st)
{
	(void)st;
	char err[512] = "";
	uint64_t e, b;
	assert_int_equal(run(1, "net.calibration_file=/nonexistent/cal.txt", &e, &b, err, sizeof err), DN_EIO);
	assert_non_null(strstr(err, "/nonexistent/cal.txt"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_identical),
		cmocka_unit_test(test_missing_calibration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
