"""What the editor offers on a finding: a ``# noqa`` edit, and the text of a hover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

from mllint.model import Finding
from mllint.rules import RULES_BY_CODE

# The comment mllint reads (mllint.suppress), located so that its code list can be extended.
_NOQA = re.compile(r"#\s*(?i:noqa)(?::\s?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?")
_FILE_NOQA = re.compile(r"#\s*(?i:mllint)\s*:\s*(?i:noqa)")
_SPLIT = re.compile(r"[,\s]+")

UNSUPPRESSIBLE = frozenset({"ML000"})
"""Codes a ``# noqa`` cannot silence: a file that does not parse has no comments to read."""


@dataclass(frozen=True)
class LineEdit:
    """Replace code points ``start``..``end`` (0-based, end exclusive) of one line."""

    start: int
    end: int
    text: str


def noqa_edit(line: str, code: str) -> Optional[LineEdit]:
    """The edit that makes ``line`` silence ``code``: add ``# noqa: CODE`` or extend the
    line's code list. ``None`` when the line already silences it or cannot carry a comment
    (it ends in a backslash continuation)."""
    if code in UNSUPPRESSIBLE:
        return None
    if _FILE_NOQA.search(line) is None:
        match = _NOQA.search(line)
        if match is not None:
            codes = match.group("codes")
            if codes is None or any(code.startswith(c) for c in _SPLIT.split(codes) if c):
                return None  # a blanket comment, or one that names the code already
            end = match.end("codes")
            return LineEdit(end, end, f",{code}")
    body = line.rstrip()
    if body.endswith("\\"):
        return None
    separator = "  " if body else ""
    return LineEdit(len(body), len(line), f"{separator}# noqa: {code}")


FILE_LEVEL_CODES = frozenset({"ML201", "ML205"})
"""Codes about a whole module (or package, at its ``__init__.py``): reported at line 1, they
are silenced for the file, not with a ``# noqa`` on line 1 (a shebang or a docstring)."""

_FILE_NOQA_CODES = re.compile(
    r"#\s*(?i:mllint)\s*:\s*(?i:noqa)(?::\s?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?"
)
_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


@dataclass(frozen=True)
class FileEdit:
    """A :class:`LineEdit` of the 1-based ``line`` (one past the last: the end of the file)."""

    line: int
    edit: LineEdit


def file_noqa_edit(lines: Sequence[str], code: str) -> Optional[FileEdit]:
    """The edit that silences ``code`` in the whole file: extend the code list of its
    ``# mllint: noqa:`` comment, else add a ``# mllint: noqa: CODE`` line at the top of the
    module (below a shebang and a coding cookie, which must stay first). ``None`` when the
    file silences the code already."""
    if code in UNSUPPRESSIBLE:
        return None
    for number, line in enumerate(lines, start=1):
        match = _FILE_NOQA_CODES.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None or any(code.startswith(c) for c in _SPLIT.split(codes) if c):
            return None  # a blanket comment, or one that names the code already
        end = match.end("codes")
        return FileEdit(number, LineEdit(end, end, f",{code}"))
    top = 1
    if lines and lines[0].startswith("#!"):
        top = 2
    while top <= min(2, len(lines)) and _COOKIE.match(lines[top - 1]):
        top += 1
    return FileEdit(top, LineEdit(0, 0, f"# mllint: noqa: {code}\n"))


def rule_text(finding: Finding, markdown: bool) -> str:
    """The hover text for a finding: its message, then the rule's documentation."""
    rule = RULES_BY_CODE.get(finding.code)
    head = f"{finding.code} {finding.name} ({finding.severity.value})"
    if rule is None:
        return f"{head}\n{finding.message}"
    if not markdown:
        doc = rule.doc()
        return f"{head}\n{finding.message}\n\n{doc.what}\n\n{doc.why}\n\n{rule.help_uri()}"
    return (
        f"**{finding.code}** `{finding.name}` ({finding.severity.value})\n\n"
        f"{finding.message}\n\n---\n\n{rule.doc().markdown()}\n\n"
        f"[{finding.code} documentation]({rule.help_uri()})"
    )


_FLAG_FACTS = (
    ("kind", "kind"),
    ("value", "value"),
    ("definedAt", "defined at"),
    ("references", "reads"),
    ("introducedDate", "introduced"),
    ("introducedCommit", "introduced in"),
    ("lastModifiedDate", "last modified"),
    ("ageDays", "age (days)"),
    ("maxAgeDays", "stale: older than max-age-days"),
)


def _show(value: Any) -> str:
    if isinstance(value, dict) and "path" in value:
        return f"{value['path']}:{value.get('line', '?')}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value) or "none"
    return repr(value) if isinstance(value, str) else str(value)


def flag_text(name: str, findings: Sequence[Finding], markdown: bool) -> Optional[str]:
    """The hover text for the flag ``name``: what the findings about it know of it
    (definition, value, reads, age), and which rules report it. ``None`` when no finding
    names the flag."""
    about = [f for f in findings if f.properties.get("flag") == name]
    if not about:
        return None
    lines: List[str] = []
    seen = set()
    for finding in about:
        for key, label in _FLAG_FACTS:
            if key in finding.properties and key not in seen:
                seen.add(key)
                value = _show(finding.properties[key])
                if key == "ageDays" and finding.properties.get("ageIsLowerBound"):
                    value = f"at least {value}"
                lines.append(f"- {label}: {value}" if markdown else f"{label}: {value}")
    codes = ", ".join(sorted({f"{f.code} {f.name}" for f in about}))
    title = f"**Flag `{name}`**" if markdown else f"Flag {name}"
    body = "\n".join(lines)
    return f"{title}\n\n{body}\n\nReported by {codes}".replace("\n\n\n", "\n\n")
