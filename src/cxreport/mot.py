"""Moments of Truth: which contacts, in which EODC stage, cost the most customers.

For each touchpoint × EODC stage (or each touchpoint, or each stage) over a window of months:

* **volume** – contacts, and the customers who had them;
* **failure rate** – share of contacts whose outcome is not ``ok``, with a Wilson interval;
* **NPS after the contact** – every contact is linked to the customer's first survey answer
  within ``survey_days`` days after it; NPS of those answers, after a failed contact and after a
  good one (``nps_gap = nps_ok − nps_fail``);
* **churn after the contact** – share of contacts after which the customer left within
  ``churn_days`` days, after a failure and after a good contact, with the difference and its
  Newcombe (hybrid Wilson score) interval. Only contacts whose whole follow-up window lies
  before the end of the reporting month are used (later ones are censored, not "stayed").

Impact, the ranking
    ``excess_churn = failures × (churn_fail − churn_ok)`` = volume × failure rate × churn
    difference: the number of departures over the window associated with failures at this
    moment beyond what good contacts at the same moment are followed by. Where churn is not
    known, ``net_promoters_lost = failures_linked × nps_gap / 100`` ranks instead (each answer
    scores +1 / 0 / −1, so the NPS gap per 100 answers is net promoters lost).

    Both are associations, not causal effects: customers who meet failures may differ from those
    who do not (heavier users, harder products). Read the ranking as "where to look first".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_string_dtype

from .data.lookup import positions
from .errors import CxReportError
from .errors import check_int as _int_param
from .i18n import _, code, number, percent
from .nps import nps_score
from .settings import Setting, check
from .stats import wilson_interval

#: Columns of the Moments-of-Truth table in percent (0-100; the churn difference in points).
PERCENT_COLUMNS = (
    "failure_rate",
    "fr_low",
    "fr_high",
    "month_failure_rate",
    "churn_fail",
    "churn_ok",
    "churn_diff",
    "churn_diff_low",
    "churn_diff_high",
)
LEVELS = {
    "touchpoint_stage": ["touchpoint", "stage"],
    "touchpoint": ["touchpoint"],
    "stage": ["stage"],
}


@dataclass
class MoTResult:
    """The Moments-of-Truth table and how it was made.

    ``table`` holds one row per moment (see :func:`moments_of_truth`), sorted by impact, largest
    first, with ``rank`` 1 = the moment that matters most. ``impact`` names the ranking column.
    """

    table: pd.DataFrame
    level: str
    window: tuple[pd.Timestamp, pd.Timestamp]
    churn_days: int
    survey_days: int
    impact: str
    notes: list[str] = field(default_factory=list)


#: The Moments-of-Truth part of the NPS/SQI/MoT notebook's settings (``window_months`` is
#: ``mot_window_months`` there).
SETTINGS = (
    Setting("window_months", int, 12, "months analysed in the Moments-of-Truth view", low=1),
    Setting(
        "churn_days",
        int,
        90,
        "a departure within this many days after a contact counts as churn after it",
        low=1,
        high=730,
    ),
    Setting(
        "survey_days",
        int,
        30,
        "a survey answer within this many days after a contact is linked to it",
        low=0,
        high=365,
    ),
)


def check_settings(**values) -> None:
    """Check the Moments-of-Truth settings (:data:`SETTINGS`) up front (same rules as
    :func:`moments_of_truth`).

    Parameters
    ----------
    **values
        Settings by name; those of :data:`SETTINGS` are checked, others ignored.
    """
    check(SETTINGS, values)


def newcombe_diff(k1, n1, k2, n2, *, confidence: float = 0.95):
    """Newcombe's hybrid score interval for ``p1 − p2`` (Newcombe 1998, method 10).

    Returns (difference, low, high); arrays allowed. NaN where a sample is empty.

    Parameters
    ----------
    k1, n1 : int or array-like
        Successes and size of the first sample.
    k2, n2 : int or array-like
        Successes and size of the second sample.
    confidence : float, default=0.95
        Confidence level of the Wilson intervals combined.

    Returns
    -------
    difference, low, high : float or ndarray
        ``k1/n1 - k2/n2`` (a proportion, not %) and its interval.
    """
    k1, n1, k2, n2 = (np.asarray(v, float) for v in (k1, n1, k2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, confidence=confidence)
    l2, u2 = wilson_interval(k2, n2, confidence=confidence)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def _nps_of(scores) -> tuple[float, int]:
    scores = pd.Series(scores)
    return nps_score(scores), int(scores.notna().sum())


def _link_survey(contacts: pd.DataFrame, survey: pd.DataFrame, days: int) -> pd.Series:
    """The NPS of each contact's customer's first survey answer within ``days`` after it."""
    sv = survey.dropna(subset=["customer_id", "date", "nps"])[["customer_id", "date", "nps"]]
    if not len(sv):
        return pd.Series(np.nan, index=contacts.index)
    ids, answered = contacts["customer_id"], sv["customer_id"]
    if not (is_string_dtype(ids) and is_string_dtype(answered)):  # typed apart: match as text
        ids, answered = ids.astype(str), answered.astype(str)
    # customers as integer codes (their position among those who answered; -1: never did):
    # millions of contacts' ids as Python strings were the NPS page's peak of memory
    known = pd.Index(answered.unique())
    customer = positions(ids, known)
    answering = customer >= 0  # the others' contacts have no answer to find: NaN
    left = pd.DataFrame(
        {
            "customer": customer[answering],
            "day": contacts["date"].dt.normalize().to_numpy()[answering],
            "_row": contacts.index[answering],
        }
    )
    right = pd.DataFrame(
        {"customer": positions(answered, known), "day": sv["date"], "nps": sv["nps"]}
    )
    left = left.sort_values(["day", "_row"], kind="stable")
    right = right.sort_values(["day"], kind="stable")
    m = pd.merge_asof(
        left,
        right,
        on="day",
        by="customer",
        direction="forward",
        tolerance=pd.Timedelta(days=days),
    )
    return pd.Series(m["nps"].to_numpy(float), index=m["_row"].to_numpy()).reindex(contacts.index)


def _distinct_per_group(group: np.ndarray, who: np.ndarray) -> np.ndarray:
    """How many distinct ``who`` (codes; -1: missing, not counted) each group number holds,
    by hashing the (group, who) pairs once rather than sorting each group's codes."""
    ok = who >= 0
    if not ok.any():
        return np.zeros(group.max() + 1 if len(group) else 0, dtype=np.int64)
    span = int(who.max()) + 1
    pairs = pd.unique(group[ok].astype(np.int64) * span + who[ok])
    return np.bincount(pairs // span, minlength=group.max() + 1)


#: The Moments-of-Truth table's columns after the level's keys, in order.
_TABLE_COLUMNS = (
    "rank",
    "contacts",
    "customers",
    "failures",
    "failure_rate",
    "fr_low",
    "fr_high",
    "month_contacts",
    "month_failures",
    "month_failure_rate",
    "nps",
    "nps_n",
    "nps_fail",
    "nps_fail_n",
    "nps_ok",
    "nps_ok_n",
    "nps_gap",
    "followed",
    "churn_fail",
    "churn_fail_n",
    "churn_ok",
    "churn_ok_n",
    "churn_diff",
    "churn_diff_low",
    "churn_diff_high",
    "excess_churn",
    "excess_churn_low",
    "excess_churn_high",
    "net_promoters_lost",
    "small",
)


@dataclass(frozen=True)
class _Window:
    """The months analysed: from the first day of the first to the end of the reporting one."""

    start: pd.Timestamp
    end: pd.Timestamp


def _check_stage(data, keys: list[str]) -> None:
    """Refuse a level split by stage when the touchpoints have no stage column."""
    if "stage" in keys and "stage" not in data.columns("touchpoints"):
        raise CxReportError(
            "The touchpoints table has no 'stage' column (EODC stage), so "
            "moments cannot be split by stage; use level='touchpoint'."
        )


def _window_contacts(data, keys: list[str], window: _Window, notes: list[str]) -> pd.DataFrame:
    """The window's contacts (a new frame), with ``failed``, ``in_month`` and a filled stage."""
    # only the columns used: a page that never reads a contact's channel never holds it
    used = ("customer_id", "date", "outcome", "touchpoint", "stage")
    # only the window's contacts are read (a new frame: its columns can be set)
    c = data.table(
        "touchpoints",
        [c for c in used if c in data.columns("touchpoints")],
        within=("date", window.start, window.end),
    )
    if "stage" in c:
        blank = c["stage"].isna()
        if blank.any() and "stage" in keys:
            notes.append(
                _(
                    "{n} contacts have no EODC stage and are shown as '(no stage)'.",
                    n=int(blank.sum()),
                )
            )
        c["stage"] = c["stage"].fillna("(no stage)")
    c["failed"] = c["outcome"] != "ok"
    c["in_month"] = c["date"] >= data.month_start
    return c


def _add_nps_after(
    c: pd.DataFrame, data, window: _Window, survey_days: int, notes: list[str]
) -> bool:
    """Set ``nps_after``, the NPS of the customer's next answer; whether there are answers."""
    if data.has("survey") and {"customer_id", "date", "nps"} <= set(data.columns("survey")):
        sv = data.table(
            "survey", ["customer_id", "date", "nps"], within=("date", window.start, None)
        )
        c["nps_after"] = _link_survey(c, sv, survey_days)
        return True
    c["nps_after"] = np.nan
    notes.append(
        _("No survey answers with customer_id, date and nps: NPS after a contact is not shown.")
    )
    return False


def _add_churn_after(
    c: pd.DataFrame, data, window: _Window, churn_days: int, notes: list[str]
) -> bool:
    """Set ``followed`` and ``churned_after`` (departure within ``churn_days``); whether churn
    after a contact is known."""
    cust = data.table("customers", ["customer_id", "churn_date"]) if data.has("customers") else None
    has_churn = cust is not None and "churn_date" in cust
    if has_churn:
        # c["customer_id"].map(churn dates by id), through Arrow's hash table
        by_id = cust.set_index("customer_id")["churn_date"]
        at = positions(c["customer_id"], by_id.index)
        cd = pd.Series(by_id.to_numpy()[np.maximum(at, 0)], index=c.index).where(at >= 0)
        day = c["date"].dt.normalize()
        c["followed"] = day + pd.Timedelta(days=churn_days) <= window.end
        c["churned_after"] = cd.notna() & (cd >= day) & (cd < day + pd.Timedelta(days=churn_days))
        if not c["followed"].any():
            has_churn = False
            notes.append(
                _(
                    "No contact in the window has {days} days of follow-up before the end of "
                    "{month}; lengthen window_months or shorten churn_days to see churn after "
                    "contacts.",
                    days=churn_days,
                    month=data.month,
                )
            )
    else:
        notes.append(
            _(
                "The customers table has no churn_date: churn after a contact is not "
                "shown and the ranking uses the NPS gap."
            )
        )
    if not has_churn:
        c["followed"] = False
        c["churned_after"] = False
    return has_churn


def _moment_counts(c: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row of counts per moment: contacts, customers, failures, NPS and churn after."""
    # each moment's rows by position, over the columns as arrays: iterating the groups as
    # frames sorted a copy of every contact of the window (600 MB at a million customers),
    # and counted distinct customers on their ids as Python strings
    customer = pd.factorize(c["customer_id"])[0]  # -1: missing
    nps_after = c["nps_after"].to_numpy(float)
    failed, in_month, followed, churned = (
        c[col].to_numpy(dtype=bool) for col in ("failed", "in_month", "followed", "churned_after")
    )
    moments = c.groupby(keys, sort=True, dropna=False)
    moment = moments.ngroup().to_numpy()
    customers = _distinct_per_group(moment, customer)
    rows = []
    for key, idx in moments.indices.items():
        key = key if isinstance(key, tuple) else (key,)
        fail, month, seen, left = failed[idx], in_month[idx], followed[idx], churned[idx]
        score = nps_after[idx]
        nps_all, n_all = _nps_of(score)
        nps_f, n_f = _nps_of(score[fail])
        nps_o, n_o = _nps_of(score[~fail])
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "contacts": len(idx),
                "customers": int(customers[moment[idx[0]]]),
                "failures": int(fail.sum()),
                "month_contacts": int(month.sum()),
                "month_failures": int((month & fail).sum()),
                "nps": nps_all,
                "nps_n": n_all,
                "nps_fail": nps_f,
                "nps_fail_n": n_f,
                "nps_ok": nps_o,
                "nps_ok_n": n_o,
                "followed": int(seen.sum()),
                "churn_fail_k": int((seen & fail & left).sum()),
                "churn_fail_n": int((seen & fail).sum()),
                "churn_ok_k": int((seen & ~fail & left).sum()),
                "churn_ok_n": int((seen & ~fail).sum()),
            }
        )
    return pd.DataFrame(rows)


def _add_rates(t: pd.DataFrame, confidence: float, min_failures: int) -> None:
    """Add the failure and churn rates with their intervals, the impacts and ``small``."""
    lo, hi = wilson_interval(t["failures"], t["contacts"], confidence=confidence)
    t["failure_rate"] = 100 * t["failures"] / t["contacts"]
    t["fr_low"], t["fr_high"] = 100 * lo, 100 * hi
    with np.errstate(invalid="ignore", divide="ignore"):
        t["month_failure_rate"] = (
            100 * t["month_failures"] / t["month_contacts"].where(t["month_contacts"] > 0)
        )
        t["churn_fail"] = 100 * t["churn_fail_k"] / t["churn_fail_n"].where(t["churn_fail_n"] > 0)
        t["churn_ok"] = 100 * t["churn_ok_k"] / t["churn_ok_n"].where(t["churn_ok_n"] > 0)
    d, dl, dh = newcombe_diff(
        t["churn_fail_k"],
        t["churn_fail_n"],
        t["churn_ok_k"],
        t["churn_ok_n"],
        confidence=confidence,
    )
    t["churn_diff"], t["churn_diff_low"], t["churn_diff_high"] = 100 * d, 100 * dl, 100 * dh
    t["excess_churn"] = t["failures"] * d
    t["excess_churn_low"] = t["failures"] * dl
    t["excess_churn_high"] = t["failures"] * dh
    t["nps_gap"] = t["nps_ok"] - t["nps_fail"]
    t["net_promoters_lost"] = t["failures"] * t["nps_gap"] / 100
    t["small"] = t["failures"] < min_failures


def _impact(has_churn: bool, has_nps: bool) -> str:
    """The ranking column: excess churn, else net promoters lost, else failures."""
    impact = "excess_churn" if has_churn else "net_promoters_lost"
    if not has_churn and not has_nps:
        impact = "failures"
    return impact


def _ranked(t: pd.DataFrame, keys: list[str], impact: str) -> pd.DataFrame:
    """The moments sorted by impact (large enough ones first) and numbered in ``rank``."""
    order = t[impact].fillna(-np.inf)
    t = (
        t.assign(_o=order)
        .sort_values(
            ["small", "_o", "failures"] + keys,
            ascending=[True, False, False] + [True] * len(keys),
            kind="stable",
        )
        .drop(columns="_o")
    )
    t["rank"] = np.arange(1, len(t) + 1)
    return t


def moments_of_truth(
    data,
    *,
    level: str = "touchpoint_stage",
    window_months: int = 12,
    churn_days: int = 90,
    survey_days: int = 30,
    min_failures: int = 20,
    confidence: float = 0.95,
) -> MoTResult:
    """The Moments-of-Truth table: volume, failures, NPS and churn per moment, ranked.

    Parameters
    ----------
    data : Dataset
        Needs ``touchpoints``; uses ``survey`` (``customer_id``, ``date``, ``nps``) and
        ``customers`` (``churn_date``) when present.
    level : {"touchpoint_stage", "touchpoint", "stage"}, default="touchpoint_stage"
        What a moment is.
    window_months : int, default=12
        Months up to and including the reporting month that are analysed.
    churn_days : int, default=90
        Follow-up after a contact within which a departure counts as churn after it.
    survey_days : int, default=30
        A survey answer counts for a contact if given within this many days after it.
    min_failures : int, default=20
        Moments with fewer failures in the window are flagged ``small`` (their churn and NPS
        differences are too uncertain to rank on).
    confidence : float, default=0.95

    Returns
    -------
    MoTResult
        ``table`` columns: the level's keys, ``contacts``, ``customers``, ``failures``,
        ``failure_rate`` (%), ``fr_low``, ``fr_high`` (Wilson, %), ``month_contacts``,
        ``month_failure_rate`` (%, reporting month only), ``nps``, ``nps_n``, ``nps_fail``,
        ``nps_fail_n``, ``nps_ok``, ``nps_ok_n``, ``nps_gap``, ``followed``, ``churn_fail``,
        ``churn_fail_n``, ``churn_ok``, ``churn_ok_n`` (churn in %), ``churn_diff``,
        ``churn_diff_low``, ``churn_diff_high`` (percentage points), ``excess_churn``,
        ``excess_churn_low``, ``excess_churn_high``, ``net_promoters_lost``, ``small``,
        ``rank``.
    """
    if level not in LEVELS:
        raise CxReportError(
            f"The 'level' parameter must be one of {', '.join(LEVELS)}; got {level!r}."
        )
    window_months = _int_param("window_months", window_months, 1)
    churn_days = _int_param("churn_days", churn_days, 1, 730)
    survey_days = _int_param("survey_days", survey_days, 0, 365)
    min_failures = _int_param("min_failures", min_failures, 1)
    data.require("The Moments-of-Truth view", "touchpoints")
    keys = LEVELS[level]
    notes: list[str] = []
    _check_stage(data, keys)
    window = _Window((data.month - (window_months - 1)).start_time, data.month_end)
    c = _window_contacts(data, keys, window, notes)
    has_nps = _add_nps_after(c, data, window, survey_days, notes)
    has_churn = _add_churn_after(c, data, window, churn_days, notes)
    t = _moment_counts(c, keys)
    if t.empty:
        raise CxReportError(
            f"No touchpoint contacts between {window.start:%Y-%m-%d} and the end of "
            f"{data.month}; choose another month or a longer window_months."
        )
    _add_rates(t, confidence, min_failures)
    impact = _impact(has_churn, has_nps)
    t = _ranked(t, keys, impact)
    if has_nps and t["nps_fail_n"].sum() < 30:
        notes.append(
            _(
                "Fewer than 30 survey answers follow a failed contact: the NPS after a "
                "failure is very uncertain."
            )
        )
    return MoTResult(
        t[[*keys, *_TABLE_COLUMNS]].reset_index(drop=True),
        level,
        (window.start, window.end),
        churn_days,
        survey_days,
        impact,
        notes,
    )


def failure_matrix(
    data, *, window_months: int = 12, result: MoTResult | None = None
) -> pd.DataFrame:
    """Failure rate (%) per touchpoint (rows) × EODC stage (columns); NaN = no contacts.

    The ``contacts`` of each cell are in ``.attrs["contacts"]`` (same shape) so that a chart
    can grey out thin cells. ``result``: a :func:`moments_of_truth` of the same data at the
    touchpoint_stage level, reused when it covers the same months (its failure rates and
    contacts are these) instead of computing it again.

    Parameters
    ----------
    data : Dataset
        Needs ``touchpoints`` (see :func:`moments_of_truth`).
    window_months : int, default=12
        Months up to and including the reporting month that are analysed.
    result : MoTResult, optional
        A result to reuse, as above.

    Returns
    -------
    DataFrame
        Index the touchpoints (sorted), columns the stages (EODC order, then the others
        sorted).
    """
    window = ((data.month - (window_months - 1)).start_time, data.month_end)
    if result is not None and result.level == "touchpoint_stage" and result.window == window:
        res = result
    else:
        res = moments_of_truth(data, level="touchpoint_stage", window_months=window_months)
    from .data.contract import EODC_STAGES

    t = res.table
    stages = [s for s in EODC_STAGES if s in set(t["stage"])] + sorted(
        set(t["stage"]) - set(EODC_STAGES)
    )
    rate = (
        t.pivot(index="touchpoint", columns="stage", values="failure_rate")
        .reindex(columns=stages)
        .sort_index()
    )
    n = t.pivot(index="touchpoint", columns="stage", values="contacts").reindex(
        index=rate.index, columns=stages
    )
    rate.attrs["contacts"] = n
    return rate


def worst_moment(result: MoTResult) -> str:
    """One line naming the moment that matters most, for the KPI table.

    Parameters
    ----------
    result : MoTResult
        From :func:`moments_of_truth`.

    Returns
    -------
    str
        In the report's language; ``"no moments"`` for an empty table.
    """
    t = result.table
    if t.empty:
        return _("no moments")
    r = t.iloc[0]
    name = " · ".join(code(r[k]) for k in LEVELS[result.level])
    text = _(
        "{moment}: {rate}% of {n} contacts failed",
        moment=name,
        rate=f"{r['failure_rate']:.1f}",
        n=f"{int(r['contacts']):,}",
    )
    if result.impact == "excess_churn" and pd.notna(r["churn_diff"]):
        text += _(
            "; churn within {days} days {fail}% after a failure vs {ok}% after a good "
            "contact (≈{extra} extra departures)",
            days=result.churn_days,
            fail=f"{r['churn_fail']:.1f}",
            ok=f"{r['churn_ok']:.1f}",
            extra=f"{r['excess_churn']:.0f}",
        )
    elif result.impact == "net_promoters_lost" and pd.notna(r["nps_gap"]):
        text += _("; NPS {gap} points lower after a failure", gap=f"{r['nps_gap']:.0f}")
    return text


def reader_table(result: MoTResult) -> pd.DataFrame:
    """The MoT table with the columns a reader needs, rounded and plainly named.

    Parameters
    ----------
    result : MoTResult
        From :func:`moments_of_truth`.

    Returns
    -------
    DataFrame
        One row per moment in rank order; headers in the report's language.
    """
    t = result.table
    keys = LEVELS[result.level]
    out = t[keys + ["rank"]].copy()
    names = {"touchpoint": _("touchpoint"), "stage": _("stage"), "rank": _("rank")}
    out = out.rename(columns=names)
    out[_("contacts")] = t["contacts"]
    out[_("failure rate % (95% CI)")] = [
        f"{r:.1f} ({lo:.1f}–{hi:.1f})"
        for r, lo, hi in zip(t["failure_rate"], t["fr_low"], t["fr_high"], strict=True)
    ]
    out[_("NPS after failure / good (n)")] = [
        ("–" if np.isnan(f) else f"{f:+.0f}")
        + " / "
        + ("–" if np.isnan(o) else f"{o:+.0f}")
        + f" ({int(nf)}/{int(no)})"
        for f, o, nf, no in zip(
            t["nps_fail"], t["nps_ok"], t["nps_fail_n"], t["nps_ok_n"], strict=True
        )
    ]
    out[_("churn {days}d after failure / good %", days=result.churn_days)] = [
        "–" if np.isnan(f) else f"{f:.1f} / {o:.1f}"
        for f, o in zip(t["churn_fail"], t["churn_ok"], strict=True)
    ]
    out[_("churn difference pp (95% CI)")] = [
        "–"
        if np.isnan(d)
        else _("{d} ({low} to {high})", d=f"{d:+.1f}", low=f"{lo:+.1f}", high=f"{hi:+.1f}")
        for d, lo, hi in zip(
            t["churn_diff"], t["churn_diff_low"], t["churn_diff_high"], strict=True
        )
    ]
    out[_("extra departures")] = t["excess_churn"].round(1)
    out[_("net promoters lost")] = t["net_promoters_lost"].round(1)
    out[_("few failures")] = t["small"]
    return out


def actions(result: MoTResult, *, n: int = 1) -> list[dict]:
    """The page's actions: repair the ``n`` moments whose failures cost the most extra
    departures, where the 95 % interval of that cost lies above zero (weak evidence is not
    an action). ``customers``: the extra departures.

    Parameters
    ----------
    result : MoTResult
        From :func:`moments_of_truth`.
    n : int, default=1
        Most actions; moments flagged ``small`` are left out.

    Returns
    -------
    list of dict
        Keys ``text``, ``evidence`` and ``customers``; empty when no moment qualifies.
    """
    t = result.table
    if t.empty or "excess_churn_low" not in t:
        return []
    firm = t[(t["excess_churn_low"] > 0) & ~t["small"].astype(bool)]
    out = []
    for r in firm.sort_values("excess_churn", ascending=False).head(n).itertuples():
        out.append(
            {
                "text": _(
                    "Repair the {touchpoint} · {stage} moment",
                    touchpoint=code(r.touchpoint),
                    stage=code(r.stage),
                ),
                "evidence": _(
                    "about {extra} extra departures after its failures (95% CI {low} to {high});"
                    " {rate} of its contacts fail",
                    extra=number(r.excess_churn),
                    low=number(r.excess_churn_low),
                    high=number(r.excess_churn_high),
                    rate=percent(r.failure_rate / 100),
                ),
                "customers": float(r.excess_churn),
            }
        )
    return out
