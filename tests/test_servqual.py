"""SERVQUAL gaps: paired intervals against scipy, dimension gaps, α, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxreport import servqual
from cxreport.data.config import Item, SurveyModel
from cxreport.pls import cronbach_alpha

MODEL = SurveyModel(
    items=(
        Item("R1", "reliability", "On time", (1, 7)),
        Item("R2", "reliability", "Right first time", (1, 7)),
        Item("E1", "empathy", "Cares", (1, 7)),
        Item("E2", "empathy", "Listens", (1, 7)),
    ),
    dimensions=("reliability", "empathy"),
)


@pytest.fixture()
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 80
    base = rng.integers(3, 6, size=n)
    out = {}
    for code, shift in (("R1", -1), ("R2", -1), ("E1", 0), ("E2", 1)):
        out[code] = np.clip(base + rng.integers(-1, 2, size=n), 1, 7)
        out[code + "_exp"] = np.clip(out[code] - shift + rng.integers(-1, 2, size=n), 1, 7)
    df = pd.DataFrame(out).astype(float)
    df.loc[3, "R1_exp"] = np.nan  # one respondent skipped an expectation
    return df


def test_item_gaps_match_scipy_paired_t(survey):
    res = servqual.servqual_gaps(survey, MODEL, confidence=0.9)
    for r in res.items.itertuples():
        both = survey[[r.item, r.item + "_exp"]].dropna()
        t = stats.ttest_rel(both[r.item], both[r.item + "_exp"])
        lo, hi = t.confidence_interval(0.9)
        assert r.n == len(both)
        assert r.gap == pytest.approx((both[r.item] - both[r.item + "_exp"]).mean())
        assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
        assert r.t == pytest.approx(t.statistic)
        assert r.p == pytest.approx(t.pvalue)
        assert r.gap_100 == pytest.approx(r.gap / 6 * 100)


def test_dimension_gap_is_paired_over_the_respondents_item_mean(survey):
    res = servqual.servqual_gaps(survey, MODEL)
    emp = res.dimensions.set_index("dimension").loc["empathy"]
    d = ((survey["E1"] - survey["E1_exp"]) + (survey["E2"] - survey["E2_exp"])) / 2
    lo, hi = stats.ttest_rel(d, np.zeros(len(d))).confidence_interval(0.95)
    assert emp["gap"] == pytest.approx(d.mean())
    assert (emp["ci_low"], emp["ci_high"]) == pytest.approx((lo, hi))
    assert emp["alpha"] == pytest.approx(cronbach_alpha(survey[["E1", "E2"]]))
    assert res.unweighted == pytest.approx(res.dimensions["gap"].mean())


def test_weighted_gap_and_largest_negative(survey):
    w = pd.Series({"reliability": 3.0, "empathy": 1.0})
    res = servqual.servqual_gaps(survey, MODEL, dimension_weights=w)
    g = res.dimensions.set_index("dimension")["gap"]
    assert res.weighted == pytest.approx(0.75 * g["reliability"] + 0.25 * g["empathy"])
    worst = res.largest_negative(2)
    assert (worst["gap"] < 0).all()
    assert list(worst["gap_100"]) == sorted(worst["gap_100"])
    assert set(worst["item"]) == {"R1", "R2"}  # planted: perception 1 point below expectation
    assert res.largest_negative(5, level="dimensions").iloc[0]["dimension"] == "reliability"
    with pytest.raises(ValueError, match="'level' parameter must be 'items' or 'dimensions'"):
        res.largest_negative(level="item")


def test_expectation_perception_on_0_100(survey):
    res = servqual.servqual_gaps(survey, MODEL)
    ep = servqual.expectation_perception(res, MODEL).set_index("dimension")
    row = res.dimensions.set_index("dimension").loc["reliability"]
    assert ep.loc["reliability", "perception"] == pytest.approx((row["perception"] - 1) / 6 * 100)
    assert ep.loc["reliability", "gap_100"] == pytest.approx(row["gap"] / 6 * 100)


def test_no_expectations_is_a_clear_error(survey):
    with pytest.raises(ValueError, match=r"need expectation columns \(<item>_exp\)"):
        servqual.servqual_gaps(survey[["R1", "R2", "E1", "E2"]], MODEL)
    part = servqual.servqual_gaps(survey.drop(columns=["E2_exp"]), MODEL)
    assert "E2" in " ".join(part.notes)
    assert "E2" not in set(part.items["item"])
    with pytest.raises(ValueError, match="'confidence' parameter must be a float in"):
        servqual.servqual_gaps(survey, MODEL, confidence=95)


def test_no_variance_and_tiny_samples_are_explained(survey):
    flat = survey.assign(E1=4.0, E2=4.0)
    res = servqual.servqual_gaps(flat, MODEL)
    assert "'empathy' cannot be computed (no variance" in " ".join(res.notes)
    one = servqual.servqual_gaps(survey.head(1), MODEL)
    assert one.items["ci_low"].isna().all()
    assert (one.items["n"] == 1).all()
    same = pd.DataFrame({c: [5.0, 5.0, 5.0] for c in survey.columns})
    t = servqual.servqual_gaps(same, MODEL).items
    assert (t["gap"] == 0).all() and (t["p"] == 1).all()


def test_unreliable_dimension_is_flagged():
    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame(
        {c: rng.integers(1, 8, size=n).astype(float) for c in ("R1", "R2", "E1", "E2")}
    )
    for c in ("R1", "R2", "E1", "E2"):
        df[c + "_exp"] = rng.integers(1, 8, size=n).astype(float)
    res = servqual.servqual_gaps(df, MODEL)  # independent items: α near 0
    assert "(< 0.70)" in " ".join(res.notes)
