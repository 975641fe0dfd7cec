"""GitHub workflow commands escape what would break them."""

from __future__ import annotations

from pathlib import Path

from mllint.config import Settings
from mllint.engine import CheckResult
from mllint.model import Finding, Severity, Span
from mllint.output import Report
from mllint.output.github import render


def test_escaping_and_levels(tmp_path: Path) -> None:
    finding = Finding(
        path=str(tmp_path / "a,b:c.py"),
        span=Span(3, 4, 3, 9),
        code="ML000",
        name="parse-error",
        message="100% broken\nreally",
        severity=Severity.ERROR,
    )
    note = Finding(str(tmp_path / "n.py"), Span(1, 1, 1, 2), "ML103", "x", "m", Severity.NOTE)
    result = CheckResult((finding, note), (), {}, (), (), 0, 0)
    out = render(Report(result, Settings(), tmp_path)).splitlines()
    assert out[0] == (
        "::error file=a%2Cb%3Ac.py,line=3,col=4,endLine=3,endColumn=9,"
        "title=ML000 parse-error::ML000 100%25 broken%0Areally"
    )
    assert out[1].startswith("::notice file=n.py,")
