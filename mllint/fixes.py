"""Automatic fixes in the editor: the edit that resolves a finding, where a rule has one.

ML102 (a branch the project's constants decide) and ML106 (a definition only dead arms use)
get theirs from the command line's fix engine (:mod:`mllint.fixing.transform`), made on the
document alone: the dead arm of that one branch goes, or that one definition, with the
imports only the removed code used; the edit is the changed stretch of the document.
:func:`fix_all` makes every safe fix of a document at once (``source.fixAll.mllint``).

ML101: a test that is a literal decides which arm runs, so the dead arm can be
deleted and the live one put in the place of the whole statement or expression, exactly as
Python would run it. A fix is computed on demand (the language server's code actions, which an
editor may ask for whenever the cursor moves), so it costs a walk of the module and a
regeneration of the one statement it changes, never a transformation of the whole tree (and
with the language server's memo, the walk and the positions of unchanged statements come from
the last lint). The node is found the way the rule placed its finding
(:class:`mllint.locate.Locator`); the edit replaces exactly that node's text, checked against
the document, with the live arm regenerated at the same indentation (``pass`` where the arm
is empty and the statement was alone in its block).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from mllint.evaluate import literal_truth
from mllint.fixing.engine import compiles
from mllint.fixing.transform import FilePlan, rewrite
from mllint.locate import Locator, code_at
from mllint.memo import Memo
from mllint.model import Finding
from mllint.source import split_lines
from mllint.walker import Walker, callbacks_of


@dataclass(frozen=True)
class Fix:
    """Replace ``text[start:end]`` with ``replacement``; ``title`` is what the editor shows."""

    title: str
    start: int
    end: int
    replacement: str


def has_fix(code: str) -> bool:
    """Whether findings of the rule ``code`` can have a fix (in the editor)."""
    return code in _FIXERS


SAFE_FIX_CODES = frozenset({"ML101", "ML102"})
"""Rules whose fix ``check --fix`` makes without ``--unsafe-fixes``."""


def has_safe_fix(code: str) -> bool:
    """Whether ``check --fix`` fixes findings of the rule ``code`` (without unsafe fixes)."""
    return code in SAFE_FIX_CODES


def fix_all(text: str, findings: Sequence[Finding]) -> Optional[Fix]:
    """One edit that makes every safe fix of ``findings`` (of this text) at once: the dead
    arms of ML101 and ML102 go (``source.fixAll.mllint``). ``None`` when nothing changes."""
    from mllint.fixing.plan import SAFE, applicability, finding_id
    from mllint.fixing.transform import FilePlan

    plan = FilePlan()
    for finding in findings:
        if finding.code in SAFE_FIX_CODES and applicability(finding) == SAFE:
            span = finding.span
            key = (span.line, span.column, span.end_line, span.end_column)
            plan.folds[key] = (finding.properties.get("deadArm") != "body", finding_id(finding))
    if not plan:
        return None
    try:
        return _planned(text, plan, "Fix all mllint findings that have a safe fix")
    except Exception:  # text that does not parse, a parser failure, nesting too deep
        return None


def fix_for(
    text: str,
    finding: Finding,
    module: Optional[cst.Module] = None,
    tree: Optional[ast.Module] = None,
    memo: Optional[Memo] = None,
) -> Optional[Fix]:
    """The fix of ``finding``, made on ``text``, or ``None`` when its rule has none or it does
    not apply to this text. The caller may pass what it has already: the parsed ``module``,
    CPython's ``tree`` and the ``memo`` of the last analysis of the text."""
    fixer = _FIXERS.get(finding.code)
    if fixer is None:
        return None
    try:
        if module is None:
            module = cst.parse_module(text)
        return fixer(text, module, finding, Locator(module, text, tree, memo), memo)
    except Exception:  # text that does not parse, a parser failure, nesting too deep
        return None


# -- ML101 -------------------------------------------------------------------------------------

_Target = Union[cst.If, cst.While, cst.IfExp]
_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Candidates:
    """The ``if``/``while``/conditional expressions with a literal test, as ML101 sees them,
    and whether each statement among them is alone in its block."""

    def __init__(self, walker: Walker) -> None:
        self.walker = walker
        self.found: List[Tuple[_Target, cst.CSTNode, Optional[cst.CSTNode], int, bool]] = []
        self.alone: Set[int] = set()
        self._blocks: List[cst.IndentedBlock] = []

    def _note(self, node: _Target, end: cst.CSTNode, is_statement: bool) -> None:
        if literal_truth(node.test, operators=True) is None:
            return
        walker = self.walker
        is_elif = is_statement and id(node) in walker.elifs
        self.found.append((node, end, walker.statement, walker.statement_index, is_elif))
        body = self._blocks[-1].body if self._blocks else ()
        if is_statement and len(body) == 1 and body[0] is node:
            self.alone.add(id(node))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.append(node)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.pop()

    def visit_If(self, node: cst.If) -> None:
        self._note(node, node.test, True)

    def visit_While(self, node: cst.While) -> None:
        self._note(node, node.test, True)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._note(node, node, False)


def _fix_constant_condition(
    text: str, module: cst.Module, finding: Finding, locator: Locator, memo: Optional[Memo]
) -> Optional[Fix]:
    walker = Walker()
    candidates = _Candidates(walker)
    walker.walk(module, *callbacks_of([candidates]), memo=memo)
    for node, end, statement, index, is_elif in candidates.found:
        span = locator.span(
            node, statement, index, walker.statement_count, end_node=end, is_elif=is_elif
        )
        if span != finding.span:
            continue
        lines = split_lines(text)
        offsets = [0, *(match.end() for match in _NEWLINE.finditer(text))]
        if isinstance(node, cst.IfExp):
            start = offsets[span.line - 1] + span.column - 1
            stop = offsets[span.end_line - 1] + span.end_column - 1
            live = node.body if literal_truth(node.test, operators=True) else node.orelse
            title = "Keep the arm of the conditional expression that is always chosen"
            return Fix(title, start, stop, module.code_for_node(live))
        keyword_line = lines[span.line - 1]
        indent = keyword_line[: span.column - 1]
        if indent.strip():
            return None  # not at the start of its line
        start = offsets[span.line - 1]
        old = code_at(module, node.with_changes(leading_lines=()), [indent], is_elif)
        if text[start : start + len(old)] != old:
            return None
        title, new = _live_arm(module, node, indent, is_elif)
        if not new and id(node) in candidates.alone:
            new = f"{indent}pass{module.default_newline}"
        return Fix(title, start, start + len(old), new)
    return None


def _live_arm(
    module: cst.Module, node: Union[cst.If, cst.While], indent: str, is_elif: bool
) -> Tuple[str, str]:
    """The title of the fix and the text that takes the place of ``node`` (an ``elif`` from
    its keyword on, a statement from the start of its line)."""
    truth = bool(literal_truth(node.test, operators=True))
    if isinstance(node, cst.While):
        return "Delete the `while` loop that never runs", _arm(module, node.orelse, indent)
    if is_elif:
        if truth:
            arm = cst.Else(body=node.body, whitespace_before_colon=node.whitespace_after_test)
            return "Turn the `elif` whose test is always true into `else`", code_at(
                module, arm, [indent]
            )
        orelse = node.orelse
        new = (
            "" if orelse is None else code_at(module, orelse, [indent], isinstance(orelse, cst.If))
        )
        return "Delete the dead `elif` arm: its test is never true", new
    if truth:
        return "Keep the body of the `if`: its test is always true", _statements(
            module, _body(node.body), indent
        )
    if isinstance(node.orelse, cst.If):
        plain = node.orelse.with_changes(leading_lines=())
        return "Delete the dead `if` arm: its test is never true", code_at(module, plain, [indent])
    return "Delete the dead `if` branch: its test is never true", _arm(module, node.orelse, indent)


def _arm(module: cst.Module, arm: Optional[cst.Else], indent: str) -> str:
    return "" if arm is None else _statements(module, _body(arm.body), indent)


def _statements(module: cst.Module, statements: Sequence[cst.BaseStatement], indent: str) -> str:
    return "".join(code_at(module, s, [indent]) for s in statements)


def _body(suite: cst.BaseSuite) -> List[cst.BaseStatement]:
    """The statements of a block; those of a one-line suite (``if x: a; b``) as one line."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=suite.body)]


# -- ML102, ML106: through the fix engine ------------------------------------------------------


def _planned(text: str, plan: FilePlan, title: str) -> Optional[Fix]:
    """The edit that ``plan`` makes on ``text``: the changed stretch, from the first changed
    character to the last; ``None`` when nothing changes or the result does not compile."""
    module = cst.parse_module(text)  # fresh: the rewrite needs nodes of this text only
    done = rewrite(module, plan, text)
    if not done.applied or done.code == text:
        return None
    try:
        compiles(done.code, "<fix>")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    new = done.code
    start = 0
    limit = min(len(text), len(new))
    while start < limit and text[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and text[len(text) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return Fix(title, start, len(text) - end, new[start : len(new) - end])


def _fix_stale_flag(
    text: str, module: cst.Module, finding: Finding, locator: Locator, memo: Optional[Memo]
) -> Optional[Fix]:
    span = finding.span
    key = (span.line, span.column, span.end_line, span.end_column)
    truth = finding.properties.get("deadArm") != "body"
    flag = finding.properties.get("flag", "")
    plan = FilePlan(folds={key: (truth, finding.code)})
    return _planned(text, plan, f"Delete the arm that `{flag}` never selects")


def _fix_dead_definition(
    text: str, module: cst.Module, finding: Finding, locator: Locator, memo: Optional[Memo]
) -> Optional[Fix]:
    span = finding.span
    name = finding.properties.get("definition", "")
    plan = FilePlan(statements={(span.line, span.column): finding.code})
    return _planned(text, plan, f"Delete `{name}`: only dead arms use it")


_FIXERS: Dict[str, Callable[[str, cst.Module, Finding, Locator, Optional[Memo]], Optional[Fix]]] = {
    "ML101": _fix_constant_condition,
    "ML102": _fix_stale_flag,
    "ML106": _fix_dead_definition,
}
