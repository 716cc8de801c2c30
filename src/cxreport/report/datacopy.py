"""The data folder of a run, checked once and handed to the notebooks as a typed copy.

:func:`check_and_store` validates the folder in a process of its own (spawned, so it starts
with nothing of the runner's) that stores the validated tables as Parquet
(:mod:`cxreport.data.snapshot`) and exits: the runner gets the report back and never holds the
tables, and the memory of reading a million customers goes back to the system before any
kernel starts. Each kernel then opens the copy (:func:`cxreport.start` finds it through
:data:`ENV`, which :mod:`.execute` sets for the kernels of the run) and reads only the tables
and columns its notebook uses.
"""

from __future__ import annotations

from pathlib import Path

#: Environment variable naming the stored copy for the kernels of a run.
ENV = "CXREPORT_DATA_COPY"


def _check_and_store(folder: str, dest: str, month: str | None):
    from ..data import snapshot

    files, cfg, report = snapshot.write(folder, dest, month)
    report.screening = (
        None  # a flag per survey response: the kernels have it, the runner needs none
    )
    return files, cfg, report


def check_and_store(folder: str | Path, dest: str | Path, month: str | None = None):
    """Validate ``folder`` and, when valid and with data in ``month``, store it in ``dest``,
    in a spawned process.

    Returns ``(files, config, report)`` as :func:`cxreport.data.read_folder` does, without
    the tables. Exceptions of the reading (a missing folder, a month outside the data:
    :func:`cxreport.data.folder.check_month`) are raised here.

    Parameters
    ----------
    folder : str or pathlib.Path
        The data folder.
    dest : str or pathlib.Path
        Where to store the checked tables (created; removed again when the folder is not valid).
    month : str or None, default=None
        The report month, ``"YYYY-MM"``; None checks no month.

    Returns
    -------
    tuple
        ``(files, config, report)``; the report's per-response ``screening`` is left out
        (None).
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(_check_and_store, str(folder), str(dest), month).result()


def customer_ids(dest: str | Path) -> list | None:
    """The customer ids of a stored copy (for the HTML's id guard), or None without them.

    Parameters
    ----------
    dest : str or pathlib.Path
        The stored copy, as :func:`check_and_store` wrote it.

    Returns
    -------
    list or None
        The ``customer_id`` column of the customers table, None when it has no such column.
    """
    from ..data import snapshot

    data = snapshot.open_dataset(dest)
    if "customer_id" not in data.columns("customers"):
        return None
    return data.table("customers", ["customer_id"])["customer_id"].tolist()
