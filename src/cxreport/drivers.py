"""Key-driver analysis: how much of an outcome's explained variance each driver carries.

Two decompositions of the regression R² that stay stable when drivers are correlated (OLS betas
do not):

* :func:`relative_weights` — Johnson's (2000) relative weights: regress the outcome on the
  orthogonal counterpart of the drivers, then map the squared betas back. Fast for any number
  of drivers.
* :func:`lmg` — Lindeman, Merenda & Gold (1980) / Shapley-value regression: each driver's R²
  gain averaged over all orderings (exact, ``2**p`` regressions; up to 15 drivers).

Both sum to R² and are non-negative. On the ECSI ``mobi`` data (CUSA1 on PERQ1-7) they give
R² 0.44675, PERQ1 0.12951 (RW) and 0.13476 (LMG), the values in ``cx-methods.md`` §4.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from .errors import CxReportError

MAX_LMG_DRIVERS = 15


class DriverError(CxReportError):
    """A driver analysis cannot be computed on these data (no variance, too few rows...)."""


@dataclass(frozen=True)
class DriverResult:
    """Importance of each driver.

    Attributes
    ----------
    table : DataFrame
        One row per driver (input order): ``driver``, ``weight`` (share of R², sums to R²),
        ``share`` (percent of R², sums to 100) and ``rank`` (1 = most important).
    r2 : float
        R² of the full regression.
    n : int
        Rows used (complete cases).
    method : str
        ``"relative weights"`` or ``"LMG"``.
    """

    table: pd.DataFrame
    r2: float
    n: int
    method: str

    @property
    def weights(self) -> pd.Series:
        """Each driver's weight (share of R²), by driver.

        Returns
        -------
        Series
            Index the drivers (input order), name ``"weight"``.
        """
        return self.table.set_index("driver")["weight"]


def _prepare(X: pd.DataFrame, y: pd.Series | str) -> tuple[pd.DataFrame, pd.Series]:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"The 'X' parameter must be a pandas DataFrame; got {type(X).__name__}.")
    if isinstance(y, str):
        if y not in X:
            raise DriverError(f"The outcome column '{y}' is not in the data.")
        y, X = X[y], X.drop(columns=[y])
    if X.shape[1] < 1:
        raise DriverError("Driver analysis needs at least one driver column; got none.")
    if isinstance(y, pd.Series):  # matched to the drivers by index, as pandas aligns
        y = y if y.index.equals(X.index) else y.reindex(X.index)
    elif len(y) != len(X):
        raise DriverError(f"The outcome has {len(y)} values for {len(X)} rows of drivers.")
    y = pd.Series(np.asarray(y), index=X.index, name="__y__")
    frame = pd.concat([X, y], axis=1)
    frame = frame.apply(pd.to_numeric, errors="coerce").dropna()
    Xc, yc = frame.drop(columns="__y__"), frame["__y__"]
    if len(frame) < X.shape[1] + 2:
        raise DriverError(
            f"Driver analysis needs more complete rows than drivers + 1; got {len(frame)} "
            f"complete rows for {X.shape[1]} drivers."
        )
    flat = [c for c in Xc if Xc[c].std() == 0]
    if flat:
        raise DriverError(
            f"Driver(s) {', '.join(map(str, flat))} have no variance (every answer is the same), "
            f"so their importance cannot be estimated."
        )
    if yc.std() == 0:
        raise DriverError(
            "The outcome has no variance (every answer is the same), so no driver can explain it."
        )
    return Xc, yc


def _corr(X: pd.DataFrame, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    z = np.column_stack([X.to_numpy(float), y.to_numpy(float)])
    c = np.corrcoef(z, rowvar=False)
    return c[:-1, :-1], c[:-1, -1]


def _result(X: pd.DataFrame, w: np.ndarray, r2: float, n: int, method: str) -> DriverResult:
    w = np.clip(w, 0.0, None)
    share = 100 * w / w.sum() if w.sum() > 0 else np.full(len(w), np.nan)
    table = pd.DataFrame({"driver": list(X.columns), "weight": w, "share": share})
    table["rank"] = table["weight"].rank(ascending=False, method="first").astype(int)
    return DriverResult(table, float(r2), int(n), method)


def relative_weights(X: pd.DataFrame, y: pd.Series | str) -> DriverResult:
    """Johnson's relative weights of the drivers in ``X`` for the outcome ``y``.

    Parameters
    ----------
    X : DataFrame
        Drivers (numeric columns). Rows with a missing value in any column are dropped.
    y : Series or str
        The outcome, or the name of its column in ``X``.

    Returns
    -------
    DriverResult
        ``weight`` sums to R²; ``share`` to 100.

    Raises
    ------
    DriverError
        When a driver or the outcome has no variance, or there are too few complete rows.
    """
    Xc, yc = _prepare(X, y)
    rxx, rxy = _corr(Xc, yc)
    lam, Q = np.linalg.eigh(rxx)
    lam = np.clip(lam, 0.0, None)
    half = Q @ np.diag(np.sqrt(lam)) @ Q.T
    beta = np.linalg.lstsq(half, rxy, rcond=None)[0]
    rw = (half**2) @ (beta**2)
    r2 = float(rxy @ np.linalg.pinv(rxx) @ rxy)
    return _result(Xc, rw, r2, len(Xc), "relative weights")


def _r2_subsets(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    p = len(rxy)
    out = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r = rxy[idx]
        out[mask] = r @ np.linalg.lstsq(rxx[np.ix_(idx, idx)], r, rcond=None)[0]
    return out


def lmg(X: pd.DataFrame, y: pd.Series | str) -> DriverResult:
    """Exact LMG (Shapley-value) decomposition of R² over the drivers in ``X``.

    Parameters
    ----------
    X : DataFrame
        Up to 15 drivers (``2**p`` sub-regressions are run).
    y : Series or str
        The outcome, or the name of its column in ``X``.

    Returns
    -------
    DriverResult
        ``weight`` sums to R² (the Shapley efficiency property).
    """
    Xc, yc = _prepare(X, y)
    p = Xc.shape[1]
    if p > MAX_LMG_DRIVERS:
        raise DriverError(
            f"Exact LMG needs 2**p regressions; the number of drivers must be at most "
            f"{MAX_LMG_DRIVERS}; got {p}. Use relative_weights() instead."
        )
    rxx, rxy = _corr(Xc, yc)
    r2 = _r2_subsets(rxx, rxy)
    coef = [factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)]
    w = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for s in range(p):
            for combo in combinations(others, s):
                mask = sum(1 << k for k in combo)
                w[j] += coef[s] * (r2[mask | 1 << j] - r2[mask])
    return _result(Xc, w, r2[-1], len(Xc), "LMG")
