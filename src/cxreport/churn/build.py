"""Which modelling table a data folder allows (:func:`mode_of`), and :func:`prepare`, which
builds it and checks that it holds enough churners."""

from __future__ import annotations

from ..errors import CxReportError, NotApplicable
from ..errors import check_float as _check_float
from ..errors import check_int as _check_int
from ..i18n import _
from .history import ShortHistory, history_table
from .settings import HARD_MIN_POSITIVES, MAX_ROWS, MIN_POSITIVES
from .snapshot import snapshot_table
from .table import ChurnData


def mode_of(data, *, use_history: bool = True) -> str:
    """``"history"`` when observation dates can be built and ``use_history`` is on, else
    ``"snapshot"``: the decision :func:`prepare` takes, and so the one flag behind the page's
    wording (:func:`wording`).

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``).
    use_history : bool, default=True
        False gives ``"snapshot"`` whatever the data.

    Returns
    -------
    str
        ``"history"`` or ``"snapshot"``.
    """
    return "history" if use_history and has_history(data) else "snapshot"


def has_history(data) -> bool:
    """Can observation dates be built (signup and churn dates for the churned customers)?

    Parameters
    ----------
    data : Dataset
        A loaded data folder (``cxreport.load``).

    Returns
    -------
    bool
        True when the customers table has ``signup_date``, ``churn_date`` and ``churned``,
        someone has churned, at least 90 % of the churned have a churn date and at least
        90 % of all customers a signup date.
    """
    c = data.customers
    if c is None or "signup_date" not in c or "churn_date" not in c or "churned" not in c:
        return False
    churned = c["churned"].astype(bool)
    if not churned.any():
        return False
    dated = c.loc[churned, "churn_date"].notna().mean()
    return bool(dated >= 0.9 and c["signup_date"].notna().mean() >= 0.9)


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
        million customers. The customers to score (in batches of
        :data:`~.models.SCORE_BATCH`) and the reporting cohort's churn rate
        (:func:`observed_churn`) always cover everyone. 0 or None: every row.
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
    out = _dated_or_snapshot(
        data, horizon_months, use_history, copy_auc, max_months, max_rows, seed
    )
    _check_churners(out)
    return out


def _dated_or_snapshot(
    data,
    horizon_months: int,
    use_history: bool,
    copy_auc: float,
    max_months: int | None,
    max_rows: int | None,
    seed: int,
) -> ChurnData:
    """The table from dated history when :func:`mode_of` allows it, else (or when the history
    is too short, noted) from the snapshot."""
    short = None
    if mode_of(data, use_history=use_history) == "history":
        try:
            out = history_table(data, horizon_months, copy_auc, max_months, max_rows, seed)
        except ShortHistory as exc:
            short, out = str(exc), snapshot_table(data, copy_auc, max_rows, seed)
    else:
        out = snapshot_table(data, copy_auc, max_rows, seed)
    if short:
        out.notes.insert(
            0,
            f"{short.split(';')[0]}: too short a history for time-aware training, so the "
            "model learns from a snapshot (who has left, not who will leave next).",
        )
    return out


def _check_churners(out: ChurnData) -> None:
    """Refuse a table with too few churners for an honest model, note a table with few, and
    note the columns left out."""
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
