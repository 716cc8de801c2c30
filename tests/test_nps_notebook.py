"""05_nps_sqi notebook under papermill: non-default parameters, a data folder without
touchpoints (SQI and Moments of Truth skipped with a note), and a clear stop on a bad value."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from cxreport import METRIC_MIME, nps, sqi
from cxreport.data import load

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_nps_sqi.ipynb"
SAMPLE = ROOT / "data" / "sample"


def _run(out: Path, **parameters) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters=parameters,
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def _metrics(nb) -> dict[str, dict]:
    for out in nb.cells[-1].get("outputs", []):
        if METRIC_MIME in out.get("data", {}):
            return {m["name"]: m for m in out["data"][METRIC_MIME]["metrics"]}
    raise AssertionError("the last cell shows no KPIs")


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_non_default_parameters(tmp_path):
    export = tmp_path / "export"
    nb = _run(
        tmp_path / "out.ipynb",
        data_dir=str(SAMPLE),
        month="2026-09",
        export_dir=str(export),
        min_responses=150,
        group_months=2,
        per_contacts=0,
        sqi_freq="D",
        baseline_months=6,
        mot_window_months=6,
        churn_days=60,
    )
    kpis = _metrics(nb)
    assert {"nps", "nps_change", "nps_promoters", "nps_detractors", "sqi", "worst_moment"} <= set(
        kpis
    )
    data = load(SAMPLE, "2026-09")
    cur = nps.month_summary(data, min_responses=150)["current"]
    assert kpis["nps"]["value"] == pytest.approx(cur.nps)
    assert (kpis["nps"]["ci_low"], kpis["nps"]["ci_high"]) == pytest.approx(
        (cur.ci_low, cur.ci_high)
    )
    assert kpis["nps"]["n"] == cur.n
    # per_contacts=0: the SQI KPI is FedEx's absolute weighted count of the month
    monthly = pd.read_csv(export / "sqi_by_month.csv")
    assert monthly["month"].iloc[-1] == "2026-09"
    assert kpis["sqi"]["value"] == pytest.approx(monthly["weighted"].iloc[-1])
    assert kpis["sqi"]["value"] == pytest.approx(
        sqi.month_summary(data, per_contacts=0)["weighted"]
    )
    assert kpis["sqi"]["label"] == "SQI (weighted failures)" and kpis["sqi"]["ci_low"] is None
    # min_responses=150 flags the smaller months of the sample
    by_month = pd.read_csv(export / "nps_by_month.csv")
    assert by_month["small_sample"].tolist() == (by_month["n"] < 150).tolist()
    assert by_month["small_sample"].any() and not by_month["small_sample"].all()
    assert {"moments_of_truth.csv", "sqi_top_failure_types.csv"} <= {
        p.name for p in export.iterdir()
    }
    assert "churn within 60 days" in kpis["worst_moment"]["value"]


def test_no_touchpoints_skips_sqi_and_moments(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for f in SAMPLE.iterdir():
        if f.name != "touchpoints.csv":
            shutil.copy(f, folder / f.name)
    nb = _run(tmp_path / "out.ipynb", data_dir=str(folder))
    assert (
        "there is no touchpoints table, so the SQI and Moments-of-Truth parts are skipped"
        in _text(nb)
    )
    kpis = _metrics(nb)
    assert "nps" in kpis and "sqi" not in kpis and "worst_moment" not in kpis


def test_bad_parameter_stops_with_a_clear_message(tmp_path):
    with pytest.raises(
        papermill.PapermillExecutionError,
        match="'sqi_freq' parameter of 05_nps_sqi must be one of 'W', 'D'; got 'M'",
    ):
        _run(tmp_path / "out.ipynb", sqi_freq="M")
