"""How mllint's processes end: Ctrl-C and SIGTERM stop a run at once (exit 130 and 143, no
traceback), and pool workers never outlive the process that started them.

A worker left behind by a killed parent holds a parser and its caches (about 90 MB) forever;
:func:`die_with_parent` makes each worker end with its parent even on SIGKILL, which no
handler in the parent can see.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import Executor
from types import FrameType
from typing import Iterator, Optional

_PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5
"""Seconds between two looks of a worker's watchdog at its parent."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A ``BaseException`` on purpose: ``except Exception``
    blocks let it pass, and click does not turn it into "Aborted!" and exit 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130 for Ctrl-C)."""
        return 128 + self.signum


def _raise_interrupted(signum: int, frame: Optional[FrameType]) -> None:
    raise Interrupted(signum)


def install_handlers() -> None:
    """In the command-line process: SIGINT and SIGTERM raise :class:`Interrupted`."""
    signal.signal(signal.SIGINT, _raise_interrupted)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _raise_interrupted)


def die_with_parent() -> None:
    """In a pool worker: end when the parent process ends, however it ends.

    On Linux the kernel kills the worker when its parent dies (``PR_SET_PDEATHSIG``; the
    pools are started by a thread that outlives them, or by multiprocessing's fork server);
    everywhere, a daemon thread also checks the parent every :data:`WATCH_INTERVAL` seconds.
    Ctrl-C in a terminal reaches the whole process group: the worker ignores it and lets
    the parent stop the pool (see :func:`stop_pool`), so no worker prints a traceback.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if parent == 1 or os.getppid() != parent:  # the parent died before we could ask
        os._exit(1)
    with contextlib.suppress(ValueError):  # not in the main thread: nothing to ignore
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), name="mllint-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


def stop_pool(pool: Executor) -> None:
    """Stop a process pool now: drop the queued work and kill the workers (on Ctrl-C or
    SIGTERM, where waiting for every queued file would take as long as the run)."""
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()


@contextlib.contextmanager
def stopped_when_interrupted(pool: Executor) -> Iterator[None]:
    """Around the use of a pool: on :class:`Interrupted`, ``KeyboardInterrupt`` or
    ``SystemExit``, :func:`stop_pool` before the pool's own exit waits for its workers."""
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):
            stop_pool(pool)
        raise
