"""A real browser (Debian's chromium, headless, through Playwright) opens the report.

It opens index.html and every notebook HTML of a fixture report made from a data folder with
``<script>`` and ``<img onerror=...>`` planted in a customer name and complaint texts, and
checks: no dialog opens and no planted script runs, no console error, every image rendered
(``naturalWidth > 0``), every link resolves (local files exist, ``#anchors`` exist).
Skips with the reason when chromium or Playwright is missing; ``.ci/run`` installs chromium.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from test_runner import FIXTURES, make_hostile_data

from cxreport.report.run import run_report

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium browser installed (apt-get install chromium; .ci/run does it)",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    data = make_hostile_data(base / "data")
    result = run_report(
        data_dir=data,
        month="2026-10",
        out=base / "out",
        notebooks_dir=FIXTURES,
        jobs=2,
        params={"fail": "true"},
        stream=io.StringIO(),
        tty=False,
    )
    # beta fails on purpose: its page (with papermill's error banner) is checked too
    assert [r.status for r in result.notebooks] == ["ok", "failed"]
    return result.folder


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"chromium at {CHROMIUM} does not start under Playwright: {exc}")
        yield b
        b.close()


def _visit(browser, path: Path) -> dict:
    page = browser.new_page()
    seen = {"dialogs": [], "errors": [], "requests": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    seen["xss"] = page.evaluate("() => window.__cxr_xss === undefined ? null : window.__cxr_xss")
    seen["images"] = page.evaluate(
        "() => Array.from(document.images).map(i => ({src: i.src.slice(0, 40), "
        "complete: i.complete, w: i.naturalWidth}))"
    )
    seen["links"] = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
    )
    seen["ids"] = set(
        page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    )
    seen["text"] = page.inner_text("body")
    page.close()
    return seen


def _check_links(path: Path, seen: dict) -> list[str]:
    bad = []
    for href in seen["links"]:
        url = urlparse(href)
        if url.scheme in ("http", "https", "mailto"):
            continue
        target = Path(unquote(url.path))
        if url.scheme != "file" or not target.exists():
            bad.append(href)
        elif target == path and url.fragment and unquote(url.fragment) not in seen["ids"]:
            bad.append(href)
    return bad


def test_index_page_in_a_browser(browser, report):
    seen = _visit(browser, report / "index.html")
    assert seen["dialogs"] == [] and seen["xss"] is None
    assert seen["errors"] == []
    assert _check_links(report / "index.html", seen) == []
    assert {Path(urlparse(h).path).name for h in seen["links"]} >= {"01_alpha.html", "02_beta.html"}
    # the title is report.title of the sample's cxreport.yaml
    assert "Northwind Telecom - monthly CX report · Oct 2026" in seen["text"]
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"])


@pytest.mark.parametrize("name", ["01_alpha", "02_beta"])
def test_notebook_pages_in_a_browser(browser, report, name):
    path = report / f"{name}.html"
    seen = _visit(browser, path)
    assert seen["dialogs"] == [], "a planted script opened a dialog"
    assert seen["xss"] is None, "a planted script ran"
    assert seen["errors"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    assert all(i["complete"] and i["w"] > 0 for i in seen["images"]), seen["images"]
    assert _check_links(path, seen) == []
    if name == "01_alpha":
        assert len(seen["images"]) == 1 and seen["images"][0]["src"].startswith("data:image/png")
        # the planted markup is visible as text
        assert "<script>window.__cxr_xss = 1;" in seen["text"]
        assert "Customer: Eve <img src=x onerror=" in seen["text"]
        assert "Reporting month Oct 2026" in seen["text"]
    else:
        assert "This notebook failed: cell In [5]: ValueError" in seen["text"]


def test_the_harness_sees_a_script_and_a_broken_image(browser, tmp_path):
    """Control: the same checks catch an unescaped page (so the tests above can fail)."""
    from test_runner import XSS_IMG, XSS_SCRIPT

    path = tmp_path / "unsafe.html"
    path.write_text(
        f'<html><body><p>{XSS_SCRIPT}</p><p>{XSS_IMG}</p><a href="missing.html">x</a></body></html>'
    )
    seen = _visit(browser, path)
    assert seen["dialogs"] and seen["xss"] in (1, 2)
    assert [i["w"] for i in seen["images"]] == [0]
    assert len(_check_links(path, seen)) == 1


def test_one_file_report_in_a_browser(browser, report):
    """report.html: every page in one file, its links anchors that exist, its images shown."""
    path = report / "report.html"
    seen = _visit(browser, path)
    assert seen["dialogs"] == [] and seen["xss"] is None
    assert seen["errors"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    assert len(seen["images"]) == 1 and all(i["complete"] and i["w"] > 0 for i in seen["images"])
    assert _check_links(path, seen) == []
    inside = [urlparse(h) for h in seen["links"] if Path(urlparse(h).path) == path]
    assert {u.fragment for u in inside} >= {"page-index", "page-01_alpha", "page-02_beta"}
    assert "This notebook failed: cell In [5]: ValueError" in seen["text"]
    assert "<script>window.__cxr_xss = 1;" in seen["text"]
