"""The stored copy of a validated data folder (what ``cxreport run`` hands its kernels)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from cxreport.data import load, snapshot
from cxreport.data.folder import TEXT


@pytest.fixture(scope="module")
def stored(sample_dir, tmp_path_factory):
    dest = tmp_path_factory.mktemp("copy") / "tables"
    files, cfg, report = snapshot.write(sample_dir, dest)
    assert report.ok and dest.is_dir()
    return dest


def test_the_copy_holds_the_same_tables_dtypes_and_report(sample_dir, stored):
    eager = load(sample_dir, "2026-10")
    copy = snapshot.open_dataset(stored, "2026-10")
    assert list(copy.tables) == list(eager.tables)
    for name, frame in eager.tables.items():
        pd.testing.assert_frame_equal(copy.tables[name], frame, check_exact=True)
    assert copy.folder == sample_dir.resolve() and copy.month == eager.month
    assert copy.files == eager.files and copy.notes == eager.notes
    assert copy.config == eager.config
    assert copy.report.sources == eager.report.sources
    pd.testing.assert_frame_equal(copy.report.screening, eager.report.screening)


def test_text_columns_are_arrow_backed(sample_dir):
    data = load(sample_dir, "2026-10")
    for table, col in [("customers", "customer_id"), ("transactions", "category")]:
        assert data.tables[table][col].dtype == TEXT
    assert data.transactions["customer_id"].isna().sum() == 0


def test_a_table_is_read_on_first_use_and_only_the_columns_asked_for(stored):
    copy = snapshot.open_dataset(stored, "2026-10")
    assert copy.tables.loaded() == {}
    assert copy.has("transactions") and copy.rows("transactions") > 0
    assert "order_id" in copy.columns("transactions")
    assert copy.tables.loaded() == {}  # counting rows and naming columns read nothing

    part = copy.table("transactions", ["amount", "customer_id", "no_such_column"])
    assert list(part.columns) == ["customer_id", "amount"]  # the table's own order
    assert copy.tables.loaded() == {"transactions": ["customer_id", "amount"]}

    whole = copy.transactions
    assert list(whole.columns) == copy.columns("transactions")
    assert copy.transactions is whole  # read once, then always the same frame
    pd.testing.assert_frame_equal(whole[["customer_id", "amount"]], part)


def test_table_on_a_loaded_folder_selects_columns(sample_dir):
    data = load(sample_dir, "2026-10")
    assert list(data.table("customers", ["plan", "customer_id"]).columns) == [
        "customer_id",
        "plan",
    ]
    assert data.table("customers") is data.customers
    assert data.rows("customers") == len(data.customers)
    assert data.columns("customers") == list(data.customers.columns)


def test_a_folder_without_a_table_answers_without_it(sample_dir, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(sample_dir, folder)
    (folder / "targets.csv").unlink()
    snapshot.write(folder, tmp_path / "t")
    copy = snapshot.open_dataset(tmp_path / "t")
    assert not copy.has("targets") and copy.rows("targets") == 0
    assert copy.table("targets") is None and copy.targets is None
    assert copy.columns("targets") == []


def test_an_invalid_folder_is_not_stored(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "customers.csv").write_text("customer_id,monthly_fee\nC1,10\nC1,-5\n")
    files, cfg, report = snapshot.write(bad, tmp_path / "t")
    assert not report.ok and not (tmp_path / "t").exists()


def test_a_column_arrow_cannot_type_is_kept_whole(tmp_path):
    mixed = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "extra": [1, "x", 2.5]}, index=pd.Index([3, 7, 9])
    )
    info = snapshot._store(mixed, tmp_path / "customers")
    assert info["format"] == "pickle"
    tables = snapshot.StoredTables(tmp_path, {"customers": info})
    pd.testing.assert_frame_equal(tables.read("customers"), mixed)
    assert list(tables.read("customers", ["extra"]).columns) == ["extra"]


def test_parquet_keeps_a_gappy_index_and_missing_values(tmp_path):
    frame = pd.DataFrame(
        {
            "response_id": pd.Series(["r1", None, "r3"], dtype=TEXT),
            "nps": pd.array([9, None, 3], dtype="Int64"),
            "date": pd.to_datetime(["2026-01-01", None, "2026-03-01"]).astype("datetime64[ns]"),
            "score": [1.5, np.nan, 2.0],
            "flag": [True, False, True],
        },
        index=pd.Index([0, 5, 6]),
    )
    info = snapshot._store(frame, tmp_path / "survey")
    assert info["format"] == "parquet"
    tables = snapshot.StoredTables(tmp_path, {"survey": info})
    pd.testing.assert_frame_equal(tables.read("survey", ["nps", "date"]), frame[["nps", "date"]])
    pd.testing.assert_frame_equal(tables.read("survey"), frame)


@pytest.mark.parametrize(
    "cells",
    [
        ["2026-01-05", None, "2026-02-28", "2025-12-31"],
        ["2026-01-05", "2026-02-30", None],  # an impossible day is missing, as in pandas
    ],
)
def test_plain_days_parse_through_arrow_as_pandas_parses_them(cells):
    from cxreport.data.folder import iso_days

    text = pd.Series(cells, dtype=TEXT)
    got = iso_days(text)
    want = pd.to_datetime(text, format="ISO8601", errors="coerce")
    pd.testing.assert_series_equal(got.astype("datetime64[ns]"), want.astype("datetime64[ns]"))


@pytest.mark.parametrize("cells", [["2026-01-05T10:30", None], ["20260105"], [None, None]])
def test_other_date_text_is_left_to_pandas(cells):
    from cxreport.data.folder import iso_days

    assert iso_days(pd.Series(cells, dtype=TEXT)) is None


def test_impossible_days_are_reported_as_unparseable(tmp_path):
    (tmp_path / "customers.csv").write_text(
        "customer_id,signup_date\nC1,2026-01-31\nC2,2026-02-30\nC3,2026-04-31\nC4,2026-13-01\n"
    )
    from cxreport.data import validate

    (problem,) = [p for p in validate(tmp_path).errors if p.rule == "unparseable dates"]
    assert problem.count == 3 and problem.column == "signup_date"


@pytest.mark.parametrize(
    "start, end",
    [("2026-08-01", "2026-11-01"), (None, "2026-01-01"), ("2026-10-15", None)],
)
def test_a_window_of_rows_reads_the_same_rows_from_file_memory_or_a_held_table(
    sample_dir, stored, start, end
):
    """``within`` gives the rows with start <= column < end, with the table's own index,
    whether the stored copy reads them from its file (Arrow filters them), from a table it
    already holds, or a loaded folder filters them in memory; a missing date is in none."""
    eager = load(sample_dir, "2026-10")
    window = ("date", start and pd.Timestamp(start), end and pd.Timestamp(end))
    d = eager.transactions["date"]
    keep = d.notna()
    if start:
        keep &= d >= start
    if end:
        keep &= d < end
    expected = eager.transactions.loc[keep, ["customer_id", "date", "amount"]]
    assert 0 < len(expected) < len(eager.transactions)

    copy = snapshot.open_dataset(stored, "2026-10")
    from_file = copy.table("transactions", ["customer_id", "date", "amount"], within=window)
    assert copy.tables.loaded() == {"transactions": ["customer_id", "date", "amount"]}
    held = copy.transactions  # now held whole: the window comes from it
    from_held = copy.table("transactions", ["customer_id", "date", "amount"], within=window)
    in_memory = eager.table("transactions", ["customer_id", "date", "amount"], within=window)
    for got in (from_file, from_held, in_memory):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert len(held) == len(eager.transactions)


def test_a_window_leaves_out_missing_dates_and_in_month_uses_it(stored):
    copy = snapshot.open_dataset(stored, "2026-10")
    churned = copy.table("customers", ["churn_date"], within=("churn_date", None, None))
    assert churned["churn_date"].notna().all()
    assert len(churned) == copy.customers["churn_date"].notna().sum()
    month = copy.in_month("survey")
    assert month["date"].between("2026-10-01", "2026-10-31 23:59:59").all()
    assert len(month) == copy.survey["date"].dt.to_period("M").eq(copy.month).sum()


def test_a_table_let_go_is_read_again_when_asked_for(stored):
    import gc
    import weakref

    copy = snapshot.open_dataset(stored, "2026-10")
    first = copy.table("transactions", ["customer_id", "date"])
    again = copy.table("transactions", ["date"])  # held: no second read
    assert np.shares_memory(first["date"].to_numpy(), again["date"].to_numpy())
    gone = weakref.ref(first)
    del first, again
    gc.collect()
    assert gone() is None  # the copy keeps nothing an analysis let go
    pd.testing.assert_frame_equal(
        copy.table("transactions", ["customer_id"]),
        load(copy.folder).transactions[["customer_id"]],
    )


def test_a_table_stored_a_slice_at_a_time_reads_back_whole(tmp_path, sample_dir):
    from cxreport.data.folder import read_folder

    tables = read_folder(sample_dir)[0]
    for name in ("transactions", "survey", "customers"):
        frame = tables[name]
        snapshot._write_parquet(frame, tmp_path / f"{name}.parquet", rows=1000)
        back = snapshot._nanoseconds(pd.read_parquet(tmp_path / f"{name}.parquet"))
        pd.testing.assert_frame_equal(back, frame, check_index_type=False)
        first = pd.read_parquet(tmp_path / f"{name}.parquet", columns=[frame.columns[0]])
        assert first.index.equals(frame.index)


def test_every_response_up_to_the_month_is_the_held_survey_itself(stored):
    """While a page holds the survey up to the month, asking again gives that same frame,
    not a second read (a shallow copy of it let the copy drop the table and read it again)."""
    from cxreport import csi

    copy = snapshot.open_dataset(stored, "2026-10")
    if copy.survey["date"].max() >= copy.month_end:
        pytest.skip("the sample has answers after the month")
    history = csi.survey_until(copy)
    assert csi.survey_until(copy) is history
    assert copy.survey is history


def test_a_kernel_gives_memory_back_after_each_cell_registered_once():
    from IPython.core.interactiveshell import InteractiveShell

    from cxreport.report import context

    shell = InteractiveShell.instance()
    try:
        context._release_after_each_cell()
        context._release_after_each_cell()
        hooks = shell.events.callbacks["post_run_cell"]
        assert hooks.count(context._after_cell) == 1
        assert shell.run_cell("x = sum(range(10))").success  # the hook runs without error
        assert shell.user_ns["x"] == 45
    finally:
        InteractiveShell.clear_instance()
