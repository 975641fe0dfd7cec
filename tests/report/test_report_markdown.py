"""``mllint report --format markdown``: the step summary, the pull-request comment."""

from __future__ import annotations

from pathlib import Path

from mllint.report.figures import Figures, FindingRow, FlagRow
from mllint.report.markdown import STEP_SUMMARY_LIMIT, render
from mllint.report.model import Report, change
from tests.conftest import run_subprocess
from tests.report.report_history import REF, build


def test_markdown_headline_and_change_since_a_commit(tmp_path: Path) -> None:
    root = tmp_path / "project"
    commits = build(root)
    done = run_subprocess(
        ["report", "--format", "markdown", REF, "--since", commits["added mixup"]], cwd=root
    )
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    first = text.splitlines()[0]
    assert first.startswith("**mllint debt report** \u00b7 3 findings \u00b7 2 flags")
    assert "1 dead arms (3 lines)" in first
    assert f"### This change (since `{commits['added mixup']}`)" in text
    assert "Flags added: `argparse:use\\_cutmix`, `constant:ENABLE\\_NEW\\_LOSS`." in text
    assert "Flags removed: `constant:USE\\_MIXUP`." in text
    # the mixup branch (ML102) went away, the dead `if False:` (ML101) came
    assert "- + `ML101` pkg/train.py:25" in text
    assert "- - `ML102` pkg/train.py:9" in text


def test_markdown_file_from_the_output_suffix(tmp_path: Path) -> None:
    root = tmp_path / "project"
    build(root)
    done = run_subprocess(["report", REF, "--history", "1y", "-o", "debt.md"], cwd=root)
    assert done.exit_code == 0, done.stderr
    text = (root / "debt.md").read_text(encoding="utf-8")
    assert text.startswith("**mllint debt report**")
    trend = text.split("### Trend", 1)[1]
    assert trend.count("\n| 20") == 4  # one row per commit of the year


def _huge() -> Figures:
    rows = tuple(
        FindingRow("ML105", "commented-out-code", "warning", f"pkg/m{i}.py", i, "x|y " * 400)
        for i in range(20_000)
    )
    flags = tuple(
        FlagRow(f"use_{i}", "constant", f"pkg/m{i}.py", 1, "True", 1, i, None, True, False)
        for i in range(20_000)
    )
    return Figures(
        files=20_000,
        lines=2_000_000,
        findings_by_rule={"ML105": {"warning": 20_000}},
        rule_names={"ML105": "commented-out-code"},
        flags_by_kind={"constant": 20_000},
        flags_alive=20_000,
        experiments_alive=20_000,
        stale=0,
        dead_arms=0,
        dead_lines=0,
        glue=1,
        algorithm=1,
        glue_ratio=0.5,
        packages=(),
        hotspots=(),
        flags=flags,
        findings=rows,
    )


def test_markdown_of_a_huge_project_fits_the_step_summary() -> None:
    big = _huge()
    empty = Figures(**{**big.__dict__, "findings": (), "flags": ()})
    report = Report(
        project="big",
        generated="2026-12-01T00:00:00+00:00",
        version="0",
        commit=None,
        figures=big,
        max_age_days=90,
        link=lambda path, line: f"{path}#L{line}",
        change=change("main", empty, big),
    )
    text = render(report)
    assert len(text.encode("utf-8")) <= STEP_SUMMARY_LIMIT
    assert "It adds 20000 findings" in text
    assert "\u2026 and 19975 more" in text
    # a table cell never breaks the table
    assert "x\\|y" in text
