#!/usr/bin/env bash
# test_golden.sh: the shipped suite. `dnetsim check` on every scenario in
# scenarios/ (each with its expect: block, at the short horizon the block
# sets) against the goldens in scenarios/golden/ and
# scenarios/bench/golden/, and the check-only scenarios of tests/golden
# (governance.yaml: a vote that passes and one that fails) against
# tests/golden/golden/; the goldens were blessed by a Release build at one
# thread: they must hold in this build (whatever its compiler flags) at two
# threads. The JUnit report is kept beside the build (golden-junit.xml).
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
cd "$SRC" || exit 1
"$BIN" check scenarios/*.yaml scenarios/bench/*.yaml scenarios/attacks/*.yaml tests/golden/*.yaml --threads 2 --quiet \
	--junit "$(dirname "$BIN")/golden-junit.xml"
