"""One notebook's job in a run and what came of it: the :class:`Task` a worker process runs
(:func:`.execute.execute_one`), its :class:`PageResult` and, when it did not run through, its
:class:`PageError`.

Light on purpose: the worker processes import it before anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to run one notebook and export its page."""

    name: str  # the notebook's stem, e.g. "03_churn"
    input: Path  # the notebook to run
    output_ipynb: Path  # the executed notebook, in the run's work folder
    output_html: Path  # its page
    parameters: dict  # papermill's parameters (the plan of .parameters)
    cwd: Path  # where the kernel runs (the notebooks' folder)
    kernel: str = "cxreport"
    month: str = ""
    data_source: str = ""  # the data folder's name (a reader needs no server path)
    show_code: bool = False
    generated: str = ""  # when the run started, ISO 8601
    start_timeout: int = 120
    execution_timeout: int | None = 1800
    ipc: bool = True  # IPC sockets for the kernel where the platform has them
    data_copy: str = ""  # the checked tables the kernel reads (.datacopy), "" for none
    memory_limit: int = 0  # bytes the kernel may hold, 0 for no limit
    lang: str = "en"
    log: str = ""  # the run's run.log, "" for none
    threads: int = 0  # BLAS/OpenMP threads for the kernel, 0 for the library default


@dataclass(frozen=True)
class PageError:
    """Why a notebook did not run through: papermill's cell and exception, or what stopped
    the kernel (``memory``: it ran out of, or went over its limit of, memory)."""

    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    memory: bool = False

    def as_dict(self) -> dict:
        """The manifest's form (``memory`` only when it is so).

        Returns
        -------
        dict
            ``cell_index``, ``execution_count``, ``ename``, ``evalue`` and, when set, ``memory``.
        """
        row = {
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "ename": self.ename,
            "evalue": self.evalue,
        }
        return {**row, "memory": True} if self.memory else row


def error_line(err: PageError | None) -> str:
    """``cell In [7]: ValueError: message`` — one line ("" for no error).

    Parameters
    ----------
    err : PageError or None
        Why the notebook did not run through; None for no error.

    Returns
    -------
    str
        Where (the cell) and what, whitespace collapsed, at most 300 characters of message.
    """
    if err is None:
        return ""
    where = ""
    if err.execution_count is not None:
        where = f"cell In [{err.execution_count}]"
    elif err.cell_index is not None:
        where = f"cell #{err.cell_index + 1}"
    # "the kernel ran out of memory (9.3 GB)" says it all
    msg = err.evalue if err.memory else f"{err.ename}: {err.evalue}".strip()
    msg = " ".join(msg.split())
    if len(msg) > 300:
        msg = msg[:297] + "..."
    return f"{where}: {msg}" if where else msg


@dataclass
class PageResult:
    """What running one notebook gave: ``status`` ``"ok"``, ``"skipped"`` (the analysis
    cannot run on this folder: ``error`` says why) or ``"failed"``."""

    name: str
    status: str = "ok"
    error: PageError | None = None
    attempts: int = 0
    transport: str | None = None  # "ipc" or "tcp": the kernel's last transport
    duration_s: float = 0.0  # running the notebook
    export_s: float = 0.0  # writing its page
    metrics: dict | None = field(default=None, repr=False)  # the page's KPIs (.indexpage)
    title: str = ""

    @property
    def fine(self) -> bool:
        """Ran, or was skipped because it does not apply: not a failure.

        Returns
        -------
        bool
            True when ``status`` is ``"ok"`` or ``"skipped"``.
        """
        return self.status in ("ok", "skipped")
