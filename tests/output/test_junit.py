"""``--format junit``: JUnit XML for GitLab, Jenkins and Azure Pipelines (issue 15, item 10).

What those readers need: a ``<testsuites>`` root (or one ``<testsuite>``) whose ``tests``,
``failures`` and ``errors`` counts match its ``<testcase>`` children; each testcase with a
``classname`` and a ``name`` (the pair identifies it, so it must be unique); a failing
testcase holds one ``<failure message=... type=...>`` (``<error>`` for an error) whose text
is shown as the failure's details; ``file`` and ``line`` link to the code (GitLab).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Tuple

from tests.conftest import FIXTURES, SAMPLE, CliCaller, write_tree
from tests.gitrepo import GitRepo

REF = "--reference-date=2026-06-01"
NOTE = 'import os\n\nif os.environ.get("USE_NEW_THING"):\n    x = 1\n'
DEAD = "if False:\n    x = 1\n"


def _suite(cli: CliCaller, cwd: Path, *args: str) -> Tuple[int, ET.Element]:
    run = cli("check", "--format", "junit", *args, cwd=cwd)
    assert run.exit_code in (0, 1), run.stderr
    assert run.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(run.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite" and suite.get("name") == "mllint"
    cases = list(suite)
    assert all(case.tag == "testcase" for case in cases)
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(suite.findall("testcase/failure")))
        assert element.get("errors") == str(len(suite.findall("testcase/error")))
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(set(names)) == len(names) and all(a and b for a, b in names)
    return run.exit_code, suite


def _outcomes(suite: ET.Element) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for case in suite:
        kinds = [child.tag for child in case] or ["pass"]
        found.setdefault(kinds[0], []).append(f"{case.get('file')}:{case.get('name')}")
    return found


def test_every_finding_is_a_failing_testcase_with_its_line(cli: CliCaller) -> None:
    _, suite = _suite(cli, SAMPLE, ".", "--no-cache")
    findings = json.loads(cli("check", "--format", "json", ".", cwd=SAMPLE).stdout)
    failures = suite.findall("testcase/failure")
    assert len(failures) == len([f for f in findings if f["severity"] != "note"]) > 5
    by_place = {(f["path"], str(f["line"]), f["code"]): f for f in findings}
    for case in suite.findall("testcase[failure]"):
        failure = case.find("failure")
        assert failure is not None
        finding = by_place[(case.get("file"), case.get("line"), failure.get("type"))]
        assert (failure.text or "").startswith(
            f"{finding['path']}:{finding['line']}:{finding['column']}: {finding['code']} "
        )
        assert failure.get("message") == f"{finding['code']} {finding['message']}"
        assert case.get("classname") == finding["path"][: -len(".py")].replace("/", ".")
        assert (SAMPLE / str(case.get("file"))).is_file()


def test_clean_files_pass_parse_errors_are_errors(cli: CliCaller) -> None:
    _, suite = _suite(cli, FIXTURES / "sarif_cases", ".", "--no-git", "--no-cache")
    outcomes = _outcomes(suite)
    assert outcomes["pass"] == ["clean/metrics.py:mllint"]
    assert [o.split(":")[0] for o in outcomes["error"]] == ["parse_error.py"]
    assert len(outcomes["failure"]) == 3


def test_notes_pass_unless_fail_on_says_otherwise(cli: CliCaller, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.py": NOTE, "b.py": "x = 1\n"}, days_ago=5)
    code, suite = _suite(cli, repo.root, ".", REF)
    assert code == 0 and "failure" not in _outcomes(suite)
    out = suite.find("testcase/system-out")
    assert out is not None and (out.text or "").startswith("note: a.py:3:1: ML103 ")
    code, suite = _suite(cli, repo.root, ".", REF, "--fail-on", "note")
    assert code == 1 and _outcomes(suite)["failure"] == ["a.py:ML103 experiment-branch at 3:1"]


def test_hostile_names_and_messages_stay_well_formed_xml(cli: CliCaller, tmp_path: Path) -> None:
    project = write_tree(
        tmp_path / "p",
        {
            "a\x1b]0;x\x07.py": DEAD,
            "b<&>'\".py": DEAD + DEAD,
            "c.py": 'USE_X = "<\\x00&>"\nif USE_X == "<\\x00&>":\n    pass\n',
        },
    )
    _, suite = _suite(cli, project, ".", "--no-git")
    files = sorted({str(case.get("file")) for case in suite})
    assert files == ["a\\x1b]0;x\\x07.py", "b<&>'\".py", "c.py"]
    names = [case.get("name") for case in suite if case.get("file") == "b<&>'\".py"]
    assert names == ["ML101 constant-condition at 1:1", "ML101 constant-condition at 3:1"]


def test_written_to_a_file_for_the_ci_artifact(cli: CliCaller, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"a.py": DEAD})
    run = cli("check", "--format", "junit", "-o", "mllint.xml", ".", cwd=project)
    assert run.exit_code == 1 and run.stdout == ""
    root = ET.parse(project / "mllint.xml").getroot()
    assert root.get("failures") == "1"
