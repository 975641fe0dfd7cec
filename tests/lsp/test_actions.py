"""The ``# noqa`` edit and the hover texts."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from mllint.lsp.actions import flag_text, noqa_edit, rule_text
from mllint.model import Finding, Severity, Span
from mllint.suppress import parse_noqa


def _apply(line: str, code: str) -> Optional[str]:
    edit = noqa_edit(line, code)
    return None if edit is None else line[: edit.start] + edit.text + line[edit.end :]


@pytest.mark.parametrize(
    ("line", "code", "expected"),
    [
        ("if False:", "ML101", "if False:  # noqa: ML101"),
        ("if False:   ", "ML101", "if False:  # noqa: ML101"),
        ("if False:  # old loss", "ML101", "if False:  # old loss  # noqa: ML101"),
        ("if False:  # noqa: ML2", "ML101", "if False:  # noqa: ML2,ML101"),
        ("if False:  # noqa:ML2, ML3 -- why", "ML101", "if False:  # noqa:ML2, ML3,ML101 -- why"),
        ("if False:  # NOQA: ML2", "ML101", "if False:  # NOQA: ML2,ML101"),
        ("", "ML105", "# noqa: ML105"),
    ],
)
def test_the_edit_adds_or_extends_a_noqa_that_silences_the_code(
    line: str, code: str, expected: str
) -> None:
    assert not parse_noqa(line + "\n").silences(code, 1)
    edited = _apply(line, code)
    assert edited == expected
    assert parse_noqa(edited + "\n").silences(code, 1)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("if False:  # noqa", "ML101"),  # blanket: silenced already
        ("if False:  # noqa: ML1", "ML101"),  # a prefix names it already
        ("x = 1 + \\", "ML101"),  # a comment cannot precede a continuation backslash
        ("def f(:", "ML000"),  # a file that does not parse has no comments to read
    ],
)
def test_no_edit_where_none_can_help(line: str, code: str) -> None:
    assert noqa_edit(line, code) is None


def _finding(code: str = "ML101", **properties: Any) -> Finding:
    return Finding(
        path="/p/train.py",
        span=Span(3, 1, 3, 9),
        code=code,
        name="constant-condition" if code == "ML101" else "stale-flag-branch",
        message="`if False` is never true: its body is dead code",
        severity=Severity.WARNING,
        properties=properties,
    )


def test_rule_text_has_the_message_doc_and_link() -> None:
    markdown = rule_text(_finding(), markdown=True)
    assert markdown.startswith("**ML101** `constant-condition` (warning)")
    assert "never true" in markdown and "## What it does" in markdown
    assert "(https://github.com/mllint-debt/mllint/blob/main/docs/rules.md#ml101-" in markdown
    plain = rule_text(_finding(), markdown=False)
    assert "**" not in plain and "## " not in plain and "docs/rules.md#ml101-" in plain


def test_flag_text_shows_what_the_findings_know_of_the_flag() -> None:
    facts: Dict[str, Any] = {
        "flag": "USE_NEW_LOSS",
        "value": False,
        "definedAt": {"path": "pkg/config.py", "line": 4},
        "references": [{"path": "pkg/train.py", "line": 3}, {"path": "pkg/eval.py", "line": 9}],
        "introducedDate": "2024-01-02T00:00:00+00:00",
        "ageDays": 400,
        "ageIsLowerBound": True,
    }
    text = flag_text("USE_NEW_LOSS", [_finding("ML102", **facts)], markdown=True)
    assert text is not None
    assert text.startswith("**Flag `USE_NEW_LOSS`**")
    assert "- value: False" in text
    assert "- defined at: pkg/config.py:4" in text
    assert "- reads: pkg/train.py:3, pkg/eval.py:9" in text
    assert "- age (days): at least 400" in text
    assert "Reported by ML102 stale-flag-branch" in text
    assert flag_text("OTHER", [_finding("ML102", **facts)], markdown=True) is None
    assert flag_text("USE_NEW_LOSS", [_finding()], markdown=True) is None
