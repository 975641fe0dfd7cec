"""Git history at the edge of the pipeline: when a flag was introduced, when lines last changed.

Everything here runs the git command (through GitPython) and nothing else does. It is built
to stay cheap on large histories:

- *last modified*: one ``git blame --porcelain`` per file that has findings, with all of that
  file's line ranges batched as repeated ``-L`` options; results cached per (path, blob id);
- *introduced*: one ``git log -p --reverse`` over the whole history for all flags together,
  restricted by git itself (``-G``) to commits whose diff touches one of the flag names, and
  scanned for the oldest added line that defines each flag.

No git, no repository, a file git does not track: no ages, never an error. Uncommitted lines
have age 0. In a shallow clone an age that reaches the shallow boundary is a lower bound.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # no git on PATH must not break import

import git

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


class Repository:
    """A git work tree around the linted files."""

    def __init__(self, repo: git.Repo, cache_dir: Optional[Path] = None) -> None:
        self._repo = repo
        self.root = Path(repo.working_tree_dir or ".").resolve()
        self._cache_dir = cache_dir
        self._shallow: Optional[Set[str]] = None
        self._head_blobs: Optional[Dict[str, str]] = None
        self._root_commits: Optional[Set[str]] = None

    @classmethod
    def find(cls, path: Path, cache_dir: Optional[Path] = None) -> Optional[Repository]:
        """The repository holding ``path``; ``None`` outside git or without a git binary."""
        try:
            repo = git.Repo(path, search_parent_directories=True)
            if repo.bare or repo.working_tree_dir is None:
                return None
            repo.git.rev_parse("--verify", "HEAD")  # an empty repository has no history
            return cls(repo, cache_dir)
        except (git.exc.GitError, OSError, ValueError):
            return None

    # -- plumbing -----------------------------------------------------------------------

    def _git(self, *args: str) -> str:
        return str(
            self._repo.git.execute(
                ["git", "-c", "core.quotepath=off", *args],
                stdout_as_string=True,
                strip_newline_in_stdout=False,
            )
        )

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
            shallow_file = Path(self._repo.git_dir) / "shallow"
            try:
                self._shallow = set(shallow_file.read_text().split())
            except OSError:
                self._shallow = set()
        return self._shallow

    def head(self) -> str:
        """The commit checked out."""
        return self._git("rev-parse", "HEAD").strip()

    def branch(self) -> Optional[str]:
        """The branch checked out; ``None`` on a detached HEAD."""
        try:
            return self._git("symbolic-ref", "-q", "--short", "HEAD").strip() or None
        except git.exc.GitError:
            return None

    def remote_url(self) -> Optional[str]:
        """The URL of the ``origin`` remote, else of the first remote; ``None`` without one."""
        try:
            remotes = self._git("remote").split()
            if not remotes:
                return None
            name = "origin" if "origin" in remotes else remotes[0]
            return self._git("remote", "get-url", name).strip() or None
        except git.exc.GitError:
            return None

    def head_blobs(self) -> Dict[str, str]:
        """Blob id of every file in HEAD, by path (one ``git ls-tree`` for the run)."""
        if self._head_blobs is None:
            blobs: Dict[str, str] = {}
            out = self._git("ls-tree", "-r", "-z", "--full-tree", "HEAD")
            for entry in out.split("\0"):
                if "\t" not in entry:
                    continue
                meta, name = entry.split("\t", 1)
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    blobs[name] = parts[2]
            self._head_blobs = blobs
        return self._head_blobs

    # -- last modified ------------------------------------------------------------------

    def blame(
        self, path: Path, ranges: Iterable[Tuple[int, int]], now: datetime
    ) -> Dict[int, Commit]:
        """The commit that last changed each line in ``ranges`` (1-based, inclusive).

        Lines changed in the work tree map to an uncommitted pseudo-commit (age 0); a file git
        does not track gives every line that pseudo-commit.
        """
        wanted = sorted(set(ranges))
        relative = self.relative(path)
        if not wanted or relative is None:
            return {}
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        line_count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        wanted = [(max(1, a), min(b, line_count)) for a, b in wanted if a <= line_count]
        clean = self.head_blobs().get(relative) == blob_id(data)
        if relative not in self.head_blobs():
            fresh = uncommitted_now(now)
            return {line: fresh for a, b in wanted for line in range(a, b + 1)}
        cache_key = f"blame-{blob_id(relative.encode())}-{blob_id(data)}"
        cached = self._cache_read(cache_key) if clean else None
        lines: Dict[int, Commit] = {}
        if cached is not None:
            lines = {int(k): Commit.from_json(v) for k, v in cached.items()}
        missing = [(a, b) for a, b in wanted if any(n not in lines for n in range(a, b + 1))]
        if missing:
            args = ["blame", "--porcelain"]
            for a, b in _merge(missing):
                args += ["-L", f"{a},{b}"]
            try:
                out = self._git(*args, "--", relative)
            except git.exc.GitCommandError:
                fresh = uncommitted_now(now)
                return {line: fresh for a, b in wanted for line in range(a, b + 1)}
            lines.update(self._parse_blame(out, now))
            if clean:
                self._cache_write(cache_key, {str(k): v.to_json() for k, v in lines.items()})
        return lines

    def _parse_blame(self, out: str, now: datetime) -> Dict[int, Commit]:
        commits: Dict[str, Dict[str, str]] = {}
        found: Dict[int, Commit] = {}
        current: Optional[str] = None
        final_line = 0
        for row in out.split("\n"):
            if not row:
                continue
            if row.startswith("\t"):
                continue
            head = row.split(" ")
            if len(head[0]) == 40 and len(head) >= 3 and head[1].isdigit() and head[2].isdigit():
                current = head[0]
                final_line = int(head[2])
                commits.setdefault(current, {})
                found[final_line] = Commit(current, 0, "")  # filled below
                continue
            if current is None:
                continue
            key, _, value = row.partition(" ")
            if key in ("author-time", "author-tz", "boundary"):
                commits[current][key] = value or "1"
        result: Dict[int, Commit] = {}
        for line, stub in found.items():
            meta = commits.get(stub.sha, {})
            if stub.sha == UNCOMMITTED:
                result[line] = uncommitted_now(now)
                continue
            timestamp = int(meta.get("author-time", "0"))
            boundary = "boundary" in meta and stub.sha in self.shallow_boundary
            result[line] = Commit(
                stub.sha, timestamp, _iso(timestamp, meta.get("author-tz", "+0000")), boundary
            )
        return result

    # -- introduced ---------------------------------------------------------------------

    def introductions(self, probes: Sequence[Probe]) -> Dict[str, Commit]:
        """For each probe, the oldest commit whose diff adds a line matching it.

        First the history of each file that holds definitions (``git log --follow``, all of a
        file's flags at once, files in parallel). A flag first seen in the commit that created
        its file (and that was not the repository's first commit) may have moved there from
        another file: those few are looked up once more across the whole history, with git
        narrowing the commits down by their names (``-G``).
        """
        if not probes:
            return {}
        head = self.head()
        cache_key = (
            "intro-"
            + hashlib.sha256(
                json.dumps(
                    [head, [(p.key, p.literals, p.pattern, p.path) for p in probes]]
                ).encode()
            ).hexdigest()[:32]
        )
        cached = self._cache_read(cache_key)
        if cached is not None:
            return {k: Commit.from_json(v) for k, v in cached.items()}
        by_file: Dict[str, List[Probe]] = {}
        for probe in probes:
            by_file.setdefault(probe.path, []).append(probe)
        found: Dict[str, Commit] = {}
        suspects: List[Probe] = []

        def one_file(path: str) -> Tuple[Dict[str, Commit], List[Probe]]:
            file_probes = by_file[path]
            history = self._log(["--follow", "--", path]) if path else []
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
            return hits, doubtful

        with concurrent.futures.ThreadPoolExecutor(min(8, len(by_file))) as pool:
            for hits, doubtful in pool.map(one_file, sorted(by_file)):
                found.update(hits)
                suspects.extend(doubtful)
        if suspects:
            names = sorted({literal for p in suspects for literal in p.literals})
            prefilter = "|".join(_ere_escape(n) for n in names)
            wide = _scan(self._log(["-E", f"-G{prefilter}", "--"]), suspects)
            for key, commit in wide.items():
                if key not in found or commit.timestamp < found[key].timestamp:
                    found[key] = commit
        self._cache_write(cache_key, {k: v.to_json() for k, v in found.items()})
        return found

    def _roots(self) -> Set[str]:
        if self._root_commits is None:
            try:
                self._root_commits = set(self._git("rev-list", "--max-parents=0", "HEAD").split())
            except git.exc.GitCommandError:
                self._root_commits = set()
        return self._root_commits

    def _log(self, args: List[str]) -> List[Tuple[Commit, List[str]]]:
        """Commits (oldest first) with the lines their diffs add, for ``git log ARGS``."""
        try:
            out = self._git(
                "log",
                "--no-color",
                "--no-ext-diff",
                "-p",
                "--unified=0",
                "--format=%x00%H %at %ai",
                "HEAD",
                *args,
            )
        except git.exc.GitCommandError:
            return []
        commits: List[Tuple[Commit, List[str]]] = []
        for record in out.split("\0")[1:]:
            header, _, body = record.partition("\n")
            sha, timestamp, date = header.split(" ", 2)
            commit = Commit(sha, int(timestamp), _iso_from_git(date), sha in self.shallow_boundary)
            added = [
                row[1:]
                for row in body.split("\n")
                if row.startswith("+") and not row.startswith("+++")
            ]
            commits.append((commit, added))
        commits.reverse()
        return commits

    # -- cache ----------------------------------------------------------------------------

    def _cache_read(self, key: str) -> Optional[Dict[str, Any]]:
        if self._cache_dir is None:
            return None
        try:
            with open(self._cache_dir / f"{key}.json", encoding="utf-8") as handle:
                data = json.load(handle)
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def _cache_write(self, key: str, value: Mapping[str, object]) -> None:
        if self._cache_dir is None:
            return
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            temporary = self._cache_dir / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(value), encoding="utf-8")
            os.replace(temporary, self._cache_dir / f"{key}.json")
        except OSError:
            self._cache_dir = None


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
