#!/bin/sh
# signature_floor.sh: the 1M-agent world with real Ed25519 signatures
# against the floor of its signature work: every key pair it derived,
# message it signed and signature it verified (/summary/world_sig_*,
# counted by the protocol library) priced at libsodium's bare rates
# (bench_chain, measured in the same run) and spread over the cores.
# Prints the run's wall time, the counts, the rates, the floor and the
# ratio (docs/performance.md).
#   tests/bench/signature_floor.sh BUILD_DIR [SECONDS] [THREADS]
# SECONDS of simulated time (default 86400, the scenario's day).
set -eu
B=${1:?usage: signature_floor.sh BUILD_DIR [SECONDS] [THREADS]}
SECS=${2:-86400}
THREADS=${3:-2}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/time -f '%e %M' -o "$T/time" "$B/dnetsim" run "$SRC/scenarios/scale-1m.yaml" \
	--set chain.signatures=ed25519 --set sim.end_time_s="$SECS" --threads "$THREADS" \
	--out "$T/r.h5" --quiet
read -r wall kib <"$T/time"
val() { h5dump -d "/summary/$1" -y "$T/r.h5" | awk '/^ *[0-9-]/ { gsub(/[ ,]/, ""); print; exit }'; }
kp=$(val world_sig_keypairs)
sg=$(val world_sig_signs)
vf=$(val world_sig_verifies)
"$B/bench_chain" 0.2 >"$T/rates"
rate() { awk -v m="$1" 'index($0, m) == 1 { print $(NF - 1) }' "$T/rates"; }
rv=$(rate "raw libsodium Ed25519 verify")
rs=$(rate "raw libsodium Ed25519 sign")
rk=$(rate "raw libsodium Ed25519 seed keypair")
printf 'wall_s\tpeak_kib\tkeypairs\tsigns\tverifies\tkeypair_per_s\tsign_per_s\tverify_per_s\tfloor_s\tratio\n'
echo "$wall $kib $kp $sg $vf $rk $rs $rv $THREADS" | awk '{
	floor = ($3 / $6 + $4 / $7 + $5 / $8) / $9
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.2f\n", $1, $2, $3, $4, $5, $6, $7, $8, floor, $1 / floor
}'
