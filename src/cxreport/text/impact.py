"""What each topic costs: the NPS (or a mean score such as overall satisfaction) of those who
mention it against those who do not, and how topic shares move month on month.

Topic impact
    Among the answers with a comment, for each known topic: its share of the comments, the
    NPS of the answers mentioning it and of those not mentioning it (each with the project's
    adjusted-Wald 95 % interval, :mod:`cxreport.nps`), their gap with the two-sample z-test
    of :func:`cxreport.nps.compare_nps`, and the **points of NPS lost**:
    ``NPS(not mentioning) − NPS(all) = share × (NPS(not mentioning) − NPS(mentioning))``, how
    much higher the NPS of these answers would be if those who mention the topic scored like
    the others. Its interval is the share times the gap's (the share taken as known).
    Ranked by points lost. A topic with fewer than ``min_mentions`` mentions is flagged.
Month on month
    Each topic's share of the month's texts against the previous month's, with the pooled
    two-proportion z-test (:func:`cxreport.stats.two_proportion_z`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..data.topics import TopicRules
from ..errors import CxReportError
from ..nps import compare_nps, nps
from ..stats import two_proportion_z, wilson_interval


def _mean(values, z: float) -> dict:
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(float)
    n = len(v)
    m = float(v.mean()) if n else np.nan
    se = float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    return {"n": n, "value": m, "se": se, "ci_low": m - z * se, "ci_high": m + z * se}


def _nps(values) -> tuple[dict, object]:
    e = nps(values)
    return {"n": e.n, "value": e.nps, "se": e.se, "ci_low": e.ci_low, "ci_high": e.ci_high}, e


def topic_impact(
    tags: pd.DataFrame,
    scores,
    rules: TopicRules,
    *,
    kind: str = "nps",
    min_mentions: int = 30,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each known topic's share of the comments and what it costs (module docstring).

    Parameters
    ----------
    tags : DataFrame
        :func:`cxreport.text.tag` of the comments.
    scores : Series
        The same answers' NPS (0-10) or, with ``kind="mean"``, any numeric score, in the
        order of ``tags``; answers without a score are left out.
    rules : TopicRules
        The rules ``tags`` was made with; they give the labels.
    kind : {"nps", "mean"}, default="nps"
        Compare NPS (adjusted-Wald intervals, :func:`cxreport.nps.compare_nps`) or means
        (normal intervals, two-sample z-test).
    min_mentions : int, default=30
        Topics with fewer mentions are flagged ``small``.
    confidence : float, default=0.95
        Confidence level of the ``points_lost`` interval and of the mean intervals, and
        ``1 − confidence`` the level ``significant`` tests at (the NPS intervals stay 95 %).

    Returns
    -------
    DataFrame
        ``topic``, ``label``, ``mentions``, ``comments``, ``share`` (%), ``with``, ``with_low``,
        ``with_high``, ``without``, ``without_low``, ``without_high``, ``gap`` (with −
        without), ``p``, ``significant``, ``points_lost``, ``lost_low``, ``lost_high``,
        ``small``; sorted by ``points_lost``, largest first. Topics nobody mentions are left
        out.
    """
    if kind not in ("nps", "mean"):
        raise CxReportError(f"The 'kind' parameter must be one of 'nps', 'mean'; got {kind!r}.")
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    s = pd.Series(np.asarray(scores, dtype=object), index=tags.index)
    s = pd.to_numeric(s, errors="coerce")
    answered = s.notna().to_numpy()
    t, s = tags[answered], s[answered]
    n = len(t)
    rows = []
    for topic in t.columns:
        on = t[topic].to_numpy(bool)
        k = int(on.sum())
        if not k:
            continue
        if kind == "nps":
            w, ew = _nps(s[on])
            wo, ewo = _nps(s[~on])
            ch = compare_nps(ewo, ew)
            gap, se, p = ch.change, ch.se, ch.p_value
        else:
            w, wo = _mean(s[on], z), _mean(s[~on], z)
            gap = w["value"] - wo["value"]
            se = float(np.hypot(w["se"], wo["se"]))
            p = float(2 * _st.norm.sf(abs(gap / se))) if se > 0 else np.nan
        share = k / n
        rows.append(
            {
                "topic": topic,
                "label": rules.label(topic),
                "mentions": k,
                "comments": n,
                "share": 100 * share,
                "with": w["value"],
                "with_low": w["ci_low"],
                "with_high": w["ci_high"],
                "without": wo["value"],
                "without_low": wo["ci_low"],
                "without_high": wo["ci_high"],
                "gap": gap,
                "p": p,
                "significant": bool(p < 1 - confidence) if np.isfinite(p) else False,
                "points_lost": -share * gap,
                "lost_low": -share * (gap + z * se),
                "lost_high": -share * (gap - z * se),
                "small": k < min_mentions,
            }
        )
    cols = ["topic", "label", "mentions", "comments", "share", "with", "with_low", "with_high",
            "without", "without_low", "without_high", "gap", "p", "significant", "points_lost",
            "lost_low", "lost_high", "small"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("points_lost", ascending=False, kind="stable").reset_index(drop=True)


def shares_by_month(tags: pd.DataFrame, dates, rules: TopicRules) -> pd.DataFrame:
    """Mentions of each known topic per month: ``month``, ``topic``, ``label``, ``mentions``,
    ``texts`` (the month's texts), ``share`` (%) with its Wilson interval; every month
    between the first and the last, a month without texts with ``texts`` 0.

    Parameters
    ----------
    tags : pandas.DataFrame
        :func:`cxreport.text.tag` of the texts.
    dates : array-like
        Each text's date, in the order of ``tags`` (a Series is aligned on the index of
        ``tags``); texts without a date are left out.
    rules : TopicRules
        The rules ``tags`` was made with; they give the labels.

    Returns
    -------
    pandas.DataFrame
        One row per month and topic: ``month`` (Period), ``topic``, ``label``, ``mentions``,
        ``texts``, ``share``, ``ci_low``, ``ci_high`` (percent; NaN for a month without
        texts); empty when no text has a date.
    """
    month = pd.to_datetime(pd.Series(dates, index=tags.index)).dt.to_period("M")
    ok = month.notna().to_numpy()
    t, month = tags[ok], month[ok]
    if not len(t):
        return pd.DataFrame(columns=["month", "topic", "label", "mentions", "texts", "share",
                                     "ci_low", "ci_high"])  # fmt: skip
    months = pd.period_range(month.min(), month.max(), freq="M")
    counts = t.groupby(month).sum().reindex(months, fill_value=0)
    texts = month.value_counts().reindex(months, fill_value=0)
    long = counts.stack().rename("mentions").reset_index()
    long.columns = ["month", "topic", "mentions"]
    long["label"] = long["topic"].map(rules.label)
    long["texts"] = long["month"].map(texts).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        long["share"] = 100 * long["mentions"] / long["texts"].where(long["texts"] > 0)
        lo, hi = wilson_interval(long["mentions"], long["texts"])
    long["ci_low"], long["ci_high"] = 100 * lo, 100 * hi
    return long[["month", "topic", "label", "mentions", "texts", "share", "ci_low", "ci_high"]]


def share_change(
    monthly: pd.DataFrame, month, *, alpha: float = 0.05, min_texts: int = 30
) -> pd.DataFrame:
    """Each topic's share in ``month`` against the month before (:func:`shares_by_month`):
    ``topic``, ``label``, ``previous``, ``current`` (%), ``change`` (points), ``z``, ``p``,
    ``significant`` (p < ``alpha`` and both months with ``min_texts`` texts), largest rise
    first.

    Parameters
    ----------
    monthly : pandas.DataFrame
        :func:`shares_by_month` of the texts.
    month : str or pandas.Period
        The month compared with the one before, ``"YYYY-MM"``.
    alpha : float, default=0.05
        Significance level of the two-proportion z-test.
    min_texts : int, default=30
        Fewest texts each month needs for a change to be called significant.

    Returns
    -------
    pandas.DataFrame
        One row per topic mentioned in either month; ``previous``, ``current`` and
        ``change`` are NaN when a month has no texts.
    """
    month = pd.Period(month, freq="M")
    cur = monthly[monthly["month"] == month].set_index("topic")
    prev = monthly[monthly["month"] == month - 1].set_index("topic")
    rows = []
    for topic in cur.index:
        c = cur.loc[topic]
        p = prev.loc[topic] if topic in prev.index else None
        n1 = int(p["texts"]) if p is not None else 0
        k1 = int(p["mentions"]) if p is not None else 0
        n2, k2 = int(c["texts"]), int(c["mentions"])
        if not (k1 or k2):
            continue
        zv, pv = two_proportion_z(k1, n1, k2, n2) if n1 and n2 else (np.nan, np.nan)
        rows.append(
            {
                "topic": topic,
                "label": c["label"],
                "previous": 100 * k1 / n1 if n1 else np.nan,
                "current": 100 * k2 / n2 if n2 else np.nan,
                "change": 100 * (k2 / n2 - k1 / n1) if n1 and n2 else np.nan,
                "z": zv,
                "p": pv,
                "significant": bool(pv < alpha and min(n1, n2) >= min_texts)
                if np.isfinite(pv)
                else False,
            }
        )
    out = pd.DataFrame(rows, columns=["topic", "label", "previous", "current", "change", "z",
                                      "p", "significant"])  # fmt: skip
    return out.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)
