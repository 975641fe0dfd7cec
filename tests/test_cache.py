"""The per-file cache: warm runs parse nothing; bad entries are misses, never errors."""

from __future__ import annotations

import hmac
import json
import os
import stat
from pathlib import Path
from typing import Dict

import pytest

from mllint.cache import CACHE_DIR_NAME, Cache, code_version, content_hash
from mllint.config import Settings
from mllint.engine import run_check
from tests.conftest import CliCaller, run_subprocess, write_tree


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


DEAD = "if False:\n    pass\n"


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
    cache = Cache(tmp_path, "k")
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
