"""``cxreport run --only`` into a month that has a report: the notebooks not run stay.

Two small notebooks in a temporary folder (``01_a`` exports ``a.csv`` unless told not to and
fails when told; ``02_b`` exports ``b.csv`` and saves a "model" no manifest lists, as the churn
notebook does), run once together and then ``01_a`` alone three times; and once the shipped
notebooks: the segmentation and churn pages, then ``--only 01_swot 05_nps_sqi``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from small_notebooks import write_notebook

from cxreport.report.partial import REBUILT
from cxreport.report.run import run_report

ROOT = Path(__file__).resolve().parents[1]
START = (
    "import pathlib\nimport pandas as pd\nimport cxreport\nrun = cxreport.start('{t}', globals())"
)


def _notebooks(folder: Path) -> Path:
    write_notebook(
        folder,
        "01_a",
        START.format(t="Part A"),
        "if fail:\n    raise ValueError('planted failure')",
        "if export_a:\n    run.export(pd.DataFrame({'x': [seed]}), 'a')\n"
        "run.record('a_value', float(seed), label='A value')\nrun.kpis()",
        parameters="export_a: bool = True  # export a.csv\nfail: bool = False  # fail on purpose\n",
    )
    write_notebook(
        folder,
        "02_b",
        START.format(t="Part B"),
        "run.export(pd.DataFrame({'customer_id': ['C000001']}), 'b')\n"
        "if export_dir:  # a file no manifest lists, as the churn model\n"
        "    pathlib.Path(export_dir, 'b_model.bin').write_bytes(b'model %d' % seed)\n"
        "run.record('b_value', float(seed), label='B value')\nrun.kpis()",
    )
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _json(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("partial")
    nbs, out = _notebooks(base / "nbs"), base / "out"
    month = out / "2026-10"

    def run(**kw):
        result = run_report(data_dir=ROOT / "data" / "sample", month="2026-10", out=out, jobs=2,
                            notebooks_dir=nbs, stream=io.StringIO(), tty=False, **kw)  # fmt: skip
        return result, _files(month)

    full = run()
    again = run(only=["01_a"], params={"seed": "7"})
    no_export = run(only=["a"], params={"export_a": "false"})
    failed = run(only=["01_a.ipynb"], params={"fail": "true"})
    return {"out": out, "full": full, "again": again, "no_export": no_export, "failed": failed}


def test_only_replaces_the_notebook_it_ran_and_keeps_the_others(runs):
    (r1, before), (r2, after) = runs["full"], runs["again"]
    assert r1.status == r2.status == "ok" and [r.name for r in r2.notebooks] == ["01_a"]
    for name in ("02_b.html", "02_b.ipynb", "b.csv", "b_model.bin"):
        assert after[name] == before[name], name  # kept as they were
    assert after["01_a.html"] != before["01_a.html"]  # run again, with seed 7
    assert set(after) == set(before)


def test_index_manifest_and_metrics_list_every_notebook_with_its_run(runs):
    first = json.loads(runs["full"][1]["manifest.json"])
    folder = runs["out"] / "2026-10"
    m = _json(folder, "manifest.json")
    rows = {r["name"]: r for r in m["notebooks"]}
    assert list(rows) == ["01_a", "02_b"] and m["status"] == "ok"
    assert m["command"]["only"] == ["01_a"]
    # written after the third run (no export); 02_b still from the first
    assert rows["02_b"]["generated"] == first["generated"] != m["generated"]
    assert rows["01_a"]["generated"] == m["generated"]
    assert rows["02_b"]["exported"] == ["b.csv"] and rows["01_a"]["exported"] == []
    assert m["parameters"]["02_b"] == first["parameters"]["02_b"]
    assert m["parameters"]["01_a"]["export_a"] is False
    metrics = _json(folder, "metrics.json")
    assert {x["name"]: x["value"] for x in metrics["metrics"]} == {"a_value": 42.0, "b_value": 42.0}
    assert metrics["notebooks"]["02_b"]["generated"] == first["generated"]
    index = (folder / "index.html").read_text()
    for name in ("01_a", "02_b"):
        row = index.split(f'<tr data-notebook="{name}">', 1)[1].split("</tr>", 1)[0]
        assert f'<a href="{name}.html">' in row and rows[name]["generated"] in row
    assert 'data-metric="a_value"' in index and 'data-metric="b_value"' in index
    # the final scan covered the kept pages too
    scan = m["leak_guard"]["final_scan"]
    assert scan["ids_found"] == 0 and scan["exports_not_scanned"] == ["b.csv", "report.xlsx"]
    assert scan["files_scanned"] == len(list(folder.iterdir())) - 2


def test_a_notebook_run_again_loses_an_export_it_no_longer_makes(runs):
    assert "a.csv" in runs["again"][1]
    _, files = runs["no_export"]
    assert "a.csv" not in files and "b.csv" in files and "b_model.bin" in files


def test_a_failed_partial_run_keeps_the_report_and_goes_beside_it(runs):
    result, files = runs["failed"]
    assert result.status == "failed" and result.exit_code == 1 and result.kept_previous
    assert files == runs["no_export"][1]  # the month's report, byte for byte
    failed = runs["out"] / "2026-10.failed"
    assert result.folder == failed
    m = _json(failed, "manifest.json")
    assert m["status"] == "failed"
    assert {r["name"]: r["status"] for r in m["notebooks"]} == {"01_a": "failed", "02_b": "ok"}
    assert {"02_b.html", "b.csv", "b_model.bin"} <= {p.name for p in failed.iterdir()}
    assert not list(runs["out"].glob(".2026-10.*"))


def test_only_after_the_shipped_pages_keeps_contact_list_segments_and_model(tmp_path):
    out, month = tmp_path / "out", tmp_path / "out" / "2026-10"

    def run(only):
        return run_report(data_dir=ROOT / "data" / "sample", month="2026-10", out=out,
                          only=only, jobs=2, stream=io.StringIO(), tty=False)  # fmt: skip

    assert run(["02_segments", "03_churn"]).status == "ok"
    before = _files(month)
    for name in ("segments.csv", "churn_at_risk.csv", "churn_model.joblib", "03_churn.html"):
        assert name in before, name
    assert run(["01_swot", "05_nps_sqi"]).status == "ok"
    after = _files(month)
    for name, content in before.items():
        if name not in REBUILT:
            assert after[name] == content, name
    # the one-file report and the workbook are the whole month's, kept pages included
    one_file = (month / "report.html").read_text(encoding="utf-8")
    for name in ("01_swot", "02_segments", "03_churn", "05_nps_sqi"):
        assert f'<section id="page-{name}"' in one_file, name
    sheets = load_workbook(month / "report.xlsx", read_only=True).sheetnames
    assert {"segments", "churn_at_risk", "swot_scores", "nps_by_month"} <= set(sheets)
    m = _json(month, "manifest.json")
    assert [r["name"] for r in m["notebooks"]] == [
        "01_swot",
        "02_segments",
        "03_churn",
        "05_nps_sqi",
    ]
    assert {x["notebook"] for x in _json(month, "metrics.json")["metrics"]} == {
        "01_swot",
        "02_segments",
        "03_churn",
        "05_nps_sqi",
    }
    assert m["leak_guard"]["final_scan"]["ids_found"] == 0
