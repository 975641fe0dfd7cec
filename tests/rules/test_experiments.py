"""ML107 unexercised-flag through the real CLI, with launch files beside the code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.rules.test_flags import lint, places, write

TRAIN = (
    "import argparse, os\np = argparse.ArgumentParser()\n"
    "p.add_argument('--use-old-sched', action='store_true')\n"
    "p.add_argument('--exp-loss', choices=['focal', 'ce'], default='ce')\n"
    "p.add_argument('--use-tpu', action='store_true')\n"
    "args = p.parse_args()\n"
    "if args.use_old_sched or args.exp_loss == 'focal' or args.use_tpu:\n    a()\n"
    "if os.environ.get('NEW_RANKER') == '1':\n    b()\n"
)


def test_switches_never_chosen_are_reported_at_their_definition(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": TRAIN, "README.md": "# Train\n\n```sh\npython train.py\n```\n"})
    found = lint(tmp_path, "ML107")
    assert places(found) == [("train.py", 3), ("train.py", 4), ("train.py", 9)]
    assert [f["properties"]["flag"] for f in found] == ["use_old_sched", "exp_loss", "NEW_RANKER"]
    assert found[0]["properties"]["searched"] == {"docs": 1, "python": 1}
    assert found[0]["severity"] == "note"


@pytest.mark.parametrize(
    "files",
    [
        {
            "README.md": "```sh\nNEW_RANKER=1 python train.py --use-old-sched "
            "--exp-loss focal\n```\n"
        },
        {"scripts/run.sh": "NEW_RANKER=1 python train.py --use_old_sched --exp-loss=focal\n"},
        {"configs/a.yaml": "use_old_sched: true\nexp_loss: focal\n", "Makefile": "NEW_RANKER"},
        {
            "tests/test_train.py": "import os\ndef test_it(monkeypatch):\n"
            "    monkeypatch.setenv('NEW_RANKER', '1')\n"
            "    run(['--use-old-sched', '--exp-loss', 'focal'])\n"
        },
    ],
)
def test_a_switch_chosen_anywhere_is_not_reported(tmp_path: Path, files: dict) -> None:
    write(tmp_path, {"train.py": TRAIN, **files})
    assert lint(tmp_path, "ML107") == []


def test_preview_rule_runs_only_when_selected_by_its_code(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": TRAIN})
    assert [f for f in lint(tmp_path, "ML1") if f["code"] == "ML107"] == []
    assert len(lint(tmp_path, "ML103", "--extend-select", "ML107")) >= 3


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_launch_files_behind_links_out_of_the_root_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"run.sh": "python train.py --use-old-sched --exp-loss focal NEW_RANKER\n"})
    repo = tmp_path / "repo"
    write(repo, {"train.py": TRAIN, "pyproject.toml": "[tool.mllint]\n"})
    os.symlink(outside, repo / "scripts")
    os.symlink(outside / "run.sh", repo / "run.sh")
    assert len(lint(repo, "ML107")) == 3
