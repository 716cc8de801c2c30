"""SWOT scoring: IFE/EFE matrices, the Internal-External (IE) matrix, TOWS pairings, and
SWOT factors suggested by the data.

Method (Fred R. David, *Strategic Management: Concepts and Cases*):

* **IFE** (strengths + weaknesses) and **EFE** (opportunities + threats): each factor gets a
  weight (importance for success in the industry; the weights of one matrix sum to 1) and a
  rating 1–4. IFE: 1 = major weakness, 2 = minor weakness, 3 = minor strength, 4 = major
  strength (strengths should be rated 3–4, weaknesses 1–2). EFE: how well current strategies
  respond: 1 = poor, 2 = average, 3 = above average, 4 = superior. Weighted score =
  weight × rating; the total lies in 1–4 and 2.5 is the midpoint.
* **IE matrix**: IFE total on x (strong 3.0–4.0 | average 2.0–2.99 | weak 1.0–1.99, strong on
  the left), EFE total on y (high 3.0–4.0 top | medium | low). Cells I–IX row by row; I, II,
  IV *grow and build*; III, V, VII *hold and maintain*; VI, VIII, IX *harvest or divest*.
* **TOWS** (Weihrich 1982): SO, WO, ST, WT pairings of the highest-weighted factors.

Input checks: every function checks the frame it is given (it may not come from the validated
loader) and names offending rows as ``row <index> (file line <index + 2>)``, which is the line
in the CSV when the frame was read from a file with a header row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .ahp import RANDOM_INDEX
from .errors import CxReportError
from .errors import describe_rows as _rows
from .i18n import DEFAULT, N_, _, language
from .orientation import METHODS
from .settings import Setting, check

KINDS = ("S", "W", "O", "T")
KIND_NAMES = {
    "S": N_("Strengths"),
    "W": N_("Weaknesses"),
    "O": N_("Opportunities"),
    "T": N_("Threats"),
}
MATRIX_OF = {"S": "IFE", "W": "IFE", "O": "EFE", "T": "EFE"}
MIDPOINT = 2.5
IFE_RATING_MEANING = {
    1: N_("major weakness"),
    2: N_("minor weakness"),
    3: N_("minor strength"),
    4: N_("major strength"),
}
EFE_RATING_MEANING = {
    1: N_("poor response"),
    2: N_("average response"),
    3: N_("above-average response"),
    4: N_("superior response"),
}
GROW, HOLD, HARVEST = N_("grow and build"), N_("hold and maintain"), N_("harvest or divest")
POSTURES = {
    "I": GROW,
    "II": GROW,
    "IV": GROW,
    "III": HOLD,
    "V": HOLD,
    "VII": HOLD,
    "VI": HARVEST,
    "VIII": HARVEST,
    "IX": HARVEST,
}
_CELLS = (("I", "II", "III"), ("IV", "V", "VI"), ("VII", "VIII", "IX"))
#: Relative tolerance for "the weights sum to 1" before they are normalised with a note.
WEIGHT_TOL = 1e-6


class SwotInputError(CxReportError, ValueError):
    """The SWOT factors table cannot be scored as given."""


# --------------------------------------------------------------------------------------------
# 1. IFE / EFE scoring
# --------------------------------------------------------------------------------------------


def check_factors(factors: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Check a SWOT factors frame; return a clean copy and the notes a reader must see.

    Errors (:class:`SwotInputError`, naming the rows): missing columns, unknown kind, empty
    factor text, non-numeric or negative weight, rating that is not a whole number in 1–4.
    Notes (returned, not raised): a strength rated 1–2 or a weakness rated 3–4 (David: strengths
    3–4, weaknesses 1–2), the same factor listed twice under one kind.

    Parameters
    ----------
    factors : DataFrame
        Columns ``kind``, ``factor``, ``weight``, ``rating``.

    Returns
    -------
    (DataFrame, list of str)
        Columns ``kind`` (upper case), ``factor``, ``weight`` (float), ``rating`` (int),
        index kept; the notes.
    """
    if not isinstance(factors, pd.DataFrame):
        raise SwotInputError(f"The SWOT factors must be a DataFrame; got {type(factors).__name__}.")
    missing = [c for c in ("kind", "factor", "weight", "rating") if c not in factors.columns]
    if missing:
        raise SwotInputError(
            f"The SWOT factors table needs the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, factors.columns)) or 'none'}."
        )
    if factors.empty:
        raise SwotInputError(
            "The SWOT factors table has no rows; list at least one factor "
            "for each of the IFE (S, W) and EFE (O, T) matrices."
        )
    df = factors[["kind", "factor", "weight", "rating"]].copy()
    problems: list[str] = []
    kind = df["kind"].astype("string").str.strip().str.upper()
    bad = kind.isna() | ~kind.isin(KINDS)
    if bad.any():
        vals = ", ".join(repr(v) for v in factors.loc[bad, "kind"].head(5).tolist())
        problems.append(f"unknown kind at {_rows(df.index[bad])} (got {vals}); use S, W, O or T")
    text = df["factor"].astype("string").str.strip()
    bad = text.isna() | (text == "")
    if bad.any():
        problems.append(f"empty factor text at {_rows(df.index[bad])}")
    weight = pd.to_numeric(df["weight"], errors="coerce")
    bad = weight.isna() | ~np.isfinite(weight.astype(float))
    if bad.any():
        vals = ", ".join(repr(v) for v in factors.loc[bad, "weight"].head(5).tolist())
        problems.append(f"weight is not a number at {_rows(df.index[bad])} (got {vals})")
    neg = weight < 0
    if neg.any():
        problems.append(
            f"negative weight at {_rows(df.index[neg])}; weights are importances from 0 to 1"
        )
    rating = pd.to_numeric(df["rating"], errors="coerce")
    bad = rating.isna() | ~rating.isin([1, 2, 3, 4])
    if bad.any():
        vals = ", ".join(repr(v) for v in factors.loc[bad, "rating"].head(5).tolist())
        problems.append(f"rating must be a whole number 1–4 at {_rows(df.index[bad])} (got {vals})")
    if problems:
        raise SwotInputError(
            "The SWOT factors table cannot be scored: " + "; ".join(problems) + "."
        )
    df["kind"], df["factor"] = kind.astype(str), text.astype(str)
    df["weight"], df["rating"] = weight.astype(float), rating.astype(int)
    notes: list[str] = []
    s_low = (df["kind"] == "S") & (df["rating"] <= 2)
    if s_low.any():
        notes.append(
            f"A strength is rated 1–2 at {_rows(df.index[s_low])}; in the IFE a "
            f"strength is rated 3 (minor) or 4 (major). Is it a weakness?"
        )
    w_high = (df["kind"] == "W") & (df["rating"] >= 3)
    if w_high.any():
        notes.append(
            f"A weakness is rated 3–4 at {_rows(df.index[w_high])}; in the IFE a "
            f"weakness is rated 1 (major) or 2 (minor). Is it a strength?"
        )
    dup = df.duplicated(["kind", "factor"], keep="first")
    if dup.any():
        notes.append(
            f"The same factor is listed twice under one kind at "
            f"{_rows(df.index[dup])}; both rows are scored."
        )
    return df, notes


@dataclass
class SwotScores:
    """IFE and EFE matrices of one SWOT factors table.

    Attributes
    ----------
    table : DataFrame
        One row per factor, index kept from the input: ``matrix`` (IFE/EFE), ``kind``,
        ``factor``, ``input_weight``, ``weight`` (normalised within its matrix), ``rating``,
        ``rating_meaning``, ``weighted_score``.
    ife_total, efe_total : float
        Σ weight × rating of each matrix (1–4, midpoint 2.5).
    weights_from : str
        ``"table"`` or ``"ahp"``.
    notes : list of str
        Warnings a reader must see (normalised weights, rating/kind mismatches …).
    """

    table: pd.DataFrame
    ife_total: float
    efe_total: float
    weights_from: str = "table"
    notes: list[str] = field(default_factory=list)

    def matrix(self, which: str) -> pd.DataFrame:
        """The IFE or EFE matrix as David prints it, with a total row.

        Parameters
        ----------
        which : {"IFE", "EFE"}
            The matrix.

        Returns
        -------
        DataFrame
            ``kind`` (its name: ``"Strengths"`` ...), ``factor``, ``weight``, ``rating``,
            ``rating_meaning``, ``weighted_score``; the last row ``"Total"`` (weights and
            weighted scores summed, no rating).
        """
        if which not in ("IFE", "EFE"):
            raise SwotInputError(f"The 'which' parameter must be 'IFE' or 'EFE'; got {which!r}.")
        t = self.table[self.table["matrix"] == which]
        t = t.assign(kind=t["kind"].map(KIND_NAMES))[
            ["kind", "factor", "weight", "rating", "rating_meaning", "weighted_score"]
        ]
        total = self.ife_total if which == "IFE" else self.efe_total
        tot = pd.DataFrame(
            [
                {
                    "kind": N_("Total"),
                    "factor": "",
                    "weight": t["weight"].sum(),
                    "rating": 0,
                    "rating_meaning": "",
                    "weighted_score": total,
                }
            ]
        )
        out = pd.concat([t, tot], ignore_index=True)
        # whole-number ratings; the total row has none (blank, not NaN, in the printed table)
        out["rating"] = [int(r) if i < len(t) else "" for i, r in enumerate(out["rating"])]
        return out

    def totals(self) -> pd.DataFrame:
        """IFE and EFE totals with their reading against the 2.5 midpoint.

        Returns
        -------
        DataFrame
            Two rows (IFE, EFE): ``matrix``, ``total``, ``midpoint``, ``reading``.
        """
        rows = []
        for m, v in (("IFE", self.ife_total), ("EFE", self.efe_total)):
            if m == "IFE":
                reading = (
                    N_("internally strong")
                    if v > MIDPOINT
                    else (N_("internally weak") if v < MIDPOINT else N_("average"))
                )
            else:
                reading = (
                    N_("responds well to the environment")
                    if v > MIDPOINT
                    else (
                        N_("responds poorly to the environment") if v < MIDPOINT else N_("average")
                    )
                )
            rows.append({"matrix": m, "total": v, "midpoint": MIDPOINT, "reading": reading})
        return pd.DataFrame(rows)


#: The headers of the SWOT page's tables (IFE/EFE matrices, totals, TOWS pairs).
_HEADERS = {
    "kind": N_("kind"), "factor": N_("factor"), "weight": N_("weight"),
    "rating": N_("rating"), "rating_meaning": N_("rating meaning"),
    "weighted_score": N_("weighted score"), "matrix": N_("matrix"), "total": N_("total"),
    "midpoint": N_("midpoint"), "reading": N_("reading"), "cell": N_("strategy type"),
    "internal": N_("internal"), "internal_factor": N_("internal factor"),
    "external": N_("external"), "external_factor": N_("external factor"),
    "priority": N_("priority"), "strategy": N_("strategy"),
}  # fmt: skip
_OUR_WORDS = ("kind", "rating_meaning", "reading")


def reader(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of the SWOT page as the reader sees it: headers and our own words (factor
    kinds, rating meanings, readings) in the report's language; the factors as the workshop
    wrote them. Exports take the table itself, not this.

    Parameters
    ----------
    frame : DataFrame
        A table of the SWOT page.

    Returns
    -------
    DataFrame
        A translated copy; in the default language ``frame`` itself.
    """
    if language() == DEFAULT:
        return frame
    out = frame.copy()
    for c in _OUR_WORDS:
        if c in out:
            out[c] = out[c].map(lambda v: _(v) if isinstance(v, str) and v else v)
    return out.rename(columns=lambda c: _(_HEADERS[c]) if c in _HEADERS else c)


def score_factors(
    factors: pd.DataFrame, *, weights: pd.Series | None = None, weights_from: str = "table"
) -> SwotScores:
    """Score the IFE and EFE matrices.

    Parameters
    ----------
    factors : DataFrame
        Columns ``kind`` (S, W, O, T), ``factor``, ``weight``, ``rating`` (1–4).
    weights : Series, optional
        Weights to use instead of the table's, aligned on the factors' index (for example
        :attr:`cxreport.ahp.SwotAHP.factors` ``["global_weight"]``). Normalised within each
        matrix.
    weights_from : str, default="table"
        Label recorded in the result (``"table"`` or ``"ahp"``).

    Returns
    -------
    SwotScores

    Notes
    -----
    Weights of a matrix that do not sum to 1 (relative tolerance 1e-6) are divided by their sum
    and a note says so. A matrix whose weights are all zero, or a matrix without any factor,
    is an error: its total would be meaningless.
    """
    if weights_from not in ("table", "ahp"):
        raise SwotInputError(
            f"The 'weights_from' parameter must be 'table' or 'ahp'; got {weights_from!r}."
        )
    df, notes = check_factors(factors)
    df["input_weight"] = df["weight"]
    if weights is not None:
        w = pd.to_numeric(pd.Series(weights), errors="coerce").reindex(df.index)
        if w.isna().any() or (w < 0).any():
            raise SwotInputError(
                f"The 'weights' given have no valid (non-negative) value for "
                f"{_rows(df.index[w.isna() | (w < 0)])}."
            )
        df["weight"] = w.astype(float)
    df["matrix"] = df["kind"].map(MATRIX_OF)
    totals = {}
    for m, kinds in (("IFE", "strengths and weaknesses"), ("EFE", "opportunities and threats")):
        sel = df["matrix"] == m
        if not sel.any():
            raise SwotInputError(
                f"The {m} matrix has no factors: add {kinds} to the SWOT factors table."
            )
        s = df.loc[sel, "weight"].sum()
        if s <= 0:
            raise SwotInputError(
                f"All {m} weights are zero ({_rows(df.index[sel])}); give "
                f"each of the {kinds} an importance between 0 and 1."
            )
        if abs(s - 1.0) > WEIGHT_TOL:
            notes.append(
                f"The {m} weights sum to {s:.4g}, not 1: they were divided by "
                f"{s:.4g} so that the {m} total stays on the 1–4 scale."
            )
            df.loc[sel, "weight"] = df.loc[sel, "weight"] / s
        df.loc[sel, "weighted_score"] = df.loc[sel, "weight"] * df.loc[sel, "rating"]
        totals[m] = float(df.loc[sel, "weighted_score"].sum())
    big = df["weight"] > 0.30
    if big.any():
        notes.append(
            f"A single factor carries more than 0.30 of its matrix at "
            f"{_rows(df.index[big])}; one factor then dominates the total."
        )
    df["rating_meaning"] = [
        (IFE_RATING_MEANING if m == "IFE" else EFE_RATING_MEANING)[r]
        for m, r in zip(df["matrix"], df["rating"], strict=True)
    ]
    order = {"S": 0, "W": 1, "O": 2, "T": 3}
    df = df.assign(_o=df["kind"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")
    table = df[
        [
            "matrix",
            "kind",
            "factor",
            "input_weight",
            "weight",
            "rating",
            "rating_meaning",
            "weighted_score",
        ]
    ]
    return SwotScores(table, totals["IFE"], totals["EFE"], weights_from, notes)


# --------------------------------------------------------------------------------------------
# IE matrix
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IEPosition:
    """Position of the company in the Internal-External matrix."""

    ife_total: float
    efe_total: float
    cell: str  # "I" … "IX"
    row: int  # 0 = high EFE (3.0-4.0), 1 = medium, 2 = low
    col: int  # 0 = strong IFE (3.0-4.0), 1 = average, 2 = weak
    posture: str

    @property
    def ife_band(self) -> str:
        """The IFE total's band: ``"strong"`` (3.0-4.0), ``"average"`` or ``"weak"`` (below 2).

        Returns
        -------
        str
        """
        return ("strong", "average", "weak")[self.col]

    @property
    def efe_band(self) -> str:
        """The EFE total's band: ``"high"`` (3.0-4.0), ``"medium"`` or ``"low"`` (below 2).

        Returns
        -------
        str
        """
        return ("high", "medium", "low")[self.row]


def _band(total: float) -> int:
    """0 for 3.0-4.0, 1 for 2.0-2.99, 2 for 1.0-1.99 (David's bands)."""
    if total >= 3.0:
        return 0
    if total >= 2.0:
        return 1
    return 2


def ie_position(ife_total: float, efe_total: float) -> IEPosition:
    """IE matrix cell (I–IX) and posture for an IFE and an EFE total (each 1–4).

    Parameters
    ----------
    ife_total, efe_total : float
        The IFE and EFE totals (``SwotScores.ife_total``, ``efe_total``), in [1, 4].

    Returns
    -------
    IEPosition
    """
    for name, v in (("ife_total", ife_total), ("efe_total", efe_total)):
        if (
            not isinstance(v, (int, float, np.floating))
            or not np.isfinite(v)
            or not 1.0 - 1e-9 <= v <= 4.0 + 1e-9
        ):
            raise SwotInputError(f"The '{name}' parameter must be a number in [1, 4]; got {v!r}.")
    col, row = _band(float(ife_total)), _band(float(efe_total))
    cell = _CELLS[row][col]
    return IEPosition(float(ife_total), float(efe_total), cell, row, col, POSTURES[cell])


# --------------------------------------------------------------------------------------------
# 3. TOWS
# --------------------------------------------------------------------------------------------

TOWS_CELLS = {
    "SO": N_("use strengths to exploit opportunities"),
    "WO": N_("overcome weaknesses by using opportunities"),
    "ST": N_("use strengths to avoid threats"),
    "WT": N_("minimise weaknesses and avoid threats"),
}


@dataclass
class Tows:
    """TOWS matrix of the top factors.

    Attributes
    ----------
    top : DataFrame
        The highest-weighted factors of each kind: ``kind``, ``code`` (S1, S2 …), ``factor``,
        ``weight``, ``rating``.
    pairs : DataFrame
        Every SO, WO, ST, WT pairing of the top factors: ``cell``, ``internal``, ``external``
        (codes), ``internal_factor``, ``external_factor``, ``priority`` (product of the two
        weights, for ordering the workshop) and an empty ``strategy`` column to fill in.
    """

    top: pd.DataFrame
    pairs: pd.DataFrame

    def layout(self) -> pd.DataFrame:
        """The 3 × 3 TOWS grid as text: factor lists on the edges, prompts in the cells.

        Returns
        -------
        DataFrame
            Columns ``"Strengths (S)"`` and ``"Weaknesses (W)"``; rows the factor lists, then
            the opportunities and threats with their cells.
        """

        def lst(k):
            """The top factors of one kind, one ``"S1: factor"`` line each.

            Parameters
            ----------
            k : str
                The kind: ``"S"``, ``"W"``, ``"O"`` or ``"T"``.

            Returns
            -------
            str
            """
            t = self.top[self.top["kind"] == k]
            return "\n".join(f"{c}: {f}" for c, f in zip(t["code"], t["factor"], strict=True))

        def cell(i, e):
            """The prompt of one cell: its strategy type and the codes it pairs.

            Parameters
            ----------
            i : str
                The internal kind, ``"S"`` or ``"W"``.
            e : str
                The external kind, ``"O"`` or ``"T"``.

            Returns
            -------
            str
            """
            key = i + e
            codes_i = ", ".join(self.top.loc[self.top["kind"] == i, "code"])
            codes_e = ", ".join(self.top.loc[self.top["kind"] == e, "code"])
            return f"{key} strategies: {TOWS_CELLS[key]} ({codes_i} × {codes_e})"

        return pd.DataFrame(
            {
                "Strengths (S)": [lst("S"), cell("S", "O"), cell("S", "T")],
                "Weaknesses (W)": [lst("W"), cell("W", "O"), cell("W", "T")],
            },
            index=pd.Index(["", "Opportunities (O):\n" + lst("O"), "Threats (T):\n" + lst("T")]),
        )


def tows_matrix(scores: SwotScores, *, top_n: int = 3) -> Tows:
    """SO / WO / ST / WT pairings of the ``top_n`` highest-weighted factors of each kind.

    Parameters
    ----------
    scores : SwotScores
        From :func:`score_factors`.
    top_n : int, default=3
        Factors per kind (ties broken by the input order).

    Returns
    -------
    Tows
        Pairs in the order SO, WO, ST, WT, each by descending ``priority``.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or not 1 <= top_n <= 10:
        raise SwotInputError(f"The 'top_n' parameter must be an int in [1, 10]; got {top_n!r}.")
    t = scores.table
    tops = []
    for k in KINDS:
        sub = t[t["kind"] == k].sort_values("weight", ascending=False, kind="stable").head(top_n)
        sub = sub.assign(code=[f"{k}{i + 1}" for i in range(len(sub))])
        tops.append(sub[["kind", "code", "factor", "weight", "rating"]])
    top = pd.concat(tops, ignore_index=True)
    rows = []
    for cell in TOWS_CELLS:
        i, e = cell[0], cell[1]
        for _i, a in top[top["kind"] == i].iterrows():
            for _e, b in top[top["kind"] == e].iterrows():
                rows.append(
                    {
                        "cell": cell,
                        "internal": a["code"],
                        "external": b["code"],
                        "internal_factor": a["factor"],
                        "external_factor": b["factor"],
                        "priority": a["weight"] * b["weight"],
                        "strategy": "",
                    }
                )
    pairs = pd.DataFrame(
        rows,
        columns=[
            "cell",
            "internal",
            "external",
            "internal_factor",
            "external_factor",
            "priority",
            "strategy",
        ],
    )
    if len(pairs):
        pairs["_c"] = pairs["cell"].map({c: i for i, c in enumerate(TOWS_CELLS)})
        pairs = (
            pairs.sort_values(["_c", "priority"], ascending=[True, False], kind="stable")
            .drop(columns="_c")
            .reset_index(drop=True)
        )
    return Tows(top, pairs)


# --------------------------------------------------------------------------------------------
# notebook parameters
# --------------------------------------------------------------------------------------------


SETTINGS = (
    Setting(
        "weights_from",
        str,
        "table",
        "factor weights: table (the workshop's weights) or ahp (AHP-SWOT from swot_pairwise; "
        "a set with CR above 0.10 is flagged and not used)",
        choices=("table", "ahp"),
    ),
    Setting(
        "random_index",
        str,
        "saaty1980",
        "AHP random-index table",
        choices=tuple(RANDOM_INDEX),
    ),
    Setting("top_n", int, 3, "factors per kind in the TOWS matrix", low=1, high=10),
    Setting(
        "score_method",
        str,
        "pct_max",
        "self-assessment scale: pct_max (% of maximum) or pomp",
        choices=tuple(METHODS),
    ),
    Setting("n_weakest", int, 5, "weakest self-assessment items listed", low=1, high=40),
    Setting(
        "survey_months",
        int,
        3,
        "survey months pooled for the importance-performance factors",
        low=1,
        high=24,
    ),
    Setting(
        "trend_window",
        int,
        3,
        "months on each side of a trend test (recent months against the months before)",
        low=1,
        high=12,
    ),
    Setting(
        "alpha",
        float,
        0.05,
        "family-wise error rate of the trend tests (Holm)",
        low=0,
        high=1,
        open=True,
    ),
    Setting(
        "segment_trends",
        bool,
        True,
        "test segment growth: the run's segments now against trend_window months earlier",
    ),
)


def check_settings(**values) -> None:
    """Check the SWOT notebook's own settings (:data:`SETTINGS`) before anything is computed;
    a :class:`~cxreport.errors.ParameterError` names the parameter, what is allowed and what
    was given.

    Parameters
    ----------
    **values
        Settings by name; those of :data:`SETTINGS` are checked, others ignored.
    """
    check(SETTINGS, values)
