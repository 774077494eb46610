#!/usr/bin/env bash
# test_nothing_lost.sh: what careless and hostile input does to `dnetsim run`:
# results never replace the scenario, its includes, input files, devices,
# FIFOs, sockets, folders, links or an earlier result (without --force);
# no input file blocks the program; a full disk at any point is an error
# message and exit 1 with the previous target intact and no temporary left;
# interrupts at any moment and killed runs leave nothing behind for long.
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
T=$(mktemp -d)
MNT=""
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
expect_fail() { # expect_fail DESCRIPTION CMD...: exits 1 or 2 (not a crash, not a hang)
	local what=$1
	shift
	timeout 60 "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; then ok; else bad "$what: exit $rc; stderr: $(head -c 600 "$T/err")"; fi
}
same() { # same FILE SUM DESCRIPTION
	if [ "$(md5sum <"$1")" = "$2" ]; then ok; else bad "$3: $1 changed"; fi
}
no_temps() { # no_temps DIR DESCRIPTION
	if ls -a "$1" | grep -q '\.tmp-'; then bad "$2: temporary left: $(ls -a "$1" | grep '\.tmp-')"; else ok; fi
}

cd "$T" || exit 1
cat >base.yaml <<'Y'
sim:
  model: phold
  partitions: 4
  sample_interval_s: 0.01
phold:
  lps: 2000
Y
cat >sw.yaml <<'Y'
include: base.yaml
sim:
  end_time_s: 2
Y
sum_sw=$(md5sum <sw.yaml)
sum_base=$(md5sum <base.yaml)

# 1. the scenario and its includes are never the results file
expect_rc 2 "--out is the scenario" "$BIN" run sw.yaml --out sw.yaml --quiet
contains "$T/err" "the scenario file" "refusal names the scenario"
same sw.yaml "$sum_sw" "scenario after --out onto it"
expect_rc 2 "--out is the scenario (with --force)" "$BIN" run sw.yaml --out ./sw.yaml --force --quiet
same sw.yaml "$sum_sw" "scenario after --out onto it with --force"
expect_rc 2 "--out is an include" "$BIN" run sw.yaml --out base.yaml --force --quiet
contains "$T/err" "include" "refusal names the include"
same base.yaml "$sum_base" "include after --out onto it"
ln base.yaml hard.yaml
expect_rc 2 "--out is a hard link to an include" "$BIN" run sw.yaml --out hard.yaml --force --quiet
same base.yaml "$sum_base" "include after --out onto its hard link"
expect_rc 0 "validate still reads the scenario" "$BIN" validate sw.yaml
# a file a parameter names (a price path) is an input too
printf 't_s,price_usd\n0,0.0625\n' >path.csv
sum_path=$(md5sum <path.csv)
expect_rc 2 "--out is market.replay.file" "$BIN" run sw.yaml --set market.replay.file=path.csv --out path.csv --force --quiet
contains "$T/err" "market.replay.file" "refusal names the parameter"
same path.csv "$sum_path" "price path after --out onto it"

# an earlier result is kept unless --force; the default path too
mkdir -p results
expect_rc 0 "first run to the default path" "$BIN" run sw.yaml --quiet
[ -s results/sw.h5 ] && ok || bad "no results/sw.h5"
sum_r=$(md5sum <results/sw.h5)
expect_rc 2 "second run to the default path" "$BIN" run sw.yaml --seed 9 --quiet
contains "$T/err" "--force" "refusal says how to replace it"
same results/sw.h5 "$sum_r" "earlier result after a refused run"
expect_rc 0 "second run with --force" "$BIN" run sw.yaml --seed 9 --force --quiet
[ "$(md5sum <results/sw.h5)" != "$sum_r" ] && ok || bad "--force did not replace the result"

# 4. devices, FIFOs, sockets, folders and links are refused, untouched
expect_rc 2 "--out /dev/null" "$BIN" run sw.yaml --out /dev/null --force --quiet
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
mkfifo fifo
expect_rc 2 "--out a FIFO" "$BIN" run sw.yaml --out fifo --force --quiet
[ -p fifo ] && ok || bad "the FIFO was replaced"
mkdir adir
expect_rc 2 "--out a folder" "$BIN" run sw.yaml --out adir --force --quiet
ln -s results/sw.h5 link.h5
expect_rc 2 "--out a symbolic link" "$BIN" run sw.yaml --out link.h5 --force --quiet
[ -L link.h5 ] && ok || bad "the link was replaced"
if /usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.bind("sock")' 2>/dev/null; then
	expect_rc 2 "--out a socket" "$BIN" run sw.yaml --out sock --force --quiet
	[ -S sock ] && ok || bad "the socket was replaced"
fi
no_temps "$T" "refused outputs"

# 3. no input file blocks: a FIFO as each readable file is refused at once
printf 'include: fifo\n' >incfifo.yaml
expect_rc 2 "FIFO as an include" "$BIN" validate incfifo.yaml
printf 'sim: {model: world, end_time_s: 20, sample_interval_s: 10}\nworld: {agents: 300}\n' >world.yaml
expect_fail "FIFO as market.replay.file" "$BIN" run world.yaml --set market.kind=replay \
	--set market.replay.file=fifo --out fifo1.h5 --quiet
contains "$T/err" "FIFO" "the replay refusal says FIFO"
expect_fail "FIFO as net.calibration_file" "$BIN" run world.yaml --set net.calibration_file=fifo \
	--out fifo2.h5 --quiet
contains "$T/err" "FIFO" "the calibration refusal says FIFO"
expect_fail "a folder as net.calibration_file" "$BIN" run world.yaml --set net.calibration_file=adir \
	--out fifo3.h5 --quiet

# 9. command-line corners: an empty --out is a usage error before anything
# runs; the seed given twice is refused, whatever the order
expect_rc 2 "--out=" "$BIN" run sw.yaml --out=
expect_rc 2 "--seed then --set sim.seed" "$BIN" run sw.yaml --seed 1 --set sim.seed=2 --out s.h5
expect_rc 2 "--set sim.seed then --seed" "$BIN" run sw.yaml --set sim.seed=2 --seed 1 --out s.h5
[ ! -e s.h5 ] && ok || bad "a refused run wrote a file"

# 2. a full disk, simulated with a file-size limit at many sizes (runs
# anywhere, as any user): exit 1 with a message, never a crash; the earlier
# target intact; no temporary left
cat >disk.yaml <<'Y'
include: base.yaml
sim:
  end_time_s: 20
Y
expect_rc 0 "a complete run to keep" "$BIN" run disk.yaml --out disk.h5 --quiet
full=$(stat -c %s disk.h5)
sum_disk=$(md5sum <disk.h5)
for kib in 1 2 4 8 16 32 64 128; do
	[ $((kib * 1024)) -ge "$full" ] && break
	expect_rc 1 "file-size limit ${kib} KiB" bash -c "ulimit -f $kib; exec \"\$0\" run disk.yaml --out disk.h5 --force --seed 3 --quiet" "$BIN"
	contains "$T/err" "dnetsim:" "a message at ${kib} KiB"
	grep -q 'Sanitizer\|Segmentation' "$T/err" && bad "crash at ${kib} KiB: $(head -c 300 "$T/err")" || ok
	same disk.h5 "$sum_disk" "earlier target after a failed write at ${kib} KiB"
	no_temps "$T" "failed write at ${kib} KiB"
done

# ... and for real on a tiny tmpfs when we may mount one
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/small" && mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
	MNT="$T/small"
	for k in 8 16 24 32 48 64 96 128; do
		[ $((k * 1024)) -ge "$full" ] && break
		mount -o remount,size=${k}k "$MNT" 2>/dev/null || continue
		rm -f "$MNT"/*
		expect_rc 1 "tmpfs of ${k} KiB" "$BIN" run disk.yaml --out "$MNT/r.h5" --quiet
		contains "$T/err" "No space left on device" "tmpfs ${k} KiB says why"
		grep -q 'Sanitizer\|Segmentation' "$T/err" && bad "crash on tmpfs ${k} KiB" || ok
		[ -z "$(ls -A "$MNT")" ] && ok || bad "tmpfs ${k} KiB left: $(ls -A "$MNT")"
	done
	umount "$MNT" && MNT=""
else
	echo "note: the tmpfs cases need root and mount; the file-size limit cases above ran"
fi

# 6. temporaries: an interrupt at any moment, even before the temporary
# exists or right after, leaves nothing
printf 'sim: {model: phold, end_time_s: 100000, partitions: 4}\nphold: {lps: 100000}\n' >long.yaml
for d in 0 0.02 0.05 0.1 0.2 0.4 0.8; do
	# a background job starts with SIGINT ignored: give it the default back
	env --default-signal=INT "$BIN" run long.yaml --out int.h5 --quiet >/dev/null 2>"$T/err" &
	pid=$!
	sleep $d
	# a signal that lands before env has reset SIGINT is lost: send it
	# again until the run has ended (bounded: 10 s)
	for _ in $(seq 200); do
		kill -INT $pid 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL $pid 2>/dev/null && bad "interrupt after ${d}s: the run did not stop"
	wait $pid
	[ ! -e int.h5 ] && ok || bad "interrupt after ${d}s left the target"
	no_temps "$T" "interrupt after ${d}s"
done
# a killed run cannot clean up; the next run into the folder does
"$BIN" run long.yaml --out killed.h5 --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do ls -a | grep -q 'killed.h5.tmp-' && break; sleep 0.1; done
kill -KILL $pid
wait $pid 2>/dev/null
ls -a | grep -q 'killed.h5.tmp-' && ok || bad "no temporary after SIGKILL (nothing to clean)"
expect_rc 0 "the next run into the folder" "$BIN" run sw.yaml --out next.h5
contains "$T/err" "removed" "the stale temporary is reported"
no_temps "$T" "after the next run"

finish
