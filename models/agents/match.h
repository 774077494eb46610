/*
 * match.h: smart matching of a consumer to a distributor (R-CRED-3) over
 * the spatial index of sharers.
 *
 * The matcher gathers candidate sharers around the consumer in (distance,
 * id) order, asks the caller for each one's state (reachable, spare
 * capacity, price per unit, stability), and lets the protocol library's
 * dnc_match_select make the choice: reachable, with capacity, cheapest,
 * then most stable, then lowest id. This file never ranks offers itself;
 * it only pages candidates through the library's rule, carrying the best
 * so far into the next page.
 *
 * Search: radius r0; if nobody within r is eligible the radius doubles, up
 * to max_radius_cm; the annulus already examined is never examined again.
 * At the first radius with an eligible sharer the result is the R-CRED-3
 * best among ALL sharers within that radius (unless the examination budget
 * max_examined runs out first; then `truncated` says so). Re-matching after
 * a degraded link is the same search with the current distributor
 * excluded. The number of candidates examined is reported for the
 * R-CHAIN-5 latency model. What this is not: a session manager; opening
 * sessions and deposits is the caller's business (R-CRED-2).
 */
#ifndef DN_MATCH_H
#define DN_MATCH_H

#include <stdint.h>

#include "dn_base.h"
#include "dn_chain.h"
#include "spatial.h"

#define DN_MATCH_MAX_PAGE 4096u          /* candidates per page, upper bound */
#define DN_MATCH_MAX_EXAMINED 1000000u   /* examination budget, upper bound */

/*
 * The caller's view of a sharer: fill out->reachable (0/1),
 * out->capacity_units, out->price_per_unit and out->stability_ppm for
 * sharer_id (for example from the network model's link quality). The
 * matcher sets out->id itself. Must not modify the index.
 */
typedef struct dn_match_view {
	void (*offer)(void *ctx, uint32_t sharer_id, dnc_offer *out);
	void *ctx; /* the caller's; may cache or count */
} dn_match_view;

typedef struct dn_match_cfg {
	int64_t radius_cm;      /* first search radius, > 0 */
	int64_t max_radius_cm;  /* widening stops here, >= radius_cm */
	uint32_t page;          /* candidates fetched per index query, 1..DN_MATCH_MAX_PAGE */
	uint32_t max_examined;  /* budget per search, 1..DN_MATCH_MAX_EXAMINED */
} dn_match_cfg;

typedef struct dn_match_result {
	uint32_t found;          /* 1 if a distributor was chosen */
	uint32_t truncated;      /* 1 if the budget stopped the search */
	dnc_offer offer;         /* the chosen offer (valid when found) */
	uint64_t d2_cm2;         /* its squared distance to the consumer */
	int64_t radius_cm;       /* the radius at which the search stopped */
	uint32_t examined;       /* candidates examined (R-CHAIN-5 latency input) */
	uint32_t widenings;      /* radius doublings */
	uint32_t pages;          /* index queries */
} dn_match_result;

typedef struct dn_match dn_match;

/* A matcher with its scratch (page + 1 offers and page hits). OUT *out,
 * freed with dn_match_free. DN_EINVAL (cfg out of range), DN_ENOMEM. */
DN_WUR dn_rc dn_match_new(const dn_match_cfg *cfg, dn_match **out);
void dn_match_free(dn_match *m);

/*
 * R-CRED-3: choose a distributor for a consumer at (x_cm, y_cm) among the
 * sharers in idx, skipping exclude_id (DNC_NONE for none). OUT *res
 * (found = 0 when nobody eligible lies within max_radius_cm). DN_EINVAL
 * (NULL arguments), DN_ERANGE (position beyond the coordinate limit).
 * A matcher holds scratch: use one per thread. The index is only read.
 */
DN_WUR dn_rc dn_match_find(dn_match *m, const dn_spatial *idx, const dn_match_view *view,
                           int32_t x_cm, int32_t y_cm, uint32_t exclude_id,
                           dn_match_result *res);

/*
 * R-CRED-3 re-matching: the link to current_id degraded, so search again
 * without it. Same contract as dn_match_find.
 */
DN_WUR dn_rc dn_match_rematch(dn_match *m, const dn_spatial *idx, const dn_match_view *view,
                              int32_t x_cm, int32_t y_cm, uint32_t current_id,
                              dn_match_result *res);

#endif
