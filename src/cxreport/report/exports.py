"""The tables a notebook exports for the analyst (``run.export``): the CSV format, its units,
and reading an export back.

Every export is written by :func:`write_csv`, the one place that decides the format:

- UTF-8 with a byte-order mark (``utf-8-sig``), so that Excel opens Chinese (any non-ASCII)
  text right; comma-separated, one header row, no index;
- numbers rounded by one rule (:func:`rounded`): a ``"money"`` column to 2 decimals, every
  other float to 4 decimals (a share 0.0230, a CSI score 70.0406), except values smaller than
  0.0001 in size, which keep 4 significant digits (a p-value 2.074e-10 does not become 0);
  whole numbers, text and yes/no as they are;
- text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd|...``) starts
  with ``'`` (:func:`safe_cells`, OWASP's rule), undone by :func:`unsafe_cells` when cxreport
  reads its own export back (:func:`read_csv`).

Units (``run.export(frame, name, units={column: unit})``) say what a column's numbers are, so
that the workbook (:mod:`.workbook`) shows them as the page does; the CSV keeps the numbers
as the table has them:

- ``"fraction"`` — a share of 1 that the page shows as a percentage (0.0230; the workbook
  shows 2.3 %);
- ``"%"`` — already in percent, 0–100, as in ``run.record(unit="%")`` (24.67; the workbook
  holds the Excel percentage 0.2467 and shows 24.7 %);
- ``"money"`` — an amount in the report currency (``report.currency`` of ``cxreport.yaml``):
  2 decimals, shown with thousands separators and the currency.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import ParameterError

#: What a spreadsheet reads as a formula at the start of a cell (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNITS = ("fraction", "%", "money")
DECIMALS, MONEY_DECIMALS, SIGNIFICANT = 4, 2, 4
ENCODING = "utf-8-sig"


def check_units(frame: pd.DataFrame, units: Mapping[str, str] | None, name: str) -> dict:
    """The ``units`` of ``frame``'s columns: ``{column: unit}`` for the columns it has (a
    declared column the table lacks is left out: its columns follow the data, e.g. no
    ``complaint_rate`` without complaints).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to export.
    units : Mapping[str, str] or None
        ``{column: unit}``, each unit one of :data:`UNITS` (``"fraction"``, ``"%"``,
        ``"money"``); None for none.
    name : str
        The export's name, as given to ``run.export`` (for the error message).

    Returns
    -------
    dict
        ``{column: unit}`` for the declared columns that ``frame`` has.

    Raises
    ------
    ParameterError
        A unit not in :data:`UNITS`, or one given to a column that holds no numbers.
    """
    problems, out = [], {}
    for col, unit in dict(units or {}).items():
        if unit not in UNITS:
            problems.append(f"{col!r}: unit {unit!r} is not one of {', '.join(map(repr, UNITS))}")
        elif col in frame.columns:
            s = frame[col]
            if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
                problems.append(f"{col!r} holds no numbers ({s.dtype}) but has unit {unit!r}")
            out[col] = unit
    if problems:
        raise ParameterError(f"run.export(..., {name!r}, units=...): " + "; ".join(problems) + ".")
    return out


def _round(s: pd.Series, decimals: int) -> pd.Series:
    out = s.round(decimals)
    tiny = ((s.abs() < 10.0**-decimals) & (s != 0)).fillna(False).astype(bool)
    if decimals == DECIMALS and tiny.any():
        out[tiny] = s[tiny].map(lambda v: float(f"{v:.{SIGNIFICANT}g}"))
    return out


def rounded(frame: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with its floats rounded by the export rule (module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to round.
    units : Mapping[str, str] or None, default=None
        ``{column: unit}``; a ``"money"`` column is rounded to 2 decimals.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame``, float columns rounded.
    """
    units = units or {}
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            money = units.get(col) == "money"
            out[col] = _round(out[col], MONEY_DECIMALS if money else DECIMALS)
    return out


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+cmd|...``, ``@SUM(...)``) prefixed with ``'``, OWASP's rule; numbers are untouched.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to export.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with the risky text cells quoted.
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = s.astype(object).where(~risky, "'" + text.astype(object))
    return out


def unsafe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`safe_cells` on a table read back from an export (an id "+8613800000000"
    must join again next month).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table read back, as :func:`read_csv` returns it.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with the leading ``'`` removed from the quoted formula cells.
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            quoted = text.str.match(r"^'[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
            if quoted.any():
                out[col] = s.astype(object).where(~quoted, text.str[1:].astype(object))
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, units: Mapping[str, str] | None = None):
    """Write ``frame`` as an export (module docstring), whole or not at all.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to export.
    path : str or pathlib.Path
        The CSV file to write (written to ``<path>.tmp`` first, then moved into place).
    units : Mapping[str, str] or None, default=None
        ``{column: unit}``, passed to :func:`rounded` (``"money"`` columns get 2 decimals).
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    safe_cells(rounded(frame, units)).to_csv(tmp, index=False, encoding=ENCODING)
    os.replace(tmp, path)


def is_id(column) -> bool:
    """Identifier columns (``id``, ``*_id``) are read back as text: "00017" stays "00017".

    Parameters
    ----------
    column : object
        A column name (compared as ``str(column)``).

    Returns
    -------
    bool
        True for ``id`` and names ending in ``_id``.
    """
    return str(column) == "id" or str(column).endswith("_id")


def read_csv(path: str | Path, *, chunksize: int | None = None):
    """An export as written (formula cells still quoted): identifiers as text, an empty cell
    missing, any other text ("NA", "None") as it is; with ``chunksize``, an iterator of
    tables of that many rows.

    Parameters
    ----------
    path : str or pathlib.Path
        The export's CSV file.
    chunksize : int or None, default=None
        Rows per table when reading in chunks; None reads the whole file.

    Returns
    -------
    pandas.DataFrame or pandas.io.parsers.TextFileReader
        The table, or with ``chunksize`` an iterator of tables.
    """
    head = pd.read_csv(path, nrows=0, encoding=ENCODING).columns
    return pd.read_csv(
        path,
        encoding=ENCODING,
        dtype={c: str for c in head if is_id(c)},
        keep_default_na=False,
        na_values=[""],
        chunksize=chunksize,
    )
