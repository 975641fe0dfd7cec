"""A small ML project whose experiments come and go over a year of back-dated commits."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from tests.gitrepo import GitRepo

REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW

CONFIG_V1 = "USE_MIXUP = False\n"
CONFIG_V2 = "USE_MIXUP = False\nENABLE_NEW_LOSS = True\n"
CONFIG_V3 = "ENABLE_NEW_LOSS = True\n"

TRAIN_V1 = """\
import json

import numpy as np

from pkg import config


def loss(x):
    if config.USE_MIXUP:
        x = np.flip(x)
    return np.mean(x * x)


def save(result, path):
    with open(path, "w") as handle:
        json.dump(result, handle)
"""

TRAIN_V2 = """\
import argparse
import json

import numpy as np

from pkg import config


def loss(x, args):
    if config.USE_MIXUP:
        x = np.flip(x)
    if config.ENABLE_NEW_LOSS:
        return np.sum(np.abs(x))
    if args.use_cutmix:
        x = np.roll(x, 1)
    return np.mean(x * x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--use-cutmix", action="store_true")
    args = parser.parse_args()
    print(loss(np.ones(3), args))


def save(result, path):
    with open(path, "w") as handle:
        json.dump(result, handle)
"""

TRAIN_V3 = TRAIN_V2.replace("    if config.USE_MIXUP:\n        x = np.flip(x)\n", "")

TRAIN_V4 = TRAIN_V3.replace(
    "def save(result, path):\n",
    "def old_metric(x):\n"
    "    if False:\n"
    "        x = x + 1\n"
    "        x = x * 2\n"
    "        x = x - 3\n"
    "    return np.max(x)\n\n\n"
    "def save(result, path):\n",
)

DAYS = {"added mixup": 400, "new loss and cutmix": 300, "mixup removed": 100, "dead code": 10}


def build(root: Path) -> Dict[str, str]:
    """The repository at ``root``; the commit of each step by its message."""
    repo = GitRepo(root)
    commits: Dict[str, str] = {}
    steps = (
        (
            "added mixup",
            {"pkg/__init__.py": "", "pkg/config.py": CONFIG_V1, "pkg/train.py": TRAIN_V1},
        ),
        ("new loss and cutmix", {"pkg/config.py": CONFIG_V2, "pkg/train.py": TRAIN_V2}),
        ("mixup removed", {"pkg/config.py": CONFIG_V3, "pkg/train.py": TRAIN_V3}),
        ("dead code", {"pkg/train.py": TRAIN_V4}),
    )
    for message, files in steps:
        commits[message] = repo.commit(dict(files), days_ago=DAYS[message], message=message)
    return commits
