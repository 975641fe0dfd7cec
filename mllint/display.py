"""What mllint may print: file names made printable, and constant values that are safe to show.

Reports end up in public CI logs and code-scanning alerts. A file name may hold bytes that are
not UTF-8 or control characters (a newline would split a text-format line), and a constant may
hold a password or a token: :func:`printable` and :func:`display_value` are the one place that
decides how such things are shown, and every renderer calls them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any, Optional, Union

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"})


def printable(text: str) -> str:
    """``text`` with nothing that could corrupt a line of output or fail to encode.

    A byte that was not UTF-8 in a file name (held as a surrogate escape, as ``os.fsdecode``
    makes it) is shown as ``\\xff``; a newline, tab or other control or format character
    (bidirectional overrides included) as ``\\n``, ``\\t``, ``\\x1b``, ``\\u202e``.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
            continue
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:  # surrogateescape: one undecodable byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in _HIDDEN_CATEGORIES or code < 0x20:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:  # other spaces (no-break space...) print as they are
            out.append(char)
    return "".join(out)


MAX_SHOWN_STRING = 32
"""Strings longer than this are never shown, whatever they hold."""

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")
MIN_RANDOM_LOOKING = 16
"""A word this long that mixes letters and digits may be a key or a hash: not shown."""
_SECRET_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|secret|token|api_?key|access_?key|private_?key|credential|"
    r"auth|cookie|session|salt|signature|dsn|_key$|^key$",
    re.IGNORECASE,
)
_MAX_SHOWN_INT = 10**15


def is_shown(value: Any, name: Optional[str] = None) -> bool:
    """Whether a constant's value may be printed: a bool, ``None``, a number, or a short
    word-like string (``'resnet50'``, ``'v2'``, ``'1'``) that does not look random (a long
    mix of letters and digits, as hex digests and keys are) and is bound to a name that does
    not look like it holds a secret (``API_TOKEN``, ``db_password``)."""
    if value is None or isinstance(value, (bool, float)):
        return True
    if isinstance(value, int):
        return -_MAX_SHOWN_INT < value < _MAX_SHOWN_INT
    if isinstance(value, str):
        if name is not None and _SECRET_NAME.search(name):
            return False
        if len(value) > MAX_SHOWN_STRING or _WORD.fullmatch(value) is None:
            return False
        mixed = _LETTER.search(value) is not None and _DIGIT.search(value) is not None
        return not (mixed and len(value) >= MIN_RANDOM_LOOKING)
    return False


def placeholder(value: Any) -> str:
    """What is shown instead of a value that is not: its type and size, never its content."""
    if isinstance(value, str):
        return f"<str of {len(value)} chars>"
    if isinstance(value, (bytes, bytearray)):
        return f"<bytes of {len(value)} bytes>"
    if isinstance(value, int):
        return f"<int of {value.bit_length()} bits>"
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        count = len(value)
        return f"<{type(value).__name__} of {count} item{'' if count == 1 else 's'}>"
    return f"<{type(value).__name__}>"


def display_value(value: Any, name: Optional[str] = None) -> str:
    """A constant's value as it may appear in a message or a table: its ``repr`` when
    :func:`is_shown`, else a :func:`placeholder` such as ``<str of 14 chars>``."""
    return repr(value) if is_shown(value, name) else placeholder(value)


def json_value(value: Any, name: Optional[str] = None) -> Any:
    """A constant's value for JSON output: the value itself when :func:`is_shown`, else the
    :func:`placeholder` string."""
    return value if is_shown(value, name) else placeholder(value)


def display_path(path: str, cwd: Union[str, os.PathLike[str]]) -> str:
    """A path as every report prints it: relative to ``cwd``, ``/``-separated, undecodable
    bytes and control characters escaped (see :func:`printable`)."""
    try:
        relative = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        relative = path
    return printable(relative.replace(os.sep, "/"))
