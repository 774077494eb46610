/* common.c: the shared parts of the subcommands (see common.h). */
#include "common.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "cli.h"
#include "models.h"

dn_rc dn_cli_registry_init(dn_cli_registry *cr)
{
	memset(cr, 0, sizeof *cr);
	cr->reg = dn_registry_new();
	if (!cr->reg)
		return DN_ENOMEM;
	size_t n;
	const dn_param_def *eng = dn_engine_params(&n);
	if (n > sizeof cr->engine_defs / sizeof cr->engine_defs[0])
		return DN_ELIMIT;
	/* sim.model becomes an enum of the compiled-in models, so a typo is
	 * caught at its file:line:column like any other bad value. */
	const dn_model *const *models = dn_models_all();
	size_t off = 0;
	for (size_t i = 0; models[i]; i++) {
		int k = snprintf(cr->model_choices + off, sizeof cr->model_choices - off, "%s%s",
		                 i ? "|" : "", models[i]->name);
		if (k < 0 || (size_t)k >= sizeof cr->model_choices - off)
			return DN_ELIMIT;
		off += (size_t)k;
	}
	for (size_t i = 0; i < n; i++) {
		cr->engine_defs[i] = eng[i];
		if (strcmp(eng[i].name, "sim.model") == 0) {
			cr->engine_defs[i].type = DN_PT_ENUM;
			cr->engine_defs[i].choices = cr->model_choices;
		}
	}
	dn_rc rc = dn_registry_add(cr->reg, cr->engine_defs, n);
	if (!rc)
		rc = dn_models_add_params(cr->reg);
	return rc;
}

void dn_cli_registry_fini(dn_cli_registry *cr)
{
	dn_registry_free(cr->reg);
	cr->reg = NULL;
}

bool dn_cli_sets_add(dn_cli_sets *s, const char *kv)
{
	if (s->n >= DN_CLI_MAX_SETS) {
		fprintf(stderr, "dnetsim: too many --set options (at most %d)\n", DN_CLI_MAX_SETS);
		return false;
	}
	s->v[s->n++] = kv;
	return true;
}

/* Whether a command-line word could be the VALUE meant for a --set KEY
 * before it: not an option, not KEY=VALUE, not a scenario file name. */
static bool looks_like_value(const char *w)
{
	if (!w || !w[0] || strchr(w, '='))
		return false;
	if (w[0] == '-' && !((w[1] >= '0' && w[1] <= '9') || w[1] == '.'))
		return false; /* an option; "-0.3" is a value */
	size_t n = strlen(w);
	if ((n >= 5 && strcmp(w + n - 5, ".yaml") == 0) || (n >= 4 && strcmp(w + n - 4, ".yml") == 0))
		return false;
	return true;
}

bool dn_cli_set_opt(dn_cli_sets *s, const char *cmd, const char *kv, const char *next)
{
	if (!strchr(kv, '=')) {
		if (looks_like_value(next))
			fprintf(stderr, "dnetsim %s: --set %s: expected KEY=VALUE (did you mean --set %s=%s?)\n",
			        cmd, kv, kv, next);
		else
			fprintf(stderr, "dnetsim %s: --set %s: expected KEY=VALUE\n", cmd, kv[0] ? kv : "''");
		return false;
	}
	if (!dn_cli_sets_add(s, kv))
		return false;
	s->next[s->n - 1] = next;
	return true;
}

bool dn_cli_operand_hint(const char *cmd, const dn_cli_sets *s, int argc, char **argv, int first)
{
	for (int i = first; i < argc; i++) {
		for (size_t j = 0; j < s->n; j++) {
			if (!s->next[j] || s->next[j] != argv[i])
				continue;
			const char *kv = s->v[j];
			const size_t n = strlen(kv);
			if (n && kv[n - 1] == '=')
				fprintf(stderr,
				        "dnetsim %s: '%s' after --set %s is read as a second FILE "
				        "(did you mean --set %s%s?)\n",
				        cmd, argv[i], kv, kv, argv[i]);
			else
				fprintf(stderr,
				        "dnetsim %s: '%s' after --set %s is read as a second FILE "
				        "(a --set is one word: quote a value with spaces, --set '%s %s')\n",
				        cmd, argv[i], kv, kv, argv[i]);
			return true;
		}
	}
	for (int i = first; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		const size_t name_len = strspn(argv[i], "abcdefghijklmnopqrstuvwxyz0123456789_.");
		if (eq && eq > argv[i] && name_len == (size_t)(eq - argv[i])) {
			fprintf(stderr, "dnetsim %s: '%s' is read as a second FILE (did you mean --set %s?)\n", cmd,
			        argv[i], argv[i]);
			return true;
		}
	}
	return false;
}

void dn_cli_print_errors(const char *err)
{
	/* One line each, each with the prefix. */
	for (const char *p = err; *p;) {
		const char *nl = strchr(p, '\n');
		const int len = nl ? (int)(nl - p) : (int)strlen(p);
		fprintf(stderr, "dnetsim: %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

dn_scenario *dn_cli_load(const dn_cli_registry *cr, const char *path, const dn_cli_sets *sets)
{
	/* Room for the errors the loader reports (one per line, at most 50;
	 * what does not fit is counted in its last line). */
	char err[16384];
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load(cr->reg, path, sets->v, sets->n, &s, err, sizeof err);
	if (rc) {
		if (!err[0]) {
			fprintf(stderr, "dnetsim: %s\n", dn_rc_str(rc));
			return NULL;
		}
		dn_cli_print_errors(err);
		return NULL;
	}
	return s;
}

bool dn_cli_parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end = NULL;
	errno = 0;
	if (!s || !*s || *s == '-') {
		fprintf(stderr, "dnetsim: %s expects a non-negative integer, got '%s'\n", opt, s ? s : "");
		return false;
	}
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end) {
		fprintf(stderr, "dnetsim: %s expects a non-negative integer, got '%s'\n", opt, s);
		return false;
	}
	*out = v;
	return true;
}

bool dn_cli_parse_double(const char *opt, const char *s, double *out)
{
	char *end = NULL;
	errno = 0;
	double v = s ? strtod(s, &end) : NAN;
	if (!s || !*s || errno || *end || !isfinite(v)) {
		fprintf(stderr, "dnetsim: %s expects a number, got '%s'\n", opt, s ? s : "");
		return false;
	}
	*out = v;
	return true;
}

uint64_t dn_cli_peak_rss_bytes(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024u;
}

double dn_cli_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert(ts.tv_nsec >= 0 && ts.tv_nsec < DN_NS_PER_S);
	return (double)ts.tv_sec + (double)ts.tv_nsec / (double)DN_NS_PER_S;
}

int dn_cli_opts_parse(const char *cmd, int argc, char **argv, int first, dn_cli_opt *o, int n,
                      const char *operand_hint)
{
	assert(first >= 1 && n >= 1);
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "dnetsim calc %s: unexpected argument '%s'%s\n", cmd, a, operand_hint);
			return DN_EXIT_USAGE;
		}
		a += 2;
		const char *eq = strchr(a, '=');
		const size_t len = eq ? (size_t)(eq - a) : strlen(a);
		int k = 0;
		while (k < n && !(strlen(o[k].name) == len && strncmp(o[k].name, a, len) == 0))
			k++;
		if (k == n) {
			fprintf(stderr, "dnetsim calc %s: unknown option '--%.*s' (see --help)\n", cmd, (int)len, a);
			return DN_EXIT_USAGE;
		}
		o[k].seen = 1;
		if (!o[k].takes_value) {
			if (eq) {
				fprintf(stderr, "dnetsim calc %s: --%s takes no value\n", cmd, o[k].name);
				return DN_EXIT_USAGE;
			}
			continue;
		}
		if (eq) {
			o[k].value = eq + 1;
		} else if (i + 1 < argc) {
			o[k].value = argv[++i];
		} else {
			fprintf(stderr, "dnetsim calc %s: --%s needs a value\n", cmd, o[k].name);
			return DN_EXIT_USAGE;
		}
		assert(i < argc);
	}
	return 0;
}

dn_rc dn_cli_cell_fixed_los(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t n,
                            const double *x_m, const double *y_m, uint64_t seed, int *los,
                            dn_net_user_stat *st)
{
	dn_rc rc = dn_net_eval_cell(cfg, k, n, x_m, y_m, NULL, seed, st);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		los[i] = st[i].los;
	return dn_net_eval_cell(cfg, k, n, x_m, y_m, los, seed, st);
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double dn_cli_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double dn_cli_cell_served_rate(double rx_bps, double delay_s, double measure_s)
{
	return delay_s > 0 && delay_s < measure_s ? rx_bps * measure_s / (measure_s - delay_s) : rx_bps;
}

int dn_cli_mkdirs(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

void dn_cli_remove_tree(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}
