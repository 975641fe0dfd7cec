"""Reading and writing files that a hostile repository may have prepared.

Every file mllint writes (cache entries, the ``--output`` report, a baseline) goes through
:func:`write_atomic` or :func:`write_below`; every file it reads from a place the repository
controls (its cache, configuration) can be read through :func:`read_limited` or
:func:`read_below`. The rules they keep:

- a write is atomic: a fresh temporary file in the target folder (created with ``O_EXCL`` and
  ``O_NOFOLLOW``, so a planted name or link is never opened), then ``os.replace`` onto the
  target, which replaces a link at the target rather than writing through it; a failed write
  leaves the old file as it was;
- below a trusted base folder (the cache), every folder component is opened with
  ``O_NOFOLLOW | O_DIRECTORY`` relative to its parent's descriptor, so a symlink planted
  anywhere on the way is refused instead of followed, and nothing can swap a folder for a
  link between a check and the write;
- reads take regular files only (no FIFO that blocks, no ``/dev/zero`` that never ends) and at
  most a given number of bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
from pathlib import Path
from typing import Optional, Sequence

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.mkdir in os.supports_dir_fd


class UnsafePath(OSError):
    """A path that mllint refuses to use: a link, or not a regular file or folder."""


class TooLarge(OSError):
    """A file larger than the caller allows."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit} bytes", path)
        self.size = size
        self.limit = limit


def _temporary_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(8)}.tmp"


def _write_in(dir_fd: Optional[int], folder: str, name: str, data: bytes, mode: int) -> None:
    """Write ``data`` to ``name`` in a folder (given by descriptor, or by path when the
    platform has no ``dir_fd`` support) through an exclusive temporary file."""
    temporary = _temporary_name(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    if dir_fd is not None:
        fd = os.open(temporary, flags, mode, dir_fd=dir_fd)
    else:
        temporary = os.path.join(folder, temporary)
        fd = os.open(temporary, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if dir_fd is not None:
            os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.replace(temporary, os.path.join(folder, name))
    except BaseException:
        try:
            if dir_fd is not None:
                os.unlink(temporary, dir_fd=dir_fd)
            else:
                os.unlink(temporary)
        except OSError:
            pass
        raise


_STREAM_LINKS = re.compile(r"/dev/std(out|err)|/(?:dev|proc/self)/fd/(\d+)")
"""Paths that are links to one of this process's open streams (``-o /dev/stdout``, and the
``/dev/fd/63`` of a shell's ``>(...)``): written into, never replaced."""


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically (the ``--output`` file, a baseline).

    The folder is the user's choice and is followed as given; the file itself is never
    opened: a temporary file beside it is renamed over it, so a full disk or a crash leaves
    the old content intact and a symlink at ``path`` is replaced, not written through.

    A character device or FIFO at ``path`` (``/dev/null``, a terminal, a named pipe: git
    stores neither, so one is always the user's own) and the links to this process's own
    streams (``/dev/stdout``, ``/dev/fd/N``) are written into instead: renaming a file over
    ``/dev/null`` would replace the device for the whole machine. A block device, socket or
    folder is refused.
    """
    name = os.path.basename(path)
    if not name:
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    try:
        info: Optional[os.stat_result] = os.lstat(path)
    except FileNotFoundError:
        info = None
    stream = _STREAM_LINKS.fullmatch(str(path))
    if stream is not None and info is not None and stat.S_ISLNK(info.st_mode):
        number = {"out": 1, "err": 2}.get(stream.group(1) or "") or int(stream.group(2))
        _write_fd(number, data)  # the open stream itself, where the shell pointed it
        return
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _write_stream(path, data)
        return
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    if info is not None and (stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode)):
        raise UnsafePath(errno.EINVAL, "a device or socket, not a file", str(path))
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if _DIR_FD:
        dir_fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        try:
            _write_in(dir_fd, folder, name, data, mode)
        finally:
            os.close(dir_fd)
    else:  # pragma: no cover - platforms without dir_fd (Windows)
        _write_in(None, folder, name, data, mode)


def _write_stream(path: Path, data: bytes) -> None:
    """Write into an existing device or pipe (never created, never truncated)."""
    fd = os.open(path, os.O_WRONLY | _CLOEXEC)
    try:
        _write_fd(fd, data)
    finally:
        os.close(fd)


def _write_fd(fd: int, data: bytes) -> None:
    """Write all of ``data`` to an open descriptor, after what Python's own streams hold."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _open_folder(base_fd: int, name: str, create: bool) -> int:
    """Open ``name`` below ``base_fd`` as a folder, never through a link."""
    if name in ("", ".", "..") or "/" in name or "\0" in name:
        raise UnsafePath(errno.EINVAL, "not a plain folder name", name)
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=base_fd)
    try:
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=base_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafePath(errno.ELOOP, "is a symbolic link or not a folder", name) from None
        raise


def _walk_down(base: Path, parts: Sequence[str], create: bool) -> int:
    fd = os.open(base, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for part in parts:
            child = _open_folder(fd, part, create)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_plain(path: Path) -> None:
    """Without ``dir_fd`` support: refuse a link or non-folder on the way (racy, best effort)."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(errno.ELOOP, "is a symbolic link or not a folder", str(path))


def write_below(base: Path, parts: Sequence[str], name: str, data: bytes) -> None:
    """Write ``base/parts.../name`` atomically, creating the folders ``parts`` as needed.

    ``base`` is trusted (the project root); no component of ``parts`` and not the file may be
    a symbolic link. Raises :class:`UnsafePath` when one is, ``OSError`` on other failures.
    """
    if _DIR_FD:
        fd = _walk_down(base, parts, create=True)
        try:
            _write_in(fd, "", name, data, 0o644)
        finally:
            os.close(fd)
        return
    folder = base  # pragma: no cover - platforms without dir_fd (Windows)
    for part in parts:  # pragma: no cover
        folder = folder / part
        folder.mkdir(exist_ok=True)
        _check_plain(folder)
    _write_in(None, str(folder), name, data, 0o644)  # pragma: no cover


def _read_fd(fd: int, label: str, limit: int) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(errno.EINVAL, "not a regular file", label)
    if info.st_size > limit:
        raise TooLarge(label, info.st_size, limit)
    chunks = []
    total = 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # grew while being read
            raise TooLarge(label, total, limit)
    return b"".join(chunks)


def read_limited(path: Path, limit: int, follow: bool = True) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO, device or folder raises :class:`UnsafePath` without blocking (the file is opened
    non-blocking and checked before any read); a larger file raises :class:`TooLarge`. With
    ``follow=False`` a symbolic link at ``path`` is refused too.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
    if not follow:
        flags |= _NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and exc.errno == errno.ELOOP:
            raise UnsafePath(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    try:
        return _read_fd(fd, str(path), limit)
    finally:
        os.close(fd)


def read_below(base: Path, parts: Sequence[str], name: str, limit: int) -> bytes:
    """Read ``base/parts.../name`` (at most ``limit`` bytes) without following any link below
    ``base``. Raises ``OSError`` (:class:`UnsafePath`, :class:`TooLarge`, not found...)."""
    if not _DIR_FD:  # pragma: no cover - platforms without dir_fd (Windows)
        folder = base
        for part in parts:
            folder = folder / part
            _check_plain(folder)
        return read_limited(folder / name, limit, follow=False)
    fd = _walk_down(base, parts, create=False)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW | _CLOEXEC
        try:
            file_fd = os.open(name, flags, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafePath(errno.ELOOP, "is a symbolic link", name) from None
            raise
        try:
            return _read_fd(file_fd, name, limit)
        finally:
            os.close(file_fd)
    finally:
        os.close(fd)
