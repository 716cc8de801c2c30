"""Which notebooks a report runs (the checkout's ``notebooks/`` folder and ``--only``), and the
settings each shipped notebook declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import CxReportError, ParameterError
from ..i18n import N_
from ..settings import Setting, check


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the checkout the package runs from, else of the current directory.

    With the usual editable install (``pip install -e .``) the package sits in
    ``<checkout>/src/cxreport`` and its notebooks in ``<checkout>/notebooks``: the notebooks
    that match the code. Otherwise (a wheel install), ``./notebooks``.

    Returns
    -------
    pathlib.Path
    """
    # this file is <checkout>/src/cxreport/report/notebooks.py
    here = Path(__file__).resolve().parents[3] / "notebooks"
    if here.is_dir() and any(here.glob("*.ipynb")):
        return here
    return Path.cwd() / "notebooks"


def find_notebooks(notebooks_dir: str | Path, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, sorted; ``only`` names match the stem, the file name, or the stem
    without its number (``churn`` selects ``03_churn.ipynb``).

    Parameters
    ----------
    notebooks_dir : str or pathlib.Path
        The notebooks folder; its ``*.ipynb`` (not hidden ones) are the candidates.
    only : list of str or None, default=None
        Names to select (``--only``), case ignored; None or empty selects every notebook.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    CxReportError
        The folder does not exist or holds no notebook.
    ParameterError
        A name of ``only`` matches no notebook.
    """
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise CxReportError(
            f"The notebooks folder {folder} does not exist; give it with --notebooks DIR."
        )
    books = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not books:
        raise CxReportError(f"The notebooks folder {folder} holds no .ipynb file.")
    if not only:
        return books

    def names(p: Path) -> set[str]:
        """The names that select notebook ``p``, lower-case.

        Parameters
        ----------
        p : pathlib.Path
            The notebook.

        Returns
        -------
        set of str
            Its stem, its file name and its stem without the leading number.
        """
        stem = p.stem
        short = stem.split("_", 1)[1] if "_" in stem and stem.split("_", 1)[0].isdigit() else stem
        return {stem.lower(), p.name.lower(), short.lower()}

    chosen, unknown = [], []
    for name in only:
        hits = [p for p in books if name.lower() in names(p)]
        if not hits:
            unknown.append(name)
        for p in hits:
            if p not in chosen:
                chosen.append(p)
    if unknown:
        raise ParameterError(
            f"--only: no notebook named {', '.join(map(repr, unknown))} in {folder}; "
            f"choose from {', '.join(p.stem for p in books)}."
        )
    return sorted(chosen)


# --------------------------------------------------------------------------------------------
# the shipped notebooks and their settings, declared once
# --------------------------------------------------------------------------------------------

#: Settings every notebook has; the runner sets all but ``seed`` itself.
COMMON = (
    Setting(
        "data_dir",
        str,
        "../data/sample",
        "data folder: CSV/Parquet tables and cxreport.yaml",
        runner=True,
    ),
    Setting("month", str, "2026-10", "reporting month, YYYY-MM", runner=True),
    Setting("seed", int, 42, "seed for every random step", low=0),
    Setting(
        "export_dir",
        str,
        "",
        "folder for exported tables (empty: no export; set by cxreport run)",
        runner=True,
    ),
    Setting(
        "history_dir",
        str,
        "",
        "folder holding earlier months' reports (empty: none; set by cxreport run)",
        runner=True,
    ),
    Setting("show_ids", bool, False, "show real customer ids instead of pseudonyms", runner=True),
    Setting("id_key", str, "", "key for customer pseudonyms (set by cxreport run)", runner=True),
    Setting(
        "lang",
        str,
        "",
        "report language, en or zh (empty: report.lang of cxreport.yaml, else en)",
        choices=("", "en", "zh"),
        runner=True,
    ),
)
#: The segmentation's settings, handed to every other page so that all show the same segments.
SEGMENT_SETTINGS = Setting(
    "segment_settings",
    dict,
    {},
    "the settings of 02_segments (k, k_min, k_max, n_boot, min_jaccard), so that every page "
    "shows the same segments (set by cxreport run)",
    runner=True,
)


@dataclass(frozen=True)
class Declared:
    """A shipped notebook: its title and the analysis settings it exposes.

    ``parts`` are ``(module, {analysis name: notebook name})``: the module's ``SETTINGS``,
    renamed where the notebook needs another name, and its ``check_settings`` for the rules
    that span settings (``k_max`` at least ``k_min``).
    """

    name: str
    title: str
    parts: tuple[tuple[str, dict], ...]
    #: ``"shown"``: the page shows the run's segments (it takes ``segment_settings``);
    #: ``"made"``: the segmentation page; ``""``: a page without segments
    segments: str = "shown"
    #: Its typical run time, in seconds (1M customers, 2 cores: ``benchmarks/bench_report.py``):
    #: the order of a first run, before any report has timed it (:func:`.execute.run_order`)
    cost: float = 0.0

    def _modules(self):
        import importlib

        return [(importlib.import_module(f"cxreport.{m}"), renames) for m, renames in self.parts]

    @property
    def own(self) -> tuple[Setting, ...]:
        """The analysis settings, in the parameters cell's order.

        Returns
        -------
        tuple of Setting
        """
        return tuple(
            s.renamed(renames.get(s.name, s.name))
            for module, renames in self._modules()
            for s in module.SETTINGS
        )

    @property
    def settings(self) -> tuple[Setting, ...]:
        """Every parameter of the notebook: the common ones, then its own.

        Returns
        -------
        tuple of Setting
            :data:`COMMON`, :data:`SEGMENT_SETTINGS` when ``segments`` is ``"shown"``, then
            :attr:`own`.
        """
        return COMMON + ((SEGMENT_SETTINGS,) if self.segments == "shown" else ()) + self.own

    def defaults(self) -> dict:
        """The default of every parameter of the notebook.

        Returns
        -------
        dict
            ``{name: default}`` for each of :attr:`settings`.
        """
        return {s.name: s.default for s in self.settings}

    def check(self, values: dict) -> dict:
        """Every value checked against its declaration and the analyses' own rules; the
        checked values (all settings, defaults filled in).

        Parameters
        ----------
        values : dict
            ``{parameter: value}`` for some or all of the notebook's parameters.

        Returns
        -------
        dict
            ``{parameter: checked value}`` for every one of :attr:`settings`.

        Raises
        ------
        ParameterError
            A value breaks its declaration or a rule of the analyses.
        """
        merged = {**self.defaults(), **values}
        checked = check(self.settings, merged, owner=self.name)
        for module, renames in self._modules():
            back = {v: k for k, v in renames.items()}
            own = {back.get(k, k): v for k, v in checked.items()}
            try:
                module.check_settings(**{s.name: own[s.name] for s in module.SETTINGS})
            except ParameterError as exc:
                raise ParameterError(
                    str(exc).replace(" parameter ", f" parameter of {self.name} ", 1)
                ) from None
        return checked

    def parameters_cell(self) -> str:
        """The source of the notebook's ``parameters`` cell.

        Returns
        -------
        str
            One line per setting of :attr:`settings`.
        """
        return "\n".join(s.line() for s in self.settings)


#: The notebooks cxreport ships, by stem.
DECLARED = {
    d.name: d
    for d in (
        Declared("01_swot", N_("SWOT scoring"), (("swot", {}),), cost=56),
        Declared("02_segments", N_("Customer segmentation"), (("segments", {}),), "made", 100),
        Declared("03_churn", N_("Churn prediction"), (("churn", {}),), cost=75),
        Declared("04_csi", N_("Customer satisfaction index (CSI)"), (("csi", {}),), cost=51),
        Declared(
            "05_nps_sqi",
            N_("NPS, service-quality index and Moments of Truth"),
            (
                ("nps", {}),
                ("sqi", {"freq": "sqi_freq"}),
                ("mot", {"window_months": "mot_window_months"}),
                ("text", {}),
            ),
            cost=44,
        ),
        Declared(
            "06_complaints",
            N_("Complaint handling and service recovery"),
            (("complaints", {}), ("text", {})),
            "",
            25,
        ),
    )
}


def readme_table(name: str) -> str:
    """The README's Markdown table of a notebook's own settings (``"common"``: the settings
    every notebook has).

    Parameters
    ----------
    name : str
        A shipped notebook's stem (a key of :data:`DECLARED`) or ``"common"``.

    Returns
    -------
    str
        The table, ending with a newline.
    """
    settings = (*COMMON, SEGMENT_SETTINGS) if name == "common" else DECLARED[name].own
    rows = ["| parameter | type | default | allowed | what it does |", "|---|---|---|---|---|"]
    for s in settings:
        allowed = s.allowed() if s.choices or s.type in (int, float) else ""
        if s.runner:
            allowed = "set by `cxreport run`"
        rows.append(
            f"| `{s.name}` | {s.type_name} | `{s.literal()}` | {allowed.replace('|', '/')} "
            f"| {s.help} |"
        )
    return "\n".join(rows) + "\n"


def write_declarations(checkout: Path) -> list[str]:
    """Write the declarations into a checkout: each shipped notebook's ``parameters`` cell and
    the README's parameter tables (``python -m cxreport.report.notebooks``). Returns what
    changed.

    Parameters
    ----------
    checkout : pathlib.Path
        The checkout's root, holding ``notebooks/`` and ``README.md``.

    Returns
    -------
    list of str
        The paths of the files rewritten.
    """
    import re

    import nbformat

    changed = []
    for name, declared in DECLARED.items():
        path = checkout / "notebooks" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        if cell.source != declared.parameters_cell():
            cell.source = declared.parameters_cell()
            nbformat.write(nb, path)
            changed.append(str(path))
    readme = checkout / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = re.sub(
        r"(<!-- parameters of (\S+) -->\n).*?(<!-- end -->)",
        lambda m: m.group(1) + readme_table(m.group(2)) + m.group(3),
        text,
        flags=re.S,
    )
    if new != text:
        readme.write_text(new, encoding="utf-8")
        changed.append(str(readme))
    return changed


if __name__ == "__main__":  # pragma: no cover - a developer's command
    for path in write_declarations(Path(__file__).resolve().parents[3]):
        print(f"updated {path}")
