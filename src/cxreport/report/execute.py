"""Executing notebooks: papermill in a pool of worker processes, each notebook exported to HTML.

:func:`execute_all` runs the selected notebooks in parallel (the segmentation page first,
then the longest first: :func:`run_order`) and reports progress; :func:`execute_one` is one
worker's job: run a notebook (kernel transport IPC where the platform has it, one retry over
TCP after a kernel failure, never after a notebook error, a kernel the system killed for
memory or one that went over its memory limit), keep the pseudonym key out of the saved
notebook, collect its KPIs and export its HTML.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue as _queue
import re
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .._version import __version__
from ..errors import ParameterError
from . import logs, signals
from .notebooks import DECLARED
from .pages import PageError, PageResult, Task, error_line
from .progress import Progress

KERNEL = "cxreport"
REDACTED = "<redacted: see OUT/.cxreport-id-key>"

_PROGRESS = None  # a multiprocessing queue, set in each worker by _init_worker
log = logging.getLogger(__name__)


def _emit(*event) -> None:
    if _PROGRESS is not None:
        with contextlib.suppress(Exception):
            _PROGRESS.put_nowait(event)


def _init_worker(progress) -> None:
    import logging

    global _PROGRESS
    _PROGRESS = progress
    logging.getLogger("papermill").setLevel(logging.ERROR)
    # papermill imports pyarrow (and numpy) for an HDFS handler no report uses: without them,
    # and without pandas (the package loads it on first use), a worker holds about 75 MB
    # instead of 270 MB
    sys.modules.setdefault("pyarrow.fs", None)
    # Ctrl-C is the parent's to handle; SIGTERM or the parent's death end the kernels and us.
    signals.guard_worker()
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _register_engine()


def _warm() -> None:
    """A worker's first job, while the runner checks the data: the imports of a notebook's
    run and export (papermill, nbconvert: about 6 s), so that the first kernels start at once."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from . import htmlexport, indexpage  # noqa: F401


_LOG_PATH: str | None = None  # the run.log this worker writes to, set by its first task


def _log_to(path: str | None) -> None:
    """Our records and kernel chatter (warnings, shutdown messages) go to the report's run.log,
    time-stamped, not over the progress display (set up once per worker: the file exists
    only once the data are checked)."""
    global _LOG_PATH
    if path and _LOG_PATH is None:
        logs.worker_logging(path)
        _LOG_PATH = path


def _register_engine() -> None:
    from papermill.engines import NBClientEngine, papermill_engines

    if "cxreport" in getattr(papermill_engines, "_engines", {}):
        return

    class _ProgressEngine(NBClientEngine):
        """papermill's nbclient engine, reporting each cell to the parent process."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            total = len(nb_man.nb.cells)
            name = kwargs.pop("cx_name", "")
            original = nb_man.cell_start

            def cell_start(cell, cell_index=None, **kw):
                _emit("cell", name, (cell_index or 0) + 1, total)
                return original(cell, cell_index, **kw)

            nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("cxreport", _ProgressEngine)


_KERNELS: list = []  # the kernel processes (Popen) this worker started, newest last


def _kernel_manager_class():
    """jupyter_client's kernel manager, keeping each kernel's process for :class:`_Watch`."""
    global _RECORDING
    if _RECORDING is None:
        from jupyter_client.manager import AsyncKernelManager

        class RecordingKernelManager(AsyncKernelManager):
            async def _async_launch_kernel(self, kernel_cmd, **kw):
                await super()._async_launch_kernel(kernel_cmd, **kw)
                process = getattr(self.provisioner, "process", None)
                if process is not None:
                    _KERNELS.append(process)

        _RECORDING = RecordingKernelManager
    return _RECORDING


_RECORDING = None


#: The default memory limit of a kernel: this share of the machine's memory, divided among
#: the kernels running at once.
MEMORY_SHARE = 0.75
_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_SIZE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]?)(?:I?B)?", re.IGNORECASE)


def parse_memory_limit(value: str | int | None) -> int | None:
    """Bytes from ``--memory-limit``: ``4G``, ``300M``, ``1.5GB``, ``512MB`` or a number of
    bytes (K, M, G, T are powers of 1000, as in the messages); ``0`` turns the limit off.
    ``None`` stays None (the default, :func:`default_memory_limit`).

    Parameters
    ----------
    value : str, int or None
        The option's value: a size with an optional K/M/G/T (and B) suffix, case ignored, or a
        whole number of bytes.

    Returns
    -------
    int or None
        The limit in bytes (0: no limit), or None when ``value`` is None.

    Raises
    ------
    ParameterError
        ``value`` is not such a size.
    """
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    m = _SIZE.fullmatch(str(value).strip())
    if m is None:
        raise ParameterError(
            f"--memory-limit must be a size such as 4G, 300M or 1.5GB (0 = no limit); "
            f"got {value!r}."
        )
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def default_memory_limit(kernels: int) -> int:
    """:data:`MEMORY_SHARE` of the machine's memory shared out among ``kernels``.

    Parameters
    ----------
    kernels : int
        The number of kernels running at once (values below 1 count as 1).

    Returns
    -------
    int
        The limit of each kernel, in bytes.
    """
    import psutil

    return int(MEMORY_SHARE * psutil.virtual_memory().total / max(1, kernels))


def size_text(n: float) -> str:
    """``5.8 GB``, ``300 MB``: the sizes of the messages (powers of 1000).

    Parameters
    ----------
    n : float
        A size in bytes.

    Returns
    -------
    str
        GB with one decimal from 1e9 bytes on, else whole MB.
    """
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


class _Watch:
    """The memory of the notebook's kernel (with its children), sampled four times a second:
    to kill a kernel that goes over ``limit`` bytes (0: none), and to say how much a kernel
    held when the system killed it.

    A watchdog rather than an address-space limit (``RLIMIT_AS``) in the kernel: numpy's
    BLAS, Arrow and the thread stacks reserve far more address space than they use (a kernel
    with cxreport imported holds 0.3 GB and reserves 1.8 GB), so such a limit refuses
    harmless work, and what it refuses surfaces as a ``MemoryError`` anywhere (or an abort
    inside a C library) instead of one line naming the limit. The watchdog measures what the
    system counts (resident memory) and ends the kernel as the out-of-memory killer would,
    only earlier and with a reason; between two samples a kernel may overshoot by what it
    allocates in a quarter of a second.
    """

    def __init__(self, limit: int = 0, interval: float = 0.25):
        import threading

        self.peak = self.last = 0
        self.limit = limit
        self.over = False  # set (before the kill) when the kernel went over the limit
        self._first = len(_KERNELS)
        self._stop = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _kernel(self):
        return _KERNELS[-1] if len(_KERNELS) > self._first else None

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(self._interval):
            process = self._kernel()
            if process is None:
                continue
            try:
                root = psutil.Process(process.pid)
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                continue
            self.last, self.peak = rss, max(self.peak, rss)
            if self.limit and rss > self.limit:
                self.over = True
                log.warning(
                    "kernel %d holds %s, over its memory limit of %s: killed",
                    process.pid,
                    size_text(rss),
                    size_text(self.limit),
                )
                signals.kill_processes(tree)
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def killed_for_memory(self) -> bool:
        """Did the kernel end by SIGKILL, which is what the kernel's out-of-memory killer (or
        a container's memory limit) sends?"""
        process = self._kernel()
        if process is None or not hasattr(signal, "SIGKILL"):
            return False
        with contextlib.suppress(Exception):
            process.wait(timeout=5)
        return process.returncode == -signal.SIGKILL


def out_of_memory(exc: BaseException, watch: _Watch | None) -> str | None:
    """Why a kernel died for memory, else None: ``"the kernel went over its memory limit of
    5.8 GB (...)"`` when the watchdog ended it, ``"the kernel ran out of memory (9.3 GB)"``
    when the system killed it.

    Parameters
    ----------
    exc : BaseException
        What running the notebook raised.
    watch : _Watch or None
        The memory watchdog of the notebook's kernel; None gives None.

    Returns
    -------
    str or None
        The reason, as the page and the log show it; None when memory was not the cause.
    """
    from nbclient.exceptions import DeadKernelError

    if watch is None:
        return None
    if watch.over:  # whatever the kernel's end raised, this is why it ended
        return (
            f"the kernel went over its memory limit of {size_text(watch.limit)} "
            "(set --memory-limit to change it; 0 = no limit)"
        )
    if not isinstance(exc, DeadKernelError) or not watch.killed_for_memory():
        return None
    held = watch.last or watch.peak
    return "the kernel ran out of memory" + (f" ({size_text(held)})" if held else "")


@contextlib.contextmanager
def _environment(**values: str):
    """Environment variables for the kernels started inside (they inherit the worker's)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


#: The thread pools of numpy's BLAS and of OpenMP (scikit-learn's k-means and boosting).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_caps(threads: int) -> dict[str, str]:
    """Threads per kernel: the cores shared out among the notebooks running at once. Kernels
    that each start a thread per core spin against one another: at 1M customers the
    segmentation's bootstrap took 72 s with two BLAS threads beside another kernel and 20 s
    with one. A variable the user set is kept.

    Parameters
    ----------
    threads : int
        Threads per kernel; 0 for the library default (no variable set).

    Returns
    -------
    dict of str to str
        ``{variable: str(threads)}`` for those of :data:`THREAD_VARIABLES` not already set in
        the environment.
    """
    if not threads:
        return {}
    return {k: str(threads) for k in THREAD_VARIABLES if k not in os.environ}


def is_transient(exc: BaseException) -> bool:
    """Kernel-start failures and dead kernels: worth one retry. Notebook errors: never.

    Parameters
    ----------
    exc : BaseException
        What running the notebook raised.

    Returns
    -------
    bool
        True for nbclient's ``DeadKernelError``, ``TimeoutError``, a ``zmq.ZMQError`` and a
        ``RuntimeError`` whose message mentions the kernel.
    """
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError | TimeoutError):
        return True
    with contextlib.suppress(ImportError):
        import zmq

        if isinstance(exc, zmq.ZMQError):
            return True
    return isinstance(exc, RuntimeError) and "kernel" in str(exc).lower()


def _ipc_available() -> bool:
    return os.name == "posix"


def _running_cell(nb, dead: bool = False) -> tuple[int | None, int | None]:
    """The cell that was running or failed; for a dead kernel (whose cells papermill marks
    completed) the last one that started."""
    last = (None, None)
    for i, cell in enumerate(nb.cells):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status in ("running", "failed"):
            return i, cell.get("execution_count")
        if dead and cell.cell_type == "code" and status not in (None, "pending"):
            last = (i, cell.get("execution_count"))
    return last


def redact_key(nb, key: str = ""):
    """Keep the pseudonym key out of the saved notebook (injected cell and papermill metadata,
    and, given ``key``, wherever an output printed it). Returns the notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    key : str, default=""
        The pseudonym key; replaced in the whole notebook only when at least 16 characters long.

    Returns
    -------
    nbformat.NotebookNode
        The notebook with the key replaced by :data:`REDACTED` (a new one when ``key`` occurred in
        its text, else ``nb`` itself, changed in place).
    """
    if key and len(key) >= 16:
        import nbformat

        text = nbformat.writes(nb)
        if key in text:
            nb = nbformat.reads(text.replace(key, REDACTED), as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    if "id_key" in pm_meta.get("parameters", {}):
        pm_meta["parameters"]["id_key"] = REDACTED
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            lines = cell.source.splitlines()
            cell.source = "\n".join(
                f'id_key = "{REDACTED}"' if line.startswith("id_key =") else line for line in lines
            )
    return nb


def _title_of(nb, payload: dict | None, fallback: str) -> str:
    if payload and payload.get("title"):
        return str(payload["title"])
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


#: Errors that end a notebook as *skipped* (its analysis cannot run on this folder), not failed.
NOT_APPLICABLE = ("NotApplicable", "MissingTableError")


def execute_one(task: Task) -> PageResult:
    """Run one notebook and export its HTML (runs in a worker process).

    Parameters
    ----------
    task : Task
        The notebook's job.

    Returns
    -------
    PageResult
        Its status, error, attempts, transport, times, KPIs and title.
    """
    _register_engine()  # done by _init_worker in the pool; here for a direct call
    _log_to(task.log)
    result = PageResult(task.name)
    t0 = time.perf_counter()
    _run(task, result)
    result.duration_s = round(time.perf_counter() - t0, 3)
    t1 = time.perf_counter()
    _export(task, result)
    result.export_s = round(time.perf_counter() - t1, 3)
    # "done" is reported by the parent from this result: a queued event could still sit in
    # the worker's feeder thread when the parent prints its last lines.
    return result


def _run(task: Task, result: PageResult) -> None:
    """Run the notebook with papermill into ``result``: after a kernel failure once more over
    TCP; never again after a notebook error or a kernel stopped for memory."""
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel

    from .datacopy import ENV

    transports = ["ipc", "tcp"] if task.ipc and _ipc_available() else ["tcp", "tcp"]
    for attempt, transport in enumerate(transports, start=1):
        result.attempts, result.transport = attempt, transport
        _emit("start", task.name, attempt, transport)
        watch = _Watch(task.memory_limit)
        try:
            with (
                _kernel_config(transport) as config,
                _environment(**{ENV: task.data_copy}, **thread_caps(task.threads)),
            ):
                pm.execute_notebook(
                    str(task.input),
                    str(task.output_ipynb),
                    parameters=task.parameters,
                    engine_name="cxreport",
                    kernel_name=task.kernel,
                    language="python",
                    cwd=str(task.cwd),
                    progress_bar=False,
                    log_output=False,
                    start_timeout=task.start_timeout,
                    execution_timeout=task.execution_timeout,
                    config=config,
                    cx_name=task.name,
                )
            return
        except pm.PapermillExecutionError as exc:
            result.status = "skipped" if exc.ename in NOT_APPLICABLE else "failed"
            result.error = PageError(exc.ename, exc.evalue, exc.cell_index, exc.exec_count)
            return
        except NoSuchKernel as exc:
            result.status = "failed"
            result.error = PageError("NoSuchKernel", f"{exc}; register it with `make setup`")
            return
        except Exception as exc:
            watch.stop()
            memory = out_of_memory(exc, watch)
            # a kernel killed for memory would only die again the same way
            if memory is None and is_transient(exc) and attempt < len(transports):
                _emit("retry", task.name, f"{type(exc).__name__}: {exc}")
                continue
            result.status = "failed"
            result.error = _kernel_error(exc, memory, watch, task.output_ipynb)
            return
        finally:
            watch.stop()
            if watch.peak:
                log.debug("%s: the kernel held at most %s", task.name, size_text(watch.peak))


@contextlib.contextmanager
def _kernel_config(transport: str):
    """The kernel's traitlets config for ``transport``; for IPC an absolute, private socket
    prefix (jupyter_client's default, "kernel-ipc", is relative to the working directory,
    shared by all the parallel kernels), removed afterwards."""
    from traitlets.config import Config

    kernel_conf: dict = {"transport": transport}
    ipc_dir = tempfile.mkdtemp(prefix="cxr-ipc-") if transport == "ipc" else None
    if ipc_dir:
        kernel_conf["ip"] = os.path.join(ipc_dir, "k")
    try:
        yield Config(
            {
                "KernelManager": kernel_conf,
                "NotebookClient": {"kernel_manager_class": _kernel_manager_class()},
            }
        )
    finally:
        if ipc_dir:
            shutil.rmtree(ipc_dir, ignore_errors=True)


def _kernel_error(exc: Exception, memory: str | None, watch: _Watch, out_nb: Path) -> PageError:
    """What stopped the kernel (``memory``: why, when it was memory), at the cell it ran."""
    import nbformat

    cell_index, count = None, None
    if out_nb.is_file():
        with contextlib.suppress(Exception):
            nb = nbformat.read(out_nb, as_version=4)
            cell_index, count = _running_cell(nb, dead=memory is not None)
    if memory:
        ename = "MemoryLimit" if watch.over else "OutOfMemory"
        return PageError(ename, memory, cell_index, count, memory=True)
    first = (str(exc).strip().splitlines() or [""])[0]
    return PageError(type(exc).__name__, first, cell_index, count)


def _export(task: Task, result: PageResult) -> None:
    """Save the executed notebook (cut at a skip, a banner when no cell ran, the key
    redacted), collect its KPIs into ``result`` and export its page."""
    import nbformat

    from .. import i18n
    from .htmlexport import PageInfo, export_html
    from .indexpage import collect_metrics

    i18n.set_language(task.lang or i18n.DEFAULT)
    out_nb = task.output_ipynb
    nb = nbformat.read(out_nb if out_nb.is_file() else task.input, as_version=4)
    err = result.error
    if result.status == "skipped":
        nb = _cut_at_skip(nb)
    if result.status != "ok" and err is not None and err.cell_index is None:
        # no cell to point at (the kernel never started): say why at the top
        banner = f"{err.ename}: {err.evalue}".replace("`", "'")
        nb.cells.insert(
            0, nbformat.v4.new_markdown_cell(f"**The notebook could not run:** `{banner}`")
        )
    nb = redact_key(nb, str(task.parameters.get("id_key") or ""))
    nbformat.write(nb, out_nb)
    result.metrics = collect_metrics(nb)
    result.title = _title_of(nb, result.metrics, task.name)
    problem = "" if err is None else err.evalue if result.status == "skipped" else error_line(err)
    info = PageInfo(
        result.title,
        task.month,
        task.data_source,
        result.status,
        problem,
        task.generated,
        __version__,
        _summary(result.metrics, task.name, task.output_html.parent.parent, task.month),
    )
    export_html(nb, task.output_html, info, show_code=task.show_code)


def _summary(payload: dict | None, name: str, out: Path, month: str) -> str:
    """The page's summary, its changes against the previous report in ``out`` when there is
    one (else the data's previous month), as on the index."""
    from ..data import parse_month
    from .indexpage import load_previous, page_summary

    before = str(parse_month(month) - 1)
    previous = [
        m for m in load_previous(out / before / "metrics.json") if m.get("notebook") == name
    ]
    return page_summary(payload, previous, before, name)


def _cut_at_skip(nb):
    """A skipped notebook's page: the cells up to the one that found the analysis cannot
    run, without papermill's error banners and the traceback (the header says why)."""
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    stop = next(
        (i for i, c in enumerate(cells) if c.cell_type == "code"
         and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
        len(cells) - 1,
    )  # fmt: skip
    for c in cells[: stop + 1]:
        if c.cell_type == "code":
            c.outputs = [o for o in c.outputs if o.get("output_type") != "error"]
    nb.cells = cells[: stop + 1]
    return nb


class Workers:
    """The spawned worker processes that run the notebooks, ``count`` of them (see
    :func:`kernels_at_once`).

    Spawned, on every platform: a forked worker would start with whatever the runner holds.
    They are started before the data check (:func:`run_report` does so), which runs in a
    process of its own, so that their imports (:func:`_warm`) overlap it. :meth:`stop` ends
    them and their kernels (an interrupted or failed run); :meth:`close` waits for them once
    every notebook is done. Either may be called again.

    Parameters
    ----------
    count : int
        The number of worker processes.
    """

    def __init__(self, count: int):
        import multiprocessing as mp

        self.count = count
        self.context = mp.get_context("spawn")
        self.progress = self.context.Queue()
        self.pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=self.context,
            initializer=_init_worker,
            initargs=(self.progress,),
        )
        # one job each: every worker starts at once (with SIGINT/SIGTERM blocked: guard_worker)
        with signals.blocked():
            for _ in range(count):
                self.pool.submit(_warm)

    def stop(self) -> None:
        """End the worker processes (terminated, killed after 5 s) and the kernels they started."""
        pool = self.pool
        procs = list((getattr(pool, "_processes", None) or {}).values())
        kernels = signals.descendants(p.pid for p in procs)  # killed below should a worker not
        for p in procs:
            with contextlib.suppress(Exception):
                p.terminate()
        for p in procs:
            with contextlib.suppress(Exception):
                p.join(5)
                if p.is_alive():
                    p.kill()
        signals.kill_processes(kernels)
        pool.shutdown(wait=False, cancel_futures=True)
        self._close_queue()

    def close(self) -> None:
        """Wait for the workers to finish their jobs and shut the pool down."""
        self.pool.shutdown(wait=True)
        self._close_queue()

    def _close_queue(self) -> None:
        with contextlib.suppress(Exception):
            self.progress.close()


@signals.held()  # Ctrl-C and SIGTERM raise at the loop's check, never inside the pool's code
def execute_all(
    tasks: list[Task], *, workers: Workers, progress: Progress, out: Path
) -> list[PageResult]:
    """Run ``tasks`` in ``workers`` (:class:`Workers`) in :func:`run_order` (``out``: the
    output root, whose earlier reports tell how long each notebook takes), reporting to
    ``progress``; one result per task, in the order given. Stops the workers (and their
    kernels) when interrupted, closes them when done.

    Parameters
    ----------
    tasks : list of Task
        The notebooks' jobs.
    workers : Workers
        The worker processes, started beforehand.
    progress : Progress
        The progress display, fed the workers' events.
    out : pathlib.Path
        The output root (``OUT``), passed to :func:`run_order`.

    Returns
    -------
    list of PageResult
        One per task, in the order of ``tasks``.
    """
    order = run_order([t.name for t in tasks], out)
    started = sorted(tasks, key=lambda t: order.index(t.name))
    pool, progress_q = workers.pool, workers.progress
    results: dict[str, PageResult] = {}
    try:
        with signals.blocked():  # the workers start with SIGINT/SIGTERM blocked (guard_worker)
            futures = {pool.submit(execute_one, t): t for t in started}
        log.debug(
            "%d notebook(s) on %d worker(s) (%s), in this order: %s",
            len(tasks),
            workers.count,
            workers.context.get_start_method(),
            ", ".join(t.name for t in started),
        )
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            signals.check()
            _drain(progress_q, progress)
            for fut in done:
                task = futures[fut]
                try:
                    r = fut.result()
                except Exception as exc:  # the worker itself died (e.g. out of memory)
                    r = _crashed(task, exc)
                results[task.name] = r
                progress.event(
                    ("done", r.name, r.status, r.duration_s + r.export_s, error_line(r.error))
                )
            progress.draw()
        _drain(progress_q, progress)
        progress.finish()
    except BaseException:
        workers.stop()
        raise
    else:
        workers.close()
    return [results[t.name] for t in tasks]


def kernels_at_once(jobs: int | None, notebooks: int) -> int:
    """Worker processes (each running one kernel at a time): ``jobs`` (default: the cores),
    never more than there are notebooks.

    Parameters
    ----------
    jobs : int or None
        The number asked for (``--jobs``); None or 0 for the number of cores.
    notebooks : int
        The number of notebooks to run.

    Returns
    -------
    int
        The number of workers, at least 1.
    """
    return max(1, min(jobs or os.cpu_count() or 1, notebooks))


def _drain(q, progress: Progress) -> None:
    while True:
        try:
            progress.event(q.get_nowait())
        except _queue.Empty:
            return
        except (OSError, ValueError, EOFError):
            return


def _crashed(task: Task, exc: BaseException) -> PageResult:
    """The result of a notebook whose worker process died (e.g. out of memory), with a page
    that says so when the worker left none."""
    import nbformat

    from .htmlexport import PageInfo, export_html

    err = PageError(type(exc).__name__, str(exc) or "the worker process died")
    if not task.output_html.exists():
        with contextlib.suppress(Exception):
            nb = nbformat.read(task.input, as_version=4)
            info = PageInfo(
                task.name,
                task.month,
                task.data_source,
                "failed",
                error_line(err),
                task.generated,
                __version__,
            )
            export_html(nb, task.output_html, info, show_code=False)
    return PageResult(task.name, "failed", err, attempts=1, title=task.name)


def run_order(names: list[str], out: Path) -> list[str]:
    """The order the notebooks start in: the segmentation page first, since the pages that
    show segments wait for its labels; then the longest first, so that on few cores the
    longest does not start last. A notebook's length is its longest time in the last three
    reports in ``out``, else its declared :attr:`~.notebooks.Declared.cost`, else 0.

    A page that shows segments and starts beside the segmentation page waits only if it
    asks for them before the segmentation (the first half of that page) is done; churn, the
    longest, asks after its model is fitted.

    Parameters
    ----------
    names : list of str
        The notebooks' names (stems).
    out : pathlib.Path
        The output root, whose ``*/manifest.json`` give the earlier durations.

    Returns
    -------
    list of str
        ``names`` in the order to start them.
    """

    def key(name: str) -> tuple[bool, float]:
        """The sort key of a notebook: the segmentation page first, then the longest.

        Parameters
        ----------
        name : str
            The notebook's name (stem).

        Returns
        -------
        tuple of (bool, float)
            False for the page that makes the segments, else True; minus the notebook's length in
            seconds.
        """
        declared = DECLARED.get(name)
        made = declared is not None and declared.segments == "made"
        return not made, -(_last_duration(out, name) or (declared.cost if declared else 0.0))

    return sorted(names, key=key)


def _last_duration(out: Path, name: str) -> float:
    best = 0.0
    for manifest in sorted(out.glob("*/manifest.json"))[-3:]:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            for nb in json.loads(manifest.read_text())["notebooks"]:
                if nb["name"] == name:
                    best = max(best, float(nb.get("duration_s") or 0))
    return best
