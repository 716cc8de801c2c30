"""CSI: rescaling, weights, bootstrap intervals, breakdowns, IPA, parameter checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport import csi
from cxreport.data.config import Item, SurveyModel
from cxreport.errors import CxReportError, ParameterError

MODEL = SurveyModel(
    items=(
        Item("T1", "tangibles", "Tidy", (1, 7)),
        Item("T2", "tangibles", "Modern", (1, 7)),
        Item("R1", "reliability", "On time", (1, 10)),
        Item("R2", "reliability", "Right first time", (0, 10)),
        Item("R3", "reliability", "No errors", (1, 5)),
    ),
    dimensions=("tangibles", "reliability"),
)


def _survey(n: int = 120, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    q = rng.uniform(0, 1, size=n)  # latent quality
    df = pd.DataFrame(
        {
            "T1": np.clip(np.round(1 + 6 * q + rng.normal(0, 0.8, n)), 1, 7),
            "T2": np.clip(np.round(1 + 6 * q + rng.normal(0, 1.2, n)), 1, 7),
            "R1": np.clip(np.round(1 + 9 * q + rng.normal(0, 1, n)), 1, 10),
            "R2": np.clip(np.round(10 * q + rng.normal(0, 1.5, n)), 0, 10),
            "R3": np.clip(np.round(1 + 4 * q + rng.normal(0, 0.6, n)), 1, 5),
        }
    )
    df["overall_satisfaction"] = np.clip(np.round(1 + 9 * q + rng.normal(0, 1, n)), 1, 10)
    for c in ("T1", "T2", "R1", "R2", "R3"):
        lo, hi = next(i.scale for i in MODEL.items if i.code == c)
        df[c + "_imp"] = rng.integers(int(lo), int(hi) + 1, size=n)
    return df


# --------------------------------------------------------------------------- rescaling
def test_rescale_each_item_with_its_own_scale():
    df = pd.DataFrame(
        {"T1": [1, 4, 7], "T2": [7, 7, 7], "R1": [1, 5.5, 10], "R2": [0, 5, 10], "R3": [1, 3, 5]}
    )
    got = csi.rescale(df, MODEL)
    np.testing.assert_allclose(got["T1"], [0, 50, 100])  # 1-7: (x − 1)/6 × 100
    np.testing.assert_allclose(got["R1"], [0, 50, 100])  # 1-10
    np.testing.assert_allclose(got["R2"], [0, 50, 100])  # 0-10
    np.testing.assert_allclose(got["R3"], [0, 50, 100])  # 1-5
    assert csi.mixed_scales(MODEL)
    table = csi.scale_table(MODEL, df.drop(columns="R3"))
    assert table.set_index("item").loc["T1", "rescaling"] == "(x − 1) / 6 × 100"
    assert not table.set_index("item").loc["R3", "in_data"]


def test_rescale_keeps_missing_answers_missing():
    got = csi.rescale(pd.DataFrame({"T1": [1, None, 7]}), MODEL)
    assert list(got.columns) == ["T1"]
    assert np.isnan(got["T1"][1])


# --------------------------------------------------------------------------- weights
def test_normalise_weights():
    w, notes = csi.normalise_weights({"a": 30, "b": 50, "c": 20})
    assert w.sum() == pytest.approx(1)
    assert w["b"] == pytest.approx(0.5)
    assert "summed to 100" in notes[0]
    w, notes = csi.normalise_weights({"a": 0.25, "b": 0.75})
    assert notes == []
    with pytest.raises(ValueError, match="must be numbers ≥ 0; got b=-1"):
        csi.normalise_weights({"a": 2, "b": -1})
    with pytest.raises(ValueError, match="must not all be zero"):
        csi.normalise_weights({"a": 0, "b": 0})


@pytest.mark.parametrize("method", csi.WEIGHT_METHODS)
def test_weights_sum_to_one(method):
    w = csi.compute_weights(_survey(), MODEL, weights=method)
    assert w.method == method
    assert w.dimensions.sum() == pytest.approx(1)
    for d, within in w.within.items():
        assert within.sum() == pytest.approx(1), d
    assert w.items.sum() == pytest.approx(1)
    assert list(w.dimensions.index) == list(MODEL.dimensions)
    assert w.table()["item_weight"].sum() == pytest.approx(1)


def test_equal_weights_known_values():
    w = csi.compute_weights(_survey(), MODEL, weights="equal")
    assert w.items["T1"] == pytest.approx(0.5 * 0.5)
    assert w.items["R3"] == pytest.approx(0.5 / 3)


def test_stated_weights_given_and_normalised():
    w = csi.compute_weights(
        _survey(), MODEL, weights="stated", stated={"tangibles": 30, "reliability": 90}
    )
    assert w.dimensions["reliability"] == pytest.approx(0.75)
    assert "summed to 120" in " ".join(w.notes)
    with pytest.raises(ValueError, match="unknown dimension\\(s\\) empathy"):
        csi.compute_weights(_survey(), MODEL, weights="stated", stated={"empathy": 1})
    with pytest.raises(ValueError, match="missing: reliability"):
        csi.compute_weights(_survey(), MODEL, weights="stated", stated={"tangibles": 1})


def test_fallbacks_to_equal_are_explained():
    sv = _survey()
    w = csi.compute_weights(sv.drop(columns="overall_satisfaction"), MODEL, weights="derived")
    assert w.method == "equal" and w.requested == "derived"
    assert "outcome column 'overall_satisfaction'" in " ".join(w.notes)
    w = csi.compute_weights(sv.assign(overall_satisfaction=5), MODEL, weights="derived")
    assert w.method == "equal" and "no variance" in " ".join(w.notes)
    w = csi.compute_weights(sv.drop(columns=["T1_imp"]), MODEL, weights="stated")
    assert w.method == "equal" and "_imp" in " ".join(w.notes)


def test_items_not_in_survey():
    sv = _survey()
    w = csi.compute_weights(sv.drop(columns="R3"), MODEL, weights="equal")
    assert "left out: R3" in " ".join(w.notes)
    assert "R3" not in w.items.index
    with pytest.raises(ValueError, match="none of the declared item columns"):
        csi.compute_weights(sv[["overall_satisfaction"]], MODEL)
    with pytest.raises(ValueError, match="'weights' parameter must be one of"):
        csi.compute_weights(sv, MODEL, weights="importance")


# --------------------------------------------------------------------------- the index
def test_csi_known_answer_by_hand():
    df = pd.DataFrame({"T1": [7, 4], "T2": [1, 1], "R1": [10, 10], "R2": [5, 5], "R3": [1, 5]})
    w = csi.compute_weights(df, MODEL, weights="equal")
    res = csi.compute_csi(df, MODEL, w, n_boot=100, min_n=2)
    # item means on 0-100: T1 75, T2 0, R1 100, R2 50, R3 50
    t = res.table.set_index("index")["score"]
    assert t["tangibles"] == pytest.approx(37.5)
    assert t["reliability"] == pytest.approx(200 / 3)
    assert t["csi"] == pytest.approx((37.5 + 200 / 3) / 2)
    assert res.score() == pytest.approx(t["csi"])


def test_bootstrap_interval_covers_the_estimate_and_is_seeded():
    sv = _survey()
    w = csi.compute_weights(sv, MODEL, weights="derived")
    a = csi.compute_csi(sv, MODEL, w, n_boot=400, seed=3)
    b = csi.compute_csi(sv, MODEL, w, n_boot=400, seed=3)
    c = csi.compute_csi(sv, MODEL, w, n_boot=400, seed=4)
    t = a.table
    assert ((t["ci_low"] <= t["score"]) & (t["score"] <= t["ci_high"])).all()
    assert (t["ci_high"] - t["ci_low"] > 0).all()
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["ci_low"], c.table["ci_low"])
    assert (
        (a.items["ci_low"] <= a.items["score"]) & (a.items["score"] <= a.items["ci_high"])
    ).all()
    # the bootstrap interval is close to the t interval of the respondents' CSI
    per = csi.dimension_scores(csi.rescale(sv, MODEL), w)["csi"]
    half = 1.96 * per.std(ddof=1) / np.sqrt(len(per))
    assert (t.iloc[0]["ci_high"] - t.iloc[0]["ci_low"]) / 2 == pytest.approx(half, rel=0.2)


def test_few_responses_widen_and_say_so():
    sv = _survey(8)
    w = csi.compute_weights(_survey(), MODEL, weights="equal")
    res = csi.compute_csi(sv, MODEL, w, n_boot=200, min_n=30)
    assert "Only 8 response(s) (< 30)" in " ".join(res.notes)
    per = csi.dimension_scores(csi.rescale(sv, MODEL), w)["csi"]
    lo, hi = csi._t_interval(per.to_numpy(float), 0.95)
    row = res.table.iloc[0]
    assert row["ci_low"] <= lo + 1e-9 and row["ci_high"] >= hi - 1e-9
    one = csi.compute_csi(sv.head(1), MODEL, w, n_boot=100)
    assert np.isnan(one.table["ci_low"]).all() and one.table.iloc[0]["n"] == 1


def test_parameter_checks():
    sv = _survey()
    w = csi.compute_weights(sv, MODEL, weights="equal")
    with pytest.raises(ValueError, match=r"'n_boot' parameter must be an int in the range \[100"):
        csi.compute_csi(sv, MODEL, w, n_boot=10)
    with pytest.raises(ValueError, match="'confidence' parameter must be a float in"):
        csi.compute_csi(sv, MODEL, w, confidence=95)
    with pytest.raises(ParameterError) as exc:
        csi.check_settings(weights="best", n_boot=5, min_n=30, group_months=3, crosshair="x")
    msg = str(exc.value)
    assert "'weights' parameter must be one of 'stated', 'derived', 'equal'; got 'best'" in msg
    assert "'n_boot' parameter must be an int in the range [100, 100000]; got 5" in msg
    assert "'crosshair' parameter must be one of 'mean', 'midpoint'; got 'x'" in msg
    assert isinstance(exc.value, CxReportError)
    csi.check_settings(weights="equal", n_boot=200, min_n=30, group_months=3, crosshair="mean")


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40))
def test_csi_stays_on_0_100(seed, n):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            it.code: rng.integers(int(it.scale[0]), int(it.scale[1]) + 1, size=n)
            for it in MODEL.items
        }
    )
    w = csi.compute_weights(df, MODEL, weights="equal")
    t = csi.compute_csi(df, MODEL, w, n_boot=100, seed=seed, min_n=2).table
    vals = t[["score", "ci_low", "ci_high"]].to_numpy(float)
    vals = vals[~np.isnan(vals)]
    assert ((vals >= -1e-9) & (vals <= 100 + 1e-9)).all()


# --------------------------------------------------------------------------- breakdowns
def test_by_group_flags_small_groups():
    sv = _survey(100)
    w = csi.compute_weights(sv, MODEL, weights="equal")
    groups = pd.Series(["a"] * 90 + ["b"] * 10, index=sv.index)
    t = csi.csi_by_group(sv, MODEL, w, groups, n_boot=100, min_n=30)
    few = t.drop_duplicates("group").set_index("group")["few"]
    assert not few["a"] and few["b"]
    direct = csi.compute_csi(sv.iloc[:90], MODEL, w, n_boot=100).score()
    got = t[(t["group"] == "a") & (t["index"] == "csi")]["score"].iloc[0]
    assert got == pytest.approx(direct)


def test_csi_by_month_on_the_sample(sample_dir):
    from cxreport.data import load

    data = load(sample_dir, "2026-10")
    t = csi.csi_by_month(data, weights="equal", n_boot=100)
    assert list(t.columns) == ["month", "n", "csi", "ci_low", "ci_high", "few"]
    assert t["month"].iloc[0] == "2025-05" and t["month"].iloc[-1] == "2026-10"
    assert ((t["ci_low"] <= t["csi"]) & (t["csi"] <= t["ci_high"])).all()
    assert t["n"].sum() == len(csi.survey_until(data))
    p = csi.periods(data)
    assert p.current_label == "2026-10" and p.previous_label == "2026-09"


def test_compare_targets_verdicts():
    table = pd.DataFrame(
        {
            "index": ["a", "b", "c"],
            "score": [70, 60, 80],
            "ci_low": [68, 58, 78],
            "ci_high": [72, 62, 82],
        }
    )
    targets = pd.DataFrame(
        {"dimension": ["a", "b", "c"], "target": [65, 61, 90], "label": ["t", "t", "t"]}
    )
    v = csi.compare_targets(table, targets).set_index("index")["verdict"]
    assert v.to_dict() == {"a": "above", "b": "within CI", "c": "below"}
    assert csi.compare_targets(table, None).empty


def test_ipa_quadrants_and_fix_first():
    items = pd.DataFrame(
        {"item": ["a", "b", "c", "d"], "weight": [4, 4, 1, 1], "score": [40, 90, 30, 95]}
    )
    grid, (cx, cy) = csi.ipa(items)
    q = grid.set_index("item")["quadrant"].to_dict()
    assert q == {
        "a": "concentrate here",
        "b": "keep up the good work",
        "c": "low priority",
        "d": "possible overkill",
    }
    assert (cx, cy) == (63.75, 25.0)
    assert grid.set_index("item").loc["a", "potential"] == pytest.approx(40 * 0.6)
    assert list(csi.fix_first(grid, top=2)["item"]) == ["a", "c"]
    _, mid = csi.ipa(items, crosshair="midpoint")
    assert mid == (50.0, 25.0)
    with pytest.raises(ValueError, match="'crosshair' parameter must be 'mean' or 'midpoint'"):
        csi.ipa(items, crosshair="median")
    with pytest.raises(ValueError, match="'top' parameter must be an int"):
        csi.fix_first(grid, top=0)


def test_metric_names_are_stable_snake_case():
    assert csi.metric_name("Responsiveness") == "csi__responsiveness"
    assert csi.metric_name("after-sales service") == "csi__after_sales_service"


def test_dimension_with_no_items_is_a_config_error(tmp_path):
    from cxreport.data.config import load_config
    from cxreport.errors import ConfigError

    (tmp_path / "cxreport.yaml").write_text(
        "survey:\n  dimensions: [speed, care]\n  items:\n    Q1: speed\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="dimension\\(s\\) care have no items"):
        load_config(tmp_path)


def test_answers_outside_the_declared_scale_are_reported(tmp_path):
    from cxreport.data import load
    from cxreport.errors import DataError

    (tmp_path / "cxreport.yaml").write_text(
        "survey:\n  scale: [1, 5]\n  items:\n    Q1: speed\n    Q2: care\n", encoding="utf-8"
    )
    pd.DataFrame({"Q1": [1, 5, 7], "Q2": [2, 3, 4]}).to_csv(tmp_path / "survey.csv", index=False)
    with pytest.raises(DataError, match="column .Q1.: values must be on the item scale 1-5"):
        load(tmp_path, "2026-10")


def test_csi_on_the_real_ecsi_survey(shared_data):
    """The ECSI mobi survey read as is (1-10 items): the equal-weight satisfaction index is
    the 71.97 of cx-methods.md §1.5, and the derived-weight CSI of the quality items lies
    within its bootstrap interval."""
    mobi = pd.read_csv(shared_data / "ecsi_mobi" / "mobi.csv")
    blocks = {"quality": "PERQ", "value": "PERV", "satisfaction": "CUSA"}
    model = SurveyModel(
        items=tuple(
            Item(c, d, c, (1, 10)) for d, p in blocks.items() for c in mobi if c.startswith(p)
        ),
        dimensions=tuple(blocks),
    )
    w = csi.compute_weights(mobi, model, weights="equal")
    res = csi.compute_csi(mobi, model, w, n_boot=500, seed=1)
    t = res.table.set_index("index")
    assert t.loc["satisfaction", "score"] == pytest.approx(71.97, abs=0.01)
    assert t.loc["satisfaction", "n"] == 250
    # derived weights: relative weights of "would recommend" (CUSL3) on the dimensions
    wd = csi.compute_weights(mobi, model, weights="derived", outcome="CUSL3")
    assert wd.method == "derived" and wd.dimensions.sum() == pytest.approx(1)
    d = csi.compute_csi(mobi, model, wd, n_boot=500, seed=1).table.iloc[0]
    assert d["ci_low"] <= d["score"] <= d["ci_high"]


def test_bootstrap_draws_multinomial_below_the_fast_threshold():
    x = np.random.default_rng(3).integers(1, 8, (500, 4)).astype(float)
    x[::9, 1] = np.nan
    got = csi.bootstrap_means(x, 200, np.random.default_rng(7))
    rng = np.random.default_rng(7)
    counts = rng.multinomial(500, np.full(500, 1 / 500), size=200).astype(float)
    m = ~np.isnan(x)
    want = (counts @ np.where(m, x, 0.0)) / (counts @ m.astype(float))
    np.testing.assert_array_equal(got, want)  # the same draws, so the same intervals


def test_large_samples_draw_from_the_bootstraps_normal_limit():
    # correlated items with missing answers: the normal draws have the resampled draws'
    # covariance, and so their intervals
    n = csi.NORMAL_FROM
    rng = np.random.default_rng(5)
    base = rng.integers(1, 8, n)
    x = np.column_stack([base, np.clip(base + rng.integers(-1, 2, n), 1, 7), rng.integers(1, 8, n)])
    x = x.astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:, 2][x[:, 0] > 5] = np.nan  # answered less by the satisfied: missing not at random
    normal = csi.bootstrap_means(x, 2000, np.random.default_rng(0))
    resampled = csi._resampled_means(x, 1500, np.random.default_rng(0))
    np.testing.assert_allclose(normal.mean(axis=0), np.nanmean(x, axis=0), atol=1e-3)
    cov = np.cov(resampled.T)  # Monte Carlo error of 1,500 resamples: about 4 % of a variance
    np.testing.assert_allclose(np.cov(normal.T), cov, rtol=0.15, atol=0.05 * cov.max())
    for q in (0.025, 0.975):
        half = (np.quantile(resampled, 0.975, axis=0) - np.quantile(resampled, 0.025, axis=0)) / 2
        gap = np.quantile(normal, q, axis=0) - np.quantile(resampled, q, axis=0)
        assert (np.abs(gap) < 0.25 * half).all()


def test_normal_draws_keep_a_column_without_answers_missing():
    x = np.full((csi.NORMAL_FROM, 2), np.nan)
    x[:, 0] = np.random.default_rng(1).integers(1, 8, len(x))
    boots = csi.bootstrap_means(x, 50, np.random.default_rng(0))
    assert np.isnan(boots[:, 1]).all() and np.isfinite(boots[:, 0]).all()


def test_fast_bootstrap_draws_have_the_spread_of_the_mean():
    n = csi.NORMAL_FROM
    x = np.random.default_rng(4).integers(1, 8, (n, 3)).astype(float)
    boots = csi.bootstrap_means(x, 400, np.random.default_rng(0))
    se = x.std(axis=0) / np.sqrt(n)
    np.testing.assert_allclose(boots.mean(axis=0), x.mean(axis=0), atol=4 * se.max() / 20)
    np.testing.assert_allclose(boots.std(axis=0, ddof=1), se, rtol=0.15)
