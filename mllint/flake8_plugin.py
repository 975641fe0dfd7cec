"""The flake8 plugin: ``flake8 --select ML`` runs mllint's per-file rules on each file.

flake8 owns everything around the rules: it reads the file, reports syntax errors itself
(E999, and then runs no plugin on that file), and applies ``# noqa`` comments, ``--select``,
``--ignore`` and ``per-file-ignores``. So the plugin applies none of mllint's own suppression
or configuration, which would silence findings a second time by other rules. Project-wide rules
(those that need every file at once) only run in ``mllint check``.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Any, Iterator, Sequence, Tuple, Type

from mllint import __version__
from mllint.analyze import analyze_source
from mllint.model import Finding


class MllintChecker:
    """flake8 tree plugin; flake8 passes the arguments by name."""

    name = "mllint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # ``tree`` is unused (mllint parses with LibCST), but asking for it makes this a tree
        # plugin, which flake8 runs once per file that parses.
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, Type[Any]]]:
        """``(line, column, "CODE message", type)`` per finding; flake8 columns are 0-based."""
        result = analyze_source(self.filename, source_bytes(self.lines))
        for finding in sorted(result.findings, key=Finding.sort_key):
            yield (
                finding.span.line,
                max(finding.span.column - 1, 0),
                f"{finding.code} {finding.message}",
                type(self),
            )


def source_bytes(lines: Sequence[str]) -> bytes:
    """The file's bytes again, from the lines flake8 decoded (also for standard input).

    They are encoded in the file's declared encoding so that a PEP 263 cookie still holds.
    """
    text = "".join(lines)
    head = "".join(lines[:2]).encode("utf-8", errors="surrogateescape")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(head).readline)
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return text.encode("utf-8", errors="surrogateescape")
