"""Complaint handling and service recovery: volume, time to resolve, SLA, handling quality,
the recovery paradox and the iceberg of silent dissatisfied customers.

Every function takes a :class:`~cxreport.data.Dataset` (or the frame of :func:`cases`) and
returns plain frames or small result objects; nothing is drawn or printed.

Time to resolve
    A case still open at the end of the reporting month is *censored*: it has taken at least
    as long as its age, and dropping it would make handling look faster than it is. The
    median and 90th percentile are read off the Kaplan–Meier curve (the first time the share
    still open falls to 50 % / 10 %); when the curve never gets there the figure is "not
    reached" (NaN), not the longest time seen.
SLA
    A case is due on its ``due`` day, else ``opened`` + ``complaints.sla_days`` of its
    category (``"*"`` for the others, default 7 days). It breaches when it was resolved after
    that day, or is still open at the month end past it.
Recovery paradox
    Customers active at the start of the window are split into those who never complained in
    it, complainants whose every case was *resolved well* (within its SLA and not reopened)
    and the others (*resolved badly*: late, reopened or still open). Churn in the window and
    NPS of their survey answers in it are compared with intervals. The paradox (recovered
    complainants more loyal than customers without a complaint) shows only when the
    well-resolved group beats the never-complained one beyond the intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data.contract import OPEN_STATUSES
from .data.lookup import is_in
from .errors import NotApplicable
from .i18n import N_, _, number
from .nps import DETRACTOR_MAX, nps
from .settings import Setting, by_name, check
from .stats import demerit_band, wilson_interval

SETTINGS = (
    Setting(
        "window_months",
        int,
        3,
        "months pooled for handling figures, the recovery paradox and the iceberg",
        low=1,
    ),
    Setting(
        "baseline_months",
        int,
        12,
        "months before the reporting month that set the control band of the complaint rate",
        low=1,
    ),
)
_SETTING = by_name(SETTINGS)


def check_settings(**values) -> None:
    """The complaints notebook's settings (:data:`SETTINGS`), checked before any figure.

    Parameters
    ----------
    **values
        Setting name -> value; names that are not in :data:`SETTINGS` are ignored.
    """
    check(SETTINGS, values, owner="complaints")


# --------------------------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------------------------


def require_complaints(data) -> None:
    """Stop the notebook ("not run") when the folder holds no complaints.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``).

    Raises
    ------
    NotApplicable
        When ``data`` has no complaints table.
    """
    if not data.has("complaints"):
        raise NotApplicable(
            f"The complaint-handling page needs a complaints table, which {data.folder} does "
            f"not hold. Add complaints.csv (complaint_id, opened, ...; see the data contract) "
            f"or map your ticket export in cxreport.yaml."
        )


def sla_days(categories: pd.Series, sla: dict[str, float]) -> pd.Series:
    """Days allowed per case: its category's entry of ``complaints.sla_days``, else ``"*"``.

    Parameters
    ----------
    categories : pandas.Series
        Category per case.
    sla : dict of str to float
        Days per category, ``"*"`` for the others (7 days when it has no ``"*"``).

    Returns
    -------
    pandas.Series
        Days (float) per case, on the index of ``categories``.
    """
    return categories.map(sla).astype(float).fillna(float(sla.get("*", 7.0)))


def cases(data) -> pd.DataFrame:
    """One row per case opened up to the month end, as of that day.

    Columns: ``complaint_id``, ``customer_id`` (None when anonymous), ``opened``,
    ``resolved`` (NaT if not resolved by the month end), ``category`` ("unspecified" when
    empty), ``channel``, ``is_open``, ``days`` (to resolution, or age at the month end),
    ``due``, ``late`` (resolved after ``due``), ``open_past_due``, ``breached`` (either; NA
    for a case finished by its ``status`` without a ``resolved`` day),
    ``reopened``, ``first_contact_resolved``, ``satisfaction_after``, ``text`` (missing
    columns: NA).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
        Its complaints table is required (:func:`require_complaints`).

    Returns
    -------
    pandas.DataFrame
        One row per case (a new 0..n-1 index), the columns above.
    """
    require_complaints(data)
    c = data.complaints.copy()
    c = c[c["opened"] < data.month_end].copy()
    if c.empty:
        raise NotApplicable(
            f"The complaint-handling page needs complaints opened up to {data.month}; the "
            f"complaints table starts later. Choose a later --month."
        )
    end = data.month_end
    na = pd.Series(pd.NA, index=c.index)
    dated = c["resolved"] if "resolved" in c else pd.Series(pd.NaT, index=c.index)
    resolved = dated.where(dated < end)  # resolved by the month end
    # the status is the export's (today's); it only says a case without a date is finished
    finished = (
        c["status"].notna() & ~c["status"].isin(OPEN_STATUSES)
        if "status" in c
        else pd.Series(False, index=c.index)
    )
    is_open = resolved.isna() & ~(dated.isna() & finished)
    cat = (
        c["category"].fillna("unspecified")
        if "category" in c
        else pd.Series("unspecified", index=c.index)
    )
    due = c["due"] if "due" in c else pd.Series(pd.NaT, index=c.index)
    sla = pd.to_timedelta(sla_days(cat, data.config.sla_days), unit="D")
    due = due.fillna(c["opened"] + sla)
    stop = resolved.fillna(pd.Timestamp(end))
    out = pd.DataFrame(
        {
            "complaint_id": c["complaint_id"],
            "customer_id": c["customer_id"] if "customer_id" in c else pd.Series(None, c.index),
            "opened": c["opened"],
            "resolved": resolved,
            "category": cat.astype(str),
            "channel": c["channel"].fillna("unspecified") if "channel" in c else "unspecified",
            "is_open": is_open.to_numpy(bool),
            "days": (stop - c["opened"]).dt.days.astype(float),
            "due": due,
        },
        index=c.index,
    )
    # a case finished by its status but without a resolution day has no known duration,
    # so whether it kept its SLA is unknown (NA), not "kept"
    undated = ~out["is_open"] & resolved.isna()
    out.loc[undated, "days"] = np.nan
    out["late"] = resolved.notna() & (resolved > due)
    out["open_past_due"] = out["is_open"] & (due < end)
    out["breached"] = (out["late"] | out["open_past_due"]).astype("boolean").mask(undated)
    for col in ("reopened", "first_contact_resolved", "satisfaction_after", "text"):
        out[col] = c[col] if col in c else na
    return out.reset_index(drop=True)


def in_window(data, frame: pd.DataFrame, months: int) -> pd.DataFrame:
    """Cases opened in the last ``months`` months up to the reporting month.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
    months : int
        How many months, the reporting month included.

    Returns
    -------
    pandas.DataFrame
        The rows of ``frame`` opened in the window.
    """
    start = (data.month - months + 1).start_time
    return frame[(frame["opened"] >= start) & (frame["opened"] < data.month_end)]


def has_customers(frame: pd.DataFrame) -> bool:
    """Do any cases name their complainant? (Anonymous ticket logs do not.)

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.

    Returns
    -------
    bool
        True when at least one ``customer_id`` is known.
    """
    return bool(frame["customer_id"].notna().any())


# --------------------------------------------------------------------------------------------
# volume
# --------------------------------------------------------------------------------------------


def active_customers(data, months: pd.PeriodIndex) -> pd.Series:
    """Customers active in each month (signed up before its end, not gone before its start);
    NaN for every month when the folder has no customers table.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``).
    months : pandas.PeriodIndex
        The months (monthly periods).

    Returns
    -------
    pandas.Series
        Active customers (float) per month, indexed by ``months``.
    """
    if not data.has("customers"):
        return pd.Series(np.nan, index=months)
    cu = data.table("customers", ["customer_id", "signup_date", "churn_date"])
    out = []
    for m in months:
        on = pd.Series(True, index=cu.index)
        if "signup_date" in cu:
            on &= ~(cu["signup_date"] >= (m + 1).start_time)
        if "churn_date" in cu:
            on &= ~(cu["churn_date"] < m.start_time)
        out.append(int(on.sum()))
    return pd.Series(out, index=months, dtype=float)


def volume_by_month(
    data, *, baseline_months: int = 12, sigmas: float = 3.0, per: int = 1000
) -> pd.DataFrame:
    """Complaints per month, per ``per`` active customers, with a u-chart control band.

    The centre is the complaint rate of the ``baseline_months`` months before the reporting
    month (all months when there are none), the band centre ± ``sigmas`` σ with
    σ = √(ū / active customers) (:func:`cxreport.stats.demerit_band`, as the SQI's).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
    baseline_months : int, default=12
        Months before the reporting month that set the centre (1 or more).
    sigmas : float, default=3.0
        Half-width of the band, in σ.
    per : int, default=1000
        The rate is per this many active customers.

    Returns
    -------
    DataFrame
        ``month``, ``complaints``, ``active``, ``rate`` (per ``per``), ``centre``, ``lcl``,
        ``ucl``, ``signal``, ``in_baseline``; without customers the rate columns are NaN.
    """
    _SETTING["baseline_months"].check(baseline_months)
    c = cases(data)
    months = pd.period_range(c["opened"].min().to_period("M"), data.month, freq="M")
    counts = c["opened"].dt.to_period("M").value_counts().reindex(months, fill_value=0)
    active = active_customers(data, months)
    f = pd.DataFrame({"month": months, "complaints": counts.to_numpy(), "active": active})
    f = f.reset_index(drop=True)
    base = (f["month"] >= data.month - baseline_months) & (f["month"] < data.month)
    if not base.any():
        base[:] = True
    f["in_baseline"] = base
    f["rate"] = per * f["complaints"] / f["active"]
    exposure = f.loc[base, "active"].sum()
    u = f.loc[base, "complaints"].sum() / exposure if exposure else np.nan
    centre, sigma = demerit_band([u], [1.0], f["active"])
    f["centre"] = per * centre
    f["lcl"] = (per * (centre - sigmas * sigma)).clip(lower=0)
    f["ucl"] = per * (centre + sigmas * sigma)
    f["signal"] = (f["rate"] > f["ucl"]) | (f["rate"] < f["lcl"])
    return f


def volume_by(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Cases per ``by`` (category or channel) with their share, largest first.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
    by : str
        The column to count by (``"category"``, ``"channel"``).

    Returns
    -------
    pandas.DataFrame
        ``by``, ``complaints`` and ``share`` (% of the cases).
    """
    t = frame.groupby(by).size().rename("complaints").sort_values(ascending=False)
    t = t.reset_index()
    t["share"] = 100 * t["complaints"] / t["complaints"].sum()
    return t


# --------------------------------------------------------------------------------------------
# time to resolve
# --------------------------------------------------------------------------------------------


def kaplan_meier(days, resolved) -> pd.DataFrame:
    """The Kaplan–Meier curve of time to resolve: ``days`` (duration, or age when open) and
    ``resolved`` (False: censored). Returns ``days``, ``at_risk``, ``resolved`` and
    ``still_open`` (the share not yet resolved just after that day).

    Parameters
    ----------
    days : array-like
        Days to resolve per case, or the age of an open case (NaN: the case is skipped).
    resolved : array-like of bool
        Per case: True when resolved, False when censored (still open).

    Returns
    -------
    pandas.DataFrame
        One row per day on which some case was resolved, in order.
    """
    d = pd.DataFrame({"t": np.asarray(days, float), "e": np.asarray(resolved, bool)}).dropna()
    times = np.sort(d.loc[d["e"], "t"].unique())
    at_risk = np.array([(d["t"] >= t).sum() for t in times])
    events = np.array([((d["t"] == t) & d["e"]).sum() for t in times])
    surv = np.cumprod(1 - events / at_risk) if len(times) else np.array([])
    return pd.DataFrame({"days": times, "at_risk": at_risk, "resolved": events, "still_open": surv})


def km_quantile(curve: pd.DataFrame, q: float) -> float:
    """The time by which a share ``q`` of cases is resolved (NaN: not reached).

    Parameters
    ----------
    curve : pandas.DataFrame
        A Kaplan–Meier curve (:func:`kaplan_meier`).
    q : float
        The share, 0 to 1 (0.5: the median).

    Returns
    -------
    float
        Days.
    """
    hit = curve[curve["still_open"] <= 1 - q + 1e-12]
    return float(hit["days"].iloc[0]) if len(hit) else float("nan")


def resolution_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile of days to resolve per category and overall (Kaplan–Meier,
    open cases censored), with the number of cases and of open ones.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.

    Returns
    -------
    pandas.DataFrame
        ``category`` (``"all"`` first), ``cases``, ``open``, ``median_days``, ``p90_days``;
        cases without a known duration are not counted.
    """
    rows = []
    known = frame[frame["days"].notna()]
    for name, curve in curves(frame).items():
        g = known if name == "all" else known[known["category"] == name]
        rows.append(
            {
                "category": name,
                "cases": len(g),
                "open": int(g["is_open"].sum()),
                "median_days": km_quantile(curve, 0.5),
                "p90_days": km_quantile(curve, 0.9),
            }
        )
    return pd.DataFrame(rows)


def backlog(frame: pd.DataFrame) -> pd.DataFrame:
    """Open cases at the month end by age band, with how many are past their due day.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.

    Returns
    -------
    pandas.DataFrame
        ``age`` (each of :data:`BACKLOG_BANDS`, empty ones too), ``open`` and ``past_due``.
    """
    o = frame[frame["is_open"]]
    bands = pd.cut(o["days"], [-1, 7, 14, 30, 90, np.inf], labels=BACKLOG_BANDS)
    t = o.groupby(bands, observed=False).agg(
        open=("complaint_id", "size"), past_due=("open_past_due", "sum")
    )
    return t.rename_axis("age").reset_index()


BACKLOG_BANDS = (
    N_("0-7 days"),
    N_("8-14 days"),
    N_("15-30 days"),
    N_("31-90 days"),
    N_("over 90 days"),
)


# --------------------------------------------------------------------------------------------
# handling quality
# --------------------------------------------------------------------------------------------


def _share(name: str, flags: pd.Series) -> dict:
    f = flags.dropna().astype(bool)
    k, n = int(f.sum()), len(f)
    lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
    return {
        "measure": name,
        "cases": n,
        "yes": k,
        "pct": 100 * k / n if n else np.nan,
        "ci_low": 100 * lo,
        "ci_high": 100 * hi,
    }


def handling(frame: pd.DataFrame) -> pd.DataFrame:
    """Reopen rate, first-contact resolution, satisfied after handling (4-5 of 5), SLA
    breaches and open past SLA, each as a share with its Wilson 95 % interval; a measure the
    data does not hold has no row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``cases``, ``yes``, ``pct``, ``ci_low``, ``ci_high`` (the last three in
        %).
    """
    rows = [
        _share(N_("SLA breached (resolved late or open past due)"), frame["breached"]),
        _share(N_("open past SLA"), frame["open_past_due"]),
    ]
    done = frame[~frame["is_open"]]
    if done["reopened"].notna().any():
        rows.append(_share(N_("reopened"), done["reopened"]))
    if frame["first_contact_resolved"].notna().any():
        rows.append(_share(N_("resolved at first contact"), frame["first_contact_resolved"]))
    sat = pd.to_numeric(frame["satisfaction_after"], errors="coerce")
    if sat.notna().any():
        rows.append(_share(N_("satisfied with the handling (4-5)"), (sat >= 4).where(sat.notna())))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# the recovery paradox and the iceberg
# --------------------------------------------------------------------------------------------

NEVER, WELL, BADLY = N_("never complained"), N_("resolved well"), N_("resolved badly")

#: What the page calls this module's columns and words (the exports keep them in English).
WORDS = {
    "category": N_("category"),
    "channel": N_("channel"),
    "complaints": N_("complaints"),
    "share": N_("share"),
    "cases": N_("cases"),
    "open": N_("open"),
    "median_days": N_("median days"),
    "p90_days": N_("90th percentile, days"),
    "all": N_("all"),
    "age": N_("age"),
    "past_due": N_("past due"),
    "measure": N_("measure"),
    "yes": N_("yes"),
    "pct": N_("%"),
    "ci_low": N_("95% CI low"),
    "ci_high": N_("95% CI high"),
    "group": N_("group"),
    "customers": N_("customers"),
    "churned": N_("churned"),
    "churn_pct": N_("churn %"),
    "churn_low": N_("churn 95% CI low"),
    "churn_high": N_("churn 95% CI high"),
    "answers": N_("answers"),
    "nps_low": N_("NPS 95% CI low"),
    "nps_high": N_("NPS 95% CI high"),
    "customer_id": N_("customer"),
    "complaint_id": N_("complaint"),
    "reason": N_("reason"),
    "due": N_("due"),
    "owner": N_("owner"),
}
_OUR_VALUES = {"measure", "group", "age"}  # columns whose every value is one of our words


def reader(styler):
    """A table of this module as the page shows it (a pandas Styler, formatted by its
    English column names): headers and our own words in the report's language; data
    values (categories, channels) as they are.

    Parameters
    ----------
    styler : pandas.io.formats.style.Styler
        The Styler of one of this module's tables (``frame.style``).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    frame = styler.data
    ours = [c for c in frame.columns if c in _OUR_VALUES]
    if "category" in frame.columns:  # the "all" row of resolution_times
        styler = styler.format(lambda v: _("all") if v == "all" else v, subset=["category"])
    if ours:
        styler = styler.format(lambda v: _(str(v)), subset=ours)
    return styler.relabel_index([_(WORDS.get(c, c)) for c in frame.columns], axis="columns")


def _needs_customers(data, frame: pd.DataFrame, what: str) -> None:
    if not has_customers(frame) or not data.has("customers"):
        raise NotApplicable(
            f"{what} needs complaints that name their customer (complaints.customer_id) and "
            f"a customers table; these complaints are anonymous tickets."
        )


def recovery_groups(data, frame: pd.DataFrame, *, months: int = 3) -> pd.Series:
    """customer_id → never complained / resolved well / resolved badly, for the customers
    active at the start of the window (cases opened in it).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
        It needs a customers table.
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
        It needs complaints that name their customer.
    months : int, default=3
        The window: this many months up to and including the reporting month.

    Returns
    -------
    pandas.Series
        :data:`NEVER`, :data:`WELL` or :data:`BADLY` per customer id. A complainant whose
        cases were all handled well as far as is known, one of them finished by its status
        without a resolution day (SLA kept or not unknown), is in neither group: left out.
    """
    _needs_customers(data, frame, "The recovery paradox")
    start = (data.month - months + 1).start_time
    cu = data.table("customers", ["customer_id", "signup_date", "churn_date"])
    on = pd.Series(True, index=cu.index)
    if "signup_date" in cu:
        on &= ~(cu["signup_date"] >= start)
    if "churn_date" in cu:
        on &= ~(cu["churn_date"] < start)
    ids = cu.loc[on, "customer_id"]
    w = in_window(data, frame, months)
    w = w[w["customer_id"].notna()]
    # NA: a case finished by its status without a resolution day, SLA kept or not unknown
    flag = w["breached"] | w["is_open"] | w["reopened"].fillna(False).astype(bool)
    bad = flag.fillna(False).astype(bool).groupby(w["customer_id"]).any()
    unknown = flag.isna().groupby(w["customer_id"]).any() & ~bad
    groups = pd.Series(NEVER, index=pd.Index(ids, name="customer_id"), dtype=object)
    seen = bad.index.intersection(groups.index)
    groups[seen] = np.where(bad[seen], BADLY, WELL)
    return groups.drop(unknown.index[unknown.to_numpy()].intersection(groups.index))


@dataclass(frozen=True)
class Paradox:
    """Churn and NPS by recovery group; ``shows`` is True when the well-resolved group is
    more loyal than the never-complained one beyond both intervals (churn lower and NPS
    higher, or one of them with the other not worse)."""

    table: pd.DataFrame
    shows: bool
    verdict: str


def _answers(data, start, end) -> pd.DataFrame:
    """The survey's identified answers dated in ``[start, end)``: ``customer_id``, ``date``,
    ``nps`` (only these columns and rows are read, not the whole survey)."""
    sv = data.table("survey", ["customer_id", "date", "nps"], within=("date", start, end))
    return sv[sv["customer_id"].notna()]


def recovery_paradox(data, frame: pd.DataFrame, *, months: int = 3) -> Paradox:
    """Churn in the window and NPS of survey answers in it, per recovery group.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
        It needs a customers table; survey answers with ``nps`` add the NPS columns.
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
    months : int, default=3
        The window: this many months up to and including the reporting month.

    Returns
    -------
    Paradox
        Its ``table``: ``group``, ``customers``, ``churned``, ``churn_pct``, ``churn_low``,
        ``churn_high``, ``answers``, ``nps``, ``nps_low``, ``nps_high`` (Wilson and NPS 95 %
        intervals).
    """
    groups = recovery_groups(data, frame, months=months)
    cu = data.table("customers", ["customer_id", "churned", "churn_date"]).set_index("customer_id")
    start, end = (data.month - months + 1).start_time, data.month_end
    left = (
        cu["churn_date"].between(start, end, inclusive="left")
        if "churn_date" in cu
        else cu.get("churned", pd.Series(False, index=cu.index)).astype(bool)
    )
    has_nps = data.has("survey") and "nps" in data.columns("survey")
    sv = _answers(data, start, end) if has_nps else None
    rows = []
    for g in (NEVER, WELL, BADLY):
        who = groups.index[groups == g]
        k, n = int(left.reindex(who).fillna(False).astype(bool).sum()), len(who)
        lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
        e = nps(sv.loc[is_in(sv["customer_id"], who), "nps"]) if sv is not None else None
        rows.append(
            {
                "group": g,
                "customers": n,
                "churned": k,
                "churn_pct": 100 * k / n if n else np.nan,
                "churn_low": 100 * lo,
                "churn_high": 100 * hi,
                "answers": e.n if e else 0,
                "nps": e.nps if e else np.nan,
                "nps_low": e.ci_low if e else np.nan,
                "nps_high": e.ci_high if e else np.nan,
            }
        )
    t = pd.DataFrame(rows).set_index("group")
    never, well = t.loc[NEVER], t.loc[WELL]
    churn_better = well["churn_high"] < never["churn_low"]
    churn_worse = well["churn_low"] > never["churn_high"]
    nps_better = well["nps_low"] > never["nps_high"]
    nps_worse = well["nps_high"] < never["nps_low"]
    shows = bool((churn_better and not nps_worse) or (nps_better and not churn_worse))
    if well["customers"] == 0:
        verdict = _("No complainant's case was resolved well in the window: nothing to test.")
    elif shows:
        verdict = _(
            "The recovery paradox shows: complainants whose case was resolved well are more "
            "loyal than customers who never complained."
        )
    elif churn_worse or nps_worse:
        verdict = _(
            "No recovery paradox: even complainants resolved well are less loyal than "
            "customers who never complained — recovery limits the damage, it does not undo it."
        )
    else:
        verdict = _(
            "No recovery paradox shown: complainants resolved well are not distinguishable "
            "from customers who never complained (the intervals overlap)."
        )
    return Paradox(t.reset_index(), shows, verdict)


@dataclass(frozen=True)
class Iceberg:
    """How many of the window's identified NPS detractors complained in it: ``detractors``,
    ``complained``, the share ``pct`` of detractors who complained with its Wilson 95 %
    interval (``ci_low``, ``ci_high``; all three in %) and ``silent_per_complainant``
    (detractors who did not complain per one who did; NaN when none did)."""

    detractors: int
    complained: int
    pct: float
    ci_low: float
    ci_high: float
    silent_per_complainant: float  # silent detractors behind each detractor who complained


def iceberg(data, frame: pd.DataFrame, *, months: int = 3) -> Iceberg:
    """Of identified NPS detractors answering in the window, how many complained in it.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
        It needs a customers table and survey answers with ``nps``.
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
    months : int, default=3
        The window: this many months up to and including the reporting month.

    Returns
    -------
    Iceberg
    """
    _needs_customers(data, frame, "The iceberg")
    if not data.has("survey") or "nps" not in data.columns("survey"):
        raise NotApplicable("The iceberg needs survey answers with an nps score.")
    start, end = (data.month - months + 1).start_time, data.month_end
    sv = _answers(data, start, end)
    det = pd.Index(sv.loc[sv["nps"] <= DETRACTOR_MAX, "customer_id"].unique())
    who = set(in_window(data, frame, months)["customer_id"].dropna())
    k, n = int(det.isin(list(who)).sum()), len(det)
    lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
    return Iceberg(
        n,
        k,
        100 * k / n if n else np.nan,
        100 * lo,
        100 * hi,
        (n - k) / k if k else np.nan,
    )


# --------------------------------------------------------------------------------------------
# the follow-up list
# --------------------------------------------------------------------------------------------


def followup(data, frame: pd.DataFrame, *, months: int = 3) -> pd.DataFrame:
    """Who to call back: open complaints past their SLA, detractors of the window who
    complained in it, and detractors who left a comment in it, the comment's first known
    topic (:mod:`cxreport.text`) as the reason (added to the reason of one who also
    complained, so nobody is listed twice). ``customer_id`` (real ids: the export is for the
    team, not the page), ``complaint_id``, ``reason``, ``due``, ``owner`` (empty).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.
    months : int, default=3
        The window: this many months up to and including the reporting month.

    Returns
    -------
    pandas.DataFrame
        One row per case or customer to call back, the earliest due first.
    """
    late = frame[frame["open_past_due"]]
    rows = [
        pd.DataFrame(
            {
                "customer_id": late["customer_id"],
                "complaint_id": late["complaint_id"],
                "reason": "complaint open past its SLA (" + late["category"] + ")",
                "due": late["due"],
            }
        )
    ]
    if data.has("survey") and "nps" in data.columns("survey"):
        start, end = (data.month - months + 1).start_time, data.month_end
        sv = data.table("survey", [c for c in ("customer_id", "date", "nps", "comment")
                                   if c in data.columns("survey")])  # fmt: skip
        sv = sv[(sv["date"] >= start) & (sv["date"] < end) & (sv["nps"] <= DETRACTOR_MAX)]
        sv = sv[sv["customer_id"].notna()]
        complained = pd.DataFrame(columns=["customer_id", "complaint_id", "reason", "due"])
        if has_customers(frame):
            w = in_window(data, frame, months)
            last = w.sort_values("opened").groupby("customer_id").last()
            det = last.loc[last.index.intersection(sv["customer_id"].unique())]
            sla = pd.to_timedelta(sla_days(det["category"], data.config.sla_days), unit="D")
            complained = pd.DataFrame(
                {
                    "customer_id": det.index,
                    "complaint_id": det["complaint_id"].to_numpy(),
                    "reason": ("detractor who complained (" + det["category"] + ")").to_numpy(),
                    "due": (pd.Timestamp(data.month_end) + sla).to_numpy(),
                }
            )
        rows.append(_with_comments(data, complained, sv))
    out = pd.concat([r for r in rows if len(r)] or rows[:1], ignore_index=True)
    out = out.sort_values(["due", "complaint_id"], na_position="last")
    out["owner"] = ""
    return out.reset_index(drop=True)


def _with_comments(data, complained: pd.DataFrame, detractors: pd.DataFrame) -> pd.DataFrame:
    """The detractors who complained, and those who left a comment: a commenting detractor
    already listed gets the comment's topic added to the reason, the others a row of their
    own (due after the SLA of "*")."""
    from . import text

    if "comment" not in detractors or not len(detractors):
        return complained
    said = detractors.assign(comment=text.as_text(detractors["comment"]).to_numpy())
    said = said[said["comment"] != ""].sort_values("date").groupby("customer_id").last()
    if not len(said):
        return complained
    rules = text.rules(data)
    topic = text.main_topic(text.tag(said["comment"], rules), rules)
    reason = "detractor who left a comment (" + topic + ")"
    out = complained.set_index("customer_id")
    both = out.index.intersection(reason.index)
    out.loc[both, "reason"] = out.loc[both, "reason"] + "; comment: " + topic[both]
    only = reason.index.difference(out.index)
    due = pd.Timestamp(data.month_end) + pd.Timedelta(days=sla_days(
        pd.Series(["*"]), data.config.sla_days).iloc[0])  # fmt: skip
    new = pd.DataFrame(
        {"complaint_id": None, "reason": reason[only].to_numpy(), "due": due},
        index=pd.Index(only, name="customer_id"),
    )
    return pd.concat([out, new]).rename_axis("customer_id").reset_index()


def kpis(
    data, every: pd.DataFrame, window: pd.DataFrame, volume: pd.DataFrame, times: pd.DataFrame
) -> dict:
    """The index's figures: complaints per 1,000 (this month), median days to resolve,
    reopen rate and SLA breach rate (the window's cases, ``times`` of the window) and the
    cases open past their SLA at the month end (of ``every`` case).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
    every : pandas.DataFrame
        Every case (:func:`cases`).
    window : pandas.DataFrame
        The window's cases (:func:`in_window`).
    volume : pandas.DataFrame
        :func:`volume_by_month`; its reporting month's row gives the rate.
    times : pandas.DataFrame
        :func:`resolution_times` of the window; its ``"all"`` row gives the median.

    Returns
    -------
    dict
        ``complaints_per_1000``, ``median_days_to_resolve``, ``open_past_sla``, and
        ``reopen_rate`` and ``sla_breach_rate`` as :func:`handling` rows (dicts; None when
        the data has no such measure).
    """
    this = volume[volume["month"] == data.month].iloc[0]
    h = handling(window).set_index("measure")
    pick = {
        "reopen_rate": "reopened",
        "sla_breach_rate": "SLA breached (resolved late or open past due)",
    }
    out = {
        "complaints_per_1000": float(this["rate"]),
        "median_days_to_resolve": float(times.set_index("category").loc["all", "median_days"]),
        "open_past_sla": int(every["open_past_due"].sum()),
    }
    for key, measure in pick.items():
        out[key] = h.loc[measure].to_dict() if measure in h.index else None
    return out


def curves(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Kaplan–Meier curves of time to resolve: all cases, then each category.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cases, as :func:`cases` returns them.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"all"`` and each category -> its :func:`kaplan_meier` curve (cases without a known
        duration left out).
    """
    known = frame[frame["days"].notna()]
    groups = [("all", known), *known.groupby("category")]
    return {name: kaplan_meier(g["days"], ~g["is_open"]) for name, g in groups}


def actions(followups: pd.DataFrame) -> list[dict]:
    """The page's action: work the follow-up list (:func:`followup`), its reasons counted
    (``customers``: the cases on the list).

    Parameters
    ----------
    followups : pandas.DataFrame
        The follow-up list (:func:`followup`).

    Returns
    -------
    list of dict
        One action (``text``, ``evidence``, ``customers``), none for an empty list.
    """
    if not len(followups):
        return []
    reasons = followups["reason"].astype(str).str.split(" (", regex=False).str[0]
    counts = reasons.value_counts()
    said = _(", ").join(
        _("{reason}: {count}", count=number(n), reason=r) for r, n in counts.head(3).items()
    )
    return [
        {
            "text": _("Work the follow-up list: {n} cases", n=number(len(followups))),
            "evidence": _("{reasons}; owners and due dates in followup.csv", reasons=said),
            "customers": float(len(followups)),
        }
    ]
