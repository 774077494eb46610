/*
 * world_estimate.c: what a world will hold in memory, from the resolved
 * scenario alone, before world_init allocates anything (sim/cli/memcheck.c
 * refuses a run that cannot fit). Not a model of the run: figures are the
 * sizes of the structures world_init and the tiles allocate, plus one
 * measured growth rate for what accumulates as the simulated days pass.
 */
#include "world.h"

#include <math.h>
#include <string.h>

#include "agents.h"
#include "content.h"

/*
 * Growth per nominal session (a consumer's demand over consumer.session_mib,
 * clamped as world_consumer.c clamps it): the sessions the chain keeps, their
 * transactions and receipts. Measured with scenarios/scale-1m.yaml at 200k
 * and 1M agents: 180-195 bytes per agent per simulated day beyond set-up
 * (results buffers excluded), about 6 nominal sessions per consumer per day.
 */
#define W_BYTES_PER_NOMINAL_SESSION 48.0

/* Index slots per point in a tile's two spatial indexes (x, y, id; room to grow). */
#define W_SPATIAL_SLOT_BYTES 24.0

dn_rc w_estimate(const dn_scenario *s, size_t column_bytes, dn_estimate *e)
{
	const double n = (double)dn_scn_int(s, "world.agents");
	const double days = dn_scn_float(s, "sim.end_time_s") / 86400.0;
	const double fc = dn_scn_float(s, "world.consumer_fraction");
	const double fs = dn_scn_float(s, "world.sharer_fraction");
	const double fr = dn_scn_float(s, "world.relay_fraction");

	/* Per agent at set-up: columns, the ledger (records included: sessions
	 * lock deposits and holders vote, so most record pages are touched),
	 * the Gini arrays (cap as world_init), cached keys for small worlds,
	 * the tiles' spatial indexes (an id slot per agent in each, slots for
	 * sharers and relays). */
	uint64_t hot, records;
	dnc_ledger_footprint((uint64_t)n + 8, &hot, &records);
	double gini_cap = fmin(n, n / 4 + 100000);
	double setup = n * (double)column_bytes + (double)hot + (double)records +
	               dn_gini_footprint((uint64_t)n, (uint64_t)gini_cap);
	if (w_caches_keys((uint64_t)n, !strcmp(dn_scn_str(s, "chain.signatures"), "keyed"))) /* as world_init */
		setup += n * DNC_SK_BYTES;
	setup += n * (2 * sizeof(uint32_t) + (fs + fr) * W_SPATIAL_SLOT_BYTES);
	setup += n * sizeof(uint32_t); /* the sessions each relay carries (A->nrelay) */
	/* world.cross_tiles: the halos, the sharers within a sharer's range of
	 * a tile border, counted on both sides (an id, its state, an index
	 * slot and a reference per entry) */
	const double tiles = (double)dn_scn_int(s, "sim.partitions");
	if (dn_scn_bool(s, "world.cross_tiles") && tiles > 1) {
		double side_m = dn_scn_float(s, "world.area_km") * 1000.0 / sqrt(tiles);
		double near = fmin(1.0, 4.0 * dn_scn_float(s, "sharer.range_m") / side_m);
		setup += n * fs * near * (double)(sizeof(uint32_t) + sizeof(whalo) + sizeof(wxref) + W_SPATIAL_SLOT_BYTES);
	}

	/* What accumulates over the run. */
	double rate = fmin(dn_scn_float(s, "consumer.sessions_per_day_max"),
	                   fmax(0.05, dn_scn_float(s, "consumer.mib_per_day") / dn_scn_float(s, "consumer.session_mib")));
	const double per_day = n * fc * rate * W_BYTES_PER_NOMINAL_SESSION;

	if (dn_scn_bool(s, "content.enabled")) {
		dn_content_cfg cc;
		w_content_cfg_read(s, &cc);
		cc.n = (uint32_t)fmin(n, UINT32_MAX);
		setup += dn_content_footprint(&cc, days);
	}

	/* Pending events: a request per consumer, a churn event per sharer
	 * and relay, a block receipt and an hourly event per tile. */
	dn_engine_estimate(&dn_model_world, s, n * (fc + fs + fr) + 2 * tiles, 0, e);
	/* the chain's session table stops growing once full (world_genesis.c:
	 * sized for W_SESSION_TABLE_DAYS with a margin of about 3) */
	const double grow_days = fmin(days, 3.2 * W_SESSION_TABLE_DAYS);
	e->model_bytes = setup + per_day * grow_days;
	e->series = DN_METRICS_MAX_SERIES + 32; /* dn_metrics' series and the world's own (world.c) */
	/* one sample per block (world_init insists), a row per record.* interval */
	uint64_t every = UINT64_MAX;
	for (int g = 0; g < DN_METRICS_GROUPS; g++) {
		uint64_t k = w_record_every(s, g, NULL);
		every = k < every ? k : every;
	}
	e->rows = ceil(dn_engine_samples(s) / (double)every) + 1;

	const double agents = setup + n * (fc + fs + fr) * dn_engine_event_bytes();
	dn_estimate_driver_add(e, "world.agents", n, agents, agents / n, "agent");
	if (per_day > 0 && days > 0)
		dn_estimate_driver_add(e, "sim.end_time_s", days * 86400.0, per_day * grow_days, per_day, "simulated day");
	return DN_OK;
}
