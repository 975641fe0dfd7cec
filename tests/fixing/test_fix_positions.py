"""The fix pass places nodes statement by statement: exactly where LibCST's PositionProvider,
run over the whole module, puts them."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mllint.fixing.transform import _Positions
from tests.conftest import ROOT

TRICKY = '''"""Docstring."""
# a comment above the first statement
import os; import sys  # two statements on a line

USE_X = True  # switch


@decorator(arg=1)
@other
def f(a, b: int = 2, *args, c, **kw):
    # comment in the body
    if USE_X and a:
        x = 1
    elif b:  # elif
        x = 2
    elif c:
        x = (3 if a
             else 4)
    else:
        x = 5
    while not USE_X: pass
    s = f"""{a!r:>{b}} \\
    text"""
    return x


class K(Base, metaclass=M):
    def g(self): return [i for i in range(3) if i]

    async def h(self):
        async with a as b:
            try:
                pass
            except (A, B) as e:
                raise
            finally:
                y = lambda q: q
        match x:
            case {"k": 1} | [2, *rest]:
                pass
            case _:
                pass
# trailing comment
'''


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:  # the fixtures' deliberate syntax errors
        return False
    return True


def _sources() -> list[tuple[str, str]]:
    files = [
        *sorted((ROOT / "fixtures").rglob("*.py")),
        *sorted((ROOT / "mllint" / "fixing").glob("*.py")),
    ]
    picked = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]
    return [("tricky", TRICKY), *[(name, text) for name, text in picked if _parses(text)]]


@pytest.mark.parametrize(("name", "text"), _sources(), ids=[n for n, _ in _sources()])
def test_every_node_is_where_the_position_provider_puts_it(name: str, text: str) -> None:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = _Positions(module, text)
    local = 0
    for node, where in expected.items():
        found = positions.range(node)
        assert found is not None, (name, type(node).__name__)
        assert (found.start, found.end) == (where.start, where.end), (name, type(node).__name__)
        if positions.statement_of(node) is node:  # a statement's start needs no codegen
            expected_start = (where.start.line, where.start.column + 1)
            assert positions.start(node) == expected_start, (name, type(node).__name__)
        if positions.statement_of(node) is not None:
            # inside a statement: told from that statement alone, never the whole module
            assert positions.local(node, node) is not None, (name, type(node).__name__)
            local += 1
    assert local > len(expected) // 4, (name, local, len(expected))


def test_a_branch_key_spans_from_its_keyword_to_the_end_of_its_test() -> None:
    module = cst.parse_module(TRICKY)
    positions = _Positions(module, TRICKY)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    branches = [n for n in expected if isinstance(n, (cst.If, cst.While))]
    assert len(branches) == 4  # if, two elifs, while
    for branch in branches:
        found = positions.range(branch, branch.test)
        assert found is not None
        assert (found.start, found.end) == (expected[branch].start, expected[branch.test].end)
