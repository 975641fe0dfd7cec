"""ML105 commented-out code, through the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from click.testing import CliRunner

from mllint.cli import main

SOURCE = '''\
# Copyright 2024 The Authors. All rights reserved.
# Licensed under the Apache License, Version 2.0 (the "License");
# http://www.apache.org/licenses/LICENSE-2.0
# -*- coding: utf-8 -*-
"""Module docstring.

# x = 1  (inside a string: not a comment)
"""
import torch  # type: ignore


def step(model, batch, optimizer):
    # Note: this keeps the old behaviour
    # (batch, seq_len, hidden)
    # shape (batch_size, seq_len)
    loss = model(batch)
    # loss = loss * 0.5
    # loss.backward()
    # optimizer.step()
    return loss  # return None


# Old training loop, kept for reference
# for epoch in range(10):
#     train(model)
#     evaluate(model)
# pylint: disable=invalid-name
# TODO: remove
'''


def lint(root: Path) -> List[Dict[str, Any]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(
            main, ["check", ".", "--no-cache", "--format", "json", "--select", "ML105"]
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    found: List[Dict[str, Any]] = json.loads(result.stdout)
    return found


def test_runs_of_code_are_reported_at_their_first_line(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")
    found = lint(tmp_path)
    assert [(f["line"], f["end_line"], f["column"]) for f in found] == [(17, 19, 5), (24, 26, 1)]
    assert "3 lines" in found[0]["message"]


def test_noqa_silences_the_first_line(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n# y = f(x)  # noqa: ML105\n", encoding="utf-8")
    assert lint(tmp_path) == []


ANNOTATIONS = '''\
# Autogen with
# with open("categories.json") as f:
#     a = json.load(f)
# c = a["categories"]
# TABLE = repr(c)

# fmt: off
TABLE = [
    {"id": 1, "name": "acorn"},
    {"id": 2, "name": "aerosol"},
]
# fmt: on


def perspective(im, degrees=10):
    # torchvision.transforms.RandomAffine(degrees=(-10, 10))
    # targets = [cls, xyxy]
    """Random perspective."""
    return im


def top_k(x, k):
    # The iterative computation is as follows:
    #
    # cur_x = x
    return x


def convert(q, k, v):
    state = {}
    # return these
    state["q"] = q
    return state
'''


def test_recipes_signature_notes_and_prose_are_not_code(tmp_path: Path) -> None:
    (tmp_path / "tables.py").write_text(ANNOTATIONS, encoding="utf-8")
    assert lint(tmp_path) == []
    # the same lines switch code off once they no longer annotate anything
    switched_off = ANNOTATIONS.replace('    """Random perspective."""\n', "")
    switched_off = switched_off.replace("TABLE = [", "TABLE = load([").replace(
        "]\n# fmt: on", "])\n"
    )
    switched_off = switched_off.replace("as follows:", "as follows").replace("these", "state")
    (tmp_path / "tables.py").write_text(switched_off, encoding="utf-8")
    assert [f["line"] for f in lint(tmp_path)] == [2, 16, 24, 30]
