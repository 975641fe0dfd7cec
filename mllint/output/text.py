"""flake8-style text: ``path:line:col: CODE message``."""

from __future__ import annotations

from collections import Counter
from typing import List

from mllint.output import Report


def render(report: Report) -> str:
    """One finding a line."""
    lines = [
        f"{report.display_path(f.path)}:{f.span.line}:{f.span.column}: {f.code} {f.message}"
        for f in report.result.findings
    ]
    return "".join(line + "\n" for line in lines)


def statistics(report: Report) -> str:
    """Counts per rule, as ``flake8 --statistics`` prints them."""
    counts = Counter(f.code for f in report.result.findings)
    names = {f.code: f.name for f in report.result.findings}
    rows: List[str] = [f"{counts[code]:<5} {code} {names[code]}" for code in sorted(counts)]
    return "".join(row + "\n" for row in rows)
