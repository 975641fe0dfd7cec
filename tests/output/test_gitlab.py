"""``--format gitlab``: a Code Quality report GitLab accepts (issue 15, item 10).

GitLab's documented format ("Code Quality report format", docs.gitlab.com/ci/testing/
code_quality): a JSON array of objects with ``description`` (string), ``check_name``
(string), ``fingerprint`` (string, unique: GitLab keeps one issue per fingerprint),
``severity`` (``info``, ``minor``, ``major``, ``critical`` or ``blocker``),
``location.path`` (the file relative to the repository root, not prefixed with ``./``) and
``location.lines.begin`` (integer line) or ``location.positions.begin.line``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import FIXTURES, ROOT, SAMPLE, CliCaller, write_tree
from tests.gitrepo import GitRepo

GITLAB_SHAPE: Dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(\\./|/)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {"type": "integer", "minimum": 1},
                            "end": {"type": "integer", "minimum": 1},
                        },
                    },
                    "positions": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {
                                "type": "object",
                                "required": ["line"],
                                "properties": {"line": {"type": "integer", "minimum": 1}},
                            }
                        },
                    },
                },
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}


def _issues(cli: CliCaller, cwd: Path, *args: str) -> List[Dict[str, Any]]:
    run = cli("check", "--format", "gitlab", *args, cwd=cwd)
    assert run.exit_code in (0, 1), run.stderr
    issues: List[Dict[str, Any]] = json.loads(run.stdout)
    errors = list(Draft202012Validator(GITLAB_SHAPE).iter_errors(issues))
    assert not errors, [e.message for e in errors[:3]]
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    return issues


def test_the_shape_check_refuses_what_gitlab_refuses() -> None:
    good = {
        "description": "d",
        "check_name": "c",
        "fingerprint": "f",
        "severity": "minor",
        "location": {"path": "a.py", "lines": {"begin": 1}},
    }
    validator = Draft202012Validator(GITLAB_SHAPE)
    assert validator.is_valid([good])
    for broken in (
        {**good, "severity": "warning"},
        {**good, "location": {"path": "./a.py", "lines": {"begin": 1}}},
        {**good, "location": {"path": "a.py"}},
        {k: v for k, v in good.items() if k != "fingerprint"},
    ):
        assert not validator.is_valid([broken])


def test_sample_project_paths_are_relative_to_the_repository_root(cli: CliCaller) -> None:
    issues = _issues(cli, SAMPLE, ".", "--no-cache")
    as_json = json.loads(cli("check", "--format", "json", ".", "--no-cache", cwd=SAMPLE).stdout)
    assert len(issues) == len(as_json) > 5
    for issue, finding in zip(issues, as_json):
        assert issue["location"]["path"] == f"fixtures/sample_project/{finding['path']}"
        assert (ROOT / issue["location"]["path"]).is_file()
        assert issue["location"]["lines"]["begin"] == finding["line"]
        assert issue["location"]["lines"]["end"] == finding["end_line"]
        assert issue["check_name"] == finding["code"]
        assert issue["description"] == f"{finding['code']} {finding['message']}"
        assert issue["fingerprint"] == finding["fingerprint"]
        assert issue["severity"] == {"warning": "minor", "note": "info"}[finding["severity"]]


def test_ci_project_dir_anchors_the_paths(cli: CliCaller, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_PROJECT_DIR", str(SAMPLE))
    issues = _issues(cli, SAMPLE / "sample_project", ".", "--no-cache")
    assert issues and all(
        (SAMPLE / issue["location"]["path"]).is_file()
        and issue["location"]["path"].startswith("sample_project/")
        for issue in issues
    )


def test_parse_errors_rank_major_and_notes_info(cli: CliCaller, tmp_path: Path) -> None:
    issues = _issues(cli, FIXTURES / "sarif_cases", ".", "--no-git", "--no-cache")
    assert {i["check_name"]: i["severity"] for i in issues}["ML000"] == "major"
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": 'import os\n\nif os.environ.get("USE_NEW_THING"):\n    x = 1\n'}, 5)
    (issue,) = _issues(cli, repo.root, ".", "--reference-date=2026-06-01")
    assert (issue["check_name"], issue["severity"]) == ("ML103", "info")
    assert issue["location"] == {"path": "a.py", "lines": {"begin": 3, "end": 3}}


def test_a_clean_project_is_an_empty_array_and_the_file_is_written(
    cli: CliCaller, tmp_path: Path
) -> None:
    project = write_tree(tmp_path / "p", {"a.py": "x = 1\n"})
    run = cli("check", "--format", "gitlab", "-o", "gl-code-quality.json", ".", cwd=project)
    assert run.exit_code == 0 and run.stdout == ""
    assert json.loads((project / "gl-code-quality.json").read_text()) == []


def test_twin_findings_get_distinct_fingerprints(cli: CliCaller, tmp_path: Path) -> None:
    dead = "if False:\n    x = 1\n"
    project = write_tree(tmp_path / "p", {"a.py": dead + dead, "b c.py": dead})
    issues = _issues(cli, project, ".")
    assert sorted(i["location"]["path"] for i in issues) == ["a.py", "a.py", "b c.py"]
    assert all(not os.path.isabs(i["location"]["path"]) for i in issues)
