"""The CSI notebook under papermill: non-default parameters and failure paths."""

from __future__ import annotations

import json

import pandas as pd
import papermill as pm
import pytest

from cxreport import METRIC_MIME

from conftest import ROOT

NB = ROOT / "notebooks" / "04_csi.ipynb"


def _run(tmp_path, **parameters):
    return pm.execute_notebook(
        str(NB),
        str(tmp_path / "out.ipynb"),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters=parameters,
    )


def _metrics(nb) -> dict:
    for out in nb.cells[-1].outputs:
        if METRIC_MIME in out.get("data", {}):
            payload = out["data"][METRIC_MIME]
            payload = json.loads(payload) if isinstance(payload, str) else payload
            return {m["name"]: m for m in payload["metrics"]}
    raise AssertionError("no KPI payload in the last cell")


def test_equal_weights_run(tmp_path):
    export = tmp_path / "export"
    nb = _run(
        tmp_path,
        data_dir=str(ROOT / "data" / "sample"),
        month="2026-09",
        weights="equal",
        n_boot=200,
        group_months=2,
        crosshair="midpoint",
        pls_index=False,
        export_dir=str(export),
    )
    m = _metrics(nb)
    dims = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
    assert {"csi", *(f"csi__{d}" for d in dims), "servqual_largest_gap"} <= set(m)
    for name in ("csi", *(f"csi__{d}" for d in dims)):
        k = m[name]
        assert k["ci_low"] <= k["value"] <= k["ci_high"], name
        assert 0 <= k["value"] <= 100 and k["n"] > 30
        assert k["note"] == "equal weights"
    assert m["servqual_largest_gap"]["value"] < 0
    weights = (export / "csi_weights.csv").read_text(encoding="utf-8")
    assert "0.2," in weights  # five dimensions, 1/5 each
    for name in ("csi_month", "csi_by_month", "csi_by_segment", "csi_by_channel", "ipa_items"):
        assert (export / f"{name}.csv").is_file(), name
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "PLS index not requested" in text
    months = sorted(set(pd.read_csv(export / "csi_by_month.csv", dtype={"month": str})["month"]))
    assert months[-2:] == ["2026-08", "2026-09"]  # last month shown, nothing after the report month


def test_bad_parameter_stops_with_a_clear_message(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(tmp_path, weights="importance", n_boot=10)
    msg = str(exc.value)
    assert "ParameterError" in msg
    assert "'weights' parameter of 04_csi must be one of 'stated', 'derived', 'equal'" in msg
    assert "'n_boot' parameter of 04_csi must be an int in the range [100, 100000]; got 10" in msg


def test_folder_without_survey_stops(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "customers.csv").write_text(
        (ROOT / "data" / "sample" / "customers.csv")
        .read_text(encoding="utf-8")[:2000]
        .rsplit("\n", 1)[0]
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(pm.PapermillExecutionError) as exc:
        _run(tmp_path, data_dir=str(folder), n_boot=200)
    assert "survey" in str(exc.value)
    assert "MissingTableError" in str(exc.value)


def _sample_survey_without(tmp_path, drop) -> str:
    """The sample folder with survey columns removed (overall item, importance answers, ...)."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", folder)
    survey = pd.read_csv(folder / "survey.csv", dtype=str)
    survey.drop(columns=[c for c in survey if drop(c)]).to_csv(folder / "survey.csv", index=False)
    return str(folder)


def test_no_overall_item_and_no_importance_uses_pls_importance(tmp_path):
    folder = _sample_survey_without(
        tmp_path, lambda c: c == "overall_satisfaction" or c.endswith("_imp")
    )
    export = tmp_path / "export"
    nb = _run(tmp_path, data_dir=folder, n_boot=200, pls_boot=0, export_dir=str(export))
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "PLS-derived importance" in text and "no &#x27;overall_satisfaction&#x27;" in text
    assert "dimensions \\u2192 Loyalty" in text
    grid = pd.read_csv(export / "ipa_items.csv")
    assert len(grid) == 22 and (grid["importance_pct"] >= 0).all()
    # each of the 22 shares is exported to 4 decimals: the sum is 100 within 22 x 0.00005
    assert grid["importance_pct"].sum() == pytest.approx(100, abs=22 * 0.5e-4)
    assert "csi" in _metrics(nb)


def test_no_outcome_at_all_skips_the_grid_with_a_reason(tmp_path):
    folder = _sample_survey_without(
        tmp_path, lambda c: c in ("overall_satisfaction", "nps") or c.endswith("_imp")
    )
    nb = _run(tmp_path, data_dir=folder, n_boot=200, pls_boot=0, export_dir=str(tmp_path / "x"))
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "Importance-performance grid not drawn" in text
    assert "An overall-satisfaction question" in text
    assert not (tmp_path / "x" / "ipa_items.csv").exists()
    assert "csi" in _metrics(nb)  # the CSI itself is still computed and recorded
