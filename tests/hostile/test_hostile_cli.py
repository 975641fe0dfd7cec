"""Signals: Ctrl-C exits 130 and SIGTERM 143 at once without a traceback, and no pool worker
outlives mllint, even when mllint itself is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process table in /proc"
)

HANG = 60.0  # seconds: generous bounds that only turn a hang into a failure

_BODY = "".join(
    f"def f{i}(x):\n    if x > {i}:\n        return [y * {i} for y in range(x) if y % 3]\n"
    "    return None\n\n"
    for i in range(150)
)


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 files: long enough a run that the pool is busy when the signal comes."""
    root = tmp_path_factory.mktemp("big")
    for number in range(400):
        (root / f"m{number}.py").write_text(_BODY)
    return root


def _group(pgid: int) -> List[int]:
    """The processes of a process group, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry))
    return found


@pytest.fixture
def started(big_tree: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``mllint check`` with two workers, in a process group of its own, once its workers
    are running; whatever is left of the group is killed afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mllint", "check", ".", "--no-cache", "--no-git", "--jobs", "2"],
        cwd=big_tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + HANG
        while len(_group(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None and len(_group(process.pid)) >= 3, "no pool started"
        yield process
    finally:
        for pid in _group(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.communicate()


def _no_process_left(pgid: int) -> bool:
    deadline = time.monotonic() + HANG
    while _group(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _group(pgid)


@pytest.mark.parametrize("whom", ["parent", "group"])
def test_ctrl_c_exits_130(started: subprocess.Popen[bytes], whom: str) -> None:
    if whom == "group":  # what a terminal does: the whole foreground group gets SIGINT
        os.killpg(started.pid, signal.SIGINT)
    else:
        started.send_signal(signal.SIGINT)
    _, err = started.communicate(timeout=HANG)
    assert started.returncode == 130
    assert err.decode().strip() == "mllint: interrupted"
    assert _no_process_left(started.pid)


def test_sigterm_exits_143_and_stops_the_workers(started: subprocess.Popen[bytes]) -> None:
    started.send_signal(signal.SIGTERM)
    _, err = started.communicate(timeout=HANG)
    assert started.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in err.decode()
    assert _no_process_left(started.pid)


def test_workers_die_with_a_killed_parent(started: subprocess.Popen[bytes]) -> None:
    workers = [pid for pid in _group(started.pid) if pid != started.pid]
    started.kill()
    started.communicate(timeout=HANG)
    assert workers
    assert _no_process_left(started.pid), f"orphaned workers: {_group(started.pid)}"
