"""Segmentation charts: RFM scores and value shares, the k sweep, the cluster map, the profile
heat-map and the month-to-month migration. Every function takes results from
:mod:`cxreport.segments` / :mod:`cxreport.rfm` and returns a matplotlib Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import N_, _
from ..segments import shown
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, PALETTE, label


def _colours(n: int) -> list[str]:
    base = PALETTE + ["#577590", "#f9844a", "#90be6d", "#277da1"]
    return [base[i % len(base)] for i in range(n)]


def share_bars(
    frame: pd.DataFrame,
    *,
    title: str = N_("Share of customers and of value by segment"),
    value_label: str = N_("net value"),
) -> Figure:
    """Paired horizontal bars: each segment's share of customers and of net value (%).

    ``frame`` has the segment names as index (or a ``segment`` column) and columns ``share``
    and ``revenue_share`` (fractions), as :func:`cxreport.rfm.rfm_scores` ``.summary`` and
    :func:`cxreport.segments.profile` give them. When ``revenue_share`` is missing for every
    segment (customer attributes without a value column) only the customer shares are drawn.
    ``value_label`` names the value bars.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per segment, as above.
    title : str, default=N_("Share of customers and of value by segment")
        Chart title, translated into the report's language.
    value_label : str, default=N_("net value")
        Legend entry of the value bars, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    f = frame.set_index("segment") if "segment" in frame else frame
    names = [label(shown(s)) for s in f.index]
    y = np.arange(len(f))
    has_value = "revenue_share" in f and f["revenue_share"].notna().any()
    h = 0.38 if has_value else 0.6
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(f) + 1.6))
    a = 100 * f["share"].to_numpy(float)
    b = 100 * f["revenue_share"].fillna(0).to_numpy(float) if has_value else a[:0]
    off = h / 2 if has_value else 0.0
    ax.barh(y - off, a, h, color=NEUTRAL, label=_("customers"))
    if has_value:
        ax.barh(y + off, b, h, color=ACCENT, label=label(_(value_label)))
    top = max(np.nanmax(np.append(a, b)), 1.0)
    for yi, va in zip(y, a, strict=True):
        ax.text(va + top * 0.01, yi - off, f"{va:.1f}%", va="center", fontsize=8.5)
    for yi, vb in zip(y, b, strict=False):
        ax.text(vb + top * 0.01, yi + off, f"{vb:.1f}%", va="center", fontsize=8.5)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, min(100, top * 1.15 + 2))
    ax.set_xlabel(_("share (%)"))
    ax.set_title(_(title))
    ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def rfm_score_bars(bins: pd.DataFrame, *, levels: int = 5) -> Figure:
    """Customers per score level for R, F and M (``RFMResult.bins``), value ranges on top.

    A level with no bar is one that ties made unreachable (its customers share a value with
    the level below or above).

    Parameters
    ----------
    bins : pandas.DataFrame
        ``RFMResult.bins`` (:func:`cxreport.rfm.rfm_scores`): ``variable``, ``score``,
        ``low``, ``high``, ``customers``, ``share``.
    levels : int, default=5
        Score levels per variable (the ``bins`` the scores were made with).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    titles = {
        "recency": _("R: recency (days)"),
        "frequency": _("F: purchase days"),
        "monetary": _("M: net value"),
    }
    for ax, var in zip(axes, ("recency", "frequency", "monetary"), strict=True):
        b = bins[bins["variable"] == var].set_index("score").reindex(range(1, levels + 1))
        share = 100 * b["share"].fillna(0)
        ax.bar(b.index, share, color=ACCENT, width=0.7)
        for s, row in b.iterrows():
            if pd.isna(row["customers"]):
                ax.text(s, 1, _("none\n(ties)"), ha="center", va="bottom", fontsize=8, color=BAD)
                continue
            lo, hi = row["low"], row["high"]
            rng = f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}–{hi:,.0f}"
            ax.text(s, 100 * row["share"] + 1, rng, ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(range(1, levels + 1))
        ax.set_xlabel(_("score (higher = better)"))
        ax.set_title(titles[var], fontsize=11)
    axes[0].set_ylabel(_("customers (%)"))
    top = 100 * bins["share"].max()
    axes[0].set_ylim(0, max(30, top * 1.2))
    fig.suptitle(
        _("RFM score levels: share of customers and the values each score covers"),
        x=0.01,
        ha="left",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    return fig


def k_sweep(table: pd.DataFrame, k: int, *, min_jaccard: float = 0.75) -> Figure:
    """Silhouette, Calinski–Harabasz, Davies–Bouldin and bootstrap stability against k.

    ``table`` is ``Sweep.table``; the chosen ``k`` is marked in every panel.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per k (index): ``silhouette``, ``silhouette_sd``, ``calinski_harabasz``,
        ``davies_bouldin``, ``stability_ari``, ``min_jaccard``.
    k : int
        The chosen number of segments.
    min_jaccard : float, default=0.75
        The stability threshold, drawn as a line in the stability panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = table.sort_index()
    ks = t.index.to_numpy()
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
    panels = [
        ("silhouette", _("Silhouette (higher = better)"), (min(0, t["silhouette"].min()), 1)),
        ("calinski_harabasz", _("Calinski–Harabasz (higher = better)"), None),
        ("davies_bouldin", _("Davies–Bouldin (lower = better)"), None),
    ]
    for ax, (col, title, lim) in zip(axes[:3], panels, strict=False):
        y = t[col].to_numpy(float)
        if col == "silhouette" and "silhouette_sd" in t and t["silhouette_sd"].max() > 0:
            ax.errorbar(ks, y, yerr=t["silhouette_sd"], fmt="o-", color=ACCENT, capsize=3)
        else:
            ax.plot(ks, y, "o-", color=ACCENT)
        if lim is not None:
            ax.set_ylim(*lim)
        else:
            ax.set_ylim(0, np.nanmax(y) * 1.15)
        ax.set_title(title, fontsize=10.5)
    ax = axes[3]
    if t["min_jaccard"].notna().any():
        ax.plot(ks, t["stability_ari"], "o-", color=ACCENT, label=_("mean ARI"))
        ax.plot(ks, t["min_jaccard"], "s--", color=GOOD, label=_("worst cluster Jaccard"))
        ax.axhline(
            min_jaccard,
            color=BAD,
            lw=1,
            ls=":",
            label=_("stable ≥ {jaccard}", jaccard=f"{min_jaccard:.2f}"),
        )
        ax.legend(fontsize=8, loc="lower left")
    else:
        ax.text(0.5, 0.5, _("stability not computed"), ha="center", transform=ax.transAxes)
    ax.set_ylim(0, 1.02)
    ax.set_title(_("Bootstrap stability (higher = better)"), fontsize=10.5)
    for a in axes:
        a.axvline(k, color=BAD, alpha=0.35, lw=6, zorder=0)
        a.set_xticks(ks)
        a.set_xlabel(_("number of segments k"))
    fig.suptitle(
        _("Choosing the number of segments (chosen: k = {k}, shaded)", k=k),
        x=0.01,
        ha="left",
        fontsize=13,
        fontweight="bold",
    )
    fig.tight_layout()
    return fig


def cluster_map(proj) -> Figure:
    """Customers on the first two principal components, coloured by segment, with centres.

    ``proj`` is :func:`cxreport.segments.projection`; axis labels give the variance share and
    the features that load most on each axis.

    Parameters
    ----------
    proj : Projection
        The customers' points (``pc1``, ``pc2``, ``cluster``, ``segment``), the segment
        centres, the variance shares, the loadings and the number of customers in all.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = proj.points
    order = p.drop_duplicates("cluster").sort_values("cluster")
    cols = _colours(len(order))
    fig, ax = plt.subplots(figsize=(9, 6))
    for (c, name), col in zip(
        zip(order["cluster"], order["segment"], strict=True), cols, strict=True
    ):
        q = p[p["cluster"] == c]
        ax.scatter(q["pc1"], q["pc2"], s=8, alpha=0.5, color=col, lw=0)
        ax.scatter(
            [],
            [],
            s=40,
            color=col,
            label=_("{segment} ({n} shown)", segment=label(shown(name)), n=f"{len(q):,}"),
        )
        cx, cy = proj.centers[c]
        ax.scatter([cx], [cy], s=160, marker="X", color=col, edgecolor="black", lw=1, zorder=5)

    def axis_label(i):
        """The label of principal component ``i``: its variance share and the two features
        that load most on it, with their signs.

        Parameters
        ----------
        i : int
            The component, 0 or 1.

        Returns
        -------
        str
        """
        ld = proj.loadings.iloc[:, i]
        top = ld.abs().sort_values(ascending=False, kind="stable").index[:2]
        parts = ", ".join(f"{'+' if ld[f] > 0 else '−'}{label(f, 24)}" for f in top)
        return _(
            "component {i} ({share}% of variance: {features})",
            i=i + 1,
            share=f"{100 * proj.explained[i]:.0f}",
            features=parts,
        )

    ax.set_xlabel(axis_label(0))
    ax.set_ylabel(axis_label(1))
    n_shown = len(p)
    title = _("Segments on the two main axes of the customer features")
    if n_shown < proj.n_total:
        sub = _(
            "{n} of {total} customers shown; X = segment centre",
            n=f"{n_shown:,}",
            total=f"{proj.n_total:,}",
        )
    else:
        sub = _("X = segment centre")
    ax.set_title(f"{title}\n{sub}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    fig.tight_layout()
    return fig


PROFILE_COLUMNS = {
    "share": (N_("customers"), "{:.0%}"),
    "revenue_share": (N_("value share"), "{:.0%}"),
    "recency": (N_("recency (days)"), "{:,.0f}"),
    "frequency": (N_("purchase days"), "{:,.0f}"),
    "purchase_rate": (N_("purchases / month"), "{:.2f}"),
    "avg_basket": (N_("avg basket"), "{:,.0f}"),
    "monthly_value": (N_("value / month"), "{:,.0f}"),
    "tenure": (N_("tenure (days)"), "{:,.0f}"),
    "nps": ("NPS", "{:+.0f}"),
    "complaint_rate": (N_("with complaint"), "{:.0%}"),
    "failed_mot_rate": (N_("with failed MoT"), "{:.0%}"),
    "churn_rate": (N_("churned this month"), "{:.1%}"),
    "churn_flag_rate": (N_("flagged churned"), "{:.0%}"),
}


def _number(v: float) -> str:
    """A median of a customer attribute, whatever its scale."""
    a = abs(v)
    if a >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.2f}" if a < 10 else f"{v:.1f}"


def profile_heatmap(prof: pd.DataFrame, *, attributes=()) -> Figure:
    """Segments x profile measures; cells show the value, colour its rank among segments.

    Colour is per column, from the lowest (light) to the highest (dark) segment, so it shows
    where each segment stands, not whether that is good: low recency and low complaint rates
    are the good ones. ``prof`` is ``SegmentResult.profile`` (medians, rates, shares);
    ``attributes`` are its columns of customer-attribute medians
    (``SegmentResult.attribute_columns``), shown after the shares.

    Parameters
    ----------
    prof : pandas.DataFrame
        One row per segment: ``segment`` and the measures of :data:`PROFILE_COLUMNS` it
        has (columns without a value are left out).
    attributes : sequence of str, default=()
        Its columns of customer-attribute medians; those absent from ``prof`` are skipped.

    Returns
    -------
    matplotlib.figure.Figure
    """
    known = [c for c in PROFILE_COLUMNS if c in prof and prof[c].notna().any()]
    lead = [c for c in known if c in ("share", "revenue_share")]
    attrs = [c for c in attributes if c in prof and c not in PROFILE_COLUMNS]
    cols = lead + attrs + [c for c in known if c not in lead]
    labels = {c: (label(c, 24), _number) for c in attrs}
    for c in known:
        name, fmt = PROFILE_COLUMNS[c]
        labels[c] = (_(name), fmt.format)
    vals = prof[cols].astype(float)
    span = (vals.max() - vals.min()).replace(0, np.nan)
    colour = ((vals - vals.min()) / span).fillna(0.5)
    width = 0.85 * len(cols) + 2.5
    if attrs:  # few columns beside long segment names: room for the title
        width = max(width, 11.0)
    fig, ax = plt.subplots(figsize=(width, 0.55 * len(prof) + 2.0))
    ax.imshow(colour.to_numpy(), cmap="Blues", vmin=-0.15, vmax=1.15, aspect="auto")
    for i in range(len(prof)):
        for j, c in enumerate(cols):
            v = vals.iloc[i, j]
            txt = "–" if pd.isna(v) else labels[c][1](v)
            dark = colour.iloc[i, j] > 0.6
            ax.text(
                j, i, txt, ha="center", va="center", fontsize=9, color="white" if dark else "black"
            )
    ax.set_xticks(range(len(cols)), [labels[c][0] for c in cols], rotation=35, ha="right")
    ax.set_yticks(range(len(prof)), [label(shown(s)) for s in prof["segment"]])
    ax.grid(False)
    ax.set_title(_("Segment profiles (medians; rates are shares of the segment's customers)"))
    fig.tight_layout()
    return fig


def migration_heatmap(mig) -> Figure:
    """Customers by last month's segment (rows) and this month's (columns).

    Cells give the count and, in brackets, the share of the row; the diagonal (stayed) is
    outlined. ``mig`` is :func:`cxreport.segments.migration`.

    Parameters
    ----------
    mig : Migration
        Uses its ``matrix``, ``moved_share`` and ``n_both``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    m = mig.matrix
    row_tot = m.sum(axis=1).replace(0, np.nan)
    pct = m.div(row_tot, axis=0)
    fig, ax = plt.subplots(figsize=(1.5 * m.shape[1] + 3.5, 0.65 * m.shape[0] + 2.2))
    ax.imshow(pct.fillna(0).to_numpy(), cmap="Blues", vmin=0, vmax=1.1, aspect="auto")
    for i, r in enumerate(m.index):
        for j, c in enumerate(m.columns):
            n, p = m.iloc[i, j], pct.iloc[i, j]
            txt = "·" if n == 0 else f"{n:,}" + ("" if pd.isna(p) else f"\n({p:.0%})")
            ax.text(
                j,
                i,
                txt,
                ha="center",
                va="center",
                fontsize=8.5,
                color="white" if (p or 0) > 0.6 else "black",
            )
            if r == c:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec=ACCENT, lw=2))
    ax.set_xticks(range(m.shape[1]), [label(shown(c)) for c in m.columns], rotation=30, ha="right")
    ax.set_yticks(range(m.shape[0]), [label(shown(r)) for r in m.index])
    ax.set_xlabel(_("segment this month"))
    ax.set_ylabel(_("segment last month"))
    ax.grid(False)
    ax.set_title(
        _(
            "Migration between segments: {share} of the {n} customers segmented in both "
            "months moved",
            share=f"{mig.moved_share:.1%}",
            n=f"{mig.n_both:,}",
        )
    )
    fig.tight_layout()
    return fig


def value_change(flows: pd.DataFrame, *, currency: str = "") -> Figure:
    """Net value in the month per segment, last month against this month (grouped bars).

    Parameters
    ----------
    flows : pandas.DataFrame
        ``Migration.flows`` (:func:`cxreport.segments.migration`), indexed by segment:
        ``value_before``, ``value_now``, ``value_change`` and ``change`` (customers);
        segments without value in either month are left out.
    currency : str, default=""
        Currency named in the axis label (none when empty).

    Returns
    -------
    matplotlib.figure.Figure
    """
    f = flows[(flows["value_before"] != 0) | (flows["value_now"] != 0)]
    y = np.arange(len(f))
    h = 0.38
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(f) + 1.6))
    ax.barh(y - h / 2, f["value_before"], h, color=MUTED, label=_("last month"))
    ax.barh(y + h / 2, f["value_now"], h, color=ACCENT, label=_("this month"))
    top = float(np.nanmax(np.append(f[["value_before", "value_now"]].to_numpy(float), 1.0)))
    for yi, (_i, r) in zip(y, f.iterrows(), strict=True):
        d = r["value_change"]
        ax.text(
            max(r["value_before"], r["value_now"]) + top * 0.01,
            yi,
            _(
                "{change} ({customers} customers)",
                change=f"{d:+,.0f}",
                customers=f"{int(r['change']):+,}",
            ),
            va="center",
            fontsize=8.5,
            color=GOOD if d > 0 else BAD if d < 0 else NEUTRAL,
        )
    ax.set_yticks(y, [label(shown(s)) for s in f.index])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel(
        _("net value in the month ({currency})", currency=label(currency, 16))
        if currency
        else _("net value in the month")
    )
    ax.set_title(_("Segments gaining or losing value"))
    ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
