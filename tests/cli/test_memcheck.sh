#!/usr/bin/env bash
# test_memcheck.sh: `dnetsim run` refuses, before building anything, a run
# whose memory estimate exceeds what the machine has (exit 2 within a
# couple of seconds, naming the parameter and its value), and one whose
# results cannot fit on the output folder's disk; --force runs it anyway;
# the shipped scenarios are never refused. Run by ctest with DNETSIM_BIN
# and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset DNETSIM_MEMORY_LIMIT
. "$(dirname "$0")/lib.sh"
fast() { # fast DESCRIPTION: the last command took at most 2 s
	if [ "$took" -le 2000 ]; then ok; else bad "$1 took $took ms (a refusal must come before anything is built)"; fi
}
nothing_written() { # nothing_written FILE DESCRIPTION
	if [ -z "$(ls "$T" | grep -F "$(basename "$1")")" ]; then ok; else bad "$2: $(ls "$T")"; fi
}

small="$T/small.yaml"
cat >"$small" <<'Y'
sim:
  model: phold
  end_time_s: 2
  partitions: 4
  sample_interval_s: 0.5
phold:
  lps: 2000
Y
# A dnetsim without the check would really try the sizes below and grind
# into the OOM killer: make sure it refuses a small run first.
DNETSIM_MEMORY_LIMIT=1 "$BIN" run "$small" --out "$T/probe.h5" --quiet 2>/dev/null
if [ $? -ne 2 ]; then
	echo "FAIL: dnetsim run does not check memory (DNETSIM_MEMORY_LIMIT=1 did not refuse a run)"
	exit 1
fi

# Absurd sizes from the issue: refused at once, exit 2, the parameter named.
# (The world's case is capped at 24 GiB, the machine of the issue, so it is
# refused on any machine; the other two exceed any machine.)
DNETSIM_MEMORY_LIMIT=24G expect_rc 2 "world.agents=80000000" \
	"$BIN" run "$SRC/scenarios/scale-1m.yaml" --set world.agents=80000000 --out "$T/w.h5"
fast "world.agents=80000000 refusal"
contains "$T/err" "this run needs about" "world refusal states the estimate"
contains "$T/err" "world.agents=80000000" "world refusal names the parameter and its value"
contains "$T/err" "is available" "world refusal states what is available"
contains "$T/err" "pass --force" "world refusal says how to override"
nothing_written "$T/w.h5" "refused world run left a file"

expect_rc 2 "phold.lps=400000000 phold.events_per_lp=1000" \
	"$BIN" run "$SRC/scenarios/bench/phold.yaml" --set phold.lps=400000000 --set phold.events_per_lp=1000 \
	--out "$T/p.h5"
fast "phold refusal"
contains "$T/err" "phold.lps=400000000" "phold refusal names phold.lps"
contains "$T/err" "phold.events_per_lp=1000" "phold refusal names phold.events_per_lp"
nothing_written "$T/p.h5" "refused phold run left a file"

expect_rc 2 "net.meshes=10000000 net.nodes_per_mesh=4096" \
	"$BIN" run "$SRC/scenarios/net-churn.yaml" --set net.meshes=10000000 --set net.nodes_per_mesh=4096 \
	--out "$T/n.h5" --quiet
fast "net refusal"
contains "$T/err" "net.meshes=10000000" "net refusal names net.meshes (even with --quiet)"
contains "$T/err" "net.nodes_per_mesh=4096" "net refusal names net.nodes_per_mesh"

# --force: a small run that DNETSIM_MEMORY_LIMIT says cannot fit is refused,
# then runs to completion with a warning.
DNETSIM_MEMORY_LIMIT=1M expect_rc 2 "small run over DNETSIM_MEMORY_LIMIT" "$BIN" run "$small" --out "$T/f.h5"
contains "$T/err" "phold.lps=2000" "limit refusal names phold.lps"
contains "$T/err" "(DNETSIM_MEMORY_LIMIT)" "limit refusal names what limits it"
DNETSIM_MEMORY_LIMIT=1M expect_rc 0 "--force runs it anyway" "$BIN" run "$small" --out "$T/f.h5" --force --quiet
contains "$T/err" "going on because of --force" "--force warns"
[ -s "$T/f.h5" ] && ok || bad "--force run wrote no results"
expect_rc 0 "a run that fits: no word" "$BIN" run "$small" --out "$T/g.h5" --quiet
[ ! -s "$T/err" ] && ok || bad "a run that fits printed: $(head -c 400 "$T/err")"

# Results that no disk holds (10^15 samples per series): refused at once.
expect_rc 2 "sim.sample_interval_s=1e-9 over 10^6 s" \
	"$BIN" run "$small" --set sim.sample_interval_s=1e-9 --set sim.end_time_s=1e6 --out "$T/r.h5"
fast "results-size refusal"
contains "$T/err" "sim.sample_interval_s=1e-09" "results refusal names sim.sample_interval_s"
contains "$T/err" "free in" "results refusal names the free space"
# Fine sampling that fits: warned about (here refused for memory afterwards,
# so nothing runs), and --quiet silences the warning but not the refusal.
DNETSIM_MEMORY_LIMIT=1M expect_rc 2 "fine sampling warned" \
	"$BIN" run "$small" --set sim.sample_interval_s=1e-6 --set sim.end_time_s=20 --out "$T/s.h5"
contains "$T/err" "warning: sim.sample_interval_s=1e-06" "fine sampling warning names the parameter"
contains "$T/err" "before compression" "fine sampling warning gives the size"
DNETSIM_MEMORY_LIMIT=1M expect_rc 2 "fine sampling, quiet" \
	"$BIN" run "$small" --set sim.sample_interval_s=1e-6 --set sim.end_time_s=20 --out "$T/s.h5" --quiet
if grep -q "warning" "$T/err"; then bad "--quiet printed a warning"; else ok; fi
contains "$T/err" "pass --force" "--quiet still prints the refusal"

# The shipped scenarios are never refused. A refusal comes within a second,
# so each runs for a few seconds and is then stopped; scale-10m (5.2 GiB)
# only where it fits.
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null)
for f in "$SRC"/scenarios/*.yaml "$SRC"/scenarios/bench/*.yaml; do
	name=$(basename "$f" .yaml)
	if [ "$name" = scale-10m ] && [ "${avail_kb:-0}" -lt 8000000 ]; then
		echo "skip: $name needs more memory than this machine has"
		continue
	fi
	# (a subshell, so the shell's "Killed" note stays out of the log)
	(timeout -s KILL 4 "$BIN" run "$f" --out "$T/scn-$name.h5" --quiet >/dev/null 2>"$T/err"; echo $? >"$T/rc") \
		2>/dev/null
	rc=$(cat "$T/rc")
	if [ "$rc" -eq 2 ] || grep -q "this run needs about\|pass --force" "$T/err"; then
		bad "shipped scenario $name refused (exit $rc): $(head -c 400 "$T/err")"
	else
		ok
	fi
done

finish
