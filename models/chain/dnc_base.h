/*
 * dnc_base.h: the types every part of the DNET protocol library shares:
 * amounts in base units, account indices, keys and hashes, the one result
 * enum, and checked integer arithmetic.
 *
 * Amounts are int64 base units (1 DNET = 10^8). Products and ratios go
 * through 128-bit intermediates; an overflow is reported as DNC_EOVERFLOW,
 * never wrapped. Nothing here allocates, reads a clock or does I/O.
 */
#ifndef DNC_BASE_H
#define DNC_BASE_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DNC_WUR __attribute__((warn_unused_result))
#else
#define DNC_WUR
#endif

/* 128-bit intermediates for products (GCC/Clang extension, named once) */
__extension__ typedef unsigned __int128 dnc_u128;
__extension__ typedef __int128 dnc_i128;

typedef int64_t dn_amount;            /* DNET base units; 1 DNET = 10^8 */
typedef uint32_t dnc_acct;            /* dense account index in a ledger */
typedef int64_t dnc_time_s;           /* chain time, seconds since genesis */

#define DNC_UNITS_PER_DNET INT64_C(100000000)
#define DNC_AMOUNT_MAX INT64_MAX
#define DNC_NONE UINT32_MAX           /* "no account" */
#define DNC_PPM 1000000u              /* parts per million, the ratio unit */

#define DNC_PK_BYTES 32
#define DNC_SIG_BYTES 64
#define DNC_HASH_BYTES 32

typedef struct dnc_pubkey { uint8_t b[DNC_PK_BYTES]; } dnc_pubkey;
typedef struct dnc_hash { uint8_t b[DNC_HASH_BYTES]; } dnc_hash;
typedef struct dnc_sig { uint8_t b[DNC_SIG_BYTES]; } dnc_sig;

/* The library's one result code. Every function that can fail returns it. */
typedef enum dnc_rc {
	DNC_OK = 0,
	DNC_EINVAL,         /* bad argument: a caller bug */
	DNC_ENOMEM,         /* allocation failed */
	DNC_EMALFORMED,     /* encoded input is not a valid encoding */
	DNC_EOVERFLOW,      /* an amount computation would overflow */
	DNC_EINSUFFICIENT,  /* balance (or lock) too small */
	DNC_EBADSIG,        /* signature does not verify */
	DNC_EREPLAY,        /* credential total not above what was redeemed */
	DNC_EWRONGSESSION,  /* unknown session, or credential of another one */
	DNC_EOVERDEPOSIT,   /* credential total above the session deposit */
	DNC_ESESSIONCLOSED, /* session is no longer open */
	DNC_EBADNONCE,      /* transaction nonce is not the account's next */
	DNC_ENOACCOUNT,     /* account does not exist */
	DNC_EFULL,          /* a bounded table is full */
	DNC_EEXISTS,        /* already there (account, vote) */
	DNC_ENOTFOUND,      /* no such escrow, proposal or block */
	DNC_EUNAUTHORIZED,  /* signer may not do this */
	DNC_ETOOEARLY,      /* deadline or unlock time not reached */
	DNC_ETOOLATE,       /* deadline passed */
	DNC_EBADPASSWORD,   /* face-to-face password wrong (attempt counted) */
	DNC_ERATELIMIT,     /* too many wrong passwords */
	DNC_ELOCKED,        /* amount is locked (team lock, frozen stake) */
	DNC_ESUPPLY,        /* would mint past the supply */
	DNC_EPARENT,        /* block does not extend the expected parent */
	DNC_EPRODUCER,      /* block producer not scheduled for the slot */
	DNC_EPROOF,         /* Merkle proof does not match the root */
	DNC_ECONSERVATION,  /* balances + locks + unminted != supply */
	DNC_EWRONGCHAIN,    /* signed for another chain (chain id differs) */
	DNC_EWRONGDIST,     /* credential made out to another distributor */
	DNC_ERC_COUNT
} dnc_rc;

/* Short stable name of a result code ("DNC_EBADSIG"); never NULL. */
const char *dnc_rc_name(dnc_rc rc);

/* Little-endian fields of the wire formats (tx, credential, header),
 * byte by byte whatever the host's order. Written out rather than as a
 * loop: the compiler merges such stores and loads into one move on a
 * little-endian host, where at -O2 it kept the loop (4.6 % of the
 * instructions of a decade run; docs/performance.md). */
static inline void dnc_put_le64(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
	p[4] = (uint8_t)(v >> 32), p[5] = (uint8_t)(v >> 40), p[6] = (uint8_t)(v >> 48), p[7] = (uint8_t)(v >> 56);
}

static inline uint64_t dnc_get_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline void dnc_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t dnc_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- checked arithmetic (all inline; the hot paths use them) ---- */

/* OUT *r = a + b; DNC_EOVERFLOW if it does not fit. */
static inline DNC_WUR dnc_rc dnc_add(dn_amount a, dn_amount b, dn_amount *r)
{
	if (__builtin_add_overflow(a, b, r))
		return DNC_EOVERFLOW;
	return DNC_OK;
}

/* OUT *r = a - b; DNC_EOVERFLOW if it does not fit. */
static inline DNC_WUR dnc_rc dnc_sub(dn_amount a, dn_amount b, dn_amount *r)
{
	if (__builtin_sub_overflow(a, b, r))
		return DNC_EOVERFLOW;
	return DNC_OK;
}

/*
 * OUT *r = floor(a * num / den) for a >= 0, num >= 0, den > 0, computed in
 * 128 bits. DNC_EINVAL on a negative input or den == 0, DNC_EOVERFLOW if
 * the result does not fit in an int64.
 */
static inline DNC_WUR dnc_rc dnc_muldiv(dn_amount a, uint64_t num, uint64_t den,
					dn_amount *r)
{
	dnc_u128 p;
	if (a < 0 || den == 0)
		return DNC_EINVAL;
	p = (dnc_u128)(uint64_t)a * num / den;
	if (p > (dnc_u128)INT64_MAX)
		return DNC_EOVERFLOW;
	*r = (dn_amount)p;
	return DNC_OK;
}

/* OUT *r = floor(a * ppm / 10^6); same errors as dnc_muldiv. */
static inline DNC_WUR dnc_rc dnc_ppm_of(dn_amount a, uint32_t ppm, dn_amount *r)
{
	return dnc_muldiv(a, ppm, DNC_PPM, r);
}

/*
 * Parse an amount: DNET with up to 8 decimals ("100", "0.5") or base units
 * with a 'u' suffix ("150u"). OUT *r. DNC_EMALFORMED on anything else
 * (signs, spaces, more than 8 decimals, trailing text), DNC_EOVERFLOW if
 * too large.
 */
DNC_WUR dnc_rc dnc_amount_parse(const char *s, dn_amount *r);

/*
 * Format an amount as DNET with 8 decimals ("-0.50000000") into buf of
 * cap bytes (at least 24 is always enough). Returns buf.
 */
char *dnc_amount_format(dn_amount a, char *buf, size_t cap);

#endif
