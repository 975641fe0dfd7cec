"""Runs the pipeline: discover -> per-file analysis (parallel, cached) -> project rules ->
suppression. Formatting is left to :mod:`mllint.output`."""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

from mllint import glue
from mllint.ages import History
from mllint.analyze import (
    MAX_FILE_SIZE,
    NOT_ANALYSED,
    analyze_path,
    analyze_source,
    parse_error,
    too_large,
)
from mllint.cache import Cache, content_hash
from mllint.config import Settings, apply_overrides, load_settings
from mllint.discover import discover, matches_globs
from mllint.display import printable
from mllint.flags.index import flag_index
from mllint.flags.inventory import Flag, inventory
from mllint.flags.launch import LaunchTexts
from mllint.glue import roles as glue_roles
from mllint.lifecycle import die_with_parent, stopped_when_interrupted
from mllint.model import FileResult, Finding
from mllint.project import Project, run_project_rules
from mllint.rules.age import StaleExperiment
from mllint.rules.experiments import launch_roots
from mllint.safeio import TooLarge, UnsafePath, read_limited
from mllint.suppress import apply_noqa

Progress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as a run advances (``total`` 0: a stage without a count)."""

_SERIAL_BELOW = 16
"""Runs with fewer files to parse than this use no process pool."""
_CHUNK = 8


@dataclass(frozen=True)
class CheckResult:
    """Everything a run found, ready for a formatter."""

    findings: Tuple[Finding, ...]
    files: Tuple[str, ...]
    results: Dict[str, FileResult]
    missing: Tuple[str, ...]
    errors: Tuple[str, ...]
    parsed: int
    lines: int
    baselined: Tuple[Finding, ...] = ()
    """Findings hidden because the ``--baseline`` holds them (see :mod:`mllint.baseline`)."""
    silenced: Tuple[Finding, ...] = ()
    """Findings of selected rules silenced by ``# noqa`` or ``per-file-ignores``."""
    notices: Tuple[str, ...] = ()
    """What discovery skipped and why (see :attr:`Discovery.notices`): warnings, not errors."""


def default_jobs() -> int:
    """The CPU count available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_GC_THRESHOLD = (50_000, 20, 20)
"""LibCST allocates millions of short-lived, acyclic nodes; collecting them generation by
generation as they are made costs several percent of a run and frees nothing."""


def _tune_gc() -> None:
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLD)


def _init_worker(options: glue.GlueOptions) -> None:
    """Pool workers: tuned collector, and the settings of the per-file stage (a forkserver
    or spawned worker does not inherit them); they end with the parent, however it ends."""
    die_with_parent()
    _tune_gc()
    glue.configure(options)


def _analyze_chunk(
    paths: Sequence[str], max_size: int = MAX_FILE_SIZE
) -> List[Tuple[str, Optional[FileResult], Optional[str]]]:
    out: List[Tuple[str, Optional[FileResult], Optional[str]]] = []
    for path in paths:
        try:
            out.append((path, analyze_path(path, max_size), None))
        except Exception as exc:  # an internal error: name the file, keep going
            out.append((path, None, _described(exc)))
    return out


def _analyze_given(
    path: str, data: bytes, max_size: int
) -> Tuple[Optional[FileResult], Optional[str]]:
    """:func:`_analyze_chunk` for text given in place of a file's (standard input)."""
    try:
        return analyze_source(path, data, max_size), None
    except Exception as exc:  # an internal error: name the file, keep going
        return None, _described(exc)


def _described(exc: Exception) -> str:
    """``Type: message`` of an internal error, bounded: the message of a ``KeyError`` on a
    syntax tree node is the node's repr, as deep as the tree (and as long as the file)."""
    try:
        message = str(exc)
    except RecursionError:
        message = "(too deep to show)"
    if len(message) > 300:
        message = message[:300] + "..."
    return f"{type(exc).__name__}: {message}"


def _chunks(paths: Sequence[str], jobs: int) -> List[List[str]]:
    """Biggest files first, dealt into chunks small enough to keep every worker busy."""

    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    ordered = sorted(paths, key=size, reverse=True)
    chunk = max(1, min(_CHUNK, len(ordered) // (jobs * 4) or 1))
    return [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]


def _pool_context(start_method: Optional[str] = None) -> multiprocessing.context.BaseContext:
    if start_method is not None:  # a threaded caller (the language server) cannot fork safely
        return multiprocessing.get_context(start_method)
    # fork shares the already imported and warmed parser with the workers
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


_child_folder: Optional[str] = None


def child_start_folder() -> str:
    """The folder child interpreters are started in: the standard library's own.

    multiprocessing starts spawn and forkserver workers and its resource tracker as
    ``python -c "from multiprocessing... import ..."``, and ``-c`` puts the working folder
    first on the child's ``sys.path``: started inside a linted tree, a child would import
    the tree's ``multiprocessing.py``. Isolated mode (``-I``, ``-P``) is passed on to children
    only from the parent's own ``sys.flags`` and ``PYTHONSAFEPATH`` needs Python 3.11, so
    children are started elsewhere: in the folder multiprocessing itself comes from, every
    importable name is the standard library itself (a fresh private folder when the library
    is not a folder, as in a zip). Workers then take ``sys.path`` from the parent, which holds
    no working folder (see ``mllint/__main__.py``).
    """
    global _child_folder
    if _child_folder is None:
        stdlib = os.path.dirname(os.path.dirname(os.path.abspath(multiprocessing.__file__)))
        if not os.path.isdir(os.path.join(stdlib, "multiprocessing")):
            import tempfile

            stdlib = tempfile.mkdtemp(prefix="mllint-")
        _child_folder = stdlib
    return _child_folder


@contextlib.contextmanager
def _outside_tree(context: multiprocessing.context.BaseContext) -> Iterator[None]:
    """Start the processes of a pool in :func:`child_start_folder` (forked workers start no
    interpreter and stay where they are)."""
    if context.get_start_method() == "fork":
        yield
        return
    before = os.getcwd()
    os.chdir(child_start_folder())
    try:
        yield
    finally:
        os.chdir(before)


def _at(found: Optional[FileResult], path: str) -> Optional[FileResult]:
    return None if found is None else _relocate(found, path)


def analyze_files(
    paths: Sequence[str],
    jobs: int,
    start_method: Optional[str] = None,
    max_size: int = MAX_FILE_SIZE,
    on_done: Optional[Callable[[int], None]] = None,
) -> Dict[str, Tuple[Optional[FileResult], Optional[str]]]:
    """Analyse files, in a process pool when there are enough of them (``start_method``:
    the pool's multiprocessing start method; default fork on Linux); files larger than
    ``max_size`` bytes are ML000 unread. ``on_done`` is told how many are done so far."""
    done: Dict[str, Tuple[Optional[FileResult], Optional[str]]] = {}
    if jobs <= 1 or len(paths) < _SERIAL_BELOW:
        threshold = gc.get_threshold()
        gc.set_threshold(*_GC_THRESHOLD)
        try:
            for one in paths:
                for path, result, error in _analyze_chunk([one], max_size):
                    done[path] = (result, error)
                if on_done is not None:
                    on_done(len(done))
        finally:
            gc.set_threshold(*threshold)
        return done
    cst.parse_module("warm = 1\n")  # load the native parser once, before the fork
    context = _pool_context(start_method)
    given = {os.path.abspath(p): p for p in paths}  # workers may not share our working folder
    try:
        with _outside_tree(context):
            pool = concurrent.futures.ProcessPoolExecutor(
                jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(glue.active_options(),),
            )
            with pool, stopped_when_interrupted(pool):
                chunks = _chunks(list(given), jobs)
                futures = [pool.submit(_analyze_chunk, chunk, max_size) for chunk in chunks]
                for future in concurrent.futures.as_completed(futures):
                    for path, result, error in future.result():
                        done[given[path]] = (_at(result, given[path]), error)
                    if on_done is not None:
                        on_done(len(done))
    except BrokenProcessPool:
        # A worker died (the native parser can crash): isolate the culprit file by file.
        for path in paths:
            if path not in done:
                done[path] = _analyze_isolated(path, start_method, max_size)
    return done


def _analyze_isolated(
    path: str, start_method: Optional[str] = None, max_size: int = MAX_FILE_SIZE
) -> Tuple[Optional[FileResult], Optional[str]]:
    context = _pool_context(start_method)
    try:
        with _outside_tree(context):
            pool = concurrent.futures.ProcessPoolExecutor(
                1, mp_context=context, initializer=_init_worker, initargs=(glue.active_options(),)
            )
            with pool, stopped_when_interrupted(pool):
                ((_, result, error),) = pool.submit(
                    _analyze_chunk, [os.path.abspath(path)], max_size
                ).result()
                return _at(result, path), error
    except BrokenProcessPool:
        return parse_error(path, "the parser crashed on this file"), None


def run_check(
    paths: Sequence[Path],
    settings: Settings,
    *,
    overrides: Optional[Mapping[str, Tuple[str, ...]]] = None,
    jobs: int = 0,
    use_cache: bool = True,
    history: Optional[History] = None,
    progress: Optional[Progress] = None,
    overlay: Optional[Mapping[str, bytes]] = None,
) -> CheckResult:
    """Lint ``paths`` with ``settings``; findings come back filtered and sorted.

    With ``history``, findings carry git ages and stale flags are reported (ML301).
    ``progress`` is told each stage (see :data:`Progress`); ``overlay`` as in
    :func:`analyze_tree`.

    Files below a nested pyproject.toml with ``[tool.mllint]`` take their exclusions and
    suppressions from it, with the command line's ``overrides`` on top.
    """
    root = Path(settings.root)
    tree = analyze_tree(
        paths, settings, jobs=jobs, use_cache=use_cache, progress=progress, overlay=overlay
    )
    if progress is not None:
        progress("project rules", 0, 0)
    scoped = {
        config: apply_overrides(load_settings(Path(config), root), overrides or {})
        for config in sorted(set(tree.configs.values()))
    }
    results, files = tree.results, tree.files
    launch = LaunchTexts(launch_roots(settings, paths), settings.max_file_size)
    project = Project(settings=settings, files={p: results[p] for p in files}, launch=launch)
    findings = [f for path in files for f in results[path].findings]
    findings.extend(run_project_rules(project))
    flags = project_flags(project) if history is not None else []
    if history is not None and progress is not None:
        progress("git history", 0, 0)
    if history is not None and settings.is_enabled(StaleExperiment.code):
        findings.extend(history.stale(findings, flags))

    def settings_for(path: str) -> Settings:
        return scoped.get(tree.configs.get(path, ""), settings)

    kept = suppress(findings, results, settings_for)
    kept_ids = {id(f) for f in kept}
    silenced = [
        f for f in findings if id(f) not in kept_ids and settings_for(f.path).is_enabled(f.code)
    ]
    if history is not None:
        kept = history.attach(kept, flags)
    return CheckResult(
        findings=tuple(sorted(kept, key=Finding.sort_key)),
        files=files,
        results=results,
        missing=tree.missing,
        errors=tree.errors,
        parsed=tree.parsed,
        lines=sum(results[p].lines for p in files),
        silenced=tuple(sorted(silenced, key=Finding.sort_key)),
        notices=tree.notices,
    )


def project_flags(project: Project) -> List[Flag]:
    """The project's flag inventory (what ``mllint flags`` lists)."""
    return inventory(flag_index(project), project.settings.flag_patterns)


def _relocate(result: FileResult, path: str) -> FileResult:
    """A cached result (keyed by content) attached to the file it now belongs to."""
    if all(f.path == path for f in result.findings):
        return result
    return replace(result, findings=tuple(f.moved_to(path) for f in result.findings))


def suppress(
    findings: Sequence[Finding],
    results: Mapping[str, FileResult],
    settings_for: Callable[[str], Settings],
) -> List[Finding]:
    """Drop findings of unselected rules, per-file ignores and ``# noqa`` comments."""
    kept: List[Finding] = []
    ignored_here: Dict[str, Tuple[str, ...]] = {}
    for finding in findings:
        settings = settings_for(finding.path)
        if not settings.is_enabled(finding.code):
            continue
        codes = ignored_here.get(finding.path)
        if codes is None:
            codes = _per_file_codes(finding.path, settings)
            ignored_here[finding.path] = codes
        if any(finding.code.startswith(c) or c == "ALL" for c in codes):
            continue
        result = results.get(finding.path)
        if result is not None and not apply_noqa([finding], result.noqa):
            continue
        kept.append(finding)
    return kept


def _per_file_codes(path: str, settings: Settings) -> Tuple[str, ...]:
    """Codes that ``per-file-ignores`` switch off for ``path``."""
    try:
        relative = Path(path).relative_to(settings.root).as_posix()
    except ValueError:
        relative = Path(path).name
    codes: List[str] = []
    for glob, glob_codes in settings.per_file_ignores:
        if matches_globs((glob,), relative):
            codes.extend(glob_codes)
    return tuple(codes)


@dataclass(frozen=True)
class AnalyzedTree:
    """Per-file results of a discovered tree, before the project stage (for long-lived callers
    such as the language server, which keep them in memory and re-run the project stage)."""

    results: Dict[str, FileResult]
    configs: Mapping[str, str]
    """File -> the nested pyproject.toml that governs it (as :class:`Discovery` has it)."""
    errors: Tuple[str, ...]
    missing: Tuple[str, ...] = ()
    """Paths given that do not exist."""
    files: Tuple[str, ...] = ()
    """The files with a result, in discovery order."""
    parsed: int = 0
    """How many files were analysed rather than taken from the cache."""
    notices: Tuple[str, ...] = ()
    """What discovery skipped and why (see :attr:`Discovery.notices`)."""


def analyze_tree(
    paths: Sequence[Path],
    settings: Settings,
    *,
    jobs: int = 0,
    use_cache: bool = True,
    start_method: Optional[str] = None,
    needs_facts: Optional[str] = None,
    progress: Optional[Progress] = None,
    overlay: Optional[Mapping[str, bytes]] = None,
) -> AnalyzedTree:
    """Discover ``paths`` and analyse each file, with the cache and pool of :func:`run_check`
    (``start_method`` as in :func:`analyze_files`).

    A cached result without the ``needs_facts`` family (written by a build that did not
    compute it) is analysed again, unless it is a parse error. ``overlay`` maps absolute
    paths to the text linted in place of the file's (standard input): such a path is
    linted whether or not it exists or was discovered. ``progress`` is told of each file.
    """
    root = Path(settings.root)
    configure_analysis(settings)
    discovery = discover(paths, settings.exclude, root)
    overlay = overlay or {}
    listed = list(discovery.files)
    listed += [Path(p) for p in overlay if Path(p) not in set(discovery.files)]
    cache = Cache.of(settings) if use_cache else None
    results: Dict[str, FileResult] = {}
    to_parse: Dict[str, str] = {}
    given: Dict[str, bytes] = {}
    for file in listed:
        path = str(file)
        try:  # the size is checked before any read: a huge file is never read whole
            if path in overlay:
                data = overlay[path]
                if len(data) > settings.max_file_size:
                    raise TooLarge(path, len(data), settings.max_file_size)
                given[path] = data
            else:
                data = read_limited(file, settings.max_file_size)
        except TooLarge as exc:
            results[path] = too_large(path, exc.size, settings.max_file_size)
            continue
        except UnsafePath:
            results[path] = parse_error(path, "cannot read file: not a regular file")
            continue
        except OSError as exc:
            results[path] = parse_error(path, f"cannot read file: {exc.strerror or exc}")
            continue
        # the path decides the glue role and test-file status: part of what is analysed
        options = glue.active_options()
        digest = content_hash(data + glue_roles.path_key(path, options.root, options.roles))
        cached = cache.get(digest) if cache else None
        if cached is not None and needs_facts is not None and needs_facts not in cached.facts:
            cached = cached if any(f.code == "ML000" for f in cached.findings) else None
        if cached is not None:
            results[path] = _relocate(cached, path)
        else:
            to_parse[path] = digest
    errors: List[str] = []
    total, ready = len(listed), len(results)

    def on_done(count: int) -> None:
        if progress is not None:
            progress("analysing", ready + count, total)

    on_done(0)
    analysed = {
        path: _analyze_given(path, given[path], settings.max_file_size)
        for path in to_parse
        if path in given
    }
    analysed.update(
        analyze_files(
            [path for path in to_parse if path not in given],
            jobs or default_jobs(),
            start_method=start_method,
            max_size=settings.max_file_size,
            on_done=lambda count: on_done(len(analysed) + count),
        )
    )
    for path, (result, error) in analysed.items():
        if result is None:
            errors.append(f"{path}: internal error: {error}")
            continue
        results[path] = result
        if cache is not None:
            cache.put(to_parse[path], result)
    return AnalyzedTree(
        results=results,
        configs=discovery.configs,
        errors=tuple(errors),
        missing=discovery.missing,
        files=tuple(str(f) for f in listed if str(f) in results),
        parsed=len(analysed),
        notices=tuple(discovery.notices) + _not_analysed(results, listed),
    )


def _not_analysed(results: Mapping[str, FileResult], files: Sequence[Path]) -> Tuple[str, ...]:
    """One notice per file that Python accepts and LibCST cannot parse (see
    :data:`mllint.analyze.NOT_ANALYSED`)."""
    notices = []
    for file in files:
        result = results.get(str(file))
        reason = None if result is None else result.facts.get(NOT_ANALYSED)
        if reason is not None:
            shown = os.path.relpath(file) if file.is_relative_to(Path.cwd()) else str(file)
            notices.append(
                f"{printable(shown)}: not analysed by the LibCST rules, only its flags ({reason})"
            )
    return tuple(notices)


def configure_analysis(settings: Settings) -> None:
    """Hand the settings that change the per-file stage to it (and to pool workers)."""
    glue.configure(
        glue.GlueOptions(
            glue_modules=settings.glue_modules,
            algorithm_modules=settings.algorithm_modules,
            threshold=settings.glue_threshold,
            roles=settings.glue_roles,
            root=str(Path(settings.root).resolve()),
        )
    )
