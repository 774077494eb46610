#!/usr/bin/env bash
# test_sweep.sh: `dnetsim sweep` (docs/sweeps.md) end to end.
#  - --list prints every member; scenario mistakes stop everything (exit 2)
#  - --jobs 1, --jobs 2, mpirun -n 2 and -n 3 give identical members
#  - a sweep killed (SIGKILL) at several points leaves a file that opens;
#    --resume runs exactly the missing members and ends with the same file
#  - a member killed by a signal, one that stops with an error and one
#    that runs out of time are marked failed with their reason; the sweep
#    goes on; --resume runs exactly the failed ones
#  - an existing sweep is not overwritten without --resume or --force, and
#    a changed sweep is not resumed
#  - with seeds: common, /points/paired holds each point's difference from
#    point 0 replicate by replicate (the noise cancels exactly)
set -u
BIN=${DNETSIM_BIN:?set DNETSIM_BIN to the dnetsim binary}
SRC=${DNETSIM_SOURCE_DIR:?set DNETSIM_SOURCE_DIR}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
cd "$T"
CMP="$SRC/tests/cli/sweep_compare.py"
have_h5py=1
$PY -c 'import h5py' 2>/dev/null || have_h5py=0

cat >s.yaml <<'EOF'
sim: {model: world, seed: 3, end_time_s: 900, partitions: 2, sample_interval_s: 10}
world: {agents: 300}
record: {interval: hour}
sweep:
  design: grid
  replicates: 2
  parameters:
    chain.lambda: [0.3, 0.6, 0.9]
EOF
N=6

same() { # same A B WHAT
	if [ "$have_h5py" = 1 ]; then
		if $PY "$CMP" "$1" "$2" >"$T/cmp" 2>&1; then ok; else bad "$3: $(head -c 800 "$T/cmp")"; fi
	fi
}
opens() { # opens FILE WHAT: an HDF5 sweep file whose complete members have summaries
	[ "$have_h5py" = 1 ] || return 0
	if $PY - "$1" >"$T/open" 2>&1 <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
st = [s.decode() for s in f["members/status"][:]]
assert len(st) == 6, st
fp = f["members/summary/world_fingerprint"][:] if "members/summary/world_fingerprint" in f else None
for i, s in enumerate(st):
    assert s in ("pending", "complete", "failed"), s
    if s == "complete":
        assert fp is not None and fp[i] != np.iinfo(np.int64).min, i
EOF
	then ok; else bad "$2: $(head -c 600 "$T/open")"; fi
}
members_done() { ls "$1".d/m[0-9][0-9][0-9][0-9][0-9][0-9].h5 2>/dev/null | wc -l; }

# ---- --list, validate, mistakes ----
expect_rc 0 "--list" "$BIN" sweep s.yaml --list
[ "$(grep -vc '^#\|^member' "$T/out")" -eq $N ] && ok || bad "--list: $N member rows wanted: $(cat "$T/out")"
contains "$T/out" "grid, 3 points x 2 replicates = 6 members, seed 3" "--list header"
awk -F'\t' 'NR > 2 { print $5 }' "$T/out" | tr '\n' ' ' >"$T/vals"
contains "$T/vals" "0.3 0.3 0.6 0.6 0.9 0.9" "--list values in member order"
expect_rc 0 "validate with a sweep" "$BIN" validate s.yaml
contains "$T/out" "sweep: 6 members (grid, 3 points x 2 replicates)" "validate counts the members"
sed 's/0.9\]/1.5]/' s.yaml >bad.yaml
expect_rc 2 "a value out of range" "$BIN" sweep bad.yaml --out bad.h5
contains "$T/err" "bad.yaml:8:30: sweep: chain.lambda: must be between 0 and 1 (got 1.5)" "file:line:column"
[ ! -e bad.h5 ] && [ ! -e bad.h5.d ] && ok || bad "a refused sweep left files"
expect_rc 2 "no sweep block" "$BIN" sweep "$SRC/scenarios/whitepaper.yaml" --out x.h5
contains "$T/err" "has no sweep: block" "no sweep block"
expect_rc 2 "--set of a swept parameter" "$BIN" sweep s.yaml --out x.h5 --set chain.lambda=0.5
contains "$T/err" "chain.lambda is swept" "--set of a swept parameter"
expect_rc 2 "--resume with --force" "$BIN" sweep s.yaml --out x.h5 --resume --force
expect_rc 0 "run with a sweep block" "$BIN" run s.yaml --out run.h5
contains "$T/err" "has a sweep: block; run runs its base scenario" "run says what it runs"

# ---- the reference, and the same members whatever runs them ----
expect_rc 0 "sweep --jobs 2" "$BIN" sweep s.yaml --out ref.h5 --jobs 2 --quiet
[ -f ref.h5 ] && [ ! -e ref.h5.d ] && ok || bad "a complete sweep leaves its file and no member folder"
[ "$(grep -c ' complete in ' "$T/err")" -eq $N ] && ok || bad "--quiet: one line per member: $(cat "$T/err")"
sum0=$(md5sum <ref.h5)
expect_rc 0 "--resume of a finished sweep" "$BIN" sweep s.yaml --out ref.h5 --resume --quiet
contains "$T/err" "ref.h5 is complete (6 members): nothing to run" "a finished sweep is not run again"
[ "$(md5sum <ref.h5)" = "$sum0" ] && ok || bad "--resume of a finished sweep changed its file"
# the members' packs (m<index>.rows.h5) and their results files give the
# same file: gathered again without packs, and with a broken one
expect_rc 0 "--keep-members" "$BIN" sweep s.yaml --out kp.h5 --jobs 2 --quiet --keep-members
[ "$(ls kp.h5.d/*.rows.h5 2>/dev/null | wc -l)" -eq $N ] && ok || bad "a pack per member: $(ls kp.h5.d)"
rm -f kp.h5 kp.h5.d/m000001.rows.h5 kp.h5.d/m000004.rows.h5
head -c 100 kp.h5.d/m000002.rows.h5 >kp.tmp && mv kp.tmp kp.h5.d/m000002.rows.h5
expect_rc 0 "gathered without some packs" "$BIN" sweep s.yaml --out kp.h5 --resume --quiet
same ref.h5 kp.h5 "gathered from packs and from results files"
[ ! -e kp.h5.d ] && ok || bad "the member folder stays after a complete sweep: $(ls kp.h5.d)"
expect_rc 0 "sweep --jobs 1" "$BIN" sweep s.yaml --out j1.h5 --jobs 1 --quiet
same ref.h5 j1.h5 "--jobs 1 against --jobs 2"
if [ "$have_h5py" = 1 ]; then
	# member 3's row equals a run of member 3 by hand
	seed=$(awk -F'\t' '$1 == 3 { print $4 }' <("$BIN" sweep s.yaml --list))
	"$BIN" run s.yaml --quiet --set chain.lambda=0.6 --set sim.seed="$seed" --out m3.h5 2>/dev/null
	if $PY - ref.h5 m3.h5 >"$T/m3" 2>&1 <<'EOF'
import sys, h5py
s, m = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for k in m["summary"]:
    if k in ("wall_s", "events_per_wall_s"):
        continue
    a, b = s["members/summary"][k][3], m["summary"][k][()]
    assert a == b or (a != a and b != b), (k, a, b)
    if k in s["points/mean"] and m["summary"][k].dtype.kind == "f":
        pass
v = s["series/blocks/value"][3]
assert list(v) == list(m["series/blocks"]["value"]), "series row"
print("ok")
EOF
	then ok; else bad "member 3 against its own run: $(head -c 600 "$T/m3")"; fi
fi
if command -v mpirun >/dev/null && "$BIN" --version | grep -q "MPI=1"; then
	# OpenMPI's own plugins leak at exit, which a sanitizer build would
	# count as dnetsim's failure: leak checks off for the MPI runs only
	MPI=(env ASAN_OPTIONS=detect_leaks=0 mpirun --allow-run-as-root --oversubscribe -x ASAN_OPTIONS)
	expect_rc 0 "mpirun -n 2" "${MPI[@]}" -n 2 "$BIN" sweep s.yaml --out mpi2.h5 --quiet
	same ref.h5 mpi2.h5 "mpirun -n 2 against --jobs 2"
	grep -q "(rank 1)" "$T/err" && ok || bad "rank 1 ran no member: $(cat "$T/err")"
	expect_rc 0 "mpirun -n 3" "${MPI[@]}" -n 3 "$BIN" sweep s.yaml --out mpi3.h5 --quiet
	same ref.h5 mpi3.h5 "mpirun -n 3 against --jobs 2"
	# rank 0 killed: the job ends; a resume here finishes it
	"${MPI[@]}" -n 2 "$BIN" sweep s.yaml --out mk.h5 --quiet >/dev/null 2>&1 &
	for i in $(seq 200); do [ "$(members_done mk.h5)" -ge 1 ] && break; sleep 0.05; done
	for p in $(pgrep -f "^$BIN sweep s.yaml --out mk.h5"); do # rank 0, not mpirun
		(tr '\0' '\n' <"/proc/$p/environ") 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=0 && kill -KILL "$p"
	done
	wait 2>/dev/null
	sleep 0.5
	expect_rc 0 "resume after rank 0 was killed" "$BIN" sweep s.yaml --out mk.h5 --resume --jobs 2 --quiet
	same ref.h5 mk.h5 "resumed after rank 0 was killed"
else
	echo "note: no MPI build or mpirun: the MPI checks are skipped"
fi

# ---- killed at several points, then resumed ----
for at in 1 3 5; do
	rm -rf k.h5 k.h5.d
	"$BIN" sweep s.yaml --out k.h5 --jobs 2 --quiet >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 600); do [ "$(members_done k.h5)" -ge "$at" ] && break; sleep 0.02; done
	kids=$(pgrep -P $pid)
	kill -KILL $pid
	wait $pid 2>/dev/null
	# the members die with their parent (a death signal); on a loaded
	# machine that can take a moment: poll for up to 10 s
	for i in $(seq 100); do
		alive=0
		for k in $kids; do # gone, or a zombie waiting for init to reap it
			st=$( (awk '{ print $3 }' "/proc/$k/stat") 2>/dev/null)
			[ -n "$st" ] && [ "$st" != Z ] && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	[ $alive = 0 ] && ok || bad "killed at $at: a member runs on"
	[ -n "$kids" ] && ok || bad "killed at $at: no member was running"
	[ -f k.h5 ] && opens k.h5 "killed after $at members: the file opens"
	done_now=$(members_done k.h5)
	expect_rc 0 "resume after a kill at $at" "$BIN" sweep s.yaml --out k.h5 --resume --jobs 2
	contains "$T/err" "resume: $done_now complete kept, 0 failed to run again, $((N - done_now)) missing: $((N - done_now)) to run" "resume counts (killed at $at)"
	same ref.h5 k.h5 "resumed after a kill at $at"
done

# ---- failures: a crash, an error, a timeout ----
# A member is a child process named dnetsim-m<index>. It is stopped as
# soon as it is seen, and killed only if its results file is not there
# yet, so the crash is certain to come before the member's end; on a
# loaded machine the member may have finished before it was seen: then
# the sweep is tried again.
for try in 1 2 3 4 5; do
	rm -rf c.h5 c.h5.d
	"$BIN" sweep s.yaml --out c.h5 --jobs 1 --quiet >/dev/null 2>"$T/cerr" &
	pid=$!
	mp=
	for i in $(seq 3000); do mp=$(pgrep -x -P $pid dnetsim-m000000) && break; sleep 0.005; done
	killed=0
	if [ -n "$mp" ] && kill -STOP "$mp" 2>/dev/null; then
		if [ ! -e c.h5.d/m000000.h5 ]; then
			kill -KILL "$mp" && killed=1
		else
			kill -CONT "$mp"
		fi
	fi
	wait $pid
	rc=$?
	[ $killed = 1 ] && break
	echo "note: member 0 ended before it could be killed (try $try)"
done
[ $killed = 1 ] && ok || bad "member 0 could not be killed before its end in 5 tries"
[ $rc -eq 1 ] && ok || bad "a crashed member: exit $rc, wanted 1"
contains "$T/cerr" "member 0 FAILED" "the crash is reported"
contains "$T/cerr" "crashed: killed by signal 9" "the crash's reason"
contains "$T/cerr" "5 of 6 members complete, 1 failed" "the sweep went on"
if [ "$have_h5py" = 1 ]; then
	$PY -c "import h5py; f=h5py.File('c.h5','r'); print(f['members/status'][0].decode(), f['members/reason'][0].decode())" >"$T/st"
	contains "$T/st" "failed crashed: killed by signal 9" "the file marks the crash"
fi
[ -f c.h5.d/m000000.failed ] && ok || bad "no .failed record"
expect_rc 0 "resume runs the failed member" "$BIN" sweep s.yaml --out c.h5 --resume
contains "$T/err" "resume: 5 complete kept, 1 failed to run again, 0 missing: 1 to run" "resume counts the failed"
same ref.h5 c.h5 "resumed after a crash"

# a member marked failed after its results file was in place (killed while
# packing): the sweep's verdict stands, --resume runs it again and keeps
# the earlier file aside (m<index>.failed.h5) instead of failing on it
rm -rf ka.h5 ka.h5.d
expect_rc 0 "a sweep that keeps its members" "$BIN" sweep s.yaml --out ka.h5 --jobs 2 --keep-members --quiet
echo "crashed: killed by signal 9 (Killed)" >ka.h5.d/m000002.failed
expect_rc 0 "resume of a member failed after its file" "$BIN" sweep s.yaml --out ka.h5 --resume --keep-members
contains "$T/err" "resume: 5 complete kept, 1 failed to run again, 0 missing: 1 to run" "the verdict stands over the file"
[ -f ka.h5.d/m000002.h5 ] && [ ! -e ka.h5.d/m000002.failed ] && [ ! -e ka.h5.d/m000002.failed.h5 ] && ok ||
	bad "after the member ran again: $(ls ka.h5.d | tr '\n' ' ')"
same ref.h5 ka.h5 "resumed after a member failed after its file"

cat >e.yaml <<'EOF'
sim: {model: world, seed: 3, end_time_s: 900, partitions: 2, sample_interval_s: 10}
world: {agents: 300}
record: {interval: hour}
sweep:
  points:
    - {world.agents: 300}
    - {world.agents: 20}
EOF
expect_rc 1 "a member with an error" "$BIN" sweep e.yaml --out e.h5 --jobs 2 --quiet
contains "$T/err" "member 1 FAILED" "the error is reported"
contains "$T/err" "error: exit code 2: dnetsim: e.yaml: world.agents (20) is too small" "the error's reason"
expect_rc 1 "members out of time" "$BIN" sweep s.yaml --out to.h5 --jobs 2 --timeout 0.01 --quiet
[ "$(grep -c 'timeout: stopped after' "$T/err")" -eq $N ] && ok || bad "every member should time out: $(head -c 600 "$T/err")"

# ---- nothing overwritten, nothing mixed ----
expect_rc 2 "an existing sweep" "$BIN" sweep s.yaml --out ref.h5
contains "$T/err" "exists: --resume finishes that sweep, --force starts again" "existing file refused"
sed 's/seed: 3,/seed: 4,/' s.yaml >s4.yaml
expect_rc 2 "resume of a changed sweep" "$BIN" sweep s4.yaml --out c.h5 --resume
contains "$T/err" "cannot resume c.h5" "a changed sweep is not resumed"
expect_rc 0 "--force starts again" "$BIN" sweep s4.yaml --out c.h5 --force --jobs 2 --quiet
if [ "$have_h5py" = 1 ]; then
	$PY "$CMP" ref.h5 c.h5 >/dev/null 2>&1 && bad "another seed gave the same sweep" || ok
fi

# ---- paired statistics under common seeds (/points/paired) ----
# The Ishigami model with seed-drawn noise: with seeds: common, replicate r
# draws the same noise at every point, so the paired difference from
# point 0 is the functions' difference exactly (an interval of width 0);
# with seeds: member there is no /points/paired.
cat >p.yaml <<'EOF'
sim: {model: ishigami, seed: 1, end_time_s: 1}
ishigami: {a: 7, b: 0.1, x2: 0.5, x3: 1.0, noise: 0.3}
sweep:
  parameters:
    ishigami.x1: [0.0, 1.0, 2.0]
  replicates: 6
  seeds: common
EOF
expect_rc 0 "a sweep with common seeds" "$BIN" sweep p.yaml --out p.h5 --jobs 2 --quiet
sed 's/seeds: common/seeds: member/' p.yaml >pm.yaml
expect_rc 0 "the same with a seed per member" "$BIN" sweep pm.yaml --out pm.h5 --jobs 2 --quiet
if [ "$have_h5py" = 1 ]; then
	$PY - p.h5 pm.h5 >"$T/paired" 2>&1 <<'EOF'
import sys, math, h5py
f, g = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
p = f["points/paired"]
a, b = 7.0, 0.1
def y(x1): return math.sin(x1) + a * math.sin(0.5) ** 2 + b * 1.0 ** 4 * math.sin(x1)
m, lo, hi, n = (p[k]["ishigami_y"][:] for k in ("mean", "ci95_lo", "ci95_hi", "count"))
ok = True
for i, x1 in enumerate([0.0, 1.0, 2.0]):
    want = y(x1) - y(0.0)
    if abs(m[i] - want) > 1e-9 or abs(hi[i] - lo[i]) > 1e-9 or n[i] != 6:
        ok = False
        print("FAIL point %d: paired %r [%r, %r] n %d, wanted %r" % (i, m[i], lo[i], hi[i], n[i], want))
# the unpaired means carry the noise: their own intervals are wide
if not (f["points/ci95_hi/ishigami_y"][1] - f["points/ci95_lo/ishigami_y"][1] > 0.05):
    ok = False
    print("FAIL the points' own intervals should carry the noise")
if "paired" in g["points"]:
    ok = False
    print("FAIL seeds: member has no pairs")
if ok:
    print("ok paired statistics")
EOF
	verdicts "$T/paired"
fi
finish
