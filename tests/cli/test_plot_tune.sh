#!/usr/bin/env bash
# test_plot_tune.sh: `dnetsim plot` on a tune file (from `dnetsim tune`,
# docs/tuning.md). Three small tunings of the test models (a Morris screen
# and a Sobol sensitivity of ishigami, a target search of planted) are
# plotted; checked: the PNGs expected (tune_morris_<metric>,
# tune_sobol_<metric>, tune_sobol_convergence, tune_search,
# tune_target_<metric>) are there, are PNGs with something drawn on them,
# index.txt names each, gnuplot says nothing on stderr, and the tables and
# assignments gnuplot is given hold the file's numbers: every index with
# its interval bounds, parameter by parameter in the order drawn (ranked),
# the tick labels naming the same parameters, the convergence's N and
# half-widths, the candidates' merits, coordinates and means, the best
# candidate, a goal's bound. Then damaged and hostile copies: an index of
# the wrong shape, strings for numbers, a link for a group, an unknown
# kind, too many parameters, a best candidate past the last, names that
# are gnuplot or shell syntax or a path: each refused part is named on
# stderr, the exit status is 1, and nothing is run or written outside DIR.
# A gnuplot first on PATH keeps a copy of each batch script and table.
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
cd "$T" || exit 1 # a name run as a command would leave its file here
. "$SRC/tests/cli/lib.sh"
export DNETSIM_ANALYSIS_DIR="$SRC/analysis"

keep_gnuplot_input

# check.py H5 PLOTDIR STDOUT GPDIR: the pictures, tables and assignments
# against the tune file; one "FAIL ..." line per failed check, "ok N" last.
cat >"$T/check.py" <<'PY'
import glob, math, os, re, struct, sys, zlib
import h5py
import numpy as np

h5, plots, outf, gpdir = sys.argv[1:5]
fails, oks = [], 0
def check(cond, what):
    global oks
    if cond:
        oks += 1
    else:
        fails.append(what)

def gp_string(s):  # a gnuplot string as dnetsim writes it (octal escapes)
    s = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)
    return s.encode("latin-1").decode("utf-8", "replace")

# the jobs of every kept batch, in order, with their variables
order = []
for d in sorted(glob.glob(os.path.join(gpdir, "*")), key=lambda p: int(os.path.basename(p))):
    job = {}
    for line in open(os.path.join(d, "batch.gp"), encoding="latin-1"):
        line = line.rstrip("\n")
        m = re.match(r'(\w+) = "(.*)"$', line) or re.match(r'(\w+) = (\S+)$', line)
        if m:
            job[m.group(1)] = gp_string(m.group(2))
        if line.startswith("load "):
            job["table"] = os.path.join(d, job["datafile"])
            job["script"] = os.path.basename(gp_string(line[5:].strip('"')))
            order.append(job)
            job = {}
pngs = open(outf).read().splitlines()
check(len(pngs) == len(order), "%d PNGs on stdout for %d gnuplot jobs" % (len(pngs), len(order)))
jobs = {os.path.basename(p): j for p, j in zip(pngs, order)}

def rows(path):
    return [[float(x) for x in l.split()] for l in open(path) if l.strip() and not l.startswith("#")]

def same(a, b):
    if isinstance(b, float) and math.isnan(b):
        return math.isnan(a)
    return a == b  # %.17g: exact

def png_ok(path, w, h, what):
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s: not a PNG" % what)
    check(len(data) > 10000, "%s: only %d bytes" % (what, len(data)))
    width, height = struct.unpack(">II", data[16:24])
    check((width, height) == (w, h), "%s: %dx%d, wanted %dx%d" % (what, width, height, w, h))
    idat, pos = b"", 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    check(len(set(zlib.decompress(idat))) > 16, "%s: nothing drawn" % what)

def text(v):
    return v.decode() if isinstance(v, bytes) else v

f = h5py.File(h5, "r")
kind = text(f["config"].attrs["kind"])
names = [text(x) for x in f["tune/param_names"][()]]
labels = [text(x) for x in f["tune/output_labels"][()]]
metrics = [text(x) for x in f["tune/output_metrics"][()]]
k, nv = len(names), len(labels)
expected = set()

def ranked(key):  # largest first, NaN last, ties in file order
    return sorted(range(k), key=lambda j: (0, -key[j], j) if np.isfinite(key[j]) else (1, 0, j))

def indices(png, cols, rank_by, script="tune_indices.gp"):
    """A table of two indices per parameter: rows in ranked order, each
    (rank, param, A, A_lo, A_hi, B, B_lo, B_hi, extra...) as in the file."""
    expected.add(png)
    job = jobs.get(png)
    check(job is not None, "%s not drawn" % png)
    if job is None:
        return None
    check(job["script"] == script, "%s: drawn by %s" % (png, job["script"]))
    got = rows(job["table"])
    want_order = ranked(rank_by)
    check(len(got) == k, "%s: %d rows for %d parameters" % (png, len(got), k))
    bad = []
    for i, (r, j) in enumerate(zip(got, want_order)):
        want = [float(i + 1), float(j + 1)] + [float(c[j]) if c is not None else float("nan") for c in cols]
        # an interval with a bound that is not finite is drawn as none
        for a in (3, 6):
            if not (np.isfinite(want[a]) and np.isfinite(want[a + 1])):
                want[a] = want[a + 1] = float("nan")
        if len(r) != len(want) or not all(same(x, w) for x, w in zip(r, want)):
            bad.append((r, want))
        check(job.get("label%d" % (i + 1)) == names[j], "%s: tick %d is %r, wanted %r"
              % (png, i + 1, job.get("label%d" % (i + 1)), names[j]))
    check(not bad, "%s: rows differ from the file: %s" % (png, bad[:2]))
    check(int(job["nparams"]) == k, "%s: nparams" % png)
    png_ok(os.path.join(plots, png), 1000, 600, png)
    return job

if kind == "sensitivity":
    s = f["tune/sobol"]
    for o in range(nv):
        c = [s[n][o] for n in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")]
        job = indices("tune_sobol_%s.png" % metrics[o], c, s["ST"][o])
        if job:
            check("N = %d (%d rows used)" % (s.attrs["rows"], s["rows_used"][o]) in job["title"],
                  "sobol %d: N in the title: %r" % (o, job["title"]))
            ns = s["noise_share"][o]
            check(("noise share %.3f" % ns) in job["title"] if np.isfinite(ns) else "noise" not in job["title"],
                  "sobol %d: the noise share in the title: %r" % (o, job["title"]))
            check(job["nameA"].startswith("S1") and job["nameB"].startswith("ST"), "sobol: key names")
    it_n, it_h = s["iteration_rows"][()], s["iteration_max_halfwidth"][()]
    if len(it_n) > 1:
        png = "tune_sobol_convergence.png"
        expected.add(png)
        job = jobs.get(png)
        check(job is not None and job["script"] == "tune_progress.gp" and job["mode"] == "line",
              "the convergence picture")
        if job:
            got = rows(job["table"])
            check([r[:2] for r in got] == [[float(a), float(b)] for a, b in zip(it_n, it_h)],
                  "convergence: rows %s, wanted N %s and half-widths %s" % (got, it_n, it_h))
            check(job["logx"] == "1", "convergence: N on a log scale")
            png_ok(os.path.join(plots, png), 1000, 600, png)
elif kind == "screen":
    m = f["tune/morris"]
    eff = m["effects"][()].reshape(nv, k)
    for o in range(nv):
        c = [m["mu_star"][o], m["mu_star_lo"][o], m["mu_star_hi"][o], m["sigma"][o], None, None,
             m["mu"][o], eff[o]]
        job = indices("tune_morris_%s.png" % metrics[o], c, m["mu_star"][o])
        if job:
            check(job["nciB"] == "0", "morris: sigma has no interval")
            check("%d trajectories" % m.attrs["trajectories"] in job["title"], "morris: trajectories")
else:
    t = f["tune/target"]
    n = len(t["merit"])
    best = int(t.attrs["best"])
    png = "tune_search.png"
    expected.add(png)
    job = jobs.get(png)
    check(job is not None and job["script"] == "tune_progress.gp" and job["mode"] == "search",
          "the search picture")
    if job:
        got = rows(job["table"])
        want = [[c + 1.0, t["merit"][c], t["best_merit"][c], t["violation"][c]] + list(t["unit"][c])
                for c in range(n)]
        check(len(got) == n and all(all(same(a, float(b)) for a, b in zip(r, w)) for r, w in zip(got, want)),
              "search: rows differ from merit, best_merit, violation, unit: %s" % [
                  (r, w) for r, w in zip(got, want) if r != w][:2])
        check(int(job["best"]) == best + 1, "search: the best candidate %s, wanted %d" % (job["best"], best + 1))
        for j in range(k):
            check(job["label%d" % (j + 1)].startswith(names[j] + " ["), "search: legend %d" % j)
        png_ok(os.path.join(plots, png), 1200, 900, png)
    ngoals = len(t["reach"])
    for i in range(nv):
        png = "tune_target_%s.png" % metrics[i]
        expected.add(png)
        job = jobs.get(png)
        check(job is not None and job["mode"] == "line", "%s not drawn" % png)
        if not job:
            continue
        got = rows(job["table"])
        want = [[c + 1.0, t["mean"][c][i], t["mean_lo"][c][i], t["mean_hi"][c][i]] for c in range(n)]
        check(got == [[float(x) for x in w] for w in want], "%s: rows differ from mean, mean_lo, mean_hi" % png)
        if i < ngoals:
            b = re.search(r"(<=|>=|<|>|==) *(\S+)$", labels[i])
            check(b and job.get("nbound") == "1" and float(job["bound1"]) == float(b.group(2)),
                  "%s: the bound %s, wanted %s" % (png, job.get("bound1"), labels[i]))
        else:
            check(job.get("nbound") == "0", "%s: the objective has no bound" % png)
        check(int(job["best"]) == best + 1, "%s: the best candidate" % png)
        png_ok(os.path.join(plots, png), 1000, 600, png)

check(set(jobs) == expected, "pictures %s, wanted %s" % (sorted(jobs), sorted(expected)))
index = open(os.path.join(plots, "index.txt")).read()
for png in expected:
    check(re.search(r"^%s: " % re.escape(png), index, re.M), "index.txt does not name %s" % png)
check("# %d picture(s)" % len(expected) in index, "index.txt: the count of pictures")
for l in fails:
    print("FAIL " + l)
print("ok %d" % oks)
PY

plotted() { # plotted DESCRIPTION H5 DIR: plot it (exit 0, gnuplot quiet), check it
	rm -rf "$T/gp"/* "$3"
	expect_rc 0 "$1: plot" "$BIN" plot "$2" -o "$3"
	no_warning "$1"
	checked "$1" "$2" "$3"
}

PI=3.141592653589793
# ---- screen: Morris, two outputs, a parameter without effect
cat >"$T/screen.yaml" <<Y
sim: {model: ishigami, seed: 3, end_time_s: 1}
tune:
  kind: screen
  trajectories: 4
  levels: 4
  params:
    ishigami.x1: {min: -$PI, max: $PI}
    ishigami.x2: {min: -$PI, max: $PI}
    ishigami.fail_x1_above: {min: 3.2, max: 4}
  outputs:
    - {metric: ishigami_y}
    - {metric: ishigami_f}
Y
expect_rc 0 "tune: screen" "$BIN" tune "$T/screen.yaml" --out "$T/screen.h5" --jobs 2 --quiet
plotted "screen" "$T/screen.h5" "$T/screen"

# ---- sensitivity: N doubled once (a convergence picture), replicates
# with noise (a noise share in the title)
cat >"$T/sens.yaml" <<Y
sim: {model: ishigami, seed: 3, end_time_s: 1}
ishigami: {noise: 0.5}
tune:
  kind: sensitivity
  samples: 8
  max_samples: 16
  halfwidth: 0.001
  replicates: 2
  params:
    ishigami.x1: {min: -$PI, max: $PI}
    ishigami.x2: {min: -$PI, max: $PI}
    ishigami.x3: {min: -$PI, max: $PI}
  outputs:
    - {metric: ishigami_y}
    - {metric: ishigami_f}
Y
expect_rc 0 "tune: sensitivity" "$BIN" tune "$T/sens.yaml" --out "$T/sens.h5" --jobs 2 --quiet
plotted "sensitivity" "$T/sens.h5" "$T/sens"
# the first parameter's S1 and its bounds, as the file has them, in its row
"$PY" - "$T/sens.h5" "$T/gp" >"$T/v" 2>&1 <<'P'
import glob, sys, h5py
s = h5py.File(sys.argv[1], "r")["tune/sobol"]
want = "%.17g %.17g %.17g" % (s["S1"][0][0], s["S1_lo"][0][0], s["S1_hi"][0][0])
tabs = [open(p).read() for p in glob.glob(sys.argv[2] + "/*/d*.dat")]
hit = [l for t in tabs for l in t.splitlines() if l.split()[1:2] == ["1"] and want in l]
print("ok" if hit else "FAIL S1 of parameter 1 and its interval (%s) not in a table" % want)
P
verdicts "$T/v"

# ---- target: planted, a goal and an objective; noise and two replicates
# (each candidate's mean has an interval)
cat >"$T/target.yaml" <<'Y'
sim: {model: planted, seed: 1, end_time_s: 1}
planted: {noise: 0.05}
tune:
  kind: target
  candidates: 16
  replicates: 2
  params:
    planted.x1: {min: 0, max: 1}
    planted.x2: {min: 0, max: 1}
  goals:
    - {metric: planted_score, bound: '>= 0.9'}
  objective: {metric: planted_loss, direction: minimize}
Y
expect_rc 0 "tune: target" "$BIN" tune "$T/target.yaml" --out "$T/target.h5" --jobs 2 --quiet
plotted "target" "$T/target.h5" "$T/target"
"$PY" - "$T/target.h5" >"$T/v" 2>&1 <<'P'
import sys, h5py, numpy as np
t = h5py.File(sys.argv[1], "r")["tune/target"]
lo, hi = t["mean_lo"][()], t["mean_hi"][()]
print("ok" if (lo < hi).any() else "FAIL the target's intervals are all empty: the test cannot tell lo from hi")
P
verdicts "$T/v"

# ---- damaged and hostile copies: damage.py SRC DST WHAT
cat >"$T/damage.py" <<'PY'
import shutil, sys
import h5py
import numpy as np
src, dst, what = sys.argv[1:4]
shutil.copy(src, dst)
f = h5py.File(dst, "r+")
def redo(path, data, **kw):
    del f[path]
    f.create_dataset(path, data=data, **kw)
vstr = h5py.string_dtype()
if what == "s1_shape":      # one column too many
    s1 = f["tune/sobol/S1"][()]
    redo("tune/sobol/S1", np.hstack([s1, s1[:, :1]]))
elif what == "st_strings":
    redo("tune/sobol/ST", np.array([["0.5"] * f["tune/sobol/ST"].shape[1]] * f["tune/sobol/ST"].shape[0], dtype=object), dtype=vstr)
elif what == "kind":
    f["config"].attrs["kind"] = "bogus"
elif what == "link":        # /tune/morris a soft link to a copy
    f.move("tune/morris", "tune/morris_real")
    f["tune/morris"] = h5py.SoftLink("/tune/morris_real")
elif what == "many_params":
    redo("tune/param_names", np.array(["p%d" % i for i in range(100000)], dtype=object), dtype=vstr)
elif what == "best":
    f["tune/target"].attrs["best"] = 1e9
elif what == "ranks":       # the orders by S1, ST, mu*, sigma and the file's all differ
    k = f["tune/param_names"].shape[0]
    g = f["tune/sobol"] if "sobol" in f["tune"] else f["tune/morris"]
    a = np.array([0.5, 0.3, 0.1, 0.05][:k])
    b = np.array([0.2, 0.9, 0.4, 0.01][:k])
    for o in range(f["tune/output_labels"].shape[0]):
        if "S1" in g:
            g["S1"][o], g["S1_lo"][o], g["S1_hi"][o] = a, a - 0.1, a + 0.1
            g["ST"][o], g["ST_lo"][o], g["ST_hi"][o] = b, b - 0.05, b + 0.2
            lo = g["S1_lo"][o]; lo[0] = np.nan; g["S1_lo"][o] = lo   # no interval
        else:
            g["mu_star"][o], g["mu_star_lo"][o], g["mu_star_hi"][o] = b, b - 0.05, b + 0.2
            g["sigma"][o] = a
elif what == "names":       # gnuplot, shell and path syntax in every name
    k = f["tune/param_names"].shape[0]
    names = ['x"; system("touch pwned_gp") #', "y`touch pwned_bq`\nz", "@m $HOME 'q'"][:k]
    names += ["p%d" % i for i in range(len(names), k)]
    redo("tune/param_names", np.array(names, dtype=object), dtype=vstr)
    nv = f["tune/output_metrics"].shape[0]
    redo("tune/output_metrics", np.array(["../../escape"] + ["m/%d" % i for i in range(1, nv)], dtype=object), dtype=vstr)
    redo("tune/output_labels", np.array(['l"; print "x'] * nv, dtype=object), dtype=vstr)
PY
# hostile.py H5 BATCH...: every line gnuplot was given is one of ours (an
# assignment of a string of plain characters and octal escapes, or of a
# number; load; print), and the names decode back to the file's (control
# characters as spaces)
cat >"$T/hostile.py" <<'PY'
import re, sys
import h5py
plain = r'"(?:[^"\\`$@]|\\[0-7]{3})*"'
ours = re.compile(r'^(?:\w+ = (?:%s|-?[0-9][0-9.eE+-]*)|load %s|set print "-"|print "dnetsim-plot-done \d+")$'
                  % (plain, plain))
f = h5py.File(sys.argv[1], "r")
names = [re.sub(r"[\x00-\x1f\x7f]", " ", n.decode()) for n in f["tune/param_names"][()]]
labels = []
for b in sys.argv[2:]:
    for line in open(b, encoding="latin-1").read().splitlines():
        if not ours.match(line):
            print("FAIL a line not ours reached gnuplot: %r" % line)
        m = re.match(r'label\d+ = "(.*)"$', line)
        if m:
            s = re.sub(r"\\([0-7]{3})", lambda x: chr(int(x.group(1), 8)), m.group(1))
            labels.append(s.encode("latin-1").decode("utf-8"))
missing = [n for n in names if not any(l == n or l.startswith(n + " [") for l in labels)]
print("FAIL names not shown as they are: %r in %r" % (missing, labels) if missing else "ok")
PY
damaged() { # damaged WHAT SRC: a damaged copy of SRC in $T/bad.h5
	rm -rf "$T/bad.h5" "$T/bad"
	"$PY" "$T/damage.py" "$2" "$T/bad.h5" "$1" || bad "damage.py $1"
}
# made numbers whose orders all differ: the ranking and a missing interval
for src in screen sens; do
	damaged ranks "$T/$src.h5"
	plotted "made ranks ($src)" "$T/bad.h5" "$T/bad"
done
damaged s1_shape "$T/sens.h5"
expect_rc 1 "S1 of the wrong shape is refused" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/tune/sobol/S1: a 2 x 4 array, not 2 x 3" "the wrong shape is named"
[ ! -e "$T/bad/tune_sobol_ishigami_y.png" ] && ok || bad "a Sobol picture drawn from a damaged S1"
contains "$T/bad/index.txt" "/tune/sobol/S1" "index.txt says why the Sobol pictures are missing"
contains "$T/out" "tune_sobol_convergence.png" "what is intact is still drawn"
damaged st_strings "$T/sens.h5"
expect_rc 1 "strings for numbers are refused" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/tune/sobol/ST: strings, not numbers" "strings for numbers are named"
damaged kind "$T/sens.h5"
expect_rc 1 "an unknown kind is refused" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/config @kind: 'bogus': not screen, sensitivity or target" "the unknown kind is named"
damaged link "$T/screen.h5"
expect_rc 1 "a link is not followed" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/tune/morris: a link, not a group (links are not followed)" "the link is named"
damaged many_params "$T/screen.h5"
expect_rc 1 "too many parameters are refused" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/tune/param_names: 100000 values, more than the 64 read" "the count is named"
damaged best "$T/target.h5"
expect_rc 1 "a best candidate past the last is refused" "$BIN" plot "$T/bad.h5" -o "$T/bad"
contains "$T/err" "/tune/target @best: 1e+09 is not a count below" "the best candidate is named"
[ -s "$T/bad/tune_search.png" ] && ok || bad "the search not drawn without its best candidate"
for src in screen sens target; do
	damaged names "$T/$src.h5"
	rm -rf "$T/gp"/*
	expect_rc 0 "hostile names ($src)" "$BIN" plot "$T/bad.h5" -o "$T/bad"
	no_warning "hostile names ($src)"
	ls "$T"/pwned* "$T/bad"/pwned* >/dev/null 2>&1 && bad "hostile names ($src): a command ran" || ok
	[ ! -e "$T/escape.png" ] && [ ! -e "$T/tune_target_escape.png" ] && [ ! -e "/tune_escape.png" ] && ok ||
		bad "hostile names ($src): a picture written outside DIR"
	n=$(ls "$T/bad"/*.png 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] && ok || bad "hostile names ($src): $n pictures: $(ls "$T/bad")"
	"$PY" "$T/hostile.py" "$T/bad.h5" "$T"/gp/*/batch.gp >"$T/v" 2>&1
	verdicts "$T/v"
done
ls "$T/bad" | grep -q '^tune_.*\.\._\.\._escape\.png$' && ok || bad "a path in a metric's name kept as a file name: $(ls "$T/bad")"

finish
