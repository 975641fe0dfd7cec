"""Ages through the real CLI on real repositories with back-dated commits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.conftest import CliCaller
from tests.gitrepo import GitRepo


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW

CONFIG = "USE_NEW_LOSS = {value}\nBATCH_SIZE = 64\n"
TRAIN = (
    "import argparse\n"
    "from pkg.config import USE_NEW_LOSS\n"
    "\n"
    "def main():\n"
    "    parser = argparse.ArgumentParser()\n"
    '    parser.add_argument("--use-mixup", action="store_true")\n'
    "    args = parser.parse_args()\n"
    "    if USE_NEW_LOSS:\n"
    "        return 1\n"
    "    if args.use_mixup:\n"
    "        return 2\n"
    "    return 0\n"
)


def _project(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.commit({"pkg/__init__.py": "", "pkg/config.py": CONFIG.format(value="True")}, 400)
    repo.commit({"pkg/train.py": TRAIN}, 200)
    repo.commit({"pkg/config.py": CONFIG.format(value="False")}, 10)
    return repo


def _json(cli: CliCaller, cwd: Path, *args: str) -> List[Dict[str, Any]]:
    run = cli("check", ".", "--no-cache", "--format", "json", REF, *args, cwd=cwd)
    assert run.exit_code == 1, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _by_code(findings: List[Dict[str, Any]], code: str) -> List[Dict[str, Any]]:
    return [f for f in findings if f["code"] == code]


def test_introduced_400_days_ago_edited_10_days_ago(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    findings = _json(cli, repo.root)
    (stale_branch,) = _by_code(findings, "ML102")
    assert stale_branch["properties"]["flag"] == "USE_NEW_LOSS"
    assert stale_branch["properties"]["ageDays"] == 400
    assert stale_branch["properties"]["introducedDate"].startswith("2025-04-27T12:00:00")
    stale = {f["properties"]["flag"]: f for f in _by_code(findings, "ML301")}
    assert set(stale) == {"USE_NEW_LOSS", "use_mixup"}
    definition = stale["USE_NEW_LOSS"]
    assert (definition["path"], definition["line"]) == ("pkg/config.py", 1)
    assert definition["properties"]["ageDays"] == 400
    # the definition's line was last edited 10 days ago
    assert definition["properties"]["lastModifiedDate"].startswith("2026-05-22T12:00:00")
    assert (
        definition["properties"]["introducedCommit"]
        == repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    )
    assert "400 days ago (2025-04-27)" in definition["message"]
    mixup = stale["use_mixup"]
    assert (mixup["path"], mixup["line"], mixup["properties"]["ageDays"]) == (
        "pkg/train.py",
        6,
        200,
    )


def test_text_output_appends_the_age_with_show_ages(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    run = cli("check", ".", "--no-cache", REF, cwd=repo.root)
    line = next(x for x in run.stdout.splitlines() if " ML102 " in x)
    assert "introduced" not in line  # quiet by default: ML301 says how old the flag is
    assert "pkg/config.py:1:1: ML301 Experiment flag `USE_NEW_LOSS`" in run.stdout
    run = cli("check", ".", "--no-cache", "--show-ages", REF, cwd=repo.root)
    line = next(x for x in run.stdout.splitlines() if " ML102 " in x)
    assert line.endswith("(introduced 400 days ago)")


def test_max_age_days(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    findings = _json(cli, repo.root, "--max-age-days", "300")
    assert [f["properties"]["flag"] for f in _by_code(findings, "ML301")] == ["USE_NEW_LOSS"]
    (repo.root / "pyproject.toml").write_text("[tool.mllint]\nmax-age-days = 500\n")
    assert _by_code(_json(cli, repo.root), "ML301") == []


def test_flag_moved_to_another_file_keeps_its_introduction(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    moved = "# experiment switches\nBATCH_SIZE = 64\nUSE_NEW_LOSS = False\n"
    repo.commit({"pkg/config.py": None, "pkg/settings.py": moved}, 3)
    repo.commit({"pkg/train.py": TRAIN.replace("pkg.config", "pkg.settings")}, 2)
    findings = _json(cli, repo.root)
    stale = {f["properties"]["flag"]: f for f in _by_code(findings, "ML301")}
    assert (stale["USE_NEW_LOSS"]["path"], stale["USE_NEW_LOSS"]["line"]) == ("pkg/settings.py", 3)
    assert stale["USE_NEW_LOSS"]["properties"]["ageDays"] == 400


def test_uncommitted_and_untracked_code_is_age_zero(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    repo.write({"pkg/new.py": "import os\nif os.environ.get('NEW_RANKER'):\n    pass\n"})
    findings = _json(cli, repo.root)
    (ranker,) = [f for f in _by_code(findings, "ML103") if f["path"] == "pkg/new.py"]
    assert ranker["properties"]["ageDays"] == 0
    assert ranker["properties"]["introducedCommit"] is None
    assert "NEW_RANKER" not in {f["properties"]["flag"] for f in _by_code(findings, "ML301")}


def test_shallow_clone_marks_lower_bounds(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    findings = _json(cli, clone)
    (branch,) = _by_code(findings, "ML102")
    assert branch["properties"]["ageIsLowerBound"] is True
    assert branch["properties"]["ageDays"] == 10
    assert _by_code(findings, "ML301") == []  # 10 days is all the clone can prove
    full = _json(cli, repo.root)
    assert _by_code(full, "ML102")[0]["properties"]["ageIsLowerBound"] is False


def test_outside_git_and_no_git_give_no_ages_and_no_error(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    for findings in (_json(cli, repo.root, "--no-git"),):
        assert _by_code(findings, "ML301") == []
        assert all("ageDays" not in f["properties"] for f in findings)
    plain = tmp_path / "plain"
    shutil.copytree(repo.root / "pkg", plain / "pkg")
    findings = _json(cli, plain)
    assert _by_code(findings, "ML301") == [] and all(
        "ageDays" not in f["properties"] for f in findings
    )


def test_repository_root_above_the_linted_folder_and_odd_names(
    cli: CliCaller, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"sub dir/-x.py": "EXP_A = False\nif EXP_A:\n    pass\n"}, 120)
    run = cli(
        "check", "--no-cache", "--format", "json", REF, "--", "-x.py", cwd=repo.root / "sub dir"
    )
    findings = json.loads(run.stdout)
    assert {f["code"] for f in findings} == {"ML102", "ML301"}
    assert all(f["properties"]["ageDays"] == 120 for f in findings)


def test_detached_head(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    findings = _json(cli, repo.root)
    # at HEAD~1 USE_NEW_LOSS is True and its `if` has no dead arm: only the option is stale
    (stale,) = _by_code(findings, "ML301")
    assert stale["properties"]["flag"] == "use_mixup" and stale["properties"]["ageDays"] == 200


def test_no_git_executable_on_path(tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    assert shutil.which("git", path=env["PATH"]) is None
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", ".", "--no-cache", "--format", "json"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    findings = json.loads(done.stdout)
    assert findings and all("ageDays" not in f["properties"] for f in findings)


def test_flags_inventory_has_ages(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    run = cli("flags", ".", "--no-cache", "--format", "json", REF, cwd=repo.root)
    flags = {f["name"]: f for f in json.loads(run.stdout)}
    assert flags["USE_NEW_LOSS"]["age_days"] == 400
    assert flags["USE_NEW_LOSS"]["introduced_date"].startswith("2025-04-27")
    assert flags["USE_NEW_LOSS"]["last_modified_date"].startswith("2026-05-22")
    assert flags["use_mixup"]["age_days"] == 200
    text = cli("flags", ".", "--no-cache", REF, cwd=repo.root).stdout
    assert "AGE" in text.splitlines()[0] and "400d" in text
    bare = json.loads(
        cli("flags", ".", "--no-cache", "--no-git", "--format", "json", cwd=repo.root).stdout
    )
    assert all(f["age_days"] is None for f in bare)


def test_git_answers_are_cached(cli: CliCaller, tmp_path: Path) -> None:
    repo = _project(tmp_path / "r")
    first = cli("check", ".", "--format", "json", REF, cwd=repo.root).stdout
    cache = list((repo.root / ".mllint_cache").rglob("git/*.json"))
    assert any(p.name.startswith("blame-") for p in cache)
    assert any(p.name.startswith("intro-") for p in cache)
    assert cli("check", ".", "--format", "json", REF, cwd=repo.root).stdout == first


def test_aged_findings_are_not_also_listed_as_silenced(tmp_path: Path) -> None:
    from datetime import timezone

    from mllint.ages import History
    from mllint.config import Settings
    from mllint.engine import run_check
    from mllint.history import Repository
    from tests.gitrepo import NOW

    repo = _project(tmp_path / "r")
    found = Repository.find(repo.root)
    assert found is not None
    history = History(found, NOW.astimezone(timezone.utc), 90)
    result = run_check(
        [repo.root], Settings(root=str(repo.root)), jobs=1, use_cache=False, history=history
    )
    assert result.findings and all("ageDays" in f.properties for f in result.findings)
    assert result.silenced == ()
