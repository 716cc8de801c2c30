"""Stopping a run: Ctrl-C and SIGTERM in the runner; workers and kernels that end with it.

In the runner (:func:`handled`, for the whole of ``run_report``) SIGINT and SIGTERM raise
:class:`Interrupted` (a :class:`KeyboardInterrupt`; exit code 128 + the signal: 130, 143). Inside
:func:`held` sections — the life of the worker pool, moving the report into place, cleaning up —
a signal is only noted and raised at the section's next :func:`check` or at its end: never in
the middle of library code. (It used to be raised wherever the main thread was; landing inside
``concurrent.futures.wait`` while that held a future's lock, it left the lock held, and the pool's
manager thread, which the interpreter joins at exit, waited on it for ever: a hung Ctrl-C.)

Pool workers start with both signals blocked (:func:`blocked` around the submits, so that one
arriving while they start is neither lost nor half-handled) and set up their own handling in
:func:`guard_worker`: Ctrl-C is the runner's to handle (it stops the workers); SIGTERM, or the
runner's death however it died (``PR_SET_PDEATHSIG`` on Linux, a watchdog thread checking the
parent everywhere), kills the worker's kernels and the worker. Kernels also end by themselves
once their worker is gone (ipykernel polls its parent), and :func:`kill_processes` lets the
runner kill them directly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

SIGNALS = (signal.SIGINT, signal.SIGTERM)
WORKER_EXIT = 128 + signal.SIGTERM  # a worker ended by SIGTERM or by its runner's death
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_S = 0.5  # how often a worker's watchdog looks for its runner


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal: SIGINT (Ctrl-C) or SIGTERM.

    Parameters
    ----------
    signum : int, default=signal.SIGINT
        The signal's number.
    """

    def __init__(self, signum: int = signal.SIGINT):
        self.signum = int(signum)
        super().__init__(signal.Signals(self.signum).name)

    @property
    def exit_code(self) -> int:
        """128 + the signal, as a shell reports a command the signal ended: 130, 143.

        Returns
        -------
        int
        """
        return 128 + self.signum


class _Trap:
    """The runner's SIGINT/SIGTERM handler: raise now, or note it inside a held section."""

    def __init__(self) -> None:
        self.holds = 0
        self.pending: int | None = None

    def __call__(self, signum, frame) -> None:
        if self.holds:
            if self.pending is None:
                self.pending = signum  # a second signal while stopping changes nothing
            return
        raise Interrupted(signum)


_trap = _Trap()


@contextlib.contextmanager
def handled():
    """SIGINT and SIGTERM raise :class:`Interrupted` (at once, or at the end of a held section)
    for the duration; the previous handlers come back afterwards. Only the main thread can
    handle signals: elsewhere this changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, _trap)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, signal.SIG_DFL if h is None else h)
        _trap.pending = None


@contextlib.contextmanager
def held():
    """A section that a signal does not cut short: it is raised at the next :func:`check`
    inside, or when the section ends (unless it ends by an exception of its own)."""
    _trap.holds += 1
    try:
        yield
    finally:
        _trap.holds -= 1
    check()


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived during a held section."""
    signum, _trap.pending = _trap.pending, None
    if signum is not None:
        raise Interrupted(signum)


@contextlib.contextmanager
def blocked():
    """SIGINT and SIGTERM blocked in this thread for the duration, and in the processes and
    threads started meanwhile (they inherit the mask; :func:`guard_worker` unblocks a worker
    once it handles them). A signal arriving meanwhile is delivered at the end."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --------------------------------------------------------------------------- processes


def descendants(pids) -> list:
    """The live descendants (kernels, their children) of the processes ``pids``.

    Parameters
    ----------
    pids : iterable of int
        Process ids; those that no longer exist are skipped.

    Returns
    -------
    list of psutil.Process
    """
    import psutil

    found = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            found += psutil.Process(pid).children(recursive=True)
    return found


def kill_processes(procs) -> None:
    """SIGKILL each of ``procs`` (psutil processes) still alive.

    Parameters
    ----------
    procs : iterable of psutil.Process
        The processes to kill; those already gone are skipped.
    """
    import psutil

    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()


def _end_worker(signum=None, frame=None) -> None:  # pragma: no cover - runs in a worker
    try:
        kill_processes(descendants([os.getpid()]))
    finally:
        os._exit(WORKER_EXIT)


def _watch(parent: int) -> None:  # pragma: no cover - runs in a worker
    while os.getppid() == parent:
        time.sleep(_WATCH_S)
    _end_worker()


def guard_worker() -> None:
    """In a pool worker, first thing: Ctrl-C ignored (the runner handles it and stops the
    workers); SIGTERM, or the runner's death, kills this worker's kernels and the worker."""
    import multiprocessing as mp

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)
    parent_process = mp.parent_process()
    parent = parent_process.pid if parent_process is not None else os.getppid()
    if sys.platform.startswith("linux"):
        # SIGTERM when the runner dies, even by SIGKILL. (Linux sends it when the thread that
        # started the worker ends; the pool starts its workers from the runner's main thread.)
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the runner died before that
        _end_worker()
    # Everywhere else, and should the SIGTERM handler not get to run: a watchdog thread. It is
    # started with the signals still blocked, so that they keep going to the main thread.
    threading.Thread(target=_watch, args=(parent,), name="cxreport-watchdog", daemon=True).start()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
