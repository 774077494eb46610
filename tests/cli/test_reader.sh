#!/usr/bin/env bash
# test_reader.sh: analysis/dnetsim_reader.py, the pandas loader of results
# files, against dnetsim itself. A small sweep (3 x 2 points, 2 replicates,
# the 4 members of one point failing) and a run are made here; the checker
# tests/cli/reader_check.py then compares what the reader gives with
# `dnetsim sweep --list` (members, seeds, parameters and their order), with
# each complete member run again by hand with `dnetsim run --set` (every
# summary scalar and every series of the member), with point statistics
# computed here (mean, sd, 95 % interval, count), and a run file with h5py's
# own reading; NA for what failed members lack; a sweep without series; the
# script's description. Skipped (exit 77) when /usr/bin/python3 (Debian's;
# `python3` on PATH may be another) lacks pandas or h5py (Debian
# python3-pandas, python3-h5py). Run by ctest with DNETSIM_BIN and
# DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac # the test runs in its own folder
case "$SRC" in /*) ;; *) SRC="$PWD/$SRC" ;; esac
PY=/usr/bin/python3
if ! "$PY" -c 'import h5py, numpy, pandas' 2>/dev/null; then
	echo "skipped: $PY cannot import pandas or h5py (Debian python3-pandas, python3-h5py)"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/cli/lib.sh"

timeout 600 "$PY" "$SRC/tests/cli/reader_check.py" "$BIN" "$SRC" "$T" >"$T/verdicts" 2>&1
rc=$?
cat "$T/verdicts"
verdicts "$T/verdicts"
[ "$rc" -eq 0 ] && ok || bad "reader_check.py exited $rc"
finish
