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
