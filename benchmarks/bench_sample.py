"""Speed and memory of `cxreport sample` (prints figures; asserts nothing).

.venv/bin/python benchmarks/bench_sample.py [--customers 1000000] [--months 18]
    [--format parquet] [--chunk 250000]

The sample is generated and written ``--chunk`` customers at a time, so the peak memory
depends on the chunk, not on the number of customers.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from cxreport.data import sample


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=18)
    ap.add_argument("--format", default="csv", choices=("csv", "parquet"))
    ap.add_argument("--chunk", type=int, default=sample.CHUNK)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="cxsample-"))
    try:
        t0 = time.perf_counter()
        sizes = sample.write(
            out, customers=args.customers, months=args.months, fmt=args.format, chunk=args.chunk
        )
        took = time.perf_counter() - t0
        mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"customers={args.customers:,} months={args.months} format={args.format} "
            f"chunk={args.chunk:,}"
        )
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
        print(f"generate + write: {took:.1f} s; files {mb:,.0f} MB; peak RSS {peak:,.0f} MB")
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
