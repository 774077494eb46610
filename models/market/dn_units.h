/*
 * dn_units.h: conversions between the units the models count in, in one
 * place: DNET base units <-> DNET <-> USD (micro) at a market price,
 * nanoseconds <-> seconds, USD per GB <-> base units per traffic unit, and
 * the few SI prefixes the world model needs (GB, Mbit/s, MHz, ppm).
 *
 * It lives with the market because the market is where USD meets DNET.
 * Header only, no state. Every function evaluates its floating-point
 * operations in one fixed order, written out below; callers that replaced
 * an inline formula with one of these rely on that order (fingerprints
 * are bit-exact), so do not "simplify" a function: add a new one instead.
 * Not here: rounding policy beyond what a function says (llround or
 * nearbyint where named), clamping, and anything about the protocol's own
 * integer arithmetic (dnc_base.h).
 */
#ifndef DN_UNITS_H
#define DN_UNITS_H

#include <math.h>
#include <stdint.h>

#include "dn_base.h"
#include "dn_market.h"
#include "dnc_base.h"

/* The factors as doubles (each is exact in binary64). */
#define DN_UNITS_BASE_PER_DNET_F ((double)DNC_UNITS_PER_DNET)
#define DN_UNITS_USD_MICRO_PER_USD_F ((double)DN_MARKET_USD_MICRO_PER_USD)
#define DN_UNITS_NS_PER_S_F ((double)DN_NS_PER_S)
#define DN_UNITS_NS_PER_MS (DN_NS_PER_S / 1000)
#define DN_UNITS_S_PER_DAY 86400.0
#define DN_UNITS_NS_PER_DAY_F (DN_UNITS_S_PER_DAY * DN_UNITS_NS_PER_S_F) /* 8.64e13, exact */
#define DN_UNITS_BYTES_PER_GB 1e9                                     /* decimal GB, as prices are quoted */
#define DN_UNITS_PER_MEGA 1e6                                         /* Mbit/s, MHz, km^2 in m^2 */
#define DN_UNITS_PPM_F ((double)DNC_PPM)

/* ---- DNET ---- */

/* DNET of an amount of base units (a double: also averages of amounts). */
static inline double dn_dnet_of_base(double base) { return base / DN_UNITS_BASE_PER_DNET_F; }

/* Base units of an amount of DNET, rounded to nearest. */
static inline dn_amount dn_base_of_dnet(double dnet)
{
	return (dn_amount)llround(dnet * DN_UNITS_BASE_PER_DNET_F);
}

/* ---- USD ---- */

static inline double dn_usd_of_usd_micro(double usd_micro) { return usd_micro / DN_UNITS_USD_MICRO_PER_USD_F; }

/* Micro-USD of an amount of USD, not rounded (callers round or truncate). */
static inline double dn_usd_micro_of_usd(double usd) { return usd * DN_UNITS_USD_MICRO_PER_USD_F; }

/* ---- DNET <-> USD at a price (micro-USD per DNET) ---- */

/* USD of `base` base units: base / 1e8 * (price / 1e6). */
static inline double dn_usd_of_base(double base, dn_usd_micro price)
{
	return dn_dnet_of_base(base) * dn_usd_of_usd_micro((double)price);
}

/* Base units `usd` buys, not rounded: usd / (price / 1e6) * 1e8. */
static inline double dn_base_of_usd(double usd, dn_usd_micro price)
{
	return usd / dn_usd_of_usd_micro((double)price) * DN_UNITS_BASE_PER_DNET_F;
}

/* ---- traffic prices ---- */

/* USD per traffic unit of unit_bytes for a price in USD per GB. */
static inline double dn_usd_per_unit_of_usd_gb(double usd_per_gb, uint64_t unit_bytes)
{
	return usd_per_gb * (double)unit_bytes / DN_UNITS_BYTES_PER_GB;
}

/* Base units per traffic unit for a price in USD per GB at `price`, not
 * rounded: (usd/GB * unit / 1e9) / (price / 1e6) * 1e8. */
static inline double dn_base_per_unit_of_usd_gb(double usd_per_gb, uint64_t unit_bytes, dn_usd_micro price)
{
	return dn_base_of_usd(dn_usd_per_unit_of_usd_gb(usd_per_gb, unit_bytes), price);
}

/* USD per GB of a price in base units per traffic unit at `price`:
 * base / 1e8 * (price / 1e6) * 1e9 / unit. */
static inline double dn_usd_gb_of_base_per_unit(double base_per_unit, dn_usd_micro price, uint64_t unit_bytes)
{
	return dn_usd_of_base(base_per_unit, price) * DN_UNITS_BYTES_PER_GB / (double)unit_bytes;
}

/* ---- time ---- */

static inline double dn_s_of_ns(dn_time_ns t) { return (double)t / DN_UNITS_NS_PER_S_F; }

/* Nanoseconds of `s` seconds, rounded to nearest. */
static inline dn_time_ns dn_ns_of_s(double s) { return (dn_time_ns)llround(s * DN_UNITS_NS_PER_S_F); }

/* Nanoseconds of a whole number of seconds (exact). */
static inline dn_time_ns dn_ns_of_whole_s(int64_t s) { return (dn_time_ns)s * DN_NS_PER_S; }

/* Whole seconds of t, truncated (the chain's clock, dnc_time_s). */
static inline int64_t dn_whole_s_of_ns(dn_time_ns t) { return t / DN_NS_PER_S; }

/* What a per-second rate accumulates over dt: rate * dt / 1e9 (in that
 * order, which differs in the last bit from rate * (dt / 1e9)). */
static inline double dn_rate_over_ns(double per_s, dn_time_ns dt) { return per_s * (double)dt / DN_UNITS_NS_PER_S_F; }

/* ---- sizes and SI prefixes ---- */

static inline double dn_gb_of_bytes(double bytes) { return bytes / DN_UNITS_BYTES_PER_GB; }
static inline double dn_bytes_of_gb(double gb) { return gb * DN_UNITS_BYTES_PER_GB; }
static inline double dn_bps_of_mbps(double mbps) { return mbps * DN_UNITS_PER_MEGA; }
static inline double dn_mbps_of_bps(double bps) { return bps / DN_UNITS_PER_MEGA; }
static inline double dn_hz_of_mhz(double mhz) { return mhz * DN_UNITS_PER_MEGA; }

/* Parts per million of a share, rounded to nearest (nearbyint). */
static inline double dn_ppm_of_share(double share) { return nearbyint(share * DN_UNITS_PPM_F); }
static inline double dn_share_of_ppm(double ppm) { return ppm / DN_UNITS_PPM_F; }

#endif
