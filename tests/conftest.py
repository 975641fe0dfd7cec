"""Shared helpers: run the real CLI, write small projects to temporary folders."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence, Union

import pytest
from click.testing import CliRunner

from mllint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SAMPLE = FIXTURES / "sample_project"


@dataclass
class Run:
    """What a CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str


def _runner() -> CliRunner:
    # click < 8.2 mixes stderr into stdout unless told not to; 8.2 keeps them apart
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache key (``$XDG_CACHE_HOME/mllint/key``) of every run the tests start lives in a
    temporary folder, never in the home folder of whoever runs the tests."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliCaller]:
    """Call ``mllint`` in-process (click's CliRunner) from a chosen folder."""
    yield CliCaller(monkeypatch)


class CliCaller:
    """Runs the CLI with a working folder, like a user at a shell."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, cwd: Optional[Path] = None) -> Run:
        if cwd is not None:
            self.monkeypatch.chdir(cwd)
        result = _runner().invoke(main, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)


def invoke(args: Sequence[str], cwd: Path) -> Run:
    """``mllint ARGS`` run in-process by click's CliRunner with ``cwd`` as the working folder."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = _runner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    return Run(result.exit_code, result.stdout, result.stderr)


def run_subprocess(args: Sequence[str], cwd: Path, timeout: float = 300) -> Run:
    """Run ``python -m mllint ARGS`` in a real process."""
    env = dict(os.environ)
    env.pop("MLLINT_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def write_tree(root: Path, files: Dict[str, Union[str, bytes]]) -> Path:
    """Write ``{relative path: content}`` under ``root``; return ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
