"""The per-file stage: decode, parse once with LibCST, run every per-file rule in one walk."""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from mllint.locate import Locator
from mllint.memo import Memo
from mllint.model import FileResult, Finding, NoqaMap, Span
from mllint.rules import FILE_RULES
from mllint.rules.base import FileContext
from mllint.rules.parse import ParseError
from mllint.source import SourceError, check_nesting, decode, looks_deep
from mllint.suppress import parse_noqa
from mllint.walker import Walker, callbacks_of


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


def analyze_source(path: str, data: bytes) -> FileResult:
    """Analyse one file's bytes: findings of every per-file rule, noqa comments, facts."""
    try:
        text = decode(data).text
        tree: Optional[ast.Module] = check_nesting(text) if looks_deep(text) else None
    except SourceError as exc:
        return parse_error(path, exc.reason, exc.line, exc.column)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return _syntax_error(path, text, exc)
    except RecursionError:
        return parse_error(path, "nests too deeply for the parser")
    return _analyze_parsed(path, module, text, tree)


def _run_rules(
    path: str, module: cst.Module, text: str, tree: Optional[ast.Module], memo: Optional[Memo]
) -> Tuple[List[Finding], Dict[str, Any]]:
    walker = Walker()
    context = FileContext(path, module, Locator(module, text, tree, memo), walker, memo)
    rules = [rule_class(context) for rule_class in FILE_RULES]
    walker.walk(module, *callbacks_of(rules), memo=memo)
    facts: Dict[str, Any] = {}
    for rule in rules:
        rule_facts = rule.facts()
        if rule_facts is not None:
            facts[rule.code] = rule_facts
    return context.resolve(), facts


def _syntax_error(path: str, text: str, exc: cst.ParserSyntaxError) -> FileResult:
    """ML000 for a syntax error, worded and placed by CPython's parser where it agrees.

    CPython's messages ("'(' was never closed") and positions are better than LibCST's.
    """
    try:
        ast.parse(text)
    except SyntaxError as error:
        line = error.lineno or 1
        return parse_error(path, f"{error.msg} (line {line})", line, max(error.offset or 1, 1))
    except (RecursionError, MemoryError, ValueError):
        pass
    reason = str(exc.message).strip().splitlines()[0] if exc.message else "syntax error"
    return parse_error(path, reason, exc.raw_line, exc.raw_column + 1)


def analyze_path(path: str) -> FileResult:
    """Read and analyse one file; an unreadable file is an ML000 finding."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
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

    ``tree`` is CPython's ``ast`` tree of ``text`` when the caller has it; ``memo`` holds what
    an earlier analysis of the same buffer found out about the nodes it shares with
    ``module`` (see :mod:`mllint.memo`).
    """
    return _analyze_parsed(path, module, text, tree, memo)


def _analyze_parsed(
    path: str,
    module: cst.Module,
    text: str,
    tree: Optional[ast.Module],
    memo: Optional[Memo] = None,
) -> FileResult:
    try:
        findings, facts = _run_rules(path, module, text, tree, memo)
    except RecursionError:
        return parse_error(path, "nests too deeply to analyse")
    return FileResult(
        findings=tuple(findings),
        noqa=parse_noqa(text),
        facts=facts,
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
    )
