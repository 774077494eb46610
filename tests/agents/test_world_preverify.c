/*
 * test_world_preverify.c: parallel validation, serial application in the
 * block step (world_block.c, produce_precheck). With Ed25519 signatures and
 * cheating sharers (forged credentials), a world gives bit-identical
 * results at 1 and 2 threads and with the signature pre-pass switched off
 * (world_chain.no_precheck): the same fingerprint, the same transactions
 * applied and rejected, the same rejections per reason code.
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

static const char *pv_yaml =
	"sim: {model: world, seed: 17, end_time_s: 1800, partitions: 2, sample_interval_s: 10}\n"
	"world: {agents: 800, area_km: 0.4, candidates: 30, operators: 1,"
	" fraud_fraction: 0.3, free_rider_fraction: 0.05}\n"
	"consumer: {mib_per_day: 3000}\n"
	"chain: {delegates: 21, signatures: ed25519}\n"
	"content: {enabled: true}\n";

typedef struct pv_run {
	uint64_t fp, applied, failed, prechecked, rc[DNC_ERC_COUNT];
} pv_run;

static void run_one(int threads, bool no_precheck, pv_run *out)
{
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, pv_yaml, threads, &s);
	world *W = dn_world_model(w);
	assert_false(W->cfg.keyed_sigs);
	assert_false(W->ch.no_precheck); /* on by default */
	W->ch.no_precheck = no_precheck;
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
	run_one(1, false, &one);
	run_one(2, false, &two);
	run_one(2, true, &serial);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precheck_identical_threads_and_serial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
