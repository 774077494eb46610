#!/bin/sh
# signature_floor.sh: the 1M-agent world with real Ed25519 signatures
# against the floor of its signature work: every key pair it derived,
# message it signed and signature it verified (/summary/world_sig_*,
# counted by the protocol library) priced at libsodium's bare rates and
# spread over the cores. The bare rates are measured the way the run uses
# the machine: THREADS copies of bench_chain at once, their rates summed
# (what THREADS cores together sign and verify), right before the run and
# right after it; the floor uses their mean, and the ratio is printed
# against each too, so that a machine whose speed drifts shows it.
# Prints the run's wall time, the counts, the rates, the floors and the
# ratios, then where the cores' time went during the run (the run's CPU
# time, idle, stolen by the host of a virtual machine) and the run's CPU
# time against the floor's (docs/performance.md).
#   tests/bench/signature_floor.sh BUILD_DIR [SECONDS] [THREADS]
# SECONDS of simulated time (default 86400, the scenario's day).
set -eu
B=${1:?usage: signature_floor.sh BUILD_DIR [SECONDS] [THREADS]}
SECS=${2:-86400}
THREADS=${3:-2}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The summed bare rates of THREADS concurrent bench_chain runs into $1:
# verify, sign, key pair per second.
rates() {
	i=0
	while [ "$i" -lt "$THREADS" ]; do
		"$B/bench_chain" 0.2 >"$T/rates.$i" &
		i=$((i + 1))
	done
	wait
	cat "$T"/rates.* | awk '
		index($0, "raw libsodium Ed25519 verify") == 1 { v += $(NF - 1) }
		index($0, "raw libsodium Ed25519 sign") == 1 { s += $(NF - 1) }
		index($0, "raw libsodium Ed25519 seed keypair") == 1 { k += $(NF - 1) }
		END { printf "%.0f %.0f %.0f\n", v, s, k }' >"$1"
	rm -f "$T"/rates.*
}
# The machine's idle and stolen time (all CPUs, seconds) from /proc/stat:
# a virtual machine whose host takes its CPUs away shows it as steal.
cpu_idle_steal() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.1f %.1f\n", ($5 + $6) / hz, $9 / hz }' /proc/stat
}
rates "$T/before"
cpu_idle_steal >"$T/cpu0"
/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$B/dnetsim" run "$SRC/scenarios/scale-1m.yaml" \
	--set chain.signatures=ed25519 --set sim.end_time_s="$SECS" --threads "$THREADS" \
	--out "$T/r.h5" --quiet
cpu_idle_steal >"$T/cpu1"
rates "$T/after"
read -r wall kib usr sys <"$T/time"
read -r idle0 steal0 <"$T/cpu0"
read -r idle1 steal1 <"$T/cpu1"
val() { h5dump -d "/summary/$1" -y "$T/r.h5" | awk '/^ *[0-9-]/ { gsub(/[ ,]/, ""); print; exit }'; }
kp=$(val world_sig_keypairs)
sg=$(val world_sig_signs)
vf=$(val world_sig_verifies)
read -r v0 s0 k0 <"$T/before"
read -r v1 s1 k1 <"$T/after"
printf 'wall_s\tpeak_kib\tkeypairs\tsigns\tverifies\tcores\tverify_per_s\tsign_per_s\tkeypair_per_s\tfloor_s\tratio\n'
echo "$wall $kib $kp $sg $vf $THREADS $v0 $s0 $k0 $v1 $s1 $k1" | awk '{
	f0 = $3 / $9 + $4 / $8 + $5 / $7
	f1 = $3 / $12 + $4 / $11 + $5 / $10
	fm = $3 / (($9 + $12) / 2) + $4 / (($8 + $11) / 2) + $5 / (($7 + $10) / 2)
	printf "%s\t%s\t%s\t%s\t%s\t%s\tbefore %s\tbefore %s\tbefore %s\tbefore %.1f\tbefore %.2f\n",
	       $1, $2, $3, $4, $5, $6, $7, $8, $9, f0, $1 / f0
	printf "\t\t\t\t\t\tafter %s\tafter %s\tafter %s\tafter %.1f\tafter %.2f\n", $10, $11, $12, f1, $1 / f1
	printf "\t\t\t\t\t\t\t\tmean\t%.1f\t%.2f\n", fm, $1 / fm
}'
# Where the cores' time went during the run: the run's own CPU time, the
# machine's idle time (the run's serial parts leave a core idle) and the
# time the host stole; and the run's CPU time against the floor's (the
# work at one core's rate: the mean summed rates / cores), which neither
# idle nor stolen time moves.
echo "$wall $usr $sys $idle0 $idle1 $steal0 $steal1 $THREADS $kp $sg $vf $v0 $s0 $k0 $v1 $s1 $k1" | awk '{
	n = $8
	fcpu = ($9 / (($14 + $17) / 2) + $10 / (($13 + $16) / 2) + $11 / (($12 + $15) / 2)) * n
	printf "cores x wall %.1f s: run CPU %.1f s, idle %.1f s, stolen %.1f s; run CPU / floor CPU %.2f (floor CPU %.1f s)\n",
	       $1 * n, $2 + $3, $5 - $4, $7 - $6, ($2 + $3) / fcpu, fcpu
}'
