#!/usr/bin/env bash
# test_golden_clang.sh: the goldens hold for a clang build too. Builds the
# program with Debian's clang (Release, without ns-3) in a folder of the
# build tree and runs the shipped suite with it against the same goldens
# (blessed with gcc). Exits 77 (skipped) when clang is not installed.
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
command -v clang >/dev/null || { echo "clang is not installed: skipped"; exit 77; }
B="$(dirname "$BIN")/clang-build"
CC=clang cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DDNET_WITH_NS3=OFF >"$B.log" 2>&1 &&
	cmake --build "$B" -j2 --target dnetsim >>"$B.log" 2>&1 || {
	echo "the clang build failed:"
	tail -30 "$B.log"
	exit 1
}
grep -q "clang" "$B/CMakeCache.txt" || { echo "the build is not clang's"; exit 1; }
cd "$SRC" || exit 1
"$B/dnetsim" check scenarios/*.yaml scenarios/bench/*.yaml scenarios/attacks/*.yaml tests/golden/*.yaml --quiet --junit "$B/golden-junit.xml"
