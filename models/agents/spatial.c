/*
 * spatial.c: the uniform-grid spatial index (see spatial.h and
 * docs/agents-spatial.md).
 *
 * Layout: the plane is cut into nx * ny square cells of cell_cm. Each grid
 * cell owns a bucket [start, start + cap) of one slot array whose columns
 * are x, y and id; the first len slots are used. slot_of[id] finds a
 * point's slot in O(1). Slots [0, slot_top) belong to buckets; the rest is
 * a free tail. A full bucket is copied to the tail with twice its length
 * (its old slots become garbage); when the tail is exhausted every bucket
 * is laid out again, in cell order, with 1/8 slack. Queries scan buckets
 * ring by ring (k nearest) or over the bounding square (radius), compute
 * exact integer squared distances and sort by (d2, id), so their output
 * never depends on bucket order. What this file is not: an owner of agent
 * state or a thread-safe writer.
 */
#include "spatial.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct dn_spatial {
	dn_spatial_cfg cfg;
	uint32_t nx, ny;
	uint64_t n_cells;
	uint32_t *cell_start, *cell_len, *cell_cap; /* per grid cell */
	int32_t *slot_x_cm, *slot_y_cm;             /* per slot */
	uint32_t *slot_id;                          /* per slot */
	uint32_t slot_cap, slot_top;
	uint32_t *slot_of;   /* per id; DN_SPATIAL_NONE when absent */
	uint32_t *radius_cm; /* per id, or NULL */
	uint32_t max_radius_cm; /* largest radius ever set (a bound, never lowered) */
	uint32_t n_points;
	uint64_t relocations, compactions;
};

/* ---------------------------------------------------------------- helpers */

static bool in_plane(const dn_spatial *s, int32_t x_cm, int32_t y_cm)
{
	int64_t gx = (int64_t)x_cm - s->cfg.min_x_cm, gy = (int64_t)y_cm - s->cfg.min_y_cm;
	return gx >= 0 && gy >= 0 && gx < s->cfg.width_cm && gy < s->cfg.height_cm;
}

static bool in_limit(int32_t x_cm, int32_t y_cm)
{
	return x_cm > -DN_SPATIAL_COORD_LIMIT_CM && x_cm < DN_SPATIAL_COORD_LIMIT_CM &&
	       y_cm > -DN_SPATIAL_COORD_LIMIT_CM && y_cm < DN_SPATIAL_COORD_LIMIT_CM;
}

/* Grid cell of a point on the plane. */
static uint64_t cell_of(const dn_spatial *s, int32_t x_cm, int32_t y_cm)
{
	uint64_t i = (uint64_t)((int64_t)x_cm - s->cfg.min_x_cm) / (uint64_t)s->cfg.cell_cm;
	uint64_t j = (uint64_t)((int64_t)y_cm - s->cfg.min_y_cm) / (uint64_t)s->cfg.cell_cm;
	assert(i < s->nx && j < s->ny);
	return j * s->nx + i;
}

static uint64_t dist2(int32_t ax, int32_t ay, int32_t bx, int32_t by)
{
	int64_t dx = (int64_t)ax - bx, dy = (int64_t)ay - by;
	return (uint64_t)(dx * dx) + (uint64_t)(dy * dy); /* < 2^63 within the limit */
}

/* 1 if a ranks before b in (d2, id) order */
static int hit_before(const dn_spatial_hit *a, const dn_spatial_hit *b)
{
	if (a->d2_cm2 != b->d2_cm2)
		return a->d2_cm2 < b->d2_cm2;
	return a->id < b->id;
}

/* Max-heap on (d2, id): sift the element at i down among n. */
static void heap_down(dn_spatial_hit *h, uint32_t n, uint32_t i)
{
	for (;;) { /* at most log2(n) rounds */
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && hit_before(&h[m], &h[l]))
			m = l;
		if (r < n && hit_before(&h[m], &h[r]))
			m = r;
		if (m == i)
			return;
		dn_spatial_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(dn_spatial_hit *h, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!hit_before(&h[p], &h[i]))
			return;
		dn_spatial_hit t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* In-place heapsort into ascending (d2, id) order: O(n log n), no allocation. */
static void hits_sort(dn_spatial_hit *h, uint32_t n)
{
	uint32_t i;
	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		heap_down(h, n, i);
	for (i = n - 1; i > 0; i--) {
		dn_spatial_hit t = h[0];
		h[0] = h[i];
		h[i] = t;
		heap_down(h, i, 0);
	}
}

/* --------------------------------------------------------------- lifetime */

dn_rc dn_spatial_new(const dn_spatial_cfg *cfg, dn_spatial **out)
{
	if (!cfg || !out || cfg->cell_cm <= 0 || cfg->width_cm <= 0 || cfg->height_cm <= 0 ||
	    cfg->max_points == 0 || cfg->max_points > DN_SPATIAL_MAX_POINTS)
		return DN_EINVAL;
	if (!in_limit(cfg->min_x_cm, cfg->min_y_cm) ||
	    (int64_t)cfg->min_x_cm + cfg->width_cm > DN_SPATIAL_COORD_LIMIT_CM ||
	    (int64_t)cfg->min_y_cm + cfg->height_cm > DN_SPATIAL_COORD_LIMIT_CM)
		return DN_EINVAL;
	uint64_t nx = ((uint64_t)cfg->width_cm + (uint64_t)cfg->cell_cm - 1) / (uint64_t)cfg->cell_cm;
	uint64_t ny = ((uint64_t)cfg->height_cm + (uint64_t)cfg->cell_cm - 1) / (uint64_t)cfg->cell_cm;
	if (nx * ny > DN_SPATIAL_MAX_CELLS)
		return DN_ELIMIT;
	dn_spatial *s = calloc(1, sizeof *s);
	if (!s)
		return DN_ENOMEM;
	s->cfg = *cfg;
	s->nx = (uint32_t)nx;
	s->ny = (uint32_t)ny;
	s->n_cells = nx * ny;
	/* room for every point plus 1/2 of free tail: build leaves 1/8 slack */
	s->slot_cap = cfg->max_points + cfg->max_points / 2 + 64;
	s->cell_start = calloc(s->n_cells, sizeof *s->cell_start);
	s->cell_len = calloc(s->n_cells, sizeof *s->cell_len);
	s->cell_cap = calloc(s->n_cells, sizeof *s->cell_cap);
	s->slot_x_cm = malloc((size_t)s->slot_cap * sizeof *s->slot_x_cm);
	s->slot_y_cm = malloc((size_t)s->slot_cap * sizeof *s->slot_y_cm);
	s->slot_id = malloc((size_t)s->slot_cap * sizeof *s->slot_id);
	s->slot_of = malloc((size_t)cfg->max_points * sizeof *s->slot_of);
	if (cfg->with_radius)
		s->radius_cm = calloc(cfg->max_points, sizeof *s->radius_cm);
	if (!s->cell_start || !s->cell_len || !s->cell_cap || !s->slot_x_cm || !s->slot_y_cm ||
	    !s->slot_id || !s->slot_of || (cfg->with_radius && !s->radius_cm)) {
		dn_spatial_free(s);
		return DN_ENOMEM;
	}
	memset(s->slot_of, 0xff, (size_t)cfg->max_points * sizeof *s->slot_of);
	*out = s;
	return DN_OK;
}

void dn_spatial_free(dn_spatial *s)
{
	if (!s)
		return;
	free(s->cell_start);
	free(s->cell_len);
	free(s->cell_cap);
	free(s->slot_x_cm);
	free(s->slot_y_cm);
	free(s->slot_id);
	free(s->slot_of);
	free(s->radius_cm);
	free(s);
}

static void reset(dn_spatial *s)
{
	memset(s->cell_start, 0, s->n_cells * sizeof *s->cell_start);
	memset(s->cell_len, 0, s->n_cells * sizeof *s->cell_len);
	memset(s->cell_cap, 0, s->n_cells * sizeof *s->cell_cap);
	memset(s->slot_of, 0xff, (size_t)s->cfg.max_points * sizeof *s->slot_of);
	s->slot_top = 0;
	s->n_points = 0;
}

/* Bucket capacities (len + len/8) and starts in cell order; returns slot_top. */
static uint32_t layout(dn_spatial *s)
{
	uint64_t c, top = 0;
	for (c = 0; c < s->n_cells; c++) {
		uint32_t len = s->cell_len[c];
		s->cell_start[c] = (uint32_t)top;
		s->cell_cap[c] = len + len / 8;
		top += s->cell_cap[c];
	}
	assert(top <= s->slot_cap);
	return (uint32_t)top;
}

dn_rc dn_spatial_build(dn_spatial *s, uint32_t n, const uint32_t *ids, const int32_t *x_cm,
                       const int32_t *y_cm)
{
	uint32_t i;
	if (!s || (n > 0 && (!x_cm || !y_cm)) || s->n_points != 0)
		return DN_EINVAL;
	if (n > s->cfg.max_points)
		return DN_ELIMIT;
	reset(s);
	/* pass 1: validate and count per cell */
	for (i = 0; i < n; i++) {
		uint32_t id = ids ? ids[i] : i;
		if (id >= s->cfg.max_points) {
			reset(s);
			return DN_EINVAL;
		}
		if (!in_plane(s, x_cm[i], y_cm[i])) {
			reset(s);
			return DN_ERANGE;
		}
		s->cell_len[cell_of(s, x_cm[i], y_cm[i])]++;
	}
	s->slot_top = layout(s);
	memset(s->cell_len, 0, s->n_cells * sizeof *s->cell_len);
	/* pass 2: place (counting sort) */
	for (i = 0; i < n; i++) {
		uint32_t id = ids ? ids[i] : i;
		if (s->slot_of[id] != DN_SPATIAL_NONE) {
			reset(s);
			return DN_EINVAL;
		}
		uint64_t c = cell_of(s, x_cm[i], y_cm[i]);
		uint32_t slot = s->cell_start[c] + s->cell_len[c]++;
		assert(s->cell_len[c] <= s->cell_cap[c]);
		s->slot_x_cm[slot] = x_cm[i];
		s->slot_y_cm[slot] = y_cm[i];
		s->slot_id[slot] = id;
		s->slot_of[id] = slot;
	}
	s->n_points = n;
	return DN_OK;
}

/* ------------------------------------------------------------------ churn */

/* Lay every bucket out again in cell order with 1/8 slack. DN_ENOMEM
 * (scratch) leaves everything as it was. */
static dn_rc compact(dn_spatial *s)
{
	uint32_t n = s->n_points, k = 0;
	uint64_t c;
	size_t count = (size_t)(n ? n : 1); /* malloc(0) may return NULL */
	int32_t *tx = malloc(count * sizeof *tx);
	int32_t *ty = malloc(count * sizeof *ty);
	uint32_t *tid = malloc(count * sizeof *tid);
	if (!tx || !ty || !tid) {
		free(tx);
		free(ty);
		free(tid);
		return DN_ENOMEM;
	}
	for (c = 0; c < s->n_cells; c++) {
		uint32_t b = s->cell_start[c], j;
		for (j = 0; j < s->cell_len[c]; j++) {
			tx[k] = s->slot_x_cm[b + j];
			ty[k] = s->slot_y_cm[b + j];
			tid[k] = s->slot_id[b + j];
			k++;
		}
	}
	assert(k == n);
	s->slot_top = layout(s);
	k = 0;
	for (c = 0; c < s->n_cells; c++) {
		uint32_t b = s->cell_start[c], j;
		for (j = 0; j < s->cell_len[c]; j++) {
			s->slot_x_cm[b + j] = tx[k];
			s->slot_y_cm[b + j] = ty[k];
			s->slot_id[b + j] = tid[k];
			s->slot_of[tid[k]] = b + j;
			k++;
		}
	}
	free(tx);
	free(ty);
	free(tid);
	s->compactions++;
	return DN_OK;
}

/* Make room for one more point in bucket c. */
static dn_rc ensure_room(dn_spatial *s, uint64_t c)
{
	uint32_t len = s->cell_len[c];
	if (len < s->cell_cap[c])
		return DN_OK;
	uint64_t want = len < 2 ? 4 : 2 * (uint64_t)len;
	if (s->slot_top + want > s->slot_cap) {
		dn_rc rc = compact(s);
		if (rc)
			return rc;
		if (s->cell_len[c] < s->cell_cap[c])
			return DN_OK;
		if (s->slot_top + want > s->slot_cap)
			want = s->slot_cap - s->slot_top;
		/* n < max_points here and layout leaves >= max_points/2 + 64 - n/8 free */
		assert(want >= (uint64_t)len + 1);
		if (want < (uint64_t)len + 1)
			return DN_ELIMIT;
	}
	uint32_t from = s->cell_start[c], to = s->slot_top, j;
	for (j = 0; j < len; j++) {
		s->slot_x_cm[to + j] = s->slot_x_cm[from + j];
		s->slot_y_cm[to + j] = s->slot_y_cm[from + j];
		s->slot_id[to + j] = s->slot_id[from + j];
		s->slot_of[s->slot_id[to + j]] = to + j;
	}
	s->cell_start[c] = to;
	s->cell_cap[c] = (uint32_t)want;
	s->slot_top += (uint32_t)want;
	s->relocations++;
	return DN_OK;
}

/* Append to bucket c, which has room. */
static void put(dn_spatial *s, uint64_t c, uint32_t id, int32_t x_cm, int32_t y_cm)
{
	assert(s->cell_len[c] < s->cell_cap[c]);
	uint32_t slot = s->cell_start[c] + s->cell_len[c]++;
	s->slot_x_cm[slot] = x_cm;
	s->slot_y_cm[slot] = y_cm;
	s->slot_id[slot] = id;
	s->slot_of[id] = slot;
}

/* Take a present id out of bucket c: the bucket's last point fills its slot. */
static void take(dn_spatial *s, uint64_t c, uint32_t id)
{
	uint32_t slot = s->slot_of[id];
	uint32_t last = s->cell_start[c] + s->cell_len[c] - 1;
	assert(s->cell_len[c] > 0 && slot >= s->cell_start[c] && slot <= last);
	if (slot != last) {
		s->slot_x_cm[slot] = s->slot_x_cm[last];
		s->slot_y_cm[slot] = s->slot_y_cm[last];
		s->slot_id[slot] = s->slot_id[last];
		s->slot_of[s->slot_id[slot]] = slot;
	}
	s->cell_len[c]--;
	s->slot_of[id] = DN_SPATIAL_NONE;
}

dn_rc dn_spatial_add(dn_spatial *s, uint32_t id, int32_t x_cm, int32_t y_cm)
{
	if (!s || id >= s->cfg.max_points || s->slot_of[id] != DN_SPATIAL_NONE)
		return DN_EINVAL;
	if (!in_plane(s, x_cm, y_cm))
		return DN_ERANGE;
	uint64_t c = cell_of(s, x_cm, y_cm);
	dn_rc rc = ensure_room(s, c);
	if (rc)
		return rc;
	put(s, c, id, x_cm, y_cm);
	s->n_points++;
	return DN_OK;
}

dn_rc dn_spatial_remove(dn_spatial *s, uint32_t id)
{
	if (!s || id >= s->cfg.max_points || s->slot_of[id] == DN_SPATIAL_NONE)
		return DN_EINVAL;
	uint32_t slot = s->slot_of[id];
	take(s, cell_of(s, s->slot_x_cm[slot], s->slot_y_cm[slot]), id);
	s->n_points--;
	return DN_OK;
}

dn_rc dn_spatial_move(dn_spatial *s, uint32_t id, int32_t x_cm, int32_t y_cm)
{
	if (!s || id >= s->cfg.max_points || s->slot_of[id] == DN_SPATIAL_NONE)
		return DN_EINVAL;
	if (!in_plane(s, x_cm, y_cm))
		return DN_ERANGE;
	uint32_t slot = s->slot_of[id];
	uint64_t from = cell_of(s, s->slot_x_cm[slot], s->slot_y_cm[slot]);
	uint64_t to = cell_of(s, x_cm, y_cm);
	if (from == to) {
		s->slot_x_cm[slot] = x_cm;
		s->slot_y_cm[slot] = y_cm;
		return DN_OK;
	}
	dn_rc rc = ensure_room(s, to); /* may relocate or compact: nothing lost */
	if (rc)
		return rc;
	take(s, from, id);
	put(s, to, id, x_cm, y_cm);
	return DN_OK;
}

dn_rc dn_spatial_get(const dn_spatial *s, uint32_t id, int32_t *x_cm, int32_t *y_cm)
{
	if (!s || !x_cm || !y_cm || id >= s->cfg.max_points || s->slot_of[id] == DN_SPATIAL_NONE)
		return DN_EINVAL;
	*x_cm = s->slot_x_cm[s->slot_of[id]];
	*y_cm = s->slot_y_cm[s->slot_of[id]];
	return DN_OK;
}

dn_rc dn_spatial_set_radius(dn_spatial *s, uint32_t id, uint32_t radius_cm)
{
	if (!s || !s->radius_cm || id >= s->cfg.max_points)
		return DN_EINVAL;
	s->radius_cm[id] = radius_cm;
	if (radius_cm > s->max_radius_cm)
		s->max_radius_cm = radius_cm;
	return DN_OK;
}

uint32_t dn_spatial_count(const dn_spatial *s)
{
	return s ? s->n_points : 0;
}

void dn_spatial_get_stats(const dn_spatial *s, dn_spatial_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return;
	out->relocations = s->relocations;
	out->compactions = s->compactions;
	out->points = s->n_points;
	out->slots_used = s->slot_top;
	out->slot_cap = s->slot_cap;
	out->cells = s->n_cells;
	out->bytes = sizeof *s + s->n_cells * 3 * sizeof(uint32_t) +
	             (uint64_t)s->slot_cap * (2 * sizeof(int32_t) + sizeof(uint32_t)) +
	             (uint64_t)s->cfg.max_points * sizeof(uint32_t) * (s->radius_cm ? 2 : 1);
}

/* ---------------------------------------------------------------- queries */

/* Squared distance from the query (offsets gx, gy from the plane's corner)
 * to grid cell (i, j)'s square: a lower bound for its points. */
static uint64_t cell_d2(const dn_spatial *s, int64_t gx, int64_t gy, int64_t i, int64_t j)
{
	int64_t cs = s->cfg.cell_cm, dx = 0, dy = 0;
	if (gx < i * cs)
		dx = i * cs - gx;
	else if (gx > (i + 1) * cs)
		dx = gx - (i + 1) * cs;
	if (gy < j * cs)
		dy = j * cs - gy;
	else if (gy > (j + 1) * cs)
		dy = gy - (j + 1) * cs;
	return (uint64_t)(dx * dx) + (uint64_t)(dy * dy);
}

static uint64_t radius2(int64_t r_cm)
{
	if (r_cm > DN_SPATIAL_MAX_RADIUS_CM)
		r_cm = DN_SPATIAL_MAX_RADIUS_CM;
	return (uint64_t)r_cm * (uint64_t)r_cm;
}

/* k-nearest state: a max-heap of at most k hits in the caller's buffer. */
typedef struct knn_ctx {
	dn_spatial_hit *h;
	uint32_t n, k;
	uint64_t r2;
	const dn_spatial_hit *after;
	int32_t qx, qy;
} knn_ctx;

/* The squared distance beyond which nothing can enter the heap. */
static uint64_t knn_bound(const knn_ctx *q)
{
	if (q->n == q->k && q->h[0].d2_cm2 < q->r2)
		return q->h[0].d2_cm2;
	return q->r2;
}

static void knn_scan_cell(const dn_spatial *s, knn_ctx *q, uint64_t c)
{
	uint32_t b = s->cell_start[c], e = b + s->cell_len[c], j;
	for (j = b; j < e; j++) {
		dn_spatial_hit hit = {dist2(s->slot_x_cm[j], s->slot_y_cm[j], q->qx, q->qy),
		                      s->slot_id[j], 0};
		if (hit.d2_cm2 > q->r2)
			continue;
		if (q->after && !hit_before(q->after, &hit))
			continue;
		if (q->n < q->k) {
			q->h[q->n] = hit;
			heap_up(q->h, q->n);
			q->n++;
		} else if (hit_before(&hit, &q->h[0])) {
			q->h[0] = hit;
			heap_down(q->h, q->n, 0);
		}
	}
}

/* The farthest any point of cell (i, j) can be from (gx, gy): a cell holds
 * grid coordinates i * cs .. (i + 1) * cs - 1. */
static uint64_t cell_max_d2(const dn_spatial *s, int64_t gx, int64_t gy, int64_t i, int64_t j)
{
	int64_t cs = s->cfg.cell_cm;
	int64_t dx0 = gx - i * cs, dx1 = (i + 1) * cs - 1 - gx;
	int64_t dy0 = gy - j * cs, dy1 = (j + 1) * cs - 1 - gy;
	int64_t dx = llabs(dx0) > llabs(dx1) ? llabs(dx0) : llabs(dx1);
	int64_t dy = llabs(dy0) > llabs(dy1) ? llabs(dy0) : llabs(dy1);
	return (uint64_t)(dx * dx) + (uint64_t)(dy * dy);
}

/* Cell (i, j), on the grid and not empty: scanned unless out of reach.
 * The callers skip empty cells, most cells of a sparse index, without a
 * call. */
static void knn_visit(const dn_spatial *s, knn_ctx *q, int64_t gx, int64_t gy, int64_t i,
                      int64_t j)
{
	uint64_t bound = knn_bound(q);
	if (cell_d2(s, gx, gy, i, j) > bound)
		return;
	/* a later page: a cell wholly nearer than the cursor holds only
	 * points the pages before returned */
	if (q->after && cell_max_d2(s, gx, gy, i, j) < q->after->d2_cm2)
		return;
	knn_scan_cell(s, q, (uint64_t)j * s->nx + (uint64_t)i);
}

dn_rc dn_spatial_knn(const dn_spatial *s, int32_t x_cm, int32_t y_cm, uint32_t k,
                     int64_t max_radius_cm, const dn_spatial_hit *after, dn_spatial_hit *out,
                     uint32_t cap, uint32_t *n_out)
{
	if (!s || !n_out || (k > 0 && !out) || max_radius_cm < 0)
		return DN_EINVAL;
	if (k > cap)
		return DN_ELIMIT;
	if (!in_limit(x_cm, y_cm))
		return DN_ERANGE;
	*n_out = 0;
	if (k == 0 || s->n_points == 0)
		return DN_OK;
	knn_ctx q = {out, 0, k, radius2(max_radius_cm), after, x_cm, y_cm};
	int64_t cs = s->cfg.cell_cm;
	int64_t gx = (int64_t)x_cm - s->cfg.min_x_cm, gy = (int64_t)y_cm - s->cfg.min_y_cm;
	int64_t cx = gx < 0 ? 0 : gx / cs, cy = gy < 0 ? 0 : gy / cs;
	if (cx >= s->nx)
		cx = s->nx - 1;
	if (cy >= s->ny)
		cy = s->ny - 1;
	int64_t r, rmax = (s->nx > s->ny ? s->nx : s->ny);
	const uint32_t *len = s->cell_len, nx = s->nx;
	for (r = 0; r <= rmax; r++) { /* bounded by the grid's larger side */
		if (r > 0) {
			/* points of ring r lie outside columns cx-r+1..cx+r-1 or rows
			 * cy-r+1..cy+r-1: bound their distance by the nearest side
			 * that still has grid cells beyond it */
			uint64_t lb = UINT64_MAX;
			int64_t d;
			if (cx - r >= 0) {
				d = gx - (cx - r + 1) * cs;
				lb = d < 0 ? 0 : ((uint64_t)d < lb ? (uint64_t)d : lb);
			}
			if (cx + r < s->nx) {
				d = (cx + r) * cs - gx;
				lb = d < 0 ? 0 : ((uint64_t)d < lb ? (uint64_t)d : lb);
			}
			if (cy - r >= 0) {
				d = gy - (cy - r + 1) * cs;
				lb = d < 0 ? 0 : ((uint64_t)d < lb ? (uint64_t)d : lb);
			}
			if (cy + r < s->ny) {
				d = (cy + r) * cs - gy;
				lb = d < 0 ? 0 : ((uint64_t)d < lb ? (uint64_t)d : lb);
			}
			if (lb == UINT64_MAX)
				break; /* the ring is off the grid on every side */
			if (lb > UINT32_MAX || lb * lb > knn_bound(&q))
				break;
		}
		if (r == 0) {
			if (len[(uint64_t)cy * nx + (uint64_t)cx])
				knn_visit(s, &q, gx, gy, cx, cy);
			continue;
		}
		/* ring r's cells on the grid: its top and bottom rows, then
		 * its left and right columns between them (the order of visits
		 * cannot change the result: the k nearest in (d2, id) order) */
		int64_t t, x0 = cx - r < 0 ? 0 : cx - r, x1 = cx + r >= s->nx ? s->nx - 1 : cx + r;
		int64_t y0 = cy - r + 1 < 0 ? 0 : cy - r + 1, y1 = cy + r - 1 >= s->ny ? s->ny - 1 : cy + r - 1;
		if (cy - r >= 0)
			for (t = x0; t <= x1; t++)
				if (len[(uint64_t)(cy - r) * nx + (uint64_t)t])
					knn_visit(s, &q, gx, gy, t, cy - r);
		if (cy + r < s->ny)
			for (t = x0; t <= x1; t++)
				if (len[(uint64_t)(cy + r) * nx + (uint64_t)t])
					knn_visit(s, &q, gx, gy, t, cy + r);
		if (cx - r >= 0)
			for (t = y0; t <= y1; t++)
				if (len[(uint64_t)t * nx + (uint64_t)(cx - r)])
					knn_visit(s, &q, gx, gy, cx - r, t);
		if (cx + r < s->nx)
			for (t = y0; t <= y1; t++)
				if (len[(uint64_t)t * nx + (uint64_t)(cx + r)])
					knn_visit(s, &q, gx, gy, cx + r, t);
	}
	hits_sort(out, q.n);
	*n_out = q.n;
	return DN_OK;
}

/* Points within radius (and, with discs, inside their own radius). */
static dn_rc collect(const dn_spatial *s, int32_t x_cm, int32_t y_cm, int64_t radius_cm,
                     bool discs, dn_spatial_hit *out, uint32_t cap, uint32_t *n_out)
{
	if (!s || !n_out || (cap > 0 && !out) || radius_cm < 0)
		return DN_EINVAL;
	if (!in_limit(x_cm, y_cm))
		return DN_ERANGE;
	*n_out = 0;
	if (radius_cm > DN_SPATIAL_MAX_RADIUS_CM)
		radius_cm = DN_SPATIAL_MAX_RADIUS_CM;
	uint64_t r2 = radius2(radius_cm);
	int64_t cs = s->cfg.cell_cm;
	int64_t gx = (int64_t)x_cm - s->cfg.min_x_cm, gy = (int64_t)y_cm - s->cfg.min_y_cm;
	if (gx + radius_cm < 0 || gy + radius_cm < 0)
		return DN_OK;
	int64_t i0 = gx - radius_cm < 0 ? 0 : (gx - radius_cm) / cs;
	int64_t j0 = gy - radius_cm < 0 ? 0 : (gy - radius_cm) / cs;
	int64_t i1 = (gx + radius_cm) / cs, j1 = (gy + radius_cm) / cs;
	if (i1 >= s->nx)
		i1 = s->nx - 1;
	if (j1 >= s->ny)
		j1 = s->ny - 1;
	uint32_t n = 0;
	int64_t i, j;
	for (j = j0; j <= j1; j++) {
		for (i = i0; i <= i1; i++) {
			if (cell_d2(s, gx, gy, i, j) > r2)
				continue;
			uint64_t c = (uint64_t)j * s->nx + (uint64_t)i;
			uint32_t b = s->cell_start[c], e = b + s->cell_len[c], t;
			for (t = b; t < e; t++) {
				uint64_t d2 = dist2(s->slot_x_cm[t], s->slot_y_cm[t], x_cm, y_cm);
				if (d2 > r2)
					continue;
				if (discs && d2 > radius2(s->radius_cm[s->slot_id[t]]))
					continue;
				if (n == cap) {
					*n_out = n;
					return DN_ELIMIT;
				}
				out[n].d2_cm2 = d2;
				out[n].id = s->slot_id[t];
				out[n].reserved = 0;
				n++;
			}
		}
	}
	hits_sort(out, n);
	*n_out = n;
	return DN_OK;
}

dn_rc dn_spatial_within(const dn_spatial *s, int32_t x_cm, int32_t y_cm, int64_t radius_cm,
                        dn_spatial_hit *out, uint32_t cap, uint32_t *n_out)
{
	return collect(s, x_cm, y_cm, radius_cm, false, out, cap, n_out);
}

dn_rc dn_spatial_covering(const dn_spatial *s, int32_t x_cm, int32_t y_cm, dn_spatial_hit *out,
                          uint32_t cap, uint32_t *n_out)
{
	if (!s || !s->radius_cm)
		return DN_EINVAL;
	return collect(s, x_cm, y_cm, s->max_radius_cm, true, out, cap, n_out);
}

dn_rc dn_spatial_check(const dn_spatial *s)
{
	uint64_t c, total = 0;
	uint32_t id, seen = 0;
	if (!s || s->slot_top > s->slot_cap)
		return DN_EINVAL;
	for (c = 0; c < s->n_cells; c++) {
		if (s->cell_len[c] > s->cell_cap[c] ||
		    (uint64_t)s->cell_start[c] + s->cell_cap[c] > s->slot_top)
			return DN_EINVAL;
		uint32_t b = s->cell_start[c], j;
		for (j = 0; j < s->cell_len[c]; j++) {
			uint32_t slot = b + j, pid = s->slot_id[slot];
			if (pid >= s->cfg.max_points || s->slot_of[pid] != slot ||
			    !in_plane(s, s->slot_x_cm[slot], s->slot_y_cm[slot]) ||
			    cell_of(s, s->slot_x_cm[slot], s->slot_y_cm[slot]) != c)
				return DN_EINVAL;
		}
		total += s->cell_len[c];
	}
	for (id = 0; id < s->cfg.max_points; id++)
		seen += s->slot_of[id] != DN_SPATIAL_NONE;
	/* slot_of[pid] == slot for every bucket entry makes entries distinct ids */
	if (total != s->n_points || seen != s->n_points)
		return DN_EINVAL;
	return DN_OK;
}
