#!/usr/bin/env bash
# test_gov_schedule.sh: scheduled changes go through a governance vote in
# the protocol library (R-GOV-1, R-EMIT-4). One world, one hour, votes
# open for 60 blocks:
#  - lambda -> 0.8 with 95 % of the stakers for it: passes, and lambda in
#    force changes at the tally, not before;
#  - the community fee -> 0.1 % with 30 % for it: fails (needs more than
#    2/3 of all voting weight), the fee never changes, the yes share is
#    recorded below 2/3;
#  - delta -> 4e-8: passes, and from the tally every block mints
#    delta x supply (7.5e9 DNET) = 300 DNET, to a base unit per seat;
#  - a lambda change that 70 % of the stakers back (about 0.92 of the
#    weight: enough for 2/3) fails when chain.gov_threshold is 0.95;
#  - bad changes are refused at load with file:line:column.
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

top() {
	printf 'sim: {model: world, seed: 3, end_time_s: 3600, partitions: 1, sample_interval_s: 10}\n'
	printf 'world: {agents: 400, area_km: 0.5, candidates: 20, operators: 0, check_ledger: true}\n'
}
{
	top
	printf 'chain: {delegates: 20, signatures: keyed, gov_voting_blocks: 60}\n'
	printf 'gov:\n'
	printf '  change1: {param: chain.lambda, value: 0.8, at_s: 600, support: 0.95}\n'
	printf '  change2: {param: chain.community_fee, value: 0.001, at_s: 900, support: 0.3}\n'
	printf '  change3: {param: chain.delta, value: 4.0e-8, at_s: 1800, support: 0.95}\n'
} >"$T/gov.yaml"
{
	top
	printf 'chain: {delegates: 20, signatures: keyed, gov_voting_blocks: 60, gov_threshold: 0.95}\n'
	printf 'gov: {change1: {param: chain.lambda, value: 0.8, at_s: 600, support: 0.7}}\n'
} >"$T/strict.yaml"
expect_rc 0 "run with three changes" "$BIN" run "$T/gov.yaml" --out "$T/gov.h5" --quiet
expect_rc 0 "run at a 0.95 threshold" "$BIN" run "$T/strict.yaml" --out "$T/strict.h5" --quiet

"$PY" - "$T" >"$T/check" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
T = sys.argv[1]
out = []
def check(ok, what):
    out.append(("ok " if ok else "FAIL ") + what)
f = h5py.File(f"{T}/gov.h5", "r")
s, m = f["series"], f["summary"]
t = s["lambda_now"]["t_ns"]
lam, fee, rew = s["lambda_now"]["value"], s["community_fee_now"]["value"], s["block_reward_dnet"]["value"]
o = [int(m[f"gov_change{k}_outcome"][()]) for k in (1, 2, 3)]
check(o == [1, 0, 1], f"outcomes {o}")
t1 = int(m["gov_change1_tally_ns"][()])
check(t1 > 600e9, "lambda tallied after it was proposed")
check(np.all(lam[t < t1] == 0.5) and np.all(lam[t >= t1] == 0.8), "lambda in force changes at the tally")
check(np.all(fee == 0.005), "the failed fee change never applies")
ys = float(m["gov_change2_yes_share"][()])
check(0 < ys < 2 / 3, f"failed vote's yes share {ys:.3f} below 2/3")
check(float(m["gov_change1_yes_share"][()]) > 2 / 3, "passed vote's yes share above 2/3")
t3 = int(m["gov_change3_tally_ns"][()])
after = rew[(t > t3) & (rew > 0)]
check(len(after) > 10, f"{len(after)} blocks minted after the delta change")
want = 4e-8 * 7.5e9
# the new end height is a whole block: delta holds to a millionth
check(np.all(np.abs(after / want - 1) < 1e-6), f"block reward after the change {after[:1]} is {want} DNET")
before = rew[(t < t3) & (rew > 0)]
check(np.all(np.abs(before - 178.3675798) < 1e-6), "block reward before the change is the paper's")
check(int(s["gov_passed"]["value"][-1]) == 2 and int(s["gov_failed"]["value"][-1]) == 1, "passed/failed counts")
g = h5py.File(f"{T}/strict.h5", "r")
gs = float(g["summary/gov_change1_yes_share"][()])
check(2 / 3 < gs <= 0.95, f"yes share {gs:.3f}: enough for 2/3, not for 0.95")
check(int(g["summary/gov_change1_outcome"][()]) == 0, "at a 0.95 threshold the lambda change fails")
check(np.all(g["series/lambda_now"]["value"] == 0.5), "and lambda stays 0.5")
print("\n".join(out))
PYEOF
verdicts "$T/check"

# refused at load, with where
printf 'sim: {model: world, sample_interval_s: 10}\ngov:\n  change2: {param: chain.lambda, value: 1.5, at_s: 10}\n' >"$T/bad1.yaml"
expect_rc 2 "lambda above 1" "$BIN" run "$T/bad1.yaml" --out "$T/bad1.h5"
contains "$T/err" "bad1.yaml:3:41: gov.change2.value is 1.5, but chain.lambda takes a share between 0 and 1" "lambda above 1: message"
printf 'sim: {model: world, sample_interval_s: 10}\ngov:\n  change1: {param: chain.delta, value: 1.0e-8}\n' >"$T/bad2.yaml"
expect_rc 2 "no time" "$BIN" run "$T/bad2.yaml" --out "$T/bad2.h5"
contains "$T/err" "gov.change1 changes chain.delta but gov.change1.at_s is not set" "no time: message"
[ ! -e "$T/bad1.h5" ] && [ ! -e "$T/bad2.h5" ] && ok || bad "a refused run left a results file"
finish
