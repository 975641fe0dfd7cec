"""The per-file stage."""

from __future__ import annotations

import ast
import gc

import libcst as cst

from mllint.analyze import analyze_source
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
