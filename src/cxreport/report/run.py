"""``cxreport run``: the monthly report, headless.

Order of work, so that a user mistake never starts a kernel:

1. select the notebooks (``notebooks/*.ipynb``, sorted; ``--only``: :mod:`.notebooks`), read
   each parameters cell with :func:`papermill.inspect_notebook`, check and coerce ``--param``
   values by the declared types (:func:`.parameters.plan_parameters`);
2. validate the data folder against the data contract, once, in a process of its own that
   stores the typed tables for the kernels and exits (:mod:`.datacopy`);
3. execute the notebooks with papermill in parallel processes (:mod:`.execute`: kernel
   ``cxreport``, working directory the notebooks folder, kernel transport IPC where the
   platform has it), export each to HTML (:mod:`.htmlexport`);
4. with ``--only``, copy in what the month's report holds of the other notebooks
   (:mod:`.partial`); write ``metrics.json``, ``manifest.json``, ``index.html``
   (:mod:`.indexpage`), the one-file ``report.html`` (:mod:`.combined`) and the workbook
   ``report.xlsx`` (:mod:`.workbook`);
5. replace the real customer ids in every file but the exports (and the workbook, which holds
   them), scan them all again and record the scan in the manifest (:func:`protect`,
   :mod:`.idguard`);
6. with ``--pdf``, print the scrubbed ``report.html`` as ``report.pdf`` (:mod:`.pdf`);
7. move the month's folder into place.

One run of a month into an ``OUT`` at a time: a run holds ``OUT/.<month>.lock``
(:func:`month_lock`) from before it reads the data until its report is in place, and a second
one is refused at once.

Where the report goes:

Everything is written into ``OUT/.<month>.tmp-<random>/`` and moved at the end; meanwhile the
run holds a lock on ``OUT/.<month>.tmp-<random>.lock`` (released however the run ends, even by
SIGKILL), so that the next run can tell a dead run's hidden folders from a live one's and remove
them (:func:`remove_stale`):

- all notebooks ok (of the merged report, for a run with ``--only``) → it replaces
  ``OUT/<month>/`` (and any ``OUT/<month>.failed/``);
- a notebook failed → if ``OUT/<month>/`` holds a report whose notebooks all succeeded, it is
  kept and the new run goes to ``OUT/<month>.failed/``; otherwise (no report yet, or the
  previous one failed too) the new run becomes ``OUT/<month>/``. Exit code 1 either way;
- the PDF could not be made (``--pdf`` without a browser): the report is placed as if the
  PDF had not been asked for, without one, and the run exits 1 with the reason
  (:attr:`RunResult.pdf_error`);
- interrupted (Ctrl-C or SIGTERM: :mod:`.signals`) or crashed → the kernels are stopped, the
  temporary folder is removed, ``OUT/<month>/`` is untouched. Exit code 130 for Ctrl-C, 143 for
  SIGTERM.

The pseudonym key lives in ``OUT/.cxreport-id-key`` (created once, mode 0600), so a customer
keeps the same pseudonym from month to month; it never appears in the HTML, and the executed
notebooks and the manifest show it redacted.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata as _metadata
from pathlib import Path

from .. import i18n
from .._version import __version__
from ..data import parse_month
from ..errors import CxReportError, DataError, ParameterError, PdfError
from ..i18n import _
from . import signals
from .combined import REPORT_HTML, write_combined
from .datacopy import check_and_store, customer_ids
from .execute import (
    KERNEL,
    REDACTED,
    Workers,
    default_memory_limit,
    execute_all,
    kernels_at_once,
    parse_memory_limit,
    size_text,
)
from .logs import RUN_LOG, run_logging
from .notebooks import default_notebooks_dir, find_notebooks
from .pages import PageResult, Task, error_line
from .parameters import plan_parameters
from .partial import Kept, keep_previous
from .pdf import REPORT_PDF, print_pdf
from .progress import Progress
from .workbook import WORKBOOK, exported_tables, written_aside

KEY_FILE = ".cxreport-id-key"
DATA_COPY = ".data"  # the checked tables for the kernels, inside the run's temporary folder
# a run's hidden folders: its work folder, and the previous report while it is swapped out
_HIDDEN = re.compile(r"\.(?P<month>\d{4}-\d{2})\.(?P<kind>tmp|old)-(?P<token>[0-9a-f]+)")
EXIT_OK, EXIT_FAILED = 0, 1  # and 2 for a user mistake, 130 / 143 for Ctrl-C / SIGTERM (cli)
log = logging.getLogger(__name__)
_VERSIONS = (
    "cxreport",
    "papermill",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "ipykernel",
    "nbformat",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "pandera",
    "bleach",
    "xlsxwriter",
    "playwright",
)


@dataclass
class RunResult:
    """What :func:`run_report` did."""

    month: str
    folder: Path  # where the new report was put
    status: str  # "ok" or "failed"
    notebooks: list[PageResult] = field(default_factory=list)
    kept_previous: bool = False
    leak_caught: int = 0
    pdf_error: str | None = None  # why report.pdf was not made (None: made, or not asked for)

    @property
    def exit_code(self) -> int:
        """The run's exit code: :data:`EXIT_OK` when ``status`` is ``"ok"`` and ``pdf_error``
        is None, else :data:`EXIT_FAILED`.

        Returns
        -------
        int
        """
        return EXIT_OK if self.status == "ok" and self.pdf_error is None else EXIT_FAILED

    @property
    def index(self) -> Path:
        """The report's ``index.html``.

        Returns
        -------
        pathlib.Path
        """
        return self.folder / "index.html"


def id_key(out: str | Path) -> str:
    """The output root's pseudonym key, created on first use (``OUT/.cxreport-id-key``, 0600).

    Parameters
    ----------
    out : str or pathlib.Path
        The output root (created if need be).

    Returns
    -------
    str
        The key, 64 hex digits when made here.

    Raises
    ------
    CxReportError
        The key file holds fewer than 32 characters.
    """
    path = Path(out) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise CxReportError(
                f"{path} is damaged (too short); delete it to make a new key "
                "(pseudonyms will change)."
            ) from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def previous_good(folder: Path) -> bool:
    """Does ``folder`` hold a finished report whose notebooks all succeeded?

    Parameters
    ----------
    folder : pathlib.Path
        A month's report folder.

    Returns
    -------
    bool
        True when its ``manifest.json`` reads ``"status": "ok"``; False when it is missing or
        unreadable.
    """
    try:
        return json.loads((folder / "manifest.json").read_text())["status"] == "ok"
    except (OSError, ValueError, KeyError, TypeError):
        return False


def place(tmp: Path, out: Path, month: str, status: str) -> tuple[Path, bool]:
    """Move the finished run into place; return (its folder, whether the previous was kept).

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder, holding the finished report.
    out : pathlib.Path
        The output root.
    month : str
        The report month, ``"YYYY-MM"``.
    status : str
        The report's status, ``"ok"`` or ``"failed"`` (:attr:`RunRecord.report_status`).

    Returns
    -------
    tuple of (pathlib.Path, bool)
        ``OUT/<month>`` or ``OUT/<month>.failed``, and True when the previous report was kept
        (the new one then went to ``.failed``).
    """
    final = out / month
    failed_dir = out / f"{month}.failed"
    if status != "ok" and final.exists() and previous_good(final):
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        os.replace(tmp, failed_dir)
        return failed_dir, True
    old = None
    if final.exists():
        # named after the run, so that should it die right here the next run puts it back
        old = out / tmp.name.replace(".tmp-", ".old-", 1)
        if old == tmp:
            old = out / f".{month}.old-{secrets.token_hex(4)}"
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    if status == "ok" and failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    return final, False


def _lock_path(out: Path, month: str, token: str) -> Path:
    return out / f".{month}.tmp-{token}.lock"


def check_out(out: Path, data: Path) -> None:
    """Refuse an output folder the report cannot or must not be written to: inside the data
    folder (the reports, and their key, would be read and hashed as data), a file, or a
    folder without write permission.

    Parameters
    ----------
    out : pathlib.Path
        The output root, resolved.
    data : pathlib.Path
        The data folder, resolved.

    Raises
    ------
    ParameterError
    """
    if out.is_relative_to(data):
        raise ParameterError(
            f"--out {out} is inside the data folder {data}; choose a folder outside it "
            "(e.g. --out reports beside the data folder)."
        )
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ParameterError(f"--out {out}: {existing} is a file, not a folder.")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(f"--out {out}: {existing} cannot be written to (permission).")


def lock_run(tmp: Path) -> int | None:
    """Create and lock the run's lock file beside ``tmp`` (before ``tmp`` exists); returns the
    descriptor to pass to :func:`unlock_run`, ``None`` where there are no file locks.

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder, ``OUT/.<month>.tmp-<token>``.

    Returns
    -------
    int or None
    """
    try:
        import fcntl
    except ImportError:  # Windows: no stale-folder cleanup
        return None
    m = _HIDDEN.fullmatch(tmp.name)
    assert m is not None, tmp
    fd = os.open(_lock_path(tmp.parent, m["month"], m["token"]), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # released by the system when the run dies
    return fd


def unlock_run(tmp: Path, fd: int | None) -> None:
    """Remove the run's lock file (after its folder is gone or moved) and release it.

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder, as given to :func:`lock_run`.
    fd : int or None
        What :func:`lock_run` returned; None does nothing.
    """
    if fd is None:
        return
    m = _HIDDEN.fullmatch(tmp.name)
    with contextlib.suppress(OSError):
        _lock_path(tmp.parent, m["month"], m["token"]).unlink()
    os.close(fd)


def _run_alive(lock: Path) -> bool:
    """Does a live run hold ``lock``? (No file locks here: assume so, and leave its folders.)"""
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return True
        raise
    finally:
        os.close(fd)  # also releases a lock just taken
    return False


def _month_lock_path(out: Path, month: str) -> Path:
    return out / f".{month}.lock"


def lock_month(out: Path, month: str) -> int | None:
    """Lock ``OUT/.<month>.lock`` for the run and write the runner's pid into it, or refuse
    at once when another run of the month into ``out`` holds it. Returns the descriptor to
    pass to :func:`unlock_month` (``None`` where there are no file locks); the system
    releases the lock however the run ends, even by SIGKILL.

    Parameters
    ----------
    out : pathlib.Path
        The output root.
    month : str
        The report month, ``"YYYY-MM"``.

    Returns
    -------
    int or None

    Raises
    ------
    CxReportError
        Another run holds the lock (the message gives its pid when the file has it).
    """
    try:
        import fcntl
    except ImportError:  # Windows: no month lock
        return None
    path = _month_lock_path(out, month)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            pid = f" (pid {holder})" if holder.isdigit() else ""
            raise CxReportError(
                f"another cxreport run of {month} into {out} is running{pid}; "
                "wait for it or use another --out."
            ) from None
        try:  # still the file at that path, not one that a run ending just removed?
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def unlock_month(out: Path, month: str, fd: int | None) -> None:
    """Remove the month's lock file, then release the lock (in this order, so that no run
    locks a file on its way out).

    Parameters
    ----------
    out : pathlib.Path
        The output root.
    month : str
        The report month, ``"YYYY-MM"``.
    fd : int or None
        What :func:`lock_month` returned; None does nothing.
    """
    if fd is None:
        return
    with contextlib.suppress(OSError):
        _month_lock_path(out, month).unlink()
    os.close(fd)


def remove_stale(out: Path) -> list[str]:
    """Remove the hidden folders that dead runs left in ``out`` (a run killed by SIGKILL, or a
    machine that went down): work folders ``.<month>.tmp-*``; a previous report swapped out as
    ``.<month>.old-*`` goes back to ``<month>/`` if that is missing, else is removed. Folders
    of a live run (it holds its lock) are left alone. Returns what was done, one line each.

    Parameters
    ----------
    out : pathlib.Path
        The output root; nothing is done when it is not a folder.

    Returns
    -------
    list of str
    """
    done: list[str] = []
    if not out.is_dir():
        return done
    for entry in sorted(out.iterdir()):
        m = _HIDDEN.fullmatch(entry.name)
        if m is None or not entry.is_dir() or _run_alive(_lock_path(out, m["month"], m["token"])):
            continue
        final = out / m["month"]
        if m["kind"] == "old" and not final.exists():
            os.replace(entry, final)
            done.append(f"put back {final.name}/, swapped out by a run that died")
        else:
            shutil.rmtree(entry, ignore_errors=True)
            done.append(f"removed {entry.name}/, left by a run that died")
    for lock in sorted(out.glob(".*.tmp-*.lock")):
        m = _HIDDEN.fullmatch(lock.name.removesuffix(".lock"))
        if m and not (out / lock.name.removesuffix(".lock")).exists() and not _run_alive(lock):
            with contextlib.suppress(OSError):
                lock.unlink()
    return done


@signals.handled()  # SIGINT and SIGTERM raise signals.Interrupted, never mid-way in the pool
def run_report(
    *,
    data_dir: str | Path,
    month: str,
    out: str | Path,
    only: list[str] | None = None,
    jobs: int | None = None,
    memory_limit: str | int | None = None,
    params: dict[str, str] | None = None,
    show_code: bool = False,
    show_ids: bool = False,
    pdf: bool = False,
    lang: str = "",
    notebooks_dir: str | Path | None = None,
    kernel: str = KERNEL,
    start_timeout: int = 120,
    execution_timeout: int | None = 1800,
    ipc: bool = True,
    stream=None,
    tty: bool | None = None,
    log_level: int = logging.INFO,
) -> RunResult:
    """Run the monthly report; see the module docstring for where it goes.

    Parameters
    ----------
    data_dir : path
        The data folder.
    month : str
        Reporting month ``YYYY-MM``.
    out : path
        Output root; the report goes to ``out/<month>/``.
    only : list of str, optional
        Notebook names to run (default: all of ``notebooks_dir``).
    jobs : int, optional
        Parallel notebooks (default: number of cores).
    memory_limit : str or int, optional
        What one kernel may hold: ``"4G"``, ``"300M"``, bytes; ``0`` = no limit (default:
        75 % of the machine's memory divided by the kernels running at once). A kernel that
        goes over it is stopped and its notebook fails, not retried.
    params : dict of str, optional
        ``--param`` values as strings, coerced by each notebook's declared types.
    show_code, show_ids : bool, default=False
        Include code / real customer ids in the HTML.
    pdf : bool, default=False
        Also print the report as ``report.pdf`` (needs Chromium; :mod:`.pdf`).
    lang : {"", "en", "zh"}, default=""
        The report's language (``--lang``); empty: the data folder's ``report.lang``, else
        English.
    notebooks_dir : path, optional
        Default :func:`default_notebooks_dir`.
    kernel : str, default=KERNEL
        The Jupyter kernel the notebooks run on (``"cxreport"``, registered by ``make setup``).
    start_timeout : int, default=120
        Seconds to wait for a kernel to start (papermill's ``start_timeout``).
    execution_timeout : int or None, default=1800
        Seconds one cell may run (papermill's ``execution_timeout``); None for no limit.
    ipc : bool, default=True
        Kernel transport IPC where the platform has it; False for TCP.
    stream : file, optional
        Where progress and messages go (default ``sys.stderr``); ``tty`` (default: whether it
        is a terminal) chooses the live display or plain lines (:mod:`.progress`).
    tty : bool, optional
        Whether ``stream`` is a terminal (default: ``stream.isatty()``, False without one).
    log_level : int, default=logging.INFO
        The console's level (``DEBUG`` adds each cell, ``WARNING`` leaves only problems);
        ``run.log`` in the report always has everything from DEBUG (:mod:`.logs`).

    Returns
    -------
    RunResult
        The month, the folder the report went to, its status, each notebook's result, whether
        the previous report was kept, the ids replaced in the pages and any PDF error.

    Raises
    ------
    CxReportError
        For user mistakes (bad month, data, parameters), before any kernel starts.
    signals.Interrupted
        On SIGINT (Ctrl-C) or SIGTERM, after stopping the kernels and removing the temporary
        folder (a :class:`KeyboardInterrupt`; ``exit_code`` 130 or 143).
    """
    stream = sys.stderr if stream is None else stream
    if tty is None:
        tty = bool(getattr(stream, "isatty", lambda: False)())
    spoken = i18n.language()
    with run_logging(stream, tty, log_level) as run_log:
        plan = _plan(
            data_dir, month, out, only=only, jobs=jobs, memory_limit=memory_limit,
            params=params, notebooks_dir=notebooks_dir, lang=lang, pdf=pdf, show_code=show_code,
            show_ids=show_ids, kernel=kernel, start_timeout=start_timeout,
            execution_timeout=execution_timeout, ipc=ipc,
        )  # fmt: skip
        month, out, tmp = plan.month, plan.out, plan.tmp
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        held = lock_month(out, month)  # refused at once while a run of the month is live
        lock = workers = None
        try:
            for line in remove_stale(out):
                log.info(line)
            lock = lock_run(tmp)
            # The workers start now, to import what they need while the data are checked.
            workers = Workers(plan.kernels)
            record, caught, pdf_error = _make_report(plan, workers, run_log)
            with signals.held():  # a signal waits until the report is in place, never half-moved
                folder, kept_previous = place(tmp, out, month, record.report_status)
            log.debug(
                "report %s in %s%s",
                record.status,
                folder,
                " (the previous one kept)" * kept_previous,
            )
        except BaseException:
            with contextlib.suppress(signals.Interrupted), signals.held():  # a 2nd Ctrl-C: ignored
                if workers is not None:
                    workers.stop()  # before removing tmp: they may be writing into it
                shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            i18n.set_language(spoken)  # the caller's language, whatever the report's
            unlock_run(tmp, lock)
            unlock_month(out, month, held)
            if created:  # a run refused before writing anything leaves no folder behind
                with contextlib.suppress(OSError):
                    out.rmdir()  # only if empty
        return RunResult(
            month, folder, record.status, record.results, kept_previous, caught, pdf_error
        )


@dataclass(frozen=True)
class RunPlan:
    """A run as its arguments give it, checked before anything is written."""

    month: str
    data: Path  # the data folder, resolved
    out: Path  # the output root, resolved
    tmp: Path  # the run's work folder, ``OUT/.<month>.tmp-<random>``
    notebooks_dir: Path
    notebooks: list[Path]
    kernels: int  # kernels at once (worker processes)
    memory_limit: int  # bytes a kernel may hold, 0 for no limit
    parameters: dict[str, dict]  # each notebook's parameters (:func:`.plan_parameters`)
    generated: str  # when the run started, ISO 8601
    lang: str  # --lang as given ("": the folder's report.lang, else English)
    jobs: int | None  # --jobs as given
    partial: bool  # --only: the previous report's other notebooks are kept
    pdf: bool
    show_code: bool
    show_ids: bool
    kernel: str
    start_timeout: int
    execution_timeout: int | None
    ipc: bool


def _plan(
    data_dir, month, out, *, only, jobs, memory_limit, params, notebooks_dir, lang, **options
) -> RunPlan:
    """Check the month, the folders, the notebooks, ``--jobs``, the memory limit and every
    notebook's parameters (:class:`~cxreport.errors.CxReportError` before any kernel)."""
    parse_month(month)
    month = month.strip()
    data = Path(data_dir).resolve()
    out = Path(out).resolve()
    check_out(out, data)
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    notebooks = find_notebooks(nb_dir, only)
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be a positive whole number; got {jobs}.")
    limit = parse_memory_limit(memory_limit)
    kernels = kernels_at_once(jobs, len(notebooks))
    if limit is None:
        limit = default_memory_limit(kernels)
    log.debug("cxreport %s: %s, data %s, out %s", __version__, month, data, out)
    log.debug("memory limit per kernel: %s", size_text(limit) if limit else "none")
    tmp = out / f".{month}.tmp-{secrets.token_hex(8)}"
    runner_values = {
        "data_dir": str(data),
        "month": month,
        "export_dir": str(tmp),
        "history_dir": str(out),
        "show_ids": bool(options["show_ids"]),
        "id_key": "",
        "lang": lang,
    }
    plans = plan_parameters(notebooks, dict(params or {}), runner_values)
    for name, values in plans.items():
        log.debug("%s parameters: %s", name, {k: v for k, v in values.items() if k != "id_key"})
    generated = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return RunPlan(
        month, data, out, tmp, nb_dir, notebooks, kernels, limit, plans, generated, lang, jobs,
        partial=bool(only), **options,
    )  # fmt: skip


def _tasks(plan: RunPlan, lang: str) -> list[Task]:
    """One task per notebook, for the workers (:func:`.execute.execute_one`)."""
    return [
        Task(
            name=nb.stem,
            input=nb,
            output_ipynb=plan.tmp / nb.name,
            output_html=plan.tmp / f"{nb.stem}.html",
            parameters=plan.parameters[nb.stem],
            cwd=plan.notebooks_dir,
            kernel=plan.kernel,
            month=plan.month,
            data_source=plan.data.name,  # by its name: a reader needs no server path
            show_code=plan.show_code,
            generated=plan.generated,
            start_timeout=plan.start_timeout,
            execution_timeout=plan.execution_timeout,
            ipc=plan.ipc,
            data_copy=str(plan.tmp / DATA_COPY),
            memory_limit=plan.memory_limit,
            lang=lang,
            log=str(plan.tmp / RUN_LOG),
            threads=max(1, (os.cpu_count() or 1) // plan.kernels),
        )
        for nb in plan.notebooks
    ]


def _record(plan, cfg, lang, results, wall, files, shaping, kept) -> RunRecord:
    """The finished run, for the report's files."""
    return RunRecord(
        title=str(cfg.report.get("title") or _("Customer-experience report")),
        currency=str(cfg.report.get("currency") or ""),
        pdf=plan.pdf,
        lang=lang,
        month=plan.month,
        generated=plan.generated,
        status="ok" if all(r.fine for r in results) else "failed",
        wall_s=wall,
        data=plan.data,
        out=plan.out,
        notebooks_dir=plan.notebooks_dir,
        jobs=plan.jobs,
        memory_limit=plan.memory_limit,
        show_code=plan.show_code,
        show_ids=plan.show_ids,
        notebooks=plan.notebooks,
        results=results,
        plans=plan.parameters,
        files=files,
        shaping=shaping,
        partial=plan.partial,
        kept=kept,
    )


def _make_report(plan: RunPlan, workers: Workers, run_log) -> tuple[RunRecord, int, str | None]:
    """Check the data, run the notebooks in ``workers`` and write the report into the work
    folder; returns the run, the ids replaced in its pages and why the PDF was not made."""
    files, cfg, shaping = _check_data(plan)
    # Only now, with data and parameters checked, write anything (the key file too).
    key = id_key(plan.out)
    lang = i18n.report_language(plan.lang, cfg.report)
    for p in plan.parameters.values():
        if "id_key" in p:
            p["id_key"] = key
        if "lang" in p:
            p["lang"] = lang
    i18n.set_language(lang)  # the index, workbook and PDF too

    plan.tmp.mkdir(parents=True, exist_ok=True)
    run_log.to_file(plan.tmp / RUN_LOG)
    tasks = _tasks(plan, lang)
    t_start = time.perf_counter()
    progress = Progress([t.name for t in tasks], run_log.console)
    try:
        results = execute_all(tasks, workers=workers, progress=progress, out=plan.out)
    finally:
        progress.close()  # the terminal's cursor back, however the run ends
    wall = time.perf_counter() - t_start

    ids = None if plan.show_ids else customer_ids(plan.tmp / DATA_COPY)
    shutil.rmtree(plan.tmp / DATA_COPY, ignore_errors=True)
    kept = (
        keep_previous(plan.out / plan.month, plan.tmp, {t.name for t in tasks})
        if plan.partial
        else None
    )
    if kept is not None:
        names = ", ".join(sorted(kept.names)) or "no notebook"
        log.info("kept from %s: %s (%d files)", plan.out / plan.month, names, len(kept.files))
    record = _record(plan, cfg, lang, results, wall, files, shaping, kept)
    caught, pdf_error = _write_report(plan.tmp, record, ids, key)
    return record, caught, pdf_error


def _check_data(plan: RunPlan) -> tuple[dict[str, Path], object, dict]:
    """Check the data folder in a process of its own, which stores the tables (typed) for the
    kernels in the work folder and exits: the runner holds no table while the notebooks run.
    A folder that is not valid, or has no data in the month, leaves no usable copy (what it
    stored goes with the work folder). Returns the tables' files, the folder's config and
    what its ``cxreport.yaml`` shaped."""
    files, cfg, report = check_and_store(plan.data, plan.tmp / DATA_COPY, plan.month)
    if not report.ok:
        raise DataError(report)
    log.info("data folder %s: %d tables valid", plan.data, len(files))
    return files, cfg, {"sources": report.sources, "steps": report.shaping, "notes": report.notes}


def _write_report(
    tmp: Path, record: RunRecord, ids: list | None, key: str
) -> tuple[int, str | None]:
    """Write the report's files into ``tmp``, the workbook beside them, scrub the ids, print
    the PDF; returns the ids replaced in the pages and why the PDF was not made."""
    book = {"title": record.title, "month": record.month, "currency": record.currency}
    with written_aside(tmp / WORKBOOK, workbook_tables(tmp, record), **book):
        write_outputs(tmp, record)
        caught = 0 if record.show_ids else protect(tmp, record, ids, key)
        pdf_error = write_pdf(tmp, record) if record.pdf else None
    return caught, pdf_error


# --------------------------------------------------------------------------- the outputs


@dataclass(frozen=True)
class RunRecord:
    """One finished run, as ``metrics.json``, ``manifest.json`` and ``index.html`` tell it."""

    title: str  # the report's title (cxreport.yaml ``report.title``)
    currency: str  # cxreport.yaml ``report.currency`` ("" when not given)
    pdf: bool  # --pdf: print report.pdf
    lang: str  # the report's language, "en" or "zh"
    month: str
    generated: str  # ISO time stamp of the run
    status: str  # "ok" or "failed"
    wall_s: float
    data: Path  # the data folder, resolved
    out: Path  # the output root, resolved
    notebooks_dir: Path
    jobs: int | None
    memory_limit: int  # bytes a kernel may hold (0: no limit)
    show_code: bool
    show_ids: bool
    notebooks: list[Path]
    results: list[PageResult]  # one per notebook, same order
    plans: dict[str, dict]  # each notebook's parameters
    files: dict[str, Path]  # table → the file it was read from
    shaping: dict  # sources, steps and notes of the folder's cxreport.yaml
    partial: bool = False  # --only: the previous report's other notebooks are kept
    kept: Kept | None = None  # those notebooks (:mod:`.partial`)

    @property
    def report_status(self) -> str:
        """The status of the report as merged: "ok" when every notebook in it is.

        Returns
        -------
        str
            ``"ok"`` or ``"failed"``; a kept notebook that was skipped counts as ok.
        """
        rows = self.kept.rows if self.kept is not None else []
        good = self.status == "ok" and all(r.get("status") in ("ok", "skipped") for r in rows)
        return "ok" if good else "failed"


def write_outputs(tmp: Path, record: RunRecord) -> None:
    """Write ``metrics.json``, ``manifest.json``, ``index.html`` and ``report.html`` into
    ``tmp``, the pages of every notebook of the report (those a partial run kept too).

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder.
    record : RunRecord
        The finished run.
    """
    metrics = _write_metrics(tmp, record)
    rows = _notebook_rows(record)
    (tmp / "manifest.json").write_text(
        json.dumps(_manifest(record, rows), indent=2, default=str) + "\n", encoding="utf-8"
    )
    _write_index(tmp, record, rows, metrics)
    write_combined(tmp, [row["name"] for row in rows], title=record.title, month=record.month)


def workbook_tables(tmp: Path, record: RunRecord) -> list:
    """The exports of every notebook of the report in ``tmp``, in page order, for
    ``report.xlsx`` (:mod:`.workbook`).

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder, holding the CSV exports.
    record : RunRecord
        The finished run (with what a partial run kept).

    Returns
    -------
    list of Table
        As :func:`.workbook.exported_tables` returns them.
    """
    payloads = {r.name: r.metrics for r in record.results}
    if record.kept is not None:
        payloads.update(record.kept.payloads)
    rows = _notebook_rows(record)
    return exported_tables(
        tmp, [(row.get("title") or row["name"], payloads.get(row["name"])) for row in rows]
    )


def write_pdf(tmp: Path, record: RunRecord) -> str | None:
    """Print ``report.html`` (scrubbed by :func:`protect`) as ``report.pdf`` and record the
    outcome in the manifest; return why the PDF could not be made (``None``: it was).

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder, holding ``report.html`` and ``manifest.json``.
    record : RunRecord
        The finished run (its title and month go in the pages' headers).

    Returns
    -------
    str or None
        The :class:`~cxreport.errors.PdfError` message, or None.
    """
    t0 = time.perf_counter()
    error = None
    try:
        print_pdf(tmp / REPORT_HTML, tmp / REPORT_PDF, title=record.title, month=record.month)
    except PdfError as exc:
        error = str(exc)
    else:
        log.info("%s in %.1f s", REPORT_PDF, time.perf_counter() - t0)
    path = tmp / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["outputs"].update(pdf=None if error else REPORT_PDF, pdf_error=error)
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return error


def protect(tmp: Path, record: RunRecord, ids: list | None, key: str) -> int:
    """Replace the real customer ids in every file of the report in ``tmp`` but the exports
    for the analyst (:mod:`.idguard`), scan them all again and record both in the manifest;
    returns the ids replaced in the pages of the notebooks run.

    Parameters
    ----------
    tmp : pathlib.Path
        The run's work folder.
    record : RunRecord
        The finished run.
    ids : list or None
        The customers table's ``customer_id`` values (:func:`.datacopy.customer_ids`); None
        when it has none (nothing is scanned, the manifest says so).
    key : str
        The pseudonym key (:func:`id_key`).

    Returns
    -------
    int
        The ids replaced in the HTML pages of the notebooks this run ran.
    """
    from .idguard import IdGuard

    path = tmp / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    section = manifest["leak_guard"]
    if ids is None:
        section["note"] = "no customers table: nothing to scan for"
        path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        return 0
    guard = IdGuard(ids, key=key)
    exports = sorted({f for row in manifest["notebooks"] for f in row.get("exported", [])})
    exports.append(WORKBOOK)  # the exports, one sheet each (a zip: not read anyway)
    replaced = guard.sweep(tmp, exclude=exports)
    scan = guard.sweep(tmp, exclude=exports, write=False)
    if scan["ids"]:
        log.error(
            "leak guard: %d customer id(s) left after the scrub in %s; do not forward this report",
            scan["ids"],
            ", ".join(scan["by_file"]),
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))  # as scrubbed
    manifest["leak_guard"] = {
        **manifest["leak_guard"],
        "ids": len(guard),
        "numeric_ids": guard.numeric,
        "replaced": replaced["by_file"],
        "final_scan": {
            "files_scanned": scan["files"],
            "ids_found": scan["ids"],
            "found_in": scan["by_file"],
            # the workbook among them: it is written beside the scan (:func:`written_aside`)
            "exports_not_scanned": sorted({*scan["excluded"], WORKBOOK}),
            "binary_not_scanned": scan["binary"],
        },
    }
    caught = 0
    ran = {r.name for r in record.results}
    for row in manifest["notebooks"]:
        if row["name"] in ran:
            row["ids_replaced_in_html"] = replaced["by_file"].get(row["html"], 0)
            caught += row["ids_replaced_in_html"]
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return caught


def _write_metrics(tmp: Path, record: RunRecord) -> list[dict]:
    """``metrics.json``: every notebook's KPIs, flattened (with those a partial run kept, in
    notebook order); returns them."""
    from .indexpage import flatten

    payloads = {r.name: r.metrics for r in record.results if r.metrics}
    notebooks = {
        k: {
            "title": v.get("title"),
            "exported": v.get("exported", []),
            "units": v.get("units", {}),  # for the workbook of a later partial run
            "actions": v.get("actions", []),  # for the index's "what to do" list
            "generated": record.generated,
        }
        for k, v in payloads.items()
    }
    metrics = flatten(payloads)
    if record.kept is not None:
        notebooks.update(record.kept.payloads)
        metrics = sorted(metrics + record.kept.metrics, key=lambda m: str(m.get("notebook")))
    (tmp / "metrics.json").write_text(
        json.dumps(
            {
                "month": record.month,
                "generated": record.generated,
                "metrics": metrics,
                "notebooks": dict(sorted(notebooks.items())),
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    return metrics


def _notebook_rows(record: RunRecord) -> list[dict]:
    """The manifest's row for each notebook: status, timings, exports, error, and the run it
    comes from (``generated``); those a partial run kept as the previous report had them."""
    rows = list(record.kept.rows) if record.kept is not None else []
    for r, nb in zip(record.results, record.notebooks, strict=True):
        payload = r.metrics or {}
        row = {
            "name": r.name,
            "notebook": nb.name,
            "title": r.title,
            "status": r.status,
            "duration_s": r.duration_s,
            "export_s": r.export_s,
            "attempts": r.attempts,
            "kernel_transport": r.transport,
            "html": f"{r.name}.html",
            "ipynb": nb.name,
            "exported": list(payload.get("exported", [])),
            "metrics": [m.get("name") for m in payload.get("metrics", [])],
            "ids_replaced_in_html": None,  # filled in by protect()
            "notebook_sha256": _sha256(nb),
            "generated": record.generated,
            "error": None,
        }
        if r.error is not None:
            row["error"] = {"notebook": nb.name, **r.error.as_dict(), "line": error_line(r.error)}
        rows.append(row)
    return sorted(rows, key=lambda row: str(row.get("notebook")))


def _data_files(record: RunRecord) -> dict[str, str]:
    """SHA-256 of every file of the data folder, and of files mapped from outside it."""
    data = record.data
    found = {}
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        found[str(path.relative_to(data))] = _sha256(path)
    for path in (Path(p) for ps in record.shaping["sources"].values() for p in ps):
        if path.is_file() and not path.resolve().is_relative_to(data):
            found[str(path)] = _sha256(path)  # a file mapped from outside the folder
    return found


def _shown_parameters(record: RunRecord) -> dict[str, dict]:
    """The notebooks' parameters as the manifest shows them: key redacted, final export_dir."""
    shown = {
        name: {k: (REDACTED if k == "id_key" else v) for k, v in p.items()}
        for name, p in record.plans.items()
    }
    for p in shown.values():
        if "export_dir" in p:
            p["export_dir"] = str(record.out / record.month)
    if record.kept is not None:
        shown.update(record.kept.parameters)
    return dict(sorted(shown.items()))


def _manifest(record: RunRecord, rows: list[dict]) -> dict:
    data = record.data
    return {
        "cxreport_run": 1,
        "month": record.month,
        "status": record.report_status,
        "generated": record.generated,
        "wall_time_s": round(record.wall_s, 3),
        "command": {
            "data": str(data),
            "out": str(record.out),
            "notebooks_dir": str(record.notebooks_dir),
            "jobs": record.jobs or os.cpu_count(),
            "memory_limit_bytes": record.memory_limit,
            "show_code": record.show_code,
            "show_ids": record.show_ids,
            "pdf": record.pdf,
            "kernel": KERNEL,
            "only": [nb.stem for nb in record.notebooks] if record.partial else None,
        },
        # what else the report holds; the PDF's outcome is filled in by write_pdf()
        "outputs": {"report_html": REPORT_HTML, "workbook": WORKBOOK, "pdf": None},
        "parameters": _shown_parameters(record),
        "versions": _versions(),
        "git": _git(record.notebooks_dir),
        "data_files": _data_files(record),
        "data_tables": {
            k: str(v.relative_to(data)) if v.is_relative_to(data) else str(v)
            for k, v in record.files.items()
        },
        "data_shaping": record.shaping,  # how cxreport.yaml shaped each table, and what it did
        "leak_guard": {"enabled": not record.show_ids},  # completed by protect()
        "notebooks": rows,
    }


def _write_index(tmp: Path, record: RunRecord, rows: list[dict], metrics: list[dict]) -> None:
    """``index.html``: the month's KPIs against the previous month's, and every notebook."""
    from .indexpage import load_previous, render_index

    prev_month = str(parse_month(record.month) - 1)
    index_rows = [
        {
            **row,
            "error_line": (row["error"] or {}).get("line", ""),
            "reason": " ".join(str((row["error"] or {}).get("evalue", "")).split()),
        }
        for row in rows
    ]
    page = render_index(
        title=record.title,
        month=record.month,
        previous_month=prev_month,
        metrics=metrics,
        previous=load_previous(record.out / prev_month / "metrics.json"),
        notebooks=index_rows,
        data_source=record.data.name,  # by its name: a reader needs no server path
        generated=record.generated,
        version=__version__,
        show_ids=record.show_ids,
        status=record.report_status,
        # the notebooks' actions, those a partial run kept included
        payloads=json.loads((tmp / "metrics.json").read_text(encoding="utf-8"))["notebooks"],
    )
    (tmp / "index.html").write_text(page, encoding="utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _git(folder: Path) -> dict | None:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": sha.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict:
    out = {"python": sys.version.split()[0]}
    for name in _VERSIONS:
        with contextlib.suppress(_metadata.PackageNotFoundError):
            out[name] = _metadata.version(name)
    return out
