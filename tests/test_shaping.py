"""Reading real exports by configuration: Excel/ODS/SPSS, files, join, na_values, recode,
derive, drop_rows, two roles of one column, encodings, config errors and survey screening.

End to end through ``validate``/``load`` with small hand-made files; expected values are
computed by hand.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from cxreport import DataError, load, validate
from cxreport.cli import main
from cxreport.data.config import load_config, schema
from cxreport.errors import ConfigError


def _folder(tmp_path: Path, files: dict[str, str | bytes], config: str | None = None) -> Path:
    for name, content in files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(tmp_path / name, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(content)
    if config is not None:
        (tmp_path / "cxreport.yaml").write_text(config, encoding="utf-8")
    return tmp_path


def _config(folder: Path, text: str) -> None:
    (folder / "cxreport.yaml").write_text(text, encoding="utf-8")


def _errors(report, part: str) -> list:
    return [p for p in report.errors if part in p.rule]


def _one(report, part: str):
    hits = _errors(report, part)
    assert len(hits) == 1, f"expected one error with '{part}' in:\n{report.format()}"
    return hits[0]


def _values(s: pd.Series) -> list:
    """Cells as a list, every kind of missing value as None."""
    return [None if pd.isna(v) else v for v in s.tolist()]


def _notes(report, part: str) -> list[str]:
    return [n for n in report.notes if part in n]


# -- Excel, ODS ------------------------------------------------------------------------------------

ORDERS_MAP = (
    "    columns: {customer_id: CustomerID, date: InvoiceDate, amount: Amount, "
    "order_id: InvoiceNo, category: StockCode}\n"
)


def _orders_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "InvoiceNo": pd.Series([536365, 536366, "C536379"], dtype=object),
            "StockCode": pd.Series(["85123A", 71053, "84406B"], dtype=object),
            "InvoiceDate": [
                datetime(2010, 12, 1, 8, 26),
                datetime(2010, 12, 1, 9, 1),
                datetime(2010, 12, 2, 14, 30),
            ],
            "Amount": [15.0, 2.5, -4.25],
            "CustomerID": [12347.0, 12347.0, 12348.0],
        }
    )


def test_excel_mixed_cells_read_as_a_csv_would_show_them(tmp_path):
    with pd.ExcelWriter(tmp_path / "Online Retail.xlsx", engine="openpyxl") as xl:
        _orders_frame().to_excel(xl, sheet_name="Online Retail", index=False)
    _config(tmp_path, "tables:\n  transactions:\n    file: Online Retail.xlsx\n" + ORDERS_MAP)
    report = validate(tmp_path)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 3
    tx = load(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["12347", "12347", "12348"]
    assert tx["category"].tolist() == ["85123A", "71053", "84406B"]
    assert tx["order_id"].tolist() == ["536365", "536366", "C536379"]
    assert pd.api.types.is_datetime64_any_dtype(tx["date"])
    assert tx["date"].tolist() == [
        pd.Timestamp("2010-12-01"),
        pd.Timestamp("2010-12-01"),
        pd.Timestamp("2010-12-02"),
    ]
    assert tx["amount"].tolist() == [15.0, 2.5, -4.25]


def _two_sheet_book(path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"Read me": ["exported 2011-01-03", "by the ERP"]}).to_excel(
            xl, sheet_name="Notes", index=False
        )
        _orders_frame().to_excel(xl, sheet_name="Orders", index=False)


@pytest.mark.parametrize("sheet", ["Orders", "1"])
def test_excel_sheet_by_name_and_by_index(tmp_path, sheet):
    _two_sheet_book(tmp_path / "orders.xlsx")
    _config(
        tmp_path,
        f"tables:\n  transactions:\n    file: orders.xlsx\n    sheet: {sheet}\n" + ORDERS_MAP,
    )
    report = validate(tmp_path)
    assert report.ok, report.format()
    tx = load(tmp_path).transactions
    assert tx["order_id"].tolist() == ["536365", "536366", "C536379"]
    assert report.shaping["transactions"]["sheet"] == ("Orders" if sheet == "Orders" else 1)


def test_excel_missing_sheet_lists_the_sheets(tmp_path):
    _two_sheet_book(tmp_path / "orders.xlsx")
    _config(
        tmp_path, "tables:\n  transactions:\n    file: orders.xlsx\n    sheet: Order\n" + ORDERS_MAP
    )
    report = validate(tmp_path)
    p = _one(report, "has no sheet 'Order'")
    assert p.file == "orders.xlsx"
    assert "Notes, Orders" in p.fix
    _config(
        tmp_path, "tables:\n  transactions:\n    file: orders.xlsx\n    sheet: 5\n" + ORDERS_MAP
    )
    p = _one(validate(tmp_path), "has no sheet number 5")
    assert "Notes, Orders" in p.fix


def _yearly_book(path: Path) -> None:
    """Sheets 2010 and 2011; 2011 repeats the last order line of 2010."""
    f = _orders_frame()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        f.iloc[:2].to_excel(xl, sheet_name="2010", index=False)
        f.iloc[1:].to_excel(xl, sheet_name="2011", index=False)


def test_excel_every_sheet(tmp_path):
    _yearly_book(tmp_path / "orders.xlsx")
    _config(
        tmp_path, 'tables:\n  transactions:\n    file: orders.xlsx\n    sheet: "*"\n' + ORDERS_MAP
    )
    report = validate(tmp_path)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 3
    assert _notes(report, "1 row repeat a row of an earlier file or sheet") == [
        "transactions: 1 row repeat a row of an earlier file or sheet and were dropped "
        "(e.g. orders.xlsx[2011] line 2)"
    ]
    assert load(tmp_path).transactions["order_id"].tolist() == ["536365", "536366", "C536379"]


def test_ods_file_is_read_by_its_contract_name(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series([12347.0, 12348.0]),
            "date": ["2011-01-05", "2011-01-06"],
            "amount": [10.5, 20.0],
            "category": pd.Series(["85123A", 22423], dtype=object),
        }
    )
    frame.to_excel(tmp_path / "transactions.ods", engine="odf", index=False)
    report = validate(tmp_path)
    assert report.ok, report.format()
    assert report.sources["transactions"] == [str(tmp_path / "transactions.ods")]
    tx = load(tmp_path).transactions
    assert tx["customer_id"].tolist() == ["12347", "12348"]
    assert tx["category"].tolist() == ["85123A", "22423"]
    assert tx["amount"].tolist() == [10.5, 20.0]
    assert tx["date"].tolist() == [pd.Timestamp("2011-01-05"), pd.Timestamp("2011-01-06")]


# -- files: ----------------------------------------------------------------------------------------

HEAD = "customer_id,date,amount\n"
Y2010 = HEAD + "C1,2010-12-30,5\nC1,2010-12-30,5\nC2,2010-12-31,7\nC3,2010-12-31,9\n"
# 2011 repeats the last two lines of 2010 (C2 and C3) and has its own identical pair
Y2011 = HEAD + "C2,2010-12-31,7\nC3,2010-12-31,9\nC4,2011-01-02,3\nC4,2011-01-02,3\n"


def test_files_drop_repeats_across_files_only(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders_2010.csv": Y2010, "orders_2011.csv": Y2011},
        "tables:\n  transactions:\n    files: [orders_2010.csv, orders_2011.csv]\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 6  # 8 lines - 2 repeats across files
    assert _notes(report, "repeat a row") == [
        "transactions: 2 rows repeat a row of an earlier file or sheet and were dropped "
        "(e.g. orders_2011.csv line 2, orders_2011.csv line 3)"
    ]
    tx = load(folder).transactions
    assert tx["customer_id"].tolist() == ["C1", "C1", "C2", "C3", "C4", "C4"]
    assert tx["amount"].tolist() == [5.0, 5.0, 7.0, 9.0, 3.0, 3.0]
    assert report.sources["transactions"] == [
        str(folder / "orders_2010.csv"),
        str(folder / "orders_2011.csv"),
    ]


def test_files_of_two_sheets(tmp_path):
    _yearly_book(tmp_path / "orders.xlsx")
    _config(
        tmp_path,
        "tables:\n  transactions:\n    files:\n"
        '      - {file: orders.xlsx, sheet: "2010"}\n'
        '      - {file: orders.xlsx, sheet: "2011"}\n' + ORDERS_MAP,
    )
    report = validate(tmp_path)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 3
    assert len(_notes(report, "1 row repeat a row of an earlier file or sheet")) == 1


def test_files_glob_pattern(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders_2010.csv": Y2010, "orders_2011.csv": Y2011, "notes.csv": "x\n1\n"},
        'tables:\n  transactions:\n    files: ["orders_*.csv"]\n',
    )
    report = validate(folder)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 6
    assert report.sources["transactions"] == [
        str(folder / "orders_2010.csv"),
        str(folder / "orders_2011.csv"),
    ]


def test_files_glob_matching_nothing_is_an_error(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders_2010.csv": Y2010},
        'tables:\n  transactions:\n    files: ["sales_*.csv"]\n',
    )
    report = validate(folder)
    p = _one(report, "matches no file")
    assert p.file == "sales_*.csv"
    assert "'transactions'" in p.rule and "tables.transactions.file(s)" in p.fix
    with pytest.raises(DataError):
        load(folder)


# -- join: -----------------------------------------------------------------------------------------

CRM = (
    "customer_id,region,signup_date\nC1,north,2024-01-05\nC2,south,2024-02-01\n"
    "C3,north,2024-03-10\nC4,east,2024-04-01\n"
)
SERVICES = (
    "customer_id,region,plan,tenure\nC1,north,basic,12\nC2,south,premium,3\n"
    "C3,north,basic,30\nC9,west,basic,1\n"
)


def test_join_a_customers_table_split_over_two_files(tmp_path):
    folder = _folder(
        tmp_path,
        {"crm.csv": CRM, "services.csv": SERVICES},
        "tables:\n  customers:\n    file: crm.csv\n"
        "    join: [{file: services.csv, on: customer_id}]\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    [warn] = report.warnings
    assert warn.rule == "no match in services.csv for customer_id"
    assert warn.column == "customer_id" and warn.count == 1
    assert warn.examples == ["line 5: 'C4'"]
    assert "crm.csv: joined services.csv on customer_id (3 of 4 rows matched)" in report.notes
    assert "services.csv: 1 row match no row of crm.csv (not used)" in report.notes
    cust = load(folder).customers
    assert cust["customer_id"].tolist() == ["C1", "C2", "C3", "C4"]
    assert _values(cust["plan"]) == ["basic", "premium", "basic", None]
    assert _values(cust["tenure"]) == [12.0, 3.0, 30.0, None]
    # the same column with the same values in both files is kept once
    assert cust["region"].tolist() == ["north", "south", "north", "east"]
    assert [c for c in cust.columns if c.startswith("region")] == ["region"]


def test_join_on_left_and_right_names(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "crm.csv": CRM,
            "services.csv": SERVICES.replace("customer_id", "Customer ID"),
        },
        "tables:\n  customers:\n    file: crm.csv\n    join:\n      - {file: services.csv, "
        "on: {left: customer_id, right: Customer ID}}\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    cust = load(folder).customers
    assert _values(cust["plan"]) == ["basic", "premium", "basic", None]
    assert "Customer ID" not in cust.columns


def test_join_a_missing_key_matches_nothing(tmp_path):
    folder = _folder(
        tmp_path,
        {"crm.csv": CRM + ",west,2024-05-01\n", "services.csv": SERVICES + ",west,premium,7\n"},
        "tables:\n  customers:\n    file: crm.csv\n"
        "    join: [{file: services.csv, on: customer_id}]\n",
    )
    report = validate(folder)
    assert "crm.csv: joined services.csv on customer_id (3 of 5 rows matched)" in report.notes
    _one(report, "empty cells where a value is required")  # the blank id itself


def test_join_duplicate_keys_in_the_joined_file_is_an_error(tmp_path):
    folder = _folder(
        tmp_path,
        {"crm.csv": CRM, "services.csv": SERVICES + "C2,south,basic,4\n"},
        "tables:\n  customers:\n    file: crm.csv\n"
        "    join: [{file: services.csv, on: customer_id}]\n",
    )
    report = validate(folder)
    p = _one(report, "join key 'customer_id' is not unique")
    assert p.file == "services.csv" and p.count == 2
    assert p.examples == ["line 3: 'C2'", "line 6: 'C2'"]


# -- na_values: ------------------------------------------------------------------------------------

NA_SURVEY = (
    "response_id,q1,q2,q3,income\nR1,5,-99,3,999\nR2,0,4,不适用,1000\n"
    "R3,4,999,2,-99\nR4,3,2,1,2000\n"
)
NA_MODEL = (
    "survey:\n  scale: [1, 5]\n  items:\n    q1: {dimension: a}\n    q2: {dimension: a}\n"
    "    q3: {dimension: a}\n"
)


def test_na_values_table_wide_list(tmp_path):
    folder = _folder(
        tmp_path,
        {"survey.csv": NA_SURVEY},
        "tables:\n  survey:\n    na_values: [-99, 999, 不适用]\n" + NA_MODEL,
    )
    report = validate(folder)
    assert _notes(report, "missing-value code") == [
        "survey.csv: 5 cells with a missing-value code read as missing (q2 2, q3 1, income 2)"
    ]
    # the 0 of R2 is not declared missing: still off the 1-5 scale
    p = _one(report, "on the item scale 1-5")
    assert p.column == "q1" and p.examples == ["line 3: 0"]


def test_na_values_per_column_and_a_declared_zero(tmp_path):
    folder = _folder(
        tmp_path,
        {"survey.csv": NA_SURVEY},
        'tables:\n  survey:\n    na_values: {"*": [-99, 999], q1: [0], q3: [不适用]}\n' + NA_MODEL,
    )
    report = validate(folder)
    assert report.ok, report.format()
    assert _notes(report, "missing-value code") == [
        "survey.csv: 6 cells with a missing-value code read as missing (q1 1, q2 2, q3 1, income 2)"
    ]
    s = load(folder).survey
    assert _values(s["q1"]) == [5, None, 4, 3]
    assert _values(s["q2"]) == [None, 4, None, 2]
    assert _values(s["q3"]) == [3, None, 2, 1]
    assert _values(s["income"]) == [None, 1000, None, 2000]


# -- recode: ---------------------------------------------------------------------------------------

SAT_MODEL = "survey:\n  scale: [1, 5]\n  items:\n    Satisfaction: {dimension: overall}\n"
SAT_RECODE = (
    "tables:\n  survey:\n    recode:\n      Satisfaction: {非常满意: 5, 满意: 4, "
    "一般: 3, 不满意: 2, 非常不满意: 1, 不适用: null}\n"
)


def test_recode_chinese_labels_to_a_1_to_5_item(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "survey.csv": "response_id,Satisfaction\nR1,非常满意\nR2,满意\nR3,一般\nR4,不满意\n"
            "R5,非常不满意\nR6,不适用\nR7,满意\n",
        },
        SAT_RECODE + SAT_MODEL,
    )
    report = validate(folder)
    assert report.ok, report.format()
    s = load(folder).survey
    assert s["Satisfaction"].dtype == float
    assert _values(s["Satisfaction"]) == [5, 4, 3, 2, 1, None, 4]
    assert report.shaping["survey"]["recode"]["Satisfaction"]["非常满意"] == 5


def test_recode_unmapped_labels_listed_with_counts(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "survey.csv": "response_id,Satisfaction\nR1,非常满意\nR2,很好\nR3,还行\nR4,很好\n",
        },
        SAT_RECODE + SAT_MODEL,
    )
    report = validate(folder)
    p = _one(report, "leaves values unmapped")
    assert p.rule == "recode.Satisfaction leaves values unmapped: '很好' (2); '还行' (1)"
    assert p.count == 3 and p.column == "Satisfaction"
    assert p.examples == ["line 3: '很好'", "line 4: '还行'", "line 5: '很好'"]
    assert "recode.Satisfaction" in p.fix


def test_recode_yes_no_to_a_bool_column(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "crm.csv": "id,Churn\nC1,Yes\nC2,No\nC3,No\nC4,Yes\n",
        },
        "tables:\n  customers:\n    file: crm.csv\n    columns: {customer_id: id, churned: Churn}\n"
        "    recode:\n      churned: {Yes: true, No: false}\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    cust = load(folder).customers
    assert cust["churned"].dtype == bool
    assert cust["churned"].tolist() == [True, False, False, True]


# -- derive: ---------------------------------------------------------------------------------------

ORDER_LOG = (
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    "536365,85123A,6,2010-12-01,2.5,17850\n"
    "536366,71053,0,2010-12-01,3.25,17850\n"
    "536367,84406B,-2,2010-12-02,4.25,13047\n"
)
ORDER_MAP = (
    "    columns: {customer_id: CustomerID, date: InvoiceDate, order_id: InvoiceNo, "
    "category: StockCode}\n"
)


def test_derive_amount_from_quantity_and_price(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders.csv": ORDER_LOG},
        "tables:\n  transactions:\n    file: orders.csv\n"
        + ORDER_MAP
        + "    derive: {amount: Quantity * UnitPrice}\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    tx = load(folder).transactions
    assert tx["amount"].tolist() == [15.0, 0.0, -8.5]
    assert tx["order_id"].tolist() == ["536365", "536366", "536367"]


def test_derive_unknown_column_names_the_key_and_suggests(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders.csv": ORDER_LOG},
        "tables:\n  transactions:\n    file: orders.csv\n"
        + ORDER_MAP
        + "    derive: {amount: Quantiy * UnitPrice}\n",
    )
    report = validate(folder)
    p = _one(report, "derive.amount")
    assert p.file == "orders.csv" and p.column == "amount"
    assert "unknown column 'Quantiy'" in p.rule and "Did you mean 'Quantity'?" in p.rule
    assert "derive" in p.fix and "Quantiy * UnitPrice" in p.fix


def test_derive_division_by_zero_names_the_rows(tmp_path):
    folder = _folder(
        tmp_path,
        {"orders.csv": ORDER_LOG.replace("-2,", "0,")},
        "tables:\n  transactions:\n    file: orders.csv\n"
        + ORDER_MAP
        + "    derive: {amount: UnitPrice / Quantity}\n",
    )
    report = validate(folder)
    p = _one(report, "division by zero")
    assert p.column == "amount" and p.count == 2
    assert "'Quantity' is 0 in 2 row(s)" in p.rule
    assert [e.split(":")[0] for e in p.examples] == ["line 3", "line 4"]
    assert "3.25" in p.examples[0] and "4.25" in p.examples[1]


# -- drop_rows: ------------------------------------------------------------------------------------

DROP_LOG = (
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    "536365,85123A,6,2010-12-01,2.5,17850\n"  # kept
    "536366,POST,1,2010-12-01,18,17850\n"  # StockCode POST
    "C536379,22423,-1,2010-12-01,27.5,14527\n"  # InvoiceNo C...
    "536380,22423,2,2010-11-30,12.75,13047\n"  # before 2010-12-01
    "536381,22633,3,2010-12-02,1.5,\n"  # no customer
    "536382,22728,-2,2010-12-03,3.75,12583\n"  # Quantity below 0
    "536383,M,1,2010-12-04,1,12583\n"  # StockCode M
    "536384,21730,4,2010-12-05,4.25,12583\n"
)  # kept
DROP_RULES = (
    "    drop_rows:\n      customer_id: missing\n      StockCode: [POST, M, D]\n"
    "      InvoiceNo: {startswith: C}\n      date: {before: %s}\n"
    "      Quantity: {below: 0}\n"
)


def _drop_folder(tmp_path: Path, date: str) -> Path:
    return _folder(
        tmp_path,
        {"orders.csv": DROP_LOG},
        "tables:\n  transactions:\n    file: orders.csv\n"
        + ORDER_MAP
        + "    derive: {amount: Quantity * UnitPrice}\n"
        + DROP_RULES % date,
    )


def test_drop_rows_rules_counted_and_the_rest_kept(tmp_path):
    folder = _drop_folder(tmp_path, "'2010-12-01'")
    report = validate(folder)
    assert report.ok, report.format()
    assert _notes(report, "(drop_rows)") == [
        "orders.csv: left out 1 row where customer_id is missing (drop_rows)",
        "orders.csv: left out 2 rows where StockCode is one of POST, M, D (drop_rows)",
        "orders.csv: left out 1 row where InvoiceNo starts with C (drop_rows)",
        "orders.csv: left out 1 row where date is before 2010-12-01 (drop_rows)",
        "orders.csv: left out 1 row where Quantity is below 0 (drop_rows)",
    ]
    assert report.tables["transactions"] == 2
    tx = load(folder).transactions
    assert tx["order_id"].tolist() == ["536365", "536384"]
    assert tx["amount"].tolist() == [15.0, 17.0]
    assert tx["customer_id"].tolist() == ["17850", "12583"]


def test_drop_rows_before_an_unquoted_date_as_in_the_spec(tmp_path):
    # config-spec.md writes `date: {before: 2010-12-01}` without quotes
    folder = _drop_folder(tmp_path, "2010-12-01")
    report = validate(folder)
    assert report.ok, report.format()
    assert "orders.csv: left out 1 row where date is before 2010-12-01 (drop_rows)" in report.notes
    assert load(folder).transactions["order_id"].tolist() == ["536365", "536384"]


# -- one source column in two roles, NPS scale -----------------------------------------------------


def test_one_column_as_nps_and_as_a_survey_item(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "survey.csv": "response_id,loy1,loy3\nR1,4,10\nR2,5,6\nR3,3,0\nR4,2,9\n",
        },
        "tables:\n  survey:\n    columns: {nps: loy3}\n"
        "survey:\n  items:\n    loy1: {dimension: loyalty, scale: [1, 5]}\n"
        "    loy3: {dimension: loyalty, scale: [0, 10]}\n",
    )
    report = validate(folder)
    assert report.ok, report.format()
    s = load(folder).survey
    assert {"nps", "loy3", "loy1"} <= set(s.columns)
    assert s["nps"].tolist() == [10, 6, 0, 9]
    assert s["loy3"].tolist() == [10.0, 6.0, 0.0, 9.0]


def test_nps_column_on_a_1_to_7_scale_is_an_error(tmp_path):
    rows = "".join(f"R{i},{i % 7 + 1}\n" for i in range(30))  # 1..7, max 7
    folder = _folder(tmp_path, {"survey.csv": "response_id,nps\n" + rows})
    report = validate(folder)
    p = _one(report, "not the 0-10 NPS question")
    assert p.column == "nps" and p.count == 30
    assert "run from 1 to 7 in 30 answers" in p.rule and "1-7 'would recommend'" in p.rule
    # 29 answers are too few to judge
    folder2 = tmp_path / "few"
    folder2.mkdir()
    _folder(folder2, {"survey.csv": "response_id,nps\n" + rows[: rows.index("R29,")]})
    assert not _errors(validate(folder2), "not the 0-10 NPS question")


# -- config errors ---------------------------------------------------------------------------------

THREE_PROBLEMS = (
    "tables:\n  customers:\n    na_value: [-99]\ncolour: blue\nsurvey:\n  screening: hide\n"
)


def _three(texts: list[str]) -> None:
    assert len(texts) == 3, texts
    assert any(
        "unknown key 'na_value' in tables.customers. Did you mean 'na_values'?" in t for t in texts
    )
    assert any("unknown key 'colour' in the top level." in t for t in texts)
    assert any(
        t.startswith("survey.screening: 'hide' is not allowed; use one of off, flag, exclude")
        for t in texts
    )


def test_config_problems_reported_all_at_once(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": "customer_id\nC1\n"}, THREE_PROBLEMS)
    report = validate(folder)
    assert not report.ok
    assert {p.file for p in report.errors} == {"cxreport.yaml"}
    _three([p.rule for p in report.errors])
    assert report.tables == {}
    with pytest.raises(ConfigError) as exc:
        load_config(folder)
    _three(exc.value.problems)
    assert "3 problem(s)" in str(exc.value)


def test_unquoted_yes_in_true_values_is_text(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "customers.csv": "customer_id,churned\nC1,Yes\nC2,No\nC3,No\n",
        },
        "tables:\n  customers:\n    true_values: {churned: [Yes]}\n"
        "    false_values: {churned: [No]}\n",
    )
    tcfg = load_config(folder).table("customers")
    assert tcfg.true_values == {"churned": ["Yes"]} and tcfg.false_values == {"churned": ["No"]}
    report = validate(folder)
    assert report.ok, report.format()
    assert load(folder).customers["churned"].tolist() == [True, False, False]


def test_schema_is_a_valid_json_schema():
    from jsonschema import Draft202012Validator

    doc = schema()
    Draft202012Validator.check_schema(doc)
    table = doc["$defs"]["table"]["properties"]
    assert {"files", "sheet", "na_values", "recode", "derive", "drop_rows", "join"} <= set(table)
    assert doc["properties"]["survey"]["properties"]["screening"]["enum"] == [
        "off",
        "flag",
        "exclude",
    ]


# -- encodings -------------------------------------------------------------------------------------

CN_CUSTOMERS = "customer_id,region\nC1,华东\nC2,华南\nC3,西北\n"


def test_gb18030_file_detected_and_noted(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": CN_CUSTOMERS.encode("gbk")})
    report = validate(folder)
    assert report.ok, report.format()
    assert _notes(report, "not UTF-8") == [
        "customers.csv: not UTF-8; read as gb18030 (declare tables.customers.encoding to be sure)"
    ]
    assert load(folder).customers["region"].tolist() == ["华东", "华南", "西北"]


def test_utf8_with_bom_reads_without_a_note(tmp_path):
    folder = _folder(tmp_path, {"customers.csv": CN_CUSTOMERS.encode("utf-8-sig")})
    report = validate(folder)
    assert report.ok, report.format()
    assert not _notes(report, "UTF-8") and not _notes(report, "gb18030")
    cust = load(folder).customers
    assert cust.columns[0] == "customer_id"
    assert cust["region"].tolist() == ["华东", "华南", "西北"]


def test_declared_encoding_is_used_as_given(tmp_path):
    raw = CN_CUSTOMERS.encode("gbk")
    folder = _folder(tmp_path, {"customers.csv": raw}, "tables:\n  customers:\n    encoding: gbk\n")
    report = validate(folder)
    assert report.ok, report.format()
    assert not _notes(report, "not UTF-8")
    assert report.shaping["customers"]["encoding"] == "gbk"
    assert load(folder).customers["region"].tolist() == ["华东", "华南", "西北"]
    # a wrong declaration is not second-guessed: latin-1 decodes any byte
    _config(folder, "tables:\n  customers:\n    encoding: latin-1\n")
    assert load(folder).customers["region"].tolist() == [
        t.encode("gbk").decode("latin-1") for t in ("华东", "华南", "西北")
    ]


# -- SPSS ------------------------------------------------------------------------------------------


def test_spss_value_labels_and_user_missing(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "region": [1.0, 2.0, 99.0, 1.0]})
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "customers.sav"),
        variable_value_labels={"region": {1.0: "North", 2.0: "South", 99.0: "Refused"}},
        missing_ranges={"region": [99]},
    )
    report = validate(tmp_path)
    assert report.ok, report.format()
    cust = load(tmp_path).customers
    assert cust["customer_id"].tolist() == ["C1", "C2", "C3", "C4"]
    assert _values(cust["region"]) == ["North", "South", None, "North"]


# -- survey screening ------------------------------------------------------------------------------

SCREEN_MODEL = (
    "survey:\n  scale: [1, 5]\n  items:\n    q1: {dimension: a}\n"
    "    q2: {dimension: a}\n    q3: {dimension: a}\n"
)


def _screen_survey() -> str:
    durations = [300, 320, 280, 310, 290, 305, 295, 315, 285, 30, 300, 300]  # median 300
    answers = [
        "1,2,3",
        "2,3,4",
        "3,4,5",
        "4,5,1",
        "5,1,2",
        "1,3,5",
        "2,4,1",
        "3,5,2",
        "4,1,3",
        "5,2,4",
        "1,4,2",
        "1,4,2",
    ]
    ips = [f"10.0.0.{i}" for i in range(1, 12)] + ["10.0.0.11"]  # R12 repeats R11
    lines = [
        f"R{i + 1},{d},{ip},{a}"
        for i, (d, ip, a) in enumerate(zip(durations, ips, answers, strict=True))
    ]
    return "response_id,duration,ip,q1,q2,q3\n" + "\n".join(lines) + "\n"


def test_screening_flags_a_speeder_and_a_duplicate_by_default(tmp_path):
    folder = _folder(tmp_path, {"survey.csv": _screen_survey()}, SCREEN_MODEL)
    report = validate(folder)
    assert report.ok, report.format()
    assert _notes(report, "survey screening") == [
        "survey screening: 2 of 12 responses look unreliable (1 speeder, 1 duplicate); kept "
        "and flagged in the quality column; set survey.screening: exclude to leave them out"
    ]
    s = load(folder).survey
    assert len(s) == 12
    flagged = dict(zip(s["response_id"], s["quality"], strict=True))
    assert flagged["R10"] == "speeder" and flagged["R12"] == "duplicate"
    assert [r for r, q in flagged.items() if q] == ["R10", "R12"]


def test_screening_exclude_leaves_them_out(tmp_path):
    folder = _folder(
        tmp_path, {"survey.csv": _screen_survey()}, SCREEN_MODEL + "  screening: exclude\n"
    )
    report = validate(folder)
    assert report.ok, report.format()
    assert len(_notes(report, "left out (survey.screening: exclude)")) == 1
    s = load(folder).survey
    assert s["response_id"].tolist() == [f"R{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11)]
    assert (s["quality"] == "").all()


def test_screening_off_adds_no_quality_column(tmp_path):
    folder = _folder(
        tmp_path, {"survey.csv": _screen_survey()}, SCREEN_MODEL + "  screening: off\n"
    )
    report = validate(folder)
    assert report.ok, report.format()
    assert not _notes(report, "survey screening")
    s = load(folder).survey
    assert len(s) == 12 and "quality" not in s.columns


# -- validate --json -------------------------------------------------------------------------------


def test_cli_validate_json(tmp_path, capsys):
    folder = _drop_folder(tmp_path, "'2010-12-01'")
    assert main(["validate", "--json", str(folder)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["errors"] == []
    assert out["tables"]["transactions"] == 2
    assert "orders.csv: left out 1 row where InvoiceNo starts with C (drop_rows)" in out["notes"]
    shaped = out["shaping"]["transactions"]
    assert shaped["derive"] == {"amount": "Quantity * UnitPrice"}
    assert shaped["drop_rows"]["StockCode"] == ["POST", "M", "D"]
    # and a failing folder: exit code 2, the problems as objects
    _config(
        folder,
        "tables:\n  transactions:\n    file: orders.csv\n"
        + ORDER_MAP
        + "    derive: {amount: Quantiy * UnitPrice}\n",
    )
    assert main(["validate", "--json", str(folder)]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert any(
        e["column"] == "amount" and "Did you mean 'Quantity'?" in e["rule"] for e in out["errors"]
    )
