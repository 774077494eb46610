/*
 * base.c: result-code names and the text form of amounts (parse/format).
 * Parsing is exact integer work: "0.5" is 50,000,000 base units, never a
 * float. Used by the calc command and by tests; not by the hot paths.
 */
#include "dnc_base.h"

#include <string.h>

static const char *const dnc_rc_names[DNC_ERC_COUNT] = {
	[DNC_OK] = "DNC_OK",
	[DNC_EINVAL] = "DNC_EINVAL",
	[DNC_ENOMEM] = "DNC_ENOMEM",
	[DNC_EMALFORMED] = "DNC_EMALFORMED",
	[DNC_EOVERFLOW] = "DNC_EOVERFLOW",
	[DNC_EINSUFFICIENT] = "DNC_EINSUFFICIENT",
	[DNC_EBADSIG] = "DNC_EBADSIG",
	[DNC_EREPLAY] = "DNC_EREPLAY",
	[DNC_EWRONGSESSION] = "DNC_EWRONGSESSION",
	[DNC_EOVERDEPOSIT] = "DNC_EOVERDEPOSIT",
	[DNC_ESESSIONCLOSED] = "DNC_ESESSIONCLOSED",
	[DNC_EBADNONCE] = "DNC_EBADNONCE",
	[DNC_ENOACCOUNT] = "DNC_ENOACCOUNT",
	[DNC_EFULL] = "DNC_EFULL",
	[DNC_EEXISTS] = "DNC_EEXISTS",
	[DNC_ENOTFOUND] = "DNC_ENOTFOUND",
	[DNC_EUNAUTHORIZED] = "DNC_EUNAUTHORIZED",
	[DNC_ETOOEARLY] = "DNC_ETOOEARLY",
	[DNC_ETOOLATE] = "DNC_ETOOLATE",
	[DNC_EBADPASSWORD] = "DNC_EBADPASSWORD",
	[DNC_ERATELIMIT] = "DNC_ERATELIMIT",
	[DNC_ELOCKED] = "DNC_ELOCKED",
	[DNC_ESUPPLY] = "DNC_ESUPPLY",
	[DNC_EPARENT] = "DNC_EPARENT",
	[DNC_EPRODUCER] = "DNC_EPRODUCER",
	[DNC_EPROOF] = "DNC_EPROOF",
	[DNC_ECONSERVATION] = "DNC_ECONSERVATION",
	[DNC_EWRONGCHAIN] = "DNC_EWRONGCHAIN",
	[DNC_EWRONGDIST] = "DNC_EWRONGDIST",
};

const char *dnc_rc_name(dnc_rc rc)
{
	if ((unsigned)rc >= DNC_ERC_COUNT || !dnc_rc_names[rc])
		return "DNC_E?";
	return dnc_rc_names[rc];
}

dnc_rc dnc_amount_parse(const char *s, dn_amount *r)
{
	size_t n, i;
	dnc_u128 whole = 0;
	uint64_t frac = 0;
	int frac_digits = 0, seen_digit = 0, seen_dot = 0;

	if (!s || !r)
		return DNC_EINVAL;
	n = strlen(s);
	if (n == 0 || n > 40)
		return DNC_EMALFORMED;
	if (s[n - 1] == 'u') {
		/* base units: digits only */
		if (n == 1)
			return DNC_EMALFORMED;
		for (i = 0; i + 1 < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return DNC_EMALFORMED;
			whole = whole * 10 + (unsigned)(s[i] - '0');
			if (whole > (dnc_u128)INT64_MAX)
				return DNC_EOVERFLOW;
		}
		*r = (dn_amount)whole;
		return DNC_OK;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (seen_dot)
				return DNC_EMALFORMED;
			seen_dot = 1;
			continue;
		}
		if (c < '0' || c > '9')
			return DNC_EMALFORMED;
		seen_digit = 1;
		if (seen_dot) {
			if (++frac_digits > 8)
				return DNC_EMALFORMED;
			frac = frac * 10 + (uint64_t)(c - '0');
		} else {
			whole = whole * 10 + (unsigned)(c - '0');
			if (whole > (dnc_u128)INT64_MAX)
				return DNC_EOVERFLOW;
		}
	}
	if (!seen_digit || (seen_dot && frac_digits == 0))
		return DNC_EMALFORMED;
	for (; frac_digits < 8; frac_digits++)
		frac *= 10;
	whole = whole * (unsigned)DNC_UNITS_PER_DNET + frac;
	if (whole > (dnc_u128)INT64_MAX)
		return DNC_EOVERFLOW;
	*r = (dn_amount)whole;
	return DNC_OK;
}

char *dnc_amount_format(dn_amount a, char *buf, size_t cap)
{
	char tmp[32];
	int pos = (int)sizeof tmp - 1, neg = a < 0, digits = 0;
	/* work in unsigned so INT64_MIN formats too */
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
	size_t len;

	tmp[pos] = '\0';
	do {
		if (digits == 8)
			tmp[--pos] = '.';
		tmp[--pos] = (char)('0' + u % 10);
		u /= 10;
		digits++;
	} while (u || digits <= 8);
	if (neg)
		tmp[--pos] = '-';
	len = sizeof tmp - 1 - (size_t)pos;
	if (cap == 0)
		return buf;
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, tmp + pos, len);
	buf[len] = '\0';
	return buf;
}
