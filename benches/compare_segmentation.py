#!/usr/bin/env python3
"""Features + RFM + top-20% share on raw transactions: crm against pandas and polars.

Generates the same seeded data for all three (customer id, instant in ns, amount in integer
minor units; about 2% refunds as negative amounts), runs each job in its own process (so that
each one's peak memory is its own), checks that all three agree, and prints each one's time,
peak memory and the ratios.

    python benches/compare_segmentation.py                 # 10,000,000 rows, 1,000,000 customers
    python benches/compare_segmentation.py --rows 100000 --customers 10000 --repeat 1

The rules all three follow (crm documents them in `crm_core::segment`):
- a purchase is a row with amount >= 0; monetary is the sum of all rows (exact: integers);
- recency_days = (as_of - last purchase) / 1 day; customers with refunds only get no scores;
- among the n customers with a purchase, a value with c values strictly worse scores
  floor(5 * c / n) + 1 (pandas rank(method="min"), not qcut: pandas' and polars' qcut put
  the short bin in different places);
- top-20% share: negative totals count as 0, linear inside the customer at the 20% line.
pandas and polars are written the way their users write them: group-by/aggregate, rank,
cumulative shares.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

AS_OF_NS = 1_735_689_600 * 1_000_000_000  # 2025-01-01T00:00:00Z
START_NS = 1_704_067_200 * 1_000_000_000  # 2024-01-01T00:00:00Z
BINS = 5
ROOT = Path(__file__).resolve().parent.parent


def generate(rows: int, customers: int, seed: int, out: Path) -> None:
    rng = np.random.default_rng(seed)
    weights = np.minimum(rng.pareto(1.25, customers) + 1.0, 1000.0)
    cumulative = np.cumsum(weights)
    k = np.searchsorted(cumulative, rng.random(rows) * cumulative[-1], side="right")
    k = np.minimum(k, customers - 1)
    ids = (100_000 + 7 * k).astype(np.uint64)
    at = START_NS + rng.integers(0, (AS_OF_NS - START_NS) // 1_000_000_000, rows) * 1_000_000_000
    level = rng.lognormal(np.log(10_000), 0.8, customers)
    amount = np.maximum(np.round(level[k] * rng.lognormal(0.0, 0.5, rows)), 100).astype(np.int64)
    refunds = rng.random(rows) < 0.02
    amount[refunds] = -(amount[refunds] // 2)
    ids.tofile(out / "customer_id.u64")
    at.astype(np.int64).tofile(out / "at.i64")
    amount.tofile(out / "amount.i64")


def load(data: Path):
    ids = np.fromfile(data / "customer_id.u64", dtype=np.uint64)
    at = np.fromfile(data / "at.i64", dtype=np.int64)
    amount = np.fromfile(data / "amount.i64", dtype=np.int64)
    return ids, at, amount


def top_share_sorted_desc(values: np.ndarray, fraction: float = 0.2) -> float:
    total = values.sum()
    n = len(values)
    m = int(np.floor(fraction * n))
    frac = fraction * n - m
    top = values[:m].sum() + (frac * values[m] if frac > 0 and m < n else 0.0)
    return float(top / total) if total > 0 else 0.0


def job_pandas(ids, at, amount):
    import pandas as pd

    df = pd.DataFrame({"customer_id": ids, "at": at.view("datetime64[ns]"), "amount": amount}, copy=False)
    started = time.perf_counter()
    monetary = df.groupby("customer_id")["amount"].sum()
    purchases = df[df["amount"] >= 0].groupby("customer_id")["at"]
    frequency = purchases.size().reindex(monetary.index, fill_value=0)
    last = purchases.max().reindex(monetary.index)
    recency = (pd.Timestamp(AS_OF_NS, unit="ns") - last).dt.total_seconds() / 86_400
    active = frequency > 0
    n = int(active.sum())

    def score(s: "pd.Series") -> np.ndarray:
        out = np.zeros(len(s), dtype=np.uint8)
        ranks = s[active].rank(method="min")
        out[active.to_numpy()] = (np.floor(BINS * (ranks.to_numpy() - 1) / n) + 1).astype(np.uint8)
        return out

    r, f, m = score(-recency), score(frequency), score(monetary)
    top20 = top_share_sorted_desc(np.sort(monetary.clip(lower=0).to_numpy(dtype=np.float64))[::-1])
    seconds = time.perf_counter() - started
    return seconds, {
        "customer_id": monetary.index.to_numpy(dtype=np.uint64),
        "frequency": frequency.to_numpy(dtype=np.int64),
        "monetary": monetary.to_numpy(dtype=np.int64),
        "recency_days": recency.to_numpy(dtype=np.float64),
        "r": r, "f": f, "m": m,
    }, top20


def job_polars(ids, at, amount):
    import polars as pl

    df = pl.DataFrame({
        "customer_id": ids,
        "at": pl.Series(at).cast(pl.Datetime("ns")),
        "amount": amount,
    })
    started = time.perf_counter()
    purchase = pl.col("amount") >= 0
    active = pl.col("frequency") > 0
    n = active.sum()

    def score(expr):
        ranked = pl.when(active).then(expr).rank("min")
        return pl.when(active).then(((BINS * (ranked - 1) / n).floor() + 1)).otherwise(0).cast(pl.UInt8)

    res = (
        df.lazy()
        .group_by("customer_id")
        .agg(
            pl.col("amount").sum().alias("monetary"),
            purchase.sum().alias("frequency"),
            pl.col("at").filter(purchase).max().alias("last"),
        )
        .sort("customer_id")
        .with_columns(
            ((pl.lit(AS_OF_NS).cast(pl.Datetime("ns")) - pl.col("last")).dt.total_nanoseconds() / 86_400e9)
            .alias("recency_days")
        )
        .with_columns(
            score(-pl.col("recency_days")).alias("r"),
            score(pl.col("frequency")).alias("f"),
            score(pl.col("monetary")).alias("m"),
        )
        .collect()
    )
    top = res.select(pl.col("monetary").clip(lower_bound=0).cast(pl.Float64).sort(descending=True))
    top20 = top_share_sorted_desc(top.to_series().to_numpy())
    seconds = time.perf_counter() - started
    return seconds, {
        "customer_id": res["customer_id"].to_numpy().astype(np.uint64),
        "frequency": res["frequency"].to_numpy().astype(np.int64),
        "monetary": res["monetary"].to_numpy().astype(np.int64),
        "recency_days": res["recency_days"].fill_null(np.nan).to_numpy().astype(np.float64),
        "r": res["r"].to_numpy(), "f": res["f"].to_numpy(), "m": res["m"].to_numpy(),
    }, top20


def job_crm_python(ids, at, amount):
    """The data team's path: the crm package on numpy columns (zero-copy)."""
    import crm

    started = time.perf_counter()
    res = crm.rfm(ids, at.view("datetime64[ns]"), amount, as_of=np.datetime64(AS_OF_NS, "ns"))
    top20 = crm.top_share(res["monetary"], 0.2)
    seconds = time.perf_counter() - started
    return seconds, {
        "customer_id": res["customer_id"],
        "frequency": res["frequency"].astype(np.int64),
        "monetary": res["monetary"].astype(np.int64),
        "recency_days": res["recency_days"],
        "r": res["r"], "f": res["f"], "m": res["m"],
    }, top20


def run_python(name: str, data: Path) -> None:
    """Runs one job in this (child) process and reports as JSON on stdout."""
    ids, at, amount = load(data)
    jobs = {"pandas": job_pandas, "polars": job_polars, "crm_python": job_crm_python}
    seconds, result, top20 = jobs[name](ids, at, amount)
    out = data / f"result_{name}"
    out.mkdir(exist_ok=True)
    for key, dtype in [("customer_id", "u64"), ("frequency", "i64"), ("monetary", "i64"),
                       ("recency_days", "f64"), ("r", "u8"), ("f", "u8"), ("m", "u8")]:
        result[key].tofile(out / f"{key}.{dtype}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"name": name, "seconds": seconds, "peak_bytes": peak, "top20": top20,
                      "customers": len(result["customer_id"])}))


def read_result(data: Path, name: str) -> dict:
    out = data / f"result_{name}"
    types = {"u64": np.uint64, "i64": np.int64, "f64": np.float64, "u8": np.uint8}
    return {p.name.split(".")[0]: np.fromfile(p, dtype=types[p.suffix[1:]]) for p in out.iterdir()}


def agree(a: dict, b: dict, label: str) -> None:
    for key in ["customer_id", "frequency", "monetary", "r", "f", "m"]:
        if not np.array_equal(a[key], b[key]):
            bad = np.flatnonzero(a[key] != b[key])
            raise SystemExit(f"{label}: {key} differs in {len(bad)} rows, first at {bad[:5]}")
    ra, rb = a["recency_days"], b["recency_days"]
    if not np.array_equal(np.isnan(ra), np.isnan(rb)) or not np.allclose(ra, rb, rtol=1e-12, atol=1e-9, equal_nan=True):
        raise SystemExit(f"{label}: recency_days differ")


def child(cmd: list, env: dict) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3, help="runs per implementation; the best time counts")
    p.add_argument("--crm-bin", default=str(ROOT / "target" / "release" / "segment_job"))
    p.add_argument("run", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:  # child mode: run NAME DIR
        run_python(args.run[1], Path(args.run[2]))
        return

    env = dict(os.environ, POLARS_MAX_THREADS="2")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        generate(args.rows, args.customers, args.seed, data)
        runs = {
            "crm (Rust)": [args.crm_bin, str(data), str(AS_OF_NS)],
            "crm (Python)": [sys.executable, __file__, "run", "crm_python", str(data)],
            "pandas": [sys.executable, __file__, "run", "pandas", str(data)],
            "polars lazy": [sys.executable, __file__, "run", "polars", str(data)],
        }
        results = {}
        for label, cmd in runs.items():
            best = None
            for _ in range(args.repeat):
                r = child(cmd, env)
                if best is None or r["seconds"] < best["seconds"]:
                    best = r
            results[label] = best
        crm = read_result(data, "crm")
        for name in ["crm_python", "pandas", "polars"]:
            agree(crm, read_result(data, name), f"crm vs {name}")
        tops = [r["top20"] for r in results.values()]
        if max(tops) - min(tops) > 1e-12:
            raise SystemExit(f"top-20% shares differ: {tops}")

    ours = results["crm (Rust)"]
    print(f"features + RFM + top-20% share, {args.rows:,} rows, {args.customers:,} customers "
          f"({ours['customers']:,} with rows); all agree; top 20% bring {ours['top20']:.1%}")
    print(f"{'':14} {'time':>9} {'peak memory':>12} {'crm faster by':>14} {'crm memory ratio':>17}")
    for label, r in results.items():
        print(f"{label:14} {r['seconds']:8.3f}s {r['peak_bytes'] / 2**20:9.0f} MiB "
              f"{r['seconds'] / ours['seconds']:13.1f}x {ours['peak_bytes'] / r['peak_bytes']:16.2f}")


if __name__ == "__main__":
    main()
