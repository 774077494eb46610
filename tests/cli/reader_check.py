#!/usr/bin/python3
"""The checks of tests/cli/test_reader.sh: analysis/dnetsim_reader.py reads
a sweep file and a run file made here by dnetsim, and every value it gives
is checked against another source: `dnetsim sweep --list`, the results
files of members run again by hand with `dnetsim run --set`, and the
members' own values read with h5py alone.
Prints one line per check, "ok what" or "FAIL what", for lib.sh's
verdicts. Usage: reader_check.py DNETSIM_BIN SOURCE_DIR WORK_DIR
"""
import math
import os
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

BIN, SRC, T = sys.argv[1:4]
sys.path.insert(0, os.path.join(SRC, "analysis"))
import dnetsim_reader as dr  # noqa: E402

PY = sys.executable
READER = os.path.join(SRC, "analysis", "dnetsim_reader.py")
TIMING = {"wall_s", "events_per_wall_s"}  # a member's own timing: differs between two runs
T975_DF1 = 12.706204736174707  # Student t, 0.975 quantile, 1 degree of freedom (2 replicates)

# The first parameter is not the first by name, a comment names a parameter
# out of order, and one value makes its members fail (too few agents).
SWEEP = """\
sim: {model: world, seed: 5, end_time_s: 600, partitions: 2, sample_interval_s: 10}
world: {agents: 300}
sweep:   # chain.lambda varies fastest
  design: grid
  replicates: 2
  parameters:
    world.agents: [300, 20, 400]
    chain.lambda: [0.3, 0.7]
    chain.signatures: [keyed]
"""
SMALL = """\
sim: {model: world, seed: 9, end_time_s: 300, partitions: 1, sample_interval_s: 10}
sweep:
  replicates: 2
  parameters:
    chain.lambda: [0.4]
"""


def say(cond, what, details=()):
    details = list(details)
    print(("ok " if cond else "FAIL ") + what + ("" if cond or not details else
                                                ": " + "; ".join(str(d) for d in details[:5])))
    return cond


def run(*args, want=0, what=""):
    p = subprocess.run(args, cwd=T, capture_output=True, text=True, timeout=300)
    say(p.returncode == want, f"{what or ' '.join(args[1:3])}: exit {p.returncode} (want {want})",
        [p.stderr[-600:]])
    return p


def same(a, b):
    """Equal values: ints exactly, floats exactly but NaN equals NaN."""
    if a is pd.NA or b is pd.NA:
        return a is b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def py(v):
    """A numpy or pandas scalar as int / float (pd.NA stays)."""
    if v is pd.NA:
        return v
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    return float(v)


def raw_run(path):
    """A run file read with h5py alone: summary {name: int|float}, series {name: (t, v)}."""
    with h5py.File(path, "r") as f:
        summ = {k: (int(d[()]) if d.dtype.kind in "iu" else float(d[()])) for k, d in f["summary"].items()}
        ser = {k: (d["t_ns"][()], d["value"][()]) for k, d in f["series"].items()}
        units = {k: d.attrs["units"] for k, d in f["summary"].items()}
        seed = int(f["config"].attrs["seed"])
    return summ, ser, units, seed


def check_run(path, label):
    """The reader's view of a run file against h5py's."""
    summ, ser, units, seed = raw_run(path)
    r = dr.load(path)
    say(r.kind == "run" and r.config.get("seed") == seed and "world" in r.config.get("scenario", ""),
        f"{label}: a run, config seed {seed} and the scenario text")
    bad = [k for k in summ if k not in r.summary.index or type(r.summary[k]) is not type(summ[k])
           or not same(r.summary[k], summ[k])]
    say(not bad and len(r.summary) == len(summ), f"{label}: {len(summ)} summary scalars, ints exact",
        [f"{k}: {r.summary.get(k)!r} vs {summ[k]!r}" for k in bad])
    bad = [k for k in units if r.summary_info.at[k, "units"] != units[k]]
    say(not bad, f"{label}: summary units", bad)
    bad = []
    for k, (t, v) in ser.items():
        df = r.series(k)
        if not (np.array_equal(df.index.to_numpy(), t) and df.index.dtype == np.int64
                and df["value"].dtype == v.dtype
                and np.array_equal(df["value"].to_numpy(), v, equal_nan=v.dtype.kind == "f")
                and np.array_equal(df["t_s"].to_numpy(), t / 1e9)):
            bad.append(k)
    say(not bad and sorted(r.series) == sorted(ser), f"{label}: {len(ser)} series, times and values", bad)
    return r, ser


def main():
    with open(os.path.join(T, "s.yaml"), "w") as f:
        f.write(SWEEP)
    with open(os.path.join(T, "small.yaml"), "w") as f:
        f.write(SMALL)

    # --list: the members as dnetsim sees them
    lines = run(BIN, "sweep", "s.yaml", "--list", what="sweep --list").stdout.splitlines()
    rows = [ln.split("\t") for ln in lines if not ln.startswith("#")]
    header, rows = rows[0], rows[1:]
    list_params = header[4:]
    run(BIN, "sweep", "s.yaml", "--out", "s.h5", "--jobs", "2", "--quiet", want=1,
        what="the sweep (the members with 20 agents fail)")
    sw = dr.load(os.path.join(T, "s.h5"))
    m, pts = sw.members, sw.points
    reps = sw.config["replicates"]

    say(sw.kind == "sweep" and len(m) == len(pts) * reps == len(rows) == sw.config["n_members"] == 12
        and len(pts) == sw.config["n_points"] == 6 and reps == 2,
        f"members {len(m)} = points {len(pts)} x replicates {reps} = the {len(rows)} of --list")
    say(sw.params == list_params, f"parameters in --list's order: {sw.params} vs {list_params}")
    say(list(m.columns[:8]) == list(dr.MEMBER_COLUMNS) and list(m.columns[8:8 + len(list_params)]) == list_params,
        f"members' first columns: {list(m.columns[:8 + len(list_params)])}")

    bad = []
    for r in rows:
        i = int(r[0])
        if tuple(int(m.at[i, c]) for c in ("index", "point", "replicate", "seed")) != \
                (i, int(r[1]), int(r[2]), int(r[3])):
            bad.append(f"member {i}: index/point/replicate/seed")
        for j, p in enumerate(list_params):
            want, got = r[4 + j], m.at[i, p]
            try:
                equal = got == want if isinstance(got, str) else float(got) == float(want)
            except (TypeError, ValueError):
                equal = False
            if not equal:
                bad.append(f"member {i} {p}: {got!r} vs {want}")
    say(not bad, "every member's point, replicate, seed and values equal --list's", bad)
    say(m["seed"].dtype == np.uint64 and m["world.agents"].dtype == np.float64
        and m["chain.lambda"].dtype == np.float64
        and all(type(x) is str for c in ("chain.signatures", "status", "reason", "worker") for x in m[c]),
        "dtypes: seed uint64, numeric parameters float64, strings str")

    failed = m["world.agents"] == 20
    say(list(m["status"]) == ["failed" if x else "complete" for x in failed]
        and all("too small" in x for x in m.loc[failed, "reason"])
        and all(x == "" for x in m.loc[~failed, "reason"]),
        "status and reason: the members with 20 agents failed, the others completed")

    info = sw.summary_info
    scols = list(info["column"])
    say(info.at["wall_s", "column"] == "summary.wall_s" and m["wall_s"].dtype == np.float64
        and (m["wall_s"] > 0).all(), "the members' wall_s and their own summary wall_s are two columns")
    bad = [n for n in info.index if str(m[info.at[n, "column"]].dtype) !=
           {"int64": "Int64", "float64": "float64"}.get(info.at[n, "dtype"])]
    say(not bad and (info["dtype"] == "int64").sum() > 10,
        f"integer summaries are nullable Int64 ({(info['dtype'] == 'int64').sum()}), floats float64", bad)
    say(m.loc[failed, scols].isna().all().all(), "a failed member's summaries are all NA / NaN")
    ints = [info.at[n, "column"] for n in info.index if info.at[n, "dtype"] == "int64"]
    say(m.loc[~failed, ints].notna().all().all(), "a complete member's integer summaries are all present")

    # Each complete member run again by hand, from --list's values and seed.
    own = {}
    for r in rows:
        i = int(r[0])
        if failed[i]:
            continue
        sets = []
        for j, p in enumerate(list_params):
            sets += ["--set", f"{p}={r[4 + j]}"]
        out = f"m{i}.h5"
        run(BIN, "run", "s.yaml", *sets, "--set", f"sim.seed={r[3]}", "--out", out, "--quiet",
            what=f"member {i} run by hand")
        own[i] = raw_run(os.path.join(T, out))
    say(len(own) == 8, f"{len(own)} members run by hand")

    bad = []
    for i, (summ, _, _, _) in own.items():
        if set(summ) != set(info.index):
            bad.append(f"member {i}: summary names differ")
        for n, want in summ.items():
            if n in TIMING or n not in info.index:
                continue
            got = py(m.at[i, info.at[n, "column"]])
            if type(got) is not type(want) or not same(got, want):
                bad.append(f"member {i} {n}: {got!r} vs {want!r}")
    say(not bad, "every summary column of a complete member equals its own run's /summary", bad)

    # Point statistics, from the members' own runs (and, for the timing
    # summaries only the sweep measured, from the members table).
    bad = []
    for p in pts.index:
        mine = m.index[m["point"] == p]
        for q in sw.params:
            if len(set(m.loc[mine, q])) != 1 or pts.at[p, q] != m.loc[mine[0], q]:
                bad.append(f"point {p} {q}")
        done = [i for i in mine if i in own]
        for n in info.index:
            if n in TIMING:
                xs = [float(m.at[i, info.at[n, "column"]]) for i in done]
            else:
                xs = [float(own[i][0][n]) for i in done]
            xs = [x for x in xs if not math.isnan(x)]
            # an integer summary whose description says -1 means none
            desc = str(info.at[n, "description"])
            if info.at[n, "dtype"] == "int64" and ("-1 if " in desc or "-1: " in desc
                                                   or "-1 without " in desc):
                xs = [x for x in xs if x != -1]
            k = len(xs)
            got = [float(pts.at[p, f"{n}_{s}"]) for s in ("mean", "sd", "ci95_lo", "ci95_hi")]
            if pts.at[p, f"{n}_count"] != k or pts[f"{n}_count"].dtype != np.int64:
                bad.append(f"point {p} {n}: count {pts.at[p, f'{n}_count']} vs {k}")
                continue
            if k == 0:
                want = [math.nan] * 4
            else:
                mean = sum(xs) / k
                sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (k - 1)) if k > 1 else math.nan
                half = T975_DF1 * sd / math.sqrt(k) if k == 2 else math.nan
                want = [mean, sd, mean - half, mean + half]
            for s, g, w in zip(("mean", "sd", "ci95_lo", "ci95_hi"), got, want):
                if not (math.isnan(g) and math.isnan(w)) and not math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-9):
                    bad.append(f"point {p} {n}_{s}: {g!r} vs {w!r}")
    say(not bad, f"the {len(pts)} points' values, means, sd, 95 % intervals and counts", bad)
    st = sw.point_stats("world_blocks")
    say(list(st.columns) == sw.params + ["mean", "sd", "ci95_lo", "ci95_hi", "count"]
        and np.array_equal(st["mean"].to_numpy(), pts["world_blocks_mean"].to_numpy(), equal_nan=True),
        "point_stats gives one summary's columns")

    # Series: every member's column against its own run's series.
    names = set().union(*(set(o[1]) for o in own.values()))
    say(sorted(sw.series) == sorted(names) and len(names) > 50,
        f"the sweep's {len(sw.series)} series are the members' ({len(names)})")
    bad, checked, ints_seen = [], 0, 0
    for n in sorted(sw.series):
        df = sw.series(n)
        if list(df.columns) != list(m.index) or df.index.dtype != np.int64:
            bad.append(f"{n}: columns or index")
            continue
        is_int = str(df.dtypes.iloc[0]) == "Int64"
        ints_seen += is_int
        if not (is_int or str(df.dtypes.iloc[0]) == "float64") or len(set(map(str, df.dtypes))) != 1:
            bad.append(f"{n}: dtype {df.dtypes.iloc[0]}")
        unaligned = 0
        for i in m.index:
            col = df[i]
            if i not in own:
                if not col.isna().all():
                    bad.append(f"{n}: failed member {i} has values")
                continue
            t, v = own[i][1][n]
            if (v.dtype.kind == "i") != is_int:
                bad.append(f"{n}: member {i} dtype {v.dtype}")
            if len(t) > len(df) or not np.array_equal(df.index.to_numpy()[: len(t)], t):
                unaligned += 1
                if not col.isna().all():
                    bad.append(f"{n}: unaligned member {i} has values")
                continue
            head, tail = col.iloc[: len(t)], col.iloc[len(t):]
            ok = head.notna().to_numpy() == (~np.isnan(v) if v.dtype.kind == "f" else True)
            vals = head.to_numpy(dtype=np.float64 if v.dtype.kind == "f" else np.int64, na_value=np.nan
                                 if v.dtype.kind == "f" else 0)
            if not (np.all(ok) and np.array_equal(vals, v, equal_nan=v.dtype.kind == "f") and tail.isna().all()):
                bad.append(f"{n}: member {i}")
            checked += 1
        if df.attrs.get("unaligned_members") != unaligned:
            bad.append(f"{n}: unaligned_members {df.attrs.get('unaligned_members')} vs {unaligned}")
    say(not bad and checked > 0 and ints_seen > 0,
        f"{checked} member columns of {len(sw.series)} series ({ints_seen} integer) equal the members' own series",
        bad)
    say(sw.series.info.loc["dnet_price", "units"] == sw.series("dnet_price").attrs["units"] != "",
        "series units in info and attrs")

    # One member's run read by the reader too, and the base scenario's run.
    first = min(own)
    check_run(os.path.join(T, f"m{first}.h5"), f"member {first}'s own run")
    run(BIN, "run", "s.yaml", "--out", "r.h5", "--quiet", what="the base scenario's run")
    r, ser = check_run(os.path.join(T, "r.h5"), "run file")
    lg = r.series.long()
    say(len(lg) == sum(len(t) for t, _ in ser.values()) and list(lg.columns) == ["series", "t_ns", "t_s", "value"]
        and lg["t_ns"].dtype == np.int64, "series.long(): every row of every series")
    ik = [k for k, (_, v) in ser.items() if v.dtype.kind == "i"][:3]
    lg = r.series.long(ik)
    say(bool(ik) and lg["value"].dtype == np.int64 and len(lg) == sum(len(ser[k][0]) for k in ik),
        "series.long() of integer series stays int64")

    # A sweep without series, and the script.
    run(BIN, "sweep", "small.yaml", "--out", "small.h5", "--series", "none", "--quiet",
        what="a sweep with --series none")
    sm = dr.load(os.path.join(T, "small.h5"))
    say(len(sm.series) == 0 and sm.config["series_gathered"] is False and len(sm.members) == 2
        and (sm.members["status"] == "complete").all() and sm.params == ["chain.lambda"],
        "a sweep file without series loads, with no series")
    p = run(PY, READER, "s.h5", what="dnetsim_reader.py on the sweep")
    say("sweep file" in p.stdout and "= 12 members" in p.stdout and "4 failed" in p.stdout
        and "world.agents: 300, 20, 400" in p.stdout, "the script describes the sweep", [p.stdout[:400]])
    p = run(PY, READER, "r.h5", what="dnetsim_reader.py on the run")
    say("run file" in p.stdout and "summary scalars" in p.stdout, "the script describes the run", [p.stdout[:400]])
    run(PY, READER, "s.yaml", want=1, what="dnetsim_reader.py on a file that is not HDF5")
    run(PY, READER, want=2, what="dnetsim_reader.py without a file")

    # ROC curves of an attack (docs/attacks.md): a short custody sweep and
    # one of its attacked members.
    with open(os.path.join(T, "roc.yaml"), "w") as f:
        f.write(f"include: {SRC}/scenarios/attacks/world.yaml\n"
                "sim: {end_time_s: 2400}\nattack: {kind: custody, size: 20}\n"
                "sweep: {parameters: {attack.active: [false, true]}, replicates: 2, seeds: common, seed: 7}\n")
    run(BIN, "sweep", "roc.yaml", "--out", "roc.h5", "--quiet", "--series", "none", what="an attack sweep")
    ra = dr.load(os.path.join(T, "roc.h5"))
    rc = ra.roc("whale")
    fprs = [0.001, 0.01, 0.05, 0.1, 0.2, 0.5]
    keys = ["0p1", "1", "5", "10", "20", "50"]
    att = rc[rc["attack.active"] == "true"]
    say(list(att["fpr"]) == fprs and list(rc.columns) == ["attack.active", "fpr", "mean", "ci95_lo", "ci95_hi", "count"]
        and all(np.isclose(att["mean"].iloc[i], ra.points.at[1, f"detect_whale_roc_{k}_mean"]) for i, k in enumerate(keys))
        and att["mean"].is_monotonic_increasing and rc[rc["attack.active"] == "false"]["mean"].isna().all(),
        "Sweep.roc: the ROC summaries by false positive rate, rising, NaN in the twin", [rc.to_string()[:600]])
    run(BIN, "run", "roc.yaml", "--set", "sim.seed=7", "--out", "roc1.h5", "--quiet", what="an attacked run")
    r1 = dr.load(os.path.join(T, "roc1.h5"))
    c1 = r1.roc("whale")
    say(list(c1["fpr"]) == [0.0] + fprs + [1.0] and c1["tpr"].iloc[0] == 0 and c1["tpr"].iloc[-1] == 1
        and all(c1["tpr"].iloc[i + 1] == float(r1.summary[f"detect_whale_roc_{k}"]) for i, k in enumerate(keys))
        and c1["tpr"].is_monotonic_increasing, "Run.roc: (0, 0), the sampled points, (1, 1)", [c1.to_string()])
    try:
        r1.roc("nonesuch")
        say(False, "Run.roc of an unknown detector raises KeyError")
    except KeyError:
        say(True, "Run.roc of an unknown detector raises KeyError")


main()
