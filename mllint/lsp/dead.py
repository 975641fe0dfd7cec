"""The dead arm of a branch that ML101 or ML102 reports, so that an editor can fade it.

The finding is at the ``if`` (``elif``, ``while``, conditional expression) and says which arm
can never run (``properties.deadArm``: ``body`` or ``orelse``); this finds that arm's text in
the CPython ``ast`` of the same buffer. An ``else:`` arm starts at its ``else`` keyword, an
``elif`` arm at its ``elif``, so the whole dead part is faded, keyword included.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mllint.model import Finding, Span
from mllint.source import split_lines

DEAD_ARM_CODES = frozenset({"ML101", "ML102"})
"""The rules whose findings have a dead arm to fade."""

_Branch = Union[ast.If, ast.While, ast.IfExp]


def dead_spans(
    text: str, tree: Optional[ast.Module], findings: Sequence[Finding]
) -> Dict[int, Span]:
    """For each finding of ``findings`` (by index) that reports a dead arm of ``text``, the
    span of that arm. ``tree`` is the buffer's ``ast`` (parsed here when ``None``); text
    that does not parse has no dead arms."""
    wanted = [
        (i, f)
        for i, f in enumerate(findings)
        if f.code in DEAD_ARM_CODES and f.properties.get("deadArm") in ("body", "orelse")
    ]
    if not wanted:
        return {}
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return {}
    lines = split_lines(text)
    branches: Dict[Tuple[int, int], List[_Branch]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            start = (node.lineno, _column(lines, node.lineno, node.col_offset))
            branches.setdefault(start, []).append(node)
    found: Dict[int, Span] = {}
    for index, finding in wanted:
        candidates = branches.get((finding.span.line, finding.span.column), [])
        branch = _best(candidates, finding, lines)
        if branch is None:
            continue
        span = _arm_span(branch, str(finding.properties["deadArm"]), lines)
        if span is not None:
            found[index] = span
    return found


def _best(candidates: List[_Branch], finding: Finding, lines: Sequence[str]) -> Optional[_Branch]:
    """The branch the finding is about: of the branches starting where it starts, the one
    whose test (statements) or whole expression (conditional expressions) ends where it ends."""
    end = (finding.span.end_line, finding.span.end_column)
    for node in candidates:
        last = node if isinstance(node, ast.IfExp) else node.test
        if _end(last, lines) == end:
            return node
    return candidates[0] if len(candidates) == 1 else None


def _arm_span(node: _Branch, arm: str, lines: Sequence[str]) -> Optional[Span]:
    if isinstance(node, ast.IfExp):
        part = node.body if arm == "body" else node.orelse
        return Span(part.lineno, _column(lines, part.lineno, part.col_offset), *_end(part, lines))
    body: List[ast.stmt] = node.body if arm == "body" else node.orelse
    if not body:
        return None
    first, last = body[0], body[-1]
    start = (first.lineno, _column(lines, first.lineno, first.col_offset))
    if arm == "orelse" and not _is_elif(first, lines):
        start = _else_keyword(node, lines) or start
    return Span(start[0], start[1], *_end(last, lines))


def _is_elif(node: ast.stmt, lines: Sequence[str]) -> bool:
    if not isinstance(node, ast.If):
        return False
    text = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    return text.encode("utf-8")[node.col_offset : node.col_offset + 4] == b"elif"


def _else_keyword(
    node: Union[ast.If, ast.While], lines: Sequence[str]
) -> Optional[Tuple[int, int]]:
    """Where the ``else`` of ``node`` is: the first line between the body and the ``else``
    arm whose code starts with ``else`` and a colon (comments and blank lines may sit between)."""
    after = node.body[-1].end_lineno or node.body[-1].lineno
    for number in range(after + 1, node.orelse[0].lineno + 1):
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        stripped = text.lstrip()
        if stripped.startswith("else") and stripped[4:].lstrip().startswith(":"):
            return number, len(text) - len(stripped) + 1
    return None


def _column(lines: Sequence[str], line: int, byte_offset: int) -> int:
    """The 1-based code point column of the UTF-8 ``byte_offset`` that ``ast`` gives."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return byte_offset + 1
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def _end(node: ast.AST, lines: Sequence[str]) -> Tuple[int, int]:
    line = int(getattr(node, "end_lineno", None) or getattr(node, "lineno", None) or 1)
    return line, _column(lines, line, int(getattr(node, "end_col_offset", None) or 0))
