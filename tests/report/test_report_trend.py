"""The trend of ``mllint report``: figures at sampled commits of a real repository with
back-dated commits, read through git without touching the work tree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.conftest import run_subprocess
from tests.report.report_history import REF, TRAIN_V4, build


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    root = tmp_path_factory.mktemp("trend") / "project"
    commits = build(root)
    return {"root": root, "commits": commits}


def _report(root: Path, *args: str) -> Dict[str, Any]:
    done = run_subprocess(
        ["report", "--format", "json", REF, "--max-age-days", "90", *args], cwd=root
    )
    assert done.exit_code == 0, done.stderr
    data: Dict[str, Any] = json.loads(done.stdout)
    return data


def _by_commit(trend: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {p["commit"]: p for p in trend}


def test_trend_shows_flags_added_and_removed_at_their_commits(history_repo: Dict[str, Any]) -> None:
    root, commits = history_repo["root"], history_repo["commits"]
    data = _report(root, "--history", "1y", "--points", "12")
    trend = data["trend"]
    points = _by_commit(trend)
    # every commit of the year is a point (and the one before the year, for the start)
    assert list(points) == list(commits.values())
    assert [p["date"] for p in trend] == sorted(p["date"] for p in trend)

    first = points[commits["added mixup"]]
    assert first["flags_alive"] == 1 and first["dead_arms"] == 1 and first["dead_lines"] == 1
    assert first["stale_experiments"] == 0  # USE_MIXUP is new here

    added = points[commits["new loss and cutmix"]]
    assert added["flags_added"] == ["argparse:use_cutmix", "constant:ENABLE_NEW_LOSS"]
    assert added["flags_removed"] == []
    assert added["flags_alive"] == 3 and added["experiments_alive"] == 1
    assert added["stale_experiments"] == 1  # USE_MIXUP is 100 days old by then

    removed = points[commits["mixup removed"]]
    assert removed["flags_removed"] == ["constant:USE_MIXUP"]
    assert removed["flags_added"] == []
    assert removed["dead_arms"] == 0 and removed["dead_lines"] == 0
    assert removed["stale_experiments"] == 1  # use_cutmix, 200 days old

    last = points[commits["dead code"]]
    assert last["dead_arms"] == 1 and last["dead_lines"] == 3
    assert last["flags_alive"] == 2
    assert last["glue_ratio"] == data["figures"]["glue_ratio"]


def test_history_window_starts_at_the_tree_as_it_was(history_repo: Dict[str, Any]) -> None:
    root, commits = history_repo["root"], history_repo["commits"]
    trend = _report(root, "--history", "200d", "--points", "4")["trend"]
    shas = [p["commit"] for p in trend]
    # the window opens 200 days ago: the tree then was the one of the 300-day-old commit
    assert shas == [commits["new loss and cutmix"], commits["mixup removed"], commits["dead code"]]


def test_commit_range(history_repo: Dict[str, Any]) -> None:
    root, commits = history_repo["root"], history_repo["commits"]
    span = f"{commits['added mixup']}..{commits['mixup removed']}"
    trend = _report(root, "--commits", span)["trend"]
    assert [p["commit"] for p in trend] == [
        commits["new loss and cutmix"],
        commits["mixup removed"],
    ]
    assert trend[1]["flags_removed"] == ["constant:USE_MIXUP"]


def test_work_tree_is_never_touched(tmp_path: Path) -> None:
    root = tmp_path / "project"
    commits = build(root)
    train = root / "pkg" / "train.py"
    # uncommitted work: the dead code removed again
    dirty = TRAIN_V4.replace("    if False:\n", "    if x is None:\n")
    train.write_text(dirty, encoding="utf-8")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    index = (root / ".git" / "index").read_bytes()
    data = _report(root, "--history", "1y", "--points", "6", "--no-cache")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert before == after
    assert (root / ".git" / "index").read_bytes() == index
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert head == commits["dead code"]
    # the headline is the work tree, the last point of the trend the committed HEAD
    assert data["figures"]["dead_arms"] == 0
    assert data["trend"][-1]["commit"] == head and data["trend"][-1]["dead_arms"] == 1


def test_blobs_are_reused_by_content(tmp_path: Path) -> None:
    """Each distinct blob is analysed once; a second run finds them all in the cache."""
    from datetime import datetime, timezone

    from mllint.config import load_settings
    from mllint.history import Repository
    from mllint.report.trend import CommitAnalyser, select_commits

    root = tmp_path / "project"
    build(root)
    settings = load_settings(None, root)
    repo = Repository.find(root)
    assert repo is not None
    now = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    commits = select_commits(repo, history_days=365, commits=None, points=24, now=now)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        first = CommitAnalyser(repo, settings, [""], jobs=1, use_cache=True)
        for commit in commits:
            first.snapshot(commit)
        # 3 files at 4 commits: __init__.py never changes, config.py 3 versions, train.py 4
        assert first.analysed == 1 + 3 + 4
        second = CommitAnalyser(repo, settings, [""], jobs=1, use_cache=True)
        for commit in commits:
            second.snapshot(commit)
        assert second.analysed == 0
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history", "soon"], "not a period"),
        (["--commits", "nope..HEAD"], "git"),
        (["--since", "no-such-ref"], "--since no-such-ref"),
        (["--since", "--output=x"], "not a commit"),
        (["--history", "1y", "--commits", "HEAD~1..HEAD"], "exclude each other"),
    ],
)
def test_bad_history_options_exit_2(
    history_repo: Dict[str, Any], args: List[str], message: str
) -> None:
    done = run_subprocess(["report", "--format", "json", *args], cwd=history_repo["root"])
    assert done.exit_code == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_outside_git_the_report_says_there_is_no_trend(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("USE_X = False\nif USE_X:\n    pass\n", encoding="utf-8")
    done = run_subprocess(["report", "--format", "json", "--history", "1y"], cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["trend"] == []
    assert any("No git history" in n for n in data["notes"])
    assert data["figures"]["dead_arms"] == 1
