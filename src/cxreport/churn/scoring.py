"""Scoring, targeting and reasons: the fitted model turned into this month's contact list,
with the factors behind each customer's score and each feature's importance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import churn_eval
from ..errors import CxReportError
from ..errors import check_float as _check_float
from ..errors import check_int as _check_int
from ..i18n import N_, _
from .features import FeatureSpec
from .models import N_THREADS, predict, threads
from .settings import SETTING, label
from .table import ChurnData, clean_categories


def _unseen(model_cats: dict[str, list], X: pd.DataFrame) -> dict[str, list]:
    out = {}
    for c, seen in model_cats.items():
        if c in X:
            new = sorted(set(map(str, X[c].dropna().unique())) - set(map(str, seen)))
            if new:
                out[c] = new
    return out


def categories(d: ChurnData) -> dict[str, list]:
    """The categories seen in training, per categorical feature.

    Parameters
    ----------
    d : ChurnData
        The modelling table the model was trained on.

    Returns
    -------
    dict of str to list of str
        Feature -> its sorted non-missing values in ``d.X``, as text.
    """
    return {c: sorted(d.X[c].dropna().astype(str).unique().tolist()) for c in d.spec.categorical}


def score(
    model,
    X: pd.DataFrame,
    ids: pd.Series,
    *,
    spec: FeatureSpec,
    seen: dict[str, list] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Churn probability for each customer to score, and notes on unseen categories.

    Unseen categories (a new plan, a new region) are scored as if the feature were unknown:
    the logistic regression's one-hot encoder ignores them and the boosting model treats them
    as missing. Each one is listed in the notes.

    Parameters
    ----------
    model : fitted classifier
        The fitted model (:attr:`ChurnFit.model`, or a saved bundle's ``"model"``).
    X : pandas.DataFrame
        The customers to score; it must hold every column of ``spec.features``.
    ids : pandas.Series
        Customer id per row of ``X``.
    spec : FeatureSpec
        The model's features.
    seen : dict, optional
        Categories seen in training (:func:`categories`); values not in it are noted.
        None: no note.

    Returns
    -------
    scores : pandas.DataFrame
        ``customer_id`` and ``probability``, in the order of ``X``.
    notes : list of str
        One per feature with unseen categories.
    """
    missing = [c for c in spec.features if c not in X]
    if missing:
        raise CxReportError(
            f"The customers to score lack the model's feature(s) {', '.join(missing)}; the "
            f"saved model cannot be used. Retrain (reuse_model=False) or restore the columns."
        )
    X = clean_categories(X[spec.features], spec.categorical)
    notes = []
    for c, new in _unseen(seen or {}, X).items():
        n = int(X[c].astype(str).isin(new).sum())
        notes.append(
            _(
                "{n} customer(s) have a {feature} the model has not seen ({values}); it is "
                "scored as unknown.",
                n=n,
                feature=label(c),
                values=", ".join(map(str, new[:5])),
            )
        )
    p = predict(model, X)
    return pd.DataFrame({"customer_id": ids.to_numpy(), "probability": p}), notes


def targeting(
    scores: pd.DataFrame,
    *,
    policy: str = "profit",
    budget_contacts: int = 200,
    retained_value: float = 200.0,
    contact_cost: float = 10.0,
    acceptance_rate: float = 0.3,
    offer_cost: float = 0.0,
) -> pd.DataFrame:
    """Who to contact: the policy applied to scored customers.

    ``"profit"`` (the default): the highest-scored customers whose expected contact profit is
    positive (see :func:`cxreport.churn_eval.contact_value`), at most ``budget_contacts`` of
    them; when no contact pays, nobody. ``"budget"``: the ``budget_contacts`` highest-scored
    customers, paying or not. The expected profit rises with the score, so the profit list
    is always the top of the budget list. Both need calibrated probabilities to be read as
    money (:func:`contact_plan` says what the list is worth).

    Returns the scores sorted by descending risk with ``expected_value_at_risk``
    (probability x retained value), ``expected_profit`` of a contact, ``rank`` and
    ``contact`` (bool).

    Parameters
    ----------
    scores : pandas.DataFrame
        ``customer_id`` and ``probability``, as :func:`score` returns them.
    policy : {"profit", "budget"}, default="profit"
        Who to contact (above).
    budget_contacts : int, default=200
        Most customers contacted, under either policy.
    retained_value : float, default=200.0
        Value of keeping a customer who would have left (currency).
    contact_cost : float, default=10.0
        Cost of one contact (currency).
    acceptance_rate : float, default=0.3
        Share of would-be churners who stay when contacted, 0 to 1.
    offer_cost : float, default=0.0
        Cost of the offer to a customer who accepts it (currency).

    Returns
    -------
    pandas.DataFrame
        ``scores`` sorted by descending probability (ties by ``customer_id``), with
        ``rank``, ``expected_value_at_risk``, ``expected_profit`` and ``contact``.
    """
    SETTING["policy"].check(policy)
    budget_contacts = _check_int("budget_contacts", budget_contacts, 0)
    acceptance_rate = _check_float("acceptance_rate", acceptance_rate, 0.0, 1.0)
    retained_value = _check_float("retained_value", retained_value, 0.0, 1e12)
    contact_cost = _check_float("contact_cost", contact_cost, 0.0, 1e12)
    offer_cost = _check_float("offer_cost", offer_cost, 0.0, 1e12)
    out = scores.sort_values(
        ["probability", "customer_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["expected_value_at_risk"] = out["probability"] * retained_value
    out["expected_profit"] = churn_eval.contact_value(
        out["probability"],
        retained_value=retained_value,
        contact_cost=contact_cost,
        acceptance_rate=acceptance_rate,
        offer_cost=offer_cost,
    )
    within = out["rank"] <= budget_contacts
    out["contact"] = within if policy == "budget" else within & (out["expected_profit"] > 0)
    return out


def reference(X: pd.DataFrame, spec: FeatureSpec) -> dict:
    """The typical customer the reasons compare with: the median of each numeric feature and
    the most common value of each categorical one.

    Parameters
    ----------
    X : pandas.DataFrame
        The training rows (``ChurnData.X``).
    spec : FeatureSpec
        The model's features.

    Returns
    -------
    dict
        Feature -> median (float) or most common value as text (ties: the first in sort
        order; NaN when the column is empty).
    """
    ref = {c: float(X[c].median()) for c in spec.numeric}
    for c in spec.categorical:
        mode = X[c].dropna().astype(str).value_counts()
        ref[c] = mode.sort_index(kind="mergesort").idxmax() if len(mode) else np.nan
    return ref


#: How a missing value reads, per feature (default "unknown").
MISSING_WORDS = {"months_since_purchase": N_("no purchase yet"), "last_nps": N_("no NPS answer")}


def _fmt(v, name: str = "") -> str:
    if isinstance(v, float):
        if np.isnan(v):
            return _(MISSING_WORDS.get(name, N_("unknown")))
        return f"{v:,.0f}" if abs(v) >= 10 or v == round(v) else f"{v:,.1f}"
    return str(v)


def reasons(
    model,
    X: pd.DataFrame,
    *,
    spec: FeatureSpec,
    reference: dict,
    top: int = 3,
    min_effect: float = 0.005,
) -> pd.DataFrame:
    """Top factors pushing each customer's risk up, in plain words.

    Method (cheap and model-agnostic): each feature in turn is set to the value of a typical
    customer (median, or most frequent category, of the training data) and the customer is
    rescored; the drop in probability is that feature's push. Features whose push is below
    ``min_effect`` (half a percentage point by default) are not listed. Pushes of correlated
    features overlap, so they are a guide for the call, not a decomposition.

    Parameters
    ----------
    model : fitted classifier
        The fitted model (as for :func:`score`).
    X : pandas.DataFrame
        The customers to explain, with the columns of ``spec.features``.
    spec : FeatureSpec
        The model's features.
    reference : dict
        The typical customer, as :func:`reference` returns it.
    top : int, default=3
        Most reasons per customer.
    min_effect : float, default=0.005
        Smallest push listed, as a probability.

    Returns
    -------
    DataFrame
        One row per customer (in the order of ``X``): ``reason_1`` ... ``reason_<top>`` and
        ``reasons`` (joined with "; ").
    """
    X = clean_categories(X[spec.features].reset_index(drop=True), spec.categorical)
    n, feats = len(X), spec.features
    if n == 0:
        return pd.DataFrame(columns=["reasons"])
    base = predict(model, X)
    stacked = pd.concat([X] * len(feats), ignore_index=True)
    for j, c in enumerate(feats):
        stacked.loc[j * n : (j + 1) * n - 1, c] = reference[c]
    alt = predict(model, stacked).reshape(len(feats), n).T
    push = base[:, None] - alt
    rows = []
    for i in range(n):
        order = np.argsort(-push[i], kind="mergesort")
        words = []
        for j in order[:top]:
            if push[i, j] < min_effect:
                break
            c = feats[j]
            v = X.iat[i, j]
            if isinstance(v, float) and np.isnan(v) and c in MISSING_WORDS:
                said = _(
                    "{missing} (typical {feature} {typical})",
                    missing=_(MISSING_WORDS[c]),
                    feature=label(c),
                    typical=_fmt(reference[c], c),
                )
            else:
                said = _(
                    "{feature} {value} (typical {typical})",
                    feature=label(c),
                    value=_fmt(v, c),
                    typical=_fmt(reference[c], c),
                )
            words.append(
                _("{reason}: +{points} pts", reason=said, points=f"{100 * push[i, j]:.0f}")
            )
        rows.append(words + [""] * (top - len(words)))
    out = pd.DataFrame(rows, columns=[f"reason_{k + 1}" for k in range(top)])
    out["reasons"] = out.apply(lambda r: "; ".join(v for v in r if v), axis=1)
    return out


def importance(
    model,
    X: pd.DataFrame,
    y,
    *,
    spec: FeatureSpec,
    n_repeats: int = 5,
    seed: int = 42,
    max_rows: int = 5000,
) -> pd.DataFrame:
    """Permutation importance (drop in ROC-AUC when a feature is shuffled), with its spread.

    Computed on out-of-time / held-out rows passed in by the caller; at most ``max_rows``
    rows (a seeded sample) to bound the cost. Returns ``feature``, ``label``,
    ``importance_mean``, ``importance_sd`` sorted by the mean.

    Parameters
    ----------
    model : fitted classifier
        The fitted model (as for :func:`score`).
    X : pandas.DataFrame
        The rows to shuffle, with the columns of ``spec.features``.
    y : array-like
        Their 0/1 labels.
    spec : FeatureSpec
        The model's features.
    n_repeats : int, default=5
        Shuffles per feature.
    seed : int, default=42
        Seed of the row sample and of the shuffles.
    max_rows : int, default=5000
        Most rows used.

    Returns
    -------
    pandas.DataFrame
        One row per feature, the most important first.
    """
    from sklearn.inspection import permutation_importance

    X = clean_categories(X[spec.features].reset_index(drop=True), spec.categorical)
    y = np.asarray(y)
    if len(X) > max_rows:
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X.iloc[keep].reset_index(drop=True), y[keep]
    with threads(N_THREADS[0]):
        r = permutation_importance(
            model, X, y, scoring="roc_auc", n_repeats=n_repeats, random_state=seed, n_jobs=1
        )
    out = pd.DataFrame(
        {
            "feature": spec.features,
            "label": [label(c) for c in spec.features],
            "importance_mean": r.importances_mean,
            "importance_sd": r.importances_std,
        }
    )
    return out.sort_values(
        ["importance_mean", "feature"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def at_risk_list(targeted: pd.DataFrame, why: pd.DataFrame) -> pd.DataFrame:
    """The contact list: customers chosen by :func:`targeting` with their reasons.

    ``why`` comes from :func:`reasons` on the contacted customers (``targeted["contact"]``),
    in the same order. Returns ``rank``, ``customer_id``, ``probability``,
    ``expected_value_at_risk``, ``expected_profit`` and ``reasons``.

    Parameters
    ----------
    targeted : pandas.DataFrame
        The table of :func:`targeting`.
    why : pandas.DataFrame
        The table of :func:`reasons`, one row per contacted customer.

    Returns
    -------
    pandas.DataFrame
        One row per contacted customer, in rank order.
    """
    out = targeted[targeted["contact"]].reset_index(drop=True)
    if len(out) != len(why):
        raise CxReportError(
            f"The reasons ({len(why)} rows) must describe the {len(out)} "
            f"contacted customers, in the order of the targeting table."
        )
    out["reasons"] = why["reasons"].to_numpy() if len(why) else []
    return out[
        [
            "rank",
            "customer_id",
            "probability",
            "expected_value_at_risk",
            "expected_profit",
            "reasons",
        ]
    ]
