"""The figures of the debt report, computed from one run's results (no file system, no git:
callers hand in what the pipeline found and a way to read a file's bytes)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from mllint.flags.inventory import Flag, FlagDates
from mllint.model import FileResult, Finding
from mllint.source import SourceError, decode
from mllint.stats import tally

DEAD_ARM_RULES = ("ML101", "ML102")
"""Rules whose findings are dead arms of a branch."""
EXPERIMENT_RULE = "ML103"
STALE_RULE = "ML301"
HOTSPOTS = 12
"""Files shown as hotspots."""


@dataclass(frozen=True)
class PackageRow:
    """Glue and algorithm statements of one package."""

    path: str
    glue: int
    algorithm: int
    modules: int
    glue_ratio: Optional[float]


@dataclass(frozen=True)
class Hotspot:
    """A file with much debt for its size."""

    path: str
    findings: int
    lines: int
    per_100_lines: float


@dataclass(frozen=True)
class FlagRow:
    """One flag of the inventory, as the report's table shows it."""

    name: str
    kind: str
    path: Optional[str]
    line: Optional[int]
    value: str
    reads: int
    age_days: Optional[int]
    introduced: Optional[str]
    experiment: bool
    stale: bool


@dataclass(frozen=True)
class FindingRow:
    """One finding, path as displayed."""

    code: str
    name: str
    severity: str
    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Figures:
    """The headline figures of one snapshot of a project."""

    files: int
    lines: int
    findings_by_rule: Mapping[str, Mapping[str, int]]
    """Rule code -> severity -> count."""
    rule_names: Mapping[str, str]
    flags_by_kind: Mapping[str, int]
    flags_alive: int
    experiments_alive: int
    stale: int
    dead_arms: int
    dead_lines: int
    glue: int
    algorithm: int
    glue_ratio: Optional[float]
    packages: Tuple[PackageRow, ...]
    hotspots: Tuple[Hotspot, ...]
    flags: Tuple[FlagRow, ...] = ()
    findings: Tuple[FindingRow, ...] = ()
    experiment_names: Tuple[str, ...] = field(default=())

    @property
    def total_findings(self) -> int:
        """Every finding counted once."""
        return sum(sum(by.values()) for by in self.findings_by_rule.values())

    def to_json(self) -> Dict[str, Any]:
        """Plain JSON data."""
        return {
            "files": self.files,
            "lines": self.lines,
            "findings": self.total_findings,
            "findings_by_rule": {k: dict(v) for k, v in sorted(self.findings_by_rule.items())},
            "flags_by_kind": dict(sorted(self.flags_by_kind.items())),
            "flags_alive": self.flags_alive,
            "experiments_alive": self.experiments_alive,
            "stale_experiments": self.stale,
            "dead_arms": self.dead_arms,
            "dead_lines": self.dead_lines,
            "glue": self.glue,
            "algorithm": self.algorithm,
            "glue_ratio": _rounded(self.glue_ratio),
            "packages": [
                {
                    "path": p.path,
                    "glue": p.glue,
                    "algorithm": p.algorithm,
                    "modules": p.modules,
                    "glue_ratio": _rounded(p.glue_ratio),
                }
                for p in self.packages
            ],
            "hotspots": [
                {
                    "path": h.path,
                    "findings": h.findings,
                    "lines": h.lines,
                    "per_100_lines": round(h.per_100_lines, 2),
                }
                for h in self.hotspots
            ],
            "flags": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "path": f.path,
                    "line": f.line,
                    "value": f.value,
                    "reads": f.reads,
                    "age_days": f.age_days,
                    "introduced_date": f.introduced,
                    "experiment": f.experiment,
                    "stale": f.stale,
                }
                for f in self.flags
            ],
        }


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)


SourceReader = Callable[[str], Optional[bytes]]
"""Gives a file's bytes by its path as found (``None`` when they cannot be read)."""
ArmReader = Callable[[str], Optional[Mapping[int, Tuple[int, int]]]]
"""Gives :func:`arm_lines` of a file by its path as found (``None``: cannot be read)."""


def compute(
    findings: Sequence[Finding],
    results: Mapping[str, FileResult],
    flags: Sequence[Flag],
    display: Callable[[str], str],
    source: Optional[SourceReader] = None,
    ages: Optional[Mapping[str, FlagDates]] = None,
    detailed: bool = True,
    arms: Optional[ArmReader] = None,
) -> Figures:
    """The figures of a snapshot: ``findings`` as kept after suppression, ``results`` the
    per-file results (for lines and glue counts), ``flags`` the inventory, ``display`` the
    path to show for a path, ``source`` to measure dead arms in lines, ``ages`` by flag key.
    Without ``detailed``, the flag and finding rows are left out (trend points). ``arms``
    (:func:`arm_lines` by path, kept by the caller) stands in for ``source``."""
    by_rule: Dict[str, Dict[str, int]] = {}
    names: Dict[str, str] = {}
    per_file: Dict[str, int] = {}
    experiments: Dict[str, None] = {}
    stale_names: Dict[str, None] = {}
    dead: List[Finding] = []
    for finding in findings:
        counts = by_rule.setdefault(finding.code, {})
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
        names[finding.code] = finding.name
        if finding.code != "ML000":
            per_file[finding.path] = per_file.get(finding.path, 0) + 1
        flag = finding.properties.get("flag")
        if finding.code == EXPERIMENT_RULE and isinstance(flag, str):
            experiments[flag] = None
        if finding.code == STALE_RULE and isinstance(flag, str):
            stale_names[flag] = None
        if finding.code in DEAD_ARM_RULES:
            dead.append(finding)
    kinds: Dict[str, int] = {}
    for flag_ in flags:
        kinds[flag_.kind] = kinds.get(flag_.kind, 0) + 1
    stats = tally(results, {p: display(p) for p in results})
    packages = tuple(
        sorted(
            (
                PackageRow(p.path, p.glue, p.algorithm, p.modules, p.glue_ratio)
                for p in stats.packages
                if p.glue + p.algorithm > 0
            ),
            key=lambda p: (-(p.glue + p.algorithm), p.path),
        )
    )
    hotspots = sorted(
        (
            Hotspot(display(path), count, results[path].lines, 100.0 * count / results[path].lines)
            for path, count in per_file.items()
            if path in results and results[path].lines > 0
        ),
        key=lambda h: (-h.per_100_lines, -h.findings, h.path),
    )[:HOTSPOTS]
    return Figures(
        files=len(results),
        lines=sum(r.lines for r in results.values()),
        findings_by_rule=by_rule,
        rule_names=names,
        flags_by_kind=kinds,
        flags_alive=len(flags),
        experiments_alive=len(experiments),
        stale=len(stale_names),
        dead_arms=len(dead),
        dead_lines=_dead_lines(dead, arms, source),
        glue=stats.total.glue,
        algorithm=stats.total.algorithm,
        glue_ratio=stats.total.glue_ratio,
        packages=packages,
        hotspots=tuple(hotspots),
        flags=_flag_rows(flags, display, ages or {}, experiments, stale_names) if detailed else (),
        findings=tuple(
            FindingRow(f.code, f.name, f.severity.value, display(f.path), f.span.line, f.message)
            for f in findings
        )
        if detailed
        else (),
        experiment_names=tuple(sorted(experiments)),
    )


def _flag_rows(
    flags: Sequence[Flag],
    display: Callable[[str], str],
    ages: Mapping[str, FlagDates],
    experiments: Mapping[str, None],
    stale: Mapping[str, None],
) -> Tuple[FlagRow, ...]:
    from mllint.display import display_value

    rows = []
    for flag in flags:
        where = flag.defined_at or (flag.references[0] if flag.references else None)
        age = ages.get(flag.key)
        value = display_value(flag.value, flag.name)
        rows.append(
            FlagRow(
                name=flag.name,
                kind=flag.kind,
                path=None if where is None else display(where[0]),
                line=None if where is None else where[1],
                value=value if len(value) <= 60 else value[:57] + "...",
                reads=len(flag.references),
                age_days=None if age is None else age.age_days,
                introduced=None if age is None else age.introduced_date[:10],
                experiment=flag.name in experiments,
                stale=flag.name in stale,
            )
        )
    return tuple(rows)


def _dead_lines(
    dead: Sequence[Finding], arms: Optional[ArmReader], source: Optional[SourceReader]
) -> int:
    if arms is not None:
        return dead_lines(dead, arms)
    return 0 if source is None else dead_lines(dead, _arms_from(source))


def _arms_from(source: SourceReader) -> ArmReader:
    def arms(path: str) -> Optional[Mapping[int, Tuple[int, int]]]:
        data = source(path)
        return None if data is None else arm_lines(data)

    return arms


def dead_lines(findings: Sequence[Finding], arms_of: ArmReader) -> int:
    """Lines in the dead arms of ``findings`` (ML101/ML102), measured on each file's own
    syntax tree (CPython's parser; nothing is run); a file that cannot be read counts 0."""
    by_path: Dict[str, List[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    total = 0
    for path, found in by_path.items():
        arms = arms_of(path)
        if arms is None:
            continue
        for finding in found:
            arm = finding.properties.get("deadArm")
            sizes = arms.get(finding.span.line)
            if sizes is None or arm not in ("body", "orelse"):
                continue
            total += sizes[0] if arm == "body" else sizes[1]
    return total


def arm_lines(data: bytes, lines: Optional[Set[int]] = None) -> Dict[int, Tuple[int, int]]:
    """For each ``if``/``while``/conditional expression, by its first line: how many lines
    its body and its ``else`` arm span (an ``elif`` chain is the else arm). With ``lines``,
    only the branches starting on those lines, found without walking the rest of the tree."""
    try:
        text = decode(data).text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: Dict[int, Tuple[int, int]] = {}
    if lines is None:
        for node in ast.walk(tree):
            _measure(node, found)
        return found
    statements: List[ast.AST] = list(tree.body)
    while statements:
        statement = statements.pop()
        first, last = _line(statement, "lineno"), _line(statement, "end_lineno")
        if not any(first <= line <= last for line in lines):
            continue
        if first in lines:
            _measure(statement, found)
        inner = [
            child
            for name in ("body", "orelse", "handlers", "finalbody", "cases")
            for child in getattr(statement, name, ())
            if isinstance(child, ast.AST)
        ]
        if inner:
            statements.extend(inner)
        else:  # a simple statement: a conditional expression may sit inside it
            for node in ast.walk(statement):
                if isinstance(node, ast.IfExp) and node.lineno in lines:
                    _measure(node, found)
    return found


def _measure(node: ast.AST, found: Dict[int, Tuple[int, int]]) -> None:
    if isinstance(node, (ast.If, ast.While)):
        found.setdefault(node.lineno, (_span(node.body), _span(node.orelse)))
    elif isinstance(node, ast.IfExp):
        found.setdefault(node.lineno, (_span([node.body]), _span([node.orelse])))


def _span(nodes: Sequence[ast.AST]) -> int:
    if not nodes:
        return 0
    first = min(_line(n, "lineno") for n in nodes)
    last = max(_line(n, "end_lineno") or _line(n, "lineno") for n in nodes)
    return max(0, last - first + 1)


def _line(node: ast.AST, name: str) -> int:
    value = getattr(node, name, None)
    return value if isinstance(value, int) else 0
