"""Output formats. Each is one small function from a :class:`Report` to text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict

from mllint.config import Settings
from mllint.display import display_path
from mllint.engine import CheckResult


@dataclass(frozen=True)
class Report:
    """What a formatter gets: the run's result and where paths are relative to."""

    result: CheckResult
    settings: Settings
    cwd: Path
    category: str = "mllint"
    """SARIF ``automationDetails.id`` category (``--category``)."""
    include_suppressed: bool = False
    """SARIF: also list silenced and baselined findings, marked as suppressed."""
    use_git: bool = True
    """Whether git may be asked (SARIF provenance); ``--no-git`` says no."""

    def display_path(self, path: str) -> str:
        """A finding's path as printed: relative to the current folder, ``/``-separated,
        undecodable bytes and control characters escaped (see :func:`printable`)."""
        return display_path(path, self.cwd)


Formatter = Callable[[Report], str]


def formatters() -> Dict[str, Formatter]:
    """Every output format by its ``--format`` name."""
    from mllint.output import github, gitlab, json_format, junit, sarif, text

    return {
        "text": text.render,
        "json": json_format.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
        "sarif": sarif.render,
    }
