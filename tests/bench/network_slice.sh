#!/bin/sh
# network_slice.sh: the white paper's world at 40,000 agents against 5,000
# agents standing for the same 40,000 (world.network_agents) and 5,000 that
# are their own network: the headline ratios side by side (docs/agents.md,
# "What network the world stands for"). Keyed signatures, 16 tiles.
#   tests/bench/network_slice.sh BUILD_DIR [DAYS] [SEED]
set -eu
BIN=${1:?usage: network_slice.sh BUILD_DIR [DAYS] [SEED]}/dnetsim
DAYS=${2:-7}
SEED=${3:-1}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for run in "whole 40000 0" "slice 5000 40000" "alone 5000 0"; do
	set -- $run
	"$BIN" run "$SRC/scenarios/whitepaper.yaml" --set sim.end_time_s=$((DAYS * 86400)) --set sim.seed="$SEED" \
		--set chain.signatures=keyed --set world.agents="$2" --set world.network_agents="$3" \
		--out "$T/$1.h5" --quiet
done
/usr/bin/python3 - "$T" <<'PY'
import sys, h5py, numpy as np
T = sys.argv[1]
print("world\tagents\tnetwork\tincome/cost\tper_seat_dnet/day\tprice_usd\tusd_per_gb\tdtoken_share\tcoverage")
for name in ("whole", "slice", "alone"):
    f = h5py.File(f"{T}/{name}.h5", "r")
    s, m = f["series"], f["summary"]
    v = lambda k: s[k]["value"]
    days = v("blocks")[-1] * 10 / 86400
    seats = int(m["world_delegate_seats"][()])
    inc, cost = v("delegate_income_usd")[-1], v("delegate_cost_usd")[-1]
    print(f"{name}\t{int(m['world_network_share'][()] * m['world_network_agents'][()])}\t{int(m['world_network_agents'][()])}\t"
          f"{inc / cost:.3f}\t{v('earned_cum_delegate_base')[-1] / 1e8 / seats / days:.1f}\t{v('dnet_price')[-1]:.5f}\t"
          f"{np.nanmedian(v('service_price_usd_gb')):.3f}\t{v('dtoken_share')[-1]:.4f}\t{np.nanmean(v('coverage')):.3f}")
PY
