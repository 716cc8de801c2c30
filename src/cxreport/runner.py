"""``cxreport run``: the monthly report, headless.

Order of work, so that a user mistake never starts a kernel:

1. select the notebooks (``notebooks/*.ipynb``, sorted; ``--only``), read each parameters cell
   with :func:`papermill.inspect_notebook`, check and coerce ``--param`` values by the declared
   types (:func:`plan_parameters`);
2. validate the data folder against the data contract;
3. execute the notebooks with papermill in parallel processes (kernel ``cxreport``, working
   directory the notebooks folder, kernel transport IPC where the platform has it), export
   each to HTML (:mod:`cxreport.htmlexport`);
4. scrub customer ids left in the HTML, write ``metrics.json``, ``manifest.json`` and
   ``index.html`` (:mod:`cxreport.indexpage`);
5. move the month's folder into place.

Where the report goes
---------------------
Everything is written into ``OUT/.<month>.tmp-<random>/`` and moved at the end:

- all notebooks ok → it replaces ``OUT/<month>/`` (and any ``OUT/<month>.failed/``);
- a notebook failed → if ``OUT/<month>/`` holds a report whose notebooks all succeeded, it is
  kept and the new run goes to ``OUT/<month>.failed/``; otherwise (no report yet, or the
  previous one failed too) the new run becomes ``OUT/<month>/``. Exit code 1 either way;
- interrupted (Ctrl-C) or crashed → the temporary folder is removed, ``OUT/<month>/`` is
  untouched. Exit code 130 for Ctrl-C.

The pseudonym key lives in ``OUT/.cxreport-id-key`` (created once, mode 0600), so a customer
keeps the same pseudonym from month to month; it never appears in the HTML, and the executed
notebooks and the manifest show it redacted.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as _dt
import hashlib
import json
import os
import queue as _queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata as _metadata
from pathlib import Path

from . import __version__
from .data import parse_month, read_folder
from .errors import CxReportError, DataError, ParameterError

KERNEL = "cxreport"
KEY_FILE = ".cxreport-id-key"
REDACTED = "<redacted: see OUT/.cxreport-id-key>"
RUNNER_PARAMS = ("data_dir", "month", "export_dir", "history_dir", "show_ids", "id_key")
REQUIRED_DECLARED = ("data_dir", "month")
EXIT_OK, EXIT_FAILED, EXIT_USER_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
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
)


# --------------------------------------------------------------------------- notebooks


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the checkout the package runs from, else of the current directory.

    With the usual editable install (``pip install -e .``) the package sits in
    ``<checkout>/src/cxreport`` and its notebooks in ``<checkout>/notebooks``: the notebooks
    that match the code. Otherwise (a wheel install), ``./notebooks``.
    """
    here = Path(__file__).resolve().parents[2] / "notebooks"
    if here.is_dir() and any(here.glob("*.ipynb")):
        return here
    return Path.cwd() / "notebooks"


def find_notebooks(notebooks_dir: str | Path, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, sorted; ``only`` names match the stem, the file name, or the stem
    without its number (``churn`` selects ``03_churn.ipynb``)."""
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


# --------------------------------------------------------------------------- parameters


def inspect_parameters(path: str | Path) -> dict[str, dict]:
    """The parameters cell of a notebook: ``{name: {name, inferred_type_name, default, help}}``.

    :func:`papermill.inspect_notebook` first; its line parser skips a declaration whose ``#``
    comment holds quotes (such as the conventions' ``export_dir`` line), so every annotated
    or plain assignment it missed is read again with :mod:`ast`.
    """
    import logging

    import nbformat
    import papermill as pm

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "Unable to parse line ..." is handled below
    try:
        found = dict(pm.inspect_notebook(str(path)))
    finally:
        logger.setLevel(level)
    nb = nbformat.read(str(path), as_version=4)
    cell = next(
        (
            c
            for c in nb.cells
            if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        None,
    )
    if cell is None:
        return found
    source = cell.source
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    order: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, annotation, value = node.targets[0].id, "None", node.value
        else:
            continue
        order.append(name)
        if name in found:
            continue
        rest = lines[node.end_lineno - 1][node.end_col_offset :] if node.end_lineno else ""
        help_text = rest.strip()[1:].strip() if rest.strip().startswith("#") else ""
        found[name] = {
            "name": name,
            "inferred_type_name": annotation,
            "default": ast.unparse(value) if value is not None else None,
            "help": help_text,
        }
    # declaration order, as in the cell (papermill's hits came first above)
    return {k: found[k] for k in [*order, *(k for k in found if k not in order)] if k in found}


def _strip_optional(type_name: str) -> tuple[str, bool]:
    t = (type_name or "").replace(" ", "")
    if t.startswith("Optional[") and t.endswith("]"):
        return t[9:-1], True
    parts = [p for p in t.split("|") if p]
    if "None" in parts and len(parts) > 1:
        return "|".join(p for p in parts if p != "None"), True
    return t, False


def coerce(name: str, text: str, spec: dict, notebook: str):
    """Turn a command-line string into the type the parameters cell declares.

    ``str`` stays a string (``--param month=2024`` is the string ``"2024"``); ``int``,
    ``float`` and ``bool`` (true/false/yes/no/1/0) are checked; ``list``/``dict``/``tuple``
    take a Python or JSON literal; an unannotated parameter takes the type of its default.
    """
    type_name, optional = _strip_optional(spec.get("inferred_type_name") or "None")
    where = f"The '{name}' parameter of {notebook}"
    if optional and text.strip().lower() in ("none", "null", ""):
        return None
    if type_name in ("None", ""):  # no annotation: follow the default's type
        try:
            default = ast.literal_eval(spec.get("default") or "None")
        except (ValueError, SyntaxError):
            default = None
        type_name = {
            bool: "bool",
            int: "int",
            float: "float",
            list: "list",
            dict: "dict",
            tuple: "tuple",
        }.get(type(default), "str")
    base = type_name.split("[", 1)[0].lower()
    if base == "str":
        return text
    if base == "bool":
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ParameterError(f"{where} must be a bool (true/false, yes/no, 1/0); got {text!r}.")
    if base == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise ParameterError(f"{where} must be an int; got {text!r}.") from None
    if base == "float":
        try:
            return float(text.strip())
        except ValueError:
            raise ParameterError(f"{where} must be a float; got {text!r}.") from None
    if base in ("list", "dict", "tuple", "set"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            try:
                value = json.loads(text)
            except ValueError:
                example = '{"a": 1}' if base == "dict" else "[1, 2]"
                raise ParameterError(
                    f"{where} must be a {base} literal such as {example}; got {text!r}."
                ) from None
        kind = {
            "list": (list, tuple),
            "tuple": (list, tuple),
            "set": (list, tuple, set),
            "dict": (dict,),
        }[base]
        if not isinstance(value, kind):
            raise ParameterError(f"{where} must be a {base}; got {text!r}.")
        return list(value) if base in ("list", "set") else value
    return text  # unknown annotation: pass the string, the notebook checks it


def parse_param_args(items: list[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` → ``{"k": "v"}`` with a clear error for a malformed item."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ParameterError(
                f"--param takes NAME=VALUE, for example --param seed=7; got {item!r}."
            )
        out[key] = value
    return out


def plan_parameters(notebooks: list[Path], given: dict[str, str], runner: dict) -> dict[str, dict]:
    """Each notebook's papermill parameters, checked before any kernel starts.

    Parameters
    ----------
    notebooks : list of Path
        Selected notebooks.
    given : dict
        ``--param`` values as strings.
    runner : dict
        Values the runner sets (data_dir, month, ...); each notebook gets those it declares.

    Raises
    ------
    ParameterError
        A parameter unknown to every selected notebook, one the runner sets itself, a value
        that does not fit the declared type, a notebook without the common parameters, or a
        required parameter (declared ``= None`` without ``Optional``) left out. Every problem
        is listed at once.
    """
    problems: list[str] = []
    for key in given:
        if key in RUNNER_PARAMS:
            flag = {"data_dir": "--data", "month": "--month", "show_ids": "--show-ids"}.get(key)
            problems.append(f"'{key}' is set by cxreport run" + (f"; use {flag}" if flag else ""))
    specs: dict[str, dict] = {}
    for nb in notebooks:
        try:
            specs[nb.stem] = inspect_parameters(nb)
        except Exception as exc:  # unreadable notebook: a user problem, not a crash
            problems.append(f"{nb.name}: cannot read its parameters cell ({exc})")
            continue
        missing = [p for p in REQUIRED_DECLARED if p not in specs[nb.stem]]
        if missing:
            problems.append(
                f"{nb.name}: the parameters cell lacks {', '.join(missing)} "
                "(see the notebook conventions)"
            )
    known = sorted({k for s in specs.values() for k in s} - set(RUNNER_PARAMS))
    for key in given:
        if key not in RUNNER_PARAMS and not any(key in s for s in specs.values()):
            problems.append(
                f"unknown parameter '{key}': no selected notebook declares it "
                f"(known: {', '.join(known) or 'none'})"
            )
    plans: dict[str, dict] = {}
    for nb in notebooks:
        spec = specs.get(nb.stem)
        if spec is None:
            continue
        params = {k: v for k, v in runner.items() if k in spec}
        for key, text in given.items():
            if key in spec and key not in RUNNER_PARAMS:
                try:
                    params[key] = coerce(key, text, spec[key], nb.stem)
                except ParameterError as exc:
                    problems.append(str(exc))
        for key, s in spec.items():
            _, optional = _strip_optional(s.get("inferred_type_name") or "")
            if (s.get("default") or "").strip() == "None" and not optional and key not in params:
                problems.append(f"{nb.stem} needs '{key}' (no default): give --param {key}=...")
        plans[nb.stem] = params
    if problems:
        raise ParameterError("bad parameters:\n  " + "\n  ".join(problems))
    return plans


# --------------------------------------------------------------------------- the worker

_PROGRESS = None  # a multiprocessing queue, set in each worker by _init_worker


def _emit(*event) -> None:
    if _PROGRESS is not None:
        with contextlib.suppress(Exception):
            _PROGRESS.put_nowait(event)


def _kill_children_and_exit(signum, frame):  # pragma: no cover - runs in a worker on SIGTERM
    try:
        import psutil

        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(Exception):
                child.kill()
    finally:
        os._exit(EXIT_INTERRUPTED)


def _init_worker(progress, log_path: str | None = None) -> None:
    import logging

    global _PROGRESS
    _PROGRESS = progress
    logging.getLogger("papermill").setLevel(logging.ERROR)
    if log_path:
        # Kernel chatter (warnings, shutdown messages) goes to the report's run.log, which the
        # kernels inherit as their stdout/stderr, not over the progress display.
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    # Ctrl-C is the parent's to handle: it stops the workers (and their kernels) itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _kill_children_and_exit)
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _register_engine()


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


def _transient(exc: BaseException) -> bool:
    """Kernel-start failures and dead kernels: worth one retry. Notebook errors: never."""
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


def _running_cell(nb) -> tuple[int | None, int | None]:
    for i, cell in enumerate(nb.cells):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status in ("running", "failed"):
            return i, cell.get("execution_count")
    return None, None


def _redact_key(nb, key: str = ""):
    """Keep the pseudonym key out of the saved notebook (injected cell and papermill metadata,
    and, given ``key``, wherever an output printed it). Returns the notebook."""
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


def execute_one(task: dict) -> dict:
    """Run one notebook and export its HTML (runs in a worker process)."""
    import nbformat
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel
    from traitlets.config import Config

    from .htmlexport import PageInfo, export_html
    from .indexpage import collect_metrics

    _register_engine()  # done by _init_worker in the pool; here for a direct call
    name = task["name"]
    out_nb, out_html = Path(task["output_ipynb"]), Path(task["output_html"])
    result = {
        "name": name,
        "status": "ok",
        "error": None,
        "attempts": 0,
        "transport": None,
        "duration_s": 0.0,
        "export_s": 0.0,
    }
    t0 = time.perf_counter()
    transports = ["ipc", "tcp"] if task.get("ipc", True) and _ipc_available() else ["tcp", "tcp"]
    for attempt, transport in enumerate(transports, start=1):
        result["attempts"], result["transport"] = attempt, transport
        _emit("start", name, attempt, transport)
        kernel_conf = {"transport": transport}
        ipc_dir = None
        if transport == "ipc":
            # An absolute, private socket prefix: jupyter_client's default ("kernel-ipc") is
            # relative to the working directory, shared by all the parallel kernels.
            ipc_dir = tempfile.mkdtemp(prefix="cxr-ipc-")
            kernel_conf["ip"] = os.path.join(ipc_dir, "k")
        try:
            pm.execute_notebook(
                task["input"],
                str(out_nb),
                parameters=task["parameters"],
                engine_name="cxreport",
                kernel_name=task["kernel"],
                language="python",
                cwd=task["cwd"],
                progress_bar=False,
                log_output=False,
                start_timeout=task["start_timeout"],
                execution_timeout=task["execution_timeout"],
                config=Config({"KernelManager": kernel_conf}),
                cx_name=name,
            )
            break
        except pm.PapermillExecutionError as exc:
            result["status"] = "failed"
            result["error"] = {
                "cell_index": exc.cell_index,
                "execution_count": exc.exec_count,
                "ename": exc.ename,
                "evalue": exc.evalue,
            }
            break
        except NoSuchKernel as exc:
            result["status"] = "failed"
            result["error"] = {
                "cell_index": None,
                "execution_count": None,
                "ename": "NoSuchKernel",
                "evalue": f"{exc}; register it with `make setup`",
            }
            break
        except Exception as exc:
            retry = _transient(exc) and attempt < len(transports)
            if retry:
                _emit("retry", name, f"{type(exc).__name__}: {exc}")
                continue
            result["status"] = "failed"
            cell_index, count = (None, None)
            if out_nb.is_file():
                with contextlib.suppress(Exception):
                    cell_index, count = _running_cell(nbformat.read(out_nb, as_version=4))
            result["error"] = {
                "cell_index": cell_index,
                "execution_count": count,
                "ename": type(exc).__name__,
                "evalue": str(exc).strip().splitlines()[0] if str(exc) else "",
            }
            break
        finally:
            if ipc_dir:
                shutil.rmtree(ipc_dir, ignore_errors=True)
    result["duration_s"] = round(time.perf_counter() - t0, 3)

    t1 = time.perf_counter()
    nb = nbformat.read(out_nb if out_nb.is_file() else task["input"], as_version=4)
    err = result["error"] or {}
    if result["status"] != "ok" and err.get("cell_index") is None:
        # no cell to point at (the kernel never started): say why at the top
        nb.cells.insert(
            0,
            nbformat.v4.new_markdown_cell(
                "**The notebook could not run:** `"
                + f"{err.get('ename')}: {err.get('evalue')}".replace("`", "'")
                + "`"
            ),
        )
    nb = _redact_key(nb, str(task["parameters"].get("id_key") or ""))
    nbformat.write(nb, out_nb)
    payload = collect_metrics(nb)
    result["metrics"] = payload
    result["title"] = _title_of(nb, payload, name)
    err = result["error"]
    info = PageInfo(
        result["title"],
        task["month"],
        task["data_source"],
        result["status"],
        error_line(err) if err else "",
        task["generated"],
        __version__,
    )
    export_html(nb, out_html, info, show_code=task["show_code"])
    result["export_s"] = round(time.perf_counter() - t1, 3)
    # "done" is reported by the parent from this result: a queued event could still sit in
    # the worker's feeder thread when the parent prints its last lines.
    return result


def error_line(err: dict | None) -> str:
    """``cell In [7] (#9): ValueError: message`` — one line."""
    if not err:
        return ""
    where = ""
    if err.get("execution_count") is not None:
        where = f"cell In [{err['execution_count']}]"
    elif err.get("cell_index") is not None:
        where = f"cell #{err['cell_index'] + 1}"
    msg = f"{err.get('ename')}: {err.get('evalue')}".strip()
    msg = " ".join(msg.split())
    if len(msg) > 300:
        msg = msg[:297] + "..."
    return f"{where}: {msg}" if where else msg


# --------------------------------------------------------------------------- progress


class _Progress:
    """Per-notebook, per-cell progress on a terminal; plain log lines otherwise."""

    def __init__(self, names: list[str], stream, tty: bool | None = None):
        self.names = names
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.state = {n: "waiting" for n in names}
        self.finished: set[str] = set()
        self.t0 = {}
        self.width = max(len(n) for n in names) if names else 10
        self.drawn = 0
        self.last = 0.0

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def log(self, text: str) -> None:
        if self.tty:
            self._clear()
        stamp = _dt.datetime.now().strftime("%H:%M:%S")
        self._line(f"[{stamp}] {text}")
        if self.tty:
            self.draw(force=True)

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")
            self.drawn = 0

    def draw(self, force: bool = False) -> None:
        if not self.tty or (not force and time.monotonic() - self.last < 0.2):
            return
        self.last = time.monotonic()
        self._clear()
        for n in self.names:
            s = self.state[n]
            if n in self.t0 and not s.startswith(("ok", "failed")):
                s += f"  {time.monotonic() - self.t0[n]:5.1f} s"
            self.stream.write(f"  {n:<{self.width}}  {s}\n")
        self.drawn = len(self.names)
        self.stream.flush()

    def event(self, ev: tuple) -> None:
        kind, name = ev[0], ev[1]
        if name in self.finished:
            return  # a late cell event from the worker's queue
        if kind == "start":
            self.t0.setdefault(name, time.monotonic())
            self.state[name] = "starting kernel" + (f" (attempt {ev[2]})" if ev[2] > 1 else "")
            if not self.tty:
                self.log(
                    f"{name}: started ({ev[3]} kernel"
                    + (f", attempt {ev[2]})" if ev[2] > 1 else ")")
                )
        elif kind == "cell":
            self.state[name] = f"cell {ev[2]}/{ev[3]}"
        elif kind == "retry":
            self.log(f"{name}: kernel failure, retrying once ({ev[2]})")
        elif kind == "done":
            self.finished.add(name)
            status, seconds, err = ev[2], ev[3], ev[4]
            self.state[name] = f"{status} in {seconds:.1f} s" + (f" — {err}" if err else "")
            if not self.tty:
                self.log(f"{name}: {status} in {seconds:.1f} s")
        self.draw(force=kind in ("start", "done"))

    def finish(self) -> None:
        if self.tty:
            self.draw(force=True)
            self.drawn = 0


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    """What :func:`run_report` did."""

    month: str
    folder: Path  # where the new report was put
    status: str  # "ok" or "failed"
    notebooks: list[dict] = field(default_factory=list)
    kept_previous: bool = False
    leak_caught: int = 0

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "ok" else EXIT_FAILED

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def id_key(out: str | Path) -> str:
    """The output root's pseudonym key, created on first use (``OUT/.cxreport-id-key``, 0600)."""
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


def _previous_good(folder: Path) -> bool:
    """Does ``folder`` hold a finished report whose notebooks all succeeded?"""
    try:
        return json.loads((folder / "manifest.json").read_text())["status"] == "ok"
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _place(tmp: Path, out: Path, month: str, status: str) -> tuple[Path, bool]:
    """Move the finished run into place; return (its folder, whether the previous was kept)."""
    final = out / month
    failed_dir = out / f"{month}.failed"
    if status != "ok" and final.exists() and _previous_good(final):
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        os.replace(tmp, failed_dir)
        return failed_dir, True
    old = None
    if final.exists():
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


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(5)
            if p.is_alive():
                p.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def run_report(
    *,
    data_dir: str | Path,
    month: str,
    out: str | Path,
    only: list[str] | None = None,
    jobs: int | None = None,
    params: dict[str, str] | None = None,
    show_code: bool = False,
    show_ids: bool = False,
    notebooks_dir: str | Path | None = None,
    kernel: str = KERNEL,
    start_timeout: int = 120,
    execution_timeout: int | None = 1800,
    ipc: bool = True,
    stream=None,
    tty: bool | None = None,
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
    params : dict of str, optional
        ``--param`` values as strings, coerced by each notebook's declared types.
    show_code, show_ids : bool, default=False
        Include code / real customer ids in the HTML.
    notebooks_dir : path, optional
        Default :func:`default_notebooks_dir`.
    stream : file, optional
        Where progress goes (default ``sys.stderr``).

    Raises
    ------
    CxReportError
        For user mistakes (bad month, data, parameters), before any kernel starts.
    KeyboardInterrupt
        After stopping the kernels and removing the temporary folder.
    """
    stream = sys.stderr if stream is None else stream
    parse_month(month)
    month = month.strip()
    data = Path(data_dir).resolve()
    out = Path(out).resolve()
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    notebooks = find_notebooks(nb_dir, only)
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be a positive whole number; got {jobs}.")
    given = dict(params or {})

    tables, files, cfg, report = read_folder(data)
    if not report.ok:
        raise DataError(report)

    generated = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    tmp = out / f".{month}.tmp-{secrets.token_hex(4)}"
    runner_values = {
        "data_dir": str(data),
        "month": month,
        "export_dir": str(tmp),
        "history_dir": str(out),
        "show_ids": bool(show_ids),
        "id_key": "",
    }
    plans = plan_parameters(notebooks, given, runner_values)
    # Only now, with data and parameters checked, write anything (the key file included).
    key = id_key(out)
    for p in plans.values():
        if "id_key" in p:
            p["id_key"] = key

    tmp.mkdir(parents=True)
    t_start = time.perf_counter()
    try:
        results = _execute_all(
            notebooks,
            plans,
            tmp=tmp,
            month=month,
            data=data,
            nb_dir=nb_dir,
            kernel=kernel,
            jobs=jobs,
            show_code=show_code,
            generated=generated,
            start_timeout=start_timeout,
            execution_timeout=execution_timeout,
            ipc=ipc,
            stream=stream,
            tty=tty,
        )
        wall = time.perf_counter() - t_start
        status = "ok" if all(r["status"] == "ok" for r in results) else "failed"

        leaks: dict[str, int] | None = None
        guard_info: dict = {"enabled": not show_ids}
        if not show_ids and "customers" in tables:
            from .htmlexport import IdGuard

            guard = IdGuard(tables["customers"]["customer_id"].tolist(), key=key)
            leaks = {r["name"]: guard.scrub_file(tmp / f"{r['name']}.html") for r in results}
            guard_info.update(
                ids=len(guard._simple), numeric_ids_not_scanned=guard.skipped, replaced=leaks
            )
        elif not show_ids:
            leaks = {r["name"]: 0 for r in results}
            guard_info["note"] = "no customers table: nothing to scan for"
        for r in results:
            r["ids_replaced_in_html"] = None if leaks is None else leaks.get(r["name"], 0)

        _write_outputs(
            tmp,
            results,
            title=str(cfg.report.get("title") or "Customer-experience report"),
            month=month,
            data=data,
            files=files,
            shaping={"sources": report.sources, "steps": report.shaping, "notes": report.notes},
            out=out,
            plans=plans,
            notebooks=notebooks,
            generated=generated,
            wall=wall,
            status=status,
            jobs=jobs,
            show_code=show_code,
            show_ids=show_ids,
            guard_info=guard_info,
            nb_dir=nb_dir,
            leaks=leaks,
        )
        folder, kept = _place(tmp, out, month, status)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    caught = sum((leaks or {}).values())
    return RunResult(month, folder, status, results, kept, caught)


def _execute_all(
    notebooks,
    plans,
    *,
    tmp,
    month,
    data,
    nb_dir,
    kernel,
    jobs,
    show_code,
    generated,
    start_timeout,
    execution_timeout,
    ipc,
    stream,
    tty,
) -> list[dict]:
    import multiprocessing as mp

    tasks = [
        {
            "name": nb.stem,
            "input": str(nb),
            "output_ipynb": str(tmp / nb.name),
            "output_html": str(tmp / f"{nb.stem}.html"),
            "parameters": plans[nb.stem],
            "cwd": str(nb_dir),
            "kernel": kernel,
            "month": month,
            "data_source": str(data),
            "show_code": show_code,
            "generated": generated,
            "start_timeout": start_timeout,
            "execution_timeout": execution_timeout,
            "ipc": ipc,
        }
        for nb in notebooks
    ]
    # Longest first (durations from the last report of any month), so that on few cores the
    # longest notebook does not start last.
    tasks.sort(key=lambda t: -_last_duration(Path(tmp).parent, t["name"]))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    # Linux: fork workers from this process, which has imported papermill and nbconvert once
    # (their imports take seconds; spawned workers would each pay it again). Elsewhere: spawn.
    if sys.platform.startswith("linux"):
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        from . import htmlexport, indexpage  # noqa: F401

        ctx = mp.get_context("fork")
    else:
        ctx = mp.get_context("spawn")
    progress_q = ctx.Queue()
    progress = _Progress([t["name"] for t in sorted(tasks, key=lambda t: t["name"])], stream, tty)
    results: dict[str, dict] = {}
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(progress_q, str(tmp / "run.log")),
    )
    try:
        futures = {pool.submit(execute_one, t): t for t in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(progress_q, progress)
            for fut in done:
                task = futures[fut]
                try:
                    r = fut.result()
                except Exception as exc:  # the worker itself died (e.g. out of memory)
                    r = _crashed(task, exc)
                results[task["name"]] = r
                progress.event(
                    (
                        "done",
                        task["name"],
                        r["status"],
                        r["duration_s"] + r["export_s"],
                        error_line(r["error"]),
                    )
                )
            progress.draw()
        _drain(progress_q, progress)
        progress.finish()
    except BaseException:
        _stop_workers(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        with contextlib.suppress(Exception):
            progress_q.close()
    return [results[nb.stem] for nb in notebooks]


def _drain(q, progress: _Progress) -> None:
    while True:
        try:
            progress.event(q.get_nowait())
        except _queue.Empty:
            return
        except (OSError, ValueError, EOFError):
            return


def _crashed(task: dict, exc: BaseException) -> dict:
    import nbformat

    from .htmlexport import PageInfo, export_html

    err = {
        "cell_index": None,
        "execution_count": None,
        "ename": type(exc).__name__,
        "evalue": str(exc) or "the worker process died",
    }
    out_html = Path(task["output_html"])
    if not out_html.exists():
        with contextlib.suppress(Exception):
            nb = nbformat.read(task["input"], as_version=4)
            export_html(
                nb,
                out_html,
                PageInfo(
                    task["name"],
                    task["month"],
                    task["data_source"],
                    "failed",
                    error_line(err),
                    task["generated"],
                    __version__,
                ),
                show_code=False,
            )
    return {
        "name": task["name"],
        "status": "failed",
        "error": err,
        "attempts": 1,
        "transport": None,
        "duration_s": 0.0,
        "export_s": 0.0,
        "metrics": None,
        "title": task["name"],
    }


def _last_duration(out: Path, name: str) -> float:
    best = 0.0
    for manifest in sorted(out.glob("*/manifest.json"))[-3:]:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            for nb in json.loads(manifest.read_text())["notebooks"]:
                if nb["name"] == name:
                    best = max(best, float(nb.get("duration_s") or 0))
    return best


def _write_outputs(
    tmp: Path,
    results: list[dict],
    *,
    title,
    month,
    data,
    files,
    shaping,
    out,
    plans,
    notebooks,
    generated,
    wall,
    status,
    jobs,
    show_code,
    show_ids,
    guard_info,
    nb_dir,
    leaks,
) -> None:
    from .indexpage import flatten, load_previous, render_index

    period = parse_month(month)
    prev_month = str(period - 1)
    payloads = {r["name"]: r.get("metrics") for r in results if r.get("metrics")}
    metrics = flatten(payloads)
    (tmp / "metrics.json").write_text(
        json.dumps(
            {
                "month": month,
                "generated": generated,
                "metrics": metrics,
                "notebooks": {
                    k: {"title": v.get("title"), "exported": v.get("exported", [])}
                    for k, v in payloads.items()
                },
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )

    data_files = {}
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        data_files[str(path.relative_to(data))] = _sha256(path)
    for path in (Path(p) for ps in shaping["sources"].values() for p in ps):
        if path.is_file() and not path.resolve().is_relative_to(data):
            data_files[str(path)] = _sha256(path)  # a file mapped from outside the folder
    shown_params = {
        name: {k: (REDACTED if k == "id_key" else v) for k, v in p.items()}
        for name, p in plans.items()
    }
    for p in shown_params.values():
        if "export_dir" in p:
            p["export_dir"] = str(out / month)
    nb_rows = []
    for r, nb in zip(results, notebooks, strict=True):
        payload = r.get("metrics") or {}
        row = {
            "name": r["name"],
            "notebook": nb.name,
            "title": r.get("title"),
            "status": r["status"],
            "duration_s": r["duration_s"],
            "export_s": r["export_s"],
            "attempts": r["attempts"],
            "kernel_transport": r["transport"],
            "html": f"{r['name']}.html",
            "ipynb": nb.name,
            "exported": list(payload.get("exported", [])),
            "metrics": [m.get("name") for m in payload.get("metrics", [])],
            "ids_replaced_in_html": r.get("ids_replaced_in_html"),
            "notebook_sha256": _sha256(nb),
            "error": None,
        }
        if r["error"]:
            row["error"] = {"notebook": nb.name, **r["error"], "line": error_line(r["error"])}
        nb_rows.append(row)
    manifest = {
        "cxreport_run": 1,
        "month": month,
        "status": status,
        "generated": generated,
        "wall_time_s": round(wall, 3),
        "command": {
            "data": str(data),
            "out": str(out),
            "notebooks_dir": str(nb_dir),
            "jobs": jobs or os.cpu_count(),
            "show_code": show_code,
            "show_ids": show_ids,
            "kernel": KERNEL,
        },
        "parameters": shown_params,
        "versions": _versions(),
        "git": _git(nb_dir),
        "data_files": data_files,
        "data_tables": {
            k: str(v.relative_to(data)) if v.is_relative_to(data) else str(v)
            for k, v in files.items()
        },
        "data_shaping": shaping,  # how cxreport.yaml shaped each table, and what it did
        "leak_guard": guard_info,
        "notebooks": nb_rows,
    }
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    index_rows = [{**row, "error_line": (row["error"] or {}).get("line", "")} for row in nb_rows]
    page = render_index(
        title=title,
        month=month,
        previous_month=prev_month,
        metrics=metrics,
        previous=load_previous(out / prev_month / "metrics.json"),
        notebooks=index_rows,
        data_source=str(data),
        generated=generated,
        version=__version__,
        leak_total=None if leaks is None else sum(leaks.values()),
        status=status,
    )
    (tmp / "index.html").write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------- command line


def _run_command(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be a positive whole number; got {args.jobs}.")
    result = run_report(
        data_dir=args.data,
        month=args.month,
        out=args.out,
        only=args.only,
        jobs=args.jobs,
        params=parse_param_args(args.param),
        show_code=args.show_code,
        show_ids=args.show_ids,
        notebooks_dir=args.notebooks,
        kernel=args.kernel,
    )
    for r in result.notebooks:
        if r["status"] != "ok":
            print(f"✗ {r['name']} failed at {error_line(r['error'])}", file=sys.stderr)
    if result.leak_caught:
        print(
            f"! leak guard: replaced {result.leak_caught} customer id(s) in the HTML by "
            "pseudonyms; the notebooks should show ids through run.ids()",
            file=sys.stderr,
        )
    n_ok = sum(r["status"] == "ok" for r in result.notebooks)
    print(f"{n_ok}/{len(result.notebooks)} notebooks ok.")
    if result.kept_previous:
        print(
            f"The previous report in {result.folder.parent / result.month} was kept; "
            f"this failed run is in {result.folder}."
        )
    print(f"Report: {result.index}")
    return result.exit_code


def add_run_command(subparsers) -> argparse.ArgumentParser:
    """Add ``cxreport run`` to the command line's subparsers."""
    r = subparsers.add_parser(
        "run",
        help="run the monthly report (notebooks → HTML, index, KPIs, manifest)",
        description="Run every analysis notebook for a month with papermill, in parallel, and "
        "write OUT/<month>/: executed notebooks, shareable HTML (code hidden, customer ids "
        "pseudonymised), index.html with the month's KPIs against the previous month, "
        "metrics.json, manifest.json and the exported tables. Exit codes: 0 ok, 1 a notebook "
        "failed, 2 bad data or parameters, 130 interrupted.",
    )
    r.add_argument("--data", required=True, metavar="DIR", help="data folder")
    r.add_argument("--month", required=True, metavar="YYYY-MM", help="reporting month")
    r.add_argument(
        "--out", required=True, metavar="DIR", help="output root; the report goes to OUT/<month>/"
    )
    r.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="run only these notebooks (03_churn, churn or 03_churn.ipynb)",
    )
    r.add_argument(
        "--jobs", type=int, metavar="N", help="notebooks run in parallel (default: number of cores)"
    )
    r.add_argument(
        "--param",
        action="append",
        metavar="K=V",
        help="notebook parameter, coerced by the type its parameters cell declares (repeatable)",
    )
    r.add_argument("--show-code", action="store_true", help="include code in the HTML")
    r.add_argument(
        "--show-ids",
        action="store_true",
        help="show real customer ids in the HTML (default: pseudonyms)",
    )
    r.add_argument(
        "--notebooks", metavar="DIR", help="notebooks folder (default: the checkout's notebooks/)"
    )
    r.add_argument("--kernel", default=KERNEL, help=f"Jupyter kernel (default {KERNEL})")
    r.set_defaults(func=_run_command)
    return r
