"""Net Promoter Score with its sampling error, month by month and by group.

Definitions (Reichheld 2003; see ``reference/cx-methods.md`` §3):

* promoters answer 9-10, passives 7-8, detractors 0-6 on the 0-10 "would recommend" question;
* ``NPS = 100 × (promoters − detractors) / n``, between −100 and +100;
* coding each answer +1 / 0 / −1 makes NPS a mean, so ``Var = [p + d − (p − d)²] / n``
  (Rocks 2016) and the Wald interval is ``NPS ± z·SE``;
* the *adjusted Wald* interval (Rocks 2016, recommended there) adds ¾ to promoters, ¾ to
  detractors and 3 to n before applying the same formula; it keeps its coverage for small
  samples and extreme shares, so it is the interval this module reports as ``ci_low`` /
  ``ci_high``. The plain Wald interval is kept as ``wald_low`` / ``wald_high``;
* two independent periods or groups: ``z = (NPS₂ − NPS₁) / sqrt(SE₁² + SE₂²)``.

Worst-case margin of error (p = d = ½) is ±19.6 points at n = 100, which is why months with
fewer than ``min_responses`` answers are flagged ``small_sample`` rather than read as precise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as _st

from . import i18n
from .errors import CxReportError
from .i18n import _
from .settings import Setting, by_name, check
from .stats import diff_z

PROMOTER_MIN = 9  #: lowest promoter answer
DETRACTOR_MAX = 6  #: highest detractor answer

#: Columns of every NPS table this module returns (a row per period or group).
ESTIMATE_COLUMNS = (
    "n",
    "promoters",
    "passives",
    "detractors",
    "pct_promoters",
    "pct_passives",
    "pct_detractors",
    "nps",
    "se",
    "ci_low",
    "ci_high",
    "wald_low",
    "wald_high",
    "margin",
)
#: Columns of those tables that hold percentages (0-100).
PERCENT_COLUMNS = ("pct_promoters", "pct_passives", "pct_detractors")


class MissingColumnError(CxReportError):
    """A table lacks a column that the analysis needs."""


@dataclass(frozen=True)
class NPSEstimate:
    """NPS of one sample with its standard error and 95 % (or other) intervals.

    ``nps``, ``se``, intervals and percentages are in points (−100 … 100). ``ci_low`` /
    ``ci_high`` are the adjusted-Wald interval, ``wald_low`` / ``wald_high`` the plain Wald
    interval, ``margin`` its half-width (z·SE). With ``n == 0`` every figure is NaN.
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    pct_promoters: float
    pct_passives: float
    pct_detractors: float
    nps: float
    se: float
    ci_low: float
    ci_high: float
    wald_low: float
    wald_high: float
    margin: float
    confidence: float = 0.95

    def as_dict(self) -> dict:
        """The estimate's figures by name, ``confidence`` left out.

        Returns
        -------
        dict
            The fields of :data:`ESTIMATE_COLUMNS`, in that order.
        """
        out = asdict(self)
        out.pop("confidence")
        return out


@dataclass(frozen=True)
class NPSChange:
    """Difference between two independent NPS estimates (``after − before``)."""

    before: float
    after: float
    change: float
    se: float
    z: float
    p_value: float
    significant: bool
    alpha: float = 0.05


def _z(confidence: float) -> float:
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise CxReportError(
            f"The 'confidence' parameter must be a float in the range (0, 1); got {confidence!r}."
        )
    return float(_st.norm.ppf(0.5 + confidence / 2))


def _trinomial_se(p: float, d: float, n: float) -> float:
    return math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)


def nps_from_counts(
    promoters: int, passives: int, detractors: int, *, confidence: float = 0.95
) -> NPSEstimate:
    """NPS, its standard error and Wald / adjusted-Wald intervals from the three counts.

    Parameters
    ----------
    promoters, passives, detractors : int
        Numbers of answers 9-10, 7-8 and 0-6.
    confidence : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    NPSEstimate

    Examples
    --------
    The worked example of Rocks (2016) as reproduced in ``cx-methods.md`` §3.2:

    >>> e = nps_from_counts(90, 60, 50)
    >>> round(e.nps, 1), round(e.se, 2), round(e.wald_low, 1), round(e.ci_low, 1)
    (20.0, 5.74, 8.7, 8.5)
    """
    counts = {"promoters": promoters, "passives": passives, "detractors": detractors}
    for name, v in counts.items():
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise CxReportError(f"The '{name}' parameter must be a whole number ≥ 0; got {v!r}.")
    z = _z(confidence)
    n = int(promoters + passives + detractors)
    if n == 0:
        nan = float("nan")
        return NPSEstimate(0, 0, 0, 0, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, confidence)
    p, d = promoters / n, detractors / n
    score = p - d
    se = _trinomial_se(p, d, n)
    # adjusted Wald (Rocks 2016): +3/4 promoters, +3/4 detractors, +3 respondents
    na = n + 3
    pa, da = (promoters + 0.75) / na, (detractors + 0.75) / na
    sa = _trinomial_se(pa, da, na)
    centre = pa - da
    return NPSEstimate(
        n=n,
        promoters=int(promoters),
        passives=int(passives),
        detractors=int(detractors),
        pct_promoters=100 * p,
        pct_passives=100 * passives / n,
        pct_detractors=100 * d,
        nps=100 * score,
        se=100 * se,
        ci_low=100 * max(centre - z * sa, -1.0),
        ci_high=100 * min(centre + z * sa, 1.0),
        wald_low=100 * max(score - z * se, -1.0),
        wald_high=100 * min(score + z * se, 1.0),
        margin=100 * z * se,
        confidence=confidence,
    )


def _check_scores(scores: pd.Series, where: str) -> pd.Series:
    s = pd.to_numeric(pd.Series(scores), errors="coerce")
    raw = pd.Series(scores)
    not_num = raw.notna() & s.isna()
    bad = s.notna() & ((s < 0) | (s > 10) | (s != np.round(s)))
    if not_num.any() or bad.any():
        examples = pd.concat([raw[not_num], raw[bad]]).astype(str).unique()[:5]
        raise CxReportError(
            f"{where}: NPS answers must be whole numbers from 0 to 10; "
            f"{int(not_num.sum() + bad.sum())} value(s) are not, e.g. {', '.join(examples)}."
        )
    return s.dropna()


def nps(scores, *, confidence: float = 0.95) -> NPSEstimate:
    """NPS of a set of 0-10 answers (blanks ignored).

    Parameters
    ----------
    scores : array-like
        Answers to the "would recommend" question, whole numbers 0-10; NaN/None are skipped.
    confidence : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    NPSEstimate
    """
    s = _check_scores(scores, "nps")
    prom = int((s >= PROMOTER_MIN).sum())
    det = int((s <= DETRACTOR_MAX).sum())
    return nps_from_counts(prom, len(s) - prom - det, det, confidence=confidence)


def nps_score(scores) -> float:
    """The NPS (−100 to 100) of the non-missing answers, NaN when there are none: the one
    definition every analysis uses (promoters ``>= PROMOTER_MIN``, detractors
    ``<= DETRACTOR_MAX``).

    Parameters
    ----------
    scores : array-like
        Answers on the 0-10 scale; values that are not numbers are skipped (not checked).

    Returns
    -------
    float
    """
    s = pd.to_numeric(pd.Series(scores), errors="coerce").dropna()
    if s.empty:
        return float("nan")
    return float(100 * ((s >= PROMOTER_MIN).mean() - (s <= DETRACTOR_MAX).mean()))


def nps_group(scores) -> pd.Series:
    """Promoter (9-10), passive (7-8), detractor (0-6) or "no answer", per answer.

    Parameters
    ----------
    scores : array-like
        Answers on the 0-10 scale; values that are not numbers are "no answer".

    Returns
    -------
    Series
        ``"promoter (9-10)"``, ``"passive (7-8)"``, ``"detractor (0-6)"`` or
        ``"no answer"``, index that of ``scores`` as a Series.
    """
    s = pd.to_numeric(pd.Series(scores), errors="coerce")
    out = pd.Series("no answer", index=s.index, dtype=object)
    out[s >= PROMOTER_MIN] = f"promoter ({PROMOTER_MIN}-10)"
    out[(s > DETRACTOR_MAX) & (s < PROMOTER_MIN)] = (
        f"passive ({DETRACTOR_MAX + 1}-{PROMOTER_MIN - 1})"
    )
    out[s <= DETRACTOR_MAX] = f"detractor (0-{DETRACTOR_MAX})"
    return out


def compare_nps(before: NPSEstimate, after: NPSEstimate, *, alpha: float = 0.05) -> NPSChange:
    """Two-sided z-test for the change between two independent NPS estimates.

    ``z = (NPS_after − NPS_before) / sqrt(SE_before² + SE_after²)`` (Rocks 2016). For a
    panel (the same respondents twice) this test is conservative.

    Parameters
    ----------
    before, after : NPSEstimate
        The two estimates (e.g. last month's and this month's).
    alpha : float, default=0.05
        Significance level, in (0, 1).

    Returns
    -------
    NPSChange
        ``change``, ``se``, ``z`` and ``p_value`` NaN (not significant) when either sample is
        empty; when both are unanimous (SE 0) the test uses the adjusted-Wald SEs.

    Examples
    --------
    >>> c = compare_nps(nps_from_counts(90, 60, 50), nps_from_counts(120, 75, 55))
    >>> round(c.change, 1), round(c.z, 2), round(c.p_value, 2), c.significant
    (6.0, 0.79, 0.43, False)
    """
    if not 0 < alpha < 1:
        raise CxReportError(f"The 'alpha' parameter must be in the range (0, 1); got {alpha!r}.")
    if before.n == 0 or after.n == 0:
        nan = float("nan")
        return NPSChange(before.nps, after.nps, nan, nan, nan, nan, False, alpha)
    se = math.hypot(before.se, after.se)
    if se > 0:
        z, p = diff_z(before.nps, before.se, after.nps, after.se)
    else:
        # Both samples unanimous (SE 0): the plain SE would make any difference "certain".
        # Use the adjusted-Wald SEs (Rocks 2016), which stay positive, for the test.
        se = math.hypot(_adjusted_se(before), _adjusted_se(after))
        z = (after.nps - before.nps) / se
        p = float(2 * _st.norm.sf(abs(z)))
    return NPSChange(before.nps, after.nps, after.nps - before.nps, se, z, p, p < alpha, alpha)


def _adjusted_se(e: NPSEstimate) -> float:
    na = e.n + 3
    return 100 * _trinomial_se((e.promoters + 0.75) / na, (e.detractors + 0.75) / na, na)


def has_nps(data) -> bool:
    """Does the data set hold survey answers to the NPS question?

    Parameters
    ----------
    data : Dataset
        A loaded data folder.

    Returns
    -------
    bool
        True when the survey table has an ``nps`` column with at least one answer.
    """
    return (
        data.has("survey")
        and "nps" in data.columns("survey")
        and data.table("survey", ["nps"])["nps"].notna().any()
    )


#: The survey columns the NPS views read (the items, dozens of columns, they never do).
SURVEY_COLUMNS = ("response_id", "customer_id", "date", "nps", "touchpoint")


def _nps_survey(data) -> pd.DataFrame:
    """The survey's NPS columns, checked (:func:`_require_nps`)."""
    if not data.has("survey") or "nps" not in data.columns("survey"):
        return _require_nps(data.survey)
    return _require_nps(data.table("survey", SURVEY_COLUMNS))


def _require_nps(survey: pd.DataFrame | None) -> pd.DataFrame:
    if survey is None or not len(survey):
        raise MissingColumnError(
            "NPS needs the survey table (survey.csv with an 'nps' column of 0-10 answers)."
        )
    if "nps" not in survey:
        raise MissingColumnError(
            "NPS needs the survey column 'nps' (0-10 answers to 'How likely is it that you "
            "would recommend us?'); the survey has "
            f"{', '.join(map(str, survey.columns[:12]))}{', ...' if survey.shape[1] > 12 else ''}"
            ". Map your column in cxreport.yaml (tables.survey.columns.nps: <your column>)."
        )
    return survey


#: The NPS part of the NPS/SQI/MoT notebook's settings.
SETTINGS = (
    Setting(
        "min_responses",
        int,
        100,
        "months with fewer NPS answers are flagged, not read as precise",
        low=1,
    ),
    Setting(
        "group_min_responses",
        int,
        30,
        "segments and touchpoints with fewer NPS answers are flagged",
        low=1,
    ),
    Setting(
        "group_months",
        int,
        3,
        "months pooled for NPS by segment, by touchpoint and by comment topic",
        low=1,
    ),
)
_SETTING = by_name(SETTINGS)


def _check_min(min_responses) -> int:
    return _SETTING["min_responses"].check(min_responses)


def check_settings(**values) -> None:
    """Check the NPS settings (:data:`SETTINGS`) up front (same messages as the functions).

    Parameters
    ----------
    **values
        Settings by name; those of :data:`SETTINGS` are checked, others ignored.
    """
    check(SETTINGS, values)


def nps_table(
    survey: pd.DataFrame, by: str, *, min_responses: int = 30, confidence: float = 0.95, order=None
) -> pd.DataFrame:
    """NPS per value of a column of ``survey``, with intervals and a small-sample flag.

    Parameters
    ----------
    survey : DataFrame
        Survey answers with an ``nps`` column.
    by : str
        Column to group by (blank values are left out).
    min_responses : int, default=30
        Groups with fewer answers are flagged ``small_sample``.
    confidence : float, default=0.95
    order : sequence, optional
        Groups to list, in this order (groups without answers get ``n = 0``).

    Returns
    -------
    DataFrame
        ``by`` followed by :data:`ESTIMATE_COLUMNS` and ``small_sample``.
    """
    survey = _require_nps(survey)
    min_responses = _check_min(min_responses)
    if by not in survey:
        raise MissingColumnError(f"The survey has no column '{by}' to group NPS by.")
    s = survey[[by, "nps"]].dropna()
    _check_scores(s["nps"], "survey column 'nps'")
    groups = list(order) if order is not None else sorted(s[by].unique(), key=str)
    rows = []
    for g in groups:
        est = nps(s.loc[s[by] == g, "nps"], confidence=confidence)
        rows.append({by: g, **est.as_dict()})
    out = pd.DataFrame(rows, columns=[by, *ESTIMATE_COLUMNS])
    out["small_sample"] = out["n"] < min_responses
    return out


def _months(data, column: str = "date") -> pd.PeriodIndex:
    return data.months("survey", column)


def nps_by_month(
    data, *, min_responses: int = 100, confidence: float = 0.95, alpha: float = 0.05
) -> pd.DataFrame:
    """NPS per calendar month up to the reporting month, with intervals and flags.

    Parameters
    ----------
    data : Dataset
        Loaded data set; uses ``data.survey`` (``date``, ``nps``) and ``data.month``.
    min_responses : int, default=100
        Months with fewer answers are flagged ``small_sample`` (worst-case margin of error at
        n = 100 is ±19.6 points).
    confidence : float, default=0.95
    alpha : float, default=0.05
        Significance level of the month-on-month change test.

    Returns
    -------
    DataFrame
        One row per month: ``month`` (Period), :data:`ESTIMATE_COLUMNS`, ``small_sample``, and
        the change against the previous month: ``change``, ``change_se``, ``change_z``,
        ``change_p``, ``change_significant`` (p < ``alpha`` *and* both months have at least
        ``min_responses`` answers: a small month's change is reported, never flagged). A
        survey without a ``date`` column is one period: a single row labelled with the
        reporting month.
    """
    survey = _nps_survey(data)
    min_responses = _check_min(min_responses)
    s = survey.dropna(subset=["nps"])
    if "date" in s:
        s = s[s["date"] < data.month_end] if data.month is not None else s
        key = s["date"].dt.to_period("M")
        months = _months(data) if s["date"].notna().any() else pd.PeriodIndex([], freq="M")
    else:
        month = data.month if data.month is not None else pd.Period("NaT", "M")
        key = pd.Series(month, index=s.index)
        months = pd.PeriodIndex([month], freq="M")
    rows, ests = [], []
    for m in months:
        est = nps(s.loc[key == m, "nps"], confidence=confidence)
        ests.append(est)
        row = {"month": m, **est.as_dict()}
        if len(ests) > 1:
            ch = compare_nps(ests[-2], est, alpha=alpha)
            # a "significant" change needs both months to have enough answers
            enough = min(ests[-2].n, est.n) >= min_responses
            row.update(
                change=ch.change,
                change_se=ch.se,
                change_z=ch.z,
                change_p=ch.p_value,
                change_significant=ch.significant and enough,
            )
        rows.append(row)
    cols = [
        "month",
        *ESTIMATE_COLUMNS,
        "change",
        "change_se",
        "change_z",
        "change_p",
        "change_significant",
    ]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["small_sample"] = out["n"] < min_responses
    out["change_significant"] = out["change_significant"].astype("boolean").fillna(False)
    out["change_significant"] = out["change_significant"].astype(bool)
    return out[[*cols[: 1 + len(ESTIMATE_COLUMNS)], "small_sample", *cols[-5:]]]


def month_summary(
    data, *, min_responses: int = 100, confidence: float = 0.95, alpha: float = 0.05
) -> dict:
    """The reporting month's NPS, last month's, and the change with its test.

    Parameters
    ----------
    data : Dataset
        Loaded data set; uses ``data.survey`` (``nps``, ``date`` when dated) and
        ``data.month``. An undated survey is all this month, with no previous month.
    min_responses : int, default=100
        Fewer answers make a month ``small_sample`` (and its change not significant).
    confidence : float, default=0.95
        Confidence level of the intervals.
    alpha : float, default=0.05
        Significance level of the change test.

    Returns
    -------
    dict
        ``current`` and ``previous`` (:class:`NPSEstimate`), ``change`` (:class:`NPSChange`;
        ``significant`` is False when either month has fewer than ``min_responses``
        answers), ``small_sample`` (bool), ``month`` (Period), ``previous_small`` (bool, the
        same for last month).
    """
    survey = _nps_survey(data)
    s = survey.dropna(subset=["nps"])
    if "date" in s:
        cur = nps(data.in_month("survey").dropna(subset=["nps"])["nps"], confidence=confidence)
        prev_rows = data.in_month("survey", month=data.month - 1).dropna(subset=["nps"])
        prev = nps(prev_rows["nps"], confidence=confidence)
    else:
        cur = nps(s["nps"], confidence=confidence)
        prev = nps([], confidence=confidence)
    min_responses = _check_min(min_responses)
    change = compare_nps(prev, cur, alpha=alpha)
    if min(cur.n, prev.n) < min_responses:  # as in nps_by_month: small months never flag
        change = replace(change, significant=False)
    return {
        "month": data.month,
        "current": cur,
        "previous": prev,
        "change": change,
        "small_sample": cur.n < min_responses,
        "previous_small": prev.n < min_responses,
    }


def nps_by_touchpoint(
    data, *, months: int = 3, min_responses: int = 30, confidence: float = 0.95
) -> tuple[pd.DataFrame, list[str]]:
    """NPS by the touchpoint that triggered the survey (``survey.touchpoint``).

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs ``survey.touchpoint``; the touchpoints table, when present, is
        used to check the labels.
    months : int, default=3
        Pool the last ``months`` months up to the reporting month (one month per touchpoint
        is usually too few answers).
    min_responses : int, default=30
        Touchpoints with fewer answers are flagged ``small_sample``.
    confidence : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    (DataFrame, list of str)
        :func:`nps_table` by ``touchpoint``, and notes for the reader (e.g. touchpoint
        labels that match no touchpoint of the touchpoints table).
    """
    survey = _nps_survey(data)
    notes: list[str] = []
    if "touchpoint" not in survey or survey["touchpoint"].isna().all():
        raise MissingColumnError(
            "The survey has no 'touchpoint' column (or it is empty), so "
            "NPS cannot be split by touchpoint."
        )
    s = _recent(data, survey, months)
    s = s.assign(touchpoint=s["touchpoint"].astype("string"))
    out = nps_table(s, "touchpoint", min_responses=min_responses, confidence=confidence)
    if data.has("touchpoints"):
        # the distinct labels first: a set of millions of contacts' labels took most of a minute
        names = data.table("touchpoints", ["touchpoint"])["touchpoint"].unique()
        known = set(pd.Series(names, dtype=object).astype(str))
        odd = [str(t) for t in out["touchpoint"] if str(t) not in known]
        if odd:
            notes.append(
                _(
                    "survey.touchpoint value(s) {odd} match no touchpoint of the touchpoints "
                    "table ({known}); check how the survey tool codes touchpoints.",
                    odd=", ".join(odd[:8]),
                    known=", ".join(sorted(known)),
                )
            )
    blank = int(s["touchpoint"].isna().sum())
    if blank:
        notes.append(
            _("{n} of {total} answers name no touchpoint and are left out.", n=blank, total=len(s))
        )
    return out, notes


def _recent(data, survey: pd.DataFrame, months: int) -> pd.DataFrame:
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise CxReportError(
            f"The 'months' parameter must be an int in the range [1, inf); got {months!r}."
        )
    s = survey.dropna(subset=["nps"])
    if "date" in s and data.month is not None:
        start = (data.month - (months - 1)).start_time
        s = s[(s["date"] >= start) & (s["date"] < data.month_end)]
    if s.empty:
        raise MissingColumnError(
            f"No NPS answers in the {months} month(s) up to {data.month}: a breakdown needs "
            "some; a longer group_months would pool more months."
        )
    return s


def nps_by_segment(
    data,
    *,
    labels: pd.Series | None = None,
    months: int = 3,
    min_responses: int = 30,
    confidence: float = 0.95,
) -> tuple[pd.DataFrame, str, list[str]]:
    """NPS by customer segment, with intervals.

    Parameters
    ----------
    data : Dataset
        Needs ``survey.customer_id`` and the customers table.
    labels : Series, optional
        customer_id → segment (the run's ``run.segments()``, the same on every page). Without
        it the customers' ``plan`` (then ``channel``, then ``region``) is used, with a note.
    months, min_responses, confidence
        As in :func:`nps_table`.

    Returns
    -------
    (DataFrame, str, list of str)
        :func:`nps_table` by ``segment``, the name of what the segment is, and notes.
    """
    survey = _nps_survey(data)
    notes: list[str] = []
    if "customer_id" not in survey or not data.has("customers"):
        raise MissingColumnError(
            "NPS by segment needs survey.customer_id and the customers "
            "table to know each respondent's segment."
        )
    if labels is not None:
        source = _("customer segment")
    else:
        cust = data.customers
        col = next(
            (c for c in ("plan", "channel", "region") if c in cust and cust[c].notna().any()), None
        )
        if col is None:
            raise MissingColumnError(
                "No segmentation is available and the customers table has "
                "no plan, channel or region column to group by."
            )
        labels = pd.Series(cust[col].to_numpy(), index=cust["customer_id"])
        source = _("price plan ({col})", col=col) if col == "plan" else col
        notes.append(
            _(
                "No customer segmentation is available (it needs transactions); NPS is shown "
                "by the customers' {col} instead.",
                col=col,
            )
        )
    s = _recent(data, survey, months)
    anon = int(s["customer_id"].isna().sum())
    seg = s["customer_id"].map(labels)
    if anon:
        notes.append(
            _(
                "{n} of {total} answers are anonymous and cannot be given a segment.",
                n=anon,
                total=len(s),
            )
        )
    s = s.assign(segment=seg.astype("string"))
    out = nps_table(
        s.dropna(subset=["segment"]), "segment", min_responses=min_responses, confidence=confidence
    )
    return out, source, notes


def describe_month(summary: dict) -> str:
    """One plain-language paragraph on the month's NPS (from :func:`month_summary`).

    Parameters
    ----------
    summary : dict
        What :func:`month_summary` returns.

    Returns
    -------
    str
        In the report's language.
    """
    cur, prev, ch = summary["current"], summary["previous"], summary["change"]
    if cur.n == 0:
        return _("No NPS answers in {month}.", month=i18n.month(summary["month"]))
    text = _(
        "NPS {month}: {nps} points (95% CI {low} to {high}, margin of error ±{margin}) from "
        "{n} answers: {promoters}% promoters, {passives}% passives, {detractors}% detractors.",
        month=i18n.month(summary["month"]),
        nps=f"{cur.nps:+.1f}",
        low=f"{cur.ci_low:+.1f}",
        high=f"{cur.ci_high:+.1f}",
        margin=f"{cur.margin:.1f}",
        n=i18n.number(cur.n),
        promoters=f"{cur.pct_promoters:.0f}",
        passives=f"{cur.pct_passives:.0f}",
        detractors=f"{cur.pct_detractors:.0f}",
    )
    if summary["small_sample"]:
        text += " " + _("Too few answers for a precise figure: read it as a range, not a number.")
    if prev.n:
        if summary["small_sample"] or summary.get("previous_small", False):
            verdict = _("one of the two months has too few answers to call it a change")
        elif ch.significant:
            verdict = _("a significant change")
        else:
            verdict = _("within sampling noise (not significant)")
        text += " " + _(
            "Previous month {previous} (n = {n}); change {change} points, z = {z}, "
            "p = {p}: {verdict}.",
            previous=f"{prev.nps:+.1f}",
            n=i18n.number(prev.n),
            change=f"{ch.change:+.1f}",
            z=f"{ch.z:.2f}",
            p=f"{ch.p_value:.3f}",
            verdict=verdict,
        )
    return text


def nps_recent(data, *, months: int = 3, confidence: float = 0.95) -> NPSEstimate:
    """NPS of all answers in the last ``months`` months up to the reporting month.

    Parameters
    ----------
    data : Dataset
        Loaded data set; uses ``data.survey`` and ``data.month`` (an undated survey: all
        answers).
    months : int, default=3
        Months pooled (at least 1).
    confidence : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    NPSEstimate
    """
    survey = _nps_survey(data)
    return nps(_recent(data, survey, months)["nps"], confidence=confidence)


def month_table(monthly: pd.DataFrame, *, last: int = 6) -> pd.DataFrame:
    """The last ``last`` months of :func:`nps_by_month`, rounded and plainly named, for reading.

    Small months say so in the ``note`` column; a change is called significant only as in
    :func:`nps_by_month`.

    Parameters
    ----------
    monthly : DataFrame
        What :func:`nps_by_month` returns.
    last : int, default=6
        Number of months shown.

    Returns
    -------
    DataFrame
        Index the month (text); the headers in the report's language.
    """
    m = monthly.tail(last).reset_index(drop=True)
    out = pd.DataFrame({_("month"): m["month"].astype(str), _("answers"): m["n"]})
    out[_("promoters %")] = m["pct_promoters"].round(1)
    out[_("passives %")] = m["pct_passives"].round(1)
    out[_("detractors %")] = m["pct_detractors"].round(1)
    out["NPS"] = m["nps"].round(1)
    out[_("95% CI")] = [
        "–" if np.isnan(lo) else _("{low} to {high}", low=f"{lo:+.1f}", high=f"{hi:+.1f}")
        for lo, hi in zip(m["ci_low"], m["ci_high"], strict=True)
    ]
    out[_("change vs previous")] = m["change"].round(1)
    out["p"] = m["change_p"].round(3)
    out[_("note")] = [
        _("too few answers") if small else (_("significant change") if sig else "")
        for small, sig in zip(m["small_sample"], m["change_significant"], strict=True)
    ]
    return out.set_index(_("month"))
