/*
 * spatial.h: a uniform-grid spatial index over millions of points on a
 * plane (sharers, distributors, cell sites and mesh gateways), for smart
 * matching (R-CRED-3) and coverage look-ups.
 *
 * Positions are int32 centimetres (x_cm, y_cm), so distances are exact
 * integers: squared distances are computed in 64 bits and ties are broken
 * by id, which makes every result order a pure function of the point set,
 * whatever the insertion, move and removal history. Coordinates must lie
 * within +-DN_SPATIAL_COORD_LIMIT_CM (about 10,700 km), enough for any
 * simulated country.
 *
 * Points are ids 0..max_points-1 (the caller's agent ids), each present at
 * most once. The grid is struct-of-arrays: per grid cell a bucket (start,
 * length, capacity) into one slot array of (x, y, id) columns. Building is
 * one counting sort (no per-point allocation); moves and churn are O(1)
 * amortized (a full bucket is relocated to the free tail with doubled room;
 * when the tail runs out the slots are compacted once). This is a lookup
 * structure, not an agent store: it holds positions and ids, nothing else.
 * Not thread-safe for writers; concurrent readers are fine.
 */
#ifndef DN_SPATIAL_H
#define DN_SPATIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dn_base.h"

#define DN_SPATIAL_COORD_LIMIT_CM (INT32_C(1) << 30)  /* |x|, |y| < this */
#define DN_SPATIAL_MAX_RADIUS_CM INT64_C(4294967295)  /* larger radii are clamped */
#define DN_SPATIAL_ANY_DISTANCE_CM INT64_MAX          /* "no radius limit" */
#define DN_SPATIAL_MAX_CELLS (UINT64_C(1) << 27)      /* grid cells */
#define DN_SPATIAL_MAX_POINTS (UINT32_C(1) << 30)     /* ids */
#define DN_SPATIAL_NONE UINT32_MAX

typedef struct dn_spatial_cfg {
	int32_t min_x_cm, min_y_cm;   /* lower-left corner of the plane */
	int32_t width_cm, height_cm;  /* points satisfy min <= p < min + size */
	int32_t cell_cm;              /* grid cell side; about the typical query radius */
	uint32_t max_points;          /* ids are 0..max_points-1 */
	bool with_radius;             /* keep a coverage radius per point (cells, gateways) */
} dn_spatial_cfg;

/* One query result: a point and its exact squared distance to the query. */
typedef struct dn_spatial_hit {
	uint64_t d2_cm2; /* squared distance, cm^2 */
	uint32_t id;
	uint32_t reserved; /* 0 */
} dn_spatial_hit;

/* Counters for the design notes and the benchmark. */
typedef struct dn_spatial_stats {
	uint64_t relocations;  /* buckets moved to the tail */
	uint64_t compactions;  /* full re-layouts */
	uint64_t bytes;        /* memory held by the index */
	uint32_t points, slots_used, slot_cap;
	uint64_t cells;
} dn_spatial_stats;

typedef struct dn_spatial dn_spatial;

/*
 * A new empty index for cfg. OUT *out, freed with dn_spatial_free.
 * DN_EINVAL (cell or size not positive, plane beyond the coordinate limit,
 * max_points 0 or above DN_SPATIAL_MAX_POINTS), DN_ELIMIT (more than
 * DN_SPATIAL_MAX_CELLS cells), DN_ENOMEM. On failure *out is untouched.
 * Memory: 12 bytes per grid cell, 4 (8 with radii) per id and 12 per slot
 * (1.5 slots per id).
 */
DN_WUR dn_rc dn_spatial_new(const dn_spatial_cfg *cfg, dn_spatial **out);
void dn_spatial_free(dn_spatial *s);

/*
 * Bulk load n points into an EMPTY index in O(n + cells) by counting sort.
 * ids may be NULL (then point i has id i). DN_EINVAL if the index is not
 * empty, an id is out of range or repeated; DN_ERANGE if a position lies
 * off the plane; DN_ELIMIT if n > max_points. On failure the index is
 * left empty. Nothing is allocated.
 */
DN_WUR dn_rc dn_spatial_build(dn_spatial *s, uint32_t n, const uint32_t *ids,
                              const int32_t *x_cm, const int32_t *y_cm);

/* Add one point. DN_EINVAL (id out of range or present), DN_ERANGE (off
 * the plane), DN_ENOMEM (compaction scratch). On failure nothing changes. */
DN_WUR dn_rc dn_spatial_add(dn_spatial *s, uint32_t id, int32_t x_cm, int32_t y_cm);
/* Remove a present point. DN_EINVAL if absent. O(1). */
DN_WUR dn_rc dn_spatial_remove(dn_spatial *s, uint32_t id);
/* Move a present point. DN_EINVAL (absent), DN_ERANGE (off the plane),
 * DN_ENOMEM. O(1) amortized; on failure nothing changes. */
DN_WUR dn_rc dn_spatial_move(dn_spatial *s, uint32_t id, int32_t x_cm, int32_t y_cm);
/* Position of a present point. OUT *x_cm, *y_cm. DN_EINVAL if absent. */
DN_WUR dn_rc dn_spatial_get(const dn_spatial *s, uint32_t id, int32_t *x_cm, int32_t *y_cm);
/* Coverage radius of a point (index made with with_radius; the point may
 * be added before or after). DN_EINVAL otherwise or if id out of range. */
DN_WUR dn_rc dn_spatial_set_radius(dn_spatial *s, uint32_t id, uint32_t radius_cm);
uint32_t dn_spatial_count(const dn_spatial *s);
void dn_spatial_get_stats(const dn_spatial *s, dn_spatial_stats *out);

/*
 * The k nearest points to (x_cm, y_cm) with distance <= max_radius_cm
 * (DN_SPATIAL_ANY_DISTANCE_CM for none), in (distance, id) order. When
 * after is not NULL, only points ordered strictly after *after (by
 * (d2_cm2, id)) are returned: pass the last hit of a page to get the next
 * page. OUT out[0..*n_out-1], *n_out <= k. out is caller-owned, cap hits.
 * DN_ELIMIT if k > cap (nothing written); DN_ERANGE if the query point is
 * beyond the coordinate limit; DN_EINVAL if max_radius_cm < 0.
 */
DN_WUR dn_rc dn_spatial_knn(const dn_spatial *s, int32_t x_cm, int32_t y_cm, uint32_t k,
                            int64_t max_radius_cm, const dn_spatial_hit *after,
                            dn_spatial_hit *out, uint32_t cap, uint32_t *n_out);

/*
 * Every point with distance <= radius_cm of (x_cm, y_cm), in (distance,
 * id) order. OUT out[0..*n_out-1]. DN_ELIMIT if more than cap points
 * qualify (then out holds cap of them, unordered, and *n_out = cap);
 * DN_ERANGE, DN_EINVAL as for dn_spatial_knn.
 */
DN_WUR dn_rc dn_spatial_within(const dn_spatial *s, int32_t x_cm, int32_t y_cm,
                               int64_t radius_cm, dn_spatial_hit *out, uint32_t cap,
                               uint32_t *n_out);

/*
 * Every coverage disc containing (x_cm, y_cm): points whose own radius
 * (dn_spatial_set_radius) is at least their distance to it, in (distance,
 * id) order. DN_EINVAL if the index has no radii; DN_ELIMIT and DN_ERANGE
 * as for dn_spatial_within.
 */
DN_WUR dn_rc dn_spatial_covering(const dn_spatial *s, int32_t x_cm, int32_t y_cm,
                                 dn_spatial_hit *out, uint32_t cap, uint32_t *n_out);

/* Every internal invariant (buckets disjoint and inside the slot array,
 * every present id in the bucket of its cell exactly once). O(n + cells).
 * DN_EINVAL on the first broken one. For tests. */
DN_WUR dn_rc dn_spatial_check(const dn_spatial *s);

#endif
