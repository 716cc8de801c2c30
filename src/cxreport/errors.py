"""The exceptions cxreport raises for problems a user can fix.

Every message says what is wrong, where (file, column, rows) and how to fix it. The command
line prints the message without a traceback and exits with code 2.
"""

from __future__ import annotations


class CxReportError(Exception):
    """Base class: a problem in the user's data, configuration or parameters."""


class ConfigError(CxReportError):
    """The data folder's ``cxreport.yaml`` cannot be read or says something impossible."""


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


class MissingTableError(CxReportError):
    """An analysis needs a table that the data folder does not hold."""


class ParameterError(CxReportError):
    """A notebook or command-line parameter is unknown, missing or has the wrong type."""
