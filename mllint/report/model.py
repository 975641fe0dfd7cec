"""What a debt report holds, between the figures and the renderers."""

from __future__ import annotations

import os
import string
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mllint.report.figures import Figures, FindingRow
from mllint.report.trend import TrendPoint, trend_json


@dataclass(frozen=True)
class Change:
    """What the working tree adds and removes against a reference commit (``--since``)."""

    reference: str
    findings_added: Tuple[FindingRow, ...]
    findings_removed: Tuple[FindingRow, ...]
    flags_added: Tuple[str, ...]
    flags_removed: Tuple[str, ...]
    before: Figures

    def to_json(self) -> Dict[str, object]:
        """Plain JSON data."""
        return {
            "reference": self.reference,
            "findings_added": [_finding_json(f) for f in self.findings_added],
            "findings_removed": [_finding_json(f) for f in self.findings_removed],
            "flags_added": list(self.flags_added),
            "flags_removed": list(self.flags_removed),
            "before": {
                k: v
                for k, v in self.before.to_json().items()
                if k not in ("flags", "packages", "hotspots")
            },
        }


def _finding_json(row: FindingRow) -> Dict[str, object]:
    return {
        "code": row.code,
        "severity": row.severity,
        "path": row.path,
        "line": row.line,
        "message": row.message,
    }


def change(reference: str, before: Figures, after: Figures) -> Change:
    """Findings and flags of ``after`` that ``before`` lacks, and the reverse. Findings are
    matched by rule, file and message (lines move when code above them changes)."""

    def key(row: FindingRow) -> Tuple[str, str, str]:
        return (row.code, row.path, row.message)

    old = Counter(key(r) for r in before.findings)
    new = Counter(key(r) for r in after.findings)
    added_keys = new - old
    removed_keys = old - new
    added: List[FindingRow] = []
    for row in after.findings:
        if added_keys[key(row)] > 0:
            added_keys[key(row)] -= 1
            added.append(row)
    removed: List[FindingRow] = []
    for row in before.findings:
        if removed_keys[key(row)] > 0:
            removed_keys[key(row)] -= 1
            removed.append(row)
    old_flags = {f"{f.kind}:{f.name}" for f in before.flags}
    new_flags = {f"{f.kind}:{f.name}" for f in after.flags}
    return Change(
        reference,
        tuple(added),
        tuple(removed),
        tuple(sorted(new_flags - old_flags)),
        tuple(sorted(old_flags - new_flags)),
        before,
    )


TEMPLATE_FIELDS = ("path", "line", "commit")


def check_template(template: str) -> None:
    """Refuse a ``--link-template`` with fields other than ``{path}``, ``{line}`` and
    ``{commit}`` (no attribute or index lookups, conversions or format specs)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"not a template: {exc}") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            raise ValueError(f"{{{name}}}: only {{path}}, {{line}} and {{commit}} may be used")


Linker = Callable[[str, int], str]
"""Gives the link to a displayed path and a line."""


def linker(
    template: Optional[str],
    *,
    commit: Optional[str],
    repo_root: Optional[str],
    output_dir: str,
    cwd: str,
) -> Linker:
    """Links from the page to a file and line: relative to the page's folder, or through
    ``template`` (``{path}`` relative to the repository, ``{line}``, ``{commit}``)."""

    def relative(path: str, line: int) -> str:
        target = os.path.join(cwd, path)
        try:
            shown = os.path.relpath(target, output_dir)
        except ValueError:
            shown = target
        return urllib.parse.quote(shown.replace(os.sep, "/")) + f"#L{line}"

    if template is None:
        return relative

    def templated(path: str, line: int) -> str:
        target = os.path.realpath(os.path.join(cwd, path))
        base = repo_root or cwd
        try:
            in_repo = os.path.relpath(target, base).replace(os.sep, "/")
        except ValueError:
            in_repo = path
        return template.format(path=urllib.parse.quote(in_repo), line=line, commit=commit or "HEAD")

    return templated


@dataclass(frozen=True)
class Report:
    """Everything a renderer shows."""

    project: str
    generated: str
    """ISO date the report was made (or ``--reference-date``)."""
    version: str
    commit: Optional[str]
    figures: Figures
    max_age_days: int
    link: Linker
    trend: Tuple[TrendPoint, ...] = ()
    change: Optional[Change] = None
    notes: Tuple[str, ...] = field(default=())
    """What the report could not do (no git, no trend) in a sentence each."""

    def to_json(self) -> Dict[str, object]:
        """The report as JSON: headline figures, the trend's series, the change."""
        return {
            "project": self.project,
            "generated": self.generated,
            "mllint_version": self.version,
            "commit": self.commit,
            "max_age_days": self.max_age_days,
            "figures": self.figures.to_json(),
            "trend": trend_json(self.trend),
            "change": None if self.change is None else self.change.to_json(),
            "notes": list(self.notes),
        }


def summary_line(figures: Figures) -> str:
    """The one-line, badge-like summary."""
    ratio = "n/a" if figures.glue_ratio is None else f"{100 * figures.glue_ratio:.0f}%"
    return (
        f"{figures.total_findings} findings \u00b7 {figures.flags_alive} flags "
        f"({figures.experiments_alive} experiments, {figures.stale} stale) \u00b7 "
        f"{figures.dead_arms} dead arms ({figures.dead_lines} lines) \u00b7 glue {ratio}"
    )


def trend_rows(
    points: Sequence[TrendPoint],
) -> List[Tuple[str, str, int, int, int, int, Optional[float]]]:
    """(date, commit, flags, experiments, stale, dead arms, glue ratio) per point."""
    return [
        (
            p.commit.date,
            p.commit.sha,
            p.figures.flags_alive,
            p.figures.experiments_alive,
            p.stale,
            p.figures.dead_arms,
            p.figures.glue_ratio,
        )
        for p in points
    ]
