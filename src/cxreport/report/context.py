"""What a notebook calls around its analysis: start a run, record KPIs, export tables.

The first cell after the ``parameters`` cell is always::

    run = cxreport.start("03_churn", globals())

It checks the notebook's declared settings (:mod:`cxreport.report.notebooks`), loads and
validates the data folder for the month, applies the one theme of the charts and shows a "what
was run" table, so the code-free HTML export still says which data, month and settings
produced it. KPIs go through ``run.record(...)``; the last cell calls ``run.kpis()``, which
shows them as a table and embeds them (mimetype :data:`METRIC_MIME`) for
``cxreport run`` to collect into ``metrics.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import i18n
from .._version import __version__
from ..data import Dataset, load, parse_month
from ..errors import CxReportError
from ..i18n import N_, _
from . import exports
from .indexpage import METRIC_MIME, finite

#: The units the notebooks record: English in metrics.json (what the index reads), shown
#: in the page's language.
UNIT_WORDS = (N_("pts"), N_("days"), N_("per 1,000"))


@dataclass
class Metric:
    """One KPI of a page as :meth:`Run.record` records it (an entry of ``metrics.json``)."""

    name: str
    value: float | str
    label: str
    unit: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    higher_is_better: bool | None = True
    n: int | None = None
    note: str = ""
    # the previous month from the data: value, ci_low, ci_high, se, label (Run.record)
    previous: dict | None = None
    # the folder's target for this KPI (targets table, dimension = the KPI's name): value, label
    target: dict | None = None


@dataclass
class Action:
    """One thing to do that a page's results point to (:meth:`Run.action`)."""

    text: str  # what to do, in the page's language
    evidence: str  # the result it rests on
    customers: float | None = None  # customers at stake: how the index ranks actions
    anchor: str = ""  # where on the page the evidence is


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def pseudonymise(ids, key: str) -> pd.Series:
    """Stable pseudonyms ``C-xxxxxxxx`` for customer ids (HMAC-SHA256 with the report key).

    Parameters
    ----------
    ids : array-like
        Customer ids (compared as ``str``); None and NaN stay None.
    key : str
        The report's pseudonym key.

    Returns
    -------
    pandas.Series
        One pseudonym (or None) per id, in the order and with the index of ``pd.Series(ids)``.
    """
    k = key.encode()
    s = pd.Series(ids)
    return s.map(
        lambda v: (
            None
            if v is None or (isinstance(v, float) and math.isnan(v))
            else "C-" + hmac.new(k, str(v).encode(), hashlib.sha256).hexdigest()[:10]
        )
    )


@dataclass(repr=False)  # the default repr would print every table (raw ids) into the notebook
class Run:
    """One notebook's run: the data, the month, the settings and what it records."""

    title: str
    data: Dataset
    seed: int
    export_dir: Path | None
    history_dir: Path | None
    show_ids: bool
    id_key: str = field(repr=False)  # never in a displayed repr (it is in the saved notebook)
    settings: dict
    metrics: list[Metric] = field(default_factory=list)
    exported: list[str] = field(default_factory=list)
    units: dict[str, dict[str, str]] = field(default_factory=dict)  # export file → its units
    #: the segmentation's settings (k, k_min, ...; defaults filled in), the same on every page
    segment_settings: dict = field(default_factory=dict)
    #: the page's language, "en" or "zh" (:mod:`cxreport.i18n`)
    lang: str = "en"
    #: the page's summary: findings (sentences) and actions, shown at its top
    findings: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def month(self) -> pd.Period:
        """The report month (the data's).

        Returns
        -------
        pandas.Period
        """
        return self.data.month

    def segments(self, month=None) -> pd.Series:
        """Segment labels (customer_id → segment) as of a month's end, default the report
        month: the segments of the segmentation page, computed once per run and shared by
        every page (see :mod:`cxreport.report.segment_labels`). For another month, that
        month's customers placed in the report month's segments by its yardstick, as the
        segmentation page compares last month: one yardstick for both months.

        Parameters
        ----------
        month : str, pandas.Period or None, default=None
            The month, anything ``pandas.Period(month, freq="M")`` reads; None for the report month.

        Returns
        -------
        pandas.Series
            Segment per customer, indexed by ``customer_id``.

        Raises
        ------
        CxReportError
            Another month was asked for, and the segments come from customer attributes (no
            yardstick).
        """
        from . import segment_labels

        folder = segment_labels.cache_dir(self.history_dir)
        name = segment_labels.key(self.data, self.month, self.seed, self.segment_settings)
        month = self.month if month is None else pd.Period(month, freq="M")
        if month == self.month:
            return segment_labels.labels(folder, name, self._segment)
        ruler = segment_labels.yardstick(folder, name, self._segment)
        if ruler is None:
            raise CxReportError(
                "The segments come from customer attributes, which have no history: there "
                f"are no segments as of {month} to compare."
            )
        return ruler.labels_at(self.data, month)

    def _segment(self):
        from .. import segments as seg

        return seg.segment(self.data, seed=self.seed, **seg.label_settings(self.segment_settings))

    def segmentation(self, compute):
        """The segmentation page's own result, ``compute()`` (a
        :class:`cxreport.segments.SegmentResult`), computed while holding the run's
        segmentation lock and its labels kept for the other pages: a page asking for
        :meth:`segments` meanwhile waits for these labels instead of computing the same
        segmentation beside it.

        Parameters
        ----------
        compute : callable
            Called with no arguments; returns a :class:`cxreport.segments.SegmentResult`.

        Returns
        -------
        cxreport.segments.SegmentResult
            What ``compute()`` returned.
        """
        from . import segment_labels

        name = segment_labels.key(self.data, self.month, self.seed, self.segment_settings)
        return segment_labels.computed(segment_labels.cache_dir(self.history_dir), name, compute)

    def ids(self, values) -> pd.Series:
        """Customer ids as they may appear in the HTML: pseudonyms unless ``show_ids``.

        Parameters
        ----------
        values : array-like
            Customer ids.

        Returns
        -------
        pandas.Series
            The ids as they are when ``show_ids``, else their pseudonyms (:func:`pseudonymise`).
        """
        return pd.Series(values) if self.show_ids else pseudonymise(values, self.id_key)

    def record(
        self,
        name: str,
        value,
        *,
        label: str,
        unit: str = "",
        ci: tuple[float, float] | None = None,
        se: float | None = None,
        higher_is_better: bool | None = True,
        n: int | None = None,
        note: str = "",
        previous: Mapping | None = None,
    ) -> None:
        """Record one of the month's KPIs (with its uncertainty where one exists).

        ``previous``: the same KPI for the previous month computed from the data, as
        ``{"value": v, "ci": (lo, hi)}`` or ``{"value": v, "se": s}`` (and ``"label"`` when
        the period is not the previous month: ``"2026-Q3"``), so that the first
        report of a folder already shows change and its significance; the index prefers
        the previous month's own report (``metrics.json``) when there is one.

        Parameters
        ----------
        name : str
            The KPI's name (``"nps"``, ``"churn_rate"``): recording a name again replaces it; the
            ``targets`` table's ``dimension`` is matched against it (case ignored).
        value : float or str
            The value; a number is recorded as a float (None when NaN or infinite).
        label : str
            What the page and the index call it.
        unit : str, default=""
            ``"%"``, ``"pts"``, ``"days"``, ``"per 1,000"`` (:data:`UNIT_WORDS`) or "" for none.
        ci : tuple of (float, float) or None, default=None
            The 95 % interval ``(low, high)``.
        se : float or None, default=None
            The standard error.
        higher_is_better : bool or None, default=True
            Which way is a gain; None for neither (a change is then not coloured).
        n : int or None, default=None
            The number of observations it rests on.
        note : str, default=""
            A note kept with the KPI.
        previous : Mapping or None, default=None
            The previous period's value, as above.
        """
        lo, hi = (None, None) if ci is None else (finite(ci[0]), finite(ci[1]))
        before = None
        if previous is not None and finite(previous.get("value")) is not None:
            p_ci = previous.get("ci") or (None, None)
            before = {
                "value": finite(previous["value"]),
                "ci_low": finite(p_ci[0]),
                "ci_high": finite(p_ci[1]),
                "se": finite(previous.get("se")),
                # the period it covers: the previous month unless the notebook says
                "label": str(previous.get("label") or (self.month - 1 if self.month else "")),
            }
        self.metrics = [m for m in self.metrics if m.name != name]
        target = self._target(name)
        self.metrics.append(
            Metric(
                name,
                finite(value) if _is_number(value) else value,
                label,
                unit,
                lo,
                hi,
                finite(se),
                higher_is_better,
                None if n is None else int(n),
                note,
                before,
                target,
            )
        )

    def _target(self, name: str) -> dict | None:
        """The ``targets`` row whose dimension is the KPI's name (``nps``, ``csi``, ...)."""
        if not self.data.has("targets"):
            return None
        t = self.data.table("targets", ["dimension", "target", "label"])
        rows = t[t["dimension"].astype(str).str.strip().str.lower() == name.lower()]
        if rows.empty or finite(rows["target"].iloc[0]) is None:
            return None
        label = rows["label"].iloc[0] if "label" in rows else None
        return {
            "value": finite(rows["target"].iloc[0]),
            "label": str(label) if isinstance(label, str) and label.strip() else "",
        }

    def finding(self, text: str) -> None:
        """One sentence of the page's summary (its top): what the results say, in the
        page's language (a template through :func:`cxreport.i18n._`).

        Parameters
        ----------
        text : str
            The sentence.
        """
        self.findings.append(str(text))

    def action(self, text: str, *, evidence: str, customers: float | None = None) -> None:
        """One of the page's actions, for its summary and the index's "what to do" list
        (ranked there by ``customers``, the customers at stake). Call it in the cell that
        shows the evidence: the summary links to that place.

        Parameters
        ----------
        text : str
            What to do, in the page's language.
        evidence : str
            The result it rests on.
        customers : float or None, default=None
            The customers at stake; None (or not a finite number) ranks it after those with one.
        """
        from IPython.display import HTML, display

        anchor = f"action-{len(self.actions) + 1}"
        self.actions.append(Action(str(text), str(evidence), finite(customers), anchor))
        display(HTML(f"<span id='{anchor}' class='cx-anchor'></span>"))

    def export(
        self, frame: pd.DataFrame, name: str, *, units: Mapping[str, str] | None = None
    ) -> Path | None:
        """Write a table for the analyst (``<export_dir>/<name>.csv``, the format of
        :mod:`.exports`); no-op interactively, but ``units`` are checked all the same.

        Parameters
        ----------
        frame : DataFrame
            The table, as the analysis made it.
        name : str
            The file's name without ``.csv`` (also the workbook sheet's).
        units : mapping, optional
            ``{column: unit}``, unit ``"fraction"`` (a share of 1 shown as a percentage),
            ``"%"`` (already 0-100) or ``"money"``: how the workbook shows the column, and
            money to 2 decimals (:mod:`.exports`).

        Returns
        -------
        pathlib.Path or None
            The CSV written; None interactively (no ``export_dir``).

        Raises
        ------
        ParameterError
            A bad unit (:func:`.exports.check_units`).
        """
        units = exports.check_units(frame, units, name)
        if self.export_dir is None:
            return None
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / f"{name}.csv"
        exports.write_csv(frame, path, units)
        if path.name not in self.exported:
            self.exported.append(path.name)
        self.units[path.name] = units
        return path

    def response_quality(self):
        """The survey's response-quality screen as a notes box: responses flagged per rule
        and what was done with them. Flagged responses are exported as ``survey_excluded``
        (ids and reasons) when the folder's ``survey.screening`` is ``exclude``.

        Returns
        -------
        IPython.display.HTML
            The notes box (:func:`cxreport.viz.notes_html`).
        """
        from ..data.quality import RULES, summary
        from ..viz import notes_html

        flags = self.data.report.screening if self.data.report is not None else None
        mode = self.data.config.screening
        if flags is None:
            return notes_html(
                [
                    _("Response-quality screening is off.")
                    if mode == "off"
                    else _("No survey to screen.")
                ],
                title=_("Response quality"),
            )
        counts = summary(flags)
        # one full sentence per rule and number (Chinese has no plural: both read the same)
        words = {
            "speeder": (
                N_("{n} speeder (completion time below a third of the median)"),
                N_("{n} speeders (completion time below a third of the median)"),
            ),
            "straight_liner": (
                N_("{n} straight-liner (the same answer on every item)"),
                N_("{n} straight-liners (the same answer on every item)"),
            ),
            "duplicate": (
                N_("{n} duplicate submission (same respondent or IP, same answers)"),
                N_("{n} duplicate submissions (same respondent or IP, same answers)"),
            ),
            "bad_duration": (
                N_("{n} impossible completion time (≤ 0 or over 24 h)"),
                N_("{n} impossible completion times (≤ 0 or over 24 h)"),
            ),
        }
        lines = [
            _(words[r][counts[r] != 1], n=i18n.number(counts[r])) for r in RULES if counts.get(r)
        ]
        if not lines:
            return notes_html(
                [_("All {n} responses pass the screen.", n=i18n.number(len(flags)))],
                title=_("Response quality"),
            )
        flagged = flags[flags["reasons"] != ""]
        one, n = len(flagged) == 1, i18n.number(len(flagged))
        if mode == "exclude":
            self.export(flagged[["response_id", "reasons"]], "survey_excluded")
            lines.append(
                _(
                    "This response is left out of every figure below (listed in the "
                    "survey_excluded export)."
                )
                if one
                else _(
                    "These {n} responses are left out of every figure below (listed in the "
                    "survey_excluded export).",
                    n=n,
                )
            )
        else:
            lines.append(
                _(
                    "This response is kept in the figures; set survey.screening: exclude in "
                    "cxreport.yaml to leave it out."
                )
                if one
                else _(
                    "These {n} responses are kept in the figures; set survey.screening: "
                    "exclude in cxreport.yaml to leave them out.",
                    n=n,
                )
            )
        return notes_html(
            lines,
            title=_(
                "Response quality: {n} of {total} responses flagged",
                n=n,
                total=i18n.number(len(flags)),
            ),
        )

    def previous(self, name: str, months_back: int = 1) -> pd.DataFrame | None:
        """A table exported by an earlier month's report in ``history_dir``, if there is one.

        Parameters
        ----------
        name : str
            The export's name, without ``.csv``.
        months_back : int, default=1
            How many months before the report month.

        Returns
        -------
        pandas.DataFrame or None
            The table read back (:func:`.exports.read_csv`, formula quotes undone); None without
            ``history_dir`` or without that file.
        """
        if self.history_dir is None:
            return None
        path = self.history_dir / str(self.month - months_back) / f"{name}.csv"
        if not path.is_file():
            return None
        return exports.unsafe_cells(exports.read_csv(path))

    def previous_path(self, name: str, months_back: int = 1) -> Path | None:
        """The path of a file of an earlier month's report in ``history_dir``, if it exists.

        Parameters
        ----------
        name : str
            The file's name inside the report folder (with its suffix).
        months_back : int, default=1
            How many months before the report month.

        Returns
        -------
        pathlib.Path or None
            ``<history_dir>/<month>/<name>``; None without ``history_dir`` or when it does not
            exist.
        """
        if self.history_dir is None:
            return None
        path = self.history_dir / str(self.month - months_back) / name
        return path if path.exists() else None

    def _rows(self) -> list[tuple[str, str]]:
        tables = ", ".join(
            _("{table} ({n} rows)", table=t, n=i18n.number(self.data.rows(t)))
            for t in self.data.tables
        )
        rows = [
            (_("Analysis"), self.title),
            (_("Reporting month"), str(self.month)),
            (_("Data folder"), self.data.folder.name),  # the path stays in manifest.json
            (_("Tables"), tables),
            (
                _("Configuration"),
                self.data.config.path.name
                if self.data.config.path
                else _("defaults (no cxreport.yaml)"),
            ),
            (_("Seed"), str(self.seed)),
        ]
        rows += [(k, str(v)) for k, v in self.settings.items()]
        rows.append(("cxreport", __version__))
        return rows

    def __repr__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self._rows())

    def headline_html(self) -> str:
        """The line a page opens with (the page's header already names the month and the
        data): where the settings are, the appendix at its end (:meth:`kpis`).

        Returns
        -------
        str
            A ``<p class='cx-run-line'>`` with the escaped text.
        """
        line = (
            _(
                "Settings, tables read and notes on the data: in the appendix at the end "
                "({n} notes on the data).",
                n=len(self.data.notes),
            )
            if self.data.notes
            else _("Settings, tables read and notes on the data: in the appendix at the end.")
        )
        return f"<p class='cx-run-line'>{html.escape(line)}</p>"

    def _repr_html_(self) -> str:
        rows = self._rows()
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.data.notes)
        notes = f"<p>{html.escape(_('Notes on the data:'))}</p><ul>{notes}</ul>" if notes else ""
        return (
            f"<h2 id='appendix-what-was-run'>{html.escape(_('Appendix: what was run'))}</h2>"
            f"<table class='cx-run'><caption>{html.escape(_('What was run'))}</caption>"
            f"{body}</table>{notes}"
        )

    def kpis(self):
        """Show the recorded KPIs and embed them for the report runner, then the page's
        appendix: what was run (settings, tables, notes on the data)."""
        from IPython.display import display

        payload = {
            "title": self.title,
            "month": str(self.month),
            "metrics": [asdict(m) for m in self.metrics],
            "exported": self.exported,
            "units": self.units,
            "findings": self.findings,
            "actions": [asdict(a) for a in self.actions],
        }
        table = pd.DataFrame([asdict(m) for m in self.metrics])
        if table.empty:
            shown = f"<p>{html.escape(_('No KPIs recorded.'))}</p>"
        else:

            def fmt(m: Metric) -> str:
                if not isinstance(m.value, float):
                    return html.escape(str(m.value))
                s = i18n.with_unit(i18n.number(m.value, 0 if m.value.is_integer() else 2), m.unit)
                if m.ci_low is not None:
                    low, high = i18n.number(m.ci_low, 2), i18n.number(m.ci_high, 2)
                    s += " " + _("(95% CI {low} – {high})", low=low, high=high)
                return html.escape(s)

            rows = "".join(
                f"<tr><td style='text-align:left'>{html.escape(m.label)}</td>"
                f"<td style='text-align:left'>{fmt(m)}</td></tr>"
                for m in self.metrics
            )
            caption = html.escape(_("This month's KPIs"))
            shown = f"<table><caption>{caption}</caption>{rows}</table>"
        display(
            {METRIC_MIME: json.loads(json.dumps(payload, default=str)), "text/html": shown},
            raw=True,
        )
        display(self)  # the appendix: settings and notes on the data, after the analysis


def _load(data_dir: str, month: str) -> Dataset:
    """The data folder for the month: the copy ``cxreport run`` checked and stored for its
    kernels when there is one of this folder (:mod:`.datacopy`), else read and validated."""
    from ..data import snapshot
    from .datacopy import ENV

    copy = os.environ.get(ENV, "")
    if copy and snapshot.is_snapshot(copy):
        data = snapshot.open_dataset(copy, month)
        if data.folder == Path(data_dir).resolve():
            return data
    return load(data_dir, month)


def _after_cell(result=None) -> None:
    from ..data.snapshot import release_unused

    release_unused()


def _release_after_each_cell() -> None:
    """In a kernel: after each cell, the memory the allocators kept goes back to the system
    (:func:`cxreport.data.snapshot.release_unused`; two pages run side by side, each should
    hold only what it uses). Registered once; nothing outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)


def start(
    notebook: str, values: Mapping, *, settings: Mapping | None = None, show: bool = True
) -> Run:
    """Check the notebook's settings, load the data folder for the month, apply the charts'
    theme (:func:`cxreport.viz.set_theme`), give memory back after each cell (in IPython) and
    show what is run.

    Parameters
    ----------
    notebook : str
        A shipped notebook's name (``"03_churn"``): its declared settings are read from
        ``values`` (defaults for any it lacks) and checked, as the runner checks them before
        any kernel starts. For a notebook of your own, its title: only the common settings
        (``data_dir``, ``month``, ``seed``, ...) are read.
    values : mapping
        The notebook's namespace (``globals()``), where the parameters cell set them.
    settings : mapping, optional
        A notebook of your own: its settings, for the "what was run" table (a shipped
        notebook's are its declared ones).
    show : bool, default=True
        Display the page's opening line (title, month, data folder); the "what was run"
        table follows the KPIs at the end (:meth:`Run.kpis`), as an appendix.

    Returns
    -------
    Run
        The notebook's run: its data, month, settings, and what it records and exports.

    Raises
    ------
    ParameterError
        A setting of the wrong type or out of range, naming it and what it accepts.
    """
    from ..segments import LABEL_SETTINGS, label_settings
    from ..settings import check
    from ..viz import set_theme
    from .notebooks import COMMON, DECLARED, SEGMENT_SETTINGS

    declared = DECLARED.get(notebook)
    if declared is not None:
        names = [s.name for s in declared.settings]
        v = declared.check({k: values[k] for k in names if k in values})
        title, own = declared.title, {s.name: v[s.name] for s in declared.own}
        if declared.segments == "shown":
            shared = v[SEGMENT_SETTINGS.name]
        elif declared.segments == "made":  # the segmentation notebook: its own settings
            shared = {k: v[k] for k in LABEL_SETTINGS}
        else:  # a page without segments
            shared = {}
    else:
        common = (*COMMON, SEGMENT_SETTINGS)
        given = {s.name: values.get(s.name, s.default) for s in common}
        v = check(common, given, owner=notebook)
        title, own, shared = notebook, dict(settings or {}), v[SEGMENT_SETTINGS.name]
    month = v["month"]
    parse_month(month)
    data = _load(v["data_dir"], month)
    lang = i18n.report_language(v["lang"], data.config.report)
    i18n.set_language(lang)
    i18n.set_labels(data.config.report.get("labels"))
    set_theme()  # here, not on importing viz: importing a module should not restyle pyplot
    _release_after_each_cell()
    run = Run(
        i18n._(title),
        data,
        v["seed"],
        Path(v["export_dir"]) if v["export_dir"] else None,
        Path(v["history_dir"]) if v["history_dir"] else None,
        v["show_ids"],
        v["id_key"] or f"cxreport-{month}",
        own,
        segment_settings=label_settings(shared),
        lang=lang,
    )
    if show:
        from IPython.display import HTML, display

        display(HTML(run.headline_html()))  # the settings table goes to the appendix
    return run
