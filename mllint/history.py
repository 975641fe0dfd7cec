"""Git history at the edge of the pipeline: when a flag was introduced, when lines last changed.

Everything here runs the git command and nothing else does. It is built to stay cheap on
large histories:

- *last modified*: one ``git blame --porcelain`` per file that has findings, with all of that
  file's line ranges batched as repeated ``-L`` options; results cached per (path, blob id);
- *introduced*: one ``git log -p --reverse`` over the whole history for all flags together,
  restricted by git itself (``-G``) to commits whose diff touches one of the flag names, and
  scanned for the oldest added line that defines each flag.

The repository is as untrusted as the code in it. Git runs through :func:`run_git` only: no
system configuration, no hooks, fsmonitor, textconv, external diff or transport, no prompt,
no lock, stdin closed, a time limit; a file in a work tree that differs from ``HEAD`` is
blamed from the bytes mllint read, with the clean filter its attributes name turned off.

Each file is asked about in the repository that owns it (a submodule's files in the
submodule). No git, no repository, a file git does not track: no ages, never an error.
Uncommitted lines have age 0. When git cannot answer (missing objects, a corrupt index...)
the age is absent, never 0. In a shallow clone an age that reaches the shallow boundary is a
lower bound.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union

from mllint.cache import Store
from mllint.safeio import read_limited

UNCOMMITTED = "0" * 40


@dataclass(frozen=True)
class Commit:
    """A commit as far as ages are concerned."""

    sha: str
    timestamp: int
    """Author time, seconds since the epoch."""
    date: str
    """Author date, ISO 8601 with the author's offset."""
    boundary: bool = False
    """The commit sits at the shallow boundary: the real origin may be older."""

    @property
    def uncommitted(self) -> bool:
        """Whether this stands for changes not committed yet."""
        return self.sha == UNCOMMITTED

    def to_json(self) -> List[object]:
        """Compact JSON form for the cache."""
        return [self.sha, self.timestamp, self.date, self.boundary]

    @classmethod
    def from_json(cls, data: Sequence[object]) -> Commit:
        """Inverse of :meth:`to_json`."""
        return cls(str(data[0]), int(data[1]), str(data[2]), bool(data[3]))  # type: ignore[call-overload]


def uncommitted_now(now: datetime) -> Commit:
    """The pseudo-commit of lines that are not committed yet: age 0."""
    return Commit(UNCOMMITTED, int(now.timestamp()), now.isoformat(timespec="seconds"))


@dataclass(frozen=True)
class Probe:
    """What the definition of one flag looks like in an added line of a diff."""

    key: str
    path: str
    """The file (relative to the work tree) that defines the flag, or first reads it."""
    literals: Tuple[str, ...]
    """Strings of which every defining line contains one (git pre-filters commits by them)."""
    pattern: str
    """Python regex an added line must match to count as the definition."""


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what ``git hash-object`` prints)."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


GIT_TIMEOUT = 300.0
"""Seconds after which a git command is stopped and counts as failed (a hang guard: after
one, mllint asks that repository nothing more)."""

_READ_FILE_SETTINGS = r"^(blame\.ignorerevsfile|core\.attributesfile)$"
"""Settings that name a file git reads for blame and log: a FIFO there hangs it, ``/dev/zero``
exhausts its memory."""

_SAFE_CONFIG = (
    "core.quotepath=off",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "diff.external=",
    "log.showSignature=false",
    "protocol.allow=never",
)
"""Configuration that overrides the repository's: nothing it names runs."""

_SAFE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "LANGUAGE": "C",
}
_DROPPED_ENV = (
    "GIT_EXTERNAL_DIFF",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    # these point git at another repository than the folder's own (a hook's)
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
)


class GitError(Exception):
    """Git could not answer: not installed, failed, timed out."""


class GitTimeout(GitError):
    """Git did not finish within :data:`GIT_TIMEOUT`."""


def git_executable() -> Optional[str]:
    """The absolute path of git, looked up in the absolute folders of ``PATH`` only.

    A bare ``git`` would do on Linux, but Windows looks in the working folder first (and git
    runs with the linted repository as its working folder, where a ``git.exe`` could be
    planted); ``shutil.which`` does the same before Python 3.12. So the search is by hand.
    """
    names = ("git.exe", "git") if os.name == "nt" else ("git",)
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not folder or not os.path.isabs(folder):
            continue
        for name in names:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def git_command(args: Sequence[str], config: Sequence[str] = ()) -> List[str]:
    """The command line that runs ``git ARGS`` with the repository's command hooks off
    (``config`` adds ``-c`` settings). Raises :class:`GitError` without a git on ``PATH``."""
    executable = git_executable()
    if executable is None:
        raise GitError("git is not installed (not found on PATH)")
    options: List[str] = ["--no-pager"]
    for setting in (*_SAFE_CONFIG, *config):
        options += ["-c", setting]
    return [executable, *options, *args]


def git_environment() -> Dict[str, str]:
    """The environment git runs in: no system configuration, prompt, optional lock or lazy
    fetch; the caller's own git settings otherwise kept."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(_SAFE_ENV)
    return env


def git_output(
    cwd: Union[str, Path],
    *args: str,
    data: Optional[bytes] = None,
    config: Sequence[str] = (),
    timeout: Optional[float] = None,
) -> Tuple[bytes, str]:
    """What ``git ARGS`` run in ``cwd`` (see :func:`git_command`) printed: its raw standard
    output and its standard error (git's warnings). ``data`` goes to its stdin (else none);
    it is stopped after ``timeout`` (default :data:`GIT_TIMEOUT`) seconds. Raises
    :class:`GitError` on any failure."""
    timeout = GIT_TIMEOUT if timeout is None else timeout
    try:
        done = subprocess.run(
            git_command(args, config),
            cwd=cwd,
            env=git_environment(),
            input=data,
            stdin=None if data is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitTimeout(f"git {args[0] if args else ''}: no answer in {timeout:.0f} s") from None
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0] if args else ''}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[-1] if message else done.returncode}")
    return done.stdout, os.fsdecode(done.stderr)


def run_git(
    cwd: Path,
    *args: str,
    data: Optional[bytes] = None,
    config: Sequence[str] = (),
    timeout: Optional[float] = None,
) -> str:
    """The output of ``git ARGS`` as text (see :func:`git_output`)."""
    stdout, _ = git_output(cwd, *args, data=data, config=config, timeout=timeout)
    return stdout.decode("utf-8", "surrogateescape")


def tracks_files_under(root: Path, name: str) -> bool:
    """Whether the git repository around ``root`` tracks a file under ``root/name``."""
    try:
        return bool(run_git(root, "ls-files", "-z", "--", f":(literal){name}"))
    except GitError:
        return False


class Repository:
    """A git work tree around the linted files."""

    def __init__(self, root: Path, shallow_file: Path, cache: Optional[Store] = None) -> None:
        self.root = root
        self._shallow_file = shallow_file
        self._store = cache
        self._shallow: Optional[Set[str]] = None
        self._head_blobs: Optional[Dict[str, str]] = None
        self._head_failed = False
        self._root_commits: Optional[Set[str]] = None
        self._owners: Dict[Path, Optional[Repository]] = {}
        self._found: Dict[Path, Optional[Repository]] = {}
        self._hung = False
        self._safe_reads: Optional[bool] = None

    @classmethod
    def find(cls, path: Path, cache_dir: Union[Path, Store, None] = None) -> Optional[Repository]:
        """The repository holding ``path``; ``None`` outside git, without a git binary or
        without a commit. Cache entries go to the store ``cache_dir`` (a folder: see
        :meth:`Store.at`)."""
        store = Store.at(cache_dir) if isinstance(cache_dir, Path) else cache_dir
        return cls._find(Path(path), store)

    @classmethod
    def _find(cls, path: Path, store: Optional[Store]) -> Optional[Repository]:
        try:
            start = path if path.is_dir() else path.parent
            # fails without a commit (no history to read)
            out = run_git(
                start,
                "rev-parse",
                "--show-toplevel",
                "--git-path",
                "shallow",
                "-q",
                "--verify",
                "HEAD",
            )
        except (GitError, OSError):
            return None
        rows = out.split("\n")
        if len(rows) < 3 or not rows[0]:
            return None
        root = Path(os.path.realpath(rows[0]))
        return cls(root, start / rows[1], store)

    # -- plumbing -----------------------------------------------------------------------

    def _git(self, *args: str, data: Optional[bytes] = None, config: Sequence[str] = ()) -> str:
        if self._hung:
            raise GitError("git timed out in this repository before")
        try:
            return run_git(self.root, *args, data=data, config=config)
        except GitTimeout:
            self._hung = True
            raise

    def _named_files_safe(self) -> bool:
        """Whether the files the configuration makes ``git blame`` and ``git log`` read are
        regular files of a sane size (or absent: git reports those itself)."""
        if self._safe_reads is None:
            try:
                out = self._git("config", "-z", "--path", "--get-regexp", _READ_FILE_SETTINGS)
            except GitError:  # none set (or no answer: blame will not get one either)
                out = ""
            safe = True
            for record in filter(None, out.split("\0")):
                _, _, value = record.partition("\n")
                try:
                    info = os.stat(self.root / value) if value else None
                except OSError:
                    continue
                if info is not None and (not stat.S_ISREG(info.st_mode) or info.st_size > 64 << 20):
                    safe = False
            self._safe_reads = safe
        return self._safe_reads

    def relative(self, path: Path) -> Optional[str]:
        """``path`` relative to the work tree, ``/``-separated; ``None`` when outside."""
        try:
            return Path(os.path.realpath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return None

    @property
    def shallow_boundary(self) -> Set[str]:
        """Commits at the shallow boundary (empty for a full clone)."""
        if self._shallow is None:
            try:
                text = read_limited(self._shallow_file, 64 << 20).decode("ascii", "replace")
                self._shallow = set(text.split())
            except OSError:
                self._shallow = set()
        return self._shallow

    def head(self) -> Optional[str]:
        """The commit checked out; ``None`` when git cannot tell."""
        try:
            return self._git("rev-parse", "-q", "--verify", "HEAD").strip() or None
        except GitError:
            return None

    def branch(self) -> Optional[str]:
        """The branch checked out; ``None`` on a detached HEAD."""
        try:
            return self._git("symbolic-ref", "-q", "--short", "HEAD").strip() or None
        except GitError:
            return None

    def remote_url(self) -> Optional[str]:
        """The URL of the ``origin`` remote, else of the first remote; ``None`` without one."""
        try:
            remotes = self._git("remote").split()
            if not remotes:
                return None
            name = "origin" if "origin" in remotes else remotes[0]
            return self._git("remote", "get-url", name).strip() or None
        except GitError:
            return None

    def head_blobs(self) -> Optional[Dict[str, str]]:
        """Blob id of every file in HEAD, by path (one ``git ls-tree`` for the run); ``None``
        when git cannot list HEAD (missing objects)."""
        if self._head_blobs is None and not self._head_failed:
            try:
                out = self._git("ls-tree", "-r", "-z", "--full-tree", "HEAD")
            except GitError:
                self._head_failed = True
                return None
            blobs: Dict[str, str] = {}
            for entry in out.split("\0"):
                if "\t" not in entry:
                    continue
                meta, name = entry.split("\t", 1)
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    blobs[name] = parts[2]
            self._head_blobs = blobs
        return self._head_blobs

    def owner(self, path: Path) -> Optional[Repository]:
        """The repository that owns ``path``: this one, a submodule or a repository nested in
        this work tree (found by its ``.git``), ``None`` when that one is unusable."""
        folder = Path(os.path.realpath(path)).parent
        seen: List[Path] = []
        found: Optional[Repository] = self
        while folder != self.root and self.root in folder.parents:
            if folder in self._owners:
                found = self._owners[folder]
                break
            seen.append(folder)
            if os.path.lexists(folder / ".git"):
                found = self._nested(folder)
                break
            folder = folder.parent
        for visited in seen:
            self._owners[visited] = found
        return found

    def _nested(self, folder: Path) -> Optional[Repository]:
        if folder not in self._found:
            nested = Repository._find(folder, self._store)
            self._found[folder] = nested if nested is not None and nested.root == folder else None
        return self._found[folder]

    def _clean_filter_off(self, relative: str) -> Optional[List[str]]:
        """Settings that turn off the filter driver the attributes give ``relative`` (git
        applies its clean command to the bytes it blames); ``None`` when git cannot say."""
        try:
            out = self._git("check-attr", "-z", "filter", "--", relative)
        except GitError:
            return None
        fields = out.split("\0")
        driver = fields[2] if len(fields) >= 3 else "unspecified"
        if driver in ("unspecified", "unset", "set"):
            return []
        if not driver or any(c in driver for c in "=\n\r\0"):
            return None
        return [f"filter.{driver}.{key}=" for key in ("clean", "smudge", "process")] + [
            f"filter.{driver}.required=false"
        ]

    # -- last modified ------------------------------------------------------------------

    def blame(
        self, path: Path, ranges: Iterable[Tuple[int, int]], now: datetime
    ) -> Dict[int, Commit]:
        """The commit that last changed each line in ``ranges`` (1-based, inclusive).

        Lines changed in the work tree map to an uncommitted pseudo-commit (age 0); a file git
        does not track gives every line that pseudo-commit. A file of a submodule is blamed in
        the submodule. Lines git cannot answer about are left out.
        """
        wanted = sorted(set(ranges))
        relative = self.relative(path)
        blobs = self.head_blobs()
        if not wanted or relative is None or blobs is None:
            return {}
        if relative not in blobs:
            owner = self.owner(path)
            if owner is not self:
                return {} if owner is None else owner.blame(path, wanted, now)
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        line_count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        wanted = [(max(1, a), min(b, line_count)) for a, b in wanted if a <= line_count]
        if relative not in blobs:
            fresh = uncommitted_now(now)
            return {line: fresh for a, b in wanted for line in range(a, b + 1)}
        clean = blobs[relative] == blob_id(data)
        where = blob_id(
            str(self.root).encode("utf-8", "surrogateescape")
            + b"\0"
            + relative.encode("utf-8", "surrogateescape")
        )
        cache_key = f"blame-{where}-{blob_id(data)}"
        cached = self._cache_read(cache_key) if clean else None
        lines: Dict[int, Commit] = {}
        if cached is not None:
            lines = _commits(cached, digits=True)
        missing = [(a, b) for a, b in wanted if any(n not in lines for n in range(a, b + 1))]
        if missing:
            found = self._blame(relative, missing, data, clean, now)
            if found is None:
                return {}
            lines.update(found)
            if clean:
                self._cache_write(cache_key, {str(k): v.to_json() for k, v in lines.items()})
        return lines

    def _blame(
        self,
        relative: str,
        ranges: Sequence[Tuple[int, int]],
        data: bytes,
        clean: bool,
        now: datetime,
    ) -> Optional[Dict[int, Commit]]:
        """``git blame`` of the committed file, or of ``data`` for a changed one."""
        if not self._named_files_safe():
            return None
        args = ["blame", "--porcelain", "--no-textconv"]
        for a, b in _merge(ranges):
            args += ["-L", f"{a},{b}"]
        try:
            if clean:  # git reads the committed blob, never the work tree
                out = self._git(*args, "HEAD", "--", relative)
            else:
                config = self._clean_filter_off(relative)
                if config is None:
                    return None
                out = self._git(*args, "--contents", "-", "--", relative, data=data, config=config)
            return self._parse_blame(out, now)
        except (GitError, ValueError, IndexError):
            return None

    def _parse_blame(self, out: str, now: datetime) -> Dict[int, Commit]:
        commits: Dict[str, Dict[str, str]] = {}
        found: Dict[int, str] = {}
        current: Optional[str] = None
        for row in out.split("\n"):
            if not row or row.startswith("\t"):
                continue
            head = row.split(" ")
            if len(head[0]) == 40 and len(head) >= 3 and head[1].isdigit() and head[2].isdigit():
                current = head[0]
                commits.setdefault(current, {})
                found[int(head[2])] = current
                continue
            if current is None:
                continue
            key, _, value = row.partition(" ")
            if key in ("author-time", "author-tz", "boundary"):
                commits[current][key] = value or "1"
        result: Dict[int, Commit] = {}
        for line, sha in found.items():
            if sha == UNCOMMITTED:
                result[line] = uncommitted_now(now)
                continue
            meta = commits.get(sha, {})
            if "author-time" not in meta:
                continue
            timestamp = int(meta["author-time"])
            boundary = "boundary" in meta and sha in self.shallow_boundary
            result[line] = Commit(
                sha, timestamp, _iso(timestamp, meta.get("author-tz", "+0000")), boundary
            )
        return result

    # -- introduced ---------------------------------------------------------------------

    def introductions(self, probes: Sequence[Probe]) -> Dict[str, Optional[Commit]]:
        """For each probe, the oldest commit whose diff adds a line matching it; ``None``
        when git could not answer, no entry when no commit adds such a line.

        Each probe is asked in the repository that owns its file (see :meth:`owner`).
        """
        if not probes:
            return {}
        mine: List[Probe] = []
        theirs: Dict[int, Tuple[Repository, List[Probe]]] = {}
        found: Dict[str, Optional[Commit]] = {}
        blobs = self.head_blobs()
        for probe in probes:
            if not probe.path or (blobs is not None and probe.path in blobs):
                mine.append(probe)
                continue
            owner = self.owner(self.root / probe.path)
            relative = None if owner is None else owner.relative(self.root / probe.path)
            if owner is None or relative is None:
                found[probe.key] = None
            elif owner is self:
                mine.append(probe)
            else:
                moved = Probe(probe.key, relative, probe.literals, probe.pattern)
                theirs.setdefault(id(owner), (owner, []))[1].append(moved)
        if mine:
            found.update(self._introductions(mine))
        for owner, owned in theirs.values():
            found.update(owner._introductions(owned))
        return found

    def _introductions(self, probes: Sequence[Probe]) -> Dict[str, Optional[Commit]]:
        """:meth:`introductions` in this repository.

        First the history of each file that holds definitions (``git log --follow``, all of a
        file's flags at once, files in parallel). A flag first seen in the commit that created
        its file (and that was not the repository's first commit) may have moved there from
        another file: those few are looked up once more across the whole history, with git
        narrowing the commits down by their names (``-G``).
        """
        head = self.head()
        if head is None:
            return {p.key: None for p in probes}
        cache_key = (
            "intro-"
            + hashlib.sha256(
                json.dumps(
                    [
                        str(self.root),
                        head,
                        [(p.key, p.literals, p.pattern, p.path) for p in probes],
                    ]
                ).encode("utf-8", "surrogateescape")
            ).hexdigest()[:32]
        )
        cached = self._cache_read(cache_key)
        if cached is not None:
            return dict(_commits(cached, digits=False))
        by_file: Dict[str, List[Probe]] = {}
        for probe in probes:
            by_file.setdefault(probe.path, []).append(probe)
        found: Dict[str, Optional[Commit]] = {}
        suspects: List[Probe] = []
        failed: List[Probe] = []

        def one_file(path: str) -> Tuple[Dict[str, Commit], List[Probe], bool]:
            file_probes = by_file[path]
            history = self._log(["--follow", "--", path]) if path else []
            if history is None:
                return {}, file_probes, False
            hits = _scan(history, file_probes)
            created = history[0][0] if history else None
            doubtful = [
                p
                for p in file_probes
                if p.key not in hits
                or (
                    created is not None
                    and hits[p.key] == created
                    and created.sha not in self._roots()
                )
            ]
            return hits, doubtful, True

        with concurrent.futures.ThreadPoolExecutor(min(8, len(by_file))) as pool:
            for hits, doubtful, answered in pool.map(one_file, sorted(by_file)):
                found.update(hits)
                (suspects if answered else failed).extend(doubtful)
        if suspects:
            names = sorted({literal for p in suspects for literal in p.literals})
            prefilter = "|".join(_ere_escape(n) for n in names)
            wide = self._log(["-E", f"-G{prefilter}", "--"])
            if wide is None:
                failed.extend(suspects)
            else:
                for key, commit in _scan(wide, suspects).items():
                    known = found.get(key)
                    if known is None or commit.timestamp < known.timestamp:
                        found[key] = commit
        for probe in failed:
            found[probe.key] = None
        if not failed:
            self._cache_write(
                cache_key, {k: v.to_json() for k, v in found.items() if v is not None}
            )
        return found

    def _roots(self) -> Set[str]:
        if self._root_commits is None:
            try:
                self._root_commits = set(self._git("rev-list", "--max-parents=0", "HEAD").split())
            except GitError:
                self._root_commits = set()
        return self._root_commits

    def _log(self, args: List[str]) -> Optional[List[Tuple[Commit, List[str]]]]:
        """Commits (oldest first) with the lines their diffs add, for ``git log ARGS``;
        ``None`` when git fails."""
        if not self._named_files_safe():
            return None
        try:
            out = self._git(
                "log",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--no-show-signature",
                "--submodule=short",
                "-p",
                "--unified=0",
                "--format=%x00%H %at %ai",
                "HEAD",
                *args,
            )
            commits: List[Tuple[Commit, List[str]]] = []
            for record in out.split("\0")[1:]:
                header, _, body = record.partition("\n")
                sha, timestamp, date = header.split(" ", 2)
                commit = Commit(
                    sha, int(timestamp), _iso_from_git(date), sha in self.shallow_boundary
                )
                added = [
                    row[1:]
                    for row in body.split("\n")
                    if row.startswith("+") and not row.startswith("+++")
                ]
                commits.append((commit, added))
        except (GitError, ValueError):
            return None
        commits.reverse()
        return commits

    # -- cache ----------------------------------------------------------------------------

    def _cache_read(self, key: str) -> Optional[Dict[str, Any]]:
        if self._store is None:
            return None
        payload = self._store.read((), f"{key}.json")
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _cache_write(self, key: str, value: Mapping[str, object]) -> None:
        if self._store is not None:
            self._store.write((), f"{key}.json", json.dumps(value).encode())


def _commit_from_json(data: object) -> Optional[Commit]:
    """A cached commit, checked: anything of another shape is ``None``."""
    if not (isinstance(data, list) and len(data) == 4):
        return None
    sha, timestamp, date, boundary = data
    if not (
        isinstance(sha, str)
        and len(sha) == 40
        and all(c in "0123456789abcdef" for c in sha)
        and isinstance(timestamp, int)
        and not isinstance(timestamp, bool)
        and isinstance(date, str)
        and isinstance(boundary, bool)
    ):
        return None
    return Commit(sha, timestamp, date, boundary)


def _commits(data: Mapping[str, Any], digits: bool) -> Dict[Any, Commit]:
    """A cached ``{key: commit}`` map; entries of the wrong shape are dropped (misses)."""
    out: Dict[Any, Commit] = {}
    for key, value in data.items():
        commit = _commit_from_json(value)
        if commit is None:
            continue
        if digits:
            if not (isinstance(key, str) and key.isdigit()):
                continue
            out[int(key)] = commit
        else:
            out[key] = commit
    return out


def _merge(ranges: Sequence[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _ere_escape(text: str) -> str:
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


def _iso(timestamp: int, tz: str) -> str:
    sign = -1 if tz.startswith("-") else 1
    try:
        offset = sign * (int(tz[1:3]) * 3600 + int(tz[3:5]) * 60)
    except ValueError:
        offset = 0
    moment = datetime.fromtimestamp(timestamp, timezone(timedelta(seconds=offset)))
    return moment.isoformat(timespec="seconds")


def _iso_from_git(date: str) -> str:
    # "2024-01-02 03:04:05 +0100" -> "2024-01-02T03:04:05+01:00"
    parts = date.split()
    if len(parts) != 3:
        return date
    return f"{parts[0]}T{parts[1]}{parts[2][:3]}:{parts[2][3:]}"


def age_days(commit: Commit, now: datetime) -> int:
    """Whole days from ``commit`` to ``now`` (0 for uncommitted work)."""
    if commit.uncommitted:
        return 0
    return max(0, int((now.timestamp() - commit.timestamp) // 86400))


def _scan(
    history: Sequence[Tuple[Commit, List[str]]], probes: Sequence[Probe]
) -> Dict[str, Commit]:
    """The first commit in ``history`` that adds a line matching each probe."""
    if not probes:
        return {}
    by_literal: Dict[str, List[Tuple[Probe, re.Pattern[str]]]] = {}
    for probe in probes:
        regex = re.compile(probe.pattern)
        for literal in probe.literals:
            by_literal.setdefault(literal, []).append((probe, regex))
    finder = re.compile("|".join(re.escape(n) for n in sorted(by_literal, key=len, reverse=True)))
    found: Dict[str, Commit] = {}
    for commit, added in history:
        for line in added:
            for literal in set(finder.findall(line)):
                for probe, regex in by_literal[literal]:
                    if probe.key not in found and regex.search(line):
                        found[probe.key] = commit
        if len(found) == len(probes):
            break
    return found


# -- past commits, their trees and blobs (the debt report's trend) --------------------------
# Nothing here checks anything out: trees are listed and blobs read from the object store.


@dataclass(frozen=True)
class TreeEntry:
    """A regular file of a commit's tree."""

    path: str
    """Relative to the work tree, ``/``-separated."""
    blob: str
    size: int


def first_parent_commits(
    repo: Repository, revisions: str = "HEAD", since: Optional[int] = None
) -> List[Commit]:
    """The commits of ``revisions`` (``HEAD``, ``A..B``) along first parents, oldest first,
    dated by committer time; ``since``: only those committed at or after that epoch second.
    Raises :class:`GitError` when git cannot list them (an unknown revision)."""
    if not revisions or revisions.startswith("-"):
        raise GitError(f"not a revision: {revisions!r}")
    args = ["rev-list", "--first-parent", "--timestamp"]
    if since is not None:
        args.append(f"--since={since}")
    out = repo._git(*args, revisions, "--")
    commits: List[Commit] = []
    for row in out.split("\n"):
        parts = row.split()
        if len(parts) != 2 or not parts[0].isdigit():
            continue
        stamp = int(parts[0])
        moment = datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")
        commits.append(Commit(parts[1], stamp, moment, parts[1] in repo.shallow_boundary))
    commits.reverse()
    return commits


def resolve_commit(repo: Repository, revision: str) -> Optional[str]:
    """The commit ``revision`` names; ``None`` when it names none."""
    if not revision or revision.startswith("-"):
        return None
    try:
        out = repo._git("rev-parse", "-q", "--verify", "--end-of-options", revision + "^{commit}")
    except GitError:
        return None
    return out.strip() or None


def tree_entries(repo: Repository, commit: str) -> List[TreeEntry]:
    """Every regular file of ``commit``'s tree (links and submodules left out), from one
    ``git ls-tree``. Raises :class:`GitError` when git cannot list it."""
    out = repo._git("ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    entries: List[TreeEntry] = []
    for record in out.split("\0"):
        meta, tab, path = record.partition("\t")
        parts = meta.split()
        if not tab or len(parts) != 4 or parts[1] != "blob" or parts[0] not in ("100644", "100755"):
            continue
        try:
            entries.append(TreeEntry(path, parts[2], int(parts[3])))
        except ValueError:
            continue
    return entries


_BATCH_BYTES = 32 << 20
"""Bytes of blobs asked for in one ``git cat-file --batch``."""


def read_blobs(repo: Repository, entries: Sequence[TreeEntry]) -> Dict[str, bytes]:
    """The content of each entry's blob, by blob id (``git cat-file --batch``, a few tens of
    MB at a time; the caller bounds each blob's size through :attr:`TreeEntry.size`).
    A blob git cannot give is left out."""
    found: Dict[str, bytes] = {}
    wanted: List[TreeEntry] = []
    seen: Set[str] = set()
    for entry in entries:
        if entry.blob not in seen and re.fullmatch(r"[0-9a-f]{40,64}", entry.blob):
            seen.add(entry.blob)
            wanted.append(entry)
    start = 0
    while start < len(wanted):
        batch: List[str] = []
        size = 0
        while start < len(wanted) and (not batch or size + wanted[start].size <= _BATCH_BYTES):
            batch.append(wanted[start].blob)
            size += wanted[start].size
            start += 1
        try:
            out = repo._git("cat-file", "--batch", data=("\n".join(batch) + "\n").encode())
        except GitError:
            continue
        found.update(_batch_contents(out.encode("utf-8", "surrogateescape")))
    return found


def _batch_contents(out: bytes) -> Dict[str, bytes]:
    """Parse ``git cat-file --batch`` output: ``<id> blob <size>\\n<content>\\n`` records
    (``<id> missing`` for an object git does not have)."""
    found: Dict[str, bytes] = {}
    at = 0
    while at < len(out):
        end = out.find(b"\n", at)
        if end < 0:
            break
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3:
            continue
        try:
            size = int(header[2])
        except ValueError:
            break
        if header[1] == b"blob":
            found[header[0].decode("ascii", "replace")] = out[at : at + size]
        at += size + 1
    return found
