"""Charts of the CSI notebook: radar charts done right, dot plots with CIs, the
importance-performance grid, bars and lines over time, SERVQUAL gap charts.

Radar rules (``cx-methods.md`` §6): closed polygons, a fixed 0-100 radial scale starting at 0,
the first axis at 12 o'clock and the same axis order in every chart, at most three series, and
a dot plot with confidence intervals beside it (radar areas mislead). Every function takes
results from :mod:`cxreport.csi` / :mod:`cxreport.servqual` and returns a Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..csi import WEIGHT_NAMES
from ..errors import ParameterError
from ..i18n import N_, _, month
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, PALETTE, label, zoomed

#: series styles: the first series is "this month", then comparison series
SERIES_COLOURS = [ACCENT, NEUTRAL, "#c08a12", "#d1495b", "#6d597a"]  # 3rd: target, dark gold
SERIES_LINES = ["-", "--", ":", "-.", (0, (1, 1))]
QUADRANT_COLOURS = {
    "concentrate here": BAD,
    "keep up the good work": GOOD,
    "low priority": NEUTRAL,
    "possible overkill": "#e9c46a",
}


def _label(s: str, width: int = 14) -> str:
    """A dimension or group name on two lines at most (``overall_satisfaction`` spaced)."""
    return label(str(s).replace("_", " "), width, lines=2)


def _radar_axes(ax, order: list[str]) -> np.ndarray:
    theta = np.linspace(0, 2 * np.pi, len(order), endpoint=False)
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_thetagrids(np.degrees(theta), [_label(o) for o in order], fontsize=10)
    ax.set_ylim(0, 100)
    ax.set_rgrids(
        [20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=8, color="#555555"
    )
    ax.set_rlabel_position(180 / len(order))
    ax.tick_params(axis="x", pad=14)  # keep labels clear of the 100 ring
    return theta


def _radar_series(ax, theta, values, *, colour, line, label, fill, annotate):
    v = np.asarray(values, float)
    th = np.r_[theta, theta[:1]]
    r = np.r_[v, v[:1]]  # closed polygon
    ax.plot(
        th,
        r,
        color=colour,
        linestyle=line,
        linewidth=2 if fill else 1.8,
        label=label,
        marker="o" if fill else None,
        markersize=4,
    )
    if fill:
        ax.fill(th, r, color=colour, alpha=0.12)
    if annotate:
        for t, val in zip(theta, v, strict=True):
            if np.isfinite(val):
                ax.text(
                    t,
                    min(val + 9, 97),
                    f"{val:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=colour,
                    fontweight="bold",
                )


def _check_series(table: pd.DataFrame, order: list[str]) -> list[str]:
    series = list(dict.fromkeys(table["series"]))
    if len(series) > 4:
        raise ParameterError(
            f"A radar chart stays readable with at most 4 series; got "
            f"{len(series)}: {', '.join(map(str, series))}."
        )
    return series


def _pivot(table: pd.DataFrame, order: list[str], col: str = "score") -> pd.DataFrame:
    return table.pivot_table(
        index="index", columns="series", values=col, sort=False, dropna=False
    ).reindex(order)


def radar_with_dots(
    table: pd.DataFrame,
    *,
    order: list[str],
    title: str,
    note: str = "",
) -> plt.Figure:
    """A radar (left) and a dot plot with confidence intervals (right) of the same figures.

    Parameters
    ----------
    table : DataFrame
        Long: ``series`` (e.g. "2026-10", "2026-09", "target 2026"), ``index`` (dimension),
        ``score`` (0-100), ``ci_low``, ``ci_high`` (NaN for targets and benchmarks). The first
        series is drawn filled ("this month"); the others as lines.
    order : list of str
        Axis order (the model's dimension order), identical in every chart of the report.
    title : str
        Figure title, drawn as given.
    note : str, default=""
        Footnote (e.g. how the CIs were computed).

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = _check_series(table, order)
    scores = _pivot(table, order)
    lows, highs = _pivot(table, order, "ci_low"), _pivot(table, order, "ci_high")
    fig = plt.figure(figsize=(13, 6.2))
    ax = fig.add_subplot(1, 2, 1, projection="polar")
    theta = _radar_axes(ax, order)
    for k, s in enumerate(series):
        _radar_series(
            ax,
            theta,
            scores[s],
            colour=SERIES_COLOURS[k],
            line=SERIES_LINES[k],
            label=label(s),
            fill=k == 0,
            annotate=k == 0,
        )
    ax.set_title(_("Profile (0-100, fixed scale)"), fontsize=11, pad=28)
    ax.legend(loc="upper left", bbox_to_anchor=(-0.2, -0.05), ncol=len(series), fontsize=9)

    ax2 = fig.add_subplot(1, 2, 2)
    y = np.arange(len(order))[::-1]
    step = 0.8 / max(1, len(series))
    for k, s in enumerate(series):
        yy = y + 0.4 - step / 2 - k * step
        v, lo, hi = scores[s].to_numpy(float), lows[s].to_numpy(float), highs[s].to_numpy(float)
        has_ci = np.isfinite(lo) & np.isfinite(hi)
        if has_ci.any():
            ax2.errorbar(
                v[has_ci],
                yy[has_ci],
                xerr=[v[has_ci] - lo[has_ci], hi[has_ci] - v[has_ci]],
                fmt="o",
                color=SERIES_COLOURS[k],
                ecolor=SERIES_COLOURS[k],
                elinewidth=2,
                capsize=3,
                markersize=6,
                label=_("{series} (95% CI)", series=label(s)),
            )
        if (~has_ci).any():
            ax2.plot(
                v[~has_ci],
                yy[~has_ci],
                marker="|" if k else "o",
                markersize=14,
                markeredgewidth=2.5,
                linestyle="none",
                color=SERIES_COLOURS[k],
                label=label(s),
            )
    ax2.set_yticks(y, [_label(o, 20) for o in order])
    ax2.set_xlim(0, 100)
    ax2.set_xlabel(_("Index (0-100)"))
    ax2.set_title(_("Same figures with 95% confidence intervals"), fontsize=11)
    ax2.legend(loc="lower left", fontsize=8.5)
    ax2.grid(axis="y", visible=False)
    fig.suptitle(title, x=0.02, y=0.985, ha="left", fontsize=13, fontweight="bold")
    if note:
        fig.text(0.02, 0.01, note, fontsize=8.5, color="#555555")
    fig.subplots_adjust(left=0.06, right=0.98, top=0.78, bottom=0.14, wspace=0.45)
    return fig


def radar_small_multiples(
    table: pd.DataFrame,
    *,
    order: list[str],
    reference: pd.Series | None = None,
    reference_label: str = N_("all customers"),
    title: str,
    ncols: int = 3,
) -> plt.Figure:
    """One small radar per group on the same fixed 0-100 scale and axis order.

    Parameters
    ----------
    table : DataFrame
        Long: ``group``, ``index``, ``score`` (and ``n``, ``few`` when known).
    order : list of str
        Axis order (the model's dimension order), identical in every chart of the report.
    reference : Series, optional
        Index → score drawn as a grey dashed polygon in every panel (e.g. all customers).
    reference_label : str, default=N_("all customers")
        Legend entry of ``reference``, translated into the report's language.
    title : str
        Figure title, drawn as given.
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = list(dict.fromkeys(table["group"]))
    nrows = int(np.ceil(len(groups) / ncols))
    fig = plt.figure(figsize=(4.3 * ncols, 4.1 * nrows + 0.6))
    for k, g in enumerate(groups):
        ax = fig.add_subplot(nrows, ncols, k + 1, projection="polar")
        theta = _radar_axes(ax, order)
        ax.set_thetagrids(np.degrees(theta), [_label(o, 14) for o in order], fontsize=8)
        sub = table[table["group"] == g].set_index("index").reindex(order)
        if reference is not None:
            _radar_series(
                ax,
                theta,
                reference.reindex(order),
                colour=NEUTRAL,
                line="--",
                label=label(_(reference_label)),
                fill=False,
                annotate=False,
            )
        _radar_series(
            ax,
            theta,
            sub["score"],
            colour=PALETTE[(k + 1) % len(PALETTE)],
            line="-",
            label=label(g),
            fill=True,
            annotate=True,
        )
        n = f"n = {int(sub['n'].max()):,}" if "n" in sub and sub["n"].notna().any() else ""
        few = " · " + _("few answers") if "few" in sub and bool(sub["few"].any()) else ""
        ax.set_title(f"{_label(g, 24)}\n{n}{few}", fontsize=10, pad=16)
    if reference is not None:
        fig.legend(
            handles=[
                plt.Line2D([], [], color=NEUTRAL, linestyle="--", label=label(_(reference_label)))
            ],
            loc="upper right",
            fontsize=9,
        )
    fig.suptitle(title, x=0.02, ha="left", fontsize=13, fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def group_dots(
    table: pd.DataFrame,
    *,
    index: str = "csi",
    title: str,
    xlabel: str = N_("CSI (0-100)"),
) -> plt.Figure:
    """Dot plot with CIs of one index per group (e.g. CSI by segment, channel, region).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxreport.csi.csi_by_group`: ``group``, ``index``, ``score``, ``ci_low``,
        ``ci_high``, ``n`` and, when known, ``few`` (drawn muted); lowest score at the bottom.
    index : str, default="csi"
        The index drawn (``"csi"`` or a dimension).
    title : str
        Chart title, drawn as given.
    xlabel : str, default=N_("CSI (0-100)")
        Horizontal axis label, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sub = table[table["index"] == index].sort_values("score", kind="mergesort")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(sub) + 1.6))
    y = np.arange(len(sub))
    few = sub["few"].to_numpy(bool) if "few" in sub else np.zeros(len(sub), bool)
    for flag, colour, lab in (
        (False, ACCENT, _("95% CI")),
        (True, MUTED, _("few answers (CI wide)")),
    ):
        m = few == flag
        if m.any():
            ax.errorbar(
                sub["score"][m],
                y[m],
                xerr=[sub["score"][m] - sub["ci_low"][m], sub["ci_high"][m] - sub["score"][m]],
                fmt="o",
                color=colour,
                capsize=3,
                elinewidth=2,
                label=lab,
            )
    ax.set_yticks(
        y, [f"{_label(g, 28)}  (n={n:,})" for g, n in zip(sub["group"], sub["n"], strict=True)]
    )
    ax.set_xlim(0, 100)
    ax.set_xlabel(_(xlabel))
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=9)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def trend_lines(
    by_month: pd.DataFrame,
    *,
    indices: list[str],
    title: str,
    ylim: tuple[float, float] | None = None,
    band: str | None = "csi",
) -> plt.Figure:
    """Lines over months, one per index; a CI band for ``band``; months with few answers hollow.

    ``by_month`` is the long table of :func:`cxreport.csi.by_month`; ``ylim`` default: zoomed
    to the data (in steps of 5 within 0-100, the axis label says where it starts), so that a
    change of a few points shows.

    Parameters
    ----------
    by_month : pandas.DataFrame
        :func:`cxreport.csi.by_month`: ``month``, ``index``, ``score``, ``ci_low``,
        ``ci_high``, ``few``.
    indices : list of str
        The indices drawn, in this order (``"csi"`` drawn thickest).
    title : str
        Chart title, drawn as given.
    ylim : tuple of (float, float), optional
        Limits of the vertical axis. Default: :func:`cxreport.viz.zoomed` to the data.
    band : str or None, default="csi"
        The index whose confidence interval is drawn as a band; None: no band.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ylim is None:
        shown = by_month[by_month["index"].isin(indices)]
        ylim = zoomed(shown[["score", "ci_low", "ci_high"]].to_numpy(float))
    fig, ax = plt.subplots(figsize=(11, 4.8))
    months = list(dict.fromkeys(by_month["month"]))
    x = np.arange(len(months))
    for k, name in enumerate(indices):
        sub = by_month[by_month["index"] == name].set_index("month").reindex(months)
        colour = ACCENT if name == "csi" else PALETTE[(k + 1) % len(PALETTE)]
        width = 2.8 if name == "csi" else 1.5
        ax.plot(x, sub["score"], color=colour, linewidth=width, label=_label(name, 30))
        few = sub["few"].fillna(False).to_numpy(bool)
        ax.plot(x[~few], sub["score"][~few], "o", color=colour, markersize=4)
        if few.any():
            ax.plot(
                x[few], sub["score"][few], "o", markerfacecolor="white", color=colour, markersize=7
            )
        if name == band:
            ax.fill_between(
                x,
                sub["ci_low"],
                sub["ci_high"],
                color=colour,
                alpha=0.15,
                label=_("CSI 95% CI"),
                linewidth=0,
            )
    ax.set_xticks(x, [month(m) for m in months], rotation=45, ha="right")
    ax.set_ylim(*ylim)
    ylabel = _("Index (0-100)")
    if ylim[0] > 0 or ylim[1] < 100:
        ylabel = _("Index (0-100); axis {low}–{high}", low=f"{ylim[0]:g}", high=f"{ylim[1]:g}")
    ax.set_ylabel(ylabel)
    ax.set_xlabel(_("Month"))
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    fig.tight_layout()
    return fig


def bars_by_month(
    by_month: pd.DataFrame,
    *,
    order: list[str],
    months: list[str],
    title: str,
) -> plt.Figure:
    """Grouped bars (0-100, from zero) of each dimension for a few months, with CI whiskers.

    Parameters
    ----------
    by_month : pandas.DataFrame
        :func:`cxreport.csi.by_month` (``month``, ``index``, ``score``, ``ci_low``,
        ``ci_high``).
    order : list of str
        The dimensions, in axis order.
    months : list of str
        The months drawn (``"YYYY-MM"``, as in ``by_month``), oldest first.
    title : str
        Chart title, drawn as given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(11, 4.6))
    x = np.arange(len(order))
    w = 0.8 / len(months)
    for k, m in enumerate(months):
        sub = by_month[by_month["month"] == m].set_index("index").reindex(order)
        shade = SERIES_COLOURS[len(months) - 1 - k] if len(months) <= 5 else PALETTE[k]
        pos = x - 0.4 + w / 2 + k * w
        ax.bar(pos, sub["score"], width=w * 0.95, color=shade, label=month(m), alpha=0.9)
        ax.errorbar(
            pos,
            sub["score"],
            yerr=np.clip([sub["score"] - sub["ci_low"], sub["ci_high"] - sub["score"]], 0, None),
            fmt="none",
            ecolor="#333333",
            elinewidth=1,
            capsize=2,
        )
    ax.set_xticks(x, [_label(o, 16) for o in order])
    ax.set_ylim(0, 100)
    ax.set_ylabel(_("Index (0-100)"))
    ax.set_title(title)
    ax.legend(title=_("Month"), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    fig.tight_layout()
    return fig


#: label positions tried in turn (offset in points, horizontal alignment)
_LABEL_SPOTS = [
    (5, 3, "left"),
    (-5, 3, "right"),
    (5, -11, "left"),
    (-5, -11, "right"),
    (6, 12, "left"),
    (-6, 12, "right"),
    (6, -20, "left"),
    (-6, -20, "right"),
]


def _ipa_labels(ax, table: pd.DataFrame, *, column: str, ymax: float, size) -> None:
    """Label the points, moving a label to another side of its point when it would overlap
    a label already placed (greedy; positions in points on an axes of ``size`` inches)."""
    w_in, h_in = size
    px = np.asarray(table["score"], float) / 100 * w_in * 72
    py = np.asarray(table["importance_pct"], float) / ymax * h_in * 72
    placed: list[tuple[float, float, float, float]] = []
    for k in np.argsort(-py, kind="mergesort"):
        text = label(table[column].iloc[k], 24)
        w, h = 5.3 * len(text) + 2, 10.0
        for dx, dy, ha in _LABEL_SPOTS:
            x0 = px[k] + dx - (w if ha == "right" else 0)
            box = (x0, py[k] + dy, x0 + w, py[k] + dy + h)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                break
        else:
            dx, dy, ha = _LABEL_SPOTS[0]
            box = (px[k] + dx, py[k] + dy, px[k] + dx + w, py[k] + dy + h)
        placed.append(box)
        ax.annotate(
            text,
            (table["score"].iloc[k], table["importance_pct"].iloc[k]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            fontsize=8.5,
            color="#333333",
        )


def ipa_chart(
    table: pd.DataFrame,
    crosshair: tuple[float, float],
    *,
    label: str = "item",
    title: str,
    crosshair_rule: str = N_("data means"),
    importance_label: str = N_("Derived importance (% of total)"),
) -> plt.Figure:
    """Importance-performance grid with the four quadrants named (Martilla & James 1977).

    ``table`` and ``crosshair`` come from :func:`cxreport.csi.ipa`.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxreport.csi.ipa`'s table: ``score`` (0-100), ``importance_pct``,
        ``quadrant`` and the column named by ``label``.
    crosshair : tuple of (float, float)
        Where the quadrant lines cross: (performance, importance in %).
    label : str, default="item"
        The column of ``table`` whose values label the points.
    title : str
        Chart title, drawn as given.
    crosshair_rule : str, default=N_("data means")
        How the cross-hairs were placed, named in the axis label (translated).
    importance_label : str, default=N_("Derived importance (% of total)")
        Vertical axis label, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cx, cy = crosshair
    fig, ax = plt.subplots(figsize=(10, 6.6))
    for q, colour in QUADRANT_COLOURS.items():
        sub = table[table["quadrant"] == q]
        if len(sub):
            ax.scatter(
                sub["score"],
                sub["importance_pct"],
                s=70,
                color=colour,
                label=_(q),
                edgecolor="white",
                zorder=3,
            )
    ymax = max(float(table["importance_pct"].max()) * 1.15, cy * 2)
    _ipa_labels(ax, table, column=label, ymax=ymax, size=(7.4, 5.6))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, ymax)
    ax.axvline(cx, color="#555555", linewidth=1)
    ax.axhline(cy, color="#555555", linewidth=1)
    kw = {"fontsize": 10, "fontweight": "bold", "alpha": 0.75}
    ax.text(2, ymax * 0.97, _("Concentrate here"), color=BAD, va="top", **kw)
    ax.text(98, ymax * 0.97, _("Keep up the good work"), color=GOOD, va="top", ha="right", **kw)
    ax.text(2, ymax * 0.02, _("Low priority"), color=NEUTRAL, va="bottom", **kw)
    ax.text(98, ymax * 0.02, _("Possible overkill"), color="#b08900", va="bottom", ha="right", **kw)
    ax.set_xlabel(
        _(
            "Performance (0-100); cross-hairs at {rule} ({x}, {y}%)",
            rule=_(crosshair_rule),
            x=f"{cx:.0f}",
            y=f"{cy:.1f}",
        )
    )
    ax.set_ylabel(_(importance_label))
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    fig.tight_layout()
    return fig


def gap5_chart(frame: pd.DataFrame, *, order: list[str], title: str) -> plt.Figure:
    """Expectation vs perception per dimension on 0-100 (the customer gap, gap 5).

    ``frame`` comes from :func:`cxreport.servqual.expectation_perception`.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``dimension``, ``expectation``, ``perception``, ``gap_100``, ``ci_low_100``,
        ``ci_high_100``.
    order : list of str
        Dimension order, top to bottom; dimensions absent from ``frame`` are skipped.
    title : str
        Chart title, drawn as given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    f = frame.set_index("dimension").reindex([o for o in order if o in set(frame.dimension)])
    fig, ax = plt.subplots(figsize=(10, 0.7 * len(f) + 1.8))
    y = np.arange(len(f))[::-1]
    for yi, (_dim, r) in zip(y, f.iterrows(), strict=True):
        colour = BAD if r["gap_100"] < 0 else GOOD
        ax.annotate(
            "",
            xy=(r["perception"], yi),
            xytext=(r["expectation"], yi),
            arrowprops={"arrowstyle": "->", "color": colour, "lw": 2},
        )
        ax.text(
            max(r["perception"], r["expectation"]) + 2,
            yi,
            _(
                "{gap} pts (CI {low} to {high})",
                gap=f"{r['gap_100']:+.1f}",
                low=f"{r['ci_low_100']:+.1f}",
                high=f"{r['ci_high_100']:+.1f}",
            ),
            va="center",
            fontsize=9,
            color=colour,
        )
    ax.scatter(
        f["expectation"],
        y,
        s=90,
        facecolor="white",
        edgecolor=ACCENT,
        linewidth=2,
        label=_("expected"),
        zorder=3,
    )
    ax.scatter(f["perception"], y, s=90, color=ACCENT, label=_("perceived"), zorder=3)
    ax.set_yticks(y, [_label(d, 20) for d in f.index])
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("Mean answer rescaled to 0-100 (arrow: from expected to perceived)"))
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=9)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def item_gap_chart(items: pd.DataFrame, *, order: list[str], title: str) -> plt.Figure:
    """P − E per item (points of the 0-100 scale) with paired 95% CIs, grouped by dimension.

    Parameters
    ----------
    items : pandas.DataFrame
        ``GapResult.items`` of :func:`cxreport.servqual.servqual_gaps`: ``item``,
        ``dimension``, ``gap_100``, ``ci_low_100``, ``ci_high_100``.
    order : list of str
        Dimension order, top to bottom.
    title : str
        Chart title, drawn as given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = items.copy()
    t["_d"] = t["dimension"].map({d: k for k, d in enumerate(order)})
    t = t.sort_values(["_d"], kind="mergesort").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(t) + 1.8))
    y = np.arange(len(t))[::-1]
    colours = np.where(t["gap_100"] < 0, BAD, GOOD)
    ax.barh(y, t["gap_100"], color=colours, alpha=0.8, height=0.65)
    ax.errorbar(
        t["gap_100"],
        y,
        xerr=[t["gap_100"] - t["ci_low_100"], t["ci_high_100"] - t["gap_100"]],
        fmt="none",
        ecolor="#333333",
        elinewidth=1,
        capsize=2,
    )
    names = [
        f"{label(i, 12)} · {_label(d, 30)}" for i, d in zip(t["item"], t["dimension"], strict=True)
    ]
    ax.set_yticks(y, names, fontsize=8.5)
    ax.axvline(0, color="#333333", linewidth=1)
    lim = max(20.0, float(np.nanmax(np.abs(np.r_[t["ci_low_100"], t["ci_high_100"]]))) * 1.1)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel(_("Gap P − E in points of the 0-100 scale (negative: below expectation)"))
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def weights_chart(weights: pd.DataFrame, *, title: str, used: str | None = None) -> plt.Figure:
    """Dimension weights (%) under each method, side by side; ``weights`` is dims × methods.
    The method ``used`` is drawn strongest (dark, outlined), the others pale: the eye goes
    to the weights the CSI is made of.

    Parameters
    ----------
    weights : pandas.DataFrame
        Dimensions (index) × weighting methods (columns), weights as fractions (0-1).
    title : str
        Chart title, drawn as given.
    used : str, optional
        The method the CSI uses (a column of ``weights``). Default: every method drawn alike.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(len(weights))
    w = 0.8 / weights.shape[1]
    others = iter(["#b9c2cf", "#d7dde5", "#9aa5b4", "#e3e7ec", "#c9ced6"])
    for k, m in enumerate(weights.columns):
        chosen = used is None or m == used
        ax.bar(
            x - 0.4 + w / 2 + k * w,
            100 * weights[m],
            width=w * 0.95,
            color=(ACCENT if used is not None else SERIES_COLOURS[k % len(SERIES_COLOURS)])
            if chosen
            else next(others, MUTED),
            edgecolor="black" if used is not None and chosen else "none",
            linewidth=0.8,
            label=label(_(WEIGHT_NAMES.get(m, m)))
            + (_(" (used)") if used is not None and chosen else ""),
        )
    ax.set_xticks(x, [_label(d, 16) for d in weights.index])
    ax.set_ylabel(_("Weight in the CSI (%)"))
    ax.set_ylim(0, max(50.0, float(100 * weights.to_numpy().max()) * 1.15))
    ax.set_title(title)
    ax.legend(title=_("Weights"), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    fig.tight_layout()
    return fig
