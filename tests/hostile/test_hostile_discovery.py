"""Hostile trees at discovery: links out of the tree, unreadable folders, FIFOs and devices,
globs that would backtrack for hours. Every case runs the real command in a subprocess; a
timeout only turns a hang into a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Sequence

import pytest

from tests.conftest import Run, write_tree
from tests.gitrepo import GitRepo

HANG = 120.0  # seconds: generous, only there to turn a hang into a failure

SECRET = "API_TOKEN = 'hunter2-secret'\nUSE_LEGACY_AUTH = False\nif USE_LEGACY_AUTH:\n    x = 1\n"
INSIDE = "USE_NEW_RANKER = False\nif USE_NEW_RANKER:\n    y = 2\n"


def mllint(args: Sequence[str], cwd: Path, *, prefix: Sequence[str] = ()) -> Run:
    """``python -m mllint ARGS`` in a real process (started through ``prefix``)."""
    env = {k: v for k, v in os.environ.items() if k != "MLLINT_DEBUG"}
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "mllint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _warnings(stderr: str) -> List[str]:
    return [line for line in stderr.splitlines() if line.startswith("mllint: warning:")]


# --- symbolic links ---------------------------------------------------------------------

REPORTS = [
    ["check", ".", "--format", "text"],
    ["check", ".", "--format", "json"],
    ["check", ".", "--format", "sarif"],
    ["check", ".", "--format", "github"],
    ["flags", ".", "--format", "text"],
    ["flags", ".", "--format", "json"],
    ["stats", ".", "--format", "text"],
    ["stats", ".", "--format", "json"],
]


def _linked(tmp_path: Path, use_git: bool) -> Path:
    """A project whose ``conf.py`` and ``settings/`` are links to a secret file and folder
    elsewhere, next to a file of its own with a flag branch."""
    outside = write_tree(tmp_path / "outside", {"secret.py": SECRET, "pkg/more.py": SECRET})
    tree = tmp_path / "project"
    write_tree(tree, {"inside.py": INSIDE, "pyproject.toml": "[tool.mllint]\n"})
    (tree / "conf.py").symlink_to(outside / "secret.py")
    (tree / "settings").symlink_to(outside / "pkg")
    (tree / "alias.py").symlink_to(tree / "inside.py")  # inside: the same file, once
    if use_git:
        GitRepo(tree).commit({}, days_ago=3)
    return tree


@pytest.fixture(params=["git", "no-git"])
def linked_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """:func:`_linked`, in a git repository and outside git."""
    return _linked(tmp_path, request.param == "git")


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: "-".join(a[::2]))
def test_a_link_out_of_the_tree_is_not_followed(linked_tree: Path, args: List[str]) -> None:
    run = mllint([*args, "--no-cache"], linked_tree)
    assert run.exit_code in (0, 1), run.stderr
    assert "inside.py" in run.stdout  # the project's own file is there...
    assert "USE_NEW_RANKER" in run.stdout or args[0] == "stats"
    for leaked in ("hunter2", "API_TOKEN", "USE_LEGACY_AUTH", "conf.py", "secret", "alias.py"):
        assert leaked not in run.stdout  # ...nothing of the file outside, nor twice
    assert "hunter2" not in run.stderr
    notes = _warnings(run.stderr)
    assert len(notes) == 1 and "1 symbolic link" in notes[0] and "conf.py" in notes[0]


def test_a_named_link_out_of_a_repository_is_not_followed(tmp_path: Path) -> None:
    tree = _linked(tmp_path, use_git=True)  # outside git the command line is the user's
    run = mllint(["check", "conf.py", "inside.py", "--no-cache"], tree)
    assert "hunter2" not in run.stdout and "conf.py" not in run.stdout
    assert "inside.py" in run.stdout and len(_warnings(run.stderr)) == 1


# --- FIFOs and devices --------------------------------------------------------------------


def test_a_fifo_named_on_the_command_line_is_skipped_without_blocking(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": INSIDE})
    os.mkfifo(tmp_path / "pipe.py")  # nobody ever writes to it: opening it would block
    run = mllint(["check", "pipe.py", "a.py", "--no-cache", "--no-git"], tmp_path)
    assert run.exit_code == 1  # the finding in a.py
    assert "a.py:2:1: ML102" in run.stdout and "pipe.py" not in run.stdout
    assert _warnings(run.stderr) == [
        "mllint: warning: pipe.py: a FIFO, not a regular file; skipped"
    ]


def test_a_device_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    run = mllint(["check", "/dev/zero", "--no-cache", "--no-git"], tmp_path)
    assert run.exit_code == 0 and run.stdout == ""
    assert _warnings(run.stderr) == [
        "mllint: warning: /dev/zero: a character device, not a regular file; skipped",
        "mllint: warning: No Python files found under the given path(s)",
    ]


@pytest.mark.parametrize("use_git", [True, False], ids=["git", "no-git"])
def test_a_fifo_in_the_tree_is_skipped(tmp_path: Path, use_git: bool) -> None:
    write_tree(tmp_path, {"a.py": INSIDE})
    if use_git:
        GitRepo(tmp_path).commit({}, days_ago=1)
    os.mkfifo(tmp_path / "pipe.py")
    run = mllint(["check", ".", "--no-cache", "--no-git"], tmp_path)
    assert "a.py:2:1: ML102" in run.stdout and "pipe.py" not in run.stdout
    assert "Traceback" not in run.stderr
    if not use_git:  # git itself leaves FIFOs out of its list
        assert _warnings(run.stderr) == [
            "mllint: warning: pipe.py: a FIFO, not a regular file; skipped"
        ]


# --- globs that backtrack -----------------------------------------------------------------


def test_globs_that_would_backtrack_for_hours_are_not_applied(tmp_path: Path) -> None:
    # Five '*' runs become five nested regex loops: over a long name of 'a's, hours.
    costly = "*a*a*a*a*b"
    write_tree(
        tmp_path,
        {
            "a" * 200 + ".py": INSIDE,
            ".gitignore": costly + "\n",
            "pyproject.toml": f'[tool.mllint]\nexclude = ["{costly}"]\n'
            f'[tool.mllint.per-file-ignores]\n"{costly}" = ["ML1"]\n',
        },
    )
    run = mllint(["check", ".", "--no-cache", "--no-git"], tmp_path)
    assert "a" * 200 + ".py:2:1: ML102" in run.stdout
    notes = _warnings(run.stderr)
    assert len(notes) == 2 and all("wildcards and is not applied" in n for n in notes)


# --- unreadable folders -------------------------------------------------------------------


def _without_privileges() -> List[str]:
    """A command prefix under which folder permissions hold: nothing for a normal user; for
    root (which reads every folder) setpriv dropping the capabilities that bypass them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads every folder, and setpriv (to drop that power) is missing")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=HANG)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr!r}")
    return prefix


@pytest.fixture(params=["tracked", "untracked", "no-git"])
def locked_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A tree with a folder that may not be read, holding a pyproject.toml and a .gitignore
    too; its files are tracked by git, or untracked, or there is no git."""
    tree = write_tree(
        tmp_path / "project",
        {
            "a.py": INSIDE,
            "locked/b.py": INSIDE,
            "locked/.gitignore": "x.py\n",
            "locked/pyproject.toml": "[tool.mllint]\n",
            "locked/deeper/c.py": INSIDE,
        },
    )
    if request.param == "tracked":
        GitRepo(tree).commit({}, days_ago=1)
    elif request.param == "untracked":
        repo = GitRepo(tree)
        repo.git("add", "a.py")
        repo.git("commit", "-q", "-m", "only a.py")
    (tree / "locked").chmod(0)
    try:
        yield tree
    finally:
        (tree / "locked").chmod(0o755)


@pytest.mark.parametrize("command", ["check", "flags", "stats"])
def test_an_unreadable_folder_is_said_once_and_the_run_goes_on(
    locked_tree: Path, command: str
) -> None:
    run = mllint([command, ".", "--no-cache"], locked_tree, prefix=_without_privileges())
    assert "Traceback" not in run.stderr and "PermissionError" not in run.stderr
    assert run.exit_code == (1 if command == "check" else 0), run.stderr  # a.py's ML102
    assert "a.py" in run.stdout and "b.py" not in run.stdout
    notes = [n for n in _warnings(run.stderr) if "locked" in n]
    assert len(notes) == 1, run.stderr
    assert "Permission denied" in notes[0]


def test_the_language_server_scan_goes_on_past_an_unreadable_folder(locked_tree: Path) -> None:
    """The workspace scan logs the folder once and the server answers as usual."""
    uri = (locked_tree / "a.py").as_uri()
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": locked_tree.as_uri(), "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": INSIDE}
            },
        },
    ]

    def frame(message: Dict[str, object]) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    prefix = _without_privileges()
    env = {k: v for k, v in os.environ.items() if k != "MLLINT_DEBUG"}
    server = subprocess.Popen(
        [*prefix, sys.executable, "-m", "mllint", "lsp", "--no-cache", "--debounce-ms=10"],
        cwd=locked_tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(HANG, server.kill)  # a hang becomes a failure
    watchdog.start()
    try:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(b"".join(frame(m) for m in messages))
        server.stdin.flush()
        published = None
        while published is None:  # the diagnostics of a.py come after the workspace scan
            headers = b""
            while not headers.endswith(b"\r\n\r\n"):
                byte = server.stdout.read(1)
                assert byte, "the server closed its output"
                headers += byte
            length = int(headers.split(b"Content-Length:")[1].split(b"\r\n")[0])
            message = json.loads(server.stdout.read(length))
            if message.get("method") == "textDocument/publishDiagnostics":
                published = message["params"]
        assert published["uri"] == uri
        assert [d["code"] for d in published["diagnostics"]] == ["ML102"]
        server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        _, stderr = server.communicate(timeout=HANG)
    finally:
        watchdog.cancel()
        if server.poll() is None:
            server.kill()
            server.wait()
    text = stderr.decode()
    assert "Traceback" not in text and "PermissionError" not in text
    assert len([line for line in text.splitlines() if "locked" in line]) == 1, text
