"""Ages from real repositories with back-dated commits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from mllint import history
from mllint.cache import Store
from mllint.history import Probe, Repository, age_days, blob_id
from tests.gitrepo import NOW, GitRepo


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _probe(name: str, path: str = "") -> Probe:
    return Probe(key=name, path=path, literals=(name,), pattern=rf"^\s*{name}\s*=")


def test_introduced_400_days_ago_edited_10_days_ago(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    first = repo.commit({"cfg.py": "USE_NEW_LOSS = True\nBATCH = 3\n"}, days_ago=400)
    repo.commit({"other.py": "x = 1\n"}, days_ago=200)
    last = repo.commit({"cfg.py": "USE_NEW_LOSS = False\nBATCH = 3\n"}, days_ago=10)
    found = Repository.find(repo.root)
    assert found is not None
    intro = found.introductions([_probe("USE_NEW_LOSS")])["USE_NEW_LOSS"]
    assert intro.sha == first and age_days(intro, NOW) == 400
    assert intro.date.startswith("2025-04-27T12:00:00")
    blame = found.blame(repo.root / "cfg.py", [(1, 2)], NOW)
    assert blame[1].sha == last and age_days(blame[1], NOW) == 10
    assert blame[2].sha == first


def test_flag_moved_to_another_file_keeps_its_introduction(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    first = repo.commit({"old/cfg.py": "EXP_MIXUP = 1\n"}, days_ago=300)
    repo.commit({"old/cfg.py": None, "new/settings.py": "# moved\nEXP_MIXUP = 1\n"}, days_ago=5)
    found = Repository.find(repo.root)
    assert found is not None
    assert found.introductions([_probe("EXP_MIXUP")])["EXP_MIXUP"].sha == first
    # blame follows the rename: moving a line is not modifying it
    assert age_days(found.blame(repo.root / "new/settings.py", [(2, 2)], NOW)[2], NOW) == 300
    assert age_days(found.blame(repo.root / "new/settings.py", [(1, 1)], NOW)[1], NOW) == 5


def test_uncommitted_and_untracked_lines_have_age_zero(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "A = 1\nB = 2\n"}, days_ago=50)
    repo.write({"a.py": "A = 1\nB = 3\n", "new.py": "C = 1\n"})
    found = Repository.find(repo.root)
    assert found is not None
    lines = found.blame(repo.root / "a.py", [(1, 2)], NOW)
    assert age_days(lines[1], NOW) == 50
    assert lines[2].uncommitted and age_days(lines[2], NOW) == 0
    assert found.blame(repo.root / "new.py", [(1, 1)], NOW)[1].uncommitted
    assert found.introductions([_probe("C")]) == {}


def test_many_ranges_in_one_blame_and_out_of_range_lines(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "".join(f"V{i} = {i}\n" for i in range(1, 11))}, days_ago=30)
    repo.commit({"a.py": "".join(f"V{i} = {i * (i % 2 + 1)}\n" for i in range(1, 11))}, days_ago=3)
    found = Repository.find(repo.root)
    assert found is not None
    lines = found.blame(repo.root / "a.py", [(1, 1), (2, 3), (9, 40), (50, 60)], NOW)
    assert sorted(lines) == [1, 2, 3, 9, 10]
    assert [age_days(lines[n], NOW) for n in (1, 2, 3, 9, 10)] == [3, 30, 3, 3, 30]


def test_blame_is_cached_per_path_and_blob(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "A = 1\n"}, days_ago=20)
    cache = tmp_path / "cache"
    found = Repository.find(repo.root, cache)
    assert found is not None
    first = found.blame(repo.root / "a.py", [(1, 1)], NOW)
    assert len(list(cache.glob("blame-*.json"))) == 1
    # a second repository object reads the cache (git is not asked again for this blob)
    again = Repository.find(repo.root, cache)
    assert again is not None and again.blame(repo.root / "a.py", [(1, 1)], NOW) == first


def test_shallow_clone_marks_lower_bounds(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"cfg.py": "USE_X = 1\n"}, days_ago=500)
    repo.commit({"b.py": "y = 2\n"}, days_ago=100)
    tip = repo.commit({"c.py": "z = 3\n"}, days_ago=1)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    found = Repository.find(clone)
    assert found is not None and found.shallow_boundary == {tip}
    intro = found.introductions([_probe("USE_X")])["USE_X"]
    assert intro.sha == tip and intro.boundary and age_days(intro, NOW) == 1
    line = found.blame(clone / "cfg.py", [(1, 1)], NOW)[1]
    assert line.boundary and line.sha == tip


def test_no_repository(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    assert Repository.find(tmp_path) is None


def test_empty_repository(tmp_path: Path) -> None:
    GitRepo(tmp_path / "r")
    assert Repository.find(tmp_path / "r") is None


def test_paths_with_spaces_and_leading_dash(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"my dir/-x.py": "EXP_A = 1\n"}, days_ago=7)
    found = Repository.find(repo.root / "my dir")
    assert found is not None
    assert age_days(found.blame(repo.root / "my dir" / "-x.py", [(1, 1)], NOW)[1], NOW) == 7
    assert age_days(found.introductions([_probe("EXP_A")])["EXP_A"], NOW) == 7


def test_blob_id_matches_git() -> None:
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_git_that_cannot_answer_gives_no_age(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"cfg.py": "USE_X = 1\n"}, days_ago=40)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo.root), str(clone)], check=True)
    shutil.rmtree(repo.root)  # the objects the clone borrows are gone
    found = Repository.find(clone)
    assert found is not None and found.head() is not None
    assert found.head_blobs() is None
    assert found.blame(clone / "cfg.py", [(1, 1)], NOW) == {}
    assert found.introductions([_probe("USE_X", "cfg.py")]) == {"USE_X": None}


def test_cached_git_answers_of_the_wrong_shape_are_misses(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    sha = repo.commit({"a.py": "A = 1\nB = 2\n"}, days_ago=20)
    cache = tmp_path / "cache"
    found = Repository.find(repo.root, cache)
    assert found is not None
    assert found.blame(repo.root / "a.py", [(1, 2)], NOW)[2].sha == sha
    (entry,) = cache.glob("blame-*.json")
    store = Store.at(cache)
    wrongs = [{"1": [1, 2], "2": "x"}, {"x": [], "2": [sha, "1", "d", 0]}, []]
    for wrong in wrongs:
        store.write((), entry.name, json.dumps(wrong).encode())
        again = Repository.find(repo.root, cache)
        assert again is not None
        lines = again.blame(repo.root / "a.py", [(1, 2)], NOW)
        assert lines[1].sha == lines[2].sha == sha and age_days(lines[1], NOW) == 20


def test_each_file_is_asked_in_the_repository_that_owns_it(tmp_path: Path) -> None:
    lib = GitRepo(tmp_path / "lib")
    inner = lib.commit({"cfg.py": "EXP_A = 1\n"}, days_ago=300)
    top = GitRepo(tmp_path / "top")
    top.commit({"main.py": "EXP_B = 1\n"}, days_ago=50)
    top.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.root), "lib")
    top.git("commit", "-q", "-m", "lib", days_ago=2)
    found = Repository.find(top.root)
    assert found is not None and found.root == top.root.resolve()
    line = found.blame(top.root / "lib" / "cfg.py", [(1, 1)], NOW)[1]
    assert line.sha == inner and age_days(line, NOW) == 300
    intro = found.introductions([_probe("EXP_A", "lib/cfg.py"), _probe("EXP_B", "main.py")])
    assert intro["EXP_A"] is not None and intro["EXP_A"].sha == inner
    assert intro["EXP_B"] is not None and age_days(intro["EXP_B"], NOW) == 50
    inside = Repository.find(top.root / "lib")
    assert inside is not None and inside.root == (top.root / "lib").resolve()


def test_git_is_asked_about_the_folder_not_a_repository_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = GitRepo(tmp_path / "other")
    other.commit({"x.py": "X = 1\n"}, days_ago=9)
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "A = 1\n"}, days_ago=20)
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", "hook-index")
    found = Repository.find(repo.root)
    assert found is not None and found.root == repo.root.resolve()
    assert age_days(found.blame(repo.root / "a.py", [(1, 1)], NOW)[1], NOW) == 20


def test_a_repository_where_git_hangs_is_asked_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": "EXP_A = 1\n"}, days_ago=20)
    found = Repository.find(repo.root)
    assert found is not None
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    repo.git("config", "include.path", str(fifo))  # every git command now waits for a writer
    monkeypatch.setattr(history, "GIT_TIMEOUT", 1.0)
    assert found.blame(repo.root / "a.py", [(1, 1)], NOW) == {}
    calls: List[Tuple[str, ...]] = []
    real = history.run_git

    def counting(cwd: Path, *args: str, **options: Any) -> str:
        calls.append(args)
        return real(cwd, *args, **options)

    monkeypatch.setattr(history, "run_git", counting)
    assert found.introductions([_probe("EXP_A", "a.py")]) == {"EXP_A": None}
    assert found.head() is None
    assert calls == []
