"""The monthly report's wall time and peak memory: ``cxreport run`` with --jobs 1 and --jobs 2,
against the naive sequence (``papermill`` then ``jupyter nbconvert --to html --no-input`` per
notebook, one after another), in the same run; plus the size of every HTML file.

Usage::

    .venv/bin/python benchmarks/bench_report.py                 # all notebooks, all three ways
    .venv/bin/python benchmarks/bench_report.py --only swot csi --modes jobs1 jobs2
    .venv/bin/python benchmarks/bench_report.py --customers 1000000 --modes jobs2  # at scale

``--customers N`` first writes ``cxreport sample --customers N --format parquet`` to a
temporary folder (removed at the end) and reports on it; ``--data DIR`` reports on a folder
of yours.

Peak memory is the largest sum of resident memory over the whole process tree (runner,
validation, workers, kernels), sampled every 0.2 s, with the largest resident memory of each
kind of process beside it; each notebook's time comes from the run's manifest. Figures are
printed, never asserted: the machines are shared and noisy. Each way writes to its own
temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


ROLES = ("runner", "validation", "worker", "kernel", "other")


def _role(p: psutil.Process, root: psutil.Process) -> str:
    """runner, spawned (the data check or a worker: told apart at the end), kernel or other."""
    if p.pid == root.pid:
        return "runner"
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "other"
    if "ipykernel" in cmd:
        return "kernel"
    return "spawned" if "spawn_main" in cmd else "other"


def _tree_rss(proc: psutil.Process, parents: set[int]) -> dict[int, tuple[str, int]]:
    """Each process of the tree: its role and resident memory; ``parents`` gathers the
    processes that started a kernel (the workers)."""
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    now = {}
    for p in procs:
        try:
            rss = p.memory_info().rss
            role = _role(p, proc)
            if role == "kernel":
                parents.add(p.ppid())
        except psutil.Error:
            continue
        now[p.pid] = (role, rss)
    return now


def _by_role(now: dict[int, tuple[str, int]], parents: set[int], combine) -> dict[str, int]:
    """Per role (a spawned process that started a kernel is a worker, the other the data
    check), ``combine`` of its processes' memory."""
    out: dict[str, int] = {}
    for pid, (role, rss) in now.items():
        if role == "spawned":
            role = "worker" if pid in parents else "validation"
        out[role] = combine(out.get(role, 0), rss)
    return out


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, int, dict]:
    """Run ``cmd``; return (wall seconds, peak tree RSS bytes, exit code, details): the
    largest process of each kind, what each kind held at the peak and when it was, and
    when the first kernel started (the end of the data check)."""
    peak = 0
    largest: dict[int, tuple[str, int]] = {}  # pid -> role, its largest memory
    parents: set[int] = set()
    at_peak: dict[int, tuple[str, int]] = {}
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample():
        nonlocal peak, at_peak
        while not stop.is_set():
            now = _tree_rss(ps, parents)
            for pid, (role, rss) in now.items():
                known, most = largest.get(pid, (role, 0))
                # the role first seen: an exiting process's command line is no longer readable
                largest[pid] = (role if known == "other" else known, max(rss, most))
            if any(role == "kernel" for role, _ in now.values()):
                marks.setdefault("first_kernel_s", time.perf_counter() - t0)
            total = sum(rss for _, rss in now.values())
            if total > peak:
                peak, at_peak = total, now
                marks["peak_s"] = time.perf_counter() - t0
            stop.wait(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    stop.set()
    t.join()
    return (
        wall,
        peak,
        code,
        {
            "largest": _by_role(largest, parents, max),
            "at_peak": _by_role(at_peak, parents, lambda a, b: a + b),
            **marks,
        },
    )


def run_cxreport(jobs: int, args, out: Path) -> tuple[float, int, int, dict]:
    cmd = [
        str(BIN / "cxreport"),
        "run",
        "--data",
        str(args.data),
        "--month",
        args.month,
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--notebooks",
        str(args.notebooks),
    ]
    if args.only:
        cmd += ["--only", *args.only]
    return measure(cmd, ROOT)


def run_naive(notebooks: list[Path], args, out: Path) -> tuple[float, int, int, dict]:
    """papermill then nbconvert, per notebook, one after another (what the runner replaces)."""
    script = out / "naive.sh"
    lines = ["set -u", "rc=0"]
    for nb in notebooks:
        executed = out / nb.name
        lines.append(
            f"'{BIN / 'papermill'}' '{nb}' '{executed}' -k cxreport --cwd '{nb.parent}' "
            f"-p data_dir '{Path(args.data).resolve()}' -r month {args.month} "
            f"-p export_dir '{out}' --no-progress-bar || rc=1"
        )
        lines.append(
            f"'{BIN / 'jupyter-nbconvert'}' --to html --no-input '{executed}' "
            f"--output-dir '{out}' || rc=1"
        )
    lines.append("exit $rc")
    script.write_text("\n".join(lines) + "\n")
    return measure(["bash", str(script)], ROOT)


def _print_notebooks(folder: Path) -> None:
    """Each notebook's time and status, from the run's manifest."""
    import json

    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return
    for nb in manifest.get("notebooks", []):
        err = (nb.get("error") or {}).get("line", "")
        print(
            f"         {nb['name']:<14} {nb['duration_s']:7.1f} s run + {nb['export_s']:5.1f} s "
            f"export  {nb['status']}" + (f" ({err})" if err else "")
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(ROOT / "data" / "sample"))
    p.add_argument(
        "--customers",
        type=int,
        help="report on a generated folder of this many customers (Parquet) instead of --data",
    )
    p.add_argument("--month", default="2026-10")
    p.add_argument("--notebooks", default=str(ROOT / "notebooks"))
    p.add_argument("--only", nargs="+", help="notebook names, as for cxreport run --only")
    p.add_argument(
        "--modes",
        nargs="+",
        default=["naive", "jobs1", "jobs2"],
        choices=["naive", "jobs1", "jobs2"],
    )
    args = p.parse_args(argv)

    from cxreport.report.notebooks import find_notebooks

    notebooks = find_notebooks(args.notebooks, args.only)
    figures: dict[str, tuple[float, int, int, dict]] = {}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="cxr-bench-") as tmp:
        if args.customers:
            args.data = str(Path(tmp) / "data")
            t0 = time.perf_counter()
            subprocess.run(
                [
                    str(BIN / "cxreport"),
                    "sample",
                    "--out",
                    args.data,
                    "--customers",
                    str(args.customers),
                    "--format",
                    "parquet",
                    "--end",
                    args.month,
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            mb = sum(f.stat().st_size for f in Path(args.data).rglob("*") if f.is_file()) / 1e6
            print(
                f"cxreport sample --customers {args.customers:,} --format parquet: "
                f"{time.perf_counter() - t0:.0f} s, {mb:,.0f} MB"
            )
        print(
            f"notebooks: {', '.join(nb.stem for nb in notebooks)}; data {args.data}; "
            f"month {args.month}; {psutil.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB, "
            f"load average {psutil.getloadavg()[0]:.1f} at start"
        )
        for mode in args.modes:
            out = Path(tmp) / mode
            out.mkdir()
            if mode == "naive":
                figures[mode] = run_naive(notebooks, args, out)
            else:
                figures[mode] = run_cxreport(int(mode[-1]), args, out)
                folder = out / args.month
                if not folder.is_dir():
                    folder = out / f"{args.month}.failed"
                sizes = {f.name: f.stat().st_size for f in sorted(folder.glob("*.html"))}
            wall, peak, code, info = figures[mode]
            print(
                f"  {mode:<6} wall {wall:7.1f} s   peak memory {peak / 2**20:7.0f} MiB   "
                f"exit code {code}",
                flush=True,
            )

            def mib(d):
                return ", ".join(f"{r} {d[r] / 2**20:,.0f} MiB" for r in ROLES if r in d)

            print(f"         largest process of each kind: {mib(info['largest'])}")
            print(
                f"         at the peak ({info.get('peak_s', 0):.0f} s in): {mib(info['at_peak'])}"
            )
            if "first_kernel_s" in info:
                print(
                    f"         first kernel after {info['first_kernel_s']:.1f} s (the data check)"
                )
            if mode != "naive":
                _print_notebooks(folder)

    print()
    if "jobs1" in figures and "jobs2" in figures:
        r = figures["jobs2"][0] / figures["jobs1"][0]
        print(f"cxreport run --jobs 2 / --jobs 1 wall time: {r:.2f}")
    for mode in ("jobs1", "jobs2"):
        if mode in figures and "naive" in figures:
            r = figures[mode][0] / figures["naive"][0]
            print(
                f"cxreport run --{mode[:-1]} {mode[-1]} / naive papermill+nbconvert: {r:.2f}"
                + ("  (target <= 0.5 on 2 cores)" if mode == "jobs2" else "")
            )
    if sizes:
        print("\nHTML sizes (last cxreport run):")
        for name, size in sizes.items():
            print(f"  {name:<28} {size / 1024:8.0f} KiB")
        print(f"  {'total':<28} {sum(sizes.values()) / 1024:8.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
