"""flake8-style text: ``path:line:col: CODE message``, with an optional source excerpt, the
statistics table and ruff's summary line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

import click

from mllint.display import printable
from mllint.model import Finding, Severity
from mllint.output import Report

SourceOf = Callable[[str], Optional[str]]
"""The text of a linted file by its path (``None`` when it cannot be read now)."""

_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_MAX_SOURCE_LINES = 4
"""A finding spanning more lines than this shows its first lines and ``...``."""


@dataclass(frozen=True)
class TextOptions:
    """How the ``text`` format looks on this run."""

    color: bool = False
    show_ages: bool = False
    """``--show-ages``: `` (introduced N days ago)`` after every aged finding."""
    show_source: bool = False
    """``--show-source``: the finding's lines with a caret range under them."""
    source_of: Optional[SourceOf] = None


def render(report: Report) -> str:
    """One finding a line, plain; nothing in a path or a message can start another line."""
    return render_text(report, TextOptions())


def render_text(report: Report, options: TextOptions) -> str:
    """The findings as :func:`render` prints them, with colour, ages and source excerpts
    as ``options`` ask."""
    out: List[str] = []
    for finding in report.result.findings:
        out.append(_line(report, finding, options) + "\n")
        if options.show_source and options.source_of is not None:
            text = options.source_of(finding.path)
            if text is not None:
                out.extend(line + "\n" for line in excerpt(text, finding, options.color))
    return "".join(out)


def _line(report: Report, finding: Finding, options: TextOptions) -> str:
    path = report.display_path(finding.path)
    where = f"{finding.span.line}:{finding.span.column}:"
    message = printable(finding.message) + (age_suffix(finding) if options.show_ages else "")
    if not options.color:
        return f"{path}:{where} {finding.code} {message}"
    sep = click.style(":", fg="cyan")
    code = click.style(finding.code, fg=_SEVERITY_COLOR[finding.severity], bold=True)
    position = f"{finding.span.line}{sep}{finding.span.column}{sep}"
    return f"{click.style(path, bold=True)}{sep}{position} {code} {message}"


def age_suffix(finding: Finding) -> str:
    """`` (introduced 412 days ago)`` for an aged finding, else nothing (ML301 says it)."""
    days = finding.properties.get("ageDays")
    if not isinstance(days, int) or finding.code == "ML301":
        return ""
    bound = "at least " if finding.properties.get("ageIsLowerBound") else ""
    unit = "day" if days == 1 else "days"
    return f" (introduced {bound}{days} {unit} ago)"


def excerpt(text: str, finding: Finding, color: bool = False) -> List[str]:
    """The lines of ``finding`` in ``text``, numbered, each with carets under the part the
    finding covers (as ruff and flake8 ``--show-source`` print them)."""
    lines = text.splitlines()
    first, last = finding.span.line, max(finding.span.line, finding.span.end_line)
    if not 1 <= first <= len(lines):
        return []
    last = min(last, len(lines))
    shown = range(first, min(last, first + _MAX_SOURCE_LINES - 1) + 1)
    gutter = len(str(shown[-1]))
    blank = " " * gutter + " |"
    out = [_dim(blank, color)]
    for number in shown:
        line = lines[number - 1].replace("\t", " ")
        start = finding.span.column - 1 if number == first else _indent(line)
        end = finding.span.end_column - 1 if number == finding.span.end_line else len(line)
        start = max(0, min(start, len(line)))
        end = max(start + 1, min(end, len(line))) if line else start + 1
        before, covered = printable(line[:start]), printable(line[start:end])
        out.append(_dim(f"{number:>{gutter}} |", color) + " " + printable(line))
        carets = "^" * max(1, len(covered))
        marker = click.style(carets, fg="red", bold=True) if color else carets
        out.append(_dim(blank, color) + " " + " " * len(before) + marker)
    if last > shown[-1]:
        out.append(_dim(blank, color) + " ...")
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _dim(text: str, color: bool) -> str:
    return click.style(text, fg="blue", bold=True) if color else text


def statistics(report: Report) -> str:
    """Counts per rule under a header, as ``flake8 --statistics`` and ruff print them."""
    counts = Counter(f.code for f in report.result.findings)
    if not counts:
        return ""
    names = {f.code: f.name for f in report.result.findings}
    rows: List[str] = ["Count Code  Name"]
    rows += [f"{counts[code]:<5} {code} {names[code]}" for code in sorted(counts)]
    return "".join(row + "\n" for row in rows)


def summary(findings: Sequence[Finding], fixable: Callable[[str], bool]) -> str:
    """``Found 29 findings (3 fixable with --fix): 20 warnings, 9 notes.`` (empty when
    nothing was found: a clean run prints nothing, as flake8)."""
    if not findings:
        return ""
    total = len(findings)
    fixed = sum(1 for f in findings if fixable(f.code))
    head = f"Found {_count(total, 'finding')}"
    if fixed:
        head += f" ({fixed} fixable with --fix)"
    by_severity = Counter(f.severity for f in findings)
    parts = [
        _count(by_severity[severity], severity.value)
        for severity in Severity
        if by_severity[severity]
    ]
    return f"{head}: {', '.join(parts)}.\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
