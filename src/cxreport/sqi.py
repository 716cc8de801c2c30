"""FedEx-style Service Quality Index: a weighted count of the failures customers feel.

Each failure event (a touchpoint contact whose ``outcome`` is not ``ok``) counts with the weight
of its failure type from ``data.config.sqi_weights``; which weight table that is stands in
``data.config.sqi_version`` and must be quoted with every figure (``reference/cx-methods.md``
§8). FedEx tracked the *absolute* daily weighted count; ``per_contacts=1000`` normalises it per
1,000 contacts so that months with more customers or more contacts stay comparable.

Reopened complaints
    FedEx's list has "complaint reopened" (weight 5). Reopenings live in the complaints table,
    not in the touchpoints table, so when the weight table lists ``complaint_reopened`` and the
    touchpoints table does not already record that outcome, every complaint with
    ``reopened = true`` adds one ``complaint_reopened`` failure. It is dated on the day the case
    was first resolved (when the reopening happens; the day it was opened if it has no resolved
    date), attributed to the touchpoint ``complaint_handling`` in the EODC stage ``confirm``
    (recovery), and adds no contact to the denominator. ``complaints="never"`` switches it off.

Control band
    The index is a *demerit* count (Montgomery, *Introduction to Statistical Quality Control*,
    "demerits per unit"): with failure types j of weight w_j and baseline rate ū_j failures per
    contact, the per-contact index u = Σ w_j c_j / n has centre Σ w_j ū_j and, if counts are
    Poisson, standard deviation sqrt(Σ w_j² ū_j / n) for a period with n contacts — a u-chart
    whose band widens on quiet days. For the absolute index the same sums without n give a
    c-chart-style band. The baseline is the ``baseline_months`` months *before* the reporting
    month, so the current month is judged against the past, not against itself. Points outside
    centre ± 3σ are signals; a run of 8 on one side of the centre is a shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import i18n
from .data import engine
from .data.engine import engine_of
from .data.folder import TEXT
from .errors import CxReportError, MissingTableError
from .i18n import _, number, percent
from .i18n import code as label
from .settings import Setting, by_name, check
from .stats import demerit_band

REOPENED = "complaint_reopened"
COMPLAINT_TOUCHPOINT = "complaint_handling"
_COMPLAINTS = ("auto", "always", "never")


#: The SQI part of the NPS/SQI/MoT notebook's settings (``freq`` is ``sqi_freq`` there).
SETTINGS = (
    Setting(
        "per_contacts",
        int,
        1000,
        "SQI per this many contacts; 0 gives the absolute weighted count (FedEx)",
        low=0,
    ),
    Setting("freq", str, "W", "control chart points: W weekly or D daily", choices=("W", "D")),
    Setting(
        "baseline_months",
        int,
        12,
        "months before the reporting month that set the control band",
        low=1,
    ),
    Setting(
        "complaints",
        str,
        "auto",
        "count reopened complaints as complaint_reopened: auto, always or never",
        choices=_COMPLAINTS,
    ),
)
_SETTING = by_name(SETTINGS)


def _check_per(per_contacts) -> int:
    return _SETTING["per_contacts"].check(per_contacts)


def _check_baseline(baseline_months) -> int:
    return _SETTING["baseline_months"].check(baseline_months)


def check_settings(**values) -> None:
    """Check the SQI settings (:data:`SETTINGS`) up front (same messages as the functions
    that use them), so that a bad one stops the run before any analysis.

    Parameters
    ----------
    **values
        Settings by name; those of :data:`SETTINGS` are checked, others ignored.
    """
    check(SETTINGS, values)


def check_outcomes(touchpoints: pd.DataFrame, weights: dict[str, float]) -> None:
    """Raise if a touchpoint outcome is neither ``ok`` nor a failure type of the weight table.

    The loader already rejects such files; this check protects frames built in code and names
    every unknown outcome with its count.

    Parameters
    ----------
    touchpoints : DataFrame
        The touchpoints table (its ``outcome`` column).
    weights : dict of str to float
        Failure type -> weight (``data.config.sqi_weights``).

    Raises
    ------
    MissingTableError
        When there is no ``outcome`` column.
    CxReportError
        When an outcome is blank or unknown.
    """
    if "outcome" not in touchpoints:
        raise MissingTableError(
            "The touchpoints table has no 'outcome' column ('ok' or a failure type of sqi.weights)."
        )
    out = touchpoints["outcome"].astype("string")
    bad_mask = out.isna() | ((out != "ok") & ~out.isin(list(weights))).fillna(False)
    if bad_mask.any():
        rows = touchpoints.index[bad_mask.to_numpy()][:5]
        examples = "; ".join(
            f"row {r}: {'blank' if pd.isna(out.loc[r]) else repr(str(out.loc[r]))}" for r in rows
        )
        _check_outcome_counts(out.value_counts(dropna=False), weights, f" (e.g. {examples})")


def _check_outcome_counts(counts: pd.Series, weights: dict[str, float], examples="") -> None:
    """:func:`check_outcomes` from the rows per outcome (a Series by outcome, NaN = blank)."""
    known = counts.index.isin(["ok", *weights]) & counts.index.notna()
    if known.all():
        return
    unknown = counts[~known & counts.index.notna()].sort_values(ascending=False, kind="stable")
    parts = [f"'{k}' ({v} rows)" for k, v in unknown.items()]
    blank = int(counts[counts.index.isna()].sum())
    if blank:
        parts.append(f"blank ({blank} rows)")
    raise CxReportError(
        f"touchpoints.outcome: {', '.join(parts)} not in the SQI weight table{examples}; the "
        f"known failure types are {', '.join(sorted(weights))}. Add the missing type(s) under "
        f"sqi.extra_weights in cxreport.yaml with a weight, or correct the outcomes."
    )


def _weights(data) -> dict[str, float]:
    return dict(data.config.sqi_weights)


def include_complaints(data, complaints: str = "auto") -> bool:
    """Whether reopened complaints are counted as ``complaint_reopened`` failures.

    Parameters
    ----------
    data : Dataset
        Loaded data set (its complaints table, ``reopened`` column, and SQI weights).
    complaints : {"auto", "always", "never"}, default="auto"
        ``"never"``: no. Otherwise yes when the complaints table has ``reopened`` and the
        weight table lists ``complaint_reopened`` (``"always"`` without it is an error), but
        for ``"auto"`` not when the touchpoints already record that outcome.

    Returns
    -------
    bool
    """
    _SETTING["complaints"].check(complaints)
    if complaints == "never" or not data.has("complaints"):
        return False
    if "reopened" not in data.columns("complaints"):
        return False
    if REOPENED not in _weights(data):
        if complaints == "always":
            raise CxReportError(
                f"complaints='always' needs '{REOPENED}' in the SQI weight table "
                f"(sqi.weights or sqi.extra_weights in cxreport.yaml)."
            )
        return False
    if complaints == "auto" and data.has("touchpoints") and REOPENED in _outcomes(data).index:
        return False  # already recorded as touchpoint outcomes: do not count twice
    return True


def _outcomes(data) -> pd.Series:
    """Touchpoint rows per outcome (NaN: blank), on the data set's engine or in pandas."""
    eng = engine_of(data)
    if eng is None:
        return data.table("touchpoints", ["outcome"])["outcome"].value_counts(dropna=False)
    got = engine.outcomes(eng)
    return pd.Series(got["n"].to_numpy(), index=pd.Index(got["outcome"], name="outcome"))


@dataclass(frozen=True)
class _Counts:
    """What every SQI figure is derived from, up to the end of the reporting month.

    ``contacts``: ``day``, ``contacts``; ``daily``: ``day``, ``failure_type``, ``n``,
    ``weight``; ``monthly``: ``month`` (first day), ``touchpoint``, ``stage``,
    ``failure_type``, ``n``, ``weight``. Reopened complaints (module docstring) are in
    ``daily`` and ``monthly``, never in ``contacts``.
    """

    contacts: pd.DataFrame
    daily: pd.DataFrame
    monthly: pd.DataFrame


def _counts(data, complaints: str) -> _Counts:
    """The failure and contact counts, aggregated on the data set's engine
    (:func:`cxreport.data.engine.sqi_counts`, :func:`~cxreport.data.engine.failures_by`) or
    in pandas (:func:`_counts_pandas`); everything after is one derivation."""
    data.require("The service-quality index", "touchpoints")
    weights = _weights(data)
    end = data.month_end if data.month is not None else None
    eng = engine_of(data)
    if eng is None:
        check_outcomes(data.touchpoints, weights)
        contacts, daily, monthly = _counts_pandas(data, end)
    else:
        if "outcome" not in eng.columns("touchpoints"):
            check_outcomes(pd.DataFrame(), weights)  # the missing column's message
        _check_outcome_counts(_outcomes(data), weights)
        contacts, daily = engine.sqi_counts(eng, end=end)
        monthly = engine.failures_by(eng, end=end)
    if include_complaints(data, complaints):
        daily, monthly = _with_reopened(data, end, daily, monthly)
    daily = daily.groupby(["day", "failure_type"], as_index=False, sort=True)["n"].sum()
    month_keys = ["month", "touchpoint", "stage", "failure_type"]
    monthly = monthly.groupby(month_keys, as_index=False, sort=True, dropna=False)["n"].sum()
    for frame in (daily, monthly):
        frame["n"] = frame["n"].astype(np.int64)
        frame["weight"] = frame["failure_type"].map(weights).astype(float)
    contacts = contacts.sort_values("day").reset_index(drop=True)
    contacts["contacts"] = contacts["contacts"].astype(np.int64)
    return _Counts(contacts, daily, monthly)


def _counts_pandas(data, end) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`_counts`' aggregations in pandas."""
    tp = data.table("touchpoints", ["date", "touchpoint", "stage", "outcome"])
    tp = tp[tp["date"].notna() if end is None else tp["date"] < end]
    day = tp["date"].dt.normalize().rename("day")
    contacts = day.value_counts(sort=False).reset_index(name="contacts")
    failed = (tp["outcome"] != "ok").to_numpy()
    f, day = tp[failed], day[failed]
    kind = f["outcome"].rename("failure_type")
    daily = f.groupby([day, kind]).size().reset_index(name="n")
    stage = f["stage"] if "stage" in f else pd.Series(np.nan, index=f.index, dtype=TEXT)
    keys = [_month_of(day), f["touchpoint"], stage.rename("stage"), kind]
    monthly = f.groupby(keys, dropna=False).size().reset_index(name="n")
    return contacts, daily, monthly


def _month_of(days: pd.Series) -> pd.Series:
    return days.dt.to_period("M").dt.start_time.rename("month")


def _with_reopened(data, end, daily, monthly):
    """``daily`` and ``monthly`` with the reopened complaints added (module docstring)."""
    c = data.table("complaints", ["opened", "resolved", "reopened"])
    c = c[c["reopened"].astype(bool)]
    when = c["resolved"].fillna(c["opened"]) if "resolved" in c else c["opened"]
    when = when[when.notna() if end is None else when < end]
    day = when.dt.normalize().rename("day")
    n = day.value_counts(sort=False).reset_index(name="n")
    reopened = pd.Series(REOPENED, index=n.index, dtype=TEXT)
    daily = pd.concat([daily, n.assign(failure_type=reopened)], ignore_index=True)
    m = _month_of(day).value_counts(sort=False).reset_index(name="n")
    m = m.assign(
        touchpoint=pd.Series(COMPLAINT_TOUCHPOINT, index=m.index, dtype=TEXT),
        stage=pd.Series("confirm", index=m.index, dtype=TEXT),
        failure_type=pd.Series(REOPENED, index=m.index, dtype=TEXT),
    )
    return daily, pd.concat([monthly, m], ignore_index=True)


def sqi_series(
    data, *, freq: str = "D", per_contacts: int = 1000, complaints: str = "auto"
) -> pd.DataFrame:
    """The index per day (``"D"``), week (``"W"``) or month (``"M"``), every period listed.

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs the touchpoints table (``date``, ``touchpoint``, ``outcome``,
        optionally ``stage``) and uses ``data.config.sqi_weights`` and ``data.month``.
    freq : {"D", "W", "M"}, default="D"
        Period length (weeks Monday-Sunday).
    per_contacts : int, default=1000
        0 = the absolute weighted count, else the index per this many contacts.
    complaints : {"auto", "always", "never"}, default="auto"
        Count reopened complaints as ``complaint_reopened`` failures (see
        :func:`include_complaints`).

    Returns
    -------
    DataFrame
        ``period`` (Period), ``start`` (Timestamp), ``contacts``, ``failures``,
        ``weighted`` (absolute weighted failure count), ``per_1000`` (weighted per 1,000
        contacts ... per ``per_contacts``), ``sqi`` (the index as chosen: ``weighted`` when
        ``per_contacts == 0``, else per ``per_contacts`` contacts), and one column per failure
        type with its raw count (``n_<type>``).
    """
    per = _check_per(per_contacts)
    if freq not in ("D", "W", "M"):
        raise CxReportError(f"The 'freq' parameter must be 'D', 'W' or 'M'; got {freq!r}.")
    return _series(data, _counts(data, complaints), freq, per)


def _series(data, counts: _Counts, freq: str, per: int) -> pd.DataFrame:
    """:func:`sqi_series` from the counts."""
    contacts, daily = counts.contacts, counts.daily
    pfreq = {"D": "D", "W": "W-SUN", "M": "M"}[freq]
    first = contacts["day"].min().to_period(pfreq)
    last = (data.month.end_time if data.month is not None else contacts["day"].max()).to_period(
        pfreq
    )
    periods = pd.period_range(first, last, freq=pfreq)
    c = contacts.groupby(contacts["day"].dt.to_period(pfreq))["contacts"].sum()
    c = c.reindex(periods, fill_value=0)
    ek = daily["day"].dt.to_period(pfreq)
    w = (daily["n"] * daily["weight"]).groupby(ek).sum().reindex(periods, fill_value=0.0)
    k = daily["n"].groupby(ek).sum().reindex(periods, fill_value=0)
    by_type = (
        daily.groupby([ek, "failure_type"])["n"]
        .sum()
        .unstack(fill_value=0)
        .reindex(index=periods, columns=sorted(_weights(data)), fill_value=0)
    )
    out = pd.DataFrame(
        {
            "period": periods,
            "start": periods.start_time,
            "contacts": c.to_numpy(),
            "failures": k.to_numpy(),
            "weighted": w.to_numpy(),
        }
    )
    denom = out["contacts"].where(out["contacts"] > 0)
    out["per_1000"] = out["weighted"] / denom * (per or 1000)
    out["sqi"] = out["weighted"] if per == 0 else out["per_1000"]
    for t in by_type.columns:
        out[f"n_{t}"] = by_type[t].to_numpy()
    return out


def sqi_by_month(data, *, per_contacts: int = 1000, complaints: str = "auto") -> pd.DataFrame:
    """The index per calendar month up to the reporting month.

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs the touchpoints table (``date``, ``touchpoint``, ``outcome``,
        optionally ``stage``) and uses ``data.config.sqi_weights`` and ``data.month``.
    per_contacts : int, default=1000
        0 = the absolute weighted count, else the index per this many contacts.
    complaints : {"auto", "always", "never"}, default="auto"
        Count reopened complaints as ``complaint_reopened`` failures (see
        :func:`include_complaints`).

    Returns
    -------
    DataFrame
        ``month``, ``days``, ``contacts``, ``failures``, ``weighted`` (absolute weighted
        failure count of the month), ``daily_mean`` (weighted count per day, FedEx's daily
        figure averaged over the month), ``sqi_per_1000`` (weighted failures per 1,000
        contacts), ``sqi`` (``weighted`` when ``per_contacts == 0``, else weighted failures per
        ``per_contacts`` contacts), ``failure_rate`` (failures per contact), ``ci_low`` /
        ``ci_high`` (approximate 95 % interval of the per-contact index from the Poisson
        demerit variance Σ w² c / n²; NaN for the absolute count).
    """
    per = _check_per(per_contacts)
    counts = _counts(data, complaints)
    s = _series(data, counts, "M", per)
    out = pd.DataFrame(
        {
            "month": s["period"],
            "days": s["period"].dt.days_in_month.to_numpy(),
            "contacts": s["contacts"],
            "failures": s["failures"],
            "weighted": s["weighted"],
        }
    )
    out["daily_mean"] = out["weighted"] / out["days"]
    denom = out["contacts"].where(out["contacts"] > 0)
    out["sqi_per_1000"] = out["weighted"] / denom * 1000
    out["sqi"] = out["weighted"] if per == 0 else out["weighted"] / denom * per
    out["failure_rate"] = out["failures"] / denom
    # approximate 95 % interval of the per-contact index: Poisson demerit variance Σ w² c / n²
    daily = counts.daily
    w2 = (daily["n"] * daily["weight"] ** 2).groupby(daily["day"].dt.to_period("M")).sum()
    w2 = w2.reindex(pd.PeriodIndex(out["month"]), fill_value=0.0).to_numpy()
    half = 1.959963984540054 * np.sqrt(w2) / denom * per if per else np.nan
    out["ci_low"] = (out["sqi"] - half).clip(lower=0) if per else np.nan
    out["ci_high"] = out["sqi"] + half if per else np.nan
    return out


@dataclass(frozen=True)
class ControlChart:
    """An SQI series with its demerit control band.

    ``frame`` has the columns of :func:`sqi_series` plus ``centre``, ``sigma``, ``lcl``,
    ``ucl``, ``signal`` (outside the band), ``run`` (part of a run of ``run_length`` on one
    side of the centre), ``in_baseline``, ``in_month`` and ``partial`` (a week cut by the
    start of the data or the end of the reporting month).
    """

    frame: pd.DataFrame
    freq: str
    per_contacts: int
    baseline: tuple[pd.Timestamp, pd.Timestamp]
    centre: float  # per contact (u-chart) or per period (absolute)
    version: str
    run_length: int = 8


def control_chart(
    data,
    *,
    freq: str = "W",
    per_contacts: int = 1000,
    baseline_months: int = 12,
    sigmas: float = 3.0,
    run_length: int = 8,
    complaints: str = "auto",
) -> ControlChart:
    """The index per day or week with a 3-sigma demerit control band (module docstring).

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs the touchpoints table (``date``, ``touchpoint``, ``outcome``,
        optionally ``stage``) and uses ``data.config.sqi_weights`` and ``data.month``.
    freq : {"D", "W"}, default="W"
        Daily (FedEx's own rhythm, noisy for a small business) or weekly (Monday-Sunday)
        points.
    per_contacts : int, default=1000
        0 = absolute weighted count (c-chart-style band), else per this many contacts
        (u-chart band that widens on low-volume periods).
    baseline_months : int, default=12
        Months before the reporting month from which the centre line and band are estimated.
    sigmas : float, default=3.0
        Width of the band in standard deviations.
    run_length : int, default=8
        Consecutive points on one side of the centre counted as a shift.
    complaints : {"auto", "always", "never"}, default="auto"
        Count reopened complaints as ``complaint_reopened`` failures (see
        :func:`include_complaints`).

    Returns
    -------
    ControlChart
    """
    per = _check_per(per_contacts)
    _SETTING["freq"].check(freq)
    _check_baseline(baseline_months)
    if not isinstance(sigmas, (int, float)) or sigmas <= 0:
        raise CxReportError(f"The 'sigmas' parameter must be a number > 0; got {sigmas!r}.")
    tallies = _counts(data, complaints)
    s = _series(data, tallies, freq, per)
    weights = _weights(data)
    m_start = data.month_start
    b_start = (data.month - baseline_months).start_time
    ends = s["period"].dt.end_time
    in_base = (s["start"] >= b_start) & (ends < m_start)
    if not in_base.any():  # no history: judge the data against itself
        in_base = pd.Series(True, index=s.index)
    base = s[in_base]
    types = [t for t in sorted(weights) if f"n_{t}" in s]
    w = np.array([weights[t] for t in types])
    counts = base[[f"n_{t}" for t in types]].sum().to_numpy(float)
    if per:
        exposure = float(base["contacts"].sum())
        u = counts / exposure if exposure else np.zeros_like(counts)
        centre_u, sigma_u = demerit_band(u, w, s["contacts"].where(s["contacts"] > 0))
        centre = pd.Series(centre_u * per, index=s.index)
        sigma = sigma_u * per
    else:
        centre_u, sigma_c = demerit_band(counts / len(base), w, 1.0)
        centre = pd.Series(centre_u, index=s.index)
        sigma = pd.Series(float(sigma_c), index=s.index)
    f = s.copy()
    f["centre"] = centre
    f["sigma"] = sigma
    f["lcl"] = (centre - sigmas * sigma).clip(lower=0)
    f["ucl"] = centre + sigmas * sigma
    f["signal"] = (f["sqi"] > f["ucl"]) | (f["sqi"] < f["lcl"])
    side = np.sign(f["sqi"] - f["centre"]).fillna(0).to_numpy()
    run = np.zeros(len(f), bool)
    i = 0
    while i < len(side):
        j = i
        while j + 1 < len(side) and side[j + 1] == side[i] and side[i] != 0:
            j += 1
        if side[i] != 0 and j - i + 1 >= run_length:
            run[i : j + 1] = True
        i = j + 1
    f["run"] = run
    f["in_baseline"] = in_base.to_numpy()
    first_contact = tallies.contacts["day"].min()
    f["partial"] = ((f["start"] < first_contact) | (ends >= data.month_end)).to_numpy()
    f["in_month"] = ((f["start"] < data.month_end) & (ends >= m_start)).to_numpy()
    return ControlChart(
        f,
        freq,
        per,
        (base["start"].min(), base["period"].dt.end_time.max()),
        centre_u * (per or 1),
        data.config.sqi_version,
        run_length,
    )


def top_contributors(
    data, *, by: str = "failure_type", months: int = 1, complaints: str = "auto"
) -> pd.DataFrame:
    """Which failure types (or touchpoints) make up the index: a Pareto table.

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs the touchpoints table (``date``, ``touchpoint``, ``outcome``,
        optionally ``stage``) and uses ``data.config.sqi_weights`` and ``data.month``.
    by : {"failure_type", "touchpoint", "stage"}, default="failure_type"
    months : int, default=1
        Pool the last ``months`` months up to the reporting month; the previous period of the
        same length is shown for comparison.
    complaints : {"auto", "always", "never"}, default="auto"
        Count reopened complaints as ``complaint_reopened`` failures (see
        :func:`include_complaints`).

    Returns
    -------
    DataFrame
        ``by``, ``weight`` (failure types only), ``failures``, ``weighted``, ``share`` (of
        the period's weighted count, %), ``cum_share`` (%), ``previous_weighted`` and
        ``change``; sorted by ``weighted``, largest first.
    """
    if by not in ("failure_type", "touchpoint", "stage"):
        raise CxReportError(
            f"The 'by' parameter must be 'failure_type', 'touchpoint' or 'stage'; got {by!r}."
        )
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise CxReportError(
            f"The 'months' parameter must be an int in the range [1, inf); got {months!r}."
        )
    ev = _counts(data, complaints).monthly
    ev = ev.assign(weighted=ev["n"] * ev["weight"])
    start = (data.month - (months - 1)).start_time
    prev_start = (data.month - (2 * months - 1)).start_time
    cur = ev[ev["month"] >= start]
    prev = ev[(ev["month"] >= prev_start) & (ev["month"] < start)]
    g = cur.groupby(by, dropna=False).agg(failures=("n", "sum"), weighted=("weighted", "sum"))
    p = prev.groupby(by, dropna=False)["weighted"].sum()
    g = g.join(p.rename("previous_weighted"), how="outer").fillna(0.0)
    g["failures"] = g["failures"].astype(int)
    g = g.reset_index().sort_values(["weighted", by], ascending=[False, True], kind="stable")
    total = g["weighted"].sum()
    g["share"] = 100 * g["weighted"] / total if total else 0.0
    g["cum_share"] = g["share"].cumsum()
    g["change"] = g["weighted"] - g["previous_weighted"]
    if by == "failure_type":
        g.insert(1, "weight", g["failure_type"].map(_weights(data)))
    return g.reset_index(drop=True)


def month_summary(data, *, per_contacts: int = 1000, complaints: str = "auto") -> dict:
    """The reporting month's index against last month's and the baseline.

    Parameters
    ----------
    data : Dataset
        Loaded data set; needs the touchpoints table (``date``, ``touchpoint``, ``outcome``,
        optionally ``stage``) and uses ``data.config.sqi_weights`` and ``data.month``.
    per_contacts : int, default=1000
        0 = the absolute weighted count, else the index per this many contacts.
    complaints : {"auto", "always", "never"}, default="auto"
        Count reopened complaints as ``complaint_reopened`` failures (see
        :func:`include_complaints`).

    Returns
    -------
    dict
        ``sqi``, ``previous`` (and ``previous_ci``), ``weighted``, ``daily_mean`` (FedEx's
        daily weighted count, averaged over the month), ``contacts``, ``failures``,
        ``per_contacts``, ``unit`` (text), ``version`` (the weight table), ``ci``
        (approximate 95 % interval of the per-contact index from the Poisson demerit
        variance, or None for the absolute count), ``month`` (Period).
    """
    per = _check_per(per_contacts)
    m = sqi_by_month(data, per_contacts=per, complaints=complaints)
    row = m.iloc[-1]
    prev = m.iloc[-2] if len(m) > 1 else None
    ci = None
    if per and row["contacts"] > 0:
        ci = (float(row["ci_low"]), float(row["ci_high"]))
    unit = (
        _("weighted failures")
        if per == 0
        else _("weighted failures per {n} contacts", n=f"{per:,}")
    )
    return {
        "month": data.month,
        "sqi": float(row["sqi"]),
        "previous": None if prev is None else float(prev["sqi"]),
        "previous_ci": None
        if prev is None or not per or prev["contacts"] == 0
        else (float(prev["ci_low"]), float(prev["ci_high"])),
        "weighted": float(row["weighted"]),
        "daily_mean": float(row["daily_mean"]),
        "contacts": int(row["contacts"]),
        "failures": int(row["failures"]),
        "per_contacts": per,
        "unit": unit,
        "version": data.config.sqi_version,
        "ci": ci,
    }


def describe_month(summary: dict) -> str:
    """One plain-language paragraph on the month's index (from :func:`month_summary`).

    Parameters
    ----------
    summary : dict
        What :func:`month_summary` returns.

    Returns
    -------
    str
        In the report's language.
    """
    text = _(
        "SQI {month}: {sqi} {unit} ({failures} failures, weighted {weighted}, {contacts} "
        "contacts; FedEx's daily figure averages {daily} weighted failures a day).",
        month=i18n.month(summary["month"]),
        sqi=i18n.number(summary["sqi"], 1),
        unit=summary["unit"],
        failures=i18n.number(summary["failures"]),
        weighted=i18n.number(summary["weighted"]),
        contacts=i18n.number(summary["contacts"]),
        daily=i18n.number(summary["daily_mean"], 1),
    )
    if summary["ci"] is not None:
        low, high = (i18n.number(v, 1) for v in summary["ci"])
        text += " " + _("Approximate 95% CI {low} – {high}.", low=low, high=high)
    if summary["previous"] is not None:
        text += " " + _("Previous month {value}.", value=i18n.number(summary["previous"], 1))
    text += " " + _("Weight table: {version}.", version=summary["version"])
    return text


def actions(top: pd.DataFrame, *, n: int = 2) -> list[dict]:
    """The page's actions from :func:`top_contributors` by failure type: fix the ``n``
    failure types that weigh most in this month's index first (``customers``: their
    failures this month).

    Parameters
    ----------
    top : DataFrame
        :func:`top_contributors` with ``by="failure_type"``.
    n : int, default=2
        Most actions (failure types with a weighted count above 0 only).

    Returns
    -------
    list of dict
        Keys ``text``, ``evidence`` and ``customers`` (the type's failures).
    """
    out = []
    for r in top[top["weighted"] > 0].head(n).itertuples():
        out.append(
            {
                "text": _("Fix “{what}” first", what=label(r.failure_type)),
                "evidence": _(
                    "{share} of this month's weighted failures ({n} failures of weight {w})",
                    share=percent(r.share / 100),
                    n=number(r.failures),
                    w=number(r.weight, 0 if float(r.weight).is_integer() else 1),
                ),
                "customers": float(r.failures),
            }
        )
    return out
