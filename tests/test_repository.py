"""Finding the git repository at the output edge, and naming its remote safely."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import pytest

from mllint.repository import find_repository, remote_as_uri, root_of


@pytest.mark.parametrize(
    ("url", "uri"),
    [
        ("https://github.com/acme/models.git", "https://github.com/acme/models.git"),
        ("https://x-access-token:abc@github.com/acme/models", "https://github.com/acme/models"),
        ("https://user@gitlab.example.com:8443/g/p.git", "https://gitlab.example.com:8443/g/p.git"),
        ("git@github.com:acme/models.git", "ssh://github.com/acme/models.git"),
        ("ssh://git@github.com/acme/models.git", "ssh://github.com/acme/models.git"),
        ("", None),
    ],
)
def test_remote_as_uri(url: str, uri: Optional[str]) -> None:
    assert remote_as_uri(url) == uri


def test_local_remote_becomes_a_file_uri(tmp_path: Path) -> None:
    assert remote_as_uri(str(tmp_path)) == tmp_path.resolve().as_uri()


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_repository_without_remote(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text("x = 1\n", encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "one")
    git(tmp_path, "checkout", "-q", "-b", "exp")
    repository = find_repository(tmp_path / "sub")
    assert repository is not None
    assert repository.root == tmp_path.resolve()
    assert repository.uri is None
    assert repository.revision is not None and len(repository.revision) == 40
    assert repository.branch == "exp"
    assert root_of(str(tmp_path / "sub")) == tmp_path.resolve()
    git(tmp_path, "checkout", "-q", "--detach")
    detached = find_repository(tmp_path)
    assert detached is not None and detached.branch is None


def test_repository_without_commits_is_not_used(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "sub").mkdir()
    assert find_repository(tmp_path / "sub") is None
    assert root_of(str(tmp_path / "sub")) == (tmp_path / "sub").resolve()


def test_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    folder = tmp_path / "plain"
    folder.mkdir()
    assert find_repository(folder) is None
    assert root_of(str(folder)) == folder.resolve()


def test_provenance_of_a_clone_whose_objects_are_gone(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    (origin / "a.py").write_text("x = 1\n", encoding="utf-8")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "one")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--shared", str(origin), str(clone))
    shutil.rmtree(origin)
    repository = find_repository(clone)
    assert repository is not None and repository.root == clone.resolve()
    assert repository.revision is not None and repository.branch == "main"
    assert repository.uri == origin.resolve().as_uri()
