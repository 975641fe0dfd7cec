"""The per-file cache: warm runs parse nothing; bad entries are misses, never errors."""

from __future__ import annotations

import hmac
import json
import os
import stat
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from mllint.cache import CACHE_DIR_NAME, Cache, code_version, content_hash
from mllint.config import Settings
from mllint.engine import run_check
from tests.conftest import CliCaller, run_subprocess, write_tree
from tests.gitrepo import GitRepo


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


DEAD = "if False:\n    pass\n"
PRECIOUS = "precious\n"


def _settings(root: Path) -> Settings:
    return Settings(root=str(root))


def test_warm_run_parses_nothing_and_gives_the_same_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"m{i}.py": DEAD for i in range(5)})
    cold = run_check([tmp_path], _settings(tmp_path), jobs=1)
    warm = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert cold.parsed == 5 and warm.parsed == 0
    assert warm.findings == cold.findings and len(warm.findings) == 5


def test_files_only_python_accepts_are_cached_too(tmp_path: Path) -> None:
    # valid Python that LibCST's grammar refuses: analysed for flags only, and cached as such
    write_tree(tmp_path, {"m.py": "(x): int = 1\n"})
    cold = run_check([tmp_path], _settings(tmp_path), jobs=1)
    warm = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert cold.parsed == 1 and warm.parsed == 0
    assert warm.notices == cold.notices and any("not analysed" in n for n in warm.notices)


def test_cache_folder_is_tagged_and_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    base = tmp_path / CACHE_DIR_NAME
    assert (
        (base / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (base / ".gitignore").read_text().strip().endswith("*")


def test_changed_file_is_parsed_again(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD, "b.py": "x = 1\n"})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    (tmp_path / "b.py").write_text(DEAD)
    again = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert again.parsed == 0  # b.py now has a.py's content: same cache entry
    (tmp_path / "b.py").write_text("while 0:\n    pass\n")
    third = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert third.parsed == 1
    assert [(Path(f.path).name, f.code) for f in third.findings] == [
        ("a.py", "ML101"),
        ("b.py", "ML101"),
    ]


def test_identical_files_keep_their_own_paths(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD, "b.py": DEAD})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    warm = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert sorted(Path(f.path).name for f in warm.findings) == ["a.py", "b.py"]


def test_settings_that_change_analysis_change_the_key(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    other = Settings(root=str(tmp_path), flag_patterns=("^feature_",))
    assert run_check([tmp_path], other, jobs=1).parsed == 1
    # selection does not change what is analysed, so it reuses the cache
    selected = Settings(root=str(tmp_path), select=("ML0",))
    assert run_check([tmp_path], selected, jobs=1).parsed == 0


def test_corrupt_entries_are_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    entries = list((tmp_path / CACHE_DIR_NAME).rglob("*.json"))
    assert len(entries) == 1
    for garbage in (b"{not json", b'{"findings": 3}', b"\x00\xff"):
        entries[0].write_bytes(garbage)
        result = run_check([tmp_path], _settings(tmp_path), jobs=1)
        assert result.parsed == 1 and [f.code for f in result.findings] == ["ML101"]
        entries = list((tmp_path / CACHE_DIR_NAME).rglob("*.json"))


def test_unwritable_cache_is_not_fatal(tmp_path: Path) -> None:
    (tmp_path / CACHE_DIR_NAME).write_text("a file where the folder should be")
    write_tree(tmp_path, {"a.py": DEAD})
    result = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert [f.code for f in result.findings] == ["ML101"]
    cache = Cache(tmp_path / CACHE_DIR_NAME, "k")
    assert cache.get("00" * 20) is None


def test_no_cache_writes_nothing(cli: CliCaller, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": DEAD})
    run = cli("check", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 1
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    cli("check", cwd=tmp_path)
    assert (tmp_path / CACHE_DIR_NAME).is_dir()


def test_cache_folder_names_the_build(tmp_path: Path) -> None:
    from mllint import __version__
    from mllint.cache import code_version

    write_tree(tmp_path, {"a.py": DEAD})
    run_check([tmp_path], _settings(tmp_path), jobs=1)
    (folder,) = [p for p in (tmp_path / CACHE_DIR_NAME).iterdir() if p.is_dir()]
    assert folder.name == code_version() and folder.name.startswith(__version__ + "-")


# -- the signing key ------------------------------------------------------------------------

FORGED_KEY = "ab" * 32


def _use_key_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "mllint" / "key"


def _forge(root: Path, source: str, key_hex: str) -> None:
    """An entry for ``source`` that hides its findings, signed with ``key_hex``."""
    digest = content_hash(source.encode())
    parts = [code_version(), _settings(root).analysis_key(), digest[:2], f"{digest}.json"]
    payload = json.dumps(
        {"findings": [], "noqa": {"lines": {}, "file": None}, "facts": {}, "lines": 2}
    ).encode()
    mac = hmac.new(bytes.fromhex(key_hex), "/".join(parts).encode() + b"\0" + payload, "sha256")
    entry = root.joinpath(CACHE_DIR_NAME, *parts)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(mac.hexdigest().encode() + b"\n" + payload)


def test_the_key_is_created_private_and_reused_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _use_key_folder(monkeypatch, tmp_path / "xdg")
    project = write_tree(tmp_path / "p", {"a.py": DEAD, "b.py": DEAD + "\n"})
    run = run_subprocess(["check", "."], project)
    assert run.exit_code == 1 and run.stderr == ""
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(key.read_text().strip())) == 32

    def entries() -> Dict[str, int]:
        found = (project / CACHE_DIR_NAME).rglob("*.json")
        return {str(p): p.stat().st_ino for p in found}

    written = entries()
    assert len(written) == 2
    assert run_subprocess(["check", "."], project).exit_code == 1
    assert entries() == written  # read back, not analysed and written again


def test_entries_signed_with_the_users_key_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _use_key_folder(monkeypatch, tmp_path / "xdg")
    key.parent.mkdir(parents=True, mode=0o700)
    key.write_text(FORGED_KEY + "\n")
    key.chmod(0o600)
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    _forge(project, DEAD, FORGED_KEY)
    result = run_check([project], _settings(project), jobs=1)
    assert result.parsed == 0 and not result.findings  # the control: forging needs the key


@pytest.mark.parametrize("how", ["linked-file", "linked-folder", "foreign-owner", "readable"])
def test_a_key_anyone_else_could_know_is_not_used(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    key = _use_key_folder(monkeypatch, tmp_path / "xdg")
    planted = tmp_path / "planted" / "key"
    planted.parent.mkdir(mode=0o700)
    planted.write_text(FORGED_KEY + "\n")
    planted.chmod(0o600)
    key.parent.parent.mkdir()
    if how == "linked-folder":
        key.parent.symlink_to(planted.parent)
    else:
        key.parent.mkdir(mode=0o700)
        if how == "linked-file":
            key.symlink_to(planted)
        else:
            key.write_text(FORGED_KEY + "\n")
            key.chmod(0o644 if how == "readable" else 0o600)
            if how == "foreign-owner":
                if os.getuid() != 0:
                    pytest.skip("giving a file away needs root")
                os.chown(key, 12345, 12345)
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    _forge(project, DEAD, FORGED_KEY)
    result = run_check([project], _settings(project), jobs=1)
    assert result.parsed == 1 and [f.code for f in result.findings] == ["ML101"]
    assert "cannot keep the cache key" in capsys.readouterr().err
    assert planted.read_text() == FORGED_KEY + "\n"


# -- where the cache lives, --cache-dir, pruning, mllint clean (issue 15, item 9) -----------


def _entries(folder: Path) -> List[Path]:
    return sorted(folder.rglob("*.json"))


def _builds(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink())


def test_the_cache_sits_at_the_project_root_not_beside_a_config_file(
    cli: CliCaller, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "project")
    repo.commit({"pkg/a.py": DEAD}, days_ago=10)
    config = write_tree(tmp_path / "ci", {"mllint.toml": "[tool.mllint]\nselect = ['ML']\n"})
    run = cli("check", "--config", str(config / "mllint.toml"), ".", cwd=repo.root / "pkg")
    assert run.exit_code == 1, run.stderr
    assert not (config / CACHE_DIR_NAME).exists()
    assert not (repo.root / "pkg" / CACHE_DIR_NAME).exists()
    assert len(_entries(repo.root / CACHE_DIR_NAME)) >= 1
    # the folder of the nearest [tool.mllint] stays the project root, as before
    write_tree(repo.root / "pkg", {"pyproject.toml": "[tool.mllint]\n"})
    assert cli("check", ".", cwd=repo.root / "pkg").exit_code == 1
    assert len(_entries(repo.root / "pkg" / CACHE_DIR_NAME)) >= 1


@pytest.mark.parametrize(
    "command",
    [
        ("check", "--format", "json"),
        ("stats", "--format", "json"),
        ("flags", "--format", "json"),
        ("report", "--format", "json"),
    ],
)
def test_cache_dir_moves_every_cache_of_every_command(
    cli: CliCaller, tmp_path: Path, command: Tuple[str, ...]
) -> None:
    repo = GitRepo(tmp_path / "project")
    repo.commit({"a.py": DEAD, "b.py": "USE_X = False\nif USE_X:\n    pass\n"}, days_ago=10)
    elsewhere = tmp_path / "caches" / "mllint"  # parents created as needed
    run = cli(*command, "--cache-dir", str(elsewhere), ".", cwd=repo.root)
    assert run.exit_code in (0, 1), run.stderr
    assert not (repo.root / CACHE_DIR_NAME).exists()
    assert (elsewhere / "CACHEDIR.TAG").is_file()
    assert _builds(elsewhere) == [code_version()]
    assert _entries(elsewhere / code_version())
    if command[0] in ("check", "report"):  # git answers (ages) are cached there too
        assert _entries(elsewhere / code_version() / "git")


def test_the_environment_variable_moves_the_cache_and_the_option_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_tree(tmp_path / "project", {"a.py": DEAD})
    monkeypatch.setenv("MLLINT_CACHE_DIR", str(tmp_path / "from-env"))
    assert run_subprocess(["check", "."], project).exit_code == 1
    assert _entries(tmp_path / "from-env") and not (project / CACHE_DIR_NAME).exists()
    option = tmp_path / "from-option"
    assert run_subprocess(["check", "--cache-dir", str(option), "."], project).exit_code == 1
    assert _entries(option)
    # a relative --cache-dir is relative to the current folder
    assert run_subprocess(["stats", "--cache-dir", "rel", "."], project).exit_code == 0
    assert _entries(project / "rel")


def test_a_cache_dir_that_is_a_link_is_refused(cli: CliCaller, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "project", {"a.py": DEAD})
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    run = cli("check", "--cache-dir", str(tmp_path / "link"), ".", cwd=project)
    assert run.exit_code == 1
    assert "is a symbolic link" in run.stderr
    assert list(target.iterdir()) == []


def _old_build(cache: Path, name: str, days: float) -> Path:
    folder = write_tree(cache / name / "0123456789abcdef" / "ab", {"ab.json": "{}"})
    stamp = time.time() - days * 86400
    for path in (folder, folder.parent, folder.parent.parent):
        os.utime(path, (stamp, stamp))
    return cache / name


def test_builds_unused_for_a_day_are_pruned_and_links_are_not_followed(tmp_path: Path) -> None:
    project = write_tree(tmp_path / "project", {"a.py": DEAD})
    cache = project / CACHE_DIR_NAME
    assert run_subprocess(["check", "."], project).exit_code == 1
    stale = _old_build(cache, "0.0.9-0123456789ab", days=3)
    recent = _old_build(cache, "0.0.8-0123456789ab", days=0.1)  # another build still in use
    victim = write_tree(tmp_path / "victim", {"precious.txt": PRECIOUS})
    os.utime(victim, (0, 0))
    (cache / "0.0.7-0123456789ab").symlink_to(victim, target_is_directory=True)
    (stale / "0123456789abcdef" / "escape").symlink_to(victim, target_is_directory=True)
    unknown = write_tree(cache / "not-a-build", {"keep.txt": "mine"})
    os.utime(unknown, (0, 0))

    assert run_subprocess(["check", "."], project).exit_code == 1
    assert not stale.exists()
    current = set(_builds(cache)) - {recent.name, "not-a-build"}
    assert recent.is_dir() and len(current) == 1  # the build of the subprocess stays
    assert (cache / "0.0.7-0123456789ab").is_symlink()
    assert (victim / "precious.txt").read_text() == PRECIOUS
    assert (unknown / "keep.txt").read_text() == "mine"


def test_no_cache_prunes_nothing(tmp_path: Path) -> None:
    project = write_tree(tmp_path / "project", {"a.py": DEAD})
    stale = _old_build(project / CACHE_DIR_NAME, "0.0.9-0123456789ab", days=30)
    assert run_subprocess(["check", "--no-cache", "."], project).exit_code == 1
    assert stale.is_dir()


def test_clean_removes_the_projects_cache_and_only_what_mllint_wrote(
    cli: CliCaller, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "project")
    repo.commit({"pkg/a.py": DEAD}, days_ago=10)
    assert cli("check", ".", cwd=repo.root).exit_code == 1
    cache = repo.root / CACHE_DIR_NAME
    _old_build(cache, "0.0.9-0123456789ab", days=0)
    victim = write_tree(tmp_path / "victim", {"precious.txt": PRECIOUS})
    (cache / code_version() / "escape").symlink_to(victim, target_is_directory=True)
    (cache / code_version() / "file-link").symlink_to(victim / "precious.txt")

    run = cli("clean", cwd=repo.root / "pkg")  # from a sub-folder: the project's cache
    assert run.exit_code == 0, run.stderr
    assert "removed the cache at ../.mllint_cache" in run.stderr
    assert not cache.exists()
    assert (victim / "precious.txt").read_text() == PRECIOUS
    again = cli("clean", cwd=repo.root)
    assert again.exit_code == 0 and "no cache at .mllint_cache" in again.stderr

    assert cli("check", ".", cwd=repo.root).exit_code == 1
    (cache / "notes.txt").write_text("mine")
    run = cli("clean", ".", cwd=repo.root)
    assert run.exit_code == 0 and "notes.txt" in run.stderr
    assert sorted(p.name for p in cache.iterdir()) == ["notes.txt"]


def test_clean_follows_cache_dir_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_tree(tmp_path / "project", {"a.py": DEAD})
    elsewhere = tmp_path / "elsewhere"
    assert run_subprocess(["check", "--cache-dir", str(elsewhere), "."], project).exit_code == 1
    assert run_subprocess(["clean", "--cache-dir", str(elsewhere)], project).exit_code == 0
    assert not elsewhere.exists()
    monkeypatch.setenv("MLLINT_CACHE_DIR", str(elsewhere))
    assert run_subprocess(["check", "."], project).exit_code == 1
    assert elsewhere.is_dir()
    assert run_subprocess(["clean"], project).exit_code == 0
    assert not elsewhere.exists()


def test_clean_refuses_a_linked_or_committed_cache(cli: CliCaller, tmp_path: Path) -> None:
    victim = write_tree(tmp_path / "victim", {"0.0.1-0123456789ab/precious.txt": PRECIOUS})
    linked = write_tree(tmp_path / "linked", {"a.py": DEAD})
    (linked / CACHE_DIR_NAME).symlink_to(victim, target_is_directory=True)
    run = cli("clean", cwd=linked)
    assert run.exit_code == 2
    assert "mllint: error: not removing the cache" in run.stderr and "symbolic link" in run.stderr
    assert (victim / "0.0.1-0123456789ab" / "precious.txt").read_text() == PRECIOUS

    repo = GitRepo(tmp_path / "committed")
    repo.commit({"a.py": DEAD, f"{CACHE_DIR_NAME}/0.0.1-0123456789ab/x.json": "{}"}, days_ago=3)
    run = cli("clean", cwd=repo.root)
    assert run.exit_code == 2 and "tracked by git" in run.stderr
    assert (repo.root / CACHE_DIR_NAME / "0.0.1-0123456789ab" / "x.json").is_file()
