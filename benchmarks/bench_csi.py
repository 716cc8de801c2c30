"""Memory and time of the CSI bootstrap (prints figures; asserts nothing).

    .venv/bin/python benchmarks/bench_csi.py [--responses 100000 1000000] [--n-boot 1000]

Each size runs in a fresh child process, so its peak resident memory (``ru_maxrss``) is its
own; "over input" is that peak minus the memory after building the answers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
import numpy as np
from cxreport.csi import bootstrap_means
n, n_boot = int(sys.argv[1]), int(sys.argv[2])
x = np.random.default_rng(0).integers(1, 8, (n, 22)).astype(float)
x[np.random.default_rng(1).random(x.shape) < 0.05] = np.nan
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
bootstrap_means(x, n_boot, np.random.default_rng(2))
print(json.dumps({"s": time.perf_counter() - t, "base": base,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args()
    for n in args.responses:
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(args.n_boot)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out)
        one_batch = args.n_boot * n * 8 / 2**20
        print(
            f"{n:>9,} responses × 22 items, {args.n_boot} resamples: {r['s']:6.1f} s, "
            f"peak {r['peak'] / 1024:,.0f} MB (+{(r['peak'] - r['base']) / 1024:,.0f} MB over "
            f"the answers; one n_boot × n matrix would be {one_batch:,.0f} MB); "
            f"wall {time.perf_counter() - t:.1f} s"
        )


if __name__ == "__main__":
    main()
