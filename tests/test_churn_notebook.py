"""The churn notebook under papermill: non-default parameters, model reuse, Telco, a failure."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks" / "03_churn.ipynb"


def _run(tmp_path, name, **parameters):
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(NB),
        str(out),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters=parameters,
    )
    return nbformat.read(out, as_version=4)


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", ""))
            data = o.get("data", {})
            parts.append(data.get("text/html", "") + data.get("text/plain", ""))
    return "\n".join(parts)


def _metrics(nb) -> dict:
    for o in nb.cells[-1]["outputs"]:
        for mime, payload in o.get("data", {}).items():
            if "metrics" in mime or mime.endswith("+json"):
                return {m["name"]: m for m in payload["metrics"]}
    raise AssertionError("no KPI payload in the last cell")


def test_non_default_parameters_then_reuse_of_the_saved_model(tmp_path, sample_dir):
    hist = tmp_path / "report"
    nb = _run(
        tmp_path,
        "sep",
        data_dir=str(sample_dir),
        month="2026-09",
        export_dir=str(hist / "2026-09"),
        horizon_months=2,
        holdout_months=2,
        n_splits=3,
        splines=True,
        calibrate="none",
        policy="profit",
        retained_value=900.0,
        contact_cost=2.0,
        offer_cost=5.0,
        acceptance_rate=0.4,
        importance_repeats=2,
        show_top=5,
    )
    m = _metrics(nb)
    assert set(m) == {"churn_rate", "auc", "expected_lost", "at_risk_count"}
    assert 0.5 < m["auc"]["value"] < 0.87
    text = _text(nb)
    assert "label = left within the next 2 month(s)" in text
    at_risk = pd.read_csv(hist / "2026-09" / "churn_at_risk.csv")
    assert len(at_risk) == m["at_risk_count"]["value"] > 0
    assert (at_risk["expected_profit"] > 0).all()  # the profit policy
    card = json.loads((hist / "2026-09" / "churn_model_card.json").read_text())
    assert card["horizon_months"] == 2 and card["scored_as_of"] == "2026-10-01"

    # next month: score with September's model, no retraining
    nb2 = _run(
        tmp_path,
        "oct",
        data_dir=str(sample_dir),
        month="2026-10",
        history_dir=str(hist),
        reuse_model=True,
        horizon_months=2,
        show_top=5,
    )
    text2 = _text(nb2)
    assert (
        "Scoring with last month&#x27;s saved model" in text2
        or "Scoring with last month's saved model" in text2
    )
    # the saved model is checked on the months it never saw
    assert "which it never saw, it reaches ROC-AUC" in text2
    assert 0.5 < _metrics(nb2)["auc"]["value"] < 0.9


def test_telco_mapping_without_history(tmp_path, shared_data):
    folder = tmp_path / "telco"
    folder.mkdir()
    file = shared_data / "telco_churn" / "Telco-Customer-Churn.csv"
    (folder / "cxreport.yaml").write_text(
        f"tables:\n  customers:\n    file: {file}\n"
        "    columns: {customer_id: customerID, churned: Churn, plan: Contract, "
        "monthly_fee: MonthlyCharges}\n    true_values: {churned: ['Yes']}\n"
    )
    nb = _run(
        tmp_path,
        "telco",
        data_dir=str(folder),
        n_splits=3,
        n_repeats=1,
        importance_repeats=2,
        export_dir=str(tmp_path / "out"),
    )
    text = _text(nb)
    assert "No history (signup and churn dates)" in text
    assert "Churn by segment is left out" in text or "Segments unavailable" in text
    m = _metrics(nb)
    assert 0.83 < m["auc"]["value"] < 0.87
    assert m["churn_rate"]["value"] == pytest.approx(100 * 1869 / 7043)
    assert (tmp_path / "out" / "churn_by_plan.csv").is_file()


def test_one_class_target_fails_with_the_message(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(60)],
            "plan": ["a", "b"] * 30,
            "churned": ["false"] * 60,
        }
    ).to_csv(folder / "customers.csv", index=False)
    with pytest.raises(pm.PapermillExecutionError, match="one class only"):
        _run(tmp_path, "bad", data_dir=str(folder))
