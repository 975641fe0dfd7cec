"""Acceptance of ``mllint retire`` (issue 14): the sample project of ``fixtures/`` keeps
passing its own tests after ``mllint retire use_new_loss=true``, and the change touches only
the lines of the experiment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

from tests.conftest import FIXTURES, run_subprocess

SAMPLE = FIXTURES / "experiment_project"

EXPERIMENT_LINES = [  # `git diff -U0` of the retirement: removed (-) and added (+) lines
    "-import os",
    "-",
    "-",
    "-# Experiment RANK-42: the focal loss instead of the log loss.",
    "-# Set RANKER_USE_NEW_LOSS=1 to try it.",
    '-USE_NEW_LOSS = os.environ.get("RANKER_USE_NEW_LOSS", "0") == "1"',
    "-from ranker import config",
    '-    loss_name = "focal_loss" if config.USE_NEW_LOSS else "log_loss"',
    '+    loss_name = "focal_loss"',
    "-from ranker.config import USE_NEW_LOSS",
    "-from ranker.losses import focal_loss, focal_weight, log_loss",
    "+from ranker.losses import focal_loss, focal_weight",
    "-        if USE_NEW_LOSS:",
    "-            return focal_loss(probs, labels)",
    "-        return log_loss(probs, labels)",
    "+        return focal_loss(probs, labels)",
    "-            if USE_NEW_LOSS:",
    "-                error *= focal_weight(p, y)  # easy examples barely move the weights",
    "+            error *= focal_weight(p, y)  # easy examples barely move the weights",
    "-    parser.add_argument(",
    '-        "--use-new-loss",',
    '-        action="store_true",',
    "-        default=config.USE_NEW_LOSS,",
    '-        help="Train with the focal loss (experiment RANK-42).",',
    "-    )",
    "-    if args.use_new_loss:",
    "-        lr *= 2.0  # the focal weights shrink every gradient",
    "+    lr *= 2.0  # the focal weights shrink every gradient",
]


def _git(root: Path, *args: str) -> str:
    env = dict(
        os.environ, GIT_AUTHOR_DATE="2026-06-01T12:00:00", GIT_COMMITTER_DATE="2026-06-01T12:00:00"
    )
    done = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _sample_tests(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "RANKER_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _changed_lines(diff: str) -> List[str]:
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))
    ]


def test_retiring_use_new_loss_keeps_the_sample_tests_green(tmp_path: Path) -> None:
    root = tmp_path / "ranker"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".mllint_cache"))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "ranker with the RANK-42 experiment")
    before = _sample_tests(root)
    assert before.returncode == 0, before.stdout + before.stderr

    run = run_subprocess(["retire", "use_new_loss=true"], cwd=root)
    assert run.exit_code == 0, run.stderr
    assert "4 files changed, 23 lines removed" in run.stdout
    for mention in (
        "README.md:9:",
        "configs/nightly.yaml:3: use_new_loss: true",
        "scripts/train_focal.sh:4: RANKER_USE_NEW_LOSS=1",
        "scripts/train_focal.sh:5:",
    ):
        assert mention in run.stdout  # listed, not edited

    after = _sample_tests(root)
    assert after.returncode == 0, after.stdout + after.stderr
    assert " passed" in after.stdout
    changed = _git(root, "diff", "--name-only").split()
    assert changed == [
        "ranker/config.py",
        "ranker/evaluate.py",
        "ranker/model.py",
        "ranker/train.py",
    ]
    assert _changed_lines(_git(root, "diff", "-U0")) == EXPERIMENT_LINES
    for path in changed:
        compile((root / path).read_text(encoding="utf-8"), path, "exec")

    again = run_subprocess(["retire", "use_new_loss=true"], cwd=root)
    assert again.exit_code == 2 and "no flag named 'use_new_loss'" in again.stderr
    assert _git(root, "diff", "--name-only").split() == changed


def test_the_diff_of_the_sample_applies_with_git(tmp_path: Path) -> None:
    root = tmp_path / "ranker"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".mllint_cache"))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    run = run_subprocess(["retire", "use_new_loss=true", "--diff", "--no-cache"], cwd=root)
    assert run.exit_code == 1, run.stderr
    assert _git(root, "status", "--porcelain") == ""
    patch = tmp_path / "retire.patch"
    patch.write_text(run.stdout, encoding="utf-8")
    _git(root, "apply", "-p1", str(patch))
    assert _changed_lines(_git(root, "diff", "-U0")) == EXPERIMENT_LINES
