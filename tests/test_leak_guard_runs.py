"""The customer-id guard end to end (real kernels): ids planted in an error message, a page, a
KPI label and the kernel's own output, with letter ids (``C000001``) and with 8-digit ids.

Two small notebooks in a temporary notebooks folder: ``01_fail`` raises
``ValueError(f"bad {id}")``, ``02_page`` prints ids and numbers that are no ids, shows an id in
HTML, writes one to the kernel's stderr (which the runner copies into ``run.log``), records a
KPI labelled with one and exports the ids (the analyst's copy, real by design).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from small_notebooks import write_notebook

from cxreport import pseudonymise
from cxreport.report.run import run_report

ROOT = Path(__file__).resolve().parents[1]
START = "import cxreport\nrun = cxreport.start('{title}', globals())\n"
FIRST_IDS = "ids = run.data.customers['customer_id'].astype(str).sort_values().head(3).tolist()\n"
NOT_IDS = "year 2026, 3000 rows, ratio 1.30000001, 123470"


def leaky_notebooks(folder: Path) -> Path:
    write_notebook(
        folder,
        "01_fail",
        START.format(title="Leaky failure") + FIRST_IDS,
        'raise ValueError(f"bad {ids[0]}")',
    )
    write_notebook(
        folder,
        "02_page",
        "import os\nimport pandas as pd\nfrom IPython.display import HTML, display\n"
        + START.format(title="Leaky page")
        + FIRST_IDS,
        f'print("raw:", ", ".join(ids), "| {NOT_IDS}")',
        "display(HTML(\"<table><tr><td colspan='2'>\" + ids[1] + '</td></tr></table>'))",
        "os.write(2, ('kernel says ' + ids[2] + '\\n').encode())",
        "run.export(pd.DataFrame({'customer_id': ids}), 'page_ids')\n"
        "run.record('leaky', 1.0, label='Leak of ' + ids[0])\n"
        "run.kpis()",
    )
    return folder


def numeric_ids(dst: Path) -> Path:
    """data/sample with every customer id an 8-digit number: C000123 → 30000123."""
    shutil.copytree(ROOT / "data" / "sample", dst)
    for path in dst.glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "customer_id" in table:
            cid = table["customer_id"]
            table["customer_id"] = cid.where(cid == "", "3" + cid.str[1:].str.zfill(7))
            table.to_csv(path, index=False)
    return dst


@pytest.fixture(scope="module", params=["letters", "digits"])
def leaky(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"leaky-{request.param}")
    data = ROOT / "data" / "sample" if request.param == "letters" else numeric_ids(base / "data")
    out = base / "out"
    result = run_report(
        data_dir=data,
        month="2026-10",
        out=out,
        jobs=2,
        notebooks_dir=leaky_notebooks(base / "nbs"),
        stream=io.StringIO(),
        tty=False,
    )
    ids = sorted(pd.read_csv(data / "customers.csv", dtype=str)["customer_id"])[:3]
    key = (out / ".cxreport-id-key").read_text().strip()
    return {
        "result": result,
        "folder": out / "2026-10",
        "ids": ids,
        "pseudo": dict(zip(ids, pseudonymise(ids, key), strict=True)),
    }


def _raw(cid: str) -> re.Pattern:
    """The id where it stands alone (not inside a longer token or number)."""
    return re.compile(rf"(?<![\w.,-]){re.escape(cid)}(?![\w-])")


def test_no_raw_id_in_any_file_but_the_export(leaky):
    folder, ids = leaky["folder"], leaky["ids"]
    assert ids[0] in ("C000001", "30000001")
    assert leaky["result"].status == "failed"  # 01_fail, on purpose; 02_page ok
    files = sorted(p.name for p in folder.iterdir())
    assert {"01_fail.html", "01_fail.ipynb", "02_page.html", "02_page.ipynb", "run.log"} <= set(
        files
    )
    for name in files:
        text = (folder / name).read_text(encoding="utf-8", errors="replace")
        for cid in ids:
            found = bool(_raw(cid).search(text))
            assert found == (name == "page_ids.csv"), (name, cid)


def test_the_error_shows_the_pseudonym_everywhere_a_reader_sees_it(leaky):
    folder, pseudo = leaky["folder"], leaky["pseudo"][leaky["ids"][0]]
    said = f"ValueError: bad {pseudo}"
    manifest = json.loads((folder / "manifest.json").read_text())
    row = next(r for r in manifest["notebooks"] if r["name"] == "01_fail")
    assert row["error"]["evalue"] == f"bad {pseudo}" and said in row["error"]["line"]
    index = (folder / "index.html").read_text()
    assert said in index.split('<tr data-notebook="01_fail">', 1)[1].split("</tr>", 1)[0]
    page = (folder / "01_fail.html").read_text()
    assert re.search(rf"This notebook failed: cell In \[\d+\]: {re.escape(said)}", page)
    nb = nbformat.read(folder / "01_fail.ipynb", as_version=4)
    (error,) = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert error.evalue == f"bad {pseudo}" and pseudo in error.traceback[-1]
    log = (folder / "run.log").read_text()
    assert "01_fail: failed in" in log and said in log


def test_ids_in_a_page_a_kpi_and_the_kernels_output_are_pseudonyms(leaky):
    folder, ids, pseudo = leaky["folder"], leaky["ids"], leaky["pseudo"]
    page = (folder / "02_page.html").read_text()
    assert f"raw: {pseudo[ids[0]]}, {pseudo[ids[1]]}, {pseudo[ids[2]]} | {NOT_IDS}" in page
    assert f'<td colspan="2">{pseudo[ids[1]]}</td>' in page
    assert f"kernel says {pseudo[ids[2]]}" in (folder / "run.log").read_text()
    labels = [m["label"] for m in json.loads((folder / "metrics.json").read_text())["metrics"]]
    assert labels == [f"Leak of {pseudo[ids[0]]}"]
    assert f"Leak of {pseudo[ids[0]]}" in (folder / "index.html").read_text()
    # the analyst's export keeps the real ids, by design
    export = pd.read_csv(folder / "page_ids.csv", dtype=str)
    assert export["customer_id"].tolist() == ids


def test_the_manifest_records_a_final_scan_that_found_none(leaky):
    folder = leaky["folder"]
    guard = json.loads((folder / "manifest.json").read_text())["leak_guard"]
    assert guard["enabled"] is True and guard["ids"] == 3000
    assert guard["numeric_ids"] == (3000 if leaky["ids"][0].isdigit() else 0)
    scan = guard["final_scan"]
    analyst = ["page_ids.csv", "report.xlsx"]  # the export, and the workbook of the exports
    others = [p.name for p in folder.iterdir() if p.name not in analyst]
    assert scan["files_scanned"] == len(others) and scan["ids_found"] == 0
    assert scan["exports_not_scanned"] == analyst and scan["binary_not_scanned"] == []
    pages = ("01_fail.html", "01_fail.ipynb", "02_page.html", "02_page.ipynb", "report.html")
    for name in (*pages, "run.log"):
        assert guard["replaced"][name] > 0, name
    rows = {r["name"]: r for r in json.loads((folder / "manifest.json").read_text())["notebooks"]}
    assert rows["02_page"]["ids_replaced_in_html"] == guard["replaced"]["02_page.html"]
    assert leaky["result"].leak_caught == (
        guard["replaced"]["01_fail.html"] + guard["replaced"]["02_page.html"]
    )


def test_show_ids_turns_the_guard_off(tmp_path):
    out = tmp_path / "out"
    result = run_report(
        data_dir=ROOT / "data" / "sample",
        month="2026-10",
        out=out,
        only=["02_page"],
        show_ids=True,
        notebooks_dir=leaky_notebooks(tmp_path / "nbs"),
        stream=io.StringIO(),
        tty=False,
    )
    assert result.status == "ok" and result.leak_caught == 0
    folder = out / "2026-10"
    assert "raw: C000001, C000002, C000003" in (folder / "02_page.html").read_text()
    assert "kernel says C000003" in (folder / "run.log").read_text()
    assert json.loads((folder / "manifest.json").read_text())["leak_guard"] == {"enabled": False}
