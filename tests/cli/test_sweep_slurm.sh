#!/usr/bin/env bash
# test_sweep_slurm.sh: a sweep under Slurm is cancelled part-way and
# finished by submitting its script again (docs/cluster.md):
#  - a one-node Slurm cluster in a temporary folder: munged (only when
#    none answers already), slurmctld and slurmd on free ports with their
#    own slurm.conf, state, spool and logs;
#  - `dnetsim sweep --slurm-script` submitted with sbatch (2 MPI ranks
#    through mpirun), cancelled with scancel once some but not all members
#    are complete; the sweep file then opens and is a sweep file;
#  - the same script submitted again resumes: its log reports the members
#    left, it runs just those, and the file equals an uninterrupted local
#    run's (sweep_compare.py);
#  - whatever happens, the jobs are cancelled and the daemons this test
#    started are stopped (by their PIDs) and the folder removed.
# Exits 77 (skipped) when not root, when slurmctld, slurmd, munged, sbatch
# or mpirun are missing, when dnetsim has no MPI or python3 no h5py.
# Run by ctest (label slurm) with DNETSIM_BIN set.
set -u
BIN=${DNETSIM_BIN:?}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PATH=$PATH:/usr/sbin:/sbin
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (slurmd runs jobs as root here)"
for c in slurmctld slurmd munged munge unmunge sbatch squeue sinfo scancel scontrol mpirun flock; do
	command -v "$c" >/dev/null || skip "$c is not installed"
done
"$BIN" --version | grep -q 'MPI=1' || skip "dnetsim was built without MPI"
"$PY" -c 'import h5py' 2>/dev/null || skip "$PY has no h5py"

# A Slurm job or MPI run around this test must not leak into ours.
for v in $(compgen -e); do
	case "$v" in SLURM_* | SBATCH_* | SALLOC_* | SRUN_* | OMPI_* | PMIX_* | PMI_*) unset "$v" ;; esac
done

T=$(mktemp -d -t dnetsim-slurm.XXXXXX)
chmod 755 "$T" # munged wants every folder above its socket searchable
MUNGED_PID='' CTLD_PID='' SLURMD_PID='' JOBS=''
# stop PID NAME: SIGTERM, then SIGKILL after 15 s; waits for it
stop() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { echo "$2 (pid $pid) ignored SIGTERM: killed"; kill -9 "$pid" 2>/dev/null; }
	wait "$pid" 2>/dev/null
	return 0
}
# what still runs in $T (slurmd's job step daemons start there)
left_in_T() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$T" ] && [ "${p#/proc/}" != $$ ] && echo "${p#/proc/}"
	done
}
# teardown: cancels the jobs, stops the daemons started here, checks that
# nothing of theirs runs on; prints what was left (and killed)
teardown() {
	local j i left
	cd / # not in $T: the shells this function starts must not count
	if [ -n "$CTLD_PID" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
		for j in $JOBS; do scancel "$j" 2>/dev/null; done
		for i in $(seq 300); do # KillWait is 5 s: a job ends well within 30 s
			[ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
			sleep 0.1
		done
	fi
	stop "$SLURMD_PID" slurmd
	stop "$CTLD_PID" slurmctld
	stop "$MUNGED_PID" munged
	SLURMD_PID='' CTLD_PID='' MUNGED_PID='' JOBS=''
	for i in $(seq 100); do
		left=$(left_in_T)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "left running after the daemons stopped (killed):"
	for j in $left; do echo "  $j: $(tr '\0' ' ' <"/proc/$j/cmdline" 2>/dev/null)"; kill -9 "$j" 2>/dev/null; done
	return 1
}
trap 'teardown; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
. "$HERE/lib.sh"
# fatal MESSAGE [LOG...]: the test cannot go on; shows the logs' ends
fatal() {
	bad "$1"
	shift
	local f
	for f in "$@"; do [ -f "$f" ] && { echo "--- $f:"; tail -n 20 "$f"; }; done
	finish
	exit 1
}
# until_true SECONDS CMD...: polls CMD every 0.1 s; 1 when time ran out
until_true() {
	local end=$(($(ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

mkdir -p "$T/etc" "$T/run" "$T/state" "$T/spool" "$T/log" "$T/work"
chmod 700 "$T/etc"
cd "$T" || fatal "cd $T" # the daemons (and so their job steps) run from here

# ---- munge: the one running, or our own on a socket in $T ----
AUTHINFO=''
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	dd if=/dev/urandom of="$T/etc/munge.key" bs=1024 count=1 status=none
	chmod 400 "$T/etc/munge.key"
	munged --foreground --socket="$T/run/munge.sock" --key-file="$T/etc/munge.key" \
		--pid-file="$T/run/munged.pid" --seed-file="$T/etc/munged.seed" \
		--log-file="$T/log/munged.log" >"$T/log/munged.out" 2>&1 &
	MUNGED_PID=$!
	ping_munge() { munge -S "$T/run/munge.sock" -n 2>/dev/null | unmunge -S "$T/run/munge.sock" >/dev/null 2>&1; }
	until_true 10 ping_munge || fatal "munged did not start" "$T/log/munged.out"
	AUTHINFO="AuthInfo=socket=$T/run/munge.sock"
fi

# ---- slurm.conf: one node, this machine's CPUs, two free ports ----
busy() { [ -n "$(ss -Hltn "( sport = :$1 or sport = :$(($1 + 1)) )" 2>/dev/null)" ]; }
PORT=''
for i in $(seq 50); do
	p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
	busy "$p" || { PORT=$p; break; }
done
[ -n "$PORT" ] || fatal "no free pair of ports"
NODE=$(hostname -s)
NCPU=$(nproc)
export SLURM_CONF=$T/etc/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=dnetsimtest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
$AUTHINFO
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$NCPU State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
slurmctld -D -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
until_true 20 ctld_up || fatal "slurmctld did not start" "$T/log/slurmctld.out" "$T/log/slurmctld.log"
slurmd -D -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
node_idle() { [ "$(sinfo -h -n "$NODE" -o %t 2>/dev/null)" = idle ]; }
until_true 30 node_idle || fatal "the node is not idle: $(sinfo -h -o '%n %t' 2>&1)" \
	"$T/log/slurmd.out" "$T/log/slurmd.log" "$T/log/slurmctld.log"
ok

# ---- the sweep, its reference run, its batch script ----
W=$T/work
cd "$W" || fatal "cd $W"
cat >s.yaml <<'YAML'
sim: {model: world, seed: 3, end_time_s: 86400, partitions: 2, sample_interval_s: 10}
world: {agents: 1000}
record: {interval: hour}
sweep:
  design: lhs
  samples: 8
  replicates: 2
  parameters:
    chain.lambda: {min: 0.2, max: 0.8}
    world.agents: {min: 1000, max: 2000}
YAML
N=16
expect_rc 0 "the uninterrupted local sweep" "$BIN" sweep s.yaml --out ref.h5 --jobs 2 --quiet
expect_rc 0 "--slurm-script" "$BIN" sweep s.yaml --slurm-script --out out.h5
cp "$T/out" sweep.sh
contains sweep.sh "#SBATCH --ntasks=" "the script asks for tasks"
contains sweep.sh "--out out.h5 --resume --quiet" "the script resumes"
# OpenMPI's own plugins leak at exit, which a sanitizer build counts as a
# failure of the rank: leak checks off inside the job (test_sweep.sh too)
export DNETSIM=$BIN ASAN_OPTIONS=detect_leaks=0 MPIRUN_ARGS="--allow-run-as-root --oversubscribe -x ASAN_OPTIONS"

# job_state ID: its state while it is known, '' once it is gone
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_over() {
	case "$(job_state "$1")" in PENDING | RUNNING | CONFIGURING | COMPLETING | SUSPENDED | REQUEUED | RESIZING) return 1 ;; esac
	# and rank 0 has let go of the sweep's lock
	[ ! -e out.h5.d/lock ] || flock -n out.h5.d/lock true
}
complete_files() { find out.h5.d -maxdepth 1 -name 'm[0-9][0-9][0-9][0-9][0-9][0-9].h5' 2>/dev/null | wc -l; }
polls=0
some_done() { # 2 members complete (or the job is over: asked once a second)
	[ "$(complete_files)" -ge 2 ] && return 0
	polls=$((polls + 1))
	[ $((polls % 10)) = 0 ] && job_over "$J1"
}
submit() { # submit DESCRIPTION: the job's id in $J
	J=$(sbatch --parsable --ntasks=2 --cpus-per-task=1 --time=10:00 sweep.sh 2>"$T/err")
	J=${J%%;*}
	[ -n "$J" ] || fatal "$1: sbatch: $(cat "$T/err")" "$T/log/slurmctld.log"
	JOBS="$JOBS $J"
}

# ---- first submission, cancelled part-way ----
submit "first submission"
J1=$J
LOG1=$W/s-sweep-$J1.log
until_true 120 some_done || fatal "no member completed in 120 s (job $J1: $(job_state "$J1"))" "$LOG1" "$T/log/slurmd.log"
job_over "$J1" && fatal "job $J1 ended ($(job_state "$J1")) before it could be cancelled" "$LOG1"
K=$(complete_files)
t0=$(ms)
scancel "$J1"
until_true 60 job_over "$J1" || fatal "job $J1 still there 60 s after scancel: $(job_state "$J1")" "$LOG1" "$T/log/slurmd.log"
[ "$(job_state "$J1")" = CANCELLED ] && ok || bad "job $J1 after scancel: $(job_state "$J1"), wanted CANCELLED"
C=$(complete_files)
[ "$C" -ge 1 ] && [ "$C" -lt "$N" ] && ok || fatal "after the cancel $C of $N members complete: wanted some, not all" "$LOG1"
echo "job $J1 cancelled with $K of $N members complete, over $(($(ms) - t0)) ms later with $C"
# the members still to run: those without a file
left=$(for m in $(seq 0 $((N - 1))); do [ -e "$(printf 'out.h5.d/m%06d.h5' "$m")" ] || echo "$m"; done)
cat >check.py <<'PY'
import sys
import h5py
path, n, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    with h5py.File(path, "r") as f:
        st = [s.decode() if isinstance(s, bytes) else str(s) for s in f["members/status"][()]]
except Exception as e:
    print(f"FAIL {path} after the cancel: {e}")
    sys.exit()
done = st.count("complete")
print(f"ok {path} opens after the cancel: {len(st)} members, {done} marked complete")
if len(st) != n:
    print(f"FAIL {path}: {len(st)} members, wanted {n}")
elif done > files:
    print(f"FAIL {path}: {done} members marked complete but only {files} member files")
else:
    print(f"ok {path}: no member marked complete without its file")
PY
"$PY" check.py out.h5 "$N" "$C" >"$T/verdict" 2>&1
cat "$T/verdict"
verdicts "$T/verdict"

# ---- the same script again: the resume ----
submit "second submission"
J2=$J
LOG2=$W/s-sweep-$J2.log
until_true 180 job_over "$J2" || fatal "the resumed job $J2 did not finish in 180 s" "$LOG2"
st=$(job_state "$J2")
ec=$(scontrol show job "$J2" 2>/dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p')
[ "$st" = COMPLETED ] && [ "$ec" = 0:0 ] && ok || bad "resumed job $J2: $st, exit $ec, wanted COMPLETED 0:0: $(tail -n 5 "$LOG2")"
# "resume: K complete kept, F failed to run again, M missing: R to run"
# (members killed by the cancel may have been marked failed: F + M = R)
line=$(grep -o 'resume: .* to run' "$LOG2" | head -n 1)
rx="^resume: $C complete kept, ([0-9]+) failed to run again, ([0-9]+) missing: $((N - C)) to run\$"
[[ "$line" =~ $rx ]] && [ $((BASH_REMATCH[1] + BASH_REMATCH[2])) = $((N - C)) ] && ok ||
	bad "the resumed job's log should say it keeps $C members and runs $((N - C)); its resume line: '$line'"
ran=$(sed -n 's/^sweep: member \([0-9]*\) complete in .*/\1/p' "$LOG2" | sort -n)
[ "$ran" = "$left" ] && ok || bad "the resumed job ran members $(echo $ran), wanted those without a file: $(echo $left)"
grep -q 'FAILED' "$LOG2" && bad "a member failed in the resumed job: $(grep FAILED "$LOG2" | head -3)" || ok
[ ! -e out.h5.d ] && ok || bad "out.h5.d left after the sweep completed: $(ls out.h5.d | head)"
"$PY" "$HERE/sweep_compare.py" out.h5 ref.h5 >"$T/out" 2>&1 && ok ||
	bad "out.h5 (cancelled, then resumed under Slurm) differs from ref.h5 (uninterrupted): $(head -c 600 "$T/out")"
[ "$fail" -eq 0 ] || { echo "--- $LOG1:"; tail -n 20 "$LOG1"; echo "--- $LOG2:"; tail -n 20 "$LOG2"; }
teardown && ok || bad "processes of the cluster ran on after its daemons were stopped"
finish
