"""A table given as a folder of month-partitioned Parquet files (``transactions/month=2026-10/
*.parquet``): read like one file, by the folder reader and by the engine; a missing month or
partitions with other columns are one message naming the partition."""

from __future__ import annotations

import shutil

import pandas as pd

from cxreport.data import engine, load, validate

from conftest import SAMPLE

MONTH = "2026-10"


def partitioned(tmp_path, *, drop_month=None, extra_column_in=None):
    """The sample with its transactions as ``transactions/month=YYYY-MM/part-0.parquet``."""
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    tx = pd.read_csv(folder / "transactions.csv", dtype={"customer_id": str, "order_id": str})
    tx["date"] = pd.to_datetime(tx["date"])  # typed, as a warehouse export writes them
    (folder / "transactions.csv").unlink()
    for month, part in tx.groupby(tx["date"].dt.strftime("%Y-%m")):
        if month == drop_month:
            continue
        if month == extra_column_in:
            part = part.assign(note="x")
        out = folder / "transactions" / f"month={month}"
        out.mkdir(parents=True)
        part.to_parquet(out / "part-0.parquet", index=False)
    return folder


def test_a_partitioned_table_reads_as_its_csv(tmp_path):
    ds = load(partitioned(tmp_path), month=MONTH)
    want = load(SAMPLE, month=MONTH).transactions
    got = ds.transactions
    key = ["customer_id", "date", "order_id"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True)[want.columns],
        want.sort_values(key).reset_index(drop=True),
    )


def test_the_engine_reads_the_partitions(tmp_path):
    folder = partitioned(tmp_path)
    eng = engine.Engine(
        engine.connect("duckdb"), "duckdb", {"transactions": folder / "transactions"}
    )
    plain = engine.Engine(
        engine.connect("duckdb"), "duckdb", {"transactions": load(SAMPLE).transactions}
    )
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")
    a, n_a = engine.purchases(eng, start=start, end=end)
    b, n_b = engine.purchases(plain, start=start, end=end)
    assert n_a == n_b > 0
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_a_missing_month_is_named(tmp_path):
    report = validate(partitioned(tmp_path, drop_month="2026-05"))
    text = report.format()
    assert not report.ok and "month=2026-05 are missing" in text and "transactions" in text


def test_partitions_with_other_columns_are_named(tmp_path):
    report = validate(partitioned(tmp_path, extra_column_in="2026-03"))
    assert not report.ok
    assert "partition month=2026-03 has other columns" in report.format()
    assert "more: note" in report.format()
