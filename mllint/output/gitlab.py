"""``--format gitlab``: a GitLab Code Quality report (``artifacts:reports:codequality``).

GitLab reads a JSON array of issues, each with ``description``, ``check_name``,
``fingerprint`` (unique within the report), ``severity`` (``info``, ``minor``, ``major``,
``critical`` or ``blocker``) and ``location.path`` (relative to the repository root, no
``./``) with ``location.lines.begin``; it shows them in the merge request widget and, where
the tier allows, on the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from mllint.display import printable
from mllint.fingerprint import SourceLines, fingerprints, relative_path
from mllint.model import Severity
from mllint.output import Report
from mllint.repository import find_repository, source_root

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}
"""mllint's severities on GitLab's scale: a file mllint cannot read (ML000) ranks above debt
that fails a run, which ranks above a note."""


def report_root(report: Report) -> Path:
    """The folder GitLab's paths are relative to: ``$CI_PROJECT_DIR`` in a GitLab job, else the
    git work tree's root, else the configuration's folder."""
    project = os.environ.get("CI_PROJECT_DIR", "")
    if os.path.isabs(project):
        return Path(os.path.realpath(project))
    repository = find_repository(Path(report.settings.root)) if report.use_git else None
    return source_root(report.settings.root, repository)


def render(report: Report) -> str:
    """The findings as a Code Quality JSON array (``[]`` when there are none)."""
    findings = report.result.findings
    root = report_root(report)
    prints = fingerprints(findings, root, SourceLines(), report.result.baselined)
    issues: List[Dict[str, Any]] = []
    for finding, fingerprint in zip(findings, prints):
        path = relative_path(finding.path, root)
        shown = printable(path) if path is not None else report.display_path(finding.path)
        issues.append(
            {
                "description": printable(f"{finding.code} {finding.message}"),
                "check_name": finding.code,
                "fingerprint": fingerprint,
                "severity": SEVERITIES[finding.severity],
                "location": {
                    "path": shown,
                    "lines": {
                        "begin": finding.span.line,
                        "end": max(finding.span.end_line, finding.span.line),
                    },
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
