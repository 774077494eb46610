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


def main():
    out = sys.argv[1]
    for name, fn in (("huge", huge), ("long", long_), ("many", many), ("names", names),
                     ("mixed", mixed), ("longname", longname), ("world", world)):
        fn(os.path.join(out, name + ".h5"))


if __name__ == "__main__":
    main()
