"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff."""

from __future__ import annotations

from mllint.display import printable
from mllint.model import Severity
from mllint.output import Report

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    """One ``::warning file=...,line=...::message`` command per finding."""
    out = []
    for f in report.result.findings:
        fields = ",".join(
            [
                f"file={_property(report.display_path(f.path))}",
                f"line={f.span.line}",
                f"col={f.span.column}",
                f"endLine={f.span.end_line}",
                f"endColumn={f.span.end_column}",
                f"title={_property(f'{f.code} {f.name}')}",
            ]
        )
        message = printable(_data(f"{f.code} {f.message}"))  # newlines: GitHub's %0A
        out.append(f"::{_LEVELS[f.severity]} {fields}::{message}\n")
    return "".join(out)
