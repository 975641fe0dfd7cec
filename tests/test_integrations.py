"""The GitHub Action (action.yml) and the pre-commit hooks (.pre-commit-hooks.yaml).

Their shell steps are run here the way GitHub and pre-commit run them, on the fixtures.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import yaml

REPO = Path(__file__).resolve().parents[1]


def action() -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return data


def step(name: str) -> Dict[str, Any]:
    (found,) = [s for s in action()["runs"]["steps"] if s.get("name") == name]
    return found


def bin_path() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def test_action_is_composite_and_uploads_with_the_category() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    uses = [s.get("uses", "") for s in data["runs"]["steps"]]
    assert uses[0].startswith("actions/setup-python@")
    upload = step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["category"] == "${{ inputs.category }}"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert {"path", "category", "args", "baseline", "sarif-file"} <= set(data["inputs"])


def run_step(
    tmp_path: Path, name: str = "Run mllint", **inputs: str
) -> subprocess.CompletedProcess[str]:
    """Run one of the action's shell steps with its inputs, as GitHub would."""
    mllint = step(name)
    env = {
        **os.environ,
        "PATH": bin_path(),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    for key, expression in mllint["env"].items():
        if expression == "${{ steps.install.outputs.mllint }}":  # the install step's command
            env[key] = str(Path(sys.executable).with_name("mllint"))
            continue
        name = expression.removeprefix("${{ inputs.").removesuffix(" }}")
        env[key] = inputs.get(name, action()["inputs"][name].get("default", ""))
    return subprocess.run(
        ["bash", "-e", "-c", mllint["run"]], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_action_summary_step_writes_the_debt_report(tmp_path: Path) -> None:
    (tmp_path / "summary.md").write_text("earlier step\n", encoding="utf-8")
    done = run_step(tmp_path, "Summarise the debt", path="fixtures/sample_project")
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("earlier step\n")  # appended, as GitHub's summary file wants
    assert "ML101" in summary and "|" in summary  # the findings table


def test_action_run_step_writes_sarif_and_survives_findings(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    done = run_step(
        tmp_path,
        path="fixtures/sarif_cases",
        args="--no-cache --select ML1",
        category="ml-debt",
        **{"sarif-file": str(sarif)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text() == "exit-code=1\n"
    log = json.loads(sarif.read_text(encoding="utf-8"))
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "ml-debt/"
    assert {r["ruleId"] for r in run["results"]} == {"ML101"}  # --select ML1 reached mllint


def test_action_run_step_uses_the_baseline(tmp_path: Path) -> None:
    baseline = tmp_path / "base.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mllint",
            "check",
            "fixtures/sarif_cases",
            "--no-cache",
            "--write-baseline",
            str(baseline),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    sarif = tmp_path / "out.sarif"
    done = run_step(
        tmp_path,
        path="fixtures/sarif_cases",
        args="--no-cache",
        baseline=str(baseline),
        **{"sarif-file": str(sarif)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text() == "exit-code=0\n"
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"] == []


def test_action_run_step_fails_on_an_error(tmp_path: Path) -> None:
    done = run_step(
        tmp_path, path="no/such/folder", args="--no-cache", **{"sarif-file": str(tmp_path / "s")}
    )
    assert done.returncode == 2
    assert "::error title=mllint::" in done.stdout


def test_pre_commit_hooks_run_mllint(tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["mllint"]["pass_filenames"] is False
    assert by_id["mllint-files"].get("pass_filenames", True) is True
    (tmp_path / "legacy.py").write_text("if False:\n    pass\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    env = {**os.environ, "PATH": bin_path()}
    for hook, files, expected in (
        (by_id["mllint"], [], 1),
        (by_id["mllint-files"], ["clean.py"], 0),
        (by_id["mllint-files"], ["legacy.py"], 1),
    ):
        assert hook["language"] == "python" and "python" in hook["types_or"]
        command = [*shlex.split(hook["entry"]), "--no-cache", *files]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == expected, (hook["id"], files, done.stdout, done.stderr)
