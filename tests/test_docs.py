"""Generated documentation stays in step with the rules, and the README with CI."""

from __future__ import annotations

import re

from mllint.docs import TABLE_END, TABLE_START, readme_with_table, rules_document
from mllint.rules import ALL_RULES
from tests.conftest import ROOT


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_rule_table_is_current() -> None:
    readme = _readme()
    assert readme_with_table(readme) == readme, "run `python -m mllint.docs .`"
    table = readme[readme.index(TABLE_START) : readme.index(TABLE_END)]
    for rule in ALL_RULES:
        assert f"| {rule.name} |" in table


def test_rules_document_is_current() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_document(), "run `python -m mllint.docs .`"


def _commands(marker: str) -> list[str]:
    readme = _readme()
    block = readme[readme.index(marker) :]
    match = re.search(r"```sh\n(.*?)\n```", block, re.DOTALL)
    assert match is not None
    return match.group(1).splitlines()


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    run = _commands("<!-- run-command -->")
    test = _commands("<!-- test-command -->")
    assert len(run) == 1 and "mllint check fixtures/" in run[0] and "pip install" in run[0]
    assert len(test) == 1 and "pytest" in test[0] and "pip install" in test[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test[0] in ci.splitlines()
