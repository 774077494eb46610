#!/bin/sh
# threads_under_load.sh: the white-paper world at --threads 1 and 2 while
# one other CPU-bound process runs (started here, stopped at the end), with
# the program's own waiting (OMP_WAIT_POLICY unset: dnetsim makes its
# threads spin briefly, then sleep) and with spinning threads (OMP_WAIT_POLICY=active,
# which dnetsim leaves alone), and at --threads 0, which takes the cores
# free when the run starts. Each way runs RUNS times, alternating; prints
# the wall seconds of each round, the ratio threads 2 / threads 1, and per
# way the median ratio and the worst (docs/performance.md). A machine's
# noise under a competing load is as large as the effect: compare medians.
#   tests/bench/threads_under_load.sh BUILD_DIR [AGENTS] [SECONDS] [RUNS]
set -eu
BIN=${1:?usage: threads_under_load.sh BUILD_DIR [AGENTS] [SECONDS] [RUNS]}/dnetsim
AGENTS=${2:-20000}
SECS=${3:-172800}
RUNS=${4:-5}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
sh -c 'while :; do :; done' &
HOG=$!
trap 'kill $HOG 2>/dev/null; rm -rf "$T"' EXIT
wall() { # wall THREADS: seconds of one run
	s=$(date +%s.%N)
	"$BIN" run "$SRC/scenarios/whitepaper.yaml" --set world.agents="$AGENTS" --set sim.end_time_s="$SECS" \
		--set chain.signatures=keyed --threads "$1" --out "$T/r.h5" --force --quiet
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.2f", $2 - $1 }'
}
printf 'waiting\tround\tthreads_1_s\tthreads_2_s\tratio\tthreads_0_s\n'
for mode in passive active; do
	if [ "$mode" = passive ]; then unset OMP_WAIT_POLICY; else export OMP_WAIT_POLICY=active; fi
	: >"$T/ratios"
	i=1
	while [ "$i" -le "$RUNS" ]; do
		a=$(wall 1)
		b=$(wall 2)
		c=$(wall 0)
		r=$(echo "$a $b" | awk '{ printf "%.2f", $2 / $1 }')
		echo "$r" >>"$T/ratios"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$i" "$a" "$b" "$r" "$c"
		i=$((i + 1))
	done
	sort -n "$T/ratios" | awk -v m="$mode" '{ v[NR] = $1 }
		END { med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%s\tmedian\t\t\t%.2f\t(worst %.2f of %d)\n", m, med, v[NR], NR }'
done
