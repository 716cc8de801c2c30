"""The data folder's ``cxreport.yaml``: how a user's files map onto the data contract.

Without a config file the standard names of :mod:`cxreport.data.contract` apply. A config may

* point a table at files or sheets and rename columns (``tables.customers.columns``),
* say how the files are read (encoding, delimiter, header lines, number and date formats,
  yes/no codes, a survey platform's preset) and shaped (``join``, ``na_values``, ``recode``,
  ``derive``, ``drop_rows``; done by :mod:`cxreport.data.shaping`),
* declare the survey model (items, dimensions, scales) and its response screening,
* replace the service-quality-index failure weights,
* declare the customer attributes the segmentation clusters on without transactions,
* set the text analytics' topic rule file, user dictionary, stop words and sentiment
  overrides (``text:``),
* set report options,
* say where the heavy aggregations run (``engine``: pandas, DuckDB or Spark).

Its shape is checked against ``resources/cxreport.schema.json``; every problem is reported
at once (:class:`~cxreport.errors.ConfigError` ``.problems``).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import ConfigError
from .contract import TABLES
from .topics import TopicRules, read_rules

CONFIG_NAMES = ("cxreport.yaml", "cxreport.yml")
SCHEMA = "resources/cxreport.schema.json"


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 scalars: only true/false are booleans and dates stay text. In YAML 1.1
    ``Yes``, ``No``, ``On`` and ``Off`` are booleans, so ``true_values: {churned: [Yes]}``
    or a recode of ``No`` would silently read as True/False instead of the codes the user
    typed."""


_Yaml12Loader.yaml_implicit_resolvers = {  # YAML 1.2 has no timestamps either: a date
    k: [
        (tag, rx)
        for tag, rx in v  # such as 2010-12-01 stays the text the user typed
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def schema() -> dict:
    """The JSON Schema of ``cxreport.yaml`` (also usable by editors).

    Returns
    -------
    dict
        The schema, read from the package's ``resources/cxreport.schema.json``.
    """
    return json.loads(resources.files("cxreport").joinpath(SCHEMA).read_text("utf-8"))


def _validator_class():
    """jsonschema's validator, imported without the optional rfc3987-syntax format checker:
    that module builds a grammar at import (about 1.7 s in every notebook kernel), and the
    schema of cxreport.yaml uses no string formats."""
    import sys

    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # makes jsonschema's optional import fail
        try:
            import jsonschema  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]  # later importers get the real module
    from jsonschema import Draft202012Validator

    return Draft202012Validator


def _schema_problems(doc: dict) -> list[str]:
    """Every violation of the schema, unknown keys with a "did you mean"."""
    Draft202012Validator = _validator_class()

    validator = Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in err.absolute_path) or "the top level"
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed), key=str):
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                out.append(f"unknown key '{key}' in {where}.{hint} Allowed: {', '.join(allowed)}.")
        elif err.validator == "oneOf":
            out.append(
                f"{where}: {_show(err.instance)} is not one of the allowed forms ({_forms(where)})."
            )
        elif err.validator == "enum":
            out.append(
                f"{where}: {_show(err.instance)} is not allowed; use one of "
                f"{', '.join(map(str, err.validator_value))}."
            )
        else:
            out.append(f"{where}: {err.message}.")
    return out


_FORMS = {
    "drop_rows": "missing, a list of values, or {startswith|contains|before|after|below|above"
    "|equals: value}",
    "na_values": "a list of codes, or {column: [codes]} with '*' for every column",
    "files": "a file name or glob, or {file: ..., sheet: ...}",
    "sheet": "a sheet name, a 0-based number, a list of them, or '*'",
    "on": "a column name, or {left: column, right: column}",
    "items": "a dimension name, or {dimension: ..., text: ..., scale: [min, max]}",
}


def _forms(where: str) -> str:
    for key, text in _FORMS.items():
        if f".{key}" in f".{where}":
            return text
    return "see the README, Configuration"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


#: Days allowed to resolve a complaint when ``complaints.sla_days`` does not say.
DEFAULT_SLA_DAYS = {"*": 7.0}

SERVQUAL_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


@dataclass(frozen=True)
class TableConfig:
    """How one table is read and shaped (README, "Configuration"; the keys of the schema).

    Attributes
    ----------
    file : str or None, default=None
        The file to read (a glob reads every match).
    files : tuple, default=()
        ``(pattern, sheet)`` pairs of several files or sheets, concatenated.
    sheet : object, default=None
        Excel sheet: a name, a 0-based number, a list of them, ``"*"``; None: the first.
    header_rows : int, default=1
        Header lines.
    header_combine : bool, default=False
        Whether column names join the parts of every header line.
    columns : dict of str to str, default={}
        Contract name → the file's column.
    encoding : str or None, default=None
        Text encoding; None: detected (UTF-8, then GB18030).
    thousands : str or None, default=None
        Thousands separator of numbers written as text.
    decimal : str, default="."
        Decimal mark of numbers written as text.
    date_format : str or None, default=None
        ``strptime`` format of dates; None: ISO ``YYYY-MM-DD`` (or ``YYYYMMDD``).
    true_values, false_values : dict of str to list, default={}
        Per yes/no column, the codes read as true / false.
    sep : str or None, default=None
        Delimiter of a text file; None: comma, tab for ``.tsv``.
    na_values : dict of str to list, default={}
        Missing-value codes per column, ``"*"`` for every column.
    recode : dict of str to dict, default={}
        Per column, label → value.
    derive : dict of str to str, default={}
        New column → expression (:mod:`cxreport.data.expr`).
    drop_rows : dict, default={}
        Per column, the condition of the rows to leave out.
    join : tuple of dict, default=()
        Other files merged on a key (``file``, ``sheet``, ``on``, ``columns``).
    preset : str or None, default=None
        A survey platform's preset (:mod:`cxreport.data.presets`).
    """

    file: str | None = None
    files: tuple = ()  # (pattern, sheet) pairs, concatenated
    sheet: Any = None
    header_rows: int = 1
    header_combine: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # contract name -> user's name
    encoding: str | None = None  # None: detect (UTF-8, then GB18030)
    thousands: str | None = None
    decimal: str = "."
    date_format: str | None = None
    true_values: dict[str, list] = field(default_factory=dict)
    false_values: dict[str, list] = field(default_factory=dict)
    sep: str | None = None
    na_values: dict[str, list] = field(default_factory=dict)  # column (or "*") -> codes
    recode: dict[str, dict] = field(default_factory=dict)
    derive: dict[str, str] = field(default_factory=dict)
    drop_rows: dict[str, Any] = field(default_factory=dict)
    join: tuple = ()  # ({file, sheet, on}, ...)
    preset: str | None = None

    def under(self, defaults: TableConfig) -> TableConfig:
        """This config with ``defaults`` (a preset's) filling what the user left unset;
        for the mappings (columns, recode, ...) the user's entries win key by key.

        Parameters
        ----------
        defaults : TableConfig
            The config whose values fill the fields this one leaves at their default.

        Returns
        -------
        TableConfig
            A new config; neither input is changed.
        """
        blank = TableConfig()
        values = {}
        for name in self.__dataclass_fields__:
            mine, base = getattr(self, name), getattr(defaults, name)
            if isinstance(mine, dict):
                values[name] = {**base, **mine}
            else:
                values[name] = mine if mine != getattr(blank, name) else base
        return TableConfig(**values)

    @property
    def shaped(self) -> dict:
        """The shaping keys that are set, for the manifest ("how the data was shaped").

        Returns
        -------
        dict
            Key name to value, for the keys whose value differs from the default.
        """
        keys = (
            "files",
            "sheet",
            "header_rows",
            "na_values",
            "recode",
            "derive",
            "drop_rows",
            "join",
            "preset",
            "encoding",
        )
        default = TableConfig()
        return {k: getattr(self, k) for k in keys if getattr(self, k) != getattr(default, k)}


@dataclass(frozen=True)
class Item:
    """One survey item: its column, dimension, wording and answer scale.

    Attributes
    ----------
    code : str
        The item's column in the survey table (its expectation and importance columns add
        the survey model's suffixes).
    dimension : str
        The dimension the item belongs to.
    text : str
        The question's wording (the code when the config gives none).
    scale : tuple of float
        The answer scale, ``(min, max)``.
    """

    code: str
    dimension: str
    text: str
    scale: tuple[float, float]


@dataclass(frozen=True)
class SurveyModel:
    """Items, their dimensions and scales; columns `<item>`, `<item>_exp`, `<item>_imp`.

    Attributes
    ----------
    items : tuple of Item
        The items.
    dimensions : tuple of str
        The dimensions, in the order every chart uses.
    overall_scale : tuple of float, default=(1, 10)
        The scale of ``overall_satisfaction``.
    expectation_suffix, importance_suffix : str, default="_exp", "_imp"
        The suffixes of an item's expectation and importance columns.
    declared : bool, default=False
        True when the items come from the user's config (else the SERVQUAL defaults).
    pls_paths : str, tuple of str or None, default=None
        PLS inner model from ``survey.pls.paths``: a preset (``"ecsi"``, ``"acsi"``),
        ``"a -> b"`` strings, or None (ECSI when the dimensions carry its names, else
        dimensions → satisfaction).
    pls_modes : dict, default={}
        ``survey.pls.modes``: block → ``"A"`` or ``"B"``.
    """

    items: tuple[Item, ...]
    dimensions: tuple[str, ...]
    overall_scale: tuple[float, float] = (1, 10)
    expectation_suffix: str = "_exp"
    importance_suffix: str = "_imp"
    declared: bool = False  # True when the items come from the user's config
    #: PLS inner model from survey.pls.paths: a preset ("ecsi", "acsi"), "a -> b" strings or
    #: None (ECSI when the dimensions carry its names, else dimensions -> satisfaction)
    pls_paths: str | tuple[str, ...] | None = None
    pls_modes: dict = field(default_factory=dict)  # survey.pls.modes: {block: "A" or "B"}

    def items_of(self, dimension: str) -> list[Item]:
        """The items of one dimension.

        Parameters
        ----------
        dimension : str
            A dimension name.

        Returns
        -------
        list of Item
            Its items in the model's order (empty for an unknown dimension).
        """
        return [i for i in self.items if i.dimension == dimension]

    @property
    def item_codes(self) -> list[str]:
        """The codes of all items, in order.

        Returns
        -------
        list of str
            One code per item of :attr:`items`.
        """
        return [i.code for i in self.items]


#: Rows of transactions + touchpoints from which ``engine.backend: auto`` uses DuckDB.
AUTO_ROWS = 2_000_000


@dataclass(frozen=True)
class EngineConfig:
    """``engine`` of cxreport.yaml: where the heavy aggregations run (:mod:`.engine`).

    Attributes
    ----------
    backend : str, default="auto"
        ``"auto"``, ``"pandas"``, ``"duckdb"`` or ``"spark"``.
    auto_rows : int, default=AUTO_ROWS
        Rows of transactions and touchpoints from which ``auto`` uses DuckDB (2 000 000).
    memory_limit : str, default="1GB"
        DuckDB's memory limit per connection; it spills to a temporary folder beyond it.
    master : str or None, default=None
        The Spark master (None: ``local[1]``).
    spark_conf : dict, default={}
        Settings of the Spark session.
    """

    backend: str = "auto"  # auto, pandas, duckdb or spark
    auto_rows: int = AUTO_ROWS
    memory_limit: str = "1GB"  # DuckDB's, per connection; it spills to a temporary folder beyond
    master: str | None = None  # Spark
    spark_conf: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextConfig:
    """``text:`` of ``cxreport.yaml``: the topic rules (the shipped ones unless
    ``text.topics`` names a file), words the Chinese tokenizer keeps whole, extra stop words
    and sentiment overrides (word → valence).

    Attributes
    ----------
    rules : TopicRules or None, default=None
        The user's topic rules; None: the shipped ones, read when first used.
    user_words : tuple of str, default=()
        Words the Chinese tokenizer keeps whole.
    stop_words : tuple of str, default=()
        Extra stop words.
    sentiment : dict of str to float, default={}
        Sentiment overrides, word → valence.
    """

    rules: TopicRules | None = None  # None: the shipped rules, read when first used
    user_words: tuple[str, ...] = ()
    stop_words: tuple[str, ...] = ()
    sentiment: dict[str, float] = field(default_factory=dict)

    @property
    def topic_rules(self) -> TopicRules:
        """The topic rules in force: the user's file's, or else the shipped ones.

        Returns
        -------
        TopicRules
            :attr:`rules`, or the shipped rules (``read_rules(None)``) when it is None.
        """
        return self.rules if self.rules is not None else read_rules(None)


@dataclass(frozen=True)
class Config:
    """A data folder's ``cxreport.yaml``, read and checked (:func:`load_config`).

    Attributes
    ----------
    path : pathlib.Path or None
        The file read, None when the folder has none (the defaults apply).
    tables : dict of str to TableConfig
        The ``tables:`` entries by table name (tables without one are absent).
    survey : SurveyModel
        The survey model (``survey:``; the SERVQUAL items when no items are declared).
    sqi_weights : dict of str to float
        Service-quality-index weight per failure type.
    sqi_version : str
        Which weights those are (the shipped list's version, or the config's).
    report : dict
        The ``report:`` options, as given.
    screening : str, default="flag"
        Survey response-quality screening: ``"off"``, ``"flag"`` or ``"exclude"``.
    segment_attributes : tuple of str, default=()
        Customers columns the segmentation clusters on without transactions (empty: detected).
    segment_value : tuple of str, default=()
        The column(s) summed into each customer's value.
    sla_days : dict of str to float, default={"*": 7.0}
        Days allowed to resolve a complaint per category, ``"*"`` for the rest.
    text : TextConfig, default=TextConfig()
        The ``text:`` settings.
    engine : EngineConfig, default=EngineConfig()
        The ``engine:`` settings.
    """

    path: Path | None
    tables: dict[str, TableConfig]
    survey: SurveyModel
    sqi_weights: dict[str, float]
    sqi_version: str
    report: dict[str, Any]
    screening: str = "flag"  # survey response-quality screening: off, flag or exclude
    #: segments.attributes: customers columns to cluster on without transactions (empty:
    #: detected); segments.value: the column(s) summed into each customer's value
    segment_attributes: tuple[str, ...] = ()
    segment_value: tuple[str, ...] = ()
    #: complaints.sla_days: days allowed to resolve a complaint per category, "*" the rest
    sla_days: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    text: TextConfig = field(default_factory=TextConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)

    def table(self, name: str) -> TableConfig:
        """The config of one table.

        Parameters
        ----------
        name : str
            A table name of the contract.

        Returns
        -------
        TableConfig
            Its ``tables:`` entry, or a default :class:`TableConfig` when there is none.
        """
        return self.tables.get(name, TableConfig())


def servqual_default(scale=(1, 7)) -> tuple[Item, ...]:
    """The 22 SERVQUAL items shipped with the package (``resources/servqual_items.csv``).

    Parameters
    ----------
    scale : tuple of float, default=(1, 7)
        The answer scale given to every item, ``(min, max)``.

    Returns
    -------
    tuple of Item
        The items in the file's order.
    """
    text = resources.files("cxreport").joinpath("resources/servqual_items.csv")
    with text.open(encoding="utf-8") as f:
        df = pd.read_csv(f)
    return tuple(Item(r.item, r.dimension, r.text, tuple(scale)) for r in df.itertuples())


def default_sqi() -> tuple[str, dict[str, float]]:
    """The shipped service-quality-index weights (``resources/sqi_weights.yaml``).

    Returns
    -------
    version : str
        The weights' version.
    weights : dict of str to float
        Weight per failure type.
    """
    text = resources.files("cxreport").joinpath("resources/sqi_weights.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    return doc["version"], {k: float(v) for k, v in doc["weights"].items()}


def _scale(value, where: str, problems: list[str]) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        problems.append(f"{where} must be a pair [min, max] such as [1, 7]; got {value!r}.")
        return 1.0, 7.0
    if not lo < hi:
        problems.append(f"{where} must have min < max; got [{lo:g}, {hi:g}].")
    return lo, hi


def find_config(folder: Path) -> Path | None:
    """The config file of a data folder, if it has one.

    Parameters
    ----------
    folder : pathlib.Path
        The data folder.

    Returns
    -------
    pathlib.Path or None
        ``cxreport.yaml`` (or else ``cxreport.yml``) in ``folder``; None when neither exists.
    """
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_yaml(path: Path) -> dict:
    """A YAML mapping, with YAML 1.2 booleans (``Yes`` stays text).

    Parameters
    ----------
    path : pathlib.Path
        The file, UTF-8 (a byte-order mark is allowed).

    Returns
    -------
    dict
        The file's top-level mapping (empty for an empty file).

    Raises
    ------
    ConfigError
        The file is not valid YAML, not UTF-8, or not a mapping at the top level.
    """
    try:
        doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Yaml12Loader) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8.") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level.")
    return doc


def load_config(folder: str | Path) -> Config:
    """Read ``cxreport.yaml`` from a data folder (or the defaults when there is none).

    Parameters
    ----------
    folder : str or pathlib.Path
        The data folder.

    Returns
    -------
    Config
        The checked config; a rule file named by ``text.topics`` is read too.

    Raises
    ------
    ConfigError
        Listing every problem of the file at once (``.problems``).
    """
    folder = Path(folder)
    path = find_config(folder)
    doc = read_yaml(path) if path is not None else {}
    where = path or folder / CONFIG_NAMES[0]
    problems = _schema_problems(doc)
    if problems:  # the shape is wrong: the checks below would only repeat it
        raise _config_error(where, problems)
    tables = {
        name: _table(name, tdoc or {}, problems) for name, tdoc in (doc.get("tables") or {}).items()
    }
    survey = _survey(doc.get("survey") or {}, problems)
    weights, version = _sqi(doc.get("sqi") or {}, problems)
    text = _text(folder, doc.get("text") or {})
    if problems:
        raise _config_error(where, problems)
    return Config(
        path,
        tables,
        survey,
        weights,
        version,
        dict(doc.get("report") or {}),
        screening=(doc.get("survey") or {}).get("screening", "flag"),
        segment_attributes=tuple((doc.get("segments") or {}).get("attributes") or ()),
        segment_value=_names((doc.get("segments") or {}).get("value")),
        sla_days=_sla_days((doc.get("complaints") or {}).get("sla_days")),
        text=text,
        engine=EngineConfig(**(doc.get("engine") or {})),
    )


def _text(folder: Path, tdoc: dict) -> TextConfig:
    """``text:`` (the schema checked its shape); a rule file of the user's is read and
    checked here, so that a bad pattern stops the run before any notebook starts."""
    # a TopicRuleError (naming the file and the topic) is raised as it is
    rules = read_rules(folder / tdoc["topics"]) if tdoc.get("topics") else None
    return TextConfig(
        rules=rules,
        user_words=tuple(tdoc.get("user_words") or ()),
        stop_words=tuple(tdoc.get("stop_words") or ()),
        sentiment={str(k): float(v) for k, v in (tdoc.get("sentiment") or {}).items()},
    )


def _sla_days(spec) -> dict[str, float]:
    """``complaints.sla_days`` (the schema checked: numbers > 0) with the default for "*"."""
    return {**DEFAULT_SLA_DAYS, **{str(k): float(v) for k, v in (spec or {}).items()}}


def _names(spec) -> tuple[str, ...]:
    """A column name or a list of them (the schema checked which) as a tuple."""
    if spec is None:
        return ()
    return (spec,) if isinstance(spec, str) else tuple(spec)


def _config_error(where: Path, problems: list[str]) -> ConfigError:
    text = "\n".join(f"  ✗ {p}" for p in problems)
    return ConfigError(f"{where}: {len(problems)} problem(s)\n{text}", problems)


def table_config(name: str, tdoc: dict) -> TableConfig:
    """A ``tables.<name>`` mapping (a preset's fragment, say) as a :class:`TableConfig`.

    Parameters
    ----------
    name : str
        The table's name in the contract.
    tdoc : dict
        The mapping, with the keys of ``tables.<name>`` in ``cxreport.yaml``.

    Returns
    -------
    TableConfig
        The table's config, keys the mapping leaves out at their defaults.

    Raises
    ------
    ConfigError
        The mapping renames a column the table does not have (any name goes for the survey),
        gives both ``file`` and ``files``, or a preset outside the survey table.
    """
    problems: list[str] = []
    out = _table(name, tdoc, problems)
    if problems:
        raise ConfigError("; ".join(problems), problems)
    return out


def _table(name: str, tdoc: dict, problems: list[str]) -> TableConfig:
    spec = TABLES[name]
    known = {c.name for c in spec.columns}
    for col in tdoc.get("columns") or {}:
        if col not in known and name != "survey":
            close = difflib.get_close_matches(col, sorted(known), n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(
                f"tables.{name}.columns.{col}: '{col}' is not a column of {name}.{hint} Its "
                f"columns are {', '.join(sorted(known))}. Write the contract's name on the "
                f"left and your file's column on the right."
            )
    if "file" in tdoc and "files" in tdoc:
        problems.append(f"tables.{name}: give either file or files, not both.")
    if tdoc.get("preset") and name != "survey":
        problems.append(
            f"tables.{name}.preset: presets describe survey-platform exports; "
            f"use it under tables.survey."
        )
    na = tdoc.get("na_values") or {}
    files = tuple(
        (f, None) if isinstance(f, str) else (f["file"], f.get("sheet"))
        for f in tdoc.get("files") or ()
    )
    return TableConfig(
        file=tdoc.get("file"),
        files=files,
        sheet=tdoc.get("sheet"),
        header_rows=tdoc.get("header_rows", 1),
        header_combine=tdoc.get("header_combine", False),
        columns=dict(tdoc.get("columns") or {}),
        encoding=tdoc.get("encoding"),
        thousands=tdoc.get("thousands"),
        decimal=tdoc.get("decimal", "."),
        date_format=tdoc.get("date_format"),
        true_values={k: list(v) for k, v in (tdoc.get("true_values") or {}).items()},
        false_values={k: list(v) for k, v in (tdoc.get("false_values") or {}).items()},
        sep=tdoc.get("sep"),
        na_values={"*": list(na)} if isinstance(na, list) else {k: list(v) for k, v in na.items()},
        recode={k: dict(v) for k, v in (tdoc.get("recode") or {}).items()},
        derive=dict(tdoc.get("derive") or {}),
        drop_rows=dict(tdoc.get("drop_rows") or {}),
        join=tuple(dict(j) for j in tdoc.get("join") or ()),
        preset=tdoc.get("preset"),
    )


def _survey(sdoc: dict, problems: list[str]) -> SurveyModel:
    scale = _scale(sdoc.get("scale", (1, 7)), "survey.scale", problems)
    if sdoc.get("items"):
        items = []
        for code, idoc in sdoc["items"].items():
            idoc = idoc if isinstance(idoc, dict) else {"dimension": idoc}
            item_scale = (
                _scale(idoc["scale"], f"survey.items.{code}.scale", problems)
                if "scale" in idoc
                else scale
            )
            items.append(
                Item(str(code), str(idoc["dimension"]), str(idoc.get("text", code)), item_scale)
            )
        items, declared = tuple(items), True
    else:
        items, declared = servqual_default(scale), False
    dims_in_items = list(dict.fromkeys(i.dimension for i in items))
    dimensions = tuple(sdoc.get("dimensions") or dims_in_items)
    empty = [d for d in dimensions if d not in dims_in_items]
    if empty:
        problems.append(
            f"survey dimension(s) {', '.join(empty)} have no items; give each dimension at "
            f"least one item under survey.items or remove it from survey.dimensions."
        )
    undeclared = [d for d in dims_in_items if d not in dimensions]
    if undeclared:
        problems.append(
            f"items use dimension(s) {', '.join(undeclared)} that survey.dimensions does not "
            f"list; add them there."
        )
    return SurveyModel(
        items=items,
        dimensions=dimensions,
        overall_scale=_scale(sdoc.get("overall_scale", (1, 10)), "survey.overall_scale", problems),
        expectation_suffix=sdoc.get("expectation_suffix", "_exp"),
        importance_suffix=sdoc.get("importance_suffix", "_imp"),
        declared=declared,
        pls_paths=_pls_paths((sdoc.get("pls") or {}).get("paths")),
        pls_modes=dict((sdoc.get("pls") or {}).get("modes") or {}),
    )


def _pls_paths(spec) -> str | tuple[str, ...] | None:
    if spec is None or isinstance(spec, str):
        return spec
    return tuple(str(p) for p in spec)


def _sqi(qdoc: dict, problems: list[str]) -> tuple[dict[str, float], str]:
    version, weights = default_sqi()
    if "weights" in qdoc:
        weights, version = {}, qdoc.get("version", "custom weights from cxreport.yaml")
    for k, v in {**(qdoc.get("weights") or {}), **(qdoc.get("extra_weights") or {})}.items():
        weights[str(k)] = float(v)  # the schema checked: a number >= 0
    if qdoc.get("extra_weights") and "weights" not in qdoc:
        version = qdoc.get("version", version + " + local failure types")
    if "ok" in weights:
        problems.append("sqi: 'ok' is the success outcome and cannot be a failure type.")
    return weights, version
