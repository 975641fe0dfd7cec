"""Columns in the position encoding the client negotiated.

mllint's spans count 1-based code points; LSP positions count 0-based code units of the
negotiated encoding: UTF-16 unless the client offered something else at ``initialize``.
"""

from __future__ import annotations

import re
from typing import Sequence, Tuple

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` the string ``text`` takes."""
    if text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


def to_client(line_text: str, column: int, encoding: str) -> int:
    """A 1-based code-point ``column`` of ``line_text`` as a 0-based LSP character offset."""
    return units(line_text[: max(column - 1, 0)], encoding)


def line_of(lines: Sequence[str], number: int) -> str:
    """The text of the 1-based line ``number`` (empty past the end of the document)."""
    return lines[number - 1] if 0 < number <= len(lines) else ""


_NEWLINE = re.compile(r"\r\n|\r|\n")


def position_of(text: str, offset: int, encoding: str) -> Tuple[int, int]:
    """The LSP position (0-based line, character in ``encoding``) of code point ``offset``
    of ``text``."""
    line, start = 0, 0
    for match in _NEWLINE.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    newline = _NEWLINE.search(text, start)
    line_text = text[start : newline.start() if newline else len(text)]
    return line, units(line_text[: offset - start], encoding)
