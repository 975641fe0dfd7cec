"""The debt trend: the report's figures at sampled commits of the current branch.

Nothing is checked out: each commit's tree is listed and its blobs read through git
(:mod:`mllint.history`), analysed in memory, and kept by blob id for the rest of the run
and by content hash in the per-file cache, so that a file unchanged between points is
analysed once. The project stage (flags, cross-file rules) runs once per point.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import re
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Type

import libcst as cst

from mllint import glue
from mllint.ages import FLAG_RULES, flag_of, location, probe_for
from mllint.analyze import analyze_source, parse_error, too_large
from mllint.cache import Cache, cache_folder, content_hash
from mllint.config import Settings
from mllint.discover import SKIPPED_DIRS, SOURCE_SUFFIXES, matches_globs
from mllint.engine import _GC_THRESHOLD, configure_analysis, project_flags, suppress
from mllint.flags.inventory import Flag
from mllint.glue import roles as glue_roles
from mllint.history import (
    Commit,
    GitError,
    Repository,
    TreeEntry,
    first_parent_commits,
    read_blobs,
    tree_entries,
)
from mllint.lifecycle import die_with_parent, stopped_when_interrupted
from mllint.model import FileResult, Finding
from mllint.project import Project, run_project_rules
from mllint.report.figures import DEAD_ARM_RULES, Figures, arm_lines, compute
from mllint.rules import FILE_RULES
from mllint.rules.base import FileRule
from mllint.rules.conditions import ConstantCondition
from mllint.rules.flags import FlagFacts
from mllint.rules.glue import GlueHeavyModule
from mllint.safeio import read_limited

_PERIOD = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_SERIAL_BELOW = 16
_BLOBS_AT_ONCE = 4000
"""Blobs read into memory and analysed in one go."""
TREND_FILE_RULES: Tuple[Type[FileRule], ...] = tuple(
    r for r in FILE_RULES if r in (ConstantCondition, GlueHeavyModule, FlagFacts)
)
"""The per-file rules a trend point's series reads: ML101's dead arms, the glue counts of
ML201's analysis, the flag facts of the project stage (flags, ML102/ML103/ML104, stale
experiments). Comments (ML105), glue-heavy functions (ML202), pipelines (ML203) and format
round trips (ML204) only add findings of their own, which the series does not carry."""
_TREND_CACHE = "-trend"
"""Suffix of the cache folder of results with :data:`TREND_FILE_RULES` only, kept apart so
that a ``check`` never takes one for a full result."""


class TrendError(Exception):
    """The trend cannot be computed (an unknown revision, a period that does not parse)."""


def period_days(text: str) -> int:
    """Days in a period written ``90d``, ``12w``, ``6m`` or ``1y``."""
    match = _PERIOD.match(text)
    if match is None or int(match.group(1)) == 0:
        raise TrendError(f"not a period: {text!r} (write 90d, 12w, 6m or 1y)")
    return int(match.group(1)) * _DAYS[match.group(2)]


@dataclass(frozen=True)
class TrendPoint:
    """The figures at one commit."""

    commit: Commit
    figures: Figures
    flags: Tuple[str, ...]
    """``kind:name`` of every flag alive at this commit."""
    stale: int = 0

    def to_json(self, previous: Optional[TrendPoint]) -> Dict[str, object]:
        """The point as JSON, with the flags added and removed since ``previous`` (no
        count of findings: a point runs only :data:`TREND_FILE_RULES` of the per-file
        rules)."""
        before = set(previous.flags) if previous is not None else set()
        now = set(self.flags)
        return {
            "commit": self.commit.sha,
            "date": self.commit.date,
            "files": self.figures.files,
            "lines": self.figures.lines,
            "flags_alive": self.figures.flags_alive,
            "experiments_alive": self.figures.experiments_alive,
            "stale_experiments": self.stale,
            "dead_arms": self.figures.dead_arms,
            "dead_lines": self.figures.dead_lines,
            "glue_ratio": None
            if self.figures.glue_ratio is None
            else round(self.figures.glue_ratio, 4),
            "flags_added": sorted(now - before) if previous is not None else [],
            "flags_removed": sorted(before - now) if previous is not None else [],
        }


def sample(commits: Sequence[Commit], points: int, start: Optional[int] = None) -> List[Commit]:
    """At most ``points`` commits spread evenly in time from ``start`` (default: the first
    commit) to the last one, which is always kept: for each moment, the newest commit at or
    before it."""
    if not commits or points <= 0:
        return []
    first = commits[0].timestamp if start is None else start
    last = commits[-1].timestamp
    if points == 1 or last <= first:
        return [commits[-1]]
    chosen: List[Commit] = []
    at = 0
    for i in range(points):
        moment = first + (last - first) * i / (points - 1)
        while at + 1 < len(commits) and commits[at + 1].timestamp <= moment:
            at += 1
        if commits[at].timestamp <= moment and (not chosen or chosen[-1] is not commits[at]):
            chosen.append(commits[at])
    if chosen[-1] is not commits[-1]:
        chosen.append(commits[-1])
    return chosen


def select_commits(
    repo: Repository,
    *,
    history_days: Optional[int],
    commits: Optional[str],
    points: int,
    now: datetime,
) -> List[Commit]:
    """The commits the trend is computed at: over the last ``history_days`` of HEAD's
    first-parent history, or over the range ``commits`` (``A..B``)."""
    try:
        if commits is not None:
            listed = first_parent_commits(repo, commits)
            if not listed:
                raise TrendError(f"no commits in {commits!r}")
            if len(listed) <= points:
                return listed
            step = (len(listed) - 1) / (points - 1) if points > 1 else 0
            picked = {round(i * step) for i in range(points)} | {len(listed) - 1}
            return [listed[i] for i in sorted(picked)]
        start = int((now - timedelta(days=history_days or 365)).timestamp())
        listed = first_parent_commits(repo, "HEAD", since=start)
        earlier = _commit_before(repo, start)
        if earlier is not None:
            listed.insert(0, earlier)
        return sample(listed, points, start if earlier is not None else None)
    except GitError as exc:
        raise TrendError(str(exc)) from None


def _commit_before(repo: Repository, moment: int) -> Optional[Commit]:
    """The newest first-parent commit before ``moment``: what the tree was at the start."""
    try:
        older = first_parent_commits(repo, "HEAD")
    except GitError:
        return None
    before = [c for c in older if c.timestamp < moment]
    return before[-1] if before else None


# -- analysing blobs in memory -------------------------------------------------------------


def _init_worker(options: glue.GlueOptions) -> None:
    """As ``check``'s workers: the collector tuned for LibCST's many short-lived nodes (a
    forked worker otherwise keeps the parent's default thresholds and spends a quarter of
    its time collecting), the per-file settings, an end with the parent."""
    die_with_parent()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLD)
    glue.configure(options)


@contextlib.contextmanager
def _tuned_gc() -> Iterator[None]:
    """The collector tuned as in :func:`_init_worker` while this process analyses."""
    threshold = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _analyse_chunk(
    items: Sequence[Tuple[str, str, bytes]],
    max_size: int,
    rules: Optional[Sequence[Type[FileRule]]] = None,
) -> List[Tuple[str, FileResult]]:
    out = []
    for key, path, data in items:
        try:
            result = analyze_source(path, data, max_size, rules)
        except Exception as exc:  # an internal error on one file: ML000, the run goes on
            result = parse_error(path, f"internal error: {type(exc).__name__}")
        out.append((key, result))
    return out


def analyse_sources(
    items: Sequence[Tuple[str, str, bytes]],
    jobs: int,
    max_size: int,
    rules: Optional[Sequence[Type[FileRule]]] = None,
) -> Dict[str, FileResult]:
    """Analyse in-memory sources (``(key, path, bytes)``) into results by key, in a forked
    process pool when there are enough of them; the caller has configured the per-file
    stage. ``rules``: only those per-file rules (default: all)."""
    if jobs <= 1 or len(items) < _SERIAL_BELOW or "fork" not in _start_methods():
        with _tuned_gc():
            return dict(_analyse_chunk(items, max_size, rules))
    cst.parse_module("warm = 1\n")  # the native parser loaded once, before the fork
    ordered = sorted(items, key=lambda item: len(item[2]), reverse=True)
    chunk = max(1, min(8, len(ordered) // (jobs * 4) or 1))
    done: Dict[str, FileResult] = {}
    pool = concurrent.futures.ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(glue.active_options(),),
    )
    with pool, stopped_when_interrupted(pool):
        futures = [
            pool.submit(_analyse_chunk, ordered[i : i + chunk], max_size, rules)
            for i in range(0, len(ordered), chunk)
        ]
        for future in concurrent.futures.as_completed(futures):
            done.update(future.result())
    return done


def _start_methods() -> List[str]:
    return multiprocessing.get_all_start_methods() if sys.platform == "linux" else []


def _at(result: FileResult, path: str) -> FileResult:
    if all(f.path == path for f in result.findings):
        return result
    return replace(result, findings=tuple(f.moved_to(path) for f in result.findings))


@dataclass(frozen=True)
class Snapshot:
    """What the pipeline finds in one commit's tree."""

    commit: Commit
    results: Dict[str, FileResult]
    findings: Tuple[Finding, ...]
    flags: Tuple[Flag, ...]
    blobs: Dict[str, str]
    """Path -> blob id."""


class CommitAnalyser:
    """Analyses commits' trees in memory, each distinct blob once per run. With
    ``figures_only`` (the trend), a blob not known yet runs only :data:`TREND_FILE_RULES`
    (a full result, HEAD's or a cached one, serves as well); such results are cached apart."""

    def __init__(
        self,
        repo: Repository,
        settings: Settings,
        scope: Sequence[str],
        *,
        jobs: int,
        use_cache: bool,
        figures_only: bool = False,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.scope = tuple(s.strip("/") for s in scope)
        """Folders or files (relative to the work tree) the report covers; ``""``: all."""
        self.jobs = max(1, jobs)
        self.cache = Cache.of(settings) if use_cache else None
        self.rules = TREND_FILE_RULES if figures_only else None
        self._partial = (
            Cache(cache_folder(settings), settings.analysis_key() + _TREND_CACHE)
            if use_cache and figures_only
            else None
        )
        self._by_blob: Dict[str, FileResult] = {}
        """Results by :meth:`_known_as`: the blob and what its path adds to the analysis."""
        self._by_digest: Dict[str, FileResult] = {}
        self._trees: Dict[str, List[TreeEntry]] = {}
        self._arms: Dict[str, Dict[int, Tuple[int, int]]] = {}
        self._measured: Dict[str, Set[int]] = {}
        self.analysed = 0
        """Blobs analysed (not found in memory or in the cache)."""
        settings_root = Path(settings.root).resolve()
        try:
            self._below_root = settings_root.relative_to(repo.root).as_posix()
        except ValueError:
            self._below_root = ""
        configure_analysis(settings)

    def seed(self, results: Mapping[str, FileResult]) -> None:
        """Know the work tree's results (already analysed by the run) by content hash: a
        commit's file with the same bytes (HEAD's, mostly) is not analysed again."""
        for path, result in results.items():
            if any(f.code == "ML000" for f in result.findings):
                continue
            try:
                data = read_limited(Path(path), self.settings.max_file_size)
            except OSError:
                continue
            self._by_digest.setdefault(content_hash(data + self._role_key(path)), result)

    def _role_key(self, path: str) -> bytes:
        """What ``path`` adds to a file's analysis (its glue role, whether it is a test) and
        so to its cache key, as ``check`` keys it."""
        options = glue.active_options()
        return glue_roles.path_key(path, options.root, options.roles)

    def _known_as(self, entry: TreeEntry) -> str:
        """A blob's key in memory: the same bytes at a glue-role or test path are analysed
        differently from elsewhere."""
        return entry.blob + self._role_key(self.path_of(entry.path)).decode("latin-1")

    def path_of(self, relative: str) -> str:
        """The path a file of a commit is known by (as if it were in the work tree)."""
        return str(self.repo.root / relative)

    def wanted(self, entry: TreeEntry) -> bool:
        """Whether a file of a commit's tree is linted (suffix, scope, skipped folders and
        ``exclude``)."""
        path = entry.path
        if not path.endswith(SOURCE_SUFFIXES):
            return False
        if not any(not s or s == "." or path == s or path.startswith(s + "/") for s in self.scope):
            return False
        parts = path.split("/")
        if any(part in SKIPPED_DIRS for part in parts[:-1]):
            return False
        relative = path
        if self._below_root and self._below_root != ".":
            if not path.startswith(self._below_root + "/"):
                return not self.settings.exclude
            relative = path[len(self._below_root) + 1 :]
        return not matches_globs(self.settings.exclude, relative)

    def prepare(self, commits: Sequence[Commit]) -> None:
        """List the trees of ``commits`` and learn every blob they hold at once: one
        process pool over all the points' new files keeps every worker busy."""
        trees = {c.sha: self._entries(c) for c in commits}
        self._learn([e for entries in trees.values() for e in entries])
        self._trees.update(trees)

    def _entries(self, commit: Commit) -> List[TreeEntry]:
        return [e for e in tree_entries(self.repo, commit.sha) if self.wanted(e)]

    def _learn(self, entries: Sequence[TreeEntry]) -> None:
        """Results for the blobs of ``entries`` not known yet: from memory, the cache, or
        analysed (read and analysed :data:`_BLOBS_AT_ONCE` at a time)."""
        limit = self.settings.max_file_size
        unknown: Dict[str, TreeEntry] = {}
        for entry in entries:
            key = self._known_as(entry)
            if key in self._by_blob or key in unknown:
                continue
            if entry.size > limit:
                self._by_blob[key] = too_large(self.path_of(entry.path), entry.size, limit)
                continue
            unknown[key] = entry
        pending = list(unknown.values())
        for start in range(0, len(pending), _BLOBS_AT_ONCE):
            chunk = pending[start : start + _BLOBS_AT_ONCE]
            data = read_blobs(self.repo, chunk)
            todo: List[Tuple[str, str, bytes]] = []
            digests: Dict[str, str] = {}
            for entry in chunk:
                content = data.get(entry.blob)
                path = self.path_of(entry.path)
                key = self._known_as(entry)
                if content is None:
                    self._by_blob[key] = parse_error(path, "git cannot read this blob")
                    continue
                digest = content_hash(content + self._role_key(path))
                cached = self._by_digest.get(digest)
                if cached is None and self.cache is not None:
                    cached = self.cache.get(digest)
                if cached is None and self._partial is not None:
                    cached = self._partial.get(digest)
                if cached is not None:
                    self._by_blob[key] = cached
                    self._by_digest[digest] = cached
                else:
                    digests[key] = digest
                    todo.append((key, path, content))
            store = self._partial if self.rules is not None else self.cache
            for key, result in analyse_sources(todo, self.jobs, limit, self.rules).items():
                self._by_blob[key] = result
                self._by_digest[digests[key]] = result
                if store is not None:
                    store.put(digests[key], result)
                self.analysed += 1

    def snapshot(self, commit: Commit) -> Snapshot:
        """Per-file results, kept findings and flags of ``commit``'s tree."""
        entries = self._trees.pop(commit.sha, None)
        if entries is None:
            entries = self._entries(commit)
            self._learn(entries)
        results: Dict[str, FileResult] = {}
        blobs: Dict[str, str] = {}
        for entry in entries:
            path = self.path_of(entry.path)
            results[path] = _at(self._by_blob[self._known_as(entry)], path)
            blobs[path] = entry.blob
        project = Project(settings=self.settings, files=results)
        findings = [f for result in results.values() for f in result.findings]
        findings.extend(run_project_rules(project))
        kept = suppress(findings, results, lambda _path: self.settings)
        flags = project_flags(project)
        return Snapshot(commit, results, tuple(kept), tuple(flags), blobs)

    def arms(
        self, snapshot: Snapshot, dead: Sequence[Finding]
    ) -> Dict[str, Dict[int, Tuple[int, int]]]:
        """:func:`arm_lines` at the lines of ``dead`` in ``snapshot``, each blob's lines
        measured once (one ``git cat-file`` for the blobs with lines not measured yet)."""
        wanted: Dict[str, Set[int]] = {}
        for finding in dead:
            blob = snapshot.blobs.get(finding.path)
            if blob is not None:
                wanted.setdefault(blob, set()).add(finding.span.line)
        todo = {
            blob: lines - self._measured.get(blob, set())
            for blob, lines in wanted.items()
            if lines - self._measured.get(blob, set())
        }
        if todo:
            data = read_blobs(self.repo, [TreeEntry("", blob, 0) for blob in todo])
            for blob, lines in todo.items():
                measured = arm_lines(data[blob], lines) if blob in data else {}
                self._arms.setdefault(blob, {}).update(measured)
                self._measured.setdefault(blob, set()).update(lines)
        by_path = {f.path: snapshot.blobs.get(f.path) for f in dead}
        return {p: self._arms.get(blob, {}) for p, blob in by_path.items() if blob is not None}

    def figures(self, snapshot: Snapshot, display: Callable[[str], str], detailed: bool) -> Figures:
        """The report's figures of a snapshot."""
        arms = self.arms(snapshot, [f for f in snapshot.findings if f.code in DEAD_ARM_RULES])
        return compute(
            snapshot.findings,
            snapshot.results,
            snapshot.flags,
            display,
            arms=arms.get,
            detailed=detailed,
        )


def compute_trend(
    analyser: CommitAnalyser,
    commits: Sequence[Commit],
    display: Callable[[str], str],
    max_age_days: int,
) -> List[TrendPoint]:
    """The figures at each of ``commits``; stale experiments from when git says each
    flag was introduced (one search of the history for every flag seen)."""
    points: List[Tuple[Commit, Figures, Tuple[str, ...], List[Flag]]] = []
    involved: Dict[str, Flag] = {}
    analyser.prepare(commits)
    with _tuned_gc():  # the project stage of each point allocates much, frees it all
        for commit in commits:
            snapshot = analyser.snapshot(commit)
            figures = analyser.figures(snapshot, display, detailed=False)
            mine: List[Flag] = []
            for finding in snapshot.findings:
                if finding.code in FLAG_RULES and finding.properties.get("experiment") is not False:
                    flag = flag_of(finding, snapshot.flags)
                    if flag is not None and location(flag) is not None:
                        involved.setdefault(flag.key, flag)
                        mine.append(flag)
            names = tuple(sorted({f"{f.kind}:{f.name}" for f in snapshot.flags}))
            points.append((commit, figures, names, mine))
    introduced = analyser.repo.introductions(
        [probe_for(f, analyser.repo) for f in involved.values()]
    )
    out: List[TrendPoint] = []
    limit = max_age_days * 86400
    for commit, figures, names, mine in points:
        stale: Set[str] = set()
        for flag in mine:
            first = introduced.get(flag.key)
            if first is not None and commit.timestamp - first.timestamp > limit:
                stale.add(flag.key)
        out.append(TrendPoint(commit, figures, names, len(stale)))
    return out


def trend_json(points: Sequence[TrendPoint]) -> List[Dict[str, object]]:
    """The series as JSON, oldest point first."""
    return [p.to_json(points[i - 1] if i else None) for i, p in enumerate(points)]
