"""Shaping a table as read into the table the contract expects, by configuration alone.

The steps of ``tables.<table>`` in ``cxreport.yaml``, in this order: several files or sheets
concatenated (``files``), other files merged on a key (``join``), missing-value codes
(``na_values``), labels turned into values (``recode``), computed columns (``derive``) and rows
left out (``drop_rows``). Each step reports what it did as a note and what it could not do as a
problem naming the file, the config key and example rows; none of them raises for bad data.

Keys name the file's own columns, or a contract name mapped under ``columns``.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .config import TableConfig
from .readers import Raw
from .validation import ValidationReport, examples


def source_column(key: str, frame: pd.DataFrame, tcfg: TableConfig) -> str | None:
    """The frame's column a config key means: the column itself or the one mapped to it.

    Parameters
    ----------
    key : str
        A key of the config: a column of the file, or a contract name mapped under ``columns``.
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    tcfg : TableConfig
        The table's config, whose ``columns`` maps contract names to the file's.

    Returns
    -------
    str or None
        The column's name in ``frame``; None when it has neither.
    """
    if key in frame.columns:
        return key
    mapped = tcfg.columns.get(key)
    return mapped if mapped in frame.columns else None


def _unknown(report: ValidationReport, rel: str, where: str, key: str, frame: pd.DataFrame) -> None:
    close = difflib.get_close_matches(key, [str(c) for c in frame.columns], n=1, cutoff=0.5)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    report.add(
        rel,
        key,
        f"{where} names a column that is not in the file",
        0,
        fix=f"{hint}Columns found: {listing(frame.columns)}",
    )


def listing(columns, limit: int = 30) -> str:
    """Names as a comma-separated list, the first ``limit`` of them and "and N more".

    Parameters
    ----------
    columns : iterable
        The names (any values; shown as text).
    limit : int, default=30
        How many names to show at most.

    Returns
    -------
    str
    """
    names = [str(c) for c in columns]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _text(s: pd.Series) -> pd.Series:
    """Cells as lower-case text for matching codes (12347 and "12347" alike)."""
    return s.astype("string").str.strip().str.lower()


def rows(n: int) -> str:
    """ "1 row", "10,057 rows".

    Parameters
    ----------
    n : int
        Number of rows.

    Returns
    -------
    str
    """
    return f"{n:,} row{'' if n == 1 else 's'}"


def _code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


# -- files -------------------------------------------------------------------------------------


def concat(parts: list[Raw], name: str, report: ValidationReport) -> pd.DataFrame:
    """Several files or sheets as one table; rows repeated from an earlier part are dropped.

    Only repeats *across* parts are dropped (two yearly sheets that overlap by a week); equal
    rows inside one file may be real (two identical order lines) and are kept. The index holds
    "file line N" labels so that every message still points at the right file.

    Parameters
    ----------
    parts : list of Raw
        The files or sheets as read, in order.
    name : str
        The table's name, for the notes.
    report : ValidationReport
        Gets a note on parts that lack columns and on the rows dropped.

    Returns
    -------
    pandas.DataFrame
        The parts' rows one after the other, with every part's columns (empty where a part
        lacks one).
    """
    frames = []
    for raw in parts:
        f = raw.frame.copy()
        f.index = pd.Index(f"{raw.source} line " + pd.RangeIndex(2, len(f) + 2).astype(str))
        frames.append(f)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    differ = [r.source for r, f in zip(parts, frames, strict=True) if list(f.columns) != columns]
    if differ:
        report.notes.append(
            f"{name}: {', '.join(differ)} lack some columns of the other files (empty there)"
        )
    frame = pd.concat(frames, axis=0)
    seen: set = set()
    repeat = np.zeros(len(frame), dtype=bool)
    start = 0
    for f in frames:
        h = _row_hashes(frame.iloc[start : start + len(f)][columns])
        repeat[start : start + len(f)] = np.isin(h, list(seen)) if seen else False
        seen.update(h.tolist())
        start += len(f)
    if repeat.any():
        report.notes.append(
            f"{name}: {rows(int(repeat.sum()))} repeat a row of an earlier file or sheet and "
            f"were dropped (e.g. {', '.join(frame.index[repeat][:3])})"
        )
        frame = frame[~repeat]
    return frame


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError:  # cells of mixed types (Excel): hash them as text
        return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()


def join(
    frame: pd.DataFrame, spec: dict, other: Raw, rel: str, report: ValidationReport
) -> pd.DataFrame:
    """Merge another file's columns (all, or ``spec["columns"]``) on a key, as a left join:
    one CRM export in several files. Keys match as text, so 12347 meets "12347".

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    spec : dict
        One entry of ``join``: ``on`` (a column name, or ``{left: ..., right: ...}``) and
        optionally ``columns``, the other file's columns to take.
    other : Raw
        The other file as read.
    rel : str
        The file's name in messages.
    report : ValidationReport
        Collects the step's notes and problems (unknown or repeated keys, keys without match).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with the other file's columns (one that differs from a column of
        ``frame`` as ``"<column> (<file>)"``); ``frame`` itself when a key column is missing
        or the other file's key is not unique.
    """
    on = spec["on"]
    left, right = (on, on) if isinstance(on, str) else (on["left"], on["right"])
    ok = True
    for key, f, where in ((left, frame, rel), (right, other.frame, other.source)):
        if key not in f.columns:
            _unknown(report, where, f"join on '{key}'", key, f)
            ok = False
    if not ok:
        return frame
    extra = other.frame
    if spec.get("columns"):
        absent = [c for c in spec["columns"] if c not in extra.columns]
        for c in absent:
            _unknown(report, other.source, "join.columns", c, extra)
        extra = extra[[right, *(c for c in spec["columns"] if c in extra.columns and c != right)]]
    dup = extra[right][extra[right].notna() & extra[right].duplicated(keep=False)]
    if len(dup):
        report.add(
            other.source,
            right,
            f"join key '{right}' is not unique",
            len(dup),
            examples(dup),
            "each key may appear once in a file that is joined; remove the repeated rows",
        )
        return frame
    lkey, rkey = _text(frame[left]), _text(extra[right])
    unmatched = frame[left][lkey.notna() & ~lkey.isin(set(rkey.dropna()))]
    if len(unmatched):
        report.add(
            rel,
            left,
            f"no match in {other.source} for {left}",
            len(unmatched),
            examples(unmatched),
            f"add these keys to {other.source}, or check that "
            "both files use the same ids (their columns stay empty)",
            severity="warning",
        )
    orphans = int((~rkey.dropna().isin(set(lkey.dropna()))).sum())
    if orphans:
        report.notes.append(f"{other.source}: {rows(orphans)} match no row of {rel} (not used)")
    # a missing key matches nothing (not the other file's rows with a missing key)
    keyed = rkey.notna().to_numpy()
    index = lkey.map(pd.Series(extra.index[keyed], index=rkey[keyed]).to_dict())
    matched = extra.reindex(index.to_numpy())
    matched.index = frame.index
    out = frame.copy()
    for col in matched.columns:
        if col == right:
            continue
        if col in out.columns:
            same = out[col].astype("string").fillna("") == matched[col].astype("string").fillna("")
            if same[index.notna()].all():
                continue  # the same column in both files (Count, Quarter): keep one
            col_new = f"{col} ({other.source})"
            report.notes.append(
                f"{other.source}: column '{col}' differs from {rel}'s; kept as '{col_new}'"
            )
            out[col_new] = matched[col]
        else:
            out[col] = matched[col]
    report.notes.append(
        f"{rel}: joined {other.source} on {left} "
        f"({int(index.notna().sum()):,} of {len(frame):,} rows matched)"
    )
    return out


# -- cells ---------------------------------------------------------------------------------------


def na_values(
    frame: pd.DataFrame, tcfg: TableConfig, rel: str, report: ValidationReport
) -> pd.DataFrame:
    """Missing-value codes (-99, 999, 问卷星's -2/-3) become missing cells, counted.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    tcfg : TableConfig
        The table's config (``tables.<table>``).
    rel : str
        The file's name in messages.
    report : ValidationReport
        Collects the step's notes and problems.

    Returns
    -------
    pandas.DataFrame
        ``frame``, changed in place: the cells that match a code of ``tcfg.na_values``
        (:func:`matches`) are missing.
    """
    if not tcfg.na_values:
        return frame
    targets: dict[str, list] = {}
    for key, codes in tcfg.na_values.items():
        cols = list(frame.columns) if key == "*" else [source_column(key, frame, tcfg)]
        if cols == [None]:
            _unknown(report, rel, f"na_values.{key}", key, frame)
            continue
        for col in cols:
            targets.setdefault(col, []).extend(codes)
    counts = {}
    for col, codes in targets.items():
        s = frame[col]
        mask = matches(s, codes).to_numpy(dtype=bool, copy=True)
        if mask.any():
            frame[col] = (
                s.astype(object).where(~mask, None)
                if not pd.api.types.is_numeric_dtype(s)
                else s.mask(mask)
            )
            counts[col] = int(mask.sum())
    if counts:
        shown = ", ".join(f"{c} {n:,}" for c, n in list(counts.items())[:8])
        report.notes.append(
            f"{rel}: {sum(counts.values()):,} cells with a missing-value code "
            f"read as missing ({shown})"
        )
    return frame


def matches(s: pd.Series, values) -> pd.Series:
    """Cells equal to one of ``values``: as text, case-insensitively ("yes" = "Yes"), and as
    numbers (0 = 0.0 = "0.00").

    Parameters
    ----------
    s : pandas.Series
        The cells.
    values : list
        The codes to look for.

    Returns
    -------
    pandas.Series
        Booleans aligned with ``s`` (False for missing cells).
    """
    hit = _text(s).isin({_code(v) for v in values}).fillna(False).astype(bool)
    numeric = [float(v) for v in values if _is_number(v)]
    if numeric and not pd.api.types.is_bool_dtype(s):
        num = (
            s
            if pd.api.types.is_numeric_dtype(s)
            else pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
        )
        hit = hit | num.astype(float).isin(numeric).fillna(False).astype(bool)
    return hit


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def recode(
    frame: pd.DataFrame, tcfg: TableConfig, rel: str, report: ValidationReport
) -> pd.DataFrame:
    """Labels that stand for values ("非常满意" → 5, "Yes" → 1); unmapped labels are errors.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    tcfg : TableConfig
        The table's config (``tables.<table>``).
    rel : str
        The file's name in messages.
    report : ValidationReport
        Collects the step's notes and problems.

    Returns
    -------
    pandas.DataFrame
        ``frame``, changed in place: each column of ``tcfg.recode`` holds the values its
        labels map to (matched as lower-case text), an unmapped label missing and its cell
        marked bad.
    """
    for key, mapping in tcfg.recode.items():
        col = source_column(key, frame, tcfg)
        if col is None:
            _unknown(report, rel, f"recode.{key}", key, frame)
            continue
        table = {_code(k): v for k, v in mapping.items()}
        text = _text(frame[col])
        mapped = text.map(table)
        left = frame[col][text.notna() & ~text.isin(set(table))]
        if len(left):
            counts = left.astype(str).value_counts()
            values = "; ".join(f"{v!r} ({n:,})" for v, n in counts.head(10).items())
            report.add(
                rel,
                key,
                f"recode.{key} leaves values unmapped: {values}",
                len(left),
                examples(left),
                f"add them under recode.{key} in cxreport.yaml "
                "(label: value; use null for 'not applicable')",
            )
            report.mark_bad(rel, key, left.index)
        frame[col] = mapped.astype(object).where(mapped.notna(), None)
    return frame


def derive(
    frame: pd.DataFrame, tcfg: TableConfig, rel: str, report: ValidationReport
) -> pd.DataFrame:
    """Columns computed from others (``amount: Quantity * UnitPrice``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    tcfg : TableConfig
        The table's config (``tables.<table>``).
    rel : str
        The file's name in messages.
    report : ValidationReport
        Collects the step's notes and problems.

    Returns
    -------
    pandas.DataFrame
        ``frame``, changed in place, with a column per entry of ``tcfg.derive`` that could be
        computed (:func:`cxreport.data.expr.evaluate`).
    """
    from ..errors import ExpressionError
    from .expr import columns_used, evaluate

    for key, expression in tcfg.derive.items():
        if key in tcfg.columns:
            report.add(
                rel,
                key,
                f"derive.{key} and columns.{key} both define '{key}'",
                0,
                fix="keep one of them",
            )
            continue
        try:
            frame[key] = evaluate(str(expression), frame)
        except ExpressionError as exc:
            rows = list(exc.rows[:5]) if exc.rows is not None else []
            used = [c for c in columns_used(str(expression)) if c in frame.columns] if rows else []
            shown = frame.loc[rows, used].astype(str).agg(", ".join, axis=1) if used else None
            report.add(
                rel,
                key,
                f"derive.{key}: {exc}",
                len(exc.rows) if exc.rows is not None else 0,
                examples(shown) if shown is not None else [],
                f"correct the expression `{expression}` under derive in cxreport.yaml",
            )
    return frame


# -- rows ------------------------------------------------------------------------------------------


def drop_rows(
    frame: pd.DataFrame, tcfg: TableConfig, rel: str, report: ValidationReport
) -> pd.DataFrame:
    """Rows left out by declared conditions, each rule counted in a note.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read, columns named as in the file.
    tcfg : TableConfig
        The table's config (``tables.<table>``).
    rel : str
        The file's name in messages.
    report : ValidationReport
        Collects the step's notes and problems.

    Returns
    -------
    pandas.DataFrame
        The rows of ``frame`` that meet no condition of ``tcfg.drop_rows`` (``frame`` itself
        when none is dropped).
    """
    # numpy masks: aligning Series on a long index of "file line N" labels would hash it
    keep = np.ones(len(frame), dtype=bool)
    for key, cond in tcfg.drop_rows.items():
        col = source_column(key, frame, tcfg)
        if col is None:
            _unknown(report, rel, f"drop_rows.{key}", key, frame)
            continue
        hit = _condition(frame[col], cond, tcfg).to_numpy(dtype=bool) & keep
        if hit.any():
            report.notes.append(
                f"{rel}: left out {rows(int(hit.sum()))} where {key} {_describe(cond)} (drop_rows)"
            )
        keep &= ~hit
    return frame if keep.all() else frame.iloc[np.flatnonzero(keep)]


def _condition(s: pd.Series, cond, tcfg: TableConfig) -> pd.Series:
    if cond == "missing":
        return s.isna()
    if isinstance(cond, list):
        return matches(s, cond)
    hit = pd.Series(False, index=s.index)
    text = s.astype("string").str.strip()
    for op, value in cond.items():
        if op == "startswith":
            hit |= text.str.startswith(str(value)).fillna(False).astype(bool)
        elif op == "contains":
            hit |= text.str.contains(str(value), regex=False).fillna(False).astype(bool)
        elif op == "equals":
            hit |= matches(s, [value])
        elif op in ("below", "above"):
            num = pd.to_numeric(text, errors="coerce")
            hit |= (num < value) if op == "below" else (num > value)
        else:  # before / after: dates
            d = (
                s
                if pd.api.types.is_datetime64_any_dtype(s)
                else pd.to_datetime(text, format=tcfg.date_format or "ISO8601", errors="coerce")
            )
            limit = pd.Timestamp(str(value))
            hit |= ((d < limit) if op == "before" else (d > limit)).fillna(False).astype(bool)
    return hit.fillna(False).astype(bool)


def _describe(cond) -> str:
    if cond == "missing":
        return "is missing"
    if isinstance(cond, list):
        return "is one of " + ", ".join(map(str, cond))
    words = {
        "startswith": "starts with",
        "contains": "contains",
        "equals": "equals",
        "below": "is below",
        "above": "is above",
        "before": "is before",
        "after": "is after",
    }
    return " or ".join(f"{words[k]} {v}" for k, v in cond.items())
