/*
 * net_int.h: what the files of models/net share and nobody else includes:
 * exact bit integration and small numeric helpers.
 */
#ifndef DN_NET_INT_H
#define DN_NET_INT_H

/* dnnet's target defines DN_BUILDING_NET: the build refuses this header
 * anywhere else. */
#ifndef DN_BUILDING_NET
#error "net_int.h is private to models/net; include dn_net.h"
#endif

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "dn_net.h"

__extension__ typedef unsigned __int128 dn_net_u128;

/*
 * Adds the bits a flow at rate_bps delivers over dt_ns to *bits, carrying
 * the remainder (bit-nanoseconds below one bit, < DN_NS_PER_S) in
 * *rem_bit_ns: the sum over any split of an interval equals the whole,
 * exactly. (rate_bps * dt_ns is in bit-nanoseconds; a bit is DN_NS_PER_S
 * of them.)
 */
static inline void dn_net_integrate(uint64_t rate_bps, dn_time_ns dt_ns, uint64_t *bits,
                                    uint64_t *rem_bit_ns)
{
	/* callers advance time forwards only; a remainder is below one bit */
	assert(dt_ns >= 0 && *rem_bit_ns < (uint64_t)DN_NS_PER_S);
	dn_net_u128 x = (dn_net_u128)rate_bps * (uint64_t)dt_ns + *rem_bit_ns;
	*bits += (uint64_t)(x / (uint64_t)DN_NS_PER_S);
	*rem_bit_ns = (uint64_t)(x % (uint64_t)DN_NS_PER_S);
}

static inline double dn_net_db2lin(double db)
{
	return pow(10.0, db / 10.0);
}

static inline double dn_net_lin2db(double lin)
{
	return 10.0 * log10(lin);
}

/* A standard normal from two uniforms in [0,1) (Box-Muller). */
static inline double dn_net_normal(double u1, double u2)
{
	return sqrt(-2.0 * log1p(-u1)) * cos(6.283185307179586 * u2);
}

/* Bytes dn_net_cell_new(cap users, n_nb neighbours) and
 * dn_net_mesh_new(node_cap, flow_cap) allocate, for estimates. */
double dn_net_cell_footprint(uint32_t cap, uint32_t n_nb);
double dn_net_mesh_footprint(uint32_t node_cap, uint32_t flow_cap);

#define DN_NET_C_MPS 299792458.0
#define DN_NET_KT_DBM_HZ (-174.0)
#define DN_NET_S_PER_US 1e-6 /* OFDM symbol and MAC timings are in microseconds */

#endif
