/*
 * replay.c: exogenous price paths (DN_MARKET_REPLAY). A path is read from a
 * CSV file of time_s,price_usd points, parsed strictly and exactly into
 * nanoseconds and micro-USD (more decimals than those units hold is an
 * error, not a rounding), with every error naming file:line. A replay
 * market trades every order in full at the path's price against an outside
 * counterparty of unlimited depth; the simulated agents then do not move
 * the price, and the market only records what they traded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_int.h"

struct dn_market_path {
	size_t n;
	dn_time_ns *t_ns;
	dn_usd_micro *price_usd_micro; /* per DNET */
};

#define PATH_FILE_MAX ((size_t)1 << 30)
#define HEADER "time_s,price_usd"

DN_PRINTF(5, 6)
static dn_rc perr(dn_rc rc, char *err, size_t errlen, const char *name, const char *fmt, ...)
{
	if (errlen == 0)
		return rc;
	int k = snprintf(err, errlen, "%s:", name);
	if (k >= 0 && (size_t)k < errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* The line as printable text for a message: at most 40 bytes, others as '?'. */
static void excerpt(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 4 < cap && i < 40; i++)
		buf[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (len > 40 && n + 4 < cap) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

/*
 * An unsigned decimal "123" or "123.456" with at most `scale` decimals,
 * as an integer in units of 10^-scale. NULL on success, else the reason.
 */
static const char *parse_dec(const char *s, size_t len, int scale, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	int frac = 0;
	bool dot = false;
	if (len == 0)
		return "empty";
	if (s[0] < '0' || s[0] > '9')
		return "not a plain decimal number (digits, optionally '.' and more digits)";
	for (; i < len; i++) {
		char c = s[i];
		if (c == '.' && !dot) {
			dot = true;
			if (i + 1 == len)
				return "no digits after '.'";
			continue;
		}
		if (c < '0' || c > '9')
			return "not a plain decimal number (digits, optionally '.' and more digits)";
		if (dot && ++frac > scale)
			return scale == 9 ? "more than 9 decimals (nanoseconds)"
			                  : "more than 6 decimals (micro-USD)";
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v))
			return "too large";
	}
	for (; frac < scale; frac++)
		if (__builtin_mul_overflow(v, 10, &v))
			return "too large";
	*out = v;
	return NULL;
}

static dn_rc grow(dn_market_path *p, size_t *cap, size_t max_points)
{
	size_t nc = *cap ? *cap * 2 : 1024;
	if (nc > max_points)
		nc = max_points;
	dn_time_ns *t = realloc(p->t_ns, nc * sizeof *t);
	if (!t)
		return DN_ENOMEM;
	p->t_ns = t;
	dn_usd_micro *v = realloc(p->price_usd_micro, nc * sizeof *v);
	if (!v)
		return DN_ENOMEM;
	p->price_usd_micro = v;
	*cap = nc;
	return DN_OK;
}

/* Parses one content line "TIME,PRICE" (line number `line`) into *t_ns and
 * *price, checking the price's range and that the time follows p's last. */
static dn_rc parse_point(const char *name, const char *ls, size_t ll, size_t line,
                         const dn_market_path *p, int64_t *t_ns, int64_t *price, char *err,
                         size_t errlen)
{
	char ex[64];
	const char *comma = memchr(ls, ',', ll);
	if (!comma) {
		excerpt(ls, ll, ex, sizeof ex);
		return perr(DN_EPARSE, err, errlen, name,
		            "%zu: expected TIME,PRICE (seconds,USD per DNET), got '%s'", line, ex);
	}
	size_t tl = (size_t)(comma - ls);
	const char *why = parse_dec(ls, tl, 9, t_ns);
	if (why) {
		excerpt(ls, tl, ex, sizeof ex);
		return perr(DN_EPARSE, err, errlen, name, "%zu: time '%s': %s", line, ex, why);
	}
	why = parse_dec(comma + 1, ll - tl - 1, 6, price);
	if (why) {
		excerpt(comma + 1, ll - tl - 1, ex, sizeof ex);
		return perr(DN_EPARSE, err, errlen, name, "%zu: price '%s': %s", line, ex, why);
	}
	if (*price <= 0 || *price > DN_MARKET_PRICE_MAX) {
		excerpt(comma + 1, ll - tl - 1, ex, sizeof ex);
		return perr(DN_EPARSE, err, errlen, name,
		            "%zu: price '%s' must be above 0 and at most %lld USD", line, ex,
		            (long long)(DN_MARKET_PRICE_MAX / DN_MARKET_USD_MICRO_PER_USD));
	}
	if (p->n > 0 && *t_ns <= p->t_ns[p->n - 1]) {
		excerpt(ls, tl, ex, sizeof ex);
		return perr(DN_EPARSE, err, errlen, name,
		            "%zu: time '%s' is not after the previous point's", line, ex);
	}
	return DN_OK;
}

/* Appends a point to p, growing its arrays (*cap points) up to max_points. */
static dn_rc append_point(dn_market_path *p, size_t *cap, size_t max_points, int64_t t_ns,
                          int64_t price, const char *name, size_t line, char *err, size_t errlen)
{
	if (p->n == max_points)
		return perr(DN_ELIMIT, err, errlen, name, "%zu: more than %zu price points", line,
		            max_points);
	if (p->n == *cap) {
		dn_rc rc = grow(p, cap, max_points);
		if (rc)
			return perr(rc, err, errlen, name, "%zu: out of memory", line);
	}
	p->t_ns[p->n] = t_ns;
	p->price_usd_micro[p->n] = price;
	p->n++;
	return DN_OK;
}

dn_rc dn_market_path_parse(const char *name, const char *text, size_t len, size_t max_points,
                           dn_market_path **out, char *err, size_t errlen)
{
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (max_points == 0 || max_points > SIZE_MAX / sizeof(int64_t))
		return perr(DN_EINVAL, err, errlen, name, " bad max_points");
	dn_market_path *p = calloc(1, sizeof *p);
	if (!p)
		return DN_ENOMEM;
	size_t cap = 0, line = 0, pos = 0;
	bool seen_content = false;
	dn_rc rc = DN_OK;
	while (pos < len) {
		line++;
		const char *ls = text + pos;
		const char *nl = memchr(ls, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - ls) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll > 0 && ls[ll - 1] == '\r')
			ll--;
		if (memchr(ls, '\0', ll) || memchr(ls, '\r', ll)) {
			rc = perr(DN_EPARSE, err, errlen, name, "%zu: NUL or stray CR byte in line", line);
			goto fail;
		}
		if (ll == 0 || ls[0] == '#')
			continue;
		bool first = !seen_content;
		seen_content = true;
		if (first && ll == strlen(HEADER) && memcmp(ls, HEADER, ll) == 0)
			continue;
		int64_t t_ns, price;
		rc = parse_point(name, ls, ll, line, p, &t_ns, &price, err, errlen);
		if (rc)
			goto fail;
		rc = append_point(p, &cap, max_points, t_ns, price, name, line, err, errlen);
		if (rc)
			goto fail;
	}
	assert(p->n <= max_points && p->n <= cap);
	if (p->n == 0) {
		rc = perr(DN_EPARSE, err, errlen, name, "%zu: no price points (expected lines TIME,PRICE)",
		          line);
		goto fail;
	}
	*out = p;
	return DN_OK;
fail:
	dn_market_path_free(p);
	return rc;
}

dn_rc dn_market_path_load(const char *path, size_t max_points, dn_market_path **out, char *err,
                          size_t errlen)
{
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	char why[160];
	FILE *f = dn_fopen_input(path, PATH_FILE_MAX, why, sizeof why);
	if (!f)
		return perr(DN_EIO, err, errlen, path, " cannot open: %s", why);
	size_t cap = 0, len = 0;
	char *buf = NULL;
	dn_rc rc = DN_OK;
	for (;;) {
		if (len == cap) {
			if (cap >= PATH_FILE_MAX) {
				rc = perr(DN_ELIMIT, err, errlen, path, " file larger than 1 GiB");
				break;
			}
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);
			if (!nb) {
				rc = DN_ENOMEM;
				break;
			}
			buf = nb;
			cap = nc;
		}
		size_t k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0) {
			if (ferror(f))
				rc = perr(DN_EIO, err, errlen, path, " read error");
			break;
		}
	}
	fclose(f);
	if (rc == DN_OK)
		rc = dn_market_path_parse(path, buf, len, max_points, out, err, errlen);
	free(buf);
	return rc;
}

void dn_market_path_free(dn_market_path *p)
{
	if (!p)
		return;
	free(p->t_ns);
	free(p->price_usd_micro);
	free(p);
}

size_t dn_market_path_count(const dn_market_path *p)
{
	return p->n;
}

void dn_market_path_point(const dn_market_path *p, size_t i, dn_time_ns *t_ns,
                          dn_usd_micro *price_usd_micro_per_dnet)
{
	assert(i < p->n);
	*t_ns = p->t_ns[i];
	*price_usd_micro_per_dnet = p->price_usd_micro[i];
}

dn_usd_micro dn_market_path_price(const dn_market_path *p, dn_market_interp interp, dn_time_ns t_ns)
{
	assert(p->n > 0);
	if (t_ns <= p->t_ns[0])
		return p->price_usd_micro[0];
	/* the last i with t_ns[i] <= t: invariant t_ns[lo] <= t < t_ns[hi] (hi = n: beyond) */
	size_t lo = 0, hi = p->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->t_ns[mid] <= t_ns)
			lo = mid;
		else
			hi = mid;
	}
	assert(lo < p->n && p->t_ns[lo] <= t_ns);
	if (interp == DN_MARKET_STEP || lo + 1 == p->n)
		return p->price_usd_micro[lo];
	dnc_i128 dp = (dnc_i128)p->price_usd_micro[lo + 1] - p->price_usd_micro[lo];
	dnc_i128 dt = (dnc_i128)p->t_ns[lo + 1] - p->t_ns[lo];
	dnc_i128 num = dp * ((dnc_i128)t_ns - p->t_ns[lo]);
	dnc_i128 q = num / dt;
	if (num % dt != 0 && num < 0)
		q--; /* floor */
	const dn_usd_micro v = (dn_usd_micro)(p->price_usd_micro[lo] + q);
	/* between two accepted prices (the line, rounded down, stays between them) */
	assert(v > 0 && v <= DN_MARKET_PRICE_MAX);
	return v;
}

dn_rc mkt_replay_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro, dn_usd_micro limit_usd_micro_per_dnet,
                     dn_market_result *res)
{
	dn_usd_micro price = dn_market_path_price(m->cfg.path, m->cfg.interp, m->now_ns);
	if (limit_usd_micro_per_dnet > 0 && price > limit_usd_micro_per_dnet)
		return DN_OK;
	int64_t qmax = mkt_net_of_fee(budget_usd_micro, m->cfg.fee_ppm);
	dnc_u128 b = (dnc_u128)(uint64_t)qmax * MKT_BASE_PER_DNET / (uint64_t)price;
	if (b > (dnc_u128)INT64_MAX)
		return DN_ERANGE;
	if (b == 0)
		return DN_OK;
	dn_usd_micro q;
	dn_rc rc = mkt_value((dn_amount)b, price, &q);
	assert(rc == DN_OK && q <= qmax);
	dn_usd_micro fee = mkt_fee(q, m->cfg.fee_ppm);
	dn_market_fill f = {
		.maker = DN_MARKET_OWNER_OUTSIDE, .taker = taker, .taker_buys = true, .base = (dn_amount)b,
		.usd_micro = q, .fee_usd_micro = fee, .price_usd_micro_per_dnet = price,
	};
	int64_t t;
	rc = mkt_fill_fits(m, &f);
	if (rc)
		return rc;
	if (__builtin_add_overflow(m->outside_usd_micro, q, &t) ||
	    __builtin_sub_overflow(m->outside_base, f.base, &t) ||
	    __builtin_add_overflow(m->fees_usd_micro, fee, &t))
		return DN_ERANGE;
	m->outside_usd_micro += q;
	m->outside_base -= f.base;
	m->fees_usd_micro += fee;
	res->base = f.base;
	res->usd_micro = q + fee;
	res->fee_usd_micro = fee;
	res->fills = 1;
	mkt_record_fill(m, &f);
	return DN_OK;
}

dn_rc mkt_replay_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base, dn_usd_micro limit_usd_micro_per_dnet,
                      dn_market_result *res)
{
	dn_usd_micro price = dn_market_path_price(m->cfg.path, m->cfg.interp, m->now_ns);
	if (limit_usd_micro_per_dnet > 0 && price < limit_usd_micro_per_dnet)
		return DN_OK;
	dn_usd_micro q;
	dn_rc rc = mkt_value(amount_base, price, &q);
	if (rc)
		return rc;
	dn_usd_micro fee = mkt_fee(q, m->cfg.fee_ppm);
	assert(fee <= q); /* the seller receives q - fee >= 0 */
	dn_market_fill f = {
		.maker = DN_MARKET_OWNER_OUTSIDE, .taker = taker, .taker_buys = false, .base = amount_base,
		.usd_micro = q, .fee_usd_micro = fee, .price_usd_micro_per_dnet = price,
	};
	int64_t t;
	rc = mkt_fill_fits(m, &f);
	if (rc)
		return rc;
	if (__builtin_sub_overflow(m->outside_usd_micro, q, &t) ||
	    __builtin_add_overflow(m->outside_base, amount_base, &t) ||
	    __builtin_add_overflow(m->fees_usd_micro, fee, &t))
		return DN_ERANGE;
	m->outside_usd_micro -= q;
	m->outside_base += amount_base;
	m->fees_usd_micro += fee;
	res->base = amount_base;
	res->usd_micro = q - fee;
	res->fee_usd_micro = fee;
	res->fills = 1;
	mkt_record_fill(m, &f);
	return DN_OK;
}
