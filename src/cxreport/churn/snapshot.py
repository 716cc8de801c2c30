"""The modelling table from one undated snapshot of the customers table (who has left so
far): one row per customer."""

from __future__ import annotations

from ..errors import CxReportError
from ..i18n import N_, _
from .features import detect_features
from .settings import binary_target
from .table import STATIC_EXCLUDE, ChurnData, clean_categories, sample_note, sample_rows


def snapshot_table(data, copy_auc: float, max_rows: int | None = None, seed: int = 42) -> ChurnData:
    """The modelling table from the customers table as it is: one labelled row per customer
    (label ``churned``), the active customers to score (in-sample).

    Parameters
    ----------
    data : Dataset
        A loaded data folder with a customers table that has a ``churned`` column.
    copy_auc : float
        Passed to :func:`~.features.detect_features`: exclude a feature whose ROC-AUC on its
        own exceeds this.
    max_rows : int or None, default=None
        At most this many labelled customers (a seeded sample stratified by the label,
        :func:`~.table.sample_rows`); 0 or None: every one.
    seed : int, default=42
        Seed of that sample.

    Returns
    -------
    ChurnData
        In ``"snapshot"`` mode, without observation dates or horizon.
    """
    c = data.customers.reset_index(drop=True)
    if "churned" not in c:
        raise CxReportError(
            "The customers table has no 'churned' column, so there is nothing to learn from. "
            "Map your churn flag in cxreport.yaml (tables.customers.columns.churned: <your "
            "column>) and its positive value (true_values: {churned: [Yes]})."
        )
    y = binary_target(c["churned"], "churned")
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
    exclude = {k: v for k, v in STATIC_EXCLUDE.items() if k in feats}
    cohort = (int(y.sum()), len(y))
    keep = sample_rows(y, max_rows, seed)
    if keep is None:
        train, y_train, ids = feats, y, c["customer_id"]
    else:
        notes.append(sample_note(len(keep), len(y), N_("customers")))
        train = feats.iloc[keep].reset_index(drop=True)
        y_train = y[keep]
        ids = c["customer_id"].iloc[keep].reset_index(drop=True)
    spec = detect_features(
        train.drop(columns=list(exclude)), y_train, exclude=exclude, copy_auc=copy_auc
    )
    X = clean_categories(train[spec.features], spec.categorical)
    active = y == 0
    return ChurnData(
        X,
        y_train,
        ids,
        None,
        clean_categories(feats.loc[active, spec.features], spec.categorical).reset_index(drop=True),
        c.loc[active, "customer_id"].reset_index(drop=True),
        spec,
        "snapshot",
        None,
        as_of,
        notes,
        cohort=cohort,
        sampled_from=None if keep is None else len(y),
    )
