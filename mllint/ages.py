"""The age stage: git dates for findings and flags, and ML301 stale-experiment.

It runs after the project rules, at the edge of the pipeline, because it asks git (through
:mod:`mllint.history`). Its work is bounded by what was found: one ``git log`` for the
introductions of the flags involved, one ``git blame`` per file that keeps a finding.
"""

from __future__ import annotations

import concurrent.futures
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from mllint.flags.inventory import Flag, FlagDates
from mllint.history import Commit, Probe, Repository, age_days
from mllint.model import Finding, Span
from mllint.rules.age import StaleExperiment

FLAG_RULES = ("ML102", "ML103", "ML104")
"""The rules whose flags ML301 ages."""

_BLAME_LINES = 200
"""At most this many lines of one finding are blamed (a long region changes often anyway)."""


@dataclass(frozen=True)
class FlagAge:
    """When a flag was introduced and when its defining line last changed."""

    introduced: Commit
    last_modified: Optional[Commit]


def location(flag: Flag) -> Optional[Tuple[str, int]]:
    """Where ML301 reports a flag: its definition, else its first read."""
    if flag.defined_at is not None:
        return flag.defined_at
    return flag.references[0] if flag.references else None


def probe_for(flag: Flag, repo: Repository) -> Probe:
    """What an added line that introduces ``flag`` looks like."""
    name = flag.name
    escaped = re.escape(name)
    words = [re.escape(w) for w in re.split(r"[-_]", name) if w]
    option = r"['\"]-{1,2}" + r"[-_]".join(words) + r"['\"]"
    literals: Tuple[str, ...] = (name,)
    if flag.kind == "constant":
        pattern = rf"^\s*{escaped}\s*(?::[^=]*)?=(?!=)"
    elif flag.kind == "argparse":
        pattern = rf"{option}|dest\s*=\s*['\"]{escaped}['\"]"
        literals = tuple({name, name.replace("_", "-")})
    elif flag.kind == "absl":
        pattern = rf"DEFINE_\w*\s*\(\s*(?:name\s*=\s*)?['\"]{escaped}['\"]"
    elif flag.kind in ("click", "typer"):
        pattern = rf"{option}|\b{escaped}\s*:"
        literals = tuple({name, name.replace("_", "-")})
    elif flag.kind == "env":
        pattern = rf"['\"]{escaped}['\"]"
    else:  # config attributes and anything newer: the first line that reads it
        pattern = rf"\.{escaped}\b|['\"]{escaped}['\"]"
    where = location(flag)
    path = repo.relative(Path(where[0])) if where is not None else None
    return Probe(key=flag.key, path=path or "", literals=tuple(sorted(literals)), pattern=pattern)


def flag_of(finding: Finding, flags: Sequence[Flag]) -> Optional[Flag]:
    """The flag a finding is about (by ``properties.flag``), kinds chosen by the rule."""
    name = finding.properties.get("flag")
    if not isinstance(name, str):
        return None
    variable = finding.properties.get("variable")  # an env flag read through a name
    candidates = [f for f in flags if f.name == name or (f.kind == "env" and f.name == variable)]
    if not candidates:
        return None
    here = [f for f in candidates if f.defined_at == (finding.path, finding.span.line)]
    if here:
        return here[0]
    if finding.code in ("ML102", "ML106"):
        kinds = [f for f in candidates if f.kind == "constant"]
    else:
        kinds = [f for f in candidates if f.kind != "constant"]
    same_file = [f for f in kinds or candidates if f.defined_at and f.defined_at[0] == finding.path]
    return (same_file or kinds or candidates)[0]


class History:
    """Ages for one run; everything it learns from git is kept for the rest of the run."""

    def __init__(self, repo: Repository, now: datetime, max_age_days: int, jobs: int = 1) -> None:
        self.repo = repo
        self.now = now
        self.max_age_days = max_age_days
        self.jobs = max(1, jobs)
        self._flag_ages: Dict[str, FlagAge] = {}
        self._unknown: Set[str] = set()
        """Flags whose age git could not tell."""
        self._blamed: Dict[Tuple[str, int], Commit] = {}
        self._blamed_ranges: Dict[str, List[Tuple[int, int]]] = {}

    # -- flags ----------------------------------------------------------------------------

    def flag_ages(self, flags: Iterable[Flag]) -> Dict[str, FlagAge]:
        """Introduction and last change of each flag (one ``git log`` for those not known)."""
        wanted = {f.key: f for f in flags if location(f) is not None}
        missing = [
            f for k, f in wanted.items() if k not in self._flag_ages and k not in self._unknown
        ]
        if missing:
            introduced = self.repo.introductions([probe_for(f, self.repo) for f in missing])
            blamed = self._blame_ranges(
                _ranges([], [loc for loc in map(location, missing) if loc is not None])
            )
            for flag in missing:
                key = flag.key
                path, line = location(flag)  # type: ignore[misc]
                last = blamed.get((path, line))
                first = introduced.get(key)
                if key in introduced and first is None:
                    self._unknown.add(key)  # git could not answer: no age, rather than a wrong one
                    continue
                if first is None or (last is not None and last.timestamp < first.timestamp):
                    # not found in history (uncommitted, untracked, or a shape the probe
                    # misses): the line's own commit is the best evidence there is
                    first = last
                if first is None:
                    self._unknown.add(key)
                    continue
                self._flag_ages[key] = FlagAge(first, last)
        return {k: self._flag_ages[k] for k in wanted if k in self._flag_ages}

    def inventory_ages(self, flags: Sequence[Flag]) -> Dict[str, FlagDates]:
        """Ages for ``mllint flags``, by flag key."""
        return {
            key: FlagDates(
                introduced_date=age.introduced.date,
                last_modified_date=None if age.last_modified is None else age.last_modified.date,
                age_days=age_days(age.introduced, self.now),
                lower_bound=age.introduced.boundary,
            )
            for key, age in self.flag_ages(flags).items()
        }

    def stale(self, findings: Sequence[Finding], flags: Sequence[Flag]) -> List[Finding]:
        """ML301 for every flag of an ML102/ML103/ML104 finding older than the limit."""
        involved: Dict[str, Flag] = {}
        for finding in findings:
            if finding.code in FLAG_RULES and finding.properties.get("experiment") is not False:
                flag = flag_of(finding, flags)
                if flag is not None and location(flag) is not None:
                    involved[flag.key] = flag
        # one blame per file serves the definitions now and every finding later
        places = [loc for loc in map(location, involved.values()) if loc is not None]
        self._blame_ranges(_ranges(findings, places))
        ages = self.flag_ages(involved.values())
        out: List[Finding] = []
        for key, flag in sorted(involved.items()):
            age = ages.get(key)
            if age is None:
                continue
            days = age_days(age.introduced, self.now)
            if days <= self.max_age_days:
                continue
            path, line = location(flag)  # type: ignore[misc]
            bound = "at least " if age.introduced.boundary else ""
            out.append(
                Finding(
                    path=path,
                    span=Span(line, 1, line, 1),
                    code=StaleExperiment.code,
                    name=StaleExperiment.name,
                    message=(
                        f"Experiment flag `{flag.name}` ({flag.kind}) was introduced "
                        f"{bound}{days} days ago ({age.introduced.date[:10]}), more than "
                        f"max-age-days = {self.max_age_days}"
                    ),
                    severity=StaleExperiment.severity,
                    properties={"flag": flag.name, "flagKind": flag.kind},
                )
            )
        return out

    # -- findings -------------------------------------------------------------------------

    def attach(self, findings: Sequence[Finding], flags: Sequence[Flag]) -> List[Finding]:
        """The findings with age properties; blames only the files that have findings."""
        blamed = self._blame_ranges(_ranges(findings, []))
        involved = [x for x in (flag_of(f, flags) for f in findings) if x is not None]
        ages = self.flag_ages(involved)
        aged: List[Finding] = []
        for f in findings:
            lines = [
                blamed[(f.path, n)]
                for n in range(f.span.line, max(f.span.end_line, f.span.line) + 1)
                if (f.path, n) in blamed
            ]
            if not lines:
                aged.append(f)
                continue
            last = max(lines, key=lambda c: c.timestamp)
            introduced = lines[0]
            flag = flag_of(f, flags)
            if flag is not None and flag.key in ages:
                introduced = ages[flag.key].introduced
            elif flag is not None and flag.key in self._unknown:
                aged.append(f)  # the flag's age is unknown: its line's commit is not it
                continue
            aged.append(
                replace(f, properties={**f.properties, **self._properties(introduced, last)})
            )
        return aged

    def _properties(self, introduced: Commit, last: Commit) -> Dict[str, Any]:
        return {
            "introducedDate": introduced.date,
            "introducedCommit": None if introduced.uncommitted else introduced.sha,
            "lastModifiedDate": last.date,
            "lastModifiedCommit": None if last.uncommitted else last.sha,
            "ageDays": age_days(introduced, self.now),
            "ageIsLowerBound": introduced.boundary,
        }

    def _blame_ranges(
        self, ranges: Dict[str, List[Tuple[int, int]]]
    ) -> Dict[Tuple[str, int], Commit]:
        """Blame what is not known yet, one ``git blame`` per file, files in parallel."""
        todo = {
            path: wanted
            for path, wanted in ranges.items()
            if any((path, n) not in self._blamed for a, b in wanted for n in range(a, b + 1))
            and not self._covered(path, wanted)
        }

        def one(path: str) -> Dict[Tuple[str, int], Commit]:
            lines = self.repo.blame(Path(path), todo[path], self.now)
            return {(path, n): c for n, c in lines.items()}

        if self.jobs > 1 and len(todo) > 1:
            self.repo.head_blobs()  # once, before the threads need it
            with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
                for part in pool.map(one, sorted(todo)):
                    self._blamed.update(part)
        else:
            for path in sorted(todo):
                self._blamed.update(one(path))
        for path, wanted in todo.items():
            self._blamed_ranges.setdefault(path, []).extend(wanted)
        return self._blamed

    def _covered(self, path: str, wanted: List[Tuple[int, int]]) -> bool:
        """Whether git was already asked about these lines (some may lie past the end)."""
        done = self._blamed_ranges.get(path, [])
        return all(any(a >= x and b <= y for x, y in done) for a, b in wanted)


def _ranges(
    findings: Sequence[Finding], places: Sequence[Tuple[str, int]]
) -> Dict[str, List[Tuple[int, int]]]:
    ranges: Dict[str, List[Tuple[int, int]]] = {}
    for f in findings:
        end = min(f.span.end_line, f.span.line + _BLAME_LINES - 1)
        ranges.setdefault(f.path, []).append((f.span.line, max(end, f.span.line)))
    for path, line in places:
        ranges.setdefault(path, []).append((line, line))
    return ranges
