"""Feature typing: which columns feed the model, as what, and which are left out (with the
reason)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ..errors import CxReportError
from ..i18n import N_, _


@dataclass
class FeatureSpec:
    """Which columns feed the model, as what, and which were left out (with the reason)."""

    numeric: list[str]
    categorical: list[str]
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        """The model's feature columns: the numeric ones, then the categorical ones.

        Returns
        -------
        list of str
        """
        return [*self.numeric, *self.categorical]

    def excluded_table(self) -> pd.DataFrame:
        """The columns left out and why, as a table.

        Returns
        -------
        pandas.DataFrame
            ``column`` and ``reason``, one row per excluded column.
        """
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


#: Why a column that predicts churn on its own is left out (the leakage alarms of
#: :func:`~.validation.fit` find it by this).
TARGET_COPY = N_(
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
            excluded[col] = _(TARGET_COPY, auc=f"{auc:.3f}", limit=copy_auc)
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
