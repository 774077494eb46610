#!/usr/bin/env bash
# test_plot_readable.sh: what a reader of `dnetsim plot`'s pictures sees,
# checked in what gnuplot is given (a gnuplot first on PATH keeps a copy
# of each batch script and table before drawing): ledger amounts in DNET
# (the table's value is the HDF5 value / 10^8, exactly), the time axis in
# hours, days or years after the run's horizon, a -1 "no sample" or NaN
# value as a gap (never a point), titles and labels short enough to fit,
# series constant over the run listed in one line (and constant.txt) and
# not drawn, and no gnuplot warning on stderr for a default world run.
# Run by ctest with DNETSIM_BIN and DNETSIM_SOURCE_DIR set.
set -u
BIN=${DNETSIM_BIN:?}
SRC=${DNETSIM_SOURCE_DIR:?}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
case "$SRC" in /*) ;; *) SRC="$PWD/$SRC" ;; esac
PY=/usr/bin/python3
if ! command -v gnuplot >/dev/null || ! "$PY" -c 'import h5py' 2>/dev/null; then
	echo "skipped: needs gnuplot and python3-h5py (setup.sh installs both)"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SRC/tests/cli/lib.sh"

# gnuplot runs in dnetsim's work folder on batch.gp and the d<id>.dat
# tables there: keep a copy of them per gnuplot start in $T/gp/<n>/.
keep_gnuplot_input

# check.py H5 PLOTDIR STDERR STDOUT XUNIT GPDIR: compares the kept gnuplot input with
# the HDF5 file; prints one "FAIL: ..." line per failed check and "ok N"
# for the checks that passed.
cat >"$T/check.py" <<'PY'
import glob, math, os, re, sys
from decimal import Decimal
import h5py
import numpy as np

h5, plots, errf, outf, xunit, gpdir = sys.argv[1:7]
fails, oks = [], 0
def check(cond, what):
    global oks
    if cond:
        oks += 1
    else:
        fails.append(what)

def gp_string(s):  # a gnuplot double-quoted string as dnetsim writes it
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)

# every job of every kept batch, in order: its table and its variables;
# the PNG paths on stdout come in the same order
order = []
for d in sorted(glob.glob(os.path.join(gpdir, "*")), key=lambda p: int(os.path.basename(p))):
    job = {}
    for line in open(os.path.join(d, "batch.gp"), encoding="latin-1"):
        m = re.match(r'(\w+) = "(.*)"$', line.rstrip("\n"))
        if m:
            job[m.group(1)] = gp_string(m.group(2))
        if line.startswith("load "):
            job["table"] = os.path.join(d, job["datafile"])
            order.append(job)
            job = {}
pngs = open(outf).read().splitlines()
check(len(pngs) == len(order), "%d PNGs on stdout for %d gnuplot jobs" % (len(pngs), len(order)))
jobs = {os.path.basename(p)[:-4]: j for p, j in zip(pngs, order)}

def table(job):
    rows = []
    for line in open(job["table"]):
        t, v = line.split()
        rows.append((float(t), v))
    return rows

f = h5py.File(h5, "r")
series = f["series"]
err = open(errf).read()
div = {"seconds": 1e9, "hours": 3600e9, "days": 86400e9, "years": 365.25 * 86400e9}[xunit]
const_lines = [l for l in err.splitlines() if "constant over the run (not plotted): " in l]
check(len(const_lines) == 1, "one line lists the constant series, got %d" % len(const_lines))
const_line = const_lines[0] if const_lines else ""
listed = open(os.path.join(plots, "constant.txt")).read() if os.path.exists(
    os.path.join(plots, "constant.txt")) else ""
n_const = n_base = n_gap = 0
for name, d in series.items():
    v, t_ns = d["value"], d["t_ns"]  # numpy arrays: read once
    desc = d.attrs.get("description", "")
    units = d.attrs.get("units", "")
    marker = "-1 if " in desc or "-1 without " in desc
    missing = ~np.isfinite(v) if v.dtype.kind == "f" else np.zeros(len(v), bool)
    if marker:
        missing |= v == -1
    valid = v[~missing]
    png = os.path.exists(os.path.join(plots, name + ".png"))
    if len(valid) > 0 and (valid == valid[0]).all():
        n_const += 1
        check(not png and name not in jobs, "constant %s is not drawn" % name)
        check(re.search(r"(: |, )%s=" % re.escape(name), const_line), "constant %s listed on stderr" % name)
        check(re.search(r"^%s=" % re.escape(name), listed, re.M), "constant %s in constant.txt" % name)
        continue
    if len(valid) == 0:
        check(not png and re.search(r"^%s$" % re.escape(name), listed, re.M),
              "%s, without samples, is listed and not drawn" % name)
        continue
    check(png and name in jobs, "%s, which varies, is drawn" % name)
    if name not in jobs:
        continue
    job = jobs[name]
    rows = table(job)
    check(job.get("xlabel") == "simulated time (%s)" % xunit,
          "%s: x axis '%s', wanted %s" % (name, job.get("xlabel"), xunit))
    # labels that fit: 100 characters a title line, the y label a unit
    check(all(len(l) <= 100 for l in job["title"].split("\n")) and job["title"].count("\n") <= 3,
          "%s: a title line too long: %r" % (name, job["title"]))
    check(len(job["ylabel"]) <= 63, "%s: y label too long: %r" % (name, job["ylabel"]))
    if len(rows) != len(v):
        continue  # an envelope: not row for row
    check(all(abs(rows[i][0] - t_ns[i] / div) <= 1e-9 * max(1, abs(rows[i][0]))
              for i in range(len(v))), "%s: times not in %s" % (name, xunit))
    if missing.any():
        n_gap += 1
        gaps = [rows[i][1] for i in range(len(v)) if missing[i]]
        check(all(g == "NaN" for g in gaps), "%s: a missing sample drawn as %s" % (name, gaps[:3]))
        check(not any(rows[i][1] != "NaN" and float(rows[i][1]) < 0 for i in range(len(v))
                      if missing[i]), "%s: -1 drawn as a point" % name)
    if units.startswith("base units") and v.dtype.kind == "i":
        n_base += 1
        check(job["ylabel"] == "DNET" + units[len("base units"):],
              "%s: y label %r, wanted DNET" % (name, job["ylabel"]))
        bad = [(rows[i][1], int(v[i])) for i in range(len(v)) if not missing[i]
               and Decimal(rows[i][1]) != Decimal(int(v[i])) / Decimal(10**8)]
        check(not bad, "%s: table values not HDF5 / 1e8 exactly: %s" % (name, bad[:3]))
check(n_const > 0, "no constant series to check")
check(n_base > 0, "no base-unit series to check")
check(n_gap > 0, "no series with a missing sample to check")
for l in fails:
    print("FAIL: " + l)
print("ok %d" % oks)
PY

# check.py's result: its passes counted, each failure reported
checked() { # checked DESCRIPTION H5 PLOTDIR XUNIT
	"$PY" "$T/check.py" "$2" "$3" "$T/err" "$T/out" "$4" "$T/gp" >"$T/check" 2>&1
	local n
	n=$(sed -n 's/^ok //p' "$T/check")
	[ -n "$n" ] && pass=$((pass + n)) || bad "$1: check.py failed: $(head -c 600 "$T/check")"
	while IFS= read -r l; do bad "$1: ${l#FAIL: }"; done < <(grep '^FAIL: ' "$T/check" | head -20)
}
no_warning() { # no_warning DESCRIPTION: nothing gnuplot said on stderr
	if grep -qiE 'warning|^gnuplot:|line [0-9]+:' "$T/err"; then
		bad "$1: gnuplot spoke on stderr: $(grep -iE 'warning|^gnuplot:|line [0-9]+:' "$T/err" | head -5)"
	else
		ok
	fi
}

# A default world run of one hour: hours.
expect_rc 0 "a 1-hour world run" "$BIN" run "$SRC/scenarios/whitepaper.yaml" \
	--set sim.end_time_s=3600 --out "$T/p.h5" --quiet
expect_rc 0 "plot the 1-hour run" "$BIN" plot "$T/p.h5" -o "$T/plots"
no_warning "plot the 1-hour run"
checked "1-hour run" "$T/p.h5" "$T/plots" hours
[ -s "$T/plots/overview.png" ] && ok || bad "1-hour run: no overview"
grep -q 'xunit = "hours"' "$T"/gp/*/batch.gp && ok || bad "1-hour run: the overview's time is not in hours"

# Files with a horizon of days and of years, made here (a world run that
# long takes minutes): a ledger series, quantiles with -1, NaN, constant
# series, one without a sample.
cat >"$T/make.py" <<'PY'
import sys
import h5py
import numpy as np

ROW = np.dtype([("t_ns", "<i8"), ("value", "<i8")])
FROW = np.dtype([("t_ns", "<i8"), ("value", "<f8")])

def series(g, name, t, v, dt, units, desc):
    a = np.zeros(len(t), dtype=dt)
    a["t_ns"], a["value"] = t, v
    d = g.create_dataset(name, data=a, maxshape=(None,), chunks=(4096,))
    d.attrs["units"], d.attrs["description"], d.attrs["time_units"] = units, desc, "ns"

path, days = sys.argv[1], float(sys.argv[2])
n = 500
t = (np.arange(n) * (days * 86400e9 / (n - 1))).astype(np.int64)
with h5py.File(path, "w") as f:
    g = f.create_group("series")
    rng = np.random.default_rng(1)
    bal = 187_500_017_836_757_820 + rng.integers(0, 10**12, n)
    series(g, "holdings_total_base", t, bal, ROW, "base units", "sum of all balances (-1 without balances)")
    p50 = rng.integers(10**8, 10**10, n)
    p50[::7] = -1
    series(g, "latency_p50_ns", t, p50, ROW, "ns", "median (W; -1 if none)")
    price = rng.integers(10**8, 3 * 10**9, n)
    price[3::11] = -1
    series(g, "price_p50_base_per_gib", t, price, ROW, "base units/GiB", "price paid (W; -1 if none)")
    x = rng.random(n)
    x[5::13] = np.nan
    series(g, "session_loss", t, x, FROW, "1", "mean packet loss; NaN if none")
    series(g, "spent_cum_trader_base", t, np.full(n, 250_000_000), ROW, "base units", "DNET spent by traders (C)")
    series(g, "forks", t, np.zeros(n), ROW, "forks", "forks seen (C)")
    series(g, "fork_p50_ns", t, np.full(n, -1), ROW, "ns", "fork resolution, median (C; -1 if none)")
    series(g, "a_" + "long_name_" * 12, t, rng.random(n), FROW, "1",
           "a description of two hundred and fifty characters " * 5)
PY
for h in "days 30" "years 1000"; do
	set -- $h
	"$PY" "$T/make.py" "$T/$1.h5" "$2" || bad "make.py $1"
	rm -rf "$T/gp"/*
	expect_rc 0 "plot a file of $2 days" "$BIN" plot "$T/$1.h5" -o "$T/plots-$1"
	no_warning "plot a file of $2 days"
	checked "$2 days" "$T/$1.h5" "$T/plots-$1" "$1"
	contains "$T/plots-$1/constant.txt" "spent_cum_trader_base=2.5 DNET" "$2 days: a constant value in DNET"
	contains "$T/err" "no samples in the run (not plotted): fork_p50_ns" "$2 days: a series without a sample"
done

finish
