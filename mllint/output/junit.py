"""``--format junit``: JUnit XML, the test report GitLab, Jenkins and Azure Pipelines show.

One ``<testsuite>`` named ``mllint``. Every finding that fails the run (at or above
``--fail-on``) is a ``<testcase>`` with a ``<failure>`` whose text is the finding's
``path:line:col: CODE message`` line; a file mllint could not read (ML000) has an ``<error>``
instead. Findings below ``--fail-on`` (notes, by default) pass, with the finding as their
``<system-out>``. Every analysed file without a finding is one passing testcase, so the
report counts what was checked. A testcase's ``classname`` is the file's path as a dotted
module name (Jenkins groups by its dots), and ``file`` / ``line`` point at the finding.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Dict, List, Set, Tuple

from mllint.config import fails
from mllint.display import printable
from mllint.model import Finding
from mllint.output import Report

SUITE = "mllint"


def classname(path: str) -> str:
    """``pkg/train.py`` as ``pkg.train``: the path Jenkins shows as package and class."""
    stem = path[:-3] if path.endswith(".py") else path
    return stem.replace("/", ".").lstrip(".") or stem


def _case_name(finding: Finding, taken: Set[Tuple[str, str]], group: str) -> str:
    """``ML101 constant-condition at 8:5``, numbered when one place has two of a code."""
    base = f"{finding.code} {finding.name} at {finding.span.line}:{finding.span.column}"
    name, number = base, 1
    while (group, name) in taken:
        number += 1
        name = f"{base} ({number})"
    taken.add((group, name))
    return name


def render(report: Report) -> str:
    """The run as one JUnit ``<testsuite>`` inside ``<testsuites>``."""
    findings = report.result.findings
    shown: Dict[str, str] = {}

    def path_of(path: str) -> str:
        if path not in shown:
            shown[path] = report.display_path(path)
        return shown[path]

    cases: List[ET.Element] = []
    counts = {"failures": 0, "errors": 0}
    taken: Set[Tuple[str, str]] = set()
    for finding in findings:
        path = path_of(finding.path)
        group = classname(path)
        case = ET.Element(
            "testcase",
            {
                "classname": group,
                "name": printable(_case_name(finding, taken, group)),
                "file": path,
                "line": str(finding.span.line),
                "time": "0",
            },
        )
        line = f"{path}:{finding.span.line}:{finding.span.column}: {finding.code} {finding.message}"
        text = printable(line)
        if not fails(finding.severity.value, report.settings.fail_on):
            ET.SubElement(case, "system-out").text = f"{finding.severity.value}: {text}"
        else:
            kind = "error" if finding.code == "ML000" else "failure"
            counts[kind + "s"] += 1
            outcome = ET.SubElement(
                case,
                kind,
                {"type": finding.code, "message": printable(f"{finding.code} {finding.message}")},
            )
            outcome.text = text
        cases.append(case)
    with_findings = {f.path for f in findings}
    for path in sorted(report.result.files, key=path_of):
        if path not in with_findings:
            shown_path = path_of(path)
            cases.append(
                ET.Element(
                    "testcase",
                    {
                        "classname": classname(shown_path),
                        "name": "mllint",
                        "file": shown_path,
                        "time": "0",
                    },
                )
            )
    totals = {
        "tests": str(len(cases)),
        "failures": str(counts["failures"]),
        "errors": str(counts["errors"]),
        "skipped": "0",
        "time": "0",
    }
    suites = ET.Element("testsuites", {"name": SUITE, **totals})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **totals})
    suite.extend(cases)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
