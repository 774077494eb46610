#!/usr/bin/env bash
# false_alarms.sh: how often do the statistical expectations fail on a
# correct build?
#
# Reruns the shipped check with N fresh ensemble seeds S = SEED_BASE + i
# (i = 1..N), from the source tree:
#
#     BIN check scenarios/*.yaml scenarios/bench/*.yaml --seed S --quiet \
#         --golden-dir EMPTY --jobs 2
#
# EMPTY is an empty temporary folder, so that every golden comparison and
# every `within P%`-of-baseline check fails by construction (a golden holds
# one seed's run; a baseline, one seed's ensemble). Those lines are left
# out: "  FAIL  golden..." and any FAIL line saying "no baseline for this
# check". Any other FAIL line, an ERROR line, or runs that failed make the
# rerun a false alarm: a correct build that the check would reject at that
# seed. Each is printed with its seed and line, then
# `false alarms: K of N reruns`.
#
# Usage:
#     tests/regression/false_alarms.sh [BIN]
#         BIN defaults to build/dnetsim (relative to the source tree)
# Environment:
#     N=100          reruns
#     SEED_BASE=1000 the first rerun's seed is SEED_BASE + 1
#     JOBS=2         check --jobs
#     KEEP=1         keep each rerun's output (folder printed)
#     SCENARIOS="scenarios/dense-city.yaml ..."  the scenarios (default: all
#                    of scenarios/*.yaml scenarios/bench/*.yaml)
# Exit: 0 when K <= N / 100 (at most 1 false alarm in 100 reruns), 1 when
# more, 2 when the binary is missing.
# Each rerun takes about as long as the shipped check (15-20 s on 2 cores).
set -u

N=${N:-100}
SEED_BASE=${SEED_BASE:-1000}
JOBS=${JOBS:-2}
KEEP=${KEEP:-0}
SCENARIOS=${SCENARIOS:-scenarios/*.yaml scenarios/bench/*.yaml}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-build/dnetsim}
case "$BIN" in
/*) ;;
*) if [ -x "$PWD/$BIN" ]; then BIN=$PWD/$BIN; else BIN=$ROOT/$BIN; fi ;;
esac
[ -x "$BIN" ] || { echo "false_alarms: no executable $BIN" >&2; exit 2; }
case "$N" in '' | *[!0-9]*) echo "false_alarms: N must be a whole number" >&2; exit 2 ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/false-alarms.XXXXXX") || exit 2
cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "false_alarms: kept the reruns' output in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/golden" "$WORK/out"

cd "$ROOT" || exit 2
echo "false_alarms: $BIN, $N reruns, seeds $((SEED_BASE + 1))..$((SEED_BASE + N))" >&2

alarms=0
s_all=$SECONDS
for ((i = 1; i <= N; i++)); do
	seed=$((SEED_BASE + i))
	out=$WORK/out/seed-$seed.txt
	s0=$SECONDS
	# shellcheck disable=SC2086 # SCENARIOS is a list of globs
	"$BIN" check $SCENARIOS --seed "$seed" --quiet \
		--golden-dir "$WORK/golden" --jobs "$JOBS" --work "$WORK/runs-$seed" >"$out" 2>&1
	rc=$?
	[ "$KEEP" = 1 ] || rm -rf "$WORK/runs-$seed"
	# the lines that count: FAIL but not a golden or a missing baseline;
	# ERROR; runs that failed
	bad=$(grep -E '^  FAIL  |^  ERROR |the runs failed' "$out" |
		grep -v -E '^  FAIL  golden' | grep -v 'no baseline for this check')
	if [ -n "$bad" ]; then
		alarms=$((alarms + 1))
		while IFS= read -r line; do
			printf 'false alarm  seed %s  %s\n' "$seed" "$line"
		done <<<"$bad"
	elif [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		# exit 2 (usage or scenario error) or a signal: not a verdict at all
		alarms=$((alarms + 1))
		printf 'false alarm  seed %s  check exited %s: %s\n' "$seed" "$rc" "$(tail -n 1 "$out")"
	fi
	echo "false_alarms: seed $seed: exit $rc, $((SECONDS - s0)) s, $alarms alarm(s) so far" >&2
done

echo "false_alarms: $N reruns in $((SECONDS - s_all)) s" >&2
echo "false alarms: $alarms of $N reruns"
[ $((alarms * 100)) -le "$N" ] && exit 0
exit 1
