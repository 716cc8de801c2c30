"""The report in Chinese, as a manager opens it: index, a page and the PDF, rendered by
Chromium. Every Chinese text must be drawn by a font that has its glyphs (no boxes), and the
PDF must carry its text and embed its fonts, a Chinese one among them.

One module-scoped run of ``05_nps_sqi`` on ``data/sample`` with ``lang="zh"`` and ``--pdf``.
Skips, with the reason, without Chromium or without a Chinese font (``.ci/run`` installs
both).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from test_report_outputs import CHROMIUM, _fonts

from cxreport.report.run import run_report
from cxreport.viz import cjk_fonts

from conftest import ROOT, SAMPLE

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)"),
    pytest.mark.skipif(not cjk_fonts(), reason="no Chinese font (apt-get install fonts-noto-cjk)"),
]
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh(tmp_path_factory) -> Path:
    result = run_report(
        data_dir=SAMPLE,
        month="2026-10",
        out=tmp_path_factory.mktemp("zh"),
        only=["05_nps_sqi"],
        notebooks_dir=ROOT / "notebooks",
        lang="zh",
        pdf=True,
        jobs=1,
        stream=io.StringIO(),
        tty=False,
    )
    assert result.status == "ok" and result.pdf_error is None, result.notebooks
    return result.folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


# the fonts Chromium drew each heading, list item and table cell with that holds Chinese
_FONTS_OF_CHINESE = """
const out = [];
for (const el of document.querySelectorAll('h1, h2, h3, li, th, td, p')) {
  const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.data).join('');
  if (/[\\u4e00-\\u9fff]/.test(own)) out.push(el);
}
out.forEach((el, i) => el.setAttribute('data-zh', i));
out.length
"""


def _rendering_fonts(browser, page_path: Path) -> list[tuple[str, list[dict]]]:
    """(text, the platform fonts that rendered it) for each element with Chinese text of
    its own, from Chromium's DevTools (CSS.getPlatformFontsForNode)."""
    page = browser.new_page()
    page.goto(page_path.as_uri(), wait_until="load")
    count = page.evaluate(_FONTS_OF_CHINESE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    seen = []
    for i in range(min(count, 40)):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"[data-zh='{i}']"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        text = page.evaluate(f"document.querySelector(\"[data-zh='{i}']\").innerText")
        seen.append((text[:40], fonts))
    page.close()
    return seen


@pytest.mark.parametrize("name", ["index.html", "05_nps_sqi.html"])
def test_every_chinese_text_is_drawn_by_a_chinese_font(zh, browser, name):
    seen = _rendering_fonts(browser, zh / name)
    assert len(seen) >= 5, "the page should hold Chinese headings and prose"
    for text, fonts in seen:
        families = " ".join(f["familyName"] for f in fonts)
        assert fonts and "CJK" in families, (text, fonts)  # a box would be a fallback font
        assert all(f["glyphCount"] > 0 for f in fonts), (text, fonts)


def test_the_pages_are_chinese_and_carry_no_glyph_warnings(zh):
    for name in ("index.html", "05_nps_sqi.html", "report.html"):
        page = (zh / name).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in page, name
        assert "Glyph" not in page and "UserWarning" not in page, name
    index = (zh / "index.html").read_text(encoding="utf-8")
    for words in ("本月概况", "行动建议", "核心指标", "2026年10月"):
        assert words in index
    page = (zh / "05_nps_sqi.html").read_text(encoding="utf-8")
    assert "摘要" in page and "关键时刻" in page and "净推荐值" in page


def test_the_chinese_pdf_has_its_text_and_embeds_a_chinese_font(zh):
    import pypdf

    reader = pypdf.PdfReader(zh / "report.pdf")
    # the font's tables map a few characters to their radical look-alikes (⽉ for 月, ⻚ for
    # 页): NFKC folds the Kangxi ones; the supplement's are folded here
    raw = "".join(p.extract_text() for p in reader.pages)
    text = " ".join(unicodedata.normalize("NFKC", raw).replace("⻚", "页").split())
    assert len(reader.pages) >= 3
    assert len(HAN.findall(text)) > 500
    assert "净推荐值" in text, text[:3000]
    assert "第 1 页,共" in text
    fonts = _fonts(reader)
    assert fonts and all(fonts.values()), fonts  # every font embedded
    # DejaVu has no Chinese glyphs: they come from Noto Sans CJK, which Chromium embeds as a
    # CID font or, its outlines being CFF in a collection, draws as a Type3 font in the file
    assert any("CJK" in name or name == "None" for name in fonts), fonts


def test_a_chinese_run_leaves_the_callers_language_as_it_was(zh):
    from cxreport import i18n

    assert i18n.language() == "en"  # the run set zh for its index and PDF, then restored it
