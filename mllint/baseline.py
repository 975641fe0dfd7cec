"""Baselines: hide the findings an earlier run already reported, matched by fingerprint.

A baseline is any report mllint wrote with fingerprints in it: ``--format json`` (each
object's ``fingerprint``) or ``--format sarif`` (each result's ``partialFingerprints``).
``--write-baseline FILE`` writes the JSON form.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, FrozenSet, List, Sequence, Tuple

from mllint.engine import CheckResult
from mllint.fingerprint import FINGERPRINT_KEY, SourceLines, fingerprints
from mllint.model import Finding
from mllint.safeio import TooLarge, UnsafePath, read_limited

MAX_BASELINE_SIZE = 256 * 1_048_576
"""The largest baseline read (a SARIF report of a very large project fits many times)."""


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def load_baseline(path: Path) -> FrozenSet[str]:
    """The fingerprints held by a JSON or SARIF report of an earlier run."""
    try:
        text = read_limited(path, MAX_BASELINE_SIZE).decode("utf-8")
    except TooLarge as exc:
        raise BaselineError(
            f"{path}: cannot read baseline: larger than {exc.limit} bytes"
        ) from None
    except UnsafePath:
        raise BaselineError(f"{path}: cannot read baseline: not a regular file") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: cannot read baseline: not UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{path}: baseline is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("runs"), list):
        return _from_sarif(data["runs"], path)
    if isinstance(data, list):
        return _from_json_report(data, path)
    raise BaselineError(
        f"{path}: not a baseline: expected the output of `mllint check --format json` or "
        "`--format sarif`"
    )


def _from_json_report(items: List[Any], path: Path) -> FrozenSet[str]:
    found = set()
    for number, item in enumerate(items, start=1):
        value = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(value, str):
            raise BaselineError(f"{path}: finding {number} of the baseline has no fingerprint")
        found.add(value)
    return frozenset(found)


def _from_sarif(runs: List[Any], path: Path) -> FrozenSet[str]:
    found = set()
    for run in runs:
        results = run.get("results") if isinstance(run, dict) else None
        for result in results if isinstance(results, list) else []:
            prints = result.get("partialFingerprints") if isinstance(result, dict) else None
            value = prints.get(FINGERPRINT_KEY) if isinstance(prints, dict) else None
            if not isinstance(value, str):
                raise BaselineError(
                    f"{path}: a SARIF result of the baseline has no "
                    f"partialFingerprints[{FINGERPRINT_KEY!r}] (not written by mllint?)"
                )
            found.add(value)
    return frozenset(found)


def split_baselined(
    findings: Sequence[Finding], prints: Sequence[str], known: FrozenSet[str]
) -> Tuple[List[Finding], List[Finding]]:
    """``(new, baselined)``: the findings whose fingerprint the baseline does not hold, and
    those it does."""
    new: List[Finding] = []
    old: List[Finding] = []
    for finding, fingerprint in zip(findings, prints):
        (old if fingerprint in known else new).append(finding)
    return new, old


def hide_baselined(result: CheckResult, root: Path, known: FrozenSet[str]) -> CheckResult:
    """``result`` without the findings the baseline holds (they go to ``baselined``)."""
    findings = list(result.findings)
    prints = fingerprints(findings, root, SourceLines(), result.baselined)
    new, old = split_baselined(findings, prints, known)
    return replace(result, findings=tuple(new), baselined=result.baselined + tuple(old))
