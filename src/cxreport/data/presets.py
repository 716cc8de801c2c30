"""Survey-platform presets: what a 问卷星, 腾讯问卷, Qualtrics, SurveyMonkey or SPSS export needs.

``tables.survey.preset: wjx`` in ``cxreport.yaml`` saves the user from writing what every
export of that platform shares: how many header lines it has, its missing-value codes, its date
format, the rows that are not real responses, and the metadata columns that feed the survey
contract (``response_id``, ``date``, ``duration``, ``ip``, and ``nps`` /
``overall_satisfaction`` when the question text gives them away). The reader

1. reads the header as :data:`PRESET_HEADER` says (``header_rows``, ``header_combine``),
2. calls :func:`apply_preset` with the column names it got,
3. merges the returned fragment *under* the user's own keys (the user's keys always win).

This module is data plus one function: it reads no file.

>>> fragment, notes = apply_preset("wjx", ["序号", "提交答卷时间", "所用时间", "来自IP"])
>>> fragment["columns"]
{'response_id': '序号', 'date': '提交答卷时间', 'ip': '来自IP'}
>>> fragment["derive"]
{'duration': 'number(`所用时间`)'}
"""

from __future__ import annotations

import copy
import re

from ..errors import ConfigError
from .shaping import listing

#: Config defaults of each preset (keys of ``tables.survey`` in ``cxreport.yaml``).
#:
#: * ``wjx`` — 问卷星: `-2` (skipped by logic) and `-3` (not shown) mean missing, so do
#:   ``(跳过)`` and ``(空)`` (an empty fill-in); 提交答卷时间 is ``2026/10/03 14:22:10``.
#: * ``tencent`` — 腾讯问卷: one header line, times ``2026-10-03 14:22:10``.
#: * ``qualtrics`` — three header lines (ids, question text, ``{"ImportId": ...}``); names come
#:   from the first; ``-99`` = seen but unanswered; times ``2026-10-03 14:22:10``.
#: * ``surveymonkey`` — two header lines combined into "Question - Option" names; times
#:   ``10/03/2026 02:22:10 PM``.
#: * ``spss`` — a ``.sav`` file carries its own types, labels and user-missing codes.
PRESETS: dict[str, dict] = {
    "wjx": {
        "header_rows": 1,
        "header_combine": False,
        "na_values": [-2, -3, "(跳过)", "(空)"],
        "date_format": "%Y/%m/%d %H:%M:%S",
    },
    "tencent": {
        "header_rows": 1,
        "header_combine": False,
        "date_format": "%Y-%m-%d %H:%M:%S",
    },
    "qualtrics": {
        "header_rows": 3,
        "header_combine": False,
        "na_values": [-99],
        "date_format": "%Y-%m-%d %H:%M:%S",
    },
    "surveymonkey": {
        "header_rows": 2,
        "header_combine": True,
        "date_format": "%m/%d/%Y %I:%M:%S %p",
    },
    "spss": {
        "header_rows": 1,
        "header_combine": False,
    },
}

#: How to read each preset's header before :func:`apply_preset` runs.
PRESET_HEADER: dict[str, dict] = {
    name: {"header_rows": p["header_rows"], "header_combine": p["header_combine"]}
    for name, p in PRESETS.items()
}

#: The platform each preset stands for, for messages.
PRESET_TITLES: dict[str, str] = {
    "wjx": "问卷星 (wjx.cn)",
    "tencent": "腾讯问卷 (wj.qq.com)",
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "spss": "SPSS .sav",
}

#: Other spellings a user may write for ``preset:``.
ALIASES: dict[str, str] = {
    "问卷星": "wjx",
    "wenjuanxing": "wjx",
    "腾讯问卷": "tencent",
    "qq": "tencent",
    "monkey": "surveymonkey",
    "survey_monkey": "surveymonkey",
    "sav": "spss",
}

# --- header recognition ------------------------------------------------------------------

_RECOMMEND = re.compile(r"推荐|recommend|\bnps\b|net promoter", re.I)
_ZERO_TEN = re.compile(r"0\s*(?:-|–|—|~|～|至|到|to)\s*10|0\s*分?\s*[-~～到至]\s*10\s*分", re.I)
_LIKELY = re.compile(r"likely|likelihood|可能性|多大可能|可能", re.I)
# Qualtrics' NPS_GROUP (1 detractor, 2 passive, 3 promoter) and other derived columns
_NOT_NPS = re.compile(
    r"nps_group|_group$|\bgroup$|分组|类别|_DO_|_TEXT$|comment|原因|为什么|why", re.I
)
_NPS_NAME = re.compile(r"^(?:q_?)?(?:nps|ltr|recommend(?:ation)?)(?:_?score)?$", re.I)
_OVERALL = re.compile(
    r"(?:总体|整体|综合|总的来说|总体而言|整体而言).{0,20}满意"
    r"|满意.{0,6}(?:总体|整体)"
    r"|overall.{0,60}satisf|satisf.{0,40}overall",
    re.I,
)
_OVERALL_NAME = re.compile(r"^(?:osat|overall_?sat(?:isfaction)?|q_?osat)$", re.I)
_MULTI = re.compile(r"多选|select all|check all|all that apply|multiple", re.I)
_OPEN = re.compile(
    r"建议|意见|还有什么|请说明|留言|为什么|原因|comment|suggest|could we do better", re.I
)


def _q(name: str) -> str:
    """A column name as the derive language writes it (backticks unless a plain name)."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"`{name}`"


def _short(name: str, limit: int = 70) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _listing(names, limit: int = 6) -> str:
    return listing([_short(n) for n in names], limit)


def is_nps(text: str) -> bool:
    """Does a column name or question text look like the 0-10 "would recommend" question?

    Parameters
    ----------
    text : str
        A column name or question text (English or Chinese).

    Returns
    -------
    bool
        True for an NPS-like name (``nps``, ``ltr``, ``recommend_score``...) or a text that
        speaks of recommending with a 0-10 range or a likelihood, unless it looks like a
        derived column (an NPS group, a comment, a reason).
    """
    if _NOT_NPS.search(text):
        return False
    if _NPS_NAME.match(text.strip()):
        return True
    return bool(_RECOMMEND.search(text) and (_ZERO_TEN.search(text) or _LIKELY.search(text)))


def is_overall(text: str) -> bool:
    """Does a column name or question text look like the overall-satisfaction question?

    Parameters
    ----------
    text : str
        A column name or question text (English or Chinese).

    Returns
    -------
    bool
        True for a name such as ``osat`` or a text naming overall satisfaction, unless it
        speaks of recommending.
    """
    if _RECOMMEND.search(text):
        return False
    return bool(_OVERALL_NAME.match(text.strip()) or _OVERALL.search(text))


class _Recognition:
    """Collects the fragment and the notes while a preset reads a header."""

    def __init__(self, name: str, header: list[str], user_columns: dict | None = None):
        self.name = name
        self.header = [str(h).strip() for h in header]
        self.present = set(self.header)
        #: the user's own tables.survey.columns: those roles and sources are not guessed
        self.user = {str(k): str(v).strip() for k, v in (user_columns or {}).items()}
        self.columns: dict[str, str] = {}
        self.derive: dict[str, str] = {}
        self.drop_rows: dict[str, object] = {}
        self.notes: list[str] = []
        self.used: set[str] = set()
        self.already: list[str] = []  # contract names the file already uses
        self.used.update(self.user.values())

    def taken(self, role: str) -> bool:
        """Is ``role`` mapped already, or does the file use the contract's name itself?"""
        if role in self.columns or role in self.derive or role in self.user:
            return True
        if role in self.present:
            if role not in self.used:
                self.used.add(role)
                self.already.append(role)
            return True
        return False

    def map(self, role: str, candidates) -> str | None:
        """Map ``role`` to the first of ``candidates`` in the header."""
        if self.taken(role):
            return None
        for c in candidates:
            if c in self.present and c not in self.used:
                self.columns[role] = c
                self.used.add(c)
                return c
        return None

    def map_question(self, role: str, test, pool: list[str]) -> None:
        """Map ``role`` to the one column of ``pool`` that ``test`` accepts."""
        if self.taken(role):
            return
        hits = [c for c in pool if c not in self.used and test(c)]
        if len(hits) == 1:
            self.columns[role] = hits[0]
            self.used.add(hits[0])
        elif hits:
            self.notes.append(
                f"several columns look like {role}: {_listing(hits)}; map the right one "
                f"yourself (tables.survey.columns.{role})"
            )

    def fragment(self) -> dict:
        out = copy.deepcopy(PRESETS[self.name])
        if self.columns:
            out["columns"] = dict(self.columns)
        if self.derive:
            out["derive"] = dict(self.derive)
        if self.drop_rows:
            out["drop_rows"] = copy.deepcopy(self.drop_rows)
        return out

    def recognised_note(self, extra: str = "") -> None:
        parts = [f"{k} ← {_short(v)}" for k, v in self.columns.items()]
        parts += [f"{k} = {v}" for k, v in self.derive.items()]
        parts += [f"{k} (already so named)" for k in self.already]
        if parts:
            self.notes.insert(0, "recognised " + "; ".join(parts) + extra)
        else:
            self.notes.insert(
                0, f"no column recognised as a {PRESET_TITLES[self.name]} export's" + extra
            )

    def unused(self, names, what: str) -> None:
        names = [n for n in names if n not in self.used]
        if names:
            self.notes.append(
                f"{what} {_listing(names, 10)} {'is' if len(names) == 1 else 'are'} not used"
            )

    def items_note(self, left: list[str]) -> None:
        left = [c for c in left if c not in self.used]
        if left:
            self.notes.append(
                f"question columns not mapped: {_listing(left)}; declare your items under "
                f"survey.items and map them under tables.survey.columns (item code: column)"
            )
        elif not self.user:
            self.notes.append("map your item columns under survey.items and tables.survey.columns")
        for role in ("nps", "overall_satisfaction"):
            if not self.taken(role):
                self.notes.append(
                    f"no {role} column recognised; map it under "
                    f"tables.survey.columns if the survey has one"
                )


# --- the presets -------------------------------------------------------------------------

_WJX_QUESTION = re.compile(r"^(\d+)[、．.:：]\s*(.*)$", re.S)
_WJX_SUB = re.compile(r"^(?:第(\d+)题|(\d+))\s*[(（](.*)[)）]$", re.S)


def _wjx(r: _Recognition) -> None:
    r.map("response_id", ("序号", "答卷编号", "编号"))
    r.map("date", ("提交答卷时间", "提交时间", "答卷提交时间"))
    r.map("ip", ("来自IP", "IP", "IP地址"))
    for src in ("所用时间", "作答时长", "答题时长", "填写时长"):
        if src in r.present and not r.taken("duration"):
            r.derive["duration"] = f"number({_q(src)})"
            r.used.add(src)
            break
    questions, subs, meta = [], {}, []
    for h in r.header:
        m = _WJX_QUESTION.match(h)
        s = _WJX_SUB.match(h)
        if m:
            questions.append(h)
        elif s:
            subs.setdefault(s.group(1) or s.group(2), []).append(h)
        elif h not in r.used:
            meta.append(h)
    r.map_question("nps", is_nps, questions)
    r.map_question("overall_satisfaction", is_overall, questions)
    r.recognised_note()
    if "duration" in r.derive:
        r.notes.append(
            f"duration: the seconds of {r.derive['duration'][len('number(') : -1]} ('120秒' → 120)"
        )
    r.notes.append("-2 (skipped by logic), -3 (not shown), (跳过) and (空) are read as missing")
    r.notes.append(
        "answers are option numbers (按选项序号): check that option 1 is the low end "
        "of each scale, or recode the ones listed the other way round"
    )
    r.unused(meta, "问卷星 metadata column(s)")
    left = []
    for h in questions:
        if h in r.used:
            continue
        if _MULTI.search(h):
            r.notes.append(
                f"{_short(h)} is a multi-select (options joined with ┋ in one "
                f"cell); not used by the contract"
            )
        elif "→" in h or "排序" in h:
            r.notes.append(f"{_short(h)} is a ranking question (→); not used by the contract")
        elif _OPEN.search(h) or _WJX_QUESTION.match(h).group(2).startswith(("(", "（")):
            r.notes.append(f"{_short(h)} looks like an open-ended answer; not used by the contract")
        else:
            left.append(h)
    for num, cols in subs.items():
        r.notes.append(
            f"question {num} has {len(cols)} sub-columns ({_listing(cols, 3)}): "
            f"matrix rows can be mapped as items"
        )
        left += cols
    r.items_note(left)


_TENCENT_QUESTION = re.compile(r"^(?:Q|第)?(\d+)(?:题)?[.．:：、]\s*(.*)$", re.S)
_TENCENT_META = (
    "编号",
    "用户类型",
    "用户标识",
    "昵称",
    "开始答题时间",
    "结束答题时间",
    "答题时长",
    "地理位置国家和地区",
    "地理位置省",
    "地理位置市",
    "自定义字段",
    "IP",
    "UA",
    "Referrer",
    "语言",
    "清洗数据结果",
    "智能清洗数据无效概率",
    "中奖时间",
    "中奖金额",
    "审核状态",
)


def _tencent(r: _Recognition) -> None:
    r.map("response_id", ("编号", "答卷编号"))
    r.map("date", ("结束答题时间", "提交时间", "开始答题时间"))
    r.map("duration", ("答题时长", "答题时长(秒)", "作答时长"))
    r.map("ip", ("IP", "IP地址"))
    groups: dict[str, list[str]] = {}
    meta, other = [], []
    for h in r.header:
        if h in r.used:
            continue
        m = _TENCENT_QUESTION.match(h)
        if m:
            groups.setdefault(m.group(1), []).append(h)
        elif h in _TENCENT_META:
            meta.append(h)
        elif h == "" or h.startswith("Unnamed:"):
            r.notes.append(
                "an empty column without a name (a trailing comma in the export) is not used"
            )
            r.used.add(h)
        else:
            other.append(h)
    singles = [cols[0] for cols in groups.values() if len(cols) == 1]
    r.map_question("nps", is_nps, singles)
    r.map_question("overall_satisfaction", is_overall, singles)
    r.recognised_note()
    r.unused(meta, "腾讯问卷 metadata column(s)")
    left = [
        c
        for c in singles
        if c not in r.used and not c.rsplit("_填空", 1)[-1].isdigit() and not _OPEN.search(c)
    ]
    fills = [c for c in singles if c not in left and c not in r.used]
    if fills:
        r.notes.append(
            f"fill-in blanks and open-ended answers {_listing(fills)} are not used by the contract"
        )
        r.used.update(fills)
    for num, cols in groups.items():
        if len(cols) == 1:
            continue
        stem = cols[0].rpartition(":")[0] or cols[0]
        options = [c.rpartition(":")[2] for c in cols]
        if _MULTI.search(stem):
            r.notes.append(
                f"{_short(stem)} is a multi-select: {len(cols)} columns of 0/1, "
                f"one per option ({_listing(options, 4)}); not used by the contract"
            )
        else:
            r.notes.append(
                f"question {num} has {len(cols)} columns ({_listing(options, 4)}): "
                f"a matrix (map its rows as items) or a multi-select (0/1 per option)"
            )
            left += cols
    r.unused(other, "column(s)")
    r.items_note(left)


_QUALTRICS_META = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate",
    "Q_RelevantIDDuplicateScore",
    "Q_RelevantIDFraudScore",
    "Q_RelevantIDLastStartDate",
    "ResponseID",
    "ResponseSet",
    "Q_TotalDuration",
)
_QUALTRICS_DERIVED = re.compile(
    r"_NPS_GROUP$|_DO(?:_\d+)?$|_TEXT$|_(?:First Click|Last Click|Page Submit|Click Count)$", re.I
)


def _qualtrics(r: _Recognition) -> None:
    r.map("response_id", ("ResponseId", "ResponseID", "_recordId"))
    r.map("date", ("EndDate", "RecordedDate", "StartDate"))
    r.map("duration", ("Duration (in seconds)", "Duration"))
    r.map("ip", ("IPAddress", "IP Address"))
    if "Status" in r.present:
        r.drop_rows["Status"] = ["Survey Preview", "Survey Test", "Spam", "Preview Spam"]
    if "DistributionChannel" in r.present:
        r.drop_rows["DistributionChannel"] = ["preview", "test"]
    if "Finished" in r.present:
        r.drop_rows["Finished"] = ["False", "FALSE", "false", "0"]
    # Qualtrics writes Qn_NPS_GROUP next to an NPS question Qn: that pins the question down
    groups = [h[: -len("_NPS_GROUP")] for h in r.header if h.upper().endswith("_NPS_GROUP")]
    nps = [g for g in groups if g in r.present]
    if len(nps) == 1:
        r.map("nps", nps)
    questions = [
        h
        for h in r.header
        if h not in _QUALTRICS_META and h not in r.used and not _QUALTRICS_DERIVED.search(h)
    ]
    r.map_question("nps", is_nps, questions)
    r.map_question("overall_satisfaction", is_overall, questions)
    r.recognised_note()
    if r.drop_rows:
        r.notes.append(
            f"previews, tests, spam and unfinished responses are left out "
            f"(drop_rows on {', '.join(r.drop_rows)}); to keep partial responses "
            f"set drop_rows: {{Finished: []}}"
        )
    r.notes.append("-99 (seen but unanswered) is read as missing")
    r.unused(
        [h for h in r.header if h in _QUALTRICS_META and h not in r.drop_rows],
        "Qualtrics metadata column(s)",
    )
    derived = [h for h in r.header if _QUALTRICS_DERIVED.search(h)]
    if derived:
        r.notes.append(
            f"derived columns {_listing(derived)} (NPS groups, display order, "
            f"'other' texts, timing) are not used"
        )
        r.used.update(derived)
    left = [q for q in questions if q not in r.used]
    if left:
        r.notes.append(
            "Qualtrics names columns by question id (Q1, Q2_1, …): the question "
            "text is the file's second header line"
        )
    r.items_note(left)


_MONKEY_META = (
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
    "Custom Data",
    "Custom Data 2",
)
_MONKEY_PLAIN = re.compile(r"\s+-\s+(?:Response|Open-Ended Response)$", re.I)


def _surveymonkey(r: _Recognition) -> None:
    r.map("response_id", ("Respondent ID",))
    r.map("date", ("End Date", "Start Date"))
    r.map("ip", ("IP Address",))
    groups: dict[str, list[str]] = {}
    meta = []
    for h in r.header:
        if h in r.used:
            continue
        if h in _MONKEY_META or h.startswith("Custom Data"):
            meta.append(h)
            continue
        stem = _MONKEY_PLAIN.sub("", h)
        if stem == h and " - " in h:
            stem = h.rpartition(" - ")[0]
        groups.setdefault(stem, []).append(h)
    singles = [cols[0] for cols in groups.values() if len(cols) == 1]
    r.map_question("nps", is_nps, singles)
    r.map_question("overall_satisfaction", is_overall, singles)
    r.recognised_note()
    r.notes.append(
        "SurveyMonkey's 'Actual answer text' export writes labels (Very satisfied, "
        "…): map them to numbers under recode, or export 'Numerical values'"
    )
    r.notes.append("no completion-time column: responses cannot be screened for speed")
    r.unused(meta, "SurveyMonkey metadata column(s)")
    left = []
    for stem, cols in groups.items():
        if len(cols) == 1:
            if cols[0].endswith("Open-Ended Response") and cols[0] not in r.used:
                r.notes.append(
                    f"{_short(cols[0])} is an open-ended answer; not used by the contract"
                )
                r.used.add(cols[0])
            else:
                left.append(cols[0])
            continue
        options = [c.rpartition(" - ")[2] for c in cols]
        if _MULTI.search(stem) or any("please specify" in o.lower() for o in options):
            r.notes.append(
                f"{_short(stem)} is a multi-select: one column per option "
                f"({_listing(options, 4)}), the option text when chosen; not used "
                f"by the contract"
            )
        else:
            r.notes.append(
                f"{_short(stem)} is a matrix of {len(cols)} rows "
                f"({_listing(options, 4)}): map its rows as items"
            )
            left += cols
    r.items_note(left)


_SPSS_NAMES = {
    "response_id": (
        "respid",
        "resp_id",
        "respondent_id",
        "RespondentID",
        "ResponseId",
        "caseid",
        "CaseID",
        "serial",
        "Serial",
        "id",
        "ID",
    ),
    "customer_id": ("customer_id", "custid", "cust_id", "CustomerID"),
    "date": ("intdate", "int_date", "interview_date", "date", "Date", "enddate", "EndDate"),
    "duration": ("duration", "Duration", "duration_sec", "duration_s", "interview_seconds"),
    "ip": ("ip", "IP", "ipaddress", "IPAddress"),
    "touchpoint": ("touchpoint", "Touchpoint"),
}


def _spss(r: _Recognition) -> None:
    for role, names in _SPSS_NAMES.items():
        r.map(role, names)
    r.map_question("nps", is_nps, [h for h in r.header if h not in r.used])
    r.map_question("overall_satisfaction", is_overall, [h for h in r.header if h not in r.used])
    r.recognised_note(" by variable name")
    r.notes.append(
        "user-missing codes declared in the .sav file (e.g. 99 = refused) are read "
        "as missing; value labels stay in the file's metadata (nominal variables "
        "read as their labels, scales as their codes)"
    )
    loi = [h for h in r.header if h.lower() in ("loi", "length", "interview_length")]
    if loi and "duration" not in r.columns:
        r.notes.append(
            f"{loi[0]} looks like the length of interview: map duration: {loi[0]} "
            f"if it is in seconds, or derive duration: {loi[0]} * 60 if in minutes"
        )
    r.items_note([h for h in r.header if h not in r.used])


_RECOGNISERS = {
    "wjx": _wjx,
    "tencent": _tencent,
    "qualtrics": _qualtrics,
    "surveymonkey": _surveymonkey,
    "spss": _spss,
}


def preset_name(name) -> str:
    """The preset's canonical name, or a :class:`ConfigError` listing the presets.

    Parameters
    ----------
    name : object
        A preset name or one of :data:`ALIASES` (case-insensitive, surrounding blanks ignored).

    Returns
    -------
    str
        A key of :data:`PRESETS`.

    Raises
    ------
    ConfigError
        For an unknown preset name.
    """
    key = str(name).strip()
    key = ALIASES.get(key, ALIASES.get(key.lower(), key.lower()))
    if key not in PRESETS:
        raise ConfigError(
            f"unknown survey preset {name!r} (tables.survey.preset); the presets are: "
            + ", ".join(f"{n} ({PRESET_TITLES[n]})" for n in PRESETS)
            + ". Leave the preset out to map every column yourself."
        )
    return key


def apply_preset(
    name: str, header: list[str], user_columns: dict | None = None
) -> tuple[dict, list[str]]:
    """The preset's table-config fragment for a file with these column names, and notes.

    Parameters
    ----------
    name : str
        ``wjx``, ``tencent``, ``qualtrics``, ``surveymonkey`` or ``spss`` (case-insensitive).
    header : list of str
        The column names as read with the preset's :data:`PRESET_HEADER` handling.
    user_columns : dict, optional
        The user's own ``tables.survey.columns`` (contract name → column): the preset guesses
        no role the user mapped, and its notes do not list the user's columns as unmapped.

    Returns
    -------
    fragment : dict
        Keys of ``tables.survey`` (config-spec syntax): the preset's defaults from
        :data:`PRESETS` plus ``columns`` (contract name → the file's column) for the columns
        it recognised, ``derive`` and ``drop_rows`` where the platform needs them. The caller
        merges the user's own keys over it.
    notes : list of str
        Plain-English notes: what was recognised, what is not used and what is left for the
        user to map.

    Raises
    ------
    ConfigError
        For an unknown preset name.
    """
    key = preset_name(name)
    r = _Recognition(key, list(header), user_columns)
    _RECOGNISERS[key](r)
    return r.fragment(), r.notes
