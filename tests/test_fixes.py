"""The rules' automatic fixes (ML101: delete the dead arm)."""

from __future__ import annotations

import pytest

from mllint.analyze import analyze_source
from mllint.fixes import fix_for
from mllint.model import Finding
from mllint.rules.conditions import ConstantCondition


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
