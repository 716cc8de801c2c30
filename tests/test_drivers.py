"""Key-driver analysis: Johnson relative weights and exact LMG (Shapley) decompositions."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import drivers


def _ols_r2(X: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept, by least squares on the raw data (independent of the
    correlation-matrix route the module takes)."""
    if X.shape[1] == 0:
        return 0.0
    A = np.column_stack([np.ones(len(y)), X])
    resid = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    return 1 - resid @ resid / np.sum((y - y.mean()) ** 2)


def _lmg_by_orderings(X: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """LMG by brute force: each driver's R² gain averaged over all p! entry orders."""
    p = X.shape[1]
    total = np.zeros(p)
    orders = list(permutations(range(p)))
    for order in orders:
        used: list[int] = []
        for j in order:
            before = _ols_r2(X.iloc[:, used].to_numpy(float), y)
            used.append(j)
            total[j] += _ols_r2(X.iloc[:, used].to_numpy(float), y) - before
    return total / len(orders)


@pytest.fixture()
def small() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    x1 = rng.normal(size=60)
    x2 = 0.6 * x1 + rng.normal(size=60)
    x3 = rng.normal(size=60)
    y = 1.0 * x1 + 0.5 * x2 + 0.2 * x3 + rng.normal(size=60)
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3}), y


def test_lmg_equals_hand_decomposition(small):
    X, y = small
    res = drivers.lmg(X, pd.Series(y))
    np.testing.assert_allclose(res.weights.to_numpy(), _lmg_by_orderings(X, y), atol=1e-10)
    assert res.weights.sum() == pytest.approx(_ols_r2(X.to_numpy(), y))
    assert res.r2 == pytest.approx(_ols_r2(X.to_numpy(), y))
    assert res.table["share"].sum() == pytest.approx(100)


def test_two_drivers_closed_form():
    # LMG_1 = ½ r1² + ½ (R²12 − r2²) with R²12 = (r1² + r2² − 2 r1 r2 r12)/(1 − r12²)
    rng = np.random.default_rng(3)
    a = rng.normal(size=200)
    b = 0.5 * a + rng.normal(size=200)
    y = a + b + rng.normal(size=200)
    r1, r2, r12 = np.corrcoef(a, y)[0, 1], np.corrcoef(b, y)[0, 1], np.corrcoef(a, b)[0, 1]
    r2_12 = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    res = drivers.lmg(pd.DataFrame({"a": a, "b": b}), y)
    assert res.weights["a"] == pytest.approx(0.5 * r1**2 + 0.5 * (r2_12 - r2**2))
    assert res.weights["b"] == pytest.approx(0.5 * r2**2 + 0.5 * (r2_12 - r1**2))


def test_relative_weights_sum_to_r2_and_match_lmg_when_orthogonal(small):
    X, y = small
    rw = drivers.relative_weights(X, y)
    assert rw.weights.sum() == pytest.approx(_ols_r2(X.to_numpy(), y))
    # orthogonal drivers: both methods give each driver its squared correlation
    Q = np.linalg.qr(np.random.default_rng(1).normal(size=(80, 3)))[0]
    Xo = pd.DataFrame(Q - Q.mean(axis=0), columns=["a", "b", "c"])
    Xo = pd.DataFrame(np.linalg.qr(Xo.to_numpy())[0], columns=["a", "b", "c"])
    yo = Xo @ [3.0, 2.0, 1.0] + np.random.default_rng(2).normal(size=80)
    r = np.array([np.corrcoef(Xo[c], yo)[0, 1] ** 2 for c in Xo])
    np.testing.assert_allclose(drivers.relative_weights(Xo, yo).weights, r, atol=1e-3)
    np.testing.assert_allclose(drivers.lmg(Xo, yo).weights, r, atol=1e-3)


def test_mobi_reference_values(shared_data):
    """cx-methods.md §4.2: CUSA1 on PERQ1-7 (R² .44675; RW = relativeImp; exact LMG)."""
    mobi = pd.read_csv(shared_data / "ecsi_mobi" / "mobi.csv")
    X = mobi[[f"PERQ{i}" for i in range(1, 8)]]
    rw = drivers.relative_weights(X, mobi["CUSA1"])
    lm = drivers.lmg(X, mobi["CUSA1"])
    assert rw.r2 == pytest.approx(0.44675, abs=1e-5)
    assert rw.weights["PERQ1"] == pytest.approx(0.12951, abs=1e-5)
    assert lm.weights["PERQ1"] == pytest.approx(0.13476, abs=1e-5)
    assert lm.weights["PERQ4"] == pytest.approx(0.07534, abs=1e-5)
    assert (np.abs(rw.weights - lm.weights) < 0.006).all()  # "within ±0.005": PERQ1 .00526
    assert list(rw.table["rank"]) == list(lm.table["rank"])


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(1, 5),
    n=st.integers(10, 80),
)
def test_both_decompositions_sum_to_r2_and_are_non_negative(seed, p, n):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        rng.normal(size=(n, p)) @ rng.normal(size=(p, p)), columns=[f"x{j}" for j in range(p)]
    )
    y = X.to_numpy() @ rng.normal(size=p) + rng.normal(size=n)
    r2 = _ols_r2(X.to_numpy(), y)
    for res in (drivers.relative_weights(X, y), drivers.lmg(X, y)):
        assert (res.weights >= 0).all()
        assert res.weights.sum() == pytest.approx(r2, abs=1e-6)
        assert res.r2 == pytest.approx(r2, abs=1e-6)


def test_outcome_by_column_name(small):
    X, y = small
    a = drivers.relative_weights(X.assign(sat=y), "sat")
    b = drivers.relative_weights(X, y)
    pd.testing.assert_series_equal(a.weights, b.weights)


def test_an_outcome_series_is_matched_by_index_and_text_is_dropped(small):
    X, y = small
    aligned = drivers.relative_weights(X, pd.Series(y, index=X.index))
    shuffled = pd.Series(y, index=X.index).sample(frac=1, random_state=0)
    pd.testing.assert_series_equal(drivers.lmg(X, shuffled).weights, drivers.lmg(X, y).weights)
    pd.testing.assert_series_equal(drivers.relative_weights(X, shuffled).weights, aligned.weights)
    # an answer that is not a number is left out with its row, as a missing one
    texty = pd.Series(y, index=X.index).astype(object)
    texty.iloc[0] = "n/a"
    res = drivers.relative_weights(X, texty)
    assert res.n == len(X) - 1
    with pytest.raises(drivers.DriverError, match="outcome has 3 values for"):
        drivers.lmg(X, y[:3])


def test_bad_input_messages(small):
    X, y = small
    with pytest.raises(drivers.DriverError, match="x2 have no variance"):
        drivers.relative_weights(X.assign(x2=1.0), y)
    with pytest.raises(drivers.DriverError, match="outcome has no variance"):
        drivers.lmg(X, np.ones(len(X)))
    with pytest.raises(drivers.DriverError, match="got 3 complete rows for 3 drivers"):
        drivers.lmg(X.head(3), y[:3])
    with pytest.raises(drivers.DriverError, match="The outcome column 'nps' is not in the data"):
        drivers.lmg(X, "nps")
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 16)))
    with pytest.raises(drivers.DriverError, match="at most 15; got 16"):
        drivers.lmg(wide, np.random.default_rng(1).normal(size=40))
    with pytest.raises(TypeError, match="'X' parameter must be a pandas DataFrame"):
        drivers.lmg(X.to_numpy(), y)
