"""Shareable HTML for one executed notebook: code hidden, sanitised, headed, with a contents list.

The export is nbconvert's ``lab`` template extended by ``resources/report_notebook.html.j2``:

- code cells' inputs and prompts are left out unless ``show_code`` (``--show-code``); the
  ``injected-parameters`` cell is always removed (it holds the pseudonym key);
- every HTML/Markdown output goes through :func:`clean_html`: a bleach allow-list that keeps
  what pandas, Styler and Markdown produce (tables, headings, inline CSS) and shows anything
  else, ``<script>`` and ``<img onerror=...>`` included, as literal text;
- figures are inline PNG data URIs (nbconvert inlines code-output images), and the page loads
  nothing from the network (require.js, MathJax and Mermaid are not linked), so one file
  stands alone;
- a header names the report, the month and the data folder, and lists the notebook's
  headings as a table of contents.

Customer ids left in the page are replaced afterwards, with those of every other file of the
report (:mod:`.idguard`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources as _resources
from pathlib import Path

import bleach
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer

from .. import i18n
from ..i18n import _

TOC_MARK = "<!--cxreport-toc-->"

# Tags that pandas (DataFrame and Styler), IPython displays, Markdown and papermill's error
# banner produce. Deliberately absent: script, img, iframe, object, form, input, svg, link.
# With strip=False, a tag not listed here is escaped, so it shows as text instead of acting.
_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption "
    "figure h1 h2 h3 h4 h5 h6 hr i ins kbd li mark ol p pre q s small span strong style sub "
    "summary sup table tbody td tfoot th thead tr u ul".split()
)
_ATTRIBUTES = {
    "*": ["class", "id", "style", "title", "align", "lang", "dir"],
    "a": ["href", "title", "class", "id"],
    "td": ["class", "id", "style", "colspan", "rowspan", "align"],
    "th": ["class", "id", "style", "colspan", "rowspan", "align", "scope"],
    "table": ["class", "id", "style", "border"],
    "col": ["span", "style", "class"],
    "colgroup": ["span", "style", "class"],
    "style": ["type", "scoped"],
    "ol": ["start", "class", "id", "style"],
}
_CSS = CSSSanitizer(
    allowed_css_properties=ALLOWED_CSS_PROPERTIES
    | {
        "text-align",
        "vertical-align",
        "white-space",
        "font-family",
        "border-collapse",
        "padding",
        "margin",
        "max-width",
        "min-width",
        "opacity",
    }
)


def clean_html(fragment) -> str:
    """Sanitise an HTML fragment from a notebook (outputs and Markdown).

    Markup outside the allow-list (``<script>``, ``<img>``, event handlers, ``javascript:``
    links, ...) is escaped or dropped, never passed through: data-derived text that was not
    escaped by the notebook still renders as text in the shared report.

    Parameters
    ----------
    fragment : str or bytes
        The HTML (bytes are decoded as UTF-8; anything else is taken as ``str(fragment)``).

    Returns
    -------
    str
        The sanitised HTML, with ``@import`` and remote ``url(...)`` removed from its style
        blocks.
    """
    text = fragment.decode() if isinstance(fragment, bytes) else str(fragment)
    cleaned = bleach.clean(
        text,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        protocols=["http", "https", "mailto"],
        css_sanitizer=_CSS,
        strip=False,
        strip_comments=True,
    )
    return _STYLE_BLOCK.sub(lambda m: m[1] + _offline_css(m[2]) + m[3], cleaned)


# a <style> block's rules pass bleach unchanged: pandas' Styler writes them
_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
_IMPORT = re.compile(r"@import\b[^;]*;?", re.I)
_REMOTE_URL = re.compile(r"url\(\s*(?!['\"]?data:)[^)]*\)", re.I)


def _offline_css(css: str) -> str:
    """A style block without what would fetch from elsewhere when the page opens (``@import``
    of another sheet, ``url(http://...)``): a shared report calls no server."""
    return _REMOTE_URL.sub("none", _IMPORT.sub("", css))


class _Headings(HTMLParser):
    """Collect ``<h1>``–``<h3>`` with an ``id`` (nbconvert gives Markdown headings one)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3") and self._open is None:
            ident = dict(attrs).get("id")
            if ident:
                self._open = (int(tag[1]), ident)
                self._text = []
        elif (
            tag == "a"
            and self._open is not None
            and "anchor-link" in (dict(attrs).get("class") or "")
        ):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._open is not None and tag == f"h{self._open[0]}":
            text = " ".join("".join(self._text).split())
            if text:
                self.found.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data):
        if self._open is not None and not self._skip:
            self._text.append(data)


def table_of_contents(body: str, *, skip_title: str = "") -> str:
    """An escaped ``<ol>`` of the page's headings (``""`` when there are fewer than two).

    Parameters
    ----------
    body : str
        The page's HTML; its ``<h1>``-``<h3>`` that have an ``id`` are listed.
    skip_title : str, default=""
        A heading text to leave out (the page's title, which the header shows).

    Returns
    -------
    str
        A ``<details class="cx-toc">`` holding the list of links, indented by heading level.
    """
    parser = _Headings()
    parser.feed(body)
    heads = [h for h in parser.found if h[2].strip() != skip_title.strip()]
    if len(heads) < 2:
        return ""
    top = min(level for level, _, _ in heads)
    items = "".join(
        f'<li class="cx-toc-l{level - top}"><a href="#{html.escape(ident)}">'
        f"{html.escape(text)}</a></li>"
        for level, ident, text in heads
    )
    # a flat list indented by level: headings carry their own numbers ("2. SQI"), and a
    # flat <ol> would renumber them 1, 4, 7 around the sub-headings
    return (
        f'<details class="cx-toc" open><summary>{html.escape(_("Contents"))}</summary>'
        f"<ul>{items}</ul></details>"
    )


@dataclass
class PageInfo:
    """What the header of an exported notebook says."""

    title: str
    month: str
    data_source: str
    status: str = "ok"  # or "failed", "skipped"
    error: str = ""  # one line, shown for a failed or skipped notebook
    generated: str = ""  # run time stamp, shown in the footer line
    version: str = ""
    summary: str = ""  # the page's summary, escaped HTML (indexpage.page_summary)


def _header_html(info: PageInfo) -> str:
    e = html.escape
    failed = ""
    if info.status == "skipped":
        failed = (
            '<p class="cx-skipped" role="note">'
            f"{e(_('Not run on this data: {why}', why=info.error))}</p>"
        )
    elif info.status != "ok":
        why = _(
            "This notebook failed: {why}. The results below stop where it failed.", why=info.error
        )
        failed = f'<p class="cx-failed" role="alert">{e(why)}</p>'
    meta = [
        f"{e(_('Reporting month'))} <strong>{e(i18n.month(info.month))}</strong>",
        f"{e(_('Data'))} <code>{e(info.data_source)}</code>",
    ]
    if info.generated:
        meta.append(f"{e(_('Run'))} {e(info.generated)}")
    if info.version:
        meta.append(f"cxreport {e(info.version)}")
    return (
        '<header class="cx-header">'
        f'<p class="cx-kicker"><a href="index.html">&larr; {e(_("Monthly CX report"))}</a></p>'
        f'<h1 class="cx-title">{e(info.title)}</h1>'
        f'<p class="cx-meta">{" · ".join(meta)}</p>{failed}{info.summary}{TOC_MARK}</header>'
    )


def _drop_title(cell, title: str) -> None:
    """Remove a leading ``# <title>`` line that repeats the page header."""
    lines = cell.source.lstrip("\n").splitlines()
    if lines and lines[0].startswith("# ") and lines[0][2:].strip() == title.strip():
        cell.source = "\n".join(lines[1:]).lstrip("\n")


def _prepare(nb, *, show_code: bool, title: str = ""):
    """Drop cells that must not or need not appear in the HTML."""
    nb = nb.copy() if hasattr(nb, "copy") else nb
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _(cell.source)  # the page's language (English when not translated)
    first_md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first_md is not None and title:
        _drop_title(first_md, title)
    keep = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "injected-parameters" in tags:
            continue  # holds the pseudonym key and absolute paths
        if not show_code and cell.cell_type == "code":
            if "parameters" in tags or not cell.get("outputs"):
                continue
        keep.append(cell)
    nb.cells = keep
    return nb


def _exporter(show_code: bool):
    from nbconvert import HTMLExporter

    base = Path(str(_resources.files("cxreport") / "resources"))
    return HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(base)],
        template_file="report_notebook.html.j2",
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=not show_code,
        sanitize_html=True,
        filters={"clean_html": clean_html},
    )


def export_html(nb, path: str | Path, info: PageInfo, *, show_code: bool = False) -> Path:
    """Write the shareable HTML of an executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified).
    path : path
        Where to write the ``.html``.
    info : PageInfo
        Title, month, data source and status for the header.
    show_code : bool, default=False
        Include code cells' inputs (the ``injected-parameters`` cell stays out).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import copy

    work = _prepare(copy.deepcopy(nb), show_code=show_code, title=info.title)
    work.metadata["title"] = f"{info.title} · {info.month}"
    body, _ = _exporter(show_code).from_notebook_node(
        work, resources={"cxreport_header": _header_html(info)}
    )
    body = body.replace(TOC_MARK, table_of_contents(body, skip_title=info.title), 1)
    body = re.sub(r"<html\b[^>]*>", f'<html lang="{i18n.html_lang()}">', body, count=1)
    path = Path(path)
    path.write_text(body, encoding="utf-8")
    return path
