"""Property: on every fixture project and on any mix of the rules' examples, ``check --fix
--unsafe-fixes`` writes files that parse with LibCST and compile, re-linting them reports none
of the codes fixed in them, and a second run changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List, Set, Tuple

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint.config import Settings
from mllint.engine import run_check
from mllint.fixing.engine import apply_fixes, write_fixes
from mllint.fixing.examples import fix_examples
from mllint.rules import ALL_RULES
from tests.conftest import FIXTURES

FIXTURE_PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _examples() -> List[str]:
    codes: List[str] = []
    for rule in ALL_RULES:
        valid, invalid = rule.examples()
        codes.extend(example.code for example in [*valid, *invalid])
        codes.extend(before for before, _ in fix_examples(rule.doc().fix))
    return [code if code.endswith("\n") else code + "\n" for code in codes]


EXAMPLES = _examples()


def _fix_and_check(root: Path) -> None:
    project = Settings(root=str(root))
    run = apply_fixes([root], project, unsafe=True, use_cache=False, jobs=1)
    assert not write_fixes(run, [root])
    for path, (_old, new) in run.changes.items():
        assert Path(path).read_text(encoding="utf-8") == new
        cst.parse_module(new)
        compile(new, path, "exec", dont_inherit=True)
    fixed: Dict[str, Set[str]] = {}
    for finding in run.fixed:
        fixed.setdefault(finding.path, set()).add(finding.code)
    again = run_check([root], project, use_cache=False, jobs=1)
    left = [(f.path, f.code, f.line) for f in again.findings if f.code in fixed.get(f.path, set())]
    assert left == []
    second = apply_fixes([root], project, unsafe=True, use_cache=False, jobs=1)
    assert second.changes == {} and second.fixed == []


@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=lambda p: p.name)
def test_fixing_a_fixture_project_leaves_code_that_compiles(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / project.name
    shutil.copytree(project, copy, symlinks=True)
    _fix_and_check(copy)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(EXAMPLES), st.integers(min_value=0, max_value=2)),
        min_size=1,
        max_size=6,
    )
)
def test_fixing_any_mix_of_examples_leaves_code_that_compiles(
    tmp_path_factory: pytest.TempPathFactory, parts: List[Tuple[str, int]]
) -> None:
    root = tmp_path_factory.mktemp("mix")
    files: Dict[int, str] = {}
    for code, where in parts:
        files[where] = files.get(where, "") + code
    for where, code in files.items():
        (root / f"m{where}.py").write_text(code, encoding="utf-8")
    _fix_and_check(root)
