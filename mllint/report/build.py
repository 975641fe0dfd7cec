"""``mllint report``: run the pipeline on the work tree, compute the figures, the trend over
sampled commits and the change since a reference, and hand them to a renderer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from mllint import __version__
from mllint.ages import History
from mllint.config import Settings
from mllint.display import display_path as display_path_of
from mllint.engine import project_flags, run_check
from mllint.history import Commit, Repository, resolve_commit
from mllint.project import Project
from mllint.report.figures import compute
from mllint.report.model import Report, change, linker
from mllint.report.trend import (
    CommitAnalyser,
    TrendError,
    TrendPoint,
    compute_trend,
    period_days,
    select_commits,
)
from mllint.safeio import read_limited

FORMATS = ("html", "markdown", "json")


class ReportError(Exception):
    """The report cannot be made as asked (exit 2)."""


@dataclass(frozen=True)
class ReportOptions:
    """What ``mllint report`` was asked for."""

    history: Optional[str] = None
    points: int = 24
    commits: Optional[str] = None
    since: Optional[str] = None
    link_template: Optional[str] = None
    output: Optional[str] = None
    jobs: int = 0
    use_cache: bool = True


@dataclass(frozen=True)
class Built:
    """The report and what the run had to say on stderr."""

    report: Report
    missing: Tuple[str, ...]
    errors: Tuple[str, ...]
    notices: Tuple[str, ...]
    analysed_at_commits: int = 0
    """Blobs the trend and ``--since`` analysed (not found in memory or the cache)."""


def display_path(cwd: str) -> Callable[[str], str]:
    """Paths as every report shows them (:func:`mllint.display.display_path`)."""

    def shown(path: str) -> str:
        return display_path_of(path, cwd)

    return shown


def _reader(limit: int) -> Callable[[str], Optional[bytes]]:
    def read(path: str) -> Optional[bytes]:
        try:
            return read_limited(Path(path), limit)
        except OSError:
            return None

    return read


def build_report(
    targets: Sequence[Path],
    settings: Settings,
    history: Optional[History],
    options: ReportOptions,
    now: datetime,
    jobs: int,
) -> Built:
    """Everything ``mllint report`` shows."""
    if options.history is not None and options.commits is not None:
        raise ReportError("--history and --commits exclude each other")
    if options.points < 1:
        raise ReportError("--points must be at least 1")
    cwd = os.getcwd()
    shown = display_path(cwd)
    result = run_check(
        targets, settings, jobs=options.jobs, use_cache=options.use_cache, history=history
    )
    files = {p: result.results[p] for p in result.files}
    flags = project_flags(Project(settings=settings, files=files))
    ages = history.inventory_ages(flags) if history is not None else None
    figures = compute(
        result.findings, files, flags, shown, source=_reader(settings.max_file_size), ages=ages
    )
    repo = history.repo if history is not None else None
    notes: List[str] = []
    trend: List[TrendPoint] = []
    the_change = None
    analysed = 0
    wants_history = options.history is not None or options.commits is not None
    if (wants_history or options.since is not None) and repo is None:
        notes.append("No git history (not a repository, or --no-git): no trend, no change.")
    elif repo is not None and (wants_history or options.since is not None):
        scope = _scope(repo, targets)

        def analyser(figures_only: bool) -> CommitAnalyser:
            made = CommitAnalyser(
                repo,
                settings,
                scope,
                jobs=jobs,
                use_cache=options.use_cache,
                figures_only=figures_only,
            )
            made.seed(files)
            return made

        try:
            if wants_history:
                days = period_days(options.history) if options.history is not None else None
                commits = select_commits(
                    repo,
                    history_days=days,
                    commits=options.commits,
                    points=options.points,
                    now=now,
                )
                points = analyser(figures_only=True)  # only the rules the series reads
                trend = compute_trend(points, commits, shown, settings.max_age_days)
                analysed += points.analysed
                if not trend:
                    notes.append("No commits in the period asked for: no trend.")
            if options.since is not None:
                sha = resolve_commit(repo, options.since)
                if sha is None:
                    raise ReportError(f"--since {options.since}: not a commit of this repository")
                full = analyser(figures_only=False)  # every finding, to compare
                snapshot = full.snapshot(Commit(sha, 0, ""))
                before = full.figures(snapshot, shown, detailed=True)
                analysed += full.analysed
                the_change = change(options.since, before, figures)
        except TrendError as exc:
            raise ReportError(str(exc)) from None
    head = repo.head() if repo is not None else None
    output_dir = os.path.dirname(os.path.abspath(options.output)) if options.output else cwd
    report = Report(
        project=_project_name(repo, targets),
        generated=now.isoformat(timespec="seconds"),
        version=__version__,
        commit=head,
        figures=figures,
        max_age_days=settings.max_age_days,
        link=linker(
            options.link_template,
            commit=head,
            repo_root=str(repo.root) if repo is not None else None,
            output_dir=output_dir,
            cwd=cwd,
        ),
        trend=tuple(trend),
        change=the_change,
        notes=tuple(notes),
    )
    return Built(report, result.missing, result.errors, result.notices, analysed)


def _scope(repo: Repository, targets: Sequence[Path]) -> List[str]:
    scope: List[str] = []
    for target in targets:
        relative = repo.relative(target.resolve())
        if relative is not None:
            scope.append("" if relative == "." else relative)
    return scope or [""]


def _project_name(repo: Optional[Repository], targets: Sequence[Path]) -> str:
    if repo is not None:
        return repo.root.name
    first = targets[0] if targets else Path(".")
    return first.resolve().name or str(first)


def render(built: Built, output_format: str) -> str:
    """The report in ``html``, ``markdown`` or ``json``."""
    if output_format == "json":
        import json

        return json.dumps(built.report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        from mllint.report.markdown import render as markdown

        return markdown(built.report)
    from mllint.report.html import render as html

    return html(built.report)


def format_for(output: Optional[str], given: Optional[str]) -> str:
    """The format asked for, else the one ``--output``'s suffix names (``.md``, ``.json``,
    else HTML); Markdown on standard output."""
    if given is not None:
        return given
    if output is None:
        return "markdown"
    suffix = os.path.splitext(output)[1].lower()
    return {".md": "markdown", ".markdown": "markdown", ".json": "json"}.get(suffix, "html")


def missing_extra() -> Optional[str]:
    """The name of a package of the ``report`` extra that is not installed, if any."""
    import importlib.util

    for name in ("jinja2", "matplotlib"):
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):  # a broken or blocked installation
            return name
    return None
