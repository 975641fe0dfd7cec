"""Running the real CLI in-process from a chosen folder, for the glue and stats tests."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Sequence, Union

from click.testing import CliRunner

from mllint.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample_project"


@dataclass
class Run:
    """What a CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(args: Sequence[str], cwd: Path) -> Run:
    """``mllint ARGS`` run by click's CliRunner with ``cwd`` as the working folder."""
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    else:
        runner = CliRunner()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    return Run(result.exit_code, result.stdout, result.stderr)


def run_subprocess(args: Sequence[str], cwd: Path) -> Run:
    """``python -m mllint ARGS`` in a real process."""
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def write_tree(root: Path, files: Dict[str, Union[str, bytes]]) -> Path:
    """Write ``{relative path: content}`` under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
