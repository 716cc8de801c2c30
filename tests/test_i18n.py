"""The report in Chinese: the catalogue translates every text (fields and Markdown headings
kept), templates, numbers and months in both languages, and one notebook page in zh."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from cxreport import i18n, viz
from cxreport.i18n import _

ROOT = Path(__file__).resolve().parents[1]
FIELD = re.compile(r"\{[^{}]*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def texts():
    return i18n.texts(ROOT)


@pytest.fixture(scope="module")
def zh():
    return i18n.catalogue("zh")


# ------------------------------------------------------------------------------ the catalogue


def test_the_catalogue_translates_every_text(texts):
    missing = i18n.missing(texts)
    assert not missing, f"{len(missing)} text(s) without a translation (make catalogue, then "
    f"translate them in zh.po), e.g. {missing[:3]} at {[texts[t] for t in missing[:3]]}"


def test_the_catalogue_holds_no_text_the_code_dropped(texts, zh):
    assert set(zh) <= set(texts), sorted(set(zh) - set(texts))[:5]


def test_every_translation_keeps_the_fields_of_its_template(zh):
    wrong = {k: v for k, v in zh.items() if sorted(FIELD.findall(k)) != sorted(FIELD.findall(v))}
    assert not wrong, wrong


def test_markdown_headings_stay_headings_of_the_same_level(zh):
    def heads(text):
        return [len(m.group(1)) for m in re.finditer(r"^(#+) ", text, flags=re.M)]

    wrong = [k[:60] for k, v in zh.items() if heads(k) != heads(v)]
    assert not wrong, wrong


def test_markdown_lists_and_code_spans_are_kept(zh):
    def items(text):
        return len(re.findall(r"^\s*(?:[-*]|\d+\.) ", text, flags=re.M))

    def code(text):
        return sorted(re.findall(r"`[^`]+`", text))

    wrong = [k[:60] for k, v in zh.items() if items(k) != items(v) or code(k) != code(v)]
    assert not wrong, wrong


def test_the_chinese_catalogue_is_chinese(zh):
    # a translator's slip: an English text pasted as its own translation
    same = [k for k, v in zh.items() if k == v]
    assert len(same) <= 3, same  # "NPS", "SWOT" and the like may stay as they are


def _binds_and_calls_underscore(tree) -> list[str]:
    """Functions that call ``_()`` and also bind ``_`` (``for _, row in ...``): there the
    call would reach the loop's value instead of the catalogue."""
    found = []
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    comprehensions = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    for fn in [tree, *(n for n in ast.walk(tree) if isinstance(n, scopes[:2]))]:
        calls = binds = False
        stack = list(ast.iter_child_nodes(fn))
        while stack:
            node = stack.pop()
            if isinstance(node, scopes):
                continue
            if isinstance(node, ast.Name) and node.id == "_":
                binds |= isinstance(node.ctx, ast.Store)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
                calls = True
            if not isinstance(node, comprehensions):
                stack.extend(ast.iter_child_nodes(node))
            else:  # a comprehension's own names are its own; its calls are ours
                calls |= any(
                    isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_"
                    for n in ast.walk(node)
                )
        if calls and binds:
            found.append(getattr(fn, "name", "<module>"))
    return found


def test_no_function_hides_the_catalogue_behind_a_throwaway_underscore():
    bad = []
    for path in sorted((ROOT / "src" / "cxreport").rglob("*.py")):
        bad += [
            f"{path.name}:{f}" for f in _binds_and_calls_underscore(ast.parse(path.read_text()))
        ]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        bad += [f"{path.name}:{f}" for f in _binds_and_calls_underscore(ast.parse(code))]
    assert not bad, bad


def test_the_check_above_can_fail():
    tree = ast.parse("def f(t):\n    for _, r in t:\n        pass\n    return _('x')\n")
    assert _binds_and_calls_underscore(tree) == ["f"]


# ------------------------------------------------------------------------ templates, numbers


def test_a_template_is_translated_first_and_filled_in_after():
    assert _("NPS by {group}, last {n} months", group="plan", n=3) == "NPS by plan, last 3 months"
    i18n.set_language("zh")
    assert _("NPS by {group}, last {n} months", group="plan", n=3) == "按plan的 NPS，近 3 个月"
    # a text not in the catalogue shows as written, its fields filled in
    assert _("Not a catalogue text: {x}", x=1) == "Not a catalogue text: 1"


def test_numbers_percentages_and_months_follow_the_language():
    assert i18n.number(1234567.891, 1) == "1,234,567.9"
    assert i18n.percent(0.485) == "48.5 %"
    assert i18n.month("2026-10") == "Oct 2026"
    assert i18n.number(float("nan")) == "–"
    i18n.set_language("zh")
    assert i18n.number(1234567.891, 1) == "1,234,567.9"
    assert i18n.percent(0.485) == "48.5%"
    assert i18n.month("2026-10") == "2026年10月"
    assert i18n.html_lang() == "zh-CN"


def test_an_analysis_sentence_in_both_languages(sample_dir):
    from cxreport import nps
    from cxreport.data import load

    summary = nps.month_summary(load(sample_dir, "2026-10"))
    english = nps.describe_month(summary)
    assert english.startswith("NPS Oct 2026: ") and "promoters" in english
    i18n.set_language("zh")
    chinese = nps.describe_month(summary)
    assert chinese.startswith("2026年10月 净推荐值（NPS）：") and "推荐者" in chinese
    assert f"{summary['current'].nps:+.1f}" in chinese  # the same number, in its own place


# ------------------------------------------------------------------------ one page in Chinese


@pytest.mark.skipif(not viz.cjk_fonts(), reason="no Chinese font (apt-get install fonts-noto-cjk)")
def test_the_nps_page_in_chinese(tmp_path):
    import papermill

    from cxreport.report.htmlexport import PageInfo, export_html

    out = tmp_path / "05_nps_sqi.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "05_nps_sqi.ipynb"),
        str(out),
        parameters={"data_dir": str(ROOT / "data" / "sample"), "lang": "zh"},
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "Glyph" not in outputs and "UserWarning" not in outputs
    assert "注：" in outputs or "净推荐值" in outputs  # the code cells' own words in Chinese
    i18n.set_language("zh")
    page = export_html(
        nb, tmp_path / "page.html", PageInfo(_("NPS, service-quality index and Moments of Truth"),
                                             "2026-10", "sample"),
    ).read_text(encoding="utf-8")  # fmt: skip
    headings = re.findall(r"<h([12])[^>]*>(.*?)</h\1>", page, flags=re.S)
    assert len(headings) >= 5
    english = [h for _lvl, h in headings if not CJK.search(h)]
    assert not english, english
    assert '<html lang="zh-CN">' in page
    assert "本月关键指标" in page
    for path in (str(ROOT), str(tmp_path), "/work/", "/home/"):
        assert path not in page


def test_segment_names_show_our_words_in_chinese_and_keep_the_data_names():
    from cxreport import segments

    names = ["high-value loyal 2", "fading low-spend, bigger baskets", "Champions"]
    assert [segments.shown(n) for n in names] == names  # English: as they are
    i18n.set_language("zh")
    assert segments.shown("high-value loyal 2") == "高价值忠诚顾客 2"
    assert segments.shown("fading low-spend, bigger baskets") == "低消费渐冷顾客（客单价较高）"
    assert segments.shown("high Fresh, slightly low Milk (2)") == "Fresh 偏高，Milk 略低 (2)"
    assert segments.shown("Champions") == "冠军顾客"
    assert segments.shown("Region North") == "Region North"  # a name from the data
    # the migration matrix's margins
    assert segments.shown(segments.NEW_ROW) == "（上月未细分）"
    assert segments.shown(segments.GONE_COL) == "（本月未细分）"


def test_csi_and_swot_tables_show_our_words_in_chinese_and_keep_the_data():
    import pandas as pd

    from cxreport import csi, swot

    table = pd.DataFrame(
        {
            "index": ["tangibles", "Staff"],
            "verdict": ["below", "within CI"],
            "in_data": [True, False],
        }
    )
    assert csi.reader(table) is table  # English: the table itself (what the exports take)
    i18n.set_language("zh")
    shown = csi.reader(table)
    assert list(shown.columns) == ["指数", "结论", "数据中有"]
    # a known SERVQUAL dimension is labelled, a data folder's own dimension is kept
    assert list(shown["指数"]) == ["有形性", "Staff"]
    assert list(shown["结论"]) == ["低于目标", "在置信区间内"]
    assert list(shown["数据中有"]) == ["是", "否"]
    totals = pd.DataFrame({"matrix": ["IFE"], "total": [2.9], "reading": ["internally strong"]})
    assert swot.reader(totals).to_dict("records") == [
        {"矩阵": "IFE", "总分": 2.9, "解读": "内部实力较强"}
    ]


def test_topic_labels_come_from_the_rule_file_in_the_report_language():
    from cxreport.data.topics import parse_rules, read_rules

    shipped = read_rules(None)
    assert all(r.label_zh for r in shipped.rules)  # every shipped topic has a Chinese label
    assert shipped.label("billing_error") == "Billing errors"
    i18n.set_language("zh")
    assert shipped.label("billing_error") == "账单错误"
    # a folder's own rule file without label_zh shows its label in either language
    own = parse_rules({"topics": {"wifi": {"label": "Wi-Fi", "en": ["wifi"]}}}, "mine.yaml")
    assert own.label("wifi") == "Wi-Fi"


def test_a_number_and_its_unit_read_as_one_quantity():
    assert i18n.with_unit("5", "days") == "5 days"  # not "5days" (the pages' KPI tables)
    assert i18n.with_unit("14.29", "%") == "14.29%"
    assert i18n.with_unit("35.3", " pts") == "35.3 pts"
    assert i18n.with_unit("4", "") == "4"
    i18n.set_language("zh")
    assert i18n.with_unit("19.17", "%") == "19.17%"  # not the column header's 占比 %
    assert i18n.with_unit("35.3", " pts") == "35.3 分"
