"""The modelling table from dated history: one row per active customer and month start, its
features known before that date, its label churn within the horizon after it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import engine
from ..data.engine import engine_of
from ..data.lookup import positions
from ..errors import CxReportError
from ..i18n import N_, _
from .features import detect_features
from .table import STATIC_EXCLUDE, ChurnData, clean_categories, sample_note, sample_rows


class ShortHistory(CxReportError):
    """Too few observation months for time-aware training (prepare falls back to a
    snapshot)."""


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


@dataclass(frozen=True)
class _Span:
    """The months of the history: the reporting ``month``, every month from the first with a
    recorded event to the scoring month (the matrices' columns), the observation months and
    the last of them whose label window is complete."""

    month: pd.Period
    months: pd.PeriodIndex
    obs: pd.PeriodIndex
    last_label: pd.Period

    @property
    def scoring(self) -> pd.Period:
        """The month whose start the current customers are scored at."""
        return self.month + 1


@dataclass(frozen=True)
class _Monthly:
    """customers x months matrices of the events (zeros for a table the folder lacks) and
    which of the transactions and touchpoints tables are present."""

    purchases: np.ndarray
    spend: np.ndarray
    contacts: np.ndarray
    fails: np.ndarray
    complaints: np.ndarray
    has_tx: bool
    has_tp: bool


@dataclass(frozen=True)
class _Customers:
    """The customers' columns as arrays to take an observation month's rows from."""

    ids: np.ndarray
    static: dict
    signup: np.ndarray
    churn: np.ndarray


def history_table(
    data,
    horizon: int,
    copy_auc: float,
    max_months: int | None,
    max_rows: int | None = None,
    seed: int = 42,
) -> ChurnData:
    """The modelling table from dated history (the arguments of :func:`~.build.prepare`);
    :class:`ShortHistory` when fewer than 3 observation months have a complete label.

    Parameters
    ----------
    data : Dataset
        A loaded data folder with a reporting month and a customers table with
        ``signup_date``, ``churn_date`` and ``churned``.
    horizon : int
        The label: churn within this many months after the observation date
        (``horizon_months``).
    copy_auc : float
        Passed to :func:`~.features.detect_features`: exclude a feature whose ROC-AUC on its
        own exceeds this.
    max_months : int or None
        The history starts at most ``max_months + 1`` months before the reporting month
        (the first observation month ``max_months`` before it); None: at the first recorded
        event.
    max_rows : int or None, default=None
        At most this many labelled customer-months (a seeded sample stratified by the
        label); 0 or None: every one.
    seed : int, default=42
        Seed of that sample.

    Returns
    -------
    ChurnData
        In ``"history"`` mode, scored at the start of the month after the reporting month.
    """
    notes = []
    c = _dated_customers(data.customers.reset_index(drop=True), notes)
    ids = pd.Index(c["customer_id"])
    span = _span(data, c, horizon, max_months)
    co = _table(data, "complaints", ["opened", "resolved"])
    sv = _table(data, "survey", ["date", "nps"])
    monthly = _monthly(data, ids, span.months, co)
    static_cols = [k for k in c.columns if k not in ("customer_id", *STATIC_EXCLUDE)]
    _note_missing(notes, monthly, co, sv)
    chosen = _active(c, span)
    labelled_m = [t for t in chosen if t != span.scoring]
    cohort = _cohort(c, chosen, labelled_m, horizon)
    sampled_from = _sample_months(c, chosen, labelled_m, horizon, max_rows, seed, notes)
    parts = _rows(c, static_cols, chosen, span.months, monthly, co, horizon)
    del monthly  # the matrices are not needed any more: free them before the concatenation
    table = pd.concat(parts, ignore_index=True)
    del parts
    _add_last_nps(table, sv)
    return _churn_data(
        table,
        span,
        horizon,
        copy_auc,
        notes=notes,
        cohort=cohort,
        sampled_from=sampled_from,
    )


def _dated_customers(c: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The customers without the churned ones who have no churn date (noted)."""
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
    return c


def _span(data, c: pd.DataFrame, horizon: int, max_months: int | None) -> _Span:
    """The months of the history, from its first recorded event (at most ``max_months``
    before the reporting month) to the scoring month."""
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
        raise ShortHistory(
            f"Only {(last_label - obs[0]).n + 1} observation month(s) with a complete "
            f"{horizon}-month outcome before {month}; time-aware training needs at least 3. "
            f"Use a later month or a shorter horizon_months."
        )
    return _Span(month, months, obs, last_label)


def _table(data, name: str, columns: list[str]) -> pd.DataFrame | None:
    """The customer id and ``columns`` of a table (None when the folder lacks it): only the
    columns used here, so that a page that never reads order ids never holds them."""
    return data.table(name, ["customer_id", *columns]) if data.has(name) else None


def _monthly(data, ids: pd.Index, months: pd.PeriodIndex, co: pd.DataFrame | None) -> _Monthly:
    """The customers x months matrices of purchases, spend, contacts, failed contacts (from
    the engine when the folder has one) and complaints."""
    shape = (len(ids), len(months))
    eng = engine_of(data)
    heavy = _heavy_pandas if eng is None else _heavy_engine
    purchases, spend, contacts, fails, has_tx, has_tp = heavy(data, eng, ids, months)
    complaints = _monthly_counts(_cells(co, "opened", ids, months), shape)
    return _Monthly(purchases, spend, contacts, fails, complaints, has_tx, has_tp)


def _note_missing(notes: list[str], monthly: _Monthly, co, sv) -> None:
    """Note the event tables the folder lacks, whose features are not built."""
    missing = [
        t
        for t, present in (
            ("transactions", monthly.has_tx),
            ("touchpoints", monthly.has_tp),
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


def _active(c: pd.DataFrame, span: _Span) -> dict[pd.Period, np.ndarray]:
    """Positions of the customers active at each observation month start; the months after
    the last complete label and before the scoring month would be dropped, so are left out."""
    churn_date = c["churn_date"]
    chosen = {}
    for t_per in span.obs:
        if t_per > span.last_label and t_per != span.scoring:
            continue
        t = t_per.start_time
        active = (c["signup_date"] < t) & (churn_date.isna() | (churn_date >= t))
        chosen[t_per] = np.flatnonzero(active.to_numpy())
    return chosen


def _cohort(c: pd.DataFrame, chosen: dict, labelled_m: list, horizon: int):
    """(churners, customers) of the reporting cohort, the latest labelled month's, counted on
    every customer (:func:`~.observed.observed_churn`); None without a labelled month."""
    if not labelled_m:
        return None
    t_last = max(labelled_m)
    idx = chosen[t_last]
    hit = _left_within(c["churn_date"].to_numpy()[idx], t_last, horizon)
    return (int(hit.sum()), len(idx))


def _sample_months(
    c: pd.DataFrame,
    chosen: dict,
    labelled_m: list,
    horizon: int,
    max_rows: int | None,
    seed: int,
    notes: list[str],
) -> int | None:
    """Narrow the labelled months' rows of ``chosen`` (in place) to a seeded sample of
    ``max_rows`` customer-months stratified by the label; the number of labelled
    customer-months before sampling, or None when every one is kept."""
    churn_date = c["churn_date"]
    sizes = [len(chosen[t]) for t in labelled_m]
    labels = [_left_within(churn_date.to_numpy()[chosen[t]], t, horizon) for t in labelled_m]
    keep = sample_rows(np.concatenate([np.empty(0, bool), *labels]), max_rows, seed)
    if keep is None:
        return None
    notes.append(sample_note(len(keep), sum(sizes), N_("customer-months")))
    bounds = np.cumsum([0, *sizes])
    for t, lo, hi in zip(labelled_m, bounds[:-1], bounds[1:], strict=True):
        sel = keep[(keep >= lo) & (keep < hi)] - lo
        chosen[t] = chosen[t][sel]
    return sum(sizes)


def _rows(
    c: pd.DataFrame,
    static_cols: list[str],
    chosen: dict,
    months: pd.PeriodIndex,
    monthly: _Monthly,
    co: pd.DataFrame | None,
    horizon: int,
) -> list[pd.DataFrame]:
    """The customer-months of each observation month that has active customers."""
    customers = _Customers(
        c["customer_id"].to_numpy(),  # once (as Python objects, as before)
        {col: _compact(c[col]) for col in static_cols},
        c["signup_date"].to_numpy(),
        c["churn_date"].to_numpy(),
    )
    parts = []
    for t_per, idx in chosen.items():
        k = months.get_loc(t_per)
        if not len(idx):
            continue
        parts.append(_month_rows(customers, t_per, k, idx, monthly, co, horizon))
    return parts


def _month_rows(
    customers: _Customers,
    t_per: pd.Period,
    k: int,
    idx: np.ndarray,
    monthly: _Monthly,
    co: pd.DataFrame | None,
    horizon: int,
) -> pd.DataFrame:
    """One observation month's rows (customers ``idx``, month index ``k``): the features
    known before its start and the label."""
    t = t_per.start_time
    f = pd.DataFrame({"customer_id": customers.ids[idx], "obs_date": t})
    f["tenure_months"] = (
        (np.datetime64(t) - customers.signup[idx]) / np.timedelta64(1, "D")
    ).astype(float) / 30.44
    for col, values in customers.static.items():
        f[col] = values[idx]
    if monthly.has_tx:
        f["purchases_1m"] = _window(monthly.purchases, k, 1, idx)
        f["purchases_3m"] = _window(monthly.purchases, k, 3, idx)
        f["spend_3m"] = _window(monthly.spend, k, 3, idx)
        seen = monthly.purchases[idx, :k] > 0
        last = np.where(seen.any(axis=1), k - 1 - np.argmax(seen[:, ::-1], axis=1), -1)
        f["months_since_purchase"] = np.where(last >= 0, k - last - 1, np.nan)
    if monthly.has_tp:
        f["contacts_3m"] = _window(monthly.contacts, k, 3, idx)
        f["failures_1m"] = _window(monthly.fails, k, 1, idx)
        f["failures_3m"] = _window(monthly.fails, k, 3, idx)
    if co is not None:
        f["complaints_3m"] = _window(monthly.complaints, k, 3, idx)
        opened = (
            co[(co["opened"] < t) & (co["resolved"].isna() | (co["resolved"] >= t))]
            if "resolved" in co
            else co[co["opened"] < t]
        )
        f["open_complaints"] = (
            f["customer_id"].map(opened["customer_id"].value_counts()).fillna(0).to_numpy(float)
        )
    f["label"] = _left_within(customers.churn[idx], t_per, horizon).astype(int)
    return f


def _add_last_nps(table: pd.DataFrame, sv: pd.DataFrame | None) -> None:
    """Add ``last_nps`` to the customer-months (in place): each customer's last NPS answer
    strictly before the observation date, at most 12 months old (none without answers
    linked to customers)."""
    if sv is None or "nps" not in sv or not sv["customer_id"].notna().any():
        return
    answers = sv.loc[
        sv["customer_id"].notna() & sv["nps"].notna(), ["customer_id", "date", "nps"]
    ].sort_values("date", kind="mergesort")
    answers["nps"] = answers["nps"].astype(float)
    answers["customer_id"] = answers["customer_id"].astype(str).astype(object)
    answers["date"] = answers["date"].astype("datetime64[ns]")
    # the last answer strictly before the observation date, at most 12 months old
    left = (
        table[["customer_id", "obs_date"]].reset_index().sort_values("obs_date", kind="mergesort")
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


def _churn_data(
    table: pd.DataFrame,
    span: _Span,
    horizon: int,
    copy_auc: float,
    *,
    notes: list[str],
    cohort: tuple[int, int] | None,
    sampled_from: int | None,
) -> ChurnData:
    """The labelled customer-months (features typed by :func:`~.features.detect_features`)
    and the customers to score at the scoring month's start."""
    scoring = table["obs_date"] == span.scoring.start_time
    labelled = table[~scoring & (table["obs_date"] <= span.last_label.start_time)]
    labelled = labelled.reset_index(drop=True)
    y = labelled["label"].to_numpy()
    cand = labelled.drop(columns=["customer_id", "obs_date", "label"])
    exclude = {}
    spec = detect_features(cand, y, exclude=exclude, copy_auc=copy_auc)
    X = clean_categories(labelled[spec.features], spec.categorical)
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
        clean_categories(cur[spec.features], spec.categorical),
        cur["customer_id"],
        spec,
        "history",
        horizon,
        span.scoring.start_time,
        notes,
        cohort=cohort,
        sampled_from=sampled_from,
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
