"""A progress bar on standard error for long runs on a terminal.

Drawn only when standard error is a terminal, not in CI (``CI`` set) nor with ``TERM=dumb``,
and only once the run has taken longer than :data:`DELAY` seconds: short runs, pipes and CI
logs never see it. It is one line, redrawn in place, and erased when the run ends.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Optional

from mllint.console import in_ci, stream_is_terminal

DELAY = 1.0
"""Seconds a run goes without a bar (``MLLINT_PROGRESS_DELAY`` overrides it)."""

_REDRAW = 0.1
"""The shortest time between two redraws of the same stage, in seconds."""

_WIDTH = 24


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("MLLINT_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


class ProgressBar:
    """``analysing [######......] 120/480 files``; call it as an
    :data:`mllint.engine.Progress` and :meth:`close` it before printing the report."""

    def __init__(self, stream: Optional[IO[str]] = None, enabled: Optional[bool] = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = (
                stream_is_terminal(self.stream) and not in_ci() and os.environ.get("TERM") != "dumb"
            )
        self.enabled = enabled
        self.delay = _delay()
        self._start = time.monotonic()
        self._last = 0.0
        self._stage = ""
        self._drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self.delay:
            return
        finished = total > 0 and done >= total
        if stage == self._stage and now - self._last < _REDRAW and not finished:
            return
        self._stage, self._last = stage, now
        self._draw(stage, done, total)

    def _draw(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            filled = _WIDTH * min(done, total) // total
            bar = "#" * filled + "." * (_WIDTH - filled)
            line = f"mllint: {stage} [{bar}] {done}/{total} files"
        else:
            line = f"mllint: {stage}..."
        self._write("\r\x1b[2K" + line)
        self._drawn = True

    def close(self) -> None:
        """Erase the bar (when one was drawn)."""
        if self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: no bar, and no error either
            self.enabled = False
