"""Peak memory of ``cxreport validate`` on a large CSV folder, against the tables' own size.

Usage::

    .venv/bin/python benchmarks/bench_validate.py                    # 300,000 customers
    .venv/bin/python benchmarks/bench_validate.py --customers 1000000

Writes ``cxreport sample --customers N --format csv`` to a temporary folder (removed at the
end), then runs ``cxreport validate`` on it in a child process and reads the child's peak
resident memory from the system (``getrusage``: exact, no sampling). Printed beside it: the
CSV files' size and the in-memory size of the typed tables (``memory_usage(deep=True)`` of
what :func:`cxreport.load` returns, measured in another child). Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent

_SIZE = """
import json, sys
from cxreport import load
data = load(sys.argv[1])
print(json.dumps({t: int(f.memory_usage(deep=True).sum()) for t, f in data.tables.items()}))
"""


_PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)  # KiB on Linux
"""


def _child_peak(cmd: list[str]) -> tuple[float, int]:
    """Run ``cmd`` under a fresh process (so that the peak is its own, not the largest of
    every child this one waited for); its wall time and peak resident bytes."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True)
    return time.perf_counter() - t0, int(done.stdout.split()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=300_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="cxr-bench-validate-") as tmp:
        folder = Path(tmp) / "data"
        subprocess.run(
            [str(BIN / "cxreport"), "sample", "--customers", str(args.customers),
             "--format", "csv", "--out", str(folder)],
            check=True, capture_output=True,
        )  # fmt: skip
        files = {f.stem: f.stat().st_size for f in folder.glob("*.csv")}
        wall, peak = _child_peak([str(BIN / "cxreport"), "validate", str(folder)])
        # a second process for the sizes (the peak above must be validate's alone)
        sizes = json.loads(subprocess.run(
            [sys.executable, "-c", _SIZE, str(folder)], capture_output=True, text=True,
            check=True,
        ).stdout)  # fmt: skip
    mb = 1e6
    print(f"cxreport validate, {args.customers:,} customers, CSV")
    print(f"{'table':<16}{'CSV MB':>10}{'in memory MB':>14}")
    for t in sorted(files, key=lambda t: -files[t]):
        print(f"{t:<16}{files[t] / mb:>10.1f}{sizes.get(t, 0) / mb:>14.1f}")
    largest = max(sizes.values())
    total = sum(sizes.values())
    print(f"{'all':<16}{sum(files.values()) / mb:>10.1f}{total / mb:>14.1f}")
    print(f"validate: {wall:.1f} s, peak {peak / mb:,.0f} MB")
    print(f"peak / all tables in memory: {peak / total:.2f}x; "
          f"peak / largest table: {peak / largest:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
