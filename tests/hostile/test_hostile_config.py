"""Hostile configuration: every broken or malicious config is a configuration error (exit 2)
that names the file, at once: never an internal error, a hang or a memory blow-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, List

import pytest

from mllint.config import check_pattern
from tests.conftest import ROOT, run_subprocess, write_tree

HANG = 120  # seconds: only to turn a hang into a failure, never a speed assertion

DEEP = "[tool.mllint]\nselect = " + "[" * 100_000 + "]" * 100_000 + "\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('tool = "x"\n', "'tool' must be a table"),
        ("[[tool]]\nx = 1\n", "'tool' must be a table"),
        ('[tool]\nmllint = "x"\n', "[tool.mllint] must be a table"),
        (DEEP, "nested too deeply"),
        (b'[tool.mllint]\nselect = ["ML1"]  # caf\xe9\n', "not UTF-8"),
        (b"[tool.mllint]\n" + b"# padding\n" * 200_000, "larger than"),
    ],
    ids=["tool-string", "tool-array", "mllint-string", "deep-arrays", "latin-1", "huge"],
)
def test_broken_config_given_with_config_option(
    tmp_path: Path, content: object, message: str
) -> None:
    data = content if isinstance(content, bytes) else str(content).encode()
    (tmp_path / "conf.toml").write_bytes(data)
    (tmp_path / "m.py").write_text("x = 1\n")
    run = run_subprocess(["check", "--config", "conf.toml", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 2
    assert "conf.toml" in run.stderr and message in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("command", ["check", "stats", "flags"])
def test_nested_pyproject_found_during_discovery(tmp_path: Path, command: str) -> None:
    write_tree(tmp_path, {"m.py": "x = 1\n", "sub/pyproject.toml": DEEP, "sub/n.py": "y = 2\n"})
    run = run_subprocess([command, "."], tmp_path, timeout=HANG)
    assert run.exit_code == 2
    assert "pyproject.toml" in run.stderr and "nested too deeply" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


def test_config_is_dev_zero(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n")
    run = run_subprocess(["check", "--config", "/dev/zero", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 2
    assert "/dev/zero" in run.stderr and "not a regular file" in run.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_config_is_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "conf.toml")
    (tmp_path / "m.py").write_text("x = 1\n")
    run = run_subprocess(["check", "--config", "conf.toml", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 2
    assert "conf.toml" in run.stderr and "not a regular file" in run.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_pyproject_that_is_a_fifo_is_not_a_configuration(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pyproject.toml")
    (tmp_path / "m.py").write_text("if False:\n    x = 1\n")
    run = run_subprocess(["check", "--no-cache", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 1
    assert "m.py:1:1: ML101" in run.stdout


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user can enter (pytest's own temporary folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="mllint-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for dirpath, dirnames, _ in os.walk(folder):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
        shutil.rmtree(folder)


def test_unreadable_folder_holds_no_configuration(shared_tmp: Path) -> None:
    """Looking for pyproject.toml in a folder that cannot be entered finds nothing and
    raises nothing (run as an unprivileged user: root reads everything)."""
    (shared_tmp / "locked").mkdir()
    (shared_tmp / "locked" / "x.py").write_text("x = 1\n")
    (shared_tmp / "locked").chmod(0)
    probe = (
        "from pathlib import Path\n"
        "from mllint.config import config_in, find_config\n"
        "print(config_in(Path('locked')), find_config([Path('locked/x.py')]))\n"
    )
    drop: List[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root reads every folder, and setpriv is missing")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    done = subprocess.run(
        [*drop, sys.executable, "-c", probe],
        cwd=shared_tmp,
        capture_output=True,
        text=True,
        timeout=HANG,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None None\n"


def test_exponential_flag_pattern_is_refused_at_once(tmp_path: Path) -> None:
    name = "a" * 60 + "_"
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nflag-patterns = ["^(a+)+$"]\n',
            "m.py": f"import os\nif os.environ.get({name!r}):\n    pass\n",
        },
    )
    run = run_subprocess(["check", "--no-cache", "--no-git", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 2
    assert "pyproject.toml" in run.stderr and "'flag-patterns'" in run.stderr
    assert "too costly" in run.stderr


def test_long_names_are_not_matched(tmp_path: Path) -> None:
    """A pattern with one quantifier is allowed; a 200,000-character name would make its
    search quadratic (hours); such a name is not a flag."""
    name = "_" * 200_000
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nflag-patterns = ["_\\\\w*z", "^use_"]\n',
            "m.py": (
                f"import os\nif os.environ.get({name!r}):\n    pass\n"
                "if os.environ.get('USE_FAST'):\n    pass\n"
            ),
        },
    )
    run = run_subprocess(["check", "--no-cache", "--no-git", "m.py"], tmp_path, timeout=HANG)
    assert run.exit_code == 0, run.stderr  # ML103 is a note: shown, but the run passes
    assert "m.py:4:1: ML103" in run.stdout
    assert "m.py:2:" not in run.stdout


@pytest.mark.parametrize(
    "pattern",
    [
        "^(a+)+$",
        "(a|a)" * 12 + "b",
        "a?" * 12 + "a" * 12,
        ".*_.*_.*_x",
        r"(\w+)\1",
        "x" * 201,
    ],
)
def test_costly_patterns_are_rejected(pattern: str) -> None:
    assert check_pattern(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [r"^use_", r"experiment", r"_v2$", r"^use_.*_v2$", r"^(use|enable|try)_\w+", r"^(?!cuda)x"],
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert check_pattern(pattern) is None
