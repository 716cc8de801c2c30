"""`cxreport init`: a cxreport.yaml drafted from the files of a folder (cxreport.data.draft)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import cxreport
from cxreport.data import draft as draft_mod
from cxreport.data.draft import draft_config, write_draft
from cxreport.errors import ConfigError, CxReportError

GUESS_KEYS = (
    "file",
    "sheet",
    "encoding",
    "sep",
    "thousands",
    "decimal",
    "date_format",
    "header_rows",
)


def _doc(text: str) -> dict:
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict)
    return doc


def _schema_ok(doc: dict) -> None:
    """Only keys of config-spec.md / the JSON schema of cxreport.yaml."""
    from jsonschema import Draft202012Validator

    from cxreport.data.config import schema

    errors = [e.message for e in Draft202012Validator(schema()).iter_errors(doc)]
    assert not errors, errors


def _assert_comments(text: str) -> None:
    """Every guessed mapping, code list and reading option carries a '# why:' comment."""
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        m = re.match(r"^    (\w+):", ln)
        if m and m.group(1) in GUESS_KEYS:
            assert "# why:" in ln, ln
        if m and m.group(1) in (
            "columns",
            "derive",
            "drop_rows",
            "na_values",
            "true_values",
            "join",
        ):
            for sub in lines[i + 1 :]:
                if not sub.startswith("      "):
                    break
                assert "# why:" in sub, sub
    if "  extra_weights:" in lines:
        i = lines.index("  extra_weights:")
        for sub in lines[i + 1 :]:
            if not sub.startswith("    "):
                break
            assert "weights are a guess: set them" in sub


def _copy(files, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, dest / Path(f).name)
        (dest / Path(f).name).chmod(0o644)  # the shared data is read-only
    return dest


# --- acceptance: the draft validates without edits --------------------------------------------


def test_sample_folder_without_config(tmp_path, sample_dir):
    folder = _copy(sorted(sample_dir.glob("*.csv")), tmp_path / "sample")
    path, draft = write_draft(folder)
    assert path == folder / "cxreport.yaml"
    assert set(draft.tables) == set(cxreport.data.contract.TABLES)
    assert draft.tables["survey"] == "survey.csv"
    doc = _doc(path.read_text(encoding="utf-8"))
    _schema_ok(doc)
    # standard column names: nothing to rename; SERVQUAL items need no declaration
    assert all("columns" not in t for t in doc["tables"].values())
    assert "items" not in (doc.get("survey") or {})
    sample_cfg = yaml.safe_load((sample_dir / "cxreport.yaml").read_text(encoding="utf-8"))
    assert set(doc["sqi"]["extra_weights"]) == set(sample_cfg["sqi"]["extra_weights"])
    _assert_comments(draft.text)
    report = cxreport.validate(folder)
    assert report.ok, report.format()


def test_telco_csv(tmp_path, shared_data):
    folder = _copy([shared_data / "telco_churn" / "Telco-Customer-Churn.csv"], tmp_path / "t")
    path, draft = write_draft(folder)
    assert draft.tables == {"customers": "Telco-Customer-Churn.csv"}
    doc = _doc(draft.text)
    _schema_ok(doc)
    t = doc["tables"]["customers"]
    assert t["file"] == "Telco-Customer-Churn.csv"
    assert t["columns"] == {
        "customer_id": "customerID",
        "churned": "Churn",
        "plan": "Contract",
        "monthly_fee": "MonthlyCharges",
    }
    assert t["true_values"] == {"churned": ["Yes"]}  # a string, not YAML 1.1's True
    assert t["false_values"] == {"churned": ["No"]}
    assert "encoding" not in t and "sep" not in t and "date_format" not in t
    _assert_comments(draft.text)
    assert re.search(r"churned: \[\"Yes\"\].*# why: .*No 5,174, Yes 1,869", draft.text)
    report = cxreport.validate(folder)
    assert report.ok, report.format()
    assert report.tables["customers"] == 7043


def test_online_retail_xlsx(tmp_path, shared_data):
    src = shared_data / "online_retail_sample40k" / "Online Retail.xlsx"
    folder = _copy([src], tmp_path / "r")
    path, draft = write_draft(folder)
    assert draft.tables == {"transactions": "Online Retail.xlsx"}
    doc = _doc(draft.text)
    _schema_ok(doc)
    t = doc["tables"]["transactions"]
    assert t["file"] == "Online Retail.xlsx"
    assert "sheet" not in t  # one sheet only
    assert t["columns"] == {
        "customer_id": "CustomerID",
        "date": "InvoiceDate",
        "order_id": "InvoiceNo",
    }
    assert t["derive"] == {"amount": "Quantity * UnitPrice"}
    assert t["drop_rows"] == {"customer_id": "missing"}
    assert "date_format" not in t  # real Excel date cells
    _assert_comments(draft.text)
    # the evidence counts the whole file, not only the sniffed rows
    assert "10,057 of 40,000 rows have no CustomerID" in draft.text
    report = cxreport.validate(folder)
    assert report.ok, report.format()
    assert report.tables["transactions"] == 40000 - 10057


def test_telco_v11_five_workbooks_are_joined(tmp_path, shared_data):
    folder = _copy(sorted((shared_data / "telco_churn_ibm_v11").glob("*.xlsx")), tmp_path / "v")
    _, draft = write_draft(folder)
    doc = _doc(draft.text)
    _schema_ok(doc)
    t = doc["tables"]["customers"]
    joined = {j["file"]: j["on"] for j in t["join"]}
    assert len(joined) == 4 and t["file"] not in joined
    assert joined["Telco_customer_churn_population.xlsx"] == "Zip Code"
    assert {v for k, v in joined.items() if "population" not in k} == {"Customer ID"}
    assert t["columns"]["customer_id"] == "Customer ID"
    assert t["columns"]["churned"] == "Churn Label"
    assert t["true_values"] == {"churned": ["Yes"]}
    report = cxreport.validate(folder)
    assert report.ok, report.format()
    assert report.tables["customers"] == 7043


# --- never overwrite; clear errors ---------------------------------------------------------


@pytest.mark.parametrize("name", ["cxreport.yaml", "cxreport.yml"])
def test_never_overwrites_without_force(tmp_path, name):
    pd.DataFrame({"customer_id": ["a", "b"], "churned": ["Yes", "No"]}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    existing = tmp_path / name
    existing.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="--force"):
        write_draft(tmp_path)
    assert existing.read_text(encoding="utf-8") == "# mine\n"
    path, draft = write_draft(tmp_path, force=True)
    assert path == existing
    assert path.read_text(encoding="utf-8") == draft.text
    assert [p.name for p in tmp_path.glob("cxreport.y*ml")] == [name]


def test_no_data_files(tmp_path):
    with pytest.raises(ConfigError, match="no data file"):
        draft_config(tmp_path)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "cxreport.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no data file.*notes\.pdf"):
        draft_config(tmp_path)
    with pytest.raises(CxReportError, match="does not exist"):
        draft_config(tmp_path / "nowhere")


def test_unreadable_and_unmatched_files_are_listed(tmp_path):
    pd.DataFrame({"customer_id": ["a", "b"], "plan": ["x", "y"]}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    pd.DataFrame({"colour": ["red", "blue"], "size": ["S", "M"]}).to_csv(
        tmp_path / "paint.csv", index=False
    )
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    draft = draft_config(tmp_path)
    assert draft.tables == {"customers": "customers.csv"}
    assert re.search(r"#   paint\.csv: matches no table .*colour, size", draft.text)
    assert re.search(r"#   empty\.csv: the file is empty", draft.text)
    assert any("empty.csv" in t for t in draft.todo)


# --- the guesses, on small made-up exports -------------------------------------------------


@pytest.fixture()
def chinese_exports(tmp_path) -> Path:
    """A GBK order file, a semicolon CRM export, a 问卷星-like survey and a workbook of contacts."""
    rng = np.random.default_rng(1)
    folder = tmp_path / "cn"
    folder.mkdir()
    n = 200
    orders = pd.DataFrame(
        {
            "订单号": [f"D{i:05d}" for i in range(n)],
            "会员ID": [f"{rng.integers(1, 60):04d}" for _ in range(n)],
            "下单时间": [
                f"2023/{rng.integers(1, 13)}/{rng.integers(1, 29)} 10:{rng.integers(10, 60)}:00"
                for _ in range(n)
            ],
            "实付金额": [f"{x:,.2f}" for x in rng.uniform(10, 3000, n)],
        }
    )
    orders.loc[[3, 7, 11], "会员ID"] = ""
    orders.to_csv(folder / "订单.csv", index=False, encoding="gbk")
    crm = pd.DataFrame(
        {
            "客户编号": [f"{i:04d}" for i in range(1, 60)],
            "注册日期": [
                f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/2022" for _ in range(59)
            ],
            "月费": [f"{x:.2f}".replace(".", ",") for x in rng.uniform(5, 99, 59)],
            "是否流失": rng.choice(["是", "否"], 59),
            "套餐": rng.choice(["基础", "高级"], 59),
        }
    )
    crm.loc[0, "注册日期"] = "25/01/2022"  # at least one day above 12
    crm.to_csv(folder / "客户.csv", index=False, sep=";", encoding="utf-8-sig")
    m = 120
    survey = pd.DataFrame(
        {
            "序号": range(1, m + 1),
            "提交答卷时间": [
                f"2023/6/{rng.integers(1, 29)} 09:{rng.integers(10, 60)}:11" for _ in range(m)
            ],
            "所用时间": [f"{rng.integers(30, 600)}秒" for _ in range(m)],
            "1、您对服务的总体满意度": rng.integers(1, 6, m),
            "Q2": rng.integers(1, 6, m),
            "Q3": rng.integers(1, 6, m),
            "Q4": rng.integers(1, 6, m),
            "您向朋友推荐我们的可能性": rng.integers(0, 8, m),  # 0-7: not an NPS
        }
    )
    survey.loc[[1, 5, 9], "Q2"] = -2
    survey.loc[[2, 4], "Q3"] = -3
    survey.loc[[6], "Q4"] = 99
    survey.to_csv(folder / "问卷.csv", index=False, encoding="utf-8")
    contacts = pd.DataFrame(
        {
            "customer_id": [f"{rng.integers(1, 60):04d}" for _ in range(150)],
            "接触时间": [
                f"{rng.integers(1, 13):02d}/{rng.integers(13, 29):02d}/2023 "
                f"{rng.integers(8, 18)}:15"
                for _ in range(150)
            ],  # month first
            "渠道": rng.choice(["门店", "热线", "网站"], 150),
            "结果": rng.choice(["ok", "ok", "late_within_day", "wrong_answer", "排队超时"], 150),
        }
    )
    with pd.ExcelWriter(folder / "contacts.xlsx") as w:
        pd.DataFrame({"说明": ["导出说明"]}).to_excel(w, sheet_name="说明", index=False)
        contacts.to_excel(w, sheet_name="data", index=False)
    return folder


def test_chinese_exports(chinese_exports):
    draft = draft_config(chinese_exports)
    assert draft.tables == {
        "customers": "客户.csv",
        "transactions": "订单.csv",
        "survey": "问卷.csv",
        "touchpoints": "contacts.xlsx",
    }
    doc = _doc(draft.text)
    _schema_ok(doc)
    _assert_comments(draft.text)
    t = doc["tables"]

    c = t["customers"]
    assert c["sep"] == ";" and c["decimal"] == ","
    assert c["date_format"] == "%d/%m/%Y"
    assert c["columns"] == {
        "customer_id": "客户编号",
        "signup_date": "注册日期",
        "plan": "套餐",
        "monthly_fee": "月费",
        "churned": "是否流失",
    }
    assert c["true_values"] == {"churned": ["是"]} and c["false_values"] == {"churned": ["否"]}

    o = t["transactions"]
    assert o["encoding"] == "gb18030" and o["thousands"] == ","
    assert o["date_format"] == "%Y/%m/%d %H:%M:%S"
    assert o["columns"] == {
        "customer_id": "会员ID",
        "date": "下单时间",
        "amount": "实付金额",
        "order_id": "订单号",
    }
    assert o["drop_rows"] == {"customer_id": "missing"}
    assert re.search(r"customer_id: missing .*# why: 3 of 200 rows have no 会员ID", draft.text)

    s = t["survey"]
    assert s["columns"]["response_id"] == "序号"
    assert s["columns"]["overall_satisfaction"] == "1、您对服务的总体满意度"
    assert "nps" not in s["columns"]
    assert re.search(r"# not mapped: 您向朋友推荐我们的可能性 .*0 … 7.*0-10", draft.text)
    assert s["na_values"] == {"Q2": [-2], "Q3": [-3], "Q4": [99]}
    assert re.search(r"Q2: \[-2\] .*# why: lone code\(s\) -2 × 3", draft.text)
    items = doc["survey"]["items"]
    assert {"Q2", "Q3", "Q4"} <= set(items)
    assert items["Q2"] == {"dimension": "items", "scale": [1, 5]}
    assert doc["survey"]["overall_scale"] == [1, 5]
    assert any("wjx" in x for x in draft.todo)

    tp = t["touchpoints"]
    assert tp["sheet"] == "data"
    assert tp["date_format"] == "%m/%d/%Y %H:%M"
    assert tp["columns"] == {"date": "接触时间", "touchpoint": "渠道", "outcome": "结果"}
    assert doc["sqi"]["extra_weights"] == {"wrong_answer": 1, "排队超时": 1}
    assert any("set their weights" in x for x in draft.todo)


def test_chinese_exports_validate(chinese_exports):
    write_draft(chinese_exports)
    report = cxreport.validate(chinese_exports)
    assert report.ok, report.format()


def test_ambiguous_dates_and_nps(tmp_path):
    rng = np.random.default_rng(2)
    pd.DataFrame(
        {
            "ResponseID": [f"r{i}" for i in range(60)],
            "Date": [
                f"{rng.integers(1, 13):02d}/{rng.integers(1, 13):02d}/2024" for _ in range(60)
            ],
            "How likely are you to recommend us?": rng.integers(0, 11, 60),
            "REL1": rng.integers(1, 8, 60),
            "REL2": rng.integers(1, 8, 60),
            "RESP1": rng.integers(1, 8, 60),
        }
    ).to_csv(tmp_path / "survey_export.csv", index=False)
    draft = draft_config(tmp_path)
    doc = _doc(draft.text)
    _schema_ok(doc)
    s = doc["tables"]["survey"]
    assert s["columns"]["nps"] == "How likely are you to recommend us?"
    assert s["date_format"] == "%d/%m/%Y"
    assert "AMBIGUOUS" in draft.text
    assert any("ambiguous" in x for x in draft.todo)
    items = doc["survey"]["items"]
    assert items["REL1"]["dimension"] == items["REL2"]["dimension"] == "rel"
    assert items["RESP1"]["dimension"] == "items"  # a prefix of one item is no dimension


def test_qualtrics_header_rows(tmp_path):
    rows = [
        ["StartDate", "ResponseId", "Q1", "Q2", "Q3"],
        ["Start Date", "Response ID", "How was it?", "Speed?", "Cleanliness?"],
        [
            '{"ImportId":"startDate"}',
            '{"ImportId":"_recordId"}',
            '{"ImportId":"QID1"}',
            '{"ImportId":"QID2"}',
            '{"ImportId":"QID3"}',
        ],
    ]
    rows += [
        [f"2024-01-{d:02d} 10:00:00", f"R_{d}", d % 5 + 1, (d * 3) % 5 + 1, (d * 7) % 5 + 1]
        for d in range(1, 29)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "qualtrics.csv", index=False, header=False)
    draft = draft_config(tmp_path)
    doc = _doc(draft.text)
    _schema_ok(doc)
    assert doc["tables"]["survey"]["header_rows"] == 3
    assert doc["survey"]["items"]["Q1"]["text"] == "How was it?"
    write_draft(tmp_path)
    report = cxreport.validate(tmp_path)
    assert report.ok, report.format()


def test_yaml_scalars_are_quoted_when_needed():
    for text in [
        "Yes",
        "No",
        "on",
        "OFF",
        "null",
        "0012",
        "1.5",
        "2024-01-01",
        "a: b",
        "#x",
        "Ticket #",
        "-2",
        "",
        " padded ",
        "[x]",
        "%d/%m/%Y",
        "Quantity * UnitPrice",
        "客户编号",
        "Customer ID",
        "Month-to-month",
    ]:
        shown = draft_mod._s(text)
        assert yaml.safe_load(f"k: {shown}")["k"] == text, shown
        assert yaml.safe_load(f"k: [{shown}]")["k"] == [text], shown
    assert draft_mod._s("Customer ID") == "Customer ID"
    assert draft_mod._s("Yes") == '"Yes"'
    assert draft_mod._s(99.0) == "99"


def test_odd_names_stay_valid_yaml(tmp_path):
    pd.DataFrame(
        {
            "Customer\nID": ["a\u2028x", "b"],
            "Churn": ["Yes", "No"],
            "odd\x85col #": ["x", "y"],
            "On": ["1", "2"],
        }
    ).to_csv(tmp_path / "customers export.csv", index=False)
    draft = draft_config(tmp_path)
    doc = _doc(draft.text)
    assert doc["tables"]["customers"]["columns"]["customer_id"] == "Customer\nID"
    assert all(
        ln.startswith(("#", " ", "tables", "survey", "sqi")) for ln in draft.text.splitlines()
    )


def test_date_order_decided_beyond_the_sniffed_rows(tmp_path):
    n = draft_mod.SNIFF_ROWS + 1000
    dates = [f"{i % 12 + 1:02d}/{i % 12 + 1:02d}/2023" for i in range(n)]
    dates[-1] = "25/03/2023"  # the only day above 12 comes after the rows sniffed
    pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "signup_date": dates}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    draft = draft_config(tmp_path)
    assert _doc(draft.text)["tables"]["customers"]["date_format"] == "%d/%m/%Y"
    assert "AMBIGUOUS" not in draft.text and "e.g. 25/03/2023" in draft.text
