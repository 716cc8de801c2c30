"""The report contract on generated folders (a fast subset of
``benchmarks/bench_report_contract.py``): every notebook of ``cxreport run`` finishes or is
skipped with a reason on folders that ``cxreport validate`` accepts; a skipped notebook is not
a failed run. And on a folder whose every free text is 100,000 characters of TeX-like text,
every page is ok with charts of normal size."""

from __future__ import annotations

import base64
import io
import json
import re
import struct

import pandas as pd
import pytest
from folders import END, FREE_TEXT, make_folder, make_long_text_folder

from cxreport.data import validate
from cxreport.report.execute import default_memory_limit, kernels_at_once
from cxreport.report.pages import error_line
from cxreport.report.run import run_report
from cxreport.viz import SHARP_DPI

CASES = {
    "survey_and_customers_only": ["customers_and_survey_only", "numeric_ids", "non_ascii"],
    "small_odd_survey": ["no_overall", "one_touchpoint", "importance_no_expectation"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_notebook_finishes_or_says_why_it_did_not_run(tmp_path, case):
    folder = make_folder(tmp_path / "data", CASES[case], seed=7)
    assert validate(folder).ok
    result = run_report(
        data_dir=folder, month=END, out=tmp_path / "out", stream=io.StringIO(), tty=False
    )
    failed = [f"{r.name}: {error_line(r.error)}" for r in result.notebooks if r.status == "failed"]
    assert not failed, failed
    assert result.exit_code == 0
    skipped = {r.name: r.error.evalue for r in result.notebooks if r.status == "skipped"}
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    for name, reason in skipped.items():
        assert "needs" in reason, (name, reason)  # says what data would make it run
        assert "not run" in index
        page = (result.folder / f"{name}.html").read_text(encoding="utf-8")
        assert "Not run on this data" in page and "This notebook failed" not in page
    if case == "survey_and_customers_only":  # no transactions: segments from attributes
        assert "01_swot" in skipped and "02_segments" not in skipped


def _images(page: str) -> list[tuple[int, int]]:
    """Width and height of every PNG embedded in an HTML page."""
    found = re.finditer(r"data:image/png;base64,([A-Za-z0-9+/=]{32})", page)
    return [struct.unpack(">II", base64.b64decode(m.group(1))[16:24]) for m in found]


def test_100000_character_texts_everywhere_give_ok_pages_with_normal_charts(tmp_path):
    # a comment pasted into every text column: its 10,000-character cousin once grew a kernel
    # to 23.5 GB and the "$\\frac{}$" in it failed every notebook
    folder = make_long_text_folder(tmp_path / "data")
    result = run_report(
        data_dir=folder, month=END, out=tmp_path / "out", stream=io.StringIO(), tty=False
    )  # the default memory limit
    not_ok = {r.name: error_line(r.error) for r in result.notebooks if r.status != "ok"}
    assert not not_ok, not_ok
    manifest = json.loads((result.folder / "manifest.json").read_text())
    kernels = kernels_at_once(None, len(result.notebooks))
    assert manifest["command"]["memory_limit_bytes"] == default_memory_limit(kernels)
    for r in result.notebooks:
        page = (result.folder / f"{r.name}.html").read_text(encoding="utf-8")
        sizes = _images(page)
        assert len(sizes) > 3, r.name  # the charts were drawn
        # charts are drawn at SHARP_DPI (twice their size): 2,500 points at most either way
        most = 2500 * SHARP_DPI / 100
        assert all(w < most and h < most for w, h in sizes), (r.name, sizes)
        assert "_x_ & #1" not in page  # where tables show the text, it is escaped
    # the exports keep the whole text (read back as cxreport reads them)
    factors = pd.read_csv(folder / "swot_factors.csv")["factor"]
    exported = pd.read_csv(result.folder / "swot_scores.csv")["factor"]
    assert set(exported) == set(factors) and exported.str.len().min() == 100_000
    assert set(FREE_TEXT) <= set(manifest["data_tables"])
