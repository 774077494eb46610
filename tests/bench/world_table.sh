#!/usr/bin/env bash
# world_table.sh: the DNET-world scale table of docs/performance.md.
# Runs scenarios/scale-1m.yaml (and, with --10m, scale-10m.yaml) for one
# simulated day at 1 and 2 threads, each in its own process under
# /usr/bin/time -v, checks that both thread counts give the same
# fingerprint, and prints a Markdown table.
#   tests/bench/world_table.sh [path/to/dnetsim] [--10m]    (default build/dnetsim)
set -euo pipefail
BIN=${1:-build/dnetsim}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
scen=("$SRC/scenarios/scale-1m.yaml")
[ "${2:-}" = "--10m" ] && scen+=("$SRC/scenarios/scale-10m.yaml")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| scenario | agents | blocks | threads | wall s | events | transactions | peak RSS MiB | bytes/agent | fingerprint |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for f in "${scen[@]}"; do
	name=$(basename "$f" .yaml)
	for t in 1 2; do
		/usr/bin/time -v "$BIN" run "$f" --threads $t --out "$tmp/$name-$t.h5" >"$tmp/out" 2>"$tmp/err"
		wall=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$tmp/err")
		rss=$(awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }' "$tmp/err")
		ev=$(awk '/ events in / { print $1 }' "$tmp/err" "$tmp/out" | head -1)
		get() { h5dump -d "/summary/$1" "$tmp/$name-$t.h5" | awk '/\(0\):/ { print $2; exit }'; }
		vals="$(( $(get world_blocks) + $(get world_missed_slots) )) $(get world_transactions) $(get world_fingerprint)"
		read -r blocks txs fp <<<"$vals"
		agents=$(awk '/agents:/ { print $2; exit }' "$f")
		awk -v s="$name" -v n="$agents" -v b="$blocks" -v t=$t -v w="$wall" -v e="$ev" -v x="$txs" -v r="$rss" -v fp="$fp" 'BEGIN {
			printf "| %s | %d | %d | %d | %.1f | %s | %d | %.0f | %.0f | %s |\n", s, n, b, t, w, e, x, r / 1024, r * 1024 / n, fp }'
		eval "fp_$t=$fp"
	done
	[ "$fp_1" = "$fp_2" ] || { echo "$name: fingerprints differ between 1 and 2 threads" >&2; exit 1; }
done
