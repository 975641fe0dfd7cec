"""flake8-style text: ``path:line:col: CODE message``."""

from __future__ import annotations

from collections import Counter
from typing import List

from mllint.display import printable
from mllint.model import Finding
from mllint.output import Report


def render(report: Report) -> str:
    """One finding a line, with its age when git history gave one; nothing in a path or a
    message can start another line."""
    lines = [
        f"{report.display_path(f.path)}:{f.span.line}:{f.span.column}: {f.code} "
        f"{printable(f.message)}" + age_suffix(f)
        for f in report.result.findings
    ]
    return "".join(line + "\n" for line in lines)


def age_suffix(finding: Finding) -> str:
    """`` (introduced 412 days ago)`` for an aged finding, else nothing (ML301 says it)."""
    days = finding.properties.get("ageDays")
    if not isinstance(days, int) or finding.code == "ML301":
        return ""
    bound = "at least " if finding.properties.get("ageIsLowerBound") else ""
    unit = "day" if days == 1 else "days"
    return f" (introduced {bound}{days} {unit} ago)"


def statistics(report: Report) -> str:
    """Counts per rule, as ``flake8 --statistics`` prints them."""
    counts = Counter(f.code for f in report.result.findings)
    names = {f.code: f.name for f in report.result.findings}
    rows: List[str] = [f"{counts[code]:<5} {code} {names[code]}" for code in sorted(counts)]
    return "".join(row + "\n" for row in rows)
