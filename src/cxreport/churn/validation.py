"""Honest validation (:func:`fit`): cross-validation and the time-forward holdout, the choice
between the two models (:data:`~.settings.MODEL_RULE`), calibration when needed, leakage
alarms, and the refit on every labelled row."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from .. import churn_eval
from ..errors import CxReportError
from ..errors import check_float as _check_float
from ..errors import check_int as _check_int
from ..i18n import _
from .features import TARGET_COPY
from .models import MODEL_NAMES, N_THREADS, make_model, predict, threads
from .settings import MIN_POSITIVES, SETTING
from .table import ChurnData


def _folds(d: ChurnData, *, n_splits: int, n_repeats: int, seed: int):
    """(train_idx, test_idx, fold_label) triples for the cross-validation."""
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    if d.time is None:
        if int(d.y.sum()) < MIN_POSITIVES:
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            return [(tr, te, f"fold {i + 1}") for i, (tr, te) in enumerate(cv.split(d.X, d.y))]
        cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
        return [
            (tr, te, f"repeat {i // n_splits + 1} fold {i % n_splits + 1}")
            for i, (tr, te) in enumerate(cv.split(d.X, d.y))
        ]
    # time-forward: train on months before a block, test on the block
    months = np.sort(d.time.unique())
    k = min(n_splits, len(months) - 2)
    start = len(months) - k * max(1, (len(months) // 2) // k)
    blocks = np.array_split(months[max(start, 2) :], k)
    out = []
    t = d.time.to_numpy()
    for b in blocks:
        tr = np.flatnonzero(t < b[0])
        te = np.flatnonzero(np.isin(t, b))
        if d.y[tr].sum() and d.y[te].sum() and (d.y[te] == 0).any():
            out.append((tr, te, f"{pd.Timestamp(b[0]):%Y-%m}..{pd.Timestamp(b[-1]):%Y-%m}"))
    return out


@dataclass
class ChurnFit:
    """Validation results, the chosen model and what the checks found.

    Attributes
    ----------
    folds : DataFrame
        One row per model and fold: ``model``, ``fold``, ``roc_auc``, ``pr_auc``, ``brier``,
        ``lift_top10``.
    summary : DataFrame
        Per model: mean and SD across folds of each score, plus the holdout scores (history).
    chosen : str
        ``"logistic"`` or ``"gbm"``.
    reason : str
        Why, in words (applies :data:`MODEL_RULE`).
    oof : DataFrame
        Out-of-sample predictions of the chosen model (columns ``y``, ``p`` and, after
        calibration, ``p_raw``): the first repeat's out-of-fold predictions (snapshot) or the
        time-forward holdout (history).
    metrics : dict
        :func:`cxreport.churn_eval.evaluate` on ``oof``.
    metrics_raw : dict or None
        The same before calibration (None when not calibrated).
    calibration : str
        ``"none"``, ``"sigmoid"`` or ``"isotonic"``.
    alarms : list of str
        Leakage and plausibility warnings (empty when none).
    model : Pipeline
        The chosen model (calibrated if needed) refitted on every labelled row.
    notes : list of str
    """

    folds: pd.DataFrame
    summary: pd.DataFrame
    chosen: str
    reason: str
    oof: pd.DataFrame
    metrics: dict
    metrics_raw: dict | None
    calibration: str
    alarms: list[str]
    model: object
    data: ChurnData
    validation: str
    notes: list[str] = field(default_factory=list)

    @property
    def auc(self) -> tuple[float, float]:
        """Mean and SD across folds of the chosen model's ROC-AUC.

        Returns
        -------
        tuple of float
            ``(mean, sd)``, from ``summary``.
        """
        r = self.summary.loc[self.chosen]
        return float(r["roc_auc_mean"]), float(r["roc_auc_sd"])


def _fit_predict(kind, d, tr, te, *, seed, splines, calibration="none"):
    model = _wrap(make_model(kind, d.spec, seed=seed, splines=splines), calibration)
    with warnings.catch_warnings(), threads(N_THREADS[0]):
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(d.X.iloc[tr], d.y[tr])
    return predict(model, d.X.iloc[te])


def _wrap(model, calibration: str):
    if calibration == "none":
        return model
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(model, method=calibration, cv=3)


def fit(
    d: ChurnData,
    *,
    seed: int = 42,
    n_splits: int = 5,
    n_repeats: int = 3,
    holdout_months: int = 3,
    splines: bool = False,
    models=("logistic", "gbm"),
    calibrate: str = "auto",
    ece_threshold: float = 0.05,
    leakage_auc: float = 0.87,
    n_threads: int = 1,
) -> ChurnFit:
    """Validate both models honestly, choose one, calibrate if needed, refit on all rows.

    Parameters
    ----------
    d : ChurnData
        From :func:`prepare`.
    seed : int, default=42
    n_splits, n_repeats : int, default=5, 3
        Folds (and repeats, snapshot only) of the cross-validation. With history the folds
        are time-forward blocks of observation months before the holdout.
    holdout_months : int, default=3
        History mode: the last observation months held out; the model is trained on the
        months before them and scored on them once (the time-forward score).
    splines : bool, default=False
        Spline-expand numeric features in the logistic regression.
    models : tuple of str
        Which models to compare (``"logistic"``, ``"gbm"``).
    calibrate : {"auto", "none", "sigmoid", "isotonic"}, default="auto"
        ``"auto"`` calibrates (isotonic with >= 1,000 positives, else sigmoid, fitted inside
        the training folds) only when the expected calibration error exceeds
        ``ece_threshold``; the before/after scores are kept.
    ece_threshold : float, default=0.05
    leakage_auc : float, default=0.87
        An out-of-sample ROC-AUC above this raises an alarm (honest churn models rarely
        exceed it; on IBM's Telco data the ceiling is about 0.85).
    n_threads : int, default=1
        OpenMP threads for gradient boosting (one is fastest on a busy shared machine).

    Returns
    -------
    ChurnFit
    """
    N_THREADS[0] = _check_int("n_threads", n_threads, 1, 64)
    seed = _check_int("seed", seed, 0)
    n_splits = _check_int("n_splits", n_splits, 2, 20)
    n_repeats = _check_int("n_repeats", n_repeats, 1, 20)
    holdout_months = _check_int("holdout_months", holdout_months, 1, 12)
    ece_threshold = _check_float("ece_threshold", ece_threshold, 0.0, 1.0)
    leakage_auc = _check_float("leakage_auc", leakage_auc, 0.5, 1.0)
    SETTING["calibrate"].check(calibrate)
    notes: list[str] = []
    models = _models(d, models, notes)
    split = _split(d, holdout_months, n_splits=n_splits, n_repeats=n_repeats, notes=notes)
    cv = _cross_validate(d, split, models, n_splits, n_repeats, seed=seed, splines=splines)
    chosen, reason = _choose(cv.folds, models)
    oof = _out_of_sample(d, split, cv, chosen)
    cal = _calibrate(d, split, cv, chosen, oof, calibrate, ece_threshold, seed, splines, notes)
    alarms = _alarms(d, cv.summary, chosen, leakage_auc)
    model = _refit(d, chosen, cal.method, seed=seed, splines=splines)
    return ChurnFit(
        cv.folds,
        cv.summary,
        chosen,
        reason,
        oof,
        cal.metrics,
        cal.metrics_raw,
        cal.method,
        alarms,
        model,
        d,
        split.validation,
        notes,
    )


@dataclass(frozen=True)
class _Split:
    """The rows cross-validated and, with history, the time-forward holdout: the positions
    of its rows in the table and its first observation month."""

    cv_data: ChurnData
    validation: str
    hold: np.ndarray | None = None
    cut: object = None

    def before(self, d: ChurnData) -> np.ndarray:
        """Positions of the rows of ``d`` observed before the holdout."""
        return np.flatnonzero((d.time < self.cut).to_numpy())


@dataclass(frozen=True)
class _CrossValidation:
    """The scores per model and fold (``folds``) and per model (``summary``, with the
    holdout's scores with history), each model's holdout predictions (history) and its
    out-of-fold predictions of the first repeat (``oof``: fold -> (test rows, scores))."""

    folds: pd.DataFrame
    summary: pd.DataFrame
    oof: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]
    holdout: dict[str, np.ndarray]


@dataclass(frozen=True)
class _Calibration:
    """The calibration applied (``"none"``, ``"sigmoid"``, ``"isotonic"``) and the
    out-of-sample scores after it and, when calibrated, before it."""

    method: str
    metrics: dict
    metrics_raw: dict | None = None


def _models(d: ChurnData, models, notes: list[str]) -> tuple[str, ...]:
    """The models to compare: those asked for, the logistic regression alone when there are
    too few churners to compare fairly (noted)."""
    models = tuple(models)
    if not models or any(m not in MODEL_NAMES for m in models):
        raise CxReportError(
            f"The 'models' parameter must name 'logistic' and/or 'gbm'; got {models!r}."
        )
    few = int(d.y.sum()) < MIN_POSITIVES
    if few and "gbm" in models and len(models) > 1:
        models = ("logistic",)
        notes.append(_("Gradient boosting skipped: too few churners to compare models fairly."))
    return models


def _split(
    d: ChurnData, holdout_months: int, *, n_splits: int, n_repeats: int, notes: list[str]
) -> _Split:
    """The data used for cross-validation (history: the months before the holdout) and how
    the model is validated, in words."""
    few = int(d.y.sum()) < MIN_POSITIVES
    if d.time is None:
        validation = (
            _("3-fold stratified cross-validation")
            if few
            else _(
                "{k}-fold stratified cross-validation repeated {n} times; all preprocessing "
                "inside the folds",
                k=n_splits,
                n=n_repeats,
            )
        )
        return _Split(d, validation)
    months = np.sort(d.time.unique())
    if len(months) - holdout_months < 3:
        holdout_months = max(1, len(months) - 3)
        notes.append(
            _(
                "Holdout shortened to {n} month(s) to keep at least 3 training months.",
                n=holdout_months,
            )
        )
    cut = months[-holdout_months]
    in_cv = (d.time < cut).to_numpy()
    hold = np.flatnonzero(~in_cv)
    cv_data = replace(
        d,
        X=d.X[in_cv].reset_index(drop=True),
        y=d.y[in_cv],
        ids=d.ids[in_cv].reset_index(drop=True),
        time=d.time[in_cv].reset_index(drop=True),
    )
    validation = _(
        "time-forward: folds train on earlier months and test on later ones; holdout = "
        "the last {n} observation month(s) ({month} onwards), scored once by a model "
        "trained on the months before",
        n=holdout_months,
        month=f"{pd.Timestamp(cut):%Y-%m}",
    )
    if d.y[hold].sum() == 0 or (d.y[hold] == 0).all():
        raise CxReportError(
            "The holdout months hold only one class; use a longer history or fewer holdout_months."
        )
    return _Split(cv_data, validation, hold, cut)


def _cross_validate(
    d: ChurnData,
    split: _Split,
    models: tuple[str, ...],
    n_splits: int,
    n_repeats: int,
    *,
    seed: int,
    splines: bool,
) -> _CrossValidation:
    """Every model fitted and scored in every fold, the scores summarised per model, and,
    with history, each model trained before the holdout and scored on it."""
    cv_data = split.cv_data
    folds = _folds(cv_data, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
    if not folds:
        raise CxReportError(
            "No validation fold holds both churners and non-churners; the "
            "data are too small for an honest check."
        )
    rows, oof_store = [], {m: {} for m in models}
    first_repeat = (
        [f for f in folds if f[2].startswith(("repeat 1 ", "fold"))] if d.time is None else folds
    )
    for m in models:
        for tr, te, name in folds:
            p = _fit_predict(m, cv_data, tr, te, seed=seed, splines=splines)
            rows.append(_fold_scores(m, name, cv_data.y[te], p))
            if any(f[2] == name for f in first_repeat):
                oof_store[m][name] = (te, p)
    fold_df = pd.DataFrame(rows)
    summary = fold_df.groupby("model", sort=False)[["roc_auc", "pr_auc", "brier", "lift_top10"]]
    summary = summary.agg(["mean", "std"])
    summary.columns = [f"{a}_{'sd' if b == 'std' else b}" for a, b in summary.columns]
    hold_pred = _holdout(d, split, models, summary, seed=seed, splines=splines)
    return _CrossValidation(fold_df, summary, oof_store, hold_pred)


def _fold_scores(model: str, fold: str, yt: np.ndarray, p: np.ndarray) -> dict:
    """One model's scores in one fold."""
    return {
        "model": model,
        "fold": fold,
        "n": len(yt),
        "churners": int(yt.sum()),
        "roc_auc": roc_auc_score(yt, p),
        "pr_auc": average_precision_score(yt, p),
        "brier": float(np.mean((p - yt) ** 2)),
        "lift_top10": churn_eval.top_share_lift(yt, p),
    }


def _holdout(
    d: ChurnData,
    split: _Split,
    models: tuple[str, ...],
    summary: pd.DataFrame,
    *,
    seed: int,
    splines: bool,
) -> dict[str, np.ndarray]:
    """History: each model trained on the months before the holdout and scored on it once;
    its scores join ``summary`` (``*_holdout``, in place). Snapshot: nothing."""
    hold_pred = {}
    if split.hold is not None:
        tr = split.before(d)
        for m in models:
            p = _fit_predict(m, d, tr, split.hold, seed=seed, splines=splines)
            hold_pred[m] = p
            ev = churn_eval.evaluate(d.y[split.hold], p)
            for k in ("roc_auc", "pr_auc", "brier", "lift_top10"):
                summary.loc[m, f"{k}_holdout"] = ev[k]
    return hold_pred


def _choose(fold_df: pd.DataFrame, models: tuple[str, ...]) -> tuple[str, str]:
    """The model kept by :data:`~.settings.MODEL_RULE`, and why, in words."""
    chosen, reason = "logistic", _("only the logistic regression was fitted")
    if "gbm" in models and "logistic" in models:
        a = fold_df[fold_df.model == "logistic"].set_index("fold")["roc_auc"]
        b = fold_df[fold_df.model == "gbm"].set_index("fold")["roc_auc"]
        diff = (b - a).dropna()
        md, sd = float(diff.mean()), float(diff.std(ddof=1)) if len(diff) > 1 else np.inf
        if md > sd:
            chosen = "gbm"
            reason = _(
                "gradient boosting beats logistic regression by {diff} ROC-AUC on average in "
                "the same folds, more than the fold-to-fold SD of the difference ({sd})",
                diff=f"{md:+.3f}",
                sd=f"{sd:.3f}",
            )
        else:
            reason = _(
                "gradient boosting differs from logistic regression by {diff} ROC-AUC on "
                "average in the same folds, within the fold-to-fold SD of the difference "
                "({sd}), so the simpler model is kept",
                diff=f"{md:+.3f}",
                sd=f"{sd:.3f}",
            )
    elif models == ("gbm",):
        chosen, reason = "gbm", _("only gradient boosting was fitted")
    return chosen, reason


def _out_of_sample(d: ChurnData, split: _Split, cv: _CrossValidation, chosen: str) -> pd.DataFrame:
    """Out-of-sample predictions of the chosen model (``y``, ``p``): the holdout's (history)
    or the first repeat's out-of-fold ones, in the order of the rows (snapshot)."""
    if split.hold is not None:
        return pd.DataFrame({"y": d.y[split.hold], "p": cv.holdout[chosen]})
    parts = sorted(cv.oof[chosen].values(), key=lambda t: t[0][0])
    oof_idx = np.concatenate([t[0] for t in parts])
    return pd.DataFrame({"y": split.cv_data.y[oof_idx], "p": np.concatenate([t[1] for t in parts])})


def _calibrate(
    d: ChurnData,
    split: _Split,
    cv: _CrossValidation,
    chosen: str,
    oof: pd.DataFrame,
    calibrate: str,
    ece_threshold: float,
    seed: int,
    splines: bool,
    notes: list[str],
) -> _Calibration:
    """Calibration only when needed (``calibrate="auto"``: when the ECE exceeds
    ``ece_threshold``), fitted inside the training folds: ``oof`` gets the calibrated
    scores in ``p`` and keeps the raw ones in ``p_raw`` (in place)."""
    metrics = churn_eval.evaluate(oof["y"], oof["p"])
    method = calibrate
    if calibrate == "auto":
        method = "none"
        if metrics["ece"] > ece_threshold:
            method = "isotonic" if int(d.y.sum()) >= 1000 else "sigmoid"
    if method == "none":
        return _Calibration("none", metrics)
    if split.hold is not None:
        p_cal = _fit_predict(
            chosen, d, split.before(d), split.hold, seed=seed, splines=splines, calibration=method
        )
    else:
        p_cal = np.empty(len(oof))
        pos = 0
        for te, _p in sorted(cv.oof[chosen].values(), key=lambda t: t[0][0]):
            tr = np.setdiff1d(np.arange(len(d.y)), te)
            p_cal[pos : pos + len(te)] = _fit_predict(
                chosen, d, tr, te, seed=seed, splines=splines, calibration=method
            )
            pos += len(te)
    metrics_raw = metrics
    oof["p_raw"] = oof["p"]
    oof["p"] = p_cal
    metrics = churn_eval.evaluate(oof["y"], oof["p"])
    notes.append(
        f"Calibration error (ECE) {metrics_raw['ece']:.3f} exceeded "
        f"{ece_threshold}: {method} calibration fitted inside the training folds "
        f"brings it to {metrics['ece']:.3f} (Brier {metrics_raw['brier']:.4f} -> "
        f"{metrics['brier']:.4f})."
    )
    return _Calibration(method, metrics, metrics_raw)


def _refit(d: ChurnData, chosen: str, calibration: str, *, seed: int, splines: bool):
    """The chosen model (calibrated when it was) refitted on every labelled row."""
    model = _wrap(make_model(chosen, d.spec, seed=seed, splines=splines), calibration)
    with warnings.catch_warnings(), threads(N_THREADS[0]):
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(d.X, d.y)
    return model


def _alarms(d: ChurnData, summary: pd.DataFrame, chosen: str, leakage_auc: float) -> list[str]:
    out = []
    auc = float(summary.loc[chosen, "roc_auc_mean"])
    if auc > leakage_auc:
        out.append(
            _(
                "Out-of-sample ROC-AUC {auc} is above {limit}, more than honest churn models "
                "usually reach (IBM Telco ceiling about 0.85). Check for columns recorded "
                "after churn (cancellation reasons, final bills, churn dates), duplicated "
                "customers, or resampling before the split.",
                auc=f"{auc:.3f}",
                limit=f"{leakage_auc:.2f}",
            )
        )
    if "roc_auc_holdout" in summary:
        h = float(summary.loc[chosen, "roc_auc_holdout"])
        if h < auc - 0.05:
            out.append(
                _(
                    "The time-forward holdout ROC-AUC ({holdout}) is well below the "
                    "cross-validation score ({auc}): behaviour drifted; expect the lower "
                    "figure next month.",
                    holdout=f"{h:.3f}",
                    auc=f"{auc:.3f}",
                )
            )
    if d.ids.duplicated().any() and d.time is None:
        out.append(
            _(
                "{n} duplicated customer ids: the same customer can sit in training and test "
                "folds, which inflates the scores.",
                n=int(d.ids.duplicated().sum()),
            )
        )
    copy = _(TARGET_COPY).split("{", 1)[0]  # the reason detect_features gave, in its words
    copies = [k for k, v in d.spec.excluded.items() if v.startswith(copy)]
    if copies:
        out.append(
            _(
                "Excluded as target copies (single-feature ROC-AUC > 0.95): {columns}.",
                columns=", ".join(copies),
            )
        )
    return out
