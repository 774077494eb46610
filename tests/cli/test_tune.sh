#!/usr/bin/env bash
# test_tune.sh: `dnetsim tune` (docs/tuning.md) on the test models
# (ishigami, planted), each evaluation a sweep member:
#  - screen: Morris's trajectories run; a parameter with no effect has
#    mu* = 0 and ranks last; the file holds mu* and its interval;
#  - sensitivity: Sobol indices and their intervals land in the file, the
#    noise share is reported with replicates, and --jobs 1 and --jobs 2
#    give the same numbers;
#  - a run budget stops N's doubling, and one below the first design is
#    refused;
#  - a member that fails is retried, counted, reported and left out (the
#    rows used drop by the rows it touched);
#  - target: a goal above what the ranges reach is reported as out of
#    reach with its ceiling; a goal within reach is met;
#  - an interrupted or finished tuning resumes from its kept stages
#    without running them again; another tuning's stages are not reused;
#  - errors: a bad tune: block is file:line:column and nothing runs; an
#    existing results file is not replaced without --force.
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
export TMPDIR=$T
if ! "$PY" -c 'import h5py' 2>/dev/null; then
	echo "SKIP: $PY has no h5py"
	exit 77
fi
PI=3.141592653589793

# ---- screen: x1..x3 and a parameter that changes nothing (x1 never reaches it)
cat >"$T/screen.yaml" <<Y
sim: {model: ishigami, seed: 3, end_time_s: 1}
tune:
  kind: screen
  trajectories: 6
  levels: 4
  params:
    ishigami.x1: {min: -$PI, max: $PI}
    ishigami.x2: {min: -$PI, max: $PI}
    ishigami.x3: {min: -$PI, max: $PI}
    ishigami.fail_x1_above: {min: 3.2, max: 4}
  outputs:
    - {metric: ishigami_y}
Y
expect_rc 0 "screen" "$BIN" tune "$T/screen.yaml" --out "$T/screen.h5" --jobs 2 --quiet
contains "$T/out" "Morris elementary effects" "the screen's report"
contains "$T/out" "runs: 30 in 1 stage, 0 failed" "6 trajectories x 5 points"
"$PY" - "$T/screen.h5" >"$T/v" 2>&1 <<'P'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
m = f["tune/morris"]
mu = m["mu_star"][0]
def check(c, what): print("ok" if c else "FAIL " + what)
check(m["mu_star"].shape == (1, 4), "mu_star is outputs x parameters")
check(mu[3] == 0 and m["sigma"][0][3] == 0, "the parameter with no effect has mu* 0: %r" % mu)
check(all(mu[:3] > 0.1), "the three inputs matter: %r" % mu)
check(all(m["mu_star_lo"][0] <= mu) and all(mu <= m["mu_star_hi"][0]), "mu* lies in its interval")
sg = m["sigma"][0]
check(all(m["sigma_lo"][0] <= sg) and all(sg <= m["sigma_hi"][0]), "sigma lies in its interval")
check(list(m["effects"][:]) == [6, 6, 6, 6], "one effect per trajectory and parameter")
u = f["tune/points/unit"][:]
# one at a time: consecutive points of a trajectory differ in one coordinate
steps = [(np.abs(u[t * 5 + s + 1] - u[t * 5 + s]) > 0).sum() for t in range(6) for s in range(4)]
check(steps == [1] * 24, "trajectories move one parameter at a time")
check(f["config"].attrs["kind"] == "screen", "the kind in /config")
P
verdicts "$T/v"
grep -A6 "Morris" "$T/out" | grep -q "^  4 .*ishigami.fail_x1_above" && ok || bad "the no-effect parameter ranks last: $(cat "$T/out")"

# ---- sensitivity with replicates and noise; determinism across --jobs
cat >"$T/sens.yaml" <<Y
sim: {model: ishigami, seed: 3, end_time_s: 1}
ishigami: {noise: 0.5}
tune:
  kind: sensitivity
  samples: 8
  max_samples: 16
  halfwidth: 0.001
  replicates: 2
  params:
    ishigami.x1: {min: -$PI, max: $PI}
    ishigami.x2: {min: -$PI, max: $PI}
    ishigami.x3: {min: -$PI, max: $PI}
  outputs:
    - {metric: ishigami_y}
    - {metric: ishigami_f}
Y
expect_rc 0 "sensitivity --jobs 1" "$BIN" tune "$T/sens.yaml" --out "$T/s1.h5" --jobs 1 --quiet
contains "$T/out" "N = 16" "N doubled to max_samples (the half-width target is not met)"
contains "$T/out" "noise share" "the noise share is reported with replicates"
expect_rc 0 "sensitivity --jobs 2" "$BIN" tune "$T/sens.yaml" --out "$T/s2.h5" --jobs 2 --quiet
"$PY" - "$T/s1.h5" "$T/s2.h5" >"$T/v" 2>&1 <<'P'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def check(c, what): print("ok" if c else "FAIL " + what)
s = a["tune/sobol"]
check(s["S1"].shape == (2, 3) and s["ST"].shape == (2, 3), "indices are outputs x parameters")
check(list(s["iteration_rows"][:]) == [8, 16], "two stages: N 8 then 16")
check(a["tune/points/unit"].shape == (16 * 5, 3), "N x (k+2) points")
check(a["tune/members/value"].shape == (16 * 5 * 2, 2), "two replicates a point")
ns = s["noise_share"][:]
check(0 < ns[0] < 0.5 and ns[1] == 0, "noise share: some for y (noise 0.5), none for f: %r" % ns)
for k in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi", "noise_share"):
    check(np.array_equal(s[k][:], b["tune/sobol"][k][:], equal_nan=True), k + " equal at --jobs 1 and 2")
check(np.array_equal(a["tune/members/value"][:], b["tune/members/value"][:]), "member values equal")
# common random numbers: replicate r draws the same noise at every point
v = a["tune/members/value"][:]
noise = v[:, 0] - v[:, 1]
check(np.allclose(noise[0::2], noise[0]) and np.allclose(noise[1::2], noise[1]) and noise[0] != noise[1],
      "seeds: common gives every point's replicate r the same noise")
P
verdicts "$T/v"

# ---- a budget: N stops growing when the next doubling would pass it; a
# budget below the first design is refused before anything runs
sed -e 's/replicates: 2/replicates: 1\n  budget: 60/' "$T/sens.yaml" >"$T/budget.yaml"
expect_rc 0 "a budget" "$BIN" tune "$T/budget.yaml" --out "$T/budget.h5" --jobs 2
contains "$T/err" "the budget (60 runs) is spent: N stays 8" "the budget stops the doubling"
contains "$T/out" "runs: 40 in 1 stage" "only the first design ran"
sed -e 's/replicates: 2/replicates: 1\n  budget: 30/' "$T/sens.yaml" >"$T/budget2.yaml"
expect_rc 1 "a budget below the first design" "$BIN" tune "$T/budget2.yaml" --out "$T/budget2.h5"
contains "$T/err" "below the first design's 40" "says why"
[ ! -e "$T/budget2.h5" ] && ok || bad "a results file was written"

# ---- a failing member: x1 above 2 fails the run
sed -e 's/ishigami: {noise: 0.5}/ishigami: {fail_x1_above: 2}/' -e 's/replicates: 2/replicates: 1/' \
	-e 's/samples: 8/samples: 16/' "$T/sens.yaml" >"$T/fail.yaml"
expect_rc 0 "failed members are left out" "$BIN" tune "$T/fail.yaml" --out "$T/fail.h5" --jobs 2 --quiet
contains "$T/out" "failed (after one retry; left out" "failures are counted and reported"
contains "$T/out" "rows with a failed run are left out" "the effect on the estimate is stated"
contains "$T/out" "a planted failure for testing" "the first failure's reason is shown"
"$PY" - "$T/fail.h5" "$T/out" >"$T/v" 2>&1 <<'P'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
def check(c, what): print("ok" if c else "FAIL " + what)
x = f["tune/points/value"][:]
st = f["tune/members/status"][:]
bad = x[:, 0] > 2
check(bad.any(), "the design has points above x1 = 2")
check(list(st == 2) == list(bad), "exactly the members with x1 > 2 failed")
check(int(f["tune"].attrs["members_failed"]) == bad.sum(), "members_failed counts them")
rows = bad.reshape(16, 5).any(axis=1)
used = f["tune/sobol/rows_used"][0]
check(used == 16 - rows.sum(), "rows_used = rows without a failed point: %d" % used)
check(("runs: 80 in 1 stage, %d failed" % bad.sum()) in open(sys.argv[2]).read(), "the report counts them")
P
verdicts "$T/v"
log=$(ls "$T"/fail.h5.d/stage-0001.log)
contains "$log" "" "the stage's log is kept"

# ---- target: out of reach (planted_score <= 1 everywhere), then within reach
cat >"$T/reach.yaml" <<'Y'
sim: {model: planted, seed: 1, end_time_s: 1}
tune:
  kind: target
  candidates: 20
  params:
    planted.x1: {min: 0, max: 1}
    planted.x2: {min: 0, max: 1}
  goals:
    - {metric: planted_score, bound: '>= 1.2'}
Y
expect_rc 0 "an unreachable target is a result" "$BIN" tune "$T/reach.yaml" --out "$T/reach.h5" --jobs 2 --quiet
contains "$T/out" "target NOT met" "the target is reported as not met"
contains "$T/out" "the goal lies above that ceiling" "the ceiling is named"
"$PY" - "$T/reach.h5" >"$T/v" 2>&1 <<'P'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
def check(c, what): print("ok" if c else "FAIL " + what)
t = f["tune/target"]
check(t.attrs["met"] == 0, "met is 0")
r = t["reach"][0]
# x3, x4 stay at 0.5: the ceiling over x1, x2 is 1 - 0.5*(0.5-0.55)^2 - 1.5*(0.5-0.18)^2
ceil = 1 - 0.5 * 0.05**2 - 1.5 * 0.32**2
check(ceil - 0.05 < r <= ceil + 1e-12, "the reach %.4f is near the ceiling %.4f" % (r, ceil))
check(t["mean"].shape[0] <= 20 and t["best_merit"].shape == t["merit"].shape, "progress recorded per candidate")
bm = t["best_merit"][:]
check(all(bm[i] >= bm[i + 1] for i in range(len(bm) - 1)), "best merit never rises")
P
verdicts "$T/v"
sed -e "s/'>= 1.2'/'>= 0.8'/" -e 's/planted.x2: {min: 0, max: 1}/planted.x2: {min: 0, max: 1, start: 0.1}/' \
	"$T/reach.yaml" >"$T/met.yaml"
expect_rc 0 "a reachable target" "$BIN" tune "$T/met.yaml" --out "$T/met.h5" --jobs 2 --quiet
contains "$T/out" "target met" "the target is met"
contains "$T/out" "met" "the goal is met"

# ---- a launcher: each stage's sweep under mpirun shares its members among the ranks
if command -v mpirun >/dev/null && "$BIN" --version | grep -q "MPI=1"; then
	sed -e 's/candidates: 20/candidates: 3\n  replicates: 4/' "$T/reach.yaml" >"$T/mpi.yaml"
	expect_rc 0 "under a launcher" "$BIN" tune "$T/mpi.yaml" --out "$T/mpi.h5" --quiet \
		--launcher "mpirun --allow-run-as-root --oversubscribe -n 2"
	contains "$T/mpi.h5.d/stage-0001.log" "(rank 1)" "a member ran on rank 1"
	contains "$T/out" "meets every goal after 3 candidates" "the launched tuning reports"
else
	echo "no mpirun or no MPI in dnetsim: the launcher is not tested"
fi

# ---- interrupted, then resumed: the same numbers as a run that was not
sed -e 's/replicates: 2/replicates: 1/' -e 's/max_samples: 16/max_samples: 8/' "$T/sens.yaml" >"$T/int.yaml"
"$BIN" tune "$T/int.yaml" --out "$T/int.h5" --jobs 1 >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 600); do # interrupt once the first member has finished
	grep -qs "complete in" "$T"/int.h5.d/stage-0001.log && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
[ "$rc" -eq 1 ] && ok || bad "an interrupted tuning exits 1 (got $rc)"
contains "$T/err" "the same command resumes" "the interrupt says how to resume"
[ ! -e "$T/int.h5" ] && ok || bad "an interrupted tuning wrote its results file"
expect_rc 0 "the resumed tuning" "$BIN" tune "$T/int.yaml" --out "$T/int.h5" --jobs 2
contains "$T/err" "resuming from the stages" "resume is announced"
expect_rc 0 "the same tuning in one go" "$BIN" tune "$T/int.yaml" --out "$T/int2.h5" --jobs 1 --quiet
"$PY" - "$T/int.h5" "$T/int2.h5" >"$T/v" 2>&1 <<'P'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def check(c, what): print("ok" if c else "FAIL " + what)
check(np.array_equal(a["tune/members/value"][:], b["tune/members/value"][:], equal_nan=True), "member values equal")
for k in ("S1", "ST", "S1_lo", "ST_hi"):
    check(np.array_equal(a["tune/sobol"][k][:], b["tune/sobol"][k][:], equal_nan=True), k + " equal after a resume")
P
verdicts "$T/v"

# ---- resume: a finished tuning's stages are reused, not run again
rm -f "$T/reach.h5"
before=$(stat -c %Y "$T"/reach.h5.d/stage-0001.log)
sleep 1
expect_rc 0 "resume" "$BIN" tune "$T/reach.yaml" --out "$T/reach.h5" --jobs 2
contains "$T/err" "resuming from the stages" "resume is announced"
after=$(stat -c %Y "$T"/reach.h5.d/stage-0001.log)
[ "$before" = "$after" ] && ok || bad "a kept stage ran again"
contains "$T/out" "target NOT met" "the resumed tuning reports the same"
# an existing results file is not replaced without --force
sum=$(md5sum <"$T/reach.h5")
expect_rc 2 "no --force" "$BIN" tune "$T/reach.yaml" --out "$T/reach.h5"
[ "$sum" = "$(md5sum <"$T/reach.h5")" ] && ok || bad "the results file changed"
# another tuning's stages are not reused
rm -f "$T/reach.h5"
sed -e 's/candidates: 20/candidates: 15/' "$T/reach.yaml" >"$T/reach2.yaml"
expect_rc 2 "another tuning's stages" "$BIN" tune "$T/reach2.yaml" --out "$T/reach.h5"
contains "$T/err" "holds the stages of another tuning" "the folder is refused"
[ ! -e "$T/reach.h5" ] && ok || bad "a results file was written"

# ---- errors
cat >"$T/bad.yaml" <<'Y'
sim: {model: planted, seed: 1, end_time_s: 1}
tune:
  kind: target
  params:
    planted.x9: {min: 0, max: 1}
  goals:
    - {metric: planted_scor, bound: '>= 1'}
Y
expect_rc 2 "a bad tune: block" "$BIN" tune "$T/bad.yaml" --out "$T/bad.h5"
contains "$T/err" "bad.yaml:5:5: tune: params: unknown parameter 'planted.x9'" "unknown parameter at file:line:column"
contains "$T/err" "bad.yaml:7:16: tune: metric: 'planted_scor' is no series or summary scalar" "unknown metric"
contains "$T/err" "did you mean 'planted_score'" "a near miss is suggested"
[ ! -e "$T/bad.h5" ] && [ ! -e "$T/bad.h5.d" ] && ok || bad "a bad block left files"
# the shipped tunings are valid
for f in "${DNETSIM_SOURCE_DIR:?}"/scenarios/tune/*.yaml; do
	expect_rc 0 "validate $f" "$BIN" validate "$f"
	contains "$T/out" "; tune: " "validate reads $f's tune: block"
done
printf 'sim: {model: planted, seed: 1, end_time_s: 1}\n' >"$T/none.yaml"
expect_rc 2 "no tune: block" "$BIN" tune "$T/none.yaml" --out "$T/none.h5"
contains "$T/err" "has no tune: block" "says so"

finish
