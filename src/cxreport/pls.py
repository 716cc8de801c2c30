"""PLS path modelling (PLS-PM) for ACSI/ECSI-style satisfaction indices.

The Wold/Lohmöller algorithm with reflective (Mode A) blocks on standardised indicators and the
path, centroid or factorial inner scheme, as in R ``plspm`` and ``seminr``. The ``plspm`` Python
package needs pandas < 3, so this small module is owned here and tested against the ECSI
``mobi`` results of ``cx-methods.md`` §1.5 (path coefficients, R², satisfaction index 71.75).

The 0-100 index of each latent variable follows the ACSI recipe: outer weights converted to the
raw item scale (``w / sd``), normalised to sum to 1 within the block, applied to the raw items,
and the mean rescaled with the items' scale end-points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CxReportError

SCHEMES = ("path", "centroid", "factorial")

#: The ECSI model (Tenenhaus et al. 2005): blocks are looked up by these names.
ECSI_PATHS: tuple[tuple[str, str], ...] = (
    ("image", "expectation"),
    ("image", "satisfaction"),
    ("image", "loyalty"),
    ("expectation", "quality"),
    ("expectation", "value"),
    ("expectation", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
    ("satisfaction", "complaints"),
    ("satisfaction", "loyalty"),
    ("complaints", "loyalty"),
)
ECSI_BLOCKS = ("image", "expectation", "quality", "value", "satisfaction", "complaints", "loyalty")


class PLSError(CxReportError):
    """The path model is mis-specified or cannot be estimated on these data."""


@dataclass(frozen=True)
class PLSResult:
    """A fitted PLS path model.

    Attributes
    ----------
    paths : DataFrame
        ``source``, ``target``, ``coef`` (standardised path coefficient), in the order given.
    r2 : Series
        R² of each endogenous latent variable.
    outer : DataFrame
        ``block``, ``item``, ``weight`` (standardised outer weight), ``loading``,
        ``raw_weight`` (normalised within the block, for the index).
    scores : DataFrame
        Standardised latent-variable scores (one column per block).
    index : DataFrame
        ``block``, ``index`` (0-100 from the normalised raw weights), ``equal_weights``
        (0-100 with equal item weights), ``alpha`` (Cronbach's α, raw items).
    iterations : int
    scheme : str
    gof : float
        Goodness of fit: sqrt(mean communality × mean R²).
    notes : list of str
        Warnings (non-positive raw weights, unreliable blocks).
    """

    paths: pd.DataFrame
    r2: pd.Series
    outer: pd.DataFrame
    scores: pd.DataFrame
    index: pd.DataFrame
    iterations: int
    scheme: str
    gof: float
    notes: list[str] = field(default_factory=list)

    def path(self, source: str, target: str) -> float:
        p = self.paths
        return float(p[(p["source"] == source) & (p["target"] == target)]["coef"].iloc[0])


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's α of raw item columns (complete rows); NaN when undefined (k < 2, no variance)."""
    x = items.dropna().to_numpy(float)
    k = x.shape[1] if x.ndim == 2 else 0
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def _standardise(x: np.ndarray, scaled: bool) -> np.ndarray:
    # population sd, as R plspm does; path coefficients do not depend on it
    x = x - x.mean(axis=0)
    return x / x.std(axis=0) if scaled else x / x.std()


def _ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(X, y, rcond=None)[0]


def fit_pls(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    *,
    scheme: str = "path",
    scales: Mapping[str, tuple[float, float]] | None = None,
    scaled: bool = True,
    max_iter: int = 300,
    tol: float = 1e-6,
) -> PLSResult:
    """Estimate a PLS path model (Mode A, standardised indicators).

    Parameters
    ----------
    data : DataFrame
        Indicator columns; rows with any missing indicator are dropped.
    blocks : mapping
        Latent variable → its indicator columns (order of the mapping = order of the model).
    paths : sequence of (source, target)
        The inner model; must be acyclic.
    scheme : {"path", "centroid", "factorial"}, default="path"
        Inner weighting scheme.
    scales : mapping, optional
        Indicator → (min, max) of its scale, for the 0-100 index. Default: the observed range
        of the indicator.
    scaled : bool, default=True
        Standardise each indicator (R ``plspm(scaled=TRUE)``, seminr, SmartPLS). ``False``
        only centres the indicators (one common scale factor), so items with a larger spread
        weigh more; this is what ``plspm`` for Python does for metric data even when asked to
        scale, and how the reference table of ``cx-methods.md`` §1.5 was produced.
    max_iter : int, default=300
    tol : float, default=1e-6
        Convergence: sum of squared changes of the absolute outer weights (R plspm's rule).

    Returns
    -------
    PLSResult
    """
    if scheme not in SCHEMES:
        raise ValueError(
            f"The 'scheme' parameter must be one of {', '.join(SCHEMES)}; got {scheme!r}."
        )
    names = list(blocks)
    if len(names) < 2:
        raise PLSError("A path model needs at least two blocks.")
    for a, b in paths:
        for v in (a, b):
            if v not in blocks:
                raise PLSError(
                    f"The path {a} → {b} names '{v}', which is not a block; blocks: "
                    f"{', '.join(names)}."
                )
    cols = [c for n in names for c in blocks[n]]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise PLSError(f"Indicator column(s) not in the data: {', '.join(missing)}.")
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise PLSError(
            f"Indicator(s) {', '.join(dup)} appear in more than one block; each indicator "
            f"must measure one block only."
        )
    empty = [n for n in names if not list(blocks[n])]
    if empty:
        raise PLSError(f"Block(s) with no indicators: {', '.join(empty)}.")
    raw = data[cols].apply(pd.to_numeric, errors="coerce").dropna()
    if len(raw) < 10:
        raise PLSError(f"PLS needs at least 10 complete rows; got {len(raw)}.")
    flat = [c for c in cols if raw[c].std() == 0]
    if flat:
        raise PLSError(
            f"Indicator(s) {', '.join(flat)} have no variance (every answer is the "
            f"same); drop them from the model."
        )
    X = _standardise(raw.to_numpy(float), scaled)
    n, J = len(raw), len(names)
    idx = {nm: [cols.index(c) for c in blocks[nm]] for nm in names}
    D = np.zeros((J, J))  # D[i, j] = 1 when i → j
    for a, b in paths:
        D[names.index(a), names.index(b)] = 1
    adj = (D + D.T) > 0
    if (~adj).all(axis=1).any():
        lonely = [names[j] for j in range(J) if not adj[j].any()]
        raise PLSError(f"Block(s) {', '.join(lonely)} have no path to any other block.")

    W = [np.ones(len(idx[nm])) for nm in names]

    def lv_scores(W):
        Y = np.column_stack([X[:, idx[nm]] @ W[j] for j, nm in enumerate(names)])
        sd = Y.std(axis=0)
        return Y / sd, [W[j] / sd[j] for j in range(J)]

    Y, W = lv_scores(W)
    n_iter = 0
    for it in range(1, max_iter + 1):
        n_iter = it
        R = np.corrcoef(Y, rowvar=False)
        E = np.zeros((J, J))
        for j in range(J):
            if scheme == "path":
                pred = np.flatnonzero(D[:, j])
                if len(pred):
                    E[pred, j] = _ols(Y[:, j], Y[:, pred])
                succ = np.flatnonzero(D[j, :])
                E[succ, j] = R[succ, j]
            elif scheme == "centroid":
                E[adj[:, j], j] = np.sign(R[adj[:, j], j])
            else:
                E[adj[:, j], j] = R[adj[:, j], j]
        Z = Y @ E
        new = [X[:, idx[nm]].T @ Z[:, j] / n for j, nm in enumerate(names)]
        Ynew, new = lv_scores(new)
        delta = sum(
            float(np.sum((np.abs(a) - np.abs(b)) ** 2)) for a, b in zip(W, new, strict=True)
        )
        W, Y = new, Ynew
        if delta < tol:
            break
    else:
        raise PLSError(f"PLS did not converge in {max_iter} iterations; check the model.")

    # inner model by OLS on the final scores
    prow, r2 = [], {}
    for j, nm in enumerate(names):
        pred = np.flatnonzero(D[:, j])
        if len(pred):
            b = _ols(Y[:, j], Y[:, pred])
            r2[nm] = float(1 - np.sum((Y[:, j] - Y[:, pred] @ b) ** 2) / np.sum(Y[:, j] ** 2))
            coef = dict(zip(pred, b, strict=True))
            for a, t in paths:
                if t == nm:
                    prow.append((a, t, float(coef[names.index(a)])))
    order = {(a, b): k for k, (a, b) in enumerate(paths)}
    pdf = pd.DataFrame(prow, columns=["source", "target", "coef"])
    pdf = pdf.iloc[np.argsort([order[(a, b)] for a, b in zip(pdf.source, pdf.target, strict=True)])]

    notes: list[str] = []
    outer_rows, idx_rows, communal = [], [], []
    sd_raw = raw.std(axis=0, ddof=1)
    for j, nm in enumerate(names):
        items = list(blocks[nm])
        load = np.array([np.corrcoef(X[:, c], Y[:, j])[0, 1] for c in idx[nm]])
        # sign: make the block's scores agree with its items on average
        rw = W[j] / sd_raw[items].to_numpy(float)
        if np.any(rw <= 0):
            notes.append(
                f"Block '{nm}' has non-positive outer weights; its 0-100 index uses "
                f"equal weights instead."
            )
            rwn = np.full(len(items), 1 / len(items))
        else:
            rwn = rw / rw.sum()
        communal += list(load**2) if len(items) > 1 else []
        for c, w, ld, r in zip(items, W[j], load, rwn, strict=True):
            outer_rows.append(
                {
                    "block": nm,
                    "item": c,
                    "weight": float(w),
                    "loading": float(ld),
                    "raw_weight": float(r),
                }
            )
        lo = np.array([(scales or {}).get(c, (raw[c].min(), raw[c].max()))[0] for c in items])
        hi = np.array([(scales or {}).get(c, (raw[c].min(), raw[c].max()))[1] for c in items])
        means = raw[items].mean().to_numpy(float)
        s = (means - lo) / (hi - lo) * 100
        alpha = cronbach_alpha(raw[items])
        if len(items) > 1 and alpha < 0.7:
            notes.append(
                f"Block '{nm}' has Cronbach's α {alpha:.2f} (< 0.70): its items do not "
                f"measure one thing well; read its index with care."
            )
        idx_rows.append(
            {
                "block": nm,
                "index": float(rwn @ s),
                "equal_weights": float(s.mean()),
                "alpha": alpha,
                "items": len(items),
            }
        )
    r2s = pd.Series(r2, name="r2")
    gof = float(np.sqrt(np.mean(communal) * r2s.mean())) if communal and len(r2s) else np.nan
    return PLSResult(
        pdf.reset_index(drop=True),
        r2s,
        pd.DataFrame(outer_rows),
        pd.DataFrame(Y, columns=names, index=raw.index),
        pd.DataFrame(idx_rows),
        n_iter,
        scheme,
        gof,
        notes,
    )


def ecsi_blocks(survey_model) -> dict[str, list[str]] | None:
    """The ECSI blocks of a survey model whose dimensions carry the ECSI names, else None.

    Dimension names are matched case-insensitively; ``perceived quality``/``perceived value``
    and ``customer satisfaction``... are accepted by their last word.
    """
    found: dict[str, list[str]] = {}
    for d in survey_model.dimensions:
        key = str(d).strip().lower().replace("_", " ").split()[-1]
        if key in ECSI_BLOCKS:
            found[key] = [i.code for i in survey_model.items_of(d)]
    if not {"quality", "satisfaction"} <= set(found):
        return None
    return {k: found[k] for k in ECSI_BLOCKS if k in found}


def ecsi_paths(blocks: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The ECSI paths among the blocks present (paths through absent blocks are dropped)."""
    return [(a, b) for a, b in ECSI_PATHS if a in blocks and b in blocks]


def servqual_model(
    survey_model,
    survey: pd.DataFrame,
    *,
    outcome: str = "overall_satisfaction",
    loyalty: str = "nps",
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """A reduced ACSI-style model for a SERVQUAL survey: each dimension → satisfaction
    (the single ``outcome`` item) → loyalty (the single ``loyalty`` item, when present).

    Raises
    ------
    PLSError
        When the survey has no ``outcome`` column.
    """
    if outcome not in survey.columns:
        raise PLSError(f"The reduced PLS model needs the outcome column '{outcome}'.")
    blocks: dict[str, list[str]] = {}
    for d in survey_model.dimensions:
        cols = [i.code for i in survey_model.items_of(d) if i.code in survey.columns]
        if cols:
            blocks[str(d)] = cols
    if str(outcome) in blocks or "satisfaction" in blocks:
        raise PLSError("A dimension is called 'satisfaction'; use the ECSI model instead.")
    paths = [(d, "satisfaction") for d in blocks]
    blocks["satisfaction"] = [outcome]
    if loyalty in survey.columns and survey[loyalty].notna().any():
        blocks["loyalty"] = [loyalty]
        paths.append(("satisfaction", "loyalty"))
    return blocks, paths
