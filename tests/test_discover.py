"""Which files get linted."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mllint.discover import discover
from tests.conftest import invoke, write_tree
from tests.gitrepo import GitRepo


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


# --- in a git work tree: git's own list ----------------------------------------------------


def _repo(root: Path, tracked: dict[str, str], untracked: dict[str, str]) -> GitRepo:
    repo = GitRepo(root)
    repo.commit(tracked, days_ago=1)
    write_tree(root, untracked)
    return repo


def test_core_excludes_file_hides_a_file_from_git_and_from_mllint(tmp_path: Path) -> None:
    dead = "if False:\n    x = 1\n"
    repo = _repo(tmp_path / "repo", {"a.py": dead}, {"scratch.py": dead, "notes_x.py": dead})
    excludes = tmp_path / "global-ignore"
    excludes.write_text("scratch.py\n*_x.py\n")
    repo.git("config", "core.excludesFile", str(excludes))
    assert _names(repo.root) == ["a.py"]
    run = invoke(["check", ".", "--no-cache", "--no-git", "--select", "ML101", "-q"], repo.root)
    assert run.exit_code == 1
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["a.py"]


def test_git_lists_tracked_and_untracked_files_minus_ignored_ones(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            ".gitignore": "generated/\n*_pb2.py\n",
            "a.py": "",
            "model_pb2.py": "",  # tracked, yet the ignore file names it: not linted
            "sub/.gitignore": "local.py\n!keep_pb2.py\n",
            "sub/keep_pb2.py": "",
        },
        {"generated/x.py": "", "sub/local.py": "", "sub/other.py": "", "secret.py": ""},
    )
    (repo.root / ".git" / "info" / "exclude").write_text("secret.py\n")
    assert _names(repo.root) == ["a.py", "sub/keep_pb2.py", "sub/other.py"]


def test_tracked_build_folders_and_virtualenvs_are_still_skipped(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {"keep.py": "", "build/x.py": "", "pkg.egg-info/x.py": "", "node_modules/m/x.py": ""},
        {"env/pyvenv.cfg": "home = /usr\n", "env/lib/x.py": "", "dist/y.py": ""},
    )
    assert _names(repo.root) == ["keep.py"]


def test_named_folder_inside_the_work_tree(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".gitignore": "pkg/skip.py\n", "pkg/a.py": "", "b.py": ""}, {})
    write_tree(repo.root, {"pkg/skip.py": "", "pkg/new.py": ""})
    assert _names(repo.root, paths=("pkg",)) == ["pkg/a.py", "pkg/new.py"]


def test_exclude_globs_hold_in_git_too(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"a.py": "", "legacy/old.py": "", "nb/scratch_1.py": ""}, {})
    assert _names(repo.root, exclude=("legacy/", "nb/scratch_*.py")) == ["a.py"]


def test_submodules_and_nested_repositories_are_listed_by_their_own_git(tmp_path: Path) -> None:
    library = _repo(tmp_path / "library", {"lib.py": "", ".gitignore": "gen.py\n"}, {})
    repo = _repo(tmp_path / "repo", {"a.py": ""}, {})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library.root), "lib")
    repo.git("commit", "-q", "-m", "submodule")
    write_tree(repo.root, {"lib/gen.py": "", "lib/extra.py": ""})
    nested = GitRepo(repo.root / "vendor")  # an untracked repository inside the tree
    write_tree(nested.root, {".gitignore": "tmp/\n", "v.py": "", "tmp/t.py": ""})
    assert _names(repo.root) == ["a.py", "lib/extra.py", "lib/lib.py", "vendor/v.py"]


def test_a_corrupt_index_falls_back_to_the_ignore_files(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".gitignore": "gen/\n", "a.py": ""}, {"gen/x.py": "", "b.py": ""})
    (repo.root / ".git" / "index").write_bytes(b"DIRC garbage")
    assert _names(repo.root) == ["a.py", "b.py"]


def test_an_inherited_git_dir_does_not_redirect_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _repo(tmp_path / "other", {"elsewhere.py": ""}, {})
    repo = _repo(tmp_path / "repo", {"a.py": ""}, {})
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))  # as in a git hook
    assert _names(repo.root) == ["a.py"]


def test_file_names_git_would_quote(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"a b.py": "", "ünï.py": "", 'q"uote.py': ""}, {"new\nline.py": ""})
    assert _names(repo.root) == ["a b.py", "new\nline.py", 'q"uote.py', "ünï.py"]


def test_undecodable_file_names(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"a.py": ""}, {})
    os.close(os.open(os.fsencode(repo.root) + b"/bad\xff.py", os.O_CREAT | os.O_WRONLY))
    found = discover([repo.root], (), repo.root).files
    assert [os.fsencode(f.name) for f in found] == [b"a.py", b"bad\xff.py"]


# --- outside git: the ignore files matched by pathspec, the same verdicts as git ----------

# (ignore files, files): each case is discovered by git, then again with .git removed.
SAME_AS_GIT = {
    "negation": (
        {".gitignore": "*.log.py\n!keep.log.py\n"},
        ["a.log.py", "keep.log.py", "d/keep.log.py", "a.py"],
    ),
    "allowlist": ({".gitignore": "*\n!*/\n!*.py\n"}, ["src/a.py", "x/y/z.py", "a.py"]),
    "star_then_folder": ({".gitignore": "*\n!src/\n"}, ["src/a.py", "b.py"]),
    "excluded_parent": (
        {".gitignore": "gen/\n!gen/keep.py\n"},
        ["gen/keep.py", "gen/o.py", "a.py"],
    ),
    "excluded_parent_no_slash": ({".gitignore": "gen\n!keep.py\n"}, ["gen/keep.py", "keep.py"]),
    "contents_glob": ({".gitignore": "gen/*\n!gen/keep.py\n"}, ["gen/keep.py", "gen/other.py"]),
    "trailing_double_star": (
        {".gitignore": "abc/**\n!abc/keep.py\n"},
        ["abc/keep.py", "abc/x/y.py", "abcd.py"],
    ),
    "anchored": (
        {".gitignore": "/gen/\n/top.py\n"},
        ["gen/lib/a.py", "src/gen/a.py", "top.py", "src/top.py"],
    ),
    "middle_double_star": ({".gitignore": "a/**/b\n"}, ["a/b/c.py", "a/x/y/b/c.py", "x/a/b/c.py"]),
    "reincluded_folder": ({".gitignore": "gen/\n!gen/\n"}, ["gen/a.py"]),
    "nested_files": (
        {".gitignore": "*_pb2.py\ngen/\n", "sub/.gitignore": "local.py\n!keep_pb2.py\n"},
        [
            "a.py",
            "m_pb2.py",
            "gen/x.py",
            "sub/local.py",
            "sub/keep_pb2.py",
            "sub/other.py",
            "local.py",
        ],
    ),
    "nested_reincludes_a_folder": (
        {".gitignore": "data/\n", "keep/.gitignore": "!data/\n"},
        ["keep/data/x.py", "other/data/x.py"],
    ),
    "nested_anchor": (
        {"sub/.gitignore": "/a.py\nd/e.py\n"},
        ["sub/a.py", "sub/x/a.py", "a.py", "sub/d/e.py", "d/e.py"],
    ),
    "nested_reinclude_by_star": (
        {".gitignore": "*.py\n", "sub/.gitignore": "!keep.py\n"},
        ["sub/keep.py", "sub/deeper/keep.py", "sub/o.py", "keep.py"],
    ),
    "nested_excludes_again": (
        {".gitignore": "*.log.py\n!important.log.py\n", "a/.gitignore": "important.log.py\n"},
        ["a/important.log.py", "important.log.py"],
    ),
    "nested_under_excluded": (
        {".gitignore": "gen/\n", "gen/.gitignore": "!keep.py\n"},
        ["gen/keep.py", "gen/x/keep.py"],
    ),
    "crlf": ({".gitignore": "x.py\r\ngen/\r\n"}, ["x.py", "gen/a.py", "y.py"]),
    "byte_order_mark": ({".gitignore": "\ufeffx.py\n"}, ["x.py", "y.py"]),
    "trailing_spaces": ({".gitignore": "x.py   \n"}, ["x.py", "y.py"]),
    "escapes": ({".gitignore": "\\#n.py\n\\!i.py\n"}, ["#n.py", "!i.py", "n.py"]),
    "comments": ({".gitignore": "# x.py\n#y.py\n"}, ["x.py", "y.py", "# x.py"]),
    "classes": ({".gitignore": "[abc].py\n[!x]y.py\n"}, ["a.py", "d.py", "zy.py", "xy.py"]),
    "question_mark": ({".gitignore": "?.py\n"}, ["a.py", "ab.py", "d/c.py"]),
    "invalid_lines_match_nothing": (
        {".gitignore": "foo\\\n!\n[z-a]\nx.py\n"},
        ["x.py", "foo.py", "z.py"],
    ),
}
# Known differences of GitIgnoreSpec, which only matter outside git: 'logs/**/' ignores
# the files directly in logs/, and POSIX classes ('[[:digit:]]') match nothing.


@pytest.mark.parametrize("case", sorted(SAME_AS_GIT))
def test_the_walk_outside_git_agrees_with_git(tmp_path: Path, case: str) -> None:
    ignores, files = SAME_AS_GIT[case]
    write_tree(tmp_path, {name: "" for name in files})
    write_tree(tmp_path, {name: text.encode() for name, text in ignores.items()})
    GitRepo(tmp_path)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    ).stdout.decode()
    truth = sorted(name for name in listed.split("\0") if name.endswith(".py"))
    assert sorted(_names(tmp_path)) == truth
    shutil.rmtree(tmp_path / ".git")
    assert sorted(_names(tmp_path)) == truth


def test_an_unreadable_ignore_file_is_said_and_skipped(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "", "b.py": "", "sub/c.py": ""})
    (tmp_path / ".gitignore").mkdir()  # cannot be read as a file
    os.mkfifo(tmp_path / "sub" / ".gitignore")  # would block a plain open
    result = discover([tmp_path], (), tmp_path)
    assert [f.name for f in result.files] == ["a.py", "b.py", "c.py"]
    assert len(result.notices) == 2 and all("ignore file" in n for n in result.notices)
