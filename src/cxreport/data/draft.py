"""Drafting a data folder's ``cxreport.yaml`` from the files it holds (``cxreport init``).

>>> draft = draft_config("exports/")         # look at every data file, decide nothing on disk
>>> print(draft.text)                        # the YAML, each guess with a "# why:" comment
>>> path, draft = write_draft("exports/")    # the same, written to exports/cxreport.yaml

Each file is sniffed from its first :data:`SNIFF_ROWS` rows, read with the folder reader's own
pieces (:mod:`cxreport.data.readers`). It is read in full, once, only where a complete answer
matters: the codes of a yes/no column, the failure types of the touchpoints, blank identifiers,
an ambiguous date order. The file's name and its columns decide which contract table it holds;
column names are matched against English and Chinese synonyms of the contract's names. The
draft is not validated here: ``cxreport init`` runs :func:`cxreport.validate` on the folder
afterwards and prints what is still needed.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import ConfigError, CxReportError
from .config import CONFIG_NAMES, default_sqi
from .contract import EODC_STAGES, TABLES
from .readers import (
    CJK,
    EXCEL,
    SUFFIXES,
    ReadError,
    decode,
    default_sep,
    from_grid,
    parse_csv,
    read_bytes,
    read_parquet,
    read_sav,
    read_sheet,
    sheet_names,
)

#: Rows read from each file (or sheet) to sniff it.
SNIFF_ROWS = 5000
#: Bytes of a text file decoded for sniffing.
SNIFF_BYTES = 8_000_000
#: Lines read for those rows: up to 3 header lines, and one more to tell whether rows were left.
_SNIFF_LINES = SNIFF_ROWS + 4
#: Missing-value codes looked for in numeric columns.
NA_CODES = (-999, -99, -9, -3, -2, -1, 99, 999, 9999)


@dataclass
class Draft:
    """A drafted ``cxreport.yaml``.

    Attributes
    ----------
    text : str
        The YAML, with a ``# why: ...`` comment on every guess and its evidence.
    tables : dict of str to str
        Contract table -> the file chosen for it.
    todo : list of str
        What the draft could not decide, in plain words.
    """

    text: str
    tables: dict[str, str]
    todo: list[str]


# --- names -----------------------------------------------------------------------------------


def _norm(name) -> str:
    """``"Customer ID"``, ``"customer_id"``, ``"CustomerID"`` → ``"customerid"``."""
    return re.sub(r"[\s_\-.#/\\()（）:：'\"]+", "", str(name).lower())


_CUSTOMER_ID = [
    "customerid",
    "custid",
    "customerno",
    "customernumber",
    "customercode",
    "clientid",
    "clientno",
    "memberid",
    "memberno",
    "userid",
    "accountid",
    "accountno",
    "accountnumber",
    "subscriberid",
    "客户编号",
    "客户id",
    "客户号",
    "客户代码",
    "客户编码",
    "会员id",
    "会员编号",
    "会员号",
    "会员卡号",
    "用户id",
    "用户编号",
    "顾客id",
    "顾客编号",
]

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "customers": {
        "customer_id": _CUSTOMER_ID + ["id"],
        "signup_date": [
            "signupdate",
            "joindate",
            "joined",
            "startdate",
            "registrationdate",
            "registerdate",
            "registered",
            "createdat",
            "createddate",
            "customersince",
            "activationdate",
            "注册日期",
            "注册时间",
            "入网时间",
            "入网日期",
            "开户日期",
            "加入日期",
            "入会日期",
        ],
        "region": [
            "region",
            "area",
            "territory",
            "state",
            "province",
            "地区",
            "区域",
            "省份",
            "大区",
            "省",
        ],
        "channel": [
            "channel",
            "acquisitionchannel",
            "saleschannel",
            "source",
            "渠道",
            "获客渠道",
            "来源",
        ],
        "plan": [
            "plan",
            "contract",
            "contracttype",
            "tariff",
            "package",
            "subscription",
            "priceplan",
            "套餐",
            "合约",
            "资费",
            "套餐类型",
        ],
        "monthly_fee": [
            "monthlycharges",
            "monthlycharge",
            "monthlyfee",
            "monthlyprice",
            "monthlyamount",
            "mrc",
            "月费",
            "月租",
            "月租费",
            "月消费",
        ],
        "churned": [
            "churn",
            "churnlabel",
            "churned",
            "churnflag",
            "churnvalue",
            "exited",
            "attrition",
            "attritionflag",
            "是否流失",
            "流失",
            "流失标志",
            "是否离网",
        ],
        "churn_date": [
            "churndate",
            "enddate",
            "canceldate",
            "cancellationdate",
            "terminationdate",
            "leavedate",
            "流失日期",
            "离网日期",
            "离网时间",
            "注销日期",
        ],
    },
    "transactions": {
        "customer_id": _CUSTOMER_ID,
        "date": [
            "date",
            "invoicedate",
            "orderdate",
            "transactiondate",
            "purchasedate",
            "saledate",
            "paymentdate",
            "orderdatetime",
            "日期",
            "下单时间",
            "下单日期",
            "订单日期",
            "交易日期",
            "交易时间",
            "支付时间",
            "付款时间",
            "购买日期",
            "订单时间",
        ],
        "amount": [
            "amount",
            "revenue",
            "sales",
            "salesamount",
            "total",
            "totalamount",
            "totalprice",
            "value",
            "dollarvalue",
            "linevalue",
            "linetotal",
            "netamount",
            "金额",
            "实付金额",
            "订单金额",
            "销售额",
            "支付金额",
            "交易金额",
            "实收金额",
            "消费金额",
            "应付金额",
            "总金额",
            "总价",
        ],
        "order_id": [
            "orderid",
            "invoiceno",
            "invoice",
            "invoiceid",
            "invoicenumber",
            "orderno",
            "ordernumber",
            "transactionid",
            "receiptno",
            "订单号",
            "订单编号",
            "单号",
            "交易号",
            "流水号",
        ],
        "category": [
            "category",
            "productcategory",
            "productline",
            "品类",
            "类别",
            "商品类别",
            "分类",
            "产品类别",
        ],
    },
    "survey": {
        "response_id": [
            "responseid",
            "respondentid",
            "respid",
            "answerid",
            "序号",
            "答卷编号",
            "答卷id",
        ],
        "customer_id": _CUSTOMER_ID,
        "date": [
            "date",
            "submitdate",
            "recordeddate",
            "enddate",
            "responsedate",
            "startdate",
            "提交答卷时间",
            "提交时间",
            "答题时间",
            "日期",
        ],
        "nps": [],  # by the rule of _nps, not by a name list
        "overall_satisfaction": [
            "overallsatisfaction",
            "osat",
            "satisfaction",
            "overall",
            "csat",
            "总体满意度",
            "整体满意度",
            "满意度",
            "总体满意",
        ],
        "touchpoint": ["touchpoint", "channel", "接触点", "触点", "渠道"],
        "duration": [
            "duration",
            "durationinseconds",
            "durationseconds",
            "timetaken",
            "所用时间",
            "答题时长",
            "用时",
        ],
        "ip": ["ip", "ipaddress", "来自ip", "来源ip", "ip地址"],
    },
    "touchpoints": {
        "customer_id": _CUSTOMER_ID,
        "date": [
            "date",
            "datetime",
            "timestamp",
            "time",
            "contactdate",
            "contacttime",
            "eventtime",
            "eventdate",
            "日期",
            "时间",
            "接触时间",
            "发生时间",
        ],
        "touchpoint": [
            "touchpoint",
            "point",
            "contactpoint",
            "channel",
            "contacttype",
            "接触点",
            "触点",
            "渠道",
        ],
        "stage": ["stage", "eodc", "eodcstage", "phase", "阶段"],
        "outcome": ["outcome", "result", "failure", "failuretype", "status", "结果", "状态"],
    },
    "complaints": {
        "complaint_id": [
            "complaintid",
            "ticket",
            "ticketid",
            "ticketno",
            "ticketnumber",
            "caseid",
            "caseno",
            "casenumber",
            "case",
            "投诉编号",
            "投诉单号",
            "工单号",
            "工单编号",
            "案件编号",
        ],
        "customer_id": _CUSTOMER_ID,
        "opened": [
            "opened",
            "opendate",
            "openedat",
            "date",
            "createddate",
            "created",
            "reportdate",
            "receiveddate",
            "complaintdate",
            "投诉日期",
            "投诉时间",
            "受理时间",
            "受理日期",
            "创建时间",
            "日期",
        ],
        "resolved": [
            "resolved",
            "resolveddate",
            "closeddate",
            "closedate",
            "closed",
            "solveddate",
            "resolutiondate",
            "解决日期",
            "解决时间",
            "结案时间",
            "结案日期",
            "关闭时间",
        ],
        "category": [
            "category",
            "type",
            "complainttype",
            "issuetype",
            "issue",
            "topic",
            "投诉类别",
            "投诉类型",
            "类别",
            "类型",
            "问题类型",
        ],
        "channel": ["channel", "receivedvia", "source", "via", "渠道", "投诉渠道", "来源"],
        "reopened": ["reopened", "reopen", "isreopened", "重开", "是否重开"],
        "satisfaction_after": ["satisfactionafter", "satisfaction", "csat", "回访满意度", "满意度"],
        "text": [
            "text",
            "customercomplaint",
            "complaint",
            "description",
            "comment",
            "comments",
            "details",
            "content",
            "投诉内容",
            "内容",
            "描述",
            "问题描述",
        ],
    },
    "self_assessment": {
        "respondent_id": [
            "respondentid",
            "respondent",
            "staffid",
            "employeeid",
            "员工编号",
            "工号",
        ],
        "department": ["department", "dept", "部门"],
        "item": ["item", "itemcode", "题目", "题号"],
        "score": ["score", "rating", "得分", "分数"],
        "date": ["date", "日期"],
    },
    "swot_factors": {
        "kind": ["kind", "type", "swot", "类型"],
        "factor": ["factor", "description", "因素"],
        "weight": ["weight", "权重"],
        "rating": ["rating", "score", "评分"],
    },
    "swot_pairwise": {
        "group": ["group", "组"],
        "a": ["a", "factora", "left"],
        "b": ["b", "factorb", "right"],
        "value": ["value", "ratio", "judgement", "judgment", "比较值"],
    },
    "targets": {
        "dimension": ["dimension", "维度"],
        "target": ["target", "benchmark", "目标", "目标值"],
        "label": ["label", "标签", "说明"],
    },
}
_QUANTITY = ["quantity", "qty", "units", "numberofunits", "数量", "购买数量", "件数"]
_UNIT_PRICE = ["unitprice", "price", "priceeach", "unitcost", "单价", "价格", "售价"]

#: Words in a file name that point at a table (English words match the start of a word).
KEYWORDS: dict[str, list[str]] = {
    "customers": [
        "customer",
        "client",
        "crm",
        "member",
        "user",
        "account",
        "churn",
        "subscriber",
        "客户",
        "会员",
        "用户",
        "顾客",
    ],
    "transactions": [
        "order",
        "transaction",
        "invoice",
        "sale",
        "purchase",
        "retail",
        "payment",
        "receipt",
        "订单",
        "交易",
        "销售",
        "流水",
        "购买",
    ],
    "survey": [
        "survey",
        "questionnaire",
        "response",
        "feedback",
        "nps",
        "csat",
        "问卷",
        "调查",
        "调研",
        "满意度",
    ],
    "complaints": ["complaint", "ticket", "case", "投诉", "工单", "申诉"],
    "touchpoints": [
        "touchpoint",
        "contact",
        "interaction",
        "journey",
        "event",
        "visit",
        "接触",
        "触点",
        "互动",
    ],
    "self_assessment": ["self", "assessment", "自评", "自我评估"],
    "swot_factors": ["swot", "factor"],
    "swot_pairwise": ["pairwise", "ahp", "comparison"],
    "targets": ["target", "benchmark", "goal", "目标"],
}
#: Prefixes of well-known item codes → dimension.
_DIMENSIONS = {
    "T": "tangibles",
    "R": "reliability",
    "SP": "responsiveness",
    "A": "assurance",
    "E": "empathy",
    "IMAG": "image",
    "CUEX": "expectation",
    "PERQ": "quality",
    "PERV": "value",
    "CUSA": "satisfaction",
    "CUSCO": "complaints",
    "CUSL": "loyalty",
}
_TRUE = {
    "yes",
    "y",
    "true",
    "t",
    "1",
    "是",
    "churned",
    "churn",
    "流失",
    "已流失",
    "left",
    "exited",
    "cancelled",
    "canceled",
    "inactive",
    "lost",
    "reopened",
    "离网",
}
_FALSE = {
    "no",
    "n",
    "false",
    "f",
    "0",
    "否",
    "stayed",
    "active",
    "retained",
    "未流失",
    "留存",
    "在网",
    "current",
    "existing",
}
_NOT_ITEM = re.compile(
    r"(^|[^a-z])(id|no|age|year|count|zip|code)$|编号|序号|年龄|时间|时长|"
    r"duration|time|date|日期|人数|金额|price|amount|quantity",
    re.I,
)


def _tokens(stem: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", stem).lower()
    return [t for t in re.split(r"[^0-9a-z\u3400-\u9fff]+", spaced) if t]


def _name_score(table: str, stem: str) -> int:
    """3: the file is named after the table; 1: its name mentions it; 0: neither."""
    n = _norm(stem)
    if n in (_norm(table), _norm(table).rstrip("s")):
        return 3
    toks = _tokens(stem)
    for kw in KEYWORDS[table]:
        if CJK.search(kw):
            if kw in stem:
                return 1
        elif any(t.startswith(kw) for t in toks):
            return 1
    return 0


# --- YAML scalars ------------------------------------------------------------------------------

#: Text YAML may read unquoted (the scalar still has to read back as itself).
_PLAIN = re.compile(r"[A-Za-z\u00c0-\uffff][\w\u00c0-\uffff .()+*/-]*")
#: Characters YAML does not allow raw in a file (or reads as a line break).
_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)


def _c(text: str) -> str:
    """Text for a comment: one line, only characters YAML accepts."""
    return _BAD.sub("?", re.sub(r"\s+", " ", str(text))).strip()


def _s(v) -> str:
    """A YAML scalar, quoted whenever YAML would read it as anything but this text."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return str(int(v)) if v.is_integer() else repr(v)
    v = str(v)
    if (
        _PLAIN.fullmatch(v)
        and not v.endswith(" ")
        and not _BAD.search(v)
        and yaml.safe_load(v) == v
    ):
        return v
    return _BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(v, ensure_ascii=False))


def _flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_s(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _s(v)


def _line(indent: int, key, value=None, why: str | None = None) -> str:
    """``key: value  # why: ...``; without a value, the head of a block."""
    return _why("  " * indent + _s(key) + ":" + ("" if value is None else " " + value), why)


def _item(value: str, why: str | None = None) -> str:
    """An entry of a list under a table's key (``files:``, ``join:``)."""
    return _why(f"      - {value}", why)


def _why(text: str, why: str | None) -> str:
    return text.ljust(40) + "  # why: " + _c(why) if why else text


def _ex(values, n: int = 3) -> str:
    """A few distinct example values for a comment: ``7590-VHVEG, 5575-GNVDE, 3668-QPYBK``."""
    shown = dict.fromkeys(_show(x) for x in islice(values, 500))
    return ", ".join(v if len(v) <= 30 else v[:27] + "..." for v in list(shown)[:n])


def _span(num: pd.Series) -> str:
    return f"{_show(num.min())} … {_show(num.max())}"


def _listing(names: list[str], n: int) -> str:
    return ", ".join(names[:n]) + (" ..." if len(names) > n else "")


def _show(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if v == v.normalize() else str(v)
    return str(v)


def _n(x: int) -> str:
    return f"{x:,}"


# --- reading -------------------------------------------------------------------------------------
# The readers' pieces make the sniffed rows the rows `cxreport validate` will see; only the
# guesses are made here: a text file's encoding and delimiter, its header lines, the sheet.


def _suffix(path: Path) -> str | None:
    """The data-file suffix of a name (``.csv.gz`` for ``orders.csv.gz``), None if it has none."""
    name = path.name.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


@dataclass
class _Source:
    """One data file (or the chosen sheet of a workbook) as sniffed."""

    path: Path
    rel: str
    frame: pd.DataFrame | None = None
    more: bool = False  # the file has rows beyond those read
    sheet: object = None  # written as sheet: when the workbook has several
    encoding: str | None = None  # written when not UTF-8
    sep: str | None = None  # written when not the suffix's default
    header_rows: int = 1
    header_combine: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # key -> why
    labels: dict[str, str] = field(default_factory=dict)  # column -> question text
    error: str | None = None
    _whole: pd.DataFrame | None = None  # every row, read on the first call of full()
    _cache: dict = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.path.name[: -len(_suffix(self.path))]

    @property
    def columns(self) -> list[str]:
        return [] if self.frame is None else list(self.frame.columns)

    @property
    def rows_read(self) -> str:
        n = 0 if self.frame is None else len(self.frame)
        return f"first {_n(n)} rows read" if self.more else f"{_n(n)} rows"

    def col(self, name: str) -> pd.Series:
        return self.frame[name]

    def full(self, name: str) -> pd.Series:
        """The whole column, not only the sniffed rows."""
        if not self.more:
            return self.frame[name]
        if self._whole is None:
            try:
                self._whole = self._read_whole()
            except Exception:  # a file that cannot be read in full: the sniffed rows will do
                self._whole = self.frame
        return self._whole[name]

    def _read_whole(self) -> pd.DataFrame:
        sfx = self.path.suffix.lower()
        if sfx == ".parquet":
            return read_parquet(self.path)[0]
        if sfx == ".sav":
            return read_sav(self.path)[0]
        if sfx in EXCEL:
            names = sheet_names(self.path)
            wanted = {"*": names, None: names[:1]}.get(self.sheet, [self.sheet])
            grid = _stack([read_sheet(self.path, n) for n in wanted], self.header_rows)
        else:
            text, _ = decode(read_bytes(self.path)[0], self.encoding or "utf-8-sig")
            grid = parse_csv(text, self.sep or default_sep(self.path))
        return from_grid(grid, self.header_rows, self.header_combine)


def _stack(grids: list[pd.DataFrame], header_rows: int) -> pd.DataFrame:
    """Sheets of one table as one grid: the first whole, the others without their header."""
    return pd.concat([grids[0], *(g.iloc[header_rows:] for g in grids[1:])], ignore_index=True)


def _decode(raw: bytes) -> tuple[str, str | None, str]:
    """Text, the encoding to declare (None for UTF-8) and why."""
    try:
        text, used = decode(raw)
    except ReadError as exc:  # the folder reader would refuse it: declaring cp1252 is a guess
        return (
            raw.decode("cp1252", errors="replace"),
            "cp1252",
            (f"{exc.rule}; cp1252 (Western Windows) is a guess"),
        )
    if used != "gb18030":
        return text, None, ""
    sample = "".join(CJK.findall(text))[:12]
    return text, "gb18030", f"not UTF-8; it reads as GB18030 (GBK) Chinese, e.g. {sample}"


def _sniff_sep(text: str, default: str) -> tuple[str, str]:
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    if not lines:
        return default, ""
    best, best_n = None, 1
    for d in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        mode = max(set(counts), key=counts.count)
        if mode > best_n and counts.count(mode) >= 0.8 * len(counts):
            best, best_n = d, mode
    if best is None:
        counts = [len(ln.split()) for ln in lines]
        mode = max(set(counts), key=counts.count)
        if mode > 1 and counts.count(mode) >= 0.9 * len(counts):
            return r"\s+", f"columns are separated by spaces ({mode} per line)"
        return default, ""
    names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
    return best, f"{best_n} columns separated by {names[best]} on most lines"


def _header_kind(grid: pd.DataFrame) -> tuple[int, bool, str]:
    """Qualtrics (3 header lines) and SurveyMonkey (2, combined) exports."""
    if len(grid) > 3:
        row2 = grid.iloc[2].astype(str)
        if row2.str.startswith('{"ImportId"').sum() >= 1:
            return (
                3,
                False,
                (
                    'line 3 holds Qualtrics\' {"ImportId": ...} cells (a Qualtrics '
                    "export: codes, question text, import ids)"
                ),
            )
        row1 = grid.iloc[1].astype(str).str.strip()
        if row1.isin(["Response", "Open-Ended Response"]).sum() >= 2:
            return (
                2,
                True,
                (
                    "line 2 holds 'Response' / 'Open-Ended Response' under the "
                    "questions (a SurveyMonkey export)"
                ),
            )
    return 1, False, ""


def _finish(src: _Source, grids: list[pd.DataFrame]) -> None:
    """The sniffed table from grids read without a header (the sheets of one table)."""
    rows, combine, why = _header_kind(grids[0])
    if rows > 1:
        src.header_rows, src.header_combine = rows, combine
        src.notes["header_rows"] = why
    grid = _stack(grids, rows)
    if len(grid) > SNIFF_ROWS + rows:
        src.more = True
        grid = grid.iloc[: SNIFF_ROWS + rows]
    src.frame = from_grid(grid, rows, combine)
    if rows == 3 and not combine:  # Qualtrics: the second line is the question text
        texts = grid.iloc[1].tolist()
        src.labels = {
            c: str(t).strip()
            for c, t in zip(src.frame.columns, texts, strict=False)
            if isinstance(t, str) and t.strip() and t.strip() != c
        }


def _sniff_text(src: _Source) -> None:
    raw, src.more = read_bytes(src.path, SNIFF_BYTES)
    text, enc, why = _decode(raw)
    if enc:
        src.encoding, src.notes["encoding"] = enc, why
    if not text.strip():
        src.error = "the file is empty"
        return
    default = default_sep(src.path)
    sep, why = _sniff_sep(text, default)
    if sep != default:
        src.sep, src.notes["sep"] = sep, why
    _finish(src, [parse_csv(text, sep, nrows=_SNIFF_LINES, on_bad_lines="skip")])


def _sniff_excel(src: _Source) -> None:
    names = sheet_names(src.path)
    raw = {n: read_sheet(src.path, n, _SNIFF_LINES) for n in names}
    filled = {n: g.dropna(how="all").dropna(axis=1, how="all") for n, g in raw.items()}
    grids = {n: g for n, g in filled.items() if len(g) >= 2}  # a header and a row at least
    if not grids:
        src.error = "every sheet is empty" if names else "the workbook has no sheets"
        return
    pick = names[0]
    if len(names) > 1:
        heads = {n: tuple(str(v).strip() for v in g.iloc[0]) for n, g in grids.items()}
        if len(grids) == len(names) and len(set(heads.values())) == 1:
            src.sheet = "*"
            src.notes["sheet"] = (
                f"all {len(names)} sheets ({', '.join(names)}) have the same "
                f"header, so they are read as one table"
            )
            _finish(src, list(raw.values()))
            return
        skip = re.compile(r"readme|note|info|about|说明|备注|目录|封面|cover|legend|meta", re.I)
        ranked = sorted(
            grids,
            key=lambda n: (not skip.search(n), grids[n].shape[0] * grids[n].shape[1]),
            reverse=True,
        )
        pick = ranked[0]
        others = (
            "; ".join(
                f"{n}: {_n(grids[n].shape[0] - 1)} rows × {grids[n].shape[1]}" for n in ranked[1:]
            )
            or "the others are empty"
        )
        src.sheet = pick
        src.notes["sheet"] = (
            f"the largest table: {_n(grids[pick].shape[0] - 1)} rows × "
            f"{grids[pick].shape[1]} columns (other sheets: {others})"
        )
    _finish(src, [raw[pick]])


def _sniff_parquet(src: _Source) -> None:
    src.frame, total = read_parquet(src.path, SNIFF_ROWS)
    src.more = total > len(src.frame)


def _sniff_sav(src: _Source) -> None:
    src.frame, meta = read_sav(src.path, SNIFF_ROWS)
    total = getattr(meta, "number_rows", None)
    src.more = total is None or total > len(src.frame)
    src.labels = {k: str(v) for k, v in (meta.column_names_to_labels or {}).items() if v}


def _sniff(path: Path, folder: Path) -> _Source:
    src = _Source(path, path.name if path.parent == folder else str(path))
    sfx = path.suffix.lower()
    sniff = (
        _sniff_excel
        if sfx in EXCEL
        else {".parquet": _sniff_parquet, ".sav": _sniff_sav}.get(sfx, _sniff_text)
    )
    try:
        sniff(src)
    except ReadError as exc:
        src.error = exc.rule
    except Exception as exc:  # any other reader error: the file is listed as unreadable
        src.error = f"cannot be read ({type(exc).__name__}: {str(exc)[:120]})"
    if src.error is None and (src.frame is None or src.frame.empty):
        src.error = "has a header but no rows"
    return src


# --- column content ------------------------------------------------------------------------------


def _strings(s: pd.Series) -> pd.Series:
    return s.dropna().map(_show)


def _numbers(s: pd.Series, thousands: str | None = None, decimal: str = ".") -> pd.Series | None:
    """The column as floats, or None when a non-blank cell is not a number."""
    v = s.dropna()
    if not len(v) or pd.api.types.is_bool_dtype(v):
        return None
    if pd.api.types.is_numeric_dtype(v):
        return v.astype(float)
    if v.dtype == object and any(isinstance(x, (bool, pd.Timestamp)) for x in v.iloc[:50]):
        return None
    text = v.astype(str).str.strip()
    if thousands:
        text = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    out = pd.to_numeric(text, errors="coerce")
    return None if out.isna().any() else out.astype(float)


def _integral(num: pd.Series) -> bool:
    return bool((num == np.round(num)).all())


_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_OR_COMMA = re.compile(r"^-?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$")
_EURO = re.compile(r"^-?(\d{1,3}(\.\d{3})*|\d+)(,\d+)?$")


def _number_style(s: pd.Series) -> tuple[str | None, str] | None:
    """(thousands, decimal) when text numbers use separators; None when plain or not numbers."""
    v = s.dropna()
    if not len(v) or pd.api.types.is_numeric_dtype(v):
        return None
    text = v.map(str).str.strip()
    if text.str.match(_PLAIN_OR_COMMA).all() and text.str.match(_THOUSANDS_COMMA).any():
        return ",", "."
    if text.str.match(_EURO).all() and text.str.contains(",", regex=False).any():
        return ("." if text.str.contains(".", regex=False).any() else None), ","
    return None


_DATE_RX = re.compile(
    r"^(\d{1,4})([-/.])(\d{1,2}|[A-Za-z]{3})\2(\d{1,4})"
    r"(?:[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*([AaPp][Mm])?)?$"
)
_CN_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日")


@dataclass
class _DateInfo:
    fmt: str | None  # None: ISO, YYYYMMDD or real date cells
    why: str
    ambiguous: bool = False


def _date_info(s: pd.Series, full: pd.Series | None = None) -> _DateInfo | None:
    """How a column's dates are written, or None when it does not hold dates."""
    v = s.dropna()
    if not len(v):
        return None
    if pd.api.types.is_datetime64_any_dtype(v):
        return _DateInfo(None, f"date cells {_span(v)}")
    if pd.api.types.is_numeric_dtype(v):
        text = v.astype("Int64").astype(str) if _integral(v) else None
        if text is None or not text.str.fullmatch(r"(19|20)\d{6}").all():
            return None
    else:
        if v.map(lambda x: isinstance(x, pd.Timestamp)).all():
            return _DateInfo(None, "date cells")
        text = v.map(str).str.strip()
    iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if iso.notna().all() and text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}").all():
        return _DateInfo(None, f"ISO dates {_span(iso)}")
    if text.str.fullmatch(r"\d{8}").all():
        compact = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        if compact.notna().all():
            return _DateInfo(None, f"YYYYMMDD dates, e.g. {_ex(text, 2)}")
    if text.str.match(_CN_DATE).all():
        fmt = "%Y年%m月%d日"
        rest = text.str.replace(_CN_DATE, "", regex=True).str.strip()
        if rest.str.fullmatch(r"\d{1,2}:\d{2}:\d{2}").all():
            fmt += " %H:%M:%S"
        elif rest.str.fullmatch(r"\d{1,2}:\d{2}").all():
            fmt += " %H:%M"
        if pd.to_datetime(text, format=fmt, errors="coerce").notna().all():
            return _DateInfo(fmt, f"dates written like {_ex(text, 2)}")
        return None
    parts = text.str.extract(_DATE_RX)
    if parts[0].isna().any():
        return None
    sep = parts[1].iloc[0]
    if not (parts[1] == sep).all():
        return None
    a, _, b, c, time, ampm = (parts[i] for i in range(6))
    year = "%Y" if (c.str.len() == 4).all() else "%y"
    ambiguous = False
    if (a.str.len() == 4).all():
        fmt = f"%Y{sep}%m{sep}%d"
        why = f"dates written year first, e.g. {_ex(text, 2)}"
    elif b.str.isalpha().all():
        fmt = f"%d{sep}%b{sep}{year}"
        why = f"dates written day, month name, year, e.g. {_ex(text, 2)}"
    else:
        seen = text  # the day-or-month order is decided on the whole column when there is one
        if full is not None and len(full.dropna()) > len(v):
            whole = full.dropna().map(str).str.strip()
            more = whole.str.extract(_DATE_RX)
            if more[0].notna().all():
                a, b, seen = more[0], more[2], whole
        ai, bi = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        if ai.isna().any() or bi.isna().any():
            return None
        n_a, n_b = int((ai > 12).sum()), int((bi > 12).sum())
        if n_a and not n_b:
            fmt = f"%d{sep}%m{sep}{year}"
            why = (
                f"day first: the first number is above 12 in {_n(n_a)} values (e.g. "
                f"{_ex(seen[ai.values > 12], 2)}), the second never"
            )
        elif n_b and not n_a:
            fmt = f"%m{sep}%d{sep}{year}"
            why = (
                f"month first: the second number is above 12 in {_n(n_b)} values (e.g. "
                f"{_ex(seen[bi.values > 12], 2)}), the first never"
            )
        elif not n_a and not n_b:
            fmt = f"%d{sep}%m{sep}{year}"
            why = (
                f"AMBIGUOUS: no number above 12 in {_n(len(ai))} values (e.g. "
                f"{_ex(text, 2)}), so day first is only a guess; check it"
            )
            ambiguous = True
        else:
            return None
    if time.notna().any():
        if not time.notna().all():
            return None
        secs = time.str.count(":").eq(2).all()
        if ampm.notna().all():
            fmt += " %I:%M:%S %p" if secs else " %I:%M %p"
        elif ampm.isna().all():
            fmt += " %H:%M:%S" if secs else " %H:%M"
        else:
            return None
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if parsed.isna().any():
        return None
    return _DateInfo(fmt, why, ambiguous)


def _na_codes(s: pd.Series) -> dict[float, int]:
    """Lone missing-value codes of a numeric column (-99, 999, 问卷星 -2/-3, ...) and counts."""
    v = _numbers(s)
    if v is None or len(v) < 5:
        return {}
    present = [c for c in NA_CODES if (v == c).any()]
    if not present:
        return {}
    others = v[~v.isin(present)]
    if len(others) < 3:
        return {}
    lo, hi = others.min(), others.max()
    integer = _integral(others)
    few = others.nunique() <= 11
    out = {}
    for c in present:
        if c < 0 and lo < 0:
            continue
        if c > 0 and not hi <= c / 2:
            continue
        if c in (-1, -2, -3) and not (integer and few):
            continue
        out[float(c)] = int((v == c).sum())
    return out


# --- mapping the columns of one table --------------------------------------------------------


@dataclass
class _Pick:
    source: str  # the file's column
    why: str


class _Pool:
    """The columns a table can draw on: its file's, then those of the files joined to it.
    What is learnt about a column (its numbers, its missing-value codes) is kept on its file,
    as every table is tried on every file."""

    def __init__(self, sources: list[_Source]):
        self.owner: dict[str, _Source] = {}
        for src in sources:
            for c in src.columns:
                self.owner.setdefault(c, src)

    @property
    def columns(self) -> list[str]:
        return list(self.owner)

    def _kept(self, what: str, c: str, find):
        cache = self.owner[c]._cache
        if (what, c) not in cache:
            cache[(what, c)] = find()
        return cache[(what, c)]

    def na(self, c: str) -> dict[float, int]:
        """The column's lone missing-value codes and how often each occurs."""
        return self._kept("na", c, lambda: _na_codes(self.owner[c].col(c)))

    def col(self, c: str) -> pd.Series:
        """The sniffed rows of the column, its missing-value codes blanked."""
        s = self.owner[c].col(c)
        codes = self.na(c)
        if codes:
            num = pd.to_numeric(s.map(lambda x: x if x is None else str(x)), errors="coerce")
            s = s.where(~num.isin(list(codes)), None)
        return s

    def full(self, c: str) -> pd.Series:
        return self.owner[c].full(c)

    def numbers(self, c: str) -> pd.Series | None:
        def find():
            s = self.col(c)
            return _numbers(s, *(_number_style(s) or ()))

        return self._kept("num", c, find)


def _fits(pool: _Pool, table: str, contract: str, col: str) -> str | None:
    """Evidence that ``col`` can be the contract column (None when its cells do not fit)."""
    spec = TABLES[table].column(contract)
    s = pool.col(col)
    v = s.dropna()
    if not len(v):
        return None
    if spec.kind == "id":
        nu = v.nunique()
        if spec.unique and nu < len(v):
            return None
        blank = len(s) - len(v)
        return f"{_n(nu)} distinct values, e.g. {_ex(v)}" + (
            f"; {_n(blank)} blank in the rows read" if blank else ""
        )
    if spec.kind in ("date", "datetime"):
        info = _date_info(s)
        return None if info is None else info.why
    if spec.kind in ("float", "int"):
        num = pool.numbers(col)
        if num is None or (spec.kind == "int" and not _integral(num)):
            return None
        if (spec.min is not None and num.min() < spec.min) or (
            spec.max is not None and num.max() > spec.max
        ):
            return None
        return f"numbers {_span(num)}"
    if spec.kind == "bool":
        vals = _strings(v).value_counts()
        if len(vals) > 3:
            return None
        return "values " + ", ".join(f"{k} {_n(n)}" for k, n in vals.items())
    return f"e.g. {_ex(v)}"


def _find(pool: _Pool, names: list[str], used: set[str]) -> list[str]:
    """The unused columns whose normalised name is one of ``names``, in the order of ``names``."""
    by_norm: dict[str, list[str]] = {}
    for c in pool.columns:
        if c not in used:
            by_norm.setdefault(_norm(c), []).append(c)
    return [c for n in names for c in by_norm.get(n, [])]


def _by_name(pool: _Pool, table: str, contract: str, used: set[str]) -> _Pick | None:
    """The first column named like the contract column whose cells fit it."""
    for col in _find(pool, [_norm(contract), *SYNONYMS[table][contract]], used):
        why = _fits(pool, table, contract, col)
        if why is not None:
            return _Pick(
                col, why if col == contract else f'"{col}" is a usual name for {contract}; {why}'
            )
    return None


_RECOMMEND = re.compile(r"nps|recommend|推荐|likel")


def _nps(pool: _Pool, used: set[str]) -> tuple[_Pick | None, str | None]:
    """The recommend question (0-10); or a note on why a likely column is not mapped."""
    for c in pool.columns:
        if c in used or not _RECOMMEND.search(
            _norm(c) + " " + _norm(pool.owner[c].labels.get(c, ""))
        ):
            continue
        num = pool.numbers(c)
        if num is None or not _integral(num) or num.min() < 0 or num.max() > 10:
            continue
        if num.max() <= 7:
            return None, (
                f"{c} reads like a recommend question, but its answers run "
                f"{_span(num)}: an NPS needs the 0-10 scale, so it is not mapped as "
                f"nps (kept as an item)"
            )
        where = "its name" if _RECOMMEND.search(_norm(c)) else "its label"
        return _Pick(c, f"{where} mentions recommending; whole numbers {_span(num)}"), None
    return None, None


def _overall(pool: _Pool, used: set[str]) -> _Pick | None:
    """A column named as overall satisfaction in other words (总体满意度, Overall Satisfaction)."""
    for c in pool.columns:
        n = _norm(c)
        if c in used or not (
            ("overall" in n and "satisf" in n) or re.search("总体满意|整体满意|总体评价", n)
        ):
            continue
        num = pool.numbers(c)
        if num is not None:
            return _Pick(c, f"the name says overall satisfaction; numbers {_span(num)}")
    return None


def _derive_amount(pool: _Pool, used: set[str]) -> tuple[str, str, str] | None:
    """(quantity, unit price, why) when a file has no amount column but both of those."""
    q, p = (
        next((c for c in _find(pool, names, used) if pool.numbers(c) is not None), None)
        for names in (_QUANTITY, _UNIT_PRICE)
    )
    if not (q and p):
        return None
    qs, ps = pool.numbers(q), pool.numbers(p)
    i = qs.index.intersection(ps.index)[:1]
    example = (
        f"; e.g. {_show(qs[i[0]])} × {_show(ps[i[0]])} = {qs[i[0]] * ps[i[0]]:.2f}"
        if len(i)
        else ""
    )
    return q, p, f"no amount column, but a quantity ({q}) and a unit price ({p}){example}"


@dataclass
class _Mapping:
    picks: dict[str, _Pick] = field(default_factory=dict)  # contract column -> file column
    derive: tuple[str, str, str] | None = None  # (quantity, price, why) for the amount
    notes: list[str] = field(default_factory=list)  # why a likely column is not mapped


def _map(table: str, pool: _Pool) -> _Mapping:
    """Each contract column of ``table`` from a column of the pool (each used at most once)."""
    m = _Mapping()
    used: set[str] = set()
    for contract in SYNONYMS[table]:
        if table == "survey" and contract == "nps":  # by its question, not by a name list
            pick, note = _nps(pool, used)
            m.notes += [note] if note else []
        else:
            pick = _by_name(pool, table, contract, used)
            if pick is None and table == "survey" and contract == "overall_satisfaction":
                pick = _overall(pool, used)
        if pick:
            m.picks[contract] = pick
            used.add(pick.source)
    if table == "transactions" and "amount" not in m.picks:
        m.derive = _derive_amount(pool, used)
    return m


def _score(table: str, src: _Source, pool: _Pool, m: _Mapping) -> tuple[float, bool, str]:
    """(score, eligible, why) of a file holding a table."""
    required = [c.name for c in TABLES[table].columns if c.required]
    hit_req = [c for c in required if c in m.picks or (c == "amount" and m.derive)]
    hit_opt = [c for c in m.picks if c not in required]
    name = _name_score(table, src.stem)
    n_items = len(_items(pool, m)) if table == "survey" else 0
    score = 4 * name + 2 * len(hit_req) + len(hit_opt) + min(n_items, 10) / 2
    complete = len(hit_req) == len(required)
    eligible = name > 0 or (complete and len(hit_req) + len(hit_opt) >= 2) or n_items >= 3
    parts = []
    if name == 3:
        parts.append(f"the file is named after the table ({src.path.name})")
    elif name:
        parts.append(f"its name mentions {table}")
    if hit_req or hit_opt:
        parts.append("columns for " + ", ".join(hit_req + hit_opt))
    if n_items:
        parts.append(f"{n_items} item-like columns")
    parts.append(f"{len(src.columns)} columns, {src.rows_read}")
    return score, eligible, "; ".join(parts)


# --- survey items --------------------------------------------------------------------------------


def _items(pool: _Pool, m: _Mapping) -> dict[str, tuple[int, int, str]]:
    """Item columns → (scale min, scale max, evidence)."""
    used = {p.source for p in m.picks.values()}
    out = {}
    for c in pool.columns:
        if c in used or _NOT_ITEM.search(_norm(c)) or re.search(r"_(exp|imp)$", c):
            continue
        num = pool.numbers(c)
        if num is None or not _integral(num):
            continue
        levels = num.nunique()
        lo, hi = num.min(), num.max()
        if levels < 3 or levels > 11 or lo < 0 or hi > 11:
            continue
        out[c] = _scale_guess(lo, hi, levels)
    return out


def _scale_guess(lo: float, hi: float, levels: int) -> tuple[int, int, str]:
    start = 0 if lo == 0 else 1
    end = next((e for e in (3, 4, 5, 7, 10, 11) if e >= hi), int(hi))
    if start == 0 and end == 11:
        end = 10
    why = f"whole numbers {_show(lo)} … {_show(hi)} ({levels} levels)"
    if (lo, hi) != (start, end):
        why += f"; scale guessed {start}-{end}"
    return start, end, why


def _dimension(code: str, codes: list[str]) -> str:
    if code.upper() in _DIMENSIONS:
        return _DIMENSIONS[code.upper()]
    m = re.match(r"^([A-Za-z]+?)[_\-.]?\d+", code)
    if not m:
        return "items"
    prefix = m.group(1)
    if prefix.upper() in _DIMENSIONS:
        return _DIMENSIONS[prefix.upper()]
    if prefix.lower() in ("q", "question", "item", "v", "var"):
        return "items"
    same = [c for c in codes if re.match(rf"^{re.escape(prefix)}[_\-.]?\d+", c)]
    return prefix.lower() if len(same) >= 2 else "items"


# --- the folder ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    table: str
    main: _Source
    why: str
    concat: list[_Source] = field(default_factory=list)
    joins: list[tuple[_Source, object, str]] = field(default_factory=list)  # (src, on, why)

    @property
    def sources(self) -> list[_Source]:
        """The files whose columns the table draws on (not the appended ones: same columns)."""
        return [self.main, *(j[0] for j in self.joins)]


def _data_files(folder: Path) -> tuple[list[Path], list[str]]:
    files, other = [], []
    for p in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if not p.is_file() or p.name.startswith((".", "~$")) or p.name in CONFIG_NAMES:
            continue
        (files if _suffix(p) else other).append(p)
    return files, [p.name for p in other]


#: The key a second file of a table is joined on.
_KEY = {"customers": "customer_id", "complaints": "complaint_id", "survey": "response_id"}


def _is_unique(src: _Source, col: str) -> bool:
    v = src.col(col).dropna()
    return len(v) > 0 and v.nunique() == len(v)


def _plan(sources: list[_Source]) -> tuple[list[_Plan], list[tuple[_Source, str]]]:
    """The table each readable file holds (best score first), the files appended or joined to
    it, and the files left unused with why."""
    cand = []  # (score, file, table, why) for every table a file could hold
    for src in sources:
        pool = _Pool([src])
        for table in TABLES:
            score, ok, why = _score(table, src, pool, _map(table, pool))
            if ok:
                cand.append((score, src.rel, table, why))
    by_score = sorted(cand, key=lambda c: -c[0])
    best: dict[str, str] = {}  # file -> the table it looks most like
    for _, rel, table, _why in by_score:
        best.setdefault(rel, table)
    by_rel = {s.rel: s for s in sources}
    plans: dict[str, _Plan] = {}
    placed: set[str] = set()
    for _, rel, table, why in sorted(cand, key=lambda c: (-c[0], c[1], c[2])):
        if rel not in placed and table not in plans:
            plans[table] = _Plan(table, by_rel[rel], why)
            placed.add(rel)
    # a file left over is more of a table it looks like (every such table has a plan)
    for src in sources:
        if src.rel not in placed and any(
            _append_or_join(plans[t], src) for _, rel, t, _why in by_score if rel == src.rel
        ):
            placed.add(src.rel)
    # or a file that names the table, or looks most like it, and shares a column with it
    for src in sources:
        if src.rel not in placed and any(
            _join_shared(plan, src)
            for t, plan in plans.items()
            if _name_score(t, src.stem) or best.get(src.rel) == t
        ):
            placed.add(src.rel)
    unused = []
    for src in (s for s in sources if s.rel not in placed):
        table = best.get(src.rel)
        unused.append(
            (
                src,
                f"looks like {table} too, but {table} already uses {plans[table].main.rel}"
                if table
                else f"matches no table of the data contract (columns: {_listing(src.columns, 8)})",
            )
        )
    return sorted(plans.values(), key=lambda p: list(TABLES).index(p.table)), unused


def _append_or_join(plan: _Plan, src: _Source) -> bool:
    """Appended when the file has the same columns; joined when it holds the table's key,
    unique in it."""
    if [_norm(c) for c in src.columns] == [_norm(c) for c in plan.main.columns]:
        plan.concat.append(src)
        return True
    key = _KEY.get(plan.table)
    pick = _map(plan.table, _Pool([plan.main])).picks.get(key) if key else None
    if pick and pick.source in src.columns and _is_unique(src, pick.source):
        plan.joins.append(
            (src, pick.source, f'both files hold "{pick.source}", unique in {src.rel}')
        )
        return True
    return False


def _join_shared(plan: _Plan, src: _Source) -> bool:
    """Joined on a column the table's files have that is unique (and not constant) in it."""
    have = _Pool(plan.sources).owner
    for c in src.columns:
        if c in have and _is_unique(src, c) and src.col(c).nunique() > 1:
            plan.joins.append((src, c, f'"{c}" of {have[c].rel} is unique in {src.rel}'))
            return True
    return False


# --- the draft -----------------------------------------------------------------------------------


def _bool_codes(values: pd.Series) -> tuple[list, list, str] | None:
    """(true codes, false codes, evidence) of a yes/no column, or None when undecidable."""
    counts = values.dropna().map(lambda v: v if isinstance(v, (int, float)) else str(v))
    counts = counts.value_counts()
    codes = list(counts.index)
    low = {c: _show(c).strip().lower() for c in codes}
    if all(v in ("true", "false") for v in low.values()):
        return None
    true = [c for c in codes if low[c] in _TRUE]
    false = [c for c in codes if low[c] in _FALSE]
    if len(codes) == 2 and len(true) + len(false) == 1:
        true = true or [c for c in codes if c not in false]
        false = false or [c for c in codes if c not in true]
    if not true:
        return None
    false = false or [c for c in codes if c not in true]
    seen = ", ".join(f"{_show(k)} {_n(n)}" for k, n in counts.items())
    return true, false, f"codes seen: {seen}"


def _expression(a: str, b: str) -> str:
    def name(c):
        return c if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", c) else f"`{c}`"

    return f"{name(a)} * {name(b)}"


def draft_config(folder: str | Path) -> Draft:
    """Draft a ``cxreport.yaml`` for the data files in ``folder`` (nothing is written).

    Parameters
    ----------
    folder : str or Path
        The data folder. Only its own files are read (not sub-folders).

    Returns
    -------
    Draft
        The YAML text, the file chosen per table and what is still to decide.

    Raises
    ------
    CxReportError
        When the folder does not exist.
    ConfigError
        When it holds no data file (:data:`cxreport.data.readers.SUFFIXES`: .csv, .tsv, .txt,
        each optionally .gz, .parquet, .xlsx, .xlsm, .xls, .ods, .sav).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CxReportError(f"The data folder {folder} does not exist.")
    paths, other = _data_files(folder)
    if not paths:
        found = f" (found only: {', '.join(other[:10])})" if other else " (it is empty)"
        raise ConfigError(
            f"{folder} holds no data file to draft a cxreport.yaml from{found}. Put the "
            f"exports there: {', '.join(SUFFIXES)}."
        )
    sources = [_sniff(p, folder) for p in paths]
    plans, unused = _plan([s for s in sources if not s.error])
    unused = [(s, s.error) for s in sources if s.error] + unused
    todo: list[str] = []
    body: list[str] = []
    survey_lines: list[str] = []
    sqi_lines: list[str] = []
    for plan in plans:
        lines, s_lines, q_lines = _table_lines(plan, todo)
        body += lines
        survey_lines += s_lines
        sqi_lines += q_lines
    todo += [f"{s.rel} {s.error}; fix or remove it, or map it by hand." for s in sources if s.error]
    missing = [
        t
        for t in ("customers", "transactions", "survey", "touchpoints", "complaints")
        if t not in {p.table for p in plans}
    ]
    if missing:
        todo.append(
            f"No file found for {', '.join(missing)}: the analyses that need "
            f"{'it' if len(missing) == 1 else 'them'} will be skipped (map a file under "
            f"tables.<table>.file if you have one)."
        )

    head = [
        "# cxreport.yaml — a draft written by `cxreport init` from the files in this folder.",
        '# Every "why:" comment is a guess with its evidence: check each one, then run',
        '# `cxreport validate` on this folder. Keys: README, "Configuration".',
        f"# Files looked at (the first {_n(SNIFF_ROWS)} rows of each):",
    ]
    chosen = {p.main.rel: p.table for p in plans}
    for p in plans:
        chosen.update({s.rel: f"{p.table} (appended)" for s in p.concat})
        chosen.update({j[0].rel: f"{p.table} (joined)" for j in p.joins})
    for src in sources:
        head.append(f"#   {src.rel} → {chosen.get(src.rel, 'not used')}")
    if unused:
        head.append("# Not used:")
        head += [f"#   {s.rel}: {why}" for s, why in unused]
    if other:
        head.append(f"# Not data files (ignored): {', '.join(other)}")
    if todo:
        head.append("# Still to decide:")
        head += [f"#   - {t}" for t in todo]
    head = [re.match(r"#\s*", h).group() + _c(h[1:]) for h in head]  # data in comments: 1 line
    todo = [_c(t) for t in todo]
    lines = head + (["tables:"] + body if body else ["tables: {}"])
    if any(not ln.lstrip().startswith("#") for ln in survey_lines):
        lines += ["survey:"] + survey_lines
    else:  # only remarks: a bare "survey:" would be null, which the schema refuses
        lines += [ln.strip() for ln in survey_lines]
    if sqi_lines:
        lines += ["sqi:"] + sqi_lines
    text = "\n".join(lines) + "\n"
    tables = {p.table: p.main.rel for p in plans}
    return Draft(text, tables, todo)


def _block(key: str, lines: list[str]) -> list[str]:
    """A table's ``key:`` over its entries; nothing when there are none."""
    return [_line(2, key), *lines] if lines else []


def _table_lines(plan: _Plan, todo: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The table's lines under ``tables:``, and its lines under ``survey:`` and ``sqi:``."""
    table = plan.table
    pool = _Pool(plan.sources)
    m = _map(table, pool)
    spec = TABLES[table]
    kinds = {c: spec.column(c).kind for c in m.picks}
    items = _items(pool, m) if table == "survey" else {}
    # the columns read as numbers: their separators and missing-value codes are declared
    numeric = [p.source for c, p in m.picks.items() if kinds[c] in ("float", "int")]
    numeric += [*items, *(m.derive[:2] if m.derive else ())]
    numeric += [c + sfx for c in items for sfx in ("_exp", "_imp") if c + sfx in pool.owner]
    numeric = list(dict.fromkeys(numeric))

    out = [
        _line(1, table),
        *_reading_lines(plan, todo),
        *_number_lines(pool, numeric),
        *_date_lines(table, pool, m, kinds, todo),
        *_na_lines(pool, numeric),
        *_bool_lines(table, pool, m, kinds, todo),
    ]
    if m.derive:
        q, p, why = m.derive
        expr = _expression(q, p)
        out += _block("derive", [_line(3, "amount", _s(expr), why)])
        if "`" in expr:
            todo.append(f"{table}: check how derive writes column names with spaces ({expr}).")
    out += _block("drop_rows", _drop_lines(spec, pool, m))
    out += _block(
        "join", [_item(_flow({"file": src.rel, "on": on}), why) for src, on, why in plan.joins]
    )
    out += _block(
        "columns", [_line(3, c, _s(p.source), p.why) for c, p in m.picks.items() if p.source != c]
    )
    for c in spec.columns:
        if c.required and c.name not in m.picks and not (c.name == "amount" and m.derive):
            todo.append(
                f"{table}: no column found for the required '{c.name}' ({c.doc}); "
                f"map one under tables.{table}.columns (columns: "
                f"{_listing(pool.columns, 12)})."
            )
            out.append(f"    # columns: {{{c.name}: ?}}   # needed: {_c(c.doc)}")
    for note in m.notes:
        out.append(f"    # not mapped: {_c(note)}")
        todo.append(f"{table}: {note}.")

    survey_lines = _survey_lines(pool, m, items, todo) if table == "survey" else []
    sqi_lines = []
    if table == "touchpoints" and "outcome" in m.picks:
        sqi_lines = _sqi_lines(pool, m.picks["outcome"].source, todo)
    if table == "touchpoints" and "stage" in m.picks:
        col = m.picks["stage"].source
        odd = sorted(set(_strings(pool.full(col)).str.lower()) - set(EODC_STAGES))
        if odd:
            todo.append(
                f"touchpoints: stage holds {_ex(odd, 5)}, not only "
                f"{', '.join(EODC_STAGES)}; recode them (recode: {{{col}: ...}})."
            )
    return out, survey_lines, sqi_lines


def _reading_lines(plan: _Plan, todo: list[str]) -> list[str]:
    """Which file(s), and how to read them."""
    main = plan.main
    if plan.concat:
        out = [
            _line(
                2, "files", None, f"{len(plan.concat) + 1} files with the same columns; {plan.why}"
            )
        ]
        out += [_item(_s(s.rel)) for s in [main, *plan.concat]]
    else:
        out = [_line(2, "file", _s(main.rel), plan.why)]
    if main.sheet is not None:
        out.append(_line(2, "sheet", _s(main.sheet), main.notes["sheet"]))
    if main.header_rows > 1:
        out.append(_line(2, "header_rows", _s(main.header_rows), main.notes["header_rows"]))
    if main.header_combine:
        out.append(
            _line(
                2,
                "header_combine",
                "true",
                "names joined from both header lines: Question - Option",
            )
        )
    for key in ("encoding", "sep"):
        if getattr(main, key):
            out.append(_line(2, key, _s(getattr(main, key)), main.notes[key]))
    if plan.table == "survey" and {"序号", "提交答卷时间"} <= set(main.columns):
        out.append(
            "    # preset: wjx   # a 问卷星 export (序号, 提交答卷时间); the preset may "
            "replace some lines below"
        )
        todo.append("survey: the file looks like a 问卷星 (wjx) export; consider preset: wjx.")
    return out


def _number_lines(pool: _Pool, numeric: list[str]) -> list[str]:
    """``thousands`` and ``decimal``, from the first column that writes numbers with them."""
    styles = {c: st for c in numeric if (st := _number_style(pool.col(c)))}
    if not styles:
        return []
    cols = list(styles)
    th, dec = styles[cols[0]]
    out = []
    if th:
        out.append(
            _line(
                2,
                "thousands",
                _s(th),
                f"numbers such as {_ex(_strings(pool.col(cols[0])), 2)} in {', '.join(cols[:3])}",
            )
        )
    if dec != ".":
        out.append(_line(2, "decimal", _s(dec), f"decimal commas in {', '.join(cols[:3])}"))
    return out


def _date_lines(table: str, pool: _Pool, m: _Mapping, kinds: dict, todo: list[str]) -> list[str]:
    """One ``date_format`` for the table's date columns written as text."""
    infos = {}
    for c, p in m.picks.items():
        if kinds[c] in ("date", "datetime"):
            owner = pool.owner[p.source]
            info = _date_info(pool.col(p.source), owner.full(p.source) if owner.more else None)
            if info is not None:
                infos[p.source] = info
    fmts = sorted({i.fmt for i in infos.values() if i.fmt})
    if not fmts:
        return []
    cols = [c for c, i in infos.items() if i.fmt == fmts[0]]
    info = infos[cols[0]]
    if info.ambiguous:
        todo.append(
            f"{table}: the date order of {', '.join(cols)} is ambiguous (no day "
            f"above 12); check date_format {fmts[0]}."
        )
    if len(fmts) > 1:
        todo.append(
            f"{table}: date columns are written in different formats "
            f"({', '.join(fmts)}); one date_format applies to all."
        )
    return [_line(2, "date_format", _s(fmts[0]), f"{', '.join(cols)}: {info.why}")]


def _na_lines(pool: _Pool, numeric: list[str]) -> list[str]:
    out = []
    for c in numeric:
        codes = pool.na(c)
        if codes:
            ev = ", ".join(f"{_show(k)} × {_n(n)}" for k, n in codes.items())
            rng = pool.numbers(c)
            rest = f"; the other answers run {_span(rng)}" if rng is not None else ""
            out.append(_line(3, c, _flow(list(codes)), f"lone code(s) {ev} in the rows read{rest}"))
    return _block("na_values", out)


def _bool_lines(table: str, pool: _Pool, m: _Mapping, kinds: dict, todo: list[str]) -> list[str]:
    """``true_values`` and ``false_values`` of the yes/no columns, from every row."""
    true, false = [], []
    for c, p in m.picks.items():
        if kinds[c] != "bool":
            continue
        values = pool.full(p.source)
        codes = _bool_codes(values)
        if codes is None:
            seen = _strings(values).unique()[:6]
            if not all(str(v).lower() in ("true", "false") for v in seen):
                todo.append(
                    f"{table}: which codes of {p.source} mean yes? (seen: "
                    f"{_ex(seen, 6)}) Add true_values/false_values."
                )
            continue
        t, f, ev = codes
        true.append(_line(3, c, _flow(t), f"{p.source}: {ev}"))
        if f:
            false.append(_line(3, c, _flow(f)))
    return _block("true_values", true) + _block("false_values", false)


def _drop_lines(spec, pool: _Pool, m: _Mapping) -> list[str]:
    """Rows without a required identifier (guest orders): left out, and counted, by name."""
    out = []
    for c in spec.columns:
        if c.kind == "id" and c.required and not c.nullable and c.name in m.picks:
            col = m.picks[c.name].source
            full = pool.full(col)
            blank = int(full.isna().sum())
            if blank:
                out.append(
                    _line(
                        3,
                        c.name,
                        "missing",
                        f"{_n(blank)} of {_n(len(full))} rows "
                        f"have no {col} (guest or unattributed lines); they are left "
                        f"out and counted",
                    )
                )
    return out


def _survey_lines(pool: _Pool, m: _Mapping, items: dict, todo: list[str]) -> list[str]:
    from .config import servqual_default

    out = []
    default = {i.code for i in servqual_default()}
    if "overall_satisfaction" in m.picks:
        num = pool.numbers(m.picks["overall_satisfaction"].source)
        if num is not None:
            lo, hi, why = _scale_guess(num.min(), num.max(), num.nunique())
            if (lo, hi) != (1, 10):
                out.append(_line(1, "overall_scale", _flow([lo, hi]), why))
    if not items:
        todo.append(
            "survey: no item columns (whole numbers on a short scale) found; declare "
            "them under survey.items."
        )
        return out
    if set(items) <= default and all(lo >= 1 and hi <= 7 for lo, hi, _ in items.values()):
        out.append(
            f"  # items: the {len(items)} item columns are the default SERVQUAL codes "
            f"(T1 … E5) on 1-7, so none need declaring"
        )
        return out
    codes = list(items)
    out.append(_line(1, "items"))
    guessed = []
    for code in codes:
        lo, hi, why = items[code]
        dim = _dimension(code, codes)
        guessed.append(dim)
        doc = {"dimension": dim, "scale": [lo, hi]}
        label = pool.owner[code].labels.get(code)
        if label:
            doc["text"] = label
        extra = [code + s for s in ("_exp", "_imp") if code + s in pool.owner]
        if extra:
            why += f"; with {', '.join(extra)}"
        out.append(
            _line(
                2,
                code,
                _flow(doc),
                why + "; dimension from the code"
                if dim != "items"
                else why + "; no dimension could be guessed",
            )
        )
    dims = list(dict.fromkeys(guessed))
    todo.append(
        f"survey: {len(codes)} item columns declared with guessed dimensions "
        f"({', '.join(dims)}) and scales; check them (and give each a text)."
    )
    return out


def _sqi_lines(pool: _Pool, col: str, todo: list[str]) -> list[str]:
    _, weights = default_sqi()
    seen = pool.full(col).dropna().map(str).str.strip().value_counts()
    extra = {k: int(n) for k, n in seen.items() if k.lower() != "ok" and k not in weights}
    if not extra:
        return []
    if len(extra) > 30:
        todo.append(
            f"touchpoints: {col} holds {len(extra)} different values besides ok; "
            f"recode them to a short list of failure types and weight them under sqi."
        )
        return []
    out = [_line(1, "extra_weights")]
    out += [
        _line(
            2,
            k,
            "1",
            f"weights are a guess: set them; {_n(n)} contacts with this "
            f"outcome, not one of the default SQI failure types",
        )
        for k, n in extra.items()
    ]
    todo.append(
        f"sqi: {len(extra)} failure type(s) not in the default SQI list got weight 1 "
        f"({', '.join(list(extra)[:6])}); set their weights."
    )
    return out


def write_draft(folder: str | Path, *, force: bool = False) -> tuple[Path, Draft]:
    """Draft ``cxreport.yaml`` for ``folder`` and write it there.

    Parameters
    ----------
    folder : str or Path
        The data folder.
    force : bool, default=False
        Overwrite an existing ``cxreport.yaml`` (or ``cxreport.yml``).

    Returns
    -------
    (Path, Draft)
        The file written and the draft. It is not validated: run ``cxreport validate``.
    """
    folder = Path(folder)
    existing = [folder / n for n in CONFIG_NAMES if (folder / n).is_file()]
    if existing and not force:
        raise ConfigError(
            f"{existing[0]} already exists; not overwriting it. Pass --force to replace it "
            f"with a new draft (or move it away first)."
        )
    draft = draft_config(folder)
    path = existing[0] if existing else folder / CONFIG_NAMES[0]
    path.write_text(draft.text, encoding="utf-8")
    return path, draft
