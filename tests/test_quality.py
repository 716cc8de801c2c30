"""Survey response-quality screening (cxreport.data.quality)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxreport.data.quality import RULES, screen, summary
from cxreport.errors import CxReportError

ITEMS = ["q1", "q2", "q3", "q4", "q5", "q6"]


def _survey(answers: list[list], **columns) -> pd.DataFrame:
    frame = pd.DataFrame(answers, columns=ITEMS[: len(answers[0])], dtype="float64")
    for name, values in columns.items():
        frame[name] = values
    return frame


def _varied(n: int) -> list[list]:
    # distinct, non-constant answer rows
    return [[1 + (i + j) % 5 for j in range(6)] for i in range(n)]


def test_result_shape_and_index():
    survey = _survey(_varied(3), duration=[300.0, 310.0, 320.0]).set_axis(["a", "b", "c"])
    flags = screen(survey, ITEMS)
    assert list(flags.columns) == [*RULES, "reasons"]
    assert list(flags.index) == ["a", "b", "c"]
    assert all(flags[r].dtype == bool for r in RULES)
    assert list(flags["reasons"]) == ["", "", ""]
    assert summary(flags) == {
        "speeder": 0,
        "straight_liner": 0,
        "duplicate": 0,
        "bad_duration": 0,
        "flagged": 0,
    }


# ---------------------------------------------------------------- speeder


def test_speeder_below_a_third_of_the_median():
    # positive times: 100..1000 plus 90 and 0 -> median over the 11 positive values is 500
    durations = [100.0 * i for i in range(1, 11)] + [90.0, 0.0, np.nan]
    survey = _survey(_varied(13), duration=durations)
    flags = screen(survey, ITEMS)
    # threshold 500 / 3 = 166.7: 100 and 90 are speeders; 0 is a bad duration, not a speeder
    assert list(flags.index[flags["speeder"]]) == [0, 10]
    assert not flags.loc[11, "speeder"] and flags.loc[11, "bad_duration"]
    assert not flags.loc[12, "speeder"]  # missing time: no flag


def test_speeder_needs_ten_positive_times():
    survey = _survey(_varied(10), duration=[10.0] + [600.0] * 8 + [0.0])  # 9 positive times
    assert not screen(survey, ITEMS)["speeder"].any()
    survey = _survey(_varied(10), duration=[10.0] + [600.0] * 9)
    assert list(screen(survey, ITEMS)["speeder"]) == [True] + [False] * 9


def test_durations_as_timedeltas_and_text():
    times = pd.to_timedelta([10] + [600] * 9, unit="s")
    assert screen(_survey(_varied(10), duration=times), ITEMS)["speeder"].iloc[0]
    text = ["10"] + ["600"] * 8 + ["n/a"]
    flags = screen(_survey(_varied(10), duration=text), ITEMS)
    assert not flags["speeder"].any()  # only 9 numbers: rule off; "n/a" is missing


# ---------------------------------------------------------------- bad duration


def test_bad_duration():
    survey = _survey(_varied(5), duration=[0.0, -5.0, 86_400.0, 86_401.0, np.nan])
    assert list(screen(survey, ITEMS)["bad_duration"]) == [True, True, False, True, False]


# ---------------------------------------------------------------- straight-lining


def test_straight_liner_same_answer_down_the_grid():
    answers = [
        [4, 4, 4, 4, 4, 4],  # straight line
        [4, 4, 4, 4, 4, 5],  # one different answer
        [3, 3, np.nan, 3, 3, 3],  # 5 answered, all equal
        [3, 3, np.nan, np.nan, 3, 3],  # only 4 answered: below min_items
        [np.nan] * 6,  # nothing answered
    ]
    flags = screen(_survey(answers), ITEMS)
    assert list(flags["straight_liner"]) == [True, False, True, False, False]
    assert list(screen(_survey(answers), ITEMS, min_items=4)["straight_liner"]) == [
        True,
        False,
        True,
        True,
        False,
    ]


def test_straight_liner_counts_only_items_the_survey_holds():
    survey = _survey([[2, 2, 2, 2]])  # q1..q4 only
    assert not screen(survey, ITEMS)["straight_liner"].iloc[0]  # 4 < 5 items
    assert screen(survey, ITEMS, min_items=4)["straight_liner"].iloc[0]


def test_straight_liner_with_text_labels():
    survey = pd.DataFrame({f"q{i}": ["Agree", "Agree", " 3"] for i in range(1, 6)})
    survey.loc[1, "q5"] = "Disagree"
    assert list(screen(survey, ITEMS)["straight_liner"]) == [True, False, True]


# ---------------------------------------------------------------- duplicates


def test_duplicate_same_respondent_same_answers_first_kept():
    answers = [[1, 2, 3, 4, 5, 1], [1, 2, 3, 4, 5, 1], [1, 2, 3, 4, 5, 2], [1, 2, 3, 4, 5, 1]]
    survey = _survey(answers, customer_id=["C1", "C1", "C1", "C2"])
    flags = screen(survey, ITEMS)
    # row 1 repeats row 0; row 2 answers differently; row 3 is another customer
    assert list(flags["duplicate"]) == [False, True, False, False]


def test_duplicate_same_ip_and_chains_of_keys():
    answers = [[1, 2, 3, 4, 5, 1]] * 4
    survey = _survey(
        answers, customer_id=["C1", "C1", "C2", "C3"], ip=["10.0.0.1", "10.0.0.2", "10.0.0.2", None]
    )
    # 1 repeats 0 (customer), 2 repeats 1 (ip), 3 has another customer and no ip
    assert list(screen(survey, ITEMS)["duplicate"]) == [False, True, True, False]


def test_duplicate_missing_answers_equal_each_other():
    answers = [[1, np.nan, 3, 4, 5, 1], [1, np.nan, 3, 4, 5, 1], [1, 2, 3, 4, 5, 1]]
    survey = _survey(answers, customer_id=["C1", "C1", "C1"])
    assert list(screen(survey, ITEMS)["duplicate"]) == [False, True, False]


def test_unanswered_rows_and_missing_keys_are_never_duplicates():
    answers = [[np.nan] * 6, [np.nan] * 6, [1, 2, 3, 4, 5, 1], [1, 2, 3, 4, 5, 1]]
    survey = _survey(answers, customer_id=["C1", "C1", None, None], ip=[None, None, "", " "])
    assert not screen(survey, ITEMS)["duplicate"].any()


def test_duplicate_with_a_non_default_index():
    answers = [[1, 2, 3, 4, 5, 1]] * 3
    survey = _survey(answers, customer_id=["C1", "C2", "C1"]).set_axis([30, 20, 10])
    flags = screen(survey, ITEMS)
    assert list(flags.index[flags["duplicate"]]) == [10]


# ---------------------------------------------------------------- switches and summary


def test_missing_columns_switch_rules_off():
    survey = _survey([[4] * 6, [4] * 6])  # no duration, ip or customer_id
    flags = screen(survey, ITEMS)
    assert not flags["speeder"].any() and not flags["bad_duration"].any()
    assert not flags["duplicate"].any()
    assert flags["straight_liner"].all()
    # no item column at all: grid rules off, duration rules still on
    other = pd.DataFrame({"duration": [0.0, 50.0], "customer_id": ["C1", "C1"]})
    flags = screen(other, ITEMS)
    assert list(flags["bad_duration"]) == [True, False]
    assert not flags["straight_liner"].any() and not flags["duplicate"].any()


def test_column_names_can_be_chosen():
    survey = _survey([[1, 2, 3, 4, 5, 1]] * 2, secs=[-1.0, 30.0], device=["d1", "d1"])
    flags = screen(survey, ITEMS, duration="secs", ip="device", respondent="nobody")
    assert list(flags["bad_duration"]) == [True, False]
    assert list(flags["duplicate"]) == [False, True]


def test_reasons_and_summary():
    durations = [10.0] + [600.0] * 10 + [-1.0]
    answers = [[4] * 6] + _varied(10) + [_varied(1)[0]]
    survey = _survey(answers, duration=durations, customer_id=[f"C{i}" for i in range(11)] + ["C1"])
    flags = screen(survey, ITEMS)
    assert flags.loc[0, "reasons"] == "speeder; straight_liner"
    assert flags.loc[11, "reasons"] == "duplicate; bad_duration"  # repeats row 1 (C1, same)
    assert flags.loc[5, "reasons"] == ""
    assert summary(flags) == {
        "speeder": 1,
        "straight_liner": 1,
        "duplicate": 1,
        "bad_duration": 1,
        "flagged": 2,
    }


def test_empty_survey():
    flags = screen(pd.DataFrame(columns=["q1", "duration", "ip"]), ITEMS)
    assert len(flags) == 0 and list(flags.columns) == [*RULES, "reasons"]
    assert summary(flags)["flagged"] == 0


def test_min_items_must_be_positive():
    with pytest.raises(CxReportError, match="min_items"):
        screen(_survey(_varied(1)), ITEMS, min_items=0)


def test_the_notebook_box_counts_and_exports_the_excluded(tmp_path):
    # the 问卷星 fixture: response 7 took 8 s (median about 120 s), response 11 repeats
    # response 4's answers from the same IP
    import shutil
    from pathlib import Path

    import cxreport

    folder = tmp_path / "wjx"
    shutil.copytree(Path(__file__).parent / "fixtures" / "exports" / "wjx", folder)
    with open(folder / "cxreport.yaml", "a", encoding="utf-8") as f:
        f.write("  screening: exclude\n")
    given = {"data_dir": str(folder), "month": "2026-10", "export_dir": str(tmp_path / "out")}
    run = cxreport.start("t", given, show=False)
    box = run.response_quality().data
    assert "2 of 12 responses flagged" in box
    assert "1 speeder (" in box and "1 duplicate submission (" in box
    assert "left out of every figure" in box
    excluded = pd.read_csv(tmp_path / "out" / "survey_excluded.csv", dtype=str)
    assert sorted(excluded["response_id"]) == ["11", "7"]
    assert len(run.data.survey) == 10
