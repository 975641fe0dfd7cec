"""Related locations on findings: kept through the cache, exposed in ``--format json``."""

from __future__ import annotations

import json
from pathlib import Path

from mllint.cache import valid_result
from mllint.model import FileResult, Finding, NoqaMap, RelatedLocation, Severity, Span
from tests.conftest import invoke, write_tree


def _finding(path: str, related_path: str) -> Finding:
    return Finding(
        path=path,
        span=Span(6, 1, 6, 11),
        code="ML102",
        name="stale-flag-branch",
        message="`if USE_OLD` is always false",
        severity=Severity.WARNING,
        properties={"flag": "USE_OLD"},
        related=(RelatedLocation(related_path, Span(1, 1, 1, 8), "definition of `USE_OLD`"),),
    )


def test_a_cached_result_keeps_related_locations() -> None:
    result = FileResult(findings=(_finding("/p/a.py", "/p/config.py"),), noqa=NoqaMap())
    data = json.loads(json.dumps(result.to_json()))
    assert valid_result(data)
    assert FileResult.from_json(data) == result


def test_a_cache_entry_with_malformed_related_locations_is_a_miss() -> None:
    data = FileResult(findings=(_finding("/p/a.py", "/p/a.py"),), noqa=NoqaMap()).to_json()
    for bad in ([["/p/a.py", [1, 1, 1], "m"]], [[1, [1, 1, 1, 1], "m"]], "x", [["/p/a.py"]]):
        data["findings"][0]["related"] = bad
        assert not valid_result(data)


def test_findings_without_related_locations_are_cached_as_before() -> None:
    finding = Finding(
        "/p/a.py", Span(1, 1, 1, 2), "ML101", "constant-condition", "m", Severity.WARNING
    )
    assert "related" not in finding.to_json()
    assert Finding.from_json(finding.to_json()) == finding


def test_a_result_reused_for_another_path_moves_its_own_related_locations() -> None:
    moved = _finding("/p/a.py", "/p/a.py").moved_to("/p/b.py")
    assert moved.path == moved.related[0].path == "/p/b.py"
    elsewhere = _finding("/p/a.py", "/p/config.py").moved_to("/p/b.py")
    assert elsewhere.related[0].path == "/p/config.py"


def test_json_output_lists_related_locations(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "config.py": "USE_OLD = False\n",
            "train.py": (
                "from config import USE_OLD\n\ndef legacy():\n    return 1\n\n"
                "if USE_OLD:\n    x = legacy()\n"
            ),
        },
    )
    run = invoke(["check", "--no-cache", "--format", "json", "."], tmp_path)
    findings = {f["code"]: f for f in json.loads(run.stdout)}
    assert findings["ML102"]["related"] == [
        {
            "path": "config.py",
            "line": 1,
            "column": 1,
            "end_line": 1,
            "end_column": 8,
            "message": "definition of `USE_OLD = False`",
        }
    ]
    (reference,) = findings["ML106"]["related"]
    assert (reference["path"], reference["line"], reference["column"]) == ("train.py", 7, 9)
    assert reference["message"] == "reference to `legacy` in code that never runs"


def test_a_dead_reference_through_a_module_points_at_the_name(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "config.py": "USE_OLD = False\n",
            "helpers.py": "def legacy():\n    return 1\n",
            "train.py": (
                "import helpers\nfrom config import USE_OLD\n\nif USE_OLD:\n"
                "    x = helpers.legacy()\n"
            ),
        },
    )
    run = invoke(["check", "--no-cache", "--format", "json", "."], tmp_path)
    (dead,) = [f for f in json.loads(run.stdout) if f["code"] == "ML106"]
    assert dead["path"] == "helpers.py"
    (reference,) = dead["related"]
    where = (reference["path"], reference["line"], reference["column"], reference["end_column"])
    assert where == ("train.py", 5, 17, 23)  # `legacy` in `helpers.legacy()`
