"""End to end: each platform's export fixture, read through cxreport.yaml with its preset.

The fixtures and their expected values come from tests/fixtures/exports/make_fixtures.py.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

import cxreport

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
_spec = importlib.util.spec_from_file_location("make_fixtures", EXPORTS / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

ITEMS = {
    "wjx": ["attitude", "speed", "resolution", "environment"],
    "tencent": ["attitude", "speed", "resolution", "environment"],
    "qualtrics": ["friendliness", "speed", "resolution", "appearance"],
    "surveymonkey": ["friendliness", "knowledge", "speed"],
    "spss": ["friendliness", "speed", "resolution", "appearance"],
}


def numbers(s: pd.Series) -> list:
    return [None if pd.isna(v) else float(v) for v in s]


def days(s: pd.Series) -> list[str]:
    return s.dt.strftime("%Y-%m-%d").tolist()


def missing(v):
    """The fixtures' missing-value codes as the survey table should hold them."""
    return None if v in (-2, -3, -99, 98, 99, "", "N/A", None) else float(v)


def survey_of(folder: Path) -> pd.DataFrame:
    report = cxreport.validate(folder)
    assert report.ok, report.format()
    ds = cxreport.load(folder)
    assert ds.survey is not None, "no survey table read"
    return ds.survey


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(EXPORTS / name, dst)
    return dst


def check_common(survey: pd.DataFrame, name: str, expected: dict) -> None:
    assert len(survey) == len(expected["response_id"])
    assert survey["response_id"].tolist() == expected["response_id"]
    assert numbers(survey["nps"]) == expected["nps"]
    assert numbers(survey["overall_satisfaction"]) == expected["overall_satisfaction"]
    assert days(survey["date"]) == expected["date"]
    for i, item in enumerate(ITEMS[name]):
        assert numbers(survey[item]) == [row[i] for row in expected["items"]], item
    if "duration" in expected:
        assert numbers(survey["duration"]) == expected["duration"]
    if "ip" in expected:
        assert survey["ip"].tolist() == expected["ip"]
    # nothing of the platform's missing-value codes survives in a score
    for col in ["nps", "overall_satisfaction", *ITEMS[name]]:
        assert not survey[col].isin([-2, -3, -99, 98, 99]).any(), col


# --- 问卷星 -------------------------------------------------------------------------------


def wjx_expected() -> dict:
    rows = fx.WJX_ROWS
    return {
        "response_id": [str(r[0]) for r in rows],
        "nps": [float(r[7]) for r in rows],
        "overall_satisfaction": [float(r[6]) for r in rows],
        "date": [r[1][:10].replace("/", "-") for r in rows],
        "items": [[missing(v) for v in r[8:12]] for r in rows],
        "duration": [float(r[2]) for r in rows],
        "ip": [r[5] for r in rows],
    }


def test_wjx_xlsx():
    survey = survey_of(EXPORTS / "wjx")
    check_common(survey, "wjx", wjx_expected())
    # spot checks against the file itself
    first = survey.iloc[0]
    assert first["duration"] == 120 and first["nps"] == 9
    assert first["ip"] == "112.80.1.2(江苏-南京)"
    assert pd.isna(survey.iloc[1]["environment"])  # -3: not shown
    assert pd.isna(survey.iloc[3]["resolution"])  # -2: skipped by logic


def test_wjx_gbk_csv(tmp_path):
    folder = copy_fixture("wjx", tmp_path)
    yaml = folder / "cxreport.yaml"
    yaml.write_text(
        yaml.read_text("utf-8").replace("file: survey.xlsx", "file: survey_gbk.csv"), "utf-8"
    )
    check_common(survey_of(folder), "wjx", wjx_expected())


def test_wjx_screening_exclude_drops_the_speeder_and_the_duplicate(tmp_path):
    folder = copy_fixture("wjx", tmp_path)
    yaml = folder / "cxreport.yaml"
    yaml.write_text(
        yaml.read_text("utf-8").replace(
            "survey:\n  overall_scale", "survey:\n  screening: exclude\n  overall_scale"
        ),
        "utf-8",
    )
    ids = survey_of(folder)["response_id"].tolist()
    assert "7" not in ids  # 8秒 against a median of about 120秒
    assert "11" not in ids  # response 4 submitted again: same IP, same answers
    assert "4" in ids
    assert len(ids) == len(fx.WJX_ROWS) - 2


# --- 腾讯问卷 -----------------------------------------------------------------------------


def test_tencent_csv():
    rows = fx.TENCENT_ROWS
    survey = survey_of(EXPORTS / "tencent")
    check_common(
        survey,
        "tencent",
        {
            "response_id": [str(r[0]) for r in rows],
            "nps": [float(r[10]) for r in rows],
            "overall_satisfaction": [float(r[9]) for r in rows],
            "date": [r[2][:10] for r in rows],
            "items": [[missing(v) for v in r[11:15]] for r in rows],
            "duration": [float(r[3]) for r in rows],
            "ip": [r[8] for r in rows],
        },
    )
    assert pd.isna(survey.iloc[3]["environment"])  # a blank cell of the matrix
    # the empty column after the trailing comma is not a survey column
    assert not [c for c in survey.columns if str(c).startswith("Unnamed") or str(c) == ""]


# --- Qualtrics ----------------------------------------------------------------------------


def test_qualtrics_csv():
    kept = [r for r in fx._Q_ROWS if r[2] == "IP Address" and r[5] == "True"]
    assert len(kept) == len(fx._Q_ROWS) - 2  # one preview, one unfinished
    folder = EXPORTS / "qualtrics"
    survey = survey_of(folder)
    check_common(
        survey,
        "qualtrics",
        {
            "response_id": [r[6] for r in kept],
            "nps": [missing(r[13]) for r in kept],
            "overall_satisfaction": [missing(r[8]) for r in kept],
            "date": [r[0][:10] for r in kept],
            "items": [[missing(v) for v in r[9:13]] for r in kept],
            "duration": [float(r[1]) for r in kept],
            "ip": [r[3] for r in kept],
        },
    )
    assert "R_3c4D5e6F7g8H9i0" not in survey["response_id"].tolist()  # Survey Preview
    assert "R_6f7G8h9I0j1K2l3" not in survey["response_id"].tolist()  # Finished = False
    # the NPS group (1-3) is not the NPS (0-10)
    assert survey["nps"].max() == 10
    # the rows left out are counted in the report
    text = cxreport.validate(folder).format()
    assert "Status" in text and "Finished" in text


# --- SurveyMonkey -------------------------------------------------------------------------


def test_surveymonkey_xlsx():
    rows = fx._SM_ROWS
    survey = survey_of(EXPORTS / "surveymonkey")
    check_common(
        survey,
        "surveymonkey",
        {
            "response_id": [str(r[0]) for r in rows],
            "nps": [float(r[4]) for r in rows],
            "overall_satisfaction": [float(r[5]) for r in rows],
            "date": [f"{r[1][6:10]}-{r[1][:2]}-{r[1][3:5]}" for r in rows],
            "items": [[missing(v) for v in r[6]] for r in rows],
            "ip": [r[3] for r in rows],
        },
    )
    assert survey.iloc[0]["response_id"] == "114523456701"
    assert survey.iloc[0]["friendliness"] == 5  # "Excellent", recoded
    assert pd.isna(survey.iloc[4]["knowledge"])  # "N/A"


# --- SPSS ---------------------------------------------------------------------------------


def test_spss_sav():
    rows = fx._SPSS_ROWS
    survey = survey_of(EXPORTS / "spss")
    check_common(
        survey,
        "spss",
        {
            "response_id": [str(r[0]) for r in rows],
            "nps": [missing(r[6]) for r in rows],
            "overall_satisfaction": [missing(r[5]) for r in rows],
            "date": [r[1].isoformat() for r in rows],
            "items": [[missing(v) for v in r[7:11]] for r in rows],
            "duration": [float(r[4]) for r in rows],
        },
    )
    # user-missing codes (98 don't know, 99 refused) are missing, not scores
    assert pd.isna(survey.iloc[3]["overall_satisfaction"])  # 99
    assert pd.isna(survey.iloc[3]["resolution"])  # 98
    assert pd.isna(survey.iloc[5]["nps"])  # 99
    # nominal variables read as their value labels
    channels = {1: "store", 2: "call_centre", 3: "website"}
    assert survey["touchpoint"].tolist() == [channels[r[3]] for r in rows]
    regions = {1: "North", 2: "East", 3: "South", 4: "West"}
    assert survey["region"].tolist() == [regions[r[2]] for r in rows]


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_fixture_folder_is_valid(name):
    report = cxreport.validate(EXPORTS / name)
    assert report.ok, report.format()
    assert report.tables.get("survey"), report.format()
