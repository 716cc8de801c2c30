"""Service-quality-index and Moments-of-Truth charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..i18n import N_, _
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, label


def _unit(per_contacts: int) -> str:
    return (
        _("weighted failures")
        if per_contacts == 0
        else _("weighted failures per {n} contacts", n=f"{per_contacts:,}")
    )


def sqi_control_chart(chart, *, title: str | None = None) -> Figure:
    """The index per day/week with its centre line and 3-sigma band (:class:`ControlChart`).

    Points outside the band are red; points in a run on one side of the centre are ringed;
    periods cut short by the data (first/last week) are hollow; the reporting month is shaded.

    Parameters
    ----------
    chart : ControlChart
        :func:`cxreport.sqi.control_chart`; uses its ``frame`` (``start``, ``sqi``,
        ``centre``, ``lcl``, ``ucl``, ``signal``, ``run``, ``in_month``, ``partial``),
        ``freq``, ``per_contacts``, ``baseline``, ``version`` and ``run_length``.
    title : str, optional
        Chart title, drawn as given. Default: "Service-quality index per week" (or per day),
        translated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    f = chart.frame.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(11, 4.8))
    x = f["start"]
    ax.fill_between(
        x,
        f["lcl"],
        f["ucl"],
        step="mid",
        color=MUTED,
        alpha=0.35,
        label=_("control band (centre ± 3σ)"),
    )
    ax.plot(x, f["centre"], color=NEUTRAL, lw=1.2, ls="--", label=_("centre (baseline)"))
    ax.plot(x, f["sqi"], color=ACCENT, lw=1.2, zorder=3)
    full = ~f["partial"]
    ax.plot(x[full], f["sqi"][full], "o", color=ACCENT, ms=4, zorder=4, label=_("index"))
    if (~full).any():
        ax.plot(
            x[~full],
            f["sqi"][~full],
            "o",
            mfc="white",
            mec=NEUTRAL,
            ms=5,
            zorder=4,
            label=_("partial period"),
        )
    if f["run"].any():
        ax.plot(
            x[f["run"]],
            f["sqi"][f["run"]],
            "o",
            mfc="none",
            mec="#e9c46a",
            ms=10,
            mew=2,
            zorder=5,
            label=_("run of ≥{n} on one side", n=chart.run_length),
        )
    if f["signal"].any():
        ax.plot(
            x[f["signal"]],
            f["sqi"][f["signal"]],
            "o",
            color=BAD,
            ms=7,
            zorder=6,
            label=_("outside the band"),
        )
    month = f[f["in_month"]]
    if len(month):
        ax.axvspan(
            month["start"].min() - pd.Timedelta(days=3 if chart.freq == "W" else 0.5),
            month["start"].max() + pd.Timedelta(days=3 if chart.freq == "W" else 0.5),
            color="#e9c46a",
            alpha=0.15,
            lw=0,
            label=_("reporting month"),
        )
    b0, b1 = chart.baseline
    ax.annotate(
        _("baseline"),
        (b0, 1.0),
        xycoords=("data", "axes fraction"),
        fontsize=8,
        color=NEUTRAL,
        va="top",
    )
    ax.axvline(b0, color=NEUTRAL, lw=0.6, ls=":")
    ax.axvline(b1, color=NEUTRAL, lw=0.6, ls=":")
    ax.set_ylim(0, max(float(np.nanmax(f["ucl"])), float(np.nanmax(f["sqi"]))) * 1.08)
    weekly = chart.freq == "W"
    ax.set_ylabel(
        _unit(chart.per_contacts) + "\n" + (_("(per week)") if weekly else _("(per day)"))
        if chart.per_contacts == 0
        else _unit(chart.per_contacts)
    )
    ax.set_xlabel(_("week starting") if weekly else _("day starting"))
    ax.set_title(
        title
        or (_("Service-quality index per week") if weekly else _("Service-quality index per day"))
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4, fontsize=8)
    weights = _("Weights: {version}", version=label(chart.version, 100))
    fig.text(0.99, 0.01, weights, ha="right", fontsize=7, color=NEUTRAL)
    fig.tight_layout()
    return fig


def sqi_monthly(
    monthly: pd.DataFrame,
    *,
    per_contacts: int = 1000,
    title: str = N_("Service-quality index by month"),
) -> Figure:
    """Bars of the monthly index (:func:`cxreport.sqi.sqi_by_month`), last month highlighted.

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`cxreport.sqi.sqi_by_month`: ``month``, ``sqi`` and, when known, ``ci_low``,
        ``ci_high``; its last row is the one highlighted.
    per_contacts : int, default=1000
        The ``per_contacts`` the index was computed with (0: absolute count), to name the
        unit on the axis.
    title : str, default=N_("Service-quality index by month")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    m = monthly.reset_index(drop=True)
    x = np.arange(len(m))
    fig, ax = plt.subplots(figsize=(10, 4))
    colours = [ACCENT] * (len(m) - 1) + ["#e9c46a"]
    ax.bar(x, m["sqi"], color=colours)
    top = m["sqi"]
    if "ci_low" in m and m["ci_low"].notna().any():
        ax.errorbar(
            x,
            m["sqi"],
            yerr=np.vstack([m["sqi"] - m["ci_low"], m["ci_high"] - m["sqi"]]),
            fmt="none",
            ecolor=NEUTRAL,
            capsize=3,
            lw=1,
            label=_("approx. 95% CI (Poisson)"),
        )
        top = m["ci_high"]
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xticks(x, [str(p) for p in m["month"]], rotation=45, ha="right")
    ax.get_xticklabels()[-1].set_fontweight("bold")
    ax.set_ylim(0, float(np.nanmax(top)) * 1.15)
    ax.set_ylabel(_unit(per_contacts))
    ax.set_xlabel(_("month (reporting month highlighted)"))
    ax.set_title(_(title))
    fig.tight_layout()
    return fig


def sqi_pareto(top: pd.DataFrame, by: str, *, title: str | None = None) -> Figure:
    """Pareto chart: weighted failures per failure type or touchpoint, with cumulative share.

    Parameters
    ----------
    top : pandas.DataFrame
        :func:`cxreport.sqi.top_contributors`: the ``by`` column, ``weighted``, ``cum_share``
        and, when there, ``weight`` and ``previous_weighted``; rows without weighted failures
        are left out.
    by : str
        The grouping column (``"failure_type"``, ``"touchpoint"`` or ``"stage"``).
    title : str, optional
        Chart title, drawn as given. Default: "What the index is made of: by <by>",
        translated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = top[top["weighted"] > 0].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 4.6))
    x = np.arange(len(t))
    ax.bar(x, t["weighted"], color=ACCENT, label=_("weighted failures"))
    if "previous_weighted" in t:
        ax.plot(x, t["previous_weighted"], "_", color=BAD, ms=22, mew=2, label=_("previous period"))
    labels = [
        f"{label(k)}\n(×{w:g})" if "weight" in t else label(k)
        for k, w in zip(t[by], t.get("weight", t[by]), strict=True)
    ]
    ax.set_xticks(x, labels, rotation=40, ha="right", fontsize=8)
    ax.set_ylabel(_("weighted failures (count × weight)"))
    top_value = np.nanmax([t["weighted"].max(), t.get("previous_weighted", t["weighted"]).max()])
    if not np.isfinite(top_value) or top_value <= 0:  # no failure counted in the period
        top_value = 1.0
        ax.text(0.5, 0.5, _("no failures in the period"), transform=ax.transAxes, ha="center",
                color=NEUTRAL)  # fmt: skip
    ax.set_ylim(0, float(top_value) * 1.12)
    ax2 = ax.twinx()
    ax2.plot(x, t["cum_share"], "o-", color=NEUTRAL, ms=4, lw=1.2)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(_("cumulative share of the index (%)"))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax2.axhline(80, color=NEUTRAL, ls=":", lw=0.8)
    ax.set_title(title or _("What the index is made of: by {what}", what=_by_name(by)))
    ax.legend(loc="center right", fontsize=8)
    fig.tight_layout()
    return fig


def _by_name(by: str) -> str:
    """Our name of a grouping column (a config's own column stays as it is, spaced)."""
    names = {"failure_type": _("failure type"), "touchpoint": _("touchpoint"), "stage": _("stage")}
    return names.get(by, by.replace("_", " "))


def mot_heatmap(
    matrix: pd.DataFrame, *, title: str = N_("Failure rate by touchpoint and EODC stage")
) -> Figure:
    """Heat-map of failure rates (%) per touchpoint × EODC stage (:func:`failure_matrix`).

    The colour scale is fixed from 0 to the largest rate rounded up to 5 %; empty cells (a
    touchpoint not used in that stage) are blank; each cell shows the rate and the contacts.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`cxreport.mot.failure_matrix`: failure rates (%), touchpoints × stages; the
        contacts per cell, when in ``matrix.attrs["contacts"]``, are shown too.
    title : str, default=N_("Failure rate by touchpoint and EODC stage")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = matrix.attrs.get("contacts")
    vmax = max(5.0, float(np.ceil(np.nanmax(matrix.to_numpy(float)) / 5) * 5))
    annot = matrix.copy().astype(object)
    for i in matrix.index:
        for j in matrix.columns:
            v = matrix.loc[i, j]
            annot.loc[i, j] = (
                ""
                if pd.isna(v)
                else (f"{v:.1f}%\nn={int(n.loc[i, j]):,}" if n is not None else f"{v:.1f}%")
            )
    fig, ax = plt.subplots(figsize=(7.5, 0.65 * len(matrix) + 1.8))
    sns.heatmap(
        matrix.astype(float),
        xticklabels=[label(c) for c in matrix.columns],
        yticklabels=[label(i) for i in matrix.index],
        annot=annot.to_numpy(),
        fmt="",
        cmap="Reds",
        vmin=0,
        vmax=vmax,
        linewidths=1,
        linecolor="white",
        ax=ax,
        cbar_kws={"label": _("failure rate (% of contacts)")},
        annot_kws={"fontsize": 8},
    )
    ax.set_xlabel(_("EODC stage (explore → offer → do → confirm)"))
    ax.set_ylabel(_("touchpoint"))
    ax.set_title(_(title))
    ax.tick_params(axis="y", rotation=0)
    ax.grid(False)
    ax.set_facecolor("#f4f5f7")
    fig.tight_layout()
    return fig


def _moment(row, keys) -> str:
    """``delivery · do``: the touchpoint (and stage) of a moment, each part bounded."""
    return " · ".join(label(row[k], 30) for k in keys)


def mot_impact(result, *, top: int = 10, title: str | None = None) -> Figure:
    """Ranked bars of each moment's impact with its 95 % interval (:class:`MoTResult`).

    Parameters
    ----------
    result : MoTResult
        :func:`cxreport.mot.moments_of_truth`; its ``table`` (sorted by impact) gives the
        bars, ``impact`` the column drawn (the interval only for ``excess_churn``), ``level``
        the names and ``churn_days`` the axis label.
    top : int, default=10
        The first rows of ``result.table`` drawn.
    title : str, optional
        Chart title, drawn as given. Default: "The moments that matter most", translated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table.head(top).iloc[::-1].reset_index(drop=True)
    keys = ["touchpoint", "stage"] if result.level == "touchpoint_stage" else [result.level]
    names = [_moment(r, keys) for _i, r in t.iterrows()]
    col = result.impact
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(t) + 1.8))
    y = np.arange(len(t))
    vals = t[col].fillna(0).to_numpy(float)
    # colour means significance: red or green only where the 95 % interval leaves zero out
    if col == "excess_churn":
        lo_ci, hi_ci = t["excess_churn_low"].to_numpy(float), t["excess_churn_high"].to_numpy(float)
        firm = (lo_ci > 0) | (hi_ci < 0)
    else:
        firm = np.ones(len(t), bool)
    colours = [
        MUTED if s else (BAD if v > 0 else GOOD) if f else NEUTRAL
        for s, v, f in zip(t["small"], vals, firm, strict=True)
    ]
    ax.barh(y, vals, color=colours, height=0.6)
    if col == "excess_churn":
        lo, hi = t["excess_churn_low"].to_numpy(float), t["excess_churn_high"].to_numpy(float)
        ax.errorbar(
            vals,
            y,
            xerr=np.vstack([vals - lo, hi - vals]),
            fmt="none",
            ecolor=NEUTRAL,
            capsize=3,
            lw=1,
        )
        xlabel = _(
            "extra departures within {days} days after failures "
            "(failures × churn difference), 95% CI",
            days=result.churn_days,
        )
    elif col == "net_promoters_lost":
        xlabel = _("net promoters lost (failures × NPS gap / 100)")
    else:
        xlabel = _("failures")
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(y, names)
    ax.set_xlabel(xlabel)
    ax.set_title(title or _("The moments that matter most"))
    ax.grid(axis="y", visible=False)
    ax.legend(
        handles=[
            Patch(color=BAD, label=_("more churn after a failure")),
            Patch(color=GOOD, label=_("less churn after a failure")),
            Patch(color=MUTED, label=_("too few failures to rank")),
            Patch(color=NEUTRAL, label=_("interval includes zero: not shown to matter")),
        ],
        loc="lower right",
        fontsize=8,
    )
    fig.tight_layout()
    return fig


def mot_nps_gap(result, *, title: str = N_("NPS after a failed vs a good contact")) -> Figure:
    """Dumbbell chart: NPS of the next survey answer after a good and after a failed contact.

    Parameters
    ----------
    result : MoTResult
        :func:`cxreport.mot.moments_of_truth`; uses its ``table`` (``nps_ok``, ``nps_fail``,
        ``nps_ok_n``, ``nps_fail_n``; moments without ``nps_ok`` are left out), ``level`` and
        ``survey_days``.
    title : str, default=N_("NPS after a failed vs a good contact")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table.dropna(subset=["nps_ok"]).iloc[::-1].reset_index(drop=True)
    keys = ["touchpoint", "stage"] if result.level == "touchpoint_stage" else [result.level]
    names = [
        _moment(r, keys) + f"  (n={int(r['nps_fail_n'])}/{int(r['nps_ok_n'])})"
        for _i, r in t.iterrows()
    ]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(t) + 1.8))
    y = np.arange(len(t))
    for yi, (_i, r) in zip(y, t.iterrows(), strict=True):
        if pd.notna(r["nps_fail"]):
            ax.plot([r["nps_fail"], r["nps_ok"]], [yi, yi], color=MUTED, lw=2, zorder=1)
    thin = t["nps_fail_n"] < 10
    ax.scatter(t["nps_ok"], y, color=GOOD, s=50, zorder=3, label=_("after a good contact"))
    ax.scatter(
        t["nps_fail"][~thin], y[~thin], color=BAD, s=50, zorder=3, label=_("after a failure")
    )
    ax.scatter(
        t["nps_fail"][thin],
        y[thin],
        facecolor="white",
        edgecolor=BAD,
        s=50,
        zorder=3,
        label=_("after a failure (< 10 answers)"),
    )
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_xlim(-100, 100)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(
        _(
            "NPS of answers within {days} days after the contact (points)\n"
            "n = answers after a failure / after a good contact",
            days=result.survey_days,
        )
    )
    ax.set_title(_(title))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=8)
    fig.tight_layout()
    return fig
