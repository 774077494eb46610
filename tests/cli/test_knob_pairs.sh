#!/usr/bin/env bash
# test_knob_pairs.sh: a knob that does nothing without another is refused
# (exit 2, nothing written), naming where it was set, instead of being
# silently ignored:
#  - consumer.rematch_rate_share without sharer.rate_follows_load;
#  - sharer.keep_bond without a bond (chain.score_bond_dnet);
#  - attack.fund_from: wallet with an attack other than wash or fork.
# Each with its partner runs.
# Run by ctest with DNETSIM_BIN set.
set -u
BIN=${DNETSIM_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

cat >"$T/w.yaml" <<'YAML'
sim: {model: world, seed: 3, end_time_s: 60, partitions: 1, sample_interval_s: 10}
world: {agents: 300, area_km: 0.5, candidates: 20, operators: 0}
chain: {delegates: 20, signatures: keyed}
YAML

expect_rc 2 "rematch without load" "$BIN" run "$T/w.yaml" --set consumer.rematch_rate_share=0.5 --out "$T/x.h5"
contains "$T/err" "<command line>:1:29: consumer.rematch_rate_share compares a session's rate" "rematch: message"
[ ! -e "$T/x.h5" ] && ok || bad "rematch: a results file was written"
expect_rc 0 "rematch with load" "$BIN" run "$T/w.yaml" --set consumer.rematch_rate_share=0.5 \
	--set sharer.rate_follows_load=true --out "$T/y.h5" --quiet

expect_rc 2 "keep_bond without a bond" "$BIN" run "$T/w.yaml" --set sharer.keep_bond=true --out "$T/x.h5"
contains "$T/err" "sharer.keep_bond keeps a bond, but chain.score_bond_dnet is 0" "keep_bond: message"
expect_rc 0 "keep_bond with a bond" "$BIN" run "$T/w.yaml" --set sharer.keep_bond=true \
	--set chain.score_bond_dnet=10 --out "$T/z.h5" --quiet

expect_rc 2 "wallet with custody" "$BIN" run "$T/w.yaml" --set attack.kind=custody --set attack.fund_from=wallet \
	--out "$T/x.h5"
contains "$T/err" "attack.fund_from: wallet funds wash or fork pairs, but attack.kind is custody" "wallet: message"
expect_rc 0 "wallet with wash" "$BIN" run "$T/w.yaml" --set attack.kind=wash --set attack.fund_from=wallet \
	--out "$T/v.h5" --quiet
finish
