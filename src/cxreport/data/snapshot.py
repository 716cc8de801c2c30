"""A validated data folder, stored once for the kernels of a report run.

``cxreport run`` reads and checks the data folder once (:func:`write`) and stores the typed
tables as Parquet, with the folder's config and validation report. Each notebook's kernel then
opens that copy (:func:`open_dataset`) instead of reading and validating every file again: a
table is read on first use, and only the columns asked for (:meth:`Dataset.table`), so a page
that never looks at the transactions never holds them.

>>> files, cfg, report = write("data/sample", "/tmp/run/tables")   # what the runner does
>>> ds = open_dataset("/tmp/run/tables", month="2026-10")          # what a kernel does
>>> ds.table("transactions", ["customer_id", "date", "amount"])   # three columns read

The copy holds real customer data: it lives in the run's private temporary folder and goes
when the run ends.
"""

from __future__ import annotations

import ctypes
import pickle
import shutil
import sys
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from .folder import Dataset, check_month, parse_month, read_folder, rows_within

FORMAT = 1
META = "dataset.pickle"


def write(folder: str | Path, dest: str | Path, month: str | None = None):
    """Read and check ``folder``, storing each table in ``dest`` (created) as soon as it is
    checked; when the folder is valid (and has data in ``month``, if given:
    :func:`.folder.check_month` raises otherwise), write the metadata that makes ``dest`` a
    copy :func:`open_dataset` opens; otherwise remove what was stored.

    Returns ``(files, config, report)`` as :func:`cxreport.data.read_folder` does, without
    the tables: the caller keeps none of them.

    Parameters
    ----------
    folder : str or pathlib.Path
        The data folder.
    dest : str or pathlib.Path
        The folder for the copy (created; removed again unless the copy is complete).
    month : str, optional
        The reporting month, ``"YYYY-MM"``; None: not checked.

    Returns
    -------
    files : dict of str to pathlib.Path
        The first file of each table.
    config : Config or None
        The folder's config; None when ``cxreport.yaml`` has problems.
    report : ValidationReport
        Every problem and note.

    Raises
    ------
    ParameterError
        The folder is valid but has no data in ``month``.
    """
    folder = Path(folder).resolve()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with _Store(dest) as store:
            tables, files, cfg, report = read_folder(folder, sink=store.sink)
        if report.ok and month is not None:
            check_month(tables, month)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    if not report.ok:
        shutil.rmtree(dest, ignore_errors=True)
        return files, cfg, report
    del tables
    report.bad_cells.clear()  # cell positions of the checks: no use to an analysis
    meta = {
        "format": FORMAT,
        "folder": str(folder),
        "files": files,
        "config": cfg,
        "report": report,
        "tables": store.stored,
    }
    with open(dest / META, "wb") as fh:
        pickle.dump(meta, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return files, cfg, report


class _Store:
    """Each table stored as soon as it is checked, in a thread while the next one is read
    (Parquet's encoding releases the GIL: at a million customers, writing was a third of the
    data check). One table is written at a time, so at most two are in memory: the one being
    written and the one being read."""

    def __init__(self, dest: Path):
        self.dest, self.stored, self._writing = dest, {}, None

    def __enter__(self):
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxreport-store")
        return self

    def sink(self, name: str, frame: pd.DataFrame) -> None:
        self._wait()
        self._writing = name, self._pool.submit(_store, frame, self.dest / name)

    def _wait(self) -> None:
        if self._writing is not None:
            name, future = self._writing
            self._writing = None
            self.stored[name] = future.result()

    def __exit__(self, kind, *_):
        try:
            if kind is None:
                self._wait()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _store(frame: pd.DataFrame, stem: Path) -> dict:
    """One table as Parquet (columns readable one by one), or pickled when Arrow cannot hold
    a column (an extra attribute mixing numbers and text)."""
    info = {"rows": len(frame), "columns": [str(c) for c in frame.columns]}
    try:
        _write_parquet(frame, stem.with_suffix(".parquet"))
        info["format"] = "parquet"
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a column it cannot type
        stem.with_suffix(".parquet").unlink(missing_ok=True)
        frame.to_pickle(stem.with_suffix(".pickle"))
        info["format"] = "pickle"
    return info


def _write_parquet(frame: pd.DataFrame, path: Path, rows: int = 500_000) -> None:
    """``frame.to_parquet(path)`` a slice at a time: the Arrow copy of a whole 12M-row table
    beside every other table of the folder was the data check's peak at a million customers.
    The index is stored as a column (slices of a range index would not join up)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for start in range(0, max(len(frame), 1), rows):
            part = pa.Table.from_pandas(
                frame.iloc[start : start + rows],
                preserve_index=True,
                schema=None if writer is None else writer.schema,
            )
            if writer is None:
                # microseconds, not pandas' nanoseconds: Spark reads no nanosecond Parquet
                # (the engine may query this copy there); :meth:`StoredTables.read` gives
                # pandas its nanoseconds back
                writer = pq.ParquetWriter(path, part.schema, coerce_timestamps="us")
            writer.write_table(part)
            del part
    finally:
        if writer is not None:
            writer.close()


def is_snapshot(path: str | Path) -> bool:
    """Whether a folder is a stored copy (:func:`write` left its metadata there).

    Parameters
    ----------
    path : str or pathlib.Path
        The folder.

    Returns
    -------
    bool
    """
    return (Path(path) / META).is_file()


def open_dataset(path: str | Path, month: str | None = None) -> Dataset:
    """The stored copy as a :class:`Dataset` whose tables are read when first used.

    Parameters
    ----------
    path : str or pathlib.Path
        The copy's folder (the ``dest`` of :func:`write`).
    month : str, optional
        The reporting month, ``"YYYY-MM"`` (not checked against the data again).

    Returns
    -------
    Dataset
        Its ``tables`` a :class:`StoredTables`.

    Raises
    ------
    ValueError
        The copy was stored by another version of cxreport.
    """
    path = Path(path)
    with open(path / META, "rb") as fh:
        meta = pickle.load(fh)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} was stored by another version of cxreport")
    report = meta["report"]
    return Dataset(
        Path(meta["folder"]),
        meta["config"],
        StoredTables(path, meta["tables"]),
        meta["files"],
        parse_month(month) if month is not None else None,
        report,
        [p.format() for p in report.warnings] + report.notes,
    )


class StoredTables(Mapping):
    """The tables of a stored copy, each read when used; a mapping like ``Dataset.tables``.

    :meth:`read` with ``columns`` reads only those. Nothing is kept for later: a table
    stays in memory while an analysis holds it (and asking again then gives the same frame),
    and goes when the analysis lets it go, so a kernel holds the tables of the step it is on,
    not of every step so far (reading them again costs about a second for 12M rows).

    Parameters
    ----------
    path : pathlib.Path
        The copy's folder.
    stored : dict of str to dict
        Per table, as :func:`write` stored it: ``rows``, ``columns`` and ``format``
        (``"parquet"`` or ``"pickle"``).
    """

    def __init__(self, path: Path, stored: dict[str, dict]):
        self._path = Path(path)
        self._stored = stored
        self._held = weakref.WeakValueDictionary()  # name -> the frame last read of it
        self._read: dict[str, list[str]] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)

    def __contains__(self, name) -> bool:
        return name in self._stored

    def rows(self, name: str) -> int:
        """The number of rows of a stored table, without reading it.

        Parameters
        ----------
        name : str
            A stored table's name.

        Returns
        -------
        int
        """
        return self._stored[name]["rows"]

    def columns(self, name: str) -> list[str]:
        """The column names of a stored table, without reading it.

        Parameters
        ----------
        name : str
            A stored table's name.

        Returns
        -------
        list of str
        """
        return list(self._stored[name]["columns"])

    def path_of(self, name: str) -> Path | None:
        """The Parquet file of a table (None when it is pickled), for the engine to query.

        Parameters
        ----------
        name : str
            A stored table's name.

        Returns
        -------
        pathlib.Path or None
        """
        if self._stored[name]["format"] != "parquet":
            return None
        return self._path / f"{name}.parquet"

    def loaded(self) -> dict[str, list[str]]:
        """The columns read so far, per table (in the table's order).

        Returns
        -------
        dict of str to list of str
            The tables read at least once, each with the columns asked for.
        """
        return {
            k: [c for c in self._stored[k]["columns"] if c in set(v)] for k, v in self._read.items()
        }

    def read(self, name: str, columns=None, within=None) -> pd.DataFrame:
        """A table, or only ``columns`` of it; with ``within`` (see :meth:`Dataset.table`)
        only those rows, filtered while the file is read (and not kept for later).

        Parameters
        ----------
        name : str
            A stored table's name.
        columns : list of str, optional
            The columns wanted (those the table lacks are left out); None: all.
        within : tuple, optional
            ``(column, start, end)``, see :func:`cxreport.data.folder.rows_within`.

        Returns
        -------
        pandas.DataFrame
            The columns in the table's order, dates as ``datetime64[ns]``.
        """
        info = self._stored[name]
        every = info["columns"]
        want = every if columns is None else [c for c in every if c in set(columns)]
        have = self._held.get(name)
        if have is not None and all(c in have.columns for c in want):
            whole = have if columns is None and len(have.columns) == len(every) else have[want]
            return whole if within is None else rows_within(whole, within)
        self._read.setdefault(name, [])
        self._read[name] += [c for c in want if c not in self._read[name]]
        if info["format"] == "pickle":
            frame = pd.read_pickle(self._path / f"{name}.pickle")
            if within is not None:
                return rows_within(frame[want], within)
        else:
            filters = None if within is None else _filters(*within)
            path = self._path / f"{name}.parquet"
            frame = _nanoseconds(pd.read_parquet(path, columns=want, filters=filters))
            release_unused()
            if within is not None:
                return frame
        part = frame if columns is None else frame[want]
        self._held[name] = part
        return part


def _filters(column: str, start, end):
    """Arrow's row filter for ``start <= column < end`` (a missing date is in no window)."""
    import pyarrow.compute as pc

    col = pc.field(column)
    keep = col.is_valid()
    if start is not None:
        keep &= col >= pd.Timestamp(start).to_pydatetime()
    if end is not None:
        keep &= col < pd.Timestamp(end).to_pydatetime()
    return keep


def _nanoseconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as the folder reader types them (``datetime64[ns]``), from the copy's microseconds."""
    for col in frame.columns:
        if (
            pd.api.types.is_datetime64_any_dtype(frame[col])
            and frame[col].dtype != "datetime64[ns]"
        ):
            frame[col] = frame[col].astype("datetime64[ns]")
    return frame


def release_unused() -> None:
    """Give back to the system the memory the allocators keep once it is freed: Arrow's (after
    a read, the file's pages, a third of a large table's size) and, on Linux, the C library's.
    A kernel calls it after each cell (:func:`cxreport.start`), so that a page holds what it
    uses, not the most any of its steps used so far: at a million customers the CSI page kept
    about 600 MB so."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an allocator without it: nothing to give back
        pass
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass
