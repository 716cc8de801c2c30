"""Charts of the SWOT notebook: SWOT quadrant, IFE/EFE bars, IE matrix, TOWS grid and the
customer-orientation self-assessment (radar small multiples plus a dot plot on 0-100).

Every function takes results from :mod:`cxreport.swot` / :mod:`cxreport.orientation` and
returns a matplotlib Figure; none computes statistics.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..i18n import N_, _
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, PALETTE, cjk_fonts, label, notes_html  # noqa: F401

KIND_COLOURS = {"S": GOOD, "W": BAD, "O": "#2c7fb8", "T": "#f4a261"}
KIND_TITLES = {
    "S": N_("Strengths"),
    "W": N_("Weaknesses"),
    "O": N_("Opportunities"),
    "T": N_("Threats"),
}
_SINGULAR = {"S": N_("strength"), "W": N_("weakness"), "O": N_("opportunity"), "T": N_("threat")}
POSTURE_COLOURS = {"grow and build": GOOD, "hold and maintain": "#e9c46a", "harvest or divest": BAD}


def cjk_font() -> str | None:
    """Name of a font that can draw Chinese labels (registered with matplotlib), or None.

    Returns
    -------
    str or None
        The first of :func:`cxreport.viz.cjk_fonts`, None when there is none.
    """
    return next(iter(cjk_fonts()), None)


def swot_quadrant(scores, *, title: str = N_("SWOT factors, weighted")) -> plt.Figure:
    """Four panels (S, W / O, T), one bar per factor: its weight within its matrix.

    Bar length = weight (fixed 0 – max(0.4, largest weight) scale in every panel); the label
    gives the rating and the weighted score.

    Parameters
    ----------
    scores : SwotScores
        :func:`cxreport.swot.score_factors`; uses its ``table`` (``kind``, ``factor``,
        ``weight``, ``rating``, ``weighted_score``) and ``weights_from``.
    title : str, default=N_("SWOT factors, weighted")
        Figure title, translated into the report's language (the weights' source is added).

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = scores.table
    xmax = max(0.4, float(t["weight"].max()) * 1.15)
    n_max = max(1, int(t["kind"].value_counts().max()))
    fig, axes = plt.subplots(2, 2, figsize=(13, 2.2 + 1.05 * n_max * 2), sharex=True)
    for ax, k in zip(axes.ravel(), ("S", "W", "O", "T"), strict=True):
        sub = t[t["kind"] == k].sort_values("weight", kind="stable")
        y = np.arange(len(sub))
        ax.barh(y, sub["weight"], color=KIND_COLOURS[k], alpha=0.85, height=0.6)
        ax.set_yticks(y, [label(f, 34, lines=2) for f in sub["factor"]], fontsize=9)
        for yi, w, r, ws in zip(
            y, sub["weight"], sub["rating"], sub["weighted_score"], strict=True
        ):
            ax.text(
                w + xmax * 0.01,
                yi,
                _("w {w} × r {r} = {score}", w=f"{w:.2f}", r=r, score=f"{ws:.2f}"),
                va="center",
                fontsize=8.5,
                color=ACCENT,
            )
        matrix = "IFE" if k in "SW" else "EFE"
        ax.set_title(f"{_(KIND_TITLES[k])} ({matrix})", color=KIND_COLOURS[k], fontsize=12)
        ax.set_xlim(0, xmax)
        ax.set_ylim(len(sub) - n_max - 0.6, len(sub) - 0.4)  # bars at the top of each panel
        if not len(sub):
            ax.text(0.5, 0.5, _("no factors"), transform=ax.transAxes, ha="center", color=NEUTRAL)
        ax.grid(axis="y", visible=False)
    for ax in axes[1]:
        ax.set_xlabel(_("weight within its matrix (IFE: S + W = 1; EFE: O + T = 1)"))
    source = _("weights from AHP") if scores.weights_from == "ahp" else _("weights from the table")
    fig.suptitle(
        f"{_(title)} ({source})",
        x=0.01,
        ha="left",
        fontweight="bold",
        fontsize=13,
    )
    fig.tight_layout()
    return fig


def ife_efe_bars(scores) -> plt.Figure:
    """Left: each factor's weighted score; right: the IFE and EFE totals against 2.5.

    Parameters
    ----------
    scores : SwotScores
        :func:`cxreport.swot.score_factors`; uses its ``table`` (``kind``, ``factor``,
        ``weighted_score``), ``ife_total`` and ``efe_total``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = scores.table
    fig, (a1, a2) = plt.subplots(
        1, 2, figsize=(13, 0.42 * len(t) + 2.2), gridspec_kw={"width_ratios": [2.2, 1]}
    )
    t = t.iloc[::-1]
    y = np.arange(len(t))
    a1.barh(y, t["weighted_score"], color=[KIND_COLOURS[k] for k in t["kind"]], height=0.65)
    a1.set_yticks(
        y,
        [f"{k} · {label(f, 44, lines=2)}" for k, f in zip(t["kind"], t["factor"], strict=True)],
        fontsize=8.5,
    )
    xmax = max(1.0, float(t["weighted_score"].max()) * 1.2)
    for yi, v in zip(y, t["weighted_score"], strict=True):
        a1.text(v + xmax * 0.01, yi, f"{v:.2f}", va="center", fontsize=8.5)
    a1.set_xlim(0, xmax)
    a1.set_xlabel(_("weighted score = weight × rating"))
    a1.set_title(_("Contribution of each factor"))
    a1.grid(axis="y", visible=False)
    totals = [
        (_("IFE\n(strengths +\nweaknesses)"), scores.ife_total),
        (_("EFE\n(opportunities +\nthreats)"), scores.efe_total),
    ]
    yy = np.arange(2)[::-1]
    cols = [GOOD if v > 2.5 else BAD if v < 2.5 else NEUTRAL for _lab, v in totals]
    a2.barh(yy, [v for _lab, v in totals], color=cols, height=0.55)
    a2.axvline(2.5, color=ACCENT, ls="--", lw=1.5)
    a2.text(2.5, 1.45, " " + _("midpoint 2.5"), color=ACCENT, fontsize=9, va="bottom")
    for yi, (_lab, v) in zip(yy, totals, strict=True):
        a2.text(v + 0.05, yi, f"{v:.2f}", va="center", fontweight="bold")
    a2.set_yticks(yy, [lab for lab, _v in totals])
    a2.set_xlim(0, 4)
    a2.set_ylim(-0.6, 1.9)
    a2.set_xticks([0, 1, 2, 3, 4])  # 2.5 is labelled on its line
    a2.set_xlabel(_("total weighted score (possible range 1–4)"))
    a2.axvspan(0, 1, color=MUTED, alpha=0.35, lw=0, zorder=0)
    a2.text(0.5, -0.5, _("below the\npossible range"), ha="center", fontsize=7.5, color=NEUTRAL)
    a2.set_title(_("IFE and EFE totals"))
    a2.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def ie_matrix(position) -> plt.Figure:
    """The 3 × 3 Internal-External matrix (David) with the company's position.

    x = IFE total from 4 (strong, left) to 1 (weak, right); y = EFE total from 1 (low, bottom)
    to 4 (high, top). Cells are coloured by posture.

    Parameters
    ----------
    position : IEPosition
        :func:`cxreport.swot.ie_position`: ``ife_total``, ``efe_total``, ``cell`` and
        ``posture``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..swot import _CELLS, POSTURES

    fig, ax = plt.subplots(figsize=(7.5, 6.6))
    edges = [(3.0, 4.0), (2.0, 3.0), (1.0, 2.0)]  # strong/high first
    for r, (ylo, yhi) in enumerate(edges):
        for c, (xlo, xhi) in enumerate(edges):
            cell = _CELLS[r][c]
            posture = POSTURES[cell]
            ax.add_patch(
                Rectangle(
                    (xlo, ylo),
                    xhi - xlo,
                    yhi - ylo,
                    facecolor=POSTURE_COLOURS[posture],
                    alpha=0.28,
                    edgecolor="white",
                    lw=3,
                )
            )
            ax.text(
                (xlo + xhi) / 2,
                yhi - 0.12,
                cell,
                ha="center",
                va="top",
                fontsize=14,
                fontweight="bold",
                color=ACCENT,
            )
            ax.text(
                (xlo + xhi) / 2,
                ylo + 0.1,
                _(posture),
                ha="center",
                va="bottom",
                fontsize=8.5,
                color=ACCENT,
            )
    ax.set_xlim(4, 1)
    ax.set_ylim(1, 4)
    ax.set_xticks([4, 3, 2, 1])
    ax.set_yticks([1, 2, 3, 4])
    ax.grid(False)
    ax.scatter(
        [position.ife_total],
        [position.efe_total],
        s=180,
        color=ACCENT,
        zorder=5,
        edgecolor="white",
        lw=2,
    )
    ax.annotate(
        _("Company"),
        (position.ife_total, position.efe_total),
        xytext=(10, -16),
        textcoords="offset points",
        fontsize=10,
        fontweight="bold",
        color=ACCENT,
    )
    ax.set_xlabel(
        _("IFE total weighted score  (strong 3.0–4.0 | average 2.0–2.99 | weak 1.0–1.99)"),
        fontsize=9.5,
    )
    ax.set_ylabel(
        _("EFE total weighted score\n(low 1.0–1.99 | medium | high 3.0–4.0)"), fontsize=9.5
    )
    ax.set_title(
        _(
            "Internal-External (IE) matrix: cell {cell}, {posture}\n(IFE {ife}, EFE {efe})",
            cell=position.cell,
            posture=_(position.posture),
            ife=f"{position.ife_total:.2f}",
            efe=f"{position.efe_total:.2f}",
        ),
        fontsize=12,
    )
    for s in ax.spines.values():
        s.set_visible(False)
    fig.tight_layout()
    return fig


def tows_grid(tows) -> plt.Figure:
    """The TOWS matrix as a workshop sheet: top factors on the edges, prompts in the cells.

    Parameters
    ----------
    tows : Tows
        :func:`cxreport.swot.tows_matrix`; uses its ``top`` (``kind``, ``code``, ``factor``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..swot import TOWS_CELLS

    top = tows.top

    def lst(k):
        """The top factors of one kind, one ``code: factor`` per line (each bounded).

        Parameters
        ----------
        k : str
            The kind: ``"S"``, ``"W"``, ``"O"`` or ``"T"``.

        Returns
        -------
        str
        """
        t = top[top["kind"] == k]
        return "\n".join(
            label(f"{c}: {f}", 42, lines=2) for c, f in zip(t["code"], t["factor"], strict=True)
        )

    fig, ax = plt.subplots(figsize=(13, 7.5))
    ax.set_axis_off()
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    boxes = {
        (1, 2): (_("Strengths (S)") + "\n" + lst("S"), KIND_COLOURS["S"]),
        (2, 2): (_("Weaknesses (W)") + "\n" + lst("W"), KIND_COLOURS["W"]),
        (0, 1): (_("Opportunities (O)") + "\n" + lst("O"), KIND_COLOURS["O"]),
        (0, 0): (_("Threats (T)") + "\n" + lst("T"), KIND_COLOURS["T"]),
    }
    for (cx, cy), (text, col) in boxes.items():
        ax.add_patch(
            Rectangle((cx + 0.02, cy + 0.02), 0.96, 0.96, facecolor=col, alpha=0.15, edgecolor=col)
        )
        ax.text(cx + 0.06, cy + 0.94, text, va="top", ha="left", fontsize=8.8)
    for (cx, cy), key in {(1, 1): "SO", (2, 1): "WO", (1, 0): "ST", (2, 0): "WT"}.items():
        ax.add_patch(
            Rectangle(
                (cx + 0.02, cy + 0.02), 0.96, 0.96, facecolor="white", edgecolor=ACCENT, lw=1.2
            )
        )
        codes = (
            ", ".join(top.loc[top["kind"] == key[0], "code"])
            + " × "
            + ", ".join(top.loc[top["kind"] == key[1], "code"])
        )
        ax.text(
            cx + 0.06,
            cy + 0.94,
            _("{cell} strategies", cell=key) + "\n",
            va="top",
            fontsize=11,
            fontweight="bold",
            color=ACCENT,
        )
        ax.text(
            cx + 0.06,
            cy + 0.82,
            label(_(TOWS_CELLS[key]).capitalize(), 40, lines=2) + f"\n({codes})",
            va="top",
            fontsize=9,
            color=ACCENT,
        )
        ax.text(
            cx + 0.06,
            cy + 0.1,
            _("write strategies here …"),
            fontsize=8.5,
            color=NEUTRAL,
            style="italic",
        )
    ax.text(
        0.06,
        2.55,
        _("TOWS matrix\n(Weihrich 1982)"),
        fontsize=13,
        fontweight="bold",
        color=ACCENT,
        va="top",
    )
    fig.tight_layout()
    return fig


def _radar_axes(ax, labels, *, fontsize=8):
    n = len(labels)
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ticks = [label(lab, 16, lines=2) for lab in labels]
    ax.set_thetagrids(np.degrees(theta), ticks, fontsize=fontsize)
    ax.set_ylim(0, 100)
    ax.set_rgrids([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=7, color=NEUTRAL)
    ax.set_rlabel_position(180 / n)
    for lab in ax.get_yticklabels():  # keep the scale legible where a profile crosses it
        lab.set_bbox({"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.6})
    ax.set_axisbelow(False)  # scale labels above the profiles (grid lines are light)
    return theta


def orientation_radar(scores, *, title: str | None = None) -> plt.Figure:
    """Small multiples: one radar per department (solid) against the company (dashed).

    Fixed 0–100 scale starting at 0, the item bank's category order on every chart, closed
    polygons.

    Parameters
    ----------
    scores : OrientationScores
        :func:`cxreport.orientation.score_self_assessment`; uses ``wide()``,
        ``departments``, ``by_unit`` (``n_respondents``) and ``method_label``.
    title : str, optional
        Figure title, drawn as given. Default: "Customer orientation by department, <method>",
        translated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    wide = scores.wide()
    labels = list(wide.index)
    depts = scores.departments
    ncol = min(3, max(1, len(depts)))
    nrow = int(np.ceil(len(depts) / ncol)) or 1
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(4.6 * ncol, 4.4 * nrow),
        subplot_kw={"projection": "polar"},
        squeeze=False,
    )
    comp = wide["Company"].to_numpy()
    for i, ax in enumerate(axes.ravel()):
        if i >= len(depts):
            ax.set_visible(False)
            continue
        d = depts[i]
        theta = _radar_axes(ax, labels, fontsize=7)
        th = np.r_[theta, theta[:1]]
        v = wide[d].to_numpy()
        ax.plot(th, np.r_[comp, comp[:1]], color=ACCENT, ls="--", lw=1.3, label=_("Company"))
        ax.plot(th, np.r_[v, v[:1]], color=PALETTE[1], lw=2)
        ax.fill(th, np.r_[v, v[:1]], color=PALETTE[1], alpha=0.15)
        n = int(scores.by_unit.loc[scores.by_unit["unit"] == d, "n_respondents"].iloc[0])
        ax.set_title(
            f"{label(_(d) if d == 'Company' else d)} (n = {n})", fontsize=11, pad=18, loc="center"
        )
    h, lab = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        h[:1] + [plt.Line2D([], [], color=PALETTE[1], lw=2)],
        [_("Company (all respondents)"), _("Department")],
        loc="lower right",
        fontsize=9,
    )
    fig.suptitle(
        title or _("Customer orientation by department, {method}", method=scores.method_label),
        x=0.01,
        ha="left",
        fontweight="bold",
        fontsize=12,
    )
    fig.tight_layout()
    return fig


def orientation_dotplot(scores) -> plt.Figure:
    """Companion to the radar: every category on one 0–100 axis, a dot per department and the
    company with its 95 % interval (t across respondents).

    Parameters
    ----------
    scores : OrientationScores
        :func:`cxreport.orientation.score_self_assessment`; uses ``by_category`` (``unit``,
        ``category_label``, ``score``, ``ci_low``, ``ci_high``), ``departments``, ``method``
        and ``method_label``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    bc = scores.by_category
    labels = list(dict.fromkeys(bc["category_label"]))
    depts = scores.departments
    fig, ax = plt.subplots(figsize=(11, 0.75 * len(labels) + 1.8))
    y = np.arange(len(labels))[::-1]
    pos = dict(zip(labels, y, strict=True))
    offs = np.linspace(-0.25, 0.25, max(1, len(depts)))
    for j, d in enumerate(depts):
        sub = bc[bc["unit"] == d]
        ax.scatter(
            sub["score"],
            [pos[c] + offs[j] for c in sub["category_label"]],
            s=34,
            color=PALETTE[(j + 1) % len(PALETTE)],
            label=label(d),
            zorder=3,
        )
    comp = bc[bc["unit"] == "Company"]
    cy = [pos[c] for c in comp["category_label"]]
    ax.errorbar(
        comp["score"],
        cy,
        xerr=[comp["score"] - comp["ci_low"], comp["ci_high"] - comp["score"]],
        fmt="D",
        color="black",
        ms=8,
        capsize=4,
        lw=1.5,
        zorder=4,
        label=_("Company (95 % CI)"),
    )
    for x, yy in zip(comp["score"], cy, strict=True):
        ax.text(x, yy + 0.33, f"{x:.0f}", ha="center", fontsize=8.5, fontweight="bold")
    ax.set_yticks(y, [label(lab, 30, lines=2) for lab in labels])
    ax.set_xlim(0, 100)
    floor = 20 if scores.method == "pct_max" else 0
    if floor:
        ax.axvspan(0, floor, color=MUTED, alpha=0.3, lw=0)
        ax.text(
            floor / 2,
            y.max() + 0.55,
            _("below the\nfloor (all 1s)"),
            ha="center",
            fontsize=7.5,
            color=NEUTRAL,
            va="bottom",
        )
    ax.set_ylim(-0.7, len(labels) - 0.1)
    ax.set_xlabel(_("score, {method}", method=scores.method_label))
    ax.set_title(_("Customer orientation by category: departments and company"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def trend_tests(trends, *, alpha: float = 0.05) -> plt.Figure:
    """Trend tests of the data-suggested factors on one common scale: the z statistic of each
    change (recent months against the months before), coloured by what it suggests.

    Bars beyond the dashed ±1.96 lines are unusual one by one; only the ones marked O or T
    stay meaningful after the Holm adjustment over all tests.

    Parameters
    ----------
    trends : pandas.DataFrame
        ``DataSuggestions.trends`` (:func:`cxreport.swot_evidence.suggest_factors`):
        ``series``, ``unit``, ``change``, ``z`` and ``kind`` (O, T, or empty when not
        meaningful).
    alpha : float, default=0.05
        The family-wise level the trends were tested at, named in the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = trends.iloc[::-1]
    fig, ax = plt.subplots(figsize=(12, 0.5 * max(len(t), 2) + 1.8))
    if not len(t):
        ax.text(0.5, 0.5, _("no trend could be tested"), ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    y = np.arange(len(t))
    cols = [KIND_COLOURS[k] if k in KIND_COLOURS else MUTED for k in t["kind"].fillna("")]
    ax.barh(y, t["z"], color=cols, height=0.6)
    lim = max(4.0, float(np.nanmax(np.abs(t["z"]))) * 1.25)
    # the change in its own unit, in a column right of the plot: never on top of a bar or label
    for yi, k, ch, unit in zip(y, t["kind"].fillna(""), t["change"], t["unit"], strict=True):
        tag = f"{ch:+.1f} {unit}" + (f"  → {_(_SINGULAR[k])}" if k else "")
        ax.text(
            1.02,
            yi,
            tag,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=8.5,
            color=KIND_COLOURS.get(k, ACCENT) if k else ACCENT,
            fontweight="bold" if k else "normal",
        )
    ax.set_yticks(y, [label(s, 40, lines=2) for s in t["series"]], fontsize=9)
    ax.axvline(0, color=ACCENT, lw=1)
    for v in (-1.96, 1.96):
        ax.axvline(v, color=NEUTRAL, ls="--", lw=1)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel(_("z statistic of the change (recent months − months before; ±1.96 dashed)"))
    ax.set_title(
        _(
            "Trend tests behind the suggested opportunities and threats "
            "(coloured = meaningful after Holm, α = {alpha})",
            alpha=f"{alpha:g}",
        ),
        fontsize=11,
    )
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def evidence_table(factors):
    """Data-suggested factors as a left-aligned, HTML-escaped table (kind, source, factor,
    evidence), one colour per kind.

    Parameters
    ----------
    factors : pandas.DataFrame
        ``DataSuggestions.factors`` (:func:`cxreport.swot_evidence.suggest_factors`):
        ``kind``, ``source``, ``factor``, ``evidence`` (other columns are not shown).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    cols = ["kind", "source", "factor", "evidence"]
    t = factors[cols].reset_index(drop=True)
    return (
        t.style.format(escape="html")
        .hide(axis="index")
        .set_properties(**{"text-align": "left", "vertical-align": "top"})
        .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
        .map(lambda k: f"color:{KIND_COLOURS.get(k, ACCENT)};font-weight:bold", subset=["kind"])
    )
