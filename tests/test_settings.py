"""Notebook settings, declared once (cxreport.settings, cxreport.report.notebooks.DECLARED):
the declarations are the parameters cells, the README tables and the pre-flight checks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from cxreport.errors import ParameterError
from cxreport.report.notebooks import DECLARED
from cxreport.report.parameters import RUNNER_PARAMS, plan_parameters
from cxreport.settings import Setting, check

ROOT = Path(__file__).resolve().parents[1]
RUNNER = {"data_dir": "d", "month": "2026-10", "export_dir": "", "history_dir": "",
          "show_ids": False, "id_key": "k", "segment_settings": {}, "lang": "en"}  # fmt: skip


def test_messages_name_the_parameter_what_it_accepts_and_what_was_given():
    n = Setting("n_splits", int, 5, "folds", low=2, high=20)
    assert n.check(7) == 7
    with pytest.raises(ParameterError) as err:
        n.check(1, owner="03_churn")
    assert str(err.value) == (
        "The 'n_splits' parameter of 03_churn must be an int in the range [2, 20]; got 1."
    )
    for bad in (True, 2.5, "5", 21):
        with pytest.raises(ParameterError, match="must be an int in the range"):
            n.check(bad)
    policy = Setting("policy", str, "budget", "who", choices=("budget", "profit"))
    with pytest.raises(ParameterError, match="must be one of 'budget', 'profit'; got 'x'"):
        policy.check("x")
    alpha = Setting("alpha", float, 0.05, "rate", low=0, high=1, open=True)
    assert alpha.check(0.1) == 0.1 and isinstance(Setting("x", float, 1.0, "x").check(1), float)
    with pytest.raises(ParameterError, match=r"a number in \(0, 1\); got 0"):
        alpha.check(0)
    with pytest.raises(ParameterError, match=r"in the range \[0, inf\)"):
        Setting("n", int, 0, "n", low=0).check(-1)
    with pytest.raises(ParameterError, match="True or False; got 'yes'"):
        Setting("b", bool, False, "b").check("yes")


def test_check_reports_every_problem_at_once_and_ignores_undeclared_names():
    declared = (Setting("a", int, 1, "a", low=0), Setting("b", str, "x", "b", choices=("x",)))
    assert check(declared, {"a": 3, "other": object()}) == {"a": 3}
    with pytest.raises(ParameterError) as err:
        check(declared, {"a": -1, "b": "y"})
    assert "'a' parameter" in str(err.value) and "'b' parameter" in str(err.value)


def test_help_may_not_hold_what_papermill_cannot_read():
    with pytest.raises(ValueError, match="no '='"):
        Setting("x", int, 1, "x = 1 means one")


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_the_parameters_cell_is_the_declaration_and_papermill_reads_all_of_it(name):
    declared = DECLARED[name]
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert cell.source == declared.parameters_cell(), (
        f"{name}'s parameters cell differs from its declaration: run "
        "python -m cxreport.report.notebooks"
    )
    read = pm.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"))
    assert list(read) == [s.name for s in declared.settings]
    for s in declared.settings:
        assert read[s.name]["inferred_type_name"] == s.type_name
        assert read[s.name]["default"] == s.literal()
        assert read[s.name]["help"] == s.help


@pytest.mark.parametrize("name", ["common", *sorted(DECLARED)])
def test_the_readme_table_is_the_declaration(name):
    from cxreport.report.notebooks import readme_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- parameters of {name} -->\n(.*?)<!-- end -->", readme, flags=re.S)
    assert block, f"README.md lacks the <!-- parameters of {name} --> table"
    assert block.group(1) == readme_table(name), (
        f"README's table for {name} differs from the declaration: run "
        "python -m cxreport.report.notebooks"
    )


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_the_defaults_pass_and_the_first_cell_calls_start_with_the_namespace(name):
    DECLARED[name].check({})
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert f'run = cxreport.start("{name}", globals())' in code[1]


def _bad_value(s: Setting) -> str:
    if s.choices:
        return "not-" + s.choices[0]
    if s.type is bool:
        return "maybe"
    if s.high is not None:
        return str(s.high * 10 + 1)
    return str(s.low - 1)


CASES = [(n, s) for n, d in sorted(DECLARED.items()) for s in d.settings if not s.runner]


@pytest.mark.parametrize(("name", "setting"), CASES, ids=[f"{n}-{s.name}" for n, s in CASES])
def test_a_bad_value_of_every_setting_fails_before_any_kernel(name, setting):
    path = ROOT / "notebooks" / f"{name}.ipynb"
    value = _bad_value(setting)
    with pytest.raises(ParameterError) as err:
        plan_parameters([path], {setting.name: value}, RUNNER)
    assert f"'{setting.name}' parameter" in str(err.value)
    assert name in str(err.value)


def test_cross_setting_rules_run_up_front_too():
    path = ROOT / "notebooks" / "02_segments.ipynb"
    with pytest.raises(ParameterError, match="'k_max' parameter of 02_segments"):
        plan_parameters([path], {"k_min": "6", "k_max": "4"}, RUNNER)
    with pytest.raises(ParameterError, match="'k' parameter of 02_segments must be 0"):
        plan_parameters([path], {"k": "1"}, RUNNER)


def test_renamed_settings_are_named_as_the_notebook_names_them():
    path = ROOT / "notebooks" / "05_nps_sqi.ipynb"
    with pytest.raises(ParameterError, match="'sqi_freq' parameter of 05_nps_sqi"):
        plan_parameters([path], {"sqi_freq": "M"}, RUNNER)


def test_runner_params_are_the_declared_runner_settings():
    assert set(RUNNER_PARAMS) == set(RUNNER)
