"""Where the runner's messages go: the console (``cxreport run -v`` / ``-q``) and ``run.log``.

The runner's modules log through ``logging.getLogger(__name__)`` (``cxreport.report.run``,
``.execute``, ``.progress``). For one run, :func:`run_logging` sends those records to

- the console (``stderr`` by default): ``[HH:MM:SS] message`` from the chosen level up (INFO;
  DEBUG with ``-v``, which adds each cell; WARNING with ``-q``). On a terminal the progress
  records (marked ``cx_progress``) are left to the live display of :mod:`.progress` and the
  others are printed above it;
- ``run.log`` in the report folder, from DEBUG up, each line with date and time, level and
  logger; the records from before the folder exists (checking the data and parameters) are kept
  until :meth:`RunLog.to_file`. Each pool worker appends its own records there, and every line
  its kernels print (:func:`worker_logging`), so nothing of theirs reaches the console.

The records also propagate to the root logger as usual, for an application that configures
logging itself.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import threading
import time

RUN_LOG = "run.log"
PROGRESS = "cx_progress"  # a record's attribute: what the live display shows on a terminal
OUTPUT_LOGGER = "cxreport.report.execute.output"  # what kernels and workers print
_FILE_FORMAT = logging.Formatter(
    "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"
)


class ConsoleHandler(logging.Handler):
    """``[HH:MM:SS] message`` lines on ``stream``; on a terminal (``tty``) printed through a
    rich console, above the live progress display that shows the progress records.

    Parameters
    ----------
    stream : file-like
        Where the lines go, a text stream (``run_report`` gives ``sys.stderr`` by default).
    tty : bool
        Whether ``stream`` is a terminal: lines then go through a rich console and the progress
        records are left out.
    level : int, default=logging.INFO
        The lowest level shown.
    """

    def __init__(self, stream, tty: bool, level: int = logging.INFO):
        super().__init__(level)
        self.stream = stream
        self.tty = tty
        self.console = None
        if tty:
            from rich.console import Console

            self.console = Console(file=stream, force_terminal=True, highlight=False)

    def emit(self, record: logging.LogRecord) -> None:
        """Print one record as a ``[HH:MM:SS] message`` line (progress ones skipped on a terminal).

        Parameters
        ----------
        record : logging.LogRecord
            The record.
        """
        if self.console is not None and getattr(record, PROGRESS, False):
            return  # on the live display
        try:
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            line = f"[{stamp}] {self.format(record)}"
            if self.console is not None:
                self.console.print(line, markup=False, highlight=False, emoji=False)
            else:
                self.stream.write(line + "\n")
                self.stream.flush()
        except Exception:
            self.handleError(record)


def _file_handler(path) -> logging.FileHandler:
    handler = logging.FileHandler(path, encoding="utf-8")  # appends: workers write there too
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(_FILE_FORMAT)
    return handler


class RunLog:
    """The logging of one run (see the module docstring); made by :func:`run_logging`.

    Parameters
    ----------
    stream : file-like
        The console's stream, passed to :class:`ConsoleHandler`.
    tty : bool
        Whether ``stream`` is a terminal, passed to :class:`ConsoleHandler`.
    level : int
        The console's level, passed to :class:`ConsoleHandler`.
    """

    def __init__(self, stream, tty: bool, level: int):
        self.console = ConsoleHandler(stream, tty, level)
        self._early = logging.handlers.MemoryHandler(100_000, flushLevel=logging.CRITICAL + 1)
        self._early.setLevel(logging.DEBUG)
        self._file: logging.FileHandler | None = None
        self._logger = logging.getLogger("cxreport")

    def to_file(self, path) -> None:
        """Write to ``path`` (``run.log``) from now on, after the records kept so far.

        Parameters
        ----------
        path : str or os.PathLike
            The log file, appended to.
        """
        self._file = _file_handler(path)
        self._early.setTarget(self._file)
        self._early.flush()
        self._logger.removeHandler(self._early)
        self._logger.addHandler(self._file)

    def _attach(self) -> None:
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self.console)
        self._logger.addHandler(self._early)

    def _detach(self) -> None:
        for h in (self.console, self._early, self._file):
            if h is not None:
                self._logger.removeHandler(h)
                h.close()
        self._logger.setLevel(self._level)


@contextlib.contextmanager
def run_logging(stream, tty: bool, level: int = logging.INFO):
    """The runner's records to the console and, once :meth:`RunLog.to_file` is called, to
    ``run.log``, for the duration.

    Parameters
    ----------
    stream : file-like
        The console's stream.
    tty : bool
        Whether ``stream`` is a terminal (a live progress display above which lines are printed).
    level : int, default=logging.INFO
        The console's level (DEBUG with ``-v``, WARNING with ``-q``).

    Yields
    ------
    RunLog
        The run's logging, handlers removed and closed on exit.
    """
    run_log = RunLog(stream, tty, level)
    run_log._attach()
    try:
        yield run_log
    finally:
        run_log._detach()


def worker_logging(path: str) -> None:
    """In a pool worker: its records (the runner's loggers from DEBUG, other libraries' from
    WARNING) and every line it and its kernels print go to ``run.log`` at ``path``, never to
    the console (the runner's handlers, inherited through fork, are dropped).

    Parameters
    ----------
    path : str
        The report's ``run.log``.
    """
    logging.raiseExceptions = False  # a logging error must not print to stderr: that is the log
    root, ours = logging.getLogger(), logging.getLogger("cxreport")
    for logger in (root, ours):
        for h in list(logger.handlers):
            logger.removeHandler(h)
    root.addHandler(_file_handler(path))
    root.setLevel(logging.WARNING)
    ours.setLevel(logging.DEBUG)
    ours.propagate = True
    # The kernels inherit this process's stdout and stderr: a pipe, copied line by line.
    read, write = os.pipe()
    os.dup2(write, 1)
    os.dup2(write, 2)
    os.close(write)
    threading.Thread(target=_copy_lines, args=(read,), name="cxreport-output", daemon=True).start()


def _copy_lines(fd: int) -> None:  # pragma: no cover - runs in a worker
    output = logging.getLogger(OUTPUT_LOGGER)
    with open(fd, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.strip():
                output.info(line.rstrip())
