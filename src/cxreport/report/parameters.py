"""A notebook's ``parameters`` cell, and ``--param`` values checked against it.

Every check runs before a kernel starts: a user mistake costs no notebook run.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ..errors import CxReportError, ParameterError

#: Parameters the runner sets itself; ``--param`` may not set them.
RUNNER_PARAMS = (
    "data_dir",
    "month",
    "export_dir",
    "history_dir",
    "show_ids",
    "id_key",
    "segment_settings",  # the segmentation notebook's settings, handed to every page
)
#: Parameters every notebook's ``parameters`` cell declares.
REQUIRED_DECLARED = ("data_dir", "month")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def inspect_parameters(path: str | Path) -> dict[str, dict]:
    """The parameters cell of a notebook: ``{name: {name, inferred_type_name, default, help}}``.

    :func:`papermill.inspect_notebook` first; its line parser skips a declaration whose ``#``
    comment holds quotes (such as the conventions' ``export_dir`` line), so every annotated
    or plain assignment it missed is read again with :mod:`ast`.
    """
    import logging

    import nbformat
    import papermill as pm

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "Unable to parse line ..." is handled below
    try:
        found = dict(pm.inspect_notebook(str(path)))
    finally:
        logger.setLevel(level)
    nb = nbformat.read(str(path), as_version=4)
    cell = next(
        (
            c
            for c in nb.cells
            if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        None,
    )
    if cell is None:
        return found
    source = cell.source
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    order: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, annotation, value = node.targets[0].id, "None", node.value
        else:
            continue
        order.append(name)
        if name in found:
            continue
        rest = lines[node.end_lineno - 1][node.end_col_offset :] if node.end_lineno else ""
        help_text = rest.strip()[1:].strip() if rest.strip().startswith("#") else ""
        found[name] = {
            "name": name,
            "inferred_type_name": annotation,
            "default": ast.unparse(value) if value is not None else None,
            "help": help_text,
        }
    # declaration order, as in the cell (papermill's hits came first above)
    return {k: found[k] for k in [*order, *(k for k in found if k not in order)] if k in found}


def _strip_optional(type_name: str) -> tuple[str, bool]:
    t = (type_name or "").replace(" ", "")
    if t.startswith("Optional[") and t.endswith("]"):
        return t[9:-1], True
    parts = [p for p in t.split("|") if p]
    if "None" in parts and len(parts) > 1:
        return "|".join(p for p in parts if p != "None"), True
    return t, False


def coerce(name: str, text: str, spec: dict, notebook: str):
    """Turn a command-line string into the type the parameters cell declares.

    ``str`` stays a string (``--param month=2024`` is the string ``"2024"``); ``int``,
    ``float`` and ``bool`` (true/false/yes/no/1/0) are checked; ``list``/``dict``/``tuple``
    take a Python or JSON literal; an unannotated parameter takes the type of its default.
    """
    type_name, optional = _strip_optional(spec.get("inferred_type_name") or "None")
    where = f"The '{name}' parameter of {notebook}"
    if optional and text.strip().lower() in ("none", "null", ""):
        return None
    if type_name in ("None", ""):  # no annotation: follow the default's type
        try:
            default = ast.literal_eval(spec.get("default") or "None")
        except (ValueError, SyntaxError):
            default = None
        type_name = {
            bool: "bool",
            int: "int",
            float: "float",
            list: "list",
            dict: "dict",
            tuple: "tuple",
        }.get(type(default), "str")
    base = type_name.split("[", 1)[0].lower()
    if base == "str":
        return text
    if base == "bool":
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ParameterError(f"{where} must be a bool (true/false, yes/no, 1/0); got {text!r}.")
    if base == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise ParameterError(f"{where} must be an int; got {text!r}.") from None
    if base == "float":
        try:
            return float(text.strip())
        except ValueError:
            raise ParameterError(f"{where} must be a float; got {text!r}.") from None
    if base in ("list", "dict", "tuple", "set"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            try:
                value = json.loads(text)
            except ValueError:
                example = '{"a": 1}' if base == "dict" else "[1, 2]"
                raise ParameterError(
                    f"{where} must be a {base} literal such as {example}; got {text!r}."
                ) from None
        kind = {
            "list": (list, tuple),
            "tuple": (list, tuple),
            "set": (list, tuple, set),
            "dict": (dict,),
        }[base]
        if not isinstance(value, kind):
            raise ParameterError(f"{where} must be a {base}; got {text!r}.")
        return list(value) if base in ("list", "set") else value
    return text  # unknown annotation: pass the string, the notebook checks it


def parse_param_args(items: list[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` → ``{"k": "v"}`` with a clear error for a malformed item."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ParameterError(
                f"--param takes NAME=VALUE, for example --param seed=7; got {item!r}."
            )
        out[key] = value
    return out


def plan_parameters(notebooks: list[Path], given: dict[str, str], runner: dict) -> dict[str, dict]:
    """Each notebook's papermill parameters, checked before any kernel starts.

    Parameters
    ----------
    notebooks : list of Path
        Selected notebooks.
    given : dict
        ``--param`` values as strings.
    runner : dict
        Values the runner sets (data_dir, month, ...); each notebook gets those it declares.

    Raises
    ------
    ParameterError
        A parameter unknown to every selected notebook, one the runner sets itself, a value
        that does not fit the declared type, a notebook without the common parameters, or a
        required parameter (declared ``= None`` without ``Optional``) left out. Every problem
        is listed at once.
    """
    problems: list[str] = []
    for key in given:
        if key in RUNNER_PARAMS:
            flag = {"data_dir": "--data", "month": "--month", "show_ids": "--show-ids"}.get(key)
            problems.append(f"'{key}' is set by cxreport run" + (f"; use {flag}" if flag else ""))
    specs: dict[str, dict] = {}
    for nb in notebooks:
        try:
            specs[nb.stem] = inspect_parameters(nb)
        except Exception as exc:  # unreadable notebook: a user problem, not a crash
            problems.append(f"{nb.name}: cannot read its parameters cell ({exc})")
            continue
        missing = [p for p in REQUIRED_DECLARED if p not in specs[nb.stem]]
        if missing:
            problems.append(
                f"{nb.name}: the parameters cell lacks {', '.join(missing)} "
                "(see the notebook conventions)"
            )
    known = sorted({k for s in specs.values() for k in s} - set(RUNNER_PARAMS))
    for key in given:
        if key not in RUNNER_PARAMS and not any(key in s for s in specs.values()):
            problems.append(
                f"unknown parameter '{key}': no selected notebook declares it "
                f"(known: {', '.join(known) or 'none'})"
            )
    plans: dict[str, dict] = {}
    for nb in notebooks:
        spec = specs.get(nb.stem)
        if spec is None:
            continue
        params = {k: v for k, v in runner.items() if k in spec}
        for key, text in given.items():
            if key in spec and key not in RUNNER_PARAMS:
                try:
                    params[key] = coerce(key, text, spec[key], nb.stem)
                except ParameterError as exc:
                    problems.append(str(exc))
        for key, s in spec.items():
            _, optional = _strip_optional(s.get("inferred_type_name") or "")
            if (s.get("default") or "").strip() == "None" and not optional and key not in params:
                problems.append(f"{nb.stem} needs '{key}' (no default): give --param {key}=...")
        plans[nb.stem] = params
    if problems:
        raise ParameterError("bad parameters:\n  " + "\n  ".join(problems))
    _share_segment_settings(plans, specs)
    _preflight(plans, specs)
    return plans


def _checks() -> dict[str, list]:
    """Each notebook's settings checks, as its first code cell calls them: (function,
    {function argument: notebook parameter} where the names differ)."""
    from .. import churn, csi, mot, nps, segments, sqi, swot

    return {
        "01_swot": [(swot.check_settings, {})],
        "02_segments": [(segments.check_settings, {})],
        "03_churn": [(churn.check_settings, {})],
        "04_csi": [(csi.check_settings, {})],
        "05_nps_sqi": [
            (nps.check_options, {}),
            (sqi.check_options, {"freq": "sqi_freq"}),
            (mot.check_options, {"window_months": "mot_window_months"}),
        ],
    }


def _preflight(plans: dict[str, dict], specs: dict[str, dict]) -> None:
    """Run every notebook's value checks (a churn ``policy`` of "cheapest", an ``n_boot``
    of 5) on its defaults and ``--param`` values, before any kernel starts."""
    import ast
    import inspect

    problems = []
    for name, (checks) in _checks().items():
        if name not in plans:
            continue
        values = {}
        for key, spec in specs[name].items():
            try:
                values[key] = ast.literal_eval(spec.get("default") or "None")
            except (ValueError, SyntaxError):
                continue
        values.update(plans[name])
        for fn, renamed in checks:
            accepted = inspect.signature(fn).parameters
            kwargs = {
                arg: values[renamed.get(arg, arg)]
                for arg in accepted
                if renamed.get(arg, arg) in values
            }
            try:
                fn(**kwargs)
            except CxReportError as exc:
                problems.append(f"{name}: {exc}")
    if problems:
        raise ParameterError("bad parameters:\n  " + "\n  ".join(problems))


def _share_segment_settings(plans: dict[str, dict], specs: dict[str, dict]) -> None:
    """Every page gets the segmentation notebook's settings (``--param k=5`` included), so
    that all of them show the same segments."""
    from ..segments import LABEL_SETTINGS

    settings: dict = {}
    for name, params in plans.items():
        if set(LABEL_SETTINGS) <= set(specs[name]):  # the segmentation notebook
            settings.update({k: params[k] for k in LABEL_SETTINGS if k in params})
    for name, params in plans.items():
        if "segment_settings" in specs[name]:
            params["segment_settings"] = settings
