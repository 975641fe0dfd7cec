"""The rounds of ``check --fix``: fix, verify, re-analyse, repeat; then write or diff.

:func:`apply_fixes` analyses the tree once (with the cache and process pool of ``check``),
then repeats: plan the edits the current findings ask for (:mod:`mllint.fixing.plan`), make
them with LibCST (:mod:`mllint.fixing.transform`), keep a rewritten file only if LibCST parses
it and ``compile()`` accepts it, re-analyse the changed files in memory and run the project
rules again, until a round changes nothing (or ``max_rounds``). Nothing is written there:
:func:`write_fixes` writes the new texts (atomically, never through a symbolic link, never
outside the linted paths, never over a file that changed since it was read) and
:func:`unified_diff` shows them.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst

from mllint import glue
from mllint.analyze import analyze_module, analyze_source
from mllint.cache import Cache, content_hash
from mllint.config import Settings, apply_overrides, load_settings
from mllint.engine import analyze_tree, suppress
from mllint.fixing.plan import UNSAFE, ConstantId, applicability, plan_round
from mllint.fixing.transform import rewrite
from mllint.flags.index import flag_index
from mllint.flags.launch import LaunchTexts
from mllint.glue import roles as glue_roles
from mllint.model import FileResult, Finding
from mllint.project import Project, run_project_rules
from mllint.rules.experiments import launch_roots
from mllint.safeio import read_limited, write_atomic
from mllint.source import SourceError, decode

MAX_ROUNDS = 10


@dataclass
class FixRun:
    """What :func:`apply_fixes` did, nothing written yet."""

    changes: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    """Path -> (text as read, text after every round), for each file that changed."""
    encodings: Dict[str, str] = field(default_factory=dict)
    """Path -> the encoding its text is written back in."""
    digests: Dict[str, str] = field(default_factory=dict)
    """Path -> SHA-256 of the bytes read (a file whose bytes differ at write time is kept)."""
    fixed: List[Finding] = field(default_factory=list)
    """The findings whose fix was made, in every round."""
    remaining: Tuple[Finding, ...] = ()
    """The findings of the last analysis (of the fixed texts)."""
    fixable: int = 0
    """Remaining findings with a fix that this run was allowed to make but could not."""
    unsafe_fixable: int = 0
    """Remaining findings with an unsafe fix, when unsafe fixes were not allowed."""
    failures: List[str] = field(default_factory=list)
    """``path: reason`` for every file left untouched (a rewrite that did not compile, a
    file that changed while it was analysed...)."""
    errors: Tuple[str, ...] = ()
    """Internal errors of the analysis (as :attr:`CheckResult.errors`)."""
    missing: Tuple[str, ...] = ()
    rounds: int = 0
    max_size: int = 1 << 20
    """The largest file read (``max-file-size``): a file grown past it is not written."""

    @property
    def new_texts(self) -> Dict[str, str]:
        """Path -> its new text."""
        return {path: new for path, (_old, new) in self.changes.items()}


class _Texts:
    """The current text of project files: as fixed so far, else as read from disk."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.current: Dict[str, str] = {}
        self.original: Dict[str, str] = {}
        self.encodings: Dict[str, str] = {}
        self.digests: Dict[str, str] = {}
        self.unreadable: Dict[str, str] = {}

    def get(self, path: str) -> Optional[str]:
        if path in self.current:
            return self.current[path]
        if path in self.unreadable:
            return None
        try:
            data = read_limited(Path(path), self.max_size)
            source = decode(data)
        except (OSError, SourceError) as exc:
            self.unreadable[path] = getattr(exc, "reason", None) or str(exc)
            return None
        self.digests[path] = hashlib.sha256(data).hexdigest()
        self.original[path] = self.current[path] = source.text
        self.encodings[path] = source.encoding
        return source.text


class _Analysis:
    """Per-file results (from the first analysis, then of the fixed texts) and the findings
    the project stage and suppression make of them, as ``run_check`` does."""

    def __init__(
        self,
        paths: Sequence[Path],
        settings: Settings,
        overrides: Mapping[str, Tuple[str, ...]],
        jobs: int,
        use_cache: bool,
    ) -> None:
        self.settings = settings
        tree = analyze_tree(paths, settings, jobs=jobs, use_cache=use_cache)
        self.tree = tree
        self.results: Dict[str, FileResult] = dict(tree.results)
        self.files = tree.files
        root = Path(settings.root)
        self.scoped = {
            config: apply_overrides(load_settings(Path(config), root), overrides)
            for config in sorted(set(tree.configs.values()))
        }
        self.launch = LaunchTexts(launch_roots(settings, paths), settings.max_file_size)
        self.cache = Cache.of(settings) if use_cache else None

    def analysed(
        self, path: str, data: bytes, module: Optional[cst.Module] = None, text: str = ""
    ) -> FileResult:
        """The result of ``data`` as the text of ``path``, stored in the cache as
        ``analyze_tree`` would (the report after the fixes finds it there). ``module`` is
        ``text`` (``data`` decoded) parsed already: it is not parsed again."""
        if module is not None and len(data) <= self.settings.max_file_size:
            result = analyze_module(path, module, text)
        else:
            result = analyze_source(path, data, self.settings.max_file_size)
        if self.cache is not None:
            options = glue.active_options()
            key = glue_roles.path_key(path, options.root, options.roles)
            self.cache.put(content_hash(data + key), result)
        return result

    def settings_for(self, path: str) -> Settings:
        return self.scoped.get(self.tree.configs.get(path, ""), self.settings)

    def run(self) -> Tuple[Project, List[Finding], List[Finding]]:
        """The project, every finding, and the kept ones (sorted)."""
        files = {p: self.results[p] for p in self.files}
        project = Project(settings=self.settings, files=files, launch=self.launch)
        findings = [f for p in self.files for f in self.results[p].findings]
        findings.extend(run_project_rules(project))
        kept = suppress(findings, self.results, self.settings_for)
        return project, findings, sorted(kept, key=Finding.sort_key)


def apply_fixes(
    paths: Sequence[Path],
    settings: Settings,
    *,
    unsafe: bool,
    max_rounds: int = MAX_ROUNDS,
    overrides: Optional[Mapping[str, Tuple[str, ...]]] = None,
    jobs: int = 0,
    use_cache: bool = True,
) -> FixRun:
    """Fix what the findings of ``paths`` allow (unsafe fixes too with ``unsafe``), in
    rounds, in memory: the returned :class:`FixRun` holds the new texts; see
    :func:`write_fixes` and :func:`unified_diff`."""
    analysis = _Analysis(paths, settings, overrides or {}, jobs, use_cache)
    texts = _Texts(settings.max_file_size)
    retired: Set[ConstantId] = set()
    frozen: Set[str] = set()
    run = FixRun(
        errors=analysis.tree.errors,
        missing=analysis.tree.missing,
        max_size=settings.max_file_size,
    )
    project, raw, kept = analysis.run()
    checked: Set[str] = set()
    for number in range(1, max_rounds + 1):
        run.rounds = number
        index = flag_index(project)
        work = plan_round(kept, raw, index, texts, retired, unsafe=unsafe)
        changed: Dict[str, FileResult] = {}
        for path, plan in sorted(work.plans.items()):
            if path in frozen or path not in analysis.results:
                continue
            text = texts.get(path)
            if text is None:
                frozen.add(path)
                run.failures.append(f"{path}: not fixed: {texts.unreadable.get(path)}")
                continue
            if path not in checked:  # the text read now is the one analysed (as far as a
                checked.add(path)  # line count tells; the write compares the whole content)
                if _line_count(text) != analysis.results[path].lines:
                    frozen.add(path)
                    run.failures.append(f"{path}: not fixed: it changed while it was analysed")
                    continue
            try:
                done = rewrite(cst.parse_module(text), plan, text)
            except Exception as exc:  # a LibCST failure on this file: leave it as it is
                frozen.add(path)
                run.failures.append(f"{path}: not fixed: {type(exc).__name__}: {exc}")
                continue
            if done.code == text:
                continue
            encoding = texts.encodings.get(path, "utf-8")
            problem, parsed = _verify(path, done.code, encoding)
            result = (
                None
                if parsed is None
                else analysis.analysed(path, done.code.encode(encoding), parsed, done.code)
            )
            if problem is None and result is not None:
                problem = _refused(result)
            if problem is not None or result is None:
                frozen.add(path)
                run.failures.append(f"{path}: not fixed: the fixed text {problem}")
                continue
            texts.current[path] = done.code
            changed[path] = result
            run.fixed.extend(
                work.findings[(path, ident)]
                for ident in sorted(done.applied)
                if (path, ident) in work.findings
            )
        if not changed:
            break
        analysis.results.update(changed)
        project, raw, kept = analysis.run()
    for path, new in texts.current.items():
        old = texts.original[path]
        if new != old:
            run.changes[path] = (old, new)
            run.encodings[path] = texts.encodings[path]
            run.digests[path] = texts.digests[path]
    run.remaining = tuple(kept)
    for finding in kept:
        wanted = applicability(finding)
        if wanted == UNSAFE and not unsafe:
            run.unsafe_fixable += 1
        elif wanted is not None:
            run.fixable += 1
    return run


def _line_count(text: str) -> int:
    """Lines of ``text`` as the analysis counts them (:attr:`FileResult.lines`)."""
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def _verify(path: str, code: str, encoding: str) -> Tuple[Optional[str], Optional[cst.Module]]:
    """Why ``code`` cannot be written (``None``: it can, so far) and its LibCST module: it
    must encode back to the file's encoding and LibCST must parse it. Whether ``compile()``
    accepts it is the analysis's verdict (:func:`_refused`), which compiles it anyway."""
    try:
        code.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return f"cannot be encoded in {encoding}", None
    try:
        return None, cst.parse_module(code)
    except Exception as exc:
        return f"does not parse with LibCST ({type(exc).__name__})", None


def _refused(result: FileResult) -> Optional[str]:
    """Why the analysis of a fixed text refuses it (``None``: it does not): an ML000, which
    is ``compile()``'s verdict, or a nesting too deep to analyse."""
    for finding in result.findings:
        if finding.code == "ML000":
            return f"does not compile ({finding.message})"
    return None


def compiles(code: str, path: str) -> None:
    """``compile()`` ``code`` (never run), keeping its warnings (``SyntaxWarning`` for an
    invalid escape...) to ourselves; raises what ``compile()`` raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(code, path, "exec", dont_inherit=True)


def write_fixes(run: FixRun, roots: Sequence[Path]) -> Dict[str, str]:
    """Write the new texts of ``run`` into files below ``roots`` (the linted paths).

    A file is written only when its bytes are still those that were analysed, the path lies
    below one of ``roots`` with no symbolic link on the way, and it is a regular file; the
    write is atomic and keeps the file's permissions. Returns, for each file not written,
    why (the caller reports them); the fixes of those files leave ``run.fixed``.
    """
    problems: Dict[str, str] = {}
    for path, (_old, new) in sorted(run.changes.items()):
        reason = _unsafe_target(Path(path), roots)
        if reason is None:
            try:
                data = read_limited(Path(path), run.max_size)
                if hashlib.sha256(data).hexdigest() != run.digests.get(path):
                    reason = "it changed on disk since it was analysed"
                else:
                    mode = stat.S_IMODE(os.lstat(path).st_mode)
                    write_atomic(Path(path), new.encode(run.encodings.get(path, "utf-8")), mode)
            except OSError as exc:
                reason = f"cannot write it: {exc.strerror or exc}"
        if reason is not None:
            problems[path] = reason
    if problems:
        run.fixed = [f for f in run.fixed if f.path not in problems]
    return problems


def _unsafe_target(path: Path, roots: Sequence[Path]) -> Optional[str]:
    """Why ``path`` may not be written (``None``: it may)."""
    absolute = Path(os.path.abspath(path))
    for root in roots:
        base = Path(os.path.abspath(root))
        try:
            relative = absolute.relative_to(base)
        except ValueError:
            continue
        current = base
        for part in relative.parts:
            current = current / part
            try:
                info = os.lstat(current)
            except OSError as exc:
                return f"cannot read it: {exc.strerror or exc}"
            if stat.S_ISLNK(info.st_mode):
                return "a symbolic link is on its path"
        if not stat.S_ISREG(os.lstat(absolute).st_mode):
            return "not a regular file"
        return None
    return "it lies outside the linted paths"


def unified_diff(changes: Mapping[str, Tuple[str, str]], cwd: Optional[Path] = None) -> str:
    """A unified diff of ``{path: (old text, new text)}``, paths shown relative to ``cwd``
    (the current folder by default) as ``a/PATH`` and ``b/PATH``."""
    base = os.path.abspath(cwd or Path.cwd())
    out: List[str] = []
    for path in sorted(changes):
        old, new = changes[path]
        if old == new:
            continue
        shown = os.path.relpath(os.path.abspath(path), base)
        if shown.startswith(".."):
            shown = path
        shown = shown.replace(os.sep, "/")
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{shown}",
            tofile=f"b/{shown}",
        )
        for line in lines:
            out.append(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            )
    return "".join(out)
