/*
 * sweep.c: `dnetsim sweep FILE`: every member of the scenario's `sweep:`
 * block (sim/engine/sweep.h), run in its own process (a fork that runs `dnetsim run`), on
 * this machine (--jobs N) or across MPI ranks (mpirun -n N dnetsim sweep),
 * gathered into one HDF5 file (sim/engine/sweepfile.h). docs/sweeps.md is
 * the user's reference.
 *
 * Nothing is lost:
 *   - each member writes its own results file, OUT.d/m<index>.h5, through
 *     `dnetsim run` (a temporary renamed at the end): it exists only once
 *     the member is complete;
 *   - a member that fails leaves OUT.d/m<index>.failed (its reason) and
 *     OUT.d/m<index>.log (its error output); the sweep goes on;
 *   - OUT itself is rewritten whole, through a temporary and a rename, at
 *     the start, every little while (never more than 2 % of the time) and
 *     at the end: a reader or a crash sees the last complete version;
 *   - --resume finds the complete members' files and runs the others.
 * Each member is its own process (a fork that runs the run command): a
 * member that crashes, is killed or runs out of time is marked failed and
 * the sweep goes on.
 *
 * Under MPI rank 0 runs members like the local runner and hands members
 * to the other ranks as they ask for them (longest first); the ranks run
 * them as child processes and report back. OUT.d must be on a file system
 * every rank sees (docs/cluster.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef DN_HAVE_MPI
#include <mpi.h>
#endif

#include "cli.h"
#include "common.h"
#include "results.h"
#include "sweep.h"
#include "sweepfile.h"

#include "dn_gitrev.h"

#ifndef DN_VERSION
#define DN_VERSION "0.0.0"
#endif

extern char **environ;

enum {
	SW_SLOTS_MAX = 256,
	SW_PATH_MAX = 4096,
	/* MPI tags */
	TAG_ASK = 1,
	TAG_GIVE = 2,
	TAG_DONE = 3
};

typedef struct sw_opts {
	const char *path;
	const char *out;
	bool list, resume, force, quiet, progress, keep, slurm;
	bool series;
	uint64_t jobs, threads;
	uint64_t replicates, seed; /* --replicates: an ensemble of the base scenario */
	bool seed_set;
	double timeout_s;
	dn_cli_sets sets;
} sw_opts;

typedef struct slot {
	pid_t pid;
	uint64_t m;
	double t0;
} slot;

/* What one finished member reports (also the MPI message). */
typedef struct member_report {
	uint64_t m;
	int32_t status; /* dn_member_status */
	double wall_s;
	char reason[256];
} member_report;

typedef struct sweep_run {
	const sw_opts *o;
	dn_cli_registry *cr;
	dn_sweep *sw;
	dn_member_state *mem;
	uint64_t n;
	char *dir;          /* OUT.d */
	char self[SW_PATH_MAX];
	uint64_t *order;    /* pending members, longest first */
	uint64_t n_order, next;
	uint64_t done, failed, running, todo;
	double t_start, last_snap, snap_cost, snap_total;
	char *scenario_text, *base_yaml;
	dn_sweepcache *cache; /* the members' summaries, read once */
	int rank, ranks;
	bool tty;
	bool released; /* every other rank was told there is nothing more */
} sweep_run;

static volatile sig_atomic_t sw_stop;

static void on_stop(int sig)
{
	(void)sig;
	sw_stop = 1;
}

static double now_s(void)
{
	return dn_cli_now_s();
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: dnetsim sweep FILE [options]\n"
	        "  Runs every member of FILE's sweep: block (docs/sweeps.md) and gathers them\n"
	        "  into one HDF5 file. Under mpirun, rank 0 hands members to every rank.\n\n"
	        "  --list          print the members (point, replicate, seed, values) and stop\n"
	        "  --replicates N  run N seeds of FILE's base scenario instead of its sweep:\n"
	        "                  block (a Monte Carlo ensemble of any scenario)\n"
	        "  --seed S        with --replicates: the seed the members' seeds come from\n"
	        "                  (default: the scenario's sim.seed)\n"
	        "  --slurm-script  print a Slurm batch script that runs this sweep with mpirun\n"
	        "                  (adapt it, then sbatch it; docs/cluster.md) and stop\n"
	        "  --out PATH      the sweep's results file (default: results/<name>-sweep.h5);\n"
	        "                  members' own files go to PATH.d/\n"
	        "  --resume        finish an interrupted sweep: run only the members that are\n"
	        "                  missing or failed\n"
	        "  --force         start again: replace PATH and the members in PATH.d/\n"
	        "  --jobs N        members at once on this machine (default 1 under MPI, else\n"
	        "                  the cores free when the sweep starts)\n"
	        "  --threads N     OpenMP threads of each member (default 1)\n"
	        "  --timeout S     a member running longer than S seconds is stopped and\n"
	        "                  marked failed (default: no limit)\n"
	        "  --series MODE   all (default): gather every member's series into PATH;\n"
	        "                  none: summaries only (the series stay in PATH.d/)\n"
	        "  --keep-members  keep PATH.d/ after a sweep whose members all completed\n"
	        "  --set NAME=VAL  override a parameter of every member (not a swept one)\n"
	        "  --quiet         no progress line; one log line per member instead\n"
	        "  --progress      the progress line even when stderr is not a terminal\n"
	        "  --help          this text\n\n"
	        "exit codes: 0 every member complete, 1 a member failed or the sweep was\n"
	        "interrupted (PATH holds what was done; --resume finishes it), 2 usage or\n"
	        "scenario error (nothing ran)\n");
}

static int parse_opts(int argc, char **argv, sw_opts *o)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'l'},       {"out", required_argument, NULL, 'o'},
		{"resume", no_argument, NULL, 'r'},     {"force", no_argument, NULL, 'f'},
		{"jobs", required_argument, NULL, 'j'}, {"threads", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 'T'}, {"series", required_argument, NULL, 'S'},
		{"keep-members", no_argument, NULL, 'k'}, {"set", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},      {"progress", no_argument, NULL, 'p'},
		{"slurm-script", no_argument, NULL, 'B'}, {"replicates", required_argument, NULL, 'R'},
		{"seed", required_argument, NULL, 'E'},
		{"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	o->series = true;
	o->threads = 1;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o->list = true; break;
		case 'B': o->slurm = true; break;
		case 'o': o->out = optarg; break;
		case 'r': o->resume = true; break;
		case 'f': o->force = true; break;
		case 'k': o->keep = true; break;
		case 'q': o->quiet = true; break;
		case 'p': o->progress = true; break;
		case 'j':
			if (!dn_cli_parse_u64("--jobs", optarg, &o->jobs))
				return DN_EXIT_USAGE;
			if (o->jobs < 1 || o->jobs > SW_SLOTS_MAX) {
				fprintf(stderr, "dnetsim sweep: --jobs must be between 1 and %d\n", SW_SLOTS_MAX);
				return DN_EXIT_USAGE;
			}
			break;
		case 't':
			if (!dn_cli_parse_u64("--threads", optarg, &o->threads))
				return DN_EXIT_USAGE;
			if (o->threads > 1024) {
				fprintf(stderr, "dnetsim sweep: --threads must be at most 1024\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'T':
			if (!dn_cli_parse_double("--timeout", optarg, &o->timeout_s))
				return DN_EXIT_USAGE;
			if (!(o->timeout_s > 0)) {
				fprintf(stderr, "dnetsim sweep: --timeout must be a positive number of seconds\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'S':
			if (strcmp(optarg, "all") == 0) {
				o->series = true;
			} else if (strcmp(optarg, "none") == 0) {
				o->series = false;
			} else {
				fprintf(stderr, "dnetsim sweep: --series must be all or none\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 's':
			if (!dn_cli_set_opt(&o->sets, "sweep", optarg, optind < argc ? argv[optind] : NULL))
				return DN_EXIT_USAGE;
			break;
		case 'R':
			if (!dn_cli_parse_u64("--replicates", optarg, &o->replicates))
				return DN_EXIT_USAGE;
			if (o->replicates < 1 || o->replicates > DN_SWEEP_REPLICATES_MAX) {
				fprintf(stderr, "dnetsim sweep: --replicates must be from 1 to %d\n", DN_SWEEP_REPLICATES_MAX);
				return DN_EXIT_USAGE;
			}
			break;
		case 'E':
			if (!dn_cli_parse_u64("--seed", optarg, &o->seed) || o->seed > (uint64_t)INT64_MAX) {
				fprintf(stderr, "dnetsim sweep: --seed must be a whole number from 0 to %" PRId64 "\n", INT64_MAX);
				return DN_EXIT_USAGE;
			}
			o->seed_set = true;
			break;
		case 'h': usage(stdout); return DN_EXIT_OK;
		default: usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind < argc)
			(void)dn_cli_operand_hint("sweep", &o->sets, argc, argv, optind);
		usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (o->resume && o->force) {
		fprintf(stderr, "dnetsim sweep: --resume keeps the members done, --force discards them: "
		                "give one\n");
		return DN_EXIT_USAGE;
	}
	if (o->seed_set && !o->replicates) {
		fprintf(stderr, "dnetsim sweep: --seed goes with --replicates (a sweep: block has its own seed:)\n");
		return DN_EXIT_USAGE;
	}
	o->path = argv[optind];
	return -1;
}

static char *read_text(const char *path)
{
	char why[256];
	FILE *f = dn_fopen_input(path, 16u << 20, why, sizeof why);
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *t = malloc(cap);
	while (t) {
		size_t k = fread(t + len, 1, cap - len - 1, f);
		len += k;
		if (k == 0)
			break;
		if (len + 1 == cap) {
			char *u = realloc(t, cap * 2);
			if (!u) {
				free(t);
				t = NULL;
				break;
			}
			t = u;
			cap *= 2;
		}
	}
	fclose(f);
	if (t)
		t[len] = '\0';
	return t;
}

/* ---- members ---- */

/* The overrides of member m after the user's --set ones: argv for `run`. */
static char **member_argv(const sweep_run *R, uint64_t m, char ***ov, size_t *nov)
{
	if (dn_sweep_member_overrides(R->sw, m, ov, nov))
		return NULL;
	size_t n = 12 + 2 * (R->o->sets.n + *nov);
	char **a = calloc(n, sizeof *a);
	if (!a)
		return NULL;
	static char threads[32];
	snprintf(threads, sizeof threads, "%" PRIu64, R->o->threads);
	static char out[SW_PATH_MAX];
	snprintf(out, sizeof out, "%s/m%06" PRIu64 ".h5", R->dir, m);
	size_t k = 0;
	a[k++] = "dnetsim";
	a[k++] = "run";
	a[k++] = (char *)R->o->path;
	a[k++] = "--quiet";
	a[k++] = "--threads";
	a[k++] = threads;
	a[k++] = "--out";
	a[k++] = out;
	for (size_t i = 0; i < R->o->sets.n; i++) {
		a[k++] = "--set";
		a[k++] = (char *)R->o->sets.v[i];
	}
	for (size_t i = 0; i < *nov; i++) {
		a[k++] = "--set";
		a[k++] = (*ov)[i];
	}
	a[k] = NULL;
	return a;
}

static void free_ov(char **ov, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ov[i]);
	free(ov);
}

static void member_path(const sweep_run *R, uint64_t m, const char *ext, char *buf, size_t len)
{
	snprintf(buf, len, "%s/m%06" PRIu64 ".%s", R->dir, m, ext);
}

/* Writes text to path through a temporary and a rename (no fsync: these
 * records only save a resume some work; a lost one is a member run again). */
static int write_small(const char *path, const char *text)
{
	char tmp[SW_PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(text, f);
	int bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The last non-empty line of a member's log, for its reason. */
static void last_line(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		size_t k = strlen(line);
		while (k && (line[k - 1] == '\n' || line[k - 1] == '\r'))
			line[--k] = '\0';
		char *p = strrchr(line, '\r'); /* a progress line's last state */
		const char *q = p ? p + 1 : line;
		if (*q)
			snprintf(buf, len, "%.*s", (int)(len - 1), q);
	}
	fclose(f);
}

/*
 * Starts member m as `dnetsim run ... --out OUT.d/m<index>.h5` in a child
 * process, its error output in OUT.d/m<index>.log. The child is a fork of
 * this process that calls the run command directly: the libraries are
 * loaded and set up already, so a member costs a fork (about a
 * millisecond) instead of starting the program again (tens of
 * milliseconds). This process never runs OpenMP or holds an HDF5 file
 * open while it forks, so the child starts clean. The child asks to be
 * killed when the sweep dies (PR_SET_PDEATHSIG), so a sweep that is
 * killed leaves no member running on.
 */
static pid_t spawn_member(const sweep_run *R, uint64_t m)
{
	char **ov = NULL;
	size_t nov = 0;
	char **a = member_argv(R, m, &ov, &nov);
	if (!a) {
		free_ov(ov, nov);
		errno = ENOMEM;
		return -1;
	}
	char log[SW_PATH_MAX];
	member_path(R, m, "log", log, sizeof log);
	pid_t parent = getpid();
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		char name[16]; /* what ps and top show: dnetsim-m000012 */
		snprintf(name, sizeof name, "dnetsim-m%06" PRIu64, m % 1000000);
		(void)prctl(PR_SET_NAME, name);
		int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY),
		    err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int argc = 0;
		while (a[argc])
			argc++;
		optind = 0; /* getopt starts afresh */
		int code = dn_cmd_run(argc - 1, a + 1);
		if (code == DN_EXIT_OK && R->o->series) {
			/* the series packed for the gathering, here in parallel with
			 * the other members (sweepfile.h); without it the sweep
			 * reads the results file itself */
			char h5[SW_PATH_MAX], pk[SW_PATH_MAX], e[256];
			member_path(R, m, "h5", h5, sizeof h5);
			dn_sweepfile_pack_name(h5, pk, sizeof pk);
			if (dn_sweepfile_pack(h5, pk, e, sizeof e))
				fprintf(stderr, "dnetsim sweep: %s (the sweep reads the results file instead)\n", e);
		}
		fflush(NULL);
		_exit(code);
	}
	int e = errno;
	free(a);
	free_ov(ov, nov);
	errno = e;
	return pid;
}

/* The outcome of a member whose process ended with `status`. */
static void judge(const sweep_run *R, uint64_t m, int status, double wall, bool timed_out,
                  member_report *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->m = m;
	rep->wall_s = wall;
	char h5[SW_PATH_MAX], log[SW_PATH_MAX], line[512];
	member_path(R, m, "h5", h5, sizeof h5);
	member_path(R, m, "log", log, sizeof log);
	last_line(log, line, sizeof line);
	if (timed_out || WIFSIGNALED(status))
		(void)dn_results_clean_stale(h5, NULL, NULL); /* the killed member's temporary */
	if (timed_out) {
		rep->status = DN_MEMBER_FAILED;
		snprintf(rep->reason, sizeof rep->reason, "timeout: stopped after %.0f s", R->o->timeout_s);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(h5, F_OK) == 0) {
		rep->status = DN_MEMBER_COMPLETE;
	} else if (WIFSIGNALED(status)) {
		rep->status = DN_MEMBER_FAILED;
		snprintf(rep->reason, sizeof rep->reason, "crashed: killed by signal %d (%s)%s%.200s",
		         WTERMSIG(status), strsignal(WTERMSIG(status)), line[0] ? ": " : "", line);
	} else {
		rep->status = DN_MEMBER_FAILED;
		snprintf(rep->reason, sizeof rep->reason, "error: exit code %d%s%.200s",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1, line[0] ? ": " : "", line);
	}
}

/* Whether the progress line is drawn (else one log line per member). */
static bool progress_on(const sweep_run *R)
{
	return !R->o->quiet && (R->tty || R->o->progress);
}

/* A member can fail after its results file was renamed into place (killed
 * while packing, or an error after the run). That file is kept aside for a
 * look, as m<index>.failed.h5, and its pack removed: the sweep's verdict
 * and --resume then agree, and the member can run again. */
static void set_aside(const sweep_run *R, uint64_t m)
{
	char h5[SW_PATH_MAX], aside[SW_PATH_MAX];
	member_path(R, m, "h5", h5, sizeof h5);
	member_path(R, m, "failed.h5", aside, sizeof aside);
	if (access(h5, F_OK) == 0)
		(void)rename(h5, aside);
	member_path(R, m, "rows.h5", h5, sizeof h5);
	(void)unlink(h5);
}

/* Records a finished member here (rank 0), from this machine or a rank. */
static void record(sweep_run *R, const member_report *rep, const char *worker)
{
	dn_member_state *s = &R->mem[rep->m];
	if (sw_stop && rep->status != DN_MEMBER_COMPLETE) {
		/* stopped with the sweep (an interrupt reaches the members too):
		 * not a failure, just not done; --resume runs it */
		s->status = DN_MEMBER_PENDING;
		return;
	}
	s->status = rep->status;
	s->wall_s = rep->wall_s;
	snprintf(s->worker, sizeof s->worker, "%s", worker);
	snprintf(s->reason, sizeof s->reason, "%s", rep->reason);
	char p[SW_PATH_MAX];
	member_path(R, rep->m, "failed", p, sizeof p);
	if (rep->status == DN_MEMBER_FAILED) {
		char text[400];
		snprintf(text, sizeof text, "%s\n", rep->reason);
		(void)write_small(p, text);
		set_aside(R, rep->m);
		R->failed++;
	} else {
		(void)unlink(p);
		member_path(R, rep->m, "failed.h5", p, sizeof p);
		(void)unlink(p);
		member_path(R, rep->m, "h5", p, sizeof p);
		free(s->file);
		s->file = strdup(p);
		char meta[128];
		snprintf(meta, sizeof meta, "%.6f %s\n", rep->wall_s, worker);
		member_path(R, rep->m, "meta", p, sizeof p);
		(void)write_small(p, meta);
		member_path(R, rep->m, "log", p, sizeof p);
		(void)unlink(p);
		R->done++;
	}
	if (!progress_on(R)) {
		fprintf(stderr, "sweep: member %" PRIu64 " %s in %.2f s (%s)%s%s\n", rep->m,
			        rep->status == DN_MEMBER_COMPLETE ? "complete" : "FAILED", rep->wall_s, worker,
			        rep->status == DN_MEMBER_FAILED ? ": " : "", rep->status == DN_MEMBER_FAILED ? rep->reason : "");
	} else if (rep->status == DN_MEMBER_FAILED) {
		fprintf(stderr, "\rsweep: member %" PRIu64 " FAILED (%s): %s\033[K\n", rep->m, worker, rep->reason);
	}
}

static void progress(sweep_run *R, bool force)
{
	static double last;
	if (!progress_on(R))
		return;
	double t = now_s();
	if (!force && t - last < 0.5)
		return;
	last = t;
	double el = t - R->t_start;
	uint64_t fin = R->done + R->failed;
	uint64_t fresh = fin > 0 ? fin : 0;
	double rate = el > 0 ? 60.0 * (double)fresh / el : 0;
	uint64_t left = R->todo > fin ? R->todo - fin : 0;
	double eta = fresh ? el / (double)fresh * (double)left : NAN;
	fprintf(stderr, "\rsweep: %" PRIu64 "/%" PRIu64 " done, %" PRIu64 " running, %" PRIu64
	                " failed  %.1f members/min  elapsed %.0f s  ETA %s%.0f s\033[K",
	        R->done, R->todo, R->running, R->failed, rate, el, isnan(eta) ? "? " : "", isnan(eta) ? 0.0 : eta);
}

/* Rewrites OUT whole: at most 2 % of the time (50 times its last cost
 * apart, and 2 s) unless `final`. */
static int snapshot(sweep_run *R, bool final)
{
	double t = now_s();
	if (!final && t - R->last_snap < fmax(2.0, 50.0 * R->snap_cost))
		return 0;
	/* the members' series are gathered at the end; until then they are
	 * in their own files (docs/sweeps.md) */
	dn_sweepfile_meta meta = {.scenario_text = R->scenario_text, .base_yaml = R->base_yaml,
	                          .version = DN_VERSION, .git_revision = DN_GIT_REV,
	                          .series = R->o->series && final && R->todo > 0 &&
	                                    R->done + R->failed >= R->todo,
	                          .cache = R->cache};
	char err[1024];
	dn_rc rc = dn_sweepfile_write(R->o->out, R->sw, &meta, R->mem, err, sizeof err);
	double t1 = now_s();
	R->snap_cost = t1 - t;
	R->snap_total += t1 - t;
	R->last_snap = t1;
	if (rc) {
		fprintf(stderr, "%sdnetsim sweep: cannot write %s: %s\n", R->tty ? "\n" : "", R->o->out, err);
		return -1;
	}
	return 0;
}

/* Member m's scenario: the file, the user's --set, then the member's own
 * overrides. DN_OK and *ms, or the loader's code with err filled. */
static dn_rc member_scenario(const sweep_run *R, uint64_t m, dn_scenario **ms, char *err, size_t errlen)
{
	char **ov = NULL;
	size_t nov = 0;
	const char *all[DN_CLI_MAX_SETS + DN_SWEEP_PARAMS_MAX + 2];
	*ms = NULL;
	dn_rc rc = dn_sweep_member_overrides(R->sw, m, &ov, &nov);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	size_t k = 0;
	for (size_t i = 0; i < R->o->sets.n; i++)
		all[k++] = R->o->sets.v[i];
	for (size_t i = 0; i < nov; i++)
		all[k++] = ov[i];
	rc = dn_scenario_load(R->cr->reg, R->o->path, all, k, ms, err, errlen);
	free_ov(ov, nov);
	return rc;
}

/* Which members are already done (files in OUT.d): the resume. */
static int scan_members(sweep_run *R, uint64_t *found_complete, uint64_t *found_failed)
{
	*found_complete = *found_failed = 0;
	char p[SW_PATH_MAX], err[512];
	for (uint64_t m = 0; m < R->n; m++) {
		dn_member_state *s = &R->mem[m];
		/* the sweep's verdict comes first: a member marked failed runs
		 * again, even if its results file was renamed into place before
		 * it failed (set_aside) */
		member_path(R, m, "failed", p, sizeof p);
		FILE *ff = fopen(p, "r");
		if (ff) {
			if (!fgets(s->reason, sizeof s->reason, ff))
				s->reason[0] = '\0';
			s->reason[strcspn(s->reason, "\n")] = '\0';
			s->status = DN_MEMBER_FAILED;
			fclose(ff);
			set_aside(R, m);
			(*found_failed)++;
			continue;
		}
		member_path(R, m, "h5", p, sizeof p);
		if (access(p, F_OK) == 0) {
			char *text = NULL;
			if (dn_results_read_scenario(p, &text, err, sizeof err)) {
				fprintf(stderr, "dnetsim sweep: %s\n", err);
				return -1;
			}
			/* the member's resolved scenario must be what it would be now */
			dn_scenario *ms = NULL;
			char lerr[2048];
			dn_rc rc = member_scenario(R, m, &ms, lerr, sizeof lerr);
			char *want = rc ? NULL : dn_scenario_to_yaml(ms);
			bool same = want && strcmp(want, text) == 0;
			free(want);
			dn_scenario_free(ms);
			free(text);
			if (!same) {
				fprintf(stderr,
				        "dnetsim sweep: %s was made from another scenario than member %" PRIu64
				        " has now (the file or the sweep changed): --force starts the sweep again\n",
				        p, m);
				return -1;
			}
			s->status = DN_MEMBER_COMPLETE;
			s->file = strdup(p);
			member_path(R, m, "meta", p, sizeof p);
			FILE *f = fopen(p, "r");
			if (f) {
				char w[64] = "";
				if (fscanf(f, "%lf %63[^\n]", &s->wall_s, w) >= 1)
					snprintf(s->worker, sizeof s->worker, "%s", w);
				fclose(f);
			}
			(*found_complete)++;
		}
	}
	return 0;
}

/* Removes the member files of an earlier sweep in OUT.d (--force). */
static void clear_members(const sweep_run *R)
{
	static const char *const ext[] = {"h5", "failed", "failed.h5", "log", "meta", "rows.h5"};
	char p[SW_PATH_MAX];
	for (uint64_t m = 0; m < R->n; m++)
		for (size_t e = 0; e < sizeof ext / sizeof ext[0]; e++) {
			member_path(R, m, ext[e], p, sizeof p);
			(void)unlink(p);
		}
}

/* After a complete sweep: members' temporaries that other hosts' killed
 * members left (only this host's are cleaned as they die). No member of
 * the sweep runs any more, so none of them is anyone's work. */
static void remove_leftovers(const sweep_run *R)
{
	DIR *d = opendir(R->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		unsigned long long m;
		char rest[8];
		if ((sscanf(e->d_name, "m%6llu.h5.tmp-%1[^\n]", &m, rest) == 2 ||
		     sscanf(e->d_name, "m%6llu.rows.h5.tmp-%1[^\n]", &m, rest) == 2) &&
		    strlen(e->d_name) > 15 && m < R->n) {
			char p[SW_PATH_MAX];
			snprintf(p, sizeof p, "%s/%s", R->dir, e->d_name);
			(void)unlink(p);
		}
	}
	closedir(d);
}

static bool any_member_files(const sweep_run *R)
{
	char p[SW_PATH_MAX];
	for (uint64_t m = 0; m < R->n; m++) {
		member_path(R, m, "h5", p, sizeof p);
		if (access(p, F_OK) == 0)
			return true;
		member_path(R, m, "failed", p, sizeof p);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

/* A member's cost, for longest-first: simulated seconds x agents. */
static double member_cost(const sweep_run *R, uint64_t m)
{
	char **ov = NULL;
	size_t nov = 0;
	double cost = 1;
	if (dn_sweep_member_overrides(R->sw, m, &ov, &nov))
		return cost;
	for (size_t i = 0; i < nov; i++) {
		const char *eq = strchr(ov[i], '=');
		if (!eq)
			continue;
		if (strncmp(ov[i], "sim.end_time_s=", 15) == 0 || strncmp(ov[i], "world.agents=", 13) == 0)
			cost *= strtod(eq + 1, NULL);
	}
	free_ov(ov, nov);
	return cost;
}

static double *g_cost;
static int by_cost(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	if (g_cost[x] != g_cost[y])
		return g_cost[x] > g_cost[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void make_order(sweep_run *R)
{
	R->order = malloc((R->n ? R->n : 1) * sizeof *R->order);
	double *cost = malloc((R->n ? R->n : 1) * sizeof *cost);
	R->n_order = 0;
	if (!R->order || !cost) {
		free(cost);
		return;
	}
	bool differ = false;
	for (uint64_t m = 0; m < R->n; m++) {
		cost[m] = member_cost(R, m);
		differ |= cost[m] != cost[0];
		if (R->mem[m].status != DN_MEMBER_COMPLETE)
			R->order[R->n_order++] = m;
	}
	if (differ) {
		g_cost = cost;
		qsort(R->order, R->n_order, sizeof *R->order, by_cost);
	}
	free(cost);
	R->todo = R->n;
	R->next = 0;
}

static bool next_member(sweep_run *R, uint64_t *m)
{
	if (R->next >= R->n_order)
		return false;
	*m = R->order[R->next++];
	R->mem[*m].status = DN_MEMBER_PENDING;
	R->mem[*m].reason[0] = '\0';
	return true;
}

/* ---- the loop: local slots (and, under MPI, the other ranks) ---- */

static void stop_children(slot *sl, uint64_t ns)
{
	for (uint64_t i = 0; i < ns; i++)
		if (sl[i].pid > 0)
			kill(sl[i].pid, SIGTERM);
	double t0 = now_s();
	for (uint64_t i = 0; i < ns; i++) {
		while (sl[i].pid > 0) {
			int st;
			pid_t p = waitpid(sl[i].pid, &st, WNOHANG);
			if (p == sl[i].pid || (p < 0 && errno == ECHILD)) {
				sl[i].pid = 0;
				break;
			}
			if (now_s() - t0 > 5.0)
				kill(sl[i].pid, SIGKILL);
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
		}
	}
}

/* Reaps finished children of the slots; fills reports, returns how many. */
static int reap(sweep_run *R, slot *sl, uint64_t ns, member_report *reps, const char *who)
{
	int k = 0;
	double t = now_s();
	for (uint64_t i = 0; i < ns; i++) {
		if (sl[i].pid <= 0)
			continue;
		int st;
		bool to = R->o->timeout_s > 0 && t - sl[i].t0 > R->o->timeout_s;
		if (to)
			kill(sl[i].pid, SIGKILL);
		pid_t p = waitpid(sl[i].pid, &st, to ? 0 : WNOHANG);
		if (p != sl[i].pid)
			continue;
		judge(R, sl[i].m, st, now_s() - sl[i].t0, to, &reps[k]);
		(void)who;
		k++;
		sl[i].pid = 0;
	}
	return k;
}

static bool start_in_slot(sweep_run *R, slot *s, uint64_t m, member_report *fail)
{
	s->m = m;
	s->t0 = now_s();
	s->pid = spawn_member(R, m);
	if (s->pid > 0)
		return true;
	memset(fail, 0, sizeof *fail);
	fail->m = m;
	fail->status = DN_MEMBER_FAILED;
	snprintf(fail->reason, sizeof fail->reason, "error: cannot start the member: %s", strerror(errno));
	s->pid = 0;
	return false;
}

/* Waits a little for a child or a signal. */
static void wait_a_little(double max_s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	struct timespec ts = {(time_t)max_s, (long)((max_s - floor(max_s)) * 1e9)};
	(void)sigtimedwait(&set, NULL, &ts);
}

static int run_rank0(sweep_run *R, uint64_t jobs)
{
	slot sl[SW_SLOTS_MAX];
	memset(sl, 0, sizeof sl);
	member_report reps[SW_SLOTS_MAX + 1];
	char who[64];
	int live_ranks = R->ranks - 1;
	bool mpi = R->ranks > 1;
	R->running = 0;
	while (!sw_stop) {
		/* start what the free slots can take */
		for (uint64_t i = 0; i < jobs && !sw_stop; i++) {
			if (sl[i].pid > 0)
				continue;
			uint64_t m;
			if (!next_member(R, &m))
				break;
			if (start_in_slot(R, &sl[i], m, &reps[0])) {
				R->running++;
			} else {
				snprintf(who, sizeof who, "local/%" PRIu64, i + 1);
				record(R, &reps[0], who);
			}
		}
#ifdef DN_HAVE_MPI
		/* the other ranks: asks and reports */
		while (mpi) {
			int flag = 0;
			MPI_Status st;
			MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
			if (!flag)
				break;
			if (st.MPI_TAG == TAG_DONE) {
				member_report rep;
				MPI_Recv(&rep, (int)sizeof rep, MPI_BYTE, st.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD,
				         MPI_STATUS_IGNORE);
				rep.reason[sizeof rep.reason - 1] = '\0';
				snprintf(who, sizeof who, "rank %d", st.MPI_SOURCE);
				if (rep.m < R->n) {
					R->running--;
					record(R, &rep, who);
					(void)snapshot(R, false);
				}
			} else if (st.MPI_TAG == TAG_ASK) {
				int32_t dummy;
				MPI_Recv(&dummy, 1, MPI_INT32_T, st.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD,
				         MPI_STATUS_IGNORE);
				uint64_t m;
				int64_t give = -1;
				if (!sw_stop && next_member(R, &m)) {
					give = (int64_t)m;
					R->running++;
				} else {
					live_ranks--;
				}
				MPI_Send(&give, 1, MPI_INT64_T, st.MPI_SOURCE, TAG_GIVE, MPI_COMM_WORLD);
			} else {
				MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			}
		}
#endif
		int k = reap(R, sl, jobs, reps, "local");
		for (int i = 0; i < k; i++) {
			uint64_t s = 0;
			for (uint64_t j = 0; j < jobs; j++)
				if (sl[j].m == reps[i].m)
					s = j;
			snprintf(who, sizeof who, "local/%" PRIu64, s + 1);
			R->running--;
			record(R, &reps[i], who);
			(void)snapshot(R, false);
		}
		progress(R, false);
		bool busy = false;
		for (uint64_t i = 0; i < jobs; i++)
			busy |= sl[i].pid > 0;
		if (!busy && R->next >= R->n_order && (!mpi || live_ranks == 0) && R->running == 0)
			break;
		if (k == 0) /* a freed slot takes its next member at once */
			wait_a_little(mpi ? 0.001 : 0.2);
	}
	if (sw_stop) {
		stop_children(sl, jobs);
		for (uint64_t i = 0; i < R->n; i++)
			if (R->mem[i].status == DN_MEMBER_PENDING)
				R->mem[i].worker[0] = '\0';
#ifdef DN_HAVE_MPI
		if (mpi) /* the ranks' members cannot be waited for: stop the job */
			fprintf(stderr, "\ndnetsim sweep: interrupted; the other ranks are stopped with the job\n");
#endif
	}
	R->released = !mpi || live_ranks == 0;
	progress(R, true);
	return 0;
}

/* Tells every other rank there is nothing to run (each asks once). */
static void release_ranks(sweep_run *R)
{
#ifdef DN_HAVE_MPI
	for (int k = 1; k < R->ranks; k++) {
		int32_t ask;
		int64_t none = -1;
		MPI_Status st;
		MPI_Recv(&ask, 1, MPI_INT32_T, MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &st);
		MPI_Send(&none, 1, MPI_INT64_T, st.MPI_SOURCE, TAG_GIVE, MPI_COMM_WORLD);
	}
#endif
	R->released = true;
}

#ifdef DN_HAVE_MPI
static void run_worker(sweep_run *R)
{
	slot s = {0};
	for (;;) {
		int32_t ask = 0;
		int64_t m = -1;
		MPI_Send(&ask, 1, MPI_INT32_T, 0, TAG_ASK, MPI_COMM_WORLD);
		MPI_Recv(&m, 1, MPI_INT64_T, 0, TAG_GIVE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (m < 0)
			return;
		member_report rep;
		if (start_in_slot(R, &s, (uint64_t)m, &rep)) {
			while (reap(R, &s, 1, &rep, "rank") == 0)
				wait_a_little(0.05);
		}
		MPI_Send(&rep, (int)sizeof rep, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
	}
}
#endif

/* ---- the command ---- */

static void list_members(const sweep_run *R)
{
	const dn_sweep *sw = R->sw;
	printf("# %s: design %s, %" PRIu64 " points x %" PRIu64 " replicates = %" PRIu64
	       " members, seed %" PRIu64 "%s\n",
	       R->o->path, dn_sweep_design_name(dn_sweep_get_design(sw)), dn_sweep_n_points(sw),
	       dn_sweep_replicates(sw), R->n, dn_sweep_seed(sw),
	       dn_sweep_common_seeds(sw) ? " (common seeds)" : "");
	printf("member\tpoint\treplicate\tseed");
	for (size_t j = 0; j < dn_sweep_n_params(sw); j++)
		printf("\t%s", dn_sweep_param(sw, j)->name);
	printf("\n");
	char buf[DN_SWEEP_VALUE_MAX];
	uint64_t reps = dn_sweep_replicates(sw);
	for (uint64_t m = 0; m < R->n && !ferror(stdout); m++) {
		printf("%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64, m, m / reps, m % reps,
		       dn_sweep_member_seed(sw, m));
		for (size_t j = 0; j < dn_sweep_n_params(sw); j++) {
			dn_sweep_value(sw, m / reps, j, buf, sizeof buf);
			printf("\t%s", buf);
		}
		printf("\n");
	}
}

/* Every member's scenario loads (a value only wrong with the others). */
static bool check_members(sweep_run *R)
{
	char err[4096];
	for (uint64_t m = 0; m < R->n; m++) {
		dn_scenario *ms = NULL;
		dn_rc rc = member_scenario(R, m, &ms, err, sizeof err);
		dn_scenario_free(ms);
		if (rc) {
			fprintf(stderr, "dnetsim sweep: member %" PRIu64 ": %s\n", m, err);
			return false;
		}
	}
	return true;
}

static int self_path(char *buf, size_t len)
{
	ssize_t k = readlink("/proc/self/exe", buf, len - 1);
	if (k <= 0)
		return -1;
	buf[k] = '\0';
	return 0;
}

static uint64_t default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	double load[1];
	if (getloadavg(load, 1) == 1 && n > 0) {
		long busy = (long)(load[0] + 0.5);
		if (busy >= n)
			return 1;
		n -= busy;
	}
	return n > 0 ? (uint64_t)(n > SW_SLOTS_MAX ? SW_SLOTS_MAX : n) : 1;
}

/* A shell word: the text in single quotes when it needs any. */
static void put_word(FILE *f, const char *w)
{
	bool plain = *w != '\0';
	for (const char *c = w; *c; c++)
		plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		         strchr("-_./=:,+@%", *c) != NULL;
	if (plain) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (const char *c = w; *c; c++) {
		if (*c == '\'')
			fputs("'\\''", f);
		else
			fputc(*c, f);
	}
	fputc('\'', f);
}

/* `--slurm-script`: an sbatch script for this sweep (docs/cluster.md). */
static void slurm_script(const sweep_run *R)
{
	const sw_opts *o = R->o;
	char cwd[SW_PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, ".");
	const char *base = strrchr(o->path, '/');
	base = base ? base + 1 : o->path;
	int blen = (int)strcspn(base, ".");
	printf("#!/bin/bash\n"
	       "# Slurm batch script for the sweep of %s (%" PRIu64 " members), printed by\n"
	       "# `dnetsim sweep %s --slurm-script`. Adapt the #SBATCH lines (docs/cluster.md),\n"
	       "# then: sbatch this-file.sh. Submitting it again after a cancel, a time limit or a\n"
	       "# node failure finishes the sweep: the command below resumes.\n",
	       o->path, R->n, o->path);
	printf("#SBATCH --job-name=dnetsim-%.*s\n", blen, base);
	printf("#SBATCH --nodes=1\n"
	       "#SBATCH --ntasks=%" PRIu64 "            # MPI ranks, one member at a time each\n"
	       "#SBATCH --cpus-per-task=%" PRIu64 "     # OpenMP threads of each member\n"
	       "#SBATCH --time=01:00:00\n"
	       "##SBATCH --partition=your-partition\n"
	       "#SBATCH --output=%.*s-sweep-%%j.log\n"
	       "set -euo pipefail\n",
	       R->n < 4 ? (R->n ? R->n : 1) : 4, o->threads, blen, base);
	printf("cd ");
	put_word(stdout, cwd);
	printf("\nDNETSIM=\"${DNETSIM:-");
	printf("%s", R->self[0] ? R->self : "dnetsim");
	printf("}\"\n# mpirun reads the allocation; on clusters that launch MPI with srun instead:\n"
	       "#   srun --mpi=pmix \"$DNETSIM\" sweep ...\n"
	       "mpirun ${MPIRUN_ARGS:-} \"$DNETSIM\" sweep ");
	put_word(stdout, o->path);
	printf(" --out ");
	put_word(stdout, o->out);
	printf(" --resume --quiet --threads \"${SLURM_CPUS_PER_TASK:-1}\"");
	if (o->timeout_s > 0)
		printf(" --timeout %g", o->timeout_s);
	if (!o->series)
		printf(" --series none");
	if (o->keep)
		printf(" --keep-members");
	if (o->replicates)
		printf(" --replicates %" PRIu64 " --seed %" PRIu64, o->replicates, dn_sweep_seed(R->sw));
	for (size_t i = 0; i < o->sets.n; i++) {
		printf(" --set ");
		put_word(stdout, o->sets.v[i]);
	}
	printf("\n");
}

int dn_cmd_sweep(int argc, char **argv)
{
	sw_opts o;
	memset(&o, 0, sizeof o);
	int code = parse_opts(argc, argv, &o);
	if (code >= 0)
		return code;
	sweep_run R;
	memset(&R, 0, sizeof R);
	R.o = &o;
	R.rank = 0;
	R.ranks = 1;
#ifdef DN_HAVE_MPI
	bool mpi = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
	if (mpi && !o.list && !o.slurm) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &R.rank);
		MPI_Comm_size(MPI_COMM_WORLD, &R.ranks);
	} else {
		mpi = false;
	}
#endif
	dn_cli_registry cr;
	dn_scenario *s = NULL;
	char *owned_out = NULL;
	int lock_fd = -1;
	code = DN_EXIT_USAGE;
	R.cr = &cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		code = DN_EXIT_FAIL;
		goto out_noreg;
	}
	/* every rank reads the scenario: the members are a pure function of it */
	s = dn_cli_load(&cr, o.path, &o.sets);
	if (!s)
		goto out;
	{
		char err[16384];
		dn_rc rc = o.replicates ? dn_sweep_ensemble(cr.reg, o.replicates,
		                                            o.seed_set ? o.seed : (uint64_t)dn_scn_int(s, "sim.seed"), &R.sw)
		                        : dn_sweep_from_scenario(cr.reg, s, &R.sw, err, sizeof err);
		if (rc && o.replicates) {
			fprintf(stderr, "dnetsim sweep: %s\n", dn_rc_str(rc));
			goto out;
		}
		if (rc) {
			dn_cli_print_errors(err);
			goto out;
		}
		if (!R.sw) {
			fprintf(stderr, "dnetsim sweep: %s has no sweep: block (docs/sweeps.md); `dnetsim run` runs one scenario\n",
			        o.path);
			goto out;
		}
	}
	R.n = dn_sweep_n_members(R.sw);
	for (size_t i = 0; i < o.sets.n; i++)
		for (size_t j = 0; j < dn_sweep_n_params(R.sw); j++) {
			const char *name = dn_sweep_param(R.sw, j)->name;
			size_t ln = strlen(name);
			const char *v = o.sets.v[i];
			while (*v == ' ')
				v++;
			if (strncmp(v, name, ln) == 0 && (v[ln] == '=' || v[ln] == ' ')) {
				fprintf(stderr, "dnetsim sweep: --set %s: %s is swept; remove it from --set or from the sweep\n",
				        o.sets.v[i], name);
				goto out;
			}
		}
	if (o.list) {
		list_members(&R);
		code = DN_EXIT_OK;
		goto out;
	}
	if (o.slurm) {
		if (!o.out)
			o.out = owned_out = dn_cli_default_out(o.path, "-sweep");
		if (!o.out || self_path(R.self, sizeof R.self))
			R.self[0] = '\0';
		if (o.out)
			slurm_script(&R);
		code = o.out ? DN_EXIT_OK : DN_EXIT_FAIL;
		goto out;
	}
	if (!check_members(&R))
		goto out;
	code = DN_EXIT_FAIL;
	if (!o.out)
		o.out = owned_out = dn_cli_default_out(o.path, "-sweep");
	if (!o.out)
		goto out;
	if (self_path(R.self, sizeof R.self)) {
		fprintf(stderr, "dnetsim sweep: cannot find the program's own path\n");
		goto out;
	}
	size_t dl = strlen(o.out) + 3;
	R.dir = malloc(dl);
	if (!R.dir)
		goto out;
	snprintf(R.dir, dl, "%s.d", o.out);
	R.mem = calloc(R.n ? R.n : 1, sizeof *R.mem);
	R.cache = dn_sweepcache_new(R.n);
	if (!R.mem || !R.cache)
		goto out;
	/* the members are forks of this process: they wait passively at
	 * window ends because main() set OMP_WAIT_POLICY before libgomp loaded */
	signal(SIGPIPE, SIG_IGN);
#ifdef DN_HAVE_MPI
	if (mpi && R.rank > 0) {
		run_worker(&R);
		code = DN_EXIT_OK;
		goto out;
	}
#endif
	/* ---- rank 0 (or the only process) from here ---- */
	{
		bool exists = access(o.out, F_OK) == 0;
		if (!dn_cli_out_ok(o.out, s, &cr, true) || !dn_cli_out_dir_ok(o.out, o.quiet)) {
			code = DN_EXIT_USAGE;
			goto out_abort;
		}
		if (exists && !o.resume && !o.force) {
			fprintf(stderr, "dnetsim sweep: %s exists: --resume finishes that sweep, --force starts again "
			                "(or choose another --out)\n", o.out);
			code = DN_EXIT_USAGE;
			goto out_abort;
		}
		if (mkdir(R.dir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "dnetsim sweep: cannot create %s: %s\n", R.dir, strerror(errno));
			goto out_abort;
		}
		char lockp[SW_PATH_MAX];
		snprintf(lockp, sizeof lockp, "%s/lock", R.dir);
		lock_fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
			fprintf(stderr, "dnetsim sweep: another sweep is writing %s (%s is locked)\n", o.out, lockp);
			code = DN_EXIT_USAGE;
			goto out_abort;
		}
		if (exists && o.resume) {
			char err[1024];
			dn_rc rc = dn_sweepfile_same(o.out, R.sw, err, sizeof err);
			if (rc) {
				fprintf(stderr, "dnetsim sweep: cannot resume %s: %s%s\n", o.out, err,
				        rc == DN_EINVAL ? "; --force starts again" : "");
				code = DN_EXIT_USAGE;
				goto out_abort;
			}
		}
		if (o.force) {
			clear_members(&R);
		} else if (!o.resume && any_member_files(&R)) {
			fprintf(stderr, "dnetsim sweep: %s holds members of an earlier sweep: --resume finishes it, "
			                "--force starts again\n", R.dir);
			code = DN_EXIT_USAGE;
			goto out_abort;
		}
		char probe[SW_PATH_MAX];
		member_path(&R, 0, "h5", probe, sizeof probe);
		(void)dn_results_clean_stale(probe, NULL, NULL); /* members of a killed sweep */
		uint64_t had = 0, had_failed = 0;
		if (scan_members(&R, &had, &had_failed)) {
			code = DN_EXIT_USAGE;
			goto out_abort;
		}
		bool all_done = false, gathered = false;
		if (exists && o.resume && had == 0 && had_failed == 0 &&
		    dn_sweepfile_finished(o.out, R.n, &all_done, &gathered) == DN_OK && all_done &&
		    (gathered || !o.series)) {
			/* finished before (its members' own files are gone): the
			 * file is the result; running or rewriting would lose it */
			fprintf(stderr, "dnetsim sweep: %s is complete (%" PRIu64 " members): nothing to run\n",
			        o.out, R.n);
			release_ranks(&R);
			code = DN_EXIT_OK;
			goto out_abort;
		}
		R.scenario_text = read_text(o.path);
		R.base_yaml = dn_scenario_to_yaml(s);
		if (!R.scenario_text || !R.base_yaml) {
			fprintf(stderr, "dnetsim sweep: cannot read %s again\n", o.path);
			goto out_abort;
		}
		make_order(&R);
		R.tty = isatty(2) && !o.quiet;
		uint64_t jobs = o.jobs ? o.jobs : (R.ranks > 1 ? 1 : default_jobs());
		if (jobs > R.n_order && R.n_order > 0)
			jobs = R.n_order;
		if (!jobs)
			jobs = 1;
		if (!o.quiet) {
			fprintf(stderr,
			        "dnetsim sweep: %s: %" PRIu64 " members (%s, %" PRIu64 " points x %" PRIu64
			        " replicates), %" PRIu64 " to run, %" PRIu64 " at a time here",
			        o.path, R.n, dn_sweep_design_name(dn_sweep_get_design(R.sw)),
			        dn_sweep_n_points(R.sw), dn_sweep_replicates(R.sw), R.n_order, jobs);
			if (R.ranks > 1)
				fprintf(stderr, " and one on each of %d more ranks", R.ranks - 1);
			fprintf(stderr, "\n");
		}
		if (o.resume) /* said even with --quiet: a batch job's log tells what it resumed */
			fprintf(stderr, "dnetsim sweep: resume: %" PRIu64 " complete kept, %" PRIu64
			                " failed to run again, %" PRIu64 " missing: %" PRIu64 " to run\n",
			        had, had_failed, R.n - had - had_failed, R.n_order);
		R.done = had;
		R.t_start = now_s();
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
		R.last_snap = -1e9;
		if (R.n_order > 0 && snapshot(&R, true)) /* the file exists from the start */
			goto out_abort;
		R.failed = 0;
		run_rank0(&R, jobs);
		if (snapshot(&R, true)) {
			code = DN_EXIT_FAIL;
			goto out_abort;
		}
		double el = now_s() - R.t_start;
		uint64_t complete = 0, failed = 0;
		for (uint64_t m = 0; m < R.n; m++) {
			complete += R.mem[m].status == DN_MEMBER_COMPLETE;
			failed += R.mem[m].status == DN_MEMBER_FAILED;
		}
		if (progress_on(&R))
			fputc('\n', stderr);
		fprintf(stderr, /* even with --quiet: a batch job's log ends with it */
			        "dnetsim sweep: %" PRIu64 " of %" PRIu64 " members complete, %" PRIu64 " failed%s in %.1f s "
			        "(writing the file: %.2f s); results: %s\n",
			        complete, R.n, failed, sw_stop ? ", interrupted" : "", el, R.snap_total, o.out);
		if (complete == R.n) {
			code = DN_EXIT_OK;
			if (!o.keep && o.series) {
				clear_members(&R);
				remove_leftovers(&R);
				char lk[SW_PATH_MAX];
				snprintf(lk, sizeof lk, "%s/lock", R.dir);
				(void)unlink(lk);
				(void)rmdir(R.dir);
			}
		} else {
			if (!o.quiet || failed || sw_stop)
				fprintf(stderr, "dnetsim sweep: `dnetsim sweep %s --resume%s%s` runs the %" PRIu64
				                " members left\n", o.path, owned_out ? "" : " --out ", owned_out ? "" : o.out,
				        R.n - complete);
			code = DN_EXIT_FAIL;
		}
	}
out_abort:
#ifdef DN_HAVE_MPI
	if (mpi && R.rank == 0 && R.ranks > 1 && !R.released) {
		/* the other ranks wait for members that will not come */
		fflush(stderr);
		MPI_Abort(MPI_COMM_WORLD, code ? code : DN_EXIT_FAIL);
	}
#endif
out:
	if (lock_fd >= 0)
		close(lock_fd);
	for (uint64_t m = 0; R.mem && m < R.n; m++)
		free(R.mem[m].file);
	free(R.mem);
	dn_sweepcache_free(R.cache);
	free(R.order);
	free(R.dir);
	free(R.scenario_text);
	free(R.base_yaml);
	free(owned_out);
	dn_sweep_free(R.sw);
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
out_noreg:
#ifdef DN_HAVE_MPI
	if (mpi)
		MPI_Finalize();
#endif
	return code;
}
