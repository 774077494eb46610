#!/usr/bin/env bash
# peer_table.sh: the peer-tokenomics benchmark table of docs/performance.md.
# Runs `dnetsim bench peer` for N = 1k, 10k, 100k, 1M holders at 100 and
# 8,640 blocks, at 1 and 2 threads, each in its own process under
# /usr/bin/time -v (peak RSS), and prints a Markdown table.
#   tests/bench/peer_table.sh [path/to/dnetsim]     (default build/dnetsim)
set -euo pipefail
BIN=${1:-build/dnetsim}
echo "| agents | blocks | threads | run s | µs/block | agent-updates/s | peak RSS MiB | bytes/agent |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in 1000 10000 100000 1000000; do
	for b in 100 8640; do
		for t in 1 2; do
			out=$(/usr/bin/time -v "$BIN" bench peer --agents $n --blocks $b --threads $t --tsv 2>/tmp/peer_table.$$)
			rss_kb=$(awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }' /tmp/peer_table.$$)
			echo "$out" | awk -F'\t' -v rss="$rss_kb" -v n=$n 'NR == 2 {
				printf "| %d | %d | %d | %.2f | %.0f | %.3g | %.1f | %.0f |\n",
				       $2, $3, $1, $5, $6, $7, rss / 1024, rss * 1024 / n }'
		done
	done
done
rm -f /tmp/peer_table.$$
