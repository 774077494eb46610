/*
 * check.c: `dnetsim check`, tokenomics regression tests (docs/regression.md).
 *
 * For each scenario: read its `expect:` block (names checked against the
 * model's list before anything runs), run the scenario's ensemble through
 * the sweep runner (a sweep of `seeds` replicates of the scenario with the
 * block's overrides, `dnetsim sweep FILE --replicates N`, in a child process), judge every expectation on the
 * runs, and compare the first run with the scenario's golden file: the
 * ledger's hash, supply and balances by class after every block, a digest
 * of every series and every summary scalar. `--bless` writes the golden
 * (and the baselines of `within P%` checks) instead of comparing it.
 * One line per expectation; exit 0 only when everything passes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "common.h"
#include "expect.h"
#include "models.h"
#include "results.h"
#include "sweep.h"
#include "sweepfile.h"

enum { CK_PATH = 4096 };

/* An interrupt (Ctrl-C, a CI job's SIGTERM) stops the runs (the sweep in
 * the child stops its members) and then the check, which tidies up. */
static volatile sig_atomic_t ck_stop;
static void ck_on_signal(int sig)
{
	(void)sig;
	ck_stop = 1;
}

typedef struct ck_opts {
	dn_cli_sets sets;
	bool bless, quiet, keep, seed_set;
	const char *junit, *golden_dir, *work;
	uint64_t seeds, seed, jobs, threads;
} ck_opts;

/* One JUnit test case. */
typedef struct ck_case {
	char *suite, *name, *message, *detail;
	bool fail, error;
	double time_s;
} ck_case;

typedef struct ck_report {
	ck_case *c;
	size_t n, cap;
} ck_report;

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	char *c = strdup(s ? s : "");
	if (!c) {
		fprintf(stderr, "dnetsim check: out of memory\n");
		exit(DN_EXIT_FAIL);
	}
	return c;
}

static void add_case(ck_report *R, const char *suite, const char *name, bool fail, bool error, const char *msg,
                     const char *detail, double t)
{
	if (R->n == R->cap) {
		size_t cap = R->cap ? 2 * R->cap : 32;
		ck_case *c = realloc(R->c, cap * sizeof *c);
		if (!c) {
			fprintf(stderr, "dnetsim check: out of memory\n");
			exit(DN_EXIT_FAIL);
		}
		R->c = c;
		R->cap = cap;
	}
	R->c[R->n++] = (ck_case){xstrdup(suite), xstrdup(name), xstrdup(msg), xstrdup(detail), fail, error, t};
}

/* A growing text. */
typedef struct ck_buf {
	char *s;
	size_t n, cap;
} ck_buf;

static void bprintf(ck_buf *b, const char *fmt, ...) DN_PRINTF(2, 3);
static void bprintf(ck_buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (w < 0)
			return;
		if (b->s && b->n + (size_t)w < b->cap) {
			b->n += (size_t)w;
			return;
		}
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + (size_t)w + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			fprintf(stderr, "dnetsim check: out of memory\n");
			exit(DN_EXIT_FAIL);
		}
		b->s = s;
		b->cap = cap;
	}
}

/* The file name of path without folder and .yaml/.yml. */
static void stem_of(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(buf, len, "%s", base);
	char *dot = strrchr(buf, '.');
	if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
		*dot = '\0';
}

/* Writes text to path whole: a temporary beside it, fsync, rename. */
static bool write_whole(const char *path, const char *text, size_t len)
{
	char tmp[CK_PATH + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wx");
	if (!f) {
		fprintf(stderr, "dnetsim check: cannot create %s: %s\n", tmp, strerror(errno));
		return false;
	}
	bool ok = fwrite(text, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "dnetsim check: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	return ok;
}

/* A golden or a log, whole; NULL (why says why) when it is missing, not a
 * regular file (a FIFO never blocks the check) or larger than 1 GiB. */
static char *read_all(const char *path, char *why, size_t whylen)
{
	FILE *f = dn_fopen_input(path, UINT64_C(1) << 30, why, whylen);
	if (!f)
		return NULL;
	ck_buf b = {0};
	char chunk[65536];
	size_t k;
	bprintf(&b, "%s", "");
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		bprintf(&b, "%.*s", (int)k, chunk);
	fclose(f);
	return b.s;
}

#define mkdirs dn_cli_mkdirs
#define remove_tree dn_cli_remove_tree

/* The first rule id ("R-EMIT-1") in text, or "". */
static void rule_in(const char *text, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const char *p = text ? strstr(text, "R-") : NULL; p; p = strstr(p + 2, "R-")) {
		const char *q = p + 2;
		while (*q >= 'A' && *q <= 'Z')
			q++;
		if (q == p + 2 || *q != '-' || !(q[1] >= '0' && q[1] <= '9'))
			continue;
		q++;
		while (*q >= '0' && *q <= '9')
			q++;
		snprintf(buf, len, "%.*s", (int)(q - p), p);
		return;
	}
}

/* ---- one run's values ---- */

typedef struct ck_run {
	dn_series_data *series;
	size_t n_series;
	dn_summary_val *sum;
	size_t n_sum;
} ck_run;

static void run_free(ck_run *r)
{
	dn_series_data_free(r->series, r->n_series);
	free(r->sum);
	memset(r, 0, sizeof *r);
}

static const dn_series_data *run_series(const ck_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_series; i++)
		if (strcmp(r->series[i].name, name) == 0)
			return &r->series[i];
	return NULL;
}

/* What x takes of run r: CK_OK, CK_NONE or CK_ERR (dn_expect_take_run). */
enum { CK_ERR = DN_TAKE_ERR, CK_NONE = DN_TAKE_NONE, CK_OK = DN_TAKE_OK };
static int take_value(const dn_expectation *x, const ck_run *r, dn_xnum *v, const char **desc, char *why,
                      size_t whylen)
{
	return dn_expect_take_run(x, r->series, r->n_series, r->sum, r->n_sum, v, desc, why, whylen);
}

/* ---- goldens ---- */

/* 16 hex digits of BLAKE2b-64 over a series' rows (time and value bits). */
static void series_digest(const dn_series_data *sd, char out[17])
{
	crypto_generichash_state st;
	unsigned char h[8];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	for (size_t i = 0; i < sd->n; i++) {
		int64_t t = sd->t_ns[i];
		crypto_generichash_update(&st, (const unsigned char *)&t, sizeof t);
		if (sd->ivalue) {
			crypto_generichash_update(&st, (const unsigned char *)&sd->ivalue[i], sizeof sd->ivalue[i]);
		} else {
			double v = sd->value[i];
			if (isnan(v))
				v = NAN; /* one NaN, whatever its payload */
			crypto_generichash_update(&st, (const unsigned char *)&v, sizeof v);
		}
	}
	crypto_generichash_final(&st, h, sizeof h);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void fmt_value(bool is_int, int64_t i, double d, char *buf, size_t len)
{
	if (is_int)
		snprintf(buf, len, "%" PRId64, i);
	else if (isnan(d))
		snprintf(buf, len, "nan");
	else
		snprintf(buf, len, "%.17g", d);
}

#define CK_CLASSES_MAX 32

/*
 * The golden text of run r (see docs/regression.md, "Goldens"): header,
 * the ledger after every block (from the ledger_* series), every other
 * series' digest and every summary scalar but the machine's.
 */
static void golden_text(const ck_run *r, const char *scenario, uint64_t seed, char *const *sets, size_t n_sets,
                        double block_s, ck_buf *b)
{
	bprintf(b, "# dnetsim golden, format 1: what `dnetsim check` compares this scenario's run with.\n"
	           "# Made by `dnetsim check --bless`; review its diff like code.\n");
	bprintf(b, "scenario %s\nseed %" PRIu64 "\n", scenario, seed);
	for (size_t i = 0; i < n_sets; i++)
		bprintf(b, "set %s\n", sets[i]);
	const dn_series_data *hash = run_series(r, "ledger_state_hash"), *supply = run_series(r, "ledger_supply_base");
	const dn_series_data *cls[CK_CLASSES_MAX];
	size_t nc = 0;
	for (size_t i = 0; i < r->n_series && nc < CK_CLASSES_MAX; i++) {
		const char *nm = r->series[i].name;
		size_t len = strlen(nm);
		if (strncmp(nm, "ledger_", 7) == 0 && len > 12 && strcmp(nm + len - 5, "_base") == 0 &&
		    strcmp(nm, "ledger_supply_base") != 0 && r->series[i].ivalue)
			cls[nc++] = &r->series[i];
	}
	if (hash && hash->ivalue) {
		bprintf(b, "classes");
		for (size_t k = 0; k < nc; k++)
			bprintf(b, " %.*s", (int)(strlen(cls[k]->name) - 12), cls[k]->name + 7);
		bprintf(b, "\n");
		for (size_t i = 0; i < hash->n; i++) {
			double ts = (double)hash->t_ns[i] * 1e-9;
			uint64_t height = block_s > 0 ? (uint64_t)llround(ts / block_s) : i + 1;
			bprintf(b, "block %" PRIu64 " %.9g %016" PRIx64, height, ts, (uint64_t)hash->ivalue[i]);
			bprintf(b, " %" PRId64, supply && supply->ivalue && i < supply->n ? supply->ivalue[i] : 0);
			for (size_t k = 0; k < nc; k++)
				bprintf(b, " %" PRId64, i < cls[k]->n ? cls[k]->ivalue[i] : 0);
			bprintf(b, "\n");
		}
	}
	for (size_t i = 0; i < r->n_series; i++) {
		const dn_series_data *sd = &r->series[i];
		size_t len = strlen(sd->name);
		/* the ledger's hash, supply and class balances are in the block
		 * lines; the class hashes stay here, naming the class of a change
		 * that leaves the class's balance as it was */
		if (strncmp(sd->name, "ledger_", 7) == 0 && (len < 5 || strcmp(sd->name + len - 5, "_hash") != 0 ||
		                                            strcmp(sd->name, "ledger_state_hash") == 0))
			continue;
		char dig[17], last[40] = "none";
		series_digest(sd, dig);
		if (sd->n)
			fmt_value(sd->ivalue != NULL, sd->ivalue ? sd->ivalue[sd->n - 1] : 0, sd->value[sd->n - 1], last,
			          sizeof last);
		bprintf(b, "series %s %zu %s %s\n", sd->name, sd->n, dig, last);
	}
	for (size_t i = 0; i < r->n_sum; i++) {
		if (dn_cli_names_machine(r->sum[i].name))
			continue;
		char v[40];
		fmt_value(r->sum[i].is_int, r->sum[i].i, r->sum[i].f, v, sizeof v);
		bprintf(b, "summary %s %s\n", r->sum[i].name, v);
	}
}

/* A golden's lines by kind, for comparing. */
typedef struct ck_lines {
	char **v;
	size_t n, cap;
} ck_lines;

static void lines_add(ck_lines *L, char *s)
{
	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 256;
		char **v = realloc(L->v, cap * sizeof *v);
		if (!v) {
			fprintf(stderr, "dnetsim check: out of memory\n");
			exit(DN_EXIT_FAIL);
		}
		L->v = v;
		L->cap = cap;
	}
	L->v[L->n++] = s;
}

typedef struct ck_golden {
	char *text;         /* owned; lines point into it */
	ck_lines head, classes, block, series, summary, baseline;
} ck_golden;

static void golden_parse(char *text, ck_golden *g)
{
	memset(g, 0, sizeof *g);
	g->text = text;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p && *p != '#') {
			if (strncmp(p, "block ", 6) == 0)
				lines_add(&g->block, p);
			else if (strncmp(p, "series ", 7) == 0)
				lines_add(&g->series, p);
			else if (strncmp(p, "summary ", 8) == 0)
				lines_add(&g->summary, p);
			else if (strncmp(p, "baseline ", 9) == 0)
				lines_add(&g->baseline, p);
			else if (strncmp(p, "classes", 7) == 0)
				lines_add(&g->classes, p);
			else
				lines_add(&g->head, p);
		}
		p = nl ? nl + 1 : NULL;
	}
}

static void golden_free(ck_golden *g)
{
	free(g->head.v);
	free(g->classes.v);
	free(g->block.v);
	free(g->series.v);
	free(g->summary.v);
	free(g->baseline.v);
	free(g->text);
	memset(g, 0, sizeof *g);
}

/* Word k (0-based) of a line into buf. */
static bool word_k(const char *line, int k, char *buf, size_t len)
{
	const char *p = line;
	for (int i = 0;; i++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		const char *q = p;
		while (*q && *q != ' ')
			q++;
		if (i == k) {
			snprintf(buf, len, "%.*s", (int)(q - p), p);
			return true;
		}
		p = q;
	}
}

/* The line of L whose word 1 is name, or NULL. */
static const char *line_named(const ck_lines *L, const char *name)
{
	char w[160];
	for (size_t i = 0; i < L->n; i++)
		if (word_k(L->v[i], 1, w, sizeof w) && strcmp(w, name) == 0)
			return L->v[i];
	return NULL;
}

/* Differences of two "block ..." lines, by column, into b. */
static void block_diff(const char *old, const char *now, const char *classes, ck_buf *b)
{
	char o[64], n[64], cname[64];
	if (word_k(old, 3, o, sizeof o) && word_k(now, 3, n, sizeof n) && strcmp(o, n) != 0)
		bprintf(b, "      ledger hash %s -> %s\n", o, n);
	if (word_k(old, 4, o, sizeof o) && word_k(now, 4, n, sizeof n) && strcmp(o, n) != 0)
		bprintf(b, "      supply %s -> %s (%+" PRId64 " base units)\n", o, n, (int64_t)(strtoll(n, NULL, 10) - strtoll(o, NULL, 10)));
	int moved = 0;
	for (int k = 5; word_k(old, k, o, sizeof o) || word_k(now, k, n, sizeof n); k++) {
		bool ho = word_k(old, k, o, sizeof o), hn = word_k(now, k, n, sizeof n);
		if (ho && hn && strcmp(o, n) == 0)
			continue;
		if (!word_k(classes, k - 4, cname, sizeof cname))
			snprintf(cname, sizeof cname, "class %d", k - 4);
		bprintf(b, "      %s accounts' balances %s -> %s", cname, ho ? o : "-", hn ? n : "-");
		if (ho && hn)
			bprintf(b, " (%+" PRId64 " base units)", (int64_t)(strtoll(n, NULL, 10) - strtoll(o, NULL, 10)));
		bprintf(b, "\n");
		moved++;
	}
	if (!moved)
		bprintf(b, "      every class's balance is the same: a change within a class, or of nonces or locks "
		           "(the ledger_<class>_hash series below name the class)\n");
}

/*
 * Compares the golden g with the run's golden text (parsed as now).
 * Returns true when equal; else describes the first diverging block, the
 * series and the summaries that moved into b.
 */
static bool golden_compare(const ck_golden *g, const ck_golden *now, ck_buf *b, size_t *n_blocks)
{
	bool same = true;
	*n_blocks = now->block.n;
	/* the header: scenario, seed and overrides */
	for (size_t i = 0; i < g->head.n || i < now->head.n; i++) {
		const char *o = i < g->head.n ? g->head.v[i] : "(none)", *n = i < now->head.n ? now->head.v[i] : "(none)";
		if (strcmp(o, n) != 0) {
			bprintf(b, "    made with '%s', this check runs '%s' (re-bless if the change is meant)\n", o, n);
			same = false;
		}
	}
	const char *oc = g->classes.n ? g->classes.v[0] : "classes", *nc = now->classes.n ? now->classes.v[0] : "classes";
	if (strcmp(oc, nc) != 0) {
		bprintf(b, "    account classes differ: '%s' -> '%s'\n", oc, nc);
		same = false;
	}
	size_t nb = g->block.n < now->block.n ? g->block.n : now->block.n;
	for (size_t i = 0; i < nb; i++) {
		if (strcmp(g->block.v[i], now->block.v[i]) == 0)
			continue;
		char h[32], t[32];
		word_k(now->block.v[i], 1, h, sizeof h);
		word_k(now->block.v[i], 2, t, sizeof t);
		size_t later = 0;
		for (size_t j = i; j < nb; j++)
			later += strcmp(g->block.v[j], now->block.v[j]) != 0;
		char prev[32] = "";
		if (i > 0)
			word_k(now->block.v[i - 1], 1, prev, sizeof prev);
		uint64_t ph = i > 0 ? strtoull(prev, NULL, 10) : 0, hh = strtoull(h, NULL, 10);
		if (ph + 1 < hh)
			bprintf(b, "    first diverging row: block %s (t = %s s), so a block from %" PRIu64
			           " to %s; %zu of the %zu rows from there differ\n", h, t, ph + 1, h, later, nb - i);
		else
			bprintf(b, "    first diverging block: %s (t = %s s); %zu of the %zu blocks from there differ\n", h, t,
			        later, nb - i);
		block_diff(g->block.v[i], now->block.v[i], nc, b);
		same = false;
		break;
	}
	if (g->block.n != now->block.n) {
		bprintf(b, "    blocks: %zu in the golden, %zu in this run\n", g->block.n, now->block.n);
		same = false;
	}
	const ck_lines *kinds[2][2] = {{&g->series, &now->series}, {&g->summary, &now->summary}};
	static const char *const kind_name[2] = {"series", "summaries"};
	for (int k = 0; k < 2; k++) {
		const ck_lines *O = kinds[k][0], *N = kinds[k][1];
		size_t moved = 0, shown = 0;
		ck_buf list = {0};
		for (size_t i = 0; i < N->n; i++) {
			char name[160];
			word_k(N->v[i], 1, name, sizeof name);
			const char *ol = line_named(O, name);
			if (ol && strcmp(ol, N->v[i]) == 0)
				continue;
			moved++;
			if (shown++ < 12) {
				char ov[48] = "(new)", nv[48];
				int col = k == 0 ? 4 : 2;
				if (ol)
					word_k(ol, col, ov, sizeof ov);
				word_k(N->v[i], col, nv, sizeof nv);
				bprintf(&list, "      %s: %s%s -> %s\n", name, k == 0 ? "last " : "", ov, nv);
			}
		}
		for (size_t i = 0; i < O->n; i++) {
			char name[160];
			word_k(O->v[i], 1, name, sizeof name);
			if (!line_named(N, name)) {
				moved++;
				if (shown++ < 12)
					bprintf(&list, "      %s: gone\n", name);
			}
		}
		if (moved) {
			bprintf(b, "    %s moved: %zu of %zu\n%s", kind_name[k], moved, N->n, list.s ? list.s : "");
			if (shown > 12)
				bprintf(b, "      ... and %zu more\n", shown - 12);
			same = false;
		}
		free(list.s);
	}
	return same;
}

/* The blessed baseline of the check labelled `label` ("baseline VALUE
 * LABEL"), NaN when none. */
static double golden_baseline(const ck_golden *g, const char *label)
{
	char w[64];
	for (size_t k = 0; k < g->baseline.n; k++) {
		const char *line = g->baseline.v[k];
		if (!word_k(line, 1, w, sizeof w))
			continue;
		const char *rest = strchr(line + 9, ' ');
		if (rest && strcmp(rest + 1, label) == 0)
			return strtod(w, NULL);
	}
	return NAN;
}

/* ---- running the ensemble ---- */

/* Runs the scenario's ensemble through the sweep runner (`dnetsim sweep
 * FILE --replicates N --seed S --set ...`) in a child process whose output
 * goes to log. The child's exit code (or 1 when it died). */
static int run_ensemble(const ck_opts *o, const char *path, uint64_t runs, uint64_t seed, const char *const *ov,
                        size_t n_ov, const char *out, const char *log)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "dnetsim check: cannot fork: %s\n", strerror(errno));
		return DN_EXIT_FAIL;
	}
	/* on a terminal the sweep's progress line shows (stderr stays); else
	 * everything goes to the log */
	bool live = !o->quiet && isatty(2);
	if (pid == 0) {
		FILE *lf = freopen(log, "w", stdout);
		if (!lf || (!live && dup2(fileno(stdout), 2) < 0))
			_exit(DN_EXIT_FAIL);
		char jobs[32], threads[32], reps[32], sd[32];
		char **argv = calloc(24 + 2 * n_ov, sizeof *argv);
		if (!argv)
			_exit(DN_EXIT_FAIL);
		int a = 0;
		argv[a++] = "sweep";
		argv[a++] = (char *)path;
		argv[a++] = "--out";
		argv[a++] = (char *)out;
		argv[a++] = "--keep-members";
		argv[a++] = "--series";
		argv[a++] = "none";
		argv[a++] = live ? "--progress" : "--quiet";
		argv[a++] = "--force";
		snprintf(reps, sizeof reps, "%" PRIu64, runs);
		argv[a++] = "--replicates";
		argv[a++] = reps;
		snprintf(sd, sizeof sd, "%" PRIu64, seed);
		argv[a++] = "--seed";
		argv[a++] = sd;
		snprintf(threads, sizeof threads, "%" PRIu64, o->threads ? o->threads : 1);
		argv[a++] = "--threads";
		argv[a++] = threads;
		if (o->jobs) {
			snprintf(jobs, sizeof jobs, "%" PRIu64, o->jobs);
			argv[a++] = "--jobs";
			argv[a++] = jobs;
		}
		for (size_t i = 0; i < n_ov; i++) {
			argv[a++] = "--set";
			argv[a++] = (char *)ov[i];
		}
		argv[a] = NULL;
		int code = dn_cmd_sweep(a, argv);
		fflush(NULL);
		_exit(code);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : DN_EXIT_FAIL;
}

static void print_log_tail(const char *log)
{
	char why[160];
	char *t = read_all(log, why, sizeof why);
	if (!t)
		return;
	size_t len = strlen(t), lines = 0;
	size_t start = len;
	while (start > 0 && lines < 12)
		if (t[--start] == '\n')
			lines++;
	fprintf(stderr, "%s", t + start);
	free(t);
}

/* ---- one scenario ---- */

typedef struct ck_file {
	const ck_opts *o;
	dn_cli_registry *cr;
	const char *path;
	size_t index;
	ck_report *rep;
	char stem[256], work[CK_PATH];
} ck_file;

static void say(const ck_opts *o, const char *fmt, ...) DN_PRINTF(2, 3);
static void say(const ck_opts *o, const char *fmt, ...)
{
	if (o->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* "observed 1.2 ± 0.1 (99.5 % interval of 10 runs)" and how far from the bound. */
static void describe(const dn_expectation *x, const dn_expect_verdict *v, double baseline, double level, char *buf,
                     size_t len)
{
	char ob[40];
	dn_xnum_format(v->observed, ob, sizeof ob);
	int w;
	if (x->mean && v->n > 1 && isfinite(v->lo))
		w = snprintf(buf, len, "mean %s, %.4g %% interval [%.6g, %.6g] of %zu runs", ob, 100 * level, v->lo, v->hi,
		             v->n);
	else if (x->mean)
		w = snprintf(buf, len, "mean %s of %zu runs", ob, v->n);
	else if (v->n > 1 && v->pass)
		w = snprintf(buf, len, "%s in run 0, every one of %zu runs within", ob, v->n);
	else if (v->n > 1)
		w = snprintf(buf, len, "%s in run %zu (%zu of %zu runs outside)", ob, v->failed_run, v->n_fail, v->n);
	else
		w = snprintf(buf, len, "%s", ob);
	if (w < 0 || (size_t)w >= len)
		return;
	double lo, hi;
	dn_expect_bound_range(x, baseline, &lo, &hi);
	if (x->op == DN_OP_WITHIN)
		w += snprintf(buf + w, len - (size_t)w, "; bound [%.6g, %.6g]", lo, hi);
	double d = v->observed.d;
	if (!v->pass && isfinite(d) && (size_t)w < len) {
		double edge = d > hi ? hi : d < lo ? lo : NAN;
		if (!isnan(edge) && isfinite(edge))
			snprintf(buf + w, len - (size_t)w, "; %+.6g from the bound%s", d - edge,
			         edge != 0 ? "" : "");
		if (!isnan(edge) && isfinite(edge) && edge != 0 && (size_t)w < len) {
			size_t k = strlen(buf);
			snprintf(buf + k, len - k, " (%+.3g %%)", 100 * (d - edge) / fabs(edge));
		}
	}
}

static int check_file(ck_file *F)
{
	const ck_opts *o = F->o;
	double t0 = dn_cli_now_s();
	int code = DN_EXIT_OK;
	dn_scenario *s0 = NULL, *s1 = NULL;
	dn_expect *e = NULL;
	dn_cli_names names = {0};
	ck_run *runs = NULL;
	uint64_t nruns = 0;
	ck_buf gb = {0}, msg = {0};
	const char **ov = NULL;
	char err[16384];
	stem_of(F->path, F->stem, sizeof F->stem);

	s0 = dn_cli_load(F->cr, F->path, &o->sets);
	if (!s0) {
		add_case(F->rep, F->path, "scenario", false, true, "the scenario does not load", "", 0);
		code = DN_EXIT_USAGE;
		goto done;
	}
	const dn_model *model = dn_model_find(dn_scn_str(s0, "sim.model"));
	if (!model || !dn_cli_names_init(&names, model, s0)) {
		fprintf(stderr, "dnetsim check: %s: cannot list the model's names\n", F->path);
		code = DN_EXIT_FAIL;
		goto done;
	}
	double block_s = dn_cli_block_s(model, s0, F->cr->reg);
	if (dn_expect_from_scenario(F->cr->reg, s0, block_s, o->seeds, names.known ? dn_cli_names_lookup : NULL, &names,
	                            &e, err, sizeof err)) {
		dn_cli_print_errors(err);
		add_case(F->rep, F->path, "expect", false, true, "the expect: block has errors", err, 0);
		code = DN_EXIT_USAGE;
		goto done;
	}
	if (!e) {
		e = calloc(1, sizeof *e);
		if (!e) {
			code = DN_EXIT_FAIL;
			goto done;
		}
		e->seeds = o->seeds ? o->seeds : 1;
		e->confidence = 0.99;
		e->golden = true;
		say(o, "check %s: no expect: block; its golden only\n", F->path);
	}
	/* the check's scenario: the file with the command line's and the block's overrides */
	bool trace = e->golden && strcmp(model->name, "world") == 0;
	size_t n_ov = o->sets.n + e->n_sets + (trace ? 1 : 0);
	ov = calloc(n_ov + 1, sizeof *ov);
	if (!ov) {
		code = DN_EXIT_FAIL;
		goto done;
	}
	size_t k = 0;
	for (size_t i = 0; i < o->sets.n; i++)
		ov[k++] = o->sets.v[i];
	for (size_t i = 0; i < e->n_sets; i++)
		ov[k++] = e->sets[i];
	if (trace)
		ov[k++] = "record.ledger_trace=true";
	if (dn_scenario_load(F->cr->reg, F->path, ov, n_ov, &s1, err, sizeof err)) {
		dn_cli_print_errors(err);
		add_case(F->rep, F->path, "scenario", false, true, "the scenario with the check's overrides does not load",
		         err, 0);
		code = DN_EXIT_USAGE;
		goto done;
	}
	uint64_t seed = o->seed_set ? o->seed : (uint64_t)dn_scn_int(s1, "sim.seed");
	nruns = e->seeds;
	/* the ensemble: the resolved scenario and a sweep of replicates */
	snprintf(F->work, sizeof F->work, "%s/%02zu-%s", o->work, F->index, F->stem);
	if (mkdirs(F->work) != 0) {
		fprintf(stderr, "dnetsim check: cannot create %s: %s\n", F->work, strerror(errno));
		code = DN_EXIT_FAIL;
		goto done;
	}
	char out[CK_PATH + 64], log[CK_PATH + 64];
	snprintf(out, sizeof out, "%s/runs.h5", F->work);
	snprintf(log, sizeof log, "%s/log", F->work);
	say(o, "check %s: %" PRIu64 " run%s (ensemble seed %" PRIu64 ")...\n", F->path, nruns, nruns > 1 ? "s" : "",
	    seed);
	int rc = run_ensemble(o, F->path, nruns, seed, ov, n_ov, out, log);
	if (ck_stop) {
		fprintf(stderr, "dnetsim check: interrupted\n");
		code = DN_EXIT_FAIL;
		goto done;
	}
	if (rc != 0) {
		fprintf(stderr, "dnetsim check: %s: the runs failed (exit %d); the sweep's last lines (all in %s):\n",
		        F->path, rc, log);
		print_log_tail(log);
		add_case(F->rep, F->path, "runs", false, true, "the runs failed", log, dn_cli_now_s() - t0);
		code = DN_EXIT_FAIL;
		goto done;
	}
	runs = calloc(nruns, sizeof *runs);
	if (!runs) {
		code = DN_EXIT_FAIL;
		goto done;
	}
	for (uint64_t m = 0; m < nruns; m++) {
		char mp[CK_PATH + 96];
		snprintf(mp, sizeof mp, "%s.d/m%06" PRIu64 ".h5", out, m);
		if (dn_results_read_series(mp, &runs[m].series, &runs[m].n_series, err, sizeof err) ||
		    dn_results_read_summaries(mp, &runs[m].sum, &runs[m].n_sum, err, sizeof err)) {
			fprintf(stderr, "dnetsim check: %s\n", err);
			code = DN_EXIT_FAIL;
			goto done;
		}
	}
	/* the first run's seed, as the sweep runner drew it */
	uint64_t seed0 = 0;
	dn_sweep *ens = NULL;
	if (dn_sweep_ensemble(F->cr->reg, nruns, seed, &ens) == DN_OK)
		seed0 = dn_sweep_member_seed(ens, 0);
	dn_sweep_free(ens);
	double elapsed = dn_cli_now_s() - t0;

	/* the golden */
	char gdir[CK_PATH + 16], gpath[CK_PATH + 300];
	if (o->golden_dir)
		snprintf(gdir, sizeof gdir, "%s", o->golden_dir);
	else {
		char d[CK_PATH];
		if (!dn_path_folder(F->path, d, sizeof d))
			snprintf(d, sizeof d, ".");
		snprintf(gdir, sizeof gdir, "%s/golden", d);
	}
	snprintf(gpath, sizeof gpath, "%s/%s.golden", gdir, F->stem);
	char *sets_list[DN_CLI_MAX_SETS + 300];
	size_t n_sl = 0;
	for (size_t i = 0; i < n_ov && n_sl < sizeof sets_list / sizeof sets_list[0]; i++)
		sets_list[n_sl++] = (char *)ov[i];
	const char *base = strrchr(F->path, '/');
	golden_text(&runs[0], base ? base + 1 : F->path, seed0, sets_list, n_sl, block_s, &gb);
	ck_golden g = {0};
	bool have_golden = false;
	if (o->bless) {
		/* baselines: each within-baseline check's value over the runs */
		for (size_t i = 0; i < e->n; i++) {
			const dn_expectation *x = &e->x[i];
			if (x->op != DN_OP_WITHIN || !x->baseline)
				continue;
			double sum = 0;
			size_t cnt = 0;
			for (uint64_t m = 0; m < nruns; m++) {
				dn_xnum v;
				const char *desc = "";
				char why[256];
				if (take_value(x, &runs[m], &v, &desc, why, sizeof why) == CK_OK && isfinite(v.d)) {
					sum += v.d;
					cnt++;
				}
			}
			if (cnt)
				bprintf(&gb, "baseline %.17g %s\n", sum / (double)cnt, x->label);
		}
		if (e->golden || dn_expect_needs_baseline(e)) {
			if (mkdirs(gdir) != 0 || !write_whole(gpath, gb.s, gb.n)) {
				fprintf(stderr, "dnetsim check: cannot write the golden %s\n", gpath);
				code = DN_EXIT_FAIL;
				goto done;
			}
			say(o, "  blessed %s\n", gpath);
		}
	}
	char gwhy[160] = "";
	char *gtext = read_all(gpath, gwhy, sizeof gwhy);
	if (gtext) {
		golden_parse(gtext, &g);
		have_golden = true;
	} else if (errno != ENOENT && access(gpath, F_OK) == 0) {
		fprintf(stderr, "dnetsim check: cannot read the golden %s: %s\n", gpath, gwhy);
	}

	/* the expectations */
	size_t n_mean = 0;
	for (size_t i = 0; i < e->n; i++)
		n_mean += e->x[i].mean;
	double level = n_mean ? 1 - (1 - e->confidence) / (double)n_mean : e->confidence;
	dn_xnum *vals = calloc(nruns ? nruns : 1, sizeof *vals);
	if (!vals) {
		code = DN_EXIT_FAIL;
		golden_free(&g);
		goto done;
	}
	for (size_t i = 0; i < e->n; i++) {
		const dn_expectation *x = &e->x[i];
		const char *desc = "";
		char why[256] = "", line[3 * CK_PATH], rule[32];
		bool bad = false;
		size_t nv = 0, none = 0, first_none = 0;
		char none_why[160] = "";
		for (uint64_t m = 0; m < nruns && !bad; m++) {
			int t = take_value(x, &runs[m], &vals[nv], &desc, why, sizeof why);
			if (t == CK_OK) {
				nv++;
			} else if (t == CK_NONE) {
				if (none++ == 0) {
					first_none = (size_t)m;
					snprintf(none_why, sizeof none_why, "%.150s", why);
				}
			} else {
				bad = true;
			}
		}
		if (!bad && none && (!x->mean || nv == 0)) {
			/* a run without a value fails a check on every run, and a mean of none */
			bad = true;
			snprintf(why, sizeof why, "run %zu: %s (%zu of %" PRIu64 " runs without a value)", first_none, none_why,
			         none, nruns);
		}
		double baseline = x->op == DN_OP_WITHIN && x->baseline ? (have_golden ? golden_baseline(&g, x->label) : NAN)
		                                                       : NAN;
		snprintf(rule, sizeof rule, "%s", x->rule);
		if (!rule[0])
			rule_in(desc, rule, sizeof rule);
		msg.n = 0;
		if (bad && none) {
			bprintf(&msg, "  FAIL  %s: %s\n        at %s:%d:%d\n", x->label, why, x->file, x->line, x->col);
			add_case(F->rep, F->path, x->label, true, false, why, "", 0);
			code = code ? code : DN_EXIT_FAIL;
		} else if (bad) {
			bprintf(&msg, "  ERROR %s: %s\n", x->label, why);
			add_case(F->rep, F->path, x->label, false, true, why, "", 0);
			code = code ? code : DN_EXIT_FAIL;
		} else if (x->op == DN_OP_WITHIN && x->baseline && isnan(baseline)) {
			snprintf(line, sizeof line, "no baseline for this check in %s: run `dnetsim check --bless %s`", gpath,
			         F->path);
			bprintf(&msg, "  FAIL  %s: %s\n", x->label, line);
			add_case(F->rep, F->path, x->label, true, false, line, "", 0);
			code = code ? code : DN_EXIT_FAIL;
		} else {
			dn_expect_verdict v;
			dn_expect_judge(x, vals, nv, level, baseline, &v);
			describe(x, &v, baseline, level, line, sizeof line);
			if (none) {
				size_t used = strlen(line);
				snprintf(line + used, sizeof line - used, " (%zu runs without a value left out)", none);
			}
			const char *where = "";
			bprintf(&msg, "  %s  %s: %s%s%s%s%s%s%s\n", v.pass ? "PASS" : "FAIL", x->label, line, where,
			        v.why[0] ? "; " : "", v.why, !v.pass && rule[0] ? "  [" : "", !v.pass && rule[0] ? rule : "",
			        !v.pass && rule[0] ? "]" : "");
			if (!v.pass) {
				char loc[CK_PATH + 64];
				snprintf(loc, sizeof loc, "%s:%d:%d", x->file, x->line, x->col);
				bprintf(&msg, "        at %s\n", loc);
				char full[5 * CK_PATH];
				snprintf(full, sizeof full, "%s%s%s%s (%s)", line, rule[0] ? " [" : "", rule, rule[0] ? "]" : "", loc);
				add_case(F->rep, F->path, x->label, true, false, full, "", 0);
				code = code ? code : DN_EXIT_FAIL;
			} else {
				add_case(F->rep, F->path, x->label, false, false, "", "", 0);
			}
		}
		if (msg.s)
			fputs(msg.s, stdout);
	}
	free(vals);

	/* the golden's verdict */
	if (e->golden) {
		ck_golden now;
		char *copy = xstrdup(gb.s);
		/* compare without baselines: they are the checks' */
		golden_parse(copy, &now);
		now.baseline.n = 0;
		ck_buf d = {0};
		size_t nb = 0;
		if (!have_golden && access(gpath, F_OK) == 0) {
			printf("  FAIL  golden: %s cannot be read (%s)\n", gpath, gwhy);
			add_case(F->rep, F->path, "golden", true, false, "the golden cannot be read", gwhy, 0);
			code = code ? code : DN_EXIT_FAIL;
		} else if (!have_golden) {
			printf("  FAIL  golden: no %s; make it with `dnetsim check --bless %s` and commit it\n", gpath, F->path);
			add_case(F->rep, F->path, "golden", true, false, "no golden file: run dnetsim check --bless", gpath, 0);
			code = code ? code : DN_EXIT_FAIL;
		} else if (golden_compare(&g, &now, &d, &nb)) {
			printf("  PASS  golden %s: %zu ledger rows, %zu series, %zu summaries equal\n", gpath, nb, now.series.n,
			       now.summary.n);
			add_case(F->rep, F->path, "golden", false, false, "", "", 0);
		} else {
			printf("  FAIL  golden %s: this run differs (re-bless with --bless if the change is meant)\n%s", gpath,
			       d.s ? d.s : "");
			char first[512] = "the run differs from its golden";
			if (d.s) {
				const char *p = d.s;
				while (*p == ' ')
					p++;
				size_t len = strcspn(p, "\n");
				snprintf(first, sizeof first, "the run differs from its golden: %.*s", (int)(len < 400 ? len : 400), p);
			}
			add_case(F->rep, F->path, "golden", true, false, first, d.s ? d.s : "", 0);
			code = code ? code : DN_EXIT_FAIL;
		}
		free(d.s);
		golden_free(&now);
	}
	golden_free(&g);
	say(o, "  %s in %.1f s\n", code ? "failed" : "passed", elapsed);
	if (F->rep->n) /* the runs' time goes to the scenario's last case */
		F->rep->c[F->rep->n - 1].time_s = elapsed;
done:
	if (runs)
		for (uint64_t m = 0; m < nruns; m++)
			run_free(&runs[m]);
	free(runs);
	free(gb.s);
	free(msg.s);
	free(ov);
	dn_expect_free(e);
	dn_cli_names_fini(&names);
	dn_scenario_free(s1);
	dn_scenario_free(s0);
	return code;
}

/* ---- JUnit ---- */

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

static bool write_junit(const char *path, const ck_report *R, double total_s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return false;
	size_t fails = 0, errors = 0;
	for (size_t i = 0; i < R->n; i++) {
		fails += R->c[i].fail;
		errors += R->c[i].error;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"dnetsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", R->n,
	        fails, errors, total_s);
	for (size_t i = 0; i < R->n;) {
		size_t j = i, sf = 0, se = 0;
		double st = 0;
		while (j < R->n && strcmp(R->c[j].suite, R->c[i].suite) == 0) {
			sf += R->c[j].fail;
			se += R->c[j].error;
			st += R->c[j].time_s;
			j++;
		}
		fprintf(f, "  <testsuite name=\"");
		xml_escaped(f, R->c[i].suite);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n", j - i, sf, se, st);
		char stem[256];
		stem_of(R->c[i].suite, stem, sizeof stem);
		for (size_t k = i; k < j; k++) {
			const ck_case *c = &R->c[k];
			fprintf(f, "    <testcase classname=\"dnetsim.check.");
			xml_escaped(f, stem);
			fprintf(f, "\" name=\"");
			xml_escaped(f, c->name);
			fprintf(f, "\" time=\"%.3f\"", c->time_s);
			if (!c->fail && !c->error) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n      <%s message=\"", c->error ? "error" : "failure");
			xml_escaped(f, c->message);
			fprintf(f, "\" type=\"%s\">", c->error ? "error" : "expectation");
			xml_escaped(f, c->detail[0] ? c->detail : c->message);
			fprintf(f, "</%s>\n    </testcase>\n", c->error ? "error" : "failure");
		}
		fprintf(f, "  </testsuite>\n");
		i = j;
	}
	fprintf(f, "</testsuites>\n");
	if (fclose(f) != 0) {
		free(buf);
		return false;
	}
	bool ok = write_whole(path, buf, len);
	free(buf);
	return ok;
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: dnetsim check FILE... [options]\n"
	        "  Runs each scenario's expect: block (docs/regression.md): every expectation\n"
	        "  judged on the scenario's runs, and the first run compared with the\n"
	        "  scenario's golden file (the ledger after every block, every series and\n"
	        "  summary). One line per expectation; exit 0 only when all pass.\n\n"
	        "  --bless           write the goldens (and within-baseline values) from these\n"
	        "                    runs instead of comparing: when a change is meant\n"
	        "  --golden-dir DIR  where goldens are (default: golden/ beside each scenario)\n"
	        "  --junit PATH      also write a JUnit XML report (GitLab, Jenkins, GitHub)\n"
	        "  --seeds N         runs in each ensemble (replaces the block's seeds:)\n"
	        "  --seed S          the ensembles' seed (default: each scenario's sim.seed)\n"
	        "  --jobs N          runs at once (default: the cores free)\n"
	        "  --threads N       OpenMP threads of each run (default 1; results are the same)\n"
	        "  --work DIR        keep the runs in DIR (default: a temporary folder, removed\n"
	        "                    unless something failed)\n"
	        "  --set NAME=VAL    override a parameter of every scenario (part of the golden)\n"
	        "  --quiet           only the expectations' lines\n"
	        "  --help            this text\n\n"
	        "exit codes: 0 everything passed, 1 an expectation or golden failed or a run\n"
	        "failed, 2 usage or scenario error\n");
}

static int parse(int argc, char **argv, ck_opts *o)
{
	static const struct option opts[] = {
		{"bless", no_argument, NULL, 'b'},         {"junit", required_argument, NULL, 'J'},
		{"seeds", required_argument, NULL, 'n'},   {"seed", required_argument, NULL, 's'},
		{"jobs", required_argument, NULL, 'j'},    {"threads", required_argument, NULL, 't'},
		{"golden-dir", required_argument, NULL, 'g'}, {"work", required_argument, NULL, 'w'},
		{"set", required_argument, NULL, 'S'},     {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bless = true; break;
		case 'J': o->junit = optarg; break;
		case 'n':
			if (!dn_cli_parse_u64("--seeds", optarg, &o->seeds))
				return DN_EXIT_USAGE;
			if (o->seeds < 1 || o->seeds > 100000) {
				fprintf(stderr, "dnetsim check: --seeds must be from 1 to 100000\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 's':
			if (!dn_cli_parse_u64("--seed", optarg, &o->seed))
				return DN_EXIT_USAGE;
			o->seed_set = true;
			break;
		case 'j':
			if (!dn_cli_parse_u64("--jobs", optarg, &o->jobs) || o->jobs > 4096) {
				fprintf(stderr, "dnetsim check: --jobs must be from 1 to 4096\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 't':
			if (!dn_cli_parse_u64("--threads", optarg, &o->threads) || o->threads > 1024) {
				fprintf(stderr, "dnetsim check: --threads must be from 0 to 1024\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'g': o->golden_dir = optarg; break;
		case 'w': o->work = optarg; o->keep = true; break;
		case 'S':
			if (strncmp(optarg, "sim.seed=", 9) == 0) {
				fprintf(stderr, "dnetsim check: give the seed with --seed (the runs' seeds come from it)\n");
				return DN_EXIT_USAGE;
			}
			if (!dn_cli_set_opt(&o->sets, "check", optarg, optind < argc ? argv[optind] : NULL))
				return DN_EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return DN_EXIT_OK;
		default: usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "dnetsim check: expected one or more scenario FILEs\n");
		usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK")) {
		fprintf(stderr, "dnetsim check: runs on one machine; under mpirun use `dnetsim sweep` for the ensemble\n");
		return DN_EXIT_USAGE;
	}
	return -1;
}

int dn_cmd_check(int argc, char **argv)
{
	ck_opts o;
	memset(&o, 0, sizeof o);
	int code = parse(argc, argv, &o);
	if (code >= 0)
		return code;
	char tmpl[CK_PATH];
	bool own_work = !o.work;
	if (own_work) {
		const char *td = getenv("TMPDIR");
		snprintf(tmpl, sizeof tmpl, "%s/dnetsim-check-XXXXXX", td && *td ? td : "/tmp");
		if (!mkdtemp(tmpl)) {
			fprintf(stderr, "dnetsim check: cannot create a folder for the runs (%s): %s\n", tmpl, strerror(errno));
			return DN_EXIT_FAIL;
		}
		o.work = tmpl;
	} else if (mkdirs(o.work) != 0) {
		fprintf(stderr, "dnetsim check: cannot create %s: %s\n", o.work, strerror(errno));
		return DN_EXIT_FAIL;
	}
	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return DN_EXIT_FAIL;
	}
	ck_report rep = {0};
	double t0 = dn_cli_now_s();
	code = DN_EXIT_OK;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ck_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (int i = optind; i < argc && !ck_stop; i++) {
		ck_file F = {.o = &o, .cr = &cr, .path = argv[i], .index = (size_t)(i - optind), .rep = &rep};
		int c = check_file(&F);
		if (c == DN_EXIT_USAGE || (c && code != DN_EXIT_USAGE))
			code = c;
	}
	if (o.junit && !write_junit(o.junit, &rep, dn_cli_now_s() - t0))
		code = code ? code : DN_EXIT_FAIL;
	size_t fails = 0;
	for (size_t i = 0; i < rep.n; i++)
		fails += rep.c[i].fail || rep.c[i].error;
	printf("dnetsim check: %zu of %zu checks passed in %.1f s%s\n", rep.n - fails, rep.n, dn_cli_now_s() - t0,
	       code ? "" : "");
	if (own_work && (code == DN_EXIT_OK || ck_stop))
		remove_tree(o.work);
	else if (code != DN_EXIT_OK && code != DN_EXIT_USAGE)
		printf("dnetsim check: the runs are kept in %s\n", o.work);
	else if (own_work)
		remove_tree(o.work);
	for (size_t i = 0; i < rep.n; i++) {
		free(rep.c[i].suite);
		free(rep.c[i].name);
		free(rep.c[i].message);
		free(rep.c[i].detail);
	}
	free(rep.c);
	dn_cli_registry_fini(&cr);
	return code;
}
