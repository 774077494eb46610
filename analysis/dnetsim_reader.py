#!/usr/bin/python3
"""dnetsim_reader: load dnetsim results files into pandas.

One call, ``load(path)``, opens either kind of file dnetsim writes
(docs/hdf5-schema.md describes both; a file with a ``/members`` group is
a sweep file, any other a run file) and returns a ``Run`` or a ``Sweep``:

    import dnetsim_reader as dr
    r = dr.load("run.h5")             # dnetsim run ... --out run.h5
    r.summary["world_dnet_price"]      # one end-of-run scalar
    r.series("dnet_price")             # DataFrame: index t_ns, columns t_s, value
    r.roc("whale")                     # an attack run: a detector's ROC curve (docs/attacks.md)

    s = dr.load("sweep.h5")           # dnetsim sweep ... --out sweep.h5
    s.members                          # one row per member
    s.points                           # one row per point: mean, sd, CI, count
    s.paired("attack_worth_usd")       # seeds: common: each point minus point 0, paired
    s.roc("whale")                     # attack sweeps: the ROC curve per point, averaged vertically
    s.point_stats("world_dnet_price")  # one summary's statistics per point
    s.series("dnet_price")             # DataFrame: index t_ns, one column per member

What each object holds (every string is a ``str``, every int64 stays an
exact integer, nothing is rounded through a float):

``Run`` (``kind == "run"``)
    config        dict: the attributes of /config (version, seed,
                  git_revision, threads, created) and ``scenario``, the
                  resolved scenario as YAML text. Empty if the file has no
                  /config.
    summary       pandas Series indexed by summary name, dtype object, each
                  value a Python ``int`` (int64 summaries, exact) or
                  ``float``. ``summary.astype(float)`` for arithmetic.
    summary_info  DataFrame indexed by summary name: units, description,
                  dtype ("int64" or "float64").
    series        a SeriesMap (below) of the run's time series.

``Sweep`` (``kind == "sweep"``)
    config        dict: the attributes of /config (version, git_revision,
                  created, design, seeds, seed, replicates, n_points,
                  n_members, series_gathered as a bool) and ``scenario``
                  (the sweep's file as written) and ``base`` (the resolved
                  base scenario, YAML).
    params        list of the swept parameters' names, in the file's order
                  (the order ``dnetsim sweep FILE --list`` prints).
    param_info    DataFrame indexed by parameter name: units, dtype.
    members       DataFrame, one row per member, indexed by the member's
                  index (index name ``member``; member m is ``.loc[m]``).
                  Columns: index (the same number, as in the file), point,
                  replicate (int64), seed (uint64), status ("pending",
                  "complete" or "failed"), reason (why it failed, else ""),
                  wall_s (the member's run time as the sweep measured it, s),
                  worker (str); then one column per swept parameter, named
                  as the parameter ("chain.lambda"): float64 for numeric
                  parameters, str otherwise; then one column per summary
                  scalar. A float summary is float64 with NaN, an integer
                  one pandas' nullable ``Int64`` with ``pd.NA``, for a member
                  that is not complete (the file's NaN / INT64_MIN fill).
                  A summary whose name is already a member column (every
                  world run records its own ``wall_s``) is named
                  ``summary.<name>``; ``summary_info.column`` says which
                  column holds which summary.
    summary_info  DataFrame indexed by summary name: column (its column in
                  ``members``), units, description, dtype.
    points        DataFrame, one row per point, indexed by the point number
                  (index name ``point``). Columns: the swept parameters,
                  then for every summary scalar ``<name>_mean``,
                  ``<name>_sd``, ``<name>_ci95_lo``, ``<name>_ci95_hi``
                  (float64, NaN when undefined) and ``<name>_count``
                  (int64: the point's complete replicates the statistics
                  are over). Summary names never hold a dot and parameter
                  names always do, so the names cannot collide.
    series        a SeriesMap of the gathered series; empty when the file
                  has none (``dnetsim sweep --series none``, or a sweep
                  still running: ``config["series_gathered"]``).

``SeriesMap`` (``r.series``, ``s.series``)
    A read-only mapping from series name to DataFrame, also callable:
    ``x.series("dnet_price")`` is ``x.series["dnet_price"]``. ``list(...)``
    gives the names in name order; ``x.series.info`` is a DataFrame of
    every series' attributes and row count, read without loading any rows.
    A series is read from the file when first asked for (the file is opened
    again by its path then) and kept.

    Run: index ``t_ns`` (int64, simulated ns since the start; it never
    decreases but may repeat), columns ``t_s`` (float64 seconds) and
    ``value`` (int64 or float64, as stored). An integer series that
    writes -1 for "no sample" (its description says so) keeps the -1.
    ``r.series.long(names=None)`` stacks series into one long DataFrame
    with columns series, t_ns, t_s, value (value is float64 unless every
    series asked for is an integer series; pass names to choose).

    Sweep: index ``t_ns`` (the reference times: those of the first complete
    member with the most rows), one column per member (columns named by
    member index, columns' name ``member``). float64 with NaN, or ``Int64``
    with ``pd.NA``, where a member has no value: a member that did not
    complete, rows after a shorter member's last one, and the whole column
    of a member whose times are not a prefix of the reference times (the
    count of those is ``df.attrs["unaligned_members"]``). ``df.attrs``
    also holds units and description. ``df.index / 1e9`` is seconds.

Only h5py, numpy and pandas are needed (Debian: python3-h5py,
python3-pandas). Run as a script it prints a short description of a file:

    python3 analysis/dnetsim_reader.py FILE.h5
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

__all__ = ["load", "Run", "Sweep", "SeriesMap"]

INT64_MIN = np.iinfo(np.int64).min
MEMBER_COLUMNS = ("index", "point", "replicate", "seed", "status", "reason", "wall_s", "worker")
STATS = ("mean", "sd", "ci95_lo", "ci95_hi", "count")
PAIRED_STATS = ("mean", "ci95_lo", "ci95_hi", "count")


# ---- reading helpers ----

def _py(v):
    """An attribute value as a plain Python value (str, int, float, bool, list)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray):
        return [_py(x) for x in v.tolist()] if v.dtype.kind in "OS" else v.tolist()
    return v


def _attrs(obj) -> dict:
    return {k: _py(obj.attrs[k]) for k in sorted(obj.attrs)}


def _attr_str(obj, key, default=""):
    return str(_py(obj.attrs[key])) if key in obj.attrs else default


def _is_text(ds) -> bool:
    return h5py.check_string_dtype(ds.dtype) is not None


def _read(ds):
    """A dataset's data: str / array of str for strings, else numpy as stored."""
    if _is_text(ds):
        data = ds.asstr("utf-8", "replace")[()]
        return data if isinstance(data, str) else np.array(list(data), dtype=object)
    return ds[()]


def _column(data):
    """A 1-D column for a DataFrame: int64 with INT64_MIN fills becomes Int64 with NA."""
    if isinstance(data, np.ndarray) and data.dtype == np.int64:
        return pd.arrays.IntegerArray(data, data == INT64_MIN)
    return data


def _dtype_name(ds) -> str:
    if _is_text(ds):
        return "str"
    return str(ds.dtype)


def _datasets(group):
    """(name, dataset) of the datasets in a group, in name order (subgroups skipped)."""
    out = []
    for name in sorted(group):
        obj = group.get(name)
        if isinstance(obj, h5py.Dataset):
            out.append((name, obj))
    return out


# ---- series ----

class SeriesMap(Mapping):
    """Series name -> DataFrame, read from the file on first use (see the module doc)."""

    def __init__(self, path: str, kind: str, names: list[str], info: pd.DataFrame):
        self._path, self._kind, self._names = path, kind, list(names)
        self._set = set(names)
        self._cache: dict[str, pd.DataFrame] = {}
        self.info = info

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._set:
            raise KeyError(name)
        if name not in self._cache:
            with h5py.File(self._path, "r") as f:
                obj = f["series"][name]
                self._cache[name] = _run_series(obj) if self._kind == "run" else _sweep_series(obj)
        return self._cache[name]

    def __call__(self, name: str) -> pd.DataFrame:
        return self[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __contains__(self, name):
        return name in self._set

    def __repr__(self):
        return f"<SeriesMap: {len(self)} {self._kind} series>"

    def long(self, names=None) -> pd.DataFrame:
        """Run files: the series (all, or those named) stacked into columns
        series, t_ns, t_s, value."""
        if self._kind != "run":
            raise TypeError("long() is for run files; a sweep's series(name) is already a table")
        names = list(self._names if names is None else names)
        parts = []
        for n in names:
            df = self[n]
            parts.append(pd.DataFrame({"series": n, "t_ns": df.index.to_numpy(),
                                       "t_s": df["t_s"].to_numpy(), "value": df["value"].to_numpy()}))
        if not parts:
            return pd.DataFrame({"series": pd.Series(dtype=object), "t_ns": pd.Series(dtype=np.int64),
                                 "t_s": pd.Series(dtype=np.float64), "value": pd.Series(dtype=np.float64)})
        out = pd.concat(parts, ignore_index=True)
        if not all(p["value"].dtype.kind == "i" for p in parts):
            out["value"] = out["value"].astype(np.float64)
        return out


def _run_series(ds) -> pd.DataFrame:
    rows = ds[()]
    t = np.asarray(rows["t_ns"], dtype=np.int64)
    df = pd.DataFrame({"t_s": t / 1e9, "value": rows["value"]},
                      index=pd.Index(t, name="t_ns"))
    df.attrs.update({k: _attr_str(ds, k) for k in ("units", "description", "time_units",
                                                   "interval", "aggregate") if k in ds.attrs})
    return df


def _sweep_series(g) -> pd.DataFrame:
    t = np.asarray(g["t_ns"][()], dtype=np.int64)
    v = g["value"][()]
    if v.ndim != 2:
        raise ValueError(f"{g.name}/value is not a [member][row] matrix")
    v = v[:, : len(t)]
    index, columns = pd.Index(t, name="t_ns"), pd.RangeIndex(v.shape[0], name="member")
    if v.dtype == np.int64:
        df = pd.DataFrame({m: _column(v[m]) for m in range(v.shape[0])}, index=index)
        df.columns = columns
    else:
        df = pd.DataFrame(v.T, index=index, columns=columns)
    df.attrs.update({k: _attr_str(g, k) for k in ("units", "description") if k in g.attrs})
    df.attrs["unaligned_members"] = int(_py(g.attrs.get("unaligned_members", 0)))
    return df


def _series_info(f, kind: str):
    names, rows = [], []
    g = f.get("series")
    if isinstance(g, h5py.Group):
        for name in sorted(g):
            obj = g.get(name)
            if kind == "run" and isinstance(obj, h5py.Dataset) and obj.dtype.names \
                    and {"t_ns", "value"} <= set(obj.dtype.names) and obj.ndim == 1:
                rows.append({"name": name, "units": _attr_str(obj, "units"),
                             "description": _attr_str(obj, "description"),
                             "interval": _attr_str(obj, "interval"),
                             "aggregate": _attr_str(obj, "aggregate"),
                             "rows": int(obj.shape[0]), "dtype": str(obj.dtype["value"])})
            elif kind == "sweep" and isinstance(obj, h5py.Group) and "t_ns" in obj and "value" in obj:
                rows.append({"name": name, "units": _attr_str(obj, "units"),
                             "description": _attr_str(obj, "description"),
                             "unaligned_members": int(_py(obj.attrs.get("unaligned_members", 0))),
                             "rows": int(obj["t_ns"].shape[0]), "dtype": str(obj["value"].dtype)})
            else:
                continue
            names.append(name)
    cols = ["units", "description"] + (["interval", "aggregate"] if kind == "run" else
                                       ["unaligned_members"]) + ["rows", "dtype"]
    info = pd.DataFrame(rows, columns=["name"] + cols).set_index("name")
    return names, info


# ---- the two kinds of file ----

@dataclass
class Run:
    """A run file (dnetsim run): see the module doc."""
    path: str
    config: dict
    summary: pd.Series
    summary_info: pd.DataFrame
    series: SeriesMap
    kind: str = field(default="run", init=False)

    def roc(self, detector: str) -> pd.DataFrame:
        """An attack run's ROC curve for one detector (docs/attacks.md):
        fpr and tpr, from (0, 0) through the sampled false positive rates
        to (1, 1) (KeyError when the run has no such detector)."""
        fpr = _roc_fprs(self.summary_info.index, detector)
        tpr = [float(self.summary[_roc_name(detector, k)]) for k in fpr]
        end = float("nan") if all(v != v for v in tpr) else None  # no curve: both classes missing
        return pd.DataFrame({"fpr": [0.0] + list(fpr.values()) + [1.0],
                             "tpr": [0.0 if end is None else end] + tpr + [1.0 if end is None else end]})


@dataclass
class Sweep:
    """A sweep file (dnetsim sweep): see the module doc."""
    path: str
    config: dict
    params: list
    param_info: pd.DataFrame
    members: pd.DataFrame
    summary_info: pd.DataFrame
    points: pd.DataFrame
    series: SeriesMap
    kind: str = field(default="sweep", init=False)

    def point_stats(self, name: str) -> pd.DataFrame:
        """One summary scalar's statistics per point: the parameters, then
        mean, sd, ci95_lo, ci95_hi, count."""
        if name not in self.summary_info.index:
            raise KeyError(name)
        cols = {p: self.points[p] for p in self.params}
        cols.update({s: self.points[f"{name}_{s}"] for s in STATS})
        df = pd.DataFrame(cols, index=self.points.index)
        df.attrs["units"] = self.summary_info.at[name, "units"]
        return df

    def paired(self, name: str) -> pd.DataFrame:
        """With seeds: common, one summary scalar's change from point 0 per
        point, replicate by replicate: the parameters, then mean, ci95_lo,
        ci95_hi, count (KeyError without /points/paired)."""
        if f"{name}_paired_mean" not in self.points:
            raise KeyError(f"{name}: no paired statistics (seeds: common, two points or more)")
        cols = {p: self.points[p] for p in self.params}
        cols.update({s: self.points[f"{name}_paired_{s}"] for s in PAIRED_STATS})
        df = pd.DataFrame(cols, index=self.points.index)
        df.attrs["units"] = self.summary_info.at[name, "units"]
        return df

    def roc(self, detector: str) -> pd.DataFrame:
        """Attack sweeps' ROC curves for one detector, averaged vertically
        over the replicates: one row per point and sampled false positive
        rate, with the parameters, fpr, then the true positive rate's mean,
        ci95_lo, ci95_hi and count (KeyError without the detector)."""
        fpr = _roc_fprs(self.summary_info.index, detector)
        parts = []
        for k, v in fpr.items():
            df = self.point_stats(_roc_name(detector, k))
            df.insert(len(self.params), "fpr", v)
            parts.append(df[list(self.params) + ["fpr", "mean", "ci95_lo", "ci95_hi", "count"]])
        return pd.concat(parts).sort_index(kind="stable")


def _roc_name(detector: str, key: str) -> str:
    return f"detect_{detector}_roc_{key}"


def _roc_fprs(names, detector: str) -> dict:
    """The sampled false positive rates of a detector's ROC summaries
    (detect_<d>_roc_<percent, p for the point>), ascending."""
    pre = f"detect_{detector}_roc_"
    out = {}
    for n in names:
        if n.startswith(pre):
            out[n[len(pre):]] = float(n[len(pre):].replace("p", ".")) / 100.0
    if not out:
        raise KeyError(f"{detector}: no ROC curve in this file (attack runs write detect_<detector>_roc_*)")
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def _config(f, texts) -> dict:
    g = f.get("config")
    if not isinstance(g, h5py.Group):
        return {}
    cfg = _attrs(g)
    if "series_gathered" in cfg:
        cfg["series_gathered"] = bool(cfg["series_gathered"])
    for t in texts:
        if isinstance(g.get(t), h5py.Dataset):
            cfg[t] = str(_read(g[t]))
    return cfg


def _load_run(f, path) -> Run:
    values, info = {}, []
    g = f.get("summary")
    for name, ds in _datasets(g) if isinstance(g, h5py.Group) else []:
        v = ds[()]
        values[name] = int(v) if ds.dtype.kind in "iu" else float(v)
        info.append({"name": name, "units": _attr_str(ds, "units"),
                     "description": _attr_str(ds, "description"), "dtype": str(ds.dtype)})
    summary = pd.Series(values, dtype=object, name="summary")
    summary.index.name = "name"
    summary_info = pd.DataFrame(info, columns=["name", "units", "description", "dtype"]).set_index("name")
    summary.attrs["units"] = summary_info["units"].to_dict()
    names, sinfo = _series_info(f, "run")
    return Run(path=path, config=_config(f, ("scenario",)), summary=summary,
               summary_info=summary_info, series=SeriesMap(path, "run", names, sinfo))


def _load_sweep(f, path) -> Sweep:
    mg = f["members"]
    n = int(mg["index"].shape[0]) if "index" in mg else 0
    cols = {}
    for c in MEMBER_COLUMNS:
        if isinstance(mg.get(c), h5py.Dataset):
            cols[c] = _read(mg[c])

    params, pinfo = [], []
    pg = mg.get("param")
    text = f["config/scenario"] if isinstance(f.get("config/scenario"), h5py.Dataset) else None
    for name, ds in _param_datasets(pg, str(_read(text)) if text is not None else ""):
        params.append(name)
        cols[name] = _read(ds)
        pinfo.append({"name": name, "units": _attr_str(ds, "units"), "dtype": _dtype_name(ds)})
    param_info = pd.DataFrame(pinfo, columns=["name", "units", "dtype"]).set_index("name")

    sinfo = []
    sg = mg.get("summary")
    for name, ds in _datasets(sg) if isinstance(sg, h5py.Group) else []:
        col = f"summary.{name}" if name in cols else name
        cols[col] = _column(_read(ds))
        sinfo.append({"name": name, "column": col, "units": _attr_str(ds, "units"),
                      "description": _attr_str(ds, "description"), "dtype": str(ds.dtype)})
    summary_info = pd.DataFrame(sinfo, columns=["name", "column", "units", "description",
                                                "dtype"]).set_index("name")
    index = pd.Index(cols["index"] if "index" in cols else np.arange(n), name="member")
    members = pd.DataFrame(cols, index=index)

    pcols = {}
    ppg = f.get("points/param")
    for name in params:
        if isinstance(ppg, h5py.Group) and isinstance(ppg.get(name), h5py.Dataset):
            pcols[name] = _read(ppg[name])
    for name in summary_info.index:
        for s in STATS:
            ds = f.get(f"points/{s}/{name}")
            if isinstance(ds, h5py.Dataset):
                pcols[f"{name}_{s}"] = _read(ds)
        for s in PAIRED_STATS:
            ds = f.get(f"points/paired/{s}/{name}")
            if isinstance(ds, h5py.Dataset):
                pcols[f"{name}_paired_{s}"] = _read(ds)
    n_points = int(_py(f["config"].attrs["n_points"])) if "config" in f and \
        "n_points" in f["config"].attrs else (len(next(iter(pcols.values()))) if pcols else 0)
    points = pd.DataFrame(pcols, index=pd.Index(np.arange(n_points), name="point"))

    names, serinfo = _series_info(f, "sweep")
    return Sweep(path=path, config=_config(f, ("scenario", "base")), params=params,
                 param_info=param_info, members=members, summary_info=summary_info,
                 points=points, series=SeriesMap(path, "sweep", names, serinfo))


def _param_datasets(group, scenario: str):
    """The swept parameters' datasets in the sweep's order (the order of
    `dnetsim sweep FILE --list`; a grid's first parameter varies slowest).
    The file lists them by name, so the order is taken from the group's
    creation order when the file tracks it, else from where each name first
    appears in the sweep: block of the scenario text (its parameters: keys,
    or the first point's), else name order."""
    if not isinstance(group, h5py.Group):
        return []
    names = [n for n in sorted(group) if isinstance(group.get(n), h5py.Dataset)]
    try:
        crt = []
        group.id.links.iterate(lambda n: crt.append(n.decode("utf-8", "replace")) or None,
                               idx_type=h5py.h5.INDEX_CRT_ORDER)
        if sorted(crt) == names:
            return [(n, group[n]) for n in crt]
    except (RuntimeError, ValueError, KeyError, TypeError):
        pass
    m = re.search(r"^sweep[ \t]*:", scenario, re.M)
    if m:
        block = scenario[m.start():]
        end = re.search(r"^[A-Za-z_\"']", block[m.end() - m.start():], re.M)  # the next top-level key
        if end:
            block = block[: m.end() - m.start() + end.start()]
        block = re.sub(r"(^|[ \t])#[^\n]*", r"\1", block)  # comments out
        where = {}
        for n in names:
            hit = re.search(r"(?<![\w.])" + re.escape(n) + r"(?![\w.])", block)
            if not hit:
                break
            where[n] = hit.start()
        else:
            names = sorted(names, key=lambda n: where[n])
    return [(n, group[n]) for n in names]


def load(path):
    """Opens a dnetsim results file: a Sweep if it has /members, else a Run.
    Everything but the series' rows is read now; the file is closed on return."""
    path = str(path)
    with h5py.File(path, "r") as f:
        if isinstance(f.get("members"), h5py.Group):
            return _load_sweep(f, path)
        if not isinstance(f.get("summary"), h5py.Group) and not isinstance(f.get("series"), h5py.Group):
            raise ValueError(f"{path}: not a dnetsim results file (no /members, /summary or /series)")
        return _load_run(f, path)


# ---- the script ----

def _fmt(x):
    return format(x, ".15g") if isinstance(x, (float, np.floating)) else str(x)


def _values(col, most=6):
    u = pd.unique(col)
    shown = ", ".join(_fmt(x) for x in u[:most])
    return shown + (f", ... ({len(u)} values)" if len(u) > most else "")


def describe(x) -> str:
    """A few lines about a loaded file."""
    c = x.config
    lines = []
    if x.kind == "run":
        lines.append(f"{x.path}: run file, dnetsim {c.get('version', '?')} "
                     f"(revision {c.get('git_revision', '?')}), seed {c.get('seed', '?')}, "
                     f"written {c.get('created', '?')}")
        most = int(x.series.info["rows"].max()) if len(x.series) else 0
        lines.append(f"  {len(x.summary)} summary scalars, {len(x.series)} series"
                     + (f" (the longest {most} rows)" if len(x.series) else ""))
        for name in list(x.summary.index)[:8]:
            lines.append(f"  {name} = {_fmt(x.summary[name])} {x.summary_info.at[name, 'units']}")
        if len(x.summary) > 8:
            lines.append(f"  ... ({len(x.summary) - 8} more: r.summary)")
        return "\n".join(lines)
    m = x.members
    lines.append(f"{x.path}: sweep file, dnetsim {c.get('version', '?')} "
                 f"(revision {c.get('git_revision', '?')}), written {c.get('created', '?')}")
    lines.append(f"  design {c.get('design', '?')}: {len(x.points)} points x "
                 f"{c.get('replicates', '?')} replicates = {len(m)} members, seed {c.get('seed', '?')}"
                 f" ({c.get('seeds', '?')} seeds)")
    counts = m["status"].value_counts() if "status" in m else pd.Series(dtype=int)
    lines.append("  members: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                           ("complete", "failed", "pending")))
    for p in x.params:
        unit = x.param_info.at[p, "units"]
        lines.append(f"  parameter {p}" + (f" ({unit})" if unit not in ("", "1") else "")
                     + f": {_values(x.points[p])}")
    lines.append(f"  {len(x.summary_info)} summary scalars, {len(x.series)} series"
                 + ("" if c.get("series_gathered", True) else " (series not gathered)"))
    failed = m[m["status"] == "failed"] if "status" in m else m.iloc[:0]
    for i, r in failed.head(3).iterrows():
        lines.append(f"  member {i} failed: {r['reason']}")
    if len(failed) > 3:
        lines.append(f"  ... ({len(failed) - 3} more failed)")
    return "\n".join(lines)


def main(argv) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: dnetsim_reader.py FILE.h5   (a dnetsim run or sweep file)", file=sys.stderr)
        return 2
    try:
        x = load(argv[1])
    except (OSError, ValueError, KeyError) as e:
        print(f"dnetsim_reader: {argv[1]}: {e}", file=sys.stderr)
        return 1
    print(describe(x))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
