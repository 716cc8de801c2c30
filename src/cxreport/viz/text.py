"""Text-analytics views: topic impact on NPS, topic volume by month, sentiment by NPS group,
and verbatims as an escaped table.

Verbatims are data: :func:`verbatims` escapes them (HTML, Markdown and ``$…$`` stay the
characters the customer typed, MathJax is told to leave the table alone) and shortens each to
:data:`SHOWN_CHARS` characters for the page; the exports keep the whole text.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import N_, _, month
from . import BAD, GOOD, MUTED, NEUTRAL, PALETTE, label

#: Characters of a verbatim shown on a page.
SHOWN_CHARS = 300

#: The headers of the text-analytics tables (the frames keep their English column names:
#: exports and ``formats`` use them).
HEADERS = {
    "label": N_("topic"), "topic": N_("topic"), "mentions": N_("mentions"),
    "share": N_("share"), "with": N_("NPS with the topic"),
    "without": N_("NPS without it"), "gap": N_("NPS gap"), "p": N_("p"),
    "points_lost": N_("NPS points lost"), "lost_low": N_("95% CI low"),
    "lost_high": N_("95% CI high"), "ci_low": N_("95% CI low"), "ci_high": N_("95% CI high"),
    "previous": N_("previous month"), "current": N_("this month"),
    "change": N_("change (points)"), "z": N_("z"), "significant": N_("significant"),
    "terms": N_("top words"), "texts": N_("texts"), "known_topic": N_("known topic"),
    "known_share": N_("share mentioning it"), "new": N_("new"), "text": N_("text"),
    "customer_id": N_("customer"), "date": N_("date"), "nps": N_("NPS"),
    "comment": N_("comment"),
}  # fmt: skip
_GROUPS = {"detractor": N_("detractor"), "passive": N_("passive"), "promoter": N_("promoter")}


def shorten(value, limit: int = SHOWN_CHARS) -> str:
    """A verbatim as a page shows it: whitespace runs as one space, cut to ``limit``
    characters with "…" (None and NaN: "").

    Parameters
    ----------
    value : object
        The text (any other value is read as ``str``).
    limit : int, default=SHOWN_CHARS
        Most characters kept, "…" included (300).

    Returns
    -------
    str
    """
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def verbatims(frame: pd.DataFrame, *, text_columns=("text",), formats: dict | None = None):
    """A Styler of ``frame`` for the page: every cell escaped as HTML, the ``text_columns``
    shortened, no index, and the table marked for MathJax to skip (``$5 or $10`` stays).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show; bool columns are shown as yes / no, known columns under their
        translated :data:`HEADERS`.
    text_columns : sequence of str, default=("text",)
        Columns shortened to :data:`SHOWN_CHARS` characters (:func:`shorten`); absent ones
        are skipped.
    formats : dict, optional
        Column → format, passed to ``Styler.format``.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    shown = frame.copy()
    for col in text_columns:
        if col in shown:
            shown[col] = shown[col].map(shorten)
    for col in shown.columns[[pd.api.types.is_bool_dtype(t) for t in shown.dtypes]]:
        shown[col] = shown[col].map({True: _("yes"), False: _("no")})
    return (
        shown.style.format(formats or {}, escape="html", na_rep="")
        .hide(axis="index")
        .relabel_index([_(HEADERS[c]) if c in HEADERS else c for c in shown.columns], axis=1)
        .set_table_attributes('class="tex2jax_ignore mathjax_ignore"')
    )


def impact_chart(impact: pd.DataFrame, *, title: str = N_("NPS points lost by topic")) -> Figure:
    """Points of NPS lost per known topic with 95 % intervals
    (:func:`cxreport.text.topic_impact`); hollow points: fewer mentions than the minimum.

    Parameters
    ----------
    impact : pandas.DataFrame
        :func:`cxreport.text.topic_impact`; uses ``label``, ``share``, ``points_lost``,
        ``lost_low``, ``lost_high`` and ``small``, drawn top to bottom in its order.
    title : str, default=N_("NPS points lost by topic")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = impact.reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.45 * len(t) + 1)))
    err = np.vstack([t["points_lost"] - t["lost_low"], t["lost_high"] - t["points_lost"]])
    ax.errorbar(t["points_lost"], y, xerr=err.clip(min=0), fmt="none", ecolor=NEUTRAL, capsize=3)
    colours = np.where(t["points_lost"] > 0, BAD, GOOD)
    small = t["small"].to_numpy(bool)
    ax.scatter(t.loc[~small, "points_lost"], y[~small], c=colours[~small], s=60, zorder=3)
    ax.scatter(t.loc[small, "points_lost"], y[small], facecolors="none", edgecolors=NEUTRAL,
               s=60, zorder=3)  # fmt: skip
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(y, [f"{label(lab, 32)} ({s:.0f} %)" for lab, s in zip(t["label"], t["share"],
                                                                      strict=True)])  # fmt: skip
    ax.set_xlabel(_("NPS points lost (share of comments × NPS gap); below 0: points gained"))
    ax.set_title(_(title))
    fig.tight_layout()
    return fig


def volume_chart(
    monthly: pd.DataFrame, *, top: int = 6, title: str = N_("Topics by month")
) -> Figure:
    """Share of the month's texts mentioning each of the ``top`` most mentioned known topics
    (:func:`cxreport.text.shares_by_month`).

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`cxreport.text.shares_by_month`; uses ``month``, ``label``, ``mentions`` and
        ``share``.
    top : int, default=6
        Most topics drawn (those with most mentions over all months; none without any).
    title : str, default=N_("Topics by month")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    order = monthly.groupby("label")["mentions"].sum().sort_values(ascending=False)
    keep = [x for x in order.index[:top] if order[x] > 0]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    months = pd.PeriodIndex(sorted(monthly["month"].unique()), freq="M")
    x = np.arange(len(months))
    for i, lab in enumerate(keep):
        m = monthly[monthly["label"] == lab].set_index("month").reindex(months)
        ax.plot(x, m["share"], marker="o", ms=3, color=PALETTE[i % len(PALETTE)], label=label(lab))
    ax.set_xticks(x, [month(m) for m in months], rotation=45, ha="right")
    ax.set_ylabel(_("% of the month's texts"))
    ax.set_title(_(title))
    if keep:
        ax.legend(loc="upper left", fontsize=9, ncol=2)
    fig.tight_layout()
    return fig


def sentiment_chart(table: pd.DataFrame, *, title: str = N_("Sentiment of comments by NPS group")):
    """Stacked shares of negative / neutral / positive comments per NPS group
    (:attr:`cxreport.text.Agreement.table`).

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`cxreport.text.Agreement.table`; uses ``nps_group``, ``comments``,
        ``% negative``, ``% neutral`` and ``% positive`` (NaN drawn as 0).
    title : str, default=N_("Sentiment of comments by NPS group")
        Chart title, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = table.reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    fig, ax = plt.subplots(figsize=(9, 2.8))
    left = np.zeros(len(t))
    for col, colour, name in (
        ("% negative", BAD, N_("negative")),
        ("% neutral", MUTED, N_("neutral")),
        ("% positive", GOOD, N_("positive")),
    ):
        v = t[col].fillna(0).to_numpy(float)
        ax.barh(y, v, left=left, color=colour, label=_(name))
        left += v
    groups = [_(_GROUPS.get(g, str(g))) for g in t["nps_group"]]
    ax.set_yticks(y, [f"{g} (n={n:,})" for g, n in zip(groups, t["comments"], strict=True)])
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("% of the group's comments"))
    ax.set_title(_(title))
    ax.legend(loc="lower right", fontsize=9, ncol=3)
    fig.tight_layout()
    return fig


__all__ = ["impact_chart", "sentiment_chart", "shorten", "verbatims", "volume_chart"]
