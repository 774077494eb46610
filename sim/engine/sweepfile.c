/*
 * sweepfile.c: the sweep's one results file (sweepfile.h).
 */
#include "sweepfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <hdf5.h>

#include "results.h"

enum {
	SF_NAME_MAX = 128,
	SF_SUMMARY_MAX = 4096,
	SF_SERIES_MAX = 4096,
	SF_CHUNK_VALUES = 65536,      /* values in a chunk of a gathered series */
	SF_BLOCK_MEMBERS = 64,        /* members gathered per write */
	SF_BLOCK_BYTES = 64 << 20     /* memory for one block of every series */
};

/* Members per block of gathered rows: at most SF_BLOCK_MEMBERS, and
 * `values` (every series' rows) of them within SF_BLOCK_BYTES. */
static hsize_t block_members(uint64_t n, size_t values, size_t series)
{
	(void)series;
	uint64_t b = values ? SF_BLOCK_BYTES / (values * 8) : SF_BLOCK_MEMBERS;
	if (b > SF_BLOCK_MEMBERS)
		b = SF_BLOCK_MEMBERS;
	if (b > n)
		b = n;
	return b ? b : 1;
}

/* ---- a writer that stops at the first failure and says where ---- */

typedef struct sf {
	hid_t file, str, dcpl, gcpl;
	char *err;
	size_t errlen;
	dn_rc rc;
} sf;

static dn_rc sf_fail(sf *w, dn_rc rc, const char *fmt, ...) DN_PRINTF(3, 4);
static dn_rc sf_fail(sf *w, dn_rc rc, const char *fmt, ...)
{
	if (w->rc)
		return w->rc;
	w->rc = rc;
	if (w->err && w->errlen) {
		va_list ap;
		va_start(ap, fmt);
		(void)vsnprintf(w->err, w->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static hid_t sf_group(sf *w, hid_t parent, const char *name)
{
	if (w->rc)
		return H5I_INVALID_HID;
	hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
	if (g < 0)
		sf_fail(w, DN_EHDF5, "cannot create group %s", name);
	return g;
}

static void sf_close(hid_t h)
{
	if (h >= 0)
		(void)H5Oclose(h);
}

static void sf_attr_str(sf *w, hid_t obj, const char *key, const char *value)
{
	if (w->rc)
		return;
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = sp >= 0 ? H5Acreate2(obj, key, w->str, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
	const char *v = value ? value : "";
	if (a < 0 || H5Awrite(a, w->str, &v) < 0)
		sf_fail(w, DN_EHDF5, "cannot write attribute %s", key);
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
}

static void sf_attr_num(sf *w, hid_t obj, const char *key, hid_t ftype, hid_t mtype, const void *v)
{
	if (w->rc)
		return;
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = sp >= 0 ? H5Acreate2(obj, key, ftype, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
	if (a < 0 || H5Awrite(a, mtype, v) < 0)
		sf_fail(w, DN_EHDF5, "cannot write attribute %s", key);
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
}

/* A 1-D dataset of n values (n may be 0). */
static hid_t sf_column(sf *w, hid_t g, const char *name, hid_t ftype, hid_t mtype, size_t n,
                       const void *data)
{
	if (w->rc)
		return H5I_INVALID_HID;
	hsize_t dim = n;
	hid_t sp = H5Screate_simple(1, &dim, NULL);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	if (dcpl >= 0)
		(void)H5Pset_obj_track_times(dcpl, 0);
	hid_t d = sp >= 0 ? H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
	if (d < 0 || (n && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0))
		sf_fail(w, DN_EHDF5, "cannot write dataset %s", name);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	return d;
}

static void sf_col(sf *w, hid_t g, const char *name, hid_t ftype, hid_t mtype, size_t n,
                   const void *data)
{
	sf_close(sf_column(w, g, name, ftype, mtype, n, data));
}

static void sf_text(sf *w, hid_t g, const char *name, const char *text)
{
	if (w->rc)
		return;
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t d = sp >= 0 ? H5Dcreate2(g, name, w->str, sp, H5P_DEFAULT, w->dcpl, H5P_DEFAULT) : -1;
	const char *v = text ? text : "";
	if (d < 0 || H5Dwrite(d, w->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
		sf_fail(w, DN_EHDF5, "cannot write dataset %s", name);
	if (d >= 0)
		H5Dclose(d);
	if (sp >= 0)
		H5Sclose(sp);
}

/* ---- reading a member's results file ---- */

typedef dn_summary_val sum_val;

typedef struct name_list {
	char (*names)[SF_NAME_MAX];
	size_t n, cap;
	bool bad;
} name_list;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info, void *ctx)
{
	(void)g;
	(void)info;
	name_list *nl = ctx;
	if (strlen(name) >= SF_NAME_MAX || nl->n == nl->cap) {
		nl->bad = true;
		return 1;
	}
	memcpy(nl->names[nl->n++], name, strlen(name) + 1);
	return 0;
}

static int list_names(hid_t g, name_list *nl, size_t cap)
{
	nl->names = calloc(cap, sizeof *nl->names);
	nl->cap = cap;
	nl->n = 0;
	nl->bad = false;
	if (!nl->names)
		return -1;
	hsize_t idx = 0;
	if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, list_cb, nl) < 0 || nl->bad)
		return -1;
	return 0;
}

/* The memory type of the file's strings: variable length, UTF-8 (HDF5
 * refuses to convert between character sets). */
static hid_t vstr(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

static void read_attr_str(hid_t obj, const char *key, char *buf, size_t len)
{
	buf[0] = '\0';
	if (H5Aexists(obj, key) <= 0)
		return;
	hid_t a = H5Aopen(obj, key, H5P_DEFAULT);
	hid_t t = vstr();
	char *v = NULL;
	if (a >= 0 && t >= 0 && H5Aread(a, t, &v) >= 0 && v) {
		(void)snprintf(buf, len, "%s", v);
		H5free_memory(v);
	}
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
}

/* Every /summary scalar of an open results file. */
static dn_rc read_summary(hid_t f, sum_val **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (H5Lexists(f, "summary", H5P_DEFAULT) <= 0)
		return DN_OK;
	hid_t g = H5Gopen2(f, "summary", H5P_DEFAULT);
	if (g < 0)
		return DN_EHDF5;
	name_list nl;
	dn_rc rc = list_names(g, &nl, SF_SUMMARY_MAX) ? DN_EHDF5 : DN_OK;
	sum_val *v = rc ? NULL : calloc(nl.n ? nl.n : 1, sizeof *v);
	if (!rc && !v)
		rc = DN_ENOMEM;
	for (size_t i = 0; !rc && i < nl.n; i++) {
		hid_t d = H5Dopen2(g, nl.names[i], H5P_DEFAULT);
		hid_t t = d >= 0 ? H5Dget_type(d) : -1;
		if (t < 0) {
			rc = DN_EHDF5;
		} else {
			snprintf(v[i].name, sizeof v[i].name, "%s", nl.names[i]);
			v[i].is_int = H5Tget_class(t) == H5T_INTEGER;
			herr_t e = v[i].is_int ? H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v[i].i)
			                       : H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v[i].f);
			if (e < 0)
				rc = DN_EHDF5;
			read_attr_str(d, "units", v[i].units, sizeof v[i].units);
			read_attr_str(d, "description", v[i].desc, sizeof v[i].desc);
		}
		if (t >= 0)
			H5Tclose(t);
		if (d >= 0)
			H5Dclose(d);
	}
	free(nl.names);
	H5Gclose(g);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = nl.n;
	return DN_OK;
}

static hid_t open_ro(const char *path)
{
	char why[160];
	FILE *probe = dn_fopen_input(path, UINT64_MAX, why, sizeof why);
	if (!probe)
		return H5I_INVALID_HID;
	fclose(probe);
	if (H5Fis_hdf5(path) <= 0)
		return H5I_INVALID_HID;
	return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/* The 1-D dataset `name` of f, exactly n values of mtype, into out (a
 * string type reads n HDF5-allocated strings: free_strings). 0, or -1
 * when it is missing, of another shape or length, or unreadable. */
static int read_column(hid_t f, const char *name, hid_t mtype, size_t n, void *out)
{
	hid_t d = H5Lexists(f, name, H5P_DEFAULT) > 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
	hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t dim = 0;
	int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &dim, NULL) == 1 &&
	         dim == n && (n == 0 || H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
	if (sp >= 0)
		H5Sclose(sp);
	if (d >= 0)
		H5Dclose(d);
	return ok ? 0 : -1;
}

/* Frees n strings read_column gave (NULLs allowed) and the array. */
static void free_strings(char **x, size_t n)
{
	for (size_t k = 0; x && k < n; k++)
		if (x[k])
			H5free_memory(x[k]);
	free(x);
}

dn_rc dn_results_read_summaries(const char *path, dn_summary_val **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = open_ro(path);
	if (f < 0) {
		(void)snprintf(err, errlen, "%s: not a readable HDF5 file", path);
		return DN_EHDF5;
	}
	dn_rc rc = read_summary(f, out, n);
	H5Fclose(f);
	if (rc)
		(void)snprintf(err, errlen, "%s: cannot read /summary", path);
	return rc;
}

dn_rc dn_results_read_scenario(const char *path, char **text, char *err, size_t errlen)
{
	*text = NULL;
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = open_ro(path);
	if (f < 0) {
		(void)snprintf(err, errlen, "%s: not a readable HDF5 file", path);
		return DN_EHDF5;
	}
	dn_rc rc = DN_EHDF5;
	hid_t d = H5Lexists(f, "config", H5P_DEFAULT) > 0 &&
	                  H5Lexists(f, "config/scenario", H5P_DEFAULT) > 0
	              ? H5Dopen2(f, "config/scenario", H5P_DEFAULT)
	              : -1;
	hid_t t = vstr();
	char *v = NULL;
	if (d >= 0 && t >= 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0 && v) {
		*text = strdup(v);
		rc = *text ? DN_OK : DN_ENOMEM;
		H5free_memory(v);
	}
	if (rc)
		(void)snprintf(err, errlen, "%s: no /config/scenario (not a complete results file)", path);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	H5Fclose(f);
	return rc;
}

/* ---- the file ---- */

typedef struct sum_col {
	char name[SF_NAME_MAX];
	bool is_int;
	char units[64], desc[256];
	double *f;  /* per member */
	int64_t *i;
} sum_col;

typedef struct ser_col {
	char name[SF_NAME_MAX];
	bool is_int;
	char units[64], desc[256];
	size_t rows;
	int64_t *t_ns; /* the reference times (the longest member's) */
	uint64_t ref;  /* that member: the lowest index of the longest */
	hid_t dset;
	uint64_t unaligned;
} ser_col;

static ser_col *find_ser(ser_col *c, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(c[k].name, name) == 0)
			return &c[k];
	return NULL;
}

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		(void)snprintf(buf, len, "unknown");
}

static void write_config(sf *w, const dn_sweep *sw, const dn_sweepfile_meta *m)
{
	hid_t g = sf_group(w, w->file, "config");
	char created[32];
	utc_now(created, sizeof created);
	sf_attr_str(w, g, "version", m->version);
	sf_attr_str(w, g, "git_revision", m->git_revision);
	sf_attr_str(w, g, "created", created);
	sf_attr_str(w, g, "design", dn_sweep_design_name(dn_sweep_get_design(sw)));
	sf_attr_str(w, g, "seeds", dn_sweep_common_seeds(sw) ? "common" : "member");
	uint64_t v = dn_sweep_seed(sw);
	sf_attr_num(w, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
	v = dn_sweep_replicates(sw);
	sf_attr_num(w, g, "replicates", H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
	v = dn_sweep_n_points(sw);
	sf_attr_num(w, g, "n_points", H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
	v = dn_sweep_n_members(sw);
	sf_attr_num(w, g, "n_members", H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
	uint8_t gathered = m->series;
	sf_attr_num(w, g, "series_gathered", H5T_STD_U8LE, H5T_NATIVE_UINT8, &gathered);
	sf_text(w, g, "scenario", m->scenario_text);
	sf_text(w, g, "base", m->base_yaml);
	sf_close(g);
}

static bool numeric(const dn_param_def *d)
{
	return d->type == DN_PT_INT || d->type == DN_PT_FLOAT;
}

/* param/<name> columns for rows 0..n-1 (members or points). */
static void write_params(sf *w, hid_t parent, const dn_sweep *sw, uint64_t n, bool members)
{
	/* in the sweep's order (readers that follow creation order, as h5py does) */
	hid_t g = H5I_INVALID_HID;
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0 ||
	    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
	    (g = H5Gcreate2(parent, "param", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0)
		sf_fail(w, DN_EHDF5, "cannot create group param");
	if (gcpl >= 0)
		H5Pclose(gcpl);
	uint64_t reps = members ? dn_sweep_replicates(sw) : 1;
	char buf[DN_SWEEP_VALUE_MAX];
	for (size_t j = 0; !w->rc && j < dn_sweep_n_params(sw); j++) {
		const dn_param_def *def = dn_sweep_param(sw, j);
		if (numeric(def)) {
			double *x = malloc((n ? n : 1) * sizeof *x);
			if (!x) {
				sf_fail(w, DN_ENOMEM, "out of memory");
				break;
			}
			for (uint64_t r = 0; r < n; r++) {
				dn_sweep_value(sw, r / reps, j, buf, sizeof buf);
				x[r] = strtod(buf, NULL);
			}
			hid_t d = sf_column(w, g, def->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, x);
			sf_attr_str(w, d, "units", def->unit);
			sf_close(d);
			free(x);
		} else {
			char **x = calloc(n ? n : 1, sizeof *x);
			if (!x) {
				sf_fail(w, DN_ENOMEM, "out of memory");
				break;
			}
			for (uint64_t r = 0; r < n && !w->rc; r++) {
				dn_sweep_value(sw, r / reps, j, buf, sizeof buf);
				if (!(x[r] = strdup(buf)))
					sf_fail(w, DN_ENOMEM, "out of memory");
			}
			sf_col(w, g, def->name, w->str, w->str, n, x);
			for (uint64_t r = 0; r < n; r++)
				free(x[r]);
			free(x);
		}
	}
	sf_close(g);
}

static void write_members(sf *w, const dn_sweep *sw, const dn_member_state *mem, hid_t *members)
{
	uint64_t n = dn_sweep_n_members(sw), reps = dn_sweep_replicates(sw);
	hid_t g = sf_group(w, w->file, "members");
	*members = g;
	int64_t *ix = malloc((n ? n : 1) * sizeof *ix);
	uint64_t *seed = malloc((n ? n : 1) * sizeof *seed);
	double *wall = malloc((n ? n : 1) * sizeof *wall);
	const char **status = malloc((n ? n : 1) * sizeof *status);
	const char **reason = malloc((n ? n : 1) * sizeof *reason);
	const char **worker = malloc((n ? n : 1) * sizeof *worker);
	if (!ix || !seed || !wall || !status || !reason || !worker) {
		sf_fail(w, DN_ENOMEM, "out of memory");
	} else {
		static const char *const st[] = {"pending", "complete", "failed"};
		for (uint64_t m = 0; m < n; m++) {
			ix[m] = (int64_t)m;
			seed[m] = dn_sweep_member_seed(sw, m);
			wall[m] = mem[m].wall_s;
			status[m] = st[mem[m].status];
			reason[m] = mem[m].reason;
			worker[m] = mem[m].worker;
		}
		sf_col(w, g, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, n, ix);
		for (uint64_t m = 0; m < n; m++)
			ix[m] = (int64_t)(m / reps);
		sf_col(w, g, "point", H5T_STD_I64LE, H5T_NATIVE_INT64, n, ix);
		for (uint64_t m = 0; m < n; m++)
			ix[m] = (int64_t)(m % reps);
		sf_col(w, g, "replicate", H5T_STD_I64LE, H5T_NATIVE_INT64, n, ix);
		sf_col(w, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, seed);
		sf_col(w, g, "status", w->str, w->str, n, status);
		sf_col(w, g, "reason", w->str, w->str, n, reason);
		hid_t d = sf_column(w, g, "wall_s", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, wall);
		sf_attr_str(w, d, "units", "s");
		sf_close(d);
		sf_col(w, g, "worker", w->str, w->str, n, worker);
	}
	free(ix);
	free(seed);
	free(wall);
	free(status);
	free(reason);
	free(worker);
	write_params(w, g, sw, n, true);
}

/* An integer summary that says "-1 if none" (or "-1: never", "-1
 * without ...") has no value there, as the run plots read it. */
static bool minus1_none(const sum_col *c)
{
	return c->is_int && (strstr(c->desc, "-1 if ") || strstr(c->desc, "-1: ") || strstr(c->desc, "-1 without "));
}

/* Member m's value of column c (NaN: none, or the member did not complete). */
static double member_value(const dn_member_state *mem, const sum_col *c, bool minus1, uint64_t m)
{
	if (mem[m].status != DN_MEMBER_COMPLETE)
		return NAN;
	return c->is_int ? (c->i[m] == INT64_MIN || (minus1 && c->i[m] == -1) ? NAN : (double)c->i[m]) : c->f[m];
}

/*
 * With common seeds, replicate r of every point ran the same seed: the
 * paired difference of point p against point 0 (the first point, the
 * baseline), replicate by replicate, over the replicates complete with a
 * value at both, with its mean and Student t 95 % interval. Point 0
 * differs from itself by 0.
 */
static void paired_stats(const dn_sweep *sw, const dn_member_state *mem, const sum_col *c, double *mean,
                         double *lo, double *hi, int64_t *count)
{
	uint64_t reps = dn_sweep_replicates(sw);
	bool minus1 = minus1_none(c);
	for (uint64_t p = 0; p < dn_sweep_n_points(sw); p++) {
		double s = 0, ss = 0;
		int64_t k = 0;
		for (int pass = 0; pass < 2; pass++) {
			double mu = k ? s / (double)k : 0;
			for (uint64_t r = 0; r < reps; r++) {
				double x = member_value(mem, c, minus1, p * reps + r);
				double b = member_value(mem, c, minus1, r);
				if (isnan(x) || isnan(b))
					continue;
				if (pass == 0) {
					k++;
					s += x - b;
				} else {
					ss += (x - b - mu) * (x - b - mu);
				}
			}
		}
		mean[p] = k ? s / (double)k : NAN;
		count[p] = k;
		double half = k > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * sqrt(ss / (double)(k - 1)) / sqrt((double)k)
		                    : NAN;
		lo[p] = mean[p] - half;
		hi[p] = mean[p] + half;
	}
}

/* The point statistics of one summary column. */
static void point_stats(const dn_sweep *sw, const dn_member_state *mem, const sum_col *c,
                        double *mean, double *sd, double *lo, double *hi, int64_t *count)
{
	uint64_t reps = dn_sweep_replicates(sw);
	bool minus1 = minus1_none(c);
	for (uint64_t p = 0; p < dn_sweep_n_points(sw); p++) {
		double s = 0, ss = 0;
		int64_t k = 0;
		for (uint64_t r = 0; r < reps; r++) {
			double x = member_value(mem, c, minus1, p * reps + r);
			if (isnan(x))
				continue;
			k++;
			s += x;
		}
		double mu = k ? s / (double)k : NAN;
		for (uint64_t r = 0; r < reps && k; r++) {
			double x = member_value(mem, c, minus1, p * reps + r);
			if (!isnan(x))
				ss += (x - mu) * (x - mu);
		}
		mean[p] = mu;
		count[p] = k;
		sd[p] = k > 1 ? sqrt(ss / (double)(k - 1)) : NAN;
		double half = k > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * sd[p] / sqrt((double)k) : NAN;
		lo[p] = mu - half;
		hi[p] = mu + half;
	}
}

static void write_points(sf *w, const dn_sweep *sw, const dn_member_state *mem, const sum_col *cols,
                         size_t ncols)
{
	uint64_t np = dn_sweep_n_points(sw);
	hid_t g = sf_group(w, w->file, "points");
	write_params(w, g, sw, np, false);
	static const char *const stat[] = {"mean", "sd", "ci95_lo", "ci95_hi", "count"};
	hid_t sg[5];
	for (int k = 0; k < 5; k++)
		sg[k] = sf_group(w, g, stat[k]);
	double *a[4];
	int64_t *cnt = malloc((np ? np : 1) * sizeof *cnt);
	for (int k = 0; k < 4; k++)
		a[k] = malloc((np ? np : 1) * sizeof *a[k]);
	if (!cnt || !a[0] || !a[1] || !a[2] || !a[3])
		sf_fail(w, DN_ENOMEM, "out of memory");
	for (size_t c = 0; c < ncols && !w->rc; c++) {
		point_stats(sw, mem, &cols[c], a[0], a[1], a[2], a[3], cnt);
		for (int k = 0; k < 4; k++) {
			hid_t d = sf_column(w, sg[k], cols[c].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, np, a[k]);
			sf_attr_str(w, d, "units", cols[c].units);
			sf_close(d);
		}
		sf_col(w, sg[4], cols[c].name, H5T_STD_I64LE, H5T_NATIVE_INT64, np, cnt);
	}
	/* common random numbers: every point against the first, paired by replicate */
	if (dn_sweep_common_seeds(sw) && np > 1 && !w->rc) {
		static const char *const pstat[] = {"mean", "ci95_lo", "ci95_hi", "count"};
		hid_t pg = sf_group(w, g, "paired");
		sf_attr_str(w, pg, "baseline", "point 0, replicate by replicate (seeds: common)");
		hid_t psg[4];
		for (int k = 0; k < 4; k++)
			psg[k] = sf_group(w, pg, pstat[k]);
		for (size_t c = 0; c < ncols && !w->rc; c++) {
			paired_stats(sw, mem, &cols[c], a[0], a[1], a[2], cnt);
			for (int k = 0; k < 3; k++) {
				hid_t d = sf_column(w, psg[k], cols[c].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, np, a[k]);
				sf_attr_str(w, d, "units", cols[c].units);
				sf_close(d);
			}
			sf_col(w, psg[3], cols[c].name, H5T_STD_I64LE, H5T_NATIVE_INT64, np, cnt);
		}
		for (int k = 0; k < 4; k++)
			sf_close(psg[k]);
		sf_close(pg);
	}
	for (int k = 0; k < 4; k++)
		free(a[k]);
	free(cnt);
	for (int k = 0; k < 5; k++)
		sf_close(sg[k]);
	sf_close(g);
}

/* What the file needs from the members' own files, read once per member:
 * every summary value, and the series' names, types and longest length
 * (name order). The series' rows are read only when the file is written
 * with them. */
struct dn_sweepcache {
	uint64_t n;
	sum_col *sc;
	size_t nsc;
	ser_col *rc;
	size_t nrc;
	uint8_t *done; /* per member: read */
};

dn_sweepcache *dn_sweepcache_new(uint64_t n_members)
{
	dn_sweepcache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->n = n_members;
	c->sc = calloc(SF_SUMMARY_MAX, sizeof *c->sc);
	c->rc = calloc(SF_SERIES_MAX, sizeof *c->rc);
	c->done = calloc(n_members ? n_members : 1, 1);
	if (!c->sc || !c->rc || !c->done) {
		dn_sweepcache_free(c);
		return NULL;
	}
	return c;
}

void dn_sweepcache_free(dn_sweepcache *c)
{
	if (!c)
		return;
	for (size_t k = 0; c->sc && k < c->nsc; k++) {
		free(c->sc[k].f);
		free(c->sc[k].i);
	}
	free(c->sc);
	free(c->rc);
	free(c->done);
	free(c);
}

/* The summary column `name`, added in name order (values filled as
 * missing) when new; NULL when out of room or memory. */
static sum_col *sum_col_of(dn_sweepcache *c, const sum_val *v)
{
	size_t k = 0;
	while (k < c->nsc && strcmp(c->sc[k].name, v->name) < 0)
		k++;
	if (k < c->nsc && strcmp(c->sc[k].name, v->name) == 0)
		return &c->sc[k];
	if (c->nsc == SF_SUMMARY_MAX)
		return NULL;
	sum_col col;
	memset(&col, 0, sizeof col);
	memcpy(col.name, v->name, sizeof col.name);
	col.is_int = v->is_int;
	memcpy(col.units, v->units, sizeof col.units);
	memcpy(col.desc, v->desc, sizeof col.desc);
	if (col.is_int)
		col.i = malloc((c->n ? c->n : 1) * sizeof *col.i);
	else
		col.f = malloc((c->n ? c->n : 1) * sizeof *col.f);
	if (!col.i && !col.f)
		return NULL;
	for (uint64_t m = 0; m < c->n; m++) {
		if (col.is_int)
			col.i[m] = INT64_MIN;
		else
			col.f[m] = NAN;
	}
	memmove(&c->sc[k + 1], &c->sc[k], (c->nsc - k) * sizeof *c->sc);
	c->sc[k] = col;
	c->nsc++;
	return &c->sc[k];
}

/* The series `name` (of dataset d), added in name order when new. */
static ser_col *ser_col_of(dn_sweepcache *c, const char *name, hid_t d)
{
	size_t k = 0;
	while (k < c->nrc && strcmp(c->rc[k].name, name) < 0)
		k++;
	if (k < c->nrc && strcmp(c->rc[k].name, name) == 0)
		return &c->rc[k];
	if (c->nrc == SF_SERIES_MAX)
		return NULL;
	ser_col col;
	memset(&col, 0, sizeof col);
	snprintf(col.name, sizeof col.name, "%s", name);
	hid_t t = H5Dget_type(d);
	if (t >= 0) {
		hid_t vt = H5Tget_member_type(t, 1);
		col.is_int = vt >= 0 && H5Tget_class(vt) == H5T_INTEGER;
		if (vt >= 0)
			H5Tclose(vt);
		H5Tclose(t);
	}
	read_attr_str(d, "units", col.units, sizeof col.units);
	read_attr_str(d, "description", col.desc, sizeof col.desc);
	col.dset = H5I_INVALID_HID;
	col.ref = UINT64_MAX;
	memmove(&c->rc[k + 1], &c->rc[k], (c->nrc - k) * sizeof *c->rc);
	c->rc[k] = col;
	c->nrc++;
	return &c->rc[k];
}

dn_rc dn_sweepcache_add(dn_sweepcache *c, uint64_t m, const char *path, char *err, size_t errlen)
{
	if (m >= c->n)
		return DN_EINVAL;
	if (c->done[m])
		return DN_OK;
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = open_ro(path);
	sum_val *v = NULL;
	size_t nv = 0;
	if (f < 0 || read_summary(f, &v, &nv)) {
		if (f >= 0)
			H5Fclose(f);
		(void)snprintf(err, errlen, "member %llu: cannot read the summary of %s", (unsigned long long)m, path);
		return DN_EHDF5;
	}
	dn_rc rc = DN_OK;
	for (size_t k = 0; k < nv && !rc; k++) {
		sum_col *col = sum_col_of(c, &v[k]);
		if (!col) {
			rc = DN_ENOMEM;
			(void)snprintf(err, errlen, "out of memory (or more than %d summaries)", SF_SUMMARY_MAX);
		} else if (col->is_int) {
			col->i[m] = v[k].is_int ? v[k].i : INT64_MIN;
		} else {
			col->f[m] = v[k].is_int ? (double)v[k].i : v[k].f;
		}
	}
	free(v);
	if (!rc && H5Lexists(f, "series", H5P_DEFAULT) > 0) {
		hid_t g = H5Gopen2(f, "series", H5P_DEFAULT);
		name_list nl = {0};
		if (g < 0 || list_names(g, &nl, SF_SERIES_MAX)) {
			rc = DN_EHDF5;
			(void)snprintf(err, errlen, "member %llu: cannot list the series of %s", (unsigned long long)m, path);
		}
		for (size_t k = 0; !rc && k < nl.n; k++) {
			hid_t d = H5Dopen2(g, nl.names[k], H5P_DEFAULT);
			hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
			hsize_t dim = 0;
			if (sp < 0 || H5Sget_simple_extent_dims(sp, &dim, NULL) != 1)
				dim = 0;
			ser_col *col = d >= 0 ? ser_col_of(c, nl.names[k], d) : NULL;
			if (col && (dim > col->rows || (dim == col->rows && m < col->ref))) {
				col->rows = (size_t)dim; /* whatever order members are read in */
				col->ref = m;
			}
			if (sp >= 0)
				H5Sclose(sp);
			if (d >= 0)
				H5Dclose(d);
		}
		free(nl.names);
		if (g >= 0)
			H5Gclose(g);
	}
	H5Fclose(f);
	if (!rc)
		c->done[m] = 1;
	return rc;
}

/* Pass 1: every complete member not read yet, into the cache. */
static void collect(sf *w, const dn_sweep *sw, const dn_member_state *mem, dn_sweepcache *c)
{
	char e[512];
	for (uint64_t m = 0; m < dn_sweep_n_members(sw) && !w->rc; m++)
		if (mem[m].status == DN_MEMBER_COMPLETE && !c->done[m] &&
		    dn_sweepcache_add(c, m, mem[m].file, e, sizeof e))
			sf_fail(w, DN_EHDF5, "%s", e);
}

static void create_series(sf *w, hid_t g, const dn_sweep *sw, ser_col *c)
{
	uint64_t n = dn_sweep_n_members(sw);
	hid_t sg = sf_group(w, g, c->name);
	if (w->rc)
		return;
	/* a block of members' rows a chunk, as gather() writes them */
	hsize_t bm = block_members(n, c->rows, 1);
	hsize_t dims[2] = {n, c->rows}, chunk[2] = {bm ? bm : 1, c->rows};
	if (chunk[1] > SF_CHUNK_VALUES / chunk[0])
		chunk[1] = SF_CHUNK_VALUES / chunk[0];
	if (chunk[1] == 0)
		chunk[1] = 1;
	hid_t sp = H5Screate_simple(2, dims, NULL);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	double fnan = NAN;
	int64_t imin = INT64_MIN;
	if (sp < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 2, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
	    H5Pset_deflate(dcpl, 1) < 0 || H5Pset_obj_track_times(dcpl, 0) < 0 ||
	    H5Pset_fill_value(dcpl, c->is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE,
	                      c->is_int ? (const void *)&imin : (const void *)&fnan) < 0 ||
	    H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC) < 0) {
		sf_fail(w, DN_EHDF5, "cannot set up series %s", c->name);
	} else {
		c->dset = H5Dcreate2(sg, "value", c->is_int ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp,
		                     H5P_DEFAULT, dcpl, H5P_DEFAULT);
		if (c->dset < 0)
			sf_fail(w, DN_EHDF5, "cannot create series %s", c->name);
	}
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	sf_attr_str(w, sg, "units", c->units);
	sf_attr_str(w, sg, "description", c->desc);
	sf_close(sg);
}

/* Writes rows [m0, m0 + nb) of series c from buf (nb x c->rows). */
static void write_block(sf *w, ser_col *c, uint64_t m0, hsize_t nb, const void *buf)
{
	if (c->rows == 0 || nb == 0)
		return;
	hsize_t start[2] = {m0, 0}, count[2] = {nb, c->rows};
	hid_t fs = H5Dget_space(c->dset);
	hid_t ms = H5Screate_simple(2, count, NULL);
	if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
	    H5Dwrite(c->dset, c->is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0)
		sf_fail(w, DN_EHDF5, "cannot write series %s", c->name);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
}

/* ---- a member's series packed for gathering (sweepfile.h) ---- */

static hid_t pack_dcpl(size_t n)
{
	hid_t p = H5Pcreate(H5P_DATASET_CREATE);
	hsize_t chunk = n < 65536 ? (n ? n : 1) : 65536;
	if (p >= 0 && (H5Pset_chunk(p, 1, &chunk) < 0 || H5Pset_shuffle(p) < 0 || H5Pset_deflate(p, 1) < 0 ||
	               H5Pset_obj_track_times(p, 0) < 0)) {
		H5Pclose(p);
		return H5I_INVALID_HID;
	}
	return p;
}

static herr_t pack_write(hid_t f, const char *name, hid_t ftype, hid_t mtype, size_t n, const void *data,
                         bool chunked)
{
	hsize_t dim = n;
	hid_t sp = H5Screate_simple(1, &dim, NULL);
	hid_t dcpl = chunked && n > 0 ? pack_dcpl(n) : H5P_DEFAULT;
	hid_t d = sp >= 0 && dcpl >= 0 ? H5Dcreate2(f, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
	herr_t e = d < 0 || (n && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) ? -1 : 0;
	if (d >= 0)
		H5Dclose(d);
	if (dcpl >= 0 && dcpl != H5P_DEFAULT)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	return e;
}

dn_rc dn_sweepfile_pack(const char *results, const char *pack, char *err, size_t errlen)
{
	dn_series_data *s = NULL;
	size_t ns = 0, total = 0;
	if (dn_results_read_series(results, &s, &ns, err, errlen))
		return DN_EHDF5;
	for (size_t k = 0; k < ns; k++)
		total += s[k].n;
	const char **names = calloc(ns ? ns : 1, sizeof *names);
	int64_t *rows = calloc(ns ? ns : 1, sizeof *rows), *t = malloc((total ? total : 1) * 8),
	        *v = malloc((total ? total : 1) * 8);
	uint8_t *isint = calloc(ns ? ns : 1, 1);
	dn_rc rc = names && rows && t && v && isint ? DN_OK : DN_ENOMEM;
	size_t at = 0;
	for (size_t k = 0; !rc && k < ns; k++) {
		names[k] = s[k].name;
		rows[k] = (int64_t)s[k].n;
		isint[k] = s[k].vt == DN_VT_I64;
		memcpy(t + at, s[k].t_ns, s[k].n * 8);
		memcpy(v + at, isint[k] ? (const void *)s[k].ivalue : (const void *)s[k].value, s[k].n * 8);
		at += s[k].n;
	}
	char tmp[4096];
	hid_t f = -1, str = -1;
	if (!rc && snprintf(tmp, sizeof tmp, "%s.tmp-%ld", pack, (long)getpid()) >= (int)sizeof tmp)
		rc = DN_EINVAL;
	if (!rc) {
		(void)unlink(tmp);
		f = H5Fcreate(tmp, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
		str = vstr();
		if (f < 0 || str < 0 ||
		    pack_write(f, "names", str, str, ns, names, false) < 0 ||
		    pack_write(f, "rows", H5T_STD_I64LE, H5T_NATIVE_INT64, ns, rows, false) < 0 ||
		    pack_write(f, "is_int", H5T_STD_U8LE, H5T_NATIVE_UINT8, ns, isint, false) < 0 ||
		    pack_write(f, "t_ns", H5T_STD_I64LE, H5T_NATIVE_INT64, total, t, true) < 0 ||
		    pack_write(f, "value_bits", H5T_STD_I64LE, H5T_NATIVE_INT64, total, v, true) < 0)
			rc = DN_EHDF5;
		if (f >= 0 && H5Fclose(f) < 0)
			rc = DN_EHDF5;
		if (!rc && rename(tmp, pack) != 0)
			rc = DN_EIO;
		if (rc) {
			(void)unlink(tmp);
			(void)snprintf(err, errlen, "cannot write %s", pack);
		}
	}
	if (str >= 0)
		H5Tclose(str);
	free(names);
	free(rows);
	free(t);
	free(v);
	free(isint);
	dn_series_data_free(s, ns);
	return rc;
}

/* A pack read back: series in name order, rows concatenated. */
typedef struct packed {
	size_t ns, total;
	char **names;
	int64_t *rows, *t, *v;
	uint8_t *isint;
} packed;

static void packed_free(packed *p)
{
	free_strings(p->names, p->ns);
	free(p->rows);
	free(p->t);
	free(p->v);
	free(p->isint);
	memset(p, 0, sizeof *p);
}

/* Reads a pack; -1 when there is none or it does not read whole. */
static int pack_read(const char *path, packed *p)
{
	memset(p, 0, sizeof *p);
	if (access(path, F_OK) != 0)
		return -1;
	hid_t f = open_ro(path);
	if (f < 0)
		return -1;
	int rc = -1;
	hid_t d = H5Dopen2(f, "rows", H5P_DEFAULT);
	hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t ns = 0;
	if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &ns, NULL) == 1 &&
	    ns <= SF_SERIES_MAX) {
		p->ns = (size_t)ns;
		p->names = calloc(ns ? ns : 1, sizeof *p->names);
		p->rows = malloc((ns ? ns : 1) * 8);
		p->isint = malloc(ns ? ns : 1);
		hid_t str = vstr();
		if (p->names && p->rows && p->isint && str >= 0 &&
		    read_column(f, "rows", H5T_NATIVE_INT64, p->ns, p->rows) == 0 &&
		    read_column(f, "is_int", H5T_NATIVE_UINT8, p->ns, p->isint) == 0 &&
		    read_column(f, "names", str, p->ns, p->names) == 0) {
			uint64_t total = 0;
			bool sane = true;
			for (size_t k = 0; k < p->ns; k++) {
				sane &= p->rows[k] >= 0 && p->names[k] != NULL;
				total += (uint64_t)(p->rows[k] > 0 ? p->rows[k] : 0);
			}
			p->total = (size_t)total;
			if (sane && total < ((uint64_t)1 << 34)) {
				p->t = malloc((p->total ? p->total : 1) * 8);
				p->v = malloc((p->total ? p->total : 1) * 8);
				if (p->t && p->v && read_column(f, "t_ns", H5T_NATIVE_INT64, p->total, p->t) == 0 &&
				    read_column(f, "value_bits", H5T_NATIVE_INT64, p->total, p->v) == 0)
					rc = 0;
			}
		}
		if (str >= 0)
			H5Tclose(str);
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (d >= 0)
		H5Dclose(d);
	H5Fclose(f);
	if (rc)
		packed_free(p);
	return rc;
}

/* The pack of member m's results file: "<file without .h5>.rows.h5". */
static void pack_name(const char *file, char *buf, size_t len)
{
	size_t n = strlen(file);
	if (n > 3 && strcmp(file + n - 3, ".h5") == 0)
		n -= 3;
	(void)snprintf(buf, len, "%.*s.rows.h5", (int)n, file);
}

void dn_sweepfile_pack_name(const char *results, char *buf, size_t len)
{
	pack_name(results, buf, len);
}

/* One series of a member into the block buffer row: false when not
 * aligned with the series' reference times (counted). */
static bool put_rows(ser_col *c, const int64_t *t, const void *vals, size_t n, void *bufk, size_t slot)
{
	if (n > c->rows || (n && (!c->t_ns || memcmp(t, c->t_ns, n * sizeof *t)))) {
		c->unaligned++;
		return false;
	}
	memcpy((unsigned char *)bufk + slot * c->rows * 8, vals, n * 8);
	return n > 0;
}

/* Each series' reference times: those of its ref member. */
static void reference_times(sf *w, const dn_member_state *mem, ser_col *rc, size_t nrc)
{
	for (size_t k = 0; k < nrc && !w->rc; k++) {
		if (rc[k].t_ns || rc[k].ref == UINT64_MAX)
			continue;
		uint64_t ref = rc[k].ref;
		dn_series_data *s = NULL;
		size_t ns = 0;
		char e[256];
		if (dn_results_read_series(mem[ref].file, &s, &ns, e, sizeof e)) {
			sf_fail(w, DN_EHDF5, "member %llu: %s", (unsigned long long)ref, e);
			break;
		}
		for (size_t j = 0; j < ns && !w->rc; j++) {
			ser_col *c = find_ser(rc, nrc, s[j].name);
			if (!c || c->ref != ref || c->t_ns || s[j].n != c->rows)
				continue;
			c->t_ns = malloc((s[j].n ? s[j].n : 1) * sizeof *c->t_ns);
			if (!c->t_ns)
				sf_fail(w, DN_ENOMEM, "out of memory");
			else
				memcpy(c->t_ns, s[j].t_ns, s[j].n * sizeof *c->t_ns);
		}
		dn_series_data_free(s, ns);
	}
}

/*
 * Pass 2: every complete member's series rows, a block of members at a
 * time (one write per series and block). A member whose times are not a
 * prefix of the series' reference times keeps the fill and is counted.
 */
static void gather(sf *w, const dn_sweep *sw, const dn_member_state *mem, ser_col *rc, size_t nrc)
{
	uint64_t n = dn_sweep_n_members(sw);
	if (!nrc || w->rc)
		return;
	reference_times(w, mem, rc, nrc);
	size_t values = 0;
	for (size_t k = 0; k < nrc; k++)
		values += rc[k].rows;
	hsize_t B = block_members(n, values, nrc);
	void **buf = calloc(nrc, sizeof *buf);
	if (!buf) {
		sf_fail(w, DN_ENOMEM, "out of memory");
		return;
	}
	for (size_t k = 0; k < nrc && !w->rc; k++)
		if (!(buf[k] = malloc((B * rc[k].rows > 0 ? B * rc[k].rows : 1) * 8)))
			sf_fail(w, DN_ENOMEM, "out of memory");
	for (uint64_t m0 = 0; m0 < n && !w->rc; m0 += B) {
		hsize_t nb = m0 + B <= n ? B : n - m0;
		bool any = false;
		for (size_t k = 0; k < nrc; k++)
			for (size_t i = 0; i < nb * rc[k].rows; i++) {
				if (rc[k].is_int)
					((int64_t *)buf[k])[i] = INT64_MIN;
				else
					((double *)buf[k])[i] = NAN;
			}
		for (uint64_t m = m0; m < m0 + nb && !w->rc; m++) {
			if (mem[m].status != DN_MEMBER_COMPLETE)
				continue;
			size_t slot = (size_t)(m - m0);
			/* the member's pack when it made one (a few reads), else
			 * its results file (a read per series) */
			char pk[4096];
			packed p;
			pack_name(mem[m].file, pk, sizeof pk);
			if (pack_read(pk, &p) == 0) {
				size_t k = 0, at = 0;
				for (size_t j = 0; j < p.ns; at += (size_t)p.rows[j], j++) {
					while (k < nrc && strcmp(rc[k].name, p.names[j]) < 0)
						k++;
					if (k == nrc || strcmp(rc[k].name, p.names[j]) != 0)
						continue;
					if ((p.isint[j] != 0) != rc[k].is_int)
						rc[k].unaligned++; /* another type than the series has */
					else
						any |= put_rows(&rc[k], p.t + at, p.v + at, (size_t)p.rows[j], buf[k], slot);
				}
				packed_free(&p);
				continue;
			}
			dn_series_data *s = NULL;
			size_t ns = 0;
			char e[256];
			if (dn_results_read_series(mem[m].file, &s, &ns, e, sizeof e)) {
				sf_fail(w, DN_EHDF5, "member %llu: %s", (unsigned long long)m, e);
				break;
			}
			/* both lists are in name order: one walk */
			size_t k = 0;
			for (size_t j = 0; j < ns; j++) {
				while (k < nrc && strcmp(rc[k].name, s[j].name) < 0)
					k++;
				if (k == nrc || strcmp(rc[k].name, s[j].name) != 0)
					continue;
				if ((s[j].vt == DN_VT_I64) != rc[k].is_int) {
					rc[k].unaligned++; /* another type than the series has */
					continue;
				}
				any |= put_rows(&rc[k], s[j].t_ns,
				                rc[k].is_int ? (const void *)s[j].ivalue : (const void *)s[j].value,
				                s[j].n, buf[k], slot);
			}
			dn_series_data_free(s, ns);
		}
		for (size_t k = 0; any && k < nrc && !w->rc; k++)
			write_block(w, &rc[k], m0, nb, buf[k]);
	}
	for (size_t k = 0; k < nrc; k++)
		free(buf[k]);
	free(buf);
}

static void write_summary_cols(sf *w, hid_t members, const dn_sweep *sw, const sum_col *sc, size_t nsc)
{
	hid_t g = sf_group(w, members, "summary");
	uint64_t n = dn_sweep_n_members(sw);
	for (size_t k = 0; k < nsc && !w->rc; k++) {
		hid_t d = sc[k].is_int ? sf_column(w, g, sc[k].name, H5T_STD_I64LE, H5T_NATIVE_INT64, n, sc[k].i)
		                       : sf_column(w, g, sc[k].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, sc[k].f);
		sf_attr_str(w, d, "units", sc[k].units);
		sf_attr_str(w, d, "description", sc[k].desc);
		sf_close(d);
	}
	sf_close(g);
}

dn_rc dn_sweepfile_write(const char *path, const dn_sweep *sw, const dn_sweepfile_meta *meta,
                         const dn_member_state *mem, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	char tmp[4096];
	if (dn_results_tmp_name(path, (long)getpid(), tmp, sizeof tmp) >= (int)sizeof tmp) {
		(void)snprintf(err, errlen, "%s: path too long", path);
		return DN_EINVAL;
	}
	sf W = {.file = -1, .str = -1, .dcpl = -1, .gcpl = -1, .err = err, .errlen = errlen};
	sf *w = &W;
	(void)unlink(tmp);
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0)
		(void)H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
	W.file = H5Fcreate(tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl >= 0 ? fapl : H5P_DEFAULT);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (W.file < 0)
		return sf_fail(w, DN_EIO, "cannot create %s: %s", tmp, strerror(errno ? errno : EIO));
	W.str = H5Tcopy(H5T_C_S1);
	W.dcpl = H5Pcreate(H5P_DATASET_CREATE);
	W.gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (W.str < 0 || H5Tset_size(W.str, H5T_VARIABLE) < 0 || H5Tset_cset(W.str, H5T_CSET_UTF8) < 0 ||
	    W.dcpl < 0 || H5Pset_obj_track_times(W.dcpl, 0) < 0 || W.gcpl < 0 ||
	    H5Pset_obj_track_times(W.gcpl, 0) < 0)
		sf_fail(w, DN_EHDF5, "cannot set up the HDF5 types");

	dn_sweepcache *own = meta->cache ? NULL : dn_sweepcache_new(dn_sweep_n_members(sw));
	dn_sweepcache *cache = meta->cache ? meta->cache : own;
	if (!cache)
		sf_fail(w, DN_ENOMEM, "out of memory");
	hid_t members = H5I_INVALID_HID, series = H5I_INVALID_HID;
	write_config(w, sw, meta);
	if (cache)
		collect(w, sw, mem, cache);
	/* this write's series: the cache's list with fresh handles */
	size_t nrc = meta->series && cache ? cache->nrc : 0;
	ser_col *rc = nrc ? malloc(nrc * sizeof *rc) : NULL;
	if (nrc && !rc)
		sf_fail(w, DN_ENOMEM, "out of memory");
	for (size_t k = 0; rc && k < nrc; k++) {
		rc[k] = cache->rc[k];
		rc[k].dset = H5I_INVALID_HID;
		rc[k].t_ns = NULL;
		rc[k].unaligned = 0;
	}
	if (meta->series) {
		series = sf_group(w, W.file, "series");
		for (size_t k = 0; k < nrc && !W.rc; k++)
			create_series(w, series, sw, &rc[k]);
	}
	gather(w, sw, mem, rc, nrc);
	for (size_t k = 0; k < nrc; k++) {
		if (rc[k].dset >= 0) {
			H5Dclose(rc[k].dset);
			rc[k].dset = -1;
		}
		if (W.rc)
			continue;
		hid_t sg = H5Gopen2(series, rc[k].name, H5P_DEFAULT);
		sf_col(w, sg, "t_ns", H5T_STD_I64LE, H5T_NATIVE_INT64, rc[k].t_ns ? rc[k].rows : 0, rc[k].t_ns);
		sf_attr_num(w, sg, "unaligned_members", H5T_STD_U64LE, H5T_NATIVE_UINT64, &rc[k].unaligned);
		sf_close(sg);
	}
	const sum_col *sc = cache ? cache->sc : NULL;
	size_t nsc = cache ? cache->nsc : 0;
	write_members(w, sw, mem, &members);
	write_summary_cols(w, members, sw, sc, nsc);
	write_points(w, sw, mem, sc, nsc);
	sf_close(members);
	sf_close(series);
	for (size_t k = 0; k < nrc; k++)
		free(rc[k].t_ns);
	free(rc);
	dn_sweepcache_free(own);
	if (W.str >= 0)
		H5Tclose(W.str);
	if (W.dcpl >= 0)
		H5Pclose(W.dcpl);
	if (W.gcpl >= 0)
		H5Pclose(W.gcpl);
	if (H5Fclose(W.file) < 0)
		sf_fail(w, DN_EIO, "cannot close %s", tmp);
	if (!W.rc) {
		int fd = open(tmp, O_RDONLY);
		if (fd < 0 || fsync(fd) != 0)
			sf_fail(w, DN_EIO, "cannot sync %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (!W.rc && rename(tmp, path) != 0)
		sf_fail(w, DN_EIO, "cannot rename %s onto %s: %s", tmp, path, strerror(errno));
	if (W.rc)
		(void)unlink(tmp);
	return W.rc;
}

dn_rc dn_sweepfile_same(const char *path, const dn_sweep *sw, char *err, size_t errlen)
{
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = open_ro(path);
	if (f < 0) {
		(void)snprintf(err, errlen, "%s: not a readable HDF5 file", path);
		return DN_EHDF5;
	}
	dn_rc rc = DN_OK;
	uint64_t n = dn_sweep_n_members(sw);
	if (H5Lexists(f, "members", H5P_DEFAULT) <= 0 || H5Lexists(f, "members/seed", H5P_DEFAULT) <= 0) {
		(void)snprintf(err, errlen, "%s: no /members table (not a sweep file)", path);
		H5Fclose(f);
		return DN_EHDF5;
	}
	hid_t d = H5Dopen2(f, "members/seed", H5P_DEFAULT);
	hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t dim = 0;
	if (sp < 0 || H5Sget_simple_extent_dims(sp, &dim, NULL) != 1) {
		rc = DN_EHDF5;
		(void)snprintf(err, errlen, "%s: cannot read /members/seed", path);
	} else if (dim != n) {
		rc = DN_EINVAL;
		(void)snprintf(err, errlen, "%s has %llu members, the sweep now has %llu", path,
		               (unsigned long long)dim, (unsigned long long)n);
	} else {
		uint64_t *s = malloc((n ? n : 1) * sizeof *s);
		if (!s || H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0) {
			rc = DN_EHDF5;
			(void)snprintf(err, errlen, "%s: cannot read /members/seed", path);
		}
		for (uint64_t m = 0; !rc && m < n; m++)
			if (s[m] != dn_sweep_member_seed(sw, m)) {
				rc = DN_EINVAL;
				(void)snprintf(err, errlen, "member %llu's seed differs (the sweep's seed or design changed)",
				               (unsigned long long)m);
			}
		free(s);
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (d >= 0)
		H5Dclose(d);
	/* every parameter's values, as numbers or text */
	char buf[DN_SWEEP_VALUE_MAX], name[DN_PARAM_NAME_MAX + 16];
	uint64_t reps = dn_sweep_replicates(sw);
	for (size_t j = 0; !rc && j < dn_sweep_n_params(sw); j++) {
		const dn_param_def *def = dn_sweep_param(sw, j);
		(void)snprintf(name, sizeof name, "members/param/%s", def->name);
		if (H5Lexists(f, "members/param", H5P_DEFAULT) <= 0 || H5Lexists(f, name, H5P_DEFAULT) <= 0) {
			rc = DN_EINVAL;
			(void)snprintf(err, errlen, "%s does not sweep %s", path, def->name);
			break;
		}
		if (numeric(def)) {
			double *x = malloc((n ? n : 1) * sizeof *x);
			if (!x || read_column(f, name, H5T_NATIVE_DOUBLE, n, x))
				rc = DN_EHDF5;
			for (uint64_t m = 0; !rc && m < n; m++) {
				dn_sweep_value(sw, m / reps, j, buf, sizeof buf);
				if (strtod(buf, NULL) != x[m]) {
					rc = DN_EINVAL;
					(void)snprintf(err, errlen, "member %llu's %s differs (%s now, %.17g in the file)",
					               (unsigned long long)m, def->name, buf, x[m]);
				}
			}
			free(x);
		} else {
			char **x = calloc(n ? n : 1, sizeof *x);
			hid_t t = vstr();
			if (!x || t < 0 || read_column(f, name, t, n, x))
				rc = DN_EHDF5;
			for (uint64_t m = 0; !rc && m < n; m++) {
				dn_sweep_value(sw, m / reps, j, buf, sizeof buf);
				if (!x[m] || strcmp(x[m], buf) != 0) {
					rc = DN_EINVAL;
					(void)snprintf(err, errlen, "member %llu's %s differs (%s now, %s in the file)",
					               (unsigned long long)m, def->name, buf, x[m] ? x[m] : "?");
				}
			}
			free_strings(x, x ? n : 0);
			if (t >= 0)
				H5Tclose(t);
		}
		if (rc == DN_EHDF5)
			(void)snprintf(err, errlen, "%s: cannot read %s", path, name);
	}
	H5Fclose(f);
	return rc;
}

dn_rc dn_sweepfile_finished(const char *path, uint64_t n_members, bool *complete, bool *series)
{
	*complete = *series = false;
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = open_ro(path);
	if (f < 0)
		return DN_EHDF5;
	dn_rc rc = DN_EHDF5;
	char **x = calloc(n_members ? n_members : 1, sizeof *x);
	hid_t t = vstr();
	if (x && t >= 0 && H5Lexists(f, "members", H5P_DEFAULT) > 0 &&
	    read_column(f, "members/status", t, n_members, x) == 0) {
		rc = DN_OK;
		*complete = true;
		for (uint64_t m = 0; m < n_members; m++)
			*complete &= x[m] && strcmp(x[m], "complete") == 0;
	}
	free_strings(x, x ? n_members : 0);
	if (t >= 0)
		H5Tclose(t);
	if (!rc && H5Lexists(f, "config", H5P_DEFAULT) > 0) {
		hid_t g = H5Gopen2(f, "config", H5P_DEFAULT);
		uint8_t v = 0;
		if (g >= 0 && H5Aexists(g, "series_gathered") > 0) {
			hid_t a = H5Aopen(g, "series_gathered", H5P_DEFAULT);
			if (a >= 0 && H5Aread(a, H5T_NATIVE_UINT8, &v) >= 0)
				*series = v != 0;
			if (a >= 0)
				H5Aclose(a);
		}
		if (g >= 0)
			H5Gclose(g);
	}
	H5Fclose(f);
	return rc;
}
