"""Finding the git repository at the output edge, and naming its remote safely."""

from __future__ import annotations

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


def test_repository_without_commits_or_remote(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    (tmp_path / "sub").mkdir()
    repository = find_repository(tmp_path / "sub")
    assert repository is not None
    assert repository.root == tmp_path.resolve()
    assert repository.uri is None and repository.revision is None
    assert repository.branch == "main"
    assert root_of(str(tmp_path / "sub")) == tmp_path.resolve()


def test_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    folder = tmp_path / "plain"
    folder.mkdir()
    assert find_repository(folder) is None
    assert root_of(str(folder)) == folder.resolve()
