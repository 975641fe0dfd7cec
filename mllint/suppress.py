"""``# noqa`` comments, and applying them with per-file ignores and the rule selection."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional

from mllint.model import Finding, NoqaMap
from mllint.source import split_lines

# flake8 reads noqa comments off the physical line; so does mllint.
_NOQA = re.compile(r"#\s*(?i:noqa)(?::\s?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?")
_FILE_NOQA = re.compile(
    r"#\s*(?i:mllint)\s*:\s*(?i:noqa)(?::\s?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?"
)
_SPLIT = re.compile(r"[,\s]+")


def _codes(group: Optional[str]) -> FrozenSet[str]:
    return frozenset(c for c in _SPLIT.split(group or "") if c)


def parse_noqa(text: str) -> NoqaMap:
    """Find the ``# noqa`` and ``# mllint: noqa`` comments of a file."""
    if "noqa" not in text.lower():
        return NoqaMap()
    lines: Dict[int, FrozenSet[str]] = {}
    file_codes: Optional[FrozenSet[str]] = None
    for number, line in enumerate(split_lines(text), start=1):
        if "noqa" not in line.lower():
            continue
        whole = _FILE_NOQA.search(line)
        if whole is not None:
            codes = _codes(whole.group("codes"))
            if file_codes is None:
                file_codes = codes
            elif not codes or not file_codes:
                file_codes = frozenset()  # a blanket comment silences everything
            else:
                file_codes = file_codes | codes
            continue
        match = _NOQA.search(line)
        if match is not None:
            lines[number] = _codes(match.group("codes"))
    return NoqaMap(lines=lines, file_codes=file_codes)


def apply_noqa(findings: Iterable[Finding], noqa: NoqaMap) -> List[Finding]:
    """The findings that no ``# noqa`` comment silences."""
    return [f for f in findings if not noqa.silences(f.code, f.span.line)]
