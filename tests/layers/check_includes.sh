#!/usr/bin/env bash
# check_includes.sh SOURCE_DIR: every header of the tree has one spelling.
# A library's include path is its own folder, so a header is included by
# its bare name ("engine.h", never "sim/engine/engine.h" or "../x.h"), and
# no two headers share a name (one would silently shadow the other). The
# build enforces who may include what (the probes next to this file); this
# enforces how it is written. Prints each offence; exit 1 if any.
set -euo pipefail
cd "$1"
bad=0

# Headers by name: each name once.
dups=$(find sim models tests -name '*.h' -not -path 'tests/layers/*' -printf '%f\n' | sort | uniq -d)
for d in $dups; do
	echo "header name used twice: $d:" $(find sim models tests -name "$d")
	bad=1
done
declare -A known
for n in $(find sim models tests -name '*.h' -printf '%f\n'); do known[$n]=1; done

# Every quoted include of one of them is its bare name.
re='^([^:]*):([0-9]+):[^"]*"([^"]*)"'
while IFS= read -r hit; do
	[[ $hit =~ $re ]] || continue
	file=${BASH_REMATCH[1]} line=${BASH_REMATCH[2]} inc=${BASH_REMATCH[3]}
	base=${inc##*/}
	if [[ $inc == *..* ]]; then
		echo "$file:$line: \"$inc\" climbs out of its folder; include the header by name"
		bad=1
	elif [[ $inc != "$base" && -n ${known[$base]:-} ]]; then
		echo "$file:$line: \"$inc\" is spelled \"$base\" here"
		bad=1
	fi
done < <(grep -rnE --include='*.c' --include='*.h' --include='*.cc' '^\s*#\s*include\s*"' \
	sim models tests --exclude-dir=layers || true)

if [ "$bad" = 0 ]; then
	echo "every include names its header by one spelling"
fi
exit "$bad"
