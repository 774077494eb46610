#!/usr/bin/env bash
# test_check.sh: `dnetsim check` (docs/regression.md) on a world of 300
# agents for 10 simulated minutes (60 blocks):
#  - every kind of take and bound passes where it should and fails where
#    it should, each failure with its file:line:column;
#  - --bless writes a golden; check then passes; a one-line change to a
#    split (the producer's share, R-EMIT-3) fails with the first
#    diverging block named and the accounts and series that moved;
#  - the golden holds at 1 and 2 threads; a missing golden fails;
#  - within-baseline checks read their blessed value;
#  - statistical checks run an ensemble through the sweep runner;
#  - the JUnit report has the schema's required elements and counts;
#  - an expectation on a name the model does not write is a scenario
#    error at file:line:column and nothing runs; failed runs are errors;
#  - every name a run writes is in `validate --names` (the list expect:
#    is checked against).
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
export TMPDIR=$T

base() {
	printf 'sim: {model: world, seed: 5, end_time_s: 600, partitions: 4, sample_interval_s: 10}\n'
	printf 'world: {agents: 300, area_km: 0.5, candidates: 20, operators: 1}\n'
	printf 'chain: {delegates: 20, signatures: keyed, producer_share: 0.05}\n'
}

# every kind of take and bound, once passing and once failing
{
	base
	cat <<'Y'
expect:
  checks:
    - {name: final pass, metric: world_supply_base, bound: == 750000000000000000}
    - {name: final fail, metric: world_supply_base, bound: == 750000000000000001}
    - {name: at pass, metric: blocks, take: at, at_s: 300, bound: between 20 and 30}
    - {name: at fail, metric: blocks, take: at, at_s: 300, bound: '> 30'}
    - {name: at_block pass, metric: blocks, take: at, at_block: 30, bound: '<= 30'}
    - {name: min pass, metric: blocks, take: min, bound: '>= 1'}
    - {name: min fail, metric: blocks, take: min, from_s: 100, bound: '< 5'}
    - {name: max pass, metric: blocks, take: max, to_s: 300, bound: '<= 30'}
    - {name: max fail, metric: blocks, take: max, bound: '> 60'}
    - {name: mean pass, metric: blocks, take: mean, from_s: 10, to_s: 30, bound: between 1 and 3}
    - {name: mean fail, metric: blocks, take: mean, bound: '< 10'}
    - {name: crossing pass, metric: blocks, take: crossing, level: 30, bound: '< 400'}
    - {name: crossing fail, metric: blocks, take: crossing, level: 30, bound: '< 200'}
    - {name: never crossed, metric: blocks, take: crossing, level: 1000, bound: '< 1e9'}
    - {name: within pass, metric: world_supply_base, bound: within 0% of 750000000000000000}
    - {name: within fail, metric: world_supply_base, bound: within 1% of 1e18, rule: R-SUP-1}
    - {name: baseline pass, metric: delegate_income_base, take: mean, bound: within 0.000001%}
Y
} >"$T/kinds.yaml"
expect_rc 1 "check without a golden" "$BIN" check "$T/kinds.yaml" --junit "$T/j0.xml"
contains "$T/out" "FAIL  golden: no $T/golden/kinds.golden" "a missing golden fails"
contains "$T/out" "no baseline for this check" "a baseline check without a golden fails"
expect_rc 1 "bless (the fail checks still fail)" "$BIN" check "$T/kinds.yaml" --bless --junit "$T/j1.xml"
[ -s "$T/golden/kinds.golden" ] && ok || bad "bless wrote no golden"
for k in final at at_block min max mean crossing within baseline; do
	contains "$T/out" "PASS  $k pass:" "$k passes"
done
for k in final at min max mean crossing within; do
	contains "$T/out" "FAIL  $k fail:" "$k fails"
done
contains "$T/out" "FAIL  never crossed: never" "a level never crossed fails a < bound"
contains "$T/out" "at $T/kinds.yaml:" "a failure names its file:line:column"
contains "$T/out" "[R-SUP-1]" "a failure names its rule"
contains "$T/out" "PASS  golden" "the golden just blessed passes"
grep -c "^  FAIL" "$T/out" | grep -qx 8 && ok || bad "8 failures wanted: $(grep -c '^  FAIL' "$T/out")"

# the JUnit report: required elements and attributes, counts that add up
"$PY" - "$T/j1.xml" >"$T/junit" 2>&1 <<'PYEOF'
import sys, xml.etree.ElementTree as ET
out = []
def check(ok, what): out.append(("ok " if ok else "FAIL ") + what)
root = ET.parse(sys.argv[1]).getroot()
check(root.tag == "testsuites", "root is testsuites")
suites = root.findall("testsuite")
check(len(suites) == 1, "one testsuite per scenario")
s = suites[0]
for a in ("name", "tests", "failures", "errors", "time"):
    check(a in s.attrib, f"testsuite has {a}")
cases = s.findall("testcase")
check(int(s.get("tests")) == len(cases) == 18, f"tests = testcases = 18 ({s.get('tests')}, {len(cases)})")
fails = [c for c in cases if c.find("failure") is not None]
check(int(s.get("failures")) == len(fails) == 8, f"failures = 8 ({s.get('failures')}, {len(fails)})")
check(int(root.get("failures")) == 8 and int(root.get("tests")) == 18, "totals on testsuites")
for c in cases:
    check("name" in c.attrib and "classname" in c.attrib, f"testcase {c.get('name')} has name and classname")
for f in fails:
    e = f.find("failure")
    check("message" in e.attrib and e.get("message"), f"failure of {f.get('name')} has a message")
names = [c.get("name") for c in fails]
check("final fail" in names and "final pass" not in names, "the failing cases are the failing checks")
print("\n".join(out))
PYEOF
verdicts "$T/junit"

# the golden: passes again, at 2 threads too; a one-line change to a split fails at block 1
{
	base
	cat <<'Y'
expect:
  checks:
    - {metric: world_supply_base, bound: == 750000000000000000, rule: R-SUP-1}
Y
} >"$T/g.yaml"
expect_rc 0 "bless" "$BIN" check "$T/g.yaml" --bless
grep -q "^block 60 600 " "$T/golden/g.golden" && ok || bad "the golden has the ledger after every block"
grep -q "^summary world_blocks " "$T/golden/g.golden" && ok || bad "the golden has the summaries"
grep -q "^series dnet_price " "$T/golden/g.golden" && ok || bad "the golden has the series"
grep -q "wall_s" "$T/golden/g.golden" && bad "the golden holds the machine's wall time" || ok
expect_rc 0 "check against the golden" "$BIN" check "$T/g.yaml"
contains "$T/out" "PASS  golden" "golden passes"
expect_rc 0 "check at 2 threads" "$BIN" check "$T/g.yaml" --threads 2
contains "$T/out" "PASS  golden" "golden holds at 2 threads"
cp "$T/golden/g.golden" "$T/g.golden.before"
sed -i 's/producer_share: 0.05/producer_share: 0.06/' "$T/g.yaml"
expect_rc 1 "a changed split" "$BIN" check "$T/g.yaml" --junit "$T/j2.xml"
contains "$T/out" "FAIL  golden" "the changed split fails the golden"
contains "$T/out" "first diverging block: 1 (t = 10 s)" "the first diverging block is named"
contains "$T/out" "candidate accounts' balances" "the accounts that moved are named"
contains "$T/out" "delegate_income_base: last" "the series that moved are named"
contains "$T/out" "the runs are kept in" "a failure keeps the runs"
cmp -s "$T/golden/g.golden" "$T/g.golden.before" && ok || bad "a failing check changed the golden"
contains "$T/j2.xml" "first diverging block" "the JUnit failure says where"
expect_rc 0 "bless the meant change" "$BIN" check "$T/g.yaml" --bless
expect_rc 0 "then it passes" "$BIN" check "$T/g.yaml"
# an imbalance planted in the golden at block 5: 7 base units more for the
# sharers (the 7th class, in name order) and in the supply; the report
# names the block and the class, with the difference
cp "$T/golden/g.golden" "$T/g.golden.good"
"$PY" - "$T/g.golden.good" >"$T/golden/g.golden" <<'PYEOF'
import sys
for line in open(sys.argv[1]):
    w = line.split()
    if w[:2] == ["block", "5"]:
        w[4] = str(int(w[4]) + 7)    # the supply
        w[11] = str(int(w[11]) + 7)  # the 7th class
        line = " ".join(w) + "\n"
    sys.stdout.write(line)
PYEOF
grep -q "^classes candidate consumer holder operator other relay sharer " "$T/golden/g.golden" && ok ||
	bad "the classes are not in the order the test assumes: $(grep '^classes' "$T/golden/g.golden")"
expect_rc 1 "a planted imbalance" "$BIN" check "$T/g.yaml"
contains "$T/out" "first diverging block: 5 (t = 50 s); 1 of the 56 blocks from there differ" "the block is named"
contains "$T/out" "supply 750000000000000007 -> 750000000000000000 (-7 base units)" "the supply's difference is given"
contains "$T/out" "(-7 base units)" "the class's difference is given"
contains "$T/out" "sharer accounts' balances" "the class is named"
cp "$T/g.golden.good" "$T/golden/g.golden"

# hostile goldens: corrupted, truncated, binary, a FIFO: a clean failure, never a crash
mkdir "$T/hostile"
"$PY" - "$T/g.golden.good" "$T/hostile" <<'PYEOF'
import random, sys
good = open(sys.argv[1], "rb").read()
r = random.Random(16)
for i in range(25):
    b = bytearray(good)
    k = i % 5
    if k == 0:
        b = b[: r.randrange(len(b))]                       # truncated
    elif k == 1:
        for _ in range(20):
            b[r.randrange(len(b))] = r.randrange(256)      # random bytes
    elif k == 2:
        lines = b.split(b"\n")
        r.shuffle(lines)                                   # lines out of order
        b = b"\n".join(lines)
    elif k == 3:
        p = r.randrange(len(b))
        b[p:p] = b"x" * r.randrange(1, 100000)             # a long word
    else:
        lines = b.split(b"\n")
        for _ in range(5):
            j = r.randrange(len(lines))
            lines[j] = b" ".join(lines[j].split(b" ")[: r.randrange(1, 4)])  # short lines
        b = b"\n".join(lines)
    open(f"{sys.argv[2]}/{i:02d}.golden", "wb").write(bytes(b))
PYEOF
for f in "$T"/hostile/*.golden; do
	cp "$f" "$T/golden/g.golden"
	timeout 300 "$BIN" check "$T/g.yaml" --quiet >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "hostile golden $(basename "$f"): exit $rc, wanted 1: $(head -c 300 "$T/err")"
	grep -q "runtime error\|AddressSanitizer" "$T/err" && bad "hostile golden $(basename "$f") crashed: $(head -c 300 "$T/err")" || ok
done
rm "$T/golden/g.golden" && mkfifo "$T/golden/g.golden"
expect_rc 1 "a FIFO for a golden" "$BIN" check "$T/g.yaml"
contains "$T/out" "cannot be read" "a FIFO golden is refused, not waited on"
rm "$T/golden/g.golden" && cp "$T/g.golden.good" "$T/golden/g.golden"

# an interrupt stops the runs and leaves no folder behind
mkdir "$T/intr"
TMPDIR="$T/intr" timeout -s INT 2 "$BIN" check "$T/g.yaml" --set sim.end_time_s=8640000 >"$T/out" 2>"$T/err"
contains "$T/err" "dnetsim check: interrupted" "an interrupt is reported"
[ -z "$(ls -A "$T/intr")" ] && ok || bad "an interrupted check left $(ls -A "$T/intr")"
sleep 0.5
pgrep -f "$T/g.yaml" >/dev/null && bad "runs survived the interrupt" || ok

# an ensemble through the sweep runner: 4 seeds, checks on the mean
{
	base
	cat <<'Y'
expect:
  seeds: 4
  golden: false
  checks:
    - {name: tx mean, metric: transactions, take: mean, bound: '>= 0'}
    - {name: blocks each, metric: world_blocks, bound: between 50 and 60}
    - {name: mean fail, metric: world_blocks, bound: '> 100'}
Y
} >"$T/ens.yaml"
expect_rc 1 "an ensemble" "$BIN" check "$T/ens.yaml" --jobs 2
contains "$T/out" "4 runs" "four runs"
contains "$T/out" "PASS  tx mean: mean" "judged on the mean"
contains "$T/out" "of 4 runs" "over the ensemble"
contains "$T/out" "PASS  blocks each" "mean checks pass"
contains "$T/out" "FAIL  mean fail" "and fail"

# scenario errors: nothing runs
{
	base
	printf 'expect:\n  - {metric: world_suply_base, bound: "< 1"}\n'
} >"$T/bad.yaml"
expect_rc 2 "an unknown metric" "$BIN" check "$T/bad.yaml"
contains "$T/err" "$T/bad.yaml:5:14: expect: metric: 'world_suply_base'" "the error names file:line:column"
grep -q "runs" "$T/out" && bad "a scenario error ran something: $(cat "$T/out")" || ok
contains "$T/err" "did you mean 'world_supply_base'?" "a near miss is named"
expect_rc 2 "validate sees it too" "$BIN" validate "$T/bad.yaml"

# the ensemble runner check uses: sweep --replicates on any scenario
expect_rc 0 "sweep --replicates" "$BIN" sweep "$T/g.yaml" --replicates 3 --seed 9 --out "$T/e.h5" --quiet --jobs 2
"$PY" - "$T/e.h5" >"$T/ens" 2>&1 <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
m = f["members"]
out = []
def check(ok, what): out.append(("ok " if ok else "FAIL ") + what)
check(len(m["index"]) == 3, "three members")
check(len(set(m["seed"][:])) == 3, "three seeds")
check(list(m["replicate"][:]) == [0, 1, 2] and list(m["point"][:]) == [0, 0, 0], "one point, three replicates")
check(int(f["points/count/world_blocks"][0]) == 3, "the point's statistics count 3 runs")
print("\n".join(out))
PYEOF
verdicts "$T/ens"
expect_rc 0 "an ensemble plots" "$BIN" plot "$T/e.h5" -o "$T/e-plots"
expect_rc 2 "--seed without --replicates" "$BIN" sweep "$T/g.yaml" --seed 9
# failed runs are errors
{
	base
	printf 'net: {calibration_file: %s/missing.json}\n' "$T"
	printf 'expect:\n  - {metric: world_blocks, bound: "> 1"}\n'
} >"$T/fails.yaml"
expect_rc 1 "runs that fail" "$BIN" check "$T/fails.yaml"
contains "$T/err" "the runs failed" "failed runs are reported"

# every name a run writes is in the list expect: is checked against
"$BIN" validate "$T/g.yaml" --names --set record.ledger_trace=true --set content.enabled=true \
	--set record.interval=hour >"$T/names"
expect_rc 0 "a run with every group" "$BIN" run "$T/g.yaml" --set record.ledger_trace=true \
	--set content.enabled=true --set record.interval=hour --set world.fraud_fraction=0.2 --out "$T/all.h5" --quiet
"$PY" - "$T/names" "$T/all.h5" >"$T/namecheck" 2>&1 <<'PYEOF'
import sys, h5py
listed = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
def known(kind, name):
    for k, n in listed:
        if k == kind and (n == name or (n.endswith("*") and name.startswith(n[:-1]))):
            return True
    return False
f = h5py.File(sys.argv[2], "r")
out = []
for n in f["series"]:
    out.append(("ok " if known("series", n) else "FAIL ") + f"series {n} listed")
for n in f["summary"]:
    out.append(("ok " if known("summary", n) else "FAIL ") + f"summary {n} listed")
print("\n".join(out))
PYEOF
verdicts "$T/namecheck"
finish
