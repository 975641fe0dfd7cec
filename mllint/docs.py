"""Rule documentation as printed by ``mllint rule`` and generated into the README and docs/.

Run ``python -m mllint.docs`` to regenerate both after changing a rule.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Type

from mllint.rules import ALL_RULES
from mllint.rules.base import Rule

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"


def rule_markdown(rule: Type[Rule]) -> str:
    """A rule's full documentation in Markdown."""
    header = f"# {rule.name} ({rule.code})\n\n{rule.message}.\n\n"
    meta = f"Severity: {rule.severity.value}. Tags: {', '.join(rule.tags)}.{_preview(rule)}\n\n"
    return header + meta + rule.doc().markdown() + "\n"


def _preview(rule: Type[Rule]) -> str:
    if not rule.preview:
        return ""
    return f" Preview: runs only when selected by its code (`--extend-select {rule.code}`)."


def rule_table() -> str:
    """The Markdown table of every rule, for the README."""
    rows = ["| Code | Name | Severity | What it reports |", "| --- | --- | --- | --- |"]
    for rule in ALL_RULES:
        summary = rule.message.replace("|", "\\|")
        rows.append(
            f"| [{rule.code}](docs/rules.md#{rule.code.lower()}-{rule.name}) | {rule.name} "
            f"| {rule.severity.value}{' (preview)' if rule.preview else ''} | {summary} |"
        )
    return "\n".join(rows)


def rules_document() -> str:
    """docs/rules.md: every rule's documentation."""
    parts = [
        "# mllint rules\n",
        "Generated from the rules' docstrings by `python -m mllint.docs`.\n",
    ]
    for rule in ALL_RULES:
        body = rule.doc().markdown().replace("\n## ", "\n### ")
        body = re.sub(r"^## ", "### ", body)
        parts.append(
            f"## {rule.code} {rule.name}\n\n{rule.message}. "
            f"Severity: {rule.severity.value}.{_preview(rule)}\n\n{body}\n"
        )
    return "\n".join(parts)


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the table markers replaced by the current table."""
    start, end = readme.index(TABLE_START), readme.index(TABLE_END)
    return readme[: start + len(TABLE_START)] + "\n" + rule_table() + "\n" + readme[end:]


def main() -> None:
    """Rewrite the README's rule table and docs/rules.md in the current checkout."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    readme = root / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "rules.md").write_text(rules_document(), encoding="utf-8")


if __name__ == "__main__":
    main()
