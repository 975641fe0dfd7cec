"""The per-file stage: decode, parse once with LibCST, run every per-file rule in one walk.

Whether a file is Python is CPython's verdict (see :mod:`mllint.source`): a file the
interpreter refuses is one ML000 finding, and so is one nested too deeply for LibCST's parser.
A file the interpreter accepts but LibCST's grammar does not (``(x): int = 1``, tens of
thousands of implicitly concatenated strings) is not ML000: the LibCST rules cannot run on
it, but its flags are still collected from CPython's tree, and its result says why under
:data:`NOT_ANALYSED` so that the run can say so once on stderr.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from mllint.config import Settings
from mllint.flags.facts import extract_facts
from mllint.flags.index import FAMILY as FLAG_FACTS
from mllint.locate import Locator
from mllint.memo import Memo
from mllint.model import FileResult, Finding, NoqaMap, Span
from mllint.rules import FILE_RULES
from mllint.rules.base import FileContext, FileRule
from mllint.rules.parse import ParseError
from mllint.safeio import TooLarge, UnsafePath, read_limited
from mllint.source import SourceError, check_depth, compiled, decode, python_tree
from mllint.suppress import parse_noqa
from mllint.walker import Walker, callbacks_of

MAX_FILE_SIZE = Settings.max_file_size
"""Largest file analysed unless configured otherwise (``max-file-size``)."""

NOT_ANALYSED = "not-analysed"
"""Key in :attr:`FileResult.facts` of a file that CPython accepts and LibCST cannot parse:
why the LibCST rules did not run on it."""


def parse_error(path: str, reason: str, line: int = 1, column: int = 1) -> FileResult:
    """The result for a file that cannot be analysed: one ML000 finding."""
    finding = Finding(
        path=path,
        span=Span(line, column, line, column),
        code=ParseError.code,
        name=ParseError.name,
        message=f"Cannot parse: {reason}",
        severity=ParseError.severity,
        properties={"reason": reason},
    )
    return FileResult(findings=(finding,), noqa=NoqaMap())


def too_large(path: str, size: int, limit: int) -> FileResult:
    """ML000 for a file over the size limit (it is not read)."""
    return parse_error(
        path, f"file too large ({size} bytes > {limit}; raise max-file-size to lint it)"
    )


def analyze_source(
    path: str,
    data: bytes,
    max_size: Optional[int] = None,
    rules: Optional[Sequence[Type[FileRule]]] = None,
) -> FileResult:
    """Analyse one file's bytes: findings of every per-file rule, noqa comments, facts.

    With ``max_size``, more bytes than that are ML000 "file too large" unexamined. With
    ``rules``, only those per-file rules run (the debt report's trend points need a few).
    """
    if max_size is not None and len(data) > max_size:
        return too_large(path, len(data), max_size)
    try:
        text = decode(data).text
        tree = python_tree(text)
        check_depth(tree, text)
    except SourceError as exc:
        return parse_error(path, exc.reason, exc.line, exc.column)
    try:
        module = cst.parse_module(text)
    except LIBCST_REFUSALS as exc:
        return _not_analysed(text, tree, exc)
    except RecursionError:
        return parse_error(path, "nests too deeply for the parser")
    return _analyze_parsed(path, module, text, tree, rules=rules)


def _run_rules(
    path: str,
    module: cst.Module,
    text: str,
    tree: Optional[ast.Module],
    memo: Optional[Memo],
    rule_classes: Optional[Sequence[Type[FileRule]]] = None,
) -> Tuple[List[Finding], Dict[str, Any]]:
    walker = Walker()
    context = FileContext(path, module, Locator(module, text, tree, memo), walker, memo)
    chosen = FILE_RULES if rule_classes is None else rule_classes
    rules = [rule_class(context) for rule_class in chosen]
    walker.walk(module, *callbacks_of(rules), memo=memo)
    facts: Dict[str, Any] = {}
    for rule in rules:
        rule_facts = rule.facts()
        if rule_facts is not None:
            facts[rule.code] = rule_facts
    return context.resolve(), facts


LIBCST_REFUSALS = (cst.ParserSyntaxError, cst.CSTValidationError)
"""What LibCST raises on source it will not take: a syntax error of its grammar, or a node it
builds and then refuses although CPython accepts the text (``[4and.1]``: "Must have at least
one space around boolean operator")."""


def libcst_reason(exc: Exception) -> str:
    """The first line of why LibCST refused a source."""
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0] if text else "syntax error"


def _not_analysed(text: str, tree: ast.Module, exc: Exception) -> FileResult:
    """The result of a file CPython accepts and LibCST does not: no findings, its ``# noqa``
    comments, the flag facts CPython's tree gives, and why."""
    message = libcst_reason(exc)
    facts: Dict[str, Any] = {
        NOT_ANALYSED: f"LibCST cannot parse it: {message.split(': expected', 1)[0]}",
    }
    flags = extract_facts(tree, text)
    if flags is not None:
        facts[FLAG_FACTS] = flags
    return FileResult(findings=(), noqa=parse_noqa(text), facts=facts, lines=_line_count(text))


def analyze_path(path: str, max_size: int = MAX_FILE_SIZE) -> FileResult:
    """Read and analyse one file; an unreadable file, or one larger than ``max_size`` bytes
    (never read whole), is an ML000 finding."""
    try:
        data = read_limited(Path(path), max_size)  # its size is checked before any read
    except TooLarge as exc:
        return too_large(path, exc.size, max_size)
    except UnsafePath:
        return parse_error(path, "cannot read file: not a regular file")
    except OSError as exc:
        return parse_error(path, f"cannot read file: {exc.strerror or exc}")
    return analyze_source(path, data)


def analyze_module(
    path: str,
    module: cst.Module,
    text: str,
    tree: Optional[ast.Module] = None,
    memo: Optional[Memo] = None,
) -> FileResult:
    """Analyse a module parsed already from ``text`` (the language server re-parses only the
    statements an edit touched); the same result :func:`analyze_source` gives for ``text``.

    ``tree`` is CPython's ``ast`` tree of ``text`` when the caller has it (it is compiled
    for the errors only the compiler finds); ``memo`` holds what an earlier analysis of the
    same buffer found out about the nodes it shares with ``module`` (see :mod:`mllint.memo`).
    """
    try:
        tree = python_tree(text) if tree is None else compiled(tree, text)
        check_depth(tree, text)
    except SourceError as exc:
        return parse_error(path, exc.reason, exc.line, exc.column)
    return _analyze_parsed(path, module, text, tree, memo)


def _analyze_parsed(
    path: str,
    module: cst.Module,
    text: str,
    tree: Optional[ast.Module],
    memo: Optional[Memo] = None,
    rules: Optional[Sequence[Type[FileRule]]] = None,
) -> FileResult:
    try:
        findings, facts = _run_rules(path, module, text, tree, memo, rules)
    except RecursionError:
        return parse_error(path, "nests too deeply to analyse")
    except Exception as exc:
        if not _from_recursion(exc):
            raise
        return parse_error(path, "nests too deeply to analyse")
    return FileResult(
        findings=tuple(findings),
        noqa=parse_noqa(text),
        facts=facts,
        lines=_line_count(text),
    )


def _from_recursion(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a ``RecursionError`` unwound: LibCST's position
    provider turns one into a ``KeyError`` on the way out of a deep statement."""
    seen = 0
    cause: Optional[BaseException] = exc
    while cause is not None and seen < 100:
        if isinstance(cause, RecursionError):
            return True
        cause, seen = cause.__context__, seen + 1
    return False


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)
