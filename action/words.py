"""Split the GitHub Action's `path` and `args` inputs into words, for its shell steps.

Usage: ``python -I words.py lines|args TEXT``. Prints the words quoted by :func:`shlex.quote`,
so that ``eval "set -- $(python -I words.py ...)"`` sets exactly those words and runs nothing.
``args`` text is split as a POSIX shell would (quotes keep spaces); ``lines`` text with more
than one line is one path per line (spaces kept), and on one line is split like ``args``.
"""

from __future__ import annotations

import shlex
import sys


def words(text: str, mode: str) -> list[str]:
    """The words of ``text`` (see the module docstring)."""
    if mode == "lines" and "\n" in text.strip():
        return [line.strip() for line in text.splitlines() if line.strip()]
    return shlex.split(text)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("lines", "args"):
        print("usage: words.py lines|args TEXT", file=sys.stderr)
        return 2
    try:
        parts = words(argv[2], argv[1])
    except ValueError as exc:  # an unclosed quote
        print(f"mllint action: cannot split {argv[1]!r} input: {exc}", file=sys.stderr)
        return 2
    print(" ".join(shlex.quote(part) for part in parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
