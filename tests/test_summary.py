"""The summary each page opens with, the index's "what to do" list and KPI targets: written
from recorded results, tested for both directions of change."""

import pandas as pd
import pytest

from cxreport import churn, complaints, csi, i18n, mot, sqi
from cxreport.report import indexpage


def _metric(name, value, before, *, ci=2.0, hib=True, target=None):
    return {
        "name": name, "label": name.upper(), "value": value, "unit": "",
        "ci_low": value - ci, "ci_high": value + ci, "higher_is_better": hib,
        "previous": {"value": before, "ci_low": before - ci, "ci_high": before + ci,
                     "label": "2026-09"},
        "target": target,
    }  # fmt: skip


def _payload(*metrics, findings=(), actions=()):
    return {"metrics": list(metrics), "findings": list(findings), "actions": list(actions)}


@pytest.mark.parametrize(
    ("value", "before", "says"),
    [
        (30.0, 20.0, "NPS: 30, up 10 on Sep 2026 in the data, a significant change"),
        (10.0, 20.0, "NPS: 10, down 10 on Sep 2026 in the data, a significant change"),
        (20.5, 20.0, "NPS: 20.5, up 0.50 on Sep 2026 in the data, within the noise"),
        (19.5, 20.0, "NPS: 19.5, down 0.50 on Sep 2026 in the data, within the noise"),
    ],
)
def test_a_page_summary_says_the_change_and_its_evidence_either_way(value, before, says):
    page = indexpage.page_summary(_payload(_metric("nps", value, before)), [], "2026-09")
    assert says in page


def test_a_page_summary_lists_findings_and_actions_escaped_and_linked():
    action = {"text": "Fix <b>billing</b>", "evidence": "40 % of failures", "anchor": "action-1"}
    page = indexpage.page_summary(
        _payload(_metric("csi", 70.0, 69.0), findings=["Billing leads."], actions=[action]),
        [],
        "2026-09",
    )
    assert "<li>Billing leads.</li>" in page
    assert "Fix &lt;b&gt;billing&lt;/b&gt;" in page and "href='#action-1'" in page
    assert page.index("CSI: 70") < page.index("Billing leads.") < page.index("What to do")
    assert indexpage.page_summary(_payload(), [], "2026-09") == ""


def test_the_previous_report_wins_over_the_data_in_a_page_summary():
    earlier = [{"name": "nps", "notebook": "05", "value": 25.0, "ci_low": 23.0, "ci_high": 27.0}]
    page = indexpage.page_summary(_payload(_metric("nps", 30.0, 20.0)), earlier, "2026-09", "05")
    assert "up 5 on the Sep 2026 report" in page


def test_what_to_do_ranks_actions_by_customers_at_stake_across_pages():
    payloads = {
        "05_nps_sqi": {"actions": [{"text": "a", "evidence": "", "customers": 8, "anchor": "x"}]},
        "03_churn": {"actions": [{"text": "b", "evidence": "", "customers": 40.5, "anchor": "y"}]},
        "04_csi": {"actions": [{"text": "c", "evidence": "", "customers": None, "anchor": "z"}]},
    }
    notebooks = [{"name": "03_churn", "title": "Churn"}, {"name": "05_nps_sqi"}]
    todo = indexpage.what_to_do(notebooks, payloads)
    assert [a["text"] for a in todo] == ["b", "a", "c"]
    assert todo[0]["href"] == "03_churn.html#y" and todo[0]["page"] == "Churn"
    assert len(indexpage.what_to_do(notebooks, payloads, top=2)) == 2


@pytest.mark.parametrize(
    ("value", "hib", "says"),
    [
        (80.0, True, "target 2026 75 · 5 above, on target"),
        (70.0, True, "target 2026 75 · 5 below, short of it"),
        (70.0, False, "target 2026 75 · 5 below, on target"),  # fewer failures: better
        (80.0, False, "target 2026 75 · 5 above, short of it"),
    ],
)
def test_a_tile_says_how_far_the_kpi_is_from_its_target(value, hib, says):
    m = _metric("csi", value, value, hib=hib, target={"value": 75.0, "label": "target 2026"})
    assert indexpage.decorate(m, [], "2026-09")["target_shown"] == says


def test_sqi_actions_fix_the_heaviest_failure_types_first():
    top = pd.DataFrame({
        "failure_type": ["repair_not_fixed_first_time", "pickup_missed", "late"],
        "weight": [5.0, 10.0, 1.0], "failures": [15, 4, 0], "weighted": [75.0, 40.0, 0.0],
        "share": [65.2, 34.8, 0.0],
    })  # fmt: skip
    acts = sqi.actions(top, n=3)  # a type without failures this month is no action
    assert [a["text"] for a in acts] == [
        "Fix “Repair not fixed first time” first",
        "Fix “Pickup missed” first",
    ]
    assert acts[0]["evidence"] == (
        "65.2 % of this month's weighted failures (15 failures of weight 5)"
    )
    assert acts[0]["customers"] == 15


def test_mot_actions_leave_out_moments_whose_cost_may_be_zero():
    table = pd.DataFrame({
        "touchpoint": ["call_centre", "delivery"], "stage": ["confirm", "do"],
        "failure_rate": [10.6, 9.7], "excess_churn": [8.3, 4.2],
        "excess_churn_low": [2.0, -3.7], "excess_churn_high": [18.6, 16.3],
        "small": [False, False],
    })  # fmt: skip
    result = mot.MoTResult.__new__(mot.MoTResult)
    object.__setattr__(result, "table", table)
    acts = mot.actions(result, n=2)
    assert [a["text"] for a in acts] == ["Repair the Call centre · Confirm moment"]
    assert "about 8 extra departures" in acts[0]["evidence"] and acts[0]["customers"] == 8.3


def test_churn_complaint_and_csi_actions():
    at_risk = pd.DataFrame({"probability": [0.5, 0.3], "expected_value_at_risk": [100, 60.0]})
    (call,) = churn.actions(at_risk, currency="€")
    assert call["text"] == "Call the 2 customers on the contact list"
    assert "average probability 40.0 %" in call["evidence"] and "€160" in call["evidence"]
    assert call["customers"] == pytest.approx(0.8)
    assert churn.actions(at_risk.iloc[:0]) == []

    follow = pd.DataFrame({"reason": ["open past SLA (3 days)", "detractor", "detractor"]})
    (work,) = complaints.actions(follow)
    assert work["text"] == "Work the follow-up list: 3 cases" and work["customers"] == 3
    assert (
        work["evidence"] == "detractor: 2, open past SLA: 1; owners and due dates in followup.csv"
    )
    assert complaints.actions(follow.iloc[:0]) == []

    fix = pd.DataFrame({
        "item": ["R3"], "dimension": ["reliability"], "importance_pct": [12.5], "score": [61.25],
        "quadrant": ["concentrate here"],
    })  # fmt: skip
    (improve,) = csi.actions(fix, {"R3": "Fixes the fault the first time"})
    assert improve["text"] == "Improve “Fixes the fault the first time” (Reliability)"
    assert improve["evidence"] == "importance 12.5 %, score 61.2 of 100: concentrate here"


def test_codes_read_as_labels():
    assert i18n.code("call_centre") == "Call centre"
    assert i18n.code("repair") == "Repair"
    assert i18n.code("Call Centre 2") == "Call Centre 2"  # not a code: as it is


def test_a_folder_names_its_own_codes():
    try:
        i18n.set_labels({"call_centre": "Contact centre"})
        assert i18n.code("call_centre") == "Contact centre"
        assert i18n.code("store") == "Store"  # the others as before
    finally:
        i18n.set_labels({})
    i18n.set_language("zh")
    try:
        assert i18n.code("call_centre") == "呼叫中心" and i18n.code("confirm") == "确认"
    finally:
        i18n.set_language("en")
