"""``--format json``: a list of finding objects."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from mllint.output import Report


def render(report: Report) -> str:
    """The findings as a JSON array, one object per finding, keys per the SPEC."""
    items: List[Dict[str, Any]] = [
        {
            "path": report.display_path(f.path),
            "line": f.span.line,
            "column": f.span.column,
            "end_line": f.span.end_line,
            "end_column": f.span.end_column,
            "code": f.code,
            "name": f.name,
            "message": f.message,
            "severity": f.severity.value,
            "properties": dict(f.properties),
        }
        for f in report.result.findings
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
