"""Notebook settings, declared once: name, type, default, allowed values and help.

Each analysis declares the settings its notebook exposes (``churn.SETTINGS``, ...) as
:class:`Setting` objects. The same declaration checks the values (in the analysis, in the
notebook and in the runner's pre-flight, before any kernel starts), writes the notebook's
``parameters`` cell, lists the parameters (``cxreport params``) and the README's tables.
Every refusal is a :class:`~cxreport.errors.ParameterError` in scikit-learn's wording:
"The 'policy' parameter of 03_churn must be one of 'budget', 'profit'; got 'cheapest'."
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import ParameterError

_TYPES = {bool: "bool", int: "int", float: "float", str: "str", dict: "dict"}


@dataclass(frozen=True)
class Setting:
    """One notebook parameter.

    Attributes
    ----------
    name : str
        The parameter's name in the notebook (a Python identifier).
    type : type
        ``bool``, ``int``, ``float``, ``str`` or ``dict``.
    default
        Value used when nobody sets it.
    help : str
        One line for the parameters cell, ``cxreport params`` and the README (no ``=``:
        papermill reads one ``=`` per line).
    choices : tuple, optional
        The allowed values of a ``str`` setting.
    low, high : number, optional
        Bounds of an ``int`` or ``float`` setting (``None``: unbounded).
    open : bool
        Both bounds excluded (``(0, 1)``) instead of included (``[0, 1]``).
    runner : bool
        Set by ``cxreport run`` itself; ``--param`` may not set it.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    open: bool = False
    runner: bool = False

    def __post_init__(self):
        if self.type not in _TYPES:
            raise TypeError(f"setting {self.name}: unsupported type {self.type!r}")
        if "=" in self.help or "\n" in self.help:
            raise ValueError(f"setting {self.name}: the help may hold no '=' and no newline")

    @property
    def type_name(self) -> str:
        """The type's name as the ``parameters`` cell writes it (``"int"``, ...).

        Returns
        -------
        str
        """
        return _TYPES[self.type]

    def allowed(self) -> str:
        """What the setting accepts, in words: "an int in the range [2, 20]".

        Returns
        -------
        str
        """
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type in (int, float):
            if self.low is None and self.high is None:
                return "an int" if self.type is int else "a number"
            lo = "-inf" if self.low is None else _num(self.low)
            hi = "inf" if self.high is None else _num(self.high)
            left, right = ("(", ")") if self.open else ("[", "]" if self.high is not None else ")")
            word = "an int in the range" if self.type is int else "a number in"
            return f"{word} {left}{lo}, {hi}{right}"
        return {bool: "True or False", str: "a text", dict: "a dict"}[self.type]

    def check(self, value, owner: str | None = None):
        """``value`` if the setting accepts it (ints as ``int``, numbers as ``float``), else a
        :class:`ParameterError` naming the parameter, what it accepts and what was given.

        Parameters
        ----------
        value : object
            The value to check.
        owner : str, optional
            The notebook or analysis the parameter belongs to, named in the message
            ("The 'policy' parameter of 03_churn ...").

        Returns
        -------
        bool, int, float, str or dict
            ``value``, as ``int`` or ``float`` for the number types.
        """
        if self.type is bool:
            ok = isinstance(value, bool)
        elif self.type is int:
            ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        elif self.type is float:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            ok = ok and math.isfinite(value)
        else:
            ok = isinstance(value, self.type)
        if ok and self.choices:
            ok = value in self.choices
        if ok and self.type in (int, float):
            ok = self._in_range(value)
        if not ok:
            of = f" of {owner}" if owner else ""
            raise ParameterError(
                f"The '{self.name}' parameter{of} must be {self.allowed()}; got {value!r}."
            )
        if self.type is int:
            return int(value)
        return float(value) if self.type is float else value

    def _in_range(self, value) -> bool:
        if self.open:
            return (self.low is None or value > self.low) and (
                self.high is None or value < self.high
            )
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def renamed(self, name: str) -> Setting:
        """The same setting under another name (``freq`` of the SQI is ``sqi_freq`` in the
        notebook that also has other frequencies).

        Parameters
        ----------
        name : str
            The new name.

        Returns
        -------
        Setting
        """
        return replace(self, name=name)

    def line(self) -> str:
        """The declaration in a ``parameters`` cell: ``n_splits: int = 5  # folds``.

        Returns
        -------
        str
        """
        return f"{self.name}: {self.type_name} = {self.literal()}  # {self.help}"

    def literal(self) -> str:
        """The default as Python source (text in double quotes).

        Returns
        -------
        str
        """
        return json.dumps(self.default) if self.type is str else repr(self.default)


def _num(x) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def by_name(settings: Iterable[Setting]) -> dict[str, Setting]:
    """The settings by their names.

    Parameters
    ----------
    settings : iterable of Setting
        The declarations (a later one of the same name wins).

    Returns
    -------
    dict of str to Setting
    """
    return {s.name: s for s in settings}


def check(settings: Iterable[Setting], values: Mapping, owner: str | None = None) -> dict:
    """Check every given value against its declaration; all problems in one error.

    Values without a declaration are ignored (a notebook passes its whole namespace).
    Returns the checked values.

    Parameters
    ----------
    settings : iterable of Setting
        The declarations.
    values : mapping
        Name -> value.
    owner : str, optional
        The notebook or analysis, named in the messages (:meth:`Setting.check`).

    Returns
    -------
    dict
        Name -> checked value (:meth:`Setting.check`), for the declared names only.

    Raises
    ------
    ParameterError
        One message per refused value, one per line.
    """
    declared = by_name(settings)
    problems, out = [], {}
    for name, value in values.items():
        if name in declared:
            try:
                out[name] = declared[name].check(value, owner)
            except ParameterError as exc:
                problems.append(str(exc))
    if problems:
        raise ParameterError(problems[0] if len(problems) == 1 else "\n".join(problems))
    return out
