"""SWOT factors suggested by the data, each with its evidence.

Three sources, each kept apart from the factors a workshop entered:

* **Survey** (strengths, weaknesses): the CSI dimensions of the last ``survey_months`` months
  (:func:`cxreport.csi.compute_csi`) against every target/benchmark of the ``targets`` table
  (:func:`cxreport.csi.compare_targets`: the target lies outside the 95 % interval), kept when
  the dimension is *important*: its weight in the CSI is at least an equal share (1/k).
  This is importance-performance logic (Martilla & James 1977): important and above the
  benchmark = strength, important and below = weakness. Without a targets table the
  dimensions are compared with their own average (the IPA cross-hair).
* **Self-assessment** (strengths, weaknesses): categories well above / below the
  organisation's own average (:func:`cxreport.orientation.category_gaps`).
* **Trends** (opportunities, threats): NPS, CSI, SQI, churn rate and complaint volume of the
  last ``window`` months pooled against the ``window`` months before, and segment shares
  (:func:`cxreport.segments.label_customers` at the end of the report month and ``window``
  months earlier). A trend is *meaningful* when its Holm-adjusted p-value (over all trend
  tests of the run) is below ``alpha``. Favourable = opportunity, unfavourable = threat.

Every part degrades on its own: a missing table or a failing analysis becomes a note, and
the other parts still run. No I/O, no plotting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from .errors import CxReportError
from .i18n import N_, _, code
from .stats import diff_z, two_proportion_z

#: Columns of :attr:`DataSuggestions.factors`.
FACTOR_COLUMNS = ["kind", "source", "factor", "evidence", "p_value"]
#: Columns of :attr:`DataSuggestions.trends`.
TREND_COLUMNS = [
    "series",
    "unit",
    "recent_period",
    "recent",
    "n_recent",
    "before_period",
    "before",
    "n_before",
    "change",
    "z",
    "p_value",
    "p_holm",
    "meaningful",
    "higher_is_better",
    "kind",
]
_Z95 = float(_st.norm.ppf(0.975))
_NAMES = {
    "Complaints (per 1,000 customers per month)": N_("Complaint volume"),
    "Complaints (per day)": N_("Complaint volume"),
    "Churn rate (% of customers per month)": N_("Churn rate"),
    "SQI (weighted failures per 1,000 contacts)": N_("Service-quality index (failures)"),
}
_SHORT = {"pct_max": "% of maximum", "pomp": "POMP"}


class EvidenceInputError(CxReportError, ValueError):
    """A parameter of the data-suggested factors is out of range."""


@dataclass
class DataSuggestions:
    """SWOT factors suggested by the data.

    Attributes
    ----------
    factors : DataFrame
        One row per suggested factor: ``kind`` (S, W, O, T), ``source`` (survey,
        self-assessment, trend), ``factor`` (plain words), ``evidence`` (the numbers behind
        it), ``p_value``.
    survey : DataFrame
        Every dimension × benchmark comparison (also the ones that suggest nothing).
    self_assessment : DataFrame
        Every category against the organisation's average.
    trends : DataFrame
        Every trend test (:data:`TREND_COLUMNS`), meaningful or not.
    notes : list of str
        What could not be done and why, and how to read the results.
    """

    factors: pd.DataFrame
    survey: pd.DataFrame
    self_assessment: pd.DataFrame
    trends: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _check_int(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise EvidenceInputError(
            f"The '{name}' parameter must be an int in [{lo}, {hi}]; got {value!r}."
        )
    return int(value)


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise EvidenceInputError(
            f"The 'alpha' parameter must be a number in (0, 1); got {alpha!r}."
        )
    return float(alpha)


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _empty_factors() -> pd.DataFrame:
    return pd.DataFrame(columns=FACTOR_COLUMNS)


# --------------------------------------------------------------------------------------------
# survey: importance-performance against targets / benchmarks
# --------------------------------------------------------------------------------------------


def survey_factors(
    data, *, months: int = 3, weights: str = "derived", n_boot: int = 1000, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Strengths and weaknesses from the survey (importance × performance vs benchmark).

    Parameters
    ----------
    data : Dataset
        Needs ``survey``; uses ``targets`` when present.
    months : int, default=3
        Survey months up to the report month that are pooled (1–24).
    weights : {"derived", "stated", "equal"}, default="derived"
        Importance of the dimensions (:func:`cxreport.csi.compute_weights`).
    n_boot, seed
        Bootstrap of the dimension intervals.

    Returns
    -------
    (factors, comparisons, notes)
        ``comparisons``: ``dimension``, ``score``, ``ci_low``, ``ci_high``, ``n``,
        ``importance`` (weight in the CSI), ``important`` (≥ 1/k), ``benchmark`` (label),
        ``target``, ``difference``, ``verdict`` (above / below / within CI), ``kind``.
    """
    from . import csi

    months = _check_int("months", months, 1, 24)
    sv = csi.survey_until(data, months=months)
    if sv.empty:
        return (
            _empty_factors(),
            pd.DataFrame(),
            [_("No survey responses in the last {n} month(s).", n=months)],
        )
    model = data.config.survey
    w = csi.compute_weights(sv, model, weights=weights)
    res = csi.compute_csi(sv, model, w, n_boot=n_boot, seed=seed)
    dims = res.table[res.table["index"] != csi.OVERALL].copy()
    k = len(dims)
    dims["importance"] = dims["index"].map(w.dimensions).astype(float)
    dims["important"] = dims["importance"] >= 1 / k - 1e-12
    notes = list(w.notes) + list(res.notes)
    span = (
        f"{data.month - (months - 1)}…{data.month}"
        if data.month is not None
        else _("all responses")
    )
    cmp, cmp_notes = _benchmarks(data, dims)
    notes += cmp_notes
    cmp = cmp.merge(dims[["index", "n", "importance", "important"]], on="index", how="left")
    cmp = cmp.rename(columns={"index": "dimension"})
    cmp["kind"] = np.select(
        [
            cmp["important"] & (cmp["verdict"] == "above"),
            cmp["important"] & (cmp["verdict"] == "below"),
        ],
        ["S", "W"],
        "",
    )
    rows = [
        _survey_factor(dim, kind, g, span, k)
        for (dim, kind), g in cmp[cmp["kind"] != ""].groupby(["dimension", "kind"], sort=False)
    ]
    factors = pd.DataFrame(rows, columns=FACTOR_COLUMNS) if rows else _empty_factors()
    return factors, cmp[_COMPARISON_COLUMNS].reset_index(drop=True), notes


_COMPARISON_COLUMNS = [
    "dimension",
    "score",
    "ci_low",
    "ci_high",
    "n",
    "importance",
    "important",
    "benchmark",
    "target",
    "difference",
    "verdict",
    "kind",
]


def _benchmarks(data, dims: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Each dimension against the targets table's benchmarks (label, target, difference,
    verdict), or against the average of the dimensions without one; with a note."""
    from . import csi

    scores = dims[["index", "score", "ci_low", "ci_high"]]
    if data.has("targets"):
        cmp = csi.compare_targets(scores, data.targets)
        notes = []
        if cmp.empty:
            notes.append(
                _(
                    "The targets table names none of the survey dimensions ({dims}): nothing "
                    "to compare with.",
                    dims=", ".join(dims["index"]),
                )
            )
        return cmp.rename(columns={"label": "benchmark"}), notes
    avg = float(dims["score"].mean())
    cmp = scores.assign(benchmark=_("average of the dimensions"), target=avg)
    cmp["difference"] = cmp["score"] - avg
    cmp["verdict"] = np.select(
        [cmp["ci_low"] > avg, cmp["ci_high"] < avg], ["above", "below"], "within CI"
    )
    note = _(
        "No targets table: each dimension is compared with the average of the "
        "dimensions (add targets.csv with targets or competitor benchmarks for a "
        "sharper reading)."
    )
    return cmp, [note]


def _survey_factor(dim, kind: str, g: pd.DataFrame, span: str, k: int) -> dict:
    """The SWOT factor of one important dimension above (S) or below (W) its benchmarks
    (``g``: its rows of the comparison), the index and its interval as evidence."""
    r = g.iloc[0]
    bench = _("; ").join(
        _(
            "{benchmark} {target} ({gap} points)",
            benchmark=b,
            target=f"{t:.0f}",
            gap=f"{d:+.1f}",
        )
        for b, t, d in zip(g["benchmark"], g["target"], g["difference"], strict=True)
    )
    against = _(" and ").join(map(str, g["benchmark"]))
    factor = (
        _(
            "{dimension}: above {against}, and important to customers",
            dimension=code(dim),
            against=against,
        )
        if kind == "S"
        else _(
            "{dimension}: below {against}, and important to customers",
            dimension=code(dim),
            against=against,
        )
    )
    return {
        "kind": kind,
        "source": "survey",
        "factor": factor,
        "evidence": _(
            "{dimension} index {score} (95 % CI {low}–{high}, n = {n}, {span}) vs "
            "{bench}; weight in the CSI {weight} (equal share {equal})",
            dimension=dim,
            score=f"{r['score']:.1f}",
            low=f"{r['ci_low']:.1f}",
            high=f"{r['ci_high']:.1f}",
            n=int(r["n"]),
            span=span,
            bench=bench,
            weight=f"{r['importance']:.2f}",
            equal=f"{1 / k:.2f}",
        ),
        "p_value": np.nan,
    }


# --------------------------------------------------------------------------------------------
# self-assessment: categories well above / below the organisation's average
# --------------------------------------------------------------------------------------------


def self_assessment_factors(scores, *, threshold: float = 5.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strengths and weaknesses from the customer-orientation self-assessment.

    Parameters
    ----------
    scores : OrientationScores
        From :func:`cxreport.orientation.score_self_assessment`.
    threshold : float, default=5.0
        Points (0–100 scale) a category must lie above / below the average of the categories,
        besides p < 0.05 (see :func:`cxreport.orientation.category_gaps`).

    Returns
    -------
    (factors, gaps)
    """
    from .orientation import category_gaps

    gaps = category_gaps(scores, threshold=threshold)
    rows = []
    for _row, g in gaps[gaps["signal"] != ""].iterrows():
        kind = "S" if g["signal"] == "above" else "W"
        rows.append(
            {
                "kind": kind,
                "source": "self-assessment",
                "factor": (
                    _(
                        "Staff rate '{category}' well above the organisation's average",
                        category=g["category_label"],
                    )
                    if kind == "S"
                    else _(
                        "Staff rate '{category}' well below the organisation's average",
                        category=g["category_label"],
                    )
                ),
                "evidence": _(
                    "{score} vs average {average} of the categories ({gap} points, {method}); "
                    "t = {t} over {n} respondents, {p}",
                    score=f"{g['score']:.1f}",
                    average=f"{g['average']:.1f}",
                    gap=f"{g['difference']:+.1f}",
                    method=_SHORT.get(scores.method, ""),
                    t=f"{g['t']:.1f}",
                    n=int(g["n"]),
                    p=_fmt_p(g["p_value"]),
                ),
                "p_value": float(g["p_value"]),
            }
        )
    factors = pd.DataFrame(rows, columns=FACTOR_COLUMNS) if rows else _empty_factors()
    return factors, gaps


# --------------------------------------------------------------------------------------------
# trends
# --------------------------------------------------------------------------------------------


def _windows(month: pd.Period, window: int) -> tuple[pd.PeriodIndex, pd.PeriodIndex]:
    recent = pd.period_range(month - (window - 1), month, freq="M")
    before = pd.period_range(month - (2 * window - 1), month - window, freq="M")
    return recent, before


def _span(p: pd.PeriodIndex) -> str:
    return f"{p[0]}…{p[-1]}" if len(p) > 1 else str(p[0])


def _as_period(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.PeriodDtype):
        return s
    return pd.PeriodIndex(s.astype(str), freq="M").to_series(index=s.index)


def _pooled(t: pd.DataFrame, months: pd.PeriodIndex, value: str, se: str, n: str):
    sub = t[t["month"].isin(months)]
    sub = sub[sub[n] > 0]
    if sub.empty or set(sub["month"]) != set(months):
        return None
    w = sub[n] / sub[n].sum()
    est = float((w * sub[value]).sum())
    s = float(np.sqrt((w**2 * sub[se] ** 2).sum()))
    return est, s, int(sub[n].sum())


def _trend_from_estimates(name, unit, t, recent, before, value, se, n, higher):
    a, b = _pooled(t, recent, value, se, n), _pooled(t, before, value, se, n)
    if a is None or b is None:
        return None
    z, p = diff_z(b[0], b[1], a[0], a[1])
    return _trend_row(name, unit, recent, a[0], a[2], before, b[0], b[2], z, p, higher)


def _trend_row(name, unit, recent, r, nr, before, b, nb, z, p, higher) -> dict:
    return {
        "series": name,
        "unit": unit,
        "recent_period": _span(recent),
        "recent": r,
        "n_recent": nr,
        "before_period": _span(before),
        "before": b,
        "n_before": nb,
        "change": r - b,
        "z": z,
        "p_value": p,
        "higher_is_better": higher,
    }


def _nps_trend(data, recent, before):
    from . import nps

    t = nps.nps_by_month(data)
    t = t.assign(month=_as_period(t["month"]))
    return _trend_from_estimates("NPS", "points", t, recent, before, "nps", "se", "n", True)


def _csi_trend(data, recent, before, seed):
    from . import csi

    t = csi.csi_by_month(data, seed=seed)
    t = t.assign(month=_as_period(t["month"]), se=(t["ci_high"] - t["ci_low"]) / (2 * _Z95))
    return _trend_from_estimates("CSI", "points (0–100)", t, recent, before, "csi", "se", "n", True)


def _sqi_trend(data, recent, before):
    """SQI per 1,000 contacts; the variance of a weighted failure count is Σ w² n
    (compound Poisson, per failure type), from the monthly counts per type."""
    from . import sqi

    t = sqi.sqi_by_month(data)
    t = t.assign(month=_as_period(t["month"]))
    weights = dict(data.config.sqi_weights)
    try:
        by_type = sqi.sqi_series(data, freq="M")
        cols = [c for c in by_type.columns if c.startswith("n_") and c[2:] in weights]
        w2 = np.array([weights[c[2:]] ** 2 for c in cols])
        var = pd.Series(by_type[cols].to_numpy(float) @ w2, index=_as_period(by_type["period"]))
    except Exception:  # noqa: BLE001 - fall back to the mean weight (a lower bound)
        var = None
    out = []
    for months in (recent, before):
        sub = t[t["month"].isin(months)]
        if set(sub["month"]) != set(months) or sub["contacts"].sum() == 0:
            return None
        c = float(sub["contacts"].sum())
        wsum = float(sub["weighted"].sum())
        if var is not None:
            v = float(var.reindex(months).fillna(0).sum())
        else:
            f = float(sub["failures"].sum())
            v = wsum * (wsum / f) if f else 0.0
        out.append((wsum / c * 1000, np.sqrt(v) / c * 1000, int(c)))
    (r, rse, nr), (b, bse, nb) = out
    z, p = diff_z(b, bse, r, rse)
    return _trend_row(
        "SQI (weighted failures per 1,000 contacts)",
        "per 1,000 contacts",
        recent,
        r,
        nr,
        before,
        b,
        nb,
        z,
        p,
        False,
    )


def _at_risk(customers: pd.DataFrame, month: pd.Period) -> pd.Series:
    start, end = month.start_time, (month + 1).start_time
    ok = pd.Series(True, index=customers.index)
    if "signup_date" in customers:
        ok &= customers["signup_date"].isna() | (customers["signup_date"] < end)
    if "churn_date" in customers:
        ok &= customers["churn_date"].isna() | (customers["churn_date"] >= start)
    return ok


def _churn_trend(data, recent, before):
    cu = data.customers
    if "churn_date" not in cu.columns or cu["churn_date"].isna().all():
        raise CxReportError("the customers table has no churn_date, so churn has no dates")
    out = []
    for months in (recent, before):
        k = n = 0
        for m in months:
            risk = _at_risk(cu, m)
            n += int(risk.sum())
            d = cu["churn_date"]
            k += int(((d >= m.start_time) & (d < (m + 1).start_time)).sum())
        if n == 0:
            return None
        out.append((k, n))
    (kr, nr), (kb, nb) = out
    z, p = two_proportion_z(kb, nb, kr, nr)
    return _trend_row(
        "Churn rate (% of customers per month)",
        "percentage points a month",
        recent,
        100 * kr / nr,
        nr,
        before,
        100 * kb / nb,
        nb,
        z,
        p,
        False,
    )


def _complaint_trend(data, recent, before):
    """Complaints per 1,000 customers at risk (or per day without a customers table);
    z-test on the log rate ratio, Var = 1/k1 + 1/k2 (Poisson counts)."""
    co = data.complaints
    opened = co["opened"].dt.to_period("M")
    use_customers = data.has("customers")
    out = []
    for months in (recent, before):
        k = int(opened.isin(months).sum())
        if use_customers:
            expo = sum(int(_at_risk(data.customers, m).sum()) for m in months)
        else:
            expo = sum(m.days_in_month for m in months)
        if expo == 0:
            return None
        out.append((k, expo))
    (kr, er), (kb, eb) = out
    scale = 1000 if use_customers else 1
    unit = "per 1,000 customers per month" if use_customers else "per day"
    if kr == 0 or kb == 0:
        z, p = 0.0, 1.0
    else:
        z = float(np.log((kr / er) / (kb / eb)) / np.sqrt(1 / kr + 1 / kb))
        p = float(2 * _st.norm.sf(abs(z)))
    return _trend_row(
        f"Complaints ({unit})",
        unit,
        recent,
        kr / er * scale,
        kr,
        before,
        kb / eb * scale,
        kb,
        z,
        p,
        False,
    )


def _segment_trends(data, window, labels_at):
    """Share of each segment now and ``window`` months earlier; a segment whose customers
    grows adds customers of its kind (an opportunity), one that shrinks loses them (a threat),
    except the segment with the lowest spend per customer-month, whose growth is a threat
    (and whose shrinking is not listed as an opportunity by itself)."""
    now = labels_at(data.month)
    then = labels_at(data.month - window)  # the same segments: this month's yardstick
    notes = []
    only = sorted(set(now.unique()) ^ set(then.unique()))  # not a million labels one by one
    if only:
        notes.append(
            "Segment(s) with customers in only one of the two months and not compared: "
            + ", ".join(only)
            + "."
        )
    start = (data.month - (window - 1)).start_time
    recent = data.table(
        "transactions", ["customer_id", "amount", "date"], within=("date", start, data.month_end)
    )
    spend = recent.groupby("customer_id")["amount"].sum().reindex(now.index, fill_value=0.0)
    # spend per month *as a customer* in the window, so that new customers are not read as
    # low-value only because they joined part-way through it
    months_in = pd.Series(float(window), index=now.index)
    if data.has("customers") and "signup_date" in data.customers:
        signup = data.customers.drop_duplicates("customer_id").set_index("customer_id")
        signup = signup["signup_date"].reindex(now.index)
        later = signup > start
        months_in[later] = np.clip(
            (data.month_end - signup[later]).dt.days.to_numpy() / 30.44, 1.0, window
        )
    spend = spend / months_in
    seg_spend = spend.groupby(now).mean()
    ranked = seg_spend.drop("no purchase yet", errors="ignore")
    lowest = ranked.idxmin() if len(ranked) else None
    avg = float(spend.mean())
    n1, n0 = len(now), len(then)
    c1, c0 = now.value_counts(), then.value_counts()
    rows = []
    for s in sorted(set(c1.index) & set(c0.index)):
        if s == "no purchase yet":
            continue
        k1, k0 = int(c1[s]), int(c0[s])
        z, p = two_proportion_z(k0, n0, k1, n1)
        row = _trend_row(
            f"Segment share: {s}",
            "percentage points of customers",
            pd.period_range(data.month, data.month, freq="M"),
            100 * k1 / n1,
            k1,
            pd.period_range(data.month - window, data.month - window, freq="M"),
            100 * k0 / n0,
            k0,
            z,
            p,
            s != lowest,
        )
        row["segment_spend"] = float(seg_spend.get(s, np.nan))
        row["average_spend"] = avg
        rows.append(row)
    return rows, notes


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values."""
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def trend_factors(
    data, *, window: int = 3, alpha: float = 0.05, seed: int = 42, segment_labels=None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Opportunities and threats from statistically meaningful trends.

    Parameters
    ----------
    data : Dataset
        With a reporting month. Uses ``survey`` (NPS, CSI), ``touchpoints`` (SQI),
        ``customers`` (churn), ``complaints``, ``transactions`` (segments) when present.
    window : int, default=3
        Months pooled on each side: the last ``window`` months up to the report month
        against the ``window`` months before (1–12).
    alpha : float, default=0.05
        Family-wise error rate; p-values are Holm-adjusted over all trend tests of the run.
    seed : int, default=42
        Seed of the CSI bootstrap.
    segment_labels : callable, optional
        ``month -> Series`` (customer_id → segment) as of that month's end, e.g. the run's
        ``run.segments``, so that the trend compares the segments every page shows; None
        leaves segment shares out.

    Returns
    -------
    (factors, trends, notes)
    """
    window = _check_int("window", window, 1, 12)
    alpha = _check_alpha(alpha)
    if data.month is None:
        raise EvidenceInputError("Trends need a reporting month (load the data with a month).")
    recent, before = _windows(data.month, window)
    rows, notes = _trend_rows(data, recent, before, seed)
    if segment_labels is not None:
        seg_rows, seg_notes = _segment_rows(data, window, segment_labels)
        rows += seg_rows
        notes += seg_notes
    cols = [*TREND_COLUMNS, "segment_spend", "average_spend"]
    trends = pd.DataFrame(rows).reindex(columns=cols)
    if trends.empty:
        return _empty_factors(), trends, notes
    _classify(trends, alpha)
    notes.append(
        _(
            "Trends compare {recent} with {before}; {n} tests, p-values Holm-adjusted, "
            "meaningful when the adjusted p < {alpha}.",
            recent=_span(recent),
            before=_span(before),
            n=len(trends),
            alpha=f"{alpha:g}",
        )
    )
    if trends["series"].str.startswith("Segment share").any():
        notes.append(
            _(
                "Segment shares compare the same segments in two months of largely the same "
                "customers (those of the earlier month placed by this month's segmentation), "
                "so their p-values are approximate (two-proportion z as if independent)."
            )
        )
    out = [_trend_factor(t, recent) for _row, t in trends[trends["kind"] != ""].iterrows()]
    factors = pd.DataFrame(out, columns=FACTOR_COLUMNS) if out else _empty_factors()
    return factors, trends.reset_index(drop=True), notes


def _trend_rows(data, recent, before, seed) -> tuple[list[dict], list[str]]:
    """One test row per measure the folder has (NPS, CSI, SQI, churn, complaint volume) and
    a note for each one left out (no table, the windows not both covered, or its error: one
    failing analysis does not stop the rest)."""
    rows: list[dict] = []
    notes: list[str] = []
    parts = [
        ("NPS", ("survey",), lambda: _nps_trend(data, recent, before)),
        ("CSI", ("survey",), lambda: _csi_trend(data, recent, before, seed)),
        ("SQI", ("touchpoints",), lambda: _sqi_trend(data, recent, before)),
        ("churn", ("customers",), lambda: _churn_trend(data, recent, before)),
        ("complaint volume", ("complaints",), lambda: _complaint_trend(data, recent, before)),
    ]
    for name, tables, fn in parts:
        if not data.has(*tables):
            notes.append(f"No {name} trend: the data folder has no {', '.join(tables)} table.")
            continue
        try:
            row = fn()
        except Exception as exc:  # noqa: BLE001 - one failing analysis must not stop the rest
            notes.append(f"No {name} trend: {type(exc).__name__}: {exc}")
            continue
        if row is None:
            notes.append(
                f"No {name} trend: {_span(before)} and {_span(recent)} are not both covered."
            )
            continue
        rows.append(row)
    return rows, notes


def _segment_rows(data, window, segment_labels) -> tuple[list[dict], list[str]]:
    """The segment shares' test rows (:func:`_segment_trends`), or a note why there are
    none."""
    if not data.has("transactions"):
        return [], ["No segment trend: the data folder has no transactions table."]
    try:
        return _segment_trends(data, window, segment_labels)
    except Exception as exc:  # noqa: BLE001
        return [], [f"No segment trend: {type(exc).__name__}: {exc}"]


def _classify(trends: pd.DataFrame, alpha: float) -> None:
    """Holm-adjusted p-values, ``meaningful`` and ``kind`` (O, T or blank), in place; the
    lowest-value segment shrinking is not an opportunity by itself."""
    trends["p_holm"] = _holm(trends["p_value"].to_numpy())
    trends["meaningful"] = trends["p_holm"] < alpha
    better = trends["higher_is_better"].astype(bool)
    good = np.where(better, trends["change"] > 0, trends["change"] < 0)
    trends["kind"] = np.where(trends["meaningful"], np.where(good, "O", "T"), "")
    seg = trends["series"].str.startswith("Segment share")
    trends.loc[seg & ~better & (trends["change"] < 0), "kind"] = ""


def _trend_factor(t: pd.Series, recent) -> dict:
    """The SWOT factor of one meaningful trend: what moved, and the test as its evidence."""
    up = t["change"] > 0
    if str(t["series"]).startswith("Segment share"):
        s = str(t["series"]).split(": ", 1)[1]
        value = "" if t["higher_is_better"] else _("; the lowest-spending segment")
        factor = (
            _("Segment '{segment}' is growing", segment=s)
            if up
            else _("Segment '{segment}' is shrinking", segment=s)
        )
        extra = (
            _(
                "; its customers spent {spend} a month as customers in {span} vs {average} on "
                "average",
                spend=f"{t['segment_spend']:.0f}",
                span=_span(recent),
                average=f"{t['average_spend']:.0f}",
            )
            + value
        )
    else:
        series = _(_NAMES.get(t["series"], t["series"]))
        factor = (
            _("{series} is rising", series=series)
            if up
            else _("{series} is falling", series=series)
        )
        extra = ""
    return {
        "kind": t["kind"],
        "source": "trend",
        "factor": factor,
        "evidence": _(
            "{recent} in {recent_period} vs {before} in {before_period} ({change}, "
            "{unit}); z = {z}, {p}, Holm-adjusted {p_holm}",
            recent=f"{t['recent']:.1f}",
            recent_period=t["recent_period"],
            before=f"{t['before']:.1f}",
            before_period=t["before_period"],
            change=f"{t['change']:+.1f}",
            unit=_(str(t["unit"])),
            z=f"{t['z']:.2f}",
            p=_fmt_p(t["p_value"]),
            p_holm=f"{t['p_holm']:.3f}",
        )
        + extra,
        "p_value": float(t["p_holm"]),
    }


# --------------------------------------------------------------------------------------------
# all together
# --------------------------------------------------------------------------------------------


def suggest_factors(
    data,
    *,
    orientation=None,
    survey_months: int = 3,
    window: int = 3,
    alpha: float = 0.05,
    threshold: float = 5.0,
    seed: int = 42,
    segment_labels=None,
) -> DataSuggestions:
    """SWOT factors suggested by the survey, the self-assessment and the trends.

    Parameters
    ----------
    data : Dataset
        ``run.data``.
    orientation : OrientationScores, optional
        Self-assessment scores (:func:`cxreport.orientation.score_self_assessment`); without
        them that source is skipped with a note.
    survey_months : int, default=3
        Survey months pooled for the importance-performance comparison.
    window : int, default=3
        Months on each side of a trend comparison.
    alpha : float, default=0.05
        Family-wise error rate of the trend tests (Holm).
    threshold : float, default=5.0
        Self-assessment: points above / below the organisation's average.
    seed : int, default=42
        Every random step (CSI bootstrap).
    segment_labels : callable, optional
        ``month -> Series`` of segment labels (see :func:`trend_factors`); None leaves
        segment growth and shrinkage out.

    Returns
    -------
    DataSuggestions
    """
    survey_months = _check_int("survey_months", survey_months, 1, 24)
    window = _check_int("window", window, 1, 12)
    alpha = _check_alpha(alpha)
    notes: list[str] = []
    parts = []
    sv_tab = pd.DataFrame()
    if data.has("survey"):
        try:
            f, sv_tab, n = survey_factors(data, months=survey_months, seed=seed)
            parts.append(f)
            notes += n
        except Exception as exc:  # noqa: BLE001
            notes.append(f"No survey-based factors: {type(exc).__name__}: {exc}")
    else:
        notes.append("No survey-based factors: the data folder has no survey table.")
    sa_tab = pd.DataFrame()
    if orientation is not None:
        f, sa_tab = self_assessment_factors(orientation, threshold=threshold)
        parts.append(f)
    else:
        notes.append("No self-assessment factors: there is no self-assessment for this month.")
    f, tr_tab, n = trend_factors(
        data, window=window, alpha=alpha, seed=seed, segment_labels=segment_labels
    )
    parts.append(f)
    notes += n
    parts = [p for p in parts if len(p)]
    factors = pd.concat(parts, ignore_index=True) if parts else _empty_factors()
    order = {"S": 0, "W": 1, "O": 2, "T": 3}
    factors = (
        factors.assign(_o=factors["kind"].map(order))
        .sort_values(["_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    return DataSuggestions(factors, sv_tab, sa_tab, tr_tab, notes)
