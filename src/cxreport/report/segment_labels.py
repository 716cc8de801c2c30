"""One segmentation per run: the segment labels every page of a report shows, computed once.

The segmentation notebook fixes the settings (``k``, ``k_min``, ...); ``cxreport run`` hands the
same settings to every notebook, and the labels are kept in a cache folder keyed on the data
files, the month, the seed and those settings. The first notebook that needs them computes them
under a file lock while the others wait on the lock (no polling), then read them. In JupyterLab
a notebook on its own computes or reuses the same.
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
    the user's cache folder otherwise."""
    if history_dir is not None:
        return Path(history_dir) / CACHE_NAME
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cxreport"


def key(data, month: pd.Period, seed: int, settings: dict) -> str:
    """Data files (path, size, modification time), config, month, seed, settings, version."""
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


def _write(path: Path, labels: pd.Series) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    labels.rename("segment").rename_axis("customer_id").reset_index().to_csv(tmp, index=False)
    os.replace(tmp, path)  # readers never see half a file


def labels(folder: Path, name: str, compute) -> pd.Series:
    """The cached labels ``folder/name.csv``, computed by ``compute()`` the first time."""
    path = folder / f"segments-{name}.csv"
    if path.is_file():
        return _read(path)
    with _locked(folder / f"segments-{name}.lock"):
        if path.is_file():  # computed by another notebook while this one waited
            return _read(path)
        result = compute()
        _write(path, result)
        return result


def computed(folder: Path, name: str, compute, labels_of):
    """``compute()`` under the lock of ``folder/name``; its labels (``labels_of(result)``)
    kept unless another notebook kept them first. Returns the result."""
    path = folder / f"segments-{name}.csv"
    with _locked(folder / f"segments-{name}.lock"):
        result = compute()
        if not path.is_file():
            _write(path, labels_of(result))
    return result


def keep(folder: Path, name: str, result: pd.Series) -> None:
    """Store labels computed elsewhere (by the segmentation notebook itself)."""
    path = folder / f"segments-{name}.csv"
    with _locked(folder / f"segments-{name}.lock"):
        if not path.is_file():
            _write(path, result)
