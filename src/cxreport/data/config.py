"""The data folder's ``cxreport.yaml``: how a user's files map onto the data contract.

Without a config file the standard names of :mod:`cxreport.contract` apply. A config may

* point a table at another file and rename columns (``tables.customers.columns``),
* declare how yes/no flags are written (``true_values``/``false_values``), the file encoding,
  the thousands separator and a date format,
* declare the survey model (items, dimensions, scales),
* replace the service-quality-index failure weights,
* set report options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import ConfigError
from .contract import TABLES

CONFIG_NAMES = ("cxreport.yaml", "cxreport.yml")
SERVQUAL_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


@dataclass(frozen=True)
class TableConfig:
    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # contract name -> user's name
    encoding: str = "utf-8-sig"
    thousands: str | None = None
    decimal: str = "."
    date_format: str | None = None
    true_values: dict[str, list] = field(default_factory=dict)
    false_values: dict[str, list] = field(default_factory=dict)
    sep: str | None = None


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str
    text: str
    scale: tuple[float, float]


@dataclass(frozen=True)
class SurveyModel:
    """Items, their dimensions and scales; columns `<item>`, `<item>_exp`, `<item>_imp`."""

    items: tuple[Item, ...]
    dimensions: tuple[str, ...]
    overall_scale: tuple[float, float] = (1, 10)
    expectation_suffix: str = "_exp"
    importance_suffix: str = "_imp"
    declared: bool = False  # True when the items come from the user's config

    def items_of(self, dimension: str) -> list[Item]:
        return [i for i in self.items if i.dimension == dimension]

    @property
    def item_codes(self) -> list[str]:
        return [i.code for i in self.items]


@dataclass(frozen=True)
class Config:
    path: Path | None
    tables: dict[str, TableConfig]
    survey: SurveyModel
    sqi_weights: dict[str, float]
    sqi_version: str
    report: dict[str, Any]

    def table(self, name: str) -> TableConfig:
        return self.tables.get(name, TableConfig())


def _servqual_default(scale=(1, 7)) -> tuple[Item, ...]:
    text = resources.files("cxreport").joinpath("resources/servqual_items.csv")
    with text.open(encoding="utf-8") as f:
        df = pd.read_csv(f)
    return tuple(Item(r.item, r.dimension, r.text, tuple(scale)) for r in df.itertuples())


def default_sqi() -> tuple[str, dict[str, float]]:
    text = resources.files("cxreport").joinpath("resources/sqi_weights.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    return doc["version"], {k: float(v) for k, v in doc["weights"].items()}


def _scale(value, where: str, path) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{path}: {where} must be a pair [min, max] such as [1, 7]; got {value!r}."
        ) from None
    if not lo < hi:
        raise ConfigError(f"{path}: {where} must have min < max; got [{lo:g}, {hi:g}].")
    return lo, hi


def _check_keys(section: dict, allowed: set, where: str, path) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)} in {where}; "
            f"allowed: {', '.join(sorted(allowed))}."
        )


def find_config(folder: Path) -> Path | None:
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_config(folder: str | Path) -> Config:
    """Read ``cxreport.yaml`` from a data folder (or the defaults when there is none)."""
    folder = Path(folder)
    path = find_config(folder)
    doc: dict = {}
    if path is not None:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8.") from None
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level.")
    where = path or folder / CONFIG_NAMES[0]
    _check_keys(doc, {"tables", "survey", "sqi", "report"}, "the top level", where)

    tables = {}
    for name, tdoc in (doc.get("tables") or {}).items():
        if name not in TABLES:
            raise ConfigError(
                f"{where}: tables.{name} is not a table of the data contract; "
                f"known tables: {', '.join(TABLES)}."
            )
        tdoc = tdoc or {}
        _check_keys(tdoc, set(TableConfig.__dataclass_fields__), f"tables.{name}", where)
        known = {c.name for c in TABLES[name].columns}
        for col in tdoc.get("columns") or {}:
            if col not in known and name != "survey":
                raise ConfigError(
                    f"{where}: tables.{name}.columns.{col}: '{col}' is not a column of "
                    f"{name}; its columns are {', '.join(sorted(known))}. Write the "
                    f"contract's name on the left and your file's column on the right."
                )
        tables[name] = TableConfig(
            **{k: v for k, v in tdoc.items() if k not in ("true_values", "false_values")},
            true_values={k: list(v) for k, v in (tdoc.get("true_values") or {}).items()},
            false_values={k: list(v) for k, v in (tdoc.get("false_values") or {}).items()},
        )

    sdoc = doc.get("survey") or {}
    _check_keys(
        sdoc,
        {"scale", "overall_scale", "items", "dimensions", "expectation_suffix",
         "importance_suffix"},
        "survey",
        where,
    )
    scale = _scale(sdoc.get("scale", (1, 7)), "survey.scale", where)
    if sdoc.get("items"):
        items = []
        for code, idoc in sdoc["items"].items():
            idoc = idoc if isinstance(idoc, dict) else {"dimension": idoc}
            if not idoc.get("dimension"):
                raise ConfigError(f"{where}: survey.items.{code} needs a dimension.")
            items.append(
                Item(
                    str(code),
                    str(idoc["dimension"]),
                    str(idoc.get("text", code)),
                    _scale(idoc["scale"], f"survey.items.{code}.scale", where)
                    if "scale" in idoc
                    else scale,
                )
            )
        items = tuple(items)
        declared = True
    else:
        items = _servqual_default(scale)
        declared = False
    dims_in_items = list(dict.fromkeys(i.dimension for i in items))
    dimensions = tuple(sdoc.get("dimensions") or dims_in_items)
    empty = [d for d in dimensions if d not in dims_in_items]
    if empty:
        raise ConfigError(
            f"{where}: survey dimension(s) {', '.join(empty)} have no items; give each "
            f"dimension at least one item under survey.items or remove it from "
            f"survey.dimensions."
        )
    undeclared = [d for d in dims_in_items if d not in dimensions]
    if undeclared:
        raise ConfigError(
            f"{where}: items use dimension(s) {', '.join(undeclared)} that survey.dimensions "
            f"does not list; add them there."
        )
    survey = SurveyModel(
        items=items,
        dimensions=dimensions,
        overall_scale=_scale(sdoc.get("overall_scale", (1, 10)), "survey.overall_scale", where),
        expectation_suffix=sdoc.get("expectation_suffix", "_exp"),
        importance_suffix=sdoc.get("importance_suffix", "_imp"),
        declared=declared,
    )

    qdoc = doc.get("sqi") or {}
    _check_keys(qdoc, {"weights", "version", "extra_weights"}, "sqi", where)
    version, weights = default_sqi()
    if "weights" in qdoc:
        weights, version = {}, qdoc.get("version", "custom weights from cxreport.yaml")
    for k, v in {**(qdoc.get("weights") or {}), **(qdoc.get("extra_weights") or {})}.items():
        try:
            weights[str(k)] = float(v)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{where}: sqi weight of '{k}' must be a number; got {v!r}."
            ) from None
        if weights[str(k)] < 0:
            raise ConfigError(f"{where}: sqi weight of '{k}' must be ≥ 0; got {v!r}.")
    if qdoc.get("extra_weights") and "weights" not in qdoc:
        version = qdoc.get("version", version + " + local failure types")
    if "ok" in weights:
        raise ConfigError(f"{where}: 'ok' is the success outcome and cannot be a failure type.")

    report = dict(doc.get("report") or {})
    return Config(path, tables, survey, weights, version, report)
