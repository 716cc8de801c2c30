"""The exceptions cxreport raises for problems a user can fix.

Every message says what is wrong, where (file, column, rows) and how to fix it. The command
line prints the message without a traceback and exits with code 2.
"""

from __future__ import annotations


class CxReportError(Exception):
    """Base class: a problem in the user's data, configuration or parameters."""


class ConfigError(CxReportError):
    """The data folder's ``cxreport.yaml`` cannot be read or says something impossible.

    Parameters
    ----------
    message : str
        The whole message.
    problems : list of str, optional
        Each problem on its own (all of them are reported at once); default ``[message]``.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or [message]
        super().__init__(message)


class ExpressionError(ConfigError):
    """A ``derive`` expression of ``cxreport.yaml`` is not allowed or cannot be evaluated.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it (without the config key; the caller adds it).
    rows : index, optional
        The rows at fault (e.g. a division by zero), for the example lines of the report.
    """

    def __init__(self, message: str, rows=None):
        self.rows = rows
        super().__init__(message)


class DataError(CxReportError):
    """The data folder breaks the data contract.

    Parameters
    ----------
    report : ValidationReport
        Every problem found, so that the user can fix them all in one go.
    """

    def __init__(self, report):
        self.report = report
        super().__init__(report.format())


class EngineError(CxReportError):
    """The engine of the heavy aggregations (DuckDB, Spark) cannot be reached or cannot run a
    query, or a table's files cannot be read as one table (a missing partition, partitions
    whose columns differ); the message names the backend, table or partition."""


class NotApplicable(CxReportError):
    """A notebook's whole analysis cannot run on this data folder (a table it needs is
    absent, no customer has left, a single month for a time-aware model ...).

    ``cxreport run`` marks the notebook *not run* with the message (which says what data
    would make it run), and the run still succeeds: a team without a SWOT workshop is not
    alarmed every month.
    """


class MissingTableError(NotApplicable):
    """An analysis needs a table that the data folder does not hold."""


class PdfError(CxReportError):
    """``report.pdf`` could not be made: no browser to print it, or the browser failed. The
    message says what to install or what went wrong; the rest of the report is unaffected."""


class ParameterError(CxReportError, ValueError):
    """A notebook or command-line parameter is unknown, missing, of the wrong type or out of
    range (a ValueError too, as scikit-learn's parameter errors are)."""


def check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]`` (``hi=None``: no upper bound), else a clear error.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        The value given; an integral number (not a bool) is accepted.
    lo : int
        Smallest value allowed.
    hi : int or None, default=None
        Largest value allowed; None: no upper bound.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        When ``value`` is not an integral number in the range.
    """
    import numbers

    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < lo
        or (hi is not None and value > hi)
    ):
        rng = f"[{lo}, {hi}]" if hi is not None else f"[{lo}, inf)"
        raise ParameterError(
            f"The '{name}' parameter must be an int in the range {rng}; got {value!r}."
        )
    return int(value)


def check_float(name: str, value, lo: float, hi: float) -> float:
    """``value`` as a float in ``[lo, hi]``, else a clear error.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        The value given; a real number (not a bool) is accepted.
    lo, hi : float
        Bounds, both included.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        When ``value`` is not a real number in the range (NaN never is).
    """
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lo <= value <= hi:
        raise ParameterError(
            f"The '{name}' parameter must be a number in [{lo}, {hi}]; got {value!r}."
        )
    return float(value)


def describe_rows(index, limit: int = 8) -> str:
    """Rows of a table read from a file, for a message: "row 3 (file line 5), ... and 4 more".

    Parameters
    ----------
    index : iterable
        The rows' index labels; an integer label ``i`` is the file's line ``i + 2`` (after
        the header, counted from 1).
    limit : int, default=8
        Most rows named; the rest are counted.

    Returns
    -------
    str
    """
    import numbers

    def one(i) -> str:
        """One row for the message: its file line when the label is an integer.

        Parameters
        ----------
        i : object
            The row's index label.

        Returns
        -------
        str
        """
        if isinstance(i, numbers.Integral):
            return f"row {i} (file line {int(i) + 2})"  # +1 header line, +1 for 1-based lines
        return f"row {i!r}"

    idx = list(index)
    shown = ", ".join(one(i) for i in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")
