"""Charts: functions that take analysis results and return matplotlib Figures.

One theme for every chart (:func:`set_theme`, applied by :func:`cxreport.start`; call it
yourself to draw outside a notebook run). Each analysis has its own module here
(``viz.swot``, ``viz.segments``, ...); none computes statistics of its own.

Text from the data (touchpoints, stages, segments, categories, SWOT factors, survey items,
the currency) reaches a chart only through :func:`label`, which bounds it; and the theme turns
off matplotlib's mathtext and TeX, so that no text is ever read as math (``$9.99 or $19.99``
stays as written, ``$\\frac{}$`` cannot fail a chart).
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import seaborn as sns

from ..i18n import N_, _, code

#: Colours with fixed meanings across the report.
GOOD, BAD, NEUTRAL, ACCENT, MUTED = "#2a9d8f", "#d1495b", "#8d99ae", "#264653", "#c9ced6"
PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#d1495b", "#6d597a", "#8d99ae", "#43aa8b"]


def set_theme() -> None:
    """Apply the report's one chart theme (seaborn ``whitegrid``, the palette, fonts with CJK
    glyphs, deterministic SVG ids, text never parsed as math) to matplotlib's global
    settings."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8, 4.5),
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 11,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "cxreport",
            "axes.unicode_minus": False,
            # no text is math: "$" is a dollar, "\\frac" is text (our own labels use Unicode:
            # α, ², −); TeX too would read "$", "%", "_" and "&" in data as commands
            "text.parse_math": False,
            "text.usetex": False,
            # DejaVu first, then a Chinese font for the glyphs it lacks: matplotlib falls
            # back glyph by glyph along font.family (not within the sans-serif alias)
            "font.family": ["DejaVu Sans", *cjk_fonts()[:1], "sans-serif"],
        }
    )
    _show_sharp_with_alt_text()


#: Charts are drawn at this many pixels per inch and shown at half: twice the resolution.
SHARP_DPI = 200


def _show_sharp_with_alt_text() -> None:
    """In a notebook, show each Figure as a PNG at twice its size (displayed at its size)
    with alt text (:func:`alt_text`) in the output's metadata, and each DataFrame without
    row numbers (:func:`frame_html`)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    # the inline backend registers its own PNG formatter when it is first loaded (at the
    # first figure): load it now, so that ours comes after it
    mpl.get_backend()
    if "inline" in mpl.get_backend():
        import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(Figure, _sharp_png)
    import pandas as pd

    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, frame_html)


def frame_html(frame) -> str:
    """A table as the page shows it: without the row numbers of a default index (0, 1, 2
    ... say nothing to a reader); an index that names rows (a segment, a month) is kept.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.

    Returns
    -------
    str
        HTML; pandas' ``display.max_rows`` and ``display.max_columns`` apply.
    """
    import pandas as pd

    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame.to_html(
            index=False,
            border=0,
            classes="dataframe",
            max_rows=pd.get_option("display.max_rows"),
            max_cols=pd.get_option("display.max_columns"),
        )
    return frame._repr_html_()


def _sharp_png(fig):
    import io
    import struct

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=SHARP_DPI, bbox_inches="tight")
    data = buf.getvalue()
    width = struct.unpack(">I", data[16:20])[0]  # the PNG header's IHDR width
    return data, {"width": round(width * 100 / SHARP_DPI), "alt": alt_text(fig)}


def alt_text(fig) -> str:
    """What a chart shows, from its own texts: its title, then each panel's title and axes
    ("Chart: NPS by month. Horizontal axis: month; vertical axis: NPS (points)").

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.

    Returns
    -------
    str
        The text in the report's language: the figure's title (else the first panel's), then
        at most four panels, at most 600 characters.
    """
    from ..i18n import _

    sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    parts = []
    for ax in fig.get_axes():
        title = " ".join(t for t in (ax.get_title("left"), ax.get_title()) if t)
        x, y = ax.get_xlabel(), ax.get_ylabel()
        axes = _("horizontal axis: {x}; vertical axis: {y}", x=x, y=y) if x and y else x or y
        bits = [b for b in (title, axes) if b]
        if bits:
            parts.append(" — ".join(bits))
    what = sup or (parts[0] if parts else "")
    rest = parts[1:] if not sup else parts
    text = _("Chart: {what}", what=what) if what else _("Chart")
    if rest:
        text += ". " + ". ".join(rest[:4])
    return " ".join(text.split())[:600]


#: Chinese fonts tried when fontconfig finds none (Debian's fonts-noto-cjk, WenQuanYi).
CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
_CJK: list[str] | None = None


def cjk_fonts() -> list[str]:
    """Family names of the Chinese fonts on this machine, registered with matplotlib.

    Each file is added to matplotlib's font list directly, so that a font installed after
    matplotlib built its cache (which it never rebuilds by itself) is found all the same.
    Sans before serif, Simplified Chinese first. Empty where there is none: Chinese text
    then draws as boxes (install ``fonts-noto-cjk``; ``.ci/run`` does).

    Returns
    -------
    list of str
        The family names (found once per process, then remembered).
    """
    global _CJK
    if _CJK is None:
        from matplotlib import font_manager

        manager = font_manager.fontManager
        for path in _cjk_files():
            try:
                manager.addfont(path)  # every face of a .ttc collection
            except (OSError, RuntimeError, ValueError):  # a broken or unreadable file
                continue
        files = set(_cjk_files())
        names = {f.name for f in manager.ttflist if str(f.fname) in files}
        # sans before serif, Simplified Chinese before the other CJK faces
        _CJK = sorted(names, key=lambda n: ("Serif" in n, not n.endswith(" SC"), n))
    return list(_CJK)


def _cjk_files() -> list[str]:
    """Font files that cover Chinese (every weight), from fontconfig, else known paths."""
    import os
    import shutil
    import subprocess

    found: list[str] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"],
                capture_output=True, text=True, timeout=30, check=False,
            ).stdout  # fmt: skip
            found = sorted({line.split(":")[0].strip() for line in out.splitlines() if line})
        except (OSError, subprocess.SubprocessError):
            found = []
    return found or [p for p in CJK_FILES if os.path.isfile(p)]


def zoomed(values, *, bounds=(0.0, 100.0), step: float = 5.0, least: float = 20.0):
    """Axis limits that fit ``values`` (NaNs ignored) on a scale within ``bounds``: out to
    the next multiple of ``step``, at least ``least`` wide, so that a change of a few
    points shows without every wobble looking like a swing. The full scale when there is
    nothing to fit.

    Parameters
    ----------
    values : array-like of float
        The values the axis shows.
    bounds : tuple of (float, float), default=(0.0, 100.0)
        Lowest and highest limit of the scale.
    step : float, default=5.0
        The limits are multiples of this (unless widened to ``least``).
    least : float, default=20.0
        Smallest width of the limits.

    Returns
    -------
    tuple of (float, float)
        The lower and upper limit.
    """
    import numpy as np

    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not v.size:
        return bounds
    lo, hi = float(np.floor(v.min() / step) * step), float(np.ceil(v.max() / step) * step)
    if hi - lo < least:
        mid = (hi + lo) / 2
        lo, hi = mid - least / 2, mid + least / 2
    lo, hi = max(bounds[0], lo), min(bounds[1], hi)
    if hi - lo < least:  # pushed against a bound
        lo, hi = (bounds[0], bounds[0] + least) if lo == bounds[0] else (bounds[1] - least, hi)
    return (lo, hi)


#: Characters of data text on one line of a chart (tick labels, legend entries, annotations).
LABEL_WIDTH = 40


def label(value, width: int = LABEL_WIDTH, *, lines: int = 1) -> str:
    """Data text as a chart draws it: at most ``lines`` lines of ``width`` characters (Chinese
    characters, twice as wide, count double), whitespace runs (a pasted comment's line breaks)
    as one space, "…" where it was cut. Tables and exports keep the full text.

    A code (``call_centre``) is shown as its label (:func:`cxreport.i18n.code`: the data
    folder's ``report.labels``, else the code in words, translated). Every data-derived text
    of a chart goes through here: matplotlib's work for a rotated
    label grows with the square of its length (a 3,000-character touchpoint name took 2.2 GB
    and 15 s for one chart; 10,000 characters, 23.5 GB).

    Parameters
    ----------
    value : object
        The text or code (any value is read as ``str``).
    width : int, default=LABEL_WIDTH
        Characters per line (40).
    lines : int, default=1
        Most lines.

    Returns
    -------
    str
        The label, lines joined by ``"\n"``.
    """
    text = " ".join(code(value).split())  # a code reads as its label ("call_centre": Call centre)
    head = text[: width * (lines + 1)]  # enough to tell a cut: the work is bounded
    if any("\u4e00" <= ch <= "\u9fff" for ch in head):
        # Chinese: twice as wide, and no spaces to wrap at: rows of characters
        width = max(1, width // 2)
        rows = [head[i : i + width] for i in range(0, len(head), width)]
    else:
        rows = textwrap.wrap(head, width)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1][: width - 1].rstrip() + "…"
    return "\n".join(rows)


def notes_html(notes, *, title: str = N_("Notes")):
    """Notes as an escaped HTML list for the notebook (nothing when there are none).

    Parameters
    ----------
    notes : sequence
        The notes (each shown as ``str``).
    title : str, default=N_("Notes")
        Heading of the list, translated into the report's language.

    Returns
    -------
    IPython.display.HTML
    """
    import html

    from IPython.display import HTML

    if not notes:
        return HTML("")
    items = "".join(f"<li>{html.escape(str(n))}</li>" for n in notes)
    return HTML(
        f"<div style='border-left:4px solid #e9c46a;padding:4px 12px;"
        f"background:#fdf6e3'><b>{html.escape(_(title))}</b><ul>{items}</ul></div>"
    )
