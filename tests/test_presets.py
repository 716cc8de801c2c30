"""Survey-platform presets: what apply_preset recognises in real export headers, and what not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxreport.data.presets import (
    PRESET_HEADER,
    PRESETS,
    apply_preset,
    is_nps,
    is_overall,
    preset_name,
)
from cxreport.errors import ConfigError

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
SPEC_KEYS = {
    "file",
    "files",
    "sheet",
    "header_rows",
    "header_combine",
    "encoding",
    "sep",
    "thousands",
    "decimal",
    "date_format",
    "na_values",
    "true_values",
    "false_values",
    "recode",
    "derive",
    "drop_rows",
    "join",
    "columns",
    "preset",
}


def header_of(preset: str) -> list[str]:
    """The fixture's column names, read as PRESET_HEADER says."""
    if preset == "wjx":
        return [
            str(c)
            for c in pd.read_excel(
                EXPORTS / "wjx" / "survey.xlsx", engine="calamine", nrows=0
            ).columns
        ]
    if preset == "tencent":
        return list(
            pd.read_csv(EXPORTS / "tencent" / "survey.csv", encoding="utf-8-sig", nrows=0).columns
        )
    if preset == "qualtrics":  # names from the first of the three header lines
        return list(
            pd.read_csv(EXPORTS / "qualtrics" / "survey.csv", encoding="utf-8-sig", nrows=0).columns
        )
    if preset == "surveymonkey":  # two header lines joined: "Question - Option"
        raw = pd.read_excel(
            EXPORTS / "surveymonkey" / "survey.xlsx", engine="calamine", header=None, nrows=2
        )
        top, sub = raw.iloc[0].ffill(), raw.iloc[1]
        return [str(a) if pd.isna(b) else f"{a} - {b}" for a, b in zip(top, sub, strict=True)]
    if preset == "spss":
        import pyreadstat

        _, meta = pyreadstat.read_sav(EXPORTS / "spss" / "survey.sav", metadataonly=True)
        return list(meta.column_names)
    raise ValueError(preset)


def joined(notes: list[str]) -> str:
    return "\n".join(notes)


# --- the tables of presets ------------------------------------------------------------------


def test_every_preset_says_how_to_read_its_header():
    assert set(PRESETS) == {"wjx", "tencent", "qualtrics", "surveymonkey", "spss"}
    assert PRESET_HEADER["qualtrics"] == {"header_rows": 3, "header_combine": False}
    assert PRESET_HEADER["surveymonkey"] == {"header_rows": 2, "header_combine": True}
    assert PRESET_HEADER["wjx"] == {"header_rows": 1, "header_combine": False}
    for name, p in PRESETS.items():
        assert set(p) <= SPEC_KEYS, name
        assert PRESET_HEADER[name]["header_rows"] == p["header_rows"]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_fragments_use_the_config_syntax(name):
    fragment, notes = apply_preset(name, header_of(name))
    assert set(fragment) <= SPEC_KEYS
    header = set(header_of(name))
    for role, src in fragment.get("columns", {}).items():
        assert src in header, (role, src)
    sources = list(fragment.get("columns", {}).values())
    assert len(sources) == len(set(sources)), "one column mapped to two roles"
    assert notes and all(isinstance(n, str) and n for n in notes)


def test_fragment_is_a_copy():
    fragment, _ = apply_preset("wjx", header_of("wjx"))
    fragment["na_values"].append(999)
    assert 999 not in PRESETS["wjx"]["na_values"]


# --- 问卷星 -------------------------------------------------------------------------------


def test_wjx_maps_metadata_nps_and_overall():
    fragment, notes = apply_preset("wjx", header_of("wjx"))
    assert fragment["columns"] == {
        "response_id": "序号",
        "date": "提交答卷时间",
        "ip": "来自IP",
        "nps": "2、您向朋友推荐我们的可能性有多大？(0-10分)",
        "overall_satisfaction": "1、您对我们的服务总体满意吗？",
    }
    assert fragment["derive"] == {"duration": "number(`所用时间`)"}
    assert -2 in fragment["na_values"] and -3 in fragment["na_values"]
    assert fragment["date_format"] == "%Y/%m/%d %H:%M:%S"
    text = joined(notes)
    assert "来源, 来源详情" in text and "not used" in text
    assert "7、您使用过哪些服务？(多选题) is a multi-select" in text
    assert "3、服务人员态度(1-5)" in text and "survey.items" in text  # left for the user
    assert "8、您对我们还有什么建议？ looks like an open-ended answer" in text


def test_wjx_gbk_csv_has_the_same_header():
    gbk = list(pd.read_csv(EXPORTS / "wjx" / "survey_gbk.csv", encoding="gbk", nrows=0).columns)
    assert gbk == header_of("wjx")
    assert apply_preset("wjx", gbk) == apply_preset("wjx", header_of("wjx"))


def test_wjx_long_and_odd_question_headers():
    header = [
        "序号",
        "提交答卷时间",
        "12、您在本次服务中对工作人员的专业能力、服务态度以及问题解决的及时性总体上是否满意？",
        "13、如果朋友需要类似服务，您有多大可能向他推荐我们？（0~10分）",
        "14、(其他（请补充）:)",
        "第15题(服务人员)",
        "第15题(营业环境)",
    ]
    fragment, notes = apply_preset("wjx", header)
    assert fragment["columns"]["overall_satisfaction"] == header[2]
    assert fragment["columns"]["nps"] == header[3]
    text = joined(notes)
    assert "question 15 has 2 sub-columns" in text
    assert "14、(其他（请补充）:) looks like an open-ended answer" in text
    assert "duration" not in fragment.get("derive", {})  # no 所用时间 column


def test_two_recommend_questions_are_not_guessed():
    header = [
        "序号",
        "2、您向朋友推荐我们的可能性有多大？(0-10分)",
        "3、您向家人推荐我们的可能性有多大？(0-10分)",
    ]
    fragment, notes = apply_preset("wjx", header)
    assert "nps" not in fragment.get("columns", {})
    assert "several columns look like nps" in joined(notes)


def test_a_column_already_named_as_the_contract_is_left_alone():
    header = ["序号", "nps", "2、您向朋友推荐我们的可能性有多大？(0-10分)", "duration", "所用时间"]
    fragment, notes = apply_preset("wjx", header)
    assert "nps" not in fragment["columns"]
    assert "derive" not in fragment
    assert "nps (already so named)" in notes[0]


def test_the_users_own_columns_are_not_guessed_or_listed():
    user = {
        "nps": "2、您向朋友推荐我们的可能性有多大？(0-10分)",
        "date": "提交答卷时间",
        "duration": "所用时间",
        "attitude": "3、服务人员态度(1-5)",
    }
    fragment, notes = apply_preset("wjx", header_of("wjx"), user_columns=user)
    assert "nps" not in fragment["columns"] and "date" not in fragment["columns"]
    assert "derive" not in fragment  # the user maps duration
    assert fragment["columns"]["overall_satisfaction"] == "1、您对我们的服务总体满意吗？"
    text = joined(notes)
    assert "3、服务人员态度(1-5)" not in text
    assert "4、响应速度(1-5)" in text
    assert "no nps column" not in text
    fragment, notes = apply_preset(
        "qualtrics", header_of("qualtrics"), user_columns={"overall_satisfaction": "Q1"}
    )
    assert "no overall_satisfaction column recognised" not in joined(notes)
    assert "question columns not mapped: Q2_1," in joined(notes)


# --- 腾讯问卷 -----------------------------------------------------------------------------


def test_tencent_maps_metadata_and_leaves_the_matrix_to_the_user():
    fragment, notes = apply_preset("tencent", header_of("tencent"))
    assert fragment["columns"] == {
        "response_id": "编号",
        "date": "结束答题时间",
        "duration": "答题时长",
        "ip": "IP",
        "nps": "2.您有多大可能向朋友或同事推荐我们？",
        "overall_satisfaction": "1.总体而言，您对我们的服务满意吗？",
    }
    assert fragment["date_format"] == "%Y-%m-%d %H:%M:%S"
    text = joined(notes)
    assert "trailing comma" in text
    assert "4.您使用过我们的哪些服务？【多选】 is a multi-select: 4 columns of 0/1" in text
    assert "question 3 has 4 columns" in text
    assert "3.请对我们以下方面的服务进行评分:服务人员态度" in text
    assert "5.您还有什么建议？" in text and "not used by the contract" in text


# --- Qualtrics ----------------------------------------------------------------------------


def test_qualtrics_nps_is_the_question_not_its_group():
    fragment, notes = apply_preset("qualtrics", header_of("qualtrics"))
    cols = fragment["columns"]
    assert cols["nps"] == "Q3"
    assert "Q3_NPS_GROUP" not in cols.values()
    assert cols == {
        "response_id": "ResponseId",
        "date": "EndDate",
        "duration": "Duration (in seconds)",
        "ip": "IPAddress",
        "nps": "Q3",
    }
    assert "Q3_NPS_GROUP" in joined(notes) and "not used" in joined(notes)


def test_qualtrics_group_alone_is_never_nps():
    fragment, _ = apply_preset("qualtrics", ["ResponseId", "Q3_NPS_GROUP", "Q7_NPS_GROUP"])
    assert "nps" not in fragment["columns"]
    fragment, _ = apply_preset("qualtrics", ["ResponseId", "NPS_GROUP", "nps_group"])
    assert "nps" not in fragment["columns"]


def test_qualtrics_custom_export_tag_for_nps():
    fragment, _ = apply_preset("qualtrics", ["ResponseId", "Finished", "NPS", "OSAT"])
    assert fragment["columns"]["nps"] == "NPS"
    assert fragment["columns"]["overall_satisfaction"] == "OSAT"


def test_qualtrics_drops_previews_and_unfinished_and_reads_minus_99_as_missing():
    fragment, notes = apply_preset("qualtrics", header_of("qualtrics"))
    assert fragment["header_rows"] == 3
    assert fragment["na_values"] == [-99]
    assert "Survey Preview" in fragment["drop_rows"]["Status"]
    assert "False" in fragment["drop_rows"]["Finished"]
    assert "preview" in fragment["drop_rows"]["DistributionChannel"]
    text = joined(notes)
    assert "unfinished responses are left out" in text and "-99" in text
    assert "no overall_satisfaction column recognised" in text  # Q1 is only an id
    # the rules follow the columns: no Finished column, no Finished rule
    fragment, _ = apply_preset("qualtrics", ["ResponseId", "Q1"])
    assert "drop_rows" not in fragment


# --- SurveyMonkey -------------------------------------------------------------------------


def test_surveymonkey_combined_header():
    fragment, notes = apply_preset("surveymonkey", header_of("surveymonkey"))
    assert fragment["header_rows"] == 2 and fragment["header_combine"] is True
    nps = "How likely is it that you would recommend us to a friend or colleague? - Response"
    overall = "Overall, how satisfied or dissatisfied are you with our company? - Response"
    assert fragment["columns"] == {
        "response_id": "Respondent ID",
        "date": "End Date",
        "ip": "IP Address",
        "nps": nps,
        "overall_satisfaction": overall,
    }
    text = joined(notes)
    assert "is a matrix of 3 rows (Friendliness, Knowledge, Speed of service)" in text
    assert "is a multi-select: one column per option" in text
    assert "recode" in text
    assert "Collector ID" in text and "not used" in text


def test_surveymonkey_without_the_response_suffix():
    header = [
        "Respondent ID",
        "How likely is it that you would recommend us to a friend?",
        "Overall, how satisfied are you with us?",
    ]
    fragment, _ = apply_preset("surveymonkey", header)
    assert fragment["columns"]["nps"] == header[1]
    assert fragment["columns"]["overall_satisfaction"] == header[2]


# --- SPSS ---------------------------------------------------------------------------------


def test_spss_maps_common_variable_names_only():
    fragment, notes = apply_preset("spss", header_of("spss"))
    assert fragment["columns"] == {"response_id": "respid", "date": "intdate"}
    text = joined(notes)
    assert "duration (already so named)" in text
    assert "user-missing" in text and "value labels" in text
    assert "q3_1" in text  # left for the user


def test_spss_length_of_interview_is_only_noted():
    fragment, notes = apply_preset("spss", ["serial", "LOI", "nps"])
    assert fragment["columns"] == {"response_id": "serial"}
    assert "LOI looks like the length of interview" in joined(notes)


# --- recognition rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "2、您向朋友推荐我们的可能性有多大？(0-10分)",
        "您有多大可能向朋友推荐我们？",
        "On a scale from 0-10, how likely are you to recommend us?",
        "How likely is it that you would recommend Acme to a friend or colleague? - Response",
        "NPS",
        "Q_NPS",
        "LTR",
    ],
)
def test_recognised_as_nps(header):
    assert is_nps(header)
    assert not is_overall(header)
    fragment, _ = apply_preset("spss", ["respid", header])
    assert fragment["columns"].get("nps") == header


@pytest.mark.parametrize(
    "header",
    [
        "Q3_NPS_GROUP",
        "NPS分组",
        "How likely are you to recommend us to a friend or colleague? - Group",
        "您为什么愿意推荐我们？",
        "3、服务人员态度(1-5)",
        "您对推荐的产品满意吗？",  # 推荐 without a likelihood or 0-10
    ],
)
def test_not_nps(header):
    assert not is_nps(header)
    fragment, _ = apply_preset("spss", ["respid", header])
    assert "nps" not in fragment["columns"]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("1、您对我们的服务总体满意吗？", True),
        ("1.总体而言，您对我们的服务满意吗？", True),
        ("整体满意度", True),
        ("Overall, how satisfied or dissatisfied are you with our company? - Response", True),
        ("How satisfied are you overall?", True),
        ("osat", True),
        ("3、服务人员态度(1-5)", False),
        ("您对服务人员的态度满意吗？", False),
        ("How satisfied are you with the speed of service?", False),
    ],
)
def test_overall_satisfaction(header, expected):
    assert is_overall(header) is expected


# --- names --------------------------------------------------------------------------------


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ConfigError) as info:
        apply_preset("limesurvey", ["id"])
    msg = str(info.value)
    assert "limesurvey" in msg
    for name in ("wjx", "tencent", "qualtrics", "surveymonkey", "spss"):
        assert name in msg


def test_preset_names_are_forgiving():
    assert preset_name("Qualtrics") == "qualtrics"
    assert preset_name(" WJX ") == "wjx"
    assert preset_name("问卷星") == "wjx"
    assert preset_name("腾讯问卷") == "tencent"
