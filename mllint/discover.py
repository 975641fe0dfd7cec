"""Finding the files to lint: git's own list in a work tree, a walk elsewhere.

In a git work tree the list comes from git itself (``git ls-files --cached`` for the tracked
files, ``--others --exclude-standard`` for the untracked ones), so it is what git shows by
construction: ``.gitignore`` files at every level, ``.git/info/exclude`` and
``core.excludesFile`` are honoured. A submodule or a nested repository, which git lists as
one entry, is listed by its own git. Outside git, or when git is missing or refuses the
repository (``safe.directory``, a corrupt index), folders are walked and ``.gitignore``
files are matched with pathspec's ``GitIgnoreSpec``, which also matches the ``exclude`` and
``per-file-ignores`` globs everywhere.

Discovery is the first stage to meet a hostile tree: it never follows a symbolic link out of
the linted tree, never opens a FIFO or a device, and skips an unreadable folder with a
notice instead of aborting the run.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

from pathspec import GitIgnoreSpec

from mllint.config import config_in, load_settings
from mllint.history import GitError, git_output
from mllint.safeio import read_limited

SOURCE_SUFFIXES = (".py", ".pyi")

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".mllint_cache",
        ".ipynb_checkpoints",
        ".eggs",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "__pypackages__",
    }
)

_IGNORE_FILE_LIMIT = 1 << 20
"""A ``.gitignore`` larger than this is not read (git has a similar limit of 100 MB)."""

MAX_WILDCARDS = 2
"""Globs matched in Python (``exclude``, ``per-file-ignores``, ``.gitignore`` outside git)
with more runs of ``*`` than this are not applied: pathspec turns each run into a regex
loop, and a few loops over a long hostile name backtrack for minutes."""
MAX_PATH_LENGTH = 1024
"""Files whose path below the linted folder is longer than this are skipped (with a notice):
it bounds the cost of every glob, and no real project comes near it."""
_WILDCARD_RUN = re.compile(r"\*+")

_GIT_LINK_MODE = "160000"
_GIT_UNREADABLE = re.compile(r"warning: could not open directory '(.+)/': (.+)")
_LINKS_NAMED = 5
"""How many links leaving the tree the notice names before it only counts them."""

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


@dataclass(frozen=True)
class Discovery:
    """The files to lint and what was skipped on the way (for messages)."""

    files: Tuple[Path, ...]
    missing: Tuple[str, ...] = ()
    configs: Mapping[str, str] = field(default_factory=dict)
    """File -> the nested pyproject.toml whose ``[tool.mllint]`` governs it (when not the
    run's own configuration)."""
    notices: Tuple[str, ...] = ()
    """What was skipped and why (unreadable folders, links out of the tree, FIFOs, git's own
    warnings), one line each, for standard error. Not errors: the run goes on."""


def _too_costly(line: str) -> bool:
    """Whether a glob has more wildcards than :data:`MAX_WILDCARDS` (see there)."""
    return len(_WILDCARD_RUN.findall(line)) > MAX_WILDCARDS


def _compile(lines: Sequence[str]) -> GitIgnoreSpec:
    """``lines`` as one spec, without the globs pathspec rejects (git lets them match
    nothing) and those too costly to match (:data:`MAX_WILDCARDS`)."""
    kept = [line for line in lines if not _too_costly(line)]
    with warnings.catch_warnings():  # "possible nested set" from re on '[[:digit:]]'
        warnings.simplefilter("ignore")
        try:
            return GitIgnoreSpec.from_lines(kept)
        except (ValueError, re.error):
            valid = []
            for line in kept:
                try:
                    GitIgnoreSpec.from_lines([line])
                except (ValueError, re.error):
                    continue
                valid.append(line)
            return GitIgnoreSpec.from_lines(valid)


@functools.lru_cache(maxsize=256)
def glob_spec(patterns: Tuple[str, ...]) -> GitIgnoreSpec:
    """Gitignore-style ``patterns`` compiled once (``exclude``, ``per-file-ignores``)."""
    return _compile(patterns)


def matches_globs(patterns: Sequence[str], relpath: str) -> bool:
    """Whether the POSIX path ``relpath`` is matched by gitignore-style ``patterns``."""
    return bool(patterns) and glob_spec(tuple(patterns)).match_file(relpath)


def _ignored(spec: GitIgnoreSpec, relpath: str, folder: bool) -> bool:
    """Whether ``spec`` ignores the POSIX path ``relpath``, a folder when ``folder``.

    Files take ``GitIgnoreSpec``'s verdict. A folder takes git's: the last pattern that
    matches it decides (``GitIgnoreSpec`` lets a folder pattern lose to an earlier ``*``, and
    counts ``abc/**`` as matching ``abc`` itself), and nothing below an ignored folder is
    looked at, so a file cannot be re-included below it, as in git.
    """
    if not folder:
        return spec.match_file(relpath)
    query = relpath + "/"
    for pattern in reversed(spec.patterns):
        if pattern.include is None or pattern.regex is None:
            continue
        inside_only = str(pattern.pattern).rstrip().endswith("/**")
        if pattern.regex.search(relpath if inside_only else query):
            return bool(pattern.include)
    return False


def _rebase(line: str, base: str) -> Optional[str]:
    """A line of ``base/.gitignore`` as a pattern of the walk's root ignore file."""
    line = line.rstrip("\r")
    if not base:
        return line
    if not line.strip() or line.startswith("#"):
        return None
    negated = line.startswith("!")
    body = line[1:] if negated else line
    if not body.strip(" /"):
        return None
    # A slash anywhere but at the end anchors the pattern to its ignore file's folder;
    # otherwise it matches at any depth below that folder.
    anchored = "/" in body.rstrip(" ").rstrip("/")
    rebased = f"{base}/{body.lstrip('/')}" if anchored else f"{base}/**/{body}"
    return ("!" if negated else "") + rebased


def _describe(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _shown(path: str) -> str:
    """``path`` for a message: relative to the current folder when below it, with control
    characters and undecodable bytes escaped so a name cannot forge lines."""
    try:
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir):
            path = relative
    except ValueError:
        pass
    raw = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw)


def _special_kind(mode: int) -> Optional[str]:
    """What a file that is not a regular file is, for the notice; ``None`` when regular."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _run_git(folder: str, *args: str) -> Optional[Tuple[bytes, str]]:
    """``git ARGS`` in ``folder``, run as every git command of mllint is (see
    :func:`mllint.history.git_output`): stdout and stderr, or ``None`` when git is missing,
    cannot start there or fails."""
    try:
        return git_output(folder, *args)
    except GitError:
        return None


def _git_toplevel(folder: str) -> Optional[str]:
    """The real path of the work tree holding ``folder``; ``None`` outside git."""
    output = _run_git(folder, "rev-parse", "--show-toplevel")
    if output is None:
        return None
    top = os.fsdecode(output[0]).rstrip("\n")
    return os.path.realpath(top) if top else None


def _nul_separated(data: bytes) -> List[str]:
    return [os.fsdecode(item) for item in data.split(b"\0") if item]


@dataclass(frozen=True)
class _GitListing:
    """What git lists below a folder, relative to it."""

    files: Tuple[str, ...]
    folders: Tuple[str, ...]
    """Submodules and nested repositories: git lists each as one entry."""
    warnings: Tuple[str, ...]


def _git_listing(folder: str) -> Optional[_GitListing]:
    """Git's list of the files below ``folder`` that its ignore rules do not match: the
    tracked ones (as ruff and black do, a tracked file that an ignore rule matches is
    not linted) and the untracked ones."""
    tracked = _run_git(folder, "ls-files", "--cached", "--stage", "-z")
    untracked = _run_git(folder, "ls-files", "--others", "--exclude-standard", "-z")
    ignored = _run_git(folder, "ls-files", "--cached", "--ignored", "--exclude-standard", "-z")
    if tracked is None or untracked is None or ignored is None:
        return None
    hidden = set(_nul_separated(ignored[0]))
    files: Dict[str, None] = {}  # ordered and without the repeated stages of a conflict
    folders: Dict[str, None] = {}
    for record in _nul_separated(tracked[0]):
        meta, _, name = record.partition("\t")
        if name in hidden:
            continue
        if meta.split(" ", 1)[0] == _GIT_LINK_MODE:
            folders[name] = None
        else:
            files[name] = None
    for name in _nul_separated(untracked[0]):
        if name.endswith("/"):  # an untracked repository inside the work tree
            folders[name.rstrip("/")] = None
        else:
            files[name] = None
    warnings = [line.strip() for _, err in (tracked, untracked) for line in err.splitlines()]
    return _GitListing(tuple(files), tuple(folders), tuple(w for w in warnings if w))


@dataclass
class _Candidate:
    path: str
    key: Tuple[int, int]
    """Device and inode of the file itself (its target for a link): a file is linted once."""
    via_link: bool


@dataclass(frozen=True)
class _Nested:
    """A pyproject.toml with ``[tool.mllint]`` below the linted folder."""

    config: str
    exclude: Tuple[str, ...]


class _Discoverer:
    """One run of discovery: the files found so far and what was said about the rest."""

    def __init__(self, exclude: Sequence[str], settings_root: Path) -> None:
        self.exclude = tuple(exclude)
        self.settings_root = os.path.realpath(settings_root)
        self.candidates: List[_Candidate] = []
        self.missing: List[str] = []
        self.configs: Dict[str, str] = {}
        self.notices: Dict[str, None] = {}
        self.outside: List[str] = []
        self.visited: Set[Tuple[int, int]] = set()
        self._venv: Dict[str, bool] = {}
        self._nested: Dict[str, Optional[_Nested]] = {}
        self._toplevels: Dict[str, Optional[str]] = {}
        self._real: Dict[str, str] = {}
        self.costly(self.exclude, "the exclude setting")

    # -- what is said ---------------------------------------------------------------------

    def notice(self, message: str) -> None:
        self.notices[message] = None

    def costly(self, patterns: Sequence[str], where: str) -> None:
        """Say which of ``patterns`` are not applied because they cost too much to match."""
        for pattern in patterns:
            if _too_costly(pattern):
                self.notice(
                    f"{where}: {pattern.strip()!r} has more than {MAX_WILDCARDS} '*' "
                    "wildcards and is not applied"
                )

    def all_notices(self) -> Tuple[str, ...]:
        notices = list(self.notices)
        if self.outside:
            count = len(self.outside)
            named = ", ".join(_shown(p) for p in self.outside[:_LINKS_NAMED])
            more = ", ..." if count > _LINKS_NAMED else ""
            plural = "s" if count > 1 else ""
            notices.append(
                f"not following {count} symbolic link{plural} that lead{'' if plural else 's'}"
                f" outside the linted tree: {named}{more}"
            )
        return tuple(notices)

    # -- entry points ---------------------------------------------------------------------

    def named(self, raw: Path) -> None:
        """A path given on the command line: a file is linted whatever ignores it."""
        path = os.path.abspath(raw)
        try:
            info = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            self.missing.append(str(raw))
            return
        except OSError as exc:
            self.notice(f"{_shown(path)}: cannot read ({_describe(exc)}); skipped")
            return
        via_link = stat.S_ISLNK(info.st_mode)
        if via_link:
            # A link committed to a repository is the repository's: it may not lead out of
            # it. Outside git the command line is the user's own choice.
            top = self.toplevel(os.path.dirname(path))
            if top is not None and not _inside(os.path.realpath(path), top):
                self.outside.append(path)
                return
            try:
                info = os.stat(path)
            except FileNotFoundError:
                self.missing.append(str(raw))
                return
            except OSError as exc:
                self.notice(f"{_shown(path)}: cannot read ({_describe(exc)}); skipped")
                return
        if stat.S_ISDIR(info.st_mode):
            self.folder(path, path, self.walk_root(os.path.realpath(path)))
            return
        kind = _special_kind(info.st_mode)
        if kind is not None:
            self.notice(f"{_shown(path)}: {kind}, not a regular file; skipped")
            return
        self.candidates.append(_Candidate(path, (info.st_dev, info.st_ino), via_link))

    def toplevel(self, folder: str) -> Optional[str]:
        if folder not in self._toplevels:
            self._toplevels[folder] = _git_toplevel(folder)
        return self._toplevels[folder]

    def walk_root(self, real: str) -> str:
        """The linted tree around the real folder ``real``: no link may leave it."""
        top = self.toplevel(real)
        if top is not None:
            return top
        return _fallback_anchor(real, self.settings_root)

    # -- a folder -------------------------------------------------------------------------

    def folder(self, path: str, top: str, root: str) -> None:
        """The files below ``path`` (``top`` itself, or a submodule or nested repository
        below it), listed by git when ``path`` is in a work tree, else walked."""
        try:
            info = os.stat(path) if path == top else os.lstat(path)
        except OSError as exc:
            self.unreadable_folder(path, exc)
            return
        if not stat.S_ISDIR(info.st_mode) or (info.st_dev, info.st_ino) in self.visited:
            return  # a link to a folder is never followed
        self.visited.add((info.st_dev, info.st_ino))
        real = os.path.realpath(path)
        toplevel = self.toplevel(real)
        # A folder git lists as one entry but that is not a work tree of its own (a
        # submodule not checked out) would be listed by the superproject's git again.
        listing = None
        if toplevel is not None and (path == top or toplevel == real):
            listing = _git_listing(path)
        if listing is None:
            self.walk(path, top, root)
            return
        for warning in listing.warnings:
            folder = _GIT_UNREADABLE.match(warning)
            if folder is not None:  # the same words as a walk outside git would say
                self.unreadable_folder(os.path.join(path, folder[1]), folder[2])
            else:
                self.notice(f"git: {warning}")
        prefix = _parts_below(path, top)
        entries = [(prefix + tuple(n.split("/")), False) for n in listing.files]
        entries.extend((prefix + tuple(n.split("/")), True) for n in listing.folders)
        for parts, is_folder in sorted(entries):
            if is_folder:
                if not self.skipped_folder(top, parts):
                    self.folder(os.path.join(top, *parts), top, root)
            elif parts[-1].endswith(SOURCE_SUFFIXES) and not self.skipped_file(top, parts):
                self.file(os.path.join(top, *parts), top, parts, root)

    def walk(self, path: str, top: str, root: str) -> None:
        """The files below ``path`` without git, ``.gitignore`` files matched by pathspec."""
        self._walk(path, os.path.realpath(path), top, _IgnoreFiles(root, self))

    def _walk(self, path: str, real: str, top: str, ignores: _IgnoreFiles) -> None:
        try:
            with os.scandir(path) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self.unreadable_folder(path, exc)
            return
        prefix = _parts_below(path, top)
        for entry in entries:
            parts = (*prefix, entry.name)
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_folder:
                if self.skipped_folder(top, parts) or ignores.ignored(real, entry.name, True):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                key = (info.st_dev, info.st_ino)
                if key not in self.visited:
                    self.visited.add(key)
                    self._walk(entry.path, os.path.join(real, entry.name), top, ignores)
            elif (
                entry.name.endswith(SOURCE_SUFFIXES)
                and not ignores.ignored(real, entry.name, False)
                and not self.skipped_file(top, parts)
            ):
                self.file(entry.path, top, parts, ignores.root)

    # -- a file ---------------------------------------------------------------------------

    def file(self, path: str, top: str, parts: Tuple[str, ...], root: str) -> None:
        """A source file found below ``top``: kept unless it leads out or is no file."""
        try:
            info = os.lstat(path)
        except FileNotFoundError:  # tracked but deleted, or gone since listed
            return
        except OSError as exc:
            self.unreadable(top, parts, exc)
            return
        via_link = stat.S_ISLNK(info.st_mode)
        if via_link:
            target = os.path.realpath(path)
            below = os.path.relpath(target, root)
            if not _inside(target, root) or ".git" in below.split(os.sep):
                self.outside.append(path)
                return
            try:
                info = os.stat(path)
            except OSError:  # a dangling link
                return
        kind = _special_kind(info.st_mode)
        if kind is not None:
            if not (via_link and stat.S_ISDIR(info.st_mode)):  # folder links: never followed
                self.notice(f"{_shown(path)}: {kind}, not a regular file; skipped")
            return
        config = self.nested_config(top, parts)
        if config is not None:
            self.configs[path] = config
        self.candidates.append(_Candidate(path, (info.st_dev, info.st_ino), via_link))

    def unreadable(self, top: str, parts: Tuple[str, ...], error: OSError) -> None:
        """Name the folder that keeps a listed file from being read (once for all the files
        below it), or the file itself."""
        for depth in range(1, len(parts)):
            try:
                os.lstat(os.path.join(top, *parts[: depth + 1]))
            except PermissionError as exc:
                self.unreadable_folder(os.path.join(top, *parts[:depth]), exc)
                return
            except OSError:
                break
        self.notice(
            f"{_shown(os.path.join(top, *parts))}: cannot read ({_describe(error)}); skipped"
        )

    def unreadable_folder(self, path: str, error: Union[OSError, str]) -> None:
        reason = error if isinstance(error, str) else _describe(error)
        self.notice(f"{_shown(path)}: cannot read folder ({reason}); skipped")

    # -- what is skipped ------------------------------------------------------------------

    def skipped_folder(self, top: str, parts: Tuple[str, ...]) -> bool:
        """A folder never linted: version control, caches, builds, virtual environments,
        or excluded by a configuration."""
        if self.too_long(top, parts):
            return True
        name = parts[-1]
        if name in SKIPPED_DIRS or name.endswith(".egg-info"):
            return True
        if self.is_venv(os.path.join(top, *parts)):
            return True
        return self.excluded(top, parts, folder=True)

    def skipped_file(self, top: str, parts: Tuple[str, ...]) -> bool:
        """A file in a folder never linted (git lists them all), or excluded."""
        if self.too_long(top, parts):
            return True
        for depth in range(1, len(parts)):
            name = parts[depth - 1]
            if name in SKIPPED_DIRS or name.endswith(".egg-info"):
                return True
            if self.is_venv(os.path.join(top, *parts[:depth])):
                return True
        return self.excluded(top, parts, folder=False)

    def too_long(self, top: str, parts: Tuple[str, ...]) -> bool:
        """Whether a path is too long to match globs against (:data:`MAX_PATH_LENGTH`)."""
        if sum(len(part) + 1 for part in parts) <= MAX_PATH_LENGTH:
            return False
        self.notice(
            f"{_shown(os.path.join(top, *parts[:2]))}: a path below it is longer than "
            f"{MAX_PATH_LENGTH} characters; skipped"
        )
        return True

    def is_venv(self, folder: str) -> bool:
        """Virtual environments under any name carry a pyvenv.cfg."""
        known = self._venv.get(folder)
        if known is None:
            known = self._venv[folder] = os.path.lexists(os.path.join(folder, "pyvenv.cfg"))
        return known

    def excluded(self, top: str, parts: Tuple[str, ...], folder: bool) -> bool:
        """Whether the run's ``exclude`` globs, or a nested configuration's, match."""
        checks: List[Tuple[Tuple[str, ...], str]] = []
        if self.exclude:  # relative to the configuration's folder, a real path
            checks.append((self.exclude, os.path.join(self.real(top), *parts)))
        for depth in range(1, len(parts)):
            nested = self.nested_at(os.path.join(top, *parts[:depth]))
            if nested is not None and nested.exclude:
                checks.append((nested.exclude, os.path.join(*parts[depth:])))
        for patterns, path in checks:
            if os.path.isabs(path):
                if not _inside(path, self.settings_root):
                    continue
                path = os.path.relpath(path, self.settings_root)
            if _ignored(glob_spec(patterns), path.replace(os.sep, "/"), folder):
                return True
        return False

    def real(self, top: str) -> str:
        """The real path of a named folder (cached: every file below asks)."""
        known = self._real.get(top)
        if known is None:
            known = self._real[top] = os.path.realpath(top)
        return known

    def nested_at(self, folder: str) -> Optional[_Nested]:
        """The ``[tool.mllint]`` of ``folder/pyproject.toml``, a project inside the project."""
        if folder not in self._nested:
            found = config_in(Path(folder))
            nested = None
            if found is not None:
                settings = load_settings(found, Path(folder))
                nested = _Nested(str(found), settings.exclude)
                self.costly(settings.exclude, f"{_shown(str(found))}: exclude")
            self._nested[folder] = nested
        return self._nested[folder]

    def nested_config(self, top: str, parts: Tuple[str, ...]) -> Optional[str]:
        """The innermost nested configuration between ``top`` and the file."""
        for depth in range(len(parts) - 1, 0, -1):
            nested = self.nested_at(os.path.join(top, *parts[:depth]))
            if nested is not None:
                return nested.config
        return None

    # -- the result -----------------------------------------------------------------------

    def files(self) -> Tuple[Path, ...]:
        """Each file once: under its own name rather than a link's, else the first link's."""
        chosen: Dict[Tuple[int, int], int] = {}
        for index, candidate in enumerate(self.candidates):
            earlier = chosen.get(candidate.key)
            if earlier is None or (self.candidates[earlier].via_link and not candidate.via_link):
                chosen[candidate.key] = index
        kept = [self.candidates[index].path for index in sorted(chosen.values())]
        for path in set(self.configs) - set(kept):
            del self.configs[path]
        return tuple(Path(path) for path in kept)


def _parts_below(path: str, top: str) -> Tuple[str, ...]:
    """The components of ``path`` below ``top`` (which holds it)."""
    relative = os.path.relpath(path, top)
    return () if relative == os.curdir else tuple(relative.split(os.sep))


def _fallback_anchor(real: str, settings_root: str) -> str:
    """Where ignore files are anchored without git: the folder holding ``.git``, else the
    configuration's folder when ``real`` is below it, else ``real`` itself."""
    folder = real
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return settings_root if _inside(real, settings_root) else real


class _IgnoreFiles:
    """The ``.gitignore`` files of a walk without git, from its root down, as one spec."""

    def __init__(self, root: str, owner: _Discoverer) -> None:
        self.root = root
        self.owner = owner
        self._lines: Dict[str, Tuple[str, ...]] = {}
        self._specs: Dict[Tuple[str, ...], GitIgnoreSpec] = {}
        lines: List[str] = []
        info_exclude = os.path.join(root, ".git", "info", "exclude")
        if os.path.isfile(info_exclude):
            lines.extend(self.read(info_exclude, ""))
        self._root_lines = tuple(lines)

    def read(self, path: str, base: str) -> List[str]:
        """The patterns of one ignore file, rebased to the root; unreadable: none."""
        try:
            data = read_limited(Path(path), _IGNORE_FILE_LIMIT)
        except FileNotFoundError:
            return []
        except OSError as exc:
            self.owner.notice(
                f"{_shown(path)}: cannot read ignore file ({_describe(exc)}); "
                "its patterns are not applied"
            )
            return []
        text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
        lines = text.split("\n")
        self.owner.costly([line for line in lines if not line.startswith("#")], _shown(path))
        rebased = (_rebase(line, base) for line in lines)
        return [line for line in rebased if line is not None]

    def lines_at(self, folder: str) -> Tuple[str, ...]:
        """The patterns that hold in ``folder``: every ignore file from the root down."""
        known = self._lines.get(folder)
        if known is not None:
            return known
        if folder == self.root or not _inside(folder, self.root):
            lines = self._root_lines
            if folder == self.root:
                lines += tuple(self.read(os.path.join(folder, ".gitignore"), ""))
        else:
            base = os.path.relpath(folder, self.root).replace(os.sep, "/")
            own = self.read(os.path.join(folder, ".gitignore"), base)
            lines = self.lines_at(os.path.dirname(folder)) + tuple(own)
        self._lines[folder] = lines
        return lines

    def ignored(self, real_folder: str, name: str, folder: bool) -> bool:
        """Whether the ignore files ignore ``name`` in the (real, walked) ``real_folder``."""
        if not _inside(real_folder, self.root):
            return False
        lines = self.lines_at(real_folder)
        if not lines:
            return False
        spec = self._specs.get(lines)
        if spec is None:
            spec = self._specs[lines] = _compile(lines)
        relative = os.path.relpath(os.path.join(real_folder, name), self.root)
        return _ignored(spec, relative.replace(os.sep, "/"), folder)


def discover(paths: Sequence[Path], exclude: Sequence[str], settings_root: Path) -> Discovery:
    """Files under ``paths`` to lint, in a deterministic order, each once.

    Files named on the command line are always linted; files found below a folder are
    those git lists (tracked, or untracked and not ignored), or outside git those no
    ``.gitignore`` ignores, minus the ``exclude`` globs, virtual environments, caches and
    build folders. Symbolic links to folders are not followed; links to files are followed
    when they stay inside the linted tree (the git work tree, else the configuration's
    folder).
    """
    run = _Discoverer(exclude, settings_root)
    for raw in paths:
        run.named(raw)
    files = run.files()
    return Discovery(
        files=files,
        missing=tuple(run.missing),
        configs=run.configs,
        notices=run.all_notices(),
    )
