#!/usr/bin/env bash
# test_cli.sh: the dnetsim command line as a user meets it: exit codes,
# error messages with file:line:column, the results file appearing only
# after a complete run (never after an interrupted one), validate, params,
# plot. Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

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

# usage and version
expect_rc 2 "no arguments" "$BIN"
expect_rc 0 "--version" "$BIN" --version
contains "$T/out" "dnetsim " "--version prints the name"
expect_rc 2 "unknown command" "$BIN" frobnicate
for c in run validate params plot bench; do
	expect_rc 0 "$c --help" "$BIN" $c --help
	contains "$T/out" "usage: dnetsim $c" "$c --help"
done
expect_rc 2 "run without a file" "$BIN" run
expect_rc 2 "run with a bad option" "$BIN" run "$small" --bogus

# scenario errors: exit 2, file:line:column, nothing written
cat >"$T/typo.yaml" <<'Y'
sim:
  end_time_s: 2
  partitons: 4
Y
expect_rc 2 "unknown key" "$BIN" run "$T/typo.yaml" --out "$T/typo.h5" --quiet
contains "$T/err" "typo.yaml:3:3" "unknown key location"
contains "$T/err" "sim.partitons" "unknown key name"
[ ! -e "$T/typo.h5" ] && ok || bad "a results file was written for an invalid scenario"
cat >"$T/range.yaml" <<'Y'
sim:
  partitions: 0
Y
expect_rc 2 "out of range" "$BIN" validate "$T/range.yaml"
contains "$T/err" "range.yaml:2:15" "out-of-range location"
expect_rc 2 "bad --set" "$BIN" run "$small" --set sim.partitions=abc --out "$T/x.h5" --quiet
expect_rc 2 "bad --seed" "$BIN" run "$small" --seed -3 --out "$T/x.h5" --quiet
expect_rc 2 "model refuses (more partitions than LPs)" "$BIN" run "$small" --set phold.lps=2 --out "$T/x.h5" --quiet
[ ! -e "$T/x.h5" ] && ok || bad "a results file was written for a refused run"

# validate and params
expect_rc 0 "validate ok" "$BIN" validate "$small"
contains "$T/out" "valid" "validate says valid"
expect_rc 0 "validate --print" "$BIN" validate "$small" --print
contains "$T/out" "lps: 2000" "resolved YAML has the value"
expect_rc 0 "params" "$BIN" params
contains "$T/out" "sim.end_time_s" "params lists engine parameters"
contains "$T/out" "phold.remote_fraction" "params lists model parameters"
expect_rc 0 "params --markdown" "$BIN" params --markdown
contains "$T/out" "| sim.seed" "markdown table row"

# docs/parameters.md is generated from the registry and must match it
"$BIN" params --markdown >"$T/params.md" 2>/dev/null
grep '^|' "$SRC/docs/parameters.md" >"$T/params-doc.md"
if diff -q "$T/params.md" "$T/params-doc.md" >/dev/null; then ok; else
	bad "docs/parameters.md is stale: replace its table with the output of 'dnetsim params --markdown'"; fi

# a complete run leaves the file; nothing on stdout with --quiet
expect_rc 0 "run small" "$BIN" run "$small" --out "$T/a.h5" --seed 5 --threads 2 --quiet
[ -s "$T/a.h5" ] && ok || bad "no results file after a complete run"
[ ! -s "$T/out" ] && ok || bad "--quiet printed: $(head -c 200 "$T/out")"
ls "$T" | grep -q 'tmp-' && bad "temporary file left behind" || ok
expect_rc 0 "run small, 1 thread" "$BIN" run "$small" --out "$T/b.h5" --seed 5 --threads 1 --quiet
if command -v h5diff >/dev/null; then
	expect_rc 0 "same /series at 1 and 2 threads (h5diff)" h5diff "$T/a.h5" "$T/b.h5" /series
	expect_rc 0 "h5dump reads /config" h5dump -a /config/seed "$T/a.h5"
	contains "$T/out" "5" "seed recorded"
fi
expect_rc 0 "run prints where" "$BIN" run "$small" --out "$T/c.h5"
contains "$T/out" "results: $T/c.h5" "run prints the results path"
[ ! -s "$T/err" ] && ok || bad "progress printed on a non-terminal without --progress"

# the results file reads with h5py (Debian's python3-h5py, installed by setup.sh)
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
	expect_rc 0 "h5py reads the file" /usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
s = f['/series/events']
assert s.attrs['units'] == 'events', s.attrs['units']
assert len(s) == 4 and s['t_ns'][-1] == 2000000000
assert int(f['/config'].attrs['seed']) == 5
assert b'lps: 2000' in f['/config/scenario'][()]
print(int(s['value'].sum()))
" "$T/a.h5"
	[ "$(cat "$T/out")" -gt 1000 ] && ok || bad "h5py: event count $(cat "$T/out")"
fi

# an interrupted run leaves nothing at the target path
big="$T/big.yaml"
printf 'sim: {model: phold, end_time_s: 100000, partitions: 4}\nphold: {lps: 100000}\n' >"$big"
"$BIN" run "$big" --out "$T/int.h5" --quiet >/dev/null 2>"$T/err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
[ "$rc" -eq 1 ] && ok || bad "interrupted run exit $rc, wanted 1"
[ ! -e "$T/int.h5" ] && ok || bad "interrupted run left a file at the target"
ls "$T" | grep -q 'int.h5.tmp' && bad "interrupted run left its temporary" || ok
contains "$T/err" "interrupted" "interrupt reported"
# ... and a killed one leaves no file at the target either
"$BIN" run "$big" --out "$T/kill.h5" --quiet >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -KILL $pid
wait $pid 2>/dev/null
[ ! -e "$T/kill.h5" ] && ok || bad "killed run left a file at the target"

# plots
if command -v gnuplot >/dev/null; then
	expect_rc 0 "plot" "$BIN" plot "$T/a.h5" -o "$T/plots"
	for s in events remote_events event_rate; do
		[ -s "$T/plots/$s.png" ] && ok || bad "no plot for series $s"
	done
	# PHOLD keeps its event population: pending is constant, listed, not drawn
	contains "$T/err" "constant over the run (not plotted): pending=" "pending listed as constant"
	contains "$T/plots/constant.txt" "pending=" "pending in constant.txt"
	[ ! -e "$T/plots/pending.png" ] && ok || bad "a picture of the constant series pending"
	head -c 8 "$T/plots/events.png" | grep -q PNG && ok || bad "events.png is not a PNG"
	expect_rc 2 "plot without a file" "$BIN" plot
	expect_rc 1 "plot of a missing file" "$BIN" plot "$T/none.h5"
fi

# every shipped scenario validates and runs a short horizon
for f in "$SRC"/scenarios/*.yaml "$SRC"/scenarios/bench/*.yaml "$SRC"/scenarios/attacks/*.yaml; do
	name=$(basename "$f" .yaml)
	expect_rc 0 "validate $name" "$BIN" validate "$f"
	# the scale scenarios run at 20,000 agents here (their full size is a
	# benchmark: docs/performance.md)
	small=""
	case "$name" in scale-*) small="--set world.agents=20000 --set world.area_km=2" ;; esac
	expect_rc 0 "run $name (20 s)" "$BIN" run "$f" --set sim.end_time_s=20 $small --out "$T/scn-$name.h5" --quiet
	[ -s "$T/scn-$name.h5" ] && ok || bad "no results from $name"
done

# a world run's plots include the one-page overview
if command -v gnuplot >/dev/null 2>&1; then
	expect_rc 0 "plot a world run" "$BIN" plot "$T/scn-whitepaper.h5" -o "$T/wplots"
	head -c 8 "$T/wplots/overview.png" | grep -q PNG && ok || bad "no overview.png for a world run"
	[ -s "$T/wplots/dnet_price.png" ] && ok || bad "no dnet_price.png for a world run"
	[ ! -e "$T/plots/overview.png" ] && ok || bad "an overview for a run that is not a world"
fi

# calc: the protocol library's numbers, table and --tsv
expect_rc 0 "calc emission --tsv" "$BIN" calc emission --tsv
contains "$T/out" "3153600" "blocks per year (R-CHAIN-1)"
expect_rc 0 "calc forward --tsv" "$BIN" calc forward --price 100 --middlemen 3 --tsv
# 100 DNET: fee 0.5 %, then O 15 %, M1 10 %, M2 5 %, M3 2.5 % of 99.5, S the rest
contains "$T/out" "$(printf 'O\t1492500000')" "origin share"
contains "$T/out" "$(printf 'M3\t248750000')" "third middleman share"
contains "$T/out" "$(printf 'S\t6716250000')" "direct sharer share"
sum=$(awk -F'\t' 'NR > 1 && $1 != "total" { s += $2 } END { printf "%.0f", s }' "$T/out")
[ "$sum" = "10000000000" ] && ok || bad "forward split sums to $sum, not the payment"
expect_rc 0 "calc adhoc" "$BIN" calc adhoc --price 150u --relays 3 --tsv
contains "$T/out" "$(printf 'provider\t75')" "ad hoc provider share"
expect_rc 2 "calc adhoc bad amount" "$BIN" calc adhoc --price abc --relays 3
expect_rc 2 "calc unknown" "$BIN" calc nonsense
expect_rc 0 "calc lockup" "$BIN" calc lockup --team 1000 --months 60 --tsv
expect_rc 0 "calc governance" "$BIN" calc governance --tsv

# bench: both benchmarks run small, agree across thread counts, refuse bad input
expect_rc 0 "bench phold small" "$BIN" bench phold --lps 20000 --end 2 --partitions 8 --threads 1,2 --tsv
[ "$(awk -F'\t' 'NR > 1 { print $7 }' "$T/out" | sort -u | wc -l)" = 1 ] && ok || bad "phold fingerprints differ"
expect_rc 0 "bench peer small" "$BIN" bench peer --agents 2000 --blocks 20 --threads 1,2 --tsv
[ "$(awk -F'\t' 'NR > 1 { print $9 }' "$T/out" | sort -u | wc -l)" = 1 ] && ok || bad "peer fingerprints differ"
expect_rc 2 "bench bad threads" "$BIN" bench peer --agents 2000 --blocks 2 --threads 2,x
expect_rc 2 "bench unknown" "$BIN" bench nothing

# bench: the one runner with repeats keeps the fastest and still agrees; peer prints its table
expect_rc 0 "bench phold repeat" "$BIN" bench phold --lps 5000 --end 1 --partitions 4 --threads 2,1 --repeat 2 --tsv
[ "$(awk -F'\t' 'NR > 1 { print $2, $7 }' "$T/out" | sort -u | wc -l)" = 1 ] && ok || bad "phold repeats disagree"
[ "$(wc -l <"$T/out")" = 3 ] && ok || bad "phold repeat: not one row a thread count"
expect_rc 0 "bench peer table" "$BIN" bench peer --agents 2000 --blocks 5 --threads 1
contains "$T/out" "peer tokenomics: 2000 agents, 5 blocks" "peer table header"
expect_rc 2 "bench peer too many blocks" "$BIN" bench peer --blocks 100000001
contains "$T/err" "--blocks must be 1..100000000" "peer blocks bound"

# calc: a large amount fits its buffer (the table once wrote past it)
expect_rc 0 "calc forward large price" "$BIN" calc forward --price 100000000 --middlemen 1
contains "$T/out" "Content sale of 100000000.00000000 DNET" "large price printed whole"

# calc cell / mesh: the shared flow-vs-ns-3 scaffold, flow model alone and with ns-3
expect_rc 0 "calc cell" "$BIN" calc cell --ues 3 --tsv
[ "$(wc -l <"$T/out")" = 4 ] && ok || bad "calc cell: not one row a user"
expect_rc 0 "calc mesh" "$BIN" calc mesh --nodes 6 --hops 5 --spacing-m 400
contains "$T/out" "unreachable" "calc mesh: an out-of-range chain is unreachable"
contains "$T/out" "flow model wall" "calc mesh: wall time line"
expect_rc 2 "calc cell stray operand" "$BIN" calc cell stray
contains "$T/err" "unexpected argument 'stray' (see --help)" "calc cell operand message"
if grep -q "ns-3=1" <("$BIN" --version); then
	expect_rc 0 "calc mesh --ns3" "$BIN" calc mesh --ns3 --nodes 3 --hops 2 --measure-s 0.5
	contains "$T/out" "per-flow |error| median" "calc mesh --ns3 error median"
	contains "$T/out" "; ns-3 wall" "calc mesh --ns3 wall time"
	# calibrate: the refit (the fit calibrate and --check share) gives back the shipped constants
	expect_rc 0 "calibrate --refit" "$BIN" calibrate --refit --grid "$SRC/models/net/calibration-grid.tsv" --out "$T/cal.txt"
	cmp -s "$T/cal.txt" "$SRC/models/net/calibration.txt" && ok || bad "refit differs from the shipped calibration"
	expect_rc 2 "calibrate bad subset" "$BIN" calibrate --subset 0
	# the shipped mesh model against the shipped validation grid (ns-3 runs the fit never saw):
	# a regression guard on the figures docs/network-models.md reports
	expect_rc 0 "calibrate --validate" "$BIN" calibrate --validate "$SRC/models/net/validation-grid.tsv"
	summ=$(grep '^# validation:' "$T/out")
	med=$(sed -n 's/.*median \([0-9.]*\) %.*/\1/p' <<<"$summ")
	hop=$(sed -n "s/.*hop count \([0-9.]*\) %.*/\1/p" <<<"$summ")
	nfl=$(sed -n 's/.* \([0-9]*\) flows:.*/\1/p' <<<"$summ")
	awk -v m="$med" -v h="$hop" -v n="$nfl" 'BEGIN { exit !(m != "" && m <= 17 && h >= 95 && n >= 70) }' && ok ||
		bad "validation summary out of bounds: $summ"
	[ "$(grep -c '^mesh' "$T/out")" = "$nfl" ] && ok || bad "validation table: not one row a flow"
	# a malformed grid names file:line and writes nothing; a version 1 grid says what to do
	sed '12s/.*/mesh 0 0 2 25 1 zero 1 1 1 1/' "$SRC/models/net/validation-grid.tsv" >"$T/badgrid.tsv"
	expect_rc 1 "calibrate --validate malformed" "$BIN" calibrate --validate "$T/badgrid.tsv"
	contains "$T/err" "badgrid.tsv:12: malformed calibration grid line" "malformed grid: file:line"
	printf 'dnetsim-net-grid 1 1\nmesh 0 1 30 1 0 1e6 0.01\n' >"$T/v1grid.tsv"
	expect_rc 1 "calibrate --refit v1 grid" "$BIN" calibrate --refit --grid "$T/v1grid.tsv" --out "$T/v1cal.txt"
	contains "$T/err" "v1grid.tsv:1: a version 1 grid has no one-hop distance sweep" "v1 grid: what to do"
	[ ! -e "$T/v1cal.txt" ] && ok || bad "a refused grid still wrote a calibration"
fi

# --set with a space for '=': an immediate usage error saying what was meant
wp="$SRC/scenarios/whitepaper.yaml"
expect_rc 2 "run --set K V" "$BIN" run "$wp" --set chain.lambda 0.3
contains "$T/err" "dnetsim run: --set chain.lambda: expected KEY=VALUE (did you mean --set chain.lambda=0.3?)" "run --set K V: the hint"
grep -q "exactly one scenario FILE" "$T/err" && bad "run --set K V still says 'exactly one scenario FILE'" || ok
expect_rc 2 "run --set K FILE" "$BIN" run --set chain.lambda "$wp"
contains "$T/err" "dnetsim run: --set chain.lambda: expected KEY=VALUE" "run --set K FILE: the error"
grep -q "did you mean" "$T/err" && bad "run --set K FILE: a scenario file is no value" || ok
expect_rc 2 "validate --set K V" "$BIN" validate "$wp" --set chain.lambda 0.3
contains "$T/err" "dnetsim validate: --set chain.lambda: expected KEY=VALUE (did you mean --set chain.lambda=0.3?)" "validate --set K V: the hint"
expect_rc 2 "bench phold --set K V" "$BIN" bench phold --set sim.end_time_s 5
contains "$T/err" "dnetsim bench phold: --set sim.end_time_s: expected KEY=VALUE (did you mean --set sim.end_time_s=5?)" "bench phold --set K V: the hint"
expect_rc 2 "bench peer --set K V" "$BIN" bench peer --set sim.end_time_s 5
contains "$T/err" "dnetsim bench peer: --set sim.end_time_s: expected KEY=VALUE (did you mean --set sim.end_time_s=5?)" "bench peer --set K V: the hint"
# a second operand that is the word after a --set, or a KEY=VALUE without --set
expect_rc 2 "run --set K= V" "$BIN" run "$wp" --set chain.lambda= 0.3
contains "$T/err" "dnetsim run: '0.3' after --set chain.lambda= is read as a second FILE (did you mean --set chain.lambda=0.3?)" "run --set K= V: the hint"
expect_rc 2 "run FILE K=V" "$BIN" run "$wp" chain.lambda=0.3
contains "$T/err" "(did you mean --set chain.lambda=0.3?)" "run FILE K=V: the hint"
expect_rc 2 "run two files" "$BIN" run "$small" "$small"
contains "$T/err" "dnetsim run: expected exactly one scenario FILE" "run two files: the message stays"

# validate reports every independent error of a file in one pass, in file order
cat >"$T/three.yaml" <<'Y'
sim:
  end_tme_s: 5
  seed: x
chain:
  lambda: -1
Y
expect_rc 2 "validate: three errors" "$BIN" validate "$T/three.yaml"
[ "$(grep -c "^dnetsim: $T/three.yaml:[0-9]*:[0-9]*: " "$T/err")" -eq 3 ] && ok || bad "validate: not three located errors: $(cat "$T/err")"
grep -n "" "$T/err" | grep -q "^1:dnetsim: $T/three.yaml:2:3: unknown parameter 'sim.end_tme_s'" && ok || bad "validate: the unknown key first: $(cat "$T/err")"
grep -n "" "$T/err" | grep -q "^2:dnetsim: $T/three.yaml:3:9: sim.seed: expected an integer" && ok || bad "validate: the wrong type second: $(cat "$T/err")"
grep -n "" "$T/err" | grep -q "^3:dnetsim: $T/three.yaml:5:11: chain.lambda: " && ok || bad "validate: the range third: $(cat "$T/err")"

finish
