"""Data text in charts: bounded (:func:`cxreport.viz.label`) and never read as math.

A 10,000-character touchpoint name once grew a kernel to 23.5 GB while one rotated tick label
was drawn; ``$\\frac{}$`` in a label or in the currency failed every notebook; and
``Basic ($9.99/mo) or Premium ($19.99/mo)`` came out in math italics without its dollars.
"""

from __future__ import annotations

import io
import struct

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.text import Text

from cxreport.viz import LABEL_WIDTH, label, set_theme

LONG = "Broken parcel, comment pasted into the wrong column " * 200  # 10,400 characters
PRICES = "Basic ($9.99/mo) or Premium ($19.99/mo)"
FRAC = r"$\frac{}$"


@pytest.fixture(autouse=True)
def theme():
    with mpl.rc_context():  # the theme's settings go with the test
        set_theme()
        yield


def _texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _png_size(fig) -> tuple[int, int]:
    """Width and height of the figure saved as the notebook's inline backend saves it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return struct.unpack(">II", buf.getvalue()[16:24])


# ------------------------------------------------------------------------------ label()


def test_a_long_value_is_cut_with_an_ellipsis_and_a_short_one_kept():
    assert label("Store 12") == "Store 12"
    assert label("call_centre") == "Call centre"  # a code reads as its label
    assert label(LONG) == "Broken parcel, comment pasted into the…"
    assert len(label(LONG)) <= LABEL_WIDTH
    assert label("x" * 41) == "x" * 39 + "…" and label("x" * 40) == "x" * 40
    assert label(12.5) == "12.5" and label("") == ""


def test_line_breaks_and_tabs_of_a_pasted_comment_become_spaces():
    assert label("late\n\n\tagain  and\r\nagain") == "late again and again"


def test_wrapped_labels_keep_to_their_lines():
    got = label("Strong brand in the North and Central regions " * 5, 34, lines=2)
    assert got == "Strong brand in the North and\nCentral regions Strong brand in…"
    assert label("Nationwide same-day delivery network", 34, lines=2) == (
        "Nationwide same-day delivery\nnetwork"
    )


def test_chinese_counts_double_and_wraps_by_characters():
    assert label("公司理念与氛围", 14, lines=2) == "公司理念与氛围"
    assert label("公司理念与氛围" * 3, 14, lines=2) == "公司理念与氛围\n公司理念与氛…"


@given(st.text(max_size=400), st.integers(1, 60), st.integers(1, 4))
def test_a_label_never_exceeds_its_lines_and_width(text, width, lines):
    rows = label(text, width, lines=lines).split("\n")
    assert len(rows) <= lines
    assert all(len(r) <= width for r in rows)


# --------------------------------------------------------------------- charts: bounded


def _pareto(names):
    from cxreport.viz import sqi as sqi_viz

    n = len(names)
    table = pd.DataFrame({"failure_type": names, "weighted": np.arange(n, 0, -1.0),
                          "weight": 1.0, "cum_share": np.linspace(50, 100, n)})  # fmt: skip
    return sqi_viz.sqi_pareto(table, "failure_type")


def test_a_10000_character_label_is_drawn_shortened_in_a_figure_of_normal_size():
    # the rotated tick labels of the Pareto chart: the chart that took 23.5 GB
    fig = _pareto([LONG, "late", "lost"])
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == label(LONG) + "\n(×1)"
    assert max(len(t) for t in _texts(fig) for t in t.get_text().split("\n")) <= 100
    width, height = _png_size(fig)
    assert width < 2000 and height < 2000, (width, height)


# --------------------------------------------------------------------- charts: no math


def _not_math(fig) -> list[str]:
    texts = _texts(fig)
    assert all(t._preprocess_math(t.get_text())[1] is False for t in texts)
    return [t.get_text() for t in texts]


def test_dollars_and_tex_commands_in_data_are_drawn_as_written():
    fig = _pareto([PRICES, FRAC, "late"])
    drawn = _not_math(fig)
    assert f"{PRICES}\n(×1)" in drawn and f"{FRAC}\n(×1)" in drawn
    _png_size(fig)  # saving draws every text: no mathtext error


def test_a_currency_that_looks_like_tex_is_drawn_as_written():
    from cxreport.viz import churn as churn_viz
    from cxreport.viz import segments as seg_viz

    flows = pd.DataFrame({"value_before": [10.0, 5.0], "value_now": [12.0, 4.0],
                          "value_change": [2.0, -1.0], "change": [1, -1]},
                         index=[PRICES, FRAC])  # fmt: skip
    fig = seg_viz.value_change(flows, currency=FRAC)
    drawn = _not_math(fig)
    assert f"net value in the month ({FRAC})" in drawn and PRICES in drawn
    _png_size(fig)
    share = np.linspace(0, 1, 11)
    curve = pd.DataFrame({"share": share, "model": 10 * share - 8 * share**2,
                          "random": 2 * share, "perfect": 12 * share})  # fmt: skip
    fig = churn_viz.profit_chart(curve, emp=1, emp_random=0, emp_perfect=2, currency="$")
    assert "campaign profit on the validation rows ($)" in _not_math(fig)
    _png_size(fig)


def test_the_significance_marker_of_the_nps_trend_is_no_math_either():
    from cxreport.viz import nps as nps_viz

    monthly = pd.DataFrame({"month": ["2026-09", "2026-10"], "nps": [10.0, 40.0],
                            "ci_low": [0.0, 30.0], "ci_high": [20.0, 50.0], "n": [200, 200],
                            "small_sample": False, "change": [np.nan, 30.0],
                            "change_significant": [False, True]})  # fmt: skip
    fig = nps_viz.nps_trend(monthly)
    drawn = _not_math(fig)
    assert "significant change vs previous month (p < .05)" in drawn
    assert not any("$" in t for t in drawn)
    _png_size(fig)


def test_the_theme_turns_tex_off_as_well():
    # with TeX on (a user's matplotlibrc), "$" and "%" in data would be LaTeX commands
    mpl.rcParams["text.usetex"] = True
    set_theme()
    assert mpl.rcParams["text.usetex"] is False and mpl.rcParams["text.parse_math"] is False


def test_a_chart_is_shown_sharp_with_alt_text_from_its_own_texts():
    import struct

    import matplotlib.pyplot as plt

    from cxreport import viz

    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 4))
    a.set_title("NPS by month")
    a.set_xlabel("month")
    a.set_ylabel("NPS (points)")
    b.set_ylabel("answers")
    data, meta = viz._sharp_png(fig)
    plt.close(fig)
    assert abs(struct.unpack(">I", data[16:20])[0] - 2 * meta["width"]) <= 1  # twice its size
    assert meta["alt"] == (
        "Chart: NPS by month — horizontal axis: month; vertical axis: NPS (points). answers"
    )
    empty = plt.figure()
    assert viz.alt_text(empty) == "Chart"
    plt.close(empty)


def test_a_table_shows_no_row_numbers_but_keeps_a_named_index():
    import pandas as pd

    from cxreport.viz import frame_html

    plain = frame_html(pd.DataFrame({"dimension": ["reliability"], "score": [71.5]}))
    assert "<th>dimension</th>" in plain and "<th>0</th>" not in plain and "71.5" in plain
    named = frame_html(pd.DataFrame({"n": [3]}, index=pd.Index(["Champions"], name="segment")))
    assert "Champions" in named and "segment" in named
