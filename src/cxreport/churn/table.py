"""The modelling table (:class:`ChurnData`) and what its two builders share: the columns never
used as features, categories as text, the seeded sample of the labelled rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import _
from .features import FeatureSpec


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
        """True for a snapshot model ("has left at some point"), False with history.

        Returns
        -------
        bool
        """
        return self.mode == "snapshot"

    @property
    def period(self) -> str:
        """The training data's period in words: the first and last observation dates and
        the number of months (history), or that it is one undated snapshot.

        Returns
        -------
        str
            In the report's language.
        """
        if self.time is None:
            return _("one undated snapshot of the customers table (who had left when it was taken)")
        return _(
            "observation dates {first} to {last} ({n} months)",
            first=f"{self.time.min():%Y-%m-%d}",
            last=f"{self.time.max():%Y-%m-%d}",
            n=self.time.nunique(),
        )


STATIC_EXCLUDE = {
    "churned": "the target",
    "churn_date": "derived from the target (known only after churn)",
    "signup_date": "a date (enters the model as tenure)",
}


def clean_categories(frame: pd.DataFrame, cols) -> pd.DataFrame:
    """Categorical columns as text (object) with missing values as NaN, vectorised.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; it is not changed.
    cols : iterable of str
        The categorical columns of ``frame`` to convert.

    Returns
    -------
    pandas.DataFrame
        A shallow copy of ``frame`` whose ``cols`` hold ``str(value)`` or NaN.
    """
    frame = frame.copy(deep=False)  # new columns replace the old: no need to copy them all
    for c in cols:
        # each row points at its level's one text (a text per row took 280 MB at 1M rows)
        codes, levels = pd.factorize(frame[c])
        text = np.array([str(v) for v in levels] + [np.nan], dtype=object)
        # code -1 (missing) takes the last: NaN
        frame[c] = pd.Series(text[codes], index=frame.index, dtype=object)
    return frame


def sample_rows(y: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray | None:
    """Sorted positions of a seeded sample of ``max_rows`` of the rows labelled ``y``,
    stratified by the label (each class keeps its share, rounded); None to keep all.

    Parameters
    ----------
    y : numpy.ndarray
        The 0/1 labels of the rows.
    max_rows : int or None
        Size of the sample; 0 or None, or no more rows than this: keep all.
    seed : int
        Seed of the sample.

    Returns
    -------
    numpy.ndarray or None
        Positions into ``y``, sorted; None when every row is kept.
    """
    n = len(y)
    if not max_rows or n <= max_rows:
        return None
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y != 1)
    k_pos = int(round(max_rows * len(pos) / n))
    keep = [rng.choice(pos, k_pos, replace=False), rng.choice(neg, max_rows - k_pos, replace=False)]
    return np.sort(np.concatenate(keep))


def sample_note(kept: int, total: int, what: str) -> str:
    """The note that the model is trained and validated on a seeded sample of the rows.

    Parameters
    ----------
    kept, total : int
        Rows in the sample, and labelled rows before sampling.
    what : str
        What a row is, untranslated (``N_("customers")``, ``N_("customer-months")``).

    Returns
    -------
    str
        The note in the report's language.
    """
    return _(
        "The model is trained and validated on a seeded random sample of {kept} of the "
        "{total} labelled {what} (max_rows), which bounds the fits' time and memory; every "
        "customer is still scored, and the churn rate is counted on all of them.",
        kept=f"{kept:,}",
        total=f"{total:,}",
        what=_(what),
    )
