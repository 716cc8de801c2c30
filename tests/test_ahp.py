"""AHP priorities and consistency: published and hand-computed known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import ahp

SWOT = list("SWOT")
# The A'WOT example of cx-methods §5.4 (ahpy 2.1 run): reconstructed matrix, S W O T order.
AWOT_ROWS = [
    ("S", "W", 3),
    ("S", "O", 1 / 2),
    ("S", "T", 2),
    ("W", "O", 1 / 4),
    ("W", "T", 1 / 2),
    ("O", "T", 3),
]


def _cmp(rows):
    return pd.DataFrame(rows, columns=["a", "b", "value"])


@pytest.mark.parametrize(
    ("table", "cr"), [("saaty1980", 0.0115), ("saaty2005", 0.0116), ("donegan_dodd", 0.0125)]
)
def test_awot_example_matches_reference_weights_lambda_and_cr(table, cr):
    res = ahp.priorities(ahp.pairwise_matrix(_cmp(AWOT_ROWS), labels=SWOT), random_index=table)
    assert res.weights.round(4).to_dict() == {"S": 0.2772, "W": 0.0954, "O": 0.4673, "T": 0.1601}
    assert res.lambda_max == pytest.approx(4.031, abs=5e-4)
    assert res.cr == pytest.approx(cr, abs=5e-5)
    assert res.consistent


def test_saaty_drinks_example_published_weights_and_cr():
    # Saaty (2008), relative drink consumption; AHPy README: weights (3 dp) and CR 0.022 with
    # Saaty's 2005 random index.
    names = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
    upper = {
        ("coffee", "wine"): 9,
        ("coffee", "tea"): 5,
        ("coffee", "beer"): 2,
        ("coffee", "soda"): 1,
        ("coffee", "milk"): 1,
        ("coffee", "water"): 1 / 2,
        ("wine", "tea"): 1 / 3,
        ("wine", "beer"): 1 / 9,
        ("wine", "soda"): 1 / 9,
        ("wine", "milk"): 1 / 9,
        ("wine", "water"): 1 / 9,
        ("tea", "beer"): 1 / 3,
        ("tea", "soda"): 1 / 4,
        ("tea", "milk"): 1 / 3,
        ("tea", "water"): 1 / 9,
        ("beer", "soda"): 1 / 2,
        ("beer", "milk"): 1,
        ("beer", "water"): 1 / 3,
        ("soda", "milk"): 2,
        ("soda", "water"): 1 / 2,
        ("milk", "water"): 1 / 3,
    }
    m = ahp.pairwise_matrix(_cmp([(a, b, v) for (a, b), v in upper.items()]), labels=names)
    res = ahp.priorities(m, random_index="saaty2005")
    assert res.weights.round(3).to_dict() == {
        "coffee": 0.177,
        "wine": 0.019,
        "tea": 0.042,
        "beer": 0.116,
        "soda": 0.190,
        "milk": 0.129,
        "water": 0.327,
    }
    assert round(res.cr, 3) == 0.022


def test_ahpy_readme_complete_example_with_donegan_dodd():
    rows = [
        ("a", "b", 1),
        ("a", "c", 5),
        ("a", "d", 2),
        ("b", "c", 3),
        ("b", "d", 4),
        ("c", "d", 3 / 4),
    ]
    res = ahp.priorities(ahp.pairwise_matrix(_cmp(rows)), random_index="donegan_dodd")
    assert res.weights.round(4).to_dict() == {"a": 0.3742, "b": 0.3917, "c": 0.0991, "d": 0.1349}
    assert round(res.cr, 4) == 0.0372


def test_hand_computed_consistent_3x3():
    # w = (4, 2, 1)/7 gives a perfectly consistent matrix: a/b = 2, a/c = 4, b/c = 2.
    res = ahp.priorities(ahp.pairwise_matrix(_cmp([("a", "b", 2), ("a", "c", 4), ("b", "c", 2)])))
    np.testing.assert_allclose(res.weights.to_numpy(), [4 / 7, 2 / 7, 1 / 7], atol=1e-12)
    assert res.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert res.cr == pytest.approx(0.0, abs=1e-12)


def test_hand_computed_inconsistent_3x3_is_flagged():
    # a > b (3), b > c (3) but c > a (3): a cycle. Circulant matrix: weights equal,
    # λmax = 1 + 3 + 1/3 = 4.3333, CI = 0.6667, CR = 0.6667 / 0.58 = 1.1494.
    res = ahp.priorities(ahp.pairwise_matrix(_cmp([("a", "b", 3), ("b", "c", 3), ("c", "a", 3)])))
    np.testing.assert_allclose(res.weights.to_numpy(), [1 / 3] * 3, atol=1e-12)
    assert res.lambda_max == pytest.approx(13 / 3)
    assert res.cr == pytest.approx((13 / 3 - 3) / 2 / 0.58)
    assert not res.consistent


def test_swot_ahp_sample_flags_nothing_and_global_weights_sum_to_one(sample_dir):
    from cxreport import load

    ds = load(sample_dir, "2026-10")
    out = ahp.swot_ahp(ds.swot_pairwise, ds.swot_factors)
    assert out.usable
    assert out.factors["global_weight"].sum() == pytest.approx(1.0)
    assert set(out.within) == {"S"}
    # group priority x local priority
    s = out.factors[out.factors["kind"] == "S"]
    np.testing.assert_allclose(
        s["global_weight"], out.groups.weights["S"] * out.within["S"].weights.to_numpy()
    )
    assert any("Group W has no within-group comparisons" in n for n in out.notes)


def test_swot_ahp_inconsistent_set_is_not_usable():
    factors = pd.DataFrame(
        {
            "kind": list("SWOT"),
            "factor": ["s", "w", "o", "t"],
            "weight": [1, 1, 1, 1],
            "rating": [4, 1, 3, 2],
        }
    )
    pw = pd.DataFrame(
        {
            "group": "SWOT",
            "a": ["S", "W", "O", "S", "W", "O"],
            "b": ["W", "O", "S", "T", "T", "T"],
            "value": [9, 9, 9, 1, 1, 1],
        }
    )
    out = ahp.swot_ahp(pw, factors)
    assert not out.usable
    assert any("inconsistent" in n and "CR =" in n for n in out.notes)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([("a", "b", 2), ("a", "c", 12), ("b", "c", 1)], r"Saaty's scale .* row 1 \(file line 3\)"),
        ([("a", "b", 2), ("a", "c", "x"), ("b", "c", 1)], r"must be numbers.*row 1"),
        ([("a", "b", 2), ("b", "c", 1)], r"incomplete: 1 of 3 pairs are missing \(a vs c\)"),
        ([("a", "b", 2), ("b", "a", 3), ("a", "c", 1), ("b", "c", 1)], r"compared twice"),
        ([("a", "a", 2)], r"compared with itself"),
    ],
)
def test_pairwise_bad_input_messages(rows, match):
    with pytest.raises(ahp.AHPInputError, match=match):
        ahp.pairwise_matrix(_cmp(rows))


def test_same_judgement_written_both_ways_is_accepted():
    m = ahp.pairwise_matrix(_cmp([("a", "b", 2), ("b", "a", 0.5), ("a", "c", 1), ("b", "c", 1)]))
    assert m.loc["b", "a"] == 0.5


def test_unknown_random_index_and_too_large_matrix():
    with pytest.raises(ahp.AHPInputError, match="'random_index' parameter must be one of"):
        ahp.priorities(np.ones((3, 3)), random_index="foo")
    with pytest.raises(ahp.AHPInputError, match="covers n = 1 … 10"):
        ahp.priorities(np.ones((11, 11)))
    assert ahp.priorities(np.ones((11, 11)), random_index="donegan_dodd").cr == pytest.approx(0)


def test_unknown_factor_name_in_group_comparisons():
    factors = pd.DataFrame(
        {
            "kind": ["S", "S", "W", "O", "T"],
            "factor": ["fast", "cheap", "w", "o", "t"],
            "weight": 1,
            "rating": [4, 3, 1, 3, 2],
        }
    )
    pw = pd.DataFrame(
        {
            "group": ["SWOT"] * 6 + ["S"],
            "a": [*"SSSWWO", "fastt"],
            "b": [*"WOTOTT", "cheap"],
            "value": [1] * 7,
        }
    )
    with pytest.raises(ahp.AHPInputError, match=r"not in the list .*row 6 \(file line 8\)"):
        ahp.swot_ahp(pw, factors)


saaty = st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 7).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(saaty, min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2)
        )
    )
)
def test_properties_weights_simplex_lambda_at_least_n(arg):
    n, vals = arg
    a = np.ones((n, n))
    iu = np.triu_indices(n, 1)
    a[iu] = vals
    a[(iu[1], iu[0])] = 1 / np.asarray(vals)
    res = ahp.priorities(a)
    assert res.weights.sum() == pytest.approx(1.0)
    assert (res.weights > 0).all()
    assert res.lambda_max >= n - 1e-9  # Perron: λmax ≥ n, equality iff consistent
    assert res.cr >= -1e-12
    # permuting the elements permutes the weights
    p = np.random.default_rng(0).permutation(n)
    res_p = ahp.priorities(a[np.ix_(p, p)])
    np.testing.assert_allclose(res_p.weights.to_numpy(), res.weights.to_numpy()[p], atol=1e-9)
