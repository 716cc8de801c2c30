"""A notebook's ``parameters`` cell, and ``--param`` values checked against it.

Every check runs before a kernel starts: a user mistake costs no notebook run.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ..errors import ParameterError
from .notebooks import COMMON, DECLARED, SEGMENT_SETTINGS

#: Parameters the runner sets itself; ``--param`` may not set them.
RUNNER_PARAMS = tuple(s.name for s in (*COMMON, SEGMENT_SETTINGS) if s.runner)
#: Parameters every notebook's ``parameters`` cell declares.
REQUIRED_DECLARED = ("data_dir", "month")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def inspect_parameters(path: str | Path) -> dict[str, dict]:
    """A notebook's parameters: ``{name: {name, inferred_type_name, default, help, allowed}}``.

    A shipped notebook's come from its declaration (:data:`.notebooks.DECLARED`); a notebook
    of your own's from its ``parameters`` cell, as :func:`papermill.inspect_notebook` reads it.

    Parameters
    ----------
    path : str or pathlib.Path
        The notebook (``.ipynb``); a shipped one is known by its stem.

    Returns
    -------
    dict of str to dict
        One entry per parameter, keyed by name.
    """
    declared = DECLARED.get(Path(path).stem)
    if declared is not None:
        return {
            s.name: {
                "name": s.name,
                "inferred_type_name": s.type_name,
                "default": s.literal(),
                "help": s.help,
                "allowed": s.allowed() if s.choices or s.type in (int, float) else "",
            }
            for s in declared.settings
        }
    import papermill as pm

    return dict(pm.inspect_notebook(str(path)))


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

    Parameters
    ----------
    name : str
        The parameter's name (for the error message).
    text : str
        The value given on the command line.
    spec : dict
        The parameter's entry of :func:`inspect_parameters` (``inferred_type_name``,
        ``default``).
    notebook : str
        The notebook's name (for the error message).

    Returns
    -------
    object
        The value: str, int, float, bool, list, dict or tuple (a ``set`` parameter gets a
        list), None for ``none``/``null``/"" when the type is optional; ``text`` itself for an
        annotation it does not know.

    Raises
    ------
    ParameterError
        ``text`` does not fit the declared type.
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
    """``["k=v", ...]`` → ``{"k": "v"}`` with a clear error for a malformed item.

    Parameters
    ----------
    items : list of str or None
        The ``--param`` values, each ``NAME=VALUE`` (NAME an identifier, VALUE any text).

    Returns
    -------
    dict of str to str
        ``{NAME: VALUE}``, a later item winning over an earlier one of the same name.

    Raises
    ------
    ParameterError
        An item without ``=`` or whose name is no identifier.
    """
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

    Returns
    -------
    dict of str to dict
        ``{notebook stem: parameters}``, the values coerced to the declared types, and
        ``segment_settings`` (the segmentation notebook's settings) for the notebooks that
        declare it.

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
    _preflight(plans)
    _share_segment_settings(plans, specs)
    return plans


def _preflight(plans: dict[str, dict]) -> None:
    """Every shipped notebook's settings checked as its first cell checks them (a churn
    ``policy`` of "cheapest", an ``n_boot`` of 5), on its defaults and ``--param`` values,
    before any kernel starts."""
    problems = []
    for name, params in plans.items():
        if name in DECLARED:
            try:
                DECLARED[name].check(params)
            except ParameterError as exc:
                problems += str(exc).splitlines()
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
