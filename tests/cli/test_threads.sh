#!/usr/bin/env bash
# test_threads.sh: threads never hurt and never change results.
#  - with OMP_WAIT_POLICY unset, `dnetsim run` starts itself again with
#    passive waiting (libgomp shows its settings twice, the second time
#    PASSIVE); a policy the user set is left alone (shown once);
#  - --threads 0 (the cores free now), 1 and 2 give the same fingerprint.
# Run by ctest with DNETSIM_BIN set.
set -u
BIN=${DNETSIM_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

cat >"$T/w.yaml" <<'YAML'
sim: {model: world, seed: 3, end_time_s: 600, partitions: 4, sample_interval_s: 10}
world: {agents: 600, area_km: 0.5, candidates: 20, operators: 0}
chain: {delegates: 20, signatures: keyed}
YAML
blocks() { grep -c "OPENMP DISPLAY ENVIRONMENT BEGIN" "$T/err"; }
expect_rc 0 "run, policy unset" env -u OMP_WAIT_POLICY OMP_DISPLAY_ENV=true "$BIN" run "$T/w.yaml" --out "$T/a.h5" --quiet
[ "$(blocks)" = 2 ] && ok || bad "policy unset: libgomp started $(blocks) times, wanted 2 (the program starting itself again)"
[ "$(grep "OMP_WAIT_POLICY" "$T/err" | tail -1 | tr -d " '")" = "OMP_WAIT_POLICY=PASSIVE" ] && ok ||
	bad "policy unset: $(grep OMP_WAIT_POLICY "$T/err" | tail -1)"
expect_rc 0 "run, policy active" env OMP_WAIT_POLICY=active OMP_DISPLAY_ENV=true "$BIN" run "$T/w.yaml" --out "$T/b.h5" --quiet
[ "$(blocks)" = 1 ] && ok || bad "policy set: libgomp started $(blocks) times, wanted 1"
contains "$T/err" "OMP_WAIT_POLICY = 'ACTIVE'" "policy set by the user kept"
fp() { h5dump -d /summary/world_fingerprint -y "$1" | awk '/^ *[0-9-]/ { gsub(/[ ,]/, ""); print; exit }'; }
for th in 0 1 2; do
	expect_rc 0 "run --threads $th" "$BIN" run "$T/w.yaml" --threads "$th" --out "$T/t$th.h5" --quiet
done
[ -n "$(fp "$T/t1.h5")" ] && [ "$(fp "$T/t0.h5")" = "$(fp "$T/t1.h5")" ] && [ "$(fp "$T/t2.h5")" = "$(fp "$T/t1.h5")" ] && ok ||
	bad "fingerprints differ across threads: $(fp "$T/t0.h5") $(fp "$T/t1.h5") $(fp "$T/t2.h5")"
finish
