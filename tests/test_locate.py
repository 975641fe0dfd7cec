"""Spans from the cheap locator agree with LibCST's whole-module PositionProvider."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mllint.locate import Locator
from mllint.model import Span
from mllint.walker import Walker
from tests.conftest import SAMPLE

TRICKY = [
    "if a:\n    pass\nelif b if c else d:\n    pass\nelse:\n    e = f(g)\n",
    "x = 1; y = (a if b else c); z = 'é' + w\n",
    "@dec(1 if x else 2)\n@other\ndef f(a=b.c, *, d=e):\n    '''doc'''\n    return g(h)[i]\n",
    "class A(B, metaclass=M):\n    x: int = 1\n\n    async def f(self):\n"
    "        async with a as b:\n            await c\n",
    "def f():\n\tif x:\n\t\treturn {k: v for k, v in y.items() if k}\n",
    "x = (\n    a\n    + b  # comment\n)\nif (\n    c\n):\n    pass\n",
    "try:\n    a()\nexcept E as e:\n    b()\nelse:\n    c()\nfinally:\n    d()\n",
    "for i in range(3):\n    while i:\n        i -= 1\n    else:\n        pass\n",
    "lambda_ = lambda x: x if x else -x\nemoji = '🙂🙂'; value = f(emoji if a else b)\n",
    "with open(p) as f, open(q) as g:\n    pass\nif x: y = 1 if z else 2\n",
    "match cmd:\n    case [x, y]:\n        if x: pass\n    case _:\n        pass\n",
]


def _check(source: str) -> int:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    seen: List[Tuple[cst.CSTNode, object, int, bool]] = []
    walker = Walker()

    def record(node: cst.CSTNode) -> None:
        seen.append(
            (node, walker.statement, walker.statement_index, id(walker.statement) in walker.elifs)
        )

    kinds = (
        cst.If,
        cst.While,
        cst.IfExp,
        cst.Call,
        cst.Name,
        cst.Attribute,
        cst.SimpleString,
        cst.Return,
    )
    walker.walk(module, {kind: [record] for kind in kinds}, {})
    locator = Locator(module, source)
    for node, statement, index, is_elif in seen:
        span = locator.span(node, statement, index, walker.statement_count, is_elif=is_elif)
        where = expected[node]
        want = Span(where.start.line, where.start.column + 1, where.end.line, where.end.column + 1)
        assert span == want, (cst.Module(body=[]).code_for_node(node), span, want)
    return len(seen)


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_sources(source: str) -> None:
    assert _check(source) > 0


@pytest.mark.parametrize("path", sorted(SAMPLE.rglob("*.py")), ids=lambda p: p.name)
def test_fixture_files(path: Path) -> None:
    assert _check(path.read_text(encoding="utf-8")) > 10


def test_form_feed_does_not_shift_lines() -> None:
    # str.splitlines() would count the form feed as a line break
    source = "x = 1\n\x0c\ndef f():\n    return a if b else c\n"
    module = cst.parse_module(source)
    walker = Walker()
    found: List[Span] = []
    locator = Locator(module, source)

    def record(node: cst.CSTNode) -> None:
        found.append(locator.span(node, walker.statement, walker.statement_index, 3))

    walker.walk(module, {cst.IfExp: [record]}, {})
    assert found == [Span(4, 12, 4, 25)]


def test_crlf_source() -> None:
    assert _check("if a:\r\n    x = b if c else d\r\n") == 7


def test_falls_back_when_cpython_cannot_parse() -> None:
    # LibCST accepts this, CPython does not: the whole-module provider takes over
    source = "def first[T](items: list[T]) -> T:\n    return items[0] if items else None\n"
    try:
        compile(source, "<test>", "exec")
    except SyntaxError:
        pass
    else:  # pragma: no cover - Python 3.12+ parses PEP 695
        pytest.skip("this Python understands the syntax")
    assert _check(source) > 0


def test_whole_module_fallback_on_mismatch() -> None:
    source = "a = 1\nb = c if d else e\n"
    module = cst.parse_module(source)
    node = module.body[1].body[0].value  # type: ignore[attr-defined]
    locator = Locator(module, source)
    # a wrong statement count forces the whole-module path; the answer stays right
    assert locator.span(node, module.body[1].body[0], 1, 99) == Span(2, 5, 2, 18)  # type: ignore[attr-defined]
