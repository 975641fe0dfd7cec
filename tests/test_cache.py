"""The per-file cache: warm runs parse nothing; bad entries are misses, never errors."""

from __future__ import annotations

from pathlib import Path

from mllint.cache import CACHE_DIR_NAME, Cache
from mllint.config import Settings
from mllint.engine import run_check
from tests.conftest import CliCaller, write_tree

DEAD = "if False:\n    pass\n"


def _settings(root: Path) -> Settings:
    return Settings(root=str(root))


def test_warm_run_parses_nothing_and_gives_the_same_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"m{i}.py": DEAD for i in range(5)})
    cold = run_check([tmp_path], _settings(tmp_path), jobs=1)
    warm = run_check([tmp_path], _settings(tmp_path), jobs=1)
    assert cold.parsed == 5 and warm.parsed == 0
    assert warm.findings == cold.findings and len(warm.findings) == 5


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
