"""The on-disk cache in ``.mllint_cache/``: per-file results and git answers.

Entries are keyed by mllint's version, the analysis settings and the file's content hash, so
an unchanged file is never parsed twice and any change of either invalidates it.

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
import secrets
import stat
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Set, Tuple

from mllint import __version__
from mllint.model import FileResult, Severity
from mllint.safeio import UnsafePath, read_below, write_atomic, write_below

CACHE_DIR_NAME = ".mllint_cache"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mllint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
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
        write_below(self.root, self.parts[:1], "CACHEDIR.TAG", _CACHEDIR_TAG.encode())
        write_below(self.root, self.parts[:1], ".gitignore", b"# Created by mllint.\n*\n")

    def _refuse(self, exc: OSError) -> None:
        top = self.root / self.parts[0]
        notice(f"not using the cache in {top}: {exc.filename} {exc.strerror}")
        self.usable = False


# -- per-file results ---------------------------------------------------------------------


class Cache:
    """Per-file results on disk under ``<root>/.mllint_cache/<version>/<settings>/``."""

    def __init__(self, root: Path, settings_key: str) -> None:
        self.store = Store(
            Path(os.path.abspath(root)), (CACHE_DIR_NAME, code_version(), settings_key)
        )

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
