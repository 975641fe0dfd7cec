"""Reading a source file into text, and the checks that must pass before LibCST sees it.

LibCST's native parser overflows its stack (a segmentation fault, not an exception) on
expressions nested a few thousand levels deep, so suspicious files are first measured with
CPython's own parser, which fails cleanly.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from typing import List, Optional, Tuple

MAX_NESTING = 1000
"""Deepest syntax tree accepted; deeper files are reported as ML000."""

_BRACKET = re.compile(r"[()\[\]{}]")
_LONG_LINE = 2000
_LONG_REGION = 32 * 1024
_MANY_CONTINUATIONS = 500
_SUSPICIOUS_BRACKET_DEPTH = 100


class SourceError(Exception):
    """A file that cannot be analysed, with the position of the problem when known."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(frozen=True)
class SourceText:
    """The decoded text of a file and the encoding it was declared in."""

    text: str
    encoding: str


def decode(data: bytes) -> SourceText:
    """Decode source bytes as Python does: BOM, PEP 263 cookie, else UTF-8.

    Raises :class:`SourceError` for NUL bytes, an unknown or contradictory declared encoding,
    and bytes that are not valid in the declared encoding.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise SourceError("source contains a NUL byte", line, nul - data.rfind(b"\n", 0, nul))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" in str(exc.msg):
            encoding = "utf-8"  # undeclared and not UTF-8: the decode below says where
        else:
            raise SourceError(f"bad encoding declaration: {exc.msg}", exc.lineno or 1) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise SourceError(
            f"not valid {name}: byte 0x{data[exc.start]:02x} cannot be decoded", line, column
        ) from None
    except LookupError:  # pragma: no cover - detect_encoding already rejects unknown codecs
        raise SourceError(f"unknown encoding {encoding!r}") from None
    if text.startswith("\ufeff"):  # a BOM in front of a non-utf-8-sig declaration
        text = text[1:]
    return SourceText(text=text, encoding=codecs.lookup(encoding).name)


_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """Lines as Python counts them (only CR, LF and CRLF end a line, unlike str.splitlines)."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def looks_deep(text: str) -> bool:
    """Cheap test for files that might nest deeply enough to crash LibCST's parser.

    Deep nesting needs either deep brackets, or a very long statement: a long line, a long
    bracketed region spanning lines, or many backslash continuations.
    """
    if text.count("\\\n") > _MANY_CONTINUATIONS:
        return True
    if any(len(line) > _LONG_LINE for line in split_lines(text)):
        return True
    depth = deepest = opened_at = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([{":
            if depth == 0:
                opened_at = match.start()
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
            if depth == 0 and match.start() - opened_at > _LONG_REGION:
                return True
    return deepest > _SUSPICIOUS_BRACKET_DEPTH


def check_nesting(text: str) -> Optional[ast.Module]:
    """Parse ``text`` with CPython's parser and refuse trees deeper than :data:`MAX_NESTING`.

    Returns the ``ast`` tree, or ``None`` when CPython cannot parse the file (it may use
    syntax newer than the running interpreter, so LibCST gets the last word). Raises
    :class:`SourceError` when the file nests too deeply.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            raise SourceError(f"nests too deeply: {exc.msg}", exc.lineno or 1) from None
        return None
    except (RecursionError, MemoryError):
        raise SourceError("nests too deeply for the parser") from None
    # Depth can only reach the limit in an expression at least that many characters long,
    # so only the few long expressions are measured.
    offsets = _line_offsets(text)
    for statement in _statements(tree):
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, _BLOCK_NODES):
                continue
            if _extent(child, offsets) >= MAX_NESTING:
                _check_depth(child)
    return tree


_BLOCK_NODES: Tuple[type, ...] = (ast.stmt, ast.excepthandler) + (
    (ast.match_case,) if hasattr(ast, "match_case") else ()
)


def _statements(tree: ast.AST) -> List[ast.AST]:
    found: List[ast.AST] = []
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCK_NODES))
    return found


def _line_offsets(text: str) -> List[int]:
    offsets = [0, 0]
    for line in split_lines(text):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


def _extent(node: ast.AST, offsets: List[int]) -> int:
    """Approximate length in characters of ``node``'s source (unknown: assume long)."""
    try:
        start = offsets[node.lineno] + node.col_offset  # type: ignore[attr-defined]
        end = offsets[node.end_lineno] + node.end_col_offset  # type: ignore[attr-defined]
    except (AttributeError, IndexError, TypeError):
        return MAX_NESTING
    return int(end - start)


def _check_depth(root: ast.AST) -> None:
    stack: List[Tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise SourceError(
                f"nests too deeply: more than {MAX_NESTING} levels",
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0) + 1,
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
