"""Re-parsing only the top-level statements an edit touched.

LibCST has no incremental parser, and parsing is most of the cost of linting a buffer (about
0.4 s of CPU for a 2,000-line module here). An edit inside one function leaves every other
top-level statement as it was, so :class:`Reparser` keeps the last module it parsed, finds the
top-level statements the changed text overlaps, parses just those (plus one neighbour on each
side) and splices them into the previous module. The splice is used only when the new module
renders to exactly the new text with the same indentation and newline conventions; anything
else (an edit in the file's first or last lines, text that does not parse on its own, a module
without a final newline) takes a full parse, so the result is always the module that
``libcst.parse_module`` would give for the text (up to which statement owns a comment line).
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from mllint.locate import code_at
from mllint.memo import Memo
from mllint.source import looks_deep


@dataclass(frozen=True)
class _Parsed:
    text: str
    module: cst.Module
    starts: Tuple[int, ...]
    """Offset in ``text`` where each top-level statement starts, then where the footer does."""


def _render(module: cst.Module, nodes: Sequence[cst.CSTNode]) -> List[str]:
    return [code_at(module, node) for node in nodes]


def _lines_code(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    return "".join(_render(module, lines))


def _starts(module: cst.Module, text: str) -> Optional[Tuple[int, ...]]:
    """Statement offsets, or ``None`` when the pieces do not add up to ``text``."""
    if not module.has_trailing_newline:
        return None
    header = _lines_code(module, module.header)
    codes = _render(module, module.body)
    footer = _lines_code(module, module.footer)
    if header + "".join(codes) + footer != text:
        return None
    offsets = [len(header)]
    for code in codes:
        offsets.append(offsets[-1] + len(code))
    return tuple(offsets)


class Reparser:
    """Parses successive versions of one buffer, re-using the previous parse."""

    def __init__(self) -> None:
        self._last: Optional[_Parsed] = None
        self.spliced = 0
        """How many parses were splices (for the log and the tests)."""
        self.spliced_inside = 0
        """How many of those splices parsed statements inside a class or function body."""
        self.memo = Memo()
        """Results about the statements an edit left alone, for the next analysis."""
        self._bodies: OrderedDict[int, Tuple[cst.CSTNode, Tuple[int, ...]]] = OrderedDict()

    def parse(self, text: str) -> cst.Module:
        """The module of ``text``; raises what :func:`libcst.parse_module` raises."""
        module = self._splice(text) if self._last is not None else None
        if module is None:
            module = cst.parse_module(text)
            starts = _starts(module, text)
            self._last = None if starts is None else _Parsed(text, module, starts)
        else:
            self.spliced += 1
        return module

    def parsed(self, text: str) -> Optional[cst.Module]:
        """The module parsed last, when it was parsed from ``text`` (readable from any
        thread: the module is never changed, only replaced)."""
        last = self._last
        return last.module if last is not None and last.text == text else None

    def forget(self) -> None:
        """Drop the previous parse (the next one is a full parse)."""
        self._last = None

    def ast_tree(self) -> Optional[ast.Module]:
        """CPython's ``ast`` tree of the text parsed last, built statement by statement.

        Each top-level statement is parsed on its own, at its own line (the text before it
        stands in as blank lines), and kept for as long as the edits leave its LibCST node
        alone and it does not move to another line. ``None`` when the last parse was not
        kept or a statement does not parse (the caller then parses the whole text, which
        decides).
        """
        last = self._last
        if last is None:
            return None
        text, starts, memo = last.text, last.starts, self.memo
        body: List[ast.stmt] = []
        line = 1 + text.count("\n", 0, starts[0])
        for number, statement in enumerate(last.module.body):
            segment = text[starts[number] : starts[number + 1]]
            parsed = memo.get("ast", statement, line)
            if parsed is None:
                try:
                    parsed = ast.parse("\n" * (line - 1) + segment).body
                except (SyntaxError, RecursionError, MemoryError, ValueError):
                    return None
                memo.put("ast", statement, parsed, line)
            body.extend(parsed)
            line += segment.count("\n")
        return ast.Module(body=body, type_ignores=[])

    def _splice(self, text: str) -> Optional[cst.Module]:
        last = self._last
        assert last is not None
        old = last.text
        if text == old:
            return last.module
        prefix = _common_prefix(old, text)
        suffix = _common_suffix(old, text, prefix)
        starts = last.starts
        body = last.module.body
        old_end = len(old) - suffix  # the changed region of the old text: [prefix, old_end)
        if prefix < starts[0] or old_end > starts[-1] or not body:
            return None  # the header or the footer changed
        delta = len(text) - len(old)
        at = _statement_at(starts, prefix)
        if at == _statement_at(starts, max(old_end - 1, prefix)):
            inner = self._splice_inside(text, at, prefix, old_end, delta)
            if inner is not None:
                return inner
        first, last_index = _window(starts, len(body), prefix, old_end)
        begin, end = starts[first], starts[last_index + 1]
        if "".join(_render(last.module, body[first : last_index + 1])) != old[begin:end]:
            return None  # the offsets kept from the last parse are wrong: never splice blind
        segment = text[begin : end + delta]
        if not _parseable(segment):
            return None
        try:
            piece = cst.parse_module(segment)
        except Exception:  # does not parse on its own: the full parse says why
            return None
        if (
            not piece.body
            or piece.footer
            or not piece.has_trailing_newline
            or piece.default_indent != last.module.default_indent
            or piece.default_newline != last.module.default_newline
        ):
            return None
        statements = list(piece.body)
        header = last.module.header
        lead = ""
        if piece.header and first == 0:
            # blank and comment lines above the first statement are the module's header
            header = (*header, *piece.header)
            lead = _lines_code(last.module, piece.header)
        elif piece.header:
            # on its own the piece's leading blank and comment lines are the module's header;
            # inside the module they lead its first statement
            head = statements[0]
            statements[0] = head.with_changes(leading_lines=(*piece.header, *head.leading_lines))
        module = last.module.with_changes(
            header=header, body=(*body[:first], *statements, *body[last_index + 1 :])
        )
        codes = _render(module, statements)
        if lead + "".join(codes) != segment:
            return None
        new_starts = _shifted(starts, first, last_index, starts[first] + len(lead), codes, delta)
        self._last = _Parsed(text, module, new_starts)
        return module

    # -- inside a class or function --------------------------------------------------------

    def _splice_inside(
        self, text: str, index: int, prefix: int, old_end: int, delta: int
    ) -> Optional[cst.Module]:
        """Splice when the change lies inside the body of the ``index``-th top-level
        statement, a class or function: descend through the bodies of classes and
        functions to the innermost one whose statements hold the change, and parse just
        those statements (and a neighbour on each side) there, at their own indentation."""
        last = self._last
        assert last is not None
        module = last.module
        levels: List[Tuple[cst.CSTNode, cst.IndentedBlock, int, int]] = []
        statement: cst.CSTNode = module.body[index]
        start = last.starts[index]
        indents: List[str] = []
        while isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            block = statement.body
            if not isinstance(block, cst.IndentedBlock) or not block.body:
                break
            inner = [*indents, module.default_indent if block.indent is None else block.indent]
            offsets = tuple(
                start + o for o in self._offsets(module, statement, block, indents, inner)
            )
            if prefix < offsets[0] or old_end > offsets[-1]:
                break  # the change touches the header or the footer of this body
            first = _statement_at(offsets, prefix)
            levels.append((statement, block, start, first))
            indents = inner  # from here on: the indentation of this body's statements
            if first != _statement_at(offsets, max(old_end - 1, prefix)):
                break  # several statements of this body: they are parsed again
            statement, start = block.body[first], offsets[first]
        if not levels:
            return None
        owner, block, owner_start, _ = levels[-1]
        relative = self._offsets(module, owner, block, indents[:-1], indents)
        offsets = tuple(owner_start + o for o in relative)
        low, high = _window(offsets, len(block.body), prefix, old_end)
        begin, end = offsets[low], offsets[high + 1]
        replaced = block.body[low : high + 1]
        if "".join(code_at(module, s, indents) for s in replaced) != last.text[begin:end]:
            return None  # the offsets are wrong: never splice blind
        segment = text[begin : end + delta]
        statements = _parse_at(segment, indents, module)
        if statements is None:
            return None
        codes = [code_at(module, s, indents) for s in statements]
        if "".join(codes) != segment:
            return None
        # rebuild the bodies from the inside out
        new_block = block.with_changes(
            body=(*block.body[:low], *statements, *block.body[high + 1 :])
        )
        node: cst.CSTNode = owner.with_changes(body=new_block)
        self._remember(node, _shifted(relative, low, high, relative[low], codes, delta))
        for outer, outer_block, _, at in reversed(levels[:-1]):
            outer_body = (*outer_block.body[:at], node, *outer_block.body[at + 1 :])
            outer_offsets = self._known(outer)
            node = outer.with_changes(body=outer_block.with_changes(body=outer_body))
            if outer_offsets is not None:
                self._remember(
                    node, (*outer_offsets[: at + 1], *(o + delta for o in outer_offsets[at + 1 :]))
                )
        body = module.body
        new_module = module.with_changes(body=(*body[:index], node, *body[index + 1 :]))
        starts = last.starts
        new_starts = (*starts[: index + 1], *(o + delta for o in starts[index + 1 :]))
        self._last = _Parsed(text, new_module, new_starts)
        self.spliced_inside += 1
        return new_module

    def _offsets(
        self,
        module: cst.Module,
        owner: cst.CSTNode,
        block: cst.IndentedBlock,
        indents: Sequence[str],
        inner: Sequence[str],
    ) -> Tuple[int, ...]:
        """Where each statement of ``owner``'s body starts, then where the body's footer
        does, counted from the start of ``owner`` (rendered once per node, then kept)."""
        known = self._known(owner)
        if known is not None:
            return known
        empty = block.with_changes(body=(), footer=())
        bare = code_at(module, owner.with_changes(body=empty), indents)
        offsets = [len(bare) - len("".join(inner)) - len("pass" + module.default_newline)]
        for statement in block.body:
            offsets.append(offsets[-1] + len(code_at(module, statement, inner)))
        self._remember(owner, tuple(offsets))
        return tuple(offsets)

    def _known(self, owner: cst.CSTNode) -> Optional[Tuple[int, ...]]:
        entry = self._bodies.get(id(owner))
        if entry is None or entry[0] is not owner:
            return None
        self._bodies.move_to_end(id(owner))
        return entry[1]

    def _remember(self, owner: cst.CSTNode, offsets: Tuple[int, ...]) -> None:
        self._bodies[id(owner)] = (owner, offsets)
        self._bodies.move_to_end(id(owner))
        while len(self._bodies) > _BODIES_KEPT:
            self._bodies.popitem(last=False)


_BODIES_KEPT = 64
"""Bodies whose statement offsets are kept (the classes and functions edited lately)."""


def _parse_at(
    segment: str, indents: Sequence[str], module: cst.Module
) -> Optional[List[cst.BaseStatement]]:
    """The statements of ``segment``, which sits in a body indented by ``indents``, parsed
    there: inside one wrapping class per level of indentation, each as indented as that
    level. ``None`` when it does not parse, or not into exactly what it would be in place."""
    if not _parseable(segment):
        return None
    newline = module.default_newline
    wrapper = "".join(
        f"{''.join(indents[:k])}class _mllint_{k}:{newline}" for k in range(len(indents))
    )
    try:
        piece = cst.parse_module(wrapper + segment)
    except Exception:  # does not parse on its own: the full parse says why
        return None
    if (
        piece.header
        or piece.footer
        or not piece.has_trailing_newline
        or piece.default_indent != module.default_indent
        or piece.default_newline != newline
        or len(piece.body) != 1
    ):
        return None
    node: cst.CSTNode = piece.body[0]
    for k in range(len(indents)):
        if not isinstance(node, cst.ClassDef) or node.name.value != f"_mllint_{k}":
            return None
        block = node.body
        if not isinstance(block, cst.IndentedBlock) or block.footer:
            return None
        if k + 1 < len(indents):
            if len(block.body) != 1:
                return None
            node = block.body[0]
        else:
            return list(block.body) or None
    return None


def _window(offsets: Sequence[int], count: int, prefix: int, old_end: int) -> Tuple[int, int]:
    """The first and last of ``count`` statements starting at ``offsets`` to parse again for a
    change of ``[prefix, old_end)``: those it overlaps, and one neighbour on each side."""
    low = max(0, _statement_at(offsets, prefix) - 1)
    high = min(count - 1, _statement_at(offsets, max(old_end - 1, prefix)) + 1)
    return low, high


def _shifted(
    offsets: Sequence[int], low: int, high: int, start: int, codes: Sequence[str], delta: int
) -> Tuple[int, ...]:
    """``offsets`` once statements ``low..high`` are replaced by new ones with the texts
    ``codes``, the first of them starting at ``start``, and the text after them moved by
    ``delta``."""
    new = [*offsets[:low], start]
    for code in codes:
        new.append(new[-1] + len(code))
    new.extend(offset + delta for offset in offsets[high + 2 :])
    return tuple(new)


def _parseable(segment: str) -> bool:
    """Whether ``segment`` may go to the parser on its own (the full parse handles, and
    words, NUL bytes and nesting deep enough to crash the native parser)."""
    return bool(segment) and "\x00" not in segment and not looks_deep(segment)


def _common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    low, high = 0, limit
    while low < high:  # binary search on slices: C-speed comparisons
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, prefix: int) -> int:
    limit = min(len(a), len(b)) - prefix
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _statement_at(starts: Sequence[int], offset: int) -> int:
    """Index of the statement whose text holds ``offset``."""
    low, high = 0, len(starts) - 2
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low
