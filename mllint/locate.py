"""Line and column numbers for LibCST nodes, without LibCST's whole-module position pass.

LibCST keeps no positions in its nodes; its ``PositionProvider`` regenerates the whole module
to compute them, which costs about twice the parse. Most files have nothing to report, and
the rest only a few nodes, so positions are found in two cheap steps, and only on demand:

1. CPython's ``ast`` (a C parser, a few percent of LibCST's cost) gives the absolute position
   of every *statement*. Statements are numbered in the same pre-order in both trees, so the
   n-th LibCST statement is the n-th ``ast`` statement.
2. The position of a node inside its statement comes from regenerating that one statement
   with LibCST's position-tracking code generator.

When CPython cannot parse the file (newer syntax than the running interpreter) or the two
trees disagree, the whole-module ``PositionProvider`` is used instead.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodeRange
from libcst.metadata import MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from mllint.memo import Memo
from mllint.model import Span
from mllint.source import split_lines

STATEMENT_TYPES = (cst.BaseSmallStatement, cst.BaseCompoundStatement)


def ast_statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every statement of ``tree`` in pre-order, fields in declaration order."""
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        children = (
            [
                child
                for name in node._fields
                for child in _as_list(getattr(node, name, None))
                if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case))
            ]
            if not isinstance(node, ast.expr)
            else []
        )
        stack.extend(reversed(children))


def code_at(
    module: cst.Module, node: cst.CSTNode, indents: Sequence[str] = (), is_elif: bool = False
) -> str:
    """The text of ``node`` of ``module`` inside bodies indented by ``indents`` (an ``if`` as
    the ``elif`` it is), as it stands in the module's text."""
    state = CodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        indent_tokens=list(indents),
    )
    if is_elif and isinstance(node, cst.If):
        node._codegen(state, is_elif=True)
    else:
        node._codegen(state)
    return "".join(state.tokens)


def _as_list(value: object) -> List[object]:
    return value if isinstance(value, list) else []


class _Collector:
    """Stands in for a metadata provider: the codegen state stores ranges here."""

    def __init__(self) -> None:
        self._computed: Dict[cst.CSTNode, CodeRange] = {}


class Locator:
    """Finds spans of nodes of one parsed module."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        tree: Optional[ast.Module] = None,
        memo: Optional[Memo] = None,
    ) -> None:
        self._module = module
        self._memo = memo
        self._text = text
        self._tree = tree
        self._tree_failed = False
        self._lines: Optional[List[str]] = None
        self._anchors: Optional[List[Tuple[int, int]]] = None
        self._whole: Optional[Mapping[cst.CSTNode, CodeRange]] = None
        self._local: Dict[int, Mapping[cst.CSTNode, CodeRange]] = {}

    def span(
        self,
        node: cst.CSTNode,
        statement: Optional[cst.CSTNode],
        index: int,
        statement_count: int,
        *,
        end_node: Optional[cst.CSTNode] = None,
        is_elif: bool = False,
    ) -> Span:
        """The span of ``node``, which lies in ``statement``, the ``index``-th statement.

        ``end_node`` moves the end of the span to the end of that node (for example the test of
        an ``if``, so the span covers the header rather than the whole block).
        """
        end_node = end_node or node
        if statement is not None and self._use_statements(statement_count):
            try:
                start, end = self._local_span(node, end_node, statement, index, is_elif)
                return Span(start[0], start[1] + 1, end[0], end[1] + 1)
            except (KeyError, RecursionError):
                pass
        ranges = self._whole_module()
        first = ranges.get(node)
        last = ranges.get(end_node)
        if first is None or last is None:
            return Span(1, 1, 1, 1)
        return Span(first.start.line, first.start.column + 1, last.end.line, last.end.column + 1)

    def statement_span(
        self,
        node: cst.CSTNode,
        end_node: cst.CSTNode,
        statement: cst.CSTNode,
        index: int,
        statement_count: int,
        is_elif: bool = False,
    ) -> Optional[Tuple[Tuple[int, int], Tuple[int, int]]]:
        """Where ``node`` starts and ``end_node`` ends (line, 0-based column, as LibCST's
        ``PositionProvider`` has them), both inside ``statement``, the ``index``-th statement;
        ``None`` when that cannot be told from the statement alone (no fallback to the whole
        module, unlike :meth:`span`)."""
        if not self._use_statements(statement_count):
            return None
        try:
            return self._local_span(node, end_node, statement, index, is_elif)
        except (KeyError, RecursionError):
            return None

    def statement_start(self, index: int, statement_count: int) -> Optional[Tuple[int, int]]:
        """Line and 1-based column where the ``index``-th statement starts (its keyword, after
        any decorators), or ``None`` when the statement anchors are unavailable."""
        if not self._use_statements(statement_count):
            return None
        assert self._anchors is not None
        line, byte_col = self._anchors[index]
        prefix = self._line(line).encode("utf-8")[:byte_col]
        return line, len(prefix.decode("utf-8", "replace")) + 1

    @property
    def text(self) -> str:
        """The source text of the module."""
        return self._text

    def ast_tree(self) -> Optional[ast.Module]:
        """CPython's ``ast`` tree of the module, parsed once and shared (``None`` when
        CPython cannot parse it, e.g. newer syntax than the running interpreter)."""
        if self._tree is None and not self._tree_failed:
            try:
                self._tree = ast.parse(self._text)
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                self._tree_failed = True
        return self._tree

    def _use_statements(self, statement_count: int) -> bool:
        if self._anchors is None:
            tree = self.ast_tree()
            anchors: List[Tuple[int, int]] = []
            for top in [] if tree is None else tree.body:
                found = None if self._memo is None else self._memo.get("anchors", top)
                if found is None:
                    found = [(s.lineno, s.col_offset) for s in ast_statements(top)]
                    if self._memo is not None:
                        self._memo.put("anchors", top, found)
                anchors.extend(found)
            self._anchors = anchors
        return len(self._anchors) == statement_count and statement_count > 0

    def _line(self, number: int) -> str:
        if self._lines is None:
            self._lines = split_lines(self._text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _local_span(
        self,
        node: cst.CSTNode,
        end_node: cst.CSTNode,
        statement: cst.CSTNode,
        index: int,
        is_elif: bool,
    ) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        assert self._anchors is not None
        line, byte_col = self._anchors[index]
        source_line = self._line(line)
        column = len(source_line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        ranges = self._local.get(index)
        # Continuation lines may re-emit the enclosing block's indentation, so the generator
        # starts with it for every kind of statement.
        indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
        context = (indent, is_elif, self._module.default_indent, self._module.default_newline)
        if ranges is None and self._memo is not None:
            ranges = self._memo.get("ranges", statement, *context)
        if ranges is None:
            collector = _Collector()
            state = PositionProvidingCodegenState(
                default_indent=self._module.default_indent,
                default_newline=self._module.default_newline,
                provider=collector,  # type: ignore[arg-type]
                indent_tokens=[indent],
            )
            if is_elif and isinstance(statement, cst.If):
                statement._codegen(state, is_elif=True)
            else:
                statement._codegen(state)
            ranges = collector._computed
            if self._memo is not None:
                self._memo.put("ranges", statement, ranges, *context)
        self._local[index] = ranges
        anchor = ranges[statement].start
        line_shift = line - anchor.line
        column_shift = column - anchor.column

        def absolute(line_no: int, col: int) -> Tuple[int, int]:
            return (line_no + line_shift, col + column_shift if line_no == anchor.line else col)

        first = ranges[node].start
        last = ranges[end_node].end
        return absolute(first.line, first.column), absolute(last.line, last.column)

    def _whole_module(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._whole is None:
            try:
                wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
                self._whole = wrapper.resolve(PositionProvider)
            except RecursionError:
                self._whole = {}
        return self._whole
