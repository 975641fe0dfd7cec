"""Hostile and broken git repositories: git runs none of the repository's commands, a git that
cannot answer leaves ages absent (never 0), and each file is asked in the repository that owns
it (issue 11, items 6, 11 and 16)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.conftest import CliCaller, Run, run_subprocess
from tests.gitrepo import GitRepo

REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW
DEAD = "if False:\n    x = 1\n"
CONFIG = "USE_NEW_LOSS = False\nBATCH_SIZE = 64\n"
TRAIN = (
    "from pkg.config import USE_NEW_LOSS\n"
    "\n"
    "def main():\n"
    "    if USE_NEW_LOSS:\n"
    "        return 1\n"
    "    return 0\n"
)


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _project(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.commit({"pkg/__init__.py": "", "pkg/config.py": CONFIG, "dead.py": DEAD}, 400)
    repo.commit({"pkg/train.py": TRAIN}, 200)
    return repo


def _check(cli: CliCaller, root: Path, *args: str) -> Run:
    return cli("check", ".", "--format", "json", REF, *args, cwd=root)


def _findings(run: Run) -> List[Dict[str, Any]]:
    assert run.exit_code == 1, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _ages(findings: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        f"{f['path']}:{f['line']}:{f['code']}": f["properties"].get("ageDays") for f in findings
    }


# -- item 6: nothing the repository configures runs -------------------------------------


def test_repository_configured_commands_never_run(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    repo.commit({".gitattributes": "*.py diff=mk filter=mk\n"}, 100)
    marker = tmp_path / "marker"
    script = tmp_path / "hook.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\ncat "$@"\n')
    script.chmod(0o755)
    for key in (
        "diff.mk.textconv",
        "diff.mk.command",
        "filter.mk.clean",
        "filter.mk.smudge",
        "core.fsmonitor",
        "diff.external",
        "core.pager",
    ):
        repo.git("config", key, str(script))
    repo.git("config", "filter.mk.required", "true")
    # a changed file (blamed against the work tree), a clean one, an untracked one
    repo.write({"dead.py": "# changed\n" + DEAD, "new.py": DEAD})

    findings = _findings(_check(cli, repo.root))
    ages = _ages(findings)
    assert ages["dead.py:2:ML101"] == 400
    assert ages["new.py:1:ML101"] == 0
    assert ages["pkg/train.py:4:ML102"] == 400
    assert cli("flags", ".", "--format", "json", REF, cwd=repo.root).exit_code == 0
    assert not marker.exists(), marker.read_text()


# -- item 11: missing objects ---------------------------------------------------------------


def test_a_shared_clone_whose_reference_is_gone_runs_as_without_git(
    cli: CliCaller, tmp_path: Path
) -> None:
    repo = _project(tmp_path / "r")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo.root), str(clone)], check=True)
    shutil.rmtree(repo.root)

    run = _check(cli, clone)
    without_git = _check(cli, clone, "--no-git", "--no-cache")
    assert run.exit_code == without_git.exit_code == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert json.loads(run.stdout) == json.loads(without_git.stdout)
    assert all("ageDays" not in f["properties"] for f in json.loads(run.stdout))
    flags = cli("flags", ".", "--format", "json", REF, cwd=clone)
    assert flags.exit_code == 0, flags.stderr
    assert all(flag["age_days"] is None for flag in json.loads(flags.stdout))
    sarif = cli("check", ".", "--format", "sarif", REF, cwd=clone)
    assert sarif.exit_code == 1, sarif.stderr


# -- item 16: ages from the repository that owns the file, absent when git cannot tell --


def test_files_of_a_submodule_are_aged_in_the_submodule(cli: CliCaller, tmp_path: Path) -> None:
    lib = _project(tmp_path / "lib")
    top = GitRepo(tmp_path / "top")
    top.commit({"main.py": DEAD}, 30)
    top.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.root), "lib")
    top.git("commit", "-q", "-m", "add lib", days_ago=5)
    assert (top.root / "lib" / ".git").is_file()

    ages = _ages(_findings(_check(cli, top.root)))
    assert ages["main.py:1:ML101"] == 30
    assert ages["lib/dead.py:1:ML101"] == 400
    assert ages["lib/pkg/train.py:4:ML102"] == 400
    assert ages["lib/pkg/config.py:1:ML301"] is not None
    # a change inside the submodule is uncommitted there: age 0, as git says
    (top.root / "lib" / "dead.py").write_text("# changed\n" + DEAD)
    (top.root / "lib" / "new.py").write_text(DEAD)
    ages = _ages(_findings(_check(cli, top.root)))
    assert ages["lib/dead.py:2:ML101"] == 400
    assert ages["lib/new.py:1:ML101"] == 0


def test_a_corrupt_index_never_gives_age_zero(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    (repo.root / ".git" / "index").write_bytes(b"DIRC garbage" * 10)
    repo.write({"pkg/train.py": "# changed\n" + TRAIN})

    run = _check(cli, repo.root)
    assert "Traceback" not in run.stderr
    ages = _ages(_findings(run))
    assert ages["dead.py:1:ML101"] == 400  # unchanged: blamed from HEAD, no index needed
    assert ages["pkg/train.py:5:ML102"] in (400, None)  # changed file: git may not tell
    assert 0 not in ages.values()


@pytest.mark.parametrize("setting", ["blame.ignoreRevsFile", "core.attributesFile"])
def test_a_fifo_named_by_the_configuration_does_not_hang_the_run(
    tmp_path: Path, setting: str
) -> None:
    repo = _project(tmp_path / "r")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    repo.git("config", setting, str(fifo))
    run = run_subprocess(["check", ".", "--format", "json", REF], repo.root, timeout=120)
    ages = _ages(_findings(run))
    assert ages["dead.py:1:ML101"] is None  # git cannot be asked safely: no age, not 0
    assert "pkg/train.py:4:ML102" in ages


def test_a_git_planted_in_the_tree_never_runs(tmp_path: Path) -> None:
    # An empty PATH entry (or ".") means the working folder, which is the linted repository
    # when git runs: a `git` committed there must not be the one mllint starts.
    root = tmp_path / "repo"
    _project(root)
    marker = tmp_path / "planted-git-ran"
    planted = root / "git"
    planted.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    planted.chmod(0o755)
    env = dict(os.environ, PATH=os.pathsep + "." + os.pathsep + os.environ["PATH"])
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", ".", "--format", "json", REF],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert not marker.exists()
    ages = _ages(json.loads(done.stdout))
    assert ages["dead.py:1:ML101"] == 400  # the real git answered
