/*
 * test_market_replay.c: exogenous price paths. A good file parses exactly
 * (header, comments, blank lines, CRLF; decimals to the nanosecond and the
 * micro-USD); step and linear prices at, between and beyond the points;
 * every kind of malformed file gives DN_EPARSE with a "file:line:" message
 * (never a silent default); loading from disk; replay trades at the path's
 * price with the outside as counterparty; and a deterministic mutation
 * fuzzer (run under ASan/UBSan) over the parser.
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

#include "dn_market.h"

#define NS INT64_C(1000000000)
#define DNET INT64_C(100000000)

static const char good[] =
	"# DNET price, hourly\n"
	"time_s,price_usd\n"
	"\n"
	"0,0.0625\n"
	"3600,0.07\r\n"
	"# a comment between points\n"
	"7200.5,0.05\n"
	"10800.000000001,1.000001";

static dn_market_path *parse_ok(const char *text)
{
	dn_market_path *p;
	char err[256];
	dn_rc rc = dn_market_path_parse("p.csv", text, strlen(text), 1000, &p, err, sizeof err);
	if (rc) {
		print_error("%s\n", err);
		fail();
	}
	return p;
}

static void test_parse_good(void **st)
{
	(void)st;
	dn_market_path *p = parse_ok(good);
	assert_int_equal(dn_market_path_count(p), 4);
	dn_time_ns t;
	dn_usd_micro v;
	dn_market_path_point(p, 2, &t, &v);
	assert_int_equal(t, 7200 * NS + NS / 2);
	assert_int_equal(v, 50000);
	dn_market_path_point(p, 3, &t, &v);
	assert_int_equal(t, 10800 * NS + 1);
	assert_int_equal(v, 1000001);
	/* before the first point, at points, between, after the last */
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, -5), 62500);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 0), 62500);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_STEP, 1800 * NS), 62500);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 1800 * NS), 66250);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 3600 * NS), 70000);
	/* falling segment: 70000 - 20000 * 1 / 3600.5 = 69994.445 -> floor 69994 */
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 3601 * NS), 69994);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_STEP, 7200 * NS + NS / 2 - 1), 70000);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_STEP, 7200 * NS + NS / 2), 50000);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 99999 * NS), 1000001);
	dn_market_path_free(p);
	/* a single point, no header, no final newline */
	p = parse_ok("5,2");
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 0), 2000000);
	assert_int_equal(dn_market_path_price(p, DN_MARKET_LINEAR, 50 * NS), 2000000);
	dn_market_path_free(p);
}

static void expect_err(const char *text, dn_rc want, const char *needle)
{
	dn_market_path *p = (dn_market_path *)1;
	char err[256] = "";
	dn_rc rc = dn_market_path_parse("bad.csv", text, strlen(text), 3, &p, err, sizeof err);
	if (rc != want || p != NULL || !strstr(err, needle) || strncmp(err, "bad.csv:", 8) != 0) {
		print_error("input '%s': rc %d, message '%s', wanted '%s'\n", text, rc, err, needle);
		fail();
	}
}

static void test_parse_errors(void **st)
{
	(void)st;
	expect_err("", DN_EPARSE, "bad.csv:0: no price points");
	expect_err("# only a comment\n\n", DN_EPARSE, "bad.csv:2: no price points");
	expect_err("time_s,price_usd\n", DN_EPARSE, "no price points");
	expect_err("0,1\n1;2\n", DN_EPARSE, "bad.csv:2: expected TIME,PRICE");
	expect_err("0,1\n-1,2\n", DN_EPARSE, "bad.csv:2: time '-1'");
	expect_err("0,1\n1,+2\n", DN_EPARSE, "bad.csv:2: price '+2'");
	expect_err("0,1\n1,2e3\n", DN_EPARSE, "price '2e3': not a plain decimal");
	expect_err("0,1\n1, 2\n", DN_EPARSE, "price ' 2'");
	expect_err("0,1\n1,2 \n", DN_EPARSE, "price '2 '");
	expect_err("0,1\n1,2,3\n", DN_EPARSE, "price '2,3'");
	expect_err("0,1\n1,\n", DN_EPARSE, "price '': empty");
	expect_err("0,1\n,1\n", DN_EPARSE, "time '': empty");
	expect_err("0,1\n1,2.\n", DN_EPARSE, "no digits after '.'");
	expect_err("0,1\n1,.5\n", DN_EPARSE, "price '.5'");
	expect_err("0,1\n1,0.0000001\n", DN_EPARSE, "more than 6 decimals");
	expect_err("0.0000000001,1\n", DN_EPARSE, "bad.csv:1: time '0.0000000001': more than 9 decimals");
	expect_err("0,0\n", DN_EPARSE, "bad.csv:1: price '0' must be above 0");
	expect_err("0,0.000000\n", DN_EPARSE, "must be above 0");
	expect_err("0,1000000000.000001\n", DN_EPARSE, "at most 1000000000 USD");
	expect_err("0,99999999999999999999\n", DN_EPARSE, "too large");
	expect_err("9223372037,1\n", DN_EPARSE, "time '9223372037': too large");
	expect_err("0,1\n5,1\n5,2\n", DN_EPARSE, "bad.csv:3: time '5' is not after");
	expect_err("0,1\n5,1\n4,2\n", DN_EPARSE, "bad.csv:3: time '4'");
	expect_err("0,1\nprice,time\n", DN_EPARSE, "bad.csv:2: time 'price'");
	expect_err("0,1\ntime_s,price_usd\n", DN_EPARSE, "bad.csv:2: time 'time_s'"); /* header only first */
	expect_err("0,1\n1,2\r\r\n", DN_EPARSE, "bad.csv:2: NUL or stray CR");
	expect_err("0,1\n1,2\n2,3\n3,4\n", DN_ELIMIT, "bad.csv:4: more than 3 price points");
	/* a NUL byte inside a line */
	dn_market_path *p;
	char err[256];
	assert_int_equal(dn_market_path_parse("n.csv", "0,1\n1,\0002\n", 9, 10, &p, err, sizeof err), DN_EPARSE);
	assert_non_null(strstr(err, "n.csv:2: NUL"));
	/* a long bad line is cut in the message */
	char longline[300];
	memset(longline, 'x', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	expect_err(longline, DN_EPARSE, "...'");
	/* a tiny error buffer is still terminated */
	char tiny[8];
	assert_int_equal(dn_market_path_parse("abcdefghijk.csv", "x", 1, 10, &p, tiny, sizeof tiny), DN_EPARSE);
	assert_int_equal(strlen(tiny), 7);
}

/* A mkstemp template under $TMPDIR (or /tmp). */
static void tmp_template(char *buf, size_t n, const char *stem)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, n, "%s/%s-XXXXXX", t && *t && strlen(t) < 200 ? t : "/tmp", stem);
}

static void test_load(void **st)
{
	(void)st;
	char path[256];
	tmp_template(path, sizeof path, "dn-market-test");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	dn_market_path *p;
	char err[512];
	assert_int_equal(dn_market_path_load(path, 100, &p, err, sizeof err), DN_OK);
	assert_int_equal(dn_market_path_count(p), 4);
	dn_market_path_free(p);
	/* errors name the file */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0,1\n1,x\n", f);
	fclose(f);
	assert_int_equal(dn_market_path_load(path, 100, &p, err, sizeof err), DN_EPARSE);
	char want[600];
	snprintf(want, sizeof want, "%s:2: price 'x'", path);
	assert_non_null(strstr(err, want));
	unlink(path);
	assert_int_equal(dn_market_path_load(path, 100, &p, err, sizeof err), DN_EIO);
	assert_null(p);
	assert_non_null(strstr(err, "cannot open"));
}

typedef struct tally {
	int fills;
	dn_market_fill last;
} tally;

static void on_fill(void *ctx, const dn_market_fill *f)
{
	tally *t = ctx;
	t->fills++;
	t->last = *f;
}

static void test_replay_trades(void **st)
{
	(void)st;
	dn_market_path *p = parse_ok(good);
	tally t = {0};
	dn_market_cfg cfg = {.kind = DN_MARKET_REPLAY, .fee_ppm = 1000, .path = p,
	                     .interp = DN_MARKET_LINEAR, .on_fill = on_fill, .fill_ctx = &t};
	dn_market *m;
	assert_int_equal(dn_market_create(&cfg, &m), DN_OK);
	dn_market_set_time(m, 3600 * NS);
	assert_int_equal(dn_market_price(m), 70000);
	dn_market_result r;
	/* 1,001,000 micro-USD: 1,000,000 net of fee buys floor(1e14 / 70000) base */
	assert_int_equal(dn_market_buy(m, 5, 1001000, 0, &r), DN_OK);
	assert_int_equal(r.base, INT64_C(1428571428));
	assert_int_equal(r.usd_micro, 1000000 + 1000);
	assert_int_equal(r.fee_usd_micro, 1000);
	assert_int_equal(t.last.maker, DN_MARKET_OWNER_OUTSIDE);
	assert_int_equal(t.last.price_usd_micro_per_dnet, 70000);
	/* the price does not move with the trade */
	assert_int_equal(dn_market_price(m), 70000);
	/* a sell of 10 DNET at 0.07: 700,000 less a 700 fee */
	assert_int_equal(dn_market_sell(m, 6, 10 * DNET, 0, &r), DN_OK);
	assert_int_equal(r.usd_micro, 699300);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.outside_usd_micro, 1000000 - 700000);
	assert_int_equal(h.outside_base, 10 * DNET - INT64_C(1428571428));
	assert_int_equal(h.fees_usd_micro, 1700);
	/* limits against the replayed price */
	assert_int_equal(dn_market_buy(m, 5, 1000000, 69999, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	assert_int_equal(dn_market_sell(m, 5, DNET, 70001, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	dn_market_stats s;
	dn_market_stats_take(m, &s);
	assert_int_equal(s.trades, 2);
	assert_int_equal(s.volume_usd_micro, 1700000);
	assert_int_equal(s.vwap_usd_micro_per_dnet, 70000);
	assert_int_equal(s.best_bid_usd_micro_per_dnet, 70000);
	dn_usd_micro du;
	dn_amount db;
	assert_int_equal(dn_market_depth(m, 20000, &du, &db), DN_OK);
	assert_int_equal(du, INT64_MAX);
	/* step interpolation */
	dn_market_free(m);
	cfg.interp = DN_MARKET_STEP;
	assert_int_equal(dn_market_create(&cfg, &m), DN_OK);
	dn_market_set_time(m, 3599 * NS);
	assert_int_equal(dn_market_price(m), 62500);
	char err[64];
	assert_int_equal(dn_market_check(m, err, sizeof err), DN_OK);
	dn_market_free(m);
	dn_market_path_free(p);
}

/* ---- fuzz ---- */

static uint64_t sm64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static void test_fuzz(void **st)
{
	(void)st;
	enum { ITER = 100000, CAP = 512 };
	static const char *seeds[] = {good, "0,1\n1,2\n2,3\n", "time_s,price_usd\n0.5,0.000001\n"};
	static const char tokens[] = "0123456789.,#\n\r -+e\0x";
	uint64_t s = 20261124;
	static char buf[CAP];
	int ok = 0;
	for (int it = 0; it < ITER; it++) {
		const char *seed = seeds[sm64(&s) % 3];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		int nm = 1 + (int)(sm64(&s) % 6);
		for (int k = 0; k < nm; k++) {
			uint64_t r = sm64(&s);
			size_t at = len ? (size_t)(r % len) : 0;
			char c = (r >> 32) % 4 == 0 ? (char)(r >> 40) : tokens[(r >> 40) % (sizeof tokens - 1)];
			switch ((r >> 56) % 4) {
			case 0: if (len) buf[at] = c; break;                   /* flip */
			case 1: if (len < CAP) { memmove(buf + at + 1, buf + at, len - at); buf[at] = c; len++; } break;
			case 2: if (len) { memmove(buf + at, buf + at + 1, len - at - 1); len--; } break;
			default: len = at; break;                              /* truncate */
			}
		}
		dn_market_path *p;
		char err[256];
		dn_rc rc = dn_market_path_parse("fz.csv", buf, len, 64, &p, err, sizeof err);
		if (rc == DN_OK) {
			ok++;
			size_t n = dn_market_path_count(p);
			assert_true(n >= 1 && n <= 64);
			dn_time_ns prev = -1;
			for (size_t i = 0; i < n; i++) {
				dn_time_ns t;
				dn_usd_micro v;
				dn_market_path_point(p, i, &t, &v);
				assert_true(t > prev && v > 0);
				prev = t;
				dn_usd_micro q = dn_market_path_price(p, DN_MARKET_LINEAR, t);
				assert_int_equal(q, v);
			}
			dn_market_path_free(p);
		} else {
			assert_null(p);
			if (strncmp(err, "fz.csv:", 7) != 0 || !(rc == DN_EPARSE || rc == DN_ELIMIT)) {
				print_error("iteration %d: rc %d message '%s'\n", it, rc, err);
				fail();
			}
		}
	}
	/* the fuzzer reaches both outcomes */
	assert_true(ok > 100 && ok < ITER - 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),  cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load),        cmocka_unit_test(test_replay_trades),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
