"""The report contract on generated folders: for every folder that ``cxreport validate``
accepts, every notebook finishes (ok) or is skipped with the reason; none fails.

Usage::

    .venv/bin/python benchmarks/bench_report_contract.py --folders 45      # 45 × 5 notebooks

Each folder is the sample generator's output (300 customers, 6 months, its own seed) turned
by one to three variations of ``tests/folders.py`` (tables absent, one month, tiny n, no
churner, one touchpoint, no overall item, ids as numbers, non-ASCII labels, ...). Prints one
line per folder and the totals: folders × notebooks run, ok, skipped, failed, and each failure
with its error line. Exit 1 when any notebook failed.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from folders import END, make_folder, plan  # noqa: E402

from cxreport.data import validate  # noqa: E402
from cxreport.errors import CxReportError  # noqa: E402
from cxreport.report.pages import error_line  # noqa: E402
from cxreport.report.run import run_report  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--folders", type=int, default=45, help="generated folders (default 45)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    counts: Counter = Counter()
    failures: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="cxr-contract-"))
    t0 = time.perf_counter()
    try:
        for i, combo in enumerate(plan(args.folders, args.seed)):
            folder = make_folder(work / f"f{i:03d}", combo, seed=args.seed + i)
            if not validate(folder).ok:  # the contract is about folders validate accepts
                counts["invalid folders"] += 1
                print(f"{i:3d} {'+'.join(combo):<50} not valid (skipped)", flush=True)
                continue
            try:
                result = run_report(
                    data_dir=folder, month=END, out=work / f"out{i:03d}", jobs=args.jobs,
                    stream=io.StringIO(), tty=False,
                )  # fmt: skip
            except CxReportError as exc:  # e.g. no data in the month: refused up front
                counts["refused folders"] += 1
                print(f"{i:3d} {'+'.join(combo):<50} refused: {exc}", flush=True)
                continue
            line = []
            for r in result.notebooks:
                counts[r.status] += 1
                line.append(f"{r.name[:2]}:{r.status}")
                if r.status == "failed":
                    failures.append(f"{'+'.join(combo)} {r.name}: {error_line(r.error)}")
            print(f"{i:3d} {'+'.join(combo):<50} {' '.join(line)}", flush=True)
            shutil.rmtree(work / f"out{i:03d}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    runs = counts["ok"] + counts["skipped"] + counts["failed"]
    print(
        f"\n{runs} folder × notebook runs in {time.perf_counter() - t0:.0f} s: "
        f"{counts['ok']} ok, {counts['skipped']} skipped, {counts['failed']} failed "
        f"({counts['invalid folders']} generated folders not valid and "
        f"{counts['refused folders']} refused before any kernel, e.g. no data in the month)"
    )
    for f in failures:
        print("  FAILED", f)
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
