/*
 * memcheck.c: the memory and results-size check of `dnetsim run` (see
 * memcheck.h for the thresholds). It reads /proc, /sys and the resource
 * limits; it never allocates anything the size of a run.
 */
#include "memcheck.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

/* The process before any model memory: libraries (HDF5, GSL, the OpenMP
 * runtime: a 1000-LP PHOLD run peaks at 16 MiB with 2 threads), plus each
 * thread's stack and runtime state. */
#define PROCESS_BYTES (15.0 * MIB)
#define THREAD_BYTES (1.0 * MIB)
/* The recorder, per series: a buffer of 4096 rows (results.c) and HDF5's
 * chunk cache, which keeps up to 1 MiB of a dataset's chunks. */
#define ROW_BYTES 16.0 /* t_ns and value */
#define RECORDER_BUFFER_ROWS 4096.0
#define RECORDER_CACHE_BYTES (1.0 * MIB)

#define WARN_MEM_SHARE 0.8
#define WARN_FILE_BYTES (1.0 * GIB)
#define WARN_SAMPLES 1e7
#define BEST_DEFLATE 32.0 /* no series of ours compresses better */
#define DRIVER_SHARE_SHOWN 0.1 /* drivers below this share of the need go unnamed */

dn_rc dn_cli_mem_need(const dn_model *m, const dn_scenario *s, int threads, dn_cli_need *out)
{
	memset(out, 0, sizeof *out);
	if (threads <= 0)
		threads = (int)dn_scn_int(s, "sim.threads");
	if (threads <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (int)c : 1;
	}
	out->samples = dn_engine_samples(s);
	if (!m->estimate)
		return DN_OK;
	dn_rc rc = m->estimate(s, &out->est);
	if (rc)
		return rc;
	const dn_estimate *e = &out->est;
	out->known = true;
	double rows = e->rows > 0 ? e->rows : out->samples;
	out->file_bytes = e->series * rows * ROW_BYTES;
	out->mem_bytes = PROCESS_BYTES + threads * THREAD_BYTES + e->model_bytes + e->engine_bytes +
	                 e->series * (RECORDER_BUFFER_ROWS * ROW_BYTES + fmin(rows * ROW_BYTES, RECORDER_CACHE_BYTES));
	return DN_OK;
}

/* ---- what the machine offers ---- */

/* The number after `key` and its separator `sep` on a line of a /proc or
 * cgroup file ("MemAvailable: N kB", "anon N"); < 0 if absent. */
static double keyed_value(const char *path, const char *key, char sep)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[256];
	double v = -1;
	size_t kl = strlen(key);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == sep) {
			v = strtod(line + kl + 1, NULL);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A "Key: N kB" line of a /proc file, in bytes; < 0 if absent. */
static double proc_kb(const char *path, const char *key)
{
	double kb = keyed_value(path, key, ':');
	return kb < 0 ? kb : kb * 1024.0;
}

/* The first number in a file ("max" and unreadable files: < 0). */
static double file_number(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char buf[64] = {0};
	double v = -1;
	if (fgets(buf, sizeof buf, f) && isdigit((unsigned char)buf[0]))
		v = strtod(buf, NULL);
	fclose(f);
	return v;
}

static void offer(dn_cli_avail *a, double bytes, const char *source)
{
	if (bytes < 0)
		return;
	if (a->mem_bytes < 0 || bytes < a->mem_bytes) {
		a->mem_bytes = bytes;
		a->mem_source = source;
	}
}

/*
 * A cgroup folder's limit less what cannot be reclaimed (anonymous memory;
 * page cache would be given back), for v2 (memory.max, memory.stat anon)
 * or v1 (memory.limit_in_bytes, memory.stat total_rss); < 0 without a limit.
 */
static double cgroup_room(const char *dir, bool v2)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
	double lim = file_number(p);
	if (lim < 0 || lim >= 0x1p60) /* "max", or v1's page-rounded LONG_MAX */
		return -1;
	snprintf(p, sizeof p, "%s/memory.stat", dir);
	double used = keyed_value(p, v2 ? "anon" : "total_rss", ' ');
	if (used < 0) {
		snprintf(p, sizeof p, "%s/%s", dir, v2 ? "memory.current" : "memory.usage_in_bytes");
		used = file_number(p);
	}
	return used < 0 ? lim : fmax(0, lim - used);
}

/* Walks a cgroup path up to its mount's root, offering each level's room. */
static void cgroup_offer(dn_cli_avail *a, const char *mount, const char *path, bool v2, const char *source)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s%s", mount, path);
	size_t root = strlen(mount);
	for (;;) {
		size_t n = strlen(dir);
		while (n > root && dir[n - 1] == '/')
			dir[--n] = '\0';
		offer(a, cgroup_room(dir, v2), source);
		char *slash = strrchr(dir, '/');
		if (n <= root || !slash || (size_t)(slash - dir) < root)
			break;
		*slash = '\0';
	}
}

static void cgroup_offers(dn_cli_avail *a)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		/* "0::/path" (v2), "4:memory:/path" (v1) */
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (strcmp(line, "0") == 0 && c1[1] == '\0')
			cgroup_offer(a, "/sys/fs/cgroup", c2 + 1, true, "cgroup memory.max");
		else if (strcmp(c1 + 1, "memory") == 0)
			cgroup_offer(a, "/sys/fs/cgroup/memory", c2 + 1, false, "cgroup memory.limit_in_bytes");
	}
	fclose(f);
	/* In a cgroup namespace the path may not exist under the mount: its root is ours. */
	offer(a, cgroup_room("/sys/fs/cgroup", true), "cgroup memory.max");
	offer(a, cgroup_room("/sys/fs/cgroup/memory", false), "cgroup memory.limit_in_bytes");
}

/* "8G", "512M", "1048576": bytes, or < 0 when malformed. */
static double parse_size(const char *t)
{
	char *end;
	errno = 0;
	double v = strtod(t, &end);
	if (errno || end == t || !(v >= 0))
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': v *= 1024.0; end++; break;
	case 'M': v *= MIB; end++; break;
	case 'G': v *= GIB; end++; break;
	case 'T': v *= 1024.0 * GIB; end++; break;
	default: break;
	}
	if (toupper((unsigned char)*end) == 'I') /* "GiB" */
		end++;
	if (toupper((unsigned char)*end) == 'B')
		end++;
	return *end ? -1 : v;
}

static void folder_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

void dn_cli_mem_avail(const char *out_path, dn_cli_avail *a)
{
	a->mem_bytes = -1;
	a->mem_source = NULL;
	a->disk_bytes = -1;
	a->bad_limit = NULL;
	double avail = proc_kb("/proc/meminfo", "MemAvailable");
	if (avail >= 0) {
		offer(a, avail, "MemAvailable");
	} else {
		long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
		if (pages > 0 && size > 0)
			offer(a, (double)pages * (double)size, "free memory");
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		double mapped = proc_kb("/proc/self/status", "VmSize");
		offer(a, fmax(0, (double)rl.rlim_cur - fmax(0, mapped)), "RLIMIT_AS");
	}
	if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		double data = proc_kb("/proc/self/status", "VmData");
		offer(a, fmax(0, (double)rl.rlim_cur - fmax(0, data)), "RLIMIT_DATA");
	}
	cgroup_offers(a);
	const char *cap = getenv("DNETSIM_MEMORY_LIMIT");
	if (cap && *cap) {
		double v = parse_size(cap);
		if (v < 0)
			a->bad_limit = cap;
		offer(a, v, "DNETSIM_MEMORY_LIMIT");
	}
	if (out_path && *out_path) {
		char dir[4096];
		folder_of(out_path, dir, sizeof dir);
		struct statvfs sv;
		if (statvfs(dir, &sv) == 0)
			a->disk_bytes = (double)sv.f_bavail * (double)sv.f_frsize;
	}
}

/* ---- the decision ---- */

static const char *human(double b, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	int u = 0;
	while (b >= 1024.0 && u < 6) {
		b /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", b);
	else
		snprintf(buf, len, "%.1f %s", b, unit[u]);
	return buf;
}

/* The drivers worth naming, largest share first: each one with a share and
 * the factors after it form a group. OUT order[] (driver indices); returns
 * how many. */
static size_t shown_drivers(const dn_estimate *e, double total, size_t order[DN_ESTIMATE_DRIVERS])
{
	size_t start[DN_ESTIMATE_DRIVERS], ng = 0;
	double share[DN_ESTIMATE_DRIVERS];
	for (size_t i = 0; i < e->n_drivers; i++) {
		if (e->driver[i].bytes > 0 || ng == 0) {
			start[ng] = i;
			share[ng] = e->driver[i].bytes;
			ng++;
		}
	}
	/* insertion sort, stable, largest first */
	for (size_t i = 1; i < ng; i++) {
		for (size_t j = i; j > 0 && share[j] > share[j - 1]; j--) {
			size_t ts = start[j];
			double th = share[j];
			start[j] = start[j - 1];
			share[j] = share[j - 1];
			start[j - 1] = ts;
			share[j - 1] = th;
		}
	}
	size_t n = 0;
	for (size_t g = 0; g < ng; g++) {
		if (g > 0 && share[g] < DRIVER_SHARE_SHOWN * total)
			break;
		size_t i = start[g];
		do
			order[n++] = i++;
		while (i < e->n_drivers && e->driver[i].bytes <= 0);
	}
	return n;
}

/* "(world.agents=80000000: ~560 B per agent, ...)" and "world.agents or
 * sim.end_time_s"; returns how many parameters are named. */
static size_t describe(const dn_cli_need *need, char *why, size_t wlen, char *what, size_t qlen)
{
	size_t order[DN_ESTIMATE_DRIVERS];
	size_t n = shown_drivers(&need->est, need->mem_bytes, order);
	size_t wo = 0, qo = 0;
	why[0] = what[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		const dn_estimate_driver *d = &need->est.driver[order[k]];
		char per[32];
		int w;
		if (d->bytes_per_unit > 0)
			w = snprintf(why + wo, wlen - wo, "%s%s=%.15g: ~%s per %s", k ? ", " : " (", d->param, d->value,
			             human(d->bytes_per_unit, per, sizeof per), d->unit ? d->unit : "unit");
		else
			w = snprintf(why + wo, wlen - wo, "%s%s=%.15g", k ? ", " : " (", d->param, d->value);
		if (w > 0 && (size_t)w < wlen - wo)
			wo += (size_t)w;
		w = snprintf(what + qo, qlen - qo, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", d->param);
		if (w > 0 && (size_t)w < qlen - qo)
			qo += (size_t)w;
	}
	if (n && wo + 1 < wlen)
		snprintf(why + wo, wlen - wo, ")");
	return n;
}

int dn_cli_mem_decide(const dn_cli_need *need, const dn_cli_avail *av, const dn_scenario *s, bool force,
                      bool quiet, const char *out_path, FILE *err)
{
	char a[32], b[32], why[768], what[256];
	const double step_s = dn_scn_float(s, "sim.sample_interval_s");

	if (av->bad_limit)
		fprintf(err, "dnetsim: warning: DNETSIM_MEMORY_LIMIT='%s' is not a size (like 8G or 512M); ignored\n",
		        av->bad_limit);
	/* results: disk, then the advisory size and sample count */
	if (need->known && av->disk_bytes >= 0 && need->file_bytes / BEST_DEFLATE > av->disk_bytes) {
		char dir[4096];
		folder_of(out_path ? out_path : ".", dir, sizeof dir);
		fprintf(err,
		        "dnetsim: %sthe results of this run take about %s before compression (%.0f series x %.3g "
		        "samples, sim.sample_interval_s=%g); even compressed %.0fx that is more than the %s free in %s; "
		        "%s\n",
		        force ? "warning: " : "", human(need->file_bytes, a, sizeof a), need->est.series,
		        need->est.rows > 0 ? need->est.rows : need->samples, step_s, BEST_DEFLATE,
		        human(av->disk_bytes, b, sizeof b), dir,
		        force ? "going on because of --force" : "record less often (record.interval for a world, sim.sample_interval_s otherwise) or pass --force to try anyway");
		if (!force)
			return DN_EXIT_USAGE;
	} else if (!quiet && need->known && need->file_bytes > WARN_FILE_BYTES) {
		fprintf(err,
		        "dnetsim: warning: sim.sample_interval_s=%g gives %.3g rows per series: the results file "
		        "takes about %s before compression (HDF5 deflate makes it 10-20x smaller; a world can record "
		        "less often: record.interval)\n",
		        step_s, need->est.rows > 0 ? need->est.rows : need->samples, human(need->file_bytes, a, sizeof a));
	}
	if (!quiet && need->samples > WARN_SAMPLES)
		fprintf(err,
		        "dnetsim: warning: sim.sample_interval_s=%g over sim.end_time_s=%g makes %.3g sample points; "
		        "each ends a synchronisation window, so the run will be slow\n",
		        step_s, dn_scn_float(s, "sim.end_time_s"), need->samples);

	/* memory */
	if (!need->known || av->mem_bytes < 0)
		return 0;
	size_t named = describe(need, why, sizeof why, what, sizeof what);
	if (need->mem_bytes > av->mem_bytes) {
		if (force) {
			fprintf(err, "dnetsim: warning: this run needs about %s%s, %s is available (%s); going on because "
			             "of --force\n",
			        human(need->mem_bytes, a, sizeof a), why, human(av->mem_bytes, b, sizeof b), av->mem_source);
			return 0;
		}
		fprintf(err, "dnetsim: this run needs about %s%s, %s is available (%s); %s%s%spass --force to try anyway\n",
		        human(need->mem_bytes, a, sizeof a), why, human(av->mem_bytes, b, sizeof b), av->mem_source,
		        named ? "lower " : "", what, named > 1 ? ", or " : named ? " or " : "");
		return DN_EXIT_USAGE;
	}
	if (!quiet && need->mem_bytes > WARN_MEM_SHARE * av->mem_bytes)
		fprintf(err, "dnetsim: warning: this run needs about %s%s, %.0f %% of the %s available (%s)\n",
		        human(need->mem_bytes, a, sizeof a), why, 100.0 * need->mem_bytes / av->mem_bytes,
		        human(av->mem_bytes, b, sizeof b), av->mem_source);
	return 0;
}

int dn_cli_mem_check(const dn_model *m, const dn_scenario *s, int threads, bool force, bool quiet,
                     const char *out_path, FILE *err)
{
	dn_cli_need need;
	dn_rc rc = dn_cli_mem_need(m, s, threads, &need);
	if (rc) {
		fprintf(err, "dnetsim: cannot estimate the run's memory: %s\n", dn_rc_str(rc));
		return DN_EXIT_FAIL;
	}
	dn_cli_avail av;
	dn_cli_mem_avail(out_path, &av);
	return dn_cli_mem_decide(&need, &av, s, force, quiet, out_path, err);
}
