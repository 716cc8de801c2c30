"""Customer satisfaction index (CSI): weighted survey items on a common 0-100 scale.

The recipe (``cx-methods.md`` §1.4, GB/T 19038-2009, ACSI formula):

1. every item is rescaled to 0-100 with its own declared scale, ``(x - min)/(max - min)·100``
   (items on mixed scales are allowed);
2. weights (Σ = 1) come from stated importance (the ``<item>_imp`` columns or a 100-point
   allocation), from derived importance (Johnson relative weights of overall satisfaction on
   the dimension scores, and on the items within each dimension) or are equal;
3. the dimension index is the weighted mean of its items' mean scores, the CSI the weighted
   sum over dimensions (= Σ item weight · item mean);
4. uncertainty: respondents are bootstrapped (weights held fixed), seeded.

All functions are pure: DataFrames in, DataFrames / small dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from .data.config import SurveyModel
from .drivers import DriverError, relative_weights
from .errors import CxReportError, ParameterError, check_int
from .i18n import DEFAULT, N_, _, code, language, month, number, percent
from .settings import Setting, check

WEIGHT_METHODS = ("stated", "derived", "equal")
OVERALL = "csi"
QUADRANTS = {
    (True, False): N_("concentrate here"),
    (True, True): N_("keep up the good work"),
    (False, False): N_("low priority"),
    (False, True): N_("possible overkill"),
}
#: The weighting methods in the reader's words.
WEIGHT_NAMES = {"stated": N_("stated"), "derived": N_("derived"), "equal": N_("equal")}


# --------------------------------------------------------------------------- checks
def _check_int(name: str, value, lo: int, hi: float = np.inf) -> int:
    return check_int(name, value, lo, None if hi == np.inf else int(hi))


def _check_confidence(confidence) -> float:
    number = isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
    if not number or not 0 < confidence < 1:
        raise ParameterError(
            f"The 'confidence' parameter must be a float in (0, 1); got {confidence!r}."
        )
    return float(confidence)


class CSIError(CxReportError, ValueError):
    """The survey cannot give the CSI that was asked for (no item columns, bad weights)."""


# --------------------------------------------------------------------------- rescaling
def present_items(survey: pd.DataFrame, model: SurveyModel) -> list[str]:
    """Item codes of the model that have a perception column in ``survey`` (model order).

    Parameters
    ----------
    survey : DataFrame
        Survey responses.
    model : SurveyModel
        Items, dimensions and scales (``run.data.config.survey``).

    Returns
    -------
    list of str
    """
    return [i.code for i in model.items if i.code in survey.columns]


def scale_table(model: SurveyModel, survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Items, their dimension and declared scale, and how each is mapped onto 0-100.

    Parameters
    ----------
    model : SurveyModel
        Items, dimensions and scales.
    survey : DataFrame, optional
        With it, ``in_data`` says whether the survey has the item's column (without it,
        True for every item).

    Returns
    -------
    DataFrame
        One row per item of the model: ``item``, ``dimension``, ``text`` (translated when the
        catalogue has it), ``scale_min``, ``scale_max``, ``rescaling`` (the formula) and
        ``in_data``.
    """
    rows = []
    for it in model.items:
        lo, hi = it.scale
        rows.append(
            {
                "item": it.code,
                "dimension": it.dimension,
                "text": _(it.text),  # the shipped SERVQUAL items are in the catalogue
                "scale_min": lo,
                "scale_max": hi,
                "rescaling": f"(x − {lo:g}) / {hi - lo:g} × 100",
                "in_data": survey is None or it.code in survey.columns,
            }
        )
    return pd.DataFrame(rows)


def mixed_scales(model: SurveyModel) -> bool:
    """True when the items are not all on the same declared scale.

    Parameters
    ----------
    model : SurveyModel
        Items, dimensions and scales.

    Returns
    -------
    bool
    """
    return len({i.scale for i in model.items}) > 1


def rescale(survey: pd.DataFrame, model: SurveyModel, *, suffix: str = "") -> pd.DataFrame:
    """Item answers (``<item><suffix>`` columns) rescaled to 0-100 with each item's own scale.

    Columns are the item codes (without suffix) present in ``survey``; missing answers stay NaN.

    Parameters
    ----------
    survey : DataFrame
        Survey responses; answers that are not numbers count as missing.
    model : SurveyModel
        Items and their declared scales ``(min, max)``.
    suffix : str, default=""
        Column suffix of the answers: ``""`` for perceptions, e.g. ``model.importance_suffix``
        or ``model.expectation_suffix`` for the other answers.

    Returns
    -------
    DataFrame
        ``(x - min) / (max - min) * 100`` per item, index that of ``survey``.
    """
    out = {}
    for it in model.items:
        col = it.code + suffix
        if col in survey.columns:
            lo, hi = it.scale
            out[it.code] = (
                (pd.to_numeric(survey[col], errors="coerce").astype(float) - lo) / (hi - lo) * 100
            )
    return pd.DataFrame(out, index=survey.index)


def dimension_scores(scores: pd.DataFrame, weights: CSIWeights) -> pd.DataFrame:
    """Per-respondent dimension indices and CSI (0-100) from rescaled item scores.

    Items a respondent skipped are left out and the remaining weights renormalised.

    Parameters
    ----------
    scores : DataFrame
        Item scores on 0-100, columns the item codes (:func:`rescale`).
    weights : CSIWeights
        Item weights within each dimension and the dimension weights.

    Returns
    -------
    DataFrame
        Index that of ``scores``; one column per dimension of ``weights.dimensions``, then
        ``"csi"``. NaN where a respondent answered none of its items.
    """
    out = {}
    for dim in weights.dimensions.index:
        w = weights.within.get(dim)
        cols = [c for c in w.index if c in scores]
        if not cols:
            out[dim] = pd.Series(np.nan, index=scores.index)
            continue
        x = scores[cols].to_numpy(float)
        ww = np.broadcast_to(w[cols].to_numpy(float), x.shape)
        m = ~np.isnan(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[dim] = pd.Series(
                np.nansum(np.where(m, x * ww, 0), axis=1) / np.where(m, ww, 0).sum(axis=1),
                index=scores.index,
            )
    dims = pd.DataFrame(out, index=scores.index)
    x = dims.to_numpy(float)
    wd = np.broadcast_to(weights.dimensions[dims.columns].to_numpy(float), x.shape)
    m = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        dims[OVERALL] = np.where(m, x * wd, 0).sum(axis=1) / np.where(m, wd, 0).sum(axis=1)
    return dims


# --------------------------------------------------------------------------- weights
@dataclass(frozen=True)
class CSIWeights:
    """Weights of the CSI.

    Attributes
    ----------
    method : str
        The method actually used (``"stated"``, ``"derived"`` or ``"equal"``); may differ from
        the one asked for after a fallback, which ``notes`` explains.
    dimensions : Series
        Weight of each dimension in the CSI (sums to 1), in model order.
    within : dict of Series
        Weight of each item within its dimension (each sums to 1).
    notes : list of str
        What was done and why (normalisation, fallbacks).
    requested : str
        The method asked for.
    """

    method: str
    dimensions: pd.Series
    within: dict[str, pd.Series]
    notes: list[str] = field(default_factory=list)
    requested: str = ""

    @property
    def items(self) -> pd.Series:
        """Overall weight of each item (dimension weight × weight within it; sums to 1).

        Returns
        -------
        Series
            Index the item codes, dimension by dimension.
        """
        parts = [w * self.dimensions[d] for d, w in self.within.items()]
        return pd.concat(parts) if parts else pd.Series(dtype=float)

    def table(self) -> pd.DataFrame:
        """Dimension and item weights as a tidy table, for display and export.

        Returns
        -------
        DataFrame
            One row per item: ``dimension``, ``dimension_weight``, ``item``,
            ``weight_in_dimension`` and ``item_weight`` (their product).
        """
        rows = []
        for d, w in self.within.items():
            for item, v in w.items():
                rows.append(
                    {
                        "dimension": d,
                        "dimension_weight": self.dimensions[d],
                        "item": item,
                        "weight_in_dimension": v,
                        "item_weight": v * self.dimensions[d],
                    }
                )
        return pd.DataFrame(rows)


def normalise_weights(
    weights: Mapping[str, float] | pd.Series, *, what: str = "weights"
) -> tuple[pd.Series, list[str]]:
    """Weights scaled to sum to 1, with a note when they did not already.

    Parameters
    ----------
    weights : mapping or Series
        Name -> weight (numbers >= 0, not all zero).
    what : str, default="weights"
        What the weights are, for the error and the note (translated in the note).

    Returns
    -------
    weights : Series
        The weights divided by their sum.
    notes : list of str
        A note when they did not sum to 1; else empty.

    Raises
    ------
    ValueError
        When a weight is negative or missing, or all are zero.
    """
    w = pd.Series(weights, dtype=float)
    if w.isna().any() or (w < 0).any():
        bad = ", ".join(f"{k}={v}" for k, v in w[w.isna() | (w < 0)].items())
        raise CSIError(f"The {what} must be numbers ≥ 0; got {bad}.")
    total = float(w.sum())
    if total <= 0:
        raise CSIError(f"The {what} must not all be zero.")
    notes = []
    if abs(total - 1) > 1e-9:
        notes.append(
            _(
                "The {what} summed to {total}, not 1; they were divided by {total} so "
                "that they sum to 1 (relative sizes unchanged).",
                what=_(what),
                total=f"{total:g}",
            )
        )
    return w / total, notes


def _equal(model: SurveyModel, items: list[str]) -> tuple[pd.Series, dict[str, pd.Series]]:
    within = {}
    for d in model.dimensions:
        codes = [i.code for i in model.items_of(d) if i.code in items]
        if codes:
            within[d] = pd.Series(1 / len(codes), index=codes)
    dims = pd.Series(1 / len(within), index=list(within)) if within else pd.Series(dtype=float)
    return dims, within


@dataclass(frozen=True)
class _WeightsStart:
    """What every weighting method starts from: the items present, equal weights, the notes
    so far (a list that the method goes on filling) and the method asked for."""

    items: list[str]
    eq_dims: pd.Series
    eq_within: dict[str, pd.Series]
    notes: list[str]
    requested: str

    def fallback(self, why: str) -> CSIWeights:
        """Equal weights, with the notes so far and why the requested ones were not used."""
        why = _("{why} Equal weights are used instead.", why=why)
        return CSIWeights("equal", self.eq_dims, self.eq_within, [*self.notes, why], self.requested)


def _weights_start(survey: pd.DataFrame, model: SurveyModel, weights: str) -> _WeightsStart:
    """The items present (at least one), their equal weights, a note on the missing ones."""
    items = present_items(survey, model)
    if not items:
        raise CSIError(
            "The survey has none of the declared item columns "
            f"({', '.join(model.item_codes[:6])}...); declare your items under survey.items "
            "in cxreport.yaml."
        )
    eq_dims, eq_within = _equal(model, items)
    notes: list[str] = []
    missing = [c for c in model.item_codes if c not in items]
    if missing:
        notes.append(
            _(
                "Item(s) without a column in the survey, left out: {items}.",
                items=", ".join(missing),
            )
        )
    return _WeightsStart(items, eq_dims, eq_within, notes, weights)


def _equal_weights(start: _WeightsStart) -> CSIWeights:
    """Equal weights, as asked for: 1/k per dimension, items equal within their dimension."""
    start.notes.append(
        _(
            "Equal weights: each of the {k} dimensions 1/{k}, items equal within their dimension.",
            k=len(start.eq_dims),
        )
    )
    return CSIWeights("equal", start.eq_dims, start.eq_within, start.notes, start.requested)


def _stated_within(
    survey: pd.DataFrame, model: SurveyModel, start: _WeightsStart
) -> tuple[dict[str, pd.Series], dict[str, float]]:
    """Item weights within each dimension by mean stated importance (equal where not asked
    of every item), and each fully asked dimension's mean importance."""
    imp = rescale(survey, model, suffix=model.importance_suffix)
    within, means = {}, {}
    for d, codes in start.eq_within.items():
        cols = [c for c in codes.index if c in imp and imp[c].notna().any()]
        if len(cols) == len(codes):
            m = imp[cols].mean()
            within[d] = (m / m.sum()) if m.sum() > 0 else codes
            means[d] = float(m.mean())
        else:
            within[d] = codes
    return within, means


def _given_weights(
    start: _WeightsStart, stated: Mapping[str, float], within: dict[str, pd.Series]
) -> CSIWeights:
    """Stated weights from dimension weights given (every dimension, normalised)."""
    eq_dims = start.eq_dims
    unknown = sorted(set(stated) - set(eq_dims.index))
    if unknown:
        raise CSIError(
            f"Stated weights name unknown dimension(s) {', '.join(unknown)}; the "
            f"dimensions are {', '.join(eq_dims.index)}."
        )
    absent = [d for d in eq_dims.index if d not in stated]
    if absent:
        raise CSIError(
            f"Stated weights must give every dimension a weight; missing: {', '.join(absent)}."
        )
    dims, n = normalise_weights(
        {d: stated[d] for d in eq_dims.index}, what=N_("stated dimension weights")
    )
    start.notes.extend(
        n
        + [
            _(
                "Stated weights: dimension weights as given (normalised); items "
                "within a dimension by their mean stated importance where asked."
            )
        ]
    )
    return CSIWeights("stated", dims, within, start.notes, start.requested)


def _stated_weights(
    survey: pd.DataFrame,
    model: SurveyModel,
    start: _WeightsStart,
    stated: Mapping[str, float] | None,
) -> CSIWeights:
    """Stated weights: the dimension weights given, else the mean importance answers."""
    within, means = _stated_within(survey, model, start)
    if stated is not None:
        return _given_weights(start, stated, within)
    if len(means) < len(start.eq_dims):
        return start.fallback(
            _(
                "Stated weights need the importance columns (<item>{suffix}); some "
                "dimensions have none.",
                suffix=model.importance_suffix,
            )
        )
    dims, _total = normalise_weights(means, what=N_("stated importance means"))
    start.notes.append(
        _(
            "Stated weights: each item's mean importance answer (rescaled 0-100) divided by "
            "the sum within its dimension; each dimension's weight is its mean item "
            "importance, normalised to sum to 1. Stated importance is often high for "
            "everything (ceiling effect), so these weights tend to be flat."
        )
    )
    return CSIWeights("stated", dims, within, start.notes, start.requested)


def _derived_weights(
    survey: pd.DataFrame, model: SurveyModel, start: _WeightsStart, outcome: str
) -> CSIWeights:
    """Derived weights: Johnson relative weights of ``outcome`` on the dimension scores and,
    within each dimension, on its items."""
    if outcome not in survey.columns:
        return start.fallback(
            _(
                "Derived weights need the outcome column '{outcome}', which the survey does not "
                "have.",
                outcome=outcome,
            )
        )
    eq_dims, eq_within = start.eq_dims, start.eq_within
    scores = rescale(survey, model)
    tmp = CSIWeights("equal", eq_dims, eq_within)
    dims_frame = dimension_scores(scores, tmp).drop(columns=OVERALL)
    y = pd.to_numeric(survey[outcome], errors="coerce")
    try:
        dres = relative_weights(dims_frame, y) if dims_frame.shape[1] > 1 else None
        within = {}
        for d, codes in eq_within.items():
            if len(codes) > 1:
                w = relative_weights(scores[list(codes.index)], y).weights
                within[d] = w / w.sum() if w.sum() > 0 else codes
            else:
                within[d] = codes
    except DriverError as exc:
        return start.fallback(_("Derived weights could not be computed: {error}", error=exc))
    if dres is None:
        dims = eq_dims
    else:
        dims, _total = normalise_weights(dres.weights, what=N_("relative weights"))
        start.notes.append(
            _(
                "Derived weights: Johnson relative weights of '{outcome}' on the dimension "
                "scores (R² {r2}, n = {n}), normalised to sum to 1; items within a dimension by "
                "their relative weights for the same outcome.",
                outcome=outcome,
                r2=number(dres.r2, 2),
                n=number(dres.n),
            )
        )
    return CSIWeights("derived", dims, within, start.notes, start.requested)


def compute_weights(
    survey: pd.DataFrame,
    model: SurveyModel,
    *,
    weights: str = "derived",
    outcome: str = "overall_satisfaction",
    stated: Mapping[str, float] | None = None,
) -> CSIWeights:
    """Weights of dimensions and items for the CSI.

    Parameters
    ----------
    survey : DataFrame
        Survey responses with the item columns (and ``<item>_imp``/``outcome`` as needed).
    model : SurveyModel
        Items, dimensions and scales (``run.data.config.survey``).
    weights : {"derived", "stated", "equal"}, default="derived"
        ``"derived"``: Johnson relative weights of ``outcome`` regressed on the dimension
        scores (dimension weights) and on each dimension's items (item weights), normalised.
        ``"stated"``: ``stated`` dimension weights if given (e.g. a 100-point allocation),
        else the mean rescaled ``<item>_imp`` answers; items within a dimension by their mean
        importance. ``"equal"``: 1/k.
    outcome : str, default="overall_satisfaction"
        Column the derived importance explains.
    stated : mapping, optional
        Dimension → stated weight; normalised to sum to 1 (with a note) when it does not.

    Returns
    -------
    CSIWeights
        Falls back to equal weights, with a note saying why, when the requested weights cannot
        be computed (no importance answers, no outcome, no variance).
    """
    if weights not in WEIGHT_METHODS:
        raise ParameterError(
            f"The 'weights' parameter must be one of {', '.join(WEIGHT_METHODS)}; got {weights!r}."
        )
    start = _weights_start(survey, model, weights)
    if weights == "equal":
        return _equal_weights(start)
    if weights == "stated":
        return _stated_weights(survey, model, start, stated)
    return _derived_weights(survey, model, start, outcome)


# --------------------------------------------------------------------------- the index
@dataclass(frozen=True)
class CSIResult:
    """CSI and dimension indices with bootstrap confidence intervals.

    ``table`` has one row per index (``"csi"`` first, then the dimensions in model order):
    ``index``, ``score``, ``ci_low``, ``ci_high``, ``n`` (respondents with an answer),
    ``weight`` (weight in the CSI; 1 for the CSI itself).
    ``items`` has one row per item: ``item``, ``dimension``, ``score``, ``ci_low``,
    ``ci_high``, ``n``, ``weight``.
    """

    table: pd.DataFrame
    items: pd.DataFrame
    weights: CSIWeights
    n: int
    confidence: float
    notes: list[str] = field(default_factory=list)

    def score(self, index: str = OVERALL) -> float:
        """The score (0-100) of one index of ``table``.

        Parameters
        ----------
        index : str, default=OVERALL
            ``"csi"`` or a dimension.

        Returns
        -------
        float
        """
        return float(self.table.set_index("index").loc[index, "score"])


#: From this many responses the bootstrap's resamples are drawn from its normal limit (the
#: item means' covariance, estimated as the bootstrap estimates it) instead of by resampling
#: respondents: at this size the two give the same intervals (tested), and resampling cost
#: seconds per group and month at 1M customers (1,000 resamples of 70,000 responses).
NORMAL_FROM = 20_000


def bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap column means (NaN-aware) of ``x`` (n × p) -> (n_boot × p): resampled below
    :data:`NORMAL_FROM` rows, drawn from the normal limit from there on.

    Parameters
    ----------
    x : ndarray of shape (n, p)
        Values, NaN where missing (a mean is over a column's answers).
    n_boot : int
        Number of resamples.
    rng : numpy.random.Generator
        Draws the resamples.

    Returns
    -------
    ndarray of shape (n_boot, p)
        The column means of each resample.
    """
    if x.shape[0] >= NORMAL_FROM:
        return _normal_means(x, n_boot, rng)
    return _resampled_means(x, n_boot, rng)


def _resampled_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column means of ``n_boot`` resamples of the rows of ``x``, drawn as multinomial counts
    in batches of at most about 32 MB, so memory stays bounded at any n (one n_boot × n
    matrix was 800 MB at 100,000 responses); the draws are the same as in one batch."""
    n = x.shape[0]
    m = ~np.isnan(x)
    values, present = np.where(m, x, 0.0), m.astype(float)
    batch = max(1, (32 * 2**20) // (8 * max(n, 1)))
    out = np.empty((n_boot, x.shape[1]))
    for start in range(0, n_boot, batch):
        size = min(batch, n_boot - start)
        counts = rng.multinomial(n, np.full(n, 1 / n), size=size).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + size] = (counts @ values) / (counts @ present)
    return out


def _normal_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` draws of the column means of ``x`` from their normal limit: the means, and
    the covariance of the respondents' influence on them (a column's mean over its answers:
    influence ``(x_ij - mean_j) / n_j`` where answered), which is the covariance the
    bootstrap converges to. A column without answers stays missing."""
    present = ~np.isnan(x)
    count = present.sum(axis=0)
    out = np.full((n_boot, x.shape[1]), np.nan)
    ok = count > 0
    if not ok.any():
        return out
    means = np.nansum(x[:, ok], axis=0) / count[ok]
    influence = np.where(present[:, ok], x[:, ok] - means, 0.0) / count[ok]
    cov = influence.T @ influence
    out[:, ok] = rng.multivariate_normal(means, cov, size=n_boot, check_valid="ignore")
    return out


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    v = values[~np.isnan(values)]
    if len(v) < 2:
        return np.nan, np.nan
    half = _st.t.ppf(0.5 + confidence / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return v.mean() - half, v.mean() + half


@dataclass(frozen=True)
class _ItemMeans:
    """The weighted items' mean scores (0-100) and their bootstrap resamples."""

    cols: list[str]  # the weighted items the survey has
    x: np.ndarray  # respondents × items
    means: np.ndarray  # items
    boots: np.ndarray  # resamples × items
    n: int  # responses
    a: float  # the probability outside each end of an interval


def _item_means(
    scores: pd.DataFrame,
    item_w: pd.Series,
    n: int,
    n_boot: int,
    rng: np.random.Generator,
    confidence: float,
) -> _ItemMeans:
    """The items' means over the ``n`` responses and ``n_boot`` bootstrap resamples of them."""
    cols = [c for c in item_w.index if c in scores]
    x = scores[cols].to_numpy(float)
    a = (1 - confidence) / 2
    means = np.nanmean(x, axis=0) if n else np.full(len(cols), np.nan)
    boots = bootstrap_means(x, n_boot, rng) if n else np.full((n_boot, len(cols)), np.nan)
    return _ItemMeans(cols, x, means, boots, n, a)


def _item_table(model: SurveyModel, m: _ItemMeans, item_w: pd.Series) -> pd.DataFrame:
    """One row per item: its score, percentile interval, answers and weight."""
    a = m.a
    item_rows = []
    for j, c in enumerate(m.cols):
        lo, hi = np.nanquantile(m.boots[:, j], [a, 1 - a]) if m.n > 1 else (np.nan, np.nan)
        dim = next(i.dimension for i in model.items if i.code == c)
        item_rows.append(
            {
                "item": c,
                "dimension": dim,
                "score": m.means[j],
                "ci_low": lo,
                "ci_high": hi,
                "n": int(np.sum(~np.isnan(m.x[:, j]))),
                "weight": float(item_w[c]),
            }
        )
    return pd.DataFrame(item_rows)


def _combine(m: _ItemMeans, wvec: np.ndarray, idx: list[int]) -> tuple[float, np.ndarray]:
    """The weighted mean of the items ``idx`` (over those answered) and its resamples."""
    w = wvec / wvec.sum()
    point = float(np.nansum(m.means[idx] * w) / np.sum(w[~np.isnan(m.means[idx])]))
    b = m.boots[:, idx]
    ok = ~np.isnan(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        bb = np.where(ok, b * w, 0).sum(axis=1) / np.where(ok, w, 0).sum(axis=1)
    return point, bb


def _index_table(
    m: _ItemMeans,
    weights: CSIWeights,
    item_w: pd.Series,
    per_resp: pd.DataFrame,
    small: bool,
    confidence: float,
) -> pd.DataFrame:
    """One row per index (the CSI, then each dimension): score, interval (widened to the t
    interval when ``small``), answers and weight."""
    cols, n, a = m.cols, m.n, m.a
    rows = []
    targets = [(OVERALL, cols, 1.0)] + [
        (d, [c for c in weights.within[d].index if c in cols], float(weights.dimensions[d]))
        for d in weights.dimensions.index
    ]
    for name, icols, wt in targets:
        idx = [cols.index(c) for c in icols]
        point, bb = _combine(m, item_w[icols].to_numpy(float), idx)
        lo, hi = np.nanquantile(bb, [a, 1 - a]) if n > 1 else (np.nan, np.nan)
        if small:
            tl, th = _t_interval(per_resp[name].to_numpy(float), confidence)
            lo, hi = (min(lo, tl), max(hi, th)) if n > 1 else (np.nan, np.nan)
        rows.append(
            {
                "index": name,
                "score": point if n else np.nan,
                "ci_low": lo,
                "ci_high": hi,
                "n": int(per_resp[name].notna().sum()),
                "weight": wt,
            }
        )
    return pd.DataFrame(rows)


def compute_csi(
    survey: pd.DataFrame,
    model: SurveyModel,
    weights: CSIWeights,
    *,
    n_boot: int = 1000,
    seed: int = 42,
    confidence: float = 0.95,
    min_n: int = 30,
) -> CSIResult:
    """The CSI and its dimension indices (0-100) with percentile-bootstrap intervals.

    Parameters
    ----------
    survey : DataFrame
        The responses to summarise (e.g. one month).
    model : SurveyModel
        Items, dimensions and scales.
    weights : CSIWeights
        From :func:`compute_weights`; held fixed in the bootstrap.
    n_boot : int, default=1000
        Bootstrap resamples of respondents.
    seed : int, default=42
        Seed of the resampling.
    confidence : float, default=0.95
        Interval coverage.
    min_n : int, default=30
        Below this many respondents the interval is widened to at least the t interval of the
        respondents' scores (the percentile bootstrap is too narrow in small samples) and a note
        is added.

    Returns
    -------
    CSIResult
    """
    n_boot = _check_int("n_boot", n_boot, 100, 100_000)
    min_n = _check_int("min_n", min_n, 2)
    confidence = _check_confidence(confidence)
    rng = np.random.default_rng(seed)
    scores = rescale(survey, model)
    item_w = weights.items
    n = len(survey)
    notes: list[str] = []
    per_resp = dimension_scores(scores, weights)
    m = _item_means(scores, item_w, n, n_boot, rng, confidence)
    items = _item_table(model, m, item_w)
    small = n < min_n
    table = _index_table(m, weights, item_w, per_resp, small, confidence)
    if small:
        notes.append(
            _(
                "Only {n} response(s) (< {min_n}): the interval was widened to at least the t "
                "interval; read the scores as indicative.",
                n=n,
                min_n=min_n,
            )
        )
    return CSIResult(table, items, weights, n, confidence, notes)


# --------------------------------------------------------------------------- breakdowns
def csi_by_group(
    survey: pd.DataFrame,
    model: SurveyModel,
    weights: CSIWeights,
    groups: pd.Series,
    *,
    n_boot: int = 1000,
    seed: int = 42,
    confidence: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """CSI and dimension indices per group (long table: group, index, score, CI, n, few).

    ``groups`` is aligned on ``survey``'s index; rows with a missing group are left out.
    ``few`` marks groups with fewer than ``min_n`` respondents.

    Parameters
    ----------
    survey : DataFrame
        The responses.
    model : SurveyModel
        Items, dimensions and scales.
    weights : CSIWeights
        From :func:`compute_weights`; the same for every group.
    groups : Series
        The group of each response.
    n_boot : int, default=1000
        As in :func:`compute_csi`.
    seed : int, default=42
        Seed of the first group's resampling; the k-th group (in sorted order, from 0) uses
        ``seed + k``.
    confidence : float, default=0.95
        Interval coverage.
    min_n : int, default=30
        As in :func:`compute_csi`.

    Returns
    -------
    DataFrame
        Columns ``group``, ``index``, ``score``, ``ci_low``, ``ci_high``, ``n``, ``weight``,
        ``few``; groups in sorted order.
    """
    g = pd.Series(groups, index=survey.index)
    out = []
    # each group's rows taken by position: iterating the groups as frames sorted a copy of
    # the whole survey first (the CSI page's peak of memory at a million customers)
    at = pd.Series(np.arange(len(survey)), index=survey.index)
    for k, (name, idx) in enumerate(at.groupby(g, sort=True, dropna=True)):
        part = survey.iloc[idx.to_numpy()]
        res = compute_csi(
            part, model, weights, n_boot=n_boot, seed=seed + k, confidence=confidence, min_n=min_n
        )
        t = res.table.copy()
        t.insert(0, "group", name)
        t["few"] = len(part) < min_n
        out.append(t)
    cols = ["group", "index", "score", "ci_low", "ci_high", "n", "weight", "few"]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)


def survey_until(data, *, months: int | None = None) -> pd.DataFrame:
    """Responses up to the end of the reporting month (all of them when undated): the survey
    table itself when that is all of it, so copy it before adding a column.

    Parameters
    ----------
    data : Dataset
        ``run.data``; needs the survey table.
    months : int, optional
        Only the responses of the last ``months`` months up to the reporting month (default:
        all up to its end). Not used for an undated survey.

    Returns
    -------
    DataFrame
    """
    if "date" not in data.columns("survey") or data.month is None:
        return data.survey
    if months is not None:  # only those months' responses are read
        start = (data.month - (months - 1)).start_time
        return data.table("survey", within=("date", start, data.month_end))
    sv = data.survey
    keep = sv["date"] < data.month_end
    # every response (the usual case for the latest month): the table itself, which the
    # run's copy then keeps for whoever asks next while this is held. Neither a copy nor a
    # shallow one: the copy keeps a table only while the frame it gave is held, so a
    # shallow copy made every later call read the half gigabyte again, beside this one.
    return sv if keep.all() else sv[keep]


def month_labels(data) -> pd.Series:
    """Calendar month (Period) of each response; NaT when undated.

    Parameters
    ----------
    data : Dataset
        ``run.data``; needs the survey table.

    Returns
    -------
    Series
        Index that of the survey table.
    """
    sv = data.survey
    if "date" not in sv.columns:
        return pd.Series(pd.NaT, index=sv.index)
    return sv["date"].dt.to_period("M")


def by_month(
    data,
    weights: CSIWeights,
    *,
    n_boot: int = 1000,
    seed: int = 42,
    confidence: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Every index (CSI and dimensions) per month up to the reporting month (long table).

    Columns: ``month`` (YYYY-MM), ``index``, ``score``, ``ci_low``, ``ci_high``, ``n``, ``few``.
    An undated survey is a single period labelled with the reporting month.

    Parameters
    ----------
    data : Dataset
        ``run.data``; needs the survey table (model: ``data.config.survey``).
    weights : CSIWeights
        From :func:`compute_weights`; the same for every month.
    n_boot : int, default=1000
        As in :func:`compute_csi`.
    seed : int, default=42
        As in :func:`csi_by_group` (the k-th month uses ``seed + k``).
    confidence : float, default=0.95
        Interval coverage.
    min_n : int, default=30
        As in :func:`compute_csi`.

    Returns
    -------
    DataFrame
        The columns above, months in order.
    """
    sv = survey_until(data)
    model = data.config.survey
    if "date" not in sv.columns:
        label = str(data.month) if data.month is not None else "all"
        res = compute_csi(
            sv, model, weights, n_boot=n_boot, seed=seed, confidence=confidence, min_n=min_n
        )
        t = res.table.assign(month=label, few=len(sv) < min_n)
    else:
        # grouped by the month itself, named as text after: a text label per response took
        # 1.2 GB at a million customers' answers
        t = csi_by_group(
            sv,
            model,
            weights,
            sv["date"].dt.to_period("M"),
            n_boot=n_boot,
            seed=seed,
            confidence=confidence,
            min_n=min_n,
        )
        t = t.rename(columns={"group": "month"})
        t["month"] = t["month"].astype(str)
    return t[["month", "index", "score", "ci_low", "ci_high", "n", "few"]].reset_index(drop=True)


def csi_by_month(
    data,
    *,
    weights: str = "derived",
    n_boot: int = 1000,
    seed: int = 42,
    min_n: int = 30,
) -> pd.DataFrame:
    """The CSI month by month, for other notebooks (e.g. SWOT).

    Weights are computed once on all responses up to the reporting month (so that a change in
    the CSI is a change in satisfaction, not in weights) with the default method.

    Parameters
    ----------
    data : Dataset
        ``run.data``; needs the survey table.
    weights : {"derived", "stated", "equal"}, default="derived"
    n_boot, seed, min_n
        As in :func:`compute_csi`.

    Returns
    -------
    DataFrame
        ``month`` (YYYY-MM), ``n``, ``csi``, ``ci_low``, ``ci_high``, ``few`` (fewer than
        ``min_n`` responses: interval widened, read as indicative).
    """
    data.require("The CSI", "survey")
    sv = survey_until(data)
    w = compute_weights(sv, data.config.survey, weights=weights)
    t = by_month(data, w, n_boot=n_boot, seed=seed, min_n=min_n)
    t = t[t["index"] == OVERALL].rename(columns={"score": "csi"})
    return t[["month", "n", "csi", "ci_low", "ci_high", "few"]].reset_index(drop=True)


# --------------------------------------------------------------------------- targets
def compare_targets(table: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """Dimension indices against each target/benchmark series (``targets`` table).

    Returns a long table: ``index``, ``score``, ``ci_low``, ``ci_high``, ``label``,
    ``target``, ``difference`` (score − target) and ``verdict`` ("above", "below" or
    "within CI" when the target lies inside the interval).

    Parameters
    ----------
    table : DataFrame
        ``CSIResult.table`` (``index``, ``score``, ``ci_low``, ``ci_high``).
    targets : DataFrame or None
        Columns ``dimension`` (an index of ``table``), ``target`` and optionally ``label``
        (missing: ``"target"``).

    Returns
    -------
    DataFrame
        One row per index and target; empty (with those columns) without targets.
    """
    cols = ["index", "score", "ci_low", "ci_high", "label", "target", "difference", "verdict"]
    if targets is None or targets.empty:
        return pd.DataFrame(columns=cols)
    t = targets.copy()
    t["label"] = t["label"].fillna(_("target")) if "label" in t else _("target")
    m = table.merge(t.rename(columns={"dimension": "index"}), on="index", how="inner")
    m["difference"] = m["score"] - m["target"]
    m["verdict"] = np.select(
        [m["target"] < m["ci_low"], m["target"] > m["ci_high"]], ["above", "below"], "within CI"
    )
    return m[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- priorities
def ipa(
    items: pd.DataFrame,
    *,
    importance: str = "weight",
    performance: str = "score",
    crosshair: str = "mean",
) -> tuple[pd.DataFrame, tuple[float, float]]:
    """Importance-performance analysis (Martilla & James 1977) over items or dimensions.

    Parameters
    ----------
    items : DataFrame
        One row per attribute with an importance column (a weight, any positive scale) and a
        performance column (0-100).
    importance, performance : str
        Column names.
    crosshair : {"mean", "midpoint"}, default="mean"
        Where the quadrant lines sit: the data means, or the scale mid-points (performance 50,
        importance 1/k of the total, i.e. an equal share).

    Returns
    -------
    (DataFrame, (x, y))
        The input with ``importance_pct`` (share of total importance, %), ``quadrant``,
        ``potential`` (CSI points gained if the attribute reached 100: share × (100 −
        score)/100) and ``priority`` (1 = fix first: "concentrate here" first, then by
        potential); and the cross-hair position (performance, importance_pct).
    """
    if crosshair not in ("mean", "midpoint"):
        raise ParameterError(
            f"The 'crosshair' parameter must be 'mean' or 'midpoint'; got {crosshair!r}."
        )
    df = items.copy()
    imp = df[importance].astype(float)
    df["importance_pct"] = 100 * imp / imp.sum()
    perf = df[performance].astype(float)
    if crosshair == "mean":
        cx, cy = float(perf.mean()), float(df["importance_pct"].mean())
    else:
        cx, cy = 50.0, 100.0 / len(df)
    df["quadrant"] = [
        QUADRANTS[(bool(i >= cy), bool(p >= cx))]
        for i, p in zip(df["importance_pct"], perf, strict=True)
    ]
    df["potential"] = df["importance_pct"] * (100 - perf) / 100
    order = df.assign(_c=df["quadrant"] != "concentrate here").sort_values(
        ["_c", "potential"], ascending=[True, False], kind="mergesort"
    )
    df.loc[order.index, "priority"] = np.arange(1, len(df) + 1)
    df["priority"] = df["priority"].astype(int)
    return df, (cx, cy)


def fix_first(ipa_table: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """The ``top`` attributes to improve first, from :func:`ipa`'s table.

    Parameters
    ----------
    ipa_table : DataFrame
        The first value :func:`ipa` returns (with ``priority``).
    top : int, default=5
        Number of rows (at least 1).

    Returns
    -------
    DataFrame
        The rows of ``priority`` 1 to ``top``, index reset.
    """
    top = _check_int("top", top, 1)
    return ipa_table.sort_values("priority", kind="mergesort").head(top).reset_index(drop=True)


# --------------------------------------------------------------------------- notebook helpers
@dataclass(frozen=True)
class Periods:
    """The reporting month's responses and the previous month's (None when undated)."""

    current: pd.DataFrame
    previous: pd.DataFrame | None
    current_label: str
    previous_label: str | None
    notes: list[str] = field(default_factory=list)


def periods(data) -> Periods:
    """This month's and last month's survey responses.

    An undated survey (no ``date`` column) is read as one period, labelled with the reporting
    month, and there is no previous month.

    Parameters
    ----------
    data : Dataset
        ``run.data``; needs the survey table.

    Returns
    -------
    Periods
    """
    label = str(data.month) if data.month is not None else _("all responses")
    if "date" not in data.columns("survey") or data.month is None:
        return Periods(
            data.survey,
            None,
            label,
            None,
            [
                _(
                    "The survey has no date column: all responses are read as one period; "
                    "no month-on-month comparison."
                )
            ],
        )
    cur = data.in_month("survey")
    prev = data.in_month("survey", month=data.month - 1)
    notes = []
    if cur.empty:
        notes.append(_("No survey responses in {month}.", month=month(data.month)))
    return Periods(
        cur, prev if len(prev) else None, label, str(data.month - 1) if len(prev) else None, notes
    )


def series_table(
    results: Mapping[str, pd.DataFrame],
    targets: pd.DataFrame | None = None,
    *,
    labels: Sequence[str] | None = None,
    dimensions_only: bool = True,
) -> pd.DataFrame:
    """Long table (``series``, ``index``, ``score``, ``ci_low``, ``ci_high``) for radar and dot
    charts: each CSI table under its label, then the target/benchmark rows (``labels`` picks
    which target labels; all by default).

    Parameters
    ----------
    results : mapping of str to DataFrame
        Series label -> CSI table (``CSIResult.table``).
    targets : DataFrame, optional
        Targets (``dimension``, ``target``, optionally ``label``), as for
        :func:`compare_targets`.
    labels : sequence of str, optional
        The target labels to add, in this order (default: all, in the table's order).
    dimensions_only : bool, default=True
        Leave out the CSI rows (``index == "csi"``) of the results.

    Returns
    -------
    DataFrame
        Empty when there is nothing to show.
    """
    parts = []
    for name, t in results.items():
        t = t[t["index"] != OVERALL] if dimensions_only else t
        parts.append(t[["index", "score", "ci_low", "ci_high"]].assign(series=name))
    if targets is not None and len(targets):
        t = targets.copy()
        t["label"] = t["label"].fillna(_("target")) if "label" in t else _("target")
        for lab in labels if labels is not None else list(dict.fromkeys(t["label"])):
            sub = t[t["label"] == lab]
            parts.append(
                pd.DataFrame(
                    {
                        "index": sub["dimension"],
                        "score": sub["target"],
                        "ci_low": np.nan,
                        "ci_high": np.nan,
                        "series": lab,
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out[["series", "index", "score", "ci_low", "ci_high"]] if len(out) else out


def customer_attribute(
    survey: pd.DataFrame,
    customers: pd.DataFrame | None,
    column: str,
) -> pd.Series | None:
    """A customer attribute (e.g. channel, region) for each response, via ``customer_id``.

    None when the survey has no ``customer_id``, the customers table is absent or lacks the
    column.

    Parameters
    ----------
    survey : DataFrame
        Survey responses.
    customers : DataFrame or None
        The customers table (its first row per ``customer_id`` is used).
    column : str
        The customers table's column.

    Returns
    -------
    Series or None
        Index that of ``survey``, name ``column``; NaN for a customer not in the table.
    """
    if customers is None or "customer_id" not in survey.columns or column not in customers.columns:
        return None
    lookup = customers.drop_duplicates("customer_id").set_index("customer_id")[column]
    return survey["customer_id"].map(lookup).rename(column)


def item_importance(
    survey: pd.DataFrame,
    model: SurveyModel,
    *,
    outcome: str = "overall_satisfaction",
    pls_result=None,
) -> tuple[pd.Series | None, str]:
    """Importance of each item for the IPA grid: derived (relative weights of ``outcome`` on
    all items) when possible, else stated (mean ``_imp`` answer), else PLS-derived (the total
    effect of the item's block on satisfaction, or loyalty, shared by the block's outer
    weights), else none.

    Returns the importance per item (None when there is none) and a sentence saying which one
    it is, or why there is none and what data would give one.

    Parameters
    ----------
    survey : DataFrame
        Survey responses with the item columns (and ``outcome``, ``<item>_imp`` if any).
    model : SurveyModel
        Items, dimensions and scales.
    outcome : str, default="overall_satisfaction"
        Column the derived importance explains.
    pls_result : PLSResult, optional
        A fitted PLS model (:func:`cxreport.pls.fit_pls`), the last resort.

    Returns
    -------
    importance : Series or None
        Item code -> importance.
    how : str
        The sentence, in the report's language.
    """
    items = present_items(survey, model)
    if outcome in survey.columns and len(items) > 1:
        try:
            res = relative_weights(rescale(survey, model), survey[outcome])
            return res.weights, _(
                "derived importance: Johnson relative weights of '{outcome}' on the {n} items "
                "(R² {r2})",
                outcome=outcome,
                n=len(items),
                r2=number(res.r2, 2),
            )
        except DriverError as exc:
            why = str(exc)
        else:  # pragma: no cover - the try returns
            why = ""
    else:
        why = _("the survey has no '{outcome}' column", outcome=outcome)
    imp = rescale(survey, model, suffix=model.importance_suffix)
    if imp.shape[1] and imp.notna().any().all():
        return imp.mean(), _(
            "stated importance (mean answer); derived was not possible: {why}", why=why
        )
    pls_imp = _pls_importance(pls_result, items)
    if pls_imp is not None:
        return pls_imp, _(
            "PLS-derived importance (total effect of each item's block on {target}, shared by "
            "its outer weights); derived was not possible: {why}, and the survey has no "
            "importance answers (<item>{suffix})",
            target=code(pls_imp.name),
            why=why,
            suffix=model.importance_suffix,
        )
    return None, _(
        "No importance for the importance-performance grid: {why}, the survey has no "
        "importance answers (<item>{suffix}) and no PLS model could be estimated. An "
        "overall-satisfaction question (mapped as '{outcome}') or importance answers would "
        "give one.",
        why=why,
        suffix=model.importance_suffix,
        outcome=outcome,
    )


def _pls_importance(result, items: list[str]) -> pd.Series | None:
    if result is None:
        return None
    blocks = set(result.outer["block"])
    target = next((t for t in ("satisfaction", "loyalty") if t in blocks), None)
    if target is None:
        return None
    effects = result.total_effects(target)
    outer = result.outer[result.outer["item"].isin(items) & (result.outer["block"] != target)]
    if outer.empty:
        return None
    share = outer["weight"].abs() / outer.groupby("block")["weight"].transform(
        lambda w: w.abs().sum()
    )
    imp = (share * outer["block"].map(effects).clip(lower=0)).set_axis(outer["item"])
    if not (imp > 0).any():
        return None
    return imp.groupby(level=0).sum().rename(target)


def metric_name(dimension: str) -> str:
    """``csi__<dimension>`` in snake_case (stable KPI names for the index page).

    Parameters
    ----------
    dimension : str
        A dimension name.

    Returns
    -------
    str
        ``csi__dimension`` when the name has no word character.
    """
    import re

    slug = re.sub(r"\W+", "_", str(dimension).strip().lower(), flags=re.UNICODE).strip("_")
    return f"csi__{slug or 'dimension'}"


#: The headers of the CSI page's tables (CSI, targets, SERVQUAL gaps, PLS, IPA).
_HEADERS = {
    "item": N_("item"), "dimension": N_("dimension"), "text": N_("text"),
    "scale_min": N_("scale min"), "scale_max": N_("scale max"), "rescaling": N_("rescaling"),
    "in_data": N_("in the data"), "index": N_("index"), "score": N_("score"),
    "ci_low": N_("95% CI low"), "ci_high": N_("95% CI high"), "n": N_("n"),
    "weight": N_("weight"), "label": N_("series"), "target": N_("target"),
    "difference": N_("difference"), "verdict": N_("verdict"), "priority": N_("priority"),
    "quadrant": N_("quadrant"), "importance_pct": N_("importance (% of total)"),
    "potential": N_("potential (CSI points)"), "perception": N_("perception"),
    "expectation": N_("expectation"), "gap": N_("gap P − E"), "t": N_("t"), "p": N_("p"),
    "gap_100": N_("gap (0-100 points)"), "ci_low_100": N_("95% CI low (0-100)"),
    "ci_high_100": N_("95% CI high (0-100)"), "alpha": N_("Cronbach's α"),
    "items": N_("items"), "source": N_("from"), "coef": N_("path coefficient"),
    "boot_mean": N_("bootstrap mean"), "boot_sd": N_("bootstrap SD"),
    "r2_of_target": N_("R² of the target"), "block": N_("block"),
    "equal_weights": N_("index with equal weights"), "mode": N_("mode"),
    "rho_a": N_("ρA"), "rho_c": N_("composite reliability ρC"), "ave": N_("AVE"),
}  # fmt: skip
#: Columns whose values are our own words (translated), and columns of codes (labelled).
_OUR_WORDS = ("verdict", "quadrant")
_CODES = ("dimension", "index", "block", "source", "target")
VERDICTS = (N_("above"), N_("below"), N_("within CI"))


def reader(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of the CSI page as the reader sees it: headers, our own words (verdicts,
    quadrants, yes/no) and the dimension and block codes in the report's language; the
    data's own values as they are. Exports take the table itself, not this.

    Parameters
    ----------
    frame : DataFrame
        A table of the CSI page.

    Returns
    -------
    DataFrame
        A translated copy; in the default language ``frame`` itself.
    """
    if language() == DEFAULT:
        return frame
    out = frame.copy()
    for c in out.columns:
        if c in _OUR_WORDS:
            out[c] = out[c].map(lambda v: _(str(v)))
        elif c in _CODES and not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(code)
        elif pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map({True: _("yes"), False: _("no")})
    if not pd.api.types.is_numeric_dtype(out.index):  # the HTMT matrix: blocks on both sides
        out.index = out.index.map(code)
    names = {c: _(_HEADERS[c]) if c in _HEADERS else code(c) for c in out.columns}
    return out.rename(columns=names)


#: The CSI notebook's settings.
SETTINGS = (
    Setting(
        "weights",
        str,
        "derived",
        "CSI weights: derived (Johnson relative weights on overall satisfaction), stated "
        "(the importance answers) or equal",
        choices=WEIGHT_METHODS,
    ),
    Setting(
        "n_boot",
        int,
        1000,
        "bootstrap resamples for the confidence intervals",
        low=100,
        high=100_000,
    ),
    Setting(
        "min_n",
        int,
        30,
        "months and groups with fewer responses are flagged and their intervals widened",
        low=2,
        high=10_000,
    ),
    Setting(
        "group_months",
        int,
        3,
        "months pooled for the CSI by segment, channel and region (and for PLS and IPA)",
        low=1,
        high=120,
    ),
    Setting(
        "crosshair",
        str,
        "mean",
        "IPA quadrant lines: mean (the data means) or midpoint (the scale mid-points)",
        choices=("mean", "midpoint"),
    ),
    Setting(
        "pls_index",
        bool,
        True,
        "also estimate the ACSI/ECSI-style PLS path model and its 0-100 index",
    ),
    Setting(
        "pls_scheme",
        str,
        "path",
        "PLS inner weighting scheme (as in plspm, seminr and SmartPLS)",
        choices=("path", "centroid", "factorial"),
    ),
    Setting(
        "pls_standardised",
        bool,
        True,
        "PLS on standardised items (plspm scaled TRUE, SmartPLS); False: on the raw answers",
    ),
    Setting(
        "pls_boot",
        int,
        500,
        "bootstrap resamples for the PLS path intervals (0 skips them; else at least 20)",
        low=0,
        high=100_000,
    ),
)


def check_settings(**values) -> None:
    """Check the CSI notebook's settings (:data:`SETTINGS`); a
    :class:`~cxreport.errors.ParameterError` names the bad one.

    Parameters
    ----------
    **values
        Settings by name; those of :data:`SETTINGS` are checked, others ignored.
    """
    checked = check(SETTINGS, values)
    if 0 < checked.get("pls_boot", 0) < 20:
        raise ParameterError(
            "The 'pls_boot' parameter must be 0 (no intervals) or an int in the range "
            f"[20, 100000]; got {checked['pls_boot']}."
        )


def actions(fix: pd.DataFrame, texts: dict[str, str], *, n: int = 2) -> list[dict]:
    """The page's actions from :func:`fix_first`: improve the ``n`` attributes customers
    weigh most where they are least satisfied (no customer count: the grid says what
    matters, not how many it moves).

    Parameters
    ----------
    fix : DataFrame
        From :func:`fix_first` (``item``, ``dimension``, ``importance_pct``, ``score``,
        ``quadrant``).
    texts : dict of str to str
        Item code -> the item's text (the code itself when missing).
    n : int, default=2
        Number of actions (the first ``n`` rows).

    Returns
    -------
    list of dict
        Keys ``text``, ``evidence`` and ``customers`` (None).
    """
    out = []
    for r in fix.head(n).itertuples():
        out.append(
            {
                "text": _(
                    "Improve “{item}” ({dimension})",
                    item=texts.get(r.item, r.item),
                    dimension=code(r.dimension),
                ),
                "evidence": _(
                    "importance {importance}, score {score} of 100: {quadrant}",
                    importance=percent(r.importance_pct / 100),
                    score=number(r.score, 1),
                    quadrant=_(str(r.quadrant)),
                ),
                "customers": None,
            }
        )
    return out
