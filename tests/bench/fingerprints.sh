#!/bin/sh
# fingerprints.sh: the end-of-run fingerprints of every shipped scenario at
# its own seed, one line each ("scenario <tab> name=value ..."), for
# comparing a refactor's before and after (docs/testing.md).
#   tests/bench/fingerprints.sh BUILD_DIR [SECONDS] [THREADS]
# SECONDS is the simulated time each scenario runs (default 600); the scale
# scenarios run at 20,000 agents on 2 km^2, as in the test suite.
set -eu
BIN=${1:?usage: fingerprints.sh BUILD_DIR [SECONDS] [THREADS]}/dnetsim
SECS=${2:-600}
THREADS=${3:-2}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for f in "$SRC"/scenarios/*.yaml "$SRC"/scenarios/bench/*.yaml; do
	name=$(basename "$f" .yaml)
	small=""
	case "$name" in scale-*) small="--set world.agents=20000 --set world.area_km=2" ;; esac
	# shellcheck disable=SC2086
	"$BIN" run "$f" --set sim.end_time_s="$SECS" --set sim.threads="$THREADS" $small \
		--out "$T/$name.h5" --quiet
	printf '%s' "$name"
	for d in $(h5ls "$T/$name.h5/summary" | awk '/fingerprint/ { print $1 }'); do
		printf '\t%s=%s' "$d" "$(h5dump -d "/summary/$d" -y "$T/$name.h5" | awk '/^ *[0-9-]/ { gsub(/[ ,]/, ""); print; exit }')"
	done
	printf '\n'
done
