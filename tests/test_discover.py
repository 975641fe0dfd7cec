"""Which files get linted."""

from __future__ import annotations

from pathlib import Path

from mllint.discover import discover
from tests.conftest import write_tree


def _names(root: Path, exclude: tuple[str, ...] = (), paths: tuple[str, ...] = (".",)) -> list[str]:
    found = discover([root / p for p in paths], exclude, root).files
    return [f.relative_to(root).as_posix() for f in found]


def test_python_files_in_deterministic_order(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"b.py": "", "a.py": "", "stub.pyi": "", "notes.txt": "", "pkg/z.py": "", "pkg/a.py": ""},
    )
    assert _names(tmp_path) == ["a.py", "b.py", "pkg/a.py", "pkg/z.py", "stub.pyi"]


def test_skips_vcs_caches_builds_and_virtualenvs(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "keep.py": "",
            ".git/hooks/x.py": "",
            "__pycache__/x.py": "",
            "node_modules/x.py": "",
            "build/x.py": "",
            "dist/x.py": "",
            ".tox/x.py": "",
            "pkg.egg-info/x.py": "",
            "myenv/pyvenv.cfg": "home = /usr\n",
            "myenv/lib/x.py": "",
        },
    )
    assert _names(tmp_path) == ["keep.py"]


def test_gitignore_files_at_every_level(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".gitignore": "generated/\n*_pb2.py\n",
            "a.py": "",
            "model_pb2.py": "",
            "generated/x.py": "",
            "sub/.gitignore": "local.py\n!keep_pb2.py\n",
            "sub/local.py": "",
            "sub/keep_pb2.py": "",
            "sub/other.py": "",
            ".git/info/exclude": "secret.py\n",
            "secret.py": "",
        },
    )
    assert _names(tmp_path) == ["a.py", "sub/keep_pb2.py", "sub/other.py"]


def test_gitignore_above_the_linted_folder_applies(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {".git/HEAD": "", ".gitignore": "pkg/skip.py\n", "pkg/skip.py": "", "pkg/a.py": ""},
    )
    assert _names(tmp_path, paths=("pkg",)) == ["pkg/a.py"]


def test_exclude_globs(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "", "legacy/old.py": "", "nb/scratch_1.py": "", "nb/keep.py": ""})
    assert _names(tmp_path, exclude=("legacy/", "nb/scratch_*.py")) == ["a.py", "nb/keep.py"]


def test_named_files_always_linted_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "a.py\n", ".git/HEAD": "", "a.py": "", "b.py": ""})
    assert _names(tmp_path, paths=("a.py", ".", "b.py")) == ["a.py", "b.py"]


def test_symlink_loops_and_folder_links_are_not_followed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "", "other/b.py": ""})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path)
    (tmp_path / "pkg" / "alias").symlink_to(tmp_path / "other")
    (tmp_path / "pkg" / "link.py").symlink_to(tmp_path / "other" / "b.py")
    # the link and its target are one file, linted once under its own name
    assert _names(tmp_path) == ["other/b.py", "pkg/a.py"]


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    result = discover([tmp_path / "nope"], (), tmp_path)
    assert result.files == () and result.missing == (str(tmp_path / "nope"),)


def test_nested_project_config_excludes_below_it(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.py": "",
            "inner/pyproject.toml": '[tool.mllint]\nexclude = ["gen/"]\n',
            "inner/gen/x.py": "",
            "inner/b.py": "",
        },
    )
    result = discover([tmp_path], (), tmp_path)
    names = [f.relative_to(tmp_path).as_posix() for f in result.files]
    assert names == ["a.py", "inner/b.py"]
    assert result.configs == {
        str(tmp_path / "inner" / "b.py"): str(tmp_path / "inner/pyproject.toml")
    }


def test_odd_file_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {"-x.py": "", "a b.py": "", "ünï.py": ""})
    assert _names(tmp_path) == ["-x.py", "a b.py", "ünï.py"]


def test_gitignore_outside_git_and_outside_the_settings_root(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"elsewhere/.gitignore": "gen/\n", "elsewhere/gen/x.py": "", "elsewhere/a.py": ""}
    )
    settings_root = tmp_path / "somewhere_else"
    settings_root.mkdir()
    found = discover([tmp_path / "elsewhere"], (), settings_root).files
    assert [f.name for f in found] == ["a.py"]
