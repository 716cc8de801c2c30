"""The real public files of ../shared/data, read by the worked configs of examples/ alone.

Each config is checked against the figures the data's README publishes (counted by hand on the
files as published), and the notebooks that apply run on it under papermill.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from cxreport import load, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def example(shared_data):
    """An example folder, when the real data its config points at is present."""

    def get(name: str) -> Path:
        return EXAMPLES / name

    return get


def _notes(report, text: str) -> list[str]:
    return [n for n in report.notes if text in n]


def _run(tmp_path: Path, notebook: str, **parameters) -> dict:
    out = tmp_path / f"{notebook}.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / f"{notebook}.ipynb"),
        str(out),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters=parameters,
    )
    nb = nbformat.read(out, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if "application/vnd.cxreport.metrics+json" in o.get("data", {}):
                payload = o["data"]["application/vnd.cxreport.metrics+json"]
                return {m["name"]: m for m in payload["metrics"]}
    raise AssertionError(f"{notebook} recorded no KPIs")


def test_online_retail_workbook(example, tmp_path):
    folder = example("online_retail")
    report = validate(folder)
    assert report.ok, report.format()
    assert _notes(report, "left out 10,057 rows where customer_id is missing")
    t = load(folder).transactions
    # 40,000 lines - 10,057 without a customer - 135 non-product lines of known customers
    assert len(t) == 29_808
    assert t["customer_id"].str.fullmatch(r"\d{5}").all()  # 12347.0 in Excel, read as 12347
    assert (t["date"].min(), t["date"].max()) == (
        pd.Timestamp("2010-12-01"),
        pd.Timestamp("2011-12-09"),
    )
    cancelled = t["order_id"].str.startswith("C")
    assert (t.loc[cancelled, "amount"] <= 0).all()  # cancellations are kept as returns
    metrics = _run(
        tmp_path, "02_segments", data_dir=str(folder), month="2011-11", n_boot=2, k_max=5
    )
    assert 2 <= metrics["segments_k"]["value"] <= 5


def test_online_retail_clean_purchases_match_the_published_figures(shared_data, tmp_path):
    # The data README: clean purchases (no C invoice, a customer, quantity and price > 0)
    # are 29,292 lines of 3,591 customers worth 602,976.58.
    book = shared_data / "online_retail_sample40k" / "Online Retail.xlsx"
    (tmp_path / "cxreport.yaml").write_text(
        "tables:\n  transactions:\n"
        f"    file: '{book}'\n"
        "    columns: {customer_id: CustomerID, date: InvoiceDate, order_id: InvoiceNo}\n"
        "    derive: {amount: Quantity * UnitPrice}\n"
        "    drop_rows:\n"
        "      customer_id: missing\n"
        "      order_id: {startswith: C}\n"
        "      Quantity: {below: 1}\n"
        "      UnitPrice: {below: 0, equals: 0}\n",
        encoding="utf-8",
    )
    t = load(tmp_path).transactions
    assert len(t) == 29_292
    assert t["customer_id"].nunique() == 3_591
    assert t["order_id"].nunique() == 11_514
    assert t["amount"].sum() == pytest.approx(602_976.58, abs=0.005)


def test_telco_v11_five_workbooks_joined_on_the_key(example, tmp_path):
    folder = example("telco_v11")
    report = validate(folder)
    assert report.ok, report.format()
    c = load(folder).customers
    assert len(c) == 7_043 and c["customer_id"].is_unique
    assert int(c["churned"].sum()) == 1_869
    rates = c.groupby("plan")["churned"].mean().round(3).to_dict()
    assert rates == {"Month-to-Month": 0.458, "One Year": 0.107, "Two Year": 0.025}
    # only the churn flag comes from the status file: no score written after the churn
    assert not {"Satisfaction Score", "Churn Score", "Churn Reason", "Customer Status"} & set(c)
    assert c["Population"].notna().all()  # location → population on Zip Code
    assert "Unnamed: 9" not in c  # the sheet's blank trailing columns are dropped
    # Total Revenue = Charges - Refunds + Extra Data + Long Distance, on every row
    total = (
        c["Total Charges"]
        - c["Total Refunds"]
        + c["Total Extra Data Charges"]
        + c["Total Long Distance Charges"]
    )
    assert (total - c["Total Revenue"]).abs().max() < 0.01
    assert (c["Offer"] == "None").sum() == 3_877  # an answer, not a missing value
    metrics = _run(
        tmp_path, "03_churn", data_dir=str(folder), n_splits=3, n_repeats=1, importance_repeats=2
    )
    assert metrics["churn_rate"]["value"] == pytest.approx(100 * 1_869 / 7_043)
    # richer than the CSV (referrals, age, dependents): above the CSV's 0.845, the alarm shows
    assert 0.86 < metrics["auc"]["value"] < 0.95


def test_telco_csv_and_cdnow(example):
    c = load(example("telco_csv")).customers
    assert len(c) == 7_043 and int(c["churned"].sum()) == 1_869
    t = load(example("cdnow")).transactions
    assert len(t) == 69_659 and t["customer_id"].nunique() == 23_570
    assert t["amount"].sum() == pytest.approx(2_500_315.63, abs=0.005)
    assert t["date"].min() == pd.Timestamp("1997-01-01")
    assert t["date"].max() == pd.Timestamp("1998-06-30")


def test_ecsi_survey_one_column_in_two_roles(example, tmp_path):
    folder = example("ecsi_mobi")
    report = validate(folder)
    assert report.ok, report.format()
    s = load(folder).survey
    assert len(s) == 250
    assert (s["nps"] == s["CUSL3"]).all()  # nps: CUSL3 kept CUSL3 as a loyalty item
    metrics = _run(tmp_path, "04_csi", data_dir=str(folder), n_boot=200)
    assert 0 < metrics["csi"]["value"] < 100
    nps_metrics = _run(tmp_path, "05_nps_sqi", data_dir=str(folder), min_responses=30)
    p, d = int((s["CUSL3"] >= 9).sum()), int((s["CUSL3"] <= 6).sum())
    assert nps_metrics["nps"]["value"] == pytest.approx(100 * (p - d) / 250)


def test_comcast_complaints_dates_swapped_back(example):
    folder = example("comcast_complaints")
    report = validate(folder)
    assert report.ok, report.format()
    c = load(folder).complaints
    assert len(c) == 2_224 and c["customer_id"].isna().all()  # anonymous tickets
    opened = c["opened"]
    assert (opened.min(), opened.max()) == (pd.Timestamp("2015-04-01"), pd.Timestamp("2015-06-30"))
    assert opened.nunique() == 91
    by_month = opened.dt.month.value_counts().to_dict()
    assert by_month == {4: 545, 5: 399, 6: 1_280}
    assert opened.value_counts().idxmax() == pd.Timestamp("2015-06-24")
    assert (c["complaint_id"] == "comcas").sum() == 1  # an id is text: the odd one is kept
    assert c["channel"].value_counts().to_dict() == {"Customer Care Call": 1_119, "Internet": 1_105}


def test_examples_survive_being_copied_with_their_data(shared_data, tmp_path):
    # A user's own folder: the file beside the config, the config's path made local.
    src = shared_data / "online_retail_sample40k" / "Online Retail.xlsx"
    shutil.copy(src, tmp_path / "Online Retail.xlsx")
    text = (EXAMPLES / "online_retail" / "cxreport.yaml").read_text(encoding="utf-8")
    text = text.replace("online_retail_sample40k/", "")
    (tmp_path / "cxreport.yaml").write_text(text, encoding="utf-8")
    report = validate(tmp_path)
    assert report.ok and report.tables["transactions"] == 29_808
    doc = json.loads(json.dumps(report.to_dict(), default=str))
    assert doc["shaping"]["transactions"]["derive"] == {"amount": "Quantity * UnitPrice"}


@pytest.mark.parametrize(
    ("standardised", "scheme"), [(False, "path"), (True, "path"), (True, "centroid")]
)
def test_ecsi_reference_through_the_notebook_parameters(example, tmp_path, standardised, scheme):
    from test_pls import ECSI_PATHS, SMARTPLS_PATHS

    from cxreport import pls

    export = tmp_path / "export"
    _run(
        tmp_path,
        "04_csi",
        data_dir=str(example("ecsi_mobi")),
        n_boot=200,
        pls_standardised=standardised,
        pls_scheme=scheme,
        pls_boot=0,
        export_dir=str(export),
    )
    got = pd.read_csv(export / "pls_paths.csv").set_index(["source", "target"])["coef"]
    if standardised:  # SmartPLS 2.0 on standardised items
        want = dict(zip(pls.ECSI_PATHS, SMARTPLS_PATHS[scheme], strict=True))
        tol = 1e-4
    else:  # plspm scaled = FALSE (cx-methods.md §1.5)
        want, tol = ECSI_PATHS, 1e-3
    assert len(got) == len(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=tol), key


def test_comcast_complaints_handling_by_configuration_alone(example):
    from cxreport import complaints as cp
    from cxreport.errors import NotApplicable

    data = load(example("comcast_complaints"), "2015-06")
    c = cp.cases(data)
    # Status: Open 363 + Pending 154 are open; Solved/Closed carry no date, so their SLA is
    # unknown (not "kept") and only the open cases are judged against the default 7 days
    assert int(c["is_open"].sum()) == 363 + 154
    assert int(c["breached"].notna().sum()) == 517
    opened_before_24_june = c["is_open"] & (c["opened"] < "2015-06-24")
    assert int(c["open_past_due"].sum()) == int(opened_before_24_june.sum()) == 289
    assert not cp.has_customers(c)
    assert cp.volume_by_month(data)["complaints"].tolist() == [545, 399, 1_280]
    with pytest.raises(NotApplicable, match="anonymous"):
        cp.iceberg(data, c)
    assert cp.followup(data, c)["customer_id"].isna().all()
