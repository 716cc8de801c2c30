"""The safe expression language of ``derive:`` (cxreport.data.expr)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.data.expr import FUNCTIONS, columns_used, evaluate
from cxreport.errors import ConfigError, ExpressionError


@pytest.fixture
def orders() -> pd.DataFrame:
    # a non-default index: results and error rows must use the frame's own labels
    return pd.DataFrame(
        {
            "Quantity": ["3", " 2 ", None, "4"],
            "UnitPrice": [2.5, 1.0, 3.0, np.nan],
            "Total Charges": [10.0, 20.0, 30.0, 40.0],
            "Total Refunds": [1.0, 0.0, 5.0, 0.5],
            "满意度": [1, 2, 3, 4],
            "InvoiceNo": ["536365", "C536379", "536366", None],
        },
        index=[10, 11, 12, 13],
    )


def _values(s: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in s]


# ---------------------------------------------------------------- arithmetic and names


def test_quantity_times_price_on_text_and_numbers(orders):
    out = evaluate("Quantity * UnitPrice", orders)
    assert list(out.index) == [10, 11, 12, 13]
    assert _values(out) == [7.5, 2.0, None, None]  # " 2 " is stripped; missing propagates


def test_numbers_only():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [4.0, 5.0, 6.0]})
    assert list(evaluate("a * b + 1", frame)) == [5.0, 11.0, 19.0]
    assert list(evaluate("(a + b) / 2", frame)) == [2.5, 3.5, 4.5]
    assert list(evaluate("b // a", frame)) == [4.0, 2.0, 2.0]
    assert list(evaluate("b % a", frame)) == [0.0, 1.0, 0.0]
    assert list(evaluate("-a ** 2", frame)) == [-1.0, -4.0, -9.0]  # Python precedence
    assert list(evaluate("2 ** -1 + a", frame)) == [1.5, 2.5, 3.5]


def test_backtick_names_with_spaces_symbols_and_chinese():
    frame = pd.DataFrame(
        {
            "Total Charges": [10.0, 20.0],
            "Total Refunds": [1.0, 2.5],
            "Q5 (1-10) #": [3, 4],
            "1st visit": [1, 1],
            "满意度": [5, 4],
            "总 金额": [100, 200],
        }
    )
    assert list(evaluate("`Total Charges` - `Total Refunds`", frame)) == [9.0, 17.5]
    assert list(evaluate("`Q5 (1-10) #` * 2 + `1st visit`", frame)) == [7, 9]
    assert list(evaluate("满意度 * 2", frame)) == [10, 8]  # bare Chinese name
    assert list(evaluate("`总 金额` / `满意度`", frame)) == [20.0, 50.0]


def test_backticks_inside_quotes_are_text():
    frame = pd.DataFrame({"a": ["x", "y"]})
    assert list(evaluate('concat(a, "`b`")', frame)) == ["x`b`", "y`b`"]


def test_constant_broadcasts_to_the_frame_index(orders):
    out = evaluate("1 + 2", orders)
    assert list(out.index) == list(orders.index) and list(out) == [3] * 4
    assert list(evaluate('"x"', orders)) == ["x"] * 4


def test_comparisons_and_logic(orders):
    assert list(evaluate("0 < 满意度 <= 2", orders)) == [True, True, False, False]
    assert list(evaluate("满意度 > 1 and 满意度 < 4", orders)) == [False, True, True, False]
    assert list(evaluate("满意度 == 1 or not (满意度 < 4)", orders)) == [True, False, False, True]
    # a text column compared with a number is read as numbers; missing compares false
    assert list(evaluate("Quantity >= 3", orders)) == [True, False, False, True]
    assert list(evaluate("Quantity == 2", orders)) == [False, True, False, False]
    assert list(evaluate('InvoiceNo == "C536379"', orders)) == [False, True, False, False]
    assert list(evaluate('InvoiceNo != "C536379"', orders)) == [True, False, True, True]


def test_the_frame_is_not_changed(orders):
    before = orders.copy()
    evaluate("where(Quantity > 2, Quantity * 2, 0)", orders)
    pd.testing.assert_frame_equal(orders, before)


# ---------------------------------------------------------------- functions


def test_day_month_swap_fix():
    # stored as day-month-year, but where the "day" is 1-6 the export swapped day and month
    frame = pd.DataFrame({"D": ["05-03-21", "25-03-21", "04-11-21", "13-12-20", None]})
    out = evaluate(
        'where(day(date(D, "%d-%m-%y")) <= 6, date(D, "%m-%d-%y"), date(D, "%d-%m-%y"))', frame
    )
    assert pd.api.types.is_datetime64_any_dtype(out)
    assert _values(out) == [
        pd.Timestamp("2021-05-03"),  # swapped back: May 3rd
        pd.Timestamp("2021-03-25"),  # day 25 cannot be a month: kept
        pd.Timestamp("2021-04-11"),
        pd.Timestamp("2020-12-13"),
        None,
    ]


def test_where_evaluates_each_branch_on_its_own_rows():
    frame = pd.DataFrame({"t": [10.0, 5.0, 8.0], "q": [2, 0, 4]})
    assert list(evaluate("where(q != 0, t / q, 0)", frame)) == [5.0, 0.0, 2.0]
    assert list(evaluate("where(q > 100, 1, 2)", frame)) == [2, 2, 2]


def test_number_takes_the_first_number_of_a_text():
    frame = pd.DataFrame({"x": ["120秒", "1,234.5", "", None, "约 -3 度", "abc", "１２０分", 7]})
    assert _values(evaluate("number(x)", frame)) == [
        120.0,
        1234.5,
        None,
        None,
        -3.0,
        None,
        120.0,
        7.0,
    ]


def test_date_parts_and_days_between():
    frame = pd.DataFrame(
        {
            "a": ["2024-01-01", "20240215", None],
            "b": pd.to_datetime(["2024-01-31", "2024-03-01", "2024-01-01"]),
        }
    )
    assert _values(evaluate("year(a)", frame)) == [2024, 2024, None]
    assert _values(evaluate("month(a)", frame)) == [1, 2, None]
    assert _values(evaluate("day(b)", frame)) == [31, 1, 1]
    assert _values(evaluate("weekday(a)", frame)) == [0, 3, None]  # Monday = 0
    assert _values(evaluate("days_between(a, b)", frame)) == [30.0, 15.0, None]
    assert list(evaluate('b >= "2024-02-01"', frame)) == [False, True, False]


def test_text_functions():
    frame = pd.DataFrame(
        {
            "s": ["  Ab ", None, "cd"],
            "n": [3.0, 2.5, np.nan],
            "d": pd.to_datetime(["2024-01-05", None, "2024-12-31"]),
        }
    )
    assert _values(evaluate("strip(s)", frame)) == ["Ab", None, "cd"]
    assert _values(evaluate("lower(s)", frame)) == ["  ab ", None, "cd"]
    assert _values(evaluate("upper(strip(s))", frame)) == ["AB", None, "CD"]
    assert _values(evaluate("text(n)", frame)) == ["3", "2.5", None]
    assert _values(evaluate("text(d)", frame)) == ["2024-01-05", None, "2024-12-31"]
    assert _values(evaluate('concat(strip(s), "-", n)', frame)) == ["Ab-3", "-2.5", "cd-"]
    assert _values(evaluate("concat(s, n)", pd.DataFrame({"s": [None], "n": [np.nan]}))) == [None]
    assert list(evaluate('startswith(s, "  A")', frame)) == [True, False, False]
    assert list(evaluate('contains(s, "d")', frame)) == [False, False, True]


def test_missing_tests_and_numeric_functions():
    frame = pd.DataFrame({"s": ["x", " ", None], "n": [-1.25, np.nan, 2.5]})
    assert list(evaluate("isna(s)", frame)) == [False, True, True]  # blank counts as missing
    assert list(evaluate("notna(n)", frame)) == [True, False, True]
    assert _values(evaluate("abs(n)", frame)) == [1.25, None, 2.5]
    assert _values(evaluate("round(n, 1)", frame)) == [-1.2, None, 2.5]  # half to even
    assert _values(evaluate("round(n)", frame)) == [-1.0, None, 2.0]
    assert _values(evaluate("min(n, 0)", frame)) == [-1.25, None, 0.0]
    assert _values(evaluate("max(n, 0, 2)", frame)) == [2.0, None, 2.5]


def test_functions_are_documented():
    import cxreport.data.expr as expr

    for name in FUNCTIONS:
        assert f"``{name}(" in expr.__doc__, name


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "expression, construct",
    [
        ("__import__('os')", "__import__"),
        ("a.b", "attribute"),
        ("a[0]", "subscript"),
        ("lambda: 1", "lambda"),
        ("open('x')", "open"),
        ("[x for x in a]", "comprehension"),
        ("f'{a}'", "f-string"),
        ("a if a else 1", "where(c, a, b)"),
        ("(b := 1)", ":="),
        ("abs(*a)", "starred"),
        ("round(a, n=2)", "keyword"),
        ("a.__class__.__bases__", "attribute"),
        ("(1, 2)", "tuple"),
        ("a & a", "&"),
        ("a in a", "in"),
        ("a is None", "is"),
        ("None", "isna"),
        ("os.system('ls')", "os.system"),
        ("eval('1')", "eval"),
        ("b'x'", "constant"),
    ],
)
def test_forbidden_constructs(expression, construct):
    frame = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(ExpressionError, match="not allowed") as info:
        evaluate(expression, frame)
    assert construct in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_refused_before_any_column_is_read():
    # the construct is refused even when the names it uses do not exist
    with pytest.raises(ExpressionError, match="attribute"):
        columns_used("x.y + z")


def test_wrong_number_of_arguments_names_the_signature():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ExpressionError, match=r"where\(\) takes 3 arguments, got 2.*where\("):
        evaluate("where(a > 0, 1)", frame)
    with pytest.raises(ExpressionError, match=r"abs\(\) takes 1 argument, got 2"):
        evaluate("abs(a, 2)", frame)
    with pytest.raises(ExpressionError, match=r"round\(\) takes 1 or 2"):
        evaluate("round()", frame)
    with pytest.raises(ExpressionError, match="whole number"):
        evaluate("round(a, a)", frame)
    with pytest.raises(ExpressionError, match="text in quotes"):
        evaluate("startswith(a, a)", frame)


def test_unknown_column_has_a_hint_and_lists_columns(orders):
    with pytest.raises(ExpressionError) as info:
        evaluate("Qantity * UnitPrice", orders)
    msg = str(info.value)
    assert "'Qantity'" in msg and "Did you mean 'Quantity'?" in msg and "'UnitPrice'" in msg


def test_unknown_column_list_is_truncated():
    frame = pd.DataFrame({f"col{i}": [1] for i in range(50)})
    with pytest.raises(ExpressionError, match="and 30 more"):
        evaluate("nothing_like_it + 1", frame)


def test_syntax_error_gives_hints():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ExpressionError, match="=="):
        evaluate("a = 1", frame)
    with pytest.raises(ExpressionError, match="full-width"):
        evaluate("abs（a）", frame)
    with pytest.raises(ExpressionError, match="not closed"):
        evaluate("`a + 1", frame)
    with pytest.raises(ExpressionError, match="empty"):
        evaluate("  ", frame)


# ---------------------------------------------------------------- errors with rows


def test_division_by_zero_names_the_rows():
    frame = pd.DataFrame(
        {"t": [10.0, 5.0, np.nan, 3.0], "q": [2, 0, 0, 0]}, index=["a", "b", "c", "d"]
    )
    with pytest.raises(ExpressionError, match="division by zero.*'q'") as info:
        evaluate("t / q", frame)
    assert list(info.value.rows) == ["b", "d"]  # "c": the numerator is missing, so NaN
    with pytest.raises(ExpressionError, match="'q - 2'") as info:
        evaluate("t // (q - 2)", frame.assign(q=[2, 1, 2, 2]))
    assert list(info.value.rows) == ["a", "d"]
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate("t % 0", frame)


def test_text_that_is_not_a_number_names_the_rows():
    frame = pd.DataFrame(
        {"Quantity": ["3", "abc", "", None, "4 pcs"], "p": [1.0] * 5}, index=[5, 6, 7, 8, 9]
    )
    with pytest.raises(
        ExpressionError, match="column 'Quantity' holds text that is not a number"
    ) as info:
        evaluate("Quantity * p", frame)
    assert list(info.value.rows) == [6, 9]
    assert "number(" in str(info.value)


def test_unparseable_date_names_the_rows():
    frame = pd.DataFrame({"D": ["31-12-24", "31/12/24", "", "32-01-24"]})
    with pytest.raises(ExpressionError, match="not a date in the format '%d-%m-%y'") as info:
        evaluate('date(D, "%d-%m-%y")', frame)
    assert list(info.value.rows) == [1, 3]
    with pytest.raises(ExpressionError, match="% codes"):
        evaluate('date(D, "dd-mm-yy")', frame)


def test_rows_inside_a_where_branch_are_the_frames_labels():
    frame = pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "q": [0, 0, 1, 0]}, index=[7, 8, 9, 10])
    with pytest.raises(ExpressionError) as info:
        evaluate("where(t > 1.5, t / q, 0)", frame)
    assert list(info.value.rows) == [8, 10]


# ---------------------------------------------------------------- abuse guards


def test_huge_power_is_refused_fast():
    frame = pd.DataFrame({"a": [1, 2]})
    start = time.perf_counter()
    for expression in ("9**9**9", "a ** 101", "2 ** (a * 1000)"):
        with pytest.raises(ExpressionError, match="exponent"):
            evaluate(expression, frame)
    assert time.perf_counter() - start < 1.0
    assert list(evaluate("a ** 100", frame)) == [1.0, 2.0**100]


def test_long_and_deep_expressions_are_refused():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ExpressionError, match="2,000"):
        evaluate("a + " * 600 + "a", frame)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate("+".join(["a"] * 400), frame)
    with pytest.raises(ExpressionError):
        evaluate("(" * 300 + "a" + ")" * 300, frame)


# ---------------------------------------------------------------- columns_used


def test_columns_used_in_order_without_functions():
    assert columns_used("`Total Charges` - Refunds + abs(Refunds) * 满意度") == [
        "Total Charges",
        "Refunds",
        "满意度",
    ]
    assert columns_used('where(isna(a), "x", text(b))') == ["a", "b"]
    assert columns_used("1 + 2") == []


# ---------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=20))
def test_adding_and_subtracting_returns_the_value(pairs):
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    out = evaluate("a + b - b", frame)
    assert np.allclose(out.to_numpy(), frame["a"].to_numpy(), rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_numbers_written_as_text_compute_like_numbers(values):
    frame = pd.DataFrame({"n": values, "t": [repr(v) for v in values]})
    assert np.allclose(evaluate("t * 2 - 1", frame), evaluate("n * 2 - 1", frame))


def test_line_breaks_outside_quotes_are_spaces():
    frame = pd.DataFrame({"a": [1, 2], "b c": [3, 4]})
    assert list(evaluate("a +\n  `b c`\n", frame)) == [4, 6]
    assert list(evaluate('contains(text(a), "1  ")', frame)) == [False, False]
