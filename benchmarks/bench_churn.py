"""Churn model: fit and score time and peak memory against the number of customers.

Synthetic customers with 30 features (20 numeric, 10 categorical with 3-12 levels) and a
planted logistic churn signal (about 20 % churners). For each size, in a fresh subprocess (so
that the peak resident memory belongs to that size alone):

* ``fit``: one fit of each model (logistic regression, histogram gradient boosting) on all
  rows, as the monthly refit does;
* ``score``: churn probabilities for all rows with the chosen (logistic) model;
* ``cv``: the whole :func:`cxreport.churn.fit` (3-fold CV of both models, choice, refit) for
  sizes up to ``--cv-max`` rows.

Usage::

    .venv/bin/python benchmarks/bench_churn.py                 # 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_churn.py --sizes 10000 100000 --threads 2

Prints one line per size and the time ratios between consecutive sizes (10x the rows should
cost about 10x the time).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(n, 20)).astype(np.float32)
    X = pd.DataFrame(num, columns=[f"x{i:02d}" for i in range(20)])
    logit = -1.6 + num[:, :5] @ np.array([0.9, -0.6, 0.5, 0.4, -0.3])
    for j in range(10):
        levels = 3 + j % 10
        codes = rng.integers(0, levels, n)
        X[f"c{j}"] = pd.Categorical.from_codes(codes, [f"L{k}" for k in range(levels)]).astype(str)
        if j < 3:
            logit += 0.4 * (codes == 0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def one(n: int, threads: int, cv: bool) -> dict:
    from cxreport import churn

    churn.models.N_THREADS[0] = threads
    X, y = synthetic(n)
    t = time.perf_counter()
    spec = churn.detect_features(X, y)
    X = churn.table.clean_categories(X[spec.features], spec.categorical)
    out = {"n": n, "features": len(spec.features), "prepare_s": time.perf_counter() - t}
    for kind in ("logistic", "gbm"):
        model = churn.make_model(kind, spec)
        t = time.perf_counter()
        with churn.models.threads(threads):
            model.fit(X, y)
        out[f"fit_{kind}_s"] = time.perf_counter() - t
        if kind == "logistic":
            t = time.perf_counter()
            churn.score(model, X, pd.Series(np.arange(n)), spec=spec)
            out["score_s"] = time.perf_counter() - t
    if cv:
        d = churn.ChurnData(
            X,
            y,
            pd.Series(np.arange(n)),
            None,
            X.iloc[:0],
            pd.Series([]),
            spec,
            "snapshot",
            1,
            pd.Timestamp("2026-11-01"),
        )
        t = time.perf_counter()
        r = churn.fit(d, n_splits=3, n_repeats=1, n_threads=threads)
        out["cv_fit_s"] = time.perf_counter() - t
        out["cv_auc"] = float(r.summary.loc[r.chosen, "roc_auc_mean"])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--threads", type=int, default=1, help="OpenMP threads for boosting")
    ap.add_argument(
        "--cv-max",
        type=int,
        default=100_000,
        help="run the full cross-validated fit up to this many rows",
    )
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one(a.child, a.threads, a.child <= a.cv_max)))
        return
    rows = []
    print(f"churn benchmark: 30 features, threads={a.threads}")
    for n in a.sizes:
        res = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(n),
                "--threads",
                str(a.threads),
                "--cv-max",
                str(a.cv_max),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(r)
        cv = f"  cv+fit {r['cv_fit_s']:7.1f}s (AUC {r['cv_auc']:.3f})" if "cv_fit_s" in r else ""
        print(
            f"n={n:>9,}  prepare {r['prepare_s']:6.1f}s  fit logistic {r['fit_logistic_s']:6.1f}s"
            f"  fit gbm {r['fit_gbm_s']:6.1f}s  score {r['score_s']:5.2f}s{cv}"
            f"  peak RSS {r['peak_rss_mb']:,.0f} MB",
            flush=True,
        )
    for a_, b_ in zip(rows, rows[1:], strict=False):
        k = b_["n"] / a_["n"]
        ratios = ", ".join(
            f"{key[:-2]} x{b_[key] / a_[key]:.1f}"
            for key in ("fit_logistic_s", "fit_gbm_s", "score_s", "peak_rss_mb")
        )
        print(f"{a_['n']:,} -> {b_['n']:,} ({k:.0f}x rows): {ratios}")


if __name__ == "__main__":
    main()
