"""Churn-model evaluation: ranking, calibration, deciles, profit and EMP.

Every function takes the true labels ``y`` (1 = churned) and the predicted churn
probabilities ``p`` and returns numbers or small tables; nothing here fits a model.

* :func:`evaluate` - ROC-AUC, PR-AUC, Brier score and Brier skill score, ECE, top-decile lift;
* :func:`reliability` - the reliability (calibration) table and the expected calibration error;
* :func:`decile_table` - response rate, cumulative gains, lift and KS per score decile;
* :func:`emp_churn` - the expected maximum profit (EMP) of Verbraken, Verbeke & Baesens (2013),
  with :func:`emp_baselines` for the random and the perfect model, always shown beside it;
* :func:`profit_curve` - expected campaign profit by share of customers contacted, with the
  random and perfect baselines;
* :func:`contact_value` and :func:`break_even` - the expected profit of one contact and the
  score, acceptance rate, offer cost, contact cost or retained value at which it breaks even;
* :func:`verdict` and :func:`score_table` - a plain verdict ("useful", "weak", "no better than
  the base rate") on PR-AUC and the Brier skill score, with the thresholds in
  :data:`VERDICT_RULES`.

The EMP follows the published definition (and the ``empChurn`` function of the R ``EMP``
package / ``emp-py``): a contacted would-be churner accepts the retention offer with
probability gamma ~ Beta(alpha, beta) and is then worth ``clv - d``; every contact costs ``f``
and every contacted non-churner takes the offer (cost ``d``). For each gamma the best cut-off
on the convex hull of the ROC curve is taken; EMP is the expected profit per customer over the
distribution of gamma. The returned fraction is the share of customers **to target** (the
reference implementations' docstrings call it the share to exclude; their numbers are the
share targeted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betainc
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from .errors import CxReportError
from .i18n import N_, _

__all__ = [
    "BRIER_SKILL_USEFUL",
    "BreakEven",
    "EMPResult",
    "PR_AUC_USEFUL",
    "PR_AUC_WEAK",
    "VERDICTS",
    "VERDICT_RULES",
    "break_even",
    "contact_value",
    "decile_table",
    "emp_baselines",
    "emp_churn",
    "evaluate",
    "profit_curve",
    "reliability",
    "score_table",
    "verdict",
    "verdict_line",
]


def _check(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y)
    p = np.asarray(p, float)
    if y.ndim != 1 or p.ndim != 1 or len(y) != len(p):
        raise CxReportError(
            f"Labels and probabilities must be 1-D and of equal length; got {y.shape} and "
            f"{p.shape}."
        )
    vals = set(np.unique(y).tolist())
    if not vals <= {0, 1}:
        raise CxReportError(f"Labels must be 0/1 (1 = churned); got values {sorted(vals)[:5]}.")
    if len(vals) < 2:
        raise CxReportError(
            "Labels hold only one class; ranking metrics need churners and non-churners."
        )
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise CxReportError("Probabilities must lie in [0, 1] and not be missing.")
    return y.astype(int), p


# --------------------------------------------------------------------------------------------
# calibration and deciles
# --------------------------------------------------------------------------------------------


def reliability(y, p, *, n_bins: int = 10) -> tuple[pd.DataFrame, float]:
    """Reliability table with equal-count bins and the expected calibration error.

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and predicted probabilities.
    n_bins : int, default=10
        Number of bins of (about) equal size, by predicted probability.

    Returns
    -------
    table : DataFrame
        One row per bin: ``n``, ``mean_predicted``, ``observed`` (churn rate) and its Wilson
        95% interval ``observed_low``/``observed_high``.
    ece : float
        Expected calibration error: the size-weighted mean of ``|observed - predicted|``.
    """
    from .stats import wilson_interval

    y, p = _check(y, p)
    if not isinstance(n_bins, (int, np.integer)) or not 2 <= n_bins <= 100:
        raise CxReportError(f"The 'n_bins' parameter must be an int in [2, 100]; got {n_bins!r}.")
    order = np.argsort(p, kind="mergesort")
    bins = np.empty(len(p), int)
    bins[order] = np.arange(len(p)) * n_bins // len(p)
    df = pd.DataFrame({"bin": bins, "y": y, "p": p})
    t = df.groupby("bin").agg(
        n=("y", "size"), churners=("y", "sum"), mean_predicted=("p", "mean"), observed=("y", "mean")
    )
    lo, hi = wilson_interval(t["churners"], t["n"])
    t["observed_low"], t["observed_high"] = lo, hi
    ece = float(np.sum(t["n"] * (t["observed"] - t["mean_predicted"]).abs()) / len(y))
    return t.reset_index(), ece


def decile_table(y, p, *, n_groups: int = 10) -> pd.DataFrame:
    """Gains table: customers sorted by descending risk, cut into equal groups.

    Columns: ``group`` (1 = highest risk), ``n``, ``churners``, ``response_rate``,
    ``cum_customers_pct``, ``cum_churners_pct`` (cumulative gains), ``lift`` (group response
    rate / base rate), ``cum_lift`` and ``ks`` (cumulative churner share minus cumulative
    non-churner share, in percentage points). Ties are broken by the original order (stable),
    so the table is deterministic.

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and predicted probabilities.
    n_groups : int, default=10
        Number of groups of (about) equal size.

    Returns
    -------
    DataFrame
        One row per group, the columns above and ``cum_nonchurners_pct``.
    """
    y, p = _check(y, p)
    order = np.argsort(-p, kind="mergesort")
    ys = y[order]
    n = len(ys)
    group = np.arange(n) * n_groups // n + 1
    df = pd.DataFrame({"group": group, "y": ys})
    t = df.groupby("group").agg(n=("y", "size"), churners=("y", "sum"))
    t["response_rate"] = t["churners"] / t["n"]
    base = y.mean()
    t["cum_customers_pct"] = 100 * t["n"].cumsum() / n
    t["cum_churners_pct"] = 100 * t["churners"].cumsum() / y.sum()
    non = t["n"] - t["churners"]
    t["cum_nonchurners_pct"] = 100 * non.cumsum() / (n - y.sum())
    t["lift"] = t["response_rate"] / base
    t["cum_lift"] = (t["churners"].cumsum() / t["n"].cumsum()) / base
    t["ks"] = t["cum_churners_pct"] - t["cum_nonchurners_pct"]
    return t.reset_index()


def top_share_lift(y, p, *, share: float = 0.1) -> float:
    """Churn rate among the ``share`` highest-risk customers divided by the base rate.

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and predicted probabilities.
    share : float, default=0.1
        Share of customers at the top of the list (at least one customer).

    Returns
    -------
    float
    """
    y, p = _check(y, p)
    k = max(1, int(round(share * len(y))))
    top = np.argsort(-p, kind="mergesort")[:k]
    return float(y[top].mean() / y.mean())


def evaluate(y, p) -> dict[str, float]:
    """The standard scores of a churn model on one set of predictions.

    Returns ``roc_auc``, ``pr_auc`` (average precision), ``base_rate``, ``brier``,
    ``brier_skill`` (1 - Brier / Brier of always predicting the base rate, p(1-p)), ``ece``
    (10 equal-count bins), ``lift_top10`` and ``gain_top20`` (share of churners in the top
    20%).

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and predicted probabilities.

    Returns
    -------
    dict of str to float
        The scores above, by name.
    """
    y, p = _check(y, p)
    base = float(y.mean())
    brier = float(np.mean((p - y) ** 2))
    ref = base * (1 - base)
    _, ece = reliability(y, p)
    k20 = max(1, int(round(0.2 * len(y))))
    top20 = np.argsort(-p, kind="mergesort")[:k20]
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "base_rate": base,
        "brier": brier,
        "brier_skill": 1 - brier / ref,
        "ece": ece,
        "lift_top10": top_share_lift(y, p, share=0.1),
        "gain_top20": float(y[top20].sum() / y.sum()),
    }


# --------------------------------------------------------------------------------------------
# verdicts
# --------------------------------------------------------------------------------------------

#: The verdicts, best first.
VERDICTS = (N_("useful"), N_("weak"), N_("no better than the base rate"))
#: PR-AUC (average precision) as a multiple of the base rate. A random ranking scores the base
#: rate itself, so PR-AUC means something only against it: from twice the base rate the top of
#: the list holds clearly more leavers than a random list ("useful"); below 1.25 times it the
#: ranking is hardly better than drawing customers at random.
PR_AUC_USEFUL = 2.0
PR_AUC_WEAK = 1.25
#: Brier skill score = 1 - Brier / (base rate x (1 - base rate)), the improvement over
#: predicting the base rate for everyone. At 0 or below the probabilities are no better than
#: that; from 0.10 they remove a tenth of its squared error ("useful"); in between "weak".
BRIER_SKILL_USEFUL = 0.10
#: The thresholds in words (shown beside each verdict and in the README), in English; the
#: page's language: :func:`_rule`.
_RULE_TEMPLATES = {
    "pr_auc": N_(
        "useful from {useful} × the base rate, weak from {weak} ×, otherwise no better than "
        "the base rate"
    ),
    "brier_skill": N_(
        "useful from {useful}, weak above 0, otherwise (0 or below) no better than the base rate"
    ),
}
_RULE_FIELDS = {
    "pr_auc": {"useful": f"{PR_AUC_USEFUL:g}", "weak": f"{PR_AUC_WEAK:g}"},
    "brier_skill": {"useful": f"{BRIER_SKILL_USEFUL:.2f}"},
}
VERDICT_RULES = {k: v.format(**_RULE_FIELDS[k]) for k, v in _RULE_TEMPLATES.items()}


def _rule(score: str) -> str:
    return _(_RULE_TEMPLATES[score], **_RULE_FIELDS[score])


def verdict(score: str, value: float, *, base_rate: float | None = None) -> str:
    """Plain verdict on a PR-AUC or a Brier skill score, relative to the base rate.

    Parameters
    ----------
    score : {"pr_auc", "brier_skill"}
        Which score ``value`` is.
    value : float
        The score (out of sample).
    base_rate : float, optional
        Share of churners among the rows scored; required for ``"pr_auc"`` (a random
        ranking's PR-AUC).

    Returns
    -------
    str
        One of :data:`VERDICTS`: "useful", "weak" or "no better than the base rate", by the
        thresholds :data:`PR_AUC_USEFUL`, :data:`PR_AUC_WEAK` (multiples of the base rate) and
        :data:`BRIER_SKILL_USEFUL` (Brier skill above 0 is at least weak).
    """
    if score not in VERDICT_RULES:
        raise CxReportError(
            f"The 'score' parameter of verdict must be one of 'pr_auc', 'brier_skill'; "
            f"got {score!r}."
        )
    value = float(value)
    if not np.isfinite(value):
        raise CxReportError(f"The 'value' parameter of verdict must be a number; got {value!r}.")
    if score == "pr_auc":
        if base_rate is None or not 0 < float(base_rate) < 1:
            raise CxReportError(
                f"The 'base_rate' parameter of verdict must be a number in (0, 1) for a "
                f"PR-AUC verdict; got {base_rate!r}."
            )
        ratio = value / float(base_rate)
        if ratio >= PR_AUC_USEFUL:
            return VERDICTS[0]
        return VERDICTS[1] if ratio >= PR_AUC_WEAK else VERDICTS[2]
    if value >= BRIER_SKILL_USEFUL:
        return VERDICTS[0]
    return VERDICTS[1] if value > 0 else VERDICTS[2]


def verdict_line(metrics: dict, *, observed: str = "churn rate") -> str:
    """The two verdicts in one line: "PR-AUC 0.056 = 3.3 × the churn rate: useful; Brier
    skill 0.016: weak" (``metrics`` from :func:`evaluate`).

    Parameters
    ----------
    metrics : dict
        From :func:`evaluate` (``base_rate``, ``pr_auc``, ``brier_skill``).
    observed : str, default="churn rate"
        What the base rate is called on the page.

    Returns
    -------
    str
        In the report's language.
    """
    base, pr, skill = metrics["base_rate"], metrics["pr_auc"], metrics["brier_skill"]
    return _(
        "PR-AUC {pr} = {ratio} × the {observed}: {pr_verdict}; Brier skill {skill}: "
        "{skill_verdict}",
        pr=f"{pr:.3f}",
        ratio=f"{pr / base:.1f}",
        observed=observed,
        pr_verdict=_(verdict("pr_auc", pr, base_rate=base)),
        skill=f"{skill:.3f}",
        skill_verdict=_(verdict("brier_skill", skill)),
    )


def score_table(metrics: dict, *, observed: str = "churn rate") -> pd.DataFrame:
    """The scores of :func:`evaluate` as a table a reader can act on: value, verdict, reading.

    Parameters
    ----------
    metrics : dict
        From :func:`evaluate`.
    observed : str, default="churn rate"
        What the base rate is called on the page ("churn rate", "share who have left").

    Returns
    -------
    DataFrame
        Indexed by score; ``value`` (formatted), ``verdict`` (PR-AUC and Brier skill only, by
        :func:`verdict`) and ``reading`` (what the number is compared with, and the rule).
    """
    base = float(metrics["base_rate"])
    ref = base * (1 - base)
    pr, skill = float(metrics["pr_auc"]), float(metrics["brier_skill"])
    rows = [
        ("ROC-AUC", f"{metrics['roc_auc']:.3f}", "", _("0.5 = coin toss, 1 = perfect ranking")),
        (
            "PR-AUC",
            f"{pr:.3f}",
            _(verdict("pr_auc", pr, base_rate=base)),
            _(
                "{ratio} × the {observed} (a random list scores the {observed}); {rule}",
                ratio=f"{pr / base:.1f}",
                observed=observed,
                rule=_rule("pr_auc"),
            ),
        ),
        (observed, f"{base:.1%}", "", _("the base rate of the rows scored")),
        (
            _("Brier score"),
            f"{metrics['brier']:.4f}",
            "",
            _("the base rate for everyone: {brier}", brier=f"{ref:.4f}"),
        ),
        (
            _("Brier skill score"),
            f"{skill:.3f}",
            _(verdict("brier_skill", skill)),
            _(
                "improvement over the base rate for everyone; {rule}",
                rule=_rule("brier_skill"),
            ),
        ),
        ("ECE", f"{metrics['ece']:.3f}", "", _("mean gap between predicted and observed")),
        (
            _("top-decile lift"),
            f"{metrics['lift_top10']:.2f}",
            "",
            _("1 = random; about 3 is good"),
        ),
        (
            _("churners in the top 20 %"),
            f"{metrics['gain_top20']:.0%}",
            "",
            _("a random list finds 20 %"),
        ),
    ]
    columns = [_("score"), _("value"), _("verdict"), _("reading")]
    return pd.DataFrame(rows, columns=columns).set_index(columns[0])


# --------------------------------------------------------------------------------------------
# EMP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EMPResult:
    """Expected maximum profit per customer and the share of customers to target.

    ``mp``/``mp_fraction`` are the (deterministic) maximum profit at the mean acceptance rate.
    """

    emp: float
    fraction: float
    mp: float
    mp_fraction: float


def _upper_hull(fpr: np.ndarray, tpr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper convex hull of ROC points from (0, 0) to (1, 1) (monotone chain)."""
    pts = sorted(set(zip(fpr.tolist(), tpr.tolist(), strict=True)) | {(0.0, 0.0), (1.0, 1.0)})
    hull: list[tuple[float, float]] = []
    for x, yv in pts:
        # keep only the highest point for each x (points are sorted by x, then y)
        if hull and hull[-1][0] == x:
            hull.pop()
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (yv - y1) - (y2 - y1) * (x - x1) >= 0:  # not a right turn
                hull.pop()
            else:
                break
        hull.append((x, yv))
    h = np.array(hull)
    return h[:, 0], h[:, 1]


def _emp_from_hull(f1, f0, pi0, *, clv, d, f, alpha, beta) -> EMPResult:
    """EMP given the ROC hull (``f1`` = false-positive rate, ``f0`` = true-positive rate)."""
    pi1 = 1 - pi0
    delta, phi = d / clv, f / clv
    d0, d1 = np.diff(f0), np.diff(f1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # acceptance rate at which moving from hull vertex i to i+1 starts to pay
        g = (pi1 * (delta + phi) * d1 + pi0 * phi * d0) / (pi0 * (1 - delta) * d0)
    g = np.where(d0 > 0, g, np.inf)
    g = np.maximum.accumulate(np.maximum(g, 0.0))  # the hull makes them non-decreasing
    edges = np.concatenate([[0.0], np.minimum(g, 1.0), [1.0]])  # vertex i wins on [e_i, e_i+1]
    lo, hi = edges[:-1], edges[1:]
    prob = betainc(alpha, beta, hi) - betainc(alpha, beta, lo)
    mean_g = alpha / (alpha + beta)
    # E[gamma; lo < gamma < hi] = mean * (I(alpha+1, beta, hi) - I(alpha+1, beta, lo))
    first = mean_g * (betainc(alpha + 1, beta, hi) - betainc(alpha + 1, beta, lo))
    gain = clv * (1 - delta) * pi0 * f0 * first
    cost = clv * (phi * pi0 * f0 + (delta + phi) * pi1 * f1) * prob
    emp = float(np.sum(gain - cost))
    frac = float(np.sum(prob * (pi0 * f0 + pi1 * f1)))
    profit_at_mean = clv * ((mean_g * (1 - delta) - phi) * pi0 * f0 - (delta + phi) * pi1 * f1)
    i = int(np.argmax(profit_at_mean))
    return EMPResult(emp, frac, float(profit_at_mean[i]), float(pi0 * f0[i] + pi1 * f1[i]))


def _emp_params(clv, d, f, alpha, beta) -> None:
    for name, v, lo in (("clv", clv, 0.0), ("alpha", alpha, 0.0), ("beta", beta, 0.0)):
        if not np.isfinite(v) or v <= lo:
            raise CxReportError(f"The '{name}' parameter must be a number > {lo:g}; got {v!r}.")
    for name, v in (("d", d), ("f", f)):
        if not np.isfinite(v) or v < 0:
            raise CxReportError(f"The '{name}' parameter must be a number >= 0; got {v!r}.")
    if d >= clv:
        raise CxReportError(
            f"The offer cost 'd' ({d:g}) must be below the value of a retained "
            f"customer 'clv' ({clv:g}), or retention never pays."
        )


def emp_churn(
    y,
    p,
    *,
    clv: float = 200.0,
    d: float = 10.0,
    f: float = 1.0,
    alpha: float = 6.0,
    beta: float = 14.0,
) -> EMPResult:
    """Expected maximum profit of a churn model (Verbraken, Verbeke & Baesens 2013).

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and scores (any monotone score works; only the ranking counts).
    clv : float, default=200
        Value of a retained customer.
    d : float, default=10
        Cost of the retention offer, paid by every contacted customer who accepts it.
    f : float, default=1
        Cost of contacting one customer.
    alpha, beta : float, default=6, 14
        Beta distribution of the offer acceptance rate of would-be churners (mean 0.3).

    Returns
    -------
    EMPResult
        ``emp`` (expected profit per customer in the scored population), ``fraction`` (share
        of customers to target), ``mp`` and ``mp_fraction`` (at the mean acceptance rate).
    """
    y, p = _check(y, p)
    _emp_params(clv, d, f, alpha, beta)
    fpr, tpr, _ = roc_curve(y, p)
    f1, f0 = _upper_hull(fpr, tpr)
    return _emp_from_hull(f1, f0, float(y.mean()), clv=clv, d=d, f=f, alpha=alpha, beta=beta)


def emp_baselines(
    y,
    *,
    clv: float = 200.0,
    d: float = 10.0,
    f: float = 1.0,
    alpha: float = 6.0,
    beta: float = 14.0,
) -> dict[str, EMPResult]:
    """EMP of a random model (ROC = diagonal) and of a perfect model, for the same labels.

    With the default parameters contacting everyone already pays, so even a random model has
    a clearly positive EMP; a model's EMP means something only next to these two.

    Parameters
    ----------
    y : array-like
        Labels (1 = churned).
    clv, d, f, alpha, beta : float
        As in :func:`emp_churn` (same defaults).

    Returns
    -------
    dict of str to EMPResult
        ``"random"`` and ``"perfect"``.
    """
    y = np.asarray(y).astype(int)
    _emp_params(clv, d, f, alpha, beta)
    pi0 = float(y.mean())
    kw = dict(clv=clv, d=d, f=f, alpha=alpha, beta=beta)
    return {
        "random": _emp_from_hull(np.array([0.0, 1.0]), np.array([0.0, 1.0]), pi0, **kw),
        "perfect": _emp_from_hull(np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0]), pi0, **kw),
    }


# --------------------------------------------------------------------------------------------
# profit curve
# --------------------------------------------------------------------------------------------


def contact_value(
    p,
    *,
    retained_value: float,
    contact_cost: float,
    acceptance_rate: float,
    offer_cost: float = 0.0,
) -> np.ndarray:
    """Expected profit of contacting each customer with churn probability ``p``.

    ``p * acceptance_rate * (retained_value - offer_cost) - contact_cost
    - (1 - p) * offer_cost``: a would-be churner who accepts stays (worth the retained value,
    minus the offer); a customer who was not going to leave takes the offer anyway.

    Parameters
    ----------
    p : array-like
        Churn probabilities.
    retained_value : float
        Value of a retained customer.
    contact_cost : float
        Cost of one contact.
    acceptance_rate : float
        Share of contacted would-be churners who accept the offer and stay.
    offer_cost : float, default=0.0
        Cost of the offer to every contacted customer who takes it.

    Returns
    -------
    ndarray
        Expected profit per customer, in the currency of ``retained_value``.
    """
    p = np.asarray(p, float)
    return p * acceptance_rate * (retained_value - offer_cost) - contact_cost - (1 - p) * offer_cost


@dataclass(frozen=True)
class BreakEven:
    """Where one retention contact breaks even (expected profit 0), one input at a time.

    Each value holds the others at their stated level; ``None`` when no value in the allowed
    range makes the contact pay (an acceptance rate would have to exceed 100 %, an offer or a
    contact cost fall below 0, or the score exceed 1).

    Attributes
    ----------
    probability : float or None
        The score above which a contact pays at the stated costs.
    acceptance_rate : float or None
        For the customer's score: the contact pays above this acceptance rate.
    offer_cost : float or None
        It pays below this offer cost.
    contact_cost : float or None
        It pays below this contact cost.
    retained_value : float or None
        It pays above this value of a retained customer.
    """

    probability: float | None
    acceptance_rate: float | None
    offer_cost: float | None
    contact_cost: float | None
    retained_value: float | None


def break_even(
    p: float,
    *,
    retained_value: float,
    contact_cost: float,
    acceptance_rate: float,
    offer_cost: float = 0.0,
) -> BreakEven:
    """Solve :func:`contact_value` = 0 for each input in turn, at the customer's score ``p``.

    With V = retained value, c = contact cost, o = offer cost and a = acceptance rate, a
    contact's expected profit is ``p a (V - o) - c - (1 - p) o = p (a (V - o) + o) - (c + o)``,
    so it pays above the score ``(c + o) / (a (V - o) + o)``; for a given ``p`` it pays above
    the acceptance rate ``(c + (1 - p) o) / (p (V - o))``, below the offer cost
    ``(p a V - c) / (1 - p + p a)``, below the contact cost ``p a (V - o) - (1 - p) o`` and
    above the retained value ``o + (c + (1 - p) o) / (p a)``.

    Parameters
    ----------
    p : float
        The customer's churn probability.
    retained_value, contact_cost, acceptance_rate : float
        V, c and a, as in :func:`contact_value`.
    offer_cost : float, default=0.0
        o, as in :func:`contact_value`.

    Returns
    -------
    BreakEven
    """
    p = float(p)
    V, c, o, a = map(float, (retained_value, contact_cost, offer_cost, acceptance_rate))
    slope = a * (V - o) + o
    prob = (c + o) / slope if slope > 0 else None
    acc = (c + (1 - p) * o) / (p * (V - o)) if p > 0 and V > o else None
    den = 1 - p + p * a
    offer = (p * a * V - c) / den if den > 0 else None
    contact = p * a * (V - o) - (1 - p) * o
    value = o + (c + (1 - p) * o) / (p * a) if p * a > 0 else None
    return BreakEven(
        probability=prob if prob is not None and prob < 1 else None,
        acceptance_rate=acc if acc is not None and acc < 1 else None,
        offer_cost=offer if offer is not None and offer > 0 else None,
        contact_cost=contact if contact > 0 else None,
        retained_value=value,
    )


def profit_curve(
    y,
    p,
    *,
    retained_value: float = 200.0,
    contact_cost: float = 10.0,
    acceptance_rate: float = 0.3,
    offer_cost: float = 0.0,
    n_points: int = 101,
) -> pd.DataFrame:
    """Realised campaign profit by share of customers contacted (highest risk first).

    Uses the true labels: profit of contacting the top ``k`` = churners among them x
    acceptance rate x (retained value - offer cost) - k x contact cost - contacted
    non-churners x offer cost. ``random`` is the expected profit of contacting ``k`` customers
    at random and ``perfect`` that of contacting the actual churners first.

    Parameters
    ----------
    y, p : array-like
        Labels (1 = churned) and predicted probabilities.
    retained_value : float, default=200.0
        Value of a retained customer.
    contact_cost : float, default=10.0
        Cost of one contact.
    acceptance_rate : float, default=0.3
        Share of contacted churners who accept the offer and stay.
    offer_cost : float, default=0.0
        Cost of the offer to every contacted customer who takes it.
    n_points : int, default=101
        Points of the curve: numbers contacted evenly spaced from 0 to all (rounded,
        repeats dropped).

    Returns
    -------
    DataFrame
        ``share`` (0-1), ``contacted``, ``model``, ``random``, ``perfect`` (totals in the
        currency of ``retained_value``).
    """
    y, p = _check(y, p)
    n, pos = len(y), int(y.sum())
    order = np.argsort(-p, kind="mergesort")
    cum = np.concatenate([[0], np.cumsum(y[order])])
    k = np.unique(np.round(np.linspace(0, n, n_points)).astype(int))
    gain = acceptance_rate * (retained_value - offer_cost)

    def value(churners, contacted):
        """Profit of contacting ``contacted`` customers of whom ``churners`` would leave.

        Parameters
        ----------
        churners : ndarray
            Would-be churners among those contacted (expected numbers for ``random``).
        contacted : ndarray
            Customers contacted.

        Returns
        -------
        ndarray
        """
        return churners * gain - contacted * contact_cost - (contacted - churners) * offer_cost

    perfect_churners = np.minimum(k, pos)
    return pd.DataFrame(
        {
            "share": k / n,
            "contacted": k,
            "model": value(cum[k], k),
            "random": value(k * pos / n, k),
            "perfect": value(perfect_churners, k),
        }
    )
