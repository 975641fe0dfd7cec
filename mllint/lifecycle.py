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
from typing import Any, Callable, Iterator, NoReturn, Optional

_PR_SET_PDEATHSIG = 1
_IMPORTED_BY = os.getpid()
"""The process that imported this module: for a forked worker, the parent that forked it."""
WATCH_INTERVAL = 0.5
"""Seconds between two looks of a worker's watchdog at its parent."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived. A ``KeyboardInterrupt``, so that ``except Exception``
    blocks let it pass and asyncio (the language server) re-raises it from a task."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130 for Ctrl-C)."""
        return 128 + self.signum


GRACE = 2.0
"""Seconds an interrupted run has to stop its pool and exit before it is ended outright."""

_handling_pid = 0
_received = 0


def _on_signal(signum: int, frame: Optional[FrameType]) -> None:
    global _received
    if os.getpid() != _handling_pid:
        # a forked worker that has not yet reached die_with_parent(): the parent stops the
        # pool; the worker must not print a traceback of its own
        if signum != signal.SIGINT:
            os._exit(128 + signum)
        return
    if _received:  # a second signal: the first is being handled, or was lost
        leave_now(_received)
    _received = signum
    # An exception raised in a signal handler can be swallowed (a fork hook of the pool
    # prints "Exception ignored" and goes on): the alarm ends the run regardless.
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, GRACE)
    raise Interrupted(signum)


def _on_alarm(signum: int, frame: Optional[FrameType]) -> None:
    leave_now(_received or signal.SIGINT)


def install_handlers() -> None:
    """In the command-line process: SIGINT and SIGTERM raise :class:`Interrupted` (and end
    the process :data:`GRACE` seconds later if it is still there)."""
    global _handling_pid
    _handling_pid = os.getpid()
    sys.unraisablehook = _quiet_about_interrupts(sys.unraisablehook)
    signal.signal(signal.SIGINT, _on_signal)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_signal)


def _quiet_about_interrupts(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An unraisable-exception hook that says nothing of a swallowed :class:`Interrupted`
    (the alarm set with it ends the run): no traceback on Ctrl-C."""

    def quiet(unraisable: Any) -> Any:
        if isinstance(unraisable.exc_value, Interrupted):
            return None
        return hook(unraisable)

    return quiet


def leave_now(signum: int) -> NoReturn:
    """Say why and exit with ``128 + signum`` at once: no interpreter shutdown that would
    wait on the threads of a stopped pool (its workers die with this process)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    message = (
        "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    )
    with contextlib.suppress(Exception):
        sys.stderr.write(f"mllint: {message}\n")
        sys.stderr.flush()
    os._exit(128 + signum)


def die_with_parent() -> None:
    """In a pool worker: end when the parent process ends, however it ends.

    On Linux the kernel kills the worker when its parent dies (``PR_SET_PDEATHSIG``; the
    pools are started by a thread that outlives them, or by multiprocessing's fork server);
    everywhere, a daemon thread also checks the parent every :data:`WATCH_INTERVAL` seconds.
    Ctrl-C in a terminal reaches the whole process group: the worker ignores it and lets
    the parent stop the pool (see :func:`stop_pool`), so no worker prints a traceback.
    """
    # A forked worker knows its parent from the memory it inherited: asked now, getppid()
    # would already name a reaper if the parent died between the fork and this call.
    parent = _IMPORTED_BY if os.getpid() != _IMPORTED_BY else os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)
    with contextlib.suppress(ValueError):  # not in the main thread: nothing to change
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch, args=(parent,), name="mllint-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


def stop_pool(pool: Executor) -> None:
    """Stop a process pool now: drop the queued work and kill the workers (on Ctrl-C or
    SIGTERM, where waiting for every queued file would take as long as the run)."""
    # taken first: shutdown() forgets the pool's processes even when it does not wait
    processes = list((getattr(pool, "_processes", None) or {}).values())
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
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
