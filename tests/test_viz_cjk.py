"""Chinese text in charts: a CJK font registered at run time (matplotlib's cache may predate
it), glyph by glyph after DejaVu Sans, and no "Glyph ... missing" warning or findfont log line
(which would land in a page)."""

from __future__ import annotations

import logging
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from cxreport import viz  # noqa: E402

pytestmark = pytest.mark.skipif(
    not viz.cjk_fonts(),
    reason="no Chinese font on this machine (apt-get install fonts-noto-cjk; .ci/run does it)",
)


def test_the_theme_falls_back_to_a_chinese_font_after_dejavu():
    viz.set_theme()
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "DejaVu Sans" and family[1] in viz.cjk_fonts()
    assert "Serif" not in family[1]


def test_chinese_labels_draw_without_a_missing_glyph(tmp_path, caplog):
    viz.set_theme()
    with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.INFO):
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.bar([viz.label("华东区域"), "华南", "North"], [1, 2, 3])
        ax.set_title("净推荐值（NPS）按区域：2026年10月")  # bold title: the bold face too
        ax.set_ylabel("顾客满意度指数")
        fig.savefig(tmp_path / "cjk.png")
        plt.close(fig)
    assert [str(w.message) for w in seen] == []
    assert [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()] == []
