"""Reading a source file into text, and the checks that must pass before LibCST sees it.

Whether a file is Python is CPython's verdict: :func:`python_tree` parses it with ``ast`` and
compiles that tree (``compile()`` finds errors the parser does not, such as ``return`` outside
a function, and never runs anything), so a file is ML000 exactly when the interpreter would
refuse it.

LibCST's native parser overflows its stack (a segmentation fault, not an exception) on
structures that CPython keeps flat: a boolean chain of about 7,000 terms (``a and a and ...``)
or a dotted name of about 6,000 parts in an import, measured with an 8 MiB stack. Everything
CPython nests itself it refuses beyond about 3,000 levels, well before LibCST crashes.
:func:`check_depth` measures each long statement on CPython's tree the way LibCST nests it
and refuses more than :data:`MAX_NESTING` levels before LibCST sees the file.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Iterator, List, NoReturn, Optional, Tuple

MAX_NESTING = 1000
"""Deepest syntax tree accepted, counted as LibCST nests it (each term of a boolean chain
and each part of an imported dotted name is a level): deeper files are reported as ML000.
LibCST's parser crashes at about 6,000 such levels; mllint's own rules stay below Python's
recursion limit with trees this deep."""

_BRACKET = re.compile(r"[()\[\]{}]")
_LONG_LINE = 2000
_LONG_REGION = 8 * 1024
_MANY_CONTINUATIONS = 500
_SUSPICIOUS_BRACKET_DEPTH = 100

PARSE_NAME = "<mllint>"
"""The file name CPython's parser and compiler see: their warnings are recognised by it."""
_QUIET = r"<(?:mllint|unknown)>\Z"
"""Warnings about code parsed as :data:`PARSE_NAME` or as ``<unknown>`` (what ``ast.parse``
calls a string it is given without a name, as mllint's rules do for pieces of a file)."""


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

    Deep nesting needs deep brackets or a very long statement: a long line, a long bracketed
    region spanning lines, a long run of backslash continuations. The structures LibCST nests
    where CPython does not (``and``/``or`` chains, dotted import names) crash it only at
    thousands of terms, which take far more characters than those bounds allow in one
    statement, so they are caught by length; counting their words over the whole file would
    mark every large module (the language server then analyses it in full, in a worker). (An
    analysis of the whole file measures every long statement with :func:`check_depth`
    regardless; this screen is for callers that parse pieces, such as the language server.)
    """
    if text.count("\\\n") > _MANY_CONTINUATIONS:
        return True
    run = 0
    for line in split_lines(text):
        if len(line) > _LONG_LINE:
            return True
        run = run + len(line) if line.endswith("\\") else 0
        if run > _LONG_LINE:
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


def quiet_warnings() -> None:
    """Keep CPython's compile-time warnings about the linted code (invalid escape sequences,
    ``is`` with a literal...) off stderr.

    A filter for warnings attributed to code parsed from a string (see :data:`_QUIET`) is kept
    first in the process's filters, rather than ``warnings.catch_warnings()``, which is not
    thread-safe (the language server analyses on a thread) and would hide the host's own
    warnings for the duration.
    """
    filters = warnings.filters
    if filters:
        action, _message, _category, module, _line = filters[0]
        if action == "ignore" and module is not None and module.pattern == _QUIET:
            return
    warnings.filterwarnings("ignore", module=_QUIET)


_NESTING_MESSAGES = ("too many nested", "too many levels of indentation", "too complex")


def python_tree(text: str) -> ast.Module:
    """CPython's verdict on ``text``: its ``ast`` tree when ``compile()`` accepts the file.

    Raises :class:`SourceError` with CPython's message and position otherwise, including the
    errors only its compiler finds (``return`` outside a function, a duplicate argument, an
    unknown ``\\N{...}`` name...), and "nests too deeply" when its parser or compiler gives up
    on the depth. Nothing is executed; warnings stay quiet (see :func:`quiet_warnings`).
    """
    quiet_warnings()
    with _verdict():
        return compiled(ast.parse(text, PARSE_NAME), text)


def compiled(tree: ast.Module, text: str) -> ast.Module:
    """``tree`` (CPython's tree of ``text``) once CPython's compiler accepts it too; raises
    :class:`SourceError` as :func:`python_tree` does. The code object is dropped unused.

    Turning a Python ``ast`` tree back into CPython's own gives up at a smaller depth than
    compiling the text does, so a deep tree is compiled again from the text for the verdict.
    """
    quiet_warnings()
    with _verdict():
        try:
            compile(tree, PARSE_NAME, "exec", dont_inherit=True)
        except RecursionError:
            compile(text, PARSE_NAME, "exec", dont_inherit=True)
    return tree


@contextlib.contextmanager
def _verdict() -> Iterator[None]:
    """CPython's refusals as :class:`SourceError`."""
    try:
        yield
    except SyntaxError as exc:
        line = exc.lineno or 1
        # CPython's own message may name the line already: "(detected at line 39)"
        named = re.search(rf"\bline {line}\b", str(exc.msg)) is not None
        reason = str(exc.msg) if named else f"{exc.msg} (line {line})"
        if any(m in str(exc.msg) for m in _NESTING_MESSAGES):
            reason = f"nests too deeply: {reason}"
        raise SourceError(reason, line, max(exc.offset or 1, 1)) from None
    except (RecursionError, MemoryError):
        raise SourceError("nests too deeply for Python's parser") from None
    except ValueError as exc:  # pragma: no cover - NUL bytes are refused by decode()
        raise SourceError(str(exc)) from None


def check_nesting(text: str) -> ast.Module:
    """:func:`python_tree` and :func:`check_depth` in one: the ``ast`` tree of a file that
    both CPython and LibCST can take. Raises :class:`SourceError` otherwise."""
    tree = python_tree(text)
    check_depth(tree, text)
    return tree


_BLOCK_NODES: Tuple[type, ...] = (ast.stmt, ast.excepthandler) + (
    (ast.match_case,) if hasattr(ast, "match_case") else ()
)


def check_depth(tree: ast.Module, text: str) -> None:
    """Refuse a tree that LibCST would nest deeper than :data:`MAX_NESTING` levels.

    Only expressions at least :data:`MAX_NESTING` characters long can be that deep (every
    level takes a character of its own), so only those few are walked; the rest of the cost
    is one pass over the statements. Block nesting needs no check: CPython refuses more than
    100 levels of indentation.
    """
    offsets: Optional[List[int]] = None
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ImportFrom) and (node.module or "").count(".") >= MAX_NESTING:
            _measure(node, node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _BLOCK_NODES):
                stack.append(child)
                continue
            if isinstance(child, ast.alias) and child.name.count(".") < MAX_NESTING:
                continue
            end_line = getattr(child, "end_lineno", None)
            if end_line is None:
                _measure(child, node)
                continue
            if end_line == child.lineno:  # type: ignore[attr-defined]
                extent = child.end_col_offset  # type: ignore[attr-defined]
            else:
                offsets = offsets if offsets is not None else _line_offsets(text)
                extent = offsets[end_line] - offsets[child.lineno]  # type: ignore[attr-defined]
                extent += child.end_col_offset  # type: ignore[attr-defined]
            # From the start of the first line, in bytes on the last: never less than the
            # expression's length in characters.
            if extent >= MAX_NESTING:
                _measure(child, node)


def _measure(root: ast.AST, statement: ast.AST) -> None:
    """Walk ``root`` counting levels as LibCST nests them; raise past :data:`MAX_NESTING`."""
    stack: List[Tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            terms = len(node.values)
            depth += terms - 2  # LibCST: one node per operator, each holding the ones before
            if terms > MAX_NESTING:
                _too_deep(node, statement, f"{terms}-term boolean chain")
        elif isinstance(node, (ast.alias, ast.ImportFrom)):
            name = node.name if isinstance(node, ast.alias) else node.module or ""
            parts = name.count(".") + 1  # LibCST: an Attribute per dot
            if parts > MAX_NESTING:
                _too_deep(node, statement, f"{parts}-part dotted name")
            depth += parts - 1
        if depth > MAX_NESTING:
            _too_deep(node, statement, f"more than {MAX_NESTING} levels")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _too_deep(node: ast.AST, statement: ast.AST, what: str) -> NoReturn:
    where = node if getattr(node, "lineno", None) is not None else statement
    line = int(getattr(where, "lineno", None) or 1)
    column = int(getattr(where, "col_offset", None) or 0) + 1
    raise SourceError(f"nests too deeply for the parser: {what} at line {line}", line, column)


def _line_offsets(text: str) -> List[int]:
    offsets = [0, 0]
    for line in split_lines(text):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets
