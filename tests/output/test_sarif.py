"""``mllint check --format sarif``: schema-valid SARIF with GitHub's required fields."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from mllint.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CASES = FIXTURES / "sarif_cases"
SCHEMA_CANDIDATES = [
    REPO.parent / "shared" / "sarif" / "sarif-schema-2.1.0.json",
    Path("/work/shared/sarif/sarif-schema-2.1.0.json"),
]


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    for candidate in SCHEMA_CANDIDATES:
        if candidate.is_file():
            schema = json.loads(candidate.read_text(encoding="utf-8"))
            Draft4Validator.check_schema(schema)
            return Draft4Validator(schema)
    pytest.skip("the SARIF 2.1.0 schema (../shared/sarif/) is not available")


def sarif(*args: str, cwd: Path = REPO, exit_code: int = 1) -> Dict[str, Any]:
    """Run ``mllint check --format sarif ARGS`` in ``cwd`` and return the parsed log."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "sarif", "--no-cache", *args])
    finally:
        os.chdir(old)
    assert result.exit_code == exit_code, result.output
    data: Dict[str, Any] = json.loads(result.stdout)
    return data


def errors(validator: Draft4Validator, log: Dict[str, Any]) -> List[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def results_in(log: Dict[str, Any], name: str) -> List[Dict[str, Any]]:
    return [
        r
        for r in log["runs"][0]["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(name)
    ]


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_fixtures_produce_schema_valid_sarif(validator: Draft4Validator) -> None:
    log = sarif("fixtures/")
    assert errors(validator, log) == []
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]  # one run per SARIF file
    driver = run["tool"]["driver"]
    assert driver["name"] == "mllint" and driver["version"] and driver["informationUri"]
    assert run["automationDetails"]["id"] == "mllint/"
    assert run["invocations"][0]["executionSuccessful"] is True
    codes = {r["ruleId"] for r in run["results"]}
    assert [rule["id"] for rule in driver["rules"]] == sorted(codes)
    for result in run["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] == rule["defaultConfiguration"]["level"]
        assert result["message"]["text"]
        assert set(result["locations"][0]["physicalLocation"]["region"]) == {
            "startLine",
            "startColumn",
            "endLine",
            "endColumn",
        }
        assert result["partialFingerprints"]["mllint/v1"]


def test_rule_metadata_comes_from_the_rule_docs() -> None:
    from mllint.rules import RULES_BY_CODE

    log = sarif("fixtures/sarif_cases")
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {"ML000", "ML101"}
    rule = rules["ML101"]
    doc = RULES_BY_CODE["ML101"].doc()
    assert rule["name"] == "constant-condition"
    assert rule["shortDescription"]["text"] == RULES_BY_CODE["ML101"].message
    assert rule["fullDescription"]["text"] == doc.what
    assert "## Why is this bad?" in rule["help"]["markdown"]
    assert "```python" in rule["help"]["markdown"]
    assert "```" not in rule["help"]["text"] and doc.why in rule["help"]["text"]
    assert rule["helpUri"].endswith("#ml101-constant-condition")
    assert rule["properties"]["tags"] == list(RULES_BY_CODE["ML101"].tags)
    assert rule["properties"]["precision"] == "high"
    assert rule["properties"]["problem.severity"] == "warning"
    assert rules["ML000"]["defaultConfiguration"]["level"] == "error"


def test_parse_error_is_a_result_and_a_notification(validator: Draft4Validator) -> None:
    log = sarif("fixtures/sarif_cases/parse_error.py")
    assert errors(validator, log) == []
    run = log["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "ML000" and result["level"] == "error"
    assert "never closed" in result["message"]["text"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True  # one bad file does not fail the run
    (note,) = invocation["toolExecutionNotifications"]
    assert note["associatedRule"] == {"id": "ML000", "index": 0}
    location = note["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "fixtures/sarif_cases/parse_error.py"
    assert location["region"]["startLine"] == 4


def test_columns_count_utf16_code_units(validator: Draft4Validator) -> None:
    log = sarif("fixtures/sarif_cases/non_ascii.py")
    assert errors(validator, log) == []
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    # line 6: `banner = ("🔥🔥", "größe" if False else "size")`; the ternary starts at code
    # point 17 and ends before code point 45; each emoji before it is two UTF-16 units.
    assert regions[0] == {"startLine": 6, "startColumn": 19, "endLine": 6, "endColumn": 47}
    # line 11: `if 0:` with non-ASCII only after the finding: columns unchanged.
    assert regions[1] == {"startLine": 11, "startColumn": 5, "endLine": 11, "endColumn": 9}
    line = (CASES / "non_ascii.py").read_text(encoding="utf-8").splitlines()[5]
    units = line.encode("utf-16-le")
    flagged = units[(19 - 1) * 2 : (47 - 1) * 2].decode("utf-16-le")
    assert flagged == '"größe" if False else "size"'


def test_uris_are_relative_percent_encoded_and_slash_separated(
    validator: Draft4Validator,
) -> None:
    log = sarif("fixtures/sarif_cases")
    assert errors(validator, log) == []
    (result,) = results_in(log, "experiment.py")
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "fixtures/sarif_cases/old%20experiment.py", "uriBaseId": "%SRCROOT%"}
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")


def test_a_run_without_findings_is_valid(validator: Draft4Validator) -> None:
    log = sarif("fixtures/sarif_cases/clean", exit_code=0)
    assert errors(validator, log) == []
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert "toolExecutionNotifications" not in run["invocations"][0]


def test_suppressed_findings_are_left_out() -> None:
    log = sarif("fixtures/sample_project/sample_project/evaluate.py")
    lines = [
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in log["runs"][0]["results"]
    ]
    assert 57 in lines
    assert 63 not in lines and 92 not in lines  # silenced by noqa comments


def test_missing_path_makes_the_execution_unsuccessful(validator: Draft4Validator) -> None:
    log = sarif("fixtures/sarif_cases/clean", "no/such/dir", exit_code=2)
    assert errors(validator, log) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any(
        "no/such/dir" in n["message"]["text"] for n in invocation["toolExecutionNotifications"]
    )


def test_category_sets_the_automation_id() -> None:
    log = sarif("fixtures/sarif_cases/clean", "--category", "ml/backend", exit_code=0)
    assert log["runs"][0]["automationDetails"]["id"] == "ml/backend/"


def test_git_provenance_and_repository_relative_uris(
    tmp_path: Path, validator: Draft4Validator
) -> None:
    repo = tmp_path / "repo"
    (repo / "src" / "pkg").mkdir(parents=True)
    (repo / "src" / "pkg" / "exp.py").write_text("if False:\n    pass\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "trunk")
    git(repo, "remote", "add", "origin", "https://bot:s3cret@github.com/acme/models.git")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    head = git(repo, "rev-parse", "HEAD")
    # Linted from a subfolder: the URI is still relative to the repository root.
    log = sarif("pkg", cwd=repo / "src")
    assert errors(validator, log) == []
    run = log["runs"][0]
    (provenance,) = run["versionControlProvenance"]
    assert provenance["repositoryUri"] == "https://github.com/acme/models.git"
    assert provenance["revisionId"] == head
    assert provenance["branch"] == "trunk"
    assert provenance["mappedTo"] == {"uriBaseId": "%SRCROOT%"}
    assert "s3cret" not in json.dumps(log)
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "src/pkg/exp.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_outside_git_there_is_no_provenance(tmp_path: Path, validator: Draft4Validator) -> None:
    (tmp_path / "exp.py").write_text("if False:\n    pass\n", encoding="utf-8")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", "--format", "sarif", "--no-cache", "."],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    assert errors(validator, log) == []
    assert "versionControlProvenance" not in log["runs"][0]
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "exp.py"


def test_without_a_git_executable_nothing_crashes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "exp.py").write_text("if False:\n    pass\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")  # with git, this run would have provenance
    assert "versionControlProvenance" in sarif(".", cwd=repo)["runs"][0]
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    env.pop("GIT_PYTHON_GIT_EXECUTABLE", None)
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", "--format", "sarif", "--no-cache", "."],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    log = json.loads(done.stdout)
    assert "versionControlProvenance" not in log["runs"][0]
    assert log["runs"][0]["results"][0]["ruleId"] == "ML101"


def test_a_file_outside_the_root_stays_relative(tmp_path: Path, validator: Draft4Validator) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    outside = tmp_path / "elsewhere.py"
    outside.write_text("if False:\n    pass\n", encoding="utf-8")
    log = sarif(str(outside), cwd=repo)
    assert errors(validator, log) == []
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "../elsewhere.py", "uriBaseId": "%SRCROOT%"}


def test_include_suppressed_marks_each_kind(tmp_path: Path, validator: Draft4Validator) -> None:
    project = FIXTURES / "sample_project"
    baseline = tmp_path / "base.json"
    model = project / "sample_project" / "model.py"
    # A baseline holding only model.py's finding.
    CliRunner().invoke(main, ["check", "--no-cache", "--write-baseline", str(baseline), str(model)])
    log = sarif("--include-suppressed", "--baseline", str(baseline), ".", cwd=project)
    assert errors(validator, log) == []
    kinds = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[-1],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        ): [s["kind"] for s in r.get("suppressions", [])]
        for r in log["runs"][0]["results"]
    }
    assert kinds[("evaluate.py", 57)] == []
    assert kinds[("evaluate.py", 63)] == ["inSource"]  # silenced in the source
    assert kinds[("evaluate.py", 92)] == ["inSource"]
    assert kinds[("test_model.py", 42)] == ["external"]  # per-file-ignores
    assert kinds[("model.py", 65)] == ["external"]  # the baseline
    assert ("scratch_01.py", 39) not in kinds  # excluded files are not linted at all
    plain = sarif("--baseline", str(baseline), ".", cwd=project)
    assert all("suppressions" not in r for r in plain["runs"][0]["results"])
    suppressed = sum(1 for marks in kinds.values() if marks)
    assert suppressed >= 4
    assert len(plain["runs"][0]["results"]) == len(kinds) - suppressed


# -- what GitHub shows: ages and related locations in the message text -------------------------

REFERENCE_DATE = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW
STALE_CONFIG = "USE_OLD_HEAD = False\n"
STALE_TRAIN = (
    "from pkg.config import USE_OLD_HEAD\n"
    "\n"
    "def legacy_head(n):\n"
    "    return n\n"
    "\n"
    "def head(n):\n"
    "    if USE_OLD_HEAD:\n"
    "        return legacy_head(n)\n"
    "    return n + 1\n"
    "\n"
    "def other(n):\n"
    "    if USE_OLD_HEAD:\n"
    "        n = legacy_head(n)\n"
    "    return n\n"
)


def _stale_repository(root: Path) -> Path:
    from tests.gitrepo import GitRepo

    repo = GitRepo(root)
    repo.commit({"pkg/__init__.py": "", "pkg/config.py": STALE_CONFIG}, 412)
    repo.commit({"pkg/train.py": STALE_TRAIN}, 30)
    return repo.root


def _links(text: str) -> List[int]:
    import re

    return [int(n) for n in re.findall(r"(?<!\\)\]\((\d+)\)", text)]


def test_flag_findings_say_their_age_and_link_related_locations(
    tmp_path: Path, validator: Draft4Validator
) -> None:
    root = _stale_repository(tmp_path / "repo")
    log = sarif(".", REFERENCE_DATE, cwd=root / "pkg")
    assert errors(validator, log) == []
    results = log["runs"][0]["results"]
    branches = [r for r in results if r["ruleId"] == "ML102"]
    assert len(branches) == 2
    for branch in branches:
        text = branch["message"]["text"]
        # GitHub does not show properties: the age is in the text
        assert "(introduced 412 days ago)" in text, text
        assert branch["properties"]["ageDays"] == 412
        (related,) = branch["relatedLocations"]
        assert related["id"] == 1
        location = related["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "pkg/config.py", "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": 1,
            "startColumn": 1,
            "endLine": 1,
            "endColumn": 13,
        }
        assert related["message"]["text"] == "definition of `USE_OLD_HEAD = False`"
        assert text.endswith("Definition of `USE_OLD_HEAD = False`: [pkg/config.py:1](1).")
    (dead,) = [r for r in results if r["ruleId"] == "ML106"]
    assert dead["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    references = dead["relatedLocations"]
    assert [r["id"] for r in references] == [1, 2]
    assert [r["physicalLocation"]["region"]["startLine"] for r in references] == [8, 13]
    assert all(
        r["physicalLocation"]["artifactLocation"]["uri"] == "pkg/train.py" for r in references
    )
    assert "[pkg/train.py:8](1), [pkg/train.py:13](2)." in dead["message"]["text"]
    assert "(introduced 412 days ago)" in dead["message"]["text"]
    # every embedded link names a related location of its result (SARIF 2.1.0 §3.11.6)
    for result in results:
        ids = {r["id"] for r in result.get("relatedLocations", [])}
        assert set(_links(result["message"]["text"])) == ids
    # ML301 says the age in its own words, once
    for stale in (r for r in results if r["ruleId"] == "ML301"):
        assert "(introduced" not in stale["message"]["text"]


def test_related_locations_do_not_change_fingerprints(tmp_path: Path) -> None:
    """A baseline written before related locations existed still matches: the fingerprint of
    a finding is the same with and without them, in SARIF and in JSON."""
    from mllint.fingerprint import SourceLines, fingerprints
    from mllint.model import Finding, RelatedLocation, Severity, Span

    root = _stale_repository(tmp_path / "repo")
    log = sarif(".", cwd=root)
    by_rule = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    dead = by_rule["ML106"]
    finding = Finding(
        path=str(root / "pkg" / "train.py"),
        span=Span(3, 1, 3, 20),
        code="ML106",
        name="dead-experiment-code",
        message="anything",
        severity=Severity.WARNING,
    )
    related = RelatedLocation(str(root / "pkg" / "train.py"), Span(8, 16, 8, 27), "reference")
    with_related = Finding(**{**finding.__dict__, "related": (related,)})
    prints = fingerprints([finding, with_related], root, SourceLines())
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    assert dead["partialFingerprints"]["mllint/v1"].split(":")[0] == prints[0].split(":")[0]
    from tests.conftest import invoke

    run = invoke(["check", "--no-cache", "--format", "json", "."], root)
    json_prints = {f["code"]: f["fingerprint"] for f in json.loads(run.stdout)}
    assert json_prints["ML106"] == dead["partialFingerprints"]["mllint/v1"]


def test_square_brackets_in_messages_are_escaped(
    tmp_path: Path, validator: Draft4Validator
) -> None:
    (tmp_path / "exp.py").write_text("if []:\n    pass\n", encoding="utf-8")
    log = sarif(".", cwd=tmp_path)
    assert errors(validator, log) == []
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"] == "`if \\[\\]` is never true: its body is dead code"
    assert _links(result["message"]["text"]) == []


def _multitool() -> Path:
    folder = Path(os.environ.get("SARIF_MT_DIR", "/tmp/sarif-multitool"))
    return folder / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


@pytest.mark.skipif(
    not _multitool().is_file() or not (REPO.parent / "shared/sarif/validate.sh").is_file(),
    reason="the SARIF multitool (../shared/sarif/validate.sh) is not installed",
)
def test_related_locations_pass_githubs_validator(tmp_path: Path) -> None:
    root = _stale_repository(tmp_path / "repo")
    log = sarif(".", REFERENCE_DATE, cwd=root)
    assert any("relatedLocations" in r for r in log["runs"][0]["results"])
    target = tmp_path / "related.sarif"
    target.write_text(json.dumps(log), encoding="utf-8")
    done = subprocess.run(
        ["bash", str(REPO.parent / "shared/sarif/validate.sh"), str(target)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
