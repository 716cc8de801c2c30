"""RFM scoring with tie-aware bins and a configurable segment map.

Recency, frequency and monetary value are each cut into ``bins`` score levels (5 = best) at
their quantiles, but a cut never falls *inside* a group of identical values: identical
customers always get identical scores. On purchase data frequency is heavily tied (on CDNOW
51 % of customers bought on one day only), so the common ``rank(method="first")`` + ``qcut``
recipe scatters identical customers over several scores by row order, and plain
``qcut(duplicates="drop")`` silently returns fewer levels. Here the bins are the distinct
quantile values; when ties merge bins, the levels that remain are spread over ``1..bins`` so
that the best bin still scores ``bins`` (the bin table shows exactly which values each score
covers, and the tie table how many customers share a value).

The segment map works on the recency score ``R`` and ``FM = round((F + M) / 2)``, as the widely
copied 11-segment map does; every cell of the 5 x 5 grid belongs to exactly one segment of
:data:`DEFAULT_SEGMENT_MAP`. A custom map may leave cells out (those customers are "Other") and
segments that end up empty are reported as warnings.

>>> r = rfm_scores(features.table)                 # columns recency, frequency, monetary
>>> r.summary                                      # segment, customers, share, revenue share
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CxReportError
from .i18n import N_, _

#: segment -> ((R low, R high), (FM low, FM high)), scores inclusive, first match wins.
#: The common "11-segment" map (Champions ... Lost) on a 1-5 scale.
DEFAULT_SEGMENT_MAP: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    N_("Champions"): ((5, 5), (4, 5)),
    N_("Loyal"): ((3, 4), (4, 5)),
    N_("Potential loyalists"): ((4, 5), (2, 3)),
    N_("New"): ((5, 5), (1, 1)),
    N_("Promising"): ((4, 4), (1, 1)),
    N_("Need attention"): ((3, 3), (3, 3)),
    N_("About to sleep"): ((3, 3), (1, 2)),
    N_("Can't lose them"): ((1, 2), (5, 5)),
    N_("At risk"): ((1, 2), (3, 4)),
    N_("Hibernating"): ((2, 2), (1, 2)),
    N_("Lost"): ((1, 1), (1, 2)),
}
#: The names stay English in the data (exports, KPI names); the page shows them through the
#: catalogue (:func:`cxreport.segments.shown`).
OTHER = N_("Other")
VARIABLES = ("recency", "frequency", "monetary")
_VARIABLE_WORDS = {
    "recency": N_("Recency"),
    "frequency": N_("Frequency"),
    "monetary": N_("Monetary"),
}


@dataclass
class RFMResult:
    """RFM scores per customer and the tables that explain them.

    Attributes
    ----------
    scores : DataFrame
        Index ``customer_id``; ``recency``, ``frequency``, ``monetary`` (the inputs), ``R``,
        ``F``, ``M`` (1..bins, higher = better), ``FM``, ``code`` (e.g. ``"545"``), ``segment``.
    bins : DataFrame
        One row per variable and score: ``variable``, ``score``, ``low``, ``high`` (the range
        of values scored so), ``customers``, ``share``.
    ties : DataFrame
        One row per variable: ``distinct_values``, ``levels`` (score levels achieved),
        ``top_value`` and ``top_value_share`` (the most common value and the share of customers
        holding it), ``split_by_row_order`` (share of customers whose value a
        ``rank(method="first")`` quantile cut would split over two or more scores).
    summary : DataFrame
        One row per segment of the map (in map order, then ``Other``): ``customers``,
        ``share``, ``revenue``, ``revenue_share``, medians of ``recency``, ``frequency``,
        ``monetary``.
    warnings : list of str
        Empty segments, customers no segment covers, merged bins.
    """

    scores: pd.DataFrame
    bins: pd.DataFrame
    ties: pd.DataFrame
    summary: pd.DataFrame
    bins_requested: int
    segment_map: dict
    warnings: list[str] = field(default_factory=list)


def _check_map(segment_map, bins: int) -> dict:
    if not isinstance(segment_map, dict) or not segment_map:
        raise CxReportError(
            "The 'segment_map' parameter must be a non-empty dict "
            "{name: ((R low, R high), (FM low, FM high))}; got "
            f"{type(segment_map).__name__}."
        )
    out = {}
    for name, spec in segment_map.items():
        try:
            (rlo, rhi), (flo, fhi) = spec
            vals = [int(v) for v in (rlo, rhi, flo, fhi)]
        except (TypeError, ValueError):
            raise CxReportError(
                f"Segment {name!r} of the 'segment_map' parameter must be "
                f"((R low, R high), (FM low, FM high)); got {spec!r}."
            ) from None
        if any(v < 1 or v > bins for v in vals) or vals[0] > vals[1] or vals[2] > vals[3]:
            raise CxReportError(
                f"Segment {name!r} of the 'segment_map' parameter has score ranges {spec!r}; "
                f"each must be (low, high) with 1 <= low <= high <= {bins}."
            )
        out[str(name)] = ((vals[0], vals[1]), (vals[2], vals[3]))
    return out


def _score(x: pd.Series, bins: int, *, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """Tie-aware quantile scores 1..bins (higher = larger value unless ``reverse``)."""
    v = x.to_numpy(dtype=float)
    edges = np.unique(np.quantile(v, np.arange(1, bins) / bins))
    # value <= edge[0] -> bin 0, edge[0] < value <= edge[1] -> bin 1, ...; ties never split
    b = np.searchsorted(edges, v, side="left")
    used = np.unique(b)
    nb = len(used)
    dense = np.searchsorted(used, b)  # 0..nb-1
    if reverse:
        dense = nb - 1 - dense
    if nb == 1:
        level = np.full(nb, (bins + 1) // 2)
    else:
        level = 1 + np.floor(np.arange(nb) * (bins - 1) / (nb - 1) + 0.5).astype(int)
    return level[dense], level


def _split_share(x: pd.Series, bins: int) -> float:
    """Share of customers whose value ``rank(method="first")`` + ``qcut`` splits."""
    n = len(x)
    counts = x.value_counts(sort=False).sort_index()
    last = counts.cumsum().to_numpy()
    first = last - counts.to_numpy() + 1
    b_first = np.ceil(bins * first / n)
    b_last = np.ceil(bins * last / n)
    return float(counts.to_numpy()[b_first != b_last].sum() / n)


@dataclass(frozen=True)
class _Scored:
    """The R, F and M scores with the bin and tie tables that explain them."""

    scores: pd.DataFrame
    bins: pd.DataFrame
    ties: pd.DataFrame


def _segment_map(segment_map: dict | None, bins: int) -> dict:
    """The checked ``bins`` and segment map (the default one needs ``bins=5``)."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 10:
        raise CxReportError(f"The 'bins' parameter must be an int in [2, 10]; got {bins!r}.")
    if segment_map is None:
        if bins != 5:
            raise CxReportError(
                f"The default RFM segment map is defined on scores 1-5; with bins={bins} pass "
                "your own 'segment_map'."
            )
        segment_map = DEFAULT_SEGMENT_MAP
    return _check_map(segment_map, bins)


def _rfm_inputs(table: pd.DataFrame, revenue: str) -> pd.DataFrame:
    """Recency, frequency, monetary and revenue as floats, checked complete and usable."""
    missing = [c for c in (*VARIABLES, revenue) if c not in table]
    if missing:
        raise CxReportError(
            "RFM scoring needs the columns recency, frequency and monetary; missing: "
            + ", ".join(missing)
            + "."
        )
    t = table[list(dict.fromkeys([*VARIABLES, revenue]))].astype(float)
    bad = t.isna().any(axis=1)
    if bad.any():
        raise CxReportError(
            f"RFM scoring found {int(bad.sum())} customers with a missing recency, frequency "
            f"or monetary value (e.g. {list(t.index[bad][:3])}); compute them for everyone."
        )
    if len(t) == 0:
        raise CxReportError("RFM scoring needs at least one customer; the table is empty.")
    if (t["monetary"] < 0).any():
        raise CxReportError(
            "RFM scoring found negative monetary values (net returns); floor them at 0 as "
            "customer_features does, or drop those customers."
        )
    return t


def _score_variables(t: pd.DataFrame, bins: int, warnings: list[str]) -> _Scored:
    """Score each variable in tie-aware bins; warn where ties merge score levels."""
    scores = t[list(VARIABLES)].copy()
    bin_rows, tie_rows = [], []
    for var, letter in zip(VARIABLES, "RFM", strict=True):
        s, levels = _score(t[var], bins, reverse=var == "recency")
        scores[letter] = s
        vc = t[var].value_counts()
        tie_rows.append(
            {
                "variable": var,
                "distinct_values": int(len(vc)),
                "levels": int(len(levels)),
                "top_value": float(vc.index[0]),
                "top_value_share": float(vc.iloc[0] / len(t)),
                "split_by_row_order": _split_share(t[var], bins),
            }
        )
        if len(levels) < bins:
            warnings.append(
                _(
                    "{variable}: ties leave only {n} of {bins} score levels ({share} of "
                    "customers share the value {value}); the levels used are {levels}.",
                    variable=_(_VARIABLE_WORDS[var]),
                    n=len(levels),
                    bins=bins,
                    share=f"{vc.iloc[0] / len(t):.1%}",
                    value=f"{vc.index[0]:g}",
                    levels=", ".join(map(str, levels)),
                )
            )
        g = t[var].groupby(s)
        for sc, grp in g:
            bin_rows.append(
                {
                    "variable": var,
                    "score": int(sc),
                    "low": float(grp.min()),
                    "high": float(grp.max()),
                    "customers": int(len(grp)),
                    "share": len(grp) / len(t),
                }
            )
    return _Scored(scores, pd.DataFrame(bin_rows), pd.DataFrame(tie_rows).set_index("variable"))


def _assign_segments(scores: pd.DataFrame, smap: dict) -> pd.Series:
    """Add ``FM``, ``code`` and ``segment`` (first matching segment, else Other) to
    ``scores``; the segments."""
    scores["FM"] = np.floor((scores["F"] + scores["M"]) / 2 + 0.5).astype(int)
    scores["code"] = scores["R"].astype(str) + scores["F"].astype(str) + scores["M"].astype(str)
    seg = pd.Series(OTHER, index=scores.index, dtype=object)
    free = np.ones(len(scores), bool)
    r, fm = scores["R"].to_numpy(), scores["FM"].to_numpy()
    for name, ((rlo, rhi), (flo, fhi)) in smap.items():
        hit = free & (r >= rlo) & (r <= rhi) & (fm >= flo) & (fm <= fhi)
        seg[hit] = name
        free &= ~hit
    scores["segment"] = seg
    return seg


def _segment_summary(t: pd.DataFrame, seg: pd.Series, smap: dict, revenue: str) -> pd.DataFrame:
    """One row per segment (map order, then Other if any): customers, revenue, medians."""
    names = list(smap) + ([OTHER] if (seg == OTHER).any() else [])
    g = t.assign(segment=seg).groupby("segment", sort=False)
    summ = pd.DataFrame(index=pd.Index(names, name="segment"))
    summ["customers"] = g.size().reindex(names).fillna(0).astype(int)
    summ["share"] = summ["customers"] / len(t)
    summ["revenue"] = g[revenue].sum().reindex(names).fillna(0.0)
    total = t[revenue].sum()
    summ["revenue_share"] = summ["revenue"] / total if total > 0 else np.nan
    for var in VARIABLES:
        summ[f"median_{var}"] = g[var].median().reindex(names)
    return summ


def _segment_warnings(summ: pd.DataFrame, seg: pd.Series, smap: dict, warnings: list[str]) -> None:
    """Warn of the map's empty segments and of customers no segment covers."""
    empty = [s for s in smap if summ.loc[s, "customers"] == 0]
    if empty:
        warnings.append(
            _(
                "{n} of {total} RFM segments are empty this month: {segments}. With tied "
                "scores some cells of the grid cannot be reached; check the segment map if "
                "these segments matter to you.",
                n=len(empty),
                total=len(smap),
                segments=", ".join(_(s) for s in empty),
            )
        )
    if (seg == OTHER).any():
        warnings.append(
            _(
                "{n} customers fall in no segment of the map (shown as '{other}').",
                n=f"{int((seg == OTHER).sum()):,}",
                other=_(OTHER),
            )
        )


def rfm_scores(
    table: pd.DataFrame,
    *,
    bins: int = 5,
    segment_map: dict | None = None,
    revenue: str = "monetary",
) -> RFMResult:
    """Score recency, frequency and monetary value and map the scores to named segments.

    Parameters
    ----------
    table : DataFrame
        One row per customer with columns ``recency`` (days since the last purchase),
        ``frequency`` (purchases or purchase days) and ``monetary`` (value); from
        :func:`cxreport.segments.customer_features`.
    bins : int, default=5
        Score levels per variable (quintiles by default), in [2, 10].
    segment_map : dict, optional
        ``{name: ((R low, R high), (FM low, FM high))}`` on the 1..bins scale; the first
        matching segment wins, uncovered customers are ``"Other"``. Default
        :data:`DEFAULT_SEGMENT_MAP` (needs ``bins=5``).
    revenue : str, default="monetary"
        Column summed for each segment's revenue share.

    Returns
    -------
    RFMResult
    """
    smap = _segment_map(segment_map, bins)
    t = _rfm_inputs(table, revenue)
    warnings: list[str] = []
    scored = _score_variables(t, bins, warnings)
    seg = _assign_segments(scored.scores, smap)
    summ = _segment_summary(t, seg, smap, revenue)
    _segment_warnings(summ, seg, smap, warnings)
    return RFMResult(scored.scores, scored.bins, scored.ties, summ, bins, smap, warnings)
