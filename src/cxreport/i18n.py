"""The report's language: one message catalogue per language, and numbers and dates for it.

Every sentence, heading, chart label and table header a reader sees is written in English in
the code and the notebooks, and looked up in ``resources/locale/<lang>.po`` when the report is
in another language (gettext's format, read with Babel: a translator edits that one file, with
Poedit or any text editor). A text with no translation yet shows in English; the tests list any
that lack one. Texts with values are templates with named fields (``"NPS {nps} this month"``),
translated first and filled in after, so a translation may put the fields in its own order.

The language is the run's (``lang``: ``report.lang`` in cxreport.yaml or ``cxreport run
--lang``), set once per kernel by :func:`set_language`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from importlib import resources

from .errors import ParameterError

#: The report's languages: code → Babel locale.
LANGUAGES = {"en": "en", "zh": "zh_Hans_CN"}
DEFAULT = "en"

_current = DEFAULT


def set_language(lang: str) -> None:
    """Make ``lang`` (``"en"`` or ``"zh"``) the language of everything shown from now on.

    Parameters
    ----------
    lang : str
        A key of :data:`LANGUAGES`; anything else is a :class:`ParameterError`.
    """
    global _current
    if lang not in LANGUAGES:
        raise ParameterError(
            f"The 'lang' parameter must be one of {', '.join(map(repr, LANGUAGES))}; got {lang!r}."
        )
    _current = lang


def report_language(lang: str, report) -> str:
    """The report's language: ``lang`` when given (``--lang``, a notebook's ``lang``), else
    the data folder's ``report.lang`` (``report``: that section), else English.

    Parameters
    ----------
    lang : str
        The language asked for; empty: none.
    report : mapping
        The ``report`` section of cxreport.yaml.

    Returns
    -------
    str
        The language code (not checked: :func:`set_language` does that).
    """
    return lang or str(report.get("lang") or DEFAULT)


def language() -> str:
    """The current language's code (:func:`set_language`; ``"en"`` until it is called).

    Returns
    -------
    str
    """
    return _current


def key(text: str) -> str:
    """A text's catalogue key: its lines without trailing spaces, blank lines at the ends
    dropped (so an edit of the layout alone keeps the translation).

    Parameters
    ----------
    text : str
        A text as written in the code or a notebook.

    Returns
    -------
    str
    """
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """``lang``'s translations (key → text); empty for English, the code's own language.

    Parameters
    ----------
    lang : str
        A key of :data:`LANGUAGES`; its catalogue is ``resources/locale/<lang>.po``.

    Returns
    -------
    dict of str to str
        :func:`key` of each message -> its translation, for the translated messages that
        are not fuzzy (read once per language, then cached).
    """
    if lang == DEFAULT:
        return {}
    from babel.messages.pofile import read_po

    path = resources.files("cxreport").joinpath(f"resources/locale/{lang}.po")
    with path.open("rb") as f:
        cat = read_po(f, locale=LANGUAGES[lang])
    return {key(m.id): m.string for m in cat if m.id and m.string and not m.fuzzy}


def _(text: str, **fields) -> str:
    """``text`` in the report's language, its ``{fields}`` filled in (from ``fields``).

    Parameters
    ----------
    text : str
        The English text, a template when it has ``{fields}``.
    **fields
        The values of its fields (``str.format``); without any the text is not formatted.

    Returns
    -------
    str
        The translation, or ``text`` when there is none.
    """
    found = catalogue(_current).get(key(text)) if _current != DEFAULT else None
    out = found if found is not None else text
    return out.format(**fields) if fields else out


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue where it is translated later (by :func:`_` on the
    variable that holds it): gettext's ``gettext_noop``.

    Parameters
    ----------
    text : str
        The English text.

    Returns
    -------
    str
        ``text`` unchanged.
    """
    return text


#: The codes cxreport knows (the EODC stages, the usual touchpoints, FedEx's failure types
#: and the sample's) and their labels, translated like any other text.
CODES = {
    "explore": N_("Explore"), "offer": N_("Offer"), "do": N_("Do"), "confirm": N_("Confirm"),
    "website": N_("Website"), "call_centre": N_("Call centre"), "store": N_("Store"),
    "delivery": N_("Delivery"), "billing": N_("Billing"), "repair": N_("Repair"),
    "complaint_handling": N_("Complaint handling"),
    "late_within_day": N_("Late within the day"), "late_over_day": N_("Late by a day or more"),
    "trace_unanswered": N_("Trace unanswered"), "complaint_reopened": N_("Complaint reopened"),
    "pod_missing": N_("Proof of delivery missing"), "invoice_corrected": N_("Invoice corrected"),
    "pickup_missed": N_("Pickup missed"), "damaged": N_("Damaged parcel"),
    "lost": N_("Lost parcel"), "overgoods": N_("Overgoods (no label)"),
    "aircraft_late": N_("Aircraft late"), "call_abandoned": N_("Call abandoned"),
    "website_error": N_("Website error"), "store_wait_over_4min": N_("Store wait over 4 min"),
    "repair_not_fixed_first_time": N_("Repair not fixed first time"),
    # SERVQUAL's dimensions and the ECSI/ACSI blocks (the default survey model's words)
    "tangibles": N_("Tangibles"), "reliability": N_("Reliability"),
    "responsiveness": N_("Responsiveness"), "assurance": N_("Assurance"),
    "empathy": N_("Empathy"), "image": N_("Image"), "expectation": N_("Expectation"),
    "quality": N_("Quality"),
    "satisfaction": N_("Satisfaction"), "complaints": N_("Complaints"),
    "loyalty": N_("Loyalty"), "csi": N_("CSI"),
}  # fmt: skip

_labels: dict[str, str] = {}


def set_labels(labels) -> None:
    """The data folder's own labels for its codes (``report.labels`` of cxreport.yaml:
    ``{call_centre: "Contact centre"}``), used as they are, in every language.

    Parameters
    ----------
    labels : mapping or None
        Code -> label (keys and values taken as text); None or empty: no labels of its own.
    """
    global _labels
    _labels = {str(k): str(v) for k, v in dict(labels or {}).items()}


def code(value) -> str:
    """A code from the data as a reader's label: the folder's own label (``report.labels``)
    when it has one, else a known code's label (:data:`CODES`, translated: 呼叫中心), else
    the code in words (``call_centre`` → "Call centre"). Text that is not a code is returned
    as it is.

    Parameters
    ----------
    value : object
        The code (taken as text).

    Returns
    -------
    str
    """
    text = str(value)
    if text in _labels:
        return _labels[text]
    if text in CODES:
        return _(CODES[text])
    if len(text) > 32 or not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]+", text):
        return text
    shown = text.replace("_", " ")
    return shown[0].upper() + shown[1:]


def missing(texts, lang: str = "zh") -> list[str]:
    """The texts among ``texts`` that ``lang``'s catalogue does not translate.

    Parameters
    ----------
    texts : iterable of str
        The texts to look up (blank ones are skipped).
    lang : str, default="zh"
        The catalogue's language.

    Returns
    -------
    list of str
        In the order of ``texts``.
    """
    cat = catalogue(lang)
    return [t for t in texts if key(t) and key(t) not in cat]


# ------------------------------------------------------------------------------------------
# numbers and dates
# ------------------------------------------------------------------------------------------


def locale() -> str:
    """The current language's Babel locale (:data:`LANGUAGES`).

    Returns
    -------
    str
    """
    return LANGUAGES[_current]


def html_lang() -> str:
    """The ``lang`` attribute of a page in the current language (what the browser picks
    fonts and line breaks by).

    Returns
    -------
    str
        ``"zh-CN"`` for Chinese, else the language's code.
    """
    return {"zh": "zh-CN"}.get(_current, _current)


def number(x, decimals: int = 0) -> str:
    """``x`` with the locale's grouping and ``decimals`` places; "–" for a missing one.

    Parameters
    ----------
    x : number or None
        The number; None, NaN and infinite floats are missing.
    decimals : int, default=0
        Decimal places shown.

    Returns
    -------
    str
    """
    from babel.numbers import format_decimal

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, format=pattern, locale=locale())


def with_unit(text: str, unit: str) -> str:
    """A shown number and its unit: "%" right after it, any other unit after a space and in
    the report's language ("12.5 pts": "12.5 分").

    Parameters
    ----------
    text : str
        The number as shown.
    unit : str
        Its unit (English, translated here); empty: none.

    Returns
    -------
    str
    """
    u = unit.strip()
    if u in ("%", ""):
        return text + u
    return f"{text} {_(u)}"


def percent(fraction, decimals: int = 1) -> str:
    """A share of 1 as a percentage: ``0.485`` → "48.5 %" (English), "48.5%" (Chinese).

    Parameters
    ----------
    fraction : number or None
        The share; None, NaN and infinite floats give "–".
    decimals : int, default=1
        Decimal places of the percentage.

    Returns
    -------
    str
    """
    if fraction is None or (isinstance(fraction, float) and not math.isfinite(fraction)):
        return "–"
    sep = "" if _current == "zh" else " "
    return f"{number(100 * fraction, decimals)}{sep}%"


def month(period) -> str:
    """A month as the locale writes it: "Oct 2026", "2026年10月".

    Parameters
    ----------
    period : pandas.Period or str
        The month: a period (its start's month), or text starting ``"YYYY-MM"``; shorter
        text is returned as it is.

    Returns
    -------
    str
    """
    from babel.dates import format_skeleton

    p = period if hasattr(period, "start_time") else None
    day = (
        p.start_time.date()
        if p is not None
        else dt.date.fromisoformat(str(period)[:7] + "-01")
        if len(str(period)) >= 7
        else None
    )
    if day is None:
        return str(period)
    return format_skeleton("yMMM", day, locale=locale())


# ------------------------------------------------------------------------------------------
# the catalogue's texts (``python -m cxreport.i18n`` after changing any)
# ------------------------------------------------------------------------------------------


# ``_("...")`` / ``_('...')`` in a Jinja template (the index page)
_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"([^"]*)"|'([^']*)')""")


def texts(checkout) -> dict[str, tuple[str, int]]:
    """Every text a reader may see in translation, key → (file, line or cell): the first
    argument of each ``_("...")`` or ``N_("...")`` call in the package, its page templates
    and the notebooks' code, each notebook's Markdown cells, and the texts of the shipped
    SERVQUAL items (the survey's default questions).

    Parameters
    ----------
    checkout : str or pathlib.Path
        The project's checkout (holding ``src/cxreport`` and ``notebooks``).

    Returns
    -------
    dict of str to tuple of (str, int)
        :func:`key` of each text -> where it is first found: the file relative to
        ``checkout`` and the line (in a notebook: a Markdown cell's number, counted from 0,
        or the line within a code cell).
    """
    import ast
    import csv
    import json
    from pathlib import Path

    root = Path(checkout)
    found: dict[str, tuple[str, int]] = {}

    def calls(source: str, where: str) -> None:
        """Add the texts of the ``_()`` and ``N_()`` calls of Python ``source`` to ``found``.

        Parameters
        ----------
        source : str
            Python source.
        where : str
            The file it comes from, as recorded.
        """
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(key(node.args[0].value), (where, node.lineno))

    for path in sorted((root / "src" / "cxreport").rglob("*.py")):
        calls(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    items = root / "src" / "cxreport" / "resources" / "servqual_items.csv"
    for i, row in enumerate(csv.DictReader(items.read_text(encoding="utf-8").splitlines())):
        found.setdefault(key(row["text"]), (str(items.relative_to(root)), i + 2))
    for path in sorted((root / "src" / "cxreport" / "resources").glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        for m in _TEMPLATE_CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(key(m[1] or m[2]), (str(path.relative_to(root)), line))
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and key(source):
                found.setdefault(key(source), (str(path.relative_to(root)), i))
            elif cell["cell_type"] == "code" and "_(" in source:
                calls(source, str(path.relative_to(root)))
    return found


def update(checkout, lang: str = "zh") -> tuple[int, int]:
    """Bring ``resources/locale/<lang>.po`` in line with :func:`texts`: new texts added
    untranslated, texts no longer used dropped; the translations kept. Returns (added,
    dropped).

    Parameters
    ----------
    checkout : str or pathlib.Path
        The project's checkout (as for :func:`texts`).
    lang : str, default="zh"
        The catalogue's language.

    Returns
    -------
    tuple of int
        ``(added, dropped)``: the numbers of texts added and dropped.
    """
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = Path(checkout) / "src" / "cxreport" / "resources" / "locale" / f"{lang}.po"
    old = {}
    if path.is_file():
        with path.open("rb") as f:
            old = {key(m.id): m.string for m in read_po(f, locale=LANGUAGES[lang]) if m.id}
    now = texts(checkout)
    # a fixed creation date: the file changes only when its texts do
    cat = Catalog(
        locale=LANGUAGES[lang],
        project="cxreport",
        charset="utf-8",
        creation_date=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        revision_date=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        language_team="cxreport <https://github.com/cxreport>",
    )
    for text, where in now.items():
        cat.add(text, old.get(text, ""), locations=[where])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        # locations without line numbers: the file changes when its texts do, not its code
        write_po(f, cat, width=100, sort_output=False, include_lineno=False)
    return len(set(now) - set(old)), len(set(old) - set(now))


def main() -> None:  # pragma: no cover - a translator's command: `make catalogue`
    """Update the Chinese catalogue of this checkout (:func:`update`) and say what changed."""
    from pathlib import Path

    added, dropped = update(Path(__file__).resolve().parents[2])
    print(f"resources/locale/zh.po: {added} new text(s) to translate, {dropped} dropped")
