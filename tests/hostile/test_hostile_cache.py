"""A repository that prepares mllint's cache folder: no write through a link, no forged entry
believed, no entry of the wrong shape crashes a run (issue 11, items 2 and 3)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from mllint.cache import CACHE_DIR_NAME, code_version, content_hash
from mllint.config import Settings
from mllint.history import blob_id
from tests.conftest import CliCaller, Run
from tests.gitrepo import NOW, GitRepo

REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW
DEAD = "if False:\n    x = 1\n"
PRECIOUS = "precious\n"


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _project(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.commit({"dead.py": DEAD}, days_ago=300)
    return repo


def _check(cli: CliCaller, root: Path, *args: str) -> Run:
    return cli("check", ".", "--format", "json", REF, *args, cwd=root)


def _findings(run: Run) -> List[Dict[str, Any]]:
    assert run.exit_code == 1, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(PRECIOUS)
    return victim


def _planted_names(repo: GitRepo) -> List[str]:
    """Where mllint's git cache used to write, as the repository can predict it: the blame
    entry of ``dead.py`` and its temporary file (this process's id: the CLI runs in-process)."""
    key = f"blame-{blob_id(b'dead.py')}-{blob_id(DEAD.encode())}"
    return [f"{key}.json", f".{key}.{os.getpid()}.tmp"]


def test_committed_links_in_the_cache_do_not_redirect_writes(
    cli: CliCaller, tmp_path: Path
) -> None:
    victim = _victim(tmp_path)
    repo = _project(tmp_path / "r")
    git_folder = repo.root / CACHE_DIR_NAME / code_version() / "git"
    git_folder.mkdir(parents=True)
    for name in _planted_names(repo):
        (git_folder / name).symlink_to(victim)
    repo.git("add", "-f", CACHE_DIR_NAME)
    repo.git("commit", "-q", "-m", "cache", days_ago=200)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(clone)], check=True)
    assert (clone / CACHE_DIR_NAME / code_version() / "git").is_dir()

    run = _check(cli, clone)
    (finding,) = _findings(run)
    assert finding["properties"]["ageDays"] == 300
    assert victim.read_text() == PRECIOUS
    assert "holds files tracked by git" in run.stderr
    assert run.stderr.count("not using the cache") == 1
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True
        ).stdout
        == ""
    )  # nothing written into the tracked folder


def test_planted_links_below_an_untracked_cache_are_not_followed(
    cli: CliCaller, tmp_path: Path
) -> None:
    victim = _victim(tmp_path)
    repo = _project(tmp_path / "r")
    git_folder = repo.root / CACHE_DIR_NAME / code_version() / "git"
    git_folder.mkdir(parents=True)
    for name in _planted_names(repo):
        (git_folder / name).symlink_to(victim)
    (git_folder / "link-folder").symlink_to(tmp_path)

    first = _check(cli, repo.root)
    assert _findings(first)[0]["properties"]["ageDays"] == 300
    second = _check(cli, repo.root)
    assert second.stdout == first.stdout
    assert victim.read_text() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "user-cache", "victim.txt"]


@pytest.mark.parametrize("linked", ["top", "git"])
def test_a_cache_folder_that_is_a_link_is_refused(
    cli: CliCaller, tmp_path: Path, linked: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = _project(tmp_path / "r")
    if linked == "top":
        (repo.root / CACHE_DIR_NAME).symlink_to(outside)
    else:
        (repo.root / CACHE_DIR_NAME / code_version()).mkdir(parents=True)
        (repo.root / CACHE_DIR_NAME / code_version() / "git").symlink_to(outside)

    run = _check(cli, repo.root)
    assert _findings(run)[0]["properties"]["ageDays"] == 300
    assert list(outside.iterdir()) == []
    assert "not using the cache" in run.stderr
    assert run.stderr.count("not using the cache") == 1
    assert _check(cli, repo.root).stdout == run.stdout


def _forged_entry(root: Path, source: str, entry: Dict[str, Any]) -> Path:
    """A per-file result written where mllint looks it up, without the user's key."""
    digest = content_hash(source.encode())
    folder = (
        root / CACHE_DIR_NAME / code_version() / Settings(root=str(root)).analysis_key()
    ) / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.json"
    path.write_text(json.dumps(entry))
    return path


EMPTY = {"findings": [], "noqa": {"lines": {}, "file": None}, "facts": {}, "lines": 2}


def test_a_committed_entry_does_not_hide_findings_in_a_fresh_clone(
    cli: CliCaller, tmp_path: Path
) -> None:
    repo = _project(tmp_path / "r")
    _forged_entry(repo.root, DEAD, EMPTY)
    repo.git("add", "-f", CACHE_DIR_NAME)
    repo.git("commit", "-q", "-m", "cache", days_ago=100)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(clone)], check=True)
    assert [f["code"] for f in _findings(_check(cli, clone))] == ["ML101"]


def test_an_entry_mllint_did_not_sign_is_a_miss(cli: CliCaller, tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "dead.py").write_text(DEAD)
    entry = _forged_entry(root, DEAD, EMPTY)
    assert [f["code"] for f in _findings(_check(cli, root))] == ["ML101"]
    # an entry signed for another content does not verify under this content's name
    (root / "clean.py").write_text("x = 1\n")
    _check(cli, root)
    digest = content_hash(b"x = 1\n")
    signed = entry.parent.parent / digest[:2] / f"{digest}.json"
    entry.write_bytes(signed.read_bytes())
    assert [f["code"] for f in _findings(_check(cli, root))] == ["ML101"]


@pytest.mark.parametrize(
    "facts",
    [
        {"flags": {}},
        {"flags": []},
        {"ML201": {"glue": "x", "algorithm": 0, "other": 0, "functions": []}},
        {"nonsense": 1},
    ],
)
def test_entries_of_the_wrong_shape_do_not_break_runs(
    cli: CliCaller, tmp_path: Path, facts: Dict[str, Any]
) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "dead.py").write_text(DEAD)
    (root / "flags.py").write_text("USE_X = True\nif USE_X:\n    pass\n")
    entry = dict(EMPTY, facts=facts)
    _forged_entry(root, DEAD, entry)  # unsigned
    expected = sorted(f["code"] for f in _findings(_check(cli, root, "--no-cache")))
    for _ in range(2):
        assert sorted(f["code"] for f in _findings(_check(cli, root))) == expected
    # signed with the user's own key (as a bug or an older layout could leave it): still a miss
    from mllint.cache import Store

    digest = content_hash(DEAD.encode())
    store = Store(root, (CACHE_DIR_NAME, code_version(), Settings(root=str(root)).analysis_key()))
    store.write((digest[:2],), f"{digest}.json", json.dumps(entry).encode())
    assert store.read((digest[:2],), f"{digest}.json") is not None
    for _ in range(2):
        assert sorted(f["code"] for f in _findings(_check(cli, root))) == expected
    for command in ("flags", "stats"):
        assert cli(command, ".", cwd=root).exit_code == 0


def test_forged_git_answers_are_ignored(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    folder = repo.root / CACHE_DIR_NAME / code_version() / "git"
    folder.mkdir(parents=True)
    fresh = ["f" * 40, int(NOW.timestamp()), NOW.isoformat(timespec="seconds"), False]
    root_id = blob_id(str(repo.root.resolve()).encode() + b"\0dead.py")
    for where in (blob_id(b"dead.py"), root_id):
        name = f"blame-{where}-{blob_id(DEAD.encode())}.json"
        (folder / name).write_text(json.dumps({"1": fresh, "2": fresh}))
    (finding,) = _findings(_check(cli, repo.root))
    assert finding["properties"]["ageDays"] == 300
    # the answers the run stored verify; the same with garbage in their place is a miss
    stored = [p for p in folder.glob("blame-*.json") if not p.read_bytes().startswith(b"{")]
    assert stored
    for path in stored:
        path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b'\n{"1": [1, 2], "2": 3}')
    (again,) = _findings(_check(cli, repo.root))
    assert again["properties"]["ageDays"] == 300
