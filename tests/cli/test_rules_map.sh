#!/usr/bin/env bash
# test_rules_map.sh: docs/rules.md defines every rule the repository cites,
# and its maps name code and tests that exist.
#  1. Every rule id cited in models/, sim/, tests/ or docs/ (R-EMIT-1 in
#     text, R_EMIT_1 in a function name) is defined in docs/rules.md: in a
#     heading, or as the first cell of a table row.
#  2. Every rule defined by a heading has a row in a map table.
#  3. In every table row of docs/rules.md, each `path` names a file that
#     exists, and each `identifier` after it in the same cell occurs in
#     that file as a whole word. In a rule's row, a cell of code or tests
#     must name its file before any identifier.
# No build needed. Run by ctest with DNETSIM_SOURCE_DIR set (or run it
# from the source tree: it then finds the tree from its own path).
set -u
SRC=${DNETSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/cli/lib.sh"
cd "$SRC" || exit 1

rules=docs/rules.md
[ -f "$rules" ] && ok || { bad "$rules is missing"; finish; exit; }

# 1. Cited ids, in both spellings, against the defined ones.
grep -rhoE 'R-[A-Z0-9]+-[0-9]+' models sim tests docs >"$T/cited.dash"
grep -rhoE '(^|[^A-Z0-9])R_[A-Z]+_[0-9]+' models sim tests docs |
	sed -E 's/^[^R]*//; s/_/-/g' >"$T/cited.under"
sort -u "$T/cited.dash" "$T/cited.under" >"$T/cited"
grep -E '^#+ ' "$rules" | grep -oE 'R-[A-Z0-9]+-[0-9]+' | sort -u >"$T/headings"
sed -nE 's/^\| *(R-[A-Z0-9]+-[0-9]+) *\|.*/\1/p' "$rules" | sort -u >"$T/rows"
sort -u "$T/headings" "$T/rows" >"$T/defined"
n_cited=$(wc -l <"$T/cited")
[ "$n_cited" -gt 0 ] && ok || bad "no rule id found in models/, sim/, tests/, docs/"
while read -r id; do
	where=$(grep -rlE "$id([^0-9]|$)|$(echo "$id" | tr - _)([^0-9]|$)" models sim tests docs | head -3 | tr '\n' ' ')
	bad "$id is cited ($where) but not defined in $rules (a heading or a table row)"
done < <(comm -23 "$T/cited" "$T/defined")
[ -s "$T/cited" ] && [ -z "$(comm -23 "$T/cited" "$T/defined")" ] && ok

# 2. Every rule with a heading has a map row.
while read -r id; do
	bad "$id has a heading in $rules but no row in a map table"
done < <(comm -23 "$T/headings" "$T/rows")

# 3. The files and names of every table row. awk lists, per backquoted
# token of a row's cells (after the first), one line:
#   LINE KIND TOKEN FILE ROW
# KIND f (a path), n (an identifier after a path), o (an identifier before
# any path in a rule's row); FILE the path it belongs to; ROW the first cell.
awk -F'|' '
	/^\|/ {
		first = $2; gsub(/^ +| +$/, "", first)
		rule = first ~ /^R-[A-Z0-9]+-[0-9]+$/
		for (c = 3; c < NF; c++) {
			cell = $c; file = ""
			while (match(cell, /`[^`]+`/)) {
				tok = substr(cell, RSTART + 1, RLENGTH - 2)
				cell = substr(cell, RSTART + RLENGTH)
				if (tok ~ /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/) { file = tok; print NR, "f", tok, tok, first }
				else if (tok ~ /^[A-Za-z_][A-Za-z0-9_]*$/) {
					if (file != "") print NR, "n", tok, file, first
					else if (rule) print NR, "o", tok, "-", first
				}
			}
		}
	}' "$rules" >"$T/names"
n_names=0
while read -r ln kind tok file row; do
	case $kind in
	f) if [ -f "$file" ]; then ok; else bad "$rules:$ln: $file does not exist"; fi ;;
	n)
		n_names=$((n_names + 1))
		if [ -f "$file" ] && grep -qw -- "$tok" "$file"; then ok; else bad "$rules:$ln: $tok not found in $file"; fi
		;;
	o) bad "$rules:$ln: $tok (row $row) comes before any file" ;;
	esac
done <"$T/names"
[ "$n_names" -gt 100 ] && ok || bad "only $n_names names checked in the maps of $rules: the table format changed?"
echo "$n_cited rule ids cited, $(wc -l <"$T/defined") defined, $n_names names in the maps checked"
finish
