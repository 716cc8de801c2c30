"""Checking a data folder against the data contract, reporting every problem at once.

Column rules (types, ranges, allowed values, uniqueness, empty cells) are pandera schemas built
from :mod:`cxreport.contract` and the folder's config, validated lazily so that one run lists
every violation. Rules across tables (orphan keys, date order) are checked here directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .config import Config
from .contract import TABLES, Column
from .lookup import is_in

if TYPE_CHECKING:
    import pandera.pandas as pa

MAX_EXAMPLES = 5


@dataclass
class Problem:
    """One broken rule: where, what, how often, a few examples and how to fix it.

    Attributes
    ----------
    file : str
        The file (or table) in messages.
    column : str or None
        The column, None for a rule of the whole file.
    rule : str
        What is wrong.
    count : int
        Rows concerned (0: not counted).
    examples : list of str, default=[]
        A few of them, ``"line 5: 'x'"``.
    fix : str, default=""
        What the user can do about it.
    severity : str, default="error"
        ``"error"`` or ``"warning"``.
    """

    file: str
    column: str | None
    rule: str
    count: int
    examples: list[str] = field(default_factory=list)
    fix: str = ""
    severity: str = "error"  # or "warning"

    def format(self) -> str:
        """The problem as a few lines of plain text (✗ an error, ! a warning).

        Returns
        -------
        str
        """
        mark = "✗" if self.severity == "error" else "!"
        where = self.file + (f" · column '{self.column}'" if self.column else "")
        rows = f" ({self.count:,} row{'s' if self.count != 1 else ''})" if self.count else ""
        lines = [f"{mark} {where}: {self.rule}{rows}"]
        if self.examples:
            lines.append("    e.g. " + "; ".join(self.examples))
        if self.fix:
            lines.append(f"    fix: {self.fix}")
        return "\n".join(lines)


@dataclass
class ValidationReport:
    """Everything reading and checking a data folder found: problems, notes, rows per table.

    Attributes
    ----------
    folder : str
        The data folder, as named in messages.
    problems : list of Problem, default=[]
        Errors and warnings, in the order found.
    tables : dict of str to int, default={}
        Rows per table read.
    notes : list of str, default=[]
        What was done that the user should know (shaping, screening, presets...).
    bad_cells : dict, default={}
        Index labels of the cells already reported as unreadable, by ``(file, column)``, so
        that the schema does not report them again as empty.
    sources : dict of str to list of str, default={}
        The files read per table.
    shaping : dict of str to dict, default={}
        The shaping keys used per table (:attr:`TableConfig.shaped`).
    screening : pandas.DataFrame or None, default=None
        The response-quality flags of every survey response (excluded ones too), or None.
    """

    folder: str
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows
    notes: list[str] = field(default_factory=list)
    #: cells already reported as unreadable, keyed by (file, column), so that the schema
    #: does not report them a second time as empty
    bad_cells: dict[tuple[str, str], set] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)  # table -> files read
    shaping: dict[str, dict] = field(default_factory=dict)  # table -> shaping keys used
    #: response-quality flags of every survey response (excluded ones too), or None
    screening: pd.DataFrame | None = None

    def mark_bad(self, file: str, column: str, index) -> None:
        """Record cells as already reported (see :attr:`bad_cells`).

        Parameters
        ----------
        file : str
            The file, as named in the problems.
        column : str
            The column.
        index : iterable
            The index labels of the cells' rows.
        """
        self.bad_cells.setdefault((file, column), set()).update(index)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``"error"``.

        Returns
        -------
        list of Problem
        """
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``"warning"``.

        Returns
        -------
        list of Problem
        """
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether the folder has no errors (warnings allowed).

        Returns
        -------
        bool
        """
        return not self.errors

    def add(self, *args, **kwargs) -> None:
        """Append a problem.

        Parameters
        ----------
        *args, **kwargs
            Passed to :class:`Problem`.
        """
        self.problems.append(Problem(*args, **kwargs))

    def to_dict(self) -> dict:
        """The report for scripts (``cxreport validate --json``).

        Returns
        -------
        dict
            ``folder``, ``ok``, ``tables``, ``sources``, ``shaping``, ``notes``, and
            ``errors`` and ``warnings`` as lists of dicts of :class:`Problem`'s fields.
        """
        from dataclasses import asdict

        return {
            "folder": self.folder,
            "ok": self.ok,
            "tables": self.tables,
            "sources": self.sources,
            "shaping": self.shaping,
            "notes": self.notes,
            "errors": [asdict(p) for p in self.errors],
            "warnings": [asdict(p) for p in self.warnings],
        }

    def format(self) -> str:
        """The report as plain text: a summary line, the tables, the notes, then the problems.

        Returns
        -------
        str
        """
        head = (
            f"{self.folder}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
            if self.problems
            else f"{self.folder}: valid"
        )
        lines = [head]
        if self.tables:
            lines.append(
                "  tables: " + ", ".join(f"{t} ({n:,} rows)" for t, n in self.tables.items())
            )
        lines += [f"  {n}" for n in self.notes]
        lines += [p.format() for p in self.errors + self.warnings]
        return "\n".join(lines)


def _show(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def where(index_label) -> str:
    """A row's place in its file: "line 5" (row 3 after the header), or the label a table
    read from several files carries ("orders_2011.xlsx line 5").

    Parameters
    ----------
    index_label : int or str
        The row's index label: a 0-based row number, or a label as it is.

    Returns
    -------
    str
    """
    if isinstance(index_label, str):
        return index_label
    return f"line {int(index_label) + 2}"


def examples(rows: pd.Series) -> list[str]:
    """The first :data:`MAX_EXAMPLES` cells of ``rows`` as ``"line 5: 'x'"`` for a problem.

    Parameters
    ----------
    rows : pandas.Series
        The cells, indexed by row label (see :func:`where`).

    Returns
    -------
    list of str
    """
    return [f"{where(i)}: {_show(v)}" for i, v in rows.head(MAX_EXAMPLES).items()]


def _column_schema(col: Column, cfg: Config, table: str) -> pa.Column:
    import pandera.pandas as pa

    checks = []
    lo, hi = col.min, col.max
    if table == "survey" and col.name == "overall_satisfaction":
        lo, hi = cfg.survey.overall_scale
    if lo is not None:
        checks.append(pa.Check.ge(lo, error=f"at least {lo:g}"))
    if hi is not None:
        checks.append(pa.Check.le(hi, error=f"at most {hi:g}"))
    if col.allowed:
        checks.append(pa.Check.isin(list(col.allowed), error=f"one of {', '.join(col.allowed)}"))
    return pa.Column(
        nullable=col.nullable, unique=col.unique, checks=checks, coerce=False, required=False
    )


def schema_for(table: str, cfg: Config, frame: pd.DataFrame) -> pa.DataFrameSchema:
    """The pandera schema of one contract table under a folder's config.

    Parameters
    ----------
    table : str
        The contract table's name.
    cfg : Config
        The folder's config: the survey's items and scales, the SQI failure types.
    frame : pandas.DataFrame
        The table (not used by the schema's construction).

    Returns
    -------
    pandera.pandas.DataFrameSchema
        The contract's column rules, every survey item's scale (with its expectation and
        importance columns) and the touchpoint outcomes allowed (``"ok"`` or a failure type
        of the SQI weights); not strict, and no column but the touchpoints' ``outcome`` is
        required.
    """
    # imported here: 0.8 s that the notebooks' kernels, which read the checked copy, never need
    import pandera.pandas as pa

    spec = TABLES[table]
    cols = {c.name: _column_schema(c, cfg, table) for c in spec.columns}
    if table == "survey":
        for item in cfg.survey.items:
            for suffix in ("", cfg.survey.expectation_suffix, cfg.survey.importance_suffix):
                lo, hi = item.scale
                cols[item.code + suffix] = pa.Column(
                    nullable=True,
                    required=False,
                    checks=[pa.Check.in_range(lo, hi, error=f"on the item scale {lo:g}-{hi:g}")],
                )
    if table == "touchpoints":
        outcomes = ["ok", *cfg.sqi_weights]
        cols["outcome"] = pa.Column(
            checks=[pa.Check.isin(outcomes, error="'ok' or a failure type of sqi.weights")]
        )
    return pa.DataFrameSchema(cols, name=table, strict=False)


_FIXES = {
    "not_nullable": "fill in the empty cells or drop those rows",
    "field_uniqueness": "each identifier may appear only once; remove or renumber duplicates",
}


def check_schema(
    table: str, frame: pd.DataFrame, cfg: Config, file: str, report: ValidationReport
) -> None:
    """Run the table's pandera schema lazily and turn its failure cases into problems.

    Parameters
    ----------
    table : str
        The contract table's name.
    frame : pandas.DataFrame
        The table, typed; it is not changed.
    cfg : Config
        The folder's config (:func:`schema_for`).
    file : str
        The file's name in the problems.
    report : ValidationReport
        Gets one problem per column and rule broken; empty cells already in
        :attr:`ValidationReport.bad_cells` are not reported again.
    """
    from pandera.errors import SchemaErrors

    try:
        # inplace: the schema only checks (coerce=False), so no copy of the table is needed
        schema_for(table, cfg, frame).validate(frame, lazy=True, inplace=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        for (column, check), grp in cases.groupby(["column", "check"], sort=False, dropna=False):
            check = str(check)
            idx = grp["index"].dropna()
            if check == "not_nullable":
                idx = idx[~idx.isin(report.bad_cells.get((file, column), set()))]
                if idx.empty:
                    continue
            if pd.api.types.is_integer_dtype(frame.index):
                idx = idx.astype(int)
            values = frame.loc[idx, column] if column in frame else pd.Series()
            if check == "not_nullable":
                rule = "empty cells where a value is required"
            elif check == "field_uniqueness":
                rule = "duplicate identifiers"
                dup = frame[column][frame[column].duplicated(keep=False)]
                values = dup
            else:
                rule = f"values must be {check}"
            fix = _FIXES.get(check, "")
            if table == "survey" and "scale" in check:
                fix = (
                    "correct the answers, or declare the item's real scale under "
                    "survey.items in cxreport.yaml"
                )
            elif check.startswith("one of"):
                fix = "use one of the allowed values (or map your codes in cxreport.yaml)"
            elif not fix:
                fix = "correct these values"
            report.add(
                file,
                None if pd.isna(column) else str(column),
                rule,
                len(values) if check == "field_uniqueness" else len(idx),
                examples(values),
                fix,
            )


#: Dates that must come in this order within a row of a table.
DATE_ORDER = {"customers": ("signup_date", "churn_date"), "complaints": ("opened", "resolved")}


def reference_columns(name: str) -> set[str]:
    """The columns of table ``name`` that :func:`check_references` reads: its keys into other
    tables, its own keys that others point at, and the dates it orders.

    Parameters
    ----------
    name : str
        The contract table's name.

    Returns
    -------
    set of str
    """
    cols = set(DATE_ORDER.get(name, ()))
    if name == "customers":
        cols |= {"churned", "churn_date"}
    for table, spec in TABLES.items():
        for col in spec.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            if table == name:
                cols.add(col.name)
            if ref_table == name:
                cols.add(ref_col)
    return cols


def check_references(
    tables: dict[str, pd.DataFrame], files: dict[str, str], report: ValidationReport
) -> None:
    """Orphan foreign keys and date order across tables (of which it reads only the
    :func:`reference_columns`).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The tables read, by name.
    files : dict of str to str
        Each table's file name in the problems.
    report : ValidationReport
        Gets a problem per orphan key column and per date pair out of order, and a warning
        for customers with a ``churn_date`` but ``churned`` false.
    """
    for name, frame in tables.items():
        for col in TABLES[name].columns:
            if not col.references or col.name not in frame:
                continue
            ref_table, ref_col = col.references.split(".")
            if ref_table not in tables or ref_col not in tables[ref_table]:
                continue
            vals = frame[col.name]
            orphan = vals[vals.notna() & ~is_in(vals, tables[ref_table][ref_col])]
            if len(orphan):
                report.add(
                    files[name],
                    col.name,
                    f"{col.name} not found in {files[ref_table]}",
                    len(orphan),
                    examples(orphan),
                    f"add these customers to {files[ref_table]} or remove the rows",
                )
    for name, (first, last) in DATE_ORDER.items():
        frame = tables.get(name)
        if frame is None or first not in frame or last not in frame:
            continue
        bad = frame[frame[last] < frame[first]]
        if len(bad):
            report.add(
                files[name],
                last,
                f"{last} before {first}",
                len(bad),
                [
                    f"{where(i)}: {r[first]:%Y-%m-%d} → {r[last]:%Y-%m-%d}"
                    for i, r in bad.head(MAX_EXAMPLES).iterrows()
                ],
                "swap or correct the dates",
            )
    cust = tables.get("customers")
    if cust is not None and "churned" in cust and "churn_date" in cust:
        odd = cust[~cust["churned"].astype(bool) & cust["churn_date"].notna()]
        if len(odd):
            report.add(
                files["customers"],
                "churn_date",
                "churn_date set but churned is false",
                len(odd),
                examples(odd["churn_date"].astype(str)),
                "clear churn_date or set churned",
                severity="warning",
            )


def check_survey(survey: pd.DataFrame, cfg: Config, file: str, report: ValidationReport) -> None:
    """Survey rules beyond single cells: a 1-7 "would recommend" item mapped as NPS, and
    whether any item column of the survey model is present.

    Parameters
    ----------
    survey : pandas.DataFrame
        The survey table, typed.
    cfg : Config
        The folder's config (its survey model).
    file : str
        The survey file's name in the problems.
    report : ValidationReport
        Gets an error when 30 or more NPS answers are all at most 7, and a note when the
        default SERVQUAL model applies but none of its items is a column.
    """
    nps = survey["nps"].dropna() if "nps" in survey else pd.Series(dtype=float)
    if len(nps) >= 30 and nps.max() <= 7:
        report.add(
            file,
            "nps",
            f"the NPS answers run from {nps.min():g} to {nps.max():g} in {len(nps):,} answers: "
            f"that is a {nps.min():g}-{nps.max():g} 'would recommend' item, not the 0-10 NPS "
            "question",
            len(nps),
            fix="map nps only to a 0-10 likelihood-to-recommend question; keep a 1-7 item "
            "under survey.items instead (NPS needs the 0-10 scale: 9-10 promoters, 0-6 "
            "detractors)",
        )
    if not cfg.survey.declared and not any(i in survey for i in cfg.survey.item_codes):
        report.notes.append(
            "survey: no item columns of the default SERVQUAL model; declare "
            "your items under survey.items in cxreport.yaml"
        )


def screen_survey(survey: pd.DataFrame, cfg: Config, report: ValidationReport) -> pd.DataFrame:
    """Response-quality screening (``survey.screening``: off, flag or exclude).

    ``flag`` adds a ``quality`` column (the reasons, "" when clean); ``exclude`` also leaves
    the flagged responses out. Either way ``report.screening`` holds every flag.

    Parameters
    ----------
    survey : pandas.DataFrame
        The survey table, typed, with a ``response_id`` column.
    cfg : Config
        The folder's config (``screening`` and the survey's item codes).
    report : ValidationReport
        Gets the flags (:attr:`ValidationReport.screening`) and a note when any response
        is flagged.

    Returns
    -------
    pandas.DataFrame
        ``survey`` itself when screening is off or nothing is flagged; else a copy with the
        ``quality`` column, without the flagged rows under ``exclude``.
    """
    if cfg.screening == "off":
        return survey
    from .quality import screen, summary

    items = [c for c in survey.columns if c in set(cfg.survey.item_codes)]
    flags = screen(survey, items)
    counts = summary(flags)
    report.screening = flags.assign(response_id=survey["response_id"])
    if not counts.get("flagged"):
        return survey
    shown = ", ".join(
        f"{n:,} {rule.replace('_', '-')}" for rule, n in counts.items() if rule != "flagged" and n
    )
    action = (
        "left out (survey.screening: exclude)"
        if cfg.screening == "exclude"
        else "kept and flagged in the quality column; set survey.screening: exclude to "
        "leave them out"
    )
    report.notes.append(
        f"survey screening: {counts['flagged']:,} of {len(survey):,} responses "
        f"look unreliable ({shown}); {action}"
    )
    survey = survey.assign(quality=flags["reasons"])
    if cfg.screening == "exclude":
        survey = survey[flags["reasons"] == ""]
    return survey
