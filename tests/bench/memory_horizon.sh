#!/bin/sh
# memory_horizon.sh: peak memory against the simulated horizon. Runs
# scenarios/decade.yaml (10,000 agents, recorded daily) for each number
# of days given and prints wall seconds, peak resident memory (from
# /usr/bin/time), the results file's size, and peak memory per agent
# (docs/performance.md).
#   tests/bench/memory_horizon.sh BUILD_DIR [AGENTS] [DAYS...]
# e.g. tests/bench/memory_horizon.sh build 10000 1 30 365
#      tests/bench/memory_horizon.sh build 1000 30 300
set -eu
BIN=${1:?usage: memory_horizon.sh BUILD_DIR [AGENTS] [DAYS...]}/dnetsim
AGENTS=${2:-10000}
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- 1 30 365
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# the density of the scenario (10,000 agents on 1.5 km) at any size
AREA=$(echo "$AGENTS" | awk '{ printf "%.4f", 1.5 * sqrt($1 / 10000) }')
printf 'agents\tdays\twall_s\tpeak_kib\tresults_bytes\tpeak_bytes_per_agent\n'
for d in "$@"; do
	/usr/bin/time -f '%e %M' -o "$T/time" "$BIN" run "$SRC/scenarios/decade.yaml" \
		--set world.agents="$AGENTS" --set world.area_km="$AREA" --set sim.end_time_s=$((d * 86400)) \
		--out "$T/r.h5" --force --quiet
	read -r wall kib <"$T/time"
	size=$(stat -c %s "$T/r.h5")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$AGENTS" "$d" "$wall" "$kib" "$size" \
		"$(echo "$kib $AGENTS" | awk '{ printf "%.0f", $1 * 1024 / $2 }')"
done
