/*
 * params.c: the parameter registry and the value syntax shared by scenario
 * files, --set overrides and the defaults in definition tables.
 *
 * The registry is a sorted array of pointers into the callers' definition
 * tables (it copies nothing), so lookups are a binary search and listing in
 * name order is free. dn_registry_add checks every definition before it
 * changes anything: a bad table is a programming error that must surface
 * before a run starts. This file knows nothing about YAML; scenario.c does
 * the reading and uses dn_param_parse for the values.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "params.h"

#include <assert.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Bounds: definitions per registry, numeric literal length, text shown. */
enum {
	DN_REG_MAX = 1 << 20,
	DN_NUM_TEXT_MAX = 127,
	DN_GOT_SHOW_MAX = 40,
	DN_CELL_MAX = 256
};

struct dn_registry {
	const dn_param_def **defs; /* sorted by name (strcmp) */
	size_t n;
};

dn_registry *dn_registry_new(void)
{
	dn_registry *reg = calloc(1, sizeof *reg);
	return reg;
}

void dn_registry_free(dn_registry *reg)
{
	if (!reg)
		return;
	free(reg->defs);
	free(reg);
}

size_t dn_registry_count(const dn_registry *reg)
{
	assert(reg);
	return reg->n;
}

const dn_param_def *dn_registry_at(const dn_registry *reg, size_t i)
{
	assert(reg);
	assert(i < reg->n);
	return reg->defs[i];
}

const dn_param_def *dn_registry_find(const dn_registry *reg, const char *name)
{
	assert(reg);
	assert(name);
	size_t lo = 0, hi = reg->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(reg->defs[mid]->name, name);
		if (c == 0)
			return reg->defs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- formatting helpers ---- */

/* snprintf that never fails silently: truncation is acceptable for messages. */
static void dn_msg(char *msg, size_t msglen, const char *fmt, ...) DN_PRINTF(3, 4);
static void dn_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	if (!msg || msglen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	if (w < 0)
		msg[0] = '\0';
}

/*
 * Copies up to DN_GOT_SHOW_MAX bytes of text for display inside quotes:
 * anything outside printable ASCII becomes '?', and a cut is marked "...".
 */
static void dn_show(const char *text, size_t len, char *buf, size_t buflen)
{
	assert(buflen > DN_GOT_SHOW_MAX + 4);
	size_t k = 0;
	for (size_t i = 0; i < len && i < DN_GOT_SHOW_MAX; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > DN_GOT_SHOW_MAX) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
}

void dn_param_format_float(double v, char *buf, size_t buflen)
{
	assert(buf && buflen >= 32);
	static const int precisions[] = {15, 16, 17};
	for (size_t i = 0; i < sizeof precisions / sizeof precisions[0]; i++) {
		int w = snprintf(buf, buflen, "%.*g", precisions[i], v);
		if (w < 0 || (size_t)w >= buflen)
			continue;
		if (strtod(buf, NULL) == v)
			return;
	}
	/* %.17g always round-trips a finite double; reached only for NaN. */
	int w = snprintf(buf, buflen, "%.17g", v);
	if (w < 0)
		buf[0] = '\0';
}

/* A range bound as text: integral values without a fraction. */
static void dn_format_bound(double v, char *buf, size_t buflen)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 1e18) {
		int w = snprintf(buf, buflen, "%" PRId64, (int64_t)v);
		if (w < 0)
			buf[0] = '\0';
		return;
	}
	dn_param_format_float(v, buf, buflen);
}

static const char *dn_type_name(dn_param_type t)
{
	switch (t) {
	case DN_PT_INT: return "int";
	case DN_PT_FLOAT: return "float";
	case DN_PT_BOOL: return "bool";
	case DN_PT_STRING: return "string";
	case DN_PT_ENUM: return "enum";
	}
	return "?";
}

void dn_param_expected(const dn_param_def *def, char *buf, size_t buflen)
{
	assert(def && buf && buflen > 0);
	switch (def->type) {
	case DN_PT_INT:
		dn_msg(buf, buflen, "an integer");
		return;
	case DN_PT_FLOAT:
		dn_msg(buf, buflen, "a number");
		return;
	case DN_PT_BOOL:
		dn_msg(buf, buflen, "true or false");
		return;
	case DN_PT_STRING:
		dn_msg(buf, buflen, "a string");
		return;
	case DN_PT_ENUM: {
		/* "one of: a, b, c" from "a|b|c", cut at buflen. */
		size_t k = 0;
		const char *head = "one of: ";
		for (const char *p = head; *p && k + 1 < buflen; p++)
			buf[k++] = *p;
		for (const char *p = def->choices ? def->choices : ""; *p && k + 2 < buflen; p++) {
			if (*p == '|') {
				buf[k++] = ',';
				buf[k++] = ' ';
			} else {
				buf[k++] = *p;
			}
		}
		buf[k < buflen ? k : buflen - 1] = '\0';
		return;
	}
	}
	dn_msg(buf, buflen, "a value");
}

/* ---- value syntax ---- */

static bool dn_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Copies a numeric literal without its '_' separators, which are allowed
 * only between two digits. False when it is too long or misplaces a '_'.
 */
static bool dn_strip_underscores(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '_') {
			if (i == 0 || i + 1 >= len || !dn_is_digit(text[i - 1]) || !dn_is_digit(text[i + 1]))
				return false;
			continue;
		}
		if (k + 1 >= buflen)
			return false;
		buf[k++] = text[i];
	}
	buf[k] = '\0';
	return true;
}

/* [+-]?digits */
static bool dn_is_int_literal(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!dn_is_digit(*s))
			return false;
	return true;
}

/* [+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)? */
static bool dn_is_float_literal(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	size_t before = 0, after = 0;
	while (dn_is_digit(*s)) {
		s++;
		before++;
	}
	if (*s == '.') {
		s++;
		while (dn_is_digit(*s)) {
			s++;
			after++;
		}
	}
	if (before + after == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!dn_is_digit(*s))
			return false;
		while (dn_is_digit(*s))
			s++;
	}
	return *s == '\0';
}

/* ".inf", "-.Inf", ".nan", "inf", "nan", ... : spelled like a non-finite number. */
static bool dn_looks_nonfinite(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.')
		s++;
	static const char *const words[] = {"inf", "infinity", "nan"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i]);
		if (strlen(s) != n)
			continue;
		size_t j = 0;
		while (j < n && (s[j] | 0x20) == words[i][j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF), no NUL. */
static bool dn_valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static dn_rc dn_range_error(const dn_param_def *def, const char *got, char *msg, size_t msglen)
{
	char lo[40], hi[40];
	dn_format_bound(def->min, lo, sizeof lo);
	dn_format_bound(def->max, hi, sizeof hi);
	dn_msg(msg, msglen, "must be between %s and %s (got %s)", lo, hi, got);
	return DN_ERANGE;
}

/*
 * An int parameter's range as int64: min rounded up, max rounded down,
 * both clamped to int64. A double cannot hold INT64_MAX, so a max of 2^63
 * (how 9223372036854775807 is spelled in a table) means INT64_MAX.
 */
static void dn_int_bounds(const dn_param_def *def, int64_t *lo, int64_t *hi)
{
	const double two63 = 9223372036854775808.0;
	assert(!isnan(def->min) && !isnan(def->max)); /* dn_check_def refuses NaN bounds */
	double mn = ceil(def->min), mx = floor(def->max);
	*lo = mn <= -two63 ? INT64_MIN : mn >= two63 ? INT64_MAX : (int64_t)mn;
	*hi = mx >= two63 ? INT64_MAX : mx <= -two63 ? INT64_MIN : (int64_t)mx;
}

/* Int range error with the bounds printed exactly (no %g rounding of 9.2e18). */
static dn_rc dn_int_range_error(const dn_param_def *def, const char *got, char *msg,
                                size_t msglen)
{
	int64_t lo, hi;
	dn_int_bounds(def, &lo, &hi);
	dn_msg(msg, msglen, "must be between %" PRId64 " and %" PRId64 " (got %s)", lo, hi, got);
	return DN_ERANGE;
}

/*
 * Refusals common to int and float literals (buf has no '_' left), or NULL.
 * A leading zero is ambiguous: YAML 1.1 readers take 017 as octal 15, YAML
 * 1.2 readers as 17. Hexadecimal, octal and binary prefixes are refused
 * by name so that 0x10 is not reported as a mere typo.
 */
static const char *dn_number_form_problem(const char *buf)
{
	const char *s = buf;
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] != '0')
		return NULL;
	char c = (char)(s[1] | 0x20);
	if (c == 'x' || c == 'o' || c == 'b')
		return "only decimal numbers are accepted, not hexadecimal, octal or binary";
	if (dn_is_digit(s[1]))
		return "a leading zero is ambiguous: YAML 1.1 reads 017 as octal 15, YAML 1.2 as 17";
	return NULL;
}

/*
 * The exact integer a decimal literal names ([+-]?digits[.digits][e[+-]digits],
 * already checked by dn_is_float_literal or dn_is_int_literal), without
 * going through a double: 9200000000000000001 stays itself and 1e-400 is
 * not read as 0. Returns DN_OK with *v set, DN_ETYPE when the value is not
 * an integer, DN_ERANGE when it does not fit an int64.
 */
static dn_rc dn_exact_int(const char *buf, int64_t *v)
{
	const char *s = buf;
	bool neg = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	/* The significant digits, leading zeros dropped, and the power of ten they scale by. */
	char digits[DN_NUM_TEXT_MAX + 1];
	size_t nd = 0;
	int64_t scale = 0;
	bool dot = false;
	for (; dn_is_digit(*s) || *s == '.'; s++) {
		if (*s == '.') {
			dot = true;
			continue;
		}
		if (dot)
			scale--;
		if (nd == 0 && *s == '0')
			continue;
		assert(nd < sizeof digits);
		digits[nd++] = *s;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		bool eneg = *s == '-';
		if (*s == '+' || *s == '-')
			s++;
		/* Saturate: beyond a million an exponent is out of any range either way. */
		int64_t e = 0;
		for (; dn_is_digit(*s); s++)
			if (e < 1000000)
				e = e * 10 + (*s - '0');
		scale += eneg ? -e : e;
	}
	assert(*s == '\0');
	if (nd == 0) {
		*v = 0;
		return DN_OK;
	}
	while (nd > 0 && digits[nd - 1] == '0') {
		nd--;
		scale++;
	}
	if (scale < 0)
		return DN_ETYPE; /* a fraction is left: 1.5, 1e-3, 1e-400 */
	if ((int64_t)nd + scale > 19)
		return DN_ERANGE; /* at least 10^19 > 2^63 */
	uint64_t u = 0;
	for (size_t i = 0; i < nd; i++)
		u = u * 10 + (uint64_t)(digits[i] - '0');
	for (int64_t i = 0; i < scale; i++) {
		if (u > UINT64_MAX / 10)
			return DN_ERANGE;
		u *= 10;
	}
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return DN_ERANGE;
		*v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return DN_ERANGE;
		*v = (int64_t)u;
	}
	return DN_OK;
}

static dn_rc dn_parse_int(const dn_param_def *def, const char *text, size_t len,
                          dn_param_value *out, char *msg, size_t msglen)
{
	char shown[DN_GOT_SHOW_MAX + 8];
	dn_show(text, len, shown, sizeof shown);
	char buf[DN_NUM_TEXT_MAX + 1];
	bool stripped = dn_strip_underscores(text, len, buf, sizeof buf);
	const char *why = stripped ? dn_number_form_problem(buf) : NULL;
	if (why) {
		dn_msg(msg, msglen, "expected an integer (got '%s'; %s)", shown, why);
		return DN_ETYPE;
	}
	if (!stripped || (!dn_is_int_literal(buf) && !dn_is_float_literal(buf))) {
		dn_msg(msg, msglen, "expected an integer (got '%s')", shown);
		return DN_ETYPE;
	}
	/* Exponent and fraction forms are accepted when they name an integer exactly. */
	int64_t v;
	dn_rc rc = dn_exact_int(buf, &v);
	if (rc == DN_ETYPE) {
		dn_msg(msg, msglen, "expected an integer (got '%s')", shown);
		return DN_ETYPE;
	}
	int64_t lo, hi;
	dn_int_bounds(def, &lo, &hi);
	if (rc == DN_ERANGE || v < lo || v > hi)
		return dn_int_range_error(def, shown, msg, msglen);
	out->i = v;
	return DN_OK;
}

/* True when the literal's digits before the exponent are not all zero. */
static bool dn_has_nonzero_digit(const char *buf)
{
	for (const char *s = buf; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '1' && *s <= '9')
			return true;
	return false;
}

static dn_rc dn_parse_float(const dn_param_def *def, const char *text, size_t len,
                            dn_param_value *out, char *msg, size_t msglen)
{
	char shown[DN_GOT_SHOW_MAX + 8];
	dn_show(text, len, shown, sizeof shown);
	char buf[DN_NUM_TEXT_MAX + 1];
	bool stripped = dn_strip_underscores(text, len, buf, sizeof buf);
	if (stripped && dn_looks_nonfinite(buf)) {
		dn_msg(msg, msglen, "expected a finite number (got '%s')", shown);
		return DN_ETYPE;
	}
	const char *why = stripped ? dn_number_form_problem(buf) : NULL;
	if (why) {
		dn_msg(msg, msglen, "expected a number (got '%s'; %s)", shown, why);
		return DN_ETYPE;
	}
	if (!stripped || !dn_is_float_literal(buf)) {
		dn_msg(msg, msglen, "expected a number (got '%s')", shown);
		return DN_ETYPE;
	}
	char *end = NULL;
	double d = strtod(buf, &end);
	if (end != buf + strlen(buf)) {
		/* Only under a locale whose decimal point is not '.': refuse, never misread. */
		dn_msg(msg, msglen, "expected a number (got '%s'; LC_NUMERIC must be \"C\")", shown);
		return DN_ETYPE;
	}
	if (!isfinite(d)) {
		dn_msg(msg, msglen, "expected a finite number (got '%s')", shown);
		return DN_ETYPE;
	}
	/*
	 * Underflow: 1e-400 would read as 0 and 1e-310 as a subnormal that has
	 * lost digits; neither is what was written.
	 */
	if ((d == 0 && dn_has_nonzero_digit(buf)) || (d != 0 && fabs(d) < DBL_MIN)) {
		dn_msg(msg, msglen,
		       "too close to zero to be represented (got '%s'; the smallest magnitude "
		       "besides 0 is 2.2250738585072014e-308)",
		       shown);
		return DN_ERANGE;
	}
	if (d < def->min || d > def->max)
		return dn_range_error(def, shown, msg, msglen);
	out->f = d;
	return DN_OK;
}

static dn_rc dn_parse_bool(const char *text, size_t len, dn_param_value *out,
                           char *msg, size_t msglen)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = {
	    {"true", true},   {"True", true},   {"TRUE", true},   {"yes", true},
	    {"Yes", true},    {"YES", true},    {"on", true},     {"On", true},
	    {"ON", true},     {"false", false}, {"False", false}, {"FALSE", false},
	    {"no", false},    {"No", false},    {"NO", false},    {"off", false},
	    {"Off", false},   {"OFF", false},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strlen(words[i].word) == len && memcmp(words[i].word, text, len) == 0) {
			out->b = words[i].value;
			return DN_OK;
		}
	}
	char shown[DN_GOT_SHOW_MAX + 8];
	dn_show(text, len, shown, sizeof shown);
	dn_msg(msg, msglen, "expected true or false (got '%s')", shown);
	return DN_ETYPE;
}

static dn_rc dn_parse_string(const dn_param_def *def, const char *text, size_t len,
                             char *msg, size_t msglen)
{
	if (!dn_valid_utf8((const unsigned char *)text, len)) {
		dn_msg(msg, msglen, "expected a string of valid UTF-8 without NUL bytes");
		return DN_ETYPE;
	}
	double n = (double)len;
	if (n < def->min || (def->max > 0 && n > def->max)) {
		char lo[40], hi[40];
		dn_format_bound(def->min, lo, sizeof lo);
		dn_format_bound(def->max, hi, sizeof hi);
		if (def->max > 0)
			dn_msg(msg, msglen, "must be between %s and %s bytes long (got %zu)", lo, hi, len);
		else
			dn_msg(msg, msglen, "must be at least %s bytes long (got %zu)", lo, len);
		return DN_ERANGE;
	}
	return DN_OK;
}

static dn_rc dn_parse_enum(const dn_param_def *def, const char *text, size_t len,
                           dn_param_value *out, char *msg, size_t msglen)
{
	const char *p = def->choices ? def->choices : "";
	for (size_t idx = 0; *p; idx++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && memcmp(p, text, len) == 0) {
			out->choice = idx;
			return DN_OK;
		}
		if (!bar)
			break;
		p = bar + 1;
	}
	char expected[DN_CELL_MAX];
	char shown[DN_GOT_SHOW_MAX + 8];
	dn_param_expected(def, expected, sizeof expected);
	dn_show(text, len, shown, sizeof shown);
	dn_msg(msg, msglen, "expected %s (got '%s')", expected, shown);
	return DN_ETYPE;
}

dn_rc dn_param_parse(const dn_param_def *def, const char *text, size_t len,
                     dn_param_value *out, char *msg, size_t msglen)
{
	assert(def && text && out);
	if (msg && msglen > 0)
		msg[0] = '\0';
	memset(out, 0, sizeof *out);
	switch (def->type) {
	case DN_PT_INT: return dn_parse_int(def, text, len, out, msg, msglen);
	case DN_PT_FLOAT: return dn_parse_float(def, text, len, out, msg, msglen);
	case DN_PT_BOOL: return dn_parse_bool(text, len, out, msg, msglen);
	case DN_PT_STRING: return dn_parse_string(def, text, len, msg, msglen);
	case DN_PT_ENUM: return dn_parse_enum(def, text, len, out, msg, msglen);
	}
	dn_msg(msg, msglen, "parameter has an unknown type");
	return DN_EINVAL;
}

/* ---- definition checks ---- */

/* [a-z0-9_]+(\.[a-z0-9_]+)+, at most DN_PARAM_NAME_MAX bytes, not under "include". */
static bool dn_valid_name(const char *name)
{
	size_t len = strnlen(name, DN_PARAM_NAME_MAX + 1);
	if (len == 0 || len > DN_PARAM_NAME_MAX)
		return false;
	size_t dots = 0, comp = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (comp == 0)
				return false;
			dots++;
			comp = 0;
		} else if ((c >= 'a' && c <= 'z') || dn_is_digit(c) || c == '_') {
			comp++;
		} else {
			return false;
		}
	}
	/* "include" is the scenario loader's own top-level key. */
	if (strncmp(name, "include.", 8) == 0)
		return false;
	return dots > 0 && comp > 0;
}

/* One line of printable text (it goes into tables and YAML comments). */
static bool dn_valid_line(const char *s)
{
	if (!s)
		return false;
	size_t len = strnlen(s, 4096);
	if (len >= 4096)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return dn_valid_utf8((const unsigned char *)s, len);
}

/* Non-empty choices of printable ASCII (no spaces), none repeated. */
static bool dn_valid_choices(const char *choices)
{
	if (!choices || !*choices)
		return false;
	size_t len = strnlen(choices, 4096);
	if (len >= 4096)
		return false;
	const char *p = choices;
	while (true) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == 0)
			return false;
		for (size_t i = 0; i < n; i++)
			if (p[i] <= 0x20 || p[i] >= 0x7f)
				return false;
		/* Compare with every later choice. */
		for (const char *q = bar ? bar + 1 : NULL; q;) {
			const char *qbar = strchr(q, '|');
			size_t m = qbar ? (size_t)(qbar - q) : strlen(q);
			if (m == n && memcmp(p, q, n) == 0)
				return false;
			q = qbar ? qbar + 1 : NULL;
		}
		if (!bar)
			return true;
		p = bar + 1;
	}
}

static bool dn_check_def(const dn_param_def *d)
{
	if (!d->name || !dn_valid_name(d->name)) {
		fprintf(stderr, "dn_registry_add: bad parameter name '%s'\n",
		        d->name ? d->name : "(null)");
		return false;
	}
	if (d->type != DN_PT_INT && d->type != DN_PT_FLOAT && d->type != DN_PT_BOOL &&
	    d->type != DN_PT_STRING && d->type != DN_PT_ENUM) {
		fprintf(stderr, "dn_registry_add: %s: unknown type\n", d->name);
		return false;
	}
	if (!dn_valid_line(d->unit) || !dn_valid_line(d->doc) || !d->def) {
		fprintf(stderr, "dn_registry_add: %s: unit, default and doc must be one line each\n",
		        d->name);
		return false;
	}
	if (isnan(d->min) || isnan(d->max) || d->min > d->max) {
		fprintf(stderr, "dn_registry_add: %s: bad range\n", d->name);
		return false;
	}
	if (d->type == DN_PT_ENUM && !dn_valid_choices(d->choices)) {
		fprintf(stderr, "dn_registry_add: %s: bad choices\n", d->name);
		return false;
	}
	dn_param_value v;
	char msg[DN_CELL_MAX];
	dn_rc rc = dn_param_parse(d, d->def, strlen(d->def), &v, msg, sizeof msg);
	if (rc != DN_OK) {
		fprintf(stderr, "dn_registry_add: %s: default '%s': %s\n", d->name, d->def, msg);
		return false;
	}
	return true;
}

static int dn_cmp_def(const void *a, const void *b)
{
	const dn_param_def *const *x = a;
	const dn_param_def *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

dn_rc dn_registry_add(dn_registry *reg, const dn_param_def *defs, size_t n)
{
	assert(reg);
	if (n == 0)
		return DN_OK;
	if (!defs || n > DN_REG_MAX - reg->n)
		return DN_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!dn_check_def(&defs[i]))
			return DN_EINVAL;
	size_t total = reg->n + n;
	const dn_param_def **all = malloc(total * sizeof *all);
	if (!all)
		return DN_ENOMEM;
	if (reg->n)
		memcpy(all, reg->defs, reg->n * sizeof *all);
	for (size_t i = 0; i < n; i++)
		all[reg->n + i] = &defs[i];
	qsort(all, total, sizeof *all, dn_cmp_def);
	/*
	 * In sorted order a name is followed directly by any name it is a
	 * section of, because '.' sorts before every other allowed byte.
	 */
	for (size_t i = 0; i + 1 < total; i++) {
		const char *a = all[i]->name, *b = all[i + 1]->name;
		size_t la = strlen(a);
		if (strcmp(a, b) == 0 || (strncmp(a, b, la) == 0 && b[la] == '.')) {
			fprintf(stderr, "dn_registry_add: '%s' %s '%s'\n", b,
			        strcmp(a, b) == 0 ? "is already registered as" : "lies under the parameter", a);
			free(all);
			return DN_EINVAL;
		}
	}
	free(reg->defs);
	reg->defs = all;
	reg->n = total;
	return DN_OK;
}

/* ---- printing ---- */

static void dn_range_text(const dn_param_def *d, char *buf, size_t buflen)
{
	char lo[40], hi[40];
	dn_format_bound(d->min, lo, sizeof lo);
	dn_format_bound(d->max, hi, sizeof hi);
	switch (d->type) {
	case DN_PT_INT: {
		int64_t ilo, ihi; /* exact: what the loader accepts */
		dn_int_bounds(d, &ilo, &ihi);
		dn_msg(buf, buflen, "[%" PRId64 ", %" PRId64 "]", ilo, ihi);
		return;
	}
	case DN_PT_FLOAT:
		dn_msg(buf, buflen, "[%s, %s]", lo, hi);
		return;
	case DN_PT_BOOL:
		dn_msg(buf, buflen, "true|false");
		return;
	case DN_PT_STRING:
		if (d->max > 0)
			dn_msg(buf, buflen, "length [%s, %s]", lo, hi);
		else
			dn_msg(buf, buflen, "length >= %s", lo);
		return;
	case DN_PT_ENUM:
		dn_msg(buf, buflen, "%s", d->choices);
		return;
	}
	dn_msg(buf, buflen, "?");
}

static void dn_default_text(const dn_param_def *d, char *buf, size_t buflen)
{
	if (d->def[0] == '\0')
		dn_msg(buf, buflen, "\"\"");
	else
		dn_msg(buf, buflen, "%s", d->def);
}

/* A Markdown table cell: '|' escaped so it does not end the cell. */
static void dn_md_cell(FILE *out, const char *s)
{
	fputs("| ", out);
	for (size_t i = 0; i < 4096 && s[i]; i++) {
		if (s[i] == '|')
			fputs("\\|", out);
		else
			fputc(s[i], out);
	}
	fputc(' ', out);
}

void dn_registry_print(const dn_registry *reg, FILE *out, bool markdown)
{
	assert(reg && out);
	static const char *const heads[6] = {"name", "type", "unit", "default", "range", "doc"};
	if (markdown) {
		fputs("| Name | Type | Unit | Default | Range / choices | Description |\n", out);
		fputs("|------|------|------|---------|-----------------|-------------|\n", out);
		for (size_t i = 0; i < reg->n; i++) {
			const dn_param_def *d = reg->defs[i];
			char range[DN_CELL_MAX], def[DN_CELL_MAX];
			dn_range_text(d, range, sizeof range);
			dn_default_text(d, def, sizeof def);
			dn_md_cell(out, d->name);
			dn_md_cell(out, dn_type_name(d->type));
			dn_md_cell(out, d->unit);
			dn_md_cell(out, def);
			dn_md_cell(out, range);
			dn_md_cell(out, d->doc);
			fputs("|\n", out);
		}
		return;
	}
	/* Plain: every column as wide as its widest cell, doc last and unpadded. */
	int w[5];
	for (int c = 0; c < 5; c++)
		w[c] = (int)strlen(heads[c]);
	for (size_t i = 0; i < reg->n; i++) {
		const dn_param_def *d = reg->defs[i];
		char range[DN_CELL_MAX], def[DN_CELL_MAX];
		dn_range_text(d, range, sizeof range);
		dn_default_text(d, def, sizeof def);
		const char *cells[5] = {d->name, dn_type_name(d->type), d->unit, def, range};
		for (int c = 0; c < 5; c++) {
			size_t l = strnlen(cells[c], DN_CELL_MAX);
			if ((int)l > w[c])
				w[c] = (int)l;
		}
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], heads[0], w[1], heads[1], w[2],
	        heads[2], w[3], heads[3], w[4], heads[4], heads[5]);
	for (size_t i = 0; i < reg->n; i++) {
		const dn_param_def *d = reg->defs[i];
		char range[DN_CELL_MAX], def[DN_CELL_MAX];
		dn_range_text(d, range, sizeof range);
		dn_default_text(d, def, sizeof def);
		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], d->name, w[1],
		        dn_type_name(d->type), w[2], d->unit, w[3], def, w[4], range, d->doc);
	}
}
