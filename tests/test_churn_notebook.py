"""The churn notebook under papermill: non-default parameters, model reuse, a snapshot that never
promises a forecast, a contact list that nobody pays for, Telco, a failure."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

import cxreport
from cxreport import churn

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


#: Words of a forecast over a window; a snapshot model learnt "has left at some point".
FORECAST_WORDS = ("next month", "next 1 month", "in the next", "within the next", "horizon")


def _forecast_words(text: str) -> list[str]:
    return [w for w in FORECAST_WORDS if w in text.lower()]


def _page(nb) -> str:
    """What a reader of the page sees: the Markdown and every output, less the "What was run"
    settings table (an appendix that names every parameter, horizon_months included)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            text = o.get("text", "") + data.get("text/html", "") + data.get("text/plain", "")
            if "<caption>What was run</caption>" not in text:
                parts.append(text)
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


def test_snapshot_page_and_kpis_never_promise_a_forecast(tmp_path, sample_dir):
    """The sample's customers without their dates: a snapshot, so "share who have left" and
    "customers most like those who left", never a next-month forecast."""
    folder = tmp_path / "snapshot"
    folder.mkdir()
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str)
    undated = customers.drop(columns=["signup_date", "churn_date"])
    undated.to_csv(folder / "customers.csv", index=False)
    out = tmp_path / "out"
    nb = _run(
        tmp_path,
        "snapshot",
        data_dir=str(folder),
        n_splits=3,
        n_repeats=1,
        importance_repeats=2,
        export_dir=str(out),
    )
    page = _page(nb)
    assert "Undated snapshot" in page and "most like those who left" in page
    assert "share who have left" in page
    assert not _forecast_words(page)
    m = _metrics(nb)
    assert set(m) == {"churn_rate", "auc", "lookalike_count", "at_risk_count"}
    said = [(k["label"], k["note"]) for k in m.values()]
    assert not [x for x in said if _forecast_words(" ".join(x))], said
    assert m["churn_rate"]["label"] == "Share of customers who have left (undated snapshot)"
    left = (customers["churned"] == "true").mean()
    assert m["churn_rate"]["value"] == pytest.approx(100 * left)
    assert m["at_risk_count"]["label"].endswith("(most like those who left)")
    assert len(pd.read_csv(out / "churn_at_risk.csv")) == m["at_risk_count"]["value"]
    card = json.loads((out / "churn_model_card.json").read_text())
    assert card["mode"] == "snapshot"
    assert card["horizon_months"] is None and card["scored_as_of"] is None


def test_sample_page_calls_nobody_when_no_call_pays(tmp_path, sample_dir):
    """On the sample with the default costs every call loses money: the list is empty, the KPI
    says 0 and the page says at which acceptance rate or offer cost the best call would pay."""
    out = tmp_path / "out"
    nb = _run(tmp_path, "default", data_dir=str(sample_dir), export_dir=str(out))
    m = _metrics(nb)
    assert m["at_risk_count"]["value"] == 0
    assert m["at_risk_count"]["label"] == "Customers on the contact list"
    assert "no call pays" in m["at_risk_count"]["note"]
    assert m["expected_lost"]["label"] == "Customers expected to leave in the next month"
    assert len(pd.read_csv(out / "churn_at_risk.csv")) == 0
    page = _page(nb)
    assert "No contact pays at the stated costs, so the contact list is empty (0 of" in page
    # by hand, from the saved model's highest score and the defaults V = 200, c = 5,
    # o = 10, a = 0.3: the call's expected profit p * 0.3 * 190 - 5 - (1 - p) * 10 is
    # negative; it is 0 at a = (5 + (1 - p) * 10) / (p * 190) and at
    # o = (p * 0.3 * 200 - 5) / (1 - p + 0.3 * p)
    bundle = churn.load_model(out / "churn_model.joblib")
    d = churn.prepare(cxreport.load(sample_dir, "2026-10"))
    scores, _ = churn.score(bundle["model"], d.current, d.current_ids, spec=bundle["spec"])
    p = float(scores["probability"].max())
    assert p * 0.3 * 190 - 5 - (1 - p) * 10 < 0
    acceptance = (5 + (1 - p) * 10) / (p * 190)
    offer = (p * 0.3 * 200 - 5) / (1 - p + 0.3 * p)
    assert 0.3 < acceptance < 1 and 0 < offer < 10
    assert f"the highest score among the customers scored is {p:.1%}" in page
    assert f"acceptance rate above {acceptance:.1%} (stated 30%)" in page
    assert f"offer cost below {offer:,.2f} EUR (stated 10.00)" in page
    # the summary at the top says it too (its box is filled in when the page has run)
    box = next(c for c in nb.cells if c.cell_type == "code" and "summary_box =" in c.source)
    summary = box.outputs[0]["data"]["text/html"]
    assert "No contact pays at the stated costs" in summary
    assert f"acceptance rate above {acceptance:.1%}" in summary


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
    # no transactions: the segments come from the customers' own attributes (tenure, fee)
    assert "Churn by segment is left out" not in text
    assert not _forecast_words(_page(nb))
    m = _metrics(nb)
    assert not [k["label"] for k in m.values() if _forecast_words(k["label"] + k["note"])]
    assert 0.83 < m["auc"]["value"] < 0.87
    assert m["churn_rate"]["value"] == pytest.approx(100 * 1869 / 7043)
    assert m["churn_rate"]["label"].startswith("Share of customers who have left")
    # a useful snapshot model: some active customers sit where most customers have left
    assert 0 < m["lookalike_count"]["value"] < 7043 - 1869
    assert "PR-AUC" in m["auc"]["note"] and ": useful" in m["auc"]["note"]
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
