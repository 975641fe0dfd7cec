"""Finding the files to lint: folders walked in a fixed order, ignore files honoured."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from mllint.config import config_in, load_settings
from mllint.gitignore import IgnoreSpec, IgnoreStack, compile_globs

SOURCE_SUFFIXES = (".py", ".pyi")

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".mllint_cache",
        ".ipynb_checkpoints",
        ".eggs",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "__pypackages__",
    }
)


@dataclass(frozen=True)
class Discovery:
    """The files to lint and what was skipped on the way (for messages)."""

    files: Tuple[Path, ...]
    missing: Tuple[str, ...] = ()
    configs: Mapping[str, str] = field(default_factory=dict)
    """File -> the nested pyproject.toml whose ``[tool.mllint]`` governs it (when not the
    run's own configuration)."""


def _is_skipped_dir(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in SKIPPED_DIRS or name.endswith(".egg-info"):
        return True
    # Virtual environments under any name carry a pyvenv.cfg.
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _project_root(start: Path) -> Optional[Path]:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _relative(path: Path, root: Path) -> Optional[str]:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


class _Walker:
    def __init__(self, root: Path, exclude: _ExcludeAt) -> None:
        self.root = root
        self.exclude = exclude
        self.seen_dirs: Set[Tuple[int, int]] = set()
        self.configs: Dict[str, str] = {}

    def stack_for(self, folder: Path) -> IgnoreStack:
        """Ignore files from the root down to ``folder`` (inclusive)."""
        stack = IgnoreStack()
        info_exclude = self.root / ".git" / "info" / "exclude"
        if info_exclude.is_file():
            stack = stack.push(IgnoreSpec.from_file(info_exclude, ""))
        relative = _relative(folder, self.root)
        if relative is None:
            return stack
        parts = [] if relative in ("", ".") else relative.split("/")
        for depth in range(len(parts) + 1):
            base = "/".join(parts[:depth])
            ignore_file = self.root.joinpath(*parts[:depth], ".gitignore")
            if ignore_file.is_file():
                stack = stack.push(IgnoreSpec.from_file(ignore_file, base))
        return stack

    def ignored(self, path: Path, is_dir: bool, stack: IgnoreStack) -> bool:
        relative = _relative(path, self.root)
        if relative is None:
            return False
        return stack.is_ignored(relative, is_dir) or bool(self.exclude.match(relative, is_dir))

    def walk(
        self, folder: Path, stack: IgnoreStack, config: Optional[str] = None
    ) -> Iterator[Path]:
        """Files below ``folder``; ``config`` is the nested configuration in effect."""
        try:
            info = folder.stat()
        except OSError:
            return
        key = (info.st_dev, info.st_ino)
        if key in self.seen_dirs:  # a symlink loop, or the same folder twice
            return
        self.seen_dirs.add(key)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if _is_skipped_dir(entry) or self.ignored(path, True, stack):
                    continue
                yield from self.walk(path, *self.enter(path, stack, config))
            elif (
                is_file
                and entry.name.endswith(SOURCE_SUFFIXES)
                and not self.ignored(path, False, stack)
            ):
                if config is not None:
                    self.configs[str(path)] = config
                yield path

    def enter(
        self, folder: Path, stack: IgnoreStack, config: Optional[str]
    ) -> Tuple[IgnoreStack, Optional[str]]:
        """The ignore stack and configuration of a sub-folder."""
        base = _relative(folder, self.root) or ""
        ignore_file = folder / ".gitignore"
        if ignore_file.is_file():
            stack = stack.push(IgnoreSpec.from_file(ignore_file, base))
        nested = config_in(folder)
        if nested is not None:
            # A project inside the project: its own exclude globs hold below it.
            settings = load_settings(nested, folder)
            stack = stack.push(IgnoreSpec.from_lines(settings.exclude, base))
            config = str(nested)
        return stack, config


def discover(paths: Sequence[Path], exclude: Sequence[str], settings_root: Path) -> Discovery:
    """Files under ``paths`` to lint, in a deterministic order, each once.

    Files named on the command line are always linted; files found by walking a folder are
    skipped when a ``.gitignore`` or ``exclude`` glob matches them, or they sit in a virtual
    environment, cache or build folder. Symbolic links to folders are not followed.
    """
    exclude_spec = compile_globs(exclude)
    found: List[Path] = []
    seen: Set[Path] = set()
    missing: List[str] = []
    configs: Dict[str, str] = {}
    for raw in paths:
        path = Path(os.path.abspath(raw))
        if not path.exists():
            missing.append(str(raw))
            continue
        if path.is_file():
            if path not in seen:
                seen.add(path)
                found.append(path)
            continue
        root = _project_root(path)
        if root is None:  # outside git: anchor ignore files at the settings or the folder
            root = settings_root if _relative(path, settings_root) is not None else path
        walker = _Walker(root, _ExcludeAt(exclude_spec, settings_root, root))
        for file in walker.walk(path, walker.stack_for(path)):
            if file not in seen:
                seen.add(file)
                found.append(file)
        configs.update(walker.configs)
    return Discovery(files=tuple(found), missing=tuple(missing), configs=configs)


class _ExcludeAt:
    """The ``exclude`` globs, which are relative to the configuration's folder."""

    def __init__(self, spec: IgnoreSpec, settings_root: Path, walk_root: Path) -> None:
        self._spec = spec
        self._settings_root = settings_root
        self._walk_root = walk_root

    def match(self, relpath: str, is_dir: bool) -> Optional[bool]:
        relative = _relative(self._walk_root / relpath, self._settings_root)
        if relative is None:
            return None
        return self._spec.match(relative, is_dir)
