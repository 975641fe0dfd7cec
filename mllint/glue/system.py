"""The system-level glue ratio: per import package, the figure Sculley et al. care about.

A file belongs to the outermost folder above it that holds an ``__init__.py`` among the
analysed files (folders in between are namespace packages); a file outside any package (a
script) belongs to none. Tests are not part of the system and are left out of the sums.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from mllint.glue.classifier import glue_ratio


@dataclass(frozen=True)
class PackageTally:
    """Statement counts of one package (its folder, ``/``-separated) over its modules."""

    path: str
    glue: int
    algorithm: int
    other: int
    modules: int
    roles: FrozenSet[str] = frozenset()
    """The roles of its modules (``__init__.py`` files without statements left out)."""

    @property
    def glue_ratio(self) -> Optional[float]:
        """``glue / (glue + algorithm)``; ``None`` when both are 0."""
        return glue_ratio(self.glue, self.algorithm)


def package_of(path: str, packages: Set[str]) -> Optional[str]:
    """The outermost package folder above ``path`` among ``packages`` (folders with an
    ``__init__.py``), or ``None``. Folders below a package belong to it even without an
    ``__init__.py`` of their own: Python imports them as namespace packages."""
    folder = posixpath.dirname(path)
    found: Optional[str] = None
    while folder:
        if folder in packages:
            found = folder
        parent = posixpath.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def package_tallies(files: Iterable[Tuple[str, int, int, int, str]]) -> List[PackageTally]:
    """Sum ``(path, glue, algorithm, other, role)`` of files per package, tests left out;
    paths ``/``-separated."""
    rows = list(files)
    packages = {
        posixpath.dirname(path) for path, *_ in rows if posixpath.basename(path) == "__init__.py"
    }
    sums: Dict[str, List[int]] = {}
    kinds: Dict[str, Set[str]] = {}
    for path, glue, algorithm, other, role in rows:
        if role == "test":
            continue
        package = package_of(path, packages)
        if package is None:
            continue
        entry = sums.setdefault(package, [0, 0, 0, 0])
        entry[0] += glue
        entry[1] += algorithm
        entry[2] += other
        entry[3] += 1
        if glue or algorithm:
            kinds.setdefault(package, set()).add(role)
    return [
        PackageTally(path, c[0], c[1], c[2], c[3], frozenset(kinds.get(path, ())))
        for path, c in sorted(sums.items())
    ]
