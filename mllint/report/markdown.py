"""The report as GitHub-flavoured Markdown: a badge-like line, the headline tables, the
trend, and with ``--since`` what the change adds and removes. It fits GitHub's step summary
(``$GITHUB_STEP_SUMMARY`` takes at most 1 MiB) and a pull-request comment (65,536
characters) when the tables are cut to :data:`ROWS`."""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence

from mllint.report.figures import FindingRow
from mllint.report.model import Report, summary_line

STEP_SUMMARY_LIMIT = 1 << 20
"""Bytes GitHub accepts in one step summary."""
ROWS = 25
"""Rows of each table (the rest counted in a line below it)."""


def _cell(text: object) -> str:
    shown = str(text).replace("\\", "\\\\").replace("|", "\\|")
    shown = " ".join(shown.split())
    for char in "<>*_`[]":
        shown = shown.replace(char, "\\" + char)
    return shown


def _table(
    header: Sequence[str], rows: Iterable[Sequence[object]], total: int, limit: int = ROWS
) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    count = 0
    for row in rows:
        if count == limit:
            break
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        count += 1
    if total > count:
        lines.append("")
        lines.append(f"_\u2026 and {total - count} more._")
    lines.append("")
    return lines


def _percent(ratio: Optional[float]) -> str:
    return "n/a" if ratio is None else f"{100 * ratio:.0f}%"


def _finding(row: FindingRow) -> str:
    return f"`{row.code}` {_cell(row.path)}:{row.line} {_cell(row.message)}"


def render(report: Report) -> str:
    """The Markdown page."""
    figures = report.figures
    out: List[str] = [
        f"**mllint debt report** \u00b7 {summary_line(figures)}",
        "",
        f"_{_cell(report.project)}"
        + (f" at `{report.commit[:10]}`" if report.commit else "")
        + f", {report.generated[:10]}, mllint {report.version}._",
        "",
    ]
    if report.change is not None:
        change = report.change
        out += [f"### This change (since `{_cell(change.reference)}`)", ""]
        before = change.before
        out += _table(
            ("", "before", "after"),
            [
                ("findings", before.total_findings, figures.total_findings),
                ("flags alive", before.flags_alive, figures.flags_alive),
                ("experiments alive", before.experiments_alive, figures.experiments_alive),
                ("dead arms", before.dead_arms, figures.dead_arms),
                ("glue ratio", _percent(before.glue_ratio), _percent(figures.glue_ratio)),
            ],
            5,
        )
        for sign, title, rows in (
            ("+", "adds", change.findings_added),
            ("-", "removes", change.findings_removed),
        ):
            out.append(f"**It {title} {len(rows)} findings.**")
            out.append("")
            out += [f"- {sign} {_finding(r)}" for r in rows[:ROWS]]
            if len(rows) > ROWS:
                out.append(f"- \u2026 and {len(rows) - ROWS} more")
            out.append("")
        for title, flags in (
            ("Flags added", change.flags_added),
            ("Flags removed", change.flags_removed),
        ):
            if flags:
                names = ", ".join(f"`{_cell(f)}`" for f in flags[:ROWS])
                more = f" and {len(flags) - ROWS} more" if len(flags) > ROWS else ""
                out += [f"{title}: {names}{more}.", ""]
    out += ["### Findings by rule", ""]
    by_rule = sorted(figures.findings_by_rule.items())
    out += _table(
        ("rule", "name", "error", "warning", "note"),
        [
            (
                code,
                figures.rule_names.get(code, ""),
                c.get("error", 0),
                c.get("warning", 0),
                c.get("note", 0),
            )
            for code, c in by_rule
        ],
        len(by_rule),
    )
    out += ["### Glue vs algorithm per package", ""]
    out += [
        f"System glue ratio: **{_percent(figures.glue_ratio)}** ({figures.glue} glue, "
        f"{figures.algorithm} algorithm statements).",
        "",
    ]
    out += _table(
        ("package", "glue", "algorithm", "glue ratio"),
        [(p.path or ".", p.glue, p.algorithm, _percent(p.glue_ratio)) for p in figures.packages],
        len(figures.packages),
    )
    if figures.hotspots:
        out += ["### Hotspots (most debt per line)", ""]
        out += _table(
            ("file", "findings", "lines", "per 100 lines"),
            [(h.path, h.findings, h.lines, f"{h.per_100_lines:.1f}") for h in figures.hotspots],
            len(figures.hotspots),
        )
    if figures.flags:
        oldest = sorted(figures.flags, key=lambda f: (-(f.age_days or -1), f.name))
        out += ["### Flags (oldest first)", ""]
        out += _table(
            ("flag", "kind", "defined at", "value", "reads", "age (days)", "status"),
            [
                (
                    f.name,
                    f.kind,
                    f"{f.path}:{f.line}" if f.path else "-",
                    f.value,
                    f.reads,
                    "-" if f.age_days is None else f.age_days,
                    "stale" if f.stale else ("experiment" if f.experiment else ""),
                )
                for f in oldest
            ],
            len(oldest),
        )
    if report.trend:
        out += ["### Trend", ""]
        out += _table(
            ("date", "commit", "flags", "experiments", "stale", "dead arms", "glue ratio"),
            [
                (
                    p.commit.date[:10],
                    p.commit.sha[:10],
                    p.figures.flags_alive,
                    p.figures.experiments_alive,
                    p.stale,
                    p.figures.dead_arms,
                    _percent(p.figures.glue_ratio),
                )
                for p in report.trend
            ],
            len(report.trend),
            limit=len(report.trend),
        )
    for note in report.notes:
        out += [f"> {_cell(note)}", ""]
    text = "\n".join(out).rstrip("\n") + "\n"
    return _fit(text)


def _fit(text: str) -> str:
    """Cut the page to the step summary's limit (long messages in huge projects)."""
    data = text.encode("utf-8")
    if len(data) <= STEP_SUMMARY_LIMIT:
        return text
    tail = "\n\n_Report cut to fit 1 MiB._\n"
    cut = data[: STEP_SUMMARY_LIMIT - len(tail.encode())].decode("utf-8", "ignore")
    return cut[: cut.rfind("\n")] + tail
