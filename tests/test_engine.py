"""The engine path (Ibis on DuckDB) gives the pandas path's numbers on the sample, table by
table: from the frames of a loaded folder and from the typed Parquet copy of a report run.

The same checks on Spark are in ``test_engine_spark.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from cxreport import churn, segments, sqi
from cxreport.data import engine, load, snapshot
from cxreport.errors import CxReportError, EngineError

from conftest import SAMPLE

MONTH = "2026-10"


def pandas_and(backend: str, source: str, tmp_path_factory):
    """The sample loaded twice: on the pandas path, and on ``backend`` from ``source``
    (``frames``: the loaded frames; ``snapshot``: the run's Parquet copy)."""
    plain = load(SAMPLE, month=MONTH)
    engine.use(plain, "pandas")
    if source == "frames":
        other = load(SAMPLE, month=MONTH)
    else:
        dest = tmp_path_factory.mktemp("copy") / "tables"
        snapshot.write(SAMPLE, dest, MONTH)
        other = snapshot.open_dataset(dest, month=MONTH)
    engine.use(other, backend)
    return plain, other


@pytest.fixture(scope="module", params=["frames", "snapshot"])
def pair(request, tmp_path_factory):
    return pandas_and("duckdb", request.param, tmp_path_factory)


def same_features(plain, other):
    a, b = segments.customer_features(plain), segments.customer_features(other)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=False, rtol=1e-12)
    pd.testing.assert_index_equal(a.no_purchase, b.no_purchase, exact=False)
    assert a.notes == b.notes
    return a


def same_churn_table(plain, other):
    a, b = churn.prepare(plain), churn.prepare(other)
    assert a.mode == b.mode == "history"
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_exact=False, rtol=1e-12)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, f.name
    return a


def same_sqi(plain, other):
    for freq in ("D", "W", "M"):
        pd.testing.assert_frame_equal(
            sqi.sqi_series(plain, freq=freq), sqi.sqi_series(other, freq=freq)
        )
    pd.testing.assert_frame_equal(sqi.sqi_by_month(plain), sqi.sqi_by_month(other))
    for freq in ("D", "W"):
        a, b = sqi.control_chart(plain, freq=freq), sqi.control_chart(other, freq=freq)
        pd.testing.assert_frame_equal(a.frame, b.frame)
        assert (a.centre, a.baseline) == (b.centre, b.baseline)
    for by in ("failure_type", "touchpoint", "stage"):
        pd.testing.assert_frame_equal(
            sqi.top_contributors(plain, by=by, months=3),
            sqi.top_contributors(other, by=by, months=3),
        )
    assert sqi.month_summary(plain) == sqi.month_summary(other)
    return sqi.top_contributors(plain, by="touchpoint", months=3)


def test_features_as_of_a_month_end(pair):
    feats = same_features(*pair)
    # the comparison compares something: returns, churners, experience columns
    assert len(feats.table) > 1000 and feats.table["complaints"].sum() > 0
    assert {"nps", "failed_mot", "contacts", "churned"} <= set(feats.table.columns)


def test_features_of_an_earlier_month(pair):
    plain, other = pair
    a = segments.customer_features(plain, month="2025-12")
    b = segments.customer_features(other, month="2025-12")
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=False, rtol=1e-12)


def test_churn_table_of_observation_dates(pair):
    d = same_churn_table(*pair)
    assert d.X["purchases_3m"].sum() > 0 and d.X["failures_3m"].sum() > 0


def test_sqi_per_period_and_per_touchpoint(pair):
    top = same_sqi(*pair)
    # reopened complaints are counted, and failures at several touchpoints
    assert sqi.include_complaints(pair[1])
    assert sqi.COMPLAINT_TOUCHPOINT in set(top["touchpoint"]) and len(top) > 3
    assert top["failures"].sum() > 100


def test_sqi_names_an_unknown_outcome_on_the_engine(pair, tmp_path):
    plain, _ = pair
    tp = plain.touchpoints.copy()
    tp.loc[tp.index[:2], "outcome"] = "teleported"
    odd = dataclasses.replace(plain, tables={**plain.tables, "touchpoints": tp})
    engine.use(odd, "duckdb")
    with pytest.raises(CxReportError, match=r"'teleported' \(2 rows\) not in the SQI weight"):
        sqi.sqi_by_month(odd)


def test_auto_takes_duckdb_from_a_size(pair):
    plain, _ = pair
    cfg = plain.config
    small = dataclasses.replace(cfg.engine, backend="auto", auto_rows=10**9)
    big = dataclasses.replace(cfg.engine, backend="auto", auto_rows=1000)
    plain.config = dataclasses.replace(cfg, engine=small)
    try:
        assert engine.chosen_backend(plain) == "pandas"
        plain.config = dataclasses.replace(cfg, engine=big)
        assert engine.chosen_backend(plain) == "duckdb"
    finally:
        plain.config = cfg


def test_a_query_the_backend_cannot_run_names_it(pair):
    _, other = pair
    eng = engine.engine_of(other)
    tx = eng.table("transactions")
    with pytest.raises(EngineError, match=r"duckdb engine could not compute the test query"):
        eng.fetch(tx.mutate(x=tx.customer_id.cast("int64")), "the test query")
