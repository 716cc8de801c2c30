"""Moments of Truth: a small hand-built case worked through by hand; Newcombe's published
intervals; missing churn / survey; bad input."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cxreport import mot
from cxreport.data import load
from cxreport.errors import CxReportError


def _folder(tmp: Path, tables: dict[str, pd.DataFrame]) -> Path:
    for name, frame in tables.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
    return tmp


def _tables(churn: bool = True, survey: bool = True) -> dict[str, pd.DataFrame]:
    tp = pd.DataFrame(
        [
            # delivery · do: 6 followed contacts, 3 failures (A, C churn within 30 days; E not)
            ("A", "2026-08-01 10:00", "delivery", "do", "lost"),
            ("B", "2026-08-01 11:00", "delivery", "do", "ok"),
            ("C", "2026-08-05 10:00", "delivery", "do", "late_over_day"),
            ("D", "2026-08-05 11:00", "delivery", "do", "ok"),
            ("E", "2026-08-10 10:00", "delivery", "do", "damaged"),
            ("F", "2026-08-10 11:00", "delivery", "do", "ok"),
            # 30-day follow-up ends after the reporting month: counted, but censored for churn
            ("F", "2026-10-20 10:00", "delivery", "do", "ok"),
            # call_centre · confirm: 1 failure of 2
            ("B", "2026-09-01 10:00", "call_centre", "confirm", "call_abandoned"),
            ("D", "2026-09-02 10:00", "call_centre", "confirm", "ok"),
            # before the 3-month window: ignored
            ("A", "2026-07-15 10:00", "delivery", "do", "lost"),
        ],
        columns=["customer_id", "date", "touchpoint", "stage", "outcome"],
    )
    customers = pd.DataFrame({"customer_id": list("ABCDEF")})
    if churn:
        customers["churn_date"] = ["2026-08-15", "", "2026-08-20", "", "", ""]
    out = {"touchpoints": tp, "customers": customers}
    if survey:
        out["survey"] = pd.DataFrame(
            {
                "customer_id": ["E", "F", "B", "D"],
                # E 5 days after the failed delivery; F 2 days after a good one; B 19 days
                # after its contact (outside 10 days); D 3 days after the call (and 31 after
                # the delivery: not linked to it)
                "date": ["2026-08-15", "2026-08-12", "2026-08-20", "2026-09-05"],
                "nps": [2, 10, 9, 8],
            }
        )
    return out


@pytest.fixture
def data(tmp_path):
    return load(_folder(tmp_path, _tables()), "2026-10")


def _kw(**extra):
    return {"window_months": 3, "churn_days": 30, "survey_days": 10, "min_failures": 1, **extra}


def test_hand_built_moments(data):
    res = mot.moments_of_truth(data, **_kw())
    assert res.impact == "excess_churn"
    assert res.window == (pd.Timestamp("2026-08-01"), pd.Timestamp("2026-11-01"))
    t = res.table.set_index(["touchpoint", "stage"])
    assert t.index.tolist() == [("delivery", "do"), ("call_centre", "confirm")]  # ranked
    d = t.loc[("delivery", "do")]
    assert (d["rank"], d["contacts"], d["customers"], d["failures"]) == (1, 7, 6, 3)
    assert d["failure_rate"] == pytest.approx(300 / 7)
    assert (d["month_contacts"], d["month_failures"], d["month_failure_rate"]) == (1, 0, 0.0)
    # churn within 30 days: 2 of 3 failed contacts, 0 of 3 good ones (Oct 20 censored)
    assert d["followed"] == 6
    assert (d["churn_fail"], d["churn_fail_n"], d["churn_ok"], d["churn_ok_n"]) == pytest.approx(
        (200 / 3, 3, 0.0, 3)
    )
    assert d["churn_diff"] == pytest.approx(200 / 3)
    assert d["excess_churn"] == pytest.approx(2.0)  # 3 failures x (2/3 - 0)
    # next answer within 10 days: E (2, detractor) after the failure, F (10) after a good one
    assert (d["nps_fail"], d["nps_fail_n"], d["nps_ok"], d["nps_ok_n"]) == (-100, 1, 100, 1)
    assert (d["nps"], d["nps_n"], d["nps_gap"]) == (0, 2, 200)
    assert d["net_promoters_lost"] == pytest.approx(6.0)  # 3 failures x 200 / 100
    c = t.loc[("call_centre", "confirm")]
    assert (c["rank"], c["contacts"], c["failures"], c["failure_rate"]) == (2, 2, 1, 50.0)
    assert (c["churn_fail"], c["churn_ok"], c["excess_churn"]) == (0.0, 0.0, 0.0)
    assert c["nps_ok"] == 0 and c["nps_ok_n"] == 1 and math.isnan(c["nps_fail"])
    assert "Delivery · Do: 42.9% of 7 contacts failed" in mot.worst_moment(res)  # labels
    assert "66.7% after a failure vs 0.0%" in mot.worst_moment(res)


def test_levels_matrix_and_small_flag(data):
    by_tp = mot.moments_of_truth(data, **_kw(level="touchpoint")).table
    assert by_tp["touchpoint"].tolist() == ["delivery", "call_centre"]
    by_stage = mot.moments_of_truth(data, **_kw(level="stage")).table.set_index("stage")
    assert by_stage.loc["confirm", "failures"] == 1 and by_stage.loc["do", "failures"] == 3
    # with min_failures=2 the call centre is flagged and stays below the others
    t = mot.moments_of_truth(data, **_kw(min_failures=2)).table
    assert t["small"].tolist() == [False, True]
    m = mot.failure_matrix(data, window_months=3)
    assert m.columns.tolist() == ["do", "confirm"]  # EODC order
    assert m.loc["delivery", "do"] == pytest.approx(300 / 7)
    assert m.loc["call_centre", "confirm"] == 50.0
    assert math.isnan(m.loc["delivery", "confirm"])
    assert m.attrs["contacts"].loc["delivery", "do"] == 7
    rt = mot.reader_table(mot.moments_of_truth(data, **_kw()))
    assert rt.loc[0, "NPS after failure / good (n)"] == "-100 / +100 (1/1)"


def test_newcombe_published_examples():
    # Newcombe (1998), Stat Med 17:873-890, Table II, method 10 (hybrid score):
    # 56/70 - 48/80: 0.2000 (0.0524, 0.3339); 9/10 - 3/10: 0.6 (0.1705, 0.8090)
    d, lo, hi = mot.newcombe_diff(56, 70, 48, 80)
    assert (float(d), float(lo), float(hi)) == pytest.approx((0.2, 0.0524, 0.3339), abs=6e-5)
    d, lo, hi = mot.newcombe_diff(9, 10, 3, 10)
    assert (float(d), float(lo), float(hi)) == pytest.approx((0.6, 0.1705, 0.8090), abs=6e-5)


def test_without_churn_ranks_by_nps_gap(tmp_path):
    res = mot.moments_of_truth(load(_folder(tmp_path, _tables(churn=False)), "2026-10"), **_kw())
    assert res.impact == "net_promoters_lost"
    assert any("no churn_date" in n for n in res.notes)
    assert res.table["touchpoint"].iloc[0] == "delivery"
    assert "NPS 200 points lower after a failure" in mot.worst_moment(res)


def test_without_churn_or_survey_ranks_by_failures(tmp_path):
    res = mot.moments_of_truth(
        load(_folder(tmp_path, _tables(churn=False, survey=False)), "2026-10"), **_kw()
    )
    assert res.impact == "failures"
    assert any("NPS after a contact is not shown" in n for n in res.notes)
    assert res.table["failures"].tolist() == [3, 1]


def test_no_follow_up_in_window_says_so(data):
    # a 1-month window (October) has no contact with 30 days of follow-up before Nov 1
    res = mot.moments_of_truth(data, **_kw(window_months=1))
    assert res.impact == "net_promoters_lost"
    assert any("No contact in the window has 30 days of follow-up" in n for n in res.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"level": "region"},
            "'level' parameter must be one of touchpoint_stage, touchpoint, stage",
        ),
        (
            {"churn_days": 0},
            r"'churn_days' parameter must be an int in the range \[1, 730\]; got 0",
        ),
        ({"survey_days": 1.5}, "'survey_days' parameter"),
        ({"window_months": 0}, "'window_months' parameter"),
        ({"min_failures": True}, "'min_failures' parameter"),
    ],
)
def test_bad_parameters(data, kwargs, message):
    with pytest.raises(CxReportError, match=message):
        mot.moments_of_truth(data, **kwargs)


def test_empty_window_and_missing_table(tmp_path, data):
    import dataclasses

    with pytest.raises(CxReportError, match="no data in 2027-06, after the data ends"):
        load(data.folder, "2027-06")  # cxreport.start refuses the month up front
    later = dataclasses.replace(data, month=pd.Period("2027-06", "M"))  # in code: a clear error
    with pytest.raises(
        CxReportError, match="No touchpoint contacts between 2027-04-01 and the end of 2027-06"
    ):
        mot.moments_of_truth(later, window_months=3)
    (tmp_path / "touchpoints.csv").unlink()
    with pytest.raises(CxReportError, match="Moments-of-Truth view needs the table.*touchpoints"):
        mot.moments_of_truth(load(tmp_path, "2026-09"))


def test_check_settings_up_front():
    mot.check_settings()
    with pytest.raises(
        CxReportError,
        match=r"'survey_days' parameter must be an int in the range \[0, 365\]; got 400",
    ):
        mot.check_settings(survey_days=400)
