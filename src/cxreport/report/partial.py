"""What a partial run (``--only``) keeps of the month's report: the notebooks it did not run.

A run of some notebooks replaces only what those notebooks made in ``OUT/<month>/``: their
page, their executed notebook and their exports (the ``exported`` list the report's manifest
holds for each). Everything else — the other notebooks' pages and exports, the saved churn
model, any file no notebook claims — is copied into the run's temporary folder, so that the
merged report moves into place in one step (:func:`.run.place`) and a run that fails leaves
the previous report as it was. ``index.html``, ``manifest.json`` and ``metrics.json`` are
rebuilt from both, each notebook marked with the time stamp of the run that made it;
``run.log`` is the new run's.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .logs import RUN_LOG

#: Files of a report that every run writes anew (report.pdf too, or not at all: a PDF of the
#: previous report must not stand beside the new one).
REBUILT = frozenset(
    {
        "index.html",
        "manifest.json",
        "metrics.json",
        RUN_LOG,
        "report.html",
        "report.xlsx",
        "report.pdf",
    }
)


@dataclass
class Kept:
    """The notebooks of the previous report that a partial run did not run."""

    rows: list[dict] = field(default_factory=list)  # their manifest rows, each with "generated"
    metrics: list[dict] = field(default_factory=list)  # their KPIs, as metrics.json lists them
    payloads: dict[str, dict] = field(default_factory=dict)  # metrics.json "notebooks" entries
    parameters: dict[str, dict] = field(default_factory=dict)  # the manifest's, per notebook
    files: list[str] = field(default_factory=list)  # what was copied from the previous report

    @property
    def names(self) -> set[str]:
        """The names (notebook stems) of the kept notebooks, from their manifest rows.

        Returns
        -------
        set of str
        """
        return {row["name"] for row in self.rows}


def own_files(row: dict) -> set[str]:
    """The files a notebook made, by its manifest row: page, executed notebook, exports.

    Parameters
    ----------
    row : dict
        The notebook's row of ``manifest.json`` (keys ``html``, ``ipynb``, ``exported``).

    Returns
    -------
    set of str
        The file names the row lists, empty ones left out.
    """
    return {f for f in (row.get("html"), row.get("ipynb"), *row.get("exported", [])) if f}


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def keep_previous(previous: Path, tmp: Path, ran: set[str]) -> Kept | None:
    """Copy into ``tmp`` what the report in ``previous`` holds beside the notebooks ``ran``
    (by name) and the files just written to ``tmp``; ``None`` without a readable report.

    Parameters
    ----------
    previous : pathlib.Path
        The month's report folder as it stands, ``OUT/<month>/``.
    tmp : pathlib.Path
        The run's temporary folder, where the new report is being written.
    ran : set of str
        Names (stems) of the notebooks this run ran.

    Returns
    -------
    Kept or None
        The kept notebooks' manifest rows, KPIs, payloads and parameters and the copied files;
        None when ``previous/manifest.json`` is missing, unreadable or lists no notebooks.
    """
    manifest = _read(previous / "manifest.json")
    if manifest is None or not isinstance(manifest.get("notebooks"), list):
        return None
    earlier = str(manifest.get("generated") or "")  # a report of an older cxreport
    kept, replaced = Kept(), set()
    for row in manifest["notebooks"]:
        if row.get("name") in ran:
            replaced |= own_files(row)
        else:
            kept.rows.append({**row, "generated": row.get("generated") or earlier})
    for entry in sorted(previous.iterdir()):
        if entry.name in REBUILT or entry.name in replaced or (tmp / entry.name).exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, tmp / entry.name)
        else:
            shutil.copy2(entry, tmp / entry.name)
        kept.files.append(entry.name)
    names = kept.names
    metrics = _read(previous / "metrics.json") or {}
    kept.metrics = [m for m in metrics.get("metrics", []) if m.get("notebook") in names]
    by_row = {row["name"]: row["generated"] for row in kept.rows}
    kept.payloads = {
        k: {**v, "generated": v.get("generated") or by_row[k]}
        for k, v in (metrics.get("notebooks") or {}).items()
        if k in names
    }
    kept.parameters = {k: v for k, v in (manifest.get("parameters") or {}).items() if k in names}
    return kept
