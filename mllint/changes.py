"""The lines changed since a git revision (``mllint check --since REF``).

``git diff -U0 REF`` (committed and uncommitted changes of tracked files) plus the files git
does not track yet, read through :func:`mllint.history.git_output`, the hardened runner.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence

from mllint.history import GitError, git_output
from mllint.model import Finding

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): ord('"'),
    ord("\\"): ord("\\"),
}
_CONFIG = ("core.quotePath=false", "diff.noprefix=false")


class ChangesError(Exception):
    """``--since`` cannot be answered (no repository, unknown revision)."""


@dataclass(frozen=True)
class Changes:
    """Changed lines per file (real absolute paths); ``None``: the whole file is new."""

    files: Dict[str, Optional[FrozenSet[int]]]

    def touches(self, finding: Finding) -> bool:
        """Whether ``finding``'s line is a changed line (or in a new file)."""
        lines = self.files.get(os.path.realpath(finding.path), frozenset())
        return lines is None or finding.span.line in lines

    def keep(self, findings: Iterable[Finding]) -> List[Finding]:
        """The findings on changed lines."""
        return [f for f in findings if self.touches(f)]


def changed_since(folder: Path, ref: str) -> Changes:
    """The lines of the work tree around ``folder`` changed since revision ``ref``."""
    if not ref or ref.startswith("-"):
        raise ChangesError(f"--since: not a revision: {ref!r}")
    try:
        top, _ = git_output(folder, "rev-parse", "--show-toplevel")
    except GitError:
        raise ChangesError(f"--since needs a git repository ({folder} is not in one)") from None
    root = os.fsdecode(top.strip())
    try:
        commit, _ = git_output(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise ChangesError(f"--since: unknown revision {ref!r}") from None
    sha = commit.decode("ascii", "replace").strip()
    try:
        diff, _ = git_output(
            root,
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            sha,
            "--",
            config=_CONFIG,
        )
        untracked, _ = git_output(
            root, "ls-files", "-z", "--others", "--exclude-standard", config=_CONFIG
        )
    except GitError as exc:
        raise ChangesError(f"--since: {exc}") from None
    files: Dict[str, Optional[FrozenSet[int]]] = {
        os.path.join(root, name): frozenset(lines) for name, lines in parse_diff(diff).items()
    }
    for name in untracked.split(b"\0"):
        if name:
            files[os.path.join(root, os.fsdecode(name))] = None
    return Changes({os.path.realpath(path): lines for path, lines in files.items()})


def parse_diff(diff: bytes) -> Dict[str, List[int]]:
    """Added or changed lines (new side) per file of a ``git diff -U0`` output."""
    changed: Dict[str, List[int]] = {}
    current: Optional[List[int]] = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            name = _unquote(line[4:])
            if name is None or not name.startswith(b"b/"):
                current = None  # /dev/null: a deleted file
                continue
            current = changed.setdefault(os.fsdecode(name[2:]), [])
            continue
        hunk = _HUNK.match(line)
        if hunk is not None and current is not None:
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            current.extend(range(start, start + count))
    return changed


def _unquote(name: bytes) -> Optional[bytes]:
    """A path of a diff header, C-style quoted by git when it holds unusual bytes."""
    if name == b"/dev/null":
        return None
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return name.rstrip(b"\t")  # git ends a name holding spaces with a tab
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != ord("\\") or i + 1 >= len(body):
            out.append(char)
            i += 1
            continue
        following = body[i + 1]
        if ord("0") <= following <= ord("7"):
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
            continue
        out.append(_ESCAPES.get(following, following))
        i += 2
    return bytes(out)


def named_after(paths: Sequence[Path]) -> Path:
    """The folder ``--since`` asks git in: the first linted path's (or the current one)."""
    start = paths[0] if paths else Path(".")
    try:
        return start if start.is_dir() else (start.parent if start.exists() else Path.cwd())
    except OSError:
        return Path.cwd()
