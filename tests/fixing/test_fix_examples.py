"""Every before/after example of every rule's ``## Fix`` section, run through ``check --fix
--unsafe-fixes`` on a real file: the after text matches exactly, compiles, and a second run
changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple, Type

import pytest

from mllint.config import Settings
from mllint.fixing.engine import apply_fixes, write_fixes
from mllint.fixing.examples import fix_examples
from mllint.rules import ALL_RULES
from mllint.rules.base import Rule

FIXED_CODES = ("ML101", "ML102", "ML104", "ML105", "ML106")


def _cases() -> List[Tuple[Type[Rule], str, str]]:
    return [
        (rule, before, after)
        for rule in ALL_RULES
        for before, after in fix_examples(rule.doc().fix)
    ]


CASES = _cases()


def _fix(folder: Path, unsafe: bool = True) -> Tuple[str, List[str]]:
    settings = Settings(root=str(folder))
    run = apply_fixes([folder], settings, unsafe=unsafe, use_cache=False, jobs=1)
    assert not run.failures
    assert not write_fixes(run, [folder])
    return (folder / "example.py").read_text(encoding="utf-8"), [f.code for f in run.fixed]


def test_every_fixable_rule_documents_a_before_and_after_example() -> None:
    documented = {rule.code for rule, _, _ in CASES}
    assert documented == set(FIXED_CODES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0].code}" for c in CASES])
def test_fix_example_gives_the_documented_after_text(
    case: Tuple[Type[Rule], str, str], tmp_path: Path
) -> None:
    rule, before, after = case
    (tmp_path / "example.py").write_text(before, encoding="utf-8")
    fixed, codes = _fix(tmp_path)
    assert rule.code in codes
    assert fixed == after
    compile(fixed, "example.py", "exec", dont_inherit=True)
    again, codes = _fix(tmp_path)
    assert again == after and codes == []
