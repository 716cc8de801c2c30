"""``cxreport run`` end to end on the fixture notebooks (real kernels), and once on a real one.

One module-scoped report folder holds two good months (2026-09, then 2026-10 with non-default
parameters) built from a copy of the sample data with hostile strings planted in a customer
name and two complaint texts. Later tests add a failing run, an interrupted run and a
``--show-code --show-ids`` run, and check that the good report survives.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from small_notebooks import write_notebook

from cxreport import pseudonymise
from cxreport.report.execute import REDACTED
from cxreport.report.pages import Task, error_line
from cxreport.report.run import RunResult, run_report

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
CLI = [sys.executable, "-m", "cxreport.cli", "run"]
XSS_SCRIPT = "<script>window.__cxr_xss = 1; alert('xss-script')</script>"
XSS_IMG = "<img src=x onerror=\"window.__cxr_xss = 2; alert('xss-img')\">"


def make_hostile_data(dst: Path) -> Path:
    """Copy data/sample to ``dst`` with script and img-onerror strings in customer and
    complaint texts."""
    shutil.copytree(ROOT / "data" / "sample", dst)
    cust = pd.read_csv(dst / "customers.csv", dtype=str, keep_default_na=False)
    cust["name"] = "Customer " + cust["customer_id"]
    first = cust["customer_id"].min()
    cust.loc[cust["customer_id"] == first, "name"] = "Eve " + XSS_IMG + XSS_SCRIPT
    cust.to_csv(dst / "customers.csv", index=False, quoting=csv.QUOTE_NONNUMERIC)
    comp = pd.read_csv(dst / "complaints.csv", dtype=str, keep_default_na=False)
    ids = comp["complaint_id"].sort_values().iloc[:2].tolist()
    comp.loc[comp["complaint_id"] == ids[0], "text"] = "Bad service " + XSS_SCRIPT
    comp.loc[comp["complaint_id"] == ids[1], "text"] = "Broken " + XSS_IMG
    comp.to_csv(dst / "complaints.csv", index=False, quoting=csv.QUOTE_NONNUMERIC)
    return dst


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict]]:
    p = _Tags()
    p.feed(page)
    return p.tags


def run(**kwargs) -> RunResult:
    stream = io.StringIO()
    kwargs.setdefault("notebooks_dir", FIXTURES)
    kwargs.setdefault("jobs", 2)
    result = run_report(stream=stream, tty=False, **kwargs)
    result.log = stream.getvalue()
    return result


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("runner")
    data = make_hostile_data(base / "data")
    out = base / "reports"
    sept = run(data_dir=data, month="2026-09", out=out)
    octo = run(
        data_dir=data,
        month="2026-10",
        out=out,
        params={"label": "2024", "bins": "7", "seed": "45", "leak_ids": "yes"},
    )
    return {"base": base, "data": data, "out": out, "sept": sept, "oct": octo}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


# ----------------------------------------------------------------------------- the folder


def test_good_runs_write_the_month_folder(world):
    out = world["out"]
    for result, month in ((world["sept"], "2026-09"), (world["oct"], "2026-10")):
        assert result.status == "ok" and result.exit_code == 0
        assert result.folder == out / month
        names = {p.name for p in result.folder.iterdir()}
        assert {
            "01_alpha.ipynb",
            "01_alpha.html",
            "02_beta.ipynb",
            "02_beta.html",
            "index.html",
            "metrics.json",
            "manifest.json",
            "fixture_customers.csv",
        } <= names
    assert sorted(p.name for p in out.iterdir()) == [".cxreport-id-key", "2026-09", "2026-10"]
    assert "01_alpha: ok in" in world["oct"].log and "02_beta: started" in world["oct"].log
    assert "cell 1/" not in world["oct"].log  # each cell only with -v (and in run.log)


def test_run_log_tells_the_whole_run_with_time_stamps(world):
    lines = (world["out"] / "2026-10" / "run.log").read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR) +[\w.]+: "
    assert lines and all(re.match(stamp, line) for line in lines), lines
    text = "\n".join(lines)
    for said in (
        "cxreport.report.run: data folder",  # from before the report folder existed
        "cxreport.report.run: 01_alpha parameters:",
        "cxreport.report.execute: 2 notebook(s) on 2 worker(s)",
        "cxreport.report.progress: 02_beta: started (ipc kernel)",
        "cxreport.report.progress: 01_alpha: cell 3/",
        "cxreport.report.progress: 01_alpha: ok in",
        "cxreport.report.progress: 2 notebooks in",
        "cxreport.report.run: report ok in " + str(world["out"] / "2026-10"),
    ):
        assert said in text, said
    key = (world["out"] / ".cxreport-id-key").read_text().strip()
    assert key not in text


def test_parameters_reach_the_kernel_with_their_declared_types(world):
    nb = nbformat.read(world["out"] / "2026-10" / "01_alpha.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'label = "2024"' in injected.source  # a str, as declared (not the int 2024)
    assert "bins = 7\n" in injected.source and "leak_ids = True" in injected.source
    metrics = {
        m["name"]: m
        for m in json.loads((world["out"] / "2026-10" / "metrics.json").read_text())["metrics"]
    }
    assert metrics["fixture_bins"]["value"] == 7.0
    assert metrics["fixture_score"]["value"] == 95.0  # 50 + seed
    assert metrics["fixture_nps"]["notebook"] == "01_alpha"


def test_manifest_records_how_the_report_was_made(world):
    m = _manifest(world["out"] / "2026-10")
    assert m["month"] == "2026-10" and m["status"] == "ok"
    assert m["parameters"]["01_alpha"]["label"] == "2024"
    assert m["parameters"]["02_beta"]["seed"] == 45 and "label" not in m["parameters"]["02_beta"]
    assert m["parameters"]["01_alpha"]["export_dir"] == str(world["out"] / "2026-10")
    for pkg in ("python", "cxreport", "papermill", "nbconvert", "pandas"):
        assert m["versions"][pkg]
    data = world["data"]
    assert set(m["data_files"]) == {p.name for p in data.iterdir()}
    assert (
        m["data_files"]["customers.csv"]
        == hashlib.sha256((data / "customers.csv").read_bytes()).hexdigest()
    )
    assert re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
    rows = {r["name"]: r for r in m["notebooks"]}
    assert set(rows) == {"01_alpha", "02_beta"}
    for r in rows.values():
        assert r["status"] == "ok" and r["error"] is None and r["duration_s"] > 0
        # kernels talk over IPC sockets where the platform has them
        assert r["kernel_transport"] == ("ipc" if os.name == "posix" else "tcp")
        assert r["attempts"] == 1
    assert rows["01_alpha"]["exported"] == ["fixture_customers.csv"]
    assert rows["01_alpha"]["ids_replaced_in_html"] == 5  # the planted print(raw ids)


def test_the_pseudonym_key_stays_out_of_the_report(world):
    key = (world["out"] / ".cxreport-id-key").read_text().strip()
    assert len(key) == 64
    for path in (world["out"] / "2026-10").iterdir():
        assert key not in path.read_text(encoding="utf-8", errors="replace"), path.name
    m = _manifest(world["out"] / "2026-10")
    assert m["parameters"]["01_alpha"]["id_key"] == REDACTED


# ----------------------------------------------------------------------------- safe HTML


def test_html_hides_code_embeds_figures_and_escapes_data(world):
    page = (world["out"] / "2026-10" / "01_alpha.html").read_text()
    assert "run.record(" not in page and "import cxreport" not in page
    assert "Reporting month <strong>Oct 2026</strong>" in page
    assert f"Data <code>{world['data'].name}</code>" in page  # by name: no server path
    assert str(world["data"]) not in page
    assert '<details class="cx-toc" open>' in page and 'href="#Complaint-texts"' in page
    found = tags(page)
    assert [t for t, _ in found if t in ("script", "iframe", "svg")] == []
    assert [(t, k) for t, a in found for k in a if k.startswith("on")] == []
    imgs = [a["src"] for t, a in found if t == "img"]
    assert len(imgs) == 1 and imgs[0].startswith("data:image/png;base64,")
    # the careless raw-HTML cells, the Markdown cell and the DataFrame all show the text
    assert page.count("&lt;script&gt;window.__cxr_xss = 1;") >= 4
    assert "Customer: Eve &lt;img src=x onerror=" in page
    assert "<strong>Name in Markdown:</strong> Eve &lt;img" in page


def test_ids_are_pseudonyms_in_html_and_real_in_the_export(world):
    key = (world["out"] / ".cxreport-id-key").read_text().strip()
    export = pd.read_csv(world["out"] / "2026-10" / "fixture_customers.csv")
    real = export["customer_id"].tolist()
    assert real == sorted(real) and real[0] == "C000001"
    pseudo = pseudonymise(real, key).tolist()
    for month in ("2026-09", "2026-10"):
        page = (world["out"] / month / "01_alpha.html").read_text()
        for r, p in zip(real, pseudo, strict=True):
            assert r not in page
            assert p in page  # stable: the same pseudonym both months, joinable with the key


# ----------------------------------------------------------------------------- index.html


def test_index_shows_kpis_with_change_and_significance(world):
    page = (world["out"] / "2026-10" / "index.html").read_text()
    # the title is report.title of the sample's cxreport.yaml
    assert "Northwind Telecom - monthly CX report · Oct 2026" in page
    tile = page.split('data-metric="fixture_nps"', 1)[1].split('<div class="tile"', 1)[0]
    # NPS (fixture) = 10 + bins: 17 (CI 7-27) against 20 (CI 10-30) in 2026-09
    assert '<div class="value">17</div>' in tile and "▼ -3 <span" in tile
    assert "not significant" in tile and "sigmark" not in tile
    row = page.split('<tr data-metric="fixture_score">', 1)[1].split("</tr>", 1)[0]
    # 95 ± 1 against 92 ± 1: z = 3 / sqrt(2) = 2.12, p = 0.034
    assert "▲ +3" in row and "sigmark" in row and "significant (p = 0.034)" in row
    churn = page.split('data-metric="fixture_churn_rate"', 1)[1].split('<div class="tile"', 1)[0]
    assert "= 0 pp" in churn  # a change of a percentage, in percentage points
    for nb in ("01_alpha", "02_beta"):
        assert f'<a href="{nb}.html">' in page
        row = page.split(f'<tr data-notebook="{nb}">', 1)[1].split("</tr>", 1)[0]
        assert '<span class="status-ok">ok</span>' in row
    assert '<a href="fixture_customers.csv">' in page
    sept = (world["out"] / "2026-09" / "index.html").read_text()
    assert "nothing for Aug 2026 to compare with" in sept


# ----------------------------------------------------------------------------- failures


def _cli(world, *args, **kw):
    cmd = [
        *CLI,
        "--data",
        str(world["data"]),
        "--out",
        str(world["out"]),
        "--notebooks",
        str(FIXTURES),
        "--jobs",
        "2",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, **kw)


def test_failing_notebook_others_continue_good_report_kept(world):
    good = (world["out"] / "2026-10" / "manifest.json").read_bytes()
    proc = _cli(world, "--month", "2026-10", "--param", "fail=true", "--quiet")
    assert proc.returncode == 1, proc.stderr
    # -q: no progress, only the failure; the result lines on stdout
    assert proc.stderr.splitlines() == [
        "✗ 02_beta failed at cell In [5]: ValueError: planted failure for the test"
    ]
    assert "1/2 notebooks ok." in proc.stdout and "was kept" in proc.stdout
    assert (
        proc.stdout.splitlines()[-1] == f"Report: {world['out'] / '2026-10.failed' / 'index.html'}"
    )
    # the good report is untouched; the failed run sits next to it
    assert (world["out"] / "2026-10" / "manifest.json").read_bytes() == good
    failed = world["out"] / "2026-10.failed"
    m = _manifest(failed)
    rows = {r["name"]: r for r in m["notebooks"]}
    assert m["status"] == "failed" and rows["01_alpha"]["status"] == "ok"
    err = rows["02_beta"]["error"]
    assert err["notebook"] == "02_beta.ipynb" and err["ename"] == "ValueError"
    assert err["evalue"] == "planted failure for the test"
    assert err["execution_count"] == 5 and isinstance(err["cell_index"], int)
    page = (failed / "02_beta.html").read_text()
    assert "An Exception was encountered at" in page  # papermill's banner
    assert "This notebook failed: cell In [5]: ValueError: planted failure" in page
    nb = nbformat.read(failed / "02_beta.ipynb", as_version=4)
    assert nb.metadata["papermill"]["exception"] is True
    index = (failed / "index.html").read_text()
    assert "Some analyses failed this month" in index and "status-failed" in index
    assert not list(world["out"].glob(".2026-10.tmp-*"))


HANG_GUARD_S = 180  # only against a hang: every wait below ends on a state, long before this


def _wait_until(state, what: str, timeout: float = HANG_GUARD_S):
    """Poll ``state()`` until it is true (returned), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = state()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def _is_kernel(process) -> bool:
    import psutil

    try:
        return "ipykernel" in " ".join(process.cmdline())
    except psutil.Error:  # a child that just exited (zombie) or is gone
        return False


def _alive(processes) -> list:
    """Those of ``processes`` still running (a zombie, gone but not reaped, is not)."""
    import psutil

    running = []
    for p in processes:
        with contextlib.suppress(psutil.Error):
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                running.append(p)
    return running


class _Runner:
    """``cxreport run`` in a subprocess; its stderr lines are collected as they come."""

    def __init__(self, world, *args, out=None):
        cmd = [
            *CLI,
            "--data",
            str(world["data"]),
            "--out",
            str(out or world["out"]),
            "--notebooks",
            str(FIXTURES),
            "--jobs",
            "2",
            *args,
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        self.lines: list[str] = []
        self.out = ""
        self._readers = [
            threading.Thread(target=self._read_err, daemon=True),
            threading.Thread(target=self._read_out, daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read_err(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def _read_out(self):
        self.out = self.proc.stdout.read()

    def wait_for_line(self, pattern: str) -> str:
        """The first stderr line matching ``pattern``, once it has been written."""

        def seen():
            line = next((x for x in self.lines if re.search(pattern, x)), None)
            if line is None and self.proc.poll() is not None:
                raise AssertionError(f"the run ended ({self.proc.returncode}) before {pattern!r}")
            return line

        return _wait_until(seen, f"a line {pattern!r}")

    def processes(self) -> list:
        """The runner's live descendants: pool workers and their kernels."""
        import psutil

        return psutil.Process(self.proc.pid).children(recursive=True)

    def finish(self) -> tuple[int, str]:
        """Wait (hang guard only) for the exit; return the exit code and the stderr text."""
        code = self.proc.wait(timeout=HANG_GUARD_S)
        for t in self._readers:
            t.join(timeout=HANG_GUARD_S)
        return code, "\n".join(self.lines)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _start_sleeping_run(world, **kw) -> tuple[_Runner, list]:
    """A run whose 02_beta sleeps in a cell; returns once 01_alpha has finished and beta's
    kernel runs the sleeping cell (-v shows each cell), with that kernel."""
    beta = nbformat.read(FIXTURES / "02_beta.ipynb", as_version=4)
    sleeping = next(i for i, c in enumerate(beta.cells) if "time.sleep" in c.source)
    runner = _Runner(world, "--month", "2026-10", "--param", "sleep_s=600", "-v", **kw)
    runner.wait_for_line(r"01_alpha: ok in")
    # papermill's injected parameters cell comes first, and the progress counts from 1
    runner.wait_for_line(rf"02_beta: cell {sleeping + 2}/{len(beta.cells) + 1}$")
    kernels = _wait_until(
        lambda: [p for p in runner.processes() if _is_kernel(p)], "beta's kernel running"
    )
    return runner, kernels


@pytest.mark.parametrize(
    "signum, code, message",
    [
        (signal.SIGINT, 130, "cxreport run: interrupted"),
        (signal.SIGTERM, 143, "cxreport run: terminated (SIGTERM)"),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_run_keeps_the_old_report_and_stops_its_kernels(world, signum, code, message):
    pytest.importorskip("psutil")
    good = (world["out"] / "2026-10" / "manifest.json").read_bytes()
    runner, kernels = _start_sleeping_run(world)
    with runner:
        runner.proc.send_signal(signum)
        returncode, err = runner.finish()
    assert returncode == code, err
    assert err.strip().endswith(message) and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("cxreport run:")] == [message]
    assert (world["out"] / "2026-10" / "manifest.json").read_bytes() == good
    assert not list(world["out"].glob(".2026-10.*"))
    _wait_until(lambda: not _alive(kernels), "the kernels stopped")


def test_killed_runner_takes_its_workers_and_kernels_along_next_run_cleans_up(world, tmp_path):
    pytest.importorskip("psutil")
    out = tmp_path / "killed"
    runner, kernels = _start_sleeping_run(world, out=out)
    with runner:
        processes = runner.processes()  # the pool's workers and beta's kernel
        assert len(processes) >= 3 and set(kernels) <= set(processes)
        runner.proc.kill()  # SIGKILL: the runner cannot clean up anything itself
        runner.finish()
    _wait_until(lambda: not _alive(processes), "every process of the killed run ended")
    (left,) = out.glob(".2026-10.tmp-*[0-9a-f]")  # its work folder is still there
    again = run(data_dir=world["data"], month="2026-10", out=out, only=["alpha"])
    assert again.status == "ok" and not left.exists()
    assert f"removed {left.name}/, left by a run that died" in again.log
    assert sorted(p.name for p in out.iterdir()) == [".cxreport-id-key", "2026-10"]


def test_show_code_and_show_ids(world):
    out = world["base"] / "shown"
    result = run(
        data_dir=world["data"],
        month="2026-10",
        out=out,
        only=["alpha"],
        show_code=True,
        show_ids=True,
    )
    assert result.status == "ok" and [r.name for r in result.notebooks] == ["01_alpha"]
    page = (out / "2026-10" / "01_alpha.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)  # code is highlighted token by token
    assert "run.record(" in text and "import cxreport" in text and "C000001" in page
    key = (out / ".cxreport-id-key").read_text().strip()
    assert "# Parameters" not in text and key not in page  # the injected cell never appears
    assert [t for t, _ in tags(page) if t == "script"] == []
    index = (out / "2026-10" / "index.html").read_text()
    assert "this report was run with --show-ids. Do not forward it." in index
    assert _manifest(out / "2026-10")["command"]["show_ids"] is True


# ----------------------------------------------------------------------------- a real notebook


def test_real_notebook_with_non_default_parameters(tmp_path, sample_dir):
    """The one test on a real analysis: 01_swot for 2026-09 with top_n=2."""
    if not (ROOT / "notebooks" / "01_swot.ipynb").is_file():
        pytest.skip("notebooks/01_swot.ipynb is not there")
    result = run_report(
        data_dir=sample_dir,
        month="2026-09",
        out=tmp_path,
        only=["swot"],
        jobs=1,
        params={"top_n": "2"},
        notebooks_dir=ROOT / "notebooks",
        stream=io.StringIO(),
        tty=False,
    )
    row = result.notebooks[0]
    assert result.status == "ok", error_line(row.error)
    folder = tmp_path / "2026-09"
    page = (folder / "01_swot.html").read_text()
    assert "Reporting month <strong>Sep 2026</strong>" in page
    assert [t for t, _ in tags(page) if t == "script"] == []
    assert sum(a.get("src", "").startswith("data:image/png") for t, a in tags(page)) >= 1
    metrics = json.loads((folder / "metrics.json").read_text())["metrics"]
    assert metrics and all(m["notebook"] == "01_swot" for m in metrics)
    assert _manifest(folder)["parameters"]["01_swot"]["top_n"] == 2


def test_one_segmentation_shared_by_every_page(tmp_path):
    # --param k=3 reaches the segmentation notebook only; every other page must still show
    # its three segments (before, each page segmented again with the defaults)
    out = tmp_path / "reports"
    result = run(
        data_dir=ROOT / "data" / "sample",
        month="2026-10",
        out=out,
        notebooks_dir=ROOT / "notebooks",
        params={"k": "3"},
        only=["02_segments", "04_csi", "05_nps_sqi"],
    )
    assert result.status == "ok"
    folder = out / "2026-10"
    assigned = pd.read_csv(folder / "segments.csv", dtype={"customer_id": str})
    names = set(assigned["segment"])
    assert len(names - {"no purchase yet"}) == 3
    for export, col in (("csi_by_segment.csv", "group"), ("nps_by_segment.csv", "segment")):
        assert set(pd.read_csv(folder / export)[col]) == names, export
    (cached,) = (out / ".cxreport-cache").glob("segments-*.csv")  # computed once, kept once
    shared = pd.read_csv(cached, dtype={"customer_id": str}).set_index("customer_id")
    mine = assigned.set_index("customer_id")["segment"]
    assert shared["segment"].reindex(mine.index).equals(mine)


# ------------------------------------------------------- data for the kernels, kernel deaths

_notebook = write_notebook  # the runner's small notebooks (tests/small_notebooks.py)


def test_kernels_read_the_checked_copy_and_only_what_they_use(tmp_path, sample_dir):
    nbs = tmp_path / "nbs"
    _notebook(
        nbs,
        "01_probe",
        "import cxreport\nrun = cxreport.start('Probe', globals())",
        "fees = run.data.table('customers', ['customer_id', 'monthly_fee'])\n"
        "run.record('tables', type(run.data.tables).__name__, label='tables')\n"
        "run.record('read', repr(run.data.tables.loaded()), label='read')\n"
        "run.record('rows', run.data.rows('transactions'), label='rows')\n"
        "run.kpis()",
    )
    out = tmp_path / "out"
    result = run(data_dir=sample_dir, month="2026-10", out=out, notebooks_dir=nbs)
    assert result.status == "ok", error_line(result.notebooks[0].error)
    got = {
        m["name"]: m["value"]
        for m in json.loads((out / "2026-10" / "metrics.json").read_text())["metrics"]
    }
    assert got["tables"] == "StoredTables"
    # and the targets' three columns, where a KPI's target would be (Run.record)
    targets = ["dimension", "target", "label"]
    assert got["read"] == repr({"customers": ["customer_id", "monthly_fee"], "targets": targets})
    assert got["rows"] == len(pd.read_csv(sample_dir / "transactions.csv"))
    # the copy went with the run: nothing of it in the report or beside it
    assert not (out / "2026-10" / ".data").exists()
    assert [p.name for p in out.iterdir() if ".tmp-" in p.name] == []


def _task(tmp_path: Path, nb: Path, **extra) -> Task:
    return Task(
        name=nb.stem,
        input=nb,
        output_ipynb=tmp_path / nb.name,
        output_html=tmp_path / f"{nb.stem}.html",
        parameters={},
        cwd=nb.parent,
        month="2026-10",
        data_source="/data",
        generated="2026-11-01T00:00:00",
        start_timeout=60,
        execution_timeout=60,
        **extra,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this platform")
def test_a_kernel_killed_for_memory_is_said_so_and_not_retried(tmp_path):
    from cxreport.report.execute import execute_one

    # what the kernel's out-of-memory killer does: SIGKILL to the biggest process
    nb = _notebook(
        tmp_path / "nbs",
        "03_hungry",
        "import os, signal\nheld = b'x' * (300 * 2**20)",
        "os.kill(os.getpid(), signal.SIGKILL)",
    )
    result = execute_one(_task(tmp_path, nb))
    assert result.status == "failed" and result.attempts == 1
    err = result.error
    # with the size when the watchdog sampled the kernel before it died (no wait for a
    # sample here: that would depend on timing)
    assert re.fullmatch(r"the kernel ran out of memory( \(\d+ MB\))?", err.evalue), err
    # the cell it died in (numbered when the kernel got as far as announcing it)
    assert re.fullmatch(r"cell (#3|In \[3\]): " + re.escape(err.evalue), error_line(err))
    assert "ran out of memory" in (tmp_path / "03_hungry.html").read_text()


#: A cell that grows to 1 GB in 10 MB steps, then waits to be stopped: the watchdog's kill
#: is what ends it (without the watchdog the task's 60 s execution timeout would, and the
#: test would fail on the error it reports).
HUNGRY = (
    "import threading\nimport numpy as np\n"
    "held = [np.ones(1_250_000) for _ in range(100)]\n"
    "threading.Event().wait()"
)
OVER_LIMIT = (
    "the kernel went over its memory limit of 300 MB (set --memory-limit to change it; "
    "0 = no limit)"
)


def test_a_kernel_over_its_memory_limit_is_stopped_said_so_and_not_retried(tmp_path):
    from cxreport.report.execute import execute_one

    nb = _notebook(tmp_path / "nbs", "05_greedy", HUNGRY)
    result = execute_one(_task(tmp_path, nb, memory_limit=300 * 10**6))
    assert result.status == "failed" and result.attempts == 1
    err = result.error
    assert err.ename == "MemoryLimit" and err.evalue == OVER_LIMIT
    assert re.fullmatch(r"cell (#2|In \[2\]): " + re.escape(OVER_LIMIT), error_line(err))
    assert "went over its memory limit of 300 MB" in (tmp_path / "05_greedy.html").read_text()


def test_one_notebook_over_the_limit_fails_in_one_line_and_the_others_run_on(tmp_path, sample_dir):
    nbs = tmp_path / "nbs"
    _notebook(nbs, "01_modest", "x = sum(range(1000))")
    _notebook(nbs, "02_greedy", HUNGRY)
    out = tmp_path / "out"
    proc = subprocess.run(
        [*CLI, "--data", str(sample_dir), "--month", "2026-10", "--out", str(out),
         "--notebooks", str(nbs), "--jobs", "2", "--memory-limit", "300M", "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    failures = [line for line in proc.stderr.splitlines() if line.startswith("✗")]
    # the cell after the parameters and papermill's injected ones
    assert len(failures) == 1, proc.stderr
    assert re.fullmatch(r"✗ 02_greedy failed at cell (#4|In \[3\]): " + re.escape(OVER_LIMIT),
                        failures[0])  # fmt: skip
    assert "1/2 notebooks ok." in proc.stdout
    m = _manifest(out / "2026-10")
    rows = {r["name"]: r for r in m["notebooks"]}
    assert rows["01_modest"]["status"] == "ok"
    assert rows["02_greedy"]["attempts"] == 1 and rows["02_greedy"]["status"] == "failed"
    assert m["command"]["memory_limit_bytes"] == 300 * 10**6


def test_a_kernel_that_dies_otherwise_is_retried_once(tmp_path):
    from cxreport.report.execute import execute_one

    nb = _notebook(tmp_path / "nbs", "03_crash", "import os\nos._exit(3)")
    result = execute_one(_task(tmp_path, nb))
    assert result.status == "failed" and result.attempts == 2
    assert result.error.ename == "DeadKernelError"
