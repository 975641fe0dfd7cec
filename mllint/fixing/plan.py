"""Which edits one round of ``check --fix`` makes: findings -> a :class:`FilePlan` per file.

Each fixable finding has an applicability, as in ruff: **safe** fixes keep what the program
does (ML101 and ML102 delete arms that never run, and the constants and imports that only
they read), **unsafe** ones may change what something outside the analysed code sees (ML104,
ML105, ML106, and deleting a constant that is part of a module's public surface).

Fixing an ML102 finding *retires* the constants that decide its test: every other branch
they decide folds with it (also those no finding reports, such as ``if USE_X:`` with
``USE_X = True`` and no ``else``), operands of ``and``/``or`` tests they make redundant go, and
once nothing reads a retired constant any more its definition is deleted, with the imports
of it that are left unused.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol, Set, Tuple

from mllint.fixing.transform import FilePlan, Key
from mllint.flags.index import Constant, FlagIndex
from mllint.model import Finding

SAFE, UNSAFE = "safe", "unsafe"

_FOLDED = frozenset({"ML101", "ML102"})
_OPTION_KINDS = frozenset({"argparse", "absl", "click", "typer"})

ConstantId = Tuple[str, str]
"""A project constant: the path of its module and its name."""


class Texts(Protocol):
    """The current text of a project file (``None``: it cannot be read)."""

    def get(self, path: str) -> Optional[str]: ...


def applicability(finding: Finding) -> Optional[str]:
    """Whether ``finding`` has a fix, and how safe it is (``None``: no fix)."""
    if finding.code in _FOLDED:
        return SAFE if finding.properties.get("deadArm") in ("body", "orelse", "none") else None
    if finding.code == "ML104":
        return UNSAFE if finding.properties.get("flagKind") in _OPTION_KINDS else None
    if finding.code in ("ML105", "ML106"):
        return UNSAFE
    return None


def finding_id(finding: Finding) -> str:
    """A key for ``finding`` within its file and round."""
    span = finding.span
    return f"{finding.code}:{span.line}:{span.column}:{span.end_line}:{span.end_column}"


def _key(span: Any) -> Key:
    return (int(span[0]), int(span[1]), int(span[2]), int(span[3]))


def _truth(finding: Finding) -> bool:
    """The truth of the decided test (from the arm the rule says is dead)."""
    return finding.properties.get("deadArm") != "body"


@dataclass
class Round:
    """The plans of one round and what they were made from."""

    plans: Dict[str, FilePlan] = field(default_factory=dict)
    findings: Dict[Tuple[str, str], Finding] = field(default_factory=dict)
    """``(path, finding id)`` -> the finding whose fix the plans hold."""

    def plan(self, path: str) -> FilePlan:
        """The plan of ``path``, created on first use."""
        return self.plans.setdefault(path, FilePlan(drop_unused_imports=not _is_package(path)))


def plan_round(
    findings: Iterable[Finding],
    raw: Iterable[Finding],
    index: FlagIndex,
    texts: Texts,
    retired: Set[ConstantId],
    *,
    unsafe: bool,
) -> Round:
    """The edits of one round.

    ``findings`` are the kept findings (selected, not silenced); ``raw`` every finding before
    suppression (a branch whose ML102 finding a ``# noqa`` silences is never folded);
    ``texts`` the current text of every file that may be edited (others are read by the
    caller on demand: see :meth:`Round.plan`); ``retired`` the constants retired so far, to
    which this round's are added.
    """
    work = Round()
    kept_ml102: Dict[Tuple[str, Key], Finding] = {}
    for finding in findings:
        wanted = applicability(finding)
        if wanted is None or (wanted == UNSAFE and not unsafe):
            continue
        ident = finding_id(finding)
        plan = work.plan(finding.path)
        span = finding.span
        key = (span.line, span.column, span.end_line, span.end_column)
        if finding.code in _FOLDED:
            if finding.code == "ML102":
                kept_ml102[(finding.path, key)] = finding
            plan.folds[key] = (_truth(finding), ident)
        elif finding.code == "ML106":
            plan.statements[(span.line, span.column)] = ident
        elif finding.code == "ML105":
            for line in range(span.line, span.end_line + 1):
                plan.comment_lines[line] = ident
        elif finding.code == "ML104":
            kind = finding.properties.get("flagKind")
            if kind == "click":
                flag = str(finding.properties.get("flag", ""))
                plan.decorators[(span.line, span.column)] = (flag, ident)
            elif kind == "typer":
                plan.params[(span.line, span.column)] = ident
            else:
                plan.statements[(span.line, span.column)] = ident
        work.findings[(finding.path, ident)] = finding
    silenced = {
        (f.path, (f.span.line, f.span.column, f.span.end_line, f.span.end_column))
        for f in raw
        if f.code == "ML102"
    } - set(kept_ml102)
    _retire(work, index, kept_ml102, silenced, retired)
    _delete_retired(work, index, texts, retired, unsafe=unsafe)
    work.plans = {path: plan for path, plan in work.plans.items() if plan}
    return work


def _retire(
    work: Round,
    index: FlagIndex,
    fixed: Mapping[Tuple[str, Key], Finding],
    silenced: Set[Tuple[str, Key]],
    retired: Set[ConstantId],
) -> None:
    """Fold every branch the retired constants decide, and simplify tests they are part of."""
    decided = index.decided_tests()
    for path, test, decision, _arm in decided:
        if (path, _key(test["span"])) in fixed:
            retired.update((c.path, c.name) for c in decision.constants)
    if not retired:
        return
    for path, test, decision, arm in decided:
        key = _key(test["span"])
        if (path, key) in silenced or (path, key) in fixed:
            continue
        if not _all_retired(decision.constants, retired):
            continue
        if test["kw"] == "while" and decision.truth:
            continue  # `while USE_X:` with USE_X true is a loop, not a dead arm
        if arm is None and test["kw"] == "ternary":
            continue
        work.plan(path).folds.setdefault(key, (bool(decision.truth), ""))
    for path in index.paths:
        for test in index.facts[path].get("tests", ()):
            tree = test["e"]
            if tree[0] not in ("and", "or") or index.decide(path, tree).truth is not None:
                continue
            removable: List[bool] = []
            for operand in tree[1]:
                part = index.decide(path, operand)
                redundant = part.truth == (tree[0] == "and")
                removable.append(
                    part.truth is not None and redundant and _all_retired(part.constants, retired)
                )
            if any(removable) and not all(removable):
                work.plan(path).simplify[_key(test["span"])] = (tree[0], tuple(removable))


def _all_retired(constants: Iterable[Constant], retired: Set[ConstantId]) -> bool:
    names = [(c.path, c.name) for c in constants]
    return bool(names) and all(name in retired for name in names)


def _delete_retired(
    work: Round,
    index: FlagIndex,
    texts: Texts,
    retired: Set[ConstantId],
    *,
    unsafe: bool,
) -> None:
    """Delete the definitions of retired constants that nothing reads any more, with the
    imports of them left unused; unsafe when the constant is part of a public surface."""
    for path, name in sorted(retired):
        facts = index.facts.get(path)
        if facts is None or name not in facts.get("constants", {}):
            continue
        mentioned = [p for p in index.paths if _mentions(index.facts[p], name)]
        if path not in mentioned:
            mentioned.append(path)
        imports: Dict[str, Set[str]] = {}
        public = False
        deletable = True
        for where in mentioned:
            text = texts.get(where)
            if text is None:
                deletable = False
                break
            usage = _usage(text, name, index, where, path)
            if usage is None or usage.other:
                deletable = False
                break
            if usage.imports:
                imports[where] = usage.imports
                public = public or _is_package(where)
            if usage.in_all:
                public = True
        if not deletable or (public and not unsafe):
            continue
        work.plan(path).constants.add(name)
        for where, locals_ in imports.items():
            work.plan(where).imports.update(locals_)
        for where in mentioned:
            text = texts.get(where)
            if text is not None and unsafe:
                usage = _usage(text, name, index, where, path)
                if usage is not None and usage.in_all:
                    work.plan(where).all_entries.add(name)


def _mentions(facts: Mapping[str, Any], name: str) -> bool:
    """Whether a file's facts mention ``name``: a read, an attribute, a string, an import."""
    if name in facts.get("live", ()) or name in facts.get("armed", {}):
        return True
    return any(target[-1] == name for target in facts.get("imports", {}).values())


@dataclass
class _Usage:
    other: bool = False
    """Read in some other way than an unused import or an ``__all__`` entry."""
    imports: Set[str] = field(default_factory=set)
    """Local names of imports of the constant that nothing in the file uses."""
    in_all: bool = False


def _usage(text: str, name: str, index: FlagIndex, where: str, home: str) -> Optional[_Usage]:
    """How the file ``where`` mentions the constant ``name`` of module ``home``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    usage = _Usage()
    aliases: Dict[str, bool] = {}  # local name -> used
    loads: Dict[str, int] = {}
    all_strings: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                for item in ast.walk(node.value) if node.value is not None else ():
                    if isinstance(item, ast.Constant) and item.value == name:
                        usage.in_all = True
                        all_strings.add(id(item))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == name:
                    local = alias.asname or alias.name
                    found = index.resolve_name(where, local)
                    if not (
                        isinstance(found, Constant) and (found.path, found.name) == (home, name)
                    ):
                        usage.other = True  # not ours, or not resolvable: keep it
                    aliases[local] = False
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads[node.id] = loads.get(node.id, 0) + 1
        elif (isinstance(node, ast.Attribute) and node.attr == name) or (
            isinstance(node, ast.Global) and name in node.names
        ):
            usage.other = True
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == name and id(node) not in all_strings:
            usage.other = True
    if where == home and loads.get(name):
        usage.other = True
    for local in aliases:
        if loads.get(local):
            usage.other = True
        else:
            usage.imports.add(local)
    return usage


def _is_package(path: str) -> bool:
    return os.path.basename(path) == "__init__.py"
