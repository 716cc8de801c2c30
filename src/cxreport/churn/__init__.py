"""Churn prediction: the modelling table, two honest models, validation, targeting, reasons.

What ``notebooks/03_churn.ipynb`` narrates, as pure functions over DataFrames:

* :func:`prepare` turns a :class:`~cxreport.data.Dataset` into a modelling table
  (:class:`ChurnData`). With history (``signup_date`` and ``churn_date`` in the customers
  table) it builds **monthly observation dates**: for each month start ``t`` every customer
  active at ``t`` is one row, its features are computed from what was known before ``t``
  (tenure, plan, fee, purchases, failed contacts, complaints, last NPS, ...), and the label
  says whether the customer left within ``horizon_months`` after ``t``. Without history it is
  one row per customer with the ``churned`` flag (a snapshot, such as IBM's Telco file).
* :func:`detect_features` types the columns and excludes identifier-like, constant and
  target-derived columns, each with a note.
* :func:`fit` cross-validates a regularised logistic regression and a regularised histogram
  gradient boosting model (time-forward folds and a time-forward holdout with history;
  repeated stratified folds otherwise; all preprocessing inside the folds), picks one by
  :data:`MODEL_RULE`, calibrates it only when its calibration error is poor, raises leakage
  alarms and refits it on all labelled rows.
* :func:`score`, :func:`targeting`, :func:`reasons`, :func:`importance` and
  :func:`churn_by_group` turn the fitted model into this month's at-risk list;
  :func:`contact_plan` says what the list is worth and, when no call pays, what would make one.
* :func:`wording`, :func:`kpis` and :func:`summary` say what the page may claim, decided by
  one flag, :attr:`ChurnData.mode`: a forecast over ``horizon_months`` with history, "share
  who have left" and "customers most like those who left" from a snapshot.
* :func:`save_model` / :func:`load_model` keep the fitted model and its model card, so that
  next month's run can score without retraining.

The submodules, in the order they build on one another (none imports one listed after it):

- :mod:`.settings`: the page's settings (:data:`SETTINGS`), :data:`MODEL_RULE`, the limits
  (:data:`MIN_POSITIVES`, :data:`MAX_ROWS`), the features' plain-word names (:func:`label`)
  and the check of the target column;
- :mod:`.features`: feature typing (:class:`FeatureSpec`, :func:`detect_features`);
- :mod:`.table`: the modelling table (:class:`ChurnData`) and what its builders share;
- :mod:`.snapshot` and :mod:`.history`: the table from an undated snapshot, and from dated
  history (monthly observation dates);
- :mod:`.build`: :func:`mode_of` and :func:`prepare`, which picks and builds the table;
- :mod:`.models`: the two models (:func:`make_model`) and their batched, thread-limited
  predictions (:data:`~.models.SCORE_BATCH`);
- :mod:`.validation`: :func:`fit` (cross-validation, holdout, choice, calibration, alarms,
  refit) and its result, :class:`ChurnFit`;
- :mod:`.scoring`: :func:`score`, :func:`targeting`, :func:`reasons`, :func:`importance`,
  :func:`at_risk_list`;
- :mod:`.observed`: observed churn by group (:func:`churn_by_group`, :func:`breakdowns`) and
  of the reporting cohort (:func:`observed_churn`);
- :mod:`.wording`: what the page may say (:class:`Wording`, :class:`ContactPlan`,
  :func:`kpis`, :func:`summary`, :func:`actions`);
- :mod:`.persistence`: :func:`save_model`, :func:`load_model`, :func:`model_card`,
  :func:`backtest`.
"""

from __future__ import annotations

from .build import has_history, mode_of, prepare
from .features import FeatureSpec, detect_features
from .models import MODEL_NAMES, SCORE_BATCH, make_model
from .observed import breakdowns, churn_by_group, failure_group, observed_churn, previous_churn
from .persistence import backtest, load_model, model_card, save_model
from .scoring import (
    MISSING_WORDS,
    at_risk_list,
    categories,
    importance,
    reasons,
    reference,
    score,
    targeting,
)
from .settings import (
    CALIBRATIONS,
    HARD_MIN_POSITIVES,
    LABELS,
    MAX_ROWS,
    MIN_POSITIVES,
    MODEL_RULE,
    POLICIES,
    SETTINGS,
    check_settings,
    label,
)
from .table import ChurnData
from .validation import ChurnFit, fit
from .wording import ContactPlan, Wording, actions, contact_plan, kpis, summary, wording

__all__ = [
    "CALIBRATIONS",
    "ChurnData",
    "ChurnFit",
    "ContactPlan",
    "FeatureSpec",
    "HARD_MIN_POSITIVES",
    "LABELS",
    "MAX_ROWS",
    "MIN_POSITIVES",
    "MISSING_WORDS",
    "MODEL_NAMES",
    "MODEL_RULE",
    "POLICIES",
    "SCORE_BATCH",
    "SETTINGS",
    "Wording",
    "actions",
    "at_risk_list",
    "backtest",
    "breakdowns",
    "categories",
    "check_settings",
    "churn_by_group",
    "contact_plan",
    "detect_features",
    "failure_group",
    "fit",
    "has_history",
    "importance",
    "kpis",
    "label",
    "load_model",
    "make_model",
    "mode_of",
    "model_card",
    "observed_churn",
    "prepare",
    "previous_churn",
    "reasons",
    "reference",
    "save_model",
    "score",
    "summary",
    "targeting",
    "wording",
]
