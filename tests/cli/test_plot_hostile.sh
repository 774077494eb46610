#!/usr/bin/env bash
# test_plot_hostile.sh: `dnetsim plot` on results files a careless or
# hostile user hands over (made by hostile_h5.py beside this script): sizes
# declared far past what is stored, very long series, thousands of series,
# names that are gnuplot or shell syntax, an output folder with a quote,
# things under /series that are not series, a FIFO for a file, and sweep
# files with strings for numbers, huge sizes, hostile names, no values.
# Every run is watched: killed past its time or memory bound, which then
# fails.
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac # the test runs in its own folder
case "$SRC" in /*) ;; *) SRC="$PWD/$SRC" ;; esac
PY=/usr/bin/python3
if ! command -v gnuplot >/dev/null || ! "$PY" -c 'import h5py' 2>/dev/null; then
	echo "skipped: needs gnuplot and python3-h5py (setup.sh installs both)"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1 # a name run as a command would leave its file here
. "$SRC/tests/cli/lib.sh"
png() { # png FILE DESCRIPTION
	if [ -s "$1" ] && head -c 8 "$1" | grep -q PNG; then ok; else bad "$2: no PNG at $1"; fi
}

# A gnuplot first on PATH that logs each start (the test counts processes)
# and the peak memory of each (it grows with the points it is given).
real_gnuplot=$(command -v gnuplot)
mkdir "$T/bin"
cat >"$T/bin/gnuplot" <<W
#!$PY
import os, resource, subprocess, sys
with open("$T/gnuplot.log", "a") as f:
    f.write("%d\n" % os.getpid())
rc = subprocess.call(["$real_gnuplot"] + sys.argv[1:])
with open("$T/gnuplot.rss", "a") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
W
chmod +x "$T/bin/gnuplot"
export PATH="$T/bin:$PATH"

# watch LIMIT_S MAX_KB CMD...: runs CMD in its own process group with
# stdout/stderr in $T/out and $T/err; kills the group past LIMIT_S seconds
# or past MAX_KB of peak resident memory (VmHWM). Sets rc, secs, peak_kb
# and why ("time", "memory" or "").
watch() {
	local limit=$1 maxkb=$2
	shift 2
	: >"$T/gnuplot.log"
	: >"$T/gnuplot.rss"
	local t0
	t0=$(date +%s%N)
	setsid "$@" >"$T/out" 2>"$T/err" &
	local pid=$! hwm
	peak_kb=0
	why=""
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		if [ -n "$hwm" ] && [ "$hwm" -gt "$peak_kb" ]; then peak_kb=$hwm; fi
		if [ "$peak_kb" -gt "$maxkb" ]; then why=memory; fi
		if [ $(($(date +%s%N) - t0)) -gt $((limit * 1000000000)) ]; then why=time; fi
		if [ -n "$why" ]; then
			kill -KILL -- "-$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$pid"
	rc=$?
	secs=$((($(date +%s%N) - t0) / 1000000))
	secs="$((secs / 1000)).$(printf '%03d' $((secs % 1000)))"
}
bounded() { # bounded DESCRIPTION: the last watch ended by itself
	echo "$1: ${secs} s, peak ${peak_kb} KiB" >&2
	if [ -z "$why" ]; then ok; else bad "$1: killed past its $why bound (${secs} s, peak ${peak_kb} KiB)"; fi
}
expect_rc() { # expect_rc WANT DESCRIPTION
	if [ "$rc" -eq "$1" ]; then ok; else bad "$2: exit $rc, wanted $1; stderr: $(head -c 600 "$T/err")"; fi
}

"$PY" "$SRC/tests/cli/hostile_h5.py" "$T" || { echo "FAIL: hostile_h5.py"; exit 1; }
GiB_KB=1048576

# 1.3e9 rows declared in a 16 KiB file: refused by the row bound
# before anything is allocated; the series next to it is still drawn.
watch 30 $GiB_KB "$BIN" plot "$T/huge.h5" -o "$T/huge"
bounded "1.3e9 declared rows"
expect_rc 1 "1.3e9 declared rows"
contains "$T/err" "series huge not drawn: it declares 1300000000 rows" "huge: the reason"
png "$T/huge/ok.png" "the series beside the huge one"
[ ! -e "$T/huge/huge.png" ] && ok || bad "a picture for the refused series"

# 2,000,000 rows: read in blocks and drawn as a min/max envelope of at
# most 4,000 points, so gnuplot stays small and quick (given every row it
# takes 160 MB and tens of seconds); the time bound only stops a hang.
watch 20 $GiB_KB "$BIN" plot "$T/long.h5" -o "$T/long"
bounded "2M rows"
expect_rc 0 "2M rows"
png "$T/long/long.png" "2M rows"
gp_kb=$(sort -n "$T/gnuplot.rss" | tail -1)
[ -n "$gp_kb" ] && [ "$gp_kb" -lt 65536 ] && ok || bad "2M rows: gnuplot peaked at ${gp_kb:-?} KiB, wanted under 64 MiB"

# 2,100 series: at most 500 drawn, by a handful of gnuplot processes
# (100 pictures each), and the rest named on stderr.
watch 90 $GiB_KB "$BIN" plot "$T/many.h5" -o "$T/many"
bounded "2,100 series"
expect_rc 1 "2,100 series (some not drawn)"
starts=$(wc -l <"$T/gnuplot.log")
[ "$starts" -ge 1 ] && [ "$starts" -le 6 ] && ok || bad "2,100 series: $starts gnuplot processes, wanted 1 to 6"
made=$(find "$T/many" -name '*.png' | wc -l)
[ "$made" -eq 500 ] && ok || bad "2,100 series: $made pictures, wanted 500"
[ "$(wc -l <"$T/out")" -eq 500 ] && ok || bad "2,100 series: stdout has $(wc -l <"$T/out") paths"
contains "$T/err" "1600 more entries under /series not looked at, from s0500 on" "2,100 series: what was skipped"

# Names (and labels) that are gnuplot or shell syntax: every one drawn,
# nothing executed. Control characters never reach a file name.
watch 30 $GiB_KB "$BIN" plot "$T/names.h5" -o "$T/names"
bounded "hostile names"
expect_rc 0 "hostile names"
for n in "'" '"' '\' 'a_b' '$(touch PWNED)' '`touch PWNED2`' '@x' "it's \"q\" \\ z" 'tab_here'; do
	png "$T/names/$n.png" "series named $n"
done
png "$T/names/a_b~2.png" "series named a<newline>b (a_b is taken)"
png "$T/names/_[31mred.png" "series named <ESC>[31mred"
png "$T/names/bad "$'\xff'" utf8.png" "series whose name is not UTF-8"
contains "$T/err" 'series a\nb is drawn as a_b~2.png' "renamed series noted"
[ "$(wc -l <"$T/out")" -eq 12 ] && ok || bad "hostile names: stdout is not 12 lines: $(cat "$T/out")"
[ -z "$(find "$T" -name 'PWNED*' ! -name '*.png')" ] && ok || bad "a name was executed"

# An output folder with a space and a quote: every picture and the
# world overview.
mkdir "$T/out dir"
watch 30 $GiB_KB "$BIN" plot "$T/world.h5" -o "$T/out dir/it's"
bounded "-o with a quote"
expect_rc 0 "-o with a quote"
png "$T/out dir/it's/overview.png" "overview in a folder named it's"
png "$T/out dir/it's/dnet_price.png" "a series in a folder named it's"
[ "$(find "$T/out dir/it's" -mindepth 1 | wc -l)" -eq 17 ] && ok || bad "-o it's: not 16 series + overview (or work files left): $(ls -A "$T/out dir/it's")"

# Under /series, what is not a series table is skipped with a one-line
# note; the series around it are drawn; the exit status says not all was.
watch 30 $GiB_KB "$BIN" plot "$T/mixed.h5" -o "$T/mixed"
bounded "mixed /series"
expect_rc 1 "mixed /series"
for s in a z int_units; do png "$T/mixed/$s.png" "series $s among non-series"; done
for e in alias dangling elsewhere external floats grp named_type no_t_ns scalar twod; do
	[ "$(grep -c "^dnetsim plot: note: /series/$e skipped: " "$T/err")" -eq 1 ] && ok || bad "no one-line note for /series/$e: $(head -c 800 "$T/err")"
done
[ "$(find "$T/mixed" -name '*.png' | wc -l)" -eq 3 ] && ok || bad "mixed: pictures other than a, z, int_units: $(ls "$T/mixed")"

# A name too long for a file name ("<name>.png" over 255 bytes): noted.
watch 30 $GiB_KB "$BIN" plot "$T/longname.h5" -o "$T/longname"
bounded "a 300-byte name"
expect_rc 1 "a 300-byte name"
contains "$T/err" "skipped: a name longer than 250 bytes" "a 300-byte name: the reason"
png "$T/longname/ok.png" "the series beside a 300-byte name"

# Sweep files (a /members group): every case ends by itself, within its
# bounds, with no sanitizer report, and says what it did not draw.
clean() { # clean DESCRIPTION: no sanitizer spoke
	if grep -qE 'Sanitizer|runtime error' "$T/err"; then bad "$1: $(grep -E 'Sanitizer|runtime error' "$T/err" | head -3)"; else ok; fi
}
sweep_case() { # sweep_case NAME WANT_RC: plots $T/NAME.h5 into $T/NAME
	watch 60 $GiB_KB "$BIN" plot "$T/$1.h5" -o "$T/$1"
	bounded "sweep $1"
	expect_rc "$2" "sweep $1"
	clean "sweep $1"
	[ -s "$T/$1/index.txt" ] && ok || bad "sweep $1: no index.txt"
}
sweep_case sw_ok 0
for p in f1_vs_a.x f1_vs_b.y overview fan_s1 fan_s2; do png "$T/sw_ok/$p.png" "sweep sw_ok: $p"; done
contains "$T/err" "parameter kind is text" "sweep sw_ok: a text parameter"
[ "$(wc -l <"$T/out")" -eq 5 ] && ok || bad "sweep sw_ok: stdout is not 5 lines: $(cat "$T/out")"

# every member failed: nothing to draw, and said so
sweep_case sw_failed 0
contains "$T/err" "no member of the sweep is complete (6 members)" "sweep sw_failed: the reason"
contains "$T/err" "summary f1 not drawn: no point has a mean" "sweep sw_failed: a summary"
[ -z "$(find "$T/sw_failed" -name '*.png')" ] && ok || bad "sweep sw_failed: pictures without values"

# strings for numbers, tables, wrong lengths, links: each one line, the rest drawn
sweep_case sw_strings 1
for m in "/members/status: not strings: every member with values counts as complete" \
	"parameter tbl (/points/param): a table, not numbers" \
	"series s1 not drawn: value: strings, not numbers" \
	"series s2 not drawn: a link, not a group (links are not followed)" \
	"series s3 not drawn: t_ns: not in the file" \
	"summary f1 not drawn: /points/mean/f1: strings, not numbers" \
	"summary f2 not drawn: /points/mean/f2: 7 values, not 3" \
	"summary f3 not drawn: /points/mean/f3: a link, not a dataset" \
	"summary f4: /members/summary/f4: 2 values, not 6 (no replicate dots)"; do
	contains "$T/err" "$m" "sweep sw_strings"
done
png "$T/sw_strings/f4_vs_a.x.png" "sweep sw_strings: the summary that can be read"
sweep_case sw_strings-point 1
contains "$T/err" "/members/point: strings, not numbers" "sweep sw_strings-point: the reason"
png "$T/sw_strings-point/f1_vs_a.x.png" "sweep sw_strings-point: responses without members"

# sizes declared far past what is stored: refused or read within bounds
sweep_case sw_huge 1
contains "$T/err" "series s1 not drawn: t_ns: it declares 1099511627776 values" "sweep sw_huge: 2^40 rows"
contains "$T/err" "series s3 not drawn: value: chunks of 67108864 bytes" "sweep sw_huge: 64 MiB chunks"
contains "$T/err" "/points/ci95_lo/f1: 1099511627776 values, not 3 (drawn without it)" "sweep sw_huge: a 2^40 column"
contains "$T/err" "/members/summary/f1: 1099511627776 values, not 6" "sweep sw_huge: 2^40 members' values"
for p in f1_vs_a.x fan_s0 fan_s2; do png "$T/sw_huge/$p.png" "sweep sw_huge: $p"; done
sweep_case sw_huge-members 1
contains "$T/err" "/members/point: it declares 1099511627776 values, more than the 1048576 read" "sweep sw_huge-members: the reason"
sweep_case sw_huge-points 1
contains "$T/err" "the sweep has 1099511627776 points, more than the 65536 drawn: no pictures" "sweep sw_huge-points: the reason"

# names that are gnuplot or shell syntax: drawn, nothing executed
sweep_case sw_names 0
[ "$(wc -l <"$T/out")" -eq 32 ] && ok || bad "sweep sw_names: not 27 responses, 4 fans and the overview: $(head -c 600 "$T/out")"
for p in "\$(touch PWNED)_vs_p'" "\`touch PWNED2\`_vs_p\"" "it's \"q\"_vs_p\\" "_[31mred_vs_p'" fan_a_b "fan_'"; do
	png "$T/sw_names/$p.png" "sweep sw_names: $p"
done
contains "$T/sw_names/index.txt" 'design grid\n$(touch PWNED6)' "sweep sw_names: the design shown escaped"
[ -z "$(find "$T" -name 'PWNED*' ! -name '*.png')" ] && ok || bad "sweep sw_names: a name was executed"

# points that are no point, no /points, an empty /series
sweep_case sw_odd 1
contains "$T/err" "/members/point: 3 member(s) without a point" "sweep sw_odd: points out of range"
contains "$T/err" "no /points group: no response pictures" "sweep sw_odd: no /points"
contains "$T/err" "/series is empty: no fan charts" "sweep sw_odd: an empty /series"

# A FIFO for a results file: refused at once, not waited on forever.
mkfifo "$T/fifo.h5"
watch 10 $GiB_KB "$BIN" plot "$T/fifo.h5" -o "$T/fifo"
bounded "a FIFO"
expect_rc 1 "a FIFO"
contains "$T/err" "not a regular file" "a FIFO: the reason"

finish
