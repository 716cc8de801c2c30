"""cxreport: customer-experience analytics for service-quality and CRM analysts."""

from ._version import __version__
from .data import Dataset, load, parse_month, validate
from .data.config import Config, SurveyModel, load_config
from .errors import (
    ConfigError,
    CxReportError,
    DataError,
    MissingTableError,
    ParameterError,
)
from .report.context import METRIC_MIME, Run, pseudonymise, start

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
    if name in ANALYSES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
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
