"""The shared traversal: every node once, in order, with statement context."""

from __future__ import annotations

import ast
from typing import List, Optional

import libcst as cst

from mllint.locate import ast_statements
from mllint.memo import Memo
from mllint.walker import Walker, callbacks_of, children

SOURCE = """\
import os

@decorator(a if b else c)
def f(x, y=1):
    if x:
        return [i for i in y if i]
    elif y:
        pass
    else:
        while x:
            x -= 1
    try:
        g()
    except E:
        h(); k()
    finally:
        m = lambda q: q
class C:
    z: int = 3
"""


def test_statements_are_numbered_like_cpython_does() -> None:
    module = cst.parse_module(SOURCE)
    names: List[str] = []
    walker = Walker()

    class Record:
        def visit_If(self, node: cst.If) -> None:
            names.append(f"If@{walker.statement_index}")

        def visit_Call(self, node: cst.Call) -> None:
            names.append(f"Call@{walker.statement_index}")

    walker.walk(module, *callbacks_of([Record()]))
    expected = [type(s).__name__ for s in ast_statements(ast.parse(SOURCE))]
    assert walker.statement_count == len(expected) == 15
    # the decorator call belongs to the def (statement 1); g() is statement 9
    assert names == ["Call@1", "If@2", "If@4", "Call@9", "Call@10", "Call@11"]


def test_returning_false_skips_children_but_keeps_numbering() -> None:
    module = cst.parse_module(SOURCE)
    walker = Walker()
    seen: List[int] = []

    class Skip:
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            seen.append(walker.statement_index)

    walker.walk(module, *callbacks_of([Skip()]))
    assert seen == [14] and walker.statement_count == 15


def test_leave_callbacks_and_statement_context_restore() -> None:
    module = cst.parse_module("def f():\n    a = 1\n    b = 2\nc = 3\n")
    walker = Walker()
    events: List[str] = []

    class Track:
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            events.append("enter f")

        def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
            events.append(f"leave f @{walker.statement_index}")

        def visit_Integer(self, node: cst.Integer) -> None:
            events.append(f"{node.value}@{walker.statement_index}")

    walker.walk(module, *callbacks_of([Track()]))
    assert events == ["enter f", "1@1", "2@2", "leave f @0", "3@3"]


def test_children_skip_whitespace_and_punctuation() -> None:
    call = cst.parse_expression("f(a, b=1)")
    kinds = [type(c).__name__ for c in children(call)]
    assert kinds == ["Name", "Arg", "Arg"]


def test_deep_trees_do_not_recurse() -> None:
    source = "x = " + " + ".join(["1"] * 900) + "\n"
    module = cst.parse_module(source)
    walker = Walker()
    count = [0]

    class Count:
        def visit_Integer(self, node: cst.Integer) -> None:
            count[0] += 1

    walker.walk(module, *callbacks_of([Count()]))
    assert count[0] == 900


def test_pre_order_is_source_order() -> None:
    from libcst.metadata import MetadataWrapper, PositionProvider

    from tests.conftest import SAMPLE

    sources = [SOURCE] + [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.rglob("*.py"))]
    sources.append("def f(a, /, b, *c, d, **e) -> int:\n    return x if y else z\n")
    for source in sources:
        module = cst.parse_module(source)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        starts = []
        stack = [module]
        while stack:
            node = stack.pop()
            below = children(node)
            if not below and node in positions:  # leaves: names, literals
                where = positions[node].start
                starts.append((where.line, where.column))
            stack.extend(reversed(below))
        assert starts == sorted(starts)


class _Log:
    """Every callback with the walker's statement context, as a walk reports it."""

    def __init__(self, walker: Walker, skip_functions: bool = False) -> None:
        self.walker = walker
        self.skip_functions = skip_functions
        self.lines: List[str] = []

    def _note(self, what: str, node: cst.CSTNode) -> None:
        walker = self.walker
        elif_ = "elif" if id(node) in walker.elifs else ""
        self.lines.append(f"{what} {type(node).__name__} @{walker.statement_index} {elif_}")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._note("visit", node)
        return not self.skip_functions

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._note("leave", node)

    def visit_If(self, node: cst.If) -> None:
        self._note("visit", node)

    def visit_Call(self, node: cst.Call) -> None:
        self._note("visit", node)

    def leave_Module(self, node: cst.Module) -> None:
        self._note("leave", node)


def _log(module: cst.Module, memo: Optional[Memo], skip_functions: bool = False) -> List[str]:
    walker = Walker()
    log = _Log(walker, skip_functions)
    walker.walk(module, *callbacks_of([log]), memo=memo)
    log.lines.append(f"count {walker.statement_count}")
    return log.lines


def test_a_walk_with_a_memo_plays_the_same_callbacks() -> None:
    from mllint.lsp.reparse import Reparser

    reparser = Reparser()
    memo = Memo()
    text = SOURCE + "".join(f"def h{i}():\n    if a:\n        b({i})\n" for i in range(4))
    module = reparser.parse(text)
    assert _log(module, memo) == _log(module, None)
    memo.next_round()
    # an edit inside f: the steps of the statements after it come from the memo
    edited = reparser.parse(text.replace("elif y:", "elif y or g(1):"))
    assert reparser.spliced == 1
    hits = memo.hits
    assert _log(edited, memo) == _log(cst.parse_module(edited.code), None)
    assert memo.hits > hits
    # a callback that skips a subtree on this walk only: the numbering stays right
    memo.next_round()
    assert _log(edited, memo, skip_functions=True) == _log(edited, None, skip_functions=True)
    assert _log(edited, Memo(), skip_functions=True) == _log(edited, None, skip_functions=True)


def test_the_steps_of_unchanged_methods_come_from_the_memo() -> None:
    from mllint.lsp.reparse import Reparser

    methods = "".join(
        f"    def m{i}(self, x):\n        if x:\n            return g({i})\n" for i in range(5)
    )
    text = f"import os\n\n\nclass A:\n{methods}\n\ndef tail():\n    pass\n"
    reparser = Reparser()
    memo = Memo()
    module = reparser.parse(text)
    _log(module, memo)
    memo.next_round()
    edited = reparser.parse(text.replace("return g(2)", "return g(2) + h()"))
    assert reparser.spliced_inside == 1
    hits = memo.hits
    assert _log(edited, memo) == _log(cst.parse_module(edited.code), None)
    assert memo.hits - hits >= 4  # the other methods (and the statements around the class)
