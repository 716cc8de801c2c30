"""Charts: functions that take analysis results and return matplotlib Figures.

One theme for every chart (:func:`set_theme`, applied by :func:`cxreport.start`; call it
yourself to draw outside a notebook run). Each analysis has its own module here
(``viz.swot``, ``viz.segments``, ...); none computes statistics of its own.
"""

from __future__ import annotations

import matplotlib as mpl
import seaborn as sns

#: Colours with fixed meanings across the report.
GOOD, BAD, NEUTRAL, ACCENT, MUTED = "#2a9d8f", "#d1495b", "#8d99ae", "#264653", "#c9ced6"
PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#d1495b", "#6d597a", "#8d99ae", "#43aa8b"]


def set_theme() -> None:
    """Apply the report's one chart theme (seaborn ``whitegrid``, the palette, fonts with CJK
    glyphs, deterministic SVG ids) to matplotlib's global settings."""
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
            "font.sans-serif": [
                "DejaVu Sans",
                "Noto Sans CJK SC",
                "WenQuanYi Zen Hei",
                "sans-serif",
            ],
        }
    )


def notes_html(notes, *, title: str = "Notes"):
    """Notes as an escaped HTML list for the notebook (nothing when there are none)."""
    import html

    from IPython.display import HTML

    if not notes:
        return HTML("")
    items = "".join(f"<li>{html.escape(str(n))}</li>" for n in notes)
    return HTML(
        f"<div style='border-left:4px solid #e9c46a;padding:4px 12px;"
        f"background:#fdf6e3'><b>{html.escape(title)}</b><ul>{items}</ul></div>"
    )


def label(text, *, limit: int = 40) -> str:
    """Text from the data as a chart label: shortened to ``limit`` characters and with ``$``
    escaped, so that a complaint category such as "$5 fee" is shown as typed instead of
    switching matplotlib to mathtext."""
    s = str(text)
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return s.replace("$", r"\$")
