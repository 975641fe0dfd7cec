"""Which git repository the linted code lives in: its root, remote, revision and branch.

Used at the output edge (SARIF's ``versionControlProvenance``, the root that SARIF URIs and
fingerprints are relative to). Everything here degrades to "no repository": outside git, with
git not installed, in a repository git refuses to read (``safe.directory``), nothing fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Provenance:
    """A git working tree with at least one commit, as far as git could tell."""

    root: Path
    uri: Optional[str]
    """The ``origin`` remote (else the first remote) as a URI, credentials removed."""
    revision: Optional[str]
    """The full commit id of ``HEAD``."""
    branch: Optional[str]
    """The checked-out branch; ``None`` on a detached ``HEAD``."""


def find_repository(start: Path) -> Optional[Provenance]:
    """The git working tree that holds ``start``; ``None`` outside git, without git, or in a
    repository without commits. Git itself runs in :mod:`mllint.history`."""
    from mllint import history

    try:
        found = history.Repository.find(Path(start))
        if found is None:
            return None
        url = found.remote_url()
        return Provenance(
            root=found.root,
            uri=None if url is None else remote_as_uri(url),
            revision=found.head() or None,
            branch=found.branch(),
        )
    except Exception:  # git vanished or refused mid-way: no provenance, never a crash
        return None


_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>(?!//).+)$")


def remote_as_uri(url: str) -> Optional[str]:
    """A git remote URL as an absolute URI without credentials.

    ``git@github.com:o/r.git`` (scp-like syntax) becomes ``ssh://github.com/o/r.git``;
    ``https://user:token@host/o/r`` loses ``user:token@``; a local path becomes a ``file:`` URI.
    """
    url = url.strip()
    if not url:
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    match = _SCP_LIKE.match(url)
    if match and not Path(url).exists():
        return f"ssh://{match.group('host')}/{match.group('path').lstrip('/')}"
    try:
        return Path(url).resolve().as_uri()
    except ValueError:
        return None


def source_root(settings_root: str, repository: Optional[Provenance]) -> Path:
    """The folder that SARIF URIs and fingerprints are relative to: the repository root,
    else the configuration's folder (the current folder without a configuration)."""
    if repository is not None:
        return repository.root
    return Path(settings_root).resolve()


def root_of(settings_root: str) -> Path:
    """:func:`source_root` for the settings' folder, looking the repository up."""
    return source_root(settings_root, find_repository(Path(settings_root)))
