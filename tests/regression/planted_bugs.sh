#!/usr/bin/env bash
# planted_bugs.sh: does `dnetsim check` catch small tokenomics bugs?
#
# Plants, one at a time, a small mistake in the protocol library
# (models/chain) or the world's use of it (models/agents): an off-by-one,
# a wrong constant, a swapped operand, a rounding direction, a wrong
# comparison. Each is a textual replacement that must match exactly once
# in its file. After each plant the build is brought up to date and the
# shipped check is run:
#
#     build/dnetsim check scenarios/*.yaml scenarios/bench/*.yaml --quiet --jobs 2
#
# (with --work in the scratch folder, so that a failed run's own log can be
# read: the first failing line shown for runs that failed is the world's
# error, e.g. "conservation broken at block N: ...").
#
# A non-zero exit (a failed expectation, a golden that differs, runs that
# failed, e.g. the world's conservation check stopping a run, or a time-out)
# is CAUGHT; exit 0 is MISSED. The file is restored from a pristine copy
# before the next plant.
#
# Everything happens in a scratch copy of the source tree (the files git
# knows of, as they are in the working tree: no build folders), built once
# (Release, no ns-3, target dnetsim only) and then incrementally. The tree
# given is never written to.
#
# Usage:
#     tests/regression/planted_bugs.sh [SOURCE_TREE]
#         SOURCE_TREE defaults to the repository this script is in.
#     LIST=1 tests/regression/planted_bugs.sh       list the bugs (and whether
#                                                   each pattern still matches)
#     ONLY=fee-cap tests/regression/planted_bugs.sh run one bug
# Environment:
#     KEEP=1        keep the scratch folder (path printed) and the logs
#     TIMEOUT=600   seconds allowed for one check run
#     JOBS=2        make -j and check --jobs
#
# Output: one line per bug,
#     CAUGHT|MISSED  <id>  [<rule>] <description>  (<first failing line>; <tally>)  <seconds>s
# where the tally counts the goldens and expectations that failed and the
# scenarios whose runs failed, and the seconds are the check's; then
# `caught N of M`.
# Exit: 0 when at least 95 % of the bugs run are caught (19 of 20), 1 when
# fewer, 2 when the harness itself failed (the baseline check fails, a
# pattern no longer matches exactly once, a plant does not build).
# On 2 cores: about a minute to build, then 20-25 s per bug (an LTO relink
# and the check): 8.5 minutes for the 24.
set -u

JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-600}
KEEP=${KEEP:-0}
ONLY=${ONLY:-}
LIST=${LIST:-0}

SRC=${1:-$(dirname "$0")/../..}
SRC=$(cd "$SRC" 2>/dev/null && pwd) || { echo "planted_bugs: no source tree at ${1:-$(dirname "$0")/../..}" >&2; exit 2; }

# ---- the bugs ----
# bug ID FILE RULE DESCRIPTION OLD NEW: in FILE (under the source tree),
# the text OLD (which must occur exactly once) becomes NEW. Each line named
# here runs in the shipped scenarios' check runs. (Not here: the R-GOV-1
# tally and the R-LOCK-1 cliff. No scenario in scenarios/ proposes a
# governance change (tests/golden/governance.yaml does, outside this
# script's check), and the team's first unlock claim falls on day 30,
# where the decade check's horizon ends, so a bug there passes the check
# today.)
IDS=() FILES=() RULES=() DESCS=() OLDS=() NEWS=()
bug() {
	IDS+=("$1") FILES+=("$2") RULES+=("$3") DESCS+=("$4") OLDS+=("$5") NEWS+=("$6")
}

bug fee-cap models/chain/split.c R-FEE-2 \
	"community fee cap tested with >=: the 0.5 % fee itself is refused" \
	'fee_ppm > DNC_FEE_MAX_PPM) /* R-FEE-2 cap */' \
	'fee_ppm >= DNC_FEE_MAX_PPM) /* R-FEE-2 cap */'
bug relay-share models/chain/split.c R-SHARE-2 \
	"relay pool divided by relays + 1 (the provider counted as a hop)" \
	's->relay[i] = pool / n_relays; /* R-SHARE-2: equal */' \
	's->relay[i] = pool / (n_relays + 1); /* R-SHARE-2: equal */'
bug fwd-origin-gross models/chain/split.c R-FWD-1 \
	"origin's 15 % taken of the gross price, before the community fee" \
	'rc = dnc_ppm_of(net, p->fwd_origin_ppm, &s->origin);' \
	'rc = dnc_ppm_of(payment, p->fwd_origin_ppm, &s->origin);'
bug fwd-seller-rest models/chain/split.c R-FWD-3 \
	"seller loses the unused middlemen pool (remainder left with the buyer)" \
	's->seller = net - s->origin - given;' \
	's->seller = net - s->origin - pool;'
bug fwd-min-reward models/chain/split.c R-FWD-2 \
	"middlemen stop when the reward is above the minimum, not below it" \
	'if (reward < p->fwd_min_reward_base)' \
	'if (reward > p->fwd_min_reward_base)'
bug emit-end models/chain/emission.c R-EMIT-1 \
	"reward spread over end - start + 1 blocks (end height counted in)" \
	'den = (dnc_u128)(end_height - height) * e->delegates;' \
	'den = (dnc_u128)(end_height - height + 1) * e->delegates;'
bug emit-first models/chain/emission.c R-EMIT-1 \
	"flat emission schedule starts at height 1, the genesis block skipped" \
	'return dnc_emission_retune(e, 0, len, a.emission);' \
	'return dnc_emission_retune(e, 1, len, a.emission);'
bug emit-year models/chain/emission.c R-EMIT-1 \
	"blocks per year from a Julian year (365.25 days), not 365 days" \
	'return block_interval_s ? UINT64_C(365) * 86400 / block_interval_s : 0;' \
	'return block_interval_s ? UINT64_C(31557600) / block_interval_s : 0;'
bug producer-share models/chain/emission.c R-EMIT-3 \
	"producer paid the delegate fee share (10 %) instead of its 5 %" \
	'rc = dnc_ppm_of(reward, p->producer_ppm, producer);' \
	'rc = dnc_ppm_of(reward, p->delegate_fee_ppm, producer);'
bug split-dust models/chain/emission.c R-EMIT-3 \
	"weighted split's rounding dust to the smallest pool, not the largest" \
	'if (weight[i] > weight[best])' \
	'if (weight[i] < weight[best])'
bug provenance models/chain/state.c R-EMIT-5 \
	"producer's reward booked as traffic-originated on stake seats" \
	'if (ps->kind == DNC_SEAT_STAKE)' \
	'if (ps->kind != DNC_SEAT_STAKE)'
bug fee-split models/chain/ledger.c R-FEE-1 \
	"pool split 90/10 swapped: the delegate keeps 90 %" \
	'rc = dnc_ppm_of(amount, delegate_ppm, &cut);' \
	'rc = dnc_ppm_of(amount, DNC_PPM - delegate_ppm, &cut);'
bug pool-credit models/chain/ledger.c R-SUP-1 \
	"delegate credited the whole pool amount while the owners' part is locked too" \
	'bal_add(L, delegate, cut + owners);' \
	'bal_add(L, delegate, amount);'
bug team-lock models/chain/ledger.c R-LOCK-1 \
	"team allocation minted into the stake lock instead of the team lock" \
	'lock_add(L, a, DNC_LOCK_TEAM, amount);' \
	'lock_add(L, a, DNC_LOCK_STAKE, amount);'
bug vote-weight models/chain/ledger.c R-CONS-5 \
	"a re-vote adds amount - old to the candidate (old already taken off)" \
	'L->acct[candidate].votes_received += amount;' \
	'L->acct[candidate].votes_received += amount - old;'
bug lambda-round models/chain/consensus.c R-CONS-2 \
	"stake seats round(D lambda) rounded with + 1 instead of + 1/2" \
	'+ DNC_PPM / 2) / DNC_PPM);' \
	'+ DNC_PPM) / DNC_PPM);'
bug quality-price models/chain/ledger.c R-CONS-3 \
	"quality score's price ingredient inverted: dear units score higher" \
	'q = (dnc_u128)units * QUALITY_SCALE / (uint64_t)price_per_unit;' \
	'q = (dnc_u128)units * (uint64_t)price_per_unit / QUALITY_SCALE;'
bug score-window models/chain/state.c R-CONS-3 \
	"election scores the current, incomplete traffic window" \
	'window > 0 ? window - 1 : 0, ds);' \
	'window, ds);'
bug traffic-credit models/chain/credential.c R-CONS-4 \
	"traffic score credited the credential's cumulative total, not the new units" \
	'dnc_ledger_credit_traffic(L, ss->distributor, units, ss->price_per_unit, window);' \
	'dnc_ledger_credit_traffic(L, ss->distributor, c->total_units, ss->price_per_unit, window);'
# The control: this line runs at every redeem, but no credential of the
# shipped scenarios reaches exactly its deposit (consumer.deposit_factor is
# 1.2 everywhere), so the check cannot see it: expected MISSED, which also
# shows the harness can report a miss.
bug cred-deposit models/chain/credential.c R-CRED-7 \
	"credential for exactly the deposit refused (>= instead of >)" \
	'if (c->total_units > ss->units_max)' \
	'if (c->total_units >= ss->units_max)'
bug cred-replay models/chain/credential.c R-CRED-4 \
	"replayed credential (same total) accepted (< instead of <=)" \
	'if (c->total_units <= ss->redeemed_units)' \
	'if (c->total_units < ss->redeemed_units)'
bug cred-refund models/chain/credential.c R-CRED-6 \
	"unused deposit refunded to the distributor instead of the consumer" \
	'rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, ss->consumer,' \
	'rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, ss->distributor,'
bug rent-fee models/chain/state.c R-RENT-1 \
	"rent: the community fee taken off the owner's net a second time" \
	'ok &= moved(c->L, from, owner, net);' \
	'ok &= moved(c->L, from, owner, net - fee);'
bug sale-rest models/agents/world_genesis.c R-SUP-2 \
	"sale allocation's rounding remainder never given (comparison reversed)" \
	'if (last != W_NONE && given < alloc) {' \
	'if (last != W_NONE && given > alloc) {'

NBUGS=${#IDS[@]}

# Occurrences of OLD in FILE (python: exact text, no regex).
count_in() { # FILE OLD
	OLD=$2 python3 - "$1" <<'EOF'
import os, sys
print(open(sys.argv[1], encoding="utf-8").read().count(os.environ["OLD"]))
EOF
}

# Replace OLD by NEW in FILE; exit 0 only if OLD occurred exactly once and
# the file now holds NEW.
plant_in() { # FILE OLD NEW
	OLD=$2 NEW=$3 python3 - "$1" <<'EOF'
import os, sys
path, old, new = sys.argv[1], os.environ["OLD"], os.environ["NEW"]
text = open(path, encoding="utf-8").read()
n = text.count(old)
if n != 1:
    print(f"pattern occurs {n} times (want exactly 1)", file=sys.stderr)
    sys.exit(1)
text = text.replace(old, new, 1)
open(path, "w", encoding="utf-8").write(text)
sys.exit(0 if new in text else 1)
EOF
}

if [ "$LIST" = 1 ]; then
	for ((i = 0; i < NBUGS; i++)); do
		n=$(count_in "$SRC/${FILES[i]}" "${OLDS[i]}" 2>/dev/null || echo "?")
		state=ok
		[ "$n" = 1 ] || state="PATTERN MATCHES $n TIMES"
		printf '%-16s %-10s %-34s %s  [%s]\n' "${IDS[i]}" "${RULES[i]}" "${FILES[i]}" "${DESCS[i]}" "$state"
	done
	exit 0
fi

if [ -n "$ONLY" ]; then
	found=0
	for ((i = 0; i < NBUGS; i++)); do [ "${IDS[i]}" = "$ONLY" ] && found=1; done
	[ $found = 1 ] || { echo "planted_bugs: no bug '$ONLY' (LIST=1 lists them)" >&2; exit 2; }
fi

for tool in git tar cmake python3 timeout; do
	command -v $tool >/dev/null || { echo "planted_bugs: needs $tool" >&2; exit 2; }
done

# ---- the scratch copy ----
WORK=$(mktemp -d "${TMPDIR:-/tmp}/planted-bugs.XXXXXX") || exit 2
cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "planted_bugs: kept $WORK (tree in src/, logs in logs/)" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
S=$WORK/src
mkdir -p "$S" "$WORK/pristine" "$WORK/logs" "$WORK/runs"
git -C "$SRC" ls-files -z | (cd "$SRC" && tar --null -T - -cf -) | tar -xf - -C "$S" ||
	{ echo "planted_bugs: cannot copy $SRC" >&2; exit 2; }
# the files bugs are planted in, as they were (restored by content, with a new
# modification time, so that the next incremental build recompiles them)
for ((i = 0; i < NBUGS; i++)); do
	mkdir -p "$WORK/pristine/$(dirname "${FILES[i]}")"
	cp "$S/${FILES[i]}" "$WORK/pristine/${FILES[i]}"
done
restore() { # FILE
	cmp -s "$WORK/pristine/$1" "$S/$1" || cp "$WORK/pristine/$1" "$S/$1"
}

build() { # LOG
	cmake --build "$S/build" --target dnetsim -j "$JOBS" >"$1" 2>&1
}

echo "planted_bugs: source $SRC, scratch $WORK" >&2
echo "planted_bugs: configuring and building (Release, target dnetsim)..." >&2
if ! cmake -S "$S" -B "$S/build" -DCMAKE_BUILD_TYPE=Release -DDNET_WITH_NS3=OFF >"$WORK/logs/configure.log" 2>&1 ||
	! build "$WORK/logs/build.log"; then
	tail -n 30 "$WORK/logs/configure.log" "$WORK/logs/build.log" 2>/dev/null >&2
	echo "planted_bugs: the unmodified tree does not build" >&2
	exit 2
fi

# Runs the check in the scratch tree, its runs kept in RUNS; OUT: its exit
# code. Output in LOG.
run_check() { # LOG RUNS
	rm -rf "$2"
	(cd "$S" && exec timeout --kill-after=30 "$TIMEOUT" build/dnetsim check scenarios/*.yaml scenarios/bench/*.yaml \
		--quiet --jobs "$JOBS" --work "$2") >"$1" 2>&1
}

# The first thing that failed in a check's output, on one line: the block a
# failed run names (its conservation report or other error), else the first
# FAIL or ERROR line (for a golden, the line naming the first diverging
# block, row, or what moved).
first_failure() { # LOG RC RUNS
	python3 - "$1" "$2" "$3" <<'EOF'
import glob, os, re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
rc, runs = int(sys.argv[2]), sys.argv[3]
def say(s):
    s = re.sub(r"\s+", " ", s).strip()
    print(s if len(s) <= 170 else s[:167] + "...")
if rc == 124 or rc == 137:
    say("the check timed out"); sys.exit()
for i, l in enumerate(lines):
    m = re.match(r"dnetsim check: (\S+): the runs failed \(exit (\d+)\); .*\(all in (\S+)/log\)", l)
    if m:
        # the first member's own log says why: the world's error (a
        # conservation report naming the block) or an assertion
        why = ""
        for ml in sorted(glob.glob(os.path.join(m.group(3), "runs.h5.d", "m*.log"))):
            for t in open(ml, encoding="utf-8", errors="replace"):
                if re.search(r"run failed|Assertion|assert|error", t, re.I):
                    why = re.sub(r"^dnetsim: (run failed: )?", "", t.strip())
                    break
            if why:
                break
        if not why:
            for t in lines[i + 1:i + 14]:
                if re.search(r"error|failed", t, re.I):
                    why = t
                    break
        say(f"{m.group(1).rsplit('/', 1)[-1]}: runs failed: {why or l}"); sys.exit()
for i, l in enumerate(lines):
    if not (l.startswith("  FAIL  ") or l.startswith("  ERROR ")):
        continue
    g = re.match(r"  FAIL  golden (\S+):", l)
    if g:
        stem = g.group(1).rsplit("/", 1)[-1]
        for t in lines[i + 1:i + 40]:
            if t.startswith("  "):
                t2 = t.strip()
                if t2.startswith(("first diverging", "blocks:", "made with", "account classes", "series moved", "summaries moved")):
                    nxt = ""
                    if t2.startswith(("series moved", "summaries moved")):
                        k = lines.index(t, i + 1)
                        nxt = lines[k + 1].strip() if k + 1 < len(lines) else ""
                    say(f"golden {stem}: {t2} {nxt}"); sys.exit()
        say(l); sys.exit()
    # an expectation: name its scenario by the golden line that closes its block
    stem = ""
    for t in lines[i + 1:]:
        g2 = re.match(r"  (PASS|FAIL)  golden (\S+?)[:]", t)
        if g2:
            stem = g2.group(2).rsplit("/", 1)[-1] + ": "
            break
    say(stem + l.strip()); sys.exit()
other = [l for l in lines if l.strip()]
say(other[-1] if other else f"exit {rc}, no output")
EOF
}

# What failed, counted: goldens, expectations, scenarios whose runs failed.
failure_tally() { # LOG
	local g e r
	g=$(grep -c '^  FAIL  golden' "$1")
	e=$(grep -E '^  FAIL  |^  ERROR ' "$1" | grep -vc '^  FAIL  golden')
	r=$(grep -c 'the runs failed' "$1")
	printf '%s golden%s, %s expectation%s, %s scenario%s with failed runs' \
		"$g" "$([ "$g" = 1 ] || echo s)" "$e" "$([ "$e" = 1 ] || echo s)" "$r" "$([ "$r" = 1 ] || echo s)"
}

# ---- the baseline ----
echo "planted_bugs: baseline check (unmodified build)..." >&2
s0=$SECONDS
run_check "$WORK/logs/baseline.log" "$WORK/runs/baseline"
rc=$?
if [ $rc -ne 0 ]; then
	tail -n 40 "$WORK/logs/baseline.log" >&2
	echo "planted_bugs: the baseline check fails (exit $rc) on the unmodified tree: nothing to measure" >&2
	exit 2
fi
echo "planted_bugs: baseline passes ($((SECONDS - s0)) s)" >&2

# ---- the bugs, one at a time ----
caught=0 ran=0 broken=0
for ((i = 0; i < NBUGS; i++)); do
	id=${IDS[i]} f=${FILES[i]}
	[ -n "$ONLY" ] && [ "$id" != "$ONLY" ] && continue
	log=$WORK/logs/$id.log
	restore "$f"
	if ! err=$(plant_in "$S/$f" "${OLDS[i]}" "${NEWS[i]}" 2>&1); then
		printf 'BROKEN  %s  %s  (%s: %s)\n' "$id" "${DESCS[i]}" "$f" "$err"
		broken=$((broken + 1))
		restore "$f"
		continue
	fi
	if ! build "$WORK/logs/$id.build.log"; then
		printf 'BROKEN  %s  %s  (does not build: %s)\n' "$id" "${DESCS[i]}" \
			"$(grep -m1 -E 'error' "$WORK/logs/$id.build.log" | sed 's/^ *//' | cut -c1-150)"
		broken=$((broken + 1))
		restore "$f"
		continue
	fi
	s0=$SECONDS
	run_check "$log" "$WORK/runs/$id"
	rc=$?
	secs=$((SECONDS - s0))
	ran=$((ran + 1))
	if [ $rc -ne 0 ]; then
		caught=$((caught + 1))
		printf 'CAUGHT  %s  [%s] %s  (%s; %s)  %ss\n' "$id" "${RULES[i]}" "${DESCS[i]}" \
			"$(first_failure "$log" $rc "$WORK/runs/$id")" "$(failure_tally "$log")" "$secs"
	else
		printf 'MISSED  %s  [%s] %s  (every check passed)  %ss\n' "$id" "${RULES[i]}" "${DESCS[i]}" "$secs"
	fi
	restore "$f"
	[ "$KEEP" = 1 ] || rm -rf "$WORK/runs/$id"
done

echo "caught $caught of $ran"
if [ $broken -gt 0 ]; then
	echo "planted_bugs: $broken bug(s) could not be planted or built: update their patterns" >&2
	exit 2
fi
[ $ran -gt 0 ] && [ $((caught * 100)) -ge $((ran * 95)) ] && exit 0
exit 1
