"""The places where runs are launched, for ML107: shell scripts, Makefiles, configs, docs.

This module sits at the file-system edge of the project stage: :func:`collect_launch_texts`
reads the non-Python files that choose a run's options (a rule never reads files). Every
bound holds on a hostile tree: at most :data:`MAX_FILES` files of at most
:data:`MAX_FILE_BYTES` each, :data:`MAX_TOTAL_BYTES` in all, :data:`MAX_DEPTH` folders deep;
links are never followed (a link out of the root reads nothing), FIFOs and devices are
refused without blocking (:func:`mllint.safeio.read_limited`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from mllint.safeio import read_limited

MAX_FILES = 2000
MAX_FILE_BYTES = 262_144
MAX_TOTAL_BYTES = 16_777_216
MAX_DEPTH = 12

LAUNCH_SUFFIXES = {
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".slurm": "shell",
    ".sbatch": "shell",
    ".yaml": "config",
    ".yml": "config",
    ".json": "config",
    ".toml": "config",
    ".gin": "config",
    ".cfg": "config",
    ".ini": "config",
    ".md": "docs",
    ".rst": "docs",
    ".txt": "docs",
    ".ipynb": "notebook",
}
"""File suffixes that launch runs or document how, by the kind reported in properties."""
LAUNCH_NAMES = {"Makefile": "shell", "makefile": "shell", "Dockerfile": "shell"}
_SKIPPED_FOLDERS = frozenset(
    {"node_modules", "__pycache__", "site-packages", "venv", "env", "build", "dist"}
)
_KEPT_HIDDEN = frozenset({".vscode", ".github", ".circleci"})


def launch_kind(name: str) -> str:
    """The kind of launch file ``name`` is (``""``: not one)."""
    if name in LAUNCH_NAMES:
        return LAUNCH_NAMES[name]
    return LAUNCH_SUFFIXES.get(os.path.splitext(name)[1].lower(), "")


def _walk(root: str) -> Iterator[Tuple[str, str]]:
    """``(path, kind)`` of the launch files below ``root``, without following links."""
    stack: List[Tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    hidden = name.startswith(".") and name not in _KEPT_HIDDEN
                    if depth < MAX_DEPTH and not hidden and name not in _SKIPPED_FOLDERS:
                        stack.append((entry.path, depth + 1))
                    continue
                kind = launch_kind(name)
                if kind and entry.is_file(follow_symlinks=False):
                    yield entry.path, kind
            except OSError:
                continue


def collect_launch_texts(roots: Sequence[Path], limit: int = MAX_FILE_BYTES) -> Dict[str, str]:
    """The text of every launch file below ``roots`` (path -> text), within the bounds of
    this module; unreadable, oversized or special files are skipped."""
    texts: Dict[str, str] = {}
    total = 0
    seen = set()
    for root in roots:
        base = str(root if root.is_dir() else root.parent)
        for path, _kind in _walk(base):
            real = os.path.normcase(os.path.abspath(path))
            if real in seen:
                continue
            seen.add(real)
            if len(texts) >= MAX_FILES or total >= MAX_TOTAL_BYTES:
                return texts
            try:
                data = read_limited(Path(path), min(limit, MAX_TOTAL_BYTES - total), follow=False)
            except OSError:
                continue
            total += len(data)
            texts[path] = data.decode("utf-8", "replace")
    return texts


class LaunchTexts(Mapping[str, str]):
    """The launch files below some roots, read on first use (a project without experiment
    switches never reads them)."""

    def __init__(self, roots: Sequence[Path], limit: int = MAX_FILE_BYTES) -> None:
        self._roots = tuple(roots)
        self._limit = min(limit, MAX_FILE_BYTES)
        self._texts: Optional[Dict[str, str]] = None

    def _loaded(self) -> Dict[str, str]:
        if self._texts is None:
            self._texts = collect_launch_texts(self._roots, self._limit)
        return self._texts

    def __getitem__(self, key: str) -> str:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def searched_places(texts: Mapping[str, str]) -> Dict[str, int]:
    """How many files of each kind were searched (for a finding's properties)."""
    counts: Dict[str, int] = {}
    for path in texts:
        kind = launch_kind(os.path.basename(path))
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def option_pattern(strings: Sequence[str]) -> re.Pattern[str]:
    """A command-line mention of any of ``strings`` (``--use-x``, ``--use_x``, ``--nouse_x``
    for absl), as a whole word: ``--use-x``, ``--use-x=1``, ``"--use-x"``."""
    words = sorted({re.escape(s) for s in strings}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])")
