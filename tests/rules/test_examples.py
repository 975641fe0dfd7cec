"""Every VALID / INVALID example of every rule, run through the per-file stage (Fixit-style)."""

from __future__ import annotations

from typing import List, Tuple, Type

import pytest

from mllint.analyze import analyze_source
from mllint.rules import ALL_RULES, FILE_RULES
from mllint.rules.base import Invalid, Rule, Valid
from mllint.rules.parse import ParseError

EXAMPLE_RULES = [ParseError, *FILE_RULES]


def _cases() -> Tuple[List[Tuple[Type[Rule], Valid]], List[Tuple[Type[Rule], Invalid]]]:
    valid, invalid = [], []
    for rule in EXAMPLE_RULES:
        rule_valid, rule_invalid = rule.examples()
        valid.extend((rule, example) for example in rule_valid)
        invalid.extend((rule, example) for example in rule_invalid)
    return valid, invalid


VALID, INVALID = _cases()


def _ids(cases: List[Tuple[Type[Rule], object]]) -> List[str]:
    counts: dict[str, int] = {}
    ids = []
    for rule, _ in cases:
        counts[rule.code] = counts.get(rule.code, 0) + 1
        ids.append(f"{rule.code}-{counts[rule.code]}")
    return ids


@pytest.mark.parametrize("case", VALID, ids=_ids(VALID))
def test_valid_example_is_not_reported(case: Tuple[Type[Rule], Valid]) -> None:
    rule, example = case
    result = analyze_source("example.py", example.code.encode("utf-8"))
    assert [f for f in result.findings if f.code == rule.code] == []


@pytest.mark.parametrize("case", INVALID, ids=_ids(INVALID))
def test_invalid_example_is_reported(case: Tuple[Type[Rule], Invalid]) -> None:
    rule, example = case
    result = analyze_source("example.py", example.code.encode("utf-8"))
    found = [f for f in result.findings if f.code == rule.code]
    assert found, f"{rule.code} did not report:\n{example.code}"
    if example.line is not None:
        assert example.line in [f.span.line for f in found]
    if example.message is not None:
        assert any(example.message in f.message for f in found), [f.message for f in found]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_examples_and_docs(rule: Type[Rule]) -> None:
    valid, invalid = rule.examples()
    assert valid and invalid, f"{rule.code} needs VALID and INVALID examples"
    doc = rule.doc()
    assert doc.what and doc.why and doc.example and doc.use_instead
    assert rule.name == rule.name.lower() and " " not in rule.name
