"""The data contract: loading, mapping and the bad-input battery of `cxreport validate`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxreport import DataError, load, validate
from cxreport.cli import main
from cxreport.data.config import load_config
from cxreport.errors import ConfigError


def _folder(tmp_path: Path, files: dict[str, str | bytes], config: str | None = None) -> Path:
    for name, content in files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(tmp_path / name, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(content)
    if config is not None:
        (tmp_path / "cxreport.yaml").write_text(config, encoding="utf-8")
    return tmp_path


CUSTOMERS = (
    "customer_id,signup_date,plan,monthly_fee,churned\nC1,2024-01-05,basic,19,no\n"
    "C2,2024-02-01,premium,69,yes\nC3,2024-03-10,basic,19,no\n"
)


def _problems(folder: Path) -> list:
    report = validate(folder)
    return report.errors


def _one(folder: Path, rule_part: str):
    hits = [p for p in _problems(folder) if rule_part in p.rule]
    assert hits, f"no problem with '{rule_part}' in:\n{validate(folder).format()}"
    return hits[0]


def test_sample_folder_is_valid(sample_dir):
    report = validate(sample_dir)
    assert report.ok, report.format()
    assert report.tables["customers"] == 3000
    ds = load(sample_dir, "2026-10")
    assert ds.month == pd.Period("2026-10", "M")
    assert pd.api.types.is_datetime64_any_dtype(ds.transactions["date"])
    assert ds.customers["churned"].dtype == bool
    assert len(ds.in_month("transactions")) > 0


def test_missing_column_names_the_file_and_suggests(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": "CustomerId,plan\nC1,basic\n"})
    p = _one(folder, "required column is missing")
    assert p.file == "customers.csv" and p.column == "customer_id"
    assert "cxreport.yaml" in p.fix and "CustomerId" in p.fix


def test_missing_mapped_file(tmp_path):
    folder = _folder(tmp_path, {}, "tables:\n  customers:\n    file: crm_export.csv\n")
    p = _one(folder, "does not exist")
    assert p.file == "crm_export.csv"


def test_unparseable_dates_listed_with_lines(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "customers.csv": CUSTOMERS,
            "transactions.csv": "customer_id,date,amount\nC1,2024-05-01,10\nC2,31/13/2024,5\n"
            "C3,yesterday,7\n",
        },
    )
    p = _one(folder, "unparseable dates")
    assert (p.file, p.column, p.count) == ("transactions.csv", "date", 2)
    assert "line 3: '31/13/2024'" in p.examples[0] and "line 4" in p.examples[1]
    assert "date_format" in p.fix


def test_out_of_scale_scores(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "survey.csv": "response_id,date,nps,Q1\nR1,2024-05-01,11,3\nR2,2024-05-02,9,0\n"
            "R3,2024-05-03,7,5\n"
        },
        "survey:\n  scale: [1, 5]\n  items:\n    Q1: {dimension: reliability}\n",
    )
    errors = _problems(folder)
    nps = next(p for p in errors if p.column == "nps")
    assert nps.count == 1 and "at most 10" in nps.rule and "line 2: 11" in nps.examples[0]
    q1 = next(p for p in errors if p.column == "Q1")
    assert "1-5" in q1.rule and q1.examples == ["line 3: 0"]


def test_duplicate_ids(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": CUSTOMERS + "C2,2024-04-01,basic,19,no\n"})
    p = _one(folder, "duplicate identifiers")
    assert p.column == "customer_id" and p.count == 2
    assert any("line 3" in e for e in p.examples) and any("line 5" in e for e in p.examples)


def test_orphan_foreign_keys(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "customers.csv": CUSTOMERS,
            "transactions.csv": "customer_id,date,amount\nC1,2024-05-01,10\nC9,2024-05-02,5\n",
        },
    )
    p = _one(folder, "not found in customers.csv")
    assert p.file == "transactions.csv" and p.count == 1 and "'C9'" in p.examples[0]


def test_empty_table(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": "customer_id,plan\n"})
    p = _one(folder, "no rows")
    assert p.file == "customers.csv"
    (tmp_path / "x").mkdir()
    folder2 = _folder(tmp_path / "x", {"complaints.csv": ""})
    assert any("empty" in p.rule for p in _problems(folder2))


def test_wrong_encoding(tmp_path):
    raw = "customer_id,region\nC1,Zürich\n".encode("cp1252")
    folder = _folder(tmp_path, {"customers.csv": raw})
    p = _one(folder, "not valid UTF-8")  # and not silently read as GB18030
    assert "line 2" in p.rule and "cp1252" in p.rule and "encoding" in p.fix
    (tmp_path / "cxreport.yaml").write_text("tables:\n  customers:\n    encoding: cp1252\n")
    assert validate(folder).ok
    assert load(folder).customers["region"].iloc[0] == "Zürich"


def test_thousands_separators(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "customers.csv": CUSTOMERS,
            "transactions.csv": 'customer_id,date,amount\nC1,2024-05-01,"1,234.50"\n'
            'C2,2024-05-02,12.00\nC3,2024-05-03,"2,000"\n',
        },
    )
    p = _one(folder, "thousands separators")
    assert p.count == 2 and p.column == "amount" and "thousands" in p.fix
    (tmp_path / "cxreport.yaml").write_text("tables:\n  transactions:\n    thousands: ','\n")
    assert load(folder).transactions["amount"].tolist() == [1234.5, 12.0, 2000.0]


def test_every_problem_reported_at_once(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "customers.csv": CUSTOMERS + "C2,2024-04-01,basic,-5,maybe\n",
            "transactions.csv": "customer_id,date,amount\nC9,bad,x\n",
        },
    )
    rules = {p.rule for p in _problems(folder)}
    assert {
        "duplicate identifiers",
        "not a yes/no value",
        "unparseable dates",
        "not a number",
        "customer_id not found in customers.csv",
    } <= rules
    assert any("at least 0" in r for r in rules)
    with pytest.raises(DataError) as exc:
        load(folder)
    assert "customers.csv" in str(exc.value) and "transactions.csv" in str(exc.value)


def test_cli_validate_exit_codes_and_no_traceback(tmp_path, capsys, sample_dir):
    assert main(["validate", str(sample_dir)]) == 0
    folder = _folder(tmp_path, {"customers.csv": CUSTOMERS + "C1,2024-01-05,basic,19,no\n"})
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr()
    assert "duplicate identifiers" in out.out and "Traceback" not in out.out + out.err


def test_config_errors_are_clear(tmp_path):
    (tmp_path / "cxreport.yaml").write_text("tables:\n  customer:\n    file: x.csv\n")
    with pytest.raises(
        ConfigError, match="unknown key 'customer' in tables. Did you mean 'customers'"
    ):
        load_config(tmp_path)
    (tmp_path / "cxreport.yaml").write_text(
        "tables:\n  customers:\n    columns: {client: customerID}\n"
    )
    with pytest.raises(ConfigError, match="'client' is not a column of customers"):
        load_config(tmp_path)
    (tmp_path / "cxreport.yaml").write_text(
        "survey:\n  dimensions: [a, b]\n  items:\n    Q1: {dimension: a}\n"
    )
    with pytest.raises(ConfigError, match="dimension.*b have no items"):
        load_config(tmp_path)


def test_telco_validates_with_a_mapping_config(tmp_path, shared_data):
    telco = shared_data / "telco_churn" / "Telco-Customer-Churn.csv"
    (tmp_path / "cxreport.yaml").write_text(
        f"tables:\n  customers:\n    file: {telco}\n"
        "    columns: {customer_id: customerID, churned: Churn, plan: Contract, "
        "monthly_fee: MonthlyCharges}\n    true_values: {churned: ['Yes']}\n"
    )
    report = validate(tmp_path)
    assert report.ok, report.format()
    cust = load(tmp_path).customers
    assert len(cust) == 7043 and cust["churned"].sum() == 1869
    assert cust["TotalCharges"].dtype == float and cust["TotalCharges"].isna().sum() == 11


def test_parquet_reads_like_csv(tmp_path, sample_dir):
    shutil.copy(sample_dir / "cxreport.yaml", tmp_path)
    for t in ("customers", "complaints"):
        df = load(sample_dir).tables[t]
        df.to_parquet(tmp_path / f"{t}.parquet", index=False)
    ds = load(tmp_path)
    pd.testing.assert_frame_equal(ds.complaints, load(sample_dir).complaints, check_dtype=False)


def test_bad_month_message():
    from cxreport import parse_month
    from cxreport.errors import CxReportError

    with pytest.raises(CxReportError, match="YYYY-MM"):
        parse_month("2024")


COMPLAINTS = (
    "complaint_id,opened,resolved,category,status,first_contact_resolved,due,text\n"
    "K1,2024-03-01,2024-03-02,billing,Solved,yes,2024-03-06,Wrong bill\n"
    "K2,2024-03-03,,repair,Open,no,,网络又断了\n"
)


def test_complaint_status_fcr_and_due_read_by_config(tmp_path):
    config = (
        "tables:\n  complaints:\n    recode:\n      status: {Open: open, Solved: solved}\n"
        "    true_values: {first_contact_resolved: [yes]}\n"
        "    false_values: {first_contact_resolved: [no]}\n"
        'complaints:\n  sla_days: {billing: 5, "*": 3}\n'
    )
    folder = _folder(tmp_path, {"complaints.csv": COMPLAINTS}, config)
    ds = load(folder)
    c = ds.tables["complaints"]
    assert c["status"].tolist() == ["solved", "open"]
    assert c["first_contact_resolved"].tolist() == [True, False]
    assert c["due"].iloc[0] == pd.Timestamp("2024-03-06") and pd.isna(c["due"].iloc[1])
    assert ds.config.sla_days == {"*": 3.0, "billing": 5.0}


def test_unmapped_status_names_the_allowed_values(tmp_path):
    folder = _folder(tmp_path, {"complaints.csv": COMPLAINTS})
    p = _one(folder, "one of open")
    assert p.column == "status" and "cxreport.yaml" in p.fix


def test_sla_days_must_be_positive_numbers(tmp_path):
    (tmp_path / "cxreport.yaml").write_text("complaints:\n  sla_days: {billing: 0}\n")
    with pytest.raises(ConfigError, match="complaints.sla_days.billing"):
        load_config(tmp_path)
    (tmp_path / "cxreport.yaml").write_text("complaints:\n  sla_day: {billing: 3}\n")
    with pytest.raises(ConfigError, match="Did you mean 'sla_days'"):
        load_config(tmp_path)
    assert load_config(tmp_path.parent).sla_days == {"*": 7.0}  # no config: 7 days each
