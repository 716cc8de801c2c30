"""Generated data folders that ``cxreport validate`` accepts but that differ from the sample:
tables absent, optional columns absent or empty, one month, tiny n, no churner, one touchpoint,
no overall item, ids as numbers, non-ASCII labels ... (the report contract: every notebook
finishes or is skipped with a reason on each of them); and :func:`make_long_text_folder`, a
folder whose every free text is 100,000 characters of TeX-like text.

Used by ``tests/test_report_contract.py`` (a fast subset, and the long texts) and
``benchmarks/bench_report_contract.py`` (the full seeded set).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxreport.data.sample import generate

ROOT = Path(__file__).resolve().parents[1]
END = "2026-10"
Tables = dict[str, pd.DataFrame]


def _drop(*names: str) -> Callable[[Tables, np.random.Generator], Tables]:
    def f(t: Tables, rng) -> Tables:
        return {k: v for k, v in t.items() if k not in names}

    return f


def _survey_columns(pred) -> Callable[[Tables, np.random.Generator], Tables]:
    def f(t: Tables, rng) -> Tables:
        if "survey" in t:
            s = t["survey"]
            t["survey"] = s.drop(columns=[c for c in s.columns if pred(c)])
        return t

    return f


def _one_month(t: Tables, rng) -> Tables:
    end = pd.Period(END, "M")
    for name, col in (("transactions", "date"), ("survey", "date"), ("touchpoints", "date"),
                      ("complaints", "opened")):  # fmt: skip
        if name in t:
            d = pd.to_datetime(t[name][col])
            t[name] = t[name][d.dt.to_period("M") == end]
    if "complaints" in t:  # resolved dates before the opening are not possible any more
        c = t["complaints"]
        c.loc[pd.to_datetime(c["resolved"]) < pd.to_datetime(c["opened"]), "resolved"] = pd.NaT
    return t


def _survey_ends_early(t: Tables, rng) -> Tables:
    """No survey answers in the reporting month (the survey tool's export lags)."""
    if "survey" in t:
        d = pd.to_datetime(t["survey"]["date"])
        t["survey"] = t["survey"][d.dt.to_period("M") < pd.Period(END, "M")]
    return t


def _tiny(t: Tables, rng) -> Tables:
    keep = set(rng.choice(t["customers"]["customer_id"].to_numpy(), 20, replace=False))
    for name, df in list(t.items()):
        if "customer_id" in df:
            t[name] = df[df["customer_id"].isin(keep) | df["customer_id"].isna()]
    if "survey" in t:
        t["survey"] = t["survey"].head(5)
    return t


def _no_churner(t: Tables, rng) -> Tables:
    c = t["customers"]
    c["churned"] = False
    c["churn_date"] = pd.NaT
    return t


def _one_touchpoint(t: Tables, rng) -> Tables:
    if "touchpoints" in t:
        t["touchpoints"]["touchpoint"] = "store"
    if "survey" in t and "touchpoint" in t["survey"]:
        t["survey"]["touchpoint"] = t["survey"]["touchpoint"].where(
            t["survey"]["touchpoint"].isna(), "store"
        )
    return t


def _numeric_ids(t: Tables, rng) -> Tables:
    for df in t.values():
        if "customer_id" in df:
            df["customer_id"] = (
                df["customer_id"].str.lstrip("C").str.lstrip("0").where(df["customer_id"].notna())
            )
    return t


ZH = {"East": "华东", "South": "华南", "North": "华北", "West": "西部", "online": "线上",
      "store": "门店", "phone": "电话", "standard": "标准套餐", "premium": "尊享套餐"}  # fmt: skip


def _non_ascii(t: Tables, rng) -> Tables:
    c = t["customers"]
    for col in ("region", "channel", "plan"):
        if col in c:
            c[col] = c[col].map(lambda v: ZH.get(v, f"其他·{v}") if isinstance(v, str) else v)
    if "transactions" in t and "category" in t["transactions"]:
        t["transactions"]["category"] = "类别·" + t["transactions"]["category"].astype(str)
    return t


def _empty_optional(t: Tables, rng) -> Tables:
    c = t["customers"]
    for col in ("region", "channel", "age_band"):
        if col in c:
            c[col] = None
    if "survey" in t and "touchpoint" in t["survey"]:
        t["survey"]["touchpoint"] = None
    if "complaints" in t:
        for col in ("text", "satisfaction_after", "channel"):
            if col in t["complaints"]:
                t["complaints"][col] = None
    return t


#: Each variation turns the sample tables into another shape validate accepts.
VARIATIONS: dict[str, Callable[[Tables, np.random.Generator], Tables]] = {
    "no_swot": _drop("swot_factors", "swot_pairwise", "self_assessment"),
    "no_survey": _drop("survey"),
    "no_touchpoints": _drop("touchpoints"),
    "no_complaints": _drop("complaints"),
    "no_transactions": _drop("transactions"),
    "no_targets": _drop("targets"),
    "customers_and_survey_only": _drop(
        "transactions",
        "touchpoints",
        "complaints",
        "swot_factors",
        "swot_pairwise",
        "self_assessment",
        "targets",
    ),  # fmt: skip
    "one_month": _one_month,
    "survey_ends_early": _survey_ends_early,
    "tiny": _tiny,
    "no_churner": _no_churner,
    "one_touchpoint": _one_touchpoint,
    "no_overall": _survey_columns(lambda c: c == "overall_satisfaction"),
    "no_nps": _survey_columns(lambda c: c == "nps"),
    "importance_no_expectation": _survey_columns(lambda c: c.endswith("_exp")),
    "perceptions_only": _survey_columns(lambda c: c.endswith(("_exp", "_imp"))),
    "numeric_ids": _numeric_ids,
    "non_ascii": _non_ascii,
    "empty_optional_columns": _empty_optional,
}


def _write(tables: Tables, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if df.empty:  # a table without rows is a table the folder does not have
            continue
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                fmt = "%Y-%m-%d %H:%M:%S" if name == "touchpoints" else "%Y-%m-%d"
                df[c] = df[c].dt.strftime(fmt)
        df.to_csv(folder / f"{name}.csv", index=False)
    shutil.copy(ROOT / "data" / "sample" / "cxreport.yaml", folder / "cxreport.yaml")


def make_folder(folder: Path, variations: list[str], *, seed: int = 0, customers: int = 300,
                months: int = 6) -> Path:  # fmt: skip
    """Write a sample folder of ``customers`` × ``months`` with the variations applied."""
    rng = np.random.default_rng(seed)
    tables = generate(customers=customers, months=months, seed=seed, end=END)
    tables.pop("_truth")
    for name in variations:
        tables = VARIATIONS[name](tables, rng)
    _write(tables, folder)
    return folder


def plan(n: int, seed: int = 0) -> list[list[str]]:
    """``n`` seeded combinations: each variation alone first, then random pairs and triples."""
    rng = np.random.default_rng(seed)
    names = list(VARIATIONS)
    combos = [[v] for v in names]
    while len(combos) < n:
        k = int(rng.integers(2, 4))
        combos.append(sorted(rng.choice(names, k, replace=False).tolist()))
    return combos[:n]


#: The free-text columns of each table (the others hold codes a config or the contract fixes:
#: EODC stages, SWOT kinds, item codes, survey dimensions; and identifiers).
FREE_TEXT = {
    "customers": ("region", "channel", "plan", "age_band"),
    "transactions": ("category",),
    "survey": ("touchpoint",),
    "touchpoints": ("touchpoint",),
    "complaints": ("category", "channel", "text"),
    "self_assessment": ("department",),
    "swot_factors": ("factor",),
    "targets": ("label",),
}
#: Text that matplotlib's mathtext would read as math: dollars, a TeX command, a pasted line
#: break.
TEX_LIKE = "Basic ($9.99/mo) or Premium ($19.99/mo) $\\frac{}$ 100% _x_ & #1\n"


def make_long_text_folder(folder: Path, *, length: int = 100_000, seed: int = 7) -> Path:
    """The sample (300 customers, 6 months) with every free text ``length`` characters long:
    each value of :data:`FREE_TEXT` (and the SWOT comparisons' factor names, the folder's own
    failure types in ``touchpoints.outcome`` and its ``sqi.extra_weights``, ``sqi.version`` and
    ``report.currency``) becomes itself followed by :data:`TEX_LIKE` repeated, so that values
    still differ from one another in their first characters."""

    def long(value):
        if not isinstance(value, str):
            return value
        # a last character that is no space: the reader strips the ends of a text
        return (f"{value} — " + TEX_LIKE * (length // len(TEX_LIKE) + 1))[: length - 1] + "."

    tables = generate(customers=300, months=6, seed=seed, end=END)
    tables.pop("_truth")
    for name, cols in FREE_TEXT.items():
        for col in cols:
            t = tables[name]
            t[col] = t[col].map({v: long(v) for v in t[col].dropna().unique()})
    factors = {v: long(v) for v in generate(customers=300, months=6, seed=seed, end=END)
               ["swot_factors"]["factor"]}  # fmt: skip
    pairs = tables["swot_pairwise"]
    for col in ("a", "b"):
        pairs[col] = pairs[col].map(lambda v: factors.get(v, v))
    sample = yaml.safe_load((ROOT / "data" / "sample" / "cxreport.yaml").read_text())
    own = {long(k): w for k, w in sample["sqi"]["extra_weights"].items()}
    renamed = {k[: k.index(" — ")]: k for k in own}
    tp = tables["touchpoints"]
    tp["outcome"] = tp["outcome"].map(lambda v: renamed.get(v, v))
    _write(tables, folder)
    config = {
        "sqi": {"version": long(sample["sqi"]["version"]), "extra_weights": own},
        "report": {"title": sample["report"]["title"], "currency": long("$")},
    }
    (folder / "cxreport.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return folder
