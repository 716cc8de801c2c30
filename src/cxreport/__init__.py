"""cxreport: customer-experience analytics for service-quality and CRM analysts."""

from ._version import __version__
from .errors import (
    ConfigError,
    CxReportError,
    DataError,
    MissingTableError,
    ParameterError,
)

# What a notebook uses, from the module that holds it, on first use: the runner's worker
# processes import this package without pandas (see cxreport.report.execute).
_FROM = {
    "Dataset": ".data",
    "load": ".data",
    "parse_month": ".data",
    "validate": ".data",
    "Config": ".data.config",
    "SurveyModel": ".data.config",
    "load_config": ".data.config",
    "METRIC_MIME": ".report.indexpage",
    "Run": ".report.context",
    "pseudonymise": ".report.context",
    "start": ".report.context",
}

# The analysis modules load on first use (`cxreport.churn`, ...), so `cxreport validate`
# does not pay for importing scikit-learn.
ANALYSES = (
    "ahp",
    "churn",
    "churn_eval",
    "csi",
    "drivers",
    "mot",
    "nps",
    "orientation",
    "pls",
    "rfm",
    "segments",
    "servqual",
    "sqi",
    "stats",
    "swot",
    "swot_evidence",
    "text",
    "viz",
)


def __getattr__(name: str):
    import importlib

    if name in ANALYSES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM:
        return getattr(importlib.import_module(_FROM[name], __name__), name)
    raise AttributeError(f"module 'cxreport' has no attribute {name!r}")


__all__ = [
    "__version__",
    *ANALYSES,
    "Config",
    "ConfigError",
    "CxReportError",
    "DataError",
    "Dataset",
    "METRIC_MIME",
    "MissingTableError",
    "ParameterError",
    "Run",
    "SurveyModel",
    "load",
    "load_config",
    "parse_month",
    "pseudonymise",
    "start",
    "validate",
]
