"""NPS charts: the monthly trend with intervals, the promoter/detractor mix, groups.

Months or groups with too few answers (``small_sample``) are drawn hollow and grey, with their
(wide) interval, and the trend line does not run through them: they are shown, not read as
precise.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..i18n import N_, _
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, label


def _nps_limits(lo: pd.Series, hi: pd.Series) -> tuple[float, float]:
    lo_v = np.nanmin(np.append(lo.to_numpy(float), 0.0))
    hi_v = np.nanmax(np.append(hi.to_numpy(float), 50.0))
    return max(-100.0, math.floor(lo_v / 20) * 20 - 10), min(100.0, math.ceil(hi_v / 20) * 20 + 10)


def nps_trend(
    monthly: pd.DataFrame, *, title: str = N_("NPS by month"), min_responses: int | None = None
) -> Figure:
    """NPS per month with its 95 % adjusted-Wald interval (:func:`cxreport.nps.nps_by_month`).

    Significant month-on-month changes are marked ▲ / ▼; months flagged ``small_sample`` are
    hollow grey points and break the trend line (it joins consecutive precise months only).

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`cxreport.nps.nps_by_month`; uses ``month``, ``n``, ``nps``, ``ci_low``,
        ``ci_high``, ``small_sample`` and, when present, ``change`` and
        ``change_significant``.
    title : str, default=N_("NPS by month")
        Chart title, translated into the report's language.
    min_responses : int, optional
        The threshold behind ``small_sample``, only to name it in the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    m = monthly.reset_index(drop=True)
    x = np.arange(len(m))
    fig, ax = plt.subplots(figsize=(11, 5))
    ok = ~m["small_sample"].to_numpy(bool) & m["n"].gt(0).to_numpy()
    small = m["small_sample"].to_numpy(bool) & m["n"].gt(0).to_numpy()
    ax.axhline(0, color=NEUTRAL, lw=1)
    # the adjusted-Wald interval is centred on the adjusted estimate: with a handful of answers
    # the raw NPS can lie outside it, and the bar then reaches the point instead
    yerr = np.clip(np.vstack([m["nps"] - m["ci_low"], m["ci_high"] - m["nps"]]), 0, None)
    # the line joins consecutive precise months only: a small month breaks it
    ax.plot(x, m["nps"].where(ok), "-", color=ACCENT, lw=1.8, zorder=2)
    ax.errorbar(
        x[ok],
        m["nps"][ok],
        yerr=yerr[:, ok],
        fmt="o",
        color=ACCENT,
        ecolor=ACCENT,
        elinewidth=1.2,
        capsize=3,
        ms=6,
        lw=1.8,
        label=_("NPS (95% CI)"),
    )
    if small.any():
        ax.errorbar(
            x[small],
            m["nps"][small],
            yerr=yerr[:, small],
            fmt="o",
            mfc="white",
            mec=NEUTRAL,
            ecolor=MUTED,
            elinewidth=1.2,
            capsize=3,
            ms=6,
            label=_("too few answers (n < {n})", n=min_responses)
            if min_responses
            else _("too few answers"),
        )
    sig = m.get("change_significant", pd.Series(False, index=m.index)).to_numpy(bool)
    for i in np.flatnonzero(sig):
        up = m.loc[i, "change"] > 0
        ax.annotate(
            "▲" if up else "▼",
            (x[i], m.loc[i, "ci_high"]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            color=GOOD if up else BAD,
            fontsize=11,
        )
    ax.set_xticks(x, _month_labels(m), fontsize=8)
    ax.set_ylim(*_nps_limits(m["ci_low"], m["ci_high"]))
    ax.set_ylabel(_("NPS (points, −100 … +100)"))
    ax.set_xlabel(_("month (n = answers)"))
    ax.set_title(_(title))
    handles, labels = ax.get_legend_handles_labels()
    if sig.any():  # the ▲ and ▼ of the chart, side by side (text is never mathtext here)
        handles.append(tuple(Line2D([], [], ls="", marker=m, color=c, ms=8)
                             for m, c in (("^", GOOD), ("v", BAD))))  # fmt: skip
        labels.append(_("significant change vs previous month (p < .05)"))
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3,
              fontsize=9, handler_map={tuple: HandlerTuple(ndivide=None)})  # fmt: skip
    fig.tight_layout()
    return fig


def _month_labels(m: pd.DataFrame) -> list[str]:
    """``2026-10`` over ``n=167``: the sample size sits under every month."""
    return [f"{p}\nn={int(k)}" for p, k in zip(m["month"], m["n"], strict=True)]


def nps_mix(
    monthly: pd.DataFrame, *, title: str = N_("Promoters, passives and detractors")
) -> Figure:
    """100 % stacked bars of detractors, passives and promoters per month.

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`cxreport.nps.nps_by_month`; uses ``month``, ``n``, ``pct_detractors``,
        ``pct_passives``, ``pct_promoters`` and ``small_sample`` (drawn pale).
    title : str, default=N_("Promoters, passives and detractors")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    m = monthly.reset_index(drop=True)
    x = np.arange(len(m))
    fig, ax = plt.subplots(figsize=(11, 4.6))
    bottom = np.zeros(len(m))
    alpha = np.where(m["small_sample"].to_numpy(bool), 0.4, 1.0)
    handles = []
    for col, colour, name in (
        ("pct_detractors", BAD, _("detractors (0-6)")),
        ("pct_passives", MUTED, _("passives (7-8)")),
        ("pct_promoters", GOOD, _("promoters (9-10)")),
    ):
        vals = m[col].fillna(0).to_numpy()
        bars = ax.bar(x, vals, bottom=bottom, color=colour, width=0.8)
        for b, a in zip(bars, alpha, strict=True):
            b.set_alpha(a)
        handles.append(Patch(color=colour, label=name))
        bottom += vals
    ax.set_xticks(x, _month_labels(m), fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel(_("share of answers (%)"))
    ax.set_xlabel(_("month (n = answers; pale = too few answers)"))
    ax.set_title(_(title))
    ax.legend(handles=handles, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=9)
    ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig


def nps_groups(
    table: pd.DataFrame,
    by: str,
    *,
    title: str | None = None,
    overall: float | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Dot plot of NPS per group with 95 % intervals on the full −100 … +100 scale.

    ``table`` is :func:`cxreport.nps.nps_table` output. Small groups are hollow and grey.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxreport.nps.nps_table`; groups without answers (``n`` 0) are left out.
    by : str
        The column of ``table`` that names the groups.
    title : str, optional
        Chart title, drawn as given. Default: "NPS by <by>", translated.
    overall : float, optional
        NPS of all answers, drawn as a dashed line (not when NaN).
    xlabel : str, optional
        Label of the NPS axis, drawn as given. Default: the scale and the hollow-point key.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = table[table["n"] > 0].reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(t) + 1.6))
    small = t["small_sample"].to_numpy(bool)
    for yi, (_i, r), s in zip(y, t.iterrows(), small, strict=True):
        colour = MUTED if s else ACCENT
        ax.plot(
            [r["ci_low"], r["ci_high"]],
            [yi, yi],
            color=colour,
            lw=3 if not s else 2,
            solid_capstyle="butt",
        )
        ax.plot(r["nps"], yi, "o", ms=9, mfc="white" if s else colour, mec=NEUTRAL if s else colour)
        ax.annotate(
            f"{r['nps']:+.0f}",
            (r["nps"], yi),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            color=NEUTRAL if s else ACCENT,
        )
    if overall is not None and not np.isnan(overall):
        ax.axvline(overall, color=NEUTRAL, ls="--", lw=1)
        ax.annotate(
            _("all answers: {nps}", nps=f"{overall:+.0f}"),
            (overall, y.max() + 0.95),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9,
            color=NEUTRAL,
        )
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(y, [f"{label(v)}  (n={int(k)})" for v, k in zip(t[by], t["n"], strict=True)])
    ax.set_xlim(-100, 100)
    ax.set_ylim(-0.8, len(t) + 0.35)
    ax.set_xlabel(xlabel or _("NPS (points) with 95% CI; hollow = too few answers"))
    ax.set_title(title or _("NPS by {group}", group=label(by)))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
