"""IFE/EFE scoring, IE matrix and TOWS: published and hand-computed known answers."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import swot
from cxreport.errors import ParameterError

# David, Strategic Management (13th ed.), Table 4-10: IFE matrix of a retail computer store.
DAVID_IFE = [
    ("S", "Inventory turnover increased from 5.8 to 6.7", 0.05, 3),
    ("S", "Average customer purchase increased from $97 to $128", 0.07, 4),
    ("S", "Employee morale is excellent", 0.10, 3),
    ("S", "In-store promotions resulted in 20 percent increase in sales", 0.05, 3),
    ("S", "Newspaper advertising expenditures increased 10 percent", 0.02, 3),
    ("S", "Revenues from repair/service segment of store up 16 percent", 0.15, 3),
    ("S", "In-store technical support personnel have MIS college degrees", 0.05, 4),
    ("S", "Store's debt-to-total assets ratio declined to 34 percent", 0.03, 3),
    ("S", "Revenues per employee up 19 percent", 0.02, 3),
    ("W", "Revenues from software segment of store down 12 percent", 0.10, 2),
    ("W", "Location of store negatively impacted by new Highway 34", 0.15, 2),
    ("W", "Carpet and paint in store somewhat in disrepair", 0.02, 1),
    ("W", "Bathroom in store needs refurbishing", 0.02, 1),
    ("W", "Revenues from businesses down 8 percent", 0.04, 1),
    ("W", "Store has no Web site", 0.05, 2),
    ("W", "Supplier on-time delivery increased to 2.4 days", 0.03, 1),
    ("W", "Often customers have to wait to check out", 0.05, 1),
]
# Hand-computed EFE: 0.30*4 + 0.20*2 + 0.10*3 + 0.25*1 + 0.15*2 = 1.2+0.4+0.3+0.25+0.3 = 2.45
HAND_EFE = [
    ("O", "o1", 0.30, 4),
    ("O", "o2", 0.20, 2),
    ("O", "o3", 0.10, 3),
    ("T", "t1", 0.25, 1),
    ("T", "t2", 0.15, 2),
]


def frame(rows):
    return pd.DataFrame(rows, columns=["kind", "factor", "weight", "rating"])


def test_david_ife_table_4_10_total_is_2_50_and_efe_hand_computed_2_45():
    s = swot.score_factors(frame(DAVID_IFE + HAND_EFE))
    assert s.ife_total == pytest.approx(2.50, abs=1e-12)
    assert s.efe_total == pytest.approx(2.45, abs=1e-12)
    assert s.notes == []  # weights sum to 1 in both matrices, ratings fit their kinds
    ife = s.matrix("IFE")
    assert ife["weighted_score"].iloc[5] == pytest.approx(0.45)  # repair/service 0.15 x 3
    assert ife.iloc[-1]["weight"] == pytest.approx(1.0)
    assert s.totals()["reading"].tolist() == ["average", "responds poorly to the environment"]


def test_weights_not_summing_to_one_are_normalised_with_a_note():
    rows = [("S", "a", 2, 4), ("W", "b", 2, 1), ("O", "c", 0.5, 3), ("T", "d", 0.5, 2)]
    s = swot.score_factors(frame(rows))
    assert s.ife_total == pytest.approx(2.5)  # (2*4 + 2*1)/4
    assert s.efe_total == pytest.approx(2.5)
    assert any("IFE weights sum to 4" in n for n in s.notes)
    assert not any("EFE weights" in n for n in s.notes)
    assert s.table["input_weight"].tolist() == [2, 2, 0.5, 0.5]


def test_sample_ie_cell_v_hold_and_maintain(sample_dir):
    from cxreport import load

    s = swot.score_factors(load(sample_dir, "2026-10").swot_factors)
    assert s.ife_total == pytest.approx(2.57)  # 0.8+0.6+0.36+0.24+0.18+0.15+0.24
    assert s.efe_total == pytest.approx(3.05 / 1.2)  # EFE weights sum to 1.2
    pos = swot.ie_position(s.ife_total, s.efe_total)
    assert (pos.cell, pos.posture) == ("V", "hold and maintain")


@pytest.mark.parametrize(
    ("ife", "efe", "cell", "posture"),
    [
        (3.5, 3.5, "I", "grow and build"),
        (2.5, 3.0, "II", "grow and build"),
        (1.5, 3.9, "III", "hold and maintain"),
        (3.0, 2.0, "IV", "grow and build"),
        (2.0, 2.99, "V", "hold and maintain"),
        (1.99, 2.5, "VI", "harvest or divest"),
        (4.0, 1.0, "VII", "hold and maintain"),
        (2.2, 1.5, "VIII", "harvest or divest"),
        (1.0, 1.0, "IX", "harvest or divest"),
    ],
)
def test_ie_cells_and_band_edges(ife, efe, cell, posture):
    pos = swot.ie_position(ife, efe)
    assert (pos.cell, pos.posture) == (cell, posture)


def test_ie_rejects_totals_outside_1_4():
    with pytest.raises(
        swot.SwotInputError, match=r"'ife_total' parameter must be a number in \[1, 4\]"
    ):
        swot.ie_position(0.5, 2.0)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([("X", "a", 0.5, 3)], r"unknown kind at row 0 \(file line 2\) \(got 'X'\)"),
        ([("S", "a", "heavy", 3)], r"weight is not a number at row 0 \(file line 2\)"),
        ([("S", "a", -0.1, 3)], r"negative weight at row 0"),
        ([("S", "a", 0.5, 5)], r"rating must be a whole number 1–4 at row 0"),
        ([("S", "a", 0.5, 2.5)], r"rating must be a whole number 1–4"),
        ([("S", "", 0.5, 3)], r"empty factor text"),
    ],
)
def test_bad_rows_are_named(rows, match):
    with pytest.raises(swot.SwotInputError, match=match):
        swot.score_factors(frame(rows + [("O", "o", 1, 3)]))


def test_all_zero_weights_and_empty_matrix_are_errors():
    with pytest.raises(swot.SwotInputError, match="All IFE weights are zero"):
        swot.score_factors(frame([("S", "a", 0, 4), ("W", "b", 0, 1), ("O", "c", 1, 3)]))
    with pytest.raises(swot.SwotInputError, match="The EFE matrix has no factors"):
        swot.score_factors(frame([("S", "a", 1, 4)]))
    with pytest.raises(swot.SwotInputError, match="needs the column"):
        swot.score_factors(pd.DataFrame({"kind": ["S"]}))


def test_strength_rated_low_and_weakness_rated_high_are_warned_not_rejected():
    s = swot.score_factors(frame([("S", "a", 0.5, 2), ("W", "b", 0.5, 3), ("O", "c", 1, 3)]))
    assert any("strength is rated 1–2 at row 0 (file line 2)" in n for n in s.notes)
    assert any("weakness is rated 3–4 at row 1 (file line 3)" in n for n in s.notes)


def test_lowercase_kinds_and_text_numbers_are_accepted():
    s = swot.score_factors(
        frame([("s", "a", "0.6", "4"), ("w ", "b", "0.4", "1"), ("o", "c", "1", "3")])
    )
    assert s.ife_total == pytest.approx(2.8)


def test_external_weights_replace_table_weights():
    f = frame([("S", "a", 0.9, 4), ("W", "b", 0.1, 1), ("O", "c", 0.5, 3), ("T", "d", 0.5, 1)])
    s = swot.score_factors(f, weights=pd.Series([0.1, 0.1, 0.3, 0.1]), weights_from="ahp")
    assert s.ife_total == pytest.approx(2.5)
    assert s.efe_total == pytest.approx(0.75 * 3 + 0.25 * 1)
    assert s.weights_from == "ahp"


def test_tows_pairs_top_factors_by_weight():
    s = swot.score_factors(frame(DAVID_IFE + HAND_EFE))
    t = swot.tows_matrix(s, top_n=2)
    assert t.top.loc[t.top["kind"] == "S", "factor"].tolist() == [
        "Revenues from repair/service segment of store up 16 percent",
        "Employee morale is excellent",
    ]
    assert t.top.loc[t.top["kind"] == "T", "code"].tolist() == ["T1", "T2"]
    assert t.pairs["cell"].value_counts().to_dict() == {"SO": 4, "WO": 4, "ST": 4, "WT": 4}
    first = t.pairs.iloc[0]
    assert (first["cell"], first["internal"], first["external"]) == ("SO", "S1", "O1")
    assert first["priority"] == pytest.approx(0.15 * 0.30)
    assert "SO strategies" in t.layout().iloc[1, 0]
    with pytest.raises(swot.SwotInputError, match="'top_n' parameter must be an int in"):
        swot.tows_matrix(s, top_n=0)


kinds = st.sampled_from(list("SWOT"))
row = st.tuples(
    kinds, st.text(min_size=1, max_size=5).filter(str.strip), st.floats(0.01, 5), st.integers(1, 4)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=2, max_size=20))
def test_totals_lie_between_1_and_4(rows):
    f = frame(rows)
    if not (f["kind"].isin(["S", "W"]).any() and f["kind"].isin(["O", "T"]).any()):
        return
    s = swot.score_factors(f)
    for total in (s.ife_total, s.efe_total):
        assert 1 - 1e-9 <= total <= 4 + 1e-9
    # scaling every weight of a matrix leaves the totals unchanged
    s2 = swot.score_factors(f.assign(weight=f["weight"] * 3))
    assert s2.ife_total == pytest.approx(s.ife_total)
    assert s2.efe_total == pytest.approx(s.efe_total)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights_from": "delphi"}, r"'weights_from' parameter must be one of 'table', 'ahp'"),
        ({"random_index": "alonso"}, r"'random_index' parameter must be one of 'saaty1980'"),
        ({"top_n": 0}, r"'top_n' parameter must be an int in the range \[1, 10\]; got 0"),
        ({"score_method": "mean"}, r"'score_method' parameter must be one of 'pct_max', 'pomp'"),
        ({"n_weakest": True}, r"'n_weakest' parameter must be an int"),
        ({"trend_window": 13}, r"'trend_window' parameter must be an int in the range \[1, 12\]"),
        ({"alpha": 0}, r"'alpha' parameter must be a number in \(0, 1\); got 0"),
        ({"segment_trends": "yes"}, r"'segment_trends' parameter must be True or False"),
    ],
)
def test_notebook_settings_are_checked(kwargs, match):
    swot.check_settings()  # the defaults pass
    with pytest.raises(ParameterError, match=match):
        swot.check_settings(**kwargs)


def test_matrix_shows_whole_number_ratings_and_a_total_row():
    m = swot.score_factors(frame(DAVID_IFE + HAND_EFE)).matrix("EFE")
    assert m["rating"].iloc[:-1].tolist() == [4, 2, 3, 1, 2]
    assert all(isinstance(r, int) for r in m["rating"].iloc[:-1])
    assert m.iloc[-1]["kind"] == "Total" and m.iloc[-1]["rating"] == ""
