"""Fingerprints: an identity for a finding that survives unrelated edits to its file.

A fingerprint hashes the rule code, the file's path relative to the source root, and the
flagged lines' text with whitespace normalised, plus an occurrence number among findings that
share all three (two identical ``if False:`` lines in one file). It never includes a line number,
so inserting or deleting lines elsewhere, or moving the flagged code within its file, keeps it;
editing the flagged line changes it. The message is left out too: it may carry an age that
grows every day.

Baselines (:mod:`mllint.baseline`), ``--format json`` and SARIF's ``partialFingerprints`` all use
these values, so a baseline can be written in one format and read back from the other.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from mllint.model import Finding
from mllint.source import SourceError, decode, split_lines

FINGERPRINT_KEY = "mllint/v1"
"""The key of mllint's fingerprint in SARIF ``partialFingerprints``."""

MAX_HASHED_LINES = 10
"""A finding spanning more lines is identified by its first lines only, so that a whole-module
or whole-function finding does not change with every edit inside its body."""

_SPACE = re.compile(r"\s+")


class SourceLines:
    """The lines of the files findings point into, read once each, at the output edge."""

    def __init__(self) -> None:
        self._files: Dict[str, List[str]] = {}

    def of(self, path: str) -> List[str]:
        """Every line of ``path`` (empty when it cannot be read)."""
        lines = self._files.get(path)
        if lines is None:
            lines = self._files[path] = _read_lines(path)
        return lines

    def line(self, path: str, number: int) -> Optional[str]:
        """Line ``number`` (1-based) of ``path``, or ``None`` past its end."""
        lines = self.of(path)
        return lines[number - 1] if 0 < number <= len(lines) else None


def _read_lines(path: str) -> List[str]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    try:
        text = decode(data).text
    except SourceError:  # ML000 files: NUL bytes, undecodable bytes
        text = data.decode("utf-8", errors="replace")
    return split_lines(text)


def relative_path(path: str, root: Path) -> Optional[str]:
    """``path`` relative to ``root`` with ``/`` separators, ``None`` when outside ``root``."""
    try:
        relative = os.path.relpath(os.path.abspath(path), root)
    except ValueError:  # another drive on Windows
        return None
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def flagged_text(finding: Finding, lines: SourceLines) -> str:
    """The normalised text of the lines a finding covers (at most :data:`MAX_HASHED_LINES`)."""
    last = min(max(finding.span.end_line, finding.span.line), finding.span.line + MAX_HASHED_LINES)
    texts = []
    for number in range(finding.span.line, last + 1):
        text = lines.line(finding.path, number)
        if text is not None:
            texts.append(_SPACE.sub(" ", text).strip())
    return "\n".join(texts)


def fingerprints(
    findings: Sequence[Finding],
    root: Path,
    lines: SourceLines,
    alongside: Sequence[Finding] = (),
) -> List[str]:
    """The fingerprint of each finding, in order; see the module docstring.

    ``alongside`` are findings of the same run that are not being printed (hidden by the
    baseline): they take part in the occurrence numbering, so that a finding keeps the
    fingerprint it had before the baseline hid its twin.
    """
    if alongside:
        return fingerprints([*findings, *alongside], root, lines)[: len(findings)]
    keys: List[Tuple[str, str, str]] = []
    paths: Dict[str, str] = {}
    for finding in findings:
        path = paths.get(finding.path)
        if path is None:
            path = relative_path(finding.path, root) or Path(finding.path).resolve().as_posix()
            paths[finding.path] = path
        keys.append((finding.code, path, flagged_text(finding, lines)))
    # Occurrences are numbered in file order, which moves with the code, not with line numbers.
    order = sorted(range(len(findings)), key=lambda i: findings[i].sort_key())
    occurrence: Dict[Tuple[str, str, str], int] = {}
    numbers = [0] * len(findings)
    for i in order:
        occurrence[keys[i]] = occurrence.get(keys[i], 0) + 1
        numbers[i] = occurrence[keys[i]]
    return [_digest(key, number) for key, number in zip(keys, numbers)]


def _digest(key: Tuple[str, str, str], occurrence: int) -> str:
    data = "\0".join(key).encode("utf-8", errors="surrogatepass")
    return f"{hashlib.sha256(data).hexdigest()[:32]}:{occurrence}"
