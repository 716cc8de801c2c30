"""The churn page's settings and constants, the features' plain-word names, and the check of
the target column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CxReportError, NotApplicable
from ..i18n import N_, _
from ..settings import Setting, by_name, check

#: How the model is chosen (shown in the notebook).
MODEL_RULE = (
    "Logistic regression is the default because it is simpler to explain and to audit. "
    "Gradient boosting replaces it only when its ROC-AUC is higher in the same validation "
    "folds by more than the fold-to-fold noise: the mean paired difference must exceed the "
    "standard deviation of the paired differences across folds."
)

#: Plain-word names of the features built from history.
LABELS = {
    "tenure_months": N_("months as a customer"),
    "plan": N_("price plan"),
    "monthly_fee": N_("monthly fee"),
    "region": N_("region"),
    "channel": N_("channel"),
    "age_band": N_("age band"),
    "purchases_1m": N_("purchases last month"),
    "purchases_3m": N_("purchases in the last 3 months"),
    "spend_3m": N_("spend in the last 3 months"),
    "months_since_purchase": N_("months since the last purchase"),
    "contacts_3m": N_("contacts in the last 3 months"),
    "failures_1m": N_("failed contacts last month"),
    "failures_3m": N_("failed contacts in the last 3 months"),
    "complaints_3m": N_("complaints in the last 3 months"),
    "open_complaints": N_("complaints still open"),
    "last_nps": N_("last NPS answer (0-10)"),
    "tenure_days": N_("days as a customer"),
}

MIN_POSITIVES = 50  # below this the validation is too noisy: fall back to fewer folds
HARD_MIN_POSITIVES = 10  # below this nothing honest can be said
#: Labelled rows the model is trained and validated on at most (a seeded sample above it): at
#: 1M customers the 11M customer-months took 20 minutes of fits and 14 GB; 250,000 rows hold
#: about 3,000 churners, plenty for a dozen features, and fit in about a minute.
MAX_ROWS = 250_000


def label(name: str) -> str:
    """Plain-word name of a feature in the report's language (the column name when none is
    known).

    Parameters
    ----------
    name : str
        The feature's column name (a key of :data:`LABELS` or any other column).

    Returns
    -------
    str
        Its label from :data:`LABELS`, translated, or ``name`` itself.
    """
    return _(LABELS[name]) if name in LABELS else name


CALIBRATIONS = ("auto", "none", "sigmoid", "isotonic")
POLICIES = ("budget", "profit")
_MONEY = {"low": 0, "high": 1e12}
#: The churn notebook's settings.
SETTINGS = (
    Setting(
        "horizon_months",
        int,
        1,
        "predict churn within this many months after the scoring date",
        low=1,
        high=12,
    ),
    Setting("use_history", bool, True, "time-aware training when signup and churn dates exist"),
    Setting(
        "holdout_months",
        int,
        3,
        "history: last observation months held out as the time-forward test",
        low=1,
        high=12,
    ),
    Setting("n_splits", int, 5, "cross-validation folds", low=2, high=20),
    Setting(
        "n_repeats",
        int,
        2,
        "repeats of the stratified cross-validation (no history)",
        low=1,
        high=20,
    ),
    Setting("splines", bool, False, "spline-expand numeric features in the logistic regression"),
    Setting(
        "calibrate",
        str,
        "auto",
        "probability calibration: auto (only when the ECE is poor), none, sigmoid or isotonic",
        choices=CALIBRATIONS,
    ),
    Setting(
        "policy",
        str,
        "profit",
        "who to contact: profit (expected profit above 0, at most budget_contacts) or budget "
        "(the top budget_contacts, paying or not)",
        choices=POLICIES,
    ),
    Setting(
        "budget_contacts",
        int,
        100,
        "most customers the team can contact (caps both policies)",
        low=0,
    ),
    Setting(
        "retained_value",
        float,
        200.0,
        "value of keeping a customer who would have left (currency)",
        **_MONEY,
    ),
    Setting("contact_cost", float, 5.0, "cost of one retention contact (currency)", **_MONEY),
    Setting(
        "offer_cost",
        float,
        10.0,
        "cost of the retention offer to a customer who accepts it (currency)",
        **_MONEY,
    ),
    Setting(
        "acceptance_rate",
        float,
        0.3,
        "share of would-be churners who stay when contacted",
        low=0,
        high=1,
    ),
    Setting(
        "importance_repeats",
        int,
        5,
        "shuffles per feature for permutation importance",
        low=1,
        high=100,
    ),
    Setting(
        "reuse_model",
        bool,
        False,
        "score with last month's saved model (history_dir) instead of refitting",
    ),
    Setting("show_top", int, 15, "rows of the at-risk list shown in this report", low=0),
    Setting(
        "max_rows",
        int,
        MAX_ROWS,
        "labelled rows the model is fitted on at most (above it a seeded sample stratified by "
        "churn; 0: all); everyone is scored",
        low=0,
    ),
)
SETTING = by_name(SETTINGS)


def check_settings(**values) -> None:
    """The churn notebook's settings (:data:`SETTINGS`), checked before any model is fitted
    (and by the runner before any kernel starts).

    Parameters
    ----------
    **values
        Setting name -> value; names that are not in :data:`SETTINGS` are ignored.

    Raises
    ------
    ParameterError
        Naming every value that its setting does not accept.
    """
    check(SETTINGS, values)


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def binary_target(values: pd.Series, name: str) -> np.ndarray:
    """0/1 labels from a bool, 0/1 or two-valued column, with a clear message otherwise.

    Parameters
    ----------
    values : pandas.Series
        The target column: bools, 0/1 or their text (``"true"``/``"false"``, any case); no
        empty value.
    name : str
        The column's name, for the messages.

    Returns
    -------
    numpy.ndarray
        1 for churned, 0 for stayed, one per row of ``values``.

    Raises
    ------
    CxReportError
        When a value is empty or the column is not binary.
    NotApplicable
        When every row has the same label.
    """
    s = values.dropna()
    if len(s) < len(values):
        raise CxReportError(
            f"The target '{name}' is empty for {len(values) - len(s)} rows; "
            f"every customer needs a churned yes/no value."
        )
    uniq = pd.unique(s)
    if len(uniq) > 2 or not set(pd.Series(uniq).astype(str).str.lower()) <= {
        "true",
        "false",
        "1",
        "0",
        "1.0",
        "0.0",
    }:
        shown = ", ".join(map(repr, list(uniq)[:6]))
        raise CxReportError(
            f"The target '{name}' must be binary (churned yes/no); it holds {len(uniq)} "
            f"distinct values ({shown}{', ...' if len(uniq) > 6 else ''}). Declare which value "
            f"means churned in cxreport.yaml (tables.customers.true_values: {{churned: [Yes]}})."
        )
    y = s.astype(str).str.lower().isin(["true", "1", "1.0"]).to_numpy().astype(int)
    if len(np.unique(y)) < 2:
        which = "churned" if y[0] == 1 else "active"
        raise NotApplicable(
            f"A churn model needs both churners and customers who stayed; the target "
            f"'{name}' has one class only: all {len(y)} rows are {which}. Check the target "
            f"column and its true_values in cxreport.yaml."
        )
    return y
