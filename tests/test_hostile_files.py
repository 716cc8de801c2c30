"""Files and folders nobody prepared: each gets one clear problem naming the file (or the
config key) and the fix; nothing is passed over in silence, nothing outside the data folder is
read by a relative path, and no raw traceback reaches the command line."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxreport import validate
from cxreport.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(SAMPLE, d)
    return d


def _config(d: Path, table_yaml: str) -> None:
    """Keep the sample's config (its SQI weights) and add a tables: section."""
    text = (SAMPLE / "cxreport.yaml").read_text(encoding="utf-8")
    (d / "cxreport.yaml").write_text(text + "tables:\n" + table_yaml, encoding="utf-8")


def _errors(report) -> list[str]:
    return [p.format() for p in report.errors]


def test_a_truncated_gzip_is_one_problem_naming_the_file(folder):
    raw = gzip.compress((folder / "customers.csv").read_bytes())
    (folder / "customers.csv").unlink()
    (folder / "customers.csv.gz").write_bytes(raw[: len(raw) // 2])
    (err,) = _errors(validate(folder))
    assert err.startswith("✗ customers.csv.gz: the compressed file is damaged or cut short")


def test_two_columns_of_one_name_are_an_error_not_one_kept(folder):
    p = folder / "customers.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    lines = [f"{line},{line.split(',')[1]}" for line in lines]
    lines[0] = ",".join([*header, header[1]])
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (err,) = _errors(validate(folder))
    assert f"customers.csv: has more than one column named '{header[1]}'" in err


def test_two_names_that_differ_only_by_spaces_are_one_name_twice(folder):
    frame = pd.read_csv(folder / "customers.csv", dtype=str)
    (folder / "customers.csv").unlink()
    frame[" customer_id "] = frame["customer_id"]  # names are read without their spaces
    frame.to_parquet(folder / "customers.parquet", index=False)
    (err,) = _errors(validate(folder))
    assert "customers.parquet: has more than one column named 'customer_id'" in err
    assert "rename the columns" in err


def test_two_columns_of_one_name_in_a_workbook(folder):
    frame = pd.read_csv(folder / "customers.csv", dtype=str)
    (folder / "customers.csv").unlink()
    frame.columns = [*frame.columns[:-1], frame.columns[0]]
    frame.to_excel(folder / "customers.xlsx", index=False)
    (err,) = _errors(validate(folder))
    assert "customers.xlsx: has more than one column named 'customer_id'" in err


def test_a_dangling_link_and_a_folder_named_like_a_table_are_errors(folder):
    (folder / "complaints.csv").unlink()
    os.symlink(folder / "gone.csv", folder / "complaints.csv")
    (folder / "targets.csv").unlink()
    (folder / "targets.csv").mkdir()
    errors = _errors(validate(folder))
    assert any("complaints.csv: is a link to" in e and "which does not exist" in e for e in errors)
    assert any("targets.csv: is a folder, not a file" in e for e in errors)


def test_a_link_is_followed_and_named(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(folder / "complaints.csv", elsewhere / "complaints.csv")
    os.symlink(elsewhere / "complaints.csv", folder / "complaints.csv")
    report = validate(folder)
    assert report.ok
    assert any(f"read from {elsewhere / 'complaints.csv'}" in n for n in report.notes)


def test_a_relative_path_may_not_leave_the_data_folder(folder):
    secret = folder.parent / ".env"
    secret.write_text("SECRET=hunter2\n", encoding="utf-8")
    _config(folder, "  customers:\n    file: ../.env\n")
    report = validate(folder)
    text = report.format() if hasattr(report, "format") else "\n".join(_errors(report))
    assert "tables.customers: the path '../.env' leaves the data folder" in text
    assert "hunter2" not in text  # the file was not read, let alone shown


def test_an_absolute_path_is_the_users_choice_and_named(folder, tmp_path):
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    shutil.move(folder / "complaints.csv", elsewhere / "tickets.csv")
    _config(folder, f"  complaints:\n    file: {elsewhere / 'tickets.csv'}\n")
    report = validate(folder)
    assert report.ok, _errors(report)
    assert f"complaints: read from outside the data folder, {elsewhere / 'tickets.csv'}" in (
        report.notes
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_date_outside_what_pandas_holds_names_the_column(folder, fmt):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(folder / "transactions.csv", dtype=str)
    (folder / "transactions.csv").unlink()
    if fmt == "csv":
        frame.loc[3, "date"] = "2999-01-01"
        frame.to_csv(folder / "transactions.csv", index=False)
    else:  # a real timestamp column, as Parquet from a warehouse holds it (microseconds)
        dates = [dt.datetime.fromisoformat(d) for d in frame.pop("date")]
        dates[3] = dt.datetime(2999, 1, 1)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.append_column("date", pa.array(dates, pa.timestamp("us")))
        pq.write_table(table, folder / "transactions.parquet")
    (err,) = _errors(validate(folder))
    assert "column 'date': dates outside the years 1678-2261 (1 row)" in err


def test_out_inside_the_data_folder_or_a_file_is_refused_before_anything(folder, capsys):
    for out, said in [
        (folder / "reports", "is inside the data folder"),
        (folder / "customers.csv", "is inside the data folder"),
    ]:
        code = main(["run", "--data", str(folder), "--month", "2026-10", "--out", str(out)])
        assert code == 2 and said in capsys.readouterr().err
    assert not (folder / "reports").exists()
    afile = folder.parent / "afile"
    afile.write_text("x", encoding="utf-8")
    code = main(["run", "--data", str(folder), "--month", "2026-10", "--out", str(afile / "r")])
    assert code == 2 and "is a file, not a folder" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    import cxreport.cli as cli

    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "_validate", broken)
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    for action in parser._subparsers._group_actions[0].choices.values():
        if action.prog.endswith("validate"):
            action.set_defaults(func=broken)
    assert main(["validate", "x"]) == 1
    err = capsys.readouterr().err
    assert "an unexpected error, a bug in cxreport: KeyError: 'boom'" in err
    assert "Traceback" not in err


def test_a_declared_yes_code_that_never_occurs_is_a_warning(folder):
    p = folder / "customers.csv"
    frame = pd.read_csv(p, dtype=str)
    frame["churned"] = frame["churned"].map({"true": "Y", "false": "N"})
    frame.to_csv(p, index=False)
    _config(folder, "  customers:\n    true_values: {churned: [Yes]}\n")
    report = validate(folder)
    (warning,) = [w.format() for w in report.warnings if "true_values" in w.format()]
    assert "the true_values code(s) 'Yes' never occur in the column" in warning


def test_a_decimal_comma_read_with_thousands_comma_is_an_error_not_100_times_more(folder):
    p = folder / "transactions.csv"
    frame = pd.read_csv(p, dtype=str)
    frame["amount"] = frame["amount"].str.replace(".", ",", regex=False)  # 12,50
    frame.to_csv(p, index=False)
    _config(folder, "  transactions:\n    thousands: ','\n")
    errors = _errors(validate(folder))
    assert any(
        "transactions.csv · column 'amount': ',' is declared as the thousands separator, but "
        "it is not followed by groups of three digits" in e
        for e in errors
    ), errors
    _config(folder, "  transactions:\n    decimal: ','\n")  # the fix the message gives
    assert validate(folder).ok
