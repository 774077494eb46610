/*
 * test_world_cross_tiles.c: matching and relay paths across tile borders
 * (world.cross_tiles, world_cross.c). A consumer near a border is matched
 * over its own tile's sharers and the other tile's as the last block step
 * saw them, in one R-CRED-3 order; the block step reserves the remote
 * sharer in (tile, sequence) order against its live state; the session
 * then lives in the consumer's tile, and its end returns the sharer's
 * session and quota through the block step. Results are the same at any
 * thread count.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "world.h"
#include "world_fixture.h"

#define SHARING (W_ON_LINK | W_ON_SHARING)

/* A session of consumer c asking for provider a (halo entry xh - 1). */
static uint32_t add_asking(wpart *P, uint32_t c, uint32_t a, uint32_t xh)
{
	wsess z;
	memset(&z, 0, sizeof z);
	z.state = S_ASKING;
	z.gen = 2;
	z.consumer = c;
	z.provider = z.payee = a;
	z.op = W_NONE;
	z.xh = xh;
	z.units_want = 10;
	z.units_deposit = 1000;
	z.price_per_unit_base = 1;
	z.rate_bps = z.rate0_bps = z.radio_bps = 1e7;
	P->x_open++;
	assert_int_equal(wvec_push(&P->sess, &z), DN_OK);
	return (uint32_t)P->sess.n - 1;
}

/* What the block step does across tiles: the answers before the block, the snapshot after. */
static dn_rc cross_step(world *W, dn_time_ns t)
{
	dn_rc rc = w_cross_answer(W, t);
	return rc ? rc : w_cross_snapshot(W);
}

static const wrcpt *last_in(const wpart *P)
{
	assert_true(P->in.n > 0);
	return wvec_at(&P->in, P->in.n - 1);
}

/* Two tiles side by side (tile 0 west of x = 150 m). By hand: the halo,
 * the snapshot, the merged match, and the block step's answers. */
static void test_R_CRED_3_cross_tiles_by_hand(void **state)
{
	(void)state;
	world_held h;
	world *W = held_open(&h,
	                     "sim: {model: world, seed: 7, end_time_s: 60, partitions: 2, sample_interval_s: 10}\n"
	                     "world: {agents: 400, area_km: 0.3, sharer_fraction: 0.2, cross_tiles: true}\n"
	                     "chain: {delegates: 4, epoch_blocks: 60, traffic_window_blocks: 60, signatures: keyed}\n",
	                     1);
	world_agents *A = &W->ag;
	wpart *P0 = w_part(W, 0), *P1 = w_part(W, 1);
	const dn_time_ns S = DN_NS_PER_S;
	/* tile 0's halo: tile 1's sharers within a sharer's range of its rectangle, ascending */
	assert_true(P0->nhalo > 2);
	assert_true(P1->nhalo > 2);
	double R = W->cfg.sharer_range_m * 100.0;
	for (uint32_t k = 0; k < P0->nhalo; k++) {
		uint32_t a = P0->halo[k];
		assert_true(a >= P1->begin && a < P1->end);
		assert_true(A->role[a] & W_SHARER);
		assert_true((double)A->x_cm[a] - (P0->x0_cm + P0->w_cm) <= R);
		if (k)
			assert_true(P0->halo[k - 1] < a);
		assert_int_equal(w_cross_halo_index(P0, a), k);
		assert_int_equal(w_match_agent(P0, w_match_id(P0, a)), a);
	}
	uint32_t n_in1 = 0; /* every such sharer is in it */
	for (uint64_t a = P1->begin; a < P1->end; a++)
		n_in1 += (A->role[a] & W_SHARER) && !(A->role[a] & W_SITE) &&
		         (double)A->x_cm[a] - (P0->x0_cm + P0->w_cm) <= R;
	assert_int_equal(n_in1, P0->nhalo);

	/* only halo sharer 0 (a) shares; tile 0 has no sharer in its index */
	uint32_t a = P0->halo[0];
	for (uint32_t k = 0; k < P0->nhalo; k++)
		A->online[P0->halo[k]] = (uint8_t)(A->online[P0->halo[k]] & ~W_ON_SHARING);
	A->online[a] |= SHARING;
	A->quota_units[a] = 100000;
	A->nsess[a] = 0;
	for (uint64_t l = P0->begin; l < P0->end; l++) {
		int32_t x, y;
		if (dn_spatial_get(P0->sx, (uint32_t)(l - P0->begin), &x, &y) == DN_OK)
			assert_int_equal(dn_spatial_remove(P0->sx, (uint32_t)(l - P0->begin)), DN_OK);
	}
	P0->in.n = P1->in.n = 0;
	assert_int_equal(cross_step(W, 10 * S), DN_OK);
	assert_int_equal(dn_spatial_count(P0->hx), 1);
	assert_int_equal(P0->hs[0].sharing, 1);
	assert_int_equal(P0->hs[0].quota_units, 100000);

	/* a consumer of tile 0 at the border, level with a */
	uint32_t c = (uint32_t)P0->begin;
	int32_t qx = P0->x0_cm + P0->w_cm - 3, qy = A->y_cm[a];
	assert_true(w_cross_near(W, P0, qx, qy));
	uint32_t prov = 0, xh = 9, ex = 0;
	assert_int_equal(w_match_at(W, P0, c, qx, qy, 10, W_NONE, &prov, &xh, &ex), DN_OK);
	assert_int_equal(prov, a);
	assert_int_equal(xh, 1);
	assert_int_equal(w_match_at(W, P0, c, qx, qy, 10, a, &prov, &xh, &ex), DN_OK); /* re-match without it */
	assert_int_equal(prov, W_NONE);
	/* more than the quota asked: not eligible */
	assert_int_equal(w_match_at(W, P0, c, qx, qy, 200000, W_NONE, &prov, &xh, &ex), DN_OK);
	assert_int_equal(prov, W_NONE);
	/* deep in the tile, the halo is not asked at all */
	assert_false(w_cross_near(W, P0, P0->x0_cm + P0->w_cm / 2, P0->y0_cm + P0->h_cm / 2));

	/* a sharer of tile 0 at the same spot: R-CRED-3 picks by price
	 * between the two tiles' bests */
	uint32_t L = W_NONE;
	for (uint64_t l = P0->begin; l < P0->end && L == W_NONE; l++)
		if ((A->role[l] & W_SHARER) && !(A->role[l] & W_SITE) && l != c)
			L = (uint32_t)l;
	assert_int_not_equal(L, W_NONE);
	A->x_cm[L] = qx;
	A->y_cm[L] = qy;
	A->online[L] |= SHARING;
	A->quota_units[L] = 100000;
	A->nsess[L] = 0;
	assert_int_equal(dn_spatial_add(P0->sx, L - (uint32_t)P0->begin, qx, qy), DN_OK);
	A->price_base[L] = A->price_base[a] - 1;
	assert_int_equal(w_match_at(W, P0, c, qx, qy, 10, W_NONE, &prov, &xh, &ex), DN_OK);
	assert_int_equal(prov, L);
	assert_int_equal(xh, 0);
	A->price_base[L] = A->price_base[a] + 1;
	assert_int_equal(w_match_at(W, P0, c, qx, qy, 10, W_NONE, &prov, &xh, &ex), DN_OK);
	assert_int_equal(prov, a);
	assert_int_equal(xh, 1);

	/* the block step reserves against the live state, and sends the
	 * consumer's open at once */
	P0->sess.n = 0;
	uint32_t s0 = add_asking(P0, c, a, 1);
	size_t pool0 = W->mp.pool.n;
	wxmsg m = {.kind = XM_REQUEST, .provider = a, .slot = s0, .gen = 2, .units = 10, .reserve = 1000,
	           .price_base = A->price_base[a], .t_ns = 15 * S};
	assert_int_equal(wvec_push(&P0->xout, &m), DN_OK);
	assert_int_equal(cross_step(W, 20 * S), DN_OK);
	assert_int_equal(P0->xout.n, 0);
	const wrcpt *g = last_in(P0);
	assert_int_equal(g->purpose, TX_XGRANT);
	assert_int_equal(g->rc, 0);
	assert_int_equal(g->slot, s0);
	assert_int_equal(g->gen, 2);
	assert_int_equal(g->units, 1000);
	const wsess *gs = wvec_at(&P0->sess, s0);
	assert_int_equal(gs->state, S_OPENING);
	assert_int_equal(gs->units_reserved, 1000);
	assert_int_equal(W->mp.pool.n, pool0 + 1);
	const wtx *op = wvec_at(&W->mp.pool, W->mp.pool.n - 1);
	assert_int_equal(op->purpose, TX_OPEN);
	assert_int_equal(op->agent, c);
	assert_int_equal(op->part, 0);
	/* as sent when the consumer asked: the same block as a local open's */
	assert_true(op->submit_ns == 15 * S);
	assert_true(op->arrive_ns == 15 * S + P0->delay_ns);
	assert_int_equal(op->tx.u.open.units, 1000);
	assert_int_equal(A->nsess[a], 1);
	/* a request for a session that no longer asks reserves nothing */
	assert_int_equal(wvec_push(&P0->xout, &m), DN_OK);
	assert_int_equal(cross_step(W, 25 * S), DN_OK);
	assert_int_equal(last_in(P0)->rc, 1);
	assert_int_equal(A->nsess[a], 1);
	assert_int_equal(A->quota_units[a], 99000);
	assert_int_equal(P0->hs[0].nsess, 1); /* the snapshot after it */
	assert_int_equal(P0->hs[0].quota_units, 99000);
	assert_int_equal(P0->x_granted, 1);
	/* the price changed since the snapshot: refused, nothing reserved */
	m.slot = add_asking(P0, c, a, 1);
	m.price_base = A->price_base[a] + 1;
	assert_int_equal(wvec_push(&P0->xout, &m), DN_OK);
	assert_int_equal(cross_step(W, 30 * S), DN_OK);
	assert_int_equal(last_in(P0)->rc, 1);
	assert_int_equal(A->nsess[a], 1);
	assert_int_equal(A->quota_units[a], 99000);
	assert_int_equal(((wsess *)wvec_at(&P0->sess, m.slot))->state, S_ASKING);
	/* the link went down: refused; the snapshot shows it gone */
	m.price_base = A->price_base[a];
	A->online[a] = (uint8_t)(A->online[a] & ~W_ON_LINK);
	assert_true(W->ag.role[a] & W_HALO);
	assert_int_equal(w_cross_touch(W, P1, a), DN_OK); /* as its tile's churn event notes it */
	assert_int_equal(wvec_push(&P0->xout, &m), DN_OK);
	assert_int_equal(cross_step(W, 40 * S), DN_OK);
	assert_int_equal(last_in(P0)->rc, 1);
	assert_int_equal(P0->hs[0].sharing, 0);
	assert_int_equal(dn_spatial_count(P0->hx), 0);
	assert_int_equal(P0->x_denied, 3);
	/* back up, with less quota than the deposit: what is left is reserved */
	A->online[a] |= SHARING;
	A->quota_units[a] = 500;
	assert_int_equal(w_cross_touch(W, P1, a), DN_OK);
	assert_int_equal(wvec_push(&P0->xout, &m), DN_OK);
	assert_int_equal(cross_step(W, 50 * S), DN_OK);
	assert_int_equal(last_in(P0)->rc, 0);
	assert_int_equal(last_in(P0)->units, 500);
	assert_int_equal(A->quota_units[a], 0);
	assert_int_equal(A->nsess[a], 2);
	/* a release returns a session and the unused quota, in the order sent */
	wxmsg r1 = {.kind = XM_RELEASE, .provider = a, .reserve = 400};
	wxmsg r2 = {.kind = XM_RELEASE, .provider = a, .reserve = 0};
	assert_int_equal(wvec_push(&P0->xout, &r1), DN_OK);
	assert_int_equal(wvec_push(&P0->xout, &r2), DN_OK);
	assert_int_equal(cross_step(W, 60 * S), DN_OK);
	assert_int_equal(A->nsess[a], 0);
	assert_int_equal(A->quota_units[a], 400);
	assert_int_equal(P0->hs[0].nsess, 0);
	held_close(&h);
}

/* A four-tile world with churning sharers and relays, rates that follow
 * load and credentials a minute apart: sessions cross borders, some over
 * relays; every sharer's session count equals the sessions all tiles hold
 * on it (with the answers and releases still on their way); and the run
 * is the same at 1 and 2 threads. */
typedef struct run_out {
	uint64_t fp, granted, denied, relayed, left, requests, mismatched, served_cross;
	uint64_t badsig, applied;
	int64_t relay_base, halo_base; /* what the relays and the sharers near borders hold at the end */
} run_out;

static void churning(int threads, bool cross, run_out *o)
{
	char y[1200];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 11, end_time_s: 7210, partitions: 4, sample_interval_s: 10}\n"
	         "world: {agents: 3000, area_km: 0.6, sharer_fraction: 0.05, relay_fraction: 0.3, cross_tiles: %s,"
	         " fraud_fraction: 0}\n"
	         "chain: {epoch_blocks: 360, traffic_window_blocks: 360, signatures: keyed}\n"
	         "sharer: {uptime_mean_h: 0.5, downtime_mean_h: 0.2, rate_follows_load: true}\n"
	         "relay: {uptime_mean_h: 0.3, downtime_mean_h: 0.2}\n"
	         "consumer: {mib_per_day: 20000, session_mib: 2000, diurnal_amplitude: 0, credential_interval_s: 60}\n",
	         cross ? "true" : "false");
	world_held h;
	world *W = held_open(&h, y, threads);
	W->cx.verify = true; /* every block: the halos' snapshots, kept up to date by what changed, equal the live state */
	run_world(h.w);
	memset(o, 0, sizeof *o);
	o->fp = dn_world_fingerprint(h.w);
	/* the distributors' transactions the block step signed for them verify */
	o->badsig = W->ch.tx_fail_rc[DNC_EBADSIG];
	o->applied = W->ch.tx_applied;
	for (uint64_t a = 0; a < W->cfg.n; a++) {
		if (W->ag.role[a] & W_RELAY)
			o->relay_base += w_balance(W, (uint32_t)a);
		if (W->ag.role[a] & W_HALO)
			o->halo_base += w_balance(W, (uint32_t)a);
	}
	for (unsigned t = 0; t < W->cfg.nparts; t++) {
		const wpart *P = w_part(W, t);
		o->granted += P->x_granted;
		o->denied += P->x_denied;
		o->relayed += P->x_relayed;
		o->left += P->x_left;
		o->requests += P->x_requests;
	}
	/* the sessions each sharer holds, as all tiles see them */
	uint32_t *held_n = calloc(W->cfg.n, sizeof *held_n);
	assert_non_null(held_n);
	for (unsigned t = 0; t < W->cfg.nparts; t++) {
		const wpart *P = w_part(W, t);
		for (size_t i = 0; i < P->sess.n; i++) {
			const wsess *s = wvec_at(&P->sess, i);
			if (s->state == S_OPENING || s->state == S_ACTIVE)
				held_n[s->provider]++;
			if (s->xh && (s->state == S_OPENING || s->state == S_ACTIVE)) {
				assert_true(s->provider < P->begin || s->provider >= P->end);
				assert_int_equal(P->halo[s->xh - 1], s->provider);
				o->served_cross++;
			}
		}
		for (size_t i = 0; i < P->xout.n; i++) { /* released, not yet applied */
			const wxmsg *m = wvec_at(&P->xout, i);
			if (m->kind == XM_RELEASE)
				held_n[m->provider]++;
		}
	}
	for (uint64_t a = 0; a < W->cfg.n; a++)
		o->mismatched += held_n[a] != W->ag.nsess[a];
	free(held_n);
	held_close(&h);
}

static void test_R_CRED_3_cross_tiles_conserved_and_thread_blind(void **state)
{
	(void)state;
	run_out a1, a2, off;
	churning(1, true, &a1);
	print_message("across tiles: %llu asked, %llu granted (%llu over relays), %llu denied, %llu cut on leaving, "
	              "%llu being served at the end\n",
	              (unsigned long long)a1.requests, (unsigned long long)a1.granted, (unsigned long long)a1.relayed,
	              (unsigned long long)a1.denied, (unsigned long long)a1.left, (unsigned long long)a1.served_cross);
	if (a1.mismatched)
		fail_msg("%llu sharers' session counts differ from the sessions the tiles hold on them",
		         (unsigned long long)a1.mismatched);
	assert_true(a1.granted > 50);
	assert_true(a1.relayed > 0);
	assert_true(a1.left > 0);
	assert_true(a1.granted + a1.denied <= a1.requests);
	assert_int_equal(a1.badsig, 0);
	churning(2, true, &a2);
	assert_true(a1.fp == a2.fp);
	assert_int_equal(a2.granted, a1.granted);
	assert_int_equal(a2.relayed, a1.relayed);
	assert_true(a1.halo_base > 0);
	assert_true(a2.relay_base == a1.relay_base); /* the relays' incomes, paths across borders included */
	assert_true(a2.halo_base == a1.halo_base);
	assert_int_equal(a2.mismatched, 0);
	/* off: nothing crosses, and borders cost consumers service */
	churning(1, false, &off);
	assert_int_equal(off.requests, 0);
	assert_int_equal(off.mismatched, 0);
	assert_true(off.fp != a1.fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CRED_3_cross_tiles_by_hand),
		cmocka_unit_test(test_R_CRED_3_cross_tiles_conserved_and_thread_blind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
