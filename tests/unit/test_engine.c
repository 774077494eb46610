/*
 * test_engine.c: the engine's contracts. Determinism (PHOLD gives
 * bit-identical series at 1 and 2 threads), event order inside a
 * partition, causality checks on sends, sampling times, agent ranges,
 * interruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "phold.h"
#include "results.h"

/* ---- a small test model ---- */

enum { T_TICK = 0, T_REMOTE_EARLY = 1, T_PAST = 2 };

typedef struct tm_world {
	int kind;
	int mode; /* 0 ticks, 1 remote too early, 2 local in the past */
	dn_time_ns samples[64];
	int nsamples;
} tm_world;

typedef struct tm_part {
	dn_time_ns last_t;
	uint64_t last_key;
	uint64_t handled;
	int order_ok;
} tm_part;

static const dn_param_def tm_params[] = {
	{"tm.mode", DN_PT_INT, "1", "0", 0, 2, NULL, "test behaviour"},
};

static const dn_column_def tm_cols[] = {{"x", 4, "unused"}, {"y", 8, "unused"}};
static const dn_kind_def tm_kind = {"tm", tm_cols, 2, "test agents"};

static dn_rc tm_tick(dn_part *p, const dn_event *ev)
{
	tm_part *tp = dn_part_model(p);
	dn_world *w = dn_part_world(p);
	tm_world *tw = dn_world_model(w);
	if (ev->t < tp->last_t || (ev->t == tp->last_t && ev->key <= tp->last_key && tp->handled))
		tp->order_ok = 0;
	tp->last_t = ev->t;
	tp->last_key = ev->key;
	tp->handled++;
	unsigned P = dn_world_nparts(w), me = dn_part_index(p);
	if (tw->mode == 1)
		return dn_send(p, ev->t + 1, (me + 1) % P, 0, T_TICK, 0, 0);
	if (tw->mode == 2)
		return dn_send(p, ev->t - 1, me, 0, T_TICK, 0, 0);
	/* Every event is at a multiple of 1000 ns, so events from different
	 * partitions collide in time: ties broken by (source partition, sequence). */
	return dn_send(p, ev->t + 1000, (unsigned)((me + tp->handled) % P), 0, T_TICK, 0, 0);
}

static const dn_handler_fn tm_handlers[] = {tm_tick};

static dn_rc tm_init(dn_world *w, const dn_scenario *s)
{
	tm_world *tw = dn_world_model(w);
	tw->mode = (int)dn_scn_int(s, "tm.mode");
	dn_world_set_lookahead(w, 1000);
	return dn_world_add_kind(w, &tm_kind, 1000, &tw->kind);
}

static dn_rc tm_part_init(dn_part *p)
{
	tm_part *tp = dn_part_model(p);
	tp->order_ok = 1;
	dn_rc rc = dn_send(p, 1000, dn_part_index(p), 0, T_TICK, 0, 0);
	if (!rc)
		rc = dn_send(p, 1000, dn_part_index(p), 1, T_TICK, 0, 0);
	return rc;
}

static dn_rc tm_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	tm_world *tw = dn_world_model(w);
	if (tw->nsamples < 64)
		tw->samples[tw->nsamples++] = t;
	return DN_OK;
}

static const dn_model tm_model = {
	.name = "tm", .doc = "test", .params = tm_params, .n_params = 1,
	.handlers = tm_handlers, .n_handlers = 1,
	.world_state_size = sizeof(tm_world), .part_state_size = sizeof(tm_part),
	.init = tm_init, .part_init = tm_part_init, .sample = tm_sample,
};

/* ---- helpers ---- */

static dn_registry *make_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *e = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, e, n), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_phold.params, dn_model_phold.n_params), DN_OK);
	assert_int_equal(dn_registry_add(reg, tm_params, 1), DN_OK);
	return reg;
}

static dn_scenario *load(dn_registry *reg, const char *yaml)
{
	char err[512];
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load_string(reg, "test", yaml, NULL, 0, &s, err, sizeof err);
	if (rc)
		fail_msg("scenario: %s", err);
	return s;
}

static const char *phold_yaml =
	"sim: {model: phold, seed: 3, end_time_s: 4, partitions: 8, sample_interval_s: 0.25}\n"
	"phold: {lps: 20000, events_per_lp: 2, remote_fraction: 0.3}\n";

/* Runs PHOLD into a results file; returns the fingerprint. */
static uint64_t run_phold(dn_registry *reg, const char *yaml, int threads, const char *path)
{
	dn_scenario *s = load(reg, yaml);
	char err[512];
	dn_world *w = NULL;
	assert_int_equal(dn_world_new(&dn_model_phold, s, threads, &w, err, sizeof err), DN_OK);
	assert_int_equal(dn_world_threads(w), threads);
	dn_results *r = NULL;
	assert_int_equal(dn_results_open(path, &r, err, sizeof err), DN_OK);
	dn_run_stats st;
	assert_int_equal(dn_world_run(w, r, NULL, NULL, NULL, &st, err, sizeof err), DN_OK);
	assert_true(st.events > 100000);
	assert_true(st.remote > 0);
	assert_int_equal(dn_results_close(r, true), DN_OK);
	uint64_t fp = dn_phold_fingerprint(w);
	dn_world_free(w);
	dn_scenario_free(s);
	return fp;
}

static void tmp_path(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "%s/dnetsim-test-engine-%d-%s.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         (int)getpid(), tag);
}

/* ---- tests ---- */

static void test_determinism_phold_1_vs_2_threads(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char p1[512], p2[512];
	tmp_path(p1, sizeof p1, "t1");
	tmp_path(p2, sizeof p2, "t2");
	uint64_t f1 = run_phold(reg, phold_yaml, 1, p1);
	uint64_t f2 = run_phold(reg, phold_yaml, 2, p2);
	assert_int_equal(f1, f2);

	dn_series_data *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	char err[512];
	assert_int_equal(dn_results_read_series(p1, &a, &na, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_read_series(p2, &b, &nb, err, sizeof err), DN_OK);
	assert_int_equal(na, 4);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].name, b[i].name);
		assert_int_equal(a[i].n, b[i].n);
		assert_int_equal(a[i].n, 16); /* 0.25 s samples over 4 s */
		assert_memory_equal(a[i].t_ns, b[i].t_ns, a[i].n * sizeof(int64_t));
		assert_memory_equal(a[i].value, b[i].value, a[i].n * sizeof(double));
	}
	/* The events series adds up to the run's total, and is not all zero. */
	int64_t sum = 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, "events") == 0)
			for (size_t j = 0; j < a[i].n; j++)
				sum += a[i].ivalue[j];
	assert_true(sum > 100000);
	dn_series_data_free(a, na);
	dn_series_data_free(b, nb);
	unlink(p1);
	unlink(p2);

	/* A different seed gives a different run. */
	char p3[512];
	tmp_path(p3, sizeof p3, "t3");
	const char *other =
		"sim: {model: phold, seed: 4, end_time_s: 4, partitions: 8, sample_interval_s: 0.25}\n"
		"phold: {lps: 20000, events_per_lp: 2, remote_fraction: 0.3}\n";
	assert_true(run_phold(reg, other, 2, p3) != f1);
	unlink(p3);
	dn_registry_free(reg);
}

/* The two pending-event sets give the same run, event for event. */
static void test_calendar_and_heap_queues_agree(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char p1[512], p2[512];
	tmp_path(p1, sizeof p1, "cal");
	tmp_path(p2, sizeof p2, "heap");
	const char *cal =
		"sim: {model: phold, seed: 5, end_time_s: 3, partitions: 4, sample_interval_s: 0.5, queue: calendar}\n"
		"phold: {lps: 5000, events_per_lp: 3, remote_fraction: 0.5, lookahead_s: 0.01, mean_delay_s: 0.3}\n";
	const char *heap =
		"sim: {model: phold, seed: 5, end_time_s: 3, partitions: 4, sample_interval_s: 0.5, queue: heap}\n"
		"phold: {lps: 5000, events_per_lp: 3, remote_fraction: 0.5, lookahead_s: 0.01, mean_delay_s: 0.3}\n";
	assert_int_equal(run_phold(reg, cal, 2, p1), run_phold(reg, heap, 1, p2));
	unlink(p1);
	unlink(p2);
	dn_registry_free(reg);
}

static dn_rc run_tm(dn_registry *reg, const char *yaml, int threads, tm_world *out_w, tm_part *out_p,
                    char *err, size_t errlen)
{
	dn_scenario *s = load(reg, yaml);
	dn_world *w = NULL;
	dn_rc rc = dn_world_new(&tm_model, s, threads, &w, err, errlen);
	assert_int_equal(rc, DN_OK);
	rc = dn_world_run(w, NULL, NULL, NULL, NULL, NULL, err, errlen);
	if (out_w)
		*out_w = *(tm_world *)dn_world_model(w);
	if (out_p)
		for (unsigned i = 0; i < dn_world_nparts(w); i++)
			out_p[i] = *(tm_part *)dn_part_model(dn_world_part(w, i));
	dn_world_free(w);
	dn_scenario_free(s);
	return rc;
}

static void test_events_run_in_time_key_order_with_ties(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	tm_world tw;
	tm_part tp[4];
	char err[512];
	const char *y = "sim: {model: tm, end_time_s: 0.0001, partitions: 4, sample_interval_s: 0.00003}\n";
	assert_int_equal(run_tm(reg, y, 2, &tw, tp, err, sizeof err), DN_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(tp[i].order_ok, 1);
		assert_true(tp[i].handled > 50);
	}
	/* Samples at 30, 60, 90 us and the end (100 us). */
	assert_int_equal(tw.nsamples, 4);
	assert_int_equal(tw.samples[0], 30000);
	assert_int_equal(tw.samples[1], 60000);
	assert_int_equal(tw.samples[2], 90000);
	assert_int_equal(tw.samples[3], 100000);
	dn_registry_free(reg);
}

static void test_causality_violations_are_errors(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char err[512];
	const char *early = "sim: {model: tm, end_time_s: 0.001, partitions: 2}\ntm: {mode: 1}\n";
	assert_int_equal(run_tm(reg, early, 1, NULL, NULL, err, sizeof err), DN_ECAUSALITY);
	assert_non_null(strstr(err, "lookahead"));
	assert_non_null(strstr(err, "partition 0"));
	const char *past = "sim: {model: tm, end_time_s: 0.001, partitions: 2}\ntm: {mode: 2}\n";
	assert_int_equal(run_tm(reg, past, 2, NULL, NULL, err, sizeof err), DN_ECAUSALITY);
	assert_non_null(strstr(err, "before now"));
	dn_registry_free(reg);
}

static void test_partition_ranges_cover_every_agent_once(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	static const unsigned parts[] = {1, 3, 7, 16, 100};
	for (size_t k = 0; k < 5; k++) {
		char y[256];
		snprintf(y, sizeof y, "sim: {model: phold, partitions: %u}\nphold: {lps: 1009}\n", parts[k]);
		dn_scenario *s = load(reg, y);
		dn_world *w = NULL;
		char err[256];
		assert_int_equal(dn_world_new(&dn_model_phold, s, 1, &w, err, sizeof err), DN_OK);
		uint64_t expect = 0;
		for (unsigned p = 0; p < parts[k]; p++) {
			uint64_t b, e;
			dn_world_part_range(w, 0, p, &b, &e);
			assert_int_equal(b, expect);
			assert_true(e >= b);
			for (uint64_t a = b; a < e; a++)
				assert_int_equal(dn_world_part_of(w, 0, a), p);
			expect = e;
		}
		assert_int_equal(expect, 1009);
		assert_true(dn_world_bytes_per_agent(w) == 8.0);
		dn_world_free(w);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

static void test_stop_flag_interrupts(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = load(reg, phold_yaml);
	dn_world *w = NULL;
	char err[256];
	assert_int_equal(dn_world_new(&dn_model_phold, s, 1, &w, err, sizeof err), DN_OK);
	volatile int stop = 1;
	assert_int_equal(dn_world_run(w, NULL, NULL, NULL, (volatile const int *)&stop, NULL, err, sizeof err),
	                 DN_EINTERRUPTED);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

static void test_model_errors_reported(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	/* More partitions than LPs: the model refuses with a reason. */
	dn_scenario *s = load(reg, "sim: {model: phold, partitions: 64}\nphold: {lps: 10}\n");
	dn_world *w = NULL;
	char err[256];
	assert_int_equal(dn_world_new(&dn_model_phold, s, 1, &w, err, sizeof err), DN_ERANGE);
	assert_null(w);
	assert_non_null(strstr(err, "phold.lps"));
	dn_scenario_free(s);
	/* A pending-event bound that the initial events exceed. */
	s = load(reg, "sim: {model: phold, partitions: 1, max_pending_per_partition: 1024}\nphold: {lps: 2000}\n");
	assert_int_equal(dn_world_new(&dn_model_phold, s, 1, &w, err, sizeof err), DN_ELIMIT);
	assert_non_null(strstr(err, "max_pending"));
	dn_scenario_free(s);
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism_phold_1_vs_2_threads),
		cmocka_unit_test(test_calendar_and_heap_queues_agree),
		cmocka_unit_test(test_events_run_in_time_key_order_with_ties),
		cmocka_unit_test(test_causality_violations_are_errors),
		cmocka_unit_test(test_partition_ranges_cover_every_agent_once),
		cmocka_unit_test(test_stop_flag_interrupts),
		cmocka_unit_test(test_model_errors_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
