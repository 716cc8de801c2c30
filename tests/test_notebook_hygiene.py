"""Every notebook follows the conventions the runner and nbval rely on."""

from __future__ import annotations

import ast
import json

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COMMON = ["data_dir", "month", "seed", "export_dir", "history_dir", "show_ids", "id_key"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") or c.get("execution_count") for c in code), (
        "commit notebooks without outputs (nbstripout)"
    )
    assert nb["metadata"]["kernelspec"]["name"] == "cxreport"
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", []), "first code cell must be tagged"
    tree = ast.parse("".join(first["source"]))
    names = []
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), "parameters are annotated literals only"
        ast.literal_eval(node.value)
        names.append(node.target.id)
    assert names[: len(COMMON)] == COMMON
    lines = "".join(first["source"]).splitlines()
    assert all("#" in line for line in lines if line.strip()), "every parameter has a comment"
    assert "run.kpis()" in "".join(code[-1]["source"]), "the last cell records the KPIs"
