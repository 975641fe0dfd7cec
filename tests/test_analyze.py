"""The per-file stage."""

from __future__ import annotations

import ast
import gc
import os
from pathlib import Path

import libcst as cst
import pytest

from mllint.analyze import NOT_ANALYSED, analyze_module, analyze_path, analyze_source
from mllint.flags.index import FAMILY as FLAG_FACTS
from tests.conftest import SAMPLE


def test_an_analysis_leaves_no_reference_cycles() -> None:
    """Everything an analysis makes is freed by reference counting as soon as it is done
    with: a cycle through the syntax tree would leave a whole module's nodes for the
    garbage collector, whose passes the language server keeps off the typing path."""
    data = (SAMPLE / "sample_project" / "train.py").read_bytes()
    analyze_source("/p/train.py", data)  # warm: module-level caches fill once
    enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        gc.set_debug(gc.DEBUG_SAVEALL)
        result = analyze_source("/p/train.py", data)
        assert result.findings  # a real analysis, with findings
        gc.collect()
        # (the standard library's ``ast.literal_eval`` leaves a few closures: small, no tree)
        cycles = [
            type(o).__name__
            for o in gc.garbage
            if isinstance(o, (cst.CSTNode, ast.AST))
            or type(o).__module__.startswith(("mllint", "libcst"))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert cycles == []


DEAD = "if False:\n    pass\n"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("x = 1\nreturn x\n", "'return' outside function (line 4)"),
        ('name = "\\N{NOPE}"\n', "unknown Unicode character name"),
        ("def f():\n    x = 1\n    global x\n", "assigned to before global declaration"),
        ("x = " + " and ".join(["a"] * 10_000) + "\n", "10000-term boolean chain at line 3"),
    ],
)
def test_what_python_refuses_is_ml000_on_every_path(source: str, reason: str) -> None:
    """CPython's verdict, also where LibCST parses the file (the first three), and also for
    a module the language server parsed itself (:func:`analyze_module`)."""
    result = analyze_source("/p/m.py", (DEAD + source).encode())
    assert [f.code for f in result.findings] == ["ML000"]
    assert reason in result.findings[0].message
    text = DEAD + source
    if "10000" in reason:  # LibCST would crash on the chain: no module to hand over
        return
    module = cst.parse_module(text)
    assert analyze_module("/p/m.py", module, text) == result
    if "NOPE" not in source:  # (CPython's parser refuses that one: no tree either)
        assert analyze_module("/p/m.py", module, text, ast.parse(text)) == result


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a target LibCST's grammar does not take
        (
            "(x): int = 1\nUSE_NEW = False\nif USE_NEW:\n    pass\n# noqa: ML102\n",
            "LibCST cannot parse it",
        ),
        # found by the fuzzer: CPython takes `4and.1` (with a SyntaxWarning); LibCST's parser
        # raises CSTValidationError ("Must have at least one space around boolean operator"),
        # which was an internal error that ended the run with exit 2
        ("x = [4and.1, 0.0]\nUSE_NEW = False\n", "boolean operator"),
    ],
)
def test_valid_python_that_libcst_refuses_keeps_its_flags(text: str, reason: str) -> None:
    result = analyze_source("/p/m.py", text.encode())
    assert result.findings == ()
    assert reason in result.facts[NOT_ANALYSED]
    assert "USE_NEW" in result.facts[FLAG_FACTS]["constants"]
    assert result.lines == text.count("\n")


def test_fifty_thousand_concatenated_strings_are_not_ml000() -> None:
    text = "x = " + " ".join(['"a"'] * 50_000) + "\n" + DEAD
    result = analyze_source("/p/m.py", text.encode())
    assert result.findings == () and NOT_ANALYSED in result.facts


def test_a_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_bytes(b"x = 1\n" * 1000)
    result = analyze_path(str(path), max_size=5999)
    assert [f.message for f in result.findings] == [
        "Cannot parse: file too large (6000 bytes > 5999; raise max-file-size to lint it)"
    ]
    assert analyze_path(str(path), max_size=6000).findings == ()
    too_big = analyze_source(str(path), path.read_bytes(), max_size=100)
    assert "6000 bytes > 100" in too_big.findings[0].message


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    result = analyze_path(str(fifo))  # nobody writes: a blocking open would hang here
    assert [f.message for f in result.findings] == [
        "Cannot parse: cannot read file: not a regular file"
    ]
