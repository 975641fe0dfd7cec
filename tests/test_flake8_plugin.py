"""The flake8 plugin, run through the real flake8 on fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from mllint.flake8_plugin import source_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytest.importorskip("flake8")


def flake8(*args: str, cwd: Path = FIXTURES) -> List[str]:
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


def test_select_ml_runs_the_per_file_rules() -> None:
    out = flake8("--select", "ML", "sarif_cases")
    assert out == [
        "sarif_cases/non_ascii.py:6:17: ML101 Conditional expression on the literal `False`: "
        '`"größe"` can never be chosen',
        "sarif_cases/non_ascii.py:11:5: ML101 `if 0` is never true: its body is dead code",
        "sarif_cases/old experiment.py:6:5: ML101 `if False` is never true: its body is dead code",
    ]


def test_flake8_applies_noqa_once() -> None:
    evaluate = "sample_project/sample_project/evaluate.py"
    lines = [line.split(":")[1] for line in flake8("--select", "ML", evaluate)]
    assert lines == ["57"]  # flake8 honours the noqa comments on lines 63 and 92
    every = [line.split(":")[1] for line in flake8("--select", "ML", "--disable-noqa", evaluate)]
    assert every == ["57", "63", "92"]  # so the plugin itself silences nothing


def test_syntax_errors_are_flake8s() -> None:
    out = flake8("--select", "ML,E999", "sarif_cases/parse_error.py")
    assert len(out) == 1 and " E999 " in out[0]  # no ML000 on top


def test_standard_input_and_other_codes(tmp_path: Path) -> None:
    source = "import os\nif False:\n    os.exit()\n"
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ML,F", "-"],
        input=source,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.stdout.splitlines() == [
        "stdin:2:1: ML101 `if False` is never true: its body is dead code"
    ]


def test_source_bytes_keeps_the_declared_encoding() -> None:
    lines = ["# -*- coding: latin-1 -*-\n", 's = "é"\n']
    assert source_bytes(lines) == '# -*- coding: latin-1 -*-\ns = "é"\n'.encode("latin-1")
    assert source_bytes(['s = "é"\n']) == 's = "é"\n'.encode()
