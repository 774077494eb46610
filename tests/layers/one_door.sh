#!/usr/bin/env bash
# one_door.sh SOURCE_DIR: the world moves money only through the protocol.
# Every balance change the world model (models/agents) makes is a signed
# transaction the protocol library applies in a block, except two paths
# named in docs/agents.md: the genesis (accounts, allocation, first votes,
# before block 1) and the exchange's custody book (w_custody). Both take
# the ledger for writing with dnc_chain_ledger(); everything else reads it
# through dnc_chain_ledger_c() and the const-correct API cannot write it.
# So each call that can write (the mutable ledger, the library's index
# paths, the session contract called directly, the genesis) must sit on a
# line marked "door: genesis" or "door: custody", and the custody mark may
# appear once. Prints each offence; exit 1 if any.
set -euo pipefail
cd "$1/models/agents"
bad=0
writers='dnc_chain_ledger\(|dnc_chain_pay_(share|content)\(|dnc_session_(open|open_route|redeem|close)\(|dnc_chain_genesis\('
while IFS= read -r hit; do
	case "$hit" in
	*"door: genesis"* | *"door: custody"*) ;;
	*)
		echo "$hit: writes the ledger outside the one door (a transaction, the genesis or w_custody)"
		bad=1
		;;
	esac
done < <(grep -nE "$writers" ./*.c ./*.h | grep -vE '^[^:]*:[0-9]+:\s*(\*|/\*|//)' || true)
n=$(grep -c "door: custody" ./*.c | awk -F: '{ s += $2 } END { print s + 0 }')
if [ "$n" != 1 ]; then
	echo "the custody door is marked $n times; it must be one function"
	bad=1
fi
if [ "$bad" = 0 ]; then
	echo "the world writes the ledger only through transactions, the genesis and w_custody"
fi
exit "$bad"
