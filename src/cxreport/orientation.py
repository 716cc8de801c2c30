"""Customer-orientation self-assessment: 40 items in 7 categories, scored 1–5 by staff.

Scores are reported per category on a 0–100 scale, in one of two clearly labelled ways
(they can differ by up to 20 points, see cx-methods §2.5):

* ``"pct_max"`` (default, the practice's own method): percent of the maximum,
  ``Σ scores / (5 · k) · 100`` = ``mean / 5 · 100``. Its floor is 20 % (everyone answers 1).
* ``"pomp"``: percent of maximum possible (Cohen, Cohen, Aiken & West 1999),
  ``(mean − 1) / (5 − 1) · 100``, so 1 → 0 % and 5 → 100 %.

Each respondent's category score is the mean of the items they answered in the category; a
department's (or the company's) score is the mean over its respondents, with a t-interval
across respondents. The company is every respondent pooled, so larger departments weigh more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
from scipy import stats as _st

from .errors import CxReportError
from .errors import describe_rows as _rows
from .i18n import N_, _

METHODS = {
    "pct_max": N_("% of maximum (mean / 5 × 100; floor 20 %)"),
    "pomp": N_("POMP (mean − 1) / 4 × 100; 1 → 0 %, 5 → 100 %"),
}
LANGS = ("en", "zh")
COMPANY = "Company"
SCALE_MIN, SCALE_MAX = 1, 5


class SelfAssessmentError(CxReportError, ValueError):
    """The self-assessment answers cannot be scored as given."""


def load_item_bank(*, lang: str = "en") -> pd.DataFrame:
    """The 40-item bank shipped with cxreport.

    Parameters
    ----------
    lang : {"en", "zh"}, default="en"
        Language of ``category_label`` and ``text``.

    Returns
    -------
    DataFrame
        ``item`` (CO01 … CO40), ``category`` (code), ``category_label``, ``text``, in bank
        order (which is also the fixed category order of every chart).
    """
    if lang not in LANGS:
        raise SelfAssessmentError(
            f"The 'lang' parameter must be one of {', '.join(LANGS)}; got {lang!r}."
        )
    with (
        resources.files("cxreport")
        .joinpath("resources/self_assessment_items.csv")
        .open(encoding="utf-8") as fh
    ):
        bank = pd.read_csv(fh, dtype=str)
    return bank.rename(columns={f"category_{lang}": "category_label", f"text_{lang}": "text"})[
        ["item", "category", "category_label", "text"]
    ]


def check_answers(
    answers: pd.DataFrame, *, bank: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Check self-assessment answers against the item bank.

    Errors (:class:`SelfAssessmentError`, naming the rows): missing columns, an item that is
    not in the bank, a score that is not a whole number 1–5, a missing department or
    respondent. Notes (returned): rows with an empty score (skipped), departments with no
    answer at all, the same respondent answering an item twice (the answers are averaged).

    Parameters
    ----------
    answers : DataFrame
        Columns ``respondent_id``, ``department``, ``item``, ``score`` (1–5).
    bank : DataFrame, optional
        The item bank (``item``, ``category``, ``category_label``, ``text``); default
        :func:`load_item_bank`.

    Returns
    -------
    (DataFrame, list of str)
        The answered rows (``respondent_id``, ``department``, ``item``, ``score`` as float),
        and the notes.
    """
    if bank is None:
        bank = load_item_bank()
    if not isinstance(answers, pd.DataFrame):
        raise SelfAssessmentError(
            f"The self-assessment answers must be a DataFrame; got {type(answers).__name__}."
        )
    need = ("respondent_id", "department", "item", "score")
    missing = [c for c in need if c not in answers.columns]
    if missing:
        raise SelfAssessmentError(
            f"The self_assessment table needs the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, answers.columns)) or 'none'}."
        )
    if answers.empty:
        raise SelfAssessmentError("The self_assessment table has no rows.")
    df = answers[list(need)].copy()
    for c in ("respondent_id", "department", "item"):
        df[c] = df[c].astype("string").str.strip()
    problems = []
    blank = df["respondent_id"].isna() | (df["respondent_id"] == "")
    if blank.any():
        problems.append(f"no respondent_id at {_rows(df.index[blank])}")
    blank = df["department"].isna() | (df["department"] == "")
    if blank.any():
        problems.append(f"no department at {_rows(df.index[blank])}")
    unknown = ~df["item"].isin(bank["item"])
    if unknown.any():
        vals = ", ".join(sorted({repr(str(v)) for v in df.loc[unknown, "item"]})[:6])
        problems.append(
            f"item not in the item bank (CO01 … CO40) at {_rows(df.index[unknown])} (got {vals})"
        )
    raw = answers["score"]
    score = pd.to_numeric(raw, errors="coerce").astype(float)
    empty = raw.isna() | (raw.astype("string").str.strip() == "")
    bad = ~empty & (score.isna() | ~score.isin([1, 2, 3, 4, 5]))
    if bad.any():
        vals = ", ".join(repr(v) for v in raw[bad].head(5).tolist())
        problems.append(f"score must be a whole number 1–5 at {_rows(df.index[bad])} (got {vals})")
    if problems:
        raise SelfAssessmentError(
            "The self-assessment answers cannot be scored: " + "; ".join(problems) + "."
        )
    df["score"] = score
    notes = []
    if empty.any():
        notes.append(
            f"{int(empty.sum())} answer(s) have no score and were skipped "
            f"({_rows(df.index[empty], limit=4)})."
        )
    answered = df[~empty]
    silent = sorted(set(df["department"]) - set(answered["department"]))
    for d in silent:
        n_rows = int((df["department"] == d).sum())
        notes.append(
            f"Department {d!r} has no answers: all {n_rows} of its row(s) have an "
            f"empty score, so it is left out of the department comparison."
        )
    dup = answered.duplicated(["respondent_id", "item"], keep="first")
    if dup.any():
        notes.append(
            f"{int(dup.sum())} respondent/item pair(s) were answered twice (first at "
            f"{_rows(answered.index[dup], limit=3)}); the answers are averaged."
        )
    if answered.empty:
        raise SelfAssessmentError(
            "The self_assessment table has no scored answer (every score is empty)."
        )
    return answered, notes


def _to_scale(mean, method: str):
    return (
        (np.asarray(mean, float) - 1) / 4 * 100
        if method == "pomp"
        else np.asarray(mean, float) / 5 * 100
    )


@dataclass
class OrientationScores:
    """Self-assessment scores.

    Attributes
    ----------
    by_category : DataFrame
        One row per unit (each department, then ``"Company"``) and category, categories in
        bank order: ``unit``, ``category``, ``category_label``, ``n_respondents``, ``mean``
        (1–5), ``score`` (0–100 by ``method``), ``ci_low``, ``ci_high`` (95 % t-interval across
        respondents; NaN with fewer than two).
    by_unit : DataFrame
        Overall score per unit (all 40 items): ``unit``, ``n_respondents``, ``mean``, ``score``,
        ``ci_low``, ``ci_high``.
    items : DataFrame
        Company-level item scores, weakest first: ``item``, ``category_label``, ``text``,
        ``n``, ``mean``, ``score``.
    method : str
        ``"pct_max"`` or ``"pomp"``; ``method_label`` says what it means.
    respondents : DataFrame
        Respondent × category means (1–5): ``department``, ``respondent_id``, ``category``,
        ``mean``.
    notes : list of str
    """

    by_category: pd.DataFrame
    by_unit: pd.DataFrame
    items: pd.DataFrame
    method: str
    lang: str
    respondents: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def method_label(self) -> str:
        """What ``method`` means, in the report's language (:data:`METHODS`).

        Returns
        -------
        str
        """
        return _(METHODS[self.method])

    @property
    def company_score(self) -> float:
        """The company's overall score (0–100), from ``by_unit``.

        Returns
        -------
        float
        """
        return float(self.by_unit.loc[self.by_unit["unit"] == COMPANY, "score"].iloc[0])

    @property
    def departments(self) -> list[str]:
        """The departments scored, in the order of ``by_unit`` (the company left out).

        Returns
        -------
        list of str
        """
        return [u for u in self.by_unit["unit"] if u != COMPANY]

    def weakest_items(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` lowest-scoring items company-wide.

        Parameters
        ----------
        n : int, default=5
            Number of items (at least 1).

        Returns
        -------
        DataFrame
            The first ``n`` rows of ``items``, index reset.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise SelfAssessmentError(f"The 'n' parameter must be an int ≥ 1; got {n!r}.")
        return self.items.head(n).reset_index(drop=True)

    def wide(self) -> pd.DataFrame:
        """Scores as a table: categories × units (company last).

        Returns
        -------
        DataFrame
            Index ``category_label`` in bank order, one column per department, then
            ``"Company"``; values the 0–100 scores.
        """
        w = self.by_category.pivot(index="category_label", columns="unit", values="score")
        order = list(dict.fromkeys(self.by_category["category_label"]))
        return w.loc[order, [*self.departments, COMPANY]]


def _mean_ci(values: pd.Series) -> tuple[float, float, float, int]:
    x = values.dropna().to_numpy(float)
    n = len(x)
    m = float(x.mean()) if n else np.nan
    if n < 2:
        return m, np.nan, np.nan, n
    half = _st.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return m, m - half, m + half, n


def score_self_assessment(
    answers: pd.DataFrame, *, method: str = "pct_max", lang: str = "en"
) -> OrientationScores:
    """Score the self-assessment per category, per department and for the company.

    Parameters
    ----------
    answers : DataFrame
        Columns ``respondent_id``, ``department``, ``item`` (CO01 … CO40), ``score`` (1–5).
    method : {"pct_max", "pomp"}, default="pct_max"
        0–100 scale (see the module docstring).
    lang : {"en", "zh"}, default="en"
        Language of category labels and item texts.

    Returns
    -------
    OrientationScores
    """
    if method not in METHODS:
        raise SelfAssessmentError(
            f"The 'method' parameter must be one of {', '.join(METHODS)}; got {method!r}."
        )
    bank = load_item_bank(lang=lang)
    df, notes = check_answers(answers, bank=bank)
    df = df.merge(bank, on="item", how="left")
    cats = list(dict.fromkeys(bank["category"]))
    labels = dict(zip(bank["category"], bank["category_label"], strict=False))
    # respondent x category means (the unit of analysis for intervals)
    resp = (
        df.groupby(["department", "respondent_id", "category"], sort=False)["score"]
        .mean()
        .reset_index()
    )
    moved = resp.groupby("respondent_id")["department"].nunique()
    if (moved > 1).any():
        notes.append(
            f"{int((moved > 1).sum())} respondent(s) appear under more than one "
            f"department (e.g. {moved[moved > 1].index[0]!r}); they count in each."
        )
    depts = list(dict.fromkeys(df["department"]))
    units = [(d, resp[resp["department"] == d]) for d in depts] + [(COMPANY, resp)]
    rows = []
    for unit, r in units:
        for c in cats:
            m, lo, hi, n = _mean_ci(r.loc[r["category"] == c, "score"])
            rows.append(
                {
                    "unit": unit,
                    "category": c,
                    "category_label": labels[c],
                    "n_respondents": n,
                    "mean": m,
                }
            )
            rows[-1].update(
                score=float(_to_scale(m, method)),
                ci_low=float(_to_scale(lo, method)),
                ci_high=float(_to_scale(hi, method)),
            )
    by_cat = pd.DataFrame(rows)
    overall = df.groupby(["department", "respondent_id"], sort=False)["score"].mean().reset_index()
    urows = []
    for unit in [*depts, COMPANY]:
        r = overall if unit == COMPANY else overall[overall["department"] == unit]
        m, lo, hi, n = _mean_ci(r["score"])
        urows.append(
            {
                "unit": unit,
                "n_respondents": n,
                "mean": m,
                "score": float(_to_scale(m, method)),
                "ci_low": float(_to_scale(lo, method)),
                "ci_high": float(_to_scale(hi, method)),
            }
        )
    by_unit = pd.DataFrame(urows)
    per_resp_item = df.groupby(["respondent_id", "item"], sort=False)["score"].mean().reset_index()
    it = per_resp_item.groupby("item")["score"].agg(n="count", mean="mean").reset_index()
    it = it.merge(bank, on="item")
    it["score"] = _to_scale(it["mean"], method)
    it = it.sort_values(["mean", "item"], kind="stable").reset_index(drop=True)
    items = it[["item", "category", "category_label", "text", "n", "mean", "score"]]
    unanswered = sorted(set(bank["item"]) - set(items["item"]))
    if unanswered:
        notes.append(
            f"{len(unanswered)} item(s) of the bank were not answered by anyone "
            f"({', '.join(unanswered[:8])}{' …' if len(unanswered) > 8 else ''})."
        )
    resp = resp.rename(columns={"score": "mean"})
    return OrientationScores(by_cat, by_unit, items, method, lang, resp, notes)


def category_gaps(scores: OrientationScores, *, threshold: float = 5.0) -> pd.DataFrame:
    """Company categories well above or below the organisation's own average.

    For each respondent, the difference between a category's mean and the average of that
    respondent's category means is taken; a category is *above* (a strength) or *below* (a
    weakness) when the company difference exceeds ``threshold`` points on the report's 0–100
    scale and a one-sample t-test of the respondents' differences gives p < 0.05.

    Parameters
    ----------
    scores : OrientationScores
        From :func:`score_self_assessment`.
    threshold : float, default=5.0
        Least difference (points on the 0–100 scale, at least 0) that can be a signal.

    Returns
    -------
    DataFrame
        ``category``, ``category_label``, ``score``, ``average``, ``difference`` (points),
        ``n``, ``t``, ``p_value``, ``signal`` ("above", "below" or "").
    """
    if not isinstance(threshold, (int, float)) or threshold < 0:
        raise SelfAssessmentError(
            f"The 'threshold' parameter must be a number ≥ 0; got {threshold!r}."
        )
    r = scores.respondents
    wide = r.pivot_table(index="respondent_id", columns="category", values="mean")
    diff = wide.sub(wide.mean(axis=1), axis=0) * (25 if scores.method == "pomp" else 20)
    bc = scores.by_category[scores.by_category["unit"] == COMPANY].reset_index(drop=True)
    avg = float(bc["score"].mean())
    rows = []
    for _i, c in bc.iterrows():
        d = diff[c["category"]].dropna() if c["category"] in diff else pd.Series(dtype=float)
        if len(d) >= 2 and d.std(ddof=1) > 0:
            t, p = _st.ttest_1samp(d, 0.0)
        else:
            t, p = np.nan, np.nan
        dif = float(c["score"] - avg)
        sig = abs(dif) > threshold and p == p and p < 0.05
        rows.append(
            {
                "category": c["category"],
                "category_label": c["category_label"],
                "score": float(c["score"]),
                "average": avg,
                "difference": dif,
                "n": len(d),
                "t": float(t),
                "p_value": float(p),
                "signal": ("above" if dif > 0 else "below") if sig else "",
            }
        )
    return pd.DataFrame(rows)


def select_round(answers: pd.DataFrame, *, until: pd.Timestamp) -> tuple[pd.DataFrame, str]:
    """The latest assessment round answered before ``until`` (the end of the report month).

    A round is a calendar month of ``date``; rows without a date belong to every round. When
    there is no ``date`` column the whole table is one round.

    Parameters
    ----------
    answers : DataFrame
        Self-assessment answers, optionally with a ``date`` column.
    until : Timestamp
        Only answers dated before this count.

    Returns
    -------
    (DataFrame, str)
        The rows of the round (empty when every answer is later) and a sentence saying which
        round it is.
    """
    if "date" not in answers.columns or answers["date"].isna().all():
        return answers, "The self-assessment has no dates: all answers are used as one round."
    d = pd.to_datetime(answers["date"], errors="coerce")
    past = d < until
    if not past.any():
        return answers.iloc[:0], (
            f"No self-assessment answer is dated before {until:%Y-%m-%d} (the first is dated "
            f"{d.min():%Y-%m-%d}), so this report has no self-assessment."
        )
    last = d[past].max().to_period("M")
    keep = d.isna() | (d.dt.to_period("M") == last)
    older = int((past & ~keep).sum())
    note = f"Self-assessment round of {last} ({int(keep.sum())} answers)."
    if older:
        note += f" {older} answers from earlier rounds are not used."
    return answers[keep], note
