"""Reading a data folder into validated pandas frames: the only layer that touches user files.

>>> ds = load("data/sample", month="2026-10")        # raises DataError listing every problem
>>> ds.customers.head()
>>> report = validate("data/sample")                  # the same checks, as a report
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CxReportError, DataError, MissingTableError
from .config import Config, TableConfig, load_config
from .contract import TABLES, Table
from .validation import ValidationReport, _examples, check_references, check_schema

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".txt", ".tsv")
NA_VALUES = ["", " ", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A"]
TRUE = {"true", "t", "yes", "y", "1", "1.0", "churned", "是"}
FALSE = {"false", "f", "no", "n", "0", "0.0", "active", "否"}
THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$")


def parse_month(month: str) -> pd.Period:
    """``"2026-10"`` → ``Period('2026-10', 'M')``, with a clear error for anything else."""
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        raise CxReportError(
            f"The month must be written YYYY-MM, for example 2026-10; got {month!r}."
        )
    try:
        return pd.Period(month.strip(), freq="M")
    except ValueError:
        raise CxReportError(f"{month!r} is not a calendar month (YYYY-MM).") from None


@dataclass
class Dataset:
    """The validated tables of one data folder, and the reporting month.

    Tables that the folder does not hold are ``None``; use :meth:`require` to stop an
    analysis with a clear message, or :meth:`has` to skip a part of it.
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

    def has(self, *names: str) -> bool:
        return all(self.tables.get(n) is not None and len(self.tables[n]) for n in names)

    def require(self, analysis: str, *names: str) -> None:
        missing = [n for n in names if not self.has(n)]
        if missing:
            raise MissingTableError(
                f"{analysis} needs the table(s) {', '.join(missing)}, which {self.folder} does "
                f"not hold. Add {', '.join(n + '.csv' for n in missing)} (see the data "
                f"contract in the README) or map your own files in cxreport.yaml."
            )

    @property
    def month_start(self) -> pd.Timestamp:
        return self.month.start_time

    @property
    def month_end(self) -> pd.Timestamp:
        """The first moment after the reporting month (use ``date < month_end``)."""
        return (self.month + 1).start_time

    def in_month(self, table: str, column: str = "date", month: pd.Period | None = None):
        """Rows of a table whose ``column`` falls in the reporting month (or ``month``)."""
        m = month or self.month
        df = self.tables[table]
        d = df[column]
        return df[(d >= m.start_time) & (d < (m + 1).start_time)]

    def months(self, table: str, column: str = "date") -> pd.PeriodIndex:
        """All calendar months a table covers, up to and including the reporting month."""
        d = self.tables[table][column].dropna()
        first = d.min().to_period("M")
        last = self.month or d.max().to_period("M")
        return pd.period_range(first, last, freq="M")


def find_file(folder: Path, table: str, tcfg: TableConfig) -> Path | None:
    if tcfg.file:
        return folder / tcfg.file
    for suffix in SUFFIXES:
        if (folder / (table + suffix)).is_file():
            return folder / (table + suffix)
    return None


def _read(path: Path, tcfg: TableConfig, report: ValidationReport) -> pd.DataFrame | None:
    rel = path.name
    if path.suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a broken file
            report.add(rel, None, f"cannot read as Parquet ({exc})", 0,
                       fix="re-export the file as Parquet or CSV")
            return None
    sep = tcfg.sep or ("\t" if path.suffix == ".tsv" else ",")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        if path.suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
        text = raw.decode(tcfg.encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.add(
            rel, None, f"not valid {tcfg.encoding} text (byte {exc.start}, line {line})", 0,
            [repr(raw[max(0, exc.start - 20): exc.start + 20])],
            "save the file as UTF-8, or declare its encoding in cxreport.yaml "
            "(tables.<table>.encoding: cp1252, gbk, latin-1, ...)",
        )
        return None
    if not text.strip():
        report.add(rel, None, "the file is empty", 0, fix="export the table again with its rows")
        return None
    from io import StringIO

    try:
        return pd.read_csv(StringIO(text), sep=sep, engine="python" if len(sep) > 1 else "c",
                           dtype=str, keep_default_na=False, na_values=NA_VALUES,
                           skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        report.add(rel, None, f"cannot be parsed as CSV: {exc}", 0,
                   fix="check the delimiter and quoting (tables.<table>.sep in cxreport.yaml)")
        return None


def _rename(frame: pd.DataFrame, spec: Table, tcfg: TableConfig, rel: str,
            report: ValidationReport) -> pd.DataFrame:
    frame = frame.rename(columns=lambda c: str(c).strip())
    mapping = {v: k for k, v in tcfg.columns.items()}
    for src in tcfg.columns.values():
        if src not in frame.columns:
            report.add(rel, src, "column named in cxreport.yaml is not in the file", 0,
                       fix=f"the file's columns are: {', '.join(frame.columns)}")
    frame = frame.rename(columns=mapping)
    for col in spec.columns:
        if col.required and col.name not in frame.columns:
            close = difflib.get_close_matches(col.name, list(frame.columns), n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            report.add(
                rel, col.name, "required column is missing", 0,
                fix=f"add it, or map your column in cxreport.yaml "
                f"(tables.{spec.name}.columns.{col.name}: <your column>).{hint} "
                f"Columns found: {', '.join(frame.columns)}",
            )
    return frame


def _to_number(s: pd.Series, kind: str, tcfg: TableConfig, rel: str, col: str,
               report: ValidationReport) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype(float)
    else:
        text = s.astype("string").str.strip()
        if tcfg.thousands:
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
                    rel, col, "numbers stored as text with thousands separators",
                    int(sep_like.sum()), _examples(text[bad][sep_like]),
                    "export plain numbers, or declare the separator in cxreport.yaml "
                    "(thousands: ',' and, for 1.234,50, decimal: ',')",
                )
            other = text[bad][~sep_like]
            if len(other):
                report.add(rel, col, "not a number", len(other), _examples(other),
                           "correct or blank these cells")
    if kind == "int":
        frac = out.notna() & (out != np.round(out))
        if frac.any():
            report.add(rel, col, "must be a whole number", int(frac.sum()),
                       _examples(out[frac]), "use whole-number answers")
            return out
        return out.astype("Int64")
    return out


def _to_date(s: pd.Series, kind: str, tcfg: TableConfig, rel: str, col: str,
             report: ValidationReport) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
    else:
        text = s.astype("string").str.strip()
        fmt = tcfg.date_format or "ISO8601"
        out = pd.to_datetime(text, format=fmt, errors="coerce")
        if fmt == "ISO8601" and (text.notna() & out.isna()).any():
            # compact YYYYMMDD (CDNOW, many ERPs) is unambiguous
            alt = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
            out = out.fillna(alt)
        bad = text.notna() & out.isna()
        if bad.any():
            report.mark_bad(rel, col, s.index[bad])
            report.add(rel, col, "unparseable dates", int(bad.sum()), _examples(text[bad]),
                       "write dates as YYYY-MM-DD, or declare the format in cxreport.yaml "
                       "(date_format: '%d/%m/%Y')")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    out = out.astype("datetime64[ns]")
    return out.dt.normalize() if kind == "date" else out


def _to_bool(s: pd.Series, tcfg: TableConfig, rel: str, col: str,
             report: ValidationReport) -> pd.Series:
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
    if not known.all():
        report.add(rel, col, "not a yes/no value", int((~known).sum()), _examples(text[~known]),
                   f"use true/false, or declare the codes in cxreport.yaml "
                   f"(true_values: {{{col}: [Yes]}})")
    return out.fillna(False).astype(bool)


def _extra_numbers(s: pd.Series) -> pd.Series:
    """Keep an extra attribute as numbers when every non-blank cell is a number."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s):
        return s
    num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
    return num.astype(float) if (num.notna() == s.notna()).all() and s.notna().any() else s


def _coerce(frame: pd.DataFrame, spec: Table, cfg: Config, tcfg: TableConfig, rel: str,
            report: ValidationReport) -> pd.DataFrame:
    out = {}
    kinds = {c.name: c.kind for c in spec.columns}
    if spec.name == "survey":
        for item in cfg.survey.items:
            for suffix in ("", cfg.survey.expectation_suffix, cfg.survey.importance_suffix):
                kinds.setdefault(item.code + suffix, "float")
    for col in frame.columns:
        s = frame[col]
        kind = kinds.get(col)
        if kind in ("float", "int"):
            out[col] = _to_number(s, kind, tcfg, rel, col, report)
        elif kind in ("date", "datetime"):
            out[col] = _to_date(s, kind, tcfg, rel, col, report)
        elif kind == "bool":
            out[col] = _to_bool(s, tcfg, rel, col, report)
        elif kind in ("id", "str"):
            out[col] = s.astype("string").str.strip().astype(object).where(s.notna(), None)
        elif spec.extra_columns:
            out[col] = _extra_numbers(s)
        else:
            continue  # columns the contract does not use are dropped
    return pd.DataFrame(out, index=frame.index)


def read_folder(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Path], Config,
                                            ValidationReport]:
    """Read and check every table of a data folder; never raises for bad data."""
    folder = Path(folder)
    report = ValidationReport(str(folder))
    if not folder.is_dir():
        raise CxReportError(f"The data folder {folder} does not exist.")
    cfg = load_config(folder)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for name, spec in TABLES.items():
        tcfg = cfg.table(name)
        path = find_file(folder, name, tcfg)
        if path is None:
            continue
        rel = path.name
        if not path.is_file():
            report.add(rel, None, f"file named in cxreport.yaml for '{name}' does not exist", 0,
                       fix=f"correct tables.{name}.file or add the file to {folder}")
            continue
        raw = _read(path, tcfg, report)
        if raw is None:
            continue
        if raw.empty:
            report.add(rel, None, "the table has a header but no rows", 0,
                       fix="export it again with its rows, or remove the file")
            continue
        n_before = len(report.errors)
        frame = _rename(raw, spec, tcfg, rel, report)
        frame = _coerce(frame, spec, cfg, tcfg, rel, report)
        if name == "survey" and "response_id" not in frame:
            frame.insert(0, "response_id", [f"line {i + 2}" for i in frame.index])
        if len(report.errors) == n_before or not any(
            p.rule == "required column is missing" for p in report.errors[n_before:]
        ):
            check_schema(name, frame, cfg, rel, report)
        tables[name] = frame
        files[name] = path
        report.tables[name] = len(frame)
    absent = [n for n in TABLES if n not in files]
    if absent:
        report.notes.append("not present (analyses that need them skip): " + ", ".join(absent))
    if not files:
        report.add(str(folder), None, "no table of the data contract found", 0,
                   fix="add customers.csv, transactions.csv, survey.csv, ... or map your file "
                   "names in cxreport.yaml (tables.<table>.file)")
    check_references(tables, {k: v.name for k, v in files.items()}, report)
    if "survey" in tables and not cfg.survey.declared:
        present = [i for i in cfg.survey.item_codes if i in tables["survey"]]
        if not present:
            report.notes.append("survey: no item columns of the default SERVQUAL model; declare "
                                "your items under survey.items in cxreport.yaml")
    return tables, files, cfg, report


def validate(folder: str | Path) -> ValidationReport:
    """Every problem of a data folder, without raising for bad data."""
    return read_folder(folder)[3]


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
    """
    period = parse_month(month) if month is not None else None
    tables, files, cfg, report = read_folder(folder)
    if not report.ok:
        raise DataError(report)
    return Dataset(Path(folder), cfg, tables, files, period, report,
                   [p.format() for p in report.warnings] + report.notes)
