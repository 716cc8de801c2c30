"""The heavy aggregations, expressed once in Ibis: DuckDB embedded by default, Spark when asked.

What grows with a business is a handful of aggregations over its largest tables (orders,
contacts); the statistics over their results stay small. This module holds those
aggregations as Ibis expressions, runs them on a backend and hands back pandas frames of
aggregate size (one row per customer, per customer and month, per period):

* :func:`purchases` - per customer: first and last purchase day, purchase days, net value and
  the month's value as of a month end (the base of :func:`cxreport.segments.customer_features`);
* :func:`inactive_customers` - active customers without a purchase yet;
* :func:`experience` - per customer in a window: latest NPS, complaints, failed contacts and
  contacts;
* :func:`monthly` - per customer and calendar month: events, their value and failures (the
  monthly matrices of the churn table's observation dates);
* :func:`sqi_counts`, :func:`failures_by` and :func:`outcomes` - contacts and failures per
  day and failure type, failures per month, touchpoint, stage and failure type, rows per
  outcome (the service-quality index of :mod:`cxreport.sqi`).

The pandas path of the analyses stays for small folders; ``tests/test_engine.py`` checks that
both give the same numbers on the sample, table by table.

Where the tables come from (:func:`for_dataset`): the typed Parquet copy of a report run
(:mod:`cxreport.data.snapshot`) or, for a folder loaded in a notebook, its frames. The backend
is chosen by ``engine`` in ``cxreport.yaml`` (:class:`cxreport.data.config.EngineConfig`):
``auto`` (default) uses DuckDB when the transactions and touchpoints hold at least
``auto_rows`` rows, the pandas path below; ``duckdb``, ``spark`` and ``pandas`` force one.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EngineError  # noqa: F401 - engine.EngineError for callers
from .config import EngineConfig

#: The tables large enough to be worth an engine: the others stay pandas frames.
HEAVY = ("transactions", "touchpoints")
#: The tables the engine's queries read.
TABLES = ("customers", "transactions", "touchpoints", "complaints", "survey")
#: The row-order column of a table (a snapshot's stored index, a frame's position), for the
#: "last answer of the day" of :func:`experience` that pandas takes in file order.
ROW = "_row"
_SNAPSHOT_INDEX = "__index_level_0__"


class Engine:
    """An Ibis connection and the contract's tables on it.

    Parameters
    ----------
    con : ibis backend
        A connected backend (``ibis.duckdb.connect()``, ``ibis.pyspark.connect(session)``).
    backend : str
        Its name, for messages.
    sources : dict
        Table name -> a Parquet file (or folder of files) or a pandas frame.
    """

    def __init__(self, con, backend: str, sources: dict[str, object]):
        self.con, self.backend = con, backend
        self._sources = dict(sources)
        self._tables: dict[str, object] = {}

    def has(self, name: str) -> bool:
        """Whether the engine has the table.

        Parameters
        ----------
        name : str
            A table name of the contract.

        Returns
        -------
        bool
            True when ``name`` is among the sources.
        """
        return name in self._sources

    def columns(self, name: str) -> list[str]:
        """The columns of a table, without :data:`ROW`.

        Parameters
        ----------
        name : str
            A table name of the contract.

        Returns
        -------
        list of str
            Empty when the engine does not have the table.
        """
        return [c for c in self.table(name).columns if c != ROW] if self.has(name) else []

    def table(self, name: str):
        """The table as an Ibis expression (contract column names, plus :data:`ROW`).

        Parameters
        ----------
        name : str
            A table name among the sources; it is registered on first use.

        Returns
        -------
        ibis.expr.types.Table

        Raises
        ------
        EngineError
            The backend cannot read the table.
        """
        if name not in self._tables:
            self._tables[name] = self._register(name, self._sources[name])
        return self._tables[name]

    def _register(self, name: str, source):
        import ibis

        try:
            with _quiet():
                if isinstance(source, pd.DataFrame):
                    frame = source.reset_index(drop=True)
                    frame[ROW] = np.arange(len(frame), dtype=np.int64)
                    return ibis.memtable(_for_arrow(frame))
                t = self.con.read_parquet(_parquet_glob(Path(source), self.backend))
        except Exception as exc:  # noqa: BLE001 - each backend raises its own types
            where = "in memory" if isinstance(source, pd.DataFrame) else source
            raise EngineError(
                f"The {self.backend} engine cannot read the table {name} ({where}): "
                f"{_first_line(exc)}"
            ) from None
        if _SNAPSHOT_INDEX in t.columns:
            t = t.rename({ROW: _SNAPSHOT_INDEX})
        return t if ROW in t.columns else t.mutate(**{ROW: ibis.literal(0, "int64")})

    def fetch(self, expr, what: str) -> pd.DataFrame:
        """Run ``expr``; a backend's failure becomes one :class:`EngineError` naming it.

        Parameters
        ----------
        expr : ibis expression
            The query.
        what : str
            What it computes, for the error message (``"the purchases per customer"``).

        Returns
        -------
        pandas.DataFrame
            The result; date-time columns in nanoseconds.

        Raises
        ------
        EngineError
            The backend failed.
        """
        try:
            with _quiet():
                out = self.con.to_pyarrow(expr).to_pandas()
        except Exception as exc:  # noqa: BLE001 - each backend raises its own types
            raise EngineError(
                f"The {self.backend} engine could not compute {what}: {_first_line(exc)}. "
                f"Set engine.backend: pandas in cxreport.yaml to use the pandas path."
            ) from None
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].astype("datetime64[ns]")
        return out

    def scalar(self, expr, what: str):
        """Run a scalar expression (:meth:`fetch`) and give its value.

        Parameters
        ----------
        expr : ibis scalar expression
            The query.
        what : str
            What it computes, for the error message.

        Returns
        -------
        object
            The value, as pandas gives it back.
        """
        frame = self.fetch(expr.name("value").as_table(), what)
        return frame["value"].iloc[0]


@contextmanager
def _quiet():
    """Ibis' own deprecation warnings (of pandas 4, of DuckDB's API) stay out of the pages."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        yield


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _for_arrow(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer columns (``Int64``) as floats: every backend reads those alike."""
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.Int64Dtype):
            frame[col] = frame[col].astype(float)
    return frame


def _parquet_glob(path: Path, backend: str) -> str:
    if path.is_dir() and backend == "duckdb":
        return str(path / "**" / "*.parquet")
    return str(path)


# --------------------------------------------------------------------------------------------
# connecting
# --------------------------------------------------------------------------------------------


def chosen_backend(data) -> str:
    """``pandas``, ``duckdb`` or ``spark`` for a data set, by its ``engine`` config.

    Parameters
    ----------
    data : Dataset
        The data set; its ``config.engine`` decides (the defaults without one).

    Returns
    -------
    str
        ``engine.backend`` unless ``auto``; for ``auto``, ``"duckdb"`` when the transactions
        and touchpoints hold at least ``engine.auto_rows`` rows together, else ``"pandas"``.
    """
    cfg = _config(data)
    if cfg.backend != "auto":
        return cfg.backend
    rows = sum(data.rows(t) for t in HEAVY)
    return "duckdb" if rows >= cfg.auto_rows else "pandas"


def _config(data) -> EngineConfig:
    return getattr(data.config, "engine", None) or EngineConfig()


def connect(backend: str, cfg: EngineConfig | None = None):
    """An Ibis connection to ``backend`` (``duckdb`` or ``spark``), or :class:`EngineError`.

    Parameters
    ----------
    backend : str
        ``"duckdb"`` or ``"spark"``.
    cfg : EngineConfig, optional
        ``memory_limit`` for DuckDB (which spills to a private temporary folder beyond it),
        ``master`` and ``spark_conf`` for Spark; None: the defaults.

    Returns
    -------
    ibis backend
        The connected backend.

    Raises
    ------
    EngineError
        For an unknown backend, a memory limit DuckDB refuses, or Spark not available.
    """
    cfg = cfg or EngineConfig()
    if backend == "duckdb":
        import ibis

        con = ibis.duckdb.connect()
        con.raw_sql(f"SET temp_directory = '{_spill_folder()}'")
        limit = cfg.memory_limit or EngineConfig.memory_limit
        try:
            con.raw_sql(f"SET memory_limit = '{limit}'")
        except Exception as exc:  # noqa: BLE001 - duckdb's own error types
            raise EngineError(
                f"engine.memory_limit: DuckDB refuses {limit!r} "
                f"({_first_line(exc)}); write it like '3GB'."
            ) from None
        return con
    if backend == "spark":
        return _connect_spark(cfg)
    raise EngineError(f"Unknown engine backend {backend!r}; use pandas, duckdb or spark.")


def _spill_folder() -> str:
    """A private temporary folder for what DuckDB spills beyond its memory limit (by default
    it would write ``.tmp`` into the working directory: the notebooks folder), removed when
    the process ends."""
    import atexit
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="cxreport-duckdb-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path.replace("'", "''")


def spark_session(cfg: EngineConfig):
    """The Spark session of ``engine.master`` (``local[1]`` by default).

    Parameters
    ----------
    cfg : EngineConfig
        ``master`` (a ``local`` master, ``spark://`` or ``sc://`` for Spark Connect) and
        ``spark_conf`` (set on the session over the UTC time zone and no UI).

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    EngineError
        PySpark is not installed, a local master has no Java, or the master cannot be
        reached.
    """
    import shutil

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "engine.backend: spark needs PySpark: pip install 'cxreport[spark]' "
            "(or pip install pyspark)."
        ) from None
    master = cfg.master or "local[1]"
    if master.startswith("local") and not shutil.which("java"):
        raise EngineError(
            f"engine.backend: spark with master {master} needs a Java runtime (17 or later) "
            "on this machine: install one (apt-get install default-jre-headless), or point "
            "engine.master at a cluster."
        )
    _check_reachable(master)
    builder = SparkSession.builder.appName("cxreport")
    builder = builder.remote(master) if master.startswith("sc://") else builder.master(master)
    conf = {"spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false", **cfg.spark_conf}
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    try:
        return builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j and Spark raise many types
        raise EngineError(
            f"The Spark engine at {master} cannot be reached: {_first_line(exc)}. Check "
            "engine.master in cxreport.yaml."
        ) from None


def _check_reachable(master: str, timeout: float = 10.0) -> None:
    """A ``spark://`` or ``sc://`` master answers on its port (Spark itself would retry in
    the background and leave the first query hanging)."""
    import re
    import socket

    m = re.match(r"^(spark|sc)://([^:/,]+):(\d+)", master)
    if m is None:
        return
    host, port = m.group(2), int(m.group(3))
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise EngineError(
            f"The Spark engine at {master} cannot be reached ({exc.strerror or exc}). Check "
            "engine.master in cxreport.yaml, or that the cluster is up."
        ) from None


def _connect_spark(cfg: EngineConfig):
    import ibis

    return ibis.pyspark.connect(spark_session(cfg))


def engine_of(data) -> Engine | None:
    """The engine of a data set (None: the pandas path), connected once per data set.

    Anything that is not a :class:`~cxreport.data.folder.Dataset` (a test's stand-in) takes
    the pandas path.

    Parameters
    ----------
    data : Dataset
        The data set; the engine is kept in it.

    Returns
    -------
    Engine or None
        The engine (:func:`for_dataset`), None for the pandas path.
    """
    if not hasattr(data, "tables") or not hasattr(data, "config"):
        return None
    held = vars(data)
    if "_engine" not in held:
        held["_engine"] = for_dataset(data)
    return held["_engine"]


def use(data, backend: str) -> Engine | None:
    """Run the aggregations of ``data`` on ``backend`` from now on (``pandas``: no engine).

    Parameters
    ----------
    data : Dataset
        The data set; the engine replaces the one kept in it.
    backend : str
        ``"pandas"``, ``"duckdb"`` or ``"spark"``.

    Returns
    -------
    Engine or None
        The new engine, None for ``pandas``.
    """
    vars(data)["_engine"] = for_dataset(data, backend)
    return vars(data)["_engine"]


def for_dataset(data, backend: str | None = None) -> Engine | None:
    """The engine of a :class:`~cxreport.data.folder.Dataset` (None: the pandas path).

    The tables are the run's typed Parquet copy when the data set is one (what ``cxreport
    run`` gives the notebooks), else the data set's frames.

    Parameters
    ----------
    data : Dataset
        The data set.
    backend : str, optional
        ``"pandas"``, ``"duckdb"`` or ``"spark"``; None: :func:`chosen_backend`.

    Returns
    -------
    Engine or None
        A new engine on the data set's tables of :data:`TABLES`; None for ``pandas``.
    """
    backend = backend or chosen_backend(data)
    if backend == "pandas":
        return None
    stored = getattr(data.tables, "path_of", None)
    sources = {}
    for name in TABLES:
        if not data.has(name):
            continue
        path = stored(name) if stored is not None else None
        sources[name] = path if path is not None else data.table(name)
    return Engine(connect(backend, _config(data)), backend, sources)


# --------------------------------------------------------------------------------------------
# the aggregations
# --------------------------------------------------------------------------------------------


def _not_before(col, when):
    """``col >= when`` where a missing date counts as "not before" (pandas' ``~(col < when)``)."""
    return col.isnull() | (col >= when)


def history_start(engine: Engine, name: str, column: str):
    """The first date of a table (NaT when it has none).

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    name : str
        The table.
    column : str
        Its date column.

    Returns
    -------
    pandas.Timestamp
        The earliest value of ``column`` (nanoseconds), or ``pandas.NaT``.
    """
    t = engine.table(name)
    value = engine.scalar(t[column].min(), f"the first {column} of {name}")
    return pd.NaT if pd.isna(value) else pd.Timestamp(value).as_unit("ns")


def purchases(
    engine: Engine, *, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.DataFrame, int]:
    """Per customer, from the transactions dated before ``end`` of customers who had not left
    before ``start``: ``first`` (earliest row), ``last`` (latest day of positive net value,
    missing when none), ``frequency`` (days of positive net value), ``net`` (sum),
    ``revenue_month`` (sum from ``start``, 0 when none) and, when the customers table has
    them, ``signup_date`` and ``churn_date``. Also the number of negative amounts.

    Sorted by customer id; a same-day return nets against the day's purchases.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    start : pandas.Timestamp
        The first moment of the month.
    end : pandas.Timestamp
        The end of the month (transactions before it count).

    Returns
    -------
    frame : pandas.DataFrame
        One row per customer with the columns above.
    negative : int
        The number of transactions with a negative amount among those used.
    """
    tx = engine.table("transactions")
    kept = tx.filter(tx.date < end, tx.customer_id.notnull(), tx.amount.notnull())
    kept = kept.select("customer_id", "date", "amount")
    cust_cols = [c for c in ("signup_date", "churn_date") if c in engine.columns("customers")]
    if "churn_date" in cust_cols:
        c = engine.table("customers")
        gone = c.filter(c.churn_date < start).select("customer_id")
        kept = kept.anti_join(gone, "customer_id")
    day = kept.group_by(["customer_id", "date"]).agg(day_net=kept.amount.sum())
    pos = (
        day.filter(day.day_net > 0)
        .group_by("customer_id")
        .agg(last=day.date.max(), frequency=day.date.count())
    )
    per = kept.group_by("customer_id").agg(
        first=kept.date.min(),
        net=kept.amount.sum(),
        revenue_month=kept.amount.sum(where=kept.date >= start).fill_null(0.0),
        negative=(kept.amount < 0).cast("int64").sum(),
    )
    out = per.left_join(pos, "customer_id").drop("customer_id_right")
    if cust_cols:
        c = engine.table("customers").select("customer_id", *cust_cols)
        out = out.left_join(c, "customer_id").drop("customer_id_right")
    frame = engine.fetch(out, "the purchases per customer")
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    negative = int(frame.pop("negative").sum())
    frame["customer_id"] = frame["customer_id"].astype(_text())
    return frame, negative


def left_before(engine: Engine, start: pd.Timestamp) -> int:
    """How many customers left before ``start``.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    start : pandas.Timestamp
        The moment; customers whose ``churn_date`` is earlier count.

    Returns
    -------
    int
    """
    c = engine.table("customers")
    return int(engine.scalar(c.filter(c.churn_date < start).count(), "the customers gone"))


def inactive_customers(
    engine: Engine, *, start: pd.Timestamp, end: pd.Timestamp, buyers: pd.Index
) -> pd.Index:
    """The customers active in the month (not left before ``start``, signed up before
    ``end``) who are not among ``buyers``, sorted.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    start : pandas.Timestamp
        The first moment of the month.
    end : pandas.Timestamp
        The end of the month.
    buyers : pandas.Index
        The customer ids to leave out (those with a purchase).

    Returns
    -------
    pandas.Index
        The customer ids, named ``customer_id``.
    """
    c = engine.table("customers")
    active = c
    if "churn_date" in c.columns:
        active = active.filter(_not_before(c.churn_date, start))
    if "signup_date" in c.columns:
        active = active.filter(c.signup_date.isnull() | (c.signup_date < end))
    ids = engine.fetch(active.select("customer_id").distinct(), "the active customers")
    rest = ids["customer_id"].astype(_text())
    from .lookup import is_in

    rest = rest[~is_in(rest, buyers)]
    return pd.Index(rest.sort_values().to_numpy(), name="customer_id", dtype=_text())


def experience(
    engine: Engine, *, lo: pd.Timestamp, end: pd.Timestamp, skip=frozenset()
) -> dict[str, pd.Series]:
    """Per customer in ``[lo, end)``: ``nps`` (the latest answer; of two on one day the later
    row), ``complaints`` (opened), ``failed_mot`` (contacts whose outcome is not ``ok``, any
    case) and ``contacts``; each a Series by customer id, for the tables present.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    lo : pandas.Timestamp
        The window's first moment.
    end : pandas.Timestamp
        The window's end (excluded).
    skip : collection of str, default=frozenset()
        Figures not to compute (``"nps"``, ``"complaints"``, ``"failed_mot"``, ``"contacts"``;
        either of the last two skips both).

    Returns
    -------
    dict of str to pandas.Series
        The figures computed, each sorted by customer id; ``failed_mot`` only holds
        customers with at least one failed contact.
    """
    import ibis

    out = {}
    if "nps" not in skip and {"nps", "customer_id", "date"} <= set(engine.columns("survey")):
        sv = engine.table("survey")
        sv = sv.filter(sv.date < end, sv.date >= lo, sv.customer_id.notnull(), sv.nps.notnull())
        rank = ibis.row_number().over(
            group_by=sv.customer_id, order_by=[ibis.desc(sv.date), ibis.desc(sv[ROW])]
        )
        latest = sv.mutate(_k=rank).filter(lambda t: t._k == 0)
        latest = latest.select("customer_id", nps=latest.nps.cast("float64"))
        out["nps"] = _series(engine.fetch(latest, "the latest NPS per customer"), "nps")
    if "complaints" not in skip and engine.has("complaints"):
        co = engine.table("complaints")
        co = co.filter(co.opened < end, co.opened >= lo, co.customer_id.notnull())
        n = co.group_by("customer_id").agg(complaints=co.count())
        out["complaints"] = _series(engine.fetch(n, "the complaints per customer"), "complaints")
    if not {"failed_mot", "contacts"} & set(skip) and engine.has("touchpoints"):
        tp = engine.table("touchpoints")
        tp = tp.filter(tp.date < end, tp.date >= lo, tp.customer_id.notnull())
        failed = tp.outcome.isnull() | (tp.outcome.lower() != "ok")
        n = tp.group_by("customer_id").agg(
            failed_mot=failed.cast("int64").sum(), contacts=tp.count()
        )
        got = engine.fetch(n, "the failed contacts per customer")
        # pandas counts only the customers with a failure: a 0 there is a customer missing
        failures = got[got["failed_mot"] > 0]
        out["failed_mot"] = _series(failures, "failed_mot")
        out["contacts"] = _series(got, "contacts")
    return out


def monthly(
    engine: Engine,
    name: str,
    column: str,
    *,
    ids: pd.Index,
    first: pd.Period,
    last: pd.Period,
    value: str | None = None,
    failed: bool = False,
) -> pd.DataFrame:
    """Per customer of ``ids`` and calendar month of ``column`` from ``first`` to ``last``:
    ``row`` (the customer's position in ``ids``), ``col`` (months after ``first``), ``n``
    (rows), ``value`` (sum of the column ``value``) and ``failed`` (rows whose ``outcome`` is
    not exactly ``ok``, a missing one included), as asked; other customers are left out.

    Positions, not ids, come back: at a million customers the 8 M customer-months with their
    ids were the churn page's peak of memory.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    name : str
        The table.
    column : str
        Its date column.
    ids : pandas.Index
        The customers, in the order that ``row`` numbers.
    first, last : pandas.Period
        The first and last calendar months.
    value : str, optional
        A column to sum per customer and month (None: no ``value`` column).
    failed : bool, default=False
        Whether to count failed rows (the table needs an ``outcome`` column).

    Returns
    -------
    pandas.DataFrame
        One row per customer and month with at least one row: ``row``, ``col`` and ``n``
        (int32), ``value`` and ``failed`` as asked; in no particular order.
    """
    import ibis

    t = engine.table(name)
    t = t.filter(
        t[column] >= first.start_time, t[column] < (last + 1).start_time, t.customer_id.notnull()
    )
    start = first.year * 12 + first.month
    t = t.mutate(col=(t[column].year() * 12 + t[column].month() - start).cast("int32"))
    aggs = {"n": t.count().cast("int32")}  # half the memory of int64 counts
    if value is not None:
        aggs["value"] = t[value].sum()
    if failed:
        bad = t.outcome.isnull() | (t.outcome != "ok")
        aggs["failed"] = bad.cast("int32").sum().cast("int32")
    g = t.group_by(["customer_id", "col"]).agg(**aggs)
    who = pd.DataFrame(
        {"customer_id": pd.Series(ids, dtype=_text()), "row": np.arange(len(ids), dtype=np.int32)}
    )
    g = g.join(ibis.memtable(_for_arrow(who)), "customer_id").drop("customer_id")
    return engine.fetch(g, f"the {name} per customer and month")


def outcomes(engine: Engine) -> pd.DataFrame:
    """Touchpoint rows per ``outcome`` (a missing one included), over the whole table.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome`` (text) and ``n``.
    """
    tp = engine.table("touchpoints")
    g = tp.group_by("outcome").agg(n=tp.count())
    out = engine.fetch(g, "the touchpoints per outcome")
    out["outcome"] = out["outcome"].astype(_text())
    return out


def sqi_counts(engine: Engine, *, end: pd.Timestamp | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoint contacts per day (``day``, ``contacts``) and failures (outcome not ``ok``)
    per day and failure type (``day``, ``failure_type``, ``n``), dated before ``end``.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    end : pandas.Timestamp or None
        Rows dated before it count; None: every dated row.

    Returns
    -------
    contacts : pandas.DataFrame
        Columns ``day`` and ``contacts``.
    failures : pandas.DataFrame
        Columns ``day``, ``failure_type`` (text) and ``n``.
    """
    tp = engine.table("touchpoints")
    tp = tp.filter(tp.date.notnull() if end is None else tp.date < end)
    tp = tp.mutate(day=tp.date.truncate("D").cast("timestamp"))
    contacts = tp.group_by("day").agg(contacts=tp.count())
    fails = tp.filter(tp.outcome != "ok")
    fails = fails.group_by(["day", fails.outcome.name("failure_type")]).agg(n=fails.count())
    per_day = engine.fetch(fails, "the failures per day")
    per_day["failure_type"] = per_day["failure_type"].astype(_text())
    return engine.fetch(contacts, "the contacts per day"), per_day


def failures_by(engine: Engine, *, end: pd.Timestamp | None) -> pd.DataFrame:
    """Touchpoint failures dated before ``end`` per calendar month (its first day),
    ``touchpoint``, ``stage`` (missing when the table has none) and ``failure_type``: ``n``.

    Parameters
    ----------
    engine : Engine
        The connection and tables (:func:`engine_of`).
    end : pandas.Timestamp or None
        Rows dated before it count; None: every dated row.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``touchpoint``, ``stage``, ``failure_type`` (text) and ``n``.
    """
    import ibis

    tp = engine.table("touchpoints")
    tp = tp.filter(tp.outcome != "ok", tp.date.notnull() if end is None else tp.date < end)
    stage = tp.stage if "stage" in tp.columns else ibis.null("string")
    keys = [
        tp.date.truncate("M").cast("timestamp").name("month"),
        tp.touchpoint.name("touchpoint"),
        stage.name("stage"),
        tp.outcome.name("failure_type"),
    ]
    out = engine.fetch(tp.group_by(keys).agg(n=tp.count()), "the failures per touchpoint")
    for col in ("touchpoint", "stage", "failure_type"):
        out[col] = out[col].astype(_text())
    return out


def _series(frame: pd.DataFrame, column: str) -> pd.Series:
    ids = frame["customer_id"].astype(_text())
    s = pd.Series(frame[column].to_numpy(), index=pd.Index(ids, name="customer_id"), name=column)
    return s.sort_index(kind="stable")


def _text():
    from .folder import TEXT

    return TEXT
