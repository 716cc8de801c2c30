"""Customer-orientation self-assessment: item bank, scoring, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import orientation as o


def answers(rows):
    return pd.DataFrame(rows, columns=["respondent_id", "department", "item", "score"])


def test_item_bank_has_40_items_in_7_categories_in_both_languages():
    en, zh = o.load_item_bank(lang="en"), o.load_item_bank(lang="zh")
    assert len(en) == 40 and en["item"].tolist() == [f"CO{i:02d}" for i in range(1, 41)]
    assert en.groupby("category", sort=False).size().tolist() == [7, 5, 4, 7, 4, 7, 6]
    assert zh.loc[0, "category_label"] == "公司理念与氛围"
    with pytest.raises(o.SelfAssessmentError, match="'lang' parameter must be one of en, zh"):
        o.load_item_bank(lang="fr")


def test_hand_computed_percent_of_max_and_pomp():
    # Two respondents in two departments; "approaching" = CO24..CO27.
    rows = [
        ("r1", "A", "CO24", 5),
        ("r1", "A", "CO25", 4),
        ("r1", "A", "CO26", 3),
        ("r1", "A", "CO27", 4),  # mean 4.0
        ("r2", "B", "CO24", 2),
        ("r2", "B", "CO25", 2),
        ("r2", "B", "CO26", 1),
        ("r2", "B", "CO27", 3),
    ]  # mean 2.0
    res = o.score_self_assessment(answers(rows))
    bc = res.by_category.set_index(["unit", "category"])
    assert bc.loc[("A", "approaching"), "score"] == pytest.approx(80.0)  # 16 / 20
    assert bc.loc[("B", "approaching"), "score"] == pytest.approx(40.0)  # 8 / 20
    assert bc.loc[("Company", "approaching"), "score"] == pytest.approx(60.0)
    # t-interval with n = 2: 3 ± 12.706 * sd(4, 2)/sqrt(2) = 3 ± 12.706 → in % / 5 * 100
    assert bc.loc[("Company", "approaching"), "ci_high"] == pytest.approx(
        (3 + 12.7062047 * np.sqrt(2) / np.sqrt(2)) * 20, rel=1e-6
    )
    assert res.company_score == pytest.approx(60.0)
    pomp = o.score_self_assessment(answers(rows), method="pomp")
    bp = pomp.by_category.set_index(["unit", "category"])
    assert bp.loc[("A", "approaching"), "score"] == pytest.approx(75.0)  # (4-1)/4
    assert bp.loc[("B", "approaching"), "score"] == pytest.approx(25.0)
    assert "POMP" in pomp.method_label and "% of maximum" in res.method_label
    assert res.weakest_items(1)["item"].tolist() == ["CO26"]  # mean (3 + 1)/2 = 2
    assert any("not answered by anyone" in n for n in res.notes)


def test_sample_planted_strong_and_weak_categories(sample_dir):
    from cxreport import load

    res = o.score_self_assessment(load(sample_dir, "2026-10").self_assessment)
    comp = res.wide()["Company"]
    assert comp.idxmax() == "Approaching customers"  # planted strongest
    assert comp.idxmin() == "Competence and empowerment"  # planted weakest
    assert set(res.weakest_items(5)["category"]) == {"empowerment"}
    gaps = o.category_gaps(res).set_index("category")["signal"]
    assert gaps["approaching"] == "above" and gaps["empowerment"] == "below"
    assert res.departments == ["Sales", "Customer Service", "Logistics", "Finance", "IT"]


def test_item_not_in_bank_is_an_error_naming_rows():
    rows = [("r1", "A", "CO01", 3), ("r1", "A", "CO99", 3), ("r1", "A", "X", 2)]
    with pytest.raises(
        o.SelfAssessmentError,
        match=r"not in the item bank .* row 1 \(file line 3\), row 2 \(file "
        r"line 4\) \(got 'CO99', 'X'\)",
    ):
        o.score_self_assessment(answers(rows))


def test_bad_scores_and_missing_columns():
    with pytest.raises(o.SelfAssessmentError, match=r"whole number 1–5 at row 1 \(file line 3\)"):
        o.score_self_assessment(answers([("r1", "A", "CO01", 3), ("r1", "A", "CO02", 7)]))
    with pytest.raises(o.SelfAssessmentError, match="needs the column.*score"):
        o.score_self_assessment(answers([("r1", "A", "CO01", 3)]).drop(columns="score"))
    with pytest.raises(o.SelfAssessmentError, match="'method' parameter must be one of"):
        o.score_self_assessment(answers([("r1", "A", "CO01", 3)]), method="mean")


def test_department_without_answers_gets_a_clear_note():
    rows = [
        ("r1", "A", "CO01", 3),
        ("r2", "Finance", "CO01", None),
        ("r2", "Finance", "CO02", None),
    ]
    res = o.score_self_assessment(answers(rows))
    assert res.departments == ["A"]
    assert any(
        "Department 'Finance' has no answers: all 2 of its row(s) have an empty score" in n
        for n in res.notes
    )
    with pytest.raises(o.SelfAssessmentError, match="no scored answer"):
        o.score_self_assessment(answers([("r2", "F", "CO01", None)]))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=40, max_size=40), st.sampled_from(["pct_max", "pomp"]))
def test_scores_within_scale_and_methods_related(scores, method):
    rows = [("r1", "A", f"CO{i + 1:02d}", s) for i, s in enumerate(scores)]
    res = o.score_self_assessment(answers(rows), method=method)
    lo = 20 if method == "pct_max" else 0
    assert res.by_category["score"].between(lo - 1e-9, 100 + 1e-9).all()
    pct = o.score_self_assessment(answers(rows)).by_category["score"].to_numpy()
    pomp = o.score_self_assessment(answers(rows), method="pomp").by_category["score"].to_numpy()
    np.testing.assert_allclose(pomp, (pct - 20) * 1.25)  # POMP = (pct − 20) / 80 × 100
