"""File formats: one table's file (or Excel sheet) into a raw pandas frame.

CSV/TSV/TXT (optionally gzipped) arrive as text cells; Excel (`.xlsx`, `.xlsm`, `.xls`,
`.ods`, read by python-calamine) and Parquet keep their cell types, with whole-number float
columns turned into integers so that an id such as ``12347.0`` reads as ``12347``; SPSS `.sav`
(pyreadstat) turns user-missing codes into missing values and hands back the value labels.
Nothing here knows the data contract; :mod:`cxreport.data.folder` shapes and checks the result.

:func:`read_file` reads a table the way ``cxreport.yaml`` declares it. The pieces it is built
from (:func:`read_bytes`, :func:`decode`, :func:`parse_csv`, :func:`read_sheet`,
:func:`from_grid`, :func:`read_parquet`, :func:`read_sav`) are public for ``cxreport init``
(:mod:`cxreport.data.draft`), which sniffs a file from its first rows before anything is
declared, so that a draft reads each file exactly as the folder reader will.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

EXCEL = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT = (".csv", ".tsv", ".txt", ".gz")
#: Data-file suffixes, in the order a table's file is looked for (``customers.csv``, ...).
SUFFIXES = (
    ".csv",
    ".csv.gz",
    ".tsv",
    ".tsv.gz",
    ".txt",
    ".txt.gz",
    ".parquet",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
    ".sav",
)
#: Cells read as missing in every text file. "None" is not among them: in real exports it is
#: often an answer ("Offer: None" in IBM's Telco export); declare it under na_values if not.
NA_VALUES = ["", " ", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "#N/A"]
#: Encodings tried, in order, when a table declares none. GB18030 decodes almost any byte
#: string, so it must come after UTF-8 or it would silently garble UTF-8 files.
ENCODINGS = ("utf-8-sig", "gb18030")


class ReadError(Exception):
    """A file cannot be read; ``rule``, ``examples`` and ``fix`` go into the report.

    Parameters
    ----------
    rule : str
        What is wrong with the file (also the exception's message).
    fix : str
        What the user can do about it.
    examples : list of str, optional
        Excerpts of the file that show the problem (None: none).
    """

    def __init__(self, rule: str, fix: str, examples: list[str] | None = None):
        self.rule, self.fix, self.examples = rule, fix, examples or []
        super().__init__(rule)


@dataclass
class Raw:
    """One file or sheet as read: the frame, how it was decoded and its value labels.

    Attributes
    ----------
    frame : pandas.DataFrame
        The cells, columns named from the header.
    source : str
        The name in messages: the file's (``"orders.xlsx"``) or a sheet's
        (``"orders.xlsx[2011]"``), a folder's with a trailing ``/``.
    encoding : str or None, default=None
        The text encoding used (text files only).
    labels : dict of str to dict, default={}
        Value labels by column, ``{code: label}`` (SPSS files only).
    """

    frame: pd.DataFrame
    source: str  # "orders.xlsx" or "orders.xlsx[2011]"
    encoding: str | None = None
    labels: dict[str, dict] = field(default_factory=dict)  # column -> {code: label} (SPSS)


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook, in the workbook's order.

    Parameters
    ----------
    path : pathlib.Path
        The workbook (``.xlsx``, ``.xlsm``, ``.xls`` or ``.ods``).

    Returns
    -------
    list of str

    Raises
    ------
    ReadError
        The file cannot be read as a workbook.
    """
    try:
        return [str(s) for s in pd.ExcelFile(path, engine="calamine").sheet_names]
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise ReadError(
            f"cannot be read as a workbook ({exc})",
            "save it again from Excel as .xlsx, or export the sheet as CSV",
        ) from None


def read_sheet(path: Path, name: str, nrows: int | None = None) -> pd.DataFrame:
    """One sheet's cells as a grid without a header (its first ``nrows`` lines if given).

    Parameters
    ----------
    path : pathlib.Path
        The workbook.
    name : str
        The sheet's name.
    nrows : int, optional
        How many lines to read (None: all).

    Returns
    -------
    pandas.DataFrame
        The cells as typed by the workbook, columns numbered from 0; :data:`NA_VALUES` missing.

    Raises
    ------
    ReadError
        The sheet cannot be read.
    """
    try:
        return pd.read_excel(
            path,
            sheet_name=name,
            header=None,
            nrows=nrows,
            engine="calamine",
            keep_default_na=False,
            na_values=NA_VALUES,
        )
    except Exception as exc:  # calamine raises its own error types
        raise ReadError(
            f"sheet {name!r} cannot be read ({exc})", "save the workbook again from Excel"
        ) from None


def read_file(
    path: Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    header_rows: int = 1,
    header_combine: bool = False,
) -> list[Raw]:
    """Read one file; a workbook gives one :class:`Raw` per requested sheet.

    Parameters
    ----------
    path : Path
        The file; its suffix chooses the reader.
    sheet : str, int or None, default=None
        Excel sheet name, 0-based index, ``"*"`` for every sheet, or None for the first.
    encoding : str, optional
        Text encoding; None tries UTF-8 (with or without BOM), then GB18030.
    sep : str, optional
        CSV delimiter (default ``,``; tab for ``.tsv``; a regex such as ``\\s+``).
    header_rows : int, default=1
        Header lines. Column names come from the first unless ``header_combine``.
    header_combine : bool, default=False
        Join the non-blank parts of every header line with " - " ("Question - Option").

    Returns
    -------
    list of Raw
        One per sheet read (one for any other file); a folder of Parquet files reads as one
        table. Nameless columns that are empty throughout are dropped.

    Raises
    ------
    ReadError
        The file cannot be read, or ``sheet`` is set for a file that is not a workbook.
    """
    return [
        _without_blank_columns(r)
        for r in _read(path, sheet, encoding, sep, header_rows, header_combine)
    ]


def _without_blank_columns(raw: Raw) -> Raw:
    """Drop the nameless, empty columns of a trailing comma or an over-wide sheet range."""
    f = raw.frame
    blank = [c for c in f.columns if str(c).startswith("Unnamed: ") and f[c].isna().all()]
    if blank:
        raw.frame = f.drop(columns=blank)
    return raw


def _read(path: Path, sheet, encoding, sep, header_rows: int, header_combine: bool) -> list[Raw]:
    if path.is_dir():
        return [Raw(read_parquet_folder(path), path.name + "/")]
    suffix = path.suffix.lower()
    if suffix in EXCEL:
        return _read_excel(path, sheet, header_rows, header_combine)
    if suffix == ".parquet":
        return [Raw(read_parquet(path)[0], path.name)]
    if suffix == ".sav":
        frame, meta = read_sav(path)
        labels = {col: dict(lab) for col, lab in (meta.variable_value_labels or {}).items()}
        return [Raw(frame, path.name, labels=labels)]
    if sheet is not None:
        raise ReadError(
            f"sheet: {sheet!r} is set, but {path.name} is not a workbook",
            "remove sheet: from this table in cxreport.yaml",
        )
    return [_read_text(path, encoding, sep, header_rows, header_combine)]


def _read_excel(path: Path, sheet, header_rows: int, combine: bool) -> list[Raw]:
    names = sheet_names(path)
    if sheet is None:
        wanted = names[:1]
    elif sheet == "*":
        wanted = names
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise ReadError(
                f"has no sheet number {sheet} (0-based)", f"its sheets are: {', '.join(names)}"
            )
        wanted = [names[sheet]]
    elif str(sheet) in names:
        wanted = [str(sheet)]
    else:
        raise ReadError(f"has no sheet {str(sheet)!r}", f"its sheets are: {', '.join(names)}")
    out = []
    for name in wanted:
        frame = from_grid(read_sheet(path, name), header_rows, combine)
        label = path.name if len(names) == 1 and sheet is None else f"{path.name}[{name}]"
        out.append(Raw(frame, label if len(wanted) > 1 or sheet else path.name))
    return out


def from_grid(grid: pd.DataFrame, header_rows: int = 1, combine: bool = False) -> pd.DataFrame:
    """A sheet's grid as a table: names from its header lines, cells typed and tidied.

    Parameters
    ----------
    grid : pandas.DataFrame
        The cells read without a header (:func:`read_sheet`).
    header_rows : int, default=1
        Header lines, passed to :func:`with_header`.
    combine : bool, default=False
        Join every header line's parts into the names, passed to :func:`with_header`.

    Returns
    -------
    pandas.DataFrame
        The rows below the header; whole-number float columns as integers, text stripped
        and blank text missing.
    """
    return _tidy(with_header(grid, header_rows, combine).infer_objects())


def read_parquet(path: Path, nrows: int | None = None) -> tuple[pd.DataFrame, int]:
    """A Parquet file's table (its first ``nrows`` rows if given) and its number of rows.

    Parameters
    ----------
    path : pathlib.Path
        The Parquet file.
    nrows : int, optional
        Read only the first batch of at most this many rows (None: the whole file).

    Returns
    -------
    frame : pandas.DataFrame
        The table, tidied as :func:`from_grid` tidies a sheet.
    n : int
        The number of rows in the whole file.

    Raises
    ------
    ReadError
        The file cannot be read as Parquet.
    """
    import pyarrow.parquet as pq

    try:
        if nrows is None:
            frame = pd.read_parquet(path)
            n, index, columns = len(frame), frame.index, dict(frame.items())
            del frame  # each column as read goes once it is tidied
            return _tidy_columns(columns, index), n
        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=nrows), None)
        frame = (batch if batch is not None else pf.schema_arrow.empty_table()).to_pandas()
        return _tidy(frame), pf.metadata.num_rows
    except ReadError:
        raise
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ReadError(
            f"cannot read as Parquet ({exc})", "re-export the file as Parquet or CSV"
        ) from None


_PARTITION = re.compile(r"^([A-Za-z_][\w]*)=(.*)$")


def is_parquet_folder(path: Path) -> bool:
    """A table stored as a folder of Parquet files (``transactions/month=2026-10/*.parquet``).

    Parameters
    ----------
    path : pathlib.Path
        The path to look at.

    Returns
    -------
    bool
        True when ``path`` is a folder with a ``.parquet`` file at any depth.
    """
    return path.is_dir() and next(path.rglob("*.parquet"), None) is not None


def read_parquet_folder(path: Path) -> pd.DataFrame:
    """A table stored as a folder of Parquet files, optionally hive-partitioned
    (``month=2026-10/part-0.parquet``), as one frame in file order.

    The partition folders' values are not columns: the files hold the data (``date``), the
    folders let an engine skip months. A month missing between the first and the last
    partition, or files whose columns differ, is a :class:`ReadError` naming the partition.

    Parameters
    ----------
    path : pathlib.Path
        The folder.

    Returns
    -------
    pandas.DataFrame
        Every file's rows in the order of the sorted file paths, tidied as
        :func:`from_grid` tidies a sheet.

    Raises
    ------
    ReadError
        The folder has no Parquet file, a month is missing, a file cannot be read, or the
        files' columns or column types differ.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(path.rglob("*.parquet"))
    if not files:
        raise ReadError(
            "is a folder without Parquet files",
            "put the table's Parquet files in it (month=YYYY-MM/*.parquet), or name its "
            "file in cxreport.yaml",
        )
    _check_months(path, files)
    try:
        schemas = [(f, pq.read_schema(f)) for f in files]
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ReadError(f"cannot read as Parquet ({exc})", "write the partition again") from None
    first_file, first = schemas[0]
    for f, schema in schemas[1:]:
        if set(schema.names) != set(first.names):
            extra = sorted(set(schema.names) - set(first.names))
            lost = sorted(set(first.names) - set(schema.names))
            raise ReadError(
                f"the partition {f.relative_to(path).parent} has other columns than "
                f"{first_file.relative_to(path).parent}"
                + (f" (more: {', '.join(extra)})" if extra else "")
                + (f" (missing: {', '.join(lost)})" if lost else ""),
                "write every partition with the same columns",
            )
    try:
        table = pa.concat_tables(
            [pq.read_table(f).select(first.names) for f in files], promote_options="permissive"
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ReadError(
            f"its partitions' column types differ ({exc})",
            "write every partition with the same column types",
        ) from None
    frame = table.to_pandas()
    del table
    return _tidy_columns(dict(frame.items()), pd.RangeIndex(len(frame)))


def _check_months(path: Path, files: list[Path]) -> None:
    """Hive ``month=YYYY-MM`` partitions run without a gap."""
    months = set()
    for f in files:
        for part in f.relative_to(path).parts[:-1]:
            m = _PARTITION.match(part)
            if m and m.group(1) == "month" and re.fullmatch(r"\d{4}-\d{2}", m.group(2)):
                months.add(pd.Period(m.group(2), "M"))
    if len(months) < 2:
        return
    every = pd.period_range(min(months), max(months), freq="M")
    gaps = [str(p) for p in every if p not in months]
    if gaps:
        raise ReadError(
            f"the partition(s) month={', month='.join(gaps)} are missing (the folder has "
            f"{min(months)} to {max(months)})",
            "add the missing month's files (an empty month still needs its folder with a "
            "file of no rows), or remove the months around it",
        )


def read_sav(path: Path, nrows: int | None = None) -> tuple[pd.DataFrame, object]:
    """An SPSS file's table (its first ``nrows`` rows if given) and pyreadstat's metadata:
    ``variable_value_labels``, ``column_names_to_labels``, ``number_rows``.

    Parameters
    ----------
    path : pathlib.Path
        The ``.sav`` file.
    nrows : int, optional
        How many rows to read (None or 0: all).

    Returns
    -------
    frame : pandas.DataFrame
        The table, user-missing codes as missing, tidied as :func:`from_grid` tidies a sheet.
    meta : object
        pyreadstat's metadata object.

    Raises
    ------
    ReadError
        The file cannot be read as an SPSS file.
    """
    import pyreadstat

    try:
        # user_missing=False: the codes an agency declared missing (99 = refused) become NaN
        frame, meta = pyreadstat.read_sav(str(path), row_limit=nrows or 0, user_missing=False)
    except Exception as exc:  # pyreadstat raises ReadstatError and others
        raise ReadError(
            f"cannot be read as an SPSS .sav file ({exc})", "export it again from SPSS, or as CSV"
        ) from None
    return _tidy(frame), meta


def read_bytes(path: Path, limit: int | None = None) -> tuple[bytes, bool]:
    """A text file's bytes, unzipped for ``.gz``. With ``limit``: the whole lines within the
    first ``limit`` bytes, and whether more followed.

    Parameters
    ----------
    path : pathlib.Path
        The file; a ``.gz`` suffix means gzip-compressed.
    limit : int, optional
        Read at most this many bytes, cut after the last full line (None: the whole file).

    Returns
    -------
    raw : bytes
        The (uncompressed) bytes.
    more : bool
        True when the file goes on beyond ``limit``.

    Raises
    ------
    ReadError
        The file cannot be read or its compression is damaged.
    """
    zipped = path.suffix.lower() == ".gz"
    try:
        with (gzip.open if zipped else open)(path, "rb") as fh:
            raw = fh.read(-1 if limit is None else limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ReadError(
            f"the compressed file is damaged or cut short ({exc})",
            "copy or compress the file again (gzip -t tests it)",
        ) from None
    except OSError as exc:
        raise ReadError(f"cannot be read: {exc.strerror or exc}", "check the file") from None
    if limit is None or len(raw) <= limit:
        return raw, False
    return raw[: raw.rfind(b"\n", 0, limit) + 1], True


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: ``encoding``, else UTF-8 (with or without BOM), then GB18030
    unless that turns Latin text into lone Chinese characters. :class:`ReadError` otherwise.

    Parameters
    ----------
    raw : bytes
        A text file's bytes (:func:`read_bytes`).
    encoding : str, optional
        A Python codec name; None tries :data:`ENCODINGS` in order.

    Returns
    -------
    text : str
        The decoded text.
    encoding : str
        The encoding that decoded it.

    Raises
    ------
    ReadError
        The encoding is unknown, or no encoding tried decodes the bytes.
    """
    tried = [encoding] if encoding else list(ENCODINGS)
    for enc in tried:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        except LookupError:
            raise ReadError(
                f"unknown encoding {enc!r}",
                "use a Python codec name: utf-8, gbk, gb18030, cp1252, latin-1",
            ) from None
        if encoding or enc != "gb18030" or not _latin_as_chinese(text):
            return text, enc
        bad = LATIN_AS_CJK.search(text)
        line = text[: bad.start()].count("\n") + 1
        raise ReadError(
            f"not valid UTF-8 text (line {line}); read as GB18030 it would give single Chinese "
            f"characters inside Latin words, so it is probably cp1252 or latin-1",
            "declare its encoding in cxreport.yaml (tables.<table>.encoding: cp1252), or save "
            "the file as UTF-8",
            [repr(text[max(0, bad.start() - 20) : bad.end() + 20])],
        )
    line = raw[: error.start].count(b"\n") + 1
    raise ReadError(
        f"not valid {' or '.join(tried)} text (byte {error.start}, line {line})",
        "save the file as UTF-8, or declare its encoding in cxreport.yaml "
        "(tables.<table>.encoding: cp1252, gbk, latin-1, ...)",
        [repr(raw[max(0, error.start - 20) : error.start + 20])],
    )


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_AS_CJK = re.compile(r"[A-Za-z][\u3400-\u9fff\uf900-\ufaff][A-Za-z]")


def _latin_as_chinese(text: str) -> bool:
    """GB18030 decodes cp1252 bytes too: "Zürich" becomes "Z黵ich", a lone ideograph between
    Latin letters, which real Chinese text hardly ever has."""
    sample = text[:2_000_000]
    n_cjk = len(CJK.findall(sample))
    return n_cjk > 0 and len(LATIN_AS_CJK.findall(sample)) > 0.3 * n_cjk


def _read_text(path: Path, encoding, sep, header_rows: int, combine: bool) -> Raw:
    text, used = decode(read_bytes(path)[0], encoding)  # checks the whole file, then goes:
    empty = not text.strip()
    head = text[: text.find("\n") + 1 or len(text)]
    del text  # the parser reads and decodes the file itself (the text as a stream took 4
    # bytes a character: a 200 MB file peaked at 1.7 GB)
    if empty:
        raise ReadError("the file is empty", "export the table again with its rows")
    several = header_rows > 1 or combine
    sep = sep or default_sep(path)
    if not several:
        _refuse_duplicates(_first_row(head, sep))
    try:
        grid = parse_csv(path, sep, header=None if several else 0, encoding=used)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(
            f"cannot be parsed as CSV: {exc}",
            "check the delimiter and quoting (tables.<table>.sep in cxreport.yaml)",
        ) from None
    return Raw(
        with_header(grid, header_rows, combine) if several else grid, path.name, encoding=used
    )


def default_sep(path: Path) -> str:
    """The delimiter a text file has unless its table declares one.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    str
        A tab for a ``.tsv`` file, else a comma.
    """
    return "\t" if path.suffix.lower() == ".tsv" else ","


def parse_csv(text, sep: str, header: int | None = None, **options) -> pd.DataFrame:
    """CSV text (a str, or a file's path with ``encoding=``) as text cells,
    :data:`NA_VALUES` missing; a grid unless ``header=0``. ``options`` go to
    :func:`pandas.read_csv` (``nrows``, ``on_bad_lines``, ``encoding``).

    Parameters
    ----------
    text : str or pathlib.Path
        The CSV text, or the file's path.
    sep : str
        The delimiter; more than one character is a regular expression (python parser).
    header : int or None, default=None
        ``0`` to name the columns from the first line; None reads every line as cells.
    **options
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
        Every cell as text (or missing), columns numbered from 0 when ``header`` is None.
    """
    return pd.read_csv(
        io.StringIO(text) if isinstance(text, str) else text,
        sep=sep,
        header=header,
        dtype=str,
        keep_default_na=False,
        na_values=NA_VALUES,
        skipinitialspace=True,
        engine="python" if len(sep) > 1 else "c",
        **options,
    )


def with_header(grid: pd.DataFrame, rows: int, combine: bool) -> pd.DataFrame:
    """Column names from the first ``rows`` lines of a grid read without a header.

    Parameters
    ----------
    grid : pandas.DataFrame
        The cells, read without a header.
    rows : int
        How many of its first lines are header lines.
    combine : bool
        True: each name joins the non-blank parts of every header line with " - " (the first
        line's text carried across the columns it spans). False: names from the first line.

    Returns
    -------
    pandas.DataFrame
        The lines below the header with a fresh index; a blank name becomes
        ``"Unnamed: <i>"``, a repeated combined name gets a ``.1``, ``.2`` ... suffix.

    Raises
    ------
    ReadError
        Without ``combine``, when two columns have the same name.
    """
    head = grid.iloc[:rows].astype(object).where(grid.iloc[:rows].notna(), None)
    if combine:
        top = pd.Series(head.iloc[0]).ffill()  # a question's text spans its option columns
        parts = [top.tolist()] + [head.iloc[r].tolist() for r in range(1, rows)]
        names = []
        for cells in zip(*parts, strict=True):
            seen = [str(c).strip() for c in cells if c is not None and str(c).strip()]
            names.append(" - ".join(dict.fromkeys(seen)))
    else:
        names = [None if c is None else str(c).strip() for c in head.iloc[0]]
        _refuse_duplicates(names)
    names = [n or f"Unnamed: {i}" for i, n in enumerate(names)]
    body = grid.iloc[rows:].reset_index(drop=True)
    body.columns = _unique(names)
    return body


def _first_row(text: str, sep: str) -> list[str]:
    """The header line's cells, as the CSV parser will split them (a one-character sep)."""
    if len(sep) != 1:
        return []
    return [c.strip() for c in next(csv.reader(io.StringIO(text), delimiter=sep), [])]


def _refuse_duplicates(names: list) -> None:
    """Two columns of one name: which is which cannot be guessed, so neither is read."""
    counts = Counter(n for n in names if n not in (None, ""))
    twice = [n for n, k in counts.items() if k > 1]
    if twice:
        raise ReadError(
            "has more than one column named " + ", ".join(repr(n) for n in twice),
            "rename the columns so that each name is used once",
        )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed cells as a CSV would show them: 12347.0 → 12347, names and cells without spaces."""
    return _tidy_columns(dict(frame.items()), frame.index)


def _tidy_columns(columns: dict, index: pd.Index) -> pd.DataFrame:
    """:func:`_tidy` on columns taken out of ``columns`` one by one (a column as read goes
    once tidied, so a large table is not held twice)."""
    out = {}
    for name in list(columns):
        s = columns.pop(name)
        col = str(name).strip()
        if col in out:  # "amount" and "amount ": one would silently replace the other
            _refuse_duplicates([col, col])
        if pd.api.types.is_float_dtype(s):
            v = s.dropna()
            if (
                len(v)
                and np.isfinite(v).all()
                and (v == np.round(v)).all()
                and v.abs().max() < 2**53
            ):
                s = s.astype("Int64")
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            s = _tidy_text(s)
        out[col] = s
        del s
    return pd.DataFrame(out, index=index, copy=False)


def _tidy_text(s: pd.Series) -> pd.Series:
    """:func:`_cell` on every cell; vectorised when the column holds only text (a Parquet
    string column of millions of rows), cell by cell when it mixes types (a sheet's column)."""
    if pd.api.types.is_string_dtype(s) and pd.api.types.infer_dtype(s, skipna=True) in (
        "string",
        "empty",
    ):
        text = s.str.strip()
        return text.where(text != "", None)
    return s.map(_cell, na_action="ignore")


def _cell(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v
