#!/usr/bin/python3
"""Compares two sweep files (docs/hdf5-schema.md, "Sweep files") value by
value, leaving out what depends on when and where members ran: /config's
@created, /members' wall_s and worker, and the members' own timing
summaries (wall_s, events_per_wall_s, serial_windows) with their point
statistics.
Exit 0 when equal; otherwise prints the first differences and exits 1.
Usage: sweep_compare.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np

TIMING = {"wall_s", "events_per_wall_s", "serial_windows"}
SKIP_MEMBERS = {"wall_s", "worker"}


def walk(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj
    f.visititems(visit)
    return out


def skipped(name):
    parts = name.split("/")
    if parts[0] == "members" and len(parts) == 2 and parts[1] in SKIP_MEMBERS:
        return True
    if parts[-1] in TIMING and parts[0] in ("members", "points"):
        return True
    return False


def same(a, b):
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    x, y = a[()], b[()]
    if a.dtype.kind == "f":
        return np.array_equal(x, y, equal_nan=True)
    return np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y


def main():
    fa, fb = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    da, db = walk(fa), walk(fb)
    bad = []
    for name in sorted(set(da) | set(db)):
        if skipped(name):
            continue
        if name not in da or name not in db:
            bad.append(f"{name}: only in {'B' if name not in da else 'A'}")
        elif not same(da[name], db[name]):
            bad.append(f"{name}: values differ")
    for k in set(fa["config"].attrs) | set(fb["config"].attrs):
        if k != "created" and (k not in fa["config"].attrs or k not in fb["config"].attrs
                               or fa["config"].attrs[k] != fb["config"].attrs[k]):
            bad.append(f"/config@{k} differs")
    if bad:
        print("\n".join(bad[:20]))
        print(f"{len(bad)} differences")
        return 1
    print(f"equal: {len(da)} datasets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
