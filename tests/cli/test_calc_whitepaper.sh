#!/usr/bin/env bash
# test_calc_whitepaper.sh: `dnetsim calc whitepaper` against figures
# computed by hand from the rules (docs/whitepaper-audit.md):
#   blocks per year 365 x 86400 / 10 = 3,153,600;
#   t = floor(5,625,000,000 DNET / (3,153,600 x 10 x 180)) = 99,093,099 base;
#   producer = floor(5 % of 180 t) = 891,837,891 base = 8.91837891 DNET;
#   valuations 7.5e9 x 0.0625 = 468,750,000 and 10 % of it 46,875,000 USD;
#   DToken ceiling (1 - 0.25) x (1 - 0.5) = 0.375; finality 3 x 10 s = 30 s;
#   lock-up: 2 % a month from month 6: 50 unlocks, the last in month 55;
#   the 2/3 crossing at a 50 % traffic share: block 21,024,001.
# Run by ctest with DNETSIM_BIN set.
set -u
BIN=${DNETSIM_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

expect_rc 0 "calc whitepaper --tsv" "$BIN" calc whitepaper --tsv
cp "$T/out" "$T/tsv"
row() { # row ID COLUMN: a field of a row of the TSV
	awk -F'\t' -v id="$1" -v c="$2" '$1 == id { print $c }' "$T/tsv"
}
is() { # is ID COLUMN WANT
	local got
	got=$(row "$1" "$2")
	if [ "$got" = "$3" ]; then ok; else bad "$1 column $2: got '$got', wanted '$3'"; fi
}
[ "$(head -1 "$T/tsv")" = "$(printf 'id\trule\tpaper\tcomputed\tunit\tverdict')" ] && ok || bad "TSV header"
is blocks_per_year 4 3153600
is blocks_per_year 6 agrees
is t 4 0.99093099
is t 6 agrees
is producer_dnet 4 8.91837891
is producer_dnet 6 "disagrees: -0.91%"
is producer_usd 4 0.5573986819 # 8.91837891 x 0.0625 = 0.557398681875, 10 digits
is valuation 4 468750000
is issuance_valuation 4 46875000
is supply_750m 6 "disagrees: 10x the paper"
is released_by_blocks 4 5625000000
is dtoken_share_goal 4 0.375
is dtoken_share_goal 6 "disagrees: -25.00%"
is service_bound_s 4 30
is lockup_months_from_first_unlock 4 50
is lockup_end_months 4 55
is lockup_end_months 6 undefined
is gov_blocks 4 21024001
is gov_blocks 6 "disagrees: the paper is 10.9x"
[ "$(wc -l <"$T/tsv")" -ge 19 ] && ok || bad "fewer rows than audited figures"
expect_rc 0 "calc whitepaper table" "$BIN" calc whitepaper
contains "$T/out" "docs/whitepaper-audit.md" "the table points to the audit"
expect_rc 2 "calc whitepaper bad argument" "$BIN" calc whitepaper --frobnicate
finish
