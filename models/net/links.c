/*
 * links.c: the access and backhaul link kinds, as one const table.
 *
 * A link is a fixed pipe: capacity each way, one-way latency of the access
 * part, packet loss and availability. These are nominal figures for the
 * kinds rules section 7 names, each with its source; they are inputs to
 * scenarios, not measurements of any one operator. Nothing here is
 * calibrated against ns-3 (the cell and mesh models are).
 */
#include <assert.h>
#include <string.h>

#include "dn_net.h"

#define MS (DN_NS_PER_S / 1000) /* nanoseconds per millisecond */
#define KBPS DN_NET_BPS_PER_KBPS
#define MBPS DN_NET_BPS_PER_MBPS
#define GBPS DN_NET_BPS_PER_GBPS

static const dn_net_link_info link_table[DN_NET_LINK_COUNT] = {
	[DN_NET_LINK_DIALUP] = {"dialup", 56 * KBPS, 336 * KBPS / 10, 60 * MS, 0.01, 0.99,
		"ITU-T V.90 (1998): 56 kbit/s down, V.34 33.6 kbit/s up; ~120 ms modem RTT; "
		"loss/availability: nominal for switched telephone lines"},
	[DN_NET_LINK_ISDN] = {"isdn", 128 * KBPS, 128 * KBPS, 10 * MS, 0.0001, 0.999,
		"ITU-T I.430 basic rate: 2 x 64 kbit/s B channels (rules §7); circuit switched, "
		"~10 ms one-way"},
	[DN_NET_LINK_ADSL2P] = {"adsl2plus", 24 * MBPS, 1400 * KBPS, 15 * MS, 0.002, 0.995,
		"ITU-T G.992.5 (ADSL2+): 24 Mbit/s down, 1.4 Mbit/s up (Annex A); latency and loss: "
		"FCC Measuring Broadband America 2021, DSL"},
	[DN_NET_LINK_VDSL2] = {"vdsl2", 100 * MBPS, 40 * MBPS, 8 * MS, 0.001, 0.997,
		"ITU-T G.993.2 profile 17a: 100 Mbit/s down (rules §7), 40 Mbit/s up; latency and loss: "
		"FCC MBA 2021, DSL"},
	[DN_NET_LINK_PON_155] = {"pon155", 155520 * KBPS, 155520 * KBPS, 3 * MS, 0.0005, 0.999,
		"ITU-T G.983.1 BPON symmetric 155.52 Mbit/s (rules §7); latency/loss: FCC MBA 2021, fiber"},
	[DN_NET_LINK_PON_622] = {"pon622", 622080 * KBPS, 155520 * KBPS, 3 * MS, 0.0005, 0.999,
		"ITU-T G.983.1 BPON 622.08 Mbit/s down, 155.52 up (rules §7); FCC MBA 2021, fiber"},
	[DN_NET_LINK_FTTH_1G] = {"ftth1g", 1 * GBPS, 1 * GBPS, 2 * MS, 0.0005, 0.9995,
		"1 Gbit/s subscriber plan on ITU-T G.984 GPON / G.9807 XGS-PON (rules §7); "
		"FCC MBA 2021, fiber"},
	[DN_NET_LINK_CABLE] = {"cable", 300 * MBPS, 30 * MBPS, 10 * MS, 0.002, 0.997,
		"DOCSIS 3.0 (ITU-T J.222) typical 300/30 Mbit/s tier; latency/loss: FCC MBA 2021, cable"},
	[DN_NET_LINK_VSAT] = {"vsat", 1 * MBPS, 256 * KBPS, 280 * MS, 0.005, 0.995,
		"GEO VSAT: about 1 Mbit/s down (rules §7); 35,786 km orbit gives ~240 ms one-way "
		"propagation plus access; availability: rain fade per ITU-R P.618"},
	[DN_NET_LINK_LEO] = {"leo", 1 * GBPS, 100 * MBPS, 20 * MS, 0.005, 0.995,
		"LEO constellation: up to 1 Gbit/s (rules §7, peak per terminal); 550 km shells give "
		"~20 ms one-way (FCC MBA 2022 satellite); loss/availability nominal"},
	[DN_NET_LINK_LTE_MACRO] = {"lte_macro", 150 * MBPS, 50 * MBPS, 15 * MS, 0.001, 0.995,
		"3GPP TS 36.306 UE category 4: 150/50 Mbit/s peak; ~30 ms RTT (3GPP TR 36.913 targets "
		"10 ms user plane; field RTT higher)"},
};

const dn_net_link_info *dn_net_link(dn_net_link_kind kind)
{
	if ((unsigned)kind >= DN_NET_LINK_COUNT)
		return NULL;
	const dn_net_link_info *l = &link_table[kind];
	/* every kind has its row: capacities, a latency and probabilities */
	assert(l->name && l->down_bps > 0 && l->up_bps > 0 && l->latency_ns > 0);
	assert(l->loss >= 0 && l->loss <= 1 && l->availability >= 0 && l->availability <= 1);
	return l;
}

dn_rc dn_net_link_find(const char *name, dn_net_link_kind *out)
{
	for (unsigned i = 0; i < DN_NET_LINK_COUNT; i++) {
		assert(link_table[i].name); /* no kind left without a row */
		if (strcmp(link_table[i].name, name) == 0) {
			*out = (dn_net_link_kind)i;
			return DN_OK;
		}
	}
	return DN_EUNKNOWN;
}
