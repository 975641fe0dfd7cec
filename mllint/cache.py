"""The on-disk cache in ``.mllint_cache/``: per-file results and git answers.

Entries are keyed by mllint's version, the analysis settings and the file's content hash, so
an unchanged file is never parsed twice and any change of either invalidates it.

The folder sits at the project root (see :func:`project_root`), or wherever ``--cache-dir`` /
``MLLINT_CACHE_DIR`` put it; each build of mllint writes below a folder of its own
(:func:`code_version`), and the folders of other builds that no run has used for
:data:`PRUNE_AFTER_SECONDS` are removed. ``mllint clean`` removes the whole cache
(:func:`clean`), and only what mllint writes there.

The folder lives in the linted project, which may be hostile, so the cache is untrusted input:

- every read and write goes through :mod:`mllint.safeio` (atomic, never through a link);
- a ``.mllint_cache`` that is a symbolic link, or that holds files the project's git tracks
  (a repository that commits its cache), is refused: mllint says so once and runs without it;
- every entry carries an HMAC-SHA256 under a random key kept in the user's own cache folder
  (``$XDG_CACHE_HOME/mllint/key``), over the entry's name and content: an entry this user's
  mllint did not write never verifies and is a miss, like an entry of the wrong shape.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from mllint import __version__
from mllint.model import FileResult, Severity
from mllint.safeio import UnsafePath, read_below, write_atomic, write_below

if TYPE_CHECKING:
    from mllint.config import Settings

CACHE_DIR_NAME = ".mllint_cache"
CACHE_DIR_ENV = "MLLINT_CACHE_DIR"
"""The environment variable that moves the cache folder (as ``--cache-dir`` does)."""
PRUNE_AFTER_SECONDS = 24 * 3600
"""The folder of another build of mllint is removed once no run has used it for this long
(not at once: an editor's language server and a pre-commit hook pinned to another release
may share a project, and would otherwise throw each other's results away on every run)."""
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mllint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
_OWN_FILES = {"CACHEDIR.TAG": _CACHEDIR_TAG.encode(), ".gitignore": b"# Created by mllint.\n*\n"}
"""The files mllint puts in a cache folder it creates: the tag that backup tools know, and a
``.gitignore`` that keeps the folder out of commits."""
ENTRY_LIMIT = 64 << 20
"""Largest cache entry read back (bytes); a larger one is a miss."""
_KEY_BYTES = 32


@functools.cache
def code_version() -> str:
    """mllint's version plus a hash of its own source, so that results cached by another
    build of mllint (an editable install mid-development, say) are never reused."""
    digest = hashlib.blake2b(digest_size=6)
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return f"{__version__}-{digest.hexdigest()}"


def content_hash(data: bytes) -> str:
    """The cache key of a file's content."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


# -- notices ------------------------------------------------------------------------------

_said: Set[str] = set()


def notice(message: str) -> None:
    """Say ``message`` on stderr, once per process."""
    if message in _said:
        return
    _said.add(message)
    try:
        sys.stderr.write(f"mllint: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# -- the signing key ----------------------------------------------------------------------

_keys: Dict[str, bytes] = {}


def key_path() -> Optional[Path]:
    """Where the user's cache key lives: ``$XDG_CACHE_HOME/mllint/key``, else
    ``~/.cache/mllint/key``; ``None`` without a home folder."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            home = Path.home()
        except (RuntimeError, KeyError, OSError):
            return None
        if not home.is_absolute():
            return None
        base = str(home / ".cache")
    return Path(base) / "mllint" / "key"


def _private(info: os.stat_result, others: int) -> bool:
    """Owned by this user, without the ``others`` permission bits (POSIX; elsewhere the
    platform's own access control stands in)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & others


def _private_folder(folder: Path) -> None:
    """Create ``folder`` (mode 0700) if missing; refuse a link or someone else's folder."""
    with contextlib.suppress(FileExistsError):
        os.makedirs(folder, mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(errno.ELOOP, "is a symbolic link or not a folder", str(folder))
    if not _private(info, 0o022):
        raise UnsafePath(
            errno.EPERM, "belongs to another user or is writable by others", str(folder)
        )


def _read_key(path: Path) -> Optional[bytes]:
    """The key stored at ``path``; ``None`` when there is none yet. Raises
    :class:`UnsafePath` for a link, a non-file, or a file another user could have written."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
            raise UnsafePath(errno.EINVAL, "is not a small regular file", str(path))
        if not _private(info, 0o077):
            raise UnsafePath(errno.EPERM, "is not private to this user (mode 0600)", str(path))
        text = os.read(fd, 4096).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == _KEY_BYTES else None


def signing_key() -> bytes:
    """The key cache entries are signed with: the user's stored key, created on first use
    (mode 0600); a fresh key for this process alone when it cannot be stored or trusted, so
    that nothing found on disk verifies."""
    path = key_path()
    label = str(path)
    if label in _keys:
        return _keys[label]
    key: Optional[bytes] = None
    if path is not None:
        try:
            _private_folder(path.parent)
            key = _read_key(path)
            if key is None:
                write_atomic(path, secrets.token_hex(_KEY_BYTES).encode() + b"\n", mode=0o600)
                key = _read_key(path)  # another process may have won the race: use its key
        except OSError as exc:
            notice(
                f"cannot keep the cache key {path}: {exc.strerror or exc}; "
                "cached results are not reused across runs"
            )
            key = None
    if key is None:
        key = secrets.token_bytes(_KEY_BYTES)
    _keys[label] = key
    return key


# -- where the cache lives ----------------------------------------------------------------


def project_root(paths: Sequence[Path]) -> Path:
    """The folder of the project the first of ``paths`` belongs to: the nearest folder above
    it with a pyproject.toml holding ``[tool.mllint]``, else the root of the git work tree
    around it, else the current folder. A ``--config`` file elsewhere does not move it."""
    from mllint.config import find_config

    start = Path(os.path.abspath(paths[0])) if paths else Path(os.getcwd())
    found = find_config([start]) if os.path.exists(start) else None
    if found is not None:
        return found.parent
    folder = start if os.path.isdir(start) else start.parent
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return Path(os.getcwd())


def chosen_folder(cache_dir: Optional[str]) -> Optional[Path]:
    """``cache_dir`` (``--cache-dir``), else ``$MLLINT_CACHE_DIR``, as an absolute path;
    ``None`` when neither is set. Relative paths are relative to the current folder."""
    chosen = cache_dir or os.environ.get(CACHE_DIR_ENV, "")
    return Path(os.path.abspath(chosen)) if chosen else None


def locate(paths: Sequence[Path], cache_dir: Optional[str] = None) -> Path:
    """The cache folder of a run on ``paths``: :func:`chosen_folder`, else ``.mllint_cache``
    at the :func:`project_root`."""
    return chosen_folder(cache_dir) or project_root(paths) / CACHE_DIR_NAME


def cache_folder(settings: Settings) -> Path:
    """The cache folder of a run with ``settings``: ``settings.cache_dir`` (set from the
    command line), else :func:`chosen_folder`, else ``.mllint_cache`` in ``settings.root``."""
    if settings.cache_dir:
        return Path(os.path.abspath(settings.cache_dir))
    return chosen_folder(None) or Path(os.path.abspath(settings.root)) / CACHE_DIR_NAME


# -- the folder ---------------------------------------------------------------------------

_verdicts: Dict[Tuple[str, str], Optional[str]] = {}


def _refusal(root: Path, top: str) -> Optional[str]:
    """Why the cache folder ``root/top`` must not be used; ``None`` when it may be."""
    folder = root / top
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot use the cache folder {folder}: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return f"not using the cache: {folder} is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return f"not using the cache: {folder} is not a folder"
    from mllint.history import tracks_files_under

    if tracks_files_under(root, top):
        return f"not using the cache: {folder} holds files tracked by git"
    return None


def refusal(root: Path, top: str = CACHE_DIR_NAME) -> Optional[str]:
    """:func:`_refusal`, asked once per folder and process."""
    where = (os.path.abspath(root), top)
    if where not in _verdicts:
        _verdicts[where] = _refusal(root, top)
    return _verdicts[where]


class Store:
    """Signed entries in one folder below a trusted root (``root/parts...``).

    ``root`` is the project folder; ``parts`` starts with the cache folder's name. Reads
    return only entries that verify; failures of any kind are misses, and a write that
    fails turns the store off for the rest of the run.
    """

    def __init__(self, root: Path, parts: Sequence[str]) -> None:
        self.root = root
        self.parts = tuple(parts)
        self.usable = bool(self.parts)

    @classmethod
    def below(cls, cache: Path, *parts: str) -> Store:
        """The store ``parts...`` inside the cache folder ``cache``."""
        cache = Path(os.path.abspath(cache))
        return cls(cache.parent, (cache.name, *parts))

    @classmethod
    def at(cls, folder: Path) -> Store:
        """The store for ``folder``: below the project folder that holds its
        ``.mllint_cache`` component, else below its parent."""
        folder = Path(os.path.abspath(folder))
        names = folder.parts
        if CACHE_DIR_NAME in names:
            index = len(names) - 1 - names[::-1].index(CACHE_DIR_NAME)
            return cls(Path(*names[:index]), names[index:])
        return cls(folder.parent, (folder.name,))

    def _check(self) -> bool:
        if not self.usable:
            return False
        reason = refusal(self.root, self.parts[0])
        if reason is not None:
            notice(reason)
            self.usable = False
        elif len(self.parts) > 1:
            housekeep(self.root, self.parts[0], self.parts[1])
        return self.usable

    def _message(self, sub: Sequence[str], name: str, payload: bytes) -> bytes:
        where = "/".join([*self.parts[1:], *sub, name])
        return where.encode("utf-8", "surrogateescape") + b"\0" + payload

    def read(self, sub: Sequence[str], name: str) -> Optional[bytes]:
        """The payload of the entry ``sub.../name``; ``None`` when absent or not verified."""
        if not self._check():
            return None
        try:
            data = read_below(self.root, [*self.parts, *sub], name, ENTRY_LIMIT)
        except UnsafePath as exc:
            self._refuse(exc)
            return None
        except OSError:
            return None
        mac, newline, payload = data.partition(b"\n")
        if not newline:
            return None
        expected = hmac.new(signing_key(), self._message(sub, name, payload), hashlib.sha256)
        if not hmac.compare_digest(mac, expected.hexdigest().encode()):
            return None
        return payload

    def write(self, sub: Sequence[str], name: str, payload: bytes) -> None:
        """Store ``payload`` as the entry ``sub.../name``, signed."""
        if not self._check():
            return
        mac = hmac.new(signing_key(), self._message(sub, name, payload), hashlib.sha256)
        try:
            self._prepare()
            write_below(
                self.root, [*self.parts, *sub], name, mac.hexdigest().encode() + b"\n" + payload
            )
        except UnsafePath as exc:
            self._refuse(exc)
        except OSError:
            self.usable = False

    def _prepare(self) -> None:
        """Tag a new cache folder, and make git ignore it."""
        top = self.root / self.parts[0]
        if os.path.lexists(top):
            return
        if not os.path.isdir(self.root):  # a --cache-dir whose parents do not exist yet
            os.makedirs(self.root, exist_ok=True)
        for name, content in _OWN_FILES.items():
            write_below(self.root, self.parts[:1], name, content)

    def _refuse(self, exc: OSError) -> None:
        top = self.root / self.parts[0]
        notice(f"not using the cache in {top}: {exc.filename} {exc.strerror}")
        self.usable = False


def git_store(folder: Path) -> Store:
    """Where the git answers (blame, introducing commits) of this build are kept in the
    cache folder ``folder``."""
    return Store.below(folder, code_version(), "git")


# -- housekeeping -------------------------------------------------------------------------

_BUILD_FOLDER = re.compile(r"[0-9][0-9A-Za-z.+!_-]*-[0-9a-f]{12}")
"""The name of a folder :func:`code_version` names: the only folders mllint ever removes."""
_OWN_TEMPORARY = re.compile(r"\.(?:CACHEDIR\.TAG|\.gitignore)\.[0-9a-f]{16}\.tmp")
_MAX_DEPTH = 16
"""mllint writes three levels below a build's folder; a deeper tree is not its own."""
_housekept: Set[Tuple[str, str]] = set()
_DIR_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_DIRECTORY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_FD_WALK = os.open in os.supports_dir_fd and os.unlink in os.supports_dir_fd


def _open_dir(name: str, parent: Optional[int]) -> int:
    """Open the folder ``name`` (below the descriptor ``parent``) without following a link:
    :class:`UnsafePath` when it is a link or not a folder."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafePath(errno.ELOOP, "is a symbolic link or not a folder", name) from None
        raise


def _remove_tree(parent: int, name: str, depth: int = 0) -> int:
    """Remove the folder ``name`` below the descriptor ``parent`` and everything in it,
    walking by descriptors: a link is removed, never followed, and nothing outside the
    folder is touched, whatever is renamed meanwhile. Returns the number of files removed."""
    if depth > _MAX_DEPTH:
        raise UnsafePath(errno.ELOOP, "is nested deeper than mllint writes", name)
    fd = _open_dir(name, parent)
    removed = 0
    try:
        with os.scandir(fd) as entries:
            children = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
        for child, is_dir in children:
            try:
                if is_dir:
                    removed += _remove_tree(fd, child, depth + 1)
                else:
                    os.unlink(child, dir_fd=fd)
                    removed += 1
            except FileNotFoundError:  # removed by someone else meanwhile
                pass
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(name, dir_fd=parent)
    return removed


def _builds(top_fd: int) -> List[Tuple[str, float]]:
    """The build folders (not links) in the open cache folder, with their times of use."""
    found = []
    with os.scandir(top_fd) as entries:
        for entry in entries:
            if _BUILD_FOLDER.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    found.append((entry.name, entry.stat(follow_symlinks=False).st_mtime))
    return found


def housekeep(root: Path, top: str, build: str) -> None:
    """Once per process and cache folder ``root/top``: mark the folder of ``build`` as used
    now, and remove the folders of other builds unused for :data:`PRUNE_AFTER_SECONDS`.
    Failures of any kind leave the cache as it is."""
    where = (os.path.abspath(root), top)
    if where in _housekept or not _FD_WALK or build != code_version():
        return
    _housekept.add(where)
    try:
        root_fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    except OSError:
        return
    try:
        top_fd = _open_dir(top, root_fd)
    except OSError:  # not there yet: nothing to keep
        os.close(root_fd)
        return
    try:
        with contextlib.suppress(OSError):
            os.utime(build, dir_fd=top_fd, follow_symlinks=False)
        stale = time.time() - PRUNE_AFTER_SECONDS
        for name, used in _builds(top_fd):
            if name != build and used < stale:
                with contextlib.suppress(OSError):
                    _remove_tree(top_fd, name)
    except OSError:
        pass
    finally:
        os.close(top_fd)
        os.close(root_fd)


@dataclass(frozen=True)
class Cleaned:
    """What :func:`clean` did to a cache folder."""

    folder: Path
    existed: bool
    removed: int
    """Files removed."""
    left: Tuple[str, ...] = ()
    """Entries of the folder mllint did not write, left in place (the folder with them)."""


def clean(folder: Path) -> Cleaned:
    """Remove the cache folder ``folder``: the folders of every build of mllint, its tag and
    its ``.gitignore``, then the folder itself once empty. Anything else in it is left alone.

    Raises :class:`UnsafePath` (the message says why) for a folder that is a link, not a
    folder, or holds files tracked by git; ``OSError`` when removing fails.
    """
    folder = Path(os.path.abspath(folder))
    root, top = folder.parent, folder.name
    reason = _refusal(root, top)
    if reason is not None:
        raise UnsafePath(errno.EPERM, reason.replace("not using the cache: ", ""), str(folder))
    if not os.path.lexists(folder):
        return Cleaned(folder, existed=False, removed=0)
    if not _FD_WALK:  # pragma: no cover - platforms without dir_fd (Windows)
        raise UnsafePath(errno.ENOSYS, "cannot be removed safely on this platform", str(folder))
    root_fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    try:
        top_fd = _open_dir(top, root_fd)
        removed = 0
        left: List[str] = []
        try:
            with os.scandir(top_fd) as entries:
                names = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
            for name, is_dir in sorted(names):
                if is_dir and _BUILD_FOLDER.fullmatch(name):
                    removed += _remove_tree(top_fd, name)
                elif not is_dir and (_is_own_file(top_fd, name) or _OWN_TEMPORARY.fullmatch(name)):
                    os.unlink(name, dir_fd=top_fd)
                    removed += 1
                else:
                    left.append(name)
        finally:
            os.close(top_fd)
        if not left:
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(top, dir_fd=root_fd)
    finally:
        os.close(root_fd)
    return Cleaned(folder, existed=True, removed=removed, left=tuple(left))


def _is_own_file(folder_fd: int, name: str) -> bool:
    """Whether ``name`` is a regular file with the content mllint writes under that name."""
    expected = _OWN_FILES.get(name)
    if expected is None:
        return False
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags | os.O_CLOEXEC, dir_fd=folder_fd)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        return stat.S_ISREG(info.st_mode) and os.read(fd, len(expected) + 1) == expected
    finally:
        os.close(fd)


# -- per-file results ---------------------------------------------------------------------


class Cache:
    """Per-file results on disk under ``<cache folder>/<version>/<settings>/``."""

    def __init__(self, folder: Path, settings_key: str) -> None:
        self.store = Store.below(folder, code_version(), settings_key)

    @classmethod
    def of(cls, settings: Settings) -> Cache:
        """The cache of a run with ``settings`` (in :func:`cache_folder`)."""
        return cls(cache_folder(settings), settings.analysis_key())

    @property
    def writable(self) -> bool:
        """Whether results are still being stored."""
        return self.store.usable

    def get(self, digest: str) -> Optional[FileResult]:
        """The cached result for a content hash, or ``None``."""
        payload = self.store.read((digest[:2],), f"{digest}.json")
        if payload is None:
            return None
        try:
            data = json.loads(payload)
            if not valid_result(data):
                return None
            return FileResult.from_json(data)
        except Exception:  # any entry that does not load is a miss
            return None

    def put(self, digest: str, result: FileResult) -> None:
        """Store a result; failures (read-only disk, races) are silently skipped."""
        payload = json.dumps(result.to_json(), separators=(",", ":")).encode()
        self.store.write((digest[:2],), f"{digest}.json", payload)


# -- shapes -------------------------------------------------------------------------------


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _valid_finding(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    span = data.get("span")
    severities = {s.value for s in Severity}
    return (
        all(isinstance(data.get(k), str) for k in ("path", "code", "name", "message"))
        and isinstance(span, list)
        and len(span) == 4
        and all(_is_int(n) for n in span)
        and data.get("severity") in severities
        and isinstance(data.get("properties"), dict)
        and _valid_related(data.get("related", []))
    )


def _valid_related(data: object) -> bool:
    """``[[path, [line, column, end_line, end_column], message]...]``."""
    return isinstance(data, list) and all(
        isinstance(r, list)
        and len(r) == 3
        and isinstance(r[0], str)
        and isinstance(r[2], str)
        and isinstance(r[1], list)
        and len(r[1]) == 4
        and all(_is_int(n) for n in r[1])
        for r in data
    )


def _valid_noqa(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("lines"), dict):
        return False
    lines_ok = all(k.lstrip("-").isdigit() and _str_list(v) for k, v in data["lines"].items())
    return lines_ok and (data.get("file") is None or _str_list(data.get("file")))


@functools.cache
def _fact_shapes() -> Mapping[str, Any]:
    """Each fact family as this build writes it for an empty module: the keys and value
    kinds every cached family must have."""
    from mllint.analyze import analyze_source

    return dict(analyze_source("shape.py", b"").facts)


def _same_shape(value: object, shape: object) -> bool:
    if _kind(value) != _kind(shape):
        return False
    if isinstance(shape, dict) and shape:
        assert isinstance(value, dict)
        return value.keys() == shape.keys() and all(_same_shape(value[k], shape[k]) for k in shape)
    return True


def valid_result(data: object) -> bool:
    """Whether ``data`` has the shape :meth:`FileResult.to_json` gives: findings, noqa map,
    facts whose families have the keys and kinds of this build's, a line count."""
    if not isinstance(data, dict) or set(data) != {"findings", "noqa", "facts", "lines"}:
        return False
    facts = data["facts"]
    if not (
        isinstance(data["findings"], list)
        and all(_valid_finding(f) for f in data["findings"])
        and _valid_noqa(data["noqa"])
        and _is_int(data["lines"])
        and isinstance(facts, dict)
    ):
        return False
    from mllint.analyze import NOT_ANALYSED

    shapes = _fact_shapes()
    return all(
        (k == NOT_ANALYSED and isinstance(v, str)) or (k in shapes and _same_shape(v, shapes[k]))
        for k, v in facts.items()
    )
