"""NPS: known answers (Rocks 2016 worked example, hand-computed cases), flags, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import nps
from cxreport.data import load
from cxreport.errors import CxReportError

Z95 = 1.959963984540054


def _folder(tmp: Path, tables: dict[str, pd.DataFrame], yaml: str | None = None) -> Path:
    for name, frame in tables.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
    if yaml is not None:
        (tmp / "cxreport.yaml").write_text(yaml, encoding="utf-8")
    return tmp


def _answers(month: str, promoters: int, passives: int, detractors: int) -> list[dict]:
    scores = [10] * promoters + [8] * passives + [3] * detractors
    day = pd.Period(month, "M").start_time
    return [
        {"date": (day + pd.Timedelta(days=i % 28)).date(), "nps": s} for i, s in enumerate(scores)
    ]


# --- known answers -----------------------------------------------------------------------


def test_rocks_worked_example_cx_methods_3_2():
    # cx-methods.md §3.2: Q1 90/60/50 -> NPS 20.0, SE 5.74, Wald 8.7-31.3, adj. Wald 8.5-30.9;
    # Q2 120/75/55 -> 26.0, 5.03, 16.1-35.9, 15.9-35.5; +6 points, z = 0.79, p = .43.
    q1, q2 = nps.nps_from_counts(90, 60, 50), nps.nps_from_counts(120, 75, 55)
    for e, ref in (
        (q1, (20.0, 5.74, 8.7, 31.3, 8.5, 30.9)),
        (q2, (26.0, 5.03, 16.1, 35.9, 15.9, 35.5)),
    ):
        got = (e.nps, e.se, e.wald_low, e.wald_high, e.ci_low, e.ci_high)
        assert got == pytest.approx(ref, abs=0.051)
    ch = nps.compare_nps(q1, q2)
    assert ch.change == pytest.approx(6.0)
    assert ch.z == pytest.approx(0.79, abs=0.005)
    assert ch.p_value == pytest.approx(0.43, abs=0.005)
    assert not ch.significant


def test_small_sample_by_hand():
    # 3 promoters, 1 passive, 1 detractor: p = .6, d = .2, NPS = 40,
    # Var = (.8 - .16)/5 = .128, SE = .357771 -> 35.7771 points, margin = 1.96 * 35.7771.
    e = nps.nps_from_counts(3, 1, 1)
    assert (e.n, e.nps) == (5, 40.0)
    assert (e.pct_promoters, e.pct_passives, e.pct_detractors) == (60.0, 20.0, 20.0)
    assert e.se == pytest.approx(35.7771, abs=1e-4)
    assert e.margin == pytest.approx(Z95 * 35.7771, abs=1e-3)  # 70.122
    assert e.wald_low == pytest.approx(40 - 70.1222, abs=1e-3)
    assert e.wald_high == 100.0  # 110.1 clipped to the scale
    # adjusted Wald: n = 8, p = 3.75/8 = .46875, d = 1.75/8 = .21875, centre 25,
    # Var = (.6875 - .0625)/8 = .078125, SE = .279508 -> half-width 54.7829
    assert e.ci_low == pytest.approx(25 - 54.7829, abs=1e-3)
    assert e.ci_high == pytest.approx(25 + 54.7829, abs=1e-3)


def test_nps_from_raw_answers_skips_blanks():
    scores = [10, 9, 8, 7, 6, 0, 5, 9, 10, 3, None, float("nan")]
    e = nps.nps(scores)
    assert (e.n, e.promoters, e.passives, e.detractors, e.nps) == (10, 4, 2, 4, 0.0)
    assert nps.nps([]).n == 0 and math.isnan(nps.nps([]).nps)


def test_unanimous_months_use_adjusted_se_in_the_test():
    # SE of a unanimous sample is 0; the test then uses the adjusted-Wald SEs:
    # n = 1 + 3, p = 1.75/4, d = .75/4 -> Var = (.625 - .0625)/4, SE = 37.5 points each.
    ch = nps.compare_nps(nps.nps_from_counts(1, 0, 0), nps.nps_from_counts(0, 0, 1))
    assert ch.se == pytest.approx(math.hypot(37.5, 37.5))
    assert ch.z == pytest.approx(-200 / math.hypot(37.5, 37.5))
    same = nps.compare_nps(nps.nps_from_counts(5, 0, 0), nps.nps_from_counts(5, 0, 0))
    assert same.z == 0 and same.p_value == pytest.approx(1.0) and not same.significant


def test_nps_by_month_hand_built(tmp_path):
    rows = (
        _answers("2026-08", 3, 1, 1)  # NPS 40, n = 5: too few
        + _answers("2026-09", 10, 5, 5)  # NPS 25
        + _answers("2026-10", 4, 6, 10)  # NPS -30
        + _answers("2026-11", 7, 0, 0)  # after the reporting month: ignored
    )
    data = load(_folder(tmp_path, {"survey": pd.DataFrame(rows)}), "2026-10")
    m = nps.nps_by_month(data, min_responses=10)
    assert [str(p) for p in m["month"]] == ["2026-08", "2026-09", "2026-10"]
    assert m["n"].tolist() == [5, 20, 20]
    assert m["nps"].tolist() == [40.0, 25.0, -30.0]
    assert m["small_sample"].tolist() == [True, False, False]
    # Sep: p=.5, d=.25 -> SE = sqrt(.6875/20) = 18.5405; Oct: p=.2, d=.5 -> SE = sqrt(.61/20)
    # = 17.4642; change -55, SE 25.4700, z = -2.1594, p = .0308
    oct_ = m.iloc[2]
    assert oct_["change"] == -55.0
    assert oct_["change_se"] == pytest.approx(25.4700, abs=1e-3)
    assert oct_["change_z"] == pytest.approx(-2.1594, abs=1e-3)
    assert oct_["change_p"] == pytest.approx(0.0308, abs=5e-4)
    assert bool(oct_["change_significant"])
    # Sep against the small August: change reported, never flagged
    assert m.iloc[1]["change"] == -15.0 and not m.iloc[1]["change_significant"]
    assert math.isnan(m.iloc[0]["change"])
    table = nps.month_table(m, last=3)
    assert table["note"].tolist() == ["too few answers", "", "significant change"]
    assert (
        table.loc["2026-10", "95% CI"]
        == f"{m.iloc[2]['ci_low']:+.1f} to {m.iloc[2]['ci_high']:+.1f}"
    )
    # the same numbers through month_summary / describe_month
    s = nps.month_summary(data, min_responses=10)
    assert s["current"].nps == -30.0 and s["previous"].nps == 25.0
    assert s["change"].significant and not s["small_sample"]
    assert "a significant change" in nps.describe_month(s)


def test_small_months_are_never_flagged_significant(tmp_path):
    # 6 promoters in Sep, 6 detractors in Oct: z = -200 / 29.40 (adjusted SEs, n = 9:
    # p = 6.75/9, d = .75/9 -> SE 20.787 each) = -6.80, p << .05
    rows = _answers("2026-09", 6, 0, 0) + _answers("2026-10", 0, 0, 6)
    data = load(_folder(tmp_path, {"survey": pd.DataFrame(rows)}), "2026-10")
    strict = nps.nps_by_month(data, min_responses=10).iloc[-1]
    assert strict["change_z"] == pytest.approx(-200 / math.hypot(20.7870, 20.7870), abs=1e-2)
    assert strict["change_p"] < 1e-6
    assert bool(strict["small_sample"]) and not strict["change_significant"]
    assert bool(nps.nps_by_month(data, min_responses=5).iloc[-1]["change_significant"])
    s = nps.month_summary(data, min_responses=10)
    assert not s["change"].significant and s["small_sample"]
    assert "too few answers" in nps.describe_month(s)


def test_survey_without_date_is_one_period(tmp_path):
    data = load(_folder(tmp_path, {"survey": pd.DataFrame({"nps": [10, 9, 0, 7]})}), "2026-10")
    m = nps.nps_by_month(data, min_responses=1)
    assert len(m) == 1 and str(m["month"].iloc[0]) == "2026-10" and m["nps"].iloc[0] == 25.0


def test_nps_table_groups_order_and_flags():
    survey = pd.DataFrame({"channel": ["web"] * 4 + ["store"] * 2, "nps": [10, 10, 9, 0, 5, 6]})
    t = nps.nps_table(survey, "channel", min_responses=3, order=["web", "store", "phone"])
    assert t["channel"].tolist() == ["web", "store", "phone"]
    assert t["nps"].iloc[:2].tolist() == [50.0, -100.0]
    assert t["n"].tolist() == [4, 2, 0]
    assert t["small_sample"].tolist() == [False, True, True]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400))
def test_nps_and_intervals_stay_on_the_scale(p, pa, d):
    if p + pa + d == 0:
        return
    e = nps.nps_from_counts(p, pa, d)
    assert -100 <= e.ci_low <= e.ci_high <= 100
    assert -100 <= e.wald_low <= e.nps <= e.wald_high <= 100
    # never wider than the worst case p = d = 1/2
    assert e.margin <= 100 * Z95 / math.sqrt(e.n) + 1e-9
    assert e.pct_promoters + e.pct_passives + e.pct_detractors == pytest.approx(100)


# --- bad input ---------------------------------------------------------------------------


def test_answers_off_the_scale_are_named():
    with pytest.raises(
        CxReportError, match=r"whole numbers from 0 to 10; 3 value\(s\) are not, e.g. x, 11, 7\.5"
    ):
        nps.nps([3, 11, "x", 7.5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"promoters": -1, "passives": 0, "detractors": 0},
            "'promoters' parameter must be a whole",
        ),
        ({"promoters": 1.5, "passives": 0, "detractors": 0}, "'promoters' parameter"),
        ({"promoters": 1, "passives": 0, "detractors": 0, "confidence": 1.5}, "'confidence'"),
    ],
)
def test_bad_counts(kwargs, message):
    with pytest.raises(CxReportError, match=message):
        nps.nps_from_counts(**kwargs)


def test_bad_parameters_and_missing_column(tmp_path):
    data = load(
        _folder(tmp_path, {"survey": pd.DataFrame(_answers("2026-10", 1, 1, 1))}), "2026-10"
    )
    with pytest.raises(
        CxReportError,
        match=r"'min_responses' parameter must be an int in the range \[1, inf\); got 0",
    ):
        nps.nps_by_month(data, min_responses=0)
    with pytest.raises(CxReportError, match="'alpha' parameter"):
        nps.compare_nps(nps.nps_from_counts(1, 1, 1), nps.nps_from_counts(1, 1, 1), alpha=2)
    with pytest.raises(nps.MissingColumnError, match="tables.survey.columns.nps"):
        nps.nps_table(pd.DataFrame({"score": [1]}), "score")
    with pytest.raises(nps.MissingColumnError, match="no 'touchpoint' column"):
        nps.nps_by_touchpoint(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_responses": 0}, "'min_responses' parameter"),
        (
            {"group_min_responses": -1},
            r"'group_min_responses' parameter must be an int in the range \[1, inf\); got -1",
        ),
        ({"group_months": 1.5}, "'group_months' parameter"),
    ],
)
def test_check_settings_up_front(kwargs, message):
    nps.check_settings()
    with pytest.raises(CxReportError, match=message):
        nps.check_settings(**kwargs)


def test_real_survey_ecsi_would_recommend(shared_data):
    # ECSI mobile-phone survey (Tenenhaus et al. 2005), read as published: CUSL3 = "would
    # recommend" on 1-10, so the NPS groups are 9-10 / 7-8 / 1-6 (no 0 answers possible).
    mobi = pd.read_csv(shared_data / "ecsi_mobi" / "mobi.csv")
    answers = mobi["CUSL3"].to_numpy()
    p, d = int((answers >= 9).sum()), int((answers <= 6).sum())
    e = nps.nps(mobi["CUSL3"])
    assert (e.n, e.promoters, e.detractors) == (250, p, d)
    assert e.nps == pytest.approx(100 * (p - d) / 250)
    share_p, share_d = p / 250, d / 250
    assert e.se == pytest.approx(
        100 * math.sqrt((share_p + share_d - (share_p - share_d) ** 2) / 250)
    )
    assert e.ci_low < e.nps < e.ci_high
    by_sat = nps.nps_table(
        mobi.assign(
            sat=(mobi["CUSA1"] >= 8).map({True: "satisfied", False: "other"}).rename("sat"),
            nps=mobi["CUSL3"],
        ),
        "sat",
        min_responses=30,
    )
    t = by_sat.set_index("sat")
    # customers satisfied overall recommend more, and the difference is far beyond noise
    ch = nps.compare_nps(
        nps.nps_from_counts(*t.loc["other", ["promoters", "passives", "detractors"]].astype(int)),
        nps.nps_from_counts(
            *t.loc["satisfied", ["promoters", "passives", "detractors"]].astype(int)
        ),
    )
    assert ch.change > 0 and ch.significant


def test_one_nps_definition_serves_every_analysis():
    from cxreport import mot, segments

    answers = pd.Series([10, 9, 8, 7, 6, 0, None, 3, 9, 10])  # 4 promoters, 3 detractors of 9
    assert nps.nps_score(answers) == pytest.approx(100 * (4 - 3) / 9)
    assert nps.nps_score(answers) == pytest.approx(nps.nps(answers).nps)
    assert np.isnan(nps.nps_score(pd.Series([None, None], dtype=float)))
    assert mot._nps_of(answers) == (nps.nps_score(answers), 9)
    assert segments.nps_score is nps.nps_score
    groups = nps.nps_group(answers).value_counts()
    assert groups["promoter (9-10)"] == 4 and groups["passive (7-8)"] == 2
    assert groups["detractor (0-6)"] == 3 and groups["no answer"] == 1


def test_month_chart_draws_a_tiny_month_whose_point_lies_outside_its_interval():
    from cxreport.viz import nps as nps_viz

    est = nps.nps_from_counts(1, 0, 0)  # one promoter: NPS 100, adjusted interval below it
    assert est.nps > est.ci_high
    monthly = pd.DataFrame({"month": ["2026-10"], "nps": [est.nps], "ci_low": [est.ci_low]}).assign(
        ci_high=est.ci_high, n=1, small_sample=True
    )
    fig = nps_viz.nps_trend(monthly)
    assert fig.axes
