"""One segmentation per run: the segment labels every page of a report shows, computed once.

The segmentation notebook fixes the settings (``k``, ``k_min``, ...); ``cxreport run`` hands the
same settings to every notebook, and the labels are kept in a cache folder keyed on the data
files, the month, the seed and those settings. The first notebook that needs them computes them
under a file lock while the others wait on the lock (no polling), then read them. Beside the
labels the cache keeps the segmentation's yardstick (:class:`cxreport.segments.Yardstick`),
with which a page places an earlier month's customers in the same segments. In JupyterLab a
notebook on its own computes or reuses the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from .._version import __version__

CACHE_NAME = ".cxreport-cache"


def cache_dir(history_dir: Path | None) -> Path:
    """``OUT/.cxreport-cache`` during a run (it holds real ids, like the exports beside it);
    the user's cache folder otherwise.

    Parameters
    ----------
    history_dir : pathlib.Path or None
        The output root of the run (``OUT``); None outside a run.

    Returns
    -------
    pathlib.Path
        ``<history_dir>/.cxreport-cache``, else ``$XDG_CACHE_HOME/cxreport`` (default
        ``~/.cache/cxreport``).
    """
    if history_dir is not None:
        return Path(history_dir) / CACHE_NAME
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cxreport"


def key(data, month: pd.Period, seed: int, settings: dict) -> str:
    """Data files (path, size, modification time), config, month, seed, settings, version.

    Parameters
    ----------
    data : Dataset
        The run's data (its report's source files and its config file are fingerprinted).
    month : pandas.Period
        The report month.
    seed : int
        The random seed of the segmentation.
    settings : dict
        The segmentation's settings (``k``, ``k_min``, ...).

    Returns
    -------
    str
        The first 20 hex digits of the SHA-256 of all of these: the cache entry's name.
    """
    files = sorted({p for ps in data.report.sources.values() for p in ps}) if data.report else []
    if data.config.path is not None:
        files.append(str(data.config.path))
    stats = []
    for f in files:
        st = Path(f).stat()
        stats.append([f, st.st_size, st.st_mtime_ns])
    doc = {
        "files": stats,
        "month": str(month),
        "seed": int(seed),
        "settings": {k: settings[k] for k in sorted(settings)},
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(doc, default=str).encode()).hexdigest()[:20]


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): two notebooks may both compute, same result
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)  # blocks until the notebook computing them is done
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read(path: Path) -> pd.Series:
    t = pd.read_csv(path, dtype={"customer_id": str, "segment": str}, keep_default_na=False)
    return pd.Series(
        t["segment"].to_numpy(),
        index=pd.Index(t["customer_id"], name="customer_id"),
        name="segment",
    )


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)  # readers never see half a file


def labels(folder: Path, name: str, compute) -> pd.Series:
    """The cached labels ``folder/segments-<name>.csv``, computed by ``compute()`` (a
    :class:`cxreport.segments.SegmentResult`) the first time.

    Parameters
    ----------
    folder : pathlib.Path
        The cache folder (:func:`cache_dir`).
    name : str
        The cache entry's name (:func:`key`).
    compute : callable
        Called with no arguments when the labels are not cached yet; returns a
        :class:`cxreport.segments.SegmentResult`.

    Returns
    -------
    pandas.Series
        Segment per customer, indexed by ``customer_id``, named ``segment``.
    """
    if not _kept(folder, name):
        with _locked(folder / f"segments-{name}.lock"):
            if not _kept(folder, name):  # else computed by another page while this one waited
                result = compute()
                _keep(folder, name, result)
                return result.labels()
    return _read(folder / f"segments-{name}.csv")


def yardstick(folder: Path, name: str, compute):
    """The :class:`cxreport.segments.Yardstick` kept with the labels (computed first when
    they are not kept yet); None for a segmentation of customer attributes.

    Parameters
    ----------
    folder : pathlib.Path
        The cache folder (:func:`cache_dir`).
    name : str
        The cache entry's name (:func:`key`).
    compute : callable
        Computes the segmentation when nothing is cached, as in :func:`labels`.

    Returns
    -------
    cxreport.segments.Yardstick or None
    """
    from ..segments import Yardstick

    labels(folder, name, compute)
    text = (folder / f"segments-{name}.json").read_text(encoding="utf-8")
    return None if text.strip() == "null" else Yardstick.from_json(text)


def computed(folder: Path, name: str, compute):
    """``compute()`` (the segmentation page's own result) under the lock of ``folder/name``;
    its labels and yardstick kept unless another page kept them first. Returns the result.

    Parameters
    ----------
    folder : pathlib.Path
        The cache folder (:func:`cache_dir`).
    name : str
        The cache entry's name (:func:`key`).
    compute : callable
        Called with no arguments; returns a :class:`cxreport.segments.SegmentResult`.

    Returns
    -------
    cxreport.segments.SegmentResult
        What ``compute()`` returned.
    """
    with _locked(folder / f"segments-{name}.lock"):
        result = compute()
        if not _kept(folder, name):
            _keep(folder, name, result)
    return result


def _kept(folder: Path, name: str) -> bool:
    return (folder / f"segments-{name}.json").is_file()  # written last


def _keep(folder: Path, name: str, result) -> None:
    """The labels, then the yardstick (``null`` without one): a page that finds the
    yardstick finds both."""
    table = result.labels().rename("segment").rename_axis("customer_id").reset_index()
    _write(folder / f"segments-{name}.csv", table.to_csv(index=False))
    ruler = result.yardstick()
    _write(folder / f"segments-{name}.json", "null" if ruler is None else ruler.to_json())
