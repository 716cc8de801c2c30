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
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from . import churn_eval
from .data import engine
from .data.engine import engine_of
from .data.lookup import positions
from .errors import CxReportError, NotApplicable
from .errors import check_float as _check_float
from .errors import check_int as _check_int
from .i18n import N_, _, number, percent
from .nps import nps_group
from .settings import Setting, by_name, check

__all__ = [
    "ChurnData",
    "ChurnFit",
    "ContactPlan",
    "FeatureSpec",
    "MODEL_RULE",
    "Wording",
    "at_risk_list",
    "backtest",
    "breakdowns",
    "churn_by_group",
    "contact_plan",
    "detect_features",
    "fit",
    "importance",
    "kpis",
    "load_model",
    "make_model",
    "mode_of",
    "observed_churn",
    "prepare",
    "reasons",
    "save_model",
    "score",
    "summary",
    "targeting",
    "wording",
]

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
    known)."""
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
_SETTING = by_name(SETTINGS)
#: Customers scored at a time (the model's encoders copy what they score).
SCORE_BATCH = 200_000


def check_settings(**values) -> None:
    """The churn notebook's settings (:data:`SETTINGS`), checked before any model is fitted
    (and by the runner before any kernel starts)."""
    check(SETTINGS, values)


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _binary_target(values: pd.Series, name: str) -> np.ndarray:
    """0/1 labels from a bool, 0/1 or two-valued column, with a clear message otherwise."""
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


# --------------------------------------------------------------------------------------------
# feature typing
# --------------------------------------------------------------------------------------------


@dataclass
class FeatureSpec:
    """Which columns feed the model, as what, and which were left out (with the reason)."""

    numeric: list[str]
    categorical: list[str]
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def excluded_table(self) -> pd.DataFrame:
        return pd.DataFrame({"column": list(self.excluded), "reason": list(self.excluded.values())})


def _univariate_auc(x: pd.Series, y: np.ndarray, categorical: bool) -> float:
    if categorical:
        key = x.astype(object).where(x.notna(), "<missing>").astype(str)
        score = pd.Series(y, index=x.index).groupby(key).transform("mean").to_numpy()
    else:
        v = pd.to_numeric(x, errors="coerce").astype(float)
        score = v.fillna(v.median()).to_numpy()
    if np.unique(score).size < 2:
        return 0.5
    a = roc_auc_score(y, score)
    return float(max(a, 1 - a))


#: Why a column that predicts churn on its own is left out (:func:`_alarms` finds it by this).
_TARGET_COPY = N_(
    "predicts churn almost perfectly on its own (ROC-AUC {auc} > {limit}): most likely "
    "recorded after or because of churn"
)


def detect_features(
    frame: pd.DataFrame,
    y,
    *,
    exclude: dict[str, str] | None = None,
    copy_auc: float = 0.95,
    max_levels: int = 50,
) -> FeatureSpec:
    """Type the candidate feature columns and exclude the ones a model must not use.

    Parameters
    ----------
    frame : DataFrame
        Candidate features only (no id, no target).
    y : array-like
        0/1 labels, used to spot columns that copy the target.
    exclude : dict, optional
        Columns to leave out from the start, with the reason (e.g. ``churn_date``).
    copy_auc : float, default=0.95
        A column whose ROC-AUC on its own exceeds this is treated as derived from the target
        (recorded after or because of churn) and excluded.
    max_levels : int, default=50
        Text columns with more distinct values are identifier-like (free text, ids, e-mail
        addresses) and excluded.

    Returns
    -------
    FeatureSpec
    """
    y = np.asarray(y).astype(int)
    excluded = dict(exclude or {})
    numeric, categorical = [], []
    n = len(frame)
    for col in frame.columns:
        if col in excluded:
            continue
        s = frame[col]
        nun = s.nunique(dropna=True)
        if nun <= 1:
            excluded[col] = _("constant (one value for every row)")
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            excluded[col] = _("a date (dates enter the model only as tenure)")
            continue
        is_number = pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s)
        if is_number:
            s = s.astype(float)
            whole = bool(np.all(np.mod(s.dropna(), 1) == 0))
            if whole and nun == s.notna().sum() and n > 50 and nun > 0.9 * n:
                excluded[col] = _("identifier-like (a different whole number on every row)")
                continue
        elif nun > max_levels:
            excluded[col] = (
                _("identifier-like or free text (unique on every row)")
                if nun == s.notna().sum()
                else _("identifier-like or free text ({n} values)", n=nun)
            )
            continue
        auc = _univariate_auc(s, y, categorical=not is_number)
        if auc > copy_auc:
            excluded[col] = _(_TARGET_COPY, auc=f"{auc:.3f}", limit=copy_auc)
            continue
        (numeric if is_number else categorical).append(col)
    if not numeric and not categorical:
        reasons = "; ".join(f"{k}: {v}" for k, v in list(excluded.items())[:8])
        raise CxReportError(
            "No usable feature is left for the churn model: every candidate column is constant, "
            f"identifier-like or derived from the target ({reasons}). Add customer attributes "
            "that vary, or the transactions/touchpoints tables."
        )
    return FeatureSpec(numeric, categorical, excluded)


# --------------------------------------------------------------------------------------------
# the modelling table
# --------------------------------------------------------------------------------------------


@dataclass
class ChurnData:
    """The modelling table and the customers to score this month.

    Attributes
    ----------
    X, y : DataFrame, ndarray
        Features (columns of ``spec``) and 0/1 labels of the labelled rows.
    ids : Series
        Customer id per labelled row.
    time : Series or None
        Observation date per labelled row (history mode), else None.
    current : DataFrame
        Features of the customers to score (active at the end of the reporting month).
    current_ids : Series
    spec : FeatureSpec
    mode : str
        ``"history"`` (observation dates) or ``"snapshot"`` (:func:`mode_of`). The one flag
        that decides what the scores may be called (:func:`wording`).
    horizon_months : int or None
        History: the label is churn within this many months. Snapshot: None (the label is
        "has left at some point"; there is no date to count months from).
    as_of : Timestamp
        History: the moment the current customers are scored at (the first moment after the
        month). Snapshot: the end of the reporting month, used only to count tenure from a
        signup date; the snapshot itself carries no date.
    notes : list of str
    """

    X: pd.DataFrame
    y: np.ndarray
    ids: pd.Series
    time: pd.Series | None
    current: pd.DataFrame
    current_ids: pd.Series
    spec: FeatureSpec
    mode: str
    horizon_months: int | None
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)
    #: (churners, customers) of the reporting month's cohort, counted on every customer
    #: (:func:`observed_churn`), also when the labelled rows are a sample
    cohort: tuple[int, int] | None = None
    #: labelled rows before sampling (None when every row is kept)
    sampled_from: int | None = None

    @property
    def snapshot(self) -> bool:
        """True for a snapshot model ("has left at some point"), False with history."""
        return self.mode == "snapshot"

    @property
    def period(self) -> str:
        if self.time is None:
            return _("one undated snapshot of the customers table (who had left when it was taken)")
        return _(
            "observation dates {first} to {last} ({n} months)",
            first=f"{self.time.min():%Y-%m-%d}",
            last=f"{self.time.max():%Y-%m-%d}",
            n=self.time.nunique(),
        )


class _ShortHistory(CxReportError):
    """Too few observation months for time-aware training (prepare falls back to a
    snapshot)."""


def mode_of(data, *, use_history: bool = True) -> str:
    """``"history"`` when observation dates can be built and ``use_history`` is on, else
    ``"snapshot"``: the decision :func:`prepare` takes, and so the one flag behind the page's
    wording (:func:`wording`)."""
    return "history" if use_history and has_history(data) else "snapshot"


def has_history(data) -> bool:
    """Can observation dates be built (signup and churn dates for the churned customers)?"""
    c = data.customers
    if c is None or "signup_date" not in c or "churn_date" not in c or "churned" not in c:
        return False
    churned = c["churned"].astype(bool)
    if not churned.any():
        return False
    dated = c.loc[churned, "churn_date"].notna().mean()
    return bool(dated >= 0.9 and c["signup_date"].notna().mean() >= 0.9)


_STATIC_EXCLUDE = {
    "churned": "the target",
    "churn_date": "derived from the target (known only after churn)",
    "signup_date": "a date (enters the model as tenure)",
}


def _clean_categories(frame: pd.DataFrame, cols) -> pd.DataFrame:
    """Categorical columns as text (object) with missing values as NaN, vectorised."""
    frame = frame.copy(deep=False)  # new columns replace the old: no need to copy them all
    for c in cols:
        # each row points at its level's one text (a text per row took 280 MB at 1M rows)
        codes, levels = pd.factorize(frame[c])
        text = np.array([str(v) for v in levels] + [np.nan], dtype=object)
        # code -1 (missing) takes the last: NaN
        frame[c] = pd.Series(text[codes], index=frame.index, dtype=object)
    return frame


def _sample(y: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray | None:
    """Sorted positions of a seeded sample of ``max_rows`` of the rows labelled ``y``,
    stratified by the label (each class keeps its share, rounded); None to keep all."""
    n = len(y)
    if not max_rows or n <= max_rows:
        return None
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y != 1)
    k_pos = int(round(max_rows * len(pos) / n))
    keep = [rng.choice(pos, k_pos, replace=False), rng.choice(neg, max_rows - k_pos, replace=False)]
    return np.sort(np.concatenate(keep))


def _sample_note(kept: int, total: int, what: str) -> str:
    return _(
        "The model is trained and validated on a seeded random sample of {kept} of the "
        "{total} labelled {what} (max_rows), which bounds the fits' time and memory; every "
        "customer is still scored, and the churn rate is counted on all of them.",
        kept=f"{kept:,}",
        total=f"{total:,}",
        what=_(what),
    )


def _snapshot(data, copy_auc: float, max_rows: int | None = None, seed: int = 42) -> ChurnData:
    c = data.customers.reset_index(drop=True)
    if "churned" not in c:
        raise CxReportError(
            "The customers table has no 'churned' column, so there is nothing to learn from. "
            "Map your churn flag in cxreport.yaml (tables.customers.columns.churned: <your "
            "column>) and its positive value (true_values: {churned: [Yes]})."
        )
    y = _binary_target(c["churned"], "churned")
    as_of = data.month_end
    feats = c.drop(columns=["customer_id"])
    notes = [
        _(
            "No history (signup and churn dates) in the customers table: the model learns "
            "from one snapshot (who has churned so far) with repeated stratified "
            "cross-validation, not from dated observations. It can say which active customers "
            "are most like those who left, not who will leave within a given period: there is "
            "no date to count one from (the settings for dated data, the number of months "
            "ahead and the holdout months, do not apply). The customers scored are the "
            "active ones, who are also in the training data, so their scores are in-sample; "
            "the validation figures are the honest ones."
        )
    ]
    if "signup_date" in feats:
        # the snapshot has no extraction date: tenure is counted to the reporting month's end
        feats["tenure_days"] = (as_of - feats["signup_date"]).dt.days.astype(float)
        notes.append(
            _(
                "Tenure is counted from the signup date to {day} (the end of the reporting "
                "month), since the snapshot itself carries no date.",
                day=f"{as_of:%Y-%m-%d}",
            )
        )
    exclude = {k: v for k, v in _STATIC_EXCLUDE.items() if k in feats}
    cohort = (int(y.sum()), len(y))
    keep = _sample(y, max_rows, seed)
    if keep is None:
        train, y_train, ids = feats, y, c["customer_id"]
    else:
        notes.append(_sample_note(len(keep), len(y), N_("customers")))
        train = feats.iloc[keep].reset_index(drop=True)
        y_train = y[keep]
        ids = c["customer_id"].iloc[keep].reset_index(drop=True)
    spec = detect_features(
        train.drop(columns=list(exclude)), y_train, exclude=exclude, copy_auc=copy_auc
    )
    X = _clean_categories(train[spec.features], spec.categorical)
    active = y == 0
    return ChurnData(
        X,
        y_train,
        ids,
        None,
        _clean_categories(feats.loc[active, spec.features], spec.categorical).reset_index(
            drop=True
        ),
        c.loc[active, "customer_id"].reset_index(drop=True),
        spec,
        "snapshot",
        None,
        as_of,
        notes,
        cohort=cohort,
        sampled_from=None if keep is None else len(y),
    )


def _cells(events: pd.DataFrame | None, date_col: str, ids: pd.Index, months) -> np.ndarray:
    """Each event's cell of a customers x months matrix (row * months + column), -1 for an
    event of an unknown customer or outside the months."""
    if events is None or not len(events):
        return np.empty(0, dtype=np.intp)
    row = positions(events["customer_id"], ids)
    col = months.get_indexer(events[date_col].dt.to_period("M"))
    return np.where((row >= 0) & (col >= 0), row * len(months) + col, -1)


def _monthly_counts(
    cells: np.ndarray, shape: tuple[int, int], value: pd.Series | None = None, mask=None
) -> np.ndarray:
    """customers x months matrix of event counts (int32, a quarter of the memory of floats
    at a million customers) or sums of ``value`` (float) from :func:`_cells`, for the events
    where ``mask`` holds (all by default)."""
    out = np.zeros(shape, dtype=np.int32 if value is None else float)
    ok = cells >= 0 if mask is None else (cells >= 0) & mask
    if not ok.any():
        return out
    w = None if value is None else value.to_numpy(float)[ok]
    # one pass over the events in their order (np.add.at took ten times as long)
    out += np.bincount(cells[ok], weights=w, minlength=out.size).reshape(shape).astype(out.dtype)
    return out


def _window(mat: np.ndarray, k: int, width: int, rows: np.ndarray) -> np.ndarray:
    """Sum over the ``width`` months before month index ``k`` (exclusive), for ``rows``, as
    floats."""
    lo = max(0, k - width)
    return mat[rows, lo:k].sum(axis=1).astype(float)


def _heavy_pandas(data, eng, ids: pd.Index, months: pd.PeriodIndex):
    """customers x months matrices of purchases, spend, contacts and failed contacts (zeros
    for a table the folder lacks), and whether transactions and touchpoints are present."""
    shape = (len(ids), len(months))
    tx = (
        data.table("transactions", ["customer_id", "date", "amount"])
        if data.has("transactions")
        else None
    )
    tp = (
        data.table("touchpoints", ["customer_id", "date", "outcome"])
        if data.has("touchpoints")
        else None
    )
    tx_cells, tp_cells = _cells(tx, "date", ids, months), _cells(tp, "date", ids, months)
    purchases = _monthly_counts(tx_cells, shape)
    spend = _monthly_counts(tx_cells, shape, tx["amount"] if tx is not None else None)
    contacts = _monthly_counts(tp_cells, shape)
    fails = _monthly_counts(
        tp_cells, shape, mask=(tp["outcome"] != "ok").to_numpy() if tp is not None else None
    )
    return purchases, spend, contacts, fails, tx is not None, tp is not None


def _heavy_engine(data, eng, ids: pd.Index, months: pd.PeriodIndex):
    """:func:`_heavy_pandas` from the engine's counts per customer and month
    (:func:`cxreport.data.engine.monthly`)."""
    shape = (len(ids), len(months))
    mats = {k: np.zeros(shape, dtype=np.int32) for k in ("purchases", "contacts", "fails")}
    mats["spend"] = np.zeros(shape, dtype=float)

    def place(frame, pairs):
        row, col = frame["row"].to_numpy(), frame["col"].to_numpy()
        for mat, column in pairs:
            mats[mat][row, col] = frame[column].to_numpy()

    span = {"ids": ids, "first": months[0], "last": months[-1]}
    if eng.has("transactions"):
        tx = engine.monthly(eng, "transactions", "date", value="amount", **span)
        place(tx, [("purchases", "n"), ("spend", "value")])
    if eng.has("touchpoints"):
        tp = engine.monthly(eng, "touchpoints", "date", failed=True, **span)
        place(tp, [("contacts", "n"), ("fails", "failed")])
    return (
        mats["purchases"],
        mats["spend"],
        mats["contacts"],
        mats["fails"],
        eng.has("transactions"),
        eng.has("touchpoints"),
    )


def _history(
    data,
    horizon: int,
    copy_auc: float,
    max_months: int | None,
    max_rows: int | None = None,
    seed: int = 42,
) -> ChurnData:
    c = data.customers.reset_index(drop=True)
    notes = []
    churned = c["churned"].astype(bool)
    undated = churned & c["churn_date"].isna()
    if undated.any():
        notes.append(
            _(
                "{n} churned customers have no churn date and are left out of the dated "
                "observations.",
                n=int(undated.sum()),
            )
        )
        c = c[~undated].reset_index(drop=True)
    ids = pd.Index(c["customer_id"])
    month = data.month
    eng = engine_of(data)
    firsts = [
        data.table(t, [col])[col].min()
        if eng is None or t not in engine.HEAVY
        else engine.history_start(eng, t, col)
        for t, col in (
            ("transactions", "date"),
            ("touchpoints", "date"),
            ("complaints", "opened"),
            ("survey", "date"),
        )
        if data.has(t)
    ]
    # history starts with the first recorded event (customers may have signed up long before)
    first_m = pd.Period(min(firsts) if firsts else c["signup_date"].min(), "M")
    if max_months is not None:
        first_m = max(first_m, month - max_months - 1)
    months = pd.period_range(first_m, month + 1, freq="M")  # last = scoring month start
    obs = months[1:]  # at least one month of history before the first observation
    last_label = month + 1 - horizon  # observation months whose label window is complete
    if (last_label - obs[0]).n + 1 < 3:
        raise _ShortHistory(
            f"Only {(last_label - obs[0]).n + 1} observation month(s) with a complete "
            f"{horizon}-month outcome before {month}; time-aware training needs at least 3. "
            f"Use a later month or a shorter horizon_months."
        )

    # only the columns used here: a page that never reads order ids never holds them
    def table(name, columns):
        return data.table(name, ["customer_id", *columns]) if data.has(name) else None

    co = table("complaints", ["opened", "resolved"])
    sv = table("survey", ["date", "nps"])
    shape = (len(ids), len(months))
    eng = engine_of(data)
    heavy = _heavy_pandas if eng is None else _heavy_engine
    purchases, spend, contacts, fails, has_tx, has_tp = heavy(data, eng, ids, months)
    complaints = _monthly_counts(_cells(co, "opened", ids, months), shape)
    static_cols = [k for k in c.columns if k not in ("customer_id", *_STATIC_EXCLUDE)]
    missing = [
        t
        for t, present in (
            ("transactions", has_tx),
            ("touchpoints", has_tp),
            ("complaints", co is not None),
            ("survey", sv is not None),
        )
        if not present
    ]
    if missing:
        notes.append(
            _(
                "Tables absent, so their features are not built: {tables}.",
                tables=", ".join(missing),
            )
        )

    # the customers active at each observation month start; rows of the months after the
    # last complete label and before the scoring month would be dropped, so are not built
    churn_date = c["churn_date"]
    scoring_m = month + 1
    chosen = {}
    for t_per in obs:
        if t_per > last_label and t_per != scoring_m:
            continue
        t = t_per.start_time
        active = (c["signup_date"] < t) & (churn_date.isna() | (churn_date >= t))
        chosen[t_per] = np.flatnonzero(active.to_numpy())
    labelled_m = [t for t in chosen if t != scoring_m]
    cohort = None
    if labelled_m:  # the reporting cohort, counted on every customer (observed_churn)
        t_last = max(labelled_m)
        idx = chosen[t_last]
        hit = _left_within(churn_date.to_numpy()[idx], t_last, horizon)
        cohort = (int(hit.sum()), len(idx))
    sizes = [len(chosen[t]) for t in labelled_m]
    labels = [_left_within(churn_date.to_numpy()[chosen[t]], t, horizon) for t in labelled_m]
    keep = _sample(np.concatenate([np.empty(0, bool), *labels]), max_rows, seed)
    if keep is not None:
        notes.append(_sample_note(len(keep), sum(sizes), N_("customer-months")))
        bounds = np.cumsum([0, *sizes])
        for t, lo, hi in zip(labelled_m, bounds[:-1], bounds[1:], strict=True):
            sel = keep[(keep >= lo) & (keep < hi)] - lo
            chosen[t] = chosen[t][sel]

    customer_ids = c["customer_id"].to_numpy()  # once (as Python objects, as before)
    static = {col: _compact(c[col]) for col in static_cols}
    signup_days = c["signup_date"].to_numpy()
    churn_days = churn_date.to_numpy()
    parts = []
    for t_per, idx in chosen.items():
        t = t_per.start_time
        k = months.get_loc(t_per)
        if not len(idx):
            continue
        f = pd.DataFrame({"customer_id": customer_ids[idx], "obs_date": t})
        f["tenure_months"] = (
            (np.datetime64(t) - signup_days[idx]) / np.timedelta64(1, "D")
        ).astype(float) / 30.44
        for col in static_cols:
            f[col] = static[col][idx]
        if has_tx:
            f["purchases_1m"] = _window(purchases, k, 1, idx)
            f["purchases_3m"] = _window(purchases, k, 3, idx)
            f["spend_3m"] = _window(spend, k, 3, idx)
            seen = purchases[idx, :k] > 0
            last = np.where(seen.any(axis=1), k - 1 - np.argmax(seen[:, ::-1], axis=1), -1)
            f["months_since_purchase"] = np.where(last >= 0, k - last - 1, np.nan)
        if has_tp:
            f["contacts_3m"] = _window(contacts, k, 3, idx)
            f["failures_1m"] = _window(fails, k, 1, idx)
            f["failures_3m"] = _window(fails, k, 3, idx)
        if co is not None:
            f["complaints_3m"] = _window(complaints, k, 3, idx)
            opened = (
                co[(co["opened"] < t) & (co["resolved"].isna() | (co["resolved"] >= t))]
                if "resolved" in co
                else co[co["opened"] < t]
            )
            f["open_complaints"] = (
                f["customer_id"].map(opened["customer_id"].value_counts()).fillna(0).to_numpy(float)
            )
        f["label"] = _left_within(churn_days[idx], t_per, horizon).astype(int)
        parts.append(f)
    del purchases, spend, contacts, fails, complaints
    table = pd.concat(parts, ignore_index=True)
    del parts
    if sv is not None and "nps" in sv and sv["customer_id"].notna().any():
        answers = sv.loc[
            sv["customer_id"].notna() & sv["nps"].notna(), ["customer_id", "date", "nps"]
        ].sort_values("date", kind="mergesort")
        answers["nps"] = answers["nps"].astype(float)
        answers["customer_id"] = answers["customer_id"].astype(str).astype(object)
        answers["date"] = answers["date"].astype("datetime64[ns]")
        # the last answer strictly before the observation date, at most 12 months old
        left = (
            table[["customer_id", "obs_date"]]
            .reset_index()
            .sort_values("obs_date", kind="mergesort")
        )
        left["customer_id"] = left["customer_id"].astype(str).astype(object)
        left["obs_date"] = left["obs_date"].astype("datetime64[ns]")
        m = pd.merge_asof(
            left,
            answers.rename(columns={"date": "obs_date_answer"}),
            left_on="obs_date",
            right_on="obs_date_answer",
            by="customer_id",
            allow_exact_matches=False,
            tolerance=pd.Timedelta(days=365),
        )
        table["last_nps"] = m.set_index("index")["nps"].reindex(table.index).to_numpy(float)

    scoring = table["obs_date"] == (month + 1).start_time
    labelled = table[~scoring & (table["obs_date"] <= last_label.start_time)]
    labelled = labelled.reset_index(drop=True)
    y = labelled["label"].to_numpy()
    cand = labelled.drop(columns=["customer_id", "obs_date", "label"])
    exclude = {}
    spec = detect_features(cand, y, exclude=exclude, copy_auc=copy_auc)
    X = _clean_categories(labelled[spec.features], spec.categorical)
    cur = table[scoring].reset_index(drop=True)
    notes.insert(
        0,
        _(
            "Time-aware training: one row per active customer and month start, features from "
            "what was known before that date, label = left within the next {horizon} month(s). "
            "{n} labelled customer-months, {churned} of them followed by churn.",
            horizon=horizon,
            n=f"{len(labelled):,}",
            churned=f"{int(y.sum()):,}",
        ),
    )
    return ChurnData(
        X,
        y,
        labelled["customer_id"],
        labelled["obs_date"],
        _clean_categories(cur[spec.features], spec.categorical),
        cur["customer_id"],
        spec,
        "history",
        horizon,
        (month + 1).start_time,
        notes,
        cohort=cohort,
        sampled_from=None if keep is None else sum(sizes),
    )


def _compact(values: pd.Series):
    """A customers column as an array to take rows from: numbers and dates as they are, text
    as a Categorical (a code per row instead of a Python text per row and observation)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy()
    return pd.Categorical(values)


def _left_within(churn_dates: np.ndarray, month: pd.Period, horizon: int) -> np.ndarray:
    """Whether each churn date falls within ``horizon`` months from the start of ``month``."""
    t = month.start_time
    end = t + pd.DateOffset(months=horizon)
    return (churn_dates >= np.datetime64(t)) & (churn_dates < np.datetime64(end))


def prepare(
    data,
    *,
    horizon_months: int = 1,
    use_history: bool = True,
    copy_auc: float = 0.95,
    max_months: int | None = 24,
    max_rows: int | None = MAX_ROWS,
    seed: int = 42,
) -> ChurnData:
    """Build the modelling table from a loaded data folder.

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``) with a reporting month.
    horizon_months : int, default=1
        Label = churns within this many months after the observation date (history mode).
    use_history : bool, default=True
        Build observation dates when the customers table has signup and churn dates; False
        forces the snapshot.
    copy_auc : float, default=0.95
        Exclude a feature whose ROC-AUC on its own exceeds this (target copy).
    max_months : int or None, default=24
        At most this many observation months (the most recent), to bound the table.
    max_rows : int or None, default=:data:`MAX_ROWS`
        At most this many labelled rows (customer-months, or customers in the snapshot): above
        it the model is trained and validated on a seeded random sample of them, stratified
        by the label (churners keep their share), so the fits take minutes, not hours, at a
        million customers. The customers to score (in batches of :data:`SCORE_BATCH`) and the
        reporting cohort's churn rate (:func:`observed_churn`) always cover everyone. 0 or
        None: every row.
    seed : int, default=42
        Seed of that sample.

    Returns
    -------
    ChurnData
    """
    horizon_months = _check_int("horizon_months", horizon_months, 1, 12)
    copy_auc = _check_float("copy_auc", copy_auc, 0.5, 1.0)
    if max_rows:
        max_rows = _check_int("max_rows", max_rows, 1000)
    seed = _check_int("seed", seed, 0)
    data.require("Churn prediction", "customers")
    if data.month is None:
        raise CxReportError("Churn prediction needs a reporting month (YYYY-MM).")
    short = None
    if mode_of(data, use_history=use_history) == "history":
        try:
            out = _history(data, horizon_months, copy_auc, max_months, max_rows, seed)
        except _ShortHistory as exc:
            short, out = str(exc), _snapshot(data, copy_auc, max_rows, seed)
    else:
        out = _snapshot(data, copy_auc, max_rows, seed)
    if short:
        out.notes.insert(
            0,
            f"{short.split(';')[0]}: too short a history for time-aware training, so the "
            "model learns from a snapshot (who has left, not who will leave next).",
        )
    pos = int(out.y.sum())
    if pos < HARD_MIN_POSITIVES:
        raise NotApplicable(
            f"A churn model needs at least {HARD_MIN_POSITIVES} churners (about "
            f"{MIN_POSITIVES} for a reliable one); the labelled data holds {pos}. A longer "
            f"history or a longer horizon_months would give more."
        )
    if pos < MIN_POSITIVES:
        out.notes.append(
            _(
                "Only {n} churners (fewer than {min}): validation uses 3 folds and the "
                "logistic regression only; treat every figure as rough.",
                n=pos,
                min=MIN_POSITIVES,
            )
        )
    for col, why in out.spec.excluded.items():
        out.notes.append(_("Column '{column}' is not used: {why}.", column=col, why=why))
    return out


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


def make_model(
    kind: str, spec: FeatureSpec, *, seed: int = 42, splines: bool = False, C: float = 1.0
):
    """An unfitted scikit-learn pipeline; all preprocessing happens inside it.

    ``"logistic"``: median imputation with missing indicators, optional splines, scaling and
    one-hot encoding (unknown categories ignored), then an L2-regularised logistic
    regression. ``"gbm"``: ordinal-encoded categories (unknown -> missing) and a histogram
    gradient boosting model with a small learning rate, shallow trees and L2 regularisation,
    up to 250 trees, fewer when early stopping (above 10,000 rows) finds no gain.
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
        """Mean and SD across folds of the chosen model's ROC-AUC."""
        r = self.summary.loc[self.chosen]
        return float(r["roc_auc_mean"]), float(r["roc_auc_sd"])


def _threads(n: int = 1):
    """Limit OpenMP threads (histogram boosting): on a shared machine, spinning OpenMP
    threads that wait for a busy core make a fit 5-10 times slower than one thread."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="openmp")


def _predict(model, X) -> np.ndarray:
    """The churn probability of each row of ``X``, :data:`SCORE_BATCH` rows at a time."""
    out = np.empty(len(X))
    with _threads(_N_THREADS[0]):
        for lo in range(0, len(X), SCORE_BATCH):
            out[lo : lo + SCORE_BATCH] = model.predict_proba(X.iloc[lo : lo + SCORE_BATCH])[:, 1]
    return out


_N_THREADS = [1]  # threads for boosting fits/predictions; set per call by fit(n_threads=...)


def _fit_predict(kind, d, tr, te, *, seed, splines, calibration="none"):
    model = _wrap(make_model(kind, d.spec, seed=seed, splines=splines), calibration)
    with warnings.catch_warnings(), _threads(_N_THREADS[0]):
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(d.X.iloc[tr], d.y[tr])
    return _predict(model, d.X.iloc[te])


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
    _N_THREADS[0] = _check_int("n_threads", n_threads, 1, 64)
    seed = _check_int("seed", seed, 0)
    n_splits = _check_int("n_splits", n_splits, 2, 20)
    n_repeats = _check_int("n_repeats", n_repeats, 1, 20)
    holdout_months = _check_int("holdout_months", holdout_months, 1, 12)
    ece_threshold = _check_float("ece_threshold", ece_threshold, 0.0, 1.0)
    leakage_auc = _check_float("leakage_auc", leakage_auc, 0.5, 1.0)
    _SETTING["calibrate"].check(calibrate)
    models = tuple(models)
    if not models or any(m not in MODEL_NAMES for m in models):
        raise CxReportError(
            f"The 'models' parameter must name 'logistic' and/or 'gbm'; got {models!r}."
        )
    notes: list[str] = []
    few = int(d.y.sum()) < MIN_POSITIVES
    if few and "gbm" in models and len(models) > 1:
        models = ("logistic",)
        notes.append(_("Gradient boosting skipped: too few churners to compare models fairly."))

    # the data used for cross-validation (history: months before the holdout)
    hold = None
    if d.time is not None:
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
        cv_data = ChurnData(
            d.X[in_cv].reset_index(drop=True),
            d.y[in_cv],
            d.ids[in_cv].reset_index(drop=True),
            d.time[in_cv].reset_index(drop=True),
            d.current,
            d.current_ids,
            d.spec,
            d.mode,
            d.horizon_months,
            d.as_of,
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
                "The holdout months hold only one class; use a longer history "
                "or fewer holdout_months."
            )
    else:
        cv_data = d
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
            yt = cv_data.y[te]
            rows.append(
                {
                    "model": m,
                    "fold": name,
                    "n": len(te),
                    "churners": int(yt.sum()),
                    "roc_auc": roc_auc_score(yt, p),
                    "pr_auc": average_precision_score(yt, p),
                    "brier": float(np.mean((p - yt) ** 2)),
                    "lift_top10": churn_eval.top_share_lift(yt, p),
                }
            )
            if any(f[2] == name for f in first_repeat):
                oof_store[m][name] = (te, p)
    fold_df = pd.DataFrame(rows)
    summary = fold_df.groupby("model", sort=False)[["roc_auc", "pr_auc", "brier", "lift_top10"]]
    summary = summary.agg(["mean", "std"])
    summary.columns = [f"{a}_{'sd' if b == 'std' else b}" for a, b in summary.columns]

    # holdout scores (history)
    hold_pred = {}
    if hold is not None:
        tr = np.flatnonzero((d.time < cut).to_numpy())
        for m in models:
            p = _fit_predict(m, d, tr, hold, seed=seed, splines=splines)
            hold_pred[m] = p
            ev = churn_eval.evaluate(d.y[hold], p)
            for k in ("roc_auc", "pr_auc", "brier", "lift_top10"):
                summary.loc[m, f"{k}_holdout"] = ev[k]

    # choose
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

    # out-of-sample predictions of the chosen model
    if hold is not None:
        oof = pd.DataFrame({"y": d.y[hold], "p": hold_pred[chosen]})
        oof_idx = hold
    else:
        parts = sorted(oof_store[chosen].values(), key=lambda t: t[0][0])
        oof_idx = np.concatenate([t[0] for t in parts])
        oof = pd.DataFrame({"y": cv_data.y[oof_idx], "p": np.concatenate([t[1] for t in parts])})
    metrics = churn_eval.evaluate(oof["y"], oof["p"])

    # calibration only when needed
    calibration, metrics_raw = "none", None
    method = calibrate
    if calibrate == "auto":
        method = "none"
        if metrics["ece"] > ece_threshold:
            method = "isotonic" if int(d.y.sum()) >= 1000 else "sigmoid"
    if method != "none":
        if hold is not None:
            tr = np.flatnonzero((d.time < cut).to_numpy())
            p_cal = _fit_predict(
                chosen, d, tr, hold, seed=seed, splines=splines, calibration=method
            )
        else:
            p_cal = np.empty(len(oof_idx))
            pos = 0
            for te, _p in sorted(oof_store[chosen].values(), key=lambda t: t[0][0]):
                tr = np.setdiff1d(np.arange(len(d.y)), te)
                p_cal[pos : pos + len(te)] = _fit_predict(
                    chosen, d, tr, te, seed=seed, splines=splines, calibration=method
                )
                pos += len(te)
        metrics_raw = metrics
        oof["p_raw"] = oof["p"]
        oof["p"] = p_cal
        metrics = churn_eval.evaluate(oof["y"], oof["p"])
        calibration = method
        notes.append(
            f"Calibration error (ECE) {metrics_raw['ece']:.3f} exceeded "
            f"{ece_threshold}: {method} calibration fitted inside the training folds "
            f"brings it to {metrics['ece']:.3f} (Brier {metrics_raw['brier']:.4f} -> "
            f"{metrics['brier']:.4f})."
        )

    alarms = _alarms(d, summary, chosen, leakage_auc)
    model = _wrap(make_model(chosen, d.spec, seed=seed, splines=splines), calibration)
    with warnings.catch_warnings(), _threads(_N_THREADS[0]):
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(d.X, d.y)
    return ChurnFit(
        fold_df,
        summary,
        chosen,
        reason,
        oof,
        metrics,
        metrics_raw,
        calibration,
        alarms,
        model,
        d,
        validation,
        notes,
    )


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
    copy = _(_TARGET_COPY).split("{", 1)[0]  # the reason detect_features gave, in its words
    copies = [k for k, v in d.spec.excluded.items() if v.startswith(copy)]
    if copies:
        out.append(
            _(
                "Excluded as target copies (single-feature ROC-AUC > 0.95): {columns}.",
                columns=", ".join(copies),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# scoring, targeting and reasons
# --------------------------------------------------------------------------------------------


def _unseen(model_cats: dict[str, list], X: pd.DataFrame) -> dict[str, list]:
    out = {}
    for c, seen in model_cats.items():
        if c in X:
            new = sorted(set(map(str, X[c].dropna().unique())) - set(map(str, seen)))
            if new:
                out[c] = new
    return out


def categories(d: ChurnData) -> dict[str, list]:
    """The categories seen in training, per categorical feature."""
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
    """
    missing = [c for c in spec.features if c not in X]
    if missing:
        raise CxReportError(
            f"The customers to score lack the model's feature(s) {', '.join(missing)}; the "
            f"saved model cannot be used. Retrain (reuse_model=False) or restore the columns."
        )
    X = _clean_categories(X[spec.features], spec.categorical)
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
    p = _predict(model, X)
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
    """
    _SETTING["policy"].check(policy)
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


# --------------------------------------------------------------------------------------------
# what the page may say: one flag (ChurnData.mode) decides the words
# --------------------------------------------------------------------------------------------


def _n_months(n: int) -> str:
    return _("1 month") if n == 1 else _("{n} months", n=n)


def _next(n: int) -> str:
    return _("the next month") if n == 1 else _("the next {n} months", n=n)


@dataclass(frozen=True)
class Wording:
    """What the page may call the scores and the counts, for one modelling table.

    Made by :func:`wording` from :attr:`ChurnData.mode` alone. With history the model learnt
    churn within a stated number of months of dated observations, so its scores are forecasts
    for that window. A snapshot model learnt "has left at some point": its score says how much
    an active customer resembles those who left (the share who had left among customers like
    them) and its counts describe the snapshot; it never speaks of a period ahead.

    Attributes
    ----------
    mode : str
        ``"history"`` or ``"snapshot"``.
    scope : str
        What this page can and cannot say, in one paragraph.
    score : str
        What one score is ("probability of leaving within the next month").
    predicted : str
        The score as an axis label ("predicted probability of leaving within 1 month").
    observed : str
        The observed outcome ("churn rate within 1 month", "share who have left").
    list_name : str
        What the contact list holds.
    scoring : str
        How this month's customers are scored.
    histogram_title, breakdowns : str
        Title of the score histogram; how the breakdowns count customers.
    period_label : str
        "Training period" or "Training data".
    rows : tuple of str
        Names of the modelling table's rows, its churners and the customers scored.
    window : str
        History: the forecast window ("the next month"); snapshot: "" (there is none).
    profit_caveat : str
        Why the money figures are a rough guide (snapshot), else "".
    """

    mode: str
    scope: str
    score: str
    predicted: str
    observed: str
    list_name: str
    scoring: str
    histogram_title: str
    breakdowns: str
    period_label: str
    rows: tuple[str, str, str]
    window: str = ""
    profit_caveat: str = ""


def wording(d: ChurnData) -> Wording:
    """The page's words for ``d``, decided by ``d.mode`` (see :class:`Wording`)."""
    if d.snapshot:
        return Wording(
            mode="snapshot",
            scope=_(
                "Undated snapshot: the file says who has left at some point, not when, so the "
                "model learns what the customers who left have in common. Its score says how "
                "much an active customer resembles them (the share who had left among "
                "customers like this one); it says nothing about when, or within which "
                "period, anyone will leave. Every count on this page describes the snapshot; "
                "none is a forecast. With signup and churn dates the same page forecasts a "
                "stated number of months ahead."
            ),
            score=_(
                "likeness to the customers who left (share who had left among similar customers)"
            ),
            predicted=_("predicted share who had left among similar customers"),
            observed=_("share who have left"),
            list_name=_("customers most like those who left"),
            scoring=_(
                "Every active customer is scored by how much they resemble the customers who "
                "left. They were in the training data (as customers who stayed), so their "
                "scores are in-sample; the validation scores above are the honest ones."
            ),
            histogram_title=_("How closely the active customers resemble those who left"),
            breakdowns=_(
                "Every customer of the snapshot counts once; the rate is the share who have "
                "left, whenever that was."
            ),
            period_label=_("Training data"),
            rows=(_("rows (customers)"), _("who have left"), _("active customers to score")),
            profit_caveat=_(
                "The expected profit reads each score as the chance that the customer leaves "
                "without a call. A snapshot cannot check that reading over any period, so "
                "take the money figures as a guide to which calls may pay, not as a forecast."
            ),
        )
    h, day = int(d.horizon_months), f"{d.as_of:%Y-%m-%d}"
    within, ahead = _n_months(h), _next(h)
    return Wording(
        mode="history",
        scope=_(
            "Dated data: the model learnt from monthly observation dates which customers "
            "left within {within} of each date, and was tested on later months it never saw. "
            "Its scores are probabilities of leaving within {ahead} from {day}, and the "
            "expected counts are forecasts for that window.",
            within=within,
            ahead=ahead,
            day=day,
        ),
        score=_("probability of leaving within {ahead}", ahead=ahead),
        predicted=_("predicted probability of leaving within {within}", within=within),
        observed=_("churn rate within {within}", within=within),
        list_name=_("customers most likely to leave within {ahead}", ahead=ahead),
        scoring=_(
            "Every active customer is scored as of {day}: the score is the probability of "
            "leaving within {ahead}.",
            day=day,
            ahead=ahead,
        ),
        histogram_title=_(
            "Probability of leaving within {ahead}, customers scored on {day}",
            ahead=ahead,
            day=day,
        ),
        breakdowns=_(
            "Plan, failures and NPS are counted over the customer-months of the last 12 "
            "observation months (the value known at each month start, churn within {within} "
            "after it; n counts customer-months); segments are this month's, so they use the "
            "latest month's customers only.",
            within=within,
        ),
        period_label=_("Training period"),
        rows=(_("rows (customer-months)"), _("followed by churn"), _("active customers to score")),
        window=ahead,
    )


@dataclass(frozen=True)
class ContactPlan:
    """What the contact list of :func:`targeting` is worth, and what would make calls pay.

    Attributes
    ----------
    policy : str
    budget_contacts : int
    scored, contacted, paying : int
        Customers scored, on the list, and with a positive expected profit (list or not).
    losing : int
        Customers on the list below break-even (only the budget policy lists them).
    expected_profit : float
        Expected profit of calling the list (currency).
    reached, expected : float
        Sum of the scores on the list and over everyone scored.
    top_score : float or None
        The highest score (None when nobody is scored).
    break_even : BreakEven or None
        :func:`cxreport.churn_eval.break_even` at ``top_score``: the score from which a call
        pays, and the acceptance rate or the offer cost at which the best call would pay.
    economics : dict
        ``retained_value``, ``contact_cost``, ``offer_cost``, ``acceptance_rate``.
    """

    policy: str
    budget_contacts: int
    scored: int
    contacted: int
    paying: int
    losing: int
    expected_profit: float
    reached: float
    expected: float
    top_score: float | None
    break_even: churn_eval.BreakEven | None
    economics: dict

    @property
    def capped(self) -> bool:
        """More calls would pay than the budget allows."""
        return self.paying > self.budget_contacts

    def sentences(self, w: Wording, *, currency: str = "") -> list[str]:
        """The plan in plain words (first sentence: the decision)."""
        cur = f" {currency}" if currency else ""
        out = []
        if self.contacted == 0 and self.paying == 0:
            out.append(
                _(
                    "No contact pays at the stated costs, so the contact list is empty (0 of "
                    "{n} customers).",
                    n=f"{self.scored:,}",
                )
            )
            out += self._break_even_words(cur)
            return out
        if self.policy == "profit":
            out.append(
                _(
                    "{n} of {scored} customers are on the contact list (profit policy: calls "
                    "whose expected profit is positive, at most {budget}); expected profit of "
                    "calling them: {profit}.",
                    n=f"{self.contacted:,}",
                    scored=f"{self.scored:,}",
                    budget=f"{self.budget_contacts:,}",
                    profit=f"{self.expected_profit:,.0f}{cur}",
                )
            )
            if self.capped:
                out.append(
                    _(
                        "The budget is the limit: {paying} calls would pay, the team can make "
                        "{budget}.",
                        paying=f"{self.paying:,}",
                        budget=f"{self.budget_contacts:,}",
                    )
                )
            elif self.contacted == 0:
                out.append(
                    _(
                        "budget_contacts is 0: {paying} calls would pay at the stated costs, "
                        "but none is planned.",
                        paying=f"{self.paying:,}",
                    )
                )
            else:
                out.append(
                    _(
                        "Only {paying} calls pay at the stated costs, fewer than the budget of "
                        "{budget}.",
                        paying=f"{self.paying:,}",
                        budget=f"{self.budget_contacts:,}",
                    )
                )
        else:
            out.append(
                _(
                    "{n} of {scored} customers are on the contact list (budget policy: the top "
                    "{budget} by score, paying or not); expected profit of calling them: "
                    "{profit}.",
                    n=f"{self.contacted:,}",
                    scored=f"{self.scored:,}",
                    budget=f"{self.budget_contacts:,}",
                    profit=f"{self.expected_profit:,.0f}{cur}",
                )
            )
            if self.losing:
                out.append(self.warning())
                if self.paying == 0:
                    out += self._break_even_words(cur)
        if w.window:  # a sum of snapshot scores counts nothing, so it is not shown
            out.append(
                _(
                    "Together they account for {reached} of the {expected} customers expected "
                    "to leave within {window}.",
                    reached=f"{self.reached:,.1f}",
                    expected=f"{self.expected:,.1f}",
                    window=w.window,
                )
            )
        if w.profit_caveat:
            out.append(w.profit_caveat)
        return out

    def warning(self) -> str:
        """The warning that calls on the list lose money ("" when none does)."""
        if not self.losing:
            return ""
        e = self.economics
        fields = dict(
            retained=f"{e['retained_value']:,.2f}",
            contact=f"{e['contact_cost']:,.2f}",
            offer=f"{e['offer_cost']:,.2f}",
            acceptance=f"{e['acceptance_rate']:.0%}",
            calls=f"{min(self.paying, self.budget_contacts):,}",
        )
        if self.losing == self.contacted:
            return _(
                "Warning: every one of these calls is below break-even at the stated costs "
                "(retained value {retained}, contact {contact}, offer {offer}, acceptance "
                "{acceptance}); the profit policy would make {calls} calls.",
                **fields,
            )
        return _(
            "Warning: {n} of these calls is below break-even at the stated costs (retained "
            "value {retained}, contact {contact}, offer {offer}, acceptance {acceptance}); the "
            "profit policy would make {calls} calls.",
            n=f"{self.losing:,}",
            **fields,
        )

    def _break_even_words(self, cur: str) -> list[str]:
        b, e = self.break_even, self.economics
        if b is None or self.top_score is None:
            return []
        out = []
        first = (
            _(
                "A call pays only for a customer whose score is above {p}",
                p=f"{b.probability:.1%}",
            )
            if b.probability is not None
            else _("At these costs no score, however high, makes a call pay")
        )
        best = float(
            churn_eval.contact_value(
                self.top_score,
                retained_value=e["retained_value"],
                contact_cost=e["contact_cost"],
                acceptance_rate=e["acceptance_rate"],
                offer_cost=e["offer_cost"],
            )
        )
        out.append(
            _(
                "{first}; the highest score among the customers scored is {top} (expected "
                "profit {profit} per call).",
                first=first,
                top=f"{self.top_score:.1%}",
                profit=f"{best:,.2f}{cur}",
            )
        )
        ways = []
        if b.acceptance_rate is not None:
            ways.append(
                _(
                    "an acceptance rate above {rate} (stated {stated})",
                    rate=f"{b.acceptance_rate:.1%}",
                    stated=f"{e['acceptance_rate']:.0%}",
                )
            )
        if b.offer_cost is not None:
            ways.append(
                _(
                    "an offer cost below {cost} (stated {stated})",
                    cost=f"{b.offer_cost:,.2f}{cur}",
                    stated=f"{e['offer_cost']:,.2f}",
                )
            )
        if len(ways) == 2:
            out.append(_("The best call would pay at {a} or {b}.", a=ways[0], b=ways[1]))
        elif ways:
            out.append(_("The best call would pay at {a}.", a=ways[0]))
        else:
            out.append(
                _(
                    "Neither a higher acceptance rate nor a cheaper offer makes the best call "
                    "pay: the contact cost alone exceeds its expected gain."
                )
            )
        return out


def contact_plan(
    targeted: pd.DataFrame,
    *,
    policy: str,
    budget_contacts: int,
    retained_value: float,
    contact_cost: float,
    acceptance_rate: float,
    offer_cost: float = 0.0,
) -> ContactPlan:
    """Summarise a :func:`targeting` table: list length, expected profit, break-even.

    The break-even is solved at the highest score (:func:`cxreport.churn_eval.break_even`):
    when no call pays, it says at which acceptance rate or offer cost the first one would.
    """
    contact = targeted["contact"].to_numpy(bool)
    profit = targeted["expected_profit"].to_numpy(float)
    p = targeted["probability"].to_numpy(float)
    economics = {
        "retained_value": float(retained_value),
        "contact_cost": float(contact_cost),
        "offer_cost": float(offer_cost),
        "acceptance_rate": float(acceptance_rate),
    }
    top = float(p.max()) if len(p) else None
    return ContactPlan(
        policy=policy,
        budget_contacts=int(budget_contacts),
        scored=len(targeted),
        contacted=int(contact.sum()),
        paying=int((profit > 0).sum()),
        losing=int((contact & (profit <= 0)).sum()),
        expected_profit=float(profit[contact].sum()),
        reached=float(p[contact].sum()),
        expected=float(p.sum()),
        top_score=top,
        break_even=None if top is None else churn_eval.break_even(top, **economics),
        economics=economics,
    )


def kpis(d: ChurnData, targeted: pd.DataFrame, plan: ContactPlan) -> list[dict]:
    """The month's churn KPIs as keyword arguments of ``run.record``, worded by ``d.mode``.

    History: ``churn_rate`` (the latest labelled cohort's churn within the window, Wilson
    95% CI), ``expected_lost`` (customers expected to leave within the next window: the sum
    of the probabilities, SE from their Bernoulli variance) and ``at_risk_count``.
    Snapshot: ``churn_rate`` holds the share of customers who have left (labelled so; the
    name stays for the index tile and month-on-month comparison), ``lookalike_count`` the
    active customers whose score is 50 % or more (most customers like them have left) and
    ``at_risk_count``. ``at_risk_count`` is always the real length of the contact list.
    """
    from .stats import wilson_interval

    k, n = observed_churn(d)
    lo, hi = wilson_interval(k, n)
    p = targeted["probability"].to_numpy(float)
    list_note = (
        _(
            "profit policy: calls with a positive expected profit, at most {budget}",
            budget=f"{plan.budget_contacts:,}",
        )
        if plan.policy == "profit"
        else _(
            "budget policy: the top {budget} by score, paying or not",
            budget=f"{plan.budget_contacts:,}",
        )
    )
    if plan.contacted == 0 and plan.paying == 0:
        list_note = _("{note}; no call pays at the stated costs", note=list_note)
    rate = dict(name="churn_rate", value=100 * k / n, unit="%", ci=(100 * lo, 100 * hi), n=n)
    before = previous_churn(d)
    if before is not None:
        (k0, n0), cohort = before
        lo0, hi0 = wilson_interval(k0, n0)
        rate["previous"] = dict(
            value=100 * k0 / n0,
            ci=(100 * lo0, 100 * hi0),
            label=_("the cohort of {month}", month=cohort),
        )
    if d.snapshot:
        return [
            {
                **rate,
                "label": _("Share of customers who have left (undated snapshot)"),
                "higher_is_better": False,
                "note": _("every customer in the file; not a rate per month"),
            },
            {
                "name": "lookalike_count",
                "value": int((p >= 0.5).sum()),
                "label": _("Active customers most like those who left (score 50 % or more)"),
                "n": len(p),
                "higher_is_better": False,
                "note": _("at least half of the customers like them have left; not a forecast"),
            },
            {
                "name": "at_risk_count",
                "value": plan.contacted,
                "label": _("Customers on the contact list (most like those who left)"),
                "higher_is_better": None,
                "note": list_note,
            },
        ]
    h = int(d.horizon_months)
    return [
        {
            **rate,
            "label": _(
                "Churn rate: left within {within} of {day}",
                within=_n_months(h),
                day=f"{d.time.max():%Y-%m-%d}",
            ),
            "higher_is_better": False,
            "note": _("customers active on that date"),
        },
        {
            "name": "expected_lost",
            "value": float(p.sum()),
            "label": _("Customers expected to leave in {ahead}", ahead=_next(h)),
            "se": float(np.sqrt(np.sum(p * (1 - p)))),
            "n": len(p),
            "higher_is_better": False,
            "note": _("from {day}: the sum of the probabilities", day=f"{d.as_of:%Y-%m-%d}"),
        },
        {
            "name": "at_risk_count",
            "value": plan.contacted,
            "label": _("Customers on the contact list"),
            "higher_is_better": None,
            "note": list_note,
        },
    ]


def summary(
    w: Wording, plan: ContactPlan, metrics: dict | None = None, *, currency: str = ""
) -> list[str]:
    """The page's summary: what the scores can say, how good they are, whom to call."""
    out = [w.scope]
    if metrics is not None:
        out.append(
            _(
                "Out of sample: ROC-AUC {auc}; {verdict} (section 3 gives the thresholds).",
                auc=f"{metrics['roc_auc']:.3f}",
                verdict=churn_eval.verdict_line(metrics, observed=w.observed),
            )
        )
    words = plan.sentences(w, currency=currency)
    # the decision, a warning about losing calls, and when nothing pays, what would
    if plan.contacted == 0 and plan.paying == 0:
        return out + words[:3]
    return out + words[:1] + ([plan.warning()] if plan.warning() else [])


def reference(X: pd.DataFrame, spec: FeatureSpec) -> dict:
    """The typical customer the reasons compare with: the median of each numeric feature and
    the most common value of each categorical one."""
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

    Returns
    -------
    DataFrame
        One row per customer (in the order of ``X``): ``reason_1`` ... ``reason_<top>`` and
        ``reasons`` (joined with "; ").
    """
    X = _clean_categories(X[spec.features].reset_index(drop=True), spec.categorical)
    n, feats = len(X), spec.features
    if n == 0:
        return pd.DataFrame(columns=["reasons"])
    base = _predict(model, X)
    stacked = pd.concat([X] * len(feats), ignore_index=True)
    for j, c in enumerate(feats):
        stacked.loc[j * n : (j + 1) * n - 1, c] = reference[c]
    alt = _predict(model, stacked).reshape(len(feats), n).T
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
    """
    from sklearn.inspection import permutation_importance

    X = _clean_categories(X[spec.features].reset_index(drop=True), spec.categorical)
    y = np.asarray(y)
    if len(X) > max_rows:
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X.iloc[keep].reset_index(drop=True), y[keep]
    with _threads(_N_THREADS[0]):
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


def churn_by_group(groups: pd.Series, y, *, name: str = "group", min_n: int = 1) -> pd.DataFrame:
    """Churn rate per group with Wilson 95% intervals.

    Returns ``group``, ``n``, ``churners``, ``churn_rate``, ``ci_low``, ``ci_high`` sorted by
    descending churn rate; groups with fewer than ``min_n`` rows are dropped.
    """
    from .stats import wilson_interval

    df = pd.DataFrame(
        {
            "group": groups.astype(object)
            .where(groups.notna(), "(missing)")
            .astype(str)
            .to_numpy(),
            "y": np.asarray(y).astype(int),
        }
    )
    t = df.groupby("group").agg(n=("y", "size"), churners=("y", "sum")).reset_index()
    t = t[t["n"] >= min_n]
    t["churn_rate"] = t["churners"] / t["n"]
    t["ci_low"], t["ci_high"] = wilson_interval(t["churners"], t["n"])
    t = t.sort_values(["churn_rate", "group"], ascending=[False, True], kind="mergesort")
    return t.rename(columns={"group": name}).reset_index(drop=True)


def failure_group(failures: pd.Series) -> pd.Series:
    """0, 1 or 2+ failed contacts."""
    f = pd.to_numeric(failures, errors="coerce").fillna(0)
    return pd.Series(
        np.where(f >= 2, _("2 or more"), np.where(f >= 1, "1", _("none"))),
        index=f.index,
        dtype=object,
    )


def breakdowns(
    d: ChurnData, *, segments: pd.Series | None = None, recent_months: int = 12, min_n: int = 20
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Observed churn rate by segment, plan, touchpoint failures and NPS group (Wilson CIs).

    History mode: the labelled customer-months of the last ``recent_months`` observation
    months (churn rate = share of customers active at a month start who left within the
    horizon); plan, failures and NPS are the values known at that month start. The segment is
    the customer's segment at the end of the reporting month (``segments``, from
    :func:`cxreport.segments.label_customers`), so it is broken down for the last observation
    month only, whose customers the segmentation still covers. Snapshot mode: every customer.

    Returns
    -------
    tables : dict
        Breakdown name -> :func:`churn_by_group` table (only those the data allow).
    notes : list of str
        Why a breakdown is missing.
    """
    recent_months = _check_int("recent_months", recent_months, 1, 120)
    X, y = d.X, d.y
    ids, time = d.ids, d.time
    if time is not None:
        months = np.sort(time.unique())[-recent_months:]
        keep = time.isin(months).to_numpy()
        X, y, ids, time = X[keep], y[keep], ids[keep], time[keep]
    tables, notes = {}, []
    if d.sampled_from is not None:
        notes.append(
            _(
                "These rates are counted on the model's sample of {n} of the {total} labelled "
                "rows (max_rows).",
                n=f"{len(d.y):,}",
                total=f"{d.sampled_from:,}",
            )
        )
    if segments is not None:
        rows = np.ones(len(y), bool) if time is None else (time == time.max()).to_numpy()
        seg = ids[rows].map(segments)
        if seg.notna().any():
            tables["segment"] = churn_by_group(
                seg.fillna(_("(not segmented)")), y[rows], name="segment", min_n=min_n
            )
    else:
        notes.append(
            _(
                "Churn by segment is left out: no segment labels (the segmentation needs the "
                "transactions table)."
            )
        )
    if "plan" in X:
        tables["plan"] = churn_by_group(X["plan"], y, name="plan", min_n=min_n)
    else:
        notes.append(_("Churn by plan is left out: the model has no 'plan' feature."))
    fail = next((c for c in ("failures_1m", "failures_3m") if c in X), None)
    if fail:
        tables["failures"] = churn_by_group(
            failure_group(X[fail]), y, name=f"{label(fail)}", min_n=min_n
        )
    else:
        notes.append(_("Churn by touchpoint failure is left out: no touchpoints table."))
    if "last_nps" in X:
        tables["nps"] = churn_by_group(nps_group(X["last_nps"]), y, name="NPS group", min_n=min_n)
    else:
        notes.append(_("Churn by NPS group is left out: no survey answers linked to customers."))
    return tables, notes


def at_risk_list(targeted: pd.DataFrame, why: pd.DataFrame) -> pd.DataFrame:
    """The contact list: customers chosen by :func:`targeting` with their reasons.

    ``why`` comes from :func:`reasons` on the contacted customers (``targeted["contact"]``),
    in the same order. Returns ``rank``, ``customer_id``, ``probability``,
    ``expected_value_at_risk``, ``expected_profit`` and ``reasons``.
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


def observed_churn(d: ChurnData) -> tuple[int, int]:
    """(churners, customers) of the reporting month's cohort (history: the customers active
    at the latest labelled month start; snapshot: every customer), on every customer also
    when the model's rows are a sample."""
    if d.cohort is not None:
        return d.cohort
    if d.time is None:
        return int(d.y.sum()), len(d.y)
    last = (d.time == d.time.max()).to_numpy()
    return int(d.y[last].sum()), int(last.sum())


def previous_churn(d: ChurnData) -> tuple[tuple[int, int], object] | None:
    """((churners, customers), month) of the cohort a month before :func:`observed_churn`'s,
    for the first report's month-on-month change (history only; on the model's rows, a
    random sample of them at scale: the rate is unbiased, its interval from the sample)."""
    if d.time is None:
        return None
    months = np.unique(d.time.to_numpy())
    if len(months) < 2:
        return None
    rows = (d.time == months[-2]).to_numpy()
    return (int(d.y[rows].sum()), int(rows.sum())), pd.Timestamp(months[-2]).to_period("M")


# --------------------------------------------------------------------------------------------
# persistence
# --------------------------------------------------------------------------------------------


def model_card(result: ChurnFit) -> dict:
    """What the saved model is: features, training period, metrics, versions."""
    import sklearn

    from ._version import __version__

    d = result.data
    s = result.summary.loc[result.chosen]
    return {
        "model": MODEL_NAMES[result.chosen],
        "kind": result.chosen,
        "calibration": result.calibration,
        "mode": d.mode,
        "horizon_months": d.horizon_months,  # None for a snapshot: no window was learnt
        "training_period": d.period,
        "last_observation": None if d.time is None else f"{d.time.max():%Y-%m-%d}",
        "scored_as_of": None if d.snapshot else f"{d.as_of:%Y-%m-%d}",
        "rows": int(len(d.y)),
        "churners": int(d.y.sum()),
        "features": {"numeric": d.spec.numeric, "categorical": d.spec.categorical},
        "excluded": d.spec.excluded,
        "categories_seen": categories(d),
        "validation": result.validation,
        "metrics": {k: (None if pd.isna(v) else round(float(v), 4)) for k, v in s.items()},
        "out_of_sample": {k: round(float(v), 4) for k, v in result.metrics.items()},
        "choice": result.reason,
        "sklearn_version": sklearn.__version__,
        "cxreport_version": __version__,
    }


def save_model(result: ChurnFit, folder: str | Path) -> tuple[Path, Path]:
    """Write ``churn_model.joblib`` (model, features, reference values) and
    ``churn_model_card.json`` into ``folder``; return both paths."""
    import joblib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    card = model_card(result)
    bundle = {
        "model": result.model,
        "spec": result.data.spec,
        "reference": reference(result.data.X, result.data.spec),
        "categories": categories(result.data),
        "card": card,
    }
    path = folder / "churn_model.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(bundle, tmp)
    tmp.replace(path)
    cpath = folder / "churn_model_card.json"
    cpath.write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
    return path, cpath


def load_model(path: str | Path) -> dict:
    """Read a bundle written by :func:`save_model`, with a clear message when it cannot be
    used (missing, unreadable, or written by another scikit-learn version)."""
    import joblib
    import sklearn

    path = Path(path)
    if not path.is_file():
        raise CxReportError(
            f"No saved churn model at {path}; run once with "
            f"reuse_model=False to train and save one."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bundle = joblib.load(path)
    except Exception as exc:  # joblib/pickle raise many types for a broken file
        raise CxReportError(
            f"The saved churn model {path} cannot be read ({exc}); retrain with reuse_model=False."
        ) from None
    if not isinstance(bundle, dict) or not {"model", "spec", "card"} <= set(bundle):
        raise CxReportError(
            f"{path} is not a churn model saved by cxreport; retrain with reuse_model=False."
        )
    saved = bundle["card"].get("sklearn_version")
    if saved != sklearn.__version__:
        raise CxReportError(
            f"The saved churn model was written with scikit-learn {saved}, "
            f"this environment has {sklearn.__version__}; retrain with "
            f"reuse_model=False."
        )
    return bundle


def backtest(bundle: dict, d: ChurnData) -> tuple[dict, int] | None:
    """Score a saved model on the labelled rows observed after its training data.

    With history, the rows this month's table labels but the saved model never saw (observation
    dates after the model card's ``last_observation``) are a true out-of-time test of last
    month's model. Returns (:func:`cxreport.churn_eval.evaluate` scores, number of rows), or
    None when there are no such rows with both classes (snapshot data, or no new month).
    """
    last = bundle["card"].get("last_observation")
    if d.time is None or not last:
        return None
    new = (d.time > pd.Timestamp(last)).to_numpy()
    y = d.y[new]
    if not new.any() or y.min() == y.max():
        return None
    p, _reasons = score(bundle["model"], d.X[new], d.ids[new], spec=bundle["spec"])
    return churn_eval.evaluate(y, p["probability"]), int(new.sum())


def actions(at_risk: pd.DataFrame, *, currency: str = "") -> list[dict]:
    """The page's action: call the customers on the contact list (``customers``: the
    departures expected among them, the sum of their probabilities)."""
    if at_risk.empty:
        return []
    value = float(at_risk["expected_value_at_risk"].sum())
    return [
        {
            "text": _("Call the {n} customers on the contact list", n=number(len(at_risk))),
            "evidence": _(
                "about {expected} of them are expected to leave (average probability {p});"
                " {value} expected value at risk",
                expected=number(at_risk["probability"].sum()),
                p=percent(at_risk["probability"].mean()),
                value=f"{currency}{number(value)}".strip(),
            ),
            "customers": float(at_risk["probability"].sum()),
        }
    ]
