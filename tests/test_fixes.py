"""The editor's fixes: ML101 (delete the dead arm), ML102, ML106 and the fix-all edit."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import pytest

from mllint.analyze import analyze_source
from mllint.config import Settings
from mllint.engine import run_check
from mllint.fixes import Fix, fix_all, fix_for, has_fix, has_safe_fix
from mllint.model import Finding
from mllint.rules.conditions import ConstantCondition
from tests.conftest import write_tree


def _ml101(text: str) -> list[Finding]:
    return [f for f in analyze_source("/p/m.py", text.encode()).findings if f.code == "ML101"]


def _fixed(text: str) -> str:
    (finding, *_) = _ml101(text)
    fix = fix_for(text, finding)
    assert fix is not None
    return text[: fix.start] + fix.replacement + text[fix.end :]


@pytest.mark.parametrize(
    "before, after",
    [
        ("if False:\n    old()\n", ""),
        (
            "x = 1\n# switched off\nif False:\n    old()\nelse:\n    new()\n    more()\ny = 2\n",
            "x = 1\n# switched off\nnew()\nmore()\ny = 2\n",
        ),
        ("if True:\n    new()\nelse:\n    old()\n", "new()\n"),
        (
            "if x:\n    a()\nelif True:\n    b()\nelse:\n    c()\n",
            "if x:\n    a()\nelse:\n    b()\n",
        ),
        (
            "if x:\n    a()\nelif False:\n    b()\nelif y:\n    c()\n",
            "if x:\n    a()\nelif y:\n    c()\n",
        ),
        ("if 0:\n    a()\nelif y:\n    c()\nelse:\n    d()\n", "if y:\n    c()\nelse:\n    d()\n"),
        ("while 0:\n    step()\nelse:\n    done()\n", "done()\n"),
        ("y = new if False else old\n", "y = old\n"),
        ("z = (a if True else b) + 1\n", "z = (a) + 1\n"),
        ("z = (a if True else b or c) * 2\n", "z = (a) * 2\n"),
        ("z = (x + 1 if () else -x) * 2\n", "z = (-x) * 2\n"),
        ("def f():\n    if None:\n        pass\n", "def f():\n    pass\n"),
        (
            "def f():\n    x = 1\n    if False: a(); b()\n    return x\n",
            "def f():\n    x = 1\n    return x\n",
        ),
        (
            "def f():\n    if True:\n        s = '''a\n  b'''\n    else:\n        s = ''\n",
            "def f():\n    s = '''a\n  b'''\n",
        ),
        (  # comment lines above an arm stay where they are
            "# keep\nif x:\n    a()\n# about b\nelif 0:\n    b()\n# about c\nelse:\n    c()\n",
            "# keep\nif x:\n    a()\n# about b\n# about c\nelse:\n    c()\n",
        ),
        (
            "if x:\r\n    a()\r\nelif True:\r\n    b()\r\n",
            "if x:\r\n    a()\r\nelse:\r\n    b()\r\n",
        ),
        ("class C:\n    while False:\n        pass\n", "class C:\n    pass\n"),
    ],
)
def test_the_fix_keeps_only_the_live_arm(before: str, after: str) -> None:
    fixed = _fixed(before)
    assert fixed == after
    assert _ml101(fixed) == []


def test_every_invalid_example_of_ml101_gets_a_fix_that_removes_the_finding() -> None:
    _, invalid = ConstantCondition.examples()
    for example in invalid:
        findings = _ml101(example.code)
        fixed = _fixed(example.code)
        assert len(_ml101(fixed)) == len(findings) - 1, example.code


def test_no_fix_for_other_rules_or_for_text_the_finding_was_not_made_on() -> None:
    text = "if False:\n    old()\n"
    (finding,) = _ml101(text)
    assert fix_for("x = 1\n" + text, finding) is None  # the lines moved: no `if` there
    assert fix_for("if False:\n", finding) is None  # does not parse
    other = Finding(finding.path, finding.span, "ML105", "x", "y", finding.severity)
    assert fix_for(text, other) is None


def _project_findings(tmp_path: Path, files: Dict[str, str]) -> List[Finding]:
    write_tree(tmp_path, files)
    return list(run_check([tmp_path], Settings(root=str(tmp_path)), use_cache=False).findings)


def _applied(text: str, fix: Optional[Fix]) -> str:
    assert fix is not None
    return text[: fix.start] + fix.replacement + text[fix.end :]


def test_the_stale_flag_fix_keeps_the_live_arm_of_that_branch(tmp_path: Path) -> None:
    text = (
        "from cfg import USE_X\n\nif USE_X:\n    a = 1\nelse:\n    a = 2\nb = 3 if USE_X else 4\n"
    )
    findings = _project_findings(tmp_path, {"cfg.py": "USE_X = False\n", "m.py": text})
    first = next(f for f in findings if f.code == "ML102" and f.path.endswith("m.py"))
    fix = fix_for(text, first)
    assert fix is not None and fix.title == "Delete the arm that `USE_X` never selects"
    assert _applied(text, fix) == "from cfg import USE_X\n\na = 2\nb = 3 if USE_X else 4\n"


def test_the_dead_definition_fix_deletes_it_and_the_imports_only_it_used(
    tmp_path: Path,
) -> None:
    text = (
        "from old import Head\n\n\ndef legacy(n):\n    return Head(n)\n\n\n"
        "if False:\n    legacy(1)\n"
    )
    findings = _project_findings(tmp_path, {"m.py": text})
    (dead,) = [f for f in findings if f.code == "ML106"]
    assert _applied(text, fix_for(text, dead)) == "if False:\n    legacy(1)\n"


def test_fix_all_makes_the_safe_fixes_only(tmp_path: Path) -> None:
    text = (
        "X = False\n\n\ndef legacy(n):\n    return n\n\n\nif False:\n    legacy(1)\n"
        "y = 1 if X else 2\n# for batch in data:\n#     model.step(batch, lr=0.1)\n"
    )
    findings = _project_findings(tmp_path, {"m.py": text})
    assert {"ML101", "ML102", "ML105", "ML106"} <= {f.code for f in findings}
    fixed = _applied(text, fix_all(text, findings))
    assert fixed == (  # the blank lines of the deleted branch stay between the def and `y`
        "X = False\n\n\ndef legacy(n):\n    return n\n\n\ny = 2\n"
        "# for batch in data:\n#     model.step(batch, lr=0.1)\n"
    )
    assert fix_all(text, [f for f in findings if f.code == "ML105"]) is None
    assert has_safe_fix("ML102") and not has_safe_fix("ML106") and has_fix("ML106")
