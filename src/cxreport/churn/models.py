"""The two models (:func:`make_model`), and their predictions in batches on a set number of
OpenMP threads."""

from __future__ import annotations

import numpy as np

from ..errors import CxReportError
from ..i18n import N_
from .features import FeatureSpec


def make_model(
    kind: str, spec: FeatureSpec, *, seed: int = 42, splines: bool = False, C: float = 1.0
):
    """An unfitted scikit-learn pipeline; all preprocessing happens inside it.

    ``"logistic"``: median imputation with missing indicators, optional splines, scaling and
    one-hot encoding (unknown categories ignored), then an L2-regularised logistic
    regression. ``"gbm"``: ordinal-encoded categories (unknown -> missing) and a histogram
    gradient boosting model with a small learning rate, shallow trees and L2 regularisation,
    up to 250 trees, fewer when early stopping (above 10,000 rows) finds no gain.

    Parameters
    ----------
    kind : {"logistic", "gbm"}
        Which of the two models.
    spec : FeatureSpec
        The feature columns: ``spec.numeric`` and ``spec.categorical`` are the columns the
        pipeline reads.
    seed : int, default=42
        ``random_state`` of the boosting model (its early-stopping split); the logistic
        regression does not use it.
    splines : bool, default=False
        Logistic regression: spline-expand the numeric features (5 knots, cubic).
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression (scikit-learn's ``C``).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted: the preprocessing step ``"prep"`` and the classifier ``"model"``.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import (
        OneHotEncoder,
        OrdinalEncoder,
        SplineTransformer,
        StandardScaler,
    )

    if kind == "logistic":
        num_steps = [SimpleImputer(strategy="median", add_indicator=True)]
        if splines:
            num_steps.append(SplineTransformer(n_knots=5, degree=3))
        num_steps.append(StandardScaler())
        cat = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="ignore"),
        )
        pre = ColumnTransformer(
            [("num", make_pipeline(*num_steps), spec.numeric), ("cat", cat, spec.categorical)]
        )
        return Pipeline([("prep", pre), ("model", LogisticRegression(C=C, max_iter=2000))])
    if kind == "gbm":
        pre = ColumnTransformer(
            [
                ("num", "passthrough", spec.numeric),
                (
                    "cat",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=np.nan,
                        encoded_missing_value=np.nan,
                    ),
                    spec.categorical,
                ),
            ]
        )
        mask = [False] * len(spec.numeric) + [True] * len(spec.categorical)
        gbm = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=250,
            max_depth=3,
            max_leaf_nodes=8,
            min_samples_leaf=40,
            l2_regularization=1.0,
            # above 10,000 rows, stop when the loss on a seeded 10% of the training rows has
            # not improved in 10 rounds: about 120 trees at 250,000 rows, half the time, the
            # same AUC (Telco, at 5,600 training rows, keeps all 250)
            early_stopping="auto",
            validation_fraction=0.1,
            n_iter_no_change=10,
            categorical_features=mask if any(mask) else None,
            random_state=seed,
        )
        return Pipeline([("prep", pre), ("model", gbm)])
    raise CxReportError(f"The 'kind' parameter must be 'logistic' or 'gbm'; got {kind!r}.")


#: The models' names (English in the model card; the page shows them through ``_()``).
MODEL_NAMES = {
    "logistic": N_("Logistic regression (L2)"),
    "gbm": N_("Gradient boosting (histogram)"),
}


#: Customers scored at a time (the model's encoders copy what they score). :func:`predict`
#: reads it here: a test that changes it patches ``cxreport.churn.models.SCORE_BATCH`` (the
#: package's re-export is a copy nobody reads).
SCORE_BATCH = 200_000
#: Threads for boosting fits and predictions: set per call by ``fit(n_threads=...)``, read by
#: every fit and prediction after it (one list, changed in place).
N_THREADS = [1]


def threads(n: int = 1):
    """Limit OpenMP threads (histogram boosting): on a shared machine, spinning OpenMP
    threads that wait for a busy core make a fit 5-10 times slower than one thread.

    Parameters
    ----------
    n : int, default=1
        Most OpenMP threads.

    Returns
    -------
    threadpoolctl.threadpool_limits
        A context manager: the limit holds inside its ``with`` block.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="openmp")


def predict(model, X) -> np.ndarray:
    """The churn probability of each row of ``X``, :data:`SCORE_BATCH` rows at a time.

    Parameters
    ----------
    model : fitted classifier
        Any fitted model with ``predict_proba`` (a :func:`make_model` pipeline, calibrated or
        not); run on :data:`N_THREADS` OpenMP threads.
    X : pandas.DataFrame
        The rows to score, with the model's feature columns.

    Returns
    -------
    numpy.ndarray
        The probability of class 1 (churn), one per row of ``X``.
    """
    out = np.empty(len(X))
    with threads(N_THREADS[0]):
        for lo in range(0, len(X), SCORE_BATCH):
            out[lo : lo + SCORE_BATCH] = model.predict_proba(X.iloc[lo : lo + SCORE_BATCH])[:, 1]
    return out
