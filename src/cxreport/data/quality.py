"""Response-quality screening of survey answers: speeders, straight-liners, duplicates.

:func:`screen` flags each response by four rules, :func:`summary` counts the flags. Both are
pure functions; whether flagged responses are only reported or also left out is the caller's
decision (``survey.screening: off | flag | exclude`` in ``cxreport.yaml``).

>>> flags = screen(survey, items=["q1", "q2", "q3", "q4", "q5"])
>>> summary(flags)
{'speeder': 12, 'straight_liner': 30, 'duplicate': 2, 'bad_duration': 1, 'flagged': 41}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_int

__all__ = ["RULES", "screen", "summary"]

#: The rules, in the order of the flag columns and of the ``reasons`` text.
RULES = ("speeder", "straight_liner", "duplicate", "bad_duration")

SPEEDER_FRACTION = 1 / 3  # of the median completion time
MIN_DURATIONS = 10  # positive completion times needed for a meaningful median
MAX_DURATION = 86_400  # seconds: a response open longer than a day is not a timing


def screen(
    survey: pd.DataFrame,
    items: list[str],
    *,
    duration: str = "duration",
    ip: str = "ip",
    respondent: str = "customer_id",
    min_items: int = 5,
) -> pd.DataFrame:
    """Flag survey responses of doubtful quality.

    The rules are the usual non-reactive indicators of careless answering (Leiner 2019;
    Kim et al. 2019):

    ``speeder``
        Completed in less than a third of the median completion time. The median is taken
        over the positive times and the rule applies only when there are at least 10 of them.
    ``straight_liner``
        At least ``min_items`` of the item columns answered, all with the same value: the same
        answer down the whole grid (zero variance).
    ``duplicate``
        The same respondent, or the same IP/device, with identical answers on every item
        column (a missing answer equals a missing answer) as an earlier row. The first
        submission, in the frame's row order, is not flagged; the later ones are. Rows without
        any item answered are never duplicates.
    ``bad_duration``
        A completion time of 0 seconds or less, or above 24 hours (86,400 s).

    A column that is missing switches its rule off (the flag is False everywhere); a missing
    value never raises a flag.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    items : list of str
        The item columns (e.g. ``q1 ... q22``); names the survey does not hold are ignored.
    duration : str
        Column with the completion time in seconds (numbers or timedeltas).
    ip : str
        Column with the respondent's IP address or device id.
    respondent : str
        Column identifying the respondent (customer id).
    min_items : int
        Fewest answered items for the straight-lining rule.

    Returns
    -------
    pandas.DataFrame
        With the survey's index: boolean columns ``speeder``, ``straight_liner``,
        ``duplicate``, ``bad_duration`` and a text column ``reasons``, the names of the rules
        a response breaks joined by ``"; "`` (``""`` when none).

    References
    ----------
    Leiner, D. J. (2019). Too fast, too straight, too weird: Non-reactive indicators for
    meaningless data in internet surveys. *Survey Research Methods*, 13(3), 229-248.

    Kim, Y., Dykema, J., Stevenson, J., Black, P., & Moberg, D. P. (2019). Straightlining:
    Overview of measurement, comparison of indicators, and effects in mail-web mixed-mode
    surveys. *Social Science Computer Review*, 37(2), 214-233.
    """
    min_items = check_int("min_items", min_items, 1)
    n = len(survey)
    present = [c for c in dict.fromkeys(items) if c in survey.columns]
    seconds = _seconds(survey[duration]) if duration in survey.columns else None

    flags = {
        "speeder": _speeders(seconds, n),
        "straight_liner": np.zeros(n, dtype=bool),
        "duplicate": np.zeros(n, dtype=bool),
        "bad_duration": np.zeros(n, dtype=bool),
    }
    if present:
        answered, same = _grid(survey, present)
        flags["straight_liner"] = (answered >= min_items) & same
        flags["duplicate"] = _duplicates(survey, present, answered > 0, [respondent, ip])
    if seconds is not None:
        with np.errstate(invalid="ignore"):
            flags["bad_duration"] = (seconds <= 0) | (seconds > MAX_DURATION)

    out = pd.DataFrame(flags, index=survey.index)
    out["reasons"] = _reasons(out)
    return out


def summary(flags: pd.DataFrame) -> dict[str, int]:
    """Counts of the flags of :func:`screen`: one per rule and ``flagged`` (any rule).

    Parameters
    ----------
    flags : pandas.DataFrame
        The result of :func:`screen`.

    Returns
    -------
    dict of str to int
        ``{"speeder": .., "straight_liner": .., "duplicate": .., "bad_duration": ..,
        "flagged": ..}``.
    """
    counts = {rule: int(flags[rule].sum()) for rule in RULES}
    counts["flagged"] = int(flags[list(RULES)].any(axis=1).sum())
    return counts


def _seconds(values: pd.Series) -> np.ndarray:
    """Completion times as float seconds, NaN where missing or not a number."""
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        values = values.dt.total_seconds()
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _speeders(seconds: np.ndarray | None, n: int) -> np.ndarray:
    if seconds is None:
        return np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        positive = seconds > 0
    if positive.sum() < MIN_DURATIONS:  # too few times for the median to mean anything
        return np.zeros(n, dtype=bool)
    threshold = np.median(seconds[positive]) * SPEEDER_FRACTION
    # a time of 0 or less is a recording error (bad_duration), not speed
    with np.errstate(invalid="ignore"):
        return positive & (seconds < threshold)


def _grid(survey: pd.DataFrame, present: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many items are answered, and whether all answered values are equal.

    Column by column (running count, min and max) rather than as one row x item matrix, so that
    a million rows of 30 items need a few vectors of memory, not a copy of the grid.
    """
    n = len(survey)
    count = np.zeros(n, dtype=np.int64)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    labels: dict = {}  # text answer -> a code shared by all columns
    for col in present:
        v = _answer_values(survey[col], labels)
        answered = ~np.isnan(v)
        count += answered
        lo = np.fmin(lo, v)
        hi = np.fmax(hi, v)
    return count, (count > 0) & (lo == hi)


def _answer_values(values: pd.Series, labels: dict) -> np.ndarray:
    """An item column as floats (NaN = unanswered); text labels as codes no number can equal."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    text = values.astype(pd.StringDtype("python")).str.strip()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    numbers = pd.to_numeric(text.astype(object).where(~blank, None), errors="coerce")
    out = numbers.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    other = ~blank & np.isnan(out)
    if other.any():
        # labels ("Agree") beyond any real scale value: equal labels share a code
        found = text[other]
        for label in pd.unique(found):
            labels.setdefault(label, len(labels))
        out[other] = 1e15 + found.map(labels).to_numpy(dtype="float64")
    return out


def _duplicates(
    survey: pd.DataFrame, present: list[str], answered: np.ndarray, keys: list[str]
) -> np.ndarray:
    """Later rows repeating an earlier row's key (respondent or ip) and all its answers."""
    n = len(survey)
    out = np.zeros(n, dtype=bool)
    keys = [k for k in dict.fromkeys(keys) if k in survey.columns]
    if not keys or not answered.any():
        return out
    # one id per distinct answer pattern; dropna=False makes a missing answer equal another
    pattern = survey[present].groupby(present, dropna=False, sort=False).ngroup().to_numpy()
    for key in keys:
        value = survey[key]
        missing = value.isna().to_numpy()
        if pd.api.types.is_string_dtype(value.dtype):  # a blank id identifies nobody
            missing = missing | (value.astype(str).str.strip() == "").to_numpy()
        usable = ~missing & answered
        if not usable.any():
            continue
        pairs = pd.DataFrame({"key": value.to_numpy()[usable], "pattern": pattern[usable]})
        out[np.flatnonzero(usable)[pairs.duplicated(keep="first").to_numpy()]] = True
    return out


def _reasons(flags: pd.DataFrame) -> np.ndarray:
    # each combination of rules once, then looked up per row: no string work per row
    code = np.zeros(len(flags), dtype=np.int64)
    for bit, rule in enumerate(RULES):
        code |= flags[rule].to_numpy(dtype=bool).astype(np.int64) << bit
    combos = range(2 ** len(RULES))
    texts = np.array(
        ["; ".join(r for bit, r in enumerate(RULES) if c >> bit & 1) for c in combos],
        dtype=object,
    )
    return texts[code]
