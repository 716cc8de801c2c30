"""PLS path modelling against the published ECSI ``mobi`` results (cx-methods.md §1.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxreport import pls

BLOCKS = {
    "image": [f"IMAG{i}" for i in range(1, 6)],
    "expectation": [f"CUEX{i}" for i in range(1, 4)],
    "quality": [f"PERQ{i}" for i in range(1, 8)],
    "value": ["PERV1", "PERV2"],
    "satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
    "complaints": ["CUSCO"],
    "loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}

# cx-methods.md §1.5: full ECSI model, Mode A, path scheme (plspm for Python, which centres
# the indicators with one common scale factor: our scaled=False)
ECSI_PATHS = {
    ("image", "expectation"): 0.4936,
    ("expectation", "quality"): 0.5449,
    ("expectation", "value"): 0.0653,
    ("quality", "value"): 0.5414,
    ("image", "satisfaction"): 0.1529,
    ("expectation", "satisfaction"): 0.0354,
    ("quality", "satisfaction"): 0.5429,
    ("value", "satisfaction"): 0.2022,
    ("satisfaction", "complaints"): 0.5412,
    ("image", "loyalty"): 0.2140,
    ("satisfaction", "loyalty"): 0.4660,
    ("complaints", "loyalty"): 0.0454,
}
ECSI_R2 = {
    "expectation": 0.244,
    "quality": 0.297,
    "value": 0.336,
    "satisfaction": 0.671,
    "complaints": 0.293,
    "loyalty": 0.431,
}


@pytest.fixture(scope="module")
def mobi(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "ecsi_mobi" / "mobi.csv")


@pytest.fixture(scope="module")
def ecsi(mobi) -> pls.PLSResult:
    return pls.fit_pls(
        mobi, BLOCKS, pls.ECSI_PATHS, scales={c: (1, 10) for c in mobi}, scaled=False
    )


def test_ecsi_path_coefficients_match_published(ecsi):
    got = {(r.source, r.target): r.coef for r in ecsi.paths.itertuples()}
    assert set(got) == set(ECSI_PATHS)
    for key, want in ECSI_PATHS.items():
        assert got[key] == pytest.approx(want, abs=1e-3), key  # well inside the 0.01 asked


def test_ecsi_r2_gof_and_satisfaction_index(ecsi):
    for block, want in ECSI_R2.items():
        assert ecsi.r2[block] == pytest.approx(want, abs=1e-3), block
    assert ecsi.gof == pytest.approx(0.4646, abs=1e-3)
    idx = ecsi.index.set_index("block")
    assert idx.loc["satisfaction", "index"] == pytest.approx(71.75, abs=0.01)
    assert idx.loc["satisfaction", "equal_weights"] == pytest.approx(71.97, abs=0.01)
    assert ecsi.path("image", "expectation") == pytest.approx(0.4936, abs=1e-3)


def test_ecsi_unreliable_blocks_are_flagged(ecsi):
    text = " ".join(ecsi.notes)
    assert "'expectation'" in text and "'loyalty'" in text
    assert "'satisfaction'" not in text  # α .77


def test_seminr_fixture_reproduced(mobi):
    """seminr's inner_weights_coefficients fixture (standardised indicators, path scheme)."""
    blocks = {k: BLOCKS[k] for k in ("image", "expectation", "value", "satisfaction")}
    res = pls.fit_pls(
        mobi,
        blocks,
        [("image", "satisfaction"), ("expectation", "satisfaction"), ("value", "satisfaction")],
    )
    assert res.path("image", "satisfaction") == pytest.approx(0.447004, abs=1e-4)
    assert res.path("expectation", "satisfaction") == pytest.approx(0.171830, abs=1e-4)
    assert res.path("value", "satisfaction") == pytest.approx(0.316425, abs=1e-4)
    w = res.outer.set_index("item")["weight"]
    assert w["CUSA1"] == pytest.approx(0.387273, abs=1e-4)
    assert w["CUSA2"] == pytest.approx(0.373940, abs=1e-4)
    assert w["CUSA3"] == pytest.approx(0.439128, abs=1e-4)


@pytest.mark.parametrize("scheme", ["centroid", "factorial"])
def test_other_schemes_differ_only_in_third_decimal(mobi, ecsi, scheme):
    res = pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scheme=scheme, scaled=False)
    diff = np.abs(res.paths["coef"].to_numpy() - ecsi.paths["coef"].to_numpy())
    assert diff.max() < 0.01


def test_rescaled_items_give_the_same_paths(mobi, ecsi):
    """plspm::mobile is the same survey on 0-100: the paths must not change."""
    rescaled = (mobi - 1) / 9 * 100
    res = pls.fit_pls(
        rescaled, BLOCKS, pls.ECSI_PATHS, scales={c: (0, 100) for c in mobi}, scaled=False
    )
    np.testing.assert_allclose(res.paths["coef"], ecsi.paths["coef"], atol=1e-8)
    np.testing.assert_allclose(res.index["index"], ecsi.index["index"], atol=1e-8)


def test_raw_weights_normalised_per_block(ecsi):
    sums = ecsi.outer.groupby("block")["raw_weight"].sum()
    np.testing.assert_allclose(sums, 1.0)


def test_cronbach_alpha_known_answers(mobi):
    # hand: item variances 5/3 each, total [2,5,5,8] variance 6 -> 2·(1 − (10/3)/6) = 8/9
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    assert pls.cronbach_alpha(x) == pytest.approx(8 / 9)
    # pingouin 0.7.0 on the mobi satisfaction block (raw items), cx-methods.md §1.5
    assert pls.cronbach_alpha(mobi[BLOCKS["satisfaction"]]) == pytest.approx(0.7701, abs=1e-4)
    assert np.isnan(pls.cronbach_alpha(x[["a"]]))
    assert np.isnan(pls.cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [3, 3, 3]})))


def test_bad_models_say_what_is_wrong(mobi):
    with pytest.raises(pls.PLSError, match="names 'nowhere', which is not a block"):
        pls.fit_pls(mobi, BLOCKS, [("image", "nowhere")])
    with pytest.raises(pls.PLSError, match="not in the data: XYZ1"):
        pls.fit_pls(mobi, {"a": ["XYZ1"], "b": ["CUSA1"]}, [("a", "b")])
    with pytest.raises(pls.PLSError, match="no indicators: a"):
        pls.fit_pls(mobi, {"a": [], "b": ["CUSA1"]}, [("a", "b")])
    flat = mobi.assign(CUSA2=5)
    with pytest.raises(pls.PLSError, match="CUSA2 have no variance"):
        pls.fit_pls(flat, BLOCKS, pls.ECSI_PATHS)
    with pytest.raises(pls.PLSError, match="at least 10 complete rows; got 5"):
        pls.fit_pls(mobi.head(5), BLOCKS, pls.ECSI_PATHS)
    with pytest.raises(pls.PLSError, match="no path to any other block"):
        pls.fit_pls(mobi.assign(X1=mobi["PERV1"]), {**BLOCKS, "x": ["X1"]}, pls.ECSI_PATHS)
    with pytest.raises(pls.PLSError, match="PERV1 appear in more than one block"):
        pls.fit_pls(mobi, {**BLOCKS, "extra": ["PERV1"]}, pls.ECSI_PATHS)
    with pytest.raises(ValueError, match="'scheme' parameter must be one of"):
        pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scheme="mode_b")


def test_servqual_model_on_the_sample(sample_dir):
    from cxreport.data import load

    data = load(sample_dir, "2026-10")
    blocks, paths = pls.servqual_model(data.config.survey, data.survey)
    assert ("satisfaction", "loyalty") in paths
    assert blocks["satisfaction"] == ["overall_satisfaction"]
    assert pls.ecsi_blocks(data.config.survey) is None  # SERVQUAL, not ECSI, dimensions
    with pytest.raises(pls.PLSError, match="needs the outcome column 'overall_satisfaction'"):
        pls.servqual_model(data.config.survey, data.survey.drop(columns="overall_satisfaction"))
