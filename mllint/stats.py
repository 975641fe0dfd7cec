"""``mllint stats``: glue versus algorithm per file, per folder and in total, and the
statement-by-statement explanation of one file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

from mllint.analyze import libcst_reason
from mllint.config import Settings
from mllint.engine import analyze_tree, configure_analysis
from mllint.glue import Verdict, glue_ratio
from mllint.glue.system import PackageTally, package_tallies
from mllint.locate import Locator
from mllint.model import FileResult
from mllint.rules.base import FileContext
from mllint.rules.glue import GLUE_FACTS, GlueHeavyModule, analysis_for
from mllint.safeio import read_limited
from mllint.source import SourceError, check_nesting, decode, looks_deep, split_lines
from mllint.walker import Walker, callbacks_of


@dataclass(frozen=True)
class Tally:
    """Statement counts of a file, a folder or the whole run."""

    path: str
    glue: int
    algorithm: int
    other: int
    role: str = ""
    """The module's role (files only): ``algorithm``, ``general`` or a glue-by-design role."""

    @property
    def glue_ratio(self) -> Optional[float]:
        """``glue / (glue + algorithm)``; ``None`` when both are 0."""
        return glue_ratio(self.glue, self.algorithm)

    def to_json(self) -> Dict[str, object]:
        """The SPEC's stats JSON entry."""
        ratio = self.glue_ratio
        return {
            "path": self.path,
            "glue": self.glue,
            "algorithm": self.algorithm,
            "other": self.other,
            "glue_ratio": None if ratio is None else round(ratio, 4),
            **({"role": self.role} if self.role else {}),
        }


@dataclass(frozen=True)
class Stats:
    """The tallies of one ``mllint stats`` run; paths as displayed."""

    files: Tuple[Tally, ...]
    folders: Tuple[Tally, ...]
    packages: Tuple[PackageTally, ...]
    """Per import package, tests left out: the system-level figure (ML205)."""
    total: Tally
    unparsed: Tuple[Tuple[str, str], ...]
    """(path, reason) of files that could not be classified."""


def tally(results: Mapping[str, FileResult], display: Mapping[str, str]) -> Stats:
    """Sum the per-file facts; ``display`` maps absolute paths to the paths to print."""
    files: List[Tally] = []
    unparsed: List[Tuple[str, str]] = []
    for path in sorted(results, key=lambda p: display[p]):
        facts = results[path].facts.get(GLUE_FACTS)
        if facts is None:
            reasons = [f.message for f in results[path].findings if f.code == "ML000"]
            unparsed.append((display[path], reasons[0] if reasons else "not analysed"))
            continue
        role = facts.get("role")
        files.append(
            Tally(
                display[path],
                int(facts["glue"]),
                int(facts["algorithm"]),
                int(facts["other"]),
                str(role[0]) if isinstance(role, list) and role else "",
            )
        )
    total = Tally(
        "total",
        sum(f.glue for f in files),
        sum(f.algorithm for f in files),
        sum(f.other for f in files),
    )
    packages = package_tallies((f.path, f.glue, f.algorithm, f.other, f.role) for f in files)
    return Stats(tuple(files), _folders(files), tuple(packages), total, tuple(unparsed))


def _folders(files: Sequence[Tally]) -> Tuple[Tally, ...]:
    """Every folder at or below the files' common folder, counting all files beneath it."""
    if not files:
        return ()
    parents = [os.path.dirname(f.path) for f in files]
    try:
        common = os.path.commonpath(parents) if all(parents) else ""
    except ValueError:  # absolute and relative paths mixed
        common = ""
    sums: Dict[str, List[int]] = {}
    for tally_, parent in zip(files, parents):
        folder = parent
        while True:
            entry = sums.setdefault(folder or ".", [0, 0, 0])
            entry[0] += tally_.glue
            entry[1] += tally_.algorithm
            entry[2] += tally_.other
            if folder == common or not folder:
                break
            up = os.path.dirname(folder)
            if up == folder:
                break
            folder = up
    return tuple(Tally(path, c[0], c[1], c[2]) for path, c in sorted(sums.items()))


@dataclass(frozen=True)
class FunctionRole:
    """One function of ``stats --explain``: its counts and role."""

    name: str
    glue: int
    algorithm: int
    other: int
    role: str
    reason: str


@dataclass(frozen=True)
class Explained:
    """One statement of ``stats --explain``."""

    line: int
    column: int
    kind: str
    reason: str
    source: str


@dataclass(frozen=True)
class Explanation:
    """``stats --explain`` of one file: its statements, its role and its functions' roles."""

    rows: Tuple[Explained, ...]
    role: str
    role_reason: str
    functions: Tuple[FunctionRole, ...]


def explain_source(data: bytes, path: str = "<explain>") -> List[Explained]:
    """Classify every statement of one file's source, with positions and reasons.

    Raises :class:`SourceError` when the file cannot be decoded or parsed.
    """
    return list(explain_file(data, path).rows)


def explain_file(data: bytes, path: str) -> Explanation:
    """Every statement of one file with its class and reason, and the roles of the module
    and its functions (``path`` decides the roles that follow path conventions).

    Raises :class:`SourceError` when the file cannot be decoded or parsed.
    """
    text = decode(data).text
    tree = check_nesting(text) if looks_deep(text) else None
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(libcst_reason(exc), exc.raw_line, exc.raw_column + 1) from None
    except cst.CSTValidationError as exc:  # `[4and.1]`: CPython takes it, LibCST does not
        raise SourceError(libcst_reason(exc)) from None
    except RecursionError:
        raise SourceError("nests too deeply for the parser") from None
    walker = Walker()
    locator = Locator(module, text, tree)
    context = FileContext(path, module, locator, walker)
    rule = GlueHeavyModule(context)
    analysis = analysis_for(context)
    analysis.record = []
    walker.walk(module, *callbacks_of([rule]))
    lines = split_lines(text)
    out: List[Explained] = []
    verdict: Verdict
    for node, index, verdict in analysis.record:
        span = locator.span(node, node, index, walker.statement_count)
        source = lines[span.line - 1].strip() if 0 < span.line <= len(lines) else ""
        out.append(Explained(span.line, span.column, verdict.kind, verdict.reason, source))
    role, why = analysis.role()
    functions = []
    for scope in analysis.functions:
        function_role, function_why = analysis.function_role(scope)
        counts = scope.counts
        functions.append(
            FunctionRole(
                scope.name, counts.glue, counts.algorithm, counts.other, function_role, function_why
            )
        )
    return Explanation(tuple(out), role, why, tuple(functions))


def _display(path: str, cwd: str) -> str:
    try:
        relative = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        relative = path
    return relative.replace(os.sep, "/")


def run_stats(
    paths: Sequence[Path],
    settings: Settings,
    output_format: str,
    *,
    explain: Optional[Path] = None,
    jobs: int = 0,
    use_cache: bool = True,
) -> Tuple[int, str, List[str], Tuple[str, ...]]:
    """Run ``mllint stats``: (exit code, rendered report, error messages, what discovery
    skipped and why)."""
    from mllint.output import stats_format

    cwd = os.getcwd()
    if explain is not None:
        configure_analysis(settings)
        shown = _display(str(explain), cwd)
        try:
            data = read_limited(explain, settings.max_file_size)
            explanation = explain_file(data, str(explain))
        except OSError as exc:
            return 2, "", [f"{shown}: cannot read file: {exc.strerror or exc}"], ()
        except SourceError as exc:
            return 2, "", [f"{shown}:{exc.line}:{exc.column}: cannot parse: {exc.reason}"], ()
        if output_format == "json":
            return 0, stats_format.render_explanation_json(shown, explanation), [], ()
        return 0, stats_format.render_explanation(shown, explanation), [], ()
    tree = analyze_tree(paths, settings, jobs=jobs, use_cache=use_cache, needs_facts=GLUE_FACTS)
    problems = [f"{m}: no such file or folder" for m in tree.missing]
    problems.extend(tree.errors)
    measured = tree.results
    result = tally(measured, {p: _display(p, cwd) for p in measured})
    render = stats_format.render_json if output_format == "json" else stats_format.render_text
    return (2 if problems else 0), render(result), problems, tree.notices
