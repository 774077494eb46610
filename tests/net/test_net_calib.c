/*
 * test_net_calib.c: the calibration file: the shipped one loads and is
 * sane; a missing file and every kind of malformed file give an error that
 * names file:line (never a silent default); save and load round-trip;
 * a version 1 file (the ladder as a shift and spread of the standard's
 * sensitivities) loads as the thresholds it gave; a version 2 ladder that
 * needs less power for a faster rate is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "dn_net.h"

static const char good[] =
	"# comment\n"
	"dnetsim-net-calibration 1\n"
	"cell.se_scale 0.6\n"
	"cell.se_max_bps_hz 5.5   # trailing comment\n"
	"cell.sinr_min_db -6\n"
	"cell.gap_db 1\n"
	"cell.base_delay_s 0.005\n"
	"cell.queue_bits 80000\n"
	"mesh.mac_eff 0.8\n"
	"mesh.sens_offset_db 0\n"
	"mesh.interf_margin_db 6\n"
	"mesh.rate_slope 1\n"
	"mesh.hidden_vuln 1.5\n"
	"mesh.hop_delay_s 0.001\n"
	"mesh.queue_bits 1e6\n";

static const char good2[] =
	"dnetsim-net-calibration 2\n"
	"cell.se_scale 0.6\n"
	"cell.se_max_bps_hz 5.5\n"
	"cell.sinr_min_db -6\n"
	"cell.gap_db 1\n"
	"cell.base_delay_s 0.005\n"
	"cell.queue_bits 80000\n"
	"mesh.mac_eff 0.8\n"
	"mesh.interf_margin_db 6\n"
	"mesh.rx_54_dbm -74.7\n"
	"mesh.rx_48_dbm -76\n"
	"mesh.rx_36_dbm -80.4\n"
	"mesh.rx_24_dbm -81.5\n"
	"mesh.rx_18_dbm -82\n"
	"mesh.rx_12_dbm -82\n"
	"mesh.rx_9_dbm -82\n"
	"mesh.hidden_vuln 1.5\n"
	"mesh.hop_delay_s 0.001\n"
	"mesh.queue_bits 1e6\n";

static void test_shipped(void **st)
{
	(void)st;
	const char *src = getenv("DNETSIM_SOURCE_DIR");
	assert_non_null(src);
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/models/net/calibration.txt", src);
	dn_net_calib k;
	assert_int_equal(dn_net_calib_load(path, &k, err, sizeof err), DN_OK);
	assert_int_equal(k.version, DN_NET_CALIB_VERSION);
	assert_true(k.cell_se_scale > 0.2 && k.cell_se_scale < 1.2);
	assert_true(k.mesh_mac_eff > 0.1);
	/* the compiled-in default points at the same file */
	assert_int_equal(dn_net_calib_load(dn_net_calib_default_path(), &k, err, sizeof err), DN_OK);
}

static void expect_err(const char *text, const char *needle)
{
	dn_net_calib k;
	char err[512] = "";
	assert_int_equal(dn_net_calib_parse("cal.txt", text, strlen(text), &k, err, sizeof err), DN_EPARSE);
	if (!strstr(err, needle)) {
		print_error("message '%s' lacks '%s'\n", err, needle);
		fail();
	}
}

static char *replace(const char *from, const char *to)
{
	static char buf[2048];
	const char *p = strstr(good, from);
	assert_non_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	return buf;
}

static void test_errors(void **st)
{
	(void)st;
	dn_net_calib k;
	char err[512];
	assert_int_equal(dn_net_calib_parse("cal.txt", good, strlen(good), &k, err, sizeof err), DN_OK);
	assert_true(k.cell_se_max_bps_hz == 5.5 && k.mesh_queue_bits == 1e6);
	expect_err(replace("cell.se_scale 0.6", "cell.se_scael 0.6"), "cal.txt:3: unknown key 'cell.se_scael'");
	expect_err(replace("cell.se_scale 0.6", "cell.se_scale zero"), "cal.txt:3: 'cell.se_scale' is not a number");
	expect_err(replace("cell.se_scale 0.6", "cell.se_scale 7"), "cal.txt:3: 'cell.se_scale' must be between");
	expect_err(replace("cell.se_scale 0.6", "cell.se_scale 0.6 0.7"), "cal.txt:3: unexpected '0.7'");
	expect_err(replace("cell.se_scale 0.6", "cell.se_scale"), "cal.txt:3: 'cell.se_scale' has no value");
	expect_err(replace("cell.se_scale 0.6", "cell.queue_bits 1"), "cal.txt:8: key 'cell.queue_bits' given twice");
	expect_err(replace("mesh.queue_bits 1e6\n", ""), "key 'mesh.queue_bits' is missing");
	expect_err(replace("dnetsim-net-calibration 1", "dnetsim-net-calibration 3"), "cal.txt:2: unsupported calibration version");
	/* a version 1 file with a version 2 key, and the reverse */
	expect_err(replace("mesh.rate_slope 1", "mesh.rx_54_dbm -70"), "cal.txt:12: unknown key 'mesh.rx_54_dbm' (in a version 1 file)");
	expect_err(replace("dnetsim-net-calibration 1\n", ""), "cal.txt:2: expected 'dnetsim-net-calibration");
	expect_err("", "empty calibration file");
	expect_err(replace("cell.se_scale 0.6", "cell.se_scale nan"), "is not a number");
	/* a missing file names its path */
	assert_int_equal(dn_net_calib_load("/nonexistent/dir/cal.txt", &k, err, sizeof err), DN_EIO);
	assert_non_null(strstr(err, "/nonexistent/dir/cal.txt"));
}

static void test_versions(void **st)
{
	(void)st;
	dn_net_calib k;
	char err[512];
	/* version 1: offset 0 and slope 1 give the standard's sensitivities */
	assert_int_equal(dn_net_calib_parse("cal.txt", good, strlen(good), &k, err, sizeof err), DN_OK);
	static const double std_dbm[DN_NET_WIFI_LADDER] = {-65, -66, -70, -74, -77, -79, -81};
	for (int r = 0; r < DN_NET_WIFI_LADDER; r++)
		assert_true(fabs(k.mesh_rate_rx_dbm[r] - std_dbm[r]) < 1e-12);
	/* a shift and a spread: -82 + offset + slope (sens + 82) */
	const char *v1 = replace("mesh.sens_offset_db 0\nmesh.interf_margin_db 6\nmesh.rate_slope 1\n",
				 "mesh.sens_offset_db -5\nmesh.interf_margin_db 6\nmesh.rate_slope 0.5\n");
	assert_int_equal(dn_net_calib_parse("cal.txt", v1, strlen(v1), &k, err, sizeof err), DN_OK);
	assert_true(fabs(k.mesh_rate_rx_dbm[0] - (-82 - 5 + 0.5 * 17)) < 1e-12);
	assert_true(fabs(k.mesh_rate_rx_dbm[6] - (-82 - 5 + 0.5 * 1)) < 1e-12);
	assert_int_equal(k.version, DN_NET_CALIB_VERSION);
	/* version 2: the thresholds as written */
	assert_int_equal(dn_net_calib_parse("cal.txt", good2, strlen(good2), &k, err, sizeof err), DN_OK);
	assert_true(k.mesh_rate_rx_dbm[0] == -74.7 && k.mesh_rate_rx_dbm[3] == -81.5 && k.mesh_rate_rx_dbm[6] == -82);
	/* version 2 wants every threshold, and none of version 1's keys */
	char bad[2048];
	const char *p = strstr(good2, "mesh.rx_36_dbm -80.4\n");
	snprintf(bad, sizeof bad, "%.*s%s", (int)(p - good2), good2, p + strlen("mesh.rx_36_dbm -80.4\n"));
	expect_err(bad, "key 'mesh.rx_36_dbm' is missing");
	snprintf(bad, sizeof bad, "%.*smesh.rate_slope 1\n%s", (int)(p - good2), good2, p + strlen("mesh.rx_36_dbm -80.4\n"));
	expect_err(bad, "unknown key 'mesh.rate_slope' (in a version 2 file)");
	/* a faster rate needing less power than a slower one */
	snprintf(bad, sizeof bad, "%.*smesh.rx_36_dbm -81.9\n%s", (int)(p - good2), good2, p + strlen("mesh.rx_36_dbm -80.4\n"));
	expect_err(bad, "mesh.rx_36_dbm (-81.9) is below mesh.rx_24_dbm (-81.5)");
}

static void test_roundtrip(void **st)
{
	(void)st;
	dn_net_calib a, b;
	char err[512], path[] = "/tmp/dn_net_calib_XXXXXX";
	assert_int_equal(dn_net_calib_parse("x", good, strlen(good), &a, err, sizeof err), DN_OK);
	a.cell_se_scale = 0.1 + 1.0 / 3.0;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(dn_net_calib_save(path, &a, "line one\nline two", err, sizeof err), DN_OK);
	assert_int_equal(dn_net_calib_load(path, &b, err, sizeof err), DN_OK);
	remove(path);
	assert_memory_equal(&a, &b, sizeof a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
