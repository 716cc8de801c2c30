"""Customer segmentation: features as of the month end, a k-means sweep with an honest choice of
k, bootstrap stability, profiles with deterministic names, and month-to-month migration.

The one-call entry point for other notebooks is :func:`label_customers`::

    >>> labels = label_customers(run.data, seed=run.seed)   # Series: customer_id -> segment
    >>> churn_table.join(labels, on="customer_id")

Everything else is what ``notebooks/02_segments.ipynb`` narrates:

* :func:`customer_features` - recency, frequency, monetary (net of returns), tenure and, when
  the tables exist, NPS, complaints and failed Moments of Truth, as of the month end;
* :func:`attribute_features` - without transactions, the customers table's own numeric
  attributes (:func:`select_attributes`: declared in ``segments.attributes`` of
  ``cxreport.yaml`` or detected, each left-out column with its reason), named by
  :func:`name_by_attributes` ("high Fresh, low Grocery");
* :func:`sweep` - k-means for each k with silhouette (sampled, seeded), Calinski-Harabasz,
  Davies-Bouldin and Hennig-style bootstrap stability (mean ARI, per-cluster Jaccard);
* :func:`choose_k` - the rule that picks k (stated in :data:`K_RULE`);
* :func:`segment` - the whole pipeline, returning a :class:`SegmentResult`;
* :func:`migration` - who moved between segments since last month.

Method in one paragraph: features are ``log1p``-transformed (their distributions are long-tailed)
and standardised; clustering is k-means (``n_init`` restarts, seeded). Each cluster is relabelled
by descending mean value so that cluster 0 is always the most valuable, and named from its
profile by fixed rules (:func:`name_clusters`). Above ``exact_max`` customers k-means is fitted
on a seeded sample of ``exact_max`` customers and every customer is assigned to the nearest
centre (exact k-means on a large sample, rather than mini-batch k-means, which can land in a poor
optimum; see ``benchmarks/bench_segments.py`` for the agreement figures).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from . import i18n
from .data import engine
from .data.engine import engine_of
from .data.lookup import is_in, positions
from .errors import CxReportError, MissingTableError, ParameterError
from .errors import check_float as _check_float
from .errors import check_int as _check_int
from .i18n import N_, _
from .nps import nps_score
from .settings import Setting, check

#: Features used for clustering by default (when present and not constant).
DEFAULT_FEATURES = ("recency", "purchase_rate", "avg_basket", "tenure")
#: Features that are per-customer rates or counts suited to a log transform.
LOG_FEATURES = (
    "recency",
    "frequency",
    "monetary",
    "avg_basket",
    "tenure",
    "complaints",
    "failed_mot",
    "contacts",
    "purchase_rate",
    "monthly_value",
)

NO_PURCHASE = "no purchase yet"
#: The experience columns of :func:`customer_features`, from survey, complaints, touchpoints.
EXPERIENCE = ("nps", "complaints", "failed_mot", "contacts")

#: The rule of :func:`choose_k` (a template: its numbers are filled in there).
K_RULE = N_(
    "Among the k in the sweep, a k is *stable* when every cluster is reproduced in bootstrap "
    "resamples (each cluster's mean Jaccard >= {jaccard}, Hennig's 'stable' reading, and "
    "the smallest cluster holds >= {min_share} of customers) and *well separated* when its "
    "silhouette is within {sil_tol} of the best silhouette in the sweep. The chosen k is "
    "the largest k that is both: more segments are more useful to the business, but only as "
    "long as they are reproducible and about as well separated as the best partition. When no "
    "k qualifies, the most stable k is taken and the output says so."
)


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def slug(name: str) -> str:
    """``"high-value loyal"`` -> ``"high_value_loyal"`` (for KPI names).

    Parameters
    ----------
    name : str
        A segment name (any value is taken as its text).

    Returns
    -------
    str
        Lower case, every run of other characters than ``0-9a-z`` one ``_``, none at the ends;
        ``"segment"`` when nothing is left.
    """
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_") or "segment"


# --------------------------------------------------------------------------------------------
# features
# --------------------------------------------------------------------------------------------


@dataclass
class Features:
    """Per-customer features as of a month end, and notes on how they were built.

    Attributes
    ----------
    table : DataFrame
        Index ``customer_id``; columns ``recency`` (days since the last purchase, counted
        from the last day of the month), ``frequency`` (distinct purchase days), ``monetary``
        (net value: purchases minus returns, floored at 0), ``avg_basket``, ``tenure`` (days),
        ``purchase_rate`` (purchase days per month observed: tenure, but at most the span of
        the transaction history, at least one month), ``monthly_value`` (monetary per month),
        ``revenue_month`` (net value in the month), ``churned`` (left during the month, NaN
        without a customers table) and, when the tables exist, ``nps`` (latest answer in the
        last 12 months, NaN when none), ``complaints`` and ``failed_mot`` (last 12 months).
    as_of : Timestamp
        The last day counted (the month's last day).
    notes : list of str
        What was done with returns, missing tables and excluded customers.
    no_purchase : Index
        Customers of the customers table who are active but have not bought yet.
    selection : AttributeSelection or None
        Without transactions (:func:`attribute_features`): the customer attributes used and
        why the other columns are not; the table then holds those attributes.
    """

    table: pd.DataFrame
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)
    no_purchase: pd.Index = field(default_factory=lambda: pd.Index([], name="customer_id"))
    #: without transactions: which customer attributes are clustered on, and why (else None)
    selection: AttributeSelection | None = None


def _month_end(data, month) -> tuple[pd.Period, pd.Timestamp, pd.Timestamp]:
    m = data.month if month is None else pd.Period(month, "M")
    if m is None:
        raise CxReportError("No reporting month: load the data with a month (YYYY-MM).")
    return m, m.start_time, (m + 1).start_time


def customer_features(
    data,
    *,
    month: pd.Period | str | None = None,
    cx_window_days: int = 365,
    experience: bool = True,
) -> Features:
    """Features per customer as of the end of the reporting month.

    Parameters
    ----------
    data : Dataset
        A loaded data folder; needs ``transactions``. ``customers`` (signup and churn dates),
        ``survey`` (NPS), ``complaints`` and ``touchpoints`` (failed Moments of Truth) are used
        when present.
    month : Period or str, optional
        Month whose end is the cut-off; default ``data.month``. Rows dated later are ignored.
    cx_window_days : int, default=365
        Look-back window for NPS, complaints and failed Moments of Truth.
    experience : bool, default=True
        Add the columns of :data:`EXPERIENCE` (False: purchases only, for placing customers
        by a yardstick that does not use them, a scan of three tables less).

    Returns
    -------
    Features

    Notes
    -----
    Returns (negative amounts) are netted against purchases: ``monetary`` is the net value,
    floored at 0 for customers who returned more than they bought in the window (counted in
    the notes). ``frequency`` and ``recency`` count only days with a positive net amount, so a
    return is never a purchase. Customers who left before the month began are excluded.
    """
    if not data.has("transactions"):
        raise MissingTableError(
            "Segmentation needs the table transactions (customer_id, date, amount), which "
            f"{getattr(data, 'folder', 'the data folder')} does not hold. Add transactions.csv "
            "or map your file in cxreport.yaml (tables.transactions.file)."
        )
    _check_int("cx_window_days", cx_window_days, 1)
    m, start, end = _month_end(data, month)
    as_of = end - pd.Timedelta(days=1)
    notes: list[str] = []
    eng = engine_of(data)
    got = (_purchases_pandas if eng is None else _purchases_engine)(data, eng, m, start, end)
    base, n_neg, n_gone, history_start, no_purchase_of = got
    last = base["last"]
    only_returns = int(last.isna().sum())
    base = base[last.notna()]
    index = pd.Index(base.index, name="customer_id")
    net = base["net"]
    n_floor = int((net <= 0).sum())
    t = pd.DataFrame(
        {
            "recency": (as_of - base["last"]).dt.days.astype(float).to_numpy(),
            "frequency": base["frequency"].astype(float).to_numpy(),
            "monetary": net.clip(lower=0.0).astype(float).to_numpy(),
        },
        index=index,
    )
    t["avg_basket"] = t["monetary"] / t["frequency"]
    t["revenue_month"] = pd.Series(base["revenue_month"].to_numpy(), index=index).fillna(0.0)
    if n_neg:
        notes.append(
            _(
                "Returns: {n} transactions with a negative amount were netted against "
                "purchases (monetary = purchases - returns); {floor} customers whose returns "
                "equal or exceed their purchases count with a monetary value of 0.",
                n=f"{n_neg:,}",
                floor=f"{n_floor:,}",
            )
        )
    if only_returns:
        notes.append(
            _(
                "{n} customers with no day of positive net purchases (only returns or zero "
                "amounts) are left out: they have no purchase to score.",
                n=f"{only_returns:,}",
            )
        )
    tenure_note = _("Tenure counts from the first purchase.")
    first_t = pd.Series(base["first"].to_numpy(), index=index)
    if "signup_date" in base:
        signup = pd.Series(base["signup_date"].to_numpy(), index=index)
        tenure_start = signup.fillna(first_t)
        tenure_start = tenure_start.where(tenure_start <= first_t, first_t)
        tenure_note = _(
            "Tenure counts from the signup date (first purchase when earlier or missing)."
        )
    else:
        tenure_start = first_t
    t["tenure"] = (as_of - tenure_start).dt.days.clip(lower=0).astype(float)
    # months a customer could be seen buying: since signup, not before the history starts
    months = np.maximum(
        np.minimum(t["tenure"].to_numpy(), float((as_of - history_start).days)) / 30.44, 1.0
    )
    t["purchase_rate"] = t["frequency"].to_numpy() / months
    t["monthly_value"] = t["monetary"].to_numpy() / months
    no_purchase = pd.Index([], name="customer_id")
    if no_purchase_of is not None:
        churned = pd.Series(np.nan, index=t.index)
        if "churn_date" in base:
            cd = pd.Series(base["churn_date"].to_numpy(), index=index)
            churned = ((cd >= start) & (cd < end)).astype(float)
        t["churned"] = churned
        no_purchase = no_purchase_of(t.index)
    else:
        t["churned"] = np.nan
        notes.append(
            _(
                "No customers table: tenure counts from the first purchase and churn "
                "rates are not available."
            )
        )
    if n_gone:
        notes.append(
            _(
                "{n} customers who left before {month} are not segmented.",
                n=f"{n_gone:,}",
                month=str(m),
            )
        )
    notes.append(tenure_note)
    if experience:
        _add_experience(data, t, end, end - pd.Timedelta(days=cx_window_days))
    return Features(t, as_of, notes, no_purchase)


def _no_transactions(m) -> CxReportError:
    return CxReportError(
        f"No transactions dated before the end of {m}: there is nothing to "
        "segment. Choose a later month or check the transaction dates."
    )


def _purchases_engine(data, eng, m, start, end):
    """:func:`_purchases_pandas` through the engine (:func:`cxreport.data.engine.purchases`)."""
    base, n_neg = engine.purchases(eng, start=start, end=end)
    if base.empty:
        raise _no_transactions(m)
    base = base.set_index("customer_id")
    n_gone, no_purchase_of = 0, None
    if eng.has("customers"):
        if "churn_date" in eng.columns("customers"):
            n_gone = engine.left_before(eng, start)

        def no_purchase_of(buyers):
            return engine.inactive_customers(eng, start=start, end=end, buyers=buyers)

    return base, n_neg, n_gone, engine.history_start(eng, "transactions", "date"), no_purchase_of


def _purchases_pandas(data, eng, m, start, end):
    """Per customer who bought before ``end`` and had not left before ``start``: ``first``,
    ``last`` (latest day of positive net value; missing for only returns), ``frequency``,
    ``net``, ``revenue_month`` and the customers table's ``signup_date`` and ``churn_date``;
    with the number of negative amounts, of customers gone, the first transaction date and a
    function giving the active customers without a purchase (None without customers)."""
    tx = data.table("transactions", ["customer_id", "date", "amount"])
    # rows kept as a mask over the table read (filtered copies of 12M rows were most of the
    # memory this took at a million customers)
    keep = ((tx["date"] < end) & tx["customer_id"].notna() & tx["amount"].notna()).to_numpy(
        copy=True
    )
    if not keep.any():
        raise _no_transactions(m)
    gone = pd.Index([])
    cust = (
        data.table("customers", ["customer_id", "signup_date", "churn_date"])
        if data.has("customers")
        else None
    )
    if cust is not None and "churn_date" in cust:
        gone = pd.Index(cust.loc[cust["churn_date"] < start, "customer_id"])
        if len(gone):
            keep &= ~is_in(tx["customer_id"], gone)
    amount = tx["amount"].to_numpy()[keep]
    n_neg = int((amount < 0).sum())
    history_start = tx["date"].min()
    # Every grouping by customer goes through integer codes of the sorted ids (the same
    # groups in the same order as grouping by the id text, which at 12M transactions cost
    # most of the time): ``ids[code]`` is the customer.
    code, ids = pd.factorize(tx["customer_id"], sort=True)
    ids = pd.Index(ids, name="customer_id")
    by = pd.DataFrame(
        {
            "code": code[keep].astype(np.int32 if len(ids) < 2**31 else np.int64),
            "date": tx["date"].to_numpy()[keep],
            "amount": amount,
        }
    )
    del code, amount, keep, tx
    # net per customer and day: a same-day return cancels the purchase it refers to; one
    # integer per (customer, day) orders as the pair does and groups in a fraction of the
    # memory of a two-column grouping
    d0 = by["date"].min()
    span = int((by["date"].max() - d0) / pd.Timedelta(days=1)) + 1
    offset = ((by["date"] - d0) / pd.Timedelta(days=1)).to_numpy()
    whole = offset == np.floor(offset)  # day-level dates (always, for a date column)
    if whole.all():
        pair = by["code"].to_numpy(np.int64) * span + offset.astype(np.int64)
        day = by.groupby(pair, sort=True)["amount"].sum()
        pos = day[day > 0]
        pos_code = pd.Index(pos.index.to_numpy() // span, dtype=by["code"].dtype)
        dates = pd.DatetimeIndex(d0 + pd.to_timedelta(pos.index.to_numpy() % span, unit="D"))
    else:
        day = by.groupby(["code", "date"], sort=True)["amount"].sum()
        pos = day[day > 0]
        pos_code = pos.index.get_level_values(0)
        dates = pos.index.get_level_values(1)
    del day, pos, offset, whole
    net = by.groupby("code", sort=True)["amount"].sum()
    base = pd.DataFrame(
        {
            "first": by.groupby("code", sort=True)["date"].min(),
            "last": pd.Series(dates, index=pos_code).groupby(level=0, sort=True).max(),
            "frequency": pd.Series(1, index=pos_code).groupby(level=0, sort=True).sum(),
            "net": net,
            "revenue_month": by[by["date"] >= start].groupby("code")["amount"].sum(),
        }
    )
    del by, pos_code, dates
    base.index = pd.Index(ids[base.index], name="customer_id")
    if cust is None:
        return base, n_neg, len(gone), history_start, None
    c = cust.set_index("customer_id")
    c = c[~c.index.duplicated()]
    at = positions(pd.Series(base.index), c.index)  # each buyer's row in c
    for col in ("signup_date", "churn_date"):
        if col in c:
            v = c[col].to_numpy()
            base[col] = pd.Series(v[np.maximum(at, 0)], index=base.index).where(at >= 0)

    def no_purchase_of(buyers: pd.Index) -> pd.Index:
        active = c.index
        if "churn_date" in c:
            active = c.index[~(c["churn_date"] < start)]
        if "signup_date" in c:
            active = active[~(c.loc[active, "signup_date"] >= end)]
        # active.difference(buyers), through Arrow's hash tables
        rest = active[~is_in(pd.Series(active), buyers)]
        return pd.Index(rest.unique().sort_values(), name="customer_id")

    return base, n_neg, len(gone), history_start, no_purchase_of


def _per_customer(t: pd.DataFrame, counts: pd.Series) -> pd.Series:
    """Counts by customer id (a Series indexed by id) for the customers of ``t``."""
    if counts.empty:  # nothing in the window (a tiny month without a failed contact)
        return pd.Series(np.nan, index=t.index)
    at_ = positions(pd.Series(t.index), counts.index)
    v = counts.to_numpy(float)
    return pd.Series(np.where(at_ >= 0, v[np.maximum(at_, 0)], np.nan), index=t.index)


def _add_experience(data, t: pd.DataFrame, end, lo, *, skip=frozenset()) -> None:
    """Latest NPS, complaints, failed Moments of Truth and contacts in ``[lo, end)``, as
    columns of ``t`` (in place; a column named in ``skip`` is left alone)."""
    eng = engine_of(data)
    if eng is None:
        counts = _experience_pandas(data, end, lo, skip)
    else:
        counts = engine.experience(eng, lo=lo, end=end, skip=skip)
    for name, values in counts.items():
        got = _per_customer(t, values.astype(float))
        t[name] = got if name == "nps" else got.fillna(0.0)


def _experience_pandas(data, end, lo, skip) -> dict[str, pd.Series]:
    """:func:`cxreport.data.engine.experience` in pandas."""
    out = {}
    if (
        "nps" not in skip
        and data.has("survey")
        and {"nps", "customer_id", "date"} <= set(data.columns("survey"))
    ):
        sv = data.table("survey", ["customer_id", "date", "nps"])
        sv = sv[
            (sv["date"] < end) & (sv["date"] >= lo) & sv["customer_id"].notna() & sv["nps"].notna()
        ]
        out["nps"] = (
            sv.sort_values(["customer_id", "date"], kind="stable")
            .groupby("customer_id")["nps"]
            .last()
        )
    if "complaints" not in skip and data.has("complaints"):
        co = data.table("complaints", ["customer_id", "opened"])
        co = co[(co["opened"] < end) & (co["opened"] >= lo)]
        out["complaints"] = co.groupby("customer_id").size()
    if not {"failed_mot", "contacts"} & set(skip) and data.has("touchpoints"):
        tp = data.table("touchpoints", ["customer_id", "date", "outcome"])
        tp = tp[(tp["date"] < end) & (tp["date"] >= lo)]
        failed = tp["outcome"].astype(str).str.lower() != "ok"
        out["failed_mot"] = tp[failed].groupby("customer_id").size()
        out["contacts"] = tp.groupby("customer_id").size()
    return out


# --------------------------------------------------------------------------------------------
# without transactions: the customers table's own numeric attributes
# --------------------------------------------------------------------------------------------

#: How the customer attributes to cluster on are chosen when ``segments.attributes`` of
#: ``cxreport.yaml`` does not list them (see :func:`select_attributes`).
ATTRIBUTE_RULES = {
    # more missing than this: left out (the median would stand in for most customers)
    "max_missing": 0.5,
    # |Spearman rho| with a column already kept at least this: a near-duplicate, left out
    "duplicate_rho": 0.95,
    # non-negative and skewness above this: log1p, as recency or value in the RFM path
    "log_skew": 1.0,
    # whole numbers with at most this many values and a code-like name (region, type, ...)
    "max_code_levels": 10,
}
# a last word of the column's name that says "identifier" (customer_id, Client No, Zip Code)
_ID_WORDS = frozenset(
    {"id", "key", "code", "zip", "zipcode", "postcode", "postal", "phone", "no", "nr", "number"}
    | {"uuid", "guid"}
)
# ... or "category code" (Region 1/2/3, Customer Type, Channel)
_CODE_WORDS = frozenset(
    {"region", "channel", "type", "class", "group", "segment", "cluster", "category", "status"}
    | {"area", "branch", "store", "country", "state", "city"}
)
#: The column holding each customer's value in the feature table of the attribute path.
VALUE = "_value"


def _words(name) -> list[str]:
    """``"customerID"`` -> ``["customer", "id"]``; ``"Detergents_Paper"`` -> ``[..., "paper"]``."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [w.lower() for w in re.split(r"[^0-9A-Za-z]+", s) if w]


def plain(name) -> str:
    """A column name in plain words: ``"Detergents_Paper"`` -> ``"Detergents Paper"``,
    ``"MonthlyCharges"`` -> ``"Monthly Charges"``, ``"monthly_fee"`` -> ``"monthly fee"``.

    Parameters
    ----------
    name : str
        A column name (any value is taken as its text).

    Returns
    -------
    str
        The name with ``_``, ``-`` and ``.`` as spaces and camel case split; the name as it
        is when that leaves nothing.
    """
    s = re.sub(r"([a-z0-9])([A-Z][a-z])", r"\1 \2", str(name))
    return re.sub(r"\s+", " ", re.sub(r"[_\-.]+", " ", s)).strip() or str(name)


@dataclass
class AttributeSelection:
    """Which customer attributes the segmentation clusters on, and why the others are not.

    Attributes
    ----------
    table : DataFrame
        One row per column of the customers table (``customer_id`` aside): ``column``,
        ``used`` (bool), ``reason`` (why it is used or left out, in plain words),
        ``transform`` (``log1p`` or ``as is``, for the used ones) and ``missing`` (share).
    used : tuple of str
        The columns clustered on, in the table's order.
    logged : tuple of str
        The used columns that are ``log1p``-transformed (non-negative, long right tail).
    declared : bool
        True when ``segments.attributes`` of ``cxreport.yaml`` (or ``attributes=``) named them.
    value : tuple of str
        Columns summed into each customer's value (``segments.value``, else ``monthly_fee``
        when present); empty: no value shares.
    """

    table: pd.DataFrame
    used: tuple[str, ...]
    logged: tuple[str, ...]
    declared: bool
    value: tuple[str, ...] = ()

    @property
    def value_label(self) -> str:
        """The value columns in words, for the page's sentences and KPI labels.

        Returns
        -------
        str
            ``"monthly fees"`` for ``monthly_fee`` alone, else the columns joined by
            ``" + "``; ``""`` without a value column.
        """
        if not self.value:
            return ""
        if self.value == ("monthly_fee",):
            return _("monthly fees")
        return " + ".join(self.value)

    def sentences(self) -> list[str]:
        """What the page says: which attributes, how transformed, which left out and why.

        Returns
        -------
        list of str
            Sentences in the report's language, the last one on the value column.
        """
        how = (
            _("declared in segments.attributes of cxreport.yaml")
            if self.declared
            else _("detected: the numeric columns that measure something about the customer")
        )
        cols = ", ".join(f"{c} (log1p)" if c in self.logged else c for c in self.used)
        out = [
            _(
                "Clustered on {n} customer attribute(s), {how}: {columns}.",
                n=len(self.used),
                how=how,
                columns=cols,
            )
        ]
        if self.logged:
            out.append(
                _(
                    "log1p was applied to the non-negative columns with a long right tail "
                    "(skewness above {skew}), so that a few very large customers do not "
                    "decide the segments; every column was then standardised.",
                    skew=f"{ATTRIBUTE_RULES['log_skew']:g}",
                )
            )
        left = self.table[~self.table["used"]]
        if len(left):  # one clause per reason, its columns in the table's order
            by_reason = left.groupby("reason", sort=False)["column"].agg(", ".join)
            out.append(
                _(
                    "Left out: {reasons}.",
                    reasons="; ".join(f"{c}: {why}" for why, c in by_reason.items()),
                )
            )
        if self.value == ("monthly_fee",):
            out.append(
                _(
                    "Value shares use {value} (segments.value of cxreport.yaml, default "
                    "monthly_fee).",
                    value=self.value_label,
                )
            )
        elif self.value:
            out.append(
                _(
                    "Value shares use {value} (segments.value of cxreport.yaml).",
                    value=self.value_label,
                )
            )
        else:
            out.append(
                _(
                    "No value column (segments.value of cxreport.yaml, or monthly_fee): the "
                    "segments are compared by size only, without shares of value."
                )
            )
        return out


def _whole(v: pd.Series) -> bool:
    return bool(len(v)) and bool(np.all(np.mod(v.to_numpy(dtype=float), 1) == 0))


def _leave_out(col, s: pd.Series, rules: dict) -> str | None:
    """Why an undeclared column is not a clustering attribute (None: it is a candidate)."""
    if col == "churned":
        return _(
            "the churn flag, an outcome to compare the segments on rather than a trait to form them"
        )
    if pd.api.types.is_datetime64_any_dtype(s):
        return _("a date, not an amount")
    if pd.api.types.is_bool_dtype(s):
        return _("a yes/no flag (k-means would split the customers on it alone)")
    if not pd.api.types.is_numeric_dtype(s):
        return _("text or categories (k-means needs numbers; compare the segments on them instead)")
    v = s.dropna().astype(float)
    miss = 1 - len(v) / max(len(s), 1)
    if miss > rules["max_missing"]:
        return _(
            "{share} missing (the median would stand in for most customers)",
            share=f"{miss:.0%}",
        )
    nun = v.nunique()
    if nun <= 1:
        return _("constant (the same value for every customer)")
    if nun == 2:
        return _(
            "two values only, a flag or a code (k-means would split the customers on it alone)"
        )
    words = _words(col)
    last = words[-1] if words else ""
    whole = _whole(v)
    if whole and last in _ID_WORDS:
        return _("an identifier or code, by its name")
    if whole and nun == len(v) and len(v) > 20:
        x = v.to_numpy()
        sequential = (x.max() - x.min() + 1) <= 2 * len(x) or bool(
            np.all(np.diff(x) > 0) or np.all(np.diff(x) < 0)
        )
        if sequential:
            return _("identifier-like (a different whole number for every customer, in sequence)")
    if whole and nun <= rules["max_code_levels"] and last in _CODE_WORDS:
        return _("a category code ({n} whole-number values), not an amount", n=nun)
    return None


def select_attributes(
    customers: pd.DataFrame,
    *,
    declared=(),
    value=(),
    rules: dict | None = None,
    renamed: dict | None = None,
) -> AttributeSelection:
    """Choose the numeric customer attributes to cluster on, with the reason for every column.

    Parameters
    ----------
    customers : DataFrame
        The customers table (one row per customer, ``customer_id`` a column or the index).
    declared : sequence of str, default=()
        Columns to use (``segments.attributes`` of ``cxreport.yaml``). Every one must exist
        and hold numbers (or yes/no values, used as 0/1); the others are left out as "not
        declared". Empty: detect them.
    value : sequence of str, default=()
        Columns summed into each customer's value (``segments.value``); empty: ``monthly_fee``
        when present, else none.
    rules : dict, optional
        Overrides of :data:`ATTRIBUTE_RULES`.
    renamed : dict, optional
        The user's column name -> contract name (``tables.customers.columns``), so that a
        declaration may name ``MonthlyCharges`` for the column read as ``monthly_fee``.

    Returns
    -------
    AttributeSelection

    Notes
    -----
    Detection leaves out, in this order and with the reason: the churn flag, dates, yes/no
    flags, text; columns more than ``max_missing`` missing; constants; two-valued columns;
    identifiers (a last word such as ``id``, ``no``, ``code``, ``zip``; or a different
    whole number for every customer, numbered in sequence); category codes (a few whole
    numbers under a name such as ``region`` or ``type``); and near-duplicates (Spearman
    |rho| >= ``duplicate_rho`` with a column kept before it: it would count the same trait
    twice). The rest are used; ``log1p`` is applied to those that are non-negative with a
    skewness above ``log_skew``.
    """
    r = {**ATTRIBUTE_RULES, **(rules or {})}
    c = customers.drop(columns=["customer_id"], errors="ignore")
    renamed = dict(renamed or {})
    declared = _resolve(c, renamed, declared, "attributes")
    value = _value_columns(c, _resolve(c, renamed, value, "value"))
    rows = {}
    cand = []
    for col in c.columns:
        s = c[col]
        miss = float(s.isna().mean())
        if declared:
            rows[col] = _declared(col, s, declared, miss)
        else:
            why = _leave_out(col, s, r)
            if why is None:
                rows[col] = (True, _("a numeric attribute that varies between customers"), miss)
            else:
                rows[col] = (False, why, miss)
        if rows[col][0]:
            cand.append(col)
    if not declared and len(cand) > 1:
        cand = _without_duplicates(c, cand, rows, r["duplicate_rho"])
    logged, transform = _transforms(c, cand, r["log_skew"])
    table = pd.DataFrame(
        {
            "column": [str(k) for k in rows],
            "used": [rows[k][0] and k in cand for k in rows],
            "reason": [rows[k][1] for k in rows],
            "transform": [transform.get(k, "") for k in rows],
            "missing": [rows[k][2] for k in rows],
        }
    )
    return AttributeSelection(table, tuple(cand), tuple(logged), bool(declared), tuple(value))


def _resolve(c: pd.DataFrame, renamed: dict, names, key: str) -> list:
    """``names`` as columns of the customers table ``c`` (the user's names mapped through
    ``renamed``); a name it does not have is an error naming ``segments.<key>``."""
    out, unknown = [], []
    for name in names:
        name = renamed.get(name, name) if name not in c else name
        (out if name in c else unknown).append(name)
    if unknown:
        hints = []
        for u in unknown:
            close = difflib.get_close_matches(str(u), [str(x) for x in c.columns], n=1)
            hints.append(f"{u}" + (f" (did you mean {close[0]}?)" if close else ""))
        raise CxReportError(
            f"segments.{key} of cxreport.yaml names column(s) the customers table does "
            f"not have: {', '.join(hints)}. Its columns are {', '.join(map(str, c.columns))}."
        )
    return out


def _value_columns(c: pd.DataFrame, value: list) -> list:
    """The columns summed into each customer's value: those named, else ``monthly_fee`` when
    it has values; an error for a named column that does not hold numbers."""
    if not value and "monthly_fee" in c and c["monthly_fee"].notna().any():
        value = ["monthly_fee"]
    for col in value:
        if not pd.api.types.is_numeric_dtype(c[col]) or pd.api.types.is_bool_dtype(c[col]):
            raise CxReportError(
                f"segments.value of cxreport.yaml names {col}, which does not hold numbers "
                f"(found {c[col].dtype}); name the column(s) with each customer's value."
            )
    return value


def _declared(col, s: pd.Series, declared: list, miss: float) -> tuple[bool, str, float]:
    """(used, reason, missing share) of a column when ``segments.attributes`` lists the
    columns; a listed column that holds text or is empty is an error."""
    if col not in declared:
        return False, _("not declared in segments.attributes"), miss
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise CxReportError(
            f"segments.attributes of cxreport.yaml names {col}, which holds text, "
            f"not numbers (for example {s.dropna().astype(str).head(3).tolist()}). "
            "Declare numeric columns only, or recode it in tables.customers.recode."
        )
    if s.notna().sum() == 0:
        raise CxReportError(
            f"segments.attributes of cxreport.yaml names {col}, which is empty for every customer."
        )
    return True, _("declared in segments.attributes"), miss


def _without_duplicates(c: pd.DataFrame, cand: list, rows: dict, duplicate_rho: float) -> list:
    """The candidates less each near-duplicate (Spearman |rho| >= ``duplicate_rho``) of one
    kept before it; its row in ``rows`` says of which (in place)."""
    rho = c[cand].astype(float).corr(method="spearman", min_periods=10)
    kept: list[str] = []
    for col in cand:
        dup = [k for k in kept if abs(rho.loc[k, col]) >= duplicate_rho]
        if dup:
            k = dup[0]
            rows[col] = (
                False,
                _(
                    "a near-duplicate of {other} (Spearman rho {rho}; it would count the "
                    "same trait twice)",
                    other=k,
                    rho=f"{rho.loc[k, col]:.2f}",
                ),
                rows[col][2],
            )
        else:
            kept.append(col)
    return kept


def _transforms(c: pd.DataFrame, cand: list, log_skew: float) -> tuple[list, dict]:
    """The columns to log (non-negative, skewness above ``log_skew``) and each column's
    transform in words."""
    logged, transform = [], {}
    for col in cand:
        v = c[col].dropna().astype(float)
        skew = float(v.skew()) if len(v) > 2 else 0.0
        if len(v) and v.min() >= 0 and skew > log_skew:
            logged.append(col)
            transform[col] = _("log1p (skewness {skew})", skew=f"{skew:.1f}")
        else:
            transform[col] = _("as is")
    return logged, transform


def _config_lists(data) -> tuple[tuple, tuple, dict]:
    cfg = getattr(data, "config", None)
    if cfg is None:
        return (), (), {}
    renamed = {user: name for name, user in cfg.table("customers").columns.items()}
    return tuple(cfg.segment_attributes), tuple(cfg.segment_value), renamed


def _no_data_error(data, detail: str = "") -> MissingTableError:
    return MissingTableError(
        "Segmentation needs the table transactions (customer_id, date, amount), or a "
        "customers table with numeric attributes (annual spend per category, tenure, monthly "
        f"charges, ...), which {getattr(data, 'folder', 'the data folder')} does not hold"
        + (f": {detail}" if detail else "")
        + ". Add transactions.csv, or map your file in cxreport.yaml (tables.<table>.file); "
        "segments.attributes of cxreport.yaml names the customer columns to cluster on."
    )


def attribute_features(
    data,
    *,
    month: pd.Period | str | None = None,
    attributes=None,
    value=None,
    cx_window_days: int = 365,
) -> Features:
    """Features per customer from the customers table alone (no transactions).

    Parameters
    ----------
    data : Dataset
        Needs ``customers``; ``survey``, ``complaints`` and ``touchpoints`` are profiled
        (not clustered on) when present.
    month : Period or str, optional
        Default ``data.month``. With ``churn_date`` the customers who left before the month
        are left out; with ``signup_date`` those who joined after it.
    attributes, value : sequence of str, optional
        Override ``segments.attributes`` / ``segments.value`` of ``cxreport.yaml``.
    cx_window_days : int, default=365

    Returns
    -------
    Features
        ``table`` holds the used attributes (as read), ``_value`` when there is a value,
        ``churned`` (left during the month; NaN without churn dates), ``churn_flag`` (the
        ``churned`` column when there are no churn dates), and NPS, complaints and failed
        Moments of Truth where those tables exist; ``selection`` says what was used and why.
    """
    if not data.has("customers"):
        raise _no_data_error(data)
    _check_int("cx_window_days", cx_window_days, 1)
    m, start, end = _month_end(data, month)
    as_of = end - pd.Timedelta(days=1)
    decl, val, renamed = _config_lists(data)
    decl = decl if attributes is None else tuple(attributes)
    val = val if value is None else ((value,) if isinstance(value, str) else tuple(value))
    c = data.customers
    c = c[c["customer_id"].notna()].drop_duplicates("customer_id").set_index("customer_id")
    notes: list[str] = []
    n_all = len(c)
    if "churn_date" in c:
        c = c[~(c["churn_date"] < start)]
    if "signup_date" in c:
        c = c[~(c["signup_date"] >= end)]
    if len(c) < n_all:
        notes.append(
            _(
                "{n} customers who had left before {month} or joined after it are not segmented.",
                n=f"{n_all - len(c):,}",
                month=str(m),
            )
        )
    sel = select_attributes(c, declared=decl, value=val, renamed=renamed)
    if not sel.used:
        reasons = "; ".join(f"{r.column}: {r.reason}" for r in sel.table.itertuples())
        raise _no_data_error(data, f"no customer column can be clustered on ({reasons})")
    t = c[list(sel.used)].astype(float)
    t.index.name = "customer_id"
    if sel.value:
        t[VALUE] = c[list(sel.value)].astype(float).sum(axis=1, min_count=1)
    t["churned"] = np.nan
    if "churn_date" in c:
        cd = c["churn_date"]
        t["churned"] = ((cd >= start) & (cd < end)).astype(float)
    elif "churned" in c:
        t["churn_flag"] = c["churned"].astype(float)
    notes.append(
        _(
            "The attributes are one snapshot of the customers table: the segments change from "
            "month to month only through who is active."
        )
    )
    _add_experience(data, t, end, end - pd.Timedelta(days=cx_window_days), skip=set(sel.used))
    return Features(t, as_of, notes, selection=sel)


def segmentable(data) -> bool:
    """Can :func:`label_customers` segment this folder? Transactions, or a customers table
    with at least one numeric attribute to cluster on (see :func:`select_attributes`).
    Other pages use it to decide whether to break their results down by segment.

    Parameters
    ----------
    data : Dataset
        A loaded data folder.

    Returns
    -------
    bool
        True with a ``transactions`` table, or when :func:`attribute_features` finds
        attributes to cluster on.
    """
    if data.has("transactions"):
        return True
    try:
        attribute_features(data)
    except CxReportError:
        return False
    return True


def require(data) -> None:
    """Stop the segmentation page with a clear message when the folder cannot be segmented
    (neither transactions nor numeric customer attributes).

    Parameters
    ----------
    data : Dataset
        A loaded data folder.

    Raises
    ------
    CxReportError
        From :func:`attribute_features` when there are no transactions and no customer
        attributes to cluster on (:class:`MissingTableError` saying what is missing).
    """
    if not data.has("transactions"):
        attribute_features(data)  # raises MissingTableError with what is missing and why


# --------------------------------------------------------------------------------------------
# clustering: design matrix, fits, sweep, stability, choice of k
# --------------------------------------------------------------------------------------------


@dataclass
class Design:
    """The scaled matrix clustered, and how to build it again for other customers."""

    X: np.ndarray
    index: pd.Index
    features: tuple[str, ...]
    logged: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    notes: list[str] = field(default_factory=list)
    fill: tuple[float, ...] = ()

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        """Apply the same log and scaling to another feature table (e.g. last month's).

        Parameters
        ----------
        table : DataFrame
            A feature table with the columns of ``features``. Missing values are filled with
            the medians :func:`design_matrix` filled in (``fill``).

        Returns
        -------
        ndarray of shape (len(table), len(features))
            The scaled matrix, rows in the table's order.
        """
        return _transform(table, self.features, self.logged, self.mean, self.scale, self.fill)


def _transform(table, features, logged, mean, scale, fill=()) -> np.ndarray:
    """The design's log and scaling of ``table``'s features; a missing value takes the
    fitted month's median (``fill``, one per feature), as :func:`design_matrix` does, so that
    it is never placed by a NaN distance (which ``argmin`` reads as the first centre)."""
    cols = []
    for i, f in enumerate(features):
        v = table[f].to_numpy(dtype=float)
        if len(fill):
            v = np.where(np.isnan(v), fill[i], v)
        cols.append(np.log1p(np.clip(v, 0, None)) if f in logged else v)
    X = np.column_stack(cols)
    return (X - mean) / scale


def design_matrix(table: pd.DataFrame, *, features=DEFAULT_FEATURES, logged=None) -> Design:
    """``log1p`` of the long-tailed features, then standardised; constant features dropped.

    Missing values (for instance NPS of customers who never answered) are filled with the
    feature's median before scaling, with a note. ``logged`` names the features to log
    (default: those in :data:`LOG_FEATURES`; customer attributes bring their own, see
    :func:`select_attributes`).

    Parameters
    ----------
    table : DataFrame
        The feature table (``Features.table``), one row per customer.
    features : sequence of str, default=DEFAULT_FEATURES
        Columns to cluster on; each must be a column of ``table``.
    logged : sequence of str, optional
        Features to ``log1p`` (after clipping negative values at 0); default
        :data:`LOG_FEATURES`.

    Returns
    -------
    Design
        ``X`` standardised (mean 0, SD 1 per column) with the constant features left out of
        ``features``; the filled-in medians and the dropped features in ``notes``.
    """
    features = tuple(features)
    unknown = [f for f in features if f not in table]
    if unknown:
        raise CxReportError(
            f"The 'features' parameter names columns the feature table does not have: "
            f"{', '.join(unknown)}. Available: {', '.join(table.columns)}."
        )
    notes: list[str] = []
    t = table[list(features)].astype(float)
    fill = {}
    for f in features:
        med = t[f].median()
        fill[f] = 0.0 if np.isnan(med) else float(med)
        miss = t[f].isna()
        if miss.any():
            t[f] = t[f].fillna(fill[f])
            notes.append(
                _(
                    "{feature}: {n} missing values set to the median.",
                    feature=f,
                    n=f"{int(miss.sum()):,}",
                )
            )
    to_log = LOG_FEATURES if logged is None else tuple(logged)
    logged = tuple(f for f in features if f in to_log)
    raw = np.column_stack(
        [
            np.log1p(np.clip(t[f].to_numpy(), 0, None)) if f in logged else t[f].to_numpy()
            for f in features
        ]
    )
    sd = raw.std(axis=0)
    const = sd <= 1e-12 * np.maximum(1.0, np.abs(raw).max(axis=0))
    if const.all():
        raise CxReportError(
            "Every clustering feature is constant (" + ", ".join(features) + "): all customers "
            "look alike, so there is nothing to segment. Use a longer history or other features."
        )
    if const.any():
        dropped = [f for f, c in zip(features, const, strict=True) if c]
        notes.append(
            _(
                "Constant features left out of the clustering (they separate no one): {features}.",
                features=", ".join(dropped),
            )
        )
        keep = ~const
        features = tuple(f for f, k in zip(features, keep, strict=True) if k)
        logged = tuple(f for f in logged if f in features)
        raw, sd = raw[:, keep], sd[keep]
    mean = raw.mean(axis=0)
    fills = tuple(fill[f] for f in features)
    return Design((raw - mean) / sd, table.index, features, logged, mean, sd, notes, fills)


def _kmeans(X: np.ndarray, k: int, seed: int, n_init: int):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)


def nearest_centre(X: np.ndarray, centers: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Nearest centre for every row (chunked, so a million rows stay small in memory).

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Rows to place, scaled as the centres.
    centers : ndarray of shape (k, p)
        The cluster centres.
    chunk : int, default=200_000
        Rows per block of the distance computation.

    Returns
    -------
    ndarray of int32, shape (n,)
        Each row's nearest centre (Euclidean distance), as a row number of ``centers``.
    """
    out = np.empty(len(X), dtype=np.int32)
    c2 = (centers**2).sum(axis=1)
    for lo in range(0, len(X), chunk):
        x = X[lo : lo + chunk]
        d = c2[None, :] - 2.0 * x @ centers.T
        out[lo : lo + chunk] = d.argmin(axis=1)
    return out


def fit_clusters(
    X: np.ndarray, k: int, *, seed: int = 42, n_init: int = 4, exact_max: int = 200_000
) -> tuple[np.ndarray, np.ndarray]:
    """k-means labels and centres; above ``exact_max`` rows fitted on a seeded sample.

    Returns labels for every row of ``X`` (nearest centre) and the centres.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Scaled features (see :func:`design_matrix`).
    k : int
        Number of clusters.
    seed : int, default=42
        Seeds k-means (``random_state``) and the sample.
    n_init : int, default=4
        k-means restarts.
    exact_max : int, default=200_000
        Above this many rows k-means is fitted on a seeded sample of this size.

    Returns
    -------
    labels : ndarray of int32, shape (n,)
        Cluster number of every row.
    centers : ndarray of shape (k, p)
        The cluster centres.
    """
    n = len(X)
    if n > exact_max:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(n, exact_max, replace=False))
        km = _kmeans(X[idx], k, seed, n_init)
        centers = km.cluster_centers_
        return nearest_centre(X, centers), centers
    km = _kmeans(X, k, seed, n_init)
    return km.labels_.astype(np.int32), km.cluster_centers_


def bootstrap_stability(
    X: np.ndarray, labels: np.ndarray, k: int, *, n_boot: int = 20, seed: int = 42, n_init: int = 2
) -> tuple[float, np.ndarray]:
    """Hennig-style bootstrap stability of a k-means partition.

    Each of ``n_boot`` bootstrap resamples (drawn with replacement) is clustered again; on the
    customers the resample contains, the reference partition is compared with the new one:
    the adjusted Rand index, and for each reference cluster the Jaccard similarity to its
    best-matching new cluster (as ``fpc::clusterboot``).

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Scaled features of the customers.
    labels : ndarray of int, shape (n,)
        The reference partition: cluster numbers 0 to ``k - 1``.
    k : int
        Number of clusters of the reference and of every refit.
    n_boot : int, default=20
        Bootstrap resamples.
    seed : int, default=42
        Seeds the resamples and the refits.
    n_init : int, default=2
        k-means restarts per refit.

    Returns
    -------
    mean_ari : float
    jaccard : ndarray of shape (k,)
        Mean over the resamples of each reference cluster's best Jaccard (Hennig reads
        >= 0.75 as stable, <= 0.6 as not to be trusted).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    n = len(X)
    aris, jac = [], np.zeros(k)
    for _resample in range(n_boot):
        idx = rng.integers(0, n, n)
        u = np.unique(idx)
        # one thread: on a resample of 20,000 rows threads cost more than they save
        with threadpool_limits(limits=1):
            km = KMeans(n_clusters=k, n_init=n_init, random_state=int(rng.integers(2**31 - 1)))
            centers = km.fit(X[idx]).cluster_centers_
        new = nearest_centre(X[u], centers)
        ref = labels[u]
        aris.append(adjusted_rand_score(ref, new))
        # contingency table -> Jaccard of every (reference, new) pair
        ct = np.bincount(ref * k + new, minlength=k * k).reshape(k, k).astype(float)
        a, bsz = ct.sum(axis=1), ct.sum(axis=0)
        union = a[:, None] + bsz[None, :] - ct
        with np.errstate(invalid="ignore", divide="ignore"):
            j = np.where(union > 0, ct / union, 0.0)
        jac += j.max(axis=1)
    return float(np.mean(aris)), jac / n_boot


@dataclass
class Sweep:
    """Quality of the k-means partition for each k.

    ``table`` has one row per k: ``silhouette`` (sampled for large n), ``silhouette_sd``
    (SD over 3 seeded samples when sampled, else 0), ``calinski_harabasz``, ``davies_bouldin``,
    ``smallest_share``, ``stability_ari``, ``min_jaccard``, ``stable``, ``separated``.
    """

    table: pd.DataFrame
    n: int
    silhouette_sample: int
    stability_sample: int
    n_boot: int
    labels: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    centers: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    jaccard: dict[int, np.ndarray] = field(default_factory=dict, repr=False)


def sweep(
    X: np.ndarray,
    *,
    k_range=range(2, 9),
    seed: int = 42,
    n_init: int = 4,
    n_boot: int = 20,
    silhouette_sample: int = 5_000,
    stability_sample: int = 20_000,
    exact_max: int = 200_000,
) -> Sweep:
    """Fit k-means for each k and measure separation and stability.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Scaled features (see :func:`design_matrix`).
    k_range : iterable of int, default=range(2, 9)
    seed : int, default=42
        Seeds the fits, the silhouette sample and the bootstrap.
    n_init : int, default=4
        k-means restarts per fit.
    n_boot : int, default=20
        Bootstrap resamples per k for the stability check (0 = skip it).
    silhouette_sample : int, default=5_000
        Silhouette is O(n^2); above this many customers it is the mean over three seeded
        samples of this size (SD of one 5,000 sample about 0.005 on CDNOW, so about 0.003 for
        the mean), and the SD over the three is reported as ``silhouette_sd``.
    stability_sample : int, default=20_000
        The bootstrap runs on a seeded sample of this many customers (all when fewer).
        Stability falls with the sample size (each refit sees fewer customers): on CDNOW at
        k = 4 the worst-cluster Jaccard is 0.77 on 5,000 customers, 0.93 on 20,000 and on all
        23,502, so a small sample would reject segmentations that are stable at full size.
    exact_max : int, default=200_000
        Above this many customers k-means is fitted on a seeded sample of this size.

    Returns
    -------
    Sweep
        ``table`` indexed by k (``stable`` and ``separated`` are added by :func:`choose_k`);
        the labels and centres of every k, and with ``n_boot`` each cluster's mean Jaccard.
    """
    from threadpoolctl import threadpool_limits

    # one thread below 100k rows: on small problems the OpenMP/BLAS thread start-up and
    # spin-waiting cost more than they save, badly so on a shared, busy machine
    with threadpool_limits(limits=1 if len(X) < 100_000 else None):
        return _sweep(
            X,
            k_range=k_range,
            seed=seed,
            n_init=n_init,
            n_boot=n_boot,
            silhouette_sample=silhouette_sample,
            stability_sample=stability_sample,
            exact_max=exact_max,
        )


def _sweep(
    X, *, k_range, seed, n_init, n_boot, silhouette_sample, stability_sample, exact_max
) -> Sweep:
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

    n = len(X)
    ks = sorted({int(k) for k in k_range})
    rng = np.random.default_rng(seed)
    s_idx = (
        np.sort(rng.choice(n, stability_sample, replace=False))
        if n > stability_sample
        else np.arange(n)
    )
    rows, out = [], Sweep(pd.DataFrame(), n, min(n, silhouette_sample), len(s_idx), n_boot)
    for k in ks:
        out.labels[k], out.centers[k] = fit_clusters(
            X, k, seed=seed, n_init=n_init, exact_max=exact_max
        )
    split = [k for k in ks if (np.bincount(out.labels[k], minlength=k) > 0).sum() >= 2]
    sils = _silhouettes(X, {k: out.labels[k] for k in split}, silhouette_sample, seed)
    for k in ks:
        labels = out.labels[k]
        counts = np.bincount(labels, minlength=k)
        if k not in split:
            rows.append({"k": k, "silhouette": np.nan})
            continue
        sil, sil_sd = sils[k]
        row = {
            "k": k,
            "silhouette": sil,
            "silhouette_sd": sil_sd,
            "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
            "davies_bouldin": float(davies_bouldin_score(X, labels)),
            "smallest_share": float(counts.min() / n),
        }
        if n_boot:
            Xs = X[s_idx]
            ref = labels[s_idx] if len(s_idx) < n else labels
            ari, jac = bootstrap_stability(Xs, ref, k, n_boot=n_boot, seed=seed)
            out.jaccard[k] = jac
            row.update(stability_ari=ari, min_jaccard=float(jac.min()))
        else:
            row.update(stability_ari=np.nan, min_jaccard=np.nan)
        rows.append(row)
    out.table = pd.DataFrame(rows).set_index("k")
    return out


def _silhouettes(
    X: np.ndarray, labels: dict[int, np.ndarray], sample: int, seed: int
) -> dict[int, tuple[float, float]]:
    """Silhouette and its SD for each k's labels. Above ``sample`` rows, the mean over three
    seeded samples of that size (the error of one 10,000-point sample, SD 0.003 on CDNOW, at
    the cost of 3 x 5,000 points, and an honest spread to show): scikit-learn's
    ``silhouette_score(X, labels, sample_size=sample, random_state=seed + i)``, with each
    sample's distances computed once for every k."""
    from sklearn.metrics import pairwise_distances, silhouette_score
    from sklearn.utils import check_random_state

    n = len(X)
    if n <= sample:
        dist = pairwise_distances(X)
        return {
            k: (float(silhouette_score(dist, lab, metric="precomputed")), 0.0)
            for k, lab in labels.items()
        }
    scores: dict[int, list[float]] = {k: [] for k in labels}
    for i in range(3):
        idx = check_random_state(seed + i).permutation(n)[:sample]  # silhouette_score's own
        dist = pairwise_distances(X[idx])
        for k, lab in labels.items():
            scores[k].append(float(silhouette_score(dist, lab[idx], metric="precomputed")))
        del dist
    return {k: (float(np.mean(v)), float(np.std(v, ddof=1))) for k, v in scores.items()}


@dataclass
class KChoice:
    """The chosen number of segments, why, and the rule it was chosen by.

    Attributes
    ----------
    k : int
        Number of segments.
    reason : str
        Why this k, in the report's language.
    rule : str
        :data:`K_RULE` with its thresholds filled in.
    pinned : bool
        True when the analyst set k (``k=`` of :func:`segment`), False when the rule chose it.
    """

    k: int
    reason: str
    rule: str
    pinned: bool


def choose_k(
    table: pd.DataFrame,
    *,
    min_jaccard: float = 0.75,
    min_share: float = 0.02,
    silhouette_tolerance: float = 0.05,
) -> KChoice:
    """Pick k from a :class:`Sweep` table by the rule in :data:`K_RULE`.

    Parameters
    ----------
    table : DataFrame
        ``Sweep.table``; its ``separated`` and ``stable`` columns are filled in (in place)
        for the k with a silhouette.
    min_jaccard : float, default=0.75
        A k is stable when every cluster's mean bootstrap Jaccard is at least this (a k
        without a stability check passes this test).
    min_share : float, default=0.02
        ... and its smallest cluster holds at least this share of the customers.
    silhouette_tolerance : float, default=0.05
        A k is well separated when its silhouette is within this of the best in the sweep.

    Returns
    -------
    KChoice
        With ``pinned`` False.
    """
    t = table.dropna(subset=["silhouette"])
    if t.empty:
        raise CxReportError("No k in the sweep produced two or more clusters.")
    rule = _(
        K_RULE,
        jaccard=f"{min_jaccard:.2f}",
        min_share=f"{min_share:.0%}",
        sil_tol=f"{silhouette_tolerance:.2f}",
    )
    best = t["silhouette"].max()
    separated = t["silhouette"] >= best - silhouette_tolerance
    has_stab = t["min_jaccard"].notna()
    stable = (t["min_jaccard"] >= min_jaccard) | ~has_stab
    stable &= t["smallest_share"] >= min_share
    table.loc[t.index, "separated"] = separated
    table.loc[t.index, "stable"] = stable
    ok = t.index[separated & stable]
    if len(ok):
        k = int(ok.max())
        r = t.loc[k]
        stab = (
            _(
                ", every cluster reproduced in bootstrap resamples (smallest mean Jaccard "
                "{jaccard}, mean ARI {ari})",
                jaccard=f"{r['min_jaccard']:.2f}",
                ari=f"{r['stability_ari']:.2f}",
            )
            if has_stab.loc[k]
            else _(" (stability not checked)")
        )
        reason = _(
            "k = {k}: silhouette {silhouette} (best in the sweep {best} at k = {best_k})"
            "{stability}; the smallest segment holds {smallest} of customers.",
            k=k,
            silhouette=f"{r['silhouette']:.3f}",
            best=f"{best:.3f}",
            best_k=int(t["silhouette"].idxmax()),
            stability=stab,
            smallest=f"{r['smallest_share']:.1%}",
        )
        bigger = [int(x) for x in t.index if x > k]
        if bigger:
            why = []
            for kk in bigger:
                rr = t.loc[kk]
                if not separated.loc[kk]:
                    why.append(
                        _(
                            "k = {k} is less well separated (silhouette {silhouette})",
                            k=kk,
                            silhouette=f"{rr['silhouette']:.3f}",
                        )
                    )
                elif not stable.loc[kk]:
                    why.append(
                        _(
                            "k = {k} is not stable (smallest Jaccard {jaccard}, smallest "
                            "segment {smallest})",
                            k=kk,
                            jaccard=f"{rr['min_jaccard']:.2f}",
                            smallest=f"{rr['smallest_share']:.1%}",
                        )
                    )
            reason += " " + _("Larger k rejected: {why}.", why="; ".join(why))
    else:
        k = int(t["min_jaccard"].fillna(0).idxmax())
        reason = _(
            "No k is both well separated and stable; k = {k} is the most stable "
            "(smallest Jaccard {jaccard}). Treat the segments as a convenient partition, "
            "not as natural groups.",
            k=k,
            jaccard=f"{t.loc[k, 'min_jaccard']:.2f}",
        )
    return KChoice(k, reason, rule, False)


# --------------------------------------------------------------------------------------------
# profiles and names
# --------------------------------------------------------------------------------------------

#: Thresholds of the naming rules (ratios to the median customer; days).
NAME_RULES = {
    "high_value": 1.5,  # monthly value >= 1.5 x the median customer's -> "high-value"
    "low_value": 0.67,  # <= 0.67 x -> "low-spend"; else "mid-value"
    "new_days": 183,  # median tenure <= 183 days -> "new"
    "lapsed_days": 180,  # median recency >= max(180 days, 3 x overall median) -> "lapsed"
    "lapsed_ratio": 3.0,
    "fading_ratio": 2.0,  # median recency >= 2 x overall median -> "fading"
    "loyal_rate": 1.5,  # purchase rate >= 1.5 x median and recent -> "loyal"
    "occasional_rate": 0.67,  # purchase rate <= 0.67 x median -> "occasional"
}


def profile(table: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """One row per cluster: size, value, median behaviour and experience.

    Columns: ``customers``, ``share``, ``revenue`` (net value to date), ``revenue_share``,
    ``revenue_month_share``, medians of ``recency``, ``frequency``, ``purchase_rate``,
    ``avg_basket``, ``monetary``, ``monthly_value``, ``tenure``; ``nps`` (promoters minus
    detractors among the cluster's respondents, NaN when none) and ``nps_n``;
    ``complaint_rate`` and ``failed_mot_rate`` (share of customers with at least one in the
    look-back window); ``churn_rate`` (share who left during the month).

    Parameters
    ----------
    table : DataFrame
        The feature table of the purchase path (``Features.table`` of
        :func:`customer_features`).
    labels : Series
        customer_id -> cluster number (aligned to the table's index).

    Returns
    -------
    DataFrame
        Index ``cluster`` (sorted), the columns above.
    """
    t = table.assign(_c=labels.reindex(table.index).to_numpy())
    g = t.groupby("_c", sort=True)
    p = pd.DataFrame({"customers": g.size()})
    p["share"] = p["customers"] / len(t)
    p["revenue"] = g["monetary"].sum()
    tot = t["monetary"].sum()
    p["revenue_share"] = p["revenue"] / tot if tot > 0 else np.nan
    totm = t["revenue_month"].clip(lower=0).sum()
    p["revenue_month_share"] = (
        g["revenue_month"].apply(lambda s: s.clip(lower=0).sum()) / totm if totm > 0 else np.nan
    )
    for c in (
        "recency",
        "frequency",
        "purchase_rate",
        "avg_basket",
        "monetary",
        "monthly_value",
        "tenure",
    ):
        p[c] = g[c].median()
    if "nps" in t:
        p["nps"] = g["nps"].apply(nps_score)
        p["nps_n"] = g["nps"].count()
    if "complaints" in t:
        p["complaint_rate"] = g["complaints"].apply(lambda s: float((s > 0).mean()))
    if "failed_mot" in t:
        p["failed_mot_rate"] = g["failed_mot"].apply(lambda s: float((s > 0).mean()))
    p["churn_rate"] = g["churned"].mean() if "churned" in t else np.nan
    p.index.name = "cluster"
    return p


def name_clusters(prof: pd.DataFrame, overall: pd.Series, *, rules: dict | None = None) -> dict:
    """Deterministic readable names from cluster profiles; names are unique.

    Value tier from the cluster's median monthly value relative to the median customer
    (``high-value`` / ``mid-value`` / ``low-spend``); activity from tenure, recency and purchase
    rate (``new``, ``lapsed``, ``fading``, ``loyal``, ``occasional``, else ``regular``); see
    :data:`NAME_RULES`. Clusters that would share a name get the qualifier that tells them
    apart (``more frequent`` / ``less frequent``, ...), last a number by value.

    Parameters
    ----------
    prof : DataFrame
        From :func:`profile`.
    overall : Series
        Medians of the same columns over all customers.
    rules : dict, optional
        Overrides of :data:`NAME_RULES`.

    Returns
    -------
    dict
        Cluster number (the index of ``prof``) -> segment name.
    """
    r = {**NAME_RULES, **(rules or {})}

    def ratio(v, o):
        """A cluster's median relative to the overall median.

        Parameters
        ----------
        v : float
            The cluster's median.
        o : float
            The overall median.

        Returns
        -------
        float
            ``v / o``; when ``o`` is not positive, infinite if ``v`` is positive, else 1.
        """
        return v / o if o and o > 0 else (np.inf if v > 0 else 1.0)

    base = {}
    for c, row in prof.iterrows():
        val = ratio(row["monthly_value"], overall["monthly_value"])
        tier = (
            "high-value"
            if val >= r["high_value"]
            else "low-spend"
            if val <= r["low_value"]
            else "mid-value"
        )
        rec = ratio(row["recency"], overall["recency"])
        rate = ratio(row["purchase_rate"], overall["purchase_rate"])
        if row["tenure"] <= r["new_days"]:
            name = f"new {tier}"
        elif row["recency"] >= max(r["lapsed_days"], r["lapsed_ratio"] * overall["recency"]):
            name = "lapsed"
        elif rec >= r["fading_ratio"]:
            name = f"fading {tier}"
        elif rate >= r["loyal_rate"] and rec <= 1.0:
            name = f"{tier} loyal"
        elif rate <= r["occasional_rate"]:
            name = f"{tier} occasional"
        else:
            name = f"{tier} regular"
        base[c] = name
    # "lapsed" alone when unique, else with its value tier
    lapsed = [c for c, n in base.items() if n == "lapsed"]
    if len(lapsed) > 1:
        for c in lapsed:
            val = ratio(prof.loc[c, "monthly_value"], overall["monthly_value"])
            base[c] = "lapsed " + (
                "high-value"
                if val >= r["high_value"]
                else "low-spend"
                if val <= r["low_value"]
                else "mid-value"
            )
    quals = [
        ("purchase_rate", "more frequent", "less frequent"),
        ("recency", "less recent", "more recent"),
        ("avg_basket", "bigger baskets", "smaller baskets"),
        ("tenure", "longer-standing", "newer"),
    ]
    names = dict(base)
    for name in sorted(set(base.values())):
        group = [c for c in base if base[c] == name]
        if len(group) < 2:
            continue
        sub = prof.loc[group]
        for col, hi, lo in quals:
            v = sub[col]
            if len(group) == 2 and v.max() > 1.25 * max(v.min(), 1e-9):
                for c in group:
                    names[c] = f"{name}, {hi if v[c] == v.max() else lo}"
                break
        else:
            order = sub.sort_values("monthly_value", ascending=False, kind="stable").index
            for i, c in enumerate(order, 1):
                names[c] = f"{name} {i}"
    return names


#: Thresholds of the attribute names, in standard deviations of the (logged) attribute.
ATTRIBUTE_NAME_RULES = {
    "notable": 0.25,  # the largest difference below this: "typical"
    "second": 0.5,  # a second attribute is named when it differs by this much ...
    "second_ratio": 0.5,  # ... and by at least half as much as the first
    "slight": 0.5,  # below this: "slightly high" / "slightly low"
}


def attribute_deviations(design: Design, clusters) -> pd.DataFrame:
    """Cluster x attribute: the cluster's median minus the overall median, in standard
    deviations of the clustered (logged, standardised) attribute.

    Medians commute with the monotone ``log1p``, so the sign and order are those of the raw
    medians; the unit makes attributes of different scales comparable.

    Parameters
    ----------
    design : Design
        The design matrix that was clustered.
    clusters : array-like of int
        Cluster number of each row of ``design.X``.

    Returns
    -------
    DataFrame
        Index ``cluster`` (sorted), one column per feature of ``design``.
    """
    lab = np.asarray(clusters)
    overall = np.median(design.X, axis=0)
    ks = np.unique(lab)
    dev = np.vstack([np.median(design.X[lab == c], axis=0) - overall for c in ks])
    return pd.DataFrame(dev, index=pd.Index(ks, name="cluster"), columns=list(design.features))


def name_by_attributes(deviations: pd.DataFrame, *, rules: dict | None = None) -> dict:
    """Segment names from the attributes that set each segment apart; names are unique.

    Each segment is named after the attribute on which its median differs most from the
    overall median (:func:`attribute_deviations`), and a second when it differs almost as
    much: ``"high Fresh, low Grocery"`` (``"slightly high"`` below ``slight`` SD);
    ``"typical"`` when no attribute differs by ``notable`` SD. Segments that would share a
    name get their next attribute named (``"average <attribute>"`` when it differs by less
    than ``notable``), until the names differ; a number last. See
    :data:`ATTRIBUTE_NAME_RULES`.

    Parameters
    ----------
    deviations : DataFrame
        Cluster x attribute, in SD (:func:`attribute_deviations`).
    rules : dict, optional
        Overrides of :data:`ATTRIBUTE_NAME_RULES`.

    Returns
    -------
    dict
        Cluster (the index of ``deviations``) -> segment name.
    """
    r = {**ATTRIBUTE_NAME_RULES, **(rules or {})}
    order = {
        c: row.abs().sort_values(ascending=False, kind="stable").index.tolist()
        for c, row in deviations.iterrows()
    }

    def word(c, f):
        """How segment ``c`` stands on attribute ``f``: ``"slightly high Fresh"``.

        Parameters
        ----------
        c : int
            A cluster (a row of ``deviations``).
        f : str
            An attribute (a column of ``deviations``).

        Returns
        -------
        str
            ``high``, ``low``, ``slightly high``, ``slightly low`` or ``average`` (less than
            ``notable`` SD), then the attribute in plain words (:func:`plain`).
        """
        d = deviations.loc[c, f]
        if abs(d) < r["notable"]:  # named only to tell two segments apart
            return f"average {plain(f)}"
        slight = "slightly " if abs(d) < r["slight"] else ""
        return f"{slight}{'high' if d > 0 else 'low'} {plain(f)}"

    def base(c):
        """Segment ``c``'s name before clashes are resolved.

        Parameters
        ----------
        c : int
            A cluster (a row of ``deviations``).

        Returns
        -------
        name : str
            Its one or two most different attributes (:func:`word`), or ``"typical"``.
        n : int
            Attributes named: 0 (typical), 1 or 2.
        """
        o = order[c]
        d1 = abs(deviations.loc[c, o[0]])
        if d1 < r["notable"]:
            return "typical", 0
        n = 1
        if len(o) > 1:
            d2 = abs(deviations.loc[c, o[1]])
            if d2 >= r["second"] and d2 >= r["second_ratio"] * d1:
                n = 2
        return ", ".join(word(c, f) for f in o[:n]), n

    names, used = {}, {}
    for c in deviations.index:
        names[c], used[c] = base(c)
    nfeat = deviations.shape[1]
    while True:
        groups = {}
        for c, nm in names.items():
            groups.setdefault(nm, []).append(c)
        clash = [g for g in groups.values() if len(g) > 1]
        grow = [c for g in clash for c in g if used[c] < nfeat]
        if not grow:
            break
        for c in grow:
            used[c] += 1
            names[c] = ", ".join(word(c, f) for f in order[c][: used[c]])
    for g in clash:  # identical on every attribute's direction: number them
        for i, c in enumerate(g, 1):
            names[c] = f"{names[c]} ({i})"
    return names


# The words of the names above, for :func:`shown` (N_: the catalogue's texts).
_TIERS = (N_("high-value"), N_("mid-value"), N_("low-spend"))
_ACTIVITY = re.compile(
    rf"(?:(?P<before>new|fading|lapsed) (?P<t1>{'|'.join(_TIERS)})"
    rf"|(?P<t2>{'|'.join(_TIERS)}) (?P<after>loyal|occasional|regular))"
)
_ACTIVITY_TEMPLATES = {
    "new": N_("new {tier}"),
    "fading": N_("fading {tier}"),
    "lapsed": N_("lapsed {tier}"),
    "loyal": N_("{tier} loyal"),
    "occasional": N_("{tier} occasional"),
    "regular": N_("{tier} regular"),
}
_NAME_WORDS = {
    N_("lapsed"),
    N_("typical"),
    N_("no purchase yet"),
    N_("more frequent"),
    N_("less frequent"),
    N_("less recent"),
    N_("more recent"),
    N_("bigger baskets"),
    N_("smaller baskets"),
    N_("longer-standing"),
    N_("newer"),
}
_LEVEL = re.compile(r"(?P<level>slightly high|slightly low|high|low|average) (?P<attribute>.+)")
_LEVEL_TEMPLATES = {
    "high": N_("high {attribute}"),
    "low": N_("low {attribute}"),
    "slightly high": N_("slightly high {attribute}"),
    "slightly low": N_("slightly low {attribute}"),
    "average": N_("average {attribute}"),
}


def shown(name) -> str:
    """A segment's name as the page shows it: the words of our naming rules
    (:func:`name_clusters`, :func:`name_by_attributes`, the RFM map's names) in the report's
    language; the attribute names in it (data) and any other name as they are. The data
    keep the English name (exports, last month's assignments, the other pages' labels).

    Parameters
    ----------
    name : str
        A segment name, or a margin of the migration matrix (any value is taken as its text).

    Returns
    -------
    str
        The name as shown; in the default language the name itself.
    """
    text = str(name)
    if i18n.language() == i18n.DEFAULT:
        return text
    if text in (NEW_ROW, GONE_COL):  # the migration's margins
        return _(text)
    numbered = re.fullmatch(r"(?P<name>.+) (?P<n>\(\d+\)|\d+)", text)
    if numbered and _part(numbered["name"].split(", ")[-1]) != numbered["name"].split(", ")[-1]:
        return f"{shown(numbered['name'])} {numbered['n']}"
    parts = text.split(", ")
    if len(parts) == 2 and parts[1] in _NAME_WORDS and _part(parts[0]) != parts[0]:
        return _("{name}, {qualifier}", name=_part(parts[0]), qualifier=_(parts[1]))
    out = _part(parts[0])
    for p in parts[1:]:
        out = _("{first}, {second}", first=out, second=_part(p))
    return out


def _part(text: str) -> str:
    if text in _NAME_WORDS:
        return _(text)
    m = _ACTIVITY.fullmatch(text)
    if m:
        key = m["before"] or m["after"]
        return _(_ACTIVITY_TEMPLATES[key], tier=_(m["t1"] or m["t2"]))
    m = _LEVEL.fullmatch(text)
    if m:
        return _(_LEVEL_TEMPLATES[m["level"]], attribute=m["attribute"])
    return _(text)  # an RFM segment of the default map, "Other"; else the text itself


_PROFILE_STATS = frozenset(
    {"segment", "customers", "share", "value", "revenue_share", "nps", "nps_n"}
    | {"complaint_rate", "failed_mot_rate", "churn_rate", "churn_flag_rate"}
)


def _profile_column(attribute) -> str:
    """The profile column of an attribute's median: its own name, unless a statistic of the
    profile already has that name."""
    return f"{attribute} (median)" if attribute in _PROFILE_STATS else str(attribute)


def attribute_profile(table: pd.DataFrame, labels: pd.Series, selection) -> pd.DataFrame:
    """One row per cluster of the attribute path: size, value, attribute medians, experience.

    Columns: ``customers``, ``share``, ``value`` (sum of the customers' value, NaN without
    one) and ``revenue_share`` (its share), the median of every attribute clustered on (under
    its own name, or ``<name> (median)`` when a statistic has it), ``nps`` / ``nps_n``,
    ``complaint_rate``, ``failed_mot_rate`` when those tables exist, ``churn_rate`` (left
    during the month, with churn dates) or ``churn_flag_rate`` (share with the ``churned``
    flag set, without dates).

    Parameters
    ----------
    table : DataFrame
        The feature table of the attribute path (``Features.table`` of
        :func:`attribute_features`).
    labels : Series
        customer_id -> cluster number (aligned to the table's index).
    selection : AttributeSelection
        ``Features.selection``: the attributes clustered on (``used``).

    Returns
    -------
    DataFrame
        Index ``cluster`` (sorted), the columns above.
    """
    t = table.assign(_c=labels.reindex(table.index).to_numpy())
    g = t.groupby("_c", sort=True)
    p = pd.DataFrame({"customers": g.size()})
    p["share"] = p["customers"] / len(t)
    if VALUE in t:
        p["value"] = g[VALUE].sum()
        tot = t[VALUE].sum()
        p["revenue_share"] = p["value"] / tot if tot > 0 else np.nan
    else:
        p["value"] = np.nan
        p["revenue_share"] = np.nan
    for f in selection.used:
        p[_profile_column(f)] = g[f].median()
    if "nps" in t and "nps" not in selection.used:
        p["nps"] = g["nps"].apply(nps_score)
        p["nps_n"] = g["nps"].count()
    if "complaints" in t and "complaints" not in selection.used:
        p["complaint_rate"] = g["complaints"].apply(lambda s: float((s > 0).mean()))
    if "failed_mot" in t and "failed_mot" not in selection.used:
        p["failed_mot_rate"] = g["failed_mot"].apply(lambda s: float((s > 0).mean()))
    p["churn_rate"] = g["churned"].mean()
    if "churn_flag" in t:
        p["churn_flag_rate"] = g["churn_flag"].mean()
    p.index.name = "cluster"
    return p


# --------------------------------------------------------------------------------------------
# the pipeline
# --------------------------------------------------------------------------------------------


@dataclass
class SegmentResult:
    """Everything :func:`segment` found.

    Attributes
    ----------
    features : Features
    design : Design
    sweep : Sweep
    choice : KChoice
    clusters : Series
        customer_id -> cluster number (0 = highest median monthly value).
    names : dict
        cluster number -> segment name.
    segments : Series
        customer_id -> segment name (only customers with purchases).
    profile : DataFrame
        :func:`profile` with a ``segment`` column, ordered by cluster number.
    centers : ndarray
        Cluster centres in the scaled feature space (for assigning other customers).
    notes : list of str
    deviations : DataFrame or None
        Without transactions: :func:`attribute_deviations`, the differences the names are
        read from (cluster x attribute, in SD).
    """

    features: Features
    design: Design
    sweep: Sweep
    choice: KChoice
    clusters: pd.Series
    names: dict
    segments: pd.Series
    profile: pd.DataFrame
    centers: np.ndarray
    notes: list[str]
    deviations: pd.DataFrame | None = None

    @property
    def k(self) -> int:
        """The number of segments (``choice.k``).

        Returns
        -------
        int
        """
        return self.choice.k

    @property
    def by_attributes(self) -> bool:
        """True when the segments come from customer attributes (no transactions).

        Returns
        -------
        bool
        """
        return self.features.selection is not None

    @property
    def attribute_columns(self) -> list[str]:
        """The profile's columns of the attributes clustered on (empty with transactions).

        Returns
        -------
        list of str
        """
        if not self.by_attributes:
            return []
        return [_profile_column(f) for f in self.design.features]

    def summary(self) -> list[str]:
        """The page's opening lines: who was segmented, on what, and the notes.

        Returns
        -------
        list of str
            Sentences in the report's language.
        """
        f = self.features
        if not self.by_attributes:
            return [
                _(
                    "{n} customers with purchases up to {day}; {none} active customers "
                    "without a purchase yet.",
                    n=f"{len(f.table):,}",
                    day=f"{f.as_of:%Y-%m-%d}",
                    none=f"{len(f.no_purchase):,}",
                )
            ] + self.notes
        first = _(
            "No transactions: the {n} customers active on {day} are segmented on what the "
            "customers table says about them, not on purchases.",
            n=f"{len(f.table):,}",
            day=f"{f.as_of:%Y-%m-%d}",
        )
        return [first, *f.selection.sentences(), *self.notes]

    def yardstick(self) -> Yardstick | None:
        """This segmentation as a rule for other months' customers (None without
        transactions: the customer attributes are one snapshot, with no history).

        Returns
        -------
        Yardstick or None
        """
        if self.by_attributes:
            return None
        d = self.design
        return Yardstick(
            d.features,
            d.logged,
            d.mean.tolist(),
            d.scale.tolist(),
            self.centers.tolist(),
            {int(c): str(n) for c, n in self.names.items()},
            list(d.fill),
        )

    def labels(self) -> pd.Series:
        """customer_id -> segment, including active customers without a purchase.

        Returns
        -------
        Series
            Index ``customer_id``, name ``"segment"``; ``"no purchase yet"`` for the customers
            without a purchase.
        """
        return _with_no_purchase(self.segments, self.features.no_purchase)


def _with_no_purchase(segments: pd.Series, extra: pd.Index) -> pd.Series:
    """customer_id -> segment, with the active customers without a purchase added."""
    if len(extra):
        segments = pd.concat([segments, pd.Series(NO_PURCHASE, index=extra, name="segment")])
    segments.index.name = "customer_id"
    return segments.rename("segment")


@dataclass(frozen=True)
class Yardstick:
    """A month's segments as a rule: the design's log and scaling, the cluster centres and
    the segment names, so that another month's customers are placed in the same segments
    (one yardstick for both months, as :func:`previous_assignments`). JSON-able, for the
    run's segment cache."""

    features: tuple[str, ...]
    logged: tuple[str, ...]
    mean: list[float]
    scale: list[float]
    centers: list[list[float]]
    names: dict[int, str]
    fill: list[float] = field(default_factory=list)

    def labels_at(self, data, month) -> pd.Series:
        """customer_id -> segment as of the end of ``month``: the customers with purchases
        by then, placed by this yardstick, and the active ones without (``no purchase
        yet``), as :meth:`SegmentResult.labels`.

        Parameters
        ----------
        data : Dataset
            A loaded data folder with ``transactions`` (see :func:`customer_features`).
        month : str or Period
            The month whose end is the cut-off, ``"YYYY-MM"``.

        Returns
        -------
        Series
            Index ``customer_id``, values segment names, name ``"segment"``.
        """
        feats = customer_features(data, month=month, experience=self.uses_experience)
        return _with_no_purchase(self.assign(feats.table), feats.no_purchase)

    @property
    def uses_experience(self) -> bool:
        """Whether any of :data:`EXPERIENCE` is among the features placing the customers.

        Returns
        -------
        bool
        """
        return bool(set(EXPERIENCE) & set(self.features))

    def assign(self, table: pd.DataFrame) -> pd.Series:
        """Segment names for a feature table (e.g. last month's) by this yardstick.

        Parameters
        ----------
        table : DataFrame
            A feature table with the yardstick's ``features`` columns (``Features.table``).

        Returns
        -------
        Series
            Index that of ``table``, values segment names (nearest centre), name
            ``"segment"``.
        """
        X = _transform(
            table,
            self.features,
            self.logged,
            np.asarray(self.mean),
            np.asarray(self.scale),
            self.fill,
        )
        cluster = nearest_centre(X, np.asarray(self.centers))
        return pd.Series([self.names[int(c)] for c in cluster], index=table.index, name="segment")

    def to_json(self) -> str:
        """This yardstick as JSON text (:meth:`from_json` reads it back).

        Returns
        -------
        str
        """
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Yardstick:
        """A yardstick from the JSON text that :meth:`to_json` wrote.

        Parameters
        ----------
        text : str
            The JSON text.

        Returns
        -------
        Yardstick
        """
        doc = json.loads(text)
        doc["names"] = {int(c): n for c, n in doc["names"].items()}
        doc["features"], doc["logged"] = tuple(doc["features"]), tuple(doc["logged"])
        return cls(**doc)


def segment(
    data,
    *,
    k: int = 0,
    k_min: int = 2,
    k_max: int = 8,
    features=DEFAULT_FEATURES,
    seed: int = 42,
    n_init: int = 4,
    n_boot: int = 20,
    silhouette_sample: int = 5_000,
    stability_sample: int = 20_000,
    exact_max: int = 200_000,
    min_jaccard: float = 0.75,
    min_share: float = 0.02,
    silhouette_tolerance: float = 0.05,
    month=None,
    feature_table: Features | None = None,
    attributes=None,
) -> SegmentResult:
    """Segment the customers of a data folder as of the end of its reporting month.

    With transactions the customers are clustered on their purchase behaviour
    (:func:`customer_features`); without them, on the numeric attributes of the customers
    table (:func:`attribute_features`: declared in ``segments.attributes`` of
    ``cxreport.yaml`` or detected), and the segments are named from those attributes
    (:func:`name_by_attributes`).

    Parameters
    ----------
    data : Dataset
        Needs ``transactions``, or ``customers`` with numeric attributes; uses
        ``customers``, ``survey``, ``complaints`` and ``touchpoints`` when present.
    k : int, default=0
        Number of segments; 0 = choose automatically by the rule in :data:`K_RULE`.
    k_min, k_max : int, default=2, 8
        The range of k swept (and shown even when ``k`` is pinned).
    features : sequence of str, default=DEFAULT_FEATURES
        Columns of the feature table to cluster on (``log1p`` for the long-tailed ones, then
        standardised).
    seed : int, default=42
    n_init, n_boot, silhouette_sample, stability_sample, exact_max
        See :func:`sweep`.
    min_jaccard, min_share, silhouette_tolerance
        See :func:`choose_k`.
    month : str or Period, optional
        Cut-off month (default ``data.month``).
    feature_table : Features, optional
        Precomputed features (skips :func:`customer_features`); with a ``selection``, the
        attribute path.
    attributes : sequence of str, optional
        Without transactions: the customer columns to cluster on (default
        ``segments.attributes`` of ``cxreport.yaml``, else detected). ``features`` is for
        the purchase path and is ignored here.

    Returns
    -------
    SegmentResult
    """
    check_settings(k=k, k_min=k_min, k_max=k_max, n_boot=n_boot, min_jaccard=min_jaccard, seed=seed)
    k, k_min, k_max, seed = int(k), int(k_min), int(k_max), int(seed)
    _check_int("n_init", n_init, 1, 100)
    _check_int("silhouette_sample", silhouette_sample, 100)
    _check_int("stability_sample", stability_sample, 100)
    _check_int("exact_max", exact_max, 1000)
    _check_float("min_share", min_share, 0.0, 0.5)
    _check_float("silhouette_tolerance", silhouette_tolerance, 0.0, 2.0)
    if feature_table is not None:
        feats = feature_table
    elif data.has("transactions"):
        feats = customer_features(data, month=month)
    else:
        feats = attribute_features(data, month=month, attributes=attributes)
    sel = feats.selection
    table = feats.table
    m = data.month if month is None else pd.Period(month, "M")
    notes = list(feats.notes)
    k_min, k_max = _fit_sizes(table, sel, m, k, k_min, k_max, notes)
    if sel is not None:
        design = design_matrix(table, features=sel.used, logged=sel.logged)
    else:
        design = design_matrix(table, features=features)
    notes += design.notes
    ks = set(range(k_min, k_max + 1)) | ({k} if k else set())
    sw = sweep(
        design.X,
        k_range=sorted(ks),
        seed=seed,
        n_init=n_init,
        n_boot=n_boot,
        silhouette_sample=silhouette_sample,
        stability_sample=stability_sample,
        exact_max=exact_max,
    )
    auto = choose_k(
        sw.table,
        min_jaccard=min_jaccard,
        min_share=min_share,
        silhouette_tolerance=silhouette_tolerance,
    )
    choice = _pinned(sw, k, auto) if k else auto
    raw, centers = sw.labels[choice.k], sw.centers[choice.k]
    if sel is not None:
        return _attribute_result(feats, design, sw, choice, raw, centers, notes)
    # relabel: 0 = highest median monthly value, then larger clusters first
    clusters, centers = _relabel(raw, table["monthly_value"].to_numpy(), centers, table.index)
    prof = profile(table, clusters)
    overall = table[["monthly_value", "recency", "purchase_rate", "tenure"]].median()
    names = name_clusters(prof, overall)
    prof.insert(0, "segment", [names[c] for c in prof.index])
    segs = clusters.map(names).rename("segment")
    return SegmentResult(feats, design, sw, choice, clusters, names, segs, prof, centers, notes)


def _fit_sizes(table, sel, m, k, k_min, k_max, notes) -> tuple[int, int]:
    """The sweep's k range for ``len(table)`` customers (k_max below their number, with a
    note); an error when they are too few for 2 segments or for a pinned ``k``; a note when
    the month itself has no purchase."""
    n = len(table)
    who = "active customers in the customers table" if sel else "customers with purchases"
    when = f"at the end of {m}" if sel else f"up to the end of {m}"
    if "revenue_month" in table and (table["revenue_month"] != 0).sum() == 0:
        notes.append(
            _(
                "No purchases in {month} itself: the segments describe the customers' "
                "history up to the month end, and recency grows for everyone.",
                month=str(m),
            )
        )
    if n < 3:
        raise CxReportError(
            f"Only {n} {who} {when}: at least 3 are needed to form 2 segments."
            if sel
            else f"Only {n} customer(s) with purchases up to the end of {m}: at "
            "least 3 are needed to form 2 segments."
        )
    if k and k >= n:
        raise CxReportError(
            f"The 'k' parameter asks for {k} segments but there are only {n} {who} {when}; "
            f"choose k <= {n - 1}."
            if sel
            else f"The 'k' parameter asks for {k} segments but only {n} customers "
            f"have purchases up to the end of {m}; choose k <= {n - 1}."
        )
    if k_max >= n:
        notes.append(
            _(
                "Only {n} customers: the sweep stops at k = {k} instead of {k_max}.",
                n=n,
                k=n - 1,
                k_max=k_max,
            )
        )
        k_max = n - 1
        k_min = min(k_min, k_max)
    return k_min, k_max


def _pinned(sw: Sweep, k: int, auto: KChoice) -> KChoice:
    """The analyst's ``k``, with its silhouette and stability and what the rule would pick."""
    r = sw.table.loc[k]
    return KChoice(
        k,
        _(
            "k = {k} was pinned by the analyst (silhouette {silhouette}, smallest "
            "Jaccard {jaccard}). The automatic rule would choose k = {auto}.",
            k=k,
            silhouette=f"{r['silhouette']:.3f}",
            jaccard=f"{r['min_jaccard']:.2f}",
            auto=auto.k,
        ),
        auto.rule,
        True,
    )


def _relabel(raw: np.ndarray, value: np.ndarray, centers: np.ndarray, index: pd.Index):
    """Cluster numbers by median ``value``, highest first (larger clusters first on ties),
    and the centres in that order."""
    order = (
        pd.DataFrame({"c": raw, "v": value})
        .groupby("c")["v"]
        .agg(["median", "size"])
        .sort_values(["median", "size"], ascending=[False, False], kind="stable")
        .index.to_numpy()
    )
    remap = np.empty(max(order.max() + 1, len(centers)), dtype=np.int32)
    remap[order] = np.arange(len(order))
    return pd.Series(remap[raw], index=index, name="cluster"), centers[order]


def _attribute_result(feats, design, sw, choice, raw, centers, notes) -> SegmentResult:
    """The attribute path's relabelling, profile and names."""
    table = feats.table
    # relabel: 0 = highest median value when there is one, else the largest cluster
    v = table[VALUE].to_numpy() if VALUE in table else np.zeros(len(table))
    clusters, centers = _relabel(raw, v, centers, table.index)
    prof = attribute_profile(table, clusters, feats.selection)
    dev = attribute_deviations(design, clusters.to_numpy())
    names = name_by_attributes(dev)
    prof.insert(0, "segment", [names[c] for c in prof.index])
    segs = clusters.map(names).rename("segment")
    return SegmentResult(
        feats, design, sw, choice, clusters, names, segs, prof, centers, notes, deviations=dev
    )


#: The segmentation notebook's settings; :func:`label_customers` takes the same.
SETTINGS = (
    Setting(
        "k",
        int,
        0,
        "number of segments; 0 chooses automatically (separated and stable)",
        low=0,
        high=50,
    ),
    Setting("k_min", int, 2, "smallest k in the sweep", low=2, high=50),
    Setting("k_max", int, 8, "largest k in the sweep", low=2, high=50),
    Setting(
        "n_boot",
        int,
        20,
        "bootstrap resamples per k for the stability check (0 skips it)",
        low=0,
        high=1000,
    ),
    Setting(
        "min_jaccard",
        float,
        0.75,
        "a cluster counts as stable at this mean bootstrap Jaccard",
        low=0,
        high=1,
    ),
)


def check_settings(**values) -> None:
    """The segmentation notebook's settings (:data:`SETTINGS`, and ``seed``), checked up
    front with :func:`segment`'s rules.

    Parameters
    ----------
    **values
        Settings by name; the names of :data:`SETTINGS` and ``seed`` are checked, others
        ignored.

    Raises
    ------
    ParameterError
        When a value is out of its range, ``k`` is 1 or ``k_max`` is below ``k_min``.
    """
    v = check(SETTINGS, values)
    if v.get("k") == 1:
        raise ParameterError(
            "The 'k' parameter must be 0 (choose automatically) or an int in the range "
            "[2, 50]; got 1."
        )
    if "k_min" in v and v.get("k_max", 50) < v["k_min"]:
        raise ParameterError(
            f"The 'k_max' parameter must be an int in the range [k_min, 50] = "
            f"[{v['k_min']}, 50]; got {v['k_max']}."
        )
    if "seed" in values:
        _check_int("seed", values["seed"], 0)


#: The segmentation settings every page shares, with their defaults.
LABEL_SETTINGS = {s.name: s.default for s in SETTINGS}


def label_settings(settings: dict | None = None) -> dict:
    """Segmentation settings with the defaults filled in (unknown names are an error).

    Parameters
    ----------
    settings : dict, optional
        Setting name -> value, names of :data:`LABEL_SETTINGS` only (the values are not
        checked here).

    Returns
    -------
    dict
        Every setting of :data:`LABEL_SETTINGS`: the given value, else the default.
    """
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(LABEL_SETTINGS))
    if unknown:
        raise ParameterError(
            f"Unknown segmentation setting(s) {', '.join(unknown)}; the settings are "
            f"{', '.join(LABEL_SETTINGS)}."
        )
    return {**LABEL_SETTINGS, **settings}


def label_customers(data, *, seed: int = 42, **settings) -> pd.Series:
    """Segment name per customer as of the end of ``data.month``.

    Runs :func:`segment` with the segmentation notebook's settings (``k``, ``k_min``,
    ``k_max``, ``n_boot``, ``min_jaccard``; default: its defaults), so the churn, CSI/NPS and
    SWOT notebooks can break their results down by the segments the segmentation report
    shows. The report layer caches the result (``Run.segments``), so a run computes it once.

    Parameters
    ----------
    data : Dataset
        A loaded data folder with a reporting month; needs ``transactions``, or a
        ``customers`` table with numeric attributes (see :func:`segment`;
        :func:`segmentable` says whether a folder qualifies).
    seed : int, default=42
        Pass the notebook's ``seed`` so that the labels match the segmentation report.
    **settings
        The segmentation notebook's parameters (see :data:`LABEL_SETTINGS`).

    Returns
    -------
    Series
        Index ``customer_id``, values segment names (str), name ``"segment"``. Covers every
        customer with a purchase up to the month end who had not left before the month, plus
        active customers of the customers table without a purchase, labelled
        ``"no purchase yet"``; without transactions, every customer active at the month
        end. Deterministic for the same data, month and seed.

    Raises
    ------
    MissingTableError
        When the folder has neither transactions nor customer attributes to cluster on.
    CxReportError
        When there are no transactions up to the month end or too few customers.

    Examples
    --------
    >>> seg = label_customers(run.data, seed=run.seed, k=5)
    >>> scores.join(seg, on="customer_id").groupby("segment")["churn_probability"].mean()
    """
    return segment(data, seed=seed, **label_settings(settings)).labels()


# --------------------------------------------------------------------------------------------
# outputs: per-customer table, KPIs, migration
# --------------------------------------------------------------------------------------------

#: Columns of the per-customer table exported by the notebook (and read back next month).
EXPORT_COLUMNS = (
    "customer_id",
    "segment",
    "cluster",
    "recency",
    "frequency",
    "monetary",
    "monthly_value",
    "revenue_month",
)
NEW_ROW = N_("(not segmented before)")
GONE_COL = N_("(not segmented now)")


def assignment_table(result: SegmentResult, rfm_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer: segment, cluster and the values behind it (for export).

    Customers without a purchase yet are included with segment ``"no purchase yet"`` and
    cluster -1. With ``rfm_scores`` (``RFMResult.scores``) the RFM code and segment are added.
    Without transactions: segment, cluster, the attributes clustered on and ``value``.

    Parameters
    ----------
    result : SegmentResult
        From :func:`segment`.
    rfm_scores : DataFrame, optional
        ``RFMResult.scores`` (index ``customer_id``; its ``code`` and ``segment`` columns
        are added as ``rfm_code`` and ``rfm_segment``). Not used without transactions.

    Returns
    -------
    DataFrame
        ``customer_id`` and the other columns of :data:`EXPORT_COLUMNS` (plus ``rfm_code``,
        ``rfm_segment``); without transactions ``customer_id``, ``segment``, ``cluster``, the
        attributes and ``value`` when there is one.
    """
    t = result.features.table
    out = pd.DataFrame(
        {"segment": result.segments, "cluster": result.clusters.astype(int)}, index=t.index
    )
    if result.by_attributes:  # the attributes clustered on, and the value when there is one
        for c in result.design.features:
            out[c] = t[c]
        if VALUE in t:
            out["value"] = t[VALUE]
        out.index.name = "customer_id"
        return out.reset_index()
    for c in EXPORT_COLUMNS[3:]:
        out[c] = t[c]
    extra = result.features.no_purchase
    if len(extra):
        blank = pd.DataFrame(
            {"segment": NO_PURCHASE, "cluster": -1, "revenue_month": 0.0}, index=extra
        )
        out = pd.concat([out, blank])
    if rfm_scores is not None:
        out["rfm_code"] = rfm_scores["code"].reindex(out.index)
        out["rfm_segment"] = rfm_scores["segment"].reindex(out.index)
    out.index.name = "customer_id"
    return out.reset_index()


#: The headers of the page's segmentation and RFM tables (our column names; the data's own
#: attribute columns are shown as they are).
_HEADERS = {
    N_("column"),
    N_("used"),
    N_("reason"),
    N_("transform"),
    N_("missing (%)"),
    N_("count"),
    N_("mean"),
    N_("std"),
    N_("min"),
    N_("max"),
    N_("variable"),
    N_("distinct_values"),
    N_("levels"),
    N_("top_value"),
    N_("customers sharing it (%)"),
    N_("split by row-order ranking (%)"),
    N_("segment"),
    N_("customer"),
    N_("customers"),
    N_("share"),
    N_("revenue"),
    N_("revenue_share"),
    N_("revenue_month_share"),
    N_("median_recency"),
    N_("median_frequency"),
    N_("median_monetary"),
    N_("recency"),
    N_("frequency"),
    N_("monetary"),
    N_("purchase_rate"),
    N_("avg_basket"),
    N_("monthly_value"),
    N_("tenure"),
    N_("nps"),
    N_("nps_n"),
    N_("complaint_rate"),
    N_("failed_mot_rate"),
    N_("churn_rate"),
    N_("churn_flag_rate"),
    N_("silhouette"),
    N_("silhouette_sd"),
    N_("calinski_harabasz"),
    N_("davies_bouldin"),
    N_("smallest_share"),
    N_("stability_ari"),
    N_("min_jaccard"),
    N_("separated"),
    N_("stable"),
}


def reader(frame: pd.DataFrame) -> pd.DataFrame:
    """A segmentation or RFM table as the page shows it: our headers and yes/no in the
    report's language, segment names through :func:`shown`; the data's own columns and
    values as they are. Exports take the table itself, not this.

    Parameters
    ----------
    frame : DataFrame
        A table of the segmentation or RFM page (profile, sweep, attribute selection, ...).

    Returns
    -------
    DataFrame
        A translated copy; in the default language ``frame`` itself.
    """
    if i18n.language() == i18n.DEFAULT:
        return frame
    out = frame.copy()
    if "segment" in out:
        out["segment"] = out["segment"].map(shown)
    if out.index.name == "segment":
        out.index = out.index.map(shown)
    for c in out.columns[[pd.api.types.is_bool_dtype(t) for t in out.dtypes]]:
        out[c] = out[c].map({True: _("yes"), False: _("no")})

    def head(c):
        """A header in the report's language when it is one of ours, else as it is.

        Parameters
        ----------
        c : object
            A column or index label.

        Returns
        -------
        object
            The translated header (str) for a label in :data:`_HEADERS`, else ``c``.
        """
        return _(c) if c in _HEADERS else c

    out = out.rename(columns=head, index=head)
    if out.index.name in _HEADERS:
        out.index.name = _(out.index.name)
    return out


def kpis(result: SegmentResult) -> list[dict]:
    """The month's KPIs as keyword dicts for ``run.record`` (stable snake_case names).

    ``segments_k`` and, per segment, ``segment_share_<name>`` and
    ``segment_revenue_share_<name>`` (percent of customers and of net value to date). The
    shares are a census of all customers, not a sample estimate, so they carry no interval.
    Without transactions the value share is that of the declared value (``segments.value``,
    else ``monthly_fee``) and is left out when there is none.

    Parameters
    ----------
    result : SegmentResult
        From :func:`segment`.

    Returns
    -------
    list of dict
        One dict per KPI: ``name``, ``value``, ``label``, ``unit``, ``higher_is_better``
        (None) and ``n`` (customers profiled).
    """
    p = result.profile
    sel = result.features.selection
    value_word = _("value ({value})", value=sel.value_label) if sel is not None else _("net value")
    n = int(p["customers"].sum())
    rows = [
        {
            "name": "segments_k",
            "value": result.k,
            "label": _("Number of customer segments"),
            "unit": "",
            "higher_is_better": None,
            "n": n,
        }
    ]
    for _i, r in p.iterrows():
        s = slug(r["segment"])
        rows.append(
            {
                "name": f"segment_share_{s}",
                "value": 100 * r["share"],
                "label": _("Share of customers: {segment}", segment=shown(r["segment"])),
                "unit": "%",
                "higher_is_better": None,
                "n": n,
            }
        )
        if sel is not None and pd.isna(r["revenue_share"]):
            continue
        rows.append(
            {
                "name": f"segment_revenue_share_{s}",
                "value": 100 * r["revenue_share"],
                "label": _(
                    "Share of {value}: {segment}", value=value_word, segment=shown(r["segment"])
                ),
                "unit": "%",
                "higher_is_better": None,
                "n": n,
            }
        )
    return rows


def previous_assignments(data, result: SegmentResult) -> pd.DataFrame | None:
    """Last month's segment of every customer under *this* month's model.

    Used when no earlier report is in the history folder: the features are rebuilt as of the
    previous month end and assigned to this month's cluster centres, so the two months are
    compared with one yardstick. Returns ``None`` when nothing was bought before last month,
    and without transactions (the customer attributes are one snapshot, with no history).

    Parameters
    ----------
    data : Dataset
        The data folder ``result`` was computed from.
    result : SegmentResult
        This month's segmentation (its :meth:`SegmentResult.yardstick` places the customers).

    Returns
    -------
    DataFrame or None
        Columns ``customer_id``, ``segment``, ``revenue_month`` and ``monetary`` as of the
        previous month end (the ``previous`` of :func:`migration`).
    """
    if result.by_attributes:
        return None
    prev = result.features.as_of.to_period("M") - 1
    ruler = result.yardstick()
    try:
        feats = customer_features(data, month=prev, experience=ruler.uses_experience)
    except CxReportError:
        return None
    t = feats.table
    out = pd.DataFrame({"segment": ruler.assign(t)}, index=t.index)
    out["revenue_month"] = t["revenue_month"]
    out["monetary"] = t["monetary"]
    out.index.name = "customer_id"
    return out.reset_index()


@dataclass
class Migration:
    """Who moved between segments from one month to the next.

    Attributes
    ----------
    matrix : DataFrame
        Customers by previous segment (rows, plus ``"(not segmented before)"``) and current
        segment (columns, plus ``"(not segmented now)"``).
    flows : DataFrame
        Per current or previous segment: ``customers_before``, ``customers_now``,
        ``change``, ``stayed``, ``joined`` (from other segments or new), ``left``, and the
        month's net value ``value_before`` / ``value_now`` / ``value_change``.
    moved_share : float
        Share of customers segmented in both months whose segment changed.
    n_both : int
        Customers segmented in both months.
    """

    matrix: pd.DataFrame
    flows: pd.DataFrame
    moved_share: float
    n_both: int


def migration(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    value: str = "revenue_month",
    order: list | None = None,
) -> Migration:
    """Migration matrix and value flows between two months' segment assignments.

    Parameters
    ----------
    previous, current : DataFrame
        Columns ``customer_id`` and ``segment`` (as :func:`assignment_table` exports them),
        optionally ``value``.
    value : str, default="revenue_month"
        Column summed per segment for the value flows (NaN when a frame lacks it).
    order : list, optional
        Segment order for rows and columns (default: current segments as they appear); any
        segment not listed follows, sorted.

    Returns
    -------
    Migration
    """
    for name, f in (("previous", previous), ("current", current)):
        miss = [c for c in ("customer_id", "segment") if c not in f]
        if miss:
            raise CxReportError(
                f"The {name} segment assignments lack the column(s) {', '.join(miss)}; "
                "expected the table exported by the segmentation notebook."
            )
    p = previous.drop_duplicates("customer_id").set_index(previous["customer_id"].astype(str))
    c = current.drop_duplicates("customer_id").set_index(current["customer_id"].astype(str))
    ps, cs = p["segment"].astype(str), c["segment"].astype(str)
    # the segment names, once: a set of a million labels per name listed cost seconds each
    in_p, in_c = set(ps.unique()), set(cs.unique())
    order = list(dict.fromkeys(cs.unique())) if order is None else list(order)
    order += sorted((in_c | in_p) - set(order))
    rows = [s for s in order if s in in_p] + [NEW_ROW]
    cols = [s for s in order if s in in_c] + [GONE_COL]
    segs = [s for s in order if s in in_p | in_c]
    # every customer of either month as a position, every name as a code: the counts are
    # tallies of code pairs (grouping a million ids and names as text took seconds)
    names = pd.Index(list(dict.fromkeys([*order, NEW_ROW, GONE_COL])))
    where, ids = pd.factorize(ps.index.append(cs.index))
    wp, wc = where[: len(ps)], where[len(ps) :]
    before, now = _name_codes(ps, names), _name_codes(cs, names)
    a = np.full(len(ids), names.get_loc(NEW_ROW))
    b = np.full(len(ids), names.get_loc(GONE_COL))
    a[wp], b[wc] = before, now
    size = len(names)
    pairs = np.bincount(a * size + b, minlength=size * size).reshape(size, size)
    m = pd.DataFrame(pairs, index=names, columns=names).reindex(index=rows, columns=cols)
    m.index.name, m.columns.name = "previous segment", "current segment"
    seen_before, seen_now = np.zeros(len(ids), bool), np.zeros(len(ids), bool)
    seen_before[wp], seen_now[wc] = True, True
    both = seen_before & seen_now
    moved = float((a[both] != b[both]).mean()) if both.any() else np.nan
    at = names.get_indexer(segs)
    fl = pd.DataFrame(index=pd.Index(segs, name="segment"))
    fl["customers_before"] = np.bincount(before, minlength=size)[at]
    fl["customers_now"] = np.bincount(now, minlength=size)[at]
    fl["change"] = fl["customers_now"] - fl["customers_before"]
    fl["stayed"] = pairs[at, at]
    fl["joined"] = fl["customers_now"] - fl["stayed"]
    fl["left"] = fl["customers_before"] - fl["stayed"]

    def val(f, codes):
        """One month's ``value`` summed per segment (NaN when the frame lacks the column).

        Parameters
        ----------
        f : DataFrame
            That month's assignments (one row per customer).
        codes : ndarray of int
            Each row's segment, as a position in the list of names.

        Returns
        -------
        ndarray
            One sum per segment of the flows table, in its order.
        """
        if value not in f:
            return np.full(len(segs), np.nan)
        amounts = np.nan_to_num(f[value].to_numpy(float))  # a missing value adds nothing
        return np.bincount(codes, weights=amounts, minlength=size)[at]

    fl["value_before"] = val(p, before)
    fl["value_now"] = val(c, now)
    fl["value_change"] = fl["value_now"] - fl["value_before"]
    return Migration(m, fl, moved, int(both.sum()))


def _name_codes(labels: pd.Series, names: pd.Index) -> np.ndarray:
    """The position in ``names`` of each label (found once per distinct label)."""
    codes, levels = pd.factorize(labels)
    return names.get_indexer(levels)[codes]


@dataclass
class Projection:
    """A 2-D principal-component view of the clustered customers (a seeded sample)."""

    points: pd.DataFrame  # columns pc1, pc2, cluster, segment (index customer_id)
    centers: np.ndarray  # (k, 2) cluster centres in the same plane
    explained: tuple[float, float]  # share of variance along each axis
    loadings: pd.DataFrame  # feature x (pc1, pc2)
    n_total: int


def projection(result: SegmentResult, *, max_points: int = 4000, seed: int = 42) -> Projection:
    """Project the scaled features on their first two principal components.

    At most ``max_points`` customers (a seeded sample, stratified by nothing) are returned so
    that the scatter stays readable and the HTML small; the centres are exact.

    Parameters
    ----------
    result : SegmentResult
        From :func:`segment`.
    max_points : int, default=4000
        Most customers in ``points`` (at least 10).
    seed : int, default=42
        Seeds the sample.

    Returns
    -------
    Projection
    """
    _check_int("max_points", max_points, 10)
    X = result.design.X
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    if vt.shape[0] < 2:  # one feature left: second axis is zero
        vt = np.vstack([vt, np.zeros_like(vt)])
        s = np.append(s, 0.0)
    comp = vt[:2]
    # fixed signs: the largest loading of each axis is positive (deterministic picture)
    comp = comp * np.sign(comp[np.arange(2), np.abs(comp).argmax(axis=1)])[:, None]
    var = s**2
    explained = tuple(float(v) for v in var[:2] / var.sum()) if var.sum() > 0 else (0.0, 0.0)
    n = len(X)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, max_points, replace=False)) if n > max_points else np.arange(n)
    pts = (X[idx] - mean) @ comp.T
    cl = result.clusters.to_numpy()[idx]
    points = pd.DataFrame(
        {
            "pc1": pts[:, 0],
            "pc2": pts[:, 1],
            "cluster": cl,
            "segment": [result.names[c] for c in cl],
        },
        index=result.design.index[idx],
    )
    load = pd.DataFrame(comp.T, index=list(result.design.features), columns=["pc1", "pc2"])
    return Projection(points, (result.centers - mean) @ comp.T, explained, load, n)
