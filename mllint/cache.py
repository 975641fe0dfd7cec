"""The per-file result cache in ``.mllint_cache/``.

Entries are keyed by mllint's version, the analysis settings and the file's content hash, so
an unchanged file is never parsed twice and any change of either invalidates it. Writes are
atomic (write to a temporary file, then rename); an unreadable entry counts as a miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from mllint import __version__
from mllint.model import FileResult

CACHE_DIR_NAME = ".mllint_cache"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mllint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


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


class Cache:
    """Per-file results on disk under ``<root>/.mllint_cache/<version>/<settings>/``."""

    def __init__(self, root: Path, settings_key: str) -> None:
        self.base = root / CACHE_DIR_NAME
        self.folder = self.base / code_version() / settings_key
        self.writable = True

    def get(self, digest: str) -> Optional[FileResult]:
        """The cached result for a content hash, or ``None``."""
        try:
            with open(self._entry(digest), encoding="utf-8") as handle:
                return FileResult.from_json(json.load(handle))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, digest: str, result: FileResult) -> None:
        """Store a result; failures (read-only disk, races) are silently skipped."""
        if not self.writable:
            return
        entry = self._entry(digest)
        try:
            self._prepare(entry.parent)
            fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(result.to_json(), handle, separators=(",", ":"))
                os.replace(temporary, entry)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            self.writable = False

    def _entry(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def _prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        if not self.base.is_dir():
            self.base.mkdir(parents=True, exist_ok=True)
            (self.base / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")
            (self.base / ".gitignore").write_text("# Created by mllint.\n*\n", encoding="utf-8")
        folder.mkdir(parents=True, exist_ok=True)
