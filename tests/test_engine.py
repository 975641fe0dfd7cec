"""The pipeline end to end: pool and serial agree, a crashing worker is isolated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import mllint.engine as engine
from mllint.config import Settings
from mllint.engine import run_check
from tests.conftest import write_tree


def _project(root: Path, count: int = 40) -> Path:
    files = {}
    for i in range(count):
        files[f"pkg{i % 4}/mod{i}.py"] = f"def f{i}(x):\n    return x if {i % 2} else -x\n" + (
            "if 0:\n    pass\n" * (i % 3)
        )
    files["pkg0/broken.py"] = "def (:\n"
    return write_tree(root, files)


def test_pool_and_serial_agree(tmp_path: Path) -> None:
    _project(tmp_path)
    serial = run_check([tmp_path], Settings(root=str(tmp_path)), jobs=1, use_cache=False)
    pooled = run_check([tmp_path], Settings(root=str(tmp_path)), jobs=2, use_cache=False)
    assert pooled.findings == serial.findings
    assert pooled.parsed == serial.parsed == 41
    assert len(serial.findings) == 40 + 39 + 1  # every ternary is literal; i % 3 dead ifs
    assert serial.findings == tuple(sorted(serial.findings, key=lambda f: f.sort_key()))


def _crash_on_poison(path: str, *limit: int):  # type: ignore[no-untyped-def]
    if "poison" in path:
        os._exit(3)  # what a native parser crash looks like from outside
    return _real_analyze(path, *limit)


_real_analyze = engine.analyze_path


def test_a_worker_that_dies_is_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    write_tree(tmp_path, {"pkg1/poison.py": "x = 1\n"})
    monkeypatch.setattr(engine, "analyze_path", _crash_on_poison)  # inherited by forked workers
    result = run_check([tmp_path], Settings(root=str(tmp_path)), jobs=2, use_cache=False)
    poison = [f for f in result.findings if f.path.endswith("poison.py")]
    assert [(f.code, f.message) for f in poison] == [
        ("ML000", "Cannot parse: the parser crashed on this file")
    ]
    assert len(result.findings) == 40 + 39 + 1 + 1


def test_internal_error_names_the_file_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a.py": "if 0:\n    pass\n", "b.py": "x = 1\n"})

    def explode(path: str, *limit: int):  # type: ignore[no-untyped-def]
        if path.endswith("b.py"):
            raise ValueError("boom")
        return _real_analyze(path, *limit)

    monkeypatch.setattr(engine, "analyze_path", explode)
    result = run_check([tmp_path], Settings(root=str(tmp_path)), jobs=1, use_cache=False)
    assert [f.code for f in result.findings] == ["ML101"]
    assert result.errors == (f"{tmp_path / 'b.py'}: internal error: ValueError: boom",)
