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
	SF_CHUNK_ROWS = 65536
};

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

typedef struct sum_val {
	char name[SF_NAME_MAX];
	bool is_int;
	int64_t i;
	double f;
	char units[64];
	char desc[256];
} sum_val;

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
	hid_t dset;
	uint64_t unaligned;
} ser_col;

static sum_col *find_sum(sum_col *c, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(c[k].name, name) == 0)
			return &c[k];
	return NULL;
}

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

/* The point statistics of one summary column. */
static void point_stats(const dn_sweep *sw, const dn_member_state *mem, const sum_col *c,
                        double *mean, double *sd, double *lo, double *hi, int64_t *count)
{
	uint64_t reps = dn_sweep_replicates(sw);
	for (uint64_t p = 0; p < dn_sweep_n_points(sw); p++) {
		double s = 0, ss = 0;
		int64_t k = 0;
		for (uint64_t r = 0; r < reps; r++) {
			uint64_t m = p * reps + r;
			if (mem[m].status != DN_MEMBER_COMPLETE)
				continue;
			double x = c->is_int ? (c->i[m] == INT64_MIN ? NAN : (double)c->i[m]) : c->f[m];
			if (isnan(x))
				continue;
			k++;
			s += x;
		}
		double mu = k ? s / (double)k : NAN;
		for (uint64_t r = 0; r < reps && k; r++) {
			uint64_t m = p * reps + r;
			if (mem[m].status != DN_MEMBER_COMPLETE)
				continue;
			double x = c->is_int ? (c->i[m] == INT64_MIN ? NAN : (double)c->i[m]) : c->f[m];
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
	for (int k = 0; k < 4; k++)
		free(a[k]);
	free(cnt);
	for (int k = 0; k < 5; k++)
		sf_close(sg[k]);
	sf_close(g);
}

/* Pass 1: the summary and series every complete member has, in name order. */
static void collect(sf *w, const dn_sweep *sw, const dn_member_state *mem, bool series,
                    sum_col **scols, size_t *nsc, ser_col **rcols, size_t *nrc)
{
	uint64_t n = dn_sweep_n_members(sw);
	sum_col *sc = calloc(SF_SUMMARY_MAX, sizeof *sc);
	ser_col *rc = series ? calloc(SF_SERIES_MAX, sizeof *rc) : NULL;
	*scols = sc;
	*rcols = rc;
	*nsc = *nrc = 0;
	if (!sc || (series && !rc)) {
		sf_fail(w, DN_ENOMEM, "out of memory");
		return;
	}
	for (uint64_t m = 0; m < n && !w->rc; m++) {
		if (mem[m].status != DN_MEMBER_COMPLETE)
			continue;
		hid_t f = open_ro(mem[m].file);
		if (f < 0) {
			sf_fail(w, DN_EHDF5, "member %llu: cannot open %s", (unsigned long long)m, mem[m].file);
			break;
		}
		sum_val *v;
		size_t nv;
		if (read_summary(f, &v, &nv)) {
			H5Fclose(f);
			sf_fail(w, DN_EHDF5, "member %llu: cannot read the summary of %s", (unsigned long long)m,
			        mem[m].file);
			break;
		}
		for (size_t k = 0; k < nv; k++) {
			if (find_sum(sc, *nsc, v[k].name) || *nsc == SF_SUMMARY_MAX)
				continue;
			sum_col *c = &sc[(*nsc)++];
			memcpy(c->name, v[k].name, sizeof c->name);
			c->is_int = v[k].is_int;
			memcpy(c->units, v[k].units, sizeof c->units);
			memcpy(c->desc, v[k].desc, sizeof c->desc);
		}
		free(v);
		if (series && H5Lexists(f, "series", H5P_DEFAULT) > 0) {
			hid_t g = H5Gopen2(f, "series", H5P_DEFAULT);
			name_list nl;
			if (g < 0 || list_names(g, &nl, SF_SERIES_MAX)) {
				sf_fail(w, DN_EHDF5, "member %llu: cannot list the series of %s",
				        (unsigned long long)m, mem[m].file);
			} else {
				for (size_t k = 0; k < nl.n; k++) {
					hid_t d = H5Dopen2(g, nl.names[k], H5P_DEFAULT);
					hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
					hsize_t dim = 0;
					if (sp < 0 || H5Sget_simple_extent_dims(sp, &dim, NULL) != 1) {
						dim = 0;
					}
					ser_col *c = find_ser(rc, *nrc, nl.names[k]);
					if (!c && *nrc < SF_SERIES_MAX) {
						c = &rc[(*nrc)++];
						memcpy(c->name, nl.names[k], sizeof c->name);
						hid_t t = H5Dget_type(d);
						if (t >= 0) {
							hid_t vt = H5Tget_member_type(t, 1);
							c->is_int = vt >= 0 && H5Tget_class(vt) == H5T_INTEGER;
							if (vt >= 0)
								H5Tclose(vt);
							H5Tclose(t);
						}
						read_attr_str(d, "units", c->units, sizeof c->units);
						read_attr_str(d, "description", c->desc, sizeof c->desc);
						c->dset = H5I_INVALID_HID;
					}
					if (c && dim > c->rows)
						c->rows = (size_t)dim;
					if (sp >= 0)
						H5Sclose(sp);
					if (d >= 0)
						H5Dclose(d);
				}
			}
			free(nl.names);
			if (g >= 0)
				H5Gclose(g);
		}
		H5Fclose(f);
	}
	/* name order, whatever member came first */
	for (size_t a = 1; a < *nsc; a++)
		for (size_t b = a; b > 0 && strcmp(sc[b - 1].name, sc[b].name) > 0; b--) {
			sum_col t = sc[b];
			sc[b] = sc[b - 1];
			sc[b - 1] = t;
		}
	for (size_t a = 1; a < *nrc; a++)
		for (size_t b = a; b > 0 && strcmp(rc[b - 1].name, rc[b].name) > 0; b--) {
			ser_col t = rc[b];
			rc[b] = rc[b - 1];
			rc[b - 1] = t;
		}
	for (size_t k = 0; k < *nsc && !w->rc; k++) {
		sum_col *c = &sc[k];
		if (c->is_int)
			c->i = malloc((n ? n : 1) * sizeof *c->i);
		else
			c->f = malloc((n ? n : 1) * sizeof *c->f);
		if (!c->i && !c->f) {
			sf_fail(w, DN_ENOMEM, "out of memory");
			break;
		}
		for (uint64_t m = 0; m < n; m++) {
			if (c->is_int)
				c->i[m] = INT64_MIN;
			else
				c->f[m] = NAN;
		}
	}
}

static void create_series(sf *w, hid_t g, const dn_sweep *sw, ser_col *c)
{
	uint64_t n = dn_sweep_n_members(sw);
	hid_t sg = sf_group(w, g, c->name);
	if (w->rc)
		return;
	hsize_t dims[2] = {n, c->rows}, chunk[2] = {1, c->rows < SF_CHUNK_ROWS ? c->rows : SF_CHUNK_ROWS};
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

static void write_row(sf *w, ser_col *c, uint64_t m, const dn_series_data *s)
{
	if (!c->t_ns) { /* the first complete member with the longest rows sets the times */
		if (s->n != c->rows)
			return;
		c->t_ns = malloc((s->n ? s->n : 1) * sizeof *c->t_ns);
		if (!c->t_ns) {
			sf_fail(w, DN_ENOMEM, "out of memory");
			return;
		}
		memcpy(c->t_ns, s->t_ns, s->n * sizeof *c->t_ns);
	}
	if (s->n > c->rows || memcmp(s->t_ns, c->t_ns, s->n * sizeof *s->t_ns) != 0) {
		c->unaligned++;
		return;
	}
	if (s->n == 0)
		return;
	hsize_t start[2] = {m, 0}, count[2] = {1, s->n};
	hid_t fs = H5Dget_space(c->dset);
	hid_t ms = H5Screate_simple(2, count, NULL);
	if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
	    H5Dwrite(c->dset, c->is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT,
	             c->is_int ? (const void *)s->ivalue : (const void *)s->value) < 0)
		sf_fail(w, DN_EHDF5, "cannot write series %s", c->name);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
}

/* Pass 2: every complete member's summary values and series rows. */
static void gather(sf *w, const dn_sweep *sw, const dn_member_state *mem, sum_col *sc, size_t nsc,
                   ser_col *rc, size_t nrc)
{
	uint64_t n = dn_sweep_n_members(sw);
	/* the series whose reference times are still unknown are set by the
	 * first member that has their full length: members in order */
	for (uint64_t m = 0; m < n && !w->rc; m++) {
		if (mem[m].status != DN_MEMBER_COMPLETE)
			continue;
		hid_t f = open_ro(mem[m].file);
		sum_val *v = NULL;
		size_t nv = 0;
		if (f < 0 || read_summary(f, &v, &nv)) {
			if (f >= 0)
				H5Fclose(f);
			sf_fail(w, DN_EHDF5, "member %llu: cannot read %s", (unsigned long long)m, mem[m].file);
			break;
		}
		H5Fclose(f);
		for (size_t k = 0; k < nv; k++) {
			sum_col *c = find_sum(sc, nsc, v[k].name);
			if (!c)
				continue;
			if (c->is_int)
				c->i[m] = v[k].is_int ? v[k].i : INT64_MIN;
			else
				c->f[m] = v[k].is_int ? (double)v[k].i : v[k].f;
		}
		free(v);
		if (!nrc)
			continue;
		dn_series_data *s = NULL;
		size_t ns = 0;
		char e[256];
		if (dn_results_read_series(mem[m].file, &s, &ns, e, sizeof e)) {
			sf_fail(w, DN_EHDF5, "member %llu: %s", (unsigned long long)m, e);
			break;
		}
		for (size_t k = 0; k < ns && !w->rc; k++) {
			ser_col *c = find_ser(rc, nrc, s[k].name);
			if (c && c->dset >= 0)
				write_row(w, c, m, &s[k]);
		}
		dn_series_data_free(s, ns);
	}
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

	sum_col *sc = NULL;
	ser_col *rc = NULL;
	size_t nsc = 0, nrc = 0;
	hid_t members = H5I_INVALID_HID, series = H5I_INVALID_HID;
	write_config(w, sw, meta);
	collect(w, sw, mem, meta->series, &sc, &nsc, &rc, &nrc);
	if (meta->series) {
		series = sf_group(w, W.file, "series");
		for (size_t k = 0; k < nrc && !W.rc; k++)
			create_series(w, series, sw, &rc[k]);
	}
	gather(w, sw, mem, sc, nsc, rc, nrc);
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
	write_members(w, sw, mem, &members);
	write_summary_cols(w, members, sw, sc, nsc);
	write_points(w, sw, mem, sc, nsc);
	sf_close(members);
	sf_close(series);
	for (size_t k = 0; k < nsc; k++) {
		free(sc[k].f);
		free(sc[k].i);
	}
	for (size_t k = 0; k < nrc; k++)
		free(rc[k].t_ns);
	free(sc);
	free(rc);
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
		d = H5Dopen2(f, name, H5P_DEFAULT);
		if (numeric(def)) {
			double *x = malloc((n ? n : 1) * sizeof *x);
			if (!x || d < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
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
			if (!x || d < 0 || t < 0 || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
				rc = DN_EHDF5;
			for (uint64_t m = 0; !rc && m < n; m++) {
				dn_sweep_value(sw, m / reps, j, buf, sizeof buf);
				if (!x[m] || strcmp(x[m], buf) != 0) {
					rc = DN_EINVAL;
					(void)snprintf(err, errlen, "member %llu's %s differs (%s now, %s in the file)",
					               (unsigned long long)m, def->name, buf, x[m] ? x[m] : "?");
				}
			}
			for (uint64_t m = 0; x && m < n; m++)
				if (x[m])
					H5free_memory(x[m]);
			free(x);
			if (t >= 0)
				H5Tclose(t);
		}
		if (d >= 0)
			H5Dclose(d);
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
	hid_t d = H5Lexists(f, "members", H5P_DEFAULT) > 0 && H5Lexists(f, "members/status", H5P_DEFAULT) > 0
	              ? H5Dopen2(f, "members/status", H5P_DEFAULT)
	              : -1;
	hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t dim = 0;
	hid_t t = vstr();
	if (sp >= 0 && t >= 0 && H5Sget_simple_extent_dims(sp, &dim, NULL) == 1 && dim == n_members) {
		char **x = calloc(n_members ? n_members : 1, sizeof *x);
		if (x && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0) {
			rc = DN_OK;
			*complete = true;
			for (uint64_t m = 0; m < n_members; m++)
				*complete &= x[m] && strcmp(x[m], "complete") == 0;
		}
		for (uint64_t m = 0; x && m < n_members; m++)
			if (x[m])
				H5free_memory(x[m]);
		free(x);
	}
	if (t >= 0)
		H5Tclose(t);
	if (sp >= 0)
		H5Sclose(sp);
	if (d >= 0)
		H5Dclose(d);
	if (!rc && H5Aexists(f, "config") >= 0 && H5Lexists(f, "config", H5P_DEFAULT) > 0) {
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
