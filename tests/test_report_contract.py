"""The report contract on generated folders (a fast subset of
``benchmarks/bench_report_contract.py``): every notebook of ``cxreport run`` finishes or is
skipped with a reason on folders that ``cxreport validate`` accepts; a skipped notebook is not
a failed run."""

from __future__ import annotations

import io

import pytest
from folders import END, make_folder

from cxreport.data import validate
from cxreport.report.execute import error_line
from cxreport.report.run import run_report

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
    failed = [f"{r['name']}: {error_line(r['error'])}" for r in result.notebooks
              if r["status"] == "failed"]  # fmt: skip
    assert not failed, failed
    assert result.exit_code == 0
    skipped = {
        r["name"]: r["error"]["evalue"] for r in result.notebooks if r["status"] == "skipped"
    }
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    for name, reason in skipped.items():
        assert "needs" in reason, (name, reason)  # says what data would make it run
        assert "not run" in index
        page = (result.folder / f"{name}.html").read_text(encoding="utf-8")
        assert "Not run on this data" in page and "This notebook failed" not in page
    if case == "survey_and_customers_only":  # no transactions: segments from attributes
        assert "01_swot" in skipped and "02_segments" not in skipped
