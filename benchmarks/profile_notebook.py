"""Where a notebook's time goes: each cell's time, and a pyinstrument profile of the kernel.

Usage::

    .venv/bin/python benchmarks/profile_notebook.py --data /tmp/m1 02_segments 01_swot
    .venv/bin/python benchmarks/profile_notebook.py --data data/sample 04_csi --html /tmp/csi

The folder is checked and stored once, as ``cxreport run`` does, and the notebooks run one
after another in that order against the stored copy, sharing the run's segment cache (so the
segmentation is timed in the first notebook that needs it, as in a run where that notebook
comes first). For each notebook it prints the kernel's peak memory, the slowest cells with
their first line, the cells with the highest peak memory (Linux), then pyinstrument's call
tree of the whole kernel (frames under 2 % of the time left out); with ``--html DIR`` the
tree is also written as ``DIR/<notebook>.html``. Needs ``pip install pyinstrument`` (a
benchmark tool, not a dependency of cxreport). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cxreport.report.datacopy import ENV, check_and_store  # noqa: E402

START = """\
import pyinstrument as _pyi
_cell_peaks = []
def _reset_peak(info):  # Linux: 5 resets the peak resident set size (VmHWM)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
def _record_peak(result):
    with open("/proc/self/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM")).split()[1]
    _cell_peaks.append((int(hwm) / 1024, (result.info.raw_cell.splitlines() or [""])[0]))
get_ipython().events.register("pre_run_cell", _reset_peak)
get_ipython().events.register("post_run_cell", _record_peak)
_profiler = _pyi.Profiler(interval=0.01)
_profiler.start()"""

STOP = """\
_profiler.stop()
import resource as _resource
_peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"kernel peak memory {{_peak:,.0f}} MiB")
import json as _json
open({peaks!r}, "w").write(_json.dumps(_cell_peaks))
open({text!r}, "w").write(_profiler.output_text(show_all=False, short_mode=False, time="seconds",
                                            unicode=True, color=False, flat=False,
                                            processor_options={{"filter_threshold": 0.02}}))
if {html!r}:
    open({html!r}, "w").write(_profiler.output_html())"""


def _with_profiler(nb, text: Path, html: str, peaks: Path) -> None:
    """A cell starting the profiler (and each cell's peak memory) after the parameters, one
    stopping it at the end."""
    at = next(
        (i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0
    )
    nb.cells.insert(at, nbformat.v4.new_code_cell(START))
    nb.cells.append(
        nbformat.v4.new_code_cell(STOP.format(text=str(text), html=html, peaks=str(peaks)))
    )


def profile(name: str, data: Path, month: str, work: Path, html_dir: Path | None) -> None:
    source = ROOT / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(source, as_version=4)
    text = work / f"{name}.txt"
    html = str(html_dir / f"{name}.html") if html_dir else ""
    peaks = work / f"{name}.peaks.json"
    _with_profiler(nb, text, html, peaks)
    prepared = work / f"{name}.in.ipynb"
    nbformat.write(nb, prepared)
    params = {"data_dir": str(data), "month": month, "history_dir": str(work / "history")}
    t0 = time.perf_counter()
    done = papermill.execute_notebook(
        str(prepared),
        str(work / f"{name}.out.ipynb"),
        parameters=params,
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    wall = time.perf_counter() - t0
    cells = [
        (c.metadata.get("papermill", {}).get("duration") or 0.0, i, c.source.splitlines()[0:1])
        for i, c in enumerate(done.cells)
        if c.cell_type == "code"
    ]
    peak = next((o.get("text", "") for o in done.cells[-1].get("outputs", [])), "").strip()
    print(f"\n=== {name}: {wall:.1f} s wall (kernel start included), {peak}")
    for secs, i, first in sorted(cells, reverse=True)[:8]:
        print(f"  cell {i:>2}  {secs:7.1f} s  {(first or [''])[0][:80]}")
    print("  cells with the highest peak memory (the kernel's resident set while each ran):")
    for mib, first in sorted(json.loads(peaks.read_text()), reverse=True)[:6]:
        print(f"  {mib:9,.0f} MiB  {first[:80]}")
    print(text.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", help="notebook names, run in this order")
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--html", help="folder for pyinstrument's HTML view of each notebook")
    args = ap.parse_args()
    html_dir = Path(args.html) if args.html else None
    if html_dir:
        html_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cxr-profile-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        _, _, report = check_and_store(args.data, work / "tables", args.month)
        if not report.ok:
            sys.exit(f"{args.data} is not valid: run `cxreport validate {args.data}`")
        print(f"data check and copy: {time.perf_counter() - t0:.1f} s")
        os.environ[ENV] = str(work / "tables")
        for name in args.notebooks:
            profile(name, Path(args.data).resolve(), args.month, work, html_dir)


if __name__ == "__main__":
    main()
