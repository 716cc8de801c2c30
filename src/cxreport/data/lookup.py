"""Key lookups at millions of rows: membership and positions of customer ids.

pandas hashes Arrow-backed text by turning every value into a Python object first (seconds
for a million customer ids, each time); these go through Arrow's own hash tables when both
sides are text and fall back to pandas otherwise, with the same results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _arrow_text(values):
    """The Arrow array of text ``values``, or None when they are not Arrow-able text."""
    import pyarrow as pa

    if not pd.api.types.is_string_dtype(getattr(values, "dtype", None)):
        return None
    try:
        arr = pa.array(values.array if hasattr(values, "array") else values)
    except (TypeError, ValueError, pa.ArrowException):
        return None
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def is_in(values: pd.Series, known) -> np.ndarray:
    """``values.isin(known)`` as a boolean array (missing values are never in).

    Parameters
    ----------
    values : pandas.Series
        The values to look up, e.g. a table's customer ids.
    known : array-like
        The values to look for; missing ones are dropped.

    Returns
    -------
    numpy.ndarray
        Booleans, one per element of ``values``: True where it is among ``known``.
    """
    import pyarrow.compute as pc

    known = pd.Series(known).dropna().unique()
    arr, ref = _arrow_text(values), _arrow_text(pd.Series(known))
    if arr is not None and ref is not None:
        found = pc.is_in(arr, value_set=ref.cast(arr.type))
        return found.fill_null(False).to_numpy(zero_copy_only=False)
    return values.isin(known).to_numpy(dtype=bool)


def positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """``index.get_indexer(values)``: each value's position in a unique ``index``, -1 where
    it is absent (or missing).

    Parameters
    ----------
    values : pandas.Series
        The values to look up, e.g. a table's customer ids.
    index : pandas.Index
        The index to find them in (Arrow's hash tables are used only when it is unique).

    Returns
    -------
    numpy.ndarray
        Integer positions (``numpy.intp``), one per element of ``values``.
    """
    import pyarrow.compute as pc

    arr, ref = _arrow_text(values), _arrow_text(pd.Series(index))
    if arr is not None and ref is not None and index.is_unique:
        found = pc.index_in(arr, value_set=ref.cast(arr.type))
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return index.get_indexer(values)
