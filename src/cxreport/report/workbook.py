"""``report.xlsx``: every table the report exported, each on a sheet of its own.

The runner writes it from the CSV exports (:mod:`.exports`) once the notebooks have run, so
it holds what the CSVs hold — real customer ids where a CSV has them (``segments``,
``churn_at_risk``), nowhere else; formula-looking text still quoted — formatted as the pages
show it:

- a first sheet, ``Contents``: the report's title and month, then one row per sheet with a
  link to it, the CSV it comes from, the analysis and the number of rows (with a note when a
  table is longer than :data:`SHEET_ROWS`: its sheet holds the first rows, its CSV every row);
- on every sheet the header row bold and frozen, an autofilter, column widths from the
  header and the first rows;
- the columns the notebook gave units (``run.export(..., units=...)``): ``"fraction"`` and
  ``"%"`` as Excel percentages (``0.0%``; a ``"%"`` column is divided by 100, so that the
  cell computes as the percentage it shows), ``"money"`` with thousands separators, 2
  decimals and ``report.currency``; other numbers as the CSV has them.

Sheet names are the CSVs' names with the characters Excel refuses (``[]:*?/\\'``) replaced by
``_``, cut to 31 characters and made unique (Excel ignores case) with ``~2``, ``~3``, ...

XlsxWriter, not openpyxl: in constant-memory mode it streams rows to disk (a 1 M-row
``segments`` table never sits in memory as cell objects), it writes about twice as many rows
a second (11 k against 6.6 k rows of 10 columns on this project's machine), and a text cell
is never stored as a formula whatever it starts with (``strings_to_formulas=False``), a second
guard beside :func:`.exports.safe_cells`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CxReportError
from . import exports

WORKBOOK = "report.xlsx"
CONTENTS = "Contents"
#: Rows of a table put on its sheet. A longer one is a list per customer (segments at a
#: million customers: 796,000 rows, 55 s of the run and 41 MB to write, and an Excel that
#: opens it slowly), which belongs to its CSV: the sheet holds its first rows and says so.
SHEET_ROWS = 100_000
_NAME_MAX = 31
_BAD_NAME = re.compile(r"[\[\]:*?/\\']")
_WIDTH_ROWS = 1000  # rows looked at for a column's width
_CHUNK_ROWS = 50_000  # rows read from a CSV at a time
_PERCENT = "0.0%"


@dataclass(frozen=True)
class Table:
    """One exported table: its CSV, the analysis that made it and its columns' units."""

    csv: Path
    analysis: str = ""
    units: dict[str, str] = field(default_factory=dict)


def sheet_names(stems: list[str]) -> list[str]:
    """A valid, unique sheet name for each table (module docstring); none is ``Contents``.

    Parameters
    ----------
    stems : list of str
        The tables' names (their CSVs' stems), in sheet order.

    Returns
    -------
    list of str
        One sheet name per stem, in the same order.
    """
    used = {CONTENTS.lower()}
    names = []
    for stem in stems:
        base = _BAD_NAME.sub("_", stem).strip() or "table"
        name, n = base[:_NAME_MAX], 1
        while name.lower() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: _NAME_MAX - len(suffix)] + suffix
        used.add(name.lower())
        names.append(name)
    return names


def exported_tables(folder: Path, notebooks: list[tuple[str, dict | None]]) -> list[Table]:
    """The report's exports in page order: each notebook's (``(title, KPI payload)``), in the
    order it exported them, then any other CSV of ``folder`` (a notebook that failed before
    recording its KPIs), by name.

    Parameters
    ----------
    folder : pathlib.Path
        The report folder holding the CSV exports.
    notebooks : list of tuple of (str, dict or None)
        ``(title, KPI payload)`` per notebook in page order; a payload's ``exported`` lists its
        CSVs' file names, its ``units`` ``{file name: {column: unit}}``.

    Returns
    -------
    list of Table
        The tables to put on sheets; the other CSVs with no analysis and no units.
    """
    tables, seen = [], set()
    for title, payload in notebooks:
        payload = payload or {}
        units = payload.get("units") or {}
        for name in payload.get("exported", []):
            if (folder / name).is_file() and name not in seen:
                seen.add(name)
                tables.append(Table(folder / name, title, dict(units.get(name) or {})))
    for path in sorted(folder.glob("*.csv")):
        if path.name not in seen:
            tables.append(Table(path))
    return tables


def _money_format(currency: str) -> str:
    code = re.sub(r'["\\]', "", currency or "").strip()
    return f'#,##0.00 "{code}"' if code else "#,##0.00"


def _width(header: str, values: list) -> float:
    shown = [len(header)]
    for v in values[:_WIDTH_ROWS]:
        if isinstance(v, float):
            shown.append(len(f"{v:,.2f}"))
        elif v is not None:
            shown.append(len(str(v)))
    return float(min(max(max(shown) + 2, 6), 60))


def _columns(frame: pd.DataFrame, units: dict[str, str]) -> list[list]:
    """Each column as a list of Python values (missing → ``None``; ``%`` → the fraction)."""
    cols = []
    for name in frame.columns:
        s = frame[name]
        if units.get(name) == "%":
            s = s / 100
        cols.append(s.astype(object).where(s.notna(), None).tolist())
    return cols


def _start_sheet(ws, frame: pd.DataFrame, cols: list[list], units: dict, fmt: dict) -> None:
    """Column widths and formats from the first rows, the header row, frozen, filtered."""
    headers = [str(c) for c in frame.columns]
    for j, (name, header, values) in enumerate(zip(frame.columns, headers, cols, strict=True)):
        unit = units.get(name)
        cell = fmt["percent"] if unit in ("fraction", "%") else fmt.get(unit)
        ws.set_column(j, j, _width(header, values), cell)
    ws.write_row(0, 0, headers, fmt["header"])
    ws.freeze_panes(1, 0)


def _write_table(ws, table: Table, fmt: dict) -> tuple[int, int]:
    """Fill one sheet from the table's CSV, a slice of rows at a time (the runner never
    holds a big table whole); return (rows written, rows in the CSV)."""
    written = total = width = 0
    for chunk in exports.read_csv(table.csv, chunksize=_CHUNK_ROWS):
        first, width = total == 0, len(chunk.columns)
        total += len(chunk)
        if written == SHEET_ROWS:  # only counted from here on
            continue
        chunk = chunk.iloc[: SHEET_ROWS - written]
        cols = _columns(chunk, table.units)
        if first:
            _start_sheet(ws, chunk, cols, table.units, fmt)
        for row in zip(*cols, strict=True):
            written += 1
            ws.write_row(written, 0, row)
    if width:
        ws.autofilter(0, 0, max(written, 1), width - 1)
    return written, total


def write_workbook(
    path: str | Path, tables: list[Table], *, title: str, month: str, currency: str = ""
) -> Path:
    """Write ``report.xlsx`` (module docstring) at ``path``, whole or not at all.

    Parameters
    ----------
    path : str or pathlib.Path
        The workbook to write (written to ``<path>.tmp`` first, then moved into place).
    tables : list of Table
        The tables, one sheet each, in this order.
    title : str
        The report's title, on the Contents sheet and in the file's properties.
    month : str
        The report month, likewise.
    currency : str, default=""
        The report currency (``report.currency``), shown in the format of ``"money"`` columns;
        "" for none.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import os

    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties({"title": f"{title} · {month}"})
    fmt = {
        "header": wb.add_format({"bold": True, "bottom": 1, "bg_color": "#F6F8FA"}),
        "percent": wb.add_format({"num_format": _PERCENT}),
        "money": wb.add_format({"num_format": _money_format(currency)}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
    }
    contents = wb.add_worksheet(CONTENTS)
    names = sheet_names([t.csv.stem for t in tables])
    rows = []
    for table, name in zip(tables, names, strict=True):
        written, total = _write_table(wb.add_worksheet(name), table, fmt)
        note = (
            f"the first {written:,} of {total:,} rows; {table.csv.name} has them all"
            if written < total
            else ""
        )
        rows.append((name, table.csv.name, table.analysis, total, note))
    _write_contents(contents, rows, fmt, title=title, month=month)
    wb.close()
    os.replace(tmp, path)
    return path


@contextlib.contextmanager
def written_aside(path: str | Path, tables: list[Table], **kwargs):
    """:func:`write_workbook` in a process of its own while the ``with`` block runs (the
    runner meanwhile writes and scrubs the pages, which the workbook does not need: at a
    million customers it was 14 s of the run's last 21), then moved to ``path``.

    Until then the file is outside ``path``'s folder (in the system's temporary folder, where
    XlsxWriter keeps its rows anyway), so that a scan of that folder never meets half a
    workbook. An error in the block stops the writing; an error of the writing is raised
    after the block.

    Parameters
    ----------
    path : str or pathlib.Path
        Where the workbook ends up.
    tables : list of Table
        The tables, passed to :func:`write_workbook`.
    **kwargs
        ``title``, ``month`` and ``currency``, passed to :func:`write_workbook`.

    Raises
    ------
    CxReportError
        The writing process ended without an answer; an exception the writing raised is
        raised as it is.
    """
    import multiprocessing as mp
    import shutil
    import tempfile

    part = Path(tempfile.mkdtemp(prefix="cxreport-workbook-")) / Path(path).name
    ctx = mp.get_context("spawn")
    answer, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_write_to, args=(send, part, tables, kwargs), daemon=True)
    try:
        proc.start()
        send.close()  # the child's end only: its exit is then seen as the end of the pipe
        yield
        try:
            error = answer.recv()
        except EOFError:
            error = CxReportError(
                f"The workbook {Path(path).name} was not written: its process ended "
                f"(exit code {proc.exitcode})."
            )
        if error is not None:
            raise error
        shutil.move(part, path)
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        answer.close()
        shutil.rmtree(part.parent, ignore_errors=True)


def _write_to(send, part: Path, tables: list[Table], kwargs: dict) -> None:
    try:
        write_workbook(part, tables, **kwargs)
    except Exception as exc:  # noqa: BLE001 - handed to the runner, which raises it
        send.send(exc)
    else:
        send.send(None)
    finally:
        send.close()


def _write_contents(ws, rows: list[tuple], fmt: dict, *, title: str, month: str) -> None:
    ws.write_string(0, 0, f"{title} · {month}", fmt["title"])
    ws.write_string(
        1, 0, "Every table the report exported, one sheet each (the CSV files hold every row)."
    )
    headers = ["Sheet", "CSV file", "Analysis", "Rows", "Note"]
    widths = [max([len(h), *(len(str(r[k])) for r in rows)]) + 2 for k, h in enumerate(headers)]
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(w, 70))
    ws.write_row(3, 0, headers, fmt["header"])
    for i, (name, csv, analysis, n, note) in enumerate(rows, start=4):
        ws.write_url(i, 0, f"internal:'{name}'!A1", string=name)
        ws.write_row(i, 1, [csv, analysis, n, note])
