"""The terminal at the edge of a run: whether to colour, and mllint's own messages.

Findings and the summary of the ``text`` format go to standard output; everything mllint
says about the run itself (warnings, ``-v`` details) goes to standard error, as in ruff.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Dict, List, Mapping, Optional, Tuple

import click

from mllint.display import printable


def stream_is_terminal(stream: Optional[IO[str]]) -> bool:
    """Whether ``stream`` is an interactive terminal (a closed or odd stream is not)."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def use_color(stream: Optional[IO[str]], env: Optional[Mapping[str, str]] = None) -> bool:
    """Whether to colour what goes to ``stream``: ``FORCE_COLOR`` (non-empty, not ``0``)
    forces colour, ``NO_COLOR`` (non-empty, https://no-color.org) turns it off, and
    otherwise only a terminal that is not ``TERM=dumb`` gets colour."""
    env = os.environ if env is None else env
    force = env.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.lower() not in ("0", "false", "no")
    if env.get("NO_COLOR"):
        return False
    return stream_is_terminal(stream) and env.get("TERM") != "dumb"


def in_ci(env: Optional[Mapping[str, str]] = None) -> bool:
    """Whether the run is a CI job (``CI`` set, as GitHub, GitLab and most others do)."""
    env = os.environ if env is None else env
    return env.get("CI", "").lower() not in ("", "0", "false")


class Console:
    """mllint's messages on standard error: warnings (hidden by ``-q``), details and
    per-stage timings (shown by ``-v``)."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self._start = time.monotonic()
        self._stage: Optional[Tuple[str, float]] = None
        self.timings: Dict[str, float] = {}

    def warn(self, message: str) -> None:
        """``mllint: warning: ...`` unless quiet."""
        if not self.quiet:
            click.echo(f"mllint: warning: {printable(message)}", err=True)

    def info(self, message: str) -> None:
        """``mllint: ...`` unless quiet: something about the run a user wants to know."""
        if not self.quiet:
            click.echo(f"mllint: {printable(message)}", err=True)

    def detail(self, message: str) -> None:
        """``mllint: ...`` with ``-v`` only."""
        if self.verbose:
            click.echo(f"mllint: {printable(message)}", err=True)

    def stage(self, name: str) -> None:
        """Start timing stage ``name`` (ending the one before)."""
        now = time.monotonic()
        if self._stage is not None and self._stage[0] == name:
            return
        self._end_stage(now)
        self._stage = (name, now)

    def _end_stage(self, now: float) -> None:
        if self._stage is not None:
            name, began = self._stage
            self.timings[name] = self.timings.get(name, 0.0) + now - began
            self._stage = None

    def report_timings(self) -> None:
        """With ``-v``: how long each stage took, and the whole run."""
        now = time.monotonic()
        self._end_stage(now)
        parts: List[str] = [f"{name} {seconds:.2f} s" for name, seconds in self.timings.items()]
        parts.append(f"total {now - self._start:.2f} s")
        self.detail("timings: " + ", ".join(parts))


def stdout_stream() -> IO[str]:
    """The process's standard output (click's runner swaps ``sys.stdout`` in tests)."""
    return sys.stdout
