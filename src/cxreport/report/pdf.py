"""``report.pdf`` (``cxreport run --pdf``): the whole report as one A4 PDF.

Headless Chromium, driven by Playwright, prints the one-file report (:mod:`.combined`,
``report.html``): the index first, then every analysis page from a new page, with the print
styles of the page templates (tables wrapped to the page width, charts never cut across
pages, no navigation); each page has a header with the report's title and month and a
footer "page n of N", and the PDF has an outline of the headings. Chromium embeds the fonts
it uses (subsets); Chinese text needs a CJK font installed (Debian: ``fonts-noto-cjk``).

The browser: the first of :data:`BROWSERS` on the ``PATH`` (Debian's ``chromium``), else
the one Playwright installs itself (``playwright install chromium``). Printing one report
is one browser start and one print, in the run's temporary folder: a failure leaves no PDF
behind, and the caller decides what it means for the run (:func:`.run.run_report`).
"""

from __future__ import annotations

import html
import os
import shutil
import threading
from pathlib import Path

from .. import i18n
from ..errors import PdfError
from ..i18n import _

REPORT_PDF = "report.pdf"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MARGIN = {"top": "16mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}
INSTALL = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or let Playwright fetch its "
    "own (.venv/bin/playwright install chromium), then run again"
)
_TEXT = (
    "font-family: system-ui, 'DejaVu Sans', sans-serif; font-size: 8px; color: #57606a; "
    "width: 100%; margin: 0 12mm;"
)


# A4 less the side margins, in CSS pixels (96 a inch): the width the print is laid out at
_PRINT_WIDTH = round((210 - 24) / 25.4 * 96)
# Tables still wider than their box once wrapped at spaces (print styles) get cx-squeeze,
# which lets their cells break inside words too: only these, since a table so marked also
# breaks the short words of its narrow columns.
_SQUEEZE = """() => { for (const t of document.querySelectorAll('table')) {
  if (t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 0.5)
    t.classList.add('cx-squeeze'); } }"""


def find_browser() -> str | None:
    """The Chromium on the ``PATH`` (``None``: let Playwright use its own, if installed).

    Returns
    -------
    str or None
        The path of the first of :data:`BROWSERS` found on the ``PATH``.
    """
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def open_for_print(browser, source: Path, *, timeout_s: float = 300):
    """A Playwright page of ``browser`` showing ``source`` as it will be printed: print media,
    laid out at the A4 width, the tables that are still too wide squeezed (``_SQUEEZE``).

    Parameters
    ----------
    browser : playwright.sync_api.Browser
        The running browser.
    source : pathlib.Path
        The HTML file to show.
    timeout_s : float, default=300
        The page's default timeout, in seconds.

    Returns
    -------
    playwright.sync_api.Page
        The loaded page.
    """
    page = browser.new_page(viewport={"width": _PRINT_WIDTH, "height": 1000})
    page.set_default_timeout(timeout_s * 1000)
    page.emulate_media(media="print")
    page.goto(Path(source).as_uri(), wait_until="load")
    page.evaluate(_SQUEEZE)
    return page


def _templates(title: str, month: str) -> tuple[str, str]:
    """Chromium's header and footer: the title and the month; "page n of N" (in the
    report's language)."""
    head = f'<div style="{_TEXT}">{html.escape(title)} · {html.escape(i18n.month(month))}</div>'
    pages = html.escape(_("page {page} of {pages}")).format(
        page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>'
    )
    foot = f'<div style="{_TEXT} text-align: right;">{pages}</div>'
    return head, foot


def _first_line(exc: BaseException) -> str:
    lines = [x.strip() for x in str(exc).splitlines() if x.strip() and set(x.strip()) != {"="}]
    return lines[0] if lines else type(exc).__name__


def print_pdf(
    source: str | Path, target: str | Path, *, title: str, month: str, timeout_s: float = 300
) -> Path:
    """Print the HTML file ``source`` as an A4 PDF at ``target`` (written whole or not at all).

    Parameters
    ----------
    source : str or pathlib.Path
        The HTML file (``report.html``).
    target : str or pathlib.Path
        The PDF to write (written to ``<target>.tmp`` first, then moved into place).
    title : str
        The report's title, in each page's header.
    month : str
        The report month, ``"YYYY-MM"``, in each page's header.
    timeout_s : float, default=300
        The browser's timeout for loading and printing, in seconds.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    PdfError
        Playwright is missing, no browser starts, or the browser fails to load or print
        (the message says which, and what to install).
    """
    # Playwright's sync API refuses a thread that runs an asyncio loop (Jupyter, or another
    # sync_playwright still open), so the printing gets a thread of its own.
    done: dict = {}

    def work() -> None:
        """Print, keeping the path or the exception in ``done`` for the caller's thread."""
        try:
            done["path"] = _print(source, target, title=title, month=month, timeout_s=timeout_s)
        except BaseException as exc:  # handed to the caller's thread
            done["error"] = exc

    thread = threading.Thread(target=work, name="cxreport-pdf", daemon=True)
    thread.start()
    thread.join()
    if "error" in done:
        raise done["error"]
    return done["path"]


def _print(source, target, *, title: str, month: str, timeout_s: float) -> Path:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise PdfError(
            "--pdf needs Playwright (pip install playwright, part of cxreport's dependencies)"
            f" and a Chromium browser: {INSTALL}."
        ) from None
    source, target = Path(source), Path(target)
    head, foot = _templates(title, month)
    exe = find_browser()
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=exe, headless=True, args=["--disable-dev-shm-usage"]
            )
        except Error as exc:
            where = exe or "Playwright's own Chromium"
            raise PdfError(
                f"--pdf needs a Chromium browser, and {where} did not start "
                f"({_first_line(exc)}): {INSTALL}."
            ) from None
        try:
            page = open_for_print(browser, source, timeout_s=timeout_s)
            data = page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=head,
                footer_template=foot,
                margin=MARGIN,
                outline=True,
                tagged=True,
            )
        except Error as exc:
            raise PdfError(f"Chromium could not print {source.name}: {_first_line(exc)}") from None
        finally:
            browser.close()
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target
