"""Linting open buffers against a workspace held in memory.

A :class:`WorkspaceIndex` knows one workspace folder: its settings and the per-file result of
every file on disk (computed once, with the engine's discovery, cache and pool). Linting a
buffer analyses a snapshot of its text, puts that result in place of the file on disk, runs
the project stage over the whole workspace and keeps the findings of that one file, after the
same suppression as ``mllint check``. Nothing here touches the editor protocol.
"""

from __future__ import annotations

import concurrent.futures
import io
import logging
import multiprocessing
import os
import threading
import tokenize
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from mllint import glue
from mllint.analyze import analyze_module, analyze_source, parse_error, too_large
from mllint.config import ConfigError, Settings, config_in, find_config, load_settings
from mllint.display import json_value
from mllint.engine import analyze_tree, project_flags, suppress
from mllint.flags.launch import LaunchTexts
from mllint.lifecycle import die_with_parent
from mllint.lsp.dead import dead_spans
from mllint.lsp.reparse import Reparser
from mllint.lsp.settings import NO_EDITOR_SETTINGS, EditorSettings
from mllint.model import FileResult, Finding, Span
from mllint.project import Project, cross_file_facts, run_project_rules
from mllint.rules.experiments import launch_roots
from mllint.source import SourceError, decode, looks_deep

if TYPE_CHECKING:
    from mllint.ages import History
    from mllint.flags.inventory import Flag

logger = logging.getLogger("mllint.lsp")


@dataclass(frozen=True)
class Lint:
    """The outcome of linting one snapshot of a buffer."""

    path: str
    version: Optional[int]
    text: str
    result: FileResult
    findings: Tuple[Finding, ...]
    project: Optional[Project] = None
    """The project the buffer was linted in, for what a hover asks of it later (see
    :func:`about_flag`)."""
    dead: Mapping[int, Span] = field(default_factory=dict)
    """The dead arm of each finding (by index in :attr:`findings`) that reports one
    (ML101, ML102), for the editor to fade."""


def buffer_bytes(text: str) -> bytes:
    """A buffer's text as the bytes a file holding it would contain.

    Encoded in the encoding its PEP 263 cookie declares, so that decoding it again (as the
    per-file stage does) gives back the same text; UTF-8 otherwise, and when the declared
    encoding cannot hold the text (the editor could not save it either).
    """
    data = text.encode("utf-8", "surrogatepass")
    if text.isascii() or text.startswith("\ufeff"):
        return data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding.startswith("utf-8"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeError, LookupError):
        return data


def analyze_buffer(
    path: str,
    text: str,
    reparser: Optional[Reparser] = None,
    max_size: int = Settings.max_file_size,
) -> FileResult:
    """The per-file result of a buffer: what :func:`analyze_source` gives for its bytes.

    With a ``reparser`` only the statements an edit touched are parsed again (see
    :mod:`mllint.lsp.reparse`); text that needs the per-file stage's checks (a coding cookie
    that changes the text, suspiciously deep nesting) or does not parse takes the full path,
    and suspicious text is analysed in a process of its own (see :data:`ISOLATED`). A buffer
    over ``max_size`` bytes (``max-file-size``) is ML000 "file too large", as on disk.
    """
    data = buffer_bytes(text)
    if len(data) > max_size:
        if reparser is not None:
            reparser.forget()
        return too_large(path, len(data), max_size)
    if reparser is None:
        if looks_deep(text):
            return ISOLATED.analyze(path, analyze_source, path, data)
        return analyze_source(path, data)
    reparser.memo.next_round()
    try:
        plain = decode(data).text == text and not looks_deep(text)
    except SourceError:
        plain = False
    if not plain:
        reparser.forget()
        return ISOLATED.analyze(path, analyze_source, path, data)
    try:
        module = reparser.parse(text)
    except Exception:  # a syntax error (or a parser failure): ML000, worded by analyze_source
        reparser.forget()
        return analyze_source(path, data)
    return analyze_module(path, module, text, reparser.ast_tree(), reparser.memo)


POOL_START_METHOD = (
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
)
"""The server runs threads (stdin reader, lint worker): forking it could copy a held lock into a
pool worker and hang it, so the workspace is analysed by workers from a clean process."""


def _analyze_with(
    options: glue.GlueOptions, call: Callable[..., FileResult], *args: Any
) -> FileResult:
    glue.configure(options)
    return call(*args)


class IsolatedAnalysis:
    """A worker process for the analyses that could crash the server.

    LibCST's native parser can die of deep recursion (a segmentation fault, not an
    exception); the per-file stage refuses the input known to do that, but the server must
    survive whatever that check misses. Text that the check finds suspicious (see
    :func:`~mllint.source.looks_deep`: rare in real code, so the latency of ordinary lints is
    untouched) and files saved on disk are analysed here: a crash costs the worker, which is
    started again for the next analysis, and the file gets one ML000 finding.
    """

    def __init__(self) -> None:
        self._pool: Optional[concurrent.futures.ProcessPoolExecutor] = None
        self._lock = threading.Lock()

    def analyze(self, path: str, call: Callable[..., FileResult], *args: Any) -> FileResult:
        """``call(*args)`` (an analysis of ``path``) in the worker process."""
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context(POOL_START_METHOD),
                    initializer=die_with_parent,  # a server killed outright takes it along
                )
            pool = self._pool
        try:
            return pool.submit(_analyze_with, glue.active_options(), call, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            logger.error("mllint lsp: the parser crashed on %s", path)
            return parse_error(path, "the parser crashed on this file")


ISOLATED = IsolatedAnalysis()


class WorkspaceIndex:
    """One workspace folder: settings plus every file's per-file result, kept in memory."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        results: Dict[str, FileResult],
        config_error: Optional[str] = None,
        use_cache: bool = True,
        editor: EditorSettings = NO_EDITOR_SETTINGS,
    ) -> None:
        self.root = root
        self.configured = settings
        """The settings of the folder's ``[tool.mllint]``, without the editor's."""
        self.editor = editor
        self.settings = editor.apply(settings)
        self.results = results
        self.config_error = config_error
        self.use_cache = use_cache
        self._nested: Dict[str, Optional[Settings]] = {}
        self._for_path: Dict[str, Settings] = {}
        self._git_lock = threading.Lock()
        self._history: Optional[Tuple[Optional[str], History]] = None
        self._history_stale = False
        """Set by the event loop (never waiting for the git lock); read under the lock."""
        self.launch = LaunchTexts(launch_roots(self.settings, [root]), settings.max_file_size)
        """The workspace's launch files, read once, on the first look of a rule that needs
        them (ML104 for a launcher's `--local_rank`, ML107)."""

    @classmethod
    def load(
        cls,
        root: Path,
        *,
        scan: bool = True,
        jobs: int = 0,
        use_cache: bool = True,
        editor: EditorSettings = NO_EDITOR_SETTINGS,
    ) -> Tuple[WorkspaceIndex, Tuple[str, ...]]:
        """Read the configuration governing ``root`` and analyse the files below it.

        A broken configuration is not fatal in an editor: the defaults are used and the
        problem is kept in :attr:`config_error` for the log. ``scan=False`` skips the files
        (for a buffer outside every workspace folder). ``editor`` goes on top of the
        configuration (see :mod:`mllint.lsp.settings`). Returns the index and the internal
        errors of files that could not be analysed.
        """
        error: Optional[str] = None
        try:
            configured = load_settings(find_config([root]), root)
        except ConfigError as exc:
            configured, error = Settings(root=str(root.resolve())), str(exc)
        if not scan:
            return cls(root, configured, {}, error, use_cache, editor), ()
        settings = editor.apply(configured)
        try:
            tree = analyze_tree(
                [root], settings, jobs=jobs, use_cache=use_cache, start_method=POOL_START_METHOD
            )
        except ConfigError as exc:  # pragma: no cover - discovery reads no configuration
            return cls(root, configured, {}, str(exc), use_cache, editor), ()
        for notice in tree.notices:  # unreadable folders, links out of the tree: the log
            logger.warning("mllint lsp: %s", notice)
        return cls(root, configured, tree.results, error, use_cache, editor), tree.errors

    def reconfigure(self, editor: EditorSettings) -> bool:
        """Put new editor settings on top of the configuration. ``False`` when they change
        what the per-file stage computes (``glue-threshold``): the folder must be loaded
        again (:meth:`load`) instead."""
        settings = editor.apply(self.configured)
        if settings.analysis_key() != self.settings.analysis_key():
            return False
        self.editor, self.settings = editor, settings
        self._for_path.clear()
        return True

    def contains(self, path: str) -> bool:
        """Whether ``path`` lies below this workspace folder."""
        root = str(self.root)
        return path == root or path.startswith(root.rstrip(os.sep) + os.sep)

    def settings_for(self, path: str) -> Settings:
        """The settings that suppress findings in ``path``: a nested pyproject.toml with
        ``[tool.mllint]`` between the file and the workspace's configuration wins."""
        known = self._for_path.get(path)
        if known is None:
            known = self._for_path[path] = self._settings_for(path)
        return known

    def _settings_for(self, path: str) -> Settings:
        folder = Path(path).parent
        top = Path(self.settings.root)
        while folder != top and top in folder.parents:
            key = str(folder)
            if key not in self._nested:
                found = config_in(folder)
                try:
                    self._nested[key] = None if found is None else load_settings(found, top)
                except ConfigError:
                    self._nested[key] = None
            nested = self._nested[key]
            if nested is not None:
                return self.editor.apply(nested)
            folder = folder.parent
        return self.settings

    def update_file(self, path: str, result: Optional[FileResult]) -> bool:
        """Replace (``None``: forget) the on-disk result of ``path``; whether facts changed."""
        self._history_stale = True  # blames of the saved file are out of date
        before = self.results.get(path)
        if result is None:
            self.results.pop(path, None)
            return before is not None and bool(cross_file_facts(before, self.settings))
        self.results[path] = result
        return before is None or cross_file_facts(before, self.settings) != cross_file_facts(
            result, self.settings
        )

    def snapshot(self, buffers: Mapping[str, FileResult]) -> Dict[str, FileResult]:
        """Every file's result, with the open ``buffers`` in place of their files on disk.

        Taken on the thread that changes the index, and handed to :meth:`lint`.
        """
        files = dict(self.results)
        files.update(buffers)
        return files

    def lint(
        self,
        path: str,
        text: str,
        version: Optional[int] = None,
        files: Optional[Mapping[str, FileResult]] = None,
        reparser: Optional[Reparser] = None,
    ) -> Lint:
        """Lint a snapshot of the buffer of ``path`` against ``files`` (see :meth:`snapshot`;
        default: the files on disk). Safe to run off the event loop, one call at a time per
        ``reparser``."""
        result = analyze_buffer(path, text, reparser, self.settings.max_file_size)
        files = dict(self.results if files is None else files)
        files[path] = result
        found = list(result.findings)
        project = Project(settings=self.settings, files=files, launch=self.launch)
        found.extend(f for f in run_project_rules(project) if f.path == path)
        kept = tuple(
            sorted(suppress(found, {path: result}, self.settings_for), key=Finding.sort_key)
        )
        tree = None
        if reparser is not None and reparser.parsed(text) is not None:
            tree = reparser.ast_tree()
        return Lint(
            path=path,
            version=version,
            text=text,
            result=result,
            findings=kept,
            project=project,
            dead=dead_spans(text, tree, kept),
        )

    def flag_ages(
        self, flags: Sequence[Flag], now: Optional[datetime] = None
    ) -> Dict[str, Dict[str, Any]]:
        """What git history says of ``flags``, by key: the properties ``mllint check`` gives
        a finding about the flag (``introducedDate``, ``ageDays``...). Empty outside a git
        repository or when git fails (the reason goes to the log).

        Slow the first time (one ``git log`` per file that defines one of the flags, one
        ``git blame`` of their lines), then kept until HEAD moves or a file is saved.
        """
        from mllint.history import age_days

        now = now or datetime.now(timezone.utc)
        with self._git_lock:
            history = self._history_at_head()
            if history is None:
                return {}
            try:
                ages = history.flag_ages(flags)
            except Exception as exc:  # git went away, a corrupt repository...
                logger.error("mllint lsp: flag ages: %s: %s", type(exc).__name__, exc)
                return {}
        return {
            key: {
                "introducedDate": age.introduced.date,
                "introducedCommit": None if age.introduced.uncommitted else age.introduced.sha,
                "lastModifiedDate": None if age.last_modified is None else age.last_modified.date,
                "ageDays": age_days(age.introduced, now),
                "ageIsLowerBound": age.introduced.boundary,
            }
            for key, age in ages.items()
        }

    def _history_at_head(self) -> Optional[History]:
        """The history of the workspace's repository at its current HEAD (held lock)."""
        from mllint.ages import History
        from mllint.cache import cache_folder, git_store
        from mllint.history import Repository

        try:
            if self._history_stale:
                self._history, self._history_stale = None, False
            if self._history is not None:
                head = self._history[1].repo.head()
                if head == self._history[0]:
                    return self._history[1]
            cache = git_store(cache_folder(self.settings)) if self.use_cache else None
            repo = Repository.find(self.root, cache)
            if repo is None:
                return None
            history = History(repo, datetime.now(timezone.utc), self.settings.max_age_days)
            self._history = (repo.head(), history)
            return history
        except Exception as exc:
            logger.error("mllint lsp: git history: %s: %s", type(exc).__name__, exc)
            return None


def about_flag(lint: Lint, name: str) -> Tuple[List[Finding], Dict[str, Flag]]:
    """The findings of ``lint`` about the flag ``name``, with what the project's inventory
    knows of it (kind, value, definition, reads; the ``flagKey`` property names it), and
    those flags by key. Asked by a hover, not by every lint: the inventory is built from
    the whole project. Run it where lints run (it reads the shared flag index)."""
    findings = [f for f in lint.findings if f.properties.get("flag") == name]
    if not findings or lint.project is None:
        return findings, {}
    return _with_flag_facts(findings, lint.project)


def _with_flag_facts(
    findings: List[Finding], project: Project
) -> Tuple[List[Finding], Dict[str, Flag]]:
    from mllint.ages import flag_of

    flags = project_flags(project)
    out: List[Finding] = []
    involved: Dict[str, Flag] = {}
    for finding in findings:
        flag = flag_of(finding, flags)
        if flag is None:
            out.append(finding)
            continue
        involved[flag.key] = flag
        facts: Dict[str, Any] = {
            "flagKey": flag.key,
            "kind": flag.kind,
            "value": json_value(flag.value, flag.name),
            "definedAt": None
            if flag.defined_at is None
            else {"path": flag.defined_at[0], "line": flag.defined_at[1]},
            "references": [{"path": p, "line": n} for p, n in flag.references],
        }
        out.append(replace(finding, properties={**facts, **finding.properties}))
    return out, involved


def findings_on_line(findings: Tuple[Finding, ...], line: int) -> List[Finding]:
    """The findings whose first line is the 1-based ``line``."""
    return [f for f in findings if f.span.line == line]
