/*
 * world_cross.c: matching and relay paths across tile borders
 * (world.cross_tiles). A tile runs in parallel with the others, so it may
 * neither read nor write another tile's agents while a window runs. What
 * crosses a border goes through the block step, which runs alone:
 *
 *   halo      each tile lists, once at the start, the other tiles'
 *             sharers within a sharer's range of its rectangle (sharers
 *             do not move; micro sites never cross);
 *   snapshot  every block step brings their state (sharing, price, quota
 *             left, sessions held, stability) up to date in the tile's
 *             halo and its spatial index, which the tile reads and nobody
 *             writes during the next window; only the sharers whose own
 *             tile noted a change (w_cross_touch) are copied;
 *   ask       a consumer (directly or from the last relay of a path: the
 *             path's relays are always its own tile's) is matched over its
 *             tile's live offers and the halo's, in the same R-CRED-3
 *             order; a remote choice takes a session slot in S_ASKING and
 *             asks the block step, which checks the provider's live state
 *             in (tile, sequence) order, reserves its quota and a session
 *             and sends the consumer's open, signed for it, as if from
 *             its tile (a refusal comes back with the block's receipts);
 *             the session then lives in the consumer's tile as any other;
 *   release   a remote session's end returns the provider's session and
 *             unused quota through the block step;
 *   sign      the distributor's redeems and close of a remote session are
 *             numbered and signed by the block step (w_cross_sign), since
 *             the distributor's nonce is its own tile's;
 *   notice    a remote provider that stops sharing is noticed when the
 *             next snapshot reaches the tile (w_session_cross_check):
 *             a block and a backhaul delay late, not at the moment.
 * Nothing here depends on the thread count: the block step runs serially
 * and in a fixed order, and the tiles only read what it wrote.
 */
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Squared distance (cm^2) from (x, y) to the rectangle, 0 inside. */
static double rect_d2(int32_t x0, int32_t y0, int32_t w, int32_t h, double x, double y)
{
	double dx = x < x0 ? x0 - x : x > (double)x0 + w ? x - ((double)x0 + w) : 0;
	double dy = y < y0 ? y0 - y : y > (double)y0 + h ? y - ((double)y0 + h) : 0;
	return dx * dx + dy * dy;
}

static bool halo_member(const world *W, uint32_t a)
{
	uint16_t r = W->ag.role[a];
	return (r & W_SHARER) && !(r & W_SITE);
}

dn_rc w_cross_tile_init(world *W, dn_part *p, wpart *P)
{
	const world_cfg *C = &W->cfg;
	P->xout.size = sizeof(wxmsg);
	P->xdirty.size = P->xpend.size = sizeof(uint32_t);
	if (!C->cross_tiles || C->nparts < 2)
		return DN_OK;
	double R = C->sharer_range_m * 100.0, R2 = R * R;
	wvec ids = {.size = sizeof(uint32_t)};
	dn_rc rc = DN_OK;
	for (unsigned j = 0; j < C->nparts && !rc; j++) {
		if (j == P->tile)
			continue;
		int32_t x0, y0, w, h;
		w_tile_rect(C, j, &x0, &y0, &w, &h);
		/* the nearest points of the two rectangles */
		double dx = fmax(0.0, fmax((double)x0 - ((double)P->x0_cm + P->w_cm), (double)P->x0_cm - ((double)x0 + w)));
		double dy = fmax(0.0, fmax((double)y0 - ((double)P->y0_cm + P->h_cm), (double)P->y0_cm - ((double)y0 + h)));
		if (dx * dx + dy * dy > R2)
			continue;
		uint64_t b, e;
		dn_world_part_range(W->w, W->kind, j, &b, &e);
		for (uint64_t a = b; a < e && !rc; a++) {
			uint32_t id = (uint32_t)a;
			if (halo_member(W, id) &&
			    rect_d2(P->x0_cm, P->y0_cm, P->w_cm, P->h_cm, W->ag.x_cm[a], W->ag.y_cm[a]) <= R2)
				rc = wvec_push(&ids, &id);
		}
	}
	if (!rc && ids.n) {
		/* tiles are numbered in agent order, so ids ascend */
		P->nhalo = (uint32_t)ids.n;
		P->halo = ids.v;
		ids.v = NULL;
		P->hs = calloc(P->nhalo, sizeof *P->hs);
		int32_t m = (int32_t)R + 200;
		dn_spatial_cfg sc = {P->x0_cm - m, P->y0_cm - m, P->w_cm + 2 * m, P->h_cm + 2 * m, (int32_t)R, P->nhalo,
		                     false};
		rc = P->hs ? dn_spatial_new(&sc, &P->hx) : DN_ENOMEM;
	}
	wvec_free(&ids);
	if (rc)
		dn_part_set_error(p, "the halo of tile %u (world.cross_tiles): %s", P->tile, dn_rc_str(rc));
	return rc;
}

void w_cross_tile_free(wpart *P)
{
	free(P->halo);
	free(P->hs);
	dn_spatial_free(P->hx);
	P->halo = NULL;
	P->hs = NULL;
	P->hx = NULL;
	P->nhalo = 0;
	wvec_free(&P->xout);
	wvec_free(&P->xdirty);
	wvec_free(&P->xpend);
}

void w_cross_free(world *W)
{
	free(W->cx.ref);
	W->cx.ref = NULL;
	W->cx.nref = 0;
}

uint32_t w_cross_halo_index(const wpart *P, uint32_t a)
{
	return P->nhalo ? w_find_sorted(P->halo, P->nhalo, a) : W_NONE;
}

/* ---- the ids the tile's matcher uses for exclusion ---- */

uint32_t w_match_id(const wpart *P, uint32_t a)
{
	if (a == W_NONE)
		return DNC_NONE;
	if (a >= P->begin && a < P->end)
		return (uint32_t)(a - P->begin);
	uint32_t h = w_cross_halo_index(P, a);
	return h == W_NONE ? DNC_NONE : (uint32_t)(P->end - P->begin) + h;
}

uint32_t w_match_agent(const wpart *P, uint32_t id)
{
	uint64_t nloc = P->end - P->begin;
	if (id == DNC_NONE)
		return W_NONE;
	if (id < nloc)
		return (uint32_t)(P->begin + id);
	return id - nloc < P->nhalo ? P->halo[id - nloc] : W_NONE;
}

/* ---- the matcher's view of the halo ---- */

typedef struct halo_ctx {
	const world *W;
	const wpart *P;
	int32_t x, y;
	uint64_t units;
} halo_ctx;

static void halo_offer(void *ctx, uint32_t h, dnc_offer *o)
{
	const halo_ctx *c = ctx;
	const world *W = c->W;
	const whalo *s = &c->P->hs[h];
	uint32_t a = c->P->halo[h];
	double dx = (double)(W->ag.x_cm[a] - c->x) / 100.0, dy = (double)(W->ag.y_cm[a] - c->y) / 100.0;
	uint32_t quota = s->quota_units > s->pend_quota ? s->quota_units - s->pend_quota : 0;
	o->reachable = s->sharing && sqrt(dx * dx + dy * dy) <= W->cfg.sharer_range_m;
	o->capacity_units = (uint32_t)s->nsess + s->pend_sess < W->cfg.sharer_max_sessions && quota >= c->units ? quota : 0;
	o->price_per_unit = s->price_base;
	o->stability_ppm = (uint32_t)s->stab * 3921u;
}

bool w_cross_near(const world *W, const wpart *P, int32_t x, int32_t y)
{
	if (!P->hx || dn_spatial_count(P->hx) == 0)
		return false;
	int64_t R = (int64_t)(W->cfg.sharer_range_m * 100.0) + 1;
	return (int64_t)x - P->x0_cm <= R || (int64_t)P->x0_cm + P->w_cm - x <= R || (int64_t)y - P->y0_cm <= R ||
	       (int64_t)P->y0_cm + P->h_cm - y <= R;
}

dn_rc w_cross_match(const world *W, wpart *P, int32_t x, int32_t y, uint64_t units, uint32_t exclude_h,
                    dn_match_result *res)
{
	halo_ctx c = {W, P, x, y, units};
	dn_match_view view = {halo_offer, &c};
	return dn_match_find(P->mt, P->hx, &view, x, y, exclude_h, res);
}

/* ---- the block step ---- */

unsigned w_tile_of(const world *W, uint32_t a)
{
	unsigned lo = 0, hi = W->cfg.nparts;
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;
		if (a >= w_part((world *)W, mid)->begin)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The provider's sessions changed: its own tile's sessions on it are rated again. */
static void rerate_home(world *W, uint32_t prov, dn_time_ns t)
{
	if (W->cfg.rate_follows_load)
		w_session_rerate(W, w_part(W, w_tile_of(W, prov)), prov, NULL, 0, t);
}

static dn_rc answer(world *W, wpart *P, const wxmsg *m, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	uint32_t a = m->provider;
	wpart *home = w_part(W, w_tile_of(W, a));
	if (m->kind == XM_RELEASE) {
		if (A->nsess[a])
			A->nsess[a]--;
		uint64_t q = (uint64_t)A->quota_units[a] + m->reserve;
		A->quota_units[a] = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
		rerate_home(W, a, t);
		return w_cross_touch(W, home, a);
	}
	/* the offer as the provider's own tile would make it now, to a
	 * session still asking */
	bool ok = w_session_asking(P, m->slot, m->gen) && halo_member(W, a) && (A->online[a] & (W_ON_LINK | W_ON_SHARING)) == (W_ON_LINK | W_ON_SHARING) &&
	          A->nsess[a] < C->sharer_max_sessions && A->quota_units[a] >= m->units &&
	          A->price_base[a] == m->price_base;
	wrcpt c = {.purpose = TX_XGRANT, .agent = a, .slot = m->slot, .gen = m->gen, .rc = ok ? 0 : 1};
	if (ok) {
		A->nsess[a]++;
		c.units = m->reserve < A->quota_units[a] ? m->reserve : A->quota_units[a];
		A->quota_units[a] -= (uint32_t)c.units;
		P->x_granted++;
		rerate_home(W, a, t);
		dn_rc rc = w_cross_touch(W, home, a);
		if (!rc)
			rc = w_session_grant(W, P, m->slot, c.units, t, m->t_ns);
		if (rc)
			return rc;
	} else {
		P->x_denied++;
	}
	return wvec_push(&P->in, &c);
}

static bool sharing_now(const world_agents *A, uint32_t a)
{
	return (A->online[a] & (W_ON_LINK | W_ON_SHARING)) == (W_ON_LINK | W_ON_SHARING);
}

/* Halo entry h of tile P from its sharer's live state. */
static dn_rc copy_entry(world *W, wpart *P, uint32_t h)
{
	const world_agents *A = &W->ag;
	uint32_t a = P->halo[h];
	whalo *s = &P->hs[h];
	bool sharing = sharing_now(A, a);
	s->price_base = A->price_base[a];
	s->quota_units = A->quota_units[a];
	s->nsess = A->nsess[a];
	s->stab = A->stab[a];
	if (sharing != (bool)s->sharing) {
		dn_rc rc = sharing ? dn_spatial_add(P->hx, h, A->x_cm[a], A->y_cm[a]) : dn_spatial_remove(P->hx, h);
		if (rc)
			return rc;
		s->sharing = sharing;
	}
	return DN_OK;
}

static int cmp_ref(const void *x, const void *y)
{
	const wxref *a = x, *b = y;
	if (a->agent != b->agent)
		return a->agent < b->agent ? -1 : 1;
	return a->part < b->part ? -1 : a->part > b->part;
}

/* The first snapshot: every entry, the halo members marked (W_HALO) so
 * that their tiles note their changes from now on, and where each one
 * appears. */
static dn_rc first_snapshot(world *W)
{
	world_cross *X = &W->cx;
	size_t n = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++)
		n += w_part(W, i)->nhalo;
	X->ref = malloc((n ? n : 1) * sizeof *X->ref);
	if (!X->ref)
		return DN_ENOMEM;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		for (uint32_t h = 0; h < P->nhalo; h++) {
			dn_rc rc = copy_entry(W, P, h);
			if (rc)
				return rc;
			W->ag.role[P->halo[h]] |= W_HALO;
			X->ref[X->nref++] = (wxref){P->halo[h], i, h};
		}
	}
	qsort(X->ref, X->nref, sizeof *X->ref, cmp_ref);
	X->ready = true;
	return DN_OK;
}

/* Test hook (world_cross.verify): every entry equals its sharer's live state. */
static dn_rc verify(world *W)
{
	const world_agents *A = &W->ag;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		const wpart *P = w_part(W, i);
		for (uint32_t h = 0; h < P->nhalo; h++) {
			uint32_t a = P->halo[h];
			const whalo *s = &P->hs[h];
			if (s->price_base != A->price_base[a] || s->quota_units != A->quota_units[a] ||
			    s->nsess != A->nsess[a] || s->stab != A->stab[a] || (bool)s->sharing != sharing_now(A, a) ||
			    s->pend_sess || s->pend_quota) {
				dn_world_set_error(W->w, "tile %u's snapshot of sharer %u (halo entry %u) is stale", i, a, h);
				return DN_EINVAL;
			}
		}
	}
	return DN_OK;
}

dn_rc w_cross_answer(world *W, dn_time_ns t)
{
	if (!W->cfg.cross_tiles)
		return DN_OK;
	size_t pool0 = W->mp.pool.n;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->xout.n; k++) {
			dn_rc rc = answer(W, P, wvec_at(&P->xout, k), t);
			if (rc)
				return rc;
		}
		P->xout.n = 0;
	}
	if (W->mp.pool.n != pool0)
		w_pool_sort(W); /* the opens of the sessions granted */
	return DN_OK;
}

/* Only what changed: the entries of the sharers their tiles noted
 * (w_cross_touch), and the asks of the window forgotten. */
dn_rc w_cross_snapshot(world *W)
{
	if (!W->cfg.cross_tiles)
		return DN_OK;
	dn_rc rc = W->cx.ready ? DN_OK : first_snapshot(W);
	const world_cross *X = &W->cx;
	for (unsigned i = 0; i < W->cfg.nparts && !rc; i++) {
		wpart *P = w_part(W, i);
		const uint32_t *pend = P->xpend.v;
		for (size_t k = 0; k < P->xpend.n; k++) {
			P->hs[pend[k]].pend_sess = 0;
			P->hs[pend[k]].pend_quota = 0;
		}
		P->xpend.n = 0;
		const uint32_t *d = P->xdirty.v;
		for (size_t k = 0; k < P->xdirty.n && !rc; k++) {
			wxref key = {d[k], 0, 0};
			size_t lo = 0, hi = X->nref;
			while (lo < hi) { /* the first ref of the agent */
				size_t mid = (lo + hi) / 2;
				if (cmp_ref(&X->ref[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < X->nref && X->ref[lo].agent == d[k] && !rc; lo++)
				rc = copy_entry(W, w_part(W, X->ref[lo].part), X->ref[lo].h);
		}
		P->xdirty.n = 0;
	}
	if (rc)
		return w_block_fail(W, "the halos' snapshot", DNC_EINVAL);
	return X->verify ? verify(W) : DN_OK;
}

dn_rc w_cross_sign(world *W, wtx *q)
{
	dn_rc rc = w_sign_next(W, q->agent, &q->tx);
	if (rc == DN_EINVAL)
		return w_block_fail(W, "signing a distributor's transaction", DNC_EINVAL);
	q->sign_late = 0;
	return rc;
}
