"""Shared statistics: intervals and tests used by several analyses."""

from __future__ import annotations

import numpy as np
from scipy import stats as _st


def wilson_interval(successes, n, *, confidence: float = 0.95):
    """Wilson score interval for a proportion; arrays allowed. Returns (low, high).

    Parameters
    ----------
    successes : int or array-like
        Number of successes.
    n : int or array-like
        Number of trials (NaN bounds where it is 0).
    confidence : float, default=0.95
        Confidence level.

    Returns
    -------
    low, high : float or ndarray
        The bounds, as proportions (0-1).
    """
    k = np.asarray(successes, float)
    n = np.asarray(n, float)
    z = _st.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def bootstrap_ci(
    values, statistic=np.mean, *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0
):
    """Percentile bootstrap interval of ``statistic`` over rows of ``values``.

    Parameters
    ----------
    values : array-like
        The sample; its rows are resampled with replacement.
    statistic : callable, default=np.mean
        Takes a resample (an array) and returns a number or an array.
    n_boot : int, default=1000
        Bootstrap resamples.
    confidence : float, default=0.95
        Confidence level.
    seed : int, default=0
        Seed of the resampling.

    Returns
    -------
    tuple
        ``(low, high)``, each a float or, for an array statistic, an array.
    """
    x = np.asarray(values)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), (n_boot, len(x)))
    boots = np.array([statistic(x[i]) for i in idx])
    a = (1 - confidence) / 2
    return tuple(np.quantile(boots, [a, 1 - a], axis=0))


def two_proportion_z(k1, n1, k2, n2) -> tuple[float, float]:
    """z statistic and two-sided p-value for p2 − p1 (pooled).

    Parameters
    ----------
    k1, n1 : int
        Successes and size of the first sample.
    k2, n2 : int
        Successes and size of the second sample.

    Returns
    -------
    z, p : float
        z is 0 (p = 1) when the pooled standard error is 0.
    """
    p = (k1 + k2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    z = (k2 / n2 - k1 / n1) / se if se > 0 else 0.0
    return float(z), float(2 * _st.norm.sf(abs(z)))


def diff_z(est1, se1, est2, se2) -> tuple[float, float]:
    """z and two-sided p for the difference of two independent estimates with SEs.

    Parameters
    ----------
    est1, se1 : float
        The first estimate and its standard error.
    est2, se2 : float
        The second estimate and its standard error (z is for ``est2 - est1``).

    Returns
    -------
    z, p : float
        z is 0 (p = 1) when both standard errors are 0.
    """
    se = float(np.hypot(se1, se2))
    z = (est2 - est1) / se if se > 0 else 0.0
    return float(z), float(2 * _st.norm.sf(abs(z)))


def demerit_band(rates, weights, exposure):
    """Centre line and sigma of a weighted count of Poisson events per unit of exposure.

    ``rates`` are the baseline's events per unit of exposure, one per event type, and
    ``weights`` their weights: the centre is ``w @ u`` and sigma ``sqrt((w**2) @ u / n)``
    for an exposure ``n`` (a number or an array: a u-chart band that widens when the exposure
    is small; ``n = 1`` with rates per period gives a c-chart band). Used by the SQI and by
    the complaint rate (one type of weight 1).

    Parameters
    ----------
    rates : array-like
        Baseline events per unit of exposure, one per event type.
    weights : array-like
        The weight of each event type.
    exposure : float or array-like
        The exposure ``n`` of each period.

    Returns
    -------
    centre : float
        ``w @ u``.
    sigma : float or array-like
        ``sqrt((w**2) @ u / n)``, shaped as ``exposure``.
    """
    u, w = np.asarray(rates, float), np.asarray(weights, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(w @ u), np.sqrt(float((w**2) @ u) / exposure)
