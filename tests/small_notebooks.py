"""Small notebooks for the runner's tests, written into a temporary notebooks folder."""

from __future__ import annotations

from pathlib import Path

import nbformat

COMMON_PARAMETERS = (
    'data_dir: str = "../data/sample"  # data folder\n'
    'month: str = "2026-10"  # reporting month, YYYY-MM\n'
    "seed: int = 42  # seed\n"
    'export_dir: str = ""  # folder for exported tables (empty: do not export)\n'
    'history_dir: str = ""  # history (empty: none)\n'
    "show_ids: bool = False  # ids\n"
    'id_key: str = ""  # key\n'
)


def write_notebook(folder: Path, name: str, *cells: str, parameters: str = "") -> Path:
    """``folder/<name>.ipynb``: the common parameters (and ``parameters``), then ``cells``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(COMMON_PARAMETERS + parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {
        "name": "cxreport",
        "display_name": "cxreport",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
