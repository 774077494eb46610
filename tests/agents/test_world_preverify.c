/*
 * test_world_preverify.c: parallel validation, serial application in the
 * block step (world_block.c, produce_precheck). With Ed25519 signatures and
 * cheating sharers (forged credentials), a world gives bit-identical
 * results at 1 and 2 threads and with the signature pre-pass switched off
 * (world_chain.no_precheck): the same fingerprint, the same transactions
 * applied and rejected, the same rejections per reason code. The same with
 * keyed signatures, whose pre-pass runs only on large blocks and while the
 * engine's windows run on all threads: here on every block
 * (world_chain.keyed_precheck_min lowered to 1,
 * keyed_precheck_all_threads), and at the defaults, where this small
 * world's windows run on one thread and its pre-pass seldom runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "results.h"
#include "world.h"
#include "world_fixture.h"

#define PV_YAML(sigs, parts) \
	"sim: {model: world, seed: 17, end_time_s: 1800, partitions: " parts ", sample_interval_s: 10}\n" \
	"world: {agents: 800, area_km: 0.4, candidates: 30, operators: 1," \
	" fraud_fraction: 0.3, free_rider_fraction: 0.05}\n" \
	"consumer: {mib_per_day: 3000}\n" \
	"chain: {delegates: 21, signatures: " sigs "}\n" \
	"content: {enabled: true}\n"
static const char *pv_yaml = PV_YAML("ed25519", "2");
static const char *pv_yaml_keyed = PV_YAML("keyed", "2");
/* one partition: the engine runs every window on one thread */
static const char *pv_yaml_keyed_one = PV_YAML("keyed", "1");

typedef struct pv_run {
	uint64_t fp, applied, failed, prechecked, rc[DNC_ERC_COUNT];
} pv_run;

/* keyed_min: 0 runs the Ed25519 world, else the keyed one with its
 * pre-pass from that many transactions a block, on the run's threads
 * whatever the windows ran on when all_threads */
static void run_yaml(const char *yaml, int threads, bool no_precheck, uint32_t keyed_min, bool all_threads,
                     pv_run *out)
{
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, yaml, threads, &s);
	world *W = dn_world_model(w);
	assert_true(W->cfg.keyed_sigs == (keyed_min > 0));
	assert_false(W->ch.no_precheck); /* on by default */
	W->ch.no_precheck = no_precheck;
	if (keyed_min) {
		assert_int_equal(W->ch.keyed_precheck_min, W_KEYED_PRECHECK_MIN);
		assert_false(W->ch.keyed_precheck_all_threads);
		W->ch.keyed_precheck_min = keyed_min;
		W->ch.keyed_precheck_all_threads = all_threads;
	}
	run_world(w);
	out->fp = W->rec.fingerprint;
	assert_true(out->fp == dn_world_fingerprint(w));
	out->applied = W->ch.tx_applied;
	out->failed = W->ch.tx_failed;
	out->prechecked = W->ch.tx_prechecked;
	memcpy(out->rc, W->ch.tx_fail_rc, sizeof out->rc);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

static void run_one(int threads, bool no_precheck, uint32_t keyed_min, pv_run *out)
{
	run_yaml(keyed_min ? pv_yaml_keyed : pv_yaml, threads, no_precheck, keyed_min, keyed_min == 1, out);
}

static void same_run(const pv_run *a, const pv_run *b)
{
	assert_true(a->fp == b->fp);
	assert_int_equal(a->applied, b->applied);
	assert_int_equal(a->failed, b->failed);
	assert_memory_equal(a->rc, b->rc, sizeof a->rc);
}

static void test_precheck_identical_threads_and_serial(void **state)
{
	(void)state;
	pv_run one, two, serial;
	run_one(1, false, 0, &one);
	run_one(2, false, 0, &two);
	run_one(2, true, 0, &serial);
	print_message("applied %llu, rejected %llu (bad signatures %llu), pre-checked %llu\n",
	              (unsigned long long)one.applied, (unsigned long long)one.failed,
	              (unsigned long long)one.rc[DNC_EBADSIG], (unsigned long long)one.prechecked);
	/* the world did what the test is about */
	assert_true(one.applied > 100);
	assert_true(one.rc[DNC_EBADSIG] > 0); /* forged credentials caught */
	assert_true(one.prechecked >= one.applied); /* every block transaction had a verdict */
	assert_true(two.prechecked == one.prechecked);
	assert_int_equal(serial.prechecked, 0);
	same_run(&one, &two);
	same_run(&one, &serial);
}

static void test_keyed_precheck_identical_threads_and_serial(void **state)
{
	(void)state;
	pv_run one, two, serial, large, one_part, one_part_serial;
	run_one(1, false, 1, &one);    /* one thread: serial checks */
	run_one(2, false, 1, &two);    /* every block pre-checked */
	run_one(2, true, 1, &serial);  /* pre-pass off */
	run_one(2, false, W_KEYED_PRECHECK_MIN, &large); /* the defaults: large blocks of parallel windows only */
	/* every block large enough, but the windows of one partition run on
	 * one thread, and so does the keyed pre-pass: none */
	run_yaml(pv_yaml_keyed_one, 2, false, 1, false, &one_part);
	run_yaml(pv_yaml_keyed_one, 1, true, 1, false, &one_part_serial);
	print_message("keyed: applied %llu, rejected %llu (bad signatures %llu), pre-checked %llu at 2 threads, "
	              "%llu from %u a block\n",
	              (unsigned long long)two.applied, (unsigned long long)two.failed,
	              (unsigned long long)two.rc[DNC_EBADSIG], (unsigned long long)two.prechecked,
	              (unsigned long long)large.prechecked, W_KEYED_PRECHECK_MIN);
	assert_true(two.applied > 100);
	assert_true(two.rc[DNC_EBADSIG] > 0);
	assert_int_equal(one.prechecked, 0);
	assert_true(two.prechecked >= two.applied);
	assert_int_equal(serial.prechecked, 0);
	assert_true(large.prechecked < two.prechecked); /* this world's blocks are small */
	assert_true(one_part.applied > 100);
	assert_int_equal(one_part.prechecked, 0);
	same_run(&one_part, &one_part_serial);
	same_run(&one, &two);
	same_run(&one, &serial);
	same_run(&one, &large);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precheck_identical_threads_and_serial),
		cmocka_unit_test(test_keyed_precheck_identical_threads_and_serial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
