"""The data layer: the contract, the folder's ``cxreport.yaml``, reading and validating files.

It is the only layer that reads user files; everything above it works on validated frames.

>>> ds = load("data/sample", month="2026-10")        # raises DataError listing every problem
>>> report = validate("data/sample")                  # the same checks, as a report
"""

from .folder import Dataset, load, parse_month, read_folder, validate

__all__ = ["Dataset", "load", "parse_month", "read_folder", "validate"]
