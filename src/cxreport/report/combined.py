"""``report.html``: the whole report as one self-contained file, and what ``report.pdf`` prints.

The index page first, then every analysis page in run order, each in a ``<section>`` of its
own (``id="page-<name>"``; in print each starts on a new page). It is put together from the
finished pages, after the customer-id guard has scrubbed them, so it shows exactly what they
show:

- the styles once: the notebook pages' (nbconvert's lab CSS and ours, the same on every page)
  and the index page's (its rules are scoped to ``.cx-index``);
- links between the pages become anchors: ``03_churn.html`` → ``#page-03_churn``,
  ``index.html`` → ``#page-index``, ``03_churn.html#Summary`` → ``#03_churn--Summary``;
- headings' ids, and any other id a link of the page points at, get their page's prefix
  (``Summary`` → ``03_churn--Summary``), and the links to them too, since two pages may both
  have a "Response quality" section (other ids are unique already: cells, styled tables);
- images are already embedded (data URIs), so nothing else is needed; links to the CSV
  exports stay relative (they resolve beside the report).

The pages are cxreport's own output (nbconvert and the templates in ``resources/``, attribute
values in double quotes, text escaped by the sanitiser), so a regular expression over their
tags is enough; ``<style>`` and ``<script>`` content is left alone.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from .. import i18n

REPORT_HTML = "report.html"
INDEX = "index"
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_BODY = re.compile(r"<body\b(?P<attrs>[^>]*)>(?P<body>.*)</body>", re.S | re.I)
_RAW = re.compile(r"(<(style|script)\b.*?</\2>)", re.S | re.I)  # kept as they are
_TAG = re.compile(r"<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)\b(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r'(?P<pre>\s(?P<name>id|href)=")(?P<value>[^"]*)(?P<post>")')
_HEADING = re.compile(r"h[1-6]", re.I)

_SCREEN = """
  .cx-page + .cx-page { border-top: 6px solid #d0d7de; margin-top: 32px; }
  @media print {
    .cx-page + .cx-page { border-top: none; margin-top: 0; break-before: page; }
  }
"""


def _head_styles(page: str) -> str:
    head = page[: page.lower().find("<body")]
    return "\n".join(_STYLE.findall(head))


def _parts(page: str) -> tuple[str, str]:
    """The ``<body>``'s attributes and content of a page."""
    m = _BODY.search(page)
    if m is None:
        raise ValueError("not a cxreport page: no <body>")
    return m["attrs"], m["body"]


def _target(href: str, name: str, local: set[str], pages: set[str]) -> str:
    """Where a link of page ``name`` points inside the one file."""
    if href.startswith("#"):
        anchor = html.unescape(href[1:])
        return f"#{name}--{href[1:]}" if anchor in local else href
    file, _, anchor = href.partition("#")
    stem = file.removesuffix(".html")
    if file.endswith(".html") and "/" not in file and stem in pages:
        return f"#{stem}--{anchor}" if anchor else f"#page-{stem}"
    return href


def _relink(body: str, name: str, pages: set[str]) -> str:
    """Prefix the page's own anchors and point its links inside the one file."""
    pieces = _RAW.split(body)  # _RAW has two groups: text, raw block, its tag name, text, ...
    # the ids to prefix: every heading's, and any other that a link of the page points at
    local = set()
    for text in pieces[0::3]:
        for m in _TAG.finditer(text):
            for a in _ATTR.finditer(m["attrs"]):
                value = html.unescape(a["value"])
                if a["name"] == "id" and _HEADING.fullmatch(m["tag"]):
                    local.add(value)
                elif a["name"] == "href" and value.startswith("#"):
                    local.add(value[1:])

    def attr(tag: str):
        def sub(a: re.Match) -> str:
            value = a["value"]
            if a["name"] == "id" and html.unescape(value) in local:
                value = f"{name}--{value}"
            elif a["name"] == "href" and tag.lower() == "a":
                value = _target(value, name, local, pages)
            return a["pre"] + value + a["post"]

        return sub

    def tag(m: re.Match) -> str:
        attrs = _ATTR.sub(attr(m["tag"]), m["attrs"])
        return f"<{m['tag']}{attrs}>"

    out = []
    for i, piece in enumerate(pieces):
        if i % 3 == 0:
            out.append(_TAG.sub(tag, piece))
        elif i % 3 == 1:
            out.append(piece)
    return "".join(out)


def combine(folder: Path, names: list[str], *, title: str, month: str) -> str:
    """The one-file report of ``folder``: ``index.html``, then ``<name>.html`` for each name.

    Parameters
    ----------
    folder : pathlib.Path
        The report folder holding the finished (scrubbed) pages.
    names : list of str
        The analysis pages' names (stems), in run order.
    title : str
        The report's title, for the ``<title>``.
    month : str
        The report month, ``"YYYY-MM"``, for the ``<title>``.

    Returns
    -------
    str
        The whole HTML document.
    """
    pages = {INDEX, *names}
    index = (folder / f"{INDEX}.html").read_text(encoding="utf-8")
    texts = {n: (folder / f"{n}.html").read_text(encoding="utf-8") for n in names}
    styles = [_head_styles(texts[names[0]])] if names else []
    styles.append(_head_styles(index))
    sections = []
    for n, page in [(INDEX, index), *texts.items()]:
        attrs, body = _parts(page)
        attrs = re.sub(r'\sclass="([^"]*)"', r' class="cx-page \1"', attrs, count=1)
        if "class=" not in attrs:
            attrs += ' class="cx-page"'
        sections.append(f'<section id="page-{n}"{attrs}>{_relink(body, n, pages)}</section>')
    e = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{i18n.html_lang()}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} · {e(i18n.month(month))}</title>\n"
        + "\n".join(styles)
        + f"\n<style>{_SCREEN}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def write_combined(folder: Path, names: list[str], *, title: str, month: str) -> Path:
    """Write ``report.html`` into ``folder`` (see :func:`combine`), whole or not at all.

    Parameters
    ----------
    folder : pathlib.Path
        The report folder, passed to :func:`combine`.
    names : list of str
        The analysis pages' names, in run order, passed to :func:`combine`.
    title : str
        The report's title, passed to :func:`combine`.
    month : str
        The report month, passed to :func:`combine`.

    Returns
    -------
    pathlib.Path
        The ``report.html`` written.
    """
    path = folder / REPORT_HTML
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(combine(folder, names, title=title, month=month), encoding="utf-8")
    os.replace(tmp, path)
    return path
