"""Charts for the churn report: validation, calibration, gains, profit, reasons, breakdowns.

Each function takes results from :mod:`cxreport.churn` / :mod:`cxreport.churn_eval` and
returns a matplotlib Figure; none computes statistics of its own.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import N_, _
from ..segments import shown
from . import ACCENT, BAD, GOOD, MUTED, NEUTRAL, label

__all__ = [
    "gains_chart",
    "group_chart",
    "importance_chart",
    "profit_chart",
    "reliability_chart",
    "risk_histogram",
    "validation_chart",
]

_NAMES = {"logistic": N_("Logistic regression"), "gbm": N_("Gradient boosting")}
_SCORES = [
    ("roc_auc", "ROC-AUC", (0.5, 1.0)),
    ("pr_auc", "PR-AUC", None),
    ("brier", N_("Brier score (lower is better)"), None),
]
#: The NPS groups of :func:`cxreport.nps.nps_group` (shown through the catalogue).
_GROUPS = (N_("promoter (9-10)"), N_("passive (7-8)"), N_("detractor (0-6)"), N_("no answer"))


def validation_chart(
    folds: pd.DataFrame, summary: pd.DataFrame, *, chosen: str, base_rate: float
) -> Figure:
    """Per-fold scores of both models (dots), their mean (bar) and the time-forward holdout
    (diamond, when there is one). PR-AUC shows the base rate (a random model) as a line.

    Parameters
    ----------
    folds : pandas.DataFrame
        ``ChurnFit.folds`` (:func:`cxreport.churn.fit`): ``model``, ``roc_auc``, ``pr_auc``,
        ``brier`` per fold.
    summary : pandas.DataFrame
        ``ChurnFit.summary``, indexed by model; its ``<score>_holdout`` columns, when there,
        are drawn as diamonds.
    chosen : str
        The model kept (``"logistic"`` or ``"gbm"``), drawn in the accent colour.
    base_rate : float
        Churn rate of the labelled rows (0-1): PR-AUC's random line, and the Brier score's
        reference ``base_rate × (1 − base_rate)``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    models = list(dict.fromkeys(folds["model"]))
    ypos = np.arange(len(models))[::-1]
    for ax, (col, title, lim) in zip(axes, _SCORES, strict=True):
        for yi, m in zip(ypos, models, strict=True):
            v = folds.loc[folds["model"] == m, col].to_numpy()
            jitter = (np.arange(len(v)) % 5 - 2) * 0.06
            colour = ACCENT if m == chosen else NEUTRAL
            ax.barh(yi, v.mean(), color=colour, alpha=0.25, height=0.6)
            ax.scatter(
                v,
                yi + jitter,
                s=14,
                color=colour,
                zorder=3,
                label=_("validation folds") if yi == ypos[0] else None,
            )
            hcol = f"{col}_holdout"
            if hcol in summary and not pd.isna(summary.loc[m, hcol]):
                ax.scatter(
                    [summary.loc[m, hcol]],
                    [yi],
                    marker="D",
                    s=60,
                    color=BAD,
                    zorder=4,
                    label=_("time-forward holdout") if yi == ypos[0] else None,
                )
        if col == "pr_auc":
            ax.axvline(base_rate, color=MUTED, ls="--", lw=1)
            ax.text(
                base_rate, ypos[0] + 0.45, " " + _("random"), color=NEUTRAL, fontsize=9, va="bottom"
            )
            hi = max(
                [float(folds[col].max())]
                + [float(summary[f"{col}_holdout"].max()) if f"{col}_holdout" in summary else 0.0]
            )
            ax.set_xlim(0, 1.0 if hi > 0.5 else max(0.1, round(hi * 1.3 + 0.05, 1)))
        elif col == "brier":
            ref = base_rate * (1 - base_rate)
            ax.axvline(ref, color=MUTED, ls="--", lw=1)
            ax.text(
                ref,
                ypos[0] + 0.45,
                " " + _("base rate"),
                color=NEUTRAL,
                fontsize=9,
                va="bottom",
                ha="right",
            )
            ax.set_xlim(0, max(ref * 1.15, float(folds[col].max()) * 1.1))
        else:
            ax.set_xlim(*lim)
        ax.set_title(_(title), fontsize=11)
        ax.set_yticks(ypos)
        ax.set_yticklabels(
            [
                _("{model} (chosen)", model=_(_NAMES.get(m, m)))
                if m == chosen
                else _(_NAMES.get(m, m))
                for m in models
            ]
            if ax is axes[0]
            else []
        )
        ax.set_ylim(-0.6, len(models) - 0.2)
        ax.set_xlabel(_("score"))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.04))
    fig.suptitle(
        _("How well each model ranks and predicts churn, fold by fold"),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def reliability_chart(
    table: pd.DataFrame,
    ece: float,
    *,
    raw: pd.DataFrame | None = None,
    raw_ece: float | None = None,
    xlabel: str = N_("predicted churn probability (bin mean)"),
    ylabel: str = N_("observed churn rate (95% CI)"),
) -> Figure:
    """Predicted vs observed churn rate per bin, with Wilson 95% intervals.

    ``xlabel``/``ylabel`` carry the page's words for the score and the outcome (a snapshot
    model predicts the share who have left, not a churn rate over a period).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxreport.churn_eval.reliability`'s table: ``mean_predicted``, ``observed``,
        ``observed_low``, ``observed_high`` per bin (0-1).
    ece : float
        Its expected calibration error, shown in the legend.
    raw : pandas.DataFrame, optional
        The same table before calibration, drawn dotted.
    raw_ece : float, optional
        Its expected calibration error; needed when ``raw`` is given.
    xlabel : str, default=N_("predicted churn probability (bin mean)")
        Horizontal axis label, translated into the report's language.
    ylabel : str, default=N_("observed churn rate (95% CI)")
        Vertical axis label, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(5.6, 5))
    hi = float(max(table["mean_predicted"].max(), table["observed_high"].max())) * 1.08
    hi = min(1.0, max(hi, 0.02))
    ax.plot([0, hi], [0, hi], color=MUTED, ls="--", lw=1, label=_("perfect calibration"))
    if raw is not None:
        ax.plot(
            raw["mean_predicted"],
            raw["observed"],
            "o:",
            color=NEUTRAL,
            ms=4,
            label=_("before calibration (ECE {ece})", ece=f"{raw_ece:.3f}"),
        )
    # Wilson bounds can sit a rounding error inside the point estimate at 0 or 1 churners
    yerr = np.clip(
        [table["observed"] - table["observed_low"], table["observed_high"] - table["observed"]],
        0,
        None,
    )
    ax.errorbar(
        table["mean_predicted"],
        table["observed"],
        yerr=yerr,
        fmt="o-",
        color=ACCENT,
        capsize=3,
        label=_("model (ECE {ece})", ece=f"{ece:.3f}"),
    )
    ax.set_xlim(0, hi)
    ax.set_ylim(0, hi)
    ax.set_xlabel(_(xlabel))
    ax.set_ylabel(_(ylabel))
    ax.set_title(_("Are the probabilities honest?"))
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def gains_chart(deciles: pd.DataFrame) -> Figure:
    """Cumulative gains (share of churners caught vs share contacted) and lift per decile.

    Parameters
    ----------
    deciles : pandas.DataFrame
        :func:`cxreport.churn_eval.decile_table` (ten groups); uses ``group``, ``n``,
        ``churners``, ``cum_customers_pct``, ``cum_churners_pct``, ``lift`` and ``ks``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = np.concatenate([[0], deciles["cum_customers_pct"]])
    g = np.concatenate([[0], deciles["cum_churners_pct"]])
    a1.plot(x, g, "o-", color=ACCENT, label=_("model"))
    a1.plot([0, 100], [0, 100], color=MUTED, ls="--", label=_("random"))
    base = deciles["churners"].sum() / deciles["n"].sum()
    a1.plot([0, 100 * base, 100], [0, 100, 100], color=GOOD, ls=":", label=_("perfect"))
    a1.set_xlim(0, 100)
    a1.set_ylim(0, 100)
    a1.set_xlabel(_("customers contacted, highest risk first (%)"))
    a1.set_ylabel(_("churners caught (%)"))
    a1.set_title(_("Cumulative gains"))
    a1.legend(loc="lower right")
    a2.bar(deciles["group"], deciles["lift"], color=ACCENT)
    a2.axhline(1, color=BAD, ls="--", lw=1, zorder=3)
    a2.text(10.4, 1.04, _("random = 1"), color=BAD, fontsize=9, ha="right", va="bottom")
    a2.set_xticks(deciles["group"])
    a2.set_xlabel(_("risk decile (1 = highest risk)"))
    a2.set_ylabel(_("lift (churn rate / average)"))
    a2.set_ylim(0, max(4.0, float(deciles["lift"].max()) * 1.1))
    ks = float(deciles["ks"].max())
    a2.set_title(_("Lift per decile (KS {ks} points)", ks=f"{ks:.0f}"))
    fig.tight_layout()
    return fig


def profit_chart(
    curve: pd.DataFrame,
    *,
    emp: float,
    emp_random: float,
    emp_perfect: float,
    chosen_share: float | None = None,
    currency: str = "",
    max_share: float | None = None,
) -> Figure:
    """Campaign profit by share contacted: model, random and perfect, with EMP in the title.

    The x axis stops at ``max_share`` (default: the depths where profit is at stake, at least
    20 %), so that a curve that only falls after the first few percent stays readable.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`cxreport.churn_eval.profit_curve`: ``share`` (0-1), ``model``, ``random``,
        ``perfect``.
    emp, emp_random, emp_perfect : float
        Expected maximum profit per customer of the model, a random list and a perfect model
        (:func:`cxreport.churn_eval.emp_churn`, :func:`cxreport.churn_eval.emp_baselines`),
        shown in the title.
    chosen_share : float, optional
        Share contacted by the chosen policy (0-1), drawn as a vertical line.
    currency : str, default=""
        Currency named in the axis label (none when empty).
    max_share : float, optional
        Right end of the x axis, as a share (0-1).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(9, 4.5))
    best = curve.loc[curve["model"].idxmax()]
    # zoom on the depths that matter: where the perfect model still gains, or the chosen depth
    pos_share = float(curve.loc[curve["perfect"].idxmax(), "share"])
    xmax = (
        max_share
        if max_share is not None
        else min(1.0, max(0.2, 3 * pos_share, 2 * float(best["share"]), 1.5 * (chosen_share or 0)))
    )
    view = curve[curve["share"] <= xmax + 1e-9]
    x = 100 * view["share"]
    ax.plot(x, view["perfect"], color=GOOD, ls=":", label=_("perfect model"))
    ax.plot(x, view["model"], color=ACCENT, lw=2, label=_("this model"))
    ax.plot(x, view["random"], color=MUTED, ls="--", label=_("random contacts"))
    ax.axhline(0, color="black", lw=0.6)
    ax.scatter([100 * best["share"]], [best["model"]], color=ACCENT, zorder=4)
    ax.annotate(
        _("best depth: {share}%", share=f"{100 * best['share']:.1f}"),
        (100 * best["share"], best["model"]),
        textcoords="offset points",
        xytext=(8, 8),
        fontsize=9,
    )
    if chosen_share is not None:
        ax.axvline(
            100 * chosen_share,
            color=BAD,
            lw=1,
            ls="-.",
            label=_("chosen policy ({share}%)", share=f"{100 * chosen_share:.1f}"),
        )
    ax.set_xlim(0, 100 * xmax)
    lo = float(view[["model", "random", "perfect"]].min().min())
    hi = float(view[["model", "random", "perfect"]].max().max())
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(_("customers contacted, highest risk first (%)"))
    ax.set_ylabel(
        _("campaign profit on the validation rows ({currency})", currency=label(currency, 16))
        if currency
        else _("campaign profit on the validation rows")
    )
    ax.set_title(
        _(
            "Profit of a retention campaign — EMP {emp} per customer (random {random}, "
            "perfect {perfect})",
            emp=f"{emp:.2f}",
            random=f"{emp_random:.2f}",
            perfect=f"{emp_perfect:.2f}",
        ),
        fontsize=11,
    )
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def importance_chart(imp: pd.DataFrame, *, top: int = 12) -> Figure:
    """Permutation importance (drop in ROC-AUC) with ± 1 SD across shuffles.

    Parameters
    ----------
    imp : pandas.DataFrame
        :func:`cxreport.churn.importance`, sorted by importance: ``label``,
        ``importance_mean``, ``importance_sd``. Bars not above their SD are drawn muted.
    top : int, default=12
        The first rows of ``imp`` drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = imp.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.4))
    colours = [
        ACCENT if v > s else MUTED
        for v, s in zip(t["importance_mean"], t["importance_sd"], strict=True)
    ]
    y = np.arange(len(t))  # positions: two features may share the first 40 characters
    ax.barh(y, t["importance_mean"], xerr=t["importance_sd"], color=colours, capsize=3)
    ax.set_yticks(y, [label(s) for s in t["label"]])
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(_("drop in ROC-AUC when the feature is shuffled (± 1 SD)"))
    ax.set_title(_("What the model relies on"))
    fig.tight_layout()
    return fig


def group_chart(
    tables: dict[str, pd.DataFrame],
    *,
    base_rate: float | None = None,
    titles: dict[str, str] | None = None,
    xlabel: str = N_("churn rate (%, 95% CI)"),
) -> Figure:
    """Churn rate per group with Wilson 95% intervals, one panel per breakdown (``xlabel``:
    the page's word for the rate).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        :func:`cxreport.churn.breakdowns`' tables: breakdown name → a table whose first
        column names the groups, with ``n``, ``churn_rate``, ``ci_low``, ``ci_high`` (0-1).
    base_rate : float, optional
        Overall churn rate (0-1), drawn as a dashed line in every panel.
    titles : dict of str to str, optional
        Panel titles by breakdown name, drawn as given; default: the name.
    xlabel : str, default=N_("churn rate (%, 95% CI)")
        Horizontal axis label, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    titles = titles or {}
    k = max(1, len(tables))
    ncol = 1 if k == 1 else 2
    nrow = (k + ncol - 1) // ncol
    heights = [max(len(t) for t in tables.values()) if tables else 1]
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(5.5 * ncol, nrow * (0.45 * heights[0] + 1.6)), squeeze=False
    )
    xmax = max([float(t["ci_high"].max()) for t in tables.values()] + [0.01]) * 1.1
    for ax in axes.flat[len(tables) :]:
        ax.set_axis_off()
    for ax, (name, t) in zip(axes.flat, tables.items(), strict=False):
        t = t.iloc[::-1]
        col = t.columns[0]
        ypos = np.arange(len(t))
        ax.errorbar(
            100 * t["churn_rate"],
            ypos,
            xerr=np.clip(
                [100 * (t["churn_rate"] - t["ci_low"]), 100 * (t["ci_high"] - t["churn_rate"])],
                0,
                None,
            ),
            fmt="o",
            color=ACCENT,
            capsize=3,
        )
        ax.set_yticks(ypos)
        ax.set_yticklabels(
            [f"{label(shown(g))} (n={n:,})" for g, n in zip(t[col], t["n"], strict=True)],
            fontsize=9,
        )
        if base_rate is not None:
            ax.axvline(100 * base_rate, color=MUTED, ls="--", lw=1)
        ax.set_xlim(0, 100 * xmax)
        ax.set_xlabel(_(xlabel))
        ax.set_title(titles.get(name) or label(name), fontsize=11)
    if not tables:
        axes[0, 0].text(0.5, 0.5, _("no breakdown available"), ha="center", va="center")
        axes[0, 0].set_axis_off()
    fig.tight_layout()
    return fig


def risk_histogram(
    probability: pd.Series,
    *,
    threshold: float | None = None,
    title: str = N_("Risk of the customers scored this month"),
    xlabel: str = N_("predicted churn probability (%)"),
) -> Figure:
    """How the scores are spread over the customers scored (``title``/``xlabel``: the page's
    words for the score, which differ for a snapshot model).

    Parameters
    ----------
    probability : array-like of float
        Predicted probabilities (0-1), one per customer scored.
    threshold : float, optional
        The lowest probability contacted (0-1), drawn as a vertical line.
    title : str, default=N_("Risk of the customers scored this month")
        Chart title, translated into the report's language.
    xlabel : str, default=N_("predicted churn probability (%)")
        Horizontal axis label, translated into the report's language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(8, 3.6))
    p = 100 * np.asarray(probability, float)
    hi = max(5.0, float(np.quantile(p, 0.999)) if len(p) else 5.0)
    ax.hist(p, bins=np.linspace(0, hi, 41), color=ACCENT)
    if threshold is not None:
        ax.axvline(100 * threshold, color=BAD, lw=1.2, ls="-.", label=_("contacted from here"))
        ax.legend()
    ax.set_xlim(0, hi)
    ax.set_xlabel(_(xlabel))
    ax.set_ylabel(_("customers"))
    ax.set_title(_(title))
    fig.tight_layout()
    return fig
