/*
 * calib.c: the calibration file of the flow-level network models.
 *
 * Plain text, one "key value" pair a line, '#' starts a comment. The first
 * non-comment line must be "dnetsim-net-calibration <version>". Every key
 * of dn_net_calib must appear exactly once; an unknown key, a repeated key,
 * a missing key, a value that is not a finite number or lies outside its
 * sane range is an error naming file:line. There is no silent default:
 * a run that cannot read its calibration stops.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dn_net.h"

#ifndef DN_NET_SOURCE_DIR
#define DN_NET_SOURCE_DIR "."
#endif

#define CALIB_MAX_BYTES (64 * 1024)
#define CALIB_MAX_LINE 512

typedef struct calib_key {
	const char *name;
	size_t off;
	double min, max;
	const char *doc;
	int version; /* the only file version with this key; 0: every version */
} calib_key;

/* Version 1 files gave the mesh rate ladder as a shift and a spread of the
 * standard's sensitivities (IEEE 802.11-2016 Table 17-18); they still load,
 * as the thresholds that shift and spread gave. */
typedef struct calib_v1 {
	double sens_offset_db, rate_slope;
} calib_v1;
/* IEEE 802.11-2016 Table 17-18 (20 MHz): the minimum sensitivities of 54 ... 9 Mbit/s. */
static const double v1_sens_dbm[DN_NET_WIFI_LADDER] = {-65, -66, -70, -74, -77, -79, -81};

#define K(field) offsetof(dn_net_calib, field)
static const calib_key calib_keys[] = {
	{"cell.se_scale", K(cell_se_scale), 0.05, 1.5, "attenuation of Shannon efficiency", 0},
	{"cell.se_max_bps_hz", K(cell_se_max_bps_hz), 0.5, 10, "spectral-efficiency cap", 0},
	{"cell.sinr_min_db", K(cell_sinr_min_db), -20, 10, "SINR below which nothing is decoded", 0},
	{"cell.gap_db", K(cell_gap_db), 0, 15, "SINR gap to the Shannon bound", 0},
	{"cell.base_delay_s", K(cell_base_delay_s), 0, 1, "unloaded one-way delay", 0},
	{"cell.queue_bits", K(cell_queue_bits), 0, 1e9, "bits queued ahead of a saturated flow", 0},
	{"mesh.mac_eff", K(mesh_mac_eff), 0.05, 1.5, "goodput / analytic DCF goodput", 0},
	{"mesh.sens_offset_db", offsetof(calib_v1, sens_offset_db), -30, 30, "shift of the 802.11a sensitivities", 1},
	{"mesh.interf_margin_db", K(mesh_interf_margin_db), -20, 40, "decoding margin of the interference test", 0},
	{"mesh.rate_slope", offsetof(calib_v1, rate_slope), 0.1, 2, "spread of the 802.11a rate thresholds", 1},
	{"mesh.rx_54_dbm", K(mesh_rate_rx_dbm[0]), -100, -30, "received power 54 Mbit/s needs", 2},
	{"mesh.rx_48_dbm", K(mesh_rate_rx_dbm[1]), -100, -30, "received power 48 Mbit/s needs", 2},
	{"mesh.rx_36_dbm", K(mesh_rate_rx_dbm[2]), -100, -30, "received power 36 Mbit/s needs", 2},
	{"mesh.rx_24_dbm", K(mesh_rate_rx_dbm[3]), -100, -30, "received power 24 Mbit/s needs", 2},
	{"mesh.rx_18_dbm", K(mesh_rate_rx_dbm[4]), -100, -30, "received power 18 Mbit/s needs", 2},
	{"mesh.rx_12_dbm", K(mesh_rate_rx_dbm[5]), -100, -30, "received power 12 Mbit/s needs", 2},
	{"mesh.rx_9_dbm", K(mesh_rate_rx_dbm[6]), -100, -30, "received power 9 Mbit/s needs", 2},
	{"mesh.hidden_vuln", K(mesh_hidden_vuln), 0, 8, "hidden-terminal vulnerability exponent", 0},
	{"mesh.hop_delay_s", K(mesh_hop_delay_s), 0, 1, "unloaded per-hop delay", 0},
	{"mesh.queue_bits", K(mesh_queue_bits), 0, 1e10, "bits queued ahead of a saturated flow", 0},
};
#undef K
_Static_assert(DN_NET_WIFI_LADDER == 7, "one mesh.rx_*_dbm key per ladder rate");
#define N_KEYS (sizeof calib_keys / sizeof calib_keys[0])

static dn_rc calib_err(char *err, size_t errlen, dn_rc rc, const char *fmt, ...) DN_PRINTF(4, 5);
static dn_rc calib_err(char *err, size_t errlen, dn_rc rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

const char *dn_net_calib_default_path(void)
{
	return DN_NET_SOURCE_DIR "/models/net/calibration.txt";
}

dn_rc dn_net_calib_parse(const char *name, const char *text, size_t len, dn_net_calib *out,
                         char *err, size_t errlen)
{
	bool seen[N_KEYS] = {false};
	bool have_version = false;
	calib_v1 v1 = {0};
	size_t pos = 0;
	int line = 0;
	memset(out, 0, sizeof *out);
	while (pos < len) {
		char buf[CALIB_MAX_LINE];
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		if (end - pos >= sizeof buf)
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: line too long", name, line);
		memcpy(buf, text + pos, end - pos);
		buf[end - pos] = '\0';
		pos = end + 1;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *save = NULL;
		char *key = strtok_r(buf, " \t\r", &save);
		if (!key)
			continue;
		char *val = strtok_r(NULL, " \t\r", &save);
		char *extra = strtok_r(NULL, " \t\r", &save);
		if (!val)
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: '%s' has no value", name, line, key);
		if (extra)
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: unexpected '%s' after the value",
					 name, line, extra);
		if (!have_version) {
			if (strcmp(key, "dnetsim-net-calibration") != 0)
				return calib_err(err, errlen, DN_EPARSE,
						 "%s:%d: expected 'dnetsim-net-calibration <version>' first "
						 "(got '%s')", name, line, key);
			if (strcmp(val, "1") != 0 && strcmp(val, "2") != 0)
				return calib_err(err, errlen, DN_EPARSE,
						 "%s:%d: unsupported calibration version '%s' (this build "
						 "reads versions 1 and %d)", name, line, val, DN_NET_CALIB_VERSION);
			out->version = val[0] - '0';
			have_version = true;
			continue;
		}
		size_t k = 0;
		while (k < N_KEYS && (strcmp(calib_keys[k].name, key) != 0 ||
				      (calib_keys[k].version && calib_keys[k].version != out->version)))
			k++;
		if (k == N_KEYS)
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: unknown key '%s' (in a version %d file)", name,
					 line, key, out->version);
		if (seen[k])
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: key '%s' given twice", name, line,
					 key);
		char *ep = NULL;
		errno = 0;
		double v = strtod(val, &ep);
		if (ep == val || *ep != '\0' || errno == ERANGE || !isfinite(v))
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: '%s' is not a number (got '%s')",
					 name, line, key, val);
		if (v < calib_keys[k].min || v > calib_keys[k].max)
			return calib_err(err, errlen, DN_EPARSE,
					 "%s:%d: '%s' must be between %g and %g (got %g)", name, line, key,
					 calib_keys[k].min, calib_keys[k].max, v);
		seen[k] = true;
		*(double *)((char *)(calib_keys[k].version == 1 ? (void *)&v1 : (void *)out) + calib_keys[k].off) = v;
	}
	if (!have_version)
		return calib_err(err, errlen, DN_EPARSE,
				 "%s:%d: empty calibration file (no 'dnetsim-net-calibration' line)", name,
				 line);
	for (size_t k = 0; k < N_KEYS; k++)
		if (!seen[k] && (!calib_keys[k].version || calib_keys[k].version == out->version))
			return calib_err(err, errlen, DN_EPARSE, "%s:%d: key '%s' is missing", name, line,
					 calib_keys[k].name);
	if (out->version == 1)
		for (int r = 0; r < DN_NET_WIFI_LADDER; r++)
			out->mesh_rate_rx_dbm[r] = DN_NET_WIFI_FLOOR_DBM + v1.sens_offset_db +
						   v1.rate_slope * (v1_sens_dbm[r] - DN_NET_WIFI_FLOOR_DBM);
	static const int mbps[DN_NET_WIFI_LADDER] = {54, 48, 36, 24, 18, 12, 9};
	for (int r = 0; r + 1 < DN_NET_WIFI_LADDER; r++)
		if (out->mesh_rate_rx_dbm[r] < out->mesh_rate_rx_dbm[r + 1])
			return calib_err(err, errlen, DN_EPARSE,
					 "%s: mesh.rx_%d_dbm (%g) is below mesh.rx_%d_dbm (%g): a faster rate "
					 "needs at least the power of a slower one", name, mbps[r],
					 out->mesh_rate_rx_dbm[r], mbps[r + 1], out->mesh_rate_rx_dbm[r + 1]);
	out->version = DN_NET_CALIB_VERSION;
	return DN_OK;
}

dn_rc dn_net_calib_load(const char *path, dn_net_calib *out, char *err, size_t errlen)
{
	char why[160];
	FILE *f = dn_fopen_input(path, CALIB_MAX_BYTES, why, sizeof why);
	if (!f)
		return calib_err(err, errlen, DN_EIO, "%s: cannot open the network calibration file: %s",
				 path, why);
	char *buf = malloc(CALIB_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return DN_ENOMEM;
	}
	size_t n = fread(buf, 1, CALIB_MAX_BYTES + 1, f);
	int bad = ferror(f);
	fclose(f);
	dn_rc rc;
	if (bad)
		rc = calib_err(err, errlen, DN_EIO, "%s: read error", path);
	else if (n > CALIB_MAX_BYTES)
		rc = calib_err(err, errlen, DN_EPARSE, "%s: larger than %d bytes", path, CALIB_MAX_BYTES);
	else if (memchr(buf, '\0', n))
		rc = calib_err(err, errlen, DN_EPARSE, "%s: contains NUL bytes (not a text file)", path);
	else
		rc = dn_net_calib_parse(path, buf, n, out, err, errlen);
	free(buf);
	return rc;
}

dn_rc dn_net_calib_save(const char *path, const dn_net_calib *c, const char *comment, char *err,
                        size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return calib_err(err, errlen, DN_EIO, "%s: cannot write: %s", path, strerror(errno));
	fprintf(f, "# dnetsim network-model calibration (written by `dnetsim calibrate`).\n"
		   "# Format: docs/network-models.md. One 'key value' a line; '#' comments.\n");
	if (comment) {
		const char *p = comment;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(f, "# %.*s\n", (int)l, p);
			p += l + (nl ? 1 : 0);
		}
	}
	fprintf(f, "dnetsim-net-calibration %d\n", DN_NET_CALIB_VERSION);
	for (size_t k = 0; k < N_KEYS; k++) {
		if (calib_keys[k].version && calib_keys[k].version != DN_NET_CALIB_VERSION)
			continue;
		char num[32];
		dn_param_format_float(*(const double *)((const char *)c + calib_keys[k].off), num,
				      sizeof num);
		fprintf(f, "%-22s %-14s # %s\n", calib_keys[k].name, num, calib_keys[k].doc);
	}
	if (fclose(f) != 0)
		return calib_err(err, errlen, DN_EIO, "%s: write error", path);
	return DN_OK;
}
