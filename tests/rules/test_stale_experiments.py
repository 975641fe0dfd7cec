"""ML301 ages experiment switches only, environment variables included (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.conftest import CliCaller
from tests.gitrepo import GitRepo

REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW


@pytest.fixture(autouse=True)
def _own_key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _stale(cli: CliCaller, root: Path) -> List[Dict[str, Any]]:
    run = cli("check", ".", "--no-cache", "--format", "json", REF, cwd=root)
    assert run.exit_code in (0, 1), run.stderr
    return [f for f in json.loads(run.stdout) if f["code"] == "ML301"]


def test_an_env_flag_read_through_a_module_constant_is_aged(tmp_path: Path, cli: CliCaller) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        {
            "run.py": "import os\nUSE_NEW_RANKER = os.environ.get('RANKER_V2') == '1'\n"
            "if USE_NEW_RANKER:\n    a()\n"
        },
        300,
    )
    stale = _stale(cli, repo.root)
    assert [(f["path"], f["properties"]["flag"]) for f in stale] == [("run.py", "RANKER_V2")]
    assert stale[0]["properties"]["ageDays"] >= 300


def test_options_that_are_not_experiment_switches_are_not_aged(
    tmp_path: Path, cli: CliCaller
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        {
            "main.py": "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--weight-decay', type=float)\n"
            "p.add_argument('--use-tpu', action='store_true')\n"
            "p.add_argument('--use-old-sched', action='store_true')\n"
            "args = p.parse_args()\n"
        },
        300,
    )
    run = cli("check", ".", "--no-cache", "--format", "json", REF, cwd=repo.root)
    unused = [f["properties"]["flag"] for f in json.loads(run.stdout) if f["code"] == "ML104"]
    assert sorted(unused) == ["use_old_sched", "use_tpu", "weight_decay"]
    assert [f["properties"]["flag"] for f in _stale(cli, repo.root)] == ["use_old_sched"]
