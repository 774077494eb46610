/*
 * tune.c: `dnetsim tune FILE`: the scenario's `tune:` block (screen,
 * sensitivity or target; sim/engine/tune.h), every evaluation a member of
 * a sweep (docs/tuning.md is the reference).
 *
 * Each stage of a tuning (the Morris design, a doubling of the Saltelli
 * design, one candidate of the target search) is a sweep: a scenario file
 * written into OUT.d/ that includes FILE and lists the stage's points
 * (design: points, the tuning's seed, `seeds: common` by default), run by
 * `dnetsim sweep` in a child process, on this machine (--jobs) or through
 * a launcher (--launcher "mpirun -n 16": the sweep's ranks share the
 * members). What each member gave is kept as text beside the stage
 * (stage-NNN.values) and its results files are removed, so a tuning that
 * is interrupted resumes from its finished stages, and a stage is never
 * run twice. A failed member is run once more (--resume); what still
 * fails is left out of the estimates, and the report says how many and
 * what that did. The results (every point, member value and estimate)
 * go to one HDF5 file, written whole and renamed into place.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <hdf5.h>

#include "cli.h"
#include "common.h"
#include "models.h"
#include "results.h"
#include "sweepfile.h"
#include "tune.h"

enum { TN_PATH = 4096, TN_LAUNCH_WORDS = 32 };

static volatile sig_atomic_t tn_stop;

static void tn_on_signal(int sig)
{
	(void)sig;
	tn_stop = 1;
}

typedef struct tn_opts {
	const char *file, *out, *launcher;
	uint64_t jobs, threads;
	bool force, quiet;
	dn_cli_sets sets;
} tn_opts;

/* Everything evaluated so far: points (unit coordinates) and, per point,
 * its replicates' values of every output (goals, then the objective). */
typedef struct tn_run {
	const tn_opts *o;
	const dn_tune *t;
	const dn_cli_registry *cr;
	char file[TN_PATH], work[TN_PATH + 8], self[TN_PATH];
	size_t nv;          /* values per member: n_out (+1 objective) */
	size_t np, cap;     /* points */
	double *u;          /* np * k */
	uint32_t *stage;    /* np */
	double *val;        /* np * R * nv, NaN where a member failed */
	uint8_t *ok;        /* np * R: the member completed */
	uint64_t n_stages, runs, failed, retried;
	char first_failure[640];
	double wall0;
} tn_run;

static void say(const tn_run *T, const char *fmt, ...) DN_PRINTF(2, 3);
static void say(const tn_run *T, const char *fmt, ...)
{
	if (T->o->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- the stages ---- */

static bool grow(tn_run *T, size_t n)
{
	size_t need = T->np + n, k = T->t->k, R = T->t->replicates;
	if (need <= T->cap)
		return true;
	size_t cap = T->cap ? T->cap : 64;
	while (cap < need)
		cap *= 2;
	double *u = realloc(T->u, cap * k * sizeof *u);
	if (u)
		T->u = u;
	uint32_t *st = realloc(T->stage, cap * sizeof *st);
	if (st)
		T->stage = st;
	double *v = realloc(T->val, cap * R * T->nv * sizeof *v);
	if (v)
		T->val = v;
	uint8_t *ok = realloc(T->ok, cap * R * sizeof *ok);
	if (ok)
		T->ok = ok;
	if (!u || !st || !v || !ok)
		return false;
	T->cap = cap;
	return true;
}

static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[TN_PATH + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	bool ok = fwrite(text, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The stage's sweep file: FILE included, the points listed. */
static char *stage_yaml(const tn_run *T, uint64_t st, const double *u, size_t n, size_t *len)
{
	const dn_tune *t = T->t;
	size_t cap = 1024 + n * t->k * 96, used = 0;
	char *b = malloc(cap);
	if (!b)
		return NULL;
#define PUT(...) used += (size_t)snprintf(b + used, cap - used, __VA_ARGS__)
	PUT("# dnetsim tune: stage %" PRIu64 " of the %s tuning of %s (docs/tuning.md).\n"
	    "# Written by the tuning; `dnetsim sweep` runs it.\n",
	    st, dn_tune_kind_name(t->kind), T->file);
	PUT("include: '");
	for (const char *c = T->file; *c; c++)
		PUT(*c == '\'' ? "''" : "%c", *c);
	PUT("'\nsweep:\n  design: points\n  seed: %" PRIu64 "\n  seeds: %s\n  replicates: %" PRIu64 "\n  points:\n",
	    t->seed, t->common ? "common" : "member", t->replicates);
	for (size_t p = 0; p < n; p++) {
		PUT("    - {");
		for (size_t j = 0; j < t->k; j++) {
			char v[48];
			dn_tune_value_text(t, j, u[p * t->k + j], v, sizeof v);
			PUT("%s%s: %s", j ? ", " : "", t->p[j].def->name, v);
		}
		PUT("}\n");
	}
#undef PUT
	*len = used;
	return b;
}

/* Splits the launcher into words (no quoting: words are separated by spaces). */
static size_t launcher_words(const char *l, char *buf, size_t len, char **w)
{
	size_t n = 0;
	if (!l)
		return 0;
	snprintf(buf, len, "%s", l);
	for (char *tok = strtok(buf, " \t"); tok && n < TN_LAUNCH_WORDS; tok = strtok(NULL, " \t"))
		w[n++] = tok;
	return n;
}

/* Runs `dnetsim sweep` on the stage: exit code of the sweep (-1: not run). */
static int run_sweep(const tn_run *T, const char *yaml, const char *out, const char *log, bool resume)
{
	const tn_opts *o = T->o;
	char lbuf[1024], *lw[TN_LAUNCH_WORDS];
	size_t nl = launcher_words(o->launcher, lbuf, sizeof lbuf, lw);
	size_t n_sets = o->sets.n + T->t->n_sets;
	char **argv = calloc(nl + 24 + 2 * n_sets, sizeof *argv);
	if (!argv)
		return -1;
	char jobs[32], threads[32];
	int a = 0;
	for (size_t i = 0; i < nl; i++)
		argv[a++] = lw[i];
	argv[a++] = (char *)T->self;
	argv[a++] = "sweep";
	argv[a++] = (char *)yaml;
	argv[a++] = "--out";
	argv[a++] = (char *)out;
	argv[a++] = "--keep-members";
	argv[a++] = "--series";
	argv[a++] = "none";
	argv[a++] = "--quiet";
	argv[a++] = resume ? "--resume" : "--force";
	snprintf(threads, sizeof threads, "%" PRIu64, o->threads ? o->threads : 1);
	argv[a++] = "--threads";
	argv[a++] = threads;
	if (o->jobs) {
		snprintf(jobs, sizeof jobs, "%" PRIu64, o->jobs);
		argv[a++] = "--jobs";
		argv[a++] = jobs;
	}
	for (size_t i = 0; i < o->sets.n; i++) {
		argv[a++] = "--set";
		argv[a++] = (char *)o->sets.v[i];
	}
	for (size_t i = 0; i < T->t->n_sets; i++) {
		argv[a++] = "--set";
		argv[a++] = T->t->sets[i];
	}
	argv[a] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(argv);
		return -1;
	}
	if (pid == 0) {
		FILE *lf = freopen(log, "a", stdout);
		if (lf)
			dup2(fileno(stdout), STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "dnetsim tune: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const dn_expectation *metric_of(const tn_run *T, size_t v)
{
	return v < T->t->n_out ? &T->t->out[v] : &T->t->objective;
}

/* Member m's /members/reason in the sweep file at path ("" if none). */
static void member_reason(const char *path, size_t m, char *buf, size_t len)
{
	buf[0] = '\0';
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return;
	hid_t d = H5Dopen2(f, "members/reason", H5P_DEFAULT);
	hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
	hsize_t n = 0, one = 1, at = m;
	if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &n, NULL) == 1 && m < n) {
		hid_t ty = H5Tcopy(H5T_C_S1);
		H5Tset_size(ty, H5T_VARIABLE);
		hid_t ms = H5Screate_simple(1, &one, NULL);
		char *r = NULL;
		if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, &at, NULL, &one, NULL) >= 0 &&
		    H5Dread(d, ty, ms, sp, H5P_DEFAULT, &r) >= 0 && r) {
			snprintf(buf, len, "%s", r);
			H5free_memory(r);
		}
		H5Sclose(ms);
		H5Tclose(ty);
	}
	if (sp >= 0)
		H5Sclose(sp);
	if (d >= 0)
		H5Dclose(d);
	H5Fclose(f);
}

/* Reads member m's values (nv of them) from its results file; false when
 * it has none (the member failed). A metric it cannot take is an error
 * (*hard, why). */
static bool read_member(const tn_run *T, const char *path, double *v, bool *hard, char *why, size_t whylen)
{
	dn_series_data *sd = NULL;
	dn_summary_val *sv = NULL;
	size_t ns = 0, nsum = 0;
	char err[512];
	struct stat stt;
	if (stat(path, &stt) != 0)
		return false;
	bool need_series = false;
	for (size_t i = 0; i < T->nv; i++)
		need_series = need_series || metric_of(T, i)->series || !metric_of(T, i)->checked;
	if ((need_series && dn_results_read_series(path, &sd, &ns, err, sizeof err)) ||
	    dn_results_read_summaries(path, &sv, &nsum, err, sizeof err)) {
		snprintf(why, whylen, "%s", err);
		dn_series_data_free(sd, ns);
		free(sv);
		return false;
	}
	for (size_t i = 0; i < T->nv; i++) {
		dn_xnum x;
		const char *desc = NULL;
		char w[300];
		int r = dn_expect_take_run(metric_of(T, i), sd, ns, sv, nsum, &x, &desc, w, sizeof w);
		v[i] = r == DN_TAKE_OK ? x.d : NAN;
		if (r == DN_TAKE_ERR) {
			*hard = true;
			snprintf(why, whylen, "%s", w);
		}
	}
	dn_series_data_free(sd, ns);
	free(sv);
	return true;
}

/* The stage's kept values: "member status v..." lines. */
static bool load_values(tn_run *T, const char *path, size_t p0, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t R = T->t->replicates, got = 0;
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		char *s = line, *end;
		unsigned long long m = strtoull(s, &end, 10);
		if (end == s || m >= n * R)
			break;
		s = end;
		long st = strtol(s, &end, 10);
		s = end;
		size_t at = (p0 + m / R) * R + m % R;
		T->ok[at] = st == 1;
		for (size_t i = 0; i < T->nv; i++) {
			T->val[at * T->nv + i] = strtod(s, &end);
			s = end;
		}
		got++;
	}
	fclose(f);
	return got == n * R;
}

static int save_values(const tn_run *T, const char *path, size_t p0, size_t n)
{
	size_t R = T->t->replicates, cap = 128 + n * R * (24 + 26 * T->nv), used = 0;
	char *b = malloc(cap);
	if (!b)
		return -1;
	used += (size_t)snprintf(b, cap, "# member status(1 complete, 2 failed) values of the tuning's metrics\n");
	for (size_t m = 0; m < n * R; m++) {
		size_t at = (p0 + m / R) * R + m % R;
		used += (size_t)snprintf(b + used, cap - used, "%zu %d", m, T->ok[at] ? 1 : 2);
		for (size_t i = 0; i < T->nv; i++)
			used += (size_t)snprintf(b + used, cap - used, " %.17g", T->val[at * T->nv + i]);
		used += (size_t)snprintf(b + used, cap - used, "\n");
	}
	int rc = write_file(path, b, used);
	free(b);
	return rc;
}

/* One sweep of a stage: points p0 .. p0+n-1 (already appended), in files
 * named by `name` ("stage-0003" or "stage-0003.002"). */
static int run_part(tn_run *T, uint64_t st, const char *name, size_t p0, size_t n)
{
	const dn_tune *t = T->t;
	size_t R = t->replicates;
	const double *u = &T->u[p0 * t->k];
	char yaml[TN_PATH + 64], out[TN_PATH + 64], vals[TN_PATH + 64], log[TN_PATH + 64], mdir[TN_PATH + 80];
	snprintf(yaml, sizeof yaml, "%s/%s.yaml", T->work, name);
	snprintf(out, sizeof out, "%s/%s.h5", T->work, name);
	snprintf(vals, sizeof vals, "%s/%s.values", T->work, name);
	snprintf(log, sizeof log, "%s/%s.log", T->work, name);
	snprintf(mdir, sizeof mdir, "%s.d", out);
	size_t len;
	char *text = stage_yaml(T, st, u, n, &len);
	if (!text)
		return 1;
	/* a finished stage of an interrupted tuning: the same points, its values kept */
	char *old = NULL;
	FILE *f = fopen(yaml, "r");
	if (f) {
		old = calloc(1, len + 2);
		if (old && fread(old, 1, len + 1, f) != len)
			old[0] = '\0';
		fclose(f);
	}
	bool same = old && memcmp(old, text, len) == 0;
	free(old);
	if (same && load_values(T, vals, p0, n)) {
		free(text);
		T->runs += n * R;
		for (size_t m = 0; m < n * R; m++)
			T->failed += !T->ok[p0 * R + m];
		return 0;
	}
	unlink(vals);
	if (write_file(yaml, text, len) != 0) {
		fprintf(stderr, "dnetsim tune: cannot write %s: %s\n", yaml, strerror(errno));
		free(text);
		return 1;
	}
	free(text);
	/* an interrupted sweep of the same points: its finished members stay */
	struct stat ost0;
	int code = run_sweep(T, yaml, out, log, same && stat(out, &ost0) == 0);
	if (code != DN_EXIT_OK && code != DN_EXIT_USAGE && !tn_stop) {
		/* a failed member, or a sweep that could not start, gets one more
		 * try (a node that died, a full disk, a binary being replaced) */
		struct stat ost;
		T->retried++;
		code = run_sweep(T, yaml, out, log, stat(out, &ost) == 0);
	}
	if (tn_stop) {
		fprintf(stderr, "dnetsim tune: interrupted in stage %" PRIu64 "; run the same command again to resume "
		        "(finished stages are kept in %s)\n", st, T->work);
		return 1;
	}
	if (code != DN_EXIT_OK && code != DN_EXIT_FAIL) {
		fprintf(stderr, "dnetsim tune: stage %" PRIu64 "'s sweep could not run (exit %d); its log is %s\n", st,
		        code, log);
		return 1;
	}
	T->runs += n * R;
	int rc = 0;
	for (size_t m = 0; m < n * R; m++) {
		char mp[TN_PATH + 128], why[512] = "";
		bool hard = false;
		snprintf(mp, sizeof mp, "%s/m%06zu.h5", mdir, m);
		size_t at = p0 * R + m;
		T->ok[at] = read_member(T, mp, &T->val[at * T->nv], &hard, why, sizeof why);
		if (hard) {
			fprintf(stderr, "dnetsim tune: %s member %zu: %s\n", name, m, why);
			rc = 2;
			break;
		}
		if (!T->ok[at]) {
			for (size_t i = 0; i < T->nv; i++)
				T->val[at * T->nv + i] = NAN;
			T->failed++;
			if (!T->first_failure[0]) {
				char why2[400];
				H5E_BEGIN_TRY { member_reason(out, m, why2, sizeof why2); } H5E_END_TRY;
				snprintf(T->first_failure, sizeof T->first_failure, "%s member %zu: %s", name, m,
				         why2[0] ? why2 : "(no reason recorded; see the stage's log)");
			}
		}
	}
	if (rc == 0 && save_values(T, vals, p0, n) != 0) {
		fprintf(stderr, "dnetsim tune: cannot write %s: %s\n", vals, strerror(errno));
		return 1;
	}
	if (rc == 0)
		dn_cli_remove_tree(mdir); /* the values are kept: the members' files are not needed */
	return rc;
}

/* Points per sweep: a sweep loads its file once per member, and the file
 * lists every point, so a stage of thousands of points runs as several. */
enum { TN_PART_POINTS = 256 };

/*
 * Evaluates n points (unit coordinates u) as one stage: appends them and
 * their members' values. 0; 1 interrupted or the sweep could not run
 * (message printed); 2 a metric cannot be taken (message printed).
 */
static int run_stage(tn_run *T, const double *u, size_t n)
{
	const dn_tune *t = T->t;
	if (!grow(T, n))
		return 1;
	uint64_t st = ++T->n_stages;
	size_t p0 = T->np;
	memcpy(&T->u[p0 * t->k], u, n * t->k * sizeof *u);
	for (size_t p = 0; p < n; p++)
		T->stage[p0 + p] = (uint32_t)st;
	T->np += n;
	size_t parts = (n + TN_PART_POINTS - 1) / TN_PART_POINTS;
	for (size_t i = 0; i < parts; i++) {
		char name[64];
		size_t a = i * TN_PART_POINTS, m = n - a < TN_PART_POINTS ? n - a : TN_PART_POINTS;
		if (parts == 1)
			snprintf(name, sizeof name, "stage-%04" PRIu64, st);
		else
			snprintf(name, sizeof name, "stage-%04" PRIu64 ".%04zu", st, i + 1);
		int rc = run_part(T, st, name, p0 + a, m);
		if (rc)
			return rc;
		if (parts > 1)
			say(T, "dnetsim tune: stage %" PRIu64 ": %zu of %zu points done\n", st, a + m, n);
	}
	return 0;
}

/* Point p's mean over its complete replicates of value i, with the
 * Student-t interval at the tuning's confidence; NaN when none ran. */
static double point_mean(const tn_run *T, size_t p, size_t i, double *lo, double *hi)
{
	size_t R = T->t->replicates, n = 0;
	double s = 0, ss = 0;
	for (size_t r = 0; r < R; r++) {
		double v = T->val[(p * R + r) * T->nv + i];
		if (T->ok[p * R + r] && !isnan(v)) {
			s += v;
			n++;
		}
	}
	if (n == 0) {
		*lo = *hi = NAN;
		return NAN;
	}
	double m = s / (double)n;
	for (size_t r = 0; r < R; r++) {
		double v = T->val[(p * R + r) * T->nv + i];
		if (T->ok[p * R + r] && !isnan(v))
			ss += (v - m) * (v - m);
	}
	if (n < 2) {
		*lo = *hi = m;
		return m;
	}
	double half = gsl_cdf_tdist_Pinv(0.5 + T->t->confidence / 2, (double)(n - 1)) * sqrt(ss / (double)(n - 1) / (double)n);
	*lo = m - half;
	*hi = m + half;
	return m;
}

/* The share of an output's run-to-run variance that is noise: the mean
 * variance among a point's replicates over the variance of all runs. */
static double noise_share(const tn_run *T, size_t i)
{
	size_t R = T->t->replicates;
	if (R < 2)
		return NAN;
	double within = 0, s = 0, ss = 0;
	size_t nw = 0, n = 0;
	for (size_t p = 0; p < T->np; p++) {
		double lo, hi, m = point_mean(T, p, i, &lo, &hi), ps = 0;
		size_t k = 0;
		for (size_t r = 0; r < R; r++) {
			double v = T->val[(p * R + r) * T->nv + i];
			if (!T->ok[p * R + r] || isnan(v))
				continue;
			ps += (v - m) * (v - m);
			s += v;
			ss += v * v;
			k++;
			n++;
		}
		if (k >= 2) {
			within += ps / (double)(k - 1);
			nw++;
		}
	}
	if (nw == 0 || n < 2)
		return NAN;
	double var = (ss - s * s / (double)n) / (double)(n - 1);
	return var > 0 ? (within / (double)nw) / var : NAN;
}

/* ---- the results file ---- */

static herr_t put_doubles(hid_t g, const char *name, const double *v, hsize_t n0, hsize_t n1)
{
	hsize_t dims[2] = {n0, n1};
	hid_t sp = H5Screate_simple(n1 ? 2 : 1, dims, NULL);
	hid_t d = H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = d < 0 ? -1 : (n0 && (n1 || !n1) ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(sp);
	return rc;
}

static herr_t put_u64s(hid_t g, const char *name, const uint64_t *v, hsize_t n)
{
	hid_t sp = H5Screate_simple(1, &n, NULL);
	hid_t d = H5Dcreate2(g, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = d < 0 ? -1 : (n ? H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(sp);
	return rc;
}

static herr_t put_strings(hid_t g, const char *name, const char *const *v, hsize_t n)
{
	hid_t ty = H5Tcopy(H5T_C_S1);
	H5Tset_size(ty, H5T_VARIABLE);
	H5Tset_cset(ty, H5T_CSET_UTF8);
	hid_t sp = H5Screate_simple(1, &n, NULL);
	hid_t d = H5Dcreate2(g, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = d < 0 ? -1 : (n ? H5Dwrite(d, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
	if (d >= 0)
		H5Dclose(d);
	H5Sclose(sp);
	H5Tclose(ty);
	return rc;
}

static herr_t put_attr_str(hid_t o, const char *name, const char *v)
{
	hid_t ty = H5Tcopy(H5T_C_S1);
	H5Tset_size(ty, H5T_VARIABLE);
	H5Tset_cset(ty, H5T_CSET_UTF8);
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(o, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = a < 0 ? -1 : H5Awrite(a, ty, &v);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	H5Tclose(ty);
	return rc;
}

static herr_t put_attr_f64(hid_t o, const char *name, double v)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(o, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	return rc;
}

/* What the kinds add to the file. */
typedef struct tn_result {
	/* screen: morris[o*k + j]; sensitivity: sobol[o*k + j] */
	dn_morris_index *morris;
	dn_sobol_index *sobol;
	double *s2, *s2_lo, *s2_hi;     /* o*k*k */
	uint64_t *rows_used;            /* o */
	double *var, *noise;            /* o */
	uint64_t n_rows;
	uint64_t *iter_rows;            /* sensitivity: N after each stage */
	double *iter_half;              /* and the widest total index's half-width */
	size_t n_iter;
	dn_tune_search *search;         /* target */
} tn_result;

static int write_results(const tn_run *T, const tn_result *res, char *scenario_text, const char *path)
{
	const dn_tune *t = T->t;
	size_t k = t->k, no = t->n_out, R = t->replicates;
	char tmp[TN_PATH + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0)
		return -1;
	herr_t bad = 0;
	hid_t cfg = H5Gcreate2(f, "config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	const char *txt[1] = {scenario_text ? scenario_text : ""};
	bad |= put_strings(cfg, "scenario", txt, 1);
	bad |= put_attr_str(cfg, "version", DN_VERSION);
	bad |= put_attr_str(cfg, "kind", dn_tune_kind_name(t->kind));
	bad |= put_attr_f64(cfg, "seed", (double)t->seed);
	bad |= put_attr_f64(cfg, "replicates", (double)R);
	bad |= put_attr_str(cfg, "seeds", t->common ? "common" : "member");
	bad |= put_attr_f64(cfg, "confidence", t->confidence);
	H5Gclose(cfg);

	hid_t g = H5Gcreate2(f, "tune", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	const char *pn[DN_TUNE_PARAMS_MAX], *on[DN_TUNE_OUTPUTS_MAX + 1], *om[DN_TUNE_OUTPUTS_MAX + 1];
	double lo[DN_TUNE_PARAMS_MAX], hi[DN_TUNE_PARAMS_MAX], lg[DN_TUNE_PARAMS_MAX];
	for (size_t j = 0; j < k; j++) {
		pn[j] = t->p[j].def->name;
		lo[j] = t->p[j].lo;
		hi[j] = t->p[j].hi;
		lg[j] = t->p[j].log;
	}
	for (size_t i = 0; i < T->nv; i++) {
		on[i] = metric_of(T, i)->label;
		om[i] = metric_of(T, i)->metric;
	}
	bad |= put_strings(g, "param_names", pn, k);
	bad |= put_doubles(g, "param_min", lo, k, 0);
	bad |= put_doubles(g, "param_max", hi, k, 0);
	bad |= put_doubles(g, "param_log", lg, k, 0);
	bad |= put_strings(g, "output_labels", on, T->nv);
	bad |= put_strings(g, "output_metrics", om, T->nv);
	bad |= put_attr_f64(g, "member_runs", (double)T->runs);
	bad |= put_attr_f64(g, "members_failed", (double)T->failed);
	bad |= put_attr_f64(g, "stages", (double)T->n_stages);
	bad |= put_attr_f64(g, "sweeps_retried", (double)T->retried);

	/* every point: unit and actual values, stage, means; every member's values */
	double *x = malloc((T->np ? T->np : 1) * k * sizeof *x);
	double *pm = malloc((T->np ? T->np : 1) * T->nv * sizeof *pm);
	uint64_t *stg = malloc((T->np ? T->np : 1) * sizeof *stg);
	uint64_t *okm = malloc((T->np ? T->np : 1) * R * sizeof *okm);
	if (!x || !pm || !stg || !okm) {
		bad = -1;
	} else {
		for (size_t p = 0; p < T->np; p++) {
			for (size_t j = 0; j < k; j++)
				x[p * k + j] = dn_tune_value(t, j, T->u[p * k + j]);
			for (size_t i = 0; i < T->nv; i++) {
				double a, b;
				pm[p * T->nv + i] = point_mean(T, p, i, &a, &b);
			}
			stg[p] = T->stage[p];
			for (size_t r = 0; r < R; r++)
				okm[p * R + r] = T->ok[p * R + r] ? 1 : 2;
		}
		hid_t pg = H5Gcreate2(g, "points", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		bad |= put_doubles(pg, "unit", T->u, T->np, k);
		bad |= put_doubles(pg, "value", x, T->np, k);
		bad |= put_u64s(pg, "stage", stg, T->np);
		bad |= put_doubles(pg, "mean", pm, T->np, T->nv);
		H5Gclose(pg);
		hid_t mg = H5Gcreate2(g, "members", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		bad |= put_doubles(mg, "value", T->val, T->np * R, T->nv);
		bad |= put_u64s(mg, "status", okm, T->np * R);
		H5Gclose(mg);
	}
	free(x);
	free(pm);
	free(stg);
	free(okm);

	if (t->kind == DN_TUNE_SCREEN && res->morris) {
		hid_t mg = H5Gcreate2(g, "morris", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		double *b = malloc(7 * no * k * sizeof *b);
		uint64_t *n = malloc(no * k * sizeof *n);
		if (b && n) {
			static const char *const names[7] = {"mu_star", "mu_star_lo", "mu_star_hi", "mu",
			                                     "sigma", "sigma_lo", "sigma_hi"};
			for (size_t i = 0; i < no * k; i++) {
				const dn_morris_index *mi = &res->morris[i];
				double v[7] = {mi->mu_star, mi->mu_star_lo, mi->mu_star_hi, mi->mu,
				               mi->sigma,   mi->sigma_lo,   mi->sigma_hi};
				for (int c = 0; c < 7; c++)
					b[c * no * k + i] = v[c];
				n[i] = mi->n;
			}
			for (int c = 0; c < 7; c++)
				bad |= put_doubles(mg, names[c], b + c * no * k, no, k);
			bad |= put_u64s(mg, "effects", n, no * k);
			bad |= put_attr_f64(mg, "trajectories", (double)t->trajectories);
			bad |= put_attr_f64(mg, "levels", (double)t->levels);
		} else {
			bad = -1;
		}
		free(b);
		free(n);
		H5Gclose(mg);
	}
	if (t->kind == DN_TUNE_SENSITIVITY && res->sobol) {
		hid_t sg = H5Gcreate2(g, "sobol", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		double *b = malloc(6 * no * k * sizeof *b);
		if (b) {
			for (size_t i = 0; i < no * k; i++) {
				const dn_sobol_index *s = &res->sobol[i];
				double v[6] = {s->s1, s->s1_lo, s->s1_hi, s->st, s->st_lo, s->st_hi};
				for (int c = 0; c < 6; c++)
					b[c * no * k + i] = v[c];
			}
			static const char *const names[6] = {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"};
			for (int c = 0; c < 6; c++)
				bad |= put_doubles(sg, names[c], b + c * no * k, no, k);
		} else {
			bad = -1;
		}
		free(b);
		if (t->second_order && res->s2) {
			bad |= put_doubles(sg, "S2", res->s2, no * k, k);
			bad |= put_doubles(sg, "S2_lo", res->s2_lo, no * k, k);
			bad |= put_doubles(sg, "S2_hi", res->s2_hi, no * k, k);
		}
		bad |= put_u64s(sg, "rows_used", res->rows_used, no);
		bad |= put_doubles(sg, "variance", res->var, no, 0);
		bad |= put_doubles(sg, "noise_share", res->noise, no, 0);
		bad |= put_attr_f64(sg, "rows", (double)res->n_rows);
		bad |= put_u64s(sg, "iteration_rows", res->iter_rows, res->n_iter);
		bad |= put_doubles(sg, "iteration_max_halfwidth", res->iter_half, res->n_iter, 0);
		H5Gclose(sg);
	}
	if (t->kind == DN_TUNE_TARGET && res->search) {
		const dn_tune_search *S = res->search;
		size_t n = S->n, nv = T->nv;
		hid_t tg = H5Gcreate2(g, "target", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		double *u = calloc((n ? n : 1) * k, sizeof *u), *xv = calloc((n ? n : 1) * k, sizeof *xv);
		double *fm = calloc((n ? n : 1) * 3, sizeof *fm);
		double *vv = calloc((n ? n : 1) * nv * 3, sizeof *vv);
		if (u && xv && fm && vv) {
			double best = INFINITY;
			for (size_t c = 0; c < n; c++) {
				for (size_t j = 0; j < k; j++) {
					u[c * k + j] = S->c[c].u[j];
					xv[c * k + j] = dn_tune_value(t, j, S->c[c].u[j]);
				}
				fm[c] = S->c[c].f;
				fm[n + c] = S->c[c].violation;
				best = S->c[c].f < best ? S->c[c].f : best;
				fm[2 * n + c] = best;
				for (size_t i = 0; i < nv; i++) {
					vv[c * nv + i] = S->c[c].vals[i];
					vv[n * nv + c * nv + i] = S->c[c].lo[i];
					vv[2 * n * nv + c * nv + i] = S->c[c].hi[i];
				}
			}
			bad |= put_doubles(tg, "unit", u, n, k);
			bad |= put_doubles(tg, "value", xv, n, k);
			bad |= put_doubles(tg, "merit", fm, n, 0);
			bad |= put_doubles(tg, "violation", fm + n, n, 0);
			bad |= put_doubles(tg, "best_merit", fm + 2 * n, n, 0);
			bad |= put_doubles(tg, "mean", vv, n, nv);
			bad |= put_doubles(tg, "mean_lo", vv + n * nv, n, nv);
			bad |= put_doubles(tg, "mean_hi", vv + 2 * n * nv, n, nv);
			bad |= put_doubles(tg, "reach", S->reach, no, 0);
			double gb[2 * DN_TUNE_OUTPUTS_MAX];
			for (size_t i = 0; i < no; i++)
				dn_expect_bound_range(&t->out[i], NAN, &gb[i], &gb[no + i]);
			bad |= put_doubles(tg, "goal_lo", gb, no, 0);
			bad |= put_doubles(tg, "goal_hi", gb + no, no, 0);
			bad |= put_attr_f64(tg, "best", (double)S->best);
			bad |= put_attr_f64(tg, "met", S->met ? 1 : 0);
			bad |= put_attr_f64(tg, "converged", S->converged ? 1 : 0);
		} else {
			bad = -1;
		}
		free(u);
		free(xv);
		free(fm);
		free(vv);
		H5Gclose(tg);
	}
	H5Gclose(g);
	if (H5Fclose(f) < 0)
		bad = -1;
	if (bad || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- the kinds ---- */

static int do_screen(tn_run *T, tn_result *res)
{
	const dn_tune *t = T->t;
	size_t k = t->k, no = t->n_out, r = t->trajectories, np = r * (k + 1);
	double *u = malloc(np * k * sizeof *u), *delta = malloc(r * k * sizeof *delta), *y = malloc(np * sizeof *y);
	uint32_t *factor = malloc(r * k * sizeof *factor);
	res->morris = calloc(no * k, sizeof *res->morris);
	int rc = 1;
	if (!u || !delta || !y || !factor || !res->morris)
		goto out;
	dn_tune_morris_design(k, r, t->levels, t->seed, u, factor, delta);
	say(T, "dnetsim tune: screening %zu parameters: %zu trajectories of %zu points x %" PRIu64 " replicates = %zu runs\n",
	    k, r, k + 1, t->replicates, np * t->replicates);
	rc = run_stage(T, u, np);
	if (rc)
		goto out;
	for (size_t o = 0; o < no; o++) {
		for (size_t p = 0; p < np; p++) {
			double a, b;
			y[p] = point_mean(T, p, o, &a, &b);
		}
		dn_tune_morris(k, r, y, factor, delta, t->bootstrap, t->confidence, t->seed, &res->morris[o * k]);
	}
out:
	free(u);
	free(delta);
	free(y);
	free(factor);
	return rc;
}

static int do_sensitivity(tn_run *T, tn_result *res)
{
	const dn_tune *t = T->t;
	size_t k = t->k, no = t->n_out, w = dn_tune_saltelli_width(k, t->second_order), R = t->replicates;
	uint64_t n = 0, next = t->samples;
	res->sobol = calloc(no * k, sizeof *res->sobol);
	res->rows_used = calloc(no, sizeof *res->rows_used);
	res->var = calloc(no, sizeof *res->var);
	res->noise = calloc(no, sizeof *res->noise);
	res->iter_rows = calloc(64, sizeof *res->iter_rows);
	res->iter_half = calloc(64, sizeof *res->iter_half);
	if (t->second_order) {
		res->s2 = calloc(no * k * k, sizeof *res->s2);
		res->s2_lo = calloc(no * k * k, sizeof *res->s2_lo);
		res->s2_hi = calloc(no * k * k, sizeof *res->s2_hi);
	}
	if (!res->sobol || !res->rows_used || !res->var || !res->noise || !res->iter_rows || !res->iter_half ||
	    (t->second_order && (!res->s2 || !res->s2_lo || !res->s2_hi)))
		return 1;
	for (;;) {
		uint64_t add = next - n;
		if (t->budget && T->runs + add * w * R > t->budget) {
			if (n == 0) {
				fprintf(stderr, "dnetsim tune: the budget of %" PRIu64 " runs is below the first design's %" PRIu64
				        " (samples x %zu points x %zu replicates)\n", t->budget, add * w * R, w, R);
				return 1;
			}
			say(T, "dnetsim tune: the budget (%" PRIu64 " runs) is spent: N stays %" PRIu64 "\n", t->budget, n);
			break;
		}
		double *u = malloc(add * w * k * sizeof *u);
		if (!u || dn_tune_saltelli_design(k, n, next, t->second_order, u)) {
			free(u);
			return 1;
		}
		say(T, "dnetsim tune: Sobol indices of %zu parameters: N = %" PRIu64 " (+%" PRIu64 " rows of %zu points "
		    "x %zu replicates = %" PRIu64 " runs)\n", k, next, add, w, R, add * w * R);
		int rc = run_stage(T, u, add * w);
		free(u);
		if (rc)
			return rc;
		n = next;
		/* the outputs in design order: every stage's rows follow the last */
		double *y = malloc(n * w * sizeof *y), worst = 0;
		if (!y)
			return 1;
		for (size_t o = 0; o < no; o++) {
			for (size_t p = 0; p < n * w; p++) {
				double a, b;
				y[p] = point_mean(T, p, o, &a, &b);
			}
			dn_sobol_result sr = {.idx = &res->sobol[o * k],
			                      .s2 = res->s2 ? &res->s2[o * k * k] : NULL,
			                      .s2_lo = res->s2_lo ? &res->s2_lo[o * k * k] : NULL,
			                      .s2_hi = res->s2_hi ? &res->s2_hi[o * k * k] : NULL};
			dn_rc src = dn_tune_sobol(k, n, t->second_order, y, t->bootstrap, t->confidence, t->seed, &sr);
			res->rows_used[o] = sr.rows_used;
			res->var[o] = src ? NAN : sr.var;
			res->noise[o] = noise_share(T, o);
			if (src) {
				for (size_t j = 0; j < k; j++)
					res->sobol[o * k + j] = (dn_sobol_index){NAN, NAN, NAN, NAN, NAN, NAN};
				worst = INFINITY;
				continue;
			}
			for (size_t j = 0; j < k; j++) {
				const dn_sobol_index *s = &res->sobol[o * k + j];
				double h = (s->st_hi - s->st_lo) / 2;
				worst = h > worst ? h : worst;
			}
		}
		free(y);
		res->n_rows = n;
		if (res->n_iter < 64) {
			res->iter_rows[res->n_iter] = n;
			res->iter_half[res->n_iter++] = worst;
		}
		say(T, "dnetsim tune: N = %" PRIu64 ": the widest total index's interval is +-%.4f (target +-%.4f)\n", n,
		    worst, t->halfwidth);
		if (worst <= t->halfwidth || tn_stop)
			break;
		if (n >= t->max_samples) {
			say(T, "dnetsim tune: max_samples (%" PRIu64 ") reached\n", t->max_samples);
			break;
		}
		next = n * 2 > t->max_samples ? t->max_samples : n * 2;
	}
	return 0;
}

typedef struct tn_eval {
	tn_run *T;
	int rc;
} tn_eval;

static int target_eval(void *ctx, const double *u, size_t n, double *vals, double *lo, double *hi)
{
	tn_eval *E = ctx;
	tn_run *T = E->T;
	const dn_tune *t = T->t;
	if (tn_stop)
		return 1;
	if (t->budget && T->runs + n * t->replicates > t->budget) {
		say(T, "dnetsim tune: the budget (%" PRIu64 " runs) is spent\n", t->budget);
		return 1;
	}
	size_t p0 = T->np;
	int rc = run_stage(T, u, n);
	if (rc) {
		E->rc = rc;
		return 1;
	}
	for (size_t c = 0; c < n; c++)
		for (size_t i = 0; i < T->nv; i++)
			vals[c * T->nv + i] = point_mean(T, p0 + c, i, &lo[c * T->nv + i], &hi[c * T->nv + i]);
	if (!T->o->quiet) {
		fprintf(stderr, "dnetsim tune: candidate %zu:", p0 + 1);
		for (size_t j = 0; j < t->k; j++) {
			char v[48];
			dn_tune_value_text(t, j, u[j], v, sizeof v);
			fprintf(stderr, " %s=%s", t->p[j].def->name, v);
		}
		for (size_t i = 0; i < T->nv; i++)
			fprintf(stderr, " | %s %.6g", metric_of(T, i)->metric, vals[i]);
		fprintf(stderr, "\n");
	}
	return 0;
}

/* ---- the report ---- */

static void print_setting(const tn_run *T, const double *u)
{
	for (size_t j = 0; j < T->t->k; j++) {
		char v[48];
		dn_tune_value_text(T->t, j, u[j], v, sizeof v);
		printf("    %-32s %s\n", T->t->p[j].def->name, v);
	}
}

static void report_failures(const tn_run *T)
{
	printf("runs: %" PRIu64 " in %" PRIu64 " stage%s, %" PRIu64 " failed%s", T->runs, T->n_stages,
	       T->n_stages == 1 ? "" : "s", T->failed, T->failed ? " (after one retry; left out: see below)" : "");
	if (T->retried)
		printf("; %" PRIu64 " sweep%s run again for failures", T->retried, T->retried == 1 ? "" : "s");
	printf("; %.1f s\n", dn_cli_now_s() - T->wall0);
	if (T->failed)
		printf("  first failure: %s\n", T->first_failure);
}


typedef struct tn_rank {
	size_t j;
	double key;
} tn_rank;

static int by_key(const void *a, const void *b)
{
	double x = ((const tn_rank *)a)->key, y = ((const tn_rank *)b)->key;
	return (x < y) - (x > y); /* descending; NaN last */
}

static void report(const tn_run *T, const tn_result *res)
{
	const dn_tune *t = T->t;
	size_t k = t->k;
	char pct[16];
	snprintf(pct, sizeof pct, "%g%%", t->confidence * 100);
	printf("tune %s: %s, %zu parameter%s, seeds %s, %" PRIu64 " replicate%s per point\n", T->file,
	       dn_tune_kind_name(t->kind), k, k == 1 ? "" : "s", t->common ? "common" : "member", t->replicates,
	       t->replicates == 1 ? "" : "s");
	report_failures(T);
	if (t->kind == DN_TUNE_SCREEN) {
		for (size_t o = 0; o < t->n_out; o++) {
			const dn_morris_index *m = &res->morris[o * k];
			tn_rank rk[DN_TUNE_PARAMS_MAX];
			for (size_t j = 0; j < k; j++)
				rk[j] = (tn_rank){j, isnan(m[j].mu_star) ? -INFINITY : m[j].mu_star};
			qsort(rk, k, sizeof *rk, by_key);
			printf("\n%s: Morris elementary effects (per unit of each range), %" PRIu64 " trajectories\n",
			       t->out[o].label, t->trajectories);
			printf("  %-4s %-32s %11s %25s %11s %11s %25s %7s\n", "rank", "parameter", "mu*", pct, "mu", "sigma",
			       pct, "effects");
			for (size_t i = 0; i < k; i++) {
				const dn_morris_index *x = &m[rk[i].j];
				printf("  %-4zu %-32s %11.5g [%11.5g, %11.5g] %11.5g %11.5g [%11.5g, %11.5g] %7" PRIu64 "\n", i + 1,
				       t->p[rk[i].j].def->name, x->mu_star, x->mu_star_lo, x->mu_star_hi, x->mu, x->sigma,
				       x->sigma_lo, x->sigma_hi, x->n);
			}
		}
	} else if (t->kind == DN_TUNE_SENSITIVITY) {
		for (size_t o = 0; o < t->n_out; o++) {
			const dn_sobol_index *s = &res->sobol[o * k];
			printf("\n%s: Sobol indices, N = %" PRIu64 " (%" PRIu64 " rows used%s), variance %.6g", t->out[o].label,
			       res->n_rows, res->rows_used[o], res->rows_used[o] < res->n_rows ? ": rows with a failed run "
			       "are left out, which widens the intervals" : "", res->var[o]);
			if (!isnan(res->noise[o]))
				printf(", noise share %.3f", res->noise[o]);
			printf("\n  %-32s %9s %23s %9s %23s\n", "parameter", "S1", pct, "ST", pct);
			for (size_t j = 0; j < k; j++)
				printf("  %-32s %9.4f [%9.4f, %9.4f] %9.4f [%9.4f, %9.4f]\n", t->p[j].def->name, s[j].s1,
				       s[j].s1_lo, s[j].s1_hi, s[j].st, s[j].st_lo, s[j].st_hi);
			if (t->second_order && res->s2)
				for (size_t i = 0; i < k; i++)
					for (size_t j = i + 1; j < k; j++)
						printf("  S2 %s x %s: %.4f [%.4f, %.4f]\n", t->p[i].def->name, t->p[j].def->name,
						       res->s2[(o * k + i) * k + j], res->s2_lo[(o * k + i) * k + j],
						       res->s2_hi[(o * k + i) * k + j]);
		}
	} else {
		const dn_tune_search *S = res->search;
		const dn_tune_candidate *b = &S->c[S->best];
		printf("\n%s after %zu candidates%s\n",
		       S->met ? "target met" : t->n_out ? "target NOT met: no setting found in the ranges meets every goal"
		                                         : "objective searched",
		       S->n, S->stopped ? " (stopped: budget or interrupt)" : S->converged ? " (the simplex converged)" : "");
		printf("  best setting (candidate %zu):\n", S->best + 1);
		print_setting(T, b->u);
		for (size_t g = 0; g < t->n_out; g++) {
			double m = b->vals[g];
			bool ok = dn_tune_shortfall(&t->out[g], m) == 0;
			printf("  goal '%s': %.6g [%.6g, %.6g] %s\n", t->out[g].label, m, b->lo[g], b->hi[g],
			       ok ? "met" : "not met");
			if (!ok && S->reach_at[g] < S->n) {
				const dn_tune_candidate *r = &S->c[S->reach_at[g]];
				double lo, hi;
				dn_expect_bound_range(&t->out[g], NAN, &lo, &hi);
				printf("    the ranges reach at most %.6g [%.6g, %.6g] toward it (candidate %zu): the goal lies "
				       "%s that %s\n", S->reach[g], r->lo[g], r->hi[g], S->reach_at[g] + 1,
				       isfinite(lo) && S->reach[g] < lo ? "above" : "below",
				       isfinite(lo) && S->reach[g] < lo ? "ceiling" : "floor");
			}
		}
		if (t->has_objective)
			printf("  objective (%s) %s: %.6g [%.6g, %.6g]\n", t->maximize ? "maximize" : "minimize",
			       t->objective.label, b->vals[t->n_out], b->lo[t->n_out], b->hi[t->n_out]);
		if (S->n_failed)
			printf("  %zu candidate%s failed in every run: the search treated them as infinitely bad\n",
			       S->n_failed, S->n_failed == 1 ? "" : "s");
	}
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: dnetsim tune FILE [options]\n"
	        "  Runs FILE's tune: block (docs/tuning.md): screen (Morris), sensitivity\n"
	        "  (Sobol indices) or target (a setting that meets goals), each evaluation a\n"
	        "  member of a sweep.\n\n"
	        "  --out PATH        the results file (default: results/<name>-tune.h5); the\n"
	        "                    stages are kept in PATH.d/ so an interrupted tuning resumes\n"
	        "  --force           replace PATH and start again (PATH.d/ cleared)\n"
	        "  --jobs N          members at once on this machine (default: the cores free)\n"
	        "  --threads N       OpenMP threads of each member (default 1)\n"
	        "  --launcher CMD    run each stage's sweep under CMD, such as \"mpirun -n 16\"\n"
	        "                    (words split at spaces; docs/cluster.md)\n"
	        "  --set NAME=VAL    override a parameter of every member\n"
	        "  --quiet           no progress on stderr\n"
	        "  --help            this text\n\n"
	        "exit codes: 0 the tuning ran (a target out of reach is a result, reported),\n"
	        "1 it could not finish (PATH is not written; rerun to resume), 2 usage or\n"
	        "scenario error (nothing ran)\n");
}

static int parse_opts(int argc, char **argv, tn_opts *o)
{
	static const struct option lo[] = {
	    {"out", required_argument, NULL, 'o'},      {"force", no_argument, NULL, 'f'},
	    {"jobs", required_argument, NULL, 'j'},     {"threads", required_argument, NULL, 't'},
	    {"launcher", required_argument, NULL, 'L'}, {"set", required_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'f': o->force = true; break;
		case 'j':
			if (!dn_cli_parse_u64("--jobs", optarg, &o->jobs) || o->jobs < 1 || o->jobs > 4096) {
				fprintf(stderr, "dnetsim tune: --jobs must be from 1 to 4096\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 't':
			if (!dn_cli_parse_u64("--threads", optarg, &o->threads) || o->threads < 1 || o->threads > 1024) {
				fprintf(stderr, "dnetsim tune: --threads must be from 1 to 1024\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'L': o->launcher = optarg; break;
		case 's':
			if (!dn_cli_set_opt(&o->sets, "tune", optarg, optind < argc ? argv[optind] : NULL))
				return DN_EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (!dn_cli_operand_hint("tune", &o->sets, argc, argv, optind))
			fprintf(stderr, "dnetsim tune: expected one scenario FILE\n");
		usage(stderr);
		return DN_EXIT_USAGE;
	}
	o->file = argv[optind];
	return 0;
}

/* The work folder's identity: the tuning's file and options. A folder
 * left by another tuning is not resumed. */
static char *identity(const tn_run *T, const char *scenario_text, size_t *len)
{
	size_t cap = strlen(scenario_text) + 4096, used = 0;
	char *b = malloc(cap);
	if (!b)
		return NULL;
	used += (size_t)snprintf(b, cap, "file %s\n", T->file);
	for (size_t i = 0; i < T->o->sets.n && used < cap; i++)
		used += (size_t)snprintf(b + used, cap - used, "set %s\n", T->o->sets.v[i]);
	if (used < cap)
		used += (size_t)snprintf(b + used, cap - used, "---\n%s", scenario_text);
	*len = used < cap ? used : cap - 1;
	return b;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (n < cap - 1)
			break;
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	return b;
}

int dn_cmd_tune(int argc, char **argv)
{
	tn_opts o = {0};
	int code = parse_opts(argc, argv, &o);
	if (code)
		return code < 0 ? DN_EXIT_OK : code;
	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr) != DN_OK)
		return DN_EXIT_FAIL;
	dn_scenario *s = NULL;
	dn_tune *t = NULL;
	dn_cli_names names = {0};
	char *out = NULL, *text = NULL, *id = NULL, err[16384];
	tn_run T = {.o = &o, .cr = &cr, .wall0 = dn_cli_now_s()};
	tn_result res = {0};
	dn_tune_search search = {0};
	code = DN_EXIT_USAGE;

	s = dn_cli_load(&cr, o.file, &o.sets);
	if (!s)
		goto done;
	const dn_model *model = dn_model_find(dn_scn_str(s, "sim.model"));
	if (!model || !dn_cli_names_init(&names, model, s)) {
		fprintf(stderr, "dnetsim tune: %s: cannot list the model's names\n", o.file);
		code = DN_EXIT_FAIL;
		goto done;
	}
	double block_s = dn_cli_block_s(model, s, cr.reg);
	if (dn_tune_from_scenario(cr.reg, s, block_s, names.known ? dn_cli_names_lookup : NULL, &names, &t, err,
	                          sizeof err)) {
		dn_cli_print_errors(err);
		goto done;
	}
	if (!t) {
		fprintf(stderr, "dnetsim tune: %s has no tune: block (docs/tuning.md)\n", o.file);
		goto done;
	}
	if (dn_scenario_block(s, "sweep")) {
		fprintf(stderr, "dnetsim tune: %s has a sweep: block too: the tuning makes its own sweeps (move the "
		        "sweep: to a file of its own)\n", o.file);
		goto done;
	}
	T.t = t;
	T.nv = t->n_out + (t->has_objective ? 1 : 0);
	if (!realpath(o.file, T.file) || readlink("/proc/self/exe", T.self, sizeof T.self - 1) <= 0) {
		fprintf(stderr, "dnetsim tune: %s: %s\n", o.file, strerror(errno));
		code = DN_EXIT_FAIL;
		goto done;
	}
	out = o.out ? strdup(o.out) : dn_cli_default_out(o.file, "-tune");
	if (!out || !dn_cli_out_ok(out, s, &cr, o.force) || !dn_cli_out_dir_ok(out, o.quiet))
		goto done;
	snprintf(T.work, sizeof T.work, "%s.d", out);
	text = read_text(o.file);
	size_t idlen = 0;
	id = text ? identity(&T, text, &idlen) : NULL;
	if (!id) {
		fprintf(stderr, "dnetsim tune: cannot read %s\n", o.file);
		code = DN_EXIT_FAIL;
		goto done;
	}
	char idpath[TN_PATH + 32];
	snprintf(idpath, sizeof idpath, "%s/tuning", T.work);
	struct stat st;
	if (stat(T.work, &st) == 0) {
		char *old = read_text(idpath);
		bool same = old && strcmp(old, id) == 0;
		free(old);
		if (o.force) {
			dn_cli_remove_tree(T.work);
		} else if (!same) {
			fprintf(stderr, "dnetsim tune: %s holds the stages of another tuning (or of this file before it "
			        "changed); --force clears it\n", T.work);
			goto done;
		} else {
			say(&T, "dnetsim tune: resuming from the stages in %s\n", T.work);
		}
	}
	if (dn_cli_mkdirs(T.work) != 0 || write_file(idpath, id, idlen) != 0) {
		fprintf(stderr, "dnetsim tune: cannot write %s: %s\n", T.work, strerror(errno));
		code = DN_EXIT_FAIL;
		goto done;
	}
	struct sigaction sa = {.sa_handler = tn_on_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	int rc;
	if (t->kind == DN_TUNE_SCREEN) {
		rc = do_screen(&T, &res);
	} else if (t->kind == DN_TUNE_SENSITIVITY) {
		rc = do_sensitivity(&T, &res);
	} else {
		tn_eval E = {.T = &T};
		say(&T, "dnetsim tune: target search over %zu parameters, at most %" PRIu64 " candidates x %" PRIu64
		    " replicates\n", t->k, t->max_candidates, t->replicates);
		dn_rc drc = dn_tune_target(t, target_eval, &E, &search);
		rc = E.rc ? E.rc : tn_stop ? 1 : drc ? 1 : 0;
		res.search = &search;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc) {
		if (tn_stop)
			fprintf(stderr, "dnetsim tune: interrupted: %s is not written; the same command resumes\n", out);
		code = rc == 2 ? DN_EXIT_USAGE : DN_EXIT_FAIL;
		goto done;
	}
	if (write_results(&T, &res, text, out) != 0) {
		fprintf(stderr, "dnetsim tune: cannot write %s\n", out);
		code = DN_EXIT_FAIL;
		goto done;
	}
	report(&T, &res);
	printf("results: %s\n", out);
	code = DN_EXIT_OK;
done:
	dn_tune_search_free(&search);
	free(res.morris);
	free(res.sobol);
	free(res.s2);
	free(res.s2_lo);
	free(res.s2_hi);
	free(res.rows_used);
	free(res.var);
	free(res.noise);
	free(res.iter_rows);
	free(res.iter_half);
	free(T.u);
	free(T.stage);
	free(T.val);
	free(T.ok);
	free(out);
	free(text);
	free(id);
	dn_cli_names_fini(&names);
	dn_tune_free(t);
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
	return code;
}
