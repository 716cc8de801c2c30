"""Complaint handling (06_complaints): hand-checked figures on a tiny folder, the notebook on
the sample, a folder without complaints ("not run") and one with anonymous tickets."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest

from cxreport import complaints as cp
from cxreport.data import load
from cxreport.errors import NotApplicable

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_complaints.ipynb"
SAMPLE = ROOT / "data" / "sample"

CUSTOMERS = (
    "customer_id,signup_date,churned,churn_date\n"
    "C1,2023-01-01,false,\nC2,2023-01-01,true,2024-03-25\nC3,2023-01-01,false,\n"
    "C4,2023-01-01,false,\n"
)
# K1 billing on time; K2 billing late (SLA 5 days); K3 repair open past its 3 days;
# K4 repair open, not yet due; K5 other, due by its own column on 03-03, resolved 03-05
COMPLAINTS = (
    "complaint_id,customer_id,opened,resolved,category,reopened,due\n"
    "K1,C1,2024-03-01,2024-03-04,billing,false,\n"
    "K2,C2,2024-03-01,2024-03-10,billing,false,\n"
    "K3,C3,2024-03-20,,repair,false,\n"
    "K4,C3,2024-03-30,,repair,false,\n"
    "K5,C1,2024-03-02,2024-03-05,other,true,2024-03-03\n"
)
CONFIG = 'complaints:\n  sla_days: {billing: 5, repair: 3, "*": 7}\n'


def _folder(tmp_path: Path, complaints: str = COMPLAINTS) -> Path:
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "complaints.csv").write_text(complaints, encoding="utf-8")
    (tmp_path / "cxreport.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_kaplan_meier_against_a_hand_calculation():
    # t=2: 5 at risk, 1 resolved -> 0.8; t=3: 4 at risk (one censored at 3), 1 -> 0.6;
    # t=5: 2 at risk, 1 -> 0.3; the case open for 8 days never resolves
    curve = cp.kaplan_meier([2, 3, 3, 5, 8], [True, True, False, True, False])
    assert curve["days"].tolist() == [2, 3, 5]
    assert curve["at_risk"].tolist() == [5, 4, 2]
    np.testing.assert_allclose(curve["still_open"], [0.8, 0.6, 0.3])
    assert cp.km_quantile(curve, 0.5) == 5
    assert math.isnan(cp.km_quantile(curve, 0.9))  # not reached, not "8 days"
    # dropping the open cases instead would claim a median of 3 days
    assert cp.km_quantile(cp.kaplan_meier([2, 3, 5], [True] * 3), 0.5) == 3


def test_sla_breaches_and_reopen_rate_by_hand(tmp_path):
    data = load(_folder(tmp_path), "2024-03")
    c = cp.cases(data).set_index("complaint_id")
    assert c["due"].dt.strftime("%m-%d").to_dict() == {
        "K1": "03-06",
        "K2": "03-06",
        "K3": "03-23",
        "K4": "04-02",
        "K5": "03-03",  # the data's own due day wins over the SLA
    }
    assert c.index[c["late"]].tolist() == ["K2", "K5"]
    assert c.index[c["open_past_due"]].tolist() == ["K3"]
    assert c.loc["K3", "days"] == 12  # age at the month end (04-01)
    h = cp.handling(c.reset_index()).set_index("measure")
    breach = h.loc["SLA breached (resolved late or open past due)"]
    assert (breach["yes"], breach["cases"]) == (3, 5)
    reopened = h.loc["reopened"]  # of the three resolved cases
    assert (reopened["yes"], reopened["cases"]) == (1, 3)
    assert reopened["ci_low"] < 100 / 3 < reopened["ci_high"]
    times = cp.resolution_times(c.reset_index()).set_index("category")
    assert times.loc["billing", "median_days"] == 3  # 3 and 9 days: KM median is the first
    assert math.isnan(times.loc["repair", "median_days"])  # both still open


def test_recovery_groups_and_the_iceberg_by_hand(tmp_path):
    data = load(_folder(tmp_path), "2024-03")
    c = cp.cases(data)
    groups = cp.recovery_groups(data, c, months=1).to_dict()
    # C1: K5 reopened and late; C2: K2 late; C3: open; C4 never complained
    assert groups == {
        "C1": cp.BADLY,
        "C2": cp.BADLY,
        "C3": cp.BADLY,
        "C4": cp.NEVER,
    }
    ok = COMPLAINTS.replace("K2,C2,2024-03-01,2024-03-10", "K2,C2,2024-03-01,2024-03-02")
    data = load(_folder(tmp_path, ok), "2024-03")
    paradox = cp.recovery_paradox(data, cp.cases(data), months=1)
    t = paradox.table.set_index("group")
    assert t.loc[cp.WELL, "customers"] == 1 and t.loc[cp.WELL, "churned"] == 1
    assert not paradox.shows and "No recovery paradox" in paradox.verdict


def test_a_case_of_unknown_sla_does_not_make_its_customer_resolved_well(tmp_path):
    # K2 is finished by its status with no resolved day: whether it kept its SLA is unknown
    rows = (
        "complaint_id,customer_id,opened,resolved,category,reopened,status\n"
        "K1,C1,2024-03-01,2024-03-04,billing,false,closed\n"
        "K2,C2,2024-03-01,,billing,false,closed\n"
        "K3,C3,2024-03-20,,repair,false,open\n"
    )
    data = load(_folder(tmp_path, rows), "2024-03")
    c = cp.cases(data)
    assert c.set_index("complaint_id")["breached"].isna().to_dict() == {
        "K1": False,
        "K2": True,
        "K3": False,
    }
    groups = cp.recovery_groups(data, c, months=1).to_dict()
    assert groups == {"C1": cp.WELL, "C3": cp.BADLY, "C4": cp.NEVER}  # C2 in neither


def test_without_complaints_the_page_is_not_run(tmp_path):
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    data = load(tmp_path, "2024-03")
    with pytest.raises(NotApplicable, match="needs a complaints table"):
        cp.cases(data)


def test_anonymous_tickets_skip_the_customer_parts(tmp_path):
    anon = "\n".join(
        ",".join(f for i, f in enumerate(line.split(",")) if i != 1)
        for line in COMPLAINTS.splitlines()
    )
    data = load(_folder(tmp_path, anon + "\n"), "2024-03")
    c = cp.cases(data)
    assert not cp.has_customers(c)
    assert cp.volume_by_month(data)["complaints"].tolist() == [5]
    with pytest.raises(NotApplicable, match="anonymous"):
        cp.recovery_paradox(data, c)
    follow = cp.followup(data, c)
    assert follow["complaint_id"].tolist() == ["K3"] and follow["owner"].eq("").all()


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


def _text(nb) -> str:
    return "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        for o in cell.get("outputs", [])
    )


def test_notebook_on_the_sample_exports_the_followup_list(tmp_path):
    export = tmp_path / "export"
    nb = _run(tmp_path / "out.ipynb", data_dir=str(SAMPLE), export_dir=str(export))
    text = _text(nb)
    assert "recovery paradox" in text and "silent ones" in text
    follow = (export / "followup.csv").read_text(encoding="utf-8-sig").splitlines()  # a BOM
    assert follow[0] == "customer_id,complaint_id,reason,due,owner"
    assert follow[1].startswith("C0")  # real ids in the export, not pseudonyms


def test_notebook_without_customers_says_what_it_skips(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "customers.csv").unlink()
    for name in ("transactions", "survey", "touchpoints"):
        (folder / f"{name}.csv").unlink()
    nb = _run(tmp_path / "out.ipynb", data_dir=str(folder))
    assert "recovery paradox needs complaints that name their customer" in _text(nb)


def test_a_case_closed_by_its_status_without_a_date_has_an_unknown_sla(tmp_path):
    text = (
        "complaint_id,opened,status\n"
        "K1,2024-03-01,solved\nK2,2024-03-01,pending\nK3,2024-03-30,open\n"
    )
    (tmp_path / "complaints.csv").write_text(text, encoding="utf-8")
    c = cp.cases(load(tmp_path, "2024-03")).set_index("complaint_id")
    assert c["is_open"].to_dict() == {"K1": False, "K2": True, "K3": True}
    assert c["breached"].isna().tolist() == [True, False, False]
    assert c["open_past_due"].tolist() == [False, True, False]  # default 7 days
    h = cp.handling(c.reset_index()).set_index("measure")
    assert h.loc["SLA breached (resolved late or open past due)", "cases"] == 2
    assert "reopened" not in h.index  # the data does not say


@pytest.mark.parametrize(
    ("example", "month", "says"),
    [
        # Comcast, 2015: tickets with a title, no customer id; billing and speed lead
        ("comcast_complaints", "2015-06", ("Billing errors", "Data caps")),
        # IBM Telco v11: each churner's reason is a closed case of 2019-Q3
        ("telco_churn_reasons", "2019-09", ("Competitor",)),
    ],
)
def test_notebook_on_real_logs_by_configuration_alone(tmp_path, shared_data, example, month, says):
    folder = ROOT / "examples" / example
    nb = _run(tmp_path / "out.ipynb", data_dir=str(folder), month=month)
    shown = _text(nb) + "".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", [])
    )
    assert "recovery paradox needs complaints that name their customer" in shown
    for words in says:
        assert words in shown, words
