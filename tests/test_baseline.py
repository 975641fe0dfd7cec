"""``--baseline`` and ``--write-baseline``: adopt mllint without fixing legacy findings first."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest
from click.testing import CliRunner, Result

from mllint.cli import main

LEGACY = """\
def train(model):
    if False:
        model.freeze()
    while 0:
        model.step()
    return model
"""


def run(folder: Path, args: Sequence[str]) -> Result:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(main, ["check", "--no-cache", *args])
    finally:
        os.chdir(old)


def reported(result: Result) -> List[Tuple[str, int]]:
    return [
        (line.split(":")[0], int(line.split(":")[1]))
        for line in result.stdout.splitlines()
        if line.strip() and not line.startswith("Found ")  # the summary line
    ]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_run_against_its_own_baseline_reports_nothing(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "legacy.py").write_text(LEGACY, encoding="utf-8")
    first = run(tmp_path, [".", "--format", fmt, "--output", "baseline.json"])
    assert first.exit_code == 1
    again = run(tmp_path, [".", "--baseline", "baseline.json"])
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert "2 findings hidden by the baseline" in again.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_new_finding_shows_up_alone(tmp_path: Path, fmt: str) -> None:
    legacy = tmp_path / "legacy.py"
    legacy.write_text(LEGACY, encoding="utf-8")
    assert run(tmp_path, [".", "--format", fmt, "--output", "base.sarif"]).exit_code == 1
    # New code above the legacy findings moves them down; they still match.
    legacy.write_text("import os\n\nif 0:\n    os.exit()\n\n" + LEGACY, encoding="utf-8")
    (tmp_path / "fresh.py").write_text("x = 1 if True else 2\n", encoding="utf-8")
    result = run(tmp_path, [".", "--baseline", "base.sarif"])
    assert result.exit_code == 1
    assert reported(result) == [("fresh.py", 1), ("legacy.py", 3)]


def test_write_baseline_then_use_it(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text(LEGACY, encoding="utf-8")
    written = run(tmp_path, [".", "--write-baseline", "mllint-baseline.json"])
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    data = json.loads((tmp_path / "mllint-baseline.json").read_text(encoding="utf-8"))
    assert [item["line"] for item in data] == [2, 4]
    assert all(item["fingerprint"] for item in data)
    clean = run(tmp_path, [".", "--baseline", "mllint-baseline.json"])
    assert clean.exit_code == 0 and clean.stdout == ""
    (tmp_path / "legacy.py").write_text(LEGACY.replace("while 0:", "while False:"), "utf-8")
    edited = run(tmp_path, [".", "--baseline", "mllint-baseline.json"])
    assert edited.exit_code == 1
    assert reported(edited) == [("legacy.py", 4)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "baseline is not JSON"),
        ('{"a": 1}', "not a baseline"),
        ('[{"path": "x.py"}]', "has no fingerprint"),
        ('{"runs": [{"results": [{"ruleId": "X"}]}]}', "has no partialFingerprints"),
    ],
)
def test_a_bad_baseline_is_an_error_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "legacy.py").write_text(LEGACY, encoding="utf-8")
    (tmp_path / "old.json").write_text(content, encoding="utf-8")
    result = run(tmp_path, [".", "--baseline", "old.json"])
    assert result.exit_code == 2
    assert "old.json" in result.stderr and message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_baseline_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text(LEGACY, encoding="utf-8")
    result = run(tmp_path, [".", "--baseline", "nope.json"])
    assert result.exit_code == 2
    assert "nope.json: cannot read baseline" in result.stderr


def test_a_new_twin_of_a_baselined_finding_keeps_its_own_fingerprint(tmp_path: Path) -> None:
    script = tmp_path / "twins.py"
    script.write_text("if False:\n    a = 1\n", encoding="utf-8")
    assert run(tmp_path, [".", "--write-baseline", "base.json"]).exit_code == 0
    base = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))
    script.write_text("if False:\n    a = 1\nif False:\n    b = 2\n", encoding="utf-8")
    result = run(tmp_path, [".", "--baseline", "base.json", "--format", "json"])
    (new,) = json.loads(result.stdout)
    assert new["line"] == 3
    assert new["fingerprint"] != base[0]["fingerprint"]
    assert new["fingerprint"].endswith(":2")
