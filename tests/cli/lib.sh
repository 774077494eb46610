# lib.sh: what the command-line test scripts share, sourced by each
# tests/cli/test_*.sh after it has made its work folder $T: counting
# results, running a command with an expected exit status, looking for
# text in its output. Not a test itself (ctest runs only test_*.sh).
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
ms() { date +%s%3N; }
# expect_rc WANT DESCRIPTION CMD...: stdout in $T/out, stderr in $T/err,
# the wall time in $took (ms); a command that hangs is stopped after 300 s
expect_rc() {
	local want=$1 what=$2
	shift 2
	local t0
	t0=$(ms)
	timeout 300 "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	took=$(($(ms) - t0))
	if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, wanted $want; stderr: $(head -c 600 "$T/err")"; fi
}
contains() { # contains FILE TEXT DESCRIPTION
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in: $(head -c 600 "$1")"; fi
}
# verdicts FILE: counts a checker's lines ("ok ..." or "FAIL why");
# anything else, or no line at all, is a failure of the checker itself
verdicts() {
	local word rest
	while read -r word rest; do
		case "$word" in ok) ok ;; FAIL) bad "$rest" ;; *) bad "checker: $word $rest" ;; esac
	done <"$1"
	[ -s "$1" ] || bad "checker printed nothing"
}
# the closing line ctest's log shows, and the exit status
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
# keep_gnuplot_input: a gnuplot first on PATH that keeps a copy of every
# batch script and table dnetsim gives it (run in dnetsim's work folder on
# batch.gp and its d<id>.dat tables), one folder per start: $T/gp/<n>/
keep_gnuplot_input() {
	local real
	real=$(command -v gnuplot)
	mkdir "$T/bin" "$T/gp"
	cat >"$T/bin/gnuplot" <<W
#!/bin/sh
n=\$(ls "$T/gp" | wc -l)
mkdir "$T/gp/\$n" && cp -- *.dat batch.gp "$T/gp/\$n/"
exec "$real" "\$@"
W
	chmod +x "$T/bin/gnuplot"
	export PATH="$T/bin:$PATH"
}
# For the plot tests that compare gnuplot's input with the file: a
# $T/check.py that prints "ok N" and "FAIL why" lines, $PY its python.
no_warning() { # no_warning DESCRIPTION: nothing gnuplot said on stderr
	if grep -qiE 'warning|^gnuplot:|line [0-9]+:' "$T/err"; then
		bad "$1: gnuplot spoke on stderr: $(grep -iE 'warning|^gnuplot:|line [0-9]+:' "$T/err" | head -5)"
	else
		ok
	fi
}
checked() { # checked DESCRIPTION H5 PLOTDIR: check.py's passes counted, each failure said
	"$PY" "$T/check.py" "$2" "$3" "$T/out" "$T/gp" >"$T/check" 2>&1
	local n
	n=$(sed -n 's/^ok //p' "$T/check")
	[ -n "$n" ] && pass=$((pass + n)) || bad "$1: check.py failed: $(head -c 800 "$T/check")"
	while IFS= read -r l; do bad "$1: ${l#FAIL }"; done < <(grep '^FAIL ' "$T/check" | head -20)
}
