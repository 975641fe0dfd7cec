"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One SARIF file holds one run. Result locations are relative to the repository root (``%SRCROOT%``),
so the file can be uploaded from any folder of the checkout; columns count UTF-16 code units,
SARIF's default, converted from mllint's code-point columns with the text of each line.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type
from urllib.parse import quote

from mllint import __version__
from mllint.display import printable
from mllint.fingerprint import (
    FINGERPRINT_KEY,
    SourceLines,
    fingerprints,
    relative_path,
)
from mllint.model import Finding, Severity, Span
from mllint.output import Report
from mllint.repository import Provenance, find_repository, source_root
from mllint.rules import RULES_BY_CODE
from mllint.rules.base import Rule, RuleDoc

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/mllint-debt/mllint"
SRCROOT = "%SRCROOT%"
DEFAULT_CATEGORY = "mllint"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
# GitHub's severity vocabulary for non-security alerts.
_PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "recommendation",
}


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log with one run, compact (SARIF files get large)."""
    return json.dumps(sarif_log(report), ensure_ascii=False, separators=(",", ":")) + "\n"


def sarif_log(report: Report) -> Dict[str, Any]:
    """The SARIF log as JSON data."""
    repository = find_repository(Path(report.settings.root)) if report.use_git else None
    root = source_root(report.settings.root, repository)
    lines = SourceLines()
    result = report.result
    findings = list(result.findings)
    prints = fingerprints(findings, root, lines, result.baselined)
    suppressed: List[Tuple[Finding, str, Dict[str, str]]] = []
    if report.include_suppressed:
        baselined = list(result.baselined)
        old_prints = fingerprints(baselined, root, lines, findings)
        silenced = list(result.silenced)
        suppressed += [(f, p, _BASELINE) for f, p in zip(baselined, old_prints)]
        suppressed += [
            (f, p, _suppression(f, report))
            for f, p in zip(silenced, fingerprints(silenced, root, lines))
        ]
    rules, index = _rules(findings + [f for f, _, _ in suppressed])
    results = [_result(f, fp, index[f.code], root, lines) for f, fp in zip(findings, prints)]
    for finding, fingerprint, suppression in suppressed:
        entry = _result(finding, fingerprint, index[finding.code], root, lines)
        entry["suppressions"] = [suppression]
        results.append(entry)
    run: Dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mllint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": automation_id(report.category)},
        "invocations": [_invocation(report, index, root, lines)],
        "originalUriBaseIds": {SRCROOT: {"uri": _folder_uri(root)}},
        "columnKind": "utf16CodeUnits",
        "results": results,
    }
    if repository is not None:
        run["versionControlProvenance"] = [_provenance(repository)]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


_BASELINE = {"kind": "external", "status": "accepted", "justification": "In the --baseline."}


def _suppression(finding: Finding, report: Report) -> Dict[str, str]:
    """How a silenced finding was silenced: a ``# noqa`` comment, else ``per-file-ignores``."""
    file = report.result.results.get(finding.path)
    if file is not None and file.noqa.silences(finding.code, finding.span.line):
        return {"kind": "inSource", "status": "accepted"}
    return {"kind": "external", "status": "accepted", "justification": "per-file-ignores"}


def automation_id(category: str) -> str:
    """``automationDetails.id`` for a category: GitHub reads the part before the last ``/``."""
    category = category.strip() or DEFAULT_CATEGORY
    return category if category.endswith("/") else category + "/"


def _rules(findings: Sequence[Finding]) -> Tuple[List[Dict[str, Any]], Dict[str, int]]:
    """One descriptor per reported code, in code order, and each code's index."""
    codes = sorted({f.code for f in findings})
    by_code = {f.code: f for f in findings}
    descriptors = [_rule_descriptor(code, by_code[code]) for code in codes]
    return descriptors, {code: i for i, code in enumerate(codes)}


def _rule_descriptor(code: str, example: Finding) -> Dict[str, Any]:
    rule: Optional[Type[Rule]] = RULES_BY_CODE.get(code)
    if rule is None:  # not in the catalogue: describe it from the finding itself
        return {
            "id": code,
            "name": example.name,
            "shortDescription": {"text": example.name},
            "fullDescription": {"text": example.name},
            "help": {"text": example.name, "markdown": example.name},
            "defaultConfiguration": {"level": _LEVELS[example.severity]},
        }
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": doc.what, "markdown": doc.what},
        "help": {"text": help_text(doc), "markdown": doc.markdown()},
        "helpUri": rule.help_uri(),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "tags": list(rule.tags),
            "precision": rule.precision,
            "problem.severity": _PROBLEM_SEVERITY[rule.severity],
        },
    }


def help_text(doc: RuleDoc) -> str:
    """A rule's documentation as plain text (code examples indented, no Markdown fences)."""

    def indented(code: str) -> str:
        return "\n".join("    " + line if line else "" for line in code.splitlines())

    parts = [f"What it does:\n{doc.what}", f"Why is this bad?\n{doc.why}"]
    parts.append(f"Example:\n{indented(doc.example)}")
    if doc.use_instead:
        parts.append(f"Use instead:\n{indented(doc.use_instead)}")
    if doc.notes:
        parts.append(f"Notes:\n{doc.notes}")
    return "\n\n".join(parts)


def _result(
    finding: Finding,
    fingerprint: str,
    rule_index: int,
    root: Path,
    lines: SourceLines,
) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": message_text(finding, root)},
        "locations": [_location(finding, root, lines)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": dict(_artifact_location(related.path, root)),
                    "region": span_region(related.path, related.span, lines),
                },
                "message": {"text": escape_text(printable(related.message))},
            }
            for number, related in enumerate(finding.related, start=1)
        ]
    if finding.properties:
        result["properties"] = dict(finding.properties)
    return result


def escape_text(text: str) -> str:
    """Plain text for a SARIF message: literal square brackets escaped (SARIF 2.1.0 §3.11.6),
    so that no viewer takes code such as ``cfg["x"](1)`` for an embedded link."""
    return text.replace("[", "\\[").replace("]", "\\]")


def message_text(finding: Finding, root: Path) -> str:
    """A result's ``message.text``: what GitHub shows of an alert, which is not its
    ``properties``. A finding about a flag says how old the flag is; related locations are
    embedded links (``[config.py:3](1)``, SARIF 2.1.0 §3.11.6) to ``relatedLocations``,
    clickable in the alert."""
    text = escape_text(printable(finding.message)) + age_clause(finding)
    groups: Dict[str, List[str]] = {}
    for number, related in enumerate(finding.related, start=1):
        where = relative_path(related.path, root) or os.path.basename(related.path)
        link = f"[{escape_text(printable(where))}:{related.span.line}]({number})"
        groups.setdefault(escape_text(printable(related.message)), []).append(link)
    if not groups:
        return text
    sentences = [
        f"{what[:1].upper()}{what[1:]}: {', '.join(links)}." for what, links in groups.items()
    ]
    return f"{text}. {' '.join(sentences)}"


def age_clause(finding: Finding) -> str:
    """`` (introduced 412 days ago)`` for an aged finding about a flag; ML301 says it already."""
    days = finding.properties.get("ageDays")
    if (
        finding.code == "ML301"
        or "flag" not in finding.properties
        or not isinstance(days, int)
        or isinstance(days, bool)
    ):
        return ""
    bound = "at least " if finding.properties.get("ageIsLowerBound") else ""
    unit = "day" if days == 1 else "days"
    return f" (introduced {bound}{days} {unit} ago)"


def _location(finding: Finding, root: Path, lines: SourceLines) -> Dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": dict(_artifact_location(finding.path, root)),
            "region": region(finding, lines),
        }
    }


@functools.lru_cache(maxsize=4096)
def _artifact_location(path: str, root: Path) -> Tuple[Tuple[str, str], ...]:
    return tuple(artifact_location(path, root).items())


def artifact_location(path: str, root: Path) -> Dict[str, Any]:
    """A file's location relative to ``%SRCROOT%``.

    A file outside the root gets ``..`` segments: GitHub rejects absolute ``file:`` URIs it
    cannot map to the checkout. Only a file on another Windows drive gets an absolute URI.
    """
    relative = relative_path(path, root)
    if relative is None:
        try:
            relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        except ValueError:
            return {"uri": Path(os.path.abspath(path)).as_uri()}
    # the file name's own bytes, percent-encoded: a name that is not UTF-8 stays exact
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


def region(finding: Finding, lines: SourceLines) -> Dict[str, int]:
    """The finding's span in SARIF's terms: 1-based lines, UTF-16 code unit columns."""
    return span_region(finding.path, finding.span, lines)


def span_region(path: str, span: Span, lines: SourceLines) -> Dict[str, int]:
    """A span of ``path`` in SARIF's terms: 1-based lines, UTF-16 code unit columns."""
    end_line, end_column = span.end_line, span.end_column
    if (end_line, end_column) < (span.line, span.column):  # never emit a reversed region
        end_line, end_column = span.line, span.column
    return {
        "startLine": max(span.line, 1),
        "startColumn": utf16_column(lines.line(path, span.line), span.column),
        "endLine": max(end_line, 1),
        "endColumn": utf16_column(lines.line(path, end_line), end_column),
    }


def utf16_column(line: Optional[str], column: int) -> int:
    """A 1-based code point column of ``line`` as a 1-based UTF-16 code unit column.

    Characters outside the Basic Multilingual Plane (emoji, some CJK) take two code units.
    Past the end of the line, each further column counts one unit.
    """
    column = max(column, 1)
    if line is None:
        return column
    before = line[: column - 1]
    wide = sum(1 for ch in before if ord(ch) > 0xFFFF)
    return column + wide


def _invocation(
    report: Report, rule_index: Dict[str, int], root: Path, lines: SourceLines
) -> Dict[str, Any]:
    notifications: List[Dict[str, Any]] = []
    for finding in report.result.findings:
        if finding.code != "ML000":
            continue
        notifications.append(
            {
                "level": "warning",
                "message": {"text": f"{printable(finding.message)}; the file was not analysed."},
                "locations": [_location(finding, root, lines)],
                "associatedRule": {"id": finding.code, "index": rule_index[finding.code]},
            }
        )
    for missing in report.result.missing:
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{printable(missing)}: no such file or folder."},
            }
        )
    for error in report.result.errors:
        notifications.append({"level": "error", "message": {"text": printable(error)}})
    invocation: Dict[str, Any] = {
        "executionSuccessful": not (report.result.missing or report.result.errors),
        "workingDirectory": {"uri": _folder_uri(report.cwd)},
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _provenance(repository: Provenance) -> Dict[str, Any]:
    # A repository without a remote is named by its folder.
    details: Dict[str, Any] = {"repositoryUri": repository.uri or _folder_uri(repository.root)}
    if repository.revision is not None:
        details["revisionId"] = repository.revision
    if repository.branch is not None:
        details["branch"] = repository.branch
    details["mappedTo"] = {"uriBaseId": SRCROOT}
    return details


def _folder_uri(folder: Path) -> str:
    uri = Path(os.path.abspath(folder)).as_uri()
    return uri if uri.endswith("/") else uri + "/"
