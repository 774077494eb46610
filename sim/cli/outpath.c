/*
 * outpath.c: what `dnetsim run` checks before it writes anything: that the
 * results path names nothing the user would lose (the scenario, one of its
 * includes, a file a parameter names, a device, FIFO, socket, folder or
 * link, or an earlier result without --force), that its folder takes files,
 * and that temporaries left by dead runs in that folder are cleaned up.
 * The checks run before the world is built, so a refusal costs nothing.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "results.h"

/* Same file as `other` (by device and inode), when other exists. */
static bool same_file(const struct stat *out, const char *other)
{
	struct stat st;
	return other && other[0] && stat(other, &st) == 0 && st.st_dev == out->st_dev &&
	       st.st_ino == out->st_ino;
}

bool dn_cli_out_ok(const char *out, const dn_scenario *s, const dn_cli_registry *cr, bool force)
{
	struct stat st;
	if (lstat(out, &st) != 0) {
		if (errno == ENOENT)
			return true; /* a new name */
		fprintf(stderr, "dnetsim: --out %s: %s\n", out, strerror(errno));
		return false;
	}
	if (S_ISLNK(st.st_mode)) {
		fprintf(stderr,
		        "dnetsim: --out %s is a symbolic link; the results would replace the link, "
		        "not its target: give the real path\n",
		        out);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "dnetsim: --out %s is %s, not a results file: choose a file name\n", out,
		        dn_file_kind(st.st_mode));
		return false;
	}
	for (size_t i = 0; i < dn_scenario_n_sources(s); i++) {
		const char *src = dn_scenario_source(s, i);
		if (same_file(&st, src)) {
			fprintf(stderr, "dnetsim: --out %s is %s %s: the results would destroy it\n", out,
			        i == 0 ? "the scenario file" : "the scenario's include", src);
			return false;
		}
	}
	/* Any string parameter naming this file is an input of the run
	 * (a price path, a calibration file): never overwritten. */
	for (size_t i = 0; i < dn_registry_count(cr->reg); i++) {
		const dn_param_def *d = dn_registry_at(cr->reg, i);
		if (d->type != DN_PT_STRING)
			continue;
		const char *v = dn_scn_str(s, d->name);
		if (same_file(&st, v)) {
			fprintf(stderr, "dnetsim: --out %s is the file %s names (%s): the results would destroy it\n",
			        out, d->name, v);
			return false;
		}
	}
	if (!force) {
		fprintf(stderr,
		        "dnetsim: %s exists; pass --force to replace it, or choose another --out\n", out);
		return false;
	}
	return true;
}

static void stale_note(void *ctx, const char *file, long pid, int err)
{
	bool quiet = *(const bool *)ctx;
	if (err)
		fprintf(stderr, "dnetsim: cannot remove %s, left by a run (pid %ld) that no longer exists: %s\n",
		        file, pid, strerror(err));
	else if (!quiet)
		fprintf(stderr, "dnetsim: removed %s, left by a run (pid %ld) that no longer exists\n", file,
		        pid);
}

bool dn_cli_out_dir_ok(const char *out, bool quiet)
{
	char dir[4096];
	if (!dn_path_folder(out, dir, sizeof dir)) {
		fprintf(stderr, "dnetsim: --out: the path is too long\n");
		return false;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "dnetsim: cannot write results into the folder %s: %s\n", dir, strerror(errno));
		return false;
	}
	(void)dn_results_clean_stale(out, stale_note, &quiet);
	return true;
}

char *dn_cli_default_out(const char *scenario_path, const char *suffix)
{
	const char *base = strrchr(scenario_path, '/');
	base = base ? base + 1 : scenario_path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		n -= 4;
	size_t len = n + strlen(suffix) + 16;
	char *out = malloc(len);
	if (out)
		snprintf(out, len, "results/%.*s%s.h5", (int)n, base, suffix);
	return out;
}
