/*
 * plot_sweep.c: `dnetsim plot SWEEP.h5 [-o DIR]` for a sweep file (one
 * with a /members group, written by `dnetsim sweep`; the layout is in
 * sim/engine/sweepfile.h). What it draws, with gnuplot:
 *
 *  - <summary>_vs_<param>.png (analysis/sweep_response.gp): for each swept
 *    numeric parameter, each headline summary's point mean with its 95 %
 *    interval (/points/mean, ci95_lo, ci95_hi) against the parameter, one
 *    marker per point, and the complete replicates' own values as dots;
 *  - fan_<series>.png, or fan_<series>_<k>.png when the points need more
 *    than one picture (analysis/sweep_fan.gp): for each headline series,
 *    per point the median over its complete replicates and the 5-95 %
 *    band, over simulated time in the unit the run pictures use;
 *  - overview.png (analysis/sweep_overview.gp): the headline responses to
 *    the first swept numeric parameter on one page;
 *  - index.txt: what each picture shows, then everything not drawn and why.
 *
 * The headline summaries and series are the world model's (lists below);
 * a sweep of another model, which has none of them, gets every float
 * summary and its first few series. The number of pictures is bounded
 * (SW_MAX_PARAMS x SW_MAX_METRICS responses, SW_FAN_SERIES x SW_FAN_CHARTS
 * fans, one overview).
 *
 * The file is untrusted input, as in plot.c (whose queue, text and unit
 * helpers this uses, plot.h): only hard links are followed, every size is
 * checked against a bound before anything is read or allocated, a column
 * that is not what it should be (strings for numbers, the wrong length,
 * chunks too large to inflate, rows in other files) costs the pictures
 * that need it with a message, and names reach gnuplot only as octal
 * escapes and file names only without control characters.
 */
#define _POSIX_C_SOURCE 200809L

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "plot.h"

enum {
	SW_MAX_MEMBERS = 1 << 20, /* members read (8 MiB a column) */
	SW_MAX_POINTS = 65536,    /* points read, and drawn in one picture */
	SW_MAX_PARAMS_READ = 64,  /* parameters read (for the axes and labels) */
	SW_MAX_PARAMS = 6,        /* numeric parameters drawn as response axes */
	SW_MAX_METRICS = 16,      /* summaries drawn against each */
	SW_MAX_DOTS = 65536,      /* replicate dots in one response picture */
	SW_FAN_SERIES = 6,        /* series drawn as fans */
	SW_FAN_FALLBACK = 4,      /* without a headline series: the first ones */
	SW_FAN_PER_CHART = 6,     /* points in one fan picture */
	SW_FAN_CHARTS = 4,        /* fan pictures per series */
	SW_FAN_REPS = 1000,       /* replicates of a point in its band */
	SW_FAN_TIMES = 2000,      /* times drawn: a longer series is sampled */
	SW_FAN_MARKS = 200,       /* up to this many times, larger dots */
	SW_OV_PANELS = 6,         /* panels of the overview */
	SW_LABEL_PARAMS = 3,      /* parameters named in a fan's legend */
	SW_LABEL_MAX = 90,        /* bytes of a legend entry */
	SW_STR_MAX = 4096,        /* a fixed-size string read at all */
	SW_STR_KEEP = 256,        /* bytes kept of a string value */
	SW_MAX_CHARTS = SW_MAX_PARAMS * SW_MAX_METRICS + SW_FAN_SERIES * SW_FAN_CHARTS + 1
};
#define SW_STR_BYTES ((hsize_t)64 << 20) /* bytes of strings read from one column */

/* The headline summaries: what a reader of a world sweep looks at first. */
static const char *const sw_head_summaries[] = {
	"dtoken_share_final", "request_success_share", "coverage_mean",
	"price_p50_base_per_gib", "world_dnet_price", "world_transactions",
};
/* The headline series: the overview's first panels of a world run. */
static const char *const sw_head_series[] = {
	"dnet_price", "coverage", "dtoken_share", "sessions_active", "holdings_gini",
	"service_latency_p50_ns",
};
#define SW_N(a) (sizeof(a) / sizeof((a)[0]))

static const char sw_gp_response[] = "sweep_response.gp";
static const char sw_gp_fan[] = "sweep_fan.gp";
static const char sw_gp_overview[] = "sweep_overview.gp";

/* ---- reading: HDF5, bounded ---- */

typedef struct sw_names {
	char **v;
	size_t n;
	uint64_t total; /* links in the group (more than n: not looked at) */
	bool oom;
} sw_names;

static void sw_names_free(sw_names *nl)
{
	for (size_t k = 0; k < nl->n; k++)
		free(nl->v[k]);
	free(nl->v);
	memset(nl, 0, sizeof *nl);
}

static herr_t sw_name_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	sw_names *nl = data;
	(void)g;
	(void)info;
	if (nl->n >= DN_PLOT_MAX_ENTRIES)
		return 1;
	nl->v[nl->n] = strdup(name);
	if (nl->v[nl->n] == NULL) {
		nl->oom = true;
		return -1;
	}
	nl->n++;
	return 0;
}

/* The names in group g, at most DN_PLOT_MAX_ENTRIES: in creation order
 * when the group keeps it, else in name order. */
static bool sw_list(hid_t g, sw_names *nl, char *why, size_t whylen)
{
	memset(nl, 0, sizeof *nl);
	H5G_info_t gi;
	if (H5Gget_info(g, &gi) < 0) {
		dn_plot_h5why(why, whylen, "listing it");
		return false;
	}
	nl->total = (uint64_t)gi.nlinks;
	size_t cap = gi.nlinks < DN_PLOT_MAX_ENTRIES ? (size_t)gi.nlinks : DN_PLOT_MAX_ENTRIES;
	if (cap == 0)
		return true;
	nl->v = calloc(cap, sizeof *nl->v);
	if (nl->v == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	/* the order the writer made them in when the group keeps it (a sweep
	 * file's parameters: the sweep's order), else name order */
	unsigned crt = 0;
	hid_t gcpl = H5Gget_create_plist(g);
	if (gcpl < 0 || H5Pget_link_creation_order(gcpl, &crt) < 0)
		crt = 0;
	if (gcpl >= 0)
		(void)H5Pclose(gcpl);
	H5Eclear2(H5E_DEFAULT);
	H5_index_t by = (crt & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
	hsize_t idx = 0;
	if (H5Literate(g, by, H5_ITER_INC, &idx, sw_name_cb, nl) < 0) {
		if (nl->oom)
			snprintf(why, whylen, "out of memory");
		else
			dn_plot_h5why(why, whylen, "listing it");
		sw_names_free(nl);
		return false;
	}
	return true;
}

static bool sw_has(const sw_names *nl, const char *name)
{
	for (size_t k = 0; k < nl->n; k++)
		if (strcmp(nl->v[k], name) == 0)
			return true;
	return false;
}

/* The class of the values of dataset g/name (hard-linked), or H5T_NO_CLASS. */
static H5T_class_t sw_class_of(hid_t g, const char *name)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hid_t d = dn_plot_open(g, name, H5I_DATASET, &absent, why, sizeof why);
	H5T_class_t c = d >= 0 ? dn_plot_class(d) : H5T_NO_CLASS;
	if (d >= 0)
		(void)H5Dclose(d);
	return c;
}

typedef enum sw_rc { SW_OK, SW_ABSENT, SW_BAD } sw_rc;

/* A column of numbers: integers as doubles, INT64_MIN (none) as NaN. */
typedef struct sw_col {
	double *v;
	size_t n;
	bool is_int;
	char units[DN_PLOT_UNITS_MAX];
	char desc[DN_PLOT_DESC_MAX];
} sw_col;

static void sw_col_free(sw_col *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

/*
 * Opens g/name as a one-dimensional dataset of n values: exactly want
 * when want > 0, else at most max (*n gets it).
 */
static hid_t sw_open_1d(hid_t g, const char *name, size_t want, size_t max, size_t *n,
			sw_rc *rc, char *why, size_t whylen)
{
	bool absent = false;
	hid_t d = dn_plot_open(g, name, H5I_DATASET, &absent, why, whylen);
	*rc = absent ? SW_ABSENT : SW_BAD;
	if (d < 0)
		return d;
	hsize_t dims[H5S_MAX_RANK], chunk[1];
	int rank = dn_plot_dims(d, dims, why, whylen);
	bool ok = rank >= 0;
	if (ok && rank != 1) {
		snprintf(why, whylen, "a dataset of %d dimensions, not a column", rank);
		ok = false;
	} else if (ok && want > 0 && dims[0] != want) {
		snprintf(why, whylen, "%" PRIu64 " values, not %zu", (uint64_t)dims[0], want);
		ok = false;
	} else if (ok && dims[0] > max) {
		snprintf(why, whylen, "it declares %" PRIu64 " values, more than the %zu read",
			 (uint64_t)dims[0], max);
		ok = false;
	}
	ok = ok && dn_plot_layout_ok(d, 1, chunk, why, whylen);
	if (!ok) {
		(void)H5Dclose(d);
		return H5I_INVALID_HID;
	}
	*n = (size_t)dims[0];
	*rc = SW_OK;
	return d;
}

/* Reads g/name, a column of numbers (see sw_open_1d for want and max). */
static sw_rc sw_read_num(hid_t g, const char *name, size_t want, size_t max, sw_col *c,
			 char *why, size_t whylen)
{
	memset(c, 0, sizeof *c);
	sw_rc rc;
	size_t n = 0;
	hid_t d = sw_open_1d(g, name, want, max, &n, &rc, why, whylen);
	if (d < 0)
		return rc;
	H5T_class_t cl = dn_plot_class(d);
	if (cl != H5T_INTEGER && cl != H5T_FLOAT) {
		snprintf(why, whylen, "%s, not numbers",
			 cl == H5T_STRING ? "strings" : cl == H5T_COMPOUND ? "a table" : "values");
		(void)H5Dclose(d);
		return SW_BAD;
	}
	c->is_int = cl == H5T_INTEGER;
	c->n = n;
	c->v = malloc((n > 0 ? n : 1) * sizeof *c->v);
	bool ok = c->v != NULL;
	if (!ok)
		snprintf(why, whylen, "out of memory");
	if (ok && n > 0 && c->is_int) {
		/* same size as a double: read in place, then converted */
		_Static_assert(sizeof(int64_t) == sizeof(double), "int64 and double share a buffer");
		int64_t *iv = (int64_t *)(void *)c->v;
		ok = H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv) >= 0;
		for (size_t k = 0; ok && k < n; k++) {
			int64_t x;
			memcpy(&x, &iv[k], sizeof x);
			c->v[k] = x == INT64_MIN ? NAN : (double)x;
		}
	} else if (ok && n > 0) {
		ok = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c->v) >= 0;
	}
	if (!ok && c->v != NULL)
		dn_plot_h5why(why, whylen, "reading it");
	if (ok && (!dn_plot_attr(d, "units", c->units, sizeof c->units) ||
		   !dn_plot_attr(d, "description", c->desc, sizeof c->desc)))
		c->units[0] = c->desc[0] = '\0'; /* not strings: not shown */
	(void)H5Dclose(d);
	H5Eclear2(H5E_DEFAULT);
	if (!ok) {
		sw_col_free(c);
		return SW_BAD;
	}
	return SW_OK;
}

/* Copies at most SW_STR_KEEP - 1 bytes of p (len bytes, or up to a NUL). */
static char *sw_keep(const char *p, size_t len)
{
	size_t n = 0;
	while (n < len && n < SW_STR_KEEP - 1 && p[n] != '\0')
		n++;
	char *s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* Reads g/name, a column of exactly want strings (variable or fixed size),
 * into *out (want malloc'd strings, each cut to SW_STR_KEEP bytes). */
static sw_rc sw_read_str(hid_t g, const char *name, size_t want, char ***out, char *why,
			 size_t whylen)
{
	*out = NULL;
	sw_rc rc;
	size_t n = 0;
	hid_t d = sw_open_1d(g, name, want, want, &n, &rc, why, whylen);
	if (d < 0)
		return rc;
	hid_t ft = H5Dget_type(d), mt = H5I_INVALID_HID, sp = H5Dget_space(d);
	bool ok = ft >= 0 && sp >= 0 && H5Tget_class(ft) == H5T_STRING;
	if (!ok)
		snprintf(why, whylen, "not strings");
	htri_t var = ok ? H5Tis_variable_str(ft) : -1;
	char **s = ok ? calloc(n > 0 ? n : 1, sizeof *s) : NULL;
	if (ok && s == NULL) {
		snprintf(why, whylen, "out of memory");
		ok = false;
	}
	if (ok && var > 0) {
		/* the strings' total size is known before they are read */
		mt = H5Tcopy(H5T_C_S1);
		hsize_t bytes = 0;
		ok = mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
		     H5Tset_cset(mt, H5Tget_cset(ft)) >= 0 &&
		     H5Dvlen_get_buf_size(d, mt, sp, &bytes) >= 0;
		if (!ok) {
			dn_plot_h5why(why, whylen, "sizing its strings");
		} else if (bytes > SW_STR_BYTES) {
			snprintf(why, whylen, "%" PRIu64 " bytes of strings, more than the %" PRIu64
				 " read", (uint64_t)bytes, (uint64_t)SW_STR_BYTES);
			ok = false;
		}
		char **raw = ok ? calloc(n > 0 ? n : 1, sizeof *raw) : NULL;
		if (ok && raw == NULL) {
			snprintf(why, whylen, "out of memory");
			ok = false;
		}
		if (ok && n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
			dn_plot_h5why(why, whylen, "reading it");
			ok = false;
		} else if (ok) {
			for (size_t k = 0; ok && k < n; k++) {
				s[k] = sw_keep(raw[k] != NULL ? raw[k] : "", SIZE_MAX);
				ok = s[k] != NULL;
			}
			if (n > 0)
				(void)H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
		}
		free(raw);
	} else if (ok && var == 0) {
		size_t sz = H5Tget_size(ft);
		if (sz == 0 || sz > SW_STR_MAX || (hsize_t)sz * n > SW_STR_BYTES) {
			snprintf(why, whylen, "strings of %zu bytes (not read)", sz);
			ok = false;
		}
		char *raw = ok ? malloc(sz * (n > 0 ? n : 1)) : NULL;
		mt = ok ? H5Tcopy(ft) : H5I_INVALID_HID;
		ok = ok && raw != NULL && mt >= 0;
		if (ok && n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
			dn_plot_h5why(why, whylen, "reading it");
			ok = false;
		}
		for (size_t k = 0; ok && k < n; k++) {
			s[k] = sw_keep(raw + k * sz, sz);
			ok = s[k] != NULL;
		}
		free(raw);
	} else if (ok) {
		dn_plot_h5why(why, whylen, "getting its type");
		ok = false;
	}
	if (mt >= 0)
		(void)H5Tclose(mt);
	if (ft >= 0)
		(void)H5Tclose(ft);
	if (sp >= 0)
		(void)H5Sclose(sp);
	(void)H5Dclose(d);
	H5Eclear2(H5E_DEFAULT);
	if (!ok) {
		dn_plot_strs_free(s, n);
		return SW_BAD;
	}
	*out = s;
	return SW_OK;
}

/* ---- the sweep as read ---- */

typedef struct sw_param {
	char *name;
	double *x;   /* n_points numbers, or NULL */
	char **s;    /* n_points strings (a text parameter), or NULL */
	char units[DN_PLOT_UNITS_MAX];
	bool varies; /* two values or more */
} sw_param;

typedef plot_chart sw_chart;

/* A summary drawn against the parameters. */
typedef struct sw_metric {
	const char *name;
	sw_col mean, lo, hi, count; /* n_points each; lo, hi, count may be empty */
	sw_col member;              /* n_members, or empty */
	char units[DN_PLOT_UNITS_MAX];
	char desc[DN_PLOT_DESC_MAX];
	bool marker;                /* -1 is "none" in the members' values */
	plot_scale scale;
} sw_metric;

/* A series drawn as fans: per selected point, per time drawn, the
 * median and the 5-95 % band of its complete replicates' values. */
typedef struct sw_fan {
	char *name;
	char units[DN_PLOT_UNITS_MAX];
	char desc[DN_PLOT_DESC_MAX];
	uint64_t rows, stride;
	size_t times;      /* rows drawn: every stride-th */
	int64_t *t_ns;     /* times */
	double *q;         /* [point k][time j][3]: median, p05, p95 */
	uint32_t *nvalid;  /* [point k][time j]: replicates with a value */
	bool *any;         /* [point k]: a value at some time */
	size_t *reps;      /* [point k]: replicates read */
	double maxabs;
	int64_t t_last;
} sw_fan;

typedef struct sw_state {
	plot_run *r;
	hid_t f, members, points;
	const char *file;
	char *gp_response, *gp_fan, *gp_overview; /* absolute, or NULL */
	char design[64];
	size_t n_members, n_points, n_complete;
	bool members_ok;   /* point and completeness per member known */
	int64_t *point;    /* per member: its point, -1 if none */
	bool *complete;    /* per member */
	size_t *by_point;  /* complete members, point by point */
	size_t *first;     /* point p's: by_point[first[p]] .. by_point[first[p + 1] - 1] */
	sw_param *param;
	size_t nparam;
	size_t axes[SW_MAX_PARAMS]; /* the numeric parameters drawn as axes */
	size_t naxes;
	size_t nvarying;   /* parameters that vary (one: a line joins the means) */
	size_t *sel;       /* points drawn as fans */
	size_t nsel;
	sw_chart *chart;   /* SW_MAX_CHARTS */
	size_t nchart;
	FILE *notes;       /* index.txt's "not drawn" lines */
	char *notes_buf;
	size_t notes_len;
	/* the overview: a table of one block per panel, its assignments */
	FILE *ov, *ov_assign;
	char *ov_assign_buf;
	size_t ov_assign_len;
	unsigned ov_id;
	size_t ov_panels;
	bool ov_bad;
} sw_state;


/* A script's absolute path (gnuplot runs in the work folder); NULL with a
 * message if it cannot be read. */

/* ---- members and points ---- */

static bool sw_is_whole(double v, double below)
{
	return isfinite(v) && v >= 0 && v < below && v == floor(v);
}

/* /members/point and status: which point each member is of, and which
 * members are complete. */
static void sw_read_members(sw_state *s)
{
	char why[DN_PLOT_WHY];
	sw_col pt;
	sw_rc rc = sw_read_num(s->members, "point", 0, SW_MAX_MEMBERS, &pt, why, sizeof why);
	if (rc != SW_OK) {
		dn_plot_note(s->r, s->notes, true, "/members/point: %s: no replicate values and no fan charts",
			rc == SW_ABSENT ? "not in the file" : why);
		return;
	}
	s->n_members = pt.n;
	s->point = malloc((pt.n > 0 ? pt.n : 1) * sizeof *s->point);
	s->complete = calloc(pt.n > 0 ? pt.n : 1, sizeof *s->complete);
	if (s->point == NULL || s->complete == NULL) {
		dn_plot_note(s->r, s->notes, true, "out of memory");
		sw_col_free(&pt);
		return;
	}
	for (size_t m = 0; m < pt.n; m++)
		s->point[m] = sw_is_whole(pt.v[m], (double)SW_MAX_POINTS) ? (int64_t)pt.v[m] : -1;
	sw_col_free(&pt);
	char **st = NULL;
	rc = sw_read_str(s->members, "status", s->n_members, &st, why, sizeof why);
	if (rc != SW_OK)
		dn_plot_note(s->r, s->notes, true, "/members/status: %s: every member with values counts as complete",
			rc == SW_ABSENT ? "not in the file" : why);
	for (size_t m = 0; m < s->n_members; m++)
		s->complete[m] = st == NULL || strcmp(st[m], "complete") == 0;
	dn_plot_strs_free(st, s->n_members);
	s->members_ok = true;
}

/* The points' count: the length of the first column of /points/param, or
 * /points/mean, or else one more than the largest member's point. */
static void sw_count_points(sw_state *s, const sw_names *params, const sw_names *means,
			    hid_t gparam, hid_t gmean)
{
	char why[DN_PLOT_WHY];
	for (int pass = 0; pass < 2; pass++) {
		const sw_names *nl = pass == 0 ? params : means;
		hid_t g = pass == 0 ? gparam : gmean;
		for (size_t k = 0; g >= 0 && k < nl->n; k++) {
			sw_rc rc;
			size_t n = 0;
			hid_t d = sw_open_1d(g, nl->v[k], 0, SIZE_MAX, &n, &rc, why, sizeof why);
			if (d >= 0) {
				(void)H5Dclose(d);
				s->n_points = n;
				return;
			}
		}
	}
	int64_t top = -1;
	for (size_t m = 0; s->members_ok && m < s->n_members; m++)
		top = s->point[m] > top ? s->point[m] : top;
	s->n_points = (size_t)(top + 1);
}

/* Members by point: the complete ones of each point, in member order. */
static bool sw_index_points(sw_state *s)
{
	size_t np = s->n_points, bad = 0;
	s->first = calloc(np + 1, sizeof *s->first);
	s->by_point = malloc((s->n_members > 0 ? s->n_members : 1) * sizeof *s->by_point);
	if (s->first == NULL || s->by_point == NULL) {
		dn_plot_note(s->r, s->notes, true, "out of memory");
		return false;
	}
	for (size_t m = 0; m < s->n_members; m++) {
		if (s->point[m] >= (int64_t)np)
			s->point[m] = -1;
		if (s->point[m] < 0)
			bad++;
		else if (s->complete[m])
			s->first[s->point[m] + 1]++;
	}
	for (size_t p = 0; p < np; p++)
		s->first[p + 1] += s->first[p];
	size_t *at = calloc(np + 1, sizeof *at);
	if (at == NULL) {
		dn_plot_note(s->r, s->notes, true, "out of memory");
		return false;
	}
	for (size_t m = 0; m < s->n_members; m++)
		if (s->point[m] >= 0 && s->complete[m]) {
			size_t p = (size_t)s->point[m];
			s->by_point[s->first[p] + at[p]++] = m;
		}
	free(at);
	s->n_complete = s->first[np];
	if (bad > 0)
		dn_plot_note(s->r, s->notes, true, "/members/point: %zu member(s) without a point of the %zu "
			"(not drawn)", bad, np);
	return true;
}

/* /points/param: every parameter's value at each point. */
static void sw_read_params(sw_state *s, hid_t g, const sw_names *nl)
{
	char why[DN_PLOT_WHY], shown[DN_PLOT_SHOW];
	size_t cap = nl->n < SW_MAX_PARAMS_READ ? nl->n : SW_MAX_PARAMS_READ;
	if (nl->total > cap)
		dn_plot_note(s->r, s->notes, true, "/points/param: %" PRIu64 " parameters, only the first %zu read",
			nl->total, cap);
	s->param = calloc(cap > 0 ? cap : 1, sizeof *s->param);
	if (s->param == NULL) {
		dn_plot_note(s->r, s->notes, true, "out of memory");
		return;
	}
	size_t numeric = 0;
	for (size_t k = 0; k < cap; k++) {
		const char *name = nl->v[k];
		dn_plot_show(shown, sizeof shown, name);
		sw_param *p = &s->param[s->nparam];
		memset(p, 0, sizeof *p);
		sw_col c = { 0 };
		sw_rc rc = sw_class_of(g, name) == H5T_STRING
				   ? sw_read_str(g, name, s->n_points, &p->s, why, sizeof why)
				   : sw_read_num(g, name, s->n_points, SW_MAX_POINTS, &c, why, sizeof why);
		if (rc != SW_OK) {
			dn_plot_note(s->r, s->notes, true, "parameter %s (/points/param): %s: not drawn", shown, why);
			continue;
		}
		p->name = strdup(name);
		if (p->name == NULL) {
			sw_col_free(&c);
			dn_plot_strs_free(p->s, s->n_points);
			dn_plot_note(s->r, s->notes, true, "out of memory");
			return;
		}
		if (p->s == NULL) {
			p->x = c.v; /* owned by the parameter now */
			memcpy(p->units, c.units, sizeof p->units);
			for (size_t i = 1; !p->varies && i < s->n_points; i++)
				p->varies = isfinite(p->x[i]) && isfinite(p->x[0]) && p->x[i] != p->x[0];
		} else {
			for (size_t i = 1; !p->varies && i < s->n_points; i++)
				p->varies = strcmp(p->s[i], p->s[0]) != 0;
		}
		s->nparam++;
		s->nvarying += p->varies;
		if (p->x == NULL) {
			dn_plot_note(s->r, s->notes, false, "parameter %s is text: no response pictures against it "
				"(named in the fan charts' legends)", shown);
		} else if (!p->varies) {
			dn_plot_note(s->r, s->notes, false, "parameter %s takes one value: no response pictures against it",
				shown);
		} else if (numeric++ < SW_MAX_PARAMS) {
			s->axes[s->naxes++] = s->nparam - 1;
		} else {
			dn_plot_note(s->r, s->notes, true, "parameter %s: at most %d parameters are drawn as axes", shown,
				(int)SW_MAX_PARAMS);
		}
	}
}

/* ---- pictures ---- */

/*
 * The next picture's file name "<base>.png": control characters as '_'
 * (a file name should have none), and "~2", "~3"... if another picture
 * has the name. false (with a note) if the name is too long.
 */
static sw_chart *sw_new_chart(sw_state *s, const char *base, bool overview)
{
	char shown[DN_PLOT_SHOW];
	if (s->nchart >= SW_MAX_CHARTS) { /* the bounds above keep below it */
		dn_plot_note(s->r, s->notes, true, "%s not drawn: more than %d pictures",
			dn_plot_show(shown, sizeof shown, base), (int)SW_MAX_CHARTS);
		return NULL;
	}
	if (strlen(base) > DN_PLOT_NAME_MAX - 8) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: a name longer than %d bytes",
			dn_plot_show(shown, sizeof shown, base), (int)DN_PLOT_NAME_MAX - 8);
		return NULL;
	}
	sw_chart *c = &s->chart[s->nchart];
	memset(c, 0, sizeof *c);
	char clean[DN_PLOT_NAME_MAX + 1];
	snprintf(clean, sizeof clean, "%s", base);
	for (char *p = clean; *p != '\0'; p++)
		if (dn_plot_is_ctl((unsigned char)*p))
			*p = '_';
	if (overview) { /* the one picture named by us alone */
		snprintf(c->file, sizeof c->file, "overview.png");
		s->nchart++;
		return c;
	}
	for (int k = 1; k <= DN_PLOT_RENAME_TRIES; k++) {
		if (k == 1)
			snprintf(c->file, sizeof c->file, "%s.png", clean);
		else
			snprintf(c->file, sizeof c->file, "%s~%d.png", clean, k);
		bool taken = strcmp(c->file, "overview.png") == 0;
		for (size_t i = 0; !taken && i < s->nchart; i++)
			taken = strcmp(s->chart[i].file, c->file) == 0;
		if (!taken) {
			s->nchart++;
			return c;
		}
	}
	dn_plot_note(s->r, s->notes, true, "%s not drawn: no free file name for it",
		dn_plot_show(shown, sizeof shown, base));
	return NULL;
}

/*
 * Queues a picture: its table (already written to <work>/d<id>.dat), the
 * assignments (taken over), its script. On failure the table is removed
 * and a note says why.
 */
static void sw_queue(sw_state *s, sw_chart *c, unsigned id, const char *script, char *assign,
		     const char *shown)
{
	plot_run *r = s->r;
	assert(r->njobs < DN_PLOT_BATCH); /* a full batch is drawn at once */
	plot_job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof *j);
	j->id = id;
	j->script = script;
	j->assign = assign;
	j->drawn = &c->drawn;
	snprintf(j->shown, sizeof j->shown, "%s", shown);
	j->png = dn_plot_strf("%s/%s", r->dir, c->file);
	if (j->png == NULL) {
		dn_plot_job_done(r, j);
		dn_plot_note(s->r, s->notes, true, "%s not drawn: out of memory", shown);
		return;
	}
	r->njobs++;
	if (r->njobs == DN_PLOT_BATCH)
		dn_plot_flush(r);
}

/* ---- responses: a summary against a parameter ---- */

static const double *sw_cmp_x; /* qsort's key: the parameter's values */

static int sw_cmp_points(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double x = sw_cmp_x[i], y = sw_cmp_x[j];
	return x < y ? -1 : x > y ? 1 : i < j ? -1 : i > j;
}

static bool sw_member_value(const sw_state *s, const sw_metric *me, size_t m, double *v)
{
	if (me->member.v == NULL || !s->complete[m] || s->point[m] < 0)
		return false;
	*v = me->member.v[m];
	return isfinite(*v) && !(me->marker && *v == -1.0);
}

/* The label of a parameter's axis: its name, and its unit if it has one. */
static void sw_axis_label(char *out, size_t cap, const sw_param *p)
{
	char name[DN_PLOT_NAME_MAX + 1], unit[DN_PLOT_UNITS_MAX];
	dn_plot_label(name, sizeof name, p->name);
	dn_plot_label(unit, sizeof unit, p->units);
	if (unit[0] == '\0' || strcmp(unit, "1") == 0)
		snprintf(out, cap, "%s", name);
	else
		snprintf(out, cap, "%s (%s)", name, unit);
}

/*
 * Writes one parameter's response table of a summary: block 0 one row per
 * point (x mean ci95_lo ci95_hi count, x-sorted), block 1 one row per
 * complete replicate (x value) unless there are more than SW_MAX_DOTS.
 * Counts the rows, intervals and dots, and the ranges.
 */
static bool sw_response_table(sw_state *s, FILE *f, const sw_metric *me, const sw_param *p,
			      size_t *order, size_t *nrows, size_t *nci, size_t *ndots,
			      plot_range *xr, plot_range *yr)
{
	int pw = me->scale.pow10;
	double div = pow(10.0, pw);
	size_t n = 0;
	for (size_t i = 0; i < s->n_points; i++)
		if (isfinite(p->x[i]) && isfinite(me->mean.v[i]))
			order[n++] = i;
	sw_cmp_x = p->x;
	qsort(order, n, sizeof *order, sw_cmp_points);
	*nrows = n;
	*nci = *ndots = 0;
	bool ok = true;
	for (size_t k = 0; ok && k < n; k++) {
		size_t i = order[k];
		double lo = me->lo.v != NULL ? me->lo.v[i] : NAN;
		double hi = me->hi.v != NULL ? me->hi.v[i] : NAN;
		double cnt = me->count.v != NULL ? me->count.v[i] : NAN;
		if (!isfinite(lo) || !isfinite(hi))
			lo = hi = NAN;
		else
			(*nci)++;
		dn_plot_range_add(xr, p->x[i]);
		dn_plot_range_add(yr, me->mean.v[i] / div);
		dn_plot_range_add(yr, lo / div);
		dn_plot_range_add(yr, hi / div);
		ok = dn_plot_put(f, p->x[i], 0, true) && dn_plot_put(f, me->mean.v[i], pw, false) &&
		     dn_plot_put(f, lo, pw, false) && dn_plot_put(f, hi, pw, false) &&
		     dn_plot_put(f, cnt, 0, false) && fputc('\n', f) != EOF;
	}
	size_t dots = 0;
	double v;
	for (size_t m = 0; s->members_ok && m < s->n_members; m++)
		dots += sw_member_value(s, me, m, &v) && isfinite(p->x[s->point[m]]);
	if (dots == 0 || dots > SW_MAX_DOTS)
		return ok;
	ok = ok && fputs("\n\n", f) >= 0;
	for (size_t m = 0; ok && m < s->n_members; m++) {
		if (!sw_member_value(s, me, m, &v) || !isfinite(p->x[s->point[m]]))
			continue;
		double x = p->x[s->point[m]];
		dn_plot_range_add(xr, x);
		dn_plot_range_add(yr, v / div);
		ok = dn_plot_put(f, x, 0, true) && dn_plot_put(f, v, pw, false) && fputc('\n', f) != EOF;
	}
	*ndots = dots;
	return ok;
}

/* " (unit)" for index.txt, or "" for a count or share (unit "1"). */
static void sw_unit_note(char *out, size_t cap, const char *unit)
{
	char un[DN_PLOT_SHOW];
	dn_plot_show(un, sizeof un, unit);
	if (un[0] == '\0' || strcmp(un, "1") == 0)
		out[0] = '\0';
	else
		snprintf(out, cap, " (%s)", un);
}

/* The line index.txt gives a response picture. */
static char *sw_response_what(const sw_state *s, const sw_metric *me, const sw_param *p,
			      size_t nrows, size_t ndots)
{
	char mn[DN_PLOT_SHOW], pn[DN_PLOT_SHOW], un[DN_PLOT_SHOW + 4];
	dn_plot_show(mn, sizeof mn, me->name);
	dn_plot_show(pn, sizeof pn, p->name);
	sw_unit_note(un, sizeof un, me->scale.unit);
	return dn_plot_strf("%s%s against %s: the mean and 95 %% interval of the complete "
			    "replicates at each of %zu point(s) (/points/mean, ci95_lo, ci95_hi)%s",
			    mn, un, pn, nrows, ndots > 0 ? ", each replicate a dot" : "");
}

/* Queues the picture of summary me against parameter p. */
static void sw_response(sw_state *s, const sw_metric *me, const sw_param *p, size_t *order)
{
	char shown[DN_PLOT_SHOW * 2 + 16], mn[DN_PLOT_SHOW], pn[DN_PLOT_SHOW];
	snprintf(shown, sizeof shown, "%s against %s", dn_plot_show(mn, sizeof mn, me->name),
		 dn_plot_show(pn, sizeof pn, p->name));
	if (s->gp_response == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: no gnuplot script (above)", shown);
		return;
	}
	char *base = dn_plot_strf("%s_vs_%s", me->name, p->name);
	if (base == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: out of memory", shown);
		return;
	}
	sw_chart *c = sw_new_chart(s, base, false);
	free(base);
	if (c == NULL)
		return;
	unsigned id = s->r->next_id++;
	FILE *f = dn_plot_job_table(s->r, id);
	size_t nrows = 0, nci = 0, ndots = 0;
	plot_range xr = { 0, 0, false }, yr = { 0, 0, false };
	bool ok = f != NULL &&
		  sw_response_table(s, f, me, p, order, &nrows, &nci, &ndots, &xr, &yr);
	if (f != NULL && fclose(f) != 0)
		ok = false;
	plot_mem a = { NULL, NULL, 0 };
	char title[DN_PLOT_NAME_MAX * 2 + 32], label[DN_PLOT_NAME_MAX + DN_PLOT_UNITS_MAX + 8];
	char tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16], yl[DN_PLOT_UNITS_MAX + 16];
	snprintf(title, sizeof title, "%s against %s", me->name, p->name);
	dn_plot_title(tt, sizeof tt, title, me->desc);
	dn_plot_ylabel(yl, sizeof yl, me->scale.unit);
	sw_axis_label(label, sizeof label, p);
	ok = ok && dn_plot_mem_open(&a);
	ok = ok && dn_plot_set_str(a.f, "title", tt) && dn_plot_set_str(a.f, "ylabel", yl) &&
	     dn_plot_set_str(a.f, "xlabel", label) && dn_plot_set_num(a.f, "npoints", (double)nrows) &&
	     dn_plot_set_num(a.f, "nci", (double)nci) && dn_plot_set_num(a.f, "ndots", (double)ndots) &&
	     dn_plot_set_num(a.f, "connect", s->nvarying == 1 ? 1 : 0) &&
	     dn_plot_set_range(a.f, "xmin", "xmax", &xr) && dn_plot_set_range(a.f, "ymin", "ymax", &yr);
	char *assign = dn_plot_mem_close(&a, ok);
	if (assign == NULL) {
		char *tab = dn_plot_strf("%s/d%u.dat", s->r->work, id);
		if (tab != NULL)
			(void)unlink(tab);
		free(tab);
		s->nchart--;
		dn_plot_note(s->r, s->notes, true, "%s not drawn: cannot write its table: %s", shown, strerror(errno));
		return;
	}
	c->what = sw_response_what(s, me, p, nrows, ndots);
	sw_queue(s, c, id, s->gp_response, assign, shown);
}

/* Adds summary me against the first axis to the overview page: block
 * k - 1 of its table, and panel k's assignments. */
static void sw_overview_panel(sw_state *s, const sw_metric *me, const sw_param *p,
			      size_t *order)
{
	if (s->ov_bad || s->ov_panels >= SW_OV_PANELS || s->gp_overview == NULL)
		return;
	if (s->ov == NULL) {
		s->ov_id = s->r->next_id++;
		s->ov = dn_plot_job_table(s->r, s->ov_id);
		s->ov_assign = open_memstream(&s->ov_assign_buf, &s->ov_assign_len);
		if (s->ov == NULL || s->ov_assign == NULL) {
			s->ov_bad = true;
			return;
		}
	}
	size_t k = ++s->ov_panels, nrows = 0, nci = 0, ndots = 0;
	plot_range xr = { 0, 0, false }, yr = { 0, 0, false };
	sw_metric m0 = *me;
	m0.member.v = NULL; /* no dots on the overview */
	bool ok = (k == 1 || fputs("\n\n", s->ov) >= 0) &&
		  sw_response_table(s, s->ov, &m0, p, order, &nrows, &nci, &ndots, &xr, &yr);
	char yl[DN_PLOT_UNITS_MAX + 16], tl[DN_PLOT_NAME_MAX + 1];
	char v_title[32], v_ylabel[32], v_nci[32], v_xmin[32], v_xmax[32], v_ymin[32], v_ymax[32];
	snprintf(v_title, sizeof v_title, "title%zu", k);
	snprintf(v_ylabel, sizeof v_ylabel, "ylabel%zu", k);
	snprintf(v_nci, sizeof v_nci, "nci%zu", k);
	snprintf(v_xmin, sizeof v_xmin, "xmin%zu", k);
	snprintf(v_xmax, sizeof v_xmax, "xmax%zu", k);
	snprintf(v_ymin, sizeof v_ymin, "ymin%zu", k);
	snprintf(v_ymax, sizeof v_ymax, "ymax%zu", k);
	dn_plot_label(tl, sizeof tl, me->name);
	dn_plot_ylabel(yl, sizeof yl, me->scale.unit);
	FILE *a = s->ov_assign;
	ok = ok && dn_plot_set_str(a, v_title, tl) && dn_plot_set_str(a, v_ylabel, yl) &&
	     dn_plot_set_num(a, v_nci, (double)nci) && dn_plot_set_range(a, v_xmin, v_xmax, &xr) &&
	     dn_plot_set_range(a, v_ymin, v_ymax, &yr);
	if (!ok)
		s->ov_bad = true;
}

/* Queues the overview, when it has panels. */
static void sw_overview(sw_state *s, const sw_param *p)
{
	if (s->ov == NULL && s->ov_assign == NULL && !s->ov_bad)
		return; /* no panel */
	bool ok = !s->ov_bad;
	if (s->ov != NULL && fclose(s->ov) != 0)
		ok = false;
	s->ov = NULL;
	char page[256], label[DN_PLOT_NAME_MAX + DN_PLOT_UNITS_MAX + 8], ds[64];
	dn_plot_label(ds, sizeof ds, s->design);
	snprintf(page, sizeof page, "sweep%s%s: %zu points, %zu of %zu members complete; point "
		 "means and 95 %% intervals", ds[0] != '\0' ? " " : "", ds, s->n_points,
		 s->n_complete, s->n_members);
	sw_axis_label(label, sizeof label, p);
	ok = ok && s->ov_assign != NULL && dn_plot_set_str(s->ov_assign, "title", page) &&
	     dn_plot_set_str(s->ov_assign, "xlabel", label) &&
	     dn_plot_set_num(s->ov_assign, "npanels", (double)s->ov_panels) &&
	     dn_plot_set_num(s->ov_assign, "connect", s->nvarying == 1 ? 1 : 0);
	if (s->ov_assign != NULL && fclose(s->ov_assign) != 0)
		ok = false;
	s->ov_assign = NULL;
	char *assign = s->ov_assign_buf; /* set by the stream's fclose */
	s->ov_assign_buf = NULL;
	sw_chart *c = ok ? sw_new_chart(s, "overview", true) : NULL;
	if (c == NULL) {
		free(assign);
		char *tab = dn_plot_strf("%s/d%u.dat", s->r->work, s->ov_id);
		if (tab != NULL)
			(void)unlink(tab);
		free(tab);
		dn_plot_note(s->r, s->notes, true, "the overview not drawn: cannot write its table");
		return;
	}
	char pn[DN_PLOT_SHOW];
	c->what = dn_plot_strf("%zu of the summaries above against %s on one page (point means "
			       "and 95 %% intervals)", s->ov_panels, dn_plot_show(pn, sizeof pn, p->name));
	sw_queue(s, c, s->ov_id, s->gp_overview, assign, "the overview");
}

/* Reads summary name's columns; false (with a note) if it cannot be drawn. */
static bool sw_read_metric(sw_state *s, hid_t gpoints, hid_t gsum, const char *name,
			   sw_metric *me)
{
	char why[DN_PLOT_WHY], shown[DN_PLOT_SHOW];
	dn_plot_show(shown, sizeof shown, name);
	memset(me, 0, sizeof *me);
	me->name = name;
	static const char *const part[4] = { "mean", "ci95_lo", "ci95_hi", "count" };
	sw_col *col[4] = { &me->mean, &me->lo, &me->hi, &me->count };
	for (int k = 0; k < 4; k++) {
		bool absent = false;
		hid_t g = dn_plot_open(gpoints, part[k], H5I_GROUP, &absent, why, sizeof why);
		sw_rc rc = g >= 0 ? sw_read_num(g, name, s->n_points, SW_MAX_POINTS, col[k], why,
						sizeof why)
				  : absent ? SW_ABSENT : SW_BAD;
		if (g >= 0)
			(void)H5Gclose(g);
		if (rc == SW_OK)
			continue;
		if (k == 0) {
			dn_plot_note(s->r, s->notes, true, "summary %s not drawn: /points/mean/%s: %s", shown, shown, why);
			return false;
		}
		if (k < 3) /* without an interval: drawn without error bars */
			dn_plot_note(s->r, s->notes, true, "summary %s: /points/%s/%s: %s (drawn without it)", shown,
				part[k], shown, why);
	}
	if (gsum >= 0 && s->members_ok) {
		sw_rc rc = sw_read_num(gsum, name, s->n_members, SW_MAX_MEMBERS, &me->member, why,
				       sizeof why);
		if (rc == SW_BAD)
			dn_plot_note(s->r, s->notes, true, "summary %s: /members/summary/%s: %s (no replicate dots)",
				shown, shown, why);
	}
	const char *units = me->member.units[0] != '\0' ? me->member.units : me->mean.units;
	snprintf(me->units, sizeof me->units, "%s", units);
	snprintf(me->desc, sizeof me->desc, "%s", me->member.desc[0] != '\0' ? me->member.desc
									: me->mean.desc);
	me->marker = dn_plot_has_marker(me->desc);
	double maxabs = 0;
	bool any = false;
	for (size_t i = 0; i < s->n_points; i++) {
		const double v[3] = { me->mean.v[i], me->lo.v ? me->lo.v[i] : NAN,
				      me->hi.v ? me->hi.v[i] : NAN };
		any = any || isfinite(v[0]);
		for (int k = 0; k < 3; k++)
			if (isfinite(v[k]) && fabs(v[k]) > maxabs)
				maxabs = fabs(v[k]);
	}
	if (!any) {
		dn_plot_note(s->r, s->notes, false, "summary %s not drawn: no point has a mean (no complete "
			"replicate has a value)", shown);
		return false;
	}
	me->scale = dn_plot_scale_of(me->units, maxabs);
	return true;
}

static void sw_metric_free(sw_metric *me)
{
	sw_col_free(&me->mean);
	sw_col_free(&me->lo);
	sw_col_free(&me->hi);
	sw_col_free(&me->count);
	sw_col_free(&me->member);
}

/* Whether /members/summary/<name> holds floats (the fallback's choice):
 * true when there is no /members/summary to ask. */
static bool sw_is_float(hid_t gsum, const char *name)
{
	return gsum < 0 || sw_class_of(gsum, name) == H5T_FLOAT;
}

/* Every response picture, and the overview's panels. */
static void sw_responses(sw_state *s)
{
	char why[DN_PLOT_WHY];
	if (s->points < 0) {
		dn_plot_note(s->r, s->notes, true, "no /points group: no response pictures");
		return;
	}
	bool absent;
	hid_t gmean = dn_plot_open(s->points, "mean", H5I_GROUP, &absent, why, sizeof why);
	hid_t gsum = dn_plot_open(s->members, "summary", H5I_GROUP, &absent, why, sizeof why);
	sw_names means = { 0 };
	if (gmean < 0 || !sw_list(gmean, &means, why, sizeof why)) {
		dn_plot_note(s->r, s->notes, true, "/points/mean: %s: no response pictures", why);
		goto out;
	}
	if (s->naxes == 0) {
		dn_plot_note(s->r, s->notes, false, "no numeric parameter varies over the points: no response pictures");
		goto out;
	}
	const char *chosen[SW_MAX_METRICS];
	size_t nch = 0, more = 0;
	for (size_t k = 0; k < SW_N(sw_head_summaries); k++)
		if (sw_has(&means, sw_head_summaries[k]))
			chosen[nch++] = sw_head_summaries[k];
	if (nch == 0) { /* not a world sweep: every float summary */
		for (size_t k = 0; k < means.n; k++) {
			if (!sw_is_float(gsum, means.v[k]))
				continue;
			if (nch < SW_MAX_METRICS)
				chosen[nch++] = means.v[k];
			else
				more++;
		}
		if (more > 0)
			dn_plot_note(s->r, s->notes, true, "%zu more float summaries not drawn: at most %d are", more,
				(int)SW_MAX_METRICS);
		if (nch == 0)
			dn_plot_note(s->r, s->notes, false, "no headline or float summary in /points/mean: no response "
				"pictures");
	}
	size_t *order = malloc((s->n_points > 0 ? s->n_points : 1) * sizeof *order);
	if (order == NULL) {
		dn_plot_note(s->r, s->notes, true, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nch; k++) {
		sw_metric me;
		if (!sw_read_metric(s, s->points, gsum, chosen[k], &me)) {
			sw_metric_free(&me);
			continue;
		}
		bool any = false; /* a point with a mean (not every replicate "none") */
		for (size_t i = 0; i < me.mean.n && !any; i++)
			any = !isnan(me.mean.v[i]);
		if (!any) {
			char mn[DN_PLOT_SHOW];
			dn_plot_note(s->r, s->notes, false, "%s not drawn: no point has a mean (no complete replicate "
				"with a value)", dn_plot_show(mn, sizeof mn, me.name));
			sw_metric_free(&me);
			continue;
		}
		for (size_t a = 0; a < s->naxes; a++)
			sw_response(s, &me, &s->param[s->axes[a]], order);
		sw_overview_panel(s, &me, &s->param[s->axes[0]], order);
		sw_metric_free(&me);
	}
	sw_overview(s, &s->param[s->axes[0]]);
	free(order);
out:
	sw_names_free(&means);
	if (gsum >= 0)
		(void)H5Gclose(gsum);
	if (gmean >= 0)
		(void)H5Gclose(gmean);
}

/* ---- fans: a series per point over time ---- */

static void sw_fan_free(sw_fan *fn)
{
	free(fn->name);
	free(fn->t_ns);
	free(fn->q);
	free(fn->nvalid);
	free(fn->any);
	free(fn->reps);
	memset(fn, 0, sizeof *fn);
}

static int sw_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values, linearly interpolated (numpy's
 * default, R's type 7). */
static double sw_quantile(const double *v, size_t n, double q)
{
	assert(n > 0);
	double h = (double)(n - 1) * q;
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/*
 * Reads series g (/series/<name>): t_ns and value [member][row] for the
 * selected points' complete replicates, into fn's quantiles. false (with
 * a note) if it cannot be drawn.
 */
static bool sw_fan_read(sw_state *s, hid_t g, sw_fan *fn)
{
	char why[DN_PLOT_WHY], shown[DN_PLOT_SHOW];
	dn_plot_show(shown, sizeof shown, fn->name);
	if (!dn_plot_attr(g, "units", fn->units, sizeof fn->units) ||
	    !dn_plot_attr(g, "description", fn->desc, sizeof fn->desc))
		fn->units[0] = fn->desc[0] = '\0';
	bool marker = dn_plot_has_marker(fn->desc);
	sw_rc rc;
	size_t rows = 0;
	hid_t dt = sw_open_1d(g, "t_ns", 0, DN_PLOT_MAX_ROWS, &rows, &rc, why, sizeof why);
	if (dt >= 0 && dn_plot_class(dt) != H5T_INTEGER) {
		snprintf(why, sizeof why, "not integers");
		(void)H5Dclose(dt);
		dt = H5I_INVALID_HID;
	}
	if (dt < 0) {
		dn_plot_note(s->r, s->notes, true, "series %s not drawn: t_ns: %s", shown, why);
		return false;
	}
	bool absent;
	hid_t dv = dn_plot_open(g, "value", H5I_DATASET, &absent, why, sizeof why);
	hsize_t dims[H5S_MAX_RANK], chunk[2] = { 0, 0 };
	int rank = dv >= 0 ? dn_plot_dims(dv, dims, why, sizeof why) : -1;
	H5T_class_t cl = dv >= 0 ? dn_plot_class(dv) : H5T_NO_CLASS;
	bool ok = rank >= 0;
	if (ok && rank != 2) {
		snprintf(why, sizeof why, "a dataset of %d dimensions, not [member][row]", rank);
		ok = false;
	} else if (ok && (dims[0] != s->n_members || dims[1] != rows)) {
		snprintf(why, sizeof why, "%" PRIu64 " x %" PRIu64 " values, not %zu members x %zu "
			 "times", (uint64_t)dims[0], (uint64_t)dims[1], s->n_members, rows);
		ok = false;
	} else if (ok && cl != H5T_INTEGER && cl != H5T_FLOAT) {
		snprintf(why, sizeof why, "%s, not numbers", cl == H5T_STRING ? "strings" : "values");
		ok = false;
	}
	ok = ok && dn_plot_layout_ok(dv, 2, chunk, why, sizeof why);
	if (!ok) {
		dn_plot_note(s->r, s->notes, true, "series %s not drawn: value: %s", shown, why);
		goto fail;
	}
	if (rows == 0) {
		dn_plot_note(s->r, s->notes, false, "series %s not drawn: no rows", shown);
		goto fail;
	}
	fn->rows = rows;
	fn->stride = rows <= SW_FAN_TIMES ? 1 : (rows + SW_FAN_TIMES - 1) / SW_FAN_TIMES;
	fn->times = (size_t)((rows + fn->stride - 1) / fn->stride);
	size_t nt = fn->times;
	/* what reading costs: every chunk a member's row touches, inflated */
	size_t nread = 0, maxr = 1;
	for (size_t k = 0; k < s->nsel; k++) {
		size_t p = s->sel[k], c = s->first[p + 1] - s->first[p];
		c = c < SW_FAN_REPS ? c : SW_FAN_REPS;
		nread += c;
		maxr = c > maxr ? c : maxr;
	}
	double per_row = (double)rows;
	if (chunk[0] > 0) {
		double touched = ceil((double)rows / (double)chunk[1]);
		touched = touched < (double)nt ? touched : (double)nt;
		per_row = touched * (double)chunk[0] * (double)chunk[1];
	}
	double cost = per_row * (double)nread + (double)rows;
	if (cost > (double)(DN_PLOT_MAX_TOTAL_ROWS - s->r->rows_read)) {
		dn_plot_note(s->r, s->notes, true, "series %s not drawn: reading it would pass the %" PRIu64
			" values read in one run", shown, DN_PLOT_MAX_TOTAL_ROWS);
		goto fail;
	}
	s->r->rows_read += (uint64_t)cost;
	size_t ns = s->nsel;
	fn->t_ns = malloc(nt * sizeof *fn->t_ns);
	fn->q = malloc(ns * nt * 3 * sizeof *fn->q);
	fn->nvalid = calloc(ns * nt, sizeof *fn->nvalid);
	fn->any = calloc(ns, sizeof *fn->any);
	fn->reps = calloc(ns, sizeof *fn->reps);
	double *vals = malloc(maxr * nt * sizeof *vals);
	double *tmp = malloc(maxr * sizeof *tmp);
	int64_t *iv = malloc(nt * sizeof *iv);
	ok = fn->t_ns && fn->q && fn->nvalid && fn->any && fn->reps && vals && tmp && iv;
	if (!ok)
		snprintf(why, sizeof why, "out of memory");
	/* t_ns, every stride-th */
	hsize_t st1 = 0, sd1 = fn->stride, cn1 = nt;
	hid_t ms1 = ok ? H5Screate_simple(1, &cn1, NULL) : H5I_INVALID_HID;
	hid_t fs1 = ok ? H5Dget_space(dt) : H5I_INVALID_HID;
	if (ok && (ms1 < 0 || fs1 < 0 ||
		   H5Sselect_hyperslab(fs1, H5S_SELECT_SET, &st1, &sd1, &cn1, NULL) < 0 ||
		   H5Dread(dt, H5T_NATIVE_INT64, ms1, fs1, H5P_DEFAULT, fn->t_ns) < 0)) {
		dn_plot_h5why(why, sizeof why, "reading t_ns");
		ok = false;
	}
	if (ms1 >= 0)
		(void)H5Sclose(ms1);
	if (fs1 >= 0)
		(void)H5Sclose(fs1);
	/* each selected point's replicates, a member's row at a time */
	hsize_t cnt[2] = { 1, nt }, str[2] = { 1, fn->stride };
	hid_t ms = ok ? H5Screate_simple(1, &cnt[1], NULL) : H5I_INVALID_HID;
	hid_t fs = ok ? H5Dget_space(dv) : H5I_INVALID_HID;
	ok = ok && ms >= 0 && fs >= 0;
	for (size_t k = 0; ok && k < ns; k++) {
		size_t p = s->sel[k];
		size_t nr = s->first[p + 1] - s->first[p];
		nr = nr < SW_FAN_REPS ? nr : SW_FAN_REPS;
		fn->reps[k] = nr;
		for (size_t i = 0; ok && i < nr; i++) {
			hsize_t start[2] = { s->by_point[s->first[p] + i], 0 };
			double *row = vals + i * nt;
			ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, str, cnt, NULL) >= 0 &&
			     (cl == H5T_INTEGER
				      ? H5Dread(dv, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, iv) >= 0
				      : H5Dread(dv, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, row) >= 0);
			if (!ok) {
				dn_plot_h5why(why, sizeof why, "reading value");
				break;
			}
			for (size_t j = 0; j < nt; j++) {
				double v = cl == H5T_INTEGER ? (iv[j] == INT64_MIN ? NAN : (double)iv[j])
							     : row[j];
				row[j] = !isfinite(v) || (marker && v == -1.0) ? NAN : v;
			}
		}
		for (size_t j = 0; ok && j < nt; j++) {
			size_t n = 0;
			for (size_t i = 0; i < nr; i++)
				if (!isnan(vals[i * nt + j]))
					tmp[n++] = vals[i * nt + j];
			double *q = fn->q + (k * nt + j) * 3;
			fn->nvalid[k * nt + j] = (uint32_t)n;
			if (n == 0) {
				q[0] = q[1] = q[2] = NAN;
				continue;
			}
			qsort(tmp, n, sizeof *tmp, sw_cmp_double);
			q[0] = sw_quantile(tmp, n, 0.5);
			q[1] = sw_quantile(tmp, n, 0.05);
			q[2] = sw_quantile(tmp, n, 0.95);
			fn->any[k] = true;
			for (int c = 0; c < 3; c++)
				fn->maxabs = fabs(q[c]) > fn->maxabs ? fabs(q[c]) : fn->maxabs;
			fn->t_last = fn->t_ns[j] > fn->t_last ? fn->t_ns[j] : fn->t_last;
		}
	}
	if (ms >= 0)
		(void)H5Sclose(ms);
	if (fs >= 0)
		(void)H5Sclose(fs);
	free(vals);
	free(tmp);
	free(iv);
	if (!ok) {
		dn_plot_note(s->r, s->notes, true, "series %s not drawn: %s", shown, why);
		goto fail;
	}
	(void)H5Dclose(dv);
	(void)H5Dclose(dt);
	H5Eclear2(H5E_DEFAULT);
	size_t with = 0;
	for (size_t k = 0; k < ns; k++)
		with += fn->any[k];
	if (with == 0) {
		dn_plot_note(s->r, s->notes, false, "series %s not drawn: no complete replicate has a value", shown);
		return false;
	}
	return true;
fail:
	if (dv >= 0)
		(void)H5Dclose(dv);
	(void)H5Dclose(dt);
	H5Eclear2(H5E_DEFAULT);
	return false;
}

/* A point's legend entry: "point 3: chain.lambda=0.5, x=a (3 replicates)". */
static void sw_point_label(const sw_state *s, size_t p, size_t reps, char *out, size_t cap)
{
	char buf[1024], v[SW_STR_KEEP + 32];
	int len = snprintf(buf, sizeof buf, "point %zu", p);
	size_t shown = 0;
	for (size_t k = 0; k < s->nparam && len < (int)sizeof buf - 1; k++) {
		const sw_param *pa = &s->param[k];
		if (!pa->varies)
			continue;
		if (shown++ == SW_LABEL_PARAMS) {
			len += snprintf(buf + len, sizeof buf - (size_t)len, ", ...");
			break;
		}
		if (pa->x != NULL)
			snprintf(v, sizeof v, "%.6g", pa->x[p]);
		else
			snprintf(v, sizeof v, "%s", pa->s[p]);
		len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s=%s", shown == 1 ? ": " : ", ",
				pa->name, v);
	}
	if (len < (int)sizeof buf - 1)
		snprintf(buf + len, sizeof buf - (size_t)len, " (%zu replicate%s)", reps,
			 reps == 1 ? "" : "s");
	dn_plot_label(out, cap, buf);
}

/* Queues series fn's fan pictures: its points with a value, a few a picture. */
static void sw_fan_charts(sw_state *s, const sw_fan *fn)
{
	char shown[DN_PLOT_SHOW];
	dn_plot_show(shown, sizeof shown, fn->name);
	if (s->gp_fan == NULL) {
		dn_plot_note(s->r, s->notes, true, "series %s not drawn: no gnuplot script (above)", shown);
		return;
	}
	size_t pts[SW_FAN_PER_CHART * SW_FAN_CHARTS], np = 0;
	for (size_t k = 0; k < s->nsel; k++)
		if (fn->any[k])
			pts[np++] = k;
	size_t ncharts = (np + SW_FAN_PER_CHART - 1) / SW_FAN_PER_CHART;
	plot_scale sc = dn_plot_scale_of(fn->units, fn->maxabs);
	double div = pow(10.0, sc.pow10);
	size_t nt = fn->times;
	for (size_t c = 0; c < ncharts; c++) {
		size_t from = c * np / ncharts, to = (c + 1) * np / ncharts;
		char *base = ncharts == 1 ? dn_plot_strf("fan_%s", fn->name)
					  : dn_plot_strf("fan_%s_%zu", fn->name, c + 1);
		sw_chart *ch = base != NULL ? sw_new_chart(s, base, false) : NULL;
		if (base == NULL)
			dn_plot_note(s->r, s->notes, true, "series %s: a fan chart not drawn: out of memory", shown);
		free(base);
		if (ch == NULL)
			continue;
		unsigned id = s->r->next_id++;
		FILE *f = dn_plot_job_table(s->r, id);
		bool ok = f != NULL;
		plot_range xr = { 0, 0, false }, yr = { 0, 0, false };
		plot_mem a = { NULL, NULL, 0 };
		ok = ok && dn_plot_mem_open(&a);
		char lab[SW_LABEL_MAX + 1], var[32];
		for (size_t i = from; ok && i < to; i++) {
			size_t k = pts[i];
			if (i > from)
				ok = fputs("\n\n", f) >= 0;
			for (size_t j = 0; ok && j < nt; j++) {
				const double *q = fn->q + (k * nt + j) * 3;
				double t = (double)fn->t_ns[j] / s->r->x.ns;
				dn_plot_range_add(&xr, t);
				for (int e = 0; e < 3; e++)
					dn_plot_range_add(&yr, q[e] / div);
				ok = fprintf(f, "%.12g", t) > 0 && dn_plot_put(f, q[0], sc.pow10, false) &&
				     dn_plot_put(f, q[1], sc.pow10, false) &&
				     dn_plot_put(f, q[2], sc.pow10, false) &&
				     fprintf(f, " %" PRIu32 "\n", fn->nvalid[k * nt + j]) > 0;
			}
			sw_point_label(s, s->sel[k], fn->reps[k], lab, sizeof lab);
			snprintf(var, sizeof var, "label%zu", i - from + 1);
			ok = ok && dn_plot_set_str(a.f, var, lab);
		}
		if (f != NULL && fclose(f) != 0)
			ok = false;
		char title[DN_PLOT_NAME_MAX + 96], tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16];
		char yl[DN_PLOT_UNITS_MAX + 16];
		snprintf(title, sizeof title, "%s: median and 5-95 %% band of each point's complete "
			 "replicates", fn->name);
		dn_plot_title(tt, sizeof tt, title, fn->desc);
		dn_plot_ylabel(yl, sizeof yl, sc.unit);
		ok = ok && dn_plot_set_str(a.f, "title", tt) && dn_plot_set_str(a.f, "ylabel", yl) &&
		     dn_plot_set_num(a.f, "npoints", (double)(to - from)) &&
		     dn_plot_set_num(a.f, "marks", nt <= SW_FAN_MARKS ? 1 : 0) &&
		     dn_plot_set_range(a.f, "xmin", "xmax", &xr) &&
		     dn_plot_set_range(a.f, "ymin", "ymax", &yr);
		char *assign = dn_plot_mem_close(&a, ok);
		char cshown[DN_PLOT_SHOW + 32];
		snprintf(cshown, sizeof cshown, "the fan chart of series %s", shown);
		if (assign == NULL) {
			char *tab = dn_plot_strf("%s/d%u.dat", s->r->work, id);
			if (tab != NULL)
				(void)unlink(tab);
			free(tab);
			s->nchart--;
			dn_plot_note(s->r, s->notes, true, "%s not drawn: cannot write its table", cshown);
			continue;
		}
		char un[DN_PLOT_SHOW + 4], list[256];
		sw_unit_note(un, sizeof un, sc.unit);
		int len = 0;
		for (size_t i = from; i < to && len < (int)sizeof list - 16; i++)
			len += snprintf(list + len, sizeof list - (size_t)len, "%s%zu",
					i > from ? ", " : "", s->sel[pts[i]]);
		char every[96] = "";
		if (fn->stride > 1)
			snprintf(every, sizeof every, "; one time in %" PRIu64 " of its %" PRIu64,
				 fn->stride, fn->rows);
		ch->what = dn_plot_strf("%s%s over simulated time (%s): the median and 5-95 %% band "
					"of each point's complete replicates; points %s%s",
					shown, un, s->r->x.name, list, every);
		sw_queue(s, ch, id, s->gp_fan, assign, cshown);
	}
}

/* The points drawn as fans: those with a complete replicate, at most
 * SW_FAN_PER_CHART x SW_FAN_CHARTS of them, evenly spread. */
static bool sw_select_points(sw_state *s)
{
	size_t with = 0, cap = SW_FAN_PER_CHART * SW_FAN_CHARTS;
	for (size_t p = 0; p < s->n_points; p++)
		with += s->first[p + 1] > s->first[p];
	if (with == 0)
		return true;
	size_t *all = malloc(with * sizeof *all);
	s->sel = malloc((with < cap ? with : cap) * sizeof *s->sel);
	if (all == NULL || s->sel == NULL) {
		free(all);
		dn_plot_note(s->r, s->notes, true, "out of memory");
		return false;
	}
	size_t n = 0;
	for (size_t p = 0; p < s->n_points; p++)
		if (s->first[p + 1] > s->first[p])
			all[n++] = p;
	if (with <= cap) {
		memcpy(s->sel, all, with * sizeof *all);
		s->nsel = with;
	} else {
		for (size_t k = 0; k < cap; k++)
			s->sel[k] = all[k * (with - 1) / (cap - 1)];
		s->nsel = cap;
		dn_plot_note(s->r, s->notes, false, "%zu points have complete replicates: the fan charts show %zu of "
			"them, evenly spread", with, cap);
	}
	free(all);
	return true;
}

/* Reads the fan series (the headline ones, or the first few); sets the
 * time axis from their horizon. */
static size_t sw_fans_read(sw_state *s, sw_fan *fans)
{
	char why[DN_PLOT_WHY], shown[DN_PLOT_SHOW];
	if (!s->members_ok || s->first == NULL) /* said when /members was read */
		return 0;
	if (s->n_complete == 0) /* said once, above */
		return 0;
	bool absent;
	hid_t g = dn_plot_open(s->f, "series", H5I_GROUP, &absent, why, sizeof why);
	if (g < 0) {
		dn_plot_note(s->r, s->notes, !absent, "/series: %s: no fan charts%s", why,
			absent ? " (the sweep gathered no series)" : "");
		return 0;
	}
	sw_names nl;
	if (!sw_list(g, &nl, why, sizeof why)) {
		dn_plot_note(s->r, s->notes, true, "/series: %s: no fan charts", why);
		(void)H5Gclose(g);
		return 0;
	}
	if (nl.n == 0)
		dn_plot_note(s->r, s->notes, false, "/series is empty: no fan charts");
	const char *chosen[SW_FAN_SERIES];
	size_t nch = 0;
	for (size_t k = 0; k < SW_N(sw_head_series); k++)
		if (sw_has(&nl, sw_head_series[k]))
			chosen[nch++] = sw_head_series[k];
	if (nch == 0) /* not a world sweep: its first few series */
		for (size_t k = 0; k < nl.n && k < SW_FAN_FALLBACK; k++)
			chosen[nch++] = nl.v[k];
	size_t nf = 0;
	/* no point with a complete replicate: their members have no point (said above) */
	bool selected = sw_select_points(s) && s->nsel > 0;
	for (size_t k = 0; selected && k < nch; k++) {
		dn_plot_show(shown, sizeof shown, chosen[k]);
		hid_t sg = dn_plot_open(g, chosen[k], H5I_GROUP, &absent, why, sizeof why);
		if (sg < 0) {
			dn_plot_note(s->r, s->notes, true, "series %s not drawn: %s", shown, why);
			continue;
		}
		sw_fan *fn = &fans[nf];
		memset(fn, 0, sizeof *fn);
		fn->name = strdup(chosen[k]);
		if (fn->name != NULL && sw_fan_read(s, sg, fn))
			nf++;
		else
			sw_fan_free(fn);
		(void)H5Gclose(sg);
	}
	sw_names_free(&nl);
	(void)H5Gclose(g);
	int64_t horizon = 0;
	for (size_t k = 0; k < nf; k++)
		horizon = fans[k].t_last > horizon ? fans[k].t_last : horizon;
	s->r->x = dn_plot_xunit_of(horizon);
	return nf;
}

/* ---- index.txt ---- */

static void sw_index(sw_state *s)
{
	char shown[DN_PLOT_SHOW], ds[DN_PLOT_SHOW];
	char *head = NULL;
	size_t head_len = 0;
	FILE *h = open_memstream(&head, &head_len);
	if (h != NULL) {
		dn_plot_show(ds, sizeof ds, s->design);
		fprintf(h, "# dnetsim plot: the pictures of the sweep file %s\n",
			dn_plot_show(shown, sizeof shown, s->file));
		fprintf(h, "# design %s: %zu points, %zu members, %zu complete\n",
			ds[0] != '\0' ? ds : "(not given)", s->n_points, s->n_members, s->n_complete);
		fprintf(h, "# parameters:");
		for (size_t k = 0; k < s->nparam; k++)
			fprintf(h, "%s %s (%s%s)", k > 0 ? "," : "",
				dn_plot_show(shown, sizeof shown, s->param[k].name),
				s->param[k].x != NULL ? "numbers" : "text",
				s->param[k].varies ? "" : ", one value");
		fprintf(h, "%s\n", s->nparam ? "" : " none");
		if (fclose(h) != 0) {
			free(head);
			head = NULL;
		}
	}
	dn_plot_index_write(s->r, head, s->chart, s->nchart, s->notes, (const char *const *)&s->notes_buf,
			    &s->notes_len);
	free(head);
}

/* ---- the whole ---- */

static void sw_free(sw_state *s)
{
	for (size_t k = 0; k < s->nparam; k++) {
		free(s->param[k].name);
		free(s->param[k].x);
		dn_plot_strs_free(s->param[k].s, s->n_points);
	}
	free(s->param);
	for (size_t k = 0; s->chart != NULL && k < s->nchart; k++)
		free(s->chart[k].what);
	free(s->chart);
	free(s->sel);
	free(s->first);
	free(s->by_point);
	free(s->complete);
	free(s->point);
	if (s->notes != NULL)
		(void)fclose(s->notes);
	free(s->notes_buf);
	if (s->ov != NULL)
		(void)fclose(s->ov);
	if (s->ov_assign != NULL)
		(void)fclose(s->ov_assign);
	free(s->ov_assign_buf);
	free(s->gp_response);
	free(s->gp_fan);
	free(s->gp_overview);
	if (s->points >= 0)
		(void)H5Gclose(s->points);
	if (s->members >= 0)
		(void)H5Gclose(s->members);
}

void dn_plot_sweep(plot_run *r, hid_t f, const char *file, const char *adir)
{
	sw_state s;
	memset(&s, 0, sizeof s);
	s.r = r;
	s.f = f;
	s.file = file;
	s.members = s.points = H5I_INVALID_HID;
	s.notes = open_memstream(&s.notes_buf, &s.notes_len);
	s.chart = calloc(SW_MAX_CHARTS, sizeof *s.chart);
	char why[DN_PLOT_WHY];
	sw_fan fans[SW_FAN_SERIES];
	size_t nf = 0;
	if (s.notes == NULL || s.chart == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		r->not_drawn++;
		goto out;
	}
	s.gp_response = dn_plot_script_path(s.r, s.notes, adir, sw_gp_response);
	s.gp_fan = dn_plot_script_path(s.r, s.notes, adir, sw_gp_fan);
	s.gp_overview = dn_plot_script_path(s.r, s.notes, adir, sw_gp_overview);
	bool absent;
	hid_t cfg = dn_plot_open(f, "config", H5I_GROUP, &absent, why, sizeof why);
	if (cfg >= 0 && !dn_plot_attr(cfg, "design", s.design, sizeof s.design))
		s.design[0] = '\0';
	if (cfg >= 0)
		(void)H5Gclose(cfg);
	s.members = dn_plot_open(f, "members", H5I_GROUP, &absent, why, sizeof why);
	s.points = dn_plot_open(f, "points", H5I_GROUP, &absent, why, sizeof why);
	if (s.points < 0)
		dn_plot_note(s.r, s.notes, true, "/points: %s", why);
	if (s.members >= 0)
		sw_read_members(&s);
	/* the points' parameters, and how many points there are */
	hid_t gparam = s.points >= 0 ? dn_plot_open(s.points, "param", H5I_GROUP, &absent, why, sizeof why)
				     : H5I_INVALID_HID;
	hid_t gmean = s.points >= 0 ? dn_plot_open(s.points, "mean", H5I_GROUP, &absent, why, sizeof why)
				    : H5I_INVALID_HID;
	sw_names params = { 0 }, means = { 0 };
	if (gparam >= 0 && !sw_list(gparam, &params, why, sizeof why))
		dn_plot_note(s.r, s.notes, true, "/points/param: %s", why);
	if (gmean >= 0 && !sw_list(gmean, &means, why, sizeof why))
		dn_plot_note(s.r, s.notes, true, "/points/mean: %s", why);
	sw_count_points(&s, &params, &means, gparam, gmean);
	bool too_many = s.n_points > SW_MAX_POINTS;
	if (too_many) {
		dn_plot_note(s.r, s.notes, true, "the sweep has %zu points, more than the %d drawn: no pictures",
			s.n_points, (int)SW_MAX_POINTS);
		s.members_ok = false;
	}
	if (s.members_ok && !sw_index_points(&s))
		s.members_ok = false;
	if (gparam >= 0 && !too_many)
		sw_read_params(&s, gparam, &params);
	sw_names_free(&params);
	sw_names_free(&means);
	if (gparam >= 0)
		(void)H5Gclose(gparam);
	if (gmean >= 0)
		(void)H5Gclose(gmean);
	if (s.members_ok && s.n_complete == 0)
		dn_plot_note(s.r, s.notes, false, "no member of the sweep is complete (%zu members): no fan charts "
			"and no replicate dots", s.n_members);
	/* the fans first: their horizon sets the time axis */
	nf = too_many ? 0 : sw_fans_read(&s, fans);
	if (!too_many)
		sw_responses(&s);
	for (size_t k = 0; k < nf; k++)
		sw_fan_charts(&s, &fans[k]);
	dn_plot_flush(r);
	sw_index(&s);
out:
	for (size_t k = 0; k < nf; k++)
		sw_fan_free(&fans[k]);
	sw_free(&s);
}
