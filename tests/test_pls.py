"""PLS path modelling against published ECSI ``mobi`` results and hand computations.

Oracles (all on ../shared/data/ecsi_mobi/mobi.csv, the same 250 × 24 values everywhere):

* SmartPLS 2.0.M3, full ECSI model, standardised items ("Mean 0, Var 1"), path / centroid /
  factorial schemes: CRAN semPLS, tests/SmartPLS/results/ecsi/<scheme>/pathCoefficients.txt
  and outerWeights.txt (semPLS's regression test checks itself against them).
* seminr (GitHub sem-in-r/seminr tests/fixtures/V_3_6_0 and V_3_5_X): Image, Expectation, Value
  → Satisfaction, Mode A, standardised: paths and weights (inner_weights_*), factorial scheme
  (factorial_coefficients.csv), alpha/rhoC/AVE/rhoA (reliability.csv), HTMT (htmt.csv),
  antecedent VIF (vifs/flat_vif_antecedents1.csv), 500-resample bootstrap
  (boot_report_paths.csv); and a Mode B model exported by seminr into GoogleCloudPlatform/
  plspm-python tests/data/seminr-mobi-basic-{paths,outer-model}.csv.
* plspm for Python, full ECSI model (cx-methods.md §1.5): that package centres the items and
  divides them all by one common factor, which gives the same scores, paths and R² as R
  plspm(scaled=FALSE), i.e. our ``standardised=False``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxreport import pls
from cxreport.errors import ParameterError

BLOCKS = {
    "image": [f"IMAG{i}" for i in range(1, 6)],
    "expectation": [f"CUEX{i}" for i in range(1, 4)],
    "quality": [f"PERQ{i}" for i in range(1, 8)],
    "value": ["PERV1", "PERV2"],
    "satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
    "complaints": ["CUSCO"],
    "loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}

# cx-methods.md §1.5: full ECSI model, Mode A, path scheme, plspm for Python (centred items,
# one common scale factor): our standardised=False
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

# SmartPLS 2.0.M3 on the full ECSI model, standardised items, in pls.ECSI_PATHS order
SMARTPLS_PATHS = {
    "path": [0.50491393, 0.17873950, 0.19575534, 0.55674896, 0.04998839, 0.06252287,
             0.55830438, 0.51202394, 0.19476510, 0.52806625, 0.48547762, 0.06692607],
    "centroid": [0.50470564, 0.17883348, 0.19535971, 0.55724786, 0.05078755, 0.06442534,
                 0.55721686, 0.51254524, 0.19181566, 0.52609731, 0.48347472, 0.07123241],
    "factorial": [0.50494314, 0.17859267, 0.19581962, 0.55675903, 0.05017810, 0.06494365,
                  0.55776245, 0.51297470, 0.19144526, 0.52585655, 0.48305917, 0.07031057],
}  # fmt: skip
SMARTPLS_WEIGHTS = {  # outer weights, path and centroid schemes
    "path": {
        "CUEX1": 0.52118068, "CUEX2": 0.47367966, "CUEX3": 0.44563424, "CUSA1": 0.36486486,
        "CUSA2": 0.38315604, "CUSA3": 0.45096120, "CUSCO": 1.0, "CUSL1": 0.46066473,
        "CUSL2": 0.11426953, "CUSL3": 0.65431059, "IMAG1": 0.30131215, "IMAG2": 0.25969115,
        "IMAG3": 0.21792305, "IMAG4": 0.32850357, "IMAG5": 0.32468141, "PERQ1": 0.21317504,
        "PERQ2": 0.14472169, "PERQ3": 0.20001771, "PERQ4": 0.17939947, "PERQ5": 0.17863569,
        "PERQ6": 0.17912074, "PERQ7": 0.21548153, "PERV1": 0.47928245, "PERV2": 0.60405602,
    },
    "centroid": {
        "CUEX1": 0.52282271, "CUEX2": 0.46806824, "CUEX3": 0.44989729, "CUSA1": 0.37718684,
        "CUSA2": 0.38156707, "CUSA3": 0.44105872, "CUSCO": 1.0, "CUSL1": 0.45046794,
        "CUSL2": 0.13133992, "CUSL3": 0.65948149, "IMAG1": 0.29813185, "IMAG2": 0.26233656,
        "IMAG3": 0.21987218, "IMAG4": 0.32782296, "IMAG5": 0.32492101, "PERQ1": 0.21364542,
        "PERQ2": 0.14346701, "PERQ3": 0.19943921, "PERQ4": 0.17811594, "PERQ5": 0.18083905,
        "PERQ6": 0.18050324, "PERQ7": 0.21436270, "PERV1": 0.48582034, "PERV2": 0.59776530,
    },
}  # fmt: skip

SEMINR = {k: BLOCKS[k] for k in ("image", "expectation", "value", "satisfaction")}
SEMINR_PATHS = ["image -> satisfaction", "expectation -> satisfaction", "value -> satisfaction"]
SEMINR_RELIABILITY = {  # alpha, rhoC, AVE, rhoA
    "image": (0.722834595427083, 0.818325774056256, 0.477979834838268, 0.745291554480322),
    "expectation": (0.451902555978063, 0.733177801505283, 0.480507046633952, 0.461657986928213),
    "value": (0.823631979352573, 0.917897281748515, 0.84831067540365, 0.857527048393235),
    "satisfaction": (0.779195021918597, 0.871457927643628, 0.693363990925202, 0.784023593590752),
}
SEMINR_HTMT = {
    ("image", "expectation"): 0.88803042750925,
    ("image", "value"): 0.651659392487802,
    ("image", "satisfaction"): 0.910100923782741,
    ("expectation", "value"): 0.588628982316289,
    ("expectation", "satisfaction"): 0.865108193553153,
    ("value", "satisfaction"): 0.740808927759395,
}


@pytest.fixture(scope="module")
def mobi(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "ecsi_mobi" / "mobi.csv")


@pytest.fixture(scope="module")
def ecsi(mobi) -> pls.PLSResult:
    return pls.fit_pls(
        mobi, BLOCKS, pls.ECSI_PATHS, scales={c: (1, 10) for c in mobi}, standardised=False
    )


@pytest.fixture(scope="module")
def ecsi_std(mobi) -> pls.PLSResult:
    return pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scales={c: (1, 10) for c in mobi})


@pytest.fixture(scope="module")
def seminr(mobi) -> pls.PLSResult:
    return pls.fit_pls(mobi, SEMINR, SEMINR_PATHS)


# --------------------------------------------------------------------------------------------
# the ECSI model, unstandardised (plspm) and standardised (SmartPLS)
# --------------------------------------------------------------------------------------------


def test_ecsi_unstandardised_path_coefficients_match_plspm(ecsi):
    got = {(r.source, r.target): r.coef for r in ecsi.paths.itertuples()}
    assert set(got) == set(ECSI_PATHS)
    for key, want in ECSI_PATHS.items():
        assert got[key] == pytest.approx(want, abs=1e-3), key  # the reference has 4 decimals
    assert not ecsi.standardised and ecsi.settings["standardised"] is False


def test_ecsi_unstandardised_r2_gof_and_satisfaction_index(ecsi):
    for block, want in ECSI_R2.items():
        assert ecsi.r2[block] == pytest.approx(want, abs=1e-3), block
    assert ecsi.gof == pytest.approx(0.4646, abs=1e-3)
    idx = ecsi.index.set_index("block")
    assert idx.loc["satisfaction", "equal_weights"] == pytest.approx(71.97, abs=0.01)
    assert ecsi.path("image", "expectation") == pytest.approx(0.4936, abs=1e-3)
    # Fitted on centred raw items, the outer weights are already per raw unit: the index
    # weights are those weights normalised (71.17). cx-methods.md's 71.75 divided them by the
    # item SDs a second time, as if they belonged to standardised items.
    sat = ecsi.outer[ecsi.outer["block"] == "satisfaction"]
    np.testing.assert_allclose(sat["raw_weight"], sat["weight"] / sat["weight"].sum())
    assert idx.loc["satisfaction", "index"] == pytest.approx(71.17, abs=0.01)


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_ecsi_standardised_matches_smartpls(mobi, scheme):
    res = pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scheme=scheme, tol=1e-10)
    np.testing.assert_allclose(res.paths["coef"], SMARTPLS_PATHS[scheme], atol=1e-7)
    if scheme in SMARTPLS_WEIGHTS:
        w = res.outer.set_index("item")["weight"]
        want = pd.Series(SMARTPLS_WEIGHTS[scheme])
        np.testing.assert_allclose(w[want.index], want, atol=1e-7)


def test_ecsi_default_tolerance_is_close_to_smartpls(ecsi_std):
    np.testing.assert_allclose(ecsi_std.paths["coef"], SMARTPLS_PATHS["path"], atol=1e-5)
    assert ecsi_std.standardised and ecsi_std.scheme == "path"


def test_unstandardised_weights_are_per_raw_unit(mobi, ecsi):
    # score = Σ w·(x − mean), variance 1: the outer weights of R plspm(scaled=FALSE)
    for block, items in BLOCKS.items():
        w = ecsi.outer.set_index("item").loc[items, "weight"].to_numpy()
        x = mobi[items].to_numpy(float)
        score = (x - x.mean(axis=0)) @ w
        np.testing.assert_allclose(score, ecsi.scores[block], atol=1e-10)
        assert score.std() == pytest.approx(1.0)


@pytest.mark.parametrize("standardised", [True, False])
def test_index_is_the_mean_score_on_the_item_scale(mobi, standardised):
    """ACSI: index = (E[ξ] − min)/(max − min)·100 with ξ = Σ w̃·x, the score on raw items."""
    res = pls.fit_pls(
        mobi, BLOCKS, "ecsi", scales={c: (1, 10) for c in mobi}, standardised=standardised
    )
    for block, items in BLOCKS.items():
        rw = res.outer.set_index("item").loc[items, "raw_weight"].to_numpy()
        xi = mobi[items].to_numpy(float) @ rw
        assert np.corrcoef(xi, res.scores[block])[0, 1] == pytest.approx(1.0)
        want = (xi.mean() - 1) / 9 * 100
        assert res.index.set_index("block").loc[block, "index"] == pytest.approx(want)


def test_ecsi_unreliable_blocks_are_flagged(ecsi):
    text = " ".join(ecsi.notes)
    assert "'expectation'" in text and "'loyalty'" in text
    assert "'satisfaction'" not in text  # α .77


@pytest.mark.parametrize("scheme", ["centroid", "factorial"])
def test_other_schemes_differ_only_in_third_decimal(mobi, ecsi, scheme):
    res = pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scheme=scheme, standardised=False)
    diff = np.abs(res.paths["coef"].to_numpy() - ecsi.paths["coef"].to_numpy())
    assert diff.max() < 0.01


def test_rescaled_items_give_the_same_paths(mobi, ecsi):
    """plspm::mobile is the same survey on 0-100: the paths must not change."""
    rescaled = (mobi - 1) / 9 * 100
    res = pls.fit_pls(
        rescaled,
        BLOCKS,
        pls.ECSI_PATHS,
        scales={c: (0, 100) for c in mobi},
        standardised=False,
    )
    np.testing.assert_allclose(res.paths["coef"], ecsi.paths["coef"], atol=1e-8)
    np.testing.assert_allclose(res.index["index"], ecsi.index["index"], atol=1e-8)


def test_raw_weights_normalised_per_block(ecsi):
    sums = ecsi.outer.groupby("block")["raw_weight"].sum()
    np.testing.assert_allclose(sums, 1.0)


# --------------------------------------------------------------------------------------------
# seminr fixtures: reduced ECSI model, Mode B, schemes
# --------------------------------------------------------------------------------------------


def test_seminr_fixture_reproduced(seminr):
    """seminr's inner_weights_coefficients fixture (standardised indicators, path scheme)."""
    assert seminr.path("image", "satisfaction") == pytest.approx(0.447004, abs=1e-4)
    assert seminr.path("expectation", "satisfaction") == pytest.approx(0.171830, abs=1e-4)
    assert seminr.path("value", "satisfaction") == pytest.approx(0.316425, abs=1e-4)
    w = seminr.outer.set_index("item")["weight"]
    assert w["CUSA1"] == pytest.approx(0.387273, abs=1e-4)
    assert w["CUSA2"] == pytest.approx(0.373940, abs=1e-4)
    assert w["CUSA3"] == pytest.approx(0.439128, abs=1e-4)


def test_seminr_factorial_scheme(mobi):
    res = pls.fit_pls(mobi, SEMINR, SEMINR_PATHS, scheme="factorial", tol=1e-10)
    np.testing.assert_allclose(
        res.paths["coef"], [0.446873985519376, 0.172941539187286, 0.315219423208024], atol=1e-6
    )


def test_mode_b_matches_seminr(mobi):
    """seminr-mobi-basic: Quality formative (Mode B), the rest Mode A, standardised items."""
    blocks = {k: BLOCKS[k] for k in ("expectation", "quality", "loyalty", "image", "complaints")}
    spec = [
        "expectation -> loyalty",
        "quality -> loyalty",
        "image -> expectation",
        "complaints -> loyalty",
    ]
    res = pls.fit_pls(mobi, blocks, spec, modes={"quality": "B"}, tol=1e-10)
    assert res.modes["quality"] == "B" and res.modes["image"] == "A"
    want = [0.124534792831633, 0.405693671851465, 0.512876954138615, 0.176081956818542]
    np.testing.assert_allclose(res.paths["coef"], want, rtol=1e-5)
    outer = res.outer.set_index("item")
    perq = {  # weight, loading
        "PERQ1": (0.407033650980277, 0.848331559563572),
        "PERQ2": (0.166397958325427, 0.613093727616285),
        "PERQ3": (0.38465728634974, 0.840292545241395),
        "PERQ4": (0.0740065406659367, 0.654863987061899),
        "PERQ5": (0.0521512126128109, 0.670785747101997),
        "PERQ6": (-0.0862475048715799, 0.610190554740549),
        "PERQ7": (0.247567714116287, 0.802363177633337),
        "CUSL2": (0.117887757261553, 0.205795369057261),
        "IMAG3": (0.239056557053925, 0.584994323749385),
    }
    for item, (w, ld) in perq.items():
        assert outer.loc[item, "weight"] == pytest.approx(w, abs=1e-5), item
        assert outer.loc[item, "loading"] == pytest.approx(ld, abs=1e-5), item
    # a negative formative weight cannot weight an index: equal weights, with a note
    assert any("'quality' has non-positive outer weights" in n for n in res.notes)


def test_all_mode_b_does_not_depend_on_standardising(mobi):
    """Regression weights do not change when an item is rescaled: with every block in Mode B,
    standardised and centred-only items must give the same model."""
    a = pls.fit_pls(mobi, BLOCKS, "ecsi", modes="B", tol=1e-12)
    b = pls.fit_pls(mobi, BLOCKS, "ecsi", modes="formative", standardised=False, tol=1e-12)
    np.testing.assert_allclose(a.paths["coef"], b.paths["coef"], atol=1e-8)
    np.testing.assert_allclose(a.outer["loading"], b.outer["loading"], atol=1e-8)
    assert set(a.modes.values()) == {"B"} and a.modes == b.modes


def test_schemes_coincide_where_they_must(mobi):
    # One path: centroid (sign r), factorial (r) and path (β = r) give inner proxies that are
    # multiples of one another, so all three schemes give the same model.
    two = {k: BLOCKS[k] for k in ("quality", "satisfaction")}
    fits = [pls.fit_pls(mobi, two, ["quality -> satisfaction"], scheme=s) for s in pls.SCHEMES]
    for other in fits[1:]:
        np.testing.assert_allclose(other.outer["weight"], fits[0].outer["weight"], atol=1e-12)
        assert other.path("quality", "satisfaction") == pytest.approx(
            fits[0].path("quality", "satisfaction"), abs=1e-12
        )
    # A chain: every block has at most one predecessor, whose regression coefficient is the
    # correlation, so the path scheme is the factorial scheme.
    chain = {k: BLOCKS[k] for k in ("image", "satisfaction", "loyalty")}
    spec = ["image -> satisfaction", "satisfaction -> loyalty"]
    p = pls.fit_pls(mobi, chain, spec, scheme="path")
    f = pls.fit_pls(mobi, chain, spec, scheme="factorial")
    np.testing.assert_allclose(p.paths["coef"], f.paths["coef"], atol=1e-12)
    np.testing.assert_allclose(p.outer["weight"], f.outer["weight"], atol=1e-12)


def test_reverse_coded_block_turns_round(mobi, ecsi_std):
    """A block whose items are all reverse-coded measures the opposite construct: its loadings
    stay positive (R plspm's sign rule) and its paths change sign, and nothing else moves."""
    rev = mobi.assign(**{c: 11 - mobi[c] for c in BLOCKS["satisfaction"]})
    res = pls.fit_pls(rev, BLOCKS, pls.ECSI_PATHS)
    assert (res.outer["loading"][res.outer["block"] == "satisfaction"] > 0).all()
    touches = (ecsi_std.paths["source"] == "satisfaction") | (
        ecsi_std.paths["target"] == "satisfaction"
    )
    sign = np.where(touches, -1.0, 1.0)
    np.testing.assert_allclose(res.paths["coef"], sign * ecsi_std.paths["coef"], atol=1e-10)


# --------------------------------------------------------------------------------------------
# reliability and validity
# --------------------------------------------------------------------------------------------


def test_reliability_matches_seminr(seminr):
    rel = seminr.reliability.set_index("block")
    assert list(rel.columns) == ["mode", "items", "alpha", "rho_a", "rho_c", "ave"]
    for block, (alpha, rho_c, ave, rho_a) in SEMINR_RELIABILITY.items():
        assert rel.loc[block, "alpha"] == pytest.approx(alpha, abs=1e-6), block
        assert rel.loc[block, "rho_c"] == pytest.approx(rho_c, abs=1e-6), block
        assert rel.loc[block, "ave"] == pytest.approx(ave, abs=1e-6), block
        assert rel.loc[block, "rho_a"] == pytest.approx(rho_a, abs=1e-5), block


def test_alpha_follows_the_metric_of_the_fit(mobi, ecsi, ecsi_std):
    sat = mobi[BLOCKS["satisfaction"]]
    # standardised α (plspm/seminr) 0.7792, raw α (pingouin) 0.7701: cx-methods.md §1.5
    std = ecsi_std.reliability.set_index("block").loc["satisfaction", "alpha"]
    raw = ecsi.reliability.set_index("block").loc["satisfaction", "alpha"]
    assert std == pytest.approx(0.7792, abs=1e-4)
    assert raw == pytest.approx(0.7701, abs=1e-4)
    assert pls.cronbach_alpha(sat, standardised=True) == pytest.approx(std)
    # single-item blocks: 1 by convention (SmartPLS, seminr)
    one = ecsi_std.reliability.set_index("block").loc["complaints"]
    assert one["items"] == 1 and (one[["alpha", "rho_a", "rho_c", "ave"]] == 1).all()


def test_cronbach_alpha_known_answers(mobi):
    # hand: item variances 5/3 each, total [2,5,5,8] variance 6 -> 2·(1 − (10/3)/6) = 8/9
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    assert pls.cronbach_alpha(x) == pytest.approx(8 / 9)
    # standardised: r = 0.8, k·r/(1 + (k − 1)·r) = 1.6/1.8
    assert pls.cronbach_alpha(x, standardised=True) == pytest.approx(1.6 / 1.8)
    # pingouin 0.7.0 on the mobi satisfaction block (raw items), cx-methods.md §1.5
    assert pls.cronbach_alpha(mobi[BLOCKS["satisfaction"]]) == pytest.approx(0.7701, abs=1e-4)
    assert np.isnan(pls.cronbach_alpha(x[["a"]]))
    assert np.isnan(pls.cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [3, 3, 3]})))


def test_rho_c_and_ave_from_the_loadings(ecsi_std):
    rel = ecsi_std.reliability.set_index("block")
    for block in ("image", "quality", "loyalty"):
        lam = ecsi_std.outer.set_index("item").loc[BLOCKS[block], "loading"].to_numpy()
        s = lam.sum()
        assert rel.loc[block, "rho_c"] == pytest.approx(s**2 / (s**2 + (1 - lam**2).sum()))
        assert rel.loc[block, "ave"] == pytest.approx((lam**2).mean())


def test_htmt_matches_seminr_and_a_hand_computation(seminr):
    for (a, b), want in SEMINR_HTMT.items():
        got = seminr.htmt_matrix.loc[a, b]
        assert got == pytest.approx(want, abs=1e-9) and seminr.htmt_matrix.loc[b, a] == got
    assert list(seminr.htmt.columns) == ["block_1", "block_2", "htmt"]
    assert len(seminr.htmt) == 6 and np.isnan(seminr.htmt_matrix.loc["image", "image"])
    # hand: two items a1, a2 against one item b1
    d = pd.DataFrame({"a1": [1, 2, 3, 4, 5, 6], "a2": [2, 1, 4, 3, 6, 6], "b1": [1, 3, 2, 5, 4, 4]})
    r = d.corr().to_numpy()
    want = (abs(r[0, 2]) + abs(r[1, 2])) / 2 / np.sqrt(abs(r[0, 1]) * 1.0)
    got = pls.htmt(d, {"a": ["a1", "a2"], "b": ["b1"]})
    assert got.loc["a", "b"] == pytest.approx(want)


def test_inner_vif_matches_seminr_and_the_r2_of_the_regressions(seminr, ecsi_std):
    v = seminr.vif.set_index("predictor")["vif"]
    np.testing.assert_allclose(
        v[["image", "expectation", "value"]],
        [1.6139498810707, 1.36849662441311, 1.37801850355244],
        atol=1e-6,
    )
    # hand: 1/(1 − R²) of each predictor of satisfaction regressed on the others, by OLS on
    # the scores
    sc = ecsi_std.scores
    preds = ["image", "expectation", "quality", "value"]
    got = ecsi_std.vif[ecsi_std.vif["target"] == "satisfaction"].set_index("predictor")["vif"]
    for p in preds:
        others = sc[[q for q in preds if q != p]].to_numpy()
        y = sc[p].to_numpy()
        beta = np.linalg.lstsq(others, y, rcond=None)[0]
        r2 = 1 - ((y - others @ beta) ** 2).sum() / (y**2).sum()
        assert got[p] == pytest.approx(1 / (1 - r2))
    single = ecsi_std.vif[ecsi_std.vif["target"] == "complaints"]
    assert single["vif"].tolist() == [1.0]


def test_problems_use_the_usual_thresholds(seminr):
    probs = seminr.problems()
    assert list(probs.columns) == ["check", "where", "value", "threshold", "message"]
    found = set(zip(probs["check"], probs["where"], strict=True))
    assert found == {
        ("ave", "image"),  # .478
        ("alpha", "expectation"),  # .452
        ("rho_a", "expectation"),
        ("ave", "expectation"),
        ("htmt", "image ~ expectation"),  # .888
        ("htmt", "image ~ satisfaction"),  # .910
        ("htmt", "expectation ~ satisfaction"),  # .865
    }
    liberal = seminr.problems(htmt_max=pls.HTMT_MAX_LIBERAL)
    assert set(liberal.loc[liberal["check"] == "htmt", "where"]) == {"image ~ satisfaction"}
    assert (pls.ALPHA_MIN, pls.RHO_C_MIN, pls.AVE_MIN, pls.HTMT_MAX, pls.VIF_MAX) == (
        0.7,
        0.7,
        0.5,
        0.85,
        5.0,
    )


def test_collinear_predictors_are_flagged():
    rng = np.random.default_rng(3)
    f = rng.normal(size=200)
    d = pd.DataFrame(
        {
            "a1": f + 0.1 * rng.normal(size=200),
            "b1": f + 0.1 * rng.normal(size=200),
            "y1": f + rng.normal(size=200),
        }
    )
    res = pls.fit_pls(d, {"a": ["a1"], "b": ["b1"], "y": ["y1"]}, ["a -> y", "b -> y"])
    vif = res.problems().query("check == 'vif'")
    assert set(vif["where"]) == {"a → y", "b → y"} and (vif["value"] > 5).all()


# --------------------------------------------------------------------------------------------
# bootstrap
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def boot(mobi) -> pls.PLSResult:
    return pls.fit_pls(mobi, SEMINR, SEMINR_PATHS, n_boot=200, seed=123)


def test_bootstrap_intervals_contain_the_estimates(boot):
    bp, bo = boot.boot_paths, boot.boot_outer
    assert list(bp.columns) == [
        "source", "target", "coef", "boot_mean", "boot_sd", "t", "ci_low", "ci_high"
    ]  # fmt: skip
    assert ((bp["ci_low"] < bp["coef"]) & (bp["coef"] < bp["ci_high"])).all()
    assert ((bo["weight_low"] < bo["weight"]) & (bo["weight"] < bo["weight_high"])).all()
    assert ((bo["loading_low"] < bo["loading"]) & (bo["loading"] < bo["loading_high"])).all()
    assert boot.n_boot == 200 and boot.boot_failed == 0 and boot.settings["seed"] == 123
    np.testing.assert_allclose(bp["t"], bp["coef"] / bp["boot_sd"])


def test_bootstrap_is_like_seminrs(boot):
    """seminr, 500 resamples (seed 123 in R): SD and 95 % percentile interval of each path.
    Different random streams: agreement within Monte-Carlo error of 200 resamples."""
    want = {  # sd, 2.5 %, 97.5 %
        "image": (0.0569259275804892, 0.329979162176453, 0.556764224609957),
        "expectation": (0.0619900261088522, 0.0546416559521134, 0.283964288192345),
        "value": (0.0717381375043804, 0.174920077851846, 0.438022907321881),
    }
    bp = boot.boot_paths.set_index("source")
    for src, (sd, lo, hi) in want.items():
        assert bp.loc[src, "boot_sd"] == pytest.approx(sd, rel=0.2), src
        assert bp.loc[src, "ci_low"] == pytest.approx(lo, abs=0.04), src
        assert bp.loc[src, "ci_high"] == pytest.approx(hi, abs=0.04), src


def test_bootstrap_is_reproducible_with_a_seed(mobi, boot):
    again = pls.fit_pls(mobi, SEMINR, SEMINR_PATHS, n_boot=200, seed=123)
    pd.testing.assert_frame_equal(again.boot_paths, boot.boot_paths)
    pd.testing.assert_frame_equal(again.boot_outer, boot.boot_outer)
    other = pls.fit_pls(mobi, SEMINR, SEMINR_PATHS, n_boot=200, seed=124)
    assert not np.allclose(other.boot_paths["ci_low"], boot.boot_paths["ci_low"])
    np.testing.assert_allclose(other.boot_paths["coef"], boot.boot_paths["coef"])


def test_bootstrap_corrects_arbitrary_sign_flips():
    """A block of one item and one reverse-coded item of the same strength: the start weights
    give a composite near zero, so each resample lands on either orientation. Without
    construct-level sign correction the interval of its path runs from −0.58 to +0.56."""
    rng = np.random.default_rng(7)
    n = 300
    f = rng.normal(size=n)
    g = 0.6 * f + 0.8 * rng.normal(size=n)
    d = pd.DataFrame({f"a{i}": f + 0.6 * rng.normal(size=n) for i in (1, 2, 3)}).assign(
        c1=g + 0.5 * rng.normal(size=n), c2=-g + 0.5 * rng.normal(size=n)
    )
    res = pls.fit_pls(d, {"a": ["a1", "a2", "a3"], "c": ["c1", "c2"]}, ["a -> c"], n_boot=100)
    row = res.boot_paths.iloc[0]
    assert row["ci_low"] < row["coef"] < row["ci_high"] < 0
    assert row["boot_sd"] < 0.1
    assert (res.boot_outer["loading_sd"] < 0.05).all()


def test_bootstrap_on_the_full_model_in_both_metrics(mobi):
    for standardised in (True, False):
        res = pls.fit_pls(mobi, BLOCKS, "ecsi", standardised=standardised, n_boot=50, seed=1)
        bp = res.boot_paths
        assert (
            len(bp) == 12 and ((bp["ci_low"] <= bp["coef"]) & (bp["coef"] <= bp["ci_high"])).all()
        )
        assert len(res.boot_outer) == 24


# --------------------------------------------------------------------------------------------
# settings and model specification errors
# --------------------------------------------------------------------------------------------


def test_check_settings_accepts_good_settings():
    pls.check_settings()
    pls.check_settings(scheme="centroid", standardised=False, modes="B", n_boot=500, seed=7)
    pls.check_settings(modes={"image": "formative", "value": "a"}, n_boot=0, ci=0.9)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"scheme": "mode_b"}, "The 'scheme' parameter must be one of path, centroid, "
         "factorial; got 'mode_b'."),
        ({"standardised": "yes"}, "The 'standardised' parameter must be True or False; "
         "got 'yes'."),
        ({"modes": "C"}, "The 'modes' parameter must be 'A' (reflective) or 'B' (formative); "
         "got 'C'."),
        ({"modes": {"image": "X"}}, "got 'X' for 'image'"),
        ({"modes": ["A"]}, "The 'modes' parameter must be 'A', 'B' or a mapping"),
        ({"n_boot": 5}, "The 'n_boot' parameter must be 0 (no bootstrap) or an int in the "
         "range [20, 100000]; got 5."),
        ({"n_boot": True}, "The 'n_boot' parameter must be 0"),
        ({"n_boot": 100.0}, "got 100.0"),
        ({"ci": 1.5}, "The 'ci' parameter must be a number in [0.5, 0.999]; got 1.5."),
        ({"seed": -1}, "The 'seed' parameter must be an int in the range [0, 4294967295]; "
         "got -1."),
    ],
)  # fmt: skip
def test_check_settings_names_the_bad_parameter(settings, message):
    with pytest.raises(ParameterError) as err:
        pls.check_settings(**settings)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError)


def test_check_settings_reports_every_problem_and_fit_uses_it(mobi):
    with pytest.raises(ParameterError) as err:
        pls.check_settings(scheme="x", n_boot=-1)
    assert "'scheme'" in str(err.value) and "'n_boot'" in str(err.value)
    with pytest.raises(ParameterError, match="'scheme' parameter must be one of"):
        pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, scheme="mode_b")
    with pytest.raises(ParameterError, match="'n_boot' parameter"):
        pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, n_boot=3)


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
    with pytest.raises(pls.PLSError, match="x have no path to any other block"):
        pls.fit_pls(mobi.assign(X1=mobi["PERV1"]), {**BLOCKS, "x": ["X1"]}, pls.ECSI_PATHS)
    with pytest.raises(pls.PLSError, match="PERV1 appear in more than one block"):
        pls.fit_pls(mobi, {**BLOCKS, "extra": ["PERV1"]}, pls.ECSI_PATHS)
    with pytest.raises(pls.PLSError, match="cycle: value → satisfaction → value"):
        pls.fit_pls(mobi, BLOCKS, [*pls.ECSI_PATHS, ("satisfaction", "value")])
    with pytest.raises(pls.PLSError, match="'modes' setting names 'qualty', which is not"):
        pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS, modes={"qualty": "B"})
    collinear = mobi.assign(PERQ8=mobi["PERQ1"] + mobi["PERQ2"])
    with pytest.raises(pls.PLSError, match="Mode B block 'quality' has collinear indicators"):
        pls.fit_pls(
            collinear,
            {**BLOCKS, "quality": [*BLOCKS["quality"], "PERQ8"]},
            pls.ECSI_PATHS,
            modes={"quality": "B"},
        )


def test_paths_setting_from_yaml_strings(mobi, seminr):
    spec = ["Image -> satisfaction", "expectation → satisfaction", " value->satisfaction "]
    assert pls.parse_paths(spec, SEMINR) == [
        ("image", "satisfaction"),
        ("expectation", "satisfaction"),
        ("value", "satisfaction"),
    ]
    res = pls.fit_pls(mobi, SEMINR, spec)
    np.testing.assert_allclose(res.paths["coef"], seminr.paths["coef"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["image -> loyalti"], "names 'loyalti', which is not a block; blocks: image, "),
        (["image > satisfaction"], "'image > satisfaction' is not of the form 'source -> "),
        (["image -> value -> satisfaction"], "is not of the form"),
        ([42], "42 is not of the form"),
        (["value -> value"], "goes from block 'value' to itself"),
        (["image -> value", "image->value"], "image → value is given twice"),
        (
            ["image -> value", "value -> expectation", "expectation -> image", "value -> "
             "satisfaction"],
            "cycle: image → value → expectation → image",
        ),
        (["image -> value", "value -> satisfaction"], "Block(s) expectation have no path"),
        ("path", "'path' is not a preset (ecsi, acsi)"),
        (12, "must be a preset name or a list"),
    ],
)  # fmt: skip
def test_bad_paths_settings_name_the_block(spec, message):
    with pytest.raises(pls.PLSError) as err:
        pls.parse_paths(spec, SEMINR)
    assert message in str(err.value)


def test_presets(mobi):
    assert pls.PRESETS == ("ecsi", "acsi")
    assert pls.parse_paths("ECSI", BLOCKS) == list(pls.ECSI_PATHS)
    no_complaints = {k: v for k, v in BLOCKS.items() if k != "complaints"}
    assert len(pls.ecsi_paths(no_complaints)) == 10
    acsi = {k: v for k, v in BLOCKS.items() if k != "image"}
    paths = pls.parse_paths("acsi", acsi)
    assert paths == pls.acsi_paths(acsi) == list(pls.ACSI_PATHS)
    assert ("expectation", "satisfaction") in paths and ("complaints", "loyalty") in paths
    assert not any("image" in p for p in paths)
    res = pls.fit_pls(mobi, acsi, "acsi")
    assert len(res.paths) == 9 and set(res.r2.index) == set(pls.ACSI_BLOCKS) - {"expectation"}
    with pytest.raises(pls.PLSError, match="The ACSI model has no block 'image'"):
        pls.parse_paths("acsi", BLOCKS)
    with pytest.raises(pls.PLSError, match="Unknown PLS model preset 'csi'"):
        pls.preset_paths("csi", BLOCKS)


def test_ecsi_blocks_from_survey_dimension_names():
    class Item:
        def __init__(self, code):
            self.code = code

    class Survey:
        dimensions = ["Customer expectations", "Perceived quality", "Customer satisfaction"]

        def items_of(self, d):
            return [Item(f"{d.split()[-1][:4]}{i}") for i in (1, 2)]

    assert pls.ecsi_blocks(Survey()) == {
        "expectation": ["expe1", "expe2"],
        "quality": ["qual1", "qual2"],
        "satisfaction": ["sati1", "sati2"],
    }


def test_servqual_model_on_the_sample(sample_dir):
    from cxreport.data import load

    data = load(sample_dir, "2026-10")
    blocks, paths = pls.servqual_model(data.config.survey, data.survey)
    assert ("satisfaction", "loyalty") in paths
    assert blocks["satisfaction"] == ["overall_satisfaction"]
    assert pls.ecsi_blocks(data.config.survey) is None  # SERVQUAL, not ECSI, dimensions
    no_overall = data.survey.drop(columns="overall_satisfaction")
    blocks, paths = pls.servqual_model(data.config.survey, no_overall)
    assert "satisfaction" not in blocks and ("tangibles", "loyalty") in paths
    fit = pls.fit_pls(no_overall, blocks, paths)
    effects = fit.total_effects("loyalty")
    assert effects["tangibles"] == pytest.approx(fit.path("tangibles", "loyalty"))
    with pytest.raises(pls.PLSError, match="needs an outcome: the overall-satisfaction column"):
        pls.servqual_model(data.config.survey, no_overall.drop(columns="nps"))


def test_total_effects_add_the_indirect_routes(mobi):
    fit = pls.fit_pls(mobi, BLOCKS, pls.ECSI_PATHS)
    p = fit.path
    via_quality = p("expectation", "quality") * (
        p("quality", "satisfaction") + p("quality", "value") * p("value", "satisfaction")
    )
    want = (
        p("expectation", "satisfaction")
        + via_quality
        + p("expectation", "value") * p("value", "satisfaction")
    )
    assert fit.total_effects("satisfaction")["expectation"] == pytest.approx(want)
    assert fit.total_effects("satisfaction")["loyalty"] == 0
