"""Packaging: environment.yml lists the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    py = project["dependencies"] + project["optional-dependencies"]["dev"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = [d for d in env if isinstance(d, str) and _name(d) not in ("python", "pip")]
    norm = lambda specs: {_name(s): s.replace(" ", "")[len(_name(s)) :] for s in specs}  # noqa: E731
    assert norm(conda) == norm(py)


def test_item_bank_has_40_items_in_7_categories():
    import pandas as pd

    bank = pd.read_csv(ROOT / "src/cxreport/resources/self_assessment_items.csv")
    assert len(bank) == 40 and bank["item"].is_unique
    sizes = bank.groupby("category", sort=False).size().tolist()
    assert sizes == [7, 5, 4, 7, 4, 7, 6]
    assert bank[["text_en", "text_zh", "category_zh"]].notna().all().all()


def test_version_flag(capsys):
    import pytest

    from cxreport.cli import main

    with pytest.raises(SystemExit):
        main(["--version"])
    assert "cxreport 0.1.0" in capsys.readouterr().out


def test_readme_shows_the_current_data_contract():
    from cxreport.data.contract import describe

    assert describe().strip() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == "make test" and "make test" in (ROOT / "README.md").read_text()
