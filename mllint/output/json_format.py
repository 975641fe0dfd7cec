"""``--format json``: a list of finding objects."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from mllint.display import printable
from mllint.fingerprint import SourceLines, fingerprints
from mllint.output import Report
from mllint.repository import root_of


def render(report: Report) -> str:
    """The findings as a JSON array, one object per finding, keys per the SPEC.

    ``fingerprint`` (an addition to the SPEC's keys) identifies a finding across edits; it makes
    the output usable as a ``--baseline``. ``related`` (another addition) lists the other
    places the finding is about (ML102's deciding constants, ML106's dead references).
    """
    findings = report.result.findings
    root = root_of(report.settings.root)
    prints = fingerprints(findings, root, SourceLines(), report.result.baselined)
    items: List[Dict[str, Any]] = [
        {
            "path": report.display_path(f.path),
            "line": f.span.line,
            "column": f.span.column,
            "end_line": f.span.end_line,
            "end_column": f.span.end_column,
            "code": f.code,
            "name": f.name,
            "message": printable(f.message),
            "severity": f.severity.value,
            "properties": dict(f.properties),
            "related": [
                {
                    "path": report.display_path(r.path),
                    "line": r.span.line,
                    "column": r.span.column,
                    "end_line": r.span.end_line,
                    "end_column": r.span.end_column,
                    "message": printable(r.message),
                }
                for r in f.related
            ],
            "fingerprint": fingerprint,
        }
        for f, fingerprint in zip(findings, prints)
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
