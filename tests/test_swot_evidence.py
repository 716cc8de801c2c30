"""SWOT factors suggested by the data: hand-computed trend tests, the IPA rule, the planted
self-assessment structure, degradation when another analysis fails, bad parameters."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst

from cxreport import load, orientation
from cxreport import swot_evidence as se


@pytest.fixture(scope="module")
def sample(sample_dir):
    return load(sample_dir, "2026-10")


def with_tables(data, **tables):
    return dataclasses.replace(data, tables={**data.tables, **tables})


def customers(n=1000, churn=()):
    """n customers who signed up in 2020; ``churn`` = [(date, count), ...]."""
    dates = [pd.NaT] * n
    i = 0
    for d, k in churn:
        for _ in range(k):
            dates[i] = pd.Timestamp(d)
            i += 1
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "signup_date": pd.Timestamp("2020-01-01"),
            "churned": [d is not pd.NaT for d in dates],
            "churn_date": pd.to_datetime(dates),
        }
    )


def complaints(per_month: dict[str, int]):
    rows = []
    for m, k in per_month.items():
        for j in range(k):
            rows.append(
                {
                    "complaint_id": f"K{m}{j}",
                    "customer_id": "C0000",
                    "opened": pd.Period(m, "M").start_time + pd.Timedelta(days=j % 28),
                }
            )
    return pd.DataFrame(rows)


def test_holm_known_answer():
    # sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06
    got = se._holm(np.array([0.01, 0.04, 0.03, 0.005]))
    assert got == pytest.approx([0.03, 0.06, 0.06, 0.02])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_is_at_least_raw_at_most_one_and_order_preserving(p):
    adj = se._holm(np.array(p))
    assert np.all(adj >= np.array(p) - 1e-12) and np.all(adj <= 1)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-12)


def test_complaint_volume_trend_hand_computed(sample):
    # 1,000 customers at risk every month; 10 complaints a month before, 20 a month after
    d = with_tables(
        sample,
        customers=customers(),
        complaints=complaints(
            {
                "2026-05": 10,
                "2026-06": 10,
                "2026-07": 10,
                "2026-08": 20,
                "2026-09": 20,
                "2026-10": 20,
            }
        ),
    )
    row = se._complaint_trend(d, *se._windows(d.month, 3))
    assert row["recent"] == pytest.approx(20.0) and row["before"] == pytest.approx(10.0)
    z = np.log(2) / np.sqrt(1 / 60 + 1 / 30)  # log rate ratio / its Poisson SE = 3.100
    assert row["z"] == pytest.approx(z)
    assert row["p_value"] == pytest.approx(2 * sst.norm.sf(z))
    assert (row["recent_period"], row["before_period"]) == ("2026-08…2026-10", "2026-05…2026-07")


def test_churn_trend_hand_computed(sample):
    # at risk: May 1000, Jun 990, Jul 990 (10 left in May); Aug 990, Sep 960, Oct 960
    d = with_tables(sample, customers=customers(churn=[("2026-05-10", 10), ("2026-08-10", 30)]))
    row = se._churn_trend(d, *se._windows(d.month, 3))
    nb, nr = 1000 + 990 + 990, 990 + 960 + 960
    assert (row["n_before"], row["n_recent"]) == (nb, nr)
    assert row["recent"] == pytest.approx(100 * 30 / nr)
    p = 40 / (nb + nr)
    z = (30 / nr - 10 / nb) / np.sqrt(p * (1 - p) * (1 / nb + 1 / nr))
    assert row["z"] == pytest.approx(z)


def test_meaningful_rising_complaints_become_a_threat(sample):
    d = with_tables(
        sample,
        customers=customers(),
        complaints=complaints(
            {"2026-05": 5, "2026-06": 5, "2026-07": 5, "2026-08": 40, "2026-09": 40, "2026-10": 40}
        ),
    )
    f, trends, notes = se.trend_factors(d)
    row = trends.set_index("series").loc["Complaints (per 1,000 customers per month)"]
    assert row["meaningful"] and row["kind"] == "T"
    assert row["p_holm"] >= row["p_value"]
    hit = f[f["factor"] == "Complaint volume is rising"]
    assert hit["kind"].tolist() == ["T"] and "40.0 in 2026-08…2026-10" in hit["evidence"].iloc[0]
    # a flat series suggests nothing
    flat = with_tables(
        d,
        complaints=complaints(
            {m: 10 for m in ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]}
        ),
    )
    _, t2, _ = se.trend_factors(flat)
    assert t2.set_index("series").loc["Complaints (per 1,000 customers per month)", "kind"] == ""


def test_a_failing_analysis_degrades_to_a_note(sample, monkeypatch):
    import cxreport.nps

    def boom(*a, **k):
        raise RuntimeError("nps module half-finished")

    monkeypatch.setattr(cxreport.nps, "nps_by_month", boom)
    f, trends, notes = se.trend_factors(sample)
    assert "No NPS trend: RuntimeError: nps module half-finished" in notes
    assert "NPS" not in set(trends["series"])
    assert {"CSI", "SQI (weighted failures per 1,000 contacts)"} <= set(trends["series"])


def _labels(data):
    """Segment labels at any month's end, as the report's run.segments gives them."""
    from cxreport.segments import label_customers

    return lambda month: label_customers(dataclasses.replace(data, month=month), seed=42)


def test_missing_tables_are_noted_not_fatal(sample):
    d = with_tables(sample, complaints=None, survey=None, transactions=None)
    res = se.suggest_factors(d, segment_labels=_labels(d))
    joined = " | ".join(res.notes)
    assert "No complaint volume trend: the data folder has no complaints table." in joined
    assert "No survey-based factors: the data folder has no survey table." in joined
    assert "No segment trend: the data folder has no transactions table." in joined
    assert "No self-assessment factors" in joined
    assert not (res.factors["source"] == "survey").any()


def test_too_little_history_is_noted(sample):
    early = dataclasses.replace(sample, month=pd.Period("2025-07", "M"))
    _, trends, notes = se.trend_factors(early, window=3)
    assert any(
        "No NPS trend: 2025-02…2025-04 and 2025-05…2025-07 are not both covered" in n for n in notes
    )


def test_survey_ipa_rule_against_targets(sample):
    # a target of 0 everywhere: every *important* dimension is a strength, no other one
    dims = list(sample.config.survey.dimensions)
    low = pd.DataFrame({"dimension": dims, "target": 0.0, "label": "floor"})
    f, cmp, _ = se.survey_factors(with_tables(sample, targets=low), n_boot=200)
    assert (cmp["verdict"] == "above").all()
    assert cmp["importance"].sum() == pytest.approx(1.0)
    important = set(cmp.loc[cmp["importance"] >= 1 / len(dims), "dimension"])
    assert 0 < len(important) < len(dims)
    assert set(cmp.loc[cmp["kind"] == "S", "dimension"]) == important
    assert f["kind"].eq("S").all() and len(f) == len(important)
    high = low.assign(target=100.0, label="ceiling")
    f2, cmp2, _ = se.survey_factors(with_tables(sample, targets=high), n_boot=200)
    assert set(cmp2.loc[cmp2["kind"] == "W", "dimension"]) == important
    assert "ceiling" in f2["factor"].iloc[0] and "95 % CI" in f2["evidence"].iloc[0]


def test_survey_without_targets_uses_the_dimension_average(sample):
    f, cmp, notes = se.survey_factors(with_tables(sample, targets=None), n_boot=200)
    assert any("No targets table" in n for n in notes)
    assert cmp["target"].nunique() == 1
    assert cmp["target"].iloc[0] == pytest.approx(cmp["score"].mean())


def test_self_assessment_planted_strong_and_weak_categories(sample):
    sa, _ = orientation.select_round(sample.self_assessment, until=sample.month_end)
    f, gaps = se.self_assessment_factors(orientation.score_self_assessment(sa))
    strengths = " ".join(f.loc[f["kind"] == "S", "factor"])
    weaknesses = " ".join(f.loc[f["kind"] == "W", "factor"])
    assert "Approaching customers" in strengths  # planted strong category
    assert "Competence and empowerment" in weaknesses  # planted weak category
    assert (f["source"] == "self-assessment").all() and (f["p_value"] < 0.05).all()


def test_segment_trends_follow_the_value_rule(sample):
    _, trends, notes = se.trend_factors(sample, window=3, segment_labels=_labels(sample))
    seg = trends[trends["series"].str.startswith("Segment share")]
    assert len(seg) >= 3
    for _, r in seg[seg["meaningful"]].iterrows():
        good = r["change"] > 0 if r["higher_is_better"] else r["change"] < 0
        expected = "O" if good else "T"
        if not r["higher_is_better"] and r["change"] < 0:
            expected = ""  # the lowest-spending segment shrinking is not listed
        assert r["kind"] == expected
    assert (~seg["higher_is_better"]).sum() == 1  # exactly one lowest-spending segment


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": 0}, r"'window' parameter must be an int in \[1, 12\]; got 0"),
        ({"alpha": 1.5}, r"'alpha' parameter must be a number in \(0, 1\); got 1.5"),
        ({"survey_months": 30}, r"'survey_months' parameter must be an int in \[1, 24\]"),
    ],
)
def test_bad_parameters(sample, kwargs, match):
    with pytest.raises(se.EvidenceInputError, match=match):
        se.suggest_factors(sample, **kwargs)
