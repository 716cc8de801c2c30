"""cxreport: customer-experience analytics for service-quality and CRM analysts."""

__version__ = "0.1.0"

from .config import Config, SurveyModel, load_config  # noqa: E402
from .data import Dataset, load, parse_month, validate  # noqa: E402
from .errors import (  # noqa: E402
    ConfigError,
    CxReportError,
    DataError,
    MissingTableError,
    ParameterError,
)
from .notebook import METRIC_MIME, Run, pseudonymise, start  # noqa: E402

__all__ = [
    "__version__",
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
