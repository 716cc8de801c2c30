"""SERVQUAL gaps (Parasuraman, Zeithaml & Berry 1985/1988): perception − expectation.

The survey holds the perception of each item in ``<item>`` and the expectation in
``<item>_exp`` (suffix from the config). The customer gap (gap 5 of the five-gap model) is
P − E: negative where the service falls short of what customers expect. Each gap comes with a
paired t interval (the same respondent answered both columns). Reliability of each dimension
is Cronbach's α over its perception items (α ≥ 0.70 is the convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from .data.config import SurveyModel
from .errors import CxReportError, ParameterError
from .i18n import _
from .pls import cronbach_alpha


class ServqualError(CxReportError, ValueError):
    """The survey cannot give SERVQUAL gaps (no expectation columns)."""


@dataclass(frozen=True)
class GapResult:
    """SERVQUAL gaps.

    Attributes
    ----------
    items : DataFrame
        One row per item with both columns: ``item``, ``dimension``, ``perception``,
        ``expectation`` (means on the item's scale), ``gap`` (P − E), ``ci_low``, ``ci_high``,
        ``t``, ``p``, ``n`` (respondents who answered both), ``gap_100``, ``ci_low_100``,
        ``ci_high_100`` (gap and CI in points of the 0-100 scale, comparable across scales).
    dimensions : DataFrame
        The same per dimension (each respondent's mean over the dimension's items, then a
        paired interval), plus ``alpha`` (Cronbach's α of the perception items).
    unweighted : float
        Mean of the dimension gaps (unweighted SERVQUAL score).
    weighted : float or None
        Σ w_d · gap_d with the CSI dimension weights, when given.
    notes : list of str
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    unweighted: float
    weighted: float | None
    confidence: float
    notes: list[str] = field(default_factory=list)

    def largest_negative(self, k: int = 5, *, level: str = "items") -> pd.DataFrame:
        """The ``k`` most negative gaps (items or dimensions), most negative first.

        Parameters
        ----------
        k : int, default=5
            Most rows returned.
        level : {"items", "dimensions"}, default="items"
            Which table's gaps.

        Returns
        -------
        DataFrame
            Rows of ``items`` or ``dimensions`` with ``gap < 0``, by ``gap_100`` (ties by
            name); index reset.
        """
        if level not in ("items", "dimensions"):
            raise ParameterError(
                f"The 'level' parameter must be 'items' or 'dimensions'; got {level!r}."
            )
        t, key = (self.items, "item") if level == "items" else (self.dimensions, "dimension")
        neg = t[t["gap"] < 0].sort_values(["gap_100", key], kind="mergesort")
        return neg.head(k).reset_index(drop=True)


def _paired(diff: np.ndarray, confidence: float) -> dict:
    d = diff[~np.isnan(diff)]
    n = len(d)
    mean = float(d.mean()) if n else np.nan
    if n < 2:
        return {"gap": mean, "ci_low": np.nan, "ci_high": np.nan, "t": np.nan, "p": np.nan, "n": n}
    sd = d.std(ddof=1)
    se = sd / np.sqrt(n)
    q = _st.t.ppf(0.5 + confidence / 2, n - 1)
    if se == 0:
        t, p = (0.0, 1.0) if mean == 0 else (np.inf * np.sign(mean), 0.0)
    else:
        t = mean / se
        p = float(2 * _st.t.sf(abs(t), n - 1))
    return {
        "gap": mean,
        "ci_low": mean - q * se,
        "ci_high": mean + q * se,
        "t": float(t),
        "p": p,
        "n": n,
    }


def servqual_gaps(
    survey: pd.DataFrame,
    model: SurveyModel,
    *,
    confidence: float = 0.95,
    dimension_weights: pd.Series | None = None,
) -> GapResult:
    """Perception − expectation per item and dimension, with paired t intervals.

    Parameters
    ----------
    survey : DataFrame
        Responses with ``<item>`` and ``<item><expectation_suffix>`` columns.
    model : SurveyModel
        Items, dimensions, scales and the expectation suffix.
    confidence : float, default=0.95
    dimension_weights : Series, optional
        Dimension → weight (e.g. the CSI weights) for the weighted SERVQUAL score.

    Raises
    ------
    ServqualError
        When no item has both a perception and an expectation column (SERVPERF data: report
        perceptions only).

    Returns
    -------
    GapResult
    """
    if not 0 < confidence < 1:
        raise ParameterError(
            f"The 'confidence' parameter must be a float in (0, 1); got {confidence!r}."
        )
    suf = model.expectation_suffix
    pairs, notes = _paired_items(survey, model)
    items, diffs100 = _item_gaps(survey, pairs, suf, confidence)
    drows = []
    for dim in model.dimensions:
        its = [i for i in pairs if i.dimension == dim]
        if its:
            row = _dimension_gap(survey, dim, its, suf, diffs100, confidence)
            drows.append(row)
            notes.extend(_alpha_notes(dim, row))
    dims = pd.DataFrame(drows)
    unweighted = float(dims["gap"].mean())
    weighted = _weighted_gap(dims, dimension_weights)
    return GapResult(items, dims, unweighted, weighted, confidence, notes)


def _paired_items(survey: pd.DataFrame, model: SurveyModel) -> tuple[list, list[str]]:
    """The items with both a perception and an expectation column, and a note naming those
    without an expectation; an error when no item has both."""
    suf = model.expectation_suffix
    pairs = [i for i in model.items if i.code in survey and i.code + suf in survey]
    if not pairs:
        raise ServqualError(
            f"SERVQUAL gaps need expectation columns (<item>{suf}) next to the perception "
            f"columns; the survey has none. Without expectations only perceptions (SERVPERF) "
            f"can be reported."
        )
    notes = []
    no_exp = [i.code for i in model.items if i.code in survey and i.code + suf not in survey]
    if no_exp:
        notes.append(
            _(
                "Item(s) without an expectation column, left out of the gaps: {items}.",
                items=", ".join(no_exp),
            )
        )
    return pairs, notes


def _numbers(survey: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(survey[column], errors="coerce").to_numpy(float)


def _item_gaps(survey, pairs, suf, confidence) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The items' table (means, paired gap and interval, native and 0-100) and each
    respondent's gap per item on the 0-100 scale."""
    rows, diffs100 = [], {}
    for it in pairs:
        p, e = _numbers(survey, it.code), _numbers(survey, it.code + suf)
        d = p - e
        width = it.scale[1] - it.scale[0]
        diffs100[it.code] = d / width * 100
        both = ~np.isnan(d)
        r = _paired(d, confidence)
        rows.append(
            {
                "item": it.code,
                "dimension": it.dimension,
                "text": _(it.text),  # the shipped SERVQUAL items are in the catalogue
                "perception": float(np.nanmean(p[both])) if both.any() else np.nan,
                "expectation": float(np.nanmean(e[both])) if both.any() else np.nan,
                **r,
                "gap_100": r["gap"] / width * 100,
                "ci_low_100": r["ci_low"] / width * 100,
                "ci_high_100": r["ci_high"] / width * 100,
            }
        )
    return pd.DataFrame(rows), diffs100


def _dimension_gap(survey, dim, its, suf, diffs100, confidence) -> dict:
    """One dimension's row: each respondent's mean item gap (on the native scale when all
    its items share one scale, else 0-100), its paired interval and Cronbach's α."""
    with np.errstate(all="ignore"):
        d100 = np.nanmean(np.column_stack([diffs100[i.code] for i in its]), axis=1)
        praw = np.column_stack([_numbers(survey, i.code) for i in its])
        eraw = np.column_stack([_numbers(survey, i.code + suf) for i in its])
    ok = ~np.isnan(praw - eraw)
    same = len({i.scale for i in its}) == 1
    width = its[0].scale[1] - its[0].scale[0]
    native = d100 * width / 100 if same else d100
    r = _paired(native, confidence)
    alpha = cronbach_alpha(pd.DataFrame(praw)) if len(its) > 1 else np.nan
    return {
        "dimension": dim,
        "perception": float(np.nanmean(np.where(ok, praw, np.nan))),
        "expectation": float(np.nanmean(np.where(ok, eraw, np.nan))),
        **r,
        "gap_100": r["gap"] / width * 100 if same else r["gap"],
        "alpha": alpha,
        "items": len(its),
    }


def _alpha_notes(dim, row: dict) -> list[str]:
    """A note when a dimension's Cronbach's α cannot be computed or is below 0.70."""
    alpha = row["alpha"]
    if row["items"] > 1 and np.isnan(alpha):
        return [
            _(
                "Cronbach's α of '{dimension}' cannot be computed (no variance in the answers).",
                dimension=dim,
            )
        ]
    if row["items"] > 1 and alpha < 0.7:
        return [
            _(
                "Cronbach's α of '{dimension}' is {alpha} (< 0.70): its items do not "
                "measure one thing reliably; read its gap item by item.",
                dimension=dim,
                alpha=f"{alpha:.2f}",
            )
        ]
    return []


def _weighted_gap(dims: pd.DataFrame, dimension_weights) -> float | None:
    """The dimensions' gaps weighted by ``dimension_weights`` (None without weights or
    when they sum to 0)."""
    if dimension_weights is None:
        return None
    w = pd.Series(dimension_weights, dtype=float).reindex(dims["dimension"]).fillna(0)
    if w.sum() <= 0:
        return None
    return float((w.to_numpy() / w.sum()) @ dims["gap"].to_numpy())


def expectation_perception(gaps: GapResult, model: SurveyModel) -> pd.DataFrame:
    """Mean expectation and perception per dimension on the 0-100 scale (for the gap-5 chart).

    Columns: ``dimension``, ``expectation``, ``perception``, ``gap_100``, ``ci_low_100``,
    ``ci_high_100``.

    Parameters
    ----------
    gaps : GapResult
        From :func:`servqual_gaps`.
    model : SurveyModel
        Items and scales (each dimension is rescaled with its first item's scale).

    Returns
    -------
    DataFrame
        One row per dimension of ``gaps.dimensions``.
    """
    rows = []
    for r in gaps.dimensions.itertuples():
        its = model.items_of(r.dimension)
        lo, hi = its[0].scale
        same = len({i.scale for i in its}) == 1
        f = 100 / (hi - lo) if same else 1.0
        rows.append(
            {
                "dimension": r.dimension,
                "expectation": (r.expectation - lo) * 100 / (hi - lo),
                "perception": (r.perception - lo) * 100 / (hi - lo),
                "gap_100": r.gap_100,
                "ci_low_100": r.ci_low * f,
                "ci_high_100": r.ci_high * f,
            }
        )
    return pd.DataFrame(rows)
