"""Reading a data folder into validated pandas frames: the only layer that touches user files.

>>> ds = load("data/sample", month="2026-10")        # raises DataError listing every problem
>>> ds.customers.head()
>>> report = validate("data/sample")                  # the same checks, as a report
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, CxReportError, DataError, MissingTableError, ParameterError
from . import shaping, validation
from .config import Config, TableConfig, find_config, load_config, table_config
from .contract import TABLES, Table
from .readers import SUFFIXES, Raw, ReadError, is_parquet_folder, read_file
from .validation import (
    ValidationReport,
    check_references,
    check_schema,
    check_survey,
    examples,
    reference_columns,
    screen_survey,
)

TRUE = {"true", "t", "yes", "y", "1", "1.0", "churned", "是"}
FALSE = {"false", "f", "no", "n", "0", "0.0", "active", "否"}
THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$")


def parse_month(month: str) -> pd.Period:
    """``"2026-10"`` → ``Period('2026-10', 'M')``, with a clear error for anything else.

    Parameters
    ----------
    month : str
        The month, ``"YYYY-MM"`` (surrounding blanks ignored).

    Returns
    -------
    pandas.Period
        The monthly period.

    Raises
    ------
    CxReportError
        ``month`` is not text of the form ``YYYY-MM`` or not a calendar month.
    """
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        raise CxReportError(
            f"The month must be written YYYY-MM, for example 2026-10; got {month!r}."
        )
    try:
        return pd.Period(month.strip(), freq="M")
    except ValueError:
        raise CxReportError(f"{month!r} is not a calendar month (YYYY-MM).") from None


def rows_within(frame: pd.DataFrame, within) -> pd.DataFrame:
    """The rows of ``frame`` with ``start <= column < end``, ``within=(column, start, end)``
    (a bound may be None; a missing value is in no window), keeping its index.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    within : tuple
        ``(column, start, end)``: a column of ``frame`` and the bounds to compare it with.

    Returns
    -------
    pandas.DataFrame
        The rows kept, in their order.
    """
    column, start, end = within
    d = frame[column]
    keep = d.notna().to_numpy().copy()
    if start is not None:
        keep &= (d >= start).to_numpy()
    if end is not None:
        keep &= (d < end).to_numpy()
    return frame[keep]


@dataclass
class Dataset:
    """The validated tables of one data folder, and the reporting month.

    Tables that the folder does not hold are ``None``; use :meth:`require` to stop an
    analysis with a clear message, or :meth:`has` to skip a part of it.

    Attributes
    ----------
    folder : pathlib.Path
        The data folder.
    config : Config
        Its ``cxreport.yaml``, read.
    tables : dict of str to pandas.DataFrame
        The tables by name (a stored copy's mapping for a report run, see :meth:`table`).
    files : dict of str to pathlib.Path
        The first file each table was read from.
    month : pandas.Period or None, default=None
        The reporting month.
    report : ValidationReport or None, default=None
        The report of reading the folder.
    notes : list of str, default=[]
        The report's warnings and notes, as text.
    """

    folder: Path
    config: Config
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    month: pd.Period | None = None
    report: ValidationReport | None = None
    notes: list[str] = field(default_factory=list)

    def __getattr__(self, name):
        if name in TABLES:
            return self.tables.get(name)
        raise AttributeError(name)

    def table(self, name: str, columns=None, *, within=None) -> pd.DataFrame | None:
        """A table, or only those of ``columns`` it has (None when the folder lacks it);
        ``within=(column, start, end)``: only its rows with ``start <= column < end`` (a
        bound may be None; a missing value is in no window), keeping the table's index.

        From a stored copy (:mod:`cxreport.data.snapshot`, what ``cxreport run`` gives the
        notebooks) only these columns and rows are read, so an analysis that names what it
        uses keeps the rest of a large table out of memory.

        Parameters
        ----------
        name : str
            A table name of the contract.
        columns : list of str, optional
            The columns wanted (those the table lacks are left out); None: all.
        within : tuple, optional
            ``(column, start, end)``, see :func:`rows_within`; None: every row.

        Returns
        -------
        pandas.DataFrame or None
            The table's rows and columns asked for, None when the folder lacks the table.
        """
        if name not in self.tables:
            return None
        read = getattr(self.tables, "read", None)
        if read is not None:
            return read(name, columns, within)
        frame = self.tables[name]
        if frame is None:
            return frame
        if within is not None:
            frame = rows_within(frame, within)
        if columns is None:
            return frame
        wanted = set(columns)
        return frame[[c for c in frame.columns if c in wanted]]

    def rows(self, name: str) -> int:
        """The number of rows of a table (0 when the folder lacks it), without reading it.

        Parameters
        ----------
        name : str
            A table name of the contract.

        Returns
        -------
        int
        """
        if name not in self.tables:
            return 0
        counted = getattr(self.tables, "rows", None)
        if counted is not None:
            return counted(name)
        frame = self.tables[name]
        return 0 if frame is None else len(frame)

    def columns(self, name: str) -> list[str]:
        """A table's column names (none when the folder lacks it), without reading it.

        Parameters
        ----------
        name : str
            A table name of the contract.

        Returns
        -------
        list of str
        """
        if name not in self.tables:
            return []
        named = getattr(self.tables, "columns", None)
        if named is not None:
            return named(name)
        frame = self.tables[name]
        return [] if frame is None else list(frame.columns)

    def has(self, *names: str) -> bool:
        """Whether the folder holds every one of the tables, each with at least one row.

        Parameters
        ----------
        *names : str
            Table names of the contract.

        Returns
        -------
        bool
        """
        return all(self.rows(n) for n in names)

    def require(self, analysis: str, *names: str) -> None:
        """Stop an analysis that needs tables the folder does not hold (see :meth:`has`).

        Parameters
        ----------
        analysis : str
            The analysis, named in the message.
        *names : str
            The tables it needs.

        Raises
        ------
        MissingTableError
            Naming the tables missing and how to add them.
        """
        missing = [n for n in names if not self.has(n)]
        if missing:
            raise MissingTableError(
                f"{analysis} needs the table(s) {', '.join(missing)}, which {self.folder} does "
                f"not hold. Add {', '.join(n + '.csv' for n in missing)} (see the data "
                f"contract in the README) or map your own files in cxreport.yaml."
            )

    @property
    def month_start(self) -> pd.Timestamp:
        """The first moment of the reporting month.

        Returns
        -------
        pandas.Timestamp
        """
        return self.month.start_time

    @property
    def month_end(self) -> pd.Timestamp:
        """The first moment after the reporting month (use ``date < month_end``).

        Returns
        -------
        pandas.Timestamp
        """
        return (self.month + 1).start_time

    def in_month(self, table: str, column: str = "date", month: pd.Period | None = None):
        """Rows of a table whose ``column`` falls in the reporting month (or ``month``).

        Parameters
        ----------
        table : str
            A table name of the contract.
        column : str, default="date"
            Its date column.
        month : pandas.Period, optional
            The month; None: the reporting month.

        Returns
        -------
        pandas.DataFrame or None
            The rows (:meth:`table` with ``within``), None when the folder lacks the table.
        """
        m = month or self.month
        return self.table(table, within=(column, m.start_time, (m + 1).start_time))

    def months(self, table: str, column: str = "date") -> pd.PeriodIndex:
        """All calendar months a table covers, up to and including the reporting month.

        Parameters
        ----------
        table : str
            A table name of the contract.
        column : str, default="date"
            Its date column.

        Returns
        -------
        pandas.PeriodIndex
            From the month of the earliest date to the reporting month (without one, the
            month of the latest date).
        """
        d = self.table(table, [column])[column].dropna()
        first = d.min().to_period("M")
        last = self.month or d.max().to_period("M")
        return pd.period_range(first, last, freq="M")


_GLOB = set("*?[")


def sources(folder: Path, table: str, tcfg: TableConfig) -> list[tuple[Path, object]]:
    """The (file, sheet) pairs a table is read from; a missing file is returned as named.

    Parameters
    ----------
    folder : pathlib.Path
        The data folder.
    table : str
        The table's name in the contract.
    tcfg : TableConfig
        Its config: ``files`` or ``file`` (globs allowed in ``files``), ``sheet``.

    Returns
    -------
    list of tuple
        ``(path, sheet)`` pairs in reading order; without a declared file, the first of
        ``<table><suffix>`` (:data:`SUFFIXES`) or the Parquet folder ``<table>`` found, and
        an empty list when there is none.
    """
    if tcfg.files:
        wanted = list(tcfg.files)
    elif tcfg.file:
        wanted = [(tcfg.file, tcfg.sheet)]
    else:
        # a file or a link (a dangling one is reported by _read_parts); else a folder named
        # like a table, which _read_parts reports instead of passing over it
        named = [folder / (table + s) for s in SUFFIXES]
        found = next((p for p in named if p.is_file() or p.is_symlink()), None)
        found = found or next((p for p in named if p.is_dir()), None)
        if found is None and is_parquet_folder(folder / table):  # month-partitioned Parquet
            found = folder / table
        return [(found, tcfg.sheet)] if found else []
    out = []
    for pattern, sheet in wanted:
        sheet = tcfg.sheet if sheet is None else sheet
        if _GLOB & set(pattern):
            base = Path(pattern).anchor or folder
            rel = str(Path(pattern).relative_to(base)) if Path(pattern).is_absolute() else pattern
            matches = sorted(Path(base).glob(rel))
            out += [(m, sheet) for m in matches if m.is_file()] or [(folder / pattern, sheet)]
        else:
            out.append((folder / pattern, sheet))
    return out


def declared_paths(tcfg: TableConfig) -> list[str]:
    """Every path a table's config names: its file(s) and the files it joins.

    Parameters
    ----------
    tcfg : TableConfig
        The table's config.

    Returns
    -------
    list of str
        The paths as written in ``cxreport.yaml``.
    """
    named = [tcfg.file] if tcfg.file else [f for f, _ in tcfg.files]
    return named + [spec["file"] for spec in tcfg.join]


def _paths_allowed(folder: Path, name: str, tcfg: TableConfig, report: ValidationReport) -> bool:
    """A relative path of cxreport.yaml must stay inside the data folder (``../.env`` is
    refused: a typo or a copied config must not read the files around it); an absolute one is
    the user's explicit choice, named in the notes. Reports each path refused."""
    ok = True
    root = Path(os.path.abspath(folder))
    for written in declared_paths(tcfg):
        if Path(written).is_absolute():
            report.notes.append(f"{name}: read from outside the data folder, {written}")
        elif not Path(os.path.abspath(root / written)).is_relative_to(root):
            ok = False
            report.add(
                "cxreport.yaml",
                None,
                f"tables.{name}: the path {written!r} leaves the data folder",
                0,
                fix="put the file in the data folder (or link it there), or write its "
                "absolute path if you mean a file elsewhere",
            )
    return ok


def _readable(path: Path, name: str, report: ValidationReport) -> bool:
    """Whether ``path`` can be read for ``name``: a link is followed and named in the notes; a
    dangling link and a folder where a file belongs are errors (never passed over)."""
    if path.is_symlink() and not path.exists():
        report.add(
            path.name,
            None,
            f"is a link to {os.readlink(path)}, which does not exist",
            0,
            fix=f"point the link at the file of '{name}', or put the file in its place",
        )
        return False
    if path.is_dir() and not is_parquet_folder(path):
        report.add(
            path.name,
            None,
            f"is a folder, not a file: table '{name}' cannot be read from it",
            0,
            fix=f"put the table's file in its place, or name its files in tables.{name}.files",
        )
        return False
    if path.resolve() != Path(os.path.abspath(path)):  # the file or a folder above it
        report.notes.append(f"{path.name}: through a link, read from {path.resolve()}")
    return True


def _read_parts(srcs, name: str, tcfg: TableConfig, report: ValidationReport) -> list[Raw]:
    parts = []
    for path, sheet in srcs:
        if not _readable(path, name, report):
            continue
        if not path.is_file() and not is_parquet_folder(path):
            what = "matches no file" if _GLOB & set(path.name) else "does not exist"
            report.add(
                path.name,
                None,
                f"file named in cxreport.yaml for '{name}' {what}",
                0,
                fix=f"correct tables.{name}.file(s) or add the file to {path.parent}",
            )
            continue
        sheets = sheet if isinstance(sheet, list) else [sheet]
        for one in sheets:
            try:
                got = read_file(
                    path,
                    sheet=one,
                    encoding=tcfg.encoding,
                    sep=tcfg.sep,
                    header_rows=tcfg.header_rows,
                    header_combine=tcfg.header_combine,
                )
            except ReadError as exc:
                report.add(path.name, None, exc.rule, 0, exc.examples, exc.fix)
                continue
            for raw in got:
                if raw.encoding and raw.encoding != "utf-8-sig" and not tcfg.encoding:
                    report.notes.append(
                        f"{raw.source}: not UTF-8; read as {raw.encoding} "
                        f"(declare tables.{name}.encoding to be sure)"
                    )
                if raw.frame.empty:
                    report.add(
                        raw.source,
                        None,
                        "the table has a header but no rows",
                        0,
                        fix="export it again with its rows, or remove the file",
                    )
                    continue
                parts.append(raw)
    return parts


def _shape(
    folder: Path, name: str, parts: list[Raw], tcfg: TableConfig, report: ValidationReport
) -> tuple[pd.DataFrame, str]:
    """Concatenate, join, then na_values, recode, derive and drop_rows."""
    if len(parts) == 1:
        frame, rel = parts[0].frame, parts[0].source
    else:
        frame = shaping.concat(parts, name, report)
        rel = f"{name} ({len(parts)} files/sheets)"
    for spec in tcfg.join:
        joined = _read_parts(
            [(folder / spec["file"], spec.get("sheet"))],
            name,
            TableConfig(encoding=tcfg.encoding, sep=tcfg.sep),
            report,
        )
        if joined:
            frame = shaping.join(frame, spec, joined[0], rel, report)
    frame = shaping.na_values(frame, tcfg, rel, report)
    frame = shaping.recode(frame, tcfg, rel, report)
    frame = shaping.derive(frame, tcfg, rel, report)
    frame = shaping.drop_rows(frame, tcfg, rel, report)
    return frame, rel


def _rename(
    frame: pd.DataFrame,
    spec: Table,
    roles: dict[str, str],
    tcfg: TableConfig,
    rel: str,
    report: ValidationReport,
) -> pd.DataFrame:
    """Contract names for the user's columns. A source column may feed two roles (``nps: loy3``
    and the survey item ``loy3``): it is copied, and kept under its own name when that name
    is itself a role."""
    frame = frame.rename(columns=lambda c: str(c).strip())
    for contract, src in tcfg.columns.items():
        if src not in frame.columns and contract not in tcfg.derive:
            close = difflib.get_close_matches(src, [str(c) for c in frame.columns], n=1, cutoff=0.5)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            report.add(
                rel,
                src,
                "column named in cxreport.yaml is not in the file",
                0,
                fix=f"{hint}the file's columns are: {shaping.listing(frame.columns)}",
            )
    present = {c: s for c, s in tcfg.columns.items() if s in frame.columns}
    out = frame.drop(columns=[s for s in set(present.values()) if s not in roles])
    for contract, src in present.items():
        out[contract] = frame[src]
    for col in spec.columns:
        if col.required and col.name not in out.columns:
            close = difflib.get_close_matches(
                col.name, [str(c) for c in out.columns], n=1, cutoff=0.5
            )
            hint = f" Did you mean '{close[0]}'?" if close else ""
            report.add(
                rel,
                col.name,
                "required column is missing",
                0,
                fix=f"add it, or map your column in cxreport.yaml "
                f"(tables.{spec.name}.columns.{col.name}: <your column>, or derive it)."
                f"{hint} Columns found: {shaping.listing(out.columns)}",
            )
    return out


def _check_groups(
    text: pd.Series, tcfg: TableConfig, rel: str, col: str, report: ValidationReport
) -> None:
    """A thousands separator is followed by three digits; ``12,50`` with ``thousands: ','``
    is a decimal comma, which removing the separator would read as 1250 (100 times too
    much): an error, never a silent misread."""
    sep = re.escape(tcfg.thousands)
    split = text.str.extract(rf"^[-+]?\d+((?:{sep}\d+)+)", expand=False).dropna()
    wrong = split[~split.str.fullmatch(rf"(?:{sep}\d{{3}})+")]
    if len(wrong):
        report.add(
            rel,
            col,
            f"'{tcfg.thousands}' is declared as the thousands separator, but it is not "
            "followed by groups of three digits",
            len(wrong),
            examples(text[wrong.index]),
            f"for a decimal '{tcfg.thousands}' write decimal: '{tcfg.thousands}' (and "
            "thousands: '.' or none) in cxreport.yaml",
        )


def _to_number(
    s: pd.Series, kind: str, tcfg: TableConfig, rel: str, col: str, report: ValidationReport
) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype(float)
    else:
        text = s.astype("string").str.strip()
        if tcfg.thousands:
            _check_groups(text, tcfg, rel, col, report)
            text = text.str.replace(tcfg.thousands, "", regex=False)
        if tcfg.decimal != ".":
            text = text.str.replace(tcfg.decimal, ".", regex=False)
        out = pd.to_numeric(text, errors="coerce").astype(float)
        bad = text.notna() & out.isna()
        if bad.any():
            report.mark_bad(rel, col, s.index[bad])
            sep_like = text[bad].str.match(THOUSANDS.pattern).fillna(False)
            if sep_like.any():
                report.add(
                    rel,
                    col,
                    "numbers stored as text with thousands separators",
                    int(sep_like.sum()),
                    examples(text[bad][sep_like]),
                    "export plain numbers, or declare the separators in cxreport.yaml: "
                    "thousands: ',' for 1,234.50; thousands: '.' and decimal: ',' for 1.234,50",
                )
            other = text[bad][~sep_like]
            if len(other):
                report.add(
                    rel,
                    col,
                    "not a number",
                    len(other),
                    examples(other),
                    "correct or blank these cells",
                )
    if kind == "int":
        frac = out.notna() & (out != np.round(out))
        if frac.any():
            report.add(
                rel,
                col,
                "must be a whole number",
                int(frac.sum()),
                examples(out[frac]),
                "use whole-number answers",
            )
            return out
        return out.astype("Int64")
    return out


_DAY = r"^\d{4}-\d{2}-\d{2}$"


def iso_days(text: pd.Series) -> pd.Series | None:
    """Text that is all plain ``YYYY-MM-DD`` days parsed by Arrow, or None for anything else.

    What ``pd.to_datetime(format="ISO8601")`` gives for such text (an impossible day such as
    2026-02-30 is missing), without turning millions of cells into Python strings first (a
    gigabyte at 12M transactions, the peak of reading a million customers' folder).

    Parameters
    ----------
    text : pandas.Series
        The cells, as text.

    Returns
    -------
    pandas.Series or None
        The days (``datetime64[ns]``, keeping the index of ``text``), or None when the cells
        are not all such days (or all missing).
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(text.array)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        if arr.null_count == len(arr) or not pc.all(pc.match_substring_regex(arr, _DAY)).as_py():
            return None
        days = pc.strptime(arr, format="%Y-%m-%d", unit="ns", error_is_null=True)
        # Arrow rolls an impossible day over (2026-02-30 becomes 2026-03-02): keep a day
        # only when its month and day are the ones written
        written = [pc.cast(pc.utf8_slice_codeunits(arr, lo, lo + 2), pa.int64()) for lo in (5, 8)]
        same = pc.and_(pc.equal(pc.month(days), written[0]), pc.equal(pc.day(days), written[1]))
        days = pc.if_else(same, days, pa.scalar(None, type=days.type))
    except (TypeError, ValueError, ImportError, pa.ArrowException):
        return None
    return pd.Series(days.to_numpy(zero_copy_only=False), index=text.index)


# the days a date column can hold (pandas' nanosecond timestamps)
_FIRST_DAY, _LAST_DAY = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")


def _far_years(text: pd.Series) -> pd.Series:
    """Which cells are ``YYYY-MM-DD`` days of a year outside pandas' range (text: the cells
    that failed to parse)."""
    year = pd.to_numeric(text.str.extract(r"^(\d{4})-\d\d?-\d\d?\b", expand=False))
    return ((year < _FIRST_DAY.year + 1) | (year > _LAST_DAY.year - 1)).fillna(False)


def _far_dates(cells: pd.Series, rel: str, col: str, report: ValidationReport) -> None:
    report.add(
        rel,
        col,
        f"dates outside the years {_FIRST_DAY.year + 1}-{_LAST_DAY.year - 1}",
        len(cells),
        examples(cells),
        "correct these dates; a placeholder for 'no date' (2999-12-31, 0001-01-01) should be "
        "left blank",
    )


def _to_date(
    s: pd.Series, kind: str, tcfg: TableConfig, rel: str, col: str, report: ValidationReport
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):  # a Parquet or workbook date column
        out = s
        far = out.notna() & ((out < _FIRST_DAY) | (out > _LAST_DAY))
        if far.any():
            report.mark_bad(rel, col, s.index[far])
            _far_dates(out.astype(str)[far], rel, col, report)
            out = out.mask(far)
    else:
        text = s.str.strip() if s.dtype == TEXT else s.astype("string").str.strip()
        fmt = tcfg.date_format or "ISO8601"
        out = iso_days(text) if fmt == "ISO8601" else None
        if out is None:
            out = pd.to_datetime(text, format=fmt, errors="coerce")
        if fmt == "ISO8601" and (text.notna() & out.isna()).any():
            # compact YYYYMMDD (CDNOW, many ERPs) is unambiguous
            alt = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
            out = out.fillna(alt)
        bad = text.notna() & out.isna()
        far = pd.Series(False, index=text.index)
        if bad.any():  # the few cells that failed, not the whole column
            far[bad] = _far_years(text[bad]).to_numpy()
        if far.any():
            report.mark_bad(rel, col, s.index[far])
            _far_dates(text[far], rel, col, report)
            bad &= ~far
        if bad.any():
            report.mark_bad(rel, col, s.index[bad])
            report.add(
                rel,
                col,
                "unparseable dates",
                int(bad.sum()),
                examples(text[bad]),
                "write dates as YYYY-MM-DD, or declare the format in cxreport.yaml "
                "(date_format: '%d/%m/%Y')",
            )
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    out = out.astype("datetime64[ns]")
    return out.dt.normalize() if kind == "date" else out


def _to_bool(
    s: pd.Series, tcfg: TableConfig, rel: str, col: str, report: ValidationReport
) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype(bool)
    text = s.astype("string").str.strip()
    true = {str(v).lower() for v in tcfg.true_values.get(col, [])} or TRUE
    false = {str(v).lower() for v in tcfg.false_values.get(col, [])} or (
        FALSE if col not in tcfg.true_values else None
    )
    low = text.str.lower()
    out = low.isin(true)
    known = out | (low.isin(false) if false is not None else ~out) | text.isna()
    declared = {k: getattr(tcfg, k).get(col) for k in ("true_values", "false_values")}
    seen = set(low.dropna().unique()) if any(declared.values()) else set()
    for key, codes in declared.items():
        unseen = [str(v) for v in codes or [] if str(v).lower() not in seen]
        if unseen:  # "Yes" declared, "Y" written: every row would silently be no
            report.add(
                rel,
                col,
                f"the {key} code(s) {', '.join(map(repr, unseen))} never occur in the column",
                0,
                examples(text.dropna().drop_duplicates()),
                f"write the codes as the column has them in {key} of cxreport.yaml",
                severity="warning",
            )
    if not known.all():
        report.add(
            rel,
            col,
            "not a yes/no value",
            int((~known).sum()),
            examples(text[~known]),
            f"use true/false, or declare the codes in cxreport.yaml "
            f"(true_values: {{{col}: [Yes]}})",
        )
    return out.fillna(False).astype(bool)


def _text_dtype():
    """pandas' Arrow-backed text with NaN for missing (``str`` in pandas 3)."""
    try:
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pandas 2.2
        return pd.StringDtype("pyarrow_numpy")


TEXT = _text_dtype()


def _to_text(s: pd.Series) -> pd.Series:
    """Identifiers and labels as Arrow-backed text (a fifth of the memory of Python objects
    at millions of rows), trimmed; a number id 12347 becomes "12347"."""
    if s.dtype == TEXT:  # a Parquet or sheet column: one trimmed copy, not three
        return s.str.strip()
    return s.astype("string").str.strip().astype(TEXT)


def _extra_numbers(s: pd.Series) -> pd.Series:
    """Keep an extra attribute as numbers when every non-blank cell is a number."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s):
        return s
    num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
    return num.astype(float) if (num.notna() == s.notna()).all() and s.notna().any() else s


def _roles(spec: Table, cfg: Config) -> dict[str, str]:
    """Every column name the contract gives a meaning in this table, with its kind."""
    kinds = {c.name: c.kind for c in spec.columns}
    if spec.name == "survey":
        for item in cfg.survey.items:
            for suffix in ("", cfg.survey.expectation_suffix, cfg.survey.importance_suffix):
                kinds.setdefault(item.code + suffix, "float")
    return kinds


def _coerce(
    columns: dict[str, pd.Series],
    index: pd.Index,
    spec: Table,
    roles: dict[str, str],
    tcfg: TableConfig,
    labels: dict[str, dict],
    rel: str,
    report: ValidationReport,
) -> pd.DataFrame:
    """The contract's types for the table's columns, taken out of ``columns`` one by one: a
    column as read goes once it is typed (two copies of a 12M-row table at once were the
    peak of reading a million customers)."""
    out = {}
    for col in list(columns):
        s = columns.pop(col)
        kind = roles.get(col)
        if col in labels and kind not in ("float", "int"):
            s = s.map(lambda v, lab=labels[col]: lab.get(v, v), na_action="ignore")
        if kind in ("float", "int"):
            out[col] = _to_number(s, kind, tcfg, rel, col, report)
        elif kind in ("date", "datetime"):
            out[col] = _to_date(s, kind, tcfg, rel, col, report)
        elif kind == "bool":
            out[col] = _to_bool(s, tcfg, rel, col, report)
        elif kind in ("id", "str"):
            out[col] = _to_text(s)
        elif spec.extra_columns:
            out[col] = _extra_numbers(s)
        else:
            continue  # columns the contract does not use are dropped
        del s
    return pd.DataFrame(out, index=index, copy=False)


def _preset(name: str, tcfg: TableConfig) -> TableConfig:
    """The table's config over its survey-platform preset's header settings."""
    if not tcfg.preset:
        return tcfg
    from .presets import PRESETS

    head = {k: v for k, v in PRESETS[tcfg.preset].items() if k in ("header_rows", "header_combine")}
    return tcfg.under(table_config(name, head))


def _apply_preset(
    name: str, tcfg: TableConfig, parts: list[Raw], report: ValidationReport
) -> TableConfig:
    from .presets import apply_preset

    fragment, notes = apply_preset(
        tcfg.preset, [str(c) for c in parts[0].frame.columns], user_columns=tcfg.columns
    )
    report.notes += [f"{name} ({tcfg.preset} preset): {n}" for n in notes]
    return tcfg.under(table_config(name, fragment))


def _read_table(folder: Path, name: str, cfg: Config, report: ValidationReport):
    """One contract table, read, shaped, renamed, typed and checked: ``(frame, files, name
    in messages)``, the frame None when nothing could be read; None without a file."""
    spec = TABLES[name]
    tcfg = _preset(name, cfg.table(name))
    srcs = sources(folder, name, tcfg)
    if not srcs:
        return None
    if not _paths_allowed(folder, name, tcfg, report):
        return None, [p for p, _ in srcs], srcs[0][0].name
    paths = [p for p, _ in srcs]
    parts = _read_parts(srcs, name, tcfg, report)
    if not parts:
        return None, paths, paths[0].name
    if tcfg.preset:
        tcfg = _apply_preset(name, tcfg, parts, report)
    n_before = len(report.errors)
    frame, rel = _shape(folder, name, parts, tcfg, report)
    roles = _roles(spec, cfg)
    labels = {col: lab for raw in parts for col, lab in raw.labels.items()}
    labels = {c: labels[s] for c, s in tcfg.columns.items() if s in labels} | labels
    del parts  # nothing but ``frame`` holds the file's cells now: they go as they are typed
    frame = _rename(frame, spec, roles, tcfg, rel, report)
    columns, index = dict(frame.items()), frame.index
    del frame
    frame = _coerce(columns, index, spec, roles, tcfg, labels, rel, report)
    for col in spec.columns:  # an optional key that is absent: every row anonymous
        if col.references and col.nullable and col.name not in frame:
            frame[col.name] = None
    if name == "survey" and "response_id" not in frame:
        frame.insert(0, "response_id", [validation.where(i) for i in frame.index])
    if not any(p.rule == "required column is missing" for p in report.errors[n_before:]):
        check_schema(name, frame, cfg, rel, report)
    report.tables[name] = len(frame)
    if tcfg.shaped:
        report.shaping[name] = tcfg.shaped
    return frame, paths, rel


def _let_go() -> None:
    """Free what reading a table left behind before the next one: the cycles of pandas'
    temporaries (a large table's text columns, until the collector ran) and the memory
    Arrow's allocator keeps."""
    import gc

    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an allocator without it: nothing to give back
        pass


def read_folder(
    folder: str | Path, sink=None
) -> tuple[dict[str, pd.DataFrame], dict[str, Path], Config, ValidationReport]:
    """Read and check every table of a data folder; never raises for bad data or config.

    Returns the tables, the first file of each (``files``; every file read is in
    ``report.sources``), the config and the report. Problems of ``cxreport.yaml`` are in the
    report like data problems, and then no table is read.

    With ``sink``, each table goes to ``sink(name, frame)`` as soon as it is read and checked
    on its own, and the tables returned keep only the columns the checks across tables and
    :func:`check_month` read: the whole folder is never in memory at once.

    Parameters
    ----------
    folder : str or pathlib.Path
        The data folder.
    sink : callable, optional
        Called as ``sink(name, frame)`` with each table checked, rows numbered 0, 1, ...

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The tables read (only the columns the later checks read, with ``sink``).
    files : dict of str to pathlib.Path
        The first file of each table found.
    config : Config or None
        The folder's config; None when ``cxreport.yaml`` has problems.
    report : ValidationReport
        Every problem and note.

    Raises
    ------
    CxReportError
        The folder does not exist.
    """
    folder = Path(folder)
    report = ValidationReport(str(folder))
    if not folder.is_dir():
        raise CxReportError(f"The data folder {folder} does not exist.")
    try:
        cfg = load_config(folder)
    except ConfigError as exc:
        for text in exc.problems:
            report.add(
                find_config(folder).name if find_config(folder) else "cxreport.yaml", None, text, 0
            )
        return {}, {}, None, report
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    names: dict[str, str] = {}
    for name in TABLES:
        got = _read_table(folder, name, cfg, report)
        if got is None:
            continue
        frame, paths, rel = got
        files[name], names[name] = paths[0], rel
        report.sources[name] = [str(p.resolve()) for p in paths]
        if frame is not None:
            tables[name] = _checked(name, frame, cfg, rel, report, sink)
        del got, frame
        _let_go()
    absent = [n for n in TABLES if n not in files]
    if absent:
        report.notes.append("not present (analyses that need them skip): " + ", ".join(absent))
    if not files:
        report.add(
            str(folder),
            None,
            "no table of the data contract found",
            0,
            fix="add customers.csv, transactions.csv, survey.csv, ... or map your file "
            "names in cxreport.yaml (tables.<table>.file); `cxreport init` drafts one",
        )
    check_references(tables, names, report)
    if sink is None:
        tables = {name: _numbered(frame) for name, frame in tables.items()}
    return tables, files, cfg, report


def _checked(name: str, frame: pd.DataFrame, cfg: Config, rel: str, report, sink):
    """A table after its own checks (and the survey's screening): whole, or only the columns
    the checks across tables read once ``sink`` has the whole of it."""
    if name == "survey":
        check_survey(frame, cfg, rel, report)
        frame = screen_survey(frame, cfg, report)
    if sink is None:
        return frame
    sink(name, _numbered(frame))
    keep = reference_columns(name) | {DATED.get(name, "")}
    return frame[[c for c in frame.columns if c in keep]]


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows numbered 0, 1, ... (a multi-file table's rows are labelled by file and line
    while it is checked, for the messages)."""
    if pd.api.types.is_integer_dtype(frame.index):
        return frame
    return frame.reset_index(drop=True)


#: The column that dates each row of a table.
DATED = {"transactions": "date", "survey": "date", "touchpoints": "date", "complaints": "opened"}


def month_spans(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.Period, pd.Period]]:
    """First and last month of every dated table that has dates.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The tables, by name; the date column of each is :data:`DATED`'s.

    Returns
    -------
    dict of str to tuple of pandas.Period
        ``(first, last)`` per table with at least one date.
    """
    spans = {}
    for name, column in DATED.items():
        if name in tables and column in tables[name]:
            dates = pd.to_datetime(tables[name][column], errors="coerce").dropna()
            if len(dates):
                spans[name] = (dates.min().to_period("M"), dates.max().to_period("M"))
    return spans


def check_month(tables: dict[str, pd.DataFrame], month: str | pd.Period) -> None:
    """Refuse a reporting month outside every dated table (after the data ends, before it
    begins), naming each table's range. Folders without dates (snapshots) take any month.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The tables, by name (:func:`month_spans`).
    month : str or pandas.Period
        The reporting month, ``"YYYY-MM"``.

    Raises
    ------
    ParameterError
        ``month`` lies outside the span of every dated table.
    """
    period = parse_month(month) if isinstance(month, str) else month
    spans = month_spans(tables)
    if not spans or any(first <= period <= last for first, last in spans.values()):
        return
    ranges = "; ".join(f"{t} from {a} to {b}" for t, (a, b) in spans.items())
    last = max(b for _, b in spans.values())
    where = "after the data ends" if period > last else "before the data begins"
    raise ParameterError(
        f"There are no data in {period}, {where}: {ranges}. Choose a month inside the data "
        f"(the latest is {last}), e.g. --month {last}."
    )


def validate(folder: str | Path) -> ValidationReport:
    """Every problem of a data folder, without raising for bad data.

    Parameters
    ----------
    folder : str or pathlib.Path
        The data folder.

    Returns
    -------
    ValidationReport
        The report of :func:`read_folder` (each table is dropped once checked).
    """
    return read_folder(folder, sink=lambda name, frame: None)[3]


def load(folder: str | Path, month: str | None = None) -> Dataset:
    """Read a data folder for a reporting month; raise :class:`DataError` on any error.

    Parameters
    ----------
    folder : path
        The data folder (CSV or Parquet files named after the contract's tables, or mapped in
        its ``cxreport.yaml``).
    month : str, optional
        Reporting month ``YYYY-MM``. Rows dated after it are kept; analyses cut at the month
        end themselves, so that trends and the previous month stay available.

    Returns
    -------
    Dataset
        The folder's tables, rows numbered 0, 1, ...; the warnings and notes in ``notes``.

    Raises
    ------
    DataError
        The folder (or its ``cxreport.yaml``) has an error; it carries the report.
    ParameterError
        ``month`` lies outside the span of every dated table.
    CxReportError
        ``month`` is not ``YYYY-MM``, or the folder does not exist.
    """
    period = parse_month(month) if month is not None else None
    tables, files, cfg, report = read_folder(folder)
    if not report.ok:
        raise DataError(report)
    if period is not None:
        check_month(tables, period)
    return Dataset(
        Path(folder),
        cfg,
        tables,
        files,
        period,
        report,
        [p.format() for p in report.warnings] + report.notes,
    )
