"""Fingerprints survive unrelated edits and change with the flagged code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from click.testing import CliRunner

from mllint.cli import main
from mllint.fingerprint import SourceLines, fingerprints
from mllint.model import Finding, Severity, Span

SOURCE = """\
import os


def train(model):
    if False:
        model.freeze()
    rate = 0.1 if True else 0.2
    while 0:
        model.step()
    return model
"""


def check_json(folder: Path, *args: str) -> List[Dict[str, Any]]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache", *args])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    data: List[Dict[str, Any]] = json.loads(result.stdout)
    return data


def prints(folder: Path) -> Dict[int, str]:
    return {f["line"]: f["fingerprint"] for f in check_json(folder, ".")}


def test_inserting_lines_above_changes_no_fingerprint(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SOURCE, encoding="utf-8")
    before = prints(tmp_path)
    assert sorted(before) == [5, 7, 8]
    script.write_text("# a comment\n" * 10 + "x = 1\n" * 10 + SOURCE, encoding="utf-8")
    after = prints(tmp_path)
    assert sorted(after) == [25, 27, 28]
    assert [after[line + 20] for line in sorted(before)] == [
        before[line] for line in sorted(before)
    ]


def test_editing_the_flagged_line_changes_its_fingerprint(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SOURCE, encoding="utf-8")
    before = prints(tmp_path)
    script.write_text(SOURCE.replace("0.1 if True else 0.2", "0.3 if True else 0.2"), "utf-8")
    after = prints(tmp_path)
    assert after[7] != before[7]
    assert after[5] == before[5] and after[8] == before[8]


def test_reindenting_keeps_the_fingerprint(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("if False:\n    pass\n", encoding="utf-8")
    before = prints(tmp_path)
    script.write_text("def f():\n    if  False:\n        pass\n", encoding="utf-8")
    after = prints(tmp_path)
    assert after[2] == before[1]


def test_identical_lines_get_distinct_fingerprints(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("if False:\n    x = 1\nif False:\n    x = 2\n", "utf-8")
    found = prints(tmp_path)
    assert found[1] != found[3]
    assert found[1].endswith(":1") and found[3].endswith(":2")


def test_same_line_in_another_file_differs(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("if False:\n    pass\n", "utf-8")
    (tmp_path / "b.py").write_text("if False:\n    pass\n", "utf-8")
    found = check_json(tmp_path, ".")
    assert found[0]["fingerprint"] != found[1]["fingerprint"]


def test_fingerprint_does_not_depend_on_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\n", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("if False:\n    pass\n", encoding="utf-8")
    from_root = check_json(tmp_path, "pkg")
    from_pkg = check_json(tmp_path / "pkg", ".")
    assert from_root[0]["path"] != from_pkg[0]["path"]
    assert from_root[0]["fingerprint"] == from_pkg[0]["fingerprint"]


def test_sarif_and_json_carry_the_same_fingerprints(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "sarif", "--no-cache", "."])
    finally:
        os.chdir(old)
    log = json.loads(result.stdout)
    sarif_prints = [r["partialFingerprints"]["mllint/v1"] for r in log["runs"][0]["results"]]
    assert sarif_prints == [f["fingerprint"] for f in check_json(tmp_path, ".")]


def test_unreadable_file_still_gets_a_fingerprint(tmp_path: Path) -> None:
    finding = Finding(
        path=str(tmp_path / "gone.py"),
        span=Span(3, 1, 3, 5),
        code="ML101",
        name="constant-condition",
        message="m",
        severity=Severity.WARNING,
    )
    (value,) = fingerprints([finding], tmp_path, SourceLines())
    assert value.endswith(":1") and len(value.split(":")[0]) == 32
