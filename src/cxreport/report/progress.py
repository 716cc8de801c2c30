"""What the user sees while a report runs: per-notebook, per-cell progress.

:class:`Progress` takes the events that the workers send through their queue
(:mod:`.execute`) and the runner's own "done":

- ``("start", name, attempt, transport)`` — a kernel is starting;
- ``("cell", name, i, n)`` — cell ``i`` of ``n`` started;
- ``("retry", name, why)`` — the kernel failed, one more attempt;
- ``("done", name, status, seconds, error_line)`` — finished, ``ok``, ``skipped`` or ``failed``.

Each becomes a log record of ``cxreport.report.progress`` (start and done at INFO, each cell at
DEBUG, a retry at WARNING, the total at the end at INFO), which ``run.log`` keeps and, off a
terminal (CI, a pipe), the console shows as plain time-stamped lines (:mod:`.logs`). On a
terminal, unless ``-q``, a live display drawn with rich shows instead one line per notebook (a
bar of its cells, elapsed time, ``cell i/n`` or how it ended) and an overall line (notebooks
done / total, elapsed), and the total time when it ends.
"""

from __future__ import annotations

import logging
import time

from .logs import PROGRESS

log = logging.getLogger(__name__)
_MARK = {PROGRESS: True}  # shown by the live display on a terminal, not as a line


class Progress:
    """Progress of the notebooks ``names``; live on ``console`` (a :class:`.logs.ConsoleHandler`)
    when that is a terminal showing INFO, log lines only otherwise.

    Parameters
    ----------
    names : list of str
        The notebooks of the run (stems), in the order their lines are shown.
    console : ConsoleHandler or None, default=None
        The run's console handler (``RunLog.console``); None for log lines only.
    """

    def __init__(self, names: list[str], console=None):
        self.names = list(names)
        self.finished: set[str] = set()
        self.ok = 0
        self.skipped = 0
        self.t0 = time.monotonic()
        self.live = (
            console is not None
            and getattr(console, "console", None) is not None
            and console.level <= logging.INFO
        )
        self._started = self._stopped = False
        self._last = 0.0
        if self.live:
            self._setup(console.console)

    def _setup(self, console) -> None:
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bars
        from rich.table import Column

        width = max([len(n) for n in self.names] + [3])
        self.bars = Bars(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TimeElapsedColumn(),
            TextColumn(
                "{task.fields[status]}", table_column=Column(no_wrap=True, overflow="ellipsis")
            ),
            console=console,
            auto_refresh=False,  # refreshed by the runner's loop: no thread of its own
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.tasks = {
            n: self.bars.add_task(f"{n:<{width}}", total=None, start=False, status="waiting")
            for n in self.names
        }
        self.overall = self.bars.add_task(
            f"{'all':<{width}}", total=len(self.names), status=self._overall_status()
        )

    def _tally(self) -> str:
        failed = len(self.finished) - self.ok - self.skipped
        return (f", {self.skipped} not run" if self.skipped else "") + (
            f", {failed} failed" if failed else ""
        )

    def _overall_status(self) -> str:
        return f"{len(self.finished)}/{len(self.names)} notebooks done" + self._tally()

    def event(self, ev: tuple) -> None:
        """Take one event (module docstring): log it and update the live display.

        Parameters
        ----------
        ev : tuple
            ``("start", name, attempt, transport)``, ``("cell", name, i, n)``,
            ``("retry", name, why)`` or ``("done", name, status, seconds, error_line)``; events of a
            notebook already done are ignored.
        """
        kind, name = ev[0], ev[1]
        if name in self.finished:
            return  # a late cell event from the worker's queue
        task = self.tasks.get(name) if self.live else None
        if kind == "start":
            attempt, transport = ev[2], ev[3]
            again = f", attempt {attempt}" if attempt > 1 else ""
            log.info("%s: started (%s kernel%s)", name, transport, again, extra=_MARK)
            if task is not None:
                self.bars.start_task(task)
                self.bars.update(task, status="starting kernel" + again)
        elif kind == "cell":
            i, n = ev[2], ev[3]
            log.debug("%s: cell %d/%d", name, i, n, extra=_MARK)
            if task is not None:
                self.bars.update(task, total=n, completed=i - 1, status=f"cell {i}/{n}")
        elif kind == "retry":
            log.warning("%s: kernel failure, retrying once (%s)", name, ev[2])
            if task is not None:
                self.bars.update(task, status="kernel failure, retrying")
        elif kind == "done":
            self.finished.add(name)
            status, seconds, err = ev[2], ev[3], ev[4]
            self.ok += status == "ok"
            self.skipped += status == "skipped"
            text = f"{status} in {seconds:.1f} s" + (f" — {err}" if err else "")
            log.info("%s: %s", name, text, extra=_MARK)
            if task is not None:
                if status == "ok":
                    total = self.bars.tasks[task].total or 1
                    self.bars.update(task, total=total, completed=total)
                self.bars.update(task, status=text)
                self.bars.stop_task(task)
                self.bars.update(self.overall, advance=1, status=self._overall_status())
        self.draw(force=kind in ("start", "done"))

    def draw(self, force: bool = False) -> None:
        """Redraw the live display (at most 5 times a second unless ``force``).

        Parameters
        ----------
        force : bool, default=False
            Redraw now, however recently the display was drawn.
        """
        if not self.live or self._stopped:
            return
        if not self._started:
            self._started = True
            self.bars.start()  # first drawn once the workers run, never before they fork
        if force or time.monotonic() - self._last >= 0.2:
            self._last = time.monotonic()
            self.bars.refresh()

    def finish(self) -> None:
        """All notebooks done: the last frame stays, then the total time."""
        if self.live and not self._stopped:
            self.bars.stop_task(self.overall)
            self.draw(force=True)
            self.close()
        seconds = time.monotonic() - self.t0
        log.info(
            "%d notebook%s in %.1f s: %d ok%s",
            len(self.names),
            "" if len(self.names) == 1 else "s",
            seconds,
            self.ok,
            self._tally(),
        )

    def close(self) -> None:
        """Stop the live display (and give the terminal its cursor back); idempotent."""
        if self.live and self._started and not self._stopped:
            self.bars.stop()
        self._stopped = True
