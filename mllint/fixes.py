"""Automatic fixes: the edit that resolves a finding, where a rule has one.

Only ML101 has a fix: a test that is a literal decides which arm runs, so the dead arm can be
deleted and the live one put in the place of the whole statement, exactly as Python would run
it. A fix is computed on demand (the language server's code actions), from the text the
finding was made on, and kept only when the new text parses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mllint.evaluate import literal_truth
from mllint.model import Finding


@dataclass(frozen=True)
class Fix:
    """Replace ``text[start:end]`` with ``replacement``; ``title`` is what the editor shows."""

    title: str
    start: int
    end: int
    replacement: str


def fix_for(text: str, finding: Finding) -> Optional[Fix]:
    """The fix of ``finding`` (made on ``text``), or ``None`` when its rule has none or it
    does not apply to this text any more."""
    fixer = _FIXERS.get(finding.code)
    if fixer is None:
        return None
    try:
        module = cst.parse_module(text)
    except Exception:  # text that does not parse (or a parser failure): nothing to fix
        return None
    try:
        fixed = fixer(module, finding)
    except RecursionError:
        return None
    if fixed is None:
        return None
    title, new_module = fixed
    new_text = new_module.code
    if new_text == text:
        return None
    try:
        cst.parse_module(new_text)
    except Exception:
        return None
    return _smallest_edit(title, text, new_text)


def _smallest_edit(title: str, old: str, new: str) -> Fix:
    """One replacement covering just the part of ``old`` that differs from ``new``."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return Fix(title, start, end_old, new[start:end_new])


# -- ML101 -------------------------------------------------------------------------------------

_Target = Union[cst.If, cst.While, cst.IfExp]
_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
)
"""Expressions that need no parentheses wherever a parenthesized expression stood."""


def _fix_constant_condition(
    module: cst.Module, finding: Finding
) -> Optional[Tuple[str, cst.Module]]:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    span = finding.span
    start, end = (span.line, span.column - 1), (span.end_line, span.end_column - 1)
    target: Optional[_Target] = None
    for node, where in positions.items():
        if not isinstance(node, (cst.If, cst.While, cst.IfExp)):
            continue
        # the finding covers an ``if``/``while`` header up to its test, or a whole expression
        last = where if isinstance(node, cst.IfExp) else positions[node.test]
        if (where.start.line, where.start.column) == start and (
            last.end.line,
            last.end.column,
        ) == end:
            target = node
    if target is None or literal_truth(target.test) is None:
        return None
    is_elif = any(isinstance(node, cst.If) and node.orelse is target for node in positions)
    fixer = _DeadArm(target, is_elif)
    fixed = module.visit(fixer)
    if not fixer.done:
        return None
    return fixer.title, fixed


class _DeadArm(cst.CSTTransformer):
    """Deletes the dead arm of one ``if``/``elif``/``while``/conditional expression and puts
    the live arm in the place of the whole."""

    def __init__(self, target: _Target, is_elif: bool) -> None:
        super().__init__()
        self.target = target
        self.is_elif = is_elif
        self.done = False
        self.title = ""

    # ``elif`` arms are the ``orelse`` of their ``if``: they are fixed from the parent
    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]:
        if self.is_elif and original_node.orelse is self.target:
            return updated_node.with_changes(orelse=self._elif(updated_node.orelse))
        if original_node is not self.target or self.is_elif:
            return updated_node
        truth = literal_truth(updated_node.test)
        if truth:
            self._finish("Keep the body of the `if`: its test is always true")
            return self._statements(updated_node, _body(updated_node.body))
        orelse = updated_node.orelse
        if isinstance(orelse, cst.If):
            self._finish("Delete the dead `if` arm: its test is never true")
            return orelse.with_changes(leading_lines=updated_node.leading_lines)
        self._finish("Delete the dead `if` branch: its test is never true")
        return self._statements(updated_node, _body(orelse.body) if orelse is not None else [])

    def leave_While(
        self, original_node: cst.While, updated_node: cst.While
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]:
        if original_node is not self.target:
            return updated_node
        self._finish("Delete the `while` loop that never runs")
        orelse = updated_node.orelse
        return self._statements(updated_node, _body(orelse.body) if orelse is not None else [])

    def leave_IfExp(self, original_node: cst.IfExp, updated_node: cst.IfExp) -> cst.BaseExpression:
        if original_node is not self.target:
            return updated_node
        self._finish("Keep the arm of the conditional expression that is always chosen")
        live = updated_node.body if literal_truth(updated_node.test) else updated_node.orelse
        if updated_node.lpar and not live.lpar and not isinstance(live, _ATOMS):
            live = live.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        return live

    def _elif(self, arm: Union[cst.If, cst.Else, None]) -> Union[cst.If, cst.Else, None]:
        assert isinstance(arm, cst.If)
        if literal_truth(arm.test):
            self._finish("Turn the `elif` whose test is always true into `else`")
            return cst.Else(
                body=arm.body,
                leading_lines=arm.leading_lines,
                whitespace_before_colon=arm.whitespace_after_test,
            )
        self._finish("Delete the dead `elif` arm: its test is never true")
        return arm.orelse

    def _finish(self, title: str) -> None:
        self.done, self.title = True, title

    @staticmethod
    def _statements(
        replaced: cst.BaseCompoundStatement, statements: Sequence[cst.BaseStatement]
    ) -> Union[cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]:
        if not statements:
            return cst.RemovalSentinel.REMOVE
        first = statements[0]
        lines = (*replaced.leading_lines, *getattr(first, "leading_lines", ()))
        return cst.FlattenSentinel([first.with_changes(leading_lines=lines), *statements[1:]])


def _body(suite: cst.BaseSuite) -> List[cst.BaseStatement]:
    """The statements of a block; those of a one-line suite (``if x: a; b``) as one line."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=suite.body)]


_FIXERS: Dict[str, Callable[[cst.Module, Finding], Optional[Tuple[str, cst.Module]]]] = {
    "ML101": _fix_constant_condition,
}
