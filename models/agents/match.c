/*
 * match.c: smart matching (R-CRED-3) over the spatial index; see match.h.
 *
 * Candidates come from dn_spatial_knn in pages, in (distance, id) order,
 * with a cursor (the last hit of the previous page), so widening the
 * radius continues from where the previous radius ended instead of
 * starting again. Each page becomes an array of dnc_offer, with the best
 * offer so far in slot 0, and dnc_match_select picks the best of the lot:
 * R-CRED-3's order is total (price, stability, id) over eligible offers,
 * so the best of (best so far, page) is the best of everything seen.
 */
#include "match.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct dn_match {
	dn_match_cfg cfg;
	dn_spatial_hit *hits; /* page */
	dnc_offer *offers;    /* page + 1 */
};

dn_rc dn_match_new(const dn_match_cfg *cfg, dn_match **out)
{
	if (!cfg || !out || cfg->radius_cm <= 0 || cfg->max_radius_cm < cfg->radius_cm ||
	    cfg->page == 0 || cfg->page > DN_MATCH_MAX_PAGE || cfg->max_examined == 0 ||
	    cfg->max_examined > DN_MATCH_MAX_EXAMINED)
		return DN_EINVAL;
	dn_match *m = calloc(1, sizeof *m);
	if (!m)
		return DN_ENOMEM;
	m->cfg = *cfg;
	m->hits = calloc(cfg->page, sizeof *m->hits);
	m->offers = calloc((size_t)cfg->page + 1, sizeof *m->offers);
	if (!m->hits || !m->offers) {
		dn_match_free(m);
		return DN_ENOMEM;
	}
	*out = m;
	return DN_OK;
}

void dn_match_free(dn_match *m)
{
	if (!m)
		return;
	free(m->hits);
	free(m->offers);
	free(m);
}

/* Search state across pages and radii. */
typedef struct search {
	dn_spatial_hit cursor;
	int has_cursor;
	int have_best;
	dnc_offer best;
	uint64_t best_d2_cm2;
} search;

/* Examine up to k candidates after the cursor within r. OUT *n (0: the
 * radius is exhausted). */
static dn_rc page_once(dn_match *m, const dn_spatial *idx, const dn_match_view *view,
                       int32_t x_cm, int32_t y_cm, uint32_t exclude_id, int64_t r_cm,
                       uint32_t k, search *st, dn_match_result *res, uint32_t *n)
{
	dn_rc rc = dn_spatial_knn(idx, x_cm, y_cm, k, r_cm, st->has_cursor ? &st->cursor : NULL,
	                          m->hits, m->cfg.page, n);
	if (rc)
		return rc;
	res->pages++;
	if (*n == 0)
		return DN_OK;
	uint32_t base = 0, i, chosen = 0;
	if (st->have_best) {
		m->offers[0] = st->best;
		base = 1;
	}
	for (i = 0; i < *n; i++) {
		dnc_offer *o = &m->offers[base + i];
		memset(o, 0, sizeof *o);
		o->id = m->hits[i].id;
		view->offer(view->ctx, m->hits[i].id, o);
		o->id = m->hits[i].id; /* the index's id is the truth */
	}
	res->examined += *n;
	dnc_rc src = dnc_match_select(m->offers, base + *n, exclude_id, &chosen); /* R-CRED-3 */
	if (src == DNC_OK) {
		if (chosen >= base) {
			st->best = m->offers[chosen];
			st->best_d2_cm2 = m->hits[chosen - base].d2_cm2;
			st->have_best = 1;
		}
	} else if (src != DNC_ENOTFOUND) {
		return DN_EINVAL;
	} else {
		assert(!st->have_best); /* the carried best is always eligible */
	}
	st->cursor = m->hits[*n - 1];
	st->has_cursor = 1;
	return DN_OK;
}

dn_rc dn_match_find(dn_match *m, const dn_spatial *idx, const dn_match_view *view, int32_t x_cm,
                    int32_t y_cm, uint32_t exclude_id, dn_match_result *res)
{
	if (!m || !idx || !view || !view->offer || !res)
		return DN_EINVAL;
	if (x_cm <= -DN_SPATIAL_COORD_LIMIT_CM || x_cm >= DN_SPATIAL_COORD_LIMIT_CM ||
	    y_cm <= -DN_SPATIAL_COORD_LIMIT_CM || y_cm >= DN_SPATIAL_COORD_LIMIT_CM)
		return DN_ERANGE;
	memset(res, 0, sizeof *res);
	search st;
	memset(&st, 0, sizeof st);
	int64_t r = m->cfg.radius_cm;
	uint32_t round;
	/* radius doublings from >= 1 cm to at most 2^63: 64 rounds suffice */
	for (round = 0; round < 64; round++) {
		res->radius_cm = r;
		uint64_t pages_left = (uint64_t)m->cfg.max_examined + 2;
		while (pages_left-- > 0) { /* each page examines >= 1 candidate or ends */
			uint32_t budget = m->cfg.max_examined - res->examined, n = 0;
			uint32_t k = budget < m->cfg.page ? budget : m->cfg.page;
			if (k == 0) {
				/* budget spent: is anyone left unexamined within r? */
				dn_rc rc = dn_spatial_knn(idx, x_cm, y_cm, 1, r,
				                          st.has_cursor ? &st.cursor : NULL,
				                          m->hits, m->cfg.page, &n);
				if (rc)
					return rc;
				if (n > 0) {
					res->truncated = 1;
					goto done;
				}
				break;
			}
			dn_rc rc = page_once(m, idx, view, x_cm, y_cm, exclude_id, r, k, &st, res, &n);
			if (rc)
				return rc;
			if (n < k)
				break; /* radius exhausted */
		}
		if (st.have_best || r >= m->cfg.max_radius_cm)
			break;
		r = r > m->cfg.max_radius_cm / 2 ? m->cfg.max_radius_cm : 2 * r;
		res->widenings++;
	}
done:
	if (st.have_best) {
		res->found = 1;
		res->offer = st.best;
		res->d2_cm2 = st.best_d2_cm2;
	}
	return DN_OK;
}

dn_rc dn_match_rematch(dn_match *m, const dn_spatial *idx, const dn_match_view *view,
                       int32_t x_cm, int32_t y_cm, uint32_t current_id, dn_match_result *res)
{
	/* R-CRED-3: a degraded link sends the consumer elsewhere */
	return dn_match_find(m, idx, view, x_cm, y_cm, current_id, res);
}
