#!/bin/sh
# crn_variance.sh: what common random numbers buy a tuning
# (docs/tuning.md). Two nearby candidates of the white paper's world
# (chain.lambda A and B, the rest as scenarios/tune/whitepaper-screen.yaml
# runs it: 2,000 agents, one simulated day, two-hour elections), each run
# at R seeds, twice: with `seeds: common` (replicate r of both candidates
# draws the same random numbers, as `dnetsim tune` runs them) and with
# `seeds: member` (every run its own seed). For each summary it prints the
# variance over r of the difference B_r - A_r under each, and their ratio
# (member / common): how many times fewer runs common seeds need for the
# same precision of a difference.
#   tests/bench/crn_variance.sh BUILD_DIR [R] [LAMBDA_A] [LAMBDA_B] [JOBS]
set -eu
BIN=${1:?usage: crn_variance.sh BUILD_DIR [R] [LAMBDA_A] [LAMBDA_B] [JOBS]}/dnetsim
R=${2:-20}
A=${3:-0.50}
B=${4:-0.52}
JOBS=${5:-2}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for seeds in common member; do
	cat >"$T/$seeds.yaml" <<Y
include: $SRC/scenarios/whitepaper.yaml
sim: {end_time_s: 86400, partitions: 4}
world: {agents: 2000, area_km: 0.67}
chain: {signatures: keyed, epoch_blocks: 720}
record: {interval: hour}
sweep:
  design: points
  seed: 2027
  seeds: $seeds
  replicates: $R
  points:
    - {chain.lambda: $A}
    - {chain.lambda: $B}
Y
	"$BIN" sweep "$T/$seeds.yaml" --out "$T/$seeds.h5" --series none --jobs "$JOBS" --quiet >"$T/log" 2>&1 ||
		{ cat "$T/log" >&2; exit 1; }
done
/usr/bin/python3 - "$T/common.h5" "$T/member.h5" "$R" <<'P'
import sys, h5py, numpy as np
R = int(sys.argv[3])
def diffs(path):
    f = h5py.File(path, "r")
    m = f["members"]
    point, rep = m["point"][:], m["replicate"][:]
    out = {}
    for name in m["summary"]:
        raw = m["summary"][name][:]
        v = raw.astype(float)
        if raw.dtype.kind == "i":  # INT64_MIN: the member did not write it
            v[raw == np.iinfo(np.int64).min] = np.nan
        a = np.full(R, np.nan); b = np.full(R, np.nan)
        a[rep[point == 0]] = v[point == 0]
        b[rep[point == 1]] = v[point == 1]
        out[name] = b - a
    return out
c, m = diffs(sys.argv[1]), diffs(sys.argv[2])
ratios = []
print("summary\tvar_diff_common\tvar_diff_member\tratio_member_over_common")
for name in sorted(c):
    if name in ("wall_s", "events_per_wall_s", "world_fingerprint") or name not in m:
        continue
    vc, vm = np.nanvar(c[name], ddof=1), np.nanvar(m[name], ddof=1)
    if not np.isfinite(vm) or vm == 0:
        continue
    ratio = vm / vc if vc > 0 else float("inf")
    print("%s\t%.6g\t%.6g\t%.3g" % (name, vc, vm, ratio))
    ratios.append(ratio)
print("median ratio over %d summaries: %.3g; below 5: %d" % (len(ratios), np.median(ratios), sum(r < 5 for r in ratios)))
P
