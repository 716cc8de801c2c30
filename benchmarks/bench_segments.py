"""Speed, memory and agreement of the segmentation at scale, and the CDNOW run (prints; asserts
nothing).

    .venv/bin/python benchmarks/bench_segments.py [--customers 1000000] [--transactions 10000000]
    .venv/bin/python benchmarks/bench_segments.py --cdnow          # real data, full sweep

Scale: synthetic frames are built directly in memory (no files): string customer ids, five
planted behaviour groups, 18 months of purchases with 2 % returns and a customers table with
signup and churn dates. Timed stages: features, sweep (k = 2..8 with silhouette, CH, DB and
bootstrap stability) and the final fit / relabel / profile, each with the process's peak RSS.
Above ``exact_max`` (200,000) customers k-means is fitted exactly on a seeded 200,000-customer
sample and every customer is assigned to the nearest centre; the agreement of that shortcut
with exact k-means on all customers (ARI, inertia ratio) is printed for the chosen k, and for
comparison the same for scikit-learn's MiniBatchKMeans.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxreport import rfm, segments
from cxreport.data import Dataset

ROOT = Path(__file__).resolve().parents[1]


def _mem() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    vals = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            k, v = line.split(":")
            vals[k] = int(v.split()[0]) / 1024
    return vals.get("VmRSS", np.nan), vals.get("VmHWM", np.nan)


def _stage(name: str, t0: float) -> float:
    rss, peak = _mem()
    dt = time.perf_counter() - t0
    print(f"  {name:<28} {dt:7.1f} s   RSS {rss:7,.0f} MB   peak RSS {peak:7,.0f} MB", flush=True)
    return dt


def synthetic(customers: int, transactions: int, seed: int = 42) -> Dataset:
    rng = np.random.default_rng(seed)
    n = customers
    share = np.array([0.15, 0.30, 0.25, 0.15, 0.15])
    rate = np.array([2.6, 1.1, 0.35, 0.8, 0.15])
    spend = np.array([95.0, 55.0, 22.0, 40.0, 30.0])
    group = rng.choice(5, n, p=share)
    end = pd.Timestamp("2026-11-01")
    start = end - pd.DateOffset(months=18)
    span = (end - start).days
    signup_days = np.where(
        group == 3, rng.integers(span - 183, span, n), rng.integers(-1500, span - 183, n)
    )
    w = rate[group] * np.clip(span - np.maximum(signup_days, 0), 1, None)
    counts = rng.multinomial(transactions, w / w.sum())
    who = np.repeat(np.arange(n), counts)
    lo = np.maximum(signup_days[who], 0)
    day = lo + (rng.random(len(who)) * (span - lo)).astype(np.int64)
    amt = np.round(spend[group[who]] * rng.lognormal(0, 0.45, len(who)), 2)
    ret = rng.random(len(who)) < 0.02
    amt[ret] = -amt[ret]
    ids = pd.Index([f"C{i:07d}" for i in range(n)], dtype=object)
    tx = pd.DataFrame(
        {
            "customer_id": ids.take(who),
            "date": start + pd.to_timedelta(day, unit="D"),
            "amount": amt,
        }
    )
    churn = np.where(
        rng.random(n) < 0.1, start + pd.to_timedelta(rng.integers(0, span, n), unit="D"), pd.NaT
    )
    cust = pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": start + pd.to_timedelta(signup_days, unit="D"),
            "churn_date": pd.to_datetime(churn),
        }
    )
    return Dataset(
        Path("(in memory)"),
        None,
        {"transactions": tx, "customers": cust},
        {},
        month=pd.Period("2026-10", "M"),
    )


def scale(customers: int, transactions: int, seed: int) -> None:
    print(f"scale: {customers:,} customers, {transactions:,} transactions, 18 months")
    t0 = time.perf_counter()
    data = synthetic(customers, transactions, seed)
    _stage("build synthetic frames", t0)
    total = 0.0
    t0 = time.perf_counter()
    feats = segments.customer_features(data)
    total += _stage(f"features ({len(feats.table):,} cust.)", t0)
    t0 = time.perf_counter()
    rf = rfm.rfm_scores(feats.table)
    total += _stage("RFM scores", t0)
    t0 = time.perf_counter()
    res = segments.segment(data, feature_table=feats, seed=seed)
    total += _stage("sweep k=2..8 + final fit", t0)
    print(f"  {'TOTAL features+RFM+segment':<28} {total:7.1f} s")
    print(res.sweep.table.round(3).to_string())
    print(res.choice.reason)
    print(res.profile[["segment", "customers", "share", "revenue_share"]].round(3).to_string())
    print(
        "RFM frequency: "
        f"{rf.ties.loc['frequency', 'levels']} levels, top value share "
        f"{rf.ties.loc['frequency', 'top_value_share']:.1%}"
    )
    agreement(res, seed)


def agreement(res, seed: int) -> None:
    """Sample-fitted k-means (what segment() does above exact_max) and MiniBatchKMeans
    against exact k-means on every customer, for the chosen k."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.metrics import adjusted_rand_score

    X, k = res.design.X, res.k
    ours = segments.nearest_centre(X, res.sweep.centers[k])

    def inertia(lab, centers):
        return float(((X - centers[lab]) ** 2).sum())

    t0 = time.perf_counter()
    exact = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    mb = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=seed).fit(X)
    t_mb = time.perf_counter() - t0
    ref = exact.inertia_
    print(f"agreement with exact k-means on all {len(X):,} customers, k = {k}:")
    print(
        f"  exact KMeans n_init=4: {t_exact:.1f} s"
        f"\n  sample fit (200k) + assign: ARI {adjusted_rand_score(exact.labels_, ours):.3f}, "
        f"inertia {inertia(ours, res.sweep.centers[k]) / ref - 1:+.2%}"
        f"\n  MiniBatchKMeans batch 4096 ({t_mb:.1f} s): ARI "
        f"{adjusted_rand_score(exact.labels_, mb.labels_):.3f}, inertia "
        f"{inertia(mb.labels_, mb.cluster_centers_) / ref - 1:+.2%}"
    )


REFERENCE = pd.DataFrame(
    {
        "silhouette": [0.577, 0.482, 0.407, 0.413, 0.402, 0.407, 0.429],
        "calinski_harabasz": [34208, 30258, 26861, 25513, 24805, 23873, 23380],
        "davies_bouldin": [0.725, 0.889, 0.968, 0.951, 0.916, 0.950, 0.918],
        "stability_ari": [0.992, 0.979, 0.965, 0.984, 0.921, 0.890, 0.939],
        "min_jaccard": [0.993, 0.973, 0.959, 0.917, 0.857, 0.700, 0.840],
    },
    index=pd.Index(range(2, 9), name="k"),
)


def cdnow(seed: int) -> None:
    path = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"
    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollar_value"],
        }
    )
    data = Dataset(path.parent, None, {"transactions": tx}, {}, month=pd.Period("1998-06", "M"))
    print(
        f"CDNOW: {len(tx):,} purchases, {tx['customer_id'].nunique():,} customers, "
        f"${tx['amount'].sum():,.2f}"
    )
    t0 = time.perf_counter()
    f = segments.customer_features(data)
    _stage("features", t0)
    for n in f.notes:
        print("  note:", n)
    r = rfm.rfm_scores(f.table)
    print(r.ties.round(4).to_string())
    print(r.bins.to_string())
    print(r.summary[["customers", "share", "revenue_share"]].round(4).to_string())
    for w in r.warnings:
        print("  warning:", w)
    t0 = time.perf_counter()
    res = segments.segment(
        data, feature_table=f, features=("recency", "frequency", "monetary"), seed=seed
    )
    _stage("segment on log1p RFM, k=2..8", t0)
    cols = ["silhouette", "calinski_harabasz", "davies_bouldin", "stability_ari", "min_jaccard"]
    both = res.sweep.table[cols].merge(
        REFERENCE, left_index=True, right_index=True, suffixes=("", "_ref")
    )
    order = [c for pair in zip(cols, [c + "_ref" for c in cols], strict=True) for c in pair]
    print(both[order].round(3).to_string())
    print(res.choice.reason)
    print(
        res.profile[
            ["segment", "customers", "share", "revenue_share", "recency", "frequency", "monetary"]
        ]
        .round(3)
        .to_string()
    )
    t0 = time.perf_counter()
    res4 = segments.segment(
        data,
        feature_table=f,
        features=("recency", "frequency", "monetary"),
        seed=seed,
        k=4,
        n_boot=0,
        k_min=4,
        k_max=4,
    )
    _stage("k = 4 pinned", t0)
    print(
        res4.profile[
            ["segment", "customers", "share", "revenue_share", "recency", "frequency", "monetary"]
        ]
        .round(3)
        .to_string()
    )
    t0 = time.perf_counter()
    resd = segments.segment(data, feature_table=f, seed=seed)
    _stage("segment, default features", t0)
    print(resd.choice.reason)
    print(resd.profile[["segment", "customers", "share", "revenue_share"]].round(3).to_string())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--transactions", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cdnow", action="store_true", help="run on CDNOW instead of the scale test")
    args = ap.parse_args()
    if args.cdnow:
        cdnow(args.seed)
    else:
        scale(args.customers, args.transactions, args.seed)


if __name__ == "__main__":
    main()
