#!/usr/bin/env bash
# sweep_overhead.sh BUILD [MEMBERS]: what `dnetsim sweep` costs beyond its
# members (docs/performance.md, "Sweeps").
#  1. MEMBERS (default 1000) tiny PHOLD members at --jobs 2: the sweep's
#     wall time against the members' own process time (fork to exit, as
#     the runner measures it, /members/wall_s), the runner's overhead per
#     member, and the time spent writing the sweep file.
#  2. Parallel efficiency for members of about a second: 16 white-paper
#     members (10,000 agents, 2 simulated days) at --jobs 1 and at
#     --jobs 2 (and under mpirun -n 1 / -n 2 when the build has MPI):
#     T1 / (2 T2).
# Needs /usr/bin/python3 with h5py. Prints one line per measurement.
# SKIP_TINY=1 runs part 2 only.
set -eu
B=${1:?usage: sweep_overhead.sh BUILD [MEMBERS]}
N=${2:-1000}
BIN=$(cd "$B" && pwd)/dnetsim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
export OMP_WAIT_POLICY=passive

if [ -z "${SKIP_TINY:-}" ]; then
cat >tiny.yaml <<EOF
sim: {model: phold, end_time_s: 1, partitions: 1, sample_interval_s: 1}
phold: {lps: 16}
sweep:
  design: random
  samples: $N
  parameters:
    phold.remote_fraction: {min: 0, max: 1}
EOF
t0=$(date +%s.%N)
"$BIN" sweep tiny.yaml --out tiny.h5 --jobs 2 2>err.txt
t1=$(date +%s.%N)
write=$(sed -n 's/.*writing the file: \([0-9.]*\) s.*/\1/p' err.txt | tail -1)
/usr/bin/python3 - "$t0" "$t1" "$N" "${write:-0}" <<'EOF'
import sys, h5py
t0, t1, n, write = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
f = h5py.File("tiny.h5", "r")
walls = f["members/wall_s"][:]
run = f["members/summary/wall_s"][:]
wall = t1 - t0
print(f"tiny members: {n} at --jobs 2 in {wall:.2f} s wall; members' processes {walls.sum():.2f} s "
      f"(mean {1000 * walls.mean():.1f} ms, of which the run itself {1000 * run.mean():.2f} ms)")
print(f"runner overhead: {1000 * (2 * wall - walls.sum()) / n:.2f} ms per member-slot "
      f"((2 x wall - members' time) / members); writing the file {write:.2f} s = {100 * write / wall:.1f} % of the wall")
EOF
fi

cat >sec.yaml <<'EOF'
include: SRC/scenarios/whitepaper.yaml
sim: {end_time_s: 172800, partitions: 4}
world: {agents: 10000, area_km: 1.5}
chain: {signatures: keyed}
record: {interval: hour}
sweep:
  replicates: 16
  parameters:
    chain.lambda: [0.5]
EOF
sed -i "s#SRC#${DNETSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}#" sec.yaml
for j in 1 2; do
	s=$(date +%s.%N)
	"$BIN" sweep sec.yaml --out j$j.h5 --jobs $j --quiet 2>/dev/null
	e=$(date +%s.%N)
	echo "members of a second: 16 at --jobs $j: $(echo "$e - $s" | bc) s"
	eval "t$j=$(echo "$e - $s" | bc)"
done
echo "parallel efficiency at 2 slots: $(echo "scale=3; $t1 / (2 * $t2)" | bc)"
if command -v mpirun >/dev/null && "$BIN" --version | grep -q "MPI=1"; then
	for n in 1 2; do
		s=$(date +%s.%N)
		mpirun --allow-run-as-root --oversubscribe -n $n "$BIN" sweep sec.yaml --out m$n.h5 --quiet 2>/dev/null
		e=$(date +%s.%N)
		echo "members of a second: 16 under mpirun -n $n: $(echo "$e - $s" | bc) s"
		eval "m$n=$(echo "$e - $s" | bc)"
	done
	echo "parallel efficiency at 2 ranks: $(echo "scale=3; $m1 / (2 * $m2)" | bc)"
fi
