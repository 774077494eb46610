#!/usr/bin/env bash
# test_plot_sweep.sh: `dnetsim plot` on a sweep file. A small world sweep
# (one parameter, three replicates) and a made one (two parameters, 30
# points, failed members, integer series with -1 and INT64_MIN, a series
# long enough to be sampled, ledger amounts and durations) are plotted;
# checked: the PNGs expected (a response picture per headline summary and
# swept numeric parameter, a fan chart per headline series, the overview)
# are there, are PNGs of the right size with something drawn on them,
# index.txt names each of them, gnuplot says nothing on stderr, and the
# tables gnuplot is given hold the file's numbers: a response's rows are
# /points/param, /points/mean, ci95_lo, ci95_hi and count (ledger amounts
# / 10^8, durations in s), its dots the complete replicates' values; a fan
# chart's rows are the median and 5-95 % quantiles (numpy's linear
# interpolation) of the point's complete replicates at each time drawn.
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
cd "$T" || exit 1
. "$SRC/tests/cli/lib.sh"

keep_gnuplot_input

# check.py H5 PLOTDIR STDOUT GPDIR: the pictures and the tables against
# the sweep file; one "FAIL ..." line per failed check, "ok N" at the end.
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

HEAD_SUMMARIES = ["dtoken_share_final", "request_success_share", "coverage_mean",
                  "price_p50_base_per_gib", "world_dnet_price", "world_transactions"]
HEAD_SERIES = ["dnet_price", "coverage", "dtoken_share", "sessions_active", "holdings_gini",
               "service_latency_p50_ns"]
IMIN = np.iinfo(np.int64).min

def gp_string(s):  # a gnuplot string as dnetsim writes it (the file read as latin-1)
    s = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)
    return s.encode("latin-1").decode("utf-8", "replace")

# the jobs of every kept batch, in order, with their variables; the PNG
# paths on stdout come in the same order
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

def same_rows(a, b):
    """Equal tables, NaN equal to NaN (a point of one replicate has no interval)."""
    return len(a) == len(b) and all(
        len(r) == len(q) and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(r, q))
        for r, q in zip(a, b))


def blocks(path):
    """The table's blocks (split at two blank lines), rows of floats."""
    out = [[]]
    blank = 0
    for line in open(path):
        if line.strip() == "":
            blank += 1
            continue
        if blank >= 2:
            out.append([])
        blank = 0
        out[-1].append([float(x) for x in line.split()])
    return out

def png_ok(path, w, h, what):
    """A PNG of w x h with more than a handful of distinct bytes in its pixels."""
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
    px = zlib.decompress(idat)
    check(len(set(px)) > 16, "%s: nothing drawn (%d distinct bytes)" % (what, len(set(px))))

def scale(units, ylabel):
    """What dnetsim divides by, after the y label it chose."""
    if units.startswith("base units"):
        check(ylabel.startswith("DNET"), "base units shown as %r" % ylabel)
        return 1e8
    return {("ns", "s"): 1e9, ("ns", "ms"): 1e6, ("ns", "\u00b5s"): 1e3,
            ("bytes", "GB"): 1e9, ("bytes", "MB"): 1e6, ("bytes", "kB"): 1e3}.get((units, ylabel), 1)

def same(a, b, rel):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if rel == 0 else abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)

def marker(desc):
    return "-1 if " in desc or "-1 without " in desc

f = h5py.File(h5, "r")
status = [s.decode() if isinstance(s, bytes) else s for s in f["members/status"][()]]
complete = np.array([s == "complete" for s in status])
point = f["members/point"][()]
n_points = len(next(iter(f["points/param"].values())))
pparams = {k: v[()] for k, v in f["points/param"].items() if v.dtype.kind == "f"}
axes = [k for k, v in pparams.items() if len(set(v[np.isfinite(v)])) > 1]
means = set(f["points/mean"])
metrics = [m for m in HEAD_SUMMARIES if m in means] or \
    [m for m in sorted(means) if f["members/summary"][m].dtype.kind == "f"]
expected = set()

# responses: one per metric with a mean and numeric parameter that varies
for m in metrics:
    mean = f["points/mean"][m][()]
    if not np.isfinite(mean).any():
        continue
    lo, hi, cnt = (f["points/%s/%s" % (k, m)][()] for k in ("ci95_lo", "ci95_hi", "count"))
    msum = f["members/summary"][m]
    units = msum.attrs.get("units", "")
    mv = msum[()].astype(float)
    if msum.dtype.kind == "i":
        mv[msum[()] == IMIN] = np.nan
    ok = complete & np.isfinite(mv)
    if marker(msum.attrs.get("description", "")):
        ok &= mv != -1
    for p in axes:
        png = "%s_vs_%s.png" % (m, p)
        expected.add(png)
        if png not in jobs:
            check(False, "%s not drawn" % png)
            continue
        job = jobs[png]
        check(job["script"] == "sweep_response.gp", "%s: drawn by %s" % (png, job["script"]))
        div = scale(units, job["ylabel"])
        rel = 0 if div == 1 else 1e-12
        x = pparams[p]
        idx = sorted((i for i in range(n_points) if np.isfinite(x[i]) and np.isfinite(mean[i])),
                     key=lambda i: (x[i], i))
        b = blocks(job["table"])
        rows = b[0]
        check(len(rows) == len(idx), "%s: %d rows, wanted %d points" % (png, len(rows), len(idx)))
        bad = []
        for r, i in zip(rows, idx):
            l, h = (lo[i], hi[i]) if np.isfinite(lo[i]) and np.isfinite(hi[i]) else (np.nan, np.nan)
            want = [x[i], mean[i] / div, l / div, h / div, float(cnt[i])]
            if not all(same(a, w, rel if k in (1, 2, 3) else 0) for k, (a, w) in enumerate(zip(r, want))):
                bad.append((r, want))
        check(not bad, "%s: rows differ from /points: %s" % (png, bad[:2]))
        check(int(job["nci"]) == sum(1 for r in rows if not math.isnan(r[2])), "%s: nci" % png)
        dots = sorted((x[point[k]], mv[k] / div) for k in range(len(mv)) if ok[k] and np.isfinite(x[point[k]]))
        got = sorted((r[0], r[1]) for r in (b[1] if len(b) > 1 else []))
        check(len(got) == len(dots) and all(same(a[0], b_[0], 0) and same(a[1], b_[1], rel)
                                            for a, b_ in zip(got, dots)),
              "%s: %d replicate dots, wanted %d (the complete replicates' values)" % (png, len(got), len(dots)))
        check(int(job["ndots"]) == len(got), "%s: ndots" % png)
        png_ok(os.path.join(plots, png), 1000, 600, png)

# the overview: block k is the response table of panel k (no dots)
if axes and any(np.isfinite(f["points/mean"][m][()]).any() for m in metrics):
    expected.add("overview.png")
    job = jobs.get("overview.png")
    check(job is not None, "no overview")
    if job:
        b = blocks(job["table"])
        n = int(job["npanels"])
        check(n == len(b), "overview: %d panels, %d blocks" % (n, len(b)))
        for k in range(1, n + 1):
            name = job["title%d" % k]
            resp = jobs.get("%s_vs_%s.png" % (name, axes[0]))
            check(resp is not None and same_rows(blocks(resp["table"])[0], b[k - 1]),
                  "overview panel %d (%s) differs from its response table" % (k, name))
        png_ok(os.path.join(plots, "overview.png"), 1500, 900, "overview")

# fans: each headline series (or the first four), its points in blocks
sg = f["series"]
chosen = [s for s in HEAD_SERIES if s in sg] or sorted(sg)[:4]
div_t = {"seconds": 1e9, "hours": 3600e9, "days": 86400e9, "years": 365.25 * 86400e9}
with_reps = [p for p in range(n_points) if (complete & (point == p)).any()]
for s in chosen:
    g = sg[s]
    t, v = g["t_ns"][()], g["value"][()]
    vf = v.astype(float)
    if v.dtype.kind == "i":
        vf[v == IMIN] = np.nan
    vf[~np.isfinite(vf)] = np.nan
    if marker(g.attrs.get("description", "")):
        vf[vf == -1] = np.nan
    stride = 1 if len(t) <= 2000 else -(-len(t) // 2000)
    rows = np.arange(0, len(t), stride)
    mine = sorted(p for p in jobs if re.fullmatch(re.escape("fan_" + s) + r"(_\d+)?\.png", p))
    drawn_pts = []
    for png in mine:
        job = jobs[png]
        check(job["script"] == "sweep_fan.gp", "%s: drawn by %s" % (png, job["script"]))
        unit = job["xlabel"][len("simulated time ("):-1]
        div = scale(g.attrs.get("units", ""), job["ylabel"])
        b = blocks(job["table"])
        check(len(b) == int(job["npoints"]), "%s: %d blocks for %s points" % (png, len(b), job["npoints"]))
        for k, blk in enumerate(b):
            p = int(re.match(r"point (\d+):", job["label%d" % (k + 1)]).group(1))
            drawn_pts.append(p)
            reps = np.flatnonzero(complete & (point == p))
            check(len(blk) == len(rows), "%s point %d: %d rows, wanted %d" % (png, p, len(blk), len(rows)))
            bad = []
            for r, j in zip(blk, rows):
                vals = vf[reps, j]
                vals = vals[~np.isnan(vals)]
                want = [t[j] / div_t[unit]] + ([np.percentile(vals, q) / div for q in (50, 5, 95)]
                                              if len(vals) else [np.nan] * 3) + [len(vals)]
                if not all(same(a, w, 1e-11) for a, w in zip(r, want)):
                    bad.append((j, r, want))
            check(not bad, "%s point %d: rows differ from the quantiles of its replicates: %s"
                  % (png, p, bad[:2]))
        png_ok(os.path.join(plots, png), 1000, 600, png)
    has = [p for p in with_reps if not np.isnan(vf[np.flatnonzero(complete & (point == p))][:, rows]).all()]
    if len(with_reps) > 24:  # 24 of them, evenly spread
        sel = [with_reps[k * (len(with_reps) - 1) // 23] for k in range(24)]
        has = [p for p in sel if p in has]
    if has:
        expected.update(mine)
        check(mine and drawn_pts == has, "fan %s: points %s drawn, wanted %s" % (s, drawn_pts, has))
        check(len(mine) == -(-len(has) // 6), "fan %s: %d pictures for %d points" % (s, len(mine), len(has)))
    else:
        check(not mine, "fan %s: drawn without a value" % s)

check(set(jobs) == expected, "pictures %s, wanted %s" % (sorted(jobs), sorted(expected)))
index = open(os.path.join(plots, "index.txt")).read()
for png in expected:
    check(re.search(r"^%s: " % re.escape(png), index, re.M), "index.txt does not name %s" % png)
check("# %d picture(s)" % len(expected) in index, "index.txt: the count of pictures")
for l in fails:
    print("FAIL " + l)
print("ok %d" % oks)
PY


# A world sweep: chain.lambda at two values, three replicates, an hour.
cat >"$T/s.yaml" <<'Y'
sim: {model: world, seed: 3, end_time_s: 3600, partitions: 1, sample_interval_s: 10}
world: {agents: 300}
sweep:
  design: grid
  replicates: 3
  parameters:
    chain.lambda: [0.2, 0.8]
Y
expect_rc 0 "a world sweep" "$BIN" sweep "$T/s.yaml" --out "$T/s.h5" --jobs 2 --quiet
expect_rc 0 "plot the world sweep" "$BIN" plot "$T/s.h5" -o "$T/plots"
no_warning "plot the world sweep"
checked "world sweep" "$T/s.h5" "$T/plots"
for p in dtoken_share_final_vs_chain.lambda world_dnet_price_vs_chain.lambda overview fan_dnet_price; do
	[ -s "$T/plots/$p.png" ] && ok || bad "world sweep: no $p.png"
done
contains "$T/plots/index.txt" "# design grid: 2 points, 6 members, 6 complete" "world sweep: index.txt's header"

# A made sweep of another model: the fallback (every float summary, the
# first four series), 30 points (24 drawn as fans, 4 pictures a series),
# failed members, integers with INT64_MIN and -1, a sampled series.
cat >"$T/make.py" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from hostile_h5 import sweep
P, R = 30, 3
n = P * R
rng = np.random.default_rng(4)
st = ["complete"] * n
for k in (3, 4, 5, 40, 77):  # point 1 has no complete replicate
    st[k] = "failed"
IMIN = np.iinfo(np.int64).min
def noisy(kind, rows):
    v = rng.random((n, rows)) * 1e9
    v[rng.random((n, rows)) < 0.1] = np.nan
    if kind == "i":
        v = np.where(np.isnan(v), IMIN, v).astype(np.int64)
        v[rng.random((n, rows)) < 0.1] = -1
    for k, s in enumerate(st):
        if s != "complete":
            v[k] = IMIN if kind == "i" else np.nan
    return v
t = lambda rows: (np.arange(1, rows + 1) * 600 * 10**9).astype(np.int64)
summ = {"a_share": rng.random(n), "b_price_base": rng.integers(10**8, 10**10, n).astype(float),
        "c_latency_ns": rng.random(n) * 5e9, "d_count": rng.integers(0, 9, n),
        "e_nan": np.full(n, np.nan)}
for k, s in enumerate(st):
    if s != "complete":
        for v in summ.values():
            if v.dtype.kind == "f":
                v[k] = np.nan
with sweep(sys.argv[1], params={"x.a": list(np.linspace(0, 1, P)), "y.b": list(rng.random(P)),
                                "z.c": ["k%d" % (i % 3) for i in range(P)]},
           summaries=summ, n_points=P, reps=R, status=st,
           series={"p_lat_ns": (t(50), noisy("i", 50)), "q_long": (t(2500), noisy("f", 2500)),
                   "r_base": (t(40), noisy("i", 40)), "s_float": (t(30), noisy("f", 30)),
                   "t_unused": (t(5), noisy("f", 5))}) as f:
    f["members/summary/b_price_base"].attrs["units"] = "base units"
    f["members/summary/c_latency_ns"].attrs["units"] = "ns"
    f["series/p_lat_ns"].attrs["units"] = "ns"
    f["series/p_lat_ns"].attrs["description"] = "a median (-1 if none)"
    f["series/r_base"].attrs["units"] = "base units"
PY
"$PY" "$T/make.py" "$T/m.h5" "$SRC/tests/cli" || bad "make.py"
rm -rf "$T/gp"/*
expect_rc 0 "plot a made sweep (--out)" "$BIN" plot "$T/m.h5" --out "$T/mplots"
no_warning "plot a made sweep"
checked "made sweep" "$T/m.h5" "$T/mplots"
for p in a_share_vs_x.a b_price_base_vs_y.b fan_q_long_4 fan_p_lat_ns_1 overview; do
	[ -s "$T/mplots/$p.png" ] && ok || bad "made sweep: no $p.png"
done
contains "$T/mplots/index.txt" "summary e_nan not drawn: no point has a mean" "made sweep: a summary without values"
contains "$T/mplots/index.txt" "parameter z.c is text" "made sweep: a text parameter"
contains "$T/mplots/index.txt" "one time in 2 of its 2500" "made sweep: a sampled series"
contains "$T/err" "29 points have complete replicates" "made sweep: points chosen for the fans"

finish
