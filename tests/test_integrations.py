"""The GitHub Action (action.yml) and the pre-commit hooks (.pre-commit-hooks.yaml).

Their shell steps are run here the way GitHub and pre-commit run them, on the fixtures.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
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
    tmp_path: Path,
    name: str = "Run mllint",
    *,
    cwd: Path = REPO,
    github: Optional[Dict[str, str]] = None,
    **inputs: str,
) -> subprocess.CompletedProcess[str]:
    """Run one of the action's shell steps with its inputs, as GitHub would: the `env:`
    expressions are evaluated from ``inputs``, the install step's outputs (this
    environment's mllint), ``runner.temp`` (under ``tmp_path``) and the ``github`` context."""
    mllint = step(name)
    env = {
        **os.environ,
        "PATH": bin_path(),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_ACTION_PATH": str(REPO),
    }
    context = {
        "steps.install.outputs.mllint": str(Path(sys.executable).with_name("mllint")),
        "steps.install.outputs.python": sys.executable,
        "runner.temp": str(tmp_path / "runner-temp"),
        **{f"github.{key}": value for key, value in (github or {}).items()},
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            field = name.removeprefix("inputs.")
            return inputs.get(field, action()["inputs"][field].get("default", ""))
        return context.get(name, "")  # an absent context value is empty, as on GitHub

    for key, expression in mllint["env"].items():
        env[key] = re.sub(r"\$\{\{ ([\w.-]+) \}\}", value, expression)
    # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", mllint["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def outputs(tmp_path: Path) -> Dict[str, str]:
    lines = (tmp_path / "output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


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
    assert outputs(tmp_path) == {"upload": "true", "exit-code": "1"}
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
    assert outputs(tmp_path)["exit-code"] == "0"
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"] == []


def test_action_run_step_fails_on_an_error(tmp_path: Path) -> None:
    done = run_step(
        tmp_path, path="no/such/folder", args="--no-cache", **{"sarif-file": str(tmp_path / "s")}
    )
    assert done.returncode == 2
    assert "::error title=mllint::" in done.stdout


def test_action_uses_current_actions_and_caches_by_mllint_version() -> None:
    uses = {
        s["uses"].split("@")[0]: s["uses"].split("@")[1]
        for s in action()["runs"]["steps"]
        if "uses" in s
    }
    assert uses["actions/setup-python"] == "v6"  # Node 24; v5 runs on the retired Node 20
    assert uses["github/codeql-action/upload-sarif"] == "v4"  # v3 is deprecated December 2026
    assert uses["actions/cache"] == "v5"
    cache = step("Cache mllint")
    assert "inputs.version" in cache["with"]["key"] and "runner.os" in cache["with"]["key"]
    paths = cache["with"]["path"].splitlines()
    run_env = step("Run mllint")["env"]
    # what is cached is what mllint and pip use, and none of it lies in the checkout
    assert run_env["MLLINT_CACHE_DIR"].startswith("${{ runner.temp }}/mllint-cache")
    assert run_env["XDG_CACHE_HOME"] == "${{ runner.temp }}/mllint-cache"  # the signing key
    assert "${{ runner.temp }}/mllint-cache" in paths
    assert step("Install mllint")["env"]["PIP_CACHE_DIR"] in paths


def _legacy(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "legacy.py").write_text("if False:\n    pass\n", encoding="utf-8")


@pytest.mark.parametrize("path", ['"my data" other', "my data\nother\n"])
def test_action_paths_may_hold_spaces(tmp_path: Path, path: str) -> None:
    project = tmp_path / "project"
    _legacy(project / "my data")
    _legacy(project / "other")
    (project / "not linted").mkdir()
    (project / "not linted" / "x.py").write_text("if 0:\n    pass\n", encoding="utf-8")
    sarif = tmp_path / "out.sarif"
    done = run_step(
        tmp_path,
        cwd=project,
        path=path,
        args="--no-cache --select 'ML101'",
        **{"sarif-file": str(sarif)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert uris == ["my%20data/legacy.py", "other/legacy.py"]


def test_action_words_are_never_run_by_the_shell(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _legacy(project)
    marker = tmp_path / "pwned"
    done = run_step(
        tmp_path,
        cwd=project,
        path=f"$(touch {marker}) `touch {marker}` ; touch {marker}",
        args="--no-cache",
        **{"sarif-file": str(tmp_path / "s.sarif")},
    )
    assert not marker.exists()
    assert done.returncode == 2  # the words are paths that do not exist
    assert "::error title=mllint::" in done.stdout


def test_action_on_a_fork_writes_annotations_instead_of_uploading(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    fork = {"repository": "org/repo", "event.pull_request.head.repo.full_name": "someone/repo"}
    done = run_step(
        tmp_path,
        github=fork,
        path="fixtures/sarif_cases",
        args="--no-cache --select ML101",
        **{"sarif-file": str(sarif)},
    )
    assert done.returncode == 0, done.stderr
    assert outputs(tmp_path) == {"upload": "false", "exit-code": "1"}
    assert "::notice title=mllint::read-only token" in done.stdout
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::warning file=")]
    assert annotations and all("ML101" in line for line in annotations)
    assert sarif.is_file()  # still written, for an artifact
    # the upload step is skipped by the output, whatever the `upload` input says
    assert "steps.mllint.outputs.upload == 'true'" in step("Upload SARIF to code scanning")["if"]


@pytest.mark.parametrize(
    "github",
    [
        {"repository": "org/repo", "event.pull_request.head.repo.full_name": "org/repo"},
        {"repository": "org/repo"},  # a push: no pull request
    ],
)
def test_action_in_the_repository_itself_uploads(tmp_path: Path, github: Dict[str, str]) -> None:
    done = run_step(
        tmp_path,
        github=github,
        path="fixtures/sarif_cases",
        args="--no-cache --select ML101",
        **{"sarif-file": str(tmp_path / "out.sarif")},
    )
    assert done.returncode == 0, done.stderr
    assert outputs(tmp_path)["upload"] == "true"
    assert "::warning file=" not in done.stdout


def test_action_dependabot_has_a_read_only_token(tmp_path: Path) -> None:
    done = run_step(
        tmp_path,
        github={"repository": "org/repo", "actor": "dependabot[bot]"},
        path="fixtures/sarif_cases",
        args="--no-cache --select ML101",
        **{"sarif-file": str(tmp_path / "out.sarif")},
    )
    assert done.returncode == 0, done.stderr
    assert outputs(tmp_path)["upload"] == "false"


def test_pre_commit_hooks_run_mllint(tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["mllint"]["pass_filenames"] is False
    assert by_id["mllint-files"].get("pass_filenames", True) is True
    assert "--force-exclude" in shlex.split(by_id["mllint-files"]["entry"])
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mllint]\nexclude = ["vendored/*"]\n', encoding="utf-8"
    )
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "old.py").write_text("if 0:\n    pass\n", encoding="utf-8")
    (tmp_path / "legacy.py").write_text("if False:\n    pass\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    env = {**os.environ, "PATH": bin_path()}
    for hook, files, expected in (
        (by_id["mllint"], [], 1),
        (by_id["mllint-files"], ["clean.py"], 0),
        (by_id["mllint-files"], ["legacy.py"], 1),
        (by_id["mllint-files"], ["vendored/old.py"], 0),  # excluded, even when named
    ):
        assert hook["language"] == "python" and "python" in hook["types_or"]
        command = [*shlex.split(hook["entry"]), "--no-cache", *files]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == expected, (hook["id"], files, done.stdout, done.stderr)
