"""Trend points run only the per-file rules the series reads (ML101, ML201's glue counts, the
flag facts): the series is the one a full analysis of every point gives, and the partial
results are cached apart, so that ``check`` never takes one for a full result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import pytest

from mllint.config import Settings
from mllint.history import Repository, first_parent_commits
from mllint.report.trend import TREND_FILE_RULES, CommitAnalyser, compute_trend, trend_json
from mllint.rules import FILE_RULES
from tests.conftest import run_subprocess
from tests.gitrepo import GitRepo
from tests.report.report_history import REF, build

# Findings of the rules a trend point leaves out (ML204, ML105, ML202) and a noqa'd dead arm:
# what the series must not be changed by.
IO_V1 = """\
import json

import numpy as np


def roundtrip(record):
    return json.loads(json.dumps(record))


def scale(x):
    # y = np.log(x)
    # return y * 2
    if False:  # noqa: ML101
        x = x[::-1]
    return np.mean(x) * 3


def train_step(model, batch, path):
    with open(path) as handle:
        meta = json.load(handle)
    print(meta)
    print(json.dumps(meta))
    record = {"k": str(meta)}
    with open(path + ".out", "w") as handle:
        json.dump(record, handle)
    return model(batch)
"""
IO_V2 = IO_V1.replace(
    "    return np.mean(x) * 3\n", "    if False:\n        x = x + 1\n    return x\n"
)


@pytest.fixture(scope="module")
def repo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trend-rules") / "project"
    build(root)
    repo = GitRepo(root)
    repo.commit({"pkg/blocks.py": IO_V1}, days_ago=8, message="blocks")
    repo.commit({"pkg/blocks.py": IO_V2}, days_ago=5, message="blocks v2")
    return root


def _series(
    root: Path, figures_only: bool, shas: Optional[List[str]] = None
) -> List[Dict[str, Any]]:
    """The trend at every commit (or at ``shas``)."""
    repo = Repository.find(root)
    assert repo is not None
    analyser = CommitAnalyser(
        repo, Settings(root=str(root)), [""], jobs=1, use_cache=False, figures_only=figures_only
    )
    commits = first_parent_commits(repo, "HEAD")
    if shas is not None:
        commits = [c for c in commits if c.sha in shas]
    return trend_json(compute_trend(analyser, commits, str, 90))


def _codes_at(root: Path, figures_only: bool) -> Set[str]:
    repo = Repository.find(root)
    assert repo is not None
    settings = Settings(root=str(root), extend_select=("ML204",))  # a preview rule
    analyser = CommitAnalyser(
        repo, settings, [""], jobs=1, use_cache=False, figures_only=figures_only
    )
    first = first_parent_commits(repo, "HEAD")[-2]  # the first version
    return {f.code for f in analyser.snapshot(first).findings}


def test_trend_rules_are_a_strict_subset() -> None:
    names = {r.__name__ for r in TREND_FILE_RULES}
    assert names == {"ConstantCondition", "GlueHeavyModule", "FlagFacts"}
    assert set(TREND_FILE_RULES) < set(FILE_RULES)


def test_restricted_points_give_the_full_analysis_series(repo_root: Path) -> None:
    full = _codes_at(repo_root, figures_only=False)
    partial = _codes_at(repo_root, figures_only=True)
    # the point really ran fewer rules: the left-out ones had findings there
    assert {"ML105", "ML204"} <= full - partial
    assert {"ML101", "ML103"} <= partial
    restricted = _series(repo_root, figures_only=True)
    assert restricted == _series(repo_root, figures_only=False)
    assert len(restricted) == 6
    assert [p["dead_arms"] for p in restricted][-2:] == [1, 2]  # the suppressed arm not counted
    assert all(p["glue_ratio"] is not None for p in restricted)
    assert "findings" not in restricted[0]


def test_report_command_trend_matches_the_full_series(repo_root: Path) -> None:
    done = run_subprocess(
        ["report", "--format", "json", REF, "--no-cache", "--history", "2y", "--points", "24"],
        cwd=repo_root,
    )
    assert done.exit_code == 0, done.stderr
    trend = json.loads(done.stdout)["trend"]
    assert len(trend) >= 4
    assert trend == _series(repo_root, False, [p["commit"] for p in trend])


def test_partial_results_are_cached_apart_from_check(repo_root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    done = run_subprocess(
        [
            "report",
            "--format",
            "json",
            REF,
            "--cache-dir",
            str(cache),
            "--history",
            "2y",
            "--points",
            "300",
        ],
        cwd=repo_root,
    )
    assert done.exit_code == 0, done.stderr
    # the old version of blocks.py (a trend point's blob, analysed partially) back in the
    # work tree: check must find every finding in it, not the trend point's few
    target = repo_root / "pkg" / "blocks.py"
    current = target.read_text()
    try:
        target.write_text(IO_V1)
        preview = ["--extend-select", "ML204"]
        cached = run_subprocess(
            ["check", "--format", "json", "--cache-dir", str(cache), *preview, "pkg/blocks.py"],
            cwd=repo_root,
        )
        fresh = run_subprocess(
            ["check", "--format", "json", "--no-cache", *preview, "pkg/blocks.py"], cwd=repo_root
        )
    finally:
        target.write_text(current)
    codes = sorted(f["code"] for f in json.loads(cached.stdout))
    assert codes == sorted(f["code"] for f in json.loads(fresh.stdout))
    assert {"ML105", "ML204"} <= set(codes)
    # and a second report takes the trend points from the cache
    again = run_subprocess(
        [
            "report",
            "--format",
            "json",
            REF,
            "--cache-dir",
            str(cache),
            "--history",
            "2y",
            "--points",
            "300",
        ],
        cwd=repo_root,
    )
    assert json.loads(again.stdout)["trend"] == json.loads(done.stdout)["trend"]


def test_a_past_file_is_analysed_as_its_own_path_makes_it(tmp_path: Path) -> None:
    """The same bytes at a test path and elsewhere are analysed differently (ML204 is not
    reported in tests): a commit's file is not given the result of HEAD's file with the
    same content at another path."""
    repo = GitRepo(tmp_path / "project")
    content = IO_V1.replace("    if False:  # noqa: ML101\n        x = x[::-1]\n", "")
    preview = '[tool.mllint]\nextend-select = ["ML204"]\n'  # ML204 is a preview rule
    repo.commit(
        {"pyproject.toml": preview, "pkg/__init__.py": "", "pkg/test_blocks.py": content},
        days_ago=20,
    )
    repo.commit({"pkg/test_blocks.py": None, "pkg/mixing.py": content}, days_ago=10)
    done = run_subprocess(
        ["report", "--format", "json", REF, "--no-cache", "--since", "HEAD~1"], cwd=repo.root
    )
    assert done.exit_code == 0, done.stderr
    change = json.loads(done.stdout)["change"]
    removed = sorted((f["path"], f["code"]) for f in change["findings_removed"])
    added = sorted((f["path"], f["code"]) for f in change["findings_added"])
    assert removed == [("pkg/test_blocks.py", "ML105")]
    assert added == [("pkg/mixing.py", "ML105"), ("pkg/mixing.py", "ML204")]
