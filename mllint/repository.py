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
class Repository:
    """A git working tree, as far as git could tell."""

    root: Path
    uri: Optional[str]
    """The ``origin`` remote (else the first remote) as a URI, credentials removed."""
    revision: Optional[str]
    """The full commit id of ``HEAD``; ``None`` before the first commit."""
    branch: Optional[str]
    """The checked-out branch; ``None`` on a detached ``HEAD``."""


def find_repository(start: Path) -> Optional[Repository]:
    """The git working tree that holds ``start``, or ``None`` outside git or without git."""
    try:
        # GitPython checks for the git executable on import and raises when it is missing.
        import git
    except Exception:
        return None
    try:
        cli = git.cmd.Git(str(Path(start).resolve()))
        top = cli.rev_parse("--show-toplevel").strip()
    except Exception:  # not a repository, git missing, unsafe ownership, ...
        return None
    if not top:
        return None
    cli = git.cmd.Git(top)
    return Repository(
        root=Path(top).resolve(),
        uri=_remote_uri(cli),
        revision=_output(cli, "rev_parse", "--verify", "-q", "HEAD^{commit}"),
        branch=_output(cli, "symbolic_ref", "-q", "--short", "HEAD"),
    )


def _output(cli: object, command: str, *args: str) -> Optional[str]:
    """A git command's stripped output, ``None`` when it fails or prints nothing."""
    try:
        text = str(getattr(cli, command)(*args)).strip()
    except Exception:
        return None
    return text or None


def _remote_uri(cli: object) -> Optional[str]:
    remotes = (_output(cli, "remote") or "").split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    url = _output(cli, "remote", "get-url", name)
    return None if url is None else remote_as_uri(url)


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


def source_root(settings_root: str, repository: Optional[Repository]) -> Path:
    """The folder that SARIF URIs and fingerprints are relative to: the repository root,
    else the configuration's folder (the current folder without a configuration)."""
    if repository is not None:
        return repository.root
    return Path(settings_root).resolve()


def root_of(settings_root: str) -> Path:
    """:func:`source_root` for the settings' folder, looking the repository up."""
    return source_root(settings_root, find_repository(Path(settings_root)))
