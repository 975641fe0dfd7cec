"""The published JSON Schemas (docs/schemas/) describe what the real commands print
(issue 15, item 10): ``check --format json``, ``flags --format json``, ``stats --format json``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from mllint.glue.roles import ROLES
from tests.conftest import FIXTURES, ROOT, SAMPLE, CliCaller, write_tree
from tests.gitrepo import GitRepo

SCHEMAS = ROOT / "docs" / "schemas"
REF = "--reference-date=2026-06-01T12:00:00"


def _schema(name: str) -> Dict[str, Any]:
    schema: Dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return schema


def _valid(name: str, data: Any) -> None:
    validator = Draft202012Validator(_schema(name), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _output(cli: CliCaller, cwd: Path, command: str, *args: str) -> Any:
    run = cli(command, "--format", "json", *args, cwd=cwd)
    assert run.exit_code in (0, 1), run.stderr
    return json.loads(run.stdout)


def _aged_project(root: Path) -> Path:
    repo = GitRepo(root)
    repo.commit(
        {
            "cfg.py": "USE_NEW_LOSS = False\n",
            "train.py": (
                "import argparse\nimport os\nfrom cfg import USE_NEW_LOSS\n\n"
                "p = argparse.ArgumentParser()\n"
                "p.add_argument('--use-mixup', action='store_true')\n"
                "p.add_argument('--unused-opt', type=int, default=3)\nargs = p.parse_args()\n"
                "if USE_NEW_LOSS:\n    x = 1\nif args.use_mixup:\n    y = 2\n"
                "if os.environ.get('ENABLE_FAST'):\n    z = 3\n# x = compute(a, b)\n"
                "# if x:\n#     y = f(x)\n"
            ),
        },
        days_ago=400,
    )
    return repo.root


@pytest.mark.parametrize("name", ["check", "flags", "stats"])
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = _schema(name)
    assert schema["$id"].endswith(f"/docs/schemas/{name}.schema.json")


@pytest.mark.parametrize(
    ("where", "args"),
    [
        (SAMPLE, ()),
        (FIXTURES / "sarif_cases", ("--no-git",)),
        (FIXTURES / "sarif_cases", ("--select", "ALL")),
    ],
)
def test_check_json_matches_its_schema(cli: CliCaller, where: Path, args: Tuple[str, ...]) -> None:
    findings = _output(cli, where, "check", ".", *args)
    assert findings
    _valid("check", findings)


def test_aged_findings_and_flags_match_their_schemas(cli: CliCaller, tmp_path: Path) -> None:
    project = _aged_project(tmp_path / "r")
    findings = _output(cli, project, "check", ".", REF)
    assert any("ageDays" in f["properties"] for f in findings)
    assert any(f["code"] == "ML301" for f in findings)
    _valid("check", findings)
    inventory = _output(cli, project, "flags", ".", REF)
    assert any(flag["age_days"] == 400 for flag in inventory)
    _valid("flags", inventory)
    _valid("stats", _output(cli, project, "stats", "."))


@pytest.mark.parametrize("where", [SAMPLE, FIXTURES / "sarif_cases"])
def test_flags_and_stats_json_match_their_schemas(cli: CliCaller, where: Path) -> None:
    inventory = _output(cli, where, "flags", ".")
    _valid("flags", inventory)
    _valid("flags", _output(cli, where, "flags", ".", "--no-git"))
    stats = _output(cli, where, "stats", ".")
    assert stats["files"]
    _valid("stats", stats)


def test_empty_outputs_match(cli: CliCaller, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"a.py": "x = 1\n"})
    assert _output(cli, project, "check", ".") == []
    _valid("check", [])
    _valid("flags", _output(cli, project, "flags", "."))
    _valid("stats", _output(cli, project, "stats", "."))


def test_the_schemas_refuse_what_the_outputs_never_hold(cli: CliCaller) -> None:
    findings = _output(cli, SAMPLE, "check", ".")
    broken = copy.deepcopy(findings)
    del broken[0]["fingerprint"]
    wrong_severity = copy.deepcopy(findings)
    wrong_severity[0]["severity"] = "fatal"
    undocumented = copy.deepcopy(findings)
    undocumented[0]["extra"] = 1
    for data in (broken, wrong_severity, undocumented):
        with pytest.raises(AssertionError):
            _valid("check", data)
    stats = _output(cli, SAMPLE, "stats", ".")
    stats["total"]["glue_ratio"] = 1.5
    with pytest.raises(AssertionError):
        _valid("stats", stats)


def test_the_role_vocabulary_is_the_classifiers() -> None:
    assert tuple(_schema("stats")["$defs"]["role"]["enum"]) == ROLES
