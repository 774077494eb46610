#!/usr/bin/env python3
"""hostile_h5.py OUTDIR: writes the results files test_plot_hostile.sh feeds
to `dnetsim plot`. Each is a valid HDF5 file that a careless or hostile
user could hand over; none is one `dnetsim run` would write.

  huge.h5   /series/huge declares 1.3e9 rows (one 4096-row chunk written:
            16 KiB on disk) next to a normal series /series/ok
  long.h5   /series/long: 2,000,000 rows with one spike
  many.h5   2,100 series of 3 rows
  names.h5  series whose names are gnuplot and shell syntax, control
            characters, bytes that are not UTF-8; labels likewise
  mixed.h5  under /series: links, a group, datasets that are not series
            tables, a named type, rows in an external file, and the
            good series a, int_units (@units not a string) and z
  longname.h5  a series named with 300 bytes, and the good series ok
  world.h5  the 16 series of the world model's overview, 5,000 rows each

Sweep files (a /members group: `dnetsim plot` draws them as a sweep):
  sw_ok.h5       a small valid sweep of a model without headline names:
                 two numeric parameters, a text one, float and integer
                 summaries, two series
  sw_failed.h5   every member failed: NaN / INT64_MIN everywhere
  sw_strings.h5  strings where numbers belong (a /points/mean column, a
                 series' value), numbers for /members/status, a table for a
                 parameter, columns of the wrong length, links; and
                 sw_strings-point.h5: the members' points as strings
  sw_huge.h5     sizes declared far past what is stored: a column and a
                 series of 2^40 rows, chunks of 64 MiB, 2^26 rows never
                 written; sw_huge-members.h5: 2^40 members' points;
                 sw_huge-points.h5: 2^40 points
  sw_names.h5    parameter, summary and series names that are gnuplot and
                 shell syntax or control characters
  sw_odd.h5      points that are no point (negative, NaN, 2.5), no /points,
                 no /config, an empty /series
"""
import os
import sys

import h5py
import numpy as np

ROW = np.dtype([("t_ns", "<i8"), ("value", "<f8")])
IROW = np.dtype([("t_ns", "<i8"), ("value", "<i8")])


def rows(n, value=None, dt=ROW):
    a = np.zeros(n, dtype=dt)
    a["t_ns"] = np.arange(n, dtype=np.int64) * 10**9
    a["value"] = np.arange(n) % 7 if value is None else value
    return a


def series(g, name, data, units="1", description="a test series"):
    d = g.create_dataset(name, data=data, maxshape=(None,), chunks=(4096,),
                         compression="gzip", compression_opts=1, shuffle=True)
    d.attrs["units"] = units
    d.attrs["description"] = description
    d.attrs["time_units"] = "ns"
    return d


def huge(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        d = g.create_dataset("huge", shape=(1_300_000_000,), maxshape=(None,), dtype=ROW,
                             chunks=(4096,), compression="gzip", shuffle=True)
        d[0:4096] = rows(4096)
        series(g, "ok", rows(3))


def long_(path):
    with h5py.File(path, "w") as f:
        a = rows(2_000_000)
        a["t_ns"] = np.arange(len(a), dtype=np.int64) * 10**6
        a["value"][1_234_567] = 1e6
        series(f.create_group("series"), "long", a)


def many(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        for i in range(2100):
            g.create_dataset("s%04d" % i, data=rows(3))


NAMES = [
    "'", '"', "\\", "a\nb", "a_b", "$(touch PWNED)", "`touch PWNED2`", "@x",
    "it's \"q\" \\ z", "\x1b[31mred", "tab\there",
]


def names(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        for n in NAMES:
            series(g, n, rows(5), units="'\"$(touch PWNED3)",
                   description="line\nbreak `touch PWNED4` @x \\")
        series(g, b"bad \xff utf8", rows(5))


def mixed(path):
    ext = os.path.join(os.path.dirname(path), "mixed-raw.bin")
    with open(ext, "wb") as e:
        e.write(rows(10).tobytes())
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        series(g, "a", rows(4))
        g["alias"] = h5py.SoftLink("/series/a")
        g["dangling"] = h5py.SoftLink("/nowhere")
        g["elsewhere"] = h5py.ExternalLink("no-such-file.h5", "/x")
        g.create_group("grp")
        g["floats"] = np.arange(10.0)
        g.create_dataset("no_t_ns", data=np.zeros(3, dtype=[("time", "<i8"), ("value", "<f8")]))
        g.create_dataset("twod", data=np.zeros((3, 2), dtype=ROW))
        g.create_dataset("scalar", data=np.zeros((), dtype=ROW))
        g["named_type"] = np.dtype("<f8")
        g.create_dataset("external", shape=(10,), dtype=ROW, external=[(ext, 0, 160)])
        d = series(g, "int_units", rows(3, dt=IROW))
        d.attrs["units"] = 42  # not a string: drawn without it
        series(g, "z", rows(4))


def longname(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        g.create_dataset("x" * 300, data=rows(3))
        series(g, "ok", rows(3))


OVERVIEW = [
    "dnet_price", "coverage", "service_latency_p50_ns", "service_latency_p99_ns",
    "service_price_usd_gb", "holdings_gini", "holdings_top_share", "dtoken_share",
    "initial_vote_share", "delegate_income_usd", "delegate_cost_usd", "sharers_online",
    "sessions_active", "fraud_attempted", "fraud_caught", "missed_slots",
]


def world(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("series")
        n = 5000
        for k, name in enumerate(OVERVIEW):
            a = rows(n)
            a["t_ns"] = np.arange(n, dtype=np.int64) * 10 * 10**9
            a["value"] = np.abs(np.sin(np.arange(n) / 300.0 + k))
            series(g, name, a)


VSTR = h5py.string_dtype("utf-8")


def sweep(path, params=None, summaries=None, series=None, n_points=3, reps=2, status=None,
          gathered=True):
    """A sweep file as sweepfile.c writes one: members point by point.
    params: name -> n_points values (numbers or str); summaries: name ->
    n_members values (float or int array); series: name -> (t_ns, values
    [n_members][rows]). Returns the open file for more mischief."""
    n = n_points * reps
    f = h5py.File(path, "w")
    c = f.create_group("config")
    for k, v in (("design", "grid"), ("version", "0.1.0"), ("seeds", "member")):
        c.attrs[k] = v
    c.attrs["replicates"], c.attrs["n_points"], c.attrs["n_members"] = reps, n_points, n
    m = f.create_group("members")
    m["index"] = np.arange(n, dtype=np.int64)
    m["point"] = np.repeat(np.arange(n_points, dtype=np.int64), reps)
    m["replicate"] = np.tile(np.arange(reps, dtype=np.int64), n_points)
    m["seed"] = np.arange(n, dtype=np.uint64) * 7919
    st = status if status is not None else ["complete"] * n
    m.create_dataset("status", data=np.array(st, dtype=object), dtype=VSTR)
    m.create_dataset("reason", data=np.array([""] * n, dtype=object), dtype=VSTR)
    m["wall_s"] = np.ones(n)
    pts = f.create_group("points")
    mp, pp = m.create_group("param"), pts.create_group("param")
    for name, vals in (params or {}).items():
        if isinstance(vals[0], str):
            pp.create_dataset(name, data=np.array(vals, dtype=object), dtype=VSTR)
            mp.create_dataset(name, data=np.array(np.repeat(vals, reps), dtype=object), dtype=VSTR)
        else:
            pp[name] = np.asarray(vals, dtype=float)
            mp[name] = np.repeat(np.asarray(vals, dtype=float), reps)
    ms = m.create_group("summary")
    groups = {k: pts.create_group(k) for k in ("mean", "sd", "ci95_lo", "ci95_hi", "count")}
    for name, vals in (summaries or {}).items():
        vals = np.asarray(vals)
        d = ms.create_dataset(name, data=vals)
        d.attrs["units"], d.attrs["description"] = "1", "a test summary"
        x = vals.astype(float)
        if vals.dtype.kind == "i":
            x[vals == np.iinfo(np.int64).min] = np.nan
        x = x.reshape(n_points, reps)
        ok = np.isfinite(x)
        cnt = ok.sum(axis=1)
        with np.errstate(all="ignore"):
            mean = np.where(cnt > 0, np.nansum(np.where(ok, x, 0), axis=1) / cnt, np.nan)
            sd = np.array([np.std(r[np.isfinite(r)], ddof=1) if np.isfinite(r).sum() > 1
                           else np.nan for r in x])
        half = 1.96 * sd / np.sqrt(np.maximum(cnt, 1))
        for k, v in (("mean", mean), ("sd", sd), ("ci95_lo", mean - half),
                     ("ci95_hi", mean + half), ("count", cnt.astype(np.int64))):
            groups[k][name] = v
    if gathered:
        sg = f.create_group("series")
        for name, (t, v) in (series or {}).items():
            g = sg.create_group(name)
            g["t_ns"] = np.asarray(t, dtype=np.int64)
            g.create_dataset("value", data=v, chunks=(1, max(1, v.shape[1])))
            g.attrs["units"], g.attrs["description"] = "1", "a test series"
    return f


def sw_series(n, rows=5):
    t = np.arange(1, rows + 1, dtype=np.int64) * 3600 * 10**9
    return t, np.arange(n * rows, dtype=float).reshape(n, rows) % 7


def sw_ok(path):
    n = 3 * 2
    with sweep(path, params={"a.x": [0.1, 0.2, 0.3], "b.y": [1.0, 1.0, 2.0],
                             "kind": ["p", "q", "r"]},
               summaries={"f1": np.arange(n, dtype=float), "i1": np.arange(n, dtype=np.int64)},
               series={"s1": sw_series(n), "s2": sw_series(n, 1)}):
        pass


def sw_failed(path):
    n = 3 * 2
    imin = np.iinfo(np.int64).min
    with sweep(path, params={"a.x": [0.1, 0.2, 0.3]}, status=["failed"] * n,
               summaries={"f1": np.full(n, np.nan), "i1": np.full(n, imin, dtype=np.int64)},
               series={"s1": (sw_series(n)[0], np.full((n, 5), np.nan))}):
        pass


def sw_strings(path):
    n = 3 * 2
    with sweep(path, params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float), "f2": np.arange(n, dtype=float),
                          "f3": np.arange(n, dtype=float), "f4": np.arange(n, dtype=float)},
               series={"s1": sw_series(n)}) as f:
        del f["members/status"]
        f["members/status"] = np.ones(n, dtype=np.int64)    # not strings: all count
        del f["members/summary/f4"]
        f["members/summary/f4"] = np.arange(2.0)             # the wrong length: no dots
        del f["points/mean/f1"]
        f["points/mean"].create_dataset("f1", data=np.array(["1", "2", "3"], dtype=object),
                                        dtype=VSTR)
        del f["points/mean/f2"]
        f["points/mean/f2"] = np.arange(7.0)               # the wrong length
        del f["points/mean/f3"]
        f["points/mean/f3"] = h5py.SoftLink("/points/sd/f3")
        f["points/param/tbl"] = np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")])
        del f["series/s1/value"]
        f["series/s1"].create_dataset("value", data=np.array([["x"] * 5] * n, dtype=object),
                                      dtype=VSTR)
        f["series/s2"] = h5py.ExternalLink("elsewhere.h5", "/x")
        f["series"].create_group("s3")                       # no t_ns, no value
    # a second file: the members' points as strings
    with sweep(path[:-3] + "-point.h5", params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float)}, series={"s1": sw_series(n)}) as f:
        del f["members/point"]
        f["members"].create_dataset("point", data=np.array(["0"] * n, dtype=object), dtype=VSTR)


def sw_huge(path):
    n = 3 * 2
    with sweep(path, params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float)}, series={"s0": sw_series(n)}) as f:
        del f["points/ci95_lo/f1"]
        f["points/ci95_lo"].create_dataset("f1", shape=(2**40,), dtype="<f8", chunks=(65536,))
        g = f["series"].create_group("s1")
        g.create_dataset("t_ns", shape=(2**40,), dtype="<i8", chunks=(65536,))
        g.create_dataset("value", shape=(n, 2**40), dtype="<f8", chunks=(1, 65536))
        g = f["series"].create_group("s2")                   # 2^26 rows, none written
        g.create_dataset("t_ns", shape=(2**26,), dtype="<i8", chunks=(65536,))
        g.create_dataset("value", shape=(n, 2**26), dtype="<f8", chunks=(1, 65536))
        g = f["series"].create_group("s3")                   # chunks of 64 MiB
        g.create_dataset("t_ns", data=np.arange(10, dtype=np.int64))
        g.create_dataset("value", shape=(n, 10), maxshape=(None, None), dtype="<f8",
                         chunks=(2048, 4096))
        del f["members/summary/f1"]
        f["members"].create_dataset("summary/f1", shape=(2**40,), dtype="<f8", chunks=(65536,))
    # a second file: 2^40 members declared
    with sweep(path[:-3] + "-members.h5", params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float)}, series={"s0": sw_series(n)}) as f:
        del f["members/point"]
        f["members"].create_dataset("point", shape=(2**40,), dtype="<i8", chunks=(65536,))
    # a third: 2^40 points declared
    with sweep(path[:-3] + "-points.h5", params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float)}, series={"s0": sw_series(n)}) as f:
        del f["points/param/a.x"]
        f["points/param"].create_dataset("a.x", shape=(2**40,), dtype="<f8", chunks=(65536,))


SW_NAMES = ["'", '"', "\\", "a\nb", "$(touch PWNED)", "`touch PWNED2`", "@x", "\x1b[31mred",
            "it's \"q\""]


def sw_names(path):
    n = 3 * 2
    params = {"p" + k: [0.1 * (i + 1), 0.2 * (i + 1), 0.3 * (i + 1)] for i, k in enumerate(SW_NAMES[:3])}
    params["$(touch PWNED3)"] = ["`a`", "'b'", "\"c\""]        # text: only in legends
    summaries = {k: np.arange(n, dtype=float) * (i + 1) for i, k in enumerate(SW_NAMES)}
    series = {k: sw_series(n) for k in SW_NAMES[:4]}
    with sweep(path, params=params, summaries=summaries, series=series) as f:
        for k in SW_NAMES:
            f["members/summary"][k].attrs["units"] = "'\"$(touch PWNED4)"
            f["members/summary"][k].attrs["description"] = "line\nbreak `touch PWNED5` @x \\"
        f["config"].attrs["design"] = "grid\n$(touch PWNED6)"


def sw_odd(path):
    n = 3 * 2
    with sweep(path, params={"a.x": [0.1, 0.2, 0.3]},
               summaries={"f1": np.arange(n, dtype=float)}, series={}) as f:
        del f["members/point"]
        f["members/point"] = np.array([0, -5, 2.5, 99, np.nan, 1])  # floats, some no point
        del f["points"]
        del f["config"]


def main():
    out = sys.argv[1]
    for name, fn in (("huge", huge), ("long", long_), ("many", many), ("names", names),
                     ("mixed", mixed), ("longname", longname), ("world", world),
                     ("sw_ok", sw_ok), ("sw_failed", sw_failed), ("sw_strings", sw_strings),
                     ("sw_huge", sw_huge), ("sw_names", sw_names), ("sw_odd", sw_odd)):
        fn(os.path.join(out, name + ".h5"))


if __name__ == "__main__":
    main()
