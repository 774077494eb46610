#!/usr/bin/env bash
# test_network_slice.sh: a world that stands for a larger network
# (world.network_agents) is a uniform slice of it. Checked two ways:
#  1. the scaled stocks, exactly: a 200-agent world standing for 800 holds a
#     quarter of the supply, of the seats and candidates, and the area;
#  2. the headline ratios: the slice (200 of 800) tells the same story as
#     the whole 800-agent network within noise (delegate income per seat,
#     the DToken-originated share, coverage), while a 200-agent world
#     that is its own whole network does not (it gets the whole network's
#     emission on a quarter of the traffic and a quarter of the density).
# Three hours of simulated time with hourly elections; the tolerances are
# about twice the differences measured between seeds (docs/agents.md).
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

cat >"$T/net.yaml" <<'YAML'
sim: {model: world, seed: 3, end_time_s: 10800, partitions: 1, sample_interval_s: 10}
world: {agents: 800, area_km: 0.6, candidates: 40, operators: 0}
chain: {delegates: 40, signatures: keyed, epoch_blocks: 360, traffic_window_blocks: 360}
YAML

# a network smaller than the world is refused, with where it was set
printf 'sim: {model: world}\nworld: {agents: 300, network_agents: 200}\n' >"$T/bad.yaml"
expect_rc 2 "network below agents" "$BIN" run "$T/bad.yaml" --out "$T/bad.h5"
contains "$T/err" "world.network_agents (200) is below world.agents (300)" "network below agents: message"
contains "$T/err" "bad.yaml:2:38:" "network below agents: file:line:column"
[ ! -e "$T/bad.h5" ] && ok || bad "a refused run left a results file"

for run in "slice 200 800" "whole 800 0" "alone 200 0"; do
	set -- $run
	expect_rc 0 "run $1" "$BIN" run "$T/net.yaml" --set world.agents="$2" --set world.network_agents="$3" \
		--out "$T/$1.h5" --quiet
done

"$PY" - "$T" >"$T/check" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
T = sys.argv[1]
def load(name):
    f = h5py.File(f"{T}/{name}.h5", "r")
    s, m = f["series"], f["summary"]
    v = lambda k: s[k]["value"]
    seats = int(m["world_delegate_seats"][()])
    return {
        "seats": seats,
        "supply": int(m["world_supply_base"][()]),
        "share": float(m["world_network_share"][()]),
        "network": int(m["world_network_agents"][()]),
        "per_seat": v("earned_cum_delegate_base")[-1] / seats,
        "dtoken": v("dtoken_share")[-1],
        "coverage": float(np.nanmean(v("coverage"))),
    }
sl, wh, al = load("slice"), load("whole"), load("alone")
out = []
def check(ok, what):
    out.append(("ok " if ok else "FAIL ") + what)
supply = 7_500_000_000 * 100_000_000
check(sl["supply"] == supply // 4, f"slice supply {sl['supply']} is a quarter of {supply}")
check(wh["supply"] == supply and al["supply"] == supply, "whole worlds keep the supply")
check(sl["seats"] == 10 and wh["seats"] == 40 and al["seats"] == 40, f"seats {sl['seats']}/{wh['seats']}/{al['seats']}")
check(sl["share"] == 0.25 and sl["network"] == 800 and al["network"] == 200, "network summary")
r = sl["per_seat"] / wh["per_seat"]
check(0.85 < r < 1.15, f"delegate income per seat slice/whole {r:.3f}")
r = sl["dtoken"] / wh["dtoken"]
check(0.6 < r < 1.6, f"DToken share slice/whole {r:.3f}")
r = al["dtoken"] / wh["dtoken"]
check(not (0.6 < r < 1.6), f"DToken share alone/whole {r:.3f} differs")
check(abs(sl["coverage"] - wh["coverage"]) < 0.15, f"coverage slice {sl['coverage']:.3f} whole {wh['coverage']:.3f}")
check(abs(al["coverage"] - wh["coverage"]) > 0.3, f"coverage alone {al['coverage']:.3f} differs")
print("\n".join(out))
PYEOF
verdicts "$T/check"
finish
