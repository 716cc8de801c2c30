"""Analytic Hierarchy Process (AHP) priorities and AHP-SWOT (A'WOT) factor weights.

Saaty's method: a positive reciprocal matrix of pairwise judgements on the 1/9 … 9 scale
(``a`` over ``b`` = how much more important ``a`` is than ``b``), priorities = the principal
(Perron) eigenvector normalised to sum to 1, ``CI = (λmax − n)/(n − 1)`` and
``CR = CI / RI(n)``. A comparison set with ``CR > 0.10`` is *inconsistent*: its result says so
(:attr:`AHPResult.consistent`) and :func:`swot_ahp` marks the whole set as not usable, so that a
caller cannot use its weights without deciding to.

Random index tables (``random_index=``):

``"saaty1980"`` (default)
    Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980: n = 3 … 10 →
    0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 (the textbook table).
``"saaty2005"``
    Saaty, *Theory and Applications of the Analytic Network Process*, 2005, p. 31
    (the table `ahpy` calls ``'saaty'``): n = 3 … 15.
``"donegan_dodd"``
    Donegan & Dodd (1991), *Mathematical and Computer Modelling* 15(10), 135-137 (`ahpy`'s
    default ``'dd'``): n = 3 … 15.

The choice matters near the threshold: the same 4 × 4 matrix gives CR 0.0115 (1980),
0.0116 (2005) and 0.0125 (Donegan & Dodd).

A'WOT (Kurttila, Pesonen, Kangas & Kajanus 2000): the four SWOT groups are compared with each
other (group ``SWOT`` in the ``swot_pairwise`` table) and the factors within each group; a
factor's global priority is the group priority times its local priority.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CxReportError

RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty1980": {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
    },
    "saaty2005": {
        1: 0.0,
        2: 0.0,
        3: 0.52,
        4: 0.89,
        5: 1.11,
        6: 1.25,
        7: 1.35,
        8: 1.40,
        9: 1.45,
        10: 1.49,
        11: 1.52,
        12: 1.54,
        13: 1.56,
        14: 1.58,
        15: 1.59,
    },
    "donegan_dodd": {
        1: 0.0,
        2: 0.0,
        3: 0.4914,
        4: 0.8286,
        5: 1.0591,
        6: 1.1797,
        7: 1.2519,
        8: 1.3171,
        9: 1.3733,
        10: 1.4055,
        11: 1.4213,
        12: 1.4497,
        13: 1.4643,
        14: 1.4822,
        15: 1.4969,
    },
}
RI_SOURCES = {
    "saaty1980": "Saaty (1980), The Analytic Hierarchy Process",
    "saaty2005": "Saaty (2005), Theory and Applications of the ANP, p. 31",
    "donegan_dodd": "Donegan & Dodd (1991), Math. Comput. Modelling 15(10)",
}
#: Saaty's consistency threshold.
CR_THRESHOLD = 0.10
SAATY_MIN, SAATY_MAX = 1 / 9, 9.0
SWOT_GROUPS = ("S", "W", "O", "T")


class AHPInputError(CxReportError, ValueError):
    """A pairwise comparison set cannot be turned into a reciprocal matrix."""


def _line(idx) -> str:
    """How a row is named in messages: its index and, for a file, its line number."""
    if isinstance(idx, (int, np.integer)):
        return f"row {idx} (file line {int(idx) + 2})"
    return f"row {idx!r}"


def _rows(index) -> str:
    idx = list(index)
    shown = ", ".join(_line(i) for i in idx[:8])
    return shown + (f" and {len(idx) - 8} more" if len(idx) > 8 else "")


@dataclass
class AHPResult:
    """Priorities of one pairwise comparison matrix.

    Attributes
    ----------
    name : str
        What was compared (``"SWOT groups"``, ``"S"`` …).
    matrix : DataFrame
        The full reciprocal matrix, rows and columns in input order.
    weights : Series
        Priorities (principal eigenvector, sum 1), in input order.
    lambda_max, ci, cr, ri : float
        Principal eigenvalue, consistency index, consistency ratio and the random index used
        (``cr`` is 0 for n ≤ 2, where any reciprocal matrix is consistent).
    random_index : str
        Key of the RI table used (see the module docstring).
    """

    name: str
    matrix: pd.DataFrame
    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float
    random_index: str
    threshold: float = CR_THRESHOLD

    @property
    def n(self) -> int:
        """Number of elements compared.

        Returns
        -------
        int
        """
        return len(self.weights)

    @property
    def consistent(self) -> bool:
        """``CR ≤ threshold`` (Saaty: 0.10).

        Returns
        -------
        bool
        """
        return bool(self.cr <= self.threshold + 1e-12)

    def summary(self) -> dict:
        """The comparison set's consistency figures, one row of :meth:`SwotAHP.consistency`.

        Returns
        -------
        dict
            ``comparison`` (the name), ``n``, ``lambda_max``, ``ci``, ``ri``, ``cr``,
            ``consistent`` and ``random_index``.
        """
        return {
            "comparison": self.name,
            "n": self.n,
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
            "consistent": self.consistent,
            "random_index": self.random_index,
        }


def lookup_random_index(n: int, *, table: str = "saaty1980") -> float:
    """The random index RI(n) of a table (see the module docstring).

    Parameters
    ----------
    n : int
        Size of the comparison matrix.
    table : str, default="saaty1980"
        A key of :data:`RANDOM_INDEX`: ``"saaty1980"``, ``"saaty2005"`` or
        ``"donegan_dodd"``.

    Returns
    -------
    float

    Raises
    ------
    AHPInputError
        When the table is unknown or does not cover ``n``.
    """
    if table not in RANDOM_INDEX:
        raise AHPInputError(
            f"The 'random_index' parameter must be one of {', '.join(RANDOM_INDEX)}; got {table!r}."
        )
    ri = RANDOM_INDEX[table]
    if n not in ri:
        raise AHPInputError(
            f"The {table} random-index table covers n = 1 … {max(ri)}; a {n} × {n} comparison "
            f"has no RI there. Use random_index='donegan_dodd' or 'saaty2005' (up to 15), or "
            f"split the factors into smaller groups (Saaty recommends at most 7 ± 2)."
        )
    return ri[n]


def pairwise_matrix(comparisons: pd.DataFrame, *, labels=None, name: str = "") -> pd.DataFrame:
    """Build the full reciprocal matrix from rows ``a``, ``b``, ``value``.

    Parameters
    ----------
    comparisons : DataFrame
        Columns ``a``, ``b``, ``value``: how much more important ``a`` is than ``b`` on
        Saaty's scale 1/9 … 9. Each unordered pair at most once (``b, a`` with the reciprocal
        value is accepted as the same judgement).
    labels : sequence of str, optional
        The elements, in the order wanted. Default: order of first appearance. Every pair of
        labels must be compared (an incomplete set is an error naming the missing pairs).
    name : str, default=""
        Used in error messages.

    Returns
    -------
    DataFrame
        ``n × n`` matrix with ``A[a, b] = value`` and ``A[b, a] = 1/value``.
    """
    where = f" in the {name} comparisons" if name else ""
    missing_cols = [c for c in ("a", "b", "value") if c not in comparisons.columns]
    if missing_cols:
        raise AHPInputError(
            f"The pairwise comparisons need the column(s) "
            f"{', '.join(missing_cols)}; got {', '.join(map(str, comparisons.columns))}."
        )
    df = comparisons.copy()
    df["a"] = df["a"].astype("string").str.strip()
    df["b"] = df["b"].astype("string").str.strip()
    value = pd.to_numeric(df["value"], errors="coerce")
    bad = value.isna()
    if bad.any():
        raise AHPInputError(
            f"Pairwise values must be numbers{where}; not a number at {_rows(df.index[bad])}."
        )
    out = (value < SAATY_MIN - 1e-9) | (value > SAATY_MAX + 1e-9)
    if out.any():
        raise AHPInputError(
            f"Pairwise values must lie on Saaty's scale 1/9 … 9{where}; out of range at "
            f"{_rows(df.index[out])} (values {', '.join(f'{v:g}' for v in value[out][:8])})."
        )
    blank = df["a"].isna() | df["b"].isna() | (df["a"] == "") | (df["b"] == "")
    if blank.any():
        raise AHPInputError(
            f"Every comparison needs both elements a and b{where}; empty at "
            f"{_rows(df.index[blank])}."
        )
    same = df["a"] == df["b"]
    if same.any():
        raise AHPInputError(
            f"An element is compared with itself{where} at "
            f"{_rows(df.index[same])}; remove those rows (the diagonal is 1)."
        )
    found = list(dict.fromkeys([*df["a"], *df["b"]]))
    if labels is None:
        labels = found
    labels = [str(x) for x in labels]
    unknown = df.index[~df["a"].isin(labels) | ~df["b"].isin(labels)]
    if len(unknown):
        raise AHPInputError(
            f"Comparison(s){where} name elements that are not in the list "
            f"({'; '.join(labels)}): {_rows(unknown)}. Check the spelling against the factors "
            f"table."
        )
    pos = {lab: i for i, lab in enumerate(labels)}
    n = len(labels)
    mat = np.full((n, n), np.nan)
    np.fill_diagonal(mat, 1.0)
    seen: dict[tuple[int, int], object] = {}
    for idx, a, b, v in zip(df.index, df["a"], df["b"], value, strict=True):
        i, j = pos[a], pos[b]
        key = (min(i, j), max(i, j))
        if key in seen:
            if np.isclose(mat[i, j], v):
                continue  # the same judgement written twice (or as b, a with 1/value)
            raise AHPInputError(
                f"The pair ({a}, {b}) is compared twice with different values{where}: "
                f"{_line(seen[key])} and {_line(idx)}. Keep one judgement per pair."
            )
        seen[key] = idx
        mat[i, j], mat[j, i] = v, 1.0 / v
    gaps = [
        (labels[i], labels[j]) for i in range(n) for j in range(i + 1, n) if np.isnan(mat[i, j])
    ]
    if gaps:
        shown = "; ".join(f"{a} vs {b}" for a, b in gaps[:6])
        more = f" and {len(gaps) - 6} more" if len(gaps) > 6 else ""
        raise AHPInputError(
            f"The comparison set{where} is incomplete: {len(gaps)} of {n * (n - 1) // 2} pairs "
            f"are missing ({shown}{more}). Add a row for each pair."
        )
    return pd.DataFrame(mat, index=labels, columns=labels)


def priorities(
    matrix, *, random_index: str = "saaty1980", threshold: float = CR_THRESHOLD, name: str = ""
) -> AHPResult:
    """Principal-eigenvector priorities, λmax, CI and CR of a reciprocal matrix.

    Parameters
    ----------
    matrix : DataFrame or array-like
        Positive reciprocal ``n × n`` matrix (``A[j, i] = 1/A[i, j]``, diagonal 1).
    random_index : {"saaty1980", "saaty2005", "donegan_dodd"}, default="saaty1980"
        RI table for the consistency ratio.
    threshold : float, default=0.10
        CR above this is flagged as inconsistent.
    name : str, default=""
        Label of the comparison set.

    Returns
    -------
    AHPResult
    """
    if not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise AHPInputError(
            f"The 'threshold' parameter must be a float in (0, 1); got {threshold!r}."
        )
    if isinstance(matrix, pd.DataFrame):
        labels = [str(c) for c in matrix.columns]
        a = matrix.to_numpy(dtype=float)
    else:
        a = np.asarray(matrix, dtype=float)
        labels = [str(i + 1) for i in range(a.shape[0])] if a.ndim == 2 else []
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise AHPInputError(
            f"A pairwise comparison matrix must be square and non-empty; got shape {a.shape}."
        )
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise AHPInputError("A pairwise comparison matrix must hold positive numbers only.")
    if not np.allclose(a * a.T, 1.0, rtol=1e-6):
        raise AHPInputError(
            "The matrix is not reciprocal: A[j, i] must equal 1 / A[i, j] "
            "and the diagonal must be 1."
        )
    n = a.shape[0]
    ri = lookup_random_index(n, table=random_index)
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ci = max(ci, 0.0) if abs(ci) < 1e-12 else ci
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(
        name,
        pd.DataFrame(a, index=labels, columns=labels),
        pd.Series(w, index=labels, name="weight"),
        lam,
        float(ci),
        float(cr),
        float(ri),
        random_index,
        threshold,
    )


@dataclass
class SwotAHP:
    """AHP-SWOT (A'WOT) result.

    Attributes
    ----------
    groups : AHPResult
        The four SWOT groups compared with each other.
    within : dict[str, AHPResult]
        Local priorities for each group that has within-group comparisons.
    factors : DataFrame
        One row per factor (index = the factors table's index): ``kind``, ``factor``,
        ``group_weight``, ``local_weight``, ``local_source`` ("ahp" or "table"),
        ``global_weight`` (sums to 1 over all factors).
    notes : list of str
        What a reader must know (groups without comparisons, inconsistent sets).
    """

    groups: AHPResult
    within: dict[str, AHPResult]
    factors: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def inconsistent(self) -> list[AHPResult]:
        """The comparison sets (groups first) whose CR is above their threshold.

        Returns
        -------
        list of AHPResult
        """
        return [r for r in (self.groups, *self.within.values()) if not r.consistent]

    @property
    def usable(self) -> bool:
        """False when any comparison set has CR above the threshold.

        Returns
        -------
        bool
        """
        return not self.inconsistent

    def consistency(self) -> pd.DataFrame:
        """One row per comparison set: n, λmax, CI, RI, CR, consistent.

        Returns
        -------
        DataFrame
            The keys of :meth:`AHPResult.summary` as columns; the groups first.
        """
        return pd.DataFrame([r.summary() for r in (self.groups, *self.within.values())])


def swot_ahp(
    pairwise: pd.DataFrame,
    factors: pd.DataFrame,
    *,
    random_index: str = "saaty1980",
    threshold: float = CR_THRESHOLD,
) -> SwotAHP:
    """A'WOT weights from the ``swot_pairwise`` table and the ``swot_factors`` table.

    Parameters
    ----------
    pairwise : DataFrame
        Columns ``group`` (S, W, O, T or SWOT), ``a``, ``b``, ``value``.
    factors : DataFrame
        Columns ``kind``, ``factor`` and ``weight``. Factors of a group without within-group
        comparisons keep their table weights, normalised within the group (noted).
    random_index, threshold
        See :func:`priorities`.

    Returns
    -------
    SwotAHP
        Check :attr:`SwotAHP.usable` before using the weights: a set with CR > threshold is
        flagged, never silently used.
    """
    for frame, cols, what in (
        (pairwise, ("group", "a", "b", "value"), "swot_pairwise"),
        (factors, ("kind", "factor", "weight"), "swot_factors"),
    ):
        miss = [c for c in cols if c not in frame.columns]
        if miss:
            raise AHPInputError(f"The {what} table needs the column(s) {', '.join(miss)}.")
    grp = pairwise["group"].astype("string").str.strip().str.upper()
    bad = ~grp.isin([*SWOT_GROUPS, "SWOT"])
    if bad.any():
        raise AHPInputError(
            f"The 'group' of a pairwise comparison must be S, W, O, T or SWOT; "
            f"unknown group at {_rows(pairwise.index[bad])}."
        )
    if not (grp == "SWOT").any():
        raise AHPInputError(
            "The swot_pairwise table holds no comparisons of the four groups "
            "(group SWOT: S vs W, S vs O, …); A'WOT weights need them."
        )
    kinds = factors["kind"].astype("string").str.strip().str.upper()
    groups = priorities(
        pairwise_matrix(pairwise[grp == "SWOT"], labels=list(SWOT_GROUPS), name="SWOT groups"),
        random_index=random_index,
        threshold=threshold,
        name="SWOT groups",
    )
    notes: list[str] = []
    within: dict[str, AHPResult] = {}
    rows = []
    for g in SWOT_GROUPS:
        sub = factors[kinds == g]
        if sub.empty:
            continue
        names = sub["factor"].astype("string").str.strip()
        comp = pairwise[grp == g]
        if len(comp) and len(sub) > 1:
            res = priorities(
                pairwise_matrix(comp, labels=list(names), name=f"group {g}"),
                random_index=random_index,
                threshold=threshold,
                name=g,
            )
            within[g] = res
            local = res.weights.to_numpy()
            source = "ahp"
        else:
            w = pd.to_numeric(sub["weight"], errors="coerce").fillna(0).to_numpy(float)
            local = w / w.sum() if w.sum() > 0 else np.full(len(sub), 1 / len(sub))
            source = "table"
            if len(sub) > 1:
                notes.append(
                    f"Group {g} has no within-group comparisons: its {len(sub)} "
                    f"factors keep their table weights, rescaled to sum to 1 within "
                    f"the group."
                )
        for idx, name, lw in zip(sub.index, names, local, strict=True):
            rows.append(
                {
                    "index": idx,
                    "kind": g,
                    "factor": name,
                    "group_weight": groups.weights[g],
                    "local_weight": float(lw),
                    "local_source": source,
                }
            )
    table = pd.DataFrame(rows).set_index("index")
    table.index.name = None
    table["global_weight"] = table["group_weight"] * table["local_weight"]
    table["global_weight"] /= table["global_weight"].sum()
    out = SwotAHP(groups, within, table, notes)
    for r in out.inconsistent:
        notes.append(
            f"The {r.name} comparisons are inconsistent: CR = {r.cr:.3f} > "
            f"{threshold:.2f} (RI {r.ri:.2f}, {RI_SOURCES[random_index]}). Revise "
            f"those judgements before using AHP weights."
        )
    return out
