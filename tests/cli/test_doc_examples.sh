#!/usr/bin/env bash
# test_doc_examples.sh: the examples of the documentation run as written.
# Every ```python block right after a line
#   <!-- tested: tests/cli/test_doc_examples.sh -->
# in docs/hdf5-schema.md is run, unchanged, by /usr/bin/python3 (Debian's,
# with h5py; `python3` on PATH may be another) in a folder holding the
# results of a short world run as run.h5, the name the examples open.
# It must exit 0 and print something. No marked block at all is a failure
# too (the marker was lost). Skipped (exit 77) without h5py.
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac # the test runs in its own folder
case "$SRC" in /*) ;; *) SRC="$PWD/$SRC" ;; esac
PY=/usr/bin/python3
if ! "$PY" -c 'import h5py' 2>/dev/null; then
	echo "skipped: $PY cannot import h5py (Debian python3-h5py; setup.sh installs it)"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SRC/tests/cli/lib.sh"

doc="$SRC/docs/hdf5-schema.md"
marker='<!-- tested: tests/cli/test_doc_examples.sh -->'
# The marked blocks into ex1.py, ex2.py, ... (the marker's next non-empty
# line must open the block: a marker that drifted away is an error).
awk -v m="$marker" -v dir="$T" '
	$0 == m { want = 1; next }
	want && /^[[:space:]]*$/ { next }
	want && $0 == "```python" { n++; inb = 1; want = 0; f = dir "/ex" n ".py"; printf "" > f; next }
	want { print "marker at line " NR - 1 " is not followed by a ```python block" > "/dev/stderr"; bad = 1; want = 0 }
	inb && $0 == "```" { inb = 0; close(f); next }
	inb { print > f }
	END { if (inb) { print "a marked block is not closed" > "/dev/stderr"; bad = 1 } exit bad }
' "$doc" 2>"$T/awk.err" && ok || bad "extracting the marked blocks of $doc: $(cat "$T/awk.err")"
set -- "$T"/ex*.py
[ -e "$1" ] && ok || { bad "no block after '$marker' in $doc"; set --; }

# A short world (10 simulated minutes of the whitepaper scenario).
expect_rc 0 "a short world run" "$BIN" run "$SRC/scenarios/whitepaper.yaml" \
	--set sim.end_time_s=600 --out "$T/run.h5" --force --quiet
for ex in "$@"; do
	name=${ex##*/}
	expect_rc 0 "docs/hdf5-schema.md, marked block $name" "$PY" "$ex"
	[ -s "$T/out" ] && ok || bad "$name printed nothing"
	echo "--- $name printed:"
	head -c 400 "$T/out"
	echo
done

finish
