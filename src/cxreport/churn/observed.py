"""Observed churn: rates by group with Wilson intervals, the page's breakdowns, and the
reporting cohort's churn (and the cohort's a month before)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_int as _check_int
from ..i18n import _
from ..nps import nps_group
from .settings import label
from .table import ChurnData


def churn_by_group(groups: pd.Series, y, *, name: str = "group", min_n: int = 1) -> pd.DataFrame:
    """Churn rate per group with Wilson 95% intervals.

    Returns ``group``, ``n``, ``churners``, ``churn_rate``, ``ci_low``, ``ci_high`` sorted by
    descending churn rate; groups with fewer than ``min_n`` rows are dropped.

    Parameters
    ----------
    groups : pandas.Series
        Group per row; missing values form the group ``"(missing)"``.
    y : array-like
        0/1 churn label per row, in the order of ``groups``.
    name : str, default="group"
        Name of the group column in the result.
    min_n : int, default=1
        Smallest group kept.

    Returns
    -------
    pandas.DataFrame
        One row per group; ``churn_rate``, ``ci_low`` and ``ci_high`` are shares of 1.
    """
    from ..stats import wilson_interval

    df = pd.DataFrame(
        {
            "group": groups.astype(object)
            .where(groups.notna(), "(missing)")
            .astype(str)
            .to_numpy(),
            "y": np.asarray(y).astype(int),
        }
    )
    t = df.groupby("group").agg(n=("y", "size"), churners=("y", "sum")).reset_index()
    t = t[t["n"] >= min_n]
    t["churn_rate"] = t["churners"] / t["n"]
    t["ci_low"], t["ci_high"] = wilson_interval(t["churners"], t["n"])
    t = t.sort_values(["churn_rate", "group"], ascending=[False, True], kind="mergesort")
    return t.rename(columns={"group": name}).reset_index(drop=True)


def failure_group(failures: pd.Series) -> pd.Series:
    """0, 1 or 2+ failed contacts.

    Parameters
    ----------
    failures : pandas.Series
        Failed contacts per row (missing or non-numeric: 0).

    Returns
    -------
    pandas.Series
        ``"none"``, ``"1"`` or ``"2 or more"`` (in the report's language), on the index of
        ``failures``.
    """
    f = pd.to_numeric(failures, errors="coerce").fillna(0)
    return pd.Series(
        np.where(f >= 2, _("2 or more"), np.where(f >= 1, "1", _("none"))),
        index=f.index,
        dtype=object,
    )


def breakdowns(
    d: ChurnData, *, segments: pd.Series | None = None, recent_months: int = 12, min_n: int = 20
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Observed churn rate by segment, plan, touchpoint failures and NPS group (Wilson CIs).

    History mode: the labelled customer-months of the last ``recent_months`` observation
    months (churn rate = share of customers active at a month start who left within the
    horizon); plan, failures and NPS are the values known at that month start. The segment is
    the customer's segment at the end of the reporting month (``segments``, from
    :func:`cxreport.segments.label_customers`), so it is broken down for the last observation
    month only, whose customers the segmentation still covers. Snapshot mode: every customer.

    Parameters
    ----------
    d : ChurnData
        The modelling table (its labelled rows).
    segments : pandas.Series, optional
        Segment per customer id; None: no segment breakdown (noted).
    recent_months : int, default=12
        History mode: the last observation months counted, 1 to 120.
    min_n : int, default=20
        Groups with fewer rows are dropped (``min_n`` of :func:`churn_by_group`).

    Returns
    -------
    tables : dict
        Breakdown name -> :func:`churn_by_group` table (only those the data allow).
    notes : list of str
        Why a breakdown is missing.
    """
    recent_months = _check_int("recent_months", recent_months, 1, 120)
    X, y = d.X, d.y
    ids, time = d.ids, d.time
    if time is not None:
        months = np.sort(time.unique())[-recent_months:]
        keep = time.isin(months).to_numpy()
        X, y, ids, time = X[keep], y[keep], ids[keep], time[keep]
    tables, notes = {}, []
    if d.sampled_from is not None:
        notes.append(
            _(
                "These rates are counted on the model's sample of {n} of the {total} labelled "
                "rows (max_rows).",
                n=f"{len(d.y):,}",
                total=f"{d.sampled_from:,}",
            )
        )
    if segments is not None:
        rows = np.ones(len(y), bool) if time is None else (time == time.max()).to_numpy()
        seg = ids[rows].map(segments)
        if seg.notna().any():
            tables["segment"] = churn_by_group(
                seg.fillna(_("(not segmented)")), y[rows], name="segment", min_n=min_n
            )
    else:
        notes.append(
            _(
                "Churn by segment is left out: no segment labels (the segmentation needs the "
                "transactions table)."
            )
        )
    if "plan" in X:
        tables["plan"] = churn_by_group(X["plan"], y, name="plan", min_n=min_n)
    else:
        notes.append(_("Churn by plan is left out: the model has no 'plan' feature."))
    fail = next((c for c in ("failures_1m", "failures_3m") if c in X), None)
    if fail:
        tables["failures"] = churn_by_group(
            failure_group(X[fail]), y, name=f"{label(fail)}", min_n=min_n
        )
    else:
        notes.append(_("Churn by touchpoint failure is left out: no touchpoints table."))
    if "last_nps" in X:
        tables["nps"] = churn_by_group(nps_group(X["last_nps"]), y, name="NPS group", min_n=min_n)
    else:
        notes.append(_("Churn by NPS group is left out: no survey answers linked to customers."))
    return tables, notes


def observed_churn(d: ChurnData) -> tuple[int, int]:
    """(churners, customers) of the reporting month's cohort (history: the customers active
    at the latest labelled month start; snapshot: every customer), on every customer also
    when the model's rows are a sample.

    Parameters
    ----------
    d : ChurnData
        The modelling table.

    Returns
    -------
    tuple of int
        ``(churners, customers)``.
    """
    if d.cohort is not None:
        return d.cohort
    if d.time is None:
        return int(d.y.sum()), len(d.y)
    last = (d.time == d.time.max()).to_numpy()
    return int(d.y[last].sum()), int(last.sum())


def previous_churn(d: ChurnData) -> tuple[tuple[int, int], object] | None:
    """((churners, customers), month) of the cohort a month before :func:`observed_churn`'s,
    for the first report's month-on-month change (history only; on the model's rows, a
    random sample of them at scale: the rate is unbiased, its interval from the sample).

    Parameters
    ----------
    d : ChurnData
        The modelling table.

    Returns
    -------
    tuple or None
        ``((churners, customers), month)``, the month a ``pandas.Period``; None for a
        snapshot or with fewer than two observation months.
    """
    if d.time is None:
        return None
    months = np.unique(d.time.to_numpy())
    if len(months) < 2:
        return None
    rows = (d.time == months[-2]).to_numpy()
    return (int(d.y[rows].sum()), int(rows.sum())), pd.Timestamp(months[-2]).to_period("M")
