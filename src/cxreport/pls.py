"""PLS path modelling (PLS-PM) for ACSI/ECSI-style satisfaction indices.

The Wold/Lohmöller algorithm as in R ``plspm``, ``seminr`` and SmartPLS:

* inner weighting ``scheme``: path, centroid or factorial;
* ``standardised=True``: indicators standardised (R ``plspm(scaled=TRUE)``, seminr, SmartPLS
  "mean 0, var 1"); ``standardised=False``: indicators only centred, so they keep their raw
  units (R ``plspm(scaled=FALSE)``) and items with a larger spread weigh more;
* measurement ``modes`` per block: Mode A (reflective, correlation weights) or Mode B
  (formative, regression weights);
* percentile bootstrap intervals for paths, outer weights and loadings, with construct-level
  sign correction against the original estimate;
* the reliability and validity table of GB/T 19038 Annex C practice: Cronbach's α,
  Dijkstra–Henseler ρA, composite reliability ρC, AVE, HTMT and inner-model VIF.

The algorithm only needs the indicators' covariance matrix, so it runs on that matrix; the
bootstrap draws all resamples' covariance matrices at once and iterates them as one stack.

Checked against (tests/test_pls.py): SmartPLS 2.0 on the full ECSI ``mobi`` model, all three
schemes (semPLS's regression fixtures); seminr fixtures (paths, weights, Mode B, α, ρA, ρC, AVE,
HTMT, VIF, bootstrap); and the plspm-python run of ``cx-methods.md`` §1.5 for the
unstandardised setting. The ``plspm`` Python package needs pandas < 3, so this module is owned
here.

The 0-100 index of each latent variable follows the ACSI recipe: the outer weights that turn the
raw items into the latent-variable score (``w / sd`` when the model was fitted on standardised
items, ``w`` itself when it was fitted on centred raw items), normalised to sum to 1 within the
block, applied to the item means, rescaled with the items' scale end-points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CxReportError, ParameterError, check_int
from .i18n import N_, _, code

SCHEMES = (N_("path"), N_("centroid"), N_("factorial"))
#: Measurement modes; "reflective"/"formative" are accepted as other names for A/B.
MODES = ("A", "B")
_MODE_ALIASES = {"a": "A", "b": "B", "reflective": "A", "formative": "B"}
#: Model presets for :func:`preset_paths` and a ``paths`` setting given as a name.
PRESETS = ("ecsi", "acsi")

#: Usual thresholds (Hair et al. 2017; Henseler et al. 2015), used by :meth:`PLSResult.problems`.
ALPHA_MIN = 0.70
RHO_A_MIN = 0.70
RHO_C_MIN = 0.70
AVE_MIN = 0.50
HTMT_MAX = 0.85  # strict; conceptually close constructs may use HTMT_MAX_LIBERAL
HTMT_MAX_LIBERAL = 0.90
VIF_MAX = 5.0

_N_BOOT_MIN, _N_BOOT_MAX = 20, 100_000
_BOOT_CHUNK = 256  # at most this many resamples' covariance matrices in one numpy call
_BOOT_CELLS = 4_000_000  # ... and at most this many resample × row × item cells (32 MB)

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

#: The ACSI model (Fornell et al. 1996): expectations, perceived quality and value drive
#: satisfaction, which drives complaints and loyalty; complaints affect loyalty.
ACSI_PATHS: tuple[tuple[str, str], ...] = (
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
ACSI_BLOCKS = ("expectation", "quality", "value", "satisfaction", "complaints", "loyalty")

_PRESET_PATHS = {"ecsi": ECSI_PATHS, "acsi": ACSI_PATHS}
_PRESET_BLOCKS = {"ecsi": ECSI_BLOCKS, "acsi": ACSI_BLOCKS}
# dimension names of a survey that mean an ECSI/ACSI block (matched on the last word)
_BLOCK_ALIASES = {"expectations": "expectation", "complaint": "complaints"}


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
        ``block``, ``item``, ``weight`` (outer weight: per standardised item when
        ``standardised``, else per raw unit of the centred item; either way the block's score
        ``Σ weight·item`` has variance 1), ``loading`` (correlation of item and score),
        ``raw_weight`` (weight on the raw item, normalised to sum to 1 within the block, for
        the index).
    scores : DataFrame
        Standardised latent-variable scores (one column per block).
    index : DataFrame
        ``block``, ``index`` (0-100 from the normalised raw weights), ``equal_weights``
        (0-100 with equal item weights), ``alpha`` (Cronbach's α of the raw items), ``items``.
    iterations : int
    scheme : str
    gof : float
        Goodness of fit: sqrt(mean communality × mean R²).
    notes : list of str
        Warnings (non-positive raw weights, unreliable blocks, failed bootstrap resamples).
    standardised : bool
    modes : dict
        Block → ``"A"`` or ``"B"``.
    reliability : DataFrame
        One row per block: ``block``, ``mode``, ``items``, ``alpha`` (Cronbach's α in the
        metric of the fit: standardised items when ``standardised``, as seminr/plspm report
        it, else raw items), ``rho_a`` (Dijkstra–Henseler ρA; NaN for Mode B blocks),
        ``rho_c`` (composite reliability, Dillon–Goldstein ρ, from the loadings), ``ave``
        (average variance extracted, mean squared loading). Single-item blocks get 1.0
        throughout (the SmartPLS/seminr convention).
    htmt : DataFrame
        One row per pair of blocks (in block order): ``block_1``, ``block_2``, ``htmt``
        (heterotrait–monotrait ratio of the item correlations, Henseler et al. 2015).
        :attr:`htmt_matrix` gives the square form.
    vif : DataFrame
        Inner-model collinearity: ``target``, ``predictor``, ``vif`` = 1/(1 − R²) of the
        predictor regressed on the target's other predictors (1.0 for a single predictor).
    boot_paths : DataFrame or None
        With ``n_boot > 0``: ``source``, ``target``, ``coef``, ``boot_mean``, ``boot_sd``,
        ``t`` (coef / boot_sd), ``ci_low``, ``ci_high`` (percentile interval at level ``ci``).
    boot_outer : DataFrame or None
        With ``n_boot > 0``: ``block``, ``item``, ``weight``, ``weight_sd``, ``weight_low``,
        ``weight_high``, ``loading``, ``loading_sd``, ``loading_low``, ``loading_high``.
    n_boot : int
        Resamples asked for (0: no bootstrap).
    boot_failed : int
        Resamples that could not be estimated (left out of the intervals).
    seed : int
    ci : float
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
    standardised: bool = True
    modes: dict[str, str] = field(default_factory=dict)
    reliability: pd.DataFrame | None = None
    htmt: pd.DataFrame | None = None
    vif: pd.DataFrame | None = None
    boot_paths: pd.DataFrame | None = None
    boot_outer: pd.DataFrame | None = None
    n_boot: int = 0
    boot_failed: int = 0
    seed: int = 0
    ci: float = 0.95

    def path(self, source: str, target: str) -> float:
        """The path coefficient from ``source`` to ``target``.

        Parameters
        ----------
        source, target : str
            Block names of a path of the model (an ``IndexError`` when there is none).

        Returns
        -------
        float
        """
        p = self.paths
        return float(p[(p["source"] == source) & (p["target"] == target)]["coef"].iloc[0])

    def total_effects(self, target: str) -> pd.Series:
        """Direct plus indirect effect of every block on ``target`` (sums of the products of
        the path coefficients along every route), as ACSI's impacts; 0 for blocks without a
        route.

        Parameters
        ----------
        target : str
            A block of the paths.

        Returns
        -------
        Series
            Index every block of the paths, name ``"total effect on <target>"``.
        """
        names = list(dict.fromkeys([*self.paths["source"], *self.paths["target"]]))
        at = {n: i for i, n in enumerate(names)}
        B = np.zeros((len(names), len(names)))
        for r in self.paths.itertuples():
            B[at[r.source], at[r.target]] = r.coef
        total = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
        return pd.Series(total[:, at[target]], index=names, name=f"total effect on {target}")

    @property
    def settings(self) -> dict:
        """What was run, for the notebook's settings table.

        Returns
        -------
        dict
            ``scheme``, ``standardised``, ``modes``, ``n_boot``, ``seed`` and ``ci``.
        """
        return {
            "scheme": self.scheme,
            "standardised": self.standardised,
            "modes": dict(self.modes),
            "n_boot": self.n_boot,
            "seed": self.seed,
            "ci": self.ci,
        }

    @property
    def htmt_matrix(self) -> pd.DataFrame:
        """HTMT as a symmetric block × block matrix (NaN on the diagonal).

        Returns
        -------
        DataFrame
            Index and columns the blocks (the columns of ``scores``).
        """
        names = list(self.scores.columns)
        m = pd.DataFrame(np.nan, index=names, columns=names)
        for r in self.htmt.itertuples():
            m.loc[r.block_1, r.block_2] = m.loc[r.block_2, r.block_1] = r.htmt
        return m

    def problems(self, *, htmt_max: float = HTMT_MAX) -> pd.DataFrame:
        """Every reliability/validity value on the wrong side of its usual threshold.

        Reliability is judged for multi-item Mode A blocks only (formative blocks are not
        expected to be internally consistent): α, ρA, ρC ≥ 0.70 and AVE ≥ 0.50. Every pair of
        blocks needs HTMT < ``htmt_max`` (0.85 strict, :data:`HTMT_MAX_LIBERAL` 0.90 for
        conceptually close constructs), every inner predictor VIF < 5.

        Parameters
        ----------
        htmt_max : float, default=HTMT_MAX
            An HTMT at or above this is a problem.

        Returns
        -------
        DataFrame
            ``check`` (``alpha``, ``rho_a``, ``rho_c``, ``ave``, ``htmt`` or ``vif``),
            ``where`` (block, ``"a ~ b"`` pair or ``"predictor → target"``), ``value``,
            ``threshold``, ``message``; empty when all is well.
        """
        rows = []
        labels = {
            "alpha": ("Cronbach's α", ALPHA_MIN),
            "rho_a": ("ρA", RHO_A_MIN),
            "rho_c": (N_("composite reliability ρC"), RHO_C_MIN),
            "ave": ("AVE", AVE_MIN),
        }
        for r in self.reliability.itertuples():
            if r.mode != "A" or r.items < 2:
                continue
            for col, (label, lo) in labels.items():
                v = getattr(r, col)
                if v < lo:
                    text = _(
                        "Block '{block}': {measure} {value} < {threshold}.",
                        block=r.block,
                        measure=_(label),
                        value=f"{v:.2f}",
                        threshold=f"{lo:.2f}",
                    )
                    rows.append((col, r.block, v, lo, text))
        for r in self.htmt.itertuples():
            if r.htmt >= htmt_max:
                rows.append(
                    (
                        "htmt",
                        f"{r.block_1} ~ {r.block_2}",
                        r.htmt,
                        htmt_max,
                        _(
                            "Blocks '{a}' and '{b}': HTMT {value} ≥ {threshold}; they may not "
                            "measure different things.",
                            a=r.block_1,
                            b=r.block_2,
                            value=f"{r.htmt:.2f}",
                            threshold=f"{htmt_max:.2f}",
                        ),
                    )
                )
        for r in self.vif.itertuples():
            if r.vif >= VIF_MAX:
                rows.append(
                    (
                        "vif",
                        f"{r.predictor} → {r.target}",
                        r.vif,
                        VIF_MAX,
                        _(
                            "Predictor '{predictor}' of '{target}': VIF {value} ≥ {threshold}; "
                            "its path coefficient is unstable.",
                            predictor=r.predictor,
                            target=r.target,
                            value=f"{r.vif:.1f}",
                            threshold=f"{VIF_MAX:.0f}",
                        ),
                    )
                )
        return pd.DataFrame(rows, columns=["check", "where", "value", "threshold", "message"])


# --------------------------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------------------------


def _mode_of(value) -> str | None:
    return _MODE_ALIASES.get(value.strip().lower()) if isinstance(value, str) else None


def check_settings(
    *,
    scheme: str = "path",
    standardised: bool = True,
    modes: str | Mapping[str, str] | None = None,
    n_boot: int = 0,
    ci: float = 0.95,
    seed: int = 0,
) -> None:
    """Check the PLS settings before anything is fitted (``fit_pls`` runs the same checks).

    Parameters
    ----------
    scheme : {"path", "centroid", "factorial"}, default="path"
        Inner weighting scheme.
    standardised : bool, default=True
        Standardised or only centred indicators.
    modes : "A", "B" or mapping of block to "A"/"B", optional
        Measurement modes (``"reflective"``/``"formative"`` also work, in any case).
    n_boot : int, default=0
        Bootstrap resamples: 0, or 20 to 100,000.
    ci : float, default=0.95
        Level of the percentile intervals, in [0.5, 0.999].
    seed : int, default=0
        Seed of the bootstrap, 0 to 2**32 - 1.

    Raises
    ------
    ParameterError
        Naming every bad parameter, its allowed values and what was given.
    """
    problems = []
    if scheme not in SCHEMES:
        problems.append(
            f"The 'scheme' parameter must be one of {', '.join(SCHEMES)}; got {scheme!r}."
        )
    if not isinstance(standardised, (bool, np.bool_)):
        problems.append(
            f"The 'standardised' parameter must be True or False; got {standardised!r}."
        )
    allowed_modes = "'A' (reflective) or 'B' (formative)"
    if modes is not None:
        if isinstance(modes, str):
            if _mode_of(modes) is None:
                problems.append(f"The 'modes' parameter must be {allowed_modes}; got {modes!r}.")
        elif isinstance(modes, Mapping):
            for block, m in modes.items():
                if _mode_of(m) is None:
                    problems.append(
                        f"The 'modes' parameter must give each block {allowed_modes}; got "
                        f"{m!r} for {block!r}."
                    )
        else:
            problems.append(
                "The 'modes' parameter must be 'A', 'B' or a mapping of block to 'A'/'B'; got "
                f"{modes!r}."
            )
    if (
        isinstance(n_boot, bool)
        or not isinstance(n_boot, (int, np.integer))
        or not (n_boot == 0 or _N_BOOT_MIN <= n_boot <= _N_BOOT_MAX)
    ):
        problems.append(
            f"The 'n_boot' parameter must be 0 (no bootstrap) or an int in the range "
            f"[{_N_BOOT_MIN}, {_N_BOOT_MAX}]; got {n_boot!r}."
        )
    if isinstance(ci, bool) or not isinstance(ci, (int, float)) or not 0.5 <= ci <= 0.999:
        problems.append(f"The 'ci' parameter must be a number in [0.5, 0.999]; got {ci!r}.")
    try:
        check_int("seed", seed, 0, 2**32 - 1)
    except ParameterError as exc:
        problems.append(str(exc))
    if problems:
        raise ParameterError(" ".join(problems))


def _resolve_modes(modes, names: Sequence[str]) -> dict[str, str]:
    if modes is None:
        return dict.fromkeys(names, "A")
    if isinstance(modes, str):
        return dict.fromkeys(names, _mode_of(modes))
    unknown = [b for b in modes if b not in names]
    if unknown:
        raise PLSError(
            f"The 'modes' setting names '{unknown[0]}', which is not a block; blocks: "
            f"{', '.join(names)}."
        )
    return {nm: _mode_of(modes.get(nm, "A")) for nm in names}


# --------------------------------------------------------------------------------------------
# model specification: presets, "source -> target" strings, validation
# --------------------------------------------------------------------------------------------


def preset_paths(name: str, blocks: Mapping[str, Sequence[str]] | Sequence[str]) -> list:
    """The paths of a model preset (``"ecsi"`` or ``"acsi"``) among the blocks present.

    Paths through absent blocks are dropped, so ECSI without a ``complaints`` block is the
    ECSI model without complaints. Blocks are named as in :data:`ECSI_BLOCKS`.

    Parameters
    ----------
    name : str
        ``"ecsi"`` or ``"acsi"`` (case and surrounding spaces ignored).
    blocks : mapping or sequence
        The block names present (a mapping's keys).

    Returns
    -------
    list of (str, str)
        ``(source, target)`` pairs, in the preset's order.

    Raises
    ------
    PLSError
        When ``name`` is not a preset.
    """
    key = str(name).strip().lower()
    if key not in _PRESET_PATHS:
        raise PLSError(f"Unknown PLS model preset {name!r}; presets: {', '.join(PRESETS)}.")
    return [(a, b) for a, b in _PRESET_PATHS[key] if a in blocks and b in blocks]


def ecsi_paths(blocks: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The ECSI paths among the blocks present (paths through absent blocks are dropped).

    Parameters
    ----------
    blocks : mapping
        Block name -> its indicator columns (only the names are used).

    Returns
    -------
    list of (str, str)
        ``(source, target)`` pairs (see :func:`preset_paths`).
    """
    return preset_paths("ecsi", blocks)


def acsi_paths(blocks: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The ACSI paths (Fornell et al. 1996) among the blocks present.

    Parameters
    ----------
    blocks : mapping
        Block name -> its indicator columns (only the names are used).

    Returns
    -------
    list of (str, str)
        ``(source, target)`` pairs (see :func:`preset_paths`).
    """
    return preset_paths("acsi", blocks)


_ARROW = re.compile(r"\s*(?:->|→)\s*")


def parse_paths(spec, blocks: Mapping[str, Sequence[str]] | Sequence[str]) -> list:
    """The inner model from a ``paths`` setting, checked against the blocks.

    Parameters
    ----------
    spec : str or sequence
        A preset name (``"ecsi"``, ``"acsi"``), or a list of ``"source -> target"`` strings
        (``→`` works too) as written in ``cxreport.yaml``, or of ``(source, target)`` pairs.
        Block names are matched exactly, else ignoring case.
    blocks : mapping or sequence
        The model's block names.

    Returns
    -------
    list of (source, target)

    Raises
    ------
    PLSError
        Naming the entry or block at fault: a malformed entry, an unknown block, a path from a
        block to itself or given twice, a cycle, or a block with no path.
    """
    names = list(blocks)
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key not in _PRESET_PATHS:
            raise PLSError(
                f"The PLS 'paths' setting {spec!r} is not a preset ({', '.join(PRESETS)}); "
                f"give a preset name or a list of 'source -> target' paths."
            )
        foreign = [b for b in names if b not in _PRESET_BLOCKS[key]]
        if foreign:
            raise PLSError(
                f"The {key.upper()} model has no block '{foreign[0]}' (its blocks: "
                f"{', '.join(_PRESET_BLOCKS[key])}); rename the block, use another preset or "
                f"list the paths yourself."
            )
        pairs = preset_paths(key, names)
    elif isinstance(spec, Sequence):
        lower = {}
        for b in names:
            lower.setdefault(str(b).lower(), []).append(b)

        def block(word, entry):
            if word in names:
                return word
            hits = lower.get(str(word).lower(), [])
            if len(hits) == 1:
                return hits[0]
            raise PLSError(
                f"The path {entry!r} names '{word}', which is not a block; blocks: "
                f"{', '.join(map(str, names))}."
            )

        pairs = []
        for entry in spec:
            if isinstance(entry, str):
                parts = _ARROW.split(entry.strip())
                if len(parts) != 2 or not all(parts):
                    raise PLSError(f"The PLS path {entry!r} is not of the form 'source -> target'.")
            elif isinstance(entry, Sequence) and len(entry) == 2:
                parts = list(entry)
            else:
                raise PLSError(f"The PLS path {entry!r} is not of the form 'source -> target'.")
            pairs.append((block(parts[0], entry), block(parts[1], entry)))
    else:
        raise PLSError(
            "The PLS 'paths' setting must be a preset name or a list of 'source -> target' "
            f"paths; got {spec!r}."
        )
    _check_paths(pairs, names)
    return pairs


def _find_cycle(names: Sequence[str], pairs) -> list | None:
    succ = {n: [] for n in names}
    for a, b in pairs:
        succ[a].append(b)
    state = dict.fromkeys(names, 0)  # 0 new, 1 on the stack, 2 done
    stack: list = []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in succ[u]:
            if state[v] == 1:
                return stack[stack.index(v) :] + [v]
            if state[v] == 0 and (found := visit(v)):
                return found
        state[u] = 2
        stack.pop()
        return None

    for n in names:
        if state[n] == 0 and (found := visit(n)):
            return found
    return None


def _check_paths(pairs, names: Sequence[str]) -> None:
    seen = set()
    for a, b in pairs:
        for v in (a, b):
            if v not in names:
                raise PLSError(
                    f"The path {a} → {b} names '{v}', which is not a block; blocks: "
                    f"{', '.join(map(str, names))}."
                )
        if a == b:
            raise PLSError(f"The path {a} → {b} goes from block '{a}' to itself; drop it.")
        if (a, b) in seen:
            raise PLSError(f"The path {a} → {b} is given twice; give each path once.")
        seen.add((a, b))
    cycle = _find_cycle(names, pairs)
    if cycle:
        raise PLSError(
            f"The paths form a cycle: {' → '.join(map(str, cycle))}. A PLS path model must be "
            f"recursive: drop or reverse one of these paths (block '{cycle[0]}' is on it)."
        )
    linked = {v for p in pairs for v in p}
    lonely = [n for n in names if n not in linked]
    if lonely:
        raise PLSError(
            f"Block(s) {', '.join(map(str, lonely))} have no path to any other block; add a "
            f"path or drop the block."
        )


# --------------------------------------------------------------------------------------------
# reliability helpers
# --------------------------------------------------------------------------------------------


def cronbach_alpha(items: pd.DataFrame, *, standardised: bool = False) -> float:
    """Cronbach's α of item columns (complete rows); NaN when undefined (k < 2, no variance).

    ``standardised=True`` gives the standardised α (from the correlation matrix), which
    seminr and plspm report; the default uses the raw items, as SPSS and pingouin do.

    Parameters
    ----------
    items : DataFrame
        One column per item; rows with a missing answer are dropped.
    standardised : bool, default=False
        From the correlation matrix instead of the covariance matrix.

    Returns
    -------
    float
    """
    x = items.dropna().to_numpy(float)
    k = x.shape[1] if x.ndim == 2 else 0
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    if standardised:
        if np.any(x.std(axis=0) == 0):
            return float("nan")
        return _alpha(np.corrcoef(x, rowvar=False))
    return _alpha(np.cov(x, rowvar=False))


def _alpha(cov: np.ndarray) -> float:
    k, total = len(cov), cov.sum()
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def htmt(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Heterotrait–monotrait ratio (Henseler, Ringle & Sarstedt 2015) of every pair of blocks.

    The mean absolute correlation between the two blocks' items, over the geometric mean of
    the mean absolute correlations within each block (1 for a single-item block); absolute
    correlations as seminr uses. Complete rows only. Returns the symmetric block × block matrix
    with NaN on the diagonal.

    Parameters
    ----------
    data : DataFrame
        The indicator columns (values that are not numbers count as missing).
    blocks : mapping
        Block name -> its indicator columns.

    Returns
    -------
    DataFrame
        Index and columns the blocks, in the mapping's order.
    """
    names = list(blocks)
    cols = [c for n in names for c in blocks[n]]
    r = np.abs(data[cols].apply(pd.to_numeric, errors="coerce").dropna().corr().to_numpy())
    pos = {n: [cols.index(c) for c in blocks[n]] for n in names}

    def mono(n):
        """Mean absolute correlation between the items of one block (1 for a single item).

        Parameters
        ----------
        n : str
            A block name.

        Returns
        -------
        float
        """
        i = pos[n]
        if len(i) < 2:
            return 1.0
        sub = r[np.ix_(i, i)]
        return float(sub[np.triu_indices(len(i), 1)].mean())

    monos = {n: mono(n) for n in names}
    out = pd.DataFrame(np.nan, index=names, columns=names)
    for a_i, a in enumerate(names):
        for b in names[a_i + 1 :]:
            het = float(r[np.ix_(pos[a], pos[b])].mean())
            out.loc[a, b] = out.loc[b, a] = het / np.sqrt(monos[a] * monos[b])
    return out


# --------------------------------------------------------------------------------------------
# estimation on (stacks of) covariance matrices
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    names: list
    idx: list  # item positions of each block
    M: np.ndarray  # p × J: 1 where item i belongs to block j
    D: np.ndarray  # J × J: 1 where i → j
    modes: list  # "A"/"B" of each block, as asked
    scheme: str
    max_iter: int
    tol: float

    @property
    def mode_b(self) -> list:
        # a single-item block has weight 1 in either mode
        return [j for j, md in enumerate(self.modes) if md == "B" and len(self.idx[j]) > 1]


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched ``A x = b`` (b of shape (..., k)); NaN rows where A is singular."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(b.shape, np.nan)
        for i in range(len(A)):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                pass
        return out


def _unit_variance(S: np.ndarray, W: np.ndarray) -> np.ndarray:
    var = np.einsum("bpj,bpq,bqj->bj", W, S, W)
    with np.errstate(invalid="ignore", divide="ignore"):
        return W / np.sqrt(var)[:, None, :]


def _lv_cor(S: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.einsum("bpj,bpq,bqk->bjk", W, S, W)


def _inner_weights(R: np.ndarray, m: _Model) -> np.ndarray:
    adj = (m.D + m.D.T) > 0
    if m.scheme == "centroid":
        return np.sign(R) * adj
    if m.scheme == "factorial":
        return R * adj
    E = np.zeros_like(R)
    for j in range(len(m.names)):
        pred = np.flatnonzero(m.D[:, j])
        if len(pred):  # regression of block j on the blocks that point to it
            E[:, pred, j] = _solve(R[:, pred][:, :, pred], R[:, pred, j])
        succ = np.flatnonzero(m.D[j, :])
        E[:, succ, j] = R[:, succ, j]  # correlation with the blocks it points to
    return E


def _outer_weights(S: np.ndarray, m: _Model):
    """Lohmöller iterations on a stack of indicator covariance matrices ``S`` (B × p × p).

    Returns the weights W (B × p × J; each block's score has variance 1), the iterations and
    whether each problem converged.
    """
    B = len(S)
    W = _unit_variance(S, np.broadcast_to(m.M, (B, *m.M.shape)).astype(float))
    # Mode B regresses the inner proxy on the block's items: S_jj⁻¹ is fixed, invert it once
    inv = {}
    bad = np.zeros(B, bool)
    for j in m.mode_b:
        i = m.idx[j]
        Sjj = S[:, i][:, :, i]
        singular = np.linalg.cond(Sjj) > 1e12
        bad |= singular
        safe = np.where(singular[:, None, None], np.eye(len(i)), Sjj)
        inv[j] = np.linalg.inv(safe)
    # convergence is judged on the weights per item sd, so that it does not depend on the
    # items' units when they are only centred (the same rule as R plspm on standardised items)
    sd = np.sqrt(np.einsum("bpp->bp", S))[:, :, None]
    active = ~bad & np.isfinite(W).all(axis=(1, 2))
    converged = np.zeros(B, bool)
    iters = np.zeros(B, int)
    for it in range(1, m.max_iter + 1):
        at = np.flatnonzero(active)
        if not len(at):
            break
        Sa, Wa = S[at], W[at]
        E = _inner_weights(_lv_cor(Sa, Wa), m)
        C = Sa @ (Wa @ E)  # covariance of each item with each inner proxy
        new = C * m.M  # Mode A: correlation weights
        for j in m.mode_b:
            i = m.idx[j]
            new[:, i, j] = np.einsum("bkl,bl->bk", inv[j][at], C[:, i, j])
        new = _unit_variance(Sa, new)
        ok = np.isfinite(new).all(axis=(1, 2))
        change = (np.abs(Wa) - np.abs(np.nan_to_num(new))) * sd[at]
        delta = np.where(ok, (change**2).sum(axis=(1, 2)), 0)
        W[at] = np.where(ok[:, None, None], new, Wa)
        iters[at] = it
        done = ok & (delta < m.tol)
        converged[at[done]] = True
        active[at[done | ~ok]] = False
    return W, iters, converged


def _inner_model(R: np.ndarray, m: _Model):
    """Path coefficients (B × J × J, [i, j] for i → j) and R² (B × J) by OLS on the scores."""
    B, J = R.shape[0], len(m.names)
    P = np.zeros((B, J, J))
    r2 = np.full((B, J), np.nan)
    for j in range(J):
        pred = np.flatnonzero(m.D[:, j])
        if len(pred):
            beta = _solve(R[:, pred][:, :, pred], R[:, pred, j])
            P[:, pred, j] = beta
            r2[:, j] = (beta * R[:, pred, j]).sum(axis=1)
    return P, r2


def _loadings(S: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Correlation of every item with every block score (B × p × J)."""
    sd = np.sqrt(np.einsum("bpp->bp", S))
    return (S @ W) / sd[:, :, None]


# --------------------------------------------------------------------------------------------
# the fit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Estimate:
    """The model estimated on the full data: weights with their signs fixed, inner model."""

    x: np.ndarray  # the complete rows of raw indicators (n × p)
    X: np.ndarray  # the same, centred (and standardised)
    S: np.ndarray  # their covariance matrix, as a stack of one (1 × p × p)
    W: np.ndarray  # outer weights (1 × p × J)
    iterations: int
    w: np.ndarray  # each item's weight on its own block (p)
    load: np.ndarray  # each item's loading on its own block (p)
    R: np.ndarray  # latent-variable correlations (J × J)
    P: np.ndarray  # path coefficients (J × J, [i, j] for i → j)
    r2: np.ndarray  # R² of each block (J; NaN for exogenous ones)


@dataclass(frozen=True)
class _BlockTables:
    """Per-block results of the fit: outer weights and loadings, 0-100 indices."""

    outer: pd.DataFrame
    index: pd.DataFrame
    communal: list  # squared loadings of the items of multi-item blocks


@dataclass(frozen=True)
class _Tables:
    """The fit's tables, before the bootstrap (fields as in :class:`PLSResult`)."""

    paths: pd.DataFrame
    r2: pd.Series
    outer: pd.DataFrame
    scores: pd.DataFrame
    index: pd.DataFrame
    gof: float


def _indicator_columns(
    data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], names: list
) -> list:
    """The indicator columns of every block in model order, checked against the data."""
    if len(names) < 2:
        raise PLSError("A path model needs at least two blocks.")
    empty = [n for n in names if not list(blocks[n])]
    if empty:
        raise PLSError(f"Block(s) with no indicators: {', '.join(map(str, empty))}.")
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
    return cols


def _complete_rows(data: pd.DataFrame, cols: list) -> pd.DataFrame:
    """The rows with every indicator answered (numeric), at least 10, no item constant."""
    raw = data[cols].apply(pd.to_numeric, errors="coerce").dropna()
    if len(raw) < 10:
        raise PLSError(f"PLS needs at least 10 complete rows; got {len(raw)}.")
    flat = [c for c in cols if raw[c].std() == 0]
    if flat:
        raise PLSError(
            f"Indicator(s) {', '.join(flat)} have no variance (every answer is the "
            f"same); drop them from the model."
        )
    return raw


def _build_model(
    blocks: Mapping[str, Sequence[str]],
    names: list,
    cols: list,
    paths,
    mode: dict[str, str],
    scheme: str,
    max_iter: int,
    tol: float,
) -> _Model:
    """The model's matrices: items of each block, the inner paths, the modes."""
    J = len(names)
    idx = [[cols.index(c) for c in blocks[nm]] for nm in names]
    M = np.zeros((len(cols), J))
    for j, i in enumerate(idx):
        M[i, j] = 1
    D = np.zeros((J, J))  # D[i, j] = 1 when i → j
    for a, b in paths:
        D[names.index(a), names.index(b)] = 1
    return _Model(
        names,
        idx,
        M,
        D,
        [mode[nm] for nm in names],
        scheme,
        max_iter,
        tol,
    )


def _estimate(raw: pd.DataFrame, model: _Model, standardised: bool) -> _Estimate:
    """Fit the model on the full data's covariance matrix, and orient each block's score."""
    names, idx, M = model.names, model.idx, model.M
    x = raw.to_numpy(float)
    X = x - x.mean(axis=0)
    if standardised:
        X = X / X.std(axis=0)  # population sd, as R plspm; path coefficients do not depend on it
    S = (X.T @ X / len(X))[None]
    W, iters, ok = _outer_weights(S, model)
    if not ok[0]:
        bad = [
            names[j] for j in model.mode_b if np.linalg.cond(S[0][np.ix_(idx[j], idx[j])]) > 1e12
        ]
        if bad:
            raise PLSError(
                f"The Mode B block '{bad[0]}' has collinear indicators (one is a combination "
                f"of the others); drop one or use Mode A."
            )
        raise PLSError(f"PLS did not converge in {model.max_iter} iterations; check the model.")
    # sign: a block's score agrees with most of its items (R plspm's rule)
    L = _loadings(S, W)[0]
    flip = np.array([np.sign(L[i, j]).sum() < 0 for j, i in enumerate(idx)])
    W[0][:, flip] *= -1
    L[:, flip] *= -1
    w = (W[0] * M).sum(axis=1)
    load = (L * M).sum(axis=1)
    R = _lv_cor(S, W)
    P, r2m = _inner_model(R, model)
    P, r2m, R = P[0], r2m[0], R[0]
    return _Estimate(x, X, S, W, int(iters[0]), w, load, R, P, r2m)


def _index_weights(block: str, rw: np.ndarray, notes: list[str]) -> np.ndarray:
    """A block's raw weights normalised to sum to 1; equal weights (noted) if any is <= 0."""
    if np.any(rw <= 0):
        notes.append(
            _(
                "Block '{block}' has non-positive outer weights; its 0-100 index uses "
                "equal weights instead.",
                block=block,
            )
        )
        return np.full(len(rw), 1 / len(rw))
    return rw / rw.sum()


def _item_scores(
    raw: pd.DataFrame, items: list, scales: Mapping[str, tuple[float, float]] | None
) -> np.ndarray:
    """Each item's mean on 0-100 of its scale (default: its observed range)."""
    lo = np.array([(scales or {}).get(c, (raw[c].min(), raw[c].max()))[0] for c in items])
    hi = np.array([(scales or {}).get(c, (raw[c].min(), raw[c].max()))[1] for c in items])
    means = raw[items].mean().to_numpy(float)
    return (means - lo) / (hi - lo) * 100


def _block_tables(
    raw: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    model: _Model,
    fit: _Estimate,
    standardised: bool,
    scales: Mapping[str, tuple[float, float]] | None,
    notes: list[str],
) -> _BlockTables:
    """Each block's outer weights and loadings, its 0-100 index, and its notes."""
    outer_rows, idx_rows, communal = [], [], []
    sd_raw = fit.x.std(axis=0) if standardised else np.ones(fit.x.shape[1])
    for j, nm in enumerate(model.names):
        items, ii = list(blocks[nm]), model.idx[j]
        # weights on the raw items: the score is Σ w·z = Σ (w/sd)·(x − mean)
        rwn = _index_weights(nm, fit.w[ii] / sd_raw[ii], notes)
        communal += list(fit.load[ii] ** 2) if len(items) > 1 else []
        for c, wt, ld, r in zip(items, fit.w[ii], fit.load[ii], rwn, strict=True):
            outer_rows.append(
                {
                    "block": nm,
                    "item": c,
                    "weight": float(wt),
                    "loading": float(ld),
                    "raw_weight": float(r),
                }
            )
        s = _item_scores(raw, items, scales)
        alpha = cronbach_alpha(raw[items])
        if len(items) > 1 and alpha < 0.7:
            notes.append(
                _(
                    "Block '{block}' has Cronbach's α {alpha} (< 0.70): its items do not "
                    "measure one thing well; read its index with care.",
                    block=nm,
                    alpha=f"{alpha:.2f}",
                )
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
    return _BlockTables(pd.DataFrame(outer_rows), pd.DataFrame(idx_rows), communal)


def _fit_tables(
    raw: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths,
    model: _Model,
    fit: _Estimate,
    standardised: bool,
    scales: Mapping[str, tuple[float, float]] | None,
    notes: list[str],
) -> _Tables:
    """The paths, R², outer, scores and index tables of the fit, and its goodness of fit."""
    names = model.names
    prow = [(a, b, float(fit.P[names.index(a), names.index(b)])) for a, b in paths]
    pdf = pd.DataFrame(prow, columns=["source", "target", "coef"])
    r2s = pd.Series(
        {nm: float(fit.r2[j]) for j, nm in enumerate(names) if model.D[:, j].any()}, name="r2"
    )
    scores = pd.DataFrame(fit.X @ fit.W[0], columns=names, index=raw.index)
    per_block = _block_tables(raw, blocks, model, fit, standardised, scales, notes)
    communal = per_block.communal
    gof = float(np.sqrt(np.mean(communal) * r2s.mean())) if communal and len(r2s) else np.nan
    return _Tables(pdf, r2s, per_block.outer, scores, per_block.index, gof)


def _boot_tables(
    fit: _Estimate,
    standardised: bool,
    model: _Model,
    paths,
    cols: list,
    pdf: pd.DataFrame,
    n_boot: int,
    seed: int,
    ci: float,
    notes: list[str],
):
    """The bootstrap's path and outer tables and its failed resamples (noted); ``None, None,
    0`` without a bootstrap."""
    boot_paths = boot_outer = None
    failed = 0
    if n_boot:
        boot_paths, boot_outer, failed = _bootstrap(
            fit.x, standardised, model, paths, cols, fit.w, fit.load, pdf, n_boot, seed, ci
        )
        if failed:
            notes.append(
                _(
                    "{failed} of {n} bootstrap resamples could not be estimated and are left "
                    "out of the intervals.",
                    failed=failed,
                    n=n_boot,
                )
            )
    return boot_paths, boot_outer, failed


def fit_pls(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths,
    *,
    scheme: str = "path",
    standardised: bool = True,
    modes: str | Mapping[str, str] | None = None,
    scales: Mapping[str, tuple[float, float]] | None = None,
    n_boot: int = 0,
    seed: int = 0,
    ci: float = 0.95,
    max_iter: int = 300,
    tol: float = 1e-6,
) -> PLSResult:
    """Estimate a PLS path model.

    Parameters
    ----------
    data : DataFrame
        Indicator columns; rows with any missing indicator are dropped.
    blocks : mapping
        Latent variable → its indicator columns (order of the mapping = order of the model).
    paths : sequence of (source, target), or anything :func:`parse_paths` reads
        The inner model (a preset name, ``"source -> target"`` strings or pairs); must be
        acyclic and reach every block.
    scheme : {"path", "centroid", "factorial"}, default="path"
        Inner weighting scheme.
    standardised : bool, default=True
        ``True``: indicators standardised to mean 0, variance 1 (R ``plspm(scaled=TRUE)``,
        seminr, SmartPLS). ``False``: indicators only centred (R ``plspm(scaled=FALSE)``), so
        items with a larger spread weigh more and the outer weights are per raw unit. (The
        plspm Python package centres and divides all items by one common factor even when
        asked to scale; its results equal ``standardised=False`` here.)
    modes : "A", "B" or mapping of block to "A"/"B", optional
        Measurement mode: A (reflective, correlation weights; the default for every block) or
        B (formative, regression weights). ``"reflective"``/``"formative"`` also work.
    scales : mapping, optional
        Indicator → (min, max) of its scale, for the 0-100 index. Default: the observed range
        of the indicator.
    n_boot : int, default=0
        Bootstrap resamples for percentile intervals (0: none; else 20-100,000; seminr's
        default is 500, 1,000+ for reporting).
    seed : int, default=0
        Seed of the bootstrap resampling.
    ci : float, default=0.95
        Level of the percentile intervals.
    max_iter : int, default=300
    tol : float, default=1e-6
        Convergence: sum of squared changes of the absolute outer weights (R plspm's rule).

    Returns
    -------
    PLSResult

    Raises
    ------
    ParameterError
        A setting out of range (see :func:`check_settings`).
    PLSError
        The model does not fit the data: unknown block or column, cycle, isolated block, an
        item without variance, collinear Mode B items, no convergence.
    """
    check_settings(
        scheme=scheme, standardised=standardised, modes=modes, n_boot=n_boot, ci=ci, seed=seed
    )
    names = list(blocks)
    cols = _indicator_columns(data, blocks, names)
    paths = parse_paths(paths, names)  # the checks of a paths setting, and presets
    mode = _resolve_modes(modes, names)
    raw = _complete_rows(data, cols)
    model = _build_model(blocks, names, cols, paths, mode, scheme, max_iter, tol)
    fit = _estimate(raw, model, standardised)

    notes: list[str] = []
    tables = _fit_tables(raw, blocks, paths, model, fit, standardised, scales, notes)
    boot_paths, boot_outer, failed = _boot_tables(
        fit, standardised, model, paths, cols, tables.paths, n_boot, seed, ci, notes
    )
    return PLSResult(
        tables.paths,
        tables.r2,
        tables.outer,
        tables.scores,
        tables.index,
        fit.iterations,
        scheme,
        tables.gof,
        notes,
        standardised=bool(standardised),
        modes=mode,
        reliability=_reliability(fit.S[0], fit.w, fit.load, model),
        htmt=_htmt_long(raw, blocks, names),
        vif=_vif(fit.R, model),
        boot_paths=boot_paths,
        boot_outer=boot_outer,
        n_boot=int(n_boot),
        boot_failed=failed,
        seed=int(seed),
        ci=float(ci),
    )


def _reliability(S: np.ndarray, w: np.ndarray, load: np.ndarray, m: _Model) -> pd.DataFrame:
    rows = []
    for j, nm in enumerate(m.names):
        i = m.idx[j]
        mode = m.modes[j]
        if len(i) < 2:
            rows.append((nm, mode, 1, 1.0, 1.0, 1.0, 1.0))
            continue
        lam = load[i]
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        rho_a = np.nan
        if mode == "A":  # Dijkstra & Henseler (2015), eq. for ρA with the block's weights
            wj = w[i]
            Soff = S[np.ix_(i, i)] - np.diag(np.diag(S[np.ix_(i, i)]))
            Aoff = np.outer(wj, wj) - np.diag(wj**2)
            rho_a = float((wj @ wj) ** 2 * (wj @ Soff @ wj) / (wj @ Aoff @ wj))
        rows.append(
            (nm, mode, len(i), _alpha(S[np.ix_(i, i)]), rho_a, float(rho_c), float(np.mean(lam**2)))
        )
    return pd.DataFrame(rows, columns=["block", "mode", "items", "alpha", "rho_a", "rho_c", "ave"])


def _htmt_long(raw: pd.DataFrame, blocks, names) -> pd.DataFrame:
    mat = htmt(raw, {n: list(blocks[n]) for n in names})
    rows = [(a, b, float(mat.loc[a, b])) for i, a in enumerate(names) for b in names[i + 1 :]]
    return pd.DataFrame(rows, columns=["block_1", "block_2", "htmt"])


def _vif(R: np.ndarray, m: _Model) -> pd.DataFrame:
    rows = []
    for j, nm in enumerate(m.names):
        pred = np.flatnonzero(m.D[:, j])
        if not len(pred):
            continue
        inv = np.linalg.inv(R[np.ix_(pred, pred)]) if len(pred) > 1 else np.ones((1, 1))
        for k, p in enumerate(pred):
            rows.append((nm, m.names[p], float(inv[k, k])))
    return pd.DataFrame(rows, columns=["target", "predictor", "vif"])


def _bootstrap(x, standardised, m: _Model, paths, cols, w0, l0, pdf, n_boot, seed, ci):
    """Percentile intervals from ``n_boot`` resamples of the rows.

    Each resample is re-centred (and re-standardised) and estimated from its own covariance
    matrix. Construct-level sign correction (Tenenhaus et al. 2005): a block whose resampled
    loadings sit closer to the negated original ones than to the original ones has its score
    negated before the paths are estimated, so an arbitrary sign flip does not widen the
    intervals.
    """
    rng = np.random.default_rng(seed)
    n, p = x.shape
    names = m.names
    pi = [(names.index(a), names.index(b)) for a, b in paths]
    keep_paths, keep_w, keep_l = [], [], []
    failed = 0
    chunk = int(np.clip(_BOOT_CELLS // (n * p), 1, _BOOT_CHUNK))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        rows = rng.integers(0, n, size=(b, n))
        # how often each row is drawn: the resample's moments are count-weighted sums
        counts = np.bincount((rows + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
        counts = counts.reshape(b, n).astype(float)
        mean = counts @ x / n
        second = np.matmul((x[None] * counts[:, :, None]).transpose(0, 2, 1), x) / n
        S = second - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.einsum("bpp->bp", S).clip(min=0))
        good = (sd > 1e-12).all(axis=1)
        if standardised:
            with np.errstate(invalid="ignore", divide="ignore"):
                S = S / (sd[:, :, None] * sd[:, None, :])
        S = np.where(good[:, None, None], S, np.eye(p))
        W, _, ok = _outer_weights(S, m)
        ok &= good
        L = _loadings(S, W)
        own = (L * m.M).sum(axis=2)  # B × p: each item's loading on its own block
        closer_neg = (np.abs(l0 + own) @ m.M) < (np.abs(l0 - own) @ m.M)
        sign = np.where(closer_neg, -1.0, 1.0)
        W = W * sign[:, None, :]
        L = L * sign[:, None, :]
        P, _ = _inner_model(_lv_cor(S, W), m)
        ok &= np.isfinite(P).all(axis=(1, 2))
        failed += int((~ok).sum())
        keep_paths.append(np.stack([P[ok, i, j] for i, j in pi], axis=1))
        keep_w.append((W[ok] * m.M).sum(axis=2))
        keep_l.append((L[ok] * m.M).sum(axis=2))
    bp, bw, bl = (np.concatenate(a) for a in (keep_paths, keep_w, keep_l))
    if len(bp) < _N_BOOT_MIN:
        raise PLSError(
            f"Only {len(bp)} of {n_boot} bootstrap resamples could be estimated; the model is "
            f"too unstable on these data for bootstrap intervals."
        )
    q = [(1 - ci) / 2, 1 - (1 - ci) / 2]
    pq, wq, lq = (np.quantile(a, q, axis=0) for a in (bp, bw, bl))
    psd = bp.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = pdf["coef"].to_numpy() / psd
    boot_paths = pdf.assign(
        boot_mean=bp.mean(axis=0), boot_sd=psd, t=t, ci_low=pq[0], ci_high=pq[1]
    )
    block_of = [names[int(np.flatnonzero(m.M[i])[0])] for i in range(p)]
    boot_outer = pd.DataFrame(
        {
            "block": block_of,
            "item": cols,
            "weight": w0,
            "weight_sd": bw.std(axis=0, ddof=1),
            "weight_low": wq[0],
            "weight_high": wq[1],
            "loading": l0,
            "loading_sd": bl.std(axis=0, ddof=1),
            "loading_low": lq[0],
            "loading_high": lq[1],
        }
    )
    return boot_paths, boot_outer, failed


# --------------------------------------------------------------------------------------------
# models from a survey
# --------------------------------------------------------------------------------------------


def ecsi_blocks(survey_model) -> dict[str, list[str]] | None:
    """The ECSI blocks of a survey model whose dimensions carry the ECSI names, else None.

    Dimension names are matched case-insensitively; ``perceived quality``/``perceived value``
    and ``customer satisfaction``... are accepted by their last word (``customer
    expectations`` and ``complaint`` too).

    Parameters
    ----------
    survey_model : SurveyModel
        Items, dimensions and scales (``run.data.config.survey``).

    Returns
    -------
    dict of str to list of str, or None
        ECSI block -> the item codes of its dimension, in the order of :data:`ECSI_BLOCKS`;
        None unless ``quality`` and ``satisfaction`` are among them.
    """
    found: dict[str, list[str]] = {}
    for d in survey_model.dimensions:
        key = str(d).strip().lower().replace("_", " ").split()[-1]
        key = _BLOCK_ALIASES.get(key, key)
        if key in ECSI_BLOCKS:
            found[key] = [i.code for i in survey_model.items_of(d)]
    if not {"quality", "satisfaction"} <= set(found):
        return None
    return {k: found[k] for k in ECSI_BLOCKS if k in found}


def servqual_model(
    survey_model,
    survey: pd.DataFrame,
    *,
    outcome: str = "overall_satisfaction",
    loyalty: str = "nps",
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """A reduced ACSI-style model for a SERVQUAL survey: each dimension → satisfaction
    (the single ``outcome`` item) → loyalty (the single ``loyalty`` item, when present);
    without an ``outcome`` column, each dimension → loyalty.

    Parameters
    ----------
    survey_model : SurveyModel
        Items and dimensions; a dimension's block holds its items present in ``survey``.
    survey : DataFrame
        Survey responses.
    outcome : str, default="overall_satisfaction"
        Column of the single-item ``satisfaction`` block.
    loyalty : str, default="nps"
        Column of the single-item ``loyalty`` block (used when it holds an answer).

    Returns
    -------
    blocks : dict of str to list of str
        Block name -> its indicator columns.
    paths : list of (str, str)
        ``(source, target)`` pairs.

    Raises
    ------
    PLSError
        When the survey has neither an ``outcome`` nor a ``loyalty`` column.
    """
    has_loyalty = loyalty in survey.columns and survey[loyalty].notna().any()
    if outcome not in survey.columns and not has_loyalty:
        raise PLSError(
            f"The reduced PLS model needs an outcome: the overall-satisfaction column "
            f"'{outcome}' or the recommendation column '{loyalty}'."
        )
    blocks: dict[str, list[str]] = {}
    for d in survey_model.dimensions:
        cols = [i.code for i in survey_model.items_of(d) if i.code in survey.columns]
        if cols:
            blocks[str(d)] = cols
    if {str(outcome), "satisfaction", "loyalty"} & set(blocks):
        raise PLSError(
            "A dimension is called 'satisfaction' or 'loyalty'; use the ECSI model instead."
        )
    first = "satisfaction" if outcome in survey.columns else "loyalty"
    paths = [(d, first) for d in blocks]
    if first == "satisfaction":
        blocks["satisfaction"] = [outcome]
    if has_loyalty:
        blocks["loyalty"] = [loyalty]
        if first == "satisfaction":
            paths.append(("satisfaction", "loyalty"))
    return blocks, paths


def survey_model_spec(
    survey_model, survey: pd.DataFrame
) -> tuple[dict[str, list[str]], list[tuple[str, str]], str]:
    """The blocks, paths and a description of the PLS model for a survey.

    ``survey.pls.paths`` of ``cxreport.yaml`` wins: a preset (``ecsi``, ``acsi``; the
    dimensions named as the preset's blocks) or ``"source -> target"`` strings between
    dimensions. Without it: the ECSI model when the dimensions carry ECSI names, else the
    reduced model of :func:`servqual_model` (each dimension → satisfaction → loyalty).

    Parameters
    ----------
    survey_model : SurveyModel
        Items, dimensions and ``pls_paths`` (``run.data.config.survey``).
    survey : DataFrame
        Survey responses.

    Returns
    -------
    blocks : dict of str to list of str
        Block name -> its indicator columns.
    paths : list of (str, str)
        ``(source, target)`` pairs.
    description : str
        Which model this is, in the report's language.

    Raises
    ------
    PLSError
        A path naming no dimension, a cycle, or a survey without what the model needs.
    """
    spec = getattr(survey_model, "pls_paths", None)
    if spec is None:
        blocks = ecsi_blocks(survey_model)
        if blocks is not None:
            return blocks, ecsi_paths(blocks), _("the ECSI model (dimensions named as its blocks)")
        blocks, paths = servqual_model(survey_model, survey)
        chain = " → ".join(code(b) for b in ("satisfaction", "loyalty") if b in blocks)
        return blocks, paths, _("a reduced ACSI-style model (dimensions → {chain})", chain=chain)
    if isinstance(spec, str):
        blocks = ecsi_blocks(survey_model)
        if blocks is None:
            raise PLSError(
                f"survey.pls.paths is the {spec.upper()} preset, but no survey dimension "
                f"carries one of its block names ({', '.join(_PRESET_BLOCKS[spec])})."
            )
        return (
            blocks,
            parse_paths(spec, blocks),
            _("the {preset} preset (survey.pls.paths)", preset=spec.upper()),
        )
    blocks = {
        str(d): [i.code for i in survey_model.items_of(d) if i.code in survey.columns]
        for d in survey_model.dimensions
    }
    blocks = {d: cols for d, cols in blocks.items() if cols}
    paths = parse_paths(list(spec), blocks)
    used = {b for p in paths for b in p}
    return (
        {d: c for d, c in blocks.items() if d in used},
        paths,
        _("your model from cxreport.yaml (survey.pls.paths)"),
    )
