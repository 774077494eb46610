#!/usr/bin/env bash
# test_record_intervals.sh: recording decoupled from blocks (record.*).
# One world of 400 agents for three hours, recorded every block and
# every hour:
#  - the world is the same (equal fingerprints, equal ledger totals);
#  - every hourly value is the aggregate of the same run's per-block
#    values over that hour: sums, last values, min and max exactly,
#    ratios from the summed counts, means between the blocks' extremes,
#    quantiles of the merged histograms within the blocks' quantiles
#    (2^-8 relative: the histogram's resolution) and maxima exactly;
#  - the series say their interval and aggregate;
#  - groups at their own intervals (service every block, chain every
#    epoch of 120 blocks, the rest hourly) give those row counts, and
#    the resolved scenario in /config names them;
#  - a bad interval is refused with file:line:column.
# Run by ctest with DNETSIM_BIN set; needs python3 with h5py.
set -u
BIN=${DNETSIM_BIN:?}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

{
	printf 'sim: {model: world, seed: 5, end_time_s: 10800, partitions: 4, sample_interval_s: 10}\n'
	printf 'world: {agents: 400, area_km: 0.5, candidates: 20, operators: 1, check_ledger: true}\n'
	printf 'chain: {delegates: 20, signatures: keyed}\n'
} >"$T/w.yaml"
expect_rc 0 "per-block run" "$BIN" run "$T/w.yaml" --out "$T/block.h5" --quiet
expect_rc 0 "hourly run" "$BIN" run "$T/w.yaml" --set record.interval=hour --out "$T/hour.h5" --quiet
expect_rc 0 "mixed intervals" "$BIN" run "$T/w.yaml" --set record.interval=hour --set record.service=block \
	--set record.chain=epoch --set chain.epoch_blocks=120 --out "$T/mixed.h5" --quiet

"$PY" - "$T" >"$T/check" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
T = sys.argv[1]
out = []
def check(ok, what):
    out.append(("ok " if ok else "FAIL ") + what)
a = h5py.File(f"{T}/block.h5", "r")
b = h5py.File(f"{T}/hour.h5", "r")
check(a["summary/world_fingerprint"][()] == b["summary/world_fingerprint"][()], "same fingerprint")
for k in ("holdings_total_base", "tx_fees_cum_base", "blocks"):
    check(a["series"][k][-1]["value"] == b["series"][k][-1]["value"], f"{k}: same at the end")
HOUR = 3600 * 10**9
tb = b["series/transactions"]["t_ns"]
check(list(tb) == [HOUR, 2 * HOUR, 3 * HOUR], f"hourly rows at 1, 2, 3 h: {list(tb)}")
checked = {}
for name, ds in b["series"].items():
    agg = ds.attrs["aggregate"]
    agg = agg.decode() if isinstance(agg, bytes) else agg
    iv = ds.attrs["interval"]
    iv = iv.decode() if isinstance(iv, bytes) else iv
    if iv != "hour":
        check(False, f"{name}: interval {iv}")
        continue
    base = name
    if agg in ("min", "max"):
        base = name[: -len(agg) - 1]
    if base not in a["series"]:
        check(False, f"{name}: no per-block series {base}")
        continue
    x = a["series"][base][:]
    y = ds[:]
    ok = True
    for j, t in enumerate(y["t_ns"]):
        sel = x["value"][(x["t_ns"] > t - HOUR) & (x["t_ns"] <= t)]
        v = y["value"][j]
        fin = sel[~np.isnan(sel)] if sel.dtype.kind == "f" else sel
        if agg == "sum":
            want = sel.sum() if sel.dtype.kind == "i" else float(np.add.reduce(sel.astype(float)))
            good = v == want or abs(v - want) <= 1e-9 * max(1.0, abs(want))
        elif agg in ("last", "cumulative"):
            want = sel[-1]
            good = (np.isnan(v) and np.isnan(want)) or v == want
        elif agg in ("min", "max"):
            want = (fin.min() if agg == "min" else fin.max()) if len(fin) else None
            good = (want is None and (np.isnan(v) if isinstance(v, float) else v == -1)) or v == want
        elif agg == "mean":
            good = (len(fin) == 0 and np.isnan(v)) or (fin.min() - 1e-9 <= v <= fin.max() + 1e-9)
            want = (fin.min(), fin.max()) if len(fin) else None
        elif agg == "quantile":
            fin = sel[sel >= 0]
            if base.endswith("max_ns"):
                want = fin.max() if len(fin) else -1
                good = v == want
            else:
                want = (fin.min(), fin.max()) if len(fin) else None
                good = (want is None and v == -1) or (want is not None and
                        fin.min() * (1 - 2**-8) - 1 <= v <= fin.max() * (1 + 2**-8) + 1)
        elif agg == "ratio":
            num = {"coverage": "consumers_served", "request_success_share": "request_outcomes_ok"}.get(base)
            den = {"coverage": "consumers_with_demand", "request_success_share": "request_outcomes"}.get(base)
            if num is None:
                good, want = True, None  # price mean: bytes are summed in its own check below
            else:
                n = b["series"][num][j]["value"]
                d = b["series"][den][j]["value"]
                want = n / d if d else float("nan")
                good = (d == 0 and np.isnan(v)) or v == want
        else:
            good, want = False, agg
        if not good:
            ok = False
            check(False, f"{name} ({agg}) at {t / 1e9:.0f} s: {v} against {want}")
            break
    checked[agg] = checked.get(agg, 0) + 1
    if ok:
        out.append(f"ok {name} ({agg})")
check(all(checked.get(k, 0) > 0 for k in ("sum", "last", "min", "max", "mean", "quantile", "ratio", "cumulative")),
      f"every aggregate kind checked: {checked}")
# counts that feed the ratios are the sums of the blocks'
for k in ("consumers_served", "consumers_with_demand", "service_requests", "traffic_bytes", "purchases"):
    check(b["series"][k][:]["value"].sum() == a["series"][k][:]["value"].sum(), f"{k}: hourly sums = per-block sum")
# mixed intervals
m = h5py.File(f"{T}/mixed.h5", "r")
rows = {k: len(m["series"][k]) for k in ("coverage", "ttfb_purchases", "transactions", "blocks", "dnet_price", "holdings_gini")}
check(rows["coverage"] == 1080 and rows["ttfb_purchases"] == 1080, f"service group every block: {rows}")
check(rows["transactions"] == 9 and rows["blocks"] == 9, f"chain group every epoch of 120 blocks: {rows}")
check(rows["dnet_price"] == 3 and rows["holdings_gini"] == 3, f"the rest hourly: {rows}")
check("coverage_min" not in m["series"] and "transactions_min" in m["series"], "min/max only beside intervals longer than a block")
cfg = m["config/scenario"][()]
cfg = cfg.decode() if isinstance(cfg, bytes) else cfg
check('interval: "hour"' in cfg and 'chain: "epoch"' in cfg and 'service: "block"' in cfg, "the resolved scenario names the intervals")
print("\n".join(out))
PYEOF
verdicts "$T/check"

printf 'sim: {model: world, end_time_s: 600, sample_interval_s: 10}\nrecord:\n  interval: weekly\n' >"$T/bad.yaml"
expect_rc 2 "a bad interval" "$BIN" run "$T/bad.yaml" --out "$T/bad.h5" --quiet
contains "$T/err" "bad.yaml:3:13" "the error's file:line:column"
[ ! -e "$T/bad.h5" ] && ok || bad "a refused scenario left a results file"
finish
