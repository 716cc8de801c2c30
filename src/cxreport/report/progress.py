"""What the user sees while a report runs: per-notebook, per-cell progress lines."""

from __future__ import annotations

import datetime as _dt
import time


class Progress:
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
