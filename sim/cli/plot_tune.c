/*
 * plot_tune.c: `dnetsim plot TUNE.h5 [-o DIR]` for a tune results file
 * (one with a /tune group, written by `dnetsim tune`: sim/cli/tune.c's
 * write_results is the layout, docs/tuning.md the reference). What it
 * draws, with gnuplot, by the file's kind (/config @kind):
 *
 *  sensitivity
 *  - tune_sobol_<metric>.png (analysis/tune_indices.gp), per output: the
 *    first-order (S1) and total (ST) Sobol index of each parameter as
 *    bars with their bootstrap intervals as whiskers, parameters ranked
 *    by ST; the title gives N, the rows used and the noise share;
 *  - tune_sobol_convergence.png (analysis/tune_progress.gp), when N was
 *    doubled at least once: the widest interval half-width of a total
 *    index against N;
 *  screen
 *  - tune_morris_<metric>.png (tune_indices.gp), per output: Morris's mu*
 *    of each parameter with its bootstrap interval and sigma beside it,
 *    ranked by mu* (why bars and not the mu*-sigma scatter: the script);
 *  target
 *  - tune_search.png (tune_progress.gp): each candidate's merit and the
 *    best so far (log scale when every merit is positive), and below it
 *    each parameter's place in its range, candidate by candidate, the best
 *    candidate marked;
 *  - tune_target_<metric>.png (tune_progress.gp), per goal and for the
 *    objective: the mean over the candidates with each one's interval,
 *    the best candidate marked, and the goal's bound as dashed lines. The
 *    bounds are read back from a goal's label when it is the default
 *    "<metric> <take> <bound>" (a goal given a name: gets no bound line,
 *    and index.txt says so; files from this version also hold them as
 *    /tune/target/goal_lo and goal_hi, which this reader does not use yet);
 *  and DIR/index.txt: what each picture shows, then everything not drawn
 *  and why.
 *
 * The file is untrusted input, as in plot.c and plot_sweep.c (whose
 * queue, text and HDF5 helpers this uses, plot.h): only hard links are
 * followed, every array must have exactly the shape its neighbours give
 * it (k parameters, nv outputs, n candidates) and is read only after
 * that and its storage are checked, every count is bounded before
 * anything is allocated, a part that is not what it should be costs the
 * pictures that need it with a message (and the exit status 1), names
 * reach gnuplot only as octal escapes (dn_plot_gp_str) and file names
 * only as letters, digits and "._+-".
 */
#define _POSIX_C_SOURCE 200809L

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
	TP_MAX_PARAMS = 64,       /* parameters read (dnetsim tune takes 20) */
	TP_MAX_OUTPUTS = 64,      /* outputs read (32 goals and an objective) */
	TP_MAX_CANDIDATES = 65536,/* candidates of a target search read */
	TP_MAX_ITER = 1024,       /* doublings of a Saltelli design read */
	TP_NAME_KEEP = 256,       /* bytes kept of a name or label */
	TP_LABEL_MAX = 80,        /* bytes of a parameter's label on a picture */
	TP_FILE_KEEP = 160,       /* bytes of a metric's name in a file name */
	TP_BAND_ROWS = 60,        /* more candidates than this: intervals as a band */
	TP_MAX_CHARTS = 2 * TP_MAX_OUTPUTS + 2
};
#define TP_STR_BYTES ((hsize_t)1 << 20) /* bytes of strings read from one column */
#define TP_ANY ((hsize_t)-1)            /* a dimension of any size (up to a bound) */

static const char tp_gp_indices[] = "tune_indices.gp";
static const char tp_gp_progress[] = "tune_progress.gp";

typedef plot_chart tp_chart;

typedef struct tp_state {
	plot_run *r;
	hid_t f, tune;
	const char *file;
	char *gp_indices, *gp_progress; /* absolute, or NULL */
	char kind[32];
	char ci[32];       /* the intervals' level as titles give it: "95% ", or "" */
	double runs, failed;
	size_t k, nv;      /* parameters, outputs (goals and the objective) */
	char **pname, **olabel, **ometric;
	tp_chart chart[TP_MAX_CHARTS];
	size_t nchart;
	FILE *notes;       /* index.txt's "not drawn" lines */
	char *notes_buf;
	size_t notes_len;
} tp_state;


/* ---- reading: HDF5, bounded, every shape checked ---- */

/* "3 values" or "a 2 x 3 array". */
static void tp_shape(char *out, size_t cap, int rank, const hsize_t *d)
{
	if (rank == 1)
		snprintf(out, cap, "%" PRIu64 " values", (uint64_t)d[0]);
	else
		snprintf(out, cap, "a %" PRIu64 " x %" PRIu64 " array", (uint64_t)d[0], (uint64_t)d[1]);
}

/*
 * Opens g/name as a dataset of rank 1 or 2 holding strings (str) or
 * numbers, of exactly want[i] along dimension i (TP_ANY: any size up to
 * max, put in want[i]), stored in the file itself. H5I_INVALID_HID and
 * why otherwise (*absent: there is no such link).
 */
static hid_t tp_open_data(hid_t g, const char *name, int rank, hsize_t *want, hsize_t max, bool str,
			  bool *absent, char *why, size_t whylen)
{
	hid_t d = dn_plot_open(g, name, H5I_DATASET, absent, why, whylen);
	if (d < 0)
		return d;
	hsize_t got[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
	int rk = dn_plot_dims(d, got, why, whylen);
	bool ok = rk >= 0;
	if (ok && rk != rank) {
		snprintf(why, whylen, "%d dimension(s), not %d", rk, rank);
		ok = false;
	}
	for (int i = 0; ok && i < rank; i++) {
		if (want[i] == TP_ANY ? got[i] <= max : got[i] == want[i])
			continue;
		char a[64], b[64];
		hsize_t w[2] = { want[0], rank > 1 ? want[1] : 0 };
		tp_shape(a, sizeof a, rank, got);
		if (want[i] == TP_ANY) {
			snprintf(why, whylen, "%s, more than the %" PRIu64 " read", a, (uint64_t)max);
		} else {
			for (int j = 0; j < rank; j++)
				if (w[j] == TP_ANY)
					w[j] = got[j];
			tp_shape(b, sizeof b, rank, w);
			snprintf(why, whylen, "%s, not %s", a, b + (rank > 1 ? 2 : 0));
		}
		ok = false;
	}
	H5T_class_t cl = ok ? dn_plot_class(d) : H5T_NO_CLASS;
	if (ok && str && cl != H5T_STRING) {
		snprintf(why, whylen, "not strings");
		ok = false;
	} else if (ok && !str && cl != H5T_INTEGER && cl != H5T_FLOAT) {
		snprintf(why, whylen, "%s, not numbers",
			 cl == H5T_STRING ? "strings" : cl == H5T_COMPOUND ? "a table" : "values");
		ok = false;
	}
	ok = ok && dn_plot_layout_ok(d, rank, chunk, why, whylen);
	if (!ok) {
		(void)H5Dclose(d);
		H5Eclear2(H5E_DEFAULT);
		return H5I_INVALID_HID;
	}
	for (int i = 0; i < rank; i++)
		want[i] = got[i];
	return d;
}

/*
 * Reads g/name, numbers of the shape want (see tp_open_data), as doubles
 * (integers converted). NULL and why if it cannot; *absent when there is
 * no such dataset.
 */
static double *tp_read_num(hid_t g, const char *name, int rank, hsize_t *want, hsize_t max,
			   bool *absent, char *why, size_t whylen)
{
	hid_t d = tp_open_data(g, name, rank, want, max, false, absent, why, whylen);
	if (d < 0)
		return NULL;
	size_t n = (size_t)want[0] * (rank > 1 ? (size_t)want[1] : 1);
	double *v = malloc((n > 0 ? n : 1) * sizeof *v);
	if (v == NULL) {
		snprintf(why, whylen, "out of memory");
	} else if (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
		dn_plot_h5why(why, whylen, "reading it");
		free(v);
		v = NULL;
	}
	(void)H5Dclose(d);
	H5Eclear2(H5E_DEFAULT);
	return v;
}

/*
 * Reads g/name, a column of variable-length strings (as dnetsim tune
 * writes them) of exactly *n (TP_ANY: at most max, put in *n), each cut
 * to TP_NAME_KEEP - 1 bytes. NULL and why if it cannot.
 */
static char **tp_read_strs(hid_t g, const char *name, hsize_t *n, hsize_t max, char *why,
			   size_t whylen)
{
	bool absent;
	hid_t d = tp_open_data(g, name, 1, n, max, true, &absent, why, whylen);
	if (d < 0)
		return NULL;
	size_t cnt = (size_t)*n;
	hid_t ft = H5Dget_type(d), sp = H5Dget_space(d), mt = H5I_INVALID_HID;
	htri_t var = ft >= 0 ? H5Tis_variable_str(ft) : -1;
	bool ok = ft >= 0 && sp >= 0 && var > 0;
	if (!ok)
		snprintf(why, whylen, "%s", var == 0 ? "fixed-size strings, not the variable-length "
			 "ones dnetsim tune writes" : "cannot get its type");
	hsize_t bytes = 0;
	if (ok) {
		mt = H5Tcopy(H5T_C_S1);
		ok = mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
		     H5Tset_cset(mt, H5Tget_cset(ft)) >= 0 &&
		     (cnt == 0 || H5Dvlen_get_buf_size(d, mt, sp, &bytes) >= 0);
		if (!ok)
			dn_plot_h5why(why, whylen, "sizing its strings");
	}
	if (ok && bytes > TP_STR_BYTES) {
		snprintf(why, whylen, "%" PRIu64 " bytes of strings, more than the %" PRIu64 " read",
			 (uint64_t)bytes, (uint64_t)TP_STR_BYTES);
		ok = false;
	}
	char **raw = ok ? calloc(cnt > 0 ? cnt : 1, sizeof *raw) : NULL;
	char **out = ok ? calloc(cnt > 0 ? cnt : 1, sizeof *out) : NULL;
	if (ok && (raw == NULL || out == NULL)) {
		snprintf(why, whylen, "out of memory");
		ok = false;
	}
	if (ok && cnt > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
		dn_plot_h5why(why, whylen, "reading it");
		ok = false;
	} else if (ok) {
		for (size_t i = 0; ok && i < cnt; i++) {
			const char *p = raw[i] != NULL ? raw[i] : "";
			size_t len = strnlen(p, TP_NAME_KEEP - 1);
			out[i] = malloc(len + 1);
			if (out[i] == NULL) {
				snprintf(why, whylen, "out of memory");
				ok = false;
			} else {
				memcpy(out[i], p, len);
				out[i][len] = '\0';
			}
		}
		if (cnt > 0)
			(void)H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
	}
	free(raw);
	if (mt >= 0)
		(void)H5Tclose(mt);
	if (ft >= 0)
		(void)H5Tclose(ft);
	if (sp >= 0)
		(void)H5Sclose(sp);
	(void)H5Dclose(d);
	H5Eclear2(H5E_DEFAULT);
	if (!ok) {
		dn_plot_strs_free(out, cnt);
		return NULL;
	}
	return out;
}

/* Number attribute name of obj: 1 and *v; 0 when absent; -1 and why when
 * it is not one number. */
static int tp_attr_num(hid_t obj, const char *name, double *v, char *why, size_t whylen)
{
	htri_t ex = H5Aexists(obj, name);
	if (ex == 0) {
		H5Eclear2(H5E_DEFAULT);
		return 0;
	}
	hid_t a = ex > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : H5I_INVALID_HID;
	hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
	hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
	H5T_class_t cl = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
	bool ok = a >= 0 && sp >= 0 && (cl == H5T_INTEGER || cl == H5T_FLOAT) &&
		  H5Sget_simple_extent_npoints(sp) == 1;
	if (!ok)
		snprintf(why, whylen, "not one number");
	if (ok && H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0) {
		dn_plot_h5why(why, whylen, "reading it");
		ok = false;
	}
	if (sp >= 0)
		(void)H5Sclose(sp);
	if (t >= 0)
		(void)H5Tclose(t);
	if (a >= 0)
		(void)H5Aclose(a);
	H5Eclear2(H5E_DEFAULT);
	return ok ? 1 : -1;
}

/* Attribute name of g as a count: a whole number >= 0 below `below`;
 * false (a note) when it is there but is not one. *v stays when absent. */
static bool tp_attr_count(tp_state *s, hid_t g, const char *where, const char *name, double below,
			  double *v)
{
	char why[DN_PLOT_WHY];
	double x = 0;
	int rc = tp_attr_num(g, name, &x, why, sizeof why);
	if (rc == 1 && !(isfinite(x) && x >= 0 && x < below && x == floor(x))) {
		snprintf(why, sizeof why, "%g is not a count below %g", x, below);
		rc = -1;
	}
	if (rc < 0) {
		dn_plot_note(s->r, s->notes, true, "%s @%s: %s (not used)", where, name, why);
		return false;
	}
	if (rc == 1)
		*v = x;
	return true;
}

/* ---- pictures ---- */

/* lo_var and hi_var: g padded as dn_plot_set_range does, or on a log axis
 * (g of positive values) by 5 % of its decades; never empty, finite. */
static bool tp_set_axis(FILE *a, const char *lo_var, const char *hi_var, const plot_range *g, bool log)
{
	if (!log)
		return dn_plot_set_range(a, lo_var, hi_var, g);
	double lo = g->any ? g->lo : 1, hi = g->any ? g->hi : 10;
	double l0 = log10(lo), l1 = log10(hi), pad = l1 > l0 ? (l1 - l0) * 0.05 : 0.5;
	lo = pow(10, l0 - pad);
	hi = pow(10, l1 + pad);
	if (!(lo > 0 && lo < hi && isfinite(hi))) {
		lo = 1;
		hi = 10;
	}
	return dn_plot_set_num(a, lo_var, lo) && dn_plot_set_num(a, hi_var, hi);
}

/* A metric's name as part of a file name: letters, digits and "._+-"
 * kept, anything else '_', cut to TP_FILE_KEEP bytes; "output<i>" when
 * nothing is left. */
static void tp_file_part(char *out, size_t cap, const char *name, size_t i)
{
	size_t n = 0;
	for (const char *p = name; *p != '\0' && n + 1 < cap && n < TP_FILE_KEEP; p++) {
		char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '_' || c == '+' || c == '-';
		out[n++] = keep ? c : '_';
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "output%zu", i + 1);
}

/* The next picture's file name "<base>.png", or "<base>~2.png" ... when
 * another picture has it; NULL (a note) if there is none. base is ours
 * (made with tp_file_part). */
static tp_chart *tp_new_chart(tp_state *s, const char *base)
{
	if (s->nchart >= TP_MAX_CHARTS) { /* the bounds above keep below it */
		dn_plot_note(s->r, s->notes, true, "%s not drawn: more than %d pictures", base, (int)TP_MAX_CHARTS);
		return NULL;
	}
	tp_chart *c = &s->chart[s->nchart];
	memset(c, 0, sizeof *c);
	for (int k = 1; k <= DN_PLOT_RENAME_TRIES; k++) {
		if (k == 1)
			snprintf(c->file, sizeof c->file, "%s.png", base);
		else
			snprintf(c->file, sizeof c->file, "%s~%d.png", base, k);
		bool taken = false;
		for (size_t i = 0; !taken && i < s->nchart; i++)
			taken = strcmp(s->chart[i].file, c->file) == 0;
		if (!taken) {
			s->nchart++;
			return c;
		}
	}
	dn_plot_note(s->r, s->notes, true, "%s not drawn: no free file name for it", base);
	return NULL;
}

/*
 * Queues a picture: its table <work>/d<id>.dat (written and closed, ok
 * saying whether all of it was), its assignments (the stream, closed
 * here), script, and what index.txt says of it (taken over). On failure
 * the table is removed and a note says why.
 */
static void tp_queue(tp_state *s, const char *base, unsigned id, bool ok, plot_mem *a,
		     const char *script, char *what, const char *shown)
{
	plot_run *r = s->r;
	char *assign = dn_plot_mem_close(a, ok);
	tp_chart *c = assign != NULL ? tp_new_chart(s, base) : NULL;
	char *png = c != NULL ? dn_plot_strf("%s/%s", r->dir, c->file) : NULL;
	if (png == NULL) {
		char *tab = dn_plot_strf("%s/d%u.dat", r->work, id);
		if (tab != NULL)
			(void)unlink(tab);
		free(tab);
		free(assign);
		free(what);
		if (c != NULL) {
			s->nchart--;
			dn_plot_note(s->r, s->notes, true, "%s not drawn: out of memory", shown);
		} else if (assign == NULL) {
			dn_plot_note(s->r, s->notes, true, "%s not drawn: cannot write its table: %s", shown,
				errno != 0 ? strerror(errno) : "a value out of range");
		}
		return;
	}
	c->what = what;
	plot_job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof *j);
	j->id = id;
	j->script = script;
	j->assign = assign;
	j->drawn = &c->drawn;
	j->png = png;
	snprintf(j->shown, sizeof j->shown, "%s", shown);
	r->njobs++;
	if (r->njobs == DN_PLOT_BATCH)
		dn_plot_flush(r);
}

/* The parameters' names as tick labels or legend entries: label<i>. */
static bool tp_set_labels(tp_state *s, FILE *a, const size_t *order, size_t n, const char *const *extra)
{
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		char lab[TP_LABEL_MAX + 64], var[32];
		size_t j = order != NULL ? order[i] : i;
		dn_plot_label(lab, TP_LABEL_MAX, s->pname[j][0] != '\0' ? s->pname[j] : "(no name)");
		if (extra != NULL && extra[j] != NULL)
			snprintf(lab + strlen(lab), sizeof lab - strlen(lab), "%s", extra[j]);
		snprintf(var, sizeof var, "label%zu", i + 1);
		ok = dn_plot_set_str(a, var, lab);
	}
	return ok;
}

/* ---- Sobol and Morris: two indices per parameter ---- */

static const double *tp_rank_key; /* qsort's key: the values ranked by */

/* Largest first, a NaN last, ties in the file's order. */
static int tp_cmp_rank(const void *pa, const void *pb)
{
	size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
	double x = tp_rank_key[i], y = tp_rank_key[j];
	bool fx = isfinite(x), fy = isfinite(y);
	if (fx != fy)
		return fx ? -1 : 1;
	if (fx && x != y)
		return x > y ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* The two indices of one output, with their intervals (lo/hi may be NULL:
 * none), all rows of k values. */
typedef struct tp_pair {
	const double *a, *a_lo, *a_hi, *b, *b_lo, *b_hi;
	const double *extra[2]; /* more columns, or NULL */
	const double *rank;     /* the parameters are ranked by these */
} tp_pair;

/*
 * Writes one output's table (tune_indices.gp's layout), parameters in the
 * order of rank (descending, NaN last), into order[]; counts the rows with
 * an interval and the range of what is drawn (0 always in it; 1 too when
 * with_one). false on a write error or when no index has a value (*empty).
 */
static bool tp_pair_table(tp_state *s, FILE *f, const tp_pair *p, const char *head, size_t *order,
			  size_t *nci_a, size_t *nci_b, plot_range *yr, bool with_one, bool *empty)
{
	size_t k = s->k, any = 0;
	for (size_t j = 0; j < k; j++) {
		order[j] = j;
		any += isfinite(p->a[j]) || isfinite(p->b[j]);
	}
	*empty = any == 0;
	tp_rank_key = p->rank;
	qsort(order, k, sizeof *order, tp_cmp_rank);
	*nci_a = *nci_b = 0;
	dn_plot_range_add(yr, 0);
	if (with_one)
		dn_plot_range_add(yr, 1);
	bool ok = fprintf(f, "%s\n", head) > 0;
	for (size_t i = 0; ok && i < k; i++) {
		size_t j = order[i];
		double v[6] = { p->a[j], p->a_lo ? p->a_lo[j] : NAN, p->a_hi ? p->a_hi[j] : NAN,
				p->b[j], p->b_lo ? p->b_lo[j] : NAN, p->b_hi ? p->b_hi[j] : NAN };
		for (int c = 0; c < 6; c += 3) {
			if (!isfinite(v[c + 1]) || !isfinite(v[c + 2]))
				v[c + 1] = v[c + 2] = NAN;
			else
				(*(c == 0 ? nci_a : nci_b))++;
			for (int e = 0; e < 3; e++)
				dn_plot_range_add(yr, v[c + e]);
		}
		ok = dn_plot_put(f, (double)(i + 1), 0, true) && dn_plot_put(f, (double)(j + 1), 0, false);
		for (int c = 0; ok && c < 6; c++)
			ok = dn_plot_put(f, v[c], 0, false);
		for (int e = 0; ok && e < 2; e++)
			if (p->extra[e] != NULL)
				ok = dn_plot_put(f, p->extra[e][j], 0, false);
		ok = ok && fputc('\n', f) != EOF;
	}
	return ok && !*empty;
}

/* The label of output o for titles (its metric's name when it has none). */
static const char *tp_out_label(const tp_state *s, size_t o)
{
	return s->olabel[o][0] != '\0' ? s->olabel[o] : s->ometric[o][0] != '\0' ? s->ometric[o]
										  : "(no name)";
}

/* Queues one output's picture of two indices per parameter. */
static void tp_pair_chart(tp_state *s, size_t o, const tp_pair *p, const char *prefix, const char *head,
			  const char *name, const char *desc, const char *ylabel, const char *xlabel,
			  const char *name_a, const char *name_b, const char *short_a, const char *short_b,
			  bool with_ci_b, bool with_one, char *what)
{
	char shown[DN_PLOT_SHOW + 64], lab[DN_PLOT_SHOW], base[DN_PLOT_NAME_MAX], part[TP_FILE_KEEP + 16];
	snprintf(shown, sizeof shown, "the %s of output %s",
		 strcmp(prefix, "sobol") == 0 ? "Sobol indices" : "Morris screening",
		 dn_plot_show(lab, sizeof lab, tp_out_label(s, o)));
	tp_file_part(part, sizeof part, s->ometric[o], o);
	snprintf(base, sizeof base, "tune_%s_%s", prefix, part);
	if (s->gp_indices == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: no gnuplot script (above)", shown);
		free(what);
		return;
	}
	size_t order[TP_MAX_PARAMS], nci_a = 0, nci_b = 0;
	plot_range yr = { 0, 0, false };
	bool empty = false;
	unsigned id = s->r->next_id++;
	FILE *f = dn_plot_job_table(s->r, id);
	errno = 0;
	bool ok = f != NULL && tp_pair_table(s, f, p, head, order, &nci_a, &nci_b, &yr, with_one, &empty);
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (empty) {
		char *tab = dn_plot_strf("%s/d%u.dat", s->r->work, id);
		if (tab != NULL)
			(void)unlink(tab);
		free(tab);
		free(what);
		dn_plot_note(s->r, s->notes, false, "%s not drawn: no parameter has a value", shown);
		return;
	}
	char tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16], ci_a[64], ci_b[64];
	dn_plot_title(tt, sizeof tt, name, desc);
	snprintf(ci_a, sizeof ci_a, "%sinterval of %s", s->ci, short_a);
	snprintf(ci_b, sizeof ci_b, "%sinterval of %s", s->ci, short_b);
	plot_mem a;
	ok = dn_plot_mem_open(&a) && ok;
	ok = ok && dn_plot_set_str(a.f, "title", tt) && dn_plot_set_str(a.f, "xlabel", xlabel) &&
	     dn_plot_set_str(a.f, "ylabel", ylabel) && dn_plot_set_num(a.f, "nparams", (double)s->k) &&
	     dn_plot_set_str(a.f, "nameA", name_a) && dn_plot_set_str(a.f, "nameB", name_b) &&
	     dn_plot_set_str(a.f, "ciA", ci_a) && dn_plot_set_str(a.f, "ciB", ci_b) &&
	     dn_plot_set_num(a.f, "nciA", (double)nci_a) &&
	     dn_plot_set_num(a.f, "nciB", with_ci_b ? (double)nci_b : 0) &&
	     dn_plot_set_range(a.f, "ymin", "ymax", &yr) && tp_set_labels(s, a.f, order, s->k, NULL);
	tp_queue(s, base, id, ok, &a, s->gp_indices, what, shown);
}

/* " (noise share 0.017)"-like pieces: "" for a value that is not finite. */
static void tp_num_part(char *out, size_t cap, const char *fmt, double v)
{
	out[0] = '\0';
	if (isfinite(v))
		snprintf(out, cap, fmt, v);
}

/* The widest half-width against N: the convergence picture. */
static void tp_sobol_convergence(tp_state *s, hid_t sg)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hsize_t n[1] = { TP_ANY }, m[1];
	double *rows = tp_read_num(sg, "iteration_rows", 1, n, TP_MAX_ITER, &absent, why, sizeof why);
	if (rows == NULL) {
		dn_plot_note(s->r, s->notes, !absent, "/tune/sobol/iteration_rows: %s: no convergence picture", why);
		return;
	}
	m[0] = n[0];
	double *half = tp_read_num(sg, "iteration_max_halfwidth", 1, m, 0, &absent, why, sizeof why);
	if (half == NULL) {
		dn_plot_note(s->r, s->notes, true, "/tune/sobol/iteration_max_halfwidth: %s: no convergence picture", why);
		free(rows);
		return;
	}
	size_t ni = (size_t)n[0], good = 0;
	bool logx = true;
	for (size_t i = 0; i < ni; i++) {
		good += isfinite(rows[i]) && isfinite(half[i]);
		logx = logx && (!isfinite(rows[i]) || rows[i] > 0);
	}
	if (good < 2) {
		dn_plot_note(s->r, s->notes, false, "the Sobol indices' convergence not drawn: %zu step(s) of N with a "
			"half-width (N was not doubled)", good);
		goto out;
	}
	if (s->gp_progress == NULL) {
		dn_plot_note(s->r, s->notes, true, "the Sobol indices' convergence not drawn: no gnuplot script (above)");
		goto out;
	}
	unsigned id = s->r->next_id++;
	FILE *f = dn_plot_job_table(s->r, id);
	plot_range xr = { 0, 0, false }, yr = { 0, 0, false };
	errno = 0;
	bool ok = f != NULL && fprintf(f, "# N max_halfwidth - -\n") > 0;
	for (size_t i = 0; ok && i < ni; i++) {
		dn_plot_range_add(&xr, rows[i]);
		dn_plot_range_add(&yr, half[i]);
		ok = dn_plot_put(f, rows[i], 0, true) && dn_plot_put(f, half[i], 0, false) &&
		     dn_plot_put(f, NAN, 0, false) && dn_plot_put(f, NAN, 0, false) && fputc('\n', f) != EOF;
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	dn_plot_range_add(&yr, 0);
	char tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16], desc[2 * DN_PLOT_DESC_MAX], yl[96];
	snprintf(desc, sizeof desc, "after each doubling of N: the half-width of the widest %sinterval "
		 "of a total index (ST) of any output and parameter", s->ci);
	dn_plot_title(tt, sizeof tt, "Sobol indices: convergence", desc);
	snprintf(yl, sizeof yl, "widest half-width of an ST interval");
	plot_mem a;
	ok = dn_plot_mem_open(&a) && ok;
	ok = ok && dn_plot_set_str(a.f, "mode", "line") && dn_plot_set_str(a.f, "title", tt) &&
	     dn_plot_set_str(a.f, "xlabel", "N (rows of the Saltelli design)") &&
	     dn_plot_set_str(a.f, "ylabel", yl) &&
	     dn_plot_set_str(a.f, "name", "widest half-width") && dn_plot_set_num(a.f, "nci", 0) &&
	     dn_plot_set_num(a.f, "nbound", 0) && dn_plot_set_num(a.f, "best", 0) &&
	     dn_plot_set_num(a.f, "logx", logx ? 1 : 0) && tp_set_axis(a.f, "xmin", "xmax", &xr, logx) &&
	     dn_plot_set_range(a.f, "ymin", "ymax", &yr);
	char *what = dn_plot_strf("the widest %sinterval half-width of a total index (ST) against N "
				  "(/tune/sobol/iteration_rows, iteration_max_halfwidth), %zu steps",
				  s->ci, ni);
	tp_queue(s, "tune_sobol_convergence", id, ok, &a, s->gp_progress, what,
		 "the Sobol indices' convergence");
out:
	free(rows);
	free(half);
}

/* A column of nv values under g (optional: NULL, noted when damaged). */
static double *tp_per_output(tp_state *s, hid_t g, const char *where, const char *name, const char *lost)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hsize_t n[1] = { s->nv };
	double *v = tp_read_num(g, name, 1, n, 0, &absent, why, sizeof why);
	if (v == NULL)
		dn_plot_note(s->r, s->notes, true, "%s/%s: %s (%s)", where, name, why, lost);
	return v;
}

/* Reads the [nv][k] arrays names[] of g into v[]; false (a note) if any
 * cannot be. */
static bool tp_read_grid(tp_state *s, hid_t g, const char *where, const char *const *names, size_t n,
			 double **v, const char *lost)
{
	char why[DN_PLOT_WHY];
	bool absent, ok = true;
	for (size_t i = 0; i < n; i++) {
		hsize_t d[2] = { s->nv, s->k };
		v[i] = tp_read_num(g, names[i], 2, d, 0, &absent, why, sizeof why);
		if (v[i] == NULL) {
			dn_plot_note(s->r, s->notes, true, "%s/%s: %s: %s", where, names[i], why, lost);
			ok = false;
		}
	}
	return ok;
}

static void tp_sobol(tp_state *s)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hid_t sg = dn_plot_open(s->tune, "sobol", H5I_GROUP, &absent, why, sizeof why);
	if (sg < 0) {
		dn_plot_note(s->r, s->notes, true, "/tune/sobol: %s: no Sobol index pictures", why);
		return;
	}
	static const char *const names[6] = { "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi" };
	double *v[6] = { NULL };
	double rows = NAN;
	(void)tp_attr_count(s, sg, "/tune/sobol", "rows", 1e15, &rows);
	if (tp_read_grid(s, sg, "/tune/sobol", names, 6, v, "no Sobol index pictures")) {
		const char *lost = "not in the titles";
		double *used = tp_per_output(s, sg, "/tune/sobol", "rows_used", lost);
		double *var = tp_per_output(s, sg, "/tune/sobol", "variance", lost);
		double *noise = tp_per_output(s, sg, "/tune/sobol", "noise_share", lost);
		for (size_t o = 0; o < s->nv; o++) {
			tp_pair p = { v[0] + o * s->k, v[1] + o * s->k, v[2] + o * s->k,
				      v[3] + o * s->k, v[4] + o * s->k, v[5] + o * s->k, { NULL, NULL },
				      v[3] + o * s->k };
			char name[DN_PLOT_NAME_MAX + 32], desc[2 * DN_PLOT_DESC_MAX], nr[48], nu[48], vr[48], ns[48];
			snprintf(name, sizeof name, "Sobol indices of %s", tp_out_label(s, o));
			tp_num_part(nr, sizeof nr, "N = %.0f", rows);
			tp_num_part(nu, sizeof nu, " (%.0f rows used)", used ? used[o] : NAN);
			tp_num_part(vr, sizeof vr, ", variance %.6g", var ? var[o] : NAN);
			tp_num_part(ns, sizeof ns, ", noise share %.3f", noise ? noise[o] : NAN);
			snprintf(desc, sizeof desc, "%s%s%s%s; bars: the estimates, whiskers: their %s"
				 "bootstrap intervals", nr[0] ? nr : "N not given", nu, vr, ns, s->ci);
			char lab[DN_PLOT_SHOW];
			char *what = dn_plot_strf("Sobol indices of %s: S1 and ST of each of the %zu "
						  "parameters (ranked by ST) with their %sintervals "
						  "(/tune/sobol/S1, S1_lo, S1_hi, ST, ST_lo, ST_hi); %s%s%s",
						  dn_plot_show(lab, sizeof lab, tp_out_label(s, o)), s->k,
						  s->ci, nr[0] ? nr : "N not given", nu, ns);
			tp_pair_chart(s, o, &p, "sobol", "# rank param S1 S1_lo S1_hi ST ST_lo ST_hi", name,
				      desc, "index (share of the output's variance)",
				      "parameter (ranked by its total index ST)", "S1 (first order)",
				      "ST (total)", "S1", "ST", true, true, what);
		}
		free(used);
		free(var);
		free(noise);
	}
	for (int c = 0; c < 6; c++)
		free(v[c]);
	if (H5Lexists(sg, "S2", H5P_DEFAULT) > 0)
		dn_plot_note(s->r, s->notes, false, "/tune/sobol/S2 (second-order indices): not drawn (dnetsim tune's "
			"report lists them)");
	H5Eclear2(H5E_DEFAULT);
	tp_sobol_convergence(s, sg);
	(void)H5Gclose(sg);
}

static void tp_morris(tp_state *s)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hid_t mg = dn_plot_open(s->tune, "morris", H5I_GROUP, &absent, why, sizeof why);
	if (mg < 0) {
		dn_plot_note(s->r, s->notes, true, "/tune/morris: %s: no Morris pictures", why);
		return;
	}
	static const char *const names[5] = { "mu_star", "mu_star_lo", "mu_star_hi", "sigma", "mu" };
	double *v[5] = { NULL };
	double traj = NAN, levels = NAN;
	(void)tp_attr_count(s, mg, "/tune/morris", "trajectories", 1e15, &traj);
	(void)tp_attr_count(s, mg, "/tune/morris", "levels", 1e15, &levels);
	hsize_t ne[1] = { (hsize_t)s->nv * s->k };
	double *eff = tp_read_num(mg, "effects", 1, ne, 0, &absent, why, sizeof why);
	if (eff == NULL)
		dn_plot_note(s->r, s->notes, true, "/tune/morris/effects: %s (not in the tables)", why);
	if (tp_read_grid(s, mg, "/tune/morris", names, 5, v, "no Morris pictures")) {
		for (size_t o = 0; o < s->nv; o++) {
			size_t at = o * s->k;
			tp_pair p = { v[0] + at, v[1] + at, v[2] + at, v[3] + at, NULL, NULL,
				      { v[4] + at, eff != NULL ? eff + at : NULL }, v[0] + at };
			char name[DN_PLOT_NAME_MAX + 32], desc[2 * DN_PLOT_DESC_MAX], tr[48], lv[48];
			snprintf(name, sizeof name, "Morris screening of %s", tp_out_label(s, o));
			tp_num_part(tr, sizeof tr, "%.0f trajectories", traj);
			tp_num_part(lv, sizeof lv, ", %.0f levels", levels);
			snprintf(desc, sizeof desc, "%s%s; ranked by mu* (the mean absolute elementary effect) "
				 "with its %sbootstrap interval; sigma beside it (large: interactions or a "
				 "non-linear effect)", tr[0] ? tr : "trajectories not given", lv, s->ci);
			char lab[DN_PLOT_SHOW];
			char *what = dn_plot_strf("Morris screening of %s: mu* of each of the %zu parameters "
						  "(ranked) with its %sinterval, and sigma "
						  "(/tune/morris/mu_star, mu_star_lo, mu_star_hi, sigma)%s%s",
						  dn_plot_show(lab, sizeof lab, tp_out_label(s, o)), s->k, s->ci,
						  tr[0] ? "; " : "", tr);
			tp_pair_chart(s, o, &p, "morris",
				      "# rank param mu_star mu_star_lo mu_star_hi sigma - - mu effects", name,
				      desc, "elementary effect (change of the output over the parameter's range)",
				      "parameter (ranked by mu*)", "mu* (mean |elementary effect|)",
				      "sigma (spread of the effects)", "mu*", "sigma", false, false, what);
		}
	}
	for (int c = 0; c < 5; c++)
		free(v[c]);
	free(eff);
	(void)H5Gclose(mg);
}

/* ---- the target search ---- */

/* A number that is a whole word of the label (strtod's, finite). */
static bool tp_num(const char *w, size_t len, double *v)
{
	char buf[64], *end;
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, w, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*v);
}

/*
 * The bound of a goal, read back from its label when that is the default
 * "<metric> <take...> <bound>" (expect.c's grammar: "< X", "<= X", "> X",
 * ">= X", "== X" (or the operator and number as one word), "between A and
 * B", "within P% of B"): the number of lines (0, 1 or 2) in b[]. The file
 * itself does not hold the bound.
 */
static int tp_bound(const char *label, const char *metric, double *b, char *text, size_t cap)
{
	size_t ml = strlen(metric);
	text[0] = '\0';
	if (ml == 0 || strncmp(label, metric, ml) != 0 || label[ml] != ' ')
		return 0;
	const char *w[8];
	size_t wl[8], n = 0;
	/* the last 8 words, last one first */
	const char *end = label + strlen(label);
	while (n < 8 && end > label + ml) {
		while (end > label + ml && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		const char *st = end;
		while (st > label + ml && st[-1] != ' ' && st[-1] != '\t')
			st--;
		if (st == end)
			break;
		w[n] = st;
		wl[n] = (size_t)(end - st);
		n++;
		end = st;
	}
	static const char *const ops[] = { "<=", ">=", "==", "<", ">" };
	double x, y;
	int nb = 0;
	const char *from = NULL;
	if (n >= 4 && wl[3] == 7 && strncmp(w[3], "between", 7) == 0 && wl[1] == 3 &&
	    strncmp(w[1], "and", 3) == 0 && tp_num(w[2], wl[2], &x) && tp_num(w[0], wl[0], &y)) {
		b[0] = x;
		b[1] = y;
		nb = 2;
		from = w[3];
	}
	/* within P% of B, within P % of B */
	for (size_t pct = 0; nb == 0 && pct < 2; pct++) {
		size_t wi = 3 + pct; /* "within" */
		if (n <= wi || wl[wi] != 6 || strncmp(w[wi], "within", 6) != 0 || wl[1] != 2 ||
		    strncmp(w[1], "of", 2) != 0 || !tp_num(w[0], wl[0], &y))
			continue;
		bool ok = pct == 0 ? wl[2] > 1 && w[2][wl[2] - 1] == '%' && tp_num(w[2], wl[2] - 1, &x)
				   : wl[2] == 1 && w[2][0] == '%' && tp_num(w[3], wl[3], &x);
		if (ok && x >= 0) {
			b[0] = y - fabs(y) * x / 100;
			b[1] = y + fabs(y) * x / 100;
			nb = 2;
			from = w[wi];
		}
	}
	for (size_t k = 0; nb == 0 && n >= 1 && k < sizeof ops / sizeof ops[0]; k++) {
		size_t ol = strlen(ops[k]);
		if (wl[0] > ol && strncmp(w[0], ops[k], ol) == 0 && tp_num(w[0] + ol, wl[0] - ol, &x)) {
			from = w[0];
		} else if (n >= 2 && wl[1] == ol && strncmp(w[1], ops[k], ol) == 0 && tp_num(w[0], wl[0], &x)) {
			from = w[1];
		} else {
			continue;
		}
		b[0] = x;
		nb = 1;
	}
	if (nb > 0)
		snprintf(text, cap, "%s", from);
	return nb;
}

typedef struct tp_target {
	size_t n, ngoals;
	double *merit, *best_merit, *violation, *unit, *mean, *lo, *hi, *reach;
	double best;   /* the best candidate's index, or -1 */
	double met, converged;
} tp_target;

static void tp_target_free(tp_target *t)
{
	free(t->merit);
	free(t->best_merit);
	free(t->violation);
	free(t->unit);
	free(t->mean);
	free(t->lo);
	free(t->hi);
	free(t->reach);
}

/* tune_search.png: the merit, and the parameters' places in their ranges. */
static void tp_search_chart(tp_state *s, const tp_target *t, const double *pmin, const double *pmax,
			    const double *plog)
{
	const char *shown = "the target search";
	if (t->unit == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: no candidates' coordinates (above)", shown);
		return;
	}
	if (s->gp_progress == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: no gnuplot script (above)", shown);
		return;
	}
	size_t n = t->n, k = s->k;
	bool logy = true;
	plot_range yr1 = { 0, 0, false }, yr2 = { 0, 0, false }, xr = { 0, 0, false };
	for (size_t c = 0; c < n; c++) {
		double m[2] = { t->merit[c], t->best_merit != NULL ? t->best_merit[c] : NAN };
		for (int e = 0; e < 2; e++)
			logy = logy && (!isfinite(m[e]) || m[e] > 0);
	}
	unsigned id = s->r->next_id++;
	FILE *f = dn_plot_job_table(s->r, id);
	errno = 0;
	bool ok = f != NULL && fputs("# candidate merit best_merit violation unit_1..unit_k\n", f) >= 0;
	for (size_t c = 0; ok && c < n; c++) {
		double bm = t->best_merit != NULL ? t->best_merit[c] : NAN;
		double vi = t->violation != NULL ? t->violation[c] : NAN;
		dn_plot_range_add(&xr, (double)(c + 1));
		dn_plot_range_add(&yr1, t->merit[c]);
		dn_plot_range_add(&yr1, bm);
		ok = dn_plot_put(f, (double)(c + 1), 0, true) && dn_plot_put(f, t->merit[c], 0, false) &&
		     dn_plot_put(f, bm, 0, false) && dn_plot_put(f, vi, 0, false);
		for (size_t j = 0; ok && j < k; j++) {
			dn_plot_range_add(&yr2, t->unit[c * k + j]);
			ok = dn_plot_put(f, t->unit[c * k + j], 0, false);
		}
		ok = ok && fputc('\n', f) != EOF;
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	dn_plot_range_add(&yr2, 0);
	dn_plot_range_add(&yr2, 1);
	if (n == 1) {
		dn_plot_range_add(&xr, 0);
		dn_plot_range_add(&xr, 2);
	}
	/* legend: "name [min, max]" (", log" for a log-uniform range) */
	char *extra[TP_MAX_PARAMS] = { NULL };
	size_t longest = 12; /* "each candidate" */
	for (size_t j = 0; j < k; j++) {
		if (pmin != NULL && pmax != NULL)
			extra[j] = dn_plot_strf(" [%.4g, %.4g%s]", pmin[j], pmax[j],
						plog != NULL && plog[j] != 0 ? ", log" : "");
		size_t len = strnlen(s->pname[j], TP_LABEL_MAX) + (extra[j] != NULL ? strlen(extra[j]) : 0);
		longest = len > longest ? len : longest;
	}
	char name[DN_PLOT_NAME_MAX], desc[2 * DN_PLOT_DESC_MAX], bs[64] = "";
	if (t->best >= 0)
		snprintf(bs, sizeof bs, "; the best, candidate %.0f, marked", t->best + 1);
	snprintf(name, sizeof name, "target search: %zu candidates%s%s", n,
		 t->met == 1 ? ", the goals met" : t->met == 0 ? ", the goals not met" : "",
		 t->converged == 1 ? ", converged" : "");
	snprintf(desc, sizeof desc, "above: each candidate's merit (lower is better: the goals' "
		 "shortfalls, then the objective) and the best so far%s; below: each parameter's place in "
		 "its range%s", logy ? " (log scale)" : "", bs);
	char tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16];
	dn_plot_title(tt, sizeof tt, name, desc);
	plot_mem a;
	ok = dn_plot_mem_open(&a) && ok;
	ok = ok && dn_plot_set_str(a.f, "mode", "search") && dn_plot_set_str(a.f, "title", tt) &&
	     dn_plot_set_str(a.f, "xlabel", "candidate") && dn_plot_set_num(a.f, "npar", (double)k) &&
	     dn_plot_set_num(a.f, "best", t->best >= 0 ? t->best + 1 : 0) &&
	     dn_plot_set_str(a.f, "ylabel1", "merit (lower is better)") && dn_plot_set_num(a.f, "logy1", logy) &&
	     tp_set_axis(a.f, "ymin1", "ymax1", &yr1, logy) &&
	     dn_plot_set_str(a.f, "ylabel2", "place in the range (0: min, 1: max)") &&
	     dn_plot_set_range(a.f, "ymin2", "ymax2", &yr2) &&
	     dn_plot_set_range(a.f, "xmin", "xmax", &xr) &&
	     dn_plot_set_num(a.f, "rmarg", (double)(longest + 8)) &&
	     tp_set_labels(s, a.f, NULL, k, (const char *const *)extra);
	for (size_t j = 0; j < k; j++)
		free(extra[j]);
	char *what = dn_plot_strf("the target search over its %zu candidates: each one's merit and the "
				  "best so far (/tune/target/merit, best_merit), and each parameter's "
				  "place in its range (/tune/target/unit)%s", n, bs);
	tp_queue(s, "tune_search", id, ok, &a, s->gp_progress, what, shown);
}

/* tune_target_<metric>.png: output i's mean over the candidates. */
static void tp_goal_chart(tp_state *s, const tp_target *t, size_t i)
{
	char shown[DN_PLOT_SHOW + 32], lab[DN_PLOT_SHOW], part[TP_FILE_KEEP + 16], base[DN_PLOT_NAME_MAX];
	bool goal = i < t->ngoals;
	snprintf(shown, sizeof shown, "%s %s", goal ? "goal" : "the objective",
		 dn_plot_show(lab, sizeof lab, tp_out_label(s, i)));
	if (s->gp_progress == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s not drawn: no gnuplot script (above)", shown);
		return;
	}
	size_t n = t->n, nv = s->nv, nci = 0, nval = 0;
	double b[2] = { NAN, NAN };
	char btext[DN_PLOT_NAME_MAX];
	int nb = goal ? tp_bound(s->olabel[i], s->ometric[i], b, btext, sizeof btext) : 0;
	if (goal && nb == 0)
		dn_plot_note(s->r, s->notes, false, "goal %s: its bound is not drawn (the file does not hold it, and the "
			"label is not the default '<metric> <take> <bound>')", lab);
	plot_range xr = { 0, 0, false }, yr = { 0, 0, false };
	unsigned id = s->r->next_id++;
	FILE *f = dn_plot_job_table(s->r, id);
	errno = 0;
	bool ok = f != NULL && fputs("# candidate mean lo hi\n", f) >= 0;
	for (size_t c = 0; ok && c < n; c++) {
		double m = t->mean[c * nv + i], lo = t->lo ? t->lo[c * nv + i] : NAN;
		double hi = t->hi ? t->hi[c * nv + i] : NAN;
		if (!isfinite(lo) || !isfinite(hi))
			lo = hi = NAN;
		else
			nci++;
		nval += isfinite(m);
		dn_plot_range_add(&xr, (double)(c + 1));
		dn_plot_range_add(&yr, m);
		dn_plot_range_add(&yr, lo);
		dn_plot_range_add(&yr, hi);
		ok = dn_plot_put(f, (double)(c + 1), 0, true) && dn_plot_put(f, m, 0, false) &&
		     dn_plot_put(f, lo, 0, false) && dn_plot_put(f, hi, 0, false) && fputc('\n', f) != EOF;
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (nval == 0) {
		char *tab = dn_plot_strf("%s/d%u.dat", s->r->work, id);
		if (tab != NULL)
			(void)unlink(tab);
		free(tab);
		dn_plot_note(s->r, s->notes, false, "%s not drawn: no candidate has a mean", shown);
		return;
	}
	for (int e = 0; e < nb; e++)
		dn_plot_range_add(&yr, b[e]);
	if (n == 1) {
		dn_plot_range_add(&xr, 0);
		dn_plot_range_add(&xr, 2);
	}
	char name[DN_PLOT_NAME_MAX + 32], desc[2 * DN_PLOT_DESC_MAX], rs[64] = "", bs[64] = "";
	snprintf(name, sizeof name, "%s %s: the mean over the candidates", goal ? "goal" : "objective",
		 tp_out_label(s, i));
	/* reach: the value of the candidate closest to the goal (the first to
	 * meet it, when one did): said when the search did not meet the goals */
	if (goal && t->met != 1 && t->reach != NULL && isfinite(t->reach[i]))
		snprintf(rs, sizeof rs, "; the closest any candidate came: %.6g", t->reach[i]);
	if (t->best >= 0)
		snprintf(bs, sizeof bs, "; the best candidate (%.0f) marked", t->best + 1);
	snprintf(desc, sizeof desc, "each candidate's ensemble mean with its %sinterval%s%s%s",
		 s->ci, nb > 0 ? "; the bound dashed" : "", rs, bs);
	char tt[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16], ci[64], bn[DN_PLOT_NAME_MAX + 16];
	dn_plot_title(tt, sizeof tt, name, desc);
	snprintf(ci, sizeof ci, "%sinterval of the mean", s->ci);
	char bl[DN_PLOT_NAME_MAX];
	dn_plot_label(bl, sizeof bl, btext);
	snprintf(bn, sizeof bn, "bound: %s", bl);
	plot_mem a;
	ok = dn_plot_mem_open(&a) && ok;
	ok = ok && dn_plot_set_str(a.f, "mode", "line") && dn_plot_set_str(a.f, "title", tt) &&
	     dn_plot_set_str(a.f, "xlabel", "candidate") && dn_plot_set_str(a.f, "ylabel", "mean of the output") &&
	     dn_plot_set_str(a.f, "name", "mean") && dn_plot_set_str(a.f, "ciname", ci) &&
	     dn_plot_set_num(a.f, "nci", (double)nci) && dn_plot_set_num(a.f, "band", n > TP_BAND_ROWS) &&
	     dn_plot_set_num(a.f, "nbound", nb) && dn_plot_set_str(a.f, "boundname", bn) &&
	     (nb < 1 || dn_plot_set_num(a.f, "bound1", b[0])) &&
	     (nb < 2 || dn_plot_set_num(a.f, "bound2", b[1])) &&
	     dn_plot_set_num(a.f, "best", t->best >= 0 ? t->best + 1 : 0) && dn_plot_set_num(a.f, "logx", 0) &&
	     dn_plot_set_range(a.f, "xmin", "xmax", &xr) && dn_plot_set_range(a.f, "ymin", "ymax", &yr);
	tp_file_part(part, sizeof part, s->ometric[i], i);
	snprintf(base, sizeof base, "tune_target_%s", part);
	char bound_show[DN_PLOT_SHOW];
	char *what = dn_plot_strf("%s: each candidate's mean with its %sinterval "
				  "(/tune/target/mean, mean_lo, mean_hi)%s%s", shown, s->ci,
				  nb > 0 ? "; the bound " : "",
				  nb > 0 ? dn_plot_show(bound_show, sizeof bound_show, btext) : "");
	tp_queue(s, base, id, ok, &a, s->gp_progress, what, shown);
}

static void tp_target_kind(tp_state *s)
{
	char why[DN_PLOT_WHY];
	bool absent;
	const char *w = "/tune/target";
	hid_t tg = dn_plot_open(s->tune, "target", H5I_GROUP, &absent, why, sizeof why);
	if (tg < 0) {
		dn_plot_note(s->r, s->notes, true, "%s: %s: no target pictures", w, why);
		return;
	}
	tp_target t;
	memset(&t, 0, sizeof t);
	t.best = -1;
	t.met = t.converged = NAN;
	double *pmin = NULL, *pmax = NULL, *plog = NULL;
	hsize_t d1[1] = { TP_ANY }, d2[2];
	t.merit = tp_read_num(tg, "merit", 1, d1, TP_MAX_CANDIDATES, &absent, why, sizeof why);
	if (t.merit == NULL) {
		dn_plot_note(s->r, s->notes, true, "%s/merit: %s: no target pictures", w, why);
		goto out;
	}
	t.n = (size_t)d1[0];
	if (t.n == 0) {
		dn_plot_note(s->r, s->notes, false, "the target search has no candidate: nothing to draw");
		goto out;
	}
	static const char *const opt[2] = { "best_merit", "violation" };
	double **optv[2] = { &t.best_merit, &t.violation };
	for (int e = 0; e < 2; e++) {
		d1[0] = t.n;
		*optv[e] = tp_read_num(tg, opt[e], 1, d1, 0, &absent, why, sizeof why);
		if (*optv[e] == NULL)
			dn_plot_note(s->r, s->notes, true, "%s/%s: %s (drawn without it)", w, opt[e], why);
	}
	d2[0] = t.n;
	d2[1] = s->k;
	t.unit = tp_read_num(tg, "unit", 2, d2, 0, &absent, why, sizeof why);
	if (t.unit == NULL)
		dn_plot_note(s->r, s->notes, true, "%s/unit: %s: no picture of the parameters", w, why);
	static const char *const mn[3] = { "mean", "mean_lo", "mean_hi" };
	double **mv[3] = { &t.mean, &t.lo, &t.hi };
	for (int e = 0; e < 3; e++) {
		d2[0] = t.n;
		d2[1] = s->nv;
		*mv[e] = tp_read_num(tg, mn[e], 2, d2, 0, &absent, why, sizeof why);
		if (*mv[e] == NULL)
			dn_plot_note(s->r, s->notes, true, "%s/%s: %s%s", w, mn[e], why,
				e == 0 ? ": no pictures of the goals" : " (drawn without intervals)");
	}
	if (t.lo == NULL || t.hi == NULL) {
		free(t.lo);
		free(t.hi);
		t.lo = t.hi = NULL;
	}
	/* the goals: every output, or all but the last (the objective) */
	d1[0] = TP_ANY;
	t.reach = tp_read_num(tg, "reach", 1, d1, s->nv, &absent, why, sizeof why);
	if (t.reach != NULL && d1[0] + 1 < s->nv) {
		snprintf(why, sizeof why, "%" PRIu64 " goals for %zu outputs (the goals, then at most one "
			 "objective)", (uint64_t)d1[0], s->nv);
		free(t.reach);
		t.reach = NULL;
	}
	t.ngoals = t.reach != NULL ? (size_t)d1[0] : s->nv;
	if (t.reach == NULL)
		dn_plot_note(s->r, s->notes, true, "%s/reach: %s (every output drawn as a goal)", w, why);
	double best = NAN;
	if (tp_attr_count(s, tg, w, "best", (double)t.n, &best) && !isfinite(best))
		dn_plot_note(s->r, s->notes, false, "%s @best: not given: no candidate marked as the best", w);
	t.best = isfinite(best) ? best : -1;
	(void)tp_attr_count(s, tg, w, "met", 2, &t.met);
	(void)tp_attr_count(s, tg, w, "converged", 2, &t.converged);
	/* the ranges, for the legend */
	static const char *const rn[3] = { "param_min", "param_max", "param_log" };
	double **rv[3] = { &pmin, &pmax, &plog };
	for (int e = 0; e < 3; e++) {
		d1[0] = s->k;
		*rv[e] = tp_read_num(s->tune, rn[e], 1, d1, 0, &absent, why, sizeof why);
		if (*rv[e] == NULL)
			dn_plot_note(s->r, s->notes, true, "/tune/%s: %s (the legend shows no ranges)", rn[e], why);
	}
	tp_search_chart(s, &t, pmin, pmax, plog);
	for (size_t i = 0; t.mean != NULL && i < s->nv; i++)
		tp_goal_chart(s, &t, i);
out:
	free(pmin);
	free(pmax);
	free(plog);
	tp_target_free(&t);
	(void)H5Gclose(tg);
}

/* ---- the whole ---- */

/* A script's absolute path (gnuplot runs in the work folder); NULL with a
 * note if it cannot be read. */

/* What every kind needs: the kind, the parameters' and outputs' names.
 * false (a note) when the file cannot be drawn at all. */
static bool tp_core(tp_state *s)
{
	char why[DN_PLOT_WHY], shown[DN_PLOT_SHOW];
	bool absent;
	hid_t cfg = dn_plot_open(s->f, "config", H5I_GROUP, &absent, why, sizeof why);
	if (cfg < 0) {
		dn_plot_note(s->r, s->notes, true, "/config: %s: the kind of tuning is not known, nothing is drawn", why);
		return false;
	}
	bool ok = dn_plot_attr(cfg, "kind", s->kind, sizeof s->kind);
	if (!ok || (strcmp(s->kind, "screen") != 0 && strcmp(s->kind, "sensitivity") != 0 &&
		    strcmp(s->kind, "target") != 0)) {
		if (ok)
			dn_plot_note(s->r, s->notes, true, "/config @kind: '%s': not screen, sensitivity or target, nothing is "
				"drawn", dn_plot_show(shown, sizeof shown, s->kind));
		else
			dn_plot_note(s->r, s->notes, true, "/config @kind: not one string, nothing is drawn");
		(void)H5Gclose(cfg);
		return false;
	}
	double conf = NAN;
	int rc = tp_attr_num(cfg, "confidence", &conf, why, sizeof why);
	if (rc == 1 && conf > 0 && conf < 1)
		snprintf(s->ci, sizeof s->ci, "%.4g%% ", conf * 100); /* no space: one word when wrapped */
	else if (rc != 0)
		dn_plot_note(s->r, s->notes, true, "/config @confidence: %s (the intervals' level is not shown)",
			rc < 0 ? why : "not between 0 and 1");
	(void)H5Gclose(cfg);
	s->tune = dn_plot_open(s->f, "tune", H5I_GROUP, &absent, why, sizeof why);
	if (s->tune < 0) {
		dn_plot_note(s->r, s->notes, true, "/tune: %s: nothing is drawn", why);
		return false;
	}
	hsize_t k = TP_ANY, nv = TP_ANY;
	s->pname = tp_read_strs(s->tune, "param_names", &k, TP_MAX_PARAMS, why, sizeof why);
	if (s->pname == NULL || k == 0) {
		dn_plot_note(s->r, s->notes, true, "/tune/param_names: %s: nothing is drawn", s->pname ? "no parameter" : why);
		return false;
	}
	s->k = (size_t)k;
	s->olabel = tp_read_strs(s->tune, "output_labels", &nv, TP_MAX_OUTPUTS, why, sizeof why);
	if (s->olabel == NULL || nv == 0) {
		dn_plot_note(s->r, s->notes, true, "/tune/output_labels: %s: nothing is drawn", s->olabel ? "no output" : why);
		return false;
	}
	s->nv = (size_t)nv;
	s->ometric = tp_read_strs(s->tune, "output_metrics", &nv, 0, why, sizeof why);
	if (s->ometric == NULL) {
		dn_plot_note(s->r, s->notes, true, "/tune/output_metrics: %s: nothing is drawn", why);
		return false;
	}
	double runs = NAN, failed = NAN;
	(void)tp_attr_count(s, s->tune, "/tune", "member_runs", 1e15, &runs);
	(void)tp_attr_count(s, s->tune, "/tune", "members_failed", 1e15, &failed);
	s->runs = runs;
	s->failed = failed;
	return true;
}

static void tp_index(tp_state *s)
{
	char shown[DN_PLOT_SHOW];
	char *head = NULL;
	size_t head_len = 0;
	FILE *h = open_memstream(&head, &head_len);
	if (h != NULL) {
		fprintf(h, "# dnetsim plot: the pictures of the tune file %s\n",
			dn_plot_show(shown, sizeof shown, s->file));
		fprintf(h, "# kind %s: %zu parameter(s), %zu output(s)", s->kind[0] ? s->kind : "(not known)",
			s->k, s->nv);
		if (isfinite(s->runs))
			fprintf(h, "; %.0f member runs", s->runs);
		if (isfinite(s->failed))
			fprintf(h, ", %.0f failed", s->failed);
		fprintf(h, "\n# parameters:");
		for (size_t j = 0; j < s->k; j++)
			fprintf(h, "%s %s", j > 0 ? "," : "", dn_plot_show(shown, sizeof shown, s->pname[j]));
		fprintf(h, "%s\n# outputs:", s->k ? "" : " none");
		for (size_t o = 0; o < s->nv; o++)
			fprintf(h, "%s %s", o > 0 ? "," : "", dn_plot_show(shown, sizeof shown, s->olabel[o]));
		fprintf(h, "%s\n", s->nv ? "" : " none");
		if (fclose(h) != 0) {
			free(head);
			head = NULL;
		}
	}
	dn_plot_index_write(s->r, head, s->chart, s->nchart, s->notes, (const char *const *)&s->notes_buf,
			    &s->notes_len);
	free(head);
}

bool dn_plot_is_tune(hid_t f)
{
	char why[DN_PLOT_WHY];
	bool absent;
	hid_t g = dn_plot_open(f, "tune", H5I_GROUP, &absent, why, sizeof why);
	if (g >= 0)
		(void)H5Gclose(g);
	H5Eclear2(H5E_DEFAULT);
	return g >= 0;
}

void dn_plot_tune(plot_run *r, hid_t f, const char *file, const char *adir)
{
	tp_state *s = calloc(1, sizeof *s);
	if (s == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		r->not_drawn++;
		return;
	}
	s->r = r;
	s->f = f;
	s->file = file;
	s->tune = H5I_INVALID_HID;
	s->notes = open_memstream(&s->notes_buf, &s->notes_len);
	if (s->notes == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		r->not_drawn++;
		goto out;
	}
	s->gp_indices = dn_plot_script_path(s->r, s->notes, adir, tp_gp_indices);
	s->gp_progress = dn_plot_script_path(s->r, s->notes, adir, tp_gp_progress);
	if (tp_core(s)) {
		if (strcmp(s->kind, "sensitivity") == 0)
			tp_sobol(s);
		else if (strcmp(s->kind, "screen") == 0)
			tp_morris(s);
		else
			tp_target_kind(s);
	}
	dn_plot_flush(r);
	tp_index(s);
out:
	for (size_t i = 0; i < s->nchart; i++)
		free(s->chart[i].what);
	dn_plot_strs_free(s->pname, s->k);
	dn_plot_strs_free(s->olabel, s->nv);
	dn_plot_strs_free(s->ometric, s->nv);
	if (s->notes != NULL)
		(void)fclose(s->notes);
	free(s->notes_buf);
	free(s->gp_indices);
	free(s->gp_progress);
	if (s->tune >= 0)
		(void)H5Gclose(s->tune);
	free(s);
}
