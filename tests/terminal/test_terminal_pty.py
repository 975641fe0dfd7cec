"""`mllint check` on a real terminal (a pseudo-terminal): colour, the progress bar and
``--show-source``; the same command piped gets neither colour nor a progress bar."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tests.gitrepo import GitRepo

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminals")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAR = re.compile(r"\r\x1b\[2Kmllint: analysing \[[#.]+\] \d+/\d+ files")
COMMAND = ["check", "--no-cache", "--show-source", "."]


def _tree(root: Path) -> Path:
    files = {f"pkg/m{i}.py": f"def f{i}(x):\n    return 1 if False else x\n" for i in range(20)}
    GitRepo(root).commit(dict(files), days_ago=5)  # a history to read: the git stage
    return root


def _env(**extra: str) -> Dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "NO_COLOR", "FORCE_COLOR", "MLLINT_DEBUG", "GITHUB_ACTIONS")
    }
    # the bar waits a second before it shows; a test cannot rely on a run being that slow
    env.update(TERM="xterm", MLLINT_PROGRESS_DELAY="0", **extra)
    return env


def _on_terminal(cwd: Path, env: Dict[str, str], timeout: float = 300) -> Tuple[int, str]:
    """Run ``python -m mllint COMMAND`` with a pseudo-terminal as stdout and stderr."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "mllint", *COMMAND],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    chunks: List[bytes] = []
    deadline = time.monotonic() + timeout  # only to notice a hang
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = process.wait(timeout=60)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    # the terminal's line discipline turns "\n" into "\r\n"
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_terminal_gets_colour_progress_and_source(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    code, shown = _on_terminal(root, _env())
    assert code == 1, shown
    assert ANSI.search(shown), shown  # colour
    assert BAR.search(shown), shown  # progress, on the terminal (stderr)
    assert shown.count("\r\x1b[2K") >= 2  # ... and erased before the report
    assert "\r\x1b[2Kmllint: git history..." in shown  # the git stage is named
    plain = ANSI.sub("", shown)
    assert "2 |     return 1 if False else x" in plain  # --show-source
    assert "  |            ^^^^^^^^^^^^^^^^^\n" in plain
    assert "Found 20 findings" in plain


def test_ci_and_no_color_on_a_terminal(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    _, in_ci = _on_terminal(root, _env(CI="true"))
    assert ANSI.search(in_ci) and not BAR.search(in_ci) and "\x1b[2K" not in in_ci
    _, no_color = _on_terminal(root, _env(NO_COLOR="1"))
    assert not ANSI.search(no_color) and BAR.search(no_color)


def test_the_same_command_piped_has_no_colour_and_no_progress(tmp_path: Path) -> None:
    root = _tree(tmp_path / "t")
    done = subprocess.run(
        [sys.executable, "-m", "mllint", *COMMAND],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert not ANSI.search(done.stdout + done.stderr)
    assert "\r" not in done.stdout + done.stderr and done.stderr == ""
    assert "2 |     return 1 if False else x" in done.stdout  # asked for: still shown
