"""Complaint-handling charts: the monthly rate with its control band, time to resolve by
category (Kaplan–Meier curves) and the recovery-paradox comparison."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import N_, _
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, label


def volume_chart(volume: pd.DataFrame, *, title: str = N_("Complaints per month")) -> Figure:
    """Complaints per 1,000 active customers with the control band
    (:func:`cxreport.complaints.volume_by_month`); the count when there is no rate.

    Parameters
    ----------
    volume : pandas.DataFrame
        :func:`cxreport.complaints.volume_by_month`; uses ``month``, ``complaints``,
        ``rate``, ``centre``, ``lcl``, ``ucl`` and ``signal``.
    title : str, default=N_("Complaints per month")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    v = volume.reset_index(drop=True)
    x = np.arange(len(v))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    if v["rate"].notna().any():
        ax.fill_between(x, v["lcl"], v["ucl"], color=MUTED, alpha=0.5, step="mid", lw=0)
        ax.plot(x, v["centre"], color=NEUTRAL, ls="--", lw=1, label=_("baseline centre"))
        ax.plot(x, v["rate"], color=ACCENT, marker="o", label=_("complaints per 1,000"))
        out = v["signal"].to_numpy(bool)
        ax.scatter(x[out], v["rate"][out], color=BAD, zorder=3, s=60, label=_("outside the band"))
        ax.set_ylabel(_("complaints per 1,000 active customers"))
    else:
        ax.bar(x, v["complaints"], color=ACCENT)
        ax.set_ylabel(_("complaints (no customers table: no rate)"))
    ax.set_xticks(x, [str(m) for m in v["month"]], rotation=45, ha="right")
    ax.set_title(_(title))
    if v["rate"].notna().any():
        ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def resolution_curves(curves: dict[str, pd.DataFrame], *, title: str | None = None) -> Figure:
    """Share of cases still open after each day (Kaplan–Meier, one line per category).

    Parameters
    ----------
    curves : dict of str to pandas.DataFrame
        :func:`cxreport.complaints.curves`: name (``"all"`` or a category) → its curve
        (``days``, ``still_open``); empty curves are skipped.
    title : str, optional
        Chart title, drawn as given. Default: "Time to resolve (open cases censored)",
        translated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, c in curves.items():
        if len(c):
            t = np.r_[0, c["days"].to_numpy(float)]
            s = np.r_[1, c["still_open"].to_numpy(float)]
            ax.step(t, 100 * s, where="post", label=_("all") if name == "all" else label(name))
    ax.axhline(50, color=NEUTRAL, lw=0.8, ls=":")
    ax.axhline(10, color=NEUTRAL, lw=0.8, ls=":")
    ax.set_xlabel(_("days since the case was opened"))
    ax.set_ylabel(_("cases still open (%)"))
    ax.set_ylim(0, 102)
    ax.set_title(title or _("Time to resolve (open cases censored)"))
    ax.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig


def paradox_chart(table: pd.DataFrame, *, title: str = N_("Churn and NPS by recovery")) -> Figure:
    """Churn (%) and NPS of each recovery group with 95 % intervals
    (:func:`cxreport.complaints.recovery_paradox`).

    Parameters
    ----------
    table : pandas.DataFrame
        ``Paradox.table`` of :func:`cxreport.complaints.recovery_paradox` (its three groups);
        uses ``group``, ``customers``, ``churn_pct``, ``churn_low``, ``churn_high``, ``nps``,
        ``nps_low`` and ``nps_high``.
    title : str, default=N_("Churn and NPS by recovery")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = table.reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    colours = [NEUTRAL, GOOD, BAD][: len(t)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
    for ax, col, lo, hi, name in (
        (axes[0], "churn_pct", "churn_low", "churn_high", _("churned in the window (%)")),
        (axes[1], "nps", "nps_low", "nps_high", _("NPS of their answers")),
    ):
        err = np.vstack([t[col] - t[lo], t[hi] - t[col]]).clip(min=0)
        ax.errorbar(t[col], y, xerr=err, fmt="none", ecolor=NEUTRAL, capsize=4)
        ax.scatter(t[col], y, c=colours, s=70, zorder=3)
        ax.set_xlabel(name)
    axes[0].set_yticks(
        y, [f"{_(g)} (n={n:,})" for g, n in zip(t["group"], t["customers"], strict=True)]
    )
    fig.suptitle(_(title), x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig
