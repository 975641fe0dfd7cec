"""Linting a buffer against the workspace held in memory."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from mllint.analyze import analyze_source
from mllint.lsp import linting
from mllint.lsp.linting import WorkspaceIndex, buffer_bytes
from mllint.model import Finding, Severity, Span
from mllint.project import Project
from tests.conftest import write_tree

DEAD = "if False:\n    x = 1\n"


def _index(root: Path) -> WorkspaceIndex:
    index, errors = WorkspaceIndex.load(root, use_cache=False)
    assert errors == ()
    return index


def test_load_reads_the_configuration_and_every_file(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nexclude = ["scratch/"]\n',
            "a.py": DEAD,
            "pkg/b.py": "x = 1\n",
            "scratch/c.py": DEAD,
        },
    )
    index = _index(root)
    assert index.settings.exclude == ("scratch/",)
    assert sorted(Path(p).relative_to(root).as_posix() for p in index.results) == [
        "a.py",
        "pkg/b.py",
    ]
    assert [f.code for f in index.results[str(root / "a.py")].findings] == ["ML101"]


def test_a_broken_configuration_falls_back_to_the_defaults(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\nbogus = 1\n", "a.py": DEAD})
    index = _index(root)
    assert index.config_error is not None and "'bogus'" in index.config_error
    assert [f.code for f in index.lint(str(root / "a.py"), DEAD).findings] == ["ML101"]


def test_the_buffer_replaces_the_file_and_suppression_applies(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mllint]\nper-file-ignores = { "legacy/*" = ["ML101"] }\n',
            "a.py": DEAD,
            "legacy/old.py": DEAD,
        },
    )
    index = _index(root)
    path = str(root / "a.py")
    assert index.lint(path, "x = 1\n").findings == ()
    assert [f.code for f in index.lint(path, DEAD).findings] == ["ML101"]
    assert index.lint(path, "if False:  # noqa: ML101\n    x = 1\n").findings == ()
    assert index.lint(str(root / "legacy" / "old.py"), DEAD).findings == ()


def test_a_nested_configuration_governs_the_files_below_it(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\n",
            "sub/pyproject.toml": '[tool.mllint]\nignore = ["ML101"]\n',
            "sub/a.py": DEAD,
            "b.py": DEAD,
        },
    )
    index = _index(root)
    assert index.lint(str(root / "sub" / "a.py"), DEAD).findings == ()
    assert [f.code for f in index.lint(str(root / "b.py"), DEAD).findings] == ["ML101"]


def test_project_rules_see_the_buffer_and_report_only_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    index = _index(root)
    a, b = str(root / "a.py"), str(root / "b.py")
    seen: List[Project] = []

    def project_rule(project: Project) -> List[Finding]:
        seen.append(project)
        return [
            Finding(p, Span(1, 1, 1, 2), "ML102", "stale-flag-branch", "m", Severity.WARNING)
            for p in (a, b)
        ]

    monkeypatch.setattr(linting, "run_project_rules", project_rule)
    other = analyze_source(b, b"z = 3\n")
    lint = index.lint(a, "w = 4  # noqa: ML1\nv = 5\n", files=index.snapshot({b: other}))
    assert lint.findings == ()  # the buffer's own noqa silences a project finding
    lint = index.lint(a, "w = 4\n", files=index.snapshot({b: other}))
    assert [(f.path, f.code) for f in lint.findings] == [(a, "ML102")]
    project = seen[-1]
    assert project.files[a] == lint.result
    assert project.files[b] is other  # another open buffer stands in for its file


def test_update_file_says_whether_facts_changed(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n"})
    index = _index(root)
    path = str(root / "a.py")
    # a comment changes no per-file facts; a new constant value (a flag fact) does
    assert not index.update_file(path, analyze_source(path, b"x = 1  # edited\n"))
    assert index.update_file(path, analyze_source(path, b"x = 2\n"))
    assert index.update_file(path, None)
    assert path not in index.results


def test_buffer_bytes_honour_a_coding_cookie() -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert buffer_bytes(text) == text.encode("latin-1")
    assert analyze_source("/x.py", buffer_bytes(text)).findings == ()
    assert buffer_bytes("s = '😀'\n") == "s = '😀'\n".encode()
    bad = "# coding: latin-1\ns = '😀'\n"  # latin-1 cannot hold it: UTF-8 bytes
    assert buffer_bytes(bad) == bad.encode()


def test_a_buffer_over_max_file_size_is_reported_unparsed(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\nmax-file-size = 100\n"})
    index = _index(root)
    found = index.lint(str(root / "big.py"), DEAD * 20).findings
    assert [(f.code, "file too large" in f.message) for f in found] == [("ML000", True)]
    assert [f.code for f in index.lint(str(root / "small.py"), DEAD).findings] == ["ML101"]


def test_what_a_hover_shows_of_a_flag_never_holds_a_secret_looking_value(tmp_path: Path) -> None:
    source = "API_TOKEN = 'hunter2-secret-value-0123456789'\nif API_TOKEN == 'x':\n    y = 1\n"
    root = write_tree(tmp_path, {"a.py": source})
    index = _index(root)
    lint = index.lint(str(root / "a.py"), source)
    findings, flags = linting.about_flag(lint, "API_TOKEN")
    assert findings and flags
    assert "hunter2" not in repr([f.properties for f in findings])
