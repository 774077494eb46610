#!/usr/bin/env bash
# test_emission_knobs.sh: the emission's knobs in a world (R-EMIT-1, R-EMIT-2,
# R-CONS-3), against figures computed by hand from the rules:
#  - defaults: 10 years = 31,536,000 blocks at 10 s, delta = 2.3782e-8, a
#    block mints 178.3675798 DNET (180 t; here 20 seats of floor(E / (L x 20)));
#  - chain.delta 4e-8: the flat emission lasts ceil(5.625e9 / (4e-8 x 7.5e9))
#    = 18,750,000 blocks (5.95 years) and a block mints 300 DNET;
#  - halving every 4 years over 10: periods of 4, 4 and 2 years, the first
#    paying floor(4E / (4 n4 + 2 n4 + n2)) = 274.41166139 DNET a block;
#  - geometric at 0.5: year 0 gets floor(E w0 / sum w), w_k = 2^56 / 2^k,
#    floor(that / 3,153,600) = 892.70968634 DNET a block;
#  - delta with years, delta with a schedule that is not flat, and quality
#    weights not adding up to 1 are refused naming where each was set;
#  - `dnetsim calc emission` takes the same knobs and gives the same figures.
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

cat >"$T/w.yaml" <<'YAML'
sim: {model: world, seed: 3, end_time_s: 60, partitions: 1, sample_interval_s: 10}
world: {agents: 300, area_km: 0.5, candidates: 20, operators: 0, check_ledger: true}
chain: {delegates: 20, signatures: keyed}
YAML
run() { # run NAME SETTINGS...
	local name=$1
	shift
	expect_rc 0 "run $name" "$BIN" run "$T/w.yaml" "$@" --out "$T/$name.h5" --quiet
}
run default
run delta --set chain.delta=4e-8
run halving --set chain.emission_schedule=halving
run geometric --set chain.emission_schedule=geometric --set chain.emission_decay=0.5

"$PY" - "$T" >"$T/check" 2>&1 <<'PYEOF'
import sys, h5py
T = sys.argv[1]
out = []
def check(ok, what):
    out.append(("ok " if ok else "FAIL ") + what)
def get(name):
    f = h5py.File(f"{T}/{name}.h5", "r")
    m = f["summary"]
    rew = [v for v in f["series/block_reward_dnet"]["value"] if v > 0]
    return int(m["chain_emission_blocks"][()]), float(m["chain_delta"][()]), rew
b, d, rew = get("default")
check(b == 31536000, f"default blocks {b}")
check(abs(d - 2.3782343973e-8) < 1e-17, f"default delta {d}")
check(len(rew) > 0 and all(r == 178.3675798 for r in rew), f"default reward {rew[:1]}")
b, d, rew = get("delta")
check(b == 18750000, f"delta 4e-8: blocks {b}")
check(abs(d - 4e-8) < 1e-18, f"delta 4e-8 in force: {d}")
check(len(rew) > 0 and all(r == 300.0 for r in rew), f"delta 4e-8: reward {rew[:1]}")
b, d, rew = get("halving")
check(b == 31536000 and d != d, "halving: 10 years, no single delta")
check(len(rew) > 0 and all(r == 274.41166139 for r in rew), f"halving: first period {rew[:1]}")
b, d, rew = get("geometric")
check(len(rew) > 0 and all(r == 892.70968634 for r in rew), f"geometric 0.5: first year {rew[:1]}")
print("\n".join(out))
PYEOF
verdicts "$T/check"

expect_rc 2 "delta and years" "$BIN" run "$T/w.yaml" --set chain.delta=4e-8 --set chain.emission_years=5 --out "$T/x.h5"
contains "$T/err" "<command line>:1:13: chain.delta and <command line>:1:22: chain.emission_years are both given" "delta and years: message"
expect_rc 2 "delta and halving" "$BIN" run "$T/w.yaml" --set chain.delta=4e-8 --set chain.emission_schedule=halving --out "$T/x.h5"
contains "$T/err" "chain.delta fixes a flat reward, but chain.emission_schedule is halving" "delta and halving: message"
expect_rc 2 "weights" "$BIN" run "$T/w.yaml" --set chain.quality_loss_weight=0.5 --out "$T/x.h5"
contains "$T/err" "chain.quality_price_weight + <command line>:1:27: chain.quality_loss_weight + chain.quality_stability_weight is 1.16667" "weights: message"
# calc emission takes the same knobs and gives the same figures (180 seats here)
col() { # col N: field N of the TSV row
	awk -F'\t' -v c="$1" 'NR == 2 { print $c }' "$T/out"
}
expect_rc 0 "calc emission --delta" "$BIN" calc emission --delta 4e-8 --tsv
[ "$(col 8)" = 18750000 ] && ok || bad "calc --delta 4e-8: end height $(col 8)"
[ "$(col 3)" = 29999999880 ] && ok || bad "calc --delta 4e-8: block reward $(col 3) (180 x floor(E / (L x 180)))"
expect_rc 0 "calc emission --schedule halving" "$BIN" calc emission --schedule halving --tsv
[ "$(col 3)" = 27441166139 ] && ok || bad "calc halving: block reward $(col 3)"
expect_rc 0 "calc emission --schedule geometric" "$BIN" calc emission --schedule geometric --decay 0.5 --tsv
[ "$(col 3)" = 89270968634 ] && ok || bad "calc geometric: block reward $(col 3)"
expect_rc 2 "calc --delta --years" "$BIN" calc emission --delta 4e-8 --years 3
contains "$T/err" "--delta and --years each fix the other" "calc --delta --years: message"

printf 'chain: {emission_schedule: halving, emission_halving_years: 0}\n' >"$T/bad.yaml"
expect_rc 2 "halving years 0" "$BIN" validate "$T/bad.yaml"
contains "$T/err" "bad.yaml:1:" "halving years 0: where"
[ ! -e "$T/x.h5" ] && ok || bad "a refused run left a results file"
finish
