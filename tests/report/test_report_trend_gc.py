"""The trend analyses past file versions with the collector tuned as ``check`` tunes it: a
forked worker that keeps the default thresholds spends a quarter of its time collecting
LibCST's short-lived nodes, which made the trend cost more than three cold checks."""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
from pathlib import Path
from typing import List, Tuple

import pytest

from mllint import glue
from mllint.config import Settings
from mllint.engine import _GC_THRESHOLD
from mllint.history import Repository
from mllint.report import trend
from tests.report.report_history import build

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)


def _threshold() -> Tuple[int, int, int]:
    return gc.get_threshold()


def test_trend_workers_tune_the_collector_as_check_does() -> None:
    default = gc.get_threshold()
    assert default != _GC_THRESHOLD  # the workers must not merely inherit ours
    pool = concurrent.futures.ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=trend._init_worker,
        initargs=(glue.active_options(),),
    )
    with pool:
        assert pool.submit(_threshold).result(timeout=120) == _GC_THRESHOLD


def test_trend_analyses_in_process_with_the_collector_tuned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: List[Tuple[int, int, int]] = []
    analyse = trend._analyse_chunk

    def spy(items: List[Tuple[str, str, bytes]], max_size: int, rules: object = None) -> object:
        seen.append(gc.get_threshold())
        return analyse(items, max_size)

    monkeypatch.setattr(trend, "_analyse_chunk", spy)
    before = gc.get_threshold()
    results = trend.analyse_sources([("k", "/x/a.py", b"x = 1\n")], 1, 1 << 20)
    assert seen == [_GC_THRESHOLD]
    assert gc.get_threshold() == before  # given back afterwards
    assert results["k"].lines == 1


def test_trend_points_keep_their_figures_and_give_the_collector_back(tmp_path: Path) -> None:
    root = tmp_path / "project"
    commits = build(root)
    repo = Repository.find(root)
    assert repo is not None
    settings = Settings(root=str(root))
    listed = trend.first_parent_commits(repo, "HEAD")
    before = gc.get_threshold()
    points = trend.compute_trend(
        trend.CommitAnalyser(repo, settings, [""], jobs=1, use_cache=False), listed, str, 90
    )
    assert gc.get_threshold() == before
    assert [p.commit.sha for p in points] == list(commits.values())
    alive = [p["flags_alive"] for p in trend.trend_json(points)]
    assert alive[0] == 1 and max(alive) == 3
