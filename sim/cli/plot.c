/*
 * plot.c: `dnetsim plot RESULT.h5 [-o DIR]`, one PNG per recorded series.
 *
 * Reads every /series dataset of a results file (dn_results_read_series),
 * writes each to a temporary whitespace table (time in seconds, value) and
 * runs gnuplot on analysis/series.gp, which draws DIR/<name>.png. gnuplot
 * is started with fork/execvp (no shell, so no file name is ever parsed by
 * one), stdin from /dev/null and its chatter on our stderr; stdout carries
 * only the PNG paths, one a line, for scripts. The strings passed with
 * gnuplot -e are single-quoted with quotes doubled, gnuplot's own rule.
 *
 * Not here: what a good figure of several runs looks like (analysis/ has
 * room for report scripts) or reading /summary.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results.h"

#ifndef DN_ANALYSIS_DIR
#define DN_ANALYSIS_DIR "analysis" /* relative to the working directory */
#endif

enum {
	DN_PLOT_ERR = 1024,       /* one message line */
	DN_PLOT_WAIT_TRIES = 1000 /* waitpid retries on EINTR */
};

static const char dn_plot_script[] = "series.gp";

static void plot_usage(FILE *f)
{
	fputs("usage: dnetsim plot RESULT.h5 [-o DIR]\n"
	      "\n"
	      "Draws every series of a results file as DIR/<name>.png with gnuplot\n"
	      "and prints the PNG paths, one a line.\n"
	      "\n"
	      "  -o DIR     output directory (default: RESULT without .h5, plus \"-plots\")\n"
	      "  -h, --help this text\n"
	      "\n"
	      "The gnuplot script is series.gp in $DNETSIM_ANALYSIS_DIR, or else in\n"
	      "the analysis/ folder of the source tree dnetsim was built from.\n",
	      f);
}

/* Parses argv; returns -1 to go on, or the exit code to stop with. */
static int plot_parse(int argc, char **argv, const char **file, const char **outdir)
{
	*file = NULL;
	*outdir = NULL;
	bool only_files = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_files && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			plot_usage(stdout);
			return DN_EXIT_OK;
		}
		if (!only_files && strcmp(a, "--") == 0) {
			only_files = true;
		} else if (!only_files && strcmp(a, "-o") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dnetsim plot: -o needs a directory\n");
				return DN_EXIT_USAGE;
			}
			*outdir = argv[++i];
		} else if (!only_files && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "dnetsim plot: unknown option %s\n", a);
			plot_usage(stderr);
			return DN_EXIT_USAGE;
		} else if (*file == NULL) {
			*file = a;
		} else {
			fprintf(stderr, "dnetsim plot: one results file only (got %s and %s)\n", *file, a);
			return DN_EXIT_USAGE;
		}
	}
	if (*file == NULL || (*file)[0] == '\0') {
		fprintf(stderr, "dnetsim plot: no results file given\n");
		plot_usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (*outdir != NULL && (*outdir)[0] == '\0') {
		fprintf(stderr, "dnetsim plot: -o needs a directory\n");
		return DN_EXIT_USAGE;
	}
	return -1;
}

/* printf into a new malloc'd string; NULL if out of memory. */
static char *DN_PRINTF(1, 2) plot_strf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	int m = vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (m != n) {
		free(s);
		return NULL;
	}
	return s;
}

/* "run.h5" -> "run-plots"; any other name gets "-plots" appended. */
static char *plot_default_dir(const char *file)
{
	size_t len = strlen(file);
	if (len > 3 && strcmp(file + len - 3, ".h5") == 0)
		len -= 3;
	return plot_strf("%.*s-plots", (int)len, file);
}

/* Creates dir (one level) unless it is already a directory; 1 if created,
 * 0 if it existed, -1 (with a message) on failure. */
static int plot_mkdir(const char *dir)
{
	if (mkdir(dir, 0777) == 0)
		return 1;
	int e = errno;
	struct stat st;
	if (e == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "dnetsim plot: cannot create directory %s: %s\n", dir,
		e == EEXIST ? "exists and is not a directory" : strerror(e));
	return -1;
}

/*
 * Appends s to the gnuplot -e text as a single-quoted string: a quote is
 * written twice, nothing else is special inside single quotes. gnuplot
 * reads -e up to the end of the line, so a control character cannot be
 * passed: in labels it becomes a space, in file names it is refused.
 */
static bool plot_quote(char *out, size_t cap, size_t *len, const char *s, bool is_path)
{
	if (*len + 1 >= cap)
		return false;
	out[(*len)++] = '\'';
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;
		if ((unsigned char)c < 0x20 || c == 0x7f) {
			if (is_path)
				return false;
			c = ' ';
		}
		if (*len + 3 >= cap)
			return false;
		if (c == '\'')
			out[(*len)++] = '\'';
		out[(*len)++] = c;
	}
	if (*len + 2 >= cap)
		return false;
	out[(*len)++] = '\'';
	out[*len] = '\0';
	return true;
}

static bool plot_lit(char *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > cap)
		return false;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return true;
}

/* The -e text; NULL (with a message printed) if a name cannot be passed. */
static char *plot_expr(const char *datafile, const char *outfile, const char *title,
		       const char *ylabel)
{
	size_t cap = 64 + 2 * (strlen(datafile) + strlen(outfile) + strlen(title) + strlen(ylabel));
	char *e = malloc(cap);
	if (e == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		return NULL;
	}
	size_t len = 0;
	e[0] = '\0';
	bool ok = plot_lit(e, cap, &len, "datafile=") &&
		  plot_quote(e, cap, &len, datafile, true) &&
		  plot_lit(e, cap, &len, "; outfile=") &&
		  plot_quote(e, cap, &len, outfile, true) &&
		  plot_lit(e, cap, &len, "; title=") && plot_quote(e, cap, &len, title, false) &&
		  plot_lit(e, cap, &len, "; ylabel=") && plot_quote(e, cap, &len, ylabel, false);
	if (!ok) {
		fprintf(stderr, "dnetsim plot: cannot pass %s or %s to gnuplot "
				"(control characters in the name)\n",
			datafile, outfile);
		free(e);
		return NULL;
	}
	return e;
}

/* Writes t (s) and value, one line per sample, to a new temporary in dir. */
static char *plot_write_data(const dn_series_data *s, const char *dir)
{
	char *path = plot_strf("%s/.%s.dat.XXXXXX", dir, s->name);
	if (path == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		return NULL;
	}
	int fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "dnetsim plot: cannot create a data file in %s: %s\n", dir,
			strerror(errno));
		free(path);
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		fprintf(stderr, "dnetsim plot: %s: %s\n", path, strerror(errno));
		if (close(fd) != 0 || unlink(path) != 0)
			fprintf(stderr, "dnetsim plot: cannot remove %s\n", path);
		free(path);
		return NULL;
	}
	bool ok = true;
	for (size_t i = 0; ok && i < s->n; i++) {
		/* Seconds printed exactly from integer ns: no rounding at large t. */
		int64_t t = s->t_ns[i];
		uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
		const char *sign = t < 0 ? "-" : "";
		uint64_t sec = mag / (uint64_t)DN_NS_PER_S, frac = mag % (uint64_t)DN_NS_PER_S;
		int n;
		if (s->vt == DN_VT_I64 && s->ivalue != NULL)
			n = fprintf(f, "%s%" PRIu64 ".%09" PRIu64 " %" PRId64 "\n", sign, sec, frac,
				    s->ivalue[i]);
		else if (isfinite(s->value[i]))
			n = fprintf(f, "%s%" PRIu64 ".%09" PRIu64 " %.17g\n", sign, sec, frac,
				    s->value[i]);
		else
			n = fprintf(f, "%s%" PRIu64 ".%09" PRIu64 " NaN\n", sign, sec, frac);
		ok = n > 0;
	}
	if (fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "dnetsim plot: cannot write %s: %s\n", path, strerror(errno));
		if (unlink(path) != 0)
			fprintf(stderr, "dnetsim plot: cannot remove %s\n", path);
		free(path);
		return NULL;
	}
	return path;
}

/* Child side of plot_gnuplot: never returns. */
static void plot_child(const char *expr, const char *script, int errfd)
{
	int null = open("/dev/null", O_RDONLY);
	int e = 0;
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		e = errno;
	if (e == 0) {
		char *const args[] = { (char *)"gnuplot", (char *)"-e", (char *)expr,
				       (char *)script, NULL };
		execvp("gnuplot", args);
		e = errno;
	}
	/* Tell the parent why; it reports. Nothing else is safe after fork. */
	ssize_t w = write(errfd, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* Runs gnuplot -e expr script; 0 if it exited 0, else prints why and -1. */
static int plot_gnuplot(const char *expr, const char *script)
{
	int pfd[2];
	if (pipe(pfd) != 0) {
		fprintf(stderr, "dnetsim plot: pipe: %s\n", strerror(errno));
		return -1;
	}
	/* The write end closes at exec, so reading it tells exec success (EOF)
	 * from failure (an errno). */
	if (fcntl(pfd[1], F_SETFD, FD_CLOEXEC) != 0 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) != 0) {
		fprintf(stderr, "dnetsim plot: fcntl: %s\n", strerror(errno));
		if (close(pfd[0]) != 0 || close(pfd[1]) != 0)
			fprintf(stderr, "dnetsim plot: close: %s\n", strerror(errno));
		return -1;
	}
	if (fflush(NULL) != 0)
		fprintf(stderr, "dnetsim plot: flushing output: %s\n", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "dnetsim plot: fork: %s\n", strerror(errno));
		if (close(pfd[0]) != 0 || close(pfd[1]) != 0)
			fprintf(stderr, "dnetsim plot: close: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		plot_child(expr, script, pfd[1]);
	}
	if (close(pfd[1]) != 0)
		fprintf(stderr, "dnetsim plot: close: %s\n", strerror(errno));
	int exec_errno = 0;
	ssize_t got = -1;
	for (int k = 0; k < DN_PLOT_WAIT_TRIES; k++) {
		got = read(pfd[0], &exec_errno, sizeof exec_errno);
		if (!(got < 0 && errno == EINTR))
			break;
	}
	if (close(pfd[0]) != 0)
		fprintf(stderr, "dnetsim plot: close: %s\n", strerror(errno));

	int status = 0;
	pid_t w = -1;
	for (int k = 0; k < DN_PLOT_WAIT_TRIES; k++) {
		w = waitpid(pid, &status, 0);
		if (!(w < 0 && errno == EINTR))
			break;
	}
	if (w != pid) {
		fprintf(stderr, "dnetsim plot: waiting for gnuplot: %s\n", strerror(errno));
		return -1;
	}
	if (got == (ssize_t)sizeof exec_errno) {
		fprintf(stderr, "dnetsim plot: cannot run gnuplot: %s%s\n", strerror(exec_errno),
			exec_errno == ENOENT ? " (is gnuplot installed and on PATH?)" : "");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "dnetsim plot: gnuplot was killed by signal %d\n", WTERMSIG(status));
	else
		fprintf(stderr, "dnetsim plot: gnuplot failed (exit status %d)\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}

/* One series: data file, gnuplot, PNG path on stdout. 0 ok, -1 failed. */
static int plot_one(const dn_series_data *s, const char *dir, const char *script)
{
	char *png = plot_strf("%s/%s.png", dir, s->name);
	char *ylabel = s->units[0] != '\0'
			       ? plot_strf("%s (%s)", s->description[0] != '\0' ? s->description : s->name,
					   s->units)
			       : plot_strf("%s", s->description[0] != '\0' ? s->description : s->name);
	char *data = NULL, *expr = NULL;
	int rc = -1;
	if (png == NULL || ylabel == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		goto out;
	}
	data = plot_write_data(s, dir);
	if (data == NULL)
		goto out;
	expr = plot_expr(data, png, s->name, ylabel);
	if (expr == NULL)
		goto out;
	if (plot_gnuplot(expr, script) != 0) {
		fprintf(stderr, "dnetsim plot: no picture for series %s\n", s->name);
		/* gnuplot may have left an empty or partial PNG */
		if (unlink(png) != 0 && errno != ENOENT)
			fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", png, strerror(errno));
		goto out;
	}
	if (printf("%s\n", png) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "dnetsim plot: cannot write to stdout\n");
		goto out;
	}
	rc = 0;
out:
	if (data != NULL && unlink(data) != 0)
		fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", data, strerror(errno));
	free(expr);
	free(data);
	free(ylabel);
	free(png);
	return rc;
}

/*
 * The world model's overview: one 3x3 page (overview.png) of the series a
 * reader looks at first, drawn by analysis/overview.gp from one table
 * (time in hours, then the columns below in this order). Only when every
 * one of them is in the file with the same sample times.
 */
static const char *const overview_cols[] = {
	"dnet_price", "coverage", "service_latency_p50_ns", "service_latency_p99_ns",
	"service_price_usd_gb", "holdings_gini", "holdings_top_share", "dtoken_share",
	"initial_vote_share", "delegate_income_usd", "delegate_cost_usd", "sharers_online",
	"sessions_active", "fraud_attempted", "fraud_caught", "missed_slots",
};
#define N_OVERVIEW (sizeof overview_cols / sizeof overview_cols[0])

static int plot_overview(const dn_series_data *s, size_t n, const char *dir, const char *adir)
{
	const dn_series_data *col[N_OVERVIEW];
	for (size_t k = 0; k < N_OVERVIEW; k++) {
		col[k] = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(s[i].name, overview_cols[k]) == 0)
				col[k] = &s[i];
		if (col[k] == NULL || col[k]->n != col[0]->n)
			return 0; /* not a world file: nothing to do */
	}
	char *script = plot_strf("%s/overview.gp", adir);
	char *data = plot_strf("%s/.overview.dat.XXXXXX", dir);
	char *png = plot_strf("%s/overview.png", dir);
	char *expr = NULL;
	int rc = -1, fd = -1;
	FILE *f = NULL;
	if (!script || !data || !png) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		goto out;
	}
	fd = mkstemp(data);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "dnetsim plot: cannot create a data file in %s: %s\n", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(data);
		data = NULL;
		goto out;
	}
	bool ok = true;
	for (size_t i = 0; ok && i < col[0]->n; i++) {
		ok = fprintf(f, "%.6f", (double)col[0]->t_ns[i] / 3600e9) > 0;
		for (size_t k = 0; ok && k < N_OVERVIEW; k++)
			ok = fprintf(f, " %.9g", col[k]->value[i]) > 0;
		ok = ok && fputc('\n', f) != EOF;
	}
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "dnetsim plot: cannot write %s\n", data);
		goto out;
	}
	expr = plot_strf("datafile='%s'; outfile='%s'", data, png);
	if (expr == NULL || strchr(data, '\'') || strchr(png, '\''))
		goto out;
	if (plot_gnuplot(expr, script) != 0) {
		fprintf(stderr, "dnetsim plot: no overview picture\n");
		unlink(png);
		goto out;
	}
	printf("%s\n", png);
	rc = 0;
out:
	if (data)
		unlink(data);
	free(expr);
	free(png);
	free(data);
	free(script);
	return rc;
}

int dn_cmd_plot(int argc, char **argv)
{
	const char *file = NULL, *outdir = NULL;
	int prc = plot_parse(argc, argv, &file, &outdir);
	if (prc >= 0)
		return prc;

	const char *adir = getenv("DNETSIM_ANALYSIS_DIR");
	if (adir == NULL || adir[0] == '\0')
		adir = DN_ANALYSIS_DIR;
	char *script = plot_strf("%s/%s", adir, dn_plot_script);
	char *dir = outdir != NULL ? plot_strf("%s", outdir) : plot_default_dir(file);
	dn_series_data *s = NULL;
	size_t n = 0;
	int rc = DN_EXIT_FAIL;
	if (script == NULL || dir == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		goto out;
	}
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "dnetsim plot: cannot read the gnuplot script %s: %s "
				"(set DNETSIM_ANALYSIS_DIR to the analysis/ folder)\n",
			script, strerror(errno));
		goto out;
	}

	char err[DN_PLOT_ERR];
	dn_rc r = dn_results_read_series(file, &s, &n, err, sizeof err);
	if (r != DN_OK) {
		fprintf(stderr, "dnetsim plot: %s (%s)\n", err, dn_rc_str(r));
		goto out;
	}
	if (n == 0) {
		fprintf(stderr, "dnetsim plot: %s has no series: nothing to draw\n", file);
		rc = DN_EXIT_OK;
		goto out;
	}
	int made = plot_mkdir(dir);
	if (made < 0)
		goto out;
	rc = DN_EXIT_OK;
	size_t drawn = 0;
	for (size_t i = 0; i < n; i++) {
		if (plot_one(&s[i], dir, script) != 0) {
			rc = DN_EXIT_FAIL;
			break; /* gnuplot missing or broken: the next one would fail too */
		}
		drawn++;
	}
	if (rc == DN_EXIT_OK && plot_overview(s, n, dir, adir) != 0)
		rc = DN_EXIT_FAIL;
	/* Leave no empty directory behind when nothing could be drawn. */
	if (drawn == 0 && made == 1 && rmdir(dir) != 0)
		fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", dir, strerror(errno));
out:
	dn_series_data_free(s, n);
	free(dir);
	free(script);
	return rc;
}
