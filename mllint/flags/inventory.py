"""``mllint flags``: the inventory of every flag and experiment switch of a project."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from mllint.display import display_path, display_value, json_value
from mllint.flags.index import Constant, FlagIndex, matches


@dataclass(frozen=True)
class Flag:
    """One flag: what it is, where it is defined, its value or default, and its reads."""

    name: str
    kind: str
    defined_at: Optional[Tuple[str, int]]
    value: Any
    references: Tuple[Tuple[str, int], ...]
    constant: bool

    @property
    def key(self) -> str:
        """Tells flags of the same name apart (kind and place)."""
        where = self.defined_at or (self.references[0] if self.references else ("", 0))
        return f"{self.kind}:{self.name}:{where[0]}:{where[1]}"


@dataclass(frozen=True)
class FlagDates:
    """A flag's ages from git history."""

    introduced_date: str
    last_modified_date: Optional[str]
    age_days: int
    lower_bound: bool


def inventory(index: FlagIndex, patterns: Sequence[str]) -> List[Flag]:
    """Every flag of the project, sorted by kind, name and place."""
    flags: List[Flag] = []
    flags.extend(_constants(index, patterns))
    flags.extend(_options(index))
    flags.extend(_environment(index))
    flags.extend(_config(index))
    order = {"constant": 0, "argparse": 1, "absl": 2, "click": 3, "env": 4}
    return sorted(flags, key=lambda f: (order.get(f.kind, 5), f.name, f.defined_at or ("", 0)))


def _tested_constants(index: FlagIndex) -> Set[Tuple[str, str]]:
    found: Set[Tuple[str, str]] = set()
    for path in index.paths:
        for test in index.facts[path]["tests"]:
            found.update((c.path, c.name) for c in index.constants_in(path, test["e"]))
    return found


def _constants(index: FlagIndex, patterns: Sequence[str]) -> List[Flag]:
    tested = _tested_constants(index)
    names = {name for path in index.paths for name in index.facts[path]["constants"]}
    references: Dict[Tuple[str, str], List[Tuple[str, int]]] = {}
    for path in index.paths:
        for key, lines in index.facts[path].get("reads", {}).items():
            parts = key.split(".")
            if parts[-1] not in names:
                continue  # cannot be a read of a module constant
            found = (
                index.resolve_name(path, key)
                if len(parts) == 1
                else index.resolve_chain(path, parts)
            )
            if isinstance(found, Constant):
                references.setdefault((found.path, found.name), []).extend(
                    (path, line) for line in lines
                )
            elif len(parts) == 1 and key in index.facts[path]["constants"]:
                references.setdefault((path, key), []).extend((path, line) for line in lines)
    flags: List[Flag] = []
    for path in index.paths:
        for name, (value, line, *_rest) in index.facts[path]["constants"].items():
            if (path, name) not in tested and not matches(name, patterns):
                continue
            constant = isinstance(index.resolve_name(path, name), Constant)
            flags.append(
                Flag(
                    name=name,
                    kind="constant",
                    defined_at=(path, line),
                    value=value,
                    references=tuple(sorted(set(references.get((path, name), [])))),
                    constant=constant,
                )
            )
    return flags


def _options(index: FlagIndex) -> List[Flag]:
    reads = index.attribute_reads()
    flags: List[Flag] = []
    for path in index.paths:
        facts = index.facts[path]
        for dest, _display, line, *_span, default in facts.get("options", ()):
            flags.append(_runtime(dest, "argparse", (path, line), default, reads.get(dest, [])))
        for name, _function, line, *_span, default in facts.get("absl", ()):
            flags.append(_runtime(name, "absl", (path, line), default, reads.get(name, [])))
        for name, _kind, line, *rest in facts.get("cli", ()):
            # typer builds on click: the SPEC's kinds have no separate "typer"
            refs = [(path, n) for n in rest[-1]]
            flags.append(_runtime(name, "click", (path, line), rest[-3], refs))
    return flags


def _runtime(
    name: str, kind: str, where: Tuple[str, int], value: Any, refs: List[Tuple[str, int]]
) -> Flag:
    return Flag(name, kind, where, value, tuple(sorted(set(refs))), False)


def _environment(index: FlagIndex) -> List[Flag]:
    by_name: Dict[str, List[Tuple[str, int, Any]]] = {}
    for path in index.paths:
        for variable, line, default in index.facts[path].get("env", ()):
            by_name.setdefault(variable, []).append((path, line, default))
    flags = []
    for variable, reads in by_name.items():
        default = next((d for _, _, d in reads if d is not None), None)
        refs = tuple(sorted({(p, n) for p, n, _ in reads}))
        flags.append(Flag(variable, "env", None, default, refs, False))
    return flags


def _config(index: FlagIndex) -> List[Flag]:
    by_name: Dict[str, Set[Tuple[str, int]]] = {}
    for path in index.paths:
        for test in index.facts[path]["tests"]:
            for flag in index.flags_in(path, test["e"]):
                if flag.kind == "config":
                    by_name.setdefault(flag.name, set()).add((path, test["span"][0]))
    return [
        Flag(name, "config", None, None, tuple(sorted(refs)), False)
        for name, refs in by_name.items()
    ]


def _relative(path: str, cwd: Path) -> str:
    return display_path(path, cwd)


def to_json(
    flags: Sequence[Flag], cwd: Path, ages: Optional[Mapping[str, FlagDates]] = None
) -> str:
    """The inventory as the SPEC's flags JSON (ages ``null`` without git history)."""
    dates = ages or {}
    items = [
        {
            "name": flag.name,
            "kind": flag.kind,
            "defined_at": None
            if flag.defined_at is None
            else {"path": _relative(flag.defined_at[0], cwd), "line": flag.defined_at[1]},
            "value": json_value(flag.value, flag.name),
            "references": [{"path": _relative(p, cwd), "line": n} for p, n in flag.references],
            "constant": flag.constant,
            "introduced_date": _date(dates, flag, "introduced_date"),
            "last_modified_date": _date(dates, flag, "last_modified_date"),
            "age_days": _date(dates, flag, "age_days"),
            "age_is_lower_bound": _date(dates, flag, "lower_bound"),
        }
        for flag in flags
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _date(dates: Mapping[str, FlagDates], flag: Flag, field: str) -> Any:
    found = dates.get(flag.key)
    return None if found is None else getattr(found, field)


def _age(dates: Mapping[str, FlagDates], flag: Flag) -> str:
    found = dates.get(flag.key)
    if found is None:
        return "-"
    return f"{'>=' if found.lower_bound else ''}{found.age_days}d"


def to_text(
    flags: Sequence[Flag], cwd: Path, ages: Optional[Mapping[str, FlagDates]] = None
) -> str:
    """The inventory as an aligned table, one flag a line (AGE: days since introduction)."""
    if not flags:
        return "No flags found.\n"
    dates = ages or {}
    rows = [("KIND", "NAME", "DEFINED AT", "VALUE", "CONSTANT", "AGE", "READS")]
    for flag in flags:
        where = (
            "-"
            if flag.defined_at is None
            else f"{_relative(flag.defined_at[0], cwd)}:{flag.defined_at[1]}"
        )
        shown = display_value(flag.value, flag.name)
        value = "-" if flag.value is None and flag.kind != "constant" else shown
        if len(value) > 30:
            value = value[:27] + "..."
        reads = _reads(flag.references, cwd)
        constant = "yes" if flag.constant else "no"
        rows.append((flag.kind, flag.name, where, value, constant, _age(dates, flag), reads))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:6])) + "  " + row[6]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + f"\n\n{len(flags)} flags\n"


def _reads(references: Sequence[Tuple[str, int]], cwd: Path, limit: int = 4) -> str:
    if not references:
        return "never read"
    shown = [f"{_relative(p, cwd)}:{n}" for p, n in references[:limit]]
    more = len(references) - limit
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")
