"""Which notebooks a report runs: the checkout's ``notebooks/`` folder and ``--only``."""

from __future__ import annotations

from pathlib import Path

from ..errors import CxReportError, ParameterError


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the checkout the package runs from, else of the current directory.

    With the usual editable install (``pip install -e .``) the package sits in
    ``<checkout>/src/cxreport`` and its notebooks in ``<checkout>/notebooks``: the notebooks
    that match the code. Otherwise (a wheel install), ``./notebooks``.
    """
    # this file is <checkout>/src/cxreport/report/notebooks.py
    here = Path(__file__).resolve().parents[3] / "notebooks"
    if here.is_dir() and any(here.glob("*.ipynb")):
        return here
    return Path.cwd() / "notebooks"


def find_notebooks(notebooks_dir: str | Path, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, sorted; ``only`` names match the stem, the file name, or the stem
    without its number (``churn`` selects ``03_churn.ipynb``)."""
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise CxReportError(
            f"The notebooks folder {folder} does not exist; give it with --notebooks DIR."
        )
    books = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not books:
        raise CxReportError(f"The notebooks folder {folder} holds no .ipynb file.")
    if not only:
        return books

    def names(p: Path) -> set[str]:
        stem = p.stem
        short = stem.split("_", 1)[1] if "_" in stem and stem.split("_", 1)[0].isdigit() else stem
        return {stem.lower(), p.name.lower(), short.lower()}

    chosen, unknown = [], []
    for name in only:
        hits = [p for p in books if name.lower() in names(p)]
        if not hits:
            unknown.append(name)
        for p in hits:
            if p not in chosen:
                chosen.append(p)
    if unknown:
        raise ParameterError(
            f"--only: no notebook named {', '.join(map(repr, unknown))} in {folder}; "
            f"choose from {', '.join(p.stem for p in books)}."
        )
    return sorted(chosen)
