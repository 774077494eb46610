/*
 * test_world_node_left.c: sessions follow the nodes that leave (R-CRED-3,
 * issue "rates that follow load": a node moves or leaves). When a
 * sharer's link goes down or a relay leaves (a mobile relay moves by
 * leaving and coming back elsewhere), the sessions through it have
 * delivered at their rate until that moment and no longer: the consumer
 * signs its credential for what it got, the last redeem goes out and it
 * re-matches at once, not at its next credential tick.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "world.h"
#include "world_fixture.h"

/* An active session of consumer c with provider 1 (and relay r, or none)
 * at rate bps since t = 0; the counters as w_session_open keeps them. */
static uint32_t add_session(world *W, wpart *P, uint32_t c, uint32_t relay, double bps)
{
	wsess z;
	memset(&z, 0, sizeof z);
	z.state = S_ACTIVE;
	z.gen = 1;
	z.chain_id = 1 + (uint64_t)P->sess.n; /* as the chain numbers sessions: never 0 */
	z.consumer = c;
	z.provider = z.payee = 1;
	z.radio_bps = z.rate_bps = z.rate0_bps = bps;
	z.units_want = UINT64_C(1) << 40;
	if (relay != W_NONE) {
		z.n_relays = 1;
		z.relay[0] = relay;
		W->ag.nrelay[relay]++;
	}
	W->ag.nsess[1]++;
	W->ag.sess_of[c] = (uint32_t)P->sess.n + 1;
	assert_int_equal(wvec_push(&P->sess, &z), DN_OK);
	return (uint32_t)P->sess.n - 1;
}

/* By hand, on a line (consumer 0, sharer 1, consumer 2, relay 3, a
 * candidate 4): a
 * session of 0 through relay 3 and a direct one of 2, both from sharer 1
 * at 100 Mbit/s. Relay 3 leaves at 7 s: the relayed session has delivered
 * exactly 7 s of its rate, the consumer's credential says so, the session
 * winds down (its provider and relay counters drop, its consumer is free
 * and asked to re-match) and the direct session runs on untouched. The
 * sharer's link then goes down at 12 s: the direct session stops with
 * 12 s delivered. A node that carries nothing changes nothing. */
static void test_R_CRED_3_node_left_settles_now(void **state)
{
	(void)state;
	world_held h;
	world *W = held_open(&h,
	                     "sim: {model: world, seed: 5, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n"
	                     "world: {agents: 5, layout: line, line_roles: \"CSCRD\", candidates: 1, operators: 0,"
	                     " line_spacing_m: 20, fraud_fraction: 0, free_rider_fraction: 0}\n"
	                     "chain: {delegates: 4, epoch_blocks: 60, traffic_window_blocks: 60, signatures: keyed}\n",
	                     1);
	dn_part *p = dn_world_part(h.w, 0);
	wpart *P = dn_part_model(p);
	const dn_time_ns S = DN_NS_PER_S;
	const double unit_bits = 8.0 * (double)W->cfg.cp.unit_bytes;
	P->sess.n = 0;
	memset(W->ag.nsess, 0, W->cfg.n * sizeof *W->ag.nsess);
	uint32_t ra = add_session(W, P, 0, 3, 1e8);
	uint32_t rb = add_session(W, P, 2, W_NONE, 1e8);
	uint64_t left0 = P->left_rematches, out0 = P->out.n;

	/* the consumer 2 is no relay: its "leaving" touches nothing */
	assert_int_equal(w_session_node_left(W, p, P, 2, false, 5 * S), DN_OK);
	assert_int_equal(((wsess *)wvec_at(&P->sess, ra))->state, S_ACTIVE);
	assert_int_equal(P->left_rematches, left0);

	assert_int_equal(w_session_node_left(W, p, P, 3, false, 7 * S), DN_OK);
	const wsess *a = wvec_at(&P->sess, ra), *b = wvec_at(&P->sess, rb);
	uint64_t want = (uint64_t)(7e8 / unit_bits);
	assert_true(want > 0);
	assert_int_equal(a->units_done, want);
	assert_int_equal(a->cred.total_units, want); /* signed for what it got */
	assert_int_equal(a->cred_seq, 1);
	assert_int_equal(a->state, S_FINAL);         /* its last redeem is out */
	assert_int_equal(P->out.n, out0 + 1);
	assert_int_equal(W->ag.nrelay[3], 0);
	assert_int_equal(W->ag.nsess[1], 1);
	assert_int_equal(W->ag.sess_of[0], 0);       /* free to re-match */
	assert_int_equal(P->left_rematches, left0 + 1);
	assert_int_equal(b->state, S_ACTIVE);        /* the direct session goes on */
	assert_int_equal(b->units_done, 0);

	assert_int_equal(w_session_node_left(W, p, P, 1, true, 12 * S), DN_OK);
	b = wvec_at(&P->sess, rb);
	assert_int_equal(b->units_done, (uint64_t)(12e8 / unit_bits));
	assert_int_equal(b->cred.total_units, b->units_done);
	assert_int_equal(b->state, S_FINAL);
	assert_int_equal(W->ag.nsess[1], 0);
	assert_int_equal(P->left_rematches, left0 + 2);
	/* nothing left on the sharer: a second outage finds nothing */
	assert_int_equal(w_session_node_left(W, p, P, 1, true, 13 * S), DN_OK);
	assert_int_equal(P->left_rematches, left0 + 2);
	held_close(&h);
}

/* A world whose sharers and relays come and go every few tens of minutes,
 * with credentials a minute apart: at the end no active session runs
 * through a sharer whose link is down or a relay that has left (before,
 * such sessions kept delivering until their next credential), the
 * re-matches on leaving happened, and the run is the same at 1 and 2
 * threads. */
static void churning(uint32_t end_s, int threads, uint64_t *fp, uint64_t *stale, uint64_t *left, uint64_t *active)
{
	char y[1024];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 4, end_time_s: %u, partitions: 2, sample_interval_s: 10}\n"
	         "world: {agents: 3000, area_km: 1, sharer_fraction: 0.08, relay_fraction: 0.3}\n"
	         "chain: {epoch_blocks: 360, traffic_window_blocks: 360, signatures: keyed}\n"
	         "sharer: {uptime_mean_h: 0.5, downtime_mean_h: 0.2}\n"
	         "relay: {uptime_mean_h: 0.3, downtime_mean_h: 0.2}\n"
	         "consumer: {mib_per_day: 20000, session_mib: 2000, diurnal_amplitude: 0, credential_interval_s: 60}\n",
	         end_s);
	world_held h;
	world *W = held_open(&h, y, threads);
	run_world(h.w);
	*fp = dn_world_fingerprint(h.w);
	*stale = *left = *active = 0;
	for (unsigned t = 0; t < W->cfg.nparts; t++) {
		wpart *P = w_part(W, t);
		*left += P->left_rematches;
		for (size_t i = 0; i < P->sess.n; i++) {
			const wsess *s = wvec_at(&P->sess, i);
			if (s->state != S_ACTIVE)
				continue;
			(*active)++;
			bool gone = !w_is_rented_site(W, s->provider) && !(W->ag.online[s->provider] & W_ON_LINK);
			for (uint32_t k = 0; k < s->n_relays; k++)
				gone |= !(W->ag.online[s->relay[k]] & W_ON_RELAY);
			*stale += gone;
		}
	}
	held_close(&h);
}

static void test_R_CRED_3_no_session_through_a_node_that_left(void **state)
{
	(void)state;
	static const uint32_t ends[] = {3610, 7230, 10850};
	uint64_t left_total = 0, active_total = 0;
	for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
		uint64_t fp1, fp2, stale, left, active, s2, l2, a2;
		churning(ends[e], 1, &fp1, &stale, &left, &active);
		if (stale)
			fail_msg("%llu of %llu active sessions at %u s run through a node that left",
			         (unsigned long long)stale, (unsigned long long)active, ends[e]);
		left_total += left;
		active_total += active;
		if (e == 0) {
			churning(ends[e], 2, &fp2, &s2, &l2, &a2);
			assert_true(fp1 == fp2);
			assert_int_equal(l2, left);
		}
	}
	print_message("re-matched on leaving: %llu; active at the ends: %llu\n", (unsigned long long)left_total,
	              (unsigned long long)active_total);
	assert_true(left_total > 10);
	assert_true(active_total > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CRED_3_node_left_settles_now),
		cmocka_unit_test(test_R_CRED_3_no_session_through_a_node_that_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
