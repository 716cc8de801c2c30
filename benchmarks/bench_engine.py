"""Customer features as of a month end and the service-quality index on the pandas path and
on the engine (DuckDB), from the typed Parquet copy a report run gives its notebooks (prints;
asserts nothing).

    .venv/bin/python benchmarks/bench_engine.py --customers 1000000 [--backends pandas duckdb]

The sample generator writes the folder (``cxreport sample --format parquet``, month-partitioned
in chunks), the folder is checked and stored once (``snapshot.write``, what ``cxreport run``
does), then each backend, in a fresh process, computes ``segments.customer_features`` and
then the SQI the NPS/SQI page shows (``sqi.month_summary``, ``control_chart``, the top
failure types and touchpoints): wall time of each and that process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MONTH = "2026-10"


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(copy: str, backend: str) -> None:
    from cxreport import segments, sqi
    from cxreport.data import engine, snapshot

    ds = snapshot.open_dataset(copy, month=MONTH)
    t0 = time.perf_counter()
    engine.use(ds, backend)
    feats = segments.customer_features(ds)
    seconds = time.perf_counter() - t0
    peak = _peak_mb()
    t0 = time.perf_counter()
    sqi.month_summary(ds)
    sqi.control_chart(ds)
    for by in ("failure_type", "touchpoint"):
        sqi.top_contributors(ds, by=by)
    sqi_s = time.perf_counter() - t0
    out = {"backend": backend, "s": seconds, "peak_mb": peak, "rows": len(feats.table)}
    print(json.dumps({**out, "sqi_s": sqi_s, "sqi_peak_mb": _peak_mb()}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--backends", nargs="+", default=["pandas", "duckdb"])
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        return _one(*args.one)
    from cxreport.data import sample, snapshot

    with tempfile.TemporaryDirectory() as tmp:
        folder, copy = Path(tmp) / "data", Path(tmp) / "copy"
        t0 = time.perf_counter()
        sample.write(folder, customers=args.customers, fmt="parquet")
        files, cfg, report = snapshot.write(folder, copy, MONTH)
        tx = report.tables.get("transactions", 0)
        print(
            f"{args.customers:,} customers, {tx:,} transactions: folder written and "
            f"stored in {time.perf_counter() - t0:.0f} s"
        )
        for backend in args.backends:
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--one", str(copy), backend],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            r = json.loads(out)
            print(
                f"  {r['backend']:7s} features: {r['s']:6.1f} s, peak RSS {r['peak_mb']:6.0f} MB "
                f"({r['rows']:,} customers); then the SQI: {r['sqi_s']:6.1f} s, peak RSS "
                f"{r['sqi_peak_mb']:6.0f} MB"
            )


if __name__ == "__main__":
    main()
