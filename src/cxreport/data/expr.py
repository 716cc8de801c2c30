"""The safe expression language of ``derive:`` in ``cxreport.yaml``.

An expression computes one new column from the columns of a table, row by row (vectorised on
pandas Series)::

    derive:
      amount: Quantity * UnitPrice
      net: `Total Charges` - `Total Refunds`
      date: where(day(date(D, "%d-%m-%y")) <= 6, date(D, "%m-%d-%y"), date(D, "%d-%m-%y"))

The expression is parsed with :mod:`ast` and walked node by node; it is never handed to
``eval``. Only these constructs are allowed:

* numbers (``3``, ``2.5``, ``1e3``), ``True``/``False`` and texts in quotes (``"C"``);
* column names: a bare name (``Quantity``, ``满意度``) or any name in backticks, as in pandas
  (```Total Charges```, ```Q5 (1-10)```);
* the operators ``+ - * / // % **``, unary ``-``, ``+`` and ``not``;
* comparisons ``== != < <= > >=`` (chained: ``0 < x <= 10``), ``and`` and ``or``
  (row by row, like ``&`` and ``|``), parentheses;
* calls, by bare name with arguments by position, of these functions:

================================  ============================================================
``abs(x)``                        absolute value
``round(x, n=0)``                 ``n`` decimals (a whole number in the expression; halves go
                                  to the even digit, as in pandas)
``where(cond, a, b)``             ``a`` where ``cond`` holds, else ``b``; each branch is only
                                  computed for its own rows, so ``where(q != 0, t / q, 0)``
                                  does not divide by zero; a missing condition counts as false
``isna(x)``, ``notna(x)``         missing (a blank text counts as missing)
``number(x)``                     the first number in a text: ``"120秒"`` → 120,
                                  ``"1,234.5"`` → 1234.5 (``,`` separates thousands), no
                                  number → missing
``text(x)``                       as text (``3.0`` → ``"3"``, dates as ``YYYY-MM-DD``)
``lower(x)``, ``upper(x)``,       text functions
``strip(x)``
``date(x)``, ``date(x, fmt)``     text to a date; ``fmt`` in quotes with ``%`` codes
                                  (``"%d-%m-%y"``); without it ISO ``YYYY-MM-DD[ HH:MM]`` or
                                  ``YYYYMMDD``; a text that is not such a date is an error
``year(d)``, ``month(d)``,        parts of a date (a date column or a date text);
``day(d)``, ``weekday(d)``        weekday: Monday = 0 ... Sunday = 6
``days_between(a, b)``            ``b - a`` in days (a float)
``min(a, b, ...)``,               row by row over numbers or dates; a missing value gives a
``max(a, b, ...)``                missing result
``concat(a, b, ...)``             texts joined (a missing part counts as empty; all parts
                                  missing gives a missing result)
``startswith(x, "C")``,           does the text start with / contain the text in quotes
``contains(x, "text")``           (case-sensitive; missing → false)
================================  ============================================================

Values follow pandas: missing values propagate as NaN (a comparison with a missing value is
false, ``!=`` true). Text columns used in arithmetic or compared with a number are read as
numbers (after stripping blanks); a cell that is not a number is an error naming its rows.
Dividing by zero (``/``, ``//``, ``%``) is an error naming the rows. Expressions are limited to
2,000 characters, 100 levels of nesting and powers with exponents up to 100.

>>> evaluate("Quantity * UnitPrice", frame)          # a Series aligned with frame.index
>>> columns_used("`Total Charges` - Refunds")
['Total Charges', 'Refunds']
"""

from __future__ import annotations

import ast
import difflib
import operator
import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ExpressionError

__all__ = ["FUNCTIONS", "columns_used", "evaluate"]

MAX_LENGTH = 2000
MAX_DEPTH = 100
MAX_EXPONENT = 100

#: The functions an expression may call: name -> signature shown in messages.
FUNCTIONS: dict[str, str] = {
    "abs": "abs(x)",
    "round": "round(x, n=0)",
    "where": "where(cond, a, b)",
    "isna": "isna(x)",
    "notna": "notna(x)",
    "number": "number(x)",
    "text": "text(x)",
    "lower": "lower(x)",
    "upper": "upper(x)",
    "strip": "strip(x)",
    "date": 'date(x) or date(x, "%d-%m-%Y")',
    "year": "year(d)",
    "month": "month(d)",
    "day": "day(d)",
    "weekday": "weekday(d)",
    "days_between": "days_between(a, b)",
    "min": "min(a, b, ...)",
    "max": "max(a, b, ...)",
    "concat": "concat(a, b, ...)",
    "startswith": 'startswith(x, "C")',
    "contains": 'contains(x, "text")',
}

# name -> (fewest, most arguments; None = any number)
_ARITY: dict[str, tuple[int, int | None]] = {
    "round": (1, 2),
    "where": (3, 3),
    "date": (1, 2),
    "days_between": (2, 2),
    "min": (2, None),
    "max": (2, None),
    "concat": (1, None),
    "startswith": (2, 2),
    "contains": (2, 2),
}
# name -> position of an argument that must be written in the expression (int or text)
_LITERAL: dict[str, tuple[int, type]] = {
    "round": (1, int),
    "date": (1, str),
    "startswith": (1, str),
    "contains": (1, str),
}

_ALLOWED = (
    "numbers, texts in quotes, column names (in `backticks` when they hold spaces or symbols), "
    "the operators + - * / // % ** and unary - +, comparisons == != < <= > >=, and, or, not, "
    "parentheses and the functions " + ", ".join(FUNCTIONS)
)

# Why each construct is refused, with the allowed way when there is one.
_FORBIDDEN: dict[type, str] = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[0])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings (use concat(...))",
    ast.FormattedValue: "f-strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.IfExp: "'a if c else b' (use where(c, a, b))",
    ast.NamedExpr: "assignments (:=)",
    ast.Starred: "starred arguments (*a)",
    ast.Slice: "slices",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.BitAnd: "the operator & (use and)",
    ast.BitOr: "the operator | (use or)",
    ast.BitXor: "the operator ^",
    ast.Invert: "the operator ~ (use not)",
    ast.LShift: "the operator <<",
    ast.RShift: "the operator >>",
    ast.MatMult: "the operator @",
    ast.In: "'in' (use contains(x, \"text\") or ==)",
    ast.NotIn: "'not in' (use contains)",
    ast.Is: "'is' (use == or isna(x))",
    ast.IsNot: "'is not' (use != or notna(x))",
}

_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.Call,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.And,
    ast.Or,
)

_ARITH: dict[type, tuple[str, Callable]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
}
_COMPARE: dict[type, tuple[str, Callable]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}

# Text is handled in pandas' own string dtype (missing = NA, so comparisons and .str methods
# behave the same for every column); python storage keeps a repeated constant as references.
_TEXT = pd.StringDtype("python")
# Text results are handed back in the dtype pandas itself gives text ("str" or object).
_DEFAULT_TEXT = pd.Series(["a"]).dtype

_NUMBER_RE = (
    r"((?:(?<![0-9A-Za-z])[-+])?"
    r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+))"
)
_DATE_PARTS = {"year": "year", "month": "month", "day": "day", "weekday": "day_of_week"}
_SHOW = 20  # names shown in a list of columns or functions before "and N more"


# ---------------------------------------------------------------- public API


def evaluate(expression: str, frame: pd.DataFrame) -> pd.Series:
    """Compute ``expression`` on every row of ``frame``.

    Parameters
    ----------
    expression : str
        An expression of the language described in this module's docstring.
    frame : pandas.DataFrame
        The table whose columns the expression reads; it is not changed.

    Returns
    -------
    pandas.Series
        The values, aligned with ``frame.index`` (a constant expression is repeated on every
        row).

    Raises
    ------
    ExpressionError
        The expression is not valid, uses a construct that is not allowed or an unknown
        column, or cannot be computed on some rows (``rows`` then holds their index labels).
    """
    parsed = _parse(expression)
    lookup = _resolve(parsed, frame)
    ctx = _Context(frame, lookup, parsed.backticks, None, len(frame))
    try:
        value = _eval(parsed.tree.body, ctx)
    except RecursionError as exc:  # guarded by MAX_DEPTH; kept as a last line of defence
        raise ExpressionError(_TOO_DEEP) from exc
    return _finish(value).set_axis(frame.index)


def columns_used(expression: str) -> list[str]:
    """The column names ``expression`` reads, in order of first appearance.

    Backticked names are given without their backticks. The names are not checked against a
    table (use :func:`evaluate` for that).

    Parameters
    ----------
    expression : str
        An expression of the language described in this module's docstring.

    Returns
    -------
    list of str
        The names, each once.

    Raises
    ------
    ExpressionError
        The expression is not valid or uses a construct that is not allowed.
    """
    parsed = _parse(expression)
    names: list[str] = []
    for node in parsed.columns:
        name = parsed.backticks.get(node.id, node.id)
        if name not in names:
            names.append(name)
    return names


# ---------------------------------------------------------------- parsing and checking

_TOO_DEEP = (
    f"the expression is nested too deeply (more than {MAX_DEPTH} levels); split it into "
    "several derive columns"
)


@dataclass(frozen=True)
class _Parsed:
    tree: ast.Expression
    backticks: dict[str, str]  # placeholder identifier -> the name written in backticks
    columns: list[ast.Name]  # the Name nodes that read a column, in source order


def _parse(expression: str) -> _Parsed:
    if isinstance(expression, bool) or not isinstance(expression, str | int | float):
        raise ExpressionError(
            f"an expression must be text, got {expression!r} ({type(expression).__name__})"
        )
    expression = str(expression)
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(expression):,} characters long, more than the "
            f"{MAX_LENGTH:,} allowed; split it into several derive columns"
        )
    source, backticks = _replace_backticks(expression)
    source = source.strip()
    if not source:
        raise ExpressionError("the expression is empty; write e.g. Quantity * UnitPrice")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(_syntax_message(expression, exc)) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(_TOO_DEEP) from None
    columns = _check(tree)
    return _Parsed(tree, backticks, columns)


def _replace_backticks(expression: str) -> tuple[str, dict[str, str]]:
    """Backticked names become placeholder identifiers; texts in quotes are left alone.

    Line breaks and tabs elsewhere become spaces: YAML block scalars bring them, and Python
    would read a line break as the end of the expression.
    """
    prefix = "_bt"
    while prefix in expression:  # a placeholder must not collide with a name the user wrote
        prefix += "x"
    out: list[str] = []
    names: dict[str, str] = {}
    i, n = 0, len(expression)
    while i < n:
        ch = expression[i]
        if ch in "'\"":
            j = i + 1
            while j < n and expression[j] != ch:
                j += 2 if expression[j] == "\\" else 1
            out.append(expression[i : j + 1])
            i = j + 1
        elif ch == "`":
            j = expression.find("`", i + 1)
            if j < 0:
                raise ExpressionError(
                    f"a backtick opened at character {i + 1} is not closed; write column "
                    "names as `Total Charges`"
                )
            name = expression[i + 1 : j]
            if not name.strip():
                raise ExpressionError("empty backticks ``; write a column name inside them")
            key = f"{prefix}{len(names)}_"
            names[key] = name
            out.append(f" {key} ")
            i = j + 1
        else:
            out.append(" " if ch in "\r\n\t\f\v" else ch)
            i += 1
    return "".join(out), names


def _syntax_message(expression: str, exc: SyntaxError) -> str:
    hint = ""
    if re.search(r"[（），＋－＊／＝＜＞“”‘’]", expression):
        hint = " It holds full-width punctuation: write ( ) , + - * / = < > and quotes in ASCII."
    elif re.search(r"(?<![=!<>])=(?!=)", expression):
        hint = " To compare, write == (a single = is not allowed)."
    return (
        f"the expression {expression!r} is not valid: {exc.msg}.{hint} Allowed are "
        f"{_ALLOWED}. Put column names with spaces or symbols in backticks: `Total Charges`."
    )


def _check(tree: ast.Expression) -> list[ast.Name]:
    """Refuse every construct outside the allow-list; return the column-name nodes."""
    if _depth(tree) > MAX_DEPTH:  # first: the checks below recurse (ast.unparse)
        raise ExpressionError(_TOO_DEEP)
    func_names: set[int] = set()
    columns: list[ast.Name] = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            what = _FORBIDDEN.get(type(node), f"the construct '{type(node).__name__}'")
            if isinstance(node, ast.keyword):
                what = "keyword arguments (name=value); pass arguments by position"
            raise ExpressionError(f"not allowed in an expression: {what}. Allowed are {_ALLOWED}.")
        if isinstance(node, ast.Constant):
            _check_constant(node)
        elif isinstance(node, ast.Call):
            _check_call(node)
            func_names.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in func_names:
            columns.append(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exp = _literal_number(node.right)
            if exp is not None and abs(exp) > MAX_EXPONENT:
                raise ExpressionError(_exponent_message(_unparse(node.right)))
    return sorted(columns, key=lambda c: (c.lineno, c.col_offset))


def _check_constant(node: ast.Constant) -> None:
    value = node.value
    if value is None:
        raise ExpressionError("None is not allowed; test for missing values with isna(x)")
    if not isinstance(value, bool | int | float | str):
        raise ExpressionError(
            f"the constant {value!r} is not allowed; write numbers (3, 2.5) or texts in quotes"
        )


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            f"not allowed in an expression: calling {_unparse(node.func)}(); functions are "
            f"called by their bare name, and they are {', '.join(FUNCTIONS)}"
        )
    name = node.func.id
    if name not in FUNCTIONS:
        close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ExpressionError(
            f"the function '{name}' is not allowed.{hint} The functions are {', '.join(FUNCTIONS)}."
        )
    if node.keywords:
        raise ExpressionError(
            f"keyword arguments are not allowed: pass the arguments of {name}() by position, "
            f"{FUNCTIONS[name]}"
        )
    fewest, most = _ARITY.get(name, (1, 1))
    got = len(node.args)
    if got < fewest or (most is not None and got > most):
        if most is None:
            wanted = f"at least {fewest}"
        elif fewest == most:
            wanted = f"{fewest}"
        else:
            wanted = f"{fewest} or {most}"
        raise ExpressionError(
            f"{name}() takes {wanted} argument{'s' if wanted != '1' else ''}, got {got}: "
            f"write {FUNCTIONS[name]}"
        )
    if name in _LITERAL:
        pos, kind = _LITERAL[name]
        if got > pos:
            arg = node.args[pos]
            if kind is int:
                value = _literal_number(arg)
                ok = value is not None and float(value).is_integer() and abs(value) <= 15
            else:
                ok = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if not ok:
                want = "a whole number from -15 to 15" if kind is int else "a text in quotes"
                raise ExpressionError(
                    f"argument {pos + 1} of {name}() must be {want} written in the "
                    f"expression: {FUNCTIONS[name]}"
                )


def _literal_number(node: ast.AST) -> float | None:
    """The value of a number written in the expression (``3``, ``-2``), else None."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if not isinstance(node.value, bool):
            return sign * node.value
    return None


def _depth(tree: ast.AST) -> int:
    # iterative: a recursive walk would itself overflow on the trees it is meant to refuse
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _exponent_message(src: str) -> str:
    return (
        f"the exponent {src} is above {MAX_EXPONENT}; powers are limited to exponents from "
        f"-{MAX_EXPONENT} to {MAX_EXPONENT}"
    )


def _resolve(parsed: _Parsed, frame: pd.DataFrame) -> dict[str, Hashable]:
    """Map every column name of the expression onto a column label of ``frame``."""
    exact = {str(c): c for c in frame.columns}
    # Python normalises identifiers (NFKC: full-width letters, ligatures); columns may not be
    folded = {unicodedata.normalize("NFKC", str(c)): c for c in frame.columns}
    lookup: dict[str, Hashable] = {}
    for node in parsed.columns:
        written = parsed.backticks.get(node.id, node.id)
        label = exact.get(written)
        if label is None:
            label = exact.get(written.strip(), folded.get(unicodedata.normalize("NFKC", written)))
        if label is None:
            raise ExpressionError(_unknown_column(written, frame))
        if isinstance(frame[label], pd.DataFrame):
            raise ExpressionError(
                f"the column name '{written}' appears more than once in the table; rename one "
                "of them in the file"
            )
        lookup[node.id] = label
    return lookup


def _unknown_column(name: str, frame: pd.DataFrame) -> str:
    names = [str(c) for c in frame.columns]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:  # a case slip ("quantity") is the most common typo
        close = [c for c in names if c.lower() == name.lower()][:1]
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if name in FUNCTIONS:
        hint += f" ({name} is a function: call it as {FUNCTIONS[name]}.)"
    listed = ", ".join(f"'{c}'" for c in names[:_SHOW])
    if len(names) > _SHOW:
        listed += f" and {len(names) - _SHOW} more"
    return (
        f"unknown column '{name}'.{hint} The table's columns are: {listed or '(none)'}. Put "
        "names with spaces or symbols in backticks: `Total Charges`."
    )


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Context:
    """What a (sub-)expression is evaluated on: the rows ``pos`` of ``frame``.

    Values are Series on a RangeIndex of ``n`` rows, so that ``where`` can evaluate each branch
    on its own rows and put them back by position whatever the frame's index is.
    """

    frame: pd.DataFrame
    lookup: dict[str, Hashable]
    backticks: dict[str, str]
    pos: np.ndarray | None  # positions in frame; None = every row
    n: int

    def column(self, ident: str) -> pd.Series:
        s = self.frame[self.lookup[ident]]
        if self.pos is not None:
            s = s.iloc[self.pos]
        return _prepare(s.reset_index(drop=True))

    def constant(self, value) -> pd.Series:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            try:
                value = float(value)
            except OverflowError:
                raise ExpressionError(f"the number {value} is too large") from None
        if isinstance(value, str):
            return pd.Series([value] * self.n, dtype=_TEXT)
        return pd.Series(value, index=pd.RangeIndex(self.n))

    def subset(self, mask: np.ndarray) -> _Context:
        local = np.flatnonzero(mask)
        pos = local if self.pos is None else self.pos[local]
        return _Context(self.frame, self.lookup, self.backticks, pos, len(local))

    def rows(self, mask) -> pd.Index:
        """Index labels of the frame for the local rows where ``mask`` holds."""
        local = np.flatnonzero(np.asarray(mask, dtype=bool))
        return self.frame.index[local if self.pos is None else self.pos[local]]

    def source(self, node: ast.AST) -> str:
        """The expression text of ``node``, with its backticked names as written."""
        text = _unparse(node)
        for key, name in self.backticks.items():
            text = text.replace(key, f"`{name}`")
        return text

    def describe(self, node: ast.AST) -> str:
        if isinstance(node, ast.Name):
            return f"column '{self.backticks.get(node.id, node.id)}'"
        if isinstance(node, ast.Constant):
            kind = "text" if isinstance(node.value, str) else "number"
            return f"the {kind} {node.value!r}"
        return f"the value of '{self.source(node)}'"


def _unparse(node: ast.AST) -> str:
    return ast.unparse(node)


def _eval(node: ast.AST, ctx: _Context) -> pd.Series:
    if isinstance(node, ast.Constant):
        return ctx.constant(node.value)
    if isinstance(node, ast.Name):
        return ctx.column(node.id)
    if isinstance(node, ast.BinOp):
        return _binop(node, ctx)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, ctx)
        if isinstance(node.op, ast.Not):
            return ~_truth(value, ctx, node.operand)
        value = _to_number(value, ctx, node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BoolOp):
        values = [_truth(_eval(v, ctx), ctx, v) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        out = values[0]
        for v in values[1:]:
            out = combine(out, v)
        return out
    if isinstance(node, ast.Compare):
        return _compare_chain(node, ctx)
    if isinstance(node, ast.Call):
        return _call(node, ctx)
    raise ExpressionError(f"'{ctx.source(node)}' is not allowed")  # _check refused it already


def _binop(node: ast.BinOp, ctx: _Context) -> pd.Series:
    symbol, func = _ARITH[type(node.op)]
    hint = " (to join texts use concat(a, b))" if symbol == "+" else ""
    left = _to_number(_eval(node.left, ctx), ctx, node.left, hint)
    right = _to_number(_eval(node.right, ctx), ctx, node.right, hint)
    if symbol in ("/", "//", "%"):
        zero = (right == 0) & left.notna()
        if zero.any():
            raise ExpressionError(
                f"division by zero: the divisor '{ctx.source(node.right)}' is 0 in "
                f"{int(zero.sum())} row(s). Choose a value for them with "
                f"where({ctx.source(node.right)} != 0, {ctx.source(node)}, 0) or leave them "
                "out with drop_rows.",
                rows=ctx.rows(zero),
            )
    if symbol == "**":
        if (right.abs() > MAX_EXPONENT).any():
            raise ExpressionError(_exponent_message(f"'{ctx.source(node.right)}'"))
        # floats: int64 would overflow silently and refuses negative exponents
        left, right = left.astype("float64"), right.astype("float64")
    try:
        with np.errstate(all="ignore"):
            return func(left, right)
    except (TypeError, ValueError) as exc:
        raise ExpressionError(
            f"cannot compute '{ctx.source(node)}': {_kind_name(left)} {symbol} "
            f"{_kind_name(right)} ({exc})"
        ) from None


def _compare_chain(node: ast.Compare, ctx: _Context) -> pd.Series:
    left_node, left = node.left, _eval(node.left, ctx)
    out = None
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, ctx)
        result = _compare(op, left, right, ctx, left_node, right_node)
        out = result if out is None else out & result
        left_node, left = right_node, right
    return out


def _compare(
    op: ast.cmpop, a: pd.Series, b: pd.Series, ctx: _Context, a_node: ast.AST, b_node: ast.AST
) -> pd.Series:
    symbol, func = _COMPARE[type(op)]
    strict = symbol not in ("==", "!=")  # equality just finds no match; ordering needs values
    ka, kb = _kind(a), _kind(b)
    if ka == "text" and kb in ("number", "bool"):
        a = _to_number(a, ctx, a_node, coerce=not strict)
    elif kb == "text" and ka in ("number", "bool"):
        b = _to_number(b, ctx, b_node, coerce=not strict)
    elif ka == "text" and kb == "date":
        a = _to_date(a, ctx, a_node, coerce=not strict)
    elif kb == "text" and ka == "date":
        b = _to_date(b, ctx, b_node, coerce=not strict)
    elif ka == "text" and kb == "text":
        a, b = a.astype(_TEXT), b.astype(_TEXT)
    try:
        result = func(a, b)
    except TypeError:
        if not strict:  # a date never equals a number
            return pd.Series(symbol == "!=", index=pd.RangeIndex(ctx.n))
        raise ExpressionError(
            f"cannot compare {ctx.describe(a_node)} ({_kind_name(a)}) {symbol} "
            f"{ctx.describe(b_node)} ({_kind_name(b)}); convert one side with number(), "
            "date() or text()"
        ) from None
    # text comparisons give NA for missing values; like NaN, they are false (!= true)
    return result.fillna(symbol == "!=").astype(bool)


# ---------------------------------------------------------------- functions


def _call(node: ast.Call, ctx: _Context) -> pd.Series:
    name = node.func.id
    if name == "where":
        return _where(node, ctx)
    literal = None
    if name in _LITERAL and len(node.args) > _LITERAL[name][0]:
        arg = node.args[_LITERAL[name][0]]
        literal = int(_literal_number(arg)) if _LITERAL[name][1] is int else arg.value
        arg_nodes = node.args[: _LITERAL[name][0]]
    else:
        arg_nodes = node.args
    args = [_eval(a, ctx) for a in arg_nodes]
    x, x_node = args[0], arg_nodes[0]
    if name == "abs":
        return _to_number(x, ctx, x_node).abs()
    if name == "round":
        return _to_number(x, ctx, x_node).round(literal or 0)
    if name in ("isna", "notna"):
        missing = x.isna()
        if _kind(x) == "text":
            missing = missing | (x.astype(_TEXT).str.strip() == "").fillna(True).astype(bool)
        return missing if name == "isna" else ~missing
    if name == "number":
        return _number(x, ctx, x_node)
    if name == "text":
        return _text(x)
    if name in ("lower", "upper", "strip"):
        return getattr(_text(x).str, name)()
    if name == "date":
        if literal is not None and "%" not in literal:
            raise ExpressionError(
                f'the date format {literal!r} has no % codes; write it like "%d-%m-%Y" for '
                "31-12-2024 (%d day, %m month, %Y four-digit year, %y two-digit year)"
            )
        return _to_date(x, ctx, x_node, fmt=literal)
    if name in ("year", "month", "day", "weekday"):
        return getattr(_to_date(x, ctx, x_node).dt, _DATE_PARTS[name])
    if name == "days_between":
        start = _to_date(x, ctx, x_node)
        end = _to_date(args[1], ctx, arg_nodes[1])
        try:
            return (end - start) / pd.Timedelta(days=1)
        except TypeError as exc:
            raise ExpressionError(f"cannot compute '{ctx.source(node)}': {exc}") from None
    if name in ("min", "max"):
        return _extreme(name, args, arg_nodes, ctx)
    if name == "concat":
        parts = [_text(a) for a in args]
        out = parts[0].fillna("").str.cat([p.fillna("") for p in parts[1:]])
        all_missing = np.logical_and.reduce([p.isna().to_numpy() for p in parts])
        return out.mask(all_missing)
    if name == "startswith":
        return _text(x).str.startswith(literal).fillna(False).astype(bool)
    if name == "contains":
        return _text(x).str.contains(literal, regex=False).fillna(False).astype(bool)
    raise ExpressionError(f"the function '{name}' is not allowed")  # _check refused it already


def _where(node: ast.Call, ctx: _Context) -> pd.Series:
    cond = _truth(_eval(node.args[0], ctx), ctx, node.args[0]).to_numpy()
    parts = []
    # each branch only on its own rows: errors (a division by zero, an unparseable date) in
    # rows the condition sends elsewhere do not count
    for mask, branch in ((cond, node.args[1]), (~cond, node.args[2])):
        if mask.any():
            sub = ctx.subset(mask)
            parts.append(_eval(branch, sub).set_axis(np.flatnonzero(mask)))
    if not parts:
        return pd.Series([], dtype="float64")
    if len(parts) == 1:
        return parts[0].set_axis(pd.RangeIndex(ctx.n))
    return pd.concat(parts).sort_index().set_axis(pd.RangeIndex(ctx.n))


def _extreme(name: str, args: list[pd.Series], nodes: list[ast.AST], ctx: _Context) -> pd.Series:
    dates = any(_kind(a) == "date" for a in args)
    convert = _to_date if dates else _to_number
    values = [convert(a, ctx, n) for a, n in zip(args, nodes, strict=True)]
    table = pd.concat(values, axis=1, ignore_index=True)
    try:
        return getattr(table, name)(axis=1, skipna=False)
    except TypeError as exc:
        raise ExpressionError(f"cannot compute {name}() of these values: {exc}") from None


def _number(x: pd.Series, ctx: _Context, node: ast.AST) -> pd.Series:
    kind = _kind(x)
    if kind in ("number", "bool"):
        return x.astype("float64")
    if kind != "text":
        raise ExpressionError(
            f"number() takes text or numbers; {ctx.describe(node)} is {_kind_name(x)}"
        )
    # NFKC turns full-width digits and punctuation (１２０，５) into ASCII first
    t = x.astype(_TEXT).str.normalize("NFKC")
    found = t.str.extract(_NUMBER_RE, expand=False).str.replace(",", "", regex=False)
    return pd.to_numeric(found.astype(object), errors="coerce").astype("float64")


# ---------------------------------------------------------------- conversions


def _prepare(s: pd.Series) -> pd.Series:
    """A column in one of the few dtypes the evaluator handles (numpy numbers, bool, text)."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return s.astype(object).infer_objects()
    if pd.api.types.is_bool_dtype(dtype) and isinstance(dtype, pd.api.extensions.ExtensionDtype):
        # nullable booleans: 1.0/0.0/NaN, so that a missing flag stays missing in arithmetic
        return s.astype("float64") if s.isna().any() else s.astype(bool)
    if pd.api.types.is_numeric_dtype(dtype) and isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return s.astype("float64")
    return s


def _kind(s: pd.Series) -> str:
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "duration"
    if pd.api.types.is_string_dtype(dtype):  # also object
        return "text"
    return "other"


def _kind_name(s: pd.Series) -> str:
    return {
        "bool": "yes/no",
        "number": "a number",
        "date": "a date",
        "text": "text",
        "duration": "a duration",
    }.get(_kind(s), str(s.dtype))


def _truth(s: pd.Series, ctx: _Context, node: ast.AST) -> pd.Series:
    kind = _kind(s)
    if kind == "bool":
        return s.astype(bool)
    if kind == "number":
        return (s != 0) & s.notna()
    raise ExpressionError(
        f"{ctx.describe(node)} is {_kind_name(s)}, not a condition; write a comparison such as "
        'x > 0 or x == "yes", or isna(x)'
    )


def _to_number(
    s: pd.Series, ctx: _Context, node: ast.AST, hint: str = "", coerce: bool = False
) -> pd.Series:
    """``s`` as numbers: text is stripped and converted; other kinds pass through."""
    kind = _kind(s)
    if kind == "bool":
        return s.astype("int64")
    if kind != "text":
        return s  # numbers; dates and durations are left to pandas' own arithmetic
    t = s.astype(_TEXT).str.strip()
    blank = (t.isna() | (t == "")).to_numpy(dtype=bool, na_value=True)
    values = pd.to_numeric(t.astype(object).where(~blank, None), errors="coerce")
    values = pd.Series(values, index=s.index)
    bad = values.isna().to_numpy() & ~blank
    if bad.any() and not coerce:
        examples = ", ".join(repr(v) for v in pd.unique(t[bad])[:3])
        raise ExpressionError(
            f"{ctx.describe(node)} holds text that is not a number in {int(bad.sum())} row(s) "
            f"(e.g. {examples}){hint}. Fix those cells, declare them missing with na_values, or "
            "take the first number of each text with number(...).",
            rows=ctx.rows(bad),
        )
    return values


def _to_date(
    s: pd.Series, ctx: _Context, node: ast.AST, fmt: str | None = None, coerce: bool = False
) -> pd.Series:
    kind = _kind(s)
    if kind == "date":
        return s
    if kind in ("number", "bool"):
        s = _text(s)  # 20240105 -> "20240105"
    elif kind != "text":
        raise ExpressionError(
            f"{ctx.describe(node)} is {_kind_name(s)}, not a date or a text holding one"
        )
    t = s.astype(_TEXT).str.strip()
    blank = (t.isna() | (t == "")).to_numpy(dtype=bool, na_value=True)
    raw = t.astype(object).where(~blank, None)
    try:
        values = pd.to_datetime(raw, format=fmt or "ISO8601", errors="coerce")
    except ValueError as exc:  # a format pandas cannot use at all
        raise ExpressionError(f"the date format {fmt!r} cannot be used: {exc}") from None
    bad = values.isna().to_numpy() & ~blank
    if bad.any() and not coerce:
        shown = f"in the format {fmt!r}" if fmt else "(YYYY-MM-DD or YYYYMMDD)"
        examples = ", ".join(repr(v) for v in pd.unique(t[bad])[:3])
        raise ExpressionError(
            f"{ctx.describe(node)} holds text that is not a date {shown} in {int(bad.sum())} "
            f"row(s) (e.g. {examples}). Give the format of the dates, e.g. "
            'date(x, "%d/%m/%Y"), or fix those cells.',
            rows=ctx.rows(bad),
        )
    return values


def _text(s: pd.Series) -> pd.Series:
    """``s`` as text (NA for missing): whole floats without ".0", dates as YYYY-MM-DD."""
    kind = _kind(s)
    if kind == "number" and pd.api.types.is_float_dtype(s.dtype):
        out = s.astype(_TEXT)
        with np.errstate(invalid="ignore"):
            whole = (np.isfinite(s) & (s == np.floor(s)) & (s.abs() < 1e15)).to_numpy()
        if whole.any():
            out[whole] = s[whole].astype("int64").astype(_TEXT)
        return out
    if kind == "date":
        has_time = (s.dropna() != s.dropna().dt.normalize()).any()
        return s.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d").astype(_TEXT)
    return s.astype(_TEXT)


def _finish(value: pd.Series) -> pd.Series:
    """The result in the dtypes pandas itself uses: no NA-typed text or booleans."""
    if isinstance(value.dtype, pd.StringDtype) and value.dtype != _DEFAULT_TEXT:
        return value.astype(object).where(value.notna(), np.nan).astype(_DEFAULT_TEXT)
    if value.dtype == object:
        return value.infer_objects()
    return value
